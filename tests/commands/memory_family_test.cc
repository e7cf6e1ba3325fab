// The maxmemory gate and the MEMORY command, in process. A fake meter makes used memory
// a fixed cost per key so the gate's decisions do not depend on the allocator.
#include <gtest/gtest.h>

#include "command_test_base.h"
#include "gannet/engine/eviction.h"
#include "testing/resp_matchers.h"

namespace gannet {
namespace {

constexpr size_t kPerKey = 1000;
constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";

class KeyCountMeter final : public MemoryMeter {
 public:
  explicit KeyCountMeter(Keyspace* ks) : ks_(ks) {}
  size_t Used() override { return ks_->TotalKeys() * kPerKey; }

 private:
  Keyspace* ks_;
};

class MemoryFamilyTest : public CommandTest {
 protected:
  MemoryFamilyTest() { keyspace_.evictor().set_meter(std::make_unique<KeyCountMeter>(&keyspace_)); }
  void Limit(size_t keys, const std::string& policy) {
    server_.config_.maxmemory = static_cast<int64_t>(keys * kPerKey);
    server_.config_.maxmemory_policy = policy;
    keyspace_.ApplyMemorySettings(MemorySettingsFromConfig(server_.config_));
  }
};

TEST_F(MemoryFamilyTest, NoEvictionRefusesDenyOomCommandsOnly) {
  for (int i = 0; i < 5; ++i) EXPECT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
  Limit(3, "noeviction");
  EXPECT_THAT(Run({"SET", "new", "v"}), ErrorIs(std::string(kOom)));
  EXPECT_THAT(Run({"SET", "k1", "overwrite"}), ErrorIs(std::string(kOom)));
  EXPECT_THAT(Run({"INCR", "n"}), ErrorIs(std::string(kOom)));
  EXPECT_THAT(Run({"SADD", "s", "a"}), ErrorIs(std::string(kOom)));
  // Reads, deletes and other non-denyoom commands go through.
  EXPECT_THAT(Run({"GET", "k1"}), BulkIs("v"));
  EXPECT_THAT(Run({"EXPIRE", "k2", "100"}), IntIs(1));
  EXPECT_THAT(Run({"DEL", "k1", "k2"}), IntIs(2));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(3));
  // Now at the limit, not over: writes work again.
  EXPECT_THAT(Run({"SET", "new", "v"}), IsOk());
  EXPECT_EQ(keyspace_.stats().evicted_keys, 0u);
}

TEST_F(MemoryFamilyTest, LruPolicyEvictsBeforeEachCommand) {
  Limit(3, "allkeys-lru");
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
    AdvanceTime(1000);
  }
  // The gate runs before each command: at most limit + one write's worth.
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(3));
  EXPECT_EQ(keyspace_.stats().evicted_keys, 7u);
  // The most recent keys are the ones kept.
  EXPECT_THAT(Run({"EXISTS", "k9", "k8", "k7"}), IntIs(3));
}

TEST_F(MemoryFamilyTest, VolatileWithNothingToEvictGivesOom) {
  for (int i = 0; i < 4; ++i) EXPECT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
  Limit(2, "volatile-lru");
  EXPECT_THAT(Run({"SET", "x", "v"}), ErrorIs(std::string(kOom)));
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(4));
}

TEST_F(MemoryFamilyTest, OomInsideMultiRefusesEvenReads) {
  for (int i = 0; i < 4; ++i) EXPECT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
  Limit(2, "noeviction");
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"GET", "k1"}), ErrorIs(std::string(kOom)));
  EXPECT_THAT(Run({"DISCARD"}), IsOk());
}

TEST_F(MemoryFamilyTest, ExecWithAQueuedDenyOomCommandAbortsWhenOverTheLimit) {
  for (int i = 0; i < 4; ++i) EXPECT_THAT(Run({"SET", "k" + std::to_string(i), "v"}), IsOk());
  // Queued while under the limit; memory goes over before EXEC.
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "k9", "v"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"GET", "k1"}), SimpleIs("QUEUED"));
  Limit(2, "noeviction");
  EXPECT_THAT(Run({"EXEC"}),
              ErrorIs("EXECABORT Transaction discarded because of: " + std::string(kOom)));
  // The transaction is gone.
  EXPECT_THAT(Run({"EXEC"}), ErrorIs("ERR EXEC without MULTI"));
  EXPECT_THAT(Run({"GET", "k9"}), IsNil());
  // Reads only: EXEC runs even over the limit.
  Limit(100, "noeviction");
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"GET", "k1"}), SimpleIs("QUEUED"));
  Limit(2, "noeviction");
  RespValue r = Run({"EXEC"});
  ASSERT_EQ(r.type, RespType::kArray);
  ASSERT_EQ(r.elems.size(), 1u);
  EXPECT_EQ(r.elems[0].str, "v");
}

TEST_F(MemoryFamilyTest, MemoryUsageSamplesAListsNodes) {
  server_.config_.list_max_listpack_size = 4;  // 4 entries per node: many nodes
  for (int i = 0; i < 100; ++i) {
    // Element sizes grow along the list: the first nodes are the smallest.
    ASSERT_EQ(Run({"RPUSH", "l", std::string(static_cast<size_t>(10 + i * 10), 'y')}).type,
              RespType::kInteger);
  }
  const int64_t all = Run({"MEMORY", "USAGE", "l", "SAMPLES", "0"}).integer;
  const int64_t five = Run({"MEMORY", "USAGE", "l"}).integer;
  const int64_t one = Run({"MEMORY", "USAGE", "l", "SAMPLES", "1"}).integer;
  EXPECT_THAT(Run({"MEMORY", "USAGE", "l", "SAMPLES", "5"}), IntIs(five));
  // Extrapolated from the first (small) nodes: well under the whole; more samples, closer.
  EXPECT_GT(all, 50 * 1000);
  EXPECT_LT(one, five);
  EXPECT_LT(five, all / 3);
  EXPECT_THAT(Run({"MEMORY", "USAGE", "l", "SAMPLES", "1000"}), IntIs(all));
}

TEST_F(MemoryFamilyTest, MemoryUsageSamplesAStreamsNodes) {
  server_.config_.stream_node_max_entries = 10;  // 10 entries per node: 20 nodes
  server_.config_.stream_node_max_bytes = 0;
  for (int i = 0; i < 200; ++i) {
    // Entries grow along the stream: the first nodes are the smallest.
    ASSERT_EQ(Run({"XADD", "s", "*", "f", std::string(static_cast<size_t>(10 + i * 5), 'y')}).type,
              RespType::kBulk);
  }
  const int64_t all = Run({"MEMORY", "USAGE", "s", "SAMPLES", "0"}).integer;
  const int64_t five = Run({"MEMORY", "USAGE", "s"}).integer;
  const int64_t one = Run({"MEMORY", "USAGE", "s", "SAMPLES", "1"}).integer;
  EXPECT_THAT(Run({"MEMORY", "USAGE", "s", "SAMPLES", "5"}), IntIs(five));
  // The first nodes' average stands for all but the last: an underestimate here, closer
  // with more samples, exact once every node is sampled.
  EXPECT_GT(all, 200 * 500);
  EXPECT_LT(one, five);
  EXPECT_LT(five, all);
  EXPECT_LT(Run({"MEMORY", "USAGE", "s", "SAMPLES", "19"}).integer, all);
  EXPECT_THAT(Run({"MEMORY", "USAGE", "s", "SAMPLES", "20"}), IntIs(all));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "s", "SAMPLES", "1000"}), IntIs(all));
  // A consumer group counts whole whatever the sample size.
  ASSERT_EQ(Run({"XGROUP", "CREATE", "s", "g", "0"}).type, RespType::kSimple);
  EXPECT_GT(Run({"MEMORY", "USAGE", "s", "SAMPLES", "1"}).integer, one);
}

TEST_F(MemoryFamilyTest, MemoryUsage) {
  EXPECT_THAT(Run({"SET", "k", std::string(200, 'x')}), IsOk());
  RespValue r = Run({"MEMORY", "USAGE", "k"});
  ASSERT_EQ(r.type, RespType::kInteger);
  EXPECT_GT(r.integer, 200);
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES", "0"}), IntIs(r.integer));
  // As Redis: a negative sample count is a syntax error, checked before the lookup.
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES", "-5"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "nokey", "SAMPLES", "-1"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES", "5", "SAMPLES", "0"}), IntIs(r.integer));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "nokey"}), IsNil());
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"MEMORY", "USAGE", "k", "SAMPLES", "1", "x"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"MEMORY", "USAGE"}),
              ErrorIs("ERR wrong number of arguments for 'memory|usage' command"));
  // A key with a TTL costs its index node too.
  EXPECT_THAT(Run({"EXPIRE", "k", "100"}), IntIs(1));
  RespValue r2 = Run({"MEMORY", "USAGE", "k"});
  EXPECT_GT(r2.integer, r.integer);
}

TEST_F(MemoryFamilyTest, MemoryStatsDoctorPurgeHelp) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  RespValue stats = RunResp3({"MEMORY", "STATS"});
  ASSERT_EQ(stats.type, RespType::kMap);
  std::vector<std::string> names;
  for (size_t i = 0; i < stats.elems.size(); i += 2) names.push_back(stats.elems[i].str);
  for (const char* want :
       {"peak.allocated", "total.allocated", "startup.allocated", "overhead.total", "keys.count",
        "dataset.bytes", "db.0", "fragmentation.bytes"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
  for (size_t i = 0; i < stats.elems.size(); i += 2) {
    if (stats.elems[i].str == "keys.count") {
      EXPECT_THAT(stats.elems[i + 1], IntIs(1));
    }
    if (stats.elems[i].str == "db.0") {
      EXPECT_EQ(stats.elems[i + 1].type, RespType::kMap);
    }
  }
  RespValue doctor = Run({"MEMORY", "DOCTOR"});
  EXPECT_EQ(doctor.type, RespType::kBulk);
  EXPECT_THAT(Run({"MEMORY", "PURGE"}), IsOk());
  EXPECT_EQ(Run({"MEMORY", "MALLOC-STATS"}).type, RespType::kBulk);
  RespValue help = Run({"MEMORY", "HELP"});
  ASSERT_EQ(help.type, RespType::kArray);
  EXPECT_EQ(help.elems[0].str, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  EXPECT_THAT(Run({"MEMORY", "NOPE"}), ErrorIs("ERR unknown subcommand 'NOPE'. Try MEMORY HELP."));
  EXPECT_THAT(Run({"MEMORY", "STATS", "x"}),
              ErrorIs("ERR wrong number of arguments for 'memory|stats' command"));
}

TEST_F(MemoryFamilyTest, UnlinkAndFlushAsyncGoThroughLazyFree) {
  std::vector<std::string> sadd = {"SADD", "big"};
  for (int i = 0; i < 1000; ++i) sadd.push_back("member-" + std::to_string(i));
  EXPECT_THAT(Run(sadd), IntIs(1000));
  sadd[1] = "big2";
  EXPECT_THAT(Run(sadd), IntIs(1000));
  EXPECT_THAT(Run({"UNLINK", "big", "nokey"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "big"}), IntIs(0));
  EXPECT_THAT(Run({"FLUSHALL", "ASYNC"}), IsOk());
  EXPECT_THAT(Run({"DBSIZE"}), IntIs(0));
  keyspace_.lazyfree().Drain();
  EXPECT_EQ(keyspace_.lazyfree().pending(), 0u);
  EXPECT_EQ(keyspace_.lazyfree().freed_objects(), 2u);  // the set, then the database
  EXPECT_THAT(Run({"FLUSHDB", "ASYNC"}), IsOk());
  EXPECT_THAT(Run({"FLUSHALL", "LAZY"}), ErrorIs("ERR syntax error"));
}

TEST_F(MemoryFamilyTest, ObjectFreqCountsUnderLfu) {
  server_.config_.maxmemory_policy = "allkeys-lfu";
  server_.config_.lfu_log_factor = 0;
  keyspace_.ApplyMemorySettings(MemorySettingsFromConfig(server_.config_));
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "FREQ", "k"}), IntIs(5));
  for (int i = 0; i < 4; ++i) Run({"GET", "k"});
  EXPECT_THAT(Run({"OBJECT", "FREQ", "k"}), IntIs(9));
  AdvanceTime(3 * 60 * 1000);  // three lfu-decay-time periods
  EXPECT_THAT(Run({"OBJECT", "FREQ", "k"}), IntIs(6));
}

}  // namespace
}  // namespace gannet
