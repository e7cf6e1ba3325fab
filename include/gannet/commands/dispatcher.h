// Runs one parsed command: looks it up in the table, checks existence, arity and
// authentication in Redis's order, takes the clock reading, calls the handler and
// keeps per-command statistics (INFO commandstats).
#pragma once

#include <cstdint>
#include <string_view>

#include "gannet/commands/command.h"
#include "gannet/commands/command_table.h"

namespace gannet {

struct DispatchStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_error_replies = 0;
};

class Dispatcher {
 public:
  Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server);

  // Executes args (args[0] = name) for client, writing the reply with `reply`.
  void Execute(CmdArgs args, ClientView& client, ReplyBuilder& reply);

  const CommandTable& table() const { return table_; }
  DispatchStats& stats() { return stats_; }

 private:
  const CommandTable& table_;
  Keyspace& keyspace_;
  ServerView& server_;
  DispatchStats stats_;
};

}  // namespace gannet
