// Argument parsing the SCAN family shares: the cursor as Redis 7.0 reads it (SCAN, SSCAN,
// HSCAN, ZSCAN), then MATCH and COUNT for the collection scans. Redis parses the cursor before looking up the key and
// the options after it, so a missing key answers "0" and an empty list whatever options
// follow; the handlers keep that order.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command.h"

namespace gannet {

// strtoul's reading, as Redis's parseScanCursorOrReply: optional sign, decimal digits,
// nothing else, no overflow; "-1" wraps to 2^64-1 and "" is 0.
inline std::optional<uint64_t> ParseScanCursor(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return negative ? (~v + 1) : v;
}

struct CollectionScanOptions {
  std::string_view pattern;
  bool use_pattern = false;  // false also for "*", which matches everything
  size_t count = 10;
};

// Parses [MATCH pattern] [COUNT count] from args[start..]; on error sends it and returns
// false. COUNT must be an integer >= 1 (below 1 is a syntax error, as in Redis).
inline bool ParseCollectionScanOptions(CmdArgs args, size_t start, CollectionScanOptions* o,
                                       ReplyBuilder& reply) {
  for (size_t i = start; i < args.size(); i += 2) {
    const bool has_value = i + 1 < args.size();
    if (EqualsNoCase(args[i], "COUNT") && has_value) {
      auto v = ParseInt64(args[i + 1]);
      if (!v) {
        reply.SendError(kNotIntegerErr);
        return false;
      }
      if (*v < 1) {
        reply.SendError(kSyntaxErr);
        return false;
      }
      o->count = static_cast<size_t>(*v);
    } else if (EqualsNoCase(args[i], "MATCH") && has_value) {
      o->pattern = args[i + 1];
      o->use_pattern = o->pattern != "*";
    } else {
      reply.SendError(kSyntaxErr);
      return false;
    }
  }
  return true;
}

}  // namespace gannet
