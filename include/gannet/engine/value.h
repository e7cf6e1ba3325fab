// A typed value in 16 bytes. Strings of up to 14 bytes live inline (no allocation);
// longer strings live in one heap block. Hashes, sets and sorted sets live inline too: their
// objects (HashObject, SetObject, ZSetObject) are at most 15 bytes with no vtable, own their
// listpack, intset or big structure through one pointer, and sit in the Value's bytes, so a
// small collection costs its one block and no separate object (Redis pays a 16-byte robj
// there, we used to pay 24-32). The spare bytes hold what Redis keeps in the block's
// header: a listpack's length and count (so its block holds the entries only), a set's
// count. Lists and streams, whose objects are bigger, are a pointer to a heap object
// deriving from ObjectBase.
//
// Inline objects are trivially relocatable: a Value moves by copying its 16 bytes and
// forgetting the source, without calling the object's move constructor. Every inline type
// is built for that (it holds no pointer to itself; its owned block does not point back).
// Value dispatches destruction, Clone and MemoryUsage on the type tag instead of virtual
// calls. A pointer from As<T>() points into the Value, so it is as stable as the Value:
// it stays valid while the Value stays where it is (an Entry's value does not move during a
// command; see database.h) and dies with a move of the Value, unlike a heap object's.
//
// OBJECT ENCODING reports Redis's names: a string is "int" when it is the canonical
// form of an int64, "embstr" when it was created whole and is at most 44 bytes, and
// "raw" once modified in place (APPEND, SETRANGE) or when longer. That is a label kept
// in the tag byte; the bytes are stored the same way (inline or heap) either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>

namespace gannet {

class HashObject;
class SetObject;
class ZSetObject;

enum class ValueType : uint8_t { kString = 0, kList, kSet, kZSet, kHash, kStream };

enum class Encoding : uint8_t {
  // strings
  kInt = 0,
  kEmbStr,
  kRaw,
  // compact collections
  kListpack,
  kQuicklist,
  kIntset,
  // the rest
  kHashtable,
  kSkiplist,
  kStream,
};

// Redis's type name ("string", "list", ...) for TYPE and SCAN TYPE.
std::string_view TypeName(ValueType t);
// Redis's encoding name for OBJECT ENCODING.
std::string_view EncodingName(Encoding e);

// Base of the heap-allocated values (lists, streams). Defined by each type's module.
class ObjectBase {
 public:
  virtual ~ObjectBase() = default;
  // Bytes owned by the object (for MEMORY USAGE and eviction accounting).
  virtual size_t MemoryUsage() const = 0;
  virtual std::unique_ptr<ObjectBase> Clone() const = 0;
};

class Value {
 public:
  static constexpr size_t kInlineMax = 14;
  static constexpr size_t kEmbStrMax = 44;
  // Longest string a Value can hold (the heap length field is 48 bits).
  static constexpr size_t kMaxStringSize = (size_t{1} << 48) - 1;

  Value() noexcept;  // the empty string
  ~Value();
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  // A string value, labelled int/embstr/raw as Redis's SET would label it.
  static Value String(std::string_view s);
  // A string holding the decimal form of v (INCR and friends), labelled "int".
  static Value Integer(int64_t v);
  // A heap object: type must be kList or kStream (the types not held inline).
  static Value Object(ValueType type, Encoding enc, std::unique_ptr<ObjectBase> obj);
  // An inline object, moved into the Value; the encoding label is the object's.
  static Value Object(HashObject&& obj);
  static Value Object(SetObject&& obj);
  static Value Object(ZSetObject&& obj);
  // Whether values of type t hold their object inline (hash, set, sorted set).
  static constexpr bool IsInlineType(ValueType t) {
    return t == ValueType::kHash || t == ValueType::kSet || t == ValueType::kZSet;
  }

  ValueType type() const { return static_cast<ValueType>((tag_ >> 4) & 0x7); }
  Encoding encoding() const { return static_cast<Encoding>(tag_ & 0x0f); }
  void set_encoding(Encoding e) {
    tag_ = static_cast<uint8_t>((tag_ & 0x70) | static_cast<uint8_t>(e));
  }
  // OBJECT REFCOUNT: Redis answers with the shared object of an integer 0..9999 (refcount
  // INT_MAX), except for a COPY of one, which gets an object of its own (refcount 1) that
  // moves with the key (RENAME, MOVE, SWAPDB) until the string is rewritten. The mark
  // survives moves and Clone; every rewrite and relabelling clears it.
  bool own_int_object() const { return (tag_ & kOwnObjectBit) != 0; }
  void mark_own_int_object() { tag_ = static_cast<uint8_t>(tag_ | kOwnObjectBit); }
  bool IsString() const { return type() == ValueType::kString; }

  // --- strings (precondition: IsString()) ---
  std::string_view AsString() const;
  size_t StringSize() const;
  // Replace the contents; the label becomes what String(s) would give.
  void AssignString(std::string_view s);
  // Append bytes in place (amortised growth); the label becomes "raw".
  void Append(std::string_view s);
  // Overwrite from offset, zero-padding any gap; the label becomes "raw".
  // Caller checks offset + s.size() against proto-max-bulk-len first.
  void SetRange(size_t offset, std::string_view s);

  // --- objects (precondition: !IsString()) ---
  // The heap object (precondition: !IsInlineType(type())).
  ObjectBase* object() const;
  // The object as T: T derives from ObjectBase for heap objects, else it is the inline
  // object in this Value (precondition: type() matches T).
  template <typename T>
  T* As() const {
    if constexpr (std::is_base_of_v<ObjectBase, T>) {
      return static_cast<T*>(object());
    } else {
      static_assert(sizeof(T) <= sizeof(bytes_) && alignof(T) <= 8, "must fit the Value");
      return std::launder(reinterpret_cast<T*>(const_cast<unsigned char*>(bytes_)));
    }
  }

  // Deep copy (COPY command). A string copy keeps its int/embstr/raw label.
  Value Clone() const;
  // Heap bytes owned by this value, not counting the 16 bytes of the Value itself.
  size_t MemoryUsage() const;

 private:
  static constexpr uint8_t kHeapMarker = 0xff;

  void Release() noexcept;
  template <typename T>
  static Value EmplaceInline(ValueType type, T&& obj);
  bool IsHeapString() const { return IsString() && bytes_[14] == kHeapMarker; }
  char* HeapPtr() const;
  void SetHeap(char* p, size_t len);
  void SetHeapLen(size_t len);
  void SetInline(std::string_view s);
  // Makes the string's storage hold at least `len` bytes (keeping the current bytes)
  // and sets the length to `len`; bytes past the old length are unspecified. Returns
  // the data pointer. Growth is amortised as sds's greedy policy.
  char* Resize(size_t len);

  // Layout (16 bytes):
  //   inline string: bytes_[0..13] data, bytes_[14] = length (0..14), tag_
  //   heap string:   ptr at [0..7], 48-bit length at [8..13], bytes_[14] = kHeapMarker;
  //                  the block's capacity is its malloc_usable_size (no header).
  //   heap object:   ptr at [0..7] (lists, streams)
  //   inline object: the object at [0..sizeof-1] (hashes, sets, sorted sets; <= 15 bytes)
  static constexpr uint8_t kOwnObjectBit = 0x80;
  alignas(8) unsigned char bytes_[15];
  uint8_t tag_;  // own-object bit << 7 | type << 4 | encoding
};
static_assert(sizeof(Value) == 16);

}  // namespace gannet
