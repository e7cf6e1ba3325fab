// The one command table: every command family registers its rows here, and everything
// that needs to know about commands reads them from here. Built once at startup, then
// read-only (apart from the per-row counters, see CommandStats in command.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

class CommandTable {
 public:
  CommandTable();  // registers every family

  // Adds a row (name lower case). Derives the implicit ACL categories from the flags as
  // Redis does (write -> @write, readonly -> @read, admin -> @admin @dangerous, fast ->
  // @fast, otherwise @slow, ...), for the row and each of its subcommands. Must not be
  // called after lookups started: rows are returned by pointer.
  void Register(CommandSpec spec);

  // Case-insensitive lookup of a top-level command; nullptr when unknown. No allocation.
  const CommandSpec* Find(std::string_view name) const;
  // Subcommand lookup in a container command ("config", "get"); nullptr when unknown.
  const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub) const;

  // rename-command: `name` is found as `new_name` from now on, or not at all when
  // new_name is empty. false: no such command, or new_name is taken.
  bool Rename(std::string_view name, std::string_view new_name);

  const std::vector<CommandSpec>& commands() const { return commands_; }
  size_t size() const { return commands_.size(); }

  CommandStats& stats(const CommandSpec& spec) const { return spec.stats; }
  // Zeroes every row's counters (CONFIG RESETSTAT).
  void ResetStats() const;

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<CommandSpec> commands_;
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;  // name -> row
};

// One per family file; called by CommandTable's constructor.
void RegisterStringFamily(CommandTable& table);
void RegisterKeysFamily(CommandTable& table);
void RegisterServerFamily(CommandTable& table);      // INFO, CONFIG, DBSIZE, FLUSH*, TIME, ...
void RegisterConnectionFamily(CommandTable& table);  // PING, ECHO, HELLO, AUTH, CLIENT, ...
void RegisterCommandFamily(CommandTable& table);     // COMMAND and its subcommands
void RegisterHashFamily(CommandTable& table);        // H*
void RegisterSetFamily(CommandTable& table);         // S*
void RegisterListFamily(CommandTable& table);        // L*, R*, BL*, BR*
void RegisterZSetFamily(CommandTable& table);        // Z*, BZ*
void RegisterGeoFamily(CommandTable& table);         // GEO*
void RegisterBitmapFamily(
    CommandTable& table);  // SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD
void RegisterHyperLogLogFamily(CommandTable& table);    // PF*
void RegisterStreamFamily(CommandTable& table);         // X*
void RegisterSortFamily(CommandTable& table);           // SORT, SORT_RO
void RegisterMemoryFamily(CommandTable& table);         // MEMORY
void RegisterPersistenceFamily(CommandTable& table);    // SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF
void RegisterDebugFamily(CommandTable& table);          // DEBUG
void RegisterDumpFamily(CommandTable& table);           // DUMP, RESTORE
void RegisterPubSubFamily(CommandTable& table);         // (P|S)SUBSCRIBE, PUBLISH, PUBSUB, ...
void RegisterTransactionFamily(CommandTable& table);    // MULTI, EXEC, DISCARD, WATCH, UNWATCH
void RegisterIntrospectionFamily(CommandTable& table);  // SLOWLOG, LATENCY, MONITOR
void RegisterAclFamily(CommandTable& table);            // ACL
void RegisterAofFamily(CommandTable& table);            // BGREWRITEAOF

}  // namespace gannet
