// ACL users, rules, checks and the log (see acl.h).
#include "gannet/commands/acl.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "key_extraction.h"

namespace gannet {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHexHash(std::string_view h) {
  if (h.size() != 64) return false;
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Constant-time comparison of two hashes of equal length.
bool SameHash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string ModifierError(std::string_view rule, std::string_view what) {
  return "ERR Error in ACL SETUSER modifier '" + std::string(rule) + "': " + std::string(what);
}

constexpr std::string_view kUnknownName = "Unknown command or category name in ACL";

// Splits a config/ACL-file line into words, honouring double quotes.
std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') word += line[i++];
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') word += line[i++];
    }
    out.push_back(std::move(word));
  }
  return out;
}

// Commands that read or write every key without naming one. Redis 7.0 lets a user whose
// key patterns are restricted run them (its key checks only see named keys); Gannet
// refuses them to such a user, as the issue asks: a user confined to ~cache:* must not
// list or wipe session:*.
bool TouchesWholeKeyspace(std::string_view name) {
  return name == "flushall" || name == "flushdb" || name == "keys" || name == "scan" ||
         name == "randomkey" || name == "swapdb";
}

// Commands whose arguments are channels (1..n) or, for PSUBSCRIBE, channel patterns.
bool IsChannelCommand(std::string_view name) {
  return name == "publish" || name == "spublish" || name == "subscribe" || name == "ssubscribe" ||
         name == "psubscribe";
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

bool AclUser::all_keys() const {
  return std::any_of(keys.begin(), keys.end(), [](const AclKeyPattern& k) {
    return k.pattern == "*" && k.perms == kAclKeyAll;
  });
}

bool AclUser::all_channels() const {
  return std::find(channels.begin(), channels.end(), "*") != channels.end();
}

Acl::Acl(const CommandTable& table) : table_(table) {
  // The default user: everything allowed, no password (requirepass may set one).
  const std::string_view rules[] = {"on", "nopass", "~*", "&*", "+@all"};
  SetUser("default", rules);
  default_user_ = Find("default");
}

Acl::~Acl() = default;

void Acl::Refresh(AclUser& user) {
  user.unrestricted =
      user.all_commands && user.command_rules.empty() && user.all_keys() && user.all_channels();
}

void Acl::AddCommandRuleText(AclUser& user, std::string rule) {
  // A later rule on the same command or category replaces an earlier one (either sign).
  const std::string_view target = std::string_view(rule).substr(1);
  std::erase_if(user.command_rules,
                [&](const std::string& r) { return std::string_view(r).substr(1) == target; });
  user.command_rules.push_back(std::move(rule));
}

void Acl::ApplyCommandRule(AclUser& user, bool allow, const CommandSpec& spec) {
  auto set = [&](const CommandSpec& s) {
    if (allow) {
      user.allowed.insert(&s);
    } else {
      user.allowed.erase(&s);
    }
  };
  set(spec);
  for (const CommandSpec& sub : spec.subcommands) set(sub);
}

void Acl::ApplyCategoryRule(AclUser& user, bool allow, uint64_t category) {
  for (const CommandSpec& c : table_.commands()) {
    if (c.acl_categories & category) ApplyCommandRule(user, allow, c);
    for (const CommandSpec& sub : c.subcommands) {
      if (sub.acl_categories & category) {
        if (allow) {
          user.allowed.insert(&sub);
        } else {
          user.allowed.erase(&sub);
        }
      }
    }
  }
}

std::optional<std::string> Acl::ApplyRule(AclUser& user, std::string_view rule) {
  const std::string lower = Lower(rule);
  if (lower == "on") {
    user.enabled = true;
  } else if (lower == "off") {
    user.enabled = false;
  } else if (lower == "nopass") {
    user.nopass = true;
    user.passwords.clear();
  } else if (lower == "resetpass") {
    user.nopass = false;
    user.passwords.clear();
  } else if (lower == "sanitize-payload") {
    user.sanitize_payload = true;
  } else if (lower == "skip-sanitize-payload") {
    user.sanitize_payload = false;
  } else if (lower == "allkeys") {
    return ApplyRule(user, "~*");
  } else if (lower == "resetkeys") {
    user.keys.clear();
  } else if (lower == "allchannels") {
    return ApplyRule(user, "&*");
  } else if (lower == "resetchannels") {
    user.channels.clear();
  } else if (lower == "allcommands") {
    return ApplyRule(user, "+@all");
  } else if (lower == "nocommands") {
    return ApplyRule(user, "-@all");
  } else if (lower == "reset") {
    user.enabled = false;
    user.nopass = false;
    user.passwords.clear();
    user.keys.clear();
    user.channels.clear();
    user.sanitize_payload = true;
    return ApplyRule(user, "-@all");
  } else if (!rule.empty() && rule[0] == '>') {
    std::string hash = Sha256Hex(rule.substr(1));
    if (std::find(user.passwords.begin(), user.passwords.end(), hash) == user.passwords.end()) {
      user.passwords.push_back(std::move(hash));
    }
    user.nopass = false;
  } else if (!rule.empty() && rule[0] == '#') {
    std::string_view hash = rule.substr(1);
    if (!IsHexHash(hash)) {
      return ModifierError(rule,
                           "The password hash must be exactly 64 characters and contain only "
                           "lowercase hexadecimal characters");
    }
    if (std::find(user.passwords.begin(), user.passwords.end(), hash) == user.passwords.end()) {
      user.passwords.emplace_back(hash);
    }
    user.nopass = false;
  } else if (!rule.empty() && (rule[0] == '<' || rule[0] == '!')) {
    std::string hash = rule[0] == '<' ? Sha256Hex(rule.substr(1)) : std::string(rule.substr(1));
    if (rule[0] == '!' && !IsHexHash(hash)) {
      return ModifierError(rule,
                           "The password hash must be exactly 64 characters and contain only "
                           "lowercase hexadecimal characters");
    }
    auto it = std::find(user.passwords.begin(), user.passwords.end(), hash);
    if (it == user.passwords.end()) {
      return ModifierError(rule,
                           "The password you are trying to remove from the user does not exist");
    }
    user.passwords.erase(it);
  } else if (!rule.empty() && (rule[0] == '~' || rule[0] == '%')) {
    uint8_t perms = kAclKeyAll;
    std::string_view pattern = rule.substr(1);
    if (rule[0] == '%') {
      const size_t tilde = rule.find('~');
      if (tilde == std::string_view::npos || tilde == 1) return ModifierError(rule, "Syntax error");
      perms = 0;
      for (char c : rule.substr(1, tilde - 1)) {
        if (c == 'R' || c == 'r') {
          perms |= kAclKeyRead;
        } else if (c == 'W' || c == 'w') {
          perms |= kAclKeyWrite;
        } else {
          return ModifierError(rule, "Syntax error");
        }
      }
      pattern = rule.substr(tilde + 1);
    }
    if (user.all_keys()) {
      return ModifierError(rule,
                           "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                           "valid and does not have any effect. Try 'resetkeys' to start with an "
                           "empty list of patterns");
    }
    if (pattern == "*" && perms == kAclKeyAll) user.keys.clear();
    user.keys.push_back({std::string(pattern), perms});
  } else if (!rule.empty() && rule[0] == '&') {
    std::string_view pattern = rule.substr(1);
    if (user.all_channels()) {
      return ModifierError(rule,
                           "Adding a pattern after the * pattern (or the 'allchannels' flag) is "
                           "not valid and does not have any effect. Try 'resetchannels' to start "
                           "with an empty list of channels");
    }
    if (pattern == "*") user.channels.clear();
    user.channels.emplace_back(pattern);
  } else if (!rule.empty() && (rule[0] == '+' || rule[0] == '-')) {
    const bool allow = rule[0] == '+';
    std::string_view name = rule.substr(1);
    if (!name.empty() && name[0] == '@') {
      const std::string cat = Lower(name.substr(1));
      if (cat == "all") {
        user.all_commands = allow;
        user.command_rules.clear();
        user.allowed.clear();
        if (allow) {
          for (const CommandSpec& c : table_.commands()) ApplyCommandRule(user, true, c);
        }
        return std::nullopt;
      }
      uint64_t bit = 0;
      for (size_t i = 0; i < std::size(kAclCategoryNames); ++i) {
        if (kAclCategoryNames[i] == cat) bit = uint64_t{1} << i;
      }
      if (bit == 0) return ModifierError(rule, kUnknownName);
      ApplyCategoryRule(user, allow, bit);
      AddCommandRuleText(user, std::string(1, rule[0]) + "@" + cat);
      return std::nullopt;
    }
    const std::string full = Lower(name);
    const size_t bar = full.find('|');
    const CommandSpec* spec = table_.Find(std::string_view(full).substr(0, bar));
    if (spec == nullptr) return ModifierError(rule, kUnknownName);
    if (bar != std::string::npos) {
      if (!spec->is_container()) {
        // Redis 7.0 also takes a first argument of a plain command ("+select|0"); Gannet
        // refuses it rather than accept a rule it would not enforce.
        return ModifierError(rule, "Allowing first-arg of a subcommand is not supported");
      }
      spec = table_.FindSub(*spec, std::string_view(full).substr(bar + 1));
      if (spec == nullptr) return ModifierError(rule, kUnknownName);
    }
    ApplyCommandRule(user, allow, *spec);
    AddCommandRuleText(user, std::string(1, rule[0]) + full);
  } else if (!rule.empty() && rule[0] == '(') {
    return ModifierError(rule, "Selectors are not supported");
  } else {
    return ModifierError(rule, "Syntax error");
  }
  return std::nullopt;
}

std::optional<std::string> Acl::SetUser(std::string_view name,
                                        std::span<const std::string_view> rules) {
  // All or nothing: rules apply to a copy that replaces the user only when each is valid.
  auto it = users_.find(name);
  AclUser user;
  if (it != users_.end()) {
    user = *it->second;
  } else {
    user.name = std::string(name);
    // A new user starts with nothing, channels per acl-pubsub-default (resetchannels).
  }
  for (std::string_view rule : rules) {
    if (auto err = ApplyRule(user, rule)) return err;
  }
  Refresh(user);
  if (it != users_.end()) {
    *it->second = std::move(user);  // in place: logged-in clients keep their pointer
  } else {
    users_.emplace(std::string(name), std::make_unique<AclUser>(std::move(user)));
  }
  return std::nullopt;
}

std::optional<std::string> Acl::SetUserFromLine(std::string_view line) {
  std::vector<std::string> words = SplitWords(line);
  if (words.empty()) return std::string("ERR Syntax error: empty user definition");
  // A declared user starts from scratch, as Redis loads them: "user default on ~* ..."
  // must not trip over the patterns the built-in default user already has.
  std::vector<std::string_view> rules{"reset"};
  rules.insert(rules.end(), words.begin() + 1, words.end());
  return SetUser(words[0], rules);
}

bool Acl::DeleteUser(std::string_view name) {
  if (name == "default") return false;
  auto it = users_.find(name);
  if (it == users_.end()) return false;
  retired_.push_back(std::move(it->second));
  users_.erase(it);
  return true;
}

AclUser* Acl::Find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

std::vector<const AclUser*> Acl::Users() const {
  std::vector<const AclUser*> out;
  for (const auto& [name, u] : users_) out.push_back(u.get());
  return out;
}

void Acl::SetRequirePass(std::string_view password) {
  AclUser& d = default_user();
  d.passwords.clear();
  d.nopass = password.empty();
  if (!password.empty()) d.passwords.push_back(Sha256Hex(password));
}

AclUser* Acl::Authenticate(std::string_view name, std::string_view password) {
  AclUser* u = Find(name);
  if (u == nullptr || !u->enabled) return nullptr;
  if (u->nopass) return u;
  const std::string hash = Sha256Hex(password);
  for (const std::string& p : u->passwords) {
    if (SameHash(p, hash)) return u;
  }
  return nullptr;
}

AclDenial Acl::Check(const AclUser& user, const CommandSpec& spec, CmdArgs args,
                     std::string_view* object) const {
  // Commands a client may send before authenticating (AUTH, HELLO) are never refused.
  if (spec.flags & kCmdNoAuth) return AclDenial::kNone;
  if (!user.allowed.count(&spec)) return AclDenial::kCommand;
  if (!user.all_keys() && TouchesWholeKeyspace(spec.name)) return AclDenial::kCommand;
  if (!user.all_keys()) {
    std::vector<size_t> keys;
    if (ExtractKeys(spec, args, &keys) == KeyExtraction::kOk) {
      const uint8_t need = (spec.flags & kCmdWrite) ? kAclKeyWrite : kAclKeyRead;
      for (size_t i : keys) {
        const std::string_view key = args[i];
        const bool ok =
            std::any_of(user.keys.begin(), user.keys.end(), [&](const AclKeyPattern& p) {
              return (p.perms & need) == need && GlobMatch(p.pattern, key, /*nocase=*/false);
            });
        if (!ok) {
          *object = key;
          return AclDenial::kKey;
        }
      }
    }
  }
  if (!user.all_channels() && IsChannelCommand(spec.name)) {
    const bool literal = spec.name == "psubscribe";
    const size_t last = (spec.name == "publish" || spec.name == "spublish") ? 1 : args.size() - 1;
    for (size_t i = 1; i <= last && i < args.size(); ++i) {
      const std::string_view ch = args[i];
      const bool ok = std::any_of(
          user.channels.begin(), user.channels.end(),
          [&](const std::string& p) { return literal ? p == ch : GlobMatch(p, ch, false); });
      if (!ok) {
        *object = ch;
        return AclDenial::kChannel;
      }
    }
  }
  return AclDenial::kNone;
}

std::string Acl::DescribeKeys(const AclUser& user) const {
  std::string out;
  for (const AclKeyPattern& k : user.keys) {
    if (!out.empty()) out += ' ';
    if (k.perms == kAclKeyRead) {
      out += "%R~";
    } else if (k.perms == kAclKeyWrite) {
      out += "%W~";
    } else {
      out += "~";
    }
    out += k.pattern;
  }
  return out;
}

std::string Acl::DescribeChannels(const AclUser& user) const {
  std::string out;
  for (const std::string& c : user.channels) {
    if (!out.empty()) out += ' ';
    out += '&';
    out += c;
  }
  return out;
}

std::string Acl::DescribeCommands(const AclUser& user) const {
  std::string out = user.all_commands ? "+@all" : "-@all";
  for (const std::string& r : user.command_rules) {
    out += ' ';
    out += r;
  }
  return out;
}

std::string Acl::Describe(const AclUser& user) const {
  std::string out = "user " + user.name + (user.enabled ? " on" : " off");
  if (user.nopass) out += " nopass";
  if (user.sanitize_payload) out += " sanitize-payload";
  for (const std::string& p : user.passwords) {
    out += " #";
    out += p;
  }
  const std::string keys = DescribeKeys(user);
  if (!keys.empty()) {
    out += ' ';
    out += keys;
  }
  if (user.all_channels()) {
    out += " &*";
  } else {
    out += " resetchannels";
    const std::string ch = DescribeChannels(user);
    if (!ch.empty()) {
      out += ' ';
      out += ch;
    }
  }
  out += ' ';
  out += DescribeCommands(user);
  return out;
}

void Acl::Log(std::string_view reason, std::string_view context, std::string_view object,
              std::string_view username, std::string client_info, int64_t now_ms, size_t max_len) {
  for (AclLogEntry& e : log_) {
    if (e.reason == reason && e.context == context && e.object == object &&
        e.username == username && now_ms - e.updated_ms < 60'000) {
      ++e.count;
      e.updated_ms = now_ms;
      e.client_info = std::move(client_info);
      return;
    }
  }
  AclLogEntry e;
  e.reason = std::string(reason);
  e.context = std::string(context);
  e.object = std::string(object);
  e.username = std::string(username);
  e.created_ms = e.updated_ms = now_ms;
  e.client_info = std::move(client_info);
  log_.push_front(std::move(e));
  while (log_.size() > max_len) log_.pop_back();
}

std::optional<std::string> Acl::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return "ERR Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  // Build the new set aside: a bad line leaves the current users untouched.
  Acl fresh(table_);
  fresh.users_.clear();
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> words = SplitWords(line);
    if (words.empty()) continue;
    if (words[0] != "user" || words.size() < 2) {
      return "ERR " + path + ":" + std::to_string(lineno) +
             ": line should start with user keyword. ";
    }
    std::vector<std::string_view> rules{"reset"};
    rules.insert(rules.end(), words.begin() + 2, words.end());
    if (auto err = fresh.SetUser(words[1], rules)) {
      return "ERR " + path + ":" + std::to_string(lineno) + ": " + err->substr(4) + ". ";
    }
  }
  if (fresh.Find("default") == nullptr) {
    const std::string_view rules[] = {"on", "nopass", "~*", "&*", "+@all"};
    fresh.SetUser("default", rules);
  }
  // Users that still exist keep their objects (clients point at them); others go.
  for (auto it = users_.begin(); it != users_.end();) {
    auto f = fresh.users_.find(it->first);
    if (f == fresh.users_.end()) {
      retired_.push_back(std::move(it->second));
      it = users_.erase(it);
    } else {
      *it->second = std::move(*f->second);
      fresh.users_.erase(f);
      ++it;
    }
  }
  for (auto& [name, u] : fresh.users_) users_.emplace(name, std::move(u));
  return std::nullopt;
}

std::optional<std::string> Acl::SaveFile(const std::string& path) const {
  // Write aside, then rename: a failed save never leaves a half-written ACL file.
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out)
      return "ERR There was an error trying to save the ACLs. Please check the server logs for "
             "more information";
    for (const auto& [name, u] : users_) out << Describe(*u) << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return "ERR There was an error trying to save the ACLs. Please check the server logs for "
             "more information";
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return "ERR There was an error trying to save the ACLs. Please check the server logs for more "
           "information";
  }
  return std::nullopt;
}

}  // namespace gannet
