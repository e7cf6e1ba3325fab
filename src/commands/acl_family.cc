// ACL and its subcommands: SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS,
// LOG, SAVE, LOAD, DRYRUN, HELP. The users and rules live in Acl (acl.h); the gate that
// enforces them is PassesAclGate, called by the dispatcher for restricted users.
#include <algorithm>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "command_gates.h"
#include "error_text.h"
#include "gannet/commands/acl.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/pubsub.h"

namespace gannet {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Acl& AclOf(CommandContext& ctx) { return ctx.dispatcher->acl(); }

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
    "Redis configuration file set) in order to store users in the Redis configuration.";

// The channel patterns a user may use: nullopt when some selector allows every channel.
std::optional<std::vector<std::string>> ChannelPatterns(const AclUser& u) {
  std::vector<std::string> out;
  for (const AclSelector& s : u.selectors) {
    if (s.all_channels) return std::nullopt;
    out.insert(out.end(), s.channels.begin(), s.channels.end());
  }
  return out;
}

// After ACL SETUSER took channels away from a user, its subscribed clients that hold a
// subscription no longer allowed are disconnected, as Redis 7.0 does.
void DisconnectRevokedSubscribers(CommandContext& ctx, const AclUser& user,
                                  const std::vector<std::string>& before) {
  const auto now = ChannelPatterns(user);
  if (!now) return;
  auto allowed = [&](std::string_view ch, bool literal) {
    return std::any_of(now->begin(), now->end(), [&](const std::string& p) {
      return literal ? p == ch : GlobMatch(p, ch, /*nocase=*/false);
    });
  };
  if (std::all_of(before.begin(), before.end(),
                  [&](const std::string& p) { return allowed(p, /*literal=*/true); })) {
    return;  // nothing the user had was taken away
  }
  PubSub& pubsub = ctx.dispatcher->pubsub();
  std::vector<uint64_t> victims;
  ctx.server.ForEachClient([&](ClientView& c) {
    const ClientSession& session = c.session();
    if (session.acl_user != &user || session.subscriptions + session.shard_subscriptions == 0) {
      return;
    }
    void* handle = static_cast<void*>(&c);
    bool kill = false;
    for (const std::string& p : pubsub.PatternsOf(handle)) kill = kill || !allowed(p, true);
    for (const std::string& ch : pubsub.ChannelsOf(handle)) kill = kill || !allowed(ch, false);
    for (const std::string& ch : pubsub.ShardChannelsOf(handle)) {
      kill = kill || !allowed(ch, false);
    }
    if (kill) victims.push_back(c.id());
  });
  for (uint64_t id : victims) {
    ClientKillFilter filter;
    filter.id = id;
    filter.skip_me = false;
    ctx.server.KillClients(filter, ctx.client);
  }
}

void CmdAclSetUser(CmdArgs args, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  acl.set_pubsub_default_all(ctx.config().acl_pubsub_default == "allchannels");
  std::vector<std::string_view> rules(args.begin() + 3, args.end());
  const AclUser* existing = acl.Find(args[2]);
  // What the user could subscribe to before (nullopt: everything).
  std::optional<std::vector<std::string>> before;
  if (existing != nullptr) before = ChannelPatterns(*existing);
  if (auto err = acl.SetUser(args[2], rules)) return ctx.reply.SendError(*err);
  if (existing != nullptr) {
    // The object is updated in place, so `existing` is the user as it is now.
    std::vector<std::string> had;
    if (before) {
      had = std::move(*before);
    } else {
      had.emplace_back("*");  // everything: any restriction takes something away
    }
    DisconnectRevokedSubscribers(ctx, *existing, had);
  }
  ctx.reply.SendOk();
}

// The commands, keys and channels of one selector: three fields of a map.
void SendSelectorFields(const Acl& acl, const AclSelector& sel, ReplyBuilder& rb) {
  rb.SendBulk("commands");
  rb.SendBulk(acl.DescribeCommands(sel));
  rb.SendBulk("keys");
  rb.SendBulk(acl.DescribeKeys(sel));
  rb.SendBulk("channels");
  rb.SendBulk(acl.DescribeChannels(sel));
}

void CmdAclGetUser(CmdArgs args, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  const AclUser* u = acl.Find(args[2]);
  if (u == nullptr) return ctx.reply.SendNull();
  ReplyBuilder& rb = ctx.reply;
  rb.SendMapLen(6);
  rb.SendBulk("flags");
  std::vector<std::string_view> flags{u->enabled ? "on" : "off"};
  if (u->nopass) flags.push_back("nopass");
  if (u->skip_sanitize_payload) flags.push_back("skip-sanitize-payload");
  if (u->sanitize_payload) flags.push_back("sanitize-payload");
  rb.SendSetLen(flags.size());
  for (auto f : flags) rb.SendBulk(f);
  rb.SendBulk("passwords");
  rb.SendBulkArray(u->passwords);
  SendSelectorFields(acl, u->root(), rb);
  rb.SendBulk("selectors");
  rb.SendArrayLen(u->selectors.size() - 1);
  for (size_t i = 1; i < u->selectors.size(); ++i) {
    rb.SendMapLen(3);
    SendSelectorFields(acl, u->selectors[i], rb);
  }
}

// Clients logged in as a user that ACL DELUSER or ACL LOAD removed are disconnected, as
// Redis does. The requester is closed after its reply and, for the rest of its command
// (an EXEC may hold more), runs as the default user: no client keeps the freed user.
void DisconnectClientsOfRetiredUsers(CommandContext& ctx) {
  const std::vector<std::unique_ptr<AclUser>> retired = AclOf(ctx).TakeRetired();
  if (retired.empty()) return;
  std::vector<uint64_t> victims;
  ctx.server.ForEachClient([&](ClientView& c) {
    const AclUser* user = c.session().acl_user;
    for (const auto& r : retired) {
      if (r.get() != user) continue;
      c.session().acl_user = nullptr;
      victims.push_back(c.id());
      break;
    }
  });
  for (uint64_t id : victims) {
    ClientKillFilter filter;
    filter.id = id;
    filter.skip_me = false;
    ctx.server.KillClients(filter, ctx.client);
  }
}

void CmdAclDelUser(CmdArgs args, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "default")
      return ctx.reply.SendError("ERR The 'default' user cannot be removed");
  }
  int64_t deleted = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    if (acl.DeleteUser(args[i])) ++deleted;
  }
  DisconnectClientsOfRetiredUsers(ctx);
  ctx.reply.SendLong(deleted);
}

void CmdAclList(CmdArgs, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  auto users = acl.Users();
  ctx.reply.SendArrayLen(users.size());
  for (const AclUser* u : users) ctx.reply.SendBulk(acl.Describe(*u));
}

void CmdAclUsers(CmdArgs, CommandContext& ctx) {
  auto users = AclOf(ctx).Users();
  ctx.reply.SendArrayLen(users.size());
  for (const AclUser* u : users) ctx.reply.SendBulk(u->name);
}

void CmdAclWhoAmI(CmdArgs, CommandContext& ctx) { ctx.reply.SendBulk(ctx.client.user()); }

void CmdAclCat(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 3) return ctx.reply.SendError(WrongArityText("acl|cat"));
  if (args.size() == 2) {
    ctx.reply.SendArrayLen(std::size(kAclCategoryNames));
    for (auto name : kAclCategoryNames) ctx.reply.SendBulk(name);
    return;
  }
  const std::string cat = Lower(args[2]);
  uint64_t bit = 0;
  for (size_t i = 0; i < std::size(kAclCategoryNames); ++i) {
    if (kAclCategoryNames[i] == cat) bit = uint64_t{1} << i;
  }
  if (bit == 0) return ctx.reply.SendError("ERR Unknown category '" + std::string(args[2]) + "'");
  std::vector<std::string> names;
  for (const CommandSpec& c : ctx.table->commands()) {
    if (c.acl_categories & bit) names.emplace_back(c.name);
    for (const CommandSpec& sub : c.subcommands) {
      if (sub.acl_categories & bit) names.emplace_back(sub.name);
    }
  }
  ctx.reply.SendBulkArray(names);
}

void CmdAclGenPass(CmdArgs args, CommandContext& ctx) {
  int64_t bits = 256;
  if (args.size() > 3) return ctx.reply.SendError(WrongArityText("acl|genpass"));
  if (args.size() == 3) {
    auto v = ParseInt64(args[2]);
    if (!v || *v <= 0 || *v > 4096) {
      return ctx.reply.SendError(
          "ERR ACL GENPASS argument must be the number of bits for the output password, a "
          "positive number up to 4096");
    }
    bits = *v;
  }
  const size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::random_device rd;  // the kernel's CSPRNG on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(chars);
  while (out.size() < chars) {
    uint32_t r = rd();
    for (int i = 0; i < 8 && out.size() < chars; ++i, r >>= 4) out += kHex[r & 0xf];
  }
  ctx.reply.SendBulk(out);
}

void CmdAclLog(CmdArgs args, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  size_t count = 10;
  if (args.size() > 3) return ctx.reply.SendError(WrongArityText("acl|log"));
  if (args.size() == 3) {
    if (Lower(args[2]) == "reset") {
      acl.ResetLog();
      return ctx.reply.SendOk();
    }
    auto v = ParseInt64(args[2]);
    if (!v) return ctx.reply.SendError(kNotIntegerErr);
    count = *v < 0 ? 0 : static_cast<size_t>(*v);  // Redis: a negative count shows none
  }
  const auto& log = acl.log();
  const size_t n = std::min(count, log.size());
  ReplyBuilder& rb = ctx.reply;
  rb.SendArrayLen(n);
  for (size_t i = 0; i < n; ++i) {
    const AclLogEntry& e = log[i];
    rb.SendMapLen(7);
    rb.SendBulk("count");
    rb.SendLong(static_cast<int64_t>(e.count));
    rb.SendBulk("reason");
    rb.SendBulk(e.reason);
    rb.SendBulk("context");
    rb.SendBulk(e.context);
    rb.SendBulk("object");
    rb.SendBulk(e.object);
    rb.SendBulk("username");
    rb.SendBulk(e.username);
    rb.SendBulk("age-seconds");
    rb.SendDouble(static_cast<double>(ctx.now_ms - e.updated_ms) / 1000.0);
    rb.SendBulk("client-info");
    rb.SendBulk(e.client_info);
  }
}

void CmdAclSave(CmdArgs, CommandContext& ctx) {
  const std::string& path = ctx.config().aclfile;
  if (path.empty()) return ctx.reply.SendError(kNoAclFile);
  if (auto err = AclOf(ctx).SaveFile(path)) return ctx.reply.SendError(*err);
  ctx.reply.SendOk();
}

void CmdAclLoad(CmdArgs, CommandContext& ctx) {
  const std::string& path = ctx.config().aclfile;
  if (path.empty()) return ctx.reply.SendError(kNoAclFile);
  AclOf(ctx).set_pubsub_default_all(ctx.config().acl_pubsub_default == "allchannels");
  if (auto err = AclOf(ctx).LoadFile(path)) return ctx.reply.SendError(*err);
  DisconnectClientsOfRetiredUsers(ctx);
  ctx.reply.SendOk();
}

void CmdAclDryRun(CmdArgs args, CommandContext& ctx) {
  Acl& acl = AclOf(ctx);
  const AclUser* u = acl.Find(args[2]);
  if (u == nullptr) {
    return ctx.reply.SendError("ERR User '" + std::string(args[2]) + "' not found");
  }
  CmdArgs cmd = args.subspan(3);
  const CommandSpec* spec = ctx.table->Find(cmd[0]);
  if (spec != nullptr && spec->is_container() && cmd.size() >= 2) {
    spec = ctx.table->FindSub(*spec, cmd[1]);
  }
  if (spec == nullptr) {
    return ctx.reply.SendError("ERR Command '" + std::string(cmd[0]) + "' not found");
  }
  const auto argc = static_cast<int64_t>(cmd.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -static_cast<int64_t>(spec->arity)) {
    return ctx.reply.SendError(WrongArityText(spec->name));
  }
  std::string_view object;
  switch (acl.Check(*u, *spec, cmd, &object)) {
    case AclDenial::kNone:
      return ctx.reply.SendOk();
    case AclDenial::kCommand:
      return ctx.reply.SendBulk("This user has no permissions to run the '" +
                                std::string(spec->name) + "' command");
    case AclDenial::kKey:
      return ctx.reply.SendBulk("This user has no permissions to access the '" +
                                std::string(object) + "' key");
    case AclDenial::kChannel:
      return ctx.reply.SendBulk("This user has no permissions to access the '" +
                                std::string(object) + "' channel");
  }
}

void CmdAclHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto l : kLines) ctx.reply.SendSimple(l);
}

}  // namespace

// The NOPERM gate (command_gates.h): called for clients whose user is restricted.
bool PassesAclGate(const CommandSpec& spec, CommandContext& ctx) {
  const AclUser* user = ctx.client.session().acl_user;
  if (user == nullptr) user = &ctx.dispatcher->acl().default_user();
  std::string_view object;
  const AclDenial denial = ctx.dispatcher->acl().Check(*user, spec, ctx.args, &object);
  if (denial == AclDenial::kNone) return true;
  // Run by EXEC (the only nested caller: cannot_block is set for nested runs, and a
  // blocked client's re-run is not one): the rules changed since the command was queued.
  const bool in_exec = ctx.cannot_block && !ctx.rerun;
  std::string_view reason = "command";
  std::string logged(spec.name);
  std::string error;
  std::string_view exec_reason;
  switch (denial) {
    case AclDenial::kCommand:
      error =
          "NOPERM this user has no permissions to run the '" + std::string(spec.name) + "' command";
      exec_reason = "no permission to execute the command or subcommand";
      break;
    case AclDenial::kKey:
      reason = "key";
      logged = std::string(object);
      error = "NOPERM this user has no permissions to access one of the keys used as arguments";
      exec_reason = "no permission to touch the specified keys";
      break;
    case AclDenial::kChannel:
      reason = "channel";
      logged = std::string(object);
      error = "NOPERM this user has no permissions to access one of the channels used as arguments";
      exec_reason = "no permission to access one of the channels used as arguments";
      break;
    case AclDenial::kNone:
      break;
  }
  if (in_exec) {
    error =
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
        "EXEC call. This command is no longer allowed for the following reason: " +
        std::string(exec_reason);
  }
  const char* context = (ctx.client.session().in_multi || in_exec) ? "multi" : "toplevel";
  ctx.dispatcher->acl().Log(reason, context, logged, user->name, ctx.client.InfoLine(), ctx.now_ms,
                            static_cast<size_t>(ctx.config().acllog_max_len));
  ctx.reply.SendError(error);
  return false;
}

void RegisterAclFamily(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript | kLS;
  constexpr uint32_t kPlain = kCmdNoScript | kLS;
  constexpr std::string_view kServer = "server";
  auto sub = [&](std::string_view name, int arity, uint32_t flags, CommandHandler h,
                 std::string_view summary, std::string_view complexity = "O(1)") {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl_categories = 0,
                       .handler = h,
                       .doc = {summary, "6.0.0", kServer, complexity}};
  };
  t.Register(
      {.name = "acl",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for Access List Control commands.", "6.0.0", kServer,
               "Depends on subcommand."},
       .subcommands = {
           sub("acl|cat", -2, kPlain, CmdAclCat,
               "Lists the ACL categories, or the commands inside a category.", "O(1)"),
           sub("acl|deluser", -3, kAdmin, CmdAclDelUser,
               "Deletes ACL users, and terminates their connections.", "O(1)"),
           sub("acl|dryrun", -4, kAdmin, CmdAclDryRun,
               "Simulates the execution of a command by a user, without executing the "
               "command.",
               "O(1)"),
           sub("acl|genpass", -2, kPlain, CmdAclGenPass,
               "Generates a pseudorandom, secure password that can be used to identify "
               "ACL users."),
           sub("acl|getuser", 3, kAdmin, CmdAclGetUser, "Lists the ACL rules of a user.",
               "O(N). Where N is the number of password, command and pattern rules that the user "
               "has."),
           sub("acl|help", 2, kLS, CmdAclHelp,
               "Returns helpful text about the different subcommands."),
           sub("acl|list", 2, kAdmin, CmdAclList, "Dumps the effective rules in ACL file format.",
               "O(N). Where N is the number of configured users."),
           sub("acl|load", 2, kAdmin, CmdAclLoad, "Reloads the rules from the configured ACL file.",
               "O(N). Where N is the number of configured users."),
           sub("acl|log", -2, kAdmin, CmdAclLog,
               "Lists recent security events generated due to ACL rules.",
               "O(N) with N being the number of entries shown."),
           sub("acl|save", 2, kAdmin, CmdAclSave,
               "Saves the effective ACL rules in the configured ACL file.",
               "O(N). Where N is the number of configured users."),
           sub("acl|setuser", -3, kAdmin, CmdAclSetUser,
               "Creates and modifies an ACL user and its rules.",
               "O(N). Where N is the number of rules provided."),
           sub("acl|users", 2, kAdmin, CmdAclUsers, "Lists all ACL users.",
               "O(N). Where N is the number of configured users."),
           sub("acl|whoami", 2, kPlain, CmdAclWhoAmI,
               "Returns the authenticated username of the current connection."),
       }});
}

}  // namespace gannet
