// The pub/sub registry: who listens to which channel, pattern and shard channel, and the
// fan-out of one published message to them. It knows nothing of RESP or connections: a
// subscriber is an opaque handle (the commands layer passes its client object), and a
// PubSubDelivery, implemented above the engine, turns one publish into bytes on each
// subscriber's output. Keyspace notifications (keyspace_notifier.h) publish through it.
//
// Cost of one publish: O(subscribers of the channel + patterns), each receiver listed
// once in a snapshot before anything is delivered, so a subscriber that is dropped
// (output-buffer limit) or unsubscribes while the message is being delivered cannot
// invalidate the iteration. The snapshot holds handles only, never the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gannet {

class Keyspace;
class KeyspaceNotifier;
struct Config;

// A subscriber as the engine sees it: compared and hashed, never dereferenced.
using PubSubHandle = void*;

enum class PubSubScope : uint8_t {
  kGlobal,  // PUBLISH: channel subscribers, then pattern subscribers
  kShard,   // SPUBLISH: shard channel subscribers only
};

// One message and everyone who receives it, in Redis's delivery order: the channel's
// subscribers in subscription order, then for every matching pattern its subscribers.
struct PubSubBatch {
  static constexpr uint32_t kNoPattern = UINT32_MAX;
  struct Target {
    PubSubHandle subscriber;
    uint32_t pattern;  // index into patterns, or kNoPattern for a direct subscription
  };
  PubSubScope scope;
  std::string_view channel;
  std::string_view message;
  std::span<const Target> targets;
  std::span<const std::string> patterns;  // the matching patterns (copies: stable)
};

// Writes a batch to its subscribers (pubsub_family.cc formats RESP frames).
class PubSubDelivery {
 public:
  virtual ~PubSubDelivery() = default;
  virtual void Deliver(const PubSubBatch& batch) = 0;
};

class PubSub {
 public:
  // A registry with no default delivery and no keyspace notifications (unit tests).
  PubSub();
  // The server's registry: Publish() without a delivery uses `delivery`, and keyspace
  // notifications for `keyspace` are published as config.notify_keyspace_events says
  // (config is read at every event, so CONFIG SET applies at once).
  PubSub(Keyspace& keyspace, const Config& config, std::unique_ptr<PubSubDelivery> delivery);
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // ---- subscriptions; each returns true when it changed something ----
  bool Subscribe(PubSubHandle s, std::string_view channel);
  bool Unsubscribe(PubSubHandle s, std::string_view channel);
  bool PSubscribe(PubSubHandle s, std::string_view pattern);
  bool PUnsubscribe(PubSubHandle s, std::string_view pattern);
  bool SSubscribe(PubSubHandle s, std::string_view channel);
  bool SUnsubscribe(PubSubHandle s, std::string_view channel);
  // Forgets s everywhere, silently (disconnect, RESET).
  void UnsubscribeAll(PubSubHandle s);

  // What s is subscribed to: channels and shard channels in no particular order (as
  // Redis's dict), patterns in subscription order (as Redis's list).
  std::vector<std::string> ChannelsOf(PubSubHandle s) const;
  std::vector<std::string> PatternsOf(PubSubHandle s) const;
  std::vector<std::string> ShardChannelsOf(PubSubHandle s) const;
  // Channels + patterns of s (the count SUBSCRIBE replies with), and its shard channels.
  size_t SubscriptionCount(PubSubHandle s) const;
  size_t ShardSubscriptionCount(PubSubHandle s) const;

  // ---- publishing; each returns the number of receivers ----
  size_t Publish(std::string_view channel, std::string_view message, PubSubDelivery& delivery);
  size_t Publish(std::string_view channel, std::string_view message);
  size_t SPublish(std::string_view channel, std::string_view message, PubSubDelivery& delivery);
  size_t SPublish(std::string_view channel, std::string_view message);

  // ---- PUBSUB and INFO ----
  // Active channels (with at least one subscriber) matching pattern; nullopt: all.
  std::vector<std::string> Channels(std::optional<std::string_view> pattern) const;
  std::vector<std::string> ShardChannels(std::optional<std::string_view> pattern) const;
  size_t NumSub(std::string_view channel) const;
  size_t ShardNumSub(std::string_view channel) const;
  size_t channel_count() const { return channels_.size(); }
  size_t pattern_count() const { return patterns_.size(); }  // distinct patterns (NUMPAT)
  size_t shard_channel_count() const { return shard_channels_.size(); }
  // Nobody listens to any global channel or pattern (keyspace notifications skip work).
  bool no_global_listeners() const { return channels_.empty() && patterns_.empty(); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using SubscriberList = std::vector<PubSubHandle>;  // subscription order
  using ChannelMap = std::unordered_map<std::string, SubscriberList, StringHash, std::equal_to<>>;
  using NameSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;
  struct ClientSubs {
    NameSet channels;
    std::vector<std::string> patterns;
    NameSet shard_channels;
    bool empty() const { return channels.empty() && patterns.empty() && shard_channels.empty(); }
  };
  // The receiver snapshot of one publish (reused between publishes to avoid allocating).
  struct Scratch {
    std::vector<PubSubBatch::Target> targets;
    std::vector<std::string> patterns;
  };

  static bool AddTo(ChannelMap& map, PubSubHandle s, std::string_view name);
  static bool RemoveFrom(ChannelMap& map, PubSubHandle s, std::string_view name);
  static std::vector<std::string> ActiveNames(const ChannelMap& map,
                                              std::optional<std::string_view> pattern);
  void DropClientIfEmpty(PubSubHandle s);
  size_t DoPublish(PubSubScope scope, std::string_view channel, std::string_view message,
                   PubSubDelivery* delivery);

  ChannelMap channels_;
  ChannelMap patterns_;
  ChannelMap shard_channels_;
  std::unordered_map<PubSubHandle, ClientSubs> clients_;
  Scratch scratch_;
  bool publishing_ = false;
  std::unique_ptr<PubSubDelivery> delivery_;
  std::unique_ptr<KeyspaceNotifier> notifier_;
};

}  // namespace gannet
