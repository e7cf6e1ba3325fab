// The blocking registry: waiters per key in blocking order, ready keys, deadlines, and the
// re-run of blocked commands (see blocking.h for the contract).
#include "blocking.h"

#include <cmath>
#include <limits>

#include "gannet/commands/dispatcher.h"
#include "gannet/common/numbers.h"
#include "introspection.h"

namespace gannet {

// One blocked client. Its keys index into keys_; `positions` holds its node in each key's
// list so that unblocking is O(keys).
struct BlockingRegistry::Waiter {
  ClientView* client;
  uint64_t id;
  int db;
  int64_t deadline_ms;
  ValueType type;
  bool wake_on_delete;
  bool timeout_reply_zero;
  const CommandSpec* spec;
  const Config* config;
  int64_t first_run_us = 0;
  std::vector<std::string> args;
  std::vector<std::string> shown_args;  // as sent, when args were rewritten (XREAD $)
  std::vector<DbKey> keys;
  std::vector<WaitList::iterator> positions;
};

namespace {

constexpr std::string_view kUnblockedErr = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

}  // namespace

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, TimeoutUnit unit,
                       int64_t* deadline_ms) {
  int64_t ms = 0;
  if (unit == TimeoutUnit::kSeconds) {
    auto v = ParseLongDouble(arg);
    if (!v || std::isnan(*v)) {
      ctx.reply.SendError("ERR timeout is not a float or out of range");
      return false;
    }
    // Redis converts seconds * 1000 to a long long; a value beyond that range becomes
    // LLONG_MIN on x86 and is reported as negative ("inf", "1e400" included). Fractions
    // of a millisecond round up so that a tiny positive timeout does not mean "forever".
    long double scaled = *v * 1000.0L;
    if (!(scaled < 9223372036854775808.0L) || scaled < -9223372036854775808.0L) {
      ctx.reply.SendError("ERR timeout is negative");
      return false;
    }
    if (scaled < 0) {
      ctx.reply.SendError("ERR timeout is negative");
      return false;
    }
    long double up = std::ceil(scaled);
    ms = up >= 9223372036854775807.0L ? std::numeric_limits<int64_t>::max()
                                      : static_cast<int64_t>(up);
  } else {
    auto v = ParseInt64(arg);
    if (!v) {
      ctx.reply.SendError("ERR timeout is not an integer or out of range");
      return false;
    }
    if (*v < 0) {
      ctx.reply.SendError("ERR timeout is negative");
      return false;
    }
    ms = *v;
  }
  if (ms == 0) {
    *deadline_ms = 0;
  } else if (ms > std::numeric_limits<int64_t>::max() - ctx.now_ms) {
    *deadline_ms = 0;  // beyond any clock: wait forever
  } else {
    *deadline_ms = ctx.now_ms + ms;
  }
  return true;
}

void BlockClient(CommandContext& ctx, const BlockSpec& spec) {
  if (ctx.cannot_block || ctx.blocking == nullptr || ctx.client.deferred_reply() == nullptr) {
    if (spec.timeout_reply_zero) {
      ctx.reply.SendLong(0);
    } else {
      ctx.reply.SendNullArray();
    }
    return;
  }
  ctx.blocking->Block(ctx, ctx.args, spec);
}

const std::string_view* ReadyKey(const CommandContext& ctx) {
  if (!ctx.rerun || ctx.blocking == nullptr) return nullptr;
  BlockingRegistry::Rerun* r = ctx.blocking->current_rerun();
  return r == nullptr ? nullptr : &r->key;
}

void SignalKeyReady(CommandContext& ctx, std::string_view key) {
  if (ctx.blocking != nullptr && ctx.blocking->has_waiters()) {
    ctx.blocking->SignalKeyReady(ctx.client.db_index(), key);
  }
}

void SignalKeyReady(CommandContext& ctx, int db, std::string_view key) {
  if (ctx.blocking != nullptr && ctx.blocking->has_waiters()) {
    ctx.blocking->SignalKeyReady(db, key);
  }
}

BlockingRegistry::BlockingRegistry(Keyspace& keyspace, Dispatcher& dispatcher)
    : keyspace_(keyspace), dispatcher_(dispatcher) {}

BlockingRegistry::~BlockingRegistry() {
  if (delete_listeners_ > 0) keyspace_.RemoveListener(this);
}

void BlockingRegistry::Block(CommandContext& ctx, CmdArgs args, const BlockSpec& spec) {
  const uint64_t id = ctx.client.id();
  if (rerun_ != nullptr && rerun_->client_id == id) {
    // A re-run that still finds nothing: stay blocked where we were.
    rerun_->blocked_again = true;
    return;
  }
  if (clients_.count(id) != 0) return;  // cannot happen: a blocked client runs nothing
  auto w = std::make_unique<Waiter>();
  w->client = &ctx.client;
  w->id = id;
  w->db = ctx.client.db_index();
  w->deadline_ms = spec.deadline_ms;
  w->type = spec.type;
  w->wake_on_delete = spec.wake_on_delete;
  w->timeout_reply_zero = spec.timeout_reply_zero;
  w->spec = ctx.spec;
  w->config = &ctx.config();
  if (!spec.rerun_args.empty()) {
    w->args = spec.rerun_args;
    w->shown_args.assign(args.begin(), args.end());
  } else {
    w->args.assign(args.begin(), args.end());
  }
  w->keys.reserve(spec.keys.size());
  w->positions.reserve(spec.keys.size());
  for (std::string_view k : spec.keys) {
    DbKey dk{w->db, std::string(k)};
    bool dup = false;
    for (const DbKey& seen : w->keys) dup = dup || seen == dk;
    if (dup) continue;  // BLPOP k k: wait once
    WaitList& list = keys_[dk];
    if (list.empty()) names_[dk.key].push_back(dk.db);
    list.push_back(w.get());
    w->positions.push_back(std::prev(list.end()));
    w->keys.push_back(std::move(dk));
  }
  if (w->wake_on_delete && delete_listeners_++ == 0) keyspace_.AddListener(this);
  if (w->deadline_ms != 0) deadlines_.emplace(w->deadline_ms, id);
  Waiter* raw = w.get();
  clients_.emplace(id, std::move(w));
  ++blocks_started_;
  raw->client->set_blocked(true);
  if (raw->deadline_ms != 0 && deadline_hook_) deadline_hook_(raw->deadline_ms);
}

void BlockingRegistry::Unlink(Waiter* w) {
  for (size_t i = 0; i < w->keys.size(); ++i) {
    auto it = keys_.find(w->keys[i]);
    if (it == keys_.end()) continue;
    it->second.erase(w->positions[i]);
    if (it->second.empty()) {
      auto n = names_.find(w->keys[i].key);
      if (n != names_.end()) {
        auto& dbs = n->second;
        for (size_t j = 0; j < dbs.size(); ++j) {
          if (dbs[j] == w->keys[i].db) {
            dbs[j] = dbs.back();
            dbs.pop_back();
            break;
          }
        }
        if (dbs.empty()) names_.erase(n);
      }
      keys_.erase(it);
    }
  }
  if (w->deadline_ms != 0) deadlines_.erase({w->deadline_ms, w->id});
  if (w->wake_on_delete && --delete_listeners_ == 0) keyspace_.RemoveListener(this);
  clients_.erase(w->id);  // frees w
}

void BlockingRegistry::SignalKeyReady(int db, std::string_view key) {
  if (clients_.empty()) return;
  DbKey dk{db, std::string(key)};
  if (keys_.find(dk) == keys_.end()) return;
  if (ready_set_.insert(dk).second) ready_.push_back(std::move(dk));
}

void BlockingRegistry::SignalKeyAnyDb(std::string_view key) {
  if (clients_.empty()) return;
  auto n = names_.find(std::string(key));
  if (n == names_.end()) return;
  for (int db : std::vector<int>(n->second)) SignalKeyReady(db, key);
}

void BlockingRegistry::SignalAll() {
  std::vector<DbKey> all;
  all.reserve(keys_.size());
  for (const auto& [k, list] : keys_) all.push_back(k);
  for (const DbKey& k : all) SignalKeyReady(k.db, k.key);
}

void BlockingRegistry::OnKeyDeleted(int db, std::string_view key) { SignalKeyReady(db, key); }

void BlockingRegistry::OnKeyExpired(int db, std::string_view key) { SignalKeyReady(db, key); }

bool BlockingRegistry::KeyServes(const Waiter& w, const DbKey& key) {
  Entry* e = keyspace_.db(key.db).FindNoTouch(key.key);
  if (e != nullptr && e->value.type() == w.type) return true;
  return w.wake_on_delete;
}

void BlockingRegistry::ServeKey(const DbKey& key) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return;
  // The clients waiting now, in blocking order; ones that block meanwhile wait for the
  // next signal (as Redis serves only the waiters it counted when it started).
  std::vector<uint64_t> ids;
  ids.reserve(it->second.size());
  for (const Waiter* w : it->second) ids.push_back(w->id);
  for (uint64_t id : ids) {
    auto c = clients_.find(id);
    if (c == clients_.end()) continue;  // served through another key, or gone
    Waiter* w = c->second.get();
    if (!KeyServes(*w, key)) continue;  // gone, or of a type this waiter ignores
    ClientView* client = w->client;
    ReplyBuilder* rb = client->deferred_reply();
    std::vector<std::string_view> views(w->args.begin(), w->args.end());
    std::vector<std::string_view> shown(w->shown_args.begin(), w->shown_args.end());
    Rerun rerun{
        id, key.key, false, w->first_run_us,
        shown.empty() ? CmdArgs(views.data(), views.size()) : CmdArgs(shown.data(), shown.size())};
    rerun_ = &rerun;
    dispatcher_.RunBlocked(CmdArgs(views.data(), views.size()), *client, *rb);
    rerun_ = nullptr;
    if (rerun.blocked_again) continue;
    auto still = clients_.find(id);
    if (still != clients_.end()) Unlink(still->second.get());
    client->set_blocked(false);
  }
}

void BlockingRegistry::ServeReadyKeys() {
  if (serving_) return;  // the loop below picks up keys signalled by re-runs
  serving_ = true;
  while (!ready_.empty()) {
    std::vector<DbKey> batch;
    batch.swap(ready_);
    ready_set_.clear();
    for (const DbKey& k : batch) ServeKey(k);
  }
  serving_ = false;
}

void BlockingRegistry::Finish(uint64_t client_id, EndHow how) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  Waiter* w = it->second.get();
  ClientView* client = w->client;
  const CommandSpec* spec = w->spec;
  const Config* config = w->config;
  const int64_t first_run_us = w->first_run_us;
  ReplyBuilder* rb = client->deferred_reply();
  if (rb != nullptr) {
    if (how == EndHow::kUnblockError) {
      rb->SendError(kUnblockedErr);
    } else if (w->timeout_reply_zero) {
      rb->SendLong(0);
    } else {
      rb->SendNullArray();
    }
  }
  Unlink(w);
  // The call was counted when it blocked; a deadline adds nothing (blocking.h).
  if (how == EndHow::kUnblockError) {
    ++unblock_errors_;
    ++dispatcher_.stats().total_error_replies;
    dispatcher_.introspection().CountError("UNBLOCKED");
  }
  if (how != EndHow::kDeadline && spec != nullptr && config != nullptr) {
    const int64_t now_ms = keyspace_.clock().NowUs() / 1000;
    dispatcher_.introspection().OnUnblocked(*spec, *client, *config, CmdArgs(), now_ms,
                                            first_run_us, 0, /*failed=*/true);
  }
  client->set_blocked(false);
}

size_t BlockingRegistry::ExpireTimeouts(int64_t now_ms) {
  size_t n = 0;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    uint64_t id = deadlines_.begin()->second;
    Finish(id, EndHow::kDeadline);
    ++n;
  }
  return n;
}

int64_t BlockingRegistry::NextDeadline() const {
  return deadlines_.empty() ? 0 : deadlines_.begin()->first;
}

bool BlockingRegistry::Unblock(uint64_t client_id, UnblockHow how) {
  if (clients_.count(client_id) == 0) return false;
  Finish(client_id, how == UnblockHow::kTimeout ? EndHow::kUnblockTimeout : EndHow::kUnblockError);
  return true;
}

void BlockingRegistry::NoteFirstRun(uint64_t client_id, int64_t duration_us) {
  auto it = clients_.find(client_id);
  if (it != clients_.end()) it->second->first_run_us = duration_us;
}

void BlockingRegistry::RemoveClient(uint64_t client_id) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  Unlink(it->second.get());
}

}  // namespace gannet
