// DEBUG: the subcommands of Redis 7.0's debugging container that clients, benchmarks and test
// suites use: OBJECT, DIGEST, DIGEST-VALUE, PROTOCOL, SLEEP, SET-ACTIVE-EXPIRE, RELOAD, LOADAOF,
// POPULATE, ERROR, LOG, CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD, STRINGMATCH-TEST and HELP,
// with Redis's replies and errors. The whole command is refused unless enable-debug-command
// allows the client. RELOAD and LOADAOF reach persistence through PersistenceView and AofView
// (commands do not link the persistence module).
//
// DEBUG DIGEST follows Redis's scheme so that the two servers give the same digest for the
// same dataset: SHA1-based "xor" (order-free: sets, hash fields, keys of a database) and "mix"
// (order-preserving: list elements, a key and its value) steps, over the values as text.
#include <openssl/sha.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "arg_parser.h"
#include "error_text.h"
#include "gannet/commands/aof_view.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/common/glob.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/database.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/stream_object.h"
#include "gannet/engine/zset_object.h"
#include "object_refcount.h"

namespace gannet {
namespace {

// ---------------------------------------------------------------------------------------
// Digests

using Digest = std::array<unsigned char, SHA_DIGEST_LENGTH>;

// digest ^= SHA1(data): the order of such steps does not matter.
void XorDigest(Digest& digest, const void* data, size_t len) {
  unsigned char hash[SHA_DIGEST_LENGTH];
  SHA1(static_cast<const unsigned char*>(data), len, hash);
  for (size_t i = 0; i < digest.size(); ++i) digest[i] ^= hash[i];
}
void XorDigest(Digest& digest, std::string_view s) { XorDigest(digest, s.data(), s.size()); }

// digest = SHA1(digest ^ SHA1(data)): the order of such steps matters.
void MixDigest(Digest& digest, const void* data, size_t len) {
  XorDigest(digest, data, len);
  Digest next;
  SHA1(digest.data(), digest.size(), next.data());
  digest = next;
}
void MixDigest(Digest& digest, std::string_view s) { MixDigest(digest, s.data(), s.size()); }

// A 32-bit number in network byte order, as Redis mixes type codes and database ids.
void MixBigEndian32(Digest& digest, uint32_t v) {
  const unsigned char bytes[4] = {
      static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
      static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  MixDigest(digest, bytes, sizeof(bytes));
}

// Redis's OBJ_* type codes (OBJ_MODULE is 5, so streams are 6).
uint32_t RedisTypeCode(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return 0;
    case ValueType::kList:
      return 1;
    case ValueType::kSet:
      return 2;
    case ValueType::kZSet:
      return 3;
    case ValueType::kHash:
      return 4;
    case ValueType::kStream:
      return 6;
  }
  return 0;
}

// A (member, score) or (field, value) pair: mixed together, then xored in, so that pairs are
// order-free but a pair's two halves are not.
void XorPairDigest(Digest& digest, std::string_view a, std::string_view b) {
  Digest pair{};
  MixDigest(pair, a);
  MixDigest(pair, b);
  XorDigest(digest, pair.data(), pair.size());
}

// Adds a value (and whether its key has a TTL) to `digest` as Redis's xorObjectDigest does.
void AddValueDigest(Digest& digest, const Value& v, bool has_expire) {
  MixBigEndian32(digest, RedisTypeCode(v.type()));
  switch (v.type()) {
    case ValueType::kString:
      MixDigest(digest, v.AsString());
      break;
    case ValueType::kList: {
      const auto* list = v.As<ListObject>();
      list->Visit(0, list->size(), [&](const Listpack::Element& e) {
        char buf[24];
        MixDigest(digest, e.ToString(buf));
        return true;
      });
      break;
    }
    case ValueType::kSet:
      v.As<SetObject>()->ForEach([&](std::string_view m) { XorDigest(digest, m); });
      break;
    case ValueType::kZSet:
      v.As<ZSetObject>()->ForEach([&](std::string_view m, double score) {
        // Redis 7.0 formats the score with "%.17g" here (not as ZSCORE replies it).
        char buf[64];
        const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
        XorPairDigest(digest, m, std::string_view(buf, static_cast<size_t>(n)));
      });
      break;
    case ValueType::kHash:
      v.As<HashObject>()->ForEach(
          [&](std::string_view f, std::string_view val) { XorPairDigest(digest, f, val); });
      break;
    case ValueType::kStream: {
      // Entries in ID order: the ID as "ms.seq", then each field and value. Consumer groups
      // are not part of the digest (as in Redis).
      const auto* stream = v.As<StreamObject>();
      StreamObject::Iterator it(*stream, StreamID::Min(), StreamID::Max(), false);
      StreamID id;
      StreamObject::FieldList fields;
      while (it.Next(&id, &fields)) {
        MixDigest(digest, std::to_string(id.ms) + "." + std::to_string(id.seq));
        for (const auto& [field, value] : fields) {
          MixDigest(digest, field);
          MixDigest(digest, value);
        }
      }
      break;
    }
  }
  if (has_expire) XorDigest(digest, "!!expire!!");
}

// The digest of every database: for each non-empty one, its index is mixed in, then the
// digest of each of its keys (key name mixed with its value) is xored in. Expired keys not
// yet reclaimed count, as they do in Redis's dict. All zeros for an empty dataset.
Digest DatasetDigest(Keyspace& ks) {
  Digest final_digest{};
  for (int i = 0; i < ks.database_count(); ++i) {
    const Database& db = ks.db(i);
    if (db.size() == 0) continue;
    MixBigEndian32(final_digest, static_cast<uint32_t>(i));
    db.ForEachStored([&](const Entry& e) {
      Digest key_digest{};
      MixDigest(key_digest, e.key());
      AddValueDigest(key_digest, e.value, e.has_expire());
      XorDigest(final_digest, key_digest.data(), key_digest.size());
    });
  }
  return final_digest;
}

std::string Hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(d.size() * 2);
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Subcommands

// enable-debug-command: "yes", or "local" for loopback and unix-socket clients.
bool DebugAllowed(CommandContext& ctx) {
  const std::string& mode = ctx.config().enable_debug_command;
  if (mode == "yes") return true;
  if (mode != "local") return false;
  if (ctx.client.is_unix_socket()) return true;
  std::string_view addr = ctx.client.peer_addr();
  return addr.starts_with("127.") || addr.starts_with("::1:");
}

// Redis's reply to a subcommand it does not know, or one given the wrong number of arguments.
void SendUnknownSubcommand(CommandContext& ctx, std::string_view sub) {
  std::string err = "ERR unknown subcommand or wrong number of arguments for '";
  for (char c : sub.substr(0, 128)) err.push_back(c == '\r' || c == '\n' ? ' ' : c);
  err += "'. Try DEBUG HELP.";
  ctx.reply.SendError(err);
}

// DEBUG HELP: Redis's help lines for the subcommands Gannet has, in Redis's order.
void DebugHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANGE-REPL-ID",
      "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "ERROR <string>",
      "    Return a Redis protocol error with <string> as message. Useful for clients",
      "    unit tests to simulate Redis errors.",
      "LOG <message>",
      "    Write <message> to the server log.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas. Cluster slots are not respected so keys not belonging to the",
      "    current node can be created in cluster mode.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "    Examples:",
      "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
      "      the database.",
      "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
      "      existing RDB file.",
      "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
      "      file to the database.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "QUICKLIST-PACKED-THRESHOLD <size>",
      "    Sets the threshold for elements to be inserted as plain vs packed nodes",
      "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "STRINGMATCH-TEST",
      "    Run a fuzz tester against the stringmatchlen() function.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.SendArrayLen(std::size(kLines));
  for (auto line : kLines) ctx.reply.SendSimple(line);
}

// DEBUG LOADAOF: empty the dataset and load it back from the AOF (AofView::DebugLoadAof).
// Arguments after it are ignored, as Redis does.
void DebugLoadAof(CommandContext& ctx) {
  AofView* aof = ctx.server.aof();
  if (aof == nullptr) {
    ctx.reply.SendError("ERR persistence is not available");
    return;
  }
  // The replayed commands grew keyspace.dirty(): without this the dispatcher would log
  // DEBUG LOADAOF itself to the AOF (Redis zeroes server.dirty for the same reason).
  ctx.PropagateAs({});
  const std::optional<std::string> err = aof->DebugLoadAof();
  // Every key may have changed, even after a failure (the dataset was emptied): WATCH and
  // client-side caching must hear about it.
  ctx.keyspace.SignalModified(-1, "");
  if (err) {
    ctx.reply.SendError(*err);
    return;
  }
  ctx.reply.SendOk();
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the dataset and load the RDB back
// (PersistenceView::DebugReload).
void DebugReload(CmdArgs args, CommandContext& ctx) {
  bool merge = false, no_flush = false, no_save = false;
  for (size_t i = 2; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "MERGE")) {
      merge = true;
    } else if (EqualsNoCase(args[i], "NOFLUSH")) {
      no_flush = true;
    } else if (EqualsNoCase(args[i], "NOSAVE")) {
      no_save = true;
    } else {
      ctx.reply.SendError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  PersistenceView* p = ctx.server.persistence();
  if (p == nullptr) {
    ctx.reply.SendError("ERR persistence is not available");
    return;
  }
  if (auto err = p->DebugReload(no_save, no_flush, merge)) {
    ctx.reply.SendError(*err);
    return;
  }
  // Every key may have changed: WATCH and client-side caching must hear about it.
  ctx.keyspace.SignalModified(-1, "");
  ctx.reply.SendOk();
}

// DEBUG OBJECT key: Redis's one-line description of the value. The key is looked at as
// stored (no lazy expiry, no LRU update), as Redis's dictFind. "Value at" is the address of
// our Value; refcount is what OBJECT REFCOUNT reports; serializedlength the length of the
// value's RDB serialization (the DUMP payload without its type byte, version and checksum);
// lru and lru_seconds_idle come from the key's LRU data as OBJECT IDLETIME reads it.
void DebugObject(std::string_view key, CommandContext& ctx) {
  Entry* e = ctx.db().Peek(key);
  if (e == nullptr) {
    ctx.reply.SendError(kNoSuchKeyErr);
    return;
  }
  PersistenceView* p = ctx.server.persistence();
  if (p == nullptr) {
    ctx.reply.SendError("ERR persistence is not available");
    return;
  }
  // DUMP payload = type byte + serialized value + 2-byte RDB version + 8-byte CRC64.
  constexpr size_t kDumpOverhead = 1 + 2 + 8;
  const std::string payload = p->DumpValue(e->value);
  const size_t serialized = payload.size() > kDumpOverhead ? payload.size() - kDumpOverhead : 0;

  // Redis's LRU clock counts seconds (24 bits). Under an LRU policy (or none) the key's
  // clock value is now minus its idle time; under LFU Redis prints the raw LFU word and
  // estimates an idle time from it as if it were an LRU clock, which we mirror.
  const int64_t now_ms = ctx.keyspace.now_ms();
  const uint64_t lru_now = static_cast<uint64_t>(now_ms / 1000) & kLruClockMax;
  uint64_t lru = 0;
  uint64_t idle_s = 0;
  if (ctx.keyspace.memory_settings().lfu()) {
    lru = e->lru;
    idle_s = lru_now >= lru ? lru_now - lru : lru_now + (kLruClockMax - lru);
  } else {
    idle_s = ctx.keyspace.IdleMs(*e) / 1000;
    lru = (lru_now - idle_s) & kLruClockMax;
  }

  char line[512];
  int n = std::snprintf(
      line, sizeof(line),
      "Value at:0x%" PRIxPTR " refcount:%" PRId64 " encoding:%s serializedlength:%zu lru:%" PRIu64
      " lru_seconds_idle:%" PRIu64,
      reinterpret_cast<uintptr_t>(&e->value), ObjectRefCount(ctx.config(), e->value),
      std::string(EncodingName(e->value.encoding())).c_str(), serialized, lru, idle_s);
  std::string out(line, static_cast<size_t>(std::max(n, 0)));
  if (e->value.type() == ValueType::kList && e->value.encoding() == Encoding::kQuicklist) {
    const auto* list = e->value.As<ListObject>();
    const size_t nodes = list->node_count();
    size_t bytes = 0;
    for (size_t i = 0; i < nodes; ++i) bytes += list->node_bytes(i);
    const double avg =
        nodes == 0 ? 0.0 : static_cast<double>(list->size()) / static_cast<double>(nodes);
    n = std::snprintf(line, sizeof(line),
                      " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d"
                      " ql_uncompressed_size:%zu",
                      nodes, avg, list->fill(), list->compress_depth() != 0 ? 1 : 0, bytes);
    out.append(line, static_cast<size_t>(std::max(n, 0)));
  }
  ctx.reply.SendSimple(out);
}

// DEBUG DIGEST: the digest of the whole dataset.
void DebugDigest(CommandContext& ctx) { ctx.reply.SendSimple(Hex(DatasetDigest(ctx.keyspace))); }

// DEBUG DIGEST-VALUE [key ...]: one digest per key of its value (and TTL flag), without the
// key's name; zeros for a missing key. Keys are looked at as stored (expired ones count).
void DebugDigestValue(CmdArgs args, CommandContext& ctx) {
  ctx.reply.SendArrayLen(args.size() - 2);
  Database& db = ctx.db();
  for (size_t i = 2; i < args.size(); ++i) {
    Digest d{};
    if (const Entry* e = db.Peek(args[i])) AddValueDigest(d, e->value, e->has_expire());
    ctx.reply.SendSimple(Hex(d));
  }
}

// DEBUG PROTOCOL type: a sample reply of each RESP3 type, downgraded for RESP2 clients by the
// reply builder as Redis downgrades it.
void DebugProtocol(std::string_view type, CommandContext& ctx) {
  ReplyBuilder& rb = ctx.reply;
  if (EqualsNoCase(type, "string")) {
    rb.SendBulk("Hello World");
  } else if (EqualsNoCase(type, "integer")) {
    rb.SendLong(12345);
  } else if (EqualsNoCase(type, "double")) {
    rb.SendDouble(3.141);
  } else if (EqualsNoCase(type, "bignum")) {
    rb.SendBigNumber("1234567999999999999999999999999999999");
  } else if (EqualsNoCase(type, "null")) {
    rb.SendNull();
  } else if (EqualsNoCase(type, "array") || EqualsNoCase(type, "set")) {
    if (EqualsNoCase(type, "array")) {
      rb.SendArrayLen(3);
    } else {
      rb.SendSetLen(3);
    }
    for (int i = 0; i < 3; ++i) rb.SendLong(i);
  } else if (EqualsNoCase(type, "map")) {
    rb.SendMapLen(3);
    for (int i = 0; i < 3; ++i) {
      rb.SendLong(i);
      rb.SendBool(i == 1);
    }
  } else if (EqualsNoCase(type, "attrib")) {
    // An attribute precedes the reply it annotates. The builder has no attribute type (no
    // other command sends one), so its header is written as RESP3 bytes; RESP2 has no
    // attributes and gets the reply alone, as from Redis.
    if (rb.resp3()) {
      rb.SendRaw("|1\r\n");
      rb.SendBulk("key-popularity");
      rb.SendArrayLen(2);
      rb.SendBulk("key:123");
      rb.SendLong(90);
    }
    rb.SendBulk("Some real reply following the attribute");
  } else if (EqualsNoCase(type, "push")) {
    if (!rb.resp3()) {
      rb.SendError("ERR RESP2 is not supported by this command");
      return;
    }
    // A push is not the command's reply: the real reply follows it.
    rb.SendPushLen(2);
    rb.SendBulk("server-cpu-usage");
    rb.SendLong(42);
    rb.SendBulk("Some real reply following the push reply");
  } else if (EqualsNoCase(type, "verbatim")) {
    rb.SendVerbatim("This is a verbatim\nstring", "txt");
  } else if (EqualsNoCase(type, "true")) {
    rb.SendBool(true);
  } else if (EqualsNoCase(type, "false")) {
    rb.SendBool(false);
  } else {
    rb.SendError(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

// DEBUG SLEEP seconds: blocks the server, as Redis does. The argument is read as C's strtod
// reads it (a prefix that parses; nothing parsable is 0), so every argument is accepted.
// Redis converts seconds * 1e6 to a 64-bit count of microseconds and calls nanosleep once:
// zero, a negative time, NaN or one too large for the conversion (which x86-64 turns into
// INT64_MIN) sleep not at all. A signal ends the sleep early (shutdown is not held up).
void DebugSleep(std::string_view arg, CommandContext& ctx) {
  const std::string text(arg);
  const double us = std::strtod(text.c_str(), nullptr) * 1e6;
  constexpr double kTooLarge = 9223372036854775808.0;  // 2^63
  if (us >= 1 && us < kTooLarge) {
    const auto total = static_cast<int64_t>(us);
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(total / 1'000'000);
    ts.tv_nsec = static_cast<long>(total % 1'000'000) * 1000;
    ::nanosleep(&ts, nullptr);
  }
  ctx.reply.SendOk();
}

// DEBUG SET-ACTIVE-EXPIRE 0|1: the argument is read as C's atoi (Redis's), so any text is
// accepted and what is not a non-zero number turns active expiry off.
void DebugSetActiveExpire(std::string_view arg, CommandContext& ctx) {
  const std::string text(arg);
  const int on = static_cast<int>(std::strtol(text.c_str(), nullptr, 10));
  ctx.keyspace.set_active_expire_enabled(on != 0);
  ctx.reply.SendOk();
}

// A count or size of DEBUG POPULATE, read as Redis's getPositiveLongFromObjectOrReply reads
// it (a canonical integer from 0 to LONG_MAX); one error text for every rejection.
std::optional<int64_t> ParsePopulateNumber(std::string_view arg, CommandContext& ctx) {
  const std::optional<int64_t> v = ParseInt64(arg);
  if (!v || *v < 0) {
    ctx.reply.SendError("ERR value is out of range, must be positive");
    return std::nullopt;
  }
  return v;
}

// DEBUG POPULATE count [prefix] [size]: string keys prefix:0 .. prefix:count-1 in the
// client's database, as Redis builds them:
// - the prefix is read as a C string (it ends at its first NUL byte) and the key is cut to
//   127 bytes (Redis formats it into a 128-byte buffer), so a long prefix makes every number
//   the same key;
// - the value is "value:N", or with a size other than 0 exactly `size` bytes: "value:N"
//   cut or padded with zero bytes;
// - a key that exists (after lazy expiry) is left alone;
// - each new key gets the "new" keyspace event and the modification signal (WATCH, tracking)
//   but is not a change for save points, the AOF or replicas (Redis's dbAdd without
//   server.dirty), and maxmemory is not consulted (DEBUG is not a deny-oom command).
// Difference: a size above proto-max-bulk-len is refused (Redis tries the allocation and
// aborts when it fails) with the error APPEND and SETRANGE give for such a string.
void DebugPopulate(CmdArgs args, CommandContext& ctx) {
  const std::optional<int64_t> count = ParsePopulateNumber(args[2], ctx);
  if (!count) return;
  int64_t size = 0;
  if (args.size() == 5) {
    const std::optional<int64_t> parsed = ParsePopulateNumber(args[4], ctx);
    if (!parsed) return;
    size = *parsed;
  }
  if (size > ctx.config().proto_max_bulk_len) {
    ctx.reply.SendError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return;
  }
  std::string_view prefix = args.size() >= 4 ? args[3] : std::string_view("key");
  prefix = prefix.substr(0, prefix.find('\0'));
  constexpr size_t kMaxKeyLen = 127;
  const int db_index = ctx.client.db_index();
  Database& db = ctx.db();
  std::string key(prefix.substr(0, kMaxKeyLen));
  const size_t key_base = key.size();
  std::string value;
  char num[24];
  for (int64_t j = 0; j < *count; ++j) {
    const size_t num_len = FormatInt64(j, num);
    key.resize(key_base);
    if (key.size() < kMaxKeyLen) key.push_back(':');
    key.append(num, std::min(num_len, kMaxKeyLen - key.size()));
    if (db.FindWrite(key) != nullptr) continue;
    value.assign("value:");
    value.append(num, num_len);
    if (size != 0) value.resize(static_cast<size_t>(size), '\0');
    db.Insert(key, Value::String(value));
    ctx.keyspace.SignalModified(db_index, key);
    ctx.Notify(kNotifyNewKey, "new", key);
  }
  ctx.reply.SendOk();
}

// DEBUG ERROR string: the string as an error line, "-" and the text as given (no "ERR "
// added), CR and LF turned into spaces. Written as raw bytes, as Redis does: it does not
// count as an error reply in INFO errorstats or the command's failed_calls.
void DebugError(std::string_view text, CommandContext& ctx) {
  std::string line = "-";
  line.reserve(text.size() + 3);
  for (char c : text) line.push_back(c == '\r' || c == '\n' ? ' ' : c);
  line += "\r\n";
  ctx.reply.SendRaw(line);
}

// DEBUG LOG message: "DEBUG LOG: message" in the server log at warning level ('#'), the
// message read as a C string (up to its first NUL byte) as Redis logs it.
void DebugLog(std::string_view message, CommandContext& ctx) {
  message = message.substr(0, message.find('\0'));
  ctx.server.LogWarning("DEBUG LOG: " + std::string(message));
  ctx.reply.SendOk();
}

// DEBUG CHANGE-REPL-ID: a new random master_replid. Redis also clears the secondary ID,
// which Gannet (no replication) always reports as zeros.
void DebugChangeReplId(CommandContext& ctx) {
  ctx.server.LogWarning("Changing replication IDs after receiving DEBUG change-repl-id");
  ctx.server.ChangeReplicationId();
  ctx.reply.SendOk();
}

// Redis's memtoull: digits, then an optional unit (b, k, kb, m, mb, g, gb, any case); no
// sign, spaces or decimals. No digits reads as 0; too many for 64 bits as the largest
// value; the product wraps as unsigned arithmetic does. nullopt for what it rejects.
std::optional<uint64_t> ParseMemToUll(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string_view unit = s.substr(digits);
  const std::optional<uint64_t> mul = MemoryUnitMultiplier(unit);
  if (!mul) return std::nullopt;
  if (digits >= 128) return std::nullopt;  // Redis copies the digits into a 128-byte buffer
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      v = std::numeric_limits<uint64_t>::max();  // strtoull's ERANGE result
      break;
    }
    v = v * 10 + d;
  }
  return v * *mul;
}

// DEBUG QUICKLIST-PACKED-THRESHOLD size: in Redis, list elements larger than this are kept
// in plain nodes of their own. Gannet's lists have no plain nodes (every element lives in a
// listpack node whatever its size), so the setting changes nothing here; the argument is
// validated and answered as Redis does (up to 4GB - 1MB; 0 restores the 1GB default).
void DebugQuicklistPackedThreshold(std::string_view arg, CommandContext& ctx) {
  constexpr uint64_t kMaxThreshold = (1ULL << 32) - (1ULL << 20);
  const std::optional<uint64_t> size = ParseMemToUll(arg);
  if (!size || *size > kMaxThreshold) {
    ctx.reply.SendError("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    return;
  }
  ctx.reply.SendOk();
}

// DEBUG STRINGMATCH-TEST: matches random patterns against random strings with the glob
// matcher (KEYS, SCAN MATCH, PSUBSCRIBE, ACL patterns), as Redis fuzzes stringmatchlen():
// passing means nothing crashed or hung.
void DebugStringmatchTest(CommandContext& ctx) {
  static constexpr char kAlphabet[] = "ab*?[]^-\\\\x\0";
  std::mt19937 rng(std::random_device{}());
  std::string pattern, str;
  for (int i = 0; i < 100'000; ++i) {
    pattern.resize(rng() % 32);
    str.resize(rng() % 32);
    for (char& c : pattern) c = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    for (char& c : str) c = static_cast<char>(rng() % 256);
    GlobMatch(pattern, str, (rng() & 1) != 0);
  }
  ctx.reply.SendSimple("Apparently Redis did not crash: test passed");
}

void CmdDebug(CmdArgs args, CommandContext& ctx) {
  if (!DebugAllowed(ctx)) {
    ctx.reply.SendError(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
    return;
  }
  const std::string_view sub = args[1];
  const size_t argc = args.size();
  // Redis matches the name and the argument count together: a known name with the wrong
  // count falls through to the "unknown subcommand" error.
  if (argc == 2 && EqualsNoCase(sub, "HELP")) return DebugHelp(ctx);
  if (EqualsNoCase(sub, "RELOAD")) return DebugReload(args, ctx);
  if (EqualsNoCase(sub, "LOADAOF")) return DebugLoadAof(ctx);
  if (argc == 3 && EqualsNoCase(sub, "OBJECT")) return DebugObject(args[2], ctx);
  if (argc == 2 && EqualsNoCase(sub, "DIGEST")) return DebugDigest(ctx);
  if (EqualsNoCase(sub, "DIGEST-VALUE")) return DebugDigestValue(args, ctx);
  if (argc == 3 && EqualsNoCase(sub, "PROTOCOL")) return DebugProtocol(args[2], ctx);
  if (argc == 3 && EqualsNoCase(sub, "SLEEP")) return DebugSleep(args[2], ctx);
  if (argc == 3 && EqualsNoCase(sub, "SET-ACTIVE-EXPIRE")) {
    return DebugSetActiveExpire(args[2], ctx);
  }
  if (argc >= 3 && argc <= 5 && EqualsNoCase(sub, "POPULATE")) return DebugPopulate(args, ctx);
  if (argc == 3 && EqualsNoCase(sub, "ERROR")) return DebugError(args[2], ctx);
  if (argc == 3 && EqualsNoCase(sub, "LOG")) return DebugLog(args[2], ctx);
  if (argc == 2 && EqualsNoCase(sub, "CHANGE-REPL-ID")) return DebugChangeReplId(ctx);
  if (argc == 3 && EqualsNoCase(sub, "QUICKLIST-PACKED-THRESHOLD")) {
    return DebugQuicklistPackedThreshold(args[2], ctx);
  }
  if (argc == 2 && EqualsNoCase(sub, "STRINGMATCH-TEST")) return DebugStringmatchTest(ctx);
  SendUnknownSubcommand(ctx, sub);
}

}  // namespace

void RegisterDebugFamily(CommandTable& t) {
  t.Register(
      {.name = "debug",
       .arity = -2,
       .flags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale,
       .acl_categories = 0,
       .handler = CmdDebug,
       .doc = {"A container for debugging commands", "1.0.0", "server", "Depends on subcommand."}});
}

}  // namespace gannet
