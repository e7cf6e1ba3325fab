// ListObject: the quicklist of listpack nodes behind every list (see list_object.h).
#include "gannet/engine/list_object.h"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "gannet/common/lzf.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/front_coding.h"

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

// ---------------------------------------------------------------------------------------
// ListNode

void ListNode::Corrupt() {
  std::fputs("gannet: corrupt packed list node\n", stderr);
  std::abort();
}

ListNode::~ListNode() { std::free(packed_); }

ListNode& ListNode::operator=(ListNode&& o) noexcept {
  if (this != &o) {
    lp_ = std::move(o.lp_);
    front_refused_ = o.front_refused_;
    std::free(packed_);
    packed_ = std::exchange(o.packed_, nullptr);
  }
  return *this;
}

ListNode ListNode::Clone() const {
  if (packed_ == nullptr) return ListNode(lp_.Clone());
  ListNode copy;
  const size_t n = BlockBytes(packed_->codec, packed_->len, packed_->count);
  copy.packed_ = static_cast<Packed*>(std::malloc(n));
  if (copy.packed_ == nullptr) throw std::bad_alloc();
  std::memcpy(copy.packed_, packed_, n);
  return copy;
}

size_t ListNode::MemoryUsage() const {
  return packed_ != nullptr ? malloc_usable_size(packed_) : lp_.MemoryUsage();
}

std::string_view ListNode::lzf_bytes() const {
  return {reinterpret_cast<const char*>(packed_data()), packed_->len};
}

size_t ListNode::BlockBytes(Codec codec, size_t len, size_t count) {
  return sizeof(Packed) + len +
         (codec == kFront ? FrontRestartCount(count) * sizeof(uint32_t) : 0);
}

void ListNode::AdoptPacked(Packed* block, Codec codec, size_t len) {
  block->raw_bytes = static_cast<uint32_t>(lp_.bytes_size());
  block->count = static_cast<uint32_t>(lp_.size());
  block->len = static_cast<uint32_t>(len);
  block->codec = codec;
  if (void* fit = std::realloc(block, BlockBytes(codec, len, block->count)); fit != nullptr) {
    block = static_cast<Packed*>(fit);
  }
  packed_ = block;
  Listpack drop = std::move(lp_);  // frees the raw bytes; lp_ stays moved-from
}

bool ListNode::Compress() {
  if (compressed()) return true;
  Decompress();  // from front coding, when the list's depth calls for LZF
  // The stream holds Redis's whole block (header and terminator too), so an RDB file can
  // carry it as is.
  const std::string raw = lp_.Serialize();
  if (raw.size() < kMinCompressBytes || raw.size() > UINT32_MAX) return false;
  // The node's own size as room, as Redis offers liblzf: the compressor's room checks are
  // conservative, so a smaller room could refuse a stream that Redis keeps.
  const size_t cap = raw.size();
  auto* block = static_cast<Packed*>(std::malloc(sizeof(Packed) + cap));
  if (block == nullptr) throw std::bad_alloc();
  const size_t zlen = LzfCompress(raw.data(), raw.size(), block + 1, cap);
  if (zlen == 0 || zlen + kMinCompressImprove >= raw.size()) {
    std::free(block);
    return false;
  }
  AdoptPacked(block, kLzf, zlen);
  return true;
}

bool ListNode::FrontCode() {
  if (packed_ != nullptr) {
    if (packed_->codec == kFront) return true;
    Decompress();
  }
  if (front_refused_) return false;
  const size_t raw = lp_.bytes_size();
  if (raw < kMinCompressBytes || raw > UINT32_MAX) return false;
  // Reused across calls: a node is at most 64 KB, and packing runs once per node filled.
  thread_local std::string coded;
  thread_local std::vector<uint32_t> restarts;
  coded.clear();
  restarts.clear();
  FrontEncode(lp_, &coded, &restarts);
  const size_t restart_bytes = restarts.size() * sizeof(uint32_t);
  // Worth a walk on every read only when it saves an eighth of the node.
  if (coded.size() + restart_bytes > lp_.body().size() - lp_.body().size() / 8) {
    front_refused_ = true;
    return false;
  }
  // The restart offsets follow the coding (RestartBefore reads them).
  auto* block = static_cast<Packed*>(std::malloc(sizeof(Packed) + coded.size() + restart_bytes));
  if (block == nullptr) throw std::bad_alloc();
  auto* data = reinterpret_cast<unsigned char*>(block + 1);
  std::memcpy(data, coded.data(), coded.size());
  std::memcpy(data + coded.size(), restarts.data(), restart_bytes);
  AdoptPacked(block, kFront, coded.size());
  return true;
}

Listpack ListNode::Inflate() const {
  if (packed_->codec == kFront) {
    const size_t body = packed_->raw_bytes - Listpack::kOverhead;
    auto* out = static_cast<unsigned char*>(std::malloc(body));
    if (out == nullptr) throw std::bad_alloc();
    if (!FrontDecode(packed_data(), packed_->len, out, body)) {
      std::free(out);
      Corrupt();
    }
    return Listpack::AdoptBody(out, body, packed_->count);
  }
  std::string raw(packed_->raw_bytes, '\0');
  if (!LzfDecompress(packed_data(), packed_->len, raw.data(), raw.size())) Corrupt();
  std::optional<Listpack> lp = Listpack::FromBytes(raw);
  if (!lp) Corrupt();
  return std::move(*lp);
}

void ListNode::Decompress() {
  if (packed_ == nullptr) return;
  lp_ = Inflate();
  std::free(packed_);
  packed_ = nullptr;
}

// ---------------------------------------------------------------------------------------
// ListObject

ListObject::ListObject(int fill, int compress_depth)
    : fill_(fill),
      depth_(static_cast<uint32_t>(std::clamp(compress_depth, 0, kMaxCompressDepth))),
      byte_limit_(static_cast<uint32_t>(ComputeByteLimit(fill))) {}

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

size_t ListObject::ComputeByteLimit(int fill) {
  if (fill >= 0) return kSafetyLimit;
  int level = std::min(-fill, 5);
  return size_t{4096} << (level - 1);
}

bool ListObject::Fits(const ListNode& node, size_t add) const {
  if (node.bytes_size() + add > ByteLimit()) return false;
  return fill_ < 0 || node.size() < static_cast<size_t>(std::max(fill_, 1));
}

bool ListObject::FitsValue(const ListNode& node, std::string_view s) const {
  // Redis 7.0.15 (quicklist.c, SIZE_ESTIMATE_OVERHEAD) charges a pushed value its length
  // plus 8 bytes rather than its encoded size, so a node stops a few bytes short of the
  // limit exactly where Redis's does (its DUMP and serializedlength then agree).
  return Fits(node, s.size() + 8);
}

size_t ListObject::MemoryUsage() const {
  size_t total = nodes_.capacity() * sizeof(ListNode);
  for (const ListNode& node : nodes_) total += node.MemoryUsage();
  return total;
}

std::unique_ptr<ObjectBase> ListObject::Clone() const {
  auto copy = std::make_unique<ListObject>(fill_, static_cast<int>(depth_));
  copy->nodes_.reserve(nodes_.size());
  for (const ListNode& node : nodes_) copy->nodes_.push_back(node.Clone());
  copy->size_ = size_;
  return copy;
}

// The end nodes are raw whatever the depth (Settle keeps them so), so pushes and pops
// write them directly.
void ListObject::PushFront(std::string_view s) {
  if (nodes_.empty() || !FitsValue(nodes_.front(), s)) {
    nodes_.emplace(nodes_.begin());
    nodes_.front().lp().Prepend(s);
    ++size_;
    Settle(0, 0, 1);
    return;
  }
  nodes_.front().lp().Prepend(s);
  ++size_;
}

void ListObject::PushBack(std::string_view s) {
  if (nodes_.empty() || !FitsValue(nodes_.back(), s)) {
    nodes_.emplace_back();
    nodes_.back().lp().Append(s);
    ++size_;
    Settle(nodes_.size() - 1, nodes_.size() - 1, 1);
    return;
  }
  nodes_.back().lp().Append(s);
  ++size_;
}

bool ListObject::PopFront(std::string* out) {
  if (size_ == 0) return false;
  Listpack& lp = nodes_.front().lp();
  Listpack::Pos p = lp.First();
  char buf[24];
  out->assign(lp.Get(p).ToString(buf));
  lp.Delete(p);
  --size_;
  if (lp.empty()) {
    nodes_.erase(nodes_.begin());
    Settle(0, 0, 0);
  }
  return true;
}

bool ListObject::PopBack(std::string* out) {
  if (size_ == 0) return false;
  Listpack& lp = nodes_.back().lp();
  Listpack::Pos p = lp.Last();
  char buf[24];
  out->assign(lp.Get(p).ToString(buf));
  lp.Delete(p);
  --size_;
  if (lp.empty()) {
    nodes_.pop_back();
    Settle(0, 0, 0);
  }
  return true;
}

bool ListObject::AppendNode(Listpack& lp) {
  if (lp.empty() || lp.bytes_size() > ByteLimit()) return false;
  if (fill_ >= 0 && lp.size() > static_cast<size_t>(std::max(fill_, 1))) return false;
  size_ += lp.size();
  nodes_.emplace_back(std::move(lp));
  Settle(nodes_.size() - 1, nodes_.size() - 1, 1);
  return true;
}

void ListObject::Settle(size_t lo, size_t hi, size_t shift) {
  const size_t n = nodes_.size();
  const size_t raw = raw_depth();
  if (n <= 2 * raw) {
    // Every node is within the raw depth of an end.
    for (ListNode& node : nodes_) node.Decompress();
    return;
  }
  for (size_t i = 0; i < raw; ++i) {
    nodes_[i].Decompress();
    nodes_[n - 1 - i].Decompress();
  }
  const size_t first = pack_depth();  // the packed interior is [first, last]
  if (n <= 2 * first) return;
  const size_t last = n - 1 - first;
  auto pack = [&](size_t a, size_t b) {
    a = std::max(a, first);
    b = std::min(b, last);
    for (size_t i = a; i <= b && a <= b; ++i) Pack(nodes_[i]);
  };
  // LZF packs the nodes just written again, as Redis does. Front coding leaves a node
  // written in place raw, as Redis keeps every node at depth 0: a write inside the list
  // then costs one decode rather than a decode and an encode, and at worst the memory goes
  // back to Redis's. Nodes that insertions moved inwards are packed either way.
  if (depth_ != 0) pack(lo, hi);
  pack(first, first + shift);
  pack(last >= shift ? last - shift : 0, last);
}

bool ListObject::CompressionInvariantHolds() const {
  const size_t n = nodes_.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t from_end = std::min(i, n - 1 - i);
    const ListNode& node = nodes_[i];
    if (from_end < raw_depth()) {
      if (node.packed()) return false;
      continue;
    }
    // Packed with the depth's codec; LZF's interior raw only when it refuses the node.
    if (node.packed()) {
      if (node.compressed() != (depth_ != 0)) return false;
      continue;
    }
    if (from_end < pack_depth() || depth_ == 0) continue;
    ListNode probe(node.lp().Clone());
    if (Pack(probe)) return false;
  }
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

std::string ListObject::Get(size_t index) const {
  std::string out;
  Visit(index, 1, [&](const Element& e) {
    out = e.ToStdString();
    return false;
  });
  return out;
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
    const Listpack& src = nodes_[i].lp();
    for (Listpack::Pos p = src.Seek(static_cast<int64_t>(at)); p != Listpack::kNone;
         p = src.Next(p)) {
      AppendElement(tail, src.Get(p));
    }
  }
  size_t moved = tail.size();
  Listpack& src = nodes_[i].lp();
  if (moved > 0) src.DeleteRange(src.Seek(static_cast<int64_t>(at)), moved);
  nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, ListNode(std::move(tail)));
}

void ListObject::Set(size_t index, std::string_view s) {
  size_t off = 0;
  size_t i = Locate(index, &off);
  Listpack& lp = RawNode(i);
  lp.Replace(lp.Seek(static_cast<int64_t>(off)), s);
  // A bigger element may push the node over its budget: split it around the element.
  if (lp.bytes_size() > ByteLimit() && lp.size() > 1) {
    if (off + 1 < lp.size()) SplitNode(i, off + 1);
    if (off > 0) SplitNode(i, off);
  }
  Settle(i, i + 2, 2);
}

void ListObject::InsertAt(size_t index, std::string_view s) {
  if (index == 0) return PushFront(s);
  if (index >= size_) return PushBack(s);
  size_t off = 0;
  size_t i = Locate(index, &off);
  size_t add = EntrySize(s);
  if (Fits(nodes_[i], add)) {
    Listpack& lp = RawNode(i);
    lp.Insert(lp.Seek(static_cast<int64_t>(off)), s, /*after=*/false);
    ++size_;
    Settle(i, i, 0);
    return;
  }
  // At the head of a full node: the previous node's tail may have room.
  if (off == 0 && i > 0 && Fits(nodes_[i - 1], add)) {
    RawNode(i - 1).Append(s);
    ++size_;
    Settle(i - 1, i - 1, 0);
    return;
  }
  // Split at the insertion point; the element joins the first half, or the second, or
  // a node of its own.
  RawNode(i);
  SplitNode(i, off);
  if (Fits(nodes_[i], add)) {
    nodes_[i].lp().Append(s);
  } else if (Fits(nodes_[i + 1], add)) {
    nodes_[i + 1].lp().Prepend(s);
  } else {
    Listpack own;
    own.Append(s);
    nodes_.insert(nodes_.begin() + static_cast<std::ptrdiff_t>(i) + 1, ListNode(std::move(own)));
  }
  ++size_;
  TryMerge(i + 1);
  TryMerge(i);
  Settle(i, i + 2, 2);
}

void ListObject::TryMerge(size_t i) {
  if (i >= nodes_.size()) return;
  if (nodes_[i].size() == 0) {
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
  if (i + 1 >= nodes_.size()) return;
  const ListNode& na = nodes_[i];
  const ListNode& nb = nodes_[i + 1];
  // Listpack header (6) and terminator (1) are paid once after a merge.
  size_t merged = na.bytes_size() + nb.bytes_size() - 7;
  bool count_ok = fill_ < 0 || na.size() + nb.size() <= static_cast<size_t>(std::max(fill_, 1));
  if (merged > ByteLimit() || !count_ok) return;
  Listpack& a = RawNode(i);
  Listpack& b = RawNode(i + 1);
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
  const size_t first = i;
  size_t left = count;
  // Whole nodes in the range form one run [drop_from, drop_to) and go without being
  // decompressed; only the partial nodes at its ends are edited.
  size_t drop_from = SIZE_MAX;
  size_t drop_to = 0;
  while (left > 0) {
    const size_t here = std::min(left, nodes_[i].size() - off);
    if (off == 0 && here == nodes_[i].size()) {
      if (drop_from == SIZE_MAX) drop_from = i;
      drop_to = i + 1;
    } else {
      Listpack& lp = RawNode(i);
      lp.DeleteRange(lp.Seek(static_cast<int64_t>(off)), here);
    }
    left -= here;
    off = 0;
    ++i;
  }
  size_ -= count;
  if (drop_from != SIZE_MAX) {
    nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(drop_from),
                 nodes_.begin() + static_cast<std::ptrdiff_t>(drop_to));
  }
  // Join the survivors at the seam.
  if (first > 0) TryMerge(first - 1);
  TryMerge(first);
  Settle(first > 0 ? first - 1 : 0, first + 1, 0);
}

size_t ListObject::Remove(std::string_view value, int64_t count) {
  size_t removed = 0;
  const size_t limit = count == 0  ? SIZE_MAX
                       : count > 0 ? static_cast<size_t>(count)
                                   : static_cast<size_t>(-(count + 1)) + 1;
  // A packed node is made raw (and so rewritten) only when it holds the value.
  auto holds = [&](size_t i) {
    if (!nodes_[i].packed()) return true;
    Listpack copy = nodes_[i].Inflate();
    if (copy.Find(copy.First(), value, 0) == Listpack::kNone) return false;
    nodes_[i] = ListNode(std::move(copy));
    return true;
  };
  if (count >= 0) {
    for (size_t i = 0; i < nodes_.size() && removed < limit; ++i) {
      if (!holds(i)) continue;
      Listpack& lp = RawNode(i);
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
      if (!holds(i)) continue;
      Listpack& lp = RawNode(i);
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
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [](const ListNode& node) { return node.size() == 0; }),
               nodes_.end());
  // Rejoin neighbours that shrank enough.
  for (size_t i = 0; i + 1 < nodes_.size();) {
    size_t before = nodes_.size();
    TryMerge(i);
    if (nodes_.size() == before) ++i;
  }
  Settle(0, nodes_.size(), 0);
  return removed;
}

}  // namespace gannet
