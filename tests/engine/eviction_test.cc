// Eviction: the LFU counter (logarithmic increment, decay), the LRU clock, sampling, and
// which keys each policy evicts. A fake meter makes "memory" a fixed cost per key, so
// maxmemory = N * cost keeps exactly N keys; a ManualClock drives LRU/LFU time.
#include "gannet/engine/eviction.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "gannet/common/clock.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/lazyfree.h"
#include "gannet/engine/set_object.h"

namespace gannet {
namespace {

constexpr size_t kPerKey = 100;

class KeyCountMeter final : public MemoryMeter {
 public:
  explicit KeyCountMeter(Keyspace* ks) : ks_(ks) {}
  size_t Used() override { return ks_->TotalKeys() * kPerKey; }

 private:
  Keyspace* ks_;
};

class CountingListener : public KeyspaceListener {
 public:
  void OnKeyModified(int, std::string_view key) override { modified.insert(std::string(key)); }
  void OnKeyEvent(NotifyClass cls, std::string_view event, int, std::string_view key) override {
    if (cls == kNotifyEvicted && event == "evicted") evicted.insert(std::string(key));
  }
  std::set<std::string> modified, evicted;
};

class EvictionTest : public ::testing::Test {
 protected:
  EvictionTest() : ks_(16, &clock_) {
    ks_.set_now_ms(clock_.NowMs());
    ks_.evictor().set_meter(std::make_unique<KeyCountMeter>(&ks_));
  }
  void Configure(EvictionPolicy p, size_t max_keys, int samples = 5) {
    MemorySettings s;
    s.maxmemory = static_cast<int64_t>(max_keys * kPerKey);
    s.policy = p;
    s.samples = samples;
    s.tenacity = 100;  // no time budget: results do not depend on machine speed
    ks_.ApplyMemorySettings(s);
  }
  void Advance(int64_t ms) {
    clock_.AdvanceMs(ms);
    ks_.set_now_ms(clock_.NowMs());
  }
  Entry* Add(const std::string& key, int db = 0) {
    return ks_.db(db).Insert(key, Value::String("v"));
  }
  bool Has(const std::string& key, int db = 0) { return ks_.db(db).Peek(key) != nullptr; }

  ManualClock clock_;
  Keyspace ks_;
};

// ---- the LFU counter ----

TEST(LfuCounterTest, FirstHitAlwaysCountsThenLogarithmic) {
  // From LFU_INIT_VAL the probability is 1; above it 1/((c-5)*factor+1).
  EXPECT_EQ(LfuLogIncr(kLfuInitVal, 10, 0.999), kLfuInitVal + 1);
  EXPECT_EQ(LfuLogIncr(0, 10, 0.999), 1);
  EXPECT_EQ(LfuLogIncr(6, 10, 0.5 / 11), 7);  // p = 1/11
  EXPECT_EQ(LfuLogIncr(6, 10, 1.5 / 11), 6);
  EXPECT_EQ(LfuLogIncr(255, 10, 0.0), 255);   // saturates
  EXPECT_EQ(LfuLogIncr(100, 0, 0.999), 101);  // factor 0: every hit counts
}

TEST(LfuCounterTest, HitsNeededGrowWithTheFactor) {
  // The expected number of hits to reach a counter grows about quadratically with it,
  // and faster with a larger log factor.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto hits_to_reach = [&](int factor, uint8_t target) {
    uint8_t c = kLfuInitVal;
    int hits = 0;
    while (c < target && hits < 10'000'000) {
      c = LfuLogIncr(c, factor, u(rng));
      ++hits;
    }
    return hits;
  };
  const int f1 = hits_to_reach(1, 30);
  const int f10 = hits_to_reach(10, 30);
  EXPECT_GT(f10, 5 * f1);
  // Sum of (c-5)*10+1 for c = 5..29 is 3025: the run should be in that neighbourhood.
  EXPECT_GT(f10, 1500);
  EXPECT_LT(f10, 6000);
}

TEST(LfuCounterTest, DecaysOnePerPeriodAndNeverBelowZero) {
  const int64_t t0 = 1'700'000'040'000;  // on a minute boundary
  const uint32_t lru = LfuPack(t0, 10);
  EXPECT_EQ(LfuDecayed(lru, t0, 1), 10);
  EXPECT_EQ(LfuDecayed(lru, t0 + 59'999, 1), 10);
  EXPECT_EQ(LfuDecayed(lru, t0 + 60'000 * 3, 1), 7);
  EXPECT_EQ(LfuDecayed(lru, t0 + 60'000 * 3, 2), 9);  // one per 2 minutes
  EXPECT_EQ(LfuDecayed(lru, t0 + 60'000 * 50, 1), 0);
  EXPECT_EQ(LfuDecayed(lru, t0 + 60'000 * 50, 0), 10);  // decay disabled
  // A touch decays first, then increments, and restamps the time.
  const uint32_t touched = LfuTouch(lru, t0 + 60'000 * 3, 10, 1, 0.0);
  EXPECT_EQ(touched & 0xff, 8);
  EXPECT_EQ(LfuDecayed(touched, t0 + 60'000 * 3, 1), 8);
}

TEST(LfuCounterTest, KeyspaceTouchUsesLfuWhenThePolicyIsLfu) {
  ManualClock clock;
  Keyspace ks(1, &clock);
  ks.set_now_ms(clock.NowMs());
  MemorySettings s;
  s.policy = EvictionPolicy::kAllKeysLfu;
  s.lfu_log_factor = 0;  // deterministic: every access counts
  ks.ApplyMemorySettings(s);
  Entry* e = ks.db(0).Insert("k", Value::String("v"));
  EXPECT_EQ(ks.LfuCounter(*e), kLfuInitVal);
  for (int i = 0; i < 10; ++i) ks.db(0).FindRead("k");
  EXPECT_EQ(ks.LfuCounter(*e), kLfuInitVal + 10);
  clock.AdvanceMs(60'000 * 4);
  ks.set_now_ms(clock.NowMs());
  EXPECT_EQ(ks.LfuCounter(*e), kLfuInitVal + 6);
}

// ---- the LRU clock ----

TEST(LruClockTest, IdleTimeInMillisecondTicksAndAcrossAWrap) {
  const int64_t t0 = 1'700'000'000'000;
  const uint32_t lru = LruClockAt(t0);
  EXPECT_EQ(LruIdleMs(lru, t0), 0u);
  EXPECT_EQ(LruIdleMs(lru, t0 + 250), 200u);  // 100 ms ticks
  EXPECT_EQ(LruIdleMs(lru, t0 + 3'600'000), 3'600'000u);
  // Just before the clock wraps, and after.
  const int64_t span = static_cast<int64_t>(kLruClockMax) * kLruResolutionMs;
  const int64_t near_wrap = (t0 / span + 1) * span - 1000;
  const uint32_t w = LruClockAt(near_wrap);
  EXPECT_EQ(LruIdleMs(w, near_wrap + 5000), 5000u);
  EXPECT_EQ(LruIdleMs(LruForIdle(t0, 42'000), t0), 42'000u);
}

TEST_F(EvictionTest, ObjectIdleTimeFollowsTheClockAndTouchResetsIt) {
  Entry* e = Add("k");
  Advance(12'345);
  EXPECT_EQ(ks_.IdleMs(*e) / 1000, 12u);
  ks_.db(0).FindRead("k");
  EXPECT_EQ(ks_.IdleMs(*e), 0u);
  ks_.SetIdleSeconds(e, 77);
  EXPECT_EQ(ks_.IdleMs(*e) / 1000, 77u);
}

// ---- sampling ----

TEST_F(EvictionTest, SamplingReturnsDistinctLiveEntriesAndHonoursVolatileOnly) {
  for (int i = 0; i < 1000; ++i) {
    Entry* e = Add("k" + std::to_string(i));
    if (i % 10 == 0) ks_.db(0).SetExpire(e, clock_.NowMs() + 1000 + i);
  }
  std::vector<std::pair<Entry*, int64_t>> out;
  ks_.db(0).SampleForEviction(16, false, &out);
  ASSERT_EQ(out.size(), 16u);
  std::set<Entry*> distinct;
  for (auto& [e, at] : out) {
    distinct.insert(e);
    EXPECT_EQ(at, ks_.db(0).GetExpire(e));
  }
  EXPECT_EQ(distinct.size(), 16u);
  out.clear();
  ks_.db(0).SampleForEviction(16, true, &out);
  ASSERT_EQ(out.size(), 16u);
  for (auto& [e, at] : out) {
    EXPECT_TRUE(e->has_expire());
    EXPECT_EQ(at, ks_.db(0).GetExpire(e));
  }
  // Empty and tiny tables.
  out.clear();
  ks_.db(1).SampleForEviction(5, false, &out);
  EXPECT_TRUE(out.empty());
  Add("only", 1);
  ks_.db(1).SampleForEviction(5, false, &out);
  EXPECT_EQ(out.size(), 1u);
}

TEST_F(EvictionTest, SamplingCoversTheWholeTable) {
  for (int i = 0; i < 200; ++i) Add("k" + std::to_string(i));
  std::set<Entry*> seen;
  std::vector<std::pair<Entry*, int64_t>> out;
  for (int round = 0; round < 2000; ++round) {
    out.clear();
    ks_.db(0).SampleForEviction(5, false, &out);
    for (auto& p : out) seen.insert(p.first);
  }
  EXPECT_EQ(seen.size(), 200u);
}

// ---- policies ----

TEST_F(EvictionTest, UnderTheLimitNothingHappens) {
  Configure(EvictionPolicy::kAllKeysLru, 10);
  for (int i = 0; i < 10; ++i) Add("k" + std::to_string(i));
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_EQ(ks_.TotalKeys(), 10u);
  EXPECT_EQ(ks_.stats().evicted_keys, 0u);
}

TEST_F(EvictionTest, NoEvictionFails) {
  Configure(EvictionPolicy::kNoEviction, 5);
  for (int i = 0; i < 8; ++i) Add("k" + std::to_string(i));
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kFail);
  EXPECT_EQ(ks_.TotalKeys(), 8u);
}

TEST_F(EvictionTest, AllKeysLruKeepsTheRecentlyUsed) {
  Configure(EvictionPolicy::kAllKeysLru, 100, 10);
  // 100 keys; the first 50 are read after the others were written.
  for (int i = 0; i < 100; ++i) {
    Add("k" + std::to_string(i));
    Advance(200);
  }
  for (int i = 0; i < 50; ++i) {
    ks_.db(0).FindRead("k" + std::to_string(i));
    Advance(200);
  }
  // 50 more keys push 50 out: mostly the unread ones.
  for (int i = 0; i < 50; ++i) {
    Add("n" + std::to_string(i));
    Advance(200);
    ASSERT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  }
  EXPECT_EQ(ks_.TotalKeys(), 100u);
  int kept_hot = 0;
  for (int i = 0; i < 50; ++i) kept_hot += Has("k" + std::to_string(i));
  EXPECT_GE(kept_hot, 40);  // approximated LRU; random eviction would keep ~25
  EXPECT_EQ(ks_.stats().evicted_keys, 50u);
}

TEST_F(EvictionTest, AllKeysLfuKeepsTheFrequentlyUsed) {
  Configure(EvictionPolicy::kAllKeysLfu, 100, 10);
  MemorySettings s = ks_.memory_settings();
  s.lfu_log_factor = 0;
  ks_.ApplyMemorySettings(s);
  for (int i = 0; i < 100; ++i) Add("k" + std::to_string(i));
  // Keys k0..k29 are read 5 times each, the rest never.
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < 30; ++i) ks_.db(0).FindRead("k" + std::to_string(i));
  }
  for (int i = 0; i < 60; ++i) {
    Add("n" + std::to_string(i));
    // New keys get one read so they are not each other's first victims.
    ks_.db(0).FindRead("n" + std::to_string(i));
    ASSERT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  }
  int kept = 0;
  for (int i = 0; i < 30; ++i) kept += Has("k" + std::to_string(i));
  EXPECT_EQ(kept, 30);
}

TEST_F(EvictionTest, VolatilePoliciesEvictOnlyKeysWithATtl) {
  for (EvictionPolicy p : {EvictionPolicy::kVolatileLru, EvictionPolicy::kVolatileLfu,
                           EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl}) {
    ks_.FlushAll();
    Configure(p, 50);
    for (int i = 0; i < 40; ++i) Add("p" + std::to_string(i));
    for (int i = 0; i < 20; ++i) {
      Entry* e = Add("t" + std::to_string(i));
      ks_.db(0).SetExpire(e, clock_.NowMs() + 100'000 + i * 1000);
    }
    EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk) << EvictionPolicyName(p);
    for (int i = 0; i < 40; ++i) EXPECT_TRUE(Has("p" + std::to_string(i))) << EvictionPolicyName(p);
    EXPECT_EQ(ks_.TotalKeys(), 50u);
    // Past what the TTL keys can free: everything volatile goes, then it fails.
    Configure(p, 30);
    EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kFail) << EvictionPolicyName(p);
    EXPECT_EQ(ks_.TotalKeys(), 40u);
    EXPECT_EQ(ks_.db(0).expires_size(), 0u);
  }
}

TEST_F(EvictionTest, VolatileTtlEvictsTheSoonestDeadlines) {
  Configure(EvictionPolicy::kVolatileTtl, 20, 20);
  for (int i = 0; i < 40; ++i) {
    Entry* e = Add("t" + std::to_string(i));
    ks_.db(0).SetExpire(e, clock_.NowMs() + 10'000 + i * 1000);
  }
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  int late_kept = 0;
  for (int i = 20; i < 40; ++i) late_kept += Has("t" + std::to_string(i));
  EXPECT_GE(late_kept, 17);
}

TEST_F(EvictionTest, RandomPoliciesEvictAcrossDatabases) {
  Configure(EvictionPolicy::kAllKeysRandom, 30);
  for (int i = 0; i < 20; ++i) Add("a" + std::to_string(i), 0);
  for (int i = 0; i < 20; ++i) Add("b" + std::to_string(i), 3);
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_EQ(ks_.TotalKeys(), 30u);
  EXPECT_LT(ks_.db(0).size(), 20u);
  EXPECT_LT(ks_.db(3).size(), 20u);
}

TEST_F(EvictionTest, EvictionAnnouncesEachKey) {
  CountingListener l;
  ks_.AddListener(&l);
  Configure(EvictionPolicy::kAllKeysLru, 5);
  for (int i = 0; i < 8; ++i) Add("k" + std::to_string(i));
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_EQ(l.evicted.size(), 3u);
  EXPECT_EQ(l.modified, l.evicted);
  for (const auto& k : l.evicted) EXPECT_FALSE(Has(k));
  EXPECT_EQ(ks_.stats().evicted_keys, 3u);
  ks_.RemoveListener(&l);
}

TEST_F(EvictionTest, APooledKeyReadSinceIsNotEvictedFirst) {
  Configure(EvictionPolicy::kAllKeysLru, 10, 64);
  for (int i = 0; i < 10; ++i) {
    Add("k" + std::to_string(i));
    Advance(1000);
  }
  // Sampling sees all ten keys: the oldest goes and the rest stay pooled with their scores.
  Add("x1");
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_FALSE(Has("k0"));
  // k1 is now the best pooled candidate, but it is read before the next eviction, which
  // samples a single key: the stale score must not condemn it.
  ks_.db(0).FindRead("k1");
  Configure(EvictionPolicy::kAllKeysLru, 10, 1);
  Add("x2");
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_TRUE(Has("k1"));
  EXPECT_FALSE(Has("k2"));
}

// ---- the TinyLFU frequency sketch ----

TEST(FrequencySketchTest, CountsSaturatesAndHalves) {
  FrequencySketch sk;
  EXPECT_FALSE(sk.enabled());
  EXPECT_EQ(sk.Estimate(FrequencySketch::HashKey("a")), 0);
  sk.Reset(1 << 12, 1);  // halving every 4096 additions
  ASSERT_TRUE(sk.enabled());
  EXPECT_EQ(sk.counters(), 4096u);
  EXPECT_EQ(sk.bytes(), 0u);  // allocated by the first addition
  const uint64_t a = FrequencySketch::HashKey("a");
  const uint64_t b = FrequencySketch::HashKey("b");
  for (int i = 0; i < 3; ++i) sk.Add(a);
  EXPECT_EQ(sk.Estimate(a), 3);
  EXPECT_EQ(sk.bytes(), 4096u / 2);  // 4 bits a counter
  EXPECT_EQ(sk.Estimate(b), 0);
  sk.AddIfUnseen(b);
  sk.AddIfUnseen(b);  // seen now: not again
  EXPECT_EQ(sk.Estimate(b), 1);
  for (int i = 0; i < 40; ++i) sk.Add(a);
  EXPECT_EQ(sk.Estimate(a), 15);  // 4-bit counters saturate
  // Aging: after `period` additions every counter halves.
  const uint64_t before = sk.additions();
  for (uint64_t i = before; i < 4096; ++i)
    sk.Add(FrequencySketch::HashKey("f" + std::to_string(i)));
  EXPECT_EQ(sk.Estimate(a), 7);  // 15 halved
  sk.Clear();
  EXPECT_EQ(sk.Estimate(a), 0);
  sk.Reset(0);
  EXPECT_FALSE(sk.enabled());
}

TEST_F(EvictionTest, SketchIsOnOnlyUnderLfuWithAMaxmemory) {
  Configure(EvictionPolicy::kAllKeysLru, 100);
  EXPECT_FALSE(ks_.evictor().sketch().enabled());
  Configure(EvictionPolicy::kAllKeysLfu, 100);
  EXPECT_TRUE(ks_.evictor().sketch().enabled());
  // A miss counts: the key was asked for.
  ks_.db(0).FindRead("absent");
  ks_.db(0).FindRead("absent");
  EXPECT_EQ(ks_.evictor().sketch().Estimate(FrequencySketch::HashKey("absent")), 2);
  // Its table counts as the evictor's overhead (INFO used_memory_overhead).
  EXPECT_GT(ks_.evictor().sketch().bytes(), 0u);
  EXPECT_GE(ks_.evictor().OverheadBytes(), ks_.evictor().sketch().bytes());
  MemorySettings s = ks_.memory_settings();
  s.maxmemory = 0;
  ks_.ApplyMemorySettings(s);
  EXPECT_FALSE(ks_.evictor().sketch().enabled());
}

TEST_F(EvictionTest, LfuEvictsAOneOffNewcomerBeforeEstablishedKeys) {
  // TinyLFU admission: a cache of keys read three times each, then a scan of keys read
  // once. The scan's keys are the victims (each newcomer competes with the sample), so
  // the established keys all survive. Redis's sampled LFU would evict established keys
  // whose counter decayed or that a newcomer's LFU_INIT_VAL outranks.
  Configure(EvictionPolicy::kAllKeysLfu, 100, 5);
  for (int i = 0; i < 100; ++i) Add("k" + std::to_string(i));
  for (int r = 0; r < 3; ++r) {
    for (int i = 0; i < 100; ++i) ks_.db(0).FindRead("k" + std::to_string(i));
  }
  for (int i = 0; i < 200; ++i) {
    const std::string key = "scan" + std::to_string(i);
    EXPECT_EQ(ks_.db(0).FindRead(key), nullptr);  // cache-aside: a miss, then the SET
    Add(key);
    ASSERT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  }
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += Has("k" + std::to_string(i));
  EXPECT_EQ(kept, 100);
  EXPECT_EQ(ks_.stats().evicted_keys, 200u);
  // A key asked for repeatedly while absent is admitted in the end: its misses count.
  for (int r = 0; r < 6; ++r) EXPECT_EQ(ks_.db(0).FindRead("wanted"), nullptr);
  Add("wanted");
  ASSERT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  Add("x");
  ASSERT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kOk);
  EXPECT_TRUE(Has("wanted"));
}

TEST_F(EvictionTest, ObjectFreqStaysRedisCounterWithTheSketchOn) {
  Configure(EvictionPolicy::kAllKeysLfu, 100);
  MemorySettings s = ks_.memory_settings();
  s.lfu_log_factor = 0;  // every hit counts: the counter is exact
  ks_.ApplyMemorySettings(s);
  Entry* e = Add("k");
  EXPECT_EQ(ks_.LfuCounter(*e), kLfuInitVal);
  for (int i = 0; i < 7; ++i) ks_.db(0).FindRead("k");
  EXPECT_EQ(ks_.LfuCounter(*e), kLfuInitVal + 7);
}

TEST_F(EvictionTest, EvictionOverTheTimeBudgetContinuesFromTheTimer) {
  Configure(EvictionPolicy::kAllKeysRandom, 10);
  int scheduled = 0;
  ks_.evictor().set_timer_hook([&] { ++scheduled; });
  for (int i = 0; i < 5000; ++i) Add("k" + std::to_string(i));
  MemorySettings s = ks_.memory_settings();
  s.tenacity = 0;  // no time budget: a command evicts one batch of 16 keys at most
  ks_.ApplyMemorySettings(s);
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kRunning);
  EXPECT_EQ(scheduled, 1);
  EXPECT_TRUE(ks_.evictor().timer_armed());
  EXPECT_EQ(ks_.evictor().PerformEvictions(), Evictor::Result::kRunning);
  EXPECT_EQ(scheduled, 1);  // armed once
  for (int i = 0; i < 10000 && ks_.evictor().timer_armed(); ++i) ks_.evictor().TimerStep();
  EXPECT_FALSE(ks_.evictor().timer_armed());
  EXPECT_EQ(ks_.TotalKeys(), 10u);
  EXPECT_GT(scheduled, 1);
}

// ---- lazy free ----

TEST(LazyFreerTest, FreesQueuedValuesOffThread) {
  LazyFreer lf;
  SetObject big;
  big.ConvertToHashtable();
  Value v = Value::Object(std::move(big));
  EXPECT_TRUE(LazyFreer::WorthFreeingLazily(v));
  EXPECT_FALSE(LazyFreer::WorthFreeingLazily(Value::String(std::string(1000, 'x'))));
  EXPECT_TRUE(lf.FreeValue(std::move(v)));
  EXPECT_FALSE(lf.FreeValue(Value::String("small")));
  lf.Drain();
  EXPECT_EQ(lf.pending(), 0u);
  EXPECT_EQ(lf.freed_objects(), 1u);
}

TEST(LazyFreerTest, FlushAllAsyncEmptiesNowAndFreesLater) {
  ManualClock clock;
  Keyspace ks(4, &clock);
  for (int i = 0; i < 1000; ++i) ks.db(i % 4).Insert("k" + std::to_string(i), Value::String("v"));
  ks.FlushAllAsync();
  EXPECT_EQ(ks.TotalKeys(), 0u);
  ks.db(0).Insert("after", Value::String("v"));
  ks.lazyfree().Drain();
  EXPECT_EQ(ks.lazyfree().pending(), 0u);
  EXPECT_EQ(ks.TotalKeys(), 1u);
}

TEST(EvictionPolicyTest, NamesRoundTrip) {
  for (auto name : {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru",
                    "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    auto p = ParseEvictionPolicy(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(EvictionPolicyName(*p), name);
  }
  EXPECT_EQ(ParseEvictionPolicy("ALLKEYS-LRU"), EvictionPolicy::kAllKeysLru);
  EXPECT_FALSE(ParseEvictionPolicy("lru").has_value());
  EXPECT_FALSE(ParseEvictionPolicy("").has_value());
}

}  // namespace
}  // namespace gannet
