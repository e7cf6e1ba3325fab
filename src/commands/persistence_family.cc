// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE, DEBUG RELOAD and DEBUG LOADAOF
// (Gannet's DEBUG subcommands, refused unless enable-debug-command allows it), and the
// gate that answers -MISCONF (writes after a failed background save) and -LOADING (while
// the dataset loads). Everything goes through PersistenceView (ServerView::persistence())
// and AofView (ServerView::aof()): commands do not link the persistence module.
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "arg_parser.h"
#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/aof_view.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/persistence_view.h"

namespace gannet {
namespace {

// The row a queued command runs under (a subcommand's own row when it has one).
const CommandSpec* QueuedSpec(const CommandTable& table, const std::vector<std::string>& args) {
  if (args.empty()) return nullptr;
  const CommandSpec* spec = table.Find(args[0]);
  if (spec != nullptr && spec->is_container() && args.size() >= 2) {
    if (const CommandSpec* sub = table.FindSub(*spec, args[1])) return sub;
  }
  return spec;
}

// Redis judges EXEC by the commands it queued: a write among them makes EXEC a write, one
// command without the loading flag makes EXEC refused while loading.
void QueuedFlags(const CommandContext& ctx, bool* any_write, bool* all_loading) {
  *any_write = false;
  *all_loading = true;
  if (ctx.table == nullptr) return;
  for (const auto& args : ctx.client.session().queued) {
    const CommandSpec* spec = QueuedSpec(*ctx.table, args);
    if (spec == nullptr) continue;
    if (spec->flags & kCmdWrite) *any_write = true;
    if (!(spec->flags & kCmdLoading)) *all_loading = false;
  }
}

PersistenceView* View(CommandContext& ctx) {
  PersistenceView* p = ctx.server.persistence();
  if (p == nullptr) ctx.reply.SendError("ERR persistence is not available");
  return p;
}

void CmdSave(CmdArgs, CommandContext& ctx) {
  PersistenceView* p = View(ctx);
  if (p == nullptr) return;
  if (auto err = p->Save()) {
    ctx.reply.SendError(*err);
    return;
  }
  ctx.reply.SendOk();
}

// BGSAVE [SCHEDULE]
void CmdBgSave(CmdArgs args, CommandContext& ctx) {
  bool schedule = false;
  if (args.size() > 1) {
    if (args.size() == 2 && EqualsNoCase(args[1], "SCHEDULE")) {
      schedule = true;
    } else {
      ctx.reply.SendError(kSyntaxErr);
      return;
    }
  }
  PersistenceView* p = View(ctx);
  if (p == nullptr) return;
  // Inside EXEC (the only place a command runs nested and may not block) a fork would
  // snapshot half a transaction: the save starts after it, as Redis's in_exec case.
  if (ctx.cannot_block) {
    if (p->ScheduleBackgroundSave()) {
      ctx.reply.SendSimple("Background saving scheduled");
    } else {
      ctx.reply.SendError("ERR Background save already in progress");
    }
    return;
  }
  bool ok = false;
  std::string text = p->BackgroundSave(schedule, &ok);
  if (ok) {
    ctx.reply.SendSimple(text);
  } else {
    ctx.reply.SendError(text);
  }
}

void CmdLastSave(CmdArgs, CommandContext& ctx) { ctx.reply.SendLong(ctx.server.LastSaveTime()); }

// enable-debug-command: "yes", or "local" for loopback and unix-socket clients.
bool DebugAllowed(CommandContext& ctx) {
  const std::string& mode = ctx.config().enable_debug_command;
  if (mode == "yes") return true;
  if (mode != "local") return false;
  if (ctx.client.is_unix_socket()) return true;
  std::string_view addr = ctx.client.peer_addr();
  return addr.starts_with("127.") || addr.starts_with("::1:");
}

// DEBUG HELP: the lines of Redis's help for the subcommands Gannet has.
void DebugHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto line : kLines) ctx.reply.SendSimple(line);
}

// DEBUG LOADAOF: empty the dataset and load it back from the AOF (AofView::DebugLoadAof).
// Arguments after it are ignored, as Redis does.
void DebugLoadAof(CommandContext& ctx) {
  AofView* aof = ctx.server.aof();
  if (aof == nullptr) {
    ctx.reply.SendError("ERR persistence is not available");
    return;
  }
  // The replayed commands grew keyspace.dirty(): without this the dispatcher would log
  // DEBUG LOADAOF itself to the AOF (Redis zeroes server.dirty for the same reason).
  ctx.PropagateAs({});
  const std::optional<std::string> err = aof->DebugLoadAof();
  // Every key may have changed, even after a failure (the dataset was emptied): WATCH and
  // client-side caching must hear about it.
  ctx.keyspace.SignalModified(-1, "");
  if (err) {
    ctx.reply.SendError(*err);
    return;
  }
  ctx.reply.SendOk();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], DEBUG LOADAOF, DEBUG HELP.
void CmdDebug(CmdArgs args, CommandContext& ctx) {
  if (!DebugAllowed(ctx)) {
    ctx.reply.SendError(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
    return;
  }
  if (args.size() == 2 && EqualsNoCase(args[1], "HELP")) {
    DebugHelp(ctx);
    return;
  }
  if (EqualsNoCase(args[1], "LOADAOF")) {
    DebugLoadAof(ctx);
    return;
  }
  if (!EqualsNoCase(args[1], "RELOAD")) {
    std::string err = "ERR unknown subcommand or wrong number of arguments for '";
    for (char c : args[1].substr(0, 128)) err.push_back(c == '\r' || c == '\n' ? ' ' : c);
    err += "'. Try DEBUG HELP.";
    ctx.reply.SendError(err);
    return;
  }
  bool merge = false, no_flush = false, no_save = false;
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "MERGE")) {
      merge = true;
    } else if (EqualsNoCase(args[i], "NOFLUSH")) {
      no_flush = true;
    } else if (EqualsNoCase(args[i], "NOSAVE")) {
      no_save = true;
    } else {
      ctx.reply.SendError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  PersistenceView* p = View(ctx);
  if (p == nullptr) return;
  if (auto err = p->DebugReload(no_save, no_flush, merge)) {
    ctx.reply.SendError(*err);
    return;
  }
  // Every key may have changed: WATCH and client-side caching must hear about it.
  ctx.keyspace.SignalModified(-1, "");
  ctx.reply.SendOk();
}

}  // namespace

bool PassesPersistenceGate(const CommandSpec& spec, CommandContext& ctx) {
  PersistenceView* p = ctx.server.persistence();
  if (p == nullptr) return true;
  const bool is_exec = spec.name == "exec";
  bool queued_write = false, queued_all_loading = true;
  if (is_exec) QueuedFlags(ctx, &queued_write, &queued_all_loading);
  // Redis's order: MISCONF before LOADING. PING is refused too, so that monitoring
  // notices a server that cannot persist.
  if (p->writes_refused() && ((spec.flags & kCmdWrite) || queued_write || spec.name == "ping")) {
    const std::string text = p->writes_refused_error();
    ctx.reply.SendError(text.empty() ? kMisconfErr : std::string_view(text));
    return false;
  }
  if (p->loading() && (!(spec.flags & kCmdLoading) || (is_exec && !queued_all_loading))) {
    ctx.reply.SendError(kLoadingErr);
    return false;
  }
  return true;
}

void RegisterPersistenceFamily(CommandTable& t) {
  constexpr std::string_view kServer = "server";
  t.Register({.name = "save",
              .arity = 1,
              .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti,
              .acl_categories = 0,
              .handler = CmdSave,
              .doc = {"Synchronously save the dataset to disk", "1.0.0", kServer,
                      "O(N) where N is the total number of keys in all databases"}});
  t.Register({.name = "bgsave",
              .arity = -1,
              .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading,
              .acl_categories = 0,
              .handler = CmdBgSave,
              .doc = {"Asynchronously save the dataset to disk", "1.0.0", kServer, "O(1)"}});
  t.Register(
      {.name = "debug",
       .arity = -2,
       .flags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale,
       .acl_categories = 0,
       .handler = CmdDebug,
       .doc = {"A container for debugging commands", "1.0.0", kServer, "Depends on subcommand."}});
  t.Register({.name = "lastsave",
              .arity = 1,
              .flags = kCmdLoading | kCmdStale | kCmdFast,
              .acl_categories = kAclAdmin | kAclDangerous,
              .handler = CmdLastSave,
              .doc = {"Returns the Unix timestamp of the last successful save to disk.", "1.0.0",
                      kServer, "O(1)"},
              .tips = "nondeterministic_output"});
}

}  // namespace gannet
