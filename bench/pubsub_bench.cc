// PUBLISH fan-out: the engine registry plus the commands layer's delivery (frame built
// once per publish, then appended to every subscriber's output), to N subscribers of one
// channel with M unrelated patterns registered. Expect time linear in N + M and bytes
// copied = N x frame size (no per-subscriber encoding).
//
//   build/release/bench/pubsub_bench --benchmark_filter=Publish
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/engine/pubsub.h"
#include "pubsub.h"

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
  size_t delivered = 0;
  for (auto _ : state) {
    delivered += ps.Publish("events", payload, *delivery);
  }
  benchmark::DoNotOptimize(delivered);
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
