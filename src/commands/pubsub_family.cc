// placeholder: being written
#include "command_gates.h"
#include "gannet/commands/command_table.h"
namespace gannet {
bool PassesSubscribedModeGate(const CommandSpec&, CommandContext&) { return true; }
void RegisterPubSubFamily(CommandTable&) {}
}  // namespace gannet
