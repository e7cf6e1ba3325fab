// placeholder: being written (WATCHed keys registry; MULTI/EXEC live in transaction_family.cc)
#pragma once

#include "gannet/engine/keyspace.h"

namespace gannet {

class Transactions {
 public:
  explicit Transactions(Keyspace& keyspace) : keyspace_(keyspace) {}

 private:
  [[maybe_unused]] Keyspace& keyspace_;
};

}  // namespace gannet
