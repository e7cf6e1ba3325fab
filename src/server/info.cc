// INFO: the sections and field names of Redis 7 (clients such as ioredis and node-redis
// parse some of them, e.g. loading:0 in their ready check).
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "aof_service.h"
#include "connection.h"
#include "gannet/commands/introspection.h"
#include "gannet/engine/pubsub.h"
#include "gannet/server/server.h"
#include "gannet/version.h"
#include "persistence_service.h"

namespace gannet {
namespace {

constexpr std::string_view kDefaultSections[] = {
    "server", "clients", "memory",     "persistence", "stats",   "replication",
    "cpu",    "modules", "errorstats", "cluster",     "keyspace"};
constexpr std::string_view kAllSections[] = {
    "server",  "clients",      "memory",     "persistence",  "stats",   "replication", "cpu",
    "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"};

size_t ProcessRss() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::string Human(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
  } else if (n < 1024ULL * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024ULL * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  }
  return buf;
}

void Field(std::string& out, std::string_view name, const auto& value) {
  out += name;
  out += ':';
  if constexpr (std::is_convertible_v<decltype(value), std::string_view>) {
    out += std::string_view(value);
  } else {
    out += std::to_string(value);
  }
  out += "\r\n";
}

}  // namespace

std::string Server::InfoSection(std::string_view name, const ClientView& requester) {
  (void)requester;
  std::string s;
  int64_t now_ms = clock_.NowMs();
  if (name == "server") {
    s += "# Server\r\n";
    Field(s, "redis_version", kRedisCompatVersion);
    Field(s, "gannet_version", kGannetVersion);
    Field(s, "redis_git_sha1", "00000000");
    Field(s, "redis_git_dirty", 0);
    Field(s, "redis_build_id", "0");
    Field(s, "redis_mode", "standalone");
    utsname u{};
    uname(&u);
    Field(s, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    Field(s, "arch_bits", static_cast<int>(sizeof(void*) * 8));
    Field(s, "monotonic_clock", "POSIX clock_gettime");
    Field(s, "multiplexing_api", "epoll");
    Field(s, "atomicvar_api", "c11-builtin");
    Field(s, "gcc_version",
          std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
              std::to_string(__GNUC_PATCHLEVEL__));
    Field(s, "process_id", static_cast<int64_t>(getpid()));
    Field(s, "process_supervised", "no");
    Field(s, "run_id", run_id_);
    Field(s, "tcp_port", config_.port);
    Field(s, "server_time_usec", clock_.NowUs());
    int64_t up = (now_ms - start_time_ms_) / 1000;
    Field(s, "uptime_in_seconds", up);
    Field(s, "uptime_in_days", up / 86400);
    Field(s, "hz", config_.hz);
    Field(s, "configured_hz", config_.hz);
    Field(s, "lru_clock", static_cast<uint64_t>(keyspace_.LruClock()));
    Field(s, "executable", executable_path);
    Field(s, "config_file", config_.config_file);
    Field(s, "io_threads_active", 0);
  } else if (name == "clients") {
    s += "# Clients\r\n";
    Field(s, "connected_clients", live_clients_);
    Field(s, "cluster_connections", 0);
    Field(s, "maxclients", config_.maxclients);
    // The largest pending input and output among the clients now (Redis keeps the peaks
    // of the last few seconds).
    size_t max_in = 0, max_out = 0;
    size_t paused = 0;  // clients held back by CLIENT PAUSE: blocked too, as Redis counts
    for (const auto& [id, c] : clients_) {
      if (c->closed()) continue;
      max_in = std::max(max_in, c->pending_input());
      max_out = std::max(max_out, c->pending_output());
      paused += c->paused() ? 1 : 0;
    }
    Field(s, "client_recent_max_input_buffer", max_in);
    Field(s, "client_recent_max_output_buffer", max_out);
    Field(s, "blocked_clients", dispatcher_.blocked_clients() + paused);
    size_t tracking = 0;
    for (const auto& [id, c] : clients_) tracking += !c->closed() && c->session().tracking;
    Field(s, "tracking_clients", tracking);
    Field(s, "clients_in_timeout_table", ClientsInTimeoutTable(dispatcher_));
  } else if (name == "memory") {
    // used_memory is what maxmemory compares against: the allocator's allocated bytes.
    s += "# Memory\r\n";
    Evictor& ev = keyspace_.evictor();
    MemoryMeter& meter = ev.meter();
    meter.Refresh();
    const size_t used = ev.UsedMemory();
    const MemoryMeter::AllocatorStats as = meter.Stats();
    const size_t rss = ProcessRss();
    peak_memory_ = std::max<uint64_t>(peak_memory_, std::max(used, ev.peak()));
    const size_t startup = ev.startup();
    size_t overhead = startup + ev.OverheadBytes();
    for (int i = 0; i < keyspace_.database_count(); ++i) {
      overhead += keyspace_.db(i).OverheadMemoryUsage();
    }
    const size_t dataset = used > overhead ? used - overhead : 0;
    auto pct = [](double a, double b) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f%%", b > 0 ? 100.0 * a / b : 0.0);
      return std::string(buf);
    };
    auto ratio = [](double a, double b) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f", b > 0 ? a / b : 0.0);
      return std::string(buf);
    };
    auto diff = [](size_t a, size_t b) {
      return static_cast<int64_t>(a) - static_cast<int64_t>(b);
    };
    Field(s, "used_memory", used);
    Field(s, "used_memory_human", Human(used));
    Field(s, "used_memory_rss", rss);
    Field(s, "used_memory_rss_human", Human(rss));
    Field(s, "used_memory_peak", peak_memory_);
    Field(s, "used_memory_peak_human", Human(peak_memory_));
    Field(s, "used_memory_peak_perc",
          pct(static_cast<double>(used), static_cast<double>(peak_memory_)));
    Field(s, "used_memory_overhead", overhead);
    Field(s, "used_memory_startup", startup);
    Field(s, "used_memory_dataset", dataset);
    Field(s, "used_memory_dataset_perc",
          pct(static_cast<double>(dataset),
              static_cast<double>(used > startup ? used - startup : 0)));
    Field(s, "allocator_allocated", as.allocated);
    Field(s, "allocator_active", as.active);
    Field(s, "allocator_resident", as.resident);
    uint64_t total_mem = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                         static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    Field(s, "total_system_memory", total_mem);
    Field(s, "total_system_memory_human", Human(total_mem));
    Field(s, "used_memory_lua", 0);  // no scripting engine
    Field(s, "used_memory_vm_eval", 0);
    Field(s, "used_memory_lua_human", Human(0));
    Field(s, "used_memory_scripts_eval", 0);
    Field(s, "number_of_cached_scripts", 0);
    Field(s, "number_of_functions", 0);
    Field(s, "number_of_libraries", 0);
    Field(s, "used_memory_vm_functions", 0);
    Field(s, "used_memory_vm_total", 0);
    Field(s, "used_memory_vm_total_human", Human(0));
    Field(s, "used_memory_functions", 0);
    Field(s, "used_memory_scripts", 0);
    Field(s, "used_memory_scripts_human", Human(0));
    Field(s, "maxmemory", config_.maxmemory);
    Field(s, "maxmemory_human", Human(static_cast<uint64_t>(config_.maxmemory)));
    Field(s, "maxmemory_policy", config_.maxmemory_policy);
    Field(s, "allocator_frag_ratio",
          ratio(static_cast<double>(as.active), static_cast<double>(as.allocated)));
    Field(s, "allocator_frag_bytes", diff(as.active, as.allocated));
    Field(s, "allocator_rss_ratio",
          ratio(static_cast<double>(as.resident), static_cast<double>(as.active)));
    Field(s, "allocator_rss_bytes", diff(as.resident, as.active));
    Field(s, "rss_overhead_ratio",
          ratio(static_cast<double>(rss), static_cast<double>(as.resident)));
    Field(s, "rss_overhead_bytes", diff(rss, as.resident));
    Field(s, "mem_fragmentation_ratio", ratio(static_cast<double>(rss), static_cast<double>(used)));
    Field(s, "mem_fragmentation_bytes", diff(rss, used));
    Field(s, "mem_not_counted_for_evict", 0);  // no replication or AOF buffers are excluded
    Field(s, "mem_replication_backlog", 0);
    Field(s, "mem_total_replication_buffers", 0);
    Field(s, "mem_clients_slaves", 0);
    // Normal clients' memory as CLIENT LIST's tot-mem counts it (Connection::MemoryUsage).
    size_t clients_mem = 0;
    for (const auto& [id, c] : clients_) {
      if (!c->closed()) clients_mem += c->MemoryUsage();
    }
    Field(s, "mem_clients_normal", clients_mem);
    Field(s, "mem_cluster_links", 0);
    Field(s, "mem_aof_buffer", 0);
    Field(s, "mem_allocator", meter.allocator_name());
    Field(s, "active_defrag_running", 0);
    Field(s, "lazyfree_pending_objects", keyspace_.lazyfree().pending());
    Field(s, "lazyfreed_objects", keyspace_.lazyfree().freed_objects());
  } else if (name == "persistence") {
    const PersistenceService& p = *persistence_;
    s += "# Persistence\r\n";
    Field(s, "loading", p.loading() ? 1 : 0);
    Field(s, "async_loading", 0);
    Field(s, "current_cow_peak", p.current_cow_peak());
    Field(s, "current_cow_size", p.current_cow_size());
    Field(s, "current_cow_size_age", p.current_cow_size_age());
    Field(s, "current_fork_perc", p.current_fork_perc());
    Field(s, "current_save_keys_processed", p.current_save_keys_processed());
    Field(s, "current_save_keys_total", p.current_save_keys_total());
    Field(s, "rdb_changes_since_last_save", p.changes_since_last_save());
    Field(s, "rdb_bgsave_in_progress", p.bgsave_in_progress() ? 1 : 0);
    Field(s, "rdb_last_save_time", p.LastSaveTime());
    Field(s, "rdb_last_bgsave_status", p.last_bgsave_ok() ? "ok" : "err");
    Field(s, "rdb_last_bgsave_time_sec", p.last_bgsave_time_sec());
    Field(s, "rdb_current_bgsave_time_sec", p.current_bgsave_time_sec());
    Field(s, "rdb_saves", p.rdb_saves());
    Field(s, "rdb_last_cow_size", p.last_cow_bytes());
    Field(s, "rdb_last_load_keys_expired", p.last_load_keys_expired());
    Field(s, "rdb_last_load_keys_loaded", p.keys_loaded_so_far());
    s += aof_->InfoFields();  // aof_enabled ... aof_last_cow_size (aof_service.cc)
    Field(s, "module_fork_in_progress", 0);
    Field(s, "module_fork_last_cow_size", 0);
    s += aof_->InfoTail();       // aof_current_size ... when the AOF is on
    s += p.LoadingInfoFields();  // loading_start_time ... while loading
  } else if (name == "stats") {
    s += "# Stats\r\n";
    const auto& ks = keyspace_.stats();
    const auto& ds = dispatcher_.stats();
    uint64_t ops = 0;
    for (auto v : ops_samples_) ops += v;
    size_t n = std::min<size_t>(ops_sample_idx_, ops_samples_.size());
    Field(s, "total_connections_received", stats_.total_connections_received);
    Field(s, "total_commands_processed", ds.total_commands_processed);
    Field(s, "instantaneous_ops_per_sec", n ? ops / n : 0);
    Field(s, "total_net_input_bytes", stats_.total_net_input_bytes);
    Field(s, "total_net_output_bytes", stats_.total_net_output_bytes);
    Field(s, "total_net_repl_input_bytes", 0);
    Field(s, "total_net_repl_output_bytes", 0);
    auto kbps = [&](const std::array<uint64_t, 16>& samples) {
      uint64_t sum = 0;
      for (auto v : samples) sum += v;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.2f",
                    n ? static_cast<double>(sum) / static_cast<double>(n) / 1024.0 : 0.0);
      return std::string(buf);
    };
    Field(s, "instantaneous_input_kbps", kbps(in_bytes_samples_));
    Field(s, "instantaneous_output_kbps", kbps(out_bytes_samples_));
    Field(s, "instantaneous_input_repl_kbps", "0.00");  // no replication
    Field(s, "instantaneous_output_repl_kbps", "0.00");
    Field(s, "rejected_connections", stats_.rejected_connections);
    Field(s, "sync_full", 0);  // no replicas exist
    Field(s, "sync_partial_ok", 0);
    Field(s, "sync_partial_err", 0);
    Field(s, "expired_keys", ks.expired_keys);
    char perc[32];
    std::snprintf(perc, sizeof(perc), "%.2f",
                  static_cast<double>(ks.expired_stale_perc_x100) / 100.0);
    Field(s, "expired_stale_perc", perc);
    Field(s, "expired_time_cap_reached_count", 0);
    Field(s, "expire_cycle_cpu_milliseconds", ks.expire_cycle_cpu_us / 1000);
    Field(s, "evicted_keys", ks.evicted_keys);
    Field(s, "evicted_clients", stats_.evicted_clients);
    Field(s, "total_eviction_exceeded_time", keyspace_.evictor().total_exceeded_ms());
    Field(s, "current_eviction_exceeded_time", keyspace_.evictor().current_exceeded_ms());
    Field(s, "keyspace_hits", ks.keyspace_hits);
    Field(s, "keyspace_misses", ks.keyspace_misses);
    Field(s, "pubsub_channels", dispatcher_.pubsub().channel_count());
    Field(s, "pubsub_patterns", dispatcher_.pubsub().pattern_count());
    Field(s, "pubsubshard_channels", dispatcher_.pubsub().shard_channel_count());
    Field(s, "latest_fork_usec", persistence_->latest_fork_usec());
    Field(s, "total_forks", persistence_->total_forks());
    Field(s, "migrate_cached_sockets", 0);
    Field(s, "slave_expires_tracked_keys", 0);
    Field(s, "active_defrag_hits", 0);  // no active defragmentation
    Field(s, "active_defrag_misses", 0);
    Field(s, "active_defrag_key_hits", 0);
    Field(s, "active_defrag_key_misses", 0);
    Field(s, "total_active_defrag_time", 0);
    Field(s, "current_active_defrag_time", 0);
    Field(s, "tracking_total_keys", 0);
    Field(s, "tracking_total_items", 0);
    Field(s, "tracking_total_prefixes", 0);
    Field(s, "unexpected_error_replies", 0);
    Field(s, "total_error_replies", ds.total_error_replies);
    Field(s, "dump_payload_sanitizations", 0);
    Field(s, "total_reads_processed", stats_.total_reads_processed);
    Field(s, "total_writes_processed", stats_.total_writes_processed);
    Field(s, "io_threaded_reads_processed", 0);
    Field(s, "io_threaded_writes_processed", 0);
    Field(s, "reply_buffer_shrinks", 0);
    Field(s, "reply_buffer_expands", 0);
    // Redis 7.2's names for the disconnections the buffer limits caused.
    Field(s, "client_query_buffer_limit_disconnections",
          stats_.client_query_buffer_limit_disconnections);
    Field(s, "client_output_buffer_limit_disconnections",
          stats_.client_output_buffer_limit_disconnections);
  } else if (name == "replication") {
    s += "# Replication\r\n";
    Field(s, "role", "master");
    Field(s, "connected_slaves", 0);
    Field(s, "master_failover_state", "no-failover");
    Field(s, "master_replid", master_replid_);
    Field(s, "master_replid2", std::string(40, '0'));
    Field(s, "master_repl_offset", 0);
    Field(s, "second_repl_offset", -1);
    Field(s, "repl_backlog_active", 0);
    Field(s, "repl_backlog_size", 1048576);
    Field(s, "repl_backlog_first_byte_offset", 0);
    Field(s, "repl_backlog_histlen", 0);
  } else if (name == "cpu") {
    s += "# CPU\r\n";
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    auto secs = [](const timeval& tv) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                    static_cast<long>(tv.tv_usec));
      return std::string(buf);
    };
    Field(s, "used_cpu_sys", secs(self.ru_stime));
    Field(s, "used_cpu_user", secs(self.ru_utime));
    Field(s, "used_cpu_sys_children", secs(children.ru_stime));
    Field(s, "used_cpu_user_children", secs(children.ru_utime));
    rusage thread{};
    getrusage(RUSAGE_THREAD, &thread);  // the loop thread does all the work
    Field(s, "used_cpu_sys_main_thread", secs(thread.ru_stime));
    Field(s, "used_cpu_user_main_thread", secs(thread.ru_utime));
  } else if (name == "modules") {
    s += "# Modules\r\n";
  } else if (name == "commandstats") {
    s += "# Commandstats\r\n";
    auto one = [&](const CommandSpec& spec) {
      const auto& st = commands_.stats(spec);
      if (st.calls == 0 && st.rejected_calls == 0 && st.failed_calls == 0) return;
      char buf[256];
      std::snprintf(buf, sizeof(buf),
                    "cmdstat_%.*s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
                    "failed_calls=%llu\r\n",
                    static_cast<int>(spec.name.size()), spec.name.data(),
                    static_cast<unsigned long long>(st.calls),
                    static_cast<unsigned long long>(st.usec),
                    st.calls ? static_cast<double>(st.usec) / static_cast<double>(st.calls) : 0.0,
                    static_cast<unsigned long long>(st.rejected_calls),
                    static_cast<unsigned long long>(st.failed_calls));
      s += buf;
    };
    for (const auto& spec : commands_.commands()) {
      one(spec);
      for (const auto& sub : spec.subcommands) one(sub);
    }
  } else if (name == "errorstats") {
    s += "# Errorstats\r\n";
    s += dispatcher_.introspection().ErrorStatsInfo();
  } else if (name == "latencystats") {
    s += "# Latencystats\r\n";
    s += dispatcher_.introspection().LatencyStatsInfo(commands_,
                                                      config_.latency_tracking_info_percentiles);
  } else if (name == "cluster") {
    s += "# Cluster\r\n";
    Field(s, "cluster_enabled", 0);
  } else if (name == "keyspace") {
    s += "# Keyspace\r\n";
    for (int i = 0; i < keyspace_.database_count(); ++i) {
      auto& db = keyspace_.db(i);
      if (db.size() == 0) continue;
      Field(s, "db" + std::to_string(i),
            "keys=" + std::to_string(db.size()) + ",expires=" + std::to_string(db.expires_size()) +
                ",avg_ttl=" + std::to_string(db.avg_ttl_ms()));
    }
  }
  return s;
}

std::string Server::Info(const std::vector<std::string>& sections, const ClientView& requester) {
  std::vector<std::string_view> wanted;
  auto add = [&](std::string_view n) {
    if (std::find(wanted.begin(), wanted.end(), n) == wanted.end()) wanted.push_back(n);
  };
  if (sections.empty()) {
    for (auto n : kDefaultSections) add(n);
  }
  for (const auto& sec : sections) {
    if (sec == "default") {
      for (auto n : kDefaultSections) add(n);
    } else if (sec == "all" || sec == "everything") {
      for (auto n : kAllSections) add(n);
    } else {
      for (auto n : kAllSections) {
        if (n == sec) add(n);
      }
    }
  }
  // Sections come out in Redis's order whatever order they were asked in.
  std::string out;
  for (auto n : kAllSections) {
    if (std::find(wanted.begin(), wanted.end(), n) == wanted.end()) continue;
    if (!out.empty()) out += "\r\n";
    out += InfoSection(n, requester);
  }
  return out;
}

}  // namespace gannet
