// The per-request path minus the socket: a pipelined batch of GET or SET requests in RESP
// bytes is parsed (RespParser), run (Dispatcher::Execute with the default configuration:
// latency tracking on, slowlog armed, no maxmemory) and answered into one output string,
// as Connection::ProcessInput does for one read. Items are requests, so the time per item
// is the server's user-space CPU per request at that pipeline depth (compare with
// bench/cpu_per_request.sh, which counts the same against a real redis-server).
//
//   build/release/bench/dispatch_bench --benchmark_filter=Get
#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/clock.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/protocol/reply_builder.h"
#include "gannet/protocol/resp_parser.h"
#include "testing/fake_views.h"

namespace gannet {
namespace {

constexpr int kKeys = 100'000;
// Requests per benchmark input, whatever the pipeline depth: the same spread of keys (and
// cache misses) for every depth.
constexpr int kRequests = 16'384;

class BenchClient final : public ClientView {
 public:
  uint64_t id() const override { return 1; }
  std::string_view name() const override { return ""; }
  void set_name(std::string_view) override {}
  RespVersion resp_version() const override { return RespVersion::kResp2; }
  void set_resp_version(RespVersion) override {}
  int db_index() const override { return 0; }
  void set_db_index(int) override {}
  bool authenticated() const override { return true; }
  void set_authenticated(bool, std::string_view) override {}
  std::string InfoLine() const override { return ""; }
  void CloseAfterReply() override {}
  void Reset() override {}
};

std::string Key(int i) { return "key:" + std::to_string(1'000'000'000 + i); }

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// `rounds` batches of `pipeline` requests each, keys spread over kKeys (redis-benchmark -r).
std::vector<std::string> Batches(std::string_view cmd, int pipeline, int rounds, int key_mod,
                                 uint64_t seed) {
  std::vector<std::string> out;
  uint64_t x = seed;  // xorshift: the same keys every run
  for (int r = 0; r < rounds; ++r) {
    std::string in;
    for (int i = 0; i < pipeline; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const std::string key = Key(static_cast<int>(x % static_cast<uint64_t>(key_mod)));
      if (cmd == "SET") {
        in += "*3\r\n" + Bulk("SET") + Bulk(key) + Bulk("xxx");
      } else {
        in += "*2\r\n" + Bulk(cmd) + Bulk(key);
      }
    }
    out.push_back(std::move(in));
  }
  return out;
}

struct Fixture {
  SystemClock clock;
  FakeServer server;  // tests/testing/fake_views.h: the default Config, nothing else
  Keyspace keyspace{16, &clock};
  CommandTable table;
  Dispatcher dispatcher{table, keyspace, server};
  BenchClient client;
  RespParser parser;
  std::string out;
  ReplyBuilder reply{&out};

  // Parses and runs every request of one read's worth of input; the reply is dropped as
  // a completed write would.
  size_t RunBatch(std::string_view in) {
    size_t n = 0;
    for (;;) {
      ParseResult r = parser.Parse(in);
      if (r.status != ParseStatus::kCommand) break;
      const auto& args = parser.args();
      dispatcher.Execute(CmdArgs(args.data(), args.size()), client, reply);
      in.remove_prefix(r.consumed);
      ++n;
    }
    out.clear();
    return n;
  }
};

// GET after as many random SETs as there are possible keys, as redis-benchmark's SET
// then GET with -r: about 63% of the GETs hit.
void BM_Get(benchmark::State& state) {
  Fixture f;
  for (const std::string& b : Batches("SET", 64, kKeys / 64, kKeys, 88172645463325252ULL)) {
    f.RunBatch(b);
  }
  const int pipeline = static_cast<int>(state.range(0));
  const auto batches = Batches("GET", pipeline, kRequests / pipeline, kKeys, 12345);
  size_t i = 0, requests = 0;
  for (auto _ : state) requests += f.RunBatch(batches[i++ % batches.size()]);
  state.SetItemsProcessed(static_cast<int64_t>(requests));
}
BENCHMARK(BM_Get)->Arg(1)->Arg(16);

void BM_Set(benchmark::State& state) {
  Fixture f;
  const int pipeline = static_cast<int>(state.range(0));
  const auto batches = Batches("SET", pipeline, kRequests / pipeline, kKeys, 12345);
  size_t i = 0, requests = 0;
  for (auto _ : state) requests += f.RunBatch(batches[i++ % batches.size()]);
  state.SetItemsProcessed(static_cast<int64_t>(requests));
}
BENCHMARK(BM_Set)->Arg(1)->Arg(16);

// The fixed cost without the keyspace: PING through the same path.
void BM_Ping(benchmark::State& state) {
  Fixture f;
  std::string in;
  for (int i = 0; i < state.range(0); ++i) in += "*1\r\n$4\r\nPING\r\n";
  size_t requests = 0;
  for (auto _ : state) requests += f.RunBatch(in);
  state.SetItemsProcessed(static_cast<int64_t>(requests));
}
BENCHMARK(BM_Ping)->Arg(16);

}  // namespace
}  // namespace gannet
