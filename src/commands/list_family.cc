// List commands: LPUSH ... LPOS, LMOVE, LMPOP and the blocking forms (BLPOP, BRPOP,
// BLMOVE, BRPOPLPUSH, BLMPOP). Keyspace operations come first, then the handlers, then
// the registration rows (as redis-server 7.0.15's COMMAND INFO).
//
// A list key exists only while the list has elements: every pop that empties one deletes
// the key. Clients block only on missing keys, so a push signals blocked clients
// (blocking.h) only when it creates the key, as Redis signals on key creation.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/list_object.h"

namespace gannet {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr std::string_view kRankZeroErr =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegativeErr = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegativeErr = "ERR MAXLEN can't be negative";
constexpr std::string_view kNumkeysErr = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountPositiveErr = "ERR count should be greater than 0";

enum class End : uint8_t { kHead, kTail };

// ---------------------------------------------------------------------------------------
// Keyspace operations

Result<Entry*> FindList(Database& db, std::string_view key, bool write) {
  Entry* e = write ? db.FindWrite(key) : db.FindRead(key);
  if (e != nullptr && e->value.type() != ValueType::kList) return OpStatus::kWrongType;
  return e;
}

ListObject* ListOf(const Entry* e) { return e->value.As<ListObject>(); }

// A new list takes list-max-listpack-size and list-compress-depth as they are now.
Entry* CreateList(Database& db, std::string_view key, const Config& config) {
  return db.Insert(key, Value::Object(ValueType::kList, Encoding::kQuicklist,
                                      std::make_unique<ListObject>(config.list_max_listpack_size,
                                                                   config.list_compress_depth)));
}

void Push(ListObject* l, End end, std::string_view s) {
  if (end == End::kHead) {
    l->PushFront(s);
  } else {
    l->PushBack(s);
  }
}

bool Pop(ListObject* l, End end, std::string* out) {
  return end == End::kHead ? l->PopFront(out) : l->PopBack(out);
}

// Deletes the key of a list that became empty.
void DropIfEmpty(Database& db, Entry* e) {
  if (ListOf(e)->empty()) db.Delete(e);
}

// The events of a pop of `n` elements from key (Redis's "lpop"/"rpop", then "del" when the
// list became empty); `emptied` is read before DropIfEmpty frees the entry.
void PopDone(CommandContext& ctx, std::string_view key, End end, uint64_t n, bool emptied) {
  ctx.KeyChanged(kNotifyList, end == End::kHead ? "lpop" : "rpop", key, n);
  if (emptied) ctx.Notify(kNotifyGeneric, "del", key);
}

// A served pop is recorded as the non-blocking [LR]POP (with the count LMPOP asked for).
void PropagatePop(CommandContext& ctx, std::string_view key, End end, int64_t count) {
  if (!ctx.propagating) return;
  std::vector<std::string> cmd{end == End::kHead ? "LPOP" : "RPOP", std::string(key)};
  if (count >= 0) cmd.push_back(std::to_string(count));
  ctx.PropagateAs(std::move(cmd));
}

void SendElement(ReplyBuilder& rb, const ListObject::Element& e) {
  if (e.is_int) {
    char buf[24];
    rb.SendBulk(e.ToString(buf));
  } else {
    rb.SendBulk(e.str);
  }
}

// LPUSH/RPUSH (x = the X forms). Returns the new length, 0 for X on a missing key.
Result<int64_t> OpPush(CommandContext& ctx, std::string_view key, CmdArgs values, End end, bool x) {
  Database& db = ctx.db();
  Result<Entry*> r = FindList(db, key, /*write=*/true);
  if (!r.ok()) return r.status();
  Entry* e = *r;
  bool created = false;
  if (e == nullptr) {
    if (x) return 0;
    e = CreateList(db, key, ctx.config());
    created = true;
    ctx.Notify(kNotifyNewKey, "new", key);
  }
  ListObject* l = ListOf(e);
  for (std::string_view v : values) Push(l, end, v);
  ctx.KeyChanged(kNotifyList, end == End::kHead ? "lpush" : "rpush", key, values.size());
  if (created) SignalKeyReady(ctx, key);
  return static_cast<int64_t>(l->size());
}

// LMOVE's body once the source is known to be a non-empty list. Returns false on a
// WRONGTYPE destination (nothing moved, the error sent).
bool MoveOne(CommandContext& ctx, Entry* src_entry, std::string_view src, std::string_view dst,
             End from, End to) {
  Database& db = ctx.db();
  Result<Entry*> d = FindList(db, dst, /*write=*/true);
  if (!d.ok()) {
    SendStatusError(ctx.reply, d.status());
    return false;
  }
  std::string value;
  Pop(ListOf(src_entry), from, &value);
  Entry* de = *d;
  // Events as Redis: the push to the destination (created first if needed), then the pop
  // from the source, then "del" when the source became empty. One change in all.
  const std::string_view push_event = to == End::kHead ? "lpush" : "rpush";
  bool emptied = false;
  if (src == dst) {
    // Rotation: the source entry is the destination; it cannot have become empty.
    Push(ListOf(src_entry), to, value);
    ctx.KeyChanged(kNotifyList, push_event, dst, 0);
  } else {
    emptied = ListOf(src_entry)->empty();
    DropIfEmpty(db, src_entry);
    bool created = false;
    if (de == nullptr) {
      de = CreateList(db, dst, ctx.config());
      created = true;
      ctx.Notify(kNotifyNewKey, "new", dst);
    }
    Push(ListOf(de), to, value);
    ctx.KeyChanged(kNotifyList, push_event, dst, 0);
    if (created) SignalKeyReady(ctx, dst);
  }
  PopDone(ctx, src, from, 1, emptied);
  ctx.reply.SendBulk(value);
  return true;
}

// ---------------------------------------------------------------------------------------
// Argument helpers

std::optional<End> ParseEnd(std::string_view s) {
  if (EqualsNoCase(s, "LEFT")) return End::kHead;
  if (EqualsNoCase(s, "RIGHT")) return End::kTail;
  return std::nullopt;
}

// Redis's LRANGE/LTRIM normalisation of [start, end] against len. False: empty range.
bool NormaliseRange(int64_t start, int64_t end, int64_t len, int64_t* from, int64_t* to) {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return false;
  if (end >= len) end = len - 1;
  *from = start;
  *to = end;
  return true;
}

// ---------------------------------------------------------------------------------------
// Handlers

void PushGeneric(CmdArgs args, CommandContext& ctx, End end, bool x) {
  Result<int64_t> r = OpPush(ctx, args[1], args.subspan(2), end, x);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r);
}

void CmdLPush(CmdArgs args, CommandContext& ctx) { PushGeneric(args, ctx, End::kHead, false); }
void CmdRPush(CmdArgs args, CommandContext& ctx) { PushGeneric(args, ctx, End::kTail, false); }
void CmdLPushX(CmdArgs args, CommandContext& ctx) { PushGeneric(args, ctx, End::kHead, true); }
void CmdRPushX(CmdArgs args, CommandContext& ctx) { PushGeneric(args, ctx, End::kTail, true); }

void PopGeneric(CmdArgs args, CommandContext& ctx, End end) {
  int64_t count = -1;  // -1: no count argument
  if (args.size() == 3) {
    auto c = ParseInt64(args[2]);
    if (!c || *c < 0) return ctx.reply.SendError(kPositiveErr);
    count = *c;
  } else if (args.size() > 3) {
    return ctx.reply.SendError(WrongArityText(ctx.spec->name));
  }
  Database& db = ctx.db();
  Result<Entry*> r = FindList(db, args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  Entry* e = *r;
  if (e == nullptr) {
    if (count < 0) return ctx.reply.SendNull();
    return ctx.reply.SendNullArray();
  }
  ListObject* l = ListOf(e);
  std::string value;
  size_t n = 1;
  if (count < 0) {
    Pop(l, end, &value);
    ctx.reply.SendBulk(value);
  } else {
    n = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(count), l->size()));
    ctx.reply.SendArrayLen(n);
    for (size_t i = 0; i < n; ++i) {
      Pop(l, end, &value);
      ctx.reply.SendBulk(value);
    }
  }
  if (n > 0) PopDone(ctx, args[1], end, n, l->empty());
  DropIfEmpty(db, e);
}

void CmdLPop(CmdArgs args, CommandContext& ctx) { PopGeneric(args, ctx, End::kHead); }
void CmdRPop(CmdArgs args, CommandContext& ctx) { PopGeneric(args, ctx, End::kTail); }

void CmdLLen(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r == nullptr ? 0 : static_cast<int64_t>(ListOf(*r)->size()));
}

void CmdLRange(CmdArgs args, CommandContext& ctx) {
  auto start = ParseInt64(args[2]);
  auto end = ParseInt64(args[3]);
  if (!start || !end) return ctx.reply.SendError(kNotIntegerErr);
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendEmptyArray();
  const ListObject* l = ListOf(*r);
  int64_t from = 0;
  int64_t to = 0;
  if (!NormaliseRange(*start, *end, static_cast<int64_t>(l->size()), &from, &to)) {
    return ctx.reply.SendEmptyArray();
  }
  size_t n = static_cast<size_t>(to - from + 1);
  ctx.reply.SendArrayLen(n);
  l->Visit(static_cast<size_t>(from), n, [&](const ListObject::Element& e) {
    SendElement(ctx.reply, e);
    return true;
  });
}

// LINDEX and LSET look the key up before parsing the index, as Redis does.
void CmdLIndex(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendNull();
  auto index = ParseInt64(args[2]);
  if (!index) return ctx.reply.SendError(kNotIntegerErr);
  const ListObject* l = ListOf(*r);
  int64_t i = *index;
  const int64_t len = static_cast<int64_t>(l->size());
  if (i < 0) i += len;
  if (i < 0 || i >= len) return ctx.reply.SendNull();
  l->Visit(static_cast<size_t>(i), 1, [&](const ListObject::Element& e) {
    SendElement(ctx.reply, e);
    return false;
  });
}

void CmdLSet(CmdArgs args, CommandContext& ctx) {
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendError(kNoSuchKeyErr);
  auto index = ParseInt64(args[2]);
  if (!index) return ctx.reply.SendError(kNotIntegerErr);
  ListObject* l = ListOf(*r);
  int64_t i = *index;
  const int64_t len = static_cast<int64_t>(l->size());
  if (i < 0) i += len;
  if (i < 0 || i >= len) return ctx.reply.SendError(kOutOfRangeErr);
  l->Set(static_cast<size_t>(i), args[3]);
  ctx.KeyChanged(kNotifyList, "lset", args[1]);
  ctx.reply.SendOk();
}

void CmdLInsert(CmdArgs args, CommandContext& ctx) {
  bool after;
  if (EqualsNoCase(args[2], "BEFORE")) {
    after = false;
  } else if (EqualsNoCase(args[2], "AFTER")) {
    after = true;
  } else {
    return ctx.reply.SendError(kSyntaxErr);
  }
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  ListObject* l = ListOf(*r);
  std::string_view pivot = args[3];
  size_t index = 0;
  bool found = false;
  l->Visit(0, l->size(), [&](const ListObject::Element& e) {
    if (e.Equals(pivot)) {
      found = true;
      return false;
    }
    ++index;
    return true;
  });
  if (!found) return ctx.reply.SendLong(-1);
  l->InsertAt(after ? index + 1 : index, args[4]);
  ctx.KeyChanged(kNotifyList, "linsert", args[1]);
  ctx.reply.SendLong(static_cast<int64_t>(l->size()));
}

void CmdLRem(CmdArgs args, CommandContext& ctx) {
  auto count = ParseInt64(args[2]);
  if (!count) return ctx.reply.SendError(kNotIntegerErr);
  Database& db = ctx.db();
  Result<Entry*> r = FindList(db, args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  size_t removed = ListOf(*r)->Remove(args[3], *count);
  if (removed > 0) {
    ctx.KeyChanged(kNotifyList, "lrem", args[1], removed);
    if (ListOf(*r)->empty()) ctx.Notify(kNotifyGeneric, "del", args[1]);
  }
  DropIfEmpty(db, *r);
  ctx.reply.SendLong(static_cast<int64_t>(removed));
}

void CmdLTrim(CmdArgs args, CommandContext& ctx) {
  auto start = ParseInt64(args[2]);
  auto end = ParseInt64(args[3]);
  if (!start || !end) return ctx.reply.SendError(kNotIntegerErr);
  Database& db = ctx.db();
  Result<Entry*> r = FindList(db, args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendOk();
  ListObject* l = ListOf(*r);
  const int64_t len = static_cast<int64_t>(l->size());
  int64_t from = 0;
  int64_t to = 0;
  if (!NormaliseRange(*start, *end, len, &from, &to)) {
    l->Erase(0, l->size());
  } else {
    l->Erase(static_cast<size_t>(to + 1), static_cast<size_t>(len - to - 1));
    l->Erase(0, static_cast<size_t>(from));
  }
  // Redis emits "ltrim" even when nothing was trimmed, counting one change per element
  // removed (none: not recorded in the AOF).
  ctx.KeyChanged(kNotifyList, "ltrim", args[1], static_cast<uint64_t>(len) - l->size());
  if (l->empty()) ctx.Notify(kNotifyGeneric, "del", args[1]);
  DropIfEmpty(db, *r);
  ctx.reply.SendOk();
}

void CmdLPos(CmdArgs args, CommandContext& ctx) {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT (single reply)
  int64_t maxlen = 0;
  for (size_t i = 3; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return ctx.reply.SendError(kSyntaxErr);
    std::string_view opt = args[i];
    auto v = ParseInt64(args[i + 1]);
    if (EqualsNoCase(opt, "RANK")) {
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      if (*v == 0) return ctx.reply.SendError(kRankZeroErr);
      rank = *v;
    } else if (EqualsNoCase(opt, "COUNT")) {
      // Redis gives the "negative" text for a non-integer too.
      if (!v || *v < 0) return ctx.reply.SendError(kCountNegativeErr);
      count = *v;
    } else if (EqualsNoCase(opt, "MAXLEN")) {
      if (!v || *v < 0) return ctx.reply.SendError(kMaxlenNegativeErr);
      maxlen = *v;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  Result<Entry*> r = FindList(ctx.db(), args[1], /*write=*/false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) {
    if (count >= 0) return ctx.reply.SendEmptyArray();
    return ctx.reply.SendNull();
  }
  const ListObject* l = ListOf(*r);
  const bool from_tail = rank < 0;
  // Redis negates LLONG_MIN into itself and then counts every match: like RANK -1.
  const uint64_t skip = rank == kInt64Min ? 0
                        : rank < 0        ? static_cast<uint64_t>(-rank) - 1
                                          : static_cast<uint64_t>(rank) - 1;
  const uint64_t want = count < 0 ? 1 : (count == 0 ? UINT64_MAX : static_cast<uint64_t>(count));
  const size_t len = l->size();
  const size_t scan = maxlen == 0 ? len : std::min<uint64_t>(static_cast<uint64_t>(maxlen), len);
  std::vector<int64_t> found;
  uint64_t matches = 0;
  size_t idx = from_tail ? len - 1 : 0;
  auto visit = [&](const ListObject::Element& e) {
    if (e.Equals(args[2])) {
      if (matches++ >= skip) found.push_back(static_cast<int64_t>(idx));
    }
    idx = from_tail ? idx - 1 : idx + 1;
    return found.size() < want;
  };
  if (from_tail) {
    l->VisitReverse(len - 1, scan, visit);
  } else {
    l->Visit(0, scan, visit);
  }
  if (count < 0) {
    if (found.empty()) return ctx.reply.SendNull();
    return ctx.reply.SendLong(found[0]);
  }
  ctx.reply.SendArrayLen(found.size());
  for (int64_t i : found) ctx.reply.SendLong(i);
}

// LMOVE/RPOPLPUSH and their blocking forms. deadline < 0: not blocking.
void MoveGeneric(CmdArgs args, CommandContext& ctx, End from, End to, bool blocking,
                 int64_t deadline) {
  Database& db = ctx.db();
  Result<Entry*> r = FindList(db, args[1], /*write=*/true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) {
    // Inside MULTI/EXEC or a script BLMOVE answers as LMOVE does (a null bulk), unlike the
    // other blocking commands' null array.
    if (!blocking || ctx.cannot_block) return ctx.reply.SendNull();
    BlockSpec spec;
    spec.keys = args.subspan(1, 1);
    spec.deadline_ms = deadline;
    spec.type = ValueType::kList;
    return BlockClient(ctx, spec);
  }
  if (MoveOne(ctx, *r, args[1], args[2], from, to) && blocking && ctx.propagating) {
    // Served at once or on a re-run: recorded as the non-blocking form.
    if (args.size() == 6) {
      // Redis writes a served client's directions as its shared "left"/"right" objects,
      // and an immediate one's as the client sent them.
      auto where = [&](size_t i, End end) {
        return ctx.rerun ? std::string(end == End::kHead ? "left" : "right") : std::string(args[i]);
      };
      ctx.PropagateAs(
          {"LMOVE", std::string(args[1]), std::string(args[2]), where(3, from), where(4, to)});
    } else {
      ctx.PropagateAs({"RPOPLPUSH", std::string(args[1]), std::string(args[2])});
    }
  }
}

void CmdLMove(CmdArgs args, CommandContext& ctx) {
  auto from = ParseEnd(args[3]);
  auto to = ParseEnd(args[4]);
  if (!from || !to) return ctx.reply.SendError(kSyntaxErr);
  MoveGeneric(args, ctx, *from, *to, false, 0);
}

void CmdRPopLPush(CmdArgs args, CommandContext& ctx) {
  MoveGeneric(args, ctx, End::kTail, End::kHead, false, 0);
}

void CmdBLMove(CmdArgs args, CommandContext& ctx) {
  auto from = ParseEnd(args[3]);
  auto to = ParseEnd(args[4]);
  if (!from || !to) return ctx.reply.SendError(kSyntaxErr);
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args[5], TimeoutUnit::kSeconds, &deadline)) return;
  MoveGeneric(args, ctx, *from, *to, true, deadline);
}

void CmdBRPopLPush(CmdArgs args, CommandContext& ctx) {
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args[3], TimeoutUnit::kSeconds, &deadline)) return;
  MoveGeneric(args, ctx, End::kTail, End::kHead, true, deadline);
}

// BLPOP/BRPOP: the first non-empty key in argument order serves.
void BlockingPop(CmdArgs args, CommandContext& ctx, End end) {
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args.back(), TimeoutUnit::kSeconds, &deadline)) return;
  Database& db = ctx.db();
  CmdArgs keys = args.subspan(1, args.size() - 2);
  const std::string_view* ready = ReadyKey(ctx);
  for (std::string_view key : keys) {
    if (ready != nullptr && key != *ready) continue;  // a re-run serves from its ready key
    Result<Entry*> r = FindList(db, key, /*write=*/true);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) continue;
    std::string value;
    Pop(ListOf(*r), end, &value);
    PopDone(ctx, key, end, 1, ListOf(*r)->empty());
    PropagatePop(ctx, key, end, -1);
    DropIfEmpty(db, *r);
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk(key);
    ctx.reply.SendBulk(value);
    return;
  }
  BlockSpec spec;
  spec.keys = keys;
  spec.deadline_ms = deadline;
  spec.type = ValueType::kList;
  BlockClient(ctx, spec);
}

void CmdBLPop(CmdArgs args, CommandContext& ctx) { BlockingPop(args, ctx, End::kHead); }
void CmdBRPop(CmdArgs args, CommandContext& ctx) { BlockingPop(args, ctx, End::kTail); }

// LMPOP numkeys key... LEFT|RIGHT [COUNT n]; BLMPOP has the timeout first.
void MPopGeneric(CmdArgs args, CommandContext& ctx, size_t numkeys_idx, bool blocking,
                 int64_t deadline) {
  auto nk = ParseInt64(args[numkeys_idx]);
  if (!nk || *nk <= 0) return ctx.reply.SendError(kNumkeysErr);
  const size_t first_key = numkeys_idx + 1;
  if (static_cast<uint64_t>(*nk) >= args.size() - first_key) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  const size_t numkeys = static_cast<size_t>(*nk);
  const size_t where_idx = first_key + numkeys;
  auto end = ParseEnd(args[where_idx]);
  if (!end) return ctx.reply.SendError(kSyntaxErr);
  int64_t count = -1;
  for (size_t i = where_idx + 1; i < args.size(); ++i) {
    if (count == -1 && EqualsNoCase(args[i], "COUNT") && i + 1 < args.size()) {
      auto c = ParseInt64(args[i + 1]);
      if (!c || *c <= 0) return ctx.reply.SendError(kCountPositiveErr);
      count = *c;
      ++i;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  if (count == -1) count = 1;
  Database& db = ctx.db();
  CmdArgs keys = args.subspan(first_key, numkeys);
  const std::string_view* ready = ReadyKey(ctx);
  for (std::string_view key : keys) {
    if (ready != nullptr && key != *ready) continue;  // a re-run serves from its ready key
    Result<Entry*> r = FindList(db, key, /*write=*/true);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) continue;
    ListObject* l = ListOf(*r);
    size_t n = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(count), l->size()));
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk(key);
    ctx.reply.SendArrayLen(n);
    std::string value;
    for (size_t i = 0; i < n; ++i) {
      Pop(l, *end, &value);
      ctx.reply.SendBulk(value);
    }
    PopDone(ctx, key, *end, n, l->empty());
    PropagatePop(ctx, key, *end, static_cast<int64_t>(n));
    DropIfEmpty(db, *r);
    return;
  }
  if (!blocking) return ctx.reply.SendNullArray();
  BlockSpec spec;
  spec.keys = keys;
  spec.deadline_ms = deadline;
  spec.type = ValueType::kList;
  BlockClient(ctx, spec);
}

void CmdLMPop(CmdArgs args, CommandContext& ctx) { MPopGeneric(args, ctx, 1, false, 0); }

void CmdBLMPop(CmdArgs args, CommandContext& ctx) {
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args[1], TimeoutUnit::kSeconds, &deadline)) return;
  MPopGeneric(args, ctx, 2, true, deadline);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration (rows as redis-server 7.0.15's COMMAND INFO)

void RegisterListFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint32_t kBlk = kCmdBlocking;
  constexpr uint32_t kNs = kCmdNoScript;

  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first, last, step;
    CommandHandler handler;
    std::string_view summary, since, complexity;
  };
  const Row rows[] = {
      {"lpush", -3, kWDF, 1, 1, 1, CmdLPush, "Prepends one or more elements to a list.", "1.0.0",
       "O(1) for each element added"},
      {"rpush", -3, kWDF, 1, 1, 1, CmdRPush, "Appends one or more elements to a list.", "1.0.0",
       "O(1) for each element added"},
      {"lpushx", -3, kWDF, 1, 1, 1, CmdLPushX,
       "Prepends one or more elements to a list only when the list exists.", "2.2.0",
       "O(1) for each element added"},
      {"rpushx", -3, kWDF, 1, 1, 1, CmdRPushX,
       "Appends an element to a list only when the list exists.", "2.2.0",
       "O(1) for each element added"},
      {"lpop", -2, kWF, 1, 1, 1, CmdLPop, "Returns the first elements in a list after removing it.",
       "1.0.0", "O(N) where N is the number of elements returned"},
      {"rpop", -2, kWF, 1, 1, 1, CmdRPop, "Returns and removes the last elements of a list.",
       "1.0.0", "O(N) where N is the number of elements returned"},
      {"llen", 2, kRF, 1, 1, 1, CmdLLen, "Returns the length of a list.", "1.0.0", "O(1)"},
      {"lrange", 4, kR, 1, 1, 1, CmdLRange, "Returns a range of elements from a list.", "1.0.0",
       "O(S+N)"},
      {"lindex", 3, kR, 1, 1, 1, CmdLIndex, "Returns an element from a list by its index.", "1.0.0",
       "O(N)"},
      {"lset", 4, kWD, 1, 1, 1, CmdLSet, "Sets the value of an element in a list by its index.",
       "1.0.0", "O(N)"},
      {"linsert", 5, kWD, 1, 1, 1, CmdLInsert,
       "Inserts an element before or after another element in a list.", "2.2.0", "O(N)"},
      {"lrem", 4, kW, 1, 1, 1, CmdLRem, "Removes elements from a list.", "1.0.0", "O(N+M)"},
      {"ltrim", 4, kW, 1, 1, 1, CmdLTrim,
       "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
       "1.0.0", "O(N)"},
      {"lpos", -3, kR, 1, 1, 1, CmdLPos, "Returns the index of matching elements in a list.",
       "6.0.6", "O(N)"},
      {"lmove", 5, kWD, 1, 2, 1, CmdLMove,
       "Returns an element after popping it from one list and pushing it to another.", "6.2.0",
       "O(1)"},
      {"rpoplpush", 3, kWD, 1, 2, 1, CmdRPopLPush,
       "Returns the last element of a list after removing and pushing it to another list.", "1.2.0",
       "O(1)"},
      {"lmpop", -4, kW | kCmdMovableKeys, 0, 0, 0, CmdLMPop,
       "Returns multiple elements from a list after removing them.", "7.0.0", "O(N+M)"},
      {"blpop", -3, kW | kNs | kBlk, 1, -2, 1, CmdBLPop,
       "Removes and returns the first element in a list. Blocks until an element is available "
       "otherwise.",
       "2.0.0", "O(N)"},
      {"brpop", -3, kW | kNs | kBlk, 1, -2, 1, CmdBRPop,
       "Removes and returns the last element in a list. Blocks until an element is available "
       "otherwise.",
       "2.0.0", "O(N)"},
      {"blmove", 6, kWD | kNs | kBlk, 1, 2, 1, CmdBLMove,
       "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
       "element is available otherwise.",
       "6.2.0", "O(1)"},
      {"brpoplpush", 4, kWD | kNs | kBlk, 1, 2, 1, CmdBRPopLPush,
       "Pops an element from a list, pushes it to another list and returns it. Block until an "
       "element is available otherwise.",
       "2.2.0", "O(1)"},
      {"blmpop", -5, kW | kBlk | kCmdMovableKeys, 0, 0, 0, CmdBLMPop,
       "Pops the first element from one of multiple lists. Blocks until an element is available "
       "otherwise.",
       "7.0.0", "O(N+M)"},
  };
  for (const Row& r : rows) {
    uint64_t acl = kAclList;
    if (r.flags & kCmdBlocking) acl |= kAclBlocking;
    t.Register({.name = r.name,
                .arity = r.arity,
                .flags = r.flags,
                .first_key = r.first,
                .last_key = r.last,
                .step = r.step,
                .acl_categories = acl,
                .handler = r.handler,
                .doc = {r.summary, r.since, "list", r.complexity}});
  }
}

}  // namespace gannet
