// ListObject: a Redis list as a quicklist of listpack nodes, as Redis 7.0 stores every list
// (OBJECT ENCODING "quicklist" even for a one-element list, as 7.0.15 reports).
//
// Nodes are kept in one vector of Listpacks (16 bytes each, contiguous) rather than a
// linked list of separately allocated 32-byte nodes: a million short items need ~600
// nodes, so inserting a node in the middle is a memmove of a few KB, and walking to an
// index touches one cache-friendly array. A node holds as many entries as
// list-max-listpack-size allows: negative = a byte budget (-1: 4 KB ... -2: 8 KB ...
// -5: 64 KB) counted exactly (Redis over-estimates each insert by 8 bytes and so leaves
// nodes a little emptier); positive = an entry count, capped at 8 KB of bytes.
//
// Indexes are 0-based from the head; callers normalise negative indexes first. Element
// views returned by Get/visitors point into a node and stay valid until the next mutation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet {

class ListObject final : public ObjectBase {
 public:
  using Element = Listpack::Element;

  // fill: list-max-listpack-size at creation (Redis fixes it per list the same way).
  explicit ListObject(int fill);
  ~ListObject() override;

  size_t MemoryUsage() const override;
  std::unique_ptr<ObjectBase> Clone() const override;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t node_count() const { return nodes_.size(); }
  int fill() const { return fill_; }
  // Entries in node i (tests, DEBUG-like introspection).
  size_t node_size(size_t i) const { return nodes_[i].size(); }
  size_t node_bytes(size_t i) const { return nodes_[i].bytes_size(); }

  void PushFront(std::string_view s);
  void PushBack(std::string_view s);
  // Removes the head/tail element into *out; false when empty.
  bool PopFront(std::string* out);
  bool PopBack(std::string* out);

  // The element at index (< size()).
  Element Get(size_t index) const;
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
  const Listpack& node(size_t i) const { return nodes_[i]; }
  bool AppendNode(Listpack& lp) {
    if (lp.empty() || lp.bytes_size() > ByteLimit()) return false;
    if (fill_ >= 0 && lp.size() > static_cast<size_t>(std::max(fill_, 1))) return false;
    size_ += lp.size();
    nodes_.push_back(std::move(lp));
    return true;
  }

  // Listpack encoding size of s as an entry (exact, including the back-length).
  static size_t EntrySize(std::string_view s);

 private:
  // Whether node can take `add` more bytes (one more entry).
  bool Fits(const Listpack& node, size_t add) const;
  // Whether node can take s (computes s's exact size only near the limit).
  bool FitsValue(const Listpack& node, std::string_view s) const;
  size_t ByteLimit() const;
  // Node holding index; *offset receives the index inside it.
  size_t Locate(size_t index, size_t* offset) const;
  // Splits node i so that it keeps [0, at) and a new node i+1 gets [at, end).
  void SplitNode(size_t i, size_t at);
  // Merges node i with i+1 when the result fits; drops empty nodes around i.
  void TryMerge(size_t i);
  static void AppendElement(Listpack& lp, const Element& e);

  std::vector<Listpack> nodes_;
  size_t size_ = 0;
  int fill_;
};

template <typename Fn>
void ListObject::Visit(size_t start, size_t count, Fn&& fn) const {
  if (start >= size_ || count == 0) return;
  size_t off = 0;
  size_t i = Locate(start, &off);
  for (; i < nodes_.size() && count > 0; ++i, off = 0) {
    const Listpack& lp = nodes_[i];
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
  for (;;) {
    const Listpack& lp = nodes_[i];
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
