// SORT and SORT_RO over lists, sets and sorted sets:
//
//   SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
//        [STORE destination]
//
// As Redis 7.0: elements sort numerically (parsed as C doubles, ties broken by the bytes of
// the element) or with ALPHA by their bytes; BY looks weights up in other keys ("w_*" or
// "h_*->field"), and a BY pattern without '*' means "do not sort" (lists and sorted sets keep
// their order, honouring DESC and LIMIT; sets keep theirs unless STOREd, when they sort
// ALPHA to stay deterministic). GET fetches other keys per element ("#" is the element).
// STORE writes the result as a list and replies with its length. SORT_RO has no STORE.
//
// LIMIT is clamped to the collection size before any arithmetic or allocation, so huge or
// negative values cost nothing (CVE-2022-35977).
//
// ALPHA compares bytes (strcoll under the C locale Redis runs with by default, so up to a
// NUL; whole strings with STORE). Equal
// elements end in Redis's order: load order (glibc's qsort is a stable merge sort), except
// for BY with a partial LIMIT, where Redis runs a partial quicksort that we follow step by
// step (PartialQuickSort). Sets and sorted sets load in our own iteration order, which for
// hashtable sets (and sorted sets, which Redis reads from its dict) differs from Redis's.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/zset_object.h"
#include "sort_list_access.h"

namespace gannet {

namespace {

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dont_sort = false;
  std::optional<std::string_view> by;
  std::optional<std::string_view> store;
  std::vector<std::string_view> gets;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
};

struct SortItem {
  std::string element;
  double score = 0;
  bool has_cmp = false;  // ALPHA with BY: whether the weight key exists
  std::string cmp;
};

// A looked-up value: the bytes of a string key or of a hash field.
struct Found {
  bool ok = false;
  std::string bytes;
};

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' of the
// pattern is replaced by the element and, if "->field" follows the '*', the field of that
// hash is read. A pattern without '*', a missing key or a key of the wrong type gives
// nothing.
Found LookupByPattern(Database& db, std::string_view pattern, std::string_view element) {
  Found out;
  if (pattern == "#") {
    out.ok = true;
    out.bytes.assign(element);
    return out;
  }
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return out;
  std::string_view field;
  std::string_view tail = pattern.substr(star + 1);
  const size_t arrow = tail.find("->");
  if (arrow != std::string_view::npos && arrow + 2 < tail.size()) {
    field = tail.substr(arrow + 2);
    tail = tail.substr(0, arrow);
  }
  std::string key;
  key.reserve(star + element.size() + tail.size());
  key.append(pattern.substr(0, star));
  key.append(element);
  key.append(tail);
  const Entry* e = db.FindRead(key);
  if (e == nullptr) return out;
  if (!field.empty()) {
    if (e->value.type() != ValueType::kHash) return out;
    HashObject::NumBuf buf;
    std::optional<std::string_view> v = e->value.As<HashObject>()->Get(field, buf);
    if (!v) return out;
    out.ok = true;
    out.bytes.assign(*v);
    return out;
  }
  if (!e->value.IsString()) return out;
  out.ok = true;
  out.bytes.assign(e->value.AsString());
  return out;
}

// strtod as Redis applies it to a weight: leading space and hex are accepted, trailing bytes
// (up to a NUL) are not, nor NaN or out-of-range values. The empty string is 0.
bool ParseWeight(const std::string& s, double* out) {
  const char* begin = s.c_str();  // stops at an embedded NUL, as Redis's C string does
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  *out = v;
  return end[0] == '\0' && errno != ERANGE && !std::isnan(v);
}

int CompareBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// ALPHA order. Redis collates C strings (strcoll, the C locale: bytes up to the first NUL)
// unless the result is stored, when it compares whole binary strings so that a replica
// stores the same list.
int CompareAlpha(std::string_view a, std::string_view b, bool storing) {
  if (!storing) {
    a = a.substr(0, a.find('\0'));
    b = b.substr(0, b.find('\0'));
  }
  return CompareBytes(a, b);
}

// Bentley and McIlroy's quicksort ("Engineering a Sort Function", 1993: median of three,
// or ninther above 40 elements; three-way partition; insertion sort below 7 elements),
// recursing only into the parts that overlap the wanted index range [lo, hi]. It is the partial
// sort Redis uses for SORT ... BY ... LIMIT; following the same steps gives equal elements the same
// final order.
template <typename Cmp>
void PartialQuickSort(std::vector<SortItem>& v, size_t lo, size_t hi, const Cmp& cmp) {
  auto c = [&](size_t i, size_t j) { return cmp(v[i], v[j]); };
  auto swap = [&](size_t i, size_t j) { std::swap(v[i], v[j]); };
  auto med3 = [&](size_t a, size_t b, size_t d) {
    return c(a, b) < 0 ? (c(b, d) < 0 ? b : (c(a, d) < 0 ? d : a))
                       : (c(b, d) > 0 ? b : (c(a, d) < 0 ? a : d));
  };
  auto insertion = [&](size_t a, size_t n) {
    for (size_t m = a + 1; m < a + n; ++m) {
      for (size_t l = m; l > a && c(l - 1, l) > 0; --l) swap(l, l - 1);
    }
  };
  // Explicit stack of (first, count) parts still to sort.
  std::vector<std::pair<size_t, size_t>> todo;
  if (!v.empty()) todo.emplace_back(0, v.size());
  while (!todo.empty()) {
    auto [a, n] = todo.back();
    todo.pop_back();
    for (;;) {
      if (n < 7) {
        insertion(a, n);
        break;
      }
      size_t pm = a + n / 2;
      if (n > 7) {
        size_t pl = a;
        size_t pn = a + n - 1;
        if (n > 40) {
          const size_t d = n / 8;
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(a, pm);
      // Invariant: [a+1, pa) == pivot, [pa, pb) < pivot, (pc, pd] > pivot, (pd, end) ==.
      size_t pa = a + 1, pb = a + 1;
      size_t pc = a + n - 1, pd = a + n - 1;
      for (;;) {
        int r;
        while (pb <= pc && (r = c(pb, a)) <= 0) {
          if (r == 0) swap(pa++, pb);
          ++pb;
        }
        while (pb <= pc && (r = c(pc, a)) >= 0) {
          if (r == 0) swap(pc, pd--);
          --pc;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
      }
      const size_t pn = a + n;
      // Move the pivot-equal runs from both ends to the middle.
      size_t r = std::min(pa - a, pb - pa);
      for (size_t i = 0; i < r; ++i) swap(a + i, pb - r + i);
      r = std::min(pd - pc, pn - pd - 1);
      for (size_t i = 0; i < r; ++i) swap(pb + i, pn - r + i);
      auto overlaps = [lo, hi](size_t first, size_t count) {
        return !(hi < first || lo > first + count - 1);
      };
      const size_t left = pb - pa;   // elements below the pivot, now at [a, a+left)
      const size_t right = pd - pc;  // elements above it, now at [pn-right, pn)
      if (left > 1 && overlaps(a, left)) todo.emplace_back(a, left);
      if (right > 1 && overlaps(pn - right, right)) {
        a = pn - right;
        n = right;
        continue;
      }
      break;
    }
  }
}

// The zset loaded by rank (used for sorted sets; Redis converts them to its big encoding
// before sorting, which OBJECT ENCODING shows afterwards).
void ConvertZSetToBig(Value& v) {
  const auto* z = v.As<ZSetObject>();
  if (!z->is_listpack()) return;
  auto big = std::make_unique<ZSetObject>(true);
  ZSetObject::Limits limits;
  limits.max_entries = 0;
  limits.max_value = 0;
  z->ForEach([&](std::string_view member, double score) { big->Insert(member, score, limits); });
  v = Value::Object(std::move(*big));
}

void CmdSortGeneric(CmdArgs args, CommandContext& ctx, bool read_only) {
  SortOptions o;
  for (size_t j = 2; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    std::string_view a = args[j];
    if (EqualsNoCase(a, "ASC")) {
      o.desc = false;
    } else if (EqualsNoCase(a, "DESC")) {
      o.desc = true;
    } else if (EqualsNoCase(a, "ALPHA")) {
      o.alpha = true;
    } else if (EqualsNoCase(a, "LIMIT") && left >= 2) {
      auto start = ParseInt64(args[j + 1]);
      auto count = start ? ParseInt64(args[j + 2]) : std::nullopt;
      if (!start || !count) return ctx.reply.SendError(kNotIntegerErr);
      o.limit_start = *start;
      o.limit_count = *count;
      j += 2;
    } else if (!read_only && EqualsNoCase(a, "STORE") && left >= 1) {
      o.store = args[++j];
    } else if (EqualsNoCase(a, "BY") && left >= 1) {
      o.by = args[++j];
      o.dont_sort = o.by->find('*') == std::string_view::npos;
    } else if (EqualsNoCase(a, "GET") && left >= 1) {
      o.gets.push_back(args[++j]);
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }

  Database& db = ctx.db();
  Entry* src = db.FindRead(args[1]);
  ValueType type = ValueType::kList;  // a missing key sorts as an empty list
  if (src != nullptr) {
    type = src->value.type();
    if (type != ValueType::kList && type != ValueType::kSet && type != ValueType::kZSet) {
      return ctx.reply.SendError(kWrongTypeErr);
    }
  }
  // An unsorted set has no defined order: when the result is stored, sort it ALPHA.
  if (o.dont_sort && type == ValueType::kSet && o.store) {
    o.dont_sort = false;
    o.alpha = true;
    o.by.reset();
  }
  if (src != nullptr && type == ValueType::kZSet) ConvertZSetToBig(src->value);

  size_t len = 0;
  if (src != nullptr) {
    if (type == ValueType::kList) {
      len = ListLength(src->value);
    } else if (type == ValueType::kSet) {
      len = src->value.As<SetObject>()->size();
    } else {
      len = src->value.As<ZSetObject>()->size();
    }
  }

  // LIMIT, clamped to the size first so nothing below can overflow: [start, end] inclusive.
  const auto n = static_cast<int64_t>(len);
  int64_t start = std::min(std::max<int64_t>(o.limit_start, 0), n);
  const int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), n);
  int64_t end = count < 0 ? n - 1 : start + count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;

  // Load the elements. Lists and sorted sets that are not sorted load only the range.
  std::vector<SortItem> items;
  const bool ranged = o.dont_sort && type != ValueType::kSet && src != nullptr;
  if (ranged) {
    if (end >= start) {
      const auto from = static_cast<size_t>(start);
      const auto take = static_cast<size_t>(end - start + 1);
      items.reserve(take);
      auto push = [&items](std::string_view s) { items.push_back({std::string(s)}); };
      if (type == ValueType::kList) {
        ListRange(src->value, from, take, o.desc, push);
      } else {
        const auto* z = src->value.As<ZSetObject>();
        const size_t lo = o.desc ? len - from - take : from;
        z->ForEachInRanks(lo, lo + take, o.desc, [&push](std::string_view m, double) { push(m); });
      }
    }
    end -= start;
    start = 0;
  } else if (src != nullptr) {
    items.reserve(len);
    auto push = [&items](std::string_view s) { items.push_back({std::string(s)}); };
    if (type == ValueType::kList) {
      ListRange(src->value, 0, len, false, push);
    } else if (type == ValueType::kSet) {
      src->value.As<SetObject>()->ForEach(push);
    } else {
      src->value.As<ZSetObject>()->ForEach([&push](std::string_view m, double) { push(m); });
    }
  }

  // Weights, then the sort.
  bool bad_weight = false;
  if (!o.dont_sort) {
    for (SortItem& it : items) {
      if (o.alpha) {
        if (o.by) {
          Found w = LookupByPattern(db, *o.by, it.element);
          it.has_cmp = w.ok;
          if (w.ok) it.cmp = std::move(w.bytes);
        }
        continue;
      }
      if (o.by) {
        Found w = LookupByPattern(db, *o.by, it.element);
        if (!w.ok) continue;  // a missing weight counts as 0
        if (!ParseWeight(w.bytes, &it.score)) bad_weight = true;
      } else if (!ParseWeight(it.element, &it.score)) {
        bad_weight = true;
      }
    }
    if (!bad_weight) {
      const bool by = o.by.has_value();
      auto cmp = [&o, by](const SortItem& a, const SortItem& b) {
        int c;
        if (!o.alpha) {
          c = a.score > b.score ? 1 : (a.score < b.score ? -1 : CompareBytes(a.element, b.element));
        } else if (by) {
          if (!a.has_cmp || !b.has_cmp) {
            c = a.has_cmp == b.has_cmp ? 0 : (a.has_cmp ? 1 : -1);
          } else {
            c = CompareAlpha(a.cmp, b.cmp, o.store.has_value());
          }
        } else {
          c = CompareAlpha(a.element, b.element, o.store.has_value());
        }
        return o.desc ? -c : c;
      };
      // Redis sorts a LIMITed BY sort with a partial quicksort and everything else with
      // glibc's (stable, merge) qsort; the order of equal elements follows from that.
      if (by && (start != 0 || end != static_cast<int64_t>(items.size()) - 1)) {
        PartialQuickSort(items, static_cast<size_t>(start), static_cast<size_t>(end), cmp);
      } else {
        std::stable_sort(items.begin(), items.end(),
                         [&cmp](const SortItem& a, const SortItem& b) { return cmp(a, b) < 0; });
      }
    }
  }
  if (bad_weight)
    return ctx.reply.SendError("ERR One or more scores can't be converted into double");

  const size_t out_elems = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  const size_t per_elem = o.gets.empty() ? 1 : o.gets.size();
  if (!o.store) {
    ctx.reply.SendArrayLen(out_elems * per_elem);
    for (size_t i = 0; i < out_elems; ++i) {
      const SortItem& it = items[static_cast<size_t>(start) + i];
      if (o.gets.empty()) {
        ctx.reply.SendBulk(it.element);
        continue;
      }
      for (std::string_view pattern : o.gets) {
        Found v = LookupByPattern(db, pattern, it.element);
        if (v.ok) {
          ctx.reply.SendBulk(v.bytes);
        } else {
          ctx.reply.SendNull();
        }
      }
    }
    return;
  }

  // STORE: the result as a list (missing GET values stored as empty strings); an empty
  // result deletes the destination.
  std::vector<std::string> result;
  result.reserve(out_elems * per_elem);
  for (size_t i = 0; i < out_elems; ++i) {
    SortItem& it = items[static_cast<size_t>(start) + i];
    if (o.gets.empty()) {
      result.push_back(std::move(it.element));
      continue;
    }
    for (std::string_view pattern : o.gets) {
      result.push_back(LookupByPattern(db, pattern, it.element).bytes);
    }
  }
  // Events as Redis: "sortstore" ("new" first for a created destination) with one change
  // per element stored, or "del" when an empty result removed the destination.
  if (result.empty()) {
    if (db.Delete(*o.store)) ctx.KeyChanged(kNotifyGeneric, "del", *o.store);
    return ctx.reply.SendLong(0);
  }
  const auto stored = static_cast<int64_t>(result.size());
  Value list = MakeList(result);
  auto [entry, inserted] = db.FindOrInsert(*o.store);
  entry->value = std::move(list);
  if (!inserted && entry->has_expire()) db.ClearExpire(entry);
  if (inserted) ctx.Notify(kNotifyNewKey, "new", *o.store);
  ctx.KeyChanged(kNotifyList, "sortstore", *o.store, static_cast<uint64_t>(stored));
  ctx.reply.SendLong(stored);
}

void CmdSort(CmdArgs args, CommandContext& ctx) { CmdSortGeneric(args, ctx, false); }
void CmdSortRo(CmdArgs args, CommandContext& ctx) { CmdSortGeneric(args, ctx, true); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterSortFamily(CommandTable& t) {
  constexpr uint64_t kCats = kAclSet | kAclSortedSet | kAclList | kAclDangerous;
  t.Register({.name = "sort",
              .arity = -2,
              .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kCats,
              .handler = CmdSort,
              .doc = {"Sorts the elements of a list, set or sorted set, optionally storing the "
                      "result.",
                      "1.0.0", "generic", "O(N+M*log(M))"}});
  t.Register({.name = "sort_ro",
              .arity = -2,
              .flags = kCmdReadOnly | kCmdMovableKeys,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kCats,
              .handler = CmdSortRo,
              .doc = {"Returns the sorted elements of a list, set or sorted set.", "7.0.0",
                      "generic", "O(N+M*log(M))"}});
}

}  // namespace gannet
