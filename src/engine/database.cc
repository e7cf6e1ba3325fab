// Database: the key table (IncrementalTable of Entry), the TTL index (ExpireIndex) and
// the lookups with lazy expiry. Entries are one malloc of the 32-byte header plus the key
// bytes, so a key with a short value costs its size class plus ~8 bytes of bucket.
#include "gannet/engine/database.h"

#include <malloc.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "expire_index.h"
#include "gannet/engine/keyspace.h"
#include "key_table.h"

namespace gannet {
namespace {

using engine_internal::ExpireIndex;
using engine_internal::ExpireNode;
using engine_internal::IncrementalTable;

struct EntryTraits {
  using Node = Entry;
  using Key = std::string_view;
  static Entry*& Next(Entry* e) { return e->next; }
  static uint64_t HashNode(const Entry* e, uint64_t seed) {
    return engine_internal::HashBytes(e->key_data, e->key_len, seed);
  }
  static bool Matches(const Entry* e, std::string_view k) {
    return e->key_len == k.size() &&
           (k.empty() || std::memcmp(e->key_data, k.data(), k.size()) == 0);
  }
};

using KeyTable = IncrementalTable<EntryTraits>;

Entry* NewEntry(std::string_view key, Value value, uint32_t lru) {
  if (key.size() > UINT32_MAX) {
    std::fprintf(stderr, "gannet: key of %zu bytes is too long\n", key.size());
    std::abort();
  }
  void* mem = std::malloc(sizeof(Entry) + key.size());
  if (mem == nullptr) {
    std::fprintf(stderr, "gannet: out of memory allocating an entry\n");
    std::abort();
  }
  Entry* e = new (mem) Entry;
  e->next = nullptr;
  e->value = std::move(value);
  e->lru = lru & 0xffffff;
  e->flags = 0;
  e->key_len = static_cast<uint32_t>(key.size());
  if (!key.empty()) std::memcpy(e->key_data, key.data(), key.size());
  return e;
}

void FreeEntry(Entry* e) {
  e->~Entry();
  std::free(e);
}

uint64_t RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

struct Database::Impl {
  Impl() : keys(RandomSeed()), expires(RandomSeed()), rng{RandomSeed()} {}
  ~Impl() {
    expires.Clear();
    keys.Clear(FreeEntry);
  }

  uint64_t Hash(std::string_view key) const {
    return engine_internal::HashBytes(key.data(), key.size(), keys.seed());
  }

  KeyTable keys;
  ExpireIndex expires;
  uint64_t expire_cursor = 0;
  int64_t avg_ttl = 0;
  engine_internal::SplitMix64 rng;
  std::vector<Entry*> scratch;  // expired entries found by one sample step

  // Unlinks e (whose hash is h), drops its TTL, counts and announces the expiry, frees it
  // (a large value in the background under lazyfree-lazy-expire).
  void Expire(Keyspace* owner, int db, Entry* e, uint64_t h) {
    keys.Unlink(e, h);
    if (e->has_expire()) expires.Remove(e);
    ++owner->stats().expired_keys;
    owner->NotifyExpired(db, e->key());
    if (owner->memory_settings().lazy_expire) owner->lazyfree().FreeValue(std::move(e->value));
    FreeEntry(e);
  }
};

Database::Database(Keyspace* owner, int index)
    : owner_(owner), index_(index), impl_(std::make_unique<Impl>()) {}

Database::~Database() = default;

size_t Database::size() const { return impl_->keys.size(); }
size_t Database::expires_size() const { return impl_->expires.size(); }

namespace {

// Redis 7.0 keyIsExpired: expired when now > deadline (a key whose deadline is exactly now
// is still alive).
bool IsExpired(ExpireIndex& idx, const Entry* e, int64_t now) {
  if (!e->has_expire()) return false;
  ExpireNode* n = idx.Find(e);
  return n != nullptr && now > n->at_ms;
}

}  // namespace

void Database::Touch(Entry* entry) { owner_->TouchEntry(entry); }

Entry* Database::FindNoTouch(std::string_view key) {
  const uint64_t h = impl_->Hash(key);
  Entry* e = impl_->keys.Find(key, h);
  if (e != nullptr && IsExpired(impl_->expires, e, owner_->expiry_now_ms())) {
    // During CLIENT PAUSE the key is reported missing but stays until the pause ends.
    if (!owner_->frozen()) impl_->Expire(owner_, index_, e, h);
    return nullptr;
  }
  return e;
}

Entry* Database::FindRead(std::string_view key) {
  Entry* e = FindNoTouch(key);
  if (e == nullptr) {
    ++owner_->stats().keyspace_misses;
    // A miss is a request for the key all the same: the LFU sketch counts it (no-op
    // unless an LFU policy with a maxmemory is on).
    owner_->evictor().RecordAccess(key);
    // Redis's lookupKeyRead miss: the "keymiss" notification (class m; no cost unless
    // someone listens).
    owner_->NotifyEvent(kNotifyKeyMiss, "keymiss", index_, key);
    return nullptr;
  }
  ++owner_->stats().keyspace_hits;
  Touch(e);
  return e;
}

Entry* Database::FindWrite(std::string_view key) {
  Entry* e = FindNoTouch(key);
  if (e != nullptr) Touch(e);
  return e;
}

Database::InsertResult Database::FindOrInsert(std::string_view key) {
  const uint64_t h = impl_->Hash(key);
  Entry* e = impl_->keys.Find(key, h);
  if (e != nullptr) {
    if (!IsExpired(impl_->expires, e, owner_->expiry_now_ms())) {
      Touch(e);
      return {e, false};
    }
    impl_->Expire(owner_, index_, e, h);
  }
  e = NewEntry(key, Value(), owner_->InitialLru(key));
  impl_->keys.Insert(e, h);
  owner_->evictor().RecordInsert(index_, key);
  return {e, true};
}

Entry* Database::Insert(std::string_view key, Value value) {
  const uint64_t h = impl_->Hash(key);
  // A duplicate would shadow the old entry; callers look the key up first (which also
  // reclaims an expired one, except during CLIENT PAUSE: that one goes now).
  if (Entry* old = impl_->keys.Find(key, h)) {
    assert(IsExpired(impl_->expires, old, owner_->expiry_now_ms()));
    impl_->Expire(owner_, index_, old, h);
  }
  Entry* e = NewEntry(key, std::move(value), owner_->InitialLru(key));
  impl_->keys.Insert(e, h);
  owner_->evictor().RecordInsert(index_, key);
  return e;
}

bool Database::Delete(std::string_view key) {
  Entry* e = FindNoTouch(key);
  if (e == nullptr) return false;
  Delete(e);
  return true;
}

void Database::Delete(Entry* entry) {
  impl_->keys.Unlink(entry, impl_->keys.Hash(entry));
  if (entry->has_expire()) impl_->expires.Remove(entry);
  owner_->NotifyDeleted(index_, entry->key());
  FreeEntry(entry);
}

void Database::DeleteLazily(Entry* entry) {
  owner_->lazyfree().FreeValue(std::move(entry->value));
  Delete(entry);
}

Entry* Database::Peek(std::string_view key) { return impl_->keys.Find(key, impl_->Hash(key)); }

void Database::SampleForEviction(size_t count, bool volatile_only,
                                 std::vector<std::pair<Entry*, int64_t>>* out) {
  Impl& impl = *impl_;
  if (count == 0) return;
  const size_t start = out->size();
  auto have = [&] { return out->size() - start; };
  // A rehashing table is visited in both arrays at each index, and a walk longer than the
  // smaller array wraps around it: only then can an entry come up twice.
  // Once full, an entry further down the chain of the bucket being visited replaces one
  // taken from that chain (a reservoir over the chain): otherwise an entry deeper than
  // `count` in a chain could never be sampled, whatever the starting bucket.
  size_t bucket_first = start;  // out index of the first sample from the current bucket
  size_t bucket_seen = 0;       // entries of the current bucket seen so far
  auto add = [&](Entry* e, int64_t at, bool check_dups) {
    if (check_dups) {
      for (size_t i = start; i < out->size(); ++i) {
        if ((*out)[i].first == e) return;
      }
    }
    ++bucket_seen;
    if (have() < count) {
      out->emplace_back(e, at);
      return;
    }
    const size_t taken = out->size() - bucket_first;  // from this bucket, all kept
    if (taken == 0) return;
    const uint64_t r = impl.rng() % bucket_seen;
    if (r < taken) (*out)[bucket_first + r] = {e, at};
  };
  auto next_bucket = [&] {
    bucket_first = out->size();
    bucket_seen = 0;
  };
  uint64_t idx = impl.rng();
  size_t buckets = 0;
  if (volatile_only) {
    auto& table = impl.expires.table();
    if (table.size() == 0) return;
    const bool dups = table.rehashing();
    const size_t max_buckets = std::min<uint64_t>(count * 10, table.bucket_count());
    // Steps, not buckets: a step visits a slot of each array while rehashing, and
    // bucket_count() steps cover the larger array whole.
    for (; have() < count && buckets < max_buckets; ++buckets) {
      next_bucket();
      table.VisitBucketsAt(idx++, [&](ExpireNode* n) { add(n->entry, n->at_ms, dups); });
    }
    // A sparse table can leave the walk empty-handed: fall back to random picks.
    for (size_t tries = 0; have() == 0 && tries < count; ++tries) {
      ExpireNode* n = table.RandomNode(impl.rng);
      if (n != nullptr) add(n->entry, n->at_ms, false);
    }
  } else {
    if (impl.keys.size() == 0) return;
    const bool dups = impl.keys.rehashing();
    const size_t max_buckets = std::min<uint64_t>(count * 10, impl.keys.bucket_count());
    for (; have() < count && buckets < max_buckets; ++buckets) {
      next_bucket();
      impl.keys.VisitBucketsAt(idx++, [&](Entry* e) { add(e, -1, dups); });
    }
    for (size_t tries = 0; have() == 0 && tries < count; ++tries) {
      Entry* e = impl.keys.RandomNode(impl.rng);
      if (e != nullptr) add(e, -1, false);
    }
    // Deadlines for the entries found (volatile-ttl scores them; others ignore them).
    for (size_t i = start; i < out->size(); ++i) {
      if ((*out)[i].first->has_expire()) (*out)[i].second = GetExpire((*out)[i].first);
    }
  }
}

Entry* Database::Rename(Entry* src, std::string_view new_key) {
  if (src->key() == new_key) return src;
  // Lazy expiry applies to the destination as for RENAME's lookupKeyWrite; the replaced
  // value is a server-side delete (lazyfree-lazy-server-del).
  if (Entry* dst = FindNoTouch(new_key)) {
    if (owner_->memory_settings().lazy_server_del) {
      DeleteLazily(dst);
    } else {
      Delete(dst);
    }
  }
  Entry* e = NewEntry(new_key, std::move(src->value), src->lru);
  const int64_t at = GetExpire(src);
  Delete(src);
  const uint64_t h = impl_->Hash(new_key);
  // An expired destination kept by CLIENT PAUSE (FindNoTouch above) goes now.
  if (Entry* old = impl_->keys.Find(new_key, h)) impl_->Expire(owner_, index_, old, h);
  impl_->keys.Insert(e, h);
  if (at >= 0) SetExpire(e, at);
  return e;
}

void Database::Clear() {
  impl_->expires.Clear();
  impl_->keys.Clear(FreeEntry);
  impl_->expire_cursor = 0;
  impl_->avg_ttl = 0;
}

void Database::ClearLazily() {
  if (impl_->keys.size() == 0) return Clear();
  // The old tables go to the lazy-free thread whole: nothing else refers to them.
  owner_->lazyfree().FreeLater(std::move(impl_));
  impl_ = std::make_unique<Impl>();
}

void Database::SetExpire(Entry* entry, int64_t at_ms) {
  impl_->expires.Set(entry, at_ms);
  entry->flags |= Entry::kEntryHasExpire;
}

bool Database::ClearExpire(Entry* entry) {
  if (!entry->has_expire()) return false;
  impl_->expires.Remove(entry);
  entry->flags &= static_cast<uint8_t>(~Entry::kEntryHasExpire);
  return true;
}

int64_t Database::GetExpire(const Entry* entry) const {
  if (!entry->has_expire()) return -1;
  ExpireNode* n = impl_->expires.Find(entry);
  return n == nullptr ? -1 : n->at_ms;
}

uint64_t Database::Scan(uint64_t cursor, size_t count,
                        const std::function<void(const Entry&)>& fn) {
  if (count == 0) count = 1;
  const int64_t now = owner_->expiry_now_ms();
  size_t seen = 0;
  size_t max_iterations = count * 10;
  auto visit = [&](Entry* e) {
    ++seen;
    if (!IsExpired(impl_->expires, e, now)) fn(*e);
  };
  do {
    cursor = impl_->keys.ScanStep(cursor, visit);
  } while (cursor != 0 && max_iterations-- > 0 && seen < count);
  return cursor;
}

void Database::ForEach(const std::function<void(const Entry&)>& fn) const {
  const int64_t now = owner_->expiry_now_ms();
  impl_->keys.ForEach([&](Entry* e) {
    if (!IsExpired(impl_->expires, e, now)) fn(*e);
  });
}

void Database::ForEachStored(const std::function<void(const Entry&)>& fn) const {
  impl_->keys.ForEach([&](Entry* e) { fn(*e); });
}

Entry* Database::RandomEntry() {
  constexpr int kMaxExpiredTries = 100;
  int expired_seen = 0;
  while (impl_->keys.size() > 0) {
    Entry* e = impl_->keys.RandomNode(impl_->rng);
    if (!IsExpired(impl_->expires, e, owner_->expiry_now_ms())) return e;
    if (++expired_seen >= kMaxExpiredTries) return e;
    if (!owner_->frozen()) impl_->Expire(owner_, index_, e, impl_->keys.Hash(e));
  }
  return nullptr;
}

std::pair<size_t, size_t> Database::ExpireSample(size_t max_checks) {
  Impl& impl = *impl_;
  const int64_t now = owner_->expiry_now_ms();
  const size_t max_buckets = max_checks * 20;
  size_t checked = 0;
  size_t expired = 0;
  size_t buckets = 0;
  // A double: TTLs up to INT64_MAX ms are valid, so an integer sum could overflow.
  double ttl_sum = 0;
  size_t ttl_samples = 0;
  while (checked < max_checks && buckets < max_buckets && impl.expires.size() > 0) {
    impl.scratch.clear();
    buckets += static_cast<size_t>(
        impl.expires.table().VisitBucketsAt(impl.expire_cursor, [&](ExpireNode* n) {
          ++checked;
          if (now > n->at_ms) {
            impl.scratch.push_back(n->entry);
          } else {
            ttl_sum += static_cast<double>(n->at_ms) - static_cast<double>(now);
            ++ttl_samples;
          }
        }));
    ++impl.expire_cursor;
    // Delete after the walk: deleting moves rehashing forward, which relinks chains.
    for (Entry* e : impl.scratch) {
      impl.Expire(owner_, index_, e, impl.keys.Hash(e));
      ++expired;
    }
  }
  if (ttl_samples > 0) {
    // Same smoothing as Redis: the new sample weighs 2%.
    const double mean = ttl_sum / static_cast<double>(ttl_samples);
    const int64_t avg = mean >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(mean);
    impl.avg_ttl = impl.avg_ttl == 0 ? avg : (impl.avg_ttl / 50) * 49 + avg / 50;
  }
  if (impl.expires.size() == 0) impl.avg_ttl = 0;
  return {checked, expired};
}

int64_t Database::avg_ttl_ms() const { return impl_->avg_ttl; }

bool Database::RehashStep(int64_t budget_us) {
  Impl& impl = *impl_;
  impl.keys.ShrinkIfNeeded();
  impl.expires.table().ShrinkIfNeeded();
  if (!impl.keys.rehashing() && !impl.expires.table().rehashing()) return false;
  const Clock& clock = owner_->clock();
  const int64_t start = clock.MonotonicUs();
  while (impl.keys.rehashing() || impl.expires.table().rehashing()) {
    impl.keys.RehashSteps(100);
    impl.expires.table().RehashSteps(100);
    if (clock.MonotonicUs() - start >= budget_us) break;
  }
  return true;
}

void Database::SwapContents(Database& other) { impl_.swap(other.impl_); }

size_t Database::EntryMemoryUsage(const Entry& entry) {
  return malloc_usable_size(const_cast<Entry*>(&entry)) + entry.value.MemoryUsage();
}

size_t Database::OverheadMemoryUsage() const {
  return impl_->keys.BucketBytes() + impl_->expires.MemoryUsage();
}

}  // namespace gannet
