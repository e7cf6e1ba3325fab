// The hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HDEL, HEXISTS, HLEN,
// HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN. Keyspace operations
// returning a Result come first, then the handlers that parse arguments and reply, then
// RegisterHashFamily.
//
// The hash itself (listpack / hashtable encodings) is HashObject (engine/hash_object.h).
// Every write relabels the Value's encoding from the object, and a hash left empty is
// deleted.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/hash_object.h"
#include "scan_args.h"

namespace gannet {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr std::string_view kHashNotIntegerErr = "ERR hash value is not an integer";
constexpr std::string_view kHashNotFloatErr = "ERR hash value is not a float";
constexpr std::string_view kIncrNanErr = "ERR value is NaN or Infinity";
constexpr std::string_view kRandCountRangeErr =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
constexpr std::string_view kOutOfRangeValueErr = "ERR value is out of range";
// A repeating (negative) count beyond this many pairs is refused rather than building a
// reply of hundreds of gigabytes: Redis 7.0 would try and run out of memory.
constexpr uint64_t kMaxRepeatingCount = uint64_t{1} << 27;

// ---------------------------------------------------------------------------------------
// Keyspace operations

// The entry of a hash key: nullptr when missing, kWrongType for another type.
Result<Entry*> FindHash(Database& db, std::string_view key, bool write) {
  Entry* e = write ? db.FindWrite(key) : db.FindRead(key);
  if (e != nullptr && e->value.type() != ValueType::kHash) return OpStatus::kWrongType;
  return e;
}

HashObject* HashOf(const Entry* e) { return e->value.As<HashObject>(); }

// The hash at key for a write, created (listpack, empty) when missing (*created set).
Result<Entry*> FindOrCreateHash(Database& db, std::string_view key, bool* created) {
  Result<Entry*> r = FindHash(db, key, /*write=*/true);
  if (!r.ok() || *r != nullptr) return r;
  *created = true;
  return db.Insert(key, Value::Object(HashObject()));
}

// Relabels the encoding after a write, or deletes the key when the hash is empty.
void AfterWrite(Database& db, Entry* e) {
  HashObject* h = HashOf(e);
  if (h->empty()) {
    db.Delete(e);
  } else {
    e->value.set_encoding(h->encoding());
  }
}

HashObject::Limits LimitsOf(const Config& c) {
  return {c.hash_max_listpack_entries, c.hash_max_listpack_value};
}

// HSET/HMSET: pairs are args[2..]. Returns the number of new fields.
Result<int64_t> OpSet(Database& db, std::string_view key, CmdArgs pairs,
                      const HashObject::Limits& limits, bool* created_key) {
  Result<Entry*> r = FindOrCreateHash(db, key, created_key);
  if (!r.ok()) return r.status();
  HashObject* h = HashOf(*r);
  h->PrepareFor(pairs.data(), pairs.size(), limits);
  int64_t created = 0;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    created += h->Set(pairs[i], pairs[i + 1], limits) ? 1 : 0;
  }
  AfterWrite(db, *r);
  return created;
}

Result<bool> OpSetNx(Database& db, std::string_view key, std::string_view field,
                     std::string_view value, const HashObject::Limits& limits, bool* created) {
  Result<Entry*> r = FindOrCreateHash(db, key, created);
  if (!r.ok()) return r.status();
  HashObject* h = HashOf(*r);
  if (h->Contains(field)) return false;
  const std::string_view strs[] = {field, value};
  h->PrepareFor(strs, 2, limits);
  h->Set(field, value, limits);
  AfterWrite(db, *r);
  return true;
}

Result<int64_t> OpDel(Database& db, std::string_view key, CmdArgs fields, bool* key_removed) {
  Result<Entry*> r = FindHash(db, key, /*write=*/true);
  if (!r.ok()) return r.status();
  if (*r == nullptr) return 0;
  HashObject* h = HashOf(*r);
  int64_t deleted = 0;
  for (std::string_view f : fields) {
    deleted += h->Delete(f) ? 1 : 0;
    if (h->empty()) break;
  }
  *key_removed = h->empty();
  AfterWrite(db, *r);
  return deleted;
}

// HINCRBY: kOverflow, or the hash value not being an integer (reported by the caller as
// kNotAnInteger, which it maps to "hash value is not an integer").
Result<int64_t> OpIncrBy(Database& db, std::string_view key, std::string_view field, int64_t delta,
                         const HashObject::Limits& limits, bool* created) {
  Result<Entry*> r = FindOrCreateHash(db, key, created);
  if (!r.ok()) return r.status();
  HashObject* h = HashOf(*r);
  int64_t current = 0;
  HashObject::NumBuf buf;
  if (std::optional<std::string_view> v = h->Get(field, buf)) {
    auto parsed = ParseInt64(*v);
    if (!parsed) return OpStatus::kNotAnInteger;
    current = *parsed;
  }
  if ((delta < 0 && current < 0 && delta < kInt64Min - current) ||
      (delta > 0 && current > 0 && delta > kInt64Max - current)) {
    return OpStatus::kOverflow;
  }
  const int64_t result = current + delta;
  h->Set(field, Int64ToString(result), limits);
  AfterWrite(db, *r);
  return result;
}

// HINCRBYFLOAT: the result must be finite before anything is stored (CVE-2023-28856).
Result<std::string> OpIncrByFloat(Database& db, std::string_view key, std::string_view field,
                                  long double incr, const HashObject::Limits& limits,
                                  bool* created) {
  Result<Entry*> r = FindOrCreateHash(db, key, created);
  if (!r.ok()) return r.status();
  HashObject* h = HashOf(*r);
  long double current = 0;
  HashObject::NumBuf buf;
  if (std::optional<std::string_view> v = h->Get(field, buf)) {
    auto parsed = ParseLongDouble(*v);
    if (!parsed) return OpStatus::kNotAFloat;
    current = *parsed;
  }
  const long double result = current + incr;
  if (std::isnan(result) || std::isinf(result)) return OpStatus::kNanOrInfinity;
  std::string text = FormatLongDouble(result);
  h->Set(field, text, limits);
  AfterWrite(db, *r);
  return text;
}

// ---------------------------------------------------------------------------------------
// Handlers

void CmdHSet(CmdArgs args, CommandContext& ctx) {
  if (args.size() % 2 != 0) return ctx.reply.SendError(WrongArityText(ctx.spec->name));
  bool created = false;
  Result<int64_t> r = OpSet(ctx.db(), args[1], args.subspan(2), LimitsOf(ctx.config()), &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  // One change per field written, new or not (as Redis counts).
  ctx.KeyChanged(kNotifyHash, "hset", args[1], (args.size() - 2) / 2);
  if (ctx.spec->name == "hmset") return ctx.reply.SendOk();
  ctx.reply.SendLong(*r);
}

void CmdHSetNx(CmdArgs args, CommandContext& ctx) {
  bool created = false;
  Result<bool> r = OpSetNx(ctx.db(), args[1], args[2], args[3], LimitsOf(ctx.config()), &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (*r) ctx.KeyChanged(kNotifyHash, "hset", args[1]);
  ctx.reply.SendLong(*r ? 1 : 0);
}

void CmdHGet(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendNull();
  HashObject::NumBuf buf;
  std::optional<std::string_view> v = HashOf(*r)->Get(args[2], buf);
  if (!v) return ctx.reply.SendNull();
  ctx.reply.SendBulk(*v);
}

void CmdHMGet(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendArrayLen(args.size() - 2);
  HashObject::NumBuf buf;
  for (size_t i = 2; i < args.size(); ++i) {
    std::optional<std::string_view> v;
    if (*r != nullptr) v = HashOf(*r)->Get(args[i], buf);
    if (v) {
      ctx.reply.SendBulk(*v);
    } else {
      ctx.reply.SendNull();
    }
  }
}

// HGETALL (map), HKEYS, HVALS (arrays).
void CmdHGetAll(CmdArgs args, CommandContext& ctx) {
  const std::string_view name = ctx.spec->name;
  const bool keys = name != "hvals";
  const bool vals = name != "hkeys";
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  const size_t n = *r == nullptr ? 0 : HashOf(*r)->size();
  if (keys && vals) {
    ctx.reply.SendMapLen(n);
  } else {
    ctx.reply.SendArrayLen(n);
  }
  if (n == 0) return;
  HashOf(*r)->ForEach([&](std::string_view f, std::string_view v) {
    if (keys) ctx.reply.SendBulk(f);
    if (vals) ctx.reply.SendBulk(v);
  });
}

void CmdHDel(CmdArgs args, CommandContext& ctx) {
  bool key_removed = false;
  Result<int64_t> r = OpDel(ctx.db(), args[1], args.subspan(2), &key_removed);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r > 0) {
    ctx.KeyChanged(kNotifyHash, "hdel", args[1], static_cast<uint64_t>(*r));
    if (key_removed) ctx.Notify(kNotifyGeneric, "del", args[1]);
  }
  ctx.reply.SendLong(*r);
}

void CmdHExists(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r != nullptr && HashOf(*r)->Contains(args[2]) ? 1 : 0);
}

void CmdHLen(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r == nullptr ? 0 : static_cast<int64_t>(HashOf(*r)->size()));
}

void CmdHStrLen(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  HashObject::NumBuf buf;
  std::optional<std::string_view> v = HashOf(*r)->Get(args[2], buf);
  ctx.reply.SendLong(v ? static_cast<int64_t>(v->size()) : 0);
}

void CmdHIncrBy(CmdArgs args, CommandContext& ctx) {
  auto delta = ParseInt64(args[3]);
  if (!delta) return ctx.reply.SendError(kNotIntegerErr);
  bool created = false;
  Result<int64_t> r =
      OpIncrBy(ctx.db(), args[1], args[2], *delta, LimitsOf(ctx.config()), &created);
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (!r.ok()) {
    if (r.status() == OpStatus::kNotAnInteger) return ctx.reply.SendError(kHashNotIntegerErr);
    return SendStatusError(ctx.reply, r.status());
  }
  ctx.KeyChanged(kNotifyHash, "hincrby", args[1]);
  ctx.reply.SendLong(*r);
}

void CmdHIncrByFloat(CmdArgs args, CommandContext& ctx) {
  auto incr = ParseLongDouble(args[3]);
  if (!incr) return ctx.reply.SendError(kNotFloatErr);
  if (std::isnan(*incr) || std::isinf(*incr)) return ctx.reply.SendError(kIncrNanErr);
  bool created = false;
  Result<std::string> r =
      OpIncrByFloat(ctx.db(), args[1], args[2], *incr, LimitsOf(ctx.config()), &created);
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (!r.ok()) {
    if (r.status() == OpStatus::kNotAFloat) return ctx.reply.SendError(kHashNotFloatErr);
    return SendStatusError(ctx.reply, r.status());
  }
  ctx.KeyChanged(kNotifyHash, "hincrbyfloat", args[1]);
  // The sum depends on float formatting: the AOF records the resulting field value.
  if (ctx.propagating) {
    ctx.PropagateAs({"HSET", std::string(args[1]), std::string(args[2]), *r});
  }
  ctx.reply.SendBulk(*r);
}

// HRANDFIELD key [count [WITHVALUES]]
void CmdHRandField(CmdArgs args, CommandContext& ctx) {
  if (args.size() == 2) {
    Result<Entry*> r = FindHash(ctx.db(), args[1], false);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) return ctx.reply.SendNull();
    return HashOf(*r)->RandomPair(
        [&ctx](std::string_view f, std::string_view) { ctx.reply.SendBulk(f); });
  }
  auto count = ParseInt64(args[2]);
  if (!count) return ctx.reply.SendError(kNotIntegerErr);
  if (*count == kInt64Min) return ctx.reply.SendError(kRandCountRangeErr);
  if (args.size() > 4 || (args.size() == 4 && !EqualsNoCase(args[3], "WITHVALUES"))) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  const bool withvalues = args.size() == 4;
  // count*2 reply elements must not overflow.
  if (withvalues && (*count < -kInt64Max / 2 || *count > kInt64Max / 2)) {
    return ctx.reply.SendError(kOutOfRangeValueErr);
  }
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr || *count == 0) return ctx.reply.SendArrayLen(0);
  const HashObject* h = HashOf(*r);
  ReplyBuilder& rb = ctx.reply;
  const bool nested = withvalues && rb.resp3();  // RESP3: an array of [field, value]
  auto emit = [&](std::string_view f, std::string_view v) {
    if (nested) rb.SendArrayLen(2);
    rb.SendBulk(f);
    if (withvalues) rb.SendBulk(v);
  };
  auto send_len = [&](size_t pairs) { rb.SendArrayLen(withvalues && !nested ? pairs * 2 : pairs); };
  if (*count < 0) {
    const auto n = static_cast<uint64_t>(-*count);
    if (n > kMaxRepeatingCount) return rb.SendError(kOutOfRangeValueErr);
    send_len(n);
    h->RandomPairs(n, emit);
    return;
  }
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(*count), h->size());
  send_len(n);
  h->RandomDistinct(n, emit);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]
void CmdHScan(CmdArgs args, CommandContext& ctx) {
  auto cursor = ParseScanCursor(args[2]);
  if (!cursor) return ctx.reply.SendError(kInvalidCursorErr);
  Result<Entry*> r = FindHash(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) {
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk("0");
    return ctx.reply.SendArrayLen(0);
  }
  CollectionScanOptions opts;
  if (!ParseCollectionScanOptions(args, 3, &opts, ctx.reply)) return;
  std::vector<std::string> out;
  const uint64_t next =
      HashOf(*r)->Scan(*cursor, opts.count, [&](std::string_view f, std::string_view v) {
        if (opts.use_pattern && !GlobMatch(opts.pattern, f)) return;
        out.emplace_back(f);
        out.emplace_back(v);
      });
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendBulk(std::to_string(next));
  ctx.reply.SendBulkArray(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration (rows as redis-server 7.0.15's COMMAND INFO)

void RegisterHashFamily(CommandTable& t) {
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr std::string_view kOrder = "nondeterministic_output_order";
  constexpr std::string_view kNondet = "nondeterministic_output";

  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    CommandHandler handler;
    std::string_view summary, since, complexity, tips;
  };
  const Row rows[] = {
      {"hset", -4, kWDF, CmdHSet, "Sets fields of a hash.", "2.0.0", "O(N)", ""},
      {"hmset", -4, kWDF, CmdHSet, "Sets fields of a hash (deprecated form of HSET).", "2.0.0",
       "O(N)", ""},
      {"hsetnx", 4, kWDF, CmdHSetNx, "Sets a field of a hash only when it does not exist.", "2.0.0",
       "O(1)", ""},
      {"hget", 3, kRF, CmdHGet, "Returns the value of a field in a hash.", "2.0.0", "O(1)", ""},
      {"hmget", -3, kRF, CmdHMGet, "Returns the values of fields in a hash.", "2.0.0", "O(N)", ""},
      {"hgetall", 2, kR, CmdHGetAll, "Returns all fields and values of a hash.", "2.0.0", "O(N)",
       kOrder},
      {"hkeys", 2, kR, CmdHGetAll, "Returns all fields of a hash.", "2.0.0", "O(N)", kOrder},
      {"hvals", 2, kR, CmdHGetAll, "Returns all values of a hash.", "2.0.0", "O(N)", kOrder},
      {"hdel", -3, kWF, CmdHDel, "Deletes fields of a hash.", "2.0.0", "O(N)", ""},
      {"hexists", 3, kRF, CmdHExists, "Tells whether a field exists in a hash.", "2.0.0", "O(1)",
       ""},
      {"hlen", 2, kRF, CmdHLen, "Returns the number of fields in a hash.", "2.0.0", "O(1)", ""},
      {"hstrlen", 3, kRF, CmdHStrLen, "Returns the length of a field's value in a hash.", "3.2.0",
       "O(1)", ""},
      {"hincrby", 4, kWDF, CmdHIncrBy, "Increments the integer value of a hash field.", "2.0.0",
       "O(1)", ""},
      {"hincrbyfloat", 4, kWDF, CmdHIncrByFloat, "Increments the float value of a hash field.",
       "2.6.0", "O(1)", ""},
      {"hrandfield", -2, kR, CmdHRandField, "Returns random fields of a hash.", "6.2.0", "O(N)",
       kNondet},
      {"hscan", -3, kR, CmdHScan, "Iterates over the fields and values of a hash.", "2.8.0", "O(1)",
       kNondet},
  };
  for (const Row& r : rows) {
    t.Register({.name = r.name,
                .arity = r.arity,
                .flags = r.flags,
                .first_key = 1,
                .last_key = 1,
                .step = 1,
                .acl_categories = kAclHash,
                .handler = r.handler,
                .doc = {r.summary, r.since, "hash", r.complexity},
                .tips = r.tips});
  }
}

}  // namespace gannet
