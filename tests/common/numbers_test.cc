// Number parsing/formatting against Redis 7.0's rules. Expected values marked (7.0.15) were
// checked against redis-server 7.0.15 (INCRBY, ZADD/ZSCORE, INCRBYFLOAT, OBJECT ENCODING).
#include "gannet/common/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace gannet {
namespace {

using namespace std::string_view_literals;

TEST(ParseInt64Test, AcceptsCanonicalIntegers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("1"), 1);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("1234567890"), 1234567890);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64Test, RejectsWhatRedisRejects) {  // (7.0.15) INCRBY k <arg>
  for (std::string_view s : {""sv,
                             "-"sv,
                             "-0"sv,
                             "007"sv,
                             "00"sv,
                             "+1"sv,
                             " 1"sv,
                             "1 "sv,
                             "1a"sv,
                             "a1"sv,
                             "9223372036854775808"sv,
                             "-9223372036854775809"sv,
                             "18446744073709551616"sv,
                             "99999999999999999999"sv,
                             "1.0"sv,
                             "1e3"sv,
                             "0x10"sv,
                             "--1"sv,
                             "-+1"sv,
                             "\x00"sv,
                             "1\x00"sv,
                             "000000000000000000001"sv}) {
    EXPECT_FALSE(ParseInt64(s).has_value()) << "'" << s << "'";
  }
}

TEST(ParseInt64Test, LengthCapIsTwentyCharacters) {
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);  // 20 chars
  EXPECT_FALSE(ParseInt64("-09223372036854775808").has_value());
}

TEST(ParseInt64Test, RoundTripsRandomValues) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    int64_t v = static_cast<int64_t>(rng()) >> (rng() % 64);
    std::string s = std::to_string(v);
    EXPECT_EQ(ParseInt64(s), v) << s;
    EXPECT_EQ(Int64ToString(v), s);
    int64_t out = 0;
    EXPECT_TRUE(IsCanonicalInt64(s, &out));
    EXPECT_EQ(out, v);
  }
}

TEST(ParseUint64Test, StrictUnsigned) {
  EXPECT_EQ(ParseUint64("0"), 0u);
  EXPECT_EQ(ParseUint64("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseUint64("9223372036854775808"), 9223372036854775808ull);
  EXPECT_FALSE(ParseUint64("18446744073709551616").has_value());
  EXPECT_FALSE(ParseUint64("-1").has_value());
  EXPECT_FALSE(ParseUint64("-0").has_value());
  EXPECT_FALSE(ParseUint64("01").has_value());
  EXPECT_FALSE(ParseUint64("+1").has_value());
  EXPECT_FALSE(ParseUint64("").has_value());
  EXPECT_FALSE(ParseUint64(" 1").has_value());
}

TEST(IsCanonicalInt64Test, MatchesObjectEncoding) {  // (7.0.15) SET k v; OBJECT ENCODING k
  int64_t v = 0;
  EXPECT_TRUE(IsCanonicalInt64("123", &v));
  EXPECT_EQ(v, 123);
  EXPECT_FALSE(IsCanonicalInt64("007", &v));  // embstr
  EXPECT_FALSE(IsCanonicalInt64("-0", &v));   // embstr
  EXPECT_FALSE(IsCanonicalInt64("1.0", &v));
  EXPECT_TRUE(IsCanonicalInt64("-5", nullptr));
}

TEST(FormatInt64Test, Extremes) {
  char buf[21];
  EXPECT_EQ(std::string(buf, FormatInt64(INT64_MIN, buf)), "-9223372036854775808");
  EXPECT_EQ(std::string(buf, FormatInt64(INT64_MAX, buf)), "9223372036854775807");
  EXPECT_EQ(std::string(buf, FormatInt64(0, buf)), "0");
  EXPECT_EQ(std::string(buf, FormatInt64(-7, buf)), "-7");
  EXPECT_EQ(std::string(buf, FormatInt64(10, buf)), "10");
  EXPECT_EQ(std::string(buf, FormatInt64(99, buf)), "99");
  EXPECT_EQ(std::string(buf, FormatInt64(100, buf)), "100");
  for (int64_t p = 1, i = 0; i < 18; ++i, p *= 10) {
    EXPECT_EQ(Int64ToString(p), std::to_string(p));
    EXPECT_EQ(Int64ToString(p - 1), std::to_string(p - 1));
    EXPECT_EQ(Int64ToString(-p), std::to_string(-p));
  }
}

TEST(ParseDoubleTest, AcceptsWhatZaddAccepts) {  // (7.0.15) ZADD z <arg> m; ZSCORE z m
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("+1.5"), 1.5);
  EXPECT_EQ(ParseDouble(".5"), 0.5);
  EXPECT_EQ(ParseDouble("5."), 5.0);
  EXPECT_EQ(ParseDouble("-3"), -3.0);
  EXPECT_EQ(ParseDouble("1e3"), 1000.0);
  EXPECT_EQ(ParseDouble("0x10"), 16.0);  // strtod's hex floats
  EXPECT_EQ(ParseDouble("inf"), HUGE_VAL);
  EXPECT_EQ(ParseDouble("+inf"), HUGE_VAL);
  EXPECT_EQ(ParseDouble("-inf"), -HUGE_VAL);
  EXPECT_EQ(ParseDouble("Infinity"), HUGE_VAL);
  EXPECT_EQ(ParseDouble("-INF"), -HUGE_VAL);
  auto denormal = ParseDouble("4e-320");  // underflow to a non-zero denormal is accepted
  ASSERT_TRUE(denormal.has_value());
  EXPECT_GT(*denormal, 0);
  EXPECT_EQ(ParseDouble("0"), 0.0);
  EXPECT_EQ(ParseDouble("-0"), 0.0);
}

TEST(ParseDoubleTest, RejectsWhatZaddRejects) {
  for (std::string_view s :
       {""sv, "nan"sv, "NaN"sv, "-nan"sv, " 1"sv, "1 "sv, "\t1"sv, "1e400"sv, "-1e400"sv,
        "1e-400"sv, "1e"sv, "1,5"sv, "abc"sv, "1.5x"sv, "1\x00"sv, "\x00"sv, "--1"sv}) {
    EXPECT_FALSE(ParseDouble(s).has_value()) << "'" << s << "'";
  }
}

TEST(ParseDoubleTest, LongInputs) {
  std::string zeros(200, '0');
  EXPECT_EQ(ParseDouble("1." + zeros), 1.0);  // longer than the stack buffer
  EXPECT_EQ(ParseDouble(zeros + "1"), 1.0);
  EXPECT_FALSE(ParseDouble(std::string(6000, '1')).has_value());  // > 5 KB: never a float
}

TEST(ParseLongDoubleTest, AsIncrbyfloat) {  // (7.0.15) INCRBYFLOAT f <arg>
  EXPECT_EQ(ParseLongDouble("1.5"), 1.5L);
  EXPECT_EQ(ParseLongDouble("3.0e3"), 3000.0L);
  EXPECT_EQ(ParseLongDouble("0x10"), 16.0L);
  EXPECT_EQ(ParseLongDouble("inf"), HUGE_VALL);
  auto big = ParseLongDouble("1e4000");  // fits a long double
  ASSERT_TRUE(big.has_value());
  EXPECT_GT(*big, 1e300L);
  EXPECT_FALSE(ParseLongDouble(" 1").has_value());
  EXPECT_FALSE(ParseLongDouble("nan").has_value());
  EXPECT_FALSE(ParseLongDouble("").has_value());
  EXPECT_FALSE(ParseLongDouble("1e99999").has_value());
  EXPECT_FALSE(ParseLongDouble("1e-99999").has_value());
}

TEST(FormatDoubleTest, PercentSeventeenG) {  // (7.0.15) ZSCORE
  EXPECT_EQ(FormatDouble(1.1), "1.1000000000000001");
  EXPECT_EQ(FormatDouble(0.1), "0.10000000000000001");
  EXPECT_EQ(FormatDouble(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(FormatDouble(3), "3");
  EXPECT_EQ(FormatDouble(1e-5), "1.0000000000000001e-05");
  EXPECT_EQ(FormatDouble(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(FormatDouble(4e-320), "3.999955468730732e-320");
  EXPECT_EQ(FormatDouble(HUGE_VAL), "inf");
  EXPECT_EQ(FormatDouble(-HUGE_VAL), "-inf");
  EXPECT_EQ(FormatDouble(-2.5), "-2.5");
  // %.17g keeps the sign of zero, as ZSCORE does on a skiplist-encoded zset (7.0.15).
  EXPECT_EQ(FormatDouble(-0.0), "-0");
  EXPECT_EQ(FormatDouble(0.0), "0");
}

TEST(FormatLongDoubleTest, AsIncrbyfloat) {  // (7.0.15) INCRBYFLOAT on a missing key
  EXPECT_EQ(FormatLongDouble(1.5L), "1.5");
  EXPECT_EQ(FormatLongDouble(3000.0L), "3000");
  EXPECT_EQ(FormatLongDouble(1e-20L), "0");
  EXPECT_EQ(FormatLongDouble(-1.5L), "-1.5");
  EXPECT_EQ(FormatLongDouble(0.1L), "0.1");
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(0.5L), "0.5");
  EXPECT_EQ(FormatLongDouble(0.1L + 0.2L), "0.3");
  EXPECT_EQ(FormatLongDouble(10.5L - 10.5L), "0");
  EXPECT_EQ(FormatLongDouble(-1e-20L), "0");
  EXPECT_EQ(FormatLongDouble(HUGE_VALL), "inf");
  EXPECT_EQ(FormatLongDouble(-HUGE_VALL), "-inf");
  EXPECT_EQ(FormatLongDouble(1e300L),
            "10000000000000000000089973240795591938705239442732907479382600823212656465961809"
            "35755849152083750497190350372508614274835903592556184672983913096260520748646287"
            "32713564184365329408425510760601678972665293237003055138294762099454029477278188"
            "9620606179267611627097410650567187386105690089424915104006144");
  // The largest long doubles still fit the buffer (4933 integer digits).
  std::string max = FormatLongDouble(std::numeric_limits<long double>::max());
  EXPECT_EQ(max.size(), 4933u);
  EXPECT_EQ(FormatLongDouble(-std::numeric_limits<long double>::max()).size(), 4934u);
}

}  // namespace
}  // namespace gannet
