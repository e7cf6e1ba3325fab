// The engine: every database, the time snapshot commands run under, expiry statistics
// and the hooks other modules register to hear about key changes. It owns all keyspace
// state (no globals) and is driven by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/engine/database.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/lazyfree.h"

namespace gannet {

struct KeyspaceStats {
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  // Smoothed estimate of the share of TTL keys that are expired but not yet reclaimed, in
  // hundredths of a percent (INFO's expired_stale_perc is this / 100, "%.2f").
  uint64_t expired_stale_perc_x100 = 0;
  uint64_t expire_cycle_cpu_us = 0;
  uint64_t evicted_keys = 0;
};

// Keyspace notification classes: the notify-keyspace-events letters (K and E select the
// channel kind and are not event classes). Every event a command or the engine emits
// carries exactly one class.
enum NotifyClass : uint32_t {
  kNotifyGeneric = 1u << 0,  // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1u << 1,   // $
  kNotifyList = 1u << 2,     // l
  kNotifySet = 1u << 3,      // s
  kNotifyHash = 1u << 4,     // h
  kNotifyZSet = 1u << 5,     // z
  kNotifyExpired = 1u << 6,  // x: a key removed because its TTL passed
  kNotifyEvicted = 1u << 7,  // e: a key removed by maxmemory eviction
  kNotifyStream = 1u << 8,   // t
  kNotifyKeyMiss = 1u << 9,  // m: a read found no key
  kNotifyModule = 1u << 10,  // d
  kNotifyNewKey = 1u << 11,  // n: a key was created
};

// Hears about key changes: WATCH, client-side caching and snapshots listen for
// modifications, keyspace notifications for events. Listeners are called on the engine
// thread, in registration order, and must not modify the keyspace.
class KeyspaceListener {
 public:
  virtual ~KeyspaceListener() = default;
  // A key's value changed or the key was created or removed (Redis's signalModifiedKey):
  // every write that changed something calls it once per key, and so do expiry, eviction
  // and deletion. db -1: every key of every database (FLUSHALL); key empty: every key
  // of db (FLUSHDB, SWAPDB).
  virtual void OnKeyModified(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
  // A keyspace notification (Redis's notifyKeyspaceEvent), e.g. (kNotifyHash, "hset").
  virtual void OnKeyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key) {
    (void)cls;
    (void)event;
    (void)db;
    (void)key;
  }
  virtual void OnKeyExpired(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
  virtual void OnKeyDeleted(int db, std::string_view key) {
    (void)db;
    (void)key;
  }

 private:
  friend class Keyspace;
  // What the listener wants now (Keyspace::SetKeyInterest, SetEventClasses).
  bool wants_keys_ = true;
  uint32_t event_classes_ = ~0u;
};

class Keyspace {
 public:
  Keyspace(int databases, const Clock* clock);
  ~Keyspace();

  int database_count() const { return static_cast<int>(dbs_.size()); }
  Database& db(int index) { return *dbs_[static_cast<size_t>(index)]; }

  // The time every lookup in the current command uses. The dispatcher sets it once per
  // command (Redis's commandTimeSnapshot); cron sets it before active expiry.
  void set_now_ms(int64_t now) { now_ms_ = now; }
  int64_t now_ms() const { return now_ms_; }
  const Clock& clock() const { return *clock_; }

  // The 24-bit LRU clock (kLruResolutionMs ticks; Redis's LRU_CLOCK() ticks per second).
  uint32_t LruClock() const;

  // Adaptive active expiry as Redis's activeExpireCycle: samples keys with a TTL in each
  // database, repeats while more than ~10% of a sample was expired, and stops when
  // `budget_us` of CPU is spent. Returns keys expired.
  // `effort` is active-expire-effort (1..10, clamped): more keys per sample and a lower
  // acceptable stale share, as in Redis.
  size_t ActiveExpireCycle(int64_t budget_us, int effort);
  // DEBUG SET-ACTIVE-EXPIRE 0|1 (Redis's server.active_expire_enabled): while off the
  // cycle above does nothing, so keys past their TTL stay until a lookup expires them.
  void set_active_expire_enabled(bool on) { active_expire_enabled_ = on; }
  bool active_expire_enabled() const { return active_expire_enabled_; }

  // CLIENT PAUSE (WRITE or ALL) freezes the dataset until `until_ms` (0: not frozen), as
  // Redis 7.0 does: no active expiry and no eviction, and a lookup of an expired key
  // reports it missing without deleting it (it goes once the pause is over).
  void set_frozen_until_ms(int64_t until_ms) { frozen_until_ms_ = until_ms; }
  bool frozen() const { return frozen_until_ms_ != 0 && now_ms_ < frozen_until_ms_; }

  // CLIENT NO-TOUCH: set by the dispatcher while such a client's command (other than
  // TOUCH) runs, so its lookups leave the keys' LRU/LFU data alone.
  void set_no_touch(bool on) { no_touch_ = on; }

  // Set while a dataset loads (startup RDB or AOF, DEBUG RELOAD). As Redis's keyIsExpired
  // while server.loading, nothing expires then: a lookup sees a key whose TTL has passed
  // as live, and commands that would delete a key for an expiry time already past (EXPIRE,
  // GETEX, RESTORE: Redis's checkAlreadyExpired) set it instead. Replayed AOF commands so
  // act on the keyspace they were logged against; such keys expire once the load is over.
  void set_loading(bool on) { loading_ = on; }
  bool loading() const { return loading_; }
  // The time lookups judge expiry by: now_ms(), or the earliest time while loading.
  int64_t expiry_now_ms() const { return loading_ ? INT64_MIN : now_ms_; }

  void SwapDb(int a, int b);
  void FlushAll();
  // FLUSHALL ASYNC: every database is emptied now and its contents freed by the lazy-free
  // thread.
  void FlushAllAsync();

  // ---- memory: maxmemory settings, LRU/LFU data, eviction, lazy free (eviction.h) ----
  const MemorySettings& memory_settings() const { return memory_settings_; }
  // Called when the memory directives change (startup, CONFIG SET).
  void ApplyMemorySettings(const MemorySettings& s) {
    memory_settings_ = s;
    evictor_->ApplySettings(s);
  }
  Evictor& evictor() { return *evictor_; }
  LazyFreer& lazyfree() { return *lazyfree_; }
  // The Entry::lru value of a key created now (LRU clock, or LFU_INIT_VAL stamped now).
  uint32_t InitialLru() const {
    return memory_settings_.lfu() ? LfuPack(now_ms_, kLfuInitVal) : LruClock();
  }
  // The same for a named key (kept for callers that have one; the key's history lives in
  // the Evictor's frequency sketch, not in its counter).
  uint32_t InitialLru(std::string_view key);
  // The access update Database::Touch applies: LRU clock, or LFU decay + log increment.
  void TouchEntry(Entry* e) {
    if (no_touch_) return;
    if (!memory_settings_.lfu()) {
      e->lru = LruClock();
      return;
    }
    evictor_->RecordAccess(e->key());
    uint8_t frac = (e->flags & Entry::kEntryLfuFracMask) >> Entry::kEntryLfuFracShift;
    e->lru = LfuTouchFine(e->lru, &frac, now_ms_, memory_settings_.lfu_log_factor,
                          memory_settings_.lfu_decay_time, NextUnitRandom()) &
             kLruClockMax;
    e->flags = static_cast<uint8_t>((e->flags & ~Entry::kEntryLfuFracMask) |
                                    (frac << Entry::kEntryLfuFracShift));
  }
  // OBJECT IDLETIME (ms) and OBJECT FREQ (the decayed counter), and their setters for
  // RESTORE ... IDLETIME / FREQ and RDB loading.
  uint64_t IdleMs(const Entry& e) const { return LruIdleMs(e.lru, now_ms_); }
  uint8_t LfuCounter(const Entry& e) const {
    return LfuDecayed(e.lru, now_ms_, memory_settings_.lfu_decay_time);
  }
  void SetIdleSeconds(Entry* e, uint64_t seconds) const {
    if (!memory_settings_.lfu()) e->lru = LruForIdle(now_ms_, seconds * 1000);
  }
  void SetLfuFrequency(Entry* e, uint8_t freq) const {
    if (!memory_settings_.lfu()) return;
    e->lru = LfuPack(now_ms_, freq);
    e->flags &= static_cast<uint8_t>(~Entry::kEntryLfuFracMask);
  }

  size_t TotalKeys() const;

  KeyspaceStats& stats() { return stats_; }

  // A new listener hears everything until it narrows its interest with the two calls
  // below. Every write signals a change and a notification, so the signals cost one test
  // each when no listener wants them (nobody WATCHes or tracks, notify-keyspace-events
  // off): listeners that are idle at times say so.
  void AddListener(KeyspaceListener* l);
  void RemoveListener(KeyspaceListener* l);
  // Whether l wants OnKeyModified, OnKeyExpired and OnKeyDeleted for single keys now
  // (whole-database signals reach every listener). Cheap: call it when it changes.
  void SetKeyInterest(KeyspaceListener* l, bool wants);
  // The notification classes l wants OnKeyEvent for (~0u: all).
  void SetEventClasses(KeyspaceListener* l, uint32_t classes);
  // The notify-keyspace-events flags (the config's word, read on every event, so that
  // CONFIG SET needs no hook): its classes reach the listeners too. nullptr: none.
  void set_notify_classes(const uint32_t* flags) {
    notify_classes_ = flags != nullptr ? flags : &kNoClasses;
  }
  // Called by Database. Cheap when nobody listens.
  void NotifyExpired(int db, std::string_view key) {
    if (key_listeners_ != 0 || WantsEvent(kNotifyExpired)) DoNotifyExpired(db, key);
  }
  void NotifyDeleted(int db, std::string_view key) {
    if (key_listeners_ != 0) DoNotifyDeleted(db, key);
  }

  // ---- changes made by commands (see KeyspaceListener) ----
  // The write counter behind save points, rdb_changes_since_last_save and AOF propagation
  // (Redis's server.dirty): a command adds one per change it made.
  uint64_t dirty() const { return dirty_; }
  void AddDirty(uint64_t n = 1) { dirty_ += n; }
  // db -1 or an empty key: every key of every database / of db (see KeyspaceListener).
  void SignalModified(int db, std::string_view key) {
    if (key_listeners_ != 0 || key.empty()) DoSignalModified(db, key);
  }
  void NotifyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key) {
    if (WantsEvent(cls)) DoNotifyEvent(cls, event, db, key);
  }

 private:
  static constexpr uint32_t kNoClasses = 0;
  bool WantsEvent(NotifyClass cls) const { return ((*notify_classes_ | event_classes_) & cls); }
  // Recomputes key_listeners_ and event_classes_ from the listeners.
  void UpdateInterest();
  void DoNotifyExpired(int db, std::string_view key);
  void DoNotifyDeleted(int db, std::string_view key);
  void DoSignalModified(int db, std::string_view key);
  void DoNotifyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key);

  // A uniform number in [0, 1) for the LFU increment (xorshift: cheap, not secure).
  double NextUnitRandom() {
    rng_state_ ^= rng_state_ << 13;
    rng_state_ ^= rng_state_ >> 7;
    rng_state_ ^= rng_state_ << 17;
    return static_cast<double>(rng_state_ >> 11) * 0x1.0p-53;
  }

  const Clock* clock_;
  int64_t now_ms_ = 0;
  MemorySettings memory_settings_;
  uint64_t rng_state_ = 0x9e3779b97f4a7c15ULL;
  std::unique_ptr<LazyFreer> lazyfree_;  // before evictor_, which refers to it
  std::unique_ptr<Evictor> evictor_;
  std::vector<std::unique_ptr<Database>> dbs_;
  KeyspaceStats stats_;
  std::vector<KeyspaceListener*> listeners_;
  size_t key_listeners_ = 0;                      // listeners wanting single-key signals
  uint32_t event_classes_ = 0;                    // union of the listeners' event classes
  const uint32_t* notify_classes_ = &kNoClasses;  // see set_notify_classes
  size_t expire_cursor_db_ = 0;
  double stale_fraction_ = 0;  // Redis's stat_expired_stale_perc (0..1)
  uint64_t dirty_ = 0;
  int64_t frozen_until_ms_ = 0;  // CLIENT PAUSE (see frozen())
  bool no_touch_ = false;        // CLIENT NO-TOUCH (see set_no_touch())
  bool loading_ = false;         // a dataset is loading (see set_loading())

  // DEBUG SET-ACTIVE-EXPIRE (see set_active_expire_enabled()).
  bool active_expire_enabled_ = true;
};

}  // namespace gannet
