// Runs one command: existence, arity and authentication checks in Redis's order
// (unknown -> arity -> NOAUTH), one clock reading, the handler, and the counters behind
// INFO stats/commandstats. It never decides whether a reply reaches the client (CLIENT
// REPLY is the connection's business).
#include "gannet/commands/dispatcher.h"

#include "blocking.h"
#include "command_gates.h"
#include "error_text.h"
#include "gannet/engine/pubsub.h"
#include "introspection.h"
#include "transaction.h"

namespace gannet {

Dispatcher::Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server)
    : table_(table),
      keyspace_(keyspace),
      server_(server),
      blocking_(std::make_unique<BlockingRegistry>(keyspace, *this)),
      pubsub_(std::make_unique<PubSub>()),
      transactions_(std::make_unique<Transactions>(keyspace)),
      introspection_(std::make_unique<Introspection>()) {}

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

void Dispatcher::OnClientClosed(ClientView& client) {
  blocking_->RemoveClient(client.id());
  ResetClient(client);
}

void Dispatcher::ResetClient(ClientView& client) {
  ClientSession& s = client.session();
  s.in_multi = false;
  s.multi_error = false;
  s.queued.clear();
}

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

void Dispatcher::Reject(const CommandSpec* spec, ClientView& client, ReplyBuilder& reply,
                        std::string_view error) {
  reply.SendError(error);
  if (spec != nullptr) ++spec->stats.rejected_calls;
  ++stats_.total_error_replies;
  if (client.session().in_multi) FlagTransactionError(client);
}

void Dispatcher::Run(CmdArgs args, ClientView& client, ReplyBuilder& reply, bool rerun) {
  if (args.empty()) return;
  const uint64_t errors_before = reply.errors_sent();

  const CommandSpec* spec = table_.Find(args[0]);
  if (spec == nullptr) return Reject(nullptr, client, reply, UnknownCommandText(args));
  // A container with no subcommand argument is checked (and fails) on its own arity.
  if (spec->is_container() && args.size() >= 2) {
    const CommandSpec* sub = table_.FindSub(*spec, args[1]);
    if (sub == nullptr) {
      return Reject(nullptr, client, reply, UnknownSubcommandText(args[0], args[1]));
    }
    spec = sub;
  }
  if (!ArityOk(*spec, args.size()) || spec->handler == nullptr) {
    return Reject(spec, client, reply, WrongArityText(spec->name));
  }
  if (!client.authenticated() && !(spec->flags & kCmdNoAuth)) {
    return Reject(spec, client, reply, kNoAuthErr);
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
  ctx.dispatcher = this;

  // processCommand's gates, in Redis's order; each is called only when its feature is
  // active. A refusal inside MULTI makes EXEC abort.
  ClientSession& session = client.session();
  const bool gated =
      (server_.config().maxmemory > 0 && !PassesMemoryGate(*spec, ctx)) ||
      (server_.persistence_gate_active() && !PassesPersistenceGate(*spec, ctx)) ||
      (session.subscriptions + session.shard_subscriptions > 0 &&
       client.resp_version() == RespVersion::kResp2 && !PassesSubscribedModeGate(*spec, ctx));
  if (gated) {
    ++spec->stats.rejected_calls;
    stats_.total_error_replies += reply.errors_sent() - errors_before;
    if (session.in_multi) FlagTransactionError(client);
    return;
  }
  if (session.in_multi && QueueInTransaction(*spec, ctx)) return;

  const uint64_t blocks_before = blocking_->blocks_started();
  const BlockingRegistry::Rerun* rr = blocking_->current_rerun();
  const uint64_t dirty_before = keyspace_.dirty();
  spec->handler(args, ctx);
  const int64_t elapsed_us = clock.NowUs() - start_us;
  // Blocking commands signal their own destinations (BLMOVE).
  if (blocking_->has_waiters() && (spec->flags & (kCmdWrite | kCmdBlocking)) == kCmdWrite) {
    SignalWrittenKeys(*spec, args, *blocking_);
  }
  if (propagation_ != nullptr && keyspace_.dirty() != dirty_before) Propagate(ctx);
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
  AfterCommand(*spec, ctx, elapsed_us);
}

void Dispatcher::Propagate(CommandContext& ctx) {
  const int db = ctx.client.db_index();
  if (ctx.propagate.empty()) {
    propagation_->Propagate(db, ctx.args);
    return;
  }
  std::vector<std::string_view> views;
  for (const auto& cmd : ctx.propagate) {
    views.assign(cmd.begin(), cmd.end());
    propagation_->Propagate(db, CmdArgs(views.data(), views.size()));
  }
}

}  // namespace gannet
