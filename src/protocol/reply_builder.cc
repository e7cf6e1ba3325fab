// RESP2/RESP3 reply encoding. Every Send* appends straight into the caller's string; a
// header and a short payload go in with one append so the common replies cost one
// capacity check.
#include "gannet/protocol/reply_builder.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "gannet/common/numbers.h"

namespace gannet {

namespace {

// Payloads up to this size are assembled on the stack with their header and CRLF.
constexpr size_t kSmallPayload = 256;

// Writes "<prefix><n>\r\n" into buf and returns its length (at most 23 bytes).
size_t Header(char* buf, char prefix, int64_t n) {
  buf[0] = prefix;
  size_t len;
  if (n >= 0 && n < 100) {  // most lengths and counts: no general formatting
    if (n < 10) {
      buf[1] = static_cast<char>('0' + n);
      len = 2;
    } else {
      buf[1] = static_cast<char>('0' + n / 10);
      buf[2] = static_cast<char>('0' + n % 10);
      len = 3;
    }
  } else {
    len = 1 + FormatInt64(n, buf + 1);
  }
  buf[len++] = '\r';
  buf[len++] = '\n';
  return len;
}

void AppendHeader(std::string* out, char prefix, int64_t n) {
  char buf[24];
  out->append(buf, Header(buf, prefix, n));
}

// Appends "<prefix><len>\r\n<payload>\r\n" (a bulk-like frame).
void AppendFrame(std::string* out, char prefix, std::string_view payload) {
  char buf[24 + kSmallPayload + 2];
  size_t len = Header(buf, prefix, static_cast<int64_t>(payload.size()));
  if (payload.size() <= kSmallPayload) {
    // An empty view may carry a null pointer, which memcpy must not be given.
    if (!payload.empty()) std::memcpy(buf + len, payload.data(), payload.size());
    len += payload.size();
    buf[len++] = '\r';
    buf[len++] = '\n';
    out->append(buf, len);
    return;
  }
  out->reserve(out->size() + len + payload.size() + 2);
  out->append(buf, len);
  out->append(payload);
  out->append("\r\n", 2);
}

// Appends "<prefix><text>\r\n".
void AppendLine(std::string* out, char prefix, std::string_view text) {
  if (text.size() <= kSmallPayload) {
    char buf[kSmallPayload + 3];
    buf[0] = prefix;
    if (!text.empty()) std::memcpy(buf + 1, text.data(), text.size());
    buf[text.size() + 1] = '\r';
    buf[text.size() + 2] = '\n';
    out->append(buf, text.size() + 3);
    return;
  }
  out->reserve(out->size() + text.size() + 3);
  out->push_back(prefix);
  out->append(text);
  out->append("\r\n", 2);
}

}  // namespace

void ReplyBuilder::SendSimple(std::string_view s) { AppendLine(out_, '+', s); }

void ReplyBuilder::SendError(std::string_view text) {
  ++errors_sent_;
  // Redis looks for the space in "-" + text limited to 32 bytes.
  const size_t space = text.substr(0, 31).find(' ');
  const std::string_view code = space == std::string_view::npos ? "ERR" : text.substr(0, space);
  if (!code.empty()) std::memcpy(last_error_code_, code.data(), code.size());
  last_error_code_len_ = static_cast<uint8_t>(code.size());
  size_t start = out_->size();
  AppendLine(out_, '-', text);
  // CR or LF inside the text would break framing; Redis turns them into spaces.
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    char* p = out_->data() + start + 1;
    for (size_t i = 0; i < text.size(); ++i) {
      if (p[i] == '\r' || p[i] == '\n') p[i] = ' ';
    }
  }
}

void ReplyBuilder::SendBulk(std::string_view s) { AppendFrame(out_, '$', s); }

void ReplyBuilder::SendLong(int64_t v) { AppendHeader(out_, ':', v); }

void ReplyBuilder::SendDouble(double v) {
  char buf[64];
  size_t len;
  if (std::isinf(v)) {
    len = v > 0 ? 3 : 4;
    std::memcpy(buf, v > 0 ? "inf" : "-inf", len);
  } else if (std::isnan(v)) {
    len = 3;
    std::memcpy(buf, "nan", 3);
  } else {
    len = static_cast<size_t>(std::snprintf(buf, sizeof(buf), "%.17g", v));
  }
  if (resp3()) {
    AppendLine(out_, ',', std::string_view(buf, len));
  } else {
    AppendFrame(out_, '$', std::string_view(buf, len));
  }
}

void ReplyBuilder::SendBool(bool v) {
  if (resp3()) {
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(v ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyBuilder::SendBigNumber(std::string_view digits) {
  if (resp3()) {
    AppendLine(out_, '(', digits);
  } else {
    AppendFrame(out_, '$', digits);
  }
}

void ReplyBuilder::SendVerbatim(std::string_view text, std::string_view format) {
  if (!resp3()) {
    AppendFrame(out_, '$', text);
    return;
  }
  // "=<len>\r\n<fmt>:<text>\r\n" where len counts the 3-byte format and the colon.
  AppendHeader(out_, '=', static_cast<int64_t>(text.size() + format.size() + 1));
  out_->append(format);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n", 2);
}

void ReplyBuilder::SendNull() {
  if (resp3()) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyBuilder::SendNullArray() {
  if (resp3()) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyBuilder::SendArrayLen(size_t n) { AppendHeader(out_, '*', static_cast<int64_t>(n)); }

void ReplyBuilder::SendMapLen(size_t n) {
  if (resp3()) {
    AppendHeader(out_, '%', static_cast<int64_t>(n));
  } else {
    AppendHeader(out_, '*', static_cast<int64_t>(n * 2));
  }
}

void ReplyBuilder::SendSetLen(size_t n) {
  AppendHeader(out_, resp3() ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::SendPushLen(size_t n) {
  AppendHeader(out_, resp3() ? '>' : '*', static_cast<int64_t>(n));
}

}  // namespace gannet
