// LZF (see lzf.h). The stream is a sequence of:
//   000LLLLL + L+1 literal bytes                      (a run of 1..32 literals)
//   LLLOOOOO OOOOOOOO          back-reference of L+2 bytes (L = 1..6), offset O+1 back
//   111OOOOO LLLLLLLL OOOOOOOO back-reference of L+9 bytes
// The compressor finds matches with a hash table of the last position of every 3-byte
// prefix, greedy, as liblzf does; ratios are close to liblzf's, and any valid stream
// decodes the same way in Redis.
#include "gannet/common/lzf.h"

#include <cstring>

namespace gannet {
namespace {

constexpr unsigned kHashLog = 14;
// The one-shot compressor's table: 2^12 slots on the stack (16 KB), enough for a list
// node of a few KB; smaller inputs clear only the slots they can use.
constexpr unsigned kOneShotHashLog = 12;
constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;
constexpr size_t kMaxMatch = 264;  // 7 + 255 + 2

inline uint32_t Hash3(const unsigned char* p, unsigned hash_log) {
  const uint32_t v = uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
  return (v * 2654435761u) >> (32 - hash_log);
}

// The compressor proper: table has 2^hash_log slots, each empty (<= base) or holding
// base + position + 1 of this input.
size_t Compress(const unsigned char* in, size_t in_len, unsigned char* out, size_t out_cap,
                uint32_t* table, unsigned hash_log, uint32_t base) {

  size_t ip = 0;
  size_t op = 1;  // out[0] is the first literal run's control byte
  size_t lit = 0;
  // Closes the current literal run (or drops its unused control byte).
  auto close_run = [&]() {
    if (lit > 0) {
      out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
    } else {
      --op;
    }
  };

  // Copies in[ip] into the current literal run, closing the run when it is full. False
  // when the byte (and a next run's control byte) would not fit.
  auto copy_literal = [&]() {
    if (op + 2 > out_cap) return false;
    out[op++] = in[ip++];
    if (++lit == kMaxLiteral) {
      out[op - lit - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++op;
    }
    return true;
  };

  while (ip + 2 < in_len) {
    const uint32_t h = Hash3(in + ip, hash_log);
    const uint32_t slot = table[h];
    table[h] = static_cast<uint32_t>(base + ip + 1);
    if (slot > base) {
      const size_t ref = slot - base - 1;
      const size_t off = ip - ref - 1;
      if (off < kMaxOffset && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] &&
          in[ref + 2] == in[ip + 2]) {
        size_t max = in_len - ip;
        if (max > kMaxMatch) max = kMaxMatch;
        size_t len = 3;
        while (len < max && in[ref + len] == in[ip + len]) ++len;
        // A reference takes at most 3 bytes, and a new run's control byte 1 more.
        if (op + 4 > out_cap) return 0;
        close_run();
        const size_t l = len - 2;
        if (l < 7) {
          out[op++] = static_cast<unsigned char>((l << 5) | (off >> 8));
        } else {
          out[op++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
          out[op++] = static_cast<unsigned char>(l - 7);
        }
        out[op++] = static_cast<unsigned char>(off & 0xff);
        lit = 0;
        ++op;  // the next run's control byte
        // Index the positions inside the match so later data can refer into it.
        const size_t end = ip + len;
        for (++ip; ip < end && ip + 2 < in_len; ++ip) {
          table[Hash3(in + ip, hash_log)] = static_cast<uint32_t>(base + ip + 1);
        }
        ip = end;
        continue;
      }
    }
    if (!copy_literal()) return 0;
  }
  while (ip < in_len) {
    if (!copy_literal()) return 0;
  }
  close_run();
  return op;
}

}  // namespace

size_t LzfCompress(const void* in_v, size_t in_len, void* out_v, size_t out_cap,
                   LzfScratch& scratch) {
  if (in_len == 0 || out_cap == 0) return 0;
  // Inputs past 1 GB are stored raw (positions must fit the 32-bit slots).
  if (in_len >= (uint32_t{1} << 30)) return 0;
  std::vector<uint32_t>& table = scratch.table;
  if (table.empty() || UINT32_MAX - scratch.base <= in_len + 1) {
    table.assign(size_t{1} << kHashLog, 0);
    scratch.base = 0;
  }
  const uint32_t base = scratch.base;
  scratch.base += static_cast<uint32_t>(in_len + 1);
  return Compress(static_cast<const unsigned char*>(in_v), in_len,
                  static_cast<unsigned char*>(out_v), out_cap, table.data(), kHashLog, base);
}

size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap) {
  if (in_len == 0 || out_cap == 0 || in_len >= (uint32_t{1} << 30)) return 0;
  unsigned hash_log = 8;
  while (hash_log < kOneShotHashLog && (size_t{1} << hash_log) < in_len) ++hash_log;
  uint32_t table[size_t{1} << kOneShotHashLog];
  std::memset(table, 0, (size_t{1} << hash_log) * sizeof(uint32_t));
  return Compress(static_cast<const unsigned char*>(in), in_len, static_cast<unsigned char*>(out),
                  out_cap, table, hash_log, 0);
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
