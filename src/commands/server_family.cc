// Server commands: INFO, CONFIG (GET/SET/REWRITE/RESETSTAT/HELP), DBSIZE, FLUSHDB,
// FLUSHALL, SWAPDB, TIME, ROLE and SHUTDOWN (LASTSAVE is in persistence_family.cc).
// Configuration and shutdown go through ServerView; the keyspace is used directly. Handlers first,
// registration at the end.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/common/numbers.h"

namespace gannet {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void CmdInfo(CmdArgs args, CommandContext& ctx) {
  std::vector<std::string> sections;
  for (size_t i = 1; i < args.size(); ++i) sections.push_back(Lower(args[i]));
  ctx.reply.SendVerbatim(ctx.server.Info(sections, ctx.client));
}

void CmdDbSize(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendLong(static_cast<int64_t>(ctx.db().size()));
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC].
bool FlushModeOk(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 2 ||
      (args.size() == 2 && !EqualsNoCase(args[1], "ASYNC") && !EqualsNoCase(args[1], "SYNC"))) {
    ctx.reply.SendError(kSyntaxErr);
    return false;
  }
  return true;
}

// ASYNC, or neither ASYNC nor SYNC under lazyfree-lazy-user-flush: the old contents are
// freed by the lazy-free thread.
bool FlushIsAsync(CmdArgs args, CommandContext& ctx) {
  if (args.size() == 2) return EqualsNoCase(args[1], "ASYNC");
  return ctx.keyspace.memory_settings().lazy_user_flush;
}

void CmdFlushDb(CmdArgs args, CommandContext& ctx) {
  if (!FlushModeOk(args, ctx)) return;
  // One change per key removed, no keyspace event (as Redis); WATCH and tracking hear
  // about the whole database even when it was empty.
  const size_t removed = ctx.db().size();
  if (FlushIsAsync(args, ctx)) {
    ctx.db().ClearLazily();
  } else {
    ctx.db().Clear();
  }
  ctx.keyspace.AddDirty(removed);
  ctx.keyspace.SignalModified(ctx.client.db_index(), "");
  ctx.force_propagation = true;  // recorded even when the database was empty, as Redis
  ctx.reply.SendOk();
}

void CmdFlushAll(CmdArgs args, CommandContext& ctx) {
  if (!FlushModeOk(args, ctx)) return;
  const size_t removed = ctx.keyspace.TotalKeys();
  if (FlushIsAsync(args, ctx)) {
    ctx.keyspace.FlushAllAsync();
  } else {
    ctx.keyspace.FlushAll();
  }
  ctx.keyspace.AddDirty(removed);
  ctx.keyspace.SignalModified(-1, "");
  ctx.force_propagation = true;  // recorded even when every database was empty, as Redis
  // A running BGSAVE would write the old dataset; with save points the empty one is saved.
  if (PersistenceView* p = ctx.server.persistence()) p->OnFlushAll();
  ctx.reply.SendOk();
}

void CmdSwapDb(CmdArgs args, CommandContext& ctx) {
  auto a = ParseInt64(args[1]);
  if (!a || *a < INT32_MIN || *a > INT32_MAX) {
    ctx.reply.SendError("ERR invalid first DB index");
    return;
  }
  auto b = ParseInt64(args[2]);
  if (!b || *b < INT32_MIN || *b > INT32_MAX) {
    ctx.reply.SendError("ERR invalid second DB index");
    return;
  }
  int n = ctx.keyspace.database_count();
  if (*a < 0 || *a >= n || *b < 0 || *b >= n) {
    ctx.reply.SendError(kDbIndexErr);
    return;
  }
  // One change even when swapping a database with itself, as Redis counts it.
  if (*a != *b) ctx.keyspace.SwapDb(static_cast<int>(*a), static_cast<int>(*b));
  ctx.keyspace.AddDirty(1);
  ctx.keyspace.SignalModified(static_cast<int>(*a), "");
  if (*a != *b) ctx.keyspace.SignalModified(static_cast<int>(*b), "");
  ctx.reply.SendOk();
}

void CmdTime(CmdArgs, CommandContext& ctx) {
  int64_t us = ctx.keyspace.clock().NowUs();
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendBulk(Int64ToString(us / 1'000'000));
  ctx.reply.SendBulk(Int64ToString(us % 1'000'000));
}

// ROLE: Gannet has no replication, so it answers as a Redis master without replicas: the
// role, replication offset 0 and an empty list of replicas (the same bytes in RESP3).
void CmdRole(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendArrayLen(3);
  ctx.reply.SendBulk("master");
  ctx.reply.SendLong(0);
  ctx.reply.SendEmptyArray();
}

void CmdShutdown(CmdArgs args, CommandContext& ctx) {
  bool save = false, nosave = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "NOSAVE")) {
      nosave = true;
    } else if (EqualsNoCase(args[i], "SAVE")) {
      save = true;
    } else if (EqualsNoCase(args[i], "NOW")) {
      now = true;
    } else if (EqualsNoCase(args[i], "FORCE")) {
      force = true;
    } else if (EqualsNoCase(args[i], "ABORT")) {
      abort = true;
    } else {
      ctx.reply.SendError(kSyntaxErr);
      return;
    }
  }
  if ((abort && args.size() != 2) || (save && nosave)) {
    ctx.reply.SendError(kSyntaxErr);
    return;
  }
  if (abort) {
    // Without replicas a shutdown never waits, so there is never one to abort.
    ctx.reply.SendError("ERR No shutdown in progress.");
    return;
  }
  (void)now;  // no replicas to wait for: every shutdown is immediate
  ShutdownMode mode =
      nosave ? ShutdownMode::kNoSave : (save ? ShutdownMode::kSave : ShutdownMode::kDefault);
  // FORCE: exit even when the final save fails.
  if (force && mode == ShutdownMode::kDefault) mode = ShutdownMode::kDefaultForce;
  if (force && mode == ShutdownMode::kSave) mode = ShutdownMode::kSaveForce;
  if (auto err = ctx.server.Shutdown(mode)) {
    ctx.reply.SendError(*err);
    return;
  }
  // On success there is no reply: the connection closes with the server.
  ctx.client.CloseAfterReply();
}

// ---- CONFIG ----

void CmdConfigGet(CmdArgs args, CommandContext& ctx) {
  std::vector<std::string_view> patterns(args.begin() + 2, args.end());
  auto pairs = ctx.server.ConfigGet(patterns);
  ctx.reply.SendMapLen(pairs.size());
  for (const auto& [k, v] : pairs) {
    ctx.reply.SendBulk(k);
    ctx.reply.SendBulk(v);
  }
}

void CmdConfigSet(CmdArgs args, CommandContext& ctx) {
  if ((args.size() - 2) % 2 != 0) {
    ctx.reply.SendError(kSyntaxErr);  // arity -4 passed: an odd pair count
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < args.size(); i += 2) pairs.emplace_back(args[i], args[i + 1]);
  if (auto err = ctx.server.ConfigSet(pairs)) {
    ctx.reply.SendError(*err);
    return;
  }
  ctx.reply.SendOk();
}

void CmdConfigRewrite(CmdArgs, CommandContext& ctx) {
  if (auto err = ctx.server.ConfigRewrite()) {
    ctx.reply.SendError(*err);
    return;
  }
  ctx.reply.SendOk();
}

void CmdConfigResetStat(CmdArgs, CommandContext& ctx) {
  ctx.server.ResetStats();
  ctx.reply.SendOk();
}

void CmdConfigHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern> [<pattern> ...]",
      "    Reply with the directives whose names match the glob patterns, and their values.",
      "SET <directive> <value> [<directive> <value> ...]",
      "    Change directives at runtime; all of them or none.",
      "RESETSTAT",
      "    Zero the statistics INFO reports.",
      "REWRITE",
      "    Write the running configuration back into the config file.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto l : kLines) ctx.reply.SendSimple(l);
}

}  // namespace

void RegisterServerFamily(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kLS;
  constexpr uint64_t kKD = kAclKeyspace | kAclDangerous;
  constexpr std::string_view kServer = "server";
  constexpr std::string_view kO1 = "O(1)";

  t.Register(
      {.name = "info",
       .arity = -1,
       .flags = kLS,
       .acl_categories = kAclDangerous,
       .handler = CmdInfo,
       .doc = {"Returns information and statistics about the server.", "1.0.0", kServer, kO1},
       .tips = "nondeterministic_output request_policy:all_shards "
               "response_policy:special"});
  t.Register({.name = "dbsize",
              .arity = 1,
              .flags = kCmdReadOnly | kCmdFast,
              .acl_categories = kAclKeyspace,
              .handler = CmdDbSize,
              .doc = {"Returns the number of keys in the database.", "1.0.0", kServer, kO1},
              .tips = "request_policy:all_shards response_policy:agg_sum"});
  t.Register({.name = "flushdb",
              .arity = -1,
              .flags = kCmdWrite,
              .acl_categories = kKD,
              .handler = CmdFlushDb,
              .doc = {"Removes all keys from the current database.", "1.0.0", kServer,
                      "O(N) where N is the number of keys in the selected database"},
              .tips = "request_policy:all_shards response_policy:all_succeeded"});
  t.Register({.name = "flushall",
              .arity = -1,
              .flags = kCmdWrite,
              .acl_categories = kKD,
              .handler = CmdFlushAll,
              .doc = {"Removes all keys from all databases.", "1.0.0", kServer,
                      "O(N) where N is the total number of keys in all databases"},
              .tips = "request_policy:all_shards response_policy:all_succeeded"});
  t.Register({.name = "swapdb",
              .arity = 3,
              .flags = kCmdWrite | kCmdFast,
              .acl_categories = kKD,
              .handler = CmdSwapDb,
              .doc = {"Swaps two databases.", "4.0.0", kServer,
                      "O(N) where N is the count of clients watching or blocking on keys from "
                      "both databases."}});
  t.Register({.name = "time",
              .arity = 1,
              .flags = kLS | kCmdFast,
              .acl_categories = 0,
              .handler = CmdTime,
              .doc = {"Returns the server time.", "2.6.0", kServer, kO1},
              .tips = "nondeterministic_output"});
  t.Register({.name = "shutdown",
              .arity = -1,
              .flags = kCmdAdmin | kCmdNoScript | kLS | kCmdNoMulti | kCmdAllowBusy,
              .acl_categories = 0,
              .handler = CmdShutdown,
              .doc = {"Synchronously saves the database(s) to disk and shuts down the server.",
                      "1.0.0", kServer,
                      "O(N) when saving, where N is the total number of keys in all "
                      "databases when saving data, otherwise O(1)"}});

  t.Register({.name = "role",
              .arity = 1,
              .flags = kCmdNoScript | kLS | kCmdFast,
              .acl_categories = kAclAdmin | kAclDangerous,
              .handler = CmdRole,
              .doc = {"Return the role of the instance in the context of replication", "2.8.12",
                      kServer, kO1}});

  auto sub = [&](std::string_view name, int arity, uint32_t flags, CommandHandler h,
                 std::string_view summary, std::string_view since, std::string_view tips = {}) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl_categories = 0,
                       .handler = h,
                       .doc = {summary, since, kServer, kO1},
                       .tips = tips};
  };
  t.Register(
      {.name = "config",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for server configuration commands.", "2.0.0", kServer,
               "Depends on subcommand."},
       .subcommands = {
           sub("config|get", -3, kAdmin, CmdConfigGet,
               "Returns the effective values of configuration parameters.", "2.0.0"),
           sub("config|set", -4, kAdmin, CmdConfigSet, "Sets configuration parameters in-flight.",
               "2.0.0", "request_policy:all_nodes response_policy:all_succeeded"),
           sub("config|rewrite", 2, kAdmin, CmdConfigRewrite,
               "Persists the effective configuration to file.", "2.8.0"),
           sub("config|resetstat", 2, kAdmin, CmdConfigResetStat, "Resets the server's statistics.",
               "2.0.0"),
           sub("config|help", 2, kLS, CmdConfigHelp,
               "Returns helpful text about the different subcommands.", "5.0.0"),
       }});
}

}  // namespace gannet
