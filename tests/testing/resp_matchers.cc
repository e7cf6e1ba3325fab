// Implementation of the RespValue matchers. Every matcher explains a mismatch by naming the
// reply it got, so a failing command test shows the full decoded reply.
#include "testing/resp_matchers.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace gannet {

namespace {

class PredicateMatcher : public ::testing::MatcherInterface<const RespValue&> {
 public:
  PredicateMatcher(std::string description,
                   std::function<bool(const RespValue&, std::ostream*)> pred)
      : description_(std::move(description)), pred_(std::move(pred)) {}

  bool MatchAndExplain(const RespValue& v,
                       ::testing::MatchResultListener* listener) const override {
    std::ostringstream why;
    bool ok = pred_(v, &why);
    if (!ok && listener->IsInterested()) {
      *listener << "got " << v.ToString();
      std::string w = why.str();
      if (!w.empty()) *listener << " (" << w << ")";
    }
    return ok;
  }
  void DescribeTo(std::ostream* os) const override { *os << description_; }
  void DescribeNegationTo(std::ostream* os) const override { *os << "not " << description_; }

 private:
  std::string description_;
  std::function<bool(const RespValue&, std::ostream*)> pred_;
};

bool IsStringish(const RespValue& v) {
  return v.type == RespType::kBulk || v.type == RespType::kSimple || v.type == RespType::kVerbatim;
}

bool IsList(const RespValue& v) {
  return v.type == RespType::kArray || v.type == RespType::kSet || v.type == RespType::kPush;
}

std::string Quote(const std::string& s) { return "\"" + EscapeBytes(s) + "\""; }

std::string JoinQuoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += Quote(items[i]);
  }
  return out + "]";
}

// The strings of a list whose elements are all bulk/simple strings, or nullopt.
std::optional<std::vector<std::string>> StringElems(const RespValue& v, std::ostream* why) {
  std::vector<std::string> out;
  for (size_t i = 0; i < v.elems.size(); ++i) {
    if (!IsStringish(v.elems[i])) {
      *why << "element " << i << " is a " << RespTypeName(v.elems[i].type);
      return std::nullopt;
    }
    out.push_back(v.elems[i].str);
  }
  return out;
}

}  // namespace

RespMatcher MakeRespMatcher(std::string description,
                            std::function<bool(const RespValue&, std::ostream*)> pred) {
  return ::testing::MakeMatcher(new PredicateMatcher(std::move(description), std::move(pred)));
}

RespMatcher IsOk() { return SimpleIs("OK"); }

RespMatcher SimpleIs(std::string text) {
  return MakeRespMatcher("is +" + EscapeBytes(text), [text](const RespValue& v, std::ostream*) {
    return v.type == RespType::kSimple && v.str == text;
  });
}

RespMatcher IsError() {
  return MakeRespMatcher(
      "is an error", [](const RespValue& v, std::ostream*) { return v.type == RespType::kError; });
}

RespMatcher ErrorIs(std::string text) {
  return MakeRespMatcher("is error -" + EscapeBytes(text),
                         [text](const RespValue& v, std::ostream*) {
                           return v.type == RespType::kError && v.str == text;
                         });
}

RespMatcher ErrorStartsWith(std::string prefix) {
  return MakeRespMatcher("is an error starting with -" + EscapeBytes(prefix),
                         [prefix](const RespValue& v, std::ostream*) {
                           return v.type == RespType::kError && v.str.starts_with(prefix);
                         });
}

RespMatcher IntIs(int64_t n) {
  return MakeRespMatcher("is :" + std::to_string(n), [n](const RespValue& v, std::ostream*) {
    return v.type == RespType::kInteger && v.integer == n;
  });
}

RespMatcher IsInt() { return IsType(RespType::kInteger); }

RespMatcher BulkIs(std::string text) {
  return MakeRespMatcher("is bulk " + Quote(text), [text](const RespValue& v, std::ostream*) {
    return (v.type == RespType::kBulk || v.type == RespType::kVerbatim) && v.str == text;
  });
}

RespMatcher IsNil() {
  return MakeRespMatcher(
      "is nil", [](const RespValue& v, std::ostream*) { return v.type == RespType::kNull; });
}

RespMatcher IsNullArray() {
  return MakeRespMatcher("is a null array", [](const RespValue& v, std::ostream* why) {
    if (v.type != RespType::kNull) return false;
    // RESP3 has one null; in RESP2 the null array is *-1, not $-1.
    if (!v.null_array) *why << "a null bulk ($-1), not a null array (*-1)";
    return v.null_array;
  });
}

RespMatcher DoubleIs(double d) {
  return MakeRespMatcher("is the double " + std::to_string(d),
                         [d](const RespValue& v, std::ostream* why) {
                           double got;
                           if (v.type == RespType::kDouble) {
                             got = v.dbl;
                           } else if (v.type == RespType::kBulk) {
                             if (v.str == "inf") {
                               got = HUGE_VAL;
                             } else if (v.str == "-inf") {
                               got = -HUGE_VAL;
                             } else {
                               char* end = nullptr;
                               got = std::strtod(v.str.c_str(), &end);
                               if (v.str.empty() || end != v.str.c_str() + v.str.size()) {
                                 *why << "not a number";
                                 return false;
                               }
                             }
                           } else {
                             return false;
                           }
                           return got == d || (std::isnan(got) && std::isnan(d));
                         });
}

RespMatcher DoubleTextIs(std::string text) {
  return MakeRespMatcher("is the double " + text, [text](const RespValue& v, std::ostream*) {
    return (v.type == RespType::kDouble || v.type == RespType::kBulk) && v.str == text;
  });
}

RespMatcher BoolIs(bool b) {
  return MakeRespMatcher(b ? "is true" : "is false", [b](const RespValue& v, std::ostream*) {
    if (v.type == RespType::kBool) return v.boolean == b;
    return v.type == RespType::kInteger && v.integer == (b ? 1 : 0);
  });
}

RespMatcher IsType(RespType type) {
  return MakeRespMatcher("is a " + std::string(RespTypeName(type)),
                         [type](const RespValue& v, std::ostream*) { return v.type == type; });
}

RespMatcher ArrayLen(size_t n) {
  return MakeRespMatcher("is an array of " + std::to_string(n) + " elements",
                         [n](const RespValue& v, std::ostream* why) {
                           if (!IsList(v)) return false;
                           if (v.elems.size() != n) *why << v.elems.size() << " elements";
                           return v.elems.size() == n;
                         });
}

RespMatcher EmptyArray() { return ArrayLen(0); }

RespMatcher ArrayOfMatchers(std::vector<RespMatcher> elems) {
  std::ostringstream desc;
  desc << "is an array of " << elems.size() << " elements [";
  for (size_t i = 0; i < elems.size(); ++i) {
    if (i > 0) desc << ", ";
    elems[i].DescribeTo(&desc);
  }
  desc << "]";
  return MakeRespMatcher(desc.str(), [elems](const RespValue& v, std::ostream* why) {
    if (!IsList(v)) return false;
    if (v.elems.size() != elems.size()) {
      *why << v.elems.size() << " elements";
      return false;
    }
    for (size_t i = 0; i < elems.size(); ++i) {
      ::testing::StringMatchResultListener l;
      if (!elems[i].MatchAndExplain(v.elems[i], &l)) {
        *why << "element " << i << " is " << v.elems[i].ToString();
        return false;
      }
    }
    return true;
  });
}

RespMatcher BulkArray(std::vector<std::string> items) {
  return MakeRespMatcher("is the array " + JoinQuoted(items),
                         [items](const RespValue& v, std::ostream* why) {
                           if (v.type != RespType::kArray) return false;
                           auto got = StringElems(v, why);
                           return got && *got == items;
                         });
}

RespMatcher UnorderedBulkArray(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return MakeRespMatcher("is an array of " + JoinQuoted(items) + " in any order",
                         [items](const RespValue& v, std::ostream* why) {
                           if (v.type != RespType::kArray) return false;
                           auto got = StringElems(v, why);
                           if (!got) return false;
                           std::sort(got->begin(), got->end());
                           return *got == items;
                         });
}

RespMatcher SetOf(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return MakeRespMatcher("is a set of " + JoinQuoted(items),
                         [items](const RespValue& v, std::ostream* why) {
                           if (v.type != RespType::kSet && v.type != RespType::kArray) {
                             return false;
                           }
                           auto got = StringElems(v, why);
                           if (!got) return false;
                           std::sort(got->begin(), got->end());
                           return *got == items;
                         });
}

RespMatcher MapOf(std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  std::string desc = "is a map {";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) desc += ", ";
    desc += Quote(pairs[i].first) + " => " + Quote(pairs[i].second);
  }
  desc += "}";
  return MakeRespMatcher(desc, [pairs](const RespValue& v, std::ostream* why) {
    if (v.type != RespType::kMap && v.type != RespType::kArray) return false;
    if (v.elems.size() % 2 != 0) {
      *why << "odd number of elements";
      return false;
    }
    auto got = StringElems(v, why);
    if (!got) return false;
    std::vector<std::pair<std::string, std::string>> kv;
    for (size_t i = 0; i < got->size(); i += 2) kv.emplace_back((*got)[i], (*got)[i + 1]);
    std::sort(kv.begin(), kv.end());
    return kv == pairs;
  });
}

RespMatcher RespEq(RespValue expected) {
  std::string desc = "equals " + expected.ToString();
  return MakeRespMatcher(desc, [expected = std::move(expected)](const RespValue& v, std::ostream*) {
    return v == expected;
  });
}

}  // namespace gannet
