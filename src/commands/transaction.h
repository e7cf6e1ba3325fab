// The WATCH registry: which clients watch which (db, key), and the keyspace listener that
// marks a client's transaction as doomed (ClientSession::watch_broken) when one of its
// watched keys changes. MULTI/EXEC/DISCARD themselves live in transaction_family.cc.
//
// Redis 7.0's rules, all checked against redis-server 7.0.15:
//   - any modification of a watched key breaks the watch, including writes by the watching
//     client itself before MULTI, deletion by expiry (lazy or active) and eviction;
//   - a key alive at WATCH that is logically expired at EXEC breaks it too (EXEC looks the
//     watched keys up: an expired one is reclaimed, which signals it);
//   - FLUSHDB/FLUSHALL break only the watches of keys that existed; SWAPDB those of keys
//     that exist in either database. Whole-database signals carry no key list, so each
//     watch remembers whether its key existed when watched (a watch that is still intact
//     has seen no change, so that is still true) and, for keys that did not, EXEC checks
//     whether the key appeared (it can only have come from the swapped-in database: any
//     later write would have broken the watch itself).
// A broken client is unwatched at once, as Redis does: nothing later can repair it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/engine/keyspace.h"

namespace gannet {

class Transactions : public KeyspaceListener {
 public:
  explicit Transactions(Keyspace& keyspace);
  ~Transactions() override;
  Transactions(const Transactions&) = delete;
  Transactions& operator=(const Transactions&) = delete;

  // WATCH key in db for client (no-op if already watched). `exists`: the key is alive now.
  void Watch(ClientView& client, int db, std::string_view key, bool exists);
  // UNWATCH, and every end of a transaction: forgets client's watches (not the flag).
  void UnwatchAll(ClientView& client);
  // EXEC's last check: reclaims watched keys that expired since WATCH (which breaks the
  // watch through the expiry signal) and resolves whole-database signals. Returns true
  // when the transaction may run.
  bool WatchIntact(ClientView& client);
  // The client leaves MULTI and unwatches (DISCARD, EXEC, RESET, disconnect).
  void EndTransaction(ClientView& client);

  size_t watched_keys() const;  // distinct (db, key) pairs watched by anyone
  size_t watching_clients() const { return watching_clients_; }

  // KeyspaceListener.
  void OnKeyModified(int db, std::string_view key) override;
  void OnKeyExpired(int db, std::string_view key) override { OnKeyModified(db, key); }
  void OnKeyDeleted(int db, std::string_view key) override { OnKeyModified(db, key); }

 private:
  struct Watcher {
    ClientView* client;
    bool existed;  // the key was alive when watched
    bool recheck;  // a whole-database change hit it while the key was absent
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyMap = std::unordered_map<std::string, std::vector<Watcher>, StringHash, std::equal_to<>>;

  void Break(ClientView& client);
  void WholeDb(int db, std::vector<ClientView*>* broken);
  Watcher* Find(ClientView& client, int db, std::string_view key);

  Keyspace& keyspace_;
  std::vector<KeyMap> dbs_;  // per database: key -> its watchers
  size_t watching_clients_ = 0;
};

// EXEC refused before running (arity, NOAUTH, a dispatcher gate) aborts the transaction
// with "EXECABORT Transaction discarded because of: <error without ERR>", as Redis's
// execCommandAbort. RewriteExecRefusal turns the error reply the gate wrote at
// (*out)[from..] into that text (when it is exactly one error line) and ends the
// transaction.
std::string ExecRefusalText(std::string_view error);
void RewriteExecRefusal(ClientView& client, Transactions& tx, std::string* out, size_t from);

}  // namespace gannet
