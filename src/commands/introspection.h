// placeholder: being written (SLOWLOG, LATENCY, latencystats, MONITOR)
#pragma once

namespace gannet {

class Introspection {
 public:
  Introspection() = default;
};

}  // namespace gannet
