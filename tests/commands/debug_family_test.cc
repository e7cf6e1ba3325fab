// DEBUG (debug_family.cc) and ROLE, in process. The digests and DEBUG OBJECT lines expected
// here are what redis-server 7.0.15 answers for the same commands (tests/differential/
// test_debug.py checks the same side by side).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>

#include "command_test_base.h"
#include "gannet/engine/eviction.h"
#include "testing/resp_matchers.h"

namespace gannet {
namespace {

constexpr std::string_view kZeros = "0000000000000000000000000000000000000000";

class DebugFamilyTest : public CommandTest {
 protected:
  DebugFamilyTest() { server_.config_.enable_debug_command = "yes"; }

  // The DEBUG OBJECT line of key, with the address and the LRU fields checked for shape and
  // replaced by fixed text, so that the rest can be compared exactly.
  std::string ObjectLine(std::string_view key) {
    RespValue v = Run({"DEBUG", "OBJECT", key});
    EXPECT_EQ(v.type, RespType::kSimple) << v.ToString();
    static const std::regex kVolatile(
        "^Value at:0x[0-9a-f]+ (refcount:\\d+ encoding:\\w+ serializedlength:\\d+) "
        "lru:\\d+ lru_seconds_idle:\\d+(.*)$");
    std::smatch m;
    EXPECT_TRUE(std::regex_match(v.str, m, kVolatile)) << v.str;
    return m.size() == 3 ? std::string(m[1]) + std::string(m[2]) : v.str;
  }

  // lru and lru_seconds_idle of key's DEBUG OBJECT line.
  std::pair<int64_t, int64_t> LruFields(std::string_view key) {
    RespValue v = Run({"DEBUG", "OBJECT", key});
    static const std::regex kLru(" lru:(\\d+) lru_seconds_idle:(\\d+)");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(v.str, m, kLru)) << v.str;
    if (m.size() != 3) return {-1, -1};
    return {std::stoll(m[1]), std::stoll(m[2])};
  }

  std::string Digest() { return Run({"DEBUG", "DIGEST"}).str; }

  void SampleDataset() {
    Run({"SET", "s", "123"});
    Run({"SET", "s2", "hello"});
    Run({"ZADD", "z", "1.5", "a", "0.1", "b", "3", "c"});
    Run({"RPUSH", "l", "a", "b", "c"});
    Run({"HSET", "h", "f", "v", "f2", "12"});
    Run({"SADD", "st", "1", "2", "3"});
    Run({"SADD", "st2", "a", "b"});
    Run({"SET", "e", "v", "EX", "100"});
    Run({"XADD", "x", "1-1", "f", "v", "a", "b"});
  }
};

std::string Unknown(std::string_view sub) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
         "'. Try DEBUG HELP.";
}

TEST_F(DebugFamilyTest, RefusedUnlessEnabled) {
  const std::string refused =
      "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.";
  server_.config_.enable_debug_command = "no";
  EXPECT_THAT(Run({"DEBUG", "DIGEST"}), ErrorIs(refused));
  EXPECT_THAT(Run({"DEBUG", "HELP"}), ErrorIs(refused));
  // "local": the fake client has no loopback address.
  server_.config_.enable_debug_command = "local";
  EXPECT_THAT(Run({"DEBUG", "SLEEP", "0"}), ErrorIs(refused));
  server_.config_.enable_debug_command = "yes";
  EXPECT_THAT(Run({"DEBUG", "SLEEP", "0"}), IsOk());
}

TEST_F(DebugFamilyTest, HelpListsTheSubcommands) {
  RespValue v = Run({"DEBUG", "HELP"});
  ASSERT_EQ(v.type, RespType::kArray);
  ASSERT_GT(v.size(), 10u);
  EXPECT_EQ(v[0].str, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  std::vector<std::string> names;
  for (const RespValue& line : v.elems) {
    EXPECT_EQ(line.type, RespType::kSimple);
    if (!line.str.starts_with(" ")) names.push_back(line.str.substr(0, line.str.find(' ')));
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "DEBUG", "CHANGE-REPL-ID", "DIGEST", "DIGEST-VALUE", "ERROR", "LOG",
                       "LOADAOF", "OBJECT", "POPULATE", "PROTOCOL", "RELOAD", "SET-ACTIVE-EXPIRE",
                       "QUICKLIST-PACKED-THRESHOLD", "SLEEP", "STRINGMATCH-TEST", "HELP"}));
  EXPECT_EQ(v.elems.back().str, "    Prints this help.");
}

TEST_F(DebugFamilyTest, UnknownSubcommandsAndWrongArity) {
  EXPECT_THAT(Run({"DEBUG", "foo"}), ErrorIs(Unknown("foo")));
  EXPECT_THAT(Run({"DEBUG", "JMAP"}), ErrorIs(Unknown("JMAP")));
  EXPECT_THAT(Run({"DEBUG", "HELP", "x"}), ErrorIs(Unknown("HELP")));
  EXPECT_THAT(Run({"DEBUG", "object"}), ErrorIs(Unknown("object")));
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "a", "b"}), ErrorIs(Unknown("OBJECT")));
  EXPECT_THAT(Run({"DEBUG", "digest", "x"}), ErrorIs(Unknown("digest")));
  EXPECT_THAT(Run({"DEBUG", "protocol"}), ErrorIs(Unknown("protocol")));
  EXPECT_THAT(Run({"DEBUG", "PROTOCOL", "a", "b"}), ErrorIs(Unknown("PROTOCOL")));
  EXPECT_THAT(Run({"DEBUG", "sleep"}), ErrorIs(Unknown("sleep")));
  EXPECT_THAT(Run({"DEBUG", "SLEEP", "0", "1"}), ErrorIs(Unknown("SLEEP")));
  EXPECT_THAT(Run({"DEBUG", "set-active-expire"}), ErrorIs(Unknown("set-active-expire")));
  // CR/LF in the echoed name become spaces; a long name is cut at 128 bytes.
  EXPECT_THAT(Run({"DEBUG", "a\r\nb"}), ErrorIs(Unknown("a  b")));
  EXPECT_THAT(Run({"DEBUG", std::string(300, 'x')}), ErrorIs(Unknown(std::string(128, 'x'))));
  EXPECT_THAT(Run({"DEBUG", "populate"}), ErrorIs(Unknown("populate")));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1", "p", "2", "x"}), ErrorIs(Unknown("POPULATE")));
  EXPECT_THAT(Run({"DEBUG", "error"}), ErrorIs(Unknown("error")));
  EXPECT_THAT(Run({"DEBUG", "ERROR", "a", "b"}), ErrorIs(Unknown("ERROR")));
  EXPECT_THAT(Run({"DEBUG", "log"}), ErrorIs(Unknown("log")));
  EXPECT_THAT(Run({"DEBUG", "LOG", "a", "b"}), ErrorIs(Unknown("LOG")));
  EXPECT_THAT(Run({"DEBUG", "change-repl-id", "x"}), ErrorIs(Unknown("change-repl-id")));
  EXPECT_THAT(Run({"DEBUG", "quicklist-packed-threshold"}),
              ErrorIs(Unknown("quicklist-packed-threshold")));
  EXPECT_THAT(Run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1", "2"}),
              ErrorIs(Unknown("QUICKLIST-PACKED-THRESHOLD")));
  EXPECT_THAT(Run({"DEBUG", "stringmatch-test", "x"}), ErrorIs(Unknown("stringmatch-test")));
  EXPECT_THAT(Run({"DEBUG", "STRINGMATCH-LEN"}), ErrorIs(Unknown("STRINGMATCH-LEN")));
  // The command's own arity.
  EXPECT_THAT(Run({"DEBUG"}), ErrorIs("ERR wrong number of arguments for 'debug' command"));
}

TEST_F(DebugFamilyTest, ReloadAndLoadAofStillReachPersistence) {
  // The test server's persistence has no DEBUG RELOAD and the server no AOF: the replies
  // show the subcommands are routed to them.
  EXPECT_THAT(Run({"DEBUG", "RELOAD"}), ErrorIs("ERR DEBUG RELOAD is not supported"));
  EXPECT_THAT(Run({"debug", "reload", "nosave", "noflush", "merge"}),
              ErrorIs("ERR DEBUG RELOAD is not supported"));
  EXPECT_THAT(Run({"DEBUG", "RELOAD", "FOO"}),
              ErrorIs("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
  EXPECT_THAT(Run({"DEBUG", "LOADAOF"}), ErrorIs("ERR persistence is not available"));
  EXPECT_THAT(Run({"DEBUG", "LOADAOF", "ignored"}), ErrorIs("ERR persistence is not available"));
}

TEST_F(DebugFamilyTest, ObjectOfEachType) {
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "nokey"}), ErrorIs("ERR no such key"));
  SampleDataset();
  // serializedlength and refcount as redis-server 7.0.15 reports them.
  EXPECT_EQ(ObjectLine("s"), "refcount:2147483647 encoding:int serializedlength:2");
  EXPECT_EQ(ObjectLine("s2"), "refcount:1 encoding:embstr serializedlength:6");
  EXPECT_EQ(ObjectLine("z"), "refcount:1 encoding:listpack serializedlength:38");
  EXPECT_EQ(ObjectLine("h"), "refcount:1 encoding:listpack serializedlength:20");
  EXPECT_EQ(ObjectLine("st"), "refcount:1 encoding:intset serializedlength:15");
  EXPECT_EQ(ObjectLine("st2"), "refcount:1 encoding:hashtable serializedlength:5");
  EXPECT_EQ(ObjectLine("e"), "refcount:1 encoding:embstr serializedlength:2");
  EXPECT_EQ(ObjectLine("x"), "refcount:1 encoding:stream serializedlength:63");
  EXPECT_EQ(ObjectLine("l"),
            "refcount:1 encoding:quicklist serializedlength:19 ql_nodes:1 ql_avg_node:3.00 "
            "ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16");
  // A list keeps the fill and depth it was created with.
  server_.config_.list_max_listpack_size = 2;
  server_.config_.list_compress_depth = 1;
  Run({"RPUSH", "l2", "a", "b", "c", "d", "e"});
  EXPECT_EQ(ObjectLine("l2"),
            "refcount:1 encoding:quicklist serializedlength:43 ql_nodes:3 ql_avg_node:1.67 "
            "ql_listpack_max:2 ql_compressed:1 ql_uncompressed_size:36");
  // A large integer is not shared; a long string is raw (this one does not compress: our
  // LZF output is not byte-identical to Redis's, see test_debug.py).
  Run({"SET", "big", "123456"});
  EXPECT_EQ(ObjectLine("big"), "refcount:1 encoding:int serializedlength:5");
  Run({"SET", "long", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"});
  EXPECT_EQ(ObjectLine("long"), "refcount:1 encoding:raw serializedlength:51");
  // RESP3 gets the same status line.
  EXPECT_EQ(RunResp3({"DEBUG", "OBJECT", "s2"}).type, RespType::kSimple);
}

TEST_F(DebugFamilyTest, ObjectLruAgreesWithObjectIdletimeAndDoesNotTouch) {
  Run({"SET", "k", "v"});
  AdvanceTime(7'500);
  auto [lru, idle] = LruFields("k");
  EXPECT_EQ(idle, 7);
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(idle));
  // lru is Redis's seconds clock (24 bits) at the last access.
  EXPECT_EQ(lru, ((NowMs() / 1000) - idle) & kLruClockMax);
  // DEBUG OBJECT is no access.
  AdvanceTime(3'000);
  EXPECT_EQ(LruFields("k").second, 10);
  Run({"GET", "k"});
  EXPECT_EQ(LruFields("k").second, 0);
}

TEST_F(DebugFamilyTest, ObjectSeesAnExpiredKeyNotYetReclaimed) {
  Run({"SET", "k", "v", "PX", "10"});
  AdvanceTime(1'000);
  EXPECT_EQ(ObjectLine("k"), "refcount:1 encoding:embstr serializedlength:2");
  EXPECT_EQ(db().size(), 1u);  // DEBUG OBJECT did not expire it
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_THAT(Run({"DEBUG", "OBJECT", "k"}), ErrorIs("ERR no such key"));
}

TEST_F(DebugFamilyTest, DigestMatchesRedis) {
  EXPECT_THAT(Run({"DEBUG", "DIGEST"}), SimpleIs(std::string(kZeros)));
  SampleDataset();
  // Values from redis-server 7.0.15 for the same dataset.
  EXPECT_THAT(Run({"DEBUG", "DIGEST"}), SimpleIs("47fc936429f7c8efb4c228884c2f746e7a38a264"));
  EXPECT_THAT(
      Run({"DEBUG", "DIGEST-VALUE", "s", "s2", "z", "l", "h", "st", "st2", "e", "x", "nokey"}),
      ArrayOf(SimpleIs("89f7f51b707418f666d5b45e053bd5bbbf82ac2b"),
              SimpleIs("36b23a1456b2dce2c3ed252c456761301dba8060"),
              SimpleIs("d3a795113ef64aa93b74bbf2442038050fd508ed"),
              SimpleIs("8bf72d812571eea9b927f3c11beb0c4165a6ff89"),
              SimpleIs("444440e14aeb7badd23614cb2c9a9025704d3b42"),
              SimpleIs("2a462a3f51a1db89738ebbeef0c47ce1bbc85246"),
              SimpleIs("dd99329063ca0f1f28df2ac68d94b82fd95501c6"),
              SimpleIs("311b17018163335616e089f6b951c82c477335ac"),
              SimpleIs("0e02fc925e8774af82044212a5ae8670bad4ac30"), SimpleIs(std::string(kZeros))));
  EXPECT_THAT(Run({"DEBUG", "DIGEST-VALUE"}), EmptyArray());
  EXPECT_THAT(Run({"DEBUG", "DIGEST-VALUE", "a", "b"}),
              ArrayOf(SimpleIs(std::string(kZeros)), SimpleIs(std::string(kZeros))));
  EXPECT_THAT(RunResp3({"DEBUG", "DIGEST"}), SimpleIs("47fc936429f7c8efb4c228884c2f746e7a38a264"));
}

TEST_F(DebugFamilyTest, DigestFollowsContentNotHistory) {
  // The same contents built in different orders digest the same; list order counts.
  Run({"SADD", "s", "a", "b", "c"});
  Run({"HSET", "h", "x", "1", "y", "2"});
  Run({"ZADD", "z", "1", "a", "2", "b"});
  Run({"RPUSH", "l", "a", "b"});
  const std::string one = Digest();
  Run({"FLUSHALL"});
  Run({"RPUSH", "l", "a", "b"});
  Run({"ZADD", "z", "2", "b", "1", "a"});
  Run({"HSET", "h", "y", "2", "x", "1"});
  Run({"SADD", "s", "c", "b", "a"});
  EXPECT_EQ(Digest(), one);
  Run({"LPUSH", "l", "b"});
  Run({"RPOP", "l"});  // b a: the same elements, another order
  EXPECT_NE(Digest(), one);
  Run({"DEL", "l"});
  Run({"RPUSH", "l", "a", "b"});
  EXPECT_EQ(Digest(), one);
  // A TTL changes the digest (not its value), and so does the database a key is in.
  Run({"EXPIRE", "s", "100"});
  EXPECT_NE(Digest(), one);
  Run({"PERSIST", "s"});
  EXPECT_EQ(Digest(), one);
  Run({"SWAPDB", "0", "1"});
  EXPECT_NE(Digest(), one);
  Run({"SWAPDB", "0", "1"});
  EXPECT_EQ(Digest(), one);
  // An encoding conversion keeps the digest.
  Run({"SADD", "ints", "1", "2"});
  const std::string before = Run({"DEBUG", "DIGEST-VALUE", "ints"})[0].str;
  Run({"SADD", "ints", "x"});
  Run({"SREM", "ints", "x"});
  EXPECT_EQ(Run({"DEBUG", "DIGEST-VALUE", "ints"})[0].str, before);
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "ints"}), BulkIs("hashtable"));
}

TEST_F(DebugFamilyTest, ProtocolResp2) {
  auto raw = [&](std::string_view type) { return RunRaw({"DEBUG", "PROTOCOL", type}); };
  // Replies of redis-server 7.0.15 to a RESP2 client.
  EXPECT_EQ(raw("string"), "$11\r\nHello World\r\n");
  EXPECT_EQ(raw("STRING"), "$11\r\nHello World\r\n");
  EXPECT_EQ(raw("integer"), ":12345\r\n");
  EXPECT_EQ(raw("double"), "$5\r\n3.141\r\n");
  EXPECT_EQ(raw("bignum"), "$37\r\n1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(raw("null"), "$-1\r\n");
  EXPECT_EQ(raw("array"), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(raw("set"), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(raw("map"), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(raw("attrib"), "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(raw("push"), "-ERR RESP2 is not supported by this command\r\n");
  EXPECT_EQ(raw("verbatim"), "$25\r\nThis is a verbatim\nstring\r\n");
  EXPECT_EQ(raw("true"), ":1\r\n");
  EXPECT_EQ(raw("false"), ":0\r\n");
  EXPECT_EQ(raw("foo"),
            "-ERR Wrong protocol type name. Please use one of the following: "
            "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n");
  EXPECT_EQ(raw(""), raw("foo"));
}

TEST_F(DebugFamilyTest, ProtocolResp3) {
  client_.resp_ = RespVersion::kResp3;
  auto raw = [&](std::string_view type) { return RunRaw({"DEBUG", "PROTOCOL", type}); };
  // Replies of redis-server 7.0.15 to a RESP3 client.
  EXPECT_EQ(raw("string"), "$11\r\nHello World\r\n");
  EXPECT_EQ(raw("integer"), ":12345\r\n");
  EXPECT_EQ(raw("double"), ",3.141\r\n");
  EXPECT_EQ(raw("bignum"), "(1234567999999999999999999999999999999\r\n");
  EXPECT_EQ(raw("null"), "_\r\n");
  EXPECT_EQ(raw("array"), "*3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(raw("set"), "~3\r\n:0\r\n:1\r\n:2\r\n");
  EXPECT_EQ(raw("map"), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(raw("attrib"),
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            "$39\r\nSome real reply following the attribute\r\n");
  EXPECT_EQ(raw("push"),
            ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
            "$40\r\nSome real reply following the push reply\r\n");
  EXPECT_EQ(raw("verbatim"), "=29\r\ntxt:This is a verbatim\nstring\r\n");
  EXPECT_EQ(raw("true"), "#t\r\n");
  EXPECT_EQ(raw("false"), "#f\r\n");
  // The attribute decodes as one value carrying the attribute.
  RespValue v = RunResp3({"DEBUG", "PROTOCOL", "attrib"});
  EXPECT_EQ(v.str, "Some real reply following the attribute");
  EXPECT_EQ(v.attributes.size(), 2u);
}

TEST_F(DebugFamilyTest, SleepAcceptsAnyArgumentAndSleepsOnlyForAPositiveTime) {
  using Steady = std::chrono::steady_clock;
  const auto start = Steady::now();
  // As C's strtod reads them: nothing parsable is 0; negative, NaN and times too large for
  // a 64-bit microsecond count do not sleep (Redis on x86-64).
  for (std::string_view arg : {"0", "abc", "-1", "-0.5", "1e300", "-1e300", "inf", "nan",
                               "9223372036854.775807", "", "0.0000001"}) {
    EXPECT_THAT(Run({"DEBUG", "SLEEP", arg}), IsOk()) << arg;
  }
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(2));
  const auto before = Steady::now();
  EXPECT_THAT(Run({"DEBUG", "SLEEP", "0.02abc"}), IsOk());  // a parsable prefix counts
  EXPECT_GE(Steady::now() - before, std::chrono::milliseconds(20));
}

TEST_F(DebugFamilyTest, SetActiveExpireStopsAndRestartsTheCycle) {
  Run({"SET", "k", "v", "PX", "100"});
  Run({"SET", "keep", "v"});
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), IsOk());
  EXPECT_FALSE(keyspace_.active_expire_enabled());
  AdvanceTime(1'000);
  keyspace_.set_now_ms(NowMs());
  EXPECT_EQ(keyspace_.ActiveExpireCycle(1'000'000, 1), 0u);
  EXPECT_EQ(db().size(), 2u);  // k is past its TTL but still stored
  // DEBUG DIGEST counts it, as Redis's dict still holds it.
  const std::string with_k = Digest();
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}), IsOk());
  keyspace_.set_now_ms(NowMs());
  EXPECT_EQ(keyspace_.ActiveExpireCycle(1'000'000, 1), 1u);
  EXPECT_EQ(db().size(), 1u);
  EXPECT_NE(Digest(), with_k);
  // The argument is read as C's atoi: text is 0 (off), any other number is on.
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "abc"}), IsOk());
  EXPECT_FALSE(keyspace_.active_expire_enabled());
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "2"}), IsOk());
  EXPECT_TRUE(keyspace_.active_expire_enabled());
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0x1"}), IsOk());
  EXPECT_FALSE(keyspace_.active_expire_enabled());
  EXPECT_THAT(Run({"DEBUG", "SET-ACTIVE-EXPIRE", " -3"}), IsOk());
  EXPECT_TRUE(keyspace_.active_expire_enabled());
}

TEST_F(DebugFamilyTest, Role) {
  EXPECT_EQ(RunRaw({"ROLE"}), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
  client_.resp_ = RespVersion::kResp3;
  EXPECT_EQ(RunRaw({"ROLE"}), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
  EXPECT_THAT(Run({"ROLE", "x"}), ErrorIs("ERR wrong number of arguments for 'role' command"));
}

}  // namespace
}  // namespace gannet

namespace gannet {
namespace {

constexpr char kNotPositive[] = "ERR value is out of range, must be positive";

TEST_F(DebugFamilyTest, PopulateDefaultPrefix) {
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "100"}), IsOk());
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(100));
  EXPECT_THAT(Run({"GET", "key:0"}), BulkIs("value:0"));
  EXPECT_THAT(Run({"GET", "key:99"}), BulkIs("value:99"));
  EXPECT_THAT(Run({"EXISTS", "key:100"}), IntIs(0));
  EXPECT_THAT(Run({"TTL", "key:5"}), IntIs(-1));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "key:5"}), BulkIs("embstr"));
  // The digest redis-server 7.0.15 gives after DEBUG POPULATE 100 on an empty server.
  EXPECT_EQ(Digest(), "6ccb30af923e3936581da32cffcd103966a1fd3a");
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "0"}), IsOk());
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(100));
}

TEST_F(DebugFamilyTest, PopulatePrefixAndSize) {
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "3", "p"}), IsOk());
  EXPECT_THAT(Run({"GET", "p:2"}), BulkIs("value:2"));
  // With a size: "value:N" cut, or padded with zero bytes, to exactly that many bytes.
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "12", "s", "3"}), IsOk());
  EXPECT_THAT(Run({"GET", "s:11"}), BulkIs("val"));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "2", "z", "12"}), IsOk());
  EXPECT_THAT(Run({"GET", "z:1"}), BulkIs(std::string("value:1\0\0\0\0\0", 12)));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "2", "big", "100"}), IsOk());
  EXPECT_THAT(Run({"STRLEN", "big:0"}), IntIs(100));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "big:0"}), BulkIs("raw"));
  // Size 0 is the default value.
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1", "zero", "0"}), IsOk());
  EXPECT_THAT(Run({"GET", "zero:0"}), BulkIs("value:0"));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(20));
}

TEST_F(DebugFamilyTest, PopulateLeavesExistingKeysAndUsesTheSelectedDb) {
  Run({"SET", "key:1", "mine"});
  Run({"RPUSH", "key:2", "a"});
  Run({"SET", "key:3", "old", "PX", "10"});
  AdvanceTime(20);  // key:3 is expired: POPULATE's lookup reclaims it and creates it anew
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "4"}), IsOk());
  EXPECT_THAT(Run({"GET", "key:1"}), BulkIs("mine"));
  EXPECT_THAT(Run({"TYPE", "key:2"}), SimpleIs("list"));
  EXPECT_THAT(Run({"GET", "key:3"}), BulkIs("value:3"));
  EXPECT_THAT(Run({"TTL", "key:3"}), IntIs(-1));
  EXPECT_THAT(Run({"SELECT", "3"}), IsOk());
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "5", "db3"}), IsOk());
  EXPECT_EQ(db(3).size(), 5u);
  EXPECT_EQ(db(0).size(), 4u);
}

TEST_F(DebugFamilyTest, PopulateKeyNamesAsRedisFormatsThem) {
  // The prefix ends at its first NUL byte, as a C string.
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "2", std::string("b\0c", 3)}), IsOk());
  EXPECT_THAT(Run({"EXISTS", "b:0", "b:1"}), IntIs(2));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1", "\xff\xfe"}), IsOk());
  EXPECT_THAT(Run({"GET", "\xff\xfe:0"}), BulkIs("value:0"));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1", ""}), IsOk());
  EXPECT_THAT(Run({"GET", ":0"}), BulkIs("value:0"));
  // Keys are cut to 127 bytes: with a 126-byte prefix every number gives "prefix:".
  Run({"FLUSHALL"});
  const std::string p126(126, 'y');
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "3", p126}), IsOk());
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(1));
  EXPECT_THAT(Run({"GET", p126 + ":"}), BulkIs("value:0"));
  Run({"FLUSHALL"});
  const std::string p200(200, 'w');
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "2", p200}), IsOk());
  EXPECT_THAT(Run({"EXISTS", std::string(127, 'w')}), IntIs(1));
  Run({"FLUSHALL"});
  // 125 bytes, ':' and one digit fill the 127: "10" and "11" are both cut to "1".
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "12", std::string(125, 'z')}), IsOk());
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(10));
}

TEST_F(DebugFamilyTest, PopulateErrors) {
  for (std::string_view bad :
       {"-1", "abc", "", " 5", "1.5", "+5", "05", "9223372036854775808", "-9223372036854775808"}) {
    EXPECT_THAT(Run({"DEBUG", "POPULATE", bad}), ErrorIs(kNotPositive)) << bad;
    EXPECT_THAT(Run({"DEBUG", "POPULATE", "3", "p", bad}), ErrorIs(kNotPositive)) << bad;
  }
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "-5", "p", "abc"}), ErrorIs(kNotPositive));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(0));
  // A size no string may have is refused before anything is created (Redis would abort).
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1", "p", "9223372036854775807"}),
              ErrorIs("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(0));
}

TEST_F(DebugFamilyTest, PopulateIsNotAChangeForTheAofOrSavePoints) {
  const uint64_t before = keyspace_.dirty();
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "10"}), IsOk());
  EXPECT_EQ(keyspace_.dirty(), before);
  // ... but WATCH sees the keys it created.
  FakeClient& other = NewClient();
  ASSERT_TRUE(RunAs(other, {"WATCH", "key:20"}));
  ASSERT_TRUE(RunAs(other, {"MULTI"}));
  ASSERT_TRUE(RunAs(other, {"PING"}));
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "21"}), IsOk());
  EXPECT_THAT(*RunAs(other, {"EXEC"}), IsNil());
}

TEST_F(DebugFamilyTest, PopulateMillionKeys) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Run({"DEBUG", "POPULATE", "1000000", "m", "8"}), IsOk());
  EXPECT_EQ(db(0).size(), 1000000u);
  EXPECT_THAT(Run({"GET", "m:999999"}), BulkIs("value:99"));
  // Generous for Debug and sanitizer builds; a release build takes a fraction of a second.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST_F(DebugFamilyTest, ErrorRepliesWithTheTextAsGiven) {
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", "FOO bar"}), "-FOO bar\r\n");
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", "ERR x"}), "-ERR x\r\n");
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", "-X"}), "--X\r\n");
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", ""}), "-\r\n");
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", "a\r\nb"}), "-a  b\r\n");
  EXPECT_EQ(RunRaw({"DEBUG", "ERROR", std::string_view("a\0b", 3)}), std::string("-a\0b\r\n", 6));
}

TEST_F(DebugFamilyTest, LogWritesAWarning) {
  EXPECT_THAT(Run({"DEBUG", "LOG", "hello"}), IsOk());
  EXPECT_THAT(Run({"DEBUG", "LOG", std::string("cut\0here", 8)}), IsOk());
  EXPECT_EQ(server_.warnings_, (std::vector<std::string>{"DEBUG LOG: hello", "DEBUG LOG: cut"}));
}

TEST_F(DebugFamilyTest, ChangeReplId) {
  EXPECT_THAT(Run({"DEBUG", "CHANGE-REPL-ID"}), IsOk());
  EXPECT_THAT(Run({"debug", "change-repl-id"}), IsOk());
  EXPECT_EQ(server_.replication_id_changes_, 2);
  ASSERT_EQ(server_.warnings_.size(), 2u);
  EXPECT_EQ(server_.warnings_[0], "Changing replication IDs after receiving DEBUG change-repl-id");
}

TEST_F(DebugFamilyTest, QuicklistPackedThresholdArgument) {
  for (std::string_view ok : {"0", "1", "2", "1k", "1K", "1Kb", "1b", "1B", "4095mb", "1g", "", "k",
                              "4293918720", "17179869184gb"}) {
    EXPECT_THAT(Run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", ok}), IsOk()) << ok;
  }
  for (std::string_view bad : {"4293918721", "4gb", "5gb", "abc", "-1", " 1", "1.5", "1x", "0x10",
                               "+5", "99999999999999999999"}) {
    EXPECT_THAT(Run({"DEBUG", "QUICKLIST-PACKED-THRESHOLD", bad}),
                ErrorIs("ERR argument must be a memory value bigger than 1 and smaller than 4gb"))
        << bad;
  }
}

TEST_F(DebugFamilyTest, StringmatchTest) {
  EXPECT_THAT(Run({"DEBUG", "STRINGMATCH-TEST"}),
              SimpleIs("Apparently Redis did not crash: test passed"));
}

}  // namespace
}  // namespace gannet
