// placeholder: being written
#include "command_gates.h"
#include "introspection.h"
namespace gannet {
void AfterCommand(const CommandSpec&, CommandContext&, int64_t) {}
}  // namespace gannet
