// SORT's access to lists (sources and the STORE destination), kept apart so sort_family.cc
// reads the same for every collection type.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/engine/list_object.h"
#include "gannet/engine/value.h"

namespace gannet {

inline size_t ListLength(const Value& v) { return v.As<ListObject>()->size(); }

// Calls fn(std::string_view) for `count` elements: from index `from` towards the tail, or
// when reverse from index size()-1-from towards the head (SORT ... BY nosort DESC).
template <typename F>
void ListRange(const Value& v, size_t from, size_t count, bool reverse, F&& fn) {
  const ListObject* list = v.As<ListObject>();
  char buf[24];
  auto visit = [&](const ListObject::Element& e) {
    fn(e.ToString(buf));
    return true;
  };
  if (!reverse) {
    list->Visit(from, count, visit);
  } else if (from < list->size()) {
    list->VisitReverse(list->size() - 1 - from, count, visit);
  }
}

// The STORE destination: a new list holding items in order. Redis 7.0's SORT creates it
// with the quicklist's built-in options (8 KB nodes, no compression), not the configured
// list-max-listpack-size and list-compress-depth that pushes use, and the list keeps them.
inline Value MakeList(const std::vector<std::string>& items) {
  constexpr int kQuicklistDefaultFill = -2;
  auto list = std::make_unique<ListObject>(kQuicklistDefaultFill, /*compress_depth=*/0);
  for (const std::string& s : items) list->PushBack(s);
  return Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(list));
}

}  // namespace gannet
