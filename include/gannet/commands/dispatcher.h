// Runs one parsed command: looks it up in the table, checks existence, arity and
// authentication in Redis's order, takes the clock reading, calls the handler and
// keeps per-command statistics (INFO commandstats).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "gannet/commands/command.h"
#include "gannet/commands/command_table.h"

namespace gannet {

struct DispatchStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_error_replies = 0;
};

class BlockingRegistry;
class PubSub;
class Transactions;
class Tracking;
class Introspection;
class Acl;

// Where a command's changes go after it ran (the AOF; replicas later). The server sets
// one when appendonly is on.
class PropagationSink {
 public:
  virtual ~PropagationSink() = default;
  // One command as it is to be replayed, in database `db`.
  virtual void Propagate(int db, CmdArgs args) = 0;
  // The same for a command run from inside another one (EXEC's queued commands); the
  // outer command's own Propagate follows when it has finished, so a sink can wrap the
  // nested ones (the AOF writes MULTI ... EXEC around them, as Redis).
  virtual void PropagateNested(int db, CmdArgs args) { Propagate(db, args); }
};

class Dispatcher {
 public:
  Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server);
  ~Dispatcher();

  // Executes args (args[0] = name) for client, writing the reply with `reply`. A command
  // run from inside another one (EXEC, scripts) cannot block; after the outermost command
  // the commands of clients blocked on keys it made ready are re-run (blocking.h).
  //
  // batch_clock_us chains the clock readings of the commands a client pipelined: a
  // command starts at the reading that ended the one before it (when *batch_clock_us >= 0)
  // and leaves its own end reading there, so a batch of n commands reads the clock n + 1
  // times rather than 2n (the reading is a measurable part of a pipelined command's
  // cost). Between two commands of a batch only the next one is parsed, so its "now" is
  // as fresh as a reading of its own. The caller sets -1 to start a batch; nullptr reads
  // the clock twice per command.
  void Execute(CmdArgs args, ClientView& client, ReplyBuilder& reply,
               int64_t* batch_clock_us = nullptr);

  const CommandTable& table() const { return table_; }
  DispatchStats& stats() { return stats_; }

  // ---- blocking commands (src/commands/blocking.h) ----
  BlockingRegistry& blocking() { return *blocking_; }
  size_t blocked_clients() const;
  // The client disconnected: every feature forgets it (blocked, subscriptions, WATCH,
  // MONITOR, tracking).
  void OnClientClosed(ClientView& client);
  // RESET: the client leaves MULTI, unwatches, unsubscribes, stops monitoring/tracking.
  void ResetClient(ClientView& client);
  // Times out blocked clients whose deadline passed (the server's timer and cron), and
  // serves keys made ready outside a command. Returns the earliest remaining deadline, 0
  // if none.
  int64_t ExpireBlocked(int64_t now_ms);
  // hook(deadline_ms) each time a client blocks with a deadline: arm a timer for it.
  void set_block_deadline_hook(std::function<void(int64_t)> hook);
  // For the registry: re-runs a blocked client's command (ctx.rerun = true).
  void RunBlocked(CmdArgs args, ClientView& client, ReplyBuilder& reply);

  // ---- server-wide state of the features in the commands module ----
  PubSub& pubsub() { return *pubsub_; }
  Transactions& transactions() { return *transactions_; }
  Tracking& tracking() { return *tracking_; }
  Introspection& introspection() { return *introspection_; }
  Acl& acl() { return *acl_; }
  // nullptr: changes are not propagated (no AOF).
  void set_propagation_sink(PropagationSink* sink) { propagation_ = sink; }

 private:
  void Run(CmdArgs args, ClientView& client, ReplyBuilder& reply, bool rerun,
           int64_t* batch_clock_us);
  // A refusal before the command runs (unknown, arity, NOAUTH): counted, and it makes a
  // transaction in progress abort.
  void Reject(const CommandSpec* spec, ClientView& client, ReplyBuilder& reply,
              std::string_view error);
  void Propagate(CommandContext& ctx);
  // table_.Find through a small cache of the names as clients spell them: most requests
  // repeat a handful of names, and the cache costs one short compare where Find lowers,
  // hashes and probes. The table's names are fixed once commands run (rename-command
  // applies at startup), so a hit is always what Find would return.
  const CommandSpec* FindCommand(std::string_view name);

  struct NameCacheSlot {
    static constexpr size_t kMaxLen = 22;
    uint8_t len = 0;  // 0: empty
    char name[kMaxLen] = {};
    const CommandSpec* spec = nullptr;
  };
  std::array<NameCacheSlot, 16> name_cache_{};

  const CommandTable& table_;
  Keyspace& keyspace_;
  ServerView& server_;
  DispatchStats stats_;
  std::unique_ptr<BlockingRegistry> blocking_;
  std::unique_ptr<PubSub> pubsub_;
  std::unique_ptr<Transactions> transactions_;
  std::unique_ptr<Tracking> tracking_;
  std::unique_ptr<Introspection> introspection_;
  std::unique_ptr<Acl> acl_;
  PropagationSink* propagation_ = nullptr;
  int depth_ = 0;  // nesting of Execute (EXEC runs commands from inside a command)
};

}  // namespace gannet
