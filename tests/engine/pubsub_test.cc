// Unit tests of the pub/sub registry (src/engine/pubsub.cc) and the keyspace notifier
// (src/engine/keyspace_notifier.cc), with a delivery that records what it was given.
#include "gannet/engine/pubsub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/keyspace_notifier.h"

namespace gannet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

struct Received {
  int subscriber;
  std::string pattern;  // "" for a direct subscription
  std::string channel;
  std::string message;
  bool shard;
  bool operator==(const Received&) const = default;
};

// Subscribers are ints whose addresses serve as handles.
class Recorder : public PubSubDelivery {
 public:
  explicit Recorder(const int* base) : base_(base) {}
  void Deliver(const PubSubBatch& b) override {
    for (const auto& t : b.targets) {
      const int id = static_cast<int>(static_cast<const int*>(t.subscriber) - base_);
      std::string pattern =
          t.pattern == PubSubBatch::kNoPattern ? "" : std::string(b.patterns[t.pattern]);
      got.push_back({id, pattern, std::string(b.channel), std::string(b.message),
                     b.scope == PubSubScope::kShard});
      if (on_deliver) on_deliver(id);
    }
  }
  std::vector<Received> got;
  std::function<void(int)> on_deliver;

 private:
  const int* base_;
};

class PubSubTest : public ::testing::Test {
 protected:
  PubSubHandle H(int i) { return &ids_[i]; }
  int ids_[8] = {};
  PubSub ps_;
  Recorder rec_{ids_};
};

TEST_F(PubSubTest, SubscribeCountsAndDuplicates) {
  EXPECT_TRUE(ps_.Subscribe(H(0), "a"));
  EXPECT_FALSE(ps_.Subscribe(H(0), "a"));
  EXPECT_TRUE(ps_.Subscribe(H(0), "b"));
  EXPECT_TRUE(ps_.PSubscribe(H(0), "a*"));
  EXPECT_FALSE(ps_.PSubscribe(H(0), "a*"));
  EXPECT_TRUE(ps_.SSubscribe(H(0), "a"));  // a shard channel is a separate namespace
  EXPECT_EQ(ps_.SubscriptionCount(H(0)), 3u);
  EXPECT_EQ(ps_.ShardSubscriptionCount(H(0)), 1u);
  EXPECT_EQ(ps_.channel_count(), 2u);
  EXPECT_EQ(ps_.pattern_count(), 1u);
  EXPECT_EQ(ps_.shard_channel_count(), 1u);
  EXPECT_THAT(ps_.ChannelsOf(H(0)), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(ps_.PatternsOf(H(0)), ElementsAre("a*"));
  EXPECT_THAT(ps_.ShardChannelsOf(H(0)), ElementsAre("a"));
  EXPECT_EQ(ps_.SubscriptionCount(H(1)), 0u);
}

TEST_F(PubSubTest, UnsubscribeOnlyWhatExists) {
  ps_.Subscribe(H(0), "a");
  EXPECT_FALSE(ps_.Unsubscribe(H(0), "zz"));
  EXPECT_FALSE(ps_.Unsubscribe(H(1), "a"));
  EXPECT_FALSE(ps_.PUnsubscribe(H(0), "a"));
  EXPECT_FALSE(ps_.SUnsubscribe(H(0), "a"));
  EXPECT_TRUE(ps_.Unsubscribe(H(0), "a"));
  EXPECT_EQ(ps_.channel_count(), 0u);
  EXPECT_EQ(ps_.NumSub("a"), 0u);
  EXPECT_THAT(ps_.ChannelsOf(H(0)), IsEmpty());
}

TEST_F(PubSubTest, PublishOrderDirectThenPatterns) {
  ps_.Subscribe(H(2), "news");
  ps_.Subscribe(H(1), "news");
  ps_.PSubscribe(H(0), "n*");
  ps_.PSubscribe(H(1), "n*");
  ps_.PSubscribe(H(3), "x*");
  EXPECT_EQ(ps_.Publish("news", "hello", rec_), 4u);
  ASSERT_EQ(rec_.got.size(), 4u);
  EXPECT_EQ(rec_.got[0], (Received{2, "", "news", "hello", false}));
  EXPECT_EQ(rec_.got[1], (Received{1, "", "news", "hello", false}));
  EXPECT_EQ(rec_.got[2], (Received{0, "n*", "news", "hello", false}));
  EXPECT_EQ(rec_.got[3], (Received{1, "n*", "news", "hello", false}));
  EXPECT_EQ(ps_.Publish("other", "x", rec_), 0u);
  EXPECT_EQ(rec_.got.size(), 4u);
}

TEST_F(PubSubTest, ShardPublishReachesOnlyShardSubscribers) {
  ps_.SSubscribe(H(0), "s");
  ps_.Subscribe(H(1), "s");
  ps_.PSubscribe(H(2), "*");
  EXPECT_EQ(ps_.SPublish("s", "m", rec_), 1u);
  ASSERT_EQ(rec_.got.size(), 1u);
  EXPECT_EQ(rec_.got[0], (Received{0, "", "s", "m", true}));
  rec_.got.clear();
  EXPECT_EQ(ps_.Publish("s", "m", rec_), 2u);
  EXPECT_EQ(ps_.ShardNumSub("s"), 1u);
  EXPECT_EQ(ps_.NumSub("s"), 1u);
}

TEST_F(PubSubTest, UnsubscribeAllForgetsEverything) {
  ps_.Subscribe(H(0), "a");
  ps_.Subscribe(H(1), "a");
  ps_.PSubscribe(H(0), "p*");
  ps_.SSubscribe(H(0), "s");
  ps_.UnsubscribeAll(H(0));
  ps_.UnsubscribeAll(H(5));  // never subscribed: no effect
  EXPECT_EQ(ps_.NumSub("a"), 1u);
  EXPECT_EQ(ps_.pattern_count(), 0u);
  EXPECT_EQ(ps_.shard_channel_count(), 0u);
  EXPECT_EQ(ps_.SubscriptionCount(H(0)), 0u);
  EXPECT_EQ(ps_.Publish("a", "m", rec_), 1u);
}

// A subscriber dropped while a message is being delivered (the output-buffer limit closes
// it and the dispatcher unsubscribes it) must not disturb delivery to the others.
TEST_F(PubSubTest, UnsubscribeDuringDeliveryIsSafe) {
  for (int i = 0; i < 6; ++i) ps_.Subscribe(H(i), "c");
  ps_.PSubscribe(H(0), "*");
  rec_.on_deliver = [&](int id) {
    if (id == 1) {
      for (int i = 0; i < 6; ++i) ps_.UnsubscribeAll(H(i));
    }
  };
  EXPECT_EQ(ps_.Publish("c", "m", rec_), 7u);
  EXPECT_EQ(rec_.got.size(), 7u);  // the snapshot taken before delivery
  EXPECT_EQ(ps_.channel_count(), 0u);
  rec_.got.clear();
  EXPECT_EQ(ps_.Publish("c", "m", rec_), 0u);
}

TEST_F(PubSubTest, ChannelsListingWithPattern) {
  ps_.Subscribe(H(0), "news.eu");
  ps_.Subscribe(H(1), "news.us");
  ps_.Subscribe(H(1), "sport");
  ps_.Subscribe(H(2), "");
  ps_.SSubscribe(H(0), "shard1");
  EXPECT_THAT(ps_.Channels(std::nullopt), UnorderedElementsAre("news.eu", "news.us", "sport", ""));
  EXPECT_THAT(ps_.Channels("news.*"), UnorderedElementsAre("news.eu", "news.us"));
  EXPECT_THAT(ps_.Channels("news.[e]?"), ElementsAre("news.eu"));
  // Redis 7.0: "*" does not match the empty channel name, "" matches only it.
  EXPECT_THAT(ps_.Channels("*"), UnorderedElementsAre("news.eu", "news.us", "sport"));
  EXPECT_THAT(ps_.Channels(""), ElementsAre(""));
  EXPECT_THAT(ps_.ShardChannels(std::nullopt), ElementsAre("shard1"));
  EXPECT_THAT(ps_.ShardChannels("x*"), IsEmpty());
}

TEST_F(PubSubTest, PatternsAsRedisGlob) {
  ps_.PSubscribe(H(0), "h?llo");
  ps_.PSubscribe(H(1), "h[ae]llo");
  ps_.PSubscribe(H(2), "h[^e]llo");
  ps_.PSubscribe(H(3), "h\\*llo");
  EXPECT_EQ(ps_.Publish("hello", "m", rec_), 2u);  // h?llo, h[ae]llo
  EXPECT_EQ(ps_.Publish("hallo", "m", rec_), 3u);  // + h[^e]llo
  EXPECT_EQ(ps_.Publish("h*llo", "m", rec_), 3u);  // h?llo, h[^e]llo, h\*llo
  EXPECT_EQ(ps_.Publish("hllo", "m", rec_), 0u);
}

// A hostile pattern against a long channel name completes quickly (no backtracking blowup).
TEST_F(PubSubTest, HostilePatternIsCheap) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "a*";
  pattern += "b";
  ps_.PSubscribe(H(0), pattern);
  EXPECT_EQ(ps_.Publish(std::string(20000, 'a'), "m", rec_), 0u);
}

TEST_F(PubSubTest, BinarySafeNames) {
  const std::string ch("a\0b\r\n", 5);
  ps_.Subscribe(H(0), ch);
  EXPECT_EQ(ps_.NumSub(ch), 1u);
  EXPECT_EQ(ps_.NumSub("a"), 0u);
  EXPECT_EQ(ps_.Publish(ch, std::string("\0", 1), rec_), 1u);
  EXPECT_EQ(rec_.got[0].channel, ch);
}

TEST_F(PubSubTest, PublishWithoutDefaultDeliveryCountsOnly) {
  ps_.Subscribe(H(0), "a");
  EXPECT_EQ(ps_.Publish("a", "m"), 1u);
}

// ---- notify-keyspace-events flags ----

TEST(NotifyFlagsTest, ParseAndFormatAsRedis) {
  struct Case {
    const char* in;
    const char* out;
  };
  // Outputs taken from redis-server 7.0.15 (CONFIG SET then CONFIG GET).
  const Case cases[] = {{"", ""},           {"KEA", "AKE"},  {"AKE", "AKE"}, {"g$lshzxetd", "A"},
                        {"gKE", "gKE"},     {"Ex", "xE"},    {"A", "A"},     {"AKEmn", "AKEm"},
                        {"nmEK$", "$nKEm"}, {"KEAA", "AKE"}, {"xKg", "gxK"}, {"m", "m"},
                        {"lshz", "lshz"},   {"ed", "ed"},    {"t", "t"}};
  for (const Case& c : cases) {
    auto bits = ParseNotifyKeyspaceEvents(c.in);
    ASSERT_TRUE(bits.has_value()) << c.in;
    EXPECT_EQ(FormatNotifyKeyspaceEvents(*bits), c.out) << c.in;
  }
  // "A" then "n" keeps n active even though it is not shown.
  EXPECT_TRUE(*ParseNotifyKeyspaceEvents("An") & kNotifyNewKey);
  EXPECT_FALSE(*ParseNotifyKeyspaceEvents("A") & kNotifyKeyMiss);
  EXPECT_FALSE(*ParseNotifyKeyspaceEvents("A") & kNotifyNewKey);
  for (const char* bad : {"Q", "KEA ", "a", "k", "*", "KE\n"}) {
    EXPECT_FALSE(ParseNotifyKeyspaceEvents(bad).has_value()) << bad;
  }
}

// ---- the notifier ----

// Collects published (channel, message) pairs through a registry whose only subscriber is
// a pattern on everything.
class CollectAll : public PubSubDelivery {
 public:
  void Deliver(const PubSubBatch& b) override {
    for (size_t i = 0; i < b.targets.size(); ++i) {
      got.emplace_back(std::string(b.channel), std::string(b.message));
    }
  }
  std::vector<std::pair<std::string, std::string>> got;
};

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() : keyspace_(16, &clock_) {
    auto d = std::make_unique<CollectAll>();
    sink_ = d.get();
    ps_ = std::make_unique<PubSub>(keyspace_, config_, std::move(d));
    ps_->PSubscribe(&subscriber_, "__key*");
  }
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  ManualClock clock_;
  Config config_;
  Keyspace keyspace_;
  int subscriber_ = 0;
  CollectAll* sink_ = nullptr;
  std::unique_ptr<PubSub> ps_;
};

TEST_F(NotifierTest, OffByDefault) {
  keyspace_.NotifyEvent(kNotifyGeneric, "del", 0, "k");
  EXPECT_THAT(sink_->got, IsEmpty());
}

TEST_F(NotifierTest, KeyspaceAndKeyeventChannels) {
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("KEA");
  keyspace_.NotifyEvent(kNotifyHash, "hset", 3, "user:1");
  EXPECT_EQ(sink_->got,
            (Pairs{{"__keyspace@3__:user:1", "hset"}, {"__keyevent@3__:hset", "user:1"}}));
}

TEST_F(NotifierTest, ClassAndChannelKindFilters) {
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("Kg");
  keyspace_.NotifyEvent(kNotifyHash, "hset", 0, "h");    // class h off
  keyspace_.NotifyEvent(kNotifyGeneric, "del", 0, "d");  // K only
  EXPECT_EQ(sink_->got, (Pairs{{"__keyspace@0__:d", "del"}}));
  sink_->got.clear();
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("A");  // no K, no E
  keyspace_.NotifyEvent(kNotifyGeneric, "del", 0, "d");
  EXPECT_THAT(sink_->got, IsEmpty());
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("KEA");  // m and n not in A
  keyspace_.NotifyEvent(kNotifyKeyMiss, "keymiss", 0, "d");
  keyspace_.NotifyEvent(kNotifyNewKey, "new", 0, "d");
  EXPECT_THAT(sink_->got, IsEmpty());
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("Emn");
  keyspace_.NotifyEvent(kNotifyKeyMiss, "keymiss", 0, "d");
  keyspace_.NotifyEvent(kNotifyNewKey, "new", 0, "e");
  EXPECT_EQ(sink_->got, (Pairs{{"__keyevent@0__:keymiss", "d"}, {"__keyevent@0__:new", "e"}}));
}

TEST_F(NotifierTest, LazyAndActiveExpiryEmitExpired) {
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("Ex");
  Database& db = keyspace_.db(0);
  keyspace_.set_now_ms(clock_.NowMs());
  Entry* e = db.Insert("lazy", Value());
  db.SetExpire(e, clock_.NowMs() + 100);
  Entry* f = db.Insert("active", Value());
  db.SetExpire(f, clock_.NowMs() + 100);
  clock_.AdvanceMs(200);
  keyspace_.set_now_ms(clock_.NowMs());
  EXPECT_EQ(db.FindRead("lazy"), nullptr);
  EXPECT_EQ(sink_->got, (Pairs{{"__keyevent@0__:expired", "lazy"}}));
  keyspace_.ActiveExpireCycle(100000, 1);
  EXPECT_EQ(sink_->got,
            (Pairs{{"__keyevent@0__:expired", "lazy"}, {"__keyevent@0__:expired", "active"}}));
}

TEST_F(NotifierTest, NoListenersNoWork) {
  config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents("KEA");
  ps_->UnsubscribeAll(&subscriber_);
  keyspace_.NotifyEvent(kNotifyGeneric, "del", 0, "k");
  EXPECT_THAT(sink_->got, IsEmpty());
}

}  // namespace
}  // namespace gannet
