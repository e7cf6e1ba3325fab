// The set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER,
// SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN.
// Keyspace operations returning a Result come first, then the handlers that parse
// arguments and reply, then RegisterSetFamily.
//
// The set itself (intset / hashtable encodings) is SetObject (engine/set_object.h). Every
// write relabels the Value's encoding from the object, and a set left empty is deleted.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/set_object.h"
#include "scan_args.h"

namespace gannet {

namespace {

// SRANDMEMBER/HRANDFIELD counts must fit -LONG_MAX..LONG_MAX (LONG_MIN cannot be negated).
constexpr std::string_view kRandCountRangeErr =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
// A repeating (negative) count beyond this many elements is refused rather than building
// a reply of hundreds of gigabytes: Redis 7.0 would try and run out of memory.
constexpr uint64_t kMaxRepeatingCount = uint64_t{1} << 27;
constexpr std::string_view kOutOfRangeValueErr = "ERR value is out of range";
constexpr std::string_view kNumKeysErr = "ERR numkeys should be greater than 0";
constexpr std::string_view kTooManyKeysErr =
    "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kLimitNegativeErr = "ERR LIMIT can't be negative";

// ---------------------------------------------------------------------------------------
// Keyspace operations

// The entry of a set key: nullptr when missing, kWrongType for another type.
Result<Entry*> FindSet(Database& db, std::string_view key, bool write) {
  Entry* e = write ? db.FindWrite(key) : db.FindRead(key);
  if (e != nullptr && e->value.type() != ValueType::kSet) return OpStatus::kWrongType;
  return e;
}

SetObject* SetOf(const Entry* e) { return e->value.As<SetObject>(); }

// After a write: relabel the encoding, or delete the key when the set is empty.
void AfterWrite(Database& db, Entry* e) {
  SetObject* set = SetOf(e);
  if (set->empty()) {
    db.Delete(e);
  } else {
    e->value.set_encoding(set->encoding());
  }
}

// SADD: returns how many members were new; *created tells whether the key is new.
Result<int64_t> OpAdd(Database& db, std::string_view key, CmdArgs members, int64_t max_intset,
                      bool* created) {
  Result<Entry*> r = FindSet(db, key, /*write=*/true);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  if (e == nullptr) {
    *created = true;
    e = db.Insert(key, Value::Object(SetObject::CreateFor(members[0], max_intset)));
  }
  SetObject* set = SetOf(e);
  int64_t added = 0;
  for (std::string_view m : members) added += set->Add(m, max_intset) ? 1 : 0;
  e->value.set_encoding(set->encoding());
  return added;
}

Result<int64_t> OpRem(Database& db, std::string_view key, CmdArgs members, bool* emptied) {
  Result<Entry*> r = FindSet(db, key, /*write=*/true);
  if (!r.ok()) return r.status();
  if (*r == nullptr) return 0;
  SetObject* set = SetOf(*r);
  int64_t removed = 0;
  for (std::string_view m : members) {
    removed += set->Remove(m) ? 1 : 0;
    if (set->empty()) break;
  }
  *emptied = set->empty();
  AfterWrite(db, *r);
  return removed;
}

// SMOVE: 1 if member moved (or src == dst and member is there), 0 otherwise. Emits
// Redis's events: "srem" (and "del" when the source emptied), "new" for a created
// destination, "sadd" when the member was not in it yet; one change per key changed.
Result<int64_t> OpMove(CommandContext& ctx, std::string_view src, std::string_view dst,
                       std::string_view member, int64_t max_intset) {
  Database& db = ctx.db();
  Entry* s = db.FindWrite(src);
  Entry* d = db.FindWrite(dst);
  // Redis answers 0 for a missing source before it checks either type.
  if (s == nullptr) return 0;
  if (s->value.type() != ValueType::kSet) return OpStatus::kWrongType;
  if (d != nullptr && d->value.type() != ValueType::kSet) return OpStatus::kWrongType;
  if (s == d) return SetOf(s)->Contains(member) ? 1 : 0;
  if (!SetOf(s)->Remove(member)) return 0;
  ctx.KeyChanged(kNotifySet, "srem", src);
  if (SetOf(s)->empty()) ctx.Notify(kNotifyGeneric, "del", src);
  AfterWrite(db, s);
  if (d == nullptr) {
    d = db.Insert(dst, Value::Object(SetObject::CreateFor(member, max_intset)));
    ctx.Notify(kNotifyNewKey, "new", dst);
  }
  if (SetOf(d)->Add(member, max_intset)) ctx.KeyChanged(kNotifySet, "sadd", dst);
  d->value.set_encoding(SetOf(d)->encoding());
  return 1;
}

// The sets named by keys (nullptr for a missing key), or kWrongType if any key holds
// another type: Redis checks every key's type before it looks at emptiness.
Result<std::vector<const SetObject*>> CollectSets(Database& db, CmdArgs keys) {
  std::vector<const SetObject*> sets;
  sets.reserve(keys.size());
  for (std::string_view k : keys) {
    Result<Entry*> r = FindSet(db, k, /*write=*/false);
    if (!r.ok()) return r.status();
    sets.push_back(*r == nullptr ? nullptr : SetOf(*r));
  }
  return sets;
}

// The intersection of sets (none missing), visiting the smallest and probing the rest;
// stops after `limit` members when limit > 0.
std::vector<std::string> Intersect(std::vector<const SetObject*> sets, uint64_t limit) {
  std::sort(sets.begin(), sets.end(),
            [](const SetObject* a, const SetObject* b) { return a->size() < b->size(); });
  std::vector<std::string> out;
  bool full = false;
  sets[0]->ForEach([&](std::string_view m) {
    if (full) return;
    for (size_t i = 1; i < sets.size(); ++i) {
      // A key named twice: its members are all in it, and probing the table being
      // iterated could rehash it under the iteration.
      if (sets[i] != sets[0] && !sets[i]->Contains(m)) return;
    }
    out.emplace_back(m);
    if (limit > 0 && out.size() >= limit) full = true;
  });
  return out;
}

enum class SetOp { kUnion, kDiff };

// SUNION / SDIFF into a fresh set built as Redis builds it (starting as an intset).
std::unique_ptr<SetObject> UnionOrDiff(const std::vector<const SetObject*>& sets, SetOp op,
                                       int64_t max_intset) {
  auto out = std::make_unique<SetObject>();
  if (op == SetOp::kUnion) {
    for (const SetObject* s : sets) {
      if (s != nullptr) s->ForEach([&](std::string_view m) { out->Add(m, max_intset); });
    }
    return out;
  }
  if (sets[0] == nullptr) return out;
  sets[0]->ForEach([&](std::string_view m) {
    for (size_t i = 1; i < sets.size(); ++i) {
      // The same key again removes everything; probing it would also rehash the table
      // being iterated.
      if (sets[i] == sets[0]) return;
      if (sets[i] != nullptr && sets[i]->Contains(m)) return;
    }
    out->Add(m, max_intset);
  });
  return out;
}

// Stores result under dst (replacing any value and TTL), or deletes dst when it is empty.
// Returns the stored size. Events as Redis: `event` ("new" first when dst did not
// exist), or "del" when an empty result removed dst; one change either way.
int64_t StoreSet(CommandContext& ctx, std::string_view dst, std::unique_ptr<SetObject> result,
                 std::string_view event) {
  Database& db = ctx.db();
  const auto n = static_cast<int64_t>(result->size());
  const bool existed = db.Delete(dst);
  if (n > 0) {
    db.Insert(dst, Value::Object(std::move(*result)));
    if (!existed) ctx.Notify(kNotifyNewKey, "new", dst);
    ctx.KeyChanged(kNotifySet, event, dst);
  } else if (existed) {
    ctx.KeyChanged(kNotifyGeneric, "del", dst);
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Handlers

int64_t MaxIntset(CommandContext& ctx) { return ctx.config().set_max_intset_entries; }

void ReplyMembers(ReplyBuilder& rb, const SetObject& set) {
  rb.SendSetLen(set.size());
  set.ForEach([&rb](std::string_view m) { rb.SendBulk(m); });
}

void CmdSAdd(CmdArgs args, CommandContext& ctx) {
  bool created = false;
  Result<int64_t> r = OpAdd(ctx.db(), args[1], args.subspan(2), MaxIntset(ctx), &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (*r > 0) ctx.KeyChanged(kNotifySet, "sadd", args[1], static_cast<uint64_t>(*r));
  ctx.reply.SendLong(*r);
}

void CmdSRem(CmdArgs args, CommandContext& ctx) {
  bool emptied = false;
  Result<int64_t> r = OpRem(ctx.db(), args[1], args.subspan(2), &emptied);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r > 0) {
    ctx.KeyChanged(kNotifySet, "srem", args[1], static_cast<uint64_t>(*r));
    if (emptied) ctx.Notify(kNotifyGeneric, "del", args[1]);
  }
  ctx.reply.SendLong(*r);
}

void CmdSMembers(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendSetLen(0);
  ReplyMembers(ctx.reply, *SetOf(*r));
}

void CmdSIsMember(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r != nullptr && SetOf(*r)->Contains(args[2]) ? 1 : 0);
}

void CmdSMIsMember(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendArrayLen(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    ctx.reply.SendLong(*r != nullptr && SetOf(*r)->Contains(args[i]) ? 1 : 0);
  }
}

void CmdSCard(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r == nullptr ? 0 : static_cast<int64_t>(SetOf(*r)->size()));
}

// SPOP key [count]
void CmdSPop(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 3) return ctx.reply.SendError(kSyntaxErr);
  int64_t count = -1;
  if (args.size() == 3) {
    auto v = ParseInt64(args[2]);
    if (!v || *v < 0) return ctx.reply.SendError(kPositiveErr);
    count = *v;
  }
  Database& db = ctx.db();
  Result<Entry*> r = FindSet(db, args[1], true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  Entry* e = *r;
  if (count < 0) {
    if (e == nullptr) return ctx.reply.SendNull();
    std::string m = SetOf(e)->PopRandom();
    // The member was chosen at random: the AOF records which one.
    ctx.KeyChanged(kNotifySet, "spop", args[1]);
    if (SetOf(e)->empty()) ctx.Notify(kNotifyGeneric, "del", args[1]);
    if (ctx.propagating) ctx.PropagateAs({"SREM", std::string(args[1]), m});
    AfterWrite(db, e);
    return ctx.reply.SendBulk(m);
  }
  if (e == nullptr || count == 0) return ctx.reply.SendSetLen(0);
  SetObject* set = SetOf(e);
  if (static_cast<uint64_t>(count) >= set->size()) {
    ReplyMembers(ctx.reply, *set);
    ctx.KeyChanged(kNotifySet, "spop", args[1], set->size());
    ctx.Notify(kNotifyGeneric, "del", args[1]);
    const bool lazy = ctx.keyspace.memory_settings().lazy_server_del;
    if (ctx.propagating) ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(args[1])});
    db.Delete(e);
    return;
  }
  ctx.reply.SendSetLen(static_cast<size_t>(count));
  // Recorded as SREMs of the members popped, up to 1024 members per command as Redis.
  constexpr size_t kBatch = 1024;
  std::vector<std::string> srem;
  for (int64_t i = 0; i < count; ++i) {
    std::string m = set->PopRandom();
    ctx.reply.SendBulk(m);
    if (!ctx.propagating) continue;
    if (srem.empty()) srem = {"SREM", std::string(args[1])};
    srem.push_back(std::move(m));
    if (srem.size() - 2 == kBatch) {
      ctx.PropagateAs(std::move(srem));
      srem.clear();
    }
  }
  if (!srem.empty()) ctx.PropagateAs(std::move(srem));
  ctx.KeyChanged(kNotifySet, "spop", args[1], static_cast<uint64_t>(count));
  AfterWrite(db, e);
}

// Parses a SRANDMEMBER/HRANDFIELD count (-LONG_MAX..LONG_MAX); sends the error and
// returns nullopt when it is not one.
std::optional<int64_t> ParseRandCount(std::string_view arg, ReplyBuilder& rb) {
  auto v = ParseInt64(arg);
  if (!v) {
    rb.SendError(kNotIntegerErr);
    return std::nullopt;
  }
  if (*v == std::numeric_limits<int64_t>::min()) {
    rb.SendError(kRandCountRangeErr);
    return std::nullopt;
  }
  return *v;
}

// SRANDMEMBER key [count]
void CmdSRandMember(CmdArgs args, CommandContext& ctx) {
  if (args.size() > 3) return ctx.reply.SendError(kSyntaxErr);
  if (args.size() == 2) {
    Result<Entry*> r = FindSet(ctx.db(), args[1], false);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) return ctx.reply.SendNull();
    return ctx.reply.SendBulk(SetOf(*r)->RandomMember());
  }
  std::optional<int64_t> count = ParseRandCount(args[2], ctx.reply);
  if (!count) return;
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr || *count == 0) return ctx.reply.SendArrayLen(0);
  const SetObject* set = SetOf(*r);
  if (*count < 0) {
    const auto n = static_cast<uint64_t>(-*count);
    if (n > kMaxRepeatingCount) return ctx.reply.SendError(kOutOfRangeValueErr);
    ctx.reply.SendArrayLen(n);
    for (uint64_t i = 0; i < n; ++i) ctx.reply.SendBulk(set->RandomMember());
    return;
  }
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(*count), set->size());
  ctx.reply.SendArrayLen(n);
  set->RandomDistinct(n, [&ctx](std::string_view m) { ctx.reply.SendBulk(m); });
}

// SMOVE source destination member
void CmdSMove(CmdArgs args, CommandContext& ctx) {
  Result<int64_t> r = OpMove(ctx, args[1], args[2], args[3], MaxIntset(ctx));
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r);
}

// SINTER key..., SINTERSTORE dst key...
void CmdSInter(CmdArgs args, CommandContext& ctx) {
  const bool store = ctx.spec->name == "sinterstore";
  CmdArgs keys = args.subspan(store ? 2 : 1);
  Database& db = ctx.db();
  Result<std::vector<const SetObject*>> sets = CollectSets(db, keys);
  if (!sets.ok()) return SendStatusError(ctx.reply, sets.status());
  const bool any_missing = std::find(sets->begin(), sets->end(), nullptr) != sets->end();
  std::vector<std::string> members;
  if (!any_missing) members = Intersect(*sets, 0);
  if (!store) {
    ctx.reply.SendSetLen(members.size());
    for (const std::string& m : members) ctx.reply.SendBulk(m);
    return;
  }
  auto result = std::make_unique<SetObject>();
  for (const std::string& m : members) result->Add(m, MaxIntset(ctx));
  ctx.reply.SendLong(StoreSet(ctx, args[1], std::move(result), "sinterstore"));
}

// SINTERCARD numkeys key... [LIMIT limit]
void CmdSInterCard(CmdArgs args, CommandContext& ctx) {
  auto numkeys = ParseInt64(args[1]);
  if (!numkeys || *numkeys < 1) return ctx.reply.SendError(kNumKeysErr);
  if (static_cast<uint64_t>(*numkeys) > args.size() - 2) {
    return ctx.reply.SendError(kTooManyKeysErr);
  }
  const auto nk = static_cast<size_t>(*numkeys);
  uint64_t limit = 0;
  for (size_t i = 2 + nk; i < args.size(); i += 2) {
    if (EqualsNoCase(args[i], "LIMIT") && i + 1 < args.size()) {
      auto v = ParseInt64(args[i + 1]);
      if (!v || *v < 0) return ctx.reply.SendError(kLimitNegativeErr);
      limit = static_cast<uint64_t>(*v);
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  Result<std::vector<const SetObject*>> sets = CollectSets(ctx.db(), args.subspan(2, nk));
  if (!sets.ok()) return SendStatusError(ctx.reply, sets.status());
  if (std::find(sets->begin(), sets->end(), nullptr) != sets->end()) {
    return ctx.reply.SendLong(0);
  }
  ctx.reply.SendLong(static_cast<int64_t>(Intersect(*sets, limit).size()));
}

// SUNION/SDIFF key..., SUNIONSTORE/SDIFFSTORE dst key...
void CmdSUnionDiff(CmdArgs args, CommandContext& ctx) {
  const std::string_view name = ctx.spec->name;
  const bool store = name.ends_with("store");
  const SetOp op = name.starts_with("sunion") ? SetOp::kUnion : SetOp::kDiff;
  Database& db = ctx.db();
  Result<std::vector<const SetObject*>> sets = CollectSets(db, args.subspan(store ? 2 : 1));
  if (!sets.ok()) return SendStatusError(ctx.reply, sets.status());
  std::unique_ptr<SetObject> result = UnionOrDiff(*sets, op, MaxIntset(ctx));
  if (!store) return ReplyMembers(ctx.reply, *result);
  ctx.reply.SendLong(StoreSet(ctx, args[1], std::move(result), name));
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void CmdSScan(CmdArgs args, CommandContext& ctx) {
  auto cursor = ParseScanCursor(args[2]);
  if (!cursor) return ctx.reply.SendError(kInvalidCursorErr);
  Result<Entry*> r = FindSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) {
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk("0");
    return ctx.reply.SendArrayLen(0);
  }
  CollectionScanOptions opts;
  if (!ParseCollectionScanOptions(args, 3, &opts, ctx.reply)) return;
  std::vector<std::string> out;
  const uint64_t next = SetOf(*r)->Scan(*cursor, opts.count, [&](std::string_view m) {
    if (!opts.use_pattern || GlobMatch(opts.pattern, m)) out.emplace_back(m);
  });
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendBulk(std::to_string(next));
  ctx.reply.SendBulkArray(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration (rows as redis-server 7.0.15's COMMAND INFO)

void RegisterSetFamily(CommandTable& t) {
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint64_t kS = kAclSet;
  constexpr std::string_view kG = "set";
  constexpr std::string_view kOrder = "nondeterministic_output_order";
  constexpr std::string_view kNondet = "nondeterministic_output";

  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first, last, step;
    CommandHandler handler;
    std::string_view summary, since, complexity, tips;
  };
  const Row rows[] = {
      {"sadd", -3, kWDF, 1, 1, 1, CmdSAdd, "Adds members to a set.", "1.0.0", "O(N)", ""},
      {"srem", -3, kWF, 1, 1, 1, CmdSRem, "Removes members from a set.", "1.0.0", "O(N)", ""},
      {"smembers", 2, kR, 1, 1, 1, CmdSMembers, "Returns all members of a set.", "1.0.0", "O(N)",
       kOrder},
      {"sismember", 3, kRF, 1, 1, 1, CmdSIsMember, "Tells whether a member is in a set.", "1.0.0",
       "O(1)", ""},
      {"smismember", -3, kRF, 1, 1, 1, CmdSMIsMember, "Tells whether members are in a set.",
       "6.2.0", "O(N)", ""},
      {"scard", 2, kRF, 1, 1, 1, CmdSCard, "Returns the number of members in a set.", "1.0.0",
       "O(1)", ""},
      {"spop", -2, kWF, 1, 1, 1, CmdSPop, "Removes and returns random members of a set.", "1.0.0",
       "O(N)", kNondet},
      {"srandmember", -2, kR, 1, 1, 1, CmdSRandMember, "Returns random members of a set.", "1.0.0",
       "O(N)", kNondet},
      {"smove", 4, kWF, 1, 2, 1, CmdSMove, "Moves a member from one set to another.", "1.0.0",
       "O(1)", ""},
      {"sinter", -2, kR, 1, -1, 1, CmdSInter, "Returns the intersection of sets.", "1.0.0",
       "O(N*M)", kOrder},
      {"sintercard", -3, kR | kCmdMovableKeys, 0, 0, 0, CmdSInterCard,
       "Returns the size of the intersection of sets.", "7.0.0", "O(N*M)", ""},
      {"sinterstore", -3, kWD, 1, -1, 1, CmdSInter, "Stores the intersection of sets in a key.",
       "1.0.0", "O(N*M)", ""},
      {"sunion", -2, kR, 1, -1, 1, CmdSUnionDiff, "Returns the union of sets.", "1.0.0", "O(N)",
       kOrder},
      {"sunionstore", -3, kWD, 1, -1, 1, CmdSUnionDiff, "Stores the union of sets in a key.",
       "1.0.0", "O(N)", ""},
      {"sdiff", -2, kR, 1, -1, 1, CmdSUnionDiff, "Returns the difference of sets.", "1.0.0", "O(N)",
       kOrder},
      {"sdiffstore", -3, kWD, 1, -1, 1, CmdSUnionDiff, "Stores the difference of sets in a key.",
       "1.0.0", "O(N)", ""},
      {"sscan", -3, kR, 1, 1, 1, CmdSScan, "Iterates over the members of a set.", "2.8.0", "O(1)",
       kNondet},
  };
  for (const Row& r : rows) {
    t.Register({.name = r.name,
                .arity = r.arity,
                .flags = r.flags,
                .first_key = r.first,
                .last_key = r.last,
                .step = r.step,
                .acl_categories = kS,
                .handler = r.handler,
                .doc = {r.summary, r.since, kG, r.complexity},
                .tips = r.tips});
  }
}

}  // namespace gannet
