// Quicklist hot paths: push/pop at both ends, index into a 1M list, a 100-element range
// (LRANGE_100), and the bytes per element of a 1M list of short items; the *Compressed
// variants run the same at list-compress-depth 1 (interior nodes LZF). Run in a release
// build (jemalloc linked) for real figures:
//   build/release/bench/list_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <string>

#include "gannet/engine/list_object.h"

namespace gannet {
namespace {

constexpr int kFill = -2;  // list-max-listpack-size default: 8 KB nodes

void BM_PushFront(benchmark::State& state) {
  ListObject l(kFill, static_cast<int>(state.range(0)));
  for (auto _ : state) l.PushFront("xxx");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PushFront)->Arg(0)->Arg(1);

void BM_PushBack(benchmark::State& state) {
  ListObject l(kFill);
  for (auto _ : state) l.PushBack("element:123456");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PushBack);

void BM_PushPopFront(benchmark::State& state) {
  ListObject l(kFill);
  for (int i = 0; i < 100000; ++i) l.PushBack("xxx");
  std::string out;
  for (auto _ : state) {
    l.PushFront("xxx");
    l.PopFront(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_PushPopFront);

void BM_PopBackRefill(benchmark::State& state) {
  ListObject l(kFill);
  std::string out;
  for (auto _ : state) {
    if (l.empty()) {
      state.PauseTiming();
      for (int i = 0; i < 100000; ++i) l.PushBack("xxx");
      state.ResumeTiming();
    }
    l.PopBack(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PopBackRefill);

void BM_IndexMiddle1M(benchmark::State& state) {
  ListObject l(kFill, static_cast<int>(state.range(0)));
  for (int i = 0; i < 1'000'000; ++i) l.PushBack("item:" + std::to_string(i));
  size_t i = 0;
  for (auto _ : state) {
    std::string e = l.Get(250'000 + (i++ % 500'000));
    benchmark::DoNotOptimize(e.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexMiddle1M)->Arg(0)->Arg(1);

// LRANGE of 100 elements from the middle of a 1M list (compressed nodes at depth 1).
void BM_RangeMiddle100(benchmark::State& state) {
  ListObject l(kFill, static_cast<int>(state.range(0)));
  for (int i = 0; i < 1'000'000; ++i) l.PushBack("item:" + std::to_string(i));
  size_t bytes = 0;
  size_t i = 0;
  for (auto _ : state) {
    l.Visit(250'000 + (i++ % 500'000), 100, [&](const ListObject::Element& e) {
      bytes += e.str.size();
      return true;
    });
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_RangeMiddle100)->Arg(0)->Arg(1);

// LSET in the middle: decompress, replace, compress again at depth 1.
void BM_SetMiddle1M(benchmark::State& state) {
  ListObject l(kFill, static_cast<int>(state.range(0)));
  for (int i = 0; i < 1'000'000; ++i) l.PushBack("item:" + std::to_string(i));
  size_t i = 0;
  for (auto _ : state) l.Set(250'000 + (i++ % 500'000), "item:changed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SetMiddle1M)->Arg(0)->Arg(1);

void BM_Range100(benchmark::State& state) {
  ListObject l(kFill);
  for (int i = 0; i < 600; ++i) l.PushFront("xxx");  // redis-benchmark's LRANGE_100 list
  size_t bytes = 0;
  for (auto _ : state) {
    l.Visit(0, 100, [&](const ListObject::Element& e) {
      bytes += e.str.size();
      return true;
    });
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_Range100);

// Bytes of the object per element for 1M short items (MemoryUsage: listpack blocks as
// jemalloc sizes them, plus the node array).
void BM_Memory1M(benchmark::State& state) {
  for (auto _ : state) {
    ListObject l(kFill, static_cast<int>(state.range(0)));
    for (int i = 0; i < 1'000'000; ++i) l.PushBack("xxx");
    state.counters["bytes_per_item"] = static_cast<double>(l.MemoryUsage()) / 1e6;
    state.counters["nodes"] = static_cast<double>(l.node_count());
  }
}
BENCHMARK(BM_Memory1M)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gannet
