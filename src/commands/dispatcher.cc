// Runs one command: existence, arity and authentication checks in Redis's order
// (unknown -> arity -> NOAUTH), one clock reading, the handler, and the counters behind
// INFO stats/commandstats. It never decides whether a reply reaches the client (CLIENT
// REPLY is the connection's business).
#include "gannet/commands/dispatcher.h"

#include <cstring>

#include "blocking.h"
#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/acl.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/engine/pubsub.h"
#include "introspection.h"
#include "pubsub.h"
#include "tracking.h"
#include "transaction.h"

namespace gannet {

Dispatcher::Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server)
    : table_(table),
      keyspace_(keyspace),
      server_(server),
      blocking_(std::make_unique<BlockingRegistry>(keyspace, *this)),
      pubsub_(std::make_unique<PubSub>(keyspace, server.config(), MakeClientPubSubDelivery())),
      transactions_(std::make_unique<Transactions>(keyspace)),
      tracking_(std::make_unique<Tracking>(keyspace, server)),
      introspection_(std::make_unique<Introspection>(&table)),
      acl_(std::make_unique<Acl>(table)) {}

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

const CommandSpec* Dispatcher::FindCommand(std::string_view name) {
  if (name.empty() || name.size() > NameCacheSlot::kMaxLen) return table_.Find(name);
  const auto first = static_cast<unsigned char>(name.front());
  const auto last = static_cast<unsigned char>(name.back());
  NameCacheSlot& slot = name_cache_[(first + last * 3 + name.size()) % name_cache_.size()];
  if (slot.len == name.size() && std::memcmp(slot.name, name.data(), name.size()) == 0) {
    return slot.spec;
  }
  const CommandSpec* spec = table_.Find(name);
  if (spec != nullptr) {  // unknown names are not cached: a client cannot flood the slots
    slot.len = static_cast<uint8_t>(name.size());
    std::memcpy(slot.name, name.data(), name.size());
    slot.spec = spec;
  }
  return spec;
}

size_t Dispatcher::blocked_clients() const { return blocking_->blocked_clients(); }

void Dispatcher::OnClientClosed(ClientView& client) {
  blocking_->RemoveClient(client.id());
  tracking_->ForgetClient(client, /*closing=*/true);  // also no longer a redirect target
  ResetClient(client);
}

void Dispatcher::ResetClient(ClientView& client) {
  ForgetPubSubClient(*pubsub_, client);
  transactions_->EndTransaction(client);  // leaves MULTI, unwatches
  tracking_->ForgetClient(client, /*closing=*/false);
  if (client.session().monitor) introspection_->RemoveMonitor(client);
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

void Dispatcher::Execute(CmdArgs args, ClientView& client, ReplyBuilder& reply,
                         int64_t* batch_clock_us) {
  ++depth_;
  Run(args, client, reply, /*rerun=*/false, depth_ == 1 ? batch_clock_us : nullptr);
  --depth_;
  if (depth_ == 0 && blocking_->has_ready_keys()) {
    blocking_->ServeReadyKeys();
    // Other clients' commands ran since the reading: the next command reads its own.
    if (batch_clock_us != nullptr) *batch_clock_us = -1;
  }
}

void Dispatcher::RunBlocked(CmdArgs args, ClientView& client, ReplyBuilder& reply) {
  ++depth_;
  Run(args, client, reply, /*rerun=*/true, /*batch_clock_us=*/nullptr);
  --depth_;
}

void Dispatcher::Reject(const CommandSpec* spec, ClientView& client, ReplyBuilder& reply,
                        std::string_view error) {
  if (spec != nullptr && spec->name == "exec") {
    // EXEC refused aborts the transaction with EXECABORT (transaction.h).
    reply.SendError(ExecRefusalText(error));
    transactions_->EndTransaction(client);
  } else {
    reply.SendError(error);
  }
  if (spec != nullptr) ++spec->stats.rejected_calls;
  ++stats_.total_error_replies;
  introspection_->CountError(reply.last_error_code());
  if (client.session().in_multi) FlagTransactionError(client);
}

void Dispatcher::Run(CmdArgs args, ClientView& client, ReplyBuilder& reply, bool rerun,
                     int64_t* batch_clock_us) {
  if (args.empty()) return;
  const uint64_t errors_before = reply.errors_sent();

  const CommandSpec* spec = FindCommand(args[0]);
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
  // duration (as Redis's call() measures with ustime()); a second one ends it. In a
  // pipelined batch the first is the previous command's second (Execute).
  const Clock& clock = keyspace_.clock();
  const int64_t start_us =
      batch_clock_us != nullptr && *batch_clock_us >= 0 ? *batch_clock_us : clock.NowUs();
  if (batch_clock_us != nullptr) *batch_clock_us = start_us;
  const int64_t now_ms = start_us / 1000;
  keyspace_.set_now_ms(now_ms);
  CommandContext ctx{keyspace_, reply, client, server_, now_ms, spec, &table_};
  ctx.blocking = blocking_.get();
  ctx.args = args;
  ctx.cannot_block = depth_ > 1 && !rerun;
  ctx.rerun = rerun;
  ctx.dispatcher = this;
  ctx.propagating = propagation_ != nullptr;

  // processCommand's gates, in Redis's order; each is called only when its feature is
  // active. A refusal inside MULTI makes EXEC abort.
  ClientSession& session = client.session();
  const size_t out_before = reply.out()->size();  // EXEC's refusal is rewritten (EXECABORT)
  const AclUser* user = session.acl_user != nullptr ? session.acl_user : &acl_->default_user();
  // EXEC's queued commands passed the other gates when queued and run without them, as in
  // Redis (a SUBSCRIBE inside the transaction does not stop the commands after it); ACL
  // is checked again.
  const bool gated =
      (!user->unrestricted && !PassesAclGate(*spec, ctx)) ||
      (!ctx.cannot_block &&
       // No eviction while the dataset loads (as Redis's isSafeToPerformEvictions).
       ((server_.config().maxmemory > 0 &&
         !(server_.persistence_gate_active() && server_.persistence()->loading()) &&
         !PassesMemoryGate(*spec, ctx)) ||
        (server_.persistence_gate_active() && !PassesPersistenceGate(*spec, ctx)) ||
        (session.subscriptions + session.shard_subscriptions > 0 &&
         client.resp_version() == RespVersion::kResp2 && !PassesSubscribedModeGate(*spec, ctx)) ||
        (session.monitor && !PassesMonitorGate(*spec, ctx))));
  if (gated) {
    ++spec->stats.rejected_calls;
    stats_.total_error_replies += reply.errors_sent() - errors_before;
    introspection_->CountError(reply.last_error_code(), reply.errors_sent() - errors_before);
    if (session.in_multi) FlagTransactionError(client);
    if (spec->name == "exec") RewriteExecRefusal(client, *transactions_, reply.out(), out_before);
    return;
  }
  if (session.in_multi && QueueInTransaction(*spec, ctx)) return;

  const uint64_t blocks_before = blocking_->blocks_started();
  const uint64_t unblock_errors_before = blocking_->unblock_errors();
  const BlockingRegistry::Rerun* rr = blocking_->current_rerun();
  const uint64_t dirty_before = keyspace_.dirty();
  // Client-side caching: who is running (NOLOOP, replies before invalidations), then the
  // keys a tracking client read. Only while some client tracks.
  const bool tracking = tracking_->active();
  if (tracking) tracking_->BeforeCommand(client, *spec);
  // CLIENT NO-TOUCH (read before the handler, which may turn it off).
  const bool no_touch = session.no_touch;
  if (no_touch) keyspace_.set_no_touch(spec->name != "touch");
  spec->handler(args, ctx);
  if (no_touch) keyspace_.set_no_touch(false);
  if (tracking) tracking_->AfterCommand(*spec, ctx, depth_);
  const int64_t end_us = clock.NowUs();
  if (batch_clock_us != nullptr) *batch_clock_us = end_us;
  const int64_t elapsed_us = end_us - start_us;
  // Blocking commands signal their own destinations (BLMOVE).
  if (blocking_->has_waiters() && (spec->flags & (kCmdWrite | kCmdBlocking)) == kCmdWrite) {
    SignalWrittenKeys(*spec, args, *blocking_);
  }
  // EXEC's commands propagated themselves (nested: the sink wraps them in MULTI/EXEC).
  if (propagation_ != nullptr && (keyspace_.dirty() != dirty_before || ctx.force_propagation) &&
      spec->name != "exec") {
    Propagate(ctx);
  }
  // A blocked command's statistics as Redis 7.0 keeps them (blocking.h): the call when it
  // blocks, the rest when it ends; a re-run that finds nothing counts nothing.
  const bool blocked =
      blocking_->blocks_started() != blocks_before || (rr != nullptr && rr->blocked_again);
  if (blocked && rerun) return;
  CommandStats& st = spec->stats;
  const uint64_t errors = reply.errors_sent() - errors_before;
  if (errors > 0) {
    stats_.total_error_replies += errors;
    introspection_->CountError(reply.last_error_code(), errors);
  }
  if (rerun && rr != nullptr) {
    introspection_->OnUnblocked(*spec, client, server_.config(), rr->shown_args, now_ms,
                                rr->first_run_us, elapsed_us, errors > 0);
    return;
  }
  ++st.calls;
  st.usec += elapsed_us > 0 ? static_cast<uint64_t>(elapsed_us) : 0;
  ++stats_.total_commands_processed;
  if (errors > 0 || blocking_->unblock_errors() != unblock_errors_before) ++st.failed_calls;
  if (blocked) {
    blocking_->NoteFirstRun(client.id(), elapsed_us);
    introspection_->OnCommandBlocked(*spec, ctx, elapsed_us);  // MONITOR shows it now
    return;
  }
  AfterCommand(*spec, ctx, elapsed_us);
}

void Dispatcher::Propagate(CommandContext& ctx) {
  const int db = ctx.client.db_index();
  const bool nested = depth_ > 1;  // run by EXEC
  if (ctx.propagate.empty()) {
    if (nested) {
      propagation_->PropagateNested(db, ctx.args);
    } else {
      propagation_->Propagate(db, ctx.args);
    }
    return;
  }
  // An empty entry only keeps the command's own arguments out (stream_family.cc). Several
  // commands recorded for one are a transaction in the AOF, as Redis wraps them (inside
  // EXEC the sink's own MULTI block holds them already).
  size_t count = 0;
  for (const auto& cmd : ctx.propagate) count += cmd.empty() ? 0 : 1;
  const bool wrap = !nested && count > 1;
  static constexpr std::string_view kMulti[] = {"MULTI"};
  static constexpr std::string_view kExec[] = {"EXEC"};
  if (wrap) propagation_->Propagate(db, CmdArgs(kMulti));
  std::vector<std::string_view> views;
  for (const auto& cmd : ctx.propagate) {
    if (cmd.empty()) continue;
    views.assign(cmd.begin(), cmd.end());
    if (nested) {
      propagation_->PropagateNested(db, CmdArgs(views.data(), views.size()));
    } else {
      propagation_->Propagate(db, CmdArgs(views.data(), views.size()));
    }
  }
  if (wrap) propagation_->Propagate(db, CmdArgs(kExec));
}

}  // namespace gannet
