// What the command table learns about each command from generated data rather than from
// its family's row: Redis 7 key specs (command_key_specs.cc), the COMMAND DOCS facts
// (command_docs.cc) and the key finders of commands whose keys need their arguments read
// (key_extraction.cc). scripts/gen_command_specs.py writes the two data files from a
// running redis-server; everything is constexpr, looked up by name once at registration.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

// COMMAND DOCS doc_flags.
enum DocFlag : uint8_t {
  kDocDeprecated = 1u << 0,  // deprecated
  kDocSyscmd = 1u << 1,      // syscmd
};

// The COMMAND DOCS facts of one command. The summary and complexity texts are the family
// row's (CommandDoc); since and group here win over the row's.
//
// `history` holds one "version text" entry per line. `args` is the argument tree, arguments
// separated by spaces, each written
//   name<type>[#key_spec_index]['token'][@since][^deprecated_since][?][*][+][(children)]
// with ? optional, * multiple, + multiple_token, and children for the oneof and block types,
// e.g. "key<key>#0 condition<oneof>?(nx<pure-token>'NX' xx<pure-token>'XX')".
struct CommandDocInfo {
  std::string_view name;
  std::string_view since;
  std::string_view group;
  uint8_t doc_flags;  // DocFlag bits
  std::string_view deprecated_since;
  std::string_view replaced_by;
  bool has_complexity;  // false: Redis documents none (SYNC, MONITOR, ...)
  std::string_view history;
  std::string_view args;
};

// One argument of a parsed `args` tree, in pre-order; `subtree` counts the argument and all
// its descendants, so the next sibling of node i is node i + subtree.
struct DocArg {
  std::string_view name;
  std::string_view type;
  int key_spec_index = -1;  // -1: none
  bool has_token = false;   // a token may be empty (MIGRATE's "")
  std::string_view token;
  std::string_view since;
  std::string_view deprecated_since;
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  size_t subtree = 1;
};

// Parses an `args` tree; false (and *out unspecified) when it is malformed.
bool ParseDocArgs(std::string_view text, std::vector<DocArg>* out);

// Lookups by full command name ("get", "config|get"); empty/nullptr when there is no data.
std::span<const KeySpec> FindKeySpecs(std::string_view name);
const CommandDocInfo* FindDocInfo(std::string_view name);
GetKeysProc FindGetKeysProc(std::string_view name);

// Sets key_specs, getkeys_proc and doc_info of `spec` and of its subcommands.
void AttachCommandMetadata(CommandSpec& spec);

// ---------------------------------------------------------------------------------------
// Helpers for the generated tables.

constexpr KeySpec::Begin KsIndex(int index) { return {KeyBegin::kIndex, index, {}}; }
constexpr KeySpec::Begin KsKeyword(std::string_view keyword, int startfrom) {
  return {KeyBegin::kKeyword, startfrom, keyword};
}
constexpr KeySpec::Begin KsUnknownBegin() { return {KeyBegin::kUnknown, 0, {}}; }
constexpr KeySpec::Find KsRange(int lastkey, int keystep, int limit) {
  return {KeyFind::kRange, lastkey, keystep, limit, 0, 0};
}
constexpr KeySpec::Find KsKeynum(int keynumidx, int firstkey, int keystep) {
  return {KeyFind::kKeynum, 0, keystep, 0, keynumidx, firstkey};
}
constexpr KeySpec::Find KsUnknownFind() { return {KeyFind::kUnknown, 0, 0, 0, 0, 0}; }

// The rows of `name` in a table sorted by command name.
template <size_t N>
std::span<const KeySpec> KeySpecsIn(const KeySpec (&table)[N], std::string_view name) {
  auto [lo, hi] =
      std::equal_range(std::begin(table), std::end(table), name, [](const auto& a, const auto& b) {
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, KeySpec>) {
          return a.command < b;
        } else {
          return a < b.command;
        }
      });
  return {lo, hi};
}

template <size_t N>
const CommandDocInfo* DocInfoIn(const CommandDocInfo (&table)[N], std::string_view name) {
  auto it =
      std::lower_bound(std::begin(table), std::end(table), name,
                       [](const CommandDocInfo& d, std::string_view n) { return d.name < n; });
  return (it != std::end(table) && it->name == name) ? it : nullptr;
}

}  // namespace gannet
