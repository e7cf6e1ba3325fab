// placeholder: being written
#include "gannet/commands/command_table.h"
namespace gannet {
void RegisterDumpFamily(CommandTable&) {}
}  // namespace gannet
