// In-process tests of the pub/sub commands (src/commands/pubsub_family.cc): byte-exact
// confirmations and messages in RESP2 and RESP3 (the bytes were taken from redis-server
// 7.0.15), the RESP2 subscribed-mode gate, PUBSUB, cleanup on disconnect and RESET, and
// keyspace notifications reaching subscribers.
#include <random>
#include <string>
#include <vector>

#include "command_test_base.h"
#include "gannet/engine/keyspace_notifier.h"
#include "gannet/engine/pubsub.h"

namespace gannet {
namespace {

using ::testing::IsEmpty;
using namespace std::string_literals;

constexpr std::string_view kGateTail =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
    "context";

class PubSubFamilyTest : public CommandTest {
 protected:
  // Raw reply bytes of args run by c.
  std::string RawAs(FakeClient& c, std::vector<std::string_view> args) {
    std::string out;
    ReplyBuilder rb(&out, c.resp_version());
    dispatcher_.Execute(CmdArgs(args.data(), args.size()), c, rb);
    return out;
  }
  std::string Take(FakeClient& c) {
    std::string out;
    out.swap(c.push_out_);
    return out;
  }
  void Notify(std::string_view flags) {
    server_.config_.notify_keyspace_events = *ParseNotifyKeyspaceEvents(flags);
  }
};

TEST_F(PubSubFamilyTest, SubscribeConfirmationsResp2) {
  EXPECT_EQ(RunRaw({"SUBSCRIBE", "a", "b", "a"}),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  EXPECT_EQ(RunRaw({"PSUBSCRIBE", "a*", "h?llo"}),
            "*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:3\r\n"
            "*3\r\n$10\r\npsubscribe\r\n$5\r\nh?llo\r\n:4\r\n");
  // Shard subscriptions are counted on their own.
  EXPECT_EQ(RunRaw({"SSUBSCRIBE", "s1"}), "*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n");
  EXPECT_EQ(client_.session().subscriptions, 4u);
  EXPECT_EQ(client_.session().shard_subscriptions, 1u);
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE", "zz"}), "*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:4\r\n");
  EXPECT_EQ(RunRaw({"PUNSUBSCRIBE"}),
            "*3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:3\r\n"
            "*3\r\n$12\r\npunsubscribe\r\n$5\r\nh?llo\r\n:2\r\n");
  // Channels come in the registry's order: compare as a set of frames.
  const std::string unsub = RunRaw({"UNSUBSCRIBE"});
  EXPECT_TRUE(unsub ==
                  "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na"
                  "\r\n:0\r\n" ||
              unsub ==
                  "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb"
                  "\r\n:0\r\n")
      << EscapeBytes(unsub);
  // Still in subscribed mode through the shard channel.
  EXPECT_EQ(RunRaw({"GET", "x"}), "-ERR Can't execute 'get" + std::string(kGateTail) + "\r\n");
  EXPECT_EQ(RunRaw({"SUNSUBSCRIBE"}), "*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"GET", "x"}), "$-1\r\n");
}

TEST_F(PubSubFamilyTest, UnsubscribeWithNothingRepliesNull) {
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"PUNSUBSCRIBE"}), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"SUNSUBSCRIBE"}), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  client_.resp_ = RespVersion::kResp3;
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
  // Subscribed to a pattern only: UNSUBSCRIBE carries the pattern count.
  RunRaw({"PSUBSCRIBE", "p*"});
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:1\r\n");
}

TEST_F(PubSubFamilyTest, Resp3PushFramesAndNoGate) {
  client_.resp_ = RespVersion::kResp3;
  EXPECT_EQ(RunRaw({"SUBSCRIBE", "a"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(RunRaw({"PSUBSCRIBE", "a*"}), ">3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n");
  EXPECT_EQ(RunRaw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(RunRaw({"GET", "x"}), "_\r\n");
  FakeClient& pub = NewClient();
  EXPECT_EQ(RawAs(pub, {"PUBLISH", "a", "msg"}), ":2\r\n");
  EXPECT_EQ(Take(client_),
            ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nmsg\r\n"
            ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$3\r\nmsg\r\n");
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(RunRaw({"PUNSUBSCRIBE", "q"}), ">3\r\n$12\r\npunsubscribe\r\n$1\r\nq\r\n:1\r\n");
}

TEST_F(PubSubFamilyTest, PublishDeliversResp2MessagesInOrder) {
  FakeClient& s1 = NewClient();
  FakeClient& s2 = NewClient();
  s2.resp_ = RespVersion::kResp3;
  RawAs(s1, {"SUBSCRIBE", "a"});
  RawAs(s1, {"PSUBSCRIBE", "a*", "*"});
  RawAs(s2, {"SUBSCRIBE", "a"});
  Take(s1);
  EXPECT_THAT(Run({"PUBLISH", "a", "msg"}), IntIs(4));
  const std::string msg = "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nmsg\r\n";
  const std::string pa = "*4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$3\r\nmsg\r\n";
  const std::string pstar = "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\na\r\n$3\r\nmsg\r\n";
  // The direct subscription first, then the patterns (in the registry's order).
  const std::string got = Take(s1);
  EXPECT_TRUE(got == msg + pa + pstar || got == msg + pstar + pa) << EscapeBytes(got);
  EXPECT_EQ(Take(s2), ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nmsg\r\n");
  EXPECT_THAT(Run({"PUBLISH", "b", "x"}), IntIs(1));
  EXPECT_EQ(Take(s1), "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\nb\r\n$1\r\nx\r\n");
  EXPECT_THAT(Take(s2), IsEmpty());
  EXPECT_THAT(Run({"PUBLISH", "nobody", "x"}), IntIs(1));  // the "*" pattern only
  Take(s1);
  Run({"PUNSUBSCRIBE"});  // this client has none: nothing changes for s1
  EXPECT_THAT(Run({"PUBLISH", "nobody", "x"}), IntIs(1));
}

TEST_F(PubSubFamilyTest, MessagesAreBinarySafe) {
  FakeClient& s = NewClient();
  RawAs(s, {"SUBSCRIBE", std::string_view("c\r\n\0", 4)});
  Take(s);
  EXPECT_THAT(Run({"PUBLISH", std::string_view("c\r\n\0", 4), std::string_view("\r\n", 2)}),
              IntIs(1));
  EXPECT_EQ(Take(s), "*3\r\n$7\r\nmessage\r\n$4\r\nc\r\n\0\r\n$2\r\n\r\n\r\n"s);
}

TEST_F(PubSubFamilyTest, ShardChannels) {
  FakeClient& s = NewClient();
  RawAs(s, {"SSUBSCRIBE", "s1", "s2"});
  RawAs(s, {"PSUBSCRIBE", "*"});
  Take(s);
  EXPECT_THAT(Run({"SPUBLISH", "s1", "m2"}), IntIs(1));
  EXPECT_EQ(Take(s), "*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$2\r\nm2\r\n");
  EXPECT_THAT(Run({"PUBLISH", "s1", "m"}), IntIs(1));  // the pattern only
  EXPECT_EQ(Take(s), "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$2\r\ns1\r\n$1\r\nm\r\n");
  EXPECT_THAT(Run({"PUBSUB", "SHARDCHANNELS"}), UnorderedBulkArray({"s1", "s2"}));
  EXPECT_THAT(Run({"PUBSUB", "SHARDCHANNELS", "*2"}), BulkArray({"s2"}));
  EXPECT_EQ(RunRaw({"PUBSUB", "SHARDNUMSUB", "s1", "x"}),
            "*4\r\n$2\r\ns1\r\n:1\r\n$1\r\nx\r\n:0\r\n");
  EXPECT_THAT(Run({"PUBSUB", "CHANNELS"}), EmptyArray());
  EXPECT_THAT(Run({"SPUBLISH", "zz", "m"}), IntIs(0));
}

TEST_F(PubSubFamilyTest, PubSubIntrospection) {
  FakeClient& s = NewClient();
  FakeClient& t = NewClient();
  RawAs(s, {"SUBSCRIBE", "news.eu", "news.us", "sport"});
  RawAs(t, {"SUBSCRIBE", "news.eu"});
  RawAs(s, {"PSUBSCRIBE", "n*", "x*"});
  RawAs(t, {"PSUBSCRIBE", "n*"});
  EXPECT_THAT(Run({"PUBSUB", "CHANNELS"}), UnorderedBulkArray({"news.eu", "news.us", "sport"}));
  EXPECT_THAT(Run({"PUBSUB", "channels", "news.*"}), UnorderedBulkArray({"news.eu", "news.us"}));
  EXPECT_EQ(RunRaw({"PUBSUB", "NUMSUB", "news.eu", "zz"}),
            "*4\r\n$7\r\nnews.eu\r\n:2\r\n$2\r\nzz\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"PUBSUB", "NUMSUB"}), "*0\r\n");
  EXPECT_THAT(Run({"PUBSUB", "NUMPAT"}), IntIs(2));  // distinct patterns, as Redis 7.0
  EXPECT_THAT(RunResp3({"PUBSUB", "NUMSUB", "sport"}), ArrayOf(BulkIs("sport"), IntIs(1)));
  // Hostile and malformed.
  EXPECT_THAT(Run({"PUBSUB", "CHANNELS", "a", "b"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
                      "PUBSUB HELP."));
  EXPECT_THAT(Run({"PUBSUB", "shardchannels", "a", "b"}),
              ErrorIs("ERR unknown subcommand or wrong number of arguments for 'shardchannels'. "
                      "Try PUBSUB HELP."));
  EXPECT_THAT(Run({"PUBSUB", "NUMPAT", "x"}),
              ErrorIs("ERR wrong number of arguments for 'pubsub|numpat' command"));
  EXPECT_THAT(Run({"PUBSUB", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try PUBSUB HELP."));
  EXPECT_THAT(Run({"PUBSUB"}), ErrorIs("ERR wrong number of arguments for 'pubsub' command"));
  EXPECT_THAT(Run({"SUBSCRIBE"}), ErrorIs("ERR wrong number of arguments for 'subscribe' command"));
  EXPECT_THAT(Run({"PUBLISH", "a"}),
              ErrorIs("ERR wrong number of arguments for 'publish' command"));
  const RespValue help = Run({"PUBSUB", "HELP"});
  EXPECT_THAT(help, ArrayLen(14));
}

TEST_F(PubSubFamilyTest, SubscribedModeGateResp2) {
  RunRaw({"SUBSCRIBE", "a"});
  for (auto [cmd, name] : std::vector<std::pair<std::vector<std::string_view>, std::string>>{
           {{"GET", "x"}, "get"},
           {{"set", "a", "b"}, "set"},
           {{"PUBLISH", "a", "b"}, "publish"},
           {{"CONFIG", "GET", "x"}, "config|get"},
           {{"CLIENT", "LIST"}, "client|list"},
           {{"MULTI"}, "multi"}}) {
    EXPECT_EQ(RunRaw(cmd), "-ERR Can't execute '" + name + std::string(kGateTail) + "\r\n");
  }
  // Existence and arity come first, as in Redis.
  EXPECT_THAT(Run({"nosuch"}), ErrorStartsWith("ERR unknown command 'nosuch'"));
  EXPECT_THAT(Run({"get"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  // PING replies in the pub/sub shape.
  EXPECT_EQ(RunRaw({"PING"}), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(RunRaw({"PING", "hi"}), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  EXPECT_EQ(RunRaw({"PSUBSCRIBE", "x"}), "*3\r\n$10\r\npsubscribe\r\n$1\r\nx\r\n:2\r\n");
  EXPECT_EQ(RunRaw({"SSUBSCRIBE", "x"}), "*3\r\n$10\r\nssubscribe\r\n$1\r\nx\r\n:1\r\n");
  EXPECT_EQ(RunRaw({"SUNSUBSCRIBE", "x"}), "*3\r\n$12\r\nsunsubscribe\r\n$1\r\nx\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"PUNSUBSCRIBE", "x"}), "*3\r\n$12\r\npunsubscribe\r\n$1\r\nx\r\n:1\r\n");
  EXPECT_EQ(RunRaw({"UNSUBSCRIBE", "a"}), "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
  EXPECT_EQ(RunRaw({"GET", "x"}), "$-1\r\n");
  EXPECT_EQ(RunRaw({"PING"}), "+PONG\r\n");
}

TEST_F(PubSubFamilyTest, ResetAndDisconnectUnsubscribe) {
  FakeClient& s = NewClient();
  RawAs(s, {"SUBSCRIBE", "a", "b"});
  RawAs(s, {"PSUBSCRIBE", "*"});
  RawAs(s, {"SSUBSCRIBE", "s"});
  EXPECT_EQ(RawAs(s, {"RESET"}), "+RESET\r\n");
  EXPECT_EQ(s.session().subscriptions, 0u);
  EXPECT_EQ(s.session().shard_subscriptions, 0u);
  EXPECT_EQ(RawAs(s, {"GET", "x"}), "$-1\r\n");
  EXPECT_THAT(Run({"PUBLISH", "a", "m"}), IntIs(0));
  EXPECT_THAT(Run({"PUBSUB", "NUMPAT"}), IntIs(0));
  EXPECT_THAT(Run({"PUBSUB", "SHARDCHANNELS"}), EmptyArray());

  FakeClient& t = NewClient();
  RawAs(t, {"SUBSCRIBE", "a"});
  RawAs(t, {"PSUBSCRIBE", "a*"});
  EXPECT_THAT(Run({"PUBLISH", "a", "m"}), IntIs(2));
  Disconnect(t);
  EXPECT_THAT(Run({"PUBLISH", "a", "m"}), IntIs(0));
  EXPECT_THAT(Run({"PUBSUB", "CHANNELS"}), EmptyArray());
}

// A subscriber dropped in the middle of a publish (its output-buffer limit) is
// unsubscribed by the dispatcher from inside PushDone; the others still get the message.
class DroppingClient : public FakeClient {
 public:
  void PushDone() override {
    if (dispatcher_ != nullptr && !dropped_) {
      dropped_ = true;
      dispatcher_->OnClientClosed(*this);
    }
  }
  ReplyBuilder* push_reply() override { return dropped_ ? nullptr : FakeClient::push_reply(); }
  Dispatcher* dispatcher_ = nullptr;
  bool dropped_ = false;
};

TEST_F(PubSubFamilyTest, SubscriberDroppedDuringPublish) {
  FakeClient& a = NewClient();
  DroppingClient d;
  d.dispatcher_ = &dispatcher_;
  FakeClient& b = NewClient();
  RawAs(a, {"SUBSCRIBE", "c"});
  RawAs(d, {"SUBSCRIBE", "c"});
  RawAs(d, {"PSUBSCRIBE", "c*"});
  RawAs(b, {"SUBSCRIBE", "c"});
  Take(a);
  Take(b);
  d.push_out_.clear();
  EXPECT_THAT(Run({"PUBLISH", "c", "m"}), IntIs(4));
  EXPECT_EQ(Take(a), "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  EXPECT_EQ(Take(b), "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  EXPECT_EQ(d.push_out_, "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");  // then dropped
  EXPECT_THAT(Run({"PUBSUB", "NUMSUB", "c"}), ArrayOf(BulkIs("c"), IntIs(2)));
  EXPECT_THAT(Run({"PUBSUB", "NUMPAT"}), IntIs(0));
}

TEST_F(PubSubFamilyTest, SubscribeInsideMulti) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SUBSCRIBE", "q"}), SimpleIs("QUEUED"));
  EXPECT_EQ(RunRaw({"EXEC"}), "*1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nq\r\n:1\r\n");
  EXPECT_THAT(Run({"GET", "x"}), ErrorIs("ERR Can't execute 'get" + std::string(kGateTail)));
}

// Hostile arguments in bulk: every frame the subscribe family sends is well formed, one per
// argument (or one for an argument-less unsubscribe), and the counts stay consistent.
TEST_F(PubSubFamilyTest, RandomArguments) {
  const std::vector<std::string> pool = {
      "", "a", "a*", "*", "[", "\\", "a\r\nb", std::string(3000, 'x'), std::string("\0\xff", 2),
      "?"};
  const std::vector<std::string> cmds = {"SUBSCRIBE",    "UNSUBSCRIBE", "PSUBSCRIBE",
                                         "PUNSUBSCRIBE", "SSUBSCRIBE",  "SUNSUBSCRIBE",
                                         "PUBLISH",      "SPUBLISH",    "PING"};
  std::mt19937_64 rng(6);
  FakeClient& other = NewClient();
  for (int i = 0; i < 3000; ++i) {
    FakeClient& c = (i % 3 == 0) ? other : client_;
    c.resp_ = (rng() % 2 == 0) ? RespVersion::kResp3 : RespVersion::kResp2;
    std::vector<std::string> args = {cmds[rng() % cmds.size()]};
    const size_t n = rng() % 4;
    for (size_t j = 0; j < n; ++j) args.push_back(pool[rng() % pool.size()]);
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string error;
    const std::string raw = RawAs(c, views);
    const std::vector<RespValue> replies = RespValue::DecodeAll(raw, &error);
    ASSERT_TRUE(error.empty()) << error << " " << EscapeBytes(raw);
    const bool subscribe_family = args[0].ends_with("SUBSCRIBE");
    const bool unsub = args[0].find("UNSUB") != std::string::npos;
    if (!subscribe_family) {
      EXPECT_EQ(replies.size(), 1u) << EscapeBytes(raw);
    } else if (!unsub) {
      EXPECT_EQ(replies.size(), n > 0 ? n : 1u) << EscapeBytes(raw);  // n == 0: arity error
    } else if (n > 0) {
      EXPECT_EQ(replies.size(), n) << EscapeBytes(raw);
    } else {
      EXPECT_GE(replies.size(), 1u) << EscapeBytes(raw);
    }
    Take(client_);
    Take(other);
    const PubSub& ps = dispatcher_.pubsub();
    for (FakeClient* fc : {&client_, &other}) {
      EXPECT_EQ(fc->session().subscriptions, ps.SubscriptionCount(static_cast<ClientView*>(fc)));
      EXPECT_EQ(fc->session().shard_subscriptions,
                ps.ShardSubscriptionCount(static_cast<ClientView*>(fc)));
    }
  }
  Disconnect(other);
  RunRaw({"RESET"});
  EXPECT_EQ(dispatcher_.pubsub().channel_count(), 0u);
  EXPECT_EQ(dispatcher_.pubsub().pattern_count(), 0u);
  EXPECT_EQ(dispatcher_.pubsub().shard_channel_count(), 0u);
}

// ---- keyspace notifications through the commands layer ----

TEST_F(PubSubFamilyTest, ExpiredEventsReachSubscribers) {
  Notify("KEx");
  FakeClient& s = NewClient();
  RawAs(s, {"PSUBSCRIBE", "__key*__:*"});
  Take(s);
  EXPECT_THAT(Run({"SET", "k", "v", "PX", "100"}), IsOk());
  Take(s);  // whatever SET emits is not the point here (class $ is off anyway)
  AdvanceTime(200);
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_EQ(
      Take(s),
      "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:k\r\n$7\r\nexpired\r\n"
      "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk"
      "\r\n");
}

TEST_F(PubSubFamilyTest, EngineEventsFormattedForEachProtocol) {
  Notify("KEA");
  FakeClient& s2 = NewClient();
  FakeClient& s3 = NewClient();
  s3.resp_ = RespVersion::kResp3;
  RawAs(s2, {"SUBSCRIBE", "__keyevent@2__:hset"});
  RawAs(s3, {"SUBSCRIBE", "__keyspace@2__:user"});
  Take(s2);
  Take(s3);
  keyspace_.NotifyEvent(kNotifyHash, "hset", 2, "user");
  EXPECT_EQ(Take(s2), "*3\r\n$7\r\nmessage\r\n$19\r\n__keyevent@2__:hset\r\n$4\r\nuser\r\n");
  EXPECT_EQ(Take(s3), ">3\r\n$7\r\nmessage\r\n$19\r\n__keyspace@2__:user\r\n$4\r\nhset\r\n");
  Notify("");
  keyspace_.NotifyEvent(kNotifyHash, "hset", 2, "user");
  EXPECT_THAT(Take(s2), IsEmpty());
}

}  // namespace
}  // namespace gannet
