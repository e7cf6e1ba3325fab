// Introspection commands: SLOWLOG, LATENCY and MONITOR. Their state lives in the
// dispatcher's Introspection (include/gannet/commands/introspection.h), fed after every
// command. Handlers first, RegisterIntrospectionFamily at the end.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/numbers.h"
#include "introspection.h"

namespace gannet {
namespace {

void SendHelp(ReplyBuilder& rb, std::string_view container,
              std::span<const std::string_view> lines) {
  rb.SendArrayLen(lines.size() + 3);
  std::string head(container);
  head += " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:";
  rb.SendSimple(head);
  for (auto l : lines) rb.SendSimple(l);
  rb.SendSimple("HELP");
  rb.SendSimple("    Print this help.");
}

std::string SubcommandSyntaxError(std::string_view sub, std::string_view container) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(sub.substr(0, 128)) + "'. Try " + std::string(container) + " HELP.";
}

Introspection& State(CommandContext& ctx) { return ctx.dispatcher->introspection(); }

// ---- SLOWLOG ----

void CmdSlowlogGet(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 3) {
    ctx.reply.SendError(SubcommandSyntaxError(args[1], "SLOWLOG"));
    return;
  }
  const auto& log = State(ctx).slowlog();
  int64_t count = 10;
  if (args.size() == 3) {
    auto n = ParseInt64(args[2]);
    if (!n || *n < -1) {
      ctx.reply.SendError("ERR count should be greater than or equal to -1");
      return;
    }
    count = *n == -1 ? static_cast<int64_t>(log.size()) : *n;
  }
  const size_t n = std::min(log.size(), static_cast<size_t>(count));
  ReplyBuilder& rb = ctx.reply;
  rb.SendArrayLen(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = log[i];
    rb.SendArrayLen(6);
    rb.SendLong(e.id);
    rb.SendLong(e.unix_time);
    rb.SendLong(e.duration_us);
    rb.SendBulkArray(e.args);
    rb.SendBulk(e.peer);
    rb.SendBulk(e.client_name);
  }
}

void CmdSlowlogLen(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendLong(static_cast<int64_t>(State(ctx).slowlog().size()));
}

void CmdSlowlogReset(CmdArgs, CommandContext& ctx) {
  State(ctx).ResetSlowlog();
  ctx.reply.SendOk();
}

void CmdSlowlogHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "GET [<count>]",
      "    Reply with the <count> newest entries of the slow log (10 by default, -1 for all).",
      "    Each entry holds: a unique id, the unix time it was logged at, the execution",
      "    time in microseconds, the arguments, the client's address and its name.",
      "LEN",
      "    Reply with the number of entries in the slow log.",
      "RESET",
      "    Remove every entry from the slow log.",
  };
  SendHelp(ctx.reply, "SLOWLOG", kLines);
}

// ---- LATENCY ----

void CmdLatencyLatest(CmdArgs, CommandContext& ctx) {
  const auto& events = State(ctx).latency_events();
  ctx.reply.SendArrayLen(events.size());
  for (const auto& [name, ts] : events) {
    const auto& last = ts.samples[(ts.idx + LatencySeries::kLen - 1) % LatencySeries::kLen];
    ctx.reply.SendArrayLen(4);
    ctx.reply.SendBulk(name);
    ctx.reply.SendLong(last.time);
    ctx.reply.SendLong(last.latency_ms);
    ctx.reply.SendLong(ts.max_ms);
  }
}

// The samples of a series, oldest first.
std::vector<LatencySeries::Sample> Chronological(const LatencySeries& ts) {
  std::vector<LatencySeries::Sample> out;
  for (size_t j = 0; j < LatencySeries::kLen; ++j) {
    const auto& s = ts.samples[(ts.idx + j) % LatencySeries::kLen];
    if (s.time != 0) out.push_back(s);
  }
  return out;
}

void CmdLatencyHistory(CmdArgs args, CommandContext& ctx) {
  const auto& events = State(ctx).latency_events();
  auto it = events.find(args[2]);  // event names match exactly here, as in Redis
  if (it == events.end()) {
    ctx.reply.SendEmptyArray();
    return;
  }
  const auto samples = Chronological(it->second);
  ctx.reply.SendArrayLen(samples.size());
  for (const auto& s : samples) {
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendLong(s.time);
    ctx.reply.SendLong(s.latency_ms);
  }
}

void CmdLatencyReset(CmdArgs args, CommandContext& ctx) {
  size_t n = 0;
  if (args.size() == 2) {
    n = State(ctx).ResetLatency({});
  } else {
    for (size_t i = 2; i < args.size(); ++i) {
      if (!args[i].empty()) n += State(ctx).ResetLatency(args[i]);
    }
  }
  ctx.reply.SendLong(static_cast<int64_t>(n));
}

std::string AgoLabel(int64_t seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm", static_cast<long long>(seconds / 60));
  } else if (seconds < 86400) {
    std::snprintf(buf, sizeof(buf), "%lldh", static_cast<long long>(seconds / 3600));
  } else {
    std::snprintf(buf, sizeof(buf), "%lldd", static_cast<long long>(seconds / 86400));
  }
  return buf;
}

// LATENCY GRAPH: a header, a ruler, then one column per sample (oldest left): four rows of
// bar, scaled between the lowest and highest sample, and under each column the age of the
// sample written downwards.
void CmdLatencyGraph(CmdArgs args, CommandContext& ctx) {
  const auto& events = State(ctx).latency_events();
  auto it = events.find(args[2]);
  if (it == events.end()) {
    ctx.reply.SendError("ERR No samples available for event '" + std::string(args[2]) + "'");
    return;
  }
  const auto samples = Chronological(it->second);
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    lo = i == 0 ? samples[i].latency_ms : std::min(lo, samples[i].latency_ms);
    hi = i == 0 ? samples[i].latency_ms : std::max(hi, samples[i].latency_ms);
  }
  char head[256];
  std::snprintf(head, sizeof(head), "%s - high %lld ms, low %lld ms (all time high %lld ms)\n",
                it->first.c_str(), static_cast<long long>(hi), static_cast<long long>(lo),
                static_cast<long long>(it->second.max_ms));
  std::string out(head);
  out.append(80, '-');
  out += '\n';
  constexpr int kRows = 4;
  const int64_t now_s = ctx.now_ms / 1000;
  const size_t cols = std::min<size_t>(samples.size(), 80);
  const size_t first = samples.size() - cols;
  std::vector<int> height(cols);
  std::vector<std::string> labels(cols);
  size_t label_rows = 0;
  for (size_t c = 0; c < cols; ++c) {
    const auto& s = samples[first + c];
    const double frac =
        hi == lo ? 1.0 : static_cast<double>(s.latency_ms - lo) / static_cast<double>(hi - lo);
    height[c] = 1 + static_cast<int>(frac * (kRows * 2 - 1));  // half rows: 1..2*kRows
    labels[c] = AgoLabel(now_s - s.time);
    label_rows = std::max(label_rows, labels[c].size());
  }
  for (int row = kRows - 1; row >= 0; --row) {
    for (size_t c = 0; c < cols; ++c) {
      const int h = height[c] - row * 2;
      out += h >= 2 ? '#' : (h == 1 ? '_' : ' ');
    }
    out += '\n';
  }
  for (size_t r = 0; r < label_rows; ++r) {
    for (size_t c = 0; c < cols; ++c) out += r < labels[c].size() ? labels[c][r] : ' ';
    out += '\n';
  }
  ctx.reply.SendVerbatim(out);
}

// LATENCY DOCTOR: a plain report of each event and what usually causes it.
void CmdLatencyDoctor(CmdArgs, CommandContext& ctx) {
  const auto& events = State(ctx).latency_events();
  const Config& cfg = ctx.config();
  std::string out;
  if (events.empty()) {
    if (cfg.latency_monitor_threshold == 0) {
      out =
          "Latency monitoring is disabled, so there is nothing to report. Turn it on with "
          "CONFIG SET latency-monitor-threshold <milliseconds>.\n";
    } else {
      out = "No latency spike has been observed since the server started (or the last reset).\n";
    }
    ctx.reply.SendVerbatim(out);
    return;
  }
  out = "Latency spikes were observed in this server:\n\n";
  const int64_t now_s = ctx.now_ms / 1000;
  bool slow_commands = false, fast_commands = false;
  int num = 0;
  for (const auto& [name, ts] : events) {
    const auto samples = Chronological(ts);
    int64_t sum = 0, oldest = 0;
    for (const auto& s : samples) {
      sum += s.latency_ms;
      if (oldest == 0 || s.time < oldest) oldest = s.time;
    }
    const int64_t n = static_cast<int64_t>(samples.size());
    const int64_t avg = n ? sum / n : 0;
    int64_t dev = 0;
    for (const auto& s : samples)
      dev += s.latency_ms > avg ? s.latency_ms - avg : avg - s.latency_ms;
    const int64_t mad = n ? dev / n : 0;
    int64_t period = n ? now_s - oldest : 0;
    if (n && period == 0) period = 1;
    char line[512];
    std::snprintf(line, sizeof(line),
                  "%d. %s: %lld spikes (average %lldms, mean deviation %lldms, one every %.2f "
                  "sec). Worst ever: %lldms.\n",
                  ++num, name.c_str(), static_cast<long long>(n), static_cast<long long>(avg),
                  static_cast<long long>(mad),
                  n ? static_cast<double>(period) / static_cast<double>(n) : 0.0,
                  static_cast<long long>(ts.max_ms));
    out += line;
    if (name == "command") slow_commands = true;
    if (name == "fast-command") fast_commands = true;
  }
  out += "\nWhat may help:\n\n";
  if (slow_commands) {
    if (cfg.slowlog_log_slower_than < 0) {
      out +=
          "- The slow log is off: turn it on (CONFIG SET slowlog-log-slower-than <usec>) to "
          "see which commands are slow.\n";
    } else {
      out += "- SLOWLOG GET lists the slow commands with their arguments.\n";
    }
    out +=
        "- Commands over large collections (KEYS, SMEMBERS, LRANGE 0 -1, SORT ...) and "
        "deleting, expiring or evicting very large values take time proportional to their "
        "size: split large values into smaller keys, and prefer SCAN and UNLINK.\n";
  }
  if (fast_commands) {
    out +=
        "- O(1) commands were slow: the process was probably not scheduled (a busy or "
        "oversubscribed host, swapping, or a virtual machine with noisy neighbours). "
        "redis-cli --intrinsic-latency measures what the host allows.\n";
  }
  if (!slow_commands && !fast_commands) {
    out += "- No specific advice for these events; LATENCY HISTORY shows when they happened.\n";
  }
  ctx.reply.SendVerbatim(out);
}

void SendCdf(ReplyBuilder& rb, const LatencyHistogram& h) {
  rb.SendMapLen(2);
  rb.SendBulk("calls");
  rb.SendLong(static_cast<int64_t>(h.total));
  rb.SendBulk("histogram_usec");
  const auto cdf = h.CumulativeDistribution();
  rb.SendMapLen(cdf.size());
  for (const auto& [usec, count] : cdf) {
    rb.SendLong(usec);
    rb.SendLong(static_cast<int64_t>(count));
  }
}

void CmdLatencyHistogram(CmdArgs args, CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  auto add = [&](const CommandSpec& spec, bool with_subs) {
    if (spec.stats.latency != nullptr) specs.push_back(&spec);
    if (with_subs) {
      for (const CommandSpec& sub : spec.subcommands) {
        if (sub.stats.latency != nullptr) specs.push_back(&sub);
      }
    }
  };
  const CommandTable& table = *ctx.table;
  if (args.size() == 2) {
    for (const CommandSpec& spec : table.commands()) add(spec, true);
  } else {
    for (size_t i = 2; i < args.size(); ++i) {
      std::string_view name = args[i];
      const size_t bar = name.find('|');
      const CommandSpec* spec = table.Find(name.substr(0, bar));
      if (spec == nullptr) continue;
      if (bar != std::string_view::npos) {
        spec = spec->is_container() ? table.FindSub(*spec, name.substr(bar + 1)) : nullptr;
        if (spec == nullptr) continue;
      }
      add(*spec, true);
    }
  }
  ctx.reply.SendMapLen(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.reply.SendBulk(spec->name);
    SendCdf(ctx.reply, *spec->stats.latency);
  }
}

void CmdLatencyHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DOCTOR",
      "    Reply with a report on the latency events observed and their likely causes.",
      "GRAPH <event>",
      "    Reply with a text graph of the <event> samples.",
      "HISTORY <event>",
      "    Reply with the (unix time, latency in ms) samples of <event>.",
      "LATEST",
      "    Reply with the newest sample of every event.",
      "RESET [<event> ...]",
      "    Forget the samples of the given events (of every event when none is given).",
      "HISTOGRAM [COMMAND ...]",
      "    Reply with the cumulative latency distribution of the given commands (of every",
      "    command that ran when none is given).",
  };
  SendHelp(ctx.reply, "LATENCY", kLines);
}

// ---- MONITOR ----

void CmdMonitor(CmdArgs, CommandContext& ctx) {
  // Inside MULTI/EXEC a client expects one reply per command: it cannot start a stream.
  if (ctx.cannot_block) {
    ctx.reply.SendError("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (ctx.client.session().monitor) return;  // already monitoring: no reply at all
  State(ctx).AddMonitor(ctx.client);
  ctx.reply.SendOk();
}

}  // namespace

void RegisterIntrospectionFamily(CommandTable& t) {
  constexpr uint32_t kAdmLs = kCmdAdmin | kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmNsLs = kAdmLs | kCmdNoScript;
  constexpr uint32_t kLs = kCmdLoading | kCmdStale;
  constexpr std::string_view kServer = "server";
  constexpr std::string_view kO1 = "O(1)";
  constexpr std::string_view kSpecial =
      "nondeterministic_output request_policy:all_nodes response_policy:special";
  auto sub = [&](std::string_view name, int arity, uint32_t flags, CommandHandler h,
                 std::string_view summary, std::string_view since, std::string_view complexity,
                 std::string_view tips = {}) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl_categories = 0,
                       .handler = h,
                       .doc = {summary, since, kServer, complexity},
                       .tips = tips};
  };

  t.Register(
      {.name = "slowlog",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for slow log commands.", "2.2.12", kServer, "Depends on subcommand."},
       .subcommands = {
           sub("slowlog|get", -2, kAdmLs, CmdSlowlogGet, "Returns the slow log's entries.",
               "2.2.12", "O(N) where N is the number of entries returned",
               "request_policy:all_nodes nondeterministic_output"),
           sub("slowlog|len", 2, kAdmLs, CmdSlowlogLen,
               "Returns the number of entries in the slow log.", "2.2.12", kO1,
               "request_policy:all_nodes response_policy:agg_sum nondeterministic_output"),
           sub("slowlog|reset", 2, kAdmLs, CmdSlowlogReset, "Clears all entries from the slow log.",
               "2.2.12", "O(N) where N is the number of entries in the slowlog",
               "request_policy:all_nodes response_policy:all_succeeded"),
           sub("slowlog|help", 2, kLs, CmdSlowlogHelp,
               "Show helpful text about the different subcommands", "6.2.0", kO1),
       }});
  t.Register(
      {.name = "latency",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for latency diagnostics commands.", "2.8.13", kServer,
               "Depends on subcommand."},
       .subcommands = {
           sub("latency|doctor", 2, kAdmNsLs, CmdLatencyDoctor,
               "Returns a human-readable latency analysis report.", "2.8.13", kO1, kSpecial),
           sub("latency|graph", 3, kAdmNsLs, CmdLatencyGraph,
               "Returns a latency graph for an event.", "2.8.13", kO1, kSpecial),
           sub("latency|help", 2, kLs, CmdLatencyHelp,
               "Returns helpful text about the different subcommands.", "2.8.13", kO1),
           sub("latency|histogram", -2, kAdmNsLs, CmdLatencyHistogram,
               "Returns the cumulative distribution of latencies of a subset or all commands.",
               "7.0.0",
               "O(N) where N is the number of commands with latency information being "
               "retrieved.",
               kSpecial),
           sub("latency|history", 3, kAdmNsLs, CmdLatencyHistory,
               "Returns timestamp-latency samples for an event.", "2.8.13", kO1, kSpecial),
           sub("latency|latest", 2, kAdmNsLs, CmdLatencyLatest,
               "Returns the latest latency samples for all events.", "2.8.13", kO1, kSpecial),
           sub("latency|reset", -2, kAdmNsLs, CmdLatencyReset,
               "Resets the latency data for one or more events.", "2.8.13", kO1,
               "request_policy:all_nodes response_policy:all_succeeded"),
       }});
  t.Register(
      {.name = "monitor",
       .arity = 1,
       .flags = kAdmNsLs,
       .acl_categories = 0,
       .handler = CmdMonitor,
       .doc = {
           "Listens for all requests received by the server in real-time.", "1.0.0", kServer, {}}});
}

}  // namespace gannet
