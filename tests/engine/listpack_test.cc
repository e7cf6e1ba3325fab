// Listpack: byte-exact serialized layout against a block dumped from redis-server 7.0.15,
// the header-less in-memory body, navigation both ways, every integer width, mutations
// checked against a std::deque model, and validation of hostile serialized blocks.
#include "gannet/engine/listpack.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace gannet {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> Contents(const Listpack& lp) {
  std::vector<std::string> out;
  for (auto p = lp.First(); p != Listpack::kNone; p = lp.Next(p)) {
    out.push_back(lp.Get(p).ToStdString());
  }
  return out;
}

std::vector<std::string> ContentsBackwards(const Listpack& lp) {
  std::vector<std::string> out;
  for (auto p = lp.Last(); p != Listpack::kNone; p = lp.Prev(p)) {
    out.insert(out.begin(), lp.Get(p).ToStdString());
  }
  return out;
}

// The field/value pairs of a hash, in insertion order, and the listpack redis-server
// 7.0.15 stored for them (from DUMP with rdbcompression no and hash-max-listpack-value 200).
const std::vector<std::pair<std::string, std::string>> kRedisPairs = {
    {"a", "1"},
    {"neg", "-5000"},
    {"big", "12345678901"},
    {"n16", "-30000"},
    {"n24", "8000000"},
    {"n32", "-2000000000"},
    {"s", std::string(70, 'x')},
    {"m", "-1"},
    {"z", "0"},
    {"e", ""},
    {"lead0", "007"},
    {"max", "9223372036854775807"},
    {"min", "-9223372036854775808"},
    {"b127", "127"},
    {"b128", "128"},
    {"m4096", "-4096"},
    {"p4095", "4095"},
    {"p4096", "4096"}};
constexpr std::string_view kRedisBlockHex =
    "f800000024008161020101836e656704f178ec038362696704f4351cdcdf0200000009836e313604f1d08a03"
    "836e323404f200127a04836e333204f3006cca8805817302e046787878787878787878787878787878787878"
    "7878787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
    "787878787878787848816d02dfff02817a0200018165028001856c65616430068330303704836d617804f4ff"
    "ffffffffffff7f09836d696e04f40000000000000080098462313237057f01846231323805c08002856d3430"
    "393606d0000285703430393506cfff0285703430393606f1001003ff";

TEST(ListpackTest, EmptyBlockIsSevenBytes) {
  Listpack lp;
  EXPECT_EQ(lp.bytes_size(), 7u);
  EXPECT_EQ(lp.Serialize(), FromHex("07000000"
                                    "0000"
                                    "ff"));
  EXPECT_TRUE(lp.body().empty());
  EXPECT_EQ(lp.MemoryUsage(), 0u);  // an empty listpack allocates nothing
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.size(), 0u);
  EXPECT_EQ(lp.First(), Listpack::kNone);
  EXPECT_EQ(lp.Last(), Listpack::kNone);
  EXPECT_EQ(lp.Seek(0), Listpack::kNone);
}

TEST(ListpackTest, LayoutMatchesRedisByteForByte) {
  Listpack lp;
  for (const auto& [f, v] : kRedisPairs) {
    lp.Append(f);
    lp.Append(v);
  }
  const std::string block = FromHex(kRedisBlockHex);
  EXPECT_EQ(lp.Serialize(), block);
  EXPECT_EQ(lp.bytes_size(), block.size());
  // In memory: the entries only, without the 6-byte header and the 0xFF terminator.
  EXPECT_EQ(lp.body(), block.substr(6, block.size() - 7));
  EXPECT_GE(lp.MemoryUsage(), block.size() - 7);
  // AppendSerialized appends after what is there.
  std::string out = "prefix";
  lp.AppendSerialized(&out);
  EXPECT_EQ(out, "prefix" + block);
}

TEST(ListpackTest, ReadsRedisBlock) {
  auto lp = Listpack::FromBytes(FromHex(kRedisBlockHex));
  ASSERT_TRUE(lp.has_value());
  ASSERT_EQ(lp->size(), kRedisPairs.size() * 2);
  std::vector<std::string> want;
  for (const auto& [f, v] : kRedisPairs) {
    want.push_back(f);
    want.push_back(v);
  }
  EXPECT_EQ(Contents(*lp), want);
  EXPECT_EQ(ContentsBackwards(*lp), want);
  // "007" is not canonical, so it stays a string; "127" is a 7-bit integer.
  auto p = lp->Find(lp->First(), "lead0", 1);
  ASSERT_NE(p, Listpack::kNone);
  EXPECT_FALSE(lp->Get(lp->Next(p)).is_int);
  p = lp->Find(lp->First(), "b127", 1);
  EXPECT_TRUE(lp->Get(lp->Next(p)).is_int);
  EXPECT_EQ(lp->Get(lp->Next(p)).ival, 127);
}

TEST(ListpackTest, IntegerWidthsRoundTrip) {
  const std::vector<int64_t> values = {0,         127,       128,       -1,       -4096,
                                       4095,      4096,      -4097,     32767,    -32768,
                                       32768,     8388607,   -8388608,  8388608,  INT32_MAX,
                                       INT32_MIN, 1LL << 40, INT64_MAX, INT64_MIN};
  Listpack lp;
  for (int64_t v : values) lp.AppendInt(v);
  size_t i = 0;
  for (auto p = lp.First(); p != Listpack::kNone; p = lp.Next(p), ++i) {
    auto e = lp.Get(p);
    ASSERT_TRUE(e.is_int);
    EXPECT_EQ(e.ival, values[i]);
  }
  EXPECT_EQ(i, values.size());
}

TEST(ListpackTest, FindSkipsValuesInPairLayout) {
  Listpack lp;
  for (auto s : {"f1", "f2", "f2", "v2", "3", "4"}) lp.Append(s);
  // Searching fields only (skip = 1): "f2" as a value at index 1 must not match.
  auto p = lp.Find(lp.First(), "f2", 1);
  ASSERT_NE(p, Listpack::kNone);
  EXPECT_EQ(p, lp.Seek(2));
  EXPECT_EQ(lp.Find(lp.First(), "v2", 1), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "3", 1), lp.Seek(4));
  EXPECT_EQ(lp.Find(lp.First(), "4", 1), Listpack::kNone);
  EXPECT_EQ(lp.Find(lp.First(), "4", 0), lp.Seek(5));
}

TEST(ListpackTest, LongStringsUseWiderHeaders) {
  Listpack lp;
  const std::string s63(63, 'a'), s64(64, 'b'), s4095(4095, 'c'), s4096(4096, 'd'),
      s20000(20000, 'e');
  for (const auto* s : {&s63, &s64, &s4095, &s4096, &s20000}) lp.Append(*s);
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{s63, s64, s4095, s4096, s20000}));
  EXPECT_EQ(ContentsBackwards(lp), Contents(lp));
  auto reread = Listpack::FromBytes(lp.Serialize());
  ASSERT_TRUE(reread.has_value());
  EXPECT_EQ(Contents(*reread), Contents(lp));
}

TEST(ListpackTest, RandomOperationsMatchDequeModel) {
  std::mt19937_64 rng(20261122);
  Listpack lp;
  std::deque<std::string> model;
  auto random_value = [&]() -> std::string {
    switch (rng() % 4) {
      case 0:
        return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
      case 1:
        return std::string(rng() % 10, static_cast<char>('a' + rng() % 26));
      case 2:
        return std::string(60 + rng() % 10, 'q');
      default:
        return "0" + std::to_string(rng() % 100);  // not canonical: stays a string
    }
  };
  for (int step = 0; step < 6000; ++step) {
    const auto n = static_cast<int64_t>(model.size());
    switch (rng() % 7) {
      case 0: {
        auto v = random_value();
        lp.Append(v);
        model.push_back(v);
        break;
      }
      case 1: {
        auto v = random_value();
        lp.Prepend(v);
        model.push_front(v);
        break;
      }
      case 2:
        if (n > 0) {
          int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
          bool after = rng() % 2;
          auto v = random_value();
          lp.Insert(lp.Seek(i), v, after);
          model.insert(model.begin() + i + (after ? 1 : 0), v);
        }
        break;
      case 3:
        if (n > 0) {
          int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
          auto next = lp.Delete(lp.Seek(i));
          model.erase(model.begin() + i);
          EXPECT_EQ(next, i < n - 1 ? lp.Seek(i) : Listpack::kNone);
        }
        break;
      case 4:
        if (n > 0) {
          int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
          auto v = random_value();
          auto p = lp.Replace(lp.Seek(i), v);
          model[static_cast<size_t>(i)] = v;
          EXPECT_EQ(p, lp.Seek(i));
        }
        break;
      case 5:
        if (n > 0 && rng() % 8 == 0) {
          int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
          size_t count = rng() % 5;
          lp.DeleteRange(lp.Seek(i), count);
          auto end = model.begin() + std::min<int64_t>(n, i + static_cast<int64_t>(count));
          model.erase(model.begin() + i, end);
        }
        break;
      default:
        if (n > 0) {
          int64_t i = -1 - static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
          EXPECT_EQ(lp.Get(lp.Seek(i)).ToStdString(), model[static_cast<size_t>(n + i)]);
        }
    }
    ASSERT_EQ(lp.size(), model.size());
    if (step % 500 == 0) {
      ASSERT_EQ(Contents(lp), std::vector<std::string>(model.begin(), model.end()));
      ASSERT_EQ(ContentsBackwards(lp), Contents(lp));
      auto reread = Listpack::FromBytes(lp.Serialize());
      ASSERT_TRUE(reread.has_value());
      ASSERT_EQ(reread->Serialize(), lp.Serialize());
      ASSERT_EQ(reread->body(), lp.body());
    }
  }
}

TEST(ListpackTest, CloneAndMoveAreIndependent) {
  Listpack a;
  a.Append("x");
  a.Append("42");
  Listpack b = a.Clone();
  b.Append("y");
  EXPECT_EQ(Contents(a), (std::vector<std::string>{"x", "42"}));
  EXPECT_EQ(Contents(b), (std::vector<std::string>{"x", "42", "y"}));
  Listpack c = std::move(b);
  EXPECT_EQ(c.size(), 3u);
  c.Clear();
  EXPECT_EQ(c.bytes_size(), 7u);
  EXPECT_TRUE(c.empty());
}

TEST(ListpackTest, ElementEqualsComparesCanonically) {
  Listpack lp;
  lp.Append("10");
  lp.Append("010");
  EXPECT_TRUE(lp.Get(lp.Seek(0)).Equals("10"));
  EXPECT_FALSE(lp.Get(lp.Seek(0)).Equals("010"));
  EXPECT_TRUE(lp.Get(lp.Seek(1)).Equals("010"));
  EXPECT_FALSE(lp.Get(lp.Seek(1)).Equals("10"));
}

// Hostile serialized blocks must be refused, never read out of bounds.
TEST(ListpackTest, FromBytesRejectsMalformedBlocks) {
  const std::string good = FromHex(kRedisBlockHex);
  EXPECT_FALSE(Listpack::FromBytes("").has_value());
  EXPECT_FALSE(Listpack::FromBytes(good.substr(0, 6)).has_value());
  std::string wrong_total = good;
  wrong_total[0] = static_cast<char>(wrong_total[0] + 1);
  EXPECT_FALSE(Listpack::FromBytes(wrong_total).has_value());
  std::string no_eof = good;
  no_eof.back() = 0x01;
  EXPECT_FALSE(Listpack::FromBytes(no_eof).has_value());
  std::string wrong_count = good;
  wrong_count[4] = 0x23;
  EXPECT_FALSE(Listpack::FromBytes(wrong_count).has_value());
  // A 32-bit string length far past the end of the block.
  std::string huge = FromHex("0f0000000100f0ffffff7f01ff");
  huge[0] = static_cast<char>(huge.size());
  EXPECT_FALSE(Listpack::FromBytes(huge).has_value());
  // A bad backlen.
  std::string bad_backlen = FromHex("0a000000010081617fff");
  EXPECT_FALSE(Listpack::FromBytes(bad_backlen).has_value());
  // Every single-byte corruption of a valid block is either refused or still readable.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = good;
    bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (auto lp = Listpack::FromBytes(bytes)) {
      EXPECT_EQ(Contents(*lp).size(), lp->size());
      EXPECT_EQ(ContentsBackwards(*lp).size(), lp->size());
    }
  }
}

// The count behaves as Redis's header count: 65535 and more is "unknown" and counted by
// walking; inserts and deletes leave it "unknown" once saturated, as Redis's lpInsert and
// lpDelete do, and a walk that counts fewer than 65535 stores the exact count again, as
// Redis's lpLength rewrites the header.
TEST(ListpackTest, CountPastTheHeaderIsWalked) {
  Listpack lp;
  for (int i = 0; i < 65534; ++i) lp.AppendInt(i % 100);
  auto header = [](const Listpack& l) {
    const std::string b = l.Serialize();
    return static_cast<unsigned>(static_cast<unsigned char>(b[4])) |
           static_cast<unsigned>(static_cast<unsigned char>(b[5])) << 8;
  };
  EXPECT_EQ(header(lp), 65534u);
  EXPECT_EQ(lp.size(), 65534u);
  lp.Append("x");
  EXPECT_EQ(header(lp), 65535u);  // exactly 65535 elements already reads as "unknown"
  EXPECT_EQ(lp.size(), 65535u);
  EXPECT_EQ(header(lp), 65535u);  // a walk of 65535 cannot be stored
  lp.Append("y");
  EXPECT_EQ(header(lp), 65535u);
  EXPECT_EQ(lp.size(), 65536u);
  EXPECT_EQ(lp.Get(lp.Seek(-1)).str, "y");
  EXPECT_EQ(lp.Get(lp.Seek(65534)).str, "x");
  lp.DeleteRange(lp.First(), 10);
  EXPECT_EQ(header(lp), 65535u);  // deletes leave it saturated
  EXPECT_FALSE(lp.empty());
  // A block with an "unknown" header loads as it is, and counts right.
  auto copy = Listpack::FromBytes(lp.Serialize());
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(header(*copy), 65535u);
  Listpack clone = copy->Clone();
  EXPECT_EQ(header(clone), 65535u);
  EXPECT_EQ(clone.Serialize(), lp.Serialize());
  // Reading the size walks, and stores the count now that it fits again.
  EXPECT_EQ(lp.size(), 65526u);
  EXPECT_EQ(header(lp), 65526u);
  EXPECT_EQ(copy->size(), 65526u);
  EXPECT_EQ(copy->Serialize(), lp.Serialize());
  lp.Delete(lp.First());
  EXPECT_EQ(header(lp), 65525u);  // exact again, so deletes count down
  lp.Clear();
  EXPECT_EQ(header(lp), 0u);
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.size(), 0u);
}

// The body grows and shrinks through many allocator size classes; at every step it is the
// serialized block without header and terminator, and a serialize/parse round trip gives
// back the same body and count.
TEST(ListpackTest, BodyTracksGrowthAndShrinkAcrossSizeClasses) {
  Listpack lp;
  std::vector<std::string> model;
  for (int i = 0; i < 300; ++i) {
    std::string v = i % 3 == 0 ? std::to_string(i * 997) : std::string(i % 50, 'a' + i % 26);
    lp.Append(v);
    model.push_back(v);
    ASSERT_EQ(lp.body().size() + Listpack::kOverhead, lp.bytes_size());
    ASSERT_GE(lp.MemoryUsage(), lp.body().size());
    const std::string block = lp.Serialize();
    ASSERT_EQ(block.size(), lp.bytes_size());
    ASSERT_EQ(block.substr(6, block.size() - 7), lp.body());
    ASSERT_EQ(static_cast<unsigned char>(block.back()), 0xFF);
    auto reread = Listpack::FromBytes(block);
    ASSERT_TRUE(reread.has_value());
    ASSERT_EQ(reread->body(), lp.body());
    ASSERT_EQ(reread->size(), lp.size());
  }
  EXPECT_EQ(Contents(lp), model);
  while (!lp.empty()) {
    lp.Delete(lp.First());
    model.erase(model.begin());
    ASSERT_EQ(lp.body().size() + Listpack::kOverhead, lp.bytes_size());
    ASSERT_EQ(lp.size(), model.size());
  }
  EXPECT_EQ(lp.MemoryUsage(), 0u);  // the last delete frees the block
  EXPECT_EQ(lp.Serialize(), FromHex("070000000000ff"));
  lp.Append("again");
  EXPECT_EQ(Contents(lp), std::vector<std::string>{"again"});
}

// Replace resizes once, growing, shrinking or keeping the entry's size, and keeps the count.
TEST(ListpackTest, ReplaceChangesOneEntryInPlace) {
  Listpack lp;
  for (auto s : {"a", "bb", "ccc"}) lp.Append(s);
  const std::string wide(200, 'w');  // 2-byte header, 2-byte backlen
  auto p = lp.Replace(lp.Seek(1), wide);
  EXPECT_EQ(p, lp.Seek(1));
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"a", wide, "ccc"}));
  EXPECT_EQ(ContentsBackwards(lp), Contents(lp));
  lp.ReplaceInt(lp.Seek(1), -70000);  // shrinks: a 24-bit integer
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"a", "-70000", "ccc"}));
  EXPECT_EQ(ContentsBackwards(lp), Contents(lp));
  lp.Replace(lp.Seek(1), "12");  // shrinks: a 7-bit integer
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"a", "12", "ccc"}));
  p = lp.Replace(lp.Seek(2), "ddd");  // same size, last entry
  EXPECT_EQ(p, lp.Seek(2));
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"a", "12", "ddd"}));
  EXPECT_EQ(lp.size(), 3u);
  EXPECT_EQ(lp.Serialize().substr(4, 2), std::string("\x03\x00", 2));
  ASSERT_TRUE(Listpack::FromBytes(lp.Serialize()).has_value());
  // A value that is a view into the listpack itself is read before the block changes.
  const std::string_view inside = lp.Get(lp.Seek(2)).str;
  lp.Replace(lp.Seek(0), inside);
  EXPECT_EQ(Contents(lp), (std::vector<std::string>{"ddd", "12", "ddd"}));
}

TEST(ListpackTest, MovedFromIsAnEmptyUsableListpack) {
  Listpack a;
  a.Append("x");
  Listpack b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.MemoryUsage(), 0u);
  a.Append("y");
  EXPECT_EQ(Contents(a), std::vector<std::string>{"y"});
  b = std::move(a);
  EXPECT_EQ(Contents(b), std::vector<std::string>{"y"});
  EXPECT_TRUE(Listpack::FromBytes(FromHex("070000000000ff"))->empty());
  EXPECT_EQ(Listpack::FromBytes(FromHex("070000000000ff"))->MemoryUsage(), 0u);
  EXPECT_TRUE(Listpack().Clone().empty());
}

// ListpackOr: the listpack or a tagged big pointer in the listpack's 14 bytes.
TEST(ListpackTest, ListpackOrSwitchesAndMoves) {
  struct Big {
    std::string name;
  };
  static_assert(sizeof(ListpackOr<Big>) == sizeof(Listpack));
  ListpackOr<Big> a;
  EXPECT_FALSE(a.is_big());
  EXPECT_TRUE(a.lp().empty());
  a.lp().Append("one");
  a.lp().Append("two");
  ListpackOr<Big> b(std::move(a));
  EXPECT_FALSE(b.is_big());
  EXPECT_EQ(Contents(b.lp()), (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(a.is_big());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(a.lp().empty());
  b.SetBig(std::make_unique<Big>(Big{"big"}));
  ASSERT_TRUE(b.is_big());
  EXPECT_EQ(b.big()->name, "big");
  a = std::move(b);
  ASSERT_TRUE(a.is_big());
  EXPECT_EQ(a.big()->name, "big");
  EXPECT_FALSE(b.is_big());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(b.lp().empty());
  Listpack lp;
  lp.Append("back");
  a.SetListpack(std::move(lp));
  EXPECT_FALSE(a.is_big());
  EXPECT_EQ(Contents(a.lp()), std::vector<std::string>{"back"});
  ListpackOr<Big> c(std::make_unique<Big>(Big{"c"}));
  EXPECT_EQ(c.big()->name, "c");
}

}  // namespace
}  // namespace gannet
