// ReplyBuilder tests: byte-exact RESP2 and RESP3 output for every reply kind, and a round
// trip through the test decoder. Double formats were checked against redis-server 7.0.15.
#include "gannet/protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "testing/resp_matchers.h"
#include "testing/resp_value.h"

namespace gannet {
namespace {

using namespace std::string_view_literals;

std::string Resp2(auto fn) {
  std::string out;
  ReplyBuilder b(&out, RespVersion::kResp2);
  fn(b);
  return out;
}

std::string Resp3(auto fn) {
  std::string out;
  ReplyBuilder b(&out, RespVersion::kResp3);
  fn(b);
  return out;
}

TEST(ReplyBuilderTest, Scalars) {
  for (auto v : {RespVersion::kResp2, RespVersion::kResp3}) {
    std::string out;
    ReplyBuilder b(&out, v);
    b.SendOk();
    b.SendSimple("PONG");
    b.SendBulk("hello");
    b.SendBulk("");
    b.SendBulk(std::string_view("a\0\r\n", 4));
    b.SendLong(0);
    b.SendLong(-42);
    b.SendLong(INT64_MIN);
    b.SendLong(INT64_MAX);
    EXPECT_EQ(out,
              "+OK\r\n+PONG\r\n$5\r\nhello\r\n$0\r\n\r\n$4\r\na\0\r\n\r\n:0\r\n"
              ":-42\r\n:-9223372036854775808\r\n:9223372036854775807\r\n"sv);
  }
}

// Headers below 100 are written without the general integer formatting: its edges.
TEST(ReplyBuilderTest, ShortHeaderLengths) {
  for (size_t n : {0u, 1u, 9u, 10u, 11u, 42u, 99u, 100u, 101u, 999u, 1000u}) {
    const std::string s(n, 'z');
    EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendBulk(s); }),
              "$" + std::to_string(n) + "\r\n" + s + "\r\n");
    EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendArrayLen(n); }), "*" + std::to_string(n) + "\r\n");
    EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendLong(static_cast<int64_t>(n)); }),
              ":" + std::to_string(n) + "\r\n");
  }
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendLong(-1); }), ":-1\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendLong(-10); }), ":-10\r\n");
}

TEST(ReplyBuilderTest, LargeBulkAndSimple) {
  std::string big(100000, 'x');
  EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendBulk(big); }), "$100000\r\n" + big + "\r\n");
  EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendSimple(big); }), "+" + big + "\r\n");
  std::string edge(256, 'y');  // the stack-buffer boundary
  EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendBulk(edge); }), "$256\r\n" + edge + "\r\n");
  EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendBulk(edge + "y"); }), "$257\r\n" + edge + "y\r\n");
}

TEST(ReplyBuilderTest, Errors) {
  std::string out;
  ReplyBuilder b(&out);
  b.SendError("ERR syntax error");
  b.SendError("WRONGTYPE Operation against a key holding the wrong kind of value");
  b.SendError("ERR bad\r\nthing\r");
  EXPECT_EQ(out,
            "-ERR syntax error\r\n"
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
            "-ERR bad  thing \r\n");
  EXPECT_EQ(b.errors_sent(), 3u);
  std::string long_text = "ERR " + std::string(1000, 'e') + "\n";
  out.clear();
  b.SendError(long_text);
  EXPECT_EQ(out, "-ERR " + std::string(1000, 'e') + " \r\n");
}

TEST(ReplyBuilderTest, Nulls) {
  EXPECT_EQ(Resp2([](ReplyBuilder& b) {
              b.SendNull();
              b.SendNullArray();
            }),
            "$-1\r\n*-1\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) {
              b.SendNull();
              b.SendNullArray();
            }),
            "_\r\n_\r\n");
}

TEST(ReplyBuilderTest, Aggregates) {
  auto fill = [](ReplyBuilder& b) {
    b.SendArrayLen(2);
    b.SendMapLen(3);
    b.SendSetLen(4);
    b.SendPushLen(5);
    b.SendEmptyArray();
  };
  EXPECT_EQ(Resp2(fill), "*2\r\n*6\r\n*4\r\n*5\r\n*0\r\n");
  EXPECT_EQ(Resp3(fill), "*2\r\n%3\r\n~4\r\n>5\r\n*0\r\n");
  std::vector<std::string> items = {"a", "bc"};
  EXPECT_EQ(Resp2([&](ReplyBuilder& b) { b.SendBulkArray(items); }),
            "*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
}

TEST(ReplyBuilderTest, Doubles) {
  // RESP2: bulk strings with %.17g (ZSCORE on 7.0.15); RESP3: ",<%.17g>".
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendDouble(1.1); }), "$18\r\n1.1000000000000001\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendDouble(3); }), "$1\r\n3\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendDouble(HUGE_VAL); }), "$3\r\ninf\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendDouble(-HUGE_VAL); }), "$4\r\n-inf\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(1.1); }), ",1.1000000000000001\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(1e300); }), ",1.0000000000000001e+300\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(HUGE_VAL); }), ",inf\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(-HUGE_VAL); }), ",-inf\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(std::nan("")); }), ",nan\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendDouble(-2.5); }), ",-2.5\r\n");
}

TEST(ReplyBuilderTest, BoolBigNumberVerbatim) {
  EXPECT_EQ(Resp2([](ReplyBuilder& b) {
              b.SendBool(true);
              b.SendBool(false);
            }),
            ":1\r\n:0\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) {
              b.SendBool(true);
              b.SendBool(false);
            }),
            "#t\r\n#f\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendBigNumber("12345678901234567890"); }),
            "$20\r\n12345678901234567890\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendBigNumber("12345678901234567890"); }),
            "(12345678901234567890\r\n");
  EXPECT_EQ(Resp2([](ReplyBuilder& b) { b.SendVerbatim("hello\r\nworld"); }),
            "$12\r\nhello\r\nworld\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendVerbatim("hello\r\nworld"); }),
            "=16\r\ntxt:hello\r\nworld\r\n");
  EXPECT_EQ(Resp3([](ReplyBuilder& b) { b.SendVerbatim("# x", "mkd"); }), "=7\r\nmkd:# x\r\n");
}

TEST(ReplyBuilderTest, VersionSwitchAndRaw) {
  std::string out;
  ReplyBuilder b(&out);
  EXPECT_FALSE(b.resp3());
  EXPECT_EQ(b.version(), RespVersion::kResp2);
  b.SendNull();
  b.set_version(RespVersion::kResp3);
  EXPECT_TRUE(b.resp3());
  b.SendNull();
  b.SendRaw("*1\r\n:1\r\n");
  EXPECT_EQ(out, "$-1\r\n_\r\n*1\r\n:1\r\n");
  EXPECT_EQ(b.out(), &out);
}

TEST(ReplyBuilderTest, NestedCaptureAsForExec) {
  // EXEC-style capture: each queued reply is built into its own string, then spliced.
  std::string captured;
  ReplyBuilder inner(&captured, RespVersion::kResp3);
  inner.SendOk();
  inner.SendLong(2);
  std::string out;
  ReplyBuilder outer(&out, RespVersion::kResp3);
  outer.SendArrayLen(2);
  outer.SendRaw(captured);
  EXPECT_THAT(*RespValue::Decode(out), ArrayOf(IsOk(), IntIs(2)));
}

TEST(ReplyBuilderTest, RoundTripsThroughDecoder) {
  for (auto v : {RespVersion::kResp2, RespVersion::kResp3}) {
    std::string out;
    ReplyBuilder b(&out, v);
    b.SendArrayLen(8);
    b.SendBulk("x");
    b.SendLong(7);
    b.SendDouble(2.5);
    b.SendBool(true);
    b.SendNull();
    b.SendMapLen(1);
    b.SendBulk("k");
    b.SendBulk("v");
    b.SendSetLen(2);
    b.SendBulk("a");
    b.SendBulk("b");
    b.SendError("ERR e");
    size_t used = 0;
    std::optional<RespValue> d = RespValue::Decode(out, &used);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(used, out.size());
    EXPECT_THAT(*d, ArrayOf(BulkIs("x"), IntIs(7), DoubleIs(2.5), BoolIs(true), IsNil(),
                            MapOf({{"k", "v"}}), SetOf({"b", "a"}), ErrorIs("ERR e")));
  }
}

}  // namespace
}  // namespace gannet
