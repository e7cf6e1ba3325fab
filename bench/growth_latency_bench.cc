// Growth never stalls: inserts N keys (default 10M; GANNET_GROWTH_KEYS overrides) into
// one database, timing every insert, and reports the worst and the p99.9/p99.99 single
// insert latency. With incremental rehashing and lazily-zeroed bucket arrays the maximum
// should stay well under 10 ms (a stop-the-world resize of a 16M-bucket table would cost
// hundreds of ms). Run in a release build: build/release/bench/growth_latency_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/engine/database.h"
#include "gannet/engine/keyspace.h"

namespace gannet {
namespace {

int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// range(1) == 1 also measures each insert's thread CPU time (user + kernel, so page
// faults count) to tell our own stalls from the scheduler's: on a shared machine a
// descheduled thread shows multi-ms wall-clock outliers that cost no CPU.
void BM_GrowthLatency(benchmark::State& state) {
  int64_t n = state.range(0);
  const bool cpu = state.range(1) == 1;
  int64_t max_cpu_ns = 0;
  int64_t max_cpu_at = -1;
  if (const char* env = std::getenv("GANNET_GROWTH_KEYS"))
    n = std::max<int64_t>(1, std::atoll(env));
  std::vector<uint32_t> ns(static_cast<size_t>(n));
  for (auto _ : state) {
    ManualClock clock;
    auto ks = std::make_unique<Keyspace>(1, &clock);
    Database& db = ks->db(0);
    char key[32];
    for (int64_t i = 0; i < n; ++i) {
      const int len = std::snprintf(key, sizeof(key), "key:%012lld", static_cast<long long>(i));
      const int64_t c0 = cpu ? ThreadCpuNs() : 0;
      const auto t0 = std::chrono::steady_clock::now();
      db.Insert(std::string_view(key, static_cast<size_t>(len)), Value::String("abc"));
      const auto t1 = std::chrono::steady_clock::now();
      if (cpu) {
        const int64_t c = ThreadCpuNs() - c0;
        if (c > max_cpu_ns) {
          max_cpu_ns = c;
          max_cpu_at = i;
        }
      }
      const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      ns[static_cast<size_t>(i)] = static_cast<uint32_t>(std::min<int64_t>(d, UINT32_MAX));
    }
    // Then delete them all (shrinks run incrementally as the table empties).
    std::vector<uint32_t> del_ns(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int len = std::snprintf(key, sizeof(key), "key:%012lld", static_cast<long long>(i));
      const auto t0 = std::chrono::steady_clock::now();
      db.Delete(std::string_view(key, static_cast<size_t>(len)));
      const auto t1 = std::chrono::steady_clock::now();
      const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      del_ns[static_cast<size_t>(i)] = static_cast<uint32_t>(std::min<int64_t>(d, UINT32_MAX));
    }
    std::sort(del_ns.begin(), del_ns.end());
    state.counters["del_max_us"] = del_ns.back() / 1000.0;
    state.counters["del_p99_99_us"] =
        del_ns[static_cast<size_t>(0.9999 * static_cast<double>(del_ns.size() - 1))] / 1000.0;
    state.PauseTiming();
    ks.reset();
    state.ResumeTiming();
  }
  auto pct = [&](double p) {
    std::vector<uint32_t> v = ns;
    auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k] / 1000.0;
  };
  if (std::getenv("GANNET_GROWTH_VERBOSE") != nullptr) {
    if (cpu) std::fprintf(stderr, "max cpu insert #%lld\n", static_cast<long long>(max_cpu_at));
    // The ten slowest inserts and where they happened (resizes start at powers of two).
    std::vector<size_t> idx(ns.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::partial_sort(idx.begin(), idx.begin() + std::min<size_t>(10, idx.size()), idx.end(),
                      [&](size_t a, size_t b) { return ns[a] > ns[b]; });
    for (size_t i = 0; i < std::min<size_t>(10, idx.size()); ++i) {
      std::fprintf(stderr, "slow insert #%zu: %.1f us\n", idx[i], ns[idx[i]] / 1000.0);
    }
  }
  state.counters["keys"] = static_cast<double>(n);
  state.counters["max_us"] = *std::max_element(ns.begin(), ns.end()) / 1000.0;
  state.counters["p99_9_us"] = pct(0.999);
  state.counters["p99_99_us"] = pct(0.9999);
  state.counters["p50_us"] = pct(0.5);
  if (cpu) state.counters["max_cpu_us"] = static_cast<double>(max_cpu_ns) / 1000.0;
}
BENCHMARK(BM_GrowthLatency)
    ->Args({10'000'000, 0})
    ->Args({10'000'000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The same timing loop around nothing: its max is the environment's noise floor
// (preemption, hypervisor steal), to read BM_GrowthLatency's max against.
void BM_TimingNoiseFloor(benchmark::State& state) {
  const int64_t n = state.range(0);
  int64_t max_ns = 0;
  for (auto _ : state) {
    for (int64_t i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(i);
      const auto t1 = std::chrono::steady_clock::now();
      max_ns = std::max<int64_t>(
          max_ns, std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
  }
  state.counters["max_us"] = static_cast<double>(max_ns) / 1000.0;
}
BENCHMARK(BM_TimingNoiseFloor)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gannet
