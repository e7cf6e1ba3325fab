// A canonical JSON description of a value (type, encoding, contents) for the RDB tests and
// rdb_tool: two values describe the same iff they hold the same data in the same encoding.
// Byte strings are hex so the JSON is binary-safe; sets and hashes are sorted.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/common/numbers.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/stream_object.h"
#include "gannet/engine/value.h"
#include "gannet/engine/zset_object.h"

namespace gannet::rdbtest {

// Concatenation by appends (GCC 12 warns falsely on `"literal" + std::string&&` chains).
inline std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

inline std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  out += "\"";
  return out;
}

inline std::string Quote(std::string_view s) { return Cat({"\"", s, "\""}); }

inline std::string Join(const std::vector<std::string>& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ",";
    out += parts[i];
  }
  out += "]";
  return out;
}

inline std::string Id(const StreamID& id) { return Quote(id.ToString()); }

inline std::string DescribeStream(const StreamObject& s) {
  std::vector<std::string> entries;
  StreamObject::Iterator it(s, StreamID::Min(), StreamID::Max(), false);
  StreamID id;
  StreamObject::FieldList fields;
  while (it.Next(&id, &fields)) {
    std::vector<std::string> fv;
    for (const auto& [f, v] : fields) {
      fv.push_back(Hex(f));
      fv.push_back(Hex(v));
    }
    entries.push_back(Cat({"[", Id(id), ",", Join(fv), "]"}));
  }
  std::vector<std::string> groups;
  if (s.group_count() > 0) {
    for (const auto& [name, g] : s.groups()) {
      std::vector<std::string> pel;
      for (const auto& [pid, nack] : g->pel) {
        pel.push_back(Cat({"[", Id(pid), ",", Hex(nack.consumer ? nack.consumer->name : "?"), ",",
                           std::to_string(nack.delivery_count), ",",
                           std::to_string(nack.delivery_time_ms), "]"}));
      }
      std::vector<std::string> consumers;
      for (const auto& [cname, c] : g->consumers) {
        std::vector<std::string> ids;
        for (const StreamID& pid : c->pel) ids.push_back(Id(pid));
        consumers.push_back(
            Cat({"[", Hex(cname), ",", std::to_string(c->seen_time_ms), ",", Join(ids), "]"}));
      }
      groups.push_back(Cat({"{\"name\":", Hex(name), ",\"last_id\":", Id(g->last_id),
                            ",\"entries_read\":", std::to_string(g->entries_read),
                            ",\"pel\":", Join(pel), ",\"consumers\":", Join(consumers), "}"}));
    }
  }
  return Cat({"{\"entries\":", Join(entries), ",\"length\":", std::to_string(s.length()),
              ",\"last_id\":", Id(s.last_id()), ",\"first_id\":", Id(s.first_id()),
              ",\"max_deleted_id\":", Id(s.max_deleted_id()), ",\"entries_added\":",
              std::to_string(s.entries_added()), ",\"groups\":", Join(groups), "}"});
}

inline std::string DescribeValue(const Value& v) {
  std::string body;
  switch (v.type()) {
    case ValueType::kString:
      body = Hex(v.AsString());
      break;
    case ValueType::kList: {
      std::vector<std::string> items;
      const auto* l = v.As<ListObject>();
      l->Visit(0, l->size(), [&](const Listpack::Element& e) {
        items.push_back(Hex(e.ToStdString()));
        return true;
      });
      body = Join(items);
      break;
    }
    case ValueType::kSet: {
      std::vector<std::string> items;
      v.As<SetObject>()->ForEach([&](std::string_view m) { items.push_back(Hex(m)); });
      std::sort(items.begin(), items.end());
      body = Join(items);
      break;
    }
    case ValueType::kZSet: {
      std::vector<std::string> items;
      v.As<ZSetObject>()->ForEach([&](std::string_view m, double score) {
        items.push_back(Cat({"[", Hex(m), ",", Quote(FormatDouble(score)), "]"}));
      });
      body = Join(items);
      break;
    }
    case ValueType::kHash: {
      std::vector<std::string> items;
      v.As<HashObject>()->ForEach([&](std::string_view f, std::string_view val) {
        items.push_back(Cat({"[", Hex(f), ",", Hex(val), "]"}));
      });
      std::sort(items.begin(), items.end());
      body = Join(items);
      break;
    }
    case ValueType::kStream:
      body = DescribeStream(*v.As<StreamObject>());
      break;
  }
  return Cat({"{\"type\":", Quote(TypeName(v.type())),
              ",\"encoding\":", Quote(EncodingName(v.encoding())), ",\"value\":", body, "}"});
}

}  // namespace gannet::rdbtest
