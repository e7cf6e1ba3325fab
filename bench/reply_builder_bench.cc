// ReplyBuilder cost for the replies that dominate real traffic: +OK, integers, small bulks,
// nulls, a 100-element array (LRANGE/MGET shape), and doubles.
#include <benchmark/benchmark.h>

#include <string>

#include "gannet/protocol/reply_builder.h"

namespace gannet {
namespace {

template <typename Fn>
void Run(benchmark::State& state, RespVersion v, Fn fn) {
  std::string out;
  out.reserve(1 << 20);
  ReplyBuilder b(&out, v);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 100; ++i) fn(b, i);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
}

void BM_Ok(benchmark::State& state) {
  Run(state, RespVersion::kResp2, [](ReplyBuilder& b, int) { b.SendOk(); });
}
BENCHMARK(BM_Ok);

void BM_Long(benchmark::State& state) {
  Run(state, RespVersion::kResp2, [](ReplyBuilder& b, int i) { b.SendLong(int64_t{1234567} * i); });
}
BENCHMARK(BM_Long);

void BM_SmallBulk(benchmark::State& state) {
  const std::string v = "value-0123456789";
  Run(state, RespVersion::kResp2, [&](ReplyBuilder& b, int) { b.SendBulk(v); });
}
BENCHMARK(BM_SmallBulk);

void BM_LargeBulk(benchmark::State& state) {
  const std::string v(4096, 'x');
  Run(state, RespVersion::kResp2, [&](ReplyBuilder& b, int) { b.SendBulk(v); });
}
BENCHMARK(BM_LargeBulk);

void BM_Null(benchmark::State& state) {
  Run(state, RespVersion::kResp3, [](ReplyBuilder& b, int) { b.SendNull(); });
}
BENCHMARK(BM_Null);

void BM_ArrayOfBulks(benchmark::State& state) {
  const std::string v = "element";
  Run(state, RespVersion::kResp2, [&](ReplyBuilder& b, int i) {
    if (i == 0) b.SendArrayLen(100);
    b.SendBulk(v);
  });
}
BENCHMARK(BM_ArrayOfBulks);

void BM_Double(benchmark::State& state) {
  Run(state, RespVersion::kResp3, [](ReplyBuilder& b, int i) { b.SendDouble(i * 1.1); });
}
BENCHMARK(BM_Double);

}  // namespace
}  // namespace gannet
