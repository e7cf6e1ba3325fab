// The RDB codec: Redis 7.0's snapshot format (RDB version 10) and the DUMP/RESTORE
// payload, which is one RDB value plus a version and a CRC64 trailer.
//
// Everything else in persistence sits on this: SAVE/BGSAVE write a snapshot through an
// RdbSink, startup and DEBUG RELOAD read one through an RdbSource, DUMP/RESTORE use
// DumpPayload/RestorePayload, and an AOF base file with an RDB preamble is an RDB.
//
// Writing:  RdbWriter w(sink, options); w.Begin(now_ms); for each db { w.SelectDb(...);
//           for each key w.WriteKey(...); } w.End();     (or WriteRdb for all of it)
// Reading:  LoadRdb(source, keyspace, ...) or, key by key, ParseRdb(source, ..., handler).
//
// Input is untrusted: every length is bounded by what is left of the input (or by an
// absolute cap for streamed files), every compact encoding is validated before it is
// adopted, and a failure reports the byte offset and a reason instead of crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/value.h"

namespace gannet {

// The RDB version this codec writes (Redis 7.0) and the newest it reads.
inline constexpr int kRdbVersion = 10;

// ---------------------------------------------------------------- sinks and sources

// Where encoded bytes go. Write returns false on failure (the writer then stops and
// reports error()).
class RdbSink {
 public:
  virtual ~RdbSink() = default;
  virtual bool Write(const void* data, size_t n) = 0;
  // Pushes buffered bytes to the destination (not fsync).
  virtual bool Flush() { return true; }
  // A description of the last failure ("" if none), e.g. "No space left on device".
  virtual std::string error() const { return {}; }
};

// Appends to a std::string (DUMP, tests).
class StringSink final : public RdbSink {
 public:
  StringSink() = default;
  bool Write(const void* data, size_t n) override {
    out_.append(static_cast<const char*>(data), n);
    return true;
  }
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Buffers writes to a file descriptor (one write(2) per buffer_size bytes). Does not own
// the fd. With fsync_every > 0 the file is fsynced every that many bytes written
// (rdb-save-incremental-fsync: Redis uses 4 MB). The caller fsyncs/closes at the end.
class FdSink final : public RdbSink {
 public:
  explicit FdSink(int fd, size_t buffer_size = size_t{1} << 20, uint64_t fsync_every = 0);
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

  bool Write(const void* data, size_t n) override;
  bool Flush() override;
  std::string error() const override { return error_; }
  // Bytes handed to Write so far.
  uint64_t bytes_written() const { return written_; }

 private:
  bool WriteOut(const char* p, size_t n);

  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t cap_;
  size_t len_ = 0;
  uint64_t fsync_every_;
  uint64_t since_fsync_ = 0;
  uint64_t written_ = 0;
  std::string error_;
};

// Where encoded bytes come from. Read fills up to n bytes and returns how many it gave;
// fewer than n only at the end of input or on error (then error() says which).
class RdbSource {
 public:
  virtual ~RdbSource() = default;
  virtual size_t Read(void* buf, size_t n) = 0;
  virtual std::string error() const { return {}; }
  // Bytes left, when known (a string, a regular file); -1 otherwise. The reader uses it to
  // bound length fields before allocating.
  virtual int64_t Remaining() const { return -1; }
};

// Reads from memory (RESTORE, tests). The bytes must outlive the source.
class StringSource final : public RdbSource {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  size_t Read(void* buf, size_t n) override;
  int64_t Remaining() const override { return static_cast<int64_t>(data_.size() - pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Reads from a file descriptor (not owned). When the fd is a regular file, Remaining() is
// derived from its size at construction.
class FdSource final : public RdbSource {
 public:
  explicit FdSource(int fd);
  size_t Read(void* buf, size_t n) override;
  std::string error() const override { return error_; }
  int64_t Remaining() const override;

 private:
  int fd_;
  int64_t size_ = -1;  // -1: not a regular file
  int64_t pos_ = 0;
  std::string error_;
};

// ---------------------------------------------------------------- writing

struct RdbOptions {
  bool compression = true;  // rdbcompression: LZF for strings longer than 20 bytes
  bool checksum = true;     // rdbchecksum: CRC64 trailer (0 when off)
  // Aux fields. redis-ver, redis-bits, ctime, used-mem and aof-base are always written
  // (ctime from now_ms); these add to them (e.g. repl-stream-db, repl-id, repl-offset).
  int64_t used_mem = 0;
  bool aof_base = false;  // "aof-base" aux value 1: the file is an AOF base (preamble)
  std::vector<std::pair<std::string, std::string>> extra_aux;
  // Written as the redis-ver aux field (what tools show; loaders ignore it).
  std::string redis_ver = "7.0.15";
  // WriteRdb calls this every 1024 keys with the keys written so far (a BGSAVE child
  // reports its progress and copy-on-write size from here). Unset: no call.
  std::function<void(uint64_t keys_written)> on_keys;
};

// Per-key metadata for WriteKey.
struct RdbKeyMeta {
  int64_t expire_ms = -1;   // absolute Unix ms; -1 = no TTL
  int64_t lru_idle_s = -1;  // >= 0: write an IDLE record
  int lfu_freq = -1;        // 0..255: write a FREQ record
};

// Writes one snapshot, record by record. Not thread-safe; every method returns false once
// a write failed (error() says why) and does nothing further.
class RdbWriter {
 public:
  RdbWriter(RdbSink& sink, const RdbOptions& options);
  ~RdbWriter();
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  // "REDIS0010" and the aux fields; now_ms gives ctime.
  bool Begin(int64_t now_ms);
  // SELECTDB db, then RESIZEDB with the table sizes (hints for the loader).
  bool SelectDb(int db, uint64_t keys, uint64_t expires);
  // One key in the current database.
  bool WriteKey(std::string_view key, const Value& value, const RdbKeyMeta& meta = {});
  // EOF and the CRC64 trailer, then Flush() of the sink.
  bool End();

  const std::string& error() const { return error_; }
  // Bytes produced so far.
  uint64_t bytes_written() const { return bytes_; }
  uint64_t keys_written() const { return keys_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
  uint64_t bytes_ = 0;
  uint64_t keys_ = 0;
};

// A whole snapshot of every non-empty database of ks: Begin(now_ms), SelectDb and
// WriteKey for each live key (Database::ForEach skips keys already expired), End().
// As Redis, each key gets an IDLE record (LRU idle seconds) when ks.memory_settings()'s
// policy is an lru one and a FREQ record (LFU counter) when it is an lfu one.
// Returns false with *error set when the sink failed.
bool WriteRdb(Keyspace& ks, int64_t now_ms, const RdbOptions& options, RdbSink& sink,
              std::string* error);

// ---------------------------------------------------------------- reading

// The encoding thresholds loaded values must respect (Config's *-max-* settings): a hash
// saved as a listpack with more entries than allowed is converted as Redis would.
struct RdbEncodingLimits {
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;

  static RdbEncodingLimits FromConfig(const Config& c);
};

struct RdbLoadOptions {
  RdbEncodingLimits limits;
  // Keys whose TTL passed before now_ms are not loaded (a master's load); false keeps them
  // (a replica's).
  bool drop_expired = true;
  // Verify the CRC64 trailer when it is non-zero (rdbchecksum).
  bool verify_checksum = true;
  // A key that already exists: false fails the load ("Duplicate key"), true replaces it.
  bool replace_existing = false;
  // LoadRdb calls this before each key it stores (expired ones included), between two
  // keys, with the bytes of input consumed so far: the keyspace is consistent then, so the
  // caller may serve clients (the startup load yields to the event loop here). Returning
  // false stops the load ("Loading aborted"). Unset: no call.
  std::function<bool(uint64_t bytes_parsed)> between_keys;
};

// Why a load failed: the byte offset (from the start of the input) where the problem was
// found and a reason, e.g. {1234, "Unknown RDB value type 42"} or {57, "Unexpected EOF"}.
struct RdbLoadError {
  uint64_t offset = 0;
  std::string message;
  std::string ToString() const;  // "<message> at offset <offset>"
};

struct RdbLoadInfo {
  int rdb_version = 0;
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;        // skipped because their TTL had passed
  uint64_t keys_skipped_empty = 0;  // empty collections (Redis skips them too)
  uint64_t bytes_read = 0;          // through the CRC trailer
  bool checksum_verified = false;
  std::vector<std::pair<std::string, std::string>> aux;  // every aux field, in file order
};

// One decoded key for ParseRdb's handler. The value may be moved from.
struct RdbKey {
  int db = 0;
  std::string_view key;
  Value value;
  int64_t expire_ms = -1;
  int64_t lru_idle_s = -1;
  int lfu_freq = -1;
  uint64_t offset = 0;  // bytes of the input consumed once this key was read
};
// Returns false to stop the parse (ParseRdb then fails with the message in *stop_reason,
// or "Stopped by the caller" when it is left empty).
using RdbKeyHandler = std::function<bool(RdbKey& key, std::string* stop_reason)>;

// Decodes a whole RDB from src, calling handler for each key (expired keys are passed
// too; the handler decides). Stops after the EOF opcode and its checksum (so an AOF with
// an RDB preamble can continue reading src after it). False with *err on failure.
bool ParseRdb(RdbSource& src, const RdbLoadOptions& options, const RdbKeyHandler& handler,
              RdbLoadError* err, RdbLoadInfo* info = nullptr);

// Loads an RDB into ks (whose databases must be numerous enough; a SELECTDB beyond them
// fails the load). On failure the keys read before the error stay in ks: load into a
// fresh Keyspace when the caller needs all-or-nothing (startup), or flush on failure.
// Entries get their TTL; FREQ records apply under an lfu policy of ks.memory_settings() and
// IDLE records under any other (Redis's objectSetLRUOrLFU).
bool LoadRdb(RdbSource& src, Keyspace& ks, int64_t now_ms, const RdbLoadOptions& options,
             RdbLoadError* err, RdbLoadInfo* info = nullptr);

// ---------------------------------------------------------------- DUMP / RESTORE

// DUMP's payload for v: its RDB type byte and value encoding, the 2-byte RDB version
// (little-endian) and the CRC64 of all that (little-endian). LZF applies as rdbcompression.
std::string DumpPayload(const Value& v, bool compression = true);

// RESTORE: checks version and CRC, then decodes the value into *out. On failure returns
// false with Redis's full error text (no leading '-') in *error: "ERR DUMP payload version
// or checksum are wrong" or "ERR Bad data format".
bool RestorePayload(std::string_view payload, Value* out, std::string* error,
                    const RdbEncodingLimits& limits = {});

}  // namespace gannet
