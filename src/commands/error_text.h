// The one place an OpStatus becomes the text a client sees, plus the texts the dispatcher
// and many commands share. Texts are exactly Redis 7.0's and carry no leading '-': pass them
// to ReplyBuilder::SendError.
#pragma once

#include <string>
#include <string_view>

#include "gannet/commands/command.h"
#include "gannet/common/status.h"
#include "gannet/protocol/reply_builder.h"

namespace gannet {

inline constexpr std::string_view kSyntaxErr = "ERR syntax error";
inline constexpr std::string_view kWrongTypeErr =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotIntegerErr = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloatErr = "ERR value is not a valid float";
inline constexpr std::string_view kOverflowErr = "ERR increment or decrement would overflow";
inline constexpr std::string_view kNoSuchKeyErr = "ERR no such key";
inline constexpr std::string_view kDbIndexErr = "ERR DB index is out of range";
inline constexpr std::string_view kInvalidCursorErr = "ERR invalid cursor";
inline constexpr std::string_view kSameObjectErr =
    "ERR source and destination objects are the same";
inline constexpr std::string_view kStringTooLongErr =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kNoAuthErr = "NOAUTH Authentication required.";
inline constexpr std::string_view kOomErr =
    "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kOutOfRangeErr = "ERR index out of range";
inline constexpr std::string_view kPositiveErr = "ERR value is out of range, must be positive";
// Persistence gates (persistence_family.cc).
inline constexpr std::string_view kMisconfErr =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.";
inline constexpr std::string_view kLoadingErr = "LOADING Redis is loading the dataset in memory";
// Transactions (transaction_family.cc).
inline constexpr std::string_view kMultiNestedErr = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kExecWithoutMultiErr = "ERR EXEC without MULTI";
inline constexpr std::string_view kDiscardWithoutMultiErr = "ERR DISCARD without MULTI";
inline constexpr std::string_view kWatchInsideMultiErr = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kNotAllowedInMultiErr =
    "ERR Command not allowed inside a transaction";
inline constexpr std::string_view kExecAbortErr =
    "EXECABORT Transaction discarded because of previous errors.";
// EXEC itself refused (arity, NOAUTH, a gate): this, then the error without "ERR ".
inline constexpr std::string_view kExecAbortPrefix = "EXECABORT Transaction discarded because of: ";

// Redis's text for status. `command` is the lower-case command name, used only by
// kInvalidExpire ("ERR invalid expire time in 'set' command"). kOk and kSkipped are not
// errors: they give an empty string.
std::string ErrorText(OpStatus status, std::string_view command = {});

// Sends ErrorText(status, command) on rb.
void SendStatusError(ReplyBuilder& rb, OpStatus status, std::string_view command = {});

// "ERR invalid expire time in '<command>' command".
std::string InvalidExpireText(std::string_view command);

// "ERR unknown command 'x', with args beginning with: 'a' 'b' ": the name and the argument
// list are each capped at 128 bytes, and CR/LF become spaces so the reply keeps its framing.
std::string UnknownCommandText(CmdArgs args);

// "ERR unknown subcommand 'foo'. Try OBJECT HELP." (container as the client sent it is
// upper-cased; sub capped at 128 bytes, CR/LF neutralised).
std::string UnknownSubcommandText(std::string_view container, std::string_view sub);

// Redis formats most errors that echo a client argument with printf's %s, so the echo ends
// at the argument's first NUL byte. Use this on any argument an error text quotes.
std::string_view EchoedArg(std::string_view arg);

// Redis's addReplyErrorFormat trims CR and LF from both ends of the finished text before
// turning the inner ones into spaces: "ERR Unsupported option x\r\n" loses its tail. For texts
// built from a format whose end can come from the client.
std::string TrimFormattedError(std::string text);

// "ERR wrong number of arguments for 'get' command"; full_name is "config|get" for a
// subcommand (the table's lower-case name).
std::string WrongArityText(std::string_view full_name);

}  // namespace gannet
