// PUBLISH fan-out: the engine registry plus the commands layer's delivery (frame built
// once per publish, then appended to every subscriber's output), to N subscribers of one
// channel with M unrelated patterns registered. Expect time linear in N + M and bytes
// copied = N x frame size (no per-subscriber encoding). The allocs/publish counter (calls
// of operator new per PUBLISH, counted by this binary's replacement below) must stay 0 in
// the steady state whatever N is: nothing is allocated per subscriber.
//
// For the whole server against redis-server with real sockets: bench/pubsub_side_by_side.py.
//
//   build/release/bench/pubsub_bench --benchmark_filter=Publish
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/engine/pubsub.h"
#include "pubsub.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// Counts every allocation of the process (the benchmark reads the difference around its
// loop). The sized and aligned forms fall back on these in libstdc++.
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// This operator new is malloc, so free is the matching release; GCC cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace gannet {
namespace {

// A subscriber whose output is a string, emptied by the benchmark between iterations
// (as a connection's write would).
class BenchClient final : public ClientView {
 public:
  uint64_t id() const override { return 1; }
  std::string_view name() const override { return ""; }
  void set_name(std::string_view) override {}
  RespVersion resp_version() const override { return rb_.version(); }
  void set_resp_version(RespVersion v) override { rb_.set_version(v); }
  int db_index() const override { return 0; }
  void set_db_index(int) override {}
  bool authenticated() const override { return true; }
  void set_authenticated(bool, std::string_view) override {}
  std::string InfoLine() const override { return ""; }
  void CloseAfterReply() override {}
  void Reset() override {}
  ReplyBuilder* push_reply() override { return &rb_; }
  void PushDone() override {
    if (out_.size() > (1u << 16)) out_.clear();
  }

  // Room for the 64 KiB kept plus one frame: the buffer never grows during the benchmark
  // (a connection's output buffer keeps its capacity between writes the same way).
  BenchClient() { out_.reserve(1u << 17); }

  std::string out_;
  ReplyBuilder rb_{&out_};
};

// args: subscribers, unrelated patterns, payload bytes.
void BM_Publish(benchmark::State& state) {
  const auto subscribers = static_cast<size_t>(state.range(0));
  const auto patterns = static_cast<size_t>(state.range(1));
  const std::string payload(static_cast<size_t>(state.range(2)), 'x');
  PubSub ps;
  auto delivery = MakeClientPubSubDelivery();
  std::vector<std::unique_ptr<BenchClient>> clients;
  for (size_t i = 0; i < subscribers; ++i) {
    clients.push_back(std::make_unique<BenchClient>());
    if (i % 2 == 1) clients.back()->set_resp_version(RespVersion::kResp3);
    ps.Subscribe(clients.back().get(), "events");
  }
  BenchClient pattern_owner;
  for (size_t i = 0; i < patterns; ++i) {
    ps.PSubscribe(&pattern_owner, "other." + std::to_string(i) + ".*");
  }
  size_t delivered = ps.Publish("events", payload, *delivery);  // warm the scratch space
  const uint64_t allocs_before = g_allocations.load();
  for (auto _ : state) {
    delivered += ps.Publish("events", payload, *delivery);
  }
  const uint64_t allocs = g_allocations.load() - allocs_before;
  benchmark::DoNotOptimize(delivered);
  state.counters["allocs/publish"] =
      static_cast<double>(allocs) / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.SetItemsProcessed(static_cast<int64_t>(delivered));
  state.SetBytesProcessed(static_cast<int64_t>(delivered * (payload.size() + 30)));
}
BENCHMARK(BM_Publish)
    ->Args({1000, 0, 16})
    ->Args({1000, 0, 1024})
    ->Args({1000, 100, 16})
    ->Args({100, 0, 16})
    ->Args({10, 0, 16})
    ->Args({1, 1000, 16});

// A publish nobody receives: the cost of the registry lookups alone.
void BM_PublishNoSubscribers(benchmark::State& state) {
  PubSub ps;
  auto delivery = MakeClientPubSubDelivery();
  size_t n = 0;
  for (auto _ : state) n += ps.Publish("events", "x", *delivery);
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_PublishNoSubscribers);

}  // namespace
}  // namespace gannet
