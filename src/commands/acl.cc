// ACL users, selectors, rules, checks, descriptions and the log (see acl.h).
#include "gannet/commands/acl.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

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

bool EqNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
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

// Redis refuses patterns and user names holding white space or NUL.
bool HasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

constexpr std::string_view kUnknownName = "Unknown command or category name in ACL";
constexpr std::string_view kSyntax = "Syntax error";
constexpr std::string_view kBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kAfterAllKeys =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
    "have any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kAfterAllChannels =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does "
    "not have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
constexpr std::string_view kFirstArgOfSub = "Allowing first-arg of a subcommand is not supported";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Words of a line as Redis's sdssplitargs reads them: blanks separate, "double quotes"
// with \n \t \xHH ... escapes, 'single quotes' with \'. nullopt on unbalanced quotes (or
// a closing quote not followed by a blank).
std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (true) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) return out;
    std::string word;
    bool inq = false, insq = false;
    while (true) {
      if (inq) {
        if (i >= line.size()) return std::nullopt;
        if (line[i] == '\\' && i + 3 < line.size() && line[i + 1] == 'x' &&
            HexValue(line[i + 2]) >= 0 && HexValue(line[i + 3]) >= 0) {
          word += static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3]));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          char c = line[i];
          switch (c) {
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'b':
              c = '\b';
              break;
            case 'a':
              c = '\a';
              break;
            default:
              break;
          }
          word += c;
        } else if (line[i] == '"') {
          if (i + 1 < line.size() && !blank(line[i + 1])) return std::nullopt;
          inq = false;
          ++i;
          break;
        } else {
          word += line[i];
        }
      } else if (insq) {
        if (i >= line.size()) return std::nullopt;
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          word += '\'';
        } else if (line[i] == '\'') {
          if (i + 1 < line.size() && !blank(line[i + 1])) return std::nullopt;
          insq = false;
          ++i;
          break;
        } else {
          word += line[i];
        }
      } else {
        if (i >= line.size() || blank(line[i])) break;
        if (line[i] == '"') {
          inq = true;
        } else if (line[i] == '\'') {
          insq = true;
        } else {
          word += line[i];
        }
      }
      ++i;
    }
    out.push_back(std::move(word));
  }
}

// Joins the words of a selector given over several arguments: "(+get", "~x)" become
// "(+get ~x)". nullopt when a "(" is never closed; *open is then its index.
std::optional<std::vector<std::string>> MergeSelectorArgs(std::span<const std::string_view> in,
                                                          size_t* open) {
  std::vector<std::string> out;
  std::optional<std::string> selector;
  for (size_t j = 0; j < in.size(); ++j) {
    const std::string_view op = in[j];
    if (!op.empty() && op.front() == '(' && op.back() != ')') {
      // Inside an open selector, a new "(" starts it again, as in Redis.
      *open = j;
      selector = std::string(op);
      continue;
    }
    if (selector) {
      *selector += ' ';
      *selector += op;
      if (!op.empty() && op.back() == ')') {
        out.push_back(std::move(*selector));
        selector.reset();
      }
      continue;
    }
    out.emplace_back(op);
  }
  if (selector) return std::nullopt;
  return out;
}

// Commands that read or write every key without naming one. Redis 7.0 lets a user whose
// key patterns are restricted run them (its key checks only see named keys); Gannet
// refuses them to such a selector, as issue 7 asks: a user confined to ~cache:* must not
// list or wipe session:*.
bool TouchesWholeKeyspace(std::string_view name) {
  return name == "flushall" || name == "flushdb" || name == "keys" || name == "scan" ||
         name == "randomkey" || name == "swapdb";
}

// Their "key" arguments are shard channels (key-specs flagged NOT_KEY in Redis): checked
// as channels, never as keys.
bool ArgumentsAreShardChannels(std::string_view name) {
  return name == "spublish" || name == "ssubscribe" || name == "sunsubscribe";
}

bool IsSubcommand(const CommandSpec& spec) { return spec.name.find('|') != std::string_view::npos; }

}  // namespace

uint8_t AclRequiredKeyAccess(uint32_t key_spec_flags) {
  // As Redis 7.0's selector key check: ACCESS needs read; INSERT, UPDATE or DELETE need
  // write; none of them (EXISTS, TYPE, a key a key finder found without flags) needs
  // neither, and any pattern of the selector will do.
  uint8_t need = 0;
  if (key_spec_flags & kKeyAccess) need |= kAclKeyRead;
  if (key_spec_flags & (kKeyInsert | kKeyUpdate | kKeyDelete)) need |= kAclKeyWrite;
  return need;
}

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

Acl::Acl(const CommandTable& table) : table_(table) {
  uint32_t next = 0;
  for (const CommandSpec& c : table_.commands()) {
    ids_.emplace(&c, next++);
    by_name_.emplace(c.name, &c);
    for (const CommandSpec& sub : c.subcommands) {
      ids_.emplace(&sub, next++);
      by_name_.emplace(sub.name, &sub);
    }
  }
  words_ = (next + 63) / 64;
  // The default user: everything allowed, no password (requirepass may set one).
  AclUser d = NewUser("default");
  for (std::string_view r : {"+@all", "~*", "&*", "on", "nopass"}) (void)ApplyUserRule(d, r);
  Refresh(d);
  auto owned = std::make_unique<AclUser>(std::move(d));
  default_user_ = owned.get();
  users_.emplace("default", std::move(owned));
}

Acl::~Acl() = default;

AclSelector Acl::NewSelector(bool root) const {
  AclSelector s;
  s.root = root;
  s.all_channels = pubsub_default_all_;
  s.bits.assign(words_, 0);
  return s;
}

AclUser Acl::NewUser(std::string_view name) const {
  AclUser u;
  u.name = std::string(name);
  u.selectors.push_back(NewSelector(/*root=*/true));
  return u;
}

void Acl::Refresh(AclUser& user) const {
  const AclSelector& r = user.root();
  bool all = r.all_commands;
  if (!all) {
    // Every command bit set counts as all commands, however it came about.
    all = std::all_of(ids_.begin(), ids_.end(), [&](const auto& kv) { return r.Bit(kv.second); });
  }
  user.unrestricted = r.all_keys && r.all_channels && all;
}

void Acl::SetBit(AclSelector& s, uint32_t id, bool allow) const {
  if (id / 64 >= s.bits.size()) return;
  const uint64_t mask = uint64_t{1} << (id % 64);
  if (allow) {
    s.bits[id / 64] |= mask;
  } else {
    s.bits[id / 64] &= ~mask;
    s.all_commands = false;
  }
}

void Acl::ChangePerm(AclSelector& s, const CommandSpec& spec, bool allow) const {
  const uint32_t id = Id(spec);
  SetBit(s, id, allow);
  s.first_args.erase(id);
  for (const CommandSpec& sub : spec.subcommands) SetBit(s, Id(sub), allow);
}

void Acl::ApplyCategory(AclSelector& s, uint64_t category, bool allow) const {
  for (const CommandSpec& c : table_.commands()) {
    if (c.acl_categories & category) ChangePerm(s, c, allow);
    for (const CommandSpec& sub : c.subcommands) {
      if (sub.acl_categories & category) ChangePerm(s, sub, allow);
    }
  }
}

void Acl::CountCategory(const AclSelector& s, uint64_t category, size_t* on, size_t* off) const {
  *on = *off = 0;
  auto count = [&](const CommandSpec& c) {
    if (c.acl_categories & category) ++(s.Bit(Id(c)) ? *on : *off);
  };
  for (const CommandSpec& c : table_.commands()) {
    count(c);
    for (const CommandSpec& sub : c.subcommands) count(sub);
  }
}

namespace {

uint64_t CategoryBit(std::string_view name) {
  const std::string cat = Lower(name);
  for (size_t i = 0; i < std::size(kAclCategoryNames); ++i) {
    if (kAclCategoryNames[i] == cat) return uint64_t{1} << i;
  }
  return 0;
}

}  // namespace

// A command row by its ACL name ("get", "config|get"), as Redis's strict lookup: one
// level of subcommand, and only under a container.
const CommandSpec* Acl::LookupForAcl(std::string_view name) const {
  const std::string lower = Lower(name);
  const size_t bar = lower.find('|');
  if (bar != std::string::npos && lower.find('|', bar + 1) != std::string::npos) return nullptr;
  auto it = by_name_.find(lower);
  return it == by_name_.end() ? nullptr : it->second;
}

std::optional<Acl::RuleError> Acl::ApplySelectorRule(AclSelector& s, std::string_view op) const {
  auto error = [](std::string_view text) {
    return RuleError{std::string(text), text == kUnknownName};
  };
  if (EqNoCase(op, "allkeys") || EqNoCase(op, "~*")) {
    s.all_keys = true;
    s.keys.clear();
  } else if (EqNoCase(op, "resetkeys")) {
    s.all_keys = false;
    s.keys.clear();
  } else if (EqNoCase(op, "allchannels") || EqNoCase(op, "&*")) {
    s.all_channels = true;
    s.channels.clear();
  } else if (EqNoCase(op, "resetchannels")) {
    s.all_channels = false;
    s.channels.clear();
  } else if (EqNoCase(op, "allcommands") || EqNoCase(op, "+@all")) {
    std::fill(s.bits.begin(), s.bits.end(), ~uint64_t{0});
    s.all_commands = true;
    s.future_commands = true;
    s.first_args.clear();
  } else if (EqNoCase(op, "nocommands") || EqNoCase(op, "-@all")) {
    std::fill(s.bits.begin(), s.bits.end(), 0);
    s.all_commands = false;
    s.future_commands = false;
    s.first_args.clear();
  } else if (!op.empty() && (op[0] == '~' || op[0] == '%')) {
    if (s.all_keys) return error(kAfterAllKeys);
    uint8_t perms = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        const char c = op[offset];
        if ((c == 'R' || c == 'r') && !(perms & kAclKeyRead)) {
          perms |= kAclKeyRead;
        } else if ((c == 'W' || c == 'w') && !(perms & kAclKeyWrite)) {
          perms |= kAclKeyWrite;
        } else if (c == '~') {
          ++offset;
          break;
        } else {
          return error(kSyntax);
        }
      }
      if (perms == 0) return error(kSyntax);
    } else {
      perms = kAclKeyAll;
    }
    const std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (HasSpaces(pattern)) return error(kSyntax);
    auto it = std::find_if(s.keys.begin(), s.keys.end(),
                           [&](const AclKeyPattern& k) { return k.pattern == pattern; });
    if (it == s.keys.end()) {
      s.keys.push_back({std::string(pattern), perms});
    } else {
      it->perms |= perms;
    }
    s.all_keys = false;
  } else if (!op.empty() && op[0] == '&') {
    if (s.all_channels) return error(kAfterAllChannels);
    const std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return error(kSyntax);
    if (std::find(s.channels.begin(), s.channels.end(), pattern) == s.channels.end()) {
      s.channels.emplace_back(pattern);
    }
    s.all_channels = false;
  } else if (op.size() >= 1 && op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    const std::string_view name = op.substr(1);
    const size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandSpec* spec = LookupForAcl(name);
      if (spec == nullptr) return error(kUnknownName);
      ChangePerm(s, *spec, true);
      return std::nullopt;
    }
    const CommandSpec* spec = LookupForAcl(name.substr(0, bar));
    const std::string_view first = name.substr(bar + 1);
    if (spec == nullptr) return error(kUnknownName);
    if (IsSubcommand(*spec)) return error(kFirstArgOfSub);
    if (first.empty()) return error(kSyntax);
    if (spec->is_container()) {
      spec = LookupForAcl(name);
      if (spec == nullptr) return error(kUnknownName);
      ChangePerm(s, *spec, true);
      return std::nullopt;
    }
    // "+select|0": the first argument of an otherwise blocked command (Redis deprecates
    // it, and still takes it).
    std::vector<std::string>& list = s.first_args[Id(*spec)];
    if (std::none_of(list.begin(), list.end(),
                     [&](const std::string& a) { return EqNoCase(a, first); })) {
      list.emplace_back(first);
    }
  } else if (op.size() >= 1 && op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandSpec* spec = LookupForAcl(op.substr(1));
    if (spec == nullptr) return error(kUnknownName);
    ChangePerm(s, *spec, false);
  } else if (op.size() >= 2 && (op[0] == '+' || op[0] == '-') && op[1] == '@') {
    const uint64_t bit = CategoryBit(op.substr(2));
    if (bit == 0) return error(kUnknownName);
    ApplyCategory(s, bit, op[0] == '+');
  } else {
    return error(kSyntax);
  }
  return std::nullopt;
}

std::optional<Acl::RuleError> Acl::ApplyUserRule(AclUser& user, std::string_view op) const {
  if (op.empty()) return std::nullopt;  // Redis: a no-op
  if (EqNoCase(op, "on")) {
    user.enabled = true;
  } else if (EqNoCase(op, "off")) {
    user.enabled = false;
  } else if (EqNoCase(op, "skip-sanitize-payload")) {
    user.skip_sanitize_payload = true;
    user.sanitize_payload = false;
  } else if (EqNoCase(op, "sanitize-payload")) {
    user.skip_sanitize_payload = false;
    user.sanitize_payload = true;
  } else if (EqNoCase(op, "nopass")) {
    user.nopass = true;
    user.passwords.clear();
  } else if (EqNoCase(op, "resetpass")) {
    user.nopass = false;
    user.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsHexHash(op.substr(1))) return RuleError{std::string(kBadHash), false};
      hash = std::string(op.substr(1));
    }
    if (std::find(user.passwords.begin(), user.passwords.end(), hash) == user.passwords.end()) {
      user.passwords.push_back(std::move(hash));
    }
    user.nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsHexHash(op.substr(1))) return RuleError{std::string(kBadHash), false};
      hash = std::string(op.substr(1));
    }
    auto it = std::find(user.passwords.begin(), user.passwords.end(), hash);
    if (it == user.passwords.end()) return RuleError{std::string(kNoSuchPassword), false};
    user.passwords.erase(it);
  } else if (op.front() == '(' && op.back() == ')') {
    AclSelector s = NewSelector(/*root=*/false);
    // The words inside, as Redis splits them; unbalanced quotes leave the selector empty.
    auto words = SplitArgs(op.substr(1, op.size() >= 2 ? op.size() - 2 : 0));
    if (words) {
      for (const std::string& w : *words) {
        if (auto err = ApplySelectorRule(s, w)) return err;
      }
    }
    user.selectors.push_back(std::move(s));
  } else if (EqNoCase(op, "clearselectors")) {
    user.selectors.resize(1);
  } else if (EqNoCase(op, "reset")) {
    for (std::string_view r : {"resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload",
                               "clearselectors", "-@all"}) {
      (void)ApplyUserRule(user, r);
    }
    if (pubsub_default_all_) (void)ApplyUserRule(user, "allchannels");
  } else {
    return ApplySelectorRule(user.root(), op);
  }
  return std::nullopt;
}

std::optional<std::string> Acl::SetUser(std::string_view name,
                                        std::span<const std::string_view> rules) {
  if (HasSpaces(name)) return std::string("ERR Usernames can't contain spaces or null characters");
  size_t open = 0;
  auto merged = MergeSelectorArgs(rules, &open);
  if (!merged) {
    return "ERR Unmatched parenthesis in acl selector starting at '" + std::string(rules[open]) +
           "'.";
  }
  // All or nothing: rules apply to a copy that replaces the user only when each is valid.
  auto it = users_.find(name);
  AclUser user = it != users_.end() ? *it->second : NewUser(name);
  for (const std::string& op : *merged) {
    if (auto err = ApplyUserRule(user, op)) {
      return "ERR Error in ACL SETUSER modifier '" + op + "': " + err->text;
    }
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
  auto words = SplitArgs(line);
  if (!words || words->empty()) return std::string("ERR Syntax error: empty user definition");
  const std::string& name = (*words)[0];
  if (HasSpaces(name)) return std::string("ERR Spaces not allowed in ACL usernames");
  if (declared_.count(name)) {
    return std::string("ERR Duplicate user found. A user can only be defined once in config files");
  }
  std::vector<std::string_view> args(words->begin() + 1, words->end());
  size_t open = 0;
  auto merged = MergeSelectorArgs(args, &open);
  if (!merged) {
    return "ERR Unmatched parenthesis in acl selector starting at '" + std::string(args[open]) +
           "'.";
  }
  // A declared user is created afresh; the built-in default user is reset first.
  AclUser* existing = Find(name);
  AclUser user = existing != nullptr ? *existing : NewUser(name);
  if (existing != nullptr) (void)ApplyUserRule(user, "reset");
  for (const std::string& op : *merged) {
    if (auto err = ApplyUserRule(user, op)) {
      return "ERR Error loading ACL rule '" + op + "' for the user named '" + name +
             "': " + err->text;
    }
  }
  Refresh(user);
  declared_.insert(name);
  if (existing != nullptr) {
    *existing = std::move(user);
  } else {
    users_.emplace(name, std::make_unique<AclUser>(std::move(user)));
  }
  return std::nullopt;
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
  const uint32_t id = Id(spec);
  // The key positions, found at most once for all the selectors.
  bool keys_found = false;
  std::vector<KeyRef> keys;
  auto check_selector = [&](const AclSelector& s, size_t* idx) -> AclDenial {
    // Commands a client may send before authenticating (AUTH, HELLO) pass the command
    // test; their arguments are still checked.
    if (!s.all_commands && !(spec.flags & kCmdNoAuth) && !s.Bit(id)) {
      auto fa = s.first_args.find(id);
      if (args.size() < 2 || fa == s.first_args.end()) return AclDenial::kCommand;
      const size_t at = IsSubcommand(spec) ? 2 : 1;
      if (at >= args.size() ||
          std::none_of(fa->second.begin(), fa->second.end(),
                       [&](const std::string& a) { return EqNoCase(a, args[at]); })) {
        return AclDenial::kCommand;
      }
    }
    if (!s.all_keys && !ArgumentsAreShardChannels(spec.name)) {
      if (TouchesWholeKeyspace(spec.name)) return AclDenial::kCommand;
      if (!keys_found) {
        keys_found = true;
        FindKeysWithFlags(spec, args, &keys);
      }
      for (const KeyRef& k : keys) {
        const std::string_view key = args[k.pos];
        const uint8_t need = AclRequiredKeyAccess(k.flags);
        const bool ok = std::any_of(s.keys.begin(), s.keys.end(), [&](const AclKeyPattern& p) {
          return (p.perms & need) == need && GlobMatch(p.pattern, key, /*nocase=*/false);
        });
        if (!ok) {
          *idx = k.pos;
          return AclDenial::kKey;
        }
      }
    }
    if (!s.all_channels) {
      const std::string_view n = spec.name;
      size_t first = 1, last = 0;  // channel arguments [first, last]
      bool literal = false;
      if (n == "publish" || n == "spublish") {
        last = 1;
      } else if (n == "subscribe" || n == "ssubscribe") {
        last = args.size() - 1;
      } else if (n == "psubscribe") {
        last = args.size() - 1;
        literal = true;
      }
      for (size_t i = first; i <= last && i < args.size(); ++i) {
        const std::string_view ch = args[i];
        const bool ok = std::any_of(
            s.channels.begin(), s.channels.end(),
            [&](const std::string& p) { return literal ? p == ch : GlobMatch(p, ch, false); });
        if (!ok) {
          *idx = i;
          return AclDenial::kChannel;
        }
      }
    }
    return AclDenial::kNone;
  };
  // No selector allows it: report the highest-ranked denial (channel over key over
  // command), and among equals the one at the latest argument, as Redis.
  AclDenial relevant = AclDenial::kCommand;
  size_t idx = 0, last_idx = 0;
  for (const AclSelector& s : user.selectors) {
    const AclDenial d = check_selector(s, &idx);
    if (d == AclDenial::kNone) return d;
    if (d > relevant || (d == relevant && idx > last_idx)) {
      relevant = d;
      last_idx = idx;
    }
  }
  if (relevant != AclDenial::kCommand && last_idx < args.size()) *object = args[last_idx];
  return relevant;
}

std::string Acl::DescribeKeys(const AclSelector& s) const {
  if (s.all_keys) return "~*";
  std::string out;
  for (const AclKeyPattern& k : s.keys) {
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

std::string Acl::DescribeChannels(const AclSelector& s) const {
  if (s.all_channels) return "&*";
  std::string out;
  for (const std::string& c : s.channels) {
    if (!out.empty()) out += ' ';
    out += '&';
    out += c;
  }
  return out;
}

void Acl::DescribeSingles(const AclSelector& s, AclSelector& fake, const CommandSpec& spec,
                          std::string* out) const {
  const uint32_t id = Id(spec);
  const bool userbit = s.Bit(id);
  if (userbit != fake.Bit(id)) {
    *out += userbit ? '+' : '-';
    *out += spec.name;
    *out += ' ';
    ChangePerm(fake, spec, userbit);
  }
  for (const CommandSpec& sub : spec.subcommands) DescribeSingles(s, fake, sub, out);
  if (!userbit) {
    if (auto it = s.first_args.find(id); it != s.first_args.end()) {
      for (const std::string& a : it->second) {
        *out += '+';
        *out += spec.name;
        *out += '|';
        *out += a;
        *out += ' ';
      }
    }
  }
}

std::string Acl::DescribeCommands(const AclSelector& s) const {
  // Redis 7.0 prints what the bits allow, not the rules as given: start from +@all (when
  // the last all-rule was +@all) or -@all, then repeatedly take the category that fits
  // best (the fewest commands it would get wrong, then the most it gets right), then
  // single commands for what still differs.
  const bool additive = !s.future_commands;
  std::string out = additive ? "-@all " : "+@all ";
  AclSelector fake = NewSelector(false);
  (void)ApplySelectorRule(fake, additive ? "-@all" : "+@all");
  AclSelector temp = NewSelector(false);
  temp.bits = s.bits;
  constexpr size_t kCats = std::size(kAclCategoryNames);
  bool applied[kCats] = {};
  while (true) {
    int best = -1;
    size_t min_diff = SIZE_MAX, max_same = 0;
    for (size_t j = 0; j < kCats; ++j) {
      if (applied[j]) continue;
      size_t on = 0, off = 0;
      CountCategory(temp, uint64_t{1} << j, &on, &off);
      const size_t diff = additive ? off : on;
      const size_t same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(j);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    const uint64_t bit = uint64_t{1} << best;
    ApplyCategory(fake, bit, additive);
    ApplyCategory(temp, bit, !additive);
    out += additive ? "+@" : "-@";
    out += kAclCategoryNames[best];
    out += ' ';
    applied[best] = true;
  }
  for (const CommandSpec& c : table_.commands()) DescribeSingles(s, fake, c, &out);
  out.pop_back();  // the last space
  return out;
}

std::string Acl::DescribeSelector(const AclSelector& s) const {
  std::string out;
  if (s.all_keys) {
    out += "~* ";
  } else {
    for (const AclKeyPattern& k : s.keys) {
      AclSelector one;
      one.keys.push_back(k);
      out += DescribeKeys(one);
      out += ' ';
    }
  }
  if (s.all_channels) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& c : s.channels) {
      out += '&';
      out += c;
      out += ' ';
    }
  }
  out += DescribeCommands(s);
  return out;
}

std::string Acl::Describe(const AclUser& user) const {
  std::string out = "user " + user.name + " ";
  out += user.enabled ? "on " : "off ";
  if (user.nopass) out += "nopass ";
  if (user.skip_sanitize_payload) out += "skip-sanitize-payload ";
  if (user.sanitize_payload) out += "sanitize-payload ";
  for (const std::string& p : user.passwords) {
    out += '#';
    out += p;
    out += ' ';
  }
  for (const AclSelector& s : user.selectors) {
    if (s.root) {
      out += DescribeSelector(s);
    } else {
      out += " (";
      out += DescribeSelector(s);
      out += ')';
    }
  }
  return out;
}

void Acl::Log(std::string_view reason, std::string_view context, std::string_view object,
              std::string_view username, std::string client_info, int64_t now_ms, size_t max_len) {
  // Only the ten newest entries are candidates, as in Redis.
  const size_t scan = std::min<size_t>(log_.size(), 10);
  for (size_t i = 0; i < scan; ++i) {
    AclLogEntry& e = log_[i];
    const int64_t delta = now_ms > e.updated_ms ? now_ms - e.updated_ms : e.updated_ms - now_ms;
    if (e.reason == reason && e.context == context && delta <= 60'000 && e.object == object &&
        e.username == username) {
      AclLogEntry moved = std::move(e);
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      ++moved.count;
      moved.updated_ms = now_ms;
      moved.client_info = std::move(client_info);
      log_.push_front(std::move(moved));
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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "ERR Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  // Build the new set aside: a bad line leaves the current users untouched. As Redis 7.0,
  // words are separated by single spaces (no quoting) and users start from nothing.
  std::map<std::string, AclUser, std::less<>> fresh;
  std::string errors;
  const std::string where = path + ":";
  size_t pos = 0;
  int lineno = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    auto trim = [](std::string_view s, std::string_view set) {
      while (!s.empty() && set.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
      while (!s.empty() && set.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
      return s;
    };
    line = trim(line, " \t\r\n");
    if (line.empty()) continue;
    std::vector<std::string_view> words;
    for (size_t start = 0;;) {
      const size_t sp = line.find(' ', start);
      words.push_back(line.substr(start, sp == std::string_view::npos ? sp : sp - start));
      if (sp == std::string_view::npos) break;
      start = sp + 1;
    }
    const std::string ln = std::to_string(lineno);
    if (words[0] != "user" || words.size() < 2) {
      errors += where + ln + " should start with user keyword followed by the username. ";
      continue;
    }
    const std::string name(words[1]);
    if (HasSpaces(name) || name.empty()) {
      errors += "'" + where + ln + ": username '" + name + "' contains invalid characters. ";
      continue;
    }
    if (fresh.count(name)) {
      errors += "WARNING: Duplicate user '" + name + "' found on line " + ln + ". ";
      continue;
    }
    AclUser user = NewUser(name);
    size_t open = 0;
    auto merged = MergeSelectorArgs(std::span(words).subspan(2), &open);
    if (!merged) {
      // redis-server 7.0.15 crashes here; the error is what it would have said.
      errors += where + ln + ": Unmatched parenthesis in selector definition. ";
      continue;
    }
    bool reported = false;
    for (const std::string& raw : *merged) {
      const std::string_view op = trim(raw, "\t\r\n");
      if (auto err = ApplyUserRule(user, op)) {
        if (err->unknown_name) {
          errors += where + ln + ": Error in applying operation '" + std::string(op) +
                    "': " + err->text + ". ";
        } else if (!reported) {
          // Only the first other error of a line: it may explain the ones after it.
          errors += where + ln + ": " + err->text + ". ";
          reported = true;
        }
      }
    }
    Refresh(user);
    fresh.emplace(name, std::move(user));
  }
  if (!errors.empty()) {
    return "ERR " + errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  if (!fresh.count("default")) {
    AclUser d = NewUser("default");
    for (std::string_view r : {"+@all", "~*", "&*", "on", "nopass"}) (void)ApplyUserRule(d, r);
    Refresh(d);
    fresh.emplace("default", std::move(d));
  }
  // As Redis 7.0, every user but the default one is replaced by a new object, so clients
  // logged in as them are disconnected (the caller does it, see TakeRetired); the default
  // user is updated in place.
  for (auto it = users_.begin(); it != users_.end();) {
    if (it->second.get() == default_user_) {
      auto f = fresh.find(it->first);
      *it->second = std::move(f->second);
      fresh.erase(f);
      ++it;
    } else {
      retired_.push_back(std::move(it->second));
      it = users_.erase(it);
    }
  }
  for (auto& [name, u] : fresh) users_.emplace(name, std::make_unique<AclUser>(std::move(u)));
  return std::nullopt;
}

std::optional<std::string> Acl::SaveFile(const std::string& path) const {
  static constexpr std::string_view kSaveError =
      "ERR There was an error trying to save the ACLs. Please check the server logs for more "
      "information";
  // Write aside, then rename: a failed save never leaves a half-written ACL file.
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return std::string(kSaveError);
    for (const auto& [name, u] : users_) out << Describe(*u) << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return std::string(kSaveError);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return std::string(kSaveError);
  }
  return std::nullopt;
}

}  // namespace gannet
