// The RDB reader: a buffered, checksumming input over an RdbSource, the value decoder for
// every type and encoding Redis 7.0 writes or still loads (down to zipmaps and ziplists),
// ParseRdb/LoadRdb for whole files and RestorePayload for RESTORE.
//
// Everything read is untrusted. Lengths are checked against the bytes left before
// anything is allocated (or, for a source of unknown size, strings grow as their bytes
// actually arrive), counts reserve at most what the input could hold, compact encodings
// are validated before they are adopted (listpacks by Listpack::FromBytes, ziplists,
// zipmaps and intsets here), and collections are checked for what the engine relies on:
// no duplicate members, sorted sorted sets, consistent stream metadata and PELs.
#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/common/crc64.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/listpack.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/stream_object.h"
#include "gannet/engine/zset_object.h"
#include "gannet/persistence/rdb.h"
#include "rdb_internal.h"

namespace gannet {
namespace rdb_internal {
namespace {

constexpr size_t kBufferSize = size_t{1} << 20;
// Strings from a source of unknown size grow in steps of this much as bytes arrive.
constexpr size_t kGrowStep = size_t{16} << 20;

uint64_t LoadLe(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

uint64_t LoadBe(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

// An element of a ziplist/listpack as text; integers are formatted into buf.
std::string_view ElemText(const Listpack::Element& e, char (&buf)[24]) {
  if (!e.is_int) return e.str;
  return {buf, FormatInt64(e.ival, buf)};
}

bool ElemInt(const Listpack::Element& e, int64_t* out) {
  if (e.is_int) {
    *out = e.ival;
    return true;
  }
  return IsCanonicalInt64(e.str, out);
}

// (score, member) order of sorted sets.
int CompareZ(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1.compare(m2);
}

// Checks that a list of strings has no duplicates. Integers are formatted into `arena`
// (reserved up front so views stay valid).
class DupChecker {
 public:
  explicit DupChecker(size_t n) {
    views_.reserve(n);
    arena_.reserve(n * 21);
  }
  void Add(const Listpack::Element& e) {
    if (!e.is_int) {
      views_.push_back(e.str);
      return;
    }
    char buf[24];
    const size_t n = FormatInt64(e.ival, buf);
    const size_t at = arena_.size();
    arena_.append(buf, n);
    views_.emplace_back(arena_.data() + at, n);
  }
  bool HasDuplicates() {
    // Views into arena_ were taken while it had its reserved capacity: still valid.
    std::sort(views_.begin(), views_.end());
    return std::adjacent_find(views_.begin(), views_.end()) != views_.end();
  }

 private:
  std::vector<std::string_view> views_;
  std::string arena_;
};

// Walks a ziplist (Redis < 7.0's compact list), validating as it goes. fn(Element) for
// each entry. False when malformed.
template <typename Fn>
bool ForEachZiplistEntry(std::string_view zl, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(zl.data());
  const size_t n = zl.size();
  constexpr size_t kHeader = 10;
  if (n < kHeader + 1) return false;
  if (LoadLe(p, 4) != n || LoadLe(p + 4, 4) >= n || p[n - 1] != 0xff) return false;
  const size_t declared = LoadLe(p + 8, 2);
  size_t pos = kHeader;
  size_t count = 0;
  size_t prev_len = 0;
  while (pos < n - 1) {
    const size_t start = pos;
    // prevlen: 1 byte, or 0xFE and 4 bytes.
    size_t prevlen;
    if (p[pos] < 254) {
      prevlen = p[pos];
      pos += 1;
    } else if (p[pos] == 254) {
      if (n - 1 - pos < 5) return false;
      prevlen = LoadLe(p + pos + 1, 4);
      pos += 5;
    } else {
      return false;
    }
    if (prevlen != prev_len) return false;
    if (pos >= n - 1) return false;
    const unsigned char enc = p[pos];
    Listpack::Element e;
    size_t data_len = 0;
    size_t hdr = 1;
    switch (enc >> 6) {
      case 0:
        data_len = enc & 0x3f;
        break;
      case 1:
        if (n - 1 - pos < 2) return false;
        data_len = (size_t{enc & 0x3fu} << 8) | p[pos + 1];
        hdr = 2;
        break;
      case 2:
        if (enc != 0x80 || n - 1 - pos < 5) return false;
        data_len = LoadBe(p + pos + 1, 4);
        hdr = 5;
        break;
      default: {
        e.is_int = true;
        if (enc == 0xc0) {
          data_len = 2;
        } else if (enc == 0xd0) {
          data_len = 4;
        } else if (enc == 0xe0) {
          data_len = 8;
        } else if (enc == 0xf0) {
          data_len = 3;
        } else if (enc == 0xfe) {
          data_len = 1;
        } else if (enc >= 0xf1 && enc <= 0xfd) {
          data_len = 0;
          e.ival = (enc & 0x0f) - 1;
        } else {
          return false;
        }
      }
    }
    pos += hdr;
    if (data_len > n - 1 - pos) return false;
    if (e.is_int && data_len > 0) {
      const uint64_t raw = LoadLe(p + pos, data_len);
      const unsigned shift = static_cast<unsigned>(64 - 8 * data_len);
      e.ival = static_cast<int64_t>(raw << shift) >> shift;  // sign-extend
    } else if (!e.is_int) {
      e.str = std::string_view(reinterpret_cast<const char*>(p + pos), data_len);
    }
    pos += data_len;
    prev_len = pos - start;
    ++count;
    fn(e);
  }
  if (pos != n - 1) return false;
  if (declared != 0xffff && declared != count) return false;
  return true;
}

// Walks a zipmap (the hash encoding of Redis < 2.6): fn(field, value).
template <typename Fn>
bool ForEachZipmapPair(std::string_view zm, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(zm.data());
  const size_t n = zm.size();
  if (n < 2 || p[n - 1] != 0xff) return false;
  size_t pos = 1;  // p[0] is the (capped) count
  auto read_len = [&](size_t* len) {
    if (pos >= n - 1) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] != 254 || n - 1 - pos < 5) return false;
    *len = LoadLe(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  while (pos < n - 1) {
    size_t flen, vlen;
    if (!read_len(&flen) || flen > n - 1 - pos) return false;
    std::string_view field(reinterpret_cast<const char*>(p + pos), flen);
    pos += flen;
    if (!read_len(&vlen) || pos >= n - 1) return false;
    const size_t free = p[pos++];
    if (vlen > n - 1 - pos || free > n - 1 - pos - vlen) return false;
    std::string_view value(reinterpret_cast<const char*>(p + pos), vlen);
    pos += vlen + free;
    fn(field, value);
  }
  return pos == n - 1;
}

}  // namespace

// Buffered input with the running CRC64 and the absolute offset of every byte.
class Reader {
 public:
  Reader(RdbSource& src, bool track_crc) : src_(src), track_crc_(track_crc) {
    const int64_t rem = src.Remaining();
    cap_ = kBufferSize;
    if (rem >= 0 && static_cast<uint64_t>(rem) < cap_) cap_ = std::max<size_t>(64, rem);
    buf_ = std::make_unique<char[]>(cap_);
  }

  uint64_t offset() const { return base_ + pos_; }
  const std::string& error() const { return msg_; }
  uint64_t error_offset() const { return err_off_; }

  bool Fail(std::string msg) { return FailAt(offset(), std::move(msg)); }
  bool FailAt(uint64_t off, std::string msg) {
    if (msg_.empty()) {
      msg_ = std::move(msg);
      err_off_ = off;
    }
    return false;
  }

  // Bytes certainly left (buffered + what the source says); UINT64_MAX when unknown.
  uint64_t Left() const {
    const int64_t rem = src_.Remaining();
    if (rem < 0) return UINT64_MAX;
    return (end_ - pos_) + static_cast<uint64_t>(rem);
  }
  // Fails unless `n` items of at least `each` bytes could still be in the input.
  bool CheckCount(uint64_t n, uint64_t each, const char* what) {
    const uint64_t left = Left();
    if (left == UINT64_MAX) return true;
    if (each == 0) each = 1;
    if (n > left / each) {
      return Fail(std::string(what) + " count " + std::to_string(n) +
                  " exceeds the remaining input");
    }
    return true;
  }

  bool ReadByte(uint8_t* b) {
    if (pos_ == end_ && !Fill(1)) return false;
    *b = static_cast<uint8_t>(buf_[pos_++]);
    return true;
  }

  bool ReadExact(void* out, size_t n) {
    if (n <= cap_) {
      if (end_ - pos_ < n && !Fill(n)) return false;
      std::memcpy(out, buf_.get() + pos_, n);
      pos_ += n;
      return true;
    }
    return ReadLarge(static_cast<char*>(out), n);
  }

  bool ReadLe(uint64_t* v, size_t n) {
    unsigned char b[8];
    if (!ReadExact(b, n)) return false;
    *v = LoadLe(b, n);
    return true;
  }

  // A length, or with *encoded a special string encoding (INT8/16/32/LZF) in *len.
  bool ReadLen(uint64_t* len, bool* encoded) {
    uint8_t b;
    if (!ReadByte(&b)) return false;
    *encoded = false;
    switch (b >> 6) {
      case kLen6:
        *len = b & 0x3f;
        return true;
      case kLen14: {
        uint8_t b2;
        if (!ReadByte(&b2)) return false;
        *len = (uint64_t{b & 0x3fu} << 8) | b2;
        return true;
      }
      case kEncVal:
        *encoded = true;
        *len = b & 0x3f;
        return true;
      default: {
        unsigned char w[8];
        if (b == kLen32) {
          if (!ReadExact(w, 4)) return false;
          *len = LoadBe(w, 4);
          return true;
        }
        if (b == kLen64) {
          if (!ReadExact(w, 8)) return false;
          *len = LoadBe(w, 8);
          return true;
        }
        return Fail("Unknown length encoding " + std::to_string(b));
      }
    }
  }

  bool ReadLength(uint64_t* len) {
    bool enc;
    if (!ReadLen(len, &enc)) return false;
    if (enc) return Fail("Unexpected string encoding where a length was expected");
    return true;
  }

  // A string. *out may point into the input buffer (valid until the next read) or into
  // *scratch.
  bool ReadString(std::string_view* out, std::string* scratch) {
    uint64_t len;
    bool enc;
    if (!ReadLen(&len, &enc)) return false;
    if (enc) {
      if (len == kEncInt8 || len == kEncInt16 || len == kEncInt32) {
        const size_t n = len == kEncInt8 ? 1 : len == kEncInt16 ? 2 : 4;
        uint64_t raw;
        if (!ReadLe(&raw, n)) return false;
        const unsigned shift = static_cast<unsigned>(64 - 8 * n);
        const int64_t v = static_cast<int64_t>(raw << shift) >> shift;
        scratch->resize(24);
        scratch->resize(FormatInt64(v, scratch->data()));
        *out = *scratch;
        return true;
      }
      if (len == kEncLzf) return ReadLzf(out, scratch);
      return Fail("Unknown RDB string encoding type " + std::to_string(len));
    }
    if (len <= end_ - pos_) {
      *out = std::string_view(buf_.get() + pos_, len);
      pos_ += len;
      return true;
    }
    if (len > Left()) return Fail("String length " + std::to_string(len) + " exceeds the input");
    if (len <= cap_ / 2) {
      if (!Fill(len)) return false;
      *out = std::string_view(buf_.get() + pos_, len);
      pos_ += len;
      return true;
    }
    if (len > Value::kMaxStringSize) return Fail("String too long");
    scratch->clear();
    if (!ReadLargeInto(scratch, len)) return false;
    *out = *scratch;
    return true;
  }

  // Reads the CRC trailer position: everything before the current offset is checksummed.
  uint64_t CrcSoFar() {
    if (track_crc_) {
      crc_ = Crc64(crc_, buf_.get() + crc_from_, pos_ - crc_from_);
      crc_from_ = pos_;
    }
    return crc_;
  }

 private:
  bool ReadLzf(std::string_view* out, std::string* scratch) {
    uint64_t clen, len;
    if (!ReadLength(&clen) || !ReadLength(&len)) return false;
    if (clen == 0 || len == 0) return Fail("Bad LZF lengths");
    if (clen > Left()) return Fail("LZF length " + std::to_string(clen) + " exceeds the input");
    // A back-reference (3 bytes at most) yields at most 264 bytes: anything claiming more
    // than 88x is corrupt, whatever the allocator would say.
    if (len / 88 > clen || len > Value::kMaxStringSize) {
      return Fail("LZF uncompressed length " + std::to_string(len) + " is impossible");
    }
    std::string_view comp;
    std::string comp_buf;
    if (clen <= end_ - pos_ || (clen <= cap_ / 2 && Fill(clen))) {
      comp = std::string_view(buf_.get() + pos_, clen);
      pos_ += clen;
    } else {
      if (!msg_.empty()) return false;
      if (!ReadLargeInto(&comp_buf, clen)) return false;
      comp = comp_buf;
    }
    scratch->resize(len);
    if (!LzfDecompress(comp.data(), comp.size(), scratch->data(), len)) {
      return Fail("Invalid LZF compressed string");
    }
    *out = *scratch;
    return true;
  }

  // Makes at least n bytes available at pos_ (n <= cap_).
  bool Fill(size_t n) {
    if (end_ - pos_ >= n) return true;
    if (track_crc_) crc_ = Crc64(crc_, buf_.get() + crc_from_, pos_ - crc_from_);
    const size_t keep = end_ - pos_;
    if (keep > 0 && pos_ > 0) std::memmove(buf_.get(), buf_.get() + pos_, keep);
    base_ += pos_;
    pos_ = 0;
    end_ = keep;
    crc_from_ = 0;
    while (end_ < n && !eof_) {
      const size_t r = src_.Read(buf_.get() + end_, cap_ - end_);
      if (r < cap_ - end_) eof_ = true;
      end_ += r;
    }
    if (end_ < n) {
      const std::string e = src_.error();
      pos_ = end_;  // report the offset where the input ended
      return Fail(e.empty() ? "Unexpected EOF" : "Read error: " + e);
    }
    return true;
  }

  // Reads n bytes bypassing the buffer (after draining it).
  bool ReadLarge(char* out, size_t n) {
    const size_t have = end_ - pos_;
    std::memcpy(out, buf_.get() + pos_, have);
    pos_ = end_;
    if (track_crc_) crc_ = Crc64(crc_, buf_.get() + crc_from_, pos_ - crc_from_);
    base_ += end_;
    pos_ = end_ = crc_from_ = 0;
    const size_t want = n - have;
    const size_t r = eof_ ? 0 : src_.Read(out + have, want);
    if (track_crc_) crc_ = Crc64(crc_, out + have, r);
    base_ += r;
    if (r < want) {
      eof_ = true;
      const std::string e = src_.error();
      return Fail(e.empty() ? "Unexpected EOF" : "Read error: " + e);
    }
    return true;
  }

  // Appends n bytes to *s, growing it only as the bytes arrive when the input size is
  // unknown (a bogus length then fails at EOF without a huge allocation).
  bool ReadLargeInto(std::string* s, uint64_t n) {
    const bool known = Left() != UINT64_MAX;
    while (n > 0) {
      const size_t step = known ? n : std::min<uint64_t>(n, kGrowStep);
      const size_t at = s->size();
      s->resize(at + step);
      if (!ReadLarge(s->data() + at, step)) return false;
      n -= step;
    }
    return true;
  }

  RdbSource& src_;
  bool track_crc_;
  std::unique_ptr<char[]> buf_;
  size_t cap_;
  size_t pos_ = 0;
  size_t end_ = 0;
  size_t crc_from_ = 0;
  uint64_t base_ = 0;  // offset of buf_[0]
  bool eof_ = false;
  uint64_t crc_ = 0;
  std::string msg_;
  uint64_t err_off_ = 0;
};

// Decodes one value of a given RDB type into a Value built with the engine's types.
class ValueLoader {
 public:
  ValueLoader(Reader& r, const RdbEncodingLimits& limits) : r_(r), limits_(limits) {
    hash_limits_ = {limits.hash_max_listpack_entries, limits.hash_max_listpack_value};
    zset_limits_.max_entries =
        static_cast<size_t>(std::max<int64_t>(0, limits.zset_max_listpack_entries));
    zset_limits_.max_value =
        static_cast<size_t>(std::max<int64_t>(0, limits.zset_max_listpack_value));
  }

  // False on error (reported through the reader). *empty: the value had no elements (the
  // key is skipped when loading a file, refused by RESTORE).
  bool Load(uint8_t type, Value* out, bool* empty) {
    *empty = false;
    switch (type) {
      case kTypeString: {
        std::string_view s;
        if (!r_.ReadString(&s, &s1_)) return false;
        *out = Value::String(s);
        return true;
      }
      case kTypeList:
        return LoadPlainList(out, empty);
      case kTypeListZiplist:
        return LoadZiplistList(out, empty);
      case kTypeListQuicklist:
      case kTypeListQuicklist2:
        return LoadQuicklist(type, out, empty);
      case kTypeSet:
        return LoadPlainSet(out, empty);
      case kTypeSetIntset:
        return LoadIntset(out, empty);
      case kTypeZSet:
      case kTypeZSet2:
        return LoadPlainZSet(type, out, empty);
      case kTypeZSetZiplist:
      case kTypeZSetListpack:
        return LoadCompactZSet(type, out, empty);
      case kTypeHash:
        return LoadPlainHash(out, empty);
      case kTypeHashZipmap:
      case kTypeHashZiplist:
      case kTypeHashListpack:
        return LoadCompactHash(type, out, empty);
      case kTypeStreamListpacks:
      case kTypeStreamListpacks2:
        return LoadStream(type, out);
      case kTypeModulePre:
      case kTypeModule2:
        return r_.Fail("Module values are not supported");
      default:
        return r_.Fail("Unknown RDB value type " + std::to_string(type));
    }
  }

 private:
  // --- lists ---
  // (Sets, sorted sets and hashes are built as values and moved into their Value with
  // Value::Object; a list is a heap object.)
  std::unique_ptr<ListObject> NewList() {
    return std::make_unique<ListObject>(limits_.list_max_listpack_size,
                                        limits_.list_compress_depth);
  }
  static Value ListValue(std::unique_ptr<ListObject> l) {
    return Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(l));
  }

  bool LoadPlainList(Value* out, bool* empty) {
    uint64_t n;
    if (!r_.ReadLength(&n) || !r_.CheckCount(n, 1, "List")) return false;
    auto l = NewList();
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view s;
      if (!r_.ReadString(&s, &s1_)) return false;
      l->PushBack(s);
    }
    *empty = l->empty();
    *out = ListValue(std::move(l));
    return true;
  }

  bool LoadZiplistList(Value* out, bool* empty) {
    std::string_view blob;
    if (!r_.ReadString(&blob, &s1_)) return false;
    auto l = NewList();
    if (!AppendZiplist(blob, l.get())) return false;
    *empty = l->empty();
    *out = ListValue(std::move(l));
    return true;
  }

  bool AppendZiplist(std::string_view blob, ListObject* l) {
    char buf[24];
    if (!ForEachZiplistEntry(blob,
                             [&](const Listpack::Element& e) { l->PushBack(ElemText(e, buf)); })) {
      return r_.Fail("Ziplist integrity check failed");
    }
    return true;
  }

  bool LoadQuicklist(uint8_t type, Value* out, bool* empty) {
    uint64_t nodes;
    if (!r_.ReadLength(&nodes) || !r_.CheckCount(nodes, 2, "Quicklist node")) return false;
    auto l = NewList();
    for (uint64_t i = 0; i < nodes; ++i) {
      uint64_t container = kQuicklistPacked;
      if (type == kTypeListQuicklist2) {
        if (!r_.ReadLength(&container)) return false;
        if (container != kQuicklistPacked && container != kQuicklistPlain) {
          return r_.Fail("Quicklist integrity check failed: unknown container");
        }
      }
      std::string_view blob;
      if (!r_.ReadString(&blob, &s1_)) return false;
      if (container == kQuicklistPlain) {
        l->PushBack(blob);
        continue;
      }
      if (type == kTypeListQuicklist) {
        if (!AppendZiplist(blob, l.get())) return false;
        continue;
      }
      std::optional<Listpack> lp = Listpack::FromBytes(blob);
      if (!lp) return r_.Fail("Listpack integrity check failed");
      if (lp->empty()) continue;  // Redis skips empty nodes too
      if (l->AppendNode(*lp)) continue;
      // The node is bigger than this server's list-max-listpack-size allows: re-split.
      char buf[24];
      for (Listpack::Pos p = lp->First(); p != Listpack::kNone; p = lp->Next(p)) {
        l->PushBack(ElemText(lp->Get(p), buf));
      }
    }
    *empty = l->empty();
    *out = ListValue(std::move(l));
    return true;
  }

  // --- sets ---
  bool LoadPlainSet(Value* out, bool* empty) {
    uint64_t n;
    if (!r_.ReadLength(&n) || !r_.CheckCount(n, 1, "Set")) return false;
    SetObject s;
    const int64_t max = limits_.set_max_intset_entries;
    if (n > static_cast<uint64_t>(std::max<int64_t>(max, 0))) s.ConvertToHashtable();
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view m;
      if (!r_.ReadString(&m, &s1_)) return false;
      if (!s.Add(m, max)) return r_.Fail("Duplicate set members detected");
    }
    *empty = s.empty();
    *out = Value::Object(std::move(s));
    return true;
  }

  bool LoadIntset(Value* out, bool* empty) {
    std::string_view blob;
    if (!r_.ReadString(&blob, &s1_)) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    if (blob.size() < 8) return r_.Fail("Intset integrity check failed");
    const uint64_t width = LoadLe(p, 4);
    const uint64_t count = LoadLe(p + 4, 4);
    if ((width != 2 && width != 4 && width != 8) || count > (blob.size() - 8) / width ||
        8 + count * width != blob.size()) {
      return r_.Fail("Intset integrity check failed");
    }
    SetObject s;
    const int64_t max = limits_.set_max_intset_entries;
    if (count > static_cast<uint64_t>(std::max<int64_t>(max, 0))) s.ConvertToHashtable();
    char buf[24];
    int64_t prev = 0;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t raw = LoadLe(p + 8 + i * width, width);
      const unsigned shift = static_cast<unsigned>(64 - 8 * width);
      const int64_t v = static_cast<int64_t>(raw << shift) >> shift;
      if (i > 0 && v <= prev) return r_.Fail("Intset integrity check failed: not sorted");
      prev = v;
      s.Add(std::string_view(buf, FormatInt64(v, buf)), max);
    }
    *empty = s.empty();
    *out = Value::Object(std::move(s));
    return true;
  }

  // --- sorted sets ---
  bool ReadStringScore(double* score) {
    uint8_t len;
    if (!r_.ReadByte(&len)) return false;
    if (len == 253) return r_.Fail("Zset with NAN score detected");
    if (len == 254) {
      *score = HUGE_VAL;
      return true;
    }
    if (len == 255) {
      *score = -HUGE_VAL;
      return true;
    }
    char buf[256];
    if (!r_.ReadExact(buf, len)) return false;
    std::optional<double> d = ParseDouble(std::string_view(buf, len));
    if (!d) return r_.Fail("Bad zset score");
    *score = *d;
    return true;
  }

  bool LoadPlainZSet(uint8_t type, Value* out, bool* empty) {
    uint64_t n;
    if (!r_.ReadLength(&n) || !r_.CheckCount(n, type == kTypeZSet2 ? 9 : 2, "Zset")) {
      return false;
    }
    ZSetObject z(/*big=*/n > zset_limits_.max_entries);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view m;
      if (!r_.ReadString(&m, &s1_)) return false;
      // The member view may point into the input buffer: read the score into a copy.
      s2_.assign(m);
      double score = 0;
      if (type == kTypeZSet2) {
        uint64_t bits;
        if (!r_.ReadLe(&bits, 8)) return false;
        score = std::bit_cast<double>(bits);
        if (std::isnan(score)) return r_.Fail("Zset with NAN score detected");
      } else if (!ReadStringScore(&score)) {
        return false;
      }
      const size_t before = z.size();
      z.Insert(s2_, score, zset_limits_);
      if (z.size() == before) return r_.Fail("Duplicate zset fields detected");
    }
    if (!z.is_listpack()) z.ShrinkIfFits(zset_limits_);
    *empty = z.empty();
    *out = Value::Object(std::move(z));
    return true;
  }

  bool LoadCompactZSet(uint8_t type, Value* out, bool* empty) {
    std::string_view blob;
    if (!r_.ReadString(&blob, &s1_)) return false;
    std::optional<Listpack> lp;
    if (type == kTypeZSetListpack) {
      lp = Listpack::FromBytes(blob);
      if (!lp) return r_.Fail("Zset listpack integrity check failed");
    } else {
      lp.emplace();
      if (!ForEachZiplistEntry(blob, [&](const Listpack::Element& e) {
            if (e.is_int) {
              lp->AppendInt(e.ival);
            } else {
              lp->Append(e.str);
            }
          })) {
        return r_.Fail("Zset ziplist integrity check failed");
      }
    }
    return ZSetFromListpack(std::move(*lp), out, empty);
  }

  bool ZSetFromListpack(Listpack lp, Value* out, bool* empty) {
    if (lp.size() % 2 != 0) return r_.Fail("Zset listpack integrity check failed: odd count");
    *empty = lp.empty();
    const size_t pairs = lp.size() / 2;
    DupChecker dups(pairs);
    bool long_member = false;
    char buf[24];
    char prev_buf[24];
    std::string_view prev_member;
    double prev_score = 0;
    for (Listpack::Pos p = lp.First(); p != Listpack::kNone;) {
      const Listpack::Pos sp = lp.Next(p);
      const Listpack::Element me = lp.Get(p);
      const Listpack::Element se = lp.Get(sp);
      double score = 0;
      if (se.is_int) {
        score = static_cast<double>(se.ival);
      } else {
        std::optional<double> d = ParseDouble(se.str);
        if (!d) return r_.Fail("Zset listpack integrity check failed: bad score");
        score = *d;
      }
      const std::string_view member = ElemText(me, buf);
      if (member.size() > zset_limits_.max_value) long_member = true;
      if (p != lp.First() && CompareZ(prev_score, prev_member, score, member) >= 0) {
        return r_.Fail("Zset listpack integrity check failed: not sorted");
      }
      dups.Add(me);
      prev_score = score;
      if (me.is_int) {
        std::memcpy(prev_buf, buf, member.size());
        prev_member = std::string_view(prev_buf, member.size());
      } else {
        prev_member = member;
      }
      p = lp.Next(sp);
    }
    if (dups.HasDuplicates()) return r_.Fail("Duplicate zset fields detected");
    if (pairs > zset_limits_.max_entries || long_member) {
      ZSetObject z(/*big=*/true);
      for (Listpack::Pos p = lp.First(); p != Listpack::kNone;) {
        const Listpack::Pos sp = lp.Next(p);
        const Listpack::Element se = lp.Get(sp);
        const double score =
            se.is_int ? static_cast<double>(se.ival) : ParseDouble(se.str).value_or(0);
        z.Insert(ElemText(lp.Get(p), buf), score, zset_limits_);
        p = lp.Next(sp);
      }
      *out = Value::Object(std::move(z));
      return true;
    }
    ZSetObject z(/*big=*/false);
    z.AdoptListpack(std::move(lp));
    *out = Value::Object(std::move(z));
    return true;
  }

  // --- hashes ---
  bool LoadPlainHash(Value* out, bool* empty) {
    uint64_t n;
    if (!r_.ReadLength(&n) || !r_.CheckCount(n, 2, "Hash")) return false;
    HashObject h;
    if (n > static_cast<uint64_t>(std::max<int64_t>(hash_limits_.max_listpack_entries, 0))) {
      h.ConvertToHashtable();
    }
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view f, v;
      if (!r_.ReadString(&f, &s1_)) return false;
      s2_.assign(f);
      if (!r_.ReadString(&v, &s1_)) return false;
      if (!h.Set(s2_, v, hash_limits_)) return r_.Fail("Duplicate hash fields detected");
    }
    *empty = h.empty();
    *out = Value::Object(std::move(h));
    return true;
  }

  bool LoadCompactHash(uint8_t type, Value* out, bool* empty) {
    std::string_view blob;
    if (!r_.ReadString(&blob, &s1_)) return false;
    std::optional<Listpack> lp;
    if (type == kTypeHashListpack) {
      lp = Listpack::FromBytes(blob);
      if (!lp) return r_.Fail("Hash listpack integrity check failed");
    } else if (type == kTypeHashZiplist) {
      lp.emplace();
      if (!ForEachZiplistEntry(blob, [&](const Listpack::Element& e) {
            if (e.is_int) {
              lp->AppendInt(e.ival);
            } else {
              lp->Append(e.str);
            }
          })) {
        return r_.Fail("Hash ziplist integrity check failed");
      }
    } else {
      lp.emplace();
      if (!ForEachZipmapPair(blob, [&](std::string_view f, std::string_view v) {
            lp->Append(f);
            lp->Append(v);
          })) {
        return r_.Fail("Zipmap integrity check failed");
      }
    }
    if (lp->size() % 2 != 0) return r_.Fail("Hash listpack integrity check failed: odd count");
    *empty = lp->empty();
    const size_t pairs = lp->size() / 2;
    DupChecker dups(pairs);
    bool too_long = false;
    const auto max_value =
        static_cast<size_t>(std::max<int64_t>(hash_limits_.max_listpack_value, 0));
    for (Listpack::Pos p = lp->First(); p != Listpack::kNone; p = lp->Next(p)) {
      const Listpack::Element e = lp->Get(p);
      if (!e.is_int && e.str.size() > max_value) too_long = true;
    }
    size_t i = 0;
    for (Listpack::Pos p = lp->First(); p != Listpack::kNone; p = lp->Next(p), ++i) {
      if (i % 2 == 0) dups.Add(lp->Get(p));
    }
    if (dups.HasDuplicates()) return r_.Fail("Duplicate hash fields detected");
    HashObject h;
    if (pairs > static_cast<size_t>(std::max<int64_t>(hash_limits_.max_listpack_entries, 0)) ||
        too_long) {
      h.ConvertToHashtable();
      char fb[24], vb[24];
      for (Listpack::Pos p = lp->First(); p != Listpack::kNone;) {
        const Listpack::Pos vp = lp->Next(p);
        h.Set(ElemText(lp->Get(p), fb), ElemText(lp->Get(vp), vb), hash_limits_);
        p = lp->Next(vp);
      }
    } else {
      h.AdoptListpack(std::move(*lp));
    }
    *out = Value::Object(std::move(h));
    return true;
  }

  // --- streams ---
  bool ReadRawId(StreamID* id) {
    unsigned char b[16];
    if (!r_.ReadExact(b, 16)) return false;
    id->ms = LoadBe(b, 8);
    id->seq = LoadBe(b + 8, 8);
    return true;
  }

  bool ReadLenId(StreamID* id) { return r_.ReadLength(&id->ms) && r_.ReadLength(&id->seq); }

  // One of Redis's stream listpacks: appends its live entries to s.
  bool AppendStreamNode(const StreamID& master, std::string_view blob, StreamObject* s,
                        StreamID* last, bool* any) {
    std::optional<Listpack> lp = Listpack::FromBytes(blob);
    if (!lp) return r_.Fail("Stream listpack integrity check failed");
    if (lp->empty()) return r_.Fail("Empty listpack inside stream");
    const Listpack& l = *lp;
    Listpack::Pos p = l.First();
    auto next_int = [&](int64_t* v) {
      if (p == Listpack::kNone) return false;
      const bool ok = ElemInt(l.Get(p), v);
      p = l.Next(p);
      return ok;
    };
    auto next_elem = [&](Listpack::Element* e) {
      if (p == Listpack::kNone) return false;
      *e = l.Get(p);
      p = l.Next(p);
      return true;
    };
    const auto bad = [&]() { return r_.Fail("Stream listpack integrity check failed"); };
    int64_t count, deleted, nmaster;
    if (!next_int(&count) || !next_int(&deleted) || !next_int(&nmaster)) return bad();
    if (count < 0 || deleted < 0 || nmaster < 0 || static_cast<uint64_t>(nmaster) > l.size()) {
      return bad();
    }
    std::vector<Listpack::Element> master_fields(static_cast<size_t>(nmaster));
    for (auto& f : master_fields) {
      if (!next_elem(&f)) return bad();
    }
    int64_t zero;
    if (!next_int(&zero) || zero != 0) return bad();

    std::vector<std::string> texts;  // fields and values of one entry
    std::vector<std::string_view> views;
    int64_t seen_live = 0, seen_deleted = 0;
    while (p != Listpack::kNone) {
      int64_t flags, ms_diff, seq_diff;
      if (!next_int(&flags) || !next_int(&ms_diff) || !next_int(&seq_diff)) return bad();
      const StreamID id{master.ms + static_cast<uint64_t>(ms_diff),
                        master.seq + static_cast<uint64_t>(seq_diff)};
      int64_t nfields = nmaster;
      const bool same = (flags & kStreamItemSameFields) != 0;
      if (!same &&
          (!next_int(&nfields) || nfields < 0 || static_cast<uint64_t>(nfields) > l.size())) {
        return bad();
      }
      texts.clear();
      texts.reserve(static_cast<size_t>(nfields) * 2);
      char buf[24];
      for (int64_t i = 0; i < nfields; ++i) {
        Listpack::Element f, v;
        if (same) {
          f = master_fields[static_cast<size_t>(i)];
        } else if (!next_elem(&f)) {
          return bad();
        }
        if (!next_elem(&v)) return bad();
        texts.emplace_back(ElemText(f, buf));
        texts.emplace_back(ElemText(v, buf));
      }
      int64_t lp_count;
      if (!next_int(&lp_count)) return bad();
      if (lp_count != (same ? nfields + 3 : 2 * nfields + 4)) return bad();
      if (id.IsZero() || (*any && !(*last < id))) {
        return r_.Fail("Stream entry IDs are not increasing");
      }
      *any = true;
      *last = id;
      if (flags & kStreamItemDeleted) {
        ++seen_deleted;
        continue;
      }
      ++seen_live;
      views.assign(texts.begin(), texts.end());
      s->Append(id, views);
    }
    if (seen_live != count || seen_deleted != deleted) return bad();
    return true;
  }

  bool LoadStream(uint8_t type, Value* out) {
    const bool v2 = type == kTypeStreamListpacks2;
    uint64_t nodes;
    if (!r_.ReadLength(&nodes) || !r_.CheckCount(nodes, 18, "Stream node")) return false;
    auto s = std::make_unique<StreamObject>(
        static_cast<size_t>(std::max<int64_t>(limits_.stream_node_max_bytes, 0)),
        static_cast<size_t>(std::max<int64_t>(limits_.stream_node_max_entries, 0)));
    StreamID last;
    bool any = false;
    for (uint64_t i = 0; i < nodes; ++i) {
      std::string_view key;
      if (!r_.ReadString(&key, &s1_)) return false;
      if (key.size() != 16) return r_.Fail("Stream node key entry is not the size of a stream ID");
      const auto* kp = reinterpret_cast<const unsigned char*>(key.data());
      const StreamID master{LoadBe(kp, 8), LoadBe(kp + 8, 8)};
      std::string_view blob;
      if (!r_.ReadString(&blob, &s1_)) return false;
      if (!AppendStreamNode(master, blob, s.get(), &last, &any)) return false;
    }
    uint64_t length;
    StreamID last_id;
    if (!r_.ReadLength(&length) || !ReadLenId(&last_id)) return false;
    if (length != s->length()) return r_.Fail("Stream length inconsistent with its entries");
    StreamID last_live;
    if (s->LastEntryId(&last_live) && last_id < last_live) {
      return r_.Fail("Stream last ID is smaller than an entry's ID");
    }
    if (any && last_id < last) return r_.Fail("Stream last ID is smaller than an entry's ID");
    s->set_last_id(last_id);
    if (v2) {
      StreamID first_id, max_deleted;
      uint64_t entries_added;
      if (!ReadLenId(&first_id) || !ReadLenId(&max_deleted) || !r_.ReadLength(&entries_added)) {
        return false;
      }
      if (entries_added < length) return r_.Fail("Stream entries_added is below its length");
      s->set_max_deleted_id(max_deleted);
      s->set_entries_added(entries_added);
    }
    uint64_t ngroups;
    if (!r_.ReadLength(&ngroups) || !r_.CheckCount(ngroups, 4, "Stream group")) return false;
    for (uint64_t g = 0; g < ngroups; ++g) {
      std::string_view name;
      if (!r_.ReadString(&name, &s1_)) return false;
      s2_.assign(name);
      StreamID gid;
      if (!ReadLenId(&gid)) return false;
      int64_t entries_read;
      if (v2) {
        uint64_t raw;
        if (!r_.ReadLength(&raw)) return false;
        entries_read = static_cast<int64_t>(raw);
        if (entries_read < kInvalidEntriesRead) return r_.Fail("Bad stream group entries_read");
      } else {
        entries_read = s->EstimateDistanceFromFirstEverEntry(gid);
      }
      StreamGroup* group = s->CreateGroup(s2_, gid, entries_read);
      if (group == nullptr) return r_.Fail("Duplicated consumer group name");
      uint64_t npel;
      if (!r_.ReadLength(&npel) || !r_.CheckCount(npel, 25, "Stream PEL")) return false;
      for (uint64_t i = 0; i < npel; ++i) {
        StreamID pid;
        uint64_t when, deliveries;
        if (!ReadRawId(&pid) || !r_.ReadLe(&when, 8) || !r_.ReadLength(&deliveries)) return false;
        StreamPendingEntry nack;
        nack.delivery_time_ms = static_cast<int64_t>(when);
        nack.delivery_count = deliveries;
        if (!group->pel.emplace(pid, nack).second) return r_.Fail("Duplicated global PEL entry");
      }
      uint64_t nconsumers;
      if (!r_.ReadLength(&nconsumers) || !r_.CheckCount(nconsumers, 10, "Stream consumer")) {
        return false;
      }
      for (uint64_t c = 0; c < nconsumers; ++c) {
        std::string_view cname;
        if (!r_.ReadString(&cname, &s1_)) return false;
        s2_.assign(cname);
        uint64_t seen;
        if (!r_.ReadLe(&seen, 8)) return false;
        bool created = false;
        StreamConsumer* consumer =
            group->GetOrCreateConsumer(s2_, static_cast<int64_t>(seen), &created);
        if (!created) return r_.Fail("Duplicated consumer name");
        consumer->seen_time_ms = static_cast<int64_t>(seen);
        uint64_t cpel;
        if (!r_.ReadLength(&cpel) || !r_.CheckCount(cpel, 16, "Consumer PEL")) return false;
        for (uint64_t i = 0; i < cpel; ++i) {
          StreamID pid;
          if (!ReadRawId(&pid)) return false;
          auto it = group->pel.find(pid);
          if (it == group->pel.end()) return r_.Fail("Consumer PEL entry not found in group PEL");
          if (it->second.consumer != nullptr) return r_.Fail("Duplicated consumer PEL entry");
          it->second.consumer = consumer;
          consumer->pel.insert(pid);
        }
      }
      for (const auto& [pid, nack] : group->pel) {
        if (nack.consumer == nullptr) return r_.Fail("Stream group PEL entry without a consumer");
      }
    }
    *out = Value::Object(ValueType::kStream, Encoding::kStream, std::move(s));
    return true;
  }

  Reader& r_;
  const RdbEncodingLimits& limits_;
  HashObject::Limits hash_limits_{};
  ZSetObject::Limits zset_limits_;
  std::string s1_, s2_;
};

}  // namespace rdb_internal

using rdb_internal::Reader;
using rdb_internal::ValueLoader;

RdbEncodingLimits RdbEncodingLimits::FromConfig(const Config& c) {
  RdbEncodingLimits l;
  l.hash_max_listpack_entries = c.hash_max_listpack_entries;
  l.hash_max_listpack_value = c.hash_max_listpack_value;
  l.set_max_intset_entries = c.set_max_intset_entries;
  l.zset_max_listpack_entries = c.zset_max_listpack_entries;
  l.zset_max_listpack_value = c.zset_max_listpack_value;
  l.list_max_listpack_size = c.list_max_listpack_size;
  l.list_compress_depth = c.list_compress_depth;
  l.stream_node_max_bytes = c.stream_node_max_bytes;
  l.stream_node_max_entries = c.stream_node_max_entries;
  return l;
}

std::string RdbLoadError::ToString() const {
  return message + " at offset " + std::to_string(offset);
}

namespace {

std::string Printable(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof(b), "\\x%02x", static_cast<unsigned char>(c));
      out += b;
    }
  }
  if (key.size() > 64) out += "...";
  return out;
}

}  // namespace

bool ParseRdb(RdbSource& src, const RdbLoadOptions& options, const RdbKeyHandler& handler,
              RdbLoadError* err, RdbLoadInfo* info) {
  RdbLoadInfo local_info;
  RdbLoadInfo& inf = info != nullptr ? *info : local_info;
  inf = RdbLoadInfo{};
  Reader r(src, options.verify_checksum);
  ValueLoader loader(r, options.limits);
  // msg empty: the reader's own error; else msg (at the reader's error offset if it has
  // one, else here).
  auto fail = [&](std::string msg) {
    if (r.error().empty()) r.Fail(msg.empty() ? "Unknown error" : msg);
    if (err != nullptr) {
      err->offset = r.error_offset();
      err->message = msg.empty() ? r.error() : std::move(msg);
    }
    inf.bytes_read = r.offset();
    return false;
  };

  char magic[9];
  if (!r.ReadExact(magic, 9)) return fail("");
  if (std::memcmp(magic, "REDIS", 5) != 0) {
    r.Fail("Wrong signature trying to load DB from file");
    return fail("");
  }
  int version = 0;
  for (int i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9') {
      r.Fail("Wrong signature trying to load DB from file");
      return fail("");
    }
    version = version * 10 + (magic[i] - '0');
  }
  if (version < 1 || version > kRdbVersion) {
    r.Fail("Can't handle RDB format version " + std::to_string(version));
    return fail("");
  }
  inf.rdb_version = version;

  std::string key_buf, aux_key, scratch;
  RdbKey rec;
  int db = 0;
  int64_t expire_ms = -1;
  int64_t idle = -1;
  int freq = -1;
  for (;;) {
    uint8_t type;
    if (!r.ReadByte(&type)) return fail("");
    switch (type) {
      case rdb_internal::kOpExpireTime: {
        uint64_t s;
        if (!r.ReadLe(&s, 4)) return fail("");
        expire_ms = static_cast<int64_t>(static_cast<int32_t>(s)) * 1000;
        continue;
      }
      case rdb_internal::kOpExpireTimeMs: {
        uint64_t ms;
        if (!r.ReadLe(&ms, 8)) return fail("");
        expire_ms = static_cast<int64_t>(ms);
        continue;
      }
      case rdb_internal::kOpFreq: {
        uint8_t f;
        if (!r.ReadByte(&f)) return fail("");
        freq = f;
        continue;
      }
      case rdb_internal::kOpIdle: {
        uint64_t v;
        if (!r.ReadLength(&v)) return fail("");
        idle = static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX));
        continue;
      }
      case rdb_internal::kOpEof:
        break;
      case rdb_internal::kOpSelectDb: {
        uint64_t v;
        if (!r.ReadLength(&v)) return fail("");
        if (v > INT32_MAX) return fail("Bad database number " + std::to_string(v));
        db = static_cast<int>(v);
        continue;
      }
      case rdb_internal::kOpResizeDb: {
        uint64_t a, b;
        if (!r.ReadLength(&a) || !r.ReadLength(&b)) return fail("");
        continue;
      }
      case rdb_internal::kOpAux: {
        std::string_view k, v;
        if (!r.ReadString(&k, &scratch)) return fail("");
        aux_key.assign(k);
        if (!r.ReadString(&v, &scratch)) return fail("");
        inf.aux.emplace_back(aux_key, std::string(v));
        continue;
      }
      case rdb_internal::kOpModuleAux:
        return fail("Module aux data is not supported (the file needs a Redis module)");
      case rdb_internal::kOpFunction2:
      case rdb_internal::kOpFunctionPreGa:
        return fail("Functions are not supported (the file holds a Redis function library)");
      default: {
        std::string_view k;
        if (!r.ReadString(&k, &scratch)) return fail("");
        key_buf.assign(k);
        bool empty = false;
        if (!loader.Load(type, &rec.value, &empty)) {
          return fail(r.error() + " (key '" + Printable(key_buf) + "')");
        }
        if (empty) {
          ++inf.keys_skipped_empty;
        } else {
          rec.db = db;
          rec.key = key_buf;
          rec.expire_ms = expire_ms;
          rec.lru_idle_s = idle;
          rec.lfu_freq = freq;
          rec.offset = r.offset();
          std::string reason;
          if (!handler(rec, &reason)) {
            return fail(reason.empty() ? "Stopped by the caller" : reason);
          }
        }
        rec.value = Value();
        expire_ms = -1;
        idle = -1;
        freq = -1;
        continue;
      }
    }
    break;  // EOF
  }
  if (version >= 5) {
    const uint64_t computed = r.CrcSoFar();
    const uint64_t trailer_at = r.offset();
    uint64_t stored;
    if (!r.ReadLe(&stored, 8)) return fail("");
    if (options.verify_checksum && stored != 0) {
      if (stored != computed) {
        char msg[96];
        std::snprintf(msg, sizeof(msg),
                      "Wrong RDB checksum expected: (%" PRIx64 ") but got (%" PRIx64 ")", stored,
                      computed);
        r.FailAt(trailer_at, msg);
        return fail("");
      }
      inf.checksum_verified = true;
    }
  }
  inf.bytes_read = r.offset();
  return true;
}

bool LoadRdb(RdbSource& src, Keyspace& ks, int64_t now_ms, const RdbLoadOptions& options,
             RdbLoadError* err, RdbLoadInfo* info) {
  RdbLoadInfo local_info;
  RdbLoadInfo& inf = info != nullptr ? *info : local_info;
  uint64_t loaded = 0, expired = 0;
  auto handler = [&](RdbKey& k, std::string* reason) {
    if (options.between_keys && !options.between_keys(k.offset)) {
      *reason = "Loading aborted";
      return false;
    }
    if (k.db < 0 || k.db >= ks.database_count()) {
      *reason = "FATAL: Data file was created with a Redis server configured to handle more than " +
                std::to_string(ks.database_count()) + " databases. Exiting";
      return false;
    }
    if (options.drop_expired && k.expire_ms >= 0 && k.expire_ms < now_ms) {
      ++expired;
      return true;
    }
    Database& db = ks.db(k.db);
    Database::InsertResult ins = db.FindOrInsert(k.key);
    if (!ins.inserted) {
      if (!options.replace_existing) {
        *reason = "Duplicate key '" + Printable(k.key) + "' found in RDB file";
        return false;
      }
      db.ClearExpire(ins.entry);
    }
    Entry* e = ins.entry;
    e->value = std::move(k.value);
    if (k.expire_ms >= 0) db.SetExpire(e, k.expire_ms);
    // Redis's objectSetLRUOrLFU: FREQ applies under an lfu policy, IDLE under any other
    // (the Keyspace setters make that choice).
    if (k.lru_idle_s >= 0) ks.SetIdleSeconds(e, static_cast<uint64_t>(k.lru_idle_s));
    if (k.lfu_freq >= 0) ks.SetLfuFrequency(e, static_cast<uint8_t>(k.lfu_freq));
    ++loaded;
    return true;
  };
  const bool ok = ParseRdb(src, options, handler, err, &inf);
  inf.keys_loaded = loaded;
  inf.keys_expired = expired;
  return ok;
}

bool RestorePayload(std::string_view payload, Value* out, std::string* error,
                    const RdbEncodingLimits& limits) {
  // Footer: 2-byte RDB version and the CRC64 of everything before the CRC.
  if (payload.size() < 10) {
    *error = "ERR DUMP payload version or checksum are wrong";
    return false;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
  const size_t n = payload.size();
  const uint64_t version = rdb_internal::LoadLe(p + n - 10, 2);
  const uint64_t crc = rdb_internal::LoadLe(p + n - 8, 8);
  if (version > static_cast<uint64_t>(kRdbVersion) || Crc64(0, p, n - 8) != crc) {
    *error = "ERR DUMP payload version or checksum are wrong";
    return false;
  }
  StringSource src(payload.substr(0, n - 10));
  Reader r(src, /*track_crc=*/false);
  ValueLoader loader(r, limits);
  uint8_t type;
  bool empty = false;
  Value v;
  if (!r.ReadByte(&type) || !loader.Load(type, &v, &empty) || empty) {
    *error = "ERR Bad data format";
    return false;
  }
  *out = std::move(v);
  return true;
}

}  // namespace gannet
