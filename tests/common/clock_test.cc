// Clock tests: the system clock agrees with itself across its three readings, and the
// manual clock moves only when told.
#include "gannet/common/clock.h"

#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

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

// Whatever the source of a reading (clock_gettime, or the time-stamp counter from an
// anchor), it lies between clock_gettime's readings around it, give or take a few
// microseconds of extrapolation, across sleeps that cross the anchors' millisecond.
TEST(SystemClockTest, AgreesWithClockGettime) {
  SystemClock c;
  auto read = [](clockid_t id) {
    timespec ts;
    clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  };
  int64_t last_mono = 0;
  for (int i = 0; i < 400; ++i) {
    if (i % 40 == 0) usleep(static_cast<useconds_t>(100 + i * 5));
    const int64_t before = read(CLOCK_REALTIME);
    const int64_t now = c.NowUs();
    const int64_t after = read(CLOCK_REALTIME);
    ASSERT_GE(now, before - 5) << i;
    ASSERT_LE(now, after + 5) << i;
    const int64_t mono_before = read(CLOCK_MONOTONIC);
    const int64_t mono = c.MonotonicUs();
    const int64_t mono_after = read(CLOCK_MONOTONIC);
    ASSERT_GE(mono, mono_before - 5) << i;
    ASSERT_LE(mono, mono_after + 5) << i;
    ASSERT_GE(mono, last_mono) << "monotonic readings never go back";
    last_mono = mono;
  }
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
