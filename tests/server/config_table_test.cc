// The directive table: parsing per type, CONFIG GET globs, CONFIG SET atomicity and
// rollback, error texts (checked against redis-server 7.0), and CONFIG REWRITE.
#include "gannet/server/config_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace gannet {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

std::optional<std::string> Set(const ConfigTable& t, Config& c, Pairs p) {
  return t.Set(c, p, nullptr);
}

TEST(MemoryValue, UnitsAsRedis) {
  EXPECT_EQ(ParseMemory("0"), 0);
  EXPECT_EQ(ParseMemory("100"), 100);
  EXPECT_EQ(ParseMemory("1b"), 1);
  EXPECT_EQ(ParseMemory("1k"), 1000);
  EXPECT_EQ(ParseMemory("1kb"), 1024);
  EXPECT_EQ(ParseMemory("1KB"), 1024);
  EXPECT_EQ(ParseMemory("2m"), 2'000'000);
  EXPECT_EQ(ParseMemory("2Mb"), 2 * 1024 * 1024);
  EXPECT_EQ(ParseMemory("3g"), 3'000'000'000LL);
  EXPECT_EQ(ParseMemory("3gb"), 3LL * 1024 * 1024 * 1024);
  EXPECT_EQ(ParseMemory("-5"), -5);
}

TEST(MemoryValue, RejectsGarbageAndOverflow) {
  for (const char* bad : {"", "k", "1x", "10xb", "1 kb", "1kbb", "+1", "abc", "-", "1.5mb",
                          "99999999999999999999", "9223372036854775807kb"}) {
    EXPECT_FALSE(ParseMemory(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseMemory("9223372036854775807"), INT64_MAX);
}

TEST(ConfigTable, FindsByNameAndAliasCaseInsensitive) {
  ConfigTable t;
  ASSERT_NE(t.Find("maxmemory"), nullptr);
  EXPECT_EQ(t.Find("MAXMEMORY"), t.Find("maxmemory"));
  EXPECT_EQ(t.Find("nonexistent"), nullptr);
  EXPECT_EQ(t.Find(""), nullptr);
}

TEST(ConfigTable, EveryRowFormatsAndReparsesItsDefault) {
  ConfigTable t;
  Config defaults;
  for (const auto& d : t.directives()) {
    Config c;
    auto args = t.FormatArgs(d, defaults);
    std::vector<std::string_view> views(args.begin(), args.end());
    LoadState st;
    EXPECT_FALSE(t.Apply(d, c, views, &st).has_value()) << d.name;
    EXPECT_EQ(t.FormatValue(d, c), t.FormatValue(d, defaults)) << d.name;
  }
}

TEST(ConfigGet, GlobsSeveralPatternsEachNameOnce) {
  ConfigTable t;
  Config c;
  auto r = t.Get(c, {"port", "maxmemory*", "*max*"});
  ASSERT_GE(r.size(), 4u);
  EXPECT_EQ(r[0], (std::pair<std::string, std::string>{"port", "6379"}));
  std::set<std::string> names;
  for (auto& [k, v] : r) EXPECT_TRUE(names.insert(k).second) << "duplicate " << k;
  EXPECT_TRUE(names.count("maxmemory-policy"));
  EXPECT_TRUE(names.count("maxclients"));
  EXPECT_TRUE(t.Get(c, {"nomatch*"}).empty());
  EXPECT_EQ(t.Get(c, {"PORT"}).size(), 1u);
  EXPECT_EQ(t.Get(c, {"bind"})[0].second, "127.0.0.1 -::1");
  EXPECT_EQ(t.Get(c, {"save"})[0].second, "3600 1 300 100 60 10000");  // Redis 7.0's default
  // Hidden directives answer their exact name only (Redis's HIDDEN_CONFIG).
  EXPECT_EQ(t.Get(c, {"key-load-delay"})[0].second, "0");
  EXPECT_TRUE(t.Get(c, {"key-*"}).empty());
  EXPECT_EQ(t.Get(c, {"client-output-buffer-limit"})[0].second,
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
}

TEST(ConfigSet, ErrorTextsAsRedis) {
  ConfigTable t;
  Config c;
  EXPECT_EQ(Set(t, c, {{"foo", "1"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(Set(t, c, {{"daemonize", "yes"}}),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  EXPECT_EQ(Set(t, c, {{"dir", "/tmp"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
            "config");
  EXPECT_EQ(Set(t, c, {{"maxmemory", "10xb"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
            "be a memory value");
  EXPECT_EQ(Set(t, c, {{"hz", "abc"}}),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
            "parsed into an integer");
  EXPECT_EQ(Set(t, c, {{"maxclients", "0"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must "
            "be between 1 and 4294967295 inclusive");
  EXPECT_EQ(Set(t, c, {{"port", "99999"}}),
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be "
            "between 0 and 65535 inclusive");
  EXPECT_EQ(Set(t, c, {{"loglevel", "foo"}}),
            "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) "
            "must be one of the following: debug, verbose, notice, warning");
  EXPECT_EQ(Set(t, c, {{"protected-mode", "maybe"}}),
            "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument "
            "must be 'yes' or 'no'");
  EXPECT_EQ(Set(t, c, {{"proto-max-bulk-len", "1000"}}),
            "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
            "argument must be between 1048576 and 9223372036854775807 inclusive");
  EXPECT_EQ(Set(t, c, {{"maxmemory-policy", "foo"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - "
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
            "noeviction");
  EXPECT_EQ(Set(t, c, {{"save", "3600"}}),
            "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
            "parameters");
  EXPECT_EQ(Set(t, c, {{"hz", "5"}, {"hz", "6"}}),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter");
  // The argument named is the one the client typed.
  EXPECT_EQ(Set(t, c, {{"MAXMEMORY", "x"}}),
            "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - argument must "
            "be a memory value");
}

// maxmemory-clients: a memory value or a percentage (stored negated), with Redis's
// texts; values of 2^63 and more wrap into percentages as in Redis (strtoull, no checks).
TEST(ConfigSet, MaxmemoryClients) {
  ConfigTable t;
  Config c;
  const Directive* d = t.Find("maxmemory-clients");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(t.FormatValue(*d, c), "0");
  EXPECT_EQ(Set(t, c, {{"maxmemory-clients", "5%"}}), std::nullopt);
  EXPECT_EQ(c.maxmemory_clients, -5);
  EXPECT_EQ(t.FormatValue(*d, c), "5%");
  EXPECT_EQ(Set(t, c, {{"maxmemory-clients", "2mb"}}), std::nullopt);
  EXPECT_EQ(t.FormatValue(*d, c), "2097152");
  EXPECT_EQ(Set(t, c, {{"maxmemory-clients", "18446744073709551615"}}), std::nullopt);
  EXPECT_EQ(t.FormatValue(*d, c), "1%");
  EXPECT_EQ(Set(t, c, {{"maxmemory-clients", "101%"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
            "percentage argument must be less or equal to 100");
  for (const char* bad : {"-1", "-5%", "abc", "1.5mb", "5 %", "%", "+5", "05%", "-0%"}) {
    EXPECT_EQ(Set(t, c, {{"maxmemory-clients", bad}}),
              "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
              "argument must be a memory or percent value")
        << bad;
  }
  EXPECT_EQ(t.FormatValue(*d, c), "1%");
}

TEST(ConfigSet, AllOrNothing) {
  ConfigTable t;
  Config c;
  EXPECT_TRUE(Set(t, c, {{"maxmemory", "1mb"}, {"foo", "5"}}).has_value());
  EXPECT_EQ(c.maxmemory, 0);
  EXPECT_TRUE(Set(t, c, {{"maxmemory", "1mb"}, {"timeout", "-1"}}).has_value());
  EXPECT_EQ(c.maxmemory, 0);
  EXPECT_FALSE(Set(t, c, {{"maxmemory", "1mb"}, {"timeout", "30"}}).has_value());
  EXPECT_EQ(c.maxmemory, 1024 * 1024);
  EXPECT_EQ(c.timeout, 30);
}

// While loading, appendonly (kDirDenyLoading) gets -LOADING before its value is read, also
// unchanged, and with redis-server 7.0.15's precedence: over the errors of the names after
// it, not over those before it; nothing else in the command applies.
TEST(ConfigSet, DenyLoadingAsRedis) {
  const std::string loading = "LOADING Redis is loading the dataset in memory";
  ConfigTable t;
  Config c;
  auto set = [&](Pairs p) { return t.Set(c, p, nullptr, /*loading=*/true); };
  EXPECT_EQ(set({{"appendonly", "yes"}}), loading);
  EXPECT_EQ(set({{"appendonly", "no"}}), loading);
  EXPECT_EQ(set({{"appendonly", "maybe"}}), loading);
  EXPECT_EQ(set({{"appendonly", "no"}, {"appendonly", "no"}}), loading);
  EXPECT_EQ(set({{"appendonly", "no"}, {"nosuch", "1"}}), loading);
  EXPECT_EQ(set({{"nosuch", "1"}, {"appendonly", "no"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(set({{"appendonly", "no"}, {"daemonize", "no"}}), loading);
  EXPECT_EQ(set({{"daemonize", "no"}, {"appendonly", "no"}}),
            "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config");
  EXPECT_EQ(set({{"maxmemory", "foo"}, {"appendonly", "no"}}), loading);
  EXPECT_EQ(set({{"maxmemory", "0"}, {"maxmemory", "0"}, {"appendonly", "no"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate "
            "parameter");
  EXPECT_EQ(set({{"maxmemory", "1mb"}, {"appendonly", "no"}}), loading);
  EXPECT_EQ(c.maxmemory, 0);
  EXPECT_FALSE(set({{"maxmemory", "1mb"}}).has_value());
  EXPECT_EQ(c.maxmemory, 1024 * 1024);
  // Not loading: as before.
  EXPECT_FALSE(Set(t, c, {{"appendonly", "yes"}}).has_value());
  EXPECT_TRUE(c.appendonly);
}

TEST(ConfigSet, HookFailureRollsBack) {
  ConfigTable t;
  Config c;
  bool called = false;
  auto err = t.Set(c, {{"maxmemory", "5mb"}, {"port", "7000"}},
                   [&](const Config& old_cfg, const Config& new_cfg) -> std::optional<std::string> {
                     called = true;
                     EXPECT_EQ(old_cfg.port, 6379);
                     EXPECT_EQ(new_cfg.port, 7000);
                     return "ERR nope";
                   });
  EXPECT_TRUE(called);
  EXPECT_EQ(err, "ERR nope");
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.maxmemory, 0);
}

TEST(ConfigSet, TypedValues) {
  ConfigTable t;
  Config c;
  ASSERT_FALSE(Set(t, c, {{"hz", "1000"}}));
  EXPECT_EQ(c.hz, 500);  // clamped as Redis
  ASSERT_FALSE(Set(t, c, {{"hz", "0"}}));
  EXPECT_EQ(c.hz, 1);
  ASSERT_FALSE(Set(t, c, {{"bind", "10.0.0.1  -::1"}}));
  EXPECT_EQ(c.bind, (std::vector<std::string>{"10.0.0.1", "-::1"}));
  ASSERT_FALSE(Set(t, c, {{"save", "3600 1 300 100"}}));
  EXPECT_EQ(c.save.size(), 2u);
  ASSERT_FALSE(Set(t, c, {{"save", ""}}));
  EXPECT_TRUE(c.save.empty());
  ASSERT_FALSE(Set(t, c, {{"loglevel", "WARNING"}}));
  EXPECT_EQ(c.loglevel, LogLevel::kWarning);
  ASSERT_FALSE(Set(t, c, {{"maxmemory-policy", "ALLKEYS-LRU"}}));
  EXPECT_EQ(c.maxmemory_policy, "allkeys-lru");
  ASSERT_FALSE(Set(t, c, {{"client-output-buffer-limit", "normal 1mb 512kb 10"}}));
  EXPECT_EQ(c.client_output_limits[kObufNormal], (OutputBufferLimit{1 << 20, 512 << 10, 10}));
  EXPECT_TRUE(Set(t, c, {{"client-output-buffer-limit", "bogus 1 1 1"}}).has_value());
  EXPECT_TRUE(Set(t, c, {{"client-output-buffer-limit", "normal 1 1"}}).has_value());
  ASSERT_FALSE(Set(t, c, {{"maxclients", "4294967295"}}));
  EXPECT_EQ(c.maxclients, INT_MAX);
}

TEST(ConfigSet, OctalDirective) {
  ConfigTable t;
  Config c;
  const Directive* d = t.Find("unixsocketperm");
  ASSERT_NE(d, nullptr);
  std::vector<std::string_view> args{"770"};
  EXPECT_FALSE(t.Apply(*d, c, args, nullptr));
  EXPECT_EQ(c.unixsocketperm, 0770);
  EXPECT_EQ(t.FormatValue(*d, c), "770");
  args = {"8"};
  EXPECT_TRUE(t.Apply(*d, c, args, nullptr).has_value());
  args = {"1777"};
  EXPECT_TRUE(t.Apply(*d, c, args, nullptr).has_value());
}

TEST(QuoteConfigArg, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(QuoteConfigArg("abc"), "abc");
  EXPECT_EQ(QuoteConfigArg(""), "\"\"");
  EXPECT_EQ(QuoteConfigArg("a b"), "\"a b\"");
  EXPECT_EQ(QuoteConfigArg("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(QuoteConfigArg(std::string_view("\x01", 1)), "\"\\x01\"");
}

class RewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gannet_rewrite_XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& s) { std::ofstream(path_) << s; }
  std::string Read() {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string path_;
};

TEST_F(RewriteTest, KeepsCommentsAndUnknownLinesUpdatesAndAppends) {
  Write(
      "# my comment\nport 6379\n\nmaxmemory 1gb\nsome-unknown thing\nport 7000\n"
      "appendfilename \"appendonly.aof\"\n");
  ConfigTable t;
  Config c;
  c.port = 7001;
  c.maxmemory = 1024LL * 1024 * 1024;  // unchanged: the line stays as written
  c.timeout = 99;                      // not in the file, differs from default: appended
  ASSERT_FALSE(t.Rewrite(c, path_));
  EXPECT_EQ(Read(),
            "# my comment\nport 7001\n\nmaxmemory 1gb\nsome-unknown thing\n"
            "appendfilename \"appendonly.aof\"\n# Generated by CONFIG REWRITE\ntimeout 99\n");
}

TEST_F(RewriteTest, WithoutConfigFileFails) {
  ConfigTable t;
  Config c;
  EXPECT_EQ(t.Rewrite(c, ""), "ERR The server is running without a config file");
}

TEST_F(RewriteTest, QuotesValuesAndWritesMemoryUnits) {
  Write("");
  ConfigTable t;
  Config c;
  c.requirepass = "p w";
  c.maxmemory = 100 * 1024 * 1024;
  c.save = {{3600, 1}};
  ASSERT_FALSE(t.Rewrite(c, path_));
  std::string out = Read();
  EXPECT_NE(out.find("requirepass \"p w\"\n"), std::string::npos) << out;
  EXPECT_NE(out.find("maxmemory 100mb\n"), std::string::npos) << out;
  EXPECT_NE(out.find("save 3600 1\n"), std::string::npos) << out;
}

TEST_F(RewriteTest, UsersTakeTheUserLinesInTurnThenFollowTheSettings) {
  Write("user a on\n# keep\nUSER b off\nuser c off\nport 7000\n");
  ConfigTable t;
  Config c;
  c.timeout = 5;
  const std::vector<std::string> users = {"user a on nopass", "user z off"};
  ASSERT_FALSE(t.Rewrite(c, path_, &users));
  // b's line takes z; c's line has no user left and goes.
  EXPECT_EQ(Read(),
            "user a on nopass\n# keep\nuser z off\nport 6379\n"
            "# Generated by CONFIG REWRITE\ntimeout 5\n");
  const std::vector<std::string> more = {"user a on nopass", "user m on", "user z off"};
  ASSERT_FALSE(t.Rewrite(c, path_, &more));
  // The earlier rewrite's header serves again; the new user comes after the settings.
  EXPECT_EQ(Read(),
            "user a on nopass\n# keep\nuser m on\nport 6379\n"
            "# Generated by CONFIG REWRITE\ntimeout 5\nuser z off\n");
}

TEST_F(RewriteTest, AclFileMeansNoUserLines) {
  Write("user a on\nport 7000\n");
  ConfigTable t;
  Config c;
  c.aclfile = "/etc/users.acl";
  const std::vector<std::string> users = {"user default on nopass ~* &* +@all"};
  ASSERT_FALSE(t.Rewrite(c, path_, &users));
  EXPECT_EQ(Read(), "port 6379\n# Generated by CONFIG REWRITE\naclfile /etc/users.acl\n");
}

TEST_F(RewriteTest, WithoutUsersTheUserLinesStay) {
  Write("user a on\n");
  ConfigTable t;
  Config c;
  ASSERT_FALSE(t.Rewrite(c, path_));
  EXPECT_EQ(Read(), "user a on\n");
}

}  // namespace
}  // namespace gannet
