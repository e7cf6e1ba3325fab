// HyperLogLog hot paths: hashing an element, adding to sparse and dense values, counting
// (what PFCOUNT pays when the cached cardinality is stale) and the register-wise merge of
// multi-key PFCOUNT/PFMERGE.
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <vector>

#include "hyperloglog.h"

namespace gannet {
namespace {

std::vector<std::string> Elements(size_t n, const std::string& prefix) {
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i * 7919));
  return out;
}

std::string DenseWith(size_t n) {
  std::string h = hll::CreateEmpty();
  hll::ToDense(h);
  for (const std::string& e : Elements(n, "d:")) {
    const hll::Pattern p = hll::PatternOf(e);
    hll::Set(h, p.index, p.count, 3000);
  }
  return h;
}

void BM_PatternOf(benchmark::State& state) {
  const auto elems = Elements(1024, "element:");
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hll::PatternOf(elems[i++ & 1023]));
  }
}
BENCHMARK(BM_PatternOf);

// Adds state.range(0) elements to a fresh sparse HLL (promoted to dense past 3000 bytes).
void BM_SparseAdd(benchmark::State& state) {
  const auto elems = Elements(static_cast<size_t>(state.range(0)), "s:");
  for (auto _ : state) {
    std::string h = hll::CreateEmpty();
    for (const std::string& e : elems) {
      const hll::Pattern p = hll::PatternOf(e);
      hll::Set(h, p.index, p.count, 3000);
    }
    benchmark::DoNotOptimize(h.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SparseAdd)->Arg(100)->Arg(1000);

void BM_DenseAdd(benchmark::State& state) {
  std::string h = DenseWith(0);
  const auto elems = Elements(4096, "x:");
  size_t i = 0;
  for (auto _ : state) {
    const hll::Pattern p = hll::PatternOf(elems[i++ & 4095]);
    benchmark::DoNotOptimize(hll::Set(h, p.index, p.count, 3000));
  }
}
BENCHMARK(BM_DenseAdd);

void BM_DenseCount(benchmark::State& state) {
  const std::string h = DenseWith(10000);
  for (auto _ : state) benchmark::DoNotOptimize(hll::Count(h));
}
BENCHMARK(BM_DenseCount);

void BM_SparseCount(benchmark::State& state) {
  std::string h = hll::CreateEmpty();
  for (const std::string& e : Elements(300, "c:")) {
    const hll::Pattern p = hll::PatternOf(e);
    hll::Set(h, p.index, p.count, 3000);
  }
  for (auto _ : state) benchmark::DoNotOptimize(hll::Count(h));
}
BENCHMARK(BM_SparseCount);

// PFCOUNT a b: merge two dense values into the max array, then estimate.
void BM_UnionCount(benchmark::State& state) {
  const std::string a = DenseWith(10000);
  const std::string b = DenseWith(20000);
  std::array<uint8_t, hll::kRegisters> max{};
  for (auto _ : state) {
    max.fill(0);
    hll::MergeInto(a, max.data());
    hll::MergeInto(b, max.data());
    benchmark::DoNotOptimize(hll::CountRegisters(max.data()));
  }
}
BENCHMARK(BM_UnionCount);

}  // namespace
}  // namespace gannet
