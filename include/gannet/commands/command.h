// A row of the command table and the context a handler runs in. The table is the one
// source for dispatch, arity errors, COMMAND INFO/DOCS/GETKEYS/COUNT and (later) ACL
// and the OOM gate: see command_table.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/protocol/reply_builder.h"

namespace gannet {

// args[0] is the command name as the client sent it.
using CmdArgs = std::span<const std::string_view>;

// Command flags, named as COMMAND INFO prints them.
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,             // write
  kCmdReadOnly = 1u << 1,          // readonly
  kCmdDenyOom = 1u << 2,           // denyoom
  kCmdAdmin = 1u << 3,             // admin
  kCmdPubSub = 1u << 4,            // pubsub
  kCmdNoScript = 1u << 5,          // noscript
  kCmdBlocking = 1u << 6,          // blocking
  kCmdLoading = 1u << 7,           // loading
  kCmdStale = 1u << 8,             // stale
  kCmdSkipMonitor = 1u << 9,       // skip_monitor
  kCmdSkipSlowlog = 1u << 10,      // skip_slowlog
  kCmdFast = 1u << 11,             // fast
  kCmdNoAuth = 1u << 12,           // no_auth
  kCmdMayReplicate = 1u << 13,     // may_replicate
  kCmdNoMulti = 1u << 14,          // no_multi
  kCmdAllowBusy = 1u << 15,        // allow_busy
  kCmdSentinel = 1u << 16,         // sentinel (never set; listed for completeness)
  kCmdNoMandatoryKeys = 1u << 17,  // no_mandatory_keys
  kCmdNoAsyncLoading = 1u << 18,   // no_async_loading
  kCmdMovableKeys = 1u << 19,      // movablekeys (derived in COMMAND INFO)
};

// ACL categories, named as COMMAND INFO prints them ("@keyspace", ...). The bit order is
// the order Redis prints them in; COMMAND INFO (command_family.cc) relies on it.
enum AclCategory : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedSet = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclHyperLogLog = 1ull << 9,
  kAclGeo = 1ull << 10,
  kAclStream = 1ull << 11,
  kAclPubSub = 1ull << 12,
  kAclAdmin = 1ull << 13,
  kAclFast = 1ull << 14,
  kAclSlow = 1ull << 15,
  kAclBlocking = 1ull << 16,
  kAclDangerous = 1ull << 17,
  kAclConnection = 1ull << 18,
  kAclTransaction = 1ull << 19,
  kAclScripting = 1ull << 20,
};
// Their names, indexed by bit number.
inline constexpr std::string_view kAclCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};

// Key specifications: where a command's keys are and how it uses them, as Redis 7 reports
// them in COMMAND INFO. Flags are named and ordered as COMMAND INFO prints them.
enum KeySpecFlag : uint32_t {
  kKeyRO = 1u << 0,              // RO: reads the value
  kKeyRW = 1u << 1,              // RW: reads and writes it
  kKeyOW = 1u << 2,              // OW: overwrites it without reading
  kKeyRM = 1u << 3,              // RM: deletes it
  kKeyAccess = 1u << 4,          // access: returns or uses user data
  kKeyUpdate = 1u << 5,          // update: changes existing data
  kKeyInsert = 1u << 6,          // insert: only adds data
  kKeyDelete = 1u << 7,          // delete: only removes data
  kKeyNotKey = 1u << 8,          // not_key: looks like a key but is not (shard channels)
  kKeyIncomplete = 1u << 9,      // incomplete: the spec may miss some keys
  kKeyVariableFlags = 1u << 10,  // variable_flags: the arguments decide the flags
};
inline constexpr std::string_view kKeySpecFlagNames[] = {
    "RO",     "RW",     "OW",      "RM",         "access",         "update",
    "insert", "delete", "not_key", "incomplete", "variable_flags",
};

// begin_search: where the search for keys starts.
enum class KeyBegin : uint8_t {
  kIndex,    // at argument `pos`
  kKeyword,  // after `keyword`, looked for from argument `pos` on (backwards when negative)
  kUnknown,
};
// find_keys: which arguments from there on are keys.
enum class KeyFind : uint8_t {
  kRange,   // from the start to start+lastkey (negative: counted from the end, or with
            // `limit`, the first 1/limit of what remains), every keystep-th
  kKeynum,  // argument start+keynumidx says how many keys follow from start+firstkey
  kUnknown,
};
struct KeySpec {
  std::string_view command;  // the full name of the command it belongs to ("object|freq")
  uint32_t flags;            // KeySpecFlag bits
  struct Begin {
    KeyBegin type;
    int pos;  // kIndex: the index; kKeyword: startfrom
    std::string_view keyword;
  } begin;
  struct Find {
    KeyFind type;
    int lastkey;    // kRange
    int keystep;    // kRange, kKeynum
    int limit;      // kRange
    int keynumidx;  // kKeynum
    int firstkey;   // kKeynum
  } find;
  std::string_view notes = {};
};

// One key argument of a command line: its index in the arguments (0 is the command name)
// and the KeySpecFlag bits of the spec (or procedure) that found it.
struct KeyRef {
  size_t pos;
  uint32_t flags;
};
// A command's own key finder, for arguments its key specs cannot describe (Redis's
// getkeys_proc). Appends the keys found and returns how many.
using GetKeysProc = int (*)(std::span<const std::string_view> args, std::vector<KeyRef>* keys);

// The COMMAND DOCS facts that are not prose (src/commands/command_metadata.h).
struct CommandDocInfo;

struct CommandContext;
class CommandTable;
class BlockingRegistry;
class Dispatcher;
using CommandHandler = void (*)(CmdArgs args, CommandContext& ctx);

// What COMMAND DOCS reports about a command.
struct CommandDoc {
  std::string_view summary;
  std::string_view since;
  std::string_view group;  // "string", "generic", "connection", "server", ...
  std::string_view complexity;
};

// Per-command counters for INFO commandstats / latencystats. They live in the row itself
// (mutable: the table is otherwise read-only once built) so the dispatcher updates them
// without a lookup.
struct LatencyHistogram;
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;  // refused before running (arity, NOAUTH, ...)
  uint64_t failed_calls = 0;    // ran and replied with an error
  // INFO latencystats / LATENCY HISTOGRAM: allocated on the first call and owned by the
  // dispatcher's Introspection (include/gannet/commands/introspection.h).
  LatencyHistogram* latency = nullptr;
};

struct CommandSpec {
  std::string_view name;  // lower case; for a subcommand "config|get"
  int arity;              // Redis convention: -N means at least N
  uint32_t flags;         // CommandFlag bits
  int first_key;
  int last_key;  // -1: last argument; -2: second to last...
  int step;
  uint64_t acl_categories;  // AclCategory bits (implicit ones are derived)
  CommandHandler handler;   // nullptr for a pure container (COMMAND has both)
  CommandDoc doc;
  std::vector<CommandSpec> subcommands;
  // Space-separated COMMAND INFO tips, e.g. "nondeterministic_output request_policy:all_nodes".
  std::string_view tips = {};

  mutable CommandStats stats = {};

  // Filled in by the table at registration from generated data, by name (rows leave them
  // empty): key specs and key finder (src/commands/command_key_specs.cc, key_extraction.cc)
  // and the COMMAND DOCS facts (command_docs.cc). A row without key specs or key finder
  // (a test's own command) has its keys described by first_key/last_key/step alone.
  std::span<const KeySpec> key_specs = {};
  GetKeysProc getkeys_proc = nullptr;
  const CommandDocInfo* doc_info = nullptr;

  bool is_container() const { return !subcommands.empty(); }
};

// Everything a handler may touch. Built by the dispatcher for one command.
struct CommandContext {
  Keyspace& keyspace;
  ReplyBuilder& reply;
  ClientView& client;
  ServerView& server;
  int64_t now_ms;                       // the one clock reading for this command
  const CommandSpec* spec = nullptr;    // the row being run (a subcommand's own row)
  const CommandTable* table = nullptr;  // the table the dispatcher runs from (COMMAND)
  // Blocking commands (src/commands/blocking.h): the registry, the arguments as sent (what
  // a blocked client re-runs), whether this command may block (false inside MULTI/EXEC or
  // a script: blocking commands then reply as on timeout) and whether this run is the
  // re-run of a blocked client's command.
  BlockingRegistry* blocking = nullptr;
  CmdArgs args = {};
  bool cannot_block = false;
  bool rerun = false;
  // The dispatcher running this command: the server-wide state of pub/sub, transactions
  // and introspection hangs off it.
  Dispatcher* dispatcher = nullptr;
  // What the AOF (and later replicas) record for this command. Empty: the command's own
  // arguments, when it changed something (keyspace.dirty() grew). A command whose effect
  // depends on the clock or on chance records what it did instead, as Redis's
  // alsoPropagate: EXPIRE as PEXPIREAT, SPOP as SREM, INCRBYFLOAT as SET KEEPTTL, ...
  std::vector<std::vector<std::string>> propagate;
  // Whether anything records propagated commands (a PropagationSink is set): a rewrite
  // is built only then, so write paths allocate nothing for it without an AOF.
  bool propagating = false;
  // Propagate even though nothing changed (Redis's forceCommandPropagation): FLUSHALL
  // and FLUSHDB of an empty keyspace still reach the AOF.
  bool force_propagation = false;

  Database& db() { return keyspace.db(client.db_index()); }
  const Config& config() const { return server.config(); }

  // A write changed `key` in the client's database: one change for save points and the
  // AOF, the modification signal for WATCH, client-side caching and blocked clients, and
  // the keyspace notification `event` of class `cls` (Redis's server.dirty++,
  // signalModifiedKey and notifyKeyspaceEvent, which writes make together).
  void KeyChanged(NotifyClass cls, std::string_view event, std::string_view key,
                  uint64_t changes = 1) {
    KeyChangedIn(client.db_index(), cls, event, key, changes);
  }
  void KeyChangedIn(int db_index, NotifyClass cls, std::string_view event, std::string_view key,
                    uint64_t changes = 1) {
    keyspace.AddDirty(changes);
    keyspace.SignalModified(db_index, key);
    keyspace.NotifyEvent(cls, event, db_index, key);
  }
  // A keyspace notification alone, for a change already signalled (e.g. "del" when a
  // pop emptied a list, after the "lpop" event).
  void Notify(NotifyClass cls, std::string_view event, std::string_view key) {
    keyspace.NotifyEvent(cls, event, client.db_index(), key);
  }
  // Record `cmd` in the AOF instead of (or, called repeatedly, as well as) the arguments.
  void PropagateAs(std::vector<std::string> cmd) { propagate.push_back(std::move(cmd)); }
};

}  // namespace gannet
