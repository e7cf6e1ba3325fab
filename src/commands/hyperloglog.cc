// HyperLogLog representation (see hyperloglog.h for the format). The sparse update keeps
// Redis's observable behaviour exactly: the same opcode split, the same merge of adjacent
// equal VAL opcodes around the change, and the same promotion rule, so a value updated here
// has the bytes Redis would have produced.
#include "hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gannet::hll {

namespace {

constexpr size_t kRegisterBytes = kDenseSize - kHeaderSize;  // 12288
constexpr double kAlphaInf = 0.721347520444481703680;        // 1 / (2 ln 2)

// Sparse opcodes.
bool IsZero(uint8_t b) { return (b & 0xc0) == 0x00; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool IsVal(uint8_t b) { return (b & 0x80) != 0; }
uint32_t ZeroLen(uint8_t b) { return (b & 0x3fu) + 1; }
uint32_t XZeroLen(uint8_t b0, uint8_t b1) { return (((b0 & 0x3fu) << 8) | b1) + 1; }
uint8_t ValValue(uint8_t b) { return static_cast<uint8_t>(((b >> 2) & 0x1f) + 1); }
uint32_t ValLen(uint8_t b) { return (b & 0x3u) + 1; }
uint8_t MakeVal(uint32_t value, uint32_t len) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (len - 1));
}
constexpr uint32_t kZeroMaxLen = 64;
constexpr uint32_t kValMaxLen = 4;

// Appends a ZERO or XZERO opcode for a run of len (1..16384) zero registers.
size_t PutZeros(uint8_t* out, uint32_t len) {
  if (len > kZeroMaxLen) {
    out[0] = static_cast<uint8_t>(0x40 | ((len - 1) >> 8));
    out[1] = static_cast<uint8_t>((len - 1) & 0xff);
    return 2;
  }
  out[0] = static_cast<uint8_t>(len - 1);
  return 1;
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }
uint8_t* Bytes(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

// Calls on_run(first_register, length, value) for each opcode of a sparse payload, in order.
// Stops and returns false at a cut-short XZERO or when runs pass kRegisters; returns true
// only when they cover exactly kRegisters.
template <typename F>
bool WalkSparse(std::string_view payload, F&& on_run) {
  const uint8_t* p = Bytes(payload);
  const uint8_t* end = p + payload.size();
  uint64_t idx = 0;
  while (p < end) {
    uint32_t len;
    uint8_t value = 0;
    if (IsZero(*p)) {
      len = ZeroLen(*p);
      ++p;
    } else if (IsXZero(*p)) {
      // An XZERO cut after its first byte reads as if followed by 0, as Redis reads the
      // string's terminator there (without reading past the value here).
      const bool whole = end - p >= 2;
      len = XZeroLen(p[0], whole ? p[1] : 0);
      p += whole ? 2 : 1;
    } else {
      len = ValLen(*p);
      value = ValValue(*p);
      ++p;
    }
    if (idx + len > kRegisters) return false;
    on_run(static_cast<uint32_t>(idx), len, value);
    idx += len;
  }
  return idx == kRegisters;
}

// Ertl's sigma and tau series, summed until the floating-point value stops changing.
double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0;
  double z = x;
  double prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1 - x;
  double prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (prev != z);
  return z / 3;
}

// The estimate from a histogram of register values (hist[v] = registers holding v).
uint64_t Estimate(const uint32_t* hist) {
  const double m = kRegisters;
  double z = m * Tau((m - hist[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += hist[j];
    z *= 0.5;
  }
  z += m * Sigma(hist[0] / m);
  const double e = kAlphaInf * m * m / z;
  // Only a forged value (every register above kQ + 1) makes z zero. Redis then rounds an
  // infinity, which x86 turns into LLONG_MIN; answer the same without relying on it.
  if (!(e < 0x1p63)) return uint64_t{1} << 63;
  return static_cast<uint64_t>(std::llroundl(e));
}

void DenseHistogram(const uint8_t* regs, uint32_t* hist) {
  // Four 6-bit registers per three bytes, each lane counted in its own table: most
  // registers hold the same few values, and increments of one shared counter would form a
  // single dependency chain (this runs ~4x faster).
  uint32_t lanes[4][64] = {};
  for (size_t i = 0; i < kRegisterBytes; i += 3) {
    const unsigned b0 = regs[i], b1 = regs[i + 1], b2 = regs[i + 2];
    ++lanes[0][b0 & 63];
    ++lanes[1][((b0 >> 6) | (b1 << 2)) & 63];
    ++lanes[2][((b1 >> 4) | (b2 << 4)) & 63];
    ++lanes[3][b2 >> 2];
  }
  for (int v = 0; v < 64; ++v) hist[v] += lanes[0][v] + lanes[1][v] + lanes[2][v] + lanes[3][v];
}

// Replaces the register bytes [pos, pos + old_len) of h with seq.
void Splice(std::string& h, size_t pos, size_t old_len, const uint8_t* seq, size_t len) {
  h.replace(pos, old_len, reinterpret_cast<const char*>(seq), len);
}

int SparseSet(std::string& h, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kSparseValMax) {
    if (!ToDense(h)) return -1;
    return Set(h, index, count, sparse_max_bytes);
  }
  // Step 1: find the opcode covering the register, and the one before it.
  const size_t end = h.size();
  size_t p = kHeaderSize;
  size_t prev = std::string::npos;
  uint64_t first = 0;
  uint32_t span = 0;
  const uint8_t* b = Bytes(h);
  bool found = false;
  bool cut_tail = false;  // see the XZERO case below
  while (p < end) {
    size_t oplen = 1;
    if (IsZero(b[p])) {
      span = ZeroLen(b[p]);
    } else if (IsVal(b[p])) {
      span = ValLen(b[p]);
    } else {
      const bool whole = end - p >= 2;
      span = XZeroLen(b[p], whole ? b[p + 1] : 0);
      oplen = 2;
      if (!whole) {
        if (index > first + span - 1) break;  // past the end: not found
        // Redis edits such a cut XZERO together with the terminator byte after it, and
        // its length accounting then leaves the last byte of the result outside the
        // string. Emulated with a temporary byte, dropped after the split.
        h.push_back('\0');
        b = Bytes(h);
        cut_tail = true;
      }
    }
    if (index <= first + span - 1) {
      found = true;
      break;
    }
    prev = p;
    p += oplen;
    first += span;
  }
  if (!found) return -1;
  const uint64_t last = first + span - 1;
  const bool is_val = IsVal(b[p]);
  const bool is_xzero = IsXZero(b[p]);

  // Step 2: the trivial in-place cases.
  if (is_val) {
    const uint8_t old = ValValue(b[p]);
    if (old >= count) return 0;
    if (span == 1) {
      h[p] = static_cast<char>(MakeVal(count, 1));
      goto merge;
    }
  } else if (!is_xzero && span == 1) {
    h[p] = static_cast<char>(MakeVal(count, 1));
    goto merge;
  }

  {
    // Step 3: split the opcode into (run before) VAL (run after): at most 5 bytes.
    uint8_t seq[5];
    size_t n = 0;
    if (!is_val) {
      if (index != first) n += PutZeros(seq + n, static_cast<uint32_t>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) n += PutZeros(seq + n, static_cast<uint32_t>(last - index));
    } else {
      const uint8_t cur = ValValue(b[p]);
      if (index != first) seq[n++] = MakeVal(cur, static_cast<uint32_t>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) seq[n++] = MakeVal(cur, static_cast<uint32_t>(last - index));
    }
    const size_t old_len = is_xzero ? 2 : 1;
    if (n > old_len && h.size() - (cut_tail ? 1 : 0) + (n - old_len) > sparse_max_bytes) {
      if (cut_tail) h.pop_back();
      if (!ToDense(h)) return -1;
      return Set(h, index, count, sparse_max_bytes);
    }
    Splice(h, p, old_len, seq, n);
    if (cut_tail) h.pop_back();
  }

merge:
  // Step 4: merge adjacent equal VAL opcodes, scanning up to five opcodes from the one
  // before the change (Redis's exact window, so the bytes match).
  {
    size_t q = prev == std::string::npos ? kHeaderSize : prev;
    int budget = 5;
    while (q < h.size() && budget-- > 0) {
      const uint8_t* c = Bytes(h);
      if (IsXZero(c[q])) {
        q += 2;
        continue;
      }
      if (IsZero(c[q])) {
        ++q;
        continue;
      }
      if (q + 1 < h.size() && IsVal(c[q + 1]) && ValValue(c[q]) == ValValue(c[q + 1])) {
        const uint32_t len = ValLen(c[q]) + ValLen(c[q + 1]);
        if (len <= kValMaxLen) {
          h[q + 1] = static_cast<char>(MakeVal(ValValue(c[q]), len));
          h.erase(q, 1);
          continue;  // try merging the merged opcode with the next one
        }
      }
      ++q;
    }
  }
  return 1;
}

}  // namespace

uint64_t MurmurHash64A(const void* key, size_t len, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (len * m);
  const auto* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  for (; data != end; data += 8) {
    uint64_t k;
    std::memcpy(&k, data, sizeof(k));  // little-endian load, as on x86/arm64
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = len & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= static_cast<uint64_t>(data[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern PatternOf(std::string_view element) {
  uint64_t hash = MurmurHash64A(element.data(), element.size(), 0xadc83b19ULL);
  const auto index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // bounds the run at kQ + 1
  return {index, static_cast<uint8_t>(__builtin_ctzll(hash) + 1)};
}

bool LooksLikeHll(std::string_view s) {
  if (s.size() < kHeaderSize) return false;
  if (s.substr(0, 4) != "HYLL") return false;
  const auto enc = static_cast<uint8_t>(s[4]);
  if (enc > kSparse) return false;
  if (enc == kDense && s.size() != kDenseSize) return false;
  return true;
}

uint8_t EncodingOf(std::string_view s) { return static_cast<uint8_t>(s[4]); }

std::string CreateEmpty() {
  std::string h(kHeaderSize, '\0');
  std::memcpy(h.data(), "HYLL", 4);
  h[4] = static_cast<char>(kSparse);
  uint8_t run[2];
  PutZeros(run, kRegisters);
  h.append(reinterpret_cast<const char*>(run), 2);
  return h;
}

bool CacheValid(std::string_view s) {
  return (static_cast<uint8_t>(s[kCardFlagOffset]) & kCardStaleBit) == 0;
}

uint64_t CachedCardinality(std::string_view s) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[kCardOffset + i]);
  return v;
}

void EncodeCardinality(uint64_t card, char out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void MarkStale(std::string& h) {
  h[kCardFlagOffset] = static_cast<char>(static_cast<uint8_t>(h[kCardFlagOffset]) | kCardStaleBit);
}

std::pair<size_t, size_t> DensePatch(const uint8_t* regs, uint32_t index, uint8_t value,
                                     uint8_t out[2]) {
  const size_t bit = static_cast<size_t>(index) * 6;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  out[0] = static_cast<uint8_t>((regs[byte] & ~(63u << shift)) | (value << shift));
  if (shift <= 2) return {byte, 1};
  const unsigned up = 8 - shift;
  out[1] = static_cast<uint8_t>((regs[byte + 1] & ~(63u >> up)) | (value >> up));
  return {byte, 2};
}

uint8_t GetDenseRegister(const uint8_t* regs, uint32_t index) {
  const size_t bit = static_cast<size_t>(index) * 6;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  unsigned v = regs[byte] >> shift;
  if (shift > 2) v |= static_cast<unsigned>(regs[byte + 1]) << (8 - shift);
  return static_cast<uint8_t>(v & 63);
}

void SetDenseRegister(uint8_t* regs, uint32_t index, uint8_t value) {
  const size_t bit = static_cast<size_t>(index) * 6;
  const size_t byte = bit / 8;
  const unsigned shift = bit & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(63u << shift)) | (value << shift));
  if (shift > 2) {
    const unsigned up = 8 - shift;
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(63u >> up)) | (value >> up));
  }
}

bool MergeInto(std::string_view hll, uint8_t* max) {
  if (EncodingOf(hll) == kDense) {
    // Four 6-bit registers per three bytes.
    const uint8_t* regs = Bytes(hll) + kHeaderSize;
    for (size_t i = 0, r = 0; i < kRegisterBytes; i += 3, r += 4) {
      const unsigned b0 = regs[i], b1 = regs[i + 1], b2 = regs[i + 2];
      const uint8_t v[4] = {
          static_cast<uint8_t>(b0 & 63), static_cast<uint8_t>(((b0 >> 6) | (b1 << 2)) & 63),
          static_cast<uint8_t>(((b1 >> 4) | (b2 << 4)) & 63), static_cast<uint8_t>(b2 >> 2)};
      for (int k = 0; k < 4; ++k) max[r + k] = std::max(max[r + k], v[k]);
    }
    return true;
  }
  return WalkSparse(hll.substr(kHeaderSize), [max](uint32_t first, uint32_t len, uint8_t v) {
    if (v == 0) return;
    for (uint32_t i = first; i < first + len; ++i) {
      if (v > max[i]) max[i] = v;
    }
  });
}

uint64_t CountRegisters(const uint8_t* regs) {
  uint32_t lanes[4][64] = {};  // see DenseHistogram
  for (uint32_t i = 0; i < kRegisters; i += 4) {
    ++lanes[0][regs[i] & 63];
    ++lanes[1][regs[i + 1] & 63];
    ++lanes[2][regs[i + 2] & 63];
    ++lanes[3][regs[i + 3] & 63];
  }
  uint32_t hist[64];
  for (int v = 0; v < 64; ++v) hist[v] = lanes[0][v] + lanes[1][v] + lanes[2][v] + lanes[3][v];
  return Estimate(hist);
}

std::optional<uint64_t> Count(std::string_view hll) {
  uint32_t hist[64] = {};
  if (EncodingOf(hll) == kDense) {
    DenseHistogram(Bytes(hll) + kHeaderSize, hist);
  } else {
    const bool ok = WalkSparse(hll.substr(kHeaderSize),
                               [&hist](uint32_t, uint32_t len, uint8_t v) { hist[v] += len; });
    if (!ok) return std::nullopt;
  }
  return Estimate(hist);
}

bool ToDense(std::string& h) {
  if (EncodingOf(h) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), h.data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = Bytes(dense) + kHeaderSize;
  const bool ok = WalkSparse(std::string_view(h).substr(kHeaderSize),
                             [regs](uint32_t first, uint32_t len, uint8_t v) {
                               if (v == 0) return;
                               for (uint32_t i = first; i < first + len; ++i) {
                                 SetDenseRegister(regs, i, v);
                               }
                             });
  if (!ok) return false;
  h = std::move(dense);
  return true;
}

int Set(std::string& h, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (EncodingOf(h) == kSparse) return SparseSet(h, index, count, sparse_max_bytes);
  uint8_t* regs = Bytes(h) + kHeaderSize;
  if (GetDenseRegister(regs, index) >= count) return 0;
  SetDenseRegister(regs, index, count);
  return 1;
}

std::string DecodeSparse(std::string_view h) {
  std::string out;
  const uint8_t* p = Bytes(h) + kHeaderSize;
  const uint8_t* end = Bytes(h) + h.size();
  while (p < end) {
    if (!out.empty()) out.push_back(' ');
    if (IsZero(*p)) {
      out += "z:" + std::to_string(ZeroLen(*p));
      ++p;
    } else if (IsXZero(*p)) {
      const bool whole = end - p >= 2;  // a cut XZERO reads as if followed by 0
      out += "Z:" + std::to_string(XZeroLen(p[0], whole ? p[1] : 0));
      p += whole ? 2 : 1;
    } else {
      out += "v:" + std::to_string(ValValue(*p)) + "," + std::to_string(ValLen(*p));
      ++p;
    }
  }
  return out;
}

}  // namespace gannet::hll
