// placeholder: being written
#include "command_gates.h"
#include "gannet/commands/command_table.h"
namespace gannet {
bool PassesPersistenceGate(const CommandSpec&, CommandContext&) { return true; }
void RegisterPersistenceFamily(CommandTable&) {}
}  // namespace gannet
