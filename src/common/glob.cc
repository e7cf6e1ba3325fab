// Glob matching with the semantics of Redis 7.0's stringmatchlen (see glob.h), rewritten
// as an iterative matcher: every token other than '*' consumes exactly one byte, so the
// classic "remember the last star, retry one byte further" backtracking is exact and runs
// in O(pattern * string) time with constant stack.
//
// Quirks kept on purpose because clients see them:
//  - the empty string matches only the empty pattern (Redis never enters its match loop);
//  - "[abc" (unterminated) is a class running to the end of the pattern, "[" alone matches
//    nothing and "[^" matches any byte;
//  - in a class, "x-y" is a range even when y is ']' or the range is reversed, and bytes
//    compare as signed chars, as they do in Redis's C code;
//  - a trailing lone backslash matches a literal backslash.
#include "gannet/common/glob.h"

#include <cstddef>

namespace gannet {

namespace {

int Lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

class Matcher {
 public:
  Matcher(std::string_view pattern, bool nocase) : p_(pattern), nocase_(nocase) {}

  // Byte i of the pattern as a signed char, or 0 past the end (Redis reads the
  // terminating NUL of its sds strings there).
  int At(size_t i) const {
    return i < p_.size() ? static_cast<int>(static_cast<signed char>(p_[i])) : 0;
  }
  size_t size() const { return p_.size(); }
  bool IsStar(size_t i) const { return i < p_.size() && p_[i] == '*'; }

  // Matches the single-byte token at pattern offset i (not '*') against c. Sets *next to the
  // offset after the token. Returns whether c matches.
  bool Token(size_t i, char ch, size_t* next) const {
    const int c = static_cast<signed char>(ch);
    size_t left = p_.size() - i;
    switch (p_[i]) {
      case '?':
        *next = i + 1;
        return true;
      case '[':
        return Class(i + 1, c, next);
      case '\\':
        if (left >= 2) ++i;
        [[fallthrough]];
      default:
        *next = i + 1;
        return nocase_ ? Lower(At(i)) == Lower(c) : At(i) == c;
    }
  }

 private:
  // The class body starts at i (just after '['). Mirrors Redis's loop, including how it
  // treats an unterminated class.
  bool Class(size_t i, int c, size_t* next) const {
    const size_t n = p_.size();
    bool negate = At(i) == '^' && i < n;
    if (negate) ++i;
    bool match = false;
    for (;;) {
      size_t left = n - i;
      if (At(i) == '\\' && left >= 2) {
        ++i;
        // Redis compares an escaped class member case-sensitively even with nocase.
        if (At(i) == c) match = true;
      } else if (left > 0 && At(i) == ']') {
        break;
      } else if (left == 0) {
        // Unterminated: the class ends with the pattern.
        *next = n;
        return negate ? !match : match;
      } else if (left >= 3 && At(i + 1) == '-') {
        int start = At(i);
        int end = At(i + 2);
        int ch = c;
        if (start > end) {
          int t = start;
          start = end;
          end = t;
        }
        if (nocase_) {
          start = Lower(start);
          end = Lower(end);
          ch = Lower(ch);
        }
        i += 2;
        if (ch >= start && ch <= end) match = true;
      } else {
        if (nocase_ ? Lower(At(i)) == Lower(c) : At(i) == c) match = true;
      }
      ++i;
    }
    *next = i + 1;  // past ']'
    return negate ? !match : match;
  }

  std::string_view p_;
  bool nocase_;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  if (str.empty()) return pattern.empty();
  Matcher m(pattern, nocase);
  const size_t plen = pattern.size();
  size_t p = 0;
  size_t s = 0;
  size_t star_p = SIZE_MAX;  // pattern offset just after the last star seen
  size_t star_s = 0;         // string offset that star currently extends to
  while (s < str.size()) {
    if (m.IsStar(p)) {
      while (m.IsStar(p)) ++p;
      if (p == plen) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    size_t next;
    if (p < plen && m.Token(p, str[s], &next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == SIZE_MAX) return false;
    // Let the last star swallow one more byte and retry the rest of the pattern.
    p = star_p;
    s = ++star_s;
  }
  while (m.IsStar(p)) ++p;
  return p == plen;
}

}  // namespace gannet
