// StreamObject against a model: seeded random XADD / XDEL / XTRIM (exact and approximate,
// by length and by ID) checked after every step against a std::map of the live entries,
// including forward and reverse ranges across node boundaries, the first/last IDs and
// the 7.0 counters. Also Clone independence, node limits and consumer-group bookkeeping.
#include "gannet/engine/stream_object.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace gannet {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Model = std::map<StreamID, Fields>;

Fields ToFields(const StreamObject::FieldList& f) {
  Fields out;
  for (const auto& [k, v] : f) out.emplace_back(std::string(k), std::string(v));
  return out;
}

void Add(StreamObject& s, Model& m, const StreamID& id, const Fields& fields) {
  std::vector<std::string_view> flat;
  for (const auto& [k, v] : fields) {
    flat.push_back(k);
    flat.push_back(v);
  }
  s.Append(id, flat);
  m[id] = fields;
}

// Every live entry, both directions, plus a few random sub-ranges with counts.
void CheckAgainstModel(const StreamObject& s, const Model& m, std::mt19937_64& rng) {
  ASSERT_EQ(s.length(), m.size());
  {
    StreamObject::Iterator it(s, StreamID::Min(), StreamID::Max(), false);
    StreamID id;
    StreamObject::FieldList f;
    auto mit = m.begin();
    while (it.Next(&id, &f)) {
      ASSERT_NE(mit, m.end());
      ASSERT_EQ(id, mit->first);
      ASSERT_EQ(ToFields(f), mit->second);
      ++mit;
    }
    ASSERT_EQ(mit, m.end());
  }
  {
    StreamObject::Iterator it(s, StreamID::Min(), StreamID::Max(), true);
    StreamID id;
    StreamObject::FieldList f;
    auto mit = m.rbegin();
    while (it.Next(&id, &f)) {
      ASSERT_NE(mit, m.rend());
      ASSERT_EQ(id, mit->first);
      ++mit;
    }
    ASSERT_EQ(mit, m.rend());
  }
  if (!m.empty()) {
    StreamID first, last;
    ASSERT_TRUE(s.FirstEntryId(&first));
    ASSERT_TRUE(s.LastEntryId(&last));
    EXPECT_EQ(first, m.begin()->first);
    EXPECT_EQ(last, m.rbegin()->first);
    EXPECT_EQ(s.first_id(), m.begin()->first);
  } else {
    StreamID id;
    EXPECT_FALSE(s.FirstEntryId(&id));
    EXPECT_TRUE(s.first_id().IsZero());
  }
  for (int k = 0; k < 3 && !m.empty(); ++k) {
    uint64_t hi_ms = m.rbegin()->first.ms + 2;
    StreamID a{rng() % hi_ms, rng() % 3};
    StreamID b{rng() % hi_ms, rng() % 3};
    if (b < a) std::swap(a, b);
    bool rev = rng() % 2;
    std::vector<StreamID> want;
    for (auto it = m.lower_bound(a); it != m.end() && it->first <= b; ++it)
      want.push_back(it->first);
    if (rev) std::reverse(want.begin(), want.end());
    std::vector<StreamID> got;
    StreamObject::Iterator it(s, a, b, rev);
    StreamID id;
    StreamObject::FieldList f;
    while (it.Next(&id, &f)) got.push_back(id);
    ASSERT_EQ(got, want) << a.ToString() << ".." << b.ToString() << (rev ? " rev" : "");
    Fields lookup_fields;
    if (!want.empty()) {
      StreamObject::FieldList lf;
      ASSERT_TRUE(s.Lookup(want[0], &lf));
      EXPECT_EQ(ToFields(lf), m.at(want[0]));
    }
  }
}

class StreamObjectRandomTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(StreamObjectRandomTest, MatchesModel) {
  std::mt19937_64 rng(GetParam());
  // Small nodes so that splits, whole-node removal and in-node trimming all happen often.
  StreamObject s(256, 1 + rng() % 12);
  Model m;
  StreamID next{1, 0};
  uint64_t added = 0;
  StreamID max_deleted;
  const std::vector<std::string> names = {"f", "g", "field", "x", ""};
  for (int step = 0; step < 3000; ++step) {
    int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      // Mostly the same field names (SAMEFIELDS), sometimes others, sometimes big values.
      Fields f;
      size_t n = 1 + rng() % 3;
      bool same = rng() % 4 != 0;
      for (size_t i = 0; i < n; ++i) {
        std::string name = same ? names[i] : names[rng() % names.size()];
        std::string value(rng() % 8 == 0 ? 300 : rng() % 10, static_cast<char>('a' + step % 26));
        f.emplace_back(name, value);
      }
      Add(s, m, next, f);
      ++added;
      if (rng() % 3 == 0) {
        next.ms += 1 + rng() % 1000;
        next.seq = rng() % 2;
      } else {
        ++next.seq;
      }
    } else if (op < 8) {
      if (m.empty()) continue;
      // Delete a live entry, or a missing one.
      StreamID id;
      if (rng() % 5 == 0) {
        id = StreamID{rng() % (next.ms + 1), rng() % 4};
      } else {
        auto it = m.begin();
        std::advance(it, static_cast<long>(rng() % m.size()));
        id = it->first;
      }
      bool present = m.erase(id) == 1;
      ASSERT_EQ(s.Delete(id), present) << id.ToString();
      if (present && id > max_deleted) max_deleted = id;
    } else {
      StreamTrimArgs t;
      t.approx = rng() % 2;
      t.limit = t.approx && rng() % 2 ? static_cast<int64_t>(rng() % 50) : 0;
      size_t before = m.size();
      if (rng() % 2) {
        t.strategy = StreamTrimStrategy::kMaxLen;
        t.maxlen = static_cast<int64_t>(rng() % (m.size() + 5));
      } else {
        t.strategy = StreamTrimStrategy::kMinId;
        t.minid = StreamID{rng() % (next.ms + 1), rng() % 3};
      }
      int64_t removed = s.Trim(t);
      ASSERT_GE(removed, 0);
      // Trimming removes a prefix of the live entries.
      for (int64_t i = 0; i < removed; ++i) m.erase(m.begin());
      ASSERT_EQ(s.length(), m.size());
      if (!t.approx && t.limit == 0) {
        if (t.strategy == StreamTrimStrategy::kMaxLen) {
          EXPECT_EQ(m.size(), std::min<size_t>(before, static_cast<size_t>(t.maxlen)));
        } else {
          EXPECT_TRUE(m.empty() || m.begin()->first >= t.minid);
        }
      } else if (t.strategy == StreamTrimStrategy::kMaxLen) {
        EXPECT_GE(m.size(), std::min<size_t>(before, static_cast<size_t>(t.maxlen)));
      }
      if (t.limit != 0) {
        EXPECT_LE(removed, t.limit);
      }
    }
    ASSERT_EQ(s.entries_added(), added);
    ASSERT_EQ(s.max_deleted_id(), max_deleted);
    if (step % 50 == 0 || step > 2950) {
      CheckAgainstModel(s, m, rng);
      if (HasFatalFailure()) return;
    }
  }
  // A clone is equal and independent.
  auto clone_base = s.Clone();
  auto* clone = static_cast<StreamObject*>(clone_base.get());
  CheckAgainstModel(*clone, m, rng);
  if (!m.empty()) {
    StreamID first = m.begin()->first;
    ASSERT_TRUE(s.Delete(first));
    StreamObject::FieldList f;
    EXPECT_TRUE(clone->Lookup(first, &f));
    EXPECT_FALSE(s.Lookup(first, &f));
  }
  EXPECT_GT(s.MemoryUsage(), sizeof(StreamObject));
}

INSTANTIATE_TEST_SUITE_P(Seeds, StreamObjectRandomTest, ::testing::Values(1, 2, 3, 4, 5, 42, 99));

TEST(StreamObjectTest, NodesRespectEntryAndByteLimits) {
  StreamObject s(4096, 100);
  std::string v = "value";
  std::vector<std::string_view> fv = {"f", v};
  for (uint64_t i = 1; i <= 1000; ++i) s.Append({i, 0}, fv);
  EXPECT_EQ(s.node_count(), 10u);
  // Large entries split on bytes before the entry limit.
  StreamObject big(4096, 100);
  std::string large(1000, 'x');
  std::vector<std::string_view> lf = {"f", large};
  for (uint64_t i = 1; i <= 40; ++i) big.Append({i, 0}, lf);
  EXPECT_GE(big.node_count(), 10u);
  // Zero means unlimited.
  StreamObject unlimited(0, 0);
  for (uint64_t i = 1; i <= 1000; ++i) unlimited.Append({i, 0}, fv);
  EXPECT_EQ(unlimited.node_count(), 1u);
}

TEST(StreamObjectTest, CompactEncoding) {
  // 10000 small entries with repeated field names: well under 16 bytes of overhead each.
  StreamObject s(4096, 100);
  std::string v = "12345";
  std::vector<std::string_view> fv = {"temperature", v, "humidity", v};
  for (uint64_t i = 1; i <= 10000; ++i) s.Append({1700000000000 + i, 0}, fv);
  size_t per_entry = s.MemoryUsage() / 10000;
  EXPECT_LT(per_entry, 30u) << s.MemoryUsage();
}

TEST(StreamObjectTest, IdArithmetic) {
  StreamID id{5, UINT64_MAX};
  ASSERT_TRUE(id.Incr());
  EXPECT_EQ(id, (StreamID{6, 0}));
  ASSERT_TRUE(id.Decr());
  EXPECT_EQ(id, (StreamID{5, UINT64_MAX}));
  StreamID max = StreamID::Max();
  EXPECT_FALSE(max.Incr());
  StreamID min = StreamID::Min();
  EXPECT_FALSE(min.Decr());
  EXPECT_EQ((StreamID{12, 3}).ToString(), "12-3");
}

TEST(StreamObjectTest, GroupsAndPendingEntries) {
  StreamObject s(4096, 100);
  std::vector<std::string_view> fv = {"f", "v"};
  for (uint64_t i = 1; i <= 3; ++i) s.Append({i, 0}, fv);
  StreamGroup* g = s.CreateGroup("g", {0, 0}, kInvalidEntriesRead);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", {0, 0}, 0), nullptr);
  bool created = false;
  StreamConsumer* a = g->GetOrCreateConsumer("a", 10, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(g->GetOrCreateConsumer("a", 20, &created), a);
  EXPECT_FALSE(created);
  for (uint64_t i = 1; i <= 3; ++i) {
    g->pel.emplace(StreamID{i, 0}, StreamPendingEntry{10, 1, a});
    a->pel.insert({i, 0});
  }
  EXPECT_TRUE(g->Ack({2, 0}));
  EXPECT_FALSE(g->Ack({2, 0}));
  EXPECT_EQ(a->pel.size(), 2u);
  auto copy = s.Clone();
  auto* cs = static_cast<StreamObject*>(copy.get());
  StreamGroup* cg = cs->FindGroup("g");
  ASSERT_NE(cg, nullptr);
  // The copy's PEL points at the copy's consumers.
  EXPECT_EQ(cg->pel.at({1, 0}).consumer, cg->FindConsumer("a"));
  EXPECT_EQ(g->DeleteConsumer("a"), 2u);
  EXPECT_TRUE(g->pel.empty());
  EXPECT_EQ(cg->pel.size(), 2u);
  EXPECT_TRUE(s.DestroyGroup("g"));
  EXPECT_FALSE(s.DestroyGroup("g"));
  EXPECT_EQ(s.group_count(), 0u);
}

TEST(StreamObjectTest, LagCounters) {
  StreamObject s(4096, 100);
  std::vector<std::string_view> fv = {"f", "v"};
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({5, 0}), 0);
  for (uint64_t i = 1; i <= 4; ++i) s.Append({i, 0}, fv);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({4, 0}), 4);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({5, 0}), kInvalidEntriesRead);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({0, 0}), 0);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({1, 0}), 1);
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({2, 0}), kInvalidEntriesRead);
  EXPECT_FALSE(s.RangeHasTombstones({0, 0}, StreamID::Max()));
  ASSERT_TRUE(s.Delete({3, 0}));
  EXPECT_TRUE(s.RangeHasTombstones({0, 0}, StreamID::Max()));
  EXPECT_FALSE(s.RangeHasTombstones({3, 1}, StreamID::Max()));
  EXPECT_EQ(s.EstimateDistanceFromFirstEverEntry({1, 0}), kInvalidEntriesRead);
}

}  // namespace
}  // namespace gannet
