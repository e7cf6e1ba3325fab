// COMMAND and its subcommands (COUNT, INFO, DOCS, GETKEYS, LIST, HELP): what clients learn
// about the command table. Reply shapes follow Redis 7.0 exactly (redis-cli 7 calls
// COMMAND DOCS at startup, cluster clients read first/last/step from COMMAND INFO).
// There are no keyspace operations here: helpers come first, then handlers, then
// RegisterCommandFamily.
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "key_extraction.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"

namespace gannet {

namespace {

// Flags in the order COMMAND INFO prints them. may_replicate and sentinel are never
// printed (Redis hides them); movablekeys is printed when set.
struct FlagName {
  uint32_t bit;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadOnly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdAdmin, "admin"},
    {kCmdPubSub, "pubsub"},
    {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdNoMandatoryKeys, "no_mandatory_keys"},
    {kCmdNoAsyncLoading, "no_async_loading"},
    {kCmdNoMulti, "no_multi"},
    {kCmdMovableKeys, "movablekeys"},
    {kCmdAllowBusy, "allow_busy"},
};

// ACL categories in bit order, which is also the order Redis prints them in.
constexpr const auto& kCategoryNames = kAclCategoryNames;

// A command by its full name: "get", or "config|get" for a subcommand.
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  const size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.Find(name);
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  if (parent == nullptr) return nullptr;
  return table.FindSub(*parent, name.substr(bar + 1));
}

// Calls fn for every command and subcommand, parents first.
template <typename Fn>
void ForEachCommand(const CommandTable& table, Fn&& fn) {
  for (const CommandSpec& c : table.commands()) {
    fn(c);
    for (const CommandSpec& s : c.subcommands) fn(s);
  }
}

std::vector<std::string_view> SplitTips(std::string_view tips) {
  std::vector<std::string_view> out;
  while (!tips.empty()) {
    const size_t sp = tips.find(' ');
    std::string_view t = tips.substr(0, sp);
    if (!t.empty()) out.push_back(t);
    if (sp == std::string_view::npos) break;
    tips.remove_prefix(sp + 1);
  }
  return out;
}

// One COMMAND INFO row: [name, arity, flags, first, last, step, categories, tips,
// key specs, subcommands]. Empty subcommands are an empty set, as Redis sends them.
void ReplyCommandInfo(const CommandSpec& c, ReplyBuilder& rb) {
  rb.SendArrayLen(10);
  rb.SendBulk(c.name);
  rb.SendLong(c.arity);
  size_t nflags = 0;
  for (const FlagName& f : kFlagNames) nflags += (c.flags & f.bit) != 0;
  rb.SendSetLen(nflags);
  for (const FlagName& f : kFlagNames) {
    if (c.flags & f.bit) rb.SendSimple(f.name);
  }
  rb.SendLong(c.first_key);
  rb.SendLong(c.last_key);
  rb.SendLong(c.step);
  size_t ncats = 0;
  for (size_t i = 0; i < std::size(kCategoryNames); ++i) ncats += (c.acl_categories >> i) & 1;
  rb.SendSetLen(ncats);
  for (size_t i = 0; i < std::size(kCategoryNames); ++i) {
    if ((c.acl_categories >> i) & 1) {
      std::string cat = "@";
      cat.append(kCategoryNames[i]);
      rb.SendSimple(cat);
    }
  }
  const std::vector<std::string_view> tips = SplitTips(c.tips);
  rb.SendSetLen(tips.size());
  for (std::string_view t : tips) rb.SendBulk(t);
  rb.SendSetLen(0);  // key specs: not modelled; first/last/step describe the keys
  if (c.subcommands.empty()) {
    rb.SendSetLen(0);
  } else {
    rb.SendArrayLen(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) ReplyCommandInfo(s, rb);
  }
}

// One COMMAND DOCS value: a map of summary, since, group, complexity and, for a container,
// subcommands (a map of name -> the same).
void ReplyCommandDoc(const CommandSpec& c, ReplyBuilder& rb) {
  rb.SendMapLen(c.subcommands.empty() ? 4 : 5);
  rb.SendBulk("summary");
  rb.SendBulk(c.doc.summary);
  rb.SendBulk("since");
  rb.SendBulk(c.doc.since);
  rb.SendBulk("group");
  rb.SendBulk(c.doc.group);
  rb.SendBulk("complexity");
  rb.SendBulk(c.doc.complexity);
  if (!c.subcommands.empty()) {
    rb.SendBulk("subcommands");
    rb.SendMapLen(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) {
      rb.SendBulk(s.name);
      ReplyCommandDoc(s, rb);
    }
  }
}

const CommandTable& TableOf(CommandContext& ctx) { return *ctx.table; }

// ---------------------------------------------------------------------------------------
// Handlers

void CmdCommand(CmdArgs, CommandContext& ctx) {
  const CommandTable& table = TableOf(ctx);
  ctx.reply.SendArrayLen(table.size());
  for (const CommandSpec& c : table.commands()) ReplyCommandInfo(c, ctx.reply);
}

void CmdCommandCount(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendLong(static_cast<int64_t>(TableOf(ctx).size()));
}

void CmdCommandInfo(CmdArgs args, CommandContext& ctx) {
  const CommandTable& table = TableOf(ctx);
  if (args.size() == 2) return CmdCommand(args, ctx);
  ctx.reply.SendArrayLen(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    const CommandSpec* c = FindByFullName(table, args[i]);
    if (c == nullptr) {
      ctx.reply.SendNull();  // Redis: a null bulk in RESP2, not a null array
    } else {
      ReplyCommandInfo(*c, ctx.reply);
    }
  }
}

void CmdCommandDocs(CmdArgs args, CommandContext& ctx) {
  const CommandTable& table = TableOf(ctx);
  if (args.size() == 2) {
    ctx.reply.SendMapLen(table.size());
    for (const CommandSpec& c : table.commands()) {
      ctx.reply.SendBulk(c.name);
      ReplyCommandDoc(c, ctx.reply);
    }
    return;
  }
  std::vector<const CommandSpec*> found;
  for (size_t i = 2; i < args.size(); ++i) {
    const CommandSpec* c = FindByFullName(table, args[i]);
    if (c != nullptr) found.push_back(c);
  }
  ctx.reply.SendMapLen(found.size());
  for (const CommandSpec* c : found) {
    ctx.reply.SendBulk(c->name);
    ReplyCommandDoc(*c, ctx.reply);
  }
}

// COMMAND GETKEYS command arg...: the key arguments (key_extraction.h).
void CmdCommandGetKeys(CmdArgs args, CommandContext& ctx) {
  const CommandTable& table = TableOf(ctx);
  CmdArgs cmd = args.subspan(2);
  const CommandSpec* c = table.Find(cmd[0]);
  if (c != nullptr && c->is_container()) c = table.FindSub(*c, cmd[1]);
  if (c == nullptr) return ctx.reply.SendError("ERR Invalid command specified");
  // Redis's order: a command without keys, then the arity, then the arguments.
  std::vector<size_t> positions;
  const KeyExtraction found = ExtractKeys(*c, cmd, &positions);
  if (found == KeyExtraction::kNoKeys) {
    return ctx.reply.SendError("ERR The command has no key arguments");
  }
  const auto argc = static_cast<int64_t>(cmd.size());
  if ((c->arity > 0 && c->arity != argc) || argc < -static_cast<int64_t>(c->arity)) {
    return ctx.reply.SendError("ERR Invalid number of arguments specified for command");
  }
  if (found == KeyExtraction::kInvalid) {
    return ctx.reply.SendError("ERR Invalid arguments specified for command");
  }
  std::vector<std::string_view> keys;
  keys.reserve(positions.size());
  for (size_t i : positions) keys.push_back(cmd[i]);
  ctx.reply.SendBulkArray(keys);
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
void CmdCommandList(CmdArgs args, CommandContext& ctx) {
  const CommandTable& table = TableOf(ctx);
  enum { kAll, kModule, kAclCat, kPattern } filter = kAll;
  std::string_view value;
  if (args.size() != 2) {
    if (args.size() != 5 || !EqualsNoCase(args[2], "FILTERBY")) {
      return ctx.reply.SendError(kSyntaxErr);
    }
    value = args[4];
    if (EqualsNoCase(args[3], "MODULE")) {
      filter = kModule;
    } else if (EqualsNoCase(args[3], "ACLCAT")) {
      filter = kAclCat;
    } else if (EqualsNoCase(args[3], "PATTERN")) {
      filter = kPattern;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  uint64_t category = 0;
  if (filter == kAclCat) {
    for (size_t i = 0; i < std::size(kCategoryNames); ++i) {
      if (EqualsNoCase(kCategoryNames[i], value)) category = 1ull << i;
    }
  }
  std::vector<std::string_view> names;
  if (filter != kModule) {  // no modules: that filter matches nothing
    ForEachCommand(table, [&](const CommandSpec& c) {
      if (filter == kAclCat && !(c.acl_categories & category)) return;
      if (filter == kPattern && !GlobMatch(value, c.name, /*nocase=*/true)) return;
      names.push_back(c.name);
    });
  }
  ctx.reply.SendBulkArray(names);
}

void CmdCommandHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Describe every command (as COMMAND INFO does).",
      "COUNT",
      "    Return the number of commands.",
      "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
      "    Return the names of all commands, or of those matching the filter.",
      "INFO [<command-name> ...]",
      "    Describe the given commands, or every command when none is given.",
      "DOCS [<command-name> ...]",
      "    Return documentation for the given commands, or for every command.",
      "GETKEYS <full-command>",
      "    Return the key arguments of a full command line.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SendSimple(line);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: as redis-server 7.0 reports COMMAND in COMMAND INFO (GETKEYSANDFLAGS is
// not provided).

void RegisterCommandFamily(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint64_t kConn = kAclConnection;
  constexpr std::string_view kSrv = "server";
  constexpr std::string_view kOrder = "nondeterministic_output_order";
  t.Register({.name = "command",
              .arity = -1,
              .flags = kLS,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = kConn,
              .handler = CmdCommand,
              .doc = {"Describes every command.", "2.8.13", kSrv, "O(N) for N commands"},
              .subcommands =
                  {
                      {.name = "command|count",
                       .arity = 2,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandCount,
                       .doc = {"Returns the number of commands.", "2.8.13", kSrv, "O(1)"}},
                      {.name = "command|docs",
                       .arity = -2,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandDocs,
                       .doc = {"Returns documentation about commands.", "7.0.0", kSrv,
                               "O(N) for N commands looked up"},
                       .tips = kOrder},
                      {.name = "command|getkeys",
                       .arity = -4,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandGetKeys,
                       .doc = {"Extracts the key names from a full command line.", "2.8.13", kSrv,
                               "O(N) for N arguments"}},
                      {.name = "command|help",
                       .arity = 2,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandHelp,
                       .doc = {"Lists the COMMAND subcommands.", "5.0.0", kSrv, "O(1)"}},
                      {.name = "command|info",
                       .arity = -2,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandInfo,
                       .doc = {"Describes the given commands.", "2.8.13", kSrv,
                               "O(N) for N commands looked up"},
                       .tips = kOrder},
                      {.name = "command|list",
                       .arity = -2,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandList,
                       .doc = {"Lists command names, optionally filtered.", "7.0.0", kSrv,
                               "O(N) for N commands"},
                       .tips = kOrder},
                  },
              .tips = kOrder});
}

}  // namespace gannet
