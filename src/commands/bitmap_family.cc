// The bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD and BITFIELD_RO. Bits are numbered from the most significant bit of the first
// byte, as Redis numbers them; bits past the end of a string read as zero.
//
// Writes go through Value::SetRange (a few bytes at a time), which zero-pads any gap and
// labels the value "raw" as Redis's SETBIT/BITFIELD do. Offsets are checked against
// proto-max-bulk-len before anything grows, so no request can make the server allocate
// more than that limit (the CVE-2022-35977 class).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"

namespace gannet {

namespace {

constexpr std::string_view kBitOffsetErr = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBitValueErr = "ERR bit is not an integer or out of range";
constexpr std::string_view kBitArgErr = "ERR The bit argument must be 1 or 0.";
constexpr std::string_view kBitfieldTypeErr =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";

// ---------------------------------------------------------------------------------------
// Bit arithmetic on byte strings

bool ReadBit(std::string_view s, uint64_t bit) {
  const uint64_t byte = bit >> 3;
  if (byte >= s.size()) return false;
  return (static_cast<unsigned char>(s[byte]) >> (7 - (bit & 7))) & 1;
}

// Set bits in [first, last] (bit indexes, first <= last, last < 8 * s.size()).
uint64_t CountBits(std::string_view s, uint64_t first, uint64_t last) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const uint64_t first_byte = first >> 3;
  const uint64_t last_byte = last >> 3;
  // Masks keep only the in-range bits of the edge bytes.
  const unsigned head_mask = 0xffu >> (first & 7);
  const unsigned tail_mask = (0xff00u >> ((last & 7) + 1)) & 0xffu;
  if (first_byte == last_byte) {
    return static_cast<uint64_t>(__builtin_popcount(p[first_byte] & head_mask & tail_mask));
  }
  uint64_t count = static_cast<uint64_t>(__builtin_popcount(p[first_byte] & head_mask));
  count += static_cast<uint64_t>(__builtin_popcount(p[last_byte] & tail_mask));
  uint64_t i = first_byte + 1;
  for (; i + 8 <= last_byte; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof(word));
    count += static_cast<uint64_t>(__builtin_popcountll(word));
  }
  for (; i < last_byte; ++i) count += static_cast<uint64_t>(__builtin_popcount(p[i]));
  return count;
}

// The first bit equal to `bit` in [first, last] (bit indexes, last < 8 * s.size()), or -1.
int64_t FindBit(std::string_view s, bool bit, uint64_t first, uint64_t last) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned skip = bit ? 0x00 : 0xff;  // a byte holding no bit we look for
  uint64_t pos = first;
  // Bit by bit up to the next byte boundary.
  while (pos <= last && (pos & 7) != 0) {
    if (ReadBit(s, pos) == bit) return static_cast<int64_t>(pos);
    ++pos;
  }
  if (pos > last) return -1;
  // Whole bytes: skip words, then bytes, holding nothing of interest.
  uint64_t byte = pos >> 3;
  const uint64_t last_whole = (last + 1) >> 3;  // bytes [byte, last_whole) are whole
  const uint64_t skip_word = bit ? 0 : ~uint64_t{0};
  while (byte + 8 <= last_whole) {
    uint64_t word;
    std::memcpy(&word, p + byte, sizeof(word));
    if (word != skip_word) break;
    byte += 8;
  }
  while (byte < last_whole && p[byte] == skip) ++byte;
  if (byte < last_whole) {
    const unsigned v = bit ? p[byte] : static_cast<unsigned char>(~p[byte]);
    return static_cast<int64_t>(byte * 8 + static_cast<uint64_t>(__builtin_clz(v) - 24));
  }
  // The remaining bits of a partial last byte.
  for (pos = byte * 8; pos <= last; ++pos) {
    if (ReadBit(s, pos) == bit) return static_cast<int64_t>(pos);
  }
  return -1;
}

// Reads `bits` (1..64) bits at bit offset `offset` as an unsigned number; bits past the end
// of s are zero.
uint64_t GetUnsignedField(std::string_view s, uint64_t offset, unsigned bits) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bits; ++i) v = (v << 1) | (ReadBit(s, offset + i) ? 1 : 0);
  return v;
}

int64_t GetSignedField(std::string_view s, uint64_t offset, unsigned bits) {
  uint64_t v = GetUnsignedField(s, offset, bits);
  if (bits < 64 && (v >> (bits - 1)) & 1) v |= ~uint64_t{0} << bits;  // sign-extend
  return static_cast<int64_t>(v);
}

// Writes the low `bits` bits of v at bit offset `offset`. The string already covers them.
void SetField(Value& value, uint64_t offset, unsigned bits, uint64_t v) {
  const uint64_t first_byte = offset >> 3;
  const uint64_t last_byte = (offset + bits - 1) >> 3;
  std::array<char, 9> buf;  // at most 64 bits starting mid-byte span 9 bytes
  const size_t n = static_cast<size_t>(last_byte - first_byte + 1);
  std::string_view cur = value.AsString();
  std::memcpy(buf.data(), cur.data() + first_byte, n);
  for (unsigned i = 0; i < bits; ++i) {
    const uint64_t rel = (offset & 7) + i;
    const unsigned shift = static_cast<unsigned>(7 - (rel & 7));
    auto& byte = reinterpret_cast<unsigned char&>(buf[rel >> 3]);
    const unsigned bitval = (v >> (bits - 1 - i)) & 1;
    byte = static_cast<unsigned char>((byte & ~(1u << shift)) | (bitval << shift));
  }
  value.SetRange(static_cast<size_t>(first_byte), std::string_view(buf.data(), n));
}

// Makes the string at least `size` bytes long (zero-padded).
void GrowZeroed(Value& value, uint64_t size) {
  if (value.StringSize() < size)
    value.SetRange(static_cast<size_t>(size - 1), std::string_view("\0", 1));
}

// ---------------------------------------------------------------------------------------
// Argument parsing shared by the commands

// A bit offset argument: a non-negative integer whose byte is below proto-max-bulk-len. In
// BITFIELD, "#N" means N * bits.
std::optional<uint64_t> ParseBitOffset(std::string_view arg, unsigned hash_bits,
                                       int64_t max_bulk_len) {
  bool hash = false;
  if (hash_bits > 0 && !arg.empty() && arg[0] == '#') {
    hash = true;
    arg.remove_prefix(1);
  }
  auto v = ParseInt64(arg);
  if (!v || *v < 0) return std::nullopt;
  int64_t off = *v;
  if (hash && __builtin_mul_overflow(off, static_cast<int64_t>(hash_bits), &off)) {
    return std::nullopt;
  }
  if ((off >> 3) >= max_bulk_len) return std::nullopt;
  return static_cast<uint64_t>(off);
}

struct FieldType {
  bool is_signed;
  unsigned bits;
};

std::optional<FieldType> ParseFieldType(std::string_view arg) {
  if (arg.empty()) return std::nullopt;
  FieldType t{};
  if (arg[0] == 'i' || arg[0] == 'I') {
    t.is_signed = true;
  } else if (arg[0] == 'u' || arg[0] == 'U') {
    t.is_signed = false;
  } else {
    return std::nullopt;
  }
  auto n = ParseInt64(arg.substr(1));
  if (!n || *n < 1 || *n > (t.is_signed ? 64 : 63)) return std::nullopt;
  t.bits = static_cast<unsigned>(*n);
  return t;
}

// Maps a signed [start, end] range argument onto [0, len) as BITCOUNT/BITPOS do (len is in
// bytes or bits). Returns false when the range is empty.
bool ClampRange(int64_t& start, int64_t& end, int64_t len) {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  return start <= end;
}

// The string value of key for a bit read: nullptr when missing; kWrongType otherwise.
Result<const Entry*> LookupString(Database& db, std::string_view key) {
  const Entry* e = db.FindRead(key);
  if (e != nullptr && !e->value.IsString()) return OpStatus::kWrongType;
  return e;
}

// ---------------------------------------------------------------------------------------
// Keyspace operations

// SETBIT: returns the previous bit. *created and *changed (the key was created, grew or
// the bit flipped) drive the events.
Result<bool> OpSetBit(Database& db, std::string_view key, uint64_t offset, bool on, bool* created,
                      bool* changed) {
  Entry* e = db.FindWrite(key);
  if (e != nullptr && !e->value.IsString()) return OpStatus::kWrongType;
  *created = e == nullptr;
  if (e == nullptr) e = db.FindOrInsert(key).entry;
  Value& v = e->value;
  const uint64_t byte = offset >> 3;
  const bool grows = v.StringSize() < byte + 1;
  GrowZeroed(v, byte + 1);
  const bool old = ReadBit(v.AsString(), offset);
  *changed = *created || grows || old != on;
  auto b = static_cast<unsigned char>(v.AsString()[byte]);
  const unsigned mask = 1u << (7 - (offset & 7));
  b = static_cast<unsigned char>(on ? (b | mask) : (b & ~mask));
  const char c = static_cast<char>(b);
  v.SetRange(static_cast<size_t>(byte), std::string_view(&c, 1));  // also labels it raw
  return old;
}

enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };

// BITOP: returns the length of the result (0 deletes dest), with Redis's events: "set"
// ("new" first for a created dest), or "del" when an empty result removed dest.
Result<int64_t> OpBitOp(CommandContext& ctx, BitOp op, std::string_view dest, CmdArgs sources) {
  Database& db = ctx.db();
  std::vector<std::string_view> src;
  src.reserve(sources.size());
  size_t max_len = 0;
  for (std::string_view key : sources) {
    const Entry* e = db.FindRead(key);
    if (e == nullptr) {
      src.emplace_back();
      continue;
    }
    if (!e->value.IsString()) return OpStatus::kWrongType;
    src.push_back(e->value.AsString());
    max_len = std::max(max_len, src.back().size());
  }
  if (max_len == 0) {
    if (db.Delete(dest)) ctx.KeyChanged(kNotifyGeneric, "del", dest);
    return 0;
  }
  std::string out(max_len, '\0');
  auto byte_at = [](std::string_view s, size_t i) -> unsigned char {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
  };
  if (op == BitOp::kNot) {
    for (size_t i = 0; i < max_len; ++i) out[i] = static_cast<char>(~byte_at(src[0], i));
  } else {
    if (!src[0].empty()) std::memcpy(out.data(), src[0].data(), src[0].size());  // no null ptr
    for (size_t k = 1; k < src.size(); ++k) {
      const std::string_view s = src[k];
      for (size_t i = 0; i < max_len; ++i) {
        const unsigned char a = static_cast<unsigned char>(out[i]);
        const unsigned char b = byte_at(s, i);
        out[i] = static_cast<char>(op == BitOp::kAnd  ? (a & b)
                                   : op == BitOp::kOr ? (a | b)
                                                      : (a ^ b));
      }
    }
  }
  // Stored as a fresh raw string with no TTL (Redis's setKey).
  Value v = Value::String(out);
  v.set_encoding(Encoding::kRaw);
  auto [entry, inserted] = db.FindOrInsert(dest);
  entry->value = std::move(v);
  if (!inserted && entry->has_expire()) db.ClearExpire(entry);
  if (inserted) ctx.Notify(kNotifyNewKey, "new", dest);
  ctx.KeyChanged(kNotifyString, "set", dest);
  return static_cast<int64_t>(max_len);
}

// ---------------------------------------------------------------------------------------
// BITFIELD: the overflow arithmetic, then the command (every operation is parsed before
// any runs, and the key grows once to cover every write).

enum class Overflow : uint8_t { kWrap, kSat, kFail };
enum class FieldOp : uint8_t { kGet, kSet, kIncrBy };

struct FieldCommand {
  FieldOp op;
  Overflow overflow;
  FieldType type;
  uint64_t offset;
  int64_t arg;  // SET value or INCRBY increment
};

// value + incr fitted into the field type. Returns nullopt when it overflows under FAIL;
// otherwise the stored value (wrapped or saturated). `value` is the field's bits (INCRBY)
// or the SET argument (with incr 0), read as signed or unsigned per the type. The sum is
// exact in 128 bits, so the wrap is simply the low bits, sign-extended for signed fields.
std::optional<int64_t> FitField(uint64_t value, int64_t incr, FieldType t, Overflow ow) {
  const __int128 v = t.is_signed ? static_cast<__int128>(static_cast<int64_t>(value))
                                 : static_cast<__int128>(value);
  const __int128 sum = v + incr;
  __int128 max, min;
  if (t.is_signed) {
    max = (static_cast<__int128>(1) << (t.bits - 1)) - 1;
    min = -max - 1;
  } else {
    max = (static_cast<__int128>(1) << t.bits) - 1;
    min = 0;
  }
  if (sum >= min && sum <= max) return static_cast<int64_t>(sum);
  if (ow == Overflow::kFail) return std::nullopt;
  if (ow == Overflow::kSat) {
    bool above = sum > max;
    if (t.is_signed && t.bits < 64 && !above) {
      // Redis tests "incr > max - value" with max - value wrapped to 64 bits: for a SET
      // more than 2^63 below the maximum that difference turns negative and the value is
      // taken as above the range, so SAT stores the maximum. Clients see it; keep it.
      const auto max_incr =
          static_cast<int64_t>(static_cast<uint64_t>(static_cast<int64_t>(max)) - value);
      if (incr > max_incr) above = true;
    }
    return static_cast<int64_t>(above ? max : min);
  }
  uint64_t low = static_cast<uint64_t>(sum);  // two's complement low 64 bits
  if (t.bits < 64) {
    const uint64_t mask = (uint64_t{1} << t.bits) - 1;
    low &= mask;
    if (t.is_signed && (low >> (t.bits - 1)) & 1) low |= ~mask;
  }
  return static_cast<int64_t>(low);
}

void CmdBitFieldGeneric(CmdArgs args, CommandContext& ctx, bool read_only_cmd) {
  const int64_t max_bulk = ctx.config().proto_max_bulk_len;
  std::vector<FieldCommand> cmds;
  Overflow overflow = Overflow::kWrap;
  bool has_write = false;
  uint64_t highest_write_bit = 0;
  for (size_t j = 2; j < args.size(); ++j) {
    const size_t rem = args.size() - j - 1;
    std::string_view sub = args[j];
    FieldCommand fc{};
    if (EqualsNoCase(sub, "GET") && rem >= 2) {
      fc.op = FieldOp::kGet;
    } else if (EqualsNoCase(sub, "SET") && rem >= 3) {
      fc.op = FieldOp::kSet;
    } else if (EqualsNoCase(sub, "INCRBY") && rem >= 3) {
      fc.op = FieldOp::kIncrBy;
    } else if (EqualsNoCase(sub, "OVERFLOW") && rem >= 1) {
      std::string_view kind = args[++j];
      if (EqualsNoCase(kind, "WRAP")) {
        overflow = Overflow::kWrap;
      } else if (EqualsNoCase(kind, "SAT")) {
        overflow = Overflow::kSat;
      } else if (EqualsNoCase(kind, "FAIL")) {
        overflow = Overflow::kFail;
      } else {
        return ctx.reply.SendError("ERR Invalid OVERFLOW type specified");
      }
      continue;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
    auto type = ParseFieldType(args[j + 1]);
    if (!type) return ctx.reply.SendError(kBitfieldTypeErr);
    auto offset = ParseBitOffset(args[j + 2], type->bits, max_bulk);
    if (!offset) return ctx.reply.SendError(kBitOffsetErr);
    fc.type = *type;
    fc.offset = *offset;
    fc.overflow = overflow;
    if (fc.op != FieldOp::kGet) {
      has_write = true;
      highest_write_bit = std::max(highest_write_bit, fc.offset + fc.type.bits - 1);
      auto v = ParseInt64(args[j + 3]);
      if (!v) return ctx.reply.SendError(kNotIntegerErr);
      fc.arg = *v;
    }
    cmds.push_back(fc);
    j += fc.op == FieldOp::kGet ? 2 : 3;
  }

  Database& db = ctx.db();
  Entry* e = nullptr;
  if (!has_write) {
    e = db.FindRead(args[1]);
    if (e != nullptr && !e->value.IsString()) return ctx.reply.SendError(kWrongTypeErr);
  } else {
    if (read_only_cmd) {
      return ctx.reply.SendError("ERR BITFIELD_RO only supports the GET subcommand");
    }
    e = db.FindWrite(args[1]);
    if (e != nullptr && !e->value.IsString()) return ctx.reply.SendError(kWrongTypeErr);
    // As Redis, the key is created and grown to cover every write up front, even when an
    // OVERFLOW FAIL later leaves it unchanged.
    if (e == nullptr) {
      e = db.FindOrInsert(args[1]).entry;
      ctx.Notify(kNotifyNewKey, "new", args[1]);
    }
    GrowZeroed(e->value, (highest_write_bit >> 3) + 1);
    // Redis unshares the string for writing before any field is looked at, so the value
    // is "raw" afterwards even when every write failed (OVERFLOW FAIL).
    e->value.set_encoding(Encoding::kRaw);
  }
  uint64_t changes = 0;  // writes that happened (an OVERFLOW FAIL skips one)

  ctx.reply.SendArrayLen(cmds.size());
  for (const FieldCommand& fc : cmds) {
    std::string_view s = e != nullptr ? e->value.AsString() : std::string_view{};
    const int64_t old = fc.type.is_signed
                            ? GetSignedField(s, fc.offset, fc.type.bits)
                            : static_cast<int64_t>(GetUnsignedField(s, fc.offset, fc.type.bits));
    if (fc.op == FieldOp::kGet) {
      ctx.reply.SendLong(old);
      continue;
    }
    // Redis checks an unsigned field's SET value as an unsigned 64-bit number, so -1 is
    // 2^64-1 (saturating to the maximum).
    std::optional<int64_t> stored =
        fc.op == FieldOp::kSet ? FitField(static_cast<uint64_t>(fc.arg), 0, fc.type, fc.overflow)
                               : FitField(static_cast<uint64_t>(old), fc.arg, fc.type, fc.overflow);
    if (!stored) {
      ctx.reply.SendNull();
      continue;
    }
    SetField(e->value, fc.offset, fc.type.bits, static_cast<uint64_t>(*stored));
    ++changes;
    ctx.reply.SendLong(fc.op == FieldOp::kSet ? old : *stored);
  }
  if (changes > 0) ctx.KeyChanged(kNotifyString, "setbit", args[1], changes);
}

// ---------------------------------------------------------------------------------------
// Handlers

void CmdSetBit(CmdArgs args, CommandContext& ctx) {
  auto offset = ParseBitOffset(args[2], 0, ctx.config().proto_max_bulk_len);
  if (!offset) return ctx.reply.SendError(kBitOffsetErr);
  auto on = ParseInt64(args[3]);
  if (!on || (*on != 0 && *on != 1)) return ctx.reply.SendError(kBitValueErr);
  bool created = false, changed = false;
  Result<bool> r = OpSetBit(ctx.db(), args[1], *offset, *on == 1, &created, &changed);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (created) ctx.Notify(kNotifyNewKey, "new", args[1]);
  if (changed) ctx.KeyChanged(kNotifyString, "setbit", args[1]);
  ctx.reply.SendLong(*r ? 1 : 0);
}

void CmdGetBit(CmdArgs args, CommandContext& ctx) {
  auto offset = ParseBitOffset(args[2], 0, ctx.config().proto_max_bulk_len);
  if (!offset) return ctx.reply.SendError(kBitOffsetErr);
  Result<const Entry*> r = LookupString(ctx.db(), args[1]);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  ctx.reply.SendLong(ReadBit((*r)->value.AsString(), *offset) ? 1 : 0);
}

// Parses BYTE|BIT; false after sending a syntax error.
bool ParseUnit(std::string_view arg, bool* is_bit, CommandContext& ctx) {
  if (EqualsNoCase(arg, "BIT")) {
    *is_bit = true;
  } else if (EqualsNoCase(arg, "BYTE")) {
    *is_bit = false;
  } else {
    ctx.reply.SendError(kSyntaxErr);
    return false;
  }
  return true;
}

// BITCOUNT key [start end [BYTE|BIT]]. As Redis 7.0, a missing key answers 0 before the
// arguments are looked at.
void CmdBitCount(CmdArgs args, CommandContext& ctx) {
  Result<const Entry*> r = LookupString(ctx.db(), args[1]);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(0);
  std::string_view s = (*r)->value.AsString();
  const auto byte_len = static_cast<int64_t>(s.size());
  if (args.size() == 2) {
    if (s.empty()) return ctx.reply.SendLong(0);
    return ctx.reply.SendLong(static_cast<int64_t>(CountBits(s, 0, s.size() * 8 - 1)));
  }
  if (args.size() != 4 && args.size() != 5) return ctx.reply.SendError(kSyntaxErr);
  auto start = ParseInt64(args[2]);
  if (!start) return ctx.reply.SendError(kNotIntegerErr);
  auto end = ParseInt64(args[3]);
  if (!end) return ctx.reply.SendError(kNotIntegerErr);
  // An empty negative range answers 0 before the unit is read, as Redis: BITCOUNT k -1 -6 FOO
  // is 0, not a syntax error.
  if (*start < 0 && *end < 0 && *start > *end) return ctx.reply.SendLong(0);
  bool is_bit = false;
  if (args.size() == 5 && !ParseUnit(args[4], &is_bit, ctx)) return;
  int64_t a = *start, b = *end;
  if (!ClampRange(a, b, is_bit ? byte_len * 8 : byte_len)) return ctx.reply.SendLong(0);
  const uint64_t first = is_bit ? static_cast<uint64_t>(a) : static_cast<uint64_t>(a) * 8;
  const uint64_t last = is_bit ? static_cast<uint64_t>(b) : static_cast<uint64_t>(b) * 8 + 7;
  ctx.reply.SendLong(static_cast<int64_t>(CountBits(s, first, last)));
}

// BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an endless run of zeros. When
// looking for a 0 without an explicit end, the bits right of the string count as zeros.
void CmdBitPos(CmdArgs args, CommandContext& ctx) {
  auto bit = ParseInt64(args[2]);
  if (!bit) return ctx.reply.SendError(kNotIntegerErr);
  if (*bit != 0 && *bit != 1) return ctx.reply.SendError(kBitArgErr);
  Result<const Entry*> r = LookupString(ctx.db(), args[1]);
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  if (*r == nullptr) return ctx.reply.SendLong(*bit == 1 ? -1 : 0);
  std::string_view s = (*r)->value.AsString();
  const auto byte_len = static_cast<int64_t>(s.size());
  bool is_bit = false, end_given = false;
  int64_t start = 0, end = byte_len - 1;
  if (args.size() >= 4 && args.size() <= 6) {
    auto a = ParseInt64(args[3]);
    if (!a) return ctx.reply.SendError(kNotIntegerErr);
    start = *a;
    if (args.size() == 6 && !ParseUnit(args[5], &is_bit, ctx)) return;
    if (args.size() >= 5) {
      auto b = ParseInt64(args[4]);
      if (!b) return ctx.reply.SendError(kNotIntegerErr);
      end = *b;
      end_given = true;
    } else {
      end = is_bit ? byte_len * 8 + 7 : byte_len - 1;
    }
    if (!ClampRange(start, end, is_bit ? byte_len * 8 : byte_len)) return ctx.reply.SendLong(-1);
  } else if (args.size() != 3) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  if (start > end) return ctx.reply.SendLong(-1);
  const uint64_t first = is_bit ? static_cast<uint64_t>(start) : static_cast<uint64_t>(start) * 8;
  const uint64_t last = is_bit ? static_cast<uint64_t>(end) : static_cast<uint64_t>(end) * 8 + 7;
  int64_t pos = FindBit(s, *bit == 1, first, last);
  if (pos < 0 && *bit == 0 && !end_given) {
    // The first zero right of the range: the byte after it (Redis searches whole bytes).
    pos = static_cast<int64_t>(((last >> 3) + 1) * 8);
  }
  ctx.reply.SendLong(pos);
}

void CmdBitOp(CmdArgs args, CommandContext& ctx) {
  std::string_view name = args[1];
  BitOp op;
  if (EqualsNoCase(name, "AND")) {
    op = BitOp::kAnd;
  } else if (EqualsNoCase(name, "OR")) {
    op = BitOp::kOr;
  } else if (EqualsNoCase(name, "XOR")) {
    op = BitOp::kXor;
  } else if (EqualsNoCase(name, "NOT")) {
    op = BitOp::kNot;
  } else {
    return ctx.reply.SendError(kSyntaxErr);
  }
  if (op == BitOp::kNot && args.size() != 4) {
    return ctx.reply.SendError("ERR BITOP NOT must be called with a single source key.");
  }
  Result<int64_t> r = OpBitOp(ctx, op, args[2], args.subspan(3));
  if (!r.ok()) return SendStatusError(ctx.reply, r.status());
  ctx.reply.SendLong(*r);
}

void CmdBitField(CmdArgs args, CommandContext& ctx) { CmdBitFieldGeneric(args, ctx, false); }
void CmdBitFieldRo(CmdArgs args, CommandContext& ctx) { CmdBitFieldGeneric(args, ctx, true); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.

void RegisterBitmapFamily(CommandTable& t) {
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint64_t kB = kAclBitmap;
  t.Register({.name = "setbit",
              .arity = 4,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdSetBit,
              .doc = {"Sets or clears the bit at an offset of a string value, creating the key "
                      "if needed.",
                      "2.2.0", "bitmap", "O(1)"}});
  t.Register(
      {.name = "getbit",
       .arity = 3,
       .flags = kCmdReadOnly | kCmdFast,
       .first_key = 1,
       .last_key = 1,
       .step = 1,
       .acl_categories = kB,
       .handler = CmdGetBit,
       .doc = {"Returns the bit at an offset of a string value.", "2.2.0", "bitmap", "O(1)"}});
  t.Register({.name = "bitcount",
              .arity = -2,
              .flags = kCmdReadOnly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdBitCount,
              .doc = {"Counts the set bits in a string value or a range of it.", "2.6.0", "bitmap",
                      "O(N)"}});
  t.Register({.name = "bitpos",
              .arity = -3,
              .flags = kCmdReadOnly,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdBitPos,
              .doc = {"Finds the first set or clear bit in a string value or a range of it.",
                      "2.8.7", "bitmap", "O(N)"}});
  t.Register({.name = "bitop",
              .arity = -4,
              .flags = kWD,
              .first_key = 2,
              .last_key = -1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdBitOp,
              .doc = {"Stores the bitwise AND, OR, XOR or NOT of string values in a key.", "2.6.0",
                      "bitmap", "O(N)"}});
  t.Register({.name = "bitfield",
              .arity = -2,
              .flags = kWD,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdBitField,
              .doc = {"Reads, writes and increments integer fields of arbitrary width in a string "
                      "value.",
                      "3.2.0", "bitmap", "O(1) for each subcommand specified"}});
  t.Register({.name = "bitfield_ro",
              .arity = -2,
              .flags = kCmdReadOnly | kCmdFast,
              .first_key = 1,
              .last_key = 1,
              .step = 1,
              .acl_categories = kB,
              .handler = CmdBitFieldRo,
              .doc = {"Reads integer fields of arbitrary width in a string value.", "6.0.0",
                      "bitmap", "O(1) for each subcommand specified"}});
}

}  // namespace gannet
