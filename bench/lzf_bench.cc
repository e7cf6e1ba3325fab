// LZF compression of an 8 KB listpack-like block: what list-compress-depth pays each time it
// compresses an interior quicklist node (the one-shot LzfCompress), and what an RDB save pays
// per large string (the overload with a caller's scratch). Decompression of the same block
// is what every read of a compressed node pays. Bytes processed are the raw block's, so the
// reported rate is raw MB/s. Run in a release build:
//   ninja -C build/rel -j1 lzf_bench && build/rel/bench/lzf_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "gannet/common/lzf.h"

namespace {

// A listpack's bytes as a list of short items builds them: a 6-byte header, then entries of
// an encoding byte, a short string ("user:<id>", "event-<n>", small numbers as text), and a
// one-byte back length, then the 0xFF terminator. Fixed seed: the same block every run.
std::string ListpackLikeBlock(size_t size) {
  std::mt19937 rng(42);
  std::string out(6, '\0');
  static const char* const kWords[] = {"user:", "event-", "order#", "item_", "session/"};
  while (out.size() + 40 < size) {
    std::string item = kWords[rng() % 5];
    item += std::to_string(rng() % 100000);
    if (rng() % 4 == 0) item += ":ok";
    out.push_back(static_cast<char>(0x80 | item.size()));
    out += item;
    out.push_back(static_cast<char>(item.size() + 1));
  }
  out.resize(size - 1, '\0');
  out.push_back('\xff');
  return out;
}

void BM_LzfCompressNode(benchmark::State& state) {
  const std::string in = ListpackLikeBlock(8192);
  std::string out(in.size(), '\0');
  size_t zlen = 0;
  for (auto _ : state) {
    zlen = gannet::LzfCompress(in.data(), in.size(), out.data(), out.size());
    benchmark::DoNotOptimize(zlen);
    benchmark::ClobberMemory();
  }
  if (zlen == 0) throw std::runtime_error("block did not compress");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.counters["ratio"] = static_cast<double>(zlen) / static_cast<double>(in.size());
}
BENCHMARK(BM_LzfCompressNode);

void BM_LzfCompressScratch(benchmark::State& state) {
  const std::string in = ListpackLikeBlock(8192);
  std::string out(in.size(), '\0');
  gannet::LzfScratch scratch;
  size_t zlen = 0;
  for (auto _ : state) {
    zlen = gannet::LzfCompress(in.data(), in.size(), out.data(), out.size(), scratch);
    benchmark::DoNotOptimize(zlen);
    benchmark::ClobberMemory();
  }
  if (zlen == 0) throw std::runtime_error("block did not compress");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_LzfCompressScratch);

void BM_LzfDecompressNode(benchmark::State& state) {
  const std::string in = ListpackLikeBlock(8192);
  std::string comp(in.size(), '\0');
  comp.resize(gannet::LzfCompress(in.data(), in.size(), comp.data(), comp.size()));
  std::string back(in.size(), '\0');
  for (auto _ : state) {
    bool ok = gannet::LzfDecompress(comp.data(), comp.size(), back.data(), back.size());
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_LzfDecompressNode);

}  // namespace
