// IncrementalTable: a chained hash table that never stops the world to resize, in the
// manner of Redis's dict. While it resizes it holds two bucket arrays; every Find/Insert/
// Unlink moves one bucket from the old array to the new one (RehashSteps moves more from
// cron), and lookups consult both. Nodes are intrusive (each carries its `next`), so the
// table itself allocates nothing per key.
//
// Growth: to the next power of two when the load reaches 1; shrink (also incremental)
// when the load falls below 10%, and free everything when the last node leaves.
// Bucket arrays come from calloc at every size, so the allocator's statistics, and with
// them used_memory and maxmemory, count them as Redis counts its dict tables. A large
// calloc costs no memset: jemalloc hands out demand-zeroed pages for large extents (fresh
// ones, or reused ones it zeroes with MADV_DONTNEED), so the 16M-bucket array of a 10M-key
// table is faulted in a few pages at a time as rehashing reaches them; symmetrically the
// old array's pages are released (madvise) in 256 KiB runs as rehashing empties them.
//
// Scan implements the reverse-binary cursor: the cursor's bits are incremented from the
// top, so a bucket's "children" in a larger table (and its "parent" in a smaller one) are
// visited together. Every node present for a whole iteration is returned at least once
// whatever resizes happen between calls.
//
// Traits: `using Node`, `using Key`, `static Node*& Next(Node*)`,
// `static uint64_t HashNode(const Node*, uint64_t seed)`,
// `static bool Matches(const Node*, Key)`.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "hash.h"

namespace gannet::engine_internal {

inline uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

template <typename Traits>
class IncrementalTable {
 public:
  using Node = typename Traits::Node;
  using Key = typename Traits::Key;

  static constexpr uint64_t kInitialSize = 4;
  static constexpr size_t kMinFillPercent = 10;
  // Old arrays at least this large give their emptied pages back during a rehash.
  static constexpr size_t kReleaseBytes = 256 * 1024;

  explicit IncrementalTable(uint64_t seed) : seed_(seed) {}
  ~IncrementalTable() {
    FreeBuckets(t_[0]);
    FreeBuckets(t_[1]);
  }
  IncrementalTable(const IncrementalTable&) = delete;
  IncrementalTable& operator=(const IncrementalTable&) = delete;

  uint64_t seed() const { return seed_; }
  size_t size() const { return t_[0].used + t_[1].used; }
  bool rehashing() const { return rehash_idx_ >= 0; }
  bool shrinking() const { return rehashing() && t_[1].size < t_[0].size; }
  uint64_t bucket_count() const { return t_[0].size + t_[1].size; }
  size_t BucketBytes() const { return bucket_count() * sizeof(Node*); }

  uint64_t Hash(const Node* n) const { return Traits::HashNode(n, seed_); }

  Node* Find(Key key, uint64_t h) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashSteps(1);
    for (int t = 0; t <= 1; ++t) {
      if (t_[t].size == 0) continue;
      for (Node* n = t_[t].slots[h & (t_[t].size - 1)]; n != nullptr; n = Traits::Next(n)) {
        if (Traits::Matches(n, key)) return n;
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  // Adds a node whose key is not in the table.
  void Insert(Node* node, uint64_t h) {
    if (rehashing()) RehashSteps(1);
    ExpandIfNeeded();
    Buckets& b = rehashing() ? t_[1] : t_[0];
    Node*& head = b.slots[h & (b.size - 1)];
    Traits::Next(node) = head;
    head = node;
    ++b.used;
  }

  // Unlinks `node` (found by pointer in its chain). False if it is not in the table.
  bool Unlink(const Node* node, uint64_t h) {
    return UnlinkIf(h, [node](const Node* n) { return n == node; }) != nullptr;
  }

  // Unlinks and returns the node matching key, or nullptr.
  Node* UnlinkKey(Key key, uint64_t h) {
    return UnlinkIf(h, [&key](const Node* n) { return Traits::Matches(n, key); });
  }

  // Frees every node with free_node and releases the bucket arrays.
  template <typename F>
  void Clear(F&& free_node) {
    for (Buckets& b : t_) {
      for (uint64_t i = 0; i < b.size && b.used > 0; ++i) {
        Node* n = b.slots[i];
        while (n != nullptr) {
          Node* next = Traits::Next(n);
          free_node(n);
          --b.used;
          n = next;
        }
      }
      FreeBuckets(b);
    }
    rehash_idx_ = -1;
  }

  // Calls fn(Node*) for every node (no modification of the table from fn).
  template <typename F>
  void ForEach(F&& fn) const {
    for (const Buckets& b : t_) {
      for (uint64_t i = 0; i < b.size; ++i) {
        for (Node* n = b.slots[i]; n != nullptr; n = Traits::Next(n)) fn(n);
      }
    }
  }

  // One step of the reverse-binary scan: calls fn(Node*) for the nodes of the bucket(s)
  // the cursor names (in both arrays while resizing) and returns the next cursor, 0 when
  // the iteration is complete. fn must not modify the table. Any cursor value is valid.
  template <typename F>
  uint64_t ScanStep(uint64_t v, F&& fn) const {
    if (size() == 0) return 0;
    if (!rehashing()) {
      const uint64_t m0 = t_[0].size - 1;
      EmitChain(t_[0].slots[v & m0], fn);
      v |= ~m0;
      v = ReverseBits(v);
      ++v;
      return ReverseBits(v);
    }
    const Buckets* small = &t_[0];
    const Buckets* large = &t_[1];
    if (small->size > large->size) std::swap(small, large);
    const uint64_t m0 = small->size - 1;
    const uint64_t m1 = large->size - 1;
    EmitChain(small->slots[v & m0], fn);
    // Then every bucket of the larger array that expands the small bucket.
    do {
      EmitChain(large->slots[v & m1], fn);
      v |= ~m1;
      v = ReverseBits(v);
      ++v;
      v = ReverseBits(v);
    } while (v & (m0 ^ m1));
    return v;
  }

  // A random node: random non-empty bucket, then a random node of its chain (chains are
  // about one long at our load factor, so the bias toward short chains is small).
  template <typename Rng>
  Node* RandomNode(Rng& rng) const {
    if (size() == 0) return nullptr;
    Node* head = nullptr;
    for (int tries = 0; tries < 1000 && head == nullptr; ++tries) head = BucketAt(RandomSlot(rng));
    if (head == nullptr) {
      // Very sparse (a shrink still in progress): walk from a random slot instead.
      const uint64_t lo = rehashing() ? static_cast<uint64_t>(rehash_idx_) : 0;
      const uint64_t span = bucket_count() - lo;
      uint64_t start = RandomSlot(rng);
      for (uint64_t i = 0; i < span && head == nullptr; ++i) {
        head = BucketAt(lo + (start - lo + i) % span);
      }
    }
    size_t len = 0;
    for (Node* n = head; n != nullptr; n = Traits::Next(n)) ++len;
    uint64_t pick = rng() % len;
    Node* n = head;
    while (pick-- > 0) n = Traits::Next(n);
    return n;
  }

  // Visits the bucket(s) at `idx` (masked into each array); returns buckets checked.
  // fn(Node*) must not modify the table.
  template <typename F>
  int VisitBucketsAt(uint64_t idx, F&& fn) const {
    int checked = 0;
    for (int t = 0; t <= 1; ++t) {
      if (t == 1 && !rehashing()) break;
      if (t_[t].size == 0) continue;
      EmitChain(t_[t].slots[idx & (t_[t].size - 1)], fn);
      ++checked;
    }
    return checked;
  }

  // Moves up to n buckets to the new array, visiting at most 10*n empty ones. Returns
  // true while rehashing remains.
  bool RehashSteps(int n) {
    if (!rehashing()) return false;
    uint64_t empty_visits = static_cast<uint64_t>(n) * 10;
    while (n-- > 0 && t_[0].used != 0) {
      while (t_[0].slots[rehash_idx_] == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) return true;
      }
      Node* node = t_[0].slots[rehash_idx_];
      while (node != nullptr) {
        Node* next = Traits::Next(node);
        Node*& head = t_[1].slots[Hash(node) & (t_[1].size - 1)];
        Traits::Next(node) = head;
        head = node;
        --t_[0].used;
        ++t_[1].used;
        node = next;
      }
      t_[0].slots[rehash_idx_] = nullptr;
      ++rehash_idx_;
    }
    ReleaseRehashedPages();
    if (t_[0].used == 0) {
      FreeBuckets(t_[0]);
      t_[0] = t_[1];
      t_[1] = Buckets{};
      rehash_idx_ = -1;
      // Deletes during a shrink may have left the new array under 10% full too.
      ShrinkIfNeeded();
      return rehashing();
    }
    return true;
  }

  // Starts a shrink when the load is under 10% (Redis's htNeedsResize).
  void ShrinkIfNeeded() {
    if (rehashing()) return;
    if (t_[0].used == 0) {
      FreeBuckets(t_[0]);
      return;
    }
    if (t_[0].size > kInitialSize && t_[0].used * 100 / t_[0].size < kMinFillPercent) {
      StartResize(t_[0].used);
    }
  }

  void Swap(IncrementalTable& o) {
    std::swap(seed_, o.seed_);
    std::swap(t_, o.t_);
    std::swap(rehash_idx_, o.rehash_idx_);
    std::swap(released_bytes_, o.released_bytes_);
  }

 private:
  struct Buckets {
    Node** slots = nullptr;
    uint64_t size = 0;  // 0 or a power of two
    size_t used = 0;
  };

  template <typename F>
  static void EmitChain(Node* n, F& fn) {
    while (n != nullptr) {
      Node* next = Traits::Next(n);
      fn(n);
      n = next;
    }
  }

  template <typename Rng>
  uint64_t RandomSlot(Rng& rng) const {
    if (!rehashing()) return rng() & (t_[0].size - 1);
    const uint64_t lo = static_cast<uint64_t>(rehash_idx_);
    return lo + rng() % (bucket_count() - lo);
  }

  // Slot i of the concatenation t_[0] ++ t_[1].
  Node* BucketAt(uint64_t i) const {
    return i < t_[0].size ? t_[0].slots[i] : t_[1].slots[i - t_[0].size];
  }

  template <typename Pred>
  Node* UnlinkIf(uint64_t h, Pred&& pred) {
    if (size() == 0) return nullptr;
    if (rehashing()) RehashSteps(1);
    for (int t = 0; t <= 1; ++t) {
      Buckets& b = t_[t];
      if (b.size == 0) continue;
      Node** link = &b.slots[h & (b.size - 1)];
      for (Node* n = *link; n != nullptr; link = &Traits::Next(n), n = *link) {
        if (pred(n)) {
          *link = Traits::Next(n);
          Traits::Next(n) = nullptr;
          --b.used;
          if (size() == 0) {
            FreeBuckets(t_[0]);
            FreeBuckets(t_[1]);
            rehash_idx_ = -1;
          } else {
            ShrinkIfNeeded();
          }
          return n;
        }
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  void ExpandIfNeeded() {
    if (rehashing()) return;
    if (t_[0].size == 0) {
      t_[0] = AllocBuckets(kInitialSize);
      return;
    }
    if (t_[0].used >= t_[0].size) StartResize(t_[0].used + 1);
  }

  void StartResize(size_t min_size) {
    uint64_t size = kInitialSize;
    while (size < min_size) size <<= 1;
    if (size == t_[0].size) return;
    t_[1] = AllocBuckets(size);
    rehash_idx_ = 0;
    released_bytes_ = 0;
  }

  // Hands the pages of the old array that rehashing has emptied back to the kernel, a
  // 256 KiB run at a time: freeing a whole 128 MiB array at the end would zap 32K pages
  // in one operation (~10 ms). Zapped private pages read back as zeros, i.e. as the empty
  // buckets they are, so Scan and RandomNode may still look at them. The array need not
  // start on a page (the allocator may offset it), so only whole pages are released.
  void ReleaseRehashedPages() {
    if (t_[0].size * sizeof(Node*) < kReleaseBytes) return;
    static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto base = reinterpret_cast<uintptr_t>(t_[0].slots);
    const uintptr_t from = (base + released_bytes_ + page - 1) & ~(page - 1);
    const uintptr_t to = (base + static_cast<uint64_t>(rehash_idx_) * sizeof(Node*)) & ~(page - 1);
    if (to < from + kReleaseBytes) return;
    madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    released_bytes_ = to - base;
  }

  static Buckets AllocBuckets(uint64_t size) {
    Buckets b;
    void* p = std::calloc(size, sizeof(Node*));
    if (p == nullptr) {
      std::fprintf(stderr, "gannet: out of memory allocating %zu bucket bytes\n",
                   static_cast<size_t>(size * sizeof(Node*)));
      std::abort();
    }
    b.slots = static_cast<Node**>(p);
    b.size = size;
    return b;
  }

  static void FreeBuckets(Buckets& b) {
    std::free(b.slots);
    b = Buckets{};
  }

  uint64_t seed_;
  Buckets t_[2];
  int64_t rehash_idx_ = -1;
  size_t released_bytes_ = 0;  // bytes of the old array whose pages were released
};

}  // namespace gannet::engine_internal
