// placeholder: being written
#include "command_gates.h"
#include "gannet/commands/command_table.h"
namespace gannet {
bool QueueInTransaction(const CommandSpec&, CommandContext&) { return false; }
void FlagTransactionError(ClientView&) {}
void RegisterTransactionFamily(CommandTable&) {}
}  // namespace gannet
