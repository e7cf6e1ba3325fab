// String commands through the dispatcher: happy paths, every documented error, and the
// hostile inputs (overflow, huge offsets, duplicate keys) next to them. Expected replies
// were checked against redis-server 7.0.15.
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

using ::testing::ElementsAre;

class StringFamilyTest : public CommandTest {
 protected:
  // Makes "l" hold a non-string value (a list), for WRONGTYPE checks. Uses only the
  // engine: lists are not implemented as commands yet.
  void MakeNonString(std::string_view key) {
    struct Dummy : ObjectBase {
      size_t MemoryUsage() const override { return 0; }
      std::unique_ptr<ObjectBase> Clone() const override { return std::make_unique<Dummy>(); }
    };
    keyspace_.set_now_ms(NowMs());
    db().Insert(key,
                Value::Object(ValueType::kList, Encoding::kQuicklist, std::make_unique<Dummy>()));
  }
};

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char kNotInt[] = "ERR value is not an integer or out of range";
const char kSyntax[] = "ERR syntax error";

TEST_F(StringFamilyTest, GetSet) {
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"set", "k", ""}), IsOk());
  EXPECT_THAT(Run({"get", "k"}), BulkIs(""));
  std::string big(100000, 'x');
  EXPECT_THAT(Run({"SET", "big", big}), IsOk());
  EXPECT_THAT(Run({"GET", "big"}), BulkIs(big));
  std::string binary("a\0b\r\nc", 6);
  EXPECT_THAT(Run({"SET", binary, binary}), IsOk());
  EXPECT_THAT(Run({"GET", binary}), BulkIs(binary));
}

TEST_F(StringFamilyTest, GetWrongTypeAndArity) {
  MakeNonString("l");
  EXPECT_THAT(Run({"GET", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"GET"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"GET", "a", "b"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"SET", "k"}), ErrorIs("ERR wrong number of arguments for 'set' command"));
}

TEST_F(StringFamilyTest, SetReplacesAnyTypeAndClearsTtl) {
  MakeNonString("l");
  EXPECT_THAT(Run({"SET", "l", "v"}), IsOk());
  EXPECT_THAT(Run({"GET", "l"}), BulkIs("v"));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "100"}), IsOk());
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
  EXPECT_THAT(Run({"SET", "k", "w"}), IsOk());
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
}

TEST_F(StringFamilyTest, SetExpiryOptions) {
  EXPECT_THAT(Run({"SET", "a", "v", "EX", "10"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "a"}), IntIs(10000));
  EXPECT_THAT(Run({"SET", "b", "v", "px", "1500"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "b"}), IntIs(1500));
  const int64_t at_s = NowMs() / 1000 + 50;
  EXPECT_THAT(Run({"SET", "c", "v", "EXAT", std::to_string(at_s)}), IsOk());
  EXPECT_THAT(Run({"EXPIRETIME", "c"}), IntIs(at_s));
  EXPECT_THAT(Run({"SET", "d", "v", "PXAT", std::to_string(NowMs() + 777)}), IsOk());
  EXPECT_THAT(Run({"PTTL", "d"}), IntIs(777));
  // Repeating the same option is allowed; the last one wins.
  EXPECT_THAT(Run({"SET", "e", "v", "EX", "10", "EX", "20"}), IsOk());
  EXPECT_THAT(Run({"TTL", "e"}), IntIs(20));
  // A key expires once "now" is past its deadline (at the deadline it is still there).
  AdvanceTime(1500);
  EXPECT_THAT(Run({"GET", "b"}), BulkIs("v"));
  AdvanceTime(1);
  EXPECT_THAT(Run({"GET", "b"}), IsNil());
  EXPECT_THAT(Run({"GET", "a"}), BulkIs("v"));
  AdvanceTime(8500);
  EXPECT_THAT(Run({"GET", "a"}), IsNil());
}

TEST_F(StringFamilyTest, SetKeepTtl) {
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "100"}), IsOk());
  AdvanceTime(10000);
  EXPECT_THAT(Run({"SET", "k", "w", "KEEPTTL"}), IsOk());
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(90));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("w"));
}

TEST_F(StringFamilyTest, SetAbsoluteTimeInThePastLeavesNoKey) {
  EXPECT_THAT(Run({"SET", "k", "v", "EXAT", "1"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
}

TEST_F(StringFamilyTest, SetInvalidExpire) {
  const char kInvalid[] = "ERR invalid expire time in 'set' command";
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "0"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "-1"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "PX", "0"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "PXAT", "0"}), ErrorIs(kInvalid));
  // Overflow when converting seconds or adding "now".
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "9223372036854775807"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "9223372036854776"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "PX", "9223372036854775807"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "EXAT", "9223372036854775807"}), ErrorIs(kInvalid));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "1.5"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SET", "k", "v", "EX", "99999999999999999999"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
}

TEST_F(StringFamilyTest, SetSyntaxErrors) {
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"SET", "k", "v", "NX", "XX"},
           {"SET", "k", "v", "XX", "NX"},
           {"SET", "k", "v", "EX", "10", "PX", "10"},
           {"SET", "k", "v", "PX", "10", "EXAT", "10"},
           {"SET", "k", "v", "EX", "10", "KEEPTTL"},
           {"SET", "k", "v", "KEEPTTL", "EX", "10"},
           {"SET", "k", "v", "EX"},
           {"SET", "k", "v", "PERSIST"},
           {"SET", "k", "v", "FOO"},
           {"SET", "k", "v", "KEEPTTL", "GET", "XX", "NX"},
           // A bad value after a conflict: the syntax error wins.
           {"SET", "k", "v", "EX", "abc", "NX", "XX"},
       }) {
    EXPECT_THAT(Run(cmd), ErrorIs(kSyntax)) << cmd[3];
  }
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
}

TEST_F(StringFamilyTest, SetNxXx) {
  EXPECT_THAT(Run({"SET", "k", "v", "XX"}), IsNil());
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "k", "v", "NX"}), IsOk());
  EXPECT_THAT(Run({"SET", "k", "w", "NX"}), IsNil());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"SET", "k", "w", "xx"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("w"));
  EXPECT_THAT(Run({"SET", "k", "z", "nx", "nx"}), IsNil());
}

TEST_F(StringFamilyTest, SetGet) {
  EXPECT_THAT(Run({"SET", "k", "v", "GET"}), IsNil());
  EXPECT_THAT(Run({"SET", "k", "w", "GET"}), BulkIs("v"));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("w"));
  // With NX the old value is returned and nothing is written.
  EXPECT_THAT(Run({"SET", "k", "x", "NX", "GET"}), BulkIs("w"));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("w"));
  EXPECT_THAT(Run({"SET", "n", "x", "NX", "GET"}), IsNil());
  EXPECT_THAT(Run({"GET", "n"}), BulkIs("x"));
  EXPECT_THAT(Run({"SET", "m", "x", "XX", "GET"}), IsNil());
  EXPECT_THAT(Run({"EXISTS", "m"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "k", "y", "GET", "PX", "100"}), BulkIs("w"));
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(100));
}

TEST_F(StringFamilyTest, SetGetOnWrongTypeChangesNothing) {
  MakeNonString("l");
  EXPECT_THAT(Run({"SET", "l", "v", "GET"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"TYPE", "l"}), SimpleIs("list"));
  // The expire time is validated before the type.
  EXPECT_THAT(Run({"SET", "l", "v", "GET", "EX", "0"}),
              ErrorIs("ERR invalid expire time in 'set' command"));
  EXPECT_THAT(Run({"GETSET", "l", "v"}), ErrorIs(kWrongType));
}

TEST_F(StringFamilyTest, SetNx) {
  EXPECT_THAT(Run({"SETNX", "k", "v"}), IntIs(1));
  EXPECT_THAT(Run({"SETNX", "k", "w"}), IntIs(0));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  MakeNonString("l");
  EXPECT_THAT(Run({"SETNX", "l", "w"}), IntIs(0));
}

TEST_F(StringFamilyTest, SetExPSetEx) {
  EXPECT_THAT(Run({"SETEX", "k", "10", "v"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(10000));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"PSETEX", "p", "250", "v"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "p"}), IntIs(250));
  EXPECT_THAT(Run({"SETEX", "k", "0", "v"}), ErrorIs("ERR invalid expire time in 'setex' command"));
  EXPECT_THAT(Run({"PSETEX", "k", "-5", "v"}),
              ErrorIs("ERR invalid expire time in 'psetex' command"));
  EXPECT_THAT(Run({"SETEX", "k", "9223372036854775807", "v"}),
              ErrorIs("ERR invalid expire time in 'setex' command"));
  EXPECT_THAT(Run({"SETEX", "k", "abc", "v"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SETEX", "k", "10"}),
              ErrorIs("ERR wrong number of arguments for 'setex' command"));
}

TEST_F(StringFamilyTest, GetEx) {
  EXPECT_THAT(Run({"GETEX", "nokey"}), IsNil());
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"GETEX", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
  EXPECT_THAT(Run({"GETEX", "k", "EX", "100"}), BulkIs("v"));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
  EXPECT_THAT(Run({"GETEX", "k", "PX", "5000"}), BulkIs("v"));
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(5000));
  EXPECT_THAT(Run({"GETEX", "k", "PXAT", std::to_string(NowMs() + 3000)}), BulkIs("v"));
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(3000));
  EXPECT_THAT(Run({"GETEX", "k", "EXAT", std::to_string(NowMs() / 1000 + 60)}), BulkIs("v"));
  EXPECT_THAT(Run({"GETEX", "k", "PERSIST"}), BulkIs("v"));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
  // An absolute time in the past: the value is returned, then the key is gone.
  EXPECT_THAT(Run({"GETEX", "k", "EXAT", "1"}), BulkIs("v"));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
}

TEST_F(StringFamilyTest, GetExErrors) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"GETEX", "k", "EX", "0"}),
              ErrorIs("ERR invalid expire time in 'getex' command"));
  EXPECT_THAT(Run({"GETEX", "k", "PERSIST", "EX", "1"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"GETEX", "k", "EX", "1", "PERSIST"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"GETEX", "k", "KEEPTTL"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"GETEX", "k", "NX"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"GETEX", "k", "EX"}), ErrorIs(kSyntax));
  // As Redis: the key is looked up before the expire value is read.
  EXPECT_THAT(Run({"GETEX", "nokey", "EX", "abc"}), IsNil());
  MakeNonString("l");
  EXPECT_THAT(Run({"GETEX", "l", "EX", "abc"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"GETEX", "k", "EX", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
}

TEST_F(StringFamilyTest, GetDelGetSet) {
  EXPECT_THAT(Run({"GETDEL", "k"}), IsNil());
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"GETDEL", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  MakeNonString("l");
  EXPECT_THAT(Run({"GETDEL", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"EXISTS", "l"}), IntIs(1));

  EXPECT_THAT(Run({"GETSET", "g", "1"}), IsNil());
  EXPECT_THAT(Run({"EXPIRE", "g", "100"}), IntIs(1));
  EXPECT_THAT(Run({"GETSET", "g", "2"}), BulkIs("1"));
  EXPECT_THAT(Run({"GET", "g"}), BulkIs("2"));
  EXPECT_THAT(Run({"TTL", "g"}), IntIs(-1));
}

TEST_F(StringFamilyTest, MGetMSet) {
  EXPECT_THAT(Run({"MSET", "a", "1", "b", "2"}), IsOk());
  MakeNonString("l");
  EXPECT_THAT(Run({"MGET", "a", "nokey", "b", "l", "a"}),
              ArrayOf(BulkIs("1"), IsNil(), BulkIs("2"), IsNil(), BulkIs("1")));
  EXPECT_THAT(Run({"MSET", "a", "x", "a", "y"}), IsOk());
  EXPECT_THAT(Run({"GET", "a"}), BulkIs("y"));
  EXPECT_THAT(Run({"MSET", "a"}), ErrorIs("ERR wrong number of arguments for 'mset' command"));
  EXPECT_THAT(Run({"MSET", "a", "b", "c"}),
              ErrorIs("ERR wrong number of arguments for 'mset' command"));
  EXPECT_THAT(Run({"MGET"}), ErrorIs("ERR wrong number of arguments for 'mget' command"));
  EXPECT_THAT(Run({"EXISTS", "c"}), IntIs(0));
}

TEST_F(StringFamilyTest, MSetNx) {
  EXPECT_THAT(Run({"MSETNX", "a", "1", "b", "2"}), IntIs(1));
  EXPECT_THAT(Run({"MSETNX", "b", "3", "c", "4"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "c"}), IntIs(0));
  // CVE-2023-28425: the same new key twice must work (the last value wins).
  EXPECT_THAT(Run({"MSETNX", "d", "1", "d", "2"}), IntIs(1));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs("2"));
  EXPECT_THAT(Run({"MSETNX", "x", "1", "y"}),
              ErrorIs("ERR wrong number of arguments for 'msetnx' command"));
}

TEST_F(StringFamilyTest, AppendStrLen) {
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(0));
  EXPECT_THAT(Run({"APPEND", "k", "Hello"}), IntIs(5));
  EXPECT_THAT(Run({"APPEND", "k", " World"}), IntIs(11));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("Hello World"));
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(11));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "k"}), BulkIs("raw"));
  EXPECT_THAT(Run({"APPEND", "k", ""}), IntIs(11));
  MakeNonString("l");
  EXPECT_THAT(Run({"APPEND", "l", "x"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"STRLEN", "l"}), ErrorIs(kWrongType));
  // APPEND keeps the TTL.
  EXPECT_THAT(Run({"EXPIRE", "k", "100"}), IntIs(1));
  EXPECT_THAT(Run({"APPEND", "k", "!"}), IntIs(12));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
}

TEST_F(StringFamilyTest, AppendBeyondProtoMaxBulkLen) {
  server_.config_.proto_max_bulk_len = 10;
  EXPECT_THAT(Run({"APPEND", "k", "12345678"}), IntIs(8));
  EXPECT_THAT(Run({"APPEND", "k", "90"}), IntIs(10));
  EXPECT_THAT(Run({"APPEND", "k", "x"}),
              ErrorIs("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(10));
}

TEST_F(StringFamilyTest, GetRange) {
  EXPECT_THAT(Run({"SET", "s", "Hello World"}), IsOk());
  EXPECT_THAT(Run({"GETRANGE", "s", "0", "4"}), BulkIs("Hello"));
  EXPECT_THAT(Run({"GETRANGE", "s", "-5", "-1"}), BulkIs("World"));
  EXPECT_THAT(Run({"GETRANGE", "s", "-1", "-5"}), BulkIs(""));
  EXPECT_THAT(Run({"GETRANGE", "s", "5", "3"}), BulkIs(""));
  EXPECT_THAT(Run({"GETRANGE", "s", "0", "100"}), BulkIs("Hello World"));
  EXPECT_THAT(Run({"GETRANGE", "s", "-100", "2"}), BulkIs("Hel"));
  EXPECT_THAT(Run({"GETRANGE", "s", "-9223372036854775808", "9223372036854775807"}),
              BulkIs("Hello World"));
  EXPECT_THAT(Run({"GETRANGE", "s", "100", "200"}), BulkIs(""));
  EXPECT_THAT(Run({"SUBSTR", "s", "6", "-1"}), BulkIs("World"));
  EXPECT_THAT(Run({"GETRANGE", "nokey", "0", "1"}), BulkIs(""));
  EXPECT_THAT(Run({"GETRANGE", "s", "a", "1"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"GETRANGE", "s", "0", "9223372036854775808"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SET", "e", ""}), IsOk());
  EXPECT_THAT(Run({"GETRANGE", "e", "0", "-1"}), BulkIs(""));
  MakeNonString("l");
  EXPECT_THAT(Run({"GETRANGE", "l", "0", "1"}), ErrorIs(kWrongType));
  // Integers are parsed before the key is looked at.
  EXPECT_THAT(Run({"GETRANGE", "l", "x", "1"}), ErrorIs(kNotInt));
}

TEST_F(StringFamilyTest, SetRange) {
  EXPECT_THAT(Run({"SET", "s", "Hello World"}), IsOk());
  EXPECT_THAT(Run({"SETRANGE", "s", "6", "Redis"}), IntIs(11));
  EXPECT_THAT(Run({"GET", "s"}), BulkIs("Hello Redis"));
  EXPECT_THAT(Run({"SETRANGE", "s", "11", "!"}), IntIs(12));
  EXPECT_THAT(Run({"SETRANGE", "new", "5", "x"}), IntIs(6));
  EXPECT_THAT(Run({"GET", "new"}), BulkIs(std::string("\0\0\0\0\0x", 6)));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "new"}), BulkIs("raw"));
  // An empty value creates nothing and changes nothing.
  EXPECT_THAT(Run({"SETRANGE", "none", "0", ""}), IntIs(0));
  EXPECT_THAT(Run({"SETRANGE", "none", "100", ""}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "none"}), IntIs(0));
  EXPECT_THAT(Run({"SETRANGE", "s", "100", ""}), IntIs(12));
}

TEST_F(StringFamilyTest, SetRangeHostile) {
  EXPECT_THAT(Run({"SETRANGE", "k", "-1", "x"}), ErrorIs("ERR offset is out of range"));
  EXPECT_THAT(Run({"SETRANGE", "k", "-9223372036854775808", "x"}),
              ErrorIs("ERR offset is out of range"));
  EXPECT_THAT(Run({"SETRANGE", "k", "abc", "x"}), ErrorIs(kNotInt));
  const char kTooBig[] = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
  // CVE-2022-35977: offset + length is checked (without overflowing) before allocating.
  EXPECT_THAT(Run({"SETRANGE", "k", "536870912", "x"}), ErrorIs(kTooBig));
  EXPECT_THAT(Run({"SETRANGE", "k", "9223372036854775807", "x"}), ErrorIs(kTooBig));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  server_.config_.proto_max_bulk_len = 16;
  EXPECT_THAT(Run({"SETRANGE", "k", "15", "x"}), IntIs(16));
  EXPECT_THAT(Run({"SETRANGE", "k", "15", "xy"}), ErrorIs(kTooBig));
  EXPECT_THAT(Run({"SETRANGE", "k", "16", "x"}), ErrorIs(kTooBig));
  MakeNonString("l");
  EXPECT_THAT(Run({"SETRANGE", "l", "0", "x"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"SETRANGE", "l", "0", ""}), ErrorIs(kWrongType));
}

TEST_F(StringFamilyTest, IncrDecr) {
  EXPECT_THAT(Run({"INCR", "n"}), IntIs(1));
  EXPECT_THAT(Run({"INCRBY", "n", "10"}), IntIs(11));
  EXPECT_THAT(Run({"DECR", "n"}), IntIs(10));
  EXPECT_THAT(Run({"DECRBY", "n", "20"}), IntIs(-10));
  EXPECT_THAT(Run({"DECR", "fresh"}), IntIs(-1));
  EXPECT_THAT(Run({"GET", "n"}), BulkIs("-10"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "n"}), BulkIs("int"));
  // The TTL survives.
  EXPECT_THAT(Run({"EXPIRE", "n", "100"}), IntIs(1));
  EXPECT_THAT(Run({"INCR", "n"}), IntIs(-9));
  EXPECT_THAT(Run({"TTL", "n"}), IntIs(100));
}

TEST_F(StringFamilyTest, IncrDecrHostile) {
  const char kOverflow[] = "ERR increment or decrement would overflow";
  EXPECT_THAT(Run({"SET", "max", "9223372036854775807"}), IsOk());
  EXPECT_THAT(Run({"INCR", "max"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"INCRBY", "max", "1"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"GET", "max"}), BulkIs("9223372036854775807"));
  EXPECT_THAT(Run({"SET", "min", "-9223372036854775808"}), IsOk());
  EXPECT_THAT(Run({"DECR", "min"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"INCRBY", "min", "-1"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"DECRBY", "min", "1"}), ErrorIs(kOverflow));
  EXPECT_THAT(Run({"INCRBY", "zero", "-9223372036854775808"}), IntIs(INT64_MIN));
  // -LLONG_MIN cannot be negated: Redis answers with its own text, whatever the value.
  EXPECT_THAT(Run({"DECRBY", "zero2", "-9223372036854775808"}),
              ErrorIs("ERR decrement would overflow"));
  EXPECT_THAT(Run({"DECRBY", "min", "-9223372036854775808"}),
              ErrorIs("ERR decrement would overflow"));
  EXPECT_THAT(Run({"EXISTS", "zero2"}), IntIs(0));

  for (const char* bad : {" 1", "1 ", "01", "+1", "1.0", "abc", "", "99999999999999999999"}) {
    EXPECT_THAT(Run({"SET", "b", bad}), IsOk());
    EXPECT_THAT(Run({"INCR", "b"}), ErrorIs(kNotInt)) << bad;
    EXPECT_THAT(Run({"INCRBY", "x", bad}), ErrorIs(kNotInt)) << bad;
    EXPECT_THAT(Run({"DECRBY", "x", bad}), ErrorIs(kNotInt)) << bad;
  }
  MakeNonString("l");
  EXPECT_THAT(Run({"INCR", "l"}), ErrorIs(kWrongType));
  // The increment is parsed before the key is looked at.
  EXPECT_THAT(Run({"INCRBY", "l", "x"}), ErrorIs(kNotInt));
}

TEST_F(StringFamilyTest, IncrByFloat) {
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "5"}), BulkIs("5"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "f"}), BulkIs("embstr"));
  EXPECT_THAT(Run({"SET", "f", "10.5"}), IsOk());
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "0.1"}), BulkIs("10.6"));
  EXPECT_THAT(Run({"SET", "f", "5.0e3"}), IsOk());
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "2.0e2"}), BulkIs("5200"));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "0x10"}), BulkIs("5216"));
  EXPECT_THAT(Run({"EXPIRE", "f", "100"}), IntIs(1));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "-16"}), BulkIs("5200"));
  EXPECT_THAT(Run({"TTL", "f"}), IntIs(100));
}

TEST_F(StringFamilyTest, IncrByFloatHostile) {
  const char kNotFloat[] = "ERR value is not a valid float";
  EXPECT_THAT(Run({"SET", "f", "1"}), IsOk());
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "abc"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "nan"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", " 1"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", ""}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"INCRBYFLOAT", "f", "inf"}),
              ErrorIs("ERR increment would produce NaN or Infinity"));
  EXPECT_THAT(Run({"INCRBYFLOAT", "new", "-inf"}),
              ErrorIs("ERR increment would produce NaN or Infinity"));
  EXPECT_THAT(Run({"EXISTS", "new"}), IntIs(0));
  EXPECT_THAT(Run({"GET", "f"}), BulkIs("1"));
  EXPECT_THAT(Run({"SET", "s", "abc"}), IsOk());
  EXPECT_THAT(Run({"INCRBYFLOAT", "s", "1"}), ErrorIs(kNotFloat));
  EXPECT_THAT(Run({"SET", "s", " 1"}), IsOk());
  EXPECT_THAT(Run({"INCRBYFLOAT", "s", "1"}), ErrorIs(kNotFloat));
  MakeNonString("l");
  EXPECT_THAT(Run({"INCRBYFLOAT", "l", "abc"}), ErrorIs(kWrongType));
}

TEST_F(StringFamilyTest, Lcs) {
  EXPECT_THAT(Run({"MSET", "key1", "ohmytext", "key2", "mynewtext"}), IsOk());
  EXPECT_THAT(Run({"LCS", "key1", "key2"}), BulkIs("mytext"));
  EXPECT_THAT(Run({"LCS", "key1", "key2", "LEN"}), IntIs(6));
  EXPECT_THAT(Run({"LCS", "key1", "key2", "IDX"}),
              ArrayOf(BulkIs("matches"),
                      ArrayOf(ArrayOf(ArrayOf(IntIs(4), IntIs(7)), ArrayOf(IntIs(5), IntIs(8))),
                              ArrayOf(ArrayOf(IntIs(2), IntIs(3)), ArrayOf(IntIs(0), IntIs(1)))),
                      BulkIs("len"), IntIs(6)));
  EXPECT_THAT(
      Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
      ArrayOf(BulkIs("matches"),
              ArrayOf(ArrayOf(ArrayOf(IntIs(4), IntIs(7)), ArrayOf(IntIs(5), IntIs(8)), IntIs(4))),
              BulkIs("len"), IntIs(6)));
  EXPECT_THAT(Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-5"}),
              ArrayOf(BulkIs("matches"), ArrayLen(2), BulkIs("len"), IntIs(6)));
  EXPECT_THAT(Run({"LCS", "key1", "nokey", "IDX"}),
              ArrayOf(BulkIs("matches"), EmptyArray(), BulkIs("len"), IntIs(0)));
  EXPECT_THAT(Run({"LCS", "nokey", "nokey2"}), BulkIs(""));
  RespValue resp3 = RunResp3({"LCS", "key1", "key2", "IDX"});
  EXPECT_EQ(resp3.type, RespType::kMap);
  EXPECT_THAT(RunResp3({"LCS", "key1", "key2", "IDX"}), IsType(RespType::kMap));
}

TEST_F(StringFamilyTest, LcsErrors) {
  EXPECT_THAT(Run({"MSET", "a", "abc", "b", "abd"}), IsOk());
  MakeNonString("l");
  EXPECT_THAT(Run({"LCS", "l", "a", "FOO"}),
              ErrorIs("ERR The specified keys must contain string values"));
  EXPECT_THAT(Run({"LCS", "a", "b", "IDX", "LEN"}),
              ErrorIs("ERR If you want both the length and indexes, please just use IDX."));
  EXPECT_THAT(Run({"LCS", "a", "b", "MINMATCHLEN"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"LCS", "a", "b", "MINMATCHLEN", "x"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"LCS", "a", "b", "FOO"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"LCS", "a"}), ErrorIs("ERR wrong number of arguments for 'lcs' command"));
}

// CVE-2021-32625: the len1*len2 table is checked against proto-max-bulk-len before it
// is allocated.
TEST_F(StringFamilyTest, LcsTableLimit) {
  server_.config_.proto_max_bulk_len = 1024 * 1024;
  EXPECT_THAT(Run({"SET", "a", std::string(1000, 'x')}), IsOk());
  EXPECT_THAT(Run({"SET", "b", std::string(1000, 'y')}), IsOk());
  EXPECT_THAT(Run({"LCS", "a", "b", "LEN"}),
              ErrorIs("ERR Insufficient memory, transient memory for LCS exceeds "
                      "proto-max-bulk-len"));
  EXPECT_THAT(Run({"SET", "b", std::string(200, 'x')}), IsOk());
  EXPECT_THAT(Run({"LCS", "a", "b", "LEN"}), IntIs(200));
}

}  // namespace
}  // namespace gannet
