// SystemClock: wall-clock and monotonic time from clock_gettime. The server reads it once
// per command; everything below the server takes the reading as a value.
#include "gannet/common/clock.h"

#include <time.h>

namespace gannet {

namespace {

int64_t ReadUs(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace

int64_t SystemClock::NowMs() const {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

int64_t SystemClock::NowUs() const { return ReadUs(CLOCK_REALTIME); }

int64_t SystemClock::MonotonicUs() const { return ReadUs(CLOCK_MONOTONIC); }

}  // namespace gannet
