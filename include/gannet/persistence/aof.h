// The append-only file in Redis 7's multi-part layout:
//
//   <dir>/<appenddirname>/
//       <appendfilename>.manifest            which files make up the AOF, in order
//       <appendfilename>.<seq>.base.rdb      a snapshot (RDB, "aof-base" aux) or
//       <appendfilename>.<seq>.base.aof      the same as RESP commands (no preamble)
//       <appendfilename>.<seq>.incr.aof ...  commands written since that base
//
// Manifest lines are `file <name> seq <n> type <b|h|i>` (b base, h history: a file a
// finished rewrite replaced, deleted soon; i incremental), names quoted when they need it.
//
// This header holds the parts without a server: RESP encoding of commands, the manifest,
// the file names, the loader that replays an AOF through a callback (the server owns the
// dispatcher), the writer that appends and fsyncs by policy (with its background fsync
// thread), and the base-file writers a rewrite child uses.
//
//   engine thread                          fsync thread (AofWriter)
//   ─────────────                          ────────────
//   Propagate → Append (encode into buf_)
//   before replies: Flush → write(2) ───▶  once a second (everysec): fdatasync(fd)
//   rewrite: SwitchFile(new incr fd) ───▶  fdatasync + close(old fd)
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gannet/engine/keyspace.h"
#include "gannet/persistence/rdb.h"

namespace gannet {

using AofArgs = std::span<const std::string_view>;

enum class AofFsync : uint8_t { kAlways, kEverySec, kNo };
// "always", "everysec", "no" (case-insensitive); nullopt otherwise.
std::optional<AofFsync> ParseAofFsync(std::string_view s);

// ---------------------------------------------------------------- encoding

// Appends `*<n>\r\n` and `$<len>\r\n<arg>\r\n` per argument: the format every AOF file
// and redis-check-aof use.
void AppendRespCommand(std::string* out, AofArgs args);

// ---------------------------------------------------------------- manifest and names

enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncr;
  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> incrs;    // in replay order (ascending seq)
  std::vector<AofFileInfo> history;  // replaced by a rewrite; to delete
  int64_t base_seq = 0;              // highest base seq used so far
  int64_t incr_seq = 0;              // highest incr seq used so far

  // The manifest text: base, history, then incrs, one line each.
  std::string Format() const;
  // Parses a manifest. Errors use Redis's wording ("Invalid AOF manifest file format",
  // "Found duplicate base file information", "Found a non-monotonic sequence number",
  // "Found an empty AOF manifest", ...). Unknown keys on a line are ignored (newer
  // writers may add some), as Redis does.
  static bool Parse(std::string_view text, AofManifest* out, std::string* error);
};

std::string AofManifestName(std::string_view prefix);  // appendonly.aof.manifest
std::string AofBaseName(std::string_view prefix, int64_t seq, bool rdb);
std::string AofIncrName(std::string_view prefix, int64_t seq);  // appendonly.aof.3.incr.aof
std::string AofTempIncrName(std::string_view prefix);           // temp-appendonly.aof.incr
std::string AofTempManifestName(std::string_view prefix);       // temp-appendonly.aof.manifest
// The file a rewrite child writes before the parent renames it into place.
std::string AofTempRewriteName(pid_t child_pid);

// Writes the manifest atomically: a temp file in dir, fsync, rename over the manifest,
// fsync the directory. False with *error (strerror text) on failure.
bool WriteAofManifest(const std::string& dir, std::string_view prefix, const AofManifest& m,
                      std::string* error);

// ---------------------------------------------------------------- loading

// One replayed command. Return false with *error set to stop the load (unknown command).
using AofCommandFn = std::function<bool(AofArgs args, std::string* error)>;

struct AofLoadOptions {
  std::string dir;             // the AOF directory (dir/appenddirname)
  bool load_truncated = true;  // aof-load-truncated
  int64_t now_ms = 0;
  RdbLoadOptions rdb;
  // Between two commands (and two keys of an RDB preamble), with the bytes of the AOF
  // consumed so far over every file: the startup load serves clients here. False stops
  // the load (kAborted). Unset: no call.
  // rdb_key: the step is a key of an RDB preamble (else a command).
  std::function<bool(uint64_t bytes_done, bool rdb_key)> between;
};

enum class AofLoadStatus : uint8_t {
  kOk,        // loaded (possibly after trimming a truncated tail: see trimmed)
  kNotExist,  // no manifest and no files: start empty
  kEmpty,     // every file empty
  kFailed,    // refuse to start: *error says why (file and offset)
  kAborted,   // `between` asked to stop (shutdown during the load)
};

struct AofLoadResult {
  AofLoadStatus status = AofLoadStatus::kOk;
  std::string error;
  std::vector<std::string> warnings;  // to log (truncation, reverted MULTI)
  uint64_t commands = 0;
  uint64_t rdb_keys = 0;
  bool trimmed = false;
  uint64_t total_size = 0;  // bytes of every file loaded (aof_current_size)
  uint64_t base_size = 0;
};

// How one file's command stream ended.
struct AofStreamResult {
  enum Status : uint8_t { kOk, kTruncated, kBadFormat, kStopped, kIoError } status = kOk;
  uint64_t valid_up_to = 0;   // end of the last complete command (outside an open MULTI)
  uint64_t error_offset = 0;  // where the problem was found
  std::string message;
  uint64_t commands = 0;
};

// Replays the RESP command stream of fd from its current position (`start` bytes into the
// file) to EOF. MULTI ... EXEC blocks are passed through as they are; a block left open at
// EOF counts as truncated at the MULTI. Lines starting with '#' (annotations such as
// aof-timestamp-enabled's "#TS:") are skipped.
// `between`, when set, runs before each command with its offset; false stops the replay
// (kStopped, message "Loading aborted").
AofStreamResult ReplayAofStream(int fd, uint64_t start, const AofCommandFn& fn,
                                const std::function<bool(uint64_t offset)>& between = {});

// Loads the AOF the manifest describes: the base (RDB into ks, or commands), then each
// incr file. A truncated last file is trimmed (ftruncate) with a warning when
// load_truncated, else the load fails; truncation anywhere else and bad formats fail with
// the file name and offset.
AofLoadResult LoadAof(const AofManifest& m, const AofLoadOptions& options, Keyspace& ks,
                      const AofCommandFn& fn);

// ---------------------------------------------------------------- base files

// Writes ks as an RDB with the "aof-base" aux field (aof-use-rdb-preamble yes).
bool WriteAofBaseRdb(Keyspace& ks, int64_t now_ms, RdbOptions options, int fd, uint64_t fsync_every,
                     std::string* error);
// Writes ks as RESP commands that rebuild it (aof-use-rdb-preamble no): SELECT, then per
// key SET/RPUSH/SADD/ZADD/HSET/XADD... and PEXPIREAT for keys with a TTL.
bool WriteAofBaseCommands(Keyspace& ks, int64_t now_ms, int fd, uint64_t fsync_every,
                          std::string* error);

// ---------------------------------------------------------------- writer

struct AofWriterStats {
  bool last_write_ok = true;
  int last_write_errno = 0;
  // The last failed write wrote only part of the buffer (then errno is ENOSPC, as
  // Redis reports a short write): how much, of how much.
  uint64_t last_short_write = 0;
  uint64_t last_short_write_expected = 0;
  uint64_t delayed_fsync = 0;  // aof_delayed_fsync
  uint64_t current_size = 0;   // bytes in the current incr file
  uint64_t written_total = 0;  // bytes written since start (for tests and stats)
};

// Appends encoded commands to the current incr file. All methods except the fsync
// thread's own run on the engine thread.
class AofWriter {
 public:
  AofWriter();
  ~AofWriter();
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  void set_fsync(AofFsync f) { fsync_ = f; }
  AofFsync fsync() const { return fsync_; }
  void set_timestamps(bool on) { timestamps_ = on; }
  // no-appendfsync-on-rewrite: while set, everysec and always do not fsync.
  void set_fsync_suspended(bool yes) { fsync_suspended_ = yes; }

  // Starts appending to fd (taking ownership; its size is `size`). The previous file is
  // fsynced and closed by the background thread. The next command starts with SELECT.
  void SwitchFile(int fd, uint64_t size);
  bool is_open() const { return fd_ >= 0; }

  // Encodes one command for database db (SELECT first when the db changes).
  void Append(int db, AofArgs args);
  // Encodes a command with no database (MULTI/EXEC) as it is.
  void AppendPlain(AofArgs args);
  bool has_pending() const { return !buf_.empty(); }
  size_t pending_bytes() const { return buf_.size(); }

  // Writes the buffer (Redis's flushAppendOnlyFile). Under everysec a write is postponed
  // while a background fsync is still running, for at most 2 s, then forced (counted in
  // delayed_fsync). always: write and fdatasync here. Returns false when the write or
  // (always) the fsync failed; the data stays buffered and is retried.
  bool Flush(bool force, int64_t now_ms);
  // Once per cron tick: retries a failed or postponed write and, under everysec, asks for
  // the fsync of data written more than a second ago.
  void Cron(int64_t now_ms);
  // Writes everything and fsyncs now (shutdown, appendonly no, before a rewrite).
  bool FlushAndSync(std::string* error);
  // Flush + fsync, then closes the file (waits for the background thread first).
  void Close();

  // A fatal condition under `always` (replies can't be un-sent): the server must exit.
  bool fatal() const { return fatal_; }
  const AofWriterStats& stats() const { return stats_; }
  // Background fsyncs queued or running (aof_pending_bio_fsync).
  uint64_t pending_fsyncs() const { return pending_fsyncs_.load(std::memory_order_relaxed); }
  // The errno of the last background fsync when it failed, 0 once one succeeds (Redis's
  // aof_bio_fsync_status: writes are refused meanwhile).
  int fsync_errno() const { return fsync_errno_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    int fd;
    bool close;
  };
  void ThreadMain();
  void Submit(Job job);
  void WaitIdle();
  void MaybeTimestamp(int64_t now_ms);

  int fd_ = -1;
  std::string buf_;
  int selected_db_ = -1;
  AofFsync fsync_ = AofFsync::kEverySec;
  bool timestamps_ = false;
  int64_t last_ts_s_ = -1;
  bool fsync_suspended_ = false;
  bool fatal_ = false;
  int64_t postponed_since_ms_ = 0;
  int64_t last_fsync_ms_ = 0;
  uint64_t unsynced_bytes_ = 0;  // written but not yet handed to an fsync
  AofWriterStats stats_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> jobs_;
  bool running_job_ = false;
  bool stop_ = false;
  std::atomic<uint64_t> pending_fsyncs_{0};
  std::atomic<int> fsync_errno_{0};
  std::thread thread_;
};

}  // namespace gannet
