// HashObject: the listpack and hashtable encodings of a Redis hash. See hash_object.h.
#include "gannet/engine/hash_object.h"

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <utility>
#include <vector>

#include "key_table.h"
#include "set_object_internal.h"

namespace gannet {

using engine_internal::FreshSeed;
using engine_internal::GetString;
using engine_internal::HashBytes;
using engine_internal::LenPrefixSize;
using engine_internal::PutString;
using engine_internal::SplitMix64;

namespace {

// A hashtable node: chain pointer, then field and value as length-prefixed strings.
struct HNode {
  HNode* next;
  unsigned char data[];

  std::string_view field() const {
    const unsigned char* end;
    return GetString(data, &end);
  }
  std::string_view value() const {
    const unsigned char* end;
    GetString(data, &end);
    return GetString(end, &end);
  }
  // Where the value's prefix starts.
  unsigned char* value_start() {
    const unsigned char* end;
    GetString(data, &end);
    return data + (end - data);
  }
};

size_t NodeSize(size_t flen, size_t vlen) {
  return sizeof(HNode) + LenPrefixSize(flen) + flen + LenPrefixSize(vlen) + vlen;
}

HNode* NewHashNode(std::string_view f, std::string_view v) {
  auto* n = static_cast<HNode*>(engine_internal::NodeAlloc(NodeSize(f.size(), v.size())));
  n->next = nullptr;
  PutString(PutString(n->data, f), v);
  return n;
}

struct HashTraits {
  using Node = HNode;
  using Key = std::string_view;
  static Node*& Next(Node* n) { return n->next; }
  static uint64_t HashNode(const Node* n, uint64_t seed) {
    const std::string_view f = n->field();
    return HashBytes(f.data(), f.size(), seed);
  }
  static bool Matches(const Node* n, Key k) { return n->field() == k; }
};

}  // namespace

struct HashObject::Table {
  explicit Table(uint64_t seed) : table(seed) {}
  ~Table() {
    table.Clear([](HNode* n) { std::free(n); });
  }

  uint64_t HashOf(std::string_view f) const { return HashBytes(f.data(), f.size(), table.seed()); }
  HNode* Find(std::string_view f) { return table.Find(f, HashOf(f)); }

  // Returns true if the field is new.
  bool Set(std::string_view f, std::string_view v) {
    const uint64_t h = HashOf(f);
    HNode* n = table.Find(f, h);
    if (n == nullptr) {
      n = NewHashNode(f, v);
      node_bytes += malloc_usable_size(n);
      table.Insert(n, h);
      return true;
    }
    const size_t need = NodeSize(f.size(), v.size());
    const size_t have = malloc_usable_size(n);
    if (need <= have && need * 2 > have) {
      PutString(n->value_start(), v);  // the field stays where it is
      return false;
    }
    // Reallocate outside the chain, then link it back.
    table.Unlink(n, h);
    node_bytes -= have;
    n = static_cast<HNode*>(engine_internal::NodeRealloc(n, need));
    PutString(n->value_start(), v);
    node_bytes += malloc_usable_size(n);
    table.Insert(n, h);
    return false;
  }

  bool Delete(std::string_view f) {
    HNode* n = table.UnlinkKey(f, HashOf(f));
    if (n == nullptr) return false;
    node_bytes -= malloc_usable_size(n);
    std::free(n);
    return true;
  }

  engine_internal::IncrementalTable<HashTraits> table;
  size_t node_bytes = 0;
};

namespace {
uint64_t NewTableSeed(const void* salt) { return FreshSeed(salt) ^ 0x2545f4914f6cdd1dull; }
}  // namespace

HashObject::HashObject() = default;
HashObject::~HashObject() = default;
HashObject::HashObject(HashObject&&) noexcept = default;
HashObject& HashObject::operator=(HashObject&&) noexcept = default;

void HashObject::AdoptListpack(Listpack lp) { rep_.SetListpack(std::move(lp)); }

size_t HashObject::size() const { return table() ? table()->table.size() : lp().size() / 2; }

void HashObject::ConvertToHashtable() {
  if (table()) return;
  auto t = std::make_unique<Table>(NewTableSeed(this));
  char fbuf[24];
  char vbuf[24];
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone;) {
    const Listpack::Pos vp = lp().Next(p);
    t->Set(lp().Get(p).ToString(fbuf), lp().Get(vp).ToString(vbuf));
    p = lp().Next(vp);
  }
  rep_.SetBig(std::move(t));
}

void HashObject::PrepareFor(const std::string_view* strs, size_t n, const Limits& limits) {
  if (table()) return;
  size_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<int64_t>(strs[i].size()) > limits.max_listpack_value) {
      ConvertToHashtable();
      return;
    }
    sum += strs[i].size();
  }
  if (!lp().SafeToAdd(sum)) ConvertToHashtable();
}

bool HashObject::Set(std::string_view field, std::string_view value, const Limits& limits) {
  if (!table()) {
    if (static_cast<int64_t>(field.size()) > limits.max_listpack_value ||
        static_cast<int64_t>(value.size()) > limits.max_listpack_value ||
        !lp().SafeToAdd(field.size() + value.size())) {
      ConvertToHashtable();
    } else {
      const Listpack::Pos p = lp().empty() ? Listpack::kNone : lp().Find(lp().First(), field, 1);
      const bool inserted = p == Listpack::kNone;
      if (inserted) {
        lp().Append(field);
        lp().Append(value);
      } else {
        lp().Replace(lp().Next(p), value);
      }
      // After an update too, as Redis checks: a hash-max-listpack-entries lowered since
      // the hash was built converts it on its next write.
      if (static_cast<int64_t>(lp().size() / 2) > limits.max_listpack_entries) {
        ConvertToHashtable();
      }
      return inserted;
    }
  }
  return table()->Set(field, value);
}

std::optional<std::string_view> HashObject::Get(std::string_view field, NumBuf& buf) const {
  if (table()) {
    const HNode* n = table()->Find(field);
    if (n == nullptr) return std::nullopt;
    return n->value();
  }
  if (lp().empty()) return std::nullopt;
  const Listpack::Pos p = lp().Find(lp().First(), field, 1);
  if (p == Listpack::kNone) return std::nullopt;
  return lp().Get(lp().Next(p)).ToString(buf);
}

bool HashObject::Contains(std::string_view field) const {
  if (table()) return table()->Find(field) != nullptr;
  return !lp().empty() && lp().Find(lp().First(), field, 1) != Listpack::kNone;
}

bool HashObject::Delete(std::string_view field) {
  if (table()) return table()->Delete(field);
  if (lp().empty()) return false;
  const Listpack::Pos p = lp().Find(lp().First(), field, 1);
  if (p == Listpack::kNone) return false;
  lp().DeleteRange(p, 2);
  return true;
}

void HashObject::ForEach(const PairFn& fn) const {
  if (table()) {
    table()->table.ForEach([&fn](const HNode* n) { fn(n->field(), n->value()); });
    return;
  }
  char fbuf[24];
  char vbuf[24];
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone;) {
    const Listpack::Pos vp = lp().Next(p);
    fn(lp().Get(p).ToString(fbuf), lp().Get(vp).ToString(vbuf));
    p = lp().Next(vp);
  }
}

uint64_t HashObject::Scan(uint64_t cursor, size_t count, const PairFn& fn) const {
  if (!table()) {
    ForEach(fn);
    return 0;
  }
  size_t pairs = 0;
  uint64_t max_iterations = count > UINT64_MAX / 10 ? UINT64_MAX : count * 10;
  do {
    cursor = table()->table.ScanStep(cursor, [&](const HNode* n) {
      fn(n->field(), n->value());
      ++pairs;
    });
  } while (cursor != 0 && max_iterations-- > 0 && pairs < count);
  return cursor;
}

namespace {

// The i-th pair of a field/value listpack.
void ListpackPair(const Listpack& lp, size_t i, const HashObject::PairFn& fn) {
  char fbuf[24];
  char vbuf[24];
  const Listpack::Pos p = lp.Seek(static_cast<int64_t>(i * 2));
  fn(lp.Get(p).ToString(fbuf), lp.Get(lp.Next(p)).ToString(vbuf));
}

}  // namespace

void HashObject::RandomPair(const PairFn& fn) const { RandomPairs(1, fn); }

void HashObject::RandomPairs(size_t count, const PairFn& fn) const {
  SplitMix64 rng{FreshSeed(this)};
  if (table()) {
    for (size_t i = 0; i < count; ++i) {
      const HNode* n = engine_internal::FairRandomNode(table()->table, rng);
      fn(n->field(), n->value());
    }
    return;
  }
  const size_t n = size();
  if (count == 1) return ListpackPair(lp(), rng() % n, fn);
  // Seeking is linear in a listpack: index the pairs once.
  std::vector<Listpack::Pos> pos;
  pos.reserve(n);
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone; p = lp().Next(lp().Next(p))) {
    pos.push_back(p);
  }
  char fbuf[24];
  char vbuf[24];
  for (size_t i = 0; i < count; ++i) {
    const Listpack::Pos p = pos[rng() % n];
    fn(lp().Get(p).ToString(fbuf), lp().Get(lp().Next(p)).ToString(vbuf));
  }
}

void HashObject::RandomDistinct(size_t count, const PairFn& fn) const {
  SplitMix64 rng{FreshSeed(this)};
  const size_t n = size();
  if (count >= n) {
    ForEach(fn);
    return;
  }
  if (!table()) {
    // Selection sampling over the pairs in order.
    char fbuf[24];
    char vbuf[24];
    size_t needed = count;
    size_t i = 0;
    for (Listpack::Pos p = lp().First(); p != Listpack::kNone && needed > 0; ++i) {
      const Listpack::Pos vp = lp().Next(p);
      if (rng() % (n - i) < needed) {
        fn(lp().Get(p).ToString(fbuf), lp().Get(vp).ToString(vbuf));
        --needed;
      }
      p = lp().Next(vp);
    }
    return;
  }
  if (count * 3 > n) {
    std::vector<const HNode*> all;
    all.reserve(n);
    table()->table.ForEach([&all](const HNode* node) { all.push_back(node); });
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + rng() % (n - i)]);
      fn(all[i]->field(), all[i]->value());
    }
    return;
  }
  std::unordered_set<const HNode*> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    const HNode* node = engine_internal::FairRandomNode(table()->table, rng);
    if (seen.insert(node).second) fn(node->field(), node->value());
  }
}

size_t HashObject::MemoryUsage() const {
  if (const Table* t = table()) {
    return malloc_usable_size(const_cast<Table*>(t)) + t->table.BucketBytes() + t->node_bytes;
  }
  return lp().MemoryUsage();
}

HashObject HashObject::Clone() const {
  HashObject copy;
  if (const Table* t = table()) {
    auto dst = std::make_unique<Table>(NewTableSeed(t));
    t->table.ForEach([&dst](const HNode* n) { dst->Set(n->field(), n->value()); });
    copy.rep_.SetBig(std::move(dst));
  } else {
    copy.rep_.SetListpack(lp().Clone());
  }
  return copy;
}

}  // namespace gannet
