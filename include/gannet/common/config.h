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

  // Limits
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  // client-output-buffer-limit classes (normal, replica, pubsub) with Redis's defaults.
  // Only the normal class is enforced so far (connections also stop reading from a
  // client whose output does not drain, so a normal client cannot grow without bound).
  std::array<OutputBufferLimit, 3> client_output_limits = {
      OutputBufferLimit{0, 0, 0}, OutputBufferLimit{256LL * 1024 * 1024, 64LL * 1024 * 1024, 60},
      OutputBufferLimit{32LL * 1024 * 1024, 8LL * 1024 * 1024, 60}};

  // Memory (eviction itself comes with the memory issue)
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;

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

  // Persistence settings, stored (and listed by CONFIG GET for clients and tools) ahead
  // of the persistence issue; nothing is saved yet and the server warns at startup when
  // they ask for it. Pairs of (seconds, changes); empty = no snapshots.
  std::vector<std::pair<int64_t, int64_t>> save;
  bool appendonly = false;
  std::string appendfsync = "everysec";
  std::string dbfilename = "dump.rdb";
  std::string appendfilename = "appendonly.aof";

  // Files the running server was started with (for CONFIG REWRITE and logging).
  std::string config_file;
};

}  // namespace gannet
