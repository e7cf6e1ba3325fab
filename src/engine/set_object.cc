// SetObject: the intset and hashtable encodings of a Redis set. See set_object.h.
#include "gannet/engine/set_object.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gannet/common/numbers.h"
#include "key_table.h"
#include "set_object_internal.h"

namespace gannet {

using engine_internal::FreshSeed;
using engine_internal::GetString;
using engine_internal::HashBytes;
using engine_internal::SplitMix64;

namespace {

// A hashtable node: chain pointer, then the member as a length-prefixed string.
struct SetNode {
  SetNode* next;
  unsigned char data[];

  std::string_view member() const {
    const unsigned char* end;
    return GetString(data, &end);
  }
};

struct SetTraits {
  using Node = SetNode;
  using Key = std::string_view;
  static Node*& Next(Node* n) { return n->next; }
  static uint64_t HashNode(const Node* n, uint64_t seed) {
    const std::string_view m = n->member();
    return HashBytes(m.data(), m.size(), seed);
  }
  static bool Matches(const Node* n, Key k) { return n->member() == k; }
};

SetNode* NewSetNode(std::string_view member) {
  const size_t n = sizeof(SetNode) + engine_internal::LenPrefixSize(member.size()) + member.size();
  auto* node = static_cast<SetNode*>(engine_internal::NodeAlloc(n));
  node->next = nullptr;
  engine_internal::PutString(node->data, member);
  return node;
}

size_t IntWidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

}  // namespace

struct SetObject::Table {
  explicit Table(uint64_t seed) : table(seed) {}
  ~Table() {
    table.Clear([](SetNode* n) { std::free(n); });
  }

  SetNode* Find(std::string_view m) {
    return table.Find(m, HashBytes(m.data(), m.size(), table.seed()));
  }
  bool Add(std::string_view m) {
    const uint64_t h = HashBytes(m.data(), m.size(), table.seed());
    if (table.Find(m, h) != nullptr) return false;
    SetNode* node = NewSetNode(m);
    node_bytes += malloc_usable_size(node);
    table.Insert(node, h);
    return true;
  }
  bool Remove(std::string_view m) {
    SetNode* n = table.UnlinkKey(m, HashBytes(m.data(), m.size(), table.seed()));
    if (n == nullptr) return false;
    Free(n);
    return true;
  }
  void Free(SetNode* n) {
    node_bytes -= malloc_usable_size(n);
    std::free(n);
  }

  engine_internal::IncrementalTable<SetTraits> table;
  size_t node_bytes = 0;
};

namespace {
uint64_t NewTableSeed(const void* salt) { return FreshSeed(salt) ^ 0x5bd1e9955bd1e995ull; }
}  // namespace

SetObject::SetObject() = default;

SetObject::~SetObject() {
  if (width_ == 0) {
    delete table();
  } else {
    std::free(ints());
  }
}

SetObject::SetObject(SetObject&& other) noexcept {
  std::memcpy(rep_, other.rep_, sizeof(rep_));
  std::memcpy(count_, other.count_, sizeof(count_));
  width_ = other.width_;
  other.set_rep(nullptr);
  other.set_count(0);
  other.width_ = 2;
}

SetObject& SetObject::operator=(SetObject&& other) noexcept {
  if (this != &other) {
    this->~SetObject();
    new (this) SetObject(std::move(other));
  }
  return *this;
}

SetObject SetObject::CreateFor(std::string_view first_member, int64_t max_intset_entries) {
  SetObject set;
  int64_t v;
  if (!IsCanonicalInt64(first_member, &v) || max_intset_entries < 1) set.ConvertToHashtable();
  return set;
}

size_t SetObject::size() const { return width_ == 0 ? table()->table.size() : count(); }

int64_t SetObject::IntAt(size_t i) const {
  const auto* p = static_cast<const unsigned char*>(ints()) + i * width_;
  if (width_ == 2) {
    int16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  if (width_ == 4) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

void SetObject::SetIntAt(size_t i, int64_t v) {
  auto* p = static_cast<unsigned char*>(ints()) + i * width_;
  if (width_ == 2) {
    const auto x = static_cast<int16_t>(v);
    std::memcpy(p, &x, 2);
  } else if (width_ == 4) {
    const auto x = static_cast<int32_t>(v);
    std::memcpy(p, &x, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

// Binary search; *pos receives the index of v or where it would be inserted.
bool SetObject::IntFind(int64_t v, size_t* pos) const {
  const size_t n = count();
  size_t lo = 0;
  size_t hi = n;
  if (n > 0) {
    // Appends (and prepends) are common when members arrive in order.
    if (v > IntAt(n - 1)) {
      *pos = n;
      return false;
    }
    if (v < IntAt(0)) {
      *pos = 0;
      return false;
    }
  }
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t x = IntAt(mid);
    if (x == v) {
      *pos = mid;
      return true;
    }
    if (x < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *pos = lo;
  return false;
}

void SetObject::IntInsert(int64_t v, size_t pos) {
  // count + 1 <= 2^30 and width <= 8, so the byte size cannot overflow.
  const size_t n = count();
  set_rep(engine_internal::NodeRealloc(ints(), (n + 1) * width_));
  auto* base = static_cast<unsigned char*>(ints());
  std::memmove(base + (pos + 1) * width_, base + pos * width_, (n - pos) * width_);
  set_count(static_cast<uint32_t>(n + 1));
  SetIntAt(pos, v);
}

void SetObject::IntErase(size_t pos) {
  auto* base = static_cast<unsigned char*>(ints());
  const size_t n = count() - 1;
  std::memmove(base + pos * width_, base + (pos + 1) * width_, (n - pos) * width_);
  set_count(static_cast<uint32_t>(n));
  if (n == 0) {
    std::free(ints());
    set_rep(nullptr);
  } else {
    set_rep(engine_internal::NodeRealloc(ints(), n * width_));
  }
}

// Widens every element in place, from the back so nothing is overwritten before it moves.
void SetObject::IntUpgrade(size_t width) {
  const size_t old = width_;
  set_rep(engine_internal::NodeRealloc(ints(), std::max<size_t>(1, size_t{count()} * width)));
  for (size_t i = count(); i-- > 0;) {
    width_ = static_cast<uint8_t>(old);
    const int64_t v = IntAt(i);
    width_ = static_cast<uint8_t>(width);
    SetIntAt(i, v);
  }
  width_ = static_cast<uint8_t>(width);
}

void SetObject::ConvertToHashtable() {
  if (width_ == 0) return;
  auto t = std::make_unique<Table>(NewTableSeed(this));
  char buf[24];
  for (size_t i = 0; i < count(); ++i) {
    const size_t n = FormatInt64(IntAt(i), buf);
    t->Add(std::string_view(buf, n));
  }
  std::free(ints());
  set_count(0);
  width_ = 0;
  set_rep(t.release());
}

bool SetObject::Add(std::string_view member, int64_t max_intset_entries) {
  if (!table()) {
    int64_t v;
    if (IsCanonicalInt64(member, &v)) {
      size_t pos;
      if (IntFind(v, &pos)) return false;
      const int64_t limit = std::min(max_intset_entries, kMaxIntsetEntries);
      if (static_cast<int64_t>(count()) + 1 <= limit) {
        const size_t w = IntWidthFor(v);
        if (w > width_) {
          IntUpgrade(w);
          // A value needing a wider type is beyond every current member: first or last.
          pos = v < 0 ? 0 : count();
        }
        IntInsert(v, pos);
        return true;
      }
    }
    ConvertToHashtable();
  }
  return table()->Add(member);
}

bool SetObject::Remove(std::string_view member) {
  if (table()) return table()->Remove(member);
  int64_t v;
  size_t pos;
  if (!IsCanonicalInt64(member, &v) || !IntFind(v, &pos)) return false;
  IntErase(pos);
  return true;
}

bool SetObject::Contains(std::string_view member) const {
  if (table()) return table()->Find(member) != nullptr;
  int64_t v;
  size_t pos;
  return IsCanonicalInt64(member, &v) && IntFind(v, &pos);
}

void SetObject::ForEach(const MemberFn& fn) const {
  if (table()) {
    table()->table.ForEach([&fn](const SetNode* n) { fn(n->member()); });
    return;
  }
  char buf[24];
  for (size_t i = 0; i < count(); ++i) fn(std::string_view(buf, FormatInt64(IntAt(i), buf)));
}

uint64_t SetObject::Scan(uint64_t cursor, size_t count, const MemberFn& fn) const {
  if (!table()) {
    ForEach(fn);
    return 0;
  }
  size_t seen = 0;
  // Redis's loop: at least one bucket, then on while fewer than `count` members came
  // back, for at most 10*count buckets.
  uint64_t max_iterations = count > UINT64_MAX / 10 ? UINT64_MAX : count * 10;
  do {
    cursor = table()->table.ScanStep(cursor, [&](const SetNode* n) {
      fn(n->member());
      ++seen;
    });
  } while (cursor != 0 && max_iterations-- > 0 && seen < count);
  return cursor;
}

std::string SetObject::PopRandom() {
  SplitMix64 rng{FreshSeed(this)};
  if (table()) {
    SetNode* n = engine_internal::FairRandomNode(table()->table, rng);
    std::string out(n->member());
    table()->table.Unlink(n, table()->table.Hash(n));
    table()->Free(n);
    return out;
  }
  const size_t i = rng() % count();
  std::string out = Int64ToString(IntAt(i));
  IntErase(i);
  return out;
}

std::string SetObject::RandomMember() const {
  SplitMix64 rng{FreshSeed(this)};
  if (table()) return std::string(engine_internal::FairRandomNode(table()->table, rng)->member());
  return Int64ToString(IntAt(rng() % count()));
}

void SetObject::RandomDistinct(size_t count, const MemberFn& fn) const {
  SplitMix64 rng{FreshSeed(this)};
  const size_t n = size();
  if (count >= n) {
    ForEach(fn);
    return;
  }
  if (!table()) {
    // Selection sampling (Knuth's algorithm S): each index is kept with the probability
    // that leaves exactly `count` uniformly chosen.
    char buf[24];
    size_t needed = count;
    for (size_t i = 0; i < n && needed > 0; ++i) {
      if (rng() % (n - i) < needed) {
        fn(std::string_view(buf, FormatInt64(IntAt(i), buf)));
        --needed;
      }
    }
    return;
  }
  if (count * 3 > n) {
    // Many of the members: take them all, then drop random ones (Redis's case 3).
    std::vector<const SetNode*> all;
    all.reserve(n);
    table()->table.ForEach([&all](const SetNode* node) { all.push_back(node); });
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + rng() % (n - i);
      std::swap(all[i], all[j]);
      fn(all[i]->member());
    }
    return;
  }
  // Few of the members: draw until `count` distinct ones came up (Redis's case 4).
  std::unordered_set<const SetNode*> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    const SetNode* node = engine_internal::FairRandomNode(table()->table, rng);
    if (seen.insert(node).second) fn(node->member());
  }
}

size_t SetObject::MemoryUsage() const {
  if (Table* t = table()) {
    return malloc_usable_size(t) + t->table.BucketBytes() + t->node_bytes;
  }
  return ints() != nullptr ? malloc_usable_size(ints()) : 0;
}

SetObject SetObject::Clone() const {
  SetObject copy;
  if (const Table* t = table()) {
    copy.ConvertToHashtable();
    Table* dst = copy.table();
    t->table.ForEach([dst](const SetNode* n) { dst->Add(n->member()); });
    return copy;
  }
  copy.width_ = width_;
  copy.set_count(count());
  if (count() > 0) {
    void* p = engine_internal::NodeAlloc(size_t{count()} * width_);
    std::memcpy(p, ints(), size_t{count()} * width_);
    copy.set_rep(p);
  }
  return copy;
}

}  // namespace gannet
