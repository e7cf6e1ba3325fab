// The pub/sub registry (see pubsub.h): three name -> subscribers maps (channels, patterns,
// shard channels) and, per subscriber, what it is subscribed to, so that disconnecting
// and UNSUBSCRIBE without arguments never scan the whole registry.
#include "gannet/engine/pubsub.h"

#include <algorithm>
#include <utility>

#include "gannet/common/glob.h"
#include "gannet/engine/keyspace_notifier.h"

namespace gannet {

PubSub::PubSub() = default;

PubSub::PubSub(Keyspace& keyspace, const Config& config, std::unique_ptr<PubSubDelivery> delivery)
    : delivery_(std::move(delivery)),
      notifier_(std::make_unique<KeyspaceNotifier>(keyspace, *this, config)) {}

PubSub::~PubSub() = default;

bool PubSub::AddTo(ChannelMap& map, PubSubHandle s, std::string_view name) {
  auto it = map.find(name);
  if (it == map.end()) it = map.emplace(std::string(name), SubscriberList{}).first;
  it->second.push_back(s);
  return true;
}

bool PubSub::RemoveFrom(ChannelMap& map, PubSubHandle s, std::string_view name) {
  auto it = map.find(name);
  if (it == map.end()) return false;
  SubscriberList& list = it->second;
  // Keep subscription order (delivery order): erase, not swap-and-pop. O(subscribers of
  // this channel), as Redis's list removal.
  auto pos = std::find(list.begin(), list.end(), s);
  if (pos == list.end()) return false;
  list.erase(pos);
  if (list.empty()) map.erase(it);
  return true;
}

void PubSub::DropClientIfEmpty(PubSubHandle s) {
  auto it = clients_.find(s);
  if (it != clients_.end() && it->second.empty()) clients_.erase(it);
}

bool PubSub::Subscribe(PubSubHandle s, std::string_view channel) {
  ClientSubs& c = clients_[s];
  if (!c.channels.emplace(channel).second) return false;
  return AddTo(channels_, s, channel);
}

bool PubSub::Unsubscribe(PubSubHandle s, std::string_view channel) {
  auto it = clients_.find(s);
  if (it == clients_.end()) return false;
  auto ch = it->second.channels.find(channel);
  if (ch == it->second.channels.end()) return false;
  it->second.channels.erase(ch);
  RemoveFrom(channels_, s, channel);
  DropClientIfEmpty(s);
  return true;
}

bool PubSub::PSubscribe(PubSubHandle s, std::string_view pattern) {
  ClientSubs& c = clients_[s];
  if (std::find(c.patterns.begin(), c.patterns.end(), pattern) != c.patterns.end()) return false;
  c.patterns.emplace_back(pattern);
  return AddTo(patterns_, s, pattern);
}

bool PubSub::PUnsubscribe(PubSubHandle s, std::string_view pattern) {
  auto it = clients_.find(s);
  if (it == clients_.end()) return false;
  auto& pats = it->second.patterns;
  auto pos = std::find(pats.begin(), pats.end(), pattern);
  if (pos == pats.end()) return false;
  pats.erase(pos);
  RemoveFrom(patterns_, s, pattern);
  DropClientIfEmpty(s);
  return true;
}

bool PubSub::SSubscribe(PubSubHandle s, std::string_view channel) {
  ClientSubs& c = clients_[s];
  if (!c.shard_channels.emplace(channel).second) return false;
  return AddTo(shard_channels_, s, channel);
}

bool PubSub::SUnsubscribe(PubSubHandle s, std::string_view channel) {
  auto it = clients_.find(s);
  if (it == clients_.end()) return false;
  auto ch = it->second.shard_channels.find(channel);
  if (ch == it->second.shard_channels.end()) return false;
  it->second.shard_channels.erase(ch);
  RemoveFrom(shard_channels_, s, channel);
  DropClientIfEmpty(s);
  return true;
}

void PubSub::UnsubscribeAll(PubSubHandle s) {
  auto it = clients_.find(s);
  if (it == clients_.end()) return;
  ClientSubs subs = std::move(it->second);
  clients_.erase(it);
  for (const auto& ch : subs.channels) RemoveFrom(channels_, s, ch);
  for (const auto& p : subs.patterns) RemoveFrom(patterns_, s, p);
  for (const auto& ch : subs.shard_channels) RemoveFrom(shard_channels_, s, ch);
}

std::vector<std::string> PubSub::ChannelsOf(PubSubHandle s) const {
  auto it = clients_.find(s);
  if (it == clients_.end()) return {};
  return {it->second.channels.begin(), it->second.channels.end()};
}

std::vector<std::string> PubSub::PatternsOf(PubSubHandle s) const {
  auto it = clients_.find(s);
  if (it == clients_.end()) return {};
  return it->second.patterns;
}

std::vector<std::string> PubSub::ShardChannelsOf(PubSubHandle s) const {
  auto it = clients_.find(s);
  if (it == clients_.end()) return {};
  return {it->second.shard_channels.begin(), it->second.shard_channels.end()};
}

size_t PubSub::SubscriptionCount(PubSubHandle s) const {
  auto it = clients_.find(s);
  return it == clients_.end() ? 0 : it->second.channels.size() + it->second.patterns.size();
}

size_t PubSub::ShardSubscriptionCount(PubSubHandle s) const {
  auto it = clients_.find(s);
  return it == clients_.end() ? 0 : it->second.shard_channels.size();
}

size_t PubSub::Publish(std::string_view channel, std::string_view message,
                       PubSubDelivery& delivery) {
  return DoPublish(PubSubScope::kGlobal, channel, message, &delivery);
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  return DoPublish(PubSubScope::kGlobal, channel, message, delivery_.get());
}

size_t PubSub::SPublish(std::string_view channel, std::string_view message,
                        PubSubDelivery& delivery) {
  return DoPublish(PubSubScope::kShard, channel, message, &delivery);
}

size_t PubSub::SPublish(std::string_view channel, std::string_view message) {
  return DoPublish(PubSubScope::kShard, channel, message, delivery_.get());
}

size_t PubSub::DoPublish(PubSubScope scope, std::string_view channel, std::string_view message,
                         PubSubDelivery* delivery) {
  // A delivery can only cause unsubscriptions (a dropped client), never a nested publish,
  // but a local snapshot keeps a nested one correct should that change.
  Scratch local;
  Scratch& snap = publishing_ ? local : scratch_;
  snap.targets.clear();
  size_t npatterns = 0;

  const ChannelMap& direct = scope == PubSubScope::kShard ? shard_channels_ : channels_;
  if (auto it = direct.find(channel); it != direct.end()) {
    for (PubSubHandle s : it->second) snap.targets.push_back({s, PubSubBatch::kNoPattern});
  }
  if (scope == PubSubScope::kGlobal) {
    for (const auto& [pattern, subs] : patterns_) {
      if (!GlobMatch(pattern, channel)) continue;
      // Reuse the strings' buffers from earlier publishes.
      if (npatterns == snap.patterns.size()) snap.patterns.emplace_back();
      snap.patterns[npatterns].assign(pattern);
      const auto index = static_cast<uint32_t>(npatterns++);
      for (PubSubHandle s : subs) snap.targets.push_back({s, index});
    }
  }
  const size_t receivers = snap.targets.size();
  if (receivers == 0 || delivery == nullptr) return receivers;

  PubSubBatch batch{scope, channel, message, snap.targets,
                    std::span<const std::string>(snap.patterns.data(), npatterns)};
  const bool was_publishing = publishing_;
  publishing_ = true;
  delivery->Deliver(batch);
  publishing_ = was_publishing;
  return receivers;
}

std::vector<std::string> PubSub::ActiveNames(const ChannelMap& map,
                                             std::optional<std::string_view> pattern) {
  std::vector<std::string> out;
  for (const auto& [name, subs] : map) {
    if (!pattern || GlobMatch(*pattern, name)) out.push_back(name);
  }
  return out;
}

std::vector<std::string> PubSub::Channels(std::optional<std::string_view> pattern) const {
  return ActiveNames(channels_, pattern);
}

std::vector<std::string> PubSub::ShardChannels(std::optional<std::string_view> pattern) const {
  return ActiveNames(shard_channels_, pattern);
}

size_t PubSub::NumSub(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

size_t PubSub::ShardNumSub(std::string_view channel) const {
  auto it = shard_channels_.find(channel);
  return it == shard_channels_.end() ? 0 : it->second.size();
}

}  // namespace gannet
