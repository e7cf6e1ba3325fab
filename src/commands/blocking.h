// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP,
// XREAD/XREADGROUP BLOCK): how a client waits for keys, how writes wake it, how it times
// out. One registry, owned by the Dispatcher, serves lists, sorted sets and streams.
//
// CONTRACT FOR A BLOCKING COMMAND'S HANDLER
//  1. Parse the timeout with ParseBlockTimeout() (it sends Redis's error and returns false
//     on a bad value) where Redis parses it (BLPOP: before looking at any key).
//  2. Try to serve exactly as the non-blocking form would (first key with data wins).
//  3. If nothing can be served, call BlockClient(ctx, spec) and send NOTHING else. The
//     registry copies the arguments (the handler's views die with the command).
//     - If the client cannot block (ctx.cannot_block: inside MULTI/EXEC or a script, or a
//       ClientView without deferred_reply()), BlockClient sends the timeout reply at once
//       (null array), which is what Redis 7.0 does for a blocking command in MULTI.
//     - A timeout already in the past (not 0) is still a block: the client gets the
//       timeout reply from the timer, a moment later, as in Redis.
//  4. When a watched key may now have data, the registry RE-RUNS the command from the
//     start (with spec.rerun_args if given, else the original arguments) after the
//     command that signalled the key has finished, with ctx.rerun == true and the reply
//     going to the blocked client. Clients are re-run in the order they blocked (per key,
//     and keys in the order they were signalled). If the re-run finds data it replies
//     normally and the client is unblocked. If it still finds nothing it calls
//     BlockClient again: the client stays blocked in its place with its first deadline
//     and nothing is sent. ReadyKey(ctx) names the key that woke it: serve from that key
//     only (Redis 7.0 serves the woken client from the ready key).
//  5. A key wakes a client only when it exists with spec.type (a list for BLPOP, ...):
//     a BLPOP waiter is not woken when its key becomes a sorted set (Redis 7.0 skips
//     it too). With spec.wake_on_delete the client is also re-run when the key is deleted
//     or changes type (XREADGROUP: Redis replies "-UNBLOCKED the stream key no longer
//     exists"; the handler sees ctx.rerun and the missing key and says so).
//  6. Timeout, and CLIENT UNBLOCK id [TIMEOUT]: the null array reply (RESP2 "*-1", RESP3
//     "_"; WAIT: ":0", spec.timeout_reply_zero). Redis 7.0 sends it for every blocking
//     list/zset/stream command, BLMOVE and BRPOPLPUSH included (checked against 7.0.15). CLIENT
//     UNBLOCK id ERROR sends
//     "-UNBLOCKED client unblocked via CLIENT UNBLOCK".
//
// STATISTICS (what redis-server 7.0.15 records; tests/differential/test_introspection.py)
//  - When the command blocks: calls, usec (its first run), total_commands_processed, a
//    LATENCY "command"/"fast-command" sample, MONITOR. No latencystats, no SLOWLOG yet.
//  - Served (the re-run replied): usec += first run + re-run, failed_calls if the reply
//    is an error, latencystats and SLOWLOG (the command as sent, XREAD's "$" included)
//    with that sum, LATENCY "command-unblocking" with the re-run's time. calls is not
//    counted again.
//  - Timed out: nothing more.
//  - CLIENT UNBLOCK (TIMEOUT or ERROR): usec += first run, failed_calls + 1 (for TIMEOUT
//    too), latencystats, and a SLOWLOG entry WITHOUT arguments (Redis has freed them by
//    then) under the blocked client's address and name. ERROR also counts the error reply
//    (errorstat_UNBLOCKED, total_error_replies).
//  7. A client that disconnects while blocked is forgotten (Dispatcher::OnClientClosed).
//
// CONTRACT FOR WRITERS
//  - After adding data to a list, sorted set or stream (LPUSH, RPUSH, LMOVE/BLMOVE's
//    destination, ZADD, ZINCRBY, XADD, ...) call SignalKeyReady(ctx, key) (it is one
//    branch when nobody is blocked). Signalling a key that turns out empty or of another
//    type is harmless: the re-run finds nothing and stays blocked.
//  - Safety net: while any client is blocked, the dispatcher also signals every key in
//    the legacy key range (first/last/step) of each write command it runs, in every
//    database (MOVE, COPY ... DB). So RENAME, COPY, RESTORE, SMOVE-like commands need no
//    code. A destination outside that range (SORT ... STORE, GEORADIUS ... STORE) must be
//    signalled explicitly. SWAPDB, FLUSHDB, FLUSHALL signal every watched key.
//
// CLIENT SIDE (src/server/connection.cc; the test harness's FakeClient)
//  - ClientView::deferred_reply(): where a reply produced outside the client's own command
//    goes (a re-run's reply, a timeout). set_blocked(true/false) brackets the wait: while
//    blocked the connection executes no further pipelined command; after set_blocked(false)
//    it sends the deferred reply and resumes, from its event loop (never inside the call).
//
// Time: deadlines are absolute Unix milliseconds on the keyspace clock. The server arms one
// timer at the earliest deadline (Dispatcher::set_block_deadline_hook); a blocked client
// costs nothing while it waits.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gannet/commands/command.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/value.h"

namespace gannet {

class Dispatcher;

// What a handler that found no data asks for.
struct BlockSpec {
  std::span<const std::string_view> keys;  // watched keys, in the client's database
  int64_t deadline_ms = 0;                 // absolute Unix ms (ParseBlockTimeout); 0: forever
  ValueType type = ValueType::kList;       // a key of this type wakes the client
  bool wake_on_delete = false;             // also re-run when a watched key goes away
  // Arguments to re-run instead of the original command, e.g. XREAD ... STREAMS s $
  // with "$" replaced by the stream's last id at block time. Empty: the original ones.
  std::vector<std::string> rerun_args;
  // WAIT: the timeout (and CLIENT UNBLOCK ... TIMEOUT) reply is ":0", the replicas that
  // acknowledged (none: Gannet has no replication), not the null array. With no keys the
  // client only waits for its deadline.
  bool timeout_reply_zero = false;
};

enum class TimeoutUnit : uint8_t { kSeconds, kMilliseconds };

// Parses a blocking timeout as Redis 7.0 does and turns it into an absolute deadline
// (0 = block forever). Seconds accept a float with sub-millisecond precision rounded up
// ("0.0001" waits 1 ms); milliseconds (XREAD BLOCK) must be an integer. On error sends
// "ERR timeout is not a float or out of range" / "ERR timeout is not an integer or out of
// range" / "ERR timeout is negative" and returns false. A timeout too large to add to now
// blocks forever.
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, TimeoutUnit unit,
                       int64_t* deadline_ms);

// Blocks the calling client (see the contract above). Sends nothing unless the client
// cannot block, in which case it sends the timeout reply.
void BlockClient(CommandContext& ctx, const BlockSpec& spec);

// On a re-run (ctx.rerun), the key whose readiness triggered it; nullptr otherwise. As
// Redis 7.0 serves a woken client from the key that became ready (not from the first of
// its keys that has data), a re-run should look at this key only: BLPOP a b woken by b
// pops from b even if a also holds data, and stays blocked if b is not servable.
const std::string_view* ReadyKey(const CommandContext& ctx);

// Marks key (in the client's current database, or in `db`) as possibly able to serve
// blocked clients after the current command.
void SignalKeyReady(CommandContext& ctx, std::string_view key);
void SignalKeyReady(CommandContext& ctx, int db, std::string_view key);

// How CLIENT UNBLOCK ends the wait.
enum class UnblockHow : uint8_t { kTimeout, kError };

// The registry. Single-threaded (the engine thread). Owned by the Dispatcher; handlers
// reach it through the free functions above (ctx.blocking).
class BlockingRegistry final : public KeyspaceListener {
 public:
  BlockingRegistry(Keyspace& keyspace, Dispatcher& dispatcher);
  ~BlockingRegistry() override;
  BlockingRegistry(const BlockingRegistry&) = delete;
  BlockingRegistry& operator=(const BlockingRegistry&) = delete;

  bool has_waiters() const { return !clients_.empty(); }
  size_t blocked_clients() const { return clients_.size(); }
  // Blocked clients with a deadline (INFO clients_in_timeout_table).
  size_t clients_with_deadline() const { return deadlines_.size(); }
  bool IsBlocked(uint64_t client_id) const { return clients_.count(client_id) != 0; }
  // Keys with at least one waiter (INFO's blocked_keys-like figures, tests).
  size_t watched_keys() const { return keys_.size(); }

  // See BlockClient(). args: the command as sent (copied unless spec.rerun_args is set).
  void Block(CommandContext& ctx, CmdArgs args, const BlockSpec& spec);
  void SignalKeyReady(int db, std::string_view key);
  // Signals `key` in every database where someone waits on it (dispatcher safety net).
  void SignalKeyAnyDb(std::string_view key);
  // Signals every watched key (SWAPDB, FLUSHALL, ...).
  void SignalAll();
  bool has_ready_keys() const { return !ready_.empty(); }

  // Re-runs the commands of clients blocked on ready keys until no key is ready. The
  // dispatcher calls it after each top-level command.
  void ServeReadyKeys();
  // Sends the timeout reply to every client whose deadline is <= now_ms. Returns how many.
  size_t ExpireTimeouts(int64_t now_ms);
  // The earliest deadline of a blocked client, or 0 when none has one.
  int64_t NextDeadline() const;
  // CLIENT UNBLOCK: true if client_id was blocked (and is now unblocked with a reply).
  bool Unblock(uint64_t client_id, UnblockHow how);
  // The dispatcher, right after a command blocked: how long its first run took.
  void NoteFirstRun(uint64_t client_id, int64_t duration_us);
  // The client went away: forget it without a reply.
  void RemoveClient(uint64_t client_id);

  // Called with a deadline each time a client blocks with one (the server arms a timer).
  void set_deadline_hook(std::function<void(int64_t)> hook) { deadline_hook_ = std::move(hook); }

  // Set by the dispatcher while it re-runs a blocked command: BlockClient then keeps the
  // client in place instead of blocking it anew.
  struct Rerun {
    uint64_t client_id = 0;
    std::string_view key;  // the ready key that triggered the re-run
    bool blocked_again = false;
    int64_t first_run_us = 0;  // the blocking run's duration (statistics)
    CmdArgs shown_args;        // the command as the client sent it (SLOWLOG)
  };
  Rerun* current_rerun() { return rerun_; }

  // KeyspaceListener (registered only while a wake_on_delete waiter exists): a deleted
  // or expired key wakes its waiters.
  void OnKeyDeleted(int db, std::string_view key) override;
  void OnKeyExpired(int db, std::string_view key) override;

  // Clients that started blocking so far (the dispatcher compares it around a command to
  // tell whether the command blocked).
  uint64_t blocks_started() const { return blocks_started_; }
  // Error replies sent by CLIENT UNBLOCK ... ERROR so far. Redis marks the command during
  // which an error reply was sent as failed, whoever got it: CLIENT UNBLOCK itself here.
  uint64_t unblock_errors() const { return unblock_errors_; }

 private:
  struct Waiter;
  struct DbKey {
    int db;
    std::string key;
    bool operator==(const DbKey& o) const { return db == o.db && key == o.key; }
  };
  struct DbKeyHash {
    size_t operator()(const DbKey& k) const {
      return std::hash<std::string_view>()(k.key) ^
             (static_cast<size_t>(k.db) * 0x9e3779b97f4a7c15ull);
    }
  };
  using WaitList = std::list<Waiter*>;

  void Unlink(Waiter* w);  // removes w from every index and deletes it
  enum class EndHow : uint8_t { kDeadline, kUnblockTimeout, kUnblockError };
  void Finish(uint64_t client_id, EndHow how);
  bool KeyServes(const Waiter& w, const DbKey& key);
  void ServeKey(const DbKey& key);

  Keyspace& keyspace_;
  Dispatcher& dispatcher_;
  std::unordered_map<uint64_t, std::unique_ptr<Waiter>> clients_;
  std::unordered_map<DbKey, WaitList, DbKeyHash> keys_;
  // Databases waited on, per key name (for SignalKeyAnyDb): name -> count per db.
  std::unordered_map<std::string, std::vector<int>> names_;
  std::set<std::pair<int64_t, uint64_t>> deadlines_;  // (deadline, client id)
  std::vector<DbKey> ready_;
  std::unordered_set<DbKey, DbKeyHash> ready_set_;
  std::function<void(int64_t)> deadline_hook_;
  Rerun* rerun_ = nullptr;
  uint64_t blocks_started_ = 0;
  uint64_t unblock_errors_ = 0;
  size_t delete_listeners_ = 0;  // waiters with wake_on_delete
  bool serving_ = false;
};

}  // namespace gannet
