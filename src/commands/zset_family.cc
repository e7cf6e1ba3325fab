// The sorted-set commands: ZADD/ZINCRBY, the score and rank reads, every ZRANGE form and
// ZRANGESTORE, the ZREMRANGEBY* removals, the pops (ZPOPMIN/ZPOPMAX/ZMPOP), ZRANDMEMBER,
// the set algebra (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD), ZSCAN and the
// blocking pops BZPOPMIN/BZPOPMAX/BZMPOP (src/commands/blocking.h). Every write that can
// leave a non-empty sorted set at a key signals it so blocked clients get served.
// Keyspace operations come first, then the handlers that parse and reply, then
// RegisterZSetFamily.
//
// Replies follow Redis 7.0: scores are doubles (%.17g bulk strings in RESP2, ',' doubles
// in RESP3), and in RESP3 a WITHSCORES reply is an array of [member, score] pairs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/zset_object.h"
#include "scan_args.h"

namespace gannet {

namespace {

constexpr std::string_view kMinMaxNotFloatErr = "ERR min or max is not a float";
constexpr std::string_view kLexRangeErr = "ERR min or max not valid string range item";
constexpr std::string_view kNanScoreErr = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kXxNxErr = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kGtLtNxErr =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kIncrPairErr =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kLimitRankErr =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kWithScoresLexErr =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kWeightErr = "ERR weight value is not a float";
constexpr std::string_view kLimitNegativeErr = "ERR LIMIT can't be negative";
constexpr std::string_view kNumkeysErr = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountPositiveErr = "ERR count should be greater than 0";
constexpr std::string_view kRandRangeErr =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";
constexpr std::string_view kRangeErr = "ERR value is out of range";

using Item = std::pair<std::string, double>;

ZSetObject::Limits LimitsOf(const CommandContext& ctx) {
  const Config& c = ctx.config();
  return {static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
          static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
}

ZSetObject* ZOf(const Entry* e) { return e->value.As<ZSetObject>(); }

// The sorted set at key for a read: nullptr when missing.
Result<Entry*> FindZSet(Database& db, std::string_view key, bool write) {
  Entry* e = write ? db.FindWrite(key) : db.FindRead(key);
  if (e != nullptr && e->value.type() != ValueType::kZSet) return OpStatus::kWrongType;
  return e;
}

// Keeps the Value's encoding label in step after a change, and deletes an emptied key.
void AfterWrite(Database& db, Entry* e) {
  ZSetObject* z = ZOf(e);
  if (z->empty()) {
    db.Delete(e);
    return;
  }
  e->value.set_encoding(z->encoding());
}

// Replaces dst with the result set (or deletes dst when the result is empty). Returns
// the stored cardinality. The result shrinks to a listpack when it fits, as Redis does.
// Events as Redis: `event` ("new" first when dst did not exist), or "del" when an empty
// result removed dst; one change either way.
int64_t StoreResult(CommandContext& ctx, std::string_view dst, std::unique_ptr<ZSetObject> z,
                    const ZSetObject::Limits& limits, std::string_view event) {
  Database& db = ctx.db();
  if (z == nullptr || z->empty()) {
    if (db.Delete(dst)) ctx.KeyChanged(kNotifyGeneric, "del", dst);
    return 0;
  }
  z->ShrinkIfFits(limits);
  const auto n = static_cast<int64_t>(z->size());
  Value v = Value::Object(std::move(*z));
  const bool existed = db.Delete(dst);
  db.Insert(dst, std::move(v));
  if (!existed) ctx.Notify(kNotifyNewKey, "new", dst);
  ctx.KeyChanged(kNotifyZSet, event, dst);
  return n;
}

// Builds a new set from items (members unique) in the big encoding, as Redis builds a store
// result as a skiplist (StoreResult then shrinks it to a listpack when it fits; building in
// a listpack first would turn a -0 score into 0 where Redis keeps it).
std::unique_ptr<ZSetObject> BuildZSet(const std::vector<Item>& items,
                                      const ZSetObject::Limits& limits) {
  auto z = std::make_unique<ZSetObject>(/*big=*/true);
  for (const auto& [m, s] : items) z->Insert(m, s, limits);
  return z;
}

// ---------------------------------------------------------------------------------------
// Reply helpers

void SendScore(ReplyBuilder& rb, double s) { rb.SendDouble(s); }

// A list of members, with scores when asked: flat in RESP2, [member, score] pairs in RESP3.
void SendItems(ReplyBuilder& rb, const std::vector<Item>& items, bool withscores) {
  if (!withscores) {
    rb.SendArrayLen(items.size());
    for (const auto& it : items) rb.SendBulk(it.first);
    return;
  }
  if (rb.resp3()) {
    rb.SendArrayLen(items.size());
    for (const auto& it : items) {
      rb.SendArrayLen(2);
      rb.SendBulk(it.first);
      SendScore(rb, it.second);
    }
    return;
  }
  rb.SendArrayLen(items.size() * 2);
  for (const auto& it : items) {
    rb.SendBulk(it.first);
    SendScore(rb, it.second);
  }
}

// ---------------------------------------------------------------------------------------
// ZADD / ZINCRBY

struct ZAddParams {
  int flags = 0;
  bool ch = false;
};

struct ZAddOutcome {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;
  double last_score = 0;
};

Result<ZAddOutcome> OpZAdd(CommandContext& ctx, std::string_view key, const ZAddParams& p,
                           const std::vector<std::pair<double, std::string_view>>& pairs) {
  Database& db = ctx.db();
  auto found = FindZSet(db, key, true);
  if (!found.ok()) return found.status();
  Entry* e = *found;
  const ZSetObject::Limits limits = LimitsOf(ctx);
  ZAddOutcome out;
  if (e == nullptr) {
    if (p.flags & ZSetObject::kXx) return out;
    e = db.Insert(key, Value::Object(ZSetObject(limits, pairs.front().second.size())));
    ctx.Notify(kNotifyNewKey, "new", key);
  }
  ZSetObject* z = ZOf(e);
  OpStatus status = OpStatus::kOk;
  for (const auto& [score, member] : pairs) {
    auto r = z->Add(member, score, p.flags, limits);
    using O = ZSetObject::AddOutcome;
    if (r.outcome == O::kNaN) {
      status = OpStatus::kNanOrInfinity;
      break;
    }
    if (r.outcome == O::kAdded) ++out.added;
    if (r.outcome == O::kUpdated) ++out.updated;
    if (r.outcome != O::kSkipped) {
      ++out.processed;
      out.last_score = r.score;
    }
  }
  // One change per member added or updated (Redis's zaddGenericCommand), also when a
  // later pair failed.
  if (out.added + out.updated > 0) {
    ctx.KeyChanged(kNotifyZSet, (p.flags & ZSetObject::kIncr) ? "zincr" : "zadd", key,
                   static_cast<uint64_t>(out.added + out.updated));
  }
  AfterWrite(db, e);
  if (out.added > 0) SignalKeyReady(ctx, key);
  if (status != OpStatus::kOk) return status;
  return out;
}

void CmdZAdd(CmdArgs args, CommandContext& ctx) {
  ZAddParams p;
  size_t i = 2;
  for (; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (EqualsNoCase(a, "NX")) {
      p.flags |= ZSetObject::kNx;
    } else if (EqualsNoCase(a, "XX")) {
      p.flags |= ZSetObject::kXx;
    } else if (EqualsNoCase(a, "GT")) {
      p.flags |= ZSetObject::kGt;
    } else if (EqualsNoCase(a, "LT")) {
      p.flags |= ZSetObject::kLt;
    } else if (EqualsNoCase(a, "CH")) {
      p.ch = true;
    } else if (EqualsNoCase(a, "INCR")) {
      p.flags |= ZSetObject::kIncr;
    } else {
      break;
    }
  }
  const size_t elements = args.size() - i;
  if (elements == 0 || elements % 2 != 0) return ctx.reply.SendError(kSyntaxErr);
  const int f = p.flags;
  if ((f & ZSetObject::kNx) && (f & ZSetObject::kXx)) return ctx.reply.SendError(kXxNxErr);
  if (((f & ZSetObject::kGt) && (f & ZSetObject::kNx)) ||
      ((f & ZSetObject::kLt) && (f & ZSetObject::kNx)) ||
      ((f & ZSetObject::kGt) && (f & ZSetObject::kLt))) {
    return ctx.reply.SendError(kGtLtNxErr);
  }
  const bool incr = f & ZSetObject::kIncr;
  if (incr && elements > 2) return ctx.reply.SendError(kIncrPairErr);
  std::vector<std::pair<double, std::string_view>> pairs;
  pairs.reserve(elements / 2);
  for (size_t j = i; j < args.size(); j += 2) {
    auto s = ParseDouble(args[j]);
    if (!s) return ctx.reply.SendError(kNotFloatErr);
    pairs.emplace_back(*s, args[j + 1]);
  }
  auto r = OpZAdd(ctx, args[1], p, pairs);
  if (r.status() == OpStatus::kNanOrInfinity) return ctx.reply.SendError(kNanScoreErr);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (incr) {
    if (r->processed > 0) {
      SendScore(ctx.reply, r->last_score);
    } else {
      ctx.reply.SendNull();
    }
    return;
  }
  ctx.reply.SendLong(p.ch ? r->added + r->updated : r->added);
}

void CmdZIncrBy(CmdArgs args, CommandContext& ctx) {
  auto s = ParseDouble(args[2]);
  if (!s) return ctx.reply.SendError(kNotFloatErr);
  ZAddParams p;
  p.flags = ZSetObject::kIncr;
  auto r = OpZAdd(ctx, args[1], p, {{*s, args[3]}});
  if (r.status() == OpStatus::kNanOrInfinity) return ctx.reply.SendError(kNanScoreErr);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  SendScore(ctx.reply, r->last_score);
}

// ---------------------------------------------------------------------------------------
// Simple reads and ZREM

void CmdZCard(CmdArgs args, CommandContext& ctx) {
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r == nullptr ? 0 : static_cast<int64_t>(ZOf(*r)->size()));
}

void CmdZScore(CmdArgs args, CommandContext& ctx) {
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  std::optional<double> s;
  if (*r != nullptr) s = ZOf(*r)->Score(args[2]);
  if (!s) return ctx.reply.SendNull();
  SendScore(ctx.reply, *s);
}

void CmdZMScore(CmdArgs args, CommandContext& ctx) {
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendArrayLen(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    std::optional<double> s;
    if (*r != nullptr) s = ZOf(*r)->Score(args[i]);
    if (s) {
      SendScore(ctx.reply, *s);
    } else {
      ctx.reply.SendNull();
    }
  }
}

void CmdZRank(CmdArgs args, CommandContext& ctx) {
  const bool reverse = EqualsNoCase(args[0], "zrevrank");
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  std::optional<size_t> rank;
  if (*r != nullptr) rank = ZOf(*r)->Rank(args[2], reverse);
  if (!rank) return ctx.reply.SendNull();
  ctx.reply.SendLong(static_cast<int64_t>(*rank));
}

void CmdZRem(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  auto r = FindZSet(db, args[1], true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  int64_t removed = 0;
  ZSetObject* z = ZOf(*r);
  for (size_t i = 2; i < args.size(); ++i) {
    if (z->Remove(args[i])) ++removed;
    if (z->empty()) break;
  }
  if (removed > 0) {
    ctx.KeyChanged(kNotifyZSet, "zrem", args[1], static_cast<uint64_t>(removed));
    if (z->empty()) ctx.Notify(kNotifyGeneric, "del", args[1]);
  }
  AfterWrite(db, *r);
  ctx.reply.SendLong(removed);
}

void CmdZCount(CmdArgs args, CommandContext& ctx) {
  auto range = ParseZScoreRange(args[2], args[3]);
  if (!range) return ctx.reply.SendError(kMinMaxNotFloatErr);
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  auto [b, e] = ZOf(*r)->ScoreRangeRanks(*range);
  ctx.reply.SendLong(static_cast<int64_t>(e - b));
}

void CmdZLexCount(CmdArgs args, CommandContext& ctx) {
  auto range = ParseZLexRange(args[2], args[3]);
  if (!range) return ctx.reply.SendError(kLexRangeErr);
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  auto [b, e] = ZOf(*r)->LexRangeRanks(*range);
  ctx.reply.SendLong(static_cast<int64_t>(e - b));
}

// ---------------------------------------------------------------------------------------
// ZRANGE and its relatives

enum class RangeType : uint8_t { kAuto, kRank, kScore, kLex };
enum class Direction : uint8_t { kAuto, kForward, kReverse };

struct RangeRequest {
  RangeType type = RangeType::kAuto;
  Direction dir = Direction::kAuto;
  bool withscores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  int64_t start = 0;
  int64_t end = 0;
  ZScoreRange score;
  ZLexRange lex;
};

// Resolves req against z: the rank interval [b, e) and the order to read it in, after
// LIMIT. Returns false when the result is empty.
bool ResolveRange(const ZSetObject& z, const RangeRequest& req, size_t* b, size_t* e,
                  bool* reverse) {
  const auto len = static_cast<int64_t>(z.size());
  *reverse = req.dir == Direction::kReverse;
  if (req.type == RangeType::kRank) {
    int64_t start = req.start;
    int64_t end = req.end;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return false;
    if (end >= len) end = len - 1;
    // REV counts ranks from the top.
    if (*reverse) {
      *b = static_cast<size_t>(len - 1 - end);
      *e = static_cast<size_t>(len - start);
    } else {
      *b = static_cast<size_t>(start);
      *e = static_cast<size_t>(end + 1);
    }
    return true;
  }
  auto [lo, hi] = req.type == RangeType::kScore ? z.ScoreRangeRanks(req.score)
                                                : z.LexRangeRanks(req.lex, *reverse);
  if (req.offset < 0 || lo >= hi) return false;
  const size_t n = hi - lo;
  const auto off = static_cast<uint64_t>(req.offset);
  if (off >= n) return false;
  size_t take = n - off;
  if (req.limit >= 0) take = std::min<uint64_t>(take, static_cast<uint64_t>(req.limit));
  if (take == 0) return false;
  if (*reverse) {
    *e = hi - off;
    *b = *e - take;
  } else {
    *b = lo + off;
    *e = *b + take;
  }
  return true;
}

std::vector<Item> CollectRange(const ZSetObject& z, const RangeRequest& req) {
  std::vector<Item> out;
  size_t b = 0;
  size_t e = 0;
  bool reverse = false;
  if (!ResolveRange(z, req, &b, &e, &reverse)) return out;
  out.reserve(e - b);
  z.ForEachInRanks(b, e, reverse,
                   [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
  return out;
}

// Parses a ZRANGE-family request. key_pos is the source key index; min and max follow.
// Sends an error and returns false on failure.
bool ParseRange(CmdArgs args, size_t key_pos, bool store, RangeRequest* req, ReplyBuilder& rb) {
  for (size_t j = key_pos + 3; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    const std::string_view a = args[j];
    if (!store && EqualsNoCase(a, "WITHSCORES")) {
      req->withscores = true;
    } else if (EqualsNoCase(a, "LIMIT") && left >= 2) {
      auto off = ParseInt64(args[j + 1]);
      auto lim = off ? ParseInt64(args[j + 2]) : std::nullopt;
      if (!off || !lim) {
        rb.SendError(kNotIntegerErr);
        return false;
      }
      req->offset = *off;
      req->limit = *lim;
      j += 2;
    } else if (req->dir == Direction::kAuto && EqualsNoCase(a, "REV")) {
      req->dir = Direction::kReverse;
    } else if (req->type == RangeType::kAuto && EqualsNoCase(a, "BYLEX")) {
      req->type = RangeType::kLex;
    } else if (req->type == RangeType::kAuto && EqualsNoCase(a, "BYSCORE")) {
      req->type = RangeType::kScore;
    } else {
      rb.SendError(kSyntaxErr);
      return false;
    }
  }
  if (req->dir == Direction::kAuto) req->dir = Direction::kForward;
  if (req->type == RangeType::kAuto) req->type = RangeType::kRank;
  if (req->limit != -1 && req->type == RangeType::kRank) {
    rb.SendError(kLimitRankErr);
    return false;
  }
  if (req->withscores && req->type == RangeType::kLex) {
    rb.SendError(kWithScoresLexErr);
    return false;
  }
  std::string_view min = args[key_pos + 1];
  std::string_view max = args[key_pos + 2];
  if (req->dir == Direction::kReverse &&
      (req->type == RangeType::kScore || req->type == RangeType::kLex)) {
    std::swap(min, max);
  }
  switch (req->type) {
    case RangeType::kRank: {
      auto s = ParseInt64(min);
      auto e = s ? ParseInt64(max) : std::nullopt;
      if (!s || !e) {
        rb.SendError(kNotIntegerErr);
        return false;
      }
      req->start = *s;
      req->end = *e;
      break;
    }
    case RangeType::kScore: {
      auto r = ParseZScoreRange(min, max);
      if (!r) {
        rb.SendError(kMinMaxNotFloatErr);
        return false;
      }
      req->score = *r;
      break;
    }
    case RangeType::kLex: {
      auto r = ParseZLexRange(min, max);
      if (!r) {
        rb.SendError(kLexRangeErr);
        return false;
      }
      req->lex = *r;
      break;
    }
    case RangeType::kAuto:
      break;
  }
  return true;
}

void RangeCommand(CmdArgs args, CommandContext& ctx, RangeType type, Direction dir) {
  RangeRequest req;
  req.type = type;
  req.dir = dir;
  if (!ParseRange(args, 1, false, &req, ctx.reply)) return;
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendEmptyArray();
  SendItems(ctx.reply, CollectRange(*ZOf(*r), req), req.withscores);
}

void CmdZRange(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kAuto, Direction::kAuto);
}
void CmdZRevRange(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kRank, Direction::kReverse);
}
void CmdZRangeByScore(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CmdArgs args, CommandContext& ctx) {
  RangeCommand(args, ctx, RangeType::kLex, Direction::kReverse);
}

void CmdZRangeStore(CmdArgs args, CommandContext& ctx) {
  RangeRequest req;
  if (!ParseRange(args, 2, true, &req, ctx.reply)) return;
  Database& db = ctx.db();
  auto r = FindZSet(db, args[2], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  std::vector<Item> items;
  if (*r != nullptr) items = CollectRange(*ZOf(*r), req);
  const auto limits = LimitsOf(ctx);
  const int64_t n = StoreResult(ctx, args[1], BuildZSet(items, limits), limits, "zrangestore");
  if (n > 0) SignalKeyReady(ctx, args[1]);
  ctx.reply.SendLong(n);
}

void RemRangeCommand(CmdArgs args, CommandContext& ctx, RangeType type) {
  RangeRequest req;
  req.type = type;
  req.dir = Direction::kForward;
  if (type == RangeType::kRank) {
    auto s = ParseInt64(args[2]);
    auto e = s ? ParseInt64(args[3]) : std::nullopt;
    if (!s || !e) return ctx.reply.SendError(kNotIntegerErr);
    req.start = *s;
    req.end = *e;
  } else if (type == RangeType::kScore) {
    auto rr = ParseZScoreRange(args[2], args[3]);
    if (!rr) return ctx.reply.SendError(kMinMaxNotFloatErr);
    req.score = *rr;
  } else {
    auto rr = ParseZLexRange(args[2], args[3]);
    if (!rr) return ctx.reply.SendError(kLexRangeErr);
    req.lex = *rr;
  }
  Database& db = ctx.db();
  auto r = FindZSet(db, args[1], true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  size_t b = 0;
  size_t e = 0;
  bool reverse = false;
  size_t removed = 0;
  if (ResolveRange(*ZOf(*r), req, &b, &e, &reverse)) removed = ZOf(*r)->RemoveRanks(b, e);
  if (removed > 0) {
    const std::string_view event = type == RangeType::kRank    ? "zremrangebyrank"
                                   : type == RangeType::kScore ? "zremrangebyscore"
                                                               : "zremrangebylex";
    ctx.KeyChanged(kNotifyZSet, event, args[1], removed);
    if (ZOf(*r)->empty()) ctx.Notify(kNotifyGeneric, "del", args[1]);
  }
  AfterWrite(db, *r);
  ctx.reply.SendLong(static_cast<int64_t>(removed));
}

void CmdZRemRangeByRank(CmdArgs args, CommandContext& ctx) {
  RemRangeCommand(args, ctx, RangeType::kRank);
}
void CmdZRemRangeByScore(CmdArgs args, CommandContext& ctx) {
  RemRangeCommand(args, ctx, RangeType::kScore);
}
void CmdZRemRangeByLex(CmdArgs args, CommandContext& ctx) {
  RemRangeCommand(args, ctx, RangeType::kLex);
}

// ---------------------------------------------------------------------------------------
// Pops

// How a pop is recorded for the AOF: as it was sent (ZPOPMIN/ZPOPMAX), or as the plain
// ZPOPMIN/ZPOPMAX key (BZPOPMIN/BZPOPMAX) or ZPOPMIN/ZPOPMAX key count (ZMPOP, BZMPOP).
enum class PopRecord : uint8_t { kAsSent, kPlain, kWithCount };

// Pops up to count members from the low (or high) end of the set at key (entry e), with
// Redis's events: "zpopmin"/"zpopmax", then "del" when the set became empty.
std::vector<Item> PopFrom(CommandContext& ctx, Entry* e, std::string_view key, bool max,
                          size_t count, PopRecord record) {
  Database& db = ctx.db();
  ZSetObject* z = ZOf(e);
  const size_t n = std::min(count, z->size());
  std::vector<Item> out;
  out.reserve(n);
  if (max) {
    z->ForEachInRanks(z->size() - n, z->size(), true,
                      [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
    z->RemoveRanks(z->size() - n, z->size());
  } else {
    z->ForEachInRanks(0, n, false,
                      [&](std::string_view m, double s) { out.emplace_back(std::string(m), s); });
    z->RemoveRanks(0, n);
  }
  if (n > 0) {
    ctx.KeyChanged(kNotifyZSet, max ? "zpopmax" : "zpopmin", key, n);
    if (z->empty()) ctx.Notify(kNotifyGeneric, "del", key);
    if (record != PopRecord::kAsSent && ctx.propagating) {
      std::vector<std::string> cmd{max ? "ZPOPMAX" : "ZPOPMIN", std::string(key)};
      if (record == PopRecord::kWithCount) cmd.push_back(std::to_string(n));
      ctx.PropagateAs(std::move(cmd));
    }
  }
  AfterWrite(db, e);
  return out;
}

void CmdZPop(CmdArgs args, CommandContext& ctx) {
  const bool max = EqualsNoCase(args[0], "zpopmax");
  if (args.size() > 3) return ctx.reply.SendError(kSyntaxErr);
  bool has_count = args.size() == 3;
  int64_t count = 1;
  if (has_count) {
    // Redis's getPositiveLongFromObjectOrReply: one message for "x" and for "-1".
    auto c = ParseInt64(args[2]);
    if (!c || *c < 0) return ctx.reply.SendError(kPositiveErr);
    count = *c;
  }
  Database& db = ctx.db();
  auto r = FindZSet(db, args[1], true);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr || count == 0) return ctx.reply.SendEmptyArray();
  auto items = PopFrom(ctx, *r, args[1], max, static_cast<size_t>(count), PopRecord::kAsSent);
  if (!has_count) {
    // A single pop is a flat [member, score] in both protocols.
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk(items[0].first);
    SendScore(ctx.reply, items[0].second);
    return;
  }
  SendItems(ctx.reply, items, true);
}

// [key, [[member, score]...]] as ZMPOP and BZMPOP reply in both protocols.
void SendKeyAndPairs(ReplyBuilder& rb, std::string_view key, const std::vector<Item>& items) {
  rb.SendArrayLen(2);
  rb.SendBulk(key);
  rb.SendArrayLen(items.size());
  for (const auto& it : items) {
    rb.SendArrayLen(2);
    rb.SendBulk(it.first);
    SendScore(rb, it.second);
  }
}

// Parses "numkeys key... MIN|MAX [COUNT n]" from args[start..].
struct MPopArgs {
  std::vector<std::string_view> keys;
  bool max = false;
  int64_t count = 1;
};
bool ParseMPop(CmdArgs args, size_t start, MPopArgs* out, ReplyBuilder& rb) {
  auto nk = ParseInt64(args[start]);
  if (!nk || *nk <= 0) {
    rb.SendError(kNumkeysErr);
    return false;
  }
  if (static_cast<uint64_t>(*nk) > args.size() - start - 1) {
    rb.SendError(kSyntaxErr);
    return false;
  }
  const auto n = static_cast<size_t>(*nk);
  for (size_t i = 0; i < n; ++i) out->keys.push_back(args[start + 1 + i]);
  size_t j = start + 1 + n;
  if (j >= args.size()) {
    rb.SendError(kSyntaxErr);
    return false;
  }
  if (EqualsNoCase(args[j], "MIN")) {
    out->max = false;
  } else if (EqualsNoCase(args[j], "MAX")) {
    out->max = true;
  } else {
    rb.SendError(kSyntaxErr);
    return false;
  }
  ++j;
  bool seen_count = false;
  for (; j < args.size(); ++j) {
    if (!seen_count && EqualsNoCase(args[j], "COUNT") && j + 1 < args.size()) {
      auto c = ParseInt64(args[j + 1]);
      if (!c || *c <= 0) {
        rb.SendError(kCountPositiveErr);
        return false;
      }
      out->count = *c;
      seen_count = true;
      ++j;
    } else {
      rb.SendError(kSyntaxErr);
      return false;
    }
  }
  return true;
}

void CmdZMPop(CmdArgs args, CommandContext& ctx) {
  MPopArgs m;
  if (!ParseMPop(args, 1, &m, ctx.reply)) return;
  Database& db = ctx.db();
  for (std::string_view key : m.keys) {
    auto r = FindZSet(db, key, true);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) continue;
    auto items = PopFrom(ctx, *r, key, m.max, static_cast<size_t>(m.count), PopRecord::kWithCount);
    return SendKeyAndPairs(ctx.reply, key, items);
  }
  ctx.reply.SendNullArray();
}

// BZPOPMIN/BZPOPMAX key... timeout: [key, member, score] from the first non-empty key, or
// block until one of the keys holds a sorted set.
void CmdBZPop(CmdArgs args, CommandContext& ctx) {
  const bool max = EqualsNoCase(args[0], "bzpopmax");
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args.back(), TimeoutUnit::kSeconds, &deadline)) return;
  Database& db = ctx.db();
  const CmdArgs keys = args.subspan(1, args.size() - 2);
  for (std::string_view key : keys) {
    auto r = FindZSet(db, key, true);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) continue;
    auto items = PopFrom(ctx, *r, key, max, 1, PopRecord::kPlain);
    ctx.reply.SendArrayLen(3);
    ctx.reply.SendBulk(key);
    ctx.reply.SendBulk(items[0].first);
    SendScore(ctx.reply, items[0].second);
    return;
  }
  BlockSpec spec;
  spec.keys = keys;
  spec.deadline_ms = deadline;
  spec.type = ValueType::kZSet;
  BlockClient(ctx, spec);
}

// BZMPOP timeout numkeys key... MIN|MAX [COUNT n]: ZMPOP's reply, or block.
void CmdBZMPop(CmdArgs args, CommandContext& ctx) {
  MPopArgs m;
  if (!ParseMPop(args, 2, &m, ctx.reply)) return;
  int64_t deadline = 0;
  if (!ParseBlockTimeout(ctx, args[1], TimeoutUnit::kSeconds, &deadline)) return;
  Database& db = ctx.db();
  for (std::string_view key : m.keys) {
    auto r = FindZSet(db, key, true);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) continue;
    auto items = PopFrom(ctx, *r, key, m.max, static_cast<size_t>(m.count), PopRecord::kWithCount);
    return SendKeyAndPairs(ctx.reply, key, items);
  }
  BlockSpec spec;
  spec.keys = args.subspan(3, m.keys.size());
  spec.deadline_ms = deadline;
  spec.type = ValueType::kZSet;
  BlockClient(ctx, spec);
}

// ---------------------------------------------------------------------------------------
// ZRANDMEMBER

void CmdZRandMember(CmdArgs args, CommandContext& ctx) {
  if (args.size() == 2) {
    auto r = FindZSet(ctx.db(), args[1], false);
    if (!r.ok()) return SendStatusError(ctx.reply, r.status());
    if (*r == nullptr) return ctx.reply.SendNull();
    const ZSetObject* z = ZOf(*r);
    std::random_device rd;
    std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
    return ctx.reply.SendBulk(z->At(rng() % z->size()).first);
  }
  auto l = ParseInt64(args[2]);
  if (!l) return ctx.reply.SendError(kNotIntegerErr);
  if (*l == std::numeric_limits<int64_t>::min()) return ctx.reply.SendError(kRandRangeErr);
  if (args.size() > 4 || (args.size() == 4 && !EqualsNoCase(args[3], "WITHSCORES"))) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  const bool withscores = args.size() == 4;
  constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();
  if (withscores && (*l < -kLongMax / 2 || *l > kLongMax / 2)) {
    return ctx.reply.SendError(kRangeErr);
  }
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr || *l == 0) return ctx.reply.SendEmptyArray();
  const ZSetObject* z = ZOf(*r);
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  const size_t size = z->size();
  std::vector<Item> items;
  if (*l < 0) {
    // Repeats allowed: -count picks. Redis would try to stream a reply of any size; a
    // count whose reply could never be built (over 2^32 picks) is refused instead of
    // exhausting memory.
    const uint64_t count = static_cast<uint64_t>(-*l);
    if (count > (uint64_t{1} << 32)) return ctx.reply.SendError(kRangeErr);
    std::vector<Item> all;
    all.reserve(size);
    z->ForEach([&](std::string_view m, double s) { all.emplace_back(std::string(m), s); });
    const bool flat = !(withscores && ctx.reply.resp3());
    ctx.reply.SendArrayLen(flat && withscores ? count * 2 : count);
    for (uint64_t i = 0; i < count; ++i) {
      const Item& it = all[rng() % size];
      if (withscores && !flat) ctx.reply.SendArrayLen(2);
      ctx.reply.SendBulk(it.first);
      if (withscores) SendScore(ctx.reply, it.second);
    }
    return;
  }
  const auto count = static_cast<uint64_t>(*l);
  z->ForEach([&](std::string_view m, double s) { items.emplace_back(std::string(m), s); });
  if (count >= size) {
    // The whole set, highest score first: Redis walks it from the tail here.
    std::reverse(items.begin(), items.end());
  } else {
    // Distinct members: a partial Fisher-Yates shuffle.
    for (size_t i = 0; i < count; ++i) {
      const size_t j = i + rng() % (size - i);
      std::swap(items[i], items[j]);
    }
    items.resize(count);
  }
  SendItems(ctx.reply, items, withscores);
}

// ---------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (+STORE) and ZINTERCARD

enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

// One input: a sorted set, a plain set (every score 1) or missing (empty).
struct Source {
  const ZSetObject* z = nullptr;
  const SetObject* s = nullptr;
  double weight = 1;

  size_t size() const { return z ? z->size() : (s ? s->size() : 0); }
  std::optional<double> Score(std::string_view m) const {
    if (z) return z->Score(m);
    if (s && s->Contains(m)) return 1.0;
    return std::nullopt;
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (z) z->ForEach(fn);
    if (s) s->ForEach([&](std::string_view m) { fn(m, 1.0); });
  }
};

double Weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0 : v;  // inf * 0
}

void AggregateInto(double* target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *target = std::min(*target, v);
      break;
    case Aggregate::kMax:
      *target = std::max(*target, v);
      break;
  }
}

// Looks up the numkeys inputs; WRONGTYPE for anything but a set or sorted set.
Result<std::vector<Source>> LoadSources(Database& db, CmdArgs keys) {
  std::vector<Source> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const Entry* e = db.FindRead(keys[i]);
    if (e == nullptr) continue;
    if (e->value.type() == ValueType::kZSet) {
      out[i].z = e->value.As<ZSetObject>();
    } else if (e->value.type() == ValueType::kSet) {
      out[i].s = e->value.As<SetObject>();
    } else {
      return OpStatus::kWrongType;
    }
  }
  return out;
}

// The result of the operation, sorted as a sorted set is (score, member).
std::vector<Item> Compute(std::vector<Source> src, SetOp op, Aggregate agg) {
  std::vector<Item> out;
  if (src.empty()) return out;
  if (op == SetOp::kDiff) {
    const Source first = src[0];
    std::vector<Source> rest(src.begin() + 1, src.end());
    first.ForEach([&](std::string_view m, double s) {
      for (const Source& o : rest) {
        if (o.Score(m)) return;
      }
      out.emplace_back(std::string(m), s);
    });
  } else {
    // Smallest first, as Redis (it changes the order floating-point sums are made in).
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
    if (op == SetOp::kInter) {
      if (src[0].size() == 0) return out;
      src[0].ForEach([&](std::string_view m, double s) {
        double score = Weighted(s, src[0].weight);
        for (size_t j = 1; j < src.size(); ++j) {
          auto o = src[j].Score(m);
          if (!o) return;
          // Only the first input's product is cleared of NaN (inf * 0), as Redis: a later
          // NaN makes SUM give 0 and leaves MIN/MAX where they were.
          AggregateInto(&score, *o * src[j].weight, agg);
        }
        out.emplace_back(std::string(m), score);
      });
    } else {
      std::unordered_map<std::string, double> acc;
      std::vector<std::string> order;
      for (const Source& s : src) {
        s.ForEach([&](std::string_view m, double score) {
          const double v = Weighted(score, s.weight);
          auto [it, inserted] = acc.try_emplace(std::string(m), v);
          if (!inserted) AggregateInto(&it->second, v, agg);
        });
      }
      out.reserve(acc.size());
      for (auto& [m, s] : acc) out.emplace_back(m, s);
    }
  }
  std::sort(out.begin(), out.end(), [](const Item& a, const Item& b) {
    if (a.second != b.second) return a.second < b.second;
    return a.first < b.first;
  });
  return out;
}

// ZUNION/ZINTER/ZDIFF and the STORE forms. numkeys_pos is where numkeys sits.
void SetOpCommand(CmdArgs args, CommandContext& ctx, SetOp op, bool store) {
  const size_t nk_pos = store ? 2 : 1;
  auto nk = ParseInt64(args[nk_pos]);
  if (!nk) return ctx.reply.SendError(kNotIntegerErr);
  if (*nk < 1) {
    std::string cmd(args[0]);
    for (char& c : cmd) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ctx.reply.SendError("ERR at least 1 input key is needed for '" + cmd + "' command");
  }
  if (static_cast<uint64_t>(*nk) > args.size() - nk_pos - 1) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  const auto n = static_cast<size_t>(*nk);
  Database& db = ctx.db();
  auto loaded = LoadSources(db, args.subspan(nk_pos + 1, n));
  if (!loaded.ok()) return SendStatusError(ctx.reply, loaded.status());
  std::vector<Source> src = std::move(*loaded);
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  for (size_t j = nk_pos + 1 + n; j < args.size(); ++j) {
    const size_t left = args.size() - j - 1;
    if (op != SetOp::kDiff && EqualsNoCase(args[j], "WEIGHTS") && left >= n) {
      for (size_t i = 0; i < n; ++i) {
        auto w = ParseDouble(args[j + 1 + i]);
        if (!w) return ctx.reply.SendError(kWeightErr);
        src[i].weight = *w;
      }
      j += n;
    } else if (op != SetOp::kDiff && EqualsNoCase(args[j], "AGGREGATE") && left >= 1) {
      const std::string_view a = args[j + 1];
      if (EqualsNoCase(a, "SUM")) {
        agg = Aggregate::kSum;
      } else if (EqualsNoCase(a, "MIN")) {
        agg = Aggregate::kMin;
      } else if (EqualsNoCase(a, "MAX")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.reply.SendError(kSyntaxErr);
      }
      ++j;
    } else if (!store && EqualsNoCase(args[j], "WITHSCORES")) {
      withscores = true;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  std::vector<Item> items = Compute(std::move(src), op, agg);
  if (store) {
    const auto limits = LimitsOf(ctx);
    const std::string_view event = op == SetOp::kUnion   ? "zunionstore"
                                   : op == SetOp::kInter ? "zinterstore"
                                                         : "zdiffstore";
    const int64_t n = StoreResult(ctx, args[1], BuildZSet(items, limits), limits, event);
    if (n > 0) SignalKeyReady(ctx, args[1]);
    return ctx.reply.SendLong(n);
  }
  SendItems(ctx.reply, items, withscores);
}

void CmdZUnion(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kUnion, false); }
void CmdZInter(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kInter, false); }
void CmdZDiff(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kDiff, false); }
void CmdZUnionStore(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kUnion, true); }
void CmdZInterStore(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kInter, true); }
void CmdZDiffStore(CmdArgs a, CommandContext& c) { SetOpCommand(a, c, SetOp::kDiff, true); }

void CmdZInterCard(CmdArgs args, CommandContext& ctx) {
  auto nk = ParseInt64(args[1]);
  if (!nk) return ctx.reply.SendError(kNotIntegerErr);
  if (*nk < 1) {
    return ctx.reply.SendError("ERR at least 1 input key is needed for 'zintercard' command");
  }
  if (static_cast<uint64_t>(*nk) > args.size() - 2) return ctx.reply.SendError(kSyntaxErr);
  const auto n = static_cast<size_t>(*nk);
  // The inputs are looked up before the options are parsed, as Redis: WRONGTYPE wins over
  // a bad LIMIT.
  auto loaded = LoadSources(ctx.db(), args.subspan(2, n));
  if (!loaded.ok()) return SendStatusError(ctx.reply, loaded.status());
  uint64_t limit = 0;
  for (size_t j = 2 + n; j < args.size(); ++j) {
    if (EqualsNoCase(args[j], "LIMIT") && j + 1 < args.size()) {
      auto l = ParseInt64(args[j + 1]);
      if (!l || *l < 0) return ctx.reply.SendError(kLimitNegativeErr);
      limit = static_cast<uint64_t>(*l);
      ++j;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  std::vector<Source> src = std::move(*loaded);
  std::stable_sort(src.begin(), src.end(),
                   [](const Source& a, const Source& b) { return a.size() < b.size(); });
  uint64_t card = 0;
  if (src[0].size() > 0) {
    // Walks the smallest input; stops early once LIMIT is reached.
    std::vector<std::string> members;
    src[0].ForEach([&](std::string_view m, double) { members.emplace_back(m); });
    for (const auto& m : members) {
      bool all = true;
      for (size_t j = 1; j < src.size() && all; ++j) all = src[j].Score(m).has_value();
      if (all && ++card == limit) break;
    }
  }
  ctx.reply.SendLong(static_cast<int64_t>(card));
}

// ---------------------------------------------------------------------------------------
// ZSCAN

void CmdZScan(CmdArgs args, CommandContext& ctx) {
  auto cursor = ParseScanCursor(args[2]);
  if (!cursor) return ctx.reply.SendError(kInvalidCursorErr);
  auto r = FindZSet(ctx.db(), args[1], false);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) {
    ctx.reply.SendArrayLen(2);
    ctx.reply.SendBulk("0");
    ctx.reply.SendEmptyArray();
    return;
  }
  CollectionScanOptions opts;
  if (!ParseCollectionScanOptions(args, 3, &opts, ctx.reply)) return;
  std::vector<Item> items;
  const uint64_t next = ZOf(*r)->Scan(*cursor, opts.count, [&](std::string_view m, double s) {
    if (opts.use_pattern && !GlobMatch(opts.pattern, m)) return;
    items.emplace_back(std::string(m), s);
  });
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendBulk(std::to_string(next));
  ctx.reply.SendArrayLen(items.size() * 2);
  for (const auto& it : items) {
    ctx.reply.SendBulk(it.first);
    ctx.reply.SendBulk(FormatDouble(it.second));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterZSetFamily(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kWDF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  constexpr uint32_t kR = kCmdReadOnly;
  constexpr uint32_t kRF = kCmdReadOnly | kCmdFast;
  constexpr uint32_t kMov = kCmdMovableKeys;
  constexpr uint64_t kZ = kAclSortedSet;
  // The blocking rows get @blocking from their flag (CommandTable::Register).
  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first, last, step;
    CommandHandler handler;
    std::string_view summary;
    std::string_view since;
    std::string_view complexity;
    std::string_view tips;
  };
  const Row rows[] = {
      {"zadd",
       -4,
       kWDF,
       1,
       1,
       1,
       CmdZAdd,
       "Adds members to a sorted set, or updates their scores.",
       "1.2.0",
       "O(log(N)) for each item added",
       {}},
      {"zincrby",
       4,
       kWDF,
       1,
       1,
       1,
       CmdZIncrBy,
       "Increments the score of a member.",
       "1.2.0",
       "O(log(N))",
       {}},
      {"zcard",
       2,
       kRF,
       1,
       1,
       1,
       CmdZCard,
       "Returns the number of members in a sorted set.",
       "1.2.0",
       "O(1)",
       {}},
      {"zscore", 3, kRF, 1, 1, 1, CmdZScore, "Returns the score of a member.", "1.2.0", "O(1)", {}},
      {"zmscore",
       -3,
       kRF,
       1,
       1,
       1,
       CmdZMScore,
       "Returns the scores of several members.",
       "6.2.0",
       "O(N)",
       {}},
      {"zrank",
       3,
       kRF,
       1,
       1,
       1,
       CmdZRank,
       "Returns the rank of a member by ascending score.",
       "2.0.0",
       "O(log(N))",
       {}},
      {"zrevrank",
       3,
       kRF,
       1,
       1,
       1,
       CmdZRank,
       "Returns the rank of a member by descending score.",
       "2.0.0",
       "O(log(N))",
       {}},
      {"zrem",
       -3,
       kWF,
       1,
       1,
       1,
       CmdZRem,
       "Removes members from a sorted set.",
       "1.2.0",
       "O(M*log(N))",
       {}},
      {"zcount",
       4,
       kRF,
       1,
       1,
       1,
       CmdZCount,
       "Counts members within a score range.",
       "2.0.0",
       "O(log(N))",
       {}},
      {"zlexcount",
       4,
       kRF,
       1,
       1,
       1,
       CmdZLexCount,
       "Counts members within a lexicographic range.",
       "2.8.9",
       "O(log(N))",
       {}},
      {"zrange",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRange,
       "Returns members in a range of ranks, scores or lex.",
       "1.2.0",
       "O(log(N)+M)",
       {}},
      {"zrangestore",
       -5,
       kWD,
       1,
       2,
       1,
       CmdZRangeStore,
       "Stores a range of members in a key.",
       "6.2.0",
       "O(log(N)+M)",
       {}},
      {"zrevrange",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRevRange,
       "Returns members in a range of ranks, reversed.",
       "1.2.0",
       "O(log(N)+M)",
       {}},
      {"zrangebyscore",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRangeByScore,
       "Returns members in a score range.",
       "1.0.5",
       "O(log(N)+M)",
       {}},
      {"zrevrangebyscore",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRevRangeByScore,
       "Returns members in a score range, reversed.",
       "2.2.0",
       "O(log(N)+M)",
       {}},
      {"zrangebylex",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRangeByLex,
       "Returns members in a lex range.",
       "2.8.9",
       "O(log(N)+M)",
       {}},
      {"zrevrangebylex",
       -4,
       kR,
       1,
       1,
       1,
       CmdZRevRangeByLex,
       "Returns members in a lex range, reversed.",
       "2.8.9",
       "O(log(N)+M)",
       {}},
      {"zremrangebyrank",
       4,
       kW,
       1,
       1,
       1,
       CmdZRemRangeByRank,
       "Removes members in a range of ranks.",
       "2.0.0",
       "O(log(N)+M)",
       {}},
      {"zremrangebyscore",
       4,
       kW,
       1,
       1,
       1,
       CmdZRemRangeByScore,
       "Removes members in a score range.",
       "1.2.0",
       "O(log(N)+M)",
       {}},
      {"zremrangebylex",
       4,
       kW,
       1,
       1,
       1,
       CmdZRemRangeByLex,
       "Removes members in a lex range.",
       "2.8.9",
       "O(log(N)+M)",
       {}},
      {"zpopmin",
       -2,
       kWF,
       1,
       1,
       1,
       CmdZPop,
       "Removes and returns the lowest-scored members.",
       "5.0.0",
       "O(log(N)*M)",
       {}},
      {"zpopmax",
       -2,
       kWF,
       1,
       1,
       1,
       CmdZPop,
       "Removes and returns the highest-scored members.",
       "5.0.0",
       "O(log(N)*M)",
       {}},
      {"zmpop",
       -4,
       kW | kMov,
       0,
       0,
       0,
       CmdZMPop,
       "Removes and returns members from the first non-empty sorted set.",
       "7.0.0",
       "O(K)+O(M*log(N))",
       {}},
      {"bzpopmin",
       -3,
       kWF | kCmdNoScript | kCmdBlocking,
       1,
       -2,
       1,
       CmdBZPop,
       "Removes and returns the lowest-scored member, blocking until one is available.",
       "5.0.0",
       "O(log(N))",
       {}},
      {"bzpopmax",
       -3,
       kWF | kCmdNoScript | kCmdBlocking,
       1,
       -2,
       1,
       CmdBZPop,
       "Removes and returns the highest-scored member, blocking until one is available.",
       "5.0.0",
       "O(log(N))",
       {}},
      {"bzmpop",
       -5,
       kW | kCmdBlocking | kMov,
       0,
       0,
       0,
       CmdBZMPop,
       "Removes and returns members from the first non-empty sorted set, or blocks.",
       "7.0.0",
       "O(K)+O(M*log(N))",
       {}},
      {"zrandmember", -2, kR, 1, 1, 1, CmdZRandMember, "Returns random members.", "6.2.0", "O(N)",
       "nondeterministic_output"},
      {"zunion",
       -3,
       kR | kMov,
       0,
       0,
       0,
       CmdZUnion,
       "Returns the union of sorted sets.",
       "6.2.0",
       "O(N)+O(M*log(M))",
       {}},
      {"zinter",
       -3,
       kR | kMov,
       0,
       0,
       0,
       CmdZInter,
       "Returns the intersection of sorted sets.",
       "6.2.0",
       "O(N*K)+O(M*log(M))",
       {}},
      {"zdiff",
       -3,
       kR | kMov,
       0,
       0,
       0,
       CmdZDiff,
       "Returns the difference of sorted sets.",
       "6.2.0",
       "O(L + (N-K)log(N))",
       {}},
      {"zunionstore",
       -4,
       kWD | kMov,
       1,
       1,
       1,
       CmdZUnionStore,
       "Stores the union of sorted sets in a key.",
       "2.0.0",
       "O(N)+O(M log(M))",
       {}},
      {"zinterstore",
       -4,
       kWD | kMov,
       1,
       1,
       1,
       CmdZInterStore,
       "Stores the intersection of sorted sets in a key.",
       "2.0.0",
       "O(N*K)+O(M*log(M))",
       {}},
      {"zdiffstore",
       -4,
       kWD | kMov,
       1,
       1,
       1,
       CmdZDiffStore,
       "Stores the difference of sorted sets in a key.",
       "6.2.0",
       "O(L + (N-K)log(N))",
       {}},
      {"zintercard",
       -3,
       kR | kMov,
       0,
       0,
       0,
       CmdZInterCard,
       "Returns the number of members in the intersection of sorted sets.",
       "7.0.0",
       "O(N*K)",
       {}},
      {"zscan", -3, kR, 1, 1, 1, CmdZScan, "Iterates over members and scores.", "2.8.0",
       "O(1) per call", "nondeterministic_output"},
  };
  for (const Row& r : rows) {
    t.Register({.name = r.name,
                .arity = r.arity,
                .flags = r.flags,
                .first_key = r.first,
                .last_key = r.last,
                .step = r.step,
                .acl_categories = kZ,
                .handler = r.handler,
                .doc = {r.summary, r.since, "sorted-set", r.complexity},
                .tips = r.tips});
  }
}

}  // namespace gannet
