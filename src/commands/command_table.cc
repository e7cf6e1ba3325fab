// The command table: rows registered by each family, a case-insensitive index for the
// dispatcher, and the implicit ACL categories Redis derives from command flags.
#include "gannet/commands/command_table.h"

#include <cassert>

#include "arg_parser.h"
#include "command_metadata.h"

namespace gannet {

namespace {

// Longest command name we index; a longer name cannot be a command, so Find rejects it
// without lowering it.
constexpr size_t kMaxNameLen = 64;

void AddImplicitCategories(CommandSpec& spec) {
  uint64_t& cats = spec.acl_categories;
  if (spec.flags & kCmdWrite) cats |= kAclWrite;
  if ((spec.flags & kCmdReadOnly) && !(cats & kAclScripting)) cats |= kAclRead;
  if (spec.flags & kCmdAdmin) cats |= kAclAdmin | kAclDangerous;
  if (spec.flags & kCmdPubSub) cats |= kAclPubSub;
  if (spec.flags & kCmdFast) cats |= kAclFast;
  if (spec.flags & kCmdBlocking) cats |= kAclBlocking;
  if (!(cats & kAclFast)) cats |= kAclSlow;
  for (CommandSpec& sub : spec.subcommands) AddImplicitCategories(sub);
}

}  // namespace

CommandTable::CommandTable() {
  RegisterStringFamily(*this);
  RegisterKeysFamily(*this);
  RegisterServerFamily(*this);
  RegisterConnectionFamily(*this);
  RegisterCommandFamily(*this);
  RegisterHashFamily(*this);
  RegisterSetFamily(*this);
  RegisterListFamily(*this);
  RegisterZSetFamily(*this);
  RegisterGeoFamily(*this);
  RegisterBitmapFamily(*this);
  RegisterHyperLogLogFamily(*this);
  RegisterStreamFamily(*this);
  RegisterSortFamily(*this);
  RegisterMemoryFamily(*this);
  RegisterPersistenceFamily(*this);
  RegisterDebugFamily(*this);
  RegisterDumpFamily(*this);
  RegisterPubSubFamily(*this);
  RegisterTransactionFamily(*this);
  RegisterIntrospectionFamily(*this);
  RegisterAclFamily(*this);
  RegisterAofFamily(*this);
}

void CommandTable::Register(CommandSpec spec) {
  assert(spec.name.size() <= kMaxNameLen);
  AddImplicitCategories(spec);
  AttachCommandMetadata(spec);
  std::string key(spec.name);
  index_[key] = commands_.size();
  commands_.push_back(std::move(spec));
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  if (name.size() > kMaxNameLen) return nullptr;
  char buf[kMaxNameLen] = {};  // initialised: GCC's -O3 flow analysis cannot see the loop fill it
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto it = index_.find(std::string_view(buf, name.size()));
  return it == index_.end() ? nullptr : &commands_[it->second];
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent, std::string_view sub) const {
  for (const CommandSpec& s : parent.subcommands) {
    std::string_view n = s.name;
    size_t bar = n.find('|');
    if (bar != std::string_view::npos) n.remove_prefix(bar + 1);
    if (EqualsNoCase(n, sub)) return &s;
  }
  return nullptr;
}

bool CommandTable::Rename(std::string_view name, std::string_view new_name) {
  std::string key(name);
  for (char& c : key) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  const size_t row = it->second;
  index_.erase(it);
  if (new_name.empty()) return true;
  std::string to(new_name);
  for (char& c : to) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (to.size() > kMaxNameLen || index_.count(to)) {
    index_.emplace(std::move(key), row);  // refused: leave the table as it was
    return false;
  }
  index_.emplace(std::move(to), row);
  return true;
}

void CommandTable::ResetStats() const {
  for (const CommandSpec& c : commands_) {
    c.stats = {};
    for (const CommandSpec& s : c.subcommands) s.stats = {};
  }
}

}  // namespace gannet
