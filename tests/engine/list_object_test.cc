// ListObject (quicklist of listpacks): both ends, index, insert, erase ranges, node
// split/merge, and random operations checked against a std::deque model.
#include "gannet/engine/list_object.h"

#include <gtest/gtest.h>

#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace gannet {
namespace {

std::string ToStr(const ListObject::Element& e) { return e.ToStdString(); }
std::string ToStr(const std::string& s) { return s; }

std::vector<std::string> All(const ListObject& l) {
  std::vector<std::string> out;
  l.Visit(0, l.size(), [&](const ListObject::Element& e) {
    out.push_back(ToStr(e));
    return true;
  });
  return out;
}

std::vector<std::string> AllReverse(const ListObject& l) {
  std::vector<std::string> out;
  if (l.size() == 0) return out;
  l.VisitReverse(l.size() - 1, l.size(), [&](const ListObject::Element& e) {
    out.push_back(ToStr(e));
    return true;
  });
  return out;
}

// Every node respects the budget and none is empty; the sizes add up.
void CheckInvariants(const ListObject& l, size_t byte_limit) {
  size_t total = 0;
  for (size_t i = 0; i < l.node_count(); ++i) {
    EXPECT_GT(l.node_size(i), 0u) << "empty node " << i;
    if (l.node_size(i) > 1) {
      EXPECT_LE(l.node_bytes(i), byte_limit) << "node " << i;
    }
    total += l.node_size(i);
  }
  EXPECT_EQ(total, l.size());
}

TEST(ListObjectTest, PushPopBothEnds) {
  ListObject l(-2);
  l.PushBack("b");
  l.PushFront("a");
  l.PushBack("123");
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "b", "123"}));
  std::string v;
  ASSERT_TRUE(l.PopBack(&v));
  EXPECT_EQ(v, "123");
  ASSERT_TRUE(l.PopFront(&v));
  EXPECT_EQ(v, "a");
  ASSERT_TRUE(l.PopFront(&v));
  EXPECT_EQ(v, "b");
  EXPECT_FALSE(l.PopFront(&v));
  EXPECT_FALSE(l.PopBack(&v));
  EXPECT_EQ(l.node_count(), 0u);
}

TEST(ListObjectTest, IntegersRoundTrip) {
  ListObject l(-2);
  const std::vector<std::string> vals = {
      "0",    "-1",    "127",      "128",        "-4096",
      "4095", "32767", "-8388608", "2147483647", "-9223372036854775808",
      "01",   " 1"};
  for (const auto& s : vals) l.PushBack(s);
  EXPECT_EQ(All(l), vals);
}

TEST(ListObjectTest, NodesFillToTheByteBudget) {
  ListObject l(-2);                                          // 8 KB nodes
  for (int i = 0; i < 10000; ++i) l.PushBack("xxxxxxxxxx");  // 12 bytes each
  CheckInvariants(l, 8192);
  EXPECT_GT(l.node_count(), 10u);
  // All but the last node are full: one more value, charged its length plus 8 bytes as
  // Redis 7.0.15 does, would pass 8 KB (8179 bytes, as redis-server's nodes).
  for (size_t i = 0; i + 1 < l.node_count(); ++i) {
    EXPECT_GT(l.node_bytes(i) + 10 + 8, 8192u);
    EXPECT_EQ(l.node_bytes(i), 8179u);
  }
}

TEST(ListObjectTest, PositiveFillCountsEntries) {
  ListObject l(5);
  for (int i = 0; i < 23; ++i) l.PushFront(std::to_string(i));
  EXPECT_EQ(l.node_count(), 5u);
  for (size_t i = 0; i < l.node_count(); ++i) EXPECT_LE(l.node_size(i), 5u);
  EXPECT_EQ(ToStr(l.Get(0)), "22");
  EXPECT_EQ(ToStr(l.Get(22)), "0");
}

TEST(ListObjectTest, EntrySizeMatchesListpackGrowth) {
  for (std::string s : {std::string(), std::string("a"), std::string(63, 'x'), std::string(64, 'x'),
                        std::string(200, 'y'), std::string(5000, 'z'), std::string("0"),
                        std::string("-100"), std::string("100000"), std::string("9999999999")}) {
    Listpack lp;
    size_t before = lp.bytes_size();
    lp.Append(s);
    EXPECT_EQ(ListObject::EntrySize(s), lp.bytes_size() - before) << s.substr(0, 10);
  }
}

TEST(ListObjectTest, IndexAndSet) {
  ListObject l(4);
  for (int i = 0; i < 50; ++i) l.PushBack("v" + std::to_string(i));
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(ToStr(l.Get(i)), "v" + std::to_string(i));
  l.Set(0, "first");
  l.Set(49, "last");
  l.Set(25, std::string(100, 'm'));
  EXPECT_EQ(ToStr(l.Get(0)), "first");
  EXPECT_EQ(ToStr(l.Get(49)), "last");
  EXPECT_EQ(ToStr(l.Get(25)), std::string(100, 'm'));
  EXPECT_EQ(l.size(), 50u);
}

TEST(ListObjectTest, SetLargeValueSplitsFullNode) {
  ListObject l(-1);  // 4 KB nodes
  for (int i = 0; i < 1000; ++i) l.PushBack("abcdefgh");
  l.Set(100, std::string(3000, 'q'));
  CheckInvariants(l, 4096);
  EXPECT_EQ(ToStr(l.Get(100)), std::string(3000, 'q'));
  EXPECT_EQ(ToStr(l.Get(101)), "abcdefgh");
}

TEST(ListObjectTest, InsertSplitsFullNodes) {
  ListObject l(-1);
  for (int i = 0; i < 2000; ++i) l.PushBack(std::to_string(i * 1000));
  std::deque<std::string> model;
  for (int i = 0; i < 2000; ++i) model.push_back(std::to_string(i * 1000));
  for (int k = 0; k < 300; ++k) {
    size_t at = (static_cast<size_t>(k) * 7919) % (model.size() + 1);
    std::string v = "ins" + std::to_string(k) + std::string(k % 50, 'p');
    l.InsertAt(at, v);
    model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), v);
  }
  CheckInvariants(l, 4096);
  EXPECT_EQ(All(l), std::vector<std::string>(model.begin(), model.end()));
}

TEST(ListObjectTest, EraseRangesAndMerge) {
  ListObject l(8);
  for (int i = 0; i < 100; ++i) l.PushBack(std::to_string(i));
  l.Erase(10, 80);  // keeps 0..9 and 90..99
  CheckInvariants(l, 8192);
  EXPECT_EQ(l.size(), 20u);
  EXPECT_EQ(ToStr(l.Get(9)), "9");
  EXPECT_EQ(ToStr(l.Get(10)), "90");
  // The seam nodes were joined when they fit.
  EXPECT_LE(l.node_count(), 3u);
  l.Erase(0, 1000);  // clamped
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(l.node_count(), 0u);
}

TEST(ListObjectTest, RemoveFromHeadAndTail) {
  ListObject l(3);
  for (int i = 0; i < 30; ++i) l.PushBack(i % 3 == 0 ? "x" : std::to_string(i));
  EXPECT_EQ(l.Remove("x", 2), 2u);
  EXPECT_EQ(ToStr(l.Get(0)), "1");
  EXPECT_EQ(l.Remove("x", -3), 3u);
  EXPECT_EQ(ToStr(l.Get(l.size() - 1)), "29");
  EXPECT_EQ(l.Remove("x", 0), 5u);
  EXPECT_EQ(l.Remove("x", 0), 0u);
  EXPECT_EQ(l.size(), 20u);
  CheckInvariants(l, 8192);
  EXPECT_EQ(l.Remove("1", std::numeric_limits<int64_t>::min()), 1u);
}

TEST(ListObjectTest, VisitReverseCrossesNodes) {
  ListObject l(2);
  for (int i = 0; i < 7; ++i) l.PushBack(std::to_string(i));
  std::vector<std::string> got;
  l.VisitReverse(5, 4, [&](const ListObject::Element& e) {
    got.push_back(ToStr(e));
    return true;
  });
  EXPECT_EQ(got, (std::vector<std::string>{"5", "4", "3", "2"}));
  EXPECT_EQ(AllReverse(l), (std::vector<std::string>{"6", "5", "4", "3", "2", "1", "0"}));
}

TEST(ListObjectTest, CloneIsDeep) {
  ListObject l(-2);
  for (int i = 0; i < 100; ++i) l.PushBack("e" + std::to_string(i));
  auto copy = l.Clone();
  std::string v;
  l.PopFront(&v);
  auto* c = static_cast<ListObject*>(copy.get());
  EXPECT_EQ(c->size(), 100u);
  EXPECT_EQ(ToStr(c->Get(0)), "e0");
  EXPECT_GT(l.MemoryUsage(), 0u);
}

TEST(ListObjectTest, DepthZeroFrontCodesTheInteriorOnly) {
  ListObject l(-2, 0);
  for (int i = 0; i < 5000; ++i) l.PushBack("item:" + std::to_string(100000 + i));
  ASSERT_GE(l.node_count(), 6u);
  EXPECT_FALSE(l.node_packed(0));
  EXPECT_FALSE(l.node_packed(l.node_count() - 1));
  // The ends' neighbours may stay raw; every node further in is packed.
  for (size_t i = 2; i + 2 < l.node_count(); ++i) {
    EXPECT_TRUE(l.node_packed(i)) << i;
    EXPECT_FALSE(l.node_compressed(i)) << "depth 0 never uses LZF";
    // An interior node costs well under half its listpack (13 bytes an entry).
    EXPECT_LT(l.node_memory(i) * 2, l.node_bytes(i)) << i;
  }
  EXPECT_TRUE(l.CompressionInvariantHolds());
  EXPECT_EQ(ToStr(l.Get(1500)), "item:101500");
  // Writes inside the list unpack and repack one node; pops reach into packed nodes.
  l.Set(1000, "changed");
  l.InsertAt(2000, "inserted");
  EXPECT_EQ(ToStr(l.Get(1000)), "changed");
  EXPECT_EQ(ToStr(l.Get(2000)), "inserted");
  EXPECT_TRUE(l.CompressionInvariantHolds());
  std::string v;
  for (int i = 0; i < 4900; ++i) ASSERT_TRUE(l.PopBack(&v));
  EXPECT_TRUE(l.CompressionInvariantHolds());
  EXPECT_EQ(l.size(), 101u);
  EXPECT_EQ(ToStr(l.Get(100)), "item:100100");
}

// A stack whose head sits at a node boundary: each push opens a node and each pop
// closes it. The nodes behind the head keep their form across the cycle rather than being
// packed on the push and unpacked on the pop.
TEST(ListObjectTest, DepthZeroDoesNotRepackAtANodeBoundary) {
  ListObject l(-2, 0);
  for (int i = 0; i < 5000; ++i) l.PushBack("item:" + std::to_string(100000 + i));
  const size_t nodes = l.node_count();
  ASSERT_GE(nodes, 6u);
  std::string v;
  // Fill the head node up to its limit: the next push opens a node.
  while (l.node_count() == nodes) l.PushFront("item:000000");
  ASSERT_TRUE(l.PopFront(&v));
  ASSERT_EQ(l.node_count(), nodes);
  auto layout = [&] {
    std::vector<bool> packed;
    for (size_t i = 0; i < l.node_count(); ++i) packed.push_back(l.node_packed(i));
    return packed;
  };
  l.PushFront("item:000000");
  l.PopFront(&v);
  const std::vector<bool> settled = layout();
  for (int round = 0; round < 10; ++round) {
    l.PushFront("item:000000");
    ASSERT_EQ(l.node_count(), nodes + 1);
    // The old head, now second, stays raw; the one now third was already packed.
    EXPECT_FALSE(l.node_packed(1));
    EXPECT_TRUE(l.node_packed(2));
    ASSERT_TRUE(l.PopFront(&v));
    ASSERT_EQ(layout(), settled) << "round " << round;
    ASSERT_TRUE(l.CompressionInvariantHolds());
  }
  EXPECT_TRUE(settled[1]) << "the head's neighbour stays packed after the pop";
}

TEST(ListObjectTest, DepthZeroLeavesUnsharedItemsRaw) {
  ListObject l(-2, 0);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) l.PushBack(std::to_string(rng()) + "x");
  ASSERT_GE(l.node_count(), 4u);
  for (size_t i = 0; i < l.node_count(); ++i) EXPECT_FALSE(l.node_packed(i)) << i;
  EXPECT_TRUE(l.CompressionInvariantHolds());
}

// (list-max-listpack-size, list-compress-depth)
class ListObjectRandomTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(ListObjectRandomTest, MatchesDequeModel) {
  const int fill = GetParam().first;
  const int depth = GetParam().second;
  std::mt19937_64 rng(0x5eed + static_cast<uint64_t>(fill) * 31 + static_cast<uint64_t>(depth));
  ListObject l(fill, depth);
  std::deque<std::string> model;
  size_t max_compressed = 0;  // the most nodes seen compressed (LZF) at once
  size_t max_packed = 0;      // ... and packed in either form
  auto count_nodes = [&](bool (ListObject::*pred)(size_t) const) {
    size_t n = 0;
    for (size_t i = 0; i < l.node_count(); ++i) n += (l.*pred)(i) ? 1 : 0;
    return n;
  };
  auto random_value = [&]() -> std::string {
    switch (rng() % 4) {
      case 0:
        return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
      case 1:
        return std::to_string(static_cast<int64_t>(rng()));
      case 2:
        return std::string(rng() % 300, static_cast<char>('a' + rng() % 26));
      default:
        return "v" + std::to_string(rng() % 50);
    }
  };
  // Start from a list of several nodes whose items begin alike, so that every fill has
  // an interior (packed nodes) from the start, whatever the operations do to it.
  for (int i = 0; i < 4000; ++i) {
    model.push_back("seed:" + std::to_string(i));
    l.PushBack(model.back());
  }
  for (int step = 0; step < 20000; ++step) {
    std::string v;
    switch (rng() % 14) {
      case 0:
      case 1:
        v = random_value();
        l.PushBack(v);
        model.push_back(v);
        break;
      case 2:
      case 3:
        v = random_value();
        l.PushFront(v);
        model.push_front(v);
        break;
      case 4:
        if (!model.empty()) {
          ASSERT_TRUE(l.PopFront(&v));
          ASSERT_EQ(v, model.front());
          model.pop_front();
        }
        break;
      case 5:
        if (!model.empty()) {
          ASSERT_TRUE(l.PopBack(&v));
          ASSERT_EQ(v, model.back());
          model.pop_back();
        }
        break;
      case 6: {
        size_t at = rng() % (model.size() + 1);
        v = random_value();
        l.InsertAt(at, v);
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), v);
        break;
      }
      case 7:
        if (!model.empty()) {
          size_t at = rng() % model.size();
          size_t n = rng() % 40;
          l.Erase(at, n);
          n = std::min(n, model.size() - at);
          model.erase(model.begin() + static_cast<std::ptrdiff_t>(at),
                      model.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 8:
        if (!model.empty()) {
          size_t at = rng() % model.size();
          ASSERT_EQ(ToStr(l.Get(at)), model[at]);
          v = random_value();
          l.Set(at, v);
          model[at] = v;
        }
        break;
      case 10:
        // LTRIM-like: drop a run from one end, often whole nodes at once.
        if (!model.empty()) {
          size_t n = rng() % (model.size() / 4 + 2);
          n = std::min(n, model.size());
          if (rng() % 2 == 0) {
            l.Erase(0, n);
            model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
          } else {
            l.Erase(model.size() - n, n);
            model.erase(model.end() - static_cast<std::ptrdiff_t>(n), model.end());
          }
        }
        break;
      case 11:
        // LRANGE / LPOS-like reads of a window, both directions.
        if (!model.empty()) {
          size_t at = rng() % model.size();
          size_t n = rng() % 200;
          std::vector<std::string> got;
          l.Visit(at, n, [&](const ListObject::Element& e) {
            got.push_back(ToStr(e));
            return true;
          });
          const size_t take = std::min(n, model.size() - at);
          ASSERT_EQ(got, std::vector<std::string>(
                             model.begin() + static_cast<std::ptrdiff_t>(at),
                             model.begin() + static_cast<std::ptrdiff_t>(at + take)));
          got.clear();
          l.VisitReverse(at, n, [&](const ListObject::Element& e) {
            got.push_back(ToStr(e));
            return true;
          });
          std::vector<std::string> want;
          for (size_t k = 0; k < n && k <= at; ++k) want.push_back(model[at - k]);
          ASSERT_EQ(got, want);
        }
        break;
      case 12:
        // Bulk growth (RPUSH of many): makes the interior, and so compressed nodes. Half
        // the runs are of items that begin alike, which depth 0 front-codes.
        for (int k = 0, alike = static_cast<int>(rng() % 2); k < (alike ? 60 : 30); ++k) {
          v = alike != 0 ? "session:user:" + std::to_string(step * 100 + k) : random_value();
          l.PushBack(v);
          model.push_back(v);
        }
        break;
      default: {
        v = "v" + std::to_string(rng() % 50);
        int64_t count = static_cast<int64_t>(rng() % 5) - 2;
        size_t removed = l.Remove(v, count);
        size_t expect = 0;
        if (count >= 0) {
          for (auto it = model.begin(); it != model.end();) {
            if (*it == v && (count == 0 || expect < static_cast<size_t>(count))) {
              it = model.erase(it);
              ++expect;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = model.size(); i-- > 0;) {
            if (model[i] == v && expect < static_cast<size_t>(-count)) {
              model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
              ++expect;
            }
          }
        }
        ASSERT_EQ(removed, expect);
        break;
      }
    }
    ASSERT_EQ(l.size(), model.size());
    max_compressed = std::max(max_compressed, count_nodes(&ListObject::node_compressed));
    max_packed = std::max(max_packed, count_nodes(&ListObject::node_packed));
    if (step % 50 == 0) {
      ASSERT_TRUE(l.CompressionInvariantHolds()) << "step " << step;
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(All(l), std::vector<std::string>(model.begin(), model.end()));
      size_t limit = fill < 0 ? (size_t{4096} << (-fill - 1)) : 8192;
      CheckInvariants(l, limit);
    }
  }
  EXPECT_EQ(All(l), std::vector<std::string>(model.begin(), model.end()));
  std::vector<std::string> rev(model.rbegin(), model.rend());
  EXPECT_EQ(AllReverse(l), rev);
  EXPECT_TRUE(l.CompressionInvariantHolds());
  // A copy keeps the depth and the content, compressed nodes included.
  auto copy = l.Clone();
  const auto* c = static_cast<const ListObject*>(copy.get());
  EXPECT_EQ(c->compress_depth(), depth);
  EXPECT_EQ(All(*c), All(l));
  if (depth == 0) {
    EXPECT_EQ(max_compressed, 0u);
    // Depth 0 front-codes the interior instead (nodes of a few entries are too small).
    if (fill < 0 || fill >= 128) {
      EXPECT_GT(max_packed, 0u) << "the test never front-coded a node";
    }
  } else {
    EXPECT_GT(max_compressed, 0u) << "the test never compressed a node";
  }
}

INSTANTIATE_TEST_SUITE_P(Fills, ListObjectRandomTest,
                         ::testing::Values(std::pair{-2, 0}, std::pair{-1, 0}, std::pair{1, 0},
                                           std::pair{4, 0}, std::pair{128, 0}, std::pair{16, 1},
                                           std::pair{16, 2}, std::pair{8, 1}, std::pair{32, 3},
                                           std::pair{1, 1}, std::pair{-1, 1}, std::pair{4, 2}));

}  // namespace
}  // namespace gannet
