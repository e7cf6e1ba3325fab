// Strict number parsing and formatting with Redis's rules: no leading '+' or spaces,
// no trailing garbage, range-checked; doubles accept inf/-inf but never NaN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gannet {

// Parses a canonical int64 as Redis's string2ll does: optional '-', no leading zeros
// (except "0"), no '+', no spaces, at most 20 characters. nullopt on any deviation.
std::optional<int64_t> ParseInt64(std::string_view s);
// Parses an unsigned 64-bit value with the same strictness. Note that Redis 7.0 reads SCAN
// cursors with plain strtoull ("007", "+1", "-1" and "" are accepted there), so SCAN needs
// its own, laxer parser.
std::optional<uint64_t> ParseUint64(std::string_view s);
// Parses a double as Redis's string2d/strtold: accepts "inf", "+inf", "-inf" (any case),
// rejects NaN, empty input, leading/trailing spaces and garbage.
std::optional<double> ParseDouble(std::string_view s);
// Parses a long double as INCRBYFLOAT does.
std::optional<long double> ParseLongDouble(std::string_view s);

// Writes v in decimal. Returns the number of characters (at most 20).
size_t FormatInt64(int64_t v, char* out);
std::string Int64ToString(int64_t v);
// Formats a double as Redis replies with it (%.17g; "inf"/"-inf").
std::string FormatDouble(double v);
// Formats INCRBYFLOAT's result as Redis does (%.17Lf with trailing zeros removed).
std::string FormatLongDouble(long double v);

// True if s is the canonical decimal form of an int64 (what Redis stores as "int").
bool IsCanonicalInt64(std::string_view s, int64_t* out);

// The factor of a memory value's unit suffix, as Redis's memtoull reads it: none or "b" is
// bytes, k/m/g are powers of 1000 and kb/mb/gb powers of 1024, in any case. nullopt for any
// other suffix. (Configuration values and DEBUG QUICKLIST-PACKED-THRESHOLD.)
std::optional<uint64_t> MemoryUnitMultiplier(std::string_view unit);

}  // namespace gannet
