// Keyspace notifications (Redis's notifyKeyspaceEvent): every event a command or the
// engine reports through Keyspace::NotifyEvent is published, when its class is enabled in
// notify-keyspace-events, as
//   __keyspace@<db>__:<key>    -> <event>   (flag K)
//   __keyevent@<db>__:<event>  -> <key>     (flag E)
// through the pub/sub registry. The flag string parser and formatter live here too so
// that CONFIG (src/server/config_table.cc) and the notifier agree on the bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gannet/engine/keyspace.h"

namespace gannet {

class PubSub;
struct Config;

// The channel-kind bits of notify-keyspace-events, above the NotifyClass bits.
constexpr uint32_t kNotifyKeyspaceChannel = 1u << 30;  // K
constexpr uint32_t kNotifyKeyeventChannel = 1u << 31;  // E
// "A": every class except key misses (m) and new keys (n), as Redis's NOTIFY_ALL.
constexpr uint32_t kNotifyAllClasses = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
                                       kNotifyHash | kNotifyZSet | kNotifyExpired | kNotifyEvicted |
                                       kNotifyStream | kNotifyModule;

// "KEA" -> bits; nullopt on a character that is not a flag (Redis's
// keyspaceEventsStringToFlags). Letters may repeat; the empty string disables everything.
std::optional<uint32_t> ParseNotifyKeyspaceEvents(std::string_view flags);
// Bits -> the string CONFIG GET shows, in Redis's order: "A" when every class of A is on
// (then n is not shown, a quirk of Redis's keyspaceEventsFlagsToString), else the class
// letters g$lshzxetdn, then K, E, m.
std::string FormatNotifyKeyspaceEvents(uint32_t flags);
// The error CONFIG SET and the config file report for a bad flag string.
inline constexpr std::string_view kNotifyKeyspaceEventsError =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

class KeyspaceNotifier final : public KeyspaceListener {
 public:
  // Registers itself with keyspace; unregisters when destroyed.
  KeyspaceNotifier(Keyspace& keyspace, PubSub& pubsub, const Config& config);
  ~KeyspaceNotifier() override;
  KeyspaceNotifier(const KeyspaceNotifier&) = delete;
  KeyspaceNotifier& operator=(const KeyspaceNotifier&) = delete;

  void OnKeyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key) override;

  uint64_t published() const { return published_; }  // notifications sent (tests)

 private:
  Keyspace& keyspace_;
  PubSub& pubsub_;
  const Config& config_;
  std::string channel_;  // reused between events
  uint64_t published_ = 0;
};

}  // namespace gannet
