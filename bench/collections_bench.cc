// Hash and set hot paths on the engine objects, without the network: HSET/HGET on
// listpack (10 fields) and hashtable (10,000 fields) hashes, SADD/SISMEMBER on intset
// (500 members) and hashtable (1M members) sets, and SPOP. Also the memory cost of the
// two side-by-side targets (100,000 hashes of 10 short fields; one set of 1,000,000
// integers) counted with MemoryUsage() and the process RSS growth. Run in a release build
// (jemalloc linked) for real figures:
//   build/release/bench/collections_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gannet/engine/hash_object.h"
#include "gannet/engine/set_object.h"

namespace gannet {
namespace {

constexpr HashObject::Limits kLimits{512, 64};
constexpr int64_t kMaxIntset = 512;

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0, pages_rss = 0;
  statm >> pages_total >> pages_rss;
  return pages_rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::vector<std::string> Strings(const char* prefix, int n) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

std::unique_ptr<HashObject> MakeHash(const std::vector<std::string>& fields) {
  auto h = std::make_unique<HashObject>();
  for (const std::string& f : fields) h->Set(f, "value", kLimits);
  return h;
}

void BM_HSetListpack(benchmark::State& state) {
  const auto fields = Strings("field:", 10);
  auto h = MakeHash(fields);
  size_t i = 0;
  for (auto _ : state) {
    h->Set(fields[i++ % fields.size()], "val", kLimits);  // update in place
  }
}
BENCHMARK(BM_HSetListpack);

void BM_HGetListpack(benchmark::State& state) {
  const auto fields = Strings("field:", 10);
  auto h = MakeHash(fields);
  size_t i = 0;
  HashObject::NumBuf buf;
  for (auto _ : state) benchmark::DoNotOptimize(h->Get(fields[i++ % fields.size()], buf));
}
BENCHMARK(BM_HGetListpack);

void BM_HSetHashtable(benchmark::State& state) {
  const auto fields = Strings("field:", 10000);
  auto h = MakeHash(fields);
  size_t i = 0;
  for (auto _ : state) h->Set(fields[i++ % fields.size()], "val", kLimits);
}
BENCHMARK(BM_HSetHashtable);

void BM_HSetHashtableInsert(benchmark::State& state) {
  const auto fields = Strings("field:", 1 << 20);
  auto h = std::make_unique<HashObject>();
  h->ConvertToHashtable();
  size_t i = 0;
  for (auto _ : state) {
    if (i == fields.size()) {
      state.PauseTiming();
      h = std::make_unique<HashObject>();
      h->ConvertToHashtable();
      i = 0;
      state.ResumeTiming();
    }
    h->Set(fields[i++], "val", kLimits);
  }
}
BENCHMARK(BM_HSetHashtableInsert);

void BM_HGetHashtable(benchmark::State& state) {
  const auto fields = Strings("field:", 10000);
  auto h = MakeHash(fields);
  size_t i = 0;
  HashObject::NumBuf buf;
  for (auto _ : state) benchmark::DoNotOptimize(h->Get(fields[i++ % fields.size()], buf));
}
BENCHMARK(BM_HGetHashtable);

void BM_SAddIntsetFresh(benchmark::State& state) {
  const auto members = Strings("", 500);
  for (auto _ : state) {
    SetObject s;
    for (const std::string& m : members) s.Add(m, kMaxIntset);
    benchmark::DoNotOptimize(s.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(members.size()));
}
BENCHMARK(BM_SAddIntsetFresh);

void BM_SIsMemberIntset(benchmark::State& state) {
  const auto members = Strings("", 500);
  SetObject s;
  for (const std::string& m : members) s.Add(m, kMaxIntset);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s.Contains(members[i++ % members.size()]));
}
BENCHMARK(BM_SIsMemberIntset);

void BM_SAddHashtable(benchmark::State& state) {
  const auto members = Strings("member:", 1 << 20);
  auto s = std::make_unique<SetObject>();
  s->ConvertToHashtable();
  size_t i = 0;
  for (auto _ : state) {
    if (i == members.size()) {
      state.PauseTiming();
      s = std::make_unique<SetObject>();
      s->ConvertToHashtable();
      i = 0;
      state.ResumeTiming();
    }
    s->Add(members[i++], kMaxIntset);
  }
}
BENCHMARK(BM_SAddHashtable);

void BM_SIsMemberHashtable(benchmark::State& state) {
  const auto members = Strings("member:", 1'000'000);
  SetObject s;
  for (const std::string& m : members) s.Add(m, kMaxIntset);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s.Contains(members[i++ % members.size()]));
}
BENCHMARK(BM_SIsMemberHashtable);

void BM_SPopHashtable(benchmark::State& state) {
  const auto members = Strings("member:", 100'000);
  auto s = std::make_unique<SetObject>();
  for (auto _ : state) {
    if (s->empty()) {
      state.PauseTiming();
      for (const std::string& m : members) s->Add(m, kMaxIntset);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(s->PopRandom());
  }
}
BENCHMARK(BM_SPopHashtable);

void BM_SPopIntset(benchmark::State& state) {
  const auto members = Strings("", 500);
  SetObject s;
  for (auto _ : state) {
    if (s.empty()) {
      state.PauseTiming();
      for (const std::string& m : members) s.Add(m, kMaxIntset);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(s.PopRandom());
  }
}
BENCHMARK(BM_SPopIntset);

// Memory targets. Objects only (the keyspace entry per hash is table_bench's business):
// bytes per hash as MemoryUsage() counts them, and RSS growth while building.
void BM_Memory100kHashes(benchmark::State& state) {
  const auto fields = Strings("field", 10);
  for (auto _ : state) {
    const size_t rss0 = RssBytes();
    std::vector<std::unique_ptr<HashObject>> hashes;
    hashes.reserve(100'000);
    size_t usage = 0;
    for (int i = 0; i < 100'000; ++i) {
      auto h = std::make_unique<HashObject>();
      for (const std::string& f : fields) h->Set(f, "value" + std::to_string(i % 1000), kLimits);
      usage += h->MemoryUsage();
      hashes.push_back(std::move(h));
    }
    state.counters["usage_bytes_per_hash"] = static_cast<double>(usage) / 100'000;
    state.counters["rss_bytes_per_hash"] = static_cast<double>(RssBytes() - rss0) / 100'000;
  }
}
BENCHMARK(BM_Memory100kHashes)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Memory1MIntegerSet(benchmark::State& state) {
  for (auto _ : state) {
    const size_t rss0 = RssBytes();
    SetObject s;
    for (int i = 0; i < 1'000'000; ++i) s.Add(std::to_string(i), kMaxIntset);
    state.counters["usage_bytes_per_member"] = static_cast<double>(s.MemoryUsage()) / 1e6;
    state.counters["rss_bytes_per_member"] = static_cast<double>(RssBytes() - rss0) / 1e6;
  }
}
BENCHMARK(BM_Memory1MIntegerSet)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gannet
