// The directive table: one row per redis.conf directive the server knows, pointing into
// gannet::Config. Parsing, validation and formatting are generic per type; the few
// directives with their own syntax (bind, save, loglevel, client-output-buffer-limit)
// have small parse/format functions.
#include "gannet/server/config_table.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "gannet/common/ascii.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/common/quoting.h"
#include "gannet/engine/keyspace_notifier.h"
#include "gannet/server/config_file.h"

namespace gannet {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string RangeError(int64_t min, int64_t max) {
  return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) +
         " inclusive";
}

// Memory values are written with the largest exact unit in CONFIG REWRITE, as Redis.
std::string FormatMemoryForFile(int64_t v) {
  constexpr int64_t kGb = 1024LL * 1024 * 1024, kMb = 1024LL * 1024, kKb = 1024;
  if (v != 0 && v % kGb == 0) return std::to_string(v / kGb) + "gb";
  if (v != 0 && v % kMb == 0) return std::to_string(v / kMb) + "mb";
  if (v != 0 && v % kKb == 0) return std::to_string(v / kKb) + "kb";
  return std::to_string(v);
}

// --- special directives ---

std::optional<std::string> ParseBind(Config& cfg, std::span<const std::string_view> args,
                                     LoadState*) {
  std::vector<std::string> addrs;
  for (auto a : args) {
    if (!a.empty()) addrs.emplace_back(a);
  }
  if (addrs.size() > 16) return "Too many bind addresses specified.";
  cfg.bind = std::move(addrs);
  return std::nullopt;
}
std::vector<std::string> FormatBind(const Config& cfg) { return cfg.bind; }

std::optional<std::string> ParseSave(Config& cfg, std::span<const std::string_view> args,
                                     LoadState* load) {
  std::vector<std::pair<int64_t, int64_t>> params;
  std::vector<std::string_view> parts;
  for (auto a : args) {
    if (!a.empty()) parts.push_back(a);
  }
  if (parts.size() % 2 != 0) return "Invalid save parameters";
  for (size_t i = 0; i < parts.size(); i += 2) {
    auto secs = ParseInt64(parts[i]);
    auto changes = ParseInt64(parts[i + 1]);
    if (!secs || !changes || *secs < 1 || *changes < 0) return "Invalid save parameters";
    params.emplace_back(*secs, *changes);
  }
  // Several `save` lines in one file add up; the first one replaces the default.
  if (load != nullptr && load->seen.count("save") && !params.empty()) {
    cfg.save.insert(cfg.save.end(), params.begin(), params.end());
  } else {
    cfg.save = std::move(params);
  }
  return std::nullopt;
}
std::vector<std::string> FormatSave(const Config& cfg) {
  std::vector<std::string> out;
  for (auto [s, c] : cfg.save) {
    out.push_back(std::to_string(s));
    out.push_back(std::to_string(c));
  }
  if (out.empty()) out.emplace_back();
  return out;
}

// The snapshot file lives in `dir`: a path here would let it escape (Redis refuses too).
std::optional<std::string> ParseDbFilename(Config& cfg, std::span<const std::string_view> args,
                                           LoadState*) {
  if (args.size() != 1) return "wrong number of arguments";
  if (args[0].find('/') != std::string_view::npos) {
    return "dbfilename can't be a path, just a filename";
  }
  cfg.dbfilename = std::string(args[0]);
  return std::nullopt;
}
std::vector<std::string> FormatDbFilename(const Config& cfg) { return {cfg.dbfilename}; }

// maxmemory-clients: "N%" (0..100, stored negated) or a memory value. Redis reads the
// memory form with strtoull and no range check, so a value of 2^63 or more wraps to a
// negative number, which then reads as a percentage: "18446744073709551615" is 1% there,
// and we keep that, as CONFIG GET must show what Redis shows.
std::optional<std::string> ParseMaxmemoryClients(Config& cfg,
                                                 std::span<const std::string_view> args,
                                                 LoadState*) {
  constexpr std::string_view kBad = "argument must be a memory or percent value";
  if (args.size() != 1) return std::string(kBad);
  const std::string_view v = args[0];
  int64_t value = 0;
  std::optional<int64_t> pct;
  if (v.size() > 1 && v.back() == '%') pct = ParseInt64(v.substr(0, v.size() - 1));
  if (pct && *pct >= 0) {
    value = -*pct;
  } else {
    // Digits (possibly none: "" and "kb" are 0 in Redis) then an optional unit.
    size_t digits = 0;
    while (digits < v.size() && std::isdigit(static_cast<unsigned char>(v[digits]))) ++digits;
    const std::optional<uint64_t> unit_mul = MemoryUnitMultiplier(v.substr(digits));
    if (!unit_mul) return std::string(kBad);
    const uint64_t mul = *unit_mul;
    uint64_t n = 0;
    for (size_t i = 0; i < digits; ++i) {
      const uint64_t d = static_cast<uint64_t>(v[i] - '0');
      if (n > (UINT64_MAX - d) / 10) {
        n = UINT64_MAX;  // strtoull saturates
        break;
      }
      n = n * 10 + d;
    }
    value = static_cast<int64_t>(n * mul);  // wraps as Redis's unsigned multiply does
  }
  if (value < -100) return std::string("percentage argument must be less or equal to 100");
  cfg.maxmemory_clients = value;
  return std::nullopt;
}
std::vector<std::string> FormatMaxmemoryClients(const Config& cfg) {
  const int64_t v = cfg.maxmemory_clients;
  return {v < 0 ? std::to_string(-v) + "%" : std::to_string(v)};
}

// latency-tracking-info-percentiles: space-separated numbers in [0, 100].
std::optional<std::string> ParsePercentiles(Config& cfg, std::span<const std::string_view> args,
                                            LoadState*) {
  std::vector<double> out;
  for (std::string_view a : args) {
    if (a.empty()) continue;
    std::string text(a);
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || errno != 0 || d != d) {
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (d < 0.0 || d > 100.0) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    out.push_back(d);
  }
  cfg.latency_tracking_info_percentiles = std::move(out);
  return std::nullopt;
}
std::vector<std::string> FormatPercentiles(const Config& cfg) {
  std::vector<std::string> out;
  for (double d : cfg.latency_tracking_info_percentiles) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%f", d);
    std::string v(buf);
    while (v.find('.') != std::string::npos && (v.back() == '0' || v.back() == '.')) {
      const bool dot = v.back() == '.';
      v.pop_back();
      if (dot) break;
    }
    out.push_back(std::move(v));
  }
  return out;
}

// notify-keyspace-events: Redis's flag letters (engine/keyspace_notifier.h).
std::optional<std::string> ParseNotifyEvents(Config& cfg, std::span<const std::string_view> args,
                                             LoadState*) {
  if (args.size() != 1) return "wrong number of arguments";
  auto flags = ParseNotifyKeyspaceEvents(args[0]);
  if (!flags) return std::string(kNotifyKeyspaceEventsError);
  cfg.notify_keyspace_events = *flags;
  return std::nullopt;
}
std::vector<std::string> FormatNotifyEvents(const Config& cfg) {
  return {FormatNotifyKeyspaceEvents(cfg.notify_keyspace_events)};
}

constexpr std::string_view kLogLevels[] = {"debug", "verbose", "notice", "warning"};

std::optional<std::string> ParseLogLevel(Config& cfg, std::span<const std::string_view> args,
                                         LoadState*) {
  if (args.size() != 1) return "wrong number of arguments";
  for (size_t i = 0; i < std::size(kLogLevels); ++i) {
    if (EqualsNoCase(args[0], kLogLevels[i])) {
      cfg.loglevel = static_cast<LogLevel>(i);
      return std::nullopt;
    }
  }
  return "argument(s) must be one of the following: debug, verbose, notice, warning";
}
std::vector<std::string> FormatLogLevel(const Config& cfg) {
  return {std::string(kLogLevels[static_cast<size_t>(cfg.loglevel)])};
}

std::optional<std::string> ParseObufLimit(Config& cfg, std::span<const std::string_view> args,
                                          LoadState*) {
  std::vector<std::string_view> parts;
  for (auto a : args) {
    if (!a.empty()) parts.push_back(a);
  }
  if (parts.empty() || parts.size() % 4 != 0) {
    return "Wrong number of arguments in buffer limit configuration.";
  }
  auto limits = cfg.client_output_limits;
  for (size_t i = 0; i < parts.size(); i += 4) {
    size_t cls;
    if (EqualsNoCase(parts[i], "normal")) {
      cls = kObufNormal;
    } else if (EqualsNoCase(parts[i], "replica") || EqualsNoCase(parts[i], "slave")) {
      cls = kObufReplica;
    } else if (EqualsNoCase(parts[i], "pubsub")) {
      cls = kObufPubSub;
    } else {
      return "Invalid client class specified in buffer limit configuration.";
    }
    auto hard = ParseMemory(parts[i + 1]);
    auto soft = ParseMemory(parts[i + 2]);
    auto secs = ParseInt64(parts[i + 3]);
    if (!hard || !soft || !secs || *hard < 0 || *soft < 0 || *secs < 0) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    limits[cls] = OutputBufferLimit{*hard, *soft, *secs};
  }
  cfg.client_output_limits = limits;
  return std::nullopt;
}
std::vector<std::string> FormatObufLimit(const Config& cfg) {
  static constexpr std::string_view kNames[] = {"normal", "slave", "pubsub"};
  std::vector<std::string> out;
  for (size_t i = 0; i < 3; ++i) {
    const auto& l = cfg.client_output_limits[i];
    out.emplace_back(kNames[i]);
    out.push_back(std::to_string(l.hard));
    out.push_back(std::to_string(l.soft));
    out.push_back(std::to_string(l.soft_seconds));
  }
  return out;
}

constexpr std::string_view kPolicies[] = {"volatile-lru",   "volatile-lfu", "volatile-random",
                                          "volatile-ttl",   "allkeys-lru",  "allkeys-lfu",
                                          "allkeys-random", "noeviction"};
constexpr std::string_view kFsync[] = {"everysec", "always", "no"};
constexpr std::string_view kDebugCommand[] = {"no", "yes", "local"};
constexpr std::string_view kTlsAuthClients[] = {"no", "yes", "optional"};
constexpr std::string_view kAclPubsubDefault[] = {"allchannels", "resetchannels"};

Directive Bool(std::string_view name, uint32_t flags, bool Config::*f,
               std::string_view alias = "") {
  Directive d{name, alias, DirectiveType::kBool, flags};
  d.bool_field = f;
  return d;
}
Directive Int(std::string_view name, uint32_t flags, int64_t min, int64_t max, int Config::*f,
              std::string_view alias = "") {
  Directive d{name, alias, DirectiveType::kInt, flags, min, max};
  d.int_field = f;
  return d;
}
// An integer directive whose field is 64-bit (Redis's long long / size_t integers).
Directive Int64(std::string_view name, uint32_t flags, int64_t min, int64_t max, int64_t Config::*f,
                std::string_view alias = "") {
  Directive d{name, alias, DirectiveType::kInt, flags, min, max};
  d.i64_field = f;
  return d;
}
Directive Memory(std::string_view name, uint32_t flags, int64_t min, int64_t max,
                 int64_t Config::*f, std::string_view alias = "") {
  Directive d{name, alias, DirectiveType::kMemory, flags, min, max};
  d.i64_field = f;
  return d;
}
Directive String(std::string_view name, uint32_t flags, std::string Config::*f) {
  Directive d{name, "", DirectiveType::kString, flags};
  d.str_field = f;
  return d;
}
Directive Enum(std::string_view name, uint32_t flags, std::span<const std::string_view> choices,
               std::string Config::*f) {
  Directive d{name, "", DirectiveType::kEnum, flags};
  d.choices = choices;
  d.str_field = f;
  return d;
}
Directive Special(std::string_view name, uint32_t flags, Directive::ParseFn p,
                  Directive::FormatFn f) {
  Directive d{name, "", DirectiveType::kSpecial, flags};
  d.parse = p;
  d.format = f;
  return d;
}

}  // namespace

constexpr std::string_view kRewriteHeader = "# Generated by CONFIG REWRITE";

std::optional<int64_t> ParseMemory(std::string_view s) {
  size_t digits_end = 0;
  if (!s.empty() && s[0] == '-') digits_end = 1;
  size_t first_digit = digits_end;
  while (digits_end < s.size() && std::isdigit(static_cast<unsigned char>(s[digits_end]))) {
    ++digits_end;
  }
  if (digits_end == first_digit) return std::nullopt;
  const std::optional<uint64_t> unit_mul = MemoryUnitMultiplier(s.substr(digits_end));
  if (!unit_mul) return std::nullopt;
  const auto mul = static_cast<int64_t>(*unit_mul);  // at most 2^30
  // Redis's memtoull takes the digits with strtoull; we keep strict int64 parsing.
  std::string_view num = s.substr(0, digits_end);
  int64_t v = 0;
  bool neg = num[0] == '-';
  for (size_t i = neg ? 1 : 0; i < num.size(); ++i) {
    int d = num[i] - '0';
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)) {
      return std::nullopt;
    }
  }
  int64_t out;
  if (__builtin_mul_overflow(v, mul, &out)) return std::nullopt;
  return neg ? -out : out;
}

std::string QuoteConfigArg(std::string_view arg) { return QuoteArg(arg); }

ConfigTable::ConfigTable() {
  constexpr int64_t kIntMax = INT_MAX;
  constexpr int64_t kLLMax = INT64_MAX;
  constexpr int64_t kMb = 1024 * 1024;
  rows_ = {
      // Network
      Special("bind", kDirMultiArg, ParseBind, FormatBind),
      Int("port", 0, 0, 65535, &Config::port),
      Int("tcp-backlog", kDirImmutable, 0, kIntMax, &Config::tcp_backlog),
      Int("tcp-keepalive", 0, 0, kIntMax, &Config::tcp_keepalive),
      Int("timeout", 0, 0, kIntMax, &Config::timeout),
      Int("maxclients", 0, 1, 4294967295LL, &Config::maxclients),
      Bool("protected-mode", 0, &Config::protected_mode),
      String("unixsocket", kDirImmutable, &Config::unixsocket),
      Int("unixsocketperm", kDirImmutable | kDirOctal, 0, 0777, &Config::unixsocketperm),
      // General
      Int("databases", kDirImmutable, 1, kIntMax, &Config::databases),
      Int("hz", 0, 0, kIntMax, &Config::hz),
      Bool("dynamic-hz", 0, &Config::dynamic_hz),
      Special("loglevel", 0, ParseLogLevel, FormatLogLevel),
      String("logfile", kDirImmutable, &Config::logfile),
      String("pidfile", kDirImmutable, &Config::pidfile),
      Bool("daemonize", kDirImmutable, &Config::daemonize),
      String("dir", kDirProtected | kDirDenyLoading, &Config::dir),
      String("requirepass", 0, &Config::requirepass),
      Int("active-expire-effort", 0, 1, 10, &Config::active_expire_effort),
      Int("key-load-delay", kDirHidden, INT_MIN, kIntMax, &Config::key_load_delay),
      String("aclfile", kDirImmutable, &Config::aclfile),
      Int64("acllog-max-len", 0, 0, kLLMax, &Config::acllog_max_len),
      Enum("acl-pubsub-default", 0, kAclPubsubDefault, &Config::acl_pubsub_default),
      Int("metrics-port", kDirImmutable, 0, 65535, &Config::metrics_port),
      String("metrics-bind", kDirImmutable, &Config::metrics_bind),
      // TLS: CONFIG SET of any of these rebuilds the context for new connections
      // (Server::ApplyConfigChange); tls-auth-clients applies to the next accepted client.
      Int("tls-port", 0, 0, 65535, &Config::tls_port),
      String("tls-cert-file", 0, &Config::tls_cert_file),
      String("tls-key-file", 0, &Config::tls_key_file),
      String("tls-key-file-pass", 0, &Config::tls_key_file_pass),
      String("tls-ca-cert-file", 0, &Config::tls_ca_cert_file),
      String("tls-ca-cert-dir", 0, &Config::tls_ca_cert_dir),
      String("tls-dh-params-file", 0, &Config::tls_dh_params_file),
      Enum("tls-auth-clients", 0, kTlsAuthClients, &Config::tls_auth_clients),
      String("tls-protocols", 0, &Config::tls_protocols),
      String("tls-ciphers", 0, &Config::tls_ciphers),
      String("tls-ciphersuites", 0, &Config::tls_ciphersuites),
      Bool("tls-prefer-server-ciphers", 0, &Config::tls_prefer_server_ciphers),
      Bool("tls-session-caching", 0, &Config::tls_session_caching),
      Int("tls-session-cache-size", 0, 0, kIntMax, &Config::tls_session_cache_size),
      Int("tls-session-cache-timeout", 0, 0, kIntMax, &Config::tls_session_cache_timeout),
      // Outgoing TLS only (replication, cluster bus): accepted, no connection uses them.
      Bool("tls-replication", 0, &Config::tls_replication),
      Bool("tls-cluster", 0, &Config::tls_cluster),
      String("tls-client-cert-file", 0, &Config::tls_client_cert_file),
      String("tls-client-key-file", 0, &Config::tls_client_key_file),
      String("tls-client-key-file-pass", 0, &Config::tls_client_key_file_pass),
      // Limits
      Memory("proto-max-bulk-len", 0, kMb, kLLMax, &Config::proto_max_bulk_len),
      Memory("client-query-buffer-limit", 0, kMb, kLLMax, &Config::client_query_buffer_limit),
      Special("client-output-buffer-limit", kDirMultiArg, ParseObufLimit, FormatObufLimit),
      Special("notify-keyspace-events", 0, ParseNotifyEvents, FormatNotifyEvents),
      // Introspection
      Int64("slowlog-log-slower-than", 0, -1, kLLMax, &Config::slowlog_log_slower_than),
      Int64("slowlog-max-len", 0, 0, kLLMax, &Config::slowlog_max_len),
      Int64("latency-monitor-threshold", 0, 0, kLLMax, &Config::latency_monitor_threshold),
      Bool("latency-tracking", 0, &Config::latency_tracking),
      Special("latency-tracking-info-percentiles", kDirMultiArg, ParsePercentiles,
              FormatPercentiles),
      // Client-side caching
      Int64("tracking-table-max-keys", 0, 0, kLLMax, &Config::tracking_table_max_keys),
      // Memory
      Memory("maxmemory", 0, 0, kLLMax, &Config::maxmemory),
      Enum("maxmemory-policy", 0, kPolicies, &Config::maxmemory_policy),
      Int("maxmemory-samples", 0, 1, kIntMax, &Config::maxmemory_samples),
      Int("maxmemory-eviction-tenacity", 0, 0, 100, &Config::maxmemory_eviction_tenacity),
      Special("maxmemory-clients", 0, ParseMaxmemoryClients, FormatMaxmemoryClients),
      Int("lfu-log-factor", 0, 0, kIntMax, &Config::lfu_log_factor),
      Int("lfu-decay-time", 0, 0, kIntMax, &Config::lfu_decay_time),
      Bool("lazyfree-lazy-eviction", 0, &Config::lazyfree_lazy_eviction),
      Bool("lazyfree-lazy-expire", 0, &Config::lazyfree_lazy_expire),
      Bool("lazyfree-lazy-server-del", 0, &Config::lazyfree_lazy_server_del),
      Bool("lazyfree-lazy-user-del", 0, &Config::lazyfree_lazy_user_del),
      Bool("lazyfree-lazy-user-flush", 0, &Config::lazyfree_lazy_user_flush),
      // Compact encodings (the old "ziplist" names are aliases, as in Redis 7)
      Int64("hash-max-listpack-entries", 0, 0, kLLMax, &Config::hash_max_listpack_entries,
            "hash-max-ziplist-entries"),
      Memory("hash-max-listpack-value", 0, 0, kLLMax, &Config::hash_max_listpack_value,
             "hash-max-ziplist-value"),
      Int64("set-max-intset-entries", 0, 0, kLLMax, &Config::set_max_intset_entries),
      Int64("zset-max-listpack-entries", 0, 0, kLLMax, &Config::zset_max_listpack_entries,
            "zset-max-ziplist-entries"),
      Memory("zset-max-listpack-value", 0, 0, kLLMax, &Config::zset_max_listpack_value,
             "zset-max-ziplist-value"),
      Int("list-max-listpack-size", 0, INT_MIN, kIntMax, &Config::list_max_listpack_size,
          "list-max-ziplist-size"),
      Int("list-compress-depth", 0, 0, kIntMax, &Config::list_compress_depth),
      Memory("stream-node-max-bytes", 0, 0, kLLMax, &Config::stream_node_max_bytes),
      Int64("stream-node-max-entries", 0, 0, kLLMax, &Config::stream_node_max_entries),
      Memory("hll-sparse-max-bytes", 0, 0, kLLMax, &Config::hll_sparse_max_bytes),
      // Persistence
      Special("save", kDirMultiArg, ParseSave, FormatSave),
      // Not while loading: the AOF is being read, or a rewrite would write half a dataset.
      Bool("appendonly", kDirDenyLoading, &Config::appendonly),
      Enum("appendfsync", 0, kFsync, &Config::appendfsync),
      Special("dbfilename", kDirProtected, ParseDbFilename, FormatDbFilename),
      Bool("rdbcompression", 0, &Config::rdbcompression),
      Bool("rdbchecksum", kDirImmutable, &Config::rdbchecksum),
      Bool("stop-writes-on-bgsave-error", 0, &Config::stop_writes_on_bgsave_error),
      Bool("rdb-save-incremental-fsync", 0, &Config::rdb_save_incremental_fsync),
      Bool("rdb-del-sync-files", 0, &Config::rdb_del_sync_files),
      Enum("enable-debug-command", kDirImmutable, kDebugCommand, &Config::enable_debug_command),
      String("appendfilename", kDirImmutable, &Config::appendfilename),
      String("appenddirname", kDirImmutable, &Config::appenddirname),
      Bool("aof-use-rdb-preamble", 0, &Config::aof_use_rdb_preamble),
      Int("auto-aof-rewrite-percentage", 0, 0, kIntMax, &Config::auto_aof_rewrite_percentage),
      Memory("auto-aof-rewrite-min-size", 0, 0, kLLMax, &Config::auto_aof_rewrite_min_size),
      Bool("aof-load-truncated", 0, &Config::aof_load_truncated),
      Bool("aof-timestamp-enabled", 0, &Config::aof_timestamp_enabled),
      Bool("aof-rewrite-incremental-fsync", 0, &Config::aof_rewrite_incremental_fsync),
      Bool("no-appendfsync-on-rewrite", 0, &Config::no_appendfsync_on_rewrite),
  };
}

const Directive* ConfigTable::Find(std::string_view name) const {
  for (const auto& d : rows_) {
    if (EqualsNoCase(d.name, name) || (!d.alias.empty() && EqualsNoCase(d.alias, name))) {
      return &d;
    }
  }
  return nullptr;
}

std::optional<std::string> ConfigTable::Apply(const Directive& d, Config& cfg,
                                              std::span<const std::string_view> args,
                                              LoadState* load) const {
  std::optional<std::string> err;
  if (d.type == DirectiveType::kSpecial) {
    // A multi-argument directive given as one argument ("--bind '127.0.0.1 -::1'" on the
    // command line, a quoted value in a file) is split on spaces, as Redis 7 does.
    std::vector<std::string_view> split;
    if ((d.flags & kDirMultiArg) && args.size() == 1) {
      split = SplitSpaces(args[0]);
      args = split;
    }
    err = d.parse(cfg, args, load);
  } else if (args.size() != 1) {
    err = "wrong number of arguments";
  } else {
    std::string_view v = args[0];
    switch (d.type) {
      case DirectiveType::kBool:
        if (EqualsNoCase(v, "yes")) {
          cfg.*d.bool_field = true;
        } else if (EqualsNoCase(v, "no")) {
          cfg.*d.bool_field = false;
        } else {
          err = "argument must be 'yes' or 'no'";
        }
        break;
      case DirectiveType::kInt:
      case DirectiveType::kMemory: {
        std::optional<int64_t> n;
        if (d.type == DirectiveType::kMemory) {
          // Redis reads memory values as unsigned: a sign (even "-0") is not a memory value.
          if (!v.empty() && v[0] != '-') n = ParseMemory(v);
          if (!n) {
            err = "argument must be a memory value";
            break;
          }
        } else if (d.flags & kDirOctal) {
          int64_t acc = 0;
          bool ok = !v.empty() && v.size() <= 12;
          for (char c : v) {
            if (c < '0' || c > '7') ok = false;
            acc = acc * 8 + (c - '0');
          }
          if (ok) n = acc;
        } else {
          n = ParseInt64(v);
        }
        if (!n) {
          err = "argument couldn't be parsed into an integer";
          break;
        }
        if (*n < d.min || *n > d.max) {
          err = RangeError(d.min, d.max);
          break;
        }
        if (d.int_field != nullptr) {
          cfg.*d.int_field = static_cast<int>(std::min<int64_t>(*n, INT_MAX));
        } else {
          cfg.*d.i64_field = *n;
        }
        break;
      }
      case DirectiveType::kEnum: {
        bool found = false;
        for (auto c : d.choices) {
          if (EqualsNoCase(c, v)) {
            cfg.*d.str_field = std::string(c);
            found = true;
          }
        }
        if (!found) {
          std::string list;
          for (auto c : d.choices) {
            if (!list.empty()) list += ", ";
            list += c;
          }
          err = "argument(s) must be one of the following: " + list;
        }
        break;
      }
      case DirectiveType::kString:
        cfg.*d.str_field = std::string(v);
        break;
      case DirectiveType::kSpecial:
        break;
    }
  }
  if (!err) {
    // Redis clamps hz into [1, 500] rather than refusing.
    if (d.int_field == &Config::hz) cfg.hz = std::clamp(cfg.hz, 1, 500);
    if (load != nullptr) load->seen.insert(std::string(d.name));
  }
  return err;
}

std::vector<std::string> ConfigTable::FormatArgs(const Directive& d, const Config& cfg) const {
  switch (d.type) {
    case DirectiveType::kBool:
      return {cfg.*d.bool_field ? "yes" : "no"};
    case DirectiveType::kInt:
      if (d.flags & kDirOctal) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%o", static_cast<unsigned>(cfg.*d.int_field));
        return {buf};
      }
      if (d.int_field == nullptr) return {std::to_string(cfg.*d.i64_field)};
      return {std::to_string(cfg.*d.int_field)};
    case DirectiveType::kMemory:
      return {std::to_string(cfg.*d.i64_field)};
    case DirectiveType::kEnum:
    case DirectiveType::kString:
      return {cfg.*d.str_field};
    case DirectiveType::kSpecial:
      return d.format(cfg);
  }
  return {};
}

std::string ConfigTable::FormatValue(const Directive& d, const Config& cfg) const {
  std::string out;
  for (const auto& a : FormatArgs(d, cfg)) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigTable::Get(
    const Config& cfg, const std::vector<std::string_view>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> added;
  for (auto pattern : patterns) {
    // A plain name is looked up directly and answered with the name as typed, as Redis.
    if (pattern.find_first_of("[*?") == std::string_view::npos) {
      const Directive* d = Find(pattern);
      if (d != nullptr && added.insert(std::string(pattern)).second) {
        out.emplace_back(std::string(pattern), FormatValue(*d, cfg));
      }
      continue;
    }
    for (const auto& d : rows_) {
      if (d.flags & kDirHidden) continue;  // exact names only, as Redis's HIDDEN_CONFIG
      for (std::string_view name : {d.name, d.alias}) {
        if (name.empty() || !GlobMatch(pattern, name, /*nocase=*/true)) continue;
        if (!added.insert(std::string(name)).second) continue;
        out.emplace_back(std::string(name), FormatValue(d, cfg));
      }
    }
  }
  return out;
}

std::optional<std::string> ConfigTable::Set(
    Config& cfg, const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
    const ApplyHook& hook, bool loading) const {
  auto failed = [](std::string_view name, std::string_view why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
           std::string(why);
  };
  // Validate names and flags first, as Redis: nothing changes if any pair is refused.
  // While loading, a directive that must not change then (kDirDenyLoading) makes the
  // answer -LOADING, whatever else goes wrong after it in the list and whatever its value
  // (Redis 7.0 checks it before the value, and gives it precedence over the errors of
  // the names that follow it).
  std::vector<const Directive*> rows;
  std::set<const Directive*> seen;
  bool deny_loading = false;
  auto refuse = [&deny_loading](std::string error) {
    return deny_loading ? std::string("LOADING Redis is loading the dataset in memory") : error;
  };
  for (const auto& [name, value] : pairs) {
    const Directive* d = Find(name);
    if (d == nullptr) {
      return refuse("ERR Unknown option or number of arguments for CONFIG SET - '" +
                    std::string(name) + "'");
    }
    if (d->flags & kDirImmutable) return refuse(failed(name, "can't set immutable config"));
    if (d->flags & kDirProtected) return refuse(failed(name, "can't set protected config"));
    if (loading && (d->flags & kDirDenyLoading)) {
      deny_loading = true;
      continue;
    }
    if (!seen.insert(d).second) return refuse(failed(name, "duplicate parameter"));
    rows.push_back(d);
  }
  if (deny_loading) return refuse({});
  Config next = cfg;
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::vector<std::string_view> args;
    if (rows[i]->flags & kDirMultiArg) {
      args = SplitSpaces(pairs[i].second);
    } else {
      args.push_back(pairs[i].second);
    }
    if (auto err = Apply(*rows[i], next, args, nullptr)) return failed(pairs[i].first, *err);
  }
  if (hook) {
    if (auto err = hook(cfg, next)) return err;
  }
  cfg = std::move(next);
  return std::nullopt;
}

std::optional<std::string> ConfigTable::Rewrite(const Config& cfg, const std::string& path,
                                                const std::vector<std::string>* users) const {
  if (path.empty()) return "ERR The server is running without a config file";
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    if (!in && access(path.c_str(), F_OK) == 0) {
      return "ERR Rewriting config file: " + std::string(std::strerror(errno));
    }
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
  }
  const Config defaults;
  auto line_for = [&](const Directive& d) {
    std::string out(d.name);
    for (const auto& a : FormatArgs(d, cfg)) {
      out += ' ';
      out += (d.type == DirectiveType::kMemory) ? FormatMemoryForFile(cfg.*d.i64_field)
                                                : QuoteConfigArg(a);
    }
    return out;
  };
  std::set<const Directive*> done;
  std::vector<std::string> out;
  // Users go out only without an ACL file (which holds them then); next_user counts the
  // ones already written in place of an old `user` line.
  const std::vector<std::string> no_users;
  const std::vector<std::string>& user_lines =
      users != nullptr && cfg.aclfile.empty() ? *users : no_users;
  size_t next_user = 0;
  bool has_header = false;
  for (const auto& line : lines) {
    auto args = SplitConfigArgs(line);
    std::string_view trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
      trimmed.remove_prefix(1);
    }
    if (trimmed == kRewriteHeader) has_header = true;
    const bool directive = args && !args->empty() && !trimmed.starts_with("#");
    if (users != nullptr && directive && EqualsNoCase((*args)[0], "user")) {
      if (next_user < user_lines.size()) out.push_back(user_lines[next_user++]);
      continue;
    }
    const Directive* d = nullptr;
    if (directive) d = Find((*args)[0]);
    if (d == nullptr) {
      out.push_back(line);  // comments, blank lines, include, unknown: kept verbatim
      continue;
    }
    if (!done.insert(d).second) continue;
    // A line that already holds the current value stays as written (units, quotes,
    // class names), so a rewrite changes only what changed.
    Config scratch = cfg;
    std::vector<std::string_view> values(args->begin() + 1, args->end());
    LoadState state;
    bool same = !values.empty() && !Apply(*d, scratch, values, &state) &&
                FormatArgs(*d, scratch) == FormatArgs(*d, cfg);
    out.push_back(same ? line : line_for(*d));
    // a later duplicate is dropped: its value is already on the first line
  }
  // The lines with no place in the file go after it, under one header (the one an
  // earlier rewrite left serves, as in Redis).
  bool header = has_header;
  auto append = [&](std::string line) {
    if (!header) {
      out.emplace_back(kRewriteHeader);
      header = true;
    }
    out.push_back(std::move(line));
  };
  for (const auto& d : rows_) {
    if (done.count(&d)) continue;
    if (FormatArgs(d, cfg) == FormatArgs(d, defaults)) continue;
    if (d.name == "dir") continue;  // dir is resolved to an absolute path at startup
    append(line_for(d));
  }
  // Redis writes the users after every setting.
  for (; next_user < user_lines.size(); ++next_user) append(user_lines[next_user]);
  // Write a temporary file next to the original and rename it over, so a crash never
  // leaves a half-written config.
  std::string tmp = path + ".tmp-rewrite";
  {
    std::ofstream o(tmp, std::ios::trunc);
    if (!o) return "ERR Rewriting config file: " + std::string(std::strerror(errno));
    for (const auto& l : out) o << l << '\n';
    o.flush();
    if (!o) {
      std::remove(tmp.c_str());
      return "ERR Rewriting config file: write failed";
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    return "ERR Rewriting config file: " + std::string(std::strerror(e));
  }
  return std::nullopt;
}

}  // namespace gannet
