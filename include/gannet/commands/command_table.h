// The one command table: every command family registers its rows here, and everything
// that needs to know about commands reads them from here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

// Per-command counters for INFO commandstats / latencystats.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

class CommandTable {
 public:
  CommandTable();  // registers every family

  void Register(CommandSpec spec);

  // Case-insensitive lookup of a top-level command; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Subcommand lookup in a container command ("config", "get").
  const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub) const;

  const std::vector<CommandSpec>& commands() const { return commands_; }
  size_t size() const { return commands_.size(); }

  CommandStats& stats(const CommandSpec& spec) const;

 private:
  std::vector<CommandSpec> commands_;
  std::unordered_map<std::string, size_t> index_;  // lower-case name -> position
  mutable std::unordered_map<const CommandSpec*, CommandStats> stats_;
};

// One per family file; called by CommandTable's constructor.
void RegisterStringFamily(CommandTable& table);
void RegisterKeysFamily(CommandTable& table);
void RegisterServerFamily(CommandTable& table);      // INFO, CONFIG, DBSIZE, FLUSH*, TIME, ...
void RegisterConnectionFamily(CommandTable& table);  // PING, ECHO, HELLO, AUTH, CLIENT, ...
void RegisterCommandFamily(CommandTable& table);     // COMMAND and its subcommands

}  // namespace gannet
