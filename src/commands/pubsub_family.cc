// Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
// SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, the RESP2 subscribed-mode gate, and the
// delivery that writes published messages to subscribers. The registry is the engine's
// PubSub (ctx.dispatcher->pubsub()); subscribers are registered by their ClientView
// address, and ClientSession::subscriptions / shard_subscriptions mirror the registry's
// per-client counts so that the dispatcher and the connection read them without a lookup.
//
// Framing: confirmations and messages are push frames (">" in RESP3, "*" in RESP2). A
// published message is encoded once per distinct frame (one for the channel's direct
// subscribers, one per matching pattern; RESP2 and RESP3 each when a receiver speaks it)
// into an immutable shared frame that every receiver's output queue references
// (ClientView::PushShared): the payload is copied once per frame, never per subscriber.
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "pubsub.h"

namespace gannet {
namespace {

constexpr std::string_view kSubscribedModeTail =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
    "context";

PubSubHandle Handle(ClientView& client) { return static_cast<void*>(&client); }

// ---- delivery ----

class ClientDelivery final : public PubSubDelivery {
 public:
  void Deliver(const PubSubBatch& batch) override {
    const std::span<const PubSubBatch::Target> targets = batch.targets;
    size_t i = 0;
    while (i < targets.size()) {
      // Targets come grouped: the direct subscribers, then each matching pattern's.
      const uint32_t pattern = targets[i].pattern;
      size_t end = i + 1;
      while (end < targets.size() && targets[end].pattern == pattern) ++end;
      const size_t receivers = end - i;
      // The group's frames, RESP2 and RESP3, each built when a receiver first needs it;
      // dropped at the end of the group, they live on in the queues that hold them.
      SharedFrameRef frames[2];
      for (; i < end; ++i) {
        auto* client = static_cast<ClientView*>(targets[i].subscriber);
        const bool resp3 = client->resp_version() == RespVersion::kResp3;
        SharedFrameRef& frame = frames[resp3 ? 1 : 0];
        if (!frame) frame = BuildFrame(batch, pattern, resp3, receivers);
        if (!client->PushShared(frame)) continue;
        // May drop the client (output-buffer limit); the batch is a snapshot, so that is safe.
        client->PushDone();
      }
    }
  }

 private:
  // The message as one frame; its payload is copied once, here, and never per receiver.
  // Each receiver is charged an equal share of its memory (output_queue.h explains why).
  SharedFrameRef BuildFrame(const PubSubBatch& batch, uint32_t pattern, bool resp3,
                            size_t receivers) {
    head_.clear();
    ReplyBuilder rb(&head_, resp3 ? RespVersion::kResp3 : RespVersion::kResp2);
    if (pattern != PubSubBatch::kNoPattern) {
      rb.SendPushLen(4);
      rb.SendBulk("pmessage");
      rb.SendBulk(batch.patterns[pattern]);
    } else {
      rb.SendPushLen(3);
      rb.SendBulk(batch.scope == PubSubScope::kShard ? "smessage" : "message");
    }
    rb.SendBulk(batch.channel);
    head_ += '$';
    head_ += std::to_string(batch.message.size());
    head_ += "\r\n";
    const size_t size = head_.size() + batch.message.size() + 2;
    SharedFrameRef frame = SharedFrame::Allocate(size, (size + receivers - 1) / receivers);
    char* p = frame->data();
    std::memcpy(p, head_.data(), head_.size());
    p += head_.size();
    if (!batch.message.empty()) std::memcpy(p, batch.message.data(), batch.message.size());
    p += batch.message.size();
    std::memcpy(p, "\r\n", 2);
    return frame;
  }

  // Deliveries never nest (a push cannot run a command), so one buffer serves all.
  std::string head_;
};

// ---- replies ----

// (kind, name, count) as a push frame; a null name when there was nothing to unsubscribe.
void SendConfirm(ReplyBuilder& rb, std::string_view kind, const std::string_view* name,
                 size_t count) {
  rb.SendPushLen(3);
  rb.SendBulk(kind);
  if (name != nullptr) {
    rb.SendBulk(*name);
  } else {
    rb.SendNull();
  }
  rb.SendLong(static_cast<int64_t>(count));
}

enum class Kind { kChannel, kPattern, kShard };

struct KindOps {
  std::string_view subscribe;
  std::string_view unsubscribe;
  bool (PubSub::*add)(PubSubHandle, std::string_view);
  bool (PubSub::*remove)(PubSubHandle, std::string_view);
  std::vector<std::string> (PubSub::*list)(PubSubHandle) const;
};

const KindOps& Ops(Kind k) {
  static constexpr KindOps kChannelOps{"subscribe", "unsubscribe", &PubSub::Subscribe,
                                       &PubSub::Unsubscribe, &PubSub::ChannelsOf};
  static constexpr KindOps kPatternOps{"psubscribe", "punsubscribe", &PubSub::PSubscribe,
                                       &PubSub::PUnsubscribe, &PubSub::PatternsOf};
  static constexpr KindOps kShardOps{"ssubscribe", "sunsubscribe", &PubSub::SSubscribe,
                                     &PubSub::SUnsubscribe, &PubSub::ShardChannelsOf};
  switch (k) {
    case Kind::kChannel:
      return kChannelOps;
    case Kind::kPattern:
      return kPatternOps;
    case Kind::kShard:
      break;
  }
  return kShardOps;
}

// The count a confirmation carries: channels + patterns, or shard channels alone.
size_t& CounterFor(ClientSession& s, Kind k) {
  return k == Kind::kShard ? s.shard_subscriptions : s.subscriptions;
}

void DoSubscribe(CmdArgs args, CommandContext& ctx, Kind kind) {
  PubSub& ps = ctx.dispatcher->pubsub();
  const KindOps& ops = Ops(kind);
  size_t& count = CounterFor(ctx.client.session(), kind);
  for (size_t i = 1; i < args.size(); ++i) {
    if ((ps.*ops.add)(Handle(ctx.client), args[i])) ++count;
    SendConfirm(ctx.reply, ops.subscribe, &args[i], count);
  }
}

void DoUnsubscribe(CmdArgs args, CommandContext& ctx, Kind kind) {
  PubSub& ps = ctx.dispatcher->pubsub();
  const KindOps& ops = Ops(kind);
  size_t& count = CounterFor(ctx.client.session(), kind);
  auto remove_one = [&](std::string_view name) {
    if ((ps.*ops.remove)(Handle(ctx.client), name)) --count;
    SendConfirm(ctx.reply, ops.unsubscribe, &name, count);
  };
  if (args.size() > 1) {
    for (size_t i = 1; i < args.size(); ++i) remove_one(args[i]);
    return;
  }
  // No arguments: everything of this kind, or one confirmation with a null name.
  const std::vector<std::string> names = (ps.*ops.list)(Handle(ctx.client));
  if (names.empty()) {
    SendConfirm(ctx.reply, ops.unsubscribe, nullptr, count);
    return;
  }
  for (const std::string& name : names) remove_one(name);
}

void CmdSubscribe(CmdArgs args, CommandContext& ctx) { DoSubscribe(args, ctx, Kind::kChannel); }
void CmdPSubscribe(CmdArgs args, CommandContext& ctx) { DoSubscribe(args, ctx, Kind::kPattern); }
void CmdSSubscribe(CmdArgs args, CommandContext& ctx) { DoSubscribe(args, ctx, Kind::kShard); }
void CmdUnsubscribe(CmdArgs args, CommandContext& ctx) { DoUnsubscribe(args, ctx, Kind::kChannel); }
void CmdPUnsubscribe(CmdArgs args, CommandContext& ctx) {
  DoUnsubscribe(args, ctx, Kind::kPattern);
}
void CmdSUnsubscribe(CmdArgs args, CommandContext& ctx) { DoUnsubscribe(args, ctx, Kind::kShard); }

void CmdPublish(CmdArgs args, CommandContext& ctx) {
  const size_t n = ctx.dispatcher->pubsub().Publish(args[1], args[2]);
  ctx.reply.SendLong(static_cast<int64_t>(n));
}

void CmdSPublish(CmdArgs args, CommandContext& ctx) {
  const size_t n = ctx.dispatcher->pubsub().SPublish(args[1], args[2]);
  ctx.reply.SendLong(static_cast<int64_t>(n));
}

// ---- PUBSUB ----

// Redis's addReplySubcommandSyntaxError: the subcommand as the client sent it.
void SendSubcommandSyntaxError(CommandContext& ctx, std::string_view sub) {
  std::string text = "ERR unknown subcommand or wrong number of arguments for '";
  text.append(sub.substr(0, 128));
  text.append("'. Try PUBSUB HELP.");
  ctx.reply.SendError(text);
}

void SendNames(CmdArgs args, CommandContext& ctx, bool shard) {
  if (args.size() > 3) return SendSubcommandSyntaxError(ctx, args[1]);
  std::optional<std::string_view> pattern;
  if (args.size() == 3) pattern = args[2];
  PubSub& ps = ctx.dispatcher->pubsub();
  ctx.reply.SendBulkArray(shard ? ps.ShardChannels(pattern) : ps.Channels(pattern));
}

void CmdPubSubChannels(CmdArgs args, CommandContext& ctx) { SendNames(args, ctx, false); }
void CmdPubSubShardChannels(CmdArgs args, CommandContext& ctx) { SendNames(args, ctx, true); }

void SendCounts(CmdArgs args, CommandContext& ctx, bool shard) {
  PubSub& ps = ctx.dispatcher->pubsub();
  ctx.reply.SendArrayLen((args.size() - 2) * 2);
  for (size_t i = 2; i < args.size(); ++i) {
    ctx.reply.SendBulk(args[i]);
    const size_t n = shard ? ps.ShardNumSub(args[i]) : ps.NumSub(args[i]);
    ctx.reply.SendLong(static_cast<int64_t>(n));
  }
}

void CmdPubSubNumSub(CmdArgs args, CommandContext& ctx) { SendCounts(args, ctx, false); }
void CmdPubSubShardNumSub(CmdArgs args, CommandContext& ctx) { SendCounts(args, ctx, true); }

void CmdPubSubNumPat(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendLong(static_cast<int64_t>(ctx.dispatcher->pubsub().pattern_count()));
}

void CmdPubSubHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (std::string_view l : kLines) ctx.reply.SendSimple(l);
}

}  // namespace

std::unique_ptr<PubSubDelivery> MakeClientPubSubDelivery() {
  return std::make_unique<ClientDelivery>();
}

void ForgetPubSubClient(PubSub& pubsub, ClientView& client) {
  ClientSession& s = client.session();
  if (s.subscriptions + s.shard_subscriptions == 0) return;
  pubsub.UnsubscribeAll(Handle(client));
  s.subscriptions = 0;
  s.shard_subscriptions = 0;
}

bool PassesSubscribedModeGate(const CommandSpec& spec, CommandContext& ctx) {
  static constexpr std::string_view kAllowed[] = {
      "subscribe",    "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe",
      "punsubscribe", "ping",       "quit",        "reset",
  };
  for (std::string_view name : kAllowed) {
    if (spec.name == name) return true;
  }
  std::string text = "ERR Can't execute '";
  text.append(spec.name);
  text.append(kSubscribedModeTail);
  ctx.reply.SendError(text);
  return false;
}

void RegisterPubSubFamily(CommandTable& t) {
  constexpr uint32_t kSub = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kPub = kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast;
  constexpr uint32_t kInfo = kCmdPubSub | kCmdLoading | kCmdStale;
  constexpr std::string_view kGroup = "pubsub";
  constexpr std::string_view kPerArg = "O(N) where N is the number of channels to subscribe to.";

  t.Register({.name = "subscribe",
              .arity = -2,
              .flags = kSub,
              .acl_categories = 0,
              .handler = CmdSubscribe,
              .doc = {"Listens for messages published to channels.", "2.0.0", kGroup, kPerArg}});
  t.Register({.name = "unsubscribe",
              .arity = -1,
              .flags = kSub,
              .acl_categories = 0,
              .handler = CmdUnsubscribe,
              .doc = {"Stops listening to messages posted to channels.", "2.0.0", kGroup,
                      "O(N) where N is the number of clients already subscribed to a channel."}});
  t.Register({.name = "psubscribe",
              .arity = -2,
              .flags = kSub,
              .acl_categories = 0,
              .handler = CmdPSubscribe,
              .doc = {"Listens for messages published to channels that match one or more "
                      "patterns.",
                      "2.0.0", kGroup, "O(N) where N is the number of patterns to subscribe to."}});
  t.Register({.name = "punsubscribe",
              .arity = -1,
              .flags = kSub,
              .acl_categories = 0,
              .handler = CmdPUnsubscribe,
              .doc = {"Stops listening to messages published to channels that match one or "
                      "more patterns.",
                      "2.0.0", kGroup,
                      "O(N+M) where N is the number of patterns the client is already subscribed "
                      "and M is the number of total patterns subscribed in the system (by any "
                      "client)."}});
  t.Register({.name = "ssubscribe",
              .arity = -2,
              .flags = kSub,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = 0,
              .handler = CmdSSubscribe,
              .doc = {"Listens for messages published to shard channels.", "7.0.0", kGroup,
                      "O(N) where N is the number of shard channels to subscribe to."}});
  t.Register({.name = "sunsubscribe",
              .arity = -1,
              .flags = kSub,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = 0,
              .handler = CmdSUnsubscribe,
              .doc = {"Stops listening to messages posted to shard channels.", "7.0.0", kGroup,
                      "O(N) where N is the number of clients already subscribed to a shard "
                      "channel."}});
  t.Register({.name = "publish",
              .arity = 3,
              .flags = kPub,
              .acl_categories = 0,
              .handler = CmdPublish,
              .doc = {"Posts a message to a channel.", "2.0.0", kGroup,
                      "O(N+M) where N is the number of clients subscribed to the receiving "
                      "channel and M is the total number of subscribed patterns (by any "
                      "client)."}});
  t.Register({.name = "spublish",
              .arity = 3,
              .flags = kPub,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = 0,
              .handler = CmdSPublish,
              .doc = {"Post a message to a shard channel", "7.0.0", kGroup,
                      "O(N) where N is the number of clients subscribed to the receiving shard "
                      "channel."}});

  auto sub = [&](std::string_view name, int arity, uint32_t flags, CommandHandler h,
                 std::string_view summary, std::string_view since, std::string_view complexity) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl_categories = 0,
                       .handler = h,
                       .doc = {summary, since, kGroup, complexity}};
  };
  t.Register(
      {.name = "pubsub",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for Pub/Sub commands.", "2.8.0", kGroup, "Depends on subcommand."},
       .subcommands = {
           sub("pubsub|channels", -2, kInfo, CmdPubSubChannels, "Returns the active channels.",
               "2.8.0",
               "O(N) where N is the number of active channels, and assuming constant time "
               "pattern matching (relatively short channels and patterns)"),
           sub("pubsub|help", 2, kCmdLoading | kCmdStale, CmdPubSubHelp,
               "Returns helpful text about the different subcommands.", "6.2.0", "O(1)"),
           sub("pubsub|numpat", 2, kInfo, CmdPubSubNumPat,
               "Returns a count of unique pattern subscriptions.", "2.8.0", "O(1)"),
           sub("pubsub|numsub", -2, kInfo, CmdPubSubNumSub,
               "Returns a count of subscribers to channels.", "2.8.0",
               "O(N) for the NUMSUB subcommand, where N is the number of requested channels"),
           sub("pubsub|shardchannels", -2, kInfo, CmdPubSubShardChannels,
               "Returns the active shard channels.", "7.0.0",
               "O(N) where N is the number of active shard channels, and assuming constant "
               "time pattern matching (relatively short shard channels)."),
           sub("pubsub|shardnumsub", -2, kInfo, CmdPubSubShardNumSub,
               "Returns the count of subscribers of shard channels.", "7.0.0",
               "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard "
               "channels"),
       }});
}

}  // namespace gannet
