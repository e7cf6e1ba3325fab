// IncrementalTable: growth to 1M and shrink back with every key findable at each resize
// point (including mid-rehash), and SCAN's guarantee while the table grows and shrinks
// between scan steps.
#include "key_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gannet::engine_internal {
namespace {

struct TNode {
  TNode* next;
  uint64_t key;
};

struct TTraits {
  using Node = TNode;
  using Key = uint64_t;
  static TNode*& Next(TNode* n) { return n->next; }
  static uint64_t HashNode(const TNode* n, uint64_t seed) {
    return HashBytes(reinterpret_cast<const char*>(&n->key), sizeof(n->key), seed);
  }
  static bool Matches(const TNode* n, uint64_t k) { return n->key == k; }
};

using Table = IncrementalTable<TTraits>;

uint64_t H(const Table& t, uint64_t k) {
  return HashBytes(reinterpret_cast<const char*>(&k), sizeof(k), t.seed());
}

class TableHarness {
 public:
  explicit TableHarness(uint64_t seed) : table_(seed) {}
  ~TableHarness() {
    table_.Clear([](TNode*) {});
  }
  void Insert(uint64_t k) {
    auto n = std::make_unique<TNode>(TNode{nullptr, k});
    table_.Insert(n.get(), H(table_, k));
    nodes_[k] = std::move(n);
  }
  bool Erase(uint64_t k) {
    TNode* n = table_.UnlinkKey(k, H(table_, k));
    if (n == nullptr) return false;
    EXPECT_EQ(n->key, k);
    nodes_.erase(k);
    return true;
  }
  bool Has(uint64_t k) { return table_.Find(k, H(table_, k)) != nullptr; }
  void CheckAll() {
    for (const auto& [k, n] : nodes_) {
      ASSERT_EQ(table_.Find(k, H(table_, k)), n.get()) << k;
    }
    ASSERT_EQ(table_.size(), nodes_.size());
  }
  Table& table() { return table_; }
  size_t size() const { return nodes_.size(); }

 private:
  Table table_;
  std::unordered_map<uint64_t, std::unique_ptr<TNode>> nodes_;
};

TEST(KeyTableTest, EmptyTable) {
  Table t(1);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Find(5, H(t, 5)), nullptr);
  EXPECT_EQ(t.UnlinkKey(5, H(t, 5)), nullptr);
  int calls = 0;
  EXPECT_EQ(t.ScanStep(0, [&](TNode*) { ++calls; }), 0u);
  EXPECT_EQ(t.ScanStep(12345, [&](TNode*) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  SplitMix64 rng{1};
  EXPECT_EQ(t.RandomNode(rng), nullptr);
  EXPECT_EQ(t.bucket_count(), 0u);
}

TEST(KeyTableTest, GrowTo1MAndShrinkBack) {
  constexpr uint64_t kN = 1'000'000;
  TableHarness h(42);
  bool saw_rehash = false;
  for (uint64_t k = 0; k < kN; ++k) {
    h.Insert(k * 7919);
    ASSERT_TRUE(h.Has(k * 7919));
    // Load factor stays near 1: never more than 2 keys per bucket on average, even
    // mid-rehash (the old array counts too).
    ASSERT_LE(h.table().size(), 2 * h.table().bucket_count());
    const uint64_t n = k + 1;
    saw_rehash |= h.table().rehashing();
    // Full checks right after each resize starts, and halfway through it.
    if ((n & (n - 1)) == 0 ||
        (n > 8 && ((n - n / 4) & (n - n / 4 - 1)) == 0 && h.table().rehashing())) {
      h.CheckAll();
    }
  }
  EXPECT_TRUE(saw_rehash);
  h.CheckAll();
  EXPECT_LE(h.table().bucket_count(), 2 * (1u << 20));
  bool saw_shrink = false;
  const uint64_t start_buckets = h.table().bucket_count();
  for (uint64_t k = 0; k < kN; ++k) {
    ASSERT_TRUE(h.Erase(k * 7919));
    ASSERT_FALSE(h.Has(k * 7919));
    const uint64_t left = kN - k - 1;
    if (h.table().bucket_count() < start_buckets) saw_shrink = true;
    if (left > 0 && (left & (left - 1)) == 0 && left >= 1024) h.CheckAll();
  }
  EXPECT_TRUE(saw_shrink);
  EXPECT_EQ(h.table().size(), 0u);
  EXPECT_EQ(h.table().bucket_count(), 0u);  // everything freed with the last key
}

TEST(KeyTableTest, ShrinksBelowTenPercent) {
  TableHarness h(7);
  for (uint64_t k = 0; k < 10000; ++k) h.Insert(k);
  while (h.table().RehashSteps(100)) {
  }
  EXPECT_EQ(h.table().bucket_count(), 16384u);
  for (uint64_t k = 100; k < 10000; ++k) ASSERT_TRUE(h.Erase(k));
  while (h.table().RehashSteps(100)) {
  }
  EXPECT_EQ(h.table().bucket_count(), 128u);  // next power of two >= 100
  h.CheckAll();
}

// The SCAN guarantee, randomized: a stable set of keys lives through the whole
// iteration while other keys are inserted and deleted between steps so that the table
// grows and shrinks (each resize is incremental, so steps land mid-rehash). Every stable
// key must be returned; keys may repeat.
void RunScanChurn(uint64_t seed) {
  std::mt19937_64 rng(seed);
  TableHarness h(seed * 31 + 1);
  std::unordered_set<uint64_t> stable;
  std::vector<uint64_t> churn;
  for (uint64_t k = 0; k < 300; ++k) {
    h.Insert(k);
    stable.insert(k);
  }
  uint64_t next_key = 1'000'000;
  std::unordered_set<uint64_t> returned;
  uint64_t cursor = 0;
  int steps = 0;
  bool grew_mid = false, shrank_mid = false;
  do {
    cursor = h.table().ScanStep(cursor, [&](TNode* n) { returned.insert(n->key); });
    ++steps;
    // Phase 1 (first 150 steps): grow hard. Phase 2: delete the churn keys again.
    const bool growing = steps < 150;
    const int ops = static_cast<int>(rng() % 400);
    for (int i = 0; i < ops; ++i) {
      if (growing || churn.empty() || rng() % 10 == 0) {
        if (!growing && churn.size() < 10) continue;
        h.Insert(next_key);
        churn.push_back(next_key++);
      } else {
        size_t pick = rng() % churn.size();
        ASSERT_TRUE(h.Erase(churn[pick]));
        churn[pick] = churn.back();
        churn.pop_back();
      }
    }
    if (h.table().rehashing()) {
      if (h.table().shrinking()) {
        shrank_mid = true;
      } else {
        grew_mid = true;
      }
    }
    ASSERT_LT(steps, 10'000'000);
  } while (cursor != 0);
  for (uint64_t k : stable) EXPECT_TRUE(returned.count(k)) << "seed " << seed << " key " << k;
  EXPECT_TRUE(grew_mid) << seed;
  EXPECT_TRUE(shrank_mid) << seed;
  h.CheckAll();
}

TEST(KeyTableTest, ScanReturnsStableKeysDuringGrowAndShrink) {
  for (uint64_t seed = 1; seed <= 8; ++seed) RunScanChurn(seed);
}

TEST(KeyTableTest, ScanWithoutChurnVisitsEachKeyOnce) {
  TableHarness h(3);
  for (uint64_t k = 0; k < 5000; ++k) h.Insert(k);
  while (h.table().RehashSteps(100)) {
  }
  std::unordered_map<uint64_t, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = h.table().ScanStep(cursor, [&](TNode* n) { ++seen[n->key]; });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
  for (const auto& [k, c] : seen) EXPECT_EQ(c, 1) << k;
}

TEST(KeyTableTest, ArbitraryCursorsDoNotCrash) {
  TableHarness h(5);
  for (uint64_t k = 0; k < 1000; ++k) h.Insert(k);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 1000; ++i) {
    uint64_t c = rng();
    if (i == 0) c = UINT64_MAX;
    if (i == 1) c = 1ull << 63;
    int bound = 0;
    while (c != 0 && bound++ < 5000) c = h.table().ScanStep(c, [](TNode*) {});
    EXPECT_EQ(c, 0u);
  }
}

TEST(KeyTableTest, ArbitraryCursorsMidRehash) {
  std::mt19937_64 rng(21);
  TableHarness grow(6);
  for (uint64_t k = 0; k < 1025; ++k) grow.Insert(k);  // growth to 2048 just started
  ASSERT_TRUE(grow.table().rehashing());
  ASSERT_FALSE(grow.table().shrinking());
  TableHarness shrink(8);
  for (uint64_t k = 0; k < 4096; ++k) shrink.Insert(k);
  while (shrink.table().RehashSteps(100)) {
  }
  for (uint64_t k = 100; k < 4096; ++k) shrink.Erase(k);
  ASSERT_TRUE(shrink.table().shrinking());
  for (TableHarness* h : {&grow, &shrink}) {
    for (int i = 0; i < 200; ++i) {
      uint64_t c = i == 0 ? UINT64_MAX : rng();
      int bound = 0;
      while (c != 0 && bound++ < 100000) c = h->table().ScanStep(c, [](TNode*) {});
      EXPECT_EQ(c, 0u);
    }
    // And a full scan from 0 mid-rehash returns every key.
    std::unordered_set<uint64_t> seen;
    uint64_t c = 0;
    do {
      c = h->table().ScanStep(c, [&](TNode* n) { seen.insert(n->key); });
    } while (c != 0);
    EXPECT_EQ(seen.size(), h->size());
  }
}

TEST(KeyTableTest, RandomNodeCoversKeysAndSurvivesSparseTables) {
  TableHarness h(11);
  for (uint64_t k = 0; k < 64; ++k) h.Insert(k);
  SplitMix64 rng{123};
  std::unordered_set<uint64_t> seen;
  for (int i = 0; i < 5000; ++i) seen.insert(h.table().RandomNode(rng)->key);
  EXPECT_EQ(seen.size(), 64u);
  // A very sparse table mid-shrink: grow big, delete almost everything quickly.
  TableHarness s(12);
  for (uint64_t k = 0; k < 200000; ++k) s.Insert(k);
  while (s.table().RehashSteps(1000)) {
  }
  for (uint64_t k = 1; k < 200000; ++k) s.Erase(k);
  EXPECT_EQ(s.table().RandomNode(rng)->key, 0u);
}

}  // namespace
}  // namespace gannet::engine_internal
