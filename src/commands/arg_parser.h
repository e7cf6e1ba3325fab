// Arguments parsed once, left to right, with the first error latched (as dragonfly's
// CmdArgParser). A handler pulls what it expects and checks the error once at the end:
//
//   ArgParser p(args, 2);                 // skip the command name and the key
//   int64_t ttl = 0;
//   while (p.HasNext()) {
//     if (p.Check("NX")) nx = true;
//     else if (p.Check("EX", &ttl)) ...   // consumes "EX" and its value
//     else p.Fail(OpStatus::kSyntaxError);
//   }
//   if (p.SendErrorIfAny(ctx.reply, "set")) return;
//
// Next<T>() past the end latches a syntax error; a value that does not parse latches the
// status for T (kNotAnInteger, kNotAFloat). Once an error is latched every further Next
// returns T{} and Check returns false, so loops end and nothing else is reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "error_text.h"
#include "gannet/commands/command.h"
#include "gannet/common/ascii.h"
#include "gannet/common/numbers.h"
#include "gannet/common/status.h"
#include "gannet/protocol/reply_builder.h"

namespace gannet {

class ArgParser {
 public:
  // Parses args[start..].
  explicit ArgParser(CmdArgs args, size_t start = 1) : args_(args), pos_(start) {}

  bool HasNext() const { return !has_error() && pos_ < args_.size(); }
  size_t remaining() const { return pos_ < args_.size() ? args_.size() - pos_ : 0; }
  size_t position() const { return pos_; }
  // The next argument without consuming it ("" at the end).
  std::string_view Peek() const { return pos_ < args_.size() ? args_[pos_] : std::string_view{}; }
  void Skip(size_t n) { pos_ = n > remaining() ? args_.size() : pos_ + n; }

  // Consumes one argument as T: std::string_view, int64_t, uint64_t, int, double,
  // long double.
  template <typename T>
  T Next() {
    if (has_error()) return T{};
    if (pos_ >= args_.size()) {
      Fail(OpStatus::kSyntaxError);
      return T{};
    }
    std::string_view s = args_[pos_++];
    if constexpr (std::is_same_v<T, std::string_view>) {
      return s;
    } else if constexpr (std::is_same_v<T, int64_t>) {
      auto v = ParseInt64(s);
      if (!v) Fail(OpStatus::kNotAnInteger);
      return v.value_or(0);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      auto v = ParseUint64(s);
      if (!v) Fail(OpStatus::kNotAnInteger);
      return v.value_or(0);
    } else if constexpr (std::is_same_v<T, int>) {
      auto v = ParseInt64(s);
      if (!v || *v < INT32_MIN || *v > INT32_MAX) {
        Fail(OpStatus::kNotAnInteger);
        return 0;
      }
      return static_cast<int>(*v);
    } else if constexpr (std::is_same_v<T, double>) {
      auto v = ParseDouble(s);
      if (!v) Fail(OpStatus::kNotAFloat);
      return v.value_or(0.0);
    } else if constexpr (std::is_same_v<T, long double>) {
      auto v = ParseLongDouble(s);
      if (!v) Fail(OpStatus::kNotAFloat);
      return v.value_or(0.0L);
    } else {
      static_assert(sizeof(T) == 0, "unsupported argument type");
    }
  }

  // If the next argument equals tag (ASCII case-insensitive), consumes it and returns true.
  bool Check(std::string_view tag) {
    if (!HasNext() || !EqualsNoCase(args_[pos_], tag)) return false;
    ++pos_;
    return true;
  }

  // If the next argument is tag, consumes it and the value after it into *out (a missing
  // value latches a syntax error) and returns true.
  template <typename T>
  bool Check(std::string_view tag, T* out) {
    if (!Check(tag)) return false;
    *out = Next<T>();
    return true;
  }

  // Latches an error unless one is already latched.
  void Fail(OpStatus status) {
    if (!has_error()) status_ = status;
  }
  void Fail(std::string_view text) {
    if (has_error()) return;
    status_ = OpStatus::kSyntaxError;
    text_.assign(text);
  }

  bool has_error() const { return status_ != OpStatus::kOk; }
  OpStatus status() const { return status_; }
  // The latched error's text ("" when none); command names kInvalidExpire's command.
  std::string ErrorText(std::string_view command = {}) const {
    if (!has_error()) return {};
    if (!text_.empty()) return text_;
    return ::gannet::ErrorText(status_, command);
  }
  // Sends the latched error, if any, and returns whether it did.
  bool SendErrorIfAny(ReplyBuilder& rb, std::string_view command = {}) const {
    if (!has_error()) return false;
    rb.SendError(ErrorText(command));
    return true;
  }

 private:
  CmdArgs args_;
  size_t pos_;
  OpStatus status_ = OpStatus::kOk;
  std::string text_;
};

}  // namespace gannet
