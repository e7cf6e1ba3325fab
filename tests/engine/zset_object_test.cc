// ZSetObject against a std::set<(score, member)> + std::map<member, score> model, in both
// encodings, with seeded random operations; plus range parsing and conversions.
#include "gannet/engine/zset_object.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gannet {
namespace {

using Item = std::pair<double, std::string>;

struct Model {
  std::map<std::string, double> by_member;
  std::set<Item> ordered;

  void Put(const std::string& m, double s) {
    auto it = by_member.find(m);
    if (it != by_member.end()) ordered.erase({it->second, m});
    by_member[m] = s;
    ordered.insert({s, m});
  }
  bool Del(const std::string& m) {
    auto it = by_member.find(m);
    if (it == by_member.end()) return false;
    ordered.erase({it->second, m});
    by_member.erase(it);
    return true;
  }
  std::vector<Item> All() const { return {ordered.begin(), ordered.end()}; }
};

std::vector<Item> Dump(const ZSetObject& z, size_t b, size_t e, bool rev) {
  std::vector<Item> out;
  z.ForEachInRanks(b, e, rev, [&](std::string_view m, double s) { out.emplace_back(s, m); });
  return out;
}

void CheckSame(const ZSetObject& z, const Model& m) {
  ASSERT_TRUE(z.Validate());
  ASSERT_EQ(z.size(), m.ordered.size());
  ASSERT_EQ(Dump(z, 0, z.size(), false), m.All());
}

void RunRandom(bool big, uint32_t seed, int ops, int keyspace) {
  std::mt19937 rng(seed);
  ZSetObject::Limits limits{big ? 0u : 1000000u, 1000000};
  ZSetObject z(big);
  Model m;
  auto member = [&] { return "m" + std::to_string(rng() % keyspace); };
  auto score = [&] { return static_cast<double>(static_cast<int>(rng() % 200) - 100) / 4; };
  for (int i = 0; i < ops; ++i) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 5) {
      const std::string k = member();
      const double s = score();
      const bool existed = m.by_member.count(k) > 0;
      auto r = z.Add(k, s, 0, limits);
      if (!existed) {
        ASSERT_EQ(r.outcome, ZSetObject::AddOutcome::kAdded);
      }
      m.Put(k, s);
    } else if (op < 7) {
      const std::string k = member();
      ASSERT_EQ(z.Remove(k), m.Del(k));
    } else if (op == 7) {
      const std::string k = member();
      auto rank = z.Rank(k, false);
      auto it = m.by_member.find(k);
      if (it == m.by_member.end()) {
        ASSERT_FALSE(rank.has_value());
        ASSERT_FALSE(z.Score(k).has_value());
      } else {
        const auto expect =
            static_cast<size_t>(std::distance(m.ordered.begin(), m.ordered.find({it->second, k})));
        ASSERT_EQ(rank, expect);
        ASSERT_EQ(z.Rank(k, true), m.ordered.size() - 1 - expect);
        ASSERT_EQ(z.Score(k), it->second);
      }
    } else if (op == 8) {
      ZScoreRange r{score(), score(), (rng() & 1) != 0, (rng() & 1) != 0};
      auto [b, e] = z.ScoreRangeRanks(r);
      std::vector<Item> expect;
      for (const auto& it : m.ordered) {
        const bool lo = r.min_exclusive ? it.first > r.min : it.first >= r.min;
        const bool hi = r.max_exclusive ? it.first < r.max : it.first <= r.max;
        if (lo && hi) expect.push_back(it);
      }
      ASSERT_EQ(Dump(z, b, e, false), expect);
      std::vector<Item> rev(expect.rbegin(), expect.rend());
      ASSERT_EQ(Dump(z, b, e, true), rev);
    } else {
      // Remove a random rank range.
      if (m.ordered.empty()) continue;
      const size_t b = rng() % m.ordered.size();
      const size_t e = std::min(m.ordered.size(), b + rng() % 5);
      std::vector<std::string> doomed;
      for (auto it = std::next(m.ordered.begin(), static_cast<long>(b)); doomed.size() < e - b;
           ++it) {
        doomed.push_back(it->second);
      }
      for (const auto& k : doomed) m.Del(k);
      ASSERT_EQ(z.RemoveRanks(b, e), e - b);
    }
    if (i % (keyspace > 1000 ? 4999 : 97) == 0) CheckSame(z, m);
  }
  CheckSame(z, m);
}

TEST(ZSetObjectTest, RandomListpack) { RunRandom(false, 1, 3000, 60); }
TEST(ZSetObjectTest, RandomBigSmallKeyspace) { RunRandom(true, 2, 20000, 300); }
TEST(ZSetObjectTest, RandomBigLargeKeyspace) { RunRandom(true, 3, 60000, 20000); }

TEST(ZSetObjectTest, LexRangesOnEqualScores) {
  for (bool big : {false, true}) {
    ZSetObject z(big);
    ZSetObject::Limits limits;
    std::set<std::string> model;
    std::mt19937 rng(7);
    for (int i = 0; i < 500; ++i) {
      std::string m(1 + rng() % 3, 'a');
      for (auto& c : m) c = static_cast<char>('a' + rng() % 5);
      z.Insert(m, 0, big ? ZSetObject::Limits{0, 0} : ZSetObject::Limits{100000, 100000});
      model.insert(m);
    }
    (void)limits;
    const char* bounds[] = {"-", "+", "[a", "(a", "[bc", "(bc", "[e", "(eee", "[", "("};
    for (const char* lo : bounds) {
      for (const char* hi : bounds) {
        auto r = ParseZLexRange(lo, hi);
        ASSERT_TRUE(r.has_value());
        auto [b, e] = z.LexRangeRanks(*r);
        std::vector<std::string> got;
        z.ForEachInRanks(b, e, false, [&](std::string_view m, double) { got.emplace_back(m); });
        std::vector<std::string> expect;
        for (const auto& m : model) {
          bool gte = r->min.kind == ZLexBound::kMinusInf ||
                     (r->min.kind == ZLexBound::kInclusive && m >= r->min.value) ||
                     (r->min.kind == ZLexBound::kExclusive && m > r->min.value);
          bool lte = r->max.kind == ZLexBound::kPlusInf ||
                     (r->max.kind == ZLexBound::kInclusive && m <= r->max.value) ||
                     (r->max.kind == ZLexBound::kExclusive && m < r->max.value);
          if (gte && lte) expect.push_back(m);
        }
        EXPECT_EQ(got, expect) << lo << " " << hi << " big=" << big;
      }
    }
  }
}

TEST(ZSetObjectTest, ConversionAtThresholds) {
  ZSetObject::Limits limits{4, 8};
  ZSetObject z(limits, 1);
  EXPECT_TRUE(z.is_listpack());
  for (int i = 0; i < 4; ++i) z.Add("m" + std::to_string(i), i, 0, limits);
  EXPECT_TRUE(z.is_listpack());
  z.Add("m4", 4, 0, limits);
  EXPECT_FALSE(z.is_listpack());
  EXPECT_EQ(z.size(), 5u);
  EXPECT_TRUE(z.Validate());

  ZSetObject y(limits, 1);
  y.Add("12345678", 1, 0, limits);
  EXPECT_TRUE(y.is_listpack());
  y.Add("123456789", 1, 0, limits);
  EXPECT_FALSE(y.is_listpack());

  ZSetObject w(limits, 9);
  EXPECT_FALSE(w.is_listpack());
  ZSetObject v(ZSetObject::Limits{0, 64}, 1);
  EXPECT_FALSE(v.is_listpack());
  v.Add("a", 1, 0, limits);
  v.ShrinkIfFits(limits);
  EXPECT_TRUE(v.is_listpack());
  EXPECT_EQ(v.Score("a"), 1.0);
}

// The listpack block holds the entries only, follows growth, rescoring (which moves an
// entry) and removal, and the set converts past Redis's defaults (128 entries, 64 bytes).
TEST(ZSetObjectTest, ListpackBlockHasNoHeaderAndConvertsAtTheDefaults) {
  const ZSetObject::Limits redis_defaults{128, 64};
  ZSetObject z(redis_defaults, 1);
  EXPECT_EQ(z.MemoryUsage(), 0u);
  for (int i = 0; i < 128; ++i) {
    // Long members (up to 63 bytes) and short ones; distinct, so every Add adds.
    const std::string m =
        (i % 2 ? std::string(60, 'x') : std::string("member:")) + std::to_string(i);
    z.Add(m, i * 1.5, 0, redis_defaults);
    ASSERT_TRUE(z.is_listpack()) << i;
    const Listpack* lp = z.listpack();
    ASSERT_EQ(lp->body().size(), lp->bytes_size() - 7);
    ASSERT_EQ(z.MemoryUsage(), lp->MemoryUsage());
    ASSERT_TRUE(z.Validate());
  }
  const size_t n = z.size();
  // Rescoring moves members within the block; the count stays.
  z.Add("member:0", 1e9, 0, redis_defaults);
  z.Add("member:2", -1e9, 0, redis_defaults);
  EXPECT_EQ(z.size(), n);
  EXPECT_TRUE(z.Validate());
  EXPECT_EQ(z.Rank("member:2", false), 0u);
  EXPECT_EQ(z.Rank("member:0", true), 0u);
  const std::string block = z.listpack()->Serialize();
  EXPECT_EQ(static_cast<size_t>(static_cast<unsigned char>(block[4]) |
                                static_cast<unsigned char>(block[5]) << 8),
            2 * n);
  // One more member past 128 entries converts.
  EXPECT_EQ(n, 128u);
  EXPECT_TRUE(z.is_listpack());
  z.Add("one-more", 0, 0, redis_defaults);
  EXPECT_FALSE(z.is_listpack());
  EXPECT_EQ(z.size(), 129u);
  EXPECT_TRUE(z.Validate());
  // A 65-byte member converts a fresh set.
  ZSetObject y(redis_defaults, 1);
  y.Add(std::string(64, 'm'), 1, 0, redis_defaults);
  EXPECT_TRUE(y.is_listpack());
  y.Add(std::string(65, 'm'), 1, 0, redis_defaults);
  EXPECT_FALSE(y.is_listpack());
  // Removing every member frees the block.
  ZSetObject w(redis_defaults, 1);
  w.Add("a", 1, 0, redis_defaults);
  EXPECT_GT(w.MemoryUsage(), 0u);
  EXPECT_TRUE(w.Remove("a"));
  EXPECT_EQ(w.MemoryUsage(), 0u);
  EXPECT_TRUE(w.empty());
}

TEST(ZSetObjectTest, AddFlagsAndIncr) {
  for (bool big : {false, true}) {
    ZSetObject::Limits limits{big ? 0u : 128u, 64};
    ZSetObject z(big);
    using O = ZSetObject::AddOutcome;
    EXPECT_EQ(z.Add("a", 1, ZSetObject::kXx, limits).outcome, O::kSkipped);
    EXPECT_EQ(z.Add("a", 1, 0, limits).outcome, O::kAdded);
    EXPECT_EQ(z.Add("a", 5, ZSetObject::kNx, limits).outcome, O::kSkipped);
    EXPECT_EQ(z.Add("a", 0, ZSetObject::kGt, limits).outcome, O::kSkipped);
    EXPECT_EQ(z.Add("a", 3, ZSetObject::kGt, limits).outcome, O::kUpdated);
    EXPECT_EQ(z.Add("a", 3, 0, limits).outcome, O::kUnchanged);
    auto r = z.Add("a", 2, ZSetObject::kIncr, limits);
    EXPECT_EQ(r.outcome, O::kUpdated);
    EXPECT_EQ(r.score, 5);
    EXPECT_EQ(z.Add("a", INFINITY, ZSetObject::kIncr, limits).score, INFINITY);
    EXPECT_EQ(z.Add("a", -INFINITY, ZSetObject::kIncr, limits).outcome, O::kNaN);
    EXPECT_EQ(z.Score("a"), INFINITY);
  }
}

TEST(ZSetObjectTest, NegativeZeroByEncoding) {
  ZSetObject lp(false);
  ZSetObject big(true);
  ZSetObject::Limits limits;
  lp.Add("x", -0.0, 0, limits);
  big.Add("x", -0.0, 0, limits);
  EXPECT_FALSE(std::signbit(*lp.Score("x")));  // Redis's listpack stores -0 as the int 0
  EXPECT_TRUE(std::signbit(*big.Score("x")));
}

TEST(ZSetObjectTest, ScanVisitsEveryMemberOnceWithoutChanges) {
  ZSetObject z(true);
  ZSetObject::Limits limits;
  for (int i = 0; i < 5000; ++i) z.Add("k" + std::to_string(i), i, 0, limits);
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int rounds = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](std::string_view m, double) { seen.emplace(m); });
    ASSERT_LT(++rounds, 100000);
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5000u);
}

TEST(ZSetObjectTest, ScanSurvivesGrowthAndDeletes) {
  ZSetObject z(true);
  ZSetObject::Limits limits;
  for (int i = 0; i < 1000; ++i) z.Add("k" + std::to_string(i), i, 0, limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](std::string_view m, double) { seen.emplace(m); });
    // Grow and shrink while scanning: k0..k999 stay present the whole time.
    if (step < 50) {
      for (int i = 0; i < 200; ++i) z.Add("x" + std::to_string(step * 200 + i), 1, 0, limits);
    } else if (step < 100) {
      for (int i = 0; i < 200; ++i) z.Remove("x" + std::to_string((step - 50) * 200 + i));
    }
    ++step;
    ASSERT_LT(step, 100000);
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("k" + std::to_string(i))) << i;
}

TEST(ZSetObjectTest, ParseRanges) {
  auto r = ParseZScoreRange("(1.5", "+inf");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->min_exclusive);
  EXPECT_EQ(r->min, 1.5);
  EXPECT_EQ(r->max, INFINITY);
  EXPECT_TRUE(ParseZScoreRange("(", ""));  // strtod reads both as 0, as Redis
  EXPECT_FALSE(ParseZScoreRange("a", "1"));
  EXPECT_FALSE(ParseZScoreRange("nan", "1"));
  EXPECT_FALSE(ParseZScoreRange("1", "1x"));
  EXPECT_TRUE(ParseZLexRange("-", "+"));
  EXPECT_TRUE(ParseZLexRange("[", "("));
  EXPECT_FALSE(ParseZLexRange("a", "+"));
  EXPECT_FALSE(ParseZLexRange("-a", "+"));
  EXPECT_FALSE(ParseZLexRange("", "+"));
}

TEST(ZSetObjectTest, CloneAndMemory) {
  for (bool big : {false, true}) {
    ZSetObject z(big);
    ZSetObject::Limits limits;
    for (int i = 0; i < 100; ++i) z.Add("m" + std::to_string(i), i * 0.5, 0, limits);
    auto c = z.Clone();
    auto* cz = &c;
    EXPECT_EQ(Dump(*cz, 0, 100, false), Dump(z, 0, 100, false));
    EXPECT_GT(z.MemoryUsage(), 100u);
  }
}

}  // namespace
}  // namespace gannet
