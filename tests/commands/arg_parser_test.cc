// ArgParser: typed Next, case-insensitive Check, and the first error staying latched.
#include "arg_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gannet {
namespace {

CmdArgs Args(const std::vector<std::string_view>& v) { return CmdArgs(v.data(), v.size()); }

TEST(ArgParserTest, TypedValues) {
  std::vector<std::string_view> v = {"cmd", "str", "-42", "18446744073709551615", "1.5", "7"};
  ArgParser p(Args(v));
  EXPECT_EQ(p.Next<std::string_view>(), "str");
  EXPECT_EQ(p.Next<int64_t>(), -42);
  EXPECT_EQ(p.Next<uint64_t>(), UINT64_MAX);
  EXPECT_EQ(p.Next<double>(), 1.5);
  EXPECT_EQ(p.Next<int>(), 7);
  EXPECT_FALSE(p.HasNext());
  EXPECT_FALSE(p.has_error());
}

TEST(ArgParserTest, CheckIsCaseInsensitive) {
  std::vector<std::string_view> v = {"cmd", "nx", "Ex", "10", "rest"};
  ArgParser p(Args(v));
  EXPECT_FALSE(p.Check("XX"));
  EXPECT_TRUE(p.Check("NX"));
  int64_t ttl = 0;
  EXPECT_FALSE(p.Check("PX", &ttl));
  EXPECT_TRUE(p.Check("EX", &ttl));
  EXPECT_EQ(ttl, 10);
  EXPECT_EQ(p.Peek(), "rest");
  EXPECT_FALSE(p.Check("res"));
  EXPECT_FALSE(p.has_error());
}

TEST(ArgParserTest, MissingValueIsSyntaxError) {
  std::vector<std::string_view> v = {"cmd", "EX"};
  ArgParser p(Args(v));
  int64_t ttl = 5;
  EXPECT_TRUE(p.Check("EX", &ttl));
  EXPECT_EQ(ttl, 0);
  EXPECT_EQ(p.status(), OpStatus::kSyntaxError);
  EXPECT_EQ(p.ErrorText(), "ERR syntax error");
}

TEST(ArgParserTest, FirstErrorStaysLatched) {
  std::vector<std::string_view> v = {"cmd", "abc", "1.x", "5"};
  ArgParser p(Args(v));
  EXPECT_EQ(p.Next<int64_t>(), 0);
  EXPECT_EQ(p.status(), OpStatus::kNotAnInteger);
  EXPECT_EQ(p.Next<double>(), 0.0);  // not parsed once an error is latched
  EXPECT_FALSE(p.HasNext());
  EXPECT_FALSE(p.Check("5"));
  p.Fail(OpStatus::kSyntaxError);
  EXPECT_EQ(p.ErrorText(), "ERR value is not an integer or out of range");
}

TEST(ArgParserTest, HostileNumbers) {
  for (std::string_view bad : {"", " 1", "1 ", "+1", "01", "9223372036854775808", "1e3", "0x1"}) {
    std::vector<std::string_view> v = {"cmd", bad};
    ArgParser p(Args(v));
    p.Next<int64_t>();
    EXPECT_EQ(p.status(), OpStatus::kNotAnInteger) << bad;
  }
  std::vector<std::string_view> v = {"cmd", "2147483648"};
  ArgParser p(Args(v));
  p.Next<int>();
  EXPECT_EQ(p.status(), OpStatus::kNotAnInteger);
  std::vector<std::string_view> w = {"cmd", "nan"};
  ArgParser q(Args(w));
  q.Next<double>();
  EXPECT_EQ(q.ErrorText(), "ERR value is not a valid float");
}

TEST(ArgParserTest, CustomTextAndSend) {
  std::vector<std::string_view> v = {"cmd", "x"};
  ArgParser p(Args(v));
  EXPECT_TRUE(p.HasNext());
  p.Fail("ERR Unsupported option x");
  p.Fail(OpStatus::kNotAnInteger);  // ignored: the first error stays
  std::string out;
  ReplyBuilder rb(&out);
  EXPECT_TRUE(p.SendErrorIfAny(rb));
  EXPECT_EQ(out, "-ERR Unsupported option x\r\n");
  ArgParser ok(Args(v));
  EXPECT_FALSE(ok.SendErrorIfAny(rb));
  std::vector<std::string_view> e = {"cmd", "EX", "0"};
  ArgParser x(Args(e));
  x.Fail(OpStatus::kInvalidExpire);
  EXPECT_EQ(x.ErrorText("set"), "ERR invalid expire time in 'set' command");
}

}  // namespace
}  // namespace gannet
