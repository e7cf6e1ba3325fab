// The server's settings as plain data. Every module reads the values it needs from here;
// the directive table that parses, validates, lists and rewrites them lives in
// src/server/config_table.cc (one row per directive, pointing into this struct).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gannet {

enum class LogLevel : uint8_t { kDebug, kVerbose, kNotice, kWarning };

// One class of client-output-buffer-limit: close at `hard` bytes, or after staying above
// `soft` bytes for `soft_seconds`. 0 disables a limit.
struct OutputBufferLimit {
  int64_t hard = 0;
  int64_t soft = 0;
  int64_t soft_seconds = 0;
  bool operator==(const OutputBufferLimit&) const = default;
};

enum OutputBufferClass : size_t { kObufNormal = 0, kObufReplica = 1, kObufPubSub = 2 };

struct Config {
  // Network. A bind address starting with '-' may fail to bind without stopping startup.
  std::vector<std::string> bind = {"127.0.0.1", "-::1"};
  int port = 6379;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;  // seconds; 0 = off
  int timeout = 0;          // idle seconds before a client is closed; 0 = never
  int maxclients = 10000;
  bool protected_mode = true;
  std::string unixsocket;  // "" = none
  int unixsocketperm = 0;  // octal permissions; 0 = leave as created

  // General
  int databases = 16;
  int hz = 10;
  bool dynamic_hz = true;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // "" = stdout
  std::string pidfile;
  bool daemonize = false;  // accepted for redis.conf compatibility; we never fork away
  std::string dir = ".";
  std::string requirepass;       // password of the default user; "" = none
  int active_expire_effort = 1;  // 1..10, as Redis

  // ACL users (include/gannet/commands/acl.h): `user` lines of the config file, as
  // written after the word "user", or an ACL file (not both, as Redis).
  std::vector<std::string> acl_users;
  std::string aclfile;
  int64_t acllog_max_len = 128;
  // What a new user or selector starts with: "resetchannels" (no channel) or "allchannels".
  std::string acl_pubsub_default = "resetchannels";
  // rename-command old new ("" disables the command), applied at startup.
  std::vector<std::pair<std::string, std::string>> renamed_commands;

  // Prometheus endpoint (src/server/metrics.cc): off while metrics_port is 0.
  int metrics_port = 0;
  std::string metrics_bind = "127.0.0.1";

  // TLS (src/server/tls_context.cc): a second listener on tls_port (0 = off) on the same
  // bind addresses, with Redis 7.0's directives and defaults. "" strings mean unset;
  // tls_protocols "" means TLSv1.2 and TLSv1.3. tls_auth_clients is yes, no or optional
  // (a client certificate is required, ignored, or checked when sent).
  int tls_port = 0;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  std::string tls_dh_params_file;
  std::string tls_auth_clients = "yes";
  std::string tls_protocols;
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int tls_session_cache_size = 20 * 1024;
  int tls_session_cache_timeout = 300;  // seconds
  // Redis's directives for outgoing TLS (replication links, the cluster bus, a client
  // certificate for them), accepted so a redis.conf loads as it is. A standalone Gannet
  // opens no outgoing connections; tls-replication/tls-cluster only make the tls-* files
  // required, as in Redis (TlsInUse in src/server/tls_context.h).
  bool tls_replication = false;
  bool tls_cluster = false;
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;

  // Limits
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  // client-output-buffer-limit classes (normal, replica, pubsub) with Redis's defaults.
  // A subscribed client is held to the pubsub class, every other to normal (there are no
  // replicas); connections also stop reading from a client whose output does not drain.
  std::array<OutputBufferLimit, 3> client_output_limits = {
      OutputBufferLimit{0, 0, 0}, OutputBufferLimit{256LL * 1024 * 1024, 64LL * 1024 * 1024, 60},
      OutputBufferLimit{32LL * 1024 * 1024, 8LL * 1024 * 1024, 60}};

  // Memory: maxmemory and eviction (src/engine/eviction.h)
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;  // 0..100: time budget of one eviction round
  // maxmemory-clients: the clients' buffers together may not exceed this (the biggest
  // clients are closed; src/server/client_memory.h). 0: off; > 0: bytes; < 0: that
  // percentage of maxmemory (stored negated, as Redis: "5%" is -5).
  int64_t maxmemory_clients = 0;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes
  // Free large values on the lazy-free thread (src/engine/lazyfree.h) when evicting,
  // expiring, deleting as a side effect (RENAME over a key ...), on DEL, and on
  // FLUSHALL/FLUSHDB without SYNC/ASYNC.
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;

  // Compact encodings: small collections stay in one contiguous block until they pass
  // these thresholds, then convert to full structures (Redis's names and defaults).
  int64_t hash_max_listpack_entries = 512;  // what redis-server 7.0.15 reports
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int list_max_listpack_size = -2;  // >0: entries per node; -1..-5: 4kb..64kb per node
  int list_compress_depth = 0;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  int64_t hll_sparse_max_bytes = 3000;

  // Persistence settings. save: pairs of (seconds, changes); empty = no snapshots. The
  // default is Redis 7.0's built-in one ("3600 1 300 100 60 10000"), used when neither
  // the config file nor the command line says otherwise.
  std::vector<std::pair<int64_t, int64_t>> save = {{3600, 1}, {300, 100}, {60, 10000}};
  bool appendonly = false;
  std::string appendfsync = "everysec";
  std::string dbfilename = "dump.rdb";
  std::string appendfilename = "appendonly.aof";
  // AOF (src/server/aof_service.cc): the multi-part directory, the base file's format,
  // automatic rewrites, loading and annotation settings, with Redis 7.0's defaults.
  std::string appenddirname = "appendonlydir";
  bool aof_use_rdb_preamble = true;
  int auto_aof_rewrite_percentage = 100;  // 0 disables automatic rewrites
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_load_truncated = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;  // the rewrite child fsyncs every 4 MB
  bool no_appendfsync_on_rewrite = false;     // no fsync while a child process runs
  // Snapshots (src/persistence/snapshot.cc): LZF-compress strings, write the CRC64
  // trailer (and verify it on load), refuse writes with -MISCONF after a failed background
  // save while save points are set, fsync every 4 MB while writing, and (replication only,
  // stored for redis.conf compatibility) delete sync files without persistence.
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  // key-load-delay (hidden, for tests, as Redis): microseconds slept per key while an RDB
  // loads; negative -N sleeps 1 us once every N keys on average.
  int key_load_delay = 0;
  bool rdb_save_incremental_fsync = true;
  bool rdb_del_sync_files = false;
  // DEBUG (only RELOAD exists): "no", "yes" or "local" (loopback and unix-socket clients).
  std::string enable_debug_command = "no";

  // notify-keyspace-events: NotifyClass bits plus the K/E channel bits
  // (engine/keyspace_notifier.h); 0 = no notifications (Redis's default "").
  uint32_t notify_keyspace_events = 0;

  // Introspection (src/commands/introspection.cc): SLOWLOG threshold in microseconds (-1
  // off, 0 every command) and length, the LATENCY monitor threshold in milliseconds (0
  // off), and the per-command latency histograms behind INFO latencystats.
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};

  // Client-side caching (src/commands/tracking.cc): most keys the invalidation table
  // remembers; beyond it keys are invalidated early (0: no limit).
  int64_t tracking_table_max_keys = 1000000;

  // Files the running server was started with (for CONFIG REWRITE and logging).
  std::string config_file;
};

}  // namespace gannet
