// MULTI, EXEC, DISCARD, WATCH and UNWATCH, plus the two dispatcher gates of a transaction
// (QueueInTransaction, FlagTransactionError). The WATCH registry is Transactions
// (transaction.h), owned by the Dispatcher.
//
// Inside MULTI the dispatcher first checks existence, arity, authentication and its gates;
// a refusal there flags the transaction (EXEC then aborts with EXECABORT). What passes is
// queued as sent, except the commands Redis runs at once (MULTI, EXEC, DISCARD, WATCH,
// QUIT, RESET) and no_multi ones, which are refused. EXEC runs each queued command through
// Dispatcher::Execute, nested, so blocking commands answer as on timeout, every command is
// counted and propagated on its own, and a runtime error rolls nothing back.
#include <string>
#include <string_view>
#include <vector>

#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "transaction.h"

namespace gannet {

namespace {

// Commands run immediately even inside MULTI (Redis's processCommand exceptions).
bool RunsInsideMulti(const CommandSpec& spec) {
  const std::string_view n = spec.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

void CmdMulti(CmdArgs, CommandContext& ctx) {
  ClientSession& s = ctx.client.session();
  if (s.in_multi) {
    ctx.reply.SendError(kMultiNestedErr);
    return;
  }
  s.in_multi = true;
  s.multi_error = false;
  s.queued.clear();
  ctx.reply.SendOk();
}

void CmdDiscard(CmdArgs, CommandContext& ctx) {
  if (!ctx.client.session().in_multi) {
    ctx.reply.SendError(kDiscardWithoutMultiErr);
    return;
  }
  ctx.dispatcher->transactions().EndTransaction(ctx.client);
  ctx.reply.SendOk();
}

void CmdExec(CmdArgs, CommandContext& ctx) {
  ClientSession& s = ctx.client.session();
  if (!s.in_multi) {
    ctx.reply.SendError(kExecWithoutMultiErr);
    return;
  }
  Transactions& tx = ctx.dispatcher->transactions();
  if (s.multi_error) {
    tx.EndTransaction(ctx.client);
    ctx.reply.SendError(kExecAbortErr);
    return;
  }
  if (!tx.WatchIntact(ctx.client)) {
    tx.EndTransaction(ctx.client);
    ctx.reply.SendNullArray();
    return;
  }
  // Leave MULTI (and unwatch: the transaction's own writes must not matter) before running.
  std::vector<std::vector<std::string>> queued = std::move(s.queued);
  tx.EndTransaction(ctx.client);

  // The replies are captured and sent after the array header. A separate builder also
  // keeps the queued commands' errors out of EXEC's own count: Redis counts EXEC as
  // failed only when it aborts.
  std::string captured;
  ReplyBuilder inner(&captured, ctx.reply.version());
  std::vector<std::string_view> argv;
  for (const auto& cmd : queued) {
    argv.assign(cmd.begin(), cmd.end());
    inner.set_version(ctx.client.resp_version());  // HELLO inside the transaction
    ctx.dispatcher->Execute(CmdArgs(argv.data(), argv.size()), ctx.client, inner);
  }
  ctx.reply.SendArrayLen(queued.size());
  ctx.reply.SendRaw(captured);
}

void CmdWatch(CmdArgs args, CommandContext& ctx) {
  ClientSession& s = ctx.client.session();
  if (s.in_multi) {
    ctx.reply.SendError(kWatchInsideMultiErr);
    return;
  }
  // A broken watch cannot be repaired: no point in watching more (as Redis).
  if (!s.watch_broken) {
    Transactions& tx = ctx.dispatcher->transactions();
    Database& db = ctx.db();
    for (size_t i = 1; i < args.size(); ++i) {
      // The lookup reclaims a key that already expired, so a watch starts on a live key
      // or on none (Redis instead flags "expired at WATCH"; the outcomes are the same).
      const bool exists = db.FindNoTouch(args[i]) != nullptr;
      if (s.watch_broken) break;  // the reclaim broke an earlier watch of this client
      tx.Watch(ctx.client, ctx.client.db_index(), args[i], exists);
    }
  }
  ctx.reply.SendOk();
}

void CmdUnwatch(CmdArgs, CommandContext& ctx) {
  ctx.dispatcher->transactions().UnwatchAll(ctx.client);
  ctx.client.session().watch_broken = false;
  ctx.reply.SendOk();
}

}  // namespace

bool QueueInTransaction(const CommandSpec& spec, CommandContext& ctx) {
  if (RunsInsideMulti(spec)) return false;
  ClientSession& s = ctx.client.session();
  if (spec.flags & kCmdNoMulti) {
    ctx.reply.SendError(kNotAllowedInMultiErr);
    s.multi_error = true;
    return true;
  }
  std::vector<std::string>& cmd = s.queued.emplace_back();
  cmd.reserve(ctx.args.size());
  for (std::string_view a : ctx.args) cmd.emplace_back(a);
  ctx.reply.SendSimple("QUEUED");
  return true;
}

void FlagTransactionError(ClientView& client) {
  ClientSession& s = client.session();
  if (s.in_multi) s.multi_error = true;
}

std::string ExecRefusalText(std::string_view error) {
  if (error.starts_with("ERR ")) error.remove_prefix(4);
  std::string text(kExecAbortPrefix);
  text.append(error);
  return text;
}

void RewriteExecRefusal(ClientView& client, Transactions& tx, std::string* out, size_t from) {
  tx.EndTransaction(client);
  if (out == nullptr || from >= out->size() || (*out)[from] != '-') return;
  std::string_view tail(*out);
  tail.remove_prefix(from + 1);
  if (!tail.ends_with("\r\n")) return;
  tail.remove_suffix(2);
  if (tail.find('\r') != std::string_view::npos) return;  // more than one line: leave it
  std::string text = ExecRefusalText(tail);
  out->resize(from + 1);
  out->append(text);
  out->append("\r\n");
}

void RegisterTransactionFamily(CommandTable& t) {
  constexpr uint32_t kNsLs = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kNsLsFB = kNsLs | kCmdFast | kCmdAllowBusy;
  constexpr uint64_t kT = kAclTransaction;
  constexpr std::string_view kTx = "transactions";
  constexpr std::string_view kO1 = "O(1)";

  t.Register({.name = "multi",
              .arity = 1,
              .flags = kNsLsFB,
              .acl_categories = kT,
              .handler = CmdMulti,
              .doc = {"Starts a transaction.", "1.2.0", kTx, kO1}});
  t.Register({.name = "exec",
              .arity = 1,
              .flags = kNsLs | kCmdSkipSlowlog,
              .acl_categories = kT,
              .handler = CmdExec,
              .doc = {"Executes all commands in a transaction.", "1.2.0", kTx,
                      "Depends on commands in the transaction"}});
  t.Register({.name = "discard",
              .arity = 1,
              .flags = kNsLsFB,
              .acl_categories = kT,
              .handler = CmdDiscard,
              .doc = {"Discards a transaction.", "2.0.0", kTx,
                      "O(N), when N is the number of queued commands"}});
  t.Register({.name = "watch",
              .arity = -2,
              .flags = kNsLsFB,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kT,
              .handler = CmdWatch,
              .doc = {"Monitors changes to keys to determine the execution of a transaction.",
                      "2.2.0", kTx, "O(1) for every key."}});
  t.Register({.name = "unwatch",
              .arity = 1,
              .flags = kNsLsFB,
              .acl_categories = kT,
              .handler = CmdUnwatch,
              .doc = {"Forgets about watched keys of a transaction.", "2.2.0", kTx, kO1}});
}

}  // namespace gannet
