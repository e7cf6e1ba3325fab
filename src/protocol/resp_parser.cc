// Incremental RESP request parser (multibulk and inline), byte-compatible with Redis 7.0's
// processMultibulkBuffer/processInlineBuffer including their error texts. See the header
// for the calling contract.
//
// Hot path: a pipelined "*3\r\n$3\r\nSET\r\n..." is parsed with one pass over header bytes
// and no allocation (spans_ and args_ keep their capacity between commands).
#include "gannet/protocol/resp_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "gannet/common/numbers.h"

namespace gannet {

namespace {

// Redis's PROTO_INLINE_MAX_SIZE: a line may hold this many bytes before its terminator.
constexpr size_t kMaxLineBytes = 64 * 1024;
// Never reserve more than this many argument slots up front for a declared count: a
// hostile "*2000000000" costs nothing until arguments really arrive (as Redis does).
constexpr int64_t kMaxReserve = 1024;
// Argument vectors larger than this are released after the command instead of reused.
constexpr size_t kKeepCapacity = 4096;

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Fast path for the usual header line "<type><canonical non-negative number>\r" followed by
// at least one more byte. Returns false when the general path must decide (negative or
// malformed numbers, more than 18 digits, line not complete yet).
bool QuickHeader(const char* data, size_t size, size_t p, int64_t* value, size_t* cr) {
  size_t q = p + 1;
  if (q + 2 >= size) return false;
  if (data[q] == '0') {
    if (data[q + 1] != '\r') return false;
    *value = 0;
    *cr = q + 1;
    return true;
  }
  if (data[q] < '1' || data[q] > '9') return false;
  uint64_t v = static_cast<uint64_t>(data[q] - '0');
  ++q;
  const size_t stop = std::min(size, p + 19);  // at most 18 digits: cannot overflow
  while (q < stop && data[q] >= '0' && data[q] <= '9') {
    v = v * 10 + static_cast<uint64_t>(data[q] - '0');
    ++q;
  }
  if (q + 1 >= size || data[q] != '\r') return false;
  *value = static_cast<int64_t>(v);
  *cr = q;
  return true;
}

}  // namespace

void RespParser::Reset() {
  state_ = State::kIdle;
  cmd_start_ = 0;
  expected_args_ = 0;
  bulk_len_ = 0;
  pos_ = 0;
  line_start_ = 0;
  scan_pos_ = 0;
  line_blocked_ = false;
  missing_ = 0;
  spans_.clear();
}

ParseResult RespParser::Fail(std::string_view text) {
  error_.assign(text);
  Reset();
  return {ParseStatus::kError, 0};
}

void RespParser::StartLine(size_t at) {
  line_start_ = at;
  scan_pos_ = at;
  line_blocked_ = false;
}

RespParser::LineScan RespParser::ScanLine(std::string_view in, char terminator, size_t extra,
                                          size_t* end) {
  // Only the first kMaxLineBytes + 1 bytes of a line matter: a terminator further away
  // means the line is too big whatever comes later.
  const size_t window_end = std::min(in.size(), line_start_ + kMaxLineBytes + 1);
  if (!line_blocked_ && scan_pos_ < window_end) {
    const char* from = in.data() + scan_pos_;
    size_t n = window_end - scan_pos_;
    const void* hit = std::memchr(from, terminator, n);
    size_t upto = hit ? static_cast<size_t>(static_cast<const char*>(hit) - from) : n;
    if (std::memchr(from, '\0', upto) != nullptr) {
      line_blocked_ = true;
    } else if (hit != nullptr) {
      size_t at = scan_pos_ + upto;
      scan_pos_ = at;  // found again in O(1) if the byte after it is still missing
      if (at + extra >= in.size()) return LineScan::kNeedMore;
      *end = at;
      return LineScan::kFound;
    } else {
      scan_pos_ = window_end;
    }
  }
  if (in.size() - line_start_ > kMaxLineBytes) return LineScan::kTooBig;
  return LineScan::kNeedMore;
}

ParseResult RespParser::Parse(std::string_view input) {
  args_.clear();
  if (args_.capacity() > kKeepCapacity) {
    // A huge command came before: give its memory back rather than keep it per client.
    std::vector<std::string_view>().swap(args_);
    if (state_ == State::kIdle) std::vector<std::pair<size_t, size_t>>().swap(spans_);
  }
  missing_ = 0;
  if (state_ != State::kIdle && input.size() < std::max(pos_, scan_pos_)) {
    // The owner dropped bytes of a partly parsed command without Reset(): start over rather
    // than trust stale offsets.
    Reset();
  }
  for (;;) {
    if (state_ == State::kIdle) {
      if (cmd_start_ >= input.size()) {
        size_t skipped = cmd_start_;
        cmd_start_ = 0;
        return {ParseStatus::kNeedMore, skipped};
      }
      if (input[cmd_start_] == '*') {
        size_t end;
        if (ParseWhole(input, cmd_start_, &end)) {
          cmd_start_ = 0;
          return {ParseStatus::kCommand, end};
        }
      }
      pos_ = cmd_start_;
      StartLine(cmd_start_);
      state_ = input[cmd_start_] == '*' ? State::kMultibulkHeader : State::kInline;
    }
    ParseResult r = state_ == State::kInline ? ParseInline(input) : ParseMultibulk(input);
    if (r.status != ParseStatus::kCommand) return r;
    // r.consumed is the offset just past the command.
    if (args_.empty()) {
      cmd_start_ = r.consumed;
      continue;
    }
    cmd_start_ = 0;
    return r;
  }
}

bool RespParser::ParseWhole(std::string_view in, size_t start, size_t* end) {
  const char* const data = in.data();
  const size_t size = in.size();
  // Reads "<canonical number>\r" at p (just past the type byte) followed by one more byte
  // (Redis skips the byte after '\r' unchecked), as QuickHeader does; sets p past both.
  auto number = [data, size](size_t& p, int64_t* value) {
    if (p >= size || data[p] < '0' || data[p] > '9') return false;
    if (data[p] == '0' && p + 1 < size && data[p + 1] != '\r') return false;  // leading zero
    uint64_t v = 0;
    const size_t stop = std::min(size, p + 18);  // at most 18 digits: cannot overflow
    size_t q = p;
    while (q < stop && data[q] >= '0' && data[q] <= '9') {
      v = v * 10 + static_cast<uint64_t>(data[q] - '0');
      ++q;
    }
    if (q + 1 >= size || data[q] != '\r') return false;
    *value = static_cast<int64_t>(v);
    p = q + 2;
    return true;
  };
  size_t p = start + 1;
  int64_t n;
  if (!number(p, &n) || n <= 0 || n > kMaxReserve || n > limits_.max_multibulk_len ||
      (limits_.unauthenticated && n > limits_.unauth_max_multibulk_len)) {
    return false;
  }
  args_.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t len;
    if (p >= size || data[p] != '$') break;
    ++p;
    if (!number(p, &len) || len > limits_.max_bulk_len ||
        (limits_.unauthenticated && len > limits_.unauth_max_bulk_len) ||
        size - p < static_cast<uint64_t>(len) + 2) {
      break;
    }
    args_.emplace_back(data + p, static_cast<size_t>(len));
    p += static_cast<size_t>(len) + 2;
  }
  if (args_.size() != static_cast<size_t>(n)) {
    args_.clear();
    return false;
  }
  *end = p;
  return true;
}

ParseResult RespParser::ParseMultibulk(std::string_view in) {
  if (state_ == State::kMultibulkHeader) {
    size_t cr;
    std::optional<int64_t> n;
    int64_t quick;
    if (QuickHeader(in.data(), in.size(), pos_, &quick, &cr)) {
      n = quick;
    } else {
      switch (ScanLine(in, '\r', 1, &cr)) {
        case LineScan::kNeedMore:
          return {ParseStatus::kNeedMore, 0};
        case LineScan::kTooBig:
          return Fail("ERR Protocol error: too big mbulk count string");
        case LineScan::kFound:
          break;
      }
      n = ParseInt64(in.substr(pos_ + 1, cr - pos_ - 1));
    }
    if (!n || *n > limits_.max_multibulk_len) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    if (limits_.unauthenticated && *n > limits_.unauth_max_multibulk_len) {
      return Fail("ERR Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr + 2;
    if (*n <= 0) {
      state_ = State::kIdle;
      return {ParseStatus::kCommand, pos_};
    }
    expected_args_ = *n;
    spans_.clear();
    spans_.reserve(static_cast<size_t>(std::min(*n, kMaxReserve)));
    state_ = State::kBulkHeader;
    StartLine(pos_);
  }

  const char* data = in.data();
  const size_t size = in.size();
  while (static_cast<int64_t>(spans_.size()) < expected_args_) {
    if (state_ == State::kBulkHeader) {
      size_t p = pos_;
      int64_t quick;
      size_t qcr;
      bool fast = p < size && data[p] == '$' && QuickHeader(data, size, p, &quick, &qcr);
      if (fast) {
        if (quick > limits_.max_bulk_len) return Fail("ERR Protocol error: invalid bulk length");
        if (limits_.unauthenticated && quick > limits_.unauth_max_bulk_len) {
          return Fail("ERR Protocol error: unauthenticated bulk length");
        }
        bulk_len_ = quick;
        pos_ = qcr + 2;
      }
      if (!fast) {
        size_t cr;
        switch (ScanLine(in, '\r', 1, &cr)) {
          case LineScan::kNeedMore:
            return {ParseStatus::kNeedMore, 0};
          case LineScan::kTooBig:
            return Fail("ERR Protocol error: too big bulk count string");
          case LineScan::kFound:
            break;
        }
        if (data[pos_] != '$') {
          error_ = "ERR Protocol error: expected '$', got '";
          char c = data[pos_];
          // Redis neutralises CR/LF in error replies; the byte can be '\r' here.
          error_.push_back(c == '\r' || c == '\n' ? ' ' : c);
          error_.push_back('\'');
          std::string text = std::move(error_);
          return Fail(text);
        }
        std::optional<int64_t> len = ParseInt64(in.substr(pos_ + 1, cr - pos_ - 1));
        if (!len || *len < 0 || *len > limits_.max_bulk_len) {
          return Fail("ERR Protocol error: invalid bulk length");
        }
        if (limits_.unauthenticated && *len > limits_.unauth_max_bulk_len) {
          return Fail("ERR Protocol error: unauthenticated bulk length");
        }
        bulk_len_ = *len;
        pos_ = cr + 2;
      }
      state_ = State::kBulkData;
    }
    // kBulkData: the payload and two more bytes (Redis skips them unchecked).
    uint64_t need = static_cast<uint64_t>(bulk_len_) + 2;
    if (size - pos_ < need) {
      missing_ = static_cast<size_t>(need - (size - pos_));
      return {ParseStatus::kNeedMore, 0};
    }
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(need);
    state_ = State::kBulkHeader;
    StartLine(pos_);
  }

  args_.resize(spans_.size());
  for (size_t i = 0; i < spans_.size(); ++i) {
    args_[i] = std::string_view(data + spans_[i].first, spans_[i].second);
  }
  spans_.clear();
  state_ = State::kIdle;
  return {ParseStatus::kCommand, pos_};
}

// Splits one inline line as Redis's sdssplitargs does. Arguments without quotes are views
// into the input; quoted ones are unescaped into inline_buf_, reserved up front so views into
// it stay valid.
ParseResult RespParser::ParseInline(std::string_view in) {
  size_t nl;
  switch (ScanLine(in, '\n', 0, &nl)) {
    case LineScan::kNeedMore:
      return {ParseStatus::kNeedMore, 0};
    case LineScan::kTooBig:
      return Fail("ERR Protocol error: too big inline request");
    case LineScan::kFound:
      break;
  }
  size_t end = nl;
  if (end > pos_ && in[end - 1] == '\r') --end;
  const char* p = in.data() + pos_;
  const char* const e = in.data() + end;  // the line holds no NUL (ScanLine checked)
  inline_buf_.clear();
  inline_buf_.reserve(static_cast<size_t>(e - p));
  auto at = [e](const char* q) { return q < e ? *q : '\0'; };

  for (;;) {
    while (p < e && IsSpace(*p)) ++p;
    if (p >= e) break;
    const char* token = p;                 // start of an unquoted token, viewed in place
    size_t buf_start = std::string::npos;  // set once the token needs unescaping
    bool inq = false;
    bool insq = false;
    bool done = false;
    auto copy_so_far = [&]() {
      if (buf_start == std::string::npos) {
        buf_start = inline_buf_.size();
        inline_buf_.append(token, static_cast<size_t>(p - token));
      }
    };
    while (!done) {
      char c = at(p);
      if (inq) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          inline_buf_.push_back(static_cast<char>(HexValue(p[2]) * 16 + HexValue(p[3])));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          char x = *p;
          switch (x) {
            case 'n':
              x = '\n';
              break;
            case 'r':
              x = '\r';
              break;
            case 't':
              x = '\t';
              break;
            case 'b':
              x = '\b';
              break;
            case 'a':
              x = '\a';
              break;
            default:
              break;
          }
          inline_buf_.push_back(x);
        } else if (c == '"') {
          // A closing quote must be followed by a space or the end of the line.
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) {
            return Fail("ERR Protocol error: unbalanced quotes in request");
          }
          done = true;
        } else if (c == '\0') {
          return Fail("ERR Protocol error: unbalanced quotes in request");
        } else {
          inline_buf_.push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          inline_buf_.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) {
            return Fail("ERR Protocol error: unbalanced quotes in request");
          }
          done = true;
        } else if (c == '\0') {
          return Fail("ERR Protocol error: unbalanced quotes in request");
        } else {
          inline_buf_.push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            copy_so_far();
            inq = true;
            break;
          case '\'':
            copy_so_far();
            insq = true;
            break;
          default:
            if (buf_start != std::string::npos) inline_buf_.push_back(c);
            break;
        }
      }
      if (done && buf_start == std::string::npos) {
        args_.emplace_back(token, static_cast<size_t>(p - token));
      }
      if (p < e) ++p;
    }
    if (buf_start != std::string::npos) {
      args_.emplace_back(inline_buf_.data() + buf_start, inline_buf_.size() - buf_start);
    }
  }
  state_ = State::kIdle;
  return {ParseStatus::kCommand, nl + 1};
}

}  // namespace gannet
