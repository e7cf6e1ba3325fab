// Which arguments of a command line are keys, and how the command uses each, as Redis 7.0
// finds them: the command's key specs first (CommandSpec::key_specs), then, when those
// cannot tell (a spec marked incomplete or unknown, numkeys the arguments cannot hold) or
// when the flags depend on the arguments (variable_flags), the command's own key finder
// (CommandSpec::getkeys_proc: numkeys counts, SORT ... STORE, MIGRATE ... KEYS, XREAD
// STREAMS, SET ... GET, BITFIELD). COMMAND GETKEYS/GETKEYSANDFLAGS, client-side caching
// and the ACL key checks use it. The dispatcher's own per-command work keeps reading
// first_key/last_key/step directly.
#pragma once

#include <cstddef>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

// Whether the command can have keys at all (Redis's doesCommandHaveKeys): a key finder, or
// a key spec that is not marked not_key (SPUBLISH's channel is not a key).
bool CommandHasKeys(const CommandSpec& spec);

// Appends to *keys every key of `args` (args[0] = the command name; arity already checked)
// with the KeySpecFlag bits saying how the command uses it, in Redis's order, and returns
// how many; 0 when there are none or the arguments do not say where they are (a numkeys of
// 0 or past the end, no STREAMS ...). Redis's getKeysFromCommandWithSpecs with the default
// search flags: keys found by a key finder that does not know the flags carry 0, as there.
int FindKeysWithFlags(const CommandSpec& spec, CmdArgs args, std::vector<KeyRef>* keys);

enum class KeyExtraction { kOk, kNoKeys, kInvalid };

// The key positions alone (as FindKeysWithFlags finds them). kNoKeys: the command takes no
// keys at all; kInvalid: its arguments do not say where the keys are (nothing found by a
// command whose keys are mandatory, a numkeys larger than the arguments, ...). kOk with no
// keys happens for commands whose keys are optional (EVAL with numkeys 0).
KeyExtraction ExtractKeys(const CommandSpec& spec, CmdArgs args, std::vector<size_t>* keys);

}  // namespace gannet
