// A Redis set: unique binary-safe members, in one of two encodings named as Redis 7.0
// names them for OBJECT ENCODING.
//
//   "intset":    a sorted array of integers, all stored at the narrowest width (16, 32 or
//                64 bits) that holds every member, as Redis's intset. Used while every
//                member is the canonical decimal of an int64 and there are at most
//                set-max-intset-entries members (capped at 2^30, as Redis).
//   "hashtable": an incremental chained hash table whose nodes hold the member bytes
//                inline (see src/engine/set_object_internal.h), so a short member costs
//                one small allocation plus a bucket pointer.
//
// A set only ever converts from intset to hashtable (as Redis 7.0). SCAN over a hashtable
// set uses the reverse-binary cursor, so members present for the whole iteration are
// returned even across resizes; an intset is returned whole in one call with cursor 0.
// Random choices (SPOP, SRANDMEMBER) draw a fresh seed per call.
//
// The object is 13 bytes with no vtable (its fields are stored as bytes, alignment 1), and
// a Value holds it inline, so a small set costs its intset array and nothing else (see
// value.h). It owns at most one block through one pointer and is trivially relocatable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gannet/engine/value.h"

namespace gannet {

class SetObject {
 public:
  // Redis clamps set-max-intset-entries to this to keep the intset's size arithmetic safe.
  static constexpr int64_t kMaxIntsetEntries = int64_t{1} << 30;
  using MemberFn = std::function<void(std::string_view)>;

  // An empty set in the encoding Redis's setTypeCreate picks for its first member:
  // intset if `first_member` is an integer (and the intset limit allows one), else
  // hashtable.
  static SetObject CreateFor(std::string_view first_member, int64_t max_intset_entries);
  // An empty intset-encoded set (what SINTERSTORE & co start from).
  SetObject();
  ~SetObject();
  SetObject(SetObject&& other) noexcept;
  SetObject& operator=(SetObject&& other) noexcept;
  SetObject(const SetObject&) = delete;
  SetObject& operator=(const SetObject&) = delete;

  Encoding encoding() const { return width_ == 0 ? Encoding::kHashtable : Encoding::kIntset; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Adds member; false if it was present. Converts to hashtable when member is not an
  // integer or the intset would pass max_intset_entries.
  bool Add(std::string_view member, int64_t max_intset_entries);
  // Removes member; false if absent.
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;

  // Calls fn for every member (integers formatted in decimal). fn must not modify the set.
  void ForEach(const MemberFn& fn) const;
  // One SSCAN step: members of about `count` buckets (Redis's loop: until `count` members
  // or 10*count buckets), returns the next cursor (0 when done). An intset returns all.
  uint64_t Scan(uint64_t cursor, size_t count, const MemberFn& fn) const;

  // Removes and returns a random member. Precondition: !empty().
  std::string PopRandom();
  // A random member. Precondition: !empty().
  std::string RandomMember() const;
  // `count` distinct random members (count < size()), each reported once.
  void RandomDistinct(size_t count, const MemberFn& fn) const;

  void ConvertToHashtable();

  // Heap bytes owned (the object itself lives inside its Value).
  size_t MemoryUsage() const;
  SetObject Clone() const;

  // Intset internals, exposed for tests: the element width in bytes (2, 4 or 8; 0 once
  // hashtable-encoded).
  size_t intset_width() const { return width_; }

 private:
  struct Table;

  // Intset helpers.
  int64_t IntAt(size_t i) const;
  void SetIntAt(size_t i, int64_t v);
  bool IntFind(int64_t v, size_t* pos) const;
  void IntInsert(int64_t v, size_t pos);
  void IntErase(size_t pos);
  void IntUpgrade(size_t width);

  // The table while hashtable-encoded (width_ == 0), else null.
  Table* table() const { return width_ == 0 ? static_cast<Table*>(rep()) : nullptr; }
  // Intset: count() * width_ bytes (null when empty).
  void* ints() const { return rep(); }

  void* rep() const {
    void* p;
    std::memcpy(&p, rep_, sizeof(p));
    return p;
  }
  void set_rep(void* p) { std::memcpy(rep_, &p, sizeof(p)); }
  // Intset member count (0 while hashtable-encoded).
  uint32_t count() const {
    uint32_t n;
    std::memcpy(&n, count_, sizeof(n));
    return n;
  }
  void set_count(uint32_t n) { std::memcpy(count_, &n, sizeof(n)); }

  // One pointer slot serves both encodings, told apart by width_. The fields are bytes so
  // that the object is 13 bytes (a pointer and a uint32 would pad it to 16, more than a
  // Value has room for).
  unsigned char rep_[sizeof(void*)] = {};  // intset array or Table* (width_ == 0), owned
  unsigned char count_[4] = {};
  uint8_t width_ = 2;
};
static_assert(sizeof(SetObject) == 13 && alignof(SetObject) == 1);

}  // namespace gannet
