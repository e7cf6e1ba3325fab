// RespValue: a decoded RESP2/RESP3 reply, for tests. Command tests run a command through
// the in-process harness, decode the reply bytes with RespValue::Decode and compare them
// with the matchers in testing/resp_matchers.h; ToString() makes failures readable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace gannet {

enum class RespType : uint8_t {
  kSimple,     // +text
  kError,      // -text or RESP3 !len blob error
  kInteger,    // :n
  kBulk,       // $len
  kNull,       // $-1, *-1 (RESP2) or _ (RESP3)
  kArray,      // *n
  kMap,        // %n (children hold key, value, key, value, ...)
  kSet,        // ~n
  kPush,       // >n
  kDouble,     // ,d
  kBool,       // #t / #f
  kBigNumber,  // (digits
  kVerbatim,   // =len fmt:text
};

std::string_view RespTypeName(RespType t);

struct RespValue {
  RespType type = RespType::kNull;
  // Text of simple strings, errors (without '-'), bulks, big numbers, verbatim strings
  // (without the "fmt:" prefix) and doubles (as sent).
  std::string str;
  int64_t integer = 0;                // kInteger
  double dbl = 0;                     // kDouble
  bool boolean = false;               // kBool
  std::string format;                 // kVerbatim: "txt" or "mkd"
  bool null_array = false;            // kNull sent as RESP2 "*-1"
  std::vector<RespValue> elems;       // aggregates; a map stores 2 * size() children
  std::vector<RespValue> attributes;  // RESP3 |n attribute pairs preceding this value

  // Decodes one value from the start of bytes. Returns nullopt if the bytes hold only part
  // of a value, or if they are malformed (then *error, when given, says why). On success
  // *consumed (when given) is the number of bytes the value used.
  static std::optional<RespValue> Decode(std::string_view bytes, size_t* consumed = nullptr,
                                         std::string* error = nullptr);
  // Decodes consecutive values. Stops at the first incomplete or malformed one and reports
  // it through *error (empty when every byte was used).
  static std::vector<RespValue> DecodeAll(std::string_view bytes, std::string* error = nullptr);

  // Constructors for expected values in tests.
  static RespValue Simple(std::string s);
  static RespValue Error(std::string s);
  static RespValue Integer(int64_t v);
  static RespValue Bulk(std::string s);
  static RespValue Null();
  static RespValue Array(std::vector<RespValue> elems);

  bool IsError() const { return type == RespType::kError; }
  bool IsNull() const { return type == RespType::kNull; }
  bool IsAggregate() const {
    return type == RespType::kArray || type == RespType::kMap || type == RespType::kSet ||
           type == RespType::kPush;
  }
  // Elements of an aggregate (a map counts key/value pairs).
  size_t size() const { return type == RespType::kMap ? elems.size() / 2 : elems.size(); }
  const RespValue& operator[](size_t i) const { return elems.at(i); }
  // The text of a simple string, bulk, error or verbatim string.
  const std::string& text() const { return str; }
  // Bulks/simple strings of an array, in order (other elements give their ToString()).
  std::vector<std::string> Strings() const;

  // A one-line, unambiguous rendering: +OK, -ERR x, :5, "bulk" (escaped), nil, nil-array,
  // [a, b], {k => v}, ~{a, b}, >[a], ,1.5, #t, (123, =txt:"x".
  std::string ToString() const;

  friend bool operator==(const RespValue& a, const RespValue& b);
};

std::ostream& operator<<(std::ostream& os, const RespValue& v);
// For gtest: prints values with ToString().
void PrintTo(const RespValue& v, std::ostream* os);

// Encodes a request as a RESP multibulk: *N, then $len/arg for each argument.
std::string EncodeCommand(const std::vector<std::string>& args);

// Escapes bytes the way ToString() renders bulks: printable ASCII as is, backslash escapes
// for CR, LF, tab, quote and backslash, and \xHH for the rest.
std::string EscapeBytes(std::string_view s);

}  // namespace gannet
