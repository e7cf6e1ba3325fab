// Sorted-set big encoding (order-statistic B+tree + member index) at 10k/100k/1M members:
// ZADD of a new member, ZRANK of a random member, ZRANGE of 10 members from a random rank,
// and ZSCORE. Flat ns/op across sizes (up to cache effects) is the O(log n) evidence.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gannet/engine/zset_object.h"

namespace gannet {
namespace {

std::string Member(uint64_t i) { return "member:" + std::to_string(i); }

// A big-encoded set of n members with random scores.
void Fill(ZSetObject& z, size_t n) {
  std::mt19937_64 rng(42);
  ZSetObject::Limits limits{0, 0};
  for (size_t i = 0; i < n; ++i) {
    z.Insert(Member(i), static_cast<double>(rng() % 1000000), limits);
  }
}

void BM_ZAdd(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  ZSetObject z(true);
  Fill(z, n);
  std::mt19937_64 rng(1);
  ZSetObject::Limits limits{0, 0};
  uint64_t next = n;
  for (auto _ : state) {
    // Add one member and remove it again so the size stays n.
    const std::string m = Member(next++);
    z.Add(m, static_cast<double>(rng() % 1000000), 0, limits);
    state.PauseTiming();
    z.Remove(m);
    state.ResumeTiming();
  }
}

void BM_ZRank(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  ZSetObject z(true);
  Fill(z, n);
  std::mt19937_64 rng(2);
  std::vector<std::string> probes;
  for (int i = 0; i < 4096; ++i) probes.push_back(Member(rng() % n));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(z.Rank(probes[i++ & 4095], false));
  }
}

void BM_ZRange10(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  ZSetObject z(true);
  Fill(z, n);
  std::mt19937_64 rng(3);
  double sum = 0;
  for (auto _ : state) {
    const size_t b = rng() % (n - 10);
    z.ForEachInRanks(b, b + 10, false, [&](std::string_view, double s) { sum += s; });
  }
  benchmark::DoNotOptimize(sum);
}

void BM_ZScore(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  ZSetObject z(true);
  Fill(z, n);
  std::mt19937_64 rng(4);
  std::vector<std::string> probes;
  for (int i = 0; i < 4096; ++i) probes.push_back(Member(rng() % n));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(z.Score(probes[i++ & 4095]));
}

BENCHMARK(BM_ZAdd)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_ZRank)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_ZRange10)->Arg(10000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_ZScore)->Arg(10000)->Arg(100000)->Arg(1000000);

}  // namespace
}  // namespace gannet
