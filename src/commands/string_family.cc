// The string commands: GET, SET and its variants (SETNX, SETEX, PSETEX, GETEX, GETDEL,
// GETSET), MGET/MSET/MSETNX, APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, the INCR family,
// INCRBYFLOAT and LCS. Keyspace operations returning a Result come first, then the
// handlers that parse arguments and reply, then RegisterStringFamily.
//
// GET and SET are the hot path: they reply straight from the stored bytes and allocate
// nothing beyond what storing the value needs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"

namespace gannet {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------------------
// Keyspace operations

// Stores value under key as a fresh string: any previous value (of any type) is replaced.
// The TTL is dropped unless keep_ttl. *created (when given) tells whether the key is new.
Entry* StoreString(Database& db, std::string_view key, std::string_view value, bool keep_ttl,
                   bool* created = nullptr) {
  auto [entry, inserted] = db.FindOrInsert(key);
  if (created != nullptr) *created = inserted;
  if (inserted || entry->value.IsString()) {
    entry->value.AssignString(value);
  } else {
    entry->value = Value::String(value);
  }
  if (!inserted && !keep_ttl && entry->has_expire()) db.ClearExpire(entry);
  return entry;
}

// The value of a string key for a read: nullptr when missing, kWrongType when not a string.
Result<const Entry*> OpGetString(Database& db, std::string_view key) {
  const Entry* e = db.FindRead(key);
  if (e != nullptr && !e->value.IsString()) return OpStatus::kWrongType;
  return e;
}

struct SetParams {
  bool nx = false;
  bool xx = false;
  bool keep_ttl = false;
  bool get = false;
  int64_t expire_at_ms = -1;  // absolute; -1: no expiry to set
};

// SET with its conditions. With params.get, *old receives the previous string (nullopt
// when missing) before anything changes. Returns kSkipped when NX/XX prevented the write,
// else whether the key was created.
Result<bool> OpSet(Database& db, std::string_view key, std::string_view value,
                   const SetParams& params, std::optional<std::string>* old) {
  Entry* existing = nullptr;
  if (params.nx || params.xx || params.get) {
    existing = params.get ? db.FindRead(key) : db.FindWrite(key);
    if (params.get && existing != nullptr) {
      if (!existing->value.IsString()) return OpStatus::kWrongType;
      *old = std::string(existing->value.AsString());
    }
    if ((params.nx && existing != nullptr) || (params.xx && existing == nullptr)) {
      return OpStatus::kSkipped;
    }
  }
  bool created = false;
  Entry* e = StoreString(db, key, value, params.keep_ttl, &created);
  if (params.expire_at_ms >= 0) db.SetExpire(e, params.expire_at_ms);
  return created;
}

// The events of a SET that happened (Redis's setGenericCommand): "new" for a created key,
// "set", and "expire" when it set a TTL. A relative or seconds TTL is recorded in the AOF
// as SET key value PXAT <ms> (an absolute time replays the same).
void SetDone(CommandContext& ctx, std::string_view key, std::string_view value, bool created,
             int64_t expire_at_ms, bool rewrite_expire) {
  if (created) ctx.Notify(kNotifyNewKey, "new", key);
  ctx.KeyChanged(kNotifyString, "set", key);
  if (expire_at_ms < 0) return;
  ctx.Notify(kNotifyGeneric, "expire", key);
  if (rewrite_expire && ctx.propagating) {
    ctx.PropagateAs(
        {"SET", std::string(key), std::string(value), "PXAT", std::to_string(expire_at_ms)});
  }
}

// INCRBY and friends: adds delta to the integer stored at key (0 when missing), keeping
// the TTL.
Result<int64_t> OpIncrBy(Database& db, std::string_view key, int64_t delta, bool* created) {
  Entry* e = db.FindWrite(key);
  int64_t current = 0;
  if (e != nullptr) {
    if (!e->value.IsString()) return OpStatus::kWrongType;
    auto v = ParseInt64(e->value.AsString());
    if (!v) return OpStatus::kNotAnInteger;
    current = *v;
  }
  if ((delta < 0 && current < 0 && delta < kInt64Min - current) ||
      (delta > 0 && current > 0 && delta > kInt64Max - current)) {
    return OpStatus::kOverflow;
  }
  const int64_t result = current + delta;
  if (created != nullptr) *created = e == nullptr;
  if (e == nullptr) {
    db.Insert(key, Value::Integer(result));
  } else {
    e->value = Value::Integer(result);
  }
  return result;
}

// INCRBYFLOAT: the stored value is parsed before the increment, as Redis does, so a bad
// stored value wins over a bad argument. Nothing is stored when the result is NaN or
// infinite.
Result<std::string> OpIncrByFloat(Database& db, std::string_view key, std::string_view incr_arg,
                                  bool* created) {
  Entry* e = db.FindWrite(key);
  long double current = 0;
  if (e != nullptr) {
    if (!e->value.IsString()) return OpStatus::kWrongType;
    auto v = ParseLongDouble(e->value.AsString());
    if (!v) return OpStatus::kNotAFloat;
    current = *v;
  }
  auto incr = ParseLongDouble(incr_arg);
  if (!incr) return OpStatus::kNotAFloat;
  const long double result = current + *incr;
  if (std::isnan(result) || std::isinf(result)) return OpStatus::kNanOrInfinity;
  std::string text = FormatLongDouble(result);
  // Redis builds this string without trying the integer encoding: "embstr", never "int".
  Value v = Value::String(text);
  if (v.encoding() == Encoding::kInt) v.set_encoding(Encoding::kEmbStr);
  *created = e == nullptr;
  if (e == nullptr) {
    db.Insert(key, std::move(v));
  } else {
    e->value = std::move(v);
  }
  return text;
}

// APPEND: returns the new length. max_len is proto-max-bulk-len.
Result<int64_t> OpAppend(Database& db, std::string_view key, std::string_view tail, int64_t max_len,
                         bool* created) {
  Entry* e = db.FindWrite(key);
  *created = e == nullptr;
  if (e == nullptr) {
    db.Insert(key, Value::String(tail));
    return static_cast<int64_t>(tail.size());
  }
  if (!e->value.IsString()) return OpStatus::kWrongType;
  const uint64_t size = e->value.StringSize();
  if (tail.size() > static_cast<uint64_t>(max_len) ||
      size > static_cast<uint64_t>(max_len) - tail.size()) {
    return OpStatus::kStringTooLong;
  }
  e->value.Append(tail);
  return static_cast<int64_t>(e->value.StringSize());
}

// SETRANGE: returns the new length. An empty value changes nothing (and creates nothing):
// *changed stays false then.
Result<int64_t> OpSetRange(Database& db, std::string_view key, int64_t offset,
                           std::string_view value, int64_t max_len, bool* changed, bool* created) {
  Entry* e = db.FindWrite(key);
  if (e != nullptr && !e->value.IsString()) return OpStatus::kWrongType;
  if (value.empty()) return e == nullptr ? 0 : static_cast<int64_t>(e->value.StringSize());
  // offset >= 0 (checked by the caller) and value.size() <= proto-max-bulk-len.
  if (static_cast<uint64_t>(offset) > static_cast<uint64_t>(max_len) ||
      value.size() > static_cast<uint64_t>(max_len - offset)) {
    return OpStatus::kStringTooLong;
  }
  *created = e == nullptr;
  if (e == nullptr) e = db.FindOrInsert(key).entry;
  *changed = true;
  e->value.SetRange(static_cast<size_t>(offset), value);
  return static_cast<int64_t>(e->value.StringSize());
}

// GETRANGE's index arithmetic on a string of length len: returns [start, start+count).
std::pair<size_t, size_t> RangeOf(int64_t start, int64_t end, size_t len) {
  if (start < 0 && end < 0 && start > end) return {0, 0};
  const int64_t n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (n == 0 || start > end) return {0, 0};
  return {static_cast<size_t>(start), static_cast<size_t>(end - start + 1)};
}

// LCS of a and b with the match ranges found while walking the table back from the ends
// (Redis's order: ranges from the end of the strings towards their start).
struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
};
struct LcsResult {
  std::string text;  // the common subsequence
  std::vector<LcsMatch> matches;
};

Result<LcsResult> OpLcs(std::string_view a, std::string_view b, bool want_text,
                        int64_t min_match_len, int64_t max_table_bytes, std::string* error) {
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    *error = "ERR String too long for LCS";
    return OpStatus::kSyntaxError;
  }
  const uint64_t rows = a.size() + 1;
  const uint64_t cols = b.size() + 1;
  // rows, cols < 2^32, so rows * cols * 4 fits in unsigned 128 but not always in 64 bits.
  if (rows > UINT64_MAX / cols || rows * cols > UINT64_MAX / sizeof(uint32_t) ||
      rows * cols * sizeof(uint32_t) > static_cast<uint64_t>(max_table_bytes)) {
    *error = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
    return OpStatus::kSyntaxError;
  }
  std::vector<uint32_t> table;
  try {
    table.assign(rows * cols, 0);
  } catch (const std::bad_alloc&) {
    *error = "ERR Insufficient memory, failed allocating transient memory for LCS";
    return OpStatus::kOutOfMemory;
  }
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[i * cols + j]; };
  for (uint64_t i = 1; i < rows; ++i) {
    for (uint64_t j = 1; j < cols; ++j) {
      if (a[i - 1] == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        at(i, j) = std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }
  LcsResult out;
  uint32_t remaining = at(rows - 1, cols - 1);
  if (!want_text) {
    out.text.resize(remaining);  // only its length is used
    return out;
  }
  out.text.assign(remaining, '\0');
  // Walk back; a range is open while consecutive characters match on the diagonal.
  bool open = false;
  LcsMatch cur{};
  auto emit = [&] {
    const uint64_t len = cur.a_end - cur.a_start + 1;
    if (min_match_len == 0 || len >= static_cast<uint64_t>(min_match_len)) {
      out.matches.push_back(cur);
    }
    open = false;
  };
  uint64_t i = rows - 1, j = cols - 1;
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      out.text[--remaining] = a[i - 1];
      const auto ai = static_cast<uint32_t>(i - 1);
      const auto bj = static_cast<uint32_t>(j - 1);
      if (open && cur.a_start == ai + 1 && cur.b_start == bj + 1) {
        cur.a_start = ai;
        cur.b_start = bj;
      } else {
        if (open) emit();
        cur = {ai, ai, bj, bj};
        open = true;
      }
      --i;
      --j;
      if (cur.a_start == 0 || cur.b_start == 0) emit();
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (open) emit();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Argument helpers

// Turns an EX/PX/EXAT/PXAT argument into absolute milliseconds as SET, SETEX and GETEX
// do: the number must be positive, and neither the unit conversion nor adding "now" may
// overflow. nullopt after sending the error.
std::optional<int64_t> ExpireArgToAbsMs(std::string_view arg, bool seconds, bool relative,
                                        CommandContext& ctx) {
  auto v = ParseInt64(arg);
  if (!v) {
    ctx.reply.SendError(kNotIntegerErr);
    return std::nullopt;
  }
  int64_t ms = *v;
  if (ms <= 0 || (seconds && ms > kInt64Max / 1000)) {
    ctx.reply.SendError(InvalidExpireText(ctx.spec->name));
    return std::nullopt;
  }
  if (seconds) ms *= 1000;
  if (relative) {
    if (ms > kInt64Max - ctx.now_ms) {
      ctx.reply.SendError(InvalidExpireText(ctx.spec->name));
      return std::nullopt;
    }
    ms += ctx.now_ms;
  }
  return ms;
}

enum ExpireUnit : uint8_t { kNoExpire, kEx, kPx, kExAt, kPxAt };

// The options SET and GETEX share. For SET: NX XX GET KEEPTTL EX PX EXAT PXAT; for GETEX:
// EX PX EXAT PXAT PERSIST. Conflicting options are a syntax error; a repeated option is
// allowed (the last value wins), as in Redis.
struct StringOptions {
  bool nx = false, xx = false, get = false, keep_ttl = false, persist = false;
  ExpireUnit unit = kNoExpire;
  std::string_view expire_arg;
};

bool ParseStringOptions(CmdArgs args, size_t start, bool is_set, StringOptions* o) {
  for (size_t j = start; j < args.size(); ++j) {
    std::string_view opt = args[j];
    const bool has_next = j + 1 < args.size();
    auto expire_opt = [&](ExpireUnit unit) {
      const bool conflict = o->keep_ttl || o->persist || (o->unit != kNoExpire && o->unit != unit);
      if (conflict || !has_next) return false;
      o->unit = unit;
      o->expire_arg = args[++j];
      return true;
    };
    if (is_set && EqualsNoCase(opt, "NX") && !o->xx) {
      o->nx = true;
    } else if (is_set && EqualsNoCase(opt, "XX") && !o->nx) {
      o->xx = true;
    } else if (is_set && EqualsNoCase(opt, "GET")) {
      o->get = true;
    } else if (is_set && EqualsNoCase(opt, "KEEPTTL") && !o->persist && o->unit == kNoExpire) {
      o->keep_ttl = true;
    } else if (!is_set && EqualsNoCase(opt, "PERSIST") && !o->keep_ttl && o->unit == kNoExpire) {
      o->persist = true;
    } else if (EqualsNoCase(opt, "EX")) {
      if (!expire_opt(kEx)) return false;
    } else if (EqualsNoCase(opt, "PX")) {
      if (!expire_opt(kPx)) return false;
    } else if (EqualsNoCase(opt, "EXAT")) {
      if (!expire_opt(kExAt)) return false;
    } else if (EqualsNoCase(opt, "PXAT")) {
      if (!expire_opt(kPxAt)) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> OptionsExpire(const StringOptions& o, CommandContext& ctx) {
  const bool seconds = o.unit == kEx || o.unit == kExAt;
  const bool relative = o.unit == kEx || o.unit == kPx;
  return ExpireArgToAbsMs(o.expire_arg, seconds, relative, ctx);
}

// ---------------------------------------------------------------------------------------
// Handlers

void CmdGet(CmdArgs args, CommandContext& ctx) {
  const Entry* e = ctx.db().FindRead(args[1]);
  if (e == nullptr) return ctx.reply.SendNull();
  if (!e->value.IsString()) return ctx.reply.SendError(kWrongTypeErr);
  ctx.reply.SendBulk(e->value.AsString());
}

void CmdSet(CmdArgs args, CommandContext& ctx) {
  SetParams params;
  // Any expiry option is recorded as SET key value PXAT <ms>, dropping NX/XX/GET, as
  // Redis 7.0 rewrites it (PXAT included).
  bool rewrite_expire = false;
  bool expire_given = false;
  if (args.size() > 3) {
    StringOptions o;
    if (!ParseStringOptions(args, 3, /*is_set=*/true, &o)) return ctx.reply.SendError(kSyntaxErr);
    expire_given = o.unit != kNoExpire;
    if (o.unit != kNoExpire) {
      auto at = OptionsExpire(o, ctx);
      if (!at) return;
      params.expire_at_ms = *at;
      rewrite_expire = true;
    }
    params.nx = o.nx;
    params.xx = o.xx;
    params.get = o.get;
    params.keep_ttl = o.keep_ttl;
  }
  std::optional<std::string> old;
  Result<bool> r = OpSet(ctx.db(), args[1], args[2], params, &old);
  if (!r.ok() && r.status() == OpStatus::kWrongType) return ctx.reply.SendError(kWrongTypeErr);
  if (r.ok()) SetDone(ctx, args[1], args[2], *r, params.expire_at_ms, rewrite_expire);
  // Redis records SET ... GET without its GET words (with an expiry option the whole
  // command was rewritten above).
  if (params.get && !expire_given && r.ok() && ctx.propagating) {
    std::vector<std::string> cmd;
    for (size_t j = 0; j < args.size(); ++j) {
      if (j < 3 || !EqualsNoCase(args[j], "GET")) cmd.emplace_back(args[j]);
    }
    ctx.PropagateAs(std::move(cmd));
  }
  if (params.get) {
    if (old) return ctx.reply.SendBulk(*old);
    return ctx.reply.SendNull();
  }
  if (!r.ok()) return ctx.reply.SendNull();  // NX/XX not met
  ctx.reply.SendOk();
}

void CmdSetNx(CmdArgs args, CommandContext& ctx) {
  SetParams params;
  params.nx = true;
  Result<bool> r = OpSet(ctx.db(), args[1], args[2], params, nullptr);
  if (r.ok()) SetDone(ctx, args[1], args[2], *r, -1, false);
  ctx.reply.SendLong(r.ok() ? 1 : 0);
}

// SETEX key seconds value / PSETEX key milliseconds value.
void CmdSetEx(CmdArgs args, CommandContext& ctx) {
  const bool seconds = ctx.spec->name == "setex";
  auto at = ExpireArgToAbsMs(args[2], seconds, /*relative=*/true, ctx);
  if (!at) return;
  SetParams params;
  params.expire_at_ms = *at;
  Result<bool> r = OpSet(ctx.db(), args[1], args[3], params, nullptr);
  SetDone(ctx, args[1], args[3], r.ok() && *r, *at, /*rewrite_expire=*/true);
  ctx.reply.SendOk();
}

void CmdGetEx(CmdArgs args, CommandContext& ctx) {
  StringOptions o;
  if (!ParseStringOptions(args, 2, /*is_set=*/false, &o)) return ctx.reply.SendError(kSyntaxErr);
  Database& db = ctx.db();
  Entry* e = db.FindRead(args[1]);
  if (e == nullptr) return ctx.reply.SendNull();
  if (!e->value.IsString()) return ctx.reply.SendError(kWrongTypeErr);
  std::optional<int64_t> at;
  if (o.unit != kNoExpire) {
    at = OptionsExpire(o, ctx);
    if (!at) return;
  }
  ctx.reply.SendBulk(e->value.AsString());
  // Recorded in the AOF as what it did: DEL, PEXPIREAT or PERSIST.
  if (at) {
    // An absolute time already past deletes the key (after replying with its value),
    // except while a dataset loads (Keyspace::set_loading).
    if (*at <= ctx.now_ms && !ctx.keyspace.loading()) {
      db.Delete(e);
      ctx.KeyChanged(kNotifyGeneric, "del", args[1]);
      const bool lazy = ctx.keyspace.memory_settings().lazy_expire;
      if (ctx.propagating) ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(args[1])});
    } else {
      db.SetExpire(e, *at);
      ctx.KeyChanged(kNotifyGeneric, "expire", args[1]);
      if (ctx.propagating) {
        ctx.PropagateAs({"PEXPIREAT", std::string(args[1]), std::to_string(*at)});
      }
    }
  } else if (o.persist) {
    if (db.ClearExpire(e)) {
      ctx.KeyChanged(kNotifyGeneric, "persist", args[1]);
      if (ctx.propagating) ctx.PropagateAs({"PERSIST", std::string(args[1])});
    }
  }
}

void CmdGetDel(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  Entry* e = db.FindRead(args[1]);
  if (e == nullptr) return ctx.reply.SendNull();
  if (!e->value.IsString()) return ctx.reply.SendError(kWrongTypeErr);
  ctx.reply.SendBulk(e->value.AsString());
  db.Delete(e);
  ctx.KeyChanged(kNotifyGeneric, "del", args[1]);
  const bool lazy = ctx.keyspace.memory_settings().lazy_user_del;
  if (ctx.propagating) ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(args[1])});
}

void CmdGetSet(CmdArgs args, CommandContext& ctx) {
  SetParams params;
  params.get = true;
  std::optional<std::string> old;
  Result<bool> r = OpSet(ctx.db(), args[1], args[2], params, &old);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  SetDone(ctx, args[1], args[2], *r, -1, false);
  if (ctx.propagating) ctx.PropagateAs({"SET", std::string(args[1]), std::string(args[2])});
  if (old) return ctx.reply.SendBulk(*old);
  ctx.reply.SendNull();
}

void CmdMGet(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  ctx.reply.SendArrayLen(args.size() - 1);
  for (size_t i = 1; i < args.size(); ++i) {
    const Entry* e = db.FindRead(args[i]);
    if (e == nullptr || !e->value.IsString()) {
      ctx.reply.SendNull();
    } else {
      ctx.reply.SendBulk(e->value.AsString());
    }
  }
}

// MSET and MSETNX: an odd number of key/value arguments is an arity error.
bool CheckPairs(CmdArgs args, CommandContext& ctx) {
  if (args.size() % 2 == 0) {
    ctx.reply.SendError(WrongArityText(ctx.spec->name));
    return false;
  }
  return true;
}

void CmdMSet(CmdArgs args, CommandContext& ctx) {
  if (!CheckPairs(args, ctx)) return;
  Database& db = ctx.db();
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    bool created = false;
    StoreString(db, args[i], args[i + 1], false, &created);
    SetDone(ctx, args[i], args[i + 1], created, -1, false);
  }
  ctx.reply.SendOk();
}

void CmdMSetNx(CmdArgs args, CommandContext& ctx) {
  if (!CheckPairs(args, ctx)) return;
  Database& db = ctx.db();
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    if (db.FindWrite(args[i]) != nullptr) return ctx.reply.SendLong(0);
  }
  // The same key may appear twice (CVE-2023-28425): the later value simply wins.
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    bool created = false;
    StoreString(db, args[i], args[i + 1], false, &created);
    SetDone(ctx, args[i], args[i + 1], created, -1, false);
  }
  ctx.reply.SendLong(1);
}

void CmdAppend(CmdArgs args, CommandContext& ctx) {
  bool created = false;
  Result<int64_t> r =
      OpAppend(ctx.db(), args[1], args[2], ctx.config().proto_max_bulk_len, &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  ctx.KeyChanged(kNotifyString, "append", args[1]);
  ctx.reply.SendLong(*r);
}

void CmdStrLen(CmdArgs args, CommandContext& ctx) {
  Result<const Entry*> r = OpGetString(ctx.db(), args[1]);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r == nullptr ? 0 : static_cast<int64_t>((*r)->value.StringSize()));
}

void CmdGetRange(CmdArgs args, CommandContext& ctx) {
  ArgParser p(args, 2);
  const auto start = p.Next<int64_t>();
  const auto end = p.Next<int64_t>();
  if (p.SendErrorIfAny(ctx.reply)) return;
  Result<const Entry*> r = OpGetString(ctx.db(), args[1]);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendBulk("");
  std::string_view s = (*r)->value.AsString();
  auto [from, count] = RangeOf(start, end, s.size());
  ctx.reply.SendBulk(s.substr(from, count));
}

void CmdSetRange(CmdArgs args, CommandContext& ctx) {
  auto offset = ParseInt64(args[2]);
  if (!offset) return ctx.reply.SendError(kNotIntegerErr);
  if (*offset < 0) return ctx.reply.SendError("ERR offset is out of range");
  bool changed = false, created = false;
  Result<int64_t> r = OpSetRange(ctx.db(), args[1], *offset, args[3],
                                 ctx.config().proto_max_bulk_len, &changed, &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (changed) ctx.KeyChanged(kNotifyString, "setrange", args[1]);
  ctx.reply.SendLong(*r);
}

// The INCR family's common end: every variant emits "incrby", as Redis does.
void IncrBy(CommandContext& ctx, std::string_view key, int64_t delta) {
  bool created = false;
  Result<int64_t> r = OpIncrBy(ctx.db(), key, delta, &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", key);
  ctx.KeyChanged(kNotifyString, "incrby", key);
  ctx.reply.SendLong(*r);
}

void CmdIncr(CmdArgs args, CommandContext& ctx) { IncrBy(ctx, args[1], 1); }

void CmdDecr(CmdArgs args, CommandContext& ctx) { IncrBy(ctx, args[1], -1); }

void CmdIncrBy(CmdArgs args, CommandContext& ctx) {
  auto delta = ParseInt64(args[2]);
  if (!delta) return ctx.reply.SendError(kNotIntegerErr);
  IncrBy(ctx, args[1], *delta);
}

void CmdDecrBy(CmdArgs args, CommandContext& ctx) {
  auto delta = ParseInt64(args[2]);
  if (!delta) return ctx.reply.SendError(kNotIntegerErr);
  // -LLONG_MIN does not exist; Redis has a dedicated text for it.
  if (*delta == kInt64Min) return ctx.reply.SendError("ERR decrement would overflow");
  IncrBy(ctx, args[1], -*delta);
}

void CmdIncrByFloat(CmdArgs args, CommandContext& ctx) {
  bool created = false;
  Result<std::string> r = OpIncrByFloat(ctx.db(), args[1], args[2], &created);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  ctx.KeyChanged(kNotifyString, "incrbyfloat", args[1]);
  // The sum depends on float formatting: the AOF records the result.
  if (ctx.propagating) ctx.PropagateAs({"SET", std::string(args[1]), *r, "KEEPTTL"});
  ctx.reply.SendBulk(*r);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
void CmdLcs(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  const Entry* a = db.FindRead(args[1]);
  const Entry* b = db.FindRead(args[2]);
  if ((a != nullptr && !a->value.IsString()) || (b != nullptr && !b->value.IsString())) {
    return ctx.reply.SendError("ERR The specified keys must contain string values");
  }
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < args.size(); ++j) {
    std::string_view opt = args[j];
    if (EqualsNoCase(opt, "IDX")) {
      get_idx = true;
    } else if (EqualsNoCase(opt, "LEN")) {
      get_len = true;
    } else if (EqualsNoCase(opt, "WITHMATCHLEN")) {
      with_match_len = true;
    } else if (EqualsNoCase(opt, "MINMATCHLEN") && j + 1 < args.size()) {
      auto v = ParseInt64(args[++j]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      min_match_len = *v < 0 ? 0 : *v;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  if (get_idx && get_len) {
    return ctx.reply.SendError("ERR If you want both the length and indexes, please just use IDX.");
  }
  std::string_view sa = a ? a->value.AsString() : std::string_view{};
  std::string_view sb = b ? b->value.AsString() : std::string_view{};
  std::string error;
  Result<LcsResult> r = OpLcs(sa, sb, /*want_text=*/get_idx || !get_len, min_match_len,
                              ctx.config().proto_max_bulk_len, &error);
  if (!r.ok()) return ctx.reply.SendError(error);
  if (get_len) return ctx.reply.SendLong(static_cast<int64_t>(r->text.size()));
  if (!get_idx) return ctx.reply.SendBulk(r->text);
  ctx.reply.SendMapLen(2);
  ctx.reply.SendBulk("matches");
  ctx.reply.SendArrayLen(r->matches.size());
  for (const LcsMatch& m : r->matches) {
    ctx.reply.SendArrayLen(with_match_len ? 3 : 2);
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendLong(m.a_start);
    ctx.reply.SendLong(m.a_end);
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendLong(m.b_start);
    ctx.reply.SendLong(m.b_end);
    if (with_match_len) ctx.reply.SendLong(m.a_end - m.a_start + 1);
  }
  ctx.reply.SendBulk("len");
  ctx.reply.SendLong(static_cast<int64_t>(r->text.size()));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterStringFamily(CommandTable& t) {
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint64_t kS = kAclString;
  constexpr std::string_view kO1 = "O(1)";

  t.Register({.name = "get",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdGet,
              .doc = {"Returns the string value of a key.", "1.0.0", "string", kO1}});
  t.Register({.name = "set",
              .arity = -3,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdSet,
              .doc = {"Sets a key to a string value, with optional expiry and conditions.", "1.0.0",
                      "string", kO1}});
  t.Register({.name = "setnx",
              .arity = 3,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdSetNx,
              .doc = {"Sets a key only when it does not exist yet.", "1.0.0", "string", kO1}});
  t.Register({.name = "setex",
              .arity = 4,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdSetEx,
              .doc = {"Sets a key with a time to live in seconds.", "2.0.0", "string", kO1}});
  t.Register({.name = "psetex",
              .arity = 4,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdSetEx,
              .doc = {"Sets a key with a time to live in milliseconds.", "2.6.0", "string", kO1}});
  t.Register({.name = "getex",
              .arity = -2,
              .flags = kCmdWrite | kCmdFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdGetEx,
              .doc = {"Returns a string value and changes or removes its expiry.", "6.2.0",
                      "string", kO1}});
  t.Register({.name = "getdel",
              .arity = 2,
              .flags = kCmdWrite | kCmdFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdGetDel,
              .doc = {"Returns a string value and deletes the key.", "6.2.0", "string", kO1}});
  t.Register(
      {.name = "getset",
       .arity = 3,
       .flags = kWDF,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .acl_categories = kS,
       .handler = CmdGetSet,
       .doc = {"Sets a string value and returns the previous one.", "1.0.0", "string", kO1}});
  t.Register({.name = "mget",
              .arity = -2,
              .flags = kRF,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdMGet,
              .doc = {"Returns the values of several keys.", "1.0.0", "string", "O(N) for N keys"},
              .tips = "request_policy:multi_shard"});
  t.Register({.name = "mset",
              .arity = -3,
              .flags = kWD,
              .first_key = 1,
              .last_key = -1,
              .step = 2,
              .acl_categories = kS,
              .handler = CmdMSet,
              .doc = {"Sets several keys at once.", "1.0.1", "string", "O(N) for N keys"},
              .tips = "request_policy:multi_shard response_policy:all_succeeded"});
  t.Register({.name = "msetnx",
              .arity = -3,
              .flags = kWD,
              .first_key = 1,
              .last_key = -1,
              .step = 2,
              .acl_categories = kS,
              .handler = CmdMSetNx,
              .doc = {"Sets several keys only if none of them exists.", "1.0.1", "string",
                      "O(N) for N keys"},
              .tips = "request_policy:multi_shard response_policy:agg_min"});
  t.Register({.name = "append",
              .arity = 3,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdAppend,
              .doc = {"Appends bytes to a string value, creating it if needed.", "2.0.0", "string",
                      "O(1) amortised"}});
  t.Register({.name = "strlen",
              .arity = 2,
              .flags = kRF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdStrLen,
              .doc = {"Returns the length of a string value.", "2.2.0", "string", kO1}});
  t.Register({.name = "getrange",
              .arity = 4,
              .flags = kCmdReadOnly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdGetRange,
              .doc = {"Returns a substring of a string value.", "2.4.0", "string",
                      "O(N) for a substring of length N"}});
  t.Register({.name = "substr",
              .arity = 4,
              .flags = kCmdReadOnly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdGetRange,
              .doc = {"Returns a substring of a string value (old name of GETRANGE).", "1.0.0",
                      "string", "O(N) for a substring of length N"}});
  t.Register({.name = "setrange",
              .arity = 4,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdSetRange,
              .doc = {"Overwrites part of a string value from an offset, padding with zeros.",
                      "2.2.0", "string", "O(M) for M bytes written"}});
  t.Register({.name = "incr",
              .arity = 2,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdIncr,
              .doc = {"Adds one to an integer value.", "1.0.0", "string", kO1}});
  t.Register({.name = "decr",
              .arity = 2,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdDecr,
              .doc = {"Subtracts one from an integer value.", "1.0.0", "string", kO1}});
  t.Register({.name = "incrby",
              .arity = 3,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdIncrBy,
              .doc = {"Adds an integer to an integer value.", "1.0.0", "string", kO1}});
  t.Register({.name = "decrby",
              .arity = 3,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdDecrBy,
              .doc = {"Subtracts an integer from an integer value.", "1.0.0", "string", kO1}});
  t.Register({.name = "incrbyfloat",
              .arity = 3,
              .flags = kWDF,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdIncrByFloat,
              .doc = {"Adds a floating point number to a numeric value.", "2.6.0", "string", kO1}});
  t.Register({.name = "lcs",
              .arity = -3,
              .flags = kCmdReadOnly,
              .first_key = 1,
              .last_key = 2,
              .step = 1,
              .acl_categories = kS,
              .handler = CmdLcs,
              .doc = {"Finds the longest common subsequence of two string values.", "7.0.0",
                      "string", "O(N*M) for strings of lengths N and M"}});
}

}  // namespace gannet
