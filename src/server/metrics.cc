// Prometheus exposition of INFO (see metrics.h). The names follow redis_exporter:
// plain gauges (memory_used_bytes, connected_clients, ...), counters with _total,
// per-command series labelled cmd, per-database series labelled db, errors labelled err,
// latency percentiles as a summary, and instance_info carrying the descriptive fields.
#include "gannet/server/metrics.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace gannet {
namespace {

struct MetricName {
  std::string_view info_field;
  std::string_view metric;
};

// INFO field -> exporter gauge name (the fields Redis 7.0 and Gannet report).
constexpr std::array kGauges = {
    MetricName{"uptime_in_seconds", "uptime_in_seconds"},
    MetricName{"process_id", "process_id"},
    MetricName{"connected_clients", "connected_clients"},
    MetricName{"blocked_clients", "blocked_clients"},
    MetricName{"tracking_clients", "tracking_clients"},
    MetricName{"clients_in_timeout_table", "clients_in_timeout_table"},
    MetricName{"client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"},
    MetricName{"client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"},
    MetricName{"allocator_active", "allocator_active_bytes"},
    MetricName{"allocator_allocated", "allocator_allocated_bytes"},
    MetricName{"allocator_resident", "allocator_resident_bytes"},
    MetricName{"allocator_frag_ratio", "allocator_frag_ratio"},
    MetricName{"allocator_frag_bytes", "allocator_frag_bytes"},
    MetricName{"allocator_rss_ratio", "allocator_rss_ratio"},
    MetricName{"allocator_rss_bytes", "allocator_rss_bytes"},
    MetricName{"used_memory", "memory_used_bytes"},
    MetricName{"used_memory_rss", "memory_used_rss_bytes"},
    MetricName{"used_memory_peak", "memory_used_peak_bytes"},
    MetricName{"used_memory_lua", "memory_used_lua_bytes"},
    MetricName{"used_memory_overhead", "memory_used_overhead_bytes"},
    MetricName{"used_memory_startup", "memory_used_startup_bytes"},
    MetricName{"used_memory_dataset", "memory_used_dataset_bytes"},
    MetricName{"used_memory_scripts", "memory_used_scripts_bytes"},
    MetricName{"maxmemory", "memory_max_bytes"},
    MetricName{"mem_fragmentation_ratio", "mem_fragmentation_ratio"},
    MetricName{"mem_fragmentation_bytes", "mem_fragmentation_bytes"},
    MetricName{"mem_clients_slaves", "mem_clients_slaves"},
    MetricName{"mem_clients_normal", "mem_clients_normal"},
    MetricName{"expired_stale_perc", "expired_stale_percentage"},
    MetricName{"mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"},
    MetricName{"lazyfree_pending_objects", "lazyfree_pending_objects"},
    MetricName{"active_defrag_running", "active_defrag_running"},
    MetricName{"migrate_cached_sockets", "migrate_cached_sockets_total"},
    MetricName{"active_defrag_hits", "defrag_hits"},
    MetricName{"active_defrag_misses", "defrag_misses"},
    MetricName{"active_defrag_key_hits", "defrag_key_hits"},
    MetricName{"active_defrag_key_misses", "defrag_key_misses"},
    MetricName{"expired_time_cap_reached_count", "expired_time_cap_reached_total"},
    MetricName{"loading", "loading_dump_file"},
    MetricName{"rdb_changes_since_last_save", "rdb_changes_since_last_save"},
    MetricName{"rdb_bgsave_in_progress", "rdb_bgsave_in_progress"},
    MetricName{"rdb_last_save_time", "rdb_last_save_timestamp_seconds"},
    MetricName{"rdb_last_bgsave_status", "rdb_last_bgsave_status"},
    MetricName{"rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"},
    MetricName{"rdb_current_bgsave_time_sec", "rdb_current_bgsave_duration_sec"},
    MetricName{"rdb_last_cow_size", "rdb_last_cow_size_bytes"},
    MetricName{"aof_enabled", "aof_enabled"},
    MetricName{"aof_rewrite_in_progress", "aof_rewrite_in_progress"},
    MetricName{"aof_rewrite_scheduled", "aof_rewrite_scheduled"},
    MetricName{"aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"},
    MetricName{"aof_current_rewrite_time_sec", "aof_current_rewrite_duration_sec"},
    MetricName{"aof_last_cow_size", "aof_last_cow_size_bytes"},
    MetricName{"aof_current_size", "aof_current_size_bytes"},
    MetricName{"aof_base_size", "aof_base_size_bytes"},
    MetricName{"aof_pending_rewrite", "aof_pending_rewrite"},
    MetricName{"aof_buffer_length", "aof_buffer_length"},
    MetricName{"aof_rewrite_buffer_length", "aof_rewrite_buffer_length"},
    MetricName{"aof_pending_bio_fsync", "aof_pending_bio_fsync"},
    MetricName{"aof_delayed_fsync", "aof_delayed_fsync"},
    MetricName{"aof_last_bgrewrite_status", "aof_last_bgrewrite_status"},
    MetricName{"aof_last_write_status", "aof_last_write_status"},
    MetricName{"module_fork_in_progress", "module_fork_in_progress"},
    MetricName{"module_fork_last_cow_size", "module_fork_last_cow_size"},
    MetricName{"pubsub_channels", "pubsub_channels"},
    MetricName{"pubsub_patterns", "pubsub_patterns"},
    MetricName{"latest_fork_usec", "latest_fork_usec"},
    MetricName{"connected_slaves", "connected_slaves"},
    MetricName{"repl_backlog_size", "replication_backlog_bytes"},
    MetricName{"repl_backlog_active", "repl_backlog_is_active"},
    MetricName{"repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"},
    MetricName{"repl_backlog_histlen", "repl_backlog_history_bytes"},
    MetricName{"master_repl_offset", "master_repl_offset"},
    MetricName{"second_repl_offset", "second_repl_offset"},
    MetricName{"slave_expires_tracked_keys", "slave_expires_tracked_keys"},
    MetricName{"slave_priority", "slave_priority"},
    MetricName{"sync_full", "replica_resyncs_full"},
    MetricName{"sync_partial_ok", "replica_partial_resync_accepted"},
    MetricName{"sync_partial_err", "replica_partial_resync_denied"},
    MetricName{"hz", "hz"},
    MetricName{"configured_hz", "configured_hz"},
};

// INFO field -> exporter counter name.
constexpr std::array kCounters = {
    MetricName{"total_connections_received", "connections_received_total"},
    MetricName{"total_commands_processed", "commands_processed_total"},
    MetricName{"rejected_connections", "rejected_connections_total"},
    MetricName{"total_net_input_bytes", "net_input_bytes_total"},
    MetricName{"total_net_output_bytes", "net_output_bytes_total"},
    MetricName{"expired_keys", "expired_keys_total"},
    MetricName{"evicted_keys", "evicted_keys_total"},
    MetricName{"keyspace_hits", "keyspace_hits_total"},
    MetricName{"keyspace_misses", "keyspace_misses_total"},
    MetricName{"used_cpu_sys", "cpu_sys_seconds_total"},
    MetricName{"used_cpu_user", "cpu_user_seconds_total"},
    MetricName{"used_cpu_sys_children", "cpu_sys_children_seconds_total"},
    MetricName{"used_cpu_user_children", "cpu_user_children_seconds_total"},
    MetricName{"total_error_replies", "total_error_replies"},
};

// The exporter's numeric reading of a field: numbers as they are, and the status words
// (ok/err, up/down) as 1/0. nullopt: not a number (the field is skipped).
std::optional<double> NumericValue(std::string_view v) {
  if (v == "ok" || v == "up") return 1.0;
  if (v == "err" || v == "down") return 0.0;
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return d;
}

// "calls=21,usec=175,usec_per_call=8.33" -> {calls: 21, ...}
std::map<std::string, std::string, std::less<>> ParseFields(std::string_view v) {
  std::map<std::string, std::string, std::less<>> out;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view part = v.substr(0, comma);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

double FieldNumber(const std::map<std::string, std::string, std::less<>>& f,
                   std::string_view name) {
  auto it = f.find(name);
  if (it == f.end()) return 0;
  return NumericValue(it->second).value_or(0);
}

// A label value in the exposition format: backslash, quote and newline escaped.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Collects samples per metric so each family gets one HELP/TYPE header.
class Exposition {
 public:
  void Add(std::string_view name, std::string_view type, std::string labels, double value,
           std::string_view help = {}) {
    Family& f = families_[std::string(name)];
    f.type = type;
    if (!help.empty()) f.help = help;
    f.samples.emplace_back(std::move(labels), value);
  }
  void AddRaw(std::string_view family, std::string_view type, std::string line) {
    Family& f = families_[std::string(family)];
    f.type = type;
    f.raw.push_back(std::move(line));
  }
  std::string Render() const {
    std::string out;
    for (const auto& [name, f] : families_) {
      out += fmt::format("# HELP redis_{} {}\n# TYPE redis_{} {}\n", name,
                         f.help.empty() ? name : f.help, name, f.type);
      for (const auto& [labels, value] : f.samples) {
        out += fmt::format("redis_{}{} {}\n", name, labels, value);
      }
      for (const auto& line : f.raw) out += line;
    }
    return out;
  }

 private:
  struct Family {
    std::string_view type;
    std::string help;
    std::vector<std::pair<std::string, double>> samples;
    std::vector<std::string> raw;
  };
  std::map<std::string, Family> families_;
};

std::string Label(std::string_view name, std::string_view value) {
  return fmt::format("{{{}=\"{}\"}}", name, EscapeLabel(value));
}

}  // namespace

std::string RenderPrometheusMetrics(std::string_view info, int64_t now_unix_s) {
  Exposition out;
  out.Add("up", "gauge", "", 1, "Whether the server answered (always 1 when it serves this)");
  std::map<std::string, std::string, std::less<>> fields;          // every plain field, for info
  std::map<std::string, std::pair<double, double>> command_calls;  // cmd -> (calls, usec)
  std::map<std::string, std::map<std::string, std::string, std::less<>>> latencies;

  std::string section;
  while (!info.empty()) {
    size_t nl = info.find('\n');
    std::string_view line = info.substr(0, nl);
    info.remove_prefix(nl == std::string_view::npos ? info.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("# ")) {
      section = std::string(line.substr(2));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);

    if (section == "Commandstats" && key.starts_with("cmdstat_")) {
      std::string cmd(key.substr(8));
      auto f = ParseFields(value);
      const double calls = FieldNumber(f, "calls");
      const double usec = FieldNumber(f, "usec");
      command_calls[cmd] = {calls, usec};
      out.Add("commands_total", "counter", Label("cmd", cmd), calls);
      out.Add("commands_duration_seconds_total", "counter", Label("cmd", cmd), usec / 1e6);
      out.Add("commands_rejected_calls_total", "counter", Label("cmd", cmd),
              FieldNumber(f, "rejected_calls"));
      out.Add("commands_failed_calls_total", "counter", Label("cmd", cmd),
              FieldNumber(f, "failed_calls"));
      continue;
    }
    if (section == "Latencystats" && key.starts_with("latency_percentiles_usec_")) {
      latencies[std::string(key.substr(25))] = ParseFields(value);
      continue;
    }
    if (section == "Errorstats" && key.starts_with("errorstat_")) {
      out.Add("errors_total", "counter", Label("err", key.substr(10)),
              FieldNumber(ParseFields(value), "count"));
      continue;
    }
    if (section == "Keyspace" && key.starts_with("db")) {
      auto f = ParseFields(value);
      const std::string db = Label("db", key);
      out.Add("db_keys", "gauge", db, FieldNumber(f, "keys"));
      out.Add("db_keys_expiring", "gauge", db, FieldNumber(f, "expires"));
      out.Add("db_avg_ttl_seconds", "gauge", db, FieldNumber(f, "avg_ttl") / 1000);
      continue;
    }
    fields.emplace(std::string(key), std::string(value));
  }

  for (const auto& m : kGauges) {
    auto it = fields.find(m.info_field);
    if (it == fields.end()) continue;
    if (auto v = NumericValue(it->second)) {
      out.Add(m.metric, "gauge", "", *v, "INFO " + std::string(m.info_field));
    }
  }
  for (const auto& m : kCounters) {
    auto it = fields.find(m.info_field);
    if (it == fields.end()) continue;
    if (auto v = NumericValue(it->second)) {
      out.Add(m.metric, "counter", "", *v, "INFO " + std::string(m.info_field));
    }
  }
  if (auto it = fields.find("uptime_in_seconds"); it != fields.end()) {
    if (auto up = NumericValue(it->second)) {
      out.Add("start_time_seconds", "gauge", "", static_cast<double>(now_unix_s) - *up);
    }
  }

  // Latency percentiles as a summary: quantiles from latencystats, sum and count from
  // commandstats, as the exporter pairs them.
  for (const auto& [cmd, pct] : latencies) {
    auto calls = command_calls.find(cmd);
    if (calls == command_calls.end()) continue;
    const std::string label = EscapeLabel(cmd);
    for (const auto& [p, v] : pct) {
      if (p.size() < 2 || p[0] != 'p') continue;
      auto q = NumericValue(std::string_view(p).substr(1));
      auto value = NumericValue(v);
      if (!q || !value) continue;
      out.AddRaw(
          "latency_percentiles_usec", "summary",
          fmt::format("redis_latency_percentiles_usec{{cmd=\"{}\",quantile=\"{:.6g}\"}} {}\n",
                      label, *q / 100, *value));
    }
    out.AddRaw("latency_percentiles_usec", "summary",
               fmt::format("redis_latency_percentiles_usec_sum{{cmd=\"{}\"}} {}\n", label,
                           calls->second.second));
    out.AddRaw("latency_percentiles_usec", "summary",
               fmt::format("redis_latency_percentiles_usec_count{{cmd=\"{}\"}} {}\n", label,
                           calls->second.first));
  }

  auto get = [&](std::string_view k) {
    auto it = fields.find(k);
    return it == fields.end() ? std::string() : EscapeLabel(it->second);
  };
  out.AddRaw("instance_info", "gauge",
             fmt::format("redis_instance_info{{role=\"{}\",redis_version=\"{}\","
                         "redis_build_id=\"{}\",redis_mode=\"{}\",os=\"{}\","
                         "maxmemory_policy=\"{}\",tcp_port=\"{}\",run_id=\"{}\","
                         "process_id=\"{}\",master_replid=\"{}\"}} 1\n",
                         get("role"), get("redis_version"), get("redis_build_id"),
                         get("redis_mode"), get("os"), get("maxmemory_policy"), get("tcp_port"),
                         get("run_id"), get("process_id"), get("master_replid")));
  return out.Render();
}

// ---- the HTTP side: one request per connection, bounded in size and time ----

class MetricsEndpoint::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, MetricsEndpoint& owner)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), owner_(owner) {}

  void Start() {
    // A client that never finishes its request is dropped.
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (!ec) self->Close();
    });
    Read();
  }

 private:
  static constexpr size_t kMaxRequest = 8192;

  void Read() {
    socket_.async_read_some(asio::buffer(buf_.data() + used_, buf_.size() - used_),
                            [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                              if (ec) return self->Close();
                              self->used_ += n;
                              std::string_view req(self->buf_.data(), self->used_);
                              if (req.find("\r\n\r\n") != std::string_view::npos ||
                                  req.find("\n\n") != std::string_view::npos) {
                                return self->Respond(req);
                              }
                              if (self->used_ == self->buf_.size()) {
                                return self->Reply("431 Request Header Fields Too Large",
                                                   "text/plain", "request too large\n");
                              }
                              self->Read();
                            });
  }

  void Respond(std::string_view req) {
    std::string_view line = req.substr(0, req.find_first_of("\r\n"));
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.find(' ', sp1 == std::string_view::npos ? 0 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
      return Reply("400 Bad Request", "text/plain", "bad request\n");
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    if (target != "/metrics") return Reply("404 Not Found", "text/plain", "not found\n");
    if (method != "GET" && method != "HEAD") {
      return Reply("405 Method Not Allowed", "text/plain", "method not allowed\n");
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::string body = RenderPrometheusMetrics(owner_.info_text_(), now);
    if (method == "HEAD") body.clear();
    Reply("200 OK", "text/plain; version=0.0.4; charset=utf-8", std::move(body));
  }

  void Reply(std::string_view status, std::string_view type, std::string body) {
    out_ = fmt::format(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, type, body.size());
    out_ += body;
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this()](const asio::error_code&, size_t) { self->Close(); });
  }

  void Close() {
    asio::error_code ignored;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  MetricsEndpoint& owner_;
  std::array<char, kMaxRequest> buf_{};
  size_t used_ = 0;
  std::string out_;
};

MetricsEndpoint::MetricsEndpoint(asio::io_context& io, std::function<std::string()> info_text)
    : io_(io), info_text_(std::move(info_text)), retry_(io) {}

MetricsEndpoint::~MetricsEndpoint() { Stop(); }

bool MetricsEndpoint::Start(const std::string& bind, int port, std::string* error) {
  asio::error_code ec;
  auto addr = asio::ip::make_address(bind, ec);
  if (ec) {
    *error = "Invalid metrics-bind address '" + bind + "': " + ec.message();
    return false;
  }
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
  asio::ip::tcp::endpoint ep(addr, static_cast<uint16_t>(port));
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(64, ec);
  if (ec) {
    *error = fmt::format("Could not listen for metrics on {}:{}: {}", bind, port, ec.message());
    return false;
  }
  bound_port_ = acceptor->local_endpoint().port();
  acceptor_ = std::move(acceptor);
  Accept();
  return true;
}

void MetricsEndpoint::Stop() {
  if (!acceptor_) return;
  asio::error_code ignored;
  acceptor_->close(ignored);
  acceptor_.reset();
  retry_.cancel();
}

void MetricsEndpoint::Accept() {
  acceptor_->async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_) return;
    if (!ec) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
      Accept();
      return;
    }
    // Out of descriptors or the like: try again shortly rather than spin.
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([this](const asio::error_code& wait_ec) {
      if (!wait_ec && acceptor_) Accept();
    });
  });
}

}  // namespace gannet
