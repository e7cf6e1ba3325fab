// Which arguments of a command are keys. Most rows say it with first/last/step; the
// movable-keys commands (numkeys counts, STREAMS, STORE, KEYS ...) need their arguments
// read, as Redis's getkeys procedures do. COMMAND GETKEYS and the ACL key checks use it.
#pragma once

#include <cstddef>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

enum class KeyExtraction { kOk, kNoKeys, kInvalid };

// Appends the index in `args` (args[0] = the command name) of every key argument.
// kNoKeys: the command takes no keys at all; kInvalid: its arguments do not say where the
// keys are (a numkeys larger than the arguments, a missing STREAMS ...).
KeyExtraction ExtractKeys(const CommandSpec& spec, CmdArgs args, std::vector<size_t>* keys);

}  // namespace gannet
