// The per-database index of keys with a TTL: Entry* -> absolute Unix ms deadline.
//
// Design choice: a second IncrementalTable keyed by the Entry pointer, one 24-byte node
// {next, Entry*, deadline} per key with a TTL (32 bytes with jemalloc, plus ~8 bytes of
// bucket), the same cost Redis pays for its `expires` dict. Why not the alternatives:
// - Deadline inside the Entry: 8 more bytes on every key, TTL or not (the design target is
//   that keys without a TTL pay nothing), or a variable tail, which makes SET EX realloc
//   the entry and invalidates the Entry* a command is holding.
// - An ordered structure (heap / radix by deadline) would give exact next-to-expire, but
//   needs its own position bookkeeping on every TTL change; the adaptive sampling cycle
//   only needs (a) lookup by entry, (b) a cheap way to walk "some" TTL keys, and (c)
//   growth without stalls. The incremental table gives all three: lookups are one pointer
//   hash, the active cycle walks its buckets with a cursor (as Redis 7.0 walks
//   db->expires), and it resizes incrementally like the key table.
// Entry::kEntryHasExpire says whether to look here at all.
#pragma once

#include <cstdint>
#include <cstdlib>

#include "gannet/engine/database.h"
#include "key_table.h"

namespace gannet::engine_internal {

struct ExpireNode {
  ExpireNode* next;
  Entry* entry;
  int64_t at_ms;
};

struct ExpireTraits {
  using Node = ExpireNode;
  using Key = const Entry*;
  static ExpireNode*& Next(ExpireNode* n) { return n->next; }
  static uint64_t HashNode(const ExpireNode* n, uint64_t seed) {
    return HashPointer(n->entry, seed);
  }
  static bool Matches(const ExpireNode* n, const Entry* e) { return n->entry == e; }
};

class ExpireIndex {
 public:
  explicit ExpireIndex(uint64_t seed) : table_(seed) {}
  ~ExpireIndex() { Clear(); }
  ExpireIndex(const ExpireIndex&) = delete;
  ExpireIndex& operator=(const ExpireIndex&) = delete;

  size_t size() const { return table_.size(); }

  ExpireNode* Find(const Entry* e) { return table_.Find(e, HashPointer(e, table_.seed())); }

  // Adds or updates e's deadline.
  void Set(Entry* e, int64_t at_ms) {
    const uint64_t h = HashPointer(e, table_.seed());
    if (ExpireNode* n = table_.Find(e, h)) {
      n->at_ms = at_ms;
      return;
    }
    auto* n = static_cast<ExpireNode*>(std::malloc(sizeof(ExpireNode)));
    if (n == nullptr) std::abort();
    *n = ExpireNode{nullptr, e, at_ms};
    table_.Insert(n, h);
  }

  // Removes e; true if it was present.
  bool Remove(const Entry* e) {
    ExpireNode* n = table_.UnlinkKey(e, HashPointer(e, table_.seed()));
    if (n == nullptr) return false;
    std::free(n);
    return true;
  }

  void Clear() {
    table_.Clear([](ExpireNode* n) { std::free(n); });
  }

  IncrementalTable<ExpireTraits>& table() { return table_; }
  const IncrementalTable<ExpireTraits>& table() const { return table_; }

  // Bytes of nodes and buckets.
  size_t MemoryUsage() const { return table_.size() * kNodeAllocSize + table_.BucketBytes(); }
  static constexpr size_t kNodeAllocSize = 32;  // 24 bytes rounded to the size class

 private:
  IncrementalTable<ExpireTraits> table_;
};

}  // namespace gannet::engine_internal
