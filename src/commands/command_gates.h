// The checks Redis's processCommand makes between "the command exists and is authorised"
// and "run it", and what happens around the run. Each lives in its feature's file; the
// dispatcher calls them in Redis's order only when a cheap inline test says the feature
// is active, so an idle feature costs the hot path nothing. A gate returns true to let
// the command go on, or false after replying with its error.
#pragma once

#include <cstdint>

#include "gannet/commands/command.h"

namespace gannet {

// ACL: -NOPERM when the client's user may not run the command on these keys or channels,
// logged in ACL LOG (acl_family.cc). Called when the user is restricted.
bool PassesAclGate(const CommandSpec& spec, CommandContext& ctx);

// maxmemory: evicts as the policy says, then refuses denyoom commands with -OOM when
// memory is still over the limit (memory_family.cc). Called when maxmemory > 0.
bool PassesMemoryGate(const CommandSpec& spec, CommandContext& ctx);

// -LOADING while the dataset loads, -MISCONF for writes after a failed background save
// (persistence_family.cc). Called when ServerView::persistence_gate_active().
bool PassesPersistenceGate(const CommandSpec& spec, CommandContext& ctx);

// RESP2 subscribed mode allows only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET
// (pubsub_family.cc). Called when the client has subscriptions and speaks RESP2.
bool PassesSubscribedModeGate(const CommandSpec& spec, CommandContext& ctx);

// Inside MULTI: queues the command and replies +QUEUED, or refuses it (and flags the
// transaction) when it may not be queued; true when the command was consumed this way
// (transaction_family.cc). Called when session().in_multi.
bool QueueInTransaction(const CommandSpec& spec, CommandContext& ctx);

// A command refused before running (unknown, arity, NOAUTH, a gate) while the client is
// in MULTI makes EXEC abort with EXECABORT (transaction_family.cc).
void FlagTransactionError(ClientView& client);

// A MONITOR client may not run commands that read or write keys (Redis treats monitors as
// replicas): -ERR Replica can't interact with the keyspace (introspection.cc). Called when
// session().monitor.
bool PassesMonitorGate(const CommandSpec& spec, CommandContext& ctx);

// After a command ran: SLOWLOG, LATENCY, latencystats and MONITOR feeds
// (introspection.cc). Called for every completed command.
void AfterCommand(const CommandSpec& spec, CommandContext& ctx, int64_t duration_us);

}  // namespace gannet
