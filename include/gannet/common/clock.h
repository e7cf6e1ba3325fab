// Injected time. The server reads the clock once per command (see CommandContext::now_ms)
// so that a command sees one consistent "now"; tests use ManualClock and never sleep.
#pragma once

#include <cstdint>

namespace gannet {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock, as Redis uses for expiry).
  virtual int64_t NowMs() const = 0;
  // Microseconds since the Unix epoch.
  virtual int64_t NowUs() const = 0;
  // Monotonic microseconds, for measuring durations (latency, CPU budgets).
  virtual int64_t MonotonicUs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t NowUs() const override;
  int64_t MonotonicUs() const override;
};

// A clock tests move by hand; it counts the readings.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_us_(start_ms * 1000) {}
  int64_t NowMs() const override { return ++reads_, now_us_ / 1000; }
  int64_t NowUs() const override { return ++reads_, now_us_; }
  int64_t MonotonicUs() const override { return ++reads_, now_us_; }
  void AdvanceMs(int64_t ms) { now_us_ += ms * 1000; }
  void AdvanceUs(int64_t us) { now_us_ += us; }
  void SetMs(int64_t ms) { now_us_ = ms * 1000; }
  uint64_t reads() const { return reads_; }

 private:
  int64_t now_us_;
  mutable uint64_t reads_ = 0;
};

}  // namespace gannet
