// Redis-style glob matching (*, ?, [abc], [^a-z], \x) used by KEYS, SCAN MATCH,
// CONFIG GET and PSUBSCRIBE. Runs in O(pattern * string) time with no recursion,
// so hostile patterns such as "a*a*a*a*...b" cannot blow up (CVE-2022-36021/2024-31228).
#pragma once

#include <string_view>

namespace gannet {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace gannet
