// Access control lists, as Redis 7.0: users with passwords (kept as SHA-256) and one or
// more selectors. A selector holds command permissions (a bit per command row, the
// "future commands" mark of +@all, and first-argument exceptions such as +select|0), key
// patterns with read/write permissions and channel patterns. Every user has a root
// selector; "(...)" rules add more. A command is allowed when any one selector allows
// its command, its keys and its channels together, as Redis decides it.
//
// The Dispatcher owns the one Acl; a client holds a pointer to its user
// (ClientSession::acl_user), so the per-command check of an unrestricted user (the default
// one, unless configured otherwise) is one flag test.
//
// ACL GETUSER / LIST / SAVE print command rules as Redis 7.0 does: worked out from the
// permission bits (+@all or -@all, then the categories that fit best, then single
// commands), not the rules as typed. Redis prints the single commands in the order of its
// hash table, which changes each time it starts; Gannet prints them in table order. The
// best-fitting categories are weighed over the whole command table, so where Gannet's
// table lacks commands Redis has (cluster, scripting, replication, module commands ...)
// the categories chosen can differ while the permissions are the same.
//
// Key permissions: which access (read, write, both or neither) each key argument needs
// comes from the command's key-spec flags, as in Redis 7.0 (AclRequiredKeyAccess below):
// ACCESS -> read; INSERT, UPDATE, DELETE -> write. INCR needs both, EXISTS neither, COPY
// reads its source and writes its destination. The keys and their flags come from
// FindKeysWithFlags (src/commands/key_extraction.h), as COMMAND GETKEYSANDFLAGS shows them.
// The shard-channel commands, whose key-specs are NOT_KEY, are left out of the key checks
// (ArgumentsAreShardChannels in acl.cc).
//
// Differences from Redis 7.0 that remain: a user whose
// selector has restricted key patterns may not run, through that selector, the commands
// that touch every key unnamed (FLUSHALL, FLUSHDB, KEYS, SCAN, RANDOMKEY, SWAPDB), which
// Redis allows (issue 7 asks that a user confined to ~cache:* cannot list or wipe other
// keys); an ACL file line with an unmatched "(" is an error where redis-server 7.0.15
// crashes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

class CommandTable;

enum AclKeyPerm : uint8_t { kAclKeyRead = 1, kAclKeyWrite = 2, kAclKeyAll = 3 };

// What a key with these KeySpecFlag bits needs (AclKeyPerm bits; 0: neither, the key only
// has to match some pattern of the selector).
uint8_t AclRequiredKeyAccess(uint32_t key_spec_flags);

struct AclKeyPattern {
  std::string pattern;
  uint8_t perms;  // AclKeyPerm bits
};

// One set of permissions. Command bits are indexed by the Acl's command ids.
struct AclSelector {
  bool root = false;
  bool all_keys = false;         // ~* or allkeys
  bool all_channels = false;     // &* or allchannels
  bool all_commands = false;     // every bit set since the last +@all (the fast check)
  bool future_commands = false;  // the last of +@all / -@all was +@all (Redis's reserved bit)
  std::vector<uint64_t> bits;
  // "+select|0": a command whose bit is off, allowed with these first arguments.
  std::map<uint32_t, std::vector<std::string>> first_args;
  std::vector<AclKeyPattern> keys;
  std::vector<std::string> channels;

  bool Bit(uint32_t id) const { return id / 64 < bits.size() && (bits[id / 64] >> (id % 64)) & 1; }
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  bool sanitize_payload = false;
  bool skip_sanitize_payload = false;
  std::vector<std::string> passwords;  // SHA-256, lower-case hex, in the order added
  std::vector<AclSelector> selectors;  // [0] is the root selector
  // Nothing to check per command: the root selector allows every command, key and channel.
  bool unrestricted = false;

  const AclSelector& root() const { return selectors.front(); }
  AclSelector& root() { return selectors.front(); }
};

// Ordered as Redis ranks them when no selector allows a command: the highest is reported.
enum class AclDenial : uint8_t { kNone = 0, kCommand = 1, kKey = 2, kChannel = 4 };

struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;   // auth, command, key, channel
  std::string context;  // toplevel, multi
  std::string object;
  std::string username;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;  // the last time it happened: what age-seconds counts from
  std::string client_info;
};

class Acl {
 public:
  explicit Acl(const CommandTable& table);
  ~Acl();

  // ACL SETUSER name rule...: creates the user when missing; all or nothing. Arguments of
  // a selector may be spread over several rules ("(+get", "~x)"). On error the full Redis
  // text, e.g. "ERR Error in ACL SETUSER modifier 'foo': Syntax error".
  std::optional<std::string> SetUser(std::string_view name,
                                     std::span<const std::string_view> rules);
  // A `user` line of the config file: "name rule..." (quotes group words). The default
  // user is reset first; another user is created and may appear only once.
  std::optional<std::string> SetUserFromLine(std::string_view line);
  // false when absent. The default user cannot be deleted (the caller says so). A deleted
  // user (here or by LoadFile) is only retired: clients may still point at it until the
  // caller has moved them off it, then takes the objects with TakeRetired().
  bool DeleteUser(std::string_view name);
  std::vector<std::unique_ptr<AclUser>> TakeRetired() { return std::exchange(retired_, {}); }
  AclUser* Find(std::string_view name);
  // Always present; the object lives as long as the Acl (ACL LOAD updates it in place).
  const AclUser& default_user() const { return *default_user_; }
  AclUser& default_user() { return *default_user_; }
  std::vector<const AclUser*> Users() const;  // in name order

  // requirepass: the default user's only password (or nopass when empty), as Redis.
  void SetRequirePass(std::string_view password);

  // AUTH/HELLO: the user when the name exists, is enabled and the password matches.
  AclUser* Authenticate(std::string_view name, std::string_view password);

  // May `user` run `spec` (a subcommand's own row) with `args` (args[0] the command name)?
  // On a key or channel denial *object is the offending argument.
  AclDenial Check(const AclUser& user, const CommandSpec& spec, CmdArgs args,
                  std::string_view* object) const;

  // "user <name> on nopass ~* &* +@all": ACL LIST's line (also the ACL file format).
  std::string Describe(const AclUser& user) const;
  // ACL GETUSER's fields of one selector.
  std::string DescribeKeys(const AclSelector& s) const;
  std::string DescribeChannels(const AclSelector& s) const;
  std::string DescribeCommands(const AclSelector& s) const;
  // The root selector's (tests and older callers).
  std::string DescribeCommands(const AclUser& user) const { return DescribeCommands(user.root()); }

  // ACL LOG: a denial; an entry equal in reason, context, object and user among the ten
  // newest, made in the last minute, is counted again and moved to the front.
  void Log(std::string_view reason, std::string_view context, std::string_view object,
           std::string_view username, std::string client_info, int64_t now_ms, size_t max_len);
  const std::deque<AclLogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }

  // ACL LOAD / ACL SAVE and the `aclfile` at startup. Errors are Redis's texts. A load
  // retires every user but the default one (their clients are to be disconnected).
  std::optional<std::string> LoadFile(const std::string& path);
  std::optional<std::string> SaveFile(const std::string& path) const;

  const CommandTable& table() const { return table_; }

  // acl-pubsub-default: whether users and selectors created from now on (and "reset")
  // start with every channel allowed. The callers set it from the config before SETUSER,
  // config user lines and LOAD.
  void set_pubsub_default_all(bool yes) { pubsub_default_all_ = yes; }

 private:
  struct RuleError {
    std::string text;   // "Syntax error", ...
    bool unknown_name;  // Redis's ENOENT: an unknown command or category
  };
  AclUser NewUser(std::string_view name) const;
  AclSelector NewSelector(bool root) const;
  std::optional<RuleError> ApplyUserRule(AclUser& user, std::string_view rule) const;
  std::optional<RuleError> ApplySelectorRule(AclSelector& s, std::string_view rule) const;
  void SetBit(AclSelector& s, uint32_t id, bool allow) const;
  void ChangePerm(AclSelector& s, const CommandSpec& spec, bool allow) const;
  void ApplyCategory(AclSelector& s, uint64_t category, bool allow) const;
  void CountCategory(const AclSelector& s, uint64_t category, size_t* on, size_t* off) const;
  void DescribeSingles(const AclSelector& s, AclSelector& fake, const CommandSpec& spec,
                       std::string* out) const;
  std::string DescribeSelector(const AclSelector& s) const;
  // A row's bit; kNoId (no bit: never allowed) for a row the Acl was not built with.
  static constexpr uint32_t kNoId = UINT32_MAX;
  uint32_t Id(const CommandSpec& spec) const {
    auto it = ids_.find(&spec);
    return it == ids_.end() ? kNoId : it->second;
  }
  const CommandSpec* LookupForAcl(std::string_view name) const;
  void Refresh(AclUser& user) const;

  const CommandTable& table_;
  std::unordered_map<const CommandSpec*, uint32_t> ids_;  // every row, subcommands too
  // Rows by their original names ("get", "config|get"): as Redis, rules name commands as
  // they were before any rename-command.
  std::unordered_map<std::string_view, const CommandSpec*> by_name_;
  size_t words_ = 0;  // uint64_t words of a bit set
  std::map<std::string, std::unique_ptr<AclUser>, std::less<>> users_;
  std::set<std::string, std::less<>> declared_;  // users of config lines (no duplicates)
  std::deque<AclLogEntry> log_;
  std::vector<std::unique_ptr<AclUser>> retired_;  // removed, not yet freed (TakeRetired)
  AclUser* default_user_ = nullptr;
  bool pubsub_default_all_ = false;
};

// SHA-256 of `data` as 64 lower-case hex digits (OpenSSL).
std::string Sha256Hex(std::string_view data);

}  // namespace gannet
