// The server-wide state behind SLOWLOG, LATENCY, INFO commandstats/errorstats/latencystats,
// MONITOR and CLIENT PAUSE. The Dispatcher owns one (ctx.dispatcher->introspection()); the
// dispatcher feeds it after every command (AfterCommand in src/commands/command_gates.h)
// and INFO and the connections read it.
//
// The hot path (a GET) pays for: one histogram increment (latency-tracking), two integer
// comparisons (slowlog and latency monitor thresholds) and an empty() test (MONITOR).
// Everything else happens only when a threshold is crossed or someone monitors.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

class CommandTable;

// Per-command latency histogram with the bucket layout of the HdrHistogram Redis uses for
// latencystats (lowest value 1, highest 1e9, two significant digits: 256 sub-buckets, 23
// buckets), so percentiles and LATENCY HISTOGRAM report the same numbers as Redis. Values
// are nanoseconds, clamped to [1, 1e9]. A POD allocated with calloc: recording never calls
// operator new (the hot-path allocation test counts those).
struct LatencyHistogram {
  static constexpr int64_t kMinValue = 1;
  static constexpr int64_t kMaxValue = 1'000'000'000;
  static constexpr size_t kCounts = (23 + 1) * 128;

  static size_t Index(int64_t v) {
    const int bucket = 64 - __builtin_clzll(static_cast<uint64_t>(v) | 255u) - 8;
    return (static_cast<size_t>(bucket + 1) << 7) + static_cast<size_t>(v >> bucket) - 128;
  }
  void Record(int64_t ns) {
    if (ns < kMinValue) ns = kMinValue;
    if (ns > kMaxValue) ns = kMaxValue;
    ++counts[Index(ns)];
    ++total;
  }
  // hdr_value_at_percentile: the highest value equivalent to the one at the percentile
  // (the lowest for percentile 0).
  int64_t ValueAtPercentile(double percentile) const;
  // LATENCY HISTOGRAM: (usec, cumulative count) at 1024 ns * 2^k, for the levels where the
  // cumulative count grows.
  std::vector<std::pair<int64_t, uint64_t>> CumulativeDistribution() const;

  const CommandSpec* spec;  // the row this histogram belongs to
  LatencyHistogram* next;   // Introspection's list of histograms
  uint64_t total;
  std::array<uint64_t, kCounts> counts;
};

struct SlowlogEntry {
  int64_t id;
  int64_t unix_time;
  int64_t duration_us;
  std::vector<std::string> args;  // trimmed and redacted
  std::string peer;               // addr:port
  std::string client_name;
};

// One LATENCY event's time series: the worst latency per second, the last 160 seconds
// that had one, and the all-time maximum.
struct LatencySeries {
  static constexpr size_t kLen = 160;
  struct Sample {
    int64_t time = 0;  // unix seconds; 0: unused slot
    int64_t latency_ms = 0;
  };
  std::array<Sample, kLen> samples{};
  size_t idx = 0;
  int64_t max_ms = 0;
};

class Introspection {
 public:
  explicit Introspection(const CommandTable* table = nullptr) : table_(table) {}
  ~Introspection();
  Introspection(const Introspection&) = delete;
  Introspection& operator=(const Introspection&) = delete;

  // After a command ran (not rejected, not blocked): latencystats, SLOWLOG, LATENCY and
  // MONITOR. A blocked command's re-run reaches here too, but is not fed to monitors
  // again (OnCommandBlocked fed them when it blocked).
  void AfterCommand(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us) {
    const Config& cfg = ctx.config();
    if (cfg.latency_tracking) RecordLatency(spec, duration_us);
    if (cfg.slowlog_log_slower_than >= 0 && duration_us >= cfg.slowlog_log_slower_than &&
        !(spec.flags & kCmdSkipSlowlog)) {
      PushSlowlog(spec, ctx, duration_us);
    }
    if (cfg.latency_monitor_threshold > 0 && duration_us / 1000 >= cfg.latency_monitor_threshold) {
      AddLatencySample((spec.flags & kCmdFast) ? "fast-command" : "command", duration_us / 1000,
                       ctx.now_ms / 1000);
    }
    if (!monitors_.empty() && !ctx.rerun) FeedMonitors(spec, ctx);
  }
  // A command blocked (BLPOP on an empty list). Redis 7.0 counts its call (calls, usec,
  // total_commands_processed: the dispatcher does that) and a LATENCY sample for its first
  // run at once, and shows it to monitors; latencystats and SLOWLOG wait for its end
  // (OnUnblocked). A wait that ends by its timeout records nothing more.
  void OnCommandBlocked(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us = 0) {
    const int64_t threshold = ctx.config().latency_monitor_threshold;
    if (threshold > 0 && duration_us / 1000 >= threshold) {
      AddLatencySample((spec.flags & kCmdFast) ? "fast-command" : "command", duration_us / 1000,
                       ctx.now_ms / 1000);
    }
    if (!monitors_.empty()) FeedMonitors(spec, ctx);
  }
  // A blocked command ended by being served (its re-run replied; reply_us is that re-run's
  // time) or by CLIENT UNBLOCK (reply_us 0), as Redis 7.0's updateStatsOnUnblock: usec
  // grows by first_run_us + reply_us (the first run is counted twice, as in Redis),
  // failed_calls by one if `failed`, the latency histogram and SLOWLOG get that total with
  // `shown` as the arguments (the command as sent; CLIENT UNBLOCK passes none, as Redis
  // logs an entry without arguments then), and LATENCY's "command-unblocking" event gets
  // reply_us. calls is not counted again.
  void OnUnblocked(const CommandSpec& spec, const ClientView& client, const Config& cfg,
                   CmdArgs shown, int64_t now_ms, int64_t first_run_us, int64_t reply_us,
                   bool failed);

  // ---- latencystats ----
  void RecordLatency(const CommandSpec& spec, int64_t duration_us) {
    LatencyHistogram* h = spec.stats.latency;
    if (h == nullptr && (h = NewHistogram(spec)) == nullptr) return;
    h->Record(duration_us * 1000);
  }
  const LatencyHistogram* histogram(const CommandSpec& spec) const { return spec.stats.latency; }
  // INFO latencystats lines for every command with a histogram.
  std::string LatencyStatsInfo(const CommandTable& table, const std::vector<double>& percentiles);

  // ---- errorstats (every error reply, by its first word) ----
  void CountError(std::string_view code, uint64_t n = 1);
  std::string ErrorStatsInfo() const;
  const std::map<std::string, uint64_t, std::less<>>& error_counts() const { return errors_; }
  // CONFIG RESETSTAT: error counts and latency histograms.
  void ResetStats();

  // ---- SLOWLOG ----
  void PushSlowlog(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us);
  // The same for a command that is not the one running (a blocked client's).
  void PushSlowlog(const CommandSpec& spec, const ClientView& client, CmdArgs args, int64_t now_ms,
                   int64_t max_len, int64_t duration_us);
  const std::deque<SlowlogEntry>& slowlog() const { return slowlog_; }  // newest first
  void ResetSlowlog() { slowlog_.clear(); }
  void TrimSlowlog(size_t max_len) {
    while (slowlog_.size() > max_len) slowlog_.pop_back();
  }

  // ---- LATENCY ----
  void AddLatencySample(std::string_view event, int64_t latency_ms, int64_t now_s);
  const std::map<std::string, LatencySeries, std::less<>>& latency_events() const {
    return events_;
  }
  // Resets one event (case-insensitive) or, with an empty name, all; returns how many.
  size_t ResetLatency(std::string_view event);

  // ---- MONITOR ----
  void AddMonitor(ClientView& client);
  void RemoveMonitor(ClientView& client);
  size_t monitor_count() const { return monitors_.size(); }
  void FeedMonitors(const CommandSpec& spec, CommandContext& ctx);

  // ---- CLIENT PAUSE ----
  // Pauses until end_ms (only extended, never shortened, as Redis); `all` pauses every
  // command, otherwise writes only (and only escalates to all until unpaused).
  void Pause(int64_t end_ms, bool all);
  void Unpause();
  // The connections call this before each command: true while `spec` must wait.
  bool MustWait(const CommandSpec& spec, const ClientView& client, int64_t now_ms) const {
    if (pause_end_ms_ == 0 || now_ms >= pause_end_ms_) return false;
    if (client.session().monitor) return false;  // replicas (monitors) are never paused
    if (pause_all_) return true;
    if (MayReplicate(spec)) return true;
    // EXEC of a transaction holding writes.
    return spec.name == "exec" && client.session().in_multi && QueuedWrites(client);
  }
  // Writes, and the commands Redis 7.0 flags may_replicate internally without showing the
  // flag in COMMAND INFO (PUBLISH and SPUBLISH here): what CLIENT PAUSE WRITE holds back.
  static bool MayReplicate(const CommandSpec& spec) {
    return (spec.flags & (kCmdWrite | kCmdMayReplicate)) || spec.name == "publish" ||
           spec.name == "spublish";
  }
  int64_t pause_end_ms() const { return pause_end_ms_; }
  bool pause_all() const { return pause_all_; }
  // Called when a pause ends early (CLIENT UNPAUSE): the server resumes waiting clients.
  void set_unpause_hook(std::function<void()> hook) { unpause_hook_ = std::move(hook); }

 private:
  LatencyHistogram* NewHistogram(const CommandSpec& spec);
  void FreeHistograms();
  bool QueuedWrites(const ClientView& client) const;

  LatencyHistogram* histograms_ = nullptr;
  std::map<std::string, uint64_t, std::less<>> errors_;
  std::deque<SlowlogEntry> slowlog_;
  int64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencySeries, std::less<>> events_;
  std::vector<ClientView*> monitors_;
  int64_t pause_end_ms_ = 0;
  bool pause_all_ = false;
  std::function<void()> unpause_hook_;
  const CommandTable* table_ = nullptr;
};

class Dispatcher;

// A malformed request (RESP protocol error) answered outside the dispatcher: counted in
// total_error_replies and INFO errorstats under `code` (the reply's first word, "ERR"),
// as Redis 7.0 counts every error reply.
void CountProtocolError(Dispatcher& dispatcher, std::string_view code);

// INFO clients_in_timeout_table: blocked clients waiting with a timeout (a BLPOP with
// timeout 0 waits forever and is not counted, as in Redis).
size_t ClientsInTimeoutTable(Dispatcher& dispatcher);

// The words of a command as SLOWLOG and MONITOR show them: credentials replaced by
// "(redacted)" (AUTH, HELLO ... AUTH, CONFIG SET of a password), as Redis does.
std::vector<std::string_view> RedactedArgs(const CommandSpec& spec, CmdArgs args);

// "addr:port" -> Redis's sdscatrepr quoting of one argument, appended to out.
void AppendRepr(std::string& out, std::string_view s);

}  // namespace gannet
