// Per-client state of the features that live in the commands module: transactions,
// pub/sub, MONITOR, client-side caching and the client flags CLIENT sets. Every
// ClientView owns one, so the dispatcher checks a client's mode with a field read rather
// than a lookup. Each feature owns its section; features clean up after a client in
// Dispatcher::OnClientClosed and Dispatcher::ResetClient.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gannet {

struct AclUser;

struct ClientSession {
  // ---- ACL (acl.h) ----
  // The user this client authenticated as; nullptr: the default user.
  const AclUser* acl_user = nullptr;

  // ---- transactions (transaction_family.cc) ----
  bool in_multi = false;
  bool multi_error = false;                      // a command was refused while queuing: EXEC aborts
  bool watch_broken = false;                     // a WATCHed key changed: EXEC returns nil
  std::vector<std::vector<std::string>> queued;  // MULTI's commands, as sent
  std::vector<std::pair<int, std::string>> watched;  // (db, key)

  // ---- pub/sub (pubsub_family.cc) ----
  // Channels + patterns subscribed (RESP2 subscribed mode while non-zero) and shard
  // channels (also counted for subscribed mode).
  size_t subscriptions = 0;
  size_t shard_subscriptions = 0;

  // ---- client-side caching (tracking.h) ----
  // CLIENT TRACKING state; the keys a client read live in the Tracking table, not here.
  bool tracking = false;
  uint8_t tracking_flags = 0;      // Tracking::kBcast, kOptIn, ... bits
  uint64_t tracking_redirect = 0;  // client id; 0: none
  std::vector<std::string> tracking_prefixes;  // BCAST prefixes, sorted

  // ---- introspection and CLIENT flags (introspection.h) ----
  bool monitor = false;
  bool no_evict = false;
  bool no_touch = false;
};

}  // namespace gannet
