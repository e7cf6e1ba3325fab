// ListObject: a Redis list as a quicklist of listpack nodes, as Redis 7.0 stores every list
// (OBJECT ENCODING "quicklist" even for a one-element list, as 7.0.15 reports).
//
// Nodes are kept in one vector of 16-byte ListNodes (contiguous) rather than a linked
// list of separately allocated 32-byte nodes: a million short items need ~600 nodes, so
// inserting a node in the middle is a memmove of a few KB, and walking to an index touches
// one cache-friendly array. A node holds as many entries as list-max-listpack-size allows:
// negative = a byte budget (-1: 4 KB ... -2: 8 KB ... -5: 64 KB) counted exactly (Redis
// over-estimates each insert by 8 bytes and so leaves nodes a little emptier); positive =
// an entry count, capped at 8 KB of bytes.
//
// list-compress-depth (fixed per list at creation, as Redis does): the nodes further than
// `depth` nodes from either end are kept LZF-compressed, under Redis's rules: a node under
// 48 bytes, or one whose compression would not save more than 8 bytes, stays raw. The end
// nodes, where pushes and pops happen, are always raw. Reads of a compressed node inflate
// a temporary copy and leave the stored node compressed; writes decompress it in place
// and compress it again before returning.
//
// Indexes are 0-based from the head; callers normalise negative indexes first. Element
// views passed to visitors are valid only during the call (a compressed node's elements
// live in a temporary copy).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet {

// One quicklist node: a raw listpack, or the LZF compression of one.
class ListNode {
 public:
  // Redis's thresholds (quicklist.c): nodes below kMinCompressBytes are not compressed,
  // and a compression must save more than kMinCompressImprove bytes to be kept.
  static constexpr size_t kMinCompressBytes = 48;
  static constexpr size_t kMinCompressImprove = 8;

  ListNode() = default;
  explicit ListNode(Listpack lp) : lp_(std::move(lp)) {}
  ~ListNode();
  ListNode(ListNode&& o) noexcept : lp_(std::move(o.lp_)), lzf_(std::exchange(o.lzf_, nullptr)) {}
  ListNode& operator=(ListNode&& o) noexcept;
  ListNode(const ListNode&) = delete;
  ListNode& operator=(const ListNode&) = delete;
  ListNode Clone() const;

  bool compressed() const { return lzf_ != nullptr; }
  size_t size() const { return lzf_ != nullptr ? lzf_->count : lp_.size(); }
  // The listpack's bytes (its raw size even while compressed).
  size_t bytes_size() const { return lzf_ != nullptr ? lzf_->raw_bytes : lp_.bytes_size(); }
  // Allocated bytes (MEMORY USAGE): the compressed block while compressed.
  size_t MemoryUsage() const;

  // The raw listpack. Precondition: !compressed().
  Listpack& lp() { return lp_; }
  const Listpack& lp() const { return lp_; }
  // The LZF stream while compressed (RDB writes it as an LZF string, as Redis does).
  std::string_view lzf_bytes() const;

  // Compresses a raw node under Redis's rules; false when it stays raw.
  bool Compress();
  // Makes a compressed node raw again (no-op when raw).
  void Decompress();
  // A raw copy of a compressed node's listpack.
  Listpack Inflate() const;

 private:
  // The compressed form, one allocation: this header, then zlen bytes of LZF stream.
  struct Lzf {
    uint32_t raw_bytes;
    uint32_t count;
    uint32_t zlen;
  };
  const unsigned char* lzf_data() const { return reinterpret_cast<const unsigned char*>(lzf_ + 1); }

  Listpack lp_;  // moved-from (no buffer) while compressed
  Lzf* lzf_ = nullptr;
};

class ListObject final : public ObjectBase {
 public:
  using Element = Listpack::Element;
  // Redis keeps the depth in 16 bits (quicklist.c COMPRESS_MAX) and clamps larger values.
  static constexpr int kMaxCompressDepth = 65535;

  // fill: list-max-listpack-size at creation; compress_depth: list-compress-depth at
  // creation (Redis fixes both per list the same way).
  explicit ListObject(int fill, int compress_depth = 0);
  ~ListObject() override;

  size_t MemoryUsage() const override;
  std::unique_ptr<ObjectBase> Clone() const override;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_.size(); }
  int fill() const { return fill_; }
  int compress_depth() const { return static_cast<int>(depth_); }
  // Entries in node i (tests, DEBUG-like introspection).
  size_t node_size(size_t i) const { return nodes_[i].size(); }
  // Node i's listpack bytes (uncompressed size).
  size_t node_bytes(size_t i) const { return nodes_[i].bytes_size(); }
  // Node i's allocated bytes, compressed or not (MEMORY USAGE sampling).
  size_t node_memory(size_t i) const { return sizeof(ListNode) + nodes_[i].MemoryUsage(); }
  bool node_compressed(size_t i) const { return nodes_[i].compressed(); }

  void PushFront(std::string_view s);
  void PushBack(std::string_view s);
  // Removes the head/tail element into *out; false when empty.
  bool PopFront(std::string* out);
  bool PopBack(std::string* out);

  // The element at index (< size()), as text.
  std::string Get(size_t index) const;
  // Replaces the element at index (< size()).
  void Set(size_t index, std::string_view s);
  // Inserts s so that it ends up at `index` (0 = head, size() = tail).
  void InsertAt(size_t index, std::string_view s);
  // Erases count elements from index (clamped to the end).
  void Erase(size_t index, size_t count);
  // Removes elements equal to value: count > 0 the first count from the head, count < 0
  // the first -count from the tail, 0 all. Returns how many were removed.
  size_t Remove(std::string_view value, int64_t count);

  // Calls fn(const Element&) for elements [start, start + count) head to tail; fn returns
  // false to stop early.
  template <typename Fn>
  void Visit(size_t start, size_t count, Fn&& fn) const;
  // Calls fn for elements from index `start` going towards the head, at most count of them.
  template <typename Fn>
  void VisitReverse(size_t start, size_t count, Fn&& fn) const;

  // Persistence (RDB, DUMP): node i as stored; and appending a whole validated node at
  // the tail. AppendNode refuses (false, lp untouched) an empty node or one past this
  // list's node limits; the caller then pushes the elements one by one.
  const ListNode& node(size_t i) const { return nodes_[i]; }
  bool AppendNode(Listpack& lp);

  // Whether every node is stored as the depth requires: the `depth` nodes at each end
  // raw, every other node compressed unless Redis's rules keep it raw (tests).
  bool CompressionInvariantHolds() const;

  // Listpack encoding size of s as an entry (exact, including the back-length).
  static size_t EntrySize(std::string_view s);

 private:
  // Whether node can take `add` more bytes (one more entry).
  bool Fits(const ListNode& node, size_t add) const;
  // Whether node can take s (computes s's exact size only near the limit).
  bool FitsValue(const ListNode& node, std::string_view s) const;
  size_t ByteLimit() const { return byte_limit_; }
  static size_t ComputeByteLimit(int fill);
  // Node holding index; *offset receives the index inside it.
  size_t Locate(size_t index, size_t* offset) const;
  // Node i's listpack for writing, decompressed in place if needed (Settle recompresses).
  Listpack& RawNode(size_t i) {
    nodes_[i].Decompress();
    return nodes_[i].lp();
  }
  // Splits raw node i so that it keeps [0, at) and a new node i+1 gets [at, end).
  void SplitNode(size_t i, size_t at);
  // Merges node i with i+1 when the result fits; drops empty nodes around i.
  void TryMerge(size_t i);
  // Restores the compression layout after a change: the end nodes raw, and compressed
  // the interior nodes among [lo, hi] (touched) and the `shift` + 1 nodes nearest each
  // boundary (nodes that up to `shift` insertions moved inwards).
  void Settle(size_t lo, size_t hi, size_t shift) {
    if (depth_ != 0) SettleSlow(lo, hi, shift);
  }
  void SettleSlow(size_t lo, size_t hi, size_t shift);
  static void AppendElement(Listpack& lp, const Element& e);

  std::vector<ListNode> nodes_;
  size_t size_ = 0;
  int fill_;
  uint32_t depth_;
  uint32_t byte_limit_;  // a node's byte budget under fill_
};

template <typename Fn>
void ListObject::Visit(size_t start, size_t count, Fn&& fn) const {
  if (start >= size_ || count == 0) return;
  size_t off = 0;
  size_t i = Locate(start, &off);
  std::optional<Listpack> inflated;  // a compressed node's temporary copy
  for (; i < nodes_.size() && count > 0; ++i, off = 0) {
    const ListNode& node = nodes_[i];
    if (node.compressed()) inflated.emplace(node.Inflate());
    const Listpack& lp = node.compressed() ? *inflated : node.lp();
    for (Listpack::Pos p = lp.Seek(static_cast<int64_t>(off)); p != Listpack::kNone && count > 0;
         p = lp.Next(p)) {
      --count;
      if (!fn(lp.Get(p))) return;
    }
  }
}

template <typename Fn>
void ListObject::VisitReverse(size_t start, size_t count, Fn&& fn) const {
  if (start >= size_ || count == 0) return;
  size_t off = 0;
  size_t i = Locate(start, &off);
  std::optional<Listpack> inflated;  // a compressed node's temporary copy
  for (;;) {
    const ListNode& node = nodes_[i];
    if (node.compressed()) inflated.emplace(node.Inflate());
    const Listpack& lp = node.compressed() ? *inflated : node.lp();
    for (Listpack::Pos p = lp.Seek(static_cast<int64_t>(off)); p != Listpack::kNone && count > 0;
         p = lp.Prev(p)) {
      --count;
      if (!fn(lp.Get(p))) return;
    }
    if (count == 0 || i == 0) return;
    --i;
    off = nodes_[i].size() - 1;
  }
}

}  // namespace gannet
