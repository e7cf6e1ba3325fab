// Database: lookups, lazy expiry at Redis's exact boundary, LRU touching, the TTL index's
// consistency through deletes/renames/overwrites/swaps, SCAN over a live database,
// RandomEntry on empty and all-expired databases, growth to 1M keys and back.
#include "gannet/engine/database.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/engine/keyspace.h"

namespace gannet {
namespace {

class RecordingListener : public KeyspaceListener {
 public:
  void OnKeyExpired(int db, std::string_view key) override {
    expired.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void OnKeyDeleted(int db, std::string_view key) override {
    deleted.push_back(std::to_string(db) + ":" + std::string(key));
  }
  std::vector<std::string> expired, deleted;
};

class DatabaseTest : public ::testing::Test {
 protected:
  DatabaseTest() : ks_(16, &clock_) {
    ks_.set_now_ms(clock_.NowMs());
    ks_.AddListener(&listener_);
  }
  ~DatabaseTest() override { ks_.RemoveListener(&listener_); }
  void Advance(int64_t ms) {
    clock_.AdvanceMs(ms);
    ks_.set_now_ms(clock_.NowMs());
  }
  Database& db() { return ks_.db(0); }
  int64_t now() const { return ks_.now_ms(); }

  ManualClock clock_;
  Keyspace ks_;
  RecordingListener listener_;
};

TEST_F(DatabaseTest, InsertFindDelete) {
  EXPECT_EQ(db().FindRead("a"), nullptr);
  Entry* e = db().Insert("a", Value::String("1"));
  EXPECT_EQ(e->key(), "a");
  EXPECT_EQ(db().size(), 1u);
  EXPECT_EQ(db().FindRead("a"), e);
  EXPECT_EQ(db().FindWrite("a"), e);
  EXPECT_EQ(db().FindNoTouch("a"), e);
  EXPECT_TRUE(db().Exists("a"));
  EXPECT_FALSE(db().Exists("b"));
  EXPECT_EQ(ks_.stats().keyspace_hits, 1u);
  EXPECT_EQ(ks_.stats().keyspace_misses, 1u);
  EXPECT_TRUE(db().Delete("a"));
  EXPECT_FALSE(db().Delete("a"));
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(listener_.deleted, std::vector<std::string>{"0:a"});
}

TEST_F(DatabaseTest, EmptyAndBinaryKeys) {
  std::string bin("k\0\xff", 3);
  db().Insert("", Value::String("empty"));
  db().Insert(bin, Value::String("bin"));
  EXPECT_EQ(db().FindRead("")->value.AsString(), "empty");
  EXPECT_EQ(db().FindRead(bin)->value.AsString(), "bin");
  EXPECT_EQ(db().FindRead(std::string_view("k\0", 2)), nullptr);
}

TEST_F(DatabaseTest, FindOrInsert) {
  auto r = db().FindOrInsert("k");
  EXPECT_TRUE(r.inserted);
  EXPECT_EQ(r.entry->value.AsString(), "");
  EXPECT_FALSE(r.entry->has_expire());
  r.entry->value = Value::String("v");
  auto r2 = db().FindOrInsert("k");
  EXPECT_FALSE(r2.inserted);
  EXPECT_EQ(r2.entry, r.entry);
  // An expired key is replaced by a fresh one.
  db().SetExpire(r.entry, now() + 10);
  Advance(11);
  auto r3 = db().FindOrInsert("k");
  EXPECT_TRUE(r3.inserted);
  EXPECT_EQ(r3.entry->value.AsString(), "");
  EXPECT_FALSE(r3.entry->has_expire());
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(ks_.stats().expired_keys, 1u);
}

TEST_F(DatabaseTest, LazyExpiryExactBoundary) {
  Entry* e = db().Insert("k", Value::String("v"));
  db().SetExpire(e, now() + 100);
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(db().GetExpire(e), now() + 100);
  Advance(100);  // now == deadline: Redis 7.0 keeps the key (expired only when now > when)
  EXPECT_NE(db().FindRead("k"), nullptr);
  Advance(1);
  EXPECT_EQ(db().size(), 1u);  // not reclaimed until touched
  EXPECT_EQ(db().FindRead("k"), nullptr);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(ks_.stats().expired_keys, 1u);
  EXPECT_EQ(ks_.stats().keyspace_misses, 1u);
  EXPECT_EQ(listener_.expired, std::vector<std::string>{"0:k"});
  EXPECT_TRUE(listener_.deleted.empty());
}

// While a dataset loads nothing expires (Redis's keyIsExpired): every lookup, DEL, SCAN
// and active expiry see a key whose TTL has passed as live; afterwards it goes as usual.
TEST_F(DatabaseTest, NothingExpiresWhileLoading) {
  Entry* e = db().Insert("k", Value::String("v"));
  db().SetExpire(e, now() - 1000);
  Entry* g = db().Insert("g", Value::String("v"));
  db().SetExpire(g, INT64_MIN + 1);
  ks_.set_loading(true);
  EXPECT_TRUE(ks_.loading());
  EXPECT_EQ(db().FindRead("k"), e);
  EXPECT_EQ(db().FindWrite("k"), e);
  EXPECT_TRUE(db().Exists("g"));
  EXPECT_FALSE(db().FindOrInsert("k").inserted);
  size_t seen = 0;
  uint64_t cursor = 0;
  do {
    cursor = db().Scan(cursor, 10, [&](const Entry&) { ++seen; });
  } while (cursor != 0);
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(db().ExpireSample(10).second, 0u);
  EXPECT_EQ(db().size(), 2u);
  EXPECT_TRUE(db().Delete("g"));  // a live key: deleted, not expired
  EXPECT_TRUE(listener_.expired.empty());
  ks_.set_loading(false);
  EXPECT_EQ(db().FindRead("k"), nullptr);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(listener_.expired, std::vector<std::string>{"0:k"});
}

TEST_F(DatabaseTest, ExpiredKeyIsNotDeletedByDelete) {
  Entry* e = db().Insert("k", Value::String("v"));
  db().SetExpire(e, now() - 1);
  EXPECT_FALSE(db().Delete("k"));  // DEL of an expired key: 0, and it expires
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(listener_.expired.size(), 1u);
  EXPECT_TRUE(listener_.deleted.empty());
  Entry* f = db().Insert("f", Value::String("v"));
  db().SetExpire(f, now() - 1);
  EXPECT_FALSE(db().Exists("f"));
  EXPECT_EQ(db().FindWrite("f"), nullptr);
}

TEST_F(DatabaseTest, LruTouchedOnReadAndWriteOnly) {
  Entry* e = db().Insert("k", Value::String("v"));
  const uint32_t t0 = e->lru;
  EXPECT_EQ(t0, ks_.LruClock());
  Advance(5000);
  db().FindNoTouch("k");
  EXPECT_EQ(e->lru, t0);
  db().Exists("k");
  EXPECT_EQ(e->lru, t0);
  // The LRU clock ticks every kLruResolutionMs (eviction.h).
  const auto ticks = [](int64_t ms) { return static_cast<uint32_t>(ms / kLruResolutionMs); };
  db().FindRead("k");
  EXPECT_EQ(e->lru, (t0 + ticks(5000)) & kLruClockMax);
  Advance(3000);
  db().FindWrite("k");
  EXPECT_EQ(e->lru, (t0 + ticks(8000)) & kLruClockMax);
  Advance(1000);
  db().Touch(e);
  EXPECT_EQ(e->lru, (t0 + ticks(9000)) & kLruClockMax);
}

TEST_F(DatabaseTest, ExpireIndexConsistency) {
  Entry* a = db().Insert("a", Value::String("1"));
  Entry* b = db().Insert("b", Value::String("2"));
  db().SetExpire(a, now() + 1000);
  db().SetExpire(a, now() + 2000);  // update, not a second record
  EXPECT_EQ(db().expires_size(), 1u);
  EXPECT_EQ(db().GetExpire(a), now() + 2000);
  EXPECT_EQ(db().GetExpire(b), -1);
  EXPECT_FALSE(db().ClearExpire(b));
  // Overwrite without KEEPTTL: the command clears the TTL.
  a->value = Value::String("x");
  EXPECT_TRUE(db().ClearExpire(a));
  EXPECT_FALSE(a->has_expire());
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(db().GetExpire(a), -1);
  // Delete of a volatile key removes its record.
  db().SetExpire(b, now() + 50);
  EXPECT_EQ(db().expires_size(), 1u);
  db().Delete(b);
  EXPECT_EQ(db().expires_size(), 0u);
  // Many volatile keys, delete half, check the rest.
  for (int i = 0; i < 2000; ++i) {
    Entry* e = db().Insert("v" + std::to_string(i), Value::String("x"));
    db().SetExpire(e, now() + 1000 + i);
  }
  for (int i = 0; i < 2000; i += 2) EXPECT_TRUE(db().Delete("v" + std::to_string(i)));
  EXPECT_EQ(db().expires_size(), 1000u);
  for (int i = 1; i < 2000; i += 2) {
    Entry* e = db().FindNoTouch("v" + std::to_string(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(db().GetExpire(e), now() + 1000 + i);
  }
}

TEST_F(DatabaseTest, RenameMovesValueAndTtl) {
  Entry* src = db().Insert("src", Value::String(std::string(100, 's')));
  db().SetExpire(src, now() + 500);
  Entry* dst = db().Insert("dst", Value::String("old"));
  db().SetExpire(dst, now() + 9999);
  EXPECT_EQ(db().expires_size(), 2u);
  listener_.deleted.clear();
  Entry* moved = db().Rename(src, "dst");
  EXPECT_EQ(moved->key(), "dst");
  EXPECT_EQ(moved->value.AsString(), std::string(100, 's'));
  EXPECT_EQ(db().GetExpire(moved), now() + 500);
  EXPECT_EQ(db().expires_size(), 1u);
  EXPECT_EQ(db().size(), 1u);
  EXPECT_EQ(db().FindRead("src"), nullptr);
  EXPECT_EQ(listener_.deleted, (std::vector<std::string>{"0:dst", "0:src"}));
  // Rename of a key without TTL onto a new name; rename onto itself.
  Entry* p = db().Insert("p", Value::String("pv"));
  Entry* q = db().Rename(p, "q");
  EXPECT_FALSE(q->has_expire());
  EXPECT_EQ(db().expires_size(), 1u);
  EXPECT_EQ(db().Rename(q, "q"), q);
  EXPECT_EQ(db().FindRead("q")->value.AsString(), "pv");
}

TEST_F(DatabaseTest, ClearNotifiesNothing) {
  for (int i = 0; i < 100; ++i) {
    Entry* e = db().Insert("k" + std::to_string(i), Value::String("v"));
    if (i % 2) db().SetExpire(e, now() + 1000);
  }
  db().Clear();
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_TRUE(listener_.deleted.empty());
  EXPECT_TRUE(listener_.expired.empty());
  db().Insert("again", Value::String("v"));
  EXPECT_NE(db().FindRead("again"), nullptr);
}

TEST_F(DatabaseTest, SwapContents) {
  Database& d0 = ks_.db(0);
  Database& d1 = ks_.db(1);
  Entry* a = d0.Insert("a", Value::String("in0"));
  d0.SetExpire(a, now() + 100);
  d1.Insert("b", Value::String("in1"));
  d0.SwapContents(d1);
  EXPECT_EQ(d0.FindRead("a"), nullptr);
  EXPECT_EQ(d0.FindRead("b")->value.AsString(), "in1");
  Entry* a1 = d1.FindRead("a");
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(d1.GetExpire(a1), now() + 100);
  EXPECT_EQ(d1.expires_size(), 1u);
  EXPECT_EQ(d0.expires_size(), 0u);
  EXPECT_EQ(d0.index(), 0);
  // Expiry after the swap is reported against the new db number.
  Advance(101);
  EXPECT_EQ(d1.FindRead("a"), nullptr);
  EXPECT_EQ(listener_.expired, std::vector<std::string>{"1:a"});
  ks_.SwapDb(0, 1);
  EXPECT_EQ(d1.FindRead("b")->value.AsString(), "in1");
  EXPECT_EQ(d0.size(), 0u);
}

TEST_F(DatabaseTest, ScanSkipsExpiredAndReturnsAll) {
  for (int i = 0; i < 1000; ++i) {
    Entry* e = db().Insert("k" + std::to_string(i), Value::String("v"));
    if (i % 10 == 0) db().SetExpire(e, now() + 5);
  }
  Advance(6);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    size_t before = seen.size();
    cursor = db().Scan(cursor, 10, [&](const Entry& e) { seen.insert(std::string(e.key())); });
    // count is a hint: about 10 keys per call, never many more at this load
    EXPECT_LE(seen.size() - before, 40u);
    ++calls;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 900u);
  EXPECT_GT(calls, 50);
  EXPECT_EQ(seen.count("k0"), 0u);
  EXPECT_EQ(seen.count("k1"), 1u);
  EXPECT_EQ(db().size(), 1000u);  // scan does not reclaim
  // ForEach also skips expired keys.
  size_t n = 0;
  db().ForEach([&](const Entry&) { ++n; });
  EXPECT_EQ(n, 900u);
}

TEST_F(DatabaseTest, ScanOnEmptyAndWithHostileCursor) {
  int calls = 0;
  EXPECT_EQ(db().Scan(0, 10, [&](const Entry&) { ++calls; }), 0u);
  EXPECT_EQ(db().Scan(UINT64_MAX, 10, [&](const Entry&) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  for (int i = 0; i < 100; ++i) db().Insert("k" + std::to_string(i), Value());
  uint64_t c = UINT64_MAX;
  int bound = 0;
  while (c != 0 && bound++ < 1000) c = db().Scan(c, 0, [](const Entry&) {});
  EXPECT_EQ(c, 0u);
  c = 9223372036854775808ull;
  bound = 0;
  while (c != 0 && bound++ < 1000) c = db().Scan(c, 1000, [](const Entry&) {});
  EXPECT_EQ(c, 0u);
}

// SCAN through Database while other keys come and go (forcing resizes mid-iteration).
TEST_F(DatabaseTest, ScanGuaranteeUnderChurn) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    db().Clear();
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 200; ++i) db().Insert("stable:" + std::to_string(i), Value());
    std::vector<std::string> churn;
    int next = 0;
    std::unordered_set<std::string> seen;
    uint64_t cursor = 0;
    int steps = 0;
    do {
      cursor = db().Scan(cursor, 5, [&](const Entry& e) { seen.insert(std::string(e.key())); });
      ++steps;
      const bool growing = steps < 60;
      for (int i = static_cast<int>(rng() % 300); i > 0; --i) {
        if (growing) {
          churn.push_back("churn:" + std::to_string(next++));
          db().Insert(churn.back(), Value());
        } else if (!churn.empty()) {
          size_t pick = rng() % churn.size();
          ASSERT_TRUE(db().Delete(churn[pick]));
          churn[pick] = churn.back();
          churn.pop_back();
        }
      }
      ASSERT_LT(steps, 1'000'000);
    } while (cursor != 0);
    for (int i = 0; i < 200; ++i) {
      EXPECT_TRUE(seen.count("stable:" + std::to_string(i))) << "seed " << seed << " " << i;
    }
  }
}

TEST_F(DatabaseTest, RandomEntry) {
  EXPECT_EQ(db().RandomEntry(), nullptr);
  db().Insert("only", Value());
  EXPECT_EQ(db().RandomEntry()->key(), "only");
  for (int i = 0; i < 50; ++i) db().Insert("k" + std::to_string(i), Value());
  std::set<std::string> seen;
  for (int i = 0; i < 3000; ++i) seen.insert(std::string(db().RandomEntry()->key()));
  EXPECT_EQ(seen.size(), 51u);
}

TEST_F(DatabaseTest, RandomEntrySkipsExpired) {
  for (int i = 0; i < 100; ++i) {
    Entry* e = db().Insert("k" + std::to_string(i), Value());
    if (i != 42) db().SetExpire(e, now() + 1);
  }
  Advance(2);
  // A pick may land on the one live key first (1 in 100 per call, with a random table
  // seed), so sample a few times: each answer is the live key or, after 100 expired
  // samples, an expired one, and expired samples get reclaimed along the way.
  for (int i = 0; i < 20 && db().size() == 100u; ++i) {
    Entry* e = db().RandomEntry();
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->key() == "k42" || db().GetExpire(e) < now());
  }
  EXPECT_LT(db().size(), 100u);
}

TEST_F(DatabaseTest, RandomEntryAllExpiredTerminates) {
  // Few keys: all get reclaimed and the db ends up empty.
  for (int i = 0; i < 20; ++i) db().SetExpire(db().Insert("s" + std::to_string(i), Value()), now());
  Advance(1);
  EXPECT_EQ(db().RandomEntry(), nullptr);
  EXPECT_EQ(db().size(), 0u);
  // Many keys: bounded tries, then an expired key is returned rather than looping.
  for (int i = 0; i < 5000; ++i)
    db().SetExpire(db().Insert("m" + std::to_string(i), Value()), now());
  Advance(1);
  Entry* e = db().RandomEntry();
  ASSERT_NE(e, nullptr);
  EXPECT_LT(db().GetExpire(e), now());
  EXPECT_GE(db().size(), 4900u);
}

TEST_F(DatabaseTest, ExpireSampleExpiresOnlyDueKeys) {
  for (int i = 0; i < 100; ++i) {
    Entry* e = db().Insert("k" + std::to_string(i), Value());
    db().SetExpire(e, now() + (i < 50 ? 1 : 100000));
  }
  db().Insert("forever", Value());
  Advance(2);
  size_t total_expired = 0;
  for (int round = 0; round < 100 && db().expires_size() > 50; ++round) {
    auto [checked, expired] = db().ExpireSample(20);
    EXPECT_LE(expired, checked);
    total_expired += expired;
  }
  EXPECT_EQ(total_expired, 50u);
  EXPECT_EQ(db().size(), 51u);
  EXPECT_EQ(ks_.stats().expired_keys, 50u);
  EXPECT_GT(db().avg_ttl_ms(), 0);
  EXPECT_EQ(db().ExpireSample(20).second, 0u);
}

TEST_F(DatabaseTest, GrowTo1MAndShrinkBack) {
  constexpr int kN = 1'000'000;
  auto key = [](int i) { return "key:" + std::to_string(i); };
  for (int i = 0; i < kN; ++i) {
    Entry* e = db().Insert(key(i), Value::String("abc"));
    if (i % 4 == 0) db().SetExpire(e, now() + 1'000'000);
    const int n = i + 1;
    if ((n & (n - 1)) == 0 || n % 250'000 == 0) {
      for (int j = 0; j < n; ++j) ASSERT_NE(db().FindNoTouch(key(j)), nullptr) << j;
    }
  }
  EXPECT_EQ(db().size(), static_cast<size_t>(kN));
  EXPECT_EQ(db().expires_size(), static_cast<size_t>(kN / 4));
  // Table overhead stays near one pointer per key (plus the TTL index for 1/4 of them).
  EXPECT_LT(db().OverheadMemoryUsage(), 3u * 8 * kN);
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(db().Delete(key(i)));
    const int left = kN - i - 1;
    if (left > 0 && left % 250'000 == 0) {
      for (int j = i + 1; j < kN; ++j) ASSERT_NE(db().FindNoTouch(key(j)), nullptr) << j;
    }
  }
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(db().expires_size(), 0u);
  EXPECT_EQ(db().OverheadMemoryUsage(), 0u);
}

TEST_F(DatabaseTest, RehashStepFinishesAResize) {
  for (int i = 0; i < 5000; ++i) db().Insert("k" + std::to_string(i), Value());
  for (int i = 0; i < 4900; ++i) db().Delete("k" + std::to_string(i));
  db().RehashStep(1000);  // ManualClock: time stands still, so it runs to completion
  EXPECT_LE(db().OverheadMemoryUsage(), 128u * 8);
  for (int i = 4900; i < 5000; ++i) EXPECT_TRUE(db().Exists("k" + std::to_string(i)));
}

TEST_F(DatabaseTest, EntryMemoryUsage) {
  Entry* small = db().Insert("key:123456", Value::String("abc"));
  EXPECT_GE(Database::EntryMemoryUsage(*small), sizeof(Entry) + 10);
  EXPECT_LE(Database::EntryMemoryUsage(*small), 64u);
  Entry* big = db().Insert("big", Value::String(std::string(1000, 'b')));
  EXPECT_GE(Database::EntryMemoryUsage(*big), sizeof(Entry) + 3 + 1000);
}

}  // namespace
}  // namespace gannet
