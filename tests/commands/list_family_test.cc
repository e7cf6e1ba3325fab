// List commands through the dispatcher: replies in RESP2 and RESP3 (null shapes byte for
// byte), every error text, WRONGTYPE, empty-key deletion, and the blocking commands with
// several in-process clients (FIFO service, re-run, timeouts, CLIENT UNBLOCK, MULTI-like
// "cannot block", disconnect). Expected replies were checked against redis-server 7.0.15.
#include <string>
#include <vector>

#include "command_test_base.h"
#include "gannet/engine/list_object.h"

namespace gannet {
namespace {

class ListFamilyTest : public CommandTest {
 protected:
  std::string Raw(std::vector<std::string_view> args) { return RunRaw(args); }
  std::string Raw3(std::vector<std::string_view> args) {
    client_.resp_ = RespVersion::kResp3;
    std::string out = RunRaw(args);
    client_.resp_ = RespVersion::kResp2;
    return out;
  }
};

constexpr const char* kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";

TEST_F(ListFamilyTest, PushPopBasics) {
  EXPECT_THAT(Run({"LPUSH", "l", "a", "b"}), IntIs(2));
  EXPECT_THAT(Run({"RPUSH", "l", "c"}), IntIs(3));
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"b", "a", "c"}));
  EXPECT_THAT(Run({"LPUSHX", "l", "z"}), IntIs(4));
  EXPECT_THAT(Run({"RPUSHX", "l", "y", "x"}), IntIs(6));
  EXPECT_THAT(Run({"LPUSHX", "nokey", "z"}), IntIs(0));
  EXPECT_THAT(Run({"RPUSHX", "nokey", "z"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"LPOP", "l"}), BulkIs("z"));
  EXPECT_THAT(Run({"RPOP", "l"}), BulkIs("x"));
  EXPECT_THAT(Run({"LPOP", "l", "2"}), BulkArray({"b", "a"}));
  EXPECT_THAT(Run({"RPOP", "l", "10"}), BulkArray({"y", "c"}));
  EXPECT_THAT(Run({"EXISTS", "l"}), IntIs(0));
  EXPECT_THAT(Run({"TYPE", "l"}), SimpleIs("none"));
}

TEST_F(ListFamilyTest, PopNullShapesAndCountErrors) {
  EXPECT_EQ(Raw({"LPOP", "nokey"}), "$-1\r\n");
  EXPECT_EQ(Raw({"LPOP", "nokey", "2"}), "*-1\r\n");
  EXPECT_EQ(Raw({"LPOP", "nokey", "0"}), "*-1\r\n");
  EXPECT_EQ(Raw3({"RPOP", "nokey"}), "_\r\n");
  EXPECT_EQ(Raw3({"RPOP", "nokey", "1"}), "_\r\n");
  Run({"RPUSH", "l", "a"});
  EXPECT_EQ(Raw({"LPOP", "l", "0"}), "*0\r\n");
  EXPECT_THAT(Run({"LPOP", "l", "-1"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"LPOP", "nokey", "-1"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"LPOP", "l", "abc"}), ErrorIs("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"LPOP", "l", "1", "2"}),
              ErrorIs("ERR wrong number of arguments for 'lpop' command"));
  EXPECT_THAT(Run({"LPOP", "l", "9223372036854775807"}), BulkArray({"a"}));
}

TEST_F(ListFamilyTest, WrongType) {
  Run({"SET", "s", "x"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"LPUSH", "s", "a"},
                                                        {"RPUSHX", "s", "a"},
                                                        {"LPOP", "s"},
                                                        {"RPOP", "s", "0"},
                                                        {"LLEN", "s"},
                                                        {"LRANGE", "s", "0", "1"},
                                                        {"LINDEX", "s", "0"},
                                                        {"LSET", "s", "0", "x"},
                                                        {"LINSERT", "s", "BEFORE", "a", "b"},
                                                        {"LREM", "s", "0", "a"},
                                                        {"LTRIM", "s", "0", "1"},
                                                        {"LPOS", "s", "a"},
                                                        {"LMPOP", "1", "s", "LEFT"},
                                                        {"BLPOP", "s", "0"},
                                                        {"BLMPOP", "0", "1", "s", "LEFT"}}) {
    EXPECT_THAT(Run(cmd), ErrorIs(kWrongType)) << cmd[0];
  }
  Run({"RPUSH", "l", "v"});
  EXPECT_THAT(Run({"RPOPLPUSH", "l", "s"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"v"}));  // nothing moved
  EXPECT_THAT(Run({"LMOVE", "s", "l", "LEFT", "LEFT"}), ErrorIs(kWrongType));
  // A missing source answers nil before the destination's type is looked at.
  EXPECT_EQ(Raw({"LMOVE", "nokey", "s", "LEFT", "LEFT"}), "$-1\r\n");
  // BLPOP checks keys in order: a list before a wrong-type key serves.
  EXPECT_THAT(Run({"BLPOP", "l", "s", "0"}), BulkArray({"l", "v"}));
}

// list-compress-depth: a list keeps the depth it was created with; every command reads and
// writes compressed nodes as it does raw ones (a depth-0 twin of the list must answer alike).
TEST_F(ListFamilyTest, CompressedListsKeepTheirDepthAndAnswerAlike) {
  server_.config_.list_max_listpack_size = 8;
  const auto list = [&](std::string_view key) {
    return db().FindNoTouch(key)->value.As<ListObject>();
  };
  auto push_both = [&](const std::vector<std::string>& items) {
    std::vector<std::string> deep{"RPUSH", "deep"};
    std::vector<std::string> flat{"RPUSH", "flat"};
    deep.insert(deep.end(), items.begin(), items.end());
    flat.insert(flat.end(), items.begin(), items.end());
    server_.config_.list_compress_depth = 1;
    Run(deep);
    server_.config_.list_compress_depth = 0;
    Run(flat);
  };
  std::vector<std::string> items;
  for (int i = 0; i < 400; ++i) items.push_back("element-" + std::to_string(i % 40) + "-pad");
  push_both(items);
  // Later pushes under another setting leave each list's depth as it was.
  server_.config_.list_compress_depth = 2;
  for (const char* key : {"deep", "flat"}) Run({"LPUSH", key, "head-element-padding-padding"});
  EXPECT_EQ(list("deep")->compress_depth(), 1);
  EXPECT_EQ(list("flat")->compress_depth(), 0);
  size_t compressed = 0;
  for (size_t i = 0; i < list("deep")->node_count(); ++i) {
    compressed += list("deep")->node_compressed(i) ? 1 : 0;
    EXPECT_FALSE(list("flat")->node_compressed(i));
  }
  EXPECT_GT(compressed, 20u);
  EXPECT_LT(Run({"MEMORY", "USAGE", "deep", "SAMPLES", "0"}).integer,
            Run({"MEMORY", "USAGE", "flat", "SAMPLES", "0"}).integer);
  const std::vector<std::vector<std::string>> cmds = {
      {"LINDEX", "K", "200"},
      {"LINDEX", "K", "-150"},
      {"LSET", "K", "201", "changed"},
      {"LSET", "K", "-100", std::string(300, 'z')},
      {"LINSERT", "K", "BEFORE", "element-7-pad", "before-7"},
      {"LINSERT", "K", "AFTER", "element-33-pad", "after-33"},
      {"LREM", "K", "3", "element-5-pad"},
      {"LREM", "K", "-2", "element-6-pad"},
      {"LPOS", "K", "element-9-pad", "RANK", "-3", "COUNT", "0"},
      {"LRANGE", "K", "100", "180"},
      {"LTRIM", "K", "3", "-4"},
      {"LPOP", "K", "20"},
      {"RPOP", "K", "20"},
      {"SORT", "K", "ALPHA", "LIMIT", "10", "10"},
      {"LMOVE", "K", "K", "LEFT", "RIGHT"},
      {"LRANGE", "K", "0", "-1"},
      {"LLEN", "K"},
      {"OBJECT", "ENCODING", "K"},
  };
  for (const auto& cmd : cmds) {
    std::vector<std::string_view> deep(cmd.begin(), cmd.end());
    std::vector<std::string_view> flat(cmd.begin(), cmd.end());
    for (size_t i = 1; i < cmd.size(); ++i) {
      if (cmd[i] == "K") deep[i] = "deep", flat[i] = "flat";
    }
    EXPECT_EQ(Raw(deep), Raw(flat)) << cmd[0];
    EXPECT_TRUE(list("deep")->CompressionInvariantHolds()) << cmd[0];
  }
  // DUMP/RESTORE into a new key: the copy takes this server's depth (now 2).
  const RespValue payload = Run({"DUMP", "deep"});
  ASSERT_EQ(payload.type, RespType::kBulk);
  ASSERT_THAT(Run({"RESTORE", "copy", "0", payload.str}), SimpleIs("OK"));
  EXPECT_EQ(list("copy")->compress_depth(), 2);
  EXPECT_EQ(Raw({"LRANGE", "copy", "0", "-1"}), Raw({"LRANGE", "flat", "0", "-1"}));
}

TEST_F(ListFamilyTest, EncodingIsQuicklist) {
  Run({"RPUSH", "l", "a"});
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "l"}), BulkIs("quicklist"));
  EXPECT_THAT(Run({"TYPE", "l"}), SimpleIs("list"));
}

TEST_F(ListFamilyTest, RangeIndexLen) {
  Run({"RPUSH", "l", "0", "1", "2", "3", "4", "5"});
  EXPECT_THAT(Run({"LLEN", "l"}), IntIs(6));
  EXPECT_THAT(Run({"LLEN", "nokey"}), IntIs(0));
  EXPECT_THAT(Run({"LRANGE", "l", "1", "3"}), BulkArray({"1", "2", "3"}));
  EXPECT_THAT(Run({"LRANGE", "l", "-2", "100"}), BulkArray({"4", "5"}));
  EXPECT_THAT(Run({"LRANGE", "l", "-100", "0"}), BulkArray({"0"}));
  EXPECT_THAT(Run({"LRANGE", "l", "4", "2"}), EmptyArray());
  EXPECT_THAT(Run({"LRANGE", "l", "6", "10"}), EmptyArray());
  EXPECT_THAT(Run({"LRANGE", "l", "-9223372036854775808", "9223372036854775807"}), ArrayLen(6));
  EXPECT_THAT(Run({"LRANGE", "nokey", "0", "-1"}), EmptyArray());
  EXPECT_THAT(Run({"LRANGE", "l", "0", "abc"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"LINDEX", "l", "0"}), BulkIs("0"));
  EXPECT_THAT(Run({"LINDEX", "l", "-1"}), BulkIs("5"));
  EXPECT_EQ(Raw({"LINDEX", "l", "6"}), "$-1\r\n");
  EXPECT_EQ(Raw({"LINDEX", "l", "-7"}), "$-1\r\n");
  EXPECT_EQ(Raw3({"LINDEX", "nokey", "0"}), "_\r\n");
  EXPECT_THAT(Run({"LINDEX", "l", "abc"}), ErrorIs("ERR value is not an integer or out of range"));
}

TEST_F(ListFamilyTest, LSet) {
  EXPECT_THAT(Run({"LSET", "nokey", "0", "x"}), ErrorIs("ERR no such key"));
  Run({"RPUSH", "l", "a", "b"});
  EXPECT_THAT(Run({"LSET", "l", "1", "B"}), IsOk());
  EXPECT_THAT(Run({"LSET", "l", "-2", "A"}), IsOk());
  EXPECT_THAT(Run({"LSET", "l", "2", "x"}), ErrorIs("ERR index out of range"));
  EXPECT_THAT(Run({"LSET", "l", "-3", "x"}), ErrorIs("ERR index out of range"));
  EXPECT_THAT(Run({"LSET", "l", "x", "x"}), ErrorIs("ERR value is not an integer or out of range"));
  // The key is looked up before the index is parsed.
  EXPECT_THAT(Run({"LSET", "nokey", "x", "x"}), ErrorIs("ERR no such key"));
  EXPECT_EQ(Raw({"LINDEX", "nokey", "x"}), "$-1\r\n");
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"A", "B"}));
}

TEST_F(ListFamilyTest, LInsert) {
  EXPECT_THAT(Run({"LINSERT", "nokey", "BEFORE", "a", "x"}), IntIs(0));
  Run({"RPUSH", "l", "a", "b", "a"});
  EXPECT_THAT(Run({"LINSERT", "l", "MIDDLE", "a", "x"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LINSERT", "l", "BEFORE", "zz", "x"}), IntIs(-1));
  EXPECT_THAT(Run({"LINSERT", "l", "before", "a", "x"}), IntIs(4));
  EXPECT_THAT(Run({"LINSERT", "l", "AFTER", "a", "y"}), IntIs(5));
  EXPECT_THAT(Run({"LINSERT", "l", "AFTER", "b", "z"}), IntIs(6));
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"x", "a", "y", "b", "z", "a"}));
}

TEST_F(ListFamilyTest, LRem) {
  Run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  EXPECT_THAT(Run({"LREM", "l", "abc", "a"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"LREM", "l", "-1", "a"}), IntIs(1));
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"a", "b", "a", "c"}));
  EXPECT_THAT(Run({"LREM", "l", "1", "a"}), IntIs(1));
  EXPECT_THAT(Run({"LREM", "l", "0", "zz"}), IntIs(0));
  EXPECT_THAT(Run({"LREM", "nokey", "0", "a"}), IntIs(0));
  EXPECT_THAT(Run({"LREM", "l", "0", "a"}), IntIs(1));
  EXPECT_THAT(Run({"LREM", "l", "-9223372036854775808", "b"}), IntIs(1));
  EXPECT_THAT(Run({"LREM", "l", "0", "c"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "l"}), IntIs(0));
}

TEST_F(ListFamilyTest, LTrim) {
  EXPECT_THAT(Run({"LTRIM", "nokey", "0", "1"}), IsOk());
  Run({"RPUSH", "l", "0", "1", "2", "3", "4"});
  EXPECT_THAT(Run({"LTRIM", "l", "1", "-2"}), IsOk());
  EXPECT_THAT(Run({"LRANGE", "l", "0", "-1"}), BulkArray({"1", "2", "3"}));
  EXPECT_THAT(Run({"LTRIM", "l", "-100", "100"}), IsOk());
  EXPECT_THAT(Run({"LLEN", "l"}), IntIs(3));
  EXPECT_THAT(Run({"LTRIM", "l", "a", "1"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"LTRIM", "l", "2", "1"}), IsOk());
  EXPECT_THAT(Run({"EXISTS", "l"}), IntIs(0));
}

TEST_F(ListFamilyTest, LPos) {
  Run({"RPUSH", "l", "a", "x", "a", "x", "a"});
  EXPECT_THAT(Run({"LPOS", "l", "a"}), IntIs(0));
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "2"}), IntIs(2));
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "-1"}), IntIs(4));
  EXPECT_THAT(Run({"LPOS", "l", "a", "COUNT", "0"}), ArrayOf(IntIs(0), IntIs(2), IntIs(4)));
  EXPECT_THAT(Run({"LPOS", "l", "a", "COUNT", "2", "RANK", "-2"}), ArrayOf(IntIs(2), IntIs(0)));
  EXPECT_THAT(Run({"LPOS", "l", "a", "MAXLEN", "2", "COUNT", "0"}), ArrayOf(IntIs(0)));
  EXPECT_THAT(Run({"LPOS", "l", "a", "MAXLEN", "0", "RANK", "-1"}), IntIs(4));
  // Redis 7.0 turns RANK LLONG_MIN into "every match from the tail".
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "0"}),
              ArrayOf(IntIs(4), IntIs(2), IntIs(0)));
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "9223372036854775807", "COUNT", "0"}), EmptyArray());
  EXPECT_EQ(Raw({"LPOS", "l", "zz"}), "$-1\r\n");
  EXPECT_EQ(Raw({"LPOS", "nokey", "a"}), "$-1\r\n");
  EXPECT_EQ(Raw3({"LPOS", "nokey", "a"}), "_\r\n");
  EXPECT_EQ(Raw({"LPOS", "nokey", "a", "COUNT", "0"}), "*0\r\n");
  const std::string rank0 =
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or "
      "use negative to start from the end of the list";
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "0"}), ErrorIs(rank0));
  EXPECT_THAT(Run({"LPOS", "nokey", "a", "RANK", "0"}), ErrorIs(rank0));
  EXPECT_THAT(Run({"LPOS", "l", "a", "COUNT", "-1"}), ErrorIs("ERR COUNT can't be negative"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "MAXLEN", "-1"}), ErrorIs("ERR MAXLEN can't be negative"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "COUNT", "abc"}), ErrorIs("ERR COUNT can't be negative"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "MAXLEN", "abc"}), ErrorIs("ERR MAXLEN can't be negative"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK", "1.5"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "FOO", "1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LPOS", "l", "a", "RANK"}), ErrorIs("ERR syntax error"));
}

TEST_F(ListFamilyTest, LMoveAndRPopLPush) {
  Run({"RPUSH", "src", "a", "b", "c"});
  EXPECT_THAT(Run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}), BulkIs("a"));
  EXPECT_THAT(Run({"LMOVE", "src", "dst", "right", "left"}), BulkIs("c"));
  EXPECT_THAT(Run({"LRANGE", "dst", "0", "-1"}), BulkArray({"c", "a"}));
  EXPECT_THAT(Run({"RPOPLPUSH", "src", "dst"}), BulkIs("b"));
  EXPECT_THAT(Run({"EXISTS", "src"}), IntIs(0));
  EXPECT_THAT(Run({"LRANGE", "dst", "0", "-1"}), BulkArray({"b", "c", "a"}));
  // Rotation of one list.
  EXPECT_THAT(Run({"RPOPLPUSH", "dst", "dst"}), BulkIs("a"));
  EXPECT_THAT(Run({"LRANGE", "dst", "0", "-1"}), BulkArray({"a", "b", "c"}));
  EXPECT_THAT(Run({"LMOVE", "dst", "dst", "LEFT", "RIGHT"}), BulkIs("a"));
  EXPECT_THAT(Run({"LRANGE", "dst", "0", "-1"}), BulkArray({"b", "c", "a"}));
  EXPECT_THAT(Run({"LMOVE", "dst", "x", "UP", "LEFT"}), ErrorIs("ERR syntax error"));
  EXPECT_EQ(Raw({"RPOPLPUSH", "nokey", "dst"}), "$-1\r\n");
  EXPECT_EQ(Raw3({"LMOVE", "nokey", "dst", "LEFT", "LEFT"}), "_\r\n");
}

TEST_F(ListFamilyTest, LMPop) {
  Run({"RPUSH", "k2", "a", "b", "c"});
  EXPECT_THAT(Run({"LMPOP", "2", "k1", "k2", "LEFT"}), ArrayOf(BulkIs("k2"), BulkArray({"a"})));
  EXPECT_THAT(Run({"LMPOP", "2", "k1", "k2", "RIGHT", "COUNT", "10"}),
              ArrayOf(BulkIs("k2"), BulkArray({"c", "b"})));
  EXPECT_THAT(Run({"EXISTS", "k2"}), IntIs(0));
  EXPECT_EQ(Raw({"LMPOP", "1", "k1", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(Raw3({"LMPOP", "1", "k1", "LEFT"}), "_\r\n");
  const std::string numkeys = "ERR numkeys should be greater than 0";
  EXPECT_THAT(Run({"LMPOP", "0", "k", "LEFT"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"LMPOP", "-1", "k", "LEFT"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"LMPOP", "abc", "k", "LEFT"}), ErrorIs(numkeys));
  EXPECT_THAT(Run({"LMPOP", "2", "k", "LEFT"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LMPOP", "9223372036854775807", "k", "LEFT"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LMPOP", "1", "k", "MIDDLE"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LMPOP", "1", "k", "LEFT", "COUNT", "0"}),
              ErrorIs("ERR count should be greater than 0"));
  EXPECT_THAT(Run({"LMPOP", "1", "k", "LEFT", "COUNT", "-1"}),
              ErrorIs("ERR count should be greater than 0"));
  EXPECT_THAT(Run({"LMPOP", "1", "k", "LEFT", "COUNT", "1", "COUNT", "2"}),
              ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"LMPOP", "1", "k", "LEFT", "COUNT"}), ErrorIs("ERR syntax error"));
}

TEST_F(ListFamilyTest, ManyElementsAcrossNodes) {
  std::vector<std::string> cmd = {"RPUSH", "big"};
  for (int i = 0; i < 5000; ++i) cmd.push_back("element-" + std::to_string(i));
  EXPECT_THAT(Run(cmd), IntIs(5000));
  EXPECT_THAT(Run({"LINDEX", "big", "2500"}), BulkIs("element-2500"));
  EXPECT_THAT(Run({"LRANGE", "big", "4998", "-1"}), BulkArray({"element-4998", "element-4999"}));
  EXPECT_THAT(Run({"LINSERT", "big", "AFTER", "element-100", "new"}), IntIs(5001));
  EXPECT_THAT(Run({"LINDEX", "big", "101"}), BulkIs("new"));
  EXPECT_THAT(Run({"LPOS", "big", "element-4000"}), IntIs(4001));
  EXPECT_THAT(Run({"LTRIM", "big", "1000", "1999"}), IsOk());
  EXPECT_THAT(Run({"LINDEX", "big", "0"}), BulkIs("element-999"));
  EXPECT_THAT(Run({"LLEN", "big"}), IntIs(1000));
}

// ---- timeouts and blocking ----

TEST_F(ListFamilyTest, TimeoutParsing) {
  EXPECT_THAT(Run({"BLPOP", "k", "-1"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLPOP", "k", "abc"}), ErrorIs("ERR timeout is not a float or out of range"));
  EXPECT_THAT(Run({"BLPOP", "k", "nan"}), ErrorIs("ERR timeout is not a float or out of range"));
  EXPECT_THAT(Run({"BLPOP", "k", "inf"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLPOP", "k", "1e400"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLPOP", "k", "9223372036854775807"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLMOVE", "a", "b", "LEFT", "LEFT", "-0.5"}),
              ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLMOVE", "a", "b", "UP", "LEFT", "-0.5"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"BRPOPLPUSH", "a", "b", "x"}),
              ErrorIs("ERR timeout is not a float or out of range"));
  EXPECT_THAT(Run({"BLMPOP", "-1", "1", "k", "LEFT"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"BLMPOP", "0", "0", "k", "LEFT"}),
              ErrorIs("ERR numkeys should be greater than 0"));
}

TEST_F(ListFamilyTest, ClientThatCannotBlockGetsTimeoutReplyAtOnce) {
  // The default harness client cannot block (as inside MULTI): null array, RESP2 and RESP3.
  EXPECT_EQ(Raw({"BLPOP", "k", "0"}), "*-1\r\n");
  EXPECT_EQ(Raw({"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}), "*-1\r\n");
  EXPECT_EQ(Raw({"BRPOPLPUSH", "a", "b", "0"}), "*-1\r\n");
  EXPECT_EQ(Raw({"BLMPOP", "0", "1", "k", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(Raw3({"BRPOP", "k", "0"}), "_\r\n");
}

TEST_F(ListFamilyTest, ServedWhenDataIsThere) {
  Run({"RPUSH", "k", "a", "b"});
  EXPECT_THAT(Run({"BLPOP", "nokey", "k", "0"}), BulkArray({"k", "a"}));
  EXPECT_THAT(Run({"BRPOP", "k", "0"}), BulkArray({"k", "b"}));
  Run({"RPUSH", "k", "a", "b"});
  EXPECT_THAT(Run({"BLMOVE", "k", "d", "RIGHT", "LEFT", "0"}), BulkIs("b"));
  EXPECT_THAT(Run({"BRPOPLPUSH", "k", "d", "0"}), BulkIs("a"));
  EXPECT_THAT(Run({"BLMPOP", "0", "1", "d", "LEFT", "COUNT", "5"}),
              ArrayOf(BulkIs("d"), BulkArray({"a", "b"})));
}

TEST_F(ListFamilyTest, BlockedClientsServedInOrder) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  FakeClient& c = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "q", "0"}).has_value());
  EXPECT_FALSE(RunAs(b, {"BRPOP", "other", "q", "0"}).has_value());
  EXPECT_FALSE(RunAs(c, {"BLPOP", "q", "0"}).has_value());
  EXPECT_TRUE(a.blocked_ && b.blocked_ && c.blocked_);
  EXPECT_EQ(dispatcher_.blocked_clients(), 3u);
  EXPECT_THAT(Run({"RPUSH", "q", "1", "2"}), IntIs(2));
  EXPECT_THAT(*TakeReply(a), BulkArray({"q", "1"}));
  EXPECT_THAT(*TakeReply(b), BulkArray({"q", "2"}));  // BRPOP: the tail, which is "2"
  EXPECT_FALSE(TakeReply(c).has_value());
  EXPECT_TRUE(c.blocked_);
  EXPECT_FALSE(a.blocked_ || b.blocked_);
  EXPECT_THAT(Run({"LPUSH", "q", "3"}), IntIs(1));
  EXPECT_THAT(*TakeReply(c), BulkArray({"q", "3"}));
  EXPECT_THAT(Run({"EXISTS", "q"}), IntIs(0));
  EXPECT_EQ(dispatcher_.blocked_clients(), 0u);
}

TEST_F(ListFamilyTest, TimeoutFiresAtTheDeadline) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  b.resp_ = RespVersion::kResp3;
  EXPECT_FALSE(RunAs(a, {"BLPOP", "q", "0.25"}).has_value());
  EXPECT_FALSE(RunAs(b, {"BLMOVE", "q", "d", "LEFT", "LEFT", "0.0001"}).has_value());
  AdvanceTime(1);
  EXPECT_EQ(b.deferred_out_, "_\r\n");
  EXPECT_FALSE(b.blocked_);
  AdvanceTime(248);
  EXPECT_TRUE(a.deferred_out_.empty());
  AdvanceTime(1);
  EXPECT_EQ(a.deferred_out_, "*-1\r\n");
  EXPECT_FALSE(a.blocked_);
  // Forever means forever.
  FakeClient& c = NewClient();
  EXPECT_FALSE(RunAs(c, {"BLPOP", "q", "0"}).has_value());
  AdvanceTime(1000LL * 3600 * 24 * 365);
  EXPECT_TRUE(c.blocked_);
}

TEST_F(ListFamilyTest, ReRunThatFindsNothingStaysBlockedInPlace) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "q", "10"}).has_value());
  EXPECT_FALSE(RunAs(b, {"BLPOP", "q", "0"}).has_value());
  // A write that the safety net signals (a write command naming the key) but that leaves
  // no list there: the re-run finds nothing and sends nothing.
  Run({"SET", "q", "x"});
  Run({"DEL", "q"});
  EXPECT_TRUE(a.deferred_out_.empty());
  EXPECT_TRUE(a.blocked_ && b.blocked_);
  // The order is unchanged and a keeps its deadline.
  Run({"RPUSH", "q", "v"});
  EXPECT_THAT(*TakeReply(a), BulkArray({"q", "v"}));
  EXPECT_TRUE(b.blocked_);
  EXPECT_FALSE(RunAs(a, {"BLPOP", "q", "1"}).has_value());
  AdvanceTime(1000);
  EXPECT_EQ(a.deferred_out_, "*-1\r\n");
  EXPECT_TRUE(b.blocked_);
}

TEST_F(ListFamilyTest, BlmoveChainsAndSignalsItsDestination) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLMOVE", "src", "mid", "LEFT", "RIGHT", "0"}).has_value());
  EXPECT_FALSE(RunAs(b, {"BRPOPLPUSH", "mid", "dst", "0"}).has_value());
  EXPECT_THAT(Run({"LPUSH", "src", "v"}), IntIs(1));
  EXPECT_THAT(*TakeReply(a), BulkIs("v"));
  EXPECT_THAT(*TakeReply(b), BulkIs("v"));
  EXPECT_THAT(Run({"LRANGE", "dst", "0", "-1"}), BulkArray({"v"}));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(1));
}

TEST_F(ListFamilyTest, WrongTypeKeyDoesNotWake) {
  FakeClient& a = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "0"}).has_value());
  Run({"SET", "k", "s"});
  EXPECT_TRUE(a.blocked_);
  Run({"DEL", "k"});
  Run({"RPUSH", "k", "x"});
  EXPECT_THAT(*TakeReply(a), BulkArray({"k", "x"}));
}

TEST_F(ListFamilyTest, ReRunServesFromTheReadyKey) {
  FakeClient& a = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "a", "b", "0"}).has_value());
  Run({"SET", "a", "str"});
  Run({"RPUSH", "b", "x"});
  // Not WRONGTYPE from "a": the client is served from the key that woke it.
  EXPECT_THAT(*TakeReply(a), BulkArray({"b", "x"}));
}

TEST_F(ListFamilyTest, BlmoveToWrongTypeDestinationFailsAndKeepsTheElement) {
  FakeClient& a = NewClient();
  Run({"SET", "dst", "str"});
  EXPECT_FALSE(RunAs(a, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"}).has_value());
  Run({"RPUSH", "src", "y"});
  EXPECT_THAT(*TakeReply(a), ErrorIs(kWrongType));
  EXPECT_FALSE(a.blocked_);
  EXPECT_THAT(Run({"LRANGE", "src", "0", "-1"}), BulkArray({"y"}));
}

TEST_F(ListFamilyTest, BlockedClientsInOtherDatabases) {
  FakeClient& a = NewClient();
  a.db_ = 1;
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "0"}).has_value());
  Run({"RPUSH", "k", "db0"});
  EXPECT_TRUE(a.blocked_);
  // MOVE into db 1 serves it (the safety net signals the key in every database).
  EXPECT_THAT(Run({"MOVE", "k", "1"}), IntIs(1));
  EXPECT_THAT(*TakeReply(a), BulkArray({"k", "db0"}));
}

TEST_F(ListFamilyTest, ClientUnblock) {
  FakeClient& a = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "0"}).has_value());
  const std::string id = std::to_string(a.id_);
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id, "FOO"}),
              ErrorIs("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", "abc"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id}), IntIs(1));
  EXPECT_EQ(a.deferred_out_, "*-1\r\n");
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id}), IntIs(0));
  a.deferred_out_.clear();
  EXPECT_FALSE(RunAs(a, {"BLMPOP", "0", "1", "k", "LEFT"}).has_value());
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id, "error"}), IntIs(1));
  EXPECT_THAT(*TakeReply(a), ErrorIs("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", "-1"}), IntIs(0));
}

TEST_F(ListFamilyTest, DisconnectedClientLeavesNoTrace) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "5"}).has_value());
  EXPECT_FALSE(RunAs(b, {"BLPOP", "k", "0"}).has_value());
  Disconnect(a);
  EXPECT_EQ(dispatcher_.blocked_clients(), 1u);
  Run({"RPUSH", "k", "x"});
  EXPECT_TRUE(a.deferred_out_.empty());
  EXPECT_THAT(*TakeReply(b), BulkArray({"k", "x"}));
  AdvanceTime(10000);
  EXPECT_TRUE(a.deferred_out_.empty());
}

TEST_F(ListFamilyTest, DuplicateKeysWaitOnce) {
  FakeClient& a = NewClient();
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "k", "k", "0"}).has_value());
  Run({"RPUSH", "k", "1", "2"});
  EXPECT_THAT(*TakeReply(a), BulkArray({"k", "1"}));
  EXPECT_THAT(Run({"LLEN", "k"}), IntIs(1));
}

TEST_F(ListFamilyTest, BlockedCommandCountedOnceInStats) {
  FakeClient& a = NewClient();
  const uint64_t before = dispatcher_.stats().total_commands_processed;
  // Counted when it blocks, as Redis 7.0 counts it, and not again when served.
  EXPECT_FALSE(RunAs(a, {"BLPOP", "k", "0"}).has_value());
  EXPECT_EQ(dispatcher_.stats().total_commands_processed, before + 1);
  Run({"RPUSH", "k", "x"});
  EXPECT_EQ(dispatcher_.stats().total_commands_processed, before + 2);
}

}  // namespace
}  // namespace gannet
