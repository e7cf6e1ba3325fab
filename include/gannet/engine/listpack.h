// A listpack: a sequence of strings and integers in one contiguous allocation. Entries are
// encoded byte for byte as in Redis's listpack (encoding, data, back-length), so small
// hashes, sorted sets and list nodes cost a few bytes per element. The 6-byte header (total
// bytes, element count) and the 0xFF terminator of Redis's block are NOT kept in memory:
// the body length and the count live in the Listpack object itself (14 bytes, which fits
// the spare bytes of a Value next to its tag), so the allocation holds the entries only.
// That moves a typical small hash or sorted set into a smaller jemalloc size class (a
// 164-byte Redis block becomes a 157-byte body: the 160 class instead of 192). An empty
// listpack allocates nothing.
//
// Persistence sees Redis's format: Serialize/AppendSerialized rebuild the header and the
// terminator (RDB, DUMP), and FromBytes validates a Redis block and adopts its body.
// bytes_size() is the serialized size (body + 7), as Redis's lpBytes, which is what the
// size limits (kMaxSafeBytes, list-max-listpack-size) are measured in.
//
// Entries are addressed by their byte offset in the body (Pos). Any mutation may move the
// block, so a Pos stays valid only until the next mutation, except for the position each
// mutation returns. Strings that are canonical int64 decimals are stored as integers, as
// Redis.
//
// The count behaves as Redis's header count: 65535 or more reads as "unknown" and is
// walked; inserts and deletes leave a saturated count so (as Redis's lpInsert/lpDelete do),
// and reading the size of a block that has shrunk below 65535 restores the exact count (as
// Redis's lpLength does), which keeps a serialized block identical to Redis's. The object holds no
// pointer to itself, so it is trivially relocatable: its bytes may be moved elsewhere and
// the source forgotten (ListpackOr and Value rely on that). Its alignment is 1 (the fields
// are byte arrays read with memcpy) so that it packs into 14 bytes.
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
  // Bytes a serialized block adds to the body: the 6-byte header and the terminator.
  static constexpr size_t kOverhead = 7;

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

  Listpack() noexcept = default;  // empty: no allocation
  ~Listpack();
  Listpack(Listpack&& other) noexcept;
  Listpack& operator=(Listpack&& other) noexcept;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;
  Listpack Clone() const;

  // Adopts a serialized (Redis-format) listpack (RDB, RESTORE) after validating the header,
  // every entry and the terminator; nullopt when it is malformed.
  static std::optional<Listpack> FromBytes(std::string_view bytes);
  // Takes ownership of a malloc'd body of len bytes holding count entries, without
  // validating it: only for bytes this process encoded itself (a list node rebuilt from its
  // front-coded form). len == 0 frees body and gives an empty listpack.
  static Listpack AdoptBody(unsigned char* body, size_t len, size_t count);
  // The Redis-format block (header, entries, terminator): returned, or appended to *out.
  std::string Serialize() const;
  void AppendSerialized(std::string* out) const;
  // The entries as stored in memory (no header, no terminator); empty when empty.
  std::string_view body() const;

  // The element count: the stored one, or a walk when it says "unknown" (65535 or more).
  // A walk that counts fewer than 65535 stores the count again, as Redis's lpLength does
  // to the header (after deletes), so a serialized block matches what Redis would write.
  size_t size() const;
  bool empty() const { return body_len() == 0; }
  // The serialized size: body + 6-byte header + terminator (Redis's lpBytes).
  size_t bytes_size() const { return body_len() + kOverhead; }
  // Whether adding `add` bytes keeps the block under kMaxSafeBytes.
  bool SafeToAdd(size_t add) const { return bytes_size() + add <= kMaxSafeBytes; }
  // Allocated bytes (MEMORY USAGE): the body's block, 0 when empty.
  size_t MemoryUsage() const;

  // Navigation. All return kNone past either end.
  Pos First() const;
  Pos Last() const;
  Pos Next(Pos p) const;
  Pos Prev(Pos p) const;
  // Position of the index-th element; negative counts from the end (-1 = last).
  Pos Seek(int64_t index) const;
  Element Get(Pos p) const;
  // The element of one encoded entry held elsewhere (a list node's front-coded form
  // rebuilds its entries one at a time). Precondition: a whole entry this process encoded.
  static Element EntryAt(const unsigned char* entry);

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
  // Overwrites the entry at p with an encoded one (one resize, count unchanged).
  Pos ReplaceEncoded(Pos p, const unsigned char* enc, size_t enc_len);
  // Takes other's block, leaving it empty; Forget empties this without freeing.
  void TakeFrom(Listpack& other) noexcept;
  void Forget() noexcept;
  // Gives the body `n` bytes (the first min(n, old) kept); n == 0 frees it.
  void Resize(size_t n);
  // Adjusts the count by delta unless it is saturated ("unknown"), as Redis does.
  void AdjustCount(int64_t delta);

  unsigned char* data() const {
    unsigned char* p;
    std::memcpy(&p, ptr_, sizeof(p));
    return p;
  }
  void set_data(unsigned char* p) { std::memcpy(ptr_, &p, sizeof(p)); }
  size_t body_len() const {
    uint32_t n;
    std::memcpy(&n, len_, sizeof(n));
    return n;
  }
  void set_body_len(size_t n) {
    const auto v = static_cast<uint32_t>(n);
    std::memcpy(len_, &v, sizeof(v));
  }
  uint16_t stored_count() const {
    uint16_t c;
    std::memcpy(&c, count_, sizeof(c));
    return c;
  }
  void set_stored_count(uint16_t c) const { std::memcpy(count_, &c, sizeof(c)); }

  unsigned char ptr_[sizeof(void*)] = {};  // the body (malloc'd), null when empty
  unsigned char len_[4] = {};              // body bytes (< kMaxSafeBytes)
  // Elements; 65535 = "unknown, walk". Mutable: a walk that finds fewer than 65535 stores
  // its result, as Redis's lpLength rewrites the header (see size()).
  mutable unsigned char count_[2] = {};
};
static_assert(sizeof(Listpack) == 14 && alignof(Listpack) == 1);

// The body of a collection that is a listpack while small and a bigger structure (Big,
// owned, allocated with new) after conversion, in the Listpack's 14 bytes: either the
// Listpack itself, or in the first word the Big's address with the low bit set (the
// Listpack's first word is its body pointer or null, both with that bit clear, since
// blocks come from the allocator). Like Listpack it is trivially relocatable and has
// alignment 1, which lets a Value hold the collection inline. A default or moved-from one
// is an empty listpack that owns nothing.
template <typename Big>
class ListpackOr {
 public:
  ListpackOr() noexcept : lp_() {}
  explicit ListpackOr(std::unique_ptr<Big> big) {
    SetWord(reinterpret_cast<uintptr_t>(big.release()) | 1);
  }
  ~ListpackOr() { Destroy(); }
  ListpackOr(ListpackOr&& o) noexcept { StealFrom(o); }
  ListpackOr& operator=(ListpackOr&& o) noexcept {
    if (this != &o) {
      Destroy();
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
    Destroy();
    SetWord(reinterpret_cast<uintptr_t>(b.release()) | 1);
  }
  void SetListpack(Listpack lp) {
    Destroy();
    new (&lp_) Listpack(std::move(lp));
  }

 private:
  // The first word whichever member is active (reading the object representation).
  uintptr_t Word() const {
    uintptr_t w;
    std::memcpy(&w, static_cast<const void*>(this), sizeof(w));
    return w;
  }
  void SetWord(uintptr_t w) { std::memcpy(word_, &w, sizeof(w)); }
  // Ends the active member; the object must then be given a new one.
  void Destroy() noexcept {
    if (is_big()) {
      delete big();
    } else {
      lp_.~Listpack();
    }
  }
  // Takes o's member, leaving o an empty listpack. This has no active member on entry.
  void StealFrom(ListpackOr& o) noexcept {
    if (o.is_big()) {
      SetWord(o.Word());
      new (&o.lp_) Listpack();
    } else {
      new (&lp_) Listpack(std::move(o.lp_));
    }
  }

  union {
    Listpack lp_;
    unsigned char word_[sizeof(uintptr_t)];
  };
};

}  // namespace gannet
