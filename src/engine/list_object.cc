// ListObject: the quicklist of listpack nodes behind every list (see list_object.h).
#include "gannet/engine/list_object.h"

#include <malloc.h>

#include <algorithm>
#include <utility>

#include "gannet/common/numbers.h"

namespace gannet {
namespace {

// Redis's SIZE_SAFETY_LIMIT: a count-limited node still stops at 8 KB.
constexpr size_t kSafetyLimit = 8192;

size_t BackLenSize(size_t n) {
  if (n <= 127) return 1;
  if (n < 16383) return 2;
  if (n < 2097151) return 3;
  if (n < 268435455) return 4;
  return 5;
}

}  // namespace

ListObject::ListObject(int fill) : fill_(fill) {}

ListObject::~ListObject() = default;

size_t ListObject::EntrySize(std::string_view s) {
  int64_t v = 0;
  size_t enc;
  if (s.size() <= 20 && IsCanonicalInt64(s, &v)) {
    if (v >= 0 && v <= 127) {
      enc = 1;
    } else if (v >= -4096 && v <= 4095) {
      enc = 2;
    } else if (v >= -32768 && v <= 32767) {
      enc = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      enc = 4;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      enc = 5;
    } else {
      enc = 9;
    }
  } else if (s.size() < 64) {
    enc = 1 + s.size();
  } else if (s.size() < 4096) {
    enc = 2 + s.size();
  } else {
    enc = 5 + s.size();
  }
  return enc + BackLenSize(enc);
}

size_t ListObject::ByteLimit() const {
  if (fill_ >= 0) return kSafetyLimit;
  int level = std::min(-fill_, 5);
  return size_t{4096} << (level - 1);
}

bool ListObject::Fits(const Listpack& node, size_t add) const {
  if (node.bytes_size() + add > ByteLimit()) return false;
  return fill_ < 0 || node.size() < static_cast<size_t>(std::max(fill_, 1));
}

bool ListObject::FitsValue(const Listpack& node, std::string_view s) const {
  // An entry never takes more than its length plus 10 bytes (5-byte header and 5-byte
  // back-length at worst; an integer takes at most 10): far from the limit that bound
  // decides without encoding the value.
  if (node.bytes_size() + s.size() + 10 <= ByteLimit()) {
    return fill_ < 0 || node.size() < static_cast<size_t>(std::max(fill_, 1));
  }
  return Fits(node, EntrySize(s));
}

size_t ListObject::MemoryUsage() const {
  size_t total = nodes_.capacity() * sizeof(Listpack);
  for (const Listpack& lp : nodes_) total += lp.MemoryUsage();
  return total;
}

std::unique_ptr<ObjectBase> ListObject::Clone() const {
  auto copy = std::make_unique<ListObject>(fill_);
  copy->nodes_.reserve(nodes_.size());
  for (const Listpack& lp : nodes_) copy->nodes_.push_back(lp.Clone());
  copy->size_ = size_;
  return copy;
}

void ListObject::PushFront(std::string_view s) {
  if (nodes_.empty() || !FitsValue(nodes_.front(), s)) nodes_.emplace(nodes_.begin());
  nodes_.front().Prepend(s);
  ++size_;
}

void ListObject::PushBack(std::string_view s) {
  if (nodes_.empty() || !FitsValue(nodes_.back(), s)) nodes_.emplace_back();
  nodes_.back().Append(s);
  ++size_;
}

bool ListObject::PopFront(std::string* out) {
  if (size_ == 0) return false;
  Listpack& lp = nodes_.front();
  Listpack::Pos p = lp.First();
  char buf[24];
  out->assign(lp.Get(p).ToString(buf));
  lp.Delete(p);
  --size_;
  if (lp.empty()) nodes_.erase(nodes_.begin());
  return true;
}

bool ListObject::PopBack(std::string* out) {
  if (size_ == 0) return false;
  Listpack& lp = nodes_.back();
  Listpack::Pos p = lp.Last();
  char buf[24];
  out->assign(lp.Get(p).ToString(buf));
  lp.Delete(p);
  --size_;
  if (lp.empty()) nodes_.pop_back();
  return true;
}

size_t ListObject::Locate(size_t index, size_t* offset) const {
  // Walk from the nearer end.
  if (index < size_ / 2) {
    size_t i = 0;
    while (index >= nodes_[i].size()) {
      index -= nodes_[i].size();
      ++i;
    }
    *offset = index;
    return i;
  }
  size_t from_tail = size_ - 1 - index;  // 0 = last element
  size_t i = nodes_.size() - 1;
  while (from_tail >= nodes_[i].size()) {
    from_tail -= nodes_[i].size();
    --i;
  }
  *offset = nodes_[i].size() - 1 - from_tail;
  return i;
}

ListObject::Element ListObject::Get(size_t index) const {
  size_t off = 0;
  size_t i = Locate(index, &off);
  const Listpack& lp = nodes_[i];
  return lp.Get(lp.Seek(static_cast<int64_t>(off)));
}

void ListObject::AppendElement(Listpack& lp, const Element& e) {
  if (e.is_int) {
    lp.AppendInt(e.ival);
  } else {
    lp.Append(e.str);
  }
}

void ListObject::SplitNode(size_t i, size_t at) {
  Listpack tail;
  {
    const Listpack& src = nodes_[i];
    for (Listpack::Pos p = src.Seek(static_cast<int64_t>(at)); p != Listpack::kNone;
         p = src.Next(p)) {
      AppendElement(tail, src.Get(p));
    }
  }
  size_t moved = tail.size();
  if (moved > 0) nodes_[i].DeleteRange(nodes_[i].Seek(static_cast<int64_t>(at)), moved);
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(tail));
}

void ListObject::Set(size_t index, std::string_view s) {
  size_t off = 0;
  size_t i = Locate(index, &off);
  Listpack& lp = nodes_[i];
  lp.Replace(lp.Seek(static_cast<int64_t>(off)), s);
  // A bigger element may push the node over its budget: split it around the element.
  if (lp.bytes_size() > ByteLimit() && lp.size() > 1) {
    if (off + 1 < lp.size()) SplitNode(i, off + 1);
    if (off > 0) SplitNode(i, off);
  }
}

void ListObject::InsertAt(size_t index, std::string_view s) {
  if (index == 0) return PushFront(s);
  if (index >= size_) return PushBack(s);
  size_t off = 0;
  size_t i = Locate(index, &off);
  size_t add = EntrySize(s);
  Listpack& lp = nodes_[i];
  if (Fits(lp, add)) {
    lp.Insert(lp.Seek(static_cast<int64_t>(off)), s, /*after=*/false);
    ++size_;
    return;
  }
  // At the head of a full node: the previous node's tail may have room.
  if (off == 0 && i > 0 && Fits(nodes_[i - 1], add)) {
    nodes_[i - 1].Append(s);
    ++size_;
    return;
  }
  // Split at the insertion point; the element joins the first half, or the second, or
  // a node of its own.
  SplitNode(i, off);
  if (Fits(nodes_[i], add)) {
    nodes_[i].Append(s);
  } else if (Fits(nodes_[i + 1], add)) {
    nodes_[i + 1].Prepend(s);
  } else {
    Listpack own;
    own.Append(s);
    nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(own));
  }
  ++size_;
  TryMerge(i + 1);
  TryMerge(i);
}

void ListObject::TryMerge(size_t i) {
  if (i >= nodes_.size()) return;
  if (nodes_[i].empty()) {
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  if (i + 1 >= nodes_.size()) return;
  Listpack& a = nodes_[i];
  Listpack& b = nodes_[i + 1];
  // Listpack header (6) and terminator (1) are paid once after a merge.
  size_t merged = a.bytes_size() + b.bytes_size() - 7;
  bool count_ok = fill_ < 0 || a.size() + b.size() <= static_cast<size_t>(std::max(fill_, 1));
  if (merged > ByteLimit() || !count_ok) return;
  if (a.size() >= b.size()) {
    for (Listpack::Pos p = b.First(); p != Listpack::kNone; p = b.Next(p)) {
      AppendElement(a, b.Get(p));
    }
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  } else {
    // Prepend a's elements to b, last first.
    for (Listpack::Pos p = a.Last(); p != Listpack::kNone; p = a.Prev(p)) {
      Element e = a.Get(p);
      if (e.is_int) {
        char buf[24];
        b.Prepend(e.ToString(buf));
      } else {
        b.Prepend(e.str);
      }
    }
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void ListObject::Erase(size_t index, size_t count) {
  if (index >= size_ || count == 0) return;
  count = std::min(count, size_ - index);
  size_t off = 0;
  size_t i = Locate(index, &off);
  size_t first = i;
  size_t left = count;
  while (left > 0) {
    Listpack& lp = nodes_[i];
    size_t here = std::min(left, lp.size() - off);
    if (off == 0 && here == lp.size()) {
      lp.Clear();  // dropped below
    } else {
      lp.DeleteRange(lp.Seek(static_cast<int64_t>(off)), here);
    }
    left -= here;
    off = 0;
    ++i;
  }
  size_ -= count;
  // Drop the emptied nodes [first, i), then join the survivors at the seam.
  auto empty = [](const Listpack& lp) { return lp.empty(); };
  auto b = nodes_.begin() + static_cast<std::ptrdiff_t>(first);
  auto e = nodes_.begin() + static_cast<std::ptrdiff_t>(i);
  nodes_.erase(std::remove_if(b, e, empty), e);
  if (first > 0) TryMerge(first - 1);
  TryMerge(first);
}

size_t ListObject::Remove(std::string_view value, int64_t count) {
  size_t removed = 0;
  const size_t limit = count == 0  ? SIZE_MAX
                       : count > 0 ? static_cast<size_t>(count)
                                   : static_cast<size_t>(-(count + 1)) + 1;
  if (count >= 0) {
    for (size_t i = 0; i < nodes_.size() && removed < limit; ++i) {
      Listpack& lp = nodes_[i];
      Listpack::Pos p = lp.First();
      while (p != Listpack::kNone && removed < limit) {
        if (lp.Get(p).Equals(value)) {
          p = lp.Delete(p);
          ++removed;
        } else {
          p = lp.Next(p);
        }
      }
    }
  } else {
    for (size_t i = nodes_.size(); i-- > 0 && removed < limit;) {
      Listpack& lp = nodes_[i];
      Listpack::Pos p = lp.Last();
      while (p != Listpack::kNone && removed < limit) {
        if (lp.Get(p).Equals(value)) {
          Listpack::Pos next = lp.Delete(p);
          ++removed;
          // The element before the deleted one: from the one that followed, or the last.
          p = next == Listpack::kNone ? lp.Last() : lp.Prev(next);
        } else {
          p = lp.Prev(p);
        }
      }
    }
  }
  if (removed == 0) return 0;
  size_ -= removed;
  nodes_.erase(
      std::remove_if(nodes_.begin(), nodes_.end(), [](const Listpack& lp) { return lp.empty(); }),
      nodes_.end());
  // Rejoin neighbours that shrank enough.
  for (size_t i = 0; i + 1 < nodes_.size();) {
    size_t before = nodes_.size();
    TryMerge(i);
    if (nodes_.size() == before) ++i;
  }
  return removed;
}

}  // namespace gannet
