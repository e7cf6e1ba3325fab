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
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gannet/engine/value.h"

namespace gannet {

class SetObject final : public ObjectBase {
 public:
  // Redis clamps set-max-intset-entries to this to keep the intset's size arithmetic safe.
  static constexpr int64_t kMaxIntsetEntries = int64_t{1} << 30;
  using MemberFn = std::function<void(std::string_view)>;

  // An empty set in the encoding Redis's setTypeCreate picks for its first member:
  // intset if `first_member` is an integer (and the intset limit allows one), else
  // hashtable.
  static std::unique_ptr<SetObject> CreateFor(std::string_view first_member,
                                              int64_t max_intset_entries);
  // An empty intset-encoded set (what SINTERSTORE & co start from).
  SetObject();
  ~SetObject() override;
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

  size_t MemoryUsage() const override;
  std::unique_ptr<ObjectBase> Clone() const override;

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
  Table* table() const { return width_ == 0 ? rep_.table : nullptr; }

  // One pointer slot serves both encodings, told apart by width_, so that the object is
  // 24 bytes (a jemalloc size class) rather than 32: every small set pays it.
  union Rep {
    void* ints;    // intset: count_ * width_ bytes (null when empty)
    Table* table;  // hashtable (width_ == 0), owned
  } rep_{nullptr};
  uint32_t count_ = 0;
  uint8_t width_ = 2;
};

}  // namespace gannet
