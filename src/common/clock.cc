// SystemClock: wall-clock and monotonic time. The server reads it once per command;
// everything below the server takes the reading as a value.
//
// Where the CPU's time-stamp counter is trustworthy (the kernel reports constant_tsc and
// nonstop_tsc and keeps its own clocksource on it, the checks Redis's monotonic clock
// makes), a reading is the counter's distance from a per-thread anchor taken with
// clock_gettime at most a millisecond earlier: an rdtsc and a multiply, about 10 ns here
// against 23 ns for clock_gettime through the vDSO (a few percent of a pipelined request's
// CPU). Re-anchoring every millisecond keeps the result within a fraction of a microsecond
// of clock_gettime's, whatever the calibration's error, and picks up changes of the wall
// clock (NTP) within a millisecond. Elsewhere every reading is a clock_gettime.
#include "gannet/common/clock.h"

#include <time.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace gannet {

namespace {

int64_t ReadUs(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

#if defined(__x86_64__)

struct Tsc {
  bool usable = false;
  double us_per_tick = 0;
  uint64_t ticks_per_ms = 0;  // how long an anchor serves
};

bool KernelTrustsTsc() {
  std::ifstream source("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string name;
  if (!(source >> name) || name != "tsc") return false;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line);
    bool constant = false;
    bool nonstop = false;
    for (std::string f; flags >> f;) {
      constant |= f == "constant_tsc";
      nonstop |= f == "nonstop_tsc";
    }
    return constant && nonstop;
  }
  return false;
}

// A clock reading and the counter at the same moment: the counter read on both sides of
// the clock, the closest of a few tries (a preemption in between would skew the pair).
struct Pair {
  int64_t us;
  uint64_t tsc;
};

Pair ReadPair(clockid_t id) {
  Pair best{0, 0};
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const uint64_t before = __rdtsc();
    const int64_t us = ReadUs(id);
    const uint64_t after = __rdtsc();
    if (after >= before && after - before < best_gap) {
      best_gap = after - before;
      best = {us, before + (after - before) / 2};
    }
  }
  return best;
}

// Ticks per microsecond measured against CLOCK_MONOTONIC_RAW over 2 ms, once per process.
Tsc Calibrate() {
  Tsc t;
  if (!KernelTrustsTsc()) return t;
  const Pair p0 = ReadPair(CLOCK_MONOTONIC_RAW);
  while (ReadUs(CLOCK_MONOTONIC_RAW) - p0.us < 2000) {
  }
  const Pair p1 = ReadPair(CLOCK_MONOTONIC_RAW);
  if (p1.tsc <= p0.tsc || p1.us <= p0.us) return t;
  t.us_per_tick = static_cast<double>(p1.us - p0.us) / static_cast<double>(p1.tsc - p0.tsc);
  t.ticks_per_ms = static_cast<uint64_t>(1000.0 / t.us_per_tick);
  t.usable = t.ticks_per_ms > 0;
  return t;
}

const Tsc& TscInfo() {
  static const Tsc tsc = Calibrate();
  return tsc;
}

// One thread's anchor for one clock, and its last reading.
struct Anchor {
  uint64_t tsc = 0;  // 0: none yet
  int64_t us = 0;
  int64_t last = 0;
};

int64_t FastReadUs(clockid_t id, Anchor& a) {
  const Tsc& t = TscInfo();
  if (!t.usable) return ReadUs(id);
  const uint64_t now = __rdtsc();
  int64_t us;
  if (a.tsc == 0 || now < a.tsc || now - a.tsc > t.ticks_per_ms) {
    const Pair p = ReadPair(id);
    a.us = p.us;
    a.tsc = p.tsc;
    us = a.us;
  } else {
    us = a.us + static_cast<int64_t>(static_cast<double>(now - a.tsc) * t.us_per_tick);
  }
  // A new anchor can land a fraction of a microsecond behind the extrapolation before it;
  // such a step back is hidden so that durations never come out negative. A real step
  // back of the wall clock (NTP, settimeofday) is passed through.
  if (us < a.last && a.last - us < 1000) return a.last;
  a.last = us;
  return us;
}

int64_t RealtimeUs() {
  thread_local Anchor anchor;
  return FastReadUs(CLOCK_REALTIME, anchor);
}

int64_t MonotonicClockUs() {
  thread_local Anchor anchor;
  return FastReadUs(CLOCK_MONOTONIC, anchor);
}

#else

int64_t RealtimeUs() { return ReadUs(CLOCK_REALTIME); }
int64_t MonotonicClockUs() { return ReadUs(CLOCK_MONOTONIC); }

#endif

}  // namespace

int64_t SystemClock::NowMs() const { return RealtimeUs() / 1000; }

int64_t SystemClock::NowUs() const { return RealtimeUs(); }

int64_t SystemClock::MonotonicUs() const { return MonotonicClockUs(); }

}  // namespace gannet
