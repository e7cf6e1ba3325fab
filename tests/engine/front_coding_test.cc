// Front coding of listpack bodies (gannet/engine/front_coding.h): exact round trips, the
// saving on entries that begin alike, and refusal of every malformed input.
#include "gannet/engine/front_coding.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "gannet/engine/listpack.h"

namespace gannet {
namespace {

std::string Decode(const std::string& coded, size_t body_len, bool* ok) {
  std::string out(body_len, '\0');
  *ok = FrontDecode(reinterpret_cast<const unsigned char*>(coded.data()), coded.size(),
                    reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

std::string RoundTrip(const Listpack& lp) {
  std::string coded;
  std::vector<uint32_t> restarts;
  FrontEncode(lp, &coded, &restarts);
  bool ok = false;
  std::string body = Decode(coded, lp.body().size(), &ok);
  EXPECT_TRUE(ok);
  return body;
}

TEST(FrontCodingTest, EmptyBodyCodesToNothing) {
  Listpack lp;
  std::string coded;
  std::vector<uint32_t> restarts;
  FrontEncode(lp, &coded, &restarts);
  EXPECT_TRUE(coded.empty());
  bool ok = false;
  Decode(coded, 0, &ok);
  EXPECT_TRUE(ok);
}

TEST(FrontCodingTest, RandomListpacksRoundTripByteForByte) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 200; ++round) {
    Listpack lp;
    const size_t n = rng() % 300;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 5) {
        case 0:
          lp.AppendInt(static_cast<int64_t>(rng()));
          break;
        case 1:
          lp.AppendInt(static_cast<int64_t>(rng() % 200) - 100);
          break;
        case 2:
          lp.Append(std::string(rng() % 5000, static_cast<char>('a' + rng() % 3)));
          break;
        case 3:
          lp.Append("");
          break;
        default:
          lp.Append("key:" + std::to_string(rng() % 1000));
      }
    }
    ASSERT_EQ(RoundTrip(lp), lp.body()) << "round " << round;
  }
}

TEST(FrontCodingTest, EntriesThatBeginAlikeShrink) {
  Listpack lp;
  for (int i = 100000; i < 100600; ++i) lp.Append("item:" + std::to_string(i));
  std::string coded;
  std::vector<uint32_t> restarts;
  FrontEncode(lp, &coded, &restarts);
  // 13 bytes per entry raw; the shared "item:100" plus header leaves about four.
  EXPECT_LT(coded.size(), lp.body().size() / 3);
  EXPECT_EQ(RoundTrip(lp), lp.body());
}

TEST(FrontCodingTest, CursorWalksTheEntriesInPlace) {
  Listpack lp;
  for (int i = 0; i < 300; ++i) {
    if (i % 7 == 0) {
      lp.AppendInt(i * 1000003);
    } else {
      lp.Append("session:" + std::string(static_cast<size_t>(i % 90), 'x') + std::to_string(i));
    }
  }
  std::string coded;
  std::vector<uint32_t> restarts;
  FrontEncode(lp, &coded, &restarts);
  FrontCursor cursor(reinterpret_cast<const unsigned char*>(coded.data()), coded.size());
  bool corrupt = true;
  size_t n = 0;
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone; p = lp.Next(p), ++n) {
    ASSERT_TRUE(cursor.Next(&corrupt)) << n;
    const Listpack::Element want = lp.Get(p);
    const Listpack::Element got = Listpack::EntryAt(cursor.entry());
    ASSERT_EQ(got.is_int, want.is_int) << n;
    ASSERT_EQ(got.ival, want.ival) << n;
    ASSERT_EQ(got.str, want.str) << n;
  }
  EXPECT_FALSE(cursor.Next(&corrupt));
  EXPECT_FALSE(corrupt);
  EXPECT_EQ(n, 300u);
  // A walk from each restart starts at entry 64 * r.
  ASSERT_EQ(restarts.size(), FrontRestartCount(300));
  ASSERT_EQ(restarts.size(), 5u);
  for (size_t r = 0; r < restarts.size(); ++r) {
    FrontCursor from(reinterpret_cast<const unsigned char*>(coded.data()) + restarts[r],
                     coded.size() - restarts[r]);
    ASSERT_TRUE(from.Next(&corrupt)) << r;
    const Listpack::Element want = lp.Get(lp.Seek(static_cast<int64_t>(r * 64)));
    const Listpack::Element got = Listpack::EntryAt(from.entry());
    EXPECT_EQ(got.is_int, want.is_int) << r;
    EXPECT_EQ(got.ival, want.ival) << r;
    EXPECT_EQ(got.str, want.str) << r;
  }
  // A truncated input ends the walk as corrupt.
  FrontCursor cut(reinterpret_cast<const unsigned char*>(coded.data()), coded.size() - 1);
  while (cut.Next(&corrupt)) {
  }
  EXPECT_TRUE(corrupt);
}

TEST(FrontCodingTest, MalformedInputIsRefused) {
  Listpack lp;
  lp.Append("alpha");
  lp.Append("alphabet");
  std::string coded;
  std::vector<uint32_t> restarts;
  FrontEncode(lp, &coded, &restarts);
  const size_t body = lp.body().size();
  bool ok = true;
  // Every truncation.
  for (size_t cut = 0; cut < coded.size(); ++cut) {
    Decode(coded.substr(0, cut), body, &ok);
    EXPECT_FALSE(ok) << "cut " << cut;
  }
  // The wrong body length, either way.
  Decode(coded, body - 1, &ok);
  EXPECT_FALSE(ok);
  Decode(coded, body + 1, &ok);
  EXPECT_FALSE(ok);
  // A first entry that claims to share bytes with an entry before it.
  std::string bad = coded;
  bad[0] = 1;
  Decode(bad, body, &ok);
  EXPECT_FALSE(ok);
  // An entry of no bytes at all.
  Decode(std::string("\x00\x00", 2), 0, &ok);
  EXPECT_FALSE(ok);
  // A length varint that never ends.
  Decode(std::string(8, '\xff'), body, &ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace gannet
