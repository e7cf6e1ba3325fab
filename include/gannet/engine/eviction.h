// maxmemory: the settings, the allocator meter that says how much memory is in use, the
// LRU/LFU bookkeeping kept in Entry::lru, and the Evictor that removes keys until the
// used memory is back under the limit.
//
// Like Redis, eviction is approximated: each eviction samples a few keys per database and
// keeps the best candidates seen so far in a small pool sorted by score (idle time, inverse
// frequency or closeness of the TTL deadline). What differs, to keep more of the keys that
// matter for the same bounded work:
//   - the LRU clock ticks every kLruResolutionMs (Redis: every second), so keys touched
//     within the same second are still ordered; it wraps after ~19 days (Redis: 194);
//   - a pooled candidate is re-scored before it is evicted: a key read since it entered
//     the pool goes back into the pool with its new score instead of being evicted;
//   - the LFU counter has sixteenths (in spare Entry::flags bits): keys a few hits apart
//     are told apart where Redis's 8-bit counter gives them the same value;
//   - under an LFU policy a frequency sketch (TinyLFU's count-min filter, FrequencySketch)
//     counts every read of a key, present or missing, with periodic halving. It knows how
//     often a key was asked for before it was (re)inserted, which the per-key counter
//     cannot, and it orders the victims first; the keys inserted last are candidates too,
//     so a key read once (a scan, a one-off miss) leaves before established ones.
// OBJECT FREQ still reports Redis's counter (lfu-log-factor, lfu-decay-time): the sketch
// is beside it, one table of 4-bit counters of 1/128 of maxmemory, not per key.
//
// Everything here runs on the engine thread.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
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
  // Under a maxmemory limit: once more than `bytes` of freed pages are still resident
  // (jemalloc's dirty pages), the next refresh returns them all to the OS rather than
  // leaving them to the allocator's decay time, so the resident size follows used memory.
  // 0: off.
  virtual void SetPurgeThreshold(size_t bytes) { (void)bytes; }
  // MEMORY MALLOC-STATS text.
  virtual std::string MallocStats() { return "Stats not supported for the current allocator"; }
  // Bytes freed by the lazy-free thread (subtracted from the engine thread's counters).
  virtual void set_offthread_freed(const std::atomic<uint64_t>* freed) { (void)freed; }
};

std::unique_ptr<MemoryMeter> MakeAllocatorMeter();

// ---- TinyLFU frequency sketch ----
// A count-min sketch of 4-bit counters (four per key, packed 16 to a word) estimating how
// often a key was accessed recently. Every `period` additions all counters are halved, so
// past popularity fades (TinyLFU's reset). Sized from maxmemory; empty when disabled.
// The table is allocated by the first addition, so an idle server does not carry it.
class FrequencySketch {
 public:
  // `counters` is rounded up to a power of two (0 disables); halving happens every
  // period_factor * counters additions.
  void Reset(size_t counters, size_t period_factor = 1);
  bool enabled() const { return mask_ != 0; }
  void Add(uint64_t key_hash);
  // Adds only when the estimate is 0 (a key written before anyone asked for it counts
  // once, a cache-aside SET after a counted miss not again).
  void AddIfUnseen(uint64_t key_hash);
  int Estimate(uint64_t key_hash) const;  // 0..15
  void Clear() { std::fill(table_.begin(), table_.end(), 0); }
  // Bytes allocated (0 until the first addition).
  size_t bytes() const { return table_.capacity() * sizeof(uint64_t); }
  size_t counters() const { return mask_ == 0 ? 0 : mask_ + 1; }
  uint64_t additions() const { return additions_; }

  static uint64_t HashKey(std::string_view key);

 private:
  void Slots(uint64_t key_hash, size_t out[4]) const;
  std::vector<uint64_t> table_;
  size_t mask_ = 0;  // counters - 1
  uint64_t additions_ = 0;
  uint64_t period_ = 0;
};

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
  void MarkStartup() {
    const size_t used = UsedMemory();
    startup_ = used - std::min(used, OverheadBytes());
  }
  // The eviction machinery's own memory (the LFU sketch, the pools): part of
  // used_memory_overhead, as Redis counts its eviction pool and dictionaries.
  size_t OverheadBytes() const;

  enum class Result {
    kOk,       // under the limit (or freed enough)
    kRunning,  // still over but work is under way (time budget spent, lazy frees pending)
    kFail,     // still over and nothing more can be evicted
  };
  // Redis's performEvictions: evicts per the policy until under maxmemory or the
  // tenacity time budget is spent. Returns kOk immediately when under the limit.
  Result PerformEvictions();

  // Redis's evictionTimeProc: when a command's time budget ran out with memory still over
  // the limit, eviction goes on from the event loop between commands. The server installs
  // a hook that schedules TimerStep() soon (asio::post); PerformEvictions calls it once
  // when it returns kRunning, and TimerStep (one budgeted round) re-arms it while memory
  // stays over the limit with work under way.
  void set_timer_hook(std::function<void()> hook) { timer_hook_ = std::move(hook); }
  void TimerStep() {
    timer_armed_ = false;
    PerformEvictions();
  }
  bool timer_armed() const { return timer_armed_; }

  const EvictionStats& stats() const { return stats_; }
  // INFO total_eviction_exceeded_time / current_eviction_exceeded_time (ms): time spent
  // over maxmemory, in all and in the current stretch.
  uint64_t total_exceeded_ms() const;
  uint64_t current_exceeded_ms() const;
  // Pool size (a fixed number; larger than Redis's 16 so good candidates survive longer).
  static constexpr size_t kPoolSize = 32;

  // Score of an entry under an LRU/LFU/TTL policy (higher: evict first); exposed for tests.
  uint64_t Score(const Entry& e, int64_t expire_at) const;

  // The sketch and the recently inserted keys follow the settings (Keyspace calls this
  // whenever they change): on only under an LFU policy with a maxmemory.
  void ApplySettings(const MemorySettings& s);
  // A read or write of a key (hit or miss) under an LFU policy: counted in the sketch.
  void RecordAccess(std::string_view key) {
    if (sketch_.enabled()) sketch_.Add(FrequencySketch::HashKey(key));
  }
  // A key just created: counted once if never seen, and remembered as a candidate for the
  // next evictions (TinyLFU admission: the newcomer itself may be the victim).
  void RecordInsert(int db, std::string_view key);
  const FrequencySketch& sketch() const { return sketch_; }
  // FLUSHALL: forgets the history.
  void ClearHistory();

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

  Keyspace* ks_;
  std::unique_ptr<MemoryMeter> meter_;
  std::vector<Candidate> pool_;  // sorted by ascending score; best at the back
  std::vector<std::pair<Entry*, int64_t>> samples_;
  size_t next_random_db_ = 0;
  FrequencySketch sketch_;
  // The last kRecentInserts keys created (a ring), offered to the pool at each eviction.
  static constexpr size_t kRecentInserts = 4;
  std::array<Candidate, kRecentInserts> recent_;
  size_t recent_next_ = 0;
  size_t recent_count_ = 0;
  size_t peak_ = 0;
  size_t startup_ = 0;
  size_t purge_threshold_ = 0;
  EvictionStats stats_;
  std::function<void()> timer_hook_;
  bool timer_armed_ = false;
};

}  // namespace gannet
