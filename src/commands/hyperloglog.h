// HyperLogLog in Redis's own string format, so a value GET from Redis and SET into Gannet
// (or the reverse) counts the same and keeps being updated the same way:
//
//   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 zero bytes, cached
//                      cardinality (8 bytes little endian; bit 7 of the last byte set means
//                      "stale, recompute").
//   dense:  16384 registers of 6 bits, packed from the least significant bit of each byte.
//   sparse: run-length opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx
//           yyyyyyyy (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers of value
//           1..32).
//
// Elements hash with MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register and
// the run of zero bits above them (plus one) is the value. The estimate is Ertl's improved
// estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017).
//
// Values are untrusted bytes (any client can SET them): every decoder checks run lengths
// against the register count and never indexes past what it checked (CVE-2019-10192/10193,
// CVE-2025-32023).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gannet::hll {

inline constexpr int kP = 14;
inline constexpr uint32_t kRegisters = 1u << kP;  // 16384
inline constexpr int kQ = 64 - kP;                // hash bits left for the run
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;  // 12304
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr uint8_t kSparseValMax = 32;

uint64_t MurmurHash64A(const void* key, size_t len, uint64_t seed);

// The register an element maps to and the value it offers that register (1..kQ+1).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern PatternOf(std::string_view element);

// Redis's checks for "this string is a HyperLogLog": magic, known encoding, dense size.
bool LooksLikeHll(std::string_view s);
uint8_t EncodingOf(std::string_view s);  // precondition: LooksLikeHll

// An empty HLL (sparse, one XZERO run, cached cardinality 0).
std::string CreateEmpty();

// Cached cardinality.
bool CacheValid(std::string_view s);
uint64_t CachedCardinality(std::string_view s);
// The 8 header bytes holding `card` (valid).
void EncodeCardinality(uint64_t card, char out[8]);
inline constexpr size_t kCardOffset = 8;
inline constexpr size_t kCardFlagOffset = 15;  // the byte holding the "stale" bit
inline constexpr uint8_t kCardStaleBit = 0x80;

// Dense register access on the register bytes (after the header). `regs` holds
// (kRegisters * 6 + 7) / 8 bytes; no access goes past them.
uint8_t GetDenseRegister(const uint8_t* regs, uint32_t index);
void SetDenseRegister(uint8_t* regs, uint32_t index, uint8_t value);
// The register bytes that change when register `index` becomes `value`: their new values
// go to out; returns (offset of the first within the register bytes, count 1 or 2).
std::pair<size_t, size_t> DensePatch(const uint8_t* regs, uint32_t index, uint8_t value,
                                     uint8_t out[2]);

// Raises max[i] to each register of hll (kRegisters bytes). False when the payload is
// corrupted (runs not covering exactly kRegisters registers).
bool MergeInto(std::string_view hll, uint8_t* max);

// The estimate over a plain array of kRegisters register values.
uint64_t CountRegisters(const uint8_t* regs);
// The estimate of a stored HLL (ignores the cache); nullopt when corrupted.
std::optional<uint64_t> Count(std::string_view hll);

// In-place updates of a working copy of an HLL string. Each returns 1 when a register grew,
// 0 when nothing changed, -1 when the value is corrupted. Sparse updates turn the value dense
// when a run value exceeds 32 or the string would grow past sparse_max_bytes. They do not
// touch the cached cardinality (callers mark it stale once).
int Set(std::string& h, uint32_t index, uint8_t count, size_t sparse_max_bytes);
// Converts a sparse value to dense (no-op when dense). False when corrupted.
bool ToDense(std::string& h);

// PFDEBUG DECODE's text for a sparse value ("z:3 Z:100 v:2,1 ..."). A trailing XZERO cut
// after one byte reads as if followed by 0, as in Redis.
std::string DecodeSparse(std::string_view h);

void MarkStale(std::string& h);

}  // namespace gannet::hll
