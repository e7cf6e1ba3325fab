// redis.conf parsing: argument splitting with Redis's quoting rules, every error form
// (named by file and line), include files, later-lines-win, and command-line directives.
#include "gannet/server/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

namespace gannet {
namespace {

using Args = std::vector<std::string>;

TEST(SplitConfigArgs, PlainAndQuoted) {
  EXPECT_EQ(SplitConfigArgs("port 6379"), (Args{"port", "6379"}));
  EXPECT_EQ(SplitConfigArgs("  a   b\t c  "), (Args{"a", "b", "c"}));
  EXPECT_EQ(SplitConfigArgs("save \"\""), (Args{"save", ""}));
  EXPECT_EQ(SplitConfigArgs("x \"a b\" 'c d'"), (Args{"x", "a b", "c d"}));
  EXPECT_EQ(SplitConfigArgs("x \"a\\nb\\t\\x41\\\\\\\"\""), (Args{"x", "a\nb\tA\\\""}));
  EXPECT_EQ(SplitConfigArgs("x 'it\\'s'"), (Args{"x", "it's"}));
  EXPECT_EQ(SplitConfigArgs("x 'a\\nb'"), (Args{"x", "a\\nb"}));  // no escapes in '...'
  EXPECT_EQ(SplitConfigArgs("x a\"b\""), (Args{"x", "ab"}));      // quote inside a word opens
  EXPECT_EQ(SplitConfigArgs(""), Args{});
}

TEST(SplitConfigArgs, Unbalanced) {
  EXPECT_FALSE(SplitConfigArgs("bind \"127.0.0.1"));
  EXPECT_FALSE(SplitConfigArgs("x 'abc"));
  EXPECT_FALSE(SplitConfigArgs("x \"a\"b"));  // closing quote must be followed by a space
  EXPECT_FALSE(SplitConfigArgs("x 'a'b"));
  EXPECT_FALSE(SplitConfigArgs("x \"abc\\"));
}

class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Temp(const std::string& content) {
    char tmpl[] = "/tmp/gannet_conf_XXXXXX";
    int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    close(fd);
    std::ofstream(tmpl) << content;
    files_.push_back(tmpl);
    return tmpl;
  }
  void TearDown() override {
    for (auto& f : files_) std::remove(f.c_str());
  }
  std::optional<ConfigError> Load(const std::string& content) {
    path_ = Temp(content);
    ConfigLoader loader(table_);
    return loader.LoadFile(path_, cfg_);
  }
  ConfigTable table_;
  Config cfg_;
  std::string path_;
  std::vector<std::string> files_;
};

TEST_F(ConfigFileTest, AppliesValuesCommentsBlankLinesAndLaterWins) {
  auto err = Load(
      "# comment\n\n   \nport 7000\r\nmaxmemory 2mb\n  # indented comment\n"
      "port 7001\nBIND 10.0.0.1 -::1\nrequirepass \"secret pass\"\nsave 100 1\n"
      "save 200 2\nloglevel warning\n");
  ASSERT_FALSE(err) << err->Format();
  EXPECT_EQ(cfg_.port, 7001);
  EXPECT_EQ(cfg_.maxmemory, 2 * 1024 * 1024);
  EXPECT_EQ(cfg_.bind, (std::vector<std::string>{"10.0.0.1", "-::1"}));
  EXPECT_EQ(cfg_.requirepass, "secret pass");
  // Several save lines add up, as in redis.conf.
  EXPECT_EQ(cfg_.save, (std::vector<std::pair<int64_t, int64_t>>{{100, 1}, {200, 2}}));
  EXPECT_EQ(cfg_.loglevel, LogLevel::kWarning);
}

TEST_F(ConfigFileTest, SaveEmptyDisables) {
  ASSERT_FALSE(Load("save 100 1\nsave \"\"\n"));
  EXPECT_TRUE(cfg_.save.empty());
}

TEST_F(ConfigFileTest, UnknownDirectiveNamesFileAndLine) {
  auto err = Load("port 7000\nfoo bar\n");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->file, path_);
  EXPECT_EQ(err->line, 2);
  EXPECT_EQ(err->text, "foo bar");
  EXPECT_EQ(err->problem, "Bad directive or wrong number of arguments");
  std::string msg = err->Format();
  EXPECT_NE(msg.find("*** FATAL CONFIG FILE ERROR"), std::string::npos);
  EXPECT_NE(msg.find("'" + path_ + "', at line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find(">>> 'foo bar'"), std::string::npos);
}

TEST_F(ConfigFileTest, EveryErrorForm) {
  struct Case {
    const char* text;
    int line;
    const char* problem;
  };
  const Case cases[] = {
      {"port abc", 1, "argument couldn't be parsed into an integer"},
      {"\nmaxmemory 10xb", 2, "argument must be a memory value"},
      {"bind \"127.0.0.1", 1, "Unbalanced quotes in configuration line"},
      {"appendonly maybe", 1, "argument must be 'yes' or 'no'"},
      {"port 70000", 1, "argument must be between 0 and 65535 inclusive"},
      {"port", 1, "Bad directive or wrong number of arguments"},
      {"port 1 2", 1, "Bad directive or wrong number of arguments"},
      {"loglevel loud", 1,
       "argument(s) must be one of the following: debug, verbose, notice, warning"},
      {"save 100", 1, "Invalid save parameters"},
      {"include", 1, "Bad directive or wrong number of arguments"},
      {"client-output-buffer-limit normal 1 2", 1,
       "Wrong number of arguments in buffer limit configuration."},
  };
  for (const auto& c : cases) {
    cfg_ = Config{};
    auto err = Load(c.text);
    ASSERT_TRUE(err) << c.text;
    EXPECT_EQ(err->line, c.line) << c.text;
    EXPECT_EQ(err->problem, c.problem) << c.text;
  }
}

TEST_F(ConfigFileTest, MissingFile) {
  ConfigLoader loader(table_);
  auto err = loader.LoadFile("/nonexistent/gannet.conf", cfg_);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->line, 0);
  EXPECT_NE(err->problem.find("can't open config file '/nonexistent/gannet.conf'"),
            std::string::npos);
}

TEST_F(ConfigFileTest, IncludeAppliesInPlaceAndErrorsNameTheIncludedFile) {
  std::string inc = Temp("maxmemory 3mb\nport 7100\n");
  ASSERT_FALSE(Load("port 7000\ninclude " + inc + "\ntimeout 5\n"));
  EXPECT_EQ(cfg_.port, 7100);
  EXPECT_EQ(cfg_.maxmemory, 3 * 1024 * 1024);
  EXPECT_EQ(cfg_.timeout, 5);

  std::string bad = Temp("timeout 1\nnope\n");
  auto err = Load("port 7000\ninclude " + bad + "\n");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->file, bad);
  EXPECT_EQ(err->line, 2);

  auto missing = Load("include /nonexistent/x.conf\n");
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->problem.find("can't open config file"), std::string::npos);
}

TEST_F(ConfigFileTest, IncludeLoopStops) {
  path_ = Temp("");
  std::ofstream(path_) << "include " << path_ << "\n";
  ConfigLoader loader(table_);
  auto err = loader.LoadFile(path_, cfg_);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->problem, "too many nested include files");
}

TEST_F(ConfigFileTest, CommandLineDirectivesAfterFile) {
  ASSERT_FALSE(Load("port 7000\nmaxmemory 1mb\n"));
  ConfigLoader loader(table_);
  ASSERT_FALSE(loader.LoadArgs(
      {"--port", "7002", "--save", "", "--bind", "127.0.0.1", "::1", "--requirepass", "a b"},
      cfg_));
  EXPECT_EQ(cfg_.port, 7002);
  EXPECT_EQ(cfg_.maxmemory, 1024 * 1024);
  EXPECT_TRUE(cfg_.save.empty());
  EXPECT_EQ(cfg_.bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(cfg_.requirepass, "a b");
}

TEST_F(ConfigFileTest, MultiArgumentDirectiveGivenAsOneArgumentIsSplit) {
  // redis-server --bind "127.0.0.1 -::1" --save "900 1 300 10" (one argv each).
  ConfigLoader loader(table_);
  ASSERT_FALSE(loader.LoadArgs({"--bind", "127.0.0.1 -::1", "--save", "900 1 300 10"}, cfg_));
  EXPECT_EQ(cfg_.bind, (std::vector<std::string>{"127.0.0.1", "-::1"}));
  EXPECT_EQ(cfg_.save, (std::vector<std::pair<int64_t, int64_t>>{{900, 1}, {300, 10}}));
}

TEST_F(ConfigFileTest, CommandLineSaveWithoutValueDisablesSnapshots) {
  ConfigLoader loader(table_);
  cfg_.save = {{1, 1}};
  ASSERT_FALSE(loader.LoadArgs({"--save", "--port", "7003"}, cfg_));
  EXPECT_TRUE(cfg_.save.empty());
  EXPECT_EQ(cfg_.port, 7003);
  cfg_.save = {{1, 1}};
  ConfigLoader l2(table_);
  ASSERT_FALSE(l2.LoadArgs({"--save"}, cfg_));
  EXPECT_TRUE(cfg_.save.empty());
}

TEST_F(ConfigFileTest, CommandLineErrors) {
  ConfigLoader loader(table_);
  auto err = loader.LoadArgs({"--port", "0", "--foo", "1"}, cfg_);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->file, "");
  EXPECT_EQ(err->line, 2);
  EXPECT_EQ(err->text, "foo 1");
  EXPECT_NE(err->Format().find("command line"), std::string::npos);
  Config c2;
  ConfigLoader l2(table_);
  EXPECT_TRUE(l2.LoadArgs({"7000"}, c2));
  ConfigLoader l3(table_);
  auto e3 = l3.LoadArgs({"--maxmemory", "lots"}, c2);
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->problem, "argument must be a memory value");
}

TEST_F(ConfigFileTest, HostileInputNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) % 256);
  auto err = Load(junk);
  EXPECT_TRUE(err);  // some error, no crash
  EXPECT_TRUE(Load(std::string(100000, '"')));
  EXPECT_TRUE(Load("port " + std::string(100, '9')));
}

TEST(ShippedConfig, LoadsToTheDefaultsAndListsEveryDirective) {
  ConfigTable table;
  ConfigLoader loader(table);
  Config cfg;
  auto err = loader.LoadFile(GANNET_CONF_PATH, cfg);
  ASSERT_FALSE(err) << err->Format();
  Config defaults;
  std::ifstream in(GANNET_CONF_PATH);
  std::set<std::string> present;
  std::string line;
  while (std::getline(in, line)) {
    auto args = SplitConfigArgs(line);
    if (args && !args->empty() && !line.starts_with("#")) present.insert((*args)[0]);
  }
  for (const auto& d : table.directives()) {
    EXPECT_TRUE(present.count(std::string(d.name))) << d.name << " missing from gannet.conf";
    if (d.name == "dir") continue;  // "./" there, "." in Config: both the start directory
    EXPECT_EQ(table.FormatValue(d, cfg), table.FormatValue(d, defaults)) << d.name;
  }
}

}  // namespace
}  // namespace gannet
