// SetObject: intset widths and ordering, conversion to hashtable at the intset limit and
// on a non-integer member, random sampling, and the SCAN guarantee across resizes.
#include "gannet/engine/set_object.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace gannet {
namespace {

std::vector<std::string> Members(const SetObject& s) {
  std::vector<std::string> out;
  s.ForEach([&out](std::string_view m) { out.emplace_back(m); });
  return out;
}

TEST(SetObjectTest, CreateForPicksEncoding) {
  EXPECT_EQ(SetObject::CreateFor("12", 512).encoding(), Encoding::kIntset);
  EXPECT_EQ(SetObject::CreateFor("-9223372036854775808", 512).encoding(), Encoding::kIntset);
  for (const char* s : {"a", "01", "-0", "+1", " 1", "9223372036854775808", "1.0", ""}) {
    EXPECT_EQ(SetObject::CreateFor(s, 512).encoding(), Encoding::kHashtable) << s;
  }
  EXPECT_EQ(SetObject::CreateFor("1", 0).encoding(), Encoding::kHashtable);
}

TEST(SetObjectTest, IntsetKeepsSortedAndUpgradesWidth) {
  SetObject s;
  EXPECT_TRUE(s.Add("5", 512));
  EXPECT_TRUE(s.Add("-3", 512));
  EXPECT_FALSE(s.Add("5", 512));
  EXPECT_EQ(s.intset_width(), 2u);
  EXPECT_TRUE(s.Add("32767", 512));
  EXPECT_EQ(s.intset_width(), 2u);
  EXPECT_TRUE(s.Add("-32769", 512));  // needs 32 bits: goes first
  EXPECT_EQ(s.intset_width(), 4u);
  EXPECT_TRUE(s.Add("2147483648", 512));  // needs 64 bits: goes last
  EXPECT_EQ(s.intset_width(), 8u);
  EXPECT_TRUE(s.Add("-9223372036854775808", 512));
  EXPECT_TRUE(s.Add("9223372036854775807", 512));
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_EQ(Members(s), (std::vector<std::string>{"-9223372036854775808", "-32769", "-3", "5",
                                                  "32767", "2147483648", "9223372036854775807"}));
  EXPECT_TRUE(s.Contains("-32769"));
  EXPECT_FALSE(s.Contains("-32768"));
  EXPECT_FALSE(s.Contains("x"));
  EXPECT_FALSE(s.Contains("05"));
  EXPECT_TRUE(s.Remove("5"));
  EXPECT_FALSE(s.Remove("5"));
  EXPECT_FALSE(s.Remove("abc"));
  EXPECT_EQ(s.size(), 6u);
  // The width never goes back down (as Redis's intset).
  for (const char* m : {"-9223372036854775808", "-32769", "-3", "32767", "2147483648"}) {
    EXPECT_TRUE(s.Remove(m));
  }
  EXPECT_EQ(s.intset_width(), 8u);
  EXPECT_EQ(Members(s), std::vector<std::string>{"9223372036854775807"});
}

TEST(SetObjectTest, IntsetConvertsPastLimit) {
  SetObject s;
  for (int i = 0; i < 512; ++i) ASSERT_TRUE(s.Add(std::to_string(i * 7), 512));
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_FALSE(s.Add("0", 512));  // present: no conversion
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  EXPECT_TRUE(s.Add("1", 512));  // the 513th member
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(s.size(), 513u);
  for (int i = 0; i < 512; ++i) ASSERT_TRUE(s.Contains(std::to_string(i * 7)));
  EXPECT_TRUE(s.Contains("1"));
  // Removing members does not convert back.
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(s.Remove(std::to_string(i * 7)));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
}

TEST(SetObjectTest, NonIntegerConverts) {
  SetObject s;
  s.Add("1", 512);
  s.Add("2", 512);
  EXPECT_TRUE(s.Add("x", 512));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  EXPECT_EQ(s.intset_width(), 0u);  // the pointer slot now holds the table
  std::vector<std::string> m = Members(s);
  std::sort(m.begin(), m.end());
  EXPECT_EQ(m, (std::vector<std::string>{"1", "2", "x"}));
}

TEST(SetObjectTest, HashtableBinaryAndLongMembers) {
  SetObject s;
  s.ConvertToHashtable();
  const std::string bin("a\0b\xff", 4);
  const std::string long_member(300, 'z');  // needs the 9-byte length prefix
  EXPECT_TRUE(s.Add(bin, 512));
  EXPECT_TRUE(s.Add(long_member, 512));
  EXPECT_TRUE(s.Add("", 512));
  EXPECT_FALSE(s.Add(bin, 512));
  EXPECT_TRUE(s.Contains(bin));
  EXPECT_TRUE(s.Contains(long_member));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_FALSE(s.Contains(std::string("a\0c\xff", 4)));
  EXPECT_TRUE(s.Remove(long_member));
  EXPECT_FALSE(s.Contains(long_member));
  EXPECT_EQ(s.size(), 2u);
}

TEST(SetObjectTest, CloneIsDeep) {
  for (bool table : {false, true}) {
    SetObject s;
    for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), 512);
    if (table) s.Add("x", 512);
    auto copy = s.Clone();
    auto* c = &copy;
    s.Remove("5");
    EXPECT_TRUE(c->Contains("5"));
    EXPECT_EQ(c->encoding(), s.encoding());
    EXPECT_EQ(c->size(), s.size() + 1);
  }
}

TEST(SetObjectTest, MemoryUsageGrowsWithContent) {
  SetObject s;
  const size_t empty = s.MemoryUsage();
  for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), 512);
  const size_t ints = s.MemoryUsage();
  EXPECT_GE(ints, empty + 200);  // 100 members of 2 bytes
  s.ConvertToHashtable();
  EXPECT_GT(s.MemoryUsage(), ints);
  for (int i = 0; i < 100; ++i) s.Remove(std::to_string(i));
  EXPECT_LT(s.MemoryUsage(), ints);
}

TEST(SetObjectTest, PopDrainsEverythingOnce) {
  for (bool table : {false, true}) {
    SetObject s;
    for (int i = 0; i < 300; ++i) s.Add(std::to_string(i), 512);
    if (table) s.ConvertToHashtable();
    std::set<std::string> popped;
    while (!s.empty()) ASSERT_TRUE(popped.insert(s.PopRandom()).second);
    EXPECT_EQ(popped.size(), 300u);
  }
}

// Every member should come up at a similar rate (loose bounds: the test must not flake).
TEST(SetObjectTest, RandomMemberDistribution) {
  for (bool table : {false, true}) {
    SetObject s;
    for (int i = 0; i < 20; ++i) s.Add(std::to_string(i), 512);
    if (table) s.ConvertToHashtable();
    std::map<std::string, int> hits;
    for (int i = 0; i < 20000; ++i) ++hits[s.RandomMember()];
    EXPECT_EQ(hits.size(), 20u);
    for (const auto& [m, n] : hits) {
      EXPECT_GT(n, 500) << m;  // expected 1000
      EXPECT_LT(n, 1600) << m;
    }
  }
}

TEST(SetObjectTest, RandomDistinctIsDistinctAndCovers) {
  for (bool table : {false, true}) {
    for (size_t count : {1u, 5u, 30u, 99u, 100u, 200u}) {
      SetObject s;
      for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), 512);
      if (table) s.ConvertToHashtable();
      std::set<std::string> got;
      size_t calls = 0;
      s.RandomDistinct(count, [&](std::string_view m) {
        ++calls;
        got.emplace(m);
        EXPECT_TRUE(s.Contains(m));
      });
      EXPECT_EQ(calls, std::min<size_t>(count, 100));
      EXPECT_EQ(got.size(), calls);
    }
  }
  // Each member is chosen about count/size of the time.
  SetObject s;
  for (int i = 0; i < 10; ++i) s.Add(std::to_string(i), 512);
  std::map<std::string, int> hits;
  for (int i = 0; i < 5000; ++i) {
    s.RandomDistinct(3, [&](std::string_view m) { ++hits[std::string(m)]; });
  }
  for (const auto& [m, n] : hits) {
    EXPECT_GT(n, 1000) << m;  // expected 1500
    EXPECT_LT(n, 2000) << m;
  }
}

TEST(SetObjectTest, IntsetScanReturnsAllWithCursorZero) {
  SetObject s;
  for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), 512);
  size_t n = 0;
  EXPECT_EQ(s.Scan(0, 1, [&](std::string_view) { ++n; }), 0u);
  EXPECT_EQ(n, 100u);
}

// Members present for the whole scan are returned at least once while the table grows
// and shrinks between steps.
TEST(SetObjectTest, ScanGuaranteeAcrossResizes) {
  SetObject s;
  s.ConvertToHashtable();
  for (int i = 0; i < 1000; ++i) s.Add("keep" + std::to_string(i), 512);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  int extra = 0;
  do {
    cursor = s.Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    ++step;
    if (step < 40) {
      for (int i = 0; i < 200; ++i) s.Add("grow" + std::to_string(extra++), 512);
    } else if (step < 80) {
      for (int i = 0; i < 200 && extra > 0; ++i) s.Remove("grow" + std::to_string(--extra));
    }
    ASSERT_LT(step, 100000);
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("keep" + std::to_string(i))) << i;
}

TEST(SetObjectTest, ScanCountBoundsWork) {
  SetObject s;
  s.ConvertToHashtable();
  for (int i = 0; i < 10000; ++i) s.Add(std::to_string(i), 512);
  size_t n = 0;
  const uint64_t next = s.Scan(0, 10, [&](std::string_view) { ++n; });
  EXPECT_NE(next, 0u);
  EXPECT_GE(n, 10u);
  EXPECT_LT(n, 100u);
}

}  // namespace
}  // namespace gannet
