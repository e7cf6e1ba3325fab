// The HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST. An HLL is a
// plain string value in Redis's byte format (hyperloglog.h), so GET/SET/DUMP move it
// between Gannet and Redis unchanged. Like Redis, every command that touches an HLL leaves
// the value labelled "raw", and PFCOUNT of one key stores the estimate it computed in the
// value's header (a read that writes).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "hyperloglog.h"

namespace gannet {

namespace {

constexpr std::string_view kNotHllErr = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorruptHllErr = "INVALIDOBJ Corrupted HLL object detected";

enum class HllCheck : uint8_t { kOk, kWrongType, kNotHll };

HllCheck CheckHll(const Value& v) {
  if (!v.IsString()) return HllCheck::kWrongType;
  if (!hll::LooksLikeHll(v.AsString())) return HllCheck::kNotHll;
  return HllCheck::kOk;
}

// Sends the error for a failed check; false when it sent one.
bool ReplyCheck(HllCheck c, CommandContext& ctx) {
  if (c == HllCheck::kWrongType) {
    ctx.reply.SendError(kWrongTypeErr);
    return false;
  }
  if (c == HllCheck::kNotHll) {
    ctx.reply.SendError(kNotHllErr);
    return false;
  }
  return true;
}

size_t SparseMaxBytes(const CommandContext& ctx) {
  return static_cast<size_t>(std::max<int64_t>(0, ctx.config().hll_sparse_max_bytes));
}

// Stores a rebuilt HLL string into v, labelled raw (Redis's HLL values always are).
void StoreHll(Value& v, const std::string& h) {
  v.AssignString(h);
  v.set_encoding(Encoding::kRaw);
}

// ---------------------------------------------------------------------------------------
// Keyspace operations

// PFADD: returns the changes made, Redis's count: one for creating the key and one per
// element that raised a register (0: nothing changed). *created tells whether the key is
// new. kSkipped stands for "corrupted" (the caller sends INVALIDOBJ); kWrongType and
// kSyntaxError (not an HLL) are the type errors.
Result<int64_t> OpPfAdd(Database& db, std::string_view key, CmdArgs elements, size_t sparse_max,
                        bool* created) {
  Entry* e = db.FindWrite(key);
  bool updated = false;
  int64_t changes = 0;
  if (e == nullptr) {
    Value v = Value::String(hll::CreateEmpty());
    v.set_encoding(Encoding::kRaw);
    e = db.Insert(key, std::move(v));
    updated = true;
    *created = true;
    changes = 1;
  } else {
    HllCheck c = CheckHll(e->value);
    if (c == HllCheck::kWrongType) return OpStatus::kWrongType;
    if (c == HllCheck::kNotHll) return OpStatus::kSyntaxError;
  }
  Value& v = e->value;
  v.set_encoding(Encoding::kRaw);
  if (hll::EncodingOf(v.AsString()) == hll::kDense) {
    // Dense: patch the one or two bytes of each grown register in place.
    for (std::string_view ele : elements) {
      const hll::Pattern pat = hll::PatternOf(ele);
      const auto* regs = reinterpret_cast<const uint8_t*>(v.AsString().data()) + hll::kHeaderSize;
      if (hll::GetDenseRegister(regs, pat.index) >= pat.count) continue;
      uint8_t bytes[2];
      auto [first, n] = hll::DensePatch(regs, pat.index, pat.count, bytes);
      v.SetRange(hll::kHeaderSize + first,
                 std::string_view(reinterpret_cast<const char*>(bytes), n));
      updated = true;
      ++changes;
    }
    if (updated) {
      const char flag = static_cast<char>(static_cast<uint8_t>(v.AsString()[hll::kCardFlagOffset]) |
                                          hll::kCardStaleBit);
      v.SetRange(hll::kCardFlagOffset, std::string_view(&flag, 1));
    }
    return changes;
  }
  // Sparse: edit a working copy (at most hll-sparse-max-bytes for values we built).
  std::string w(v.AsString());
  bool changed = false;
  for (std::string_view ele : elements) {
    const hll::Pattern pat = hll::PatternOf(ele);
    const int r = hll::Set(w, pat.index, pat.count, sparse_max);
    if (r < 0) {
      // As Redis (which edits in place), the elements added before the corrupted part
      // stay added.
      if (changed) {
        hll::MarkStale(w);
        StoreHll(v, w);
      }
      return OpStatus::kSkipped;
    }
    if (r == 1) {
      changed = true;
      ++changes;
    }
  }
  if (changed || updated) {
    hll::MarkStale(w);
    StoreHll(v, w);
  }
  return changes;
}

// ---------------------------------------------------------------------------------------
// Handlers

void CmdPfAdd(CmdArgs args, CommandContext& ctx) {
  bool created = false;
  Result<int64_t> r = OpPfAdd(ctx.db(), args[1], args.subspan(2), SparseMaxBytes(ctx), &created);
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (!r.ok()) {
    if (r.status() == OpStatus::kWrongType) return ctx.reply.SendError(kWrongTypeErr);
    if (r.status() == OpStatus::kSyntaxError) return ctx.reply.SendError(kNotHllErr);
    return ctx.reply.SendError(kCorruptHllErr);
  }
  if (*r > 0) ctx.KeyChanged(kNotifyString, "pfadd", args[1], static_cast<uint64_t>(*r));
  ctx.reply.SendLong(*r > 0 ? 1 : 0);
}

void CmdPfCount(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  if (args.size() > 2) {
    // The union: the register-wise maximum over every key (missing keys are empty).
    std::array<uint8_t, hll::kRegisters> max{};
    for (size_t i = 1; i < args.size(); ++i) {
      const Entry* e = db.FindRead(args[i]);
      if (e == nullptr) continue;
      if (!ReplyCheck(CheckHll(e->value), ctx)) return;
      if (!hll::MergeInto(e->value.AsString(), max.data())) {
        return ctx.reply.SendError(kCorruptHllErr);
      }
    }
    return ctx.reply.SendLong(static_cast<int64_t>(hll::CountRegisters(max.data())));
  }
  Entry* e = db.FindRead(args[1]);
  if (e == nullptr) return ctx.reply.SendLong(0);
  if (!ReplyCheck(CheckHll(e->value), ctx)) return;
  Value& v = e->value;
  v.set_encoding(Encoding::kRaw);
  std::string_view s = v.AsString();
  if (hll::CacheValid(s)) {
    return ctx.reply.SendLong(static_cast<int64_t>(hll::CachedCardinality(s)));
  }
  std::optional<uint64_t> card = hll::Count(s);
  if (!card) return ctx.reply.SendError(kCorruptHllErr);
  char bytes[8];
  hll::EncodeCardinality(*card, bytes);
  v.SetRange(hll::kCardOffset, std::string_view(bytes, 8));
  // The cached estimate changed the stored bytes: one change, no event (as Redis).
  ctx.keyspace.AddDirty(1);
  ctx.keyspace.SignalModified(ctx.client.db_index(), args[1]);
  ctx.reply.SendLong(static_cast<int64_t>(*card));
}

void CmdPfMerge(CmdArgs args, CommandContext& ctx) {
  Database& db = ctx.db();
  std::array<uint8_t, hll::kRegisters> max{};
  bool use_dense = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const Entry* e = db.FindRead(args[i]);
    if (e == nullptr) continue;
    if (!ReplyCheck(CheckHll(e->value), ctx)) return;
    std::string_view s = e->value.AsString();
    if (hll::EncodingOf(s) == hll::kDense) use_dense = true;
    if (!hll::MergeInto(s, max.data())) return ctx.reply.SendError(kCorruptHllErr);
  }
  // The destination (args[1], itself one of the sources) gets each register raised, exactly
  // as Redis updates it, so the bytes match what Redis would store.
  Entry* dest = db.FindWrite(args[1]);
  std::string w = dest == nullptr ? hll::CreateEmpty() : std::string(dest->value.AsString());
  if (use_dense && !hll::ToDense(w)) return ctx.reply.SendError(kCorruptHllErr);
  const size_t sparse_max = SparseMaxBytes(ctx);
  for (uint32_t j = 0; j < hll::kRegisters; ++j) {
    if (max[j] != 0) (void)hll::Set(w, j, max[j], sparse_max);
  }
  hll::MarkStale(w);
  if (dest == nullptr) {
    dest = db.FindOrInsert(args[1]).entry;
    ctx.Notify(kNotifyNewKey, "new", args[1]);
  }
  StoreHll(dest->value, w);
  ctx.KeyChanged(kNotifyString, "pfadd", args[1]);
  ctx.reply.SendOk();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
void CmdPfDebug(CmdArgs args, CommandContext& ctx) {
  std::string_view sub = args[1];
  Entry* e = ctx.db().FindWrite(args[2]);
  if (e == nullptr) return ctx.reply.SendError("ERR The specified key does not exist");
  if (!ReplyCheck(CheckHll(e->value), ctx)) return;
  Value& v = e->value;
  v.set_encoding(Encoding::kRaw);
  const bool sparse = hll::EncodingOf(v.AsString()) == hll::kSparse;
  if (EqualsNoCase(sub, "GETREG") || EqualsNoCase(sub, "TODENSE")) {
    if (sparse) {
      std::string w(v.AsString());
      if (!hll::ToDense(w)) return ctx.reply.SendError(kCorruptHllErr);
      StoreHll(v, w);
      ctx.keyspace.AddDirty(1);
      ctx.keyspace.SignalModified(ctx.client.db_index(), args[2]);
    }
    if (EqualsNoCase(sub, "TODENSE")) return ctx.reply.SendLong(sparse ? 1 : 0);
    const auto* regs = reinterpret_cast<const uint8_t*>(v.AsString().data()) + hll::kHeaderSize;
    ctx.reply.SendArrayLen(hll::kRegisters);
    for (uint32_t j = 0; j < hll::kRegisters; ++j) {
      ctx.reply.SendLong(hll::GetDenseRegister(regs, j));
    }
    return;
  }
  if (EqualsNoCase(sub, "DECODE")) {
    if (!sparse) return ctx.reply.SendError("ERR HLL encoding is not sparse");
    return ctx.reply.SendBulk(hll::DecodeSparse(v.AsString()));
  }
  if (EqualsNoCase(sub, "ENCODING")) return ctx.reply.SendSimple(sparse ? "sparse" : "dense");
  std::string err = "ERR Unknown PFDEBUG subcommand '";
  err.append(sub);
  err.push_back('\'');
  ctx.reply.SendError(err);
}

// PFSELFTEST: checks dense register packing and that sparse and dense HLLs fed the same
// elements agree and stay within the expected error.
void CmdPfSelfTest(CmdArgs, CommandContext& ctx) {
  std::mt19937_64 rng(0x5eed);
  // 1. Register packing: every register reads back what was written, neighbours intact.
  std::string regs(hll::kDenseSize - hll::kHeaderSize, '\0');
  auto* r = reinterpret_cast<uint8_t*>(regs.data());
  std::array<uint8_t, hll::kRegisters> expect{};
  for (int round = 0; round < 10; ++round) {
    for (uint32_t j = 0; j < hll::kRegisters; ++j) {
      expect[j] = static_cast<uint8_t>(rng() & 63);
      hll::SetDenseRegister(r, j, expect[j]);
    }
    for (uint32_t j = 0; j < hll::kRegisters; ++j) {
      if (hll::GetDenseRegister(r, j) != expect[j]) {
        return ctx.reply.SendError("ERR TESTFAILED Register error at " + std::to_string(j));
      }
    }
  }
  // 2. Sparse (promoted as it grows) and dense agree; the error stays within 5 sigma.
  std::string sparse = hll::CreateEmpty();
  std::string dense = hll::CreateEmpty();
  hll::ToDense(dense);
  const double sigma = 1.04 / std::sqrt(static_cast<double>(hll::kRegisters));
  for (uint64_t n = 1; n <= 100000; ++n) {
    const uint64_t ele = rng();
    const hll::Pattern pat =
        hll::PatternOf(std::string_view(reinterpret_cast<const char*>(&ele), sizeof(ele)));
    (void)hll::Set(sparse, pat.index, pat.count, 3000);
    (void)hll::Set(dense, pat.index, pat.count, 3000);
    if (n % 1000 != 0 && n > 100) continue;
    const auto cs = hll::Count(sparse);
    const auto cd = hll::Count(dense);
    if (!cs || !cd || *cs != *cd) {
      return ctx.reply.SendError("ERR TESTFAILED sparse and dense counts differ at " +
                                 std::to_string(n));
    }
    const double err =
        std::abs(static_cast<double>(*cd) - static_cast<double>(n)) / static_cast<double>(n);
    const double allowed = n < 10 ? 0.3 : (n < 100 ? 0.1 : sigma * 5);
    if (err > allowed) {
      return ctx.reply.SendError("ERR TESTFAILED too big error. card:" + std::to_string(n) +
                                 " abserr:" + std::to_string(err));
    }
  }
  ctx.reply.SendOk();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterHyperLogLogFamily(CommandTable& t) {
  constexpr uint64_t kH = kAclHyperLogLog;
  t.Register({.name = "pfadd",
              .arity = -2,
              .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kH,
              .handler = CmdPfAdd,
              .doc = {"Adds elements to a HyperLogLog key, creating it if needed.", "2.8.9",
                      "hyperloglog", "O(1) to add every element."}});
  t.Register(
      {.name = "pfcount",
       .arity = -2,
       .flags = kCmdReadOnly,
       .first_key = 1,
       .last_key = -1,
       .step = 1,
       .acl_categories = kH,
       .handler = CmdPfCount,
       .doc = {"Returns the approximated cardinality of the union of HyperLogLog keys.", "2.8.9",
               "hyperloglog", "O(1) with a single key, O(N) with N keys (large constant)."}});
  t.Register({.name = "pfmerge",
              .arity = -2,
              .flags = kCmdWrite | kCmdDenyOom,
              .first_key = 1,
              .last_key = -1,
              .step = 1,
              .acl_categories = kH,
              .handler = CmdPfMerge,
              .doc = {"Merges HyperLogLog keys into one.", "2.8.9", "hyperloglog",
                      "O(N) to merge N HyperLogLogs (large constant)."}});
  t.Register({.name = "pfdebug",
              .arity = 3,
              .flags = kCmdWrite | kCmdDenyOom | kCmdAdmin,
              .first_key = 2,
              .last_key = 2,
              .step = 1,
              .acl_categories = kH,
              .handler = CmdPfDebug,
              .doc = {"Internal commands for debugging HyperLogLog values.", "2.8.9", "hyperloglog",
                      "N/A"}});
  t.Register({.name = "pfselftest",
              .arity = 1,
              .flags = kCmdAdmin,
              .first_key = 0,
              .last_key = 0,
              .step = 0,
              .acl_categories = kH,
              .handler = CmdPfSelfTest,
              .doc = {"An internal command for testing HyperLogLog values.", "2.8.9", "hyperloglog",
                      "N/A"}});
}

}  // namespace gannet
