// Client-side caching: the invalidation table, BCAST prefixes, message delivery and the
// CLIENT TRACKING/CACHING/GETREDIR/TRACKINGINFO handlers (see tracking.h).
#include "tracking.h"

#include <algorithm>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/numbers.h"
#include "key_extraction.h"

namespace gannet {

namespace {

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

}  // namespace

Tracking::Tracking(Keyspace& keyspace, ServerView& server) : keyspace_(keyspace), server_(server) {
  keyspace_.AddListener(this);
  keyspace_.SetKeyInterest(this, false);  // until a client tracks
  keyspace_.SetEventClasses(this, 0);      // no OnKeyEvent
}

Tracking::~Tracking() { keyspace_.RemoveListener(this); }

// ---------------------------------------------------------------------------------------
// Clients

ClientView* Tracking::TrackingClient(uint64_t id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

ClientView* Tracking::FindClient(uint64_t id) {
  if (ClientView* c = TrackingClient(id)) return c;
  auto it = redirect_cache_.find(id);
  if (it != redirect_cache_.end()) return it->second;
  ClientView* found = nullptr;
  server_.ForEachClient([&](ClientView& c) {
    if (c.id() == id) found = &c;
  });
  if (found != nullptr) redirect_cache_[id] = found;
  return found;
}

void Tracking::Enable(ClientView& client, uint64_t redirect, uint8_t options,
                      const std::vector<std::string>& prefixes) {
  ClientSession& s = client.session();
  s.tracking = true;
  s.tracking_flags &= static_cast<uint8_t>(kCaching);  // the others are set anew
  s.tracking_redirect = redirect;
  clients_[client.id()] = &client;
  keyspace_.SetKeyInterest(this, true);
  if (options & kBcast) {
    s.tracking_flags |= kBcast;
    std::vector<std::string> add = prefixes;
    if (add.empty()) add.emplace_back();
    for (const std::string& p : add) {
      if (std::binary_search(s.tracking_prefixes.begin(), s.tracking_prefixes.end(), p)) continue;
      s.tracking_prefixes.insert(
          std::upper_bound(s.tracking_prefixes.begin(), s.tracking_prefixes.end(), p), p);
      prefixes_[p].clients.push_back(client.id());
    }
  }
  s.tracking_flags |= options & (kOptIn | kOptOut | kNoLoop);
}

void Tracking::Disable(ClientView& client) {
  ClientSession& s = client.session();
  if (!s.tracking) return;
  for (const std::string& p : s.tracking_prefixes) {
    auto it = prefixes_.find(p);
    if (it == prefixes_.end()) continue;
    auto& ids = it->second.clients;
    ids.erase(std::remove(ids.begin(), ids.end(), client.id()), ids.end());
    if (ids.empty()) prefixes_.erase(it);
  }
  s.tracking_prefixes.clear();
  s.tracking = false;
  s.tracking_flags = 0;
  s.tracking_redirect = 0;
  clients_.erase(client.id());
  if (clients_.empty()) keyspace_.SetKeyInterest(this, false);
}

void Tracking::ForgetClient(ClientView& client, bool closing) {
  Disable(client);
  if (closing) redirect_cache_.erase(client.id());
  if (current_ == &client && closing) current_ = nullptr;
}

std::optional<std::string> Tracking::PrefixCollision(
    const ClientView& client, const std::vector<std::string>& prefixes) const {
  auto overlap = [](std::string_view a, std::string_view b) {
    return a.starts_with(b) || b.starts_with(a);
  };
  for (size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& have : client.session().tracking_prefixes) {
      if (overlap(prefixes[i], have)) {
        return "ERR Prefix '" + prefixes[i] + "' overlaps with an existing prefix '" + have +
               "'. Prefixes for a single client must not overlap.";
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (overlap(prefixes[i], prefixes[j])) {
        return "ERR Prefix '" + prefixes[i] + "' overlaps with another provided prefix '" +
               prefixes[j] + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// The table and invalidation

void Tracking::RememberKey(std::string_view key, uint64_t id) {
  auto it = table_.find(key);
  if (it == table_.end()) it = table_.emplace(std::string(key), std::vector<uint64_t>{}).first;
  auto& ids = it->second;
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
  ids.push_back(id);
  ++total_items_;
}

void Tracking::InvalidateKey(std::string_view key, uint64_t modifier, bool defer) {
  // BCAST: remember the key under each prefix it falls in (sent after the command).
  for (auto& [prefix, state] : prefixes_) {
    if (key.starts_with(prefix)) {
      state.keys[std::string(key)] = modifier;
      has_pending_ = true;
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  total_items_ -= ids.size();
  table_.erase(it);
  for (uint64_t id : ids) {
    ClientView* target = TrackingClient(id);
    // Gone, tracking off, or switched to BCAST since it read the key: nothing to send.
    if (target == nullptr || (target->session().tracking_flags & kBcast)) continue;
    if ((target->session().tracking_flags & kNoLoop) && modifier == id) continue;
    if (defer) {
      pending_.push_back(Pending{id, std::string(key), false});
      has_pending_ = true;
    } else {
      const std::vector<std::string_view> keys = {key};
      Deliver(*target, &keys);
    }
  }
}

void Tracking::InvalidateAll(bool defer) {
  for (const auto& [id, client] : clients_) {
    if (defer) {
      pending_.push_back(Pending{id, {}, true});
      has_pending_ = true;
    } else {
      Deliver(*client, nullptr);
    }
  }
  table_.clear();
  total_items_ = 0;
}

void Tracking::OnKeyModified(int db, std::string_view key) {
  (void)db;  // one table for every database, as Redis
  if (clients_.empty()) {
    // Nobody tracks: the table holds only stale entries; drop them on a flush.
    if (key.empty() && !current_is_swapdb_) {
      table_.clear();
      total_items_ = 0;
    }
    return;
  }
  const bool defer = current_ != nullptr;
  if (key.empty()) {
    if (current_is_swapdb_) return;  // SWAPDB invalidates nothing in Redis 7.0
    // FLUSHALL signals once (db -1); FLUSHDB once per database it emptied.
    InvalidateAll(defer);
    return;
  }
  InvalidateKey(key, current_ != nullptr ? current_->id() : 0, defer);
  if (!defer && has_pending_) BroadcastPrefixes();
}

void Tracking::LimitTable() {
  const int64_t max = server_.config().tracking_table_max_keys;
  if (max <= 0 || table_.size() <= static_cast<size_t>(max)) {
    limit_rounds_ = 0;
    return;
  }
  // Effort grows while the table stays over the limit, as Redis's.
  int effort = 100 * static_cast<int>(std::min(limit_rounds_ + 1, 1000u));
  while (effort-- > 0 && !table_.empty()) {
    const std::string key = table_.begin()->first;
    InvalidateKey(key, 0, current_ != nullptr);
    if (table_.size() <= static_cast<size_t>(max)) {
      limit_rounds_ = 0;
      return;
    }
  }
  ++limit_rounds_;
}

// ---------------------------------------------------------------------------------------
// Delivery

void Tracking::Deliver(ClientView& client, const std::vector<std::string_view>* keys) {
  ClientSession& s = client.session();
  ClientView* target = &client;
  bool redirected = false;
  if (s.tracking_redirect != 0) {
    target = FindClient(s.tracking_redirect);
    if (target == nullptr) {
      s.tracking_flags |= kBrokenRedirect;
      if (client.resp_version() == RespVersion::kResp3) {
        if (ReplyBuilder* rb = client.push_reply()) {
          rb->SendPushLen(2);
          rb->SendBulk("tracking-redir-broken");
          rb->SendLong(static_cast<int64_t>(s.tracking_redirect));
          client.PushDone();
        }
      }
      return;
    }
    redirected = true;
  }
  const ClientSession& ts = target->session();
  const bool resp3 = target->resp_version() == RespVersion::kResp3;
  const bool subscribed = ts.subscriptions + ts.shard_subscriptions > 0;
  if (!resp3 && !(redirected && subscribed)) return;  // RESP2 has no pushes on its own link
  ReplyBuilder* rb = target->push_reply();
  if (rb == nullptr) return;
  if (resp3) {
    rb->SendPushLen(2);
    rb->SendBulk("invalidate");
  } else {
    rb->SendArrayLen(3);
    rb->SendBulk("message");
    rb->SendBulk(kInvalidateChannel);
  }
  if (keys == nullptr) {
    // The null is in the tracking client's protocol (Redis's shared.null[c->resp]).
    rb->SendRaw(client.resp_version() == RespVersion::kResp3 ? "_\r\n" : "$-1\r\n");
  } else {
    rb->SendArrayLen(keys->size());
    for (std::string_view k : *keys) rb->SendBulk(k);
  }
  target->PushDone();
}

void Tracking::SendPending() {
  std::vector<Pending> pending = std::move(pending_);
  pending_.clear();
  for (const Pending& p : pending) {
    ClientView* c = TrackingClient(p.client);
    if (c == nullptr) continue;
    if (p.flush) {
      Deliver(*c, nullptr);
    } else {
      const std::vector<std::string_view> keys = {p.key};
      Deliver(*c, &keys);
    }
  }
}

void Tracking::BroadcastPrefixes() {
  for (auto& [prefix, state] : prefixes_) {
    if (state.keys.empty()) continue;
    for (uint64_t id : state.clients) {
      ClientView* c = TrackingClient(id);
      if (c == nullptr) continue;
      const bool noloop = c->session().tracking_flags & kNoLoop;
      std::vector<std::string_view> keys;
      for (const auto& [key, modifier] : state.keys) {
        if (noloop && modifier == id) continue;
        keys.push_back(key);
      }
      if (!keys.empty()) Deliver(*c, &keys);
    }
    state.keys.clear();
  }
}

// ---------------------------------------------------------------------------------------
// Dispatcher hooks

void Tracking::BeforeCommand(ClientView& client, const CommandSpec& spec) {
  current_ = &client;
  current_is_swapdb_ = spec.name == "swapdb";
  if (!table_.empty()) LimitTable();
}

void Tracking::AfterCommand(const CommandSpec& spec, CommandContext& ctx, int depth) {
  ClientView& client = ctx.client;
  ClientSession& s = client.session();
  if (s.tracking && (spec.flags & kCmdReadOnly) && !(s.tracking_flags & kBcast)) {
    const bool caching = s.tracking_flags & kCaching;
    const bool optin = s.tracking_flags & kOptIn;
    const bool optout = s.tracking_flags & kOptOut;
    if (!(optin && !caching) && !(optout && caching)) {
      // The command's keys as COMMAND GETKEYS finds them (movable keys included).
      key_scratch_.clear();
      if (ExtractKeys(spec, ctx.args, &key_scratch_) == KeyExtraction::kOk) {
        for (size_t i : key_scratch_) RememberKey(ctx.args[i], client.id());
      }
    }
  }
  if (depth > 1) return;
  // CLIENT CACHING applies to the next command (or the whole transaction); other CLIENT
  // subcommands in between keep it.
  if ((s.tracking_flags & kCaching) && !s.in_multi && !spec.name.starts_with("client|")) {
    s.tracking_flags &= static_cast<uint8_t>(~kCaching);
  }
  current_ = nullptr;
  current_is_swapdb_ = false;
  if (has_pending_) {
    has_pending_ = false;
    SendPending();
    BroadcastPrefixes();
  }
}

// ---------------------------------------------------------------------------------------
// CLIENT subcommands

void CmdClientTracking(CmdArgs args, CommandContext& ctx) {
  Tracking& tracking = ctx.dispatcher->tracking();
  ClientView& client = ctx.client;
  uint64_t redirect = 0;
  uint8_t options = 0;
  std::vector<std::string> prefixes;
  for (size_t j = 3; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    if (EqualsNoCase(args[j], "REDIRECT") && more) {
      ++j;
      if (redirect != 0) {
        return ctx.reply.SendError("ERR A client can only redirect to a single other client");
      }
      auto id = ParseInt64(args[j]);
      if (!id) return ctx.reply.SendError(kNotIntegerErr);
      ClientView* target = *id > 0 ? tracking.FindClient(static_cast<uint64_t>(*id)) : nullptr;
      if (target == nullptr) {
        return ctx.reply.SendError("ERR The client ID you want redirect to does not exist");
      }
      redirect = static_cast<uint64_t>(*id);
    } else if (EqualsNoCase(args[j], "BCAST")) {
      options |= Tracking::kBcast;
    } else if (EqualsNoCase(args[j], "OPTIN")) {
      options |= Tracking::kOptIn;
    } else if (EqualsNoCase(args[j], "OPTOUT")) {
      options |= Tracking::kOptOut;
    } else if (EqualsNoCase(args[j], "NOLOOP")) {
      options |= Tracking::kNoLoop;
    } else if (EqualsNoCase(args[j], "PREFIX") && more) {
      ++j;
      prefixes.emplace_back(args[j]);
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }

  const ClientSession& s = client.session();
  if (EqualsNoCase(args[2], "ON")) {
    if (!(options & Tracking::kBcast) && !prefixes.empty()) {
      return ctx.reply.SendError("ERR PREFIX option requires BCAST mode to be enabled");
    }
    if (s.tracking &&
        ((s.tracking_flags & Tracking::kBcast) != 0) != ((options & Tracking::kBcast) != 0)) {
      return ctx.reply.SendError(
          "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
          "and then re-enabling it with a different mode.");
    }
    if ((options & Tracking::kBcast) && (options & (Tracking::kOptIn | Tracking::kOptOut))) {
      return ctx.reply.SendError("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    if ((options & Tracking::kOptIn) && (options & Tracking::kOptOut)) {
      return ctx.reply.SendError("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if (((options & Tracking::kOptIn) && (s.tracking_flags & Tracking::kOptOut)) ||
        ((options & Tracking::kOptOut) && (s.tracking_flags & Tracking::kOptIn))) {
      return ctx.reply.SendError(
          "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
          "and then re-enabling it with a different mode.");
    }
    if (options & Tracking::kBcast) {
      if (auto err = tracking.PrefixCollision(client, prefixes)) return ctx.reply.SendError(*err);
    }
    tracking.Enable(client, redirect, options, prefixes);
  } else if (EqualsNoCase(args[2], "OFF")) {
    tracking.Disable(client);
  } else {
    return ctx.reply.SendError(kSyntaxErr);
  }
  ctx.reply.SendOk();
}

void CmdClientCaching(CmdArgs args, CommandContext& ctx) {
  ClientSession& s = ctx.client.session();
  if (!s.tracking) {
    return ctx.reply.SendError(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
        "or OPTOUT mode enabled");
  }
  if (EqualsNoCase(args[2], "YES")) {
    if (!(s.tracking_flags & Tracking::kOptIn)) {
      return ctx.reply.SendError(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (EqualsNoCase(args[2], "NO")) {
    if (!(s.tracking_flags & Tracking::kOptOut)) {
      return ctx.reply.SendError(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.reply.SendError(kSyntaxErr);
  }
  s.tracking_flags |= Tracking::kCaching;
  ctx.reply.SendOk();
}

void CmdClientGetRedir(CmdArgs, CommandContext& ctx) {
  const ClientSession& s = ctx.client.session();
  ctx.reply.SendLong(s.tracking ? static_cast<int64_t>(s.tracking_redirect) : -1);
}

void CmdClientTrackingInfo(CmdArgs, CommandContext& ctx) {
  const ClientSession& s = ctx.client.session();
  std::vector<std::string_view> flags;
  flags.push_back(s.tracking ? "on" : "off");
  const uint8_t f = s.tracking_flags;
  if (f & Tracking::kBcast) flags.push_back("bcast");
  if (f & Tracking::kOptIn) {
    flags.push_back("optin");
    if (f & Tracking::kCaching) flags.push_back("caching-yes");
  }
  if (f & Tracking::kOptOut) {
    flags.push_back("optout");
    if (f & Tracking::kCaching) flags.push_back("caching-no");
  }
  if (f & Tracking::kNoLoop) flags.push_back("noloop");
  if (f & Tracking::kBrokenRedirect) flags.push_back("broken_redirect");

  ReplyBuilder& rb = ctx.reply;
  rb.SendMapLen(3);
  rb.SendBulk("flags");
  rb.SendSetLen(flags.size());
  for (std::string_view x : flags) rb.SendBulk(x);
  rb.SendBulk("redirect");
  rb.SendLong(s.tracking ? static_cast<int64_t>(s.tracking_redirect) : -1);
  rb.SendBulk("prefixes");
  rb.SendBulkArray(s.tracking_prefixes);
}

}  // namespace gannet
