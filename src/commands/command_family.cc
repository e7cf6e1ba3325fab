// COMMAND and its subcommands (COUNT, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, LIST, HELP):
// what clients learn about the command table. Reply shapes follow Redis 7.0 exactly
// (redis-cli 7 calls COMMAND DOCS at startup, cluster clients read first/last/step and key
// specs from COMMAND INFO). Key specs and the COMMAND DOCS facts come from generated data
// (command_metadata.h), attached to each row at registration by AttachCommandMetadata
// below. There are no keyspace operations here: helpers come first, then handlers, then
// RegisterCommandFamily.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "command_metadata.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "key_extraction.h"

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

// A set of KeySpecFlag names, in COMMAND INFO's order.
void ReplyKeyFlags(uint32_t flags, ReplyBuilder& rb) {
  size_t n = 0;
  for (size_t i = 0; i < std::size(kKeySpecFlagNames); ++i) n += (flags >> i) & 1;
  rb.SendSetLen(n);
  for (size_t i = 0; i < std::size(kKeySpecFlagNames); ++i) {
    if ((flags >> i) & 1) rb.SendSimple(kKeySpecFlagNames[i]);
  }
}

// One key spec: a map of [notes,] flags, begin_search and find_keys, each search a map of
// its type and its spec (empty for "unknown").
void ReplyKeySpec(const KeySpec& ks, ReplyBuilder& rb) {
  rb.SendMapLen(ks.notes.empty() ? 3 : 4);
  if (!ks.notes.empty()) {
    rb.SendBulk("notes");
    rb.SendBulk(ks.notes);
  }
  rb.SendBulk("flags");
  ReplyKeyFlags(ks.flags, rb);

  rb.SendBulk("begin_search");
  rb.SendMapLen(2);
  rb.SendBulk("type");
  switch (ks.begin.type) {
    case KeyBegin::kIndex:
      rb.SendBulk("index");
      rb.SendBulk("spec");
      rb.SendMapLen(1);
      rb.SendBulk("index");
      rb.SendLong(ks.begin.pos);
      break;
    case KeyBegin::kKeyword:
      rb.SendBulk("keyword");
      rb.SendBulk("spec");
      rb.SendMapLen(2);
      rb.SendBulk("keyword");
      rb.SendBulk(ks.begin.keyword);
      rb.SendBulk("startfrom");
      rb.SendLong(ks.begin.pos);
      break;
    case KeyBegin::kUnknown:
      rb.SendBulk("unknown");
      rb.SendBulk("spec");
      rb.SendMapLen(0);
      break;
  }

  rb.SendBulk("find_keys");
  rb.SendMapLen(2);
  rb.SendBulk("type");
  switch (ks.find.type) {
    case KeyFind::kRange:
      rb.SendBulk("range");
      rb.SendBulk("spec");
      rb.SendMapLen(3);
      rb.SendBulk("lastkey");
      rb.SendLong(ks.find.lastkey);
      rb.SendBulk("keystep");
      rb.SendLong(ks.find.keystep);
      rb.SendBulk("limit");
      rb.SendLong(ks.find.limit);
      break;
    case KeyFind::kKeynum:
      rb.SendBulk("keynum");
      rb.SendBulk("spec");
      rb.SendMapLen(3);
      rb.SendBulk("keynumidx");
      rb.SendLong(ks.find.keynumidx);
      rb.SendBulk("firstkey");
      rb.SendLong(ks.find.firstkey);
      rb.SendBulk("keystep");
      rb.SendLong(ks.find.keystep);
      break;
    case KeyFind::kUnknown:
      rb.SendBulk("unknown");
      rb.SendBulk("spec");
      rb.SendMapLen(0);
      break;
  }
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
  rb.SendSetLen(c.key_specs.size());
  for (const KeySpec& ks : c.key_specs) ReplyKeySpec(ks, rb);
  if (c.subcommands.empty()) {
    rb.SendSetLen(0);
  } else {
    rb.SendArrayLen(c.subcommands.size());
    for (const CommandSpec& s : c.subcommands) ReplyCommandInfo(s, rb);
  }
}

// The arguments nodes[begin, end) that are siblings, as COMMAND DOCS lists them: an array
// of maps of name, type, [key_spec_index,] [token,] [since,] [deprecated_since,] [flags,]
// [arguments].
void ReplyDocArgs(const std::vector<DocArg>& nodes, size_t begin, size_t end, ReplyBuilder& rb) {
  size_t count = 0;
  for (size_t i = begin; i < end; i += nodes[i].subtree) ++count;
  rb.SendArrayLen(count);
  for (size_t i = begin; i < end; i += nodes[i].subtree) {
    const DocArg& a = nodes[i];
    const size_t nflags = size_t{a.optional} + a.multiple + a.multiple_token;
    rb.SendMapLen(2 + (a.key_spec_index >= 0) + a.has_token + !a.since.empty() +
                  !a.deprecated_since.empty() + (nflags > 0) + (a.subtree > 1));
    rb.SendBulk("name");
    rb.SendBulk(a.name);
    rb.SendBulk("type");
    rb.SendBulk(a.type);
    if (a.key_spec_index >= 0) {
      rb.SendBulk("key_spec_index");
      rb.SendLong(a.key_spec_index);
    }
    if (a.has_token) {
      rb.SendBulk("token");
      rb.SendBulk(a.token);
    }
    if (!a.since.empty()) {
      rb.SendBulk("since");
      rb.SendBulk(a.since);
    }
    if (!a.deprecated_since.empty()) {
      rb.SendBulk("deprecated_since");
      rb.SendBulk(a.deprecated_since);
    }
    if (nflags > 0) {
      rb.SendBulk("flags");
      rb.SendSetLen(nflags);
      if (a.optional) rb.SendSimple("optional");
      if (a.multiple) rb.SendSimple("multiple");
      if (a.multiple_token) rb.SendSimple("multiple_token");
    }
    if (a.subtree > 1) {
      rb.SendBulk("arguments");
      ReplyDocArgs(nodes, i + 1, i + a.subtree, rb);
    }
  }
}

// The "version text" lines of a history.
std::vector<std::pair<std::string_view, std::string_view>> SplitHistory(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos) out.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// One COMMAND DOCS value: a map of summary, since, group, [complexity,] [doc_flags,]
// [deprecated_since,] [replaced_by,] [history,] [arguments,] and for a container
// [subcommands] (a map of name -> the same). Summary and complexity are the row's own words;
// the rest comes from doc_info when the command has it.
void ReplyCommandDoc(const CommandSpec& c, ReplyBuilder& rb) {
  const CommandDocInfo* info = c.doc_info;
  const bool complexity = info == nullptr || info->has_complexity;
  const uint8_t doc_flags = info != nullptr ? info->doc_flags : 0;
  const std::string_view deprecated = info != nullptr ? info->deprecated_since : "";
  const std::string_view replaced = info != nullptr ? info->replaced_by : "";
  const auto history = SplitHistory(info != nullptr ? info->history : "");
  std::vector<DocArg> args;
  if (info != nullptr && !ParseDocArgs(info->args, &args)) args.clear();  // tests guard this

  rb.SendMapLen(3 + complexity + (doc_flags != 0) + !deprecated.empty() + !replaced.empty() +
                !history.empty() + !args.empty() + !c.subcommands.empty());
  rb.SendBulk("summary");
  rb.SendBulk(c.doc.summary);
  rb.SendBulk("since");
  rb.SendBulk(info != nullptr ? info->since : c.doc.since);
  rb.SendBulk("group");
  rb.SendBulk(info != nullptr ? info->group : c.doc.group);
  if (complexity) {
    rb.SendBulk("complexity");
    rb.SendBulk(c.doc.complexity);
  }
  if (doc_flags != 0) {
    rb.SendBulk("doc_flags");
    rb.SendSetLen(std::popcount(doc_flags));
    if (doc_flags & kDocDeprecated) rb.SendSimple("deprecated");
    if (doc_flags & kDocSyscmd) rb.SendSimple("syscmd");
  }
  if (!deprecated.empty()) {
    rb.SendBulk("deprecated_since");
    rb.SendBulk(deprecated);
  }
  if (!replaced.empty()) {
    rb.SendBulk("replaced_by");
    rb.SendBulk(replaced);
  }
  if (!history.empty()) {
    rb.SendBulk("history");
    rb.SendSetLen(history.size());
    for (const auto& [version, text] : history) {
      rb.SendArrayLen(2);
      rb.SendBulk(version);
      rb.SendBulk(text);
    }
  }
  if (!args.empty()) {
    rb.SendBulk("arguments");
    ReplyDocArgs(args, 0, args.size(), rb);
  }
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

// COMMAND GETKEYS / GETKEYSANDFLAGS command arg...: the key arguments (key_extraction.h),
// with their key-spec flags for the latter. Redis's checks, in its order: a known command,
// one that can have keys, its arity, then keys found (an empty array for a command whose
// keys are optional).
void ReplyGetKeys(CmdArgs args, CommandContext& ctx, bool with_flags) {
  const CommandTable& table = TableOf(ctx);
  CmdArgs cmd = args.subspan(2);  // at least two arguments (arity -4)
  const CommandSpec* c = table.Find(cmd[0]);
  if (c != nullptr && c->is_container()) c = table.FindSub(*c, cmd[1]);
  if (c == nullptr) return ctx.reply.SendError("ERR Invalid command specified");
  if (!CommandHasKeys(*c)) return ctx.reply.SendError("ERR The command has no key arguments");
  const auto argc = static_cast<int64_t>(cmd.size());
  if ((c->arity > 0 && c->arity != argc) || argc < -static_cast<int64_t>(c->arity)) {
    return ctx.reply.SendError("ERR Invalid number of arguments specified for command");
  }
  std::vector<KeyRef> keys;
  if (FindKeysWithFlags(*c, cmd, &keys) == 0) {
    if (c->flags & kCmdNoMandatoryKeys) return ctx.reply.SendArrayLen(0);
    return ctx.reply.SendError("ERR Invalid arguments specified for command");
  }
  ctx.reply.SendArrayLen(keys.size());
  for (const KeyRef& k : keys) {
    if (with_flags) {
      ctx.reply.SendArrayLen(2);
      ctx.reply.SendBulk(cmd[k.pos]);
      ReplyKeyFlags(k.flags, ctx.reply);
    } else {
      ctx.reply.SendBulk(cmd[k.pos]);
    }
  }
}

void CmdCommandGetKeys(CmdArgs args, CommandContext& ctx) { ReplyGetKeys(args, ctx, false); }
void CmdCommandGetKeysAndFlags(CmdArgs args, CommandContext& ctx) { ReplyGetKeys(args, ctx, true); }

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
      "GETKEYSANDFLAGS <full-command>",
      "    Return the key arguments of a full command line, each with how it is used.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SendSimple(line);
}

// One argument of the notation CommandDocInfo describes, and its children, appended to
// *out; advances `text` past it.
bool ParseDocArg(std::string_view& text, std::vector<DocArg>* out) {
  auto take_until = [&text](std::string_view stops) {
    const size_t end = std::min(text.find_first_of(stops), text.size());
    std::string_view word = text.substr(0, end);
    text.remove_prefix(end);
    return word;
  };
  auto next_is = [&text](char c) {
    if (text.empty() || text.front() != c) return false;
    text.remove_prefix(1);
    return true;
  };
  const size_t self = out->size();
  out->push_back({});
  DocArg& a = out->back();
  a.name = take_until("<>'#@^?*+( )");
  if (a.name.empty() || !next_is('<')) return false;
  a.type = take_until(">");
  if (a.type.empty() || !next_is('>')) return false;
  constexpr std::string_view kStops = "#'@^?*+( )";
  if (next_is('#')) {
    auto index = ParseInt64(take_until(kStops));
    if (!index || *index < 0 || *index > 255) return false;
    a.key_spec_index = static_cast<int>(*index);
  }
  if (next_is('\'')) {
    a.has_token = true;
    a.token = take_until("'");
    if (!next_is('\'')) return false;
  }
  if (next_is('@')) a.since = take_until(kStops);
  if (next_is('^')) a.deprecated_since = take_until(kStops);
  a.optional = next_is('?');
  a.multiple = next_is('*');
  a.multiple_token = next_is('+');
  if (next_is('(')) {
    do {
      if (!ParseDocArg(text, out)) return false;
    } while (next_is(' '));
    if (!next_is(')')) return false;
  }
  (*out)[self].subtree = out->size() - self;  // `a` may dangle after the children's pushes
  return true;
}

}  // namespace

bool ParseDocArgs(std::string_view text, std::vector<DocArg>* out) {
  out->clear();
  if (text.empty()) return true;
  while (true) {
    if (!ParseDocArg(text, out)) return false;
    if (text.empty()) return true;
    if (text.front() != ' ') return false;
    text.remove_prefix(1);
  }
}

void AttachCommandMetadata(CommandSpec& spec) {
  spec.key_specs = FindKeySpecs(spec.name);
  spec.getkeys_proc = FindGetKeysProc(spec.name);
  spec.doc_info = FindDocInfo(spec.name);
  for (CommandSpec& sub : spec.subcommands) AttachCommandMetadata(sub);
}

// ---------------------------------------------------------------------------------------
// Registration: as redis-server 7.0 reports COMMAND in COMMAND INFO.

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
                      {.name = "command|getkeysandflags",
                       .arity = -4,
                       .flags = kLS,
                       .first_key = 0,
                       .last_key = 0,
                       .step = 0,
                       .acl_categories = kConn,
                       .handler = CmdCommandGetKeysAndFlags,
                       .doc = {"Extracts the key names from a full command line, with the way "
                               "the command uses each.",
                               "7.0.0", kSrv, "O(N) for N arguments"}},
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
