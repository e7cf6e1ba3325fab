// Connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH and CLIENT. They act
// on the calling client through ClientView and on other clients through ServerView.
// Handlers first, RegisterConnectionFamily at the end.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/acl.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/commands/introspection.h"
#include "gannet/common/numbers.h"
#include "gannet/version.h"
#include "tracking.h"

namespace gannet {
namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are "
    "you sure your configuration is correct?";
constexpr std::string_view kBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// AUTH and HELLO AUTH: logs the client in as the ACL user these credentials name, or
// records the refusal in ACL LOG (acl.h). A "nopass" user takes any password.
bool LogIn(CommandContext& ctx, std::string_view user, std::string_view pass) {
  Acl& acl = ctx.dispatcher->acl();
  const AclUser* u = acl.Authenticate(user, pass);
  if (u == nullptr) {
    acl.Log("auth", ctx.client.session().in_multi ? "multi" : "toplevel", "AUTH", user,
            ctx.client.InfoLine(), ctx.now_ms, static_cast<size_t>(ctx.config().acllog_max_len));
    return false;
  }
  ctx.client.session().acl_user = u;
  ctx.client.set_authenticated(true, user);
  return true;
}

// Names may hold only printable ASCII without spaces ('!'..'~').
bool ValidClientName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
}

void CmdPing(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 2) {
    ctx.reply.SendError(WrongArityText("ping"));
    return;
  }
  // A RESP2 client in subscribed mode gets a pub/sub style reply: ["pong", message or ""].
  const ClientSession& s = ctx.client.session();
  if (s.subscriptions + s.shard_subscriptions > 0 && ctx.reply.version() == RespVersion::kResp2) {
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk("pong");
    ctx.reply.SendBulk(args.size() == 2 ? args[1] : std::string_view());
    return;
  }
  if (args.size() == 1) {
    ctx.reply.SendSimple("PONG");
  } else {
    ctx.reply.SendBulk(args[1]);
  }
}

void CmdEcho(CmdArgs args, CommandContext& ctx) { ctx.reply.SendBulk(args[1]); }

void CmdQuit(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendOk();
  ctx.client.CloseAfterReply();
}

void CmdReset(CmdArgs, CommandContext& ctx) {
  ctx.client.Reset();
  ctx.dispatcher->ResetClient(ctx.client);
  ctx.reply.set_version(ctx.client.resp_version());
  ctx.reply.SendSimple("RESET");
}

void CmdSelect(CmdArgs args, CommandContext& ctx) {
  auto db = ParseInt64(args[1]);
  if (!db) {
    ctx.reply.SendError(kNotIntegerErr);
    return;
  }
  if (*db < 0 || *db >= ctx.keyspace.database_count()) {
    ctx.reply.SendError(kDbIndexErr);
    return;
  }
  ctx.client.set_db_index(static_cast<int>(*db));
  ctx.reply.SendOk();
}

void CmdAuth(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 3) {
    ctx.reply.SendError(kSyntaxErr);
    return;
  }
  std::string_view user = args.size() == 3 ? args[1] : std::string_view("default");
  std::string_view pass = args.back();
  if (args.size() == 2 && ctx.dispatcher->acl().default_user().nopass) {
    ctx.reply.SendError(kAuthNoPassword);
    return;
  }
  if (!LogIn(ctx, user, pass)) {
    ctx.reply.SendError(kWrongPass);
    return;
  }
  ctx.reply.SendOk();
}

void CmdHello(CmdArgs args, CommandContext& ctx) {
  int64_t ver = 0;
  size_t i = 1;
  if (args.size() >= 2) {
    auto v = ParseInt64(args[1]);
    if (!v) {
      ctx.reply.SendError("ERR Protocol version is not an integer or out of range");
      return;
    }
    ver = *v;
    if (ver < 2 || ver > 3) {
      ctx.reply.SendError("NOPROTO unsupported protocol version");
      return;
    }
    i = 2;
  }
  std::string_view user, pass, name;
  bool auth = false, setname = false;
  for (; i < args.size(); ++i) {
    size_t more = args.size() - i - 1;
    if (EqualsNoCase(args[i], "AUTH") && more >= 2) {
      auth = true;
      user = args[i + 1];
      pass = args[i + 2];
      i += 2;
    } else if (EqualsNoCase(args[i], "SETNAME") && more >= 1) {
      setname = true;
      name = args[i + 1];
      i += 1;
    } else {
      ctx.reply.SendError("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
      return;
    }
  }
  if (auth && !LogIn(ctx, user, pass)) {
    ctx.reply.SendError(kWrongPass);
    return;
  }
  if (!ctx.client.authenticated()) {
    ctx.reply.SendError(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  if (setname) {
    if (!ValidClientName(name)) {
      ctx.reply.SendError(kBadClientName);
      return;
    }
    ctx.client.set_name(name);
  }
  if (ver != 0) {
    ctx.client.set_resp_version(static_cast<RespVersion>(ver));
    ctx.reply.set_version(static_cast<RespVersion>(ver));
  }
  ReplyBuilder& rb = ctx.reply;
  rb.SendMapLen(7);
  rb.SendBulk("server");
  rb.SendBulk("redis");
  rb.SendBulk("version");
  rb.SendBulk(kRedisCompatVersion);
  rb.SendBulk("proto");
  rb.SendLong(static_cast<int64_t>(ctx.client.resp_version()));
  rb.SendBulk("id");
  rb.SendLong(static_cast<int64_t>(ctx.client.id()));
  rb.SendBulk("mode");
  rb.SendBulk("standalone");
  rb.SendBulk("role");
  rb.SendBulk("master");
  rb.SendBulk("modules");
  rb.SendEmptyArray();
}

// ---- CLIENT ----

void CmdClientId(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendLong(static_cast<int64_t>(ctx.client.id()));
}

void CmdClientSetName(CmdArgs args, CommandContext& ctx) {
  if (!ValidClientName(args[2])) {
    ctx.reply.SendError(kBadClientName);
    return;
  }
  ctx.client.set_name(args[2]);
  ctx.reply.SendOk();
}

void CmdClientGetName(CmdArgs, CommandContext& ctx) {
  if (ctx.client.name().empty()) {
    ctx.reply.SendNull();
  } else {
    ctx.reply.SendBulk(ctx.client.name());
  }
}

// Redis's client types: monitors count as normal clients, subscribers as pubsub; there
// are no masters or replicas.
std::string_view ClientTypeName(const ClientView& c) {
  const ClientSession& s = c.session();
  return s.subscriptions + s.shard_subscriptions > 0 ? "pubsub" : "normal";
}

bool ValidClientType(std::string_view t) {
  return EqualsNoCase(t, "normal") || EqualsNoCase(t, "master") || EqualsNoCase(t, "replica") ||
         EqualsNoCase(t, "slave") || EqualsNoCase(t, "pubsub");
}

void CmdClientList(CmdArgs args, CommandContext& ctx) {
  std::optional<std::string> type;
  std::vector<uint64_t> ids;
  bool by_id = false;
  size_t i = 2;
  if (args.size() == 4 && EqualsNoCase(args[2], "TYPE")) {
    if (!ValidClientType(args[3])) {
      ctx.reply.SendError("ERR Unknown client type '" + std::string(args[3]) + "'");
      return;
    }
    type = std::string(args[3]);
    for (char& c : *type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    i = 4;
  } else if (args.size() >= 4 && EqualsNoCase(args[2], "ID")) {
    by_id = true;
    for (i = 3; i < args.size(); ++i) {
      auto id = ParseUint64(args[i]);
      if (!id) {
        ctx.reply.SendError("ERR Invalid client ID");
        return;
      }
      ids.push_back(*id);
    }
  } else if (args.size() != 2) {
    ctx.reply.SendError(kSyntaxErr);
    return;
  }
  std::string out;
  ctx.server.ForEachClient([&](ClientView& c) {
    if (type && *type != ClientTypeName(c)) return;
    if (by_id && std::find(ids.begin(), ids.end(), c.id()) == ids.end()) return;
    out += c.InfoLine();
    out += '\n';
  });
  ctx.reply.SendVerbatim(out);
}

void CmdClientInfo(CmdArgs, CommandContext& ctx) {
  std::string line = ctx.client.InfoLine();
  line += '\n';
  ctx.reply.SendVerbatim(line);
}

void CmdClientKill(CmdArgs args, CommandContext& ctx) {
  ClientKillFilter f;
  if (args.size() == 3) {  // old form: CLIENT KILL addr:port
    f.addr = std::string(args[2]);
    f.skip_me = false;
    if (ctx.server.KillClients(f, ctx.client) == 0) {
      ctx.reply.SendError("ERR No such client");
    } else {
      ctx.reply.SendOk();
    }
    return;
  }
  if ((args.size() - 2) % 2 != 0) {
    ctx.reply.SendError(kSyntaxErr);
    return;
  }
  for (size_t i = 2; i < args.size(); i += 2) {
    std::string_view opt = args[i], val = args[i + 1];
    if (EqualsNoCase(opt, "ID")) {
      auto id = ParseInt64(val);
      if (!id || *id <= 0) {
        ctx.reply.SendError("ERR client-id should be greater than 0");
        return;
      }
      f.id = static_cast<uint64_t>(*id);
    } else if (EqualsNoCase(opt, "TYPE")) {
      if (!ValidClientType(val)) {
        ctx.reply.SendError("ERR Unknown client type '" + std::string(val) + "'");
        return;
      }
      std::string t(val);
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      f.type = t;
    } else if (EqualsNoCase(opt, "ADDR")) {
      f.addr = std::string(val);
    } else if (EqualsNoCase(opt, "LADDR")) {
      f.laddr = std::string(val);
    } else if (EqualsNoCase(opt, "USER")) {
      if (val != "default") {
        ctx.reply.SendError("ERR No such user '" + std::string(val) + "'");
        return;
      }
      f.user = std::string(val);
    } else if (EqualsNoCase(opt, "MAXAGE")) {
      // Redis 7.4's filter (7.0 does not know it): clients connected longer than this.
      auto age = ParseInt64(val);
      if (!age) {
        ctx.reply.SendError(kNotIntegerErr);
        return;
      }
      f.max_age = *age;
    } else if (EqualsNoCase(opt, "SKIPME")) {
      if (EqualsNoCase(val, "yes")) {
        f.skip_me = true;
      } else if (EqualsNoCase(val, "no")) {
        f.skip_me = false;
      } else {
        ctx.reply.SendError(kSyntaxErr);
        return;
      }
    } else {
      ctx.reply.SendError(kSyntaxErr);
      return;
    }
  }
  ctx.reply.SendLong(static_cast<int64_t>(ctx.server.KillClients(f, ctx.client)));
}

void CmdClientReply(CmdArgs args, CommandContext& ctx) {
  if (EqualsNoCase(args[2], "ON")) {
    ctx.client.set_reply_mode(ReplyMode::kOn);
    ctx.reply.SendOk();
  } else if (EqualsNoCase(args[2], "OFF")) {
    ctx.client.set_reply_mode(ReplyMode::kOff);
  } else if (EqualsNoCase(args[2], "SKIP")) {
    ctx.client.set_reply_mode(ReplyMode::kSkip);
  } else {
    ctx.reply.SendError(kSyntaxErr);
  }
}

// Client eviction (maxmemory-clients) does not exist: the flag is recorded (CLIENT LIST
// shows 'e') so clients can set it.
void CmdClientNoEvict(CmdArgs args, CommandContext& ctx) {
  if (EqualsNoCase(args[2], "ON") || EqualsNoCase(args[2], "OFF")) {
    ctx.client.session().no_evict = EqualsNoCase(args[2], "ON");
    ctx.reply.SendOk();
  } else {
    ctx.reply.SendError(kSyntaxErr);
  }
}

// CLIENT NO-TOUCH ON|OFF: Redis 7.2's, kept because issue 6 asks for it (7.0 has no such
// subcommand). While on, the client's commands leave keys' LRU/LFU data alone, except
// TOUCH. Flag 'T' in CLIENT LIST.
void CmdClientNoTouch(CmdArgs args, CommandContext& ctx) {
  if (EqualsNoCase(args[2], "ON") || EqualsNoCase(args[2], "OFF")) {
    ctx.client.session().no_touch = EqualsNoCase(args[2], "ON");
    ctx.reply.SendOk();
  } else {
    ctx.reply.SendError(kSyntaxErr);
  }
}

// CLIENT PAUSE timeout [WRITE|ALL]: connections hold back the commands the mode covers
// until the pause ends (src/server/connection.cc).
void CmdClientPause(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 4) {
    ctx.reply.SendError("ERR unknown subcommand or wrong number of arguments for '" +
                        std::string(args[1].substr(0, 128)) + "'. Try CLIENT HELP.");
    return;
  }
  auto timeout = ParseInt64(args[2]);
  if (!timeout) {
    ctx.reply.SendError("ERR timeout is not an integer or out of range");
    return;
  }
  if (*timeout < 0) {
    ctx.reply.SendError("ERR timeout is negative");
    return;
  }
  bool all = true;
  if (args.size() == 4) {
    if (EqualsNoCase(args[3], "WRITE")) {
      all = false;
    } else if (!EqualsNoCase(args[3], "ALL")) {
      ctx.reply.SendError("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  const int64_t end = *timeout > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + *timeout;
  Introspection& in = ctx.dispatcher->introspection();
  // A pause whose time ran out (nobody has looked since) is over: its ALL mode must not
  // carry into this one.
  if (in.pause_end_ms() != 0 && ctx.now_ms >= in.pause_end_ms()) in.Unpause();
  in.Pause(end, all);
  // Expiry and eviction stop too while clients are paused (either mode), as in Redis.
  ctx.keyspace.set_frozen_until_ms(in.pause_end_ms());
  ctx.reply.SendOk();
}

void CmdClientUnpause(CmdArgs, CommandContext& ctx) {
  ctx.dispatcher->introspection().Unpause();
  ctx.keyspace.set_frozen_until_ms(0);
  ctx.reply.SendOk();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking command's wait (blocking.h).
void CmdClientUnblock(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 4) {
    ctx.reply.SendError("ERR unknown subcommand or wrong number of arguments for '" +
                        std::string(args[1]) + "'. Try CLIENT HELP.");
    return;
  }
  UnblockHow how = UnblockHow::kTimeout;
  if (args.size() == 4) {
    if (EqualsNoCase(args[3], "ERROR")) {
      how = UnblockHow::kError;
    } else if (!EqualsNoCase(args[3], "TIMEOUT")) {
      ctx.reply.SendError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  auto id = ParseInt64(args[2]);
  if (!id) {
    ctx.reply.SendError(kNotIntegerErr);
    return;
  }
  bool done =
      *id > 0 && ctx.blocking != nullptr && ctx.blocking->Unblock(static_cast<uint64_t>(*id), how);
  ctx.reply.SendLong(done ? 1 : 0);
}

void CmdClientHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ID",
      "    Reply with the id of this connection.",
      "GETNAME",
      "    Reply with the name of this connection (nil when unnamed).",
      "SETNAME <name>",
      "    Name this connection; the name may not contain spaces or special characters.",
      "INFO",
      "    Describe this connection, in the CLIENT LIST line format.",
      "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <id> [<id> ...]]",
      "    Describe every connection, or those of a type or with the given ids.",
      "KILL <ip:port>",
      "    Close the connection from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Close every connection matching all filters: ID, TYPE, ADDR, LADDR, USER,",
      "    MAXAGE (connected for longer than these seconds), SKIPME (YES|NO, default YES).",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Hold back the commands of every client (ALL, the default) or only writes (WRITE)",
      "    for <timeout> milliseconds.",
      "UNPAUSE",
      "    End a CLIENT PAUSE at once.",
      "REPLY (ON|OFF|SKIP)",
      "    Turn replies to this connection on or off, or skip the next one.",
      "NO-EVICT (ON|OFF)",
      "    Protect this connection from client eviction.",
      "NO-TOUCH (ON|OFF)",
      "    While ON, this connection's commands do not change keys' LRU/LFU data (except TOUCH).",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto l : kLines) ctx.reply.SendSimple(l);
}

}  // namespace

void RegisterConnectionFamily(CommandTable& t) {
  constexpr uint32_t kNsLsF = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast;
  constexpr uint32_t kNoAuthBusy = kCmdNoAuth | kCmdAllowBusy;
  constexpr uint32_t kNsLs = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kC = kAclConnection;
  constexpr std::string_view kO1 = "O(1)";
  constexpr std::string_view kConn = "connection";

  t.Register({.name = "ping",
              .arity = -1,
              .flags = kCmdFast,
              .acl_categories = kC,
              .handler = CmdPing,
              .doc = {"Returns the server's liveliness response.", "1.0.0", kConn, kO1},
              .tips = "request_policy:all_shards response_policy:all_succeeded"});
  t.Register({.name = "echo",
              .arity = 2,
              .flags = kCmdLoading | kCmdStale | kCmdFast,
              .acl_categories = kC,
              .handler = CmdEcho,
              .doc = {"Returns the given string.", "1.0.0", kConn, kO1}});
  t.Register({.name = "quit",
              .arity = -1,
              .flags = kNsLsF | kNoAuthBusy,
              .acl_categories = kC,
              .handler = CmdQuit,
              .doc = {"Closes the connection.", "1.0.0", kConn, kO1}});
  t.Register({.name = "reset",
              .arity = 1,
              .flags = kNsLsF | kNoAuthBusy,
              .acl_categories = kC,
              .handler = CmdReset,
              .doc = {"Resets the connection.", "6.2.0", kConn, kO1}});
  t.Register({.name = "select",
              .arity = 2,
              .flags = kCmdLoading | kCmdStale | kCmdFast,
              .acl_categories = kC,
              .handler = CmdSelect,
              .doc = {"Changes the selected database.", "1.0.0", kConn, kO1}});
  t.Register({.name = "hello",
              .arity = -1,
              .flags = kNsLsF | kNoAuthBusy,
              .acl_categories = kC,
              .handler = CmdHello,
              .doc = {"Handshakes with the server.", "6.0.0", kConn, kO1}});
  t.Register({.name = "auth",
              .arity = -2,
              .flags = kNsLsF | kNoAuthBusy,
              .acl_categories = kC,
              .handler = CmdAuth,
              .doc = {"Authenticates the connection.", "1.0.0", kConn,
                      "O(N) where N is the number of passwords defined for the user"}});

  auto sub = [&](std::string_view name, int arity, uint32_t flags, uint64_t acl, CommandHandler h,
                 std::string_view summary, std::string_view since, std::string_view tips = {}) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .acl_categories = acl,
                       .handler = h,
                       .doc = {summary, since, kConn, kO1},
                       .tips = tips};
  };
  constexpr uint64_t kAdm = kAclAdmin | kAclDangerous | kC;
  t.Register(
      {.name = "client",
       .arity = -2,
       .flags = 0,
       .acl_categories = 0,
       .handler = nullptr,
       .doc = {"A container for client connection commands.", "2.4.0", kConn,
               "Depends on subcommand."},
       .subcommands = {
           sub("client|id", 2, kNsLs, kC, CmdClientId,
               "Returns the unique client ID of the "
               "connection.",
               "5.0.0"),
           sub("client|setname", 3, kNsLs, kC, CmdClientSetName, "Sets the connection name.",
               "2.6.9"),
           sub("client|getname", 2, kNsLs, kC, CmdClientGetName,
               "Returns the name of the connection.", "2.6.9"),
           sub("client|list", -2, kNsLs | kCmdAdmin, kAdm, CmdClientList, "Lists open connections.",
               "2.4.0", "nondeterministic_output"),
           sub("client|info", 2, kNsLs, kC, CmdClientInfo,
               "Returns information about the connection.", "6.2.0", "nondeterministic_output"),
           sub("client|kill", -3, kNsLs | kCmdAdmin, kAdm, CmdClientKill,
               "Terminates open connections.", "2.4.0"),
           sub("client|reply", 3, kNsLs, kC, CmdClientReply,
               "Instructs the server whether to reply to commands.", "3.2.0"),
           sub("client|no-evict", 3, kNsLs | kCmdAdmin, kAdm, CmdClientNoEvict,
               "Sets the client eviction mode of the connection.", "7.0.0"),
           sub("client|no-touch", 3, kNsLs, kC, CmdClientNoTouch,
               "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
               "7.2.0"),
           sub("client|pause", -3, kNsLs | kCmdAdmin, kAdm, CmdClientPause,
               "Suspends commands processing.", "3.0.0"),
           sub("client|unpause", 2, kNsLs | kCmdAdmin, kAdm, CmdClientUnpause,
               "Resumes processing commands from paused clients.", "6.2.0"),
           sub("client|unblock", -3, kNsLs | kCmdAdmin, kAdm, CmdClientUnblock,
               "Unblock a client blocked in a blocking command from a different connection",
               "5.0.0"),
           sub("client|help", 2, kCmdLoading | kCmdStale, kC, CmdClientHelp,
               "Returns helpful text about the different subcommands.", "5.0.0"),
           // Client-side caching (tracking.cc).
           sub("client|tracking", -3, kNsLs, kC, CmdClientTracking,
               "Controls server-assisted client-side caching for the connection.", "6.0.0"),
           sub("client|caching", 3, kNsLs, kC, CmdClientCaching,
               "Instructs the server whether to track the keys in the next request.", "6.0.0"),
           sub("client|getredir", 2, kNsLs, kC, CmdClientGetRedir,
               "Returns the client ID to which the connection's tracking notifications are "
               "redirected.",
               "6.0.0"),
           sub("client|trackinginfo", 2, kNsLs, kC, CmdClientTrackingInfo,
               "Returns information about server-assisted client-side caching for the "
               "connection.",
               "6.2.0"),
       }});
}

}  // namespace gannet
