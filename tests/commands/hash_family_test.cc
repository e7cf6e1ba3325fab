// Hash commands through the dispatcher: replies in RESP2 and RESP3, every error text,
// WRONGTYPE, empty-key deletion, encoding thresholds and their config. Expected replies
// were checked byte for byte against redis-server 7.0.15.
#include <set>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

class HashFamilyTest : public CommandTest {
 protected:
  std::string Encoding(std::string_view key) { return Run({"OBJECT", "ENCODING", key}).str; }
};

TEST_F(HashFamilyTest, SetGetBasics) {
  EXPECT_THAT(Run({"HSET", "h", "a", "1", "b", "2"}), IntIs(2));
  EXPECT_THAT(Run({"HSET", "h", "a", "10", "c", "3"}), IntIs(1));
  EXPECT_THAT(Run({"HMSET", "h", "d", "4"}), IsOk());
  EXPECT_THAT(Run({"HGET", "h", "a"}), BulkIs("10"));
  EXPECT_THAT(Run({"HGET", "h", "zz"}), IsNil());
  EXPECT_THAT(Run({"HGET", "nokey", "a"}), IsNil());
  EXPECT_THAT(Run({"HLEN", "h"}), IntIs(4));
  EXPECT_THAT(Run({"HLEN", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"HEXISTS", "h", "a"}), IntIs(1));
  EXPECT_THAT(Run({"HEXISTS", "h", "zz"}), IntIs(0));
  EXPECT_THAT(Run({"HEXISTS", "nokey", "a"}), IntIs(0));
  EXPECT_THAT(Run({"HSTRLEN", "h", "a"}), IntIs(2));
  EXPECT_THAT(Run({"HSTRLEN", "h", "zz"}), IntIs(0));
  EXPECT_THAT(Run({"HSTRLEN", "nokey", "a"}), IntIs(0));
  EXPECT_THAT(Run({"HMGET", "h", "a", "zz", "b"}), ArrayOf(BulkIs("10"), IsNil(), BulkIs("2")));
  EXPECT_THAT(Run({"HMGET", "nokey", "a", "b"}), ArrayOf(IsNil(), IsNil()));
  EXPECT_THAT(Run({"HGETALL", "h"}), MapOf({{"a", "10"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
  EXPECT_THAT(Run({"HKEYS", "h"}), UnorderedBulkArray({"a", "b", "c", "d"}));
  EXPECT_THAT(Run({"HVALS", "h"}), UnorderedBulkArray({"10", "2", "3", "4"}));
  EXPECT_THAT(Run({"TYPE", "h"}), SimpleIs("hash"));
  EXPECT_EQ(Encoding("h"), "listpack");
}

TEST_F(HashFamilyTest, ArityAndOddPairs) {
  EXPECT_THAT(Run({"HSET", "h", "a"}), ErrorIs("ERR wrong number of arguments for 'hset' command"));
  EXPECT_THAT(Run({"HSET", "h", "a", "1", "b"}),
              ErrorIs("ERR wrong number of arguments for 'hset' command"));
  EXPECT_THAT(Run({"HMSET", "h", "a", "1", "b"}),
              ErrorIs("ERR wrong number of arguments for 'hmset' command"));
  EXPECT_THAT(Run({"HSETNX", "h", "a"}),
              ErrorIs("ERR wrong number of arguments for 'hsetnx' command"));
  EXPECT_THAT(Run({"EXISTS", "h"}), IntIs(0));  // nothing created by a refused HSET
}

TEST_F(HashFamilyTest, SetNx) {
  EXPECT_THAT(Run({"HSETNX", "h", "a", "1"}), IntIs(1));
  EXPECT_THAT(Run({"HSETNX", "h", "a", "2"}), IntIs(0));
  EXPECT_THAT(Run({"HGET", "h", "a"}), BulkIs("1"));
}

TEST_F(HashFamilyTest, Resp3Shapes) {
  Run({"HSET", "h", "a", "1"});
  RespValue all = RunResp3({"HGETALL", "h"});
  EXPECT_EQ(all.type, RespType::kMap);
  EXPECT_THAT(all, MapOf({{"a", "1"}}));
  EXPECT_EQ(RunResp3({"HGETALL", "nokey"}).type, RespType::kMap);
  EXPECT_EQ(Run({"HGETALL", "nokey"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"HKEYS", "h"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"HVALS", "h"}).type, RespType::kArray);
  EXPECT_EQ(RunResp3({"HGET", "h", "zz"}).type, RespType::kNull);
  EXPECT_EQ(RunResp3({"HRANDFIELD", "nokey"}).type, RespType::kNull);
  // HRANDFIELD WITHVALUES: RESP2 flat, RESP3 an array of [field, value] pairs.
  EXPECT_THAT(Run({"HRANDFIELD", "h", "1", "WITHVALUES"}), BulkArray({"a", "1"}));
  EXPECT_THAT(RunResp3({"HRANDFIELD", "h", "-2", "WITHVALUES"}),
              ArrayOf(BulkArray({"a", "1"}), BulkArray({"a", "1"})));
  EXPECT_THAT(RunResp3({"HRANDFIELD", "h", "5", "WITHVALUES"}), ArrayOf(BulkArray({"a", "1"})));
  // HSCAN is an array of [cursor, flat array] in both protocols.
  EXPECT_THAT(RunResp3({"HSCAN", "h", "0"}), ArrayOf(BulkIs("0"), BulkArray({"a", "1"})));
  EXPECT_EQ(RunRaw({"HSCAN", "h", "0"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
}

TEST_F(HashFamilyTest, WrongType) {
  Run({"SET", "s", "v"});
  const std::string wt = "WRONGTYPE Operation against a key holding the wrong kind of value";
  const std::vector<std::vector<std::string>> cmds = {{"HSET", "s", "a", "1"},
                                                      {"HMSET", "s", "a", "1"},
                                                      {"HSETNX", "s", "a", "1"},
                                                      {"HGET", "s", "a"},
                                                      {"HMGET", "s", "a"},
                                                      {"HGETALL", "s"},
                                                      {"HKEYS", "s"},
                                                      {"HVALS", "s"},
                                                      {"HDEL", "s", "a"},
                                                      {"HEXISTS", "s", "a"},
                                                      {"HLEN", "s"},
                                                      {"HSTRLEN", "s", "a"},
                                                      {"HINCRBY", "s", "a", "1"},
                                                      {"HINCRBYFLOAT", "s", "a", "1"},
                                                      {"HRANDFIELD", "s"},
                                                      {"HRANDFIELD", "s", "2"},
                                                      {"HSCAN", "s", "0"}};
  for (const auto& c : cmds) EXPECT_THAT(Run(c), ErrorIs(wt)) << c[0];
  EXPECT_THAT(Run({"GET", "s"}), BulkIs("v"));
}

TEST_F(HashFamilyTest, DelDeletesEmptyKey) {
  Run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_THAT(Run({"HDEL", "h", "a", "zz", "a"}), IntIs(1));
  EXPECT_THAT(Run({"HDEL", "nokey", "a"}), IntIs(0));
  EXPECT_THAT(Run({"HDEL", "h", "b"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "h"}), IntIs(0));
  // The same for a hashtable-encoded hash.
  Run({"HSET", "t", "a", std::string(100, 'x')});
  EXPECT_EQ(Encoding("t"), "hashtable");
  EXPECT_THAT(Run({"HDEL", "t", "a"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "t"}), IntIs(0));
}

TEST_F(HashFamilyTest, IncrBy) {
  EXPECT_THAT(Run({"HINCRBY", "h", "n", "5"}), IntIs(5));
  EXPECT_THAT(Run({"HINCRBY", "h", "n", "-7"}), IntIs(-2));
  EXPECT_THAT(Run({"HINCRBY", "h", "n", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  Run({"HSET", "h", "s", "abc", "sp", " 1", "max", "9223372036854775807", "min",
       "-9223372036854775808", "f", "1.5"});
  EXPECT_THAT(Run({"HINCRBY", "h", "s", "1"}), ErrorIs("ERR hash value is not an integer"));
  EXPECT_THAT(Run({"HINCRBY", "h", "sp", "1"}), ErrorIs("ERR hash value is not an integer"));
  EXPECT_THAT(Run({"HINCRBY", "h", "f", "1"}), ErrorIs("ERR hash value is not an integer"));
  EXPECT_THAT(Run({"HINCRBY", "h", "max", "1"}),
              ErrorIs("ERR increment or decrement would overflow"));
  EXPECT_THAT(Run({"HINCRBY", "h", "min", "-1"}),
              ErrorIs("ERR increment or decrement would overflow"));
  EXPECT_THAT(Run({"HINCRBY", "h", "min", "9223372036854775807"}), IntIs(-1));
  EXPECT_THAT(Run({"HINCRBY", "h", "max", "-9223372036854775808"}), IntIs(-1));
  EXPECT_THAT(Run({"HGET", "h", "max"}), BulkIs("-1"));
}

TEST_F(HashFamilyTest, IncrByFloat) {
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "1.5"}), BulkIs("1.5"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "0.1"}), BulkIs("1.6"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "3.0e3"}),
              BulkIs("3001.60000000000000009"));  // as Redis (long double)
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "abc"}), ErrorIs("ERR value is not a valid float"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "nan"}), ErrorIs("ERR value is not a valid float"));
  // CVE-2023-28856: no NaN or infinity ever reaches the hash.
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "inf"}), ErrorIs("ERR value is NaN or Infinity"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "f", "-inf"}), ErrorIs("ERR value is NaN or Infinity"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "nokey", "f", "inf"}), ErrorIs("ERR value is NaN or Infinity"));
  EXPECT_THAT(Run({"EXISTS", "nokey"}), IntIs(0));
  Run({"HSET", "h", "huge", "1e4932", "s", "abc", "i", "10"});
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "huge", "1e4932"}),
              ErrorIs("ERR increment would produce NaN or Infinity"));
  EXPECT_THAT(Run({"HGET", "h", "huge"}), BulkIs("1e4932"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "s", "1"}), ErrorIs("ERR hash value is not a float"));
  EXPECT_THAT(Run({"HINCRBYFLOAT", "h", "i", "1"}), BulkIs("11"));
  // A long result converts the hash, as any long value does.
  EXPECT_EQ(Encoding("h"), "listpack");
  RespValue big = Run({"HINCRBYFLOAT", "h", "i", "1e80"});
  EXPECT_EQ(big.type, RespType::kBulk);
  EXPECT_GT(big.str.size(), 64u);
  EXPECT_EQ(Encoding("h"), "hashtable");
}

TEST_F(HashFamilyTest, RandField) {
  EXPECT_THAT(Run({"HRANDFIELD", "nokey"}), IsNil());
  EXPECT_THAT(Run({"HRANDFIELD", "nokey", "5"}), EmptyArray());
  EXPECT_THAT(Run({"HRANDFIELD", "nokey", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  const std::string range =
      "ERR value is out of range, value must between -9223372036854775807 and "
      "9223372036854775807";
  EXPECT_THAT(Run({"HRANDFIELD", "nokey", "-9223372036854775808"}), ErrorIs(range));
  Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_THAT(Run({"HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"}), ErrorIs(range));
  EXPECT_THAT(Run({"HRANDFIELD", "h", "1", "foo"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}), ErrorIs("ERR syntax error"));
  // CVE-2023-22458: counts whose doubling overflows are refused with WITHVALUES.
  EXPECT_THAT(Run({"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"}),
              ErrorIs("ERR value is out of range"));
  EXPECT_THAT(Run({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}),
              ErrorIs("ERR value is out of range"));
  EXPECT_THAT(Run({"HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"}),
              MapOf({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_THAT(Run({"HRANDFIELD", "h", "9223372036854775807"}), UnorderedBulkArray({"a", "b", "c"}));
  // A repeating count too large to reply with is refused instead of exhausting memory.
  EXPECT_THAT(Run({"HRANDFIELD", "h", "-9223372036854775807"}), IsError());
  EXPECT_THAT(Run({"HRANDFIELD", "h", "0"}), EmptyArray());
  EXPECT_THAT(Run({"HRANDFIELD", "h", "0", "WITHVALUES"}), EmptyArray());
  RespValue one = Run({"HRANDFIELD", "h"});
  EXPECT_TRUE(one.str == "a" || one.str == "b" || one.str == "c");
  RespValue rep = Run({"HRANDFIELD", "h", "-50"});
  ASSERT_EQ(rep.elems.size(), 50u);
  std::set<std::string> seen;
  for (const RespValue& v : rep.elems) seen.insert(v.str);
  EXPECT_EQ(seen.size(), 3u);  // 50 draws from 3 fields: all come up
  RespValue two = Run({"HRANDFIELD", "h", "2", "WITHVALUES"});
  ASSERT_EQ(two.elems.size(), 4u);
  EXPECT_NE(two.elems[0].str, two.elems[2].str);
  EXPECT_EQ(two.elems[1].str, Run({"HGET", "h", two.elems[0].str}).str);
}

TEST_F(HashFamilyTest, Scan) {
  EXPECT_THAT(Run({"HSCAN", "nokey", "0", "FOO"}), ArrayOf(BulkIs("0"), EmptyArray()));
  EXPECT_THAT(Run({"HSCAN", "nokey", "x"}), ErrorIs("ERR invalid cursor"));
  Run({"HSET", "h", "a1", "1", "a2", "2", "b1", "3"});
  EXPECT_THAT(Run({"HSCAN", "h", "x"}), ErrorIs("ERR invalid cursor"));
  EXPECT_THAT(Run({"HSCAN", "h", "0", "COUNT", "0"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"HSCAN", "h", "0", "COUNT", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"HSCAN", "h", "0", "MATCH"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"HSCAN", "h", "0", "TYPE", "string"}), ErrorIs("ERR syntax error"));
  // A listpack comes back whole with cursor 0, whatever COUNT says.
  EXPECT_THAT(Run({"HSCAN", "h", "0", "MATCH", "a*", "COUNT", "1"}),
              ArrayOf(BulkIs("0"), BulkArray({"a1", "1", "a2", "2"})));
  // A hashtable is walked with a cursor; every field comes back.
  for (int i = 0; i < 1000; ++i) Run({"HSET", "big", "f" + std::to_string(i), "v"});
  EXPECT_EQ(Encoding("big"), "hashtable");
  std::set<std::string> fields;
  std::string cursor = "0";
  int calls = 0;
  do {
    RespValue r = Run({"HSCAN", "big", cursor, "COUNT", "20"});
    ASSERT_EQ(r.elems.size(), 2u);
    cursor = r.elems[0].str;
    for (size_t i = 0; i < r.elems[1].elems.size(); i += 2) fields.insert(r.elems[1].elems[i].str);
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  EXPECT_EQ(fields.size(), 1000u);
  EXPECT_GT(calls, 10);
}

TEST_F(HashFamilyTest, EncodingThresholds) {
  std::vector<std::string> cmd = {"HSET", "h"};
  for (int i = 0; i < 512; ++i) {
    cmd.push_back("f" + std::to_string(i));
    cmd.push_back(std::to_string(i));
  }
  EXPECT_THAT(Run(cmd), IntIs(512));
  EXPECT_EQ(Encoding("h"), "listpack");
  Run({"HSET", "h", "f0", "x"});
  EXPECT_EQ(Encoding("h"), "listpack");
  Run({"HSET", "h", "f512", "x"});
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_THAT(Run({"HLEN", "h"}), IntIs(513));

  Run({"HSET", "v", "f", std::string(64, 'x')});
  EXPECT_EQ(Encoding("v"), "listpack");
  Run({"HSET", "v", "f", std::string(65, 'x')});
  EXPECT_EQ(Encoding("v"), "hashtable");
  Run({"HSET", "k", std::string(65, 'k'), "v"});
  EXPECT_EQ(Encoding("k"), "hashtable");
  // HSETNX on an existing field changes nothing, not even the encoding.
  Run({"HSET", "n", "a", "1"});
  Run({"HSETNX", "n", "a", std::string(65, 'x')});
  EXPECT_EQ(Encoding("n"), "listpack");
  Run({"HSETNX", "n", "b", std::string(65, 'x')});
  EXPECT_EQ(Encoding("n"), "hashtable");
}

TEST_F(HashFamilyTest, ConfigChangesThresholds) {
  server_.config_.hash_max_listpack_entries = 2;
  Run({"HSET", "a", "x", "1", "y", "2"});
  EXPECT_EQ(Encoding("a"), "listpack");
  Run({"HSET", "a", "z", "3"});
  EXPECT_EQ(Encoding("a"), "hashtable");
  server_.config_.hash_max_listpack_value = 3;
  Run({"HSET", "b", "x", "abc"});
  EXPECT_EQ(Encoding("b"), "listpack");
  Run({"HSET", "b", "y", "abcd"});
  EXPECT_EQ(Encoding("b"), "hashtable");
  server_.config_.hash_max_listpack_entries = 0;
  Run({"HINCRBY", "c", "a", "1"});
  EXPECT_EQ(Encoding("c"), "hashtable");
  EXPECT_THAT(Run({"HGET", "c", "a"}), BulkIs("1"));
}

// Redis checks hash-max-listpack-entries after every write to a listpack hash, updates
// included: lowering it converts a hash on its next HSET/HINCRBY even of an existing field.
TEST_F(HashFamilyTest, LoweredEntriesLimitConvertsOnUpdate) {
  Run({"HSET", "h", "f", "1", "g", "2"});
  Run({"HSET", "i", "f", "1"});
  Run({"HSET", "j", "f", "1"});
  server_.config_.hash_max_listpack_entries = 1;
  EXPECT_THAT(Run({"HSET", "h", "f", "5"}), IntIs(0));
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_THAT(Run({"HSET", "i", "f", "5"}), IntIs(0));  // 1 entry, not over the limit
  EXPECT_EQ(Encoding("i"), "listpack");
  server_.config_.hash_max_listpack_entries = 0;
  EXPECT_THAT(Run({"HINCRBY", "i", "f", "1"}), IntIs(6));
  EXPECT_EQ(Encoding("i"), "hashtable");
  EXPECT_THAT(Run({"HSETNX", "j", "f", "9"}), IntIs(0));  // no write: stays
  EXPECT_EQ(Encoding("j"), "listpack");
  EXPECT_THAT(Run({"HGET", "h", "f"}), BulkIs("5"));
}

TEST_F(HashFamilyTest, CopyAndMemoryUsage) {
  Run({"HSET", "h", "a", "1", "b", std::string(100, 'x')});
  EXPECT_THAT(Run({"COPY", "h", "h2"}), IntIs(1));
  Run({"HSET", "h", "a", "changed"});
  EXPECT_THAT(Run({"HGET", "h2", "a"}), BulkIs("1"));
  EXPECT_EQ(Encoding("h2"), "hashtable");
  EXPECT_GT(db().FindNoTouch("h2")->value.MemoryUsage(), 100u);
}

}  // namespace
}  // namespace gannet
