// Number parsing and formatting with Redis 7.0's exact acceptance rules.
//
// Integers follow string2ll: at most 20 characters, an optional '-', no leading zeros,
// no "-0", no '+', no spaces. Doubles follow getDoubleFromObject / string2ld: strtod or
// strtold over the whole string (so hex floats and "infinity" are accepted, as in Redis),
// but no leading space, no trailing bytes, no NaN, and no overflow or underflow to zero.
#include "gannet/common/numbers.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gannet/common/ascii.h"

namespace gannet {

namespace {

// Redis's LONG_STR_SIZE: strings of 21 or more characters are never integers.
constexpr size_t kMaxIntChars = 20;
// Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are never accepted as floats.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Parses the magnitude of a canonical unsigned decimal (no sign, no leading zeros unless the
// whole string is "0"). Returns false on overflow or any non-digit.
bool ParseMagnitude(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = static_cast<unsigned>(c - '0');
    if (v > UINT64_MAX / 10) return false;
    v *= 10;
    if (v > UINT64_MAX - d) return false;
    v += d;
  }
  *out = v;
  return true;
}

// Copies s into a NUL-terminated buffer for strtod/strtold. Small inputs stay on the stack.
class CString {
 public:
  explicit CString(std::string_view s) {
    if (s.size() < sizeof(small_)) {
      std::memcpy(small_, s.data(), s.size());
      small_[s.size()] = '\0';
      ptr_ = small_;
    } else {
      big_.assign(s);
      ptr_ = big_.c_str();
    }
  }
  const char* c_str() const { return ptr_; }

 private:
  char small_[128];
  std::string big_;
  const char* ptr_;
};

template <typename T, typename Fn>
std::optional<T> ParseFloating(std::string_view s, Fn convert, T huge) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  CString buf(s);
  char* end = nullptr;
  errno = 0;
  T v = convert(buf.c_str(), &end);
  // An embedded NUL stops the conversion early, which the length check rejects.
  if (end != buf.c_str() + s.size()) return std::nullopt;
  if (errno == ERANGE && (v == huge || v == -huge || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  if (std::isnan(v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > kMaxIntChars) return std::nullopt;
  bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t mag;
  if (!ParseMagnitude(s, &mag)) return std::nullopt;
  if (negative) {
    if (mag == 0) return std::nullopt;  // "-0"
    if (mag > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - mag);
  }
  if (mag > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(mag);
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  if (s.empty() || s.size() > kMaxIntChars) return std::nullopt;
  uint64_t mag;
  if (!ParseMagnitude(s, &mag)) return std::nullopt;
  return mag;
}

std::optional<double> ParseDouble(std::string_view s) {
  return ParseFloating<double>(
      s, [](const char* p, char** end) { return std::strtod(p, end); }, HUGE_VAL);
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  return ParseFloating<long double>(
      s, [](const char* p, char** end) { return std::strtold(p, end); }, HUGE_VALL);
}

size_t FormatInt64(int64_t v, char* out) {
  static constexpr char kDigits[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char tmp[20];
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char* p = tmp + sizeof(tmp);
  while (u >= 100) {
    unsigned i = static_cast<unsigned>(u % 100) * 2;
    u /= 100;
    *--p = kDigits[i + 1];
    *--p = kDigits[i];
  }
  if (u >= 10) {
    unsigned i = static_cast<unsigned>(u) * 2;
    *--p = kDigits[i + 1];
    *--p = kDigits[i];
  } else {
    *--p = static_cast<char>('0' + u);
  }
  size_t n = static_cast<size_t>(tmp + sizeof(tmp) - p);
  size_t len = 0;
  if (v < 0) out[len++] = '-';
  std::memcpy(out + len, p, n);
  return len + n;
}

std::string Int64ToString(int64_t v) {
  char buf[21];
  return std::string(buf, FormatInt64(v, buf));
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  // Usual values fit on the stack; the largest finite long double has 4933 integer digits,
  // which with 17 decimals still fits Redis's 5 KB buffer.
  char small[128];
  int n = std::snprintf(small, sizeof(small), "%.17Lf", v);
  if (n < 0) return "nan";
  std::string buf;
  if (static_cast<size_t>(n) < sizeof(small)) {
    buf.assign(small, static_cast<size_t>(n));
  } else {
    buf.resize(static_cast<size_t>(n) + 1);
    std::snprintf(buf.data(), buf.size(), "%.17Lf", v);
    buf.resize(static_cast<size_t>(n));
  }
  if (buf.find('.') != std::string::npos) {
    while (!buf.empty() && buf.back() == '0') buf.pop_back();
    if (!buf.empty() && buf.back() == '.') buf.pop_back();
  }
  if (buf == "-0") buf = "0";
  return buf;
}

bool IsCanonicalInt64(std::string_view s, int64_t* out) {
  std::optional<int64_t> v = ParseInt64(s);
  if (!v) return false;
  if (out != nullptr) *out = *v;
  return true;
}

std::optional<uint64_t> MemoryUnitMultiplier(std::string_view unit) {
  if (unit.empty() || EqualsNoCase(unit, "b")) return 1;
  if (EqualsNoCase(unit, "k")) return 1000;
  if (EqualsNoCase(unit, "kb")) return 1024;
  if (EqualsNoCase(unit, "m")) return 1000ULL * 1000;
  if (EqualsNoCase(unit, "mb")) return 1024ULL * 1024;
  if (EqualsNoCase(unit, "g")) return 1000ULL * 1000 * 1000;
  if (EqualsNoCase(unit, "gb")) return 1024ULL * 1024 * 1024;
  return std::nullopt;
}

}  // namespace gannet
