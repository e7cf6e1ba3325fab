// A sorted set: members ordered by (score, member bytes), each with a double score.
//
// Two encodings, as Redis reports them in OBJECT ENCODING:
//   "listpack": member, score pairs sorted by score in one Listpack (small sets);
//   "skiplist": the big encoding. Ours is not a skiplist but an order-statistic B+tree keyed
//     by (score, member) whose inner nodes keep subtree counts (rank in O(log n)), plus an
//     open-addressing member -> record index for O(1) ZSCORE. Each member lives once, in a
//     record holding its score and bytes; the tree leaves and the index point at it. That
//     costs roughly 60-70 bytes per member where Redis's skiplist + dict costs 100+.
// The big encoding keeps Redis's name so that clients and tests see what they expect.
//
// Everything is addressed by rank (0 = lowest score): a score or lex range is turned into a
// rank interval [begin, end) first, then read or removed by rank. That is how ZRANGE,
// ZCOUNT, ZREMRANGEBY* and the pops share one code path per encoding.
//
// The object is a ListpackOr (14 bytes: the listpack's body pointer, length and count, or a
// tagged tree pointer) with no vtable, and a Value holds it inline, so a small sorted set
// costs its listpack body (no header, no terminator: see listpack.h) and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet {

// A score interval: min/max with exclusivity, as "(1.5" or "-inf".
struct ZScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;
};

// A lex interval: "-" and "+" are the open ends, "[a" inclusive, "(a" exclusive.
struct ZLexBound {
  enum Kind : uint8_t { kInclusive, kExclusive, kMinusInf, kPlusInf };
  Kind kind = kMinusInf;
  std::string_view value;
};
struct ZLexRange {
  ZLexBound min;
  ZLexBound max;
};

namespace zset_internal {
class Tree;
}  // namespace zset_internal

class ZSetObject {
 public:
  // ZADD flags.
  enum AddFlag : int { kNx = 1, kXx = 2, kGt = 4, kLt = 8, kIncr = 16 };
  enum class AddOutcome : uint8_t {
    kAdded,      // new member
    kUpdated,    // score changed
    kUnchanged,  // member existed with the same score (or INCR by 0)
    kSkipped,    // NX/XX/GT/LT refused the change
    kNaN,        // INCR would make the score NaN: nothing changed
  };
  struct AddResult {
    AddOutcome outcome;
    double score;  // the member's score after the call (when it exists)
  };
  // The listpack limits (zset-max-listpack-entries / -value) that decide conversions.
  struct Limits {
    size_t max_entries = 128;
    size_t max_value = 64;
  };

  // An empty set in the encoding Redis would create for a first member of first_len bytes
  // (listpack unless max_entries is 0 or the member is longer than max_value).
  ZSetObject(const Limits& limits, size_t first_len);
  // An empty set in the big encoding when big, else a listpack.
  explicit ZSetObject(bool big);
  ~ZSetObject();
  ZSetObject(ZSetObject&&) noexcept;
  ZSetObject& operator=(ZSetObject&&) noexcept;
  ZSetObject(const ZSetObject&) = delete;
  ZSetObject& operator=(const ZSetObject&) = delete;

  // Heap bytes owned (the object itself lives inside its Value).
  size_t MemoryUsage() const;
  ZSetObject Clone() const;

  bool is_listpack() const { return !rep_.is_big(); }
  Encoding encoding() const { return is_listpack() ? Encoding::kListpack : Encoding::kSkiplist; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  std::optional<double> Score(std::string_view member) const;
  // Adds or updates member (ZADD/ZINCRBY semantics). May convert to the big encoding.
  AddResult Add(std::string_view member, double score, int flags, const Limits& limits);
  // Adds a member known to be absent, or overwrites its score (stores, conversions).
  void Insert(std::string_view member, double score, const Limits& limits);
  bool Remove(std::string_view member);

  // 0-based rank from the low end (or from the high end when reverse).
  std::optional<size_t> Rank(std::string_view member, bool reverse) const;
  // Ranks [begin, end) of the members in the range (begin == end when none).
  std::pair<size_t, size_t> ScoreRangeRanks(const ZScoreRange& r) const;
  // reverse: the range as a reverse read finds it (scanning down from max), which differs
  // from the forward one only when scores are mixed (lex order is then not total).
  std::pair<size_t, size_t> LexRangeRanks(const ZLexRange& r, bool reverse = false) const;

  // Calls fn(member, score) for ranks [begin, end) in ascending order, or when reverse for
  // ranks end-1 down to begin. fn must not modify the set.
  void ForEachInRanks(size_t begin, size_t end, bool reverse,
                      const std::function<void(std::string_view, double)>& fn) const;
  // Calls fn for every member in storage order (fastest walk; order by rank).
  void ForEach(const std::function<void(std::string_view, double)>& fn) const {
    ForEachInRanks(0, size(), false, fn);
  }
  // The member at rank (ascending).
  std::pair<std::string, double> At(size_t rank) const;
  // Removes ranks [begin, end); returns how many were removed.
  size_t RemoveRanks(size_t begin, size_t end);

  // ZSCAN: for the listpack encoding everything comes back with cursor 0; for the big
  // encoding this is Redis's reverse-binary cursor over the member index, so members
  // present for the whole scan are returned at least once even across resizes.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, double)>& fn) const;

  // Converts to the big encoding (no-op if already).
  void ConvertToBig();
  // Converts a big set back to a listpack when it fits the limits (ZUNIONSTORE and other
  // stores do this for their result, as Redis's zsetConvertToListpackIfNeeded).
  void ShrinkIfFits(const Limits& limits);

  // Persistence (RDB, DUMP): the listpack while listpack-encoded, else nullptr; and
  // adopting a validated listpack of member, score, ... pairs (unique members, sorted by
  // score then member, scores as Redis writes them) into an empty listpack-encoded set.
  const Listpack* listpack() const { return rep_.is_big() ? nullptr : &rep_.lp(); }
  void AdoptListpack(Listpack lp);

  // Checks the internal invariants (tests).
  bool Validate() const;

 private:
  // Listpack helpers.
  Listpack::Pos LpFind(std::string_view member, double* score) const;
  void LpInsert(std::string_view member, double score);
  void LpDelete(Listpack::Pos member_pos);
  double LpScoreAt(Listpack::Pos score_pos) const;

  zset_internal::Tree* tree() const { return rep_.big(); }
  // Precondition: listpack-encoded.
  Listpack& lp() { return rep_.lp(); }
  const Listpack& lp() const { return rep_.lp(); }

  ListpackOr<zset_internal::Tree> rep_;  // the listpack, or the tree ("skiplist" encoding)
};
static_assert(sizeof(ZSetObject) == sizeof(Listpack) && sizeof(ZSetObject) <= 15);

// Parses a score bound as ZRANGEBYSCORE does: "(1.5", "inf", "-inf" ...; nullopt when bad.
std::optional<ZScoreRange> ParseZScoreRange(std::string_view min, std::string_view max);
// Parses a lex bound ("[a", "(a", "-", "+"); nullopt when bad.
std::optional<ZLexRange> ParseZLexRange(std::string_view min, std::string_view max);

}  // namespace gannet
