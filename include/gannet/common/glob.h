// Redis-style glob matching (*, ?, [abc], [^a-z], \x) used by KEYS, SCAN MATCH,
// CONFIG GET and PSUBSCRIBE. Runs in O(pattern * string) time with no recursion,
// so hostile patterns such as "a*a*a*a*...b" cannot blow up (CVE-2022-36021/2024-31228).
#pragma once

#include <string_view>

namespace gannet {

// Redis 7.0 semantics, quirks included: the empty string matches only the empty pattern
// (even "*" does not match it; KEYS and SCAN special-case the exact pattern "*" before
// matching, so callers that mimic them must too), an unterminated "[abc" runs to the end of
// the pattern, "[^" alone matches any byte, and a trailing lone '\\' matches a backslash.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace gannet
