// Pieces the big (hashtable) encodings of sets and hashes share: length-prefixed strings
// stored inline in intrusive table nodes, a per-call random seed, and the node allocator.
//
// A node is one allocation: the chain pointer, then its strings, each as a length prefix
// (one byte below 255, else 0xFF and 8 bytes) followed by the bytes. A set member of up
// to 7 bytes (every integer below 10 million) fits a 16-byte jemalloc class; a field and
// value of up to 10 bytes together fit 32. Redis spends a 24-byte dictEntry plus one sds
// allocation per string on the same data.
#pragma once

#include <malloc.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "hash.h"

namespace gannet::engine_internal {

inline size_t LenPrefixSize(size_t len) { return len < 255 ? 1 : 9; }

// Writes len's prefix and the bytes at p; returns the end.
inline unsigned char* PutString(unsigned char* p, std::string_view s) {
  if (s.size() < 255) {
    *p++ = static_cast<unsigned char>(s.size());
  } else {
    *p++ = 0xff;
    const uint64_t len = s.size();
    std::memcpy(p, &len, 8);
    p += 8;
  }
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Reads the string at p; *end receives the byte after it.
inline std::string_view GetString(const unsigned char* p, const unsigned char** end) {
  uint64_t len = *p++;
  if (len == 0xff) {
    std::memcpy(&len, p, 8);
    p += 8;
  }
  *end = p + len;
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(len)};
}

inline void* NodeAlloc(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) {
    std::fprintf(stderr, "gannet: out of memory allocating %zu bytes\n", n);
    std::abort();
  }
  return p;
}

inline void* NodeRealloc(void* old, size_t n) {
  void* p = std::realloc(old, n);
  if (p == nullptr) {
    std::fprintf(stderr, "gannet: out of memory allocating %zu bytes\n", n);
    std::abort();
  }
  return p;
}

// A seed for one command's random choices (SPOP, SRANDMEMBER, HRANDFIELD). The steady
// clock changes between any two calls and the object's address separates objects, so no
// generator state has to live in every collection or in a global. Not cryptographic;
// neither is Redis's random().
inline uint64_t FreshSeed(const void* salt) {
  const auto t = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return MulMix(t ^ 0x9e3779b97f4a7c15ull, reinterpret_cast<uintptr_t>(salt) | 1);
}

// A uniformly random node of an IncrementalTable. The table's RandomNode picks a random
// non-empty bucket and then a node of its chain, which favours nodes in short chains (a
// member alone in its bucket comes up twice as often as one sharing it). Accepting the
// pick with probability len/4 (always when the chain has 4 or more nodes) makes every
// node in chains of up to 4 equally likely; at our load factor longer chains are rare.
// About a third of picks are accepted, so this costs a few RandomNode calls, as Redis's
// dictGetFairRandomKey costs a sample of 15. While the table resizes, the two bucket
// arrays have different loads and the weights are off, so each pick also moves the
// rehash one step on, as a lookup would.
template <typename Table, typename Rng>
auto* FairRandomNode(Table& t, Rng& rng) {
  constexpr uint64_t kFairChain = 4;
  if (t.rehashing()) t.RehashSteps(1);
  for (int tries = 0; tries < 64; ++tries) {
    auto* n = t.RandomNode(rng);
    uint64_t len = 0;
    t.VisitBucketsAt(t.Hash(n), [&len](const auto*) { ++len; });
    if (len >= kFairChain || rng() % kFairChain < len) return n;
  }
  return t.RandomNode(rng);
}

}  // namespace gannet::engine_internal
