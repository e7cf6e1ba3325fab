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
//
// Exactly Redis 7.0's framing: a bulk's two trailing bytes are skipped without being
// checked, a header line ends at '\r' with any byte after it, a NUL before a line's
// terminator hides the terminator (Redis scans with strchr), and a line longer than 64 KB
// is a protocol error. Inline lines are split as sdssplitargs does (quotes and escapes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
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

  // After kNeedMore: how many more bytes the command in progress needs at least, when that
  // is known (the rest of a bulk argument whose header was read, plus its CRLF); 0 when not
  // known. Lets the connection size its next read for a large argument.
  size_t MissingBytes() const { return missing_; }
  // True while a command is partly received (Parse returned kNeedMore mid-command).
  bool InProgress() const { return state_ != State::kIdle; }

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }
  // Forget a partly parsed command (after the owner discards its buffer).
  void Reset();

 private:
  enum class State : uint8_t { kIdle, kInline, kMultibulkHeader, kBulkHeader, kBulkData };
  enum class LineScan : uint8_t { kFound, kNeedMore, kTooBig };

  ParseResult ParseMultibulk(std::string_view input);
  ParseResult ParseInline(std::string_view input);
  // The hot path: a whole canonical multibulk command already in `input` at `start`,
  // parsed straight into args_. False (args_ left empty, no state changed) when anything
  // is unusual or missing; the general path then decides, with the same result.
  bool ParseWhole(std::string_view input, size_t start, size_t* end);
  ParseResult Fail(std::string_view text);
  // Finds the terminator of the line starting at line_start_ (resuming at scan_pos_).
  LineScan ScanLine(std::string_view input, char terminator, size_t extra, size_t* end);
  void StartLine(size_t at);

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::string error_;
  std::string inline_buf_;  // unescaped bytes of quoted inline arguments

  // State of a partly received command. Offsets are from the start of the input handed to
  // Parse, which keeps its start while a command is partly received (consumed is 0 then).
  State state_ = State::kIdle;
  size_t cmd_start_ = 0;  // first byte of the command being parsed
  int64_t expected_args_ = 0;
  int64_t bulk_len_ = 0;       // length of the bulk whose header was read (kBulkData)
  size_t pos_ = 0;             // next unparsed byte
  size_t line_start_ = 0;      // first byte of the header/inline line being looked for
  size_t scan_pos_ = 0;        // bytes before this were scanned for the line terminator
  bool line_blocked_ = false;  // a NUL precedes the terminator (Redis's strchr stops there)
  size_t missing_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) per arg so far
};

}  // namespace gannet
