// Set commands through the dispatcher: replies in RESP2 and RESP3, every error text,
// WRONGTYPE, empty-key deletion, intset/hashtable thresholds and their config, and the
// huge-count inputs behind CVE-2023-25155. Expected replies were checked byte for byte
// against redis-server 7.0.15.
#include <set>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

class SetFamilyTest : public CommandTest {
 protected:
  std::string Encoding(std::string_view key) { return Run({"OBJECT", "ENCODING", key}).str; }
};

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

TEST_F(SetFamilyTest, AddRemMembers) {
  EXPECT_THAT(Run({"SADD", "s", "3", "1", "2", "1"}), IntIs(3));
  EXPECT_THAT(Run({"SADD", "s", "2", "4"}), IntIs(1));
  EXPECT_THAT(Run({"SMEMBERS", "s"}), BulkArray({"1", "2", "3", "4"}));  // intset: sorted
  EXPECT_THAT(Run({"SCARD", "s"}), IntIs(4));
  EXPECT_THAT(Run({"SCARD", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"SISMEMBER", "s", "1"}), IntIs(1));
  EXPECT_THAT(Run({"SISMEMBER", "s", "01"}), IntIs(0));
  EXPECT_THAT(Run({"SISMEMBER", "nokey", "1"}), IntIs(0));
  EXPECT_THAT(Run({"SMISMEMBER", "s", "1", "9", "4"}), ArrayOf(IntIs(1), IntIs(0), IntIs(1)));
  EXPECT_THAT(Run({"SMISMEMBER", "nokey", "a", "b"}), ArrayOf(IntIs(0), IntIs(0)));
  EXPECT_THAT(Run({"SREM", "s", "1", "1", "99"}), IntIs(1));
  EXPECT_THAT(Run({"SREM", "nokey", "a"}), IntIs(0));
  EXPECT_THAT(Run({"SMEMBERS", "nokey"}), EmptyArray());
  EXPECT_THAT(Run({"TYPE", "s"}), SimpleIs("set"));
  EXPECT_THAT(Run({"SREM", "s", "2", "3", "4"}), IntIs(3));
  EXPECT_THAT(Run({"EXISTS", "s"}), IntIs(0));
  EXPECT_THAT(Run({"SADD", "s"}), ErrorIs("ERR wrong number of arguments for 'sadd' command"));
}

TEST_F(SetFamilyTest, IntsetOrderAndWidths) {
  Run({"SADD", "s", "5", "-3", "40000", "-40000", "3000000000", "-9223372036854775808",
       "9223372036854775807"});
  EXPECT_EQ(Encoding("s"), "intset");
  EXPECT_THAT(Run({"SMEMBERS", "s"}), BulkArray({"-9223372036854775808", "-40000", "-3", "5",
                                                 "40000", "3000000000", "9223372036854775807"}));
  Run({"SADD", "s", "-0"});  // not canonical: a string member
  EXPECT_EQ(Encoding("s"), "hashtable");
  EXPECT_THAT(Run({"SISMEMBER", "s", "-0"}), IntIs(1));
  EXPECT_THAT(Run({"SISMEMBER", "s", "3000000000"}), IntIs(1));
  EXPECT_THAT(Run({"SCARD", "s"}), IntIs(8));
}

TEST_F(SetFamilyTest, Resp3Shapes) {
  Run({"SADD", "s", "1", "2"});
  EXPECT_EQ(RunResp3({"SMEMBERS", "s"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SMEMBERS", "nokey"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SINTER", "s"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SINTER", "s", "nokey"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SUNION", "s"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SDIFF", "s"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SPOP", "nokey", "3"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SPOP", "s", "0"}).type, RespType::kSet);
  EXPECT_EQ(RunResp3({"SPOP", "nokey"}).type, RespType::kNull);
  // SRANDMEMBER with a count is an array, even a distinct one.
  EXPECT_EQ(RunResp3({"SRANDMEMBER", "s", "1"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"SRANDMEMBER", "s", "5"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"SRANDMEMBER", "nokey", "3"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"SRANDMEMBER", "nokey"}).type, RespType::kNull);
  EXPECT_EQ(RunResp3({"SMISMEMBER", "s", "1"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"SSCAN", "s", "0"}).type, RespType::kArray);
  EXPECT_EQ(RunRaw({"SMEMBERS", "s"}), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  EXPECT_THAT(RunResp3({"SPOP", "s", "5"}), SetOf({"1", "2"}));
  EXPECT_THAT(Run({"EXISTS", "s"}), IntIs(0));
}

TEST_F(SetFamilyTest, WrongType) {
  Run({"SET", "str", "v"});
  Run({"SADD", "s", "1"});
  const std::vector<std::vector<std::string>> cmds = {{"SADD", "str", "a"},
                                                      {"SREM", "str", "a"},
                                                      {"SMEMBERS", "str"},
                                                      {"SISMEMBER", "str", "a"},
                                                      {"SMISMEMBER", "str", "a"},
                                                      {"SCARD", "str"},
                                                      {"SPOP", "str"},
                                                      {"SPOP", "str", "1"},
                                                      {"SRANDMEMBER", "str"},
                                                      {"SRANDMEMBER", "str", "1"},
                                                      {"SMOVE", "str", "s", "a"},
                                                      {"SMOVE", "s", "str", "1"},
                                                      {"SINTER", "nokey", "str"},
                                                      {"SINTERCARD", "2", "nokey", "str"},
                                                      {"SINTERSTORE", "d", "nokey", "str"},
                                                      {"SUNION", "nokey", "str"},
                                                      {"SUNIONSTORE", "d", "str"},
                                                      {"SDIFF", "nokey", "str"},
                                                      {"SDIFFSTORE", "d", "s", "str"},
                                                      {"SSCAN", "str", "0"}};
  for (const auto& c : cmds) EXPECT_THAT(Run(c), ErrorIs(kWrongType)) << c[0];
  // A missing source answers 0 before any type is checked.
  EXPECT_THAT(Run({"SMOVE", "nokey", "str", "a"}), IntIs(0));
}

TEST_F(SetFamilyTest, PopAndRandMember) {
  EXPECT_THAT(Run({"SPOP", "nokey"}), IsNil());
  EXPECT_THAT(Run({"SPOP", "nokey", "3"}), EmptyArray());
  const std::string positive = "ERR value is out of range, must be positive";
  EXPECT_THAT(Run({"SPOP", "nokey", "-1"}), ErrorIs(positive));
  EXPECT_THAT(Run({"SPOP", "nokey", "x"}), ErrorIs(positive));
  EXPECT_THAT(Run({"SPOP", "nokey", "-9223372036854775808"}), ErrorIs(positive));
  EXPECT_THAT(Run({"SPOP", "nokey", "1", "2"}), ErrorIs("ERR syntax error"));
  Run({"SADD", "s", "a", "b", "c", "d"});
  RespValue two = Run({"SPOP", "s", "2"});
  ASSERT_EQ(two.elems.size(), 2u);
  EXPECT_THAT(Run({"SCARD", "s"}), IntIs(2));
  for (const RespValue& m : two.elems) EXPECT_THAT(Run({"SISMEMBER", "s", m.str}), IntIs(0));
  Run({"SPOP", "s"});
  Run({"SPOP", "s"});
  EXPECT_THAT(Run({"EXISTS", "s"}), IntIs(0));

  const std::string range =
      "ERR value is out of range, value must between -9223372036854775807 and "
      "9223372036854775807";
  EXPECT_THAT(Run({"SRANDMEMBER", "nokey"}), IsNil());
  EXPECT_THAT(Run({"SRANDMEMBER", "nokey", "3"}), EmptyArray());
  EXPECT_THAT(Run({"SRANDMEMBER", "nokey", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"SRANDMEMBER", "nokey", "-9223372036854775808"}), ErrorIs(range));
  EXPECT_THAT(Run({"SRANDMEMBER", "nokey", "1", "2"}), ErrorIs("ERR syntax error"));
  Run({"SADD", "s", "1", "2", "3"});
  EXPECT_THAT(Run({"SRANDMEMBER", "s", "0"}), EmptyArray());
  // CVE-2023-25155: extreme counts neither crash nor overflow.
  EXPECT_THAT(Run({"SRANDMEMBER", "s", "9223372036854775807"}),
              UnorderedBulkArray({"1", "2", "3"}));
  EXPECT_THAT(Run({"SRANDMEMBER", "s", "-9223372036854775807"}), IsError());
  RespValue rep = Run({"SRANDMEMBER", "s", "-30"});
  ASSERT_EQ(rep.elems.size(), 30u);
  std::set<std::string> seen;
  for (const RespValue& v : rep.elems) seen.insert(v.str);
  EXPECT_EQ(seen, (std::set<std::string>{"1", "2", "3"}));
  RespValue distinct = Run({"SRANDMEMBER", "s", "2"});
  ASSERT_EQ(distinct.elems.size(), 2u);
  EXPECT_NE(distinct.elems[0].str, distinct.elems[1].str);
  EXPECT_THAT(Run({"SCARD", "s"}), IntIs(3));  // SRANDMEMBER removes nothing
}

TEST_F(SetFamilyTest, PopManyFromHashtable) {
  std::vector<std::string> cmd = {"SADD", "s"};
  for (int i = 0; i < 2000; ++i) cmd.push_back("m" + std::to_string(i));
  Run(cmd);
  EXPECT_EQ(Encoding("s"), "hashtable");
  std::set<std::string> popped;
  for (int round = 0; round < 4; ++round) {
    RespValue r = Run({"SPOP", "s", "499"});
    ASSERT_EQ(r.elems.size(), 499u);
    for (const RespValue& m : r.elems) EXPECT_TRUE(popped.insert(m.str).second);
  }
  EXPECT_THAT(Run({"SCARD", "s"}), IntIs(4));
  EXPECT_EQ(Encoding("s"), "hashtable");  // never back to intset
  RespValue rest = Run({"SPOP", "s", "10"});
  EXPECT_EQ(rest.elems.size(), 4u);
  EXPECT_THAT(Run({"EXISTS", "s"}), IntIs(0));
}

TEST_F(SetFamilyTest, Move) {
  Run({"SADD", "m", "a", "b"});
  Run({"SADD", "n", "c"});
  EXPECT_THAT(Run({"SMOVE", "m", "n", "a"}), IntIs(1));
  EXPECT_THAT(Run({"SMOVE", "m", "n", "zz"}), IntIs(0));
  EXPECT_THAT(Run({"SMEMBERS", "n"}), UnorderedBulkArray({"a", "c"}));
  EXPECT_THAT(Run({"SMOVE", "m", "m", "b"}), IntIs(1));
  EXPECT_THAT(Run({"SMOVE", "m", "m", "zz"}), IntIs(0));
  EXPECT_THAT(Run({"SMOVE", "m", "n", "b"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "m"}), IntIs(0));
  Run({"SADD", "ints", "1", "2"});
  EXPECT_THAT(Run({"SMOVE", "ints", "fresh", "2"}), IntIs(1));
  EXPECT_EQ(Encoding("fresh"), "intset");
  EXPECT_THAT(Run({"SMOVE", "n", "fresh2", "c"}), IntIs(1));
  EXPECT_EQ(Encoding("fresh2"), "hashtable");
  EXPECT_THAT(Run({"SMOVE", "n", "fresh", "a"}), IntIs(1));
  EXPECT_EQ(Encoding("fresh"), "hashtable");
}

TEST_F(SetFamilyTest, InterUnionDiff) {
  Run({"SADD", "t", "1", "2", "3"});
  Run({"SADD", "u", "3", "4", "5"});
  Run({"SADD", "w", "a", "3"});
  EXPECT_THAT(Run({"SINTER", "t", "u"}), BulkArray({"3"}));
  EXPECT_THAT(Run({"SINTER", "t", "u", "w"}), BulkArray({"3"}));
  EXPECT_THAT(Run({"SINTER", "t", "t"}), UnorderedBulkArray({"1", "2", "3"}));
  EXPECT_THAT(Run({"SINTER", "t", "nokey"}), EmptyArray());
  EXPECT_THAT(Run({"SUNION", "t", "u", "nokey"}), UnorderedBulkArray({"1", "2", "3", "4", "5"}));
  EXPECT_THAT(Run({"SUNION", "nokey"}), EmptyArray());
  EXPECT_THAT(Run({"SDIFF", "t", "u"}), UnorderedBulkArray({"1", "2"}));
  EXPECT_THAT(Run({"SDIFF", "t", "t"}), EmptyArray());
  EXPECT_THAT(Run({"SDIFF", "nokey", "t"}), EmptyArray());
  EXPECT_THAT(Run({"SDIFF", "t", "nokey"}), UnorderedBulkArray({"1", "2", "3"}));

  EXPECT_THAT(Run({"SINTERSTORE", "d", "t", "u"}), IntIs(1));
  EXPECT_EQ(Encoding("d"), "intset");
  Run({"EXPIRE", "d", "100"});
  EXPECT_THAT(Run({"SUNIONSTORE", "d", "t", "w"}), IntIs(4));
  EXPECT_EQ(Encoding("d"), "hashtable");
  EXPECT_THAT(Run({"TTL", "d"}), IntIs(-1));  // replaced, TTL gone
  EXPECT_THAT(Run({"SDIFFSTORE", "d", "w", "t"}), IntIs(1));
  EXPECT_EQ(Encoding("d"), "hashtable");
  EXPECT_THAT(Run({"SMEMBERS", "d"}), BulkArray({"a"}));
  Run({"SET", "d", "x"});
  EXPECT_THAT(Run({"SINTERSTORE", "d", "t", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "d"}), IntIs(0));
  EXPECT_THAT(Run({"SDIFFSTORE", "d", "t", "t"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "d"}), IntIs(0));
  // A destination that is also a source.
  EXPECT_THAT(Run({"SINTERSTORE", "t", "t", "u"}), IntIs(1));
  EXPECT_THAT(Run({"SMEMBERS", "t"}), BulkArray({"3"}));
  EXPECT_THAT(Run({"SUNIONSTORE", "u", "u", "t"}), IntIs(3));
}

TEST_F(SetFamilyTest, InterCard) {
  Run({"SADD", "t", "1", "2", "3"});
  Run({"SADD", "u", "2", "3", "4"});
  EXPECT_THAT(Run({"SINTERCARD", "2", "t", "u"}), IntIs(2));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t"}), IntIs(3));
  EXPECT_THAT(Run({"SINTERCARD", "2", "t", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "LIMIT", "1"}), IntIs(1));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "limit", "0"}), IntIs(3));
  EXPECT_THAT(Run({"SINTERCARD", "2", "t", "u", "LIMIT", "5"}), IntIs(2));
  const std::string numkeys = "ERR numkeys should be greater than 0";
  EXPECT_THAT(Run({"SINTERCARD", "0", "t"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"SINTERCARD", "-1", "t"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"SINTERCARD", "x", "t"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"SINTERCARD", "2", "t"}),
              ErrorIs("ERR Number of keys can't be greater than number of args"));
  EXPECT_THAT(Run({"SINTERCARD", "9223372036854775807", "t"}),
              ErrorIs("ERR Number of keys can't be greater than number of args"));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "LIMIT", "-1"}), ErrorIs("ERR LIMIT can't be negative"));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "LIMIT", "x"}), ErrorIs("ERR LIMIT can't be negative"));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "LIMIT"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"SINTERCARD", "1", "t", "FOO", "1"}), ErrorIs("ERR syntax error"));
}

TEST_F(SetFamilyTest, Scan) {
  EXPECT_THAT(Run({"SSCAN", "nokey", "0", "FOO"}), ArrayOf(BulkIs("0"), EmptyArray()));
  EXPECT_THAT(Run({"SSCAN", "nokey", "x"}), ErrorIs("ERR invalid cursor"));
  Run({"SADD", "s", "1", "2", "10", "11"});
  EXPECT_THAT(Run({"SSCAN", "s", "0", "COUNT", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"SSCAN", "s", "0", "MATCH"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"SSCAN", "s", "0", "TYPE", "set"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"SSCAN", "s", "0", "MATCH", "1*", "COUNT", "1"}),
              ArrayOf(BulkIs("0"), BulkArray({"1", "10", "11"})));
  std::vector<std::string> cmd = {"SADD", "big"};
  for (int i = 0; i < 1000; ++i) cmd.push_back("m" + std::to_string(i));
  Run(cmd);
  std::set<std::string> members;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue r = Run({"SSCAN", "big", cursor});
    cursor = r.elems[0].str;
    for (const RespValue& m : r.elems[1].elems) members.insert(m.str);
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  EXPECT_EQ(members.size(), 1000u);
  EXPECT_GT(calls, 10);
}

TEST_F(SetFamilyTest, EncodingThresholdsAndConfig) {
  std::vector<std::string> cmd = {"SADD", "s"};
  for (int i = 0; i < 512; ++i) cmd.push_back(std::to_string(i));
  Run(cmd);
  EXPECT_EQ(Encoding("s"), "intset");
  Run({"SADD", "s", "511"});
  EXPECT_EQ(Encoding("s"), "intset");
  Run({"SADD", "s", "512"});
  EXPECT_EQ(Encoding("s"), "hashtable");
  Run({"SADD", "a", "x"});
  EXPECT_EQ(Encoding("a"), "hashtable");

  server_.config_.set_max_intset_entries = 2;
  Run({"SADD", "c", "1", "2"});
  EXPECT_EQ(Encoding("c"), "intset");
  Run({"SADD", "c", "3"});
  EXPECT_EQ(Encoding("c"), "hashtable");
  server_.config_.set_max_intset_entries = 0;
  Run({"SADD", "d", "1"});
  EXPECT_EQ(Encoding("d"), "hashtable");
  // CVE-2021-32687: a huge limit is clamped, not trusted.
  server_.config_.set_max_intset_entries = INT64_MAX;
  Run({"SADD", "e", "1", "2"});
  EXPECT_EQ(Encoding("e"), "intset");
}

TEST_F(SetFamilyTest, CopyIsDeep) {
  Run({"SADD", "s", "1", "2", "x"});
  EXPECT_THAT(Run({"COPY", "s", "s2"}), IntIs(1));
  Run({"SREM", "s", "x"});
  EXPECT_THAT(Run({"SISMEMBER", "s2", "x"}), IntIs(1));
  EXPECT_EQ(Encoding("s2"), "hashtable");
  Run({"SADD", "i", "1"});
  Run({"COPY", "i", "i2"});
  EXPECT_EQ(Encoding("i2"), "intset");
  EXPECT_GT(db().FindNoTouch("s2")->value.MemoryUsage(), 0u);
}

}  // namespace
}  // namespace gannet
