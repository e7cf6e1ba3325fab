// Tests of the test helpers: the decoder must reject malformed framing (so server bugs
// surface), report incomplete input, and the matchers must fail on near misses.
#include "testing/resp_value.h"

#include <gtest/gtest.h>

#include <cmath>

#include "testing/resp_matchers.h"

namespace gannet {
namespace {

using ::testing::Not;

RespValue D(std::string_view bytes) {
  size_t used = 0;
  std::string err;
  std::optional<RespValue> v = RespValue::Decode(bytes, &used, &err);
  EXPECT_TRUE(v.has_value()) << err;
  EXPECT_EQ(used, bytes.size());
  return v.value_or(RespValue());
}

TEST(RespValueTest, DecodesResp2) {
  EXPECT_THAT(D("+OK\r\n"), IsOk());
  EXPECT_THAT(D("-ERR syntax error\r\n"), ErrorIs("ERR syntax error"));
  EXPECT_THAT(D(":-5\r\n"), IntIs(-5));
  EXPECT_THAT(D("$3\r\nfoo\r\n"), BulkIs("foo"));
  EXPECT_THAT(D("$0\r\n\r\n"), BulkIs(""));
  EXPECT_THAT(D("$4\r\na\r\nb\r\n"), BulkIs("a\r\nb"));
  EXPECT_THAT(D("$-1\r\n"), IsNil());
  EXPECT_THAT(D("$-1\r\n"), Not(IsNullArray()));
  EXPECT_THAT(D("*-1\r\n"), IsNullArray());
  EXPECT_THAT(D("*-1\r\n"), IsNil());
  EXPECT_THAT(D("*0\r\n"), EmptyArray());
  EXPECT_THAT(D("*2\r\n$1\r\na\r\n$-1\r\n"), ArrayOf(BulkIs("a"), IsNil()));
  EXPECT_THAT(D("*2\r\n$1\r\na\r\n$1\r\nb\r\n"), BulkArray({"a", "b"}));
  EXPECT_THAT(D("*2\r\n$1\r\nb\r\n$1\r\na\r\n"), UnorderedBulkArray({"a", "b"}));
  EXPECT_THAT(D("*2\r\n$1\r\nb\r\n$1\r\na\r\n"), Not(BulkArray({"a", "b"})));
  EXPECT_THAT(D("*1\r\n*1\r\n:1\r\n"), ArrayOf(ArrayOf(IntIs(1))));
  EXPECT_THAT(D("$3\r\n1.5\r\n"), DoubleIs(1.5));
  EXPECT_THAT(D("$3\r\ninf\r\n"), DoubleIs(HUGE_VAL));
  EXPECT_THAT(D(":1\r\n"), BoolIs(true));
  EXPECT_THAT(D("*4\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nj\r\n$1\r\nw\r\n"),
              MapOf({{"j", "w"}, {"k", "v"}}));
}

TEST(RespValueTest, DecodesResp3) {
  EXPECT_THAT(D("_\r\n"), IsNil());
  EXPECT_THAT(D(",1.5\r\n"), DoubleIs(1.5));
  EXPECT_THAT(D(",-inf\r\n"), DoubleIs(-HUGE_VAL));
  EXPECT_THAT(D(",nan\r\n"), DoubleIs(std::nan("")));
  EXPECT_THAT(D(",1.1000000000000001\r\n"), DoubleTextIs("1.1000000000000001"));
  EXPECT_THAT(D("#t\r\n"), BoolIs(true));
  EXPECT_THAT(D("#f\r\n"), BoolIs(false));
  EXPECT_THAT(D("(123456789012345678901234\r\n"), IsType(RespType::kBigNumber));
  RespValue vb = D("=9\r\ntxt:hello\r\n");
  EXPECT_EQ(vb.type, RespType::kVerbatim);
  EXPECT_EQ(vb.format, "txt");
  EXPECT_THAT(vb, BulkIs("hello"));
  EXPECT_THAT(D("!5\r\nERR x\r\n"), ErrorIs("ERR x"));
  RespValue m = D("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n");
  EXPECT_EQ(m.type, RespType::kMap);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_THAT(m[0], SimpleIs("a"));
  EXPECT_THAT(m[3], IntIs(2));
  EXPECT_THAT(m, Not(MapOf({{"a", "1"}, {"b", "2"}})));  // values are not strings
  EXPECT_THAT(D("%1\r\n$1\r\nk\r\n$1\r\nv\r\n"), MapOf({{"k", "v"}}));
  EXPECT_THAT(D("~2\r\n$1\r\nx\r\n$1\r\ny\r\n"), SetOf({"y", "x"}));
  EXPECT_THAT(D(">2\r\n$7\r\nmessage\r\n$1\r\nx\r\n"), ArrayOf(BulkIs("message"), BulkIs("x")));
  RespValue attr = D("|1\r\n+key\r\n+val\r\n:5\r\n");
  EXPECT_THAT(attr, IntIs(5));
  EXPECT_EQ(attr.attributes.size(), 2u);
}

TEST(RespValueTest, IncompleteInput) {
  for (std::string_view s :
       {"", "+OK", "+OK\r", "$3\r\nfo", "$3\r\nfoo\r", "*2\r\n:1\r\n", "*1\r\n", ":1"}) {
    size_t used = 7;
    std::string err = "x";
    EXPECT_FALSE(RespValue::Decode(s, &used, &err).has_value()) << s;
    EXPECT_EQ(used, 0u);
    EXPECT_TRUE(err.empty()) << s << ": " << err;
  }
}

TEST(RespValueTest, MalformedInput) {
  for (std::string_view s : {"?x\r\n", "+OK\n", "+O\rK\r\n", "$3\r\nfooXY", ":abc\r\n", "$-2\r\n",
                             "*-2\r\n", "#x\r\n", ",abc\r\n", "=2\r\nab\r\n", "_x\r\n", "$x\r\n"}) {
    std::string err;
    EXPECT_FALSE(RespValue::Decode(s, nullptr, &err).has_value()) << s;
    EXPECT_FALSE(err.empty()) << s;
  }
}

TEST(RespValueTest, DecodeAllAndToString) {
  std::string err;
  auto all = RespValue::DecodeAll("+OK\r\n:1\r\n$1\r\nx\r\n", &err);
  EXPECT_TRUE(err.empty());
  ASSERT_EQ(all.size(), 3u);
  all = RespValue::DecodeAll("+OK\r\n:1", &err);
  EXPECT_EQ(all.size(), 1u);
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(D("*3\r\n+OK\r\n$2\r\na\n\r\n*-1\r\n").ToString(), "[+OK, \"a\\n\", nil-array]");
  EXPECT_EQ(D("%1\r\n$1\r\nk\r\n,2.5\r\n").ToString(), "{\"k\" => ,2.5}");
  EXPECT_EQ(D("$2\r\n\x01\xff\r\n").ToString(), "\"\\x01\\xff\"");
  EXPECT_EQ(D("-ERR x\r\n").ToString(), "-ERR x");
}

TEST(RespValueTest, EncodeCommand) {
  EXPECT_EQ(EncodeCommand({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  EXPECT_EQ(EncodeCommand({}), "*0\r\n");
}

TEST(RespValueTest, MatchersRejectNearMisses) {
  EXPECT_THAT(D("+OK\r\n"), Not(BulkIs("OK")));
  EXPECT_THAT(D("$2\r\nOK\r\n"), Not(IsOk()));
  EXPECT_THAT(D("-ERR a\r\n"), Not(ErrorIs("ERR")));
  EXPECT_THAT(D("-ERR a\r\n"), ErrorStartsWith("ERR"));
  EXPECT_THAT(D(":5\r\n"), Not(IntIs(6)));
  EXPECT_THAT(D("$1\r\n5\r\n"), Not(IntIs(5)));
  EXPECT_THAT(D("*1\r\n:1\r\n"), Not(ArrayOf(IntIs(1), IntIs(2))));
  EXPECT_THAT(D("*1\r\n:1\r\n"), Not(BulkArray({"1"})));
  EXPECT_THAT(D("*1\r\n:1\r\n"), ArrayLen(1));
  EXPECT_THAT(D("+OK\r\n"), IsType(RespType::kSimple));
  EXPECT_THAT(D("*2\r\n:1\r\n+x\r\n"),
              RespEq(RespValue::Array({RespValue::Integer(1), RespValue::Simple("x")})));
  EXPECT_THAT(D("*1\r\n:1\r\n"), Not(RespEq(RespValue::Array({RespValue::Integer(2)}))));
  ::testing::StringMatchResultListener l;
  EXPECT_FALSE(::testing::ExplainMatchResult(IntIs(1), D(":2\r\n"), &l));
  EXPECT_NE(l.str().find(":2"), std::string::npos) << l.str();
}

}  // namespace
}  // namespace gannet
