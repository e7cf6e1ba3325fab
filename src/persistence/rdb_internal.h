// Pieces the RDB writer, the reader and DUMP/RESTORE share: the format's constants and
// the value encoder (which appends to a string the writer flushes to its sink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gannet/common/lzf.h"
#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet::rdb_internal {

// Value types (the byte before each key). 7.0 writes 0, 2, 4, 5, 11, 16, 17, 18, 19.
enum RdbType : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModulePre = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
};

// Opcodes between keys.
enum RdbOpcode : uint8_t {
  kOpFunction2 = 245,
  kOpFunctionPreGa = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Length encoding: the two top bits of the first byte.
inline constexpr uint8_t kLen6 = 0;
inline constexpr uint8_t kLen14 = 1;
inline constexpr uint8_t kLen32 = 0x80;
inline constexpr uint8_t kLen64 = 0x81;
inline constexpr uint8_t kEncVal = 3;  // "special" string encodings follow
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistPlain = 1;
inline constexpr uint64_t kQuicklistPacked = 2;

// Stream listpack entry flags.
inline constexpr int64_t kStreamItemDeleted = 1;
inline constexpr int64_t kStreamItemSameFields = 2;

// Appends RDB encodings to `out`. Long values call flush(ctx) between elements once out
// passes flush_at bytes, so a huge collection never sits whole in memory. `lzf` is the
// compressor's table, or null for this thread's own.
class Encoder {
 public:
  using FlushFn = bool (*)(void* ctx);
  Encoder(std::string* out, bool compress, LzfScratch* lzf)
      : out_(out), compress_(compress), lzf_(lzf) {}
  void set_flush(FlushFn fn, void* ctx, size_t at) {
    flush_ = fn;
    flush_ctx_ = ctx;
    flush_at_ = at;
  }

  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Raw(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }
  void Len(uint64_t len);
  void U64Le(uint64_t v);
  void BinaryDouble(double d);
  // rdbSaveRawString: small canonical integers as INT8/16/32, long strings LZF-compressed
  // when that saves at least 4 bytes and compression is on, else length + bytes.
  void String(std::string_view s);
  // A string already LZF-compressed (a compressed list node): raw_len bytes once inflated.
  void LzfString(std::string_view compressed, size_t raw_len);
  void StringInt(int64_t v);
  // A listpack as the string Redis writes: its serialized block (header, entries, 0xFF),
  // rebuilt from the in-memory body in a reused scratch buffer.
  void ListpackBlob(const Listpack& lp);
  // The type byte of v and its encoding.
  static uint8_t TypeOf(const Value& v);
  // Encodes v's body (not the type byte). False only when a flush failed.
  bool Object(const Value& v);

 private:
  bool MaybeFlush() {
    if (flush_ == nullptr || out_->size() < flush_at_) return true;
    return flush_(flush_ctx_);
  }
  bool Stream(const Value& v);

  std::string* out_;
  bool compress_;
  LzfScratch* lzf_;
  std::string lzf_buf_;
  std::string lp_buf_;
  FlushFn flush_ = nullptr;
  void* flush_ctx_ = nullptr;
  size_t flush_at_ = 0;
};

}  // namespace gannet::rdb_internal
