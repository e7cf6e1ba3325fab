// A listpack: a sequence of strings and integers in one contiguous allocation, laid out
// byte for byte as Redis's listpack (6-byte header, entries each with a back-length,
// 0xFF terminator). Small hashes, sorted sets and list nodes use it, so they cost a few
// bytes per element, and persistence can write and read the block as it is.
//
// Entries are addressed by their byte offset (Pos). Any mutation may move the block, so
// a Pos stays valid only until the next mutation, except for the position each mutation
// returns. Strings that are canonical int64 decimals are stored as integers, as Redis.
#pragma once

#include <cstddef>
#include <cstdint>
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

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
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
  void SetHeaderCount();

  unsigned char* buf_;
  size_t count_ = 0;
};

}  // namespace gannet
