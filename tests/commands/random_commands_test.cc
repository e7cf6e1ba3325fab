// Hostile input in bulk: every command in the table is run many times with random
// arguments drawn from a pool of edge cases (extreme integers, bad floats, option names in
// the wrong places, CR/LF, long strings). Each run must produce exactly one well-formed
// reply and must not crash (this suite also runs under ASan/UBSan). Seeded, so failures
// reproduce.
#include <random>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

class RandomCommandsTest : public CommandTest {
 protected:
  void MakeList(std::string_view key) { Run({"RPUSH", key, "a", "b", "c"}); }
};

const std::vector<std::string>& Pool() {
  static const std::vector<std::string> pool = {
      "k", "k", "k2", "l", "n", "f", "nokey", "", "0", "1", "-1", "2", "10", "100", "3.5",
      "-0", "+1", "01", " 1", "1e3", "0x10", "nan", "inf", "-inf",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808",
      "18446744073709551615", "18446744073709551616", "2147483648", "-2147483649",
      "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "GET", "KEEPTTL", "PERSIST", "IDX",
      "LEN", "MINMATCHLEN", "WITHMATCHLEN", "COUNT", "MATCH", "TYPE", "DB", "REPLACE",
      "FILTERBY", "PATTERN", "ACLCAT", "MODULE", "string", "*", "?", "[", "\\", "a*a*a*b",
      "a\r\nb", "\r\n", std::string(1000, 'x'), std::string("\0\x01\xff", 3),
      "ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP", "INFO", "DOCS", "GETKEYS", "LIST",
      "get", "set", "mset", "object", "command"};
  return pool;
}

TEST_F(RandomCommandsTest, EveryCommandSurvivesRandomArguments) {
  server_.config_.proto_max_bulk_len = 1024 * 1024;  // bounds SETRANGE/APPEND growth
  std::vector<std::string> names;
  for (const CommandSpec& c : table_.commands()) {
    // Commands that end the process or the test's client are left to their own tests.
    if (c.name == "shutdown") continue;
    // (P|S)(UN)SUBSCRIBE reply once per channel and leave the client in subscribed mode;
    // pubsub_family_test.cc runs them with random arguments.
    if (c.name.ends_with("subscribe")) continue;
    // MONITOR turns the client into a monitor: a second MONITOR gets no reply and other
    // commands a different error; introspection_family_test covers it.
    if (c.name == "monitor") continue;
    names.emplace_back(c.name);
  }
  std::mt19937_64 rng(20261122);
  const std::vector<std::string>& pool = Pool();
  size_t runs = 0;
  for (int round = 0; round < 300; ++round) {
    if (round % 25 == 0) {
      Run({"FLUSHALL"});
      MakeList("l");
      Run({"SET", "k", "v"});
      Run({"SET", "n", "5"});
      Run({"SET", "f", "1.5"});
    }
    for (const std::string& name : names) {
      const CommandSpec* spec = table_.Find(name);
      std::vector<std::string> args = {name};
      if (spec->is_container() && rng() % 8 != 0) {
        const CommandSpec& sub = spec->subcommands[rng() % spec->subcommands.size()];
        args.emplace_back(sub.name.substr(sub.name.find('|') + 1));
      }
      const size_t extra = rng() % 7;
      for (size_t i = 0; i < extra; ++i) args.push_back(pool[rng() % pool.size()]);
      SCOPED_TRACE(::testing::PrintToString(args));
      Run(args);  // fails the test unless exactly one well-formed reply comes back
      ++runs;
      client_.db_ = 0;
      client_.resp_ = (rng() % 4 == 0) ? RespVersion::kResp3 : RespVersion::kResp2;
      client_.authenticated_ = true;
    }
  }
  EXPECT_GT(runs, 1000u);
}

}  // namespace
}  // namespace gannet
