// placeholder: being written
#include "gannet/commands/command_table.h"
namespace gannet {
void RegisterIntrospectionFamily(CommandTable&) {}
}  // namespace gannet
