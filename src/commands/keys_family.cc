// The keyspace ("generic") commands that work on keys of every type: DEL, UNLINK, EXISTS,
// TYPE, RENAME, RENAMENX, COPY, MOVE, KEYS, SCAN, RANDOMKEY, the EXPIRE family, TTL family,
// PERSIST, TOUCH and OBJECT. Keyspace operations returning a Result come first, then the
// handlers that parse arguments and reply, then RegisterKeysFamily.
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "object_refcount.h"
#include "scan_args.h"

namespace gannet {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------------------
// Keyspace operations

// RENAME / RENAMENX. Returns true when renamed, false when NX found the destination
// taken. The TTL travels with the value; renaming a key to itself changes nothing.
Result<bool> OpRename(Database& db, std::string_view from, std::string_view to, bool nx) {
  Entry* src = db.FindWrite(from);
  if (src == nullptr) return OpStatus::kKeyNotFound;
  if (from == to) return !nx;
  if (nx && db.FindWrite(to) != nullptr) return false;
  db.Rename(src, to);
  return true;
}

// COPY: deep copy into dst_db (which may be db). Returns false when the source is missing
// or the destination exists without REPLACE.
Result<bool> OpCopy(Database& db, std::string_view from, Database& dst_db, std::string_view to,
                    bool replace) {
  if (&db == &dst_db && from == to) return OpStatus::kSameObject;
  const Entry* src = db.FindRead(from);
  if (src == nullptr) return false;
  const int64_t expire = db.GetExpire(src);
  Value copy = src->value.Clone();
  if (copy.IsString() && copy.encoding() == Encoding::kInt) copy.mark_own_int_object();
  if (dst_db.FindWrite(to) != nullptr) {
    if (!replace) return false;
    dst_db.Delete(to);
  }
  Entry* dst = dst_db.Insert(to, std::move(copy));
  if (expire >= 0) dst_db.SetExpire(dst, expire);
  return true;
}

// MOVE: false when the key is missing here or already present in the target.
Result<bool> OpMove(Database& db, std::string_view key, Database& dst_db) {
  if (&db == &dst_db) return OpStatus::kSameObject;
  Entry* src = db.FindWrite(key);
  if (src == nullptr) return false;
  if (dst_db.FindWrite(key) != nullptr) return false;
  const int64_t expire = db.GetExpire(src);
  Value v = std::move(src->value);
  db.Delete(src);
  Entry* dst = dst_db.Insert(key, std::move(v));
  if (expire >= 0) dst_db.SetExpire(dst, expire);
  return true;
}

enum ExpireCond : uint8_t { kCondNone = 0, kCondNx = 1, kCondXx = 2, kCondGt = 4, kCondLt = 8 };

// Sets key's expiry to the absolute time at_ms under the NX/XX/GT/LT conditions (no TTL
// counts as an infinite one). A time not after now deletes the key (*deleted set), except
// while a dataset loads (Keyspace::set_loading). Returns false when the key is missing or a
// condition fails.
bool OpExpire(Database& db, std::string_view key, int64_t at_ms, unsigned cond, int64_t now_ms,
              bool loading, bool* deleted) {
  Entry* e = db.FindWrite(key);
  if (e == nullptr) return false;
  if (cond != kCondNone) {
    const int64_t current = db.GetExpire(e);  // -1: none
    if ((cond & kCondNx) && current != -1) return false;
    if ((cond & kCondXx) && current == -1) return false;
    if ((cond & kCondGt) && (current == -1 || at_ms <= current)) return false;
    if ((cond & kCondLt) && current != -1 && at_ms >= current) return false;
  }
  if (at_ms <= now_ms && !loading) {
    db.Delete(e);
    *deleted = true;
  } else {
    db.SetExpire(e, at_ms);
  }
  return true;
}

// Every live key matching pattern (KEYS).
std::vector<std::string> OpKeys(Database& db, std::string_view pattern) {
  std::vector<std::string> keys;
  const bool all = pattern == "*";
  db.ForEach([&](const Entry& e) {
    if (all || GlobMatch(pattern, e.key())) keys.emplace_back(e.key());
  });
  return keys;
}

// ---------------------------------------------------------------------------------------
// Argument helpers

// A database index argument as COPY/MOVE read it (getIntFromObjectOrReply), then range
// checked. Returns nullptr after replying.
Database* DbFromArg(std::string_view arg, CommandContext& ctx) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply.SendError(kNotIntegerErr);
    return nullptr;
  }
  if (*v < INT32_MIN || *v > INT32_MAX) {
    ctx.reply.SendError("ERR value is out of range, value must between -2147483648 and 2147483647");
    return nullptr;
  }
  if (*v < 0 || *v >= ctx.keyspace.database_count()) {
    ctx.reply.SendError(kDbIndexErr);
    return nullptr;
  }
  return &ctx.keyspace.db(static_cast<int>(*v));
}

// A lookup that leaves the LRU/LFU data alone but still counts a keyspace hit or miss,
// as Redis's LOOKUP_NOTOUCH reads (EXISTS, TYPE, TTL, OBJECT) do.
Entry* FindNoTouchCounted(CommandContext& ctx, std::string_view key) {
  Entry* e = ctx.db().FindNoTouch(key);
  KeyspaceStats& stats = ctx.keyspace.stats();
  ++(e != nullptr ? stats.keyspace_hits : stats.keyspace_misses);
  return e;
}

bool IsLfuPolicy(const Config& c) { return c.maxmemory_policy.find("lfu") != std::string::npos; }

// ---------------------------------------------------------------------------------------
// Handlers

// DEL and UNLINK: UNLINK (and DEL under lazyfree-lazy-user-del) hands large values to
// the lazy-free thread.
void CmdDel(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  const bool lazy = ctx.spec->name == "unlink" || ctx.keyspace.memory_settings().lazy_user_del;
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    Entry* e = db.FindWrite(args[i]);
    if (e != nullptr) {
      if (lazy) {
        db.DeleteLazily(e);
      } else {
        db.Delete(e);
      }
      ctx.KeyChanged(kNotifyGeneric, "del", args[i]);
      ++n;
    }
  }
  ctx.reply.SendLong(n);
}

void CmdExists(CmdArgs args, CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) n += FindNoTouchCounted(ctx, args[i]) != nullptr;
  ctx.reply.SendLong(n);
}

void CmdTouch(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) n += db.FindRead(args[i]) != nullptr;
  ctx.reply.SendLong(n);
}

void CmdType(CmdArgs args, CommandContext& ctx) {
  const Entry* e = FindNoTouchCounted(ctx, args[1]);
  ctx.reply.SendSimple(e == nullptr ? std::string_view("none") : TypeName(e->value.type()));
}

void CmdRename(CmdArgs args, CommandContext& ctx) {
  const bool nx = ctx.spec->name == "renamenx";
  Result<bool> r = OpRename(ctx.db(), args[1], args[2], nx);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  // Renaming a key to itself changes nothing (and is not recorded).
  if (*r && args[1] != args[2]) {
    // The destination is (re)created, as Redis's dbAdd after deleting it.
    ctx.Notify(kNotifyNewKey, "new", args[2]);
    ctx.KeyChanged(kNotifyGeneric, "rename_from", args[1], 0);
    ctx.KeyChanged(kNotifyGeneric, "rename_to", args[2]);
  }
  if (nx) return ctx.reply.SendLong(*r ? 1 : 0);
  ctx.reply.SendOk();
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CmdArgs args, CommandContext& ctx) {
  Database* dst = &ctx.db();
  bool replace = false;
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsNoCase(args[j], "REPLACE")) {
      replace = true;
    } else if (EqualsNoCase(args[j], "DB") && j + 1 < args.size()) {
      dst = DbFromArg(args[++j], ctx);
      if (dst == nullptr) return;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  Result<bool> r = OpCopy(ctx.db(), args[1], *dst, args[2], replace);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r) {
    ctx.keyspace.NotifyEvent(kNotifyNewKey, "new", dst->index(), args[2]);
    ctx.KeyChangedIn(dst->index(), kNotifyGeneric, "copy_to", args[2]);
  }
  ctx.reply.SendLong(*r ? 1 : 0);
}

void CmdMove(CmdArgs args, CommandContext& ctx) {
  Database* dst = DbFromArg(args[2], ctx);
  if (dst == nullptr) return;
  Result<bool> r = OpMove(ctx.db(), args[1], *dst);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r) {
    ctx.keyspace.NotifyEvent(kNotifyNewKey, "new", dst->index(), args[1]);
    ctx.KeyChanged(kNotifyGeneric, "move_from", args[1], 0);
    ctx.KeyChangedIn(dst->index(), kNotifyGeneric, "move_to", args[1]);
  }
  ctx.reply.SendLong(*r ? 1 : 0);
}

void CmdKeys(CmdArgs args, CommandContext& ctx) {
  ctx.reply.SendBulkArray(OpKeys(ctx.db(), args[1]));
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void CmdScan(CmdArgs args, CommandContext& ctx) {
  auto cursor = ParseScanCursor(args[1]);
  if (!cursor) return ctx.reply.SendError(kInvalidCursorErr);
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type;
  bool use_type = false;
  int64_t count = 10;
  for (size_t i = 2; i < args.size(); i += 2) {
    const bool has_value = i + 1 < args.size();
    if (EqualsNoCase(args[i], "COUNT") && has_value) {
      auto v = ParseInt64(args[i + 1]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      if (*v < 1) return ctx.reply.SendError(kSyntaxErr);
      count = *v;
    } else if (EqualsNoCase(args[i], "MATCH") && has_value) {
      pattern = args[i + 1];
      use_pattern = pattern != "*";
    } else if (EqualsNoCase(args[i], "TYPE") && has_value) {
      type = args[i + 1];
      use_type = true;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  std::vector<std::string> keys;
  const uint64_t next = ctx.db().Scan(*cursor, static_cast<size_t>(count), [&](const Entry& e) {
    if (use_pattern && !GlobMatch(pattern, e.key())) return;
    if (use_type && !EqualsNoCase(type, TypeName(e.value.type()))) return;
    keys.emplace_back(e.key());
  });
  const std::string next_text = std::to_string(next);
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendBulk(next_text);
  ctx.reply.SendBulkArray(keys);
}

void CmdRandomKey(CmdArgs, CommandContext& ctx) {
  const Entry* e = ctx.db().RandomEntry();
  if (e == nullptr) return ctx.reply.SendNull();
  ctx.reply.SendBulk(e->key());
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT key time [NX|XX|GT|LT]
void CmdExpire(CmdArgs args, CommandContext& ctx) {
  std::string_view name = ctx.spec->name;
  const bool seconds = name == "expire" || name == "expireat";
  const bool relative = name == "expire" || name == "pexpire";
  unsigned cond = kCondNone;
  for (size_t j = 3; j < args.size(); ++j) {
    if (EqualsNoCase(args[j], "NX")) {
      cond |= kCondNx;
    } else if (EqualsNoCase(args[j], "XX")) {
      cond |= kCondXx;
    } else if (EqualsNoCase(args[j], "GT")) {
      cond |= kCondGt;
    } else if (EqualsNoCase(args[j], "LT")) {
      cond |= kCondLt;
    } else {
      std::string text = "ERR Unsupported option ";
      text.append(EchoedArg(args[j]));
      return ctx.reply.SendError(TrimFormattedError(std::move(text)));
    }
  }
  if ((cond & kCondNx) && (cond & (kCondXx | kCondGt | kCondLt))) {
    return ctx.reply.SendError(
        "ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((cond & kCondGt) && (cond & kCondLt)) {
    return ctx.reply.SendError("ERR GT and LT options at the same time are not compatible");
  }
  auto when = ParseInt64(args[2]);
  if (!when) return ctx.reply.SendError(kNotIntegerErr);
  int64_t at = *when;
  // Negative times are allowed (they delete the key); only overflow is an error.
  if (seconds) {
    if (at > kInt64Max / 1000 || at < kInt64Min / 1000) {
      return ctx.reply.SendError(InvalidExpireText(name));
    }
    at *= 1000;
  }
  if (relative) {
    if (at > kInt64Max - ctx.now_ms) return ctx.reply.SendError(InvalidExpireText(name));
    at += ctx.now_ms;
  }
  bool deleted = false;
  if (!OpExpire(ctx.db(), args[1], at, cond, ctx.now_ms, ctx.keyspace.loading(), &deleted)) {
    return ctx.reply.SendLong(0);
  }
  // The AOF records what happened: DEL for a time already past, else the absolute
  // PEXPIREAT (with the condition options, which held).
  if (deleted) {
    ctx.KeyChanged(kNotifyGeneric, "del", args[1]);
    const bool lazy = ctx.keyspace.memory_settings().lazy_expire;
    if (ctx.propagating) ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(args[1])});
  } else {
    ctx.KeyChanged(kNotifyGeneric, "expire", args[1]);
    if (name != "pexpireat" && ctx.propagating) {
      std::vector<std::string> cmd{"PEXPIREAT", std::string(args[1]), std::to_string(at)};
      for (size_t j = 3; j < args.size(); ++j) cmd.emplace_back(args[j]);
      ctx.PropagateAs(std::move(cmd));
    }
  }
  ctx.reply.SendLong(1);
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without a TTL.
void CmdTtl(CmdArgs args, CommandContext& ctx) {
  std::string_view name = ctx.spec->name;
  const bool absolute = name == "expiretime" || name == "pexpiretime";
  const bool millis = name == "pttl" || name == "pexpiretime";
  Database& db = ctx.db();
  const Entry* e = FindNoTouchCounted(ctx, args[1]);
  if (e == nullptr) return ctx.reply.SendLong(-2);
  const int64_t expire = db.GetExpire(e);
  if (expire < 0) return ctx.reply.SendLong(-1);
  int64_t t = absolute ? expire : expire - ctx.now_ms;
  if (t < 0) t = 0;
  // Round to seconds in unsigned arithmetic: an expiry near INT64_MAX ms must not overflow
  // (Redis answers 9223372036854776 for PEXPIREAT k 9223372036854775807).
  ctx.reply.SendLong(millis ? t : static_cast<int64_t>((static_cast<uint64_t>(t) + 500) / 1000));
}

void CmdPersist(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  Entry* e = db.FindWrite(args[1]);
  if (e == nullptr || !db.ClearExpire(e)) return ctx.reply.SendLong(0);
  ctx.KeyChanged(kNotifyGeneric, "persist", args[1]);
  ctx.reply.SendLong(1);
}

void CmdObjectEncoding(CmdArgs args, CommandContext& ctx) {
  const Entry* e = FindNoTouchCounted(ctx, args[2]);
  if (e == nullptr) return ctx.reply.SendNull();
  ctx.reply.SendBulk(EncodingName(e->value.encoding()));
}

void CmdObjectRefCount(CmdArgs args, CommandContext& ctx) {
  const Entry* e = FindNoTouchCounted(ctx, args[2]);
  if (e == nullptr) return ctx.reply.SendNull();
  ctx.reply.SendLong(ObjectRefCount(ctx.config(), e->value));
}

void CmdObjectIdleTime(CmdArgs args, CommandContext& ctx) {
  const Entry* e = FindNoTouchCounted(ctx, args[2]);
  if (e == nullptr) return ctx.reply.SendNull();
  if (IsLfuPolicy(ctx.config())) {
    return ctx.reply.SendError(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
        "when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
  // Seconds since the last access, from the LRU clock kept in the entry (eviction.h).
  ctx.reply.SendLong(static_cast<int64_t>(ctx.keyspace.IdleMs(*e) / 1000));
}

void CmdObjectFreq(CmdArgs args, CommandContext& ctx) {
  const Entry* e = FindNoTouchCounted(ctx, args[2]);
  if (e == nullptr) return ctx.reply.SendNull();
  if (!IsLfuPolicy(ctx.config())) {
    return ctx.reply.SendError(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take some "
        "time to adjust.");
  }
  // The logarithmic counter after lfu-decay-time decay, not stored back (as Redis).
  ctx.reply.SendLong(ctx.keyspace.LfuCounter(*e));
}

void CmdObjectHelp(CmdArgs, CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the internal encoding of the value stored at <key>.",
      "FREQ <key>",
      "    Return the logarithmic access frequency counter of <key> (LFU policies only).",
      "IDLETIME <key>",
      "    Return the seconds since <key> was last accessed (not with LFU policies).",
      "REFCOUNT <key>",
      "    Return the number of references to the value of <key>.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (std::string_view line : kLines) ctx.reply.SendSimple(line);
}

// WAIT numreplicas timeout: Gannet has no replicas, so no write is ever acknowledged. As a
// Redis master without replicas: 0 at once when numreplicas <= 0 (or inside MULTI),
// otherwise the client blocks until its timeout (0: forever) or CLIENT UNBLOCK and then
// gets 0.
void CmdWait(CmdArgs args, CommandContext& ctx) {
  auto numreplicas = ParseInt64(args[1]);
  if (!numreplicas) return ctx.reply.SendError(kNotIntegerErr);
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args[2], TimeoutUnit::kMilliseconds, &deadline)) return;
  if (*numreplicas <= 0 || ctx.client.session().in_multi) return ctx.reply.SendLong(0);
  BlockSpec spec;
  spec.deadline_ms = deadline;
  spec.timeout_reply_zero = true;
  BlockClient(ctx, spec);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterKeysFamily(CommandTable& t) {
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint64_t kK = kAclKeyspace;
  constexpr std::string_view kG = "generic";
  constexpr std::string_view kO1 = "O(1)";
  constexpr std::string_view kMultiSum = "request_policy:multi_shard response_policy:agg_sum";

  t.Register({.name = "wait",
              .arity = 3,
              .flags = kCmdNoScript,
              .acl_categories = kAclConnection,
              .handler = CmdWait,
              .doc = {"Waits until replicas acknowledge the connection's earlier writes.", "3.0.0",
                      kG, kO1},
              .tips = "request_policy:all_shards response_policy:agg_min"});
  t.Register({.name = "del",
              .arity = -2,
              .flags = kCmdWrite,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdDel,
              .doc = {"Deletes keys.", "1.0.0", kG, "O(N) for N keys (plus their elements)"},
              .tips = kMultiSum});
  t.Register(
      {.name = "unlink",
       .arity = -2,
       .flags = kWF,
       .first_key = 1,
       .last_key = -1,
       .step = 1,
       .acl_categories = kK,
       .handler = CmdDel,
       .doc = {"Deletes keys, possibly reclaiming memory later.", "4.0.0", kG, "O(1) per key"},
       .tips = kMultiSum});
  t.Register({.name = "exists",
              .arity = -2,
              .flags = kRF,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdExists,
              .doc = {"Counts how many of the given keys exist.", "1.0.0", kG, "O(N) for N keys"},
              .tips = kMultiSum});
  t.Register({.name = "type",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdType,
              .doc = {"Returns the type of the value stored at a key.", "1.0.0", kG, kO1}});
  t.Register({.name = "rename",
              .arity = 3,
              .flags = kCmdWrite,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdRename,
              .doc = {"Renames a key, replacing any destination.", "1.0.0", kG, kO1}});
  t.Register({.name = "renamenx",
              .arity = 3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdRename,
              .doc = {"Renames a key only when the new name is free.", "1.0.0", kG, kO1}});
  t.Register({.name = "copy",
              .arity = -3,
              .flags = kCmdWrite | kCmdDenyOom,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdCopy,
              .doc = {"Copies the value of a key to another key, possibly in another database.",
                      "6.2.0", kG, "O(N) for a value of N elements"}});
  t.Register({.name = "move",
              .arity = 3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdMove,
              .doc = {"Moves a key to another database.", "1.0.0", kG, kO1}});
  t.Register({.name = "keys",
              .arity = 2,
              .flags = kCmdReadOnly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = kK | kAclDangerous,
              .handler = CmdKeys,
              .doc = {"Lists the keys matching a glob pattern.", "1.0.0", kG,
                      "O(N) for N keys in the database"},
              .tips = "request_policy:all_shards nondeterministic_output_order"});
  t.Register({.name = "scan",
              .arity = -2,
              .flags = kCmdReadOnly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = kK,
              .handler = CmdScan,
              .doc = {"Iterates over the keys of the database with a cursor.", "2.8.0", kG,
                      "O(1) per call, O(N) for a whole iteration"},
              .tips = "nondeterministic_output request_policy:special"});
  t.Register({.name = "randomkey",
              .arity = 1,
              .flags = kCmdReadOnly,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = kK,
              .handler = CmdRandomKey,
              .doc = {"Returns a random key name.", "1.0.0", kG, kO1},
              .tips = "request_policy:all_shards nondeterministic_output"});
  t.Register({.name = "expire",
              .arity = -3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdExpire,
              .doc = {"Sets a key's time to live in seconds.", "1.0.0", kG, kO1}});
  t.Register({.name = "pexpire",
              .arity = -3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdExpire,
              .doc = {"Sets a key's time to live in milliseconds.", "2.6.0", kG, kO1}});
  t.Register({.name = "expireat",
              .arity = -3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdExpire,
              .doc = {"Sets a key's expiry as a Unix time in seconds.", "1.2.0", kG, kO1}});
  t.Register({.name = "pexpireat",
              .arity = -3,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdExpire,
              .doc = {"Sets a key's expiry as a Unix time in milliseconds.", "2.6.0", kG, kO1}});
  t.Register({.name = "ttl",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdTtl,
              .doc = {"Returns a key's remaining time to live in seconds.", "1.0.0", kG, kO1},
              .tips = "nondeterministic_output"});
  t.Register({.name = "pttl",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdTtl,
              .doc = {"Returns a key's remaining time to live in milliseconds.", "2.6.0", kG, kO1},
              .tips = "nondeterministic_output"});
  t.Register({.name = "expiretime",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdTtl,
              .doc = {"Returns a key's expiry as a Unix time in seconds.", "7.0.0", kG, kO1}});
  t.Register({.name = "pexpiretime",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdTtl,
              .doc = {"Returns a key's expiry as a Unix time in milliseconds.", "7.0.0", kG, kO1}});
  t.Register({.name = "persist",
              .arity = 2,
              .flags = kWF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdPersist,
              .doc = {"Removes a key's expiry.", "2.2.0", kG, kO1}});
  t.Register({.name = "touch",
              .arity = -2,
              .flags = kRF,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kK,
              .handler = CmdTouch,
              .doc = {"Updates the last access time of keys; returns how many exist.", "3.2.1", kG,
                      "O(N) for N keys"},
              .tips = kMultiSum});

  constexpr uint64_t kObjCats = kK | kAclRead;
  t.Register({.name = "object",
              .arity = -2,
              .flags = 0,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = 0,
              .handler = nullptr,
              .doc = {"A container for commands that inspect how values are stored.", "2.2.3", kG,
                      "Depends on subcommand."},
              .subcommands = {
                  {.name = "object|encoding",
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .acl_categories = kObjCats,
                   .handler = CmdObjectEncoding,
                   .doc = {"Returns the internal encoding of a value.", "2.2.3", kG, kO1},
                   .tips = "nondeterministic_output"},
                  {.name = "object|freq",
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .acl_categories = kObjCats,
                   .handler = CmdObjectFreq,
                   .doc = {"Returns the LFU access frequency counter of a key.", "4.0.0", kG, kO1},
                   .tips = "nondeterministic_output"},
                  {.name = "object|help",
                   .arity = 2,
                   .flags = kCmdLoading | kCmdStale,
                   .first_key = 0,
                   .last_key = 0,
                   .step = 0,
                   .acl_categories = kK,
                   .handler = CmdObjectHelp,
                   .doc = {"Lists the OBJECT subcommands.", "6.2.0", kG, kO1}},
                  {.name = "object|idletime",
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .acl_categories = kObjCats,
                   .handler = CmdObjectIdleTime,
                   .doc = {"Returns the seconds since a key was last accessed.", "2.2.3", kG, kO1},
                   .tips = "nondeterministic_output"},
                  {.name = "object|refcount",
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .first_key = 2,
                   .last_key = 2,
                   .step = 1,
                   .acl_categories = kObjCats,
                   .handler = CmdObjectRefCount,
                   .doc = {"Returns the reference count of a value.", "2.2.3", kG, kO1},
                   .tips = "nondeterministic_output"},
              }});
}

}  // namespace gannet
