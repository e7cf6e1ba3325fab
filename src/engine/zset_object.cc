// Sorted sets: the listpack encoding, the order-statistic B+tree with its member index
// (the "skiplist" encoding as far as clients can tell), and range parsing. See
// zset_object.h for the layout and why it is shaped this way.
#include "gannet/engine/zset_object.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "gannet/common/numbers.h"
#include "hash.h"

namespace gannet {

namespace {

// Redis compares members as memcmp then length (sdscmp).
int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

int CompareKeys(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return CompareBytes(m1, m2);
}

bool ScoreGteMin(double v, const ZScoreRange& r) {
  return r.min_exclusive ? v > r.min : v >= r.min;
}
bool ScoreLteMax(double v, const ZScoreRange& r) {
  return r.max_exclusive ? v < r.max : v <= r.max;
}

bool LexGteMin(std::string_view m, const ZLexBound& b) {
  switch (b.kind) {
    case ZLexBound::kMinusInf:
      return true;
    case ZLexBound::kPlusInf:
      return false;
    case ZLexBound::kInclusive:
      return CompareBytes(m, b.value) >= 0;
    case ZLexBound::kExclusive:
      return CompareBytes(m, b.value) > 0;
  }
  return false;
}

bool LexLteMax(std::string_view m, const ZLexBound& b) {
  switch (b.kind) {
    case ZLexBound::kMinusInf:
      return false;
    case ZLexBound::kPlusInf:
      return true;
    case ZLexBound::kInclusive:
      return CompareBytes(m, b.value) <= 0;
    case ZLexBound::kExclusive:
      return CompareBytes(m, b.value) < 0;
  }
  return false;
}

// Whether a score is stored in a listpack as an integer: redis-server 7.0.15 prints an
// integral double within [-2^62, 2^62] as an integer (its d2string goes through double2ll)
// and the listpack then stores the digits as an int (checked with DUMP: 1e17 and 2^62 are
// ints, the next doubles out are "%.17g" text). -0 therefore reads back as 0, which is
// what Redis replies for a listpack zset. Every such integer is exact in a double.
bool ScoreAsInt(double score, int64_t* out) {
  constexpr double kLimit = 4611686018427387904.0;  // 2^62
  if (score >= -kLimit && score <= kLimit) {
    const auto v = static_cast<int64_t>(score);
    if (static_cast<double>(v) == score) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The big encoding.

namespace zset_internal {

// One member: its score and bytes in a single allocation, shared by the tree and index.
struct Rec {
  double score;
  uint32_t len;
  char data[];

  std::string_view member() const { return {data, len}; }
};

Rec* NewRec(std::string_view m, double score) {
  void* p = std::malloc(offsetof(Rec, data) + m.size());
  if (p == nullptr) throw std::bad_alloc();
  Rec* r = static_cast<Rec*>(p);
  r->score = score;
  r->len = static_cast<uint32_t>(m.size());
  if (!m.empty()) std::memcpy(r->data, m.data(), m.size());
  return r;
}

size_t RecBytes(const Rec* r) { return offsetof(Rec, data) + r->len; }

int Cmp(const Rec* a, double s, std::string_view m) {
  return CompareKeys(a->score, a->member(), s, m);
}

constexpr int kLeafCap = 64;
constexpr int kInnerCap = 64;
constexpr int kMinFill = 16;  // below this a node borrows from or merges with a sibling

struct Node {
  bool leaf;
  uint16_t n = 0;
};

struct Leaf : Node {
  Leaf* prev = nullptr;
  Leaf* next = nullptr;
  Rec* recs[kLeafCap];
};

struct Inner : Node {
  Node* child[kInnerCap];
  uint64_t cnt[kInnerCap];  // members under each child
  Rec* max[kInnerCap];      // the largest member under each child
};

// Member -> Rec index: open addressing with linear probing and backward-shift deletion,
// so every member sits in the run of occupied slots starting at its home slot. SCAN walks
// home slots in Redis's reverse-binary order (see Scan).
class Index {
 public:
  Index() {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    Resize(16);
  }
  ~Index() { std::free(slots_); }
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  size_t capacity() const { return mask_ + 1; }

  Rec* Find(std::string_view m) const {
    for (size_t i = Home(m);; i = (i + 1) & mask_) {
      Rec* r = slots_[i];
      if (r == nullptr) return nullptr;
      if (r->len == m.size() && std::memcmp(r->data, m.data(), m.size()) == 0) return r;
    }
  }

  void Insert(Rec* r) {
    if ((used_ + 1) * 4 > capacity() * 3) Resize(capacity() * 2);
    Place(r);
    ++used_;
  }

  void Erase(Rec* r) {
    size_t i = Home(r->member());
    while (slots_[i] != r) i = (i + 1) & mask_;
    // Backward shift: pull later members of the run into the hole when their home slot
    // does not lie cyclically in (hole, their slot].
    size_t hole = i;
    for (size_t j = (hole + 1) & mask_; slots_[j] != nullptr; j = (j + 1) & mask_) {
      const size_t home = Home(slots_[j]->member());
      const bool home_in_range =
          hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!home_in_range) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = nullptr;
    --used_;
    if (capacity() > 16 && used_ * 8 < capacity()) Resize(capacity() / 2);
  }

  // Redis's dictScan cursor over home slots: calls fn for each member whose home is a
  // visited slot; visits at least one slot and stops after `count` members.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const Rec*)>& fn) const {
    size_t emitted = 0;
    uint64_t v = cursor;
    do {
      const size_t b = v & mask_;
      for (size_t i = b; slots_[i] != nullptr; i = (i + 1) & mask_) {
        if (Home(slots_[i]->member()) == b) {
          fn(slots_[i]);
          ++emitted;
        }
      }
      v |= ~static_cast<uint64_t>(mask_);
      v = Rev(v);
      ++v;
      v = Rev(v);
    } while (v != 0 && emitted < count);
    return v;
  }

  size_t MemoryUsage() const { return capacity() * sizeof(Rec*); }

 private:
  static uint64_t Rev(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(v);
  }
  size_t Home(std::string_view m) const {
    return engine_internal::HashBytes(m.data(), m.size(), seed_) & mask_;
  }
  void Place(Rec* r) {
    size_t i = Home(r->member());
    while (slots_[i] != nullptr) i = (i + 1) & mask_;
    slots_[i] = r;
  }
  void Resize(size_t cap) {
    Rec** old = slots_;
    const size_t old_cap = slots_ == nullptr ? 0 : capacity();
    slots_ = static_cast<Rec**>(std::calloc(cap, sizeof(Rec*)));
    if (slots_ == nullptr) throw std::bad_alloc();
    mask_ = cap - 1;
    for (size_t i = 0; i < old_cap; ++i) {
      if (old[i] != nullptr) Place(old[i]);
    }
    std::free(old);
  }

  Rec** slots_ = nullptr;
  size_t mask_ = 0;
  size_t used_ = 0;
  uint64_t seed_ = 0;
};

class Tree {
 public:
  Tree() : root_(new Leaf{}) {
    root_->leaf = true;
    first_ = last_ = static_cast<Leaf*>(root_);
  }
  ~Tree() { FreeNode(root_); }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  size_t size() const { return size_; }
  Rec* Find(std::string_view m) const { return index_.Find(m); }

  size_t MemoryUsage() const {
    return sizeof(Tree) + rec_bytes_ + leaves_ * sizeof(Leaf) + inners_ * sizeof(Inner) +
           index_.MemoryUsage();
  }

  // Adds a member that is absent.
  // Places r in the tree; a split of the root grows the tree by one level.
  void InsertIntoTree(Rec* r) {
    Node* split = InsertRec(root_, r);
    if (split == nullptr) return;
    auto* nr = new Inner{};
    nr->leaf = false;
    ++inners_;
    nr->n = 2;
    nr->child[0] = root_;
    nr->child[1] = split;
    nr->cnt[0] = Count(root_);
    nr->cnt[1] = Count(split);
    nr->max[0] = MaxOf(root_);
    nr->max[1] = MaxOf(split);
    root_ = nr;
  }

  void Insert(std::string_view m, double score) {
    Rec* r = NewRec(m, score);
    index_.Insert(r);
    InsertIntoTree(r);
    ++size_;
    rec_bytes_ += RecBytes(r);
  }

  void Remove(Rec* r) {
    RemoveRec(root_, r);
    if (!root_->leaf && root_->n == 1) {
      Inner* old = static_cast<Inner*>(root_);
      root_ = old->child[0];
      delete old;
      --inners_;
    }
    index_.Erase(r);
    --size_;
    rec_bytes_ -= RecBytes(r);
    std::free(r);
  }

  // Changes r's score (removes and reinserts the tree entry; the index is unaffected).
  void UpdateScore(Rec* r, double score) {
    RemoveRec(root_, r);
    if (!root_->leaf && root_->n == 1) {
      Inner* old = static_cast<Inner*>(root_);
      root_ = old->child[0];
      delete old;
      --inners_;
    }
    r->score = score;
    InsertIntoTree(r);
  }

  size_t RankOf(const Rec* r) const {
    size_t rank = 0;
    const Node* node = root_;
    while (!node->leaf) {
      const auto* in = static_cast<const Inner*>(node);
      const int i = ChildFor(in, r->score, r->member());
      for (int k = 0; k < i; ++k) rank += in->cnt[k];
      node = in->child[i];
    }
    const auto* lf = static_cast<const Leaf*>(node);
    return rank + static_cast<size_t>(LeafLowerBound(lf, r->score, r->member()));
  }

  // The leaf and slot holding rank (rank < size()).
  std::pair<const Leaf*, int> Select(size_t rank) const {
    const Node* node = root_;
    while (!node->leaf) {
      const auto* in = static_cast<const Inner*>(node);
      int i = 0;
      while (rank >= in->cnt[i]) {
        rank -= in->cnt[i];
        ++i;
      }
      node = in->child[i];
    }
    return {static_cast<const Leaf*>(node), static_cast<int>(rank)};
  }

  // How many members satisfy below(rec), for a predicate true on a prefix of the order.
  template <typename Pred>
  size_t CountPrefix(Pred below) const {
    size_t count = 0;
    const Node* node = root_;
    while (!node->leaf) {
      const auto* in = static_cast<const Inner*>(node);
      int lo = 0;
      int hi = in->n;
      while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (below(in->max[mid])) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (int k = 0; k < lo; ++k) count += in->cnt[k];
      if (lo == in->n) return count;
      node = in->child[lo];
    }
    const auto* lf = static_cast<const Leaf*>(node);
    int lo = 0;
    int hi = lf->n;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (below(lf->recs[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return count + static_cast<size_t>(lo);
  }

  template <typename Fn>
  void ForEachInRanks(size_t begin, size_t end, bool reverse, Fn&& fn) const {
    if (begin >= end) return;
    if (!reverse) {
      auto [lf, i] = Select(begin);
      for (size_t k = begin; k < end; ++k) {
        if (i == lf->n) {
          lf = lf->next;
          i = 0;
        }
        fn(lf->recs[i]);
        ++i;
      }
    } else {
      auto [lf, i] = Select(end - 1);
      for (size_t k = end; k > begin; --k) {
        if (i < 0) {
          lf = lf->prev;
          i = lf->n - 1;
        }
        fn(lf->recs[i]);
        --i;
      }
    }
  }

  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const Rec*)>& fn) const {
    return index_.Scan(cursor, count, fn);
  }

  bool Validate() const {
    size_t seen = 0;
    const Rec* prev = nullptr;
    for (const Leaf* lf = first_; lf != nullptr; lf = lf->next) {
      for (int i = 0; i < lf->n; ++i) {
        const Rec* r = lf->recs[i];
        if (prev != nullptr && Cmp(prev, r->score, r->member()) >= 0) return false;
        if (index_.Find(r->member()) != r) return false;
        prev = r;
        ++seen;
      }
    }
    if (seen != size_) return false;
    return ValidateNode(root_, /*is_root=*/true) == size_;
  }

 private:
  static size_t Count(const Node* n) {
    if (n->leaf) return n->n;
    const auto* in = static_cast<const Inner*>(n);
    size_t c = 0;
    for (int i = 0; i < in->n; ++i) c += in->cnt[i];
    return c;
  }
  static Rec* MaxOf(const Node* n) {
    if (n->leaf) {
      const auto* lf = static_cast<const Leaf*>(n);
      return lf->n == 0 ? nullptr : lf->recs[lf->n - 1];
    }
    const auto* in = static_cast<const Inner*>(n);
    return in->max[in->n - 1];
  }

  // The child to descend into for key: the first whose max >= key, else the last.
  static int ChildFor(const Inner* in, double s, std::string_view m) {
    int lo = 0;
    int hi = in->n - 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (Cmp(in->max[mid], s, m) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  static int LeafLowerBound(const Leaf* lf, double s, std::string_view m) {
    int lo = 0;
    int hi = lf->n;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (Cmp(lf->recs[mid], s, m) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // Inserts r under node; returns the new right sibling when node split.
  Node* InsertRec(Node* node, Rec* r) {
    if (node->leaf) {
      auto* lf = static_cast<Leaf*>(node);
      int pos = LeafLowerBound(lf, r->score, r->member());
      if (lf->n < kLeafCap) {
        std::memmove(&lf->recs[pos + 1], &lf->recs[pos], sizeof(Rec*) * (lf->n - pos));
        lf->recs[pos] = r;
        ++lf->n;
        return nullptr;
      }
      auto* right = new Leaf{};
      right->leaf = true;
      ++leaves_;
      // Appends at the end (the common ZADD-with-growing-scores case) split unevenly so
      // that leaves fill up instead of staying half empty.
      const int keep = pos == kLeafCap ? kLeafCap - 1 : kLeafCap / 2;
      right->n = static_cast<uint16_t>(kLeafCap - keep);
      std::memcpy(right->recs, &lf->recs[keep], sizeof(Rec*) * right->n);
      lf->n = static_cast<uint16_t>(keep);
      right->next = lf->next;
      right->prev = lf;
      if (lf->next != nullptr) {
        lf->next->prev = right;
      } else {
        last_ = right;
      }
      lf->next = right;
      Leaf* target = lf;
      if (pos > keep) {
        target = right;
        pos -= keep;
      }
      std::memmove(&target->recs[pos + 1], &target->recs[pos], sizeof(Rec*) * (target->n - pos));
      target->recs[pos] = r;
      ++target->n;
      return right;
    }
    auto* in = static_cast<Inner*>(node);
    const int i = ChildFor(in, r->score, r->member());
    Node* split = InsertRec(in->child[i], r);
    if (split == nullptr) {
      ++in->cnt[i];
      in->max[i] = MaxOf(in->child[i]);
      return nullptr;
    }
    in->cnt[i] = Count(in->child[i]);
    in->max[i] = MaxOf(in->child[i]);
    const int at = i + 1;
    if (in->n < kInnerCap) {
      InnerInsertAt(in, at, split);
      return nullptr;
    }
    auto* right = new Inner{};
    right->leaf = false;
    ++inners_;
    const int keep = at == kInnerCap ? kInnerCap - 1 : kInnerCap / 2;
    right->n = static_cast<uint16_t>(kInnerCap - keep);
    std::memcpy(right->child, &in->child[keep], sizeof(Node*) * right->n);
    std::memcpy(right->cnt, &in->cnt[keep], sizeof(uint64_t) * right->n);
    std::memcpy(right->max, &in->max[keep], sizeof(Rec*) * right->n);
    in->n = static_cast<uint16_t>(keep);
    if (at > keep) {
      InnerInsertAt(right, at - keep, split);
    } else {
      InnerInsertAt(in, at, split);
    }
    return right;
  }

  static void InnerInsertAt(Inner* in, int at, Node* child) {
    const size_t tail = static_cast<size_t>(in->n - at);
    std::memmove(&in->child[at + 1], &in->child[at], sizeof(Node*) * tail);
    std::memmove(&in->cnt[at + 1], &in->cnt[at], sizeof(uint64_t) * tail);
    std::memmove(&in->max[at + 1], &in->max[at], sizeof(Rec*) * tail);
    in->child[at] = child;
    in->cnt[at] = Count(child);
    in->max[at] = MaxOf(child);
    ++in->n;
  }

  static void InnerEraseAt(Inner* in, int at) {
    const size_t tail = static_cast<size_t>(in->n - at - 1);
    std::memmove(&in->child[at], &in->child[at + 1], sizeof(Node*) * tail);
    std::memmove(&in->cnt[at], &in->cnt[at + 1], sizeof(uint64_t) * tail);
    std::memmove(&in->max[at], &in->max[at + 1], sizeof(Rec*) * tail);
    --in->n;
  }

  // Removes r (present) from under node. The parent fixes underflow.
  void RemoveRec(Node* node, Rec* r) {
    if (node->leaf) {
      auto* lf = static_cast<Leaf*>(node);
      const int pos = LeafLowerBound(lf, r->score, r->member());
      assert(pos < lf->n && lf->recs[pos] == r);
      std::memmove(&lf->recs[pos], &lf->recs[pos + 1], sizeof(Rec*) * (lf->n - pos - 1));
      --lf->n;
      return;
    }
    auto* in = static_cast<Inner*>(node);
    const int i = ChildFor(in, r->score, r->member());
    RemoveRec(in->child[i], r);
    --in->cnt[i];
    if (in->child[i]->n >= kMinFill || in->n == 1) {
      if (in->child[i]->n > 0) in->max[i] = MaxOf(in->child[i]);
      return;
    }
    // Underflow: merge with or borrow from a sibling.
    const int l = i + 1 < in->n ? i : i - 1;
    Node* a = in->child[l];
    Node* b = in->child[l + 1];
    if (a->n + b->n <= (a->leaf ? kLeafCap : kInnerCap)) {
      Merge(a, b);
      in->cnt[l] += in->cnt[l + 1];
      InnerEraseAt(in, l + 1);
      in->max[l] = MaxOf(a);
      FreeSingle(b);
    } else {
      Balance(a, b);
      in->cnt[l] = Count(a);
      in->cnt[l + 1] = Count(b);
      in->max[l] = MaxOf(a);
      in->max[l + 1] = MaxOf(b);
    }
  }

  void Merge(Node* a, Node* b) {
    if (a->leaf) {
      auto* la = static_cast<Leaf*>(a);
      auto* lb = static_cast<Leaf*>(b);
      std::memcpy(&la->recs[la->n], lb->recs, sizeof(Rec*) * lb->n);
      la->n = static_cast<uint16_t>(la->n + lb->n);
      la->next = lb->next;
      if (lb->next != nullptr) {
        lb->next->prev = la;
      } else {
        last_ = la;
      }
      return;
    }
    auto* ia = static_cast<Inner*>(a);
    auto* ib = static_cast<Inner*>(b);
    std::memcpy(&ia->child[ia->n], ib->child, sizeof(Node*) * ib->n);
    std::memcpy(&ia->cnt[ia->n], ib->cnt, sizeof(uint64_t) * ib->n);
    std::memcpy(&ia->max[ia->n], ib->max, sizeof(Rec*) * ib->n);
    ia->n = static_cast<uint16_t>(ia->n + ib->n);
  }

  // Evens out two adjacent siblings (a before b).
  static void Balance(Node* a, Node* b) {
    const int total = a->n + b->n;
    const int want_a = total / 2;
    if (a->leaf) {
      auto* la = static_cast<Leaf*>(a);
      auto* lb = static_cast<Leaf*>(b);
      if (la->n < want_a) {
        const int move = want_a - la->n;
        std::memcpy(&la->recs[la->n], lb->recs, sizeof(Rec*) * move);
        std::memmove(lb->recs, &lb->recs[move], sizeof(Rec*) * (lb->n - move));
      } else {
        const int move = la->n - want_a;
        std::memmove(&lb->recs[move], lb->recs, sizeof(Rec*) * lb->n);
        std::memcpy(lb->recs, &la->recs[want_a], sizeof(Rec*) * move);
      }
      la->n = static_cast<uint16_t>(want_a);
      lb->n = static_cast<uint16_t>(total - want_a);
      return;
    }
    auto* ia = static_cast<Inner*>(a);
    auto* ib = static_cast<Inner*>(b);
    if (ia->n < want_a) {
      const int move = want_a - ia->n;
      std::memcpy(&ia->child[ia->n], ib->child, sizeof(Node*) * move);
      std::memcpy(&ia->cnt[ia->n], ib->cnt, sizeof(uint64_t) * move);
      std::memcpy(&ia->max[ia->n], ib->max, sizeof(Rec*) * move);
      const size_t rest = static_cast<size_t>(ib->n - move);
      std::memmove(ib->child, &ib->child[move], sizeof(Node*) * rest);
      std::memmove(ib->cnt, &ib->cnt[move], sizeof(uint64_t) * rest);
      std::memmove(ib->max, &ib->max[move], sizeof(Rec*) * rest);
    } else {
      const int move = ia->n - want_a;
      std::memmove(&ib->child[move], ib->child, sizeof(Node*) * ib->n);
      std::memmove(&ib->cnt[move], ib->cnt, sizeof(uint64_t) * ib->n);
      std::memmove(&ib->max[move], ib->max, sizeof(Rec*) * ib->n);
      std::memcpy(ib->child, &ia->child[want_a], sizeof(Node*) * move);
      std::memcpy(ib->cnt, &ia->cnt[want_a], sizeof(uint64_t) * move);
      std::memcpy(ib->max, &ia->max[want_a], sizeof(Rec*) * move);
    }
    ia->n = static_cast<uint16_t>(want_a);
    ib->n = static_cast<uint16_t>(total - want_a);
  }

  void FreeSingle(Node* n) {
    if (n->leaf) {
      delete static_cast<Leaf*>(n);
      --leaves_;
    } else {
      delete static_cast<Inner*>(n);
      --inners_;
    }
  }

  // Frees the nodes and every Rec (each Rec is in exactly one leaf).
  void FreeNode(Node* n) {
    if (n->leaf) {
      auto* lf = static_cast<Leaf*>(n);
      for (int i = 0; i < lf->n; ++i) std::free(lf->recs[i]);
      delete lf;
      return;
    }
    auto* in = static_cast<Inner*>(n);
    for (int i = 0; i < in->n; ++i) FreeNode(in->child[i]);
    delete in;
  }

  // Returns the member count under n, or SIZE_MAX when an invariant fails.
  size_t ValidateNode(const Node* n, bool is_root) const {
    if (n->leaf) return n->n;
    const auto* in = static_cast<const Inner*>(n);
    if (in->n < 2 && is_root) return SIZE_MAX;
    size_t total = 0;
    for (int i = 0; i < in->n; ++i) {
      const size_t c = ValidateNode(in->child[i], false);
      if (c == SIZE_MAX || c != in->cnt[i] || c == 0) return SIZE_MAX;
      if (MaxOf(in->child[i]) != in->max[i]) return SIZE_MAX;
      total += c;
    }
    return total;
  }

  Node* root_;
  Leaf* first_;
  Leaf* last_;
  size_t size_ = 0;
  size_t rec_bytes_ = 0;
  size_t leaves_ = 1;
  size_t inners_ = 0;
  Index index_;
};

}  // namespace zset_internal

using zset_internal::Rec;
using zset_internal::Tree;

// ---------------------------------------------------------------------------------------
// ZSetObject

ZSetObject::ZSetObject(const Limits& limits, size_t first_len) {
  if (limits.max_entries == 0 || first_len > limits.max_value)
    rep_.SetBig(std::make_unique<Tree>());
}

ZSetObject::ZSetObject(bool big) {
  if (big) rep_.SetBig(std::make_unique<Tree>());
}

ZSetObject::~ZSetObject() = default;
ZSetObject::ZSetObject(ZSetObject&&) noexcept = default;
ZSetObject& ZSetObject::operator=(ZSetObject&&) noexcept = default;

void ZSetObject::AdoptListpack(Listpack lp) { rep_.SetListpack(std::move(lp)); }

size_t ZSetObject::MemoryUsage() const {
  return is_listpack() ? lp().MemoryUsage() : tree()->MemoryUsage();
}

ZSetObject ZSetObject::Clone() const {
  ZSetObject copy(!is_listpack());
  if (is_listpack()) {
    copy.rep_.SetListpack(lp().Clone());
  } else {
    ForEach([&](std::string_view m, double s) { copy.tree()->Insert(m, s); });
  }
  return copy;
}

size_t ZSetObject::size() const { return is_listpack() ? lp().size() / 2 : tree()->size(); }

double ZSetObject::LpScoreAt(Listpack::Pos score_pos) const {
  const Listpack::Element e = lp().Get(score_pos);
  if (e.is_int) return static_cast<double>(e.ival);
  char buf[128];
  const size_t n = std::min(e.str.size(), sizeof(buf) - 1);
  std::memcpy(buf, e.str.data(), n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

Listpack::Pos ZSetObject::LpFind(std::string_view member, double* score) const {
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone;) {
    const Listpack::Pos sp = lp().Next(p);
    if (lp().Get(p).Equals(member)) {
      if (score != nullptr) *score = LpScoreAt(sp);
      return p;
    }
    p = lp().Next(sp);
  }
  return Listpack::kNone;
}

void ZSetObject::LpInsert(std::string_view member, double score) {
  std::string score_text;
  int64_t iv = 0;
  if (ScoreAsInt(score, &iv)) {
    score_text = Int64ToString(iv);
  } else {
    score_text = FormatDouble(score);
  }
  char buf[24];
  for (Listpack::Pos p = lp().First(); p != Listpack::kNone;) {
    const Listpack::Pos sp = lp().Next(p);
    const double s = LpScoreAt(sp);
    const Listpack::Element e = lp().Get(p);
    if (CompareKeys(s, e.ToString(buf), score, member) > 0) {
      const Listpack::Pos mp = lp().Insert(p, member, /*after=*/false);
      lp().Insert(mp, score_text, /*after=*/true);
      return;
    }
    p = lp().Next(sp);
  }
  lp().Append(member);
  lp().Append(score_text);
}

void ZSetObject::LpDelete(Listpack::Pos member_pos) { lp().DeleteRange(member_pos, 2); }

std::optional<double> ZSetObject::Score(std::string_view member) const {
  if (is_listpack()) {
    double s = 0;
    if (LpFind(member, &s) == Listpack::kNone) return std::nullopt;
    return s;
  }
  const Rec* r = tree()->Find(member);
  if (r == nullptr) return std::nullopt;
  return r->score;
}

ZSetObject::AddResult ZSetObject::Add(std::string_view member, double score, int flags,
                                      const Limits& limits) {
  const bool nx = flags & kNx;
  const bool xx = flags & kXx;
  const bool gt = flags & kGt;
  const bool lt = flags & kLt;
  const bool incr = flags & kIncr;

  std::optional<double> cur;
  Listpack::Pos lp_pos = Listpack::kNone;
  Rec* rec = nullptr;
  if (is_listpack()) {
    double s = 0;
    lp_pos = LpFind(member, &s);
    if (lp_pos != Listpack::kNone) cur = s;
  } else {
    rec = tree()->Find(member);
    if (rec != nullptr) cur = rec->score;
  }

  if (cur.has_value()) {
    if (nx) return {AddOutcome::kSkipped, *cur};
    double newscore = score;
    if (incr) {
      newscore = *cur + score;
      if (std::isnan(newscore)) return {AddOutcome::kNaN, *cur};
    }
    if ((lt && newscore >= *cur) || (gt && newscore <= *cur)) return {AddOutcome::kSkipped, *cur};
    if (newscore == *cur) return {AddOutcome::kUnchanged, *cur};
    if (is_listpack()) {
      LpDelete(lp_pos);
      LpInsert(member, newscore);
    } else {
      tree()->UpdateScore(rec, newscore);
    }
    return {AddOutcome::kUpdated, newscore};
  }
  if (xx) return {AddOutcome::kSkipped, 0};
  Insert(member, score, limits);
  return {AddOutcome::kAdded, score};
}

void ZSetObject::Insert(std::string_view member, double score, const Limits& limits) {
  if (is_listpack()) {
    double old = 0;
    const Listpack::Pos p = LpFind(member, &old);
    if (p != Listpack::kNone) {
      if (old == score) return;
      LpDelete(p);
    } else if (size() + 1 > limits.max_entries || member.size() > limits.max_value ||
               !lp().SafeToAdd(member.size() + 32)) {
      ConvertToBig();
    }
    if (is_listpack()) {
      LpInsert(member, score);
      return;
    }
  }
  Rec* r = tree()->Find(member);
  if (r != nullptr) {
    if (r->score != score) tree()->UpdateScore(r, score);
    return;
  }
  tree()->Insert(member, score);
}

bool ZSetObject::Remove(std::string_view member) {
  if (is_listpack()) {
    const Listpack::Pos p = LpFind(member, nullptr);
    if (p == Listpack::kNone) return false;
    LpDelete(p);
    return true;
  }
  Rec* r = tree()->Find(member);
  if (r == nullptr) return false;
  tree()->Remove(r);
  return true;
}

std::optional<size_t> ZSetObject::Rank(std::string_view member, bool reverse) const {
  size_t rank = 0;
  if (is_listpack()) {
    bool found = false;
    for (Listpack::Pos p = lp().First(); p != Listpack::kNone; p = lp().Next(lp().Next(p))) {
      if (lp().Get(p).Equals(member)) {
        found = true;
        break;
      }
      ++rank;
    }
    if (!found) return std::nullopt;
  } else {
    const Rec* r = tree()->Find(member);
    if (r == nullptr) return std::nullopt;
    rank = tree()->RankOf(r);
  }
  return reverse ? size() - 1 - rank : rank;
}

std::pair<size_t, size_t> ZSetObject::ScoreRangeRanks(const ZScoreRange& r) const {
  if (r.min > r.max || (r.min == r.max && (r.min_exclusive || r.max_exclusive))) return {0, 0};
  size_t begin = 0;
  size_t end = 0;
  if (is_listpack()) {
    size_t i = 0;
    bool in = false;
    for (Listpack::Pos p = lp().First(); p != Listpack::kNone; p = lp().Next(lp().Next(p)), ++i) {
      const double s = LpScoreAt(lp().Next(p));
      if (!in) {
        if (!ScoreGteMin(s, r)) continue;
        if (!ScoreLteMax(s, r)) return {0, 0};
        in = true;
        begin = i;
      } else if (!ScoreLteMax(s, r)) {
        return {begin, i};
      }
    }
    return in ? std::pair<size_t, size_t>{begin, i} : std::pair<size_t, size_t>{0, 0};
  }
  begin = tree()->CountPrefix([&](const Rec* x) { return !ScoreGteMin(x->score, r); });
  end = tree()->CountPrefix([&](const Rec* x) { return ScoreLteMax(x->score, r); });
  if (end < begin) end = begin;
  return {begin, end};
}

std::pair<size_t, size_t> ZSetObject::LexRangeRanks(const ZLexRange& r, bool reverse) const {
  // An empty range (min > max) selects nothing.
  if (r.min.kind == ZLexBound::kPlusInf || r.max.kind == ZLexBound::kMinusInf) return {0, 0};
  if (r.min.kind != ZLexBound::kMinusInf && r.max.kind != ZLexBound::kPlusInf) {
    const int c = CompareBytes(r.min.value, r.max.value);
    if (c > 0 ||
        (c == 0 && (r.min.kind == ZLexBound::kExclusive || r.max.kind == ZLexBound::kExclusive))) {
      return {0, 0};
    }
  }
  const size_t n = size();
  if (n == 0) return {0, 0};
  // Redis first checks the ends: the last member must be >= min and the first <= max.
  // Lex ranges are only meaningful when every score is equal; with mixed scores these
  // checks and the scan direction decide the result, so they follow Redis exactly.
  std::string last = At(n - 1).first;
  std::string first = At(0).first;
  if (!LexGteMin(last, r.min) || !LexLteMax(first, r.max)) return {0, 0};
  if (is_listpack()) {
    std::vector<std::string> members;
    members.reserve(n);
    ForEach([&](std::string_view m, double) { members.emplace_back(m); });
    if (!reverse) {
      // First member >= min scanning forward, then forward while <= max.
      size_t i = 0;
      while (i < n && !LexGteMin(members[i], r.min)) ++i;
      if (i == n || !LexLteMax(members[i], r.max)) return {0, 0};
      size_t e = i;
      while (e < n && LexLteMax(members[e], r.max)) ++e;
      return {i, e};
    }
    // Last member <= max scanning backward, then backward while >= min.
    size_t i = n;
    while (i > 0 && !LexLteMax(members[i - 1], r.max)) --i;
    if (i == 0 || !LexGteMin(members[i - 1], r.min)) return {0, 0};
    size_t b = i;
    while (b > 0 && LexGteMin(members[b - 1], r.min)) --b;
    return {b, i};
  }
  const size_t begin =
      tree()->CountPrefix([&](const Rec* x) { return !LexGteMin(x->member(), r.min); });
  size_t end = tree()->CountPrefix([&](const Rec* x) { return LexLteMax(x->member(), r.max); });
  if (end < begin) end = begin;
  return {begin, end};
}

void ZSetObject::ForEachInRanks(size_t begin, size_t end, bool reverse,
                                const std::function<void(std::string_view, double)>& fn) const {
  end = std::min(end, size());
  if (begin >= end) return;
  if (is_listpack()) {
    char buf[24];
    if (!reverse) {
      Listpack::Pos p = lp().Seek(static_cast<int64_t>(2 * begin));
      for (size_t k = begin; k < end; ++k) {
        const Listpack::Pos sp = lp().Next(p);
        fn(lp().Get(p).ToString(buf), LpScoreAt(sp));
        p = lp().Next(sp);
      }
    } else {
      Listpack::Pos sp = lp().Seek(static_cast<int64_t>(2 * (end - 1) + 1));
      for (size_t k = end; k > begin; --k) {
        const Listpack::Pos p = lp().Prev(sp);
        fn(lp().Get(p).ToString(buf), LpScoreAt(sp));
        sp = lp().Prev(p);
      }
    }
    return;
  }
  tree()->ForEachInRanks(begin, end, reverse, [&](const Rec* r) { fn(r->member(), r->score); });
}

std::pair<std::string, double> ZSetObject::At(size_t rank) const {
  std::pair<std::string, double> out;
  ForEachInRanks(rank, rank + 1, false, [&](std::string_view m, double s) {
    out.first.assign(m);
    out.second = s;
  });
  return out;
}

size_t ZSetObject::RemoveRanks(size_t begin, size_t end) {
  end = std::min(end, size());
  if (begin >= end) return 0;
  const size_t n = end - begin;
  if (is_listpack()) {
    lp().DeleteRange(lp().Seek(static_cast<int64_t>(2 * begin)), 2 * n);
    return n;
  }
  for (size_t k = 0; k < n; ++k) {
    auto [lf, i] = tree()->Select(begin);
    tree()->Remove(lf->recs[i]);
  }
  return n;
}

uint64_t ZSetObject::Scan(uint64_t cursor, size_t count,
                          const std::function<void(std::string_view, double)>& fn) const {
  if (is_listpack()) {
    ForEach(fn);
    return 0;
  }
  return tree()->Scan(cursor, count, [&](const Rec* r) { fn(r->member(), r->score); });
}

void ZSetObject::ConvertToBig() {
  if (!is_listpack()) return;
  auto tree = std::make_unique<Tree>();
  ForEach([&](std::string_view m, double s) { tree->Insert(m, s); });
  rep_.SetBig(std::move(tree));
}

void ZSetObject::ShrinkIfFits(const Limits& limits) {
  if (is_listpack() || size() > limits.max_entries) return;
  bool fits = true;
  size_t total = 0;
  ForEach([&](std::string_view m, double) {
    if (m.size() > limits.max_value) fits = false;
    total += m.size() + 32;
  });
  if (!fits || total > Listpack::kMaxSafeBytes) return;
  Listpack lp;
  ForEach([&](std::string_view m, double s) {
    lp.Append(m);
    int64_t iv = 0;
    lp.Append(ScoreAsInt(s, &iv) ? Int64ToString(iv) : FormatDouble(s));
  });
  rep_.SetListpack(std::move(lp));
}

bool ZSetObject::Validate() const {
  if (!is_listpack()) return tree()->Validate();
  if (lp().size() % 2 != 0) return false;
  bool ok = true;
  bool first = true;
  double ps = 0;
  std::string pm;
  ForEach([&](std::string_view m, double s) {
    if (!first && CompareKeys(ps, pm, s, m) >= 0) ok = false;
    first = false;
    ps = s;
    pm.assign(m);
  });
  return ok;
}

// ---------------------------------------------------------------------------------------
// Range parsing

namespace {

std::optional<std::pair<double, bool>> ParseScoreBound(std::string_view s) {
  bool exclusive = false;
  if (!s.empty() && s[0] == '(') {
    exclusive = true;
    s.remove_prefix(1);
  }
  // Redis's zslParseRange reads the bound with plain strtod and only rejects trailing
  // bytes and NaN, so "", "(" (both 0), " 1", "+1", "0x10" and "1e999" (inf) are accepted.
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || std::isnan(v)) return std::nullopt;
  return std::pair<double, bool>{v, exclusive};
}

std::optional<ZLexBound> ParseLexBound(std::string_view s) {
  if (s.empty()) return std::nullopt;
  ZLexBound b;
  switch (s[0]) {
    case '+':
      if (s.size() != 1) return std::nullopt;
      b.kind = ZLexBound::kPlusInf;
      return b;
    case '-':
      if (s.size() != 1) return std::nullopt;
      b.kind = ZLexBound::kMinusInf;
      return b;
    case '(':
      b.kind = ZLexBound::kExclusive;
      b.value = s.substr(1);
      return b;
    case '[':
      b.kind = ZLexBound::kInclusive;
      b.value = s.substr(1);
      return b;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<ZScoreRange> ParseZScoreRange(std::string_view min, std::string_view max) {
  auto lo = ParseScoreBound(min);
  auto hi = ParseScoreBound(max);
  if (!lo || !hi) return std::nullopt;
  return ZScoreRange{lo->first, hi->first, lo->second, hi->second};
}

std::optional<ZLexRange> ParseZLexRange(std::string_view min, std::string_view max) {
  auto lo = ParseLexBound(min);
  auto hi = ParseLexBound(max);
  if (!lo || !hi) return std::nullopt;
  return ZLexRange{*lo, *hi};
}

}  // namespace gannet
