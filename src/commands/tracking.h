// Client-side caching (CLIENT TRACKING), as Redis 7.0 does it:
//
//   default mode  the keys a tracking client reads (readonly commands, keys from the
//                 command's key positions) go into one server-wide table, key -> client
//                 ids, whatever the database. When such a key changes, each of those
//                 clients gets one invalidation message for it and the key leaves the
//                 table (it is tracked again on the next read). OPTIN/OPTOUT with CLIENT
//                 CACHING select which reads count.
//   BCAST         no table: a client subscribes to key prefixes ("" = every key) and gets
//                 the keys changed under each prefix, batched per prefix after the command.
//   flush         FLUSHDB/FLUSHALL send every tracking client an invalidation with a null
//                 key list and empty the table. SWAPDB sends nothing (as Redis).
//
// A message goes to the client itself as a RESP3 push (>2 invalidate [keys]), or, with
// REDIRECT, to the other client: as a push when that one speaks RESP3, as a message on
// __redis__:invalidate when it speaks RESP2 and is in subscribed mode, else nowhere. A
// redirect target that is gone marks the client broken_redirect and, in RESP3, sends it
// "tracking-redir-broken". Messages caused by a command are sent after that command's
// reply (the dispatcher calls AfterCommand at the outermost level), so a client that
// writes a key it tracks sees the reply first; NOLOOP drops messages about the client's
// own writes. tracking-table-max-keys bounds the table: beyond it, keys are invalidated
// early, a bounded number per command (Redis's trackingLimitUsedSlots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gannet/commands/command.h"
#include "gannet/engine/keyspace.h"

namespace gannet {

class Tracking : public KeyspaceListener {
 public:
  // ClientSession::tracking_flags bits.
  enum Flag : uint8_t {
    kBcast = 1,
    kOptIn = 2,
    kOptOut = 4,
    kNoLoop = 8,
    kCaching = 16,         // CLIENT CACHING given for the next command
    kBrokenRedirect = 32,  // the redirect target disconnected
  };

  Tracking(Keyspace& keyspace, ServerView& server);
  ~Tracking() override;
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // Whether the dispatcher must call BeforeCommand/AfterCommand (a field read).
  bool active() const { return !clients_.empty() || has_pending_; }

  // ---- dispatcher hooks ----
  void BeforeCommand(ClientView& client, const CommandSpec& spec);
  // After the handler: remembers the keys a tracking client read, drops a used CLIENT
  // CACHING, and at depth 1 (the outermost command) sends the pending messages.
  void AfterCommand(const CommandSpec& spec, CommandContext& ctx, int depth);
  // Disconnect or RESET: tracking off for the client (and no redirect to it any more).
  void ForgetClient(ClientView& client, bool closing);

  // ---- CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO (tracking.cc) ----
  void Enable(ClientView& client, uint64_t redirect, uint8_t options,
              const std::vector<std::string>& prefixes);
  void Disable(ClientView& client);
  // Redis's checkPrefixCollisionsOrReply: the error text, if any.
  std::optional<std::string> PrefixCollision(const ClientView& client,
                                             const std::vector<std::string>& prefixes) const;
  ClientView* FindClient(uint64_t id);

  // INFO: tracking_clients, tracking_total_keys/items/prefixes.
  size_t tracking_clients() const { return clients_.size(); }
  size_t total_keys() const { return table_.size(); }
  size_t total_items() const { return total_items_; }
  size_t total_prefixes() const { return prefixes_.size(); }

  // KeyspaceListener: changes by commands, expiry and eviction invalidate.
  void OnKeyModified(int db, std::string_view key) override;
  void OnKeyExpired(int db, std::string_view key) override { OnKeyModified(db, key); }
  void OnKeyDeleted(int db, std::string_view key) override { OnKeyModified(db, key); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Prefix {
    std::vector<uint64_t> clients;         // BCAST clients of this prefix
    std::map<std::string, uint64_t> keys;  // changed keys -> who changed them (0: server)
  };
  struct Pending {
    uint64_t client;
    std::string key;
    bool flush;  // a null key list (FLUSHDB/FLUSHALL)
  };

  void InvalidateKey(std::string_view key, uint64_t modifier, bool defer);
  void InvalidateAll(bool defer);
  void RememberKey(std::string_view key, uint64_t id);
  void LimitTable();
  void SendPending();
  void BroadcastPrefixes();
  // One message to `client` (or its redirect target): keys, or null when keys is nullptr.
  void Deliver(ClientView& client, const std::vector<std::string_view>* keys);
  ClientView* TrackingClient(uint64_t id) const;

  Keyspace& keyspace_;
  ServerView& server_;
  std::map<uint64_t, ClientView*> clients_;  // tracking on, by id (connection order)
  std::unordered_map<std::string, std::vector<uint64_t>, StringHash, std::equal_to<>> table_;
  size_t total_items_ = 0;
  std::map<std::string, Prefix, std::less<>> prefixes_;
  std::vector<Pending> pending_;
  bool has_pending_ = false;  // pending_ or a prefix with keys
  ClientView* current_ = nullptr;
  bool current_is_swapdb_ = false;
  std::unordered_map<uint64_t, ClientView*> redirect_cache_;
  unsigned limit_rounds_ = 0;        // consecutive commands that ended over the table limit
  std::vector<size_t> key_scratch_;  // key positions of the command being recorded
};

// CLIENT subcommand handlers (their rows are in connection_family.cc).
void CmdClientTracking(CmdArgs args, CommandContext& ctx);
void CmdClientCaching(CmdArgs args, CommandContext& ctx);
void CmdClientGetRedir(CmdArgs args, CommandContext& ctx);
void CmdClientTrackingInfo(CmdArgs args, CommandContext& ctx);

}  // namespace gannet
