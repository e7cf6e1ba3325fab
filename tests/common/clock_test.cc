// Clock tests: the system clock agrees with itself across its three readings, and the
// manual clock moves only when told.
#include "gannet/common/clock.h"

#include <gtest/gtest.h>

namespace gannet {
namespace {

TEST(SystemClockTest, ReadingsAreConsistent) {
  SystemClock c;
  int64_t ms = c.NowMs();
  int64_t us = c.NowUs();
  EXPECT_GT(ms, 1'600'000'000'000);  // after 2020
  EXPECT_GE(us / 1000, ms);
  EXPECT_LT(us / 1000 - ms, 10'000);
  int64_t m1 = c.MonotonicUs();
  int64_t m2 = c.MonotonicUs();
  EXPECT_GE(m2, m1);
  EXPECT_GT(m1, 0);
}

TEST(ManualClockTest, MovesOnlyByHand) {
  ManualClock c(1000);
  EXPECT_EQ(c.NowMs(), 1000);
  EXPECT_EQ(c.NowUs(), 1'000'000);
  c.AdvanceMs(5);
  EXPECT_EQ(c.NowMs(), 1005);
  c.AdvanceUs(1500);
  EXPECT_EQ(c.NowUs(), 1'006'500);
  EXPECT_EQ(c.NowMs(), 1006);
  EXPECT_EQ(c.MonotonicUs(), 1'006'500);
  c.SetMs(42);
  EXPECT_EQ(c.NowMs(), 42);
}

}  // namespace
}  // namespace gannet
