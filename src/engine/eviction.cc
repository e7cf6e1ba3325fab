// Eviction: policies, LRU/LFU arithmetic on Entry::lru, the allocator meters and the
// Evictor (Redis's performEvictions with an eviction pool). See eviction.h.
#include "gannet/engine/eviction.h"

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <thread>

#include "allocator_probe.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/lazyfree.h"
#include "hash.h"

namespace gannet {

namespace {

constexpr std::array<std::pair<std::string_view, EvictionPolicy>, 8> kPolicies = {{
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
}};

bool IsVolatile(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

bool IsRandom(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysRandom || p == EvictionPolicy::kVolatileRandom;
}

int64_t MonotonicCoarseMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t MonotonicUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Redis's evictionTimeLimitUs: 50us per step up to 10, then growing 15% per step; 100 is
// unlimited.
uint64_t EvictionTimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50ULL * static_cast<uint64_t>(std::max(tenacity, 0));
  if (tenacity < 100) return static_cast<uint64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return UINT64_MAX;
}

// ---- meters ----

// jemalloc: an exact baseline (stats.allocated after an epoch refresh) plus what this
// thread allocated and freed since, minus what the lazy-free thread freed since. The
// baseline is re-read every 100 ms, which also absorbs other threads' activity.
class JemallocMeter final : public MemoryMeter {
 public:
  JemallocMeter(engine_internal::MallctlFn mallctl, engine_internal::MallocStatsPrintFn print)
      : mallctl_(mallctl), print_(print) {
    const char* version = nullptr;
    size_t sz = sizeof(version);
    if (mallctl_("version", &version, &sz, nullptr, 0) == 0 && version != nullptr) {
      // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c": keep the release number.
      std::string_view v(version);
      name_ = "jemalloc-" + std::string(v.substr(0, v.find('-')));
    } else {
      name_ = "jemalloc";
    }
    TuneForResidentMemory();
  }

  // Freed pages go back to the OS by jemalloc's background thread (Redis turns that
  // thread on too: jemalloc-bg-thread), within about a second rather than jemalloc's
  // default ten, and muzzy pages (MADV_FREE, still resident until the kernel wants them)
  // are skipped.
  void TuneForResidentMemory() {
    bool on = true;
    mallctl_("background_thread", nullptr, nullptr, &on, sizeof(on));
    SetDecay(kDirtyDecayMs, 0);
  }
  static constexpr ssize_t kDirtyDecayMs = 1000;

  // Under a maxmemory limit, dirty pages (freed, not yet returned) are resident on top of
  // used_memory, and a cache at its limit frees all the time. Refresh (every 100 ms at
  // most) purges them all once they pass `bytes`. A dirty decay of 0 would bound them as
  // well, but it purges every freed extent at once, and re-faulting the pages costs a
  // lot when large values churn (100 KB SETs under maxmemory: 6x the system time); one
  // purge per 100 ms bounds that cost. See README's memory section for the figures.
  void SetPurgeThreshold(size_t bytes) override { purge_threshold_ = bytes; }

  // Sets the decay times of every arena and of arenas created later.
  void SetDecay(ssize_t dirty_ms, ssize_t muzzy_ms) {
    mallctl_("arenas.dirty_decay_ms", nullptr, nullptr, &dirty_ms, sizeof(dirty_ms));
    mallctl_("arenas.muzzy_decay_ms", nullptr, nullptr, &muzzy_ms, sizeof(muzzy_ms));
    unsigned narenas = 0;
    size_t sz = sizeof(narenas);
    if (mallctl_("arenas.narenas", &narenas, &sz, nullptr, 0) != 0) return;
    for (unsigned i = 0; i < narenas; ++i) {
      // Arenas not created yet refuse: they take the defaults set above when they are.
      // Lowering the decay time purges what the new time says is overdue.
      const std::string base = "arena." + std::to_string(i);
      mallctl_((base + ".dirty_decay_ms").c_str(), nullptr, nullptr, &dirty_ms, sizeof(dirty_ms));
      mallctl_((base + ".muzzy_decay_ms").c_str(), nullptr, nullptr, &muzzy_ms, sizeof(muzzy_ms));
    }
  }

  size_t Used() override {
    if (counters_.allocated == nullptr) {
      counters_ = engine_internal::FindThreadCounters(mallctl_);
      Refresh();
    } else if ((++calls_ & 255) == 0 && MonotonicCoarseMs() - base_ms_ >= 100) {
      Refresh();
    }
    const auto thread_delta = static_cast<int64_t>(counters_.Net() - base_net_);
    const int64_t off_delta =
        off_ == nullptr ? 0
                        : static_cast<int64_t>(off_->load(std::memory_order_relaxed) - base_off_);
    const int64_t used = static_cast<int64_t>(base_allocated_) + thread_delta - off_delta;
    return used < 0 ? 0 : static_cast<size_t>(used);
  }

  void Refresh() override {
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl_("epoch", &epoch, &sz, &epoch, sz);
    size_t allocated = 0;
    sz = sizeof(allocated);
    if (mallctl_("stats.allocated", &allocated, &sz, nullptr, 0) != 0) allocated = 0;
    // stats.allocated counts regions parked in thread caches as allocated; the thread
    // counters do not (a free into the cache is a free). Take them out so both halves of
    // the estimate mean "bytes the program holds", as Redis's used_memory does.
    size_t cached = 0;
    sz = sizeof(cached);
    if (mallctl_("stats.arenas.4096.tcache_bytes", &cached, &sz, nullptr, 0) != 0) cached = 0;
    raw_allocated_ = allocated;
    base_allocated_ = allocated > cached ? allocated - cached : allocated;
    base_net_ = counters_.Net();
    base_off_ = off_ == nullptr ? 0 : off_->load(std::memory_order_relaxed);
    base_ms_ = MonotonicCoarseMs();
    if (purge_threshold_ > 0) PurgeIfDirty();
  }

  // Reads the dirty page count the epoch refresh above brought up to date.
  void PurgeIfDirty() {
    size_t pdirty = 0;
    size_t sz = sizeof(pdirty);
    if (mallctl_("stats.arenas.4096.pdirty", &pdirty, &sz, nullptr, 0) != 0) return;
    if (pdirty * kPage <= purge_threshold_) return;
    Purge();
  }
  static constexpr size_t kPage = 4096;

  std::string_view allocator_name() const override { return name_; }

  AllocatorStats Stats() override {
    Refresh();
    AllocatorStats s;
    s.allocated = raw_allocated_;
    size_t sz = sizeof(size_t);
    mallctl_("stats.active", &s.active, &sz, nullptr, 0);
    sz = sizeof(size_t);
    mallctl_("stats.resident", &s.resident, &sz, nullptr, 0);
    return s;
  }

  bool Purge() override {
    // MALLCTL_ARENAS_ALL is 4096: every arena.
    return mallctl_("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0;
  }

  std::string MallocStats() override {
    if (print_ == nullptr) return MemoryMeter::MallocStats();
    std::string out;
    print_([](void* arg, const char* text) { static_cast<std::string*>(arg)->append(text); }, &out,
           nullptr);
    return out;
  }

  void set_offthread_freed(const std::atomic<uint64_t>* freed) override {
    off_ = freed;
    base_off_ = off_ == nullptr ? 0 : off_->load(std::memory_order_relaxed);
  }

 private:
  engine_internal::MallctlFn mallctl_;
  engine_internal::MallocStatsPrintFn print_;
  std::string name_;
  engine_internal::ThreadCounters counters_;
  const std::atomic<uint64_t>* off_ = nullptr;
  size_t base_allocated_ = 0;
  size_t raw_allocated_ = 0;
  uint64_t base_net_ = 0;
  uint64_t base_off_ = 0;
  int64_t base_ms_ = 0;
  uint32_t calls_ = 0;
  size_t purge_threshold_ = 0;
};

// AddressSanitizer's allocator (sanitizer builds have no jemalloc).
class SanitizerMeter final : public MemoryMeter {
 public:
  explicit SanitizerMeter(engine_internal::SanitizerBytesFn fn) : fn_(fn) {}
  size_t Used() override { return fn_(); }

 private:
  engine_internal::SanitizerBytesFn fn_;
};

// glibc malloc: mallinfo2 walks the arenas, so this is for tests, not for speed.
class LibcMeter final : public MemoryMeter {
 public:
  size_t Used() override {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
  }
  bool Purge() override {
    malloc_trim(0);
    return true;
  }
};

}  // namespace

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (const auto& [n, p] : kPolicies) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
        })) {
      return p;
    }
  }
  return std::nullopt;
}

std::string_view EvictionPolicyName(EvictionPolicy p) {
  for (const auto& [n, q] : kPolicies) {
    if (q == p) return n;
  }
  return "noeviction";
}

MemorySettings MemorySettingsFromConfig(const Config& cfg) {
  MemorySettings s;
  s.maxmemory = cfg.maxmemory;
  s.policy = ParseEvictionPolicy(cfg.maxmemory_policy).value_or(EvictionPolicy::kNoEviction);
  s.samples = std::max(cfg.maxmemory_samples, 1);
  s.tenacity = cfg.maxmemory_eviction_tenacity;
  s.lfu_log_factor = cfg.lfu_log_factor;
  s.lfu_decay_time = cfg.lfu_decay_time;
  s.lazy_eviction = cfg.lazyfree_lazy_eviction;
  s.lazy_expire = cfg.lazyfree_lazy_expire;
  s.lazy_server_del = cfg.lazyfree_lazy_server_del;
  s.lazy_user_del = cfg.lazyfree_lazy_user_del;
  s.lazy_user_flush = cfg.lazyfree_lazy_user_flush;
  return s;
}

// ---- LRU / LFU ----

uint32_t LruClockAt(int64_t now_ms) {
  return static_cast<uint32_t>((now_ms / kLruResolutionMs) & kLruClockMax);
}

uint64_t LruIdleMs(uint32_t lru, int64_t now_ms) {
  const uint32_t now = LruClockAt(now_ms);
  lru &= kLruClockMax;
  const uint64_t ticks = now >= lru ? now - lru : static_cast<uint64_t>(now) + (kLruClockMax - lru);
  return ticks * static_cast<uint64_t>(kLruResolutionMs);
}

uint32_t LruForIdle(int64_t now_ms, uint64_t idle_ms) {
  const uint64_t ticks = idle_ms / static_cast<uint64_t>(kLruResolutionMs);
  const uint32_t now = LruClockAt(now_ms);
  // An idle time longer than the clock's span saturates (as Redis's objectSetLRUOrLFU).
  const uint64_t t = std::min<uint64_t>(ticks, kLruClockMax - 1);
  return static_cast<uint32_t>((now + (kLruClockMax + 1) - t) & kLruClockMax);
}

uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>((now_ms / 1000 / 60) & 0xffff); }

uint8_t LfuLogIncr(uint8_t counter, int log_factor, double r) {
  if (counter == 255) return counter;
  const double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
  const double p = 1.0 / (base * log_factor + 1);
  return r < p ? static_cast<uint8_t>(counter + 1) : counter;
}

uint8_t LfuDecayed(uint32_t lru, int64_t now_ms, int decay_time) {
  const uint32_t ldt = (lru >> 8) & 0xffff;
  const uint8_t counter = lru & 0xff;
  if (decay_time <= 0) return counter;
  const uint32_t now = LfuMinutes(now_ms);
  const uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const uint32_t periods = elapsed / static_cast<uint32_t>(decay_time);
  return periods > counter ? 0 : static_cast<uint8_t>(counter - periods);
}

uint32_t LfuPack(int64_t now_ms, uint8_t counter) { return (LfuMinutes(now_ms) << 8) | counter; }

uint32_t LfuTouch(uint32_t lru, int64_t now_ms, int log_factor, int decay_time, double r) {
  const uint8_t c = LfuLogIncr(LfuDecayed(lru, now_ms, decay_time), log_factor, r);
  return LfuPack(now_ms, c);
}

uint32_t LfuTouchFine(uint32_t lru, uint8_t* frac, int64_t now_ms, int log_factor, int decay_time,
                      double r) {
  unsigned c = LfuDecayed(lru, now_ms, decay_time);
  unsigned f = *frac & 15u;
  if (c < 255) {
    const double base = c > kLfuInitVal ? c - kLfuInitVal : 0;
    const double units = 16.0 / (base * log_factor + 1);
    const double whole = std::floor(units);
    f += static_cast<unsigned>(whole) + (r < units - whole ? 1u : 0u);
    c += f / 16;
    f %= 16;
    if (c >= 255) {
      c = 255;
      f = 0;
    }
  }
  *frac = static_cast<uint8_t>(f);
  return LfuPack(now_ms, static_cast<uint8_t>(c));
}

std::unique_ptr<MemoryMeter> MakeAllocatorMeter() {
  if (auto mallctl = engine_internal::FindMallctl()) {
    return std::make_unique<JemallocMeter>(mallctl, engine_internal::FindMallocStatsPrint());
  }
  if (auto fn = engine_internal::FindSanitizerAllocatedBytes()) {
    return std::make_unique<SanitizerMeter>(fn);
  }
  return std::make_unique<LibcMeter>();
}

// ---- Evictor ----

Evictor::Evictor(Keyspace* ks) : ks_(ks), meter_(MakeAllocatorMeter()) {
  meter_->set_offthread_freed(&ks_->lazyfree().freed_bytes());
  pool_.reserve(kPoolSize + 1);
}

Evictor::~Evictor() = default;

void Evictor::set_meter(std::unique_ptr<MemoryMeter> meter) {
  meter_ = std::move(meter);
  meter_->set_offthread_freed(&ks_->lazyfree().freed_bytes());
  meter_->SetPurgeThreshold(purge_threshold_);
  peak_ = 0;
}

size_t Evictor::UsedMemory() {
  const size_t used = meter_->Used();
  if (used > peak_) peak_ = used;
  return used;
}

uint64_t Evictor::current_exceeded_ms() const {
  if (stats_.exceeded_since_us == 0) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(MonotonicUs() - stats_.exceeded_since_us, 0)) /
         1000;
}

uint64_t Evictor::total_exceeded_ms() const {
  return stats_.total_exceeded_time_us / 1000 + current_exceeded_ms();
}

uint64_t Evictor::Score(const Entry& e, int64_t expire_at) const {
  const MemorySettings& s = ks_->memory_settings();
  const int64_t now = ks_->now_ms();
  switch (s.policy) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
      return LruIdleMs(e.lru, now);
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu: {
      // Frequency: the sketch's estimate first (recent reads, including those made while
      // the key was absent), then the key's own counter with its sixteenths.
      const uint64_t fine = LfuDecayed(e.lru, now, s.lfu_decay_time) * 16u +
                            ((e.flags & Entry::kEntryLfuFracMask) >> Entry::kEntryLfuFracShift);
      const uint64_t est =
          sketch_.enabled()
              ? static_cast<uint64_t>(sketch_.Estimate(FrequencySketch::HashKey(e.key())))
              : 0;
      const uint64_t freq = est * 4096 + fine + 1;  // 1 .. 65536: lowest evicted first
      // Not weighed by size: evicting large values first keeps more keys but leaves
      // the allocator's large-size slabs half empty (measured: RSS 1.27x maxmemory).
      return (uint64_t{1} << 40) / freq;
    }
    case EvictionPolicy::kVolatileTtl:
      return expire_at < 0 ? 0 : UINT64_MAX - static_cast<uint64_t>(expire_at);
    default:
      return 0;
  }
}

void Evictor::InsertCandidate(uint64_t score, int db, std::string_view key) {
  // Already pooled: keep the newer score.
  for (size_t i = 0; i < pool_.size(); ++i) {
    if (pool_[i].db == db && pool_[i].key == key) {
      if (pool_[i].score == score) return;
      Candidate c = std::move(pool_[i]);
      pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(i));
      c.score = score;
      auto pos = std::upper_bound(pool_.begin(), pool_.end(), score,
                                  [](uint64_t s, const Candidate& x) { return s < x.score; });
      pool_.insert(pos, std::move(c));
      return;
    }
  }
  if (pool_.size() >= kPoolSize && score <= pool_.front().score) return;
  Candidate c;
  if (pool_.size() >= kPoolSize) {
    c = std::move(pool_.front());  // reuse the dropped candidate's key buffer
    pool_.erase(pool_.begin());
  }
  c.score = score;
  c.db = db;
  c.key.assign(key);
  auto pos = std::upper_bound(pool_.begin(), pool_.end(), score,
                              [](uint64_t s, const Candidate& x) { return s < x.score; });
  pool_.insert(pos, std::move(c));
}

void Evictor::PopulatePool(int db) {
  const MemorySettings& s = ks_->memory_settings();
  samples_.clear();
  Database& d = ks_->db(db);
  d.SampleForEviction(static_cast<size_t>(s.samples), IsVolatile(s.policy), &samples_);
  for (const auto& [e, at] : samples_) InsertCandidate(Score(*e, at), db, e->key());
  // The keys created last compete too (TinyLFU admission): a newcomer less wanted than
  // every sampled key is the one to go.
  for (size_t i = 0; i < recent_count_; ++i) {
    const Candidate& r = recent_[i];
    if (r.db != db) continue;
    Entry* e = d.Peek(r.key);
    if (e == nullptr) continue;
    const int64_t at = d.GetExpire(e);
    if (IsVolatile(s.policy) && at < 0) continue;
    InsertCandidate(Score(*e, at), db, r.key);
  }
}

// ---- FrequencySketch ----

namespace {
constexpr uint64_t kSketchSeed = 0x6a09e667f3bcc909ULL;
constexpr uint64_t kNibbleLowBits = 0x7777777777777777ULL;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

uint64_t FrequencySketch::HashKey(std::string_view key) {
  return engine_internal::HashBytes(key.data(), key.size(), kSketchSeed);
}

void FrequencySketch::Reset(size_t counters, size_t period_factor) {
  additions_ = 0;
  table_.clear();
  table_.shrink_to_fit();
  if (counters == 0) {
    mask_ = 0;
    period_ = 0;
    return;
  }
  size_t n = 16;
  while (n < counters) n *= 2;
  mask_ = n - 1;
  period_ = static_cast<uint64_t>(n) * std::max<size_t>(period_factor, 1);
}

void FrequencySketch::Slots(uint64_t key_hash, size_t out[4]) const {
  // Double hashing: four probes h1 + i*h2 (h2 odd) into the counter array.
  const uint64_t h1 = SplitMix(key_hash);
  const uint64_t h2 = SplitMix(h1) | 1;
  for (size_t i = 0; i < 4; ++i) out[i] = static_cast<size_t>(h1 + i * h2) & mask_;
}

int FrequencySketch::Estimate(uint64_t key_hash) const {
  if (table_.empty()) return 0;  // nothing added yet
  size_t slots[4];
  Slots(key_hash, slots);
  int m = 15;
  for (size_t s : slots) {
    m = std::min(m, static_cast<int>((table_[s >> 4] >> ((s & 15) * 4)) & 15));
  }
  return m;
}

void FrequencySketch::Add(uint64_t key_hash) {
  if (table_.empty()) {
    if (mask_ == 0) return;
    table_.assign((mask_ + 1) / 16, 0);
  }
  size_t slots[4];
  Slots(key_hash, slots);
  for (size_t s : slots) {
    const unsigned shift = static_cast<unsigned>(s & 15) * 4;
    uint64_t& w = table_[s >> 4];
    if (((w >> shift) & 15) != 15) w += uint64_t{1} << shift;
  }
  if (++additions_ >= period_) {
    // Aging: every counter halves (each nibble shifted right, the bit crossing from
    // the next nibble masked off).
    for (uint64_t& w : table_) w = (w >> 1) & kNibbleLowBits;
    additions_ /= 2;
  }
}

void FrequencySketch::AddIfUnseen(uint64_t key_hash) {
  if (Estimate(key_hash) == 0) Add(key_hash);
}

// ---- Evictor: history ----

void Evictor::ApplySettings(const MemorySettings& s) {
  if (s.lfu() && s.maxmemory > 0) {
    // One 4-bit counter per 64 bytes of maxmemory (the table is 1/128 of maxmemory),
    // between 4K and 128M counters; the width keeps collisions rare for the keys a cache
    // of that size holds and has seen recently.
    const auto want = static_cast<size_t>(
        std::clamp<int64_t>(s.maxmemory / 64, int64_t{1} << 12, int64_t{1} << 27));
    size_t n = 16;
    while (n < want) n *= 2;
    if (sketch_.counters() != n) sketch_.Reset(n);
  } else if (sketch_.enabled()) {
    sketch_.Reset(0);
  }
  if (!s.lfu() || s.maxmemory <= 0) recent_count_ = 0;
  // Dirty pages allowed before a purge: 1/256 of maxmemory, at least 256 KB.
  purge_threshold_ =
      s.maxmemory > 0 ? std::max<size_t>(static_cast<size_t>(s.maxmemory) / 256, 256 * 1024) : 0;
  meter_->SetPurgeThreshold(purge_threshold_);
}

size_t Evictor::OverheadBytes() const {
  size_t n = sketch_.bytes() + pool_.capacity() * sizeof(Candidate) +
             samples_.capacity() * sizeof(samples_[0]);
  for (const Candidate& c : pool_) n += c.key.capacity() > 15 ? c.key.capacity() + 1 : 0;
  for (const Candidate& c : recent_) n += c.key.capacity() > 15 ? c.key.capacity() + 1 : 0;
  return n;
}

void Evictor::RecordInsert(int db, std::string_view key) {
  if (!sketch_.enabled()) return;
  sketch_.AddIfUnseen(FrequencySketch::HashKey(key));
  Candidate& c = recent_[recent_next_];
  c.db = db;
  c.key.assign(key);
  recent_next_ = (recent_next_ + 1) % kRecentInserts;
  recent_count_ = std::min(recent_count_ + 1, kRecentInserts);
}

void Evictor::ClearHistory() {
  sketch_.Clear();
  recent_count_ = 0;
}

void Evictor::EvictEntry(int db, Entry* e) {
  Database& d = ks_->db(db);
  std::string key(e->key());
  if (ks_->memory_settings().lazy_eviction) ks_->lazyfree().FreeValue(std::move(e->value));
  d.Delete(e);
  ++ks_->stats().evicted_keys;
  ks_->SignalModified(db, key);
  ks_->NotifyEvent(kNotifyEvicted, "evicted", db, key);
}

bool Evictor::EvictFromPool() {
  const MemorySettings& s = ks_->memory_settings();
  const bool volatile_only = IsVolatile(s.policy);
  // A few rounds: a round can find only stale candidates (keys deleted since pooled).
  for (int round = 0; round < 4; ++round) {
    bool any_keys = false;
    for (int i = 0; i < ks_->database_count(); ++i) {
      Database& d = ks_->db(i);
      if ((volatile_only ? d.expires_size() : d.size()) == 0) continue;
      any_keys = true;
      PopulatePool(i);
    }
    if (!any_keys) {
      pool_.clear();
      return false;
    }
    size_t rescored = 0;
    while (!pool_.empty()) {
      Candidate& c = pool_.back();
      Entry* e = ks_->db(c.db).Peek(c.key);
      if (e == nullptr || (volatile_only && !e->has_expire())) {
        pool_.pop_back();
        continue;
      }
      const uint64_t now_score = Score(*e, ks_->db(c.db).GetExpire(e));
      if (now_score < c.score && rescored < kPoolSize) {
        // Used since it was pooled: it goes back in with its current score.
        ++rescored;
        Candidate moved = std::move(c);
        pool_.pop_back();
        InsertCandidate(now_score, moved.db, moved.key);
        continue;
      }
      const int db = c.db;
      pool_.pop_back();
      EvictEntry(db, e);
      return true;
    }
  }
  return false;
}

bool Evictor::EvictRandom() {
  const bool volatile_only = IsVolatile(ks_->memory_settings().policy);
  const size_t dbs = static_cast<size_t>(ks_->database_count());
  for (size_t i = 0; i < dbs; ++i) {
    const int db = static_cast<int>(next_random_db_++ % dbs);
    Database& d = ks_->db(db);
    if ((volatile_only ? d.expires_size() : d.size()) == 0) continue;
    samples_.clear();
    d.SampleForEviction(1, volatile_only, &samples_);
    if (samples_.empty()) continue;
    EvictEntry(db, samples_.front().first);
    return true;
  }
  return false;
}

Evictor::Result Evictor::PerformEvictions() {
  // CLIENT PAUSE keeps the dataset static: as if eviction were not needed (Redis's
  // isSafeToPerformEvictions), without touching the over-the-limit time.
  if (ks_->frozen()) return Result::kOk;
  const Result r = DoEvictions();
  // Time over the limit, as Redis's stat_last_eviction_exceeded_time: a stretch starts
  // when a command finds memory still over the limit and ends when one brings it under.
  if (r == Result::kOk) {
    if (stats_.exceeded_since_us != 0) {
      stats_.total_exceeded_time_us +=
          static_cast<uint64_t>(std::max<int64_t>(MonotonicUs() - stats_.exceeded_since_us, 0));
      stats_.exceeded_since_us = 0;
    }
  } else if (stats_.exceeded_since_us == 0) {
    stats_.exceeded_since_us = MonotonicUs();
  }
  if (r == Result::kRunning && timer_hook_ && !timer_armed_) {
    timer_armed_ = true;
    timer_hook_();
  }
  return r;
}

Evictor::Result Evictor::DoEvictions() {
  const MemorySettings& s = ks_->memory_settings();
  if (s.maxmemory <= 0) return Result::kOk;
  const auto limit = static_cast<size_t>(s.maxmemory);
  size_t used = UsedMemory();
  if (used <= limit) return Result::kOk;
  const int64_t start = MonotonicUs();
  const uint64_t time_limit = EvictionTimeLimitUs(s.tenacity);
  Result result = Result::kFail;
  if (s.policy != EvictionPolicy::kNoEviction) {
    size_t keys_freed = 0;
    while (true) {
      const bool evicted = IsRandom(s.policy) ? EvictRandom() : EvictFromPool();
      if (!evicted) break;
      ++keys_freed;
      used = UsedMemory();
      if (used <= limit) return Result::kOk;
      if ((keys_freed & 15) == 0 && static_cast<uint64_t>(MonotonicUs() - start) > time_limit) {
        // Bounded work per command; the next command continues.
        return Result::kRunning;
      }
    }
  }
  // Nothing (more) to evict. Values still being freed in the background may be enough:
  // wait for them, within the same time budget (as Redis does).
  LazyFreer& lazy = ks_->lazyfree();
  while (lazy.pending() > 0 && static_cast<uint64_t>(MonotonicUs() - start) < time_limit) {
    meter_->Refresh();
    if (UsedMemory() <= limit) return Result::kOk;
    std::this_thread::sleep_for(std::chrono::microseconds(std::min<uint64_t>(time_limit, 1000)));
  }
  return result;
}

}  // namespace gannet
