// The key finder (key_extraction.h) on its own: key specs and key finders against hostile
// argument lists, and against commands Gannet has no handler for yet (EVAL, FCALL,
// MIGRATE), whose key specs and finders the generated data already carries. Every expected
// answer is what redis-server 7.0.15 gives for COMMAND GETKEYSANDFLAGS on the same
// arguments (the differential test tests/differential/test_command_docs.py asks it live).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command_metadata.h"
#include "gannet/commands/command_table.h"
#include "key_extraction.h"

namespace gannet {
namespace {

constexpr uint32_t kRwAccessDelete = kKeyRW | kKeyAccess | kKeyDelete;
constexpr uint32_t kRwAccessUpdate = kKeyRW | kKeyAccess | kKeyUpdate;
constexpr uint32_t kRoAccess = kKeyRO | kKeyAccess;
constexpr uint32_t kOwUpdate = kKeyOW | kKeyUpdate;

using Found = std::vector<std::pair<std::string, uint32_t>>;

class KeyFinderTest : public ::testing::Test {
 protected:
  // The row of `name` ("object|freq" for a subcommand) in the real table.
  const CommandSpec& Row(std::string_view name) {
    const size_t bar = name.find('|');
    const CommandSpec* c = table_.Find(name.substr(0, bar));
    if (c != nullptr && bar != std::string_view::npos) c = table_.FindSub(*c, name.substr(bar + 1));
    EXPECT_NE(c, nullptr) << name;
    return c != nullptr ? *c : *table_.Find("get");
  }

  // A row for a command Redis has and Gannet does not run yet: its data attached as the
  // table would.
  static CommandSpec Unregistered(std::string_view name, int arity, uint32_t flags) {
    CommandSpec spec{.name = name,
                     .arity = arity,
                     .flags = flags,
                     .first_key = 0,
                     .last_key = 0,
                     .step = 0,
                     .acl_categories = 0,
                     .handler = nullptr,
                     .doc = {}};
    AttachCommandMetadata(spec);
    return spec;
  }

  // FindKeysWithFlags as (key, flags) pairs; also checks ExtractKeys agrees on positions.
  static Found Keys(const CommandSpec& spec, std::vector<std::string> argv, int* count = nullptr) {
    std::vector<std::string_view> args(argv.begin(), argv.end());
    std::vector<KeyRef> refs = {{999, 0}};  // appended to, never cleared
    const int n = FindKeysWithFlags(spec, args, &refs);
    if (count != nullptr) *count = n;
    EXPECT_EQ(refs.size(), static_cast<size_t>(n) + 1);
    Found out;
    std::vector<size_t> positions;
    for (size_t i = 1; i < refs.size(); ++i) {
      EXPECT_LT(refs[i].pos, args.size());
      out.emplace_back(argv.at(refs[i].pos), refs[i].flags);
      positions.push_back(refs[i].pos);
    }
    std::vector<size_t> extracted;
    const KeyExtraction e = ExtractKeys(spec, args, &extracted);
    if (n > 0) {
      EXPECT_EQ(e, KeyExtraction::kOk);
      EXPECT_EQ(extracted, positions);
    } else {
      EXPECT_EQ(e,
                (spec.flags & kCmdNoMandatoryKeys) ? KeyExtraction::kOk : KeyExtraction::kInvalid);
    }
    return out;
  }

  CommandTable table_;
};

TEST_F(KeyFinderTest, SimpleSpecs) {
  EXPECT_EQ(Keys(Row("get"), {"get", "k"}), (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(Row("mset"), {"mset", "a", "1", "b", "2"}),
            (Found{{"a", kKeyOW | kKeyUpdate}, {"b", kKeyOW | kKeyUpdate}}));
  EXPECT_EQ(Keys(Row("lmove"), {"lmove", "a", "b", "left", "right"}),
            (Found{{"a", kRwAccessDelete}, {"b", kKeyRW | kKeyInsert}}));
  EXPECT_EQ(Keys(Row("bitop"), {"bitop", "and", "d", "a", "b"}),
            (Found{{"d", kOwUpdate}, {"a", kRoAccess}, {"b", kRoAccess}}));
  EXPECT_EQ(Keys(Row("blpop"), {"blpop", "a", "b", "0"}),
            (Found{{"a", kRwAccessDelete}, {"b", kRwAccessDelete}}));
  EXPECT_EQ(Keys(Row("object|freq"), {"object", "freq", "k"}), (Found{{"k", kKeyRO}}));
}

TEST_F(KeyFinderTest, ChannelsAreNotKeys) {
  EXPECT_FALSE(CommandHasKeys(Row("spublish")));
  EXPECT_FALSE(CommandHasKeys(Row("ssubscribe")));
  EXPECT_FALSE(CommandHasKeys(Row("ping")));
  EXPECT_TRUE(CommandHasKeys(Row("get")));
  std::vector<size_t> keys;
  std::vector<std::string_view> args = {"spublish", "ch", "m"};
  EXPECT_EQ(ExtractKeys(Row("spublish"), args, &keys), KeyExtraction::kNoKeys);
  EXPECT_TRUE(keys.empty());
}

TEST_F(KeyFinderTest, NumKeys) {
  const CommandSpec& zunionstore = Row("zunionstore");
  EXPECT_EQ(Keys(zunionstore, {"zunionstore", "d", "2", "a", "b", "weights", "1", "2"}),
            (Found{{"d", kOwUpdate}, {"a", kRoAccess}, {"b", kRoAccess}}));
  // numkeys is added as a 32-bit int: 4294967297 counts as 1.
  EXPECT_EQ(Keys(zunionstore, {"zunionstore", "d", "4294967297", "a"}),
            (Found{{"d", kOwUpdate}, {"a", kRoAccess}}));
  // Not a number for the key spec, but atoi's 2 for the key finder: no flags, the
  // destination last.
  EXPECT_EQ(Keys(zunionstore, {"zunionstore", "d", "2abc", "a", "b"}),
            (Found{{"a", 0}, {"b", 0}, {"d", 0}}));
  EXPECT_EQ(Keys(zunionstore, {"zunionstore", "d", " +2", "a", "b"}),
            (Found{{"a", 0}, {"b", 0}, {"d", 0}}));
  // Hostile counts: none of them finds keys, none reads past the end.
  for (const char* n : {"0", "-1", "3", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "4294967295", "4294967296", "2147483647",
                        "2147483648", "", "x", "99999999999999999999999"}) {
    int count = -2;
    EXPECT_EQ(Keys(zunionstore, {"zunionstore", "d", n, "a", "b"}, &count), Found{}) << n;
    EXPECT_EQ(count, 0) << n;
  }
  const CommandSpec& lmpop = Row("lmpop");
  EXPECT_EQ(Keys(lmpop, {"lmpop", "2", "a", "b", "left"}),
            (Found{{"a", kRwAccessDelete}, {"b", kRwAccessDelete}}));
  EXPECT_EQ(Keys(lmpop, {"lmpop", "3", "a", "b"}), Found{});
  EXPECT_EQ(Keys(Row("blmpop"), {"blmpop", "0", "1", "a", "left"}),
            (Found{{"a", kRwAccessDelete}}));
  EXPECT_EQ(Keys(Row("sintercard"), {"sintercard", "1", "a", "limit", "5"}),
            (Found{{"a", kRoAccess}}));
}

TEST_F(KeyFinderTest, KeywordSpecs) {
  const CommandSpec& xread = Row("xread");
  EXPECT_EQ(Keys(xread, {"xread", "count", "2", "streams", "a", "b", "0", "0"}),
            (Found{{"a", kRoAccess}, {"b", kRoAccess}}));
  // An odd count after STREAMS: the spec takes the first half, rounded down.
  EXPECT_EQ(Keys(xread, {"xread", "streams", "a", "b", "c"}), (Found{{"a", kRoAccess}}));
  EXPECT_EQ(Keys(xread, {"xread", "count", "2", "a", "b"}), Found{});
  EXPECT_EQ(Keys(xread, {"xread", std::string("streams\0y", 9), "a", "0"}),
            (Found{{"a", kRoAccess}}));
  EXPECT_EQ(Keys(Row("xreadgroup"), {"xreadgroup", "group", "g", "c", "streams", "s", ">"}),
            (Found{{"s", kRoAccess}}));

  const CommandSpec& georadius = Row("georadius");
  EXPECT_EQ(Keys(georadius, {"georadius", "k", "1", "2", "3", "m", "store", "d"}),
            (Found{{"k", kRoAccess}, {"d", kOwUpdate}}));
  EXPECT_EQ(Keys(georadius, {"georadius", "k", "1", "2", "3", "m", "store"}),
            (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(georadius, {"georadius", "k", "1", "2", "3", "m", "STORE", "d", "storedist", "e"}),
            (Found{{"k", kRoAccess}, {"d", kOwUpdate}, {"e", kOwUpdate}}));
}

TEST_F(KeyFinderTest, IncompleteAndVariableFlags) {
  const CommandSpec& sort = Row("sort");
  EXPECT_EQ(Keys(sort, {"sort", "k"}), (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(sort, {"sort", "k", "limit", "0", "1", "store", "d"}),
            (Found{{"k", kRoAccess}, {"d", kOwUpdate}}));
  EXPECT_EQ(Keys(sort, {"sort", "k", "store", "d1", "by", "x", "store", "d2"}),
            (Found{{"k", kRoAccess}, {"d2", kOwUpdate}}));
  EXPECT_EQ(Keys(sort, {"sort", "k", "get", "store", "store"}), (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(Row("sort_ro"), {"sort_ro", "k", "by", "x"}), (Found{{"k", kRoAccess}}));

  const CommandSpec& set = Row("set");
  EXPECT_EQ(Keys(set, {"set", "k", "v"}), (Found{{"k", kOwUpdate}}));
  EXPECT_EQ(Keys(set, {"set", "k", "v", "EX", "1", "Get"}), (Found{{"k", kRwAccessUpdate}}));
  EXPECT_EQ(Keys(set, {"set", "k", "get"}), (Found{{"k", kOwUpdate}}));  // the value
  EXPECT_EQ(Keys(set, {"set", "k", "v", std::string("get\0x", 5)}),
            (Found{{"k", kRwAccessUpdate}}));

  const CommandSpec& bitfield = Row("bitfield");
  EXPECT_EQ(Keys(bitfield, {"bitfield", "k"}), (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(bitfield, {"bitfield", "k", "get", "u8", "0", "overflow", "sat"}),
            (Found{{"k", kRoAccess}}));
  EXPECT_EQ(Keys(bitfield, {"bitfield", "k", "get", "u8", "0", "set", "u8", "0", "1"}),
            (Found{{"k", kRwAccessUpdate}}));
  EXPECT_EQ(Keys(bitfield, {"bitfield", "k", "get", "u8"}), (Found{{"k", kRwAccessUpdate}}));
}

// Commands whose handlers Gannet lacks: their data is there for when they arrive.
TEST_F(KeyFinderTest, ScriptsAndMigrate) {
  const CommandSpec eval = Unregistered("eval", -3, kCmdNoMandatoryKeys);
  ASSERT_EQ(eval.key_specs.size(), 1u);
  ASSERT_NE(eval.getkeys_proc, nullptr);
  EXPECT_EQ(Keys(eval, {"eval", "s", "0"}), Found{});
  EXPECT_EQ(Keys(eval, {"eval", "s", "2", "a", "b"}),
            (Found{{"a", kRwAccessUpdate}, {"b", kRwAccessUpdate}}));
  EXPECT_EQ(Keys(eval, {"eval", "s", "2", "a"}), Found{});
  EXPECT_EQ(Keys(eval, {"eval", "s", "2abc", "a", "b"}), (Found{{"a", 0}, {"b", 0}}));
  EXPECT_EQ(Keys(eval, {"eval", "s", "-1", "a"}), Found{});
  EXPECT_EQ(Keys(eval, {"eval", "s", "4294967297", "a"}), (Found{{"a", kRwAccessUpdate}}));
  const CommandSpec fcall_ro = Unregistered("fcall_ro", -3, kCmdNoMandatoryKeys);
  EXPECT_EQ(Keys(fcall_ro, {"fcall_ro", "f", "3", "a", "b", "c"}),
            (Found{{"a", kRoAccess}, {"b", kRoAccess}, {"c", kRoAccess}}));

  const CommandSpec migrate = Unregistered("migrate", -6, 0);
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "k", "0", "5"}), (Found{{"k", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "k", "0", "5", "copy", "replace"}),
            (Found{{"k", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "", "0", "5", "keys", "a", "b"}),
            (Found{{"a", kRwAccessDelete}, {"b", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "k", "0", "5", "keys", "a", "b"}), Found{});
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "", "0", "5", "auth", "keys", "keys", "a"}),
            (Found{{"a", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "", "0", "5", "auth2", "u", "keys", "keys", "a"}),
            (Found{{"a", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "", "0", "5", "keys"}),
            (Found{{"", kRwAccessDelete}}));
  EXPECT_EQ(Keys(migrate, {"migrate", "h", "p", "k", "0", "5", "KEYS"}),
            (Found{{"k", kRwAccessDelete}}));
}

// A row with neither key specs nor a key finder (a test's own command) keeps the
// first/last/step description, flagless.
TEST_F(KeyFinderTest, RowsWithoutDataUseTheirRange) {
  const CommandSpec own{.name = "xtestcmd",
                        .arity = -2,
                        .flags = 0,
                        .first_key = 1,
                        .last_key = -1,
                        .step = 2,
                        .acl_categories = 0,
                        .handler = nullptr,
                        .doc = {}};
  EXPECT_TRUE(CommandHasKeys(own));
  EXPECT_EQ(Keys(own, {"xtestcmd", "a", "1", "b", "2"}), (Found{{"a", 0}, {"b", 0}}));
}

// Every row of the table: any argument list up to a few words long finds keys only inside
// it, and GETKEYS-style use never crashes.
TEST_F(KeyFinderTest, HostileArgumentListsForEveryCommand) {
  const std::vector<std::string> words = {"a",
                                          "0",
                                          "1",
                                          "2",
                                          "-1",
                                          "4294967297",
                                          "9223372036854775808",
                                          "",
                                          "keys",
                                          "streams",
                                          "store",
                                          "storedist",
                                          "get",
                                          "set",
                                          "limit",
                                          "by",
                                          "group",
                                          "count",
                                          "auth2",
                                          std::string("x\0", 2)};
  std::vector<const CommandSpec*> rows;
  for (const CommandSpec& c : table_.commands()) {
    rows.push_back(&c);
    for (const CommandSpec& s : c.subcommands) rows.push_back(&s);
  }
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
  for (const CommandSpec* c : rows) {
    for (int round = 0; round < 40; ++round) {
      std::vector<std::string> argv = {std::string(c->name)};
      const size_t n = (next() >> 8) % 9;
      for (size_t i = 0; i < n; ++i) argv.push_back(words[(next() >> 8) % words.size()]);
      std::vector<std::string_view> args(argv.begin(), argv.end());
      std::vector<KeyRef> refs;
      const int found = FindKeysWithFlags(*c, args, &refs);
      ASSERT_GE(found, 0);
      ASSERT_EQ(refs.size(), static_cast<size_t>(found));
      for (const KeyRef& r : refs) ASSERT_LT(r.pos, args.size()) << c->name;
      std::vector<size_t> positions;
      ExtractKeys(*c, args, &positions);
      for (size_t p : positions) ASSERT_LT(p, args.size()) << c->name;
    }
  }
}

}  // namespace
}  // namespace gannet
