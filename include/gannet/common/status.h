// Errors as values. The engine and helpers return an OpStatus; exactly one place
// (src/commands/error_text.cc) turns a status into the Redis error text a client sees.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <variant>

namespace gannet {

enum class OpStatus : uint8_t {
  kOk,
  kKeyNotFound,      // "-ERR no such key" where a command needs one
  kWrongType,        // WRONGTYPE
  kNotAnInteger,     // "value is not an integer or out of range"
  kNotAFloat,        // "value is not a valid float"
  kOverflow,         // "increment or decrement would overflow"
  kNanOrInfinity,    // "increment would produce NaN or Infinity"
  kSyntaxError,      // "syntax error"
  kOutOfRange,       // "index out of range"
  kStringTooLong,    // "string exceeds maximum allowed size (proto-max-bulk-len)"
  kInvalidExpire,    // "invalid expire time in '<cmd>' command"
  kInvalidDbIndex,   // "DB index is out of range"
  kSameObject,       // source and destination are the same (MOVE/COPY)
  kInvalidCursor,    // "invalid cursor"
  kOutOfMemory,      // OOM
  kSkipped,          // NX/XX/GT/LT condition not met: not an error, nothing done
};

// Result<T>: a value or a non-OK status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(OpStatus status) : v_(status) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  OpStatus status() const { return ok() ? OpStatus::kOk : std::get<OpStatus>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, OpStatus> v_;
};

}  // namespace gannet
