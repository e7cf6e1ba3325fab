// Introspection: what runs after every command (latency histograms, SLOWLOG, LATENCY
// events, MONITOR lines), error counting, and the CLIENT PAUSE state. The cheap checks are
// inline in include/gannet/commands/introspection.h; this file holds the slow paths.
#include "introspection.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "arg_parser.h"
#include "blocking.h"
#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/numbers.h"
#include "gannet/common/quoting.h"

namespace gannet {
namespace {

// SLOWLOG keeps at most this many arguments of a command (the last slot then says how
// many were left out) and this many bytes of each argument.
constexpr size_t kSlowlogMaxArgc = 32;
constexpr size_t kSlowlogMaxString = 128;
constexpr std::string_view kRedacted = "(redacted)";

bool IsSensitiveConfig(std::string_view name) {
  return EqualsNoCase(name, "requirepass") || EqualsNoCase(name, "masterauth") ||
         EqualsNoCase(name, "masteruser");
}

// The value of a histogram index: sub-bucket << bucket.
int64_t ValueFromIndex(size_t i) {
  if (i < 128) return static_cast<int64_t>(i);
  const size_t bucket = (i >> 7) - 1;
  const size_t sub = (i & 127) + 128;
  return static_cast<int64_t>(sub << bucket);
}

int BucketOf(int64_t v) { return 64 - __builtin_clzll(static_cast<uint64_t>(v) | 255u) - 8; }

int64_t LowestEquivalent(int64_t v) {
  const int b = BucketOf(v);
  return (v >> b) << b;
}

int64_t HighestEquivalent(int64_t v) {
  const int b = BucketOf(v);
  return LowestEquivalent(v) + (int64_t{1} << b) - 1;
}

// "%f" without trailing zeros (and without the dot when nothing follows it), as Redis
// prints the latencystats percentile names.
std::string TrimmedDouble(double d) {
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%f", d);
  std::string s(buf, static_cast<size_t>(std::max(n, 0)));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace

// ---- LatencyHistogram ----

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double p = percentile < 100.0 ? percentile : 100.0;
  auto wanted = static_cast<uint64_t>((p / 100.0) * static_cast<double>(total) + 0.5);
  if (wanted == 0) wanted = 1;
  uint64_t seen = 0;
  int64_t value = 0;
  for (size_t i = 0; i < kCounts; ++i) {
    seen += counts[i];
    if (seen >= wanted) {
      value = ValueFromIndex(i);
      break;
    }
  }
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::CumulativeDistribution() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t cumulative = 0, previous = 0;
  size_t next = 0;  // first index not yet summed
  for (int64_t level = 1024; previous < total && level <= (int64_t{1} << 40); level *= 2) {
    const size_t upto = Index(std::min(level, kMaxValue));
    for (; next <= upto && next < kCounts; ++next) cumulative += counts[next];
    if (cumulative > previous) out.emplace_back(HighestEquivalent(level) / 1000, cumulative);
    previous = cumulative;
  }
  return out;
}

// ---- Introspection: latencystats and errorstats ----

Introspection::~Introspection() { FreeHistograms(); }

LatencyHistogram* Introspection::NewHistogram(const CommandSpec& spec) {
  auto* h = static_cast<LatencyHistogram*>(std::calloc(1, sizeof(LatencyHistogram)));
  if (h == nullptr) return nullptr;
  h->spec = &spec;
  h->next = histograms_;
  histograms_ = h;
  spec.stats.latency = h;
  return h;
}

void Introspection::FreeHistograms() {
  while (histograms_ != nullptr) {
    LatencyHistogram* next = histograms_->next;
    // The row may have been reset (CONFIG RESETSTAT) and pointed to another histogram.
    if (histograms_->spec->stats.latency == histograms_) histograms_->spec->stats.latency = nullptr;
    std::free(histograms_);
    histograms_ = next;
  }
}

void Introspection::ResetStats() {
  FreeHistograms();
  errors_.clear();
}

std::string Introspection::LatencyStatsInfo(const CommandTable& table,
                                            const std::vector<double>& percentiles) {
  std::string out;
  auto one = [&](const CommandSpec& spec) {
    const LatencyHistogram* h = spec.stats.latency;
    if (h == nullptr) return;
    out += "latency_percentiles_usec_";
    out += spec.name;
    out += ':';
    for (size_t i = 0; i < percentiles.size(); ++i) {
      if (i > 0) out += ',';
      char buf[64];
      std::snprintf(buf, sizeof(buf), "=%.3f",
                    static_cast<double>(h->ValueAtPercentile(percentiles[i])) / 1000.0);
      out += 'p';
      out += TrimmedDouble(percentiles[i]);
      out += buf;
    }
    out += "\r\n";
  };
  for (const CommandSpec& spec : table.commands()) {
    one(spec);
    for (const CommandSpec& sub : spec.subcommands) one(sub);
  }
  return out;
}

void Introspection::CountError(std::string_view code, uint64_t n) {
  if (n == 0) return;
  auto it = errors_.find(code);
  if (it == errors_.end()) it = errors_.emplace(std::string(code), 0).first;
  it->second += n;
}

std::string Introspection::ErrorStatsInfo() const {
  std::string out;
  for (const auto& [code, count] : errors_) {
    out += "errorstat_";
    out += code;
    out += ":count=";
    out += std::to_string(count);
    out += "\r\n";
  }
  return out;
}

// ---- SLOWLOG ----

std::vector<std::string_view> RedactedArgs(const CommandSpec& spec, CmdArgs args) {
  std::vector<std::string_view> out(args.begin(), args.end());
  if (spec.name == "auth") {
    // AUTH with more than two arguments is refused before anything is redacted.
    if (out.size() <= 3) {
      for (size_t i = 1; i < out.size(); ++i) out[i] = kRedacted;
    }
  } else if (spec.name == "hello") {
    // As HELLO parses: the credentials of each AUTH option met before a syntax error.
    if (out.size() >= 2) {
      auto ver = ParseInt64(out[1]);
      if (!ver || *ver < 2 || *ver > 3) return out;
    }
    for (size_t j = 2; j < out.size(); ++j) {
      const size_t more = out.size() - 1 - j;
      if (EqualsNoCase(out[j], "AUTH") && more >= 2) {
        out[j + 1] = out[j + 2] = kRedacted;
        j += 2;
      } else if (EqualsNoCase(out[j], "SETNAME") && more >= 1) {
        ++j;
      } else {
        break;
      }
    }
  } else if (spec.name == "config|set") {
    for (size_t j = 2; j + 1 < out.size(); j += 2) {
      if (IsSensitiveConfig(out[j])) out[j + 1] = kRedacted;
    }
  }
  return out;
}

void Introspection::PushSlowlog(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us) {
  PushSlowlog(spec, ctx.client, ctx.args, ctx.now_ms, ctx.config().slowlog_max_len, duration_us);
}

void Introspection::PushSlowlog(const CommandSpec& spec, const ClientView& client, CmdArgs raw_args,
                                int64_t now_ms, int64_t max_len, int64_t duration_us) {
  const std::vector<std::string_view> args = RedactedArgs(spec, raw_args);
  SlowlogEntry e;
  e.id = next_slowlog_id_++;
  e.unix_time = now_ms / 1000;
  e.duration_us = duration_us;
  const size_t argc = std::min(args.size(), kSlowlogMaxArgc);
  e.args.reserve(argc);
  for (size_t j = 0; j < argc; ++j) {
    if (argc != args.size() && j == argc - 1) {
      e.args.push_back("... (" + std::to_string(args.size() - argc + 1) + " more arguments)");
    } else if (args[j].size() > kSlowlogMaxString) {
      std::string s(args[j].substr(0, kSlowlogMaxString));
      s += "... (" + std::to_string(args[j].size() - kSlowlogMaxString) + " more bytes)";
      e.args.push_back(std::move(s));
    } else {
      e.args.emplace_back(args[j]);
    }
  }
  e.peer = std::string(client.peer_addr());
  e.client_name = std::string(client.name());
  slowlog_.push_front(std::move(e));
  TrimSlowlog(static_cast<size_t>(std::max<int64_t>(max_len, 0)));
}

void Introspection::OnUnblocked(const CommandSpec& spec, const ClientView& client,
                                const Config& cfg, CmdArgs shown, int64_t now_ms,
                                int64_t first_run_us, int64_t reply_us, bool failed) {
  const int64_t total_us = first_run_us + reply_us;
  spec.stats.usec += total_us > 0 ? static_cast<uint64_t>(total_us) : 0;
  if (failed) ++spec.stats.failed_calls;
  if (cfg.latency_tracking) RecordLatency(spec, total_us);
  if (cfg.slowlog_log_slower_than >= 0 && total_us >= cfg.slowlog_log_slower_than &&
      !(spec.flags & kCmdSkipSlowlog)) {
    PushSlowlog(spec, client, shown, now_ms, cfg.slowlog_max_len, total_us);
  }
  if (cfg.latency_monitor_threshold > 0 && reply_us / 1000 >= cfg.latency_monitor_threshold) {
    AddLatencySample("command-unblocking", reply_us / 1000, now_ms / 1000);
  }
}

// ---- LATENCY ----

void Introspection::AddLatencySample(std::string_view event, int64_t latency_ms, int64_t now_s) {
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), LatencySeries{}).first;
  LatencySeries& ts = it->second;
  ts.max_ms = std::max(ts.max_ms, latency_ms);
  // One sample per second: the worst one.
  LatencySeries::Sample& prev =
      ts.samples[(ts.idx + LatencySeries::kLen - 1) % LatencySeries::kLen];
  if (prev.time == now_s) {
    prev.latency_ms = std::max(prev.latency_ms, latency_ms);
    return;
  }
  ts.samples[ts.idx] = {now_s, latency_ms};
  ts.idx = (ts.idx + 1) % LatencySeries::kLen;
}

size_t Introspection::ResetLatency(std::string_view event) {
  size_t n = 0;
  for (auto it = events_.begin(); it != events_.end();) {
    if (event.empty() || EqualsNoCase(it->first, event)) {
      it = events_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

// ---- MONITOR ----

void Introspection::AddMonitor(ClientView& client) {
  client.session().monitor = true;
  if (std::find(monitors_.begin(), monitors_.end(), &client) == monitors_.end()) {
    monitors_.push_back(&client);
  }
}

void Introspection::RemoveMonitor(ClientView& client) {
  client.session().monitor = false;
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &client), monitors_.end());
}

void Introspection::FeedMonitors(const CommandSpec& spec, CommandContext& ctx) {
  // Administrative commands are too sensitive to show (Redis's rule), as are those that
  // ask to be skipped.
  if (spec.flags & (kCmdSkipMonitor | kCmdAdmin)) return;
  const int64_t now_us = ctx.keyspace.clock().NowUs();
  char head[96];
  std::snprintf(head, sizeof(head), "%lld.%06lld [%d ", static_cast<long long>(now_us / 1000000),
                static_cast<long long>(now_us % 1000000), ctx.client.db_index());
  std::string line(head);
  if (ctx.client.is_unix_socket()) {
    line += "unix:";
    line += ctx.config().unixsocket;
  } else {
    line += ctx.client.peer_addr();
  }
  line += "] ";
  const std::vector<std::string_view> args = RedactedArgs(spec, ctx.args);
  for (size_t j = 0; j < args.size(); ++j) {
    if (j > 0) line += ' ';
    AppendRepr(line, args[j]);
  }
  // A monitor may disconnect (output limit) while we push: iterate over a copy.
  const std::vector<ClientView*> targets = monitors_;
  for (ClientView* m : targets) {
    // A client closing after this reply (QUIT) takes no more output, even its own line.
    if (m == &ctx.client && spec.name == "quit") continue;
    ReplyBuilder* rb = m->push_reply();
    if (rb == nullptr) continue;
    rb->SendSimple(line);
    m->PushDone();
  }
}

// ---- CLIENT PAUSE ----

void Introspection::Pause(int64_t end_ms, bool all) {
  if (all) pause_all_ = true;
  pause_end_ms_ = std::max(pause_end_ms_, end_ms);
}

void Introspection::Unpause() {
  pause_end_ms_ = 0;
  pause_all_ = false;
  if (unpause_hook_) unpause_hook_();
}

bool Introspection::QueuedWrites(const ClientView& client) const {
  if (table_ == nullptr) return false;
  for (const auto& cmd : client.session().queued) {
    if (cmd.empty()) continue;
    const CommandSpec* spec = table_->Find(cmd[0]);
    if (spec == nullptr) continue;
    if (spec->is_container() && cmd.size() >= 2) {
      if (const CommandSpec* sub = table_->FindSub(*spec, cmd[1])) spec = sub;
    }
    if (MayReplicate(*spec)) return true;
  }
  return false;
}

void CountProtocolError(Dispatcher& dispatcher, std::string_view code) {
  ++dispatcher.stats().total_error_replies;
  dispatcher.introspection().CountError(code.empty() ? std::string_view("ERR") : code);
}

size_t ClientsInTimeoutTable(Dispatcher& dispatcher) {
  return dispatcher.blocking().clients_with_deadline();
}

// ---- the dispatcher's hooks (command_gates.h) ----

void AfterCommand(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us) {
  if (ctx.dispatcher == nullptr) return;
  ctx.dispatcher->introspection().AfterCommand(spec, ctx, duration_us);
}

bool PassesMonitorGate(const CommandSpec& spec, CommandContext& ctx) {
  // A monitor is a replica to Redis, and replicas may not touch the keyspace.
  if (!(spec.flags & (kCmdWrite | kCmdReadOnly | kCmdMayReplicate))) return true;
  ctx.reply.SendError("ERR Replica can't interact with the keyspace");
  return false;
}

}  // namespace gannet
