// maxmemory: the settings, the allocator meter that says how much memory is in use, the
// LRU/LFU bookkeeping kept in Entry::lru, and the Evictor that removes keys until the
// used memory is back under the limit.
//
// Like Redis, eviction is approximated: each eviction samples a few keys per database and
// keeps the best candidates seen so far in a small pool sorted by score (idle time, inverse
// frequency or closeness of the TTL deadline). Two things differ, both to keep more of the
// keys that matter for the same work:
//   - the LRU clock ticks every kLruResolutionMs (Redis: every second), so keys touched
//     within the same second are still ordered; it wraps after ~19 days (Redis: 194);
//   - a pooled candidate is re-scored before it is evicted: a key read since it entered
//     the pool goes back into the pool with its new score instead of being evicted.
//   - the LFU counter has sixteenths (in spare Entry::flags bits): keys a few hits apart
//     are told apart where Redis's 8-bit counter gives them the same value; ties are
//     broken by the access time kept next to the counter.
//
// Everything here runs on the engine thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gannet {

class Keyspace;
struct Config;
struct Entry;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name);
std::string_view EvictionPolicyName(EvictionPolicy p);

// The memory directives as the engine uses them (copied from Config when it changes).
struct MemorySettings {
  int64_t maxmemory = 0;  // bytes; 0 = no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;
  int tenacity = 10;  // maxmemory-eviction-tenacity, 0..100
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;  // minutes per counter decrement; 0 = never decay
  bool lazy_eviction = false;
  bool lazy_expire = false;
  bool lazy_server_del = false;
  bool lazy_user_del = false;
  bool lazy_user_flush = false;

  bool lfu() const {
    return policy == EvictionPolicy::kAllKeysLfu || policy == EvictionPolicy::kVolatileLfu;
  }
  bool operator==(const MemorySettings&) const = default;
};

MemorySettings MemorySettingsFromConfig(const Config& cfg);

// ---- LRU / LFU data in Entry::lru (24 bits) ----
// LRU: a clock of kLruResolutionMs ticks. LFU: 16 bits of minutes of the last access
// (Redis's "ldt") and an 8-bit logarithmic counter.
inline constexpr int64_t kLruResolutionMs = 100;
inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;
inline constexpr uint8_t kLfuInitVal = 5;

uint32_t LruClockAt(int64_t now_ms);
// Milliseconds since the access recorded in `lru` (a wrapped clock counts as one wrap).
uint64_t LruIdleMs(uint32_t lru, int64_t now_ms);
// A 24-bit LRU value for a key idle `idle_ms` at now_ms (RESTORE ... IDLETIME).
uint32_t LruForIdle(int64_t now_ms, uint64_t idle_ms);

uint32_t LfuMinutes(int64_t now_ms);  // 16 bits
// Redis's LFULogIncr: +1 with probability 1/((counter - 5) * log_factor + 1), at most 255.
// `r` is a uniform random number in [0, 1).
uint8_t LfuLogIncr(uint8_t counter, int log_factor, double r);
// The counter after decay: minus one per lfu_decay_time minutes since the last access.
uint8_t LfuDecayed(uint32_t lru, int64_t now_ms, int decay_time);
// The access update: decay, then a logarithmic increment, stamped with now.
uint32_t LfuTouch(uint32_t lru, int64_t now_ms, int log_factor, int decay_time, double r);
uint32_t LfuPack(int64_t now_ms, uint8_t counter);
// Gannet's access update: the same expected growth as LfuLogIncr, in sixteenths of a step
// (`frac`, 0..15, kept in Entry::flags), so keys with a few hits more are told apart.
// The probability p of a Redis step becomes 16p sixteenths (the fractional part by `r`).
uint32_t LfuTouchFine(uint32_t lru, uint8_t* frac, int64_t now_ms, int log_factor, int decay_time,
                      double r);

// ---- the allocator meter ----
// How many bytes the process has allocated. The default one reads jemalloc when it is the
// process's allocator (found at run time, so the engine library does not link it), ASan's
// allocator in sanitizer builds, and glibc's mallinfo2 otherwise.
class MemoryMeter {
 public:
  virtual ~MemoryMeter() = default;
  // Used memory; cheap enough to call for every command (jemalloc: two thread-local
  // counters on top of a baseline refreshed every 100 ms).
  virtual size_t Used() = 0;
  // Re-reads the exact figure now (INFO, MEMORY STATS).
  virtual void Refresh() {}
  virtual std::string_view allocator_name() const { return "libc"; }
  // jemalloc's allocated/active/resident (0 when unknown).
  struct AllocatorStats {
    size_t allocated = 0;
    size_t active = 0;
    size_t resident = 0;
  };
  virtual AllocatorStats Stats() { return {}; }
  // MEMORY PURGE: returns unused dirty pages to the OS. False when not supported.
  virtual bool Purge() { return false; }
  // MEMORY MALLOC-STATS text.
  virtual std::string MallocStats() { return "Stats not supported for the current allocator"; }
  // Bytes freed by the lazy-free thread (subtracted from the engine thread's counters).
  virtual void set_offthread_freed(const std::atomic<uint64_t>* freed) { (void)freed; }
};

std::unique_ptr<MemoryMeter> MakeAllocatorMeter();

// ---- eviction ----
struct EvictionStats {
  uint64_t total_exceeded_time_us = 0;  // INFO total_eviction_exceeded_time (ms)
  int64_t exceeded_since_us = 0;        // 0: under the limit
};

class Evictor {
 public:
  explicit Evictor(Keyspace* ks);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  MemoryMeter& meter() { return *meter_; }
  void set_meter(std::unique_ptr<MemoryMeter> meter);

  // Used memory as maxmemory counts it, and its peak (MEMORY STATS, INFO).
  size_t UsedMemory();
  size_t peak() const { return peak_; }
  void ResetPeak() { peak_ = 0; }
  // The empty server's own footprint (INFO used_memory_startup), recorded once started.
  size_t startup() const { return startup_; }
  void MarkStartup() { startup_ = UsedMemory(); }

  enum class Result {
    kOk,       // under the limit (or freed enough)
    kRunning,  // still over but work is under way (time budget spent, lazy frees pending)
    kFail,     // still over and nothing more can be evicted
  };
  // Redis's performEvictions: evicts per the policy until under maxmemory or the
  // tenacity time budget is spent. Returns kOk immediately when under the limit.
  Result PerformEvictions();

  const EvictionStats& stats() const { return stats_; }
  // INFO total_eviction_exceeded_time / current_eviction_exceeded_time (ms): time spent
  // over maxmemory, in all and in the current stretch.
  uint64_t total_exceeded_ms() const;
  uint64_t current_exceeded_ms() const;
  // Pool size (a fixed number; larger than Redis's 16 so good candidates survive longer).
  static constexpr size_t kPoolSize = 32;

  // Score of an entry under an LRU/LFU/TTL policy (higher: evict first); exposed for tests.
  uint64_t Score(const Entry& e, int64_t expire_at) const;

  // LFU history of evicted keys: under an LFU policy an evicted key leaves its counter in
  // a small table (a fingerprint and the counter, by hash; ~1/512 of maxmemory), and the
  // key created again takes it back instead of starting from LFU_INIT_VAL, so a key that
  // was in demand is not the first victim again (the idea of TinyLFU's history sketch).
  // Returns the remembered counter, or 0 when there is none.
  uint8_t TakeGhostCounter(std::string_view key);
  void ClearGhosts() { std::fill(ghosts_.begin(), ghosts_.end(), 0); }

 private:
  struct Candidate {
    uint64_t score = 0;
    int db = 0;
    std::string key;
  };
  Result DoEvictions();
  void PopulatePool(int db);
  // Evicts the best valid pool candidate; false when the pool ran dry.
  bool EvictFromPool();
  bool EvictRandom();
  void EvictEntry(int db, Entry* e);
  void InsertCandidate(uint64_t score, int db, std::string_view key);
  void RememberGhost(std::string_view key, uint8_t counter);

  Keyspace* ks_;
  std::unique_ptr<MemoryMeter> meter_;
  std::vector<Candidate> pool_;  // sorted by ascending score; best at the back
  std::vector<std::pair<Entry*, int64_t>> samples_;
  size_t next_random_db_ = 0;
  std::vector<uint16_t> ghosts_;  // fingerprint << 8 | counter; 0 = empty
  int64_t ghosts_for_maxmemory_ = -1;
  size_t peak_ = 0;
  size_t startup_ = 0;
  EvictionStats stats_;
};

}  // namespace gannet
