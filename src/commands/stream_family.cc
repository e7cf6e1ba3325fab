// The stream commands (Redis 7.0): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
// XREADGROUP, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO and XSETID. Helpers that
// parse IDs and options and write entries come first, then the handlers, then
// RegisterStreamFamily. Argument checks run in the same order as Redis's so that the same
// bad command gets the same error.
//
// Unlike other collections, a stream that becomes empty is kept (Redis does the same:
// its last ID and groups must survive).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/stream_object.h"

namespace gannet {

namespace {

constexpr std::string_view kInvalidIdErr =
    "ERR Invalid stream ID specified as stream command argument";
constexpr std::string_view kXaddSmallerErr =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
constexpr std::string_view kXaddZeroErr = "ERR The ID specified in XADD must be greater than 0-0";
constexpr std::string_view kExhaustedErr =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
constexpr std::string_view kBadStartErr = "ERR invalid start ID for the interval";
constexpr std::string_view kBadEndErr = "ERR invalid end ID for the interval";
constexpr std::string_view kBusyGroupErr = "BUSYGROUP Consumer Group name already exists";

using FieldList = StreamObject::FieldList;

// ---------------------------------------------------------------------------------------
// Parsing

// Redis's string2ull: a strict int64 that is not negative, else what strtoull accepts
// for the whole string (leading spaces and a sign included; "-n" wraps as strtoull does).
std::optional<uint64_t> ParseUll(std::string_view s) {
  if (auto v = ParseInt64(s)) {
    if (*v < 0) return std::nullopt;
    return static_cast<uint64_t>(*v);
  }
  if (s.empty()) return std::nullopt;
  std::string buf(s);
  if (buf.find('\0') != std::string::npos) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(buf.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || end == buf.c_str() || *end != '\0') {
    return std::nullopt;
  }
  return static_cast<uint64_t>(v);
}

// Redis's streamGenericParseIDOrReply. strict rejects "-" and "+"; seq_given (when not
// null) enables the "<ms>-*" form and tells whether the sequence was given.
std::optional<StreamID> ParseId(std::string_view s, uint64_t missing_seq, bool strict,
                                bool* seq_given = nullptr) {
  if (s.size() > 127) return std::nullopt;
  if (strict && (s == "-" || s == "+")) return std::nullopt;
  if (seq_given) *seq_given = true;
  if (s == "-") return StreamID::Min();
  if (s == "+") return StreamID::Max();
  // Redis works on a C string: bytes after a NUL are ignored.
  if (size_t nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  size_t dash = s.find('-');
  auto ms = ParseUll(s.substr(0, dash));
  if (!ms) return std::nullopt;
  uint64_t seq = missing_seq;
  if (dash != std::string_view::npos) {
    std::string_view rest = s.substr(dash + 1);
    if (seq_given && rest == "*") {
      seq = 0;
      *seq_given = false;
    } else {
      auto v = ParseUll(rest);
      if (!v) return std::nullopt;
      seq = *v;
    }
  }
  return StreamID{*ms, seq};
}

// An interval bound: "(" makes it exclusive (strict parsing after the parenthesis).
std::optional<StreamID> ParseIntervalId(std::string_view s, uint64_t missing_seq, bool* exclusive) {
  *exclusive = s.size() > 1 && s[0] == '(';
  if (*exclusive) return ParseId(s.substr(1), missing_seq, true);
  return ParseId(s, missing_seq, false);
}

// ---------------------------------------------------------------------------------------
// Replies

void SendId(ReplyBuilder& rb, const StreamID& id) {
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%llu-%llu", static_cast<unsigned long long>(id.ms),
                        static_cast<unsigned long long>(id.seq));
  rb.SendBulk(std::string_view(buf, static_cast<size_t>(n)));
}

void SendEntry(ReplyBuilder& rb, const StreamID& id, const FieldList& fields) {
  rb.SendArrayLen(2);
  SendId(rb, id);
  rb.SendArrayLen(fields.size() * 2);
  for (const auto& [f, v] : fields) {
    rb.SendBulk(f);
    rb.SendBulk(v);
  }
}

// Entries go to a side buffer first: the reply needs its length up front, and copying the
// encoded bytes once is cheaper than keeping every entry's field list.
size_t SendRange(ReplyBuilder& rb, const StreamObject& s, const StreamID& start,
                 const StreamID& end, size_t count, bool rev) {
  std::string body;
  ReplyBuilder inner(&body, rb.version());
  size_t n = 0;
  StreamObject::Iterator it(s, start, end, rev);
  StreamID id;
  FieldList fields;
  while ((count == 0 || n < count) && it.Next(&id, &fields)) {
    SendEntry(inner, id, fields);
    ++n;
  }
  rb.SendArrayLen(n);
  rb.SendRaw(body);
  return n;
}

// Sends the entry with this ID, or returns false when it does not exist.
// a - b in two's complement, as Redis's counters (long long) behave at their limits.
int64_t WrapSub(uint64_t a, int64_t b) {
  return static_cast<int64_t>(a - static_cast<uint64_t>(b));
}

bool SendOneEntry(ReplyBuilder& rb, const StreamObject& s, const StreamID& id) {
  FieldList fields;
  if (!s.Lookup(id, &fields)) return false;
  SendEntry(rb, id, fields);
  return true;
}

// ---------------------------------------------------------------------------------------
// Keyspace helpers

// The stream at key: nullptr when missing, kWrongType when not a stream.
Result<StreamObject*> GetStream(Entry* e) {
  if (e == nullptr) return static_cast<StreamObject*>(nullptr);
  if (e->value.type() != ValueType::kStream) return OpStatus::kWrongType;
  return e->value.As<StreamObject>();
}

StreamObject* CreateStream(CommandContext& ctx, std::string_view key) {
  const Config& cfg = ctx.config();
  auto obj = std::make_unique<StreamObject>(static_cast<size_t>(cfg.stream_node_max_bytes),
                                            static_cast<size_t>(cfg.stream_node_max_entries));
  StreamObject* raw = obj.get();
  ctx.db().Insert(key, Value::Object(ValueType::kStream, Encoding::kStream, std::move(obj)));
  return raw;
}

// A consumer-group change (Redis's XGROUP, XREADGROUP, XACK, XCLAIM bookkeeping): counted
// for save points and the AOF, with an event when Redis emits one, but no modification
// signal (Redis does not invalidate WATCH for group metadata).
void GroupChanged(CommandContext& ctx, std::string_view event, std::string_view key,
                  uint64_t changes = 1) {
  ctx.keyspace.AddDirty(changes);
  if (!event.empty()) ctx.Notify(kNotifyStream, event, key);
}

// Looks a consumer up, creating it (with Redis's "xgroup-createconsumer" event and one
// change) when missing.
StreamConsumer* ConsumerFor(CommandContext& ctx, StreamGroup& g, std::string_view name,
                            std::string_view key) {
  bool created = false;
  StreamConsumer* c = g.GetOrCreateConsumer(name, ctx.now_ms, &created);
  if (created) GroupChanged(ctx, "xgroup-createconsumer", key);
  return c;
}

void RefreshLimits(CommandContext& ctx, StreamObject* s) {
  const Config& cfg = ctx.config();
  s->SetNodeLimits(static_cast<size_t>(std::max<int64_t>(cfg.stream_node_max_bytes, 0)),
                   static_cast<size_t>(std::max<int64_t>(cfg.stream_node_max_entries, 0)));
}

std::string NoGroupText(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) +
         "'";
}

// ---------------------------------------------------------------------------------------
// XADD / XTRIM options

struct AddTrimArgs {
  StreamTrimArgs trim;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamID id;
  size_t next = 0;      // index of the first field (XADD)
  size_t trim_arg = 0;  // index of the MAXLEN/MINID threshold (after "~" or "=")
};

// Redis's streamParseAddOrTrimArgsOrReply. Returns an error text, or nullopt.
std::optional<std::string> ParseAddTrim(CmdArgs args, bool xadd, const Config& cfg,
                                        AddTrimArgs* out) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < args.size(); ++i) {
    size_t more = args.size() - 1 - i;
    std::string_view opt = args[i];
    if (xadd && opt == "*") {
      break;
    } else if (EqualsNoCase(opt, "maxlen") && more) {
      if (out->trim.strategy != StreamTrimStrategy::kNone) {
        return std::string(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      out->trim.approx = false;
      std::string_view next = args[i + 1];
      if (more >= 2 && next == "~") {
        out->trim.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      out->trim_arg = i + 1;
      auto v = ParseInt64(args[i + 1]);
      if (!v) return std::string(kNotIntegerErr);
      if (*v < 0) return std::string("ERR The MAXLEN argument must be >= 0.");
      out->trim.maxlen = *v;
      ++i;
      out->trim.strategy = StreamTrimStrategy::kMaxLen;
    } else if (EqualsNoCase(opt, "minid") && more) {
      if (out->trim.strategy != StreamTrimStrategy::kNone) {
        return std::string(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      out->trim.approx = false;
      std::string_view next = args[i + 1];
      if (more >= 2 && next == "~") {
        out->trim.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      out->trim_arg = i + 1;
      auto id = ParseId(args[i + 1], 0, true);
      if (!id) return std::string(kInvalidIdErr);
      out->trim.minid = *id;
      ++i;
      out->trim.strategy = StreamTrimStrategy::kMinId;
    } else if (EqualsNoCase(opt, "limit") && more) {
      auto v = ParseInt64(args[i + 1]);
      if (!v) return std::string(kNotIntegerErr);
      if (*v < 0) return std::string("ERR The LIMIT argument must be >= 0.");
      out->trim.limit = *v;
      limit_given = true;
      ++i;
    } else if (xadd && EqualsNoCase(opt, "nomkstream")) {
      out->nomkstream = true;
    } else if (xadd) {
      bool seq_given = true;
      auto id = ParseId(opt, 0, true, &seq_given);
      if (!id) return std::string(kInvalidIdErr);
      out->id = *id;
      out->seq_given = seq_given;
      out->id_given = true;
      break;
    } else {
      return std::string(kSyntaxErr);
    }
  }
  out->next = i + 1;
  if (out->trim.limit != 0 && out->trim.strategy == StreamTrimStrategy::kNone) {
    return std::string(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && out->trim.strategy == StreamTrimStrategy::kNone) {
    return std::string("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (limit_given) {
    if (!out->trim.approx) {
      return std::string("ERR syntax error, LIMIT cannot be used without the special ~ option");
    }
  } else if (out->trim.approx) {
    int64_t per = cfg.stream_node_max_entries;
    out->trim.limit = per > 0 && per <= 1'000'000 ? 100 * per : 10000;
  } else {
    out->trim.limit = 0;
  }
  return std::nullopt;
}

// An approximate trim removes whole nodes, so a replay could keep other entries: Redis
// records the exact trim it amounted to. "~" becomes "=" and the threshold the stream's
// length (MAXLEN) or its first ID, deleted entries still in a node included (MINID; the
// maximum ID when the stream is empty). The other arguments (LIMIT included) stay.
void RewriteApproxTrim(const AddTrimArgs& a, const StreamObject& s, std::vector<std::string>* cmd) {
  (*cmd)[a.trim_arg - 1] = "=";
  if (a.trim.strategy == StreamTrimStrategy::kMaxLen) {
    (*cmd)[a.trim_arg] = std::to_string(s.length());
  } else {
    StreamID first;
    (*cmd)[a.trim_arg] =
        s.FirstIdWithTombstones(&first) ? first.ToString() : StreamID::Max().ToString();
  }
}

// What XCLAIM, XAUTOCLAIM and XREADGROUP record per entry claimed or delivered (Redis's
// streamPropagateXCLAIM): the pending entry's state, forced, with the group's last ID.
void PropagateClaim(CommandContext& ctx, std::string_view key, std::string_view group,
                    std::string_view consumer, const StreamID& id, const StreamPendingEntry& pe,
                    const StreamID& last_id) {
  ctx.PropagateAs({"XCLAIM", std::string(key), std::string(group), std::string(consumer), "0",
                   id.ToString(), "TIME", std::to_string(pe.delivery_time_ms), "RETRYCOUNT",
                   std::to_string(pe.delivery_count), "FORCE", "JUSTID", "LASTID",
                   last_id.ToString()});
}

// XGROUP SETID with the group's read counter (Redis's streamPropagateGroupID).
void PropagateGroupId(CommandContext& ctx, std::string_view key, std::string_view group,
                      const StreamGroup& g) {
  ctx.PropagateAs({"XGROUP", "SETID", std::string(key), std::string(group), g.last_id.ToString(),
                   "ENTRIESREAD", std::to_string(g.entries_read)});
}

// A command that changed state but records nothing of its own (Redis's
// preventCommandPropagation): an empty entry keeps its arguments out of the AOF.
void PreventPropagation(CommandContext& ctx) {
  if (ctx.propagate.empty()) ctx.PropagateAs({});
}

// ---------------------------------------------------------------------------------------
// Handlers

void CmdXAdd(CmdArgs args, CommandContext& ctx) {
  AddTrimArgs a;
  if (auto err = ParseAddTrim(args, true, ctx.config(), &a)) return ctx.reply.SendError(*err);
  size_t field_pos = a.next;
  if (field_pos > args.size() || (args.size() - field_pos) < 2 ||
      (args.size() - field_pos) % 2 == 1) {
    return ctx.reply.SendError(WrongArityText("xadd"));
  }
  if (a.id_given && a.seq_given && a.id.IsZero()) return ctx.reply.SendError(kXaddZeroErr);

  auto got = GetStream(ctx.db().FindWrite(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamObject* s = *got;
  bool created = false;
  if (s == nullptr) {
    if (a.nomkstream) return ctx.reply.SendNull();
    s = CreateStream(ctx, args[1]);
    created = true;
  }
  // As Redis, a stream created here stays (empty) even when the ID is then refused.
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (s->last_id() == StreamID::Max()) return ctx.reply.SendError(kExhaustedErr);

  StreamID id;
  const StreamID& last = s->last_id();
  if (a.id_given) {
    if (a.seq_given) {
      id = a.id;
    } else if (last.ms == a.id.ms) {
      // 7.0 reports this overflow with its "too large" text.
      if (last.seq == UINT64_MAX)
        return ctx.reply.SendError("ERR Elements are too large to be stored");
      id = last;
      ++id.seq;
    } else {
      id = a.id;
    }
  } else {
    auto now = static_cast<uint64_t>(std::max<int64_t>(ctx.now_ms, 0));
    if (now > last.ms) {
      id = StreamID{now, 0};
    } else {
      id = last;
      id.Incr();
    }
  }
  if (id <= last) return ctx.reply.SendError(kXaddSmallerErr);

  RefreshLimits(ctx, s);
  s->Append(id, args.subspan(field_pos));
  SendId(ctx.reply, id);
  ctx.KeyChanged(kNotifyStream, "xadd", args[1]);
  SignalKeyReady(ctx, args[1]);
  if (a.trim.strategy != StreamTrimStrategy::kNone && s->Trim(a.trim) > 0) {
    ctx.Notify(kNotifyStream, "xtrim", args[1]);
  }
  // The AOF records the ID this XADD generated ("*" or "ms-*" would differ on replay),
  // and the exact form of an approximate trim.
  const bool approx = a.trim.strategy != StreamTrimStrategy::kNone && a.trim.approx;
  if ((!a.id_given || !a.seq_given || approx) && ctx.propagating) {
    std::vector<std::string> cmd(args.begin(), args.end());
    cmd[field_pos - 1] = id.ToString();
    if (approx) RewriteApproxTrim(a, *s, &cmd);
    ctx.PropagateAs(std::move(cmd));
  }
}

void CmdXLen(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  ctx.reply.SendLong(*got ? static_cast<int64_t>((*got)->length()) : 0);
}

void RangeGeneric(CmdArgs args, CommandContext& ctx, bool rev) {
  std::string_view start_arg = rev ? args[3] : args[2];
  std::string_view end_arg = rev ? args[2] : args[3];
  bool startex = false, endex = false;
  auto start = ParseIntervalId(start_arg, 0, &startex);
  if (!start) return ctx.reply.SendError(kInvalidIdErr);
  if (startex && !start->Incr()) return ctx.reply.SendError(kBadStartErr);
  auto end = ParseIntervalId(end_arg, UINT64_MAX, &endex);
  if (!end) return ctx.reply.SendError(kInvalidIdErr);
  if (endex && !end->Decr()) return ctx.reply.SendError(kBadEndErr);

  int64_t count = -1;
  for (size_t j = 4; j < args.size(); ++j) {
    size_t more = args.size() - j - 1;
    if (EqualsNoCase(args[j], "COUNT") && more >= 1) {
      auto v = ParseInt64(args[j + 1]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      count = *v < 0 ? 0 : *v;
      ++j;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendEmptyArray();
  if (count == 0) return ctx.reply.SendNullArray();
  SendRange(ctx.reply, **got, *start, *end, count < 0 ? 0 : static_cast<size_t>(count), rev);
}

void CmdXRange(CmdArgs args, CommandContext& ctx) { RangeGeneric(args, ctx, false); }
void CmdXRevRange(CmdArgs args, CommandContext& ctx) { RangeGeneric(args, ctx, true); }

void CmdXDel(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindWrite(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendLong(0);
  // All IDs are checked before any is deleted.
  std::vector<StreamID> ids;
  ids.reserve(args.size() - 2);
  for (size_t j = 2; j < args.size(); ++j) {
    auto id = ParseId(args[j], 0, true);
    if (!id) return ctx.reply.SendError(kInvalidIdErr);
    ids.push_back(*id);
  }
  int64_t deleted = 0;
  for (const StreamID& id : ids) deleted += (*got)->Delete(id) ? 1 : 0;
  if (deleted > 0) ctx.KeyChanged(kNotifyStream, "xdel", args[1], static_cast<uint64_t>(deleted));
  ctx.reply.SendLong(deleted);
}

void CmdXTrim(CmdArgs args, CommandContext& ctx) {
  AddTrimArgs a;
  if (auto err = ParseAddTrim(args, false, ctx.config(), &a)) return ctx.reply.SendError(*err);
  auto got = GetStream(ctx.db().FindWrite(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendLong(0);
  const int64_t trimmed = (*got)->Trim(a.trim);
  if (trimmed > 0) ctx.KeyChanged(kNotifyStream, "xtrim", args[1], static_cast<uint64_t>(trimmed));
  if (trimmed > 0 && a.trim.approx && ctx.propagating) {
    std::vector<std::string> cmd(args.begin(), args.end());
    RewriteApproxTrim(a, **got, &cmd);
    ctx.PropagateAs(std::move(cmd));
  }
  ctx.reply.SendLong(trimmed);
}

// Serves one group read (XREADGROUP) from the stream: new entries after the group's last
// ID ('>'), or the consumer's own history starting after `after`.
// *delivered receives the IDs delivered into the PEL (or re-delivered from history); the
// return value tells whether a NOACK read moved the group's last ID.
bool ServeGroupRead(ReplyBuilder& rb, int64_t now_ms, StreamObject& s, StreamGroup& g,
                    StreamConsumer& c, const StreamID& after, size_t count, bool history,
                    bool noack, std::vector<StreamID>* delivered) {
  StreamID start = after;
  if (!start.Incr()) {
    rb.SendEmptyArray();
    return false;
  }
  if (history) {
    std::vector<StreamID> ids;
    for (auto it = c.pel.lower_bound(start);
         it != c.pel.end() && (count == 0 || ids.size() < count); ++it) {
      ids.push_back(*it);
    }
    rb.SendArrayLen(ids.size());
    for (const StreamID& id : ids) {
      if (SendOneEntry(rb, s, id)) {
        StreamPendingEntry& pe = g.pel.at(id);
        pe.delivery_time_ms = now_ms;
        ++pe.delivery_count;
        delivered->push_back(id);
      } else {
        rb.SendArrayLen(2);
        SendId(rb, id);
        rb.SendNullArray();
      }
    }
    return false;
  }
  std::string body;
  ReplyBuilder inner(&body, rb.version());
  size_t n = 0;
  StreamObject::Iterator it(s, start, StreamID::Max(), false);
  StreamID eid;
  FieldList f;
  while ((count == 0 || n < count) && it.Next(&eid, &f)) {
    ++n;
    if (eid > g.last_id) {
      if (g.entries_read != kInvalidEntriesRead && !s.RangeHasTombstones(eid, StreamID::Max())) {
        // Wraps past INT64_MAX as Redis's counter does (XSETID ... ENTRIESADDED can put the
        // stream's count there).
        g.entries_read = WrapSub(static_cast<uint64_t>(g.entries_read) + 1, 0);
      } else if (s.entries_added() != 0) {
        g.entries_read = s.EstimateDistanceFromFirstEverEntry(eid);
      }
      g.last_id = eid;
    }
    SendEntry(inner, eid, f);
    if (noack) continue;
    auto [pit, inserted] = g.pel.try_emplace(eid, StreamPendingEntry{now_ms, 1, &c});
    if (!inserted) {
      // Already pending (XGROUP SETID moved the group back): hand it to this consumer.
      pit->second.consumer->pel.erase(eid);
      pit->second.consumer = &c;
      pit->second.delivery_time_ms = now_ms;
      pit->second.delivery_count = 1;
    }
    c.pel.insert(eid);
    delivered->push_back(eid);
  }
  rb.SendArrayLen(n);
  rb.SendRaw(body);
  return noack && n > 0;
}

// What Redis records for a group read: an XCLAIM per new entry delivered (its delivery
// time and count, and the group's last ID, which was that entry's ID when it went out)
// and, for NOACK, the consumer's creation and the group's new last ID. History re-reads
// record nothing, and neither does a consumer created by a read that delivers nothing.
// One change per entry delivered, history included (as Redis counts them).
void RecordGroupRead(CommandContext& ctx, std::string_view key, const StreamGroup& g,
                     std::string_view group_name, std::string_view consumer, bool created,
                     const std::vector<StreamID>& delivered, bool history, bool noack,
                     bool moved_last_id) {
  GroupChanged(ctx, "", key, delivered.size() + (moved_last_id ? 1 : 0));
  if (!ctx.propagating) return;
  if (created && noack) {
    ctx.PropagateAs({"XGROUP", "CREATECONSUMER", std::string(key), std::string(group_name),
                     std::string(consumer)});
  }
  if (!history) {
    for (const StreamID& id : delivered) {
      PropagateClaim(ctx, key, group_name, consumer, id, g.pel.at(id), id);
    }
  }
  if (moved_last_id) PropagateGroupId(ctx, key, group_name, g);
  PreventPropagation(ctx);
}

// XREAD and XREADGROUP (Redis's xreadCommand).
void ReadGeneric(CmdArgs args, CommandContext& ctx, bool group_read) {
  bool block = false;
  int64_t deadline_ms = 0;
  int64_t count = 0;
  size_t streams_arg = 0;
  size_t streams_count = 0;
  std::optional<std::string_view> group_name, consumer_name;
  bool noack = false;
  for (size_t i = 1; i < args.size(); ++i) {
    size_t more = args.size() - i - 1;
    std::string_view o = args[i];
    if (EqualsNoCase(o, "BLOCK") && more) {
      ++i;
      if (!ParseBlockTimeout(ctx, args[i], TimeoutUnit::kMilliseconds, &deadline_ms)) return;
      block = true;
    } else if (EqualsNoCase(o, "COUNT") && more) {
      ++i;
      auto v = ParseInt64(args[i]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      count = *v < 0 ? 0 : *v;
    } else if (EqualsNoCase(o, "STREAMS") && more) {
      streams_arg = i + 1;
      streams_count = args.size() - streams_arg;
      if (streams_count % 2 != 0) {
        // 7.0 names XREAD and '$' for XREADGROUP too.
        return ctx.reply.SendError(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
      }
      streams_count /= 2;
      break;
    } else if (EqualsNoCase(o, "GROUP") && more >= 2) {
      if (!group_read) {
        return ctx.reply.SendError(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      group_name = args[i + 1];
      consumer_name = args[i + 2];
      i += 2;
    } else if (EqualsNoCase(o, "NOACK")) {
      if (!group_read) {
        return ctx.reply.SendError(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      noack = true;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  if (streams_arg == 0) return ctx.reply.SendError(kSyntaxErr);
  if (group_read && !group_name) {
    return ctx.reply.SendError("ERR Missing GROUP option for XREADGROUP");
  }

  Database& db = ctx.db();
  if (ctx.rerun && group_read) {
    // A blocked XREADGROUP woken because a key went away, changed type or lost its group.
    for (size_t k = 0; k < streams_count; ++k) {
      Entry* e = db.FindRead(args[streams_arg + k]);
      if (e == nullptr || e->value.type() != ValueType::kStream) {
        return ctx.reply.SendError("UNBLOCKED the stream key no longer exists");
      }
      if (e->value.As<StreamObject>()->FindGroup(*group_name) == nullptr) {
        return ctx.reply.SendError(
            "NOGROUP the consumer group this client was blocked on no longer exists");
      }
    }
  }
  std::vector<StreamID> ids(streams_count);
  std::vector<bool> is_new(streams_count, false);  // '>'
  for (size_t k = 0; k < streams_count; ++k) {
    std::string_view key = args[streams_arg + k];
    std::string_view idarg = args[streams_arg + streams_count + k];
    auto got = GetStream(db.FindRead(key));
    if (!got) return SendStatusError(ctx.reply, got.status());
    StreamObject* s = *got;
    if (group_name) {
      if (s == nullptr || s->FindGroup(*group_name) == nullptr) {
        return ctx.reply.SendError(NoGroupText(key, *group_name) +
                                   " in XREADGROUP with GROUP option");
      }
    }
    if (idarg == "$") {
      if (group_read) {
        return ctx.reply.SendError(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      }
      ids[k] = s ? s->last_id() : StreamID{};
      continue;
    }
    if (idarg == ">") {
      if (!group_read) {
        return ctx.reply.SendError(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
      }
      ids[k] = StreamID::Max();
      is_new[k] = true;
      continue;
    }
    auto id = ParseId(idarg, 0, true);
    if (!id) return ctx.reply.SendError(kInvalidIdErr);
    ids[k] = *id;
  }

  // Which streams can be served now. Replies are built into a side buffer because the
  // outer length is known only at the end.
  std::string body;
  ReplyBuilder rb(&body, ctx.reply.version());
  size_t served = 0;
  for (size_t k = 0; k < streams_count; ++k) {
    std::string_view key = args[streams_arg + k];
    auto got = GetStream(db.FindRead(key));
    StreamObject* s = got.ok() ? *got : nullptr;
    if (s == nullptr) continue;
    StreamID gt = ids[k];
    bool serve = false;
    bool history = false;
    StreamGroup* g = group_name ? s->FindGroup(*group_name) : nullptr;
    if (g != nullptr) {
      if (!is_new[k]) {
        serve = history = true;
      } else if (s->length() != 0) {
        StreamID maxid;
        if (s->LastEntryId(&maxid) && maxid > g->last_id) {
          serve = true;
          gt = g->last_id;
        }
      }
    } else if (s->length() != 0) {
      StreamID maxid;
      if (s->LastEntryId(&maxid) && maxid > gt) serve = true;
    }
    if (!serve) continue;
    ++served;
    if (!rb.resp3()) rb.SendArrayLen(2);
    rb.SendBulk(key);
    if (g != nullptr) {
      bool created = false;
      StreamConsumer* c = g->GetOrCreateConsumer(*consumer_name, ctx.now_ms, &created);
      if (created) GroupChanged(ctx, "xgroup-createconsumer", key);
      c->seen_time_ms = ctx.now_ms;
      std::vector<StreamID> delivered;
      const bool moved = ServeGroupRead(rb, ctx.now_ms, *s, *g, *c, gt, static_cast<size_t>(count),
                                        history, noack, &delivered);
      RecordGroupRead(ctx, key, *g, *group_name, *consumer_name, created, delivered, history, noack,
                      moved);
    } else {
      StreamID start = gt;
      if (!start.Incr()) {
        rb.SendEmptyArray();
        continue;
      }
      SendRange(rb, *s, start, StreamID::Max(), static_cast<size_t>(count), false);
    }
  }
  if (served == 0) {
    if (!block) return ctx.reply.SendNullArray();
    // Wait for XADD. "$" means "after the last ID now": the re-run must not move with
    // later entries, so it gets the ID itself.
    BlockSpec spec;
    spec.keys = args.subspan(streams_arg, streams_count);
    spec.deadline_ms = deadline_ms;
    spec.type = ValueType::kStream;
    spec.wake_on_delete = group_read;
    for (size_t k = 0; k < streams_count; ++k) {
      if (args[streams_arg + streams_count + k] == "$") {
        spec.rerun_args.assign(args.begin(), args.end());
        break;
      }
    }
    if (!spec.rerun_args.empty()) {
      for (size_t k = 0; k < streams_count; ++k) {
        std::string& a = spec.rerun_args[streams_arg + streams_count + k];
        if (a == "$") a = ids[k].ToString();
      }
    }
    return BlockClient(ctx, spec);
  }
  if (ctx.reply.resp3()) {
    ctx.reply.SendMapLen(served);
  } else {
    ctx.reply.SendArrayLen(served);
  }
  ctx.reply.SendRaw(body);
}

void CmdXRead(CmdArgs args, CommandContext& ctx) { ReadGeneric(args, ctx, false); }
void CmdXReadGroup(CmdArgs args, CommandContext& ctx) { ReadGeneric(args, ctx, true); }

// "ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP."
std::string SubcommandSyntaxText(std::string_view sub, std::string_view container) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(sub.substr(0, 128)) + "'. Try " + std::string(container) + " HELP.";
}

std::string NoConsumerGroupText(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" +
         std::string(key) + "'";
}

// XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER share Redis's checks (the key
// must exist unless MKSTREAM; most subcommands need the group).
void CmdXGroup(CmdArgs args, CommandContext& ctx) {
  std::string_view opt = args[1];
  bool create = EqualsNoCase(opt, "CREATE");
  bool setid = EqualsNoCase(opt, "SETID");
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  if (create) {
    for (size_t i = 5; i < args.size(); ++i) {
      if (EqualsNoCase(args[i], "MKSTREAM")) {
        mkstream = true;
      } else if (EqualsNoCase(args[i], "ENTRIESREAD") && i + 1 < args.size()) {
        auto v = ParseInt64(args[i + 1]);
        if (!v) return ctx.reply.SendError(kNotIntegerErr);
        if (*v < 0 && *v != kInvalidEntriesRead) {
          return ctx.reply.SendError("ERR value for ENTRIESREAD must be positive or -1");
        }
        entries_read = *v;
        ++i;
      } else {
        return ctx.reply.SendError(SubcommandSyntaxText(opt, "XGROUP"));
      }
    }
  } else if (setid && args.size() != 5) {
    if (args.size() != 7 || !EqualsNoCase(args[5], "ENTRIESREAD")) {
      return ctx.reply.SendError(SubcommandSyntaxText(opt, "XGROUP"));
    }
    auto v = ParseInt64(args[6]);
    if (!v) return ctx.reply.SendError(kNotIntegerErr);
    if (*v < 0 && *v != kInvalidEntriesRead) {
      return ctx.reply.SendError("ERR value for ENTRIESREAD must be positive or -1");
    }
    entries_read = *v;
  }

  std::string_view key = args[2];
  std::string_view group_name = args[3];
  auto got = GetStream(ctx.db().FindWrite(key));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamObject* s = *got;
  StreamGroup* g = nullptr;
  if (!mkstream) {
    if (s == nullptr) {
      return ctx.reply.SendError(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
          "want to use the MKSTREAM option to create an empty stream automatically.");
    }
    g = s->FindGroup(group_name);
    if (g == nullptr && !create && !EqualsNoCase(opt, "DESTROY")) {
      return ctx.reply.SendError(NoConsumerGroupText(group_name, key));
    }
  }

  if (create) {
    StreamID id;
    if (args[4] == "$") {
      id = s ? s->last_id() : StreamID{};
    } else {
      auto parsed = ParseId(args[4], 0, true);
      if (!parsed) return ctx.reply.SendError(kInvalidIdErr);
      id = *parsed;
    }
    if (s == nullptr) {
      s = CreateStream(ctx, key);
      // MKSTREAM creates the key: a modification signal, but (as Redis) the group's
      // creation is the one change counted.
      ctx.Notify(kNotifyNewKey, "new", key);
      ctx.keyspace.SignalModified(ctx.client.db_index(), key);
    }
    if (s->CreateGroup(group_name, id, entries_read) == nullptr) {
      return ctx.reply.SendError(kBusyGroupErr);
    }
    GroupChanged(ctx, "xgroup-create", key);
    return ctx.reply.SendOk();
  }
  if (setid) {
    StreamID id;
    if (args[4] == "$") {
      id = s->last_id();
    } else {
      auto parsed = ParseId(args[4], 0, false);
      if (!parsed) return ctx.reply.SendError(kInvalidIdErr);
      id = *parsed;
    }
    g->last_id = id;
    g->entries_read = entries_read;
    GroupChanged(ctx, "xgroup-setid", key);
    return ctx.reply.SendOk();
  }
  if (EqualsNoCase(opt, "DESTROY")) {
    if (g == nullptr) return ctx.reply.SendLong(0);
    s->DestroyGroup(group_name);
    GroupChanged(ctx, "xgroup-destroy", key);
    // Blocked XREADGROUP readers of this group get their NOGROUP error.
    SignalKeyReady(ctx, key);
    return ctx.reply.SendLong(1);
  }
  if (EqualsNoCase(opt, "CREATECONSUMER")) {
    bool created = false;
    g->GetOrCreateConsumer(args[4], ctx.now_ms, &created);
    if (created) GroupChanged(ctx, "xgroup-createconsumer", key);
    return ctx.reply.SendLong(created ? 1 : 0);
  }
  if (EqualsNoCase(opt, "DELCONSUMER")) {
    // The reply is the consumer's pending count; -1 would not fit, so look first.
    const bool existed = g->FindConsumer(args[4]) != nullptr;
    const auto pending = static_cast<int64_t>(g->DeleteConsumer(args[4]));
    if (existed) GroupChanged(ctx, "xgroup-delconsumer", key);
    return ctx.reply.SendLong(pending);
  }
  ctx.reply.SendError(SubcommandSyntaxText(opt, "XGROUP"));
}

void SendHelp(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.SendArrayLen(lines.size());
  for (std::string_view l : lines) ctx.reply.SendSimple(l);
}

void CmdXGroupHelp(CmdArgs, CommandContext& ctx) {
  SendHelp(
      ctx,
      {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
       "CREATE <key> <groupname> <id|$> [option]",
       "    Create a new consumer group. Options are:", "    * MKSTREAM",
       "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
       "      Set the group's entries_read counter (internal use).",
       "CREATECONSUMER <key> <groupname> <consumer>",
       "    Create a new consumer in the specified group.",
       "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
       "DESTROY <key> <groupname>", "    Remove the specified group.",
       "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
       "    Set the current group ID and entries_read counter.", "HELP", "    Prints this help."});
}

void CmdXInfoHelp(CmdArgs, CommandContext& ctx) {
  SendHelp(ctx,
           {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
            "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.", "HELP", "    Prints this help."});
}

void CmdXAck(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamGroup* g = *got ? (*got)->FindGroup(args[2]) : nullptr;
  // No key or group: nothing to acknowledge, and (as 7.0) the IDs are not even checked.
  if (g == nullptr) return ctx.reply.SendLong(0);
  std::vector<StreamID> ids;
  ids.reserve(args.size() - 3);
  for (size_t j = 3; j < args.size(); ++j) {
    auto id = ParseId(args[j], 0, true);
    if (!id) return ctx.reply.SendError(kInvalidIdErr);
    ids.push_back(*id);
  }
  int64_t acked = 0;
  for (const StreamID& id : ids) acked += g->Ack(id) ? 1 : 0;
  if (acked > 0) GroupChanged(ctx, "", args[1], static_cast<uint64_t>(acked));
  ctx.reply.SendLong(acked);
}

void CmdXPending(CmdArgs args, CommandContext& ctx) {
  bool justinfo = args.size() == 3;
  if (args.size() != 3 && (args.size() < 6 || args.size() > 9)) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  StreamID start, end;
  int64_t count = 0;
  int64_t minidle = 0;
  std::optional<std::string_view> consumer_name;
  if (args.size() >= 6) {
    size_t si = 3;
    if (EqualsNoCase(args[3], "IDLE")) {
      auto v = ParseInt64(args[4]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      minidle = *v;
      if (args.size() < 8) return ctx.reply.SendError(kSyntaxErr);
      si += 2;
    }
    auto c = ParseInt64(args[si + 2]);
    if (!c) return ctx.reply.SendError(kNotIntegerErr);
    count = *c < 0 ? 0 : *c;
    bool startex = false, endex = false;
    auto st = ParseIntervalId(args[si], 0, &startex);
    if (!st) return ctx.reply.SendError(kInvalidIdErr);
    if (startex && !st->Incr()) return ctx.reply.SendError(kBadStartErr);
    auto en = ParseIntervalId(args[si + 1], UINT64_MAX, &endex);
    if (!en) return ctx.reply.SendError(kInvalidIdErr);
    if (endex && !en->Decr()) return ctx.reply.SendError(kBadEndErr);
    start = *st;
    end = *en;
    if (si + 3 < args.size()) consumer_name = args[si + 3];
  }
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamGroup* g = *got ? (*got)->FindGroup(args[2]) : nullptr;
  if (g == nullptr) return ctx.reply.SendError(NoGroupText(args[1], args[2]));
  ReplyBuilder& rb = ctx.reply;
  if (justinfo) {
    rb.SendArrayLen(4);
    rb.SendLong(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      rb.SendNull();
      rb.SendNull();
      rb.SendNullArray();
      return;
    }
    SendId(rb, g->pel.begin()->first);
    SendId(rb, g->pel.rbegin()->first);
    size_t n = 0;
    for (const auto& [name, c] : g->consumers) n += c->pel.empty() ? 0 : 1;
    rb.SendArrayLen(n);
    for (const auto& [name, c] : g->consumers) {
      if (c->pel.empty()) continue;
      rb.SendArrayLen(2);
      rb.SendBulk(name);
      rb.SendBulk(std::to_string(c->pel.size()));
    }
    return;
  }
  StreamConsumer* consumer = nullptr;
  if (consumer_name) {
    consumer = g->FindConsumer(*consumer_name);
    if (consumer == nullptr) return rb.SendEmptyArray();
  }
  struct Row {
    StreamID id;
    const StreamPendingEntry* pe;
  };
  std::vector<Row> rows;
  auto consider = [&](const StreamID& id, const StreamPendingEntry& pe) {
    if (minidle != 0 && ctx.now_ms - pe.delivery_time_ms < minidle) return;
    rows.push_back({id, &pe});
    --count;
  };
  if (consumer != nullptr) {
    for (auto it = consumer->pel.lower_bound(start);
         count > 0 && it != consumer->pel.end() && *it <= end; ++it) {
      consider(*it, g->pel.at(*it));
    }
  } else {
    for (auto it = g->pel.lower_bound(start); count > 0 && it != g->pel.end() && it->first <= end;
         ++it) {
      consider(it->first, it->second);
    }
  }
  rb.SendArrayLen(rows.size());
  for (const Row& r : rows) {
    rb.SendArrayLen(4);
    SendId(rb, r.id);
    rb.SendBulk(r.pe->consumer->name);
    rb.SendLong(std::max<int64_t>(ctx.now_ms - r.pe->delivery_time_ms, 0));
    rb.SendLong(static_cast<int64_t>(r.pe->delivery_count));
  }
}

void CmdXClaim(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamObject* s = *got;
  StreamGroup* g = s ? s->FindGroup(args[2]) : nullptr;
  if (g == nullptr) return ctx.reply.SendError(NoGroupText(args[1], args[2]));
  auto minidle_v = ParseInt64(args[4]);
  if (!minidle_v) return ctx.reply.SendError("ERR Invalid min-idle-time argument for XCLAIM");
  int64_t minidle = std::max<int64_t>(*minidle_v, 0);

  std::vector<StreamID> ids;
  size_t j = 5;
  for (; j < args.size(); ++j) {
    auto id = ParseId(args[j], 0, true);
    if (!id) break;
    ids.push_back(*id);
  }
  const int64_t now = ctx.now_ms;
  int64_t retrycount = -1;
  int64_t deliverytime = -1;
  bool force = false, justid = false;
  StreamID last_id;
  for (; j < args.size(); ++j) {
    size_t more = args.size() - 1 - j;
    std::string_view opt = args[j];
    if (EqualsNoCase(opt, "FORCE")) {
      force = true;
    } else if (EqualsNoCase(opt, "JUSTID")) {
      justid = true;
    } else if (EqualsNoCase(opt, "IDLE") && more) {
      auto v = ParseInt64(args[++j]);
      if (!v) return ctx.reply.SendError("ERR Invalid IDLE option argument for XCLAIM");
      // Wraps as Redis's signed arithmetic would not: clamp instead (the result is
      // replaced by now below when out of range anyway).
      deliverytime = *v < 0 ? now + 1 : (*v > now ? -2 : now - *v);
    } else if (EqualsNoCase(opt, "TIME") && more) {
      auto v = ParseInt64(args[++j]);
      if (!v) return ctx.reply.SendError("ERR Invalid TIME option argument for XCLAIM");
      deliverytime = *v == -1 ? -2 : *v;
    } else if (EqualsNoCase(opt, "RETRYCOUNT") && more) {
      auto v = ParseInt64(args[++j]);
      if (!v) return ctx.reply.SendError("ERR Invalid RETRYCOUNT option argument for XCLAIM");
      retrycount = *v;
    } else if (EqualsNoCase(opt, "LASTID") && more) {
      auto v = ParseId(args[++j], 0, true);
      if (!v) return ctx.reply.SendError(kInvalidIdErr);
      last_id = *v;
    } else {
      return ctx.reply.SendError("ERR Unrecognized XCLAIM option '" + std::string(EchoedArg(opt)) +
                                 "'");
    }
  }
  // Changes as Redis counts them: the group's last ID moved, each entry claimed and each
  // PEL entry dropped because its entry was deleted.
  uint64_t changes = 0;
  bool propagate_last_id = false;  // an XCLAIM recorded below carries it otherwise
  if (last_id > g->last_id) {
    g->last_id = last_id;
    ++changes;
    propagate_last_id = true;
  }
  if (deliverytime == -1) {
    deliverytime = now;
  } else if (deliverytime < 0 || deliverytime > now) {
    deliverytime = now;
  }

  std::string body;
  ReplyBuilder rb(&body, ctx.reply.version());
  size_t n = 0;
  StreamConsumer* consumer = nullptr;
  FieldList fields;
  for (const StreamID& id : ids) {
    auto pit = g->pel.find(id);
    if (!s->Lookup(id, &fields)) {
      // The entry is gone: drop it from the PEL. Redis records an XCLAIM of it as it
      // was (its owner, time and count): the replay drops it the same way.
      if (pit != g->pel.end()) {
        if (ctx.propagating) {
          PropagateClaim(
              ctx, args[1], args[2],
              pit->second.consumer ? std::string_view(pit->second.consumer->name) : args[3], id,
              pit->second, g->last_id);
          propagate_last_id = false;
        }
        pit->second.consumer->pel.erase(id);
        g->pel.erase(pit);
        ++changes;
      }
      continue;
    }
    if (force && pit == g->pel.end()) {
      pit = g->pel.emplace(id, StreamPendingEntry{now, 1, nullptr}).first;
    }
    if (pit == g->pel.end()) continue;
    StreamPendingEntry& pe = pit->second;
    if (pe.consumer != nullptr && minidle != 0 && now - pe.delivery_time_ms < minidle) continue;
    if (consumer == nullptr) {
      consumer = ConsumerFor(ctx, *g, args[3], args[1]);
      consumer->seen_time_ms = now;
    }
    ++changes;
    if (pe.consumer != consumer && pe.consumer != nullptr) pe.consumer->pel.erase(id);
    pe.delivery_time_ms = deliverytime;
    if (retrycount >= 0) {
      pe.delivery_count = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++pe.delivery_count;
    }
    if (pe.consumer != consumer) {
      consumer->pel.insert(id);
      pe.consumer = consumer;
    }
    if (justid) {
      SendId(rb, id);
    } else {
      SendEntry(rb, id, fields);
    }
    ++n;
    if (ctx.propagating) {
      PropagateClaim(ctx, args[1], args[2], args[3], id, pe, g->last_id);
      propagate_last_id = false;
    }
  }
  if (changes > 0) GroupChanged(ctx, "", args[1], changes);
  if (ctx.propagating) {
    if (propagate_last_id) PropagateGroupId(ctx, args[1], args[2], *g);
    PreventPropagation(ctx);
  }
  ctx.reply.SendArrayLen(n);
  ctx.reply.SendRaw(body);
}

void CmdXAutoClaim(CmdArgs args, CommandContext& ctx) {
  constexpr int64_t kAttemptsFactor = 10;
  auto minidle_v = ParseInt64(args[4]);
  if (!minidle_v) return ctx.reply.SendError("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  int64_t minidle = std::max<int64_t>(*minidle_v, 0);
  bool startex = false;
  auto start = ParseIntervalId(args[5], 0, &startex);
  if (!start) return ctx.reply.SendError(kInvalidIdErr);
  if (startex && !start->Incr()) return ctx.reply.SendError(kBadStartErr);
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < args.size(); ++j) {
    size_t more = args.size() - 1 - j;
    if (EqualsNoCase(args[j], "COUNT") && more) {
      // Redis caps COUNT so that COUNT * attempts factor cannot overflow.
      constexpr int64_t kMaxCount = std::numeric_limits<int64_t>::max() / 16;
      auto v = ParseInt64(args[j + 1]);
      if (!v || *v < 1 || *v > kMaxCount) return ctx.reply.SendError("ERR COUNT must be > 0");
      count = *v;
      ++j;
    } else if (EqualsNoCase(args[j], "JUSTID")) {
      justid = true;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  auto got = GetStream(ctx.db().FindRead(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamObject* s = *got;
  StreamGroup* g = s ? s->FindGroup(args[2]) : nullptr;
  if (g == nullptr) return ctx.reply.SendError(NoGroupText(args[1], args[2]));

  // Redis allocates COUNT IDs up front and fails when malloc refuses; a request for more
  // than the 128 TiB user address space could never be served, so refuse it the same way.
  // We allocate nothing per COUNT (the vectors below grow with what is found:
  // CVE-2022-35951).
  if (static_cast<uint64_t>(count) > (uint64_t{1} << 47) / sizeof(StreamID)) {
    return ctx.reply.SendError(
        "ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
  }
  const int64_t now = ctx.now_ms;
  int64_t attempts = count * kAttemptsFactor;
  std::vector<StreamID> deleted;
  std::string body;
  ReplyBuilder rb(&body, ctx.reply.version());
  size_t n = 0;
  StreamConsumer* consumer = nullptr;
  FieldList fields;
  auto it = g->pel.lower_bound(*start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    StreamID id = it->first;
    StreamPendingEntry& pe = it->second;
    if (!s->Lookup(id, &fields)) {
      if (ctx.propagating)
        PropagateClaim(ctx, args[1], args[2], pe.consumer->name, id, pe, g->last_id);
      pe.consumer->pel.erase(id);
      it = g->pel.erase(it);
      deleted.push_back(id);
      --count;
      continue;
    }
    ++it;
    if (minidle != 0 && now - pe.delivery_time_ms < minidle) continue;
    if (consumer == nullptr) {
      consumer = ConsumerFor(ctx, *g, args[3], args[1]);
      consumer->seen_time_ms = now;
    }
    if (pe.consumer != consumer) {
      pe.consumer->pel.erase(id);
      consumer->pel.insert(id);
      pe.consumer = consumer;
    }
    pe.delivery_time_ms = now;
    if (!justid) ++pe.delivery_count;
    if (justid) {
      SendId(rb, id);
    } else {
      SendEntry(rb, id, fields);
    }
    ++n;
    --count;
    if (ctx.propagating) PropagateClaim(ctx, args[1], args[2], args[3], id, pe, g->last_id);
  }
  // One change per entry claimed or dropped from the PEL.
  if (n + deleted.size() > 0) GroupChanged(ctx, "", args[1], n + deleted.size());
  if (ctx.propagating) PreventPropagation(ctx);
  ReplyBuilder& out = ctx.reply;
  out.SendArrayLen(3);
  SendId(out, it == g->pel.end() ? StreamID{} : it->first);
  out.SendArrayLen(n);
  out.SendRaw(body);
  out.SendArrayLen(deleted.size());
  for (const StreamID& id : deleted) SendId(out, id);
}

// Nodes a Redis rax would have for these 16-byte big-endian keys (XINFO's
// radix-tree-nodes): a compressed node for each shared run, a branching node where keys
// diverge, and a leaf per key. keys are sorted and distinct, all of length kLen.
constexpr size_t kRaxKeyLen = 16;
int64_t RaxNodes(const std::vector<std::array<uint8_t, kRaxKeyLen>>& keys, size_t lo, size_t hi,
                 size_t depth) {
  if (hi - lo == 1) return depth == kRaxKeyLen ? 1 : 2;
  // Shared run from depth: the first and last keys bound it (sorted input).
  size_t cp = 0;
  while (depth + cp < kRaxKeyLen && keys[lo][depth + cp] == keys[hi - 1][depth + cp]) ++cp;
  int64_t n = cp > 0 ? 1 : 0;
  depth += cp;
  n += 1;  // the branching node
  for (size_t i = lo; i < hi;) {
    size_t j = i;
    while (j < hi && keys[j][depth] == keys[i][depth]) ++j;
    n += RaxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return n;
}

int64_t RadixNodes(const StreamObject& s) {
  std::vector<std::array<uint8_t, kRaxKeyLen>> keys;
  keys.reserve(s.node_count());
  s.ForEachNodeKey([&](const StreamID& id) {
    std::array<uint8_t, kRaxKeyLen> k{};
    for (int b = 0; b < 8; ++b) {
      k[static_cast<size_t>(b)] = static_cast<uint8_t>(id.ms >> (56 - 8 * b));
      k[static_cast<size_t>(8 + b)] = static_cast<uint8_t>(id.seq >> (56 - 8 * b));
    }
    keys.push_back(k);
  });
  if (keys.empty()) return 1;  // the empty root
  return RaxNodes(keys, 0, keys.size(), 0);
}

void SendGroupLag(ReplyBuilder& rb, const StreamObject& s, const StreamGroup& g) {
  if (s.entries_added() == 0) return rb.SendLong(0);
  if (g.entries_read != kInvalidEntriesRead && !s.RangeHasTombstones(g.last_id, StreamID::Max())) {
    return rb.SendLong(WrapSub(s.entries_added(), g.entries_read));
  }
  int64_t read = s.EstimateDistanceFromFirstEverEntry(g.last_id);
  if (read == kInvalidEntriesRead) return rb.SendNull();
  rb.SendLong(WrapSub(s.entries_added(), read));
}

void SendEntriesRead(ReplyBuilder& rb, const StreamGroup& g) {
  if (g.entries_read == kInvalidEntriesRead) return rb.SendNull();
  rb.SendLong(g.entries_read);
}

void CmdXInfoStream(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[2]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendError(kNoSuchKeyErr);
  const StreamObject& s = **got;
  bool full = false;
  int64_t count = 10;
  size_t optc = args.size() - 3;
  if (optc != 0) {
    if ((optc != 1 && optc != 3) || !EqualsNoCase(args[3], "FULL")) {
      return ctx.reply.SendError(SubcommandSyntaxText(args[1], "XINFO"));
    }
    full = true;
    if (optc == 3) {
      if (!EqualsNoCase(args[4], "COUNT")) {
        return ctx.reply.SendError(SubcommandSyntaxText(args[1], "XINFO"));
      }
      auto v = ParseInt64(args[5]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      count = *v < 0 ? 10 : *v;
    }
  }
  ReplyBuilder& rb = ctx.reply;
  rb.SendMapLen(full ? 9 : 10);
  rb.SendBulk("length");
  rb.SendLong(static_cast<int64_t>(s.length()));
  rb.SendBulk("radix-tree-keys");
  rb.SendLong(static_cast<int64_t>(s.node_count()));
  rb.SendBulk("radix-tree-nodes");
  rb.SendLong(RadixNodes(s));
  rb.SendBulk("last-generated-id");
  SendId(rb, s.last_id());
  rb.SendBulk("max-deleted-entry-id");
  SendId(rb, s.max_deleted_id());
  rb.SendBulk("entries-added");
  rb.SendLong(static_cast<int64_t>(s.entries_added()));
  rb.SendBulk("recorded-first-entry-id");
  SendId(rb, s.first_id());
  if (!full) {
    rb.SendBulk("groups");
    rb.SendLong(static_cast<int64_t>(s.group_count()));
    rb.SendBulk("first-entry");
    StreamID id;
    // (A failed lookup still sends a null: the map's length is already out.)
    if (!s.FirstEntryId(&id) || !SendOneEntry(rb, s, id)) rb.SendNull();
    rb.SendBulk("last-entry");
    if (!s.LastEntryId(&id) || !SendOneEntry(rb, s, id)) rb.SendNull();
    return;
  }
  auto limit = static_cast<size_t>(count);  // 0: everything
  rb.SendBulk("entries");
  SendRange(rb, s, StreamID::Min(), StreamID::Max(), limit, false);
  rb.SendBulk("groups");
  rb.SendArrayLen(s.group_count());
  for (const auto& [name, g] : s.groups()) {
    rb.SendMapLen(7);
    rb.SendBulk("name");
    rb.SendBulk(name);
    rb.SendBulk("last-delivered-id");
    SendId(rb, g->last_id);
    rb.SendBulk("entries-read");
    SendEntriesRead(rb, *g);
    rb.SendBulk("lag");
    SendGroupLag(rb, s, *g);
    rb.SendBulk("pel-count");
    rb.SendLong(static_cast<int64_t>(g->pel.size()));
    rb.SendBulk("pending");
    size_t np = limit == 0 ? g->pel.size() : std::min(limit, g->pel.size());
    rb.SendArrayLen(np);
    size_t k = 0;
    for (auto it = g->pel.begin(); k < np; ++it, ++k) {
      rb.SendArrayLen(4);
      SendId(rb, it->first);
      rb.SendBulk(it->second.consumer->name);
      rb.SendLong(it->second.delivery_time_ms);
      rb.SendLong(static_cast<int64_t>(it->second.delivery_count));
    }
    rb.SendBulk("consumers");
    rb.SendArrayLen(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      rb.SendMapLen(4);
      rb.SendBulk("name");
      rb.SendBulk(cname);
      rb.SendBulk("seen-time");
      rb.SendLong(c->seen_time_ms);
      rb.SendBulk("pel-count");
      rb.SendLong(static_cast<int64_t>(c->pel.size()));
      rb.SendBulk("pending");
      size_t nc = limit == 0 ? c->pel.size() : std::min(limit, c->pel.size());
      rb.SendArrayLen(nc);
      size_t m = 0;
      for (auto it = c->pel.begin(); m < nc; ++it, ++m) {
        const StreamPendingEntry& pe = g->pel.at(*it);
        rb.SendArrayLen(3);
        SendId(rb, *it);
        rb.SendLong(pe.delivery_time_ms);
        rb.SendLong(static_cast<int64_t>(pe.delivery_count));
      }
    }
  }
}

void CmdXInfoGroups(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[2]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendError(kNoSuchKeyErr);
  const StreamObject& s = **got;
  ReplyBuilder& rb = ctx.reply;
  rb.SendArrayLen(s.group_count());
  for (const auto& [name, g] : s.groups()) {
    rb.SendMapLen(6);
    rb.SendBulk("name");
    rb.SendBulk(name);
    rb.SendBulk("consumers");
    rb.SendLong(static_cast<int64_t>(g->consumers.size()));
    rb.SendBulk("pending");
    rb.SendLong(static_cast<int64_t>(g->pel.size()));
    rb.SendBulk("last-delivered-id");
    SendId(rb, g->last_id);
    rb.SendBulk("entries-read");
    SendEntriesRead(rb, *g);
    rb.SendBulk("lag");
    SendGroupLag(rb, s, *g);
  }
}

void CmdXInfoConsumers(CmdArgs args, CommandContext& ctx) {
  auto got = GetStream(ctx.db().FindRead(args[2]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  if (*got == nullptr) return ctx.reply.SendError(kNoSuchKeyErr);
  StreamGroup* g = (*got)->FindGroup(args[3]);
  if (g == nullptr) return ctx.reply.SendError(NoConsumerGroupText(args[3], args[2]));
  ReplyBuilder& rb = ctx.reply;
  rb.SendArrayLen(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    rb.SendMapLen(3);
    rb.SendBulk("name");
    rb.SendBulk(name);
    rb.SendBulk("pending");
    rb.SendLong(static_cast<int64_t>(c->pel.size()));
    rb.SendBulk("idle");
    rb.SendLong(std::max<int64_t>(ctx.now_ms - c->seen_time_ms, 0));
  }
}

void CmdXSetId(CmdArgs args, CommandContext& ctx) {
  auto id = ParseId(args[2], 0, true);
  if (!id) return ctx.reply.SendError(kInvalidIdErr);
  StreamID max_xdel;
  int64_t entries_added = -1;
  for (size_t i = 3; i < args.size();) {
    size_t more = args.size() - 1 - i;
    if (EqualsNoCase(args[i], "ENTRIESADDED") && more) {
      auto v = ParseInt64(args[i + 1]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      if (*v < 0) return ctx.reply.SendError("ERR entries_added must be positive");
      entries_added = *v;
      i += 2;
    } else if (EqualsNoCase(args[i], "MAXDELETEDID") && more) {
      auto v = ParseId(args[i + 1], 0, true);
      if (!v) return ctx.reply.SendError(kInvalidIdErr);
      if (*id < *v) {
        return ctx.reply.SendError(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
      max_xdel = *v;
      i += 2;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  auto got = GetStream(ctx.db().FindWrite(args[1]));
  if (!got) return SendStatusError(ctx.reply, got.status());
  StreamObject* s = *got;
  if (s == nullptr) return ctx.reply.SendError(kNoSuchKeyErr);
  if (s->length() > 0) {
    StreamID maxid;
    s->LastEntryId(&maxid);
    if (*id < maxid) {
      return ctx.reply.SendError(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added)) {
      return ctx.reply.SendError(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s->set_last_id(*id);
  if (entries_added != -1) s->set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_xdel.IsZero()) s->set_max_deleted_id(max_xdel);
  ctx.KeyChanged(kNotifyStream, "xsetid", args[1]);
  ctx.reply.SendOk();
}

}  // namespace

void RegisterStreamFamily(CommandTable& t) {
  auto row = [](std::string_view name, int arity, uint32_t flags, int first, int last, int step,
                CommandHandler h, CommandDoc doc, std::string_view tips = {}) {
    return CommandSpec{.name = name,
                       .arity = arity,
                       .flags = flags,
                       .first_key = first,
                       .last_key = last,
                       .step = step,
                       .acl_categories = kAclStream,
                       .handler = h,
                       .doc = doc,
                       .subcommands = {},
                       .tips = tips};
  };
  constexpr uint32_t kWF = kCmdWrite | kCmdFast;
  t.Register(row("xadd", -5, kWF | kCmdDenyOom, 1, 1, 1, CmdXAdd,
                 {"Appends a new message to a stream. Creates the key if it doesn't exist.",
                  "5.0.0", "stream", "O(1) when adding a new entry, O(N) when trimming"},
                 "nondeterministic_output"));
  t.Register(row("xlen", 2, kCmdReadOnly | kCmdFast, 1, 1, 1, CmdXLen,
                 {"Return the number of messages in a stream.", "5.0.0", "stream", "O(1)"}));
  t.Register(row("xrange", -4, kCmdReadOnly, 1, 1, 1, CmdXRange,
                 {"Returns the messages from a stream within a range of IDs.", "5.0.0", "stream",
                  "O(N) with N being the number of elements being returned."}));
  t.Register(row("xrevrange", -4, kCmdReadOnly, 1, 1, 1, CmdXRevRange,
                 {"Returns the messages from a stream within a range of IDs in reverse order.",
                  "5.0.0", "stream", "O(N) with N being the number of elements returned."}));
  t.Register(row("xdel", -3, kWF, 1, 1, 1, CmdXDel,
                 {"Returns the number of messages after removing them from a stream.", "5.0.0",
                  "stream", "O(1) for each single item to delete in the stream"}));
  t.Register(row("xtrim", -4, kCmdWrite, 1, 1, 1, CmdXTrim,
                 {"Deletes messages from the beginning of a stream.", "5.0.0", "stream",
                  "O(N), with N being the number of evicted entries."},
                 "nondeterministic_output"));
  t.Register(row("xread", -4, kCmdReadOnly | kCmdBlocking | kCmdMovableKeys, 0, 0, 0, CmdXRead,
                 {"Returns messages from multiple streams with IDs greater than the ones "
                  "requested. Blocks until a message is available otherwise.",
                  "5.0.0", "stream", "O(N) with N being the number of elements returned"}));
  t.Register(row("xreadgroup", -7, kCmdWrite | kCmdBlocking | kCmdMovableKeys, 0, 0, 0,
                 CmdXReadGroup,
                 {"Returns new or historical messages from a stream for a consumer in a group. "
                  "Blocks until a message is available otherwise.",
                  "5.0.0", "stream", "O(M) with M being the number of elements returned."}));
  t.Register(row("xack", -4, kWF, 1, 1, 1, CmdXAck,
                 {"Returns the number of messages that were successfully acknowledged by the "
                  "consumer group member of a stream.",
                  "5.0.0", "stream", "O(1) for each message ID processed."}));
  t.Register(row("xpending", -3, kCmdReadOnly, 1, 1, 1, CmdXPending,
                 {"Returns the information and entries from a stream consumer group's pending "
                  "entries list.",
                  "5.0.0", "stream", "O(N) with N being the number of elements returned"},
                 "nondeterministic_output"));
  t.Register(row("xclaim", -6, kWF, 1, 1, 1, CmdXClaim,
                 {"Changes, or acquires, ownership of a message in a consumer group, as if the "
                  "message was delivered a consumer group member.",
                  "5.0.0", "stream", "O(log N) with N being the number of messages in the PEL"},
                 "nondeterministic_output"));
  t.Register(row("xautoclaim", -6, kWF, 1, 1, 1, CmdXAutoClaim,
                 {"Changes, or acquires, ownership of messages in a consumer group, as if the "
                  "messages were delivered to as consumer group member.",
                  "6.2.0", "stream", "O(1) if COUNT is small."},
                 "nondeterministic_output"));
  t.Register(
      row("xsetid", -3, kWF | kCmdDenyOom, 1, 1, 1, CmdXSetId,
          {"An internal command for replicating stream values.", "5.0.0", "stream", "O(1)"}));

  CommandSpec xgroup{.name = "xgroup",
                     .arity = -2,
                     .flags = 0,
                     .first_key = 0,
                     .last_key = 0,
                     .step = 0,
                     .acl_categories = 0,
                     .handler = nullptr,
                     .doc = {"A container for consumer groups commands.", "5.0.0", "stream",
                             "Depends on subcommand."}};
  xgroup.subcommands.push_back(row("xgroup|create", -5, kCmdWrite | kCmdDenyOom, 2, 2, 1, CmdXGroup,
                                   {"Creates a consumer group.", "5.0.0", "stream", "O(1)"}));
  xgroup.subcommands.push_back(
      row("xgroup|createconsumer", 5, kCmdWrite | kCmdDenyOom, 2, 2, 1, CmdXGroup,
          {"Creates a consumer in a consumer group.", "6.2.0", "stream", "O(1)"}));
  xgroup.subcommands.push_back(
      row("xgroup|delconsumer", 5, kCmdWrite, 2, 2, 1, CmdXGroup,
          {"Deletes a consumer from a consumer group.", "5.0.0", "stream", "O(1)"}));
  xgroup.subcommands.push_back(
      row("xgroup|destroy", 4, kCmdWrite, 2, 2, 1, CmdXGroup,
          {"Destroys a consumer group.", "5.0.0", "stream",
           "O(N) where N is the number of entries in the group's pending entries list (PEL)."}));
  xgroup.subcommands.push_back(
      row("xgroup|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdXGroupHelp,
          {"Returns helpful text about the different subcommands.", "5.0.0", "stream", "O(1)"}));
  xgroup.subcommands.push_back(
      row("xgroup|setid", -5, kCmdWrite, 2, 2, 1, CmdXGroup,
          {"Sets the last-delivered ID of a consumer group.", "5.0.0", "stream", "O(1)"}));
  t.Register(std::move(xgroup));

  CommandSpec xinfo{.name = "xinfo",
                    .arity = -2,
                    .flags = 0,
                    .first_key = 0,
                    .last_key = 0,
                    .step = 0,
                    .acl_categories = 0,
                    .handler = nullptr,
                    .doc = {"A container for stream introspection commands.", "5.0.0", "stream",
                            "Depends on subcommand."}};
  xinfo.subcommands.push_back(
      row("xinfo|consumers", 4, kCmdReadOnly, 2, 2, 1, CmdXInfoConsumers,
          {"Returns a list of the consumers in a consumer group.", "5.0.0", "stream", "O(1)"},
          "nondeterministic_output"));
  xinfo.subcommands.push_back(
      row("xinfo|groups", 3, kCmdReadOnly, 2, 2, 1, CmdXInfoGroups,
          {"Returns a list of the consumer groups of a stream.", "5.0.0", "stream", "O(1)"}));
  xinfo.subcommands.push_back(
      row("xinfo|help", 2, kCmdLoading | kCmdStale, 0, 0, 0, CmdXInfoHelp,
          {"Returns helpful text about the different subcommands.", "5.0.0", "stream", "O(1)"}));
  xinfo.subcommands.push_back(
      row("xinfo|stream", -3, kCmdReadOnly, 2, 2, 1, CmdXInfoStream,
          {"Returns information about a stream.", "5.0.0", "stream",
           "O(1) for the summary, O(N) with FULL where N is the number of entries returned"}));
  t.Register(std::move(xinfo));
}

}  // namespace gannet
