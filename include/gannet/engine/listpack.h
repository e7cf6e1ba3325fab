// A listpack: a sequence of strings and integers in one contiguous allocation, laid out
// byte for byte as Redis's listpack (6-byte header, entries each with a back-length,
// 0xFF terminator). Small hashes, sorted sets and list nodes use it, so they cost a few
// bytes per element, and persistence can write and read the block as it is.
//
// Entries are addressed by their byte offset (Pos). Any mutation may move the block, so
// a Pos stays valid only until the next mutation, except for the position each mutation
// returns. Strings that are canonical int64 decimals are stored as integers, as Redis.
//
// A Listpack is one pointer: the element count is the header's (as Redis's lpLength reads
// it), and only a block of 65535 or more elements, whose header says "unknown", is walked
// to count. Being one word with no self-reference, it is trivially relocatable: its bytes
// may be moved elsewhere and the source forgotten (ListpackOr and Value rely on that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>

namespace gannet {

class Listpack {
 public:
  using Pos = uint32_t;
  static constexpr Pos kNone = UINT32_MAX;
  // Redis refuses to grow a listpack past 1 GB; callers convert to a full structure first.
  static constexpr size_t kMaxSafeBytes = 1ull << 30;

  // One element as stored: an integer, or a view of string bytes inside the block.
  struct Element {
    std::string_view str;
    int64_t ival = 0;
    bool is_int = false;

    // The element as text; integers are formatted into buf.
    std::string_view ToString(char (&buf)[24]) const;
    std::string ToStdString() const;
    bool Equals(std::string_view s) const;
  };

  Listpack();
  ~Listpack();
  Listpack(Listpack&& other) noexcept;
  Listpack& operator=(Listpack&& other) noexcept;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;
  Listpack Clone() const;

  // Adopts serialized listpack bytes (RDB, RESTORE) after validating every entry; nullopt
  // when they are malformed.
  static std::optional<Listpack> FromBytes(std::string_view bytes);
  std::string_view bytes() const;

  // The element count: the header's, or a walk when it says "unknown" (65535 or more).
  size_t size() const;
  bool empty() const;
  size_t bytes_size() const;
  // Whether adding `add` bytes keeps the block under kMaxSafeBytes.
  bool SafeToAdd(size_t add) const { return bytes_size() + add <= kMaxSafeBytes; }
  // Allocated bytes (MEMORY USAGE).
  size_t MemoryUsage() const;

  // Navigation. All return kNone past either end.
  Pos First() const;
  Pos Last() const;
  Pos Next(Pos p) const;
  Pos Prev(Pos p) const;
  // Position of the index-th element; negative counts from the end (-1 = last).
  Pos Seek(int64_t index) const;
  Element Get(Pos p) const;

  // Mutations.
  void Append(std::string_view s);
  void Prepend(std::string_view s);
  void AppendInt(int64_t v);
  // Inserts s before (or after) p; returns the new element's position.
  Pos Insert(Pos p, std::string_view s, bool after);
  // Replaces the element at p; returns its (possibly unchanged) position.
  Pos Replace(Pos p, std::string_view s);
  Pos ReplaceInt(Pos p, int64_t v);
  // Deletes the element at p; returns the position of the element that followed (kNone
  // if it was the last).
  Pos Delete(Pos p);
  // Deletes `count` elements starting at p (fewer if the end comes first).
  void DeleteRange(Pos p, size_t count);
  void Clear();

  // The first element equal to s at p, p + (skip+1), p + 2*(skip+1)... (skip = 1 searches
  // the fields of a field/value layout). kNone when absent.
  Pos Find(Pos p, std::string_view s, size_t skip) const;

 private:
  Pos InsertEncoded(Pos at, const unsigned char* enc, size_t enc_len);
  void SetTotalBytes(size_t n);
  // Adjusts the header count by delta unless it is saturated ("unknown"), as Redis does.
  void AdjustHeaderCount(int64_t delta);

  unsigned char* buf_;  // null only in a moved-from listpack
};
static_assert(sizeof(Listpack) == sizeof(void*));

// The one-word body of a collection that is a listpack while small and a bigger structure
// (Big, owned, allocated with new) after conversion: the listpack's buffer pointer, or the
// Big's address with the low bit set (both come from the allocator, so that bit is free).
// Like Listpack it is trivially relocatable, which lets Value hold the collection inline.
// A word of 0 (after a move) owns nothing; such an object may only be destroyed or assigned.
template <typename Big>
class ListpackOr {
 public:
  ListpackOr() : lp_() {}
  explicit ListpackOr(std::unique_ptr<Big> big)
      : bits_(reinterpret_cast<uintptr_t>(big.release()) | 1) {}
  ~ListpackOr() { Reset(); }
  ListpackOr(ListpackOr&& o) noexcept { StealFrom(o); }
  ListpackOr& operator=(ListpackOr&& o) noexcept {
    if (this != &o) {
      Reset();
      StealFrom(o);
    }
    return *this;
  }
  ListpackOr(const ListpackOr&) = delete;
  ListpackOr& operator=(const ListpackOr&) = delete;

  bool is_big() const { return (Word() & 1) != 0; }
  // The big structure, or null while this is a listpack.
  Big* big() const { return is_big() ? reinterpret_cast<Big*>(Word() & ~uintptr_t{1}) : nullptr; }
  // Precondition: !is_big().
  Listpack& lp() { return lp_; }
  const Listpack& lp() const { return lp_; }

  void SetBig(std::unique_ptr<Big> b) {
    Reset();
    bits_ = reinterpret_cast<uintptr_t>(b.release()) | 1;
  }
  void SetListpack(Listpack lp) {
    Reset();
    new (&lp_) Listpack(std::move(lp));
  }

 private:
  // The word whichever member is active (reading the object representation).
  uintptr_t Word() const {
    uintptr_t w;
    std::memcpy(&w, static_cast<const void*>(this), sizeof(w));
    return w;
  }
  void Reset() noexcept {
    if (is_big()) {
      delete big();
    } else if (Word() != 0) {
      lp_.~Listpack();
    }
    bits_ = 0;
  }
  void StealFrom(ListpackOr& o) noexcept {
    if (o.is_big()) {
      bits_ = o.bits_;
    } else if (o.Word() != 0) {
      new (&lp_) Listpack(std::move(o.lp_));
    } else {
      bits_ = 0;
    }
    o.bits_ = 0;
  }

  union {
    Listpack lp_;
    uintptr_t bits_;
  };
};

}  // namespace gannet
