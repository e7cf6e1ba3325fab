// error_text: the status-to-text table and the dispatcher's texts, byte for byte as
// redis-server 7.0.15 sends them.
#include "error_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gannet {
namespace {

TEST(ErrorTextTest, Statuses) {
  EXPECT_EQ(ErrorText(OpStatus::kOk), "");
  EXPECT_EQ(ErrorText(OpStatus::kSkipped), "");
  EXPECT_EQ(ErrorText(OpStatus::kKeyNotFound), "ERR no such key");
  EXPECT_EQ(ErrorText(OpStatus::kWrongType),
            "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(ErrorText(OpStatus::kNotAnInteger), "ERR value is not an integer or out of range");
  EXPECT_EQ(ErrorText(OpStatus::kNotAFloat), "ERR value is not a valid float");
  EXPECT_EQ(ErrorText(OpStatus::kOverflow), "ERR increment or decrement would overflow");
  EXPECT_EQ(ErrorText(OpStatus::kNanOrInfinity), "ERR increment would produce NaN or Infinity");
  EXPECT_EQ(ErrorText(OpStatus::kSyntaxError), "ERR syntax error");
  EXPECT_EQ(ErrorText(OpStatus::kOutOfRange), "ERR index out of range");
  EXPECT_EQ(ErrorText(OpStatus::kStringTooLong),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(ErrorText(OpStatus::kInvalidExpire, "set"), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(ErrorText(OpStatus::kInvalidDbIndex), "ERR DB index is out of range");
  EXPECT_EQ(ErrorText(OpStatus::kSameObject), "ERR source and destination objects are the same");
  EXPECT_EQ(ErrorText(OpStatus::kInvalidCursor), "ERR invalid cursor");
  EXPECT_EQ(ErrorText(OpStatus::kOutOfMemory),
            "OOM command not allowed when used memory > 'maxmemory'.");
}

std::string Unknown(std::vector<std::string_view> args) {
  return UnknownCommandText(CmdArgs(args.data(), args.size()));
}

TEST(ErrorTextTest, UnknownCommand) {
  EXPECT_EQ(Unknown({"foobar"}), "ERR unknown command 'foobar', with args beginning with: ");
  EXPECT_EQ(Unknown({"foobar", "x", "y"}),
            "ERR unknown command 'foobar', with args beginning with: 'x' 'y' ");
  // Captured from redis-server 7.0.15: the argument list stops growing at 128 bytes and
  // each argument is cut to what is left; CR and LF become spaces.
  const std::string c200(200, 'c');
  EXPECT_EQ(Unknown({"foobar", "a\r\nb", c200}),
            "ERR unknown command 'foobar', with args beginning with: 'a  b' '" +
                std::string(121, 'c') + "' ");
  const std::string huge(300, 'n');
  EXPECT_EQ(Unknown({huge}),
            "ERR unknown command '" + std::string(128, 'n') + "', with args beginning with: ");
  // Once 128 bytes are used no further argument is listed.
  EXPECT_EQ(Unknown({"f", std::string(130, 'a'), "b"}),
            "ERR unknown command 'f', with args beginning with: '" + std::string(128, 'a') + "' ");
  EXPECT_EQ(Unknown({}), "ERR unknown command '', with args beginning with: ");
}

TEST(ErrorTextTest, SubcommandAndArity) {
  EXPECT_EQ(UnknownSubcommandText("object", "foo"),
            "ERR unknown subcommand 'foo'. Try OBJECT HELP.");
  EXPECT_EQ(UnknownSubcommandText("Config", "a\nb"),
            "ERR unknown subcommand 'a b'. Try CONFIG HELP.");
  EXPECT_EQ(UnknownSubcommandText("object", std::string(200, 'x')),
            "ERR unknown subcommand '" + std::string(128, 'x') + "'. Try OBJECT HELP.");
  EXPECT_EQ(WrongArityText("get"), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(WrongArityText("config|get"), "ERR wrong number of arguments for 'config|get' command");
}

}  // namespace
}  // namespace gannet
