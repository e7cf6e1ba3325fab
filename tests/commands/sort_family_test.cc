// SORT and SORT_RO. Expected replies were produced by redis-server 7.0.15 for the same
// commands. Where Redis's order depends on its hash-table iteration (ties under ALPHA+BY in
// a hashtable set), the tests use inputs without such ties.
#include <string>
#include <vector>

#include "command_test_base.h"
#include "sort_list_access.h"

namespace gannet {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char kNotInt[] = "ERR value is not an integer or out of range";
const char kSyntax[] = "ERR syntax error";
const char kBadScore[] = "ERR One or more scores can't be converted into double";

class SortFamilyTest : public CommandTest {
 protected:
  // Lists are built and read through the engine so these tests do not depend on the list
  // commands.
  void MakeListKey(std::string_view key, const std::vector<std::string>& items) {
    keyspace_.set_now_ms(NowMs());
    db().Insert(key, MakeList(items));
  }
  std::vector<std::string> ListItems(std::string_view key) {
    keyspace_.set_now_ms(NowMs());
    Entry* e = db().FindNoTouch(key);
    if (e == nullptr || e->value.type() != ValueType::kList) return {"<not a list>"};
    std::vector<std::string> out;
    ListRange(e->value, 0, ListLength(e->value), false,
              [&out](std::string_view s) { out.emplace_back(s); });
    return out;
  }
};

TEST_F(SortFamilyTest, NumericAndAlphaOnSets) {
  EXPECT_THAT(Run({"SADD", "s", "3", "1", "2", "10", "-5", "1.5"}), IntIs(6));
  EXPECT_THAT(Run({"SORT", "s"}), BulkArray({"-5", "1", "1.5", "2", "3", "10"}));
  EXPECT_THAT(Run({"SORT", "s", "DESC"}), BulkArray({"10", "3", "2", "1.5", "1", "-5"}));
  EXPECT_THAT(Run({"SORT", "s", "ALPHA"}), BulkArray({"-5", "1", "1.5", "10", "2", "3"}));
  EXPECT_THAT(Run({"SORT", "s", "alpha", "desc"}), BulkArray({"3", "2", "10", "1.5", "1", "-5"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "1", "2"}), BulkArray({"1", "1.5"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "-1", "2", "DESC"}), BulkArray({"10", "3"}));
  EXPECT_THAT(Run({"SORT_RO", "s", "LIMIT", "4", "100"}), BulkArray({"3", "10"}));
  // The last ASC/DESC wins.
  EXPECT_THAT(Run({"SORT", "s", "DESC", "ASC", "LIMIT", "0", "1"}), BulkArray({"-5"}));
  EXPECT_THAT(Run({"SADD", "w", "b", "a", "c", "bb"}), IntIs(4));
  EXPECT_THAT(Run({"SORT", "w"}), ErrorIs(kBadScore));
  EXPECT_THAT(Run({"SORT", "w", "ALPHA"}), BulkArray({"a", "b", "bb", "c"}));
  // RESP3 keeps an array.
  EXPECT_THAT(RunResp3({"SORT", "w", "ALPHA"}), BulkArray({"a", "b", "bb", "c"}));
}

TEST_F(SortFamilyTest, WeightsParseAsCDoubles) {
  // strtod: leading spaces, hex, infinities and the empty string (0) are numbers; trailing
  // bytes, NaN and out-of-range values are not. A NUL ends the number, as in C.
  const std::vector<std::pair<std::string, std::vector<std::string>>> ok = {
      {" 1", {" 1", "2"}},
      {"0x10", {"2", "0x10"}},
      {"", {"", "2"}},
      {"inf", {"2", "inf"}},
      {"-inf", {"-inf", "2"}},
      {"+5", {"2", "+5"}},
      {"1e308", {"2", "1e308"}},
      {std::string("5\0x", 3), {"2", std::string("5\0x", 3)}},
      {"1e-300", {"1e-300", "2"}}};
  int i = 0;
  for (const auto& [v, expect] : ok) {
    const std::string key = "q" + std::to_string(i++);
    ASSERT_THAT(Run({"SADD", key, v, "2"}), IntIs(2));
    EXPECT_THAT(Run({"SORT", key}), BulkArray(expect)) << key;
  }
  for (const std::string& bad : {std::string("a\0b", 3), std::string("1 "), std::string("nan"),
                                 std::string("1e400"), std::string("1e-400"), std::string("1x")}) {
    const std::string key = "q" + std::to_string(i++);
    ASSERT_THAT(Run({"SADD", key, bad, "2"}), IntIs(2));
    EXPECT_THAT(Run({"SORT", key}), ErrorIs(kBadScore)) << key;
  }
  // Unlike Redis 7.0 (which leaves errno stale), one bad sort does not poison the next.
  EXPECT_THAT(Run({"SORT", "q0"}), BulkArray({" 1", "2"}));
}

TEST_F(SortFamilyTest, ByAndGetPatterns) {
  EXPECT_THAT(Run({"SADD", "w", "b", "a", "c", "bb"}), IntIs(4));
  EXPECT_THAT(Run({"MSET", "w_a", "3", "w_b", "1", "w_c", "2"}), IsOk());
  // A missing weight counts as 0 (numeric); ties are broken by the element.
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*"}), BulkArray({"bb", "b", "c", "a"}));
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "DESC"}), BulkArray({"a", "c", "b", "bb"}));
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "ALPHA"}), BulkArray({"bb", "b", "c", "a"}));
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "LIMIT", "0", "-1"}),
              BulkArray({"bb", "b", "c", "a"}));
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "GET", "#", "GET", "w_*"}),
              ArrayOf(BulkIs("bb"), IsNil(), BulkIs("b"), BulkIs("1"), BulkIs("c"), BulkIs("2"),
                      BulkIs("a"), BulkIs("3")));
  EXPECT_THAT(Run({"HSET", "h_a", "f", "z", "n", "5"}), IntIs(2));
  EXPECT_THAT(Run({"HSET", "h_b", "f", "y", "n", "x"}), IntIs(2));
  EXPECT_THAT(Run({"HSET", "h_c", "f", "x"}), IntIs(1));
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->f", "ALPHA"}), BulkArray({"bb", "c", "b", "a"}));
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->f", "ALPHA", "GET", "h_*->n", "GET", "#"}),
              ArrayOf(IsNil(), BulkIs("bb"), IsNil(), BulkIs("c"), BulkIs("x"), BulkIs("b"),
                      BulkIs("5"), BulkIs("a")));
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->n"}), ErrorIs(kBadScore));
  // "->" with nothing after it is part of the key name (no such key here).
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->", "LIMIT", "0", "1", "ALPHA", "GET", "h_*->"}),
              ArrayOf(IsNil()));
  // GET of a pattern without '*', of a missing key, of a string key with "->", of a hash
  // without "->": nil.
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "GET", "novalue", "GET", "nokey*", "GET", "w_*->x",
                   "GET", "h_*", "LIMIT", "3", "1"}),
              ArrayOf(IsNil(), IsNil(), IsNil(), IsNil()));
  // Weights in hash fields, some stored as integers.
  EXPECT_THAT(Run({"HSET", "h_c", "n", "-1"}), IntIs(1));
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->n", "GET", "#", "LIMIT", "0", "1"}),
              ErrorIs(kBadScore));  // h_b's "x" still spoils it
  EXPECT_THAT(Run({"HSET", "h_b", "n", "7"}), IntIs(0));
  EXPECT_THAT(Run({"SORT", "w", "BY", "h_*->n"}), BulkArray({"c", "bb", "a", "b"}));
  // BY without '*' does not sort: a set keeps its own order (here an intset, sorted).
  EXPECT_THAT(Run({"SADD", "is", "3", "1", "2"}), IntIs(3));
  EXPECT_THAT(Run({"SORT", "is", "BY", "nosort", "DESC"}), BulkArray({"1", "2", "3"}));
  EXPECT_THAT(Run({"SORT", "is", "BY", "nosort", "LIMIT", "1", "5"}), BulkArray({"2", "3"}));
}

TEST_F(SortFamilyTest, TiesKeepLoadOrder) {
  // Intsets load in numeric order, so ties under BY keep that order (stable sort).
  EXPECT_THAT(Run({"SADD", "t", "4", "3", "2", "1"}), IntIs(4));
  EXPECT_THAT(Run({"MSET", "k_1", "1", "k_2", "1", "k_3", "0", "k_4", "1"}), IsOk());
  EXPECT_THAT(Run({"SORT", "t", "BY", "k_*"}), BulkArray({"3", "1", "2", "4"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "k_*", "DESC"}), BulkArray({"4", "2", "1", "3"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "nokey_*"}), BulkArray({"1", "2", "3", "4"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "nokey_*", "DESC"}), BulkArray({"4", "3", "2", "1"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "nokey_*", "ALPHA"}), BulkArray({"1", "2", "3", "4"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "nokey_*", "ALPHA", "DESC"}),
              BulkArray({"1", "2", "3", "4"}));
  EXPECT_THAT(Run({"MSET", "a_1", "b", "a_3", "a"}), IsOk());
  // ALPHA BY: missing weights first, ties in load order.
  EXPECT_THAT(Run({"SORT", "t", "BY", "a_*", "ALPHA"}), BulkArray({"2", "4", "3", "1"}));
  EXPECT_THAT(Run({"SORT", "t", "BY", "a_*", "ALPHA", "DESC"}), BulkArray({"1", "3", "2", "4"}));
}

// BY with a LIMIT that does not cover everything is a partial quicksort in Redis, so equal
// weights come out in that algorithm's order (captured from redis-server 7.0.15).
TEST_F(SortFamilyTest, PartialSortTiesMatchRedis) {
  EXPECT_THAT(Run({"SADD", "src", "-69", "87", "62",  "71",  "14",  "95", "34", "-1", "-22",
                   "21",   "19",  "-61", "-9", "-47", "-85", "-57", "1",  "81", "-3", "61"}),
              IntIs(20));
  EXPECT_THAT(Run({"MSET",  "w_-69", "-12",  "w_62", "-18",  "w_71",  "-3",    "w_14",  "-17",
                   "w_95",  "7",     "w_34", "8",    "w_-1", "1.5",   "w_-22", "-5",    "w_19",
                   "15",    "w_-61", "-19",  "w_-9", "19",   "w_-47", "-15",   "w_-85", "13",
                   "w_-57", "-8",    "w_1",  "x",    "w_81", "-2.25", "w_61",  "-15"}),
              IsOk());
  EXPECT_THAT(Run({"SORT", "src", "BY", "w_*", "LIMIT", "7", "13", "DESC", "ALPHA"}),
              BulkArray({"-57", "-22", "71", "81", "-61", "62", "14", "-47", "61", "-69", "-3",
                         "87", "21"}));
  EXPECT_THAT(Run({"SORT", "src", "BY", "w_*", "LIMIT", "10", "5", "DESC", "ALPHA"}),
              BulkArray({"81", "-61", "62", "14", "-47"}));
  EXPECT_THAT(Run({"SORT", "src", "BY", "w_*", "LIMIT", "1", "18", "DESC", "ALPHA"}),
              BulkArray({"34", "95", "-9", "19", "-85", "-1", "-57", "-22", "71", "81", "-61", "62",
                         "14", "-47", "61", "-69", "-3", "87"}));
}

TEST_F(SortFamilyTest, LimitIsClamped) {
  EXPECT_THAT(Run({"SADD", "s", "3", "1", "2", "10"}), IntIs(4));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "1", "9223372036854775807"}), BulkArray({"2", "3", "10"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "-5", "2"}), BulkArray({"1", "2"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "1", "-1"}), BulkArray({"2", "3", "10"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "9223372036854775807", "1"}), EmptyArray());
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "-9223372036854775808", "9223372036854775807"}),
              BulkArray({"1", "2", "3", "10"}));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "9223372036854775807", "9223372036854775807"}),
              EmptyArray());
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "0", "0"}), EmptyArray());
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "3", "-9223372036854775808"}), BulkArray({"10"}));
  EXPECT_THAT(Run({"SORT", "s", "BY", "nosort", "LIMIT", "9223372036854775806", "5", "GET", "#"}),
              EmptyArray());
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "x", "1"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "1", "99999999999999999999"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"SORT", "s", "LIMIT", "1"}), ErrorIs(kSyntax));
}

TEST_F(SortFamilyTest, ErrorsAndMissingKeys) {
  EXPECT_THAT(Run({"SORT", "missing"}), EmptyArray());
  EXPECT_THAT(Run({"SORT_RO", "missing"}), EmptyArray());
  EXPECT_THAT(Run({"SADD", "s", "1"}), IntIs(1));
  EXPECT_THAT(Run({"SORT", "s", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SORT", "s", "BY"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SORT", "s", "GET"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SORT", "s", "STORE"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SORT_RO", "s", "STORE", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SET", "str", "a"}), IsOk());
  EXPECT_THAT(Run({"SORT", "str"}), ErrorIs(kWrongType));
  // Options are parsed before the key is looked at.
  EXPECT_THAT(Run({"SORT", "str", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"HSET", "hh", "a", "1"}), IntIs(1));
  EXPECT_THAT(Run({"SORT", "hh"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"SORT_RO", "hh", "ALPHA"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"SORT"}), ErrorIs("ERR wrong number of arguments for 'sort' command"));
}

TEST_F(SortFamilyTest, SortedSets) {
  if (table_.Find("zadd") == nullptr) {
    GTEST_SKIP() << "ZADD is not registered yet";
  }
  EXPECT_THAT(Run({"ZADD", "z", "1", "c", "2", "a", "3", "b", "4", "d"}), IntIs(4));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "z"}), BulkIs("listpack"));
  // BY nosort keeps the score order, honouring DESC and LIMIT.
  EXPECT_THAT(Run({"SORT", "z", "BY", "nosort"}), BulkArray({"c", "a", "b", "d"}));
  // Redis converts a sorted set to its big encoding to sort it, even for SORT_RO.
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "z"}), BulkIs("skiplist"));
  EXPECT_THAT(Run({"SORT", "z", "BY", "nosort", "DESC"}), BulkArray({"d", "b", "a", "c"}));
  EXPECT_THAT(Run({"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"}), BulkArray({"a", "b"}));
  EXPECT_THAT(Run({"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"}), BulkArray({"b", "a"}));
  EXPECT_THAT(Run({"SORT_RO", "z", "BY", "nosort", "LIMIT", "2", "100"}), BulkArray({"b", "d"}));
  EXPECT_THAT(Run({"SORT", "z", "ALPHA"}), BulkArray({"a", "b", "c", "d"}));
  EXPECT_THAT(Run({"SORT", "z", "ALPHA", "DESC", "LIMIT", "0", "1"}), BulkArray({"d"}));
  EXPECT_THAT(Run({"SORT", "z"}), ErrorIs(kBadScore));
  EXPECT_THAT(Run({"ZADD", "n", "1", "10", "2", "9", "3", "8"}), IntIs(3));
  EXPECT_THAT(Run({"SORT_RO", "n"}), BulkArray({"8", "9", "10"}));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "n"}), BulkIs("skiplist"));
  EXPECT_THAT(Run({"SORT", "n", "BY", "nosort", "GET", "#"}), BulkArray({"10", "9", "8"}));
  EXPECT_THAT(Run({"ZSCORE", "n", "9"}), BulkIs("2"));
}

// Redis 7.0's SORT STORE builds its list with the quicklist's own options (8 KB nodes, no
// compression), whatever list-max-listpack-size and list-compress-depth say.
TEST_F(SortFamilyTest, StoreIgnoresTheListConfig) {
  server_.config_.list_max_listpack_size = 1;
  server_.config_.list_compress_depth = 1;
  MakeListKey("src", {"3", "1", "2", "5", "4"});
  EXPECT_THAT(Run({"SORT", "src", "STORE", "dst"}), IntIs(5));
  const auto* list = db().FindRead("dst")->value.As<ListObject>();
  EXPECT_EQ(list->fill(), -2);
  EXPECT_EQ(list->compress_depth(), 0);
  EXPECT_EQ(list->node_count(), 1u);
  EXPECT_EQ(ListItems("dst"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
}

TEST_F(SortFamilyTest, StoreWritesAList) {
  EXPECT_THAT(Run({"SADD", "w", "b", "a", "c", "bb"}), IntIs(4));
  EXPECT_THAT(Run({"MSET", "w_a", "3", "w_b", "1", "w_c", "2"}), IsOk());
  EXPECT_THAT(Run({"SET", "dst", "old"}), IsOk());
  EXPECT_THAT(Run({"EXPIRE", "dst", "100"}), IntIs(1));
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "STORE", "dst"}), IntIs(4));
  EXPECT_THAT(Run({"TYPE", "dst"}), SimpleIs("list"));
  EXPECT_THAT(Run({"TTL", "dst"}), IntIs(-1));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "dst"}), BulkIs("quicklist"));
  EXPECT_EQ(ListItems("dst"), (std::vector<std::string>{"bb", "b", "c", "a"}));
  // Missing GET values are stored as empty strings.
  EXPECT_THAT(Run({"SORT", "w", "BY", "w_*", "GET", "w_*", "GET", "#", "STORE", "dst"}), IntIs(8));
  EXPECT_EQ(ListItems("dst"), (std::vector<std::string>{"", "bb", "1", "b", "2", "c", "3", "a"}));
  // A set sorted BY nosort into a key is sorted ALPHA, for a deterministic result.
  EXPECT_THAT(Run({"SORT", "w", "BY", "nosort", "STORE", "dst"}), IntIs(4));
  EXPECT_EQ(ListItems("dst"), (std::vector<std::string>{"a", "b", "bb", "c"}));
  // An empty result deletes the destination.
  EXPECT_THAT(Run({"SORT", "missing", "STORE", "dst"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "dst"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "dst", "x"}), IsOk());
  EXPECT_THAT(Run({"SORT", "w", "LIMIT", "10", "1", "ALPHA", "STORE", "dst"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "dst"}), IntIs(0));
  // The source may be the destination.
  MakeListKey("l", {"3", "1", "2"});
  EXPECT_THAT(Run({"SORT", "l", "STORE", "l"}), IntIs(3));
  EXPECT_EQ(ListItems("l"), (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(SortFamilyTest, Lists) {
  MakeListKey("l", {"3", "1", "2", "10"});
  EXPECT_THAT(Run({"SORT", "l"}), BulkArray({"1", "2", "3", "10"}));
  EXPECT_THAT(Run({"SORT", "l", "DESC", "LIMIT", "1", "2"}), BulkArray({"3", "2"}));
  EXPECT_THAT(Run({"SORT", "l", "ALPHA"}), BulkArray({"1", "10", "2", "3"}));
  EXPECT_THAT(Run({"SORT", "l", "BY", "nosort"}), BulkArray({"3", "1", "2", "10"}));
  EXPECT_THAT(Run({"SORT", "l", "BY", "nosort", "DESC"}), BulkArray({"10", "2", "1", "3"}));
  EXPECT_THAT(Run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}), BulkArray({"1", "2"}));
  EXPECT_THAT(Run({"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}), BulkArray({"2", "1"}));
  EXPECT_THAT(Run({"SORT", "l", "BY", "nosort", "LIMIT", "3", "100"}), BulkArray({"10"}));
  // A list spanning many listpack nodes.
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i) many.push_back(std::to_string(i));
  MakeListKey("big", many);
  EXPECT_THAT(Run({"SORT", "big", "BY", "nosort", "DESC", "LIMIT", "1000", "3"}),
              BulkArray({"3999", "3998", "3997"}));
  EXPECT_THAT(Run({"SORT", "big", "BY", "nosort", "LIMIT", "4998", "5"}),
              BulkArray({"4998", "4999"}));
  EXPECT_THAT(Run({"SORT", "big", "DESC", "LIMIT", "0", "2"}), BulkArray({"4999", "4998"}));
  EXPECT_THAT(Run({"SORT", "big", "ALPHA", "LIMIT", "0", "3"}), BulkArray({"0", "1", "10"}));
  EXPECT_THAT(Run({"SORT", "big", "BY", "nosort", "STORE", "copy"}), IntIs(5000));
  EXPECT_EQ(ListItems("copy"), many);
  // Duplicates; ties keep list order under a constant weight.
  MakeListKey("d", {"b", "a", "b", "c", "a"});
  EXPECT_THAT(Run({"SORT", "d", "ALPHA"}), BulkArray({"a", "a", "b", "b", "c"}));
  EXPECT_THAT(Run({"SORT", "d", "BY", "none_*", "ALPHA"}), BulkArray({"b", "a", "b", "c", "a"}));
  EXPECT_THAT(Run({"SORT", "d", "BY", "none_*", "ALPHA", "DESC"}),
              BulkArray({"b", "a", "b", "c", "a"}));
}

}  // namespace
}  // namespace gannet
