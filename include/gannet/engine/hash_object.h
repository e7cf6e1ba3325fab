// A Redis hash: field -> value, both binary-safe strings, in one of two encodings named
// as Redis 7.0 names them for OBJECT ENCODING.
//
//   "listpack":  field, value, field, value... in one Listpack (Redis's entries), used while
//                the hash has at most hash-max-listpack-entries fields and no field or
//                value longer than hash-max-listpack-value bytes.
//   "hashtable": an incremental chained hash table whose nodes hold the field and the
//                value inline in one allocation (see src/engine/set_object_internal.h).
//
// A hash only converts from listpack to hashtable, never back (as Redis 7.0). HSCAN over
// a hashtable uses the reverse-binary cursor (fields present for the whole iteration are
// returned across resizes); a listpack is returned whole in one call with cursor 0.
//
// The object is a ListpackOr (14 bytes: the listpack's body pointer, length and count, or a
// tagged table pointer) with no vtable, and a Value holds it inline, so a small hash costs
// its listpack body (no header, no terminator: see listpack.h) and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gannet/engine/listpack.h"
#include "gannet/engine/value.h"

namespace gannet {

class HashObject {
 public:
  // The conversion thresholds (Config's hash-max-listpack-entries/-value).
  struct Limits {
    int64_t max_listpack_entries;
    int64_t max_listpack_value;
  };
  using PairFn = std::function<void(std::string_view field, std::string_view value)>;
  // Room for an integer stored in the listpack, formatted on read.
  using NumBuf = char[24];

  HashObject();  // empty, listpack-encoded
  ~HashObject();
  HashObject(HashObject&&) noexcept;
  HashObject& operator=(HashObject&&) noexcept;
  HashObject(const HashObject&) = delete;
  HashObject& operator=(const HashObject&) = delete;

  Encoding encoding() const { return rep_.is_big() ? Encoding::kHashtable : Encoding::kListpack; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Converts to hashtable before a write when any of `strs` is longer than the value
  // limit or they would take the listpack past its safe size (Redis's
  // hashTypeTryConversion, which HSET/HMSET/HSETNX run on all their arguments).
  void PrepareFor(const std::string_view* strs, size_t n, const Limits& limits);

  // Sets field to value; true if the field is new. Converts when the field or value is
  // over the value limit, or when the field count passes the entries limit.
  bool Set(std::string_view field, std::string_view value, const Limits& limits);
  // The value of field, or nullopt. An integer stored in the listpack is formatted into
  // buf; otherwise the view points into the hash and is valid until the next mutation.
  std::optional<std::string_view> Get(std::string_view field, NumBuf& buf) const;
  bool Contains(std::string_view field) const;
  // Removes field; false if absent.
  bool Delete(std::string_view field);

  // Calls fn for every pair. fn must not modify the hash.
  void ForEach(const PairFn& fn) const;
  // One HSCAN step: pairs of about `count` buckets (Redis 7.0's loop: until `count` pairs
  // or 10*count buckets, measured against redis-server). A listpack returns everything
  // with cursor 0.
  uint64_t Scan(uint64_t cursor, size_t count, const PairFn& fn) const;

  // A random pair. Precondition: !empty().
  void RandomPair(const PairFn& fn) const;
  // `count` random pairs, possibly repeating (HRANDFIELD with a negative count).
  void RandomPairs(size_t count, const PairFn& fn) const;
  // `count` distinct random pairs (count < size()).
  void RandomDistinct(size_t count, const PairFn& fn) const;

  void ConvertToHashtable();

  // Persistence (RDB, DUMP): the listpack while listpack-encoded, else nullptr; and
  // adopting a validated listpack of field, value, ... pairs (unique fields) into an
  // empty hash.
  const Listpack* listpack() const { return rep_.is_big() ? nullptr : &rep_.lp(); }
  void AdoptListpack(Listpack lp);

  // Heap bytes owned (the object itself lives inside its Value).
  size_t MemoryUsage() const;
  HashObject Clone() const;

 private:
  struct Table;
  Table* table() const { return rep_.big(); }
  // Precondition: listpack-encoded.
  Listpack& lp() { return rep_.lp(); }
  const Listpack& lp() const { return rep_.lp(); }

  ListpackOr<Table> rep_;  // the listpack, or the table ("hashtable" encoding)
};
static_assert(sizeof(HashObject) == sizeof(Listpack) && sizeof(HashObject) <= 15);

}  // namespace gannet
