// Keyspace: the databases, the command time snapshot, listeners, and the active expiry
// cycle (Redis's adaptive activeExpireCycle, slow variant).
#include "gannet/engine/keyspace.h"

#include <algorithm>

namespace gannet {

Keyspace::Keyspace(int databases, const Clock* clock)
    : clock_(clock), lazyfree_(std::make_unique<LazyFreer>()) {
  now_ms_ = clock_->NowMs();
  evictor_ = std::make_unique<Evictor>(this);
  dbs_.reserve(static_cast<size_t>(std::max(databases, 1)));
  for (int i = 0; i < std::max(databases, 1); ++i) {
    dbs_.push_back(std::make_unique<Database>(this, i));
  }
}

Keyspace::~Keyspace() = default;

uint32_t Keyspace::LruClock() const {
  // 24 bits of kLruResolutionMs ticks; it wraps every ~19 days and the idle-time
  // computation accounts for one wrap.
  return LruClockAt(now_ms_);
}

size_t Keyspace::ActiveExpireCycle(int64_t budget_us, int effort) {
  if (frozen()) return 0;  // CLIENT PAUSE keeps the dataset static
  // DEBUG SET-ACTIVE-EXPIRE 0: keys past their TTL wait for a lookup.
  if (!active_expire_enabled_) return 0;
  // Redis's constants: 20 keys per sample loop (+25% per effort step), repeat while more
  // than 10% (minus one point per effort step) of a sample was expired, check the time
  // every 16 loops.
  constexpr size_t kKeysPerLoop = 20;
  constexpr size_t kAcceptableStale = 10;
  const size_t e = static_cast<size_t>(std::clamp(effort, 1, 10) - 1);
  const size_t keys_per_loop = kKeysPerLoop + kKeysPerLoop / 4 * e;
  const size_t acceptable_stale = kAcceptableStale - e;

  const int64_t start = clock_->MonotonicUs();
  size_t total_expired = 0;
  size_t total_sampled = 0;
  bool time_exit = false;
  unsigned iteration = 0;  // per call, as Redis: the time is checked every 16 loops
  const size_t dbs = dbs_.size();
  for (size_t j = 0; j < dbs && !time_exit; ++j) {
    Database& d = *dbs_[expire_cursor_db_ % dbs];
    // Next cycle starts after this db even if we stop on time here (Redis does the same).
    expire_cursor_db_ = (expire_cursor_db_ + 1) % dbs;
    while (true) {
      size_t num = d.expires_size();
      if (num == 0) break;
      ++iteration;
      num = std::min(num, keys_per_loop);
      auto [sampled, expired] = d.ExpireSample(num);
      total_sampled += sampled;
      total_expired += expired;
      if ((iteration & 0xf) == 0 && clock_->MonotonicUs() - start > budget_us) {
        time_exit = true;
        break;
      }
      if (sampled != 0 && expired * 100 / sampled <= acceptable_stale) break;
    }
  }
  const int64_t elapsed = clock_->MonotonicUs() - start;
  stats_.expire_cycle_cpu_us += static_cast<uint64_t>(std::max<int64_t>(elapsed, 0));
  const double current =
      total_sampled == 0 ? 0.0 : static_cast<double>(total_expired) / total_sampled;
  stale_fraction_ = current * 0.05 + stale_fraction_ * 0.95;
  stats_.expired_stale_perc_x100 = static_cast<uint64_t>(stale_fraction_ * 10000 + 0.5);
  return total_expired;
}

void Keyspace::SwapDb(int a, int b) {
  if (a == b) return;
  db(a).SwapContents(db(b));
}

uint32_t Keyspace::InitialLru(std::string_view key) {
  (void)key;
  return InitialLru();
}

void Keyspace::FlushAll() {
  for (auto& d : dbs_) d->Clear();
  evictor_->ClearHistory();
}

void Keyspace::FlushAllAsync() {
  for (auto& d : dbs_) d->ClearLazily();
  evictor_->ClearHistory();
}

size_t Keyspace::TotalKeys() const {
  size_t n = 0;
  for (const auto& d : dbs_) n += d->size();
  return n;
}

void Keyspace::AddListener(KeyspaceListener* l) {
  listeners_.push_back(l);
  UpdateInterest();
}

void Keyspace::RemoveListener(KeyspaceListener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
  UpdateInterest();
}

void Keyspace::SetKeyInterest(KeyspaceListener* l, bool wants) {
  if (l->wants_keys_ == wants) return;
  l->wants_keys_ = wants;
  UpdateInterest();
}

void Keyspace::SetEventClasses(KeyspaceListener* l, uint32_t classes) {
  l->event_classes_ = classes;
  UpdateInterest();
}

void Keyspace::UpdateInterest() {
  key_listeners_ = 0;
  event_classes_ = 0;
  for (const KeyspaceListener* l : listeners_) {
    key_listeners_ += l->wants_keys_ ? 1 : 0;
    event_classes_ |= l->event_classes_;
  }
}

void Keyspace::DoNotifyExpired(int db, std::string_view key) {
  if (key_listeners_ != 0) {
    for (KeyspaceListener* l : listeners_) {
      if (l->wants_keys_) l->OnKeyExpired(db, key);
    }
  }
  // An expiry (lazy or active) is a change like a command's: the "expired" notification,
  // then the modification signal (Redis's deleteExpiredKeyAndPropagate order).
  NotifyEvent(kNotifyExpired, "expired", db, key);
  SignalModified(db, key);
}

void Keyspace::DoNotifyDeleted(int db, std::string_view key) {
  for (KeyspaceListener* l : listeners_) {
    if (l->wants_keys_) l->OnKeyDeleted(db, key);
  }
}

void Keyspace::DoSignalModified(int db, std::string_view key) {
  const bool whole = db < 0 || key.empty();
  for (KeyspaceListener* l : listeners_) {
    if (whole || l->wants_keys_) l->OnKeyModified(db, key);
  }
}

void Keyspace::DoNotifyEvent(NotifyClass cls, std::string_view event, int db,
                             std::string_view key) {
  // The config's classes are for the notifier (which re-checks them); the others have
  // their own.
  const bool config = (*notify_classes_ & cls) != 0;
  for (KeyspaceListener* l : listeners_) {
    if (config || (l->event_classes_ & cls)) l->OnKeyEvent(cls, event, db, key);
  }
}

}  // namespace gannet
