// Value: the 16-byte typed value. See value.h for the layout. Heap strings keep no
// capacity header: the block's capacity is malloc_usable_size(), which under jemalloc is
// the size class, so the slack the allocator hands out anyway is used by APPEND.
#include "gannet/engine/value.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "gannet/common/numbers.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/zset_object.h"

namespace gannet {
namespace {

constexpr size_t kGreedyLimit = 1024 * 1024;  // sds's SDS_MAX_PREALLOC

[[noreturn]] void OutOfMemory(size_t n) {
  std::fprintf(stderr, "gannet: out of memory allocating %zu bytes\n", n);
  std::abort();
}

char* AllocOrDie(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) OutOfMemory(n);
  return static_cast<char*>(p);
}

char* ReallocOrDie(char* old, size_t n) {
  void* p = std::realloc(old, n);
  if (p == nullptr) OutOfMemory(n);
  return static_cast<char*>(p);
}

Encoding LabelFor(std::string_view s) {
  int64_t ignored;
  if (s.size() <= 20 && IsCanonicalInt64(s, &ignored)) return Encoding::kInt;
  return s.size() <= Value::kEmbStrMax ? Encoding::kEmbStr : Encoding::kRaw;
}

uint8_t StringTag(Encoding e) {
  return static_cast<uint8_t>((static_cast<uint8_t>(ValueType::kString) << 4) |
                              static_cast<uint8_t>(e));
}

}  // namespace

std::string_view TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
    case ValueType::kStream:
      return "stream";
  }
  return "none";
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbStr:
      return "embstr";
    case Encoding::kRaw:
      return "raw";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kStream:
      return "stream";
  }
  return "unknown";
}

Value::Value() noexcept : bytes_{}, tag_(StringTag(Encoding::kEmbStr)) {}

Value::~Value() { Release(); }

Value::Value(Value&& other) noexcept : tag_(other.tag_) {
  std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
  std::memset(other.bytes_, 0, sizeof(other.bytes_));
  other.tag_ = StringTag(Encoding::kEmbStr);
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    Release();
    std::memcpy(bytes_, other.bytes_, sizeof(bytes_));
    tag_ = other.tag_;
    std::memset(other.bytes_, 0, sizeof(other.bytes_));
    other.tag_ = StringTag(Encoding::kEmbStr);
  }
  return *this;
}

void Value::Release() noexcept {
  if (!IsString()) {
    switch (type()) {
      case ValueType::kHash:
        As<HashObject>()->~HashObject();
        break;
      case ValueType::kSet:
        As<SetObject>()->~SetObject();
        break;
      case ValueType::kZSet:
        As<ZSetObject>()->~ZSetObject();
        break;
      default:
        delete object();
        break;
    }
  } else if (bytes_[14] == kHeapMarker) {
    std::free(HeapPtr());
  }
  std::memset(bytes_, 0, sizeof(bytes_));
  tag_ = StringTag(Encoding::kEmbStr);
}

char* Value::HeapPtr() const {
  char* p;
  std::memcpy(&p, bytes_, sizeof(p));
  return p;
}

void Value::SetHeapLen(size_t len) {
  for (int i = 0; i < 6; ++i) bytes_[8 + i] = static_cast<unsigned char>(len >> (8 * i));
}

void Value::SetHeap(char* p, size_t len) {
  std::memcpy(bytes_, &p, sizeof(p));
  SetHeapLen(len);
  bytes_[14] = kHeapMarker;
}

void Value::SetInline(std::string_view s) {
  // s may point into this value's own inline bytes: memmove.
  std::memmove(bytes_, s.data(), s.size());
  std::memset(bytes_ + s.size(), 0, kInlineMax - s.size());
  bytes_[14] = static_cast<unsigned char>(s.size());
}

Value Value::String(std::string_view s) {
  if (s.size() > kMaxStringSize) OutOfMemory(s.size());
  Value v;
  if (s.size() <= kInlineMax) {
    v.SetInline(s);
  } else {
    char* p = AllocOrDie(s.size());
    std::memcpy(p, s.data(), s.size());
    v.SetHeap(p, s.size());
  }
  v.tag_ = StringTag(LabelFor(s));
  return v;
}

Value Value::Integer(int64_t n) {
  char buf[24];
  size_t len = FormatInt64(n, buf);
  Value v = String(std::string_view(buf, len));
  v.tag_ = StringTag(Encoding::kInt);
  return v;
}

Value Value::Object(ValueType type, Encoding enc, std::unique_ptr<ObjectBase> obj) {
  if (IsInlineType(type) || type == ValueType::kString) {
    std::fprintf(stderr, "gannet: Value::Object(%s) given a heap object\n",
                 std::string(TypeName(type)).c_str());
    std::abort();
  }
  Value v;
  ObjectBase* p = obj.release();
  std::memcpy(v.bytes_, &p, sizeof(p));
  v.tag_ = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | static_cast<uint8_t>(enc));
  return v;
}

template <typename T>
Value Value::EmplaceInline(ValueType type, T&& obj) {
  Value v;  // the empty string: nothing to release
  const Encoding enc = obj.encoding();
  new (v.bytes_) T(std::move(obj));
  v.tag_ = static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | static_cast<uint8_t>(enc));
  return v;
}

Value Value::Object(HashObject&& obj) { return EmplaceInline(ValueType::kHash, std::move(obj)); }
Value Value::Object(SetObject&& obj) { return EmplaceInline(ValueType::kSet, std::move(obj)); }
Value Value::Object(ZSetObject&& obj) { return EmplaceInline(ValueType::kZSet, std::move(obj)); }

std::string_view Value::AsString() const {
  if (bytes_[14] == kHeapMarker) return {HeapPtr(), StringSize()};
  return {reinterpret_cast<const char*>(bytes_), bytes_[14]};
}

size_t Value::StringSize() const {
  if (bytes_[14] != kHeapMarker) return bytes_[14];
  size_t len = 0;
  for (int i = 0; i < 6; ++i) len |= static_cast<size_t>(bytes_[8 + i]) << (8 * i);
  return len;
}

void Value::AssignString(std::string_view s) {
  // Build first, then replace: s may alias our own bytes.
  *this = String(s);
}

char* Value::Resize(size_t len) {
  if (len > kMaxStringSize) OutOfMemory(len);
  size_t old_len = StringSize();
  if (bytes_[14] != kHeapMarker) {
    if (len <= kInlineMax) {
      bytes_[14] = static_cast<unsigned char>(len);
      return reinterpret_cast<char*>(bytes_);
    }
    size_t cap = len < kGreedyLimit ? len * 2 : len + kGreedyLimit;
    char* p = AllocOrDie(cap);
    std::memcpy(p, bytes_, old_len);
    SetHeap(p, len);
    return p;
  }
  char* p = HeapPtr();
  if (len > malloc_usable_size(p)) {
    size_t cap = len < kGreedyLimit ? len * 2 : len + kGreedyLimit;
    p = ReallocOrDie(p, cap);
    std::memcpy(bytes_, &p, sizeof(p));
  }
  SetHeapLen(len);
  return p;
}

void Value::Append(std::string_view s) {
  size_t old_len = StringSize();
  if (s.size() > kMaxStringSize - old_len) OutOfMemory(s.size());
  // s may point into our own storage, which Resize can move: copy it out first then.
  std::string_view cur = AsString();
  std::string copy;
  if (!s.empty() && s.data() >= cur.data() && s.data() < cur.data() + cur.size()) {
    copy.assign(s);
    s = copy;
  }
  char* p = Resize(old_len + s.size());
  if (!s.empty()) std::memcpy(p + old_len, s.data(), s.size());
  set_encoding(Encoding::kRaw);
}

void Value::SetRange(size_t offset, std::string_view s) {
  size_t old_len = StringSize();
  if (offset > kMaxStringSize || s.size() > kMaxStringSize - offset) OutOfMemory(offset);
  std::string_view cur = AsString();
  std::string copy;
  if (!s.empty() && s.data() >= cur.data() && s.data() < cur.data() + cur.size()) {
    copy.assign(s);
    s = copy;
  }
  size_t end = offset + s.size();
  char* p = end > old_len ? Resize(end) : const_cast<char*>(cur.data());
  if (offset > old_len) std::memset(p + old_len, 0, offset - old_len);
  if (!s.empty()) std::memcpy(p + offset, s.data(), s.size());
  set_encoding(Encoding::kRaw);
}

ObjectBase* Value::object() const {
  ObjectBase* p;
  std::memcpy(&p, bytes_, sizeof(p));
  return p;
}

Value Value::Clone() const {
  if (!IsString()) {
    Value v;
    switch (type()) {
      case ValueType::kHash:
        v = Object(As<HashObject>()->Clone());
        break;
      case ValueType::kSet:
        v = Object(As<SetObject>()->Clone());
        break;
      case ValueType::kZSet:
        v = Object(As<ZSetObject>()->Clone());
        break;
      default:
        return Object(type(), encoding(), object()->Clone());
    }
    v.tag_ = tag_;  // keep the label exactly
    return v;
  }
  Value v = String(AsString());
  v.tag_ = tag_;
  return v;
}

size_t Value::MemoryUsage() const {
  if (!IsString()) {
    switch (type()) {
      case ValueType::kHash:
        return As<HashObject>()->MemoryUsage();
      case ValueType::kSet:
        return As<SetObject>()->MemoryUsage();
      case ValueType::kZSet:
        return As<ZSetObject>()->MemoryUsage();
      default:
        return object()->MemoryUsage();
    }
  }
  if (bytes_[14] == kHeapMarker) return malloc_usable_size(HeapPtr());
  return 0;
}

}  // namespace gannet
