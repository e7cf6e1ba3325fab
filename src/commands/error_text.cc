// Status-to-text mapping and the dispatcher's error texts (see error_text.h). Nothing else
// in the code base spells a Redis error for an OpStatus.
#include "error_text.h"

#include <algorithm>
#include <cctype>

namespace gannet {

namespace {

constexpr size_t kEchoCap = 128;  // Redis caps echoed user input at 128 bytes

// Appends s with CR and LF turned into spaces: an error reply must stay one line.
void AppendSanitized(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

std::string_view EchoedArg(std::string_view arg) { return arg.substr(0, arg.find('\0')); }

std::string TrimFormattedError(std::string text) {
  size_t end = text.find_last_not_of("\r\n");
  text.resize(end == std::string::npos ? 0 : end + 1);
  size_t begin = text.find_first_not_of("\r\n");
  text.erase(0, begin == std::string::npos ? text.size() : begin);
  return text;
}

std::string InvalidExpireText(std::string_view command) {
  std::string out = "ERR invalid expire time in '";
  out.append(command);
  out.append("' command");
  return out;
}

std::string ErrorText(OpStatus status, std::string_view command) {
  switch (status) {
    case OpStatus::kOk:
    case OpStatus::kSkipped:
      return {};
    case OpStatus::kKeyNotFound:
      return std::string(kNoSuchKeyErr);
    case OpStatus::kWrongType:
      return std::string(kWrongTypeErr);
    case OpStatus::kNotAnInteger:
      return std::string(kNotIntegerErr);
    case OpStatus::kNotAFloat:
      return std::string(kNotFloatErr);
    case OpStatus::kOverflow:
      return std::string(kOverflowErr);
    case OpStatus::kNanOrInfinity:
      return "ERR increment would produce NaN or Infinity";
    case OpStatus::kSyntaxError:
      return std::string(kSyntaxErr);
    case OpStatus::kOutOfRange:
      return std::string(kOutOfRangeErr);
    case OpStatus::kStringTooLong:
      return std::string(kStringTooLongErr);
    case OpStatus::kInvalidExpire:
      return InvalidExpireText(command);
    case OpStatus::kInvalidDbIndex:
      return std::string(kDbIndexErr);
    case OpStatus::kSameObject:
      return std::string(kSameObjectErr);
    case OpStatus::kInvalidCursor:
      return std::string(kInvalidCursorErr);
    case OpStatus::kOutOfMemory:
      return std::string(kOomErr);
  }
  return std::string(kSyntaxErr);
}

void SendStatusError(ReplyBuilder& rb, OpStatus status, std::string_view command) {
  rb.SendError(ErrorText(status, command));
}

std::string UnknownCommandText(CmdArgs args) {
  std::string out = "ERR unknown command '";
  std::string_view name = args.empty() ? std::string_view{} : args[0];
  AppendSanitized(out, EchoedArg(name).substr(0, kEchoCap));
  out.append("', with args beginning with: ");
  // As Redis: keep adding "'arg' " while the list is under 128 bytes, each argument cut to
  // what is left of the 128.
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < kEchoCap; ++i) {
    list.push_back('\'');
    AppendSanitized(list, EchoedArg(args[i]).substr(0, kEchoCap - list.size() + 1));
    list.append("' ");
  }
  out.append(list);
  return out;
}

std::string UnknownSubcommandText(std::string_view container, std::string_view sub) {
  std::string out = "ERR unknown subcommand '";
  AppendSanitized(out, EchoedArg(sub).substr(0, kEchoCap));
  out.append("'. Try ");
  for (char c : container)
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  out.append(" HELP.");
  return out;
}

std::string WrongArityText(std::string_view full_name) {
  std::string out = "ERR wrong number of arguments for '";
  AppendSanitized(out, full_name);
  out.append("' command");
  return out;
}

}  // namespace gannet
