// gmock matchers over RespValue for command tests:
//
//   EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
//   EXPECT_THAT(Run({"INCR", "s"}), ErrorIs("ERR value is not an integer or out of range"));
//   EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
//   EXPECT_THAT(Run({"GET", "nope"}), IsNil());
//   EXPECT_THAT(Run({"MGET", "a", "b"}), ArrayOf(BulkIs("1"), IsNil()));
//   EXPECT_THAT(Run({"KEYS", "*"}), UnorderedBulkArray({"a", "b"}));
//
// Failure messages print the whole reply with RespValue::ToString().
#pragma once

#include <gmock/gmock.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "testing/resp_value.h"

namespace gannet {

using RespMatcher = ::testing::Matcher<const RespValue&>;

// A matcher from a predicate and a description; the building block of the ones below.
// The predicate may write an explanation to *why (it is never null).
RespMatcher MakeRespMatcher(std::string description,
                            std::function<bool(const RespValue&, std::ostream* why)> pred);

RespMatcher IsOk();                      // +OK
RespMatcher SimpleIs(std::string text);  // +text
RespMatcher IsError();                   // any error
RespMatcher ErrorIs(std::string text);   // -text exactly (text without '-')
RespMatcher ErrorStartsWith(std::string prefix);
RespMatcher IntIs(int64_t v);                // :v
RespMatcher IsInt();                         // any integer
RespMatcher BulkIs(std::string text);        // $len text (also matches RESP3 verbatim)
RespMatcher IsNil();                         // $-1, *-1 or _
RespMatcher IsNullArray();                   // RESP2 *-1 (or RESP3 _)
RespMatcher DoubleIs(double v);              // RESP3 ,v or a RESP2 bulk holding v
RespMatcher DoubleTextIs(std::string text);  // ,text or bulk text, compared as text
RespMatcher BoolIs(bool v);                  // RESP3 #t/#f or RESP2 :1/:0
RespMatcher IsType(RespType type);
RespMatcher ArrayLen(size_t n);  // array (or set/push) of n elements
RespMatcher EmptyArray();

// An array whose elements match the given matchers in order.
RespMatcher ArrayOfMatchers(std::vector<RespMatcher> elems);
template <typename... M>
RespMatcher ArrayOf(M&&... elems) {
  return ArrayOfMatchers(std::vector<RespMatcher>{RespMatcher(std::forward<M>(elems))...});
}
// An array of bulk strings, in order / in any order.
RespMatcher BulkArray(std::vector<std::string> items);
RespMatcher UnorderedBulkArray(std::vector<std::string> items);
// A RESP3 set (or RESP2 array) of these bulk strings in any order.
RespMatcher SetOf(std::vector<std::string> items);
// A RESP3 map, or a RESP2 flat array of key/value pairs, whose pairs are these (keys and
// values compared as strings; order ignored).
RespMatcher MapOf(std::vector<std::pair<std::string, std::string>> pairs);
// Equal to the given value (types, nesting and all).
RespMatcher RespEq(RespValue expected);

}  // namespace gannet
