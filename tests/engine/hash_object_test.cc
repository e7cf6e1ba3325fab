// HashObject: listpack and hashtable behaviour, conversion at the entries and value
// thresholds (and never back), in-place and relocating value updates, random sampling
// and the SCAN guarantee across resizes.
#include "gannet/engine/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace gannet {
namespace {

constexpr HashObject::Limits kDefault{512, 64};

std::map<std::string, std::string> Contents(const HashObject& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&out](std::string_view f, std::string_view v) {
    EXPECT_TRUE(out.emplace(f, v).second) << f;
  });
  return out;
}

std::optional<std::string> GetStr(const HashObject& h, std::string_view f) {
  HashObject::NumBuf buf;
  auto v = h.Get(f, buf);
  if (!v) return std::nullopt;
  return std::string(*v);
}

TEST(HashObjectTest, ListpackBasics) {
  HashObject h;
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  EXPECT_TRUE(h.empty());
  EXPECT_FALSE(h.Contains("a"));
  EXPECT_FALSE(GetStr(h, "a"));
  EXPECT_TRUE(h.Set("a", "1", kDefault));
  EXPECT_TRUE(h.Set("b", "two", kDefault));
  EXPECT_TRUE(h.Set("12", "-7", kDefault));  // integers are stored as integers
  EXPECT_FALSE(h.Set("a", "one", kDefault));
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(GetStr(h, "a"), "one");
  EXPECT_EQ(GetStr(h, "12"), "-7");
  EXPECT_TRUE(h.Contains("12"));
  EXPECT_FALSE(h.Contains("1"));
  EXPECT_TRUE(h.Delete("b"));
  EXPECT_FALSE(h.Delete("b"));
  EXPECT_EQ(Contents(h), (std::map<std::string, std::string>{{"a", "one"}, {"12", "-7"}}));
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
}

TEST(HashObjectTest, ConvertsAtEntriesThreshold) {
  HashObject h;
  for (int i = 0; i < 512; ++i) h.Set("f" + std::to_string(i), std::to_string(i), kDefault);
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  h.Set("f0", "updated", kDefault);  // an update does not add an entry
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  h.Set("f512", "x", kDefault);
  EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.size(), 513u);
  EXPECT_EQ(GetStr(h, "f0"), "updated");
  EXPECT_EQ(GetStr(h, "f511"), "511");
  for (int i = 0; i < 510; ++i) h.Delete("f" + std::to_string(i));
  EXPECT_EQ(h.encoding(), Encoding::kHashtable);  // never back
}

TEST(HashObjectTest, ConvertsOnLongFieldOrValue) {
  const std::string v64(64, 'v');
  const std::string v65(65, 'v');
  {
    HashObject h;
    h.Set("a", v64, kDefault);
    EXPECT_EQ(h.encoding(), Encoding::kListpack);
    h.Set("b", v65, kDefault);
    EXPECT_EQ(h.encoding(), Encoding::kHashtable);
    EXPECT_EQ(GetStr(h, "a"), v64);
    EXPECT_EQ(GetStr(h, "b"), v65);
  }
  {
    HashObject h;
    h.Set(v65, "x", kDefault);
    EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  }
  {
    // PrepareFor converts on any argument, as HSET does before writing.
    HashObject h;
    const std::string_view strs[] = {"f", "v", "g", v65};
    h.PrepareFor(strs, 2, kDefault);
    EXPECT_EQ(h.encoding(), Encoding::kListpack);
    h.PrepareFor(strs, 4, kDefault);
    EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  }
  {
    HashObject h;
    const HashObject::Limits zero{0, 64};
    h.Set("a", "b", zero);  // one entry is already past a 0 limit
    EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  }
}

// The listpack block holds the entries only: its size is the serialized size less the
// header and terminator, an empty hash allocates nothing, and MemoryUsage follows the block
// through growth, field updates and deletes up to the conversion at Redis's defaults
// (hash-max-listpack-entries 128, -value 64).
TEST(HashObjectTest, ListpackBlockHasNoHeaderAndConvertsAtTheDefaults) {
  const HashObject::Limits redis_defaults{128, 64};
  HashObject h;
  EXPECT_EQ(h.MemoryUsage(), 0u);
  const std::string v64(64, 'v');
  for (int i = 0; i < 128; ++i) {
    ASSERT_TRUE(
        h.Set("field:" + std::to_string(i), i % 2 ? v64 : std::to_string(i), redis_defaults));
    ASSERT_EQ(h.encoding(), Encoding::kListpack) << i;
    const Listpack* lp = h.listpack();
    ASSERT_NE(lp, nullptr);
    ASSERT_EQ(lp->body().size(), lp->bytes_size() - 7);
    ASSERT_EQ(h.MemoryUsage(), lp->MemoryUsage());
    ASSERT_GE(h.MemoryUsage(), lp->body().size());
    ASSERT_EQ(lp->size(), 2u * (i + 1));
    const std::string block = lp->Serialize();
    ASSERT_EQ(block.size(), lp->bytes_size());
    ASSERT_EQ(static_cast<unsigned char>(block[4]) | static_cast<unsigned char>(block[5]) << 8,
              2 * (i + 1));
  }
  // Updates that grow and shrink a value keep it a listpack with the same count.
  EXPECT_FALSE(h.Set("field:0", v64, redis_defaults));
  EXPECT_FALSE(h.Set("field:1", "1", redis_defaults));
  EXPECT_EQ(GetStr(h, "field:0"), v64);
  EXPECT_EQ(GetStr(h, "field:1"), "1");
  EXPECT_EQ(h.size(), 128u);
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  // The 129th field converts; everything is still there.
  EXPECT_TRUE(h.Set("field:128", "x", redis_defaults));
  EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.listpack(), nullptr);
  EXPECT_EQ(h.size(), 129u);
  EXPECT_EQ(GetStr(h, "field:127"), v64);
  EXPECT_EQ(GetStr(h, "field:0"), v64);

  // Deleting every field of a listpack hash frees its block.
  HashObject g;
  g.Set("a", "1", redis_defaults);
  g.Set("b", "2", redis_defaults);
  EXPECT_GT(g.MemoryUsage(), 0u);
  g.Delete("a");
  g.Delete("b");
  EXPECT_TRUE(g.empty());
  EXPECT_EQ(g.MemoryUsage(), 0u);
  // A moved-from hash is an empty listpack hash.
  HashObject moved(std::move(h));
  EXPECT_EQ(moved.size(), 129u);
  EXPECT_TRUE(h.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  EXPECT_EQ(h.MemoryUsage(), 0u);
}

TEST(HashObjectTest, HashtableValueUpdatesInPlaceAndRelocating) {
  HashObject h;
  h.ConvertToHashtable();
  for (int i = 0; i < 100; ++i) h.Set("f" + std::to_string(i), "v", kDefault);
  for (int round = 0; round < 4; ++round) {
    const std::string v(round % 2 == 0 ? 400 : 3, static_cast<char>('a' + round));
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(h.Set("f" + std::to_string(i), v, kDefault));
    for (int i = 0; i < 100; ++i) ASSERT_EQ(GetStr(h, "f" + std::to_string(i)), v);
  }
  EXPECT_EQ(h.size(), 100u);
  const std::string bin("k\0\xff", 3);
  h.Set(bin, std::string("v\0", 2), kDefault);
  EXPECT_EQ(GetStr(h, bin), std::string("v\0", 2));
  EXPECT_TRUE(h.Delete(bin));
  EXPECT_FALSE(h.Contains(bin));
}

TEST(HashObjectTest, CloneAndMemoryUsage) {
  for (bool table : {false, true}) {
    HashObject h;
    const size_t empty = h.MemoryUsage();
    for (int i = 0; i < 50; ++i) h.Set("field" + std::to_string(i), "value", kDefault);
    if (table) h.ConvertToHashtable();
    EXPECT_GT(h.MemoryUsage(), empty + 50 * 10);
    auto copy = h.Clone();
    auto* c = &copy;
    h.Set("field0", "changed", kDefault);
    EXPECT_EQ(GetStr(*c, "field0"), "value");
    EXPECT_EQ(c->encoding(), h.encoding());
    EXPECT_EQ(c->size(), 50u);
  }
}

TEST(HashObjectTest, RandomSampling) {
  for (bool table : {false, true}) {
    HashObject h;
    for (int i = 0; i < 10; ++i) h.Set("f" + std::to_string(i), "v" + std::to_string(i), kDefault);
    if (table) h.ConvertToHashtable();
    std::map<std::string, int> hits;
    h.RandomPairs(20000, [&](std::string_view f, std::string_view v) {
      EXPECT_EQ("v" + std::string(f.substr(1)), v);
      ++hits[std::string(f)];
    });
    EXPECT_EQ(hits.size(), 10u);
    for (const auto& [f, n] : hits) {
      EXPECT_GT(n, 1400) << f;  // expected 2000
      EXPECT_LT(n, 2600) << f;
    }
    for (size_t count : {1u, 3u, 4u, 9u, 10u, 11u}) {
      std::set<std::string> got;
      size_t calls = 0;
      h.RandomDistinct(count, [&](std::string_view f, std::string_view) {
        ++calls;
        got.emplace(f);
      });
      EXPECT_EQ(calls, std::min<size_t>(count, 10));
      EXPECT_EQ(got.size(), calls);
    }
  }
}

TEST(HashObjectTest, ListpackScanReturnsAll) {
  HashObject h;
  for (int i = 0; i < 30; ++i) h.Set("f" + std::to_string(i), "v", kDefault);
  size_t n = 0;
  EXPECT_EQ(h.Scan(0, 1, [&](std::string_view, std::string_view) { ++n; }), 0u);
  EXPECT_EQ(n, 30u);
}

TEST(HashObjectTest, ScanGuaranteeAcrossResizes) {
  HashObject h;
  h.ConvertToHashtable();
  for (int i = 0; i < 1000; ++i) h.Set("keep" + std::to_string(i), "v", kDefault);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  int extra = 0;
  do {
    cursor = h.Scan(cursor, 20, [&](std::string_view f, std::string_view) { seen.emplace(f); });
    ++step;
    if (step < 30) {
      for (int i = 0; i < 300; ++i) h.Set("grow" + std::to_string(extra++), "v", kDefault);
    } else if (step < 60) {
      for (int i = 0; i < 300 && extra > 0; ++i) h.Delete("grow" + std::to_string(--extra));
    }
    ASSERT_LT(step, 100000);
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("keep" + std::to_string(i))) << i;
}

// Redis 7.0 counts pairs against COUNT (HSCAN big 0 COUNT 20 gives 20 or so pairs).
TEST(HashObjectTest, ScanCountsPairs) {
  HashObject h;
  h.ConvertToHashtable();
  for (int i = 0; i < 10000; ++i) h.Set(std::to_string(i), "v", kDefault);
  size_t pairs = 0;
  EXPECT_NE(h.Scan(0, 20, [&](std::string_view, std::string_view) { ++pairs; }), 0u);
  EXPECT_GE(pairs, 20u);
  EXPECT_LT(pairs, 60u);
}

}  // namespace
}  // namespace gannet
