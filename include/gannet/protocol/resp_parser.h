// Incremental RESP request parser. It does no I/O: the connection hands it the unread
// bytes of its read buffer, starting at the first byte of the command being parsed,
// and the parser says whether a whole command is there. Arguments are views into that
// buffer; nothing is copied per argument.
//
// Progress on a partly received command is remembered between calls (as offsets, since the
// buffer may move), so a large command arriving in many reads is scanned once.
//
//   RespParser p(limits);
//   for (;;) {
//     ParseResult r = p.Parse(unread);
//     if (r.status == ParseStatus::kNeedMore) break;       // read more bytes
//     if (r.status == ParseStatus::kError) { reply p.error_text(); close; }
//     execute(p.args()); unread.remove_prefix(r.consumed);  // kCommand
//   }
//
// A command of zero arguments (`*0\r\n`, `*-1\r\n`, an empty inline line) is consumed
// silently: Parse() moves on to the next command in the same call, as Redis does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gannet {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = INT32_MAX;       // Redis 7 allows up to INT_MAX
  // Tighter limits before AUTH when a password is required (CVE-2021-32675).
  bool unauthenticated = false;
  int64_t unauth_max_multibulk_len = 10;
  int64_t unauth_max_bulk_len = 16384;
};

enum class ParseStatus : uint8_t { kCommand, kNeedMore, kError };

struct ParseResult {
  ParseStatus status;
  // Bytes of the input that belong to the returned command (including any empty
  // commands skipped before it). On kNeedMore, bytes that may already be dropped
  // (skipped empty commands); 0 while a command is partly received.
  size_t consumed;
};

class RespParser {
 public:
  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  ParseResult Parse(std::string_view input);

  // The arguments of the command returned by the last kCommand, valid until the input
  // buffer changes or Parse is called again.
  const std::vector<std::string_view>& args() const { return args_; }
  // After kError: the Redis text without the leading '-' and trailing CRLF, e.g.
  // "ERR Protocol error: invalid bulk length". The connection must close after replying.
  std::string_view error_text() const { return error_; }

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }
  // Forget a partly parsed command (after the owner discards its buffer).
  void Reset();

 private:
  ParseResult ParseMultibulk(std::string_view input);
  ParseResult ParseInline(std::string_view input);
  ParseResult Fail(const char* text);

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::string_view error_;

  // State of a partly received multibulk command, as offsets from its first byte.
  bool in_multibulk_ = false;
  int64_t expected_args_ = 0;
  size_t pos_ = 0;  // next unparsed byte
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // (offset, length) per arg so far
};

}  // namespace gannet
