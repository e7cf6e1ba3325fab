// The server: owns the config, the keyspace, the command table and dispatcher, one
// asio::io_context driven by ONE thread, the listeners, the connections and the cron.
// Everything runs on that thread; only Stop() may be called from another one.
//
//   main.cc ── Config ──> Server::Run()
//                            ├─ listeners (TCP per bind address, TLS on tls-port, unix socket)
//                            ├─ Connection (read → RespParser → Dispatcher → write)
//                            ├─ cron at `hz` (active expiry, rehash, timeouts, stats)
//                            └─ SIGINT/SIGTERM → clean shutdown
#pragma once

#include <spdlog/logger.h>

#include <array>
#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/clock.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/server/client_memory.h"
#include "gannet/server/config_table.h"

namespace asio::ssl {
class context;
}

namespace gannet {

class Connection;
class MetricsEndpoint;
class PersistenceService;
class AofService;

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
  uint64_t total_reads_processed = 0;
  uint64_t total_writes_processed = 0;
  uint64_t evicted_clients = 0;  // closed by maxmemory-clients
};

class Server final : public ServerView {
 public:
  Server(Config config, std::shared_ptr<spdlog::logger> log);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners and writes the pidfile. Returns false (after logging why) when
  // nothing could be bound or a listener that must bind failed.
  bool Start();
  // Runs the loop until shutdown; returns the process exit code.
  int Run();
  // Thread-safe: asks the loop to shut down cleanly.
  void Stop();

  // The TCP port actually bound (useful with `port 0`... which disables TCP; tests pass
  // an explicit free port) and the unix socket path.
  int bound_port() const { return bound_port_; }
  // The TLS port bound (0 when tls-port is 0).
  int bound_tls_port() const { return bound_tls_port_; }

  // Allocator statistics supplied by the executable (jemalloc's stats.allocated);
  // without it INFO falls back to the process RSS.
  std::function<size_t()> allocated_bytes;
  std::string allocator_name = "libc";
  std::string executable_path;

  // ---- ServerView ----
  const Config& config() const override { return config_; }
  std::vector<std::pair<std::string, std::string>> ConfigGet(
      const std::vector<std::string_view>& patterns) const override;
  std::optional<std::string> ConfigSet(
      const std::vector<std::pair<std::string_view, std::string_view>>& pairs) override;
  std::optional<std::string> ConfigRewrite() override;
  void ResetStats() override;
  std::string Info(const std::vector<std::string>& sections, const ClientView& requester) override;
  void ForEachClient(const std::function<void(ClientView&)>& fn) override;
  size_t KillClients(const ClientKillFilter& filter, const ClientView& requester) override;
  std::optional<std::string> Shutdown(ShutdownMode mode) override;
  int64_t LastSaveTime() const override;
  PersistenceView* persistence() override;
  bool persistence_gate_active() const override;
  AofView* aof() override;
  void LogWarning(std::string_view message) override;
  void ChangeReplicationId() override;

  // ---- used by Connection ----
  asio::io_context& io() { return io_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  Keyspace& keyspace() { return keyspace_; }
  spdlog::logger& log() { return *log_; }
  ServerStats& stats() { return stats_; }
  const Clock& clock() const { return clock_; }
  uint64_t NextClientId() { return next_client_id_++; }
  // Before a connection writes replies: the AOF writes what the commands appended (one
  // write(2), plus fdatasync under appendfsync always).
  void BeforeReplies();
  // Replies written once per turn of the loop, as Redis writes them in beforeSleep: with
  // AOF bytes pending (one AOF write shared by every connection with replies, before any
  // of them) or for a pipelined batch (several commands in one read: their replies go out
  // together with the other ready connections', which measured 0.70-0.74x Redis's CPU per
  // request at -P 16 against 0.81 when written at once). The connection is queued and its
  // FlushDeferred runs from one handler posted behind the reads already ready. False: the
  // connection writes at once (a single command with no AOF pending, the -P 1 case, where
  // waiting would only add latency).
  bool DeferReplies(std::shared_ptr<Connection> conn, bool pipelined);
  // Wall-clock milliseconds refreshed by cron (and at startup): idle-time bookkeeping does
  // not need a clock read per request, as Redis's cached server.unixtime.
  int64_t cached_now_ms() const { return cached_now_ms_; }
  // Rate limit of the cross-protocol (POST / Host:) warning.
  int64_t last_http_warning_ms() const { return last_http_warning_ms_; }
  void set_last_http_warning_ms(int64_t ms) { last_http_warning_ms_ = ms; }
  void OnConnectionClosed(Connection& conn);
  size_t connected_clients() const { return live_clients_; }
  // Bumped by every successful CONFIG SET so connections refresh derived settings
  // (parser limits) without reading the config per command.
  uint64_t config_epoch() const { return config_epoch_; }

  // ---- client eviction (maxmemory-clients; client_memory.h) ----
  // Whether connections report their memory: maxmemory-clients resolves to a limit.
  bool client_eviction_on() const { return client_mem_limit_ != 0; }
  // A connection's memory changed; evicts (from the loop) once the total reaches the limit.
  void TrackClientMemory(ClientMemoryNode& node, size_t mem, bool evictable);
  void UntrackClientMemory(ClientMemoryNode& node) { client_mem_.Remove(node); }
  // TLS connections closing with close_notify: a shutdown waits for them (bounded).
  void TlsShutdownStarted() { ++tls_closing_; }
  void TlsShutdownFinished();

 private:
  using Tcp = asio::ip::tcp;
  using Unix = asio::local::stream_protocol;

  bool Listen(const Config& cfg, std::vector<std::unique_ptr<Tcp::acceptor>>* out,
              std::string* error);
  // Listens on `port` at every bind address of cfg; kind ("tcp" or "tls") names the
  // listener in the error. Port 0: nothing to do.
  bool Listen(const Config& cfg, int port, const char* kind,
              std::vector<std::unique_ptr<Tcp::acceptor>>* out, std::string* error);
  void AdjustOpenFilesLimit();
  // rename-command, ACL users from the config file or aclfile, requirepass. false (after
  // logging why) stops startup.
  bool SetUpAccessControl();
  void RetryAccept(std::function<void()> rearm);
  // tls: clients of this acceptor speak TLS (with the context current at accept time).
  void AcceptTcp(Tcp::acceptor* acceptor, bool tls = false);
  void AcceptUnix();
  // Admission checks shared by both listeners; true when the client may stay.
  bool Admit(asio::generic::stream_protocol::socket& sock, bool loopback_or_unix, bool tls = false);
  void StartCron();
  void Cron();
  // Blocked clients' timeouts: one timer armed at the earliest deadline.
  void ArmBlockTimer(int64_t deadline_ms);
  void DoShutdown(const char* why);
  // SIGINT/SIGTERM: a shutdown that saves first when save points are set; a failed save
  // keeps the server running (as Redis 7), so the wait is re-armed.
  void WaitForSignals();
  // tls_name: the first tls-* directive (other than tls-port and tls-auth-clients) the
  // CONFIG SET named, even with an unchanged value: it reloads the TLS files.
  std::optional<std::string> ApplyConfigChange(const Config& old_cfg, const Config& new_cfg,
                                               std::string_view tls_name = {});
  // The TLS part of a CONFIG SET: rebuilds the context, (re)binds the TLS listeners.
  std::optional<std::string> ApplyTlsChange(const Config& old_cfg, const Config& new_cfg,
                                            std::string_view tls_name);
  std::string InfoSection(std::string_view name, const ClientView& requester);
  // maxmemory-clients or maxmemory may have changed: recompute the limit, start or stop
  // tracking every connection.
  void ApplyClientEviction();
  // Closes the biggest evictable clients until the total is under the limit.
  void EvictClients();

  Config config_;
  ConfigTable table_;
  std::shared_ptr<spdlog::logger> log_;
  SystemClock clock_;
  asio::io_context io_;
  Keyspace keyspace_;
  CommandTable commands_;
  Dispatcher dispatcher_;
  std::unique_ptr<PersistenceService> persistence_;  // snapshots, -LOADING/-MISCONF
  std::unique_ptr<AofService> aof_;                  // the append-only file
  std::unique_ptr<MetricsEndpoint> metrics_;         // Prometheus /metrics, when enabled

  std::vector<std::unique_ptr<Tcp::acceptor>> tcp_acceptors_;
  std::unique_ptr<Unix::acceptor> unix_acceptor_;
  // TLS: listeners on tls-port and the context new TLS clients get (built at startup or
  // by CONFIG SET when tls-port is set; kept when tls-port goes back to 0, as Redis).
  std::vector<std::unique_ptr<Tcp::acceptor>> tls_acceptors_;
  std::shared_ptr<asio::ssl::context> tls_ctx_;
  int bound_tls_port_ = 0;
  asio::steady_timer cron_timer_;
  asio::steady_timer block_timer_;
  int64_t block_timer_at_ = 0;  // the deadline block_timer_ is armed for; 0: idle
  asio::signal_set signals_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> clients_;
  // Connections whose replies wait for the end of this turn of the loop (DeferReplies).
  std::vector<std::shared_ptr<Connection>> deferred_replies_;

  ServerStats stats_;
  uint64_t next_client_id_ = 1;
  size_t live_clients_ = 0;  // connections not yet closed (clients_ erases lazily)
  ClientMemoryTracker client_mem_;
  size_t client_mem_limit_ = 0;                     // bytes; 0: client eviction off
  bool client_evict_posted_ = false;                // an EvictClients is queued on the loop
  bool client_evict_stuck_ = false;                 // warned that only unevictable clients are left
  size_t tls_closing_ = 0;                          // TLS close_notify exchanges in progress
  std::unique_ptr<asio::steady_timer> exit_timer_;  // bounds the wait for them at exit
  uint64_t config_epoch_ = 0;
  int bound_port_ = 0;
  int64_t start_time_ms_ = 0;
  int64_t cached_now_ms_ = 0;
  int64_t last_http_warning_ms_ = INT64_MIN / 2;
  int64_t start_mono_us_ = 0;
  bool shutting_down_ = false;
  bool pidfile_written_ = false;
  std::string run_id_;
  std::string master_replid_;  // INFO replication: random at start, as Redis

  // instantaneous_ops_per_sec: the last 16 samples of commands/second, as Redis.
  std::array<uint64_t, 16> ops_samples_{};
  size_t ops_sample_idx_ = 0;
  uint64_t last_sample_cmds_ = 0;
  std::array<uint64_t, 16> in_bytes_samples_{};  // bytes/second, for the kbps fields
  std::array<uint64_t, 16> out_bytes_samples_{};
  uint64_t last_sample_in_ = 0;
  uint64_t last_sample_out_ = 0;
  int64_t last_sample_us_ = 0;
  uint64_t peak_memory_ = 0;
  uint64_t startup_memory_ = 0;
};

}  // namespace gannet
