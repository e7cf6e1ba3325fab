// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE (DEBUG RELOAD and DEBUG LOADAOF
// are in debug_family.cc), and the gate that answers -MISCONF (writes after a failed
// background save) and -LOADING (while the dataset loads). Everything goes through
// PersistenceView (ServerView::persistence()): commands do not link the persistence module.
#include <optional>
#include <string>
#include <string_view>

#include "arg_parser.h"
#include "command_gates.h"
#include "error_text.h"
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
