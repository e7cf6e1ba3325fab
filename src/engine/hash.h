// Seeded hashing and a small PRNG for the engine's tables. The seed is chosen per table
// at random so that clients cannot pick keys that all land in one chain (hash flooding).
//
// HashBytes is a multiply-mix hash in the style of wyhash: 16 bytes per round through a
// 64x64->128 multiply, folded. It is not cryptographic (Redis uses SipHash); the random
// seed plus chaining with load factor ~1 keeps adversarial collisions impractical to find
// without seeing the seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gannet::engine_internal {

inline uint64_t MulMix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Read8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Read4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t HashBytes(const char* p, size_t n, uint64_t seed) {
  constexpr uint64_t kP0 = 0xa0761d6478bd642full;
  constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
  constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
  seed ^= MulMix(seed ^ kP0, kP1);
  uint64_t a = 0;
  uint64_t b = 0;
  if (n <= 16) {
    if (n >= 4) {
      size_t off = (n >> 3) << 2;  // 0 for n < 8, 4 for 8 <= n <= 16
      a = (Read4(p) << 32) | Read4(p + off);
      b = (Read4(p + n - 4) << 32) | Read4(p + n - 4 - off);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    size_t i = n;
    while (i > 16) {
      seed = MulMix(Read8(p) ^ kP1, Read8(p + 8) ^ seed);
      p += 16;
      i -= 16;
    }
    a = Read8(p + i - 16);
    b = Read8(p + i - 8);
  }
  return MulMix(kP2 ^ n, MulMix(a ^ kP1, b ^ seed));
}

inline uint64_t HashPointer(const void* ptr, uint64_t seed) {
  return MulMix(reinterpret_cast<uintptr_t>(ptr) ^ seed, 0x9e3779b97f4a7c15ull);
}

// SplitMix64: small, fast, good enough for sampling buckets.
struct SplitMix64 {
  uint64_t state;
  uint64_t operator()() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

}  // namespace gannet::engine_internal
