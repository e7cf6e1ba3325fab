// RespParser throughput: the front-end cost of every request. Cases: a pipeline of small
// SET/GET commands in one buffer (the common case), one large bulk arriving in 16 KB reads
// (the partial-bulk path must not rescan), and inline commands.
#include <benchmark/benchmark.h>

#include <string>

#include "gannet/protocol/resp_parser.h"

namespace gannet {
namespace {

std::string Pipeline(int n) {
  std::string in;
  for (int i = 0; i < n; ++i) {
    std::string k = "key:" + std::to_string(100000 + i);
    in += "*3\r\n$3\r\nSET\r\n$10\r\n" + k + "\r\n$16\r\nvalue-0123456789\r\n";
    in += "*2\r\n$3\r\nGET\r\n$10\r\n" + k + "\r\n";
  }
  return in;
}

void BM_PipelinedSetGet(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string in = Pipeline(n);
  RespParser p;
  size_t args = 0;
  for (auto _ : state) {
    std::string_view rest(in);
    for (;;) {
      ParseResult r = p.Parse(rest);
      if (r.status != ParseStatus::kCommand) break;
      args += p.args().size();
      rest.remove_prefix(r.consumed);
    }
  }
  benchmark::DoNotOptimize(args);
  state.SetItemsProcessed(state.iterations() * n * 2);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_PipelinedSetGet)->Arg(1)->Arg(16)->Arg(256);

void BM_LargeBulkInReads(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  std::string in = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$" + std::to_string(size) + "\r\n";
  in += std::string(size, 'v');
  in += "\r\n";
  RespParser p;
  constexpr size_t kRead = 16 * 1024;
  for (auto _ : state) {
    size_t have = 0;
    ParseResult r{ParseStatus::kNeedMore, 0};
    while (r.status == ParseStatus::kNeedMore) {
      have = std::min(in.size(), have + kRead);
      r = p.Parse(std::string_view(in.data(), have));
    }
    benchmark::DoNotOptimize(p.args().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_LargeBulkInReads)->Arg(64 << 10)->Arg(4 << 20);

void BM_Inline(benchmark::State& state) {
  std::string in;
  for (int i = 0; i < 64; ++i) in += "SET key:" + std::to_string(i) + " \"some value\"\r\nPING\r\n";
  RespParser p;
  for (auto _ : state) {
    std::string_view rest(in);
    for (;;) {
      ParseResult r = p.Parse(rest);
      if (r.status != ParseStatus::kCommand) break;
      benchmark::DoNotOptimize(p.args().data());
      rest.remove_prefix(r.consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * 128);
}
BENCHMARK(BM_Inline);

}  // namespace
}  // namespace gannet
