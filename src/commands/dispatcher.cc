// Runs one command: existence, arity and authentication checks in Redis's order
// (unknown -> arity -> NOAUTH), one clock reading, the handler, and the counters behind
// INFO stats/commandstats. It never decides whether a reply reaches the client (CLIENT
// REPLY is the connection's business).
#include "gannet/commands/dispatcher.h"

#include "blocking.h"
#include "error_text.h"

namespace gannet {

Dispatcher::Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server)
    : table_(table),
      keyspace_(keyspace),
      server_(server),
      blocking_(std::make_unique<BlockingRegistry>(keyspace, *this)) {}

Dispatcher::~Dispatcher() = default;

namespace {

bool ArityOk(const CommandSpec& spec, size_t argc) {
  if (spec.arity >= 0) return argc == static_cast<size_t>(spec.arity);
  return argc >= static_cast<size_t>(-static_cast<int64_t>(spec.arity));
}

// The blocking safety net (blocking.h): while some client is blocked, a write command's
// keys may have become servable however it wrote them (RENAME, COPY, RESTORE, MOVE ...).
void SignalWrittenKeys(const CommandSpec& spec, CmdArgs args, BlockingRegistry& blocking) {
  if (spec.first_key <= 0) {
    if (spec.name == "swapdb") blocking.SignalAll();
    return;
  }
  const int64_t argc = static_cast<int64_t>(args.size());
  int64_t last = spec.last_key >= 0 ? spec.last_key : argc + spec.last_key;
  if (last >= argc) last = argc - 1;
  const int64_t step = spec.step > 0 ? spec.step : 1;
  for (int64_t i = spec.first_key; i <= last; i += step) {
    blocking.SignalKeyAnyDb(args[static_cast<size_t>(i)]);
  }
}

}  // namespace

size_t Dispatcher::blocked_clients() const { return blocking_->blocked_clients(); }

void Dispatcher::OnClientClosed(uint64_t client_id) { blocking_->RemoveClient(client_id); }

int64_t Dispatcher::ExpireBlocked(int64_t now_ms) {
  blocking_->ExpireTimeouts(now_ms);
  // Keys made ready outside any command (active expiry deleting a watched stream).
  if (depth_ == 0 && blocking_->has_ready_keys()) blocking_->ServeReadyKeys();
  return blocking_->NextDeadline();
}

void Dispatcher::set_block_deadline_hook(std::function<void(int64_t)> hook) {
  blocking_->set_deadline_hook(std::move(hook));
}

void Dispatcher::Execute(CmdArgs args, ClientView& client, ReplyBuilder& reply) {
  ++depth_;
  Run(args, client, reply, /*rerun=*/false);
  --depth_;
  if (depth_ == 0 && blocking_->has_ready_keys()) blocking_->ServeReadyKeys();
}

void Dispatcher::RunBlocked(CmdArgs args, ClientView& client, ReplyBuilder& reply) {
  ++depth_;
  Run(args, client, reply, /*rerun=*/true);
  --depth_;
}

void Dispatcher::CountBlockedCompletion(const CommandSpec* spec, bool failed) {
  ++stats_.total_commands_processed;
  if (spec == nullptr) return;
  ++spec->stats.calls;
  if (failed) {
    ++spec->stats.failed_calls;
    ++stats_.total_error_replies;
  }
}

void Dispatcher::Run(CmdArgs args, ClientView& client, ReplyBuilder& reply, bool rerun) {
  if (args.empty()) return;
  const uint64_t errors_before = reply.errors_sent();

  const CommandSpec* spec = table_.Find(args[0]);
  if (spec == nullptr) {
    reply.SendError(UnknownCommandText(args));
    ++stats_.total_error_replies;
    return;
  }
  // A container with no subcommand argument is checked (and fails) on its own arity.
  if (spec->is_container() && args.size() >= 2) {
    const CommandSpec* sub = table_.FindSub(*spec, args[1]);
    if (sub == nullptr) {
      reply.SendError(UnknownSubcommandText(args[0], args[1]));
      ++stats_.total_error_replies;
      return;
    }
    spec = sub;
  }
  if (!ArityOk(*spec, args.size()) || spec->handler == nullptr) {
    reply.SendError(WrongArityText(spec->name));
    ++spec->stats.rejected_calls;
    ++stats_.total_error_replies;
    return;
  }
  if (!client.authenticated() && !(spec->flags & kCmdNoAuth)) {
    reply.SendError(kNoAuthErr);
    ++spec->stats.rejected_calls;
    ++stats_.total_error_replies;
    return;
  }

  // One wall-clock reading gives both the command's time snapshot and the start of its
  // duration (as Redis's call() measures with ustime()); a second one ends it.
  const Clock& clock = keyspace_.clock();
  const int64_t start_us = clock.NowUs();
  const int64_t now_ms = start_us / 1000;
  keyspace_.set_now_ms(now_ms);
  CommandContext ctx{keyspace_, reply, client, server_, now_ms, spec, &table_};
  ctx.blocking = blocking_.get();
  ctx.args = args;
  ctx.cannot_block = depth_ > 1 && !rerun;
  ctx.rerun = rerun;

  const uint64_t blocks_before = blocking_->blocks_started();
  const BlockingRegistry::Rerun* rr = blocking_->current_rerun();
  spec->handler(args, ctx);
  const int64_t elapsed_us = clock.NowUs() - start_us;
  // Blocking commands signal their own destinations (BLMOVE).
  if (blocking_->has_waiters() && (spec->flags & (kCmdWrite | kCmdBlocking)) == kCmdWrite) {
    SignalWrittenKeys(*spec, args, *blocking_);
  }
  // A command that blocked (or re-blocked) is counted once, when it completes.
  if (blocking_->blocks_started() != blocks_before || (rr != nullptr && rr->blocked_again)) {
    return;
  }

  CommandStats& st = spec->stats;
  ++st.calls;
  st.usec += elapsed_us > 0 ? static_cast<uint64_t>(elapsed_us) : 0;
  ++stats_.total_commands_processed;
  const uint64_t errors = reply.errors_sent() - errors_before;
  if (errors > 0) {
    ++st.failed_calls;
    stats_.total_error_replies += errors;
  }
}

}  // namespace gannet
