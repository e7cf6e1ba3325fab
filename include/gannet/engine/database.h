// One numbered database: the key table, the expiry index and the operations commands
// use on them. Single-threaded: only the engine thread touches a Database.
//
// Expiry is lazy on access (Find* treat an expired key as absent and delete it) and
// active (Keyspace::ActiveExpireCycle samples keys with a TTL each tick). Every lookup
// uses the time snapshot the Keyspace holds for the current command.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/value.h"

namespace gannet {

class Keyspace;

// One key and its value. Allocated by the table with the key bytes stored in place.
// Commands get Entry pointers from Database and must not keep them across commands
// (a later insert may move nothing, but a delete frees the entry).
struct Entry {
  Entry* next;         // hash chain
  Value value;         // 16 bytes
  uint32_t lru : 24;   // LRU clock, or LFU (minutes << 8 | log counter), as Redis
  uint32_t flags : 8;  // kEntryHasExpire ...
  uint32_t key_len;
  char key_data[];  // key bytes (not NUL-terminated): 32-byte header + key

  std::string_view key() const { return {key_data, key_len}; }
  bool has_expire() const { return flags & kEntryHasExpire; }
  static constexpr uint8_t kEntryHasExpire = 1;
  // Bits 4..7: sixteenths of the LFU counter under an LFU policy (eviction.h), a finer
  // frequency than Redis's 8-bit counter alone; OBJECT FREQ reports the counter.
  static constexpr uint8_t kEntryLfuFracShift = 4;
  static constexpr uint8_t kEntryLfuFracMask = 0xf0;
};
static_assert(sizeof(Entry) == 32);

class Database {
 public:
  Database(Keyspace* owner, int index);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int index() const { return index_; }
  size_t size() const;          // keys, including not-yet-reclaimed expired ones (as DBSIZE)
  size_t expires_size() const;  // keys with a TTL (INFO keyspace "expires=")

  // Lookup for a read: counts a keyspace hit or miss and updates LRU/LFU.
  Entry* FindRead(std::string_view key);
  // Lookup for a write: no hit/miss stats, still updates LRU/LFU.
  Entry* FindWrite(std::string_view key);
  // Lookup with no side effects other than lazy expiry (EXISTS-like internal use,
  // TOUCH applies its own). OBJECT IDLETIME must not touch LRU.
  Entry* FindNoTouch(std::string_view key);
  // Records an access for eviction (LRU clock now; the LFU counter update goes here when
  // the memory issue adds LFU). Find{Read,Write} and FindOrInsert call it; TOUCH may too.
  void Touch(Entry* entry);

  struct InsertResult {
    Entry* entry;
    bool inserted;  // false: the key existed (and is returned as is)
  };
  // Finds key or inserts it with an empty string value and no TTL.
  InsertResult FindOrInsert(std::string_view key);
  // Inserts key (which must not exist) with value.
  Entry* Insert(std::string_view key, Value value);

  // Deletes key; false when absent (an expired key is expired, not deleted, as DEL does).
  // Notifies listeners' OnKeyDeleted.
  bool Delete(std::string_view key);
  // Deletes a live entry (from a Find*); notifies OnKeyDeleted.
  void Delete(Entry* entry);
  // The same, with a large value freed by the lazy-free thread (UNLINK, lazyfree-*).
  void DeleteLazily(Entry* entry);
  // The entry for key as stored: no lazy expiry, no LRU/LFU update, no stats (eviction
  // re-checks its pooled candidates with it).
  Entry* Peek(std::string_view key);
  // Eviction sampling (Redis's dictGetSomeKeys): appends up to `count` (entry, deadline or
  // -1) pairs from consecutive buckets at a random place of the key table, or of the TTL
  // index when volatile_only; visits at most 10*count buckets. Entries may be expired.
  void SampleForEviction(size_t count, bool volatile_only,
                         std::vector<std::pair<Entry*, int64_t>>* out);
  // True if key exists and is not expired (lazy expiry applies; no LRU touch).
  bool Exists(std::string_view key) { return FindNoTouch(key) != nullptr; }
  // RENAME: moves src's value, LRU and TTL to new_key, replacing (deleting) any existing
  // new_key, and returns the new entry; src is freed. Returns src itself when new_key is
  // src's own key. Notifies OnKeyDeleted for the old name and for a replaced new_key.
  Entry* Rename(Entry* src, std::string_view new_key);
  // Removes every key (FLUSHDB). Large tables are freed incrementally off the hot path
  // by the caller's choice later; for now synchronously.
  void Clear();
  // FLUSHDB ASYNC: empties the database now; the old contents are freed by the lazy-free
  // thread.
  void ClearLazily();

  // Expiry. Times are absolute Unix milliseconds.
  void SetExpire(Entry* entry, int64_t at_ms);
  bool ClearExpire(Entry* entry);               // true if it had one
  int64_t GetExpire(const Entry* entry) const;  // -1 when none

  // Redis SCAN semantics: a reverse-binary cursor over buckets; every key present for
  // the whole iteration is returned at least once even while the table grows/shrinks.
  // Calls fn for the entries of about `count` buckets' worth; returns the next cursor
  // (0 when done). Expired keys are skipped (not deleted) while scanning.
  // fn must not modify the database. Like Redis, one call visits buckets until it has
  // seen `count` keys or visited 10*count buckets.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const Entry&)>& fn);
  // Calls fn for every live (not expired) key, e.g. KEYS. fn must not modify the database.
  void ForEach(const std::function<void(const Entry&)>& fn) const;
  // Calls fn for every key as stored, expired ones not yet reclaimed included (DEBUG DIGEST
  // digests what Redis's dict holds). fn must not modify the database.
  void ForEachStored(const std::function<void(const Entry&)>& fn) const;
  // A random live key, or nullptr when empty. Expired keys met on the way are deleted
  // (lazy expiry); after 100 of them an expired key is returned rather than looping on,
  // as Redis's dbRandomKey does when every key is volatile.
  Entry* RandomEntry();

  // The active-expiry sample: walks the TTL index from a cursor kept across calls (as
  // Redis 7.0 walks db->expires) checking up to `max_checks` keys in at most
  // 20*max_checks buckets, and expires those past their deadline. Returns
  // (checked, expired).
  std::pair<size_t, size_t> ExpireSample(size_t max_checks);
  // Running estimate of the TTL left on keys (INFO keyspace avg_ttl), from the samples.
  int64_t avg_ttl_ms() const;

  // Memory: bytes allocated for one entry (header + key, value's heap bytes), and the
  // table overhead (bucket arrays and the TTL index) of this database.
  static size_t EntryMemoryUsage(const Entry& entry);
  size_t OverheadMemoryUsage() const;

  // Moves a bounded amount of incremental rehashing forward (called from cron).
  // Returns true if a rehash was in progress (so cron can stop after one database,
  // as Redis rehashes at most one per tick).
  bool RehashStep(int64_t budget_us);

  // Exchange contents with another database (SWAPDB).
  void SwapContents(Database& other);

 private:
  struct Impl;
  Keyspace* owner_;
  int index_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gannet
