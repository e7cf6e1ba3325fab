// Listpack with Redis's entry format. Serialized (Redis's) block:
//
//   <total-bytes u32 LE> <count u16 LE, 65535 = "count it"> <entry>... <0xFF>
//   entry = <encoding + data> <backlen: length of encoding+data, 1..5 bytes>
//
// In memory only the <entry>... part is allocated; total bytes and count live in the
// Listpack object (see listpack.h), and the header and terminator are rebuilt when the
// block is serialized.
//
// Encodings (first byte):
//   0xxxxxxx            7-bit unsigned integer
//   10xxxxxx <data>     string of up to 63 bytes
//   110xxxxx yyyyyyyy   13-bit signed integer
//   1110xxxx yyyyyyyy <data>  string of up to 4095 bytes
//   11110000 <u32 len> <data> longer string
//   11110001..11110100  16/24/32/64-bit signed integer (little endian)
// The backlen is read right to left: its last byte holds the low 7 bits, and a set high
// bit means another byte (higher bits) stands to its left.
#include "gannet/engine/listpack.h"

#include <malloc.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "gannet/common/numbers.h"

namespace gannet {
namespace {

constexpr size_t kHeaderSize = 6;
constexpr unsigned char kEof = 0xFF;
constexpr uint16_t kCountUnknown = 65535;

// Largest encoding + data prefix plus the longest backlen.
constexpr size_t kMaxIntEntry = 9 + 1;

uint32_t Load32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

void Store32(unsigned char* p, uint32_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
  p[2] = static_cast<unsigned char>(v >> 16);
  p[3] = static_cast<unsigned char>(v >> 24);
}

size_t BacklenSize(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Writes the backlen of an entry whose encoding+data is l bytes; returns its size.
size_t EncodeBacklen(unsigned char* out, size_t l) {
  const size_t n = BacklenSize(l);
  // out[n-1] holds bits 0..6 (flagged if more), out[0] the highest bits (unflagged).
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 7 * (n - 1 - i);
    unsigned char b = static_cast<unsigned char>((l >> shift) & 127);
    if (i != 0) b |= 128;
    out[i] = b;
  }
  return n;
}

// Reads the backlen that ends at p (inclusive), moving left. Sets *size to its bytes.
// Returns SIZE_MAX when it is malformed (more than 5 bytes or running past `floor`).
size_t DecodeBacklen(const unsigned char* p, const unsigned char* floor, size_t* size) {
  size_t val = 0;
  size_t shift = 0;
  size_t n = 0;
  for (;;) {
    if (p < floor || n == 5) return SIZE_MAX;
    val |= static_cast<size_t>(p[0] & 127) << shift;
    ++n;
    if (!(p[0] & 128)) break;
    shift += 7;
    --p;
  }
  *size = n;
  return val;
}

// Encodes an integer; returns the encoding+data size.
size_t EncodeInt(unsigned char* out, int64_t v) {
  if (v >= 0 && v <= 127) {
    out[0] = static_cast<unsigned char>(v);
    return 1;
  }
  if (v >= -4096 && v <= 4095) {
    const uint64_t u = v < 0 ? static_cast<uint64_t>((1 << 13) + v) : static_cast<uint64_t>(v);
    out[0] = static_cast<unsigned char>(0xC0 | (u >> 8));
    out[1] = static_cast<unsigned char>(u & 0xff);
    return 2;
  }
  int bytes;
  unsigned char tag;
  if (v >= -32768 && v <= 32767) {
    bytes = 2, tag = 0xF1;
  } else if (v >= -8388608 && v <= 8388607) {
    bytes = 3, tag = 0xF2;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    bytes = 4, tag = 0xF3;
  } else {
    bytes = 8, tag = 0xF4;
  }
  const uint64_t u = static_cast<uint64_t>(v);  // two's complement, truncated below
  out[0] = tag;
  for (int i = 0; i < bytes; ++i) out[1 + i] = static_cast<unsigned char>(u >> (8 * i));
  return 1 + static_cast<size_t>(bytes);
}

// Size of the encoding header for a string of len bytes.
size_t StringHeaderSize(size_t len) {
  if (len < 64) return 1;
  if (len < 4096) return 2;
  return 5;
}

void EncodeStringHeader(unsigned char* out, size_t len) {
  if (len < 64) {
    out[0] = static_cast<unsigned char>(0x80 | len);
  } else if (len < 4096) {
    out[0] = static_cast<unsigned char>(0xE0 | (len >> 8));
    out[1] = static_cast<unsigned char>(len & 0xff);
  } else {
    out[0] = 0xF0;
    Store32(out + 1, static_cast<uint32_t>(len));
  }
}

// Decoded shape of one entry.
struct EntryShape {
  size_t header;  // encoding bytes before string data (or the whole int encoding)
  size_t data;    // string data bytes (0 for integers)
  bool is_int;
  int64_t ival;
  size_t EncodedLen() const { return header + data; }
};

// Decodes the entry at p without bounds checks (the block was validated or built by us).
EntryShape DecodeEntry(const unsigned char* p) {
  const unsigned char b = p[0];
  if ((b & 0x80) == 0) return {1, 0, true, b};
  if ((b & 0xC0) == 0x80) return {1, static_cast<size_t>(b & 0x3F), false, 0};
  if ((b & 0xE0) == 0xC0) {
    const uint64_t u = (static_cast<uint64_t>(b & 0x1F) << 8) | p[1];
    const int64_t v = u >= 4096 ? static_cast<int64_t>(u) - 8192 : static_cast<int64_t>(u);
    return {2, 0, true, v};
  }
  if ((b & 0xF0) == 0xE0) {
    return {2, (static_cast<size_t>(b & 0x0F) << 8) | p[1], false, 0};
  }
  if (b == 0xF0) return {5, Load32(p + 1), false, 0};
  int bytes = 0;
  switch (b) {
    case 0xF1:
      bytes = 2;
      break;
    case 0xF2:
      bytes = 3;
      break;
    case 0xF3:
      bytes = 4;
      break;
    case 0xF4:
      bytes = 8;
      break;
    default:
      return {0, 0, false, 0};  // not reachable on a valid block
  }
  uint64_t u = 0;
  for (int i = 0; i < bytes; ++i) u |= static_cast<uint64_t>(p[1 + i]) << (8 * i);
  int64_t v;
  if (bytes < 8) {
    const uint64_t sign = 1ull << (8 * bytes - 1);
    v = (u & sign) ? static_cast<int64_t>(u) - static_cast<int64_t>(sign << 1)
                   : static_cast<int64_t>(u);
  } else {
    v = static_cast<int64_t>(u);
  }
  return {1 + static_cast<size_t>(bytes), 0, true, v};
}

// Bytes of the encoding+data of the entry at p, or 0 if the first byte is not an encoding
// (or the entry would not fit in `avail` bytes). Used when validating foreign blocks.
size_t CheckedEncodedLen(const unsigned char* p, size_t avail) {
  if (avail == 0) return 0;
  const unsigned char b = p[0];
  size_t need_header;
  if ((b & 0x80) == 0 || (b & 0xC0) == 0x80) {
    need_header = 1;
  } else if ((b & 0xE0) == 0xC0 || (b & 0xF0) == 0xE0) {
    need_header = 2;
  } else if (b == 0xF0) {
    need_header = 5;
  } else if (b >= 0xF1 && b <= 0xF4) {
    const size_t sizes[] = {3, 4, 5, 9};
    need_header = sizes[b - 0xF1];
  } else {
    return 0;
  }
  if (need_header > avail) return 0;
  const EntryShape s = DecodeEntry(p);
  if (s.header == 0) return 0;
  const size_t len = s.EncodedLen();
  return len <= avail ? len : 0;
}

}  // namespace

// --- Element ---

std::string_view Listpack::Element::ToString(char (&buf)[24]) const {
  if (!is_int) return str;
  return {buf, FormatInt64(ival, buf)};
}

std::string Listpack::Element::ToStdString() const {
  char buf[24];
  return std::string(ToString(buf));
}

bool Listpack::Element::Equals(std::string_view s) const {
  if (!is_int) return str == s;
  int64_t v;
  return IsCanonicalInt64(s, &v) && v == ival;
}

// --- lifetime ---

Listpack::~Listpack() { std::free(data()); }

Listpack::Listpack(Listpack&& other) noexcept { TakeFrom(other); }

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    std::free(data());
    TakeFrom(other);
  }
  return *this;
}

void Listpack::TakeFrom(Listpack& other) noexcept {
  std::memcpy(ptr_, other.ptr_, sizeof(ptr_));
  std::memcpy(len_, other.len_, sizeof(len_));
  std::memcpy(count_, other.count_, sizeof(count_));
  other.Forget();
}

void Listpack::Forget() noexcept {
  std::memset(ptr_, 0, sizeof(ptr_));
  std::memset(len_, 0, sizeof(len_));
  std::memset(count_, 0, sizeof(count_));
}

Listpack Listpack::Clone() const {
  Listpack out;
  const size_t n = body_len();
  if (n == 0) return out;
  auto* copy = static_cast<unsigned char*>(std::malloc(n));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, data(), n);
  out.set_data(copy);
  out.set_body_len(n);
  out.set_stored_count(stored_count());
  return out;
}

std::optional<Listpack> Listpack::FromBytes(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  if (n < kOverhead || n > kMaxSafeBytes) return std::nullopt;
  if (Load32(p) != n || p[n - 1] != kEof) return std::nullopt;
  const auto header_count = static_cast<uint16_t>(p[4] | p[5] << 8);
  size_t count = 0;
  size_t pos = kHeaderSize;
  while (pos < n - 1) {
    const size_t len = CheckedEncodedLen(p + pos, n - 1 - pos);
    if (len == 0) return std::nullopt;
    const size_t bl = BacklenSize(len);
    if (pos + len + bl > n - 1) return std::nullopt;
    size_t decoded_size;
    const size_t decoded = DecodeBacklen(p + pos + len + bl - 1, p + pos + len, &decoded_size);
    if (decoded != len || decoded_size != bl) return std::nullopt;
    pos += len + bl;
    ++count;
  }
  if (pos != n - 1) return std::nullopt;
  if (header_count != kCountUnknown && header_count != count) return std::nullopt;
  // The body only; the count is kept as the header said it ("unknown" included), so the
  // block serializes back byte for byte.
  Listpack out;
  const size_t body = n - kOverhead;
  if (body > 0) {
    auto* copy = static_cast<unsigned char*>(std::malloc(body));
    if (copy == nullptr) throw std::bad_alloc();
    std::memcpy(copy, p + kHeaderSize, body);
    out.set_data(copy);
    out.set_body_len(body);
    out.set_stored_count(header_count);
  }
  return out;
}

Listpack Listpack::AdoptBody(unsigned char* body, size_t len, size_t count) {
  Listpack out;
  if (len == 0) {
    std::free(body);
    return out;
  }
  out.set_data(body);
  out.set_body_len(len);
  out.set_stored_count(static_cast<uint16_t>(std::min<size_t>(count, kCountUnknown)));
  return out;
}

void Listpack::AppendSerialized(std::string* out) const {
  const size_t body = body_len();
  const size_t old = out->size();
  out->resize(old + body + kOverhead);
  auto* dst = reinterpret_cast<unsigned char*>(out->data() + old);
  Store32(dst, static_cast<uint32_t>(body + kOverhead));
  const uint16_t c = stored_count();
  dst[4] = static_cast<unsigned char>(c & 0xff);
  dst[5] = static_cast<unsigned char>(c >> 8);
  if (body > 0) std::memcpy(dst + kHeaderSize, data(), body);
  dst[kHeaderSize + body] = kEof;
}

std::string Listpack::Serialize() const {
  std::string out;
  AppendSerialized(&out);
  return out;
}

std::string_view Listpack::body() const {
  return {reinterpret_cast<const char*>(data()), body_len()};
}

size_t Listpack::MemoryUsage() const {
  unsigned char* p = data();
  return p == nullptr ? 0 : malloc_usable_size(p);
}

void Listpack::Resize(size_t n) {
  if (n == 0) {
    std::free(data());
    set_data(nullptr);
  } else if (n > body_len() && data() != nullptr && n <= malloc_usable_size(data())) {
    // Growth within the block's size class: asking the allocator is far dearer (realloc
    // is ~30x a usable-size lookup) and would leave the block where it is anyway.
  } else if (auto* moved = static_cast<unsigned char*>(std::realloc(data(), n))) {
    set_data(moved);
  } else if (n > body_len()) {
    throw std::bad_alloc();  // nothing changed
  }  // else a failed shrink keeps the bigger block, which still holds the body
  set_body_len(n);
}

void Listpack::AdjustCount(int64_t delta) {
  const int64_t c = stored_count();
  if (c == kCountUnknown) return;  // stays unknown, as Redis's lpInsert/lpDelete leave it
  const int64_t n = std::min<int64_t>(c + delta, kCountUnknown);
  set_stored_count(static_cast<uint16_t>(n));
}

size_t Listpack::size() const {
  const uint16_t c = stored_count();
  if (c != kCountUnknown) return c;
  size_t n = 0;
  for (Pos p = First(); p != kNone; p = Next(p)) ++n;
  if (n < kCountUnknown) set_stored_count(static_cast<uint16_t>(n));
  return n;
}

// --- navigation ---

Listpack::Pos Listpack::First() const { return empty() ? kNone : 0; }

Listpack::Pos Listpack::Last() const {
  const size_t end = body_len();
  if (end == 0) return kNone;
  const unsigned char* buf = data();
  size_t bl = 0;
  const size_t len = DecodeBacklen(buf + end - 1, buf, &bl);
  return static_cast<Pos>(end - bl - len);
}

Listpack::Pos Listpack::Next(Pos p) const {
  if (p == kNone) return kNone;
  const size_t len = DecodeEntry(data() + p).EncodedLen();
  const size_t next = p + len + BacklenSize(len);
  return next == body_len() ? kNone : static_cast<Pos>(next);
}

Listpack::Pos Listpack::Prev(Pos p) const {
  if (p == kNone || p == 0) return kNone;
  const unsigned char* buf = data();
  size_t bl = 0;
  const size_t len = DecodeBacklen(buf + p - 1, buf, &bl);
  return static_cast<Pos>(p - bl - len);
}

Listpack::Pos Listpack::Seek(int64_t index) const {
  const auto n = static_cast<int64_t>(size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return kNone;
  if (index <= n / 2) {
    Pos p = First();
    for (int64_t i = 0; i < index; ++i) p = Next(p);
    return p;
  }
  Pos p = Last();
  for (int64_t i = n - 1; i > index; --i) p = Prev(p);
  return p;
}

Listpack::Element Listpack::Get(Pos p) const { return EntryAt(data() + p); }

Listpack::Element Listpack::EntryAt(const unsigned char* at) {
  const EntryShape s = DecodeEntry(at);
  Element e;
  e.is_int = s.is_int;
  if (s.is_int) {
    e.ival = s.ival;
  } else {
    e.str = {reinterpret_cast<const char*>(at + s.header), s.data};
  }
  return e;
}

Listpack::Pos Listpack::Find(Pos p, std::string_view s, size_t skip) const {
  // Decide once whether s could match an integer entry.
  int64_t as_int = 0;
  const bool s_is_int = IsCanonicalInt64(s, &as_int);
  const unsigned char* buf = data();
  const size_t end = body_len();
  size_t to_skip = 0;
  if (p == kNone) return kNone;
  for (size_t at = p; at < end;) {
    const EntryShape e = DecodeEntry(buf + at);
    if (to_skip == 0) {
      if (e.is_int) {
        if (s_is_int && e.ival == as_int) return static_cast<Pos>(at);
      } else if (!s_is_int && e.data == s.size() &&
                 std::memcmp(buf + at + e.header, s.data(), s.size()) == 0) {
        return static_cast<Pos>(at);
      }
      to_skip = skip;
    } else {
      --to_skip;
    }
    const size_t len = e.EncodedLen();
    at += len + BacklenSize(len);
  }
  return kNone;
}

// --- mutation ---

namespace {

// Encodes s (as an integer when canonical) into a heap or stack buffer.
class Encoded {
 public:
  explicit Encoded(std::string_view s) {
    int64_t v;
    if (s.size() <= 20 && IsCanonicalInt64(s, &v)) {
      len_ = EncodeInt(small_, v);
      data_ = small_;
      Finish();
      return;
    }
    const size_t header = StringHeaderSize(s.size());
    len_ = header + s.size();
    const size_t total = len_ + BacklenSize(len_);
    if (total <= sizeof(small_)) {
      data_ = small_;
    } else {
      heap_.reset(new unsigned char[total]);
      data_ = heap_.get();
    }
    EncodeStringHeader(data_, s.size());
    std::memcpy(data_ + header, s.data(), s.size());
    Finish();
  }
  explicit Encoded(int64_t v) {
    len_ = EncodeInt(small_, v);
    data_ = small_;
    Finish();
  }
  const unsigned char* data() const { return data_; }
  // encoding + data + backlen
  size_t size() const { return len_ + BacklenSize(len_); }

 private:
  void Finish() { EncodeBacklen(data_ + len_, len_); }

  unsigned char small_[64 + kMaxIntEntry];
  std::unique_ptr<unsigned char[]> heap_;
  unsigned char* data_ = nullptr;
  size_t len_ = 0;
};

}  // namespace

Listpack::Pos Listpack::InsertEncoded(Pos at, const unsigned char* enc, size_t enc_len) {
  const size_t old_len = body_len();
  Resize(old_len + enc_len);
  unsigned char* buf = data();
  std::memmove(buf + at + enc_len, buf + at, old_len - at);
  std::memcpy(buf + at, enc, enc_len);
  AdjustCount(1);
  return at;
}

void Listpack::Append(std::string_view s) {
  Encoded e(s);
  InsertEncoded(static_cast<Pos>(body_len()), e.data(), e.size());
}

void Listpack::AppendInt(int64_t v) {
  Encoded e(v);
  InsertEncoded(static_cast<Pos>(body_len()), e.data(), e.size());
}

void Listpack::Prepend(std::string_view s) {
  Encoded e(s);
  InsertEncoded(0, e.data(), e.size());
}

Listpack::Pos Listpack::Insert(Pos p, std::string_view s, bool after) {
  Encoded e(s);
  Pos at = p;
  if (after) {
    const size_t len = DecodeEntry(data() + p).EncodedLen();
    at = static_cast<Pos>(p + len + BacklenSize(len));
  }
  return InsertEncoded(at, e.data(), e.size());
}

Listpack::Pos Listpack::Replace(Pos p, std::string_view s) {
  Encoded e(s);
  return ReplaceEncoded(p, e.data(), e.size());
}

Listpack::Pos Listpack::ReplaceInt(Pos p, int64_t v) {
  Encoded e(v);
  return ReplaceEncoded(p, e.data(), e.size());
}

Listpack::Pos Listpack::ReplaceEncoded(Pos p, const unsigned char* enc, size_t enc_len) {
  // One resize: the tail moves once, by the difference in size (the count is unchanged).
  const size_t len = DecodeEntry(data() + p).EncodedLen();
  const size_t old_entry = len + BacklenSize(len);
  const size_t old_len = body_len();
  const size_t tail = old_len - p - old_entry;
  if (enc_len > old_entry) {
    Resize(old_len + enc_len - old_entry);
    unsigned char* buf = data();
    std::memmove(buf + p + enc_len, buf + p + old_entry, tail);
  } else if (enc_len < old_entry) {
    unsigned char* buf = data();
    std::memmove(buf + p + enc_len, buf + p + old_entry, tail);
    Resize(old_len - old_entry + enc_len);
  }
  std::memcpy(data() + p, enc, enc_len);
  return p;
}

Listpack::Pos Listpack::Delete(Pos p) {
  const size_t len = DecodeEntry(data() + p).EncodedLen();
  const size_t entry = len + BacklenSize(len);
  const size_t old_len = body_len();
  unsigned char* buf = data();
  std::memmove(buf + p, buf + p + entry, old_len - p - entry);
  AdjustCount(-1);
  // Shrinking gives the memory back when it is worth it.
  Resize(old_len - entry);
  return p == body_len() ? kNone : p;
}

void Listpack::DeleteRange(Pos p, size_t count) {
  if (p == kNone || count == 0) return;
  const size_t old_len = body_len();
  unsigned char* buf = data();
  size_t end = p;
  size_t removed = 0;
  while (removed < count && end < old_len) {
    const size_t len = DecodeEntry(buf + end).EncodedLen();
    end += len + BacklenSize(len);
    ++removed;
  }
  std::memmove(buf + p, buf + end, old_len - end);
  AdjustCount(-static_cast<int64_t>(removed));
  Resize(old_len - (end - p));
}

void Listpack::Clear() {
  std::free(data());
  Forget();
}

}  // namespace gannet
