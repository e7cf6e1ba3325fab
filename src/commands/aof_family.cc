// BGREWRITEAOF: starts (or schedules) a background rewrite of the append-only file through
// AofView (ServerView::aof()); commands do not link the persistence module.
#include "gannet/commands/aof_view.h"
#include "gannet/commands/command_table.h"

namespace gannet {
namespace {

void CmdBgRewriteAof(CmdArgs, CommandContext& ctx) {
  AofView* aof = ctx.server.aof();
  if (aof == nullptr) {
    ctx.reply.SendError("ERR append only file is not available");
    return;
  }
  bool ok = false;
  std::string text = aof->BackgroundRewrite(/*in_exec=*/ctx.cannot_block, &ok);
  if (ok) {
    ctx.reply.SendSimple(text);
  } else {
    ctx.reply.SendError(text);
  }
}

}  // namespace

void RegisterAofFamily(CommandTable& t) {
  t.Register(
      {.name = "bgrewriteaof",
       .arity = 1,
       .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading,
       .acl_categories = 0,
       .handler = CmdBgRewriteAof,
       .doc = {"Asynchronously rewrite the append-only file to disk", "1.0.0", "server", "O(1)"}});
}

}  // namespace gannet
