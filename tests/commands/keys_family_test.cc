// Keyspace commands through the dispatcher: happy paths, every documented error and the
// hostile inputs next to them. Expected replies were checked against redis-server 7.0.15.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

class KeysFamilyTest : public CommandTest {
 protected:
  void MakeList(std::string_view key) {
    struct Dummy : ObjectBase {
      size_t MemoryUsage() const override { return 0; }
      std::unique_ptr<ObjectBase> Clone() const override { return std::make_unique<Dummy>(); }
    };
    keyspace_.set_now_ms(NowMs());
    db().Insert(key,
                Value::Object(ValueType::kList, Encoding::kQuicklist, std::make_unique<Dummy>()));
  }
};

const char kSyntax[] = "ERR syntax error";
const char kNotInt[] = "ERR value is not an integer or out of range";

TEST_F(KeysFamilyTest, DelUnlinkExists) {
  EXPECT_THAT(Run({"MSET", "a", "1", "b", "2", "c", "3"}), IsOk());
  MakeList("l");
  EXPECT_THAT(Run({"EXISTS", "a", "a", "nokey", "l"}), IntIs(3));
  EXPECT_THAT(Run({"DEL", "a", "a", "nokey", "l"}), IntIs(2));
  EXPECT_THAT(Run({"UNLINK", "b", "c", "b"}), IntIs(2));
  EXPECT_THAT(Run({"EXISTS", "a", "b", "c", "l"}), IntIs(0));
  EXPECT_THAT(Run({"DEL"}), ErrorIs("ERR wrong number of arguments for 'del' command"));
  EXPECT_THAT(Run({"EXISTS"}), ErrorIs("ERR wrong number of arguments for 'exists' command"));
}

TEST_F(KeysFamilyTest, DelOfExpiredKeyCountsNothing) {
  EXPECT_THAT(Run({"SET", "k", "v", "PX", "10"}), IsOk());
  AdvanceTime(11);
  EXPECT_THAT(Run({"DEL", "k"}), IntIs(0));
}

// Hit/miss counting as redis-server 7.0 does it (INFO stats keyspace_hits/misses).
TEST_F(KeysFamilyTest, KeyspaceHitsAndMisses) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  auto delta = [&](std::initializer_list<std::string_view> cmd) {
    const KeyspaceStats before = keyspace_.stats();
    Run(cmd);
    return std::make_pair(keyspace_.stats().keyspace_hits - before.keyspace_hits,
                          keyspace_.stats().keyspace_misses - before.keyspace_misses);
  };
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(delta({"EXISTS", "k", "nokey"}), P(1, 1));
  EXPECT_EQ(delta({"TYPE", "k"}), P(1, 0));
  EXPECT_EQ(delta({"TYPE", "nokey"}), P(0, 1));
  EXPECT_EQ(delta({"TTL", "nokey"}), P(0, 1));
  EXPECT_EQ(delta({"OBJECT", "ENCODING", "k"}), P(1, 0));
  EXPECT_EQ(delta({"TOUCH", "k", "nokey"}), P(1, 1));
  EXPECT_EQ(delta({"DEL", "k2"}), P(0, 0));
  EXPECT_EQ(delta({"COPY", "k", "k3"}), P(1, 0));
  EXPECT_EQ(delta({"LCS", "k", "nokey"}), P(1, 1));
  EXPECT_EQ(delta({"KEYS", "*"}), P(0, 0));
  EXPECT_EQ(delta({"APPEND", "k", "x"}), P(0, 0));
  EXPECT_EQ(delta({"SET", "a", "b", "GET"}), P(0, 1));
  EXPECT_EQ(delta({"MGET", "a", "zz"}), P(1, 1));
}

TEST_F(KeysFamilyTest, TypeAndTouch) {
  EXPECT_THAT(Run({"SET", "s", "v"}), IsOk());
  MakeList("l");
  EXPECT_THAT(Run({"TYPE", "s"}), SimpleIs("string"));
  EXPECT_THAT(Run({"TYPE", "l"}), SimpleIs("list"));
  EXPECT_THAT(Run({"TYPE", "nokey"}), SimpleIs("none"));
  EXPECT_THAT(Run({"TOUCH", "s", "s", "l", "nokey"}), IntIs(3));
}

TEST_F(KeysFamilyTest, Rename) {
  EXPECT_THAT(Run({"SET", "a", "1"}), IsOk());
  EXPECT_THAT(Run({"EXPIRE", "a", "100"}), IntIs(1));
  EXPECT_THAT(Run({"SET", "b", "2"}), IsOk());
  EXPECT_THAT(Run({"RENAME", "a", "b"}), IsOk());
  EXPECT_THAT(Run({"GET", "b"}), BulkIs("1"));
  EXPECT_THAT(Run({"TTL", "b"}), IntIs(100));
  EXPECT_THAT(Run({"EXISTS", "a"}), IntIs(0));
  // Renaming a key to itself keeps it and its TTL.
  EXPECT_THAT(Run({"RENAME", "b", "b"}), IsOk());
  EXPECT_THAT(Run({"GET", "b"}), BulkIs("1"));
  EXPECT_THAT(Run({"TTL", "b"}), IntIs(100));
  // The destination's own TTL goes away with its old value.
  EXPECT_THAT(Run({"SET", "plain", "p"}), IsOk());
  EXPECT_THAT(Run({"RENAME", "plain", "b"}), IsOk());
  EXPECT_THAT(Run({"TTL", "b"}), IntIs(-1));
  EXPECT_THAT(Run({"GET", "b"}), BulkIs("p"));
  EXPECT_THAT(Run({"RENAME", "nokey", "x"}), ErrorIs("ERR no such key"));
  EXPECT_THAT(Run({"RENAME", "nokey", "nokey"}), ErrorIs("ERR no such key"));
  MakeList("l");
  EXPECT_THAT(Run({"RENAME", "l", "l2"}), IsOk());
  EXPECT_THAT(Run({"TYPE", "l2"}), SimpleIs("list"));
  EXPECT_THAT(Run({"RENAME", "x"}), ErrorIs("ERR wrong number of arguments for 'rename' command"));
}

TEST_F(KeysFamilyTest, RenameNx) {
  EXPECT_THAT(Run({"MSET", "a", "1", "d", "x"}), IsOk());
  EXPECT_THAT(Run({"RENAMENX", "a", "c"}), IntIs(1));
  EXPECT_THAT(Run({"RENAMENX", "c", "d"}), IntIs(0));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs("x"));
  EXPECT_THAT(Run({"RENAMENX", "c", "c"}), IntIs(0));
  EXPECT_THAT(Run({"RENAMENX", "nokey", "c"}), ErrorIs("ERR no such key"));
}

TEST_F(KeysFamilyTest, Copy) {
  EXPECT_THAT(Run({"SET", "c", "1"}), IsOk());
  EXPECT_THAT(Run({"EXPIRE", "c", "100"}), IntIs(1));
  EXPECT_THAT(Run({"COPY", "c", "e"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "e"}), IntIs(100));
  EXPECT_THAT(Run({"COPY", "c", "e"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "c", "2"}), IsOk());
  EXPECT_THAT(Run({"COPY", "c", "e", "REPLACE"}), IntIs(1));
  EXPECT_THAT(Run({"GET", "e"}), BulkIs("2"));
  EXPECT_THAT(Run({"TTL", "e"}), IntIs(-1));
  EXPECT_THAT(Run({"COPY", "c", "e", "DB", "1"}), IntIs(1));
  client_.db_ = 1;
  EXPECT_THAT(Run({"GET", "e"}), BulkIs("2"));
  client_.db_ = 0;
  // The same key in another database is fine.
  EXPECT_THAT(Run({"COPY", "c", "c", "db", "2", "replace"}), IntIs(1));
  EXPECT_THAT(Run({"COPY", "nokey", "x"}), IntIs(0));
  MakeList("l");
  EXPECT_THAT(Run({"COPY", "l", "l2"}), IntIs(1));
  EXPECT_THAT(Run({"TYPE", "l2"}), SimpleIs("list"));
}

TEST_F(KeysFamilyTest, CopyErrors) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"COPY", "k", "k"}), ErrorIs("ERR source and destination objects are the same"));
  EXPECT_THAT(Run({"COPY", "k", "k", "DB", "0"}),
              ErrorIs("ERR source and destination objects are the same"));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB", "16"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB", "-1"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB", "99", "FOO"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB", "99999999999"}),
              ErrorIs("ERR value is out of range, value must between -2147483648 and "
                      "2147483647"));
  EXPECT_THAT(Run({"COPY", "k", "k2", "DB"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"COPY", "k", "k2", "FOO"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"EXISTS", "k2"}), IntIs(0));
}

TEST_F(KeysFamilyTest, Move) {
  EXPECT_THAT(Run({"SET", "c", "1"}), IsOk());
  EXPECT_THAT(Run({"PEXPIRE", "c", "5000"}), IntIs(1));
  EXPECT_THAT(Run({"MOVE", "c", "1"}), IntIs(1));
  EXPECT_THAT(Run({"MOVE", "c", "1"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "c"}), IntIs(0));
  client_.db_ = 1;
  EXPECT_THAT(Run({"GET", "c"}), BulkIs("1"));
  EXPECT_THAT(Run({"PTTL", "c"}), IntIs(5000));
  client_.db_ = 0;
  EXPECT_THAT(Run({"SET", "c", "0"}), IsOk());
  EXPECT_THAT(Run({"MOVE", "c", "1"}), IntIs(0));  // taken in the target
  EXPECT_THAT(Run({"GET", "c"}), BulkIs("0"));
  EXPECT_THAT(Run({"MOVE", "c", "0"}), ErrorIs("ERR source and destination objects are the same"));
  EXPECT_THAT(Run({"MOVE", "c", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"MOVE", "c", "99"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"MOVE", "c", "-1"}), ErrorIs("ERR DB index is out of range"));
  EXPECT_THAT(Run({"MOVE", "c", "99999999999"}),
              ErrorIs("ERR value is out of range, value must between -2147483648 and "
                      "2147483647"));
}

TEST_F(KeysFamilyTest, Keys) {
  EXPECT_THAT(Run({"KEYS", "*"}), EmptyArray());
  EXPECT_THAT(Run({"MSET", "one", "1", "two", "2", "three", "3", "four", "4"}), IsOk());
  EXPECT_THAT(Run({"KEYS", "*"}), UnorderedBulkArray({"one", "two", "three", "four"}));
  EXPECT_THAT(Run({"KEYS", "*o*"}), UnorderedBulkArray({"one", "two", "four"}));
  EXPECT_THAT(Run({"KEYS", "t??"}), UnorderedBulkArray({"two"}));
  EXPECT_THAT(Run({"KEYS", "[ot]*"}), UnorderedBulkArray({"one", "two", "three"}));
  EXPECT_THAT(Run({"PEXPIRE", "one", "1"}), IntIs(1));
  AdvanceTime(2);
  EXPECT_THAT(Run({"KEYS", "*"}), UnorderedBulkArray({"two", "three", "four"}));
  // CVE-2022-36021: a pathological pattern finishes quickly.
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_THAT(Run({"SET", std::string(200, 'a'), "x"}), IsOk());
  EXPECT_THAT(Run({"KEYS", pattern}), EmptyArray());
}

TEST_F(KeysFamilyTest, ScanVisitsEveryKey) {
  std::set<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    const std::string key = "key:" + std::to_string(i);
    expected.insert(key);
    ASSERT_THAT(Run({"SET", key, "v"}), IsOk());
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int rounds = 0;
  do {
    RespValue r = Run({"SCAN", cursor, "COUNT", "20"});
    ASSERT_EQ(r.type, RespType::kArray);
    ASSERT_EQ(r.size(), 2u);
    cursor = r[0].text();
    for (const std::string& k : r[1].Strings()) seen.insert(k);
    ASSERT_LT(++rounds, 1000);
  } while (cursor != "0");
  EXPECT_EQ(seen, expected);
}

TEST_F(KeysFamilyTest, ScanMatchAndType) {
  EXPECT_THAT(Run({"MSET", "a1", "1", "a2", "2", "b1", "3"}), IsOk());
  MakeList("al");
  auto full_scan = [&](std::vector<std::string> extra) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      std::vector<std::string> cmd = {"SCAN", cursor};
      cmd.insert(cmd.end(), extra.begin(), extra.end());
      RespValue r = Run(cmd);
      if (r.type != RespType::kArray) {
        ADD_FAILURE() << r;
        break;
      }
      cursor = r[0].text();
      for (const std::string& k : r[1].Strings()) keys.push_back(k);
    } while (cursor != "0");
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  EXPECT_EQ(full_scan({"MATCH", "a*"}), (std::vector<std::string>{"a1", "a2", "al"}));
  EXPECT_EQ(full_scan({"MATCH", "a*", "TYPE", "string"}), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(full_scan({"TYPE", "LIST"}), (std::vector<std::string>{"al"}));
  EXPECT_EQ(full_scan({"TYPE", "nosuchtype"}), std::vector<std::string>{});
  EXPECT_EQ(full_scan({"COUNT", "1", "MATCH", "*"}),
            (std::vector<std::string>{"a1", "a2", "al", "b1"}));
}

TEST_F(KeysFamilyTest, ScanCursorParsing) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  // Redis 7.0 reads the cursor with strtoul: signs, leading zeros and "" are accepted.
  for (const char* ok : {"0", "00", "+0", "-0", "", "18446744073709551615", "-1"}) {
    EXPECT_THAT(Run({"SCAN", ok}), ArrayLen(2)) << ok;
  }
  for (const char* bad : {"abc", "18446744073709551616", " 0", "0 ", "-", "1.5", "0x10"}) {
    EXPECT_THAT(Run({"SCAN", bad}), ErrorIs("ERR invalid cursor")) << bad;
  }
}

TEST_F(KeysFamilyTest, ScanOptionErrors) {
  EXPECT_THAT(Run({"SCAN", "0", "COUNT", "0"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SCAN", "0", "COUNT", "-1"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SCAN", "0", "COUNT", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SCAN", "0", "MATCH"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SCAN", "0", "FOO", "bar"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SCAN", "0", "COUNT", "10", "MATCH", "*", "TYPE", "string", "foo"}),
              ErrorIs(kSyntax));
  // The cursor is checked first.
  EXPECT_THAT(Run({"SCAN", "x", "COUNT", "0"}), ErrorIs("ERR invalid cursor"));
}

TEST_F(KeysFamilyTest, RandomKey) {
  EXPECT_THAT(Run({"RANDOMKEY"}), IsNil());
  EXPECT_THAT(Run({"MSET", "a", "1", "b", "2"}), IsOk());
  for (int i = 0; i < 20; ++i) {
    RespValue r = Run({"RANDOMKEY"});
    EXPECT_TRUE(r.text() == "a" || r.text() == "b") << r;
  }
}

TEST_F(KeysFamilyTest, ExpireAndTtl) {
  EXPECT_THAT(Run({"TTL", "nokey"}), IntIs(-2));
  EXPECT_THAT(Run({"PTTL", "nokey"}), IntIs(-2));
  EXPECT_THAT(Run({"EXPIRETIME", "nokey"}), IntIs(-2));
  EXPECT_THAT(Run({"PEXPIRETIME", "nokey"}), IntIs(-2));
  EXPECT_THAT(Run({"EXPIRE", "nokey", "10"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
  EXPECT_THAT(Run({"PEXPIRETIME", "k"}), IntIs(-1));
  EXPECT_THAT(Run({"EXPIRE", "k", "100"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
  EXPECT_THAT(Run({"PEXPIRETIME", "k"}), IntIs(NowMs() + 100000));
  // TTL rounds to the nearest second.
  EXPECT_THAT(Run({"PEXPIRE", "k", "1499"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(1));
  EXPECT_THAT(Run({"PEXPIRE", "k", "1500"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(2));
  EXPECT_THAT(Run({"PEXPIREAT", "k", "99999999999500"}), IntIs(1));
  EXPECT_THAT(Run({"EXPIRETIME", "k"}), IntIs(100000000000));
  EXPECT_THAT(Run({"PEXPIREAT", "k", "99999999999499"}), IntIs(1));
  EXPECT_THAT(Run({"EXPIRETIME", "k"}), IntIs(99999999999));
  const int64_t at = NowMs() / 1000 + 30;
  EXPECT_THAT(Run({"EXPIREAT", "k", std::to_string(at)}), IntIs(1));
  EXPECT_THAT(Run({"EXPIRETIME", "k"}), IntIs(at));
  EXPECT_THAT(Run({"PERSIST", "k"}), IntIs(1));
  EXPECT_THAT(Run({"PERSIST", "k"}), IntIs(0));
  EXPECT_THAT(Run({"PERSIST", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
}

TEST_F(KeysFamilyTest, ExpireWithTimeElapsing) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"PEXPIRE", "k", "1000"}), IntIs(1));
  AdvanceTime(400);
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(600));
  AdvanceTime(600);
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(0));
  AdvanceTime(1);
  EXPECT_THAT(Run({"PTTL", "k"}), IntIs(-2));
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
}

TEST_F(KeysFamilyTest, ExpireInThePastDeletes) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"EXPIRE", "k", "-1"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"EXPIREAT", "k", "1"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"PEXPIRE", "k", "0"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  MakeList("l");
  EXPECT_THAT(Run({"PEXPIRE", "l", "-9223372036854775808"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "l"}), IntIs(0));
}

TEST_F(KeysFamilyTest, ExpireConditions) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  // No TTL counts as an infinite one: GT never wins, LT always does.
  EXPECT_THAT(Run({"EXPIRE", "k", "100", "GT"}), IntIs(0));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-1));
  EXPECT_THAT(Run({"EXPIRE", "k", "100", "XX"}), IntIs(0));
  EXPECT_THAT(Run({"EXPIRE", "k", "100", "lt"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
  EXPECT_THAT(Run({"EXPIRE", "k", "200", "NX"}), IntIs(0));
  EXPECT_THAT(Run({"EXPIRE", "k", "50", "XX", "GT"}), IntIs(0));
  EXPECT_THAT(Run({"EXPIRE", "k", "150", "XX", "GT"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(150));
  EXPECT_THAT(Run({"EXPIRE", "k", "150", "GT"}), IntIs(0));
  EXPECT_THAT(Run({"EXPIRE", "k", "150", "LT"}), IntIs(0));
  EXPECT_THAT(Run({"EXPIRE", "k", "149", "LT"}), IntIs(1));
  EXPECT_THAT(Run({"PERSIST", "k"}), IntIs(1));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "NX"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(10));
}

TEST_F(KeysFamilyTest, ExpireErrors) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  const char kNxErr[] = "ERR NX and XX, GT or LT options at the same time are not compatible";
  const char kGtLtErr[] = "ERR GT and LT options at the same time are not compatible";
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "NX", "XX"}), ErrorIs(kNxErr));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "NX", "GT"}), ErrorIs(kNxErr));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "LT", "NX"}), ErrorIs(kNxErr));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "GT", "LT"}), ErrorIs(kGtLtErr));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "foo"}), ErrorIs("ERR Unsupported option foo"));
  EXPECT_THAT(Run({"EXPIRE", "k", "10", "a\r\nb"}), ErrorIs("ERR Unsupported option a  b"));
  // Options are checked before the time.
  EXPECT_THAT(Run({"EXPIRE", "k", "abc", "foo"}), ErrorIs("ERR Unsupported option foo"));
  EXPECT_THAT(Run({"EXPIRE", "k", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"EXPIRE", "nokey", "abc"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"EXPIRE", "k", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  EXPECT_THAT(Run({"EXPIRE", "k", "-9223372036854775808"}),
              ErrorIs("ERR invalid expire time in 'expire' command"));
  EXPECT_THAT(Run({"PEXPIRE", "k", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'pexpire' command"));
  EXPECT_THAT(Run({"EXPIREAT", "k", "9223372036854775807"}),
              ErrorIs("ERR invalid expire time in 'expireat' command"));
  EXPECT_THAT(Run({"PEXPIREAT", "k", "9223372036854775807"}), IntIs(1));
  EXPECT_THAT(Run({"TTL", "k"}), IsInt());
  EXPECT_THAT(Run({"EXPIRE", "k"}), ErrorIs("ERR wrong number of arguments for 'expire' command"));
}

TEST_F(KeysFamilyTest, ObjectEncoding) {
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "nokey"}), IsNil());
  EXPECT_THAT(Run({"SET", "i", "123"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "i"}), BulkIs("int"));
  EXPECT_THAT(Run({"SET", "z", "0123"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "z"}), BulkIs("embstr"));
  EXPECT_THAT(Run({"SET", "big", std::string(45, 'x')}), IsOk());
  EXPECT_THAT(Run({"object", "encoding", "big"}), BulkIs("raw"));
  MakeList("l");
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "l"}), BulkIs("quicklist"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING"}),
              ErrorIs("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_THAT(Run({"OBJECT"}), ErrorIs("ERR wrong number of arguments for 'object' command"));
  EXPECT_THAT(Run({"OBJECT", "foo", "bar"}),
              ErrorIs("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_THAT(Run({"object", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
}

TEST_F(KeysFamilyTest, ObjectRefCount) {
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "nokey"}), IsNil());
  EXPECT_THAT(Run({"MSET", "small", "100", "large", "123456", "s", "abc"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "small"}), IntIs(2147483647));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "large"}), IntIs(1));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "s"}), IntIs(1));
}

// A COPY of a shared integer gets an object of its own in Redis (refcount 1), which moves
// with the key until the string is rewritten (INCR to a small value shares again).
TEST_F(KeysFamilyTest, ObjectRefCountOfACopy) {
  EXPECT_THAT(Run({"SET", "small", "5"}), IsOk());
  EXPECT_THAT(Run({"COPY", "small", "c"}), IntIs(1));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "c"}), IntIs(1));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "small"}), IntIs(2147483647));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "c"}), BulkIs("int"));
  EXPECT_THAT(Run({"RENAME", "c", "d"}), IsOk());
  EXPECT_THAT(Run({"COPY", "d", "e"}), IntIs(1));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "e"}), IntIs(1));
  EXPECT_THAT(Run({"MOVE", "e", "1"}), IntIs(1));
  EXPECT_THAT(Run({"SELECT", "1"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "e"}), IntIs(1));
  EXPECT_THAT(Run({"SELECT", "0"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "d"}), IntIs(1));
  EXPECT_THAT(Run({"INCR", "d"}), IntIs(6));
  EXPECT_THAT(Run({"OBJECT", "REFCOUNT", "d"}), IntIs(2147483647));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "d"}), BulkIs("int"));
  EXPECT_THAT(Run({"TYPE", "d"}), SimpleIs("string"));
}

TEST_F(KeysFamilyTest, ObjectIdleTimeAndFreq) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(0));
  AdvanceTime(5000);
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(5));
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(5));  // does not touch
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(0));
  EXPECT_THAT(Run({"OBJECT", "FREQ", "nokey"}), IsNil());
  EXPECT_THAT(Run({"OBJECT", "FREQ", "k"}),
              ErrorIs("ERR An LFU maxmemory policy is not selected, access frequency not "
                      "tracked. Please note that when switching between policies at runtime "
                      "LRU and LFU data will take some time to adjust."));
  server_.config_.maxmemory_policy = "allkeys-lfu";
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "nokey"}), IsNil());
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}),
              ErrorIs("ERR An LFU maxmemory policy is selected, idle time not tracked. "
                      "Please note that when switching between policies at runtime LRU and "
                      "LFU data will take some time to adjust."));
  EXPECT_THAT(Run({"OBJECT", "FREQ", "k"}), IsInt());
}

TEST_F(KeysFamilyTest, ObjectHelp) {
  RespValue r = Run({"OBJECT", "HELP"});
  ASSERT_EQ(r.type, RespType::kArray);
  ASSERT_GT(r.size(), 2u);
  EXPECT_EQ(r[0].type, RespType::kSimple);
  EXPECT_THAT(Run({"OBJECT", "HELP", "x"}),
              ErrorIs("ERR wrong number of arguments for 'object|help' command"));
}

}  // namespace
}  // namespace gannet
