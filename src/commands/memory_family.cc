// The maxmemory gate (Redis's performEvictions + OOM refusal in processCommand) and the
// MEMORY command: USAGE, STATS, DOCTOR, PURGE, MALLOC-STATS, HELP. Eviction itself is
// engine work (gannet/engine/eviction.h); this file decides what a client sees.
#include <cstdio>
#include <string>
#include <vector>

#include "arg_parser.h"
#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/client_session.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/listpack.h"
#include "gannet/engine/stream_object.h"

namespace gannet {

namespace {

// MEMORY USAGE's default sample size (Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES).
constexpr int64_t kDefaultUsageSamples = 5;

// A value's bytes, sampled as Redis's objectComputeSize: where measuring costs a walk
// over the value's parts (a list's nodes), the first `samples` parts are measured and the
// average is multiplied by their number; samples == 0 measures everything. Hashes, sets
// and sorted sets keep their byte count up to date, and strings are one allocation: their
// figure is exact in O(1) whatever the sample size. Streams sample their nodes as Redis
// does (the first `samples` stand for all but the last); consumer groups count whole.
size_t ValueMemoryUsage(const Value& v, int64_t samples) {
  if (v.IsString() || samples == 0) return v.MemoryUsage();
  if (v.type() == ValueType::kStream) {
    return v.As<StreamObject>()->MemoryUsageSampled(static_cast<size_t>(samples));
  }
  if (v.type() != ValueType::kList) return v.MemoryUsage();
  const auto* list = v.As<ListObject>();
  const size_t nodes = list->node_count();
  if (nodes == 0 || static_cast<uint64_t>(samples) >= nodes) return v.MemoryUsage();
  size_t sampled = 0;
  // Allocated bytes of each sampled node, its compressed block when compressed.
  for (size_t i = 0; i < static_cast<size_t>(samples); ++i) sampled += list->node_memory(i);
  const double per_node = static_cast<double>(sampled) / static_cast<double>(samples);
  return static_cast<size_t>(per_node * static_cast<double>(nodes));
}

// Bytes a key costs: its entry (header, key bytes, value), its bucket slot, and its TTL
// index node.
size_t KeyMemoryUsage(const Entry& e, int64_t samples) {
  size_t n = Database::EntryMemoryUsage(e) - e.value.MemoryUsage() +
             ValueMemoryUsage(e.value, samples) + sizeof(void*);
  if (e.has_expire()) n += 32;  // ExpireIndex node size class
  return n;
}

// MEMORY USAGE key [SAMPLES count]
void CmdMemoryUsage(CmdArgs args, CommandContext& ctx) {
  int64_t samples = kDefaultUsageSamples;
  for (size_t i = 3; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "SAMPLES") && i + 1 < args.size()) {
      const auto n = ParseInt64(args[i + 1]);
      if (!n) return ctx.reply.SendError(kNotIntegerErr);
      if (*n < 0) return ctx.reply.SendError(kSyntaxErr);
      samples = *n;  // 0: every element
      ++i;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  Database& db = ctx.db();
  const Entry* e = db.FindNoTouch(args[2]);
  if (e == nullptr) return ctx.reply.SendNull();
  ctx.reply.SendLong(static_cast<int64_t>(KeyMemoryUsage(*e, samples)));
}

struct MemoryFigures {
  size_t used = 0;
  size_t peak = 0;
  size_t startup = 0;
  size_t overhead = 0;  // startup + hash tables
  size_t dataset = 0;
  size_t keys = 0;
  size_t rss = 0;
  MemoryMeter::AllocatorStats alloc;
};

size_t ProcessRssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages = 0, rss = 0;
  const int got = std::fscanf(f, "%lu %lu", &pages, &rss);
  std::fclose(f);
  return got == 2 ? rss * 4096UL : 0;
}

MemoryFigures Measure(Keyspace& ks) {
  MemoryFigures f;
  Evictor& ev = ks.evictor();
  ev.meter().Refresh();
  f.used = ev.UsedMemory();
  f.peak = ev.peak();
  f.startup = ev.startup();
  f.overhead = f.startup + ev.OverheadBytes();
  for (int i = 0; i < ks.database_count(); ++i) {
    f.overhead += ks.db(i).OverheadMemoryUsage();
    f.keys += ks.db(i).size();
  }
  f.dataset = f.used > f.overhead ? f.used - f.overhead : 0;
  f.alloc = ev.meter().Stats();
  f.rss = ProcessRssBytes();
  return f;
}

double Ratio(size_t a, size_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; }

// INFO memory's mem_clients_normal (the server knows the connections' buffers).
size_t ClientsNormalBytes(CommandContext& ctx) {
  const std::string info = ctx.server.Info({"memory"}, ctx.client);
  constexpr std::string_view kField = "\r\nmem_clients_normal:";
  const size_t at = info.find(kField);
  if (at == std::string::npos) return 0;
  const size_t from = at + kField.size();
  const auto v = ParseInt64(std::string_view(info).substr(from, info.find('\r', from) - from));
  return v && *v > 0 ? static_cast<size_t>(*v) : 0;
}

void CmdMemoryStats(CmdArgs, CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace;
  const MemoryFigures f = Measure(ks);
  std::vector<int> dbs;
  for (int i = 0; i < ks.database_count(); ++i) {
    if (ks.db(i).size() > 0) dbs.push_back(i);
  }
  ReplyBuilder& r = ctx.reply;
  r.SendMapLen(27 + dbs.size());
  auto num = [&](std::string_view name, size_t v) {
    r.SendBulk(name);
    r.SendLong(static_cast<int64_t>(v));
  };
  auto dbl = [&](std::string_view name, double v) {
    r.SendBulk(name);
    r.SendDouble(v);
  };
  num("peak.allocated", f.peak);
  num("total.allocated", f.used);
  num("startup.allocated", f.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", ClientsNormalBytes(ctx));
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (int i : dbs) {
    r.SendBulk("db." + std::to_string(i));
    Database& d = ks.db(i);
    const size_t expires = d.expires_size() * 32;
    r.SendMapLen(3);
    num("overhead.hashtable.main",
        d.OverheadMemoryUsage() - std::min(expires, d.OverheadMemoryUsage()));
    num("overhead.hashtable.expires", expires);
    num("overhead.hashtable.slot-to-keys", 0);  // no cluster mode
  }
  num("overhead.total", f.overhead);
  num("keys.count", f.keys);
  num("keys.bytes-per-key", f.keys == 0 ? 0 : (f.used - std::min(f.used, f.startup)) / f.keys);
  num("dataset.bytes", f.dataset);
  dbl("dataset.percentage", f.used > f.startup ? 100.0 * Ratio(f.dataset, f.used - f.startup) : 0);
  dbl("peak.percentage", 100.0 * Ratio(f.used, f.peak));
  num("allocator.allocated", f.alloc.allocated);
  num("allocator.active", f.alloc.active);
  num("allocator.resident", f.alloc.resident);
  dbl("allocator-fragmentation.ratio", Ratio(f.alloc.active, f.alloc.allocated));
  num("allocator-fragmentation.bytes",
      f.alloc.active - std::min(f.alloc.active, f.alloc.allocated));
  dbl("allocator-rss.ratio", Ratio(f.alloc.resident, f.alloc.active));
  num("allocator-rss.bytes", f.alloc.resident - std::min(f.alloc.resident, f.alloc.active));
  dbl("rss-overhead.ratio", Ratio(f.rss, f.alloc.resident));
  num("rss-overhead.bytes", f.rss - std::min(f.rss, f.alloc.resident));
  dbl("fragmentation", Ratio(f.rss, f.used));
  num("fragmentation.bytes", f.rss - std::min(f.rss, f.used));
}

// MEMORY DOCTOR: a few checks on the figures above, in plain words.
void CmdMemoryDoctor(CmdArgs, CommandContext& ctx) {
  const MemoryFigures f = Measure(ctx.keyspace);
  std::string text;
  if (f.used < 5 * 1024 * 1024) {
    text =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector "
        "can't be used in these conditions. Please, leave for your mission on Earth and fill "
        "it with some data. The new Sam and I will be back to our programming as soon as I "
        "finished rebooting.";
  } else {
    std::string issues;
    if (f.peak > f.used + f.used / 2) {
      issues +=
          " * Peak memory: the peak allocated memory is more than 150% of what is allocated "
          "now. Fragmentation figures may be misleading after such a drop; MEMORY PURGE can "
          "return unused pages to the system.\n\n";
    }
    if (Ratio(f.rss, f.used) > 1.4) {
      issues +=
          " * High fragmentation: the process's resident memory is more than 1.4 times what "
          "is allocated. MEMORY PURGE may help.\n\n";
    }
    if (f.alloc.active > 0 && Ratio(f.alloc.active, f.alloc.allocated) > 1.1) {
      issues +=
          " * High allocator fragmentation: the allocator's active pages hold more than 10% "
          "free space.\n\n";
    }
    if (issues.empty()) {
      text =
          "Hi Sam, I can't find any memory issue in your instance. I can only account for "
          "what occurs on this base.";
    } else {
      text = "Sam, I detected a few issues in this Gannet instance memory implants:\n\n" + issues +
             "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  ctx.reply.SendVerbatim(text);
}

void CmdMemoryPurge(CmdArgs, CommandContext& ctx) {
  ctx.keyspace.evictor().meter().Purge();
  ctx.reply.SendOk();
}

void CmdMemoryMallocStats(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendVerbatim(ctx.keyspace.evictor().meter().MallocStats());
}

void CmdMemoryHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto line : kLines) ctx.reply.SendSimple(line);
}

bool IsTransactionControl(const CommandSpec& spec) {
  return spec.name == "exec" || spec.name == "discard" || spec.name == "quit" ||
         spec.name == "reset";
}

// Redis's mstate.cmd_flags & CMD_DENYOOM: whether a command queued in this client's
// transaction may grow memory (looked up again only when memory is over the limit).
bool QueuedDenyOom(CommandContext& ctx) {
  if (ctx.table == nullptr) return false;
  for (const auto& cmd : ctx.client.session().queued) {
    if (cmd.empty()) continue;
    const CommandSpec* spec = ctx.table->Find(cmd[0]);
    if (spec == nullptr) continue;
    if (!spec->subcommands.empty() && cmd.size() > 1) {
      if (const CommandSpec* sub = ctx.table->FindSub(*spec, cmd[1])) spec = sub;
    }
    if (spec->flags & kCmdDenyOom) return true;
  }
  return false;
}

}  // namespace

bool PassesMemoryGate(const CommandSpec& spec, CommandContext& ctx) {
  Keyspace& ks = ctx.keyspace;
  // CONFIG SET applies the settings on the server; a test harness may set Config directly.
  if (ks.memory_settings().maxmemory != ctx.config().maxmemory ||
      ks.memory_settings().policy != ParseEvictionPolicy(ctx.config().maxmemory_policy)
                                         .value_or(EvictionPolicy::kNoEviction)) {
    ks.ApplyMemorySettings(MemorySettingsFromConfig(ctx.config()));
  }
  const bool out_of_memory = ks.evictor().PerformEvictions() == Evictor::Result::kFail;
  if (!out_of_memory) return true;
  // Inside MULTI any queued command may grow memory without bound: refuse all but the
  // transaction's own control commands. EXEC itself is refused (the dispatcher turns the
  // error into EXECABORT and discards the transaction) when it queued a denyoom command,
  // as Redis 7.0's processCommand does.
  const bool in_multi = ctx.client.session().in_multi;
  const bool reject = (spec.flags & kCmdDenyOom) || (in_multi && !IsTransactionControl(spec)) ||
                      (in_multi && spec.name == "exec" && QueuedDenyOom(ctx));
  if (!reject) return true;
  ctx.reply.SendError(kOomErr);
  return false;
}

void RegisterMemoryFamily(CommandTable& t) {
  constexpr std::string_view kG = "server";
  constexpr std::string_view kO1 = "O(1)";
  t.Register(
      {.name = "memory",
       .arity = -2,
       .flags = 0,
       .first_key = 0,
       .last_key = 0,
       .step = 0,
       .acl_categories = kAclSlow,
       .handler = nullptr,
       .doc = {"A container for memory diagnostics commands.", "4.0.0", kG,
               "Depends on subcommand."},
       .subcommands = {
           {.name = "memory|doctor",
            .arity = 2,
            .flags = 0,
            .first_key = 0,
            .last_key = 0,
            .step = 0,
            .acl_categories = kAclSlow,
            .handler = CmdMemoryDoctor,
            .doc = {"Outputs a memory problems report.", "4.0.0", kG, kO1},
            .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
           {.name = "memory|help",
            .arity = 2,
            .flags = kCmdLoading | kCmdStale,
            .first_key = 0,
            .last_key = 0,
            .step = 0,
            .acl_categories = kAclSlow,
            .handler = CmdMemoryHelp,
            .doc = {"Returns helpful text about the different subcommands.", "4.0.0", kG, kO1}},
           {.name = "memory|malloc-stats",
            .arity = 2,
            .flags = 0,
            .first_key = 0,
            .last_key = 0,
            .step = 0,
            .acl_categories = kAclSlow,
            .handler = CmdMemoryMallocStats,
            .doc = {"Returns the allocator statistics.", "4.0.0", kG,
                    "Depends on how much memory is allocated, could be slow"},
            .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
           {.name = "memory|purge",
            .arity = 2,
            .flags = 0,
            .first_key = 0,
            .last_key = 0,
            .step = 0,
            .acl_categories = kAclSlow,
            .handler = CmdMemoryPurge,
            .doc = {"Asks the allocator to release memory.", "4.0.0", kG,
                    "Depends on how much memory is allocated, could be slow"},
            .tips = "request_policy:all_shards response_policy:all_succeeded"},
           {.name = "memory|stats",
            .arity = 2,
            .flags = 0,
            .first_key = 0,
            .last_key = 0,
            .step = 0,
            .acl_categories = kAclSlow,
            .handler = CmdMemoryStats,
            .doc = {"Returns details about memory usage.", "4.0.0", kG, kO1},
            .tips = "nondeterministic_output request_policy:all_shards response_policy:special"},
           {.name = "memory|usage",
            .arity = -3,
            .flags = kCmdReadOnly,
            .first_key = 2,
            .last_key = 2,
            .step = 1,
            .acl_categories = kAclRead | kAclSlow,
            .handler = CmdMemoryUsage,
            .doc = {"Estimates the memory usage of a key.", "4.0.0", kG,
                    "O(N) where N is the number of samples."}},
       }});
}

}  // namespace gannet
