// The reference count Redis reports for a value (OBJECT REFCOUNT, DEBUG OBJECT). Gannet does
// not share values, but Redis shares the objects of the integers 0..9999 (refcount INT_MAX)
// unless maxmemory is set with an LRU/LFU policy, which needs per-object access data; clients
// see that number, so we report it the same way. A COPY of such an integer is an object of
// its own in Redis (refcount 1): Value::own_int_object.
#pragma once

#include <cstdint>
#include <string>

#include "gannet/common/config.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/value.h"

namespace gannet {

inline int64_t ObjectRefCount(const Config& cfg, const Value& v) {
  const bool shares =
      cfg.maxmemory == 0 || (cfg.maxmemory_policy.find("lru") == std::string::npos &&
                             cfg.maxmemory_policy.find("lfu") == std::string::npos);
  if (shares && v.IsString() && v.encoding() == Encoding::kInt && !v.own_int_object()) {
    int64_t n = 0;
    if (IsCanonicalInt64(v.AsString(), &n) && n >= 0 && n < 10000) return INT32_MAX;
  }
  return 1;
}

}  // namespace gannet
