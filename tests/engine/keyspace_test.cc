// Keyspace: active expiry (keys nobody reads go away over cycles, the time budget is
// honoured and the next cycle resumes at the next database), SwapDb, FlushAll, listeners.
#include "gannet/engine/keyspace.h"

#include <gtest/gtest.h>

#include <string>

#include "gannet/common/clock.h"

namespace gannet {
namespace {

// A clock whose monotonic time moves by `step_us` on every reading, to exercise budgets.
class SteppingClock final : public Clock {
 public:
  explicit SteppingClock(int64_t step_us) : step_us_(step_us) {}
  int64_t NowMs() const override { return now_ms_; }
  int64_t NowUs() const override { return now_ms_ * 1000; }
  int64_t MonotonicUs() const override { return mono_us_ += step_us_; }
  void AdvanceMs(int64_t ms) { now_ms_ += ms; }

 private:
  int64_t now_ms_ = 1'700'000'000'000;
  int64_t step_us_;
  mutable int64_t mono_us_ = 0;
};

class CountingListener : public KeyspaceListener {
 public:
  void OnKeyExpired(int, std::string_view) override { ++expired; }
  void OnKeyDeleted(int, std::string_view) override { ++deleted; }
  int expired = 0, deleted = 0;
};

void Fill(Keyspace& ks, int db, int n, int64_t ttl_ms, const std::string& prefix) {
  for (int i = 0; i < n; ++i) {
    Entry* e = ks.db(db).Insert(prefix + std::to_string(i), Value::String("v"));
    if (ttl_ms >= 0) ks.db(db).SetExpire(e, ks.now_ms() + ttl_ms);
  }
}

TEST(KeyspaceTest, Basics) {
  ManualClock clock;
  Keyspace ks(16, &clock);
  EXPECT_EQ(ks.database_count(), 16);
  EXPECT_EQ(ks.now_ms(), clock.NowMs());
  EXPECT_EQ(ks.LruClock(), static_cast<uint32_t>((clock.NowMs() / kLruResolutionMs) & 0xffffff));
  Fill(ks, 0, 10, -1, "a");
  Fill(ks, 5, 7, -1, "b");
  EXPECT_EQ(ks.TotalKeys(), 17u);
  ks.SwapDb(0, 5);
  EXPECT_EQ(ks.db(0).size(), 7u);
  EXPECT_EQ(ks.db(5).size(), 10u);
  ks.SwapDb(3, 3);
  CountingListener l;
  ks.AddListener(&l);
  ks.FlushAll();
  EXPECT_EQ(ks.TotalKeys(), 0u);
  EXPECT_EQ(l.deleted + l.expired, 0);
  ks.RemoveListener(&l);
}

// Records every callback with its key, to check what listener interest lets through.
class InterestListener : public KeyspaceListener {
 public:
  void OnKeyModified(int db, std::string_view key) override {
    log += "mod:" + std::to_string(db) + ":" + std::string(key) + " ";
  }
  void OnKeyEvent(NotifyClass, std::string_view event, int, std::string_view key) override {
    log += "ev:" + std::string(event) + ":" + std::string(key) + " ";
  }
  void OnKeyExpired(int, std::string_view key) override { log += "exp:" + std::string(key) + " "; }
  void OnKeyDeleted(int, std::string_view key) override { log += "del:" + std::string(key) + " "; }
  std::string log;
};

TEST(KeyspaceTest, ListenerInterest) {
  ManualClock clock;
  Keyspace ks(2, &clock);
  InterestListener all, quiet;
  ks.AddListener(&all);
  ks.AddListener(&quiet);
  // A new listener hears everything.
  ks.SignalModified(0, "a");
  ks.NotifyEvent(kNotifyString, "set", 0, "a");
  EXPECT_EQ(quiet.log, "mod:0:a ev:set:a ");
  quiet.log.clear();
  // No single-key signals and no events: only whole-database signals get through.
  ks.SetKeyInterest(&quiet, false);
  ks.SetEventClasses(&quiet, 0);
  Entry* e = ks.db(0).Insert("k", Value::String("v"));
  ks.SignalModified(0, "k");
  ks.NotifyEvent(kNotifyString, "set", 0, "k");
  ks.db(0).Delete(e);
  ks.SignalModified(1, "");
  ks.SignalModified(-1, "");
  EXPECT_EQ(quiet.log, "mod:1: mod:-1: ");
  EXPECT_EQ(all.log, "mod:0:a ev:set:a mod:0:k ev:set:k del:k mod:1: mod:-1: ");
  // With nobody wanting anything, expiry still counts and deletes.
  ks.RemoveListener(&all);
  quiet.log.clear();
  Entry* t = ks.db(0).Insert("t", Value::String("v"));
  ks.db(0).SetExpire(t, clock.NowMs() + 10);
  clock.AdvanceMs(11);
  ks.set_now_ms(clock.NowMs());
  EXPECT_EQ(ks.db(0).FindRead("t"), nullptr);
  EXPECT_EQ(ks.stats().expired_keys, 1u);
  EXPECT_EQ(quiet.log, "");
  // Event classes: only those asked for (keymiss is not among them).
  ks.SetEventClasses(&quiet, kNotifyGeneric);
  ks.NotifyEvent(kNotifyString, "set", 0, "x");
  ks.NotifyEvent(kNotifyGeneric, "del", 0, "x");
  EXPECT_EQ(ks.db(0).FindRead("missing"), nullptr);
  EXPECT_EQ(quiet.log, "ev:del:x ");
  quiet.log.clear();
  // The notify-keyspace-events word (the notifier's) is read on every event: its classes
  // reach the listeners, changes take effect at once, nullptr turns it off.
  uint32_t flags = kNotifyKeyMiss;
  ks.SetEventClasses(&quiet, 0);
  ks.set_notify_classes(&flags);
  EXPECT_EQ(ks.db(0).FindRead("missing"), nullptr);
  ks.NotifyEvent(kNotifyString, "set", 0, "y");
  flags = kNotifyString;
  ks.NotifyEvent(kNotifyString, "set", 0, "z");
  ks.set_notify_classes(nullptr);
  ks.NotifyEvent(kNotifyString, "set", 0, "w");
  EXPECT_EQ(quiet.log, "ev:keymiss:missing ev:set:z ");
  quiet.log.clear();
  // Interest back on: single-key signals and expiry reach the listener again.
  ks.SetKeyInterest(&quiet, true);
  Entry* u = ks.db(0).Insert("u", Value::String("v"));
  ks.db(0).SetExpire(u, clock.NowMs() + 10);
  clock.AdvanceMs(11);
  ks.set_now_ms(clock.NowMs());
  EXPECT_EQ(ks.db(0).FindRead("u"), nullptr);
  EXPECT_EQ(quiet.log, "exp:u mod:0:u ");
  ks.RemoveListener(&quiet);
}

TEST(KeyspaceTest, ActiveExpiryRemovesUnreadKeys) {
  ManualClock clock;
  Keyspace ks(16, &clock);
  CountingListener l;
  ks.AddListener(&l);
  Fill(ks, 0, 20000, 1000, "t");
  Fill(ks, 0, 5000, -1, "p");
  Fill(ks, 9, 3000, 1000, "u");
  Fill(ks, 9, 3000, 100000, "long");
  EXPECT_EQ(ks.ActiveExpireCycle(25000, 1), 0u);  // nothing due yet
  clock.AdvanceMs(1001);
  ks.set_now_ms(clock.NowMs());
  size_t removed = 0;
  for (int cycle = 0; cycle < 50 && ks.TotalKeys() > 8000; ++cycle) {
    removed += ks.ActiveExpireCycle(25000, 1);
  }
  // The adaptive loop stops once <=10% of a sample is stale, so a few may linger
  // until later cycles; nearly everything due must be gone.
  EXPECT_GE(removed, 22000u);
  EXPECT_LE(ks.TotalKeys(), 8000u + 1000u);
  EXPECT_EQ(ks.stats().expired_keys, removed);
  EXPECT_EQ(l.expired, static_cast<int>(removed));
  // Keys without a TTL and keys not yet due are untouched.
  EXPECT_EQ(ks.db(9).expires_size() + ks.db(0).expires_size(), ks.TotalKeys() - 5000);
  for (int i = 0; i < 3000; ++i) EXPECT_TRUE(ks.db(9).Exists("long" + std::to_string(i)));
  for (int i = 0; i < 5000; ++i) EXPECT_TRUE(ks.db(0).Exists("p" + std::to_string(i)));
  EXPECT_GT(ks.stats().expired_stale_perc_x100, 0u);
  ks.RemoveListener(&l);
}

TEST(KeyspaceTest, ActiveExpiryMixedDueKeysEventuallyAllGo) {
  ManualClock clock;
  Keyspace ks(4, &clock);
  // 5% of TTL keys due: under the 10% threshold a single cycle may stop early, but
  // repeated cycles walk the whole index (cursor), so they all go.
  Fill(ks, 2, 1000, 10, "due");
  Fill(ks, 2, 19000, 1'000'000, "later");
  clock.AdvanceMs(11);
  ks.set_now_ms(clock.NowMs());
  for (int cycle = 0; cycle < 5000 && ks.db(2).size() > 19000; ++cycle) {
    ks.ActiveExpireCycle(25000, 1);
  }
  EXPECT_EQ(ks.db(2).size(), 19000u);
}

TEST(KeyspaceTest, ActiveExpiryHonoursBudgetAndRotatesDatabases) {
  SteppingClock clock(1000);  // every clock reading costs 1ms
  Keyspace ks(16, &clock);
  for (int db = 0; db < 16; ++db) Fill(ks, db, 2000, 10, "k");
  clock.AdvanceMs(11);
  ks.set_now_ms(clock.NowMs());
  size_t first = ks.ActiveExpireCycle(1000, 1);
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, 16u * 2000);  // stopped on time, not finished
  int dbs_touched = 0;
  for (int db = 0; db < 16; ++db) dbs_touched += ks.db(db).size() < 2000 ? 1 : 0;
  EXPECT_EQ(dbs_touched, 1);  // one db per budget here; the next cycle starts after it
  ks.ActiveExpireCycle(1000, 1);
  EXPECT_LT(ks.db(1).size(), 2000u);
  for (int cycle = 0; cycle < 2000 && ks.TotalKeys() > 0; ++cycle) ks.ActiveExpireCycle(1000, 1);
  EXPECT_EQ(ks.TotalKeys(), 0u);
  EXPECT_GT(ks.stats().expire_cycle_cpu_us, 0u);
}

TEST(KeyspaceTest, HigherEffortIsAccepted) {
  ManualClock clock;
  Keyspace ks(1, &clock);
  Fill(ks, 0, 1000, 5, "k");
  clock.AdvanceMs(6);
  ks.set_now_ms(clock.NowMs());
  EXPECT_EQ(ks.ActiveExpireCycle(25000, 10), 1000u);
  EXPECT_EQ(ks.ActiveExpireCycle(25000, 99), 0u);  // clamped, no crash
  EXPECT_EQ(ks.ActiveExpireCycle(25000, -5), 0u);
}

}  // namespace
}  // namespace gannet
