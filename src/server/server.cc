// Server: listeners, admission (maxclients, protected mode), cron, signals, shutdown and
// the ServerView the command families use. INFO lives in info.cc.
#include "gannet/server/server.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "aof_service.h"
#include "connection.h"
#include "gannet/commands/acl.h"
#include "gannet/commands/introspection.h"
#include "gannet/common/glob.h"
#include "gannet/server/logging.h"
#include "gannet/server/metrics.h"
#include "gannet/version.h"
#include "internal_client.h"
#include "persistence_service.h"
#include "tls_context.h"

namespace gannet {
namespace {

constexpr std::string_view kDeniedText =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    "same host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections from "
    "the outside.\r\n";
constexpr std::string_view kMaxClientsText = "-ERR max number of clients reached\r\n";

std::string FormatEndpoint(const asio::ip::tcp::endpoint& ep) {
  // Redis prints IPv6 peers as "::1:port" (no brackets) in CLIENT LIST.
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string RandomHex(size_t n) {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(n, '0');
  for (auto& c : s) c = kHex[rd() % 16];
  return s;
}

}  // namespace

Server::Server(Config config, std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)),
      log_(std::move(log)),
      io_(ASIO_CONCURRENCY_HINT_UNSAFE_IO),
      keyspace_(config_.databases, &clock_),
      dispatcher_(commands_, keyspace_, *this),
      cron_timer_(io_),
      block_timer_(io_),
      signals_(io_) {
  dispatcher_.set_block_deadline_hook([this](int64_t deadline) { ArmBlockTimer(deadline); });
  // CLIENT UNPAUSE (or a pause running out): the clients that waited run their commands,
  // from the loop rather than inside the command that lifted the pause.
  dispatcher_.introspection().set_unpause_hook([this] {
    asio::post(io_, [this] {
      std::vector<std::shared_ptr<Connection>> waiting;
      for (auto& [id, c] : clients_) {
        if (c->paused()) waiting.push_back(c);
      }
      for (auto& c : waiting) c->ResumeAfterPause();
    });
  });
  // Eviction that a command's time budget left unfinished goes on from the loop, between
  // commands, until memory is under maxmemory (Redis's evictionTimeProc; eviction.h).
  keyspace_.evictor().set_timer_hook([this] {
    asio::post(io_, [this] {
      keyspace_.set_now_ms(clock_.NowMs());
      keyspace_.evictor().TimerStep();
    });
  });
  start_time_ms_ = cached_now_ms_ = clock_.NowMs();
  start_mono_us_ = clock_.MonotonicUs();
  last_sample_us_ = start_mono_us_;
  run_id_ = RandomHex(40);
  master_replid_ = RandomHex(40);
  persistence_ = std::make_unique<PersistenceService>(keyspace_, config_, *log_, clock_);
  // The RDB's used-mem aux field: the used_memory INFO reports (and maxmemory compares).
  persistence_->set_used_memory([this]() -> size_t {
    keyspace_.evictor().meter().Refresh();
    return keyspace_.evictor().UsedMemory();
  });
  // The BGSAVE child must not keep our listening sockets open (a restart could not bind
  // while it runs). Plain close(2): the child never touches asio.
  persistence_->set_child_setup([this] {
    for (auto& a : tcp_acceptors_) ::close(a->native_handle());
    for (auto& a : tls_acceptors_) ::close(a->native_handle());
    if (unix_acceptor_) ::close(unix_acceptor_->native_handle());
  });
  aof_ = std::make_unique<AofService>(*this);
  aof_->set_persistence(persistence_.get());
  aof_->set_child_setup([this] {
    for (auto& a : tcp_acceptors_) ::close(a->native_handle());
    for (auto& a : tls_acceptors_) ::close(a->native_handle());
    if (unix_acceptor_) ::close(unix_acceptor_->native_handle());
  });
  // One child at a time: a rewrite asked for during a BGSAVE is scheduled.
  aof_->set_other_child_active([this] { return persistence_->bgsave_in_progress(); });
  persistence_->set_other_child_active([this] { return aof_->child_active(); });
  // AOF write errors refuse writes with -MISCONF through the persistence gate.
  aof_->set_write_status_hook(
      [this](bool failed, int err) { persistence_->set_aof_write_failed(failed, err); });
  keyspace_.ApplyMemorySettings(MemorySettingsFromConfig(config_));
  client_mem_limit_ = ClientMemoryTracker::Limit(config_);
}

Server::~Server() {
  // Connections hold a reference to us; drop them before members go away.
  for (auto& [id, c] : clients_) c->Close();
  clients_.clear();
}

bool Server::Listen(const Config& cfg, std::vector<std::unique_ptr<Tcp::acceptor>>* out,
                    std::string* error) {
  return Listen(cfg, cfg.port, "tcp", out, error);
}

bool Server::Listen(const Config& cfg, int port, const char* kind,
                    std::vector<std::unique_ptr<Tcp::acceptor>>* out, std::string* error) {
  if (port == 0) return true;  // this listener is disabled
  size_t bound = 0;
  for (const auto& spec : cfg.bind) {
    bool optional = !spec.empty() && spec[0] == '-';
    std::string addr = optional ? spec.substr(1) : spec;
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    asio::error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    auto acc = std::make_unique<Tcp::acceptor>(io_);
    if (!ec) {
      Tcp::endpoint ep(ip, static_cast<uint16_t>(port));
      acc->open(ep.protocol(), ec);
      if (!ec) acc->set_option(Tcp::acceptor::reuse_address(true), ec);
      if (!ec && ip.is_v6()) acc->set_option(asio::ip::v6_only(true), ec);
      if (!ec) acc->bind(ep, ec);
      if (!ec) acc->listen(cfg.tcp_backlog, ec);
    }
    if (ec) {
      if (optional || ec == asio::error::address_family_not_supported) {
        log_->warn("Warning: Could not create server TCP listening socket {}:{}: {}", addr, port,
                   ec.message());
        continue;
      }
      *error = "Could not create server TCP listening socket " + addr + ":" + std::to_string(port) +
               ": " + ec.message();
      return false;
    }
    out->push_back(std::move(acc));
    ++bound;
  }
  if (bound == 0) {
    *error = "Failed listening on port " + std::to_string(port) + " (" + kind + "), aborting.";
    return false;
  }
  return true;
}

void Server::AdjustOpenFilesLimit() {
  // As Redis: every client needs a descriptor, plus some for listeners, logs and files.
  constexpr rlim_t kReserved = 32;
  rlim_t wanted = static_cast<rlim_t>(config_.maxclients) + kReserved;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= wanted) return;
  const rlim_t original = lim.rlim_cur;
  rlimit raised = lim;
  raised.rlim_cur = std::min(wanted, lim.rlim_max);
  if (raised.rlim_cur > lim.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) {
    lim = raised;
  }
  if (lim.rlim_cur >= wanted) {
    log_->info("Increased maximum number of open files to {} (it was originally set to {}).",
               static_cast<uint64_t>(lim.rlim_cur), static_cast<uint64_t>(original));
    return;
  }
  int old_max = config_.maxclients;
  config_.maxclients = lim.rlim_cur > kReserved
                           ? static_cast<int>(std::min<rlim_t>(lim.rlim_cur - kReserved, INT32_MAX))
                           : 1;
  log_->warn(
      "You requested maxclients of {} requiring at least {} max file descriptors. "
      "Server can't set maximum open files to {}; maxclients has been reduced to {} to "
      "compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.",
      old_max, static_cast<uint64_t>(wanted), static_cast<uint64_t>(wanted), config_.maxclients);
}

void Server::RetryAccept(std::function<void()> rearm) {
  // Accept failed for a reason that will repeat at once (out of descriptors): try again
  // shortly instead of spinning.
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
  timer->async_wait([this, timer, rearm = std::move(rearm)](const asio::error_code& ec) {
    if (!ec && !shutting_down_) rearm();
  });
}

bool Server::SetUpAccessControl() {
  for (const auto& [name, to] : config_.renamed_commands) {
    if (!commands_.Rename(name, to)) {
      log_->warn(
          "Failed to rename-command '{}' to '{}': no such command, or the new name is "
          "taken",
          name, to);
      return false;
    }
  }
  Acl& acl = dispatcher_.acl();
  if (!config_.aclfile.empty() && !config_.acl_users.empty()) {
    log_->warn(
        "Configuring Gannet with users defined in the config file and at the same time an ACL "
        "file path is invalid. Define either an ACL file or users in the config file, not "
        "both.");
    return false;
  }
  // requirepass first: a `user default ...` line or the ACL file then has the last word.
  acl.SetRequirePass(config_.requirepass);
  acl.set_pubsub_default_all(config_.acl_pubsub_default == "allchannels");
  for (const std::string& line : config_.acl_users) {
    if (auto err = acl.SetUserFromLine(line)) {
      log_->warn("Error in user declaration '{}': {}", line, err->substr(4));
      return false;
    }
  }
  if (!config_.aclfile.empty()) {
    if (auto err = acl.LoadFile(config_.aclfile)) {
      log_->warn("Aborting Gannet startup because of ACL errors: {}", err->substr(4));
      return false;
    }
  }
  return true;
}

bool Server::Start() {
  AdjustOpenFilesLimit();
  if (!SetUpAccessControl()) return false;
  std::string error;
  // TLS is configured before anything listens: a certificate, key or CA that does not
  // load stops startup, with a line naming the file (as Redis).
  if (TlsInUse(config_)) {
    tls_ctx_ = BuildTlsContext(config_, &error);
    if (tls_ctx_ == nullptr) {
      log_->warn("{}", error);
      log_->warn("Failed to configure TLS. Check logs for more info.");
      return false;
    }
  }
  if (!Listen(config_, &tcp_acceptors_, &error)) {
    log_->warn("{}", error);
    return false;
  }
  if (!tcp_acceptors_.empty()) bound_port_ = tcp_acceptors_[0]->local_endpoint().port();
  if (!Listen(config_, config_.tls_port, "tls", &tls_acceptors_, &error)) {
    log_->warn("{}", error);
    return false;
  }
  if (!tls_acceptors_.empty()) bound_tls_port_ = tls_acceptors_[0]->local_endpoint().port();
  if (!config_.unixsocket.empty()) {
    ::unlink(config_.unixsocket.c_str());
    unix_acceptor_ = std::make_unique<Unix::acceptor>(io_);
    asio::error_code ec;
    Unix::endpoint ep(config_.unixsocket);
    unix_acceptor_->open(ep.protocol(), ec);
    // Permissions must be in place before the first accept (CVE-2023-45145): create the
    // socket file under a umask that already yields unixsocketperm, then chmod exactly.
    mode_t old_mask = 0;
    if (config_.unixsocketperm != 0) {
      old_mask = ::umask(static_cast<mode_t>(~config_.unixsocketperm & 0777));
    }
    if (!ec) unix_acceptor_->bind(ep, ec);
    if (config_.unixsocketperm != 0) {
      ::umask(old_mask);
      if (!ec &&
          ::chmod(config_.unixsocket.c_str(), static_cast<mode_t>(config_.unixsocketperm)) != 0) {
        ec = asio::error_code(errno, asio::system_category());
      }
    }
    if (!ec) unix_acceptor_->listen(config_.tcp_backlog, ec);
    if (ec) {
      log_->warn("Failed opening Unix socket {}: {}", config_.unixsocket, ec.message());
      return false;
    }
  }
  if (tcp_acceptors_.empty() && tls_acceptors_.empty() && !unix_acceptor_) {
    log_->warn("Configured to not listen anywhere, exiting.");
    return false;
  }
  // A file size limit (RLIMIT_FSIZE) makes a too-large snapshot write fail with EFBIG,
  // reported like a full disk, instead of killing the server.
  ::signal(SIGXFSZ, SIG_IGN);
  if (!config_.pidfile.empty()) {
    std::ofstream pf(config_.pidfile, std::ios::trunc);
    if (pf) {
      pf << ::getpid() << "\n";
      pidfile_written_ = true;
    } else {
      log_->warn("Failed to write PID file: {}", std::strerror(errno));
    }
  }
  if (config_.metrics_port != 0) {
    metrics_ = std::make_unique<MetricsEndpoint>(io_, [this] {
      InternalClient scraper("metrics");
      return Info({"everything"}, scraper);
    });
    if (!metrics_->Start(config_.metrics_bind, config_.metrics_port, &error)) {
      log_->warn("{}", error);
      return false;
    }
    log_->info("Serving Prometheus metrics on http://{}:{}/metrics", config_.metrics_bind,
               metrics_->bound_port());
  }
  for (auto& a : tcp_acceptors_) AcceptTcp(a.get());
  for (auto& a : tls_acceptors_) AcceptTcp(a.get(), /*tls=*/true);
  if (unix_acceptor_) AcceptUnix();
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  WaitForSignals();
  StartCron();
  if (allocated_bytes) startup_memory_ = peak_memory_ = allocated_bytes();
  keyspace_.evictor().MarkStartup();
  log_->info("Server initialized");
  // ---- startup load (persistence) ----
  // Clients are accepted and served while the dataset loads: the loader runs the loop's
  // ready handlers between keys (PersistenceService::set_load_yield explains the design),
  // commands without the `loading` flag get -LOADING, and the cron does only its light
  // work. With appendonly the AOF is the dataset (as Redis: the RDB is then not read).
  // A shutdown asked for meanwhile (SIGTERM, SHUTDOWN) stops the load without saving;
  // Run() then returns at once.
  persistence_->set_load_yield([this] {
    io_.poll();
    return !shutting_down_;
  });
  const bool loaded =
      config_.appendonly ? aof_->LoadAtStartup(*persistence_) : persistence_->LoadAtStartup();
  persistence_->set_load_yield(nullptr);
  if (!loaded) return shutting_down_;
  // ---- end of startup load ----
  for (auto& a : tcp_acceptors_) {
    log_->info("Ready to accept connections tcp on {}", FormatEndpoint(a->local_endpoint()));
  }
  for (auto& a : tls_acceptors_) {
    log_->info("Ready to accept connections tls on {}", FormatEndpoint(a->local_endpoint()));
  }
  if (unix_acceptor_) log_->info("Ready to accept connections unix on {}", config_.unixsocket);
  return true;
}

int Server::Run() {
  io_.run();
  return 0;
}

void Server::WaitForSignals() {
  signals_.async_wait([this](const asio::error_code& ec, int sig) {
    if (ec || shutting_down_) return;
    if (persistence_->loading()) {
      log_->warn("Received shutdown signal during loading, scheduling shutdown.");
    } else {
      log_->warn(sig == SIGINT ? "Received SIGINT scheduling shutdown..."
                               : "Received SIGTERM scheduling shutdown...");
    }
    log_->warn("User requested shutdown...");
    if (!persistence_->PrepareShutdown(ShutdownMode::kDefault, /*force=*/false)) {
      log_->warn(
          "SIGTERM received but errors trying to shut down the server, check the logs for more "
          "information");
      WaitForSignals();
      return;
    }
    DoShutdown(nullptr);
  });
}

int64_t Server::LastSaveTime() const { return persistence_->LastSaveTime(); }
PersistenceView* Server::persistence() { return persistence_.get(); }
bool Server::persistence_gate_active() const { return persistence_->gate_active(); }

void Server::LogWarning(std::string_view message) { log_->warn("{}", message); }

void Server::ChangeReplicationId() { master_replid_ = RandomHex(40); }

AofView* Server::aof() { return aof_.get(); }
void Server::BeforeReplies() { aof_->BeforeReplies(); }

bool Server::DeferReplies(std::shared_ptr<Connection> conn, bool pipelined) {
  if (!pipelined && !aof_->HasPendingWrite()) return false;
  deferred_replies_.push_back(std::move(conn));
  if (deferred_replies_.size() == 1) {
    asio::post(io_, [this] {
      aof_->BeforeReplies();
      std::vector<std::shared_ptr<Connection>> batch;
      batch.swap(deferred_replies_);
      for (const auto& c : batch) c->FlushDeferred();
    });
  }
  return true;
}

void Server::Stop() {
  asio::post(io_, [this] { DoShutdown("Shutdown requested"); });
}

bool Server::Admit(asio::generic::stream_protocol::socket& sock, bool local, bool tls) {
  asio::error_code ec;
  // A TLS client could not read a plain-text error before its handshake: it is just
  // closed (Redis's write of the error fails there too).
  if (live_clients_ >= static_cast<size_t>(config_.maxclients)) {
    if (!tls) asio::write(sock, asio::buffer(kMaxClientsText), ec);  // best effort
    stats_.rejected_connections++;
    sock.close(ec);
    return false;
  }
  if (config_.protected_mode && config_.requirepass.empty() && !local) {
    if (!tls) asio::write(sock, asio::buffer(kDeniedText), ec);
    stats_.rejected_connections++;
    sock.close(ec);
    return false;
  }
  return true;
}

void Server::AcceptTcp(Tcp::acceptor* acceptor, bool tls) {
  // The peer address comes from accept() itself, as in Redis: a client that resets right
  // after connecting is still accepted (and counted) rather than failing getpeername().
  auto peer_slot = std::make_shared<Tcp::endpoint>();
  acceptor->async_accept(*peer_slot, [this, acceptor, tls, peer_slot](const asio::error_code& ec,
                                                                      Tcp::socket sock) {
    if (shutting_down_) return;
    if (!ec) {
      asio::error_code e2;
      const Tcp::endpoint peer = *peer_slot;
      auto local = sock.local_endpoint(e2);
      if (e2) local = acceptor->local_endpoint(e2);
      {
        bool loopback = peer.address().is_loopback();
        if (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped()) {
          loopback =
              asio::ip::make_address_v4(asio::ip::v4_mapped, peer.address().to_v6()).is_loopback();
        }
        asio::generic::stream_protocol::socket gsock(std::move(sock));
        if (Admit(gsock, loopback, tls)) {
          stats_.total_connections_received++;
          auto conn =
              std::make_shared<Connection>(*this, std::move(gsock), FormatEndpoint(peer),
                                           FormatEndpoint(local), false, tls ? tls_ctx_ : nullptr);
          clients_.emplace(conn->id(), conn);
          ++live_clients_;
          conn->Start();
        }
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      log_->warn("Accepting client connection: {}", ec.message());
      RetryAccept([this, acceptor, tls] { AcceptTcp(acceptor, tls); });
      return;
    }
    AcceptTcp(acceptor, tls);
  });
}

void Server::AcceptUnix() {
  unix_acceptor_->async_accept([this](const asio::error_code& ec, Unix::socket sock) {
    if (shutting_down_) return;
    if (!ec) {
      asio::generic::stream_protocol::socket gsock(std::move(sock));
      if (Admit(gsock, true)) {
        stats_.total_connections_received++;
        auto conn = std::make_shared<Connection>(*this, std::move(gsock), config_.unixsocket + ":0",
                                                 config_.unixsocket + ":0", true);
        clients_.emplace(conn->id(), conn);
        ++live_clients_;
        conn->Start();
      }
    } else if (ec == asio::error::operation_aborted) {
      return;
    } else {
      log_->warn("Accepting client connection: {}", ec.message());
      RetryAccept([this] { AcceptUnix(); });
      return;
    }
    AcceptUnix();
  });
}

void Server::ArmBlockTimer(int64_t deadline_ms) {
  if (shutting_down_ || (block_timer_at_ != 0 && block_timer_at_ <= deadline_ms)) return;
  block_timer_at_ = deadline_ms;
  const int64_t delay = std::max<int64_t>(0, deadline_ms - clock_.NowMs());
  block_timer_.expires_after(std::chrono::milliseconds(delay));
  block_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || shutting_down_) return;
    block_timer_at_ = 0;
    const int64_t now = clock_.NowMs();
    keyspace_.set_now_ms(now);
    int64_t next = dispatcher_.ExpireBlocked(now);
    // A deadline not yet reached by the wall clock (the steady timer ran a little ahead)
    // re-arms at least a millisecond later.
    if (next != 0) ArmBlockTimer(std::max(next, now + 1));
  });
}

void Server::OnConnectionClosed(Connection& conn) {
  const uint64_t id = conn.id();
  dispatcher_.OnClientClosed(conn);
  --live_clients_;
  // The connection stays alive while its handlers hold a reference; erase later so that
  // callers iterating clients_ are not disturbed.
  asio::post(io_, [this, id] { clients_.erase(id); });
}

void Server::StartCron() {
  cron_timer_.expires_after(std::chrono::milliseconds(1000 / std::max(1, config_.hz)));
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || shutting_down_) return;
    Cron();
    StartCron();
  });
}

void Server::Cron() {
  int64_t now_ms = clock_.NowMs();
  cached_now_ms_ = now_ms;
  keyspace_.set_now_ms(now_ms);
  // Active expiry: about 25% of a tick (more with active-expire-effort), as Redis.
  // While the startup load runs (the cron is then called from inside the loader), only
  // the client-side work happens: no expiry, rehashing, saves or rewrites (Redis's
  // whileBlockedCron).
  const bool loading = persistence_->loading();
  int hz = std::max(1, config_.hz);
  int perc = 25 + 2 * (config_.active_expire_effort - 1);
  if (!loading) {
    keyspace_.ActiveExpireCycle(static_cast<int64_t>(perc) * 1'000'000 / hz / 100,
                                config_.active_expire_effort);
  }
  // Active expiry may have deleted keys blocked clients watch (XREADGROUP).
  if (dispatcher_.blocked_clients() > 0) dispatcher_.ExpireBlocked(now_ms);
  // Incremental rehashing: 1 ms in the first database that needs it, as Redis does.
  for (int i = 0; !loading && i < keyspace_.database_count(); ++i) {
    if (keyspace_.db(i).RehashStep(1000)) break;
  }

  // Idle clients.
  std::vector<std::shared_ptr<Connection>> idle;
  for (auto& [id, c] : clients_) {
    // A blocked client waits for as long as its command says, as in Redis.
    if (config_.timeout > 0 && !c->blocked() && c->idle_seconds(now_ms) > config_.timeout) {
      idle.push_back(c);
    }
    c->ShrinkBuffers();
    c->CheckPeerClosed();  // may close: erasing from clients_ is deferred
  }
  for (auto& [id, c] : clients_) {
    c->CheckSoftOutputLimit(now_ms);  // may close: erasing from clients_ is deferred
  }
  // maxmemory-clients: recount every client (buffers shrunk above, WATCHed keys and
  // subscriptions that changed), then evict at once if over.
  if (client_eviction_on()) {
    for (auto& [id, c] : clients_) c->RefreshMemory();
    if (client_mem_.total() >= client_mem_limit_) EvictClients();
  }
  for (auto& c : idle) {
    log_->debug("Closing idle client id={}", c->id());
    c->Close();
  }

  // instantaneous_ops_per_sec
  int64_t now_us = clock_.MonotonicUs();
  uint64_t cmds = dispatcher_.stats().total_commands_processed;
  int64_t dt = now_us - last_sample_us_;
  if (dt >= 100'000) {
    uint64_t ops = static_cast<uint64_t>(static_cast<double>(cmds - last_sample_cmds_) * 1e6 /
                                         static_cast<double>(dt));
    auto per_sec = [dt](uint64_t delta) {
      return static_cast<uint64_t>(static_cast<double>(delta) * 1e6 / static_cast<double>(dt));
    };
    size_t slot = ops_sample_idx_++ % ops_samples_.size();
    ops_samples_[slot] = ops;
    in_bytes_samples_[slot] = per_sec(stats_.total_net_input_bytes - last_sample_in_);
    out_bytes_samples_[slot] = per_sec(stats_.total_net_output_bytes - last_sample_out_);
    last_sample_in_ = stats_.total_net_input_bytes;
    last_sample_out_ = stats_.total_net_output_bytes;
    last_sample_cmds_ = cmds;
    last_sample_us_ = now_us;
  }
  if (allocated_bytes) peak_memory_ = std::max<uint64_t>(peak_memory_, allocated_bytes());
  if (loading) return;
  persistence_->Cron();  // reap the BGSAVE child, save points, scheduled saves
  aof_->Cron();          // write/fsync, reap the rewrite child, scheduled/automatic rewrites
}

void Server::DoShutdown(const char* why) {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (why != nullptr) log_->warn("{}", why);
  persistence_->AbortBackgroundSave();  // SHUTDOWN NOSAVE, Stop(): no child outlives us
  aof_->Shutdown();                     // stops a rewrite child, writes and fsyncs the AOF
  asio::error_code ec;
  for (auto& a : tcp_acceptors_) a->close(ec);
  for (auto& a : tls_acceptors_) a->close(ec);
  if (metrics_) metrics_->Stop();
  if (unix_acceptor_) {
    unix_acceptor_->close(ec);
    ::unlink(config_.unixsocket.c_str());
  }
  cron_timer_.cancel();
  block_timer_.cancel();
  signals_.cancel(ec);
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [id, c] : clients_) all.push_back(c);
  for (auto& c : all) c->Close();
  if (pidfile_written_) {
    log_->info("Removing the pid file.");
    ::unlink(config_.pidfile.c_str());
  }
  log_->warn("Gannet is now ready to exit, bye bye...");
  if (tls_closing_ == 0) {
    io_.stop();
    return;
  }
  // TLS clients were sent close_notify: the loop runs until their exchanges end (each is
  // bounded by its own timer; this one is a backstop).
  exit_timer_ = std::make_unique<asio::steady_timer>(io_);
  exit_timer_->expires_after(std::chrono::seconds(1));
  exit_timer_->async_wait([this](const asio::error_code&) { io_.stop(); });
}

std::optional<std::string> Server::Shutdown(ShutdownMode mode) {
  log_->warn("User requested shutdown...");
  const bool force = mode == ShutdownMode::kDefaultForce || mode == ShutdownMode::kSaveForce;
  if (mode == ShutdownMode::kDefaultForce) mode = ShutdownMode::kDefault;
  if (mode == ShutdownMode::kSaveForce) mode = ShutdownMode::kSave;
  // The final save runs now, inside the command: when it fails Redis 7 refuses to exit.
  if (!persistence_->PrepareShutdown(mode, force)) {
    return "ERR Errors trying to SHUTDOWN. Check logs.";
  }
  asio::post(io_, [this] { DoShutdown(nullptr); });
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Server::ConfigGet(
    const std::vector<std::string_view>& patterns) const {
  return table_.Get(config_, patterns);
}

std::optional<std::string> Server::ApplyTlsChange(const Config& old_cfg, const Config& new_cfg,
                                                  std::string_view tls_name) {
  // As Redis: with tls-port set, setting a tls-* directive reloads the files into a new
  // context (existing clients keep theirs), and turning tls-port on builds one if there is
  // none yet. A context that fails to build leaves everything as it was.
  std::shared_ptr<asio::ssl::context> ctx = tls_ctx_;
  if (TlsInUse(new_cfg) && (!tls_name.empty() || ctx == nullptr)) {
    std::string error;
    ctx = BuildTlsContext(new_cfg, &error);
    if (ctx == nullptr) {
      log_->warn("{}", error);
      std::string name(tls_name.empty() ? "tls-port" : tls_name);
      log_->warn(
          "Failed applying new configuration. Possibly related to new {} setting. Restoring "
          "previous settings.",
          name);
      return "ERR CONFIG SET failed (possibly related to argument '" + name +
             "') - Unable to update TLS configuration. Check server logs.";
    }
  }
  if (old_cfg.tls_port != new_cfg.tls_port ||
      (new_cfg.tls_port != 0 && old_cfg.bind != new_cfg.bind)) {
    std::vector<std::unique_ptr<Tcp::acceptor>> fresh;
    std::string error;
    std::vector<std::unique_ptr<Tcp::acceptor>> old = std::move(tls_acceptors_);
    asio::error_code ec;
    for (auto& a : old) a->close(ec);  // free the port first when only the bind changes
    if (!Listen(new_cfg, new_cfg.tls_port, "tls", &fresh, &error)) {
      log_->warn("{}", error);
      std::string ignored;
      Listen(old_cfg, old_cfg.tls_port, "tls", &tls_acceptors_, &ignored);
      for (auto& a : tls_acceptors_) AcceptTcp(a.get(), /*tls=*/true);
      return std::string("ERR CONFIG SET failed (possibly related to argument 'tls-port') - ") +
             "Unable to listen on this port. Check server logs.";
    }
    tls_acceptors_ = std::move(fresh);
    for (auto& a : tls_acceptors_) AcceptTcp(a.get(), /*tls=*/true);
    bound_tls_port_ = tls_acceptors_.empty() ? 0 : tls_acceptors_[0]->local_endpoint().port();
  }
  tls_ctx_ = std::move(ctx);
  return std::nullopt;
}

std::optional<std::string> Server::ApplyConfigChange(const Config& old_cfg, const Config& new_cfg,
                                                     std::string_view tls_name) {
  if (auto err = ApplyTlsChange(old_cfg, new_cfg, tls_name)) return err;
  if (old_cfg.port != new_cfg.port || old_cfg.bind != new_cfg.bind) {
    std::vector<std::unique_ptr<Tcp::acceptor>> fresh;
    std::string error;
    // Close ours first when rebinding the same port, reopening on failure.
    std::vector<std::unique_ptr<Tcp::acceptor>> old = std::move(tcp_acceptors_);
    asio::error_code ec;
    for (auto& a : old) a->close(ec);
    if (!Listen(new_cfg, &fresh, &error)) {
      std::string ignored;
      Listen(old_cfg, &tcp_acceptors_, &ignored);
      for (auto& a : tcp_acceptors_) AcceptTcp(a.get());
      const char* which = old_cfg.port != new_cfg.port ? "port" : "bind";
      return std::string("ERR CONFIG SET failed (possibly related to argument '") + which +
             "') - Unable to listen on this port: " + error;
    }
    tcp_acceptors_ = std::move(fresh);
    for (auto& a : tcp_acceptors_) AcceptTcp(a.get());
    bound_port_ = tcp_acceptors_.empty() ? 0 : tcp_acceptors_[0]->local_endpoint().port();
  }
  if (old_cfg.loglevel != new_cfg.loglevel) {
    log_->set_level(ToSpdlogLevel(new_cfg.loglevel));
  }
  if (old_cfg.requirepass != new_cfg.requirepass) {
    dispatcher_.acl().SetRequirePass(new_cfg.requirepass);
  }
  keyspace_.ApplyMemorySettings(MemorySettingsFromConfig(new_cfg));
  if (auto err = aof_->ApplyConfig(old_cfg, new_cfg)) return err;
  return std::nullopt;
}

void Server::ApplyClientEviction() {
  const size_t limit = ClientMemoryTracker::Limit(config_);
  const bool was_on = client_eviction_on();
  client_mem_limit_ = limit;
  if (limit == 0) {
    if (was_on) {
      for (auto& [id, c] : clients_) c->UntrackMemory();
    }
    return;
  }
  // Turned on (or changed): count every client now; eviction runs from the loop.
  for (auto& [id, c] : clients_) c->RefreshMemory();
  if (!client_evict_posted_ && client_mem_.total() >= limit) {
    client_evict_posted_ = true;
    asio::post(io_, [this] { EvictClients(); });
  }
}

void Server::TrackClientMemory(ClientMemoryNode& node, size_t mem, bool evictable) {
  client_mem_.Update(node, mem, evictable);
  if (client_evict_posted_ || client_mem_.total() < client_mem_limit_) {
    client_evict_stuck_ = false;
    return;
  }
  // Not from inside the connection's own handler: the loop runs it next (Redis evicts
  // before the next command and in beforeSleep).
  client_evict_posted_ = true;
  asio::post(io_, [this] { EvictClients(); });
}

void Server::EvictClients() {
  client_evict_posted_ = false;
  if (!client_eviction_on() || shutting_down_) return;
  while (client_mem_.total() >= client_mem_limit_) {
    ClientMemoryNode* node = client_mem_.Biggest();
    if (node == nullptr) {
      if (!client_evict_stuck_) {
        log_->warn("Over client maxmemory after evicting all evictable clients");
        client_evict_stuck_ = true;
      }
      return;
    }
    Connection* c = node->owner;
    log_->info("Evicting client: {}", c->InfoLine());
    stats_.evicted_clients++;
    c->Close();  // leaves the tracker
  }
  client_evict_stuck_ = false;
}

void Server::TlsShutdownFinished() {
  if (tls_closing_ > 0) --tls_closing_;
  if (shutting_down_ && tls_closing_ == 0) io_.stop();
}

std::optional<std::string> Server::ConfigSet(
    const std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
  // A tls-* file or setting named by the CONFIG SET reloads the context even when its
  // value is unchanged (renewed certificate files), as Redis.
  std::string tls_name;
  for (const auto& [name, value] : pairs) {
    std::string lower(name);
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower.starts_with("tls-") && lower != "tls-port" && lower != "tls-auth-clients") {
      tls_name = lower;
      break;
    }
  }
  auto err = table_.Set(
      config_, pairs,
      [this, &tls_name](const Config& o, const Config& n) {
        return ApplyConfigChange(o, n, tls_name);
      },
      persistence_->loading());
  if (!err) {
    ++config_epoch_;
    ApplyClientEviction();
  }
  return err;
}

std::optional<std::string> Server::ConfigRewrite() {
  // The users as ACL LIST prints them: Redis 7.0 writes them as the file's `user` lines
  // (none when an aclfile holds them).
  const Acl& acl = dispatcher_.acl();
  std::vector<std::string> users;
  for (const AclUser* u : acl.Users()) users.push_back(acl.Describe(*u));
  auto err = table_.Rewrite(config_, config_.config_file, &users);
  if (!err) log_->info("CONFIG REWRITE executed with success.");
  return err;
}

void Server::ResetStats() {
  stats_ = ServerStats{};
  dispatcher_.stats() = DispatchStats{};
  auto& ks = keyspace_.stats();
  ks.keyspace_hits = ks.keyspace_misses = ks.expired_keys = ks.evicted_keys = 0;
  ks.expired_stale_perc_x100 = ks.expire_cycle_cpu_us = 0;
  commands_.ResetStats();
  dispatcher_.introspection().ResetStats();  // errorstats and latency histograms
  ops_samples_.fill(0);
  in_bytes_samples_.fill(0);
  out_bytes_samples_.fill(0);
  last_sample_in_ = last_sample_out_ = 0;
  last_sample_cmds_ = 0;
  peak_memory_ = 0;
  keyspace_.evictor().ResetPeak();
  keyspace_.lazyfree().ResetStats();
}

void Server::ForEachClient(const std::function<void(ClientView&)>& fn) {
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [id, c] : clients_) {
    if (!c->closed()) all.push_back(c);
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->id() < b->id(); });
  for (auto& c : all) fn(*c);
}

size_t Server::KillClients(const ClientKillFilter& f, const ClientView& requester) {
  std::vector<std::shared_ptr<Connection>> victims;
  for (auto& [id, c] : clients_) {
    if (c->closed()) continue;
    if (f.id && c->id() != *f.id) continue;
    if (f.addr && c->addr() != *f.addr) continue;
    if (f.laddr && c->laddr() != *f.laddr) continue;
    if (f.user && c->user() != *f.user) continue;
    if (f.type) {
      // Monitors count as normal clients; there are no masters or replicas.
      const ClientSession& ses = c->session();
      const bool pubsub = ses.subscriptions + ses.shard_subscriptions > 0;
      if (*f.type != (pubsub ? "pubsub" : "normal")) continue;
    }
    if (f.max_age && (clock_.NowMs() - c->created_ms()) / 1000 <= *f.max_age) continue;
    if (f.skip_me && c->id() == requester.id()) continue;
    victims.push_back(c);
  }
  for (auto& c : victims) {
    if (c->id() == requester.id()) {
      c->CloseAfterReply();  // the reply to CLIENT KILL still goes out
    } else {
      c->Close();
    }
  }
  return victims.size();
}

}  // namespace gannet
