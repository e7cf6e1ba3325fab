// The server's settings as plain data. Every module reads the values it needs from here;
// the directive table that parses, validates, lists and rewrites them lives in
// src/server/config_table.cc (one row per directive, pointing into this struct).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gannet {

enum class LogLevel : uint8_t { kDebug, kVerbose, kNotice, kWarning };

struct Config {
  // Network
  std::vector<std::string> bind = {"127.0.0.1", "::1"};
  int port = 6379;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;       // seconds; 0 = off
  int timeout = 0;               // idle seconds before a client is closed; 0 = never
  int maxclients = 10000;
  bool protected_mode = true;
  std::string unixsocket;        // "" = none
  int unixsocketperm = 0;        // octal permissions; 0 = leave as created

  // General
  int databases = 16;
  int hz = 10;
  bool dynamic_hz = true;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;           // "" = stdout
  std::string pidfile;
  bool daemonize = false;        // accepted for redis.conf compatibility; we never fork away
  std::string dir = ".";
  std::string requirepass;       // password of the default user; "" = none
  int active_expire_effort = 1;  // 1..10, as Redis

  // Limits
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  // Hard cap on a normal client's pending output; the full client-output-buffer-limit
  // classes come with pub/sub. 0 = no limit.
  int64_t client_output_buffer_hard_limit = 0;

  // Memory (eviction itself comes with the memory issue)
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;

  // Files the running server was started with (for CONFIG REWRITE and logging).
  std::string config_file;
};

}  // namespace gannet
