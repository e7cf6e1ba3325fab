// PUBLISH fan-out: the engine registry plus the commands layer's delivery, to N
// subscribers of one channel (half RESP2, half RESP3) with M unrelated patterns
// registered. Delivery encodes each distinct frame once (RESP2 and RESP3 here) into a
// shared, reference-counted frame, and every subscriber queues a reference to it, as a
// connection's OutputQueue does. Counters per PUBLISH:
//   allocs/publish       operator new calls (this binary replaces it): the frames, and
//                        nothing per subscriber whatever N is
//   frames/publish       distinct frames the subscribers received
//   payload_copies/pub   copies of the payload made: one per frame, not per subscriber
//   bytes_copied/pub     bytes written to build them (frames x frame size)
// BM_PublishCopying delivers to clients that copy the frame into their own output string
// (what every subscriber cost before frames were shared, and what a client without a
// queue still does): its bytes_copied grows with N.
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

// What one publish made: the distinct frames the subscribers received (each one copy of
// the payload) and their bytes. Cleared by the benchmark before every publish.
struct FrameLedger {
  std::vector<const SharedFrame*> seen;
  uint64_t frames = 0;
  uint64_t copies = 0;  // of the payload: one per frame built, one per copying receiver
  uint64_t bytes = 0;
};

// A subscriber as the server's connection is for pub/sub: frames queued by reference
// (PushShared), replies appended to a string. The queue is emptied between publishes as
// a write would; the vector keeps its capacity, so nothing is allocated per message.
class BenchClient final : public ClientView {
 public:
  explicit BenchClient(FrameLedger* ledger, bool share) : ledger_(ledger), share_(share) {
    out_.reserve(1u << 17);
    queue_.reserve(64);
  }
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
  bool PushShared(const SharedFrameRef& frame) override {
    if (ledger_ != nullptr && ledger_->seen.size() < ledger_->seen.capacity() &&
        std::find(ledger_->seen.begin(), ledger_->seen.end(), frame.get()) == ledger_->seen.end()) {
      ledger_->seen.push_back(frame.get());
      ledger_->frames++;
      ledger_->copies++;
      ledger_->bytes += frame->size();
    }
    if (!share_) {  // the copying client: the frame's bytes into its own output
      if (ledger_ != nullptr) {
        ledger_->copies++;
        ledger_->bytes += frame->size();
      }
      return ClientView::PushShared(frame);
    }
    queue_.push_back(frame);
    return true;
  }
  void PushDone() override {
    if (out_.size() > (1u << 16)) out_.clear();
    if (queue_.size() >= 32) queue_.clear();  // "written": references dropped
  }

  FrameLedger* ledger_;
  bool share_;
  std::string out_;
  ReplyBuilder rb_{&out_};
  std::vector<SharedFrameRef> queue_;
};

void Publish(benchmark::State& state, bool share) {
  const auto subscribers = static_cast<size_t>(state.range(0));
  const auto patterns = static_cast<size_t>(state.range(1));
  const std::string payload(static_cast<size_t>(state.range(2)), 'x');
  PubSub ps;
  auto delivery = MakeClientPubSubDelivery();
  FrameLedger ledger;
  ledger.seen.reserve(64);
  std::vector<std::unique_ptr<BenchClient>> clients;
  for (size_t i = 0; i < subscribers; ++i) {
    clients.push_back(std::make_unique<BenchClient>(&ledger, share));
    if (i % 2 == 1) clients.back()->set_resp_version(RespVersion::kResp3);
    ps.Subscribe(clients.back().get(), "events");
  }
  BenchClient pattern_owner(nullptr, share);
  for (size_t i = 0; i < patterns; ++i) {
    ps.PSubscribe(&pattern_owner, "other." + std::to_string(i) + ".*");
  }
  size_t delivered = ps.Publish("events", payload, *delivery);  // warm the scratch space
  ledger = FrameLedger{};
  ledger.seen.reserve(64);
  const uint64_t allocs_before = g_allocations.load();
  for (auto _ : state) {
    ledger.seen.clear();
    delivered += ps.Publish("events", payload, *delivery);
  }
  const uint64_t allocs = g_allocations.load() - allocs_before;
  benchmark::DoNotOptimize(delivered);
  const auto per = [&](uint64_t v) {
    return static_cast<double>(v) / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  };
  state.counters["allocs/publish"] = per(allocs);
  state.counters["frames/publish"] = per(ledger.frames);
  state.counters["payload_copies/pub"] = per(ledger.copies);
  state.counters["bytes_copied/pub"] = per(ledger.bytes);
  state.SetItemsProcessed(static_cast<int64_t>(delivered));
}

// args: subscribers, unrelated patterns, payload bytes.
void BM_Publish(benchmark::State& state) { Publish(state, true); }
BENCHMARK(BM_Publish)
    ->Args({1000, 0, 16})
    ->Args({1000, 0, 1024})
    ->Args({1000, 0, 65536})
    ->Args({1000, 100, 16})
    ->Args({100, 0, 16})
    ->Args({10, 0, 16})
    ->Args({1, 1000, 16});

void BM_PublishCopying(benchmark::State& state) { Publish(state, false); }
BENCHMARK(BM_PublishCopying)->Args({1000, 0, 1024})->Args({1000, 0, 65536});

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
