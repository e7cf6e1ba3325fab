// SLOWLOG, LATENCY, MONITOR, errorstats and latency histograms, CLIENT PAUSE/NO-TOUCH/
// NO-EVICT state, in-process (src/commands/introspection*.cc). Expected values were taken
// from redis-server 7.0.15.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "command_test_base.h"
#include "gannet/commands/introspection.h"
#include "gannet/engine/eviction.h"

namespace gannet {
namespace {

using ::testing::HasSubstr;

class IntrospectionTest : public CommandTest {
 protected:
  Introspection& intro() { return dispatcher_.introspection(); }

  // Runs AfterCommand for `args` as if the command had taken duration_us.
  void After(std::vector<std::string_view> args, int64_t duration_us) {
    const CommandSpec* spec = table_.Find(args[0]);
    ASSERT_NE(spec, nullptr);
    std::string out;
    ReplyBuilder rb(&out);
    CommandContext ctx{keyspace_, rb, client_, server_, NowMs(), spec, &table_};
    ctx.dispatcher = &dispatcher_;
    ctx.args = CmdArgs(args.data(), args.size());
    intro().AfterCommand(*spec, ctx, duration_us);
  }

  // Everything pushed to c so far, split into lines (CRLF removed).
  static std::vector<std::string> Lines(FakeClient& c) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < c.push_out_.size()) {
      size_t end = c.push_out_.find("\r\n", pos);
      if (end == std::string::npos) break;
      out.push_back(c.push_out_.substr(pos, end - pos));
      pos = end + 2;
    }
    c.push_out_.clear();
    return out;
  }
};

// ---- latency histogram arithmetic (HdrHistogram's layout, as Redis reports it) ----

TEST(LatencyHistogramTest, PercentilesMatchRedis) {
  auto* h = static_cast<LatencyHistogram*>(std::calloc(1, sizeof(LatencyHistogram)));
  ASSERT_NE(h, nullptr);
  h->Record(7000);  // one SET of 7 us: redis prints p0=6.976 and p50=7.007
  EXPECT_EQ(h->ValueAtPercentile(0), 6976);
  EXPECT_EQ(h->ValueAtPercentile(50), 7007);
  EXPECT_EQ(h->ValueAtPercentile(100), 7007);
  h->Record(0);                  // clamped to 1 ns
  h->Record(5'000'000'000'000);  // clamped to 1 s
  EXPECT_EQ(h->total, 3u);
  EXPECT_EQ(h->ValueAtPercentile(0), 1);
  EXPECT_EQ(h->ValueAtPercentile(99.9), h->ValueAtPercentile(100));
  EXPECT_GE(h->ValueAtPercentile(100), 1'000'000'000);
  std::free(h);
}

TEST(LatencyHistogramTest, CumulativeDistributionUsesRedisKeys) {
  auto* h = static_cast<LatencyHistogram*>(std::calloc(1, sizeof(LatencyHistogram)));
  ASSERT_NE(h, nullptr);
  // Redis: 16 us and 61 us samples give {16: 1, 66: 2}; 3 us twice and 14 us give
  // {4: 2, 16: 3}.
  h->Record(16'000);
  h->Record(61'000);
  EXPECT_THAT(h->CumulativeDistribution(),
              ::testing::ElementsAre(std::pair<int64_t, uint64_t>{16, 1},
                                     std::pair<int64_t, uint64_t>{66, 2}));
  std::memset(static_cast<void*>(h), 0, sizeof(*h));
  h->Record(3000);
  h->Record(3000);
  h->Record(14'000);
  EXPECT_THAT(h->CumulativeDistribution(),
              ::testing::ElementsAre(std::pair<int64_t, uint64_t>{4, 2},
                                     std::pair<int64_t, uint64_t>{16, 3}));
  std::memset(static_cast<void*>(h), 0, sizeof(*h));
  EXPECT_TRUE(h->CumulativeDistribution().empty());
  std::free(h);
}

TEST_F(IntrospectionTest, EveryCommandFeedsItsHistogram) {
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Run({"GET", "k"}), BulkIs("v"));
  const CommandSpec* get = table_.Find("get");
  ASSERT_NE(get->stats.latency, nullptr);
  EXPECT_EQ(get->stats.latency->total, 3u);
  // Refused commands are not timed.
  EXPECT_THAT(Run({"GET"}), IsError());
  EXPECT_EQ(get->stats.latency->total, 3u);
  server_.config_.latency_tracking = false;
  ASSERT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_EQ(get->stats.latency->total, 3u);
  // RESETSTAT forgets the histograms.
  intro().ResetStats();
  EXPECT_EQ(get->stats.latency, nullptr);
}

TEST_F(IntrospectionTest, LatencyStatsInfoLines) {
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  const std::string info = intro().LatencyStatsInfo(table_, {50, 99, 99.9});
  // The manual clock makes every command take 0 us: recorded as 1 ns.
  EXPECT_THAT(info, HasSubstr("latency_percentiles_usec_set:p50=0.001,p99=0.001,p99.9=0.001\r\n"));
  EXPECT_THAT(intro().LatencyStatsInfo(table_, {0, 50.5, 100}),
              HasSubstr("latency_percentiles_usec_set:p0=0.001,p50.5=0.001,p100=0.001\r\n"));
  ASSERT_THAT(Run({"CLIENT", "ID"}), IsInt());
  EXPECT_THAT(intro().LatencyStatsInfo(table_, {50}),
              HasSubstr("latency_percentiles_usec_client|id:p50=0.001\r\n"));
}

// ---- errorstats ----

TEST_F(IntrospectionTest, ErrorsAreCountedByCode) {
  ASSERT_THAT(Run({"SET", "s", "v"}), IsOk());
  EXPECT_THAT(Run({"LPUSH", "s", "x"}), ErrorStartsWith("WRONGTYPE"));
  EXPECT_THAT(Run({"NOSUCH"}), ErrorStartsWith("ERR unknown command"));
  EXPECT_THAT(Run({"GET"}), ErrorStartsWith("ERR wrong number"));
  EXPECT_THAT(Run({"INCR", "s"}), IsError());
  const auto& counts = intro().error_counts();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts.at("WRONGTYPE"), 1u);
  EXPECT_EQ(counts.at("ERR"), 3u);
  EXPECT_EQ(intro().ErrorStatsInfo(), "errorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=1\r\n");
  intro().ResetStats();
  EXPECT_EQ(intro().ErrorStatsInfo(), "");
}

TEST(ReplyBuilderErrorCode, FirstWordWithinThirtyOneBytes) {
  std::string out;
  ReplyBuilder rb(&out);
  rb.SendError("WRONGTYPE Operation against a key");
  EXPECT_EQ(rb.last_error_code(), "WRONGTYPE");
  rb.SendError("NOSPACEATALL");
  EXPECT_EQ(rb.last_error_code(), "ERR");
  rb.SendError(std::string(40, 'A') + " tail");  // no space in the first 31 bytes
  EXPECT_EQ(rb.last_error_code(), "ERR");
  rb.SendError(std::string(30, 'B') + " tail");
  EXPECT_EQ(rb.last_error_code(), std::string(30, 'B'));
}

// ---- SLOWLOG ----

TEST_F(IntrospectionTest, SlowlogLogsWhatCrossesTheThreshold) {
  // Default threshold 10 ms; the manual clock makes commands take 0 us.
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(0));
  server_.config_.slowlog_log_slower_than = 0;
  client_.name_ = "app";
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  // The reply is built before the command itself is logged.
  RespValue log = Run({"SLOWLOG", "GET"});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_THAT(log.elems[0], ArrayOf(IntIs(0), IntIs(NowMs() / 1000), IntIs(0),
                                    BulkArray({"SET", "k", "v"}), BulkIs(""), BulkIs("app")));
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(2));
  RespValue newest = Run({"SLOWLOG", "GET", "1"});
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_THAT(newest.elems[0].elems[0], IntIs(2));
  EXPECT_THAT(newest.elems[0].elems[3], BulkArray({"SLOWLOG", "LEN"}));
  EXPECT_THAT(Run({"SLOWLOG", "GET", "0"}), EmptyArray());
  EXPECT_THAT(Run({"SLOWLOG", "GET", "-1"}), ArrayLen(5));
  const char kCount[] = "ERR count should be greater than or equal to -1";
  EXPECT_THAT(Run({"SLOWLOG", "GET", "-2"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"SLOWLOG", "GET", "abc"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"SLOWLOG", "GET", "99999999999999999999"}), ErrorIs(kCount));
  EXPECT_THAT(Run({"SLOWLOG", "get", "1", "2"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'get'. Try "
                      "SLOWLOG HELP."));
  EXPECT_THAT(Run({"SLOWLOG", "RESET", "x"}),
              ErrorIs("ERR wrong number of arguments for 'slowlog|reset' command"));
  EXPECT_THAT(Run({"SLOWLOG", "FOO"}), ErrorIs("ERR unknown subcommand 'FOO'. Try SLOWLOG HELP."));
  EXPECT_THAT(Run({"SLOWLOG", "RESET"}), IsOk());
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(1));  // the RESET itself
  server_.config_.slowlog_log_slower_than = -1;
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(2));  // RESET and LEN, nothing since
  RespValue help = Run({"SLOWLOG", "HELP"});
  ASSERT_GT(help.size(), 4u);
  EXPECT_THAT(help.elems[0].str, HasSubstr("SLOWLOG <subcommand>"));
}

TEST_F(IntrospectionTest, SlowlogTrimsArgumentsAndLength) {
  server_.config_.slowlog_log_slower_than = 0;
  std::vector<std::string> cmd = {"RPUSH", "list"};
  for (int i = 0; i < 38; ++i) cmd.push_back(std::to_string(i));  // 40 arguments
  ASSERT_THAT(Run(cmd), IntIs(38));
  const std::string big(200, 'x');
  ASSERT_THAT(Run({"SET", "k", big}), IsOk());
  RespValue log = Run({"SLOWLOG", "GET", "2"});
  ASSERT_EQ(log.size(), 2u);
  const RespValue& set_args = log.elems[0].elems[3];
  EXPECT_THAT(set_args, BulkArray({"SET", "k", std::string(128, 'x') + "... (72 more bytes)"}));
  const RespValue& push_args = log.elems[1].elems[3];
  ASSERT_EQ(push_args.size(), 32u);
  EXPECT_THAT(push_args.elems[30], BulkIs("28"));
  EXPECT_THAT(push_args.elems[31], BulkIs("... (9 more arguments)"));

  server_.config_.slowlog_max_len = 3;
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Run({"PING"}), SimpleIs("PONG"));
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(3));
  server_.config_.slowlog_max_len = 0;
  ASSERT_THAT(Run({"PING"}), SimpleIs("PONG"));
  EXPECT_THAT(Run({"SLOWLOG", "LEN"}), IntIs(0));
}

TEST_F(IntrospectionTest, SlowlogRedactsCredentials) {
  server_.config_.slowlog_log_slower_than = 0;
  EXPECT_THAT(Run({"AUTH", "secret"}), IsError());
  EXPECT_THAT(Run({"AUTH", "user", "secret"}), IsError());
  EXPECT_THAT(Run({"AUTH", "a", "b", "c"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"HELLO", "2", "SETNAME", "n", "AUTH", "default", "pw"}),
              IsType(RespType::kArray));
  EXPECT_THAT(Run({"HELLO", "2", "BOGUS", "AUTH", "default", "pw"}), IsError());
  RespValue log = Run({"SLOWLOG", "GET", "5"});
  ASSERT_EQ(log.size(), 5u);
  EXPECT_THAT(log.elems[4].elems[3], BulkArray({"AUTH", "(redacted)"}));
  EXPECT_THAT(log.elems[3].elems[3], BulkArray({"AUTH", "(redacted)", "(redacted)"}));
  EXPECT_THAT(log.elems[2].elems[3], BulkArray({"AUTH", "a", "b", "c"}));
  EXPECT_THAT(log.elems[1].elems[3],
              BulkArray({"HELLO", "2", "SETNAME", "n", "AUTH", "(redacted)", "(redacted)"}));
  // HELLO stops parsing at the bad option: nothing after it is redacted.
  EXPECT_THAT(log.elems[0].elems[3], BulkArray({"HELLO", "2", "BOGUS", "AUTH", "default", "pw"}));
  const CommandSpec* config = table_.Find("config");
  const CommandSpec* set = table_.FindSub(*config, "set");
  std::vector<std::string_view> args = {"CONFIG", "SET", "maxmemory", "1", "REQUIREPASS", "x"};
  EXPECT_THAT(
      RedactedArgs(*set, CmdArgs(args.data(), args.size())),
      ::testing::ElementsAre("CONFIG", "SET", "maxmemory", "1", "REQUIREPASS", "(redacted)"));
}

TEST_F(IntrospectionTest, SlowlogSkipsExecButLogsItsCommands) {
  server_.config_.slowlog_log_slower_than = 0;
  ASSERT_THAT(Run({"MULTI"}), IsOk());
  ASSERT_THAT(Run({"SET", "a", "1"}), SimpleIs("QUEUED"));
  ASSERT_THAT(Run({"EXEC"}), ArrayLen(1));
  RespValue log = Run({"SLOWLOG", "GET"});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_THAT(log.elems[0].elems[3], BulkArray({"SET", "a", "1"}));
  EXPECT_THAT(log.elems[1].elems[3], BulkArray({"MULTI"}));
}

// ---- LATENCY ----

TEST_F(IntrospectionTest, LatencyMonitorRecordsCommandEvents) {
  After({"GET", "k"}, 50'000);  // monitor off: nothing
  EXPECT_THAT(Run({"LATENCY", "LATEST"}), EmptyArray());
  server_.config_.latency_monitor_threshold = 10;
  After({"GET", "k"}, 9'999);  // under the threshold
  EXPECT_THAT(Run({"LATENCY", "LATEST"}), EmptyArray());
  After({"GET", "k"}, 12'000);   // fast command: "fast-command"
  After({"KEYS", "*"}, 30'000);  // "command"
  After({"KEYS", "*"}, 20'000);  // same second: the worst stays
  const int64_t now_s = NowMs() / 1000;
  EXPECT_THAT(Run({"LATENCY", "LATEST"}),
              ArrayOf(ArrayOf(BulkIs("command"), IntIs(now_s), IntIs(30), IntIs(30)),
                      ArrayOf(BulkIs("fast-command"), IntIs(now_s), IntIs(12), IntIs(12))));
  clock_.AdvanceMs(2000);
  After({"KEYS", "*"}, 15'000);
  EXPECT_THAT(Run({"LATENCY", "HISTORY", "command"}),
              ArrayOf(ArrayOf(IntIs(now_s), IntIs(30)), ArrayOf(IntIs(now_s + 2), IntIs(15))));
  EXPECT_THAT(Run({"LATENCY", "HISTORY", "COMMAND"}), EmptyArray());  // exact names
  EXPECT_THAT(Run({"LATENCY", "HISTORY", "nosuch"}), EmptyArray());
  EXPECT_THAT(Run({"LATENCY", "LATEST"}).elems[0],
              ArrayOf(BulkIs("command"), IntIs(now_s + 2), IntIs(15), IntIs(30)));

  RespValue graph = Run({"LATENCY", "GRAPH", "command"});
  ASSERT_EQ(graph.type, RespType::kBulk);
  EXPECT_THAT(graph.str, HasSubstr("command - high 30 ms, low 15 ms (all time high 30 ms)\n"));
  EXPECT_THAT(Run({"LATENCY", "GRAPH", "nosuch"}),
              ErrorIs("ERR No samples available for event 'nosuch'"));
  RespValue doctor = Run({"LATENCY", "DOCTOR"});
  EXPECT_THAT(doctor.str, HasSubstr("command: 2 spikes"));
  EXPECT_THAT(doctor.str, HasSubstr("fast-command: 1 spikes"));

  EXPECT_THAT(Run({"LATENCY", "RESET", "nosuch"}), IntIs(0));
  EXPECT_THAT(Run({"LATENCY", "RESET", "FAST-COMMAND"}), IntIs(1));  // any case here
  EXPECT_THAT(Run({"LATENCY", "RESET"}), IntIs(1));
  EXPECT_THAT(Run({"LATENCY", "LATEST"}), EmptyArray());
  EXPECT_THAT(Run({"LATENCY", "DOCTOR"}).str, HasSubstr("No latency spike"));
  server_.config_.latency_monitor_threshold = 0;
  EXPECT_THAT(Run({"LATENCY", "DOCTOR"}).str, HasSubstr("disabled"));
  EXPECT_THAT(Run({"LATENCY", "FOO"}), ErrorIs("ERR unknown subcommand 'FOO'. Try LATENCY HELP."));
  EXPECT_THAT(Run({"LATENCY", "HISTORY"}),
              ErrorIs("ERR wrong number of arguments for 'latency|history' command"));
}

TEST_F(IntrospectionTest, LatencyHistogramReply) {
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  ASSERT_THAT(Run({"CONFIG", "GET", "x"}), IsType(RespType::kArray));
  EXPECT_THAT(Run({"LATENCY", "HISTOGRAM", "set", "nosuch", "get"}),
              ArrayOf(BulkIs("set"), ArrayOf(BulkIs("calls"), IntIs(2), BulkIs("histogram_usec"),
                                             ArrayOf(IntIs(1), IntIs(2)))));
  // A container name lists its subcommands; "config|get" names one.
  RespValue cfg = Run({"LATENCY", "HISTOGRAM", "config"});
  ASSERT_EQ(cfg.size(), 2u);
  EXPECT_THAT(cfg.elems[0], BulkIs("config|get"));
  EXPECT_THAT(Run({"LATENCY", "HISTOGRAM", "CONFIG|GET"}).elems[0], BulkIs("config|get"));
  RespValue all = RunResp3({"LATENCY", "HISTOGRAM"});
  EXPECT_EQ(all.type, RespType::kMap);
  EXPECT_GE(all.size(), 3u);
}

// ---- MONITOR ----

TEST_F(IntrospectionTest, MonitorSeesCommandsAsRedisPrintsThem) {
  FakeClient& m = NewClient();
  EXPECT_THAT(*RunAs(m, {"MONITOR"}), IsOk());
  EXPECT_TRUE(m.session().monitor);
  EXPECT_EQ(intro().monitor_count(), 1u);
  EXPECT_TRUE(Lines(m).empty());  // MONITOR itself is not shown
  ASSERT_THAT(Run({"SET", "k", "a\"b\\c\x01\xff\n"}), IsOk());
  ASSERT_THAT(Run({"SELECT", "3"}), IsOk());
  ASSERT_THAT(Run({"AUTH", "x"}), IsError());
  ASSERT_THAT(Run({"CONFIG", "GET", "x"}), IsType(RespType::kArray));  // admin: hidden
  ASSERT_THAT(Run({"GET"}), IsError());                                // refused: hidden
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld.%06lld", static_cast<long long>(NowMs() / 1000),
                static_cast<long long>(NowMs() % 1000 * 1000));
  const std::string ts = buf;
  EXPECT_THAT(Lines(m),
              ::testing::ElementsAre("+" + ts + R"x( [0 ] "SET" "k" "a\"b\\c\x01\xff\n")x",
                                     "+" + ts + R"x( [3 ] "SELECT" "3")x",
                                     "+" + ts + R"x( [3 ] "AUTH" "(redacted)")x"));
  // A monitor may not touch keys, and a second MONITOR gets no reply at all.
  EXPECT_THAT(*RunAs(m, {"GET", "k"}), ErrorIs("ERR Replica can't interact with the keyspace"));
  EXPECT_THAT(*RunAs(m, {"PING"}), SimpleIs("PONG"));
  Lines(m);
  std::string out;
  ReplyBuilder rb(&out);
  std::vector<std::string_view> again = {"MONITOR"};
  dispatcher_.Execute(CmdArgs(again.data(), again.size()), m, rb);
  EXPECT_EQ(out, "");
  // RESET stops monitoring.
  EXPECT_THAT(*RunAs(m, {"RESET"}), SimpleIs("RESET"));
  EXPECT_FALSE(m.session().monitor);
  EXPECT_EQ(intro().monitor_count(), 0u);
}

TEST_F(IntrospectionTest, MonitorInsideTransactionAndDisconnect) {
  FakeClient& m = NewClient();
  ASSERT_THAT(*RunAs(m, {"MULTI"}), IsOk());
  ASSERT_THAT(*RunAs(m, {"MONITOR"}), SimpleIs("QUEUED"));
  EXPECT_THAT(*RunAs(m, {"EXEC"}),
              ArrayOf(ErrorIs("ERR MONITOR isn't allowed for DENY BLOCKING client")));
  EXPECT_FALSE(m.session().monitor);
  ASSERT_THAT(*RunAs(m, {"MONITOR"}), IsOk());
  ASSERT_THAT(Run({"MULTI"}), IsOk());
  ASSERT_THAT(Run({"INCR", "n"}), SimpleIs("QUEUED"));
  ASSERT_THAT(Run({"EXEC"}), ArrayLen(1));
  std::vector<std::string> lines = Lines(m);
  ASSERT_EQ(lines.size(), 3u);  // queued commands show when EXEC runs them, EXEC after
  EXPECT_THAT(lines[0], HasSubstr(R"("MULTI")"));
  EXPECT_THAT(lines[1], HasSubstr(R"("INCR" "n")"));
  EXPECT_THAT(lines[2], HasSubstr(R"("EXEC")"));
  Disconnect(m);
  EXPECT_EQ(intro().monitor_count(), 0u);
  ASSERT_THAT(Run({"PING"}), SimpleIs("PONG"));
}

TEST_F(IntrospectionTest, MonitorShowsABlockingCommandOnce) {
  FakeClient& m = NewClient();
  FakeClient& waiter = NewClient();
  ASSERT_THAT(*RunAs(m, {"MONITOR"}), IsOk());
  EXPECT_FALSE(RunAs(waiter, {"BLPOP", "list", "0"}).has_value());
  std::vector<std::string> lines = Lines(m);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("BLPOP" "list" "0")"));
  ASSERT_THAT(Run({"LPUSH", "list", "x"}), IntIs(1));
  EXPECT_THAT(*TakeReply(waiter), BulkArray({"list", "x"}));
  lines = Lines(m);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"("LPUSH" "list" "x")"));
}

// What a blocking command leaves in the statistics, as redis-server 7.0.15 (blocking.h):
// the call when it blocks, latencystats/SLOWLOG/failed_calls when served or unblocked by
// CLIENT UNBLOCK (an entry without arguments then), nothing more on a timeout.
TEST_F(IntrospectionTest, BlockedCommandStatsAsRedis) {
  server_.config_.slowlog_log_slower_than = 0;
  FakeClient& w = NewClient();
  w.name_ = "waiter";
  const std::string id = std::to_string(w.id_);
  const CommandStats& blpop = table_.Find("blpop")->stats;
  auto newest = [&]() {
    RespValue log = Run({"SLOWLOG", "GET", "1"});  // built before it logs itself
    return log.elems.empty() ? RespValue{} : log.elems[0];
  };
  auto total = [](const CommandStats& st) { return st.latency ? st.latency->total : 0; };

  // Times out: counted when it blocked, nothing when it timed out.
  const uint64_t commands = dispatcher_.stats().total_commands_processed;
  EXPECT_FALSE(RunAs(w, {"BLPOP", "k", "1"}).has_value());
  EXPECT_EQ(blpop.calls, 1u);
  AdvanceTime(1100);
  EXPECT_EQ(w.deferred_out_, "*-1\r\n");
  w.deferred_out_.clear();
  EXPECT_EQ(blpop.calls, 1u);
  EXPECT_EQ(blpop.failed_calls, 0u);
  EXPECT_EQ(total(blpop), 0u);
  EXPECT_THAT(Run({"SLOWLOG", "GET"}), ArrayLen(0));
  EXPECT_EQ(dispatcher_.stats().total_commands_processed, commands + 2);  // and SLOWLOG

  // Served: calls stays, the histogram and SLOWLOG get it (after the LPUSH that served it).
  EXPECT_FALSE(RunAs(w, {"BLPOP", "k", "0"}).has_value());
  EXPECT_EQ(blpop.calls, 2u);
  ASSERT_THAT(Run({"LPUSH", "k", "x"}), IntIs(1));
  EXPECT_THAT(*TakeReply(w), BulkArray({"k", "x"}));
  EXPECT_EQ(blpop.calls, 2u);
  EXPECT_EQ(total(blpop), 1u);
  EXPECT_THAT(newest(), ArrayOf(IntIs(2), IntIs(NowMs() / 1000), IntIs(0),
                                BulkArray({"BLPOP", "k", "0"}), BulkIs(""), BulkIs("waiter")));

  // XREAD's "$" is logged as sent, not as the id it was re-run with.
  ASSERT_THAT(Run({"XADD", "s", "1-1", "f", "v"}), BulkIs("1-1"));
  EXPECT_FALSE(RunAs(w, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}).has_value());
  ASSERT_THAT(Run({"XADD", "s", "2-1", "f", "v"}), BulkIs("2-1"));
  ASSERT_TRUE(TakeReply(w).has_value());
  EXPECT_THAT(newest().elems[3], BulkArray({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}));
  EXPECT_EQ(table_.Find("xread")->stats.calls, 1u);

  // CLIENT UNBLOCK TIMEOUT: a failed call, an entry without arguments.
  const CommandSpec* unblock = table_.FindSub(*table_.Find("client"), "unblock");
  ASSERT_NE(unblock, nullptr);
  const CommandStats& blmove = table_.Find("blmove")->stats;
  EXPECT_FALSE(RunAs(w, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}).has_value());
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id, "TIMEOUT"}), IntIs(1));
  EXPECT_EQ(w.deferred_out_, "*-1\r\n");
  w.deferred_out_.clear();
  EXPECT_EQ(blmove.calls, 1u);
  EXPECT_EQ(blmove.failed_calls, 1u);
  EXPECT_EQ(total(blmove), 1u);
  RespValue log = Run({"SLOWLOG", "GET", "2"});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_THAT(log.elems[0].elems[3], BulkArray({"CLIENT", "UNBLOCK", id, "TIMEOUT"}));
  EXPECT_THAT(log.elems[1].elems[3], ArrayLen(0));
  EXPECT_THAT(log.elems[1].elems[5], BulkIs("waiter"));
  EXPECT_EQ(unblock->stats.failed_calls, 0u);

  // CLIENT UNBLOCK ERROR: the error reply is counted, and CLIENT UNBLOCK failed too.
  const uint64_t errors = dispatcher_.stats().total_error_replies;
  EXPECT_FALSE(RunAs(w, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}).has_value());
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id, "ERROR"}), IntIs(1));
  EXPECT_THAT(*TakeReply(w), ErrorIs("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_EQ(blmove.calls, 2u);
  EXPECT_EQ(blmove.failed_calls, 2u);
  EXPECT_EQ(unblock->stats.calls, 2u);
  EXPECT_EQ(unblock->stats.failed_calls, 1u);
  EXPECT_EQ(dispatcher_.stats().total_error_replies, errors + 1);
  EXPECT_EQ(intro().error_counts().at("UNBLOCKED"), 1u);
  EXPECT_THAT(Run({"CLIENT", "UNBLOCK", id, "ERROR"}), IntIs(0));
  EXPECT_EQ(unblock->stats.failed_calls, 1u);
}

// ---- CLIENT PAUSE, NO-TOUCH, NO-EVICT ----

TEST_F(IntrospectionTest, ClientPauseState) {
  const CommandSpec* get = table_.Find("get");
  const CommandSpec* set = table_.Find("set");
  const CommandSpec* publish = table_.Find("publish");
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "1000", "WRITE"}), IsOk());
  EXPECT_FALSE(intro().MustWait(*get, client_, NowMs()));
  EXPECT_TRUE(intro().MustWait(*set, client_, NowMs()));
  EXPECT_TRUE(intro().MustWait(*publish, client_, NowMs()));  // may_replicate in Redis
  EXPECT_FALSE(intro().MustWait(*table_.Find("pfcount"), client_, NowMs()));
  EXPECT_FALSE(intro().MustWait(*set, client_, NowMs() + 1000));
  // A shorter pause does not shorten it; ALL widens it to every command.
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "10", "all"}), IsOk());
  EXPECT_EQ(intro().pause_end_ms(), NowMs() + 1000);
  EXPECT_TRUE(intro().MustWait(*get, client_, NowMs()));
  // Monitors are never paused.
  FakeClient& m = NewClient();
  m.session().monitor = true;
  EXPECT_FALSE(intro().MustWait(*get, m, NowMs()));
  EXPECT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());
  EXPECT_FALSE(intro().MustWait(*set, client_, NowMs()));
  EXPECT_EQ(intro().pause_end_ms(), 0);

  // EXEC waits under WRITE only when the transaction writes.
  const CommandSpec* exec = table_.Find("exec");
  ASSERT_THAT(Run({"MULTI"}), IsOk());
  ASSERT_THAT(Run({"GET", "k"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "1000", "WRITE"}), SimpleIs("QUEUED"));
  ASSERT_THAT(Run({"EXEC"}), ArrayLen(2));
  ASSERT_THAT(Run({"MULTI"}), IsOk());
  ASSERT_THAT(Run({"GET", "k"}), SimpleIs("QUEUED"));
  EXPECT_FALSE(intro().MustWait(*exec, client_, NowMs()));
  ASSERT_THAT(Run({"SET", "k", "v"}), SimpleIs("QUEUED"));
  EXPECT_TRUE(intro().MustWait(*exec, client_, NowMs()));
  ASSERT_THAT(Run({"DISCARD"}), IsOk());
  EXPECT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());

  EXPECT_THAT(Run({"CLIENT", "PAUSE", "abc"}),
              ErrorIs("ERR timeout is not an integer or out of range"));
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "-1"}), ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "10", "foo"}),
              ErrorIs("ERR CLIENT PAUSE mode must be WRITE or ALL"));
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "10", "write", "x"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try "
                      "CLIENT HELP."));
  EXPECT_THAT(Run({"CLIENT", "PAUSE"}),
              ErrorIs("ERR wrong number of arguments for 'client|pause' command"));
  EXPECT_THAT(Run({"CLIENT", "UNPAUSE", "x"}),
              ErrorIs("ERR wrong number of arguments for 'client|unpause' command"));
  EXPECT_THAT(Run({"CLIENT", "PAUSE", "9223372036854775807"}), IsOk());  // saturates
  EXPECT_EQ(intro().pause_end_ms(), INT64_MAX);
  EXPECT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());
}

// Redis 7.0 keeps the dataset static while clients are paused (WRITE or ALL): no active
// expiry, no eviction, and an expired key reads as missing without being deleted.
TEST_F(IntrospectionTest, ClientPauseFreezesExpiry) {
  ASSERT_THAT(Run({"SET", "k", "v", "PX", "100"}), IsOk());
  ASSERT_THAT(Run({"SET", "k2", "v", "PX", "100"}), IsOk());
  ASSERT_THAT(Run({"SET", "src", "s"}), IsOk());
  ASSERT_THAT(Run({"CLIENT", "PAUSE", "1000", "ALL"}), IsOk());
  AdvanceTime(200);
  keyspace_.set_now_ms(NowMs());
  EXPECT_TRUE(keyspace_.frozen());
  EXPECT_EQ(keyspace_.ActiveExpireCycle(1'000'000, 10), 0u);
  EXPECT_EQ(db().size(), 3u);
  // (The in-process client is not held back by the pause: it stands for a command that
  // slipped in, e.g. from EXEC.)
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_THAT(Run({"EXISTS", "k", "k2"}), IntIs(0));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(-2));
  EXPECT_THAT(Run({"RANDOMKEY"}), BulkIs("src"));  // expired ones are skipped, not deleted
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(3));
  EXPECT_EQ(keyspace_.stats().expired_keys, 0u);
  // A write that meets a kept expired key replaces it without tripping over it.
  EXPECT_THAT(Run({"SET", "k", "new"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("new"));
  EXPECT_THAT(Run({"RENAME", "src", "k2"}), IsOk());
  EXPECT_THAT(Run({"GET", "k2"}), BulkIs("s"));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(2));
  ASSERT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());
  EXPECT_FALSE(keyspace_.frozen());

  // The pause running out by itself unfreezes too.
  ASSERT_THAT(Run({"SET", "e", "v", "PX", "10"}), IsOk());
  ASSERT_THAT(Run({"CLIENT", "PAUSE", "500", "WRITE"}), IsOk());
  AdvanceTime(100);
  keyspace_.set_now_ms(NowMs());
  EXPECT_EQ(keyspace_.ActiveExpireCycle(1'000'000, 10), 0u);
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(3));
  AdvanceTime(500);
  keyspace_.set_now_ms(NowMs());
  EXPECT_FALSE(keyspace_.frozen());
  EXPECT_EQ(keyspace_.ActiveExpireCycle(1'000'000, 10), 1u);
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(2));
  // The two writes during the pause reclaimed the keys they replaced, the cycle one more.
  EXPECT_EQ(keyspace_.stats().expired_keys, 3u);
}

// An ALL pause that ran out (nobody looked since) does not make a new WRITE pause hold
// back reads.
TEST_F(IntrospectionTest, ExpiredAllPauseDoesNotWidenTheNextOne) {
  ASSERT_THAT(Run({"CLIENT", "PAUSE", "100", "ALL"}), IsOk());
  AdvanceTime(200);
  ASSERT_THAT(Run({"CLIENT", "PAUSE", "1000", "WRITE"}), IsOk());
  EXPECT_FALSE(intro().MustWait(*table_.Find("get"), client_, NowMs()));
  EXPECT_TRUE(intro().MustWait(*table_.Find("set"), client_, NowMs()));
  ASSERT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());
}

class KeyCountMeter final : public MemoryMeter {
 public:
  explicit KeyCountMeter(Keyspace* ks) : ks_(ks) {}
  size_t Used() override { return ks_->TotalKeys() * 1000; }

 private:
  Keyspace* ks_;
};

TEST_F(IntrospectionTest, ClientPauseStopsEviction) {
  keyspace_.evictor().set_meter(std::make_unique<KeyCountMeter>(&keyspace_));
  for (int i = 0; i < 6; ++i) ASSERT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
  // (Paused first: any command over the limit evicts before it runs, CLIENT PAUSE too.)
  ASSERT_THAT(Run({"CLIENT", "PAUSE", "1000", "WRITE"}), IsOk());
  server_.config_.maxmemory = 3 * 1000;
  server_.config_.maxmemory_policy = "allkeys-lru";
  keyspace_.ApplyMemorySettings(MemorySettingsFromConfig(server_.config_));
  // Over the limit, but nothing is evicted and nothing refused while paused.
  EXPECT_THAT(Run({"SET", "k6", "v"}), IsOk());
  EXPECT_EQ(keyspace_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(7));
  EXPECT_EQ(keyspace_.stats().evicted_keys, 0u);
  ASSERT_THAT(Run({"CLIENT", "UNPAUSE"}), IsOk());
  EXPECT_THAT(Run({"GET", "k0"}), testing::_);  // the gate runs: eviction resumes
  EXPECT_LE(keyspace_.TotalKeys(), 4u);
  EXPECT_GE(keyspace_.stats().evicted_keys, 3u);
}

// CLIENT NO-TOUCH (Redis 7.2's, kept because issue 6 asks for it): the client's reads
// leave the LRU clock of keys alone, except TOUCH.
TEST_F(IntrospectionTest, ClientNoTouchLeavesLruAlone) {
  ASSERT_THAT(Run({"SET", "k", "v"}), IsOk());
  AdvanceTime(20'000);
  ASSERT_THAT(Run({"CLIENT", "NO-TOUCH", "ON"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"EXEC"}), ArrayLen(1));
  RespValue idle = Run({"OBJECT", "IDLETIME", "k"});
  EXPECT_GE(idle.integer, 19);
  EXPECT_THAT(Run({"TOUCH", "k"}), IntIs(1));
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(0));
  AdvanceTime(20'000);
  ASSERT_THAT(Run({"CLIENT", "NO-TOUCH", "OFF"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "k"}), IntIs(0));
}

TEST_F(IntrospectionTest, ClientNoTouchAndNoEvictFlags) {
  EXPECT_THAT(Run({"CLIENT", "NO-TOUCH", "on"}), IsOk());
  EXPECT_TRUE(client_.session().no_touch);
  EXPECT_THAT(Run({"CLIENT", "NO-TOUCH", "OFF"}), IsOk());
  EXPECT_FALSE(client_.session().no_touch);
  EXPECT_THAT(Run({"CLIENT", "NO-TOUCH", "maybe"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"CLIENT", "NO-EVICT", "ON"}), IsOk());
  EXPECT_TRUE(client_.session().no_evict);
  EXPECT_THAT(Run({"CLIENT", "NO-EVICT", "off"}), IsOk());
  EXPECT_FALSE(client_.session().no_evict);
  EXPECT_THAT(Run({"CLIENT", "NO-EVICT", "x"}), ErrorIs("ERR syntax error"));
}

}  // namespace
}  // namespace gannet
