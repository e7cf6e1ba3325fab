// placeholder: being written
#include "command_gates.h"
#include "gannet/commands/command_table.h"
namespace gannet {
bool PassesMemoryGate(const CommandSpec&, CommandContext&) { return true; }
void RegisterMemoryFamily(CommandTable&) {}
}  // namespace gannet
