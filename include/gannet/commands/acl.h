// Access control lists, as Redis 7.0: users with passwords (kept as SHA-256), command
// and category rules, key patterns with read/write permissions, channel patterns, and
// the ACL LOG of denials. The Dispatcher owns the one Acl; a client holds a pointer to
// its user (ClientSession::acl_user), so the per-command check of an unrestricted user
// (the default one, unless configured otherwise) is one flag test.
//
// Differences from Redis 7.0: selectors "(...)" and first-argument rules ("+select|0")
// are refused with an error; a write command needs only W on its keys and a read-only
// one R (Redis asks per key-spec, e.g. INCR needs both); a user with restricted key
// patterns may not run the commands that touch every key unnamed (FLUSHALL, FLUSHDB,
// KEYS, SCAN, RANDOMKEY, SWAPDB), which Redis allows.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gannet/commands/command.h"

namespace gannet {

class CommandTable;

enum AclKeyPerm : uint8_t { kAclKeyRead = 1, kAclKeyWrite = 2, kAclKeyAll = 3 };

struct AclKeyPattern {
  std::string pattern;
  uint8_t perms;  // AclKeyPerm bits
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  bool sanitize_payload = false;
  std::vector<std::string> passwords;  // SHA-256, lower-case hex, in the order added
  std::vector<AclKeyPattern> keys;
  std::vector<std::string> channels;
  // Commands: the allowed rows (a container's subcommands are rows of their own), and
  // the rules as given, for ACL GETUSER/LIST ("+@read -flushall ...").
  std::unordered_set<const CommandSpec*> allowed;
  std::vector<std::string> command_rules;
  bool all_commands = false;  // +@all with nothing taken away since

  bool all_keys() const;
  bool all_channels() const;
  // Nothing to check per command: every command, key and channel is allowed.
  bool unrestricted = false;
};

enum class AclDenial : uint8_t { kNone, kCommand, kKey, kChannel };

struct AclLogEntry {
  uint64_t count = 1;
  std::string reason;   // auth, command, key, channel
  std::string context;  // toplevel, multi
  std::string object;
  std::string username;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  std::string client_info;
};

class Acl {
 public:
  explicit Acl(const CommandTable& table);
  ~Acl();

  // ACL SETUSER name rule...: creates the user when missing; all or nothing. On error
  // the full Redis text, e.g. "ERR Error in ACL SETUSER modifier 'foo': Syntax error".
  std::optional<std::string> SetUser(std::string_view name,
                                     std::span<const std::string_view> rules);
  // A `user` line of a config file or an ACL file: "name rule...".
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

  // May `user` run `spec` with `args`? On a key or channel denial *object is the
  // offending argument. write: the command modifies keys (needs W on them).
  AclDenial Check(const AclUser& user, const CommandSpec& spec, CmdArgs args,
                  std::string_view* object) const;

  // "user <name> on nopass ~* &* +@all": ACL LIST's line (also the ACL file format).
  std::string Describe(const AclUser& user) const;
  std::string DescribeKeys(const AclUser& user) const;
  std::string DescribeChannels(const AclUser& user) const;
  std::string DescribeCommands(const AclUser& user) const;

  // ACL LOG: a denial; an entry equal in reason, context, object and user made in the
  // last minute is counted again instead of added.
  void Log(std::string_view reason, std::string_view context, std::string_view object,
           std::string_view username, std::string client_info, int64_t now_ms, size_t max_len);
  const std::deque<AclLogEntry>& log() const { return log_; }
  void ResetLog() { log_.clear(); }

  // ACL LOAD / ACL SAVE and the `aclfile` at startup. Errors are Redis's texts.
  std::optional<std::string> LoadFile(const std::string& path);
  std::optional<std::string> SaveFile(const std::string& path) const;

  const CommandTable& table() const { return table_; }

 private:
  std::optional<std::string> ApplyRule(AclUser& user, std::string_view rule);
  void ApplyCommandRule(AclUser& user, bool allow, const CommandSpec& spec);
  void ApplyCategoryRule(AclUser& user, bool allow, uint64_t category);
  void AddCommandRuleText(AclUser& user, std::string rule);
  static void Refresh(AclUser& user);

  const CommandTable& table_;
  std::map<std::string, std::unique_ptr<AclUser>, std::less<>> users_;
  std::deque<AclLogEntry> log_;
  std::vector<std::unique_ptr<AclUser>> retired_;  // removed, not yet freed (TakeRetired)
  AclUser* default_user_ = nullptr;
};

// SHA-256 of `data` as 64 lower-case hex digits (OpenSSL).
std::string Sha256Hex(std::string_view data);

}  // namespace gannet
