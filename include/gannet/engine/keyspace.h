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

// Hears about key changes (WATCH, keyspace notifications, AOF, tracking come later).
class KeyspaceListener {
 public:
  virtual ~KeyspaceListener() = default;
  virtual void OnKeyExpired(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
  virtual void OnKeyDeleted(int db, std::string_view key) {
    (void)db;
    (void)key;
  }
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

  // The 24-bit LRU clock in seconds resolution, as Redis's LRU_CLOCK().
  uint32_t LruClock() const;

  // Adaptive active expiry as Redis's activeExpireCycle: samples keys with a TTL in each
  // database, repeats while more than ~10% of a sample was expired, and stops when
  // `budget_us` of CPU is spent. Returns keys expired.
  // `effort` is active-expire-effort (1..10, clamped): more keys per sample and a lower
  // acceptable stale share, as in Redis.
  size_t ActiveExpireCycle(int64_t budget_us, int effort);

  void SwapDb(int a, int b);
  void FlushAll();

  size_t TotalKeys() const;

  KeyspaceStats& stats() { return stats_; }

  void AddListener(KeyspaceListener* l) { listeners_.push_back(l); }
  void RemoveListener(KeyspaceListener* l);
  // Called by Database. Cheap when nobody listens.
  void NotifyExpired(int db, std::string_view key) {
    if (!listeners_.empty()) DoNotifyExpired(db, key);
  }
  void NotifyDeleted(int db, std::string_view key) {
    if (!listeners_.empty()) DoNotifyDeleted(db, key);
  }

 private:
  void DoNotifyExpired(int db, std::string_view key);
  void DoNotifyDeleted(int db, std::string_view key);

  const Clock* clock_;
  int64_t now_ms_ = 0;
  std::vector<std::unique_ptr<Database>> dbs_;
  KeyspaceStats stats_;
  std::vector<KeyspaceListener*> listeners_;
  size_t expire_cursor_db_ = 0;
  double stale_fraction_ = 0;  // Redis's stat_expired_stale_perc (0..1)
};

}  // namespace gannet
