// LZF (see lzf.h). The stream is a sequence of:
//   000LLLLL + L+1 literal bytes                      (a run of 1..32 literals)
//   LLLOOOOO OOOOOOOO          back-reference of L+2 bytes (L = 1..6), offset O+1 back
//   111OOOOO LLLLLLLL OOOOOOOO back-reference of L+9 bytes
// Any valid stream decodes the same in Redis, but DUMP payloads, RDB files and
// serializedlength only equal Redis's when the compressor makes liblzf's choices, so it
// follows liblzf 3.6 as Redis 7.0 runs it (HLOG 16, VERY_FAST, no table initialisation):
//
// - One table slot per bucket of a 3-byte key, holding the position last hashed there.
// - Scan left to right. At each position look up the bucket of the next 3 bytes and put
//   this position in it. The old position is a match when it is after the start of the
//   input (position 0 is never referred to), at most 8192 bytes back, and its 3 bytes
//   are equal; otherwise the byte is a literal.
// - A match extends byte by byte, stopping 2 bytes before the end of the input and at
//   264 bytes, but when more than 16 bytes could be compared the first 19 are looked at
//   without that end limit (liblzf's unrolled loop), so such a match can run to the end.
// - After a match only its last 2 positions are hashed, then the scan goes on after it;
//   a match ending within 2 bytes of the end stops the scan.
// - The last 2 bytes (at most) are literals.
// - Room is checked as liblzf does, conservatively: a match wants more than 4 bytes from
//   its token's start, a literal its own byte, the tail 3; failing any of these returns 0.
//
// Why the table needs no clearing: a slot read at position q returns a stale value (from
// an earlier input, or nothing this input put there) only when no earlier position of
// this input hashed to that bucket. A stale value p can only pass the checks when the 3
// bytes at p equal those at q, so the key occurs before q. Its first occurrence is
// hashed (a position the scan skips lies inside a match, so its key also occurs earlier),
// and it has the same bucket: the slot would not be stale. So every stale value fails,
// exactly as an empty slot does, and liblzf's output does not depend on its stack garbage.
#include "gannet/common/lzf.h"

#include <algorithm>
#include <cstring>

namespace gannet {
namespace {

constexpr unsigned kHashLog = 16;
constexpr size_t kTableSize = size_t{1} << kHashLog;
constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;  // 13 offset bits, stored minus one
constexpr size_t kMaxMatch = 264;    // 7 + 255 in the length fields, plus 2
// A match may be compared this far before the end limit is applied (see above).
constexpr size_t kUnrolledMatch = 19;

// liblzf's bucket of the 3 bytes at p in VERY_FAST mode: with v = p0 p1 p2 as a 24-bit
// number, (v >> 8) - 5v modulo 2^16. (liblzf keeps older bytes above bit 24 of its
// rolling value; they fall outside the 16 bits kept.)
inline uint32_t Bucket(const unsigned char* p) {
  const uint32_t v = uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
  return ((v >> 8) - v * 5) & (kTableSize - 1);
}

// The length of the match of ip against ref, whose first 3 bytes are equal; room is the
// number of bytes from ip to the end of the input (at least 3).
inline size_t MatchLength(const unsigned char* ref, const unsigned char* ip, size_t room) {
  size_t limit = std::min(room - 2, kMaxMatch);
  limit = limit > 16 ? std::max(limit, kUnrolledMatch) : std::max(limit, size_t{3});
  size_t len = 3;
  while (len < limit && ref[len] == ip[len]) ++len;
  return len;
}

size_t Compress(const unsigned char* in, size_t in_len, unsigned char* out, size_t out_cap,
                uint32_t* table) {
  size_t ip = 0;
  size_t op = 1;  // out[0] is the first literal run's control byte
  size_t lit = 0;

  while (ip + 2 < in_len) {
    uint32_t& slot = table[Bucket(in + ip)];
    const size_t ref = slot;
    slot = static_cast<uint32_t>(ip);
    // off wraps to a huge value when ref >= ip (a stale slot), so it also checks ref < ip.
    const size_t off = ip - ref - 1;
    if (ref > 0 && off < kMaxOffset && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] &&
        in[ref + 2] == in[ip + 2]) {
      // The token starts at op, or at the unused control byte when no literal is pending;
      // it takes at most 3 bytes and the next run's control byte 1 more.
      const size_t token = op - (lit == 0 ? 1 : 0);
      if (token + 4 >= out_cap) return 0;
      if (lit > 0) out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
      op = token;
      const size_t len = MatchLength(in + ref, in + ip, in_len - ip);
      const size_t code = len - 2;
      if (code < 7) {
        out[op++] = static_cast<unsigned char>((code << 5) | (off >> 8));
      } else {
        out[op++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
        out[op++] = static_cast<unsigned char>(code - 7);
      }
      out[op++] = static_cast<unsigned char>(off & 0xff);
      ++op;  // the next run's control byte
      lit = 0;
      ip += len;
      if (ip + 2 >= in_len) break;
      // Only the match's last two positions go into the table.
      table[Bucket(in + ip - 2)] = static_cast<uint32_t>(ip - 2);
      table[Bucket(in + ip - 1)] = static_cast<uint32_t>(ip - 1);
      continue;
    }
    if (op >= out_cap) return 0;
    out[op++] = in[ip++];
    if (++lit == kMaxLiteral) {
      out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++op;
    }
  }

  // At most 2 bytes are left; with a possible run change they take 3.
  if (op + 3 > out_cap) return 0;
  while (ip < in_len) {
    out[op++] = in[ip++];
    if (++lit == kMaxLiteral) {
      out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++op;
    }
  }
  if (lit > 0) {
    out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
  } else {
    --op;  // drop the unused control byte
  }
  return op;
}

}  // namespace

size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap, LzfScratch& scratch) {
  // Positions are 32-bit, as liblzf's (its lengths are unsigned int).
  if (in_len == 0 || out_cap == 0 || in_len > UINT32_MAX) return 0;
  if (scratch.table.size() != kTableSize) scratch.table.assign(kTableSize, 0);
  return Compress(static_cast<const unsigned char*>(in), in_len, static_cast<unsigned char*>(out),
                  out_cap, scratch.table.data());
}

size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap) {
  // A reusable buffer, not state: the output never depends on what the table holds (see
  // above), and clearing 256 KB per list node would cost more than compressing it.
  thread_local LzfScratch scratch;
  return LzfCompress(in, in_len, out, out_cap, scratch);
}

bool LzfDecompress(const void* in_v, size_t in_len, void* out_v, size_t out_len) {
  const auto* in = static_cast<const unsigned char*>(in_v);
  auto* out = static_cast<unsigned char*>(out_v);
  size_t ip = 0;
  size_t op = 0;
  while (ip < in_len) {
    const size_t ctrl = in[ip++];
    if (ctrl < 32) {
      const size_t n = ctrl + 1;
      if (n > in_len - ip || n > out_len - op) return false;
      std::memcpy(out + op, in + ip, n);
      ip += n;
      op += n;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in_len) return false;
      len += in[ip++];
    }
    if (ip >= in_len) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + in[ip++] + 1;
    len += 2;
    if (back > op || len > out_len - op) return false;
    // Byte by byte: a reference may overlap the bytes it produces (runs).
    const unsigned char* ref = out + op - back;
    if (back >= len) {
      std::memcpy(out + op, ref, len);
    } else {
      for (size_t i = 0; i < len; ++i) out[op + i] = ref[i];
    }
    op += len;
  }
  return op == out_len;
}

}  // namespace gannet
