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
// At depth 0 (Redis's default: no LZF) Gannet front-codes the nodes two or more from an
// end (front_coding.h) when that saves at least an eighth of the node: each entry stored
// as the prefix it shares with the one before plus the rest. Lists whose items begin alike
// (ids, keys, timestamps, JSON records) take a fraction of the memory; other lists stay as
// they were. It is invisible from outside: RDB, DUMP and DEBUG OBJECT see plain listpacks,
// as Redis writes at depth 0. The end nodes stay raw, so pushes and pops cost what they
// did; their neighbours are left as they are, so a stack at a node boundary does not pack
// and unpack a node per push and pop. A read inside the list walks the node's entries in
// place, each rebuilt over the one before; a write there unpacks the node and leaves it
// raw (see Settle), as Redis keeps it.
//
// Indexes are 0-based from the head; callers normalise negative indexes first. Element
// views passed to visitors are valid only during the call (a packed node's elements live
// in a temporary copy).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/front_coding.h"
#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet {

// One quicklist node: a raw listpack, or a packed form of one (the LZF compression of the
// serialized block, or the front coding of its body).
class ListNode {
 public:
  // Redis's thresholds (quicklist.c): nodes below kMinCompressBytes are not compressed,
  // and a compression must save more than kMinCompressImprove bytes to be kept.
  static constexpr size_t kMinCompressBytes = 48;
  static constexpr size_t kMinCompressImprove = 8;

  ListNode() = default;
  explicit ListNode(Listpack lp) : lp_(std::move(lp)) {}
  ~ListNode();
  ListNode(ListNode&& o) noexcept
      : lp_(std::move(o.lp_)),
        front_refused_(o.front_refused_),
        packed_(std::exchange(o.packed_, nullptr)) {}
  ListNode& operator=(ListNode&& o) noexcept;
  ListNode(const ListNode&) = delete;
  ListNode& operator=(const ListNode&) = delete;
  ListNode Clone() const;

  // Whether the node is in a packed form (either), and whether that form is LZF (what
  // Redis calls a compressed node: DEBUG OBJECT and RDB see it).
  bool packed() const { return packed_ != nullptr; }
  bool compressed() const { return packed_ != nullptr && packed_->codec == kLzf; }
  size_t size() const { return packed_ != nullptr ? packed_->count : lp_.size(); }
  // The listpack's bytes (its raw size even while packed).
  size_t bytes_size() const { return packed_ != nullptr ? packed_->raw_bytes : lp_.bytes_size(); }
  // Allocated bytes (MEMORY USAGE): the packed block while packed.
  size_t MemoryUsage() const;

  // The raw listpack. Precondition: !packed(). Writable access forgets a refused front
  // coding: the node may change.
  Listpack& lp() {
    front_refused_ = false;
    return lp_;
  }
  const Listpack& lp() const { return lp_; }
  // The LZF stream. Precondition: compressed() (RDB writes it as an LZF string, as Redis).
  std::string_view lzf_bytes() const;

  // Compresses the node with LZF under Redis's rules; false when it stays raw.
  bool Compress();
  // Front-codes the node when that saves at least an eighth of it; false when it stays raw.
  bool FrontCode();
  // Makes a packed node raw again (no-op when raw).
  void Decompress();
  // A raw copy of a packed node's listpack.
  Listpack Inflate() const;

  // Calls fn(const Listpack::Element&) for the elements from index `from` on, at most
  // *count of them (decremented); false when fn returned false to stop. A front-coded
  // node is walked in place, an LZF one through a temporary copy.
  template <typename Fn>
  bool Visit(size_t from, size_t* count, Fn& fn) const;

 private:
  enum Codec : uint32_t { kLzf, kFront };
  // The packed form, one allocation: this header, then len bytes of packed data.
  struct Packed {
    uint32_t raw_bytes;
    uint32_t count;
    uint32_t len;
    Codec codec;
  };
  // A packed node that does not unpack is memory corruption: stops the process rather than
  // serve wrong data.
  [[noreturn]] static void Corrupt();
  const unsigned char* packed_data() const {
    return reinterpret_cast<const unsigned char*>(packed_ + 1);
  }
  // The size of a packed block: header, len bytes of packed data, and for front coding the
  // offsets of its restarts (uint32 each, unaligned).
  static size_t BlockBytes(Codec codec, size_t len, size_t count);
  // Makes block (len bytes of packed data after the header) the node's packed form, and
  // frees the raw listpack.
  void AdoptPacked(Packed* block, Codec codec, size_t len);
  // The offset in the coding of the restart at or before entry k (front coding).
  size_t RestartBefore(size_t k) const {
    uint32_t at;
    std::memcpy(&at, packed_data() + packed_->len + k / kFrontRestartInterval * sizeof(at),
                sizeof(at));
    return at;
  }

  Listpack lp_;  // moved-from (no buffer) while packed
  // FrontCode found this raw node not worth packing, and it has not been written since:
  // the layout asks again after every change near it, and the answer stays the same.
  bool front_refused_ = false;
  Packed* packed_ = nullptr;
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
  bool node_packed(size_t i) const { return nodes_[i].packed(); }

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
  // raw, every other node compressed unless Redis's rules keep it raw; at depth 0 the end
  // nodes raw and no node compressed (front coding is allowed anywhere else, and not
  // required: see Settle) (tests).
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
  // Restores the packing layout after a change: the nodes nearer an end than raw_depth()
  // raw, and packed the interior nodes among [lo, hi] (touched; LZF only: front coding
  // leaves a node written in place raw) and the `shift` + 1 nodes nearest each interior
  // boundary (nodes that up to `shift` insertions moved inwards).
  void Settle(size_t lo, size_t hi, size_t shift);
  // The layout, by a node's distance from the nearer end: under raw_depth() raw; from
  // pack_depth() on packed (LZF at a list-compress-depth, else front-coded); in between
  // (depth 0 only: the end nodes' neighbours) either, as they happen to be. That slack is
  // what keeps a list whose head or tail sits at a node boundary from packing and unpacking
  // a node on every push and pop; LZF keeps Redis's exact layout instead.
  size_t raw_depth() const { return depth_ != 0 ? depth_ : 1; }
  size_t pack_depth() const { return depth_ != 0 ? depth_ : 2; }
  bool Pack(ListNode& node) const { return depth_ != 0 ? node.Compress() : node.FrontCode(); }
  static void AppendElement(Listpack& lp, const Element& e);

  std::vector<ListNode> nodes_;
  size_t size_ = 0;
  int fill_;
  uint32_t depth_;
  uint32_t byte_limit_;  // a node's byte budget under fill_
};

template <typename Fn>
bool ListNode::Visit(size_t from, size_t* count, Fn& fn) const {
  if (packed_ != nullptr && packed_->codec == kFront) {
    if (from >= packed_->count) return true;
    const size_t start = RestartBefore(from);
    if (start >= packed_->len) Corrupt();
    FrontCursor cursor(packed_data() + start, packed_->len - start);
    bool corrupt = false;
    for (size_t k = from / kFrontRestartInterval * kFrontRestartInterval;
         *count > 0 && cursor.Next(&corrupt); ++k) {
      if (k < from) continue;
      --*count;
      if (!fn(Listpack::EntryAt(cursor.entry()))) return false;
    }
    if (corrupt) Corrupt();
    return true;
  }
  std::optional<Listpack> inflated;  // an LZF node's temporary copy
  if (packed_ != nullptr) inflated.emplace(Inflate());
  const Listpack& lp = packed_ != nullptr ? *inflated : lp_;
  for (Listpack::Pos p = lp.Seek(static_cast<int64_t>(from)); p != Listpack::kNone && *count > 0;
       p = lp.Next(p)) {
    --*count;
    if (!fn(lp.Get(p))) return false;
  }
  return true;
}

template <typename Fn>
void ListObject::Visit(size_t start, size_t count, Fn&& fn) const {
  if (start >= size_ || count == 0) return;
  size_t off = 0;
  size_t i = Locate(start, &off);
  for (; i < nodes_.size() && count > 0; ++i, off = 0) {
    if (!nodes_[i].Visit(off, &count, fn)) return;
  }
}

template <typename Fn>
void ListObject::VisitReverse(size_t start, size_t count, Fn&& fn) const {
  if (start >= size_ || count == 0) return;
  size_t off = 0;
  size_t i = Locate(start, &off);
  std::optional<Listpack> inflated;  // a packed node's temporary copy
  for (;;) {
    const ListNode& node = nodes_[i];
    if (node.packed()) inflated.emplace(node.Inflate());
    const Listpack& lp = node.packed() ? *inflated : node.lp();
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
