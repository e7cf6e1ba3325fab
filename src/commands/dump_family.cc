// DUMP and RESTORE: a key's value as Redis's serialization payload (RDB value encoding,
// RDB version, CRC64) and back. The codec lives in src/persistence; commands reach it only
// through PersistenceView::DumpValue/RestoreValue (ServerView::persistence()).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/common/numbers.h"

namespace gannet {
namespace {

constexpr std::string_view kBusyKeyErr = "BUSYKEY Target key name already exists.";
constexpr std::string_view kInvalidTtlErr = "ERR Invalid TTL value, must be >= 0";
constexpr std::string_view kInvalidIdleErr = "ERR Invalid IDLETIME value, must be >= 0";
constexpr std::string_view kInvalidFreqErr = "ERR Invalid FREQ value, must be >= 0 and <= 255";

PersistenceView* View(CommandContext& ctx) {
  PersistenceView* p = ctx.server.persistence();
  if (p == nullptr) ctx.reply.SendError("ERR persistence is not available");
  return p;
}

// ---------------------------------------------------------------------------------------
// Keyspace operations

struct RestoreArgs {
  int64_t ttl = 0;  // 0: none; else relative ms, or absolute with ABSTTL
  bool replace = false;
  bool absttl = false;
  int64_t idle_s = -1;
  int64_t freq = -1;
};

enum class RestoreOutcome : uint8_t { kRestored, kExpiredDeleted, kExpiredNothing };

// Stores value under key as RESTORE does once everything is validated. `at_ms` is the
// absolute expiry (0: none); one already past stores nothing, except while a dataset loads
// (Keyspace::set_loading: the key is stored and expires after the load, as in Redis).
RestoreOutcome OpRestore(Keyspace& ks, Database& db, std::string_view key, Value value,
                         int64_t at_ms, const RestoreArgs& a, int64_t now_ms) {
  const bool deleted = a.replace && db.Delete(key);
  if (at_ms != 0 && at_ms <= now_ms && !ks.loading()) {
    return deleted ? RestoreOutcome::kExpiredDeleted : RestoreOutcome::kExpiredNothing;
  }
  Entry* e = db.Insert(key, std::move(value));
  if (at_ms != 0) db.SetExpire(e, at_ms);
  // Redis's objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME otherwise.
  if (a.freq >= 0) ks.SetLfuFrequency(e, static_cast<uint8_t>(a.freq));
  if (a.idle_s >= 0) ks.SetIdleSeconds(e, static_cast<uint64_t>(a.idle_s));
  return RestoreOutcome::kRestored;
}

// ---------------------------------------------------------------------------------------
// Handlers

// DUMP key
void CmdDump(CmdArgs args, CommandContext& ctx) {
  const Entry* e = ctx.db().FindRead(args[1]);
  if (e == nullptr) return ctx.reply.SendNull();
  PersistenceView* p = View(ctx);
  if (p == nullptr) return;
  ctx.reply.SendBulk(p->DumpValue(e->value));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
// Checks in Redis's order: options, then BUSYKEY, then the TTL, then the payload.
void CmdRestore(CmdArgs args, CommandContext& ctx) {
  RestoreArgs a;
  for (size_t j = 4; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    if (EqualsNoCase(args[j], "REPLACE")) {
      a.replace = true;
    } else if (EqualsNoCase(args[j], "ABSTTL")) {
      a.absttl = true;
    } else if (EqualsNoCase(args[j], "IDLETIME") && more && a.freq == -1) {
      std::optional<int64_t> v = ParseInt64(args[j + 1]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      if (*v < 0) return ctx.reply.SendError(kInvalidIdleErr);
      a.idle_s = *v;
      ++j;
    } else if (EqualsNoCase(args[j], "FREQ") && more && a.idle_s == -1) {
      std::optional<int64_t> v = ParseInt64(args[j + 1]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      if (*v < 0 || *v > 255) return ctx.reply.SendError(kInvalidFreqErr);
      a.freq = *v;
      ++j;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  const std::string_view key = args[1];
  Database& db = ctx.db();
  if (!a.replace && db.FindWrite(key) != nullptr) return ctx.reply.SendError(kBusyKeyErr);
  std::optional<int64_t> ttl = ParseInt64(args[2]);
  if (!ttl) return ctx.reply.SendError(kNotIntegerErr);
  if (*ttl < 0) return ctx.reply.SendError(kInvalidTtlErr);
  a.ttl = *ttl;

  PersistenceView* p = View(ctx);
  if (p == nullptr) return;
  Value value;
  std::string error;
  if (!p->RestoreValue(args[3], &value, &error)) return ctx.reply.SendError(error);

  int64_t at_ms = a.ttl;
  if (at_ms != 0 && !a.absttl) {
    // Redis adds without an overflow check; saturate instead of wrapping.
    at_ms = at_ms > INT64_MAX - ctx.now_ms ? INT64_MAX : at_ms + ctx.now_ms;
  }
  switch (OpRestore(ctx.keyspace, db, key, std::move(value), at_ms, a, ctx.now_ms)) {
    case RestoreOutcome::kExpiredDeleted: {
      // The old value went away and the new one is already expired: replicas see a DEL.
      const bool lazy = ctx.keyspace.memory_settings().lazy_server_del;
      ctx.KeyChanged(kNotifyGeneric, "del", key);
      ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(key)});
      break;
    }
    case RestoreOutcome::kExpiredNothing:
      break;
    case RestoreOutcome::kRestored:
      ctx.Notify(kNotifyNewKey, "new", key);
      ctx.KeyChanged(kNotifyGeneric, "restore", key);
      if (at_ms != 0 && !a.absttl) {
        // A relative TTL propagates as an absolute one (Redis rewrites the command).
        std::vector<std::string> cmd(args.begin(), args.end());
        cmd[2] = Int64ToString(at_ms);
        cmd.emplace_back("ABSTTL");
        ctx.PropagateAs(std::move(cmd));
      }
      break;
  }
  ctx.reply.SendOk();
}

}  // namespace

// Rows match redis-server 7.0's COMMAND INFO. RESTORE-ASKING (cluster only, "asking" flag)
// is not registered.
void RegisterDumpFamily(CommandTable& t) {
  constexpr std::string_view kG = "generic";
  t.Register(
      {.name = "dump",
       .arity = 2,
       .flags = kCmdReadOnly,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .acl_categories = kAclKeyspace,
       .handler = CmdDump,
       .doc = {"Returns a serialized representation of the value stored at a key.", "2.6.0", kG,
               "O(1) to access the key and additional O(N*M) to serialize it, where N is "
               "the number of Redis objects composing the value and M their average "
               "size."},
       .tips = "nondeterministic_output"});
  t.Register({.name = "restore",
              .arity = -4,
              .flags = kCmdWrite | kCmdDenyOom,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kAclKeyspace | kAclDangerous,
              .handler = CmdRestore,
              .doc = {"Creates a key from the serialized representation of a value.", "2.6.0", kG,
                      "O(1) to create the new key and additional O(N*M) to reconstruct the "
                      "serialized value, where N is the number of Redis objects composing the "
                      "value and M their average size."}});
}

}  // namespace gannet
