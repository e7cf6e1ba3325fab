// Key positions and flags of command lines (see key_extraction.h): the key-spec walk, the
// key finders of the commands that have one, and the name -> key finder table the command
// table attaches at registration.
//
// Argument comparisons here are C-string comparisons (an argument ends at its first NUL
// byte), and numkeys for the key finders is read as C's atoi reads it, because that is what
// Redis 7.0 does: "2abc" counts as 2 there, and the replies of COMMAND GETKEYS follow.
#include "key_extraction.h"

#include <cstdint>
#include <limits>
#include <string_view>

#include "command_metadata.h"
#include "gannet/common/numbers.h"

namespace gannet {
namespace {

// The argument as C sees it: up to its first NUL byte.
std::string_view CString(std::string_view arg) {
  const size_t nul = arg.find('\0');
  return nul == std::string_view::npos ? arg : arg.substr(0, nul);
}

// strcasecmp(arg, word) == 0, `word` being lower case ASCII.
bool CEqualsNoCase(std::string_view arg, std::string_view word) {
  arg = CString(arg);
  if (arg.size() != word.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i) {
    char c = arg[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    char w = word[i];
    if (w >= 'A' && w <= 'Z') w = static_cast<char>(w - 'A' + 'a');
    if (c != w) return false;
  }
  return true;
}

// glibc's atoi: strtol's value (leading space, a sign, digits; clamped to the range of long
// on overflow) truncated to int.
int CAtoi(std::string_view arg) {
  arg = CString(arg);
  size_t i = 0;
  while (i < arg.size() && (arg[i] == ' ' || (arg[i] >= '\t' && arg[i] <= '\r'))) ++i;
  bool negative = false;
  if (i < arg.size() && (arg[i] == '+' || arg[i] == '-')) negative = arg[i++] == '-';
  uint64_t magnitude = 0;
  bool overflow = false;
  for (; i < arg.size() && arg[i] >= '0' && arg[i] <= '9'; ++i) {
    const auto digit = static_cast<uint64_t>(arg[i] - '0');
    if (magnitude > (uint64_t{1} << 63) / 10 || magnitude * 10 > (uint64_t{1} << 63) - digit) {
      overflow = true;
    } else {
      magnitude = magnitude * 10 + digit;
    }
  }
  int64_t value;
  if (negative) {
    value = overflow || magnitude == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                                         : -static_cast<int64_t>(magnitude);
  } else {
    value = overflow || magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                ? std::numeric_limits<int64_t>::max()
                : static_cast<int64_t>(magnitude);
  }
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(value)));
}

void Push(std::vector<KeyRef>* out, size_t pos, uint32_t flags) { out->push_back({pos, flags}); }
void Push(std::vector<size_t>* out, size_t pos, uint32_t) { out->push_back(pos); }

// Where keyword begin_search finds its keyword: the index after it, or 0 when absent. A
// positive startfrom searches forwards from there up to the second to last argument; a
// negative one backwards from argc+startfrom down to argument 2.
int64_t FindKeyword(const KeySpec::Begin& begin, CmdArgs args) {
  const auto argc = static_cast<int64_t>(args.size());
  if (begin.pos > 0) {
    for (int64_t i = begin.pos; i < argc - 1; ++i) {
      if (CEqualsNoCase(args[static_cast<size_t>(i)], begin.keyword)) return i + 1;
    }
  } else {
    for (int64_t i = argc + begin.pos; i > 1; --i) {
      if (i >= argc) break;
      if (CEqualsNoCase(args[static_cast<size_t>(i)], begin.keyword)) return i + 1;
    }
  }
  return 0;
}

// Redis's getKeysUsingKeySpecs without GET_KEYSPEC_* search flags: the keys every spec
// finds, in spec order; -1 (and *out as it was) when a spec cannot tell.
template <typename Out>
int KeysFromSpecs(std::span<const KeySpec> specs, CmdArgs args, Out* out) {
  const size_t start = out->size();
  const auto argc = static_cast<int64_t>(args.size());
  auto invalid = [&] {
    out->resize(start);
    return -1;
  };
  for (const KeySpec& ks : specs) {
    if (ks.flags & kKeyNotKey) continue;
    int64_t first = 0;
    switch (ks.begin.type) {
      case KeyBegin::kIndex:
        first = ks.begin.pos;
        break;
      case KeyBegin::kKeyword:
        first = FindKeyword(ks.begin, args);
        if (first == 0) continue;  // keyword absent: this spec has no keys
        break;
      case KeyBegin::kUnknown:
        return invalid();
    }
    int64_t last = 0;
    int64_t step = 1;
    switch (ks.find.type) {
      case KeyFind::kRange:
        step = ks.find.keystep;
        if (ks.find.lastkey >= 0) {
          last = first + ks.find.lastkey;
        } else if (ks.find.limit == 0) {
          last = argc + ks.find.lastkey;
        } else {
          last = first + ((argc - first) / ks.find.limit + ks.find.lastkey);
        }
        break;
      case KeyFind::kKeynum: {
        step = ks.find.keystep;
        const int64_t at = first + ks.find.keynumidx;
        if (at < 0 || at >= argc) return invalid();
        const auto numkeys = ParseInt64(args[static_cast<size_t>(at)]);
        if (!numkeys || *numkeys < 0) return invalid();
        // Redis 7.0 adds numkeys to an int: 4294967297 keys count as 1, as they do there.
        const auto truncated = static_cast<int32_t>(static_cast<uint32_t>(*numkeys));
        first += ks.find.firstkey;
        last = first + truncated - 1;
        break;
      }
      case KeyFind::kUnknown:
        return invalid();
    }
    if (last >= argc || last < first || first >= argc || first < 0 || step < 1) {
      return invalid();
    }
    for (int64_t i = first; i <= last; i += step) Push(out, static_cast<size_t>(i), ks.flags);
    if (ks.flags & kKeyIncomplete) return invalid();
  }
  return static_cast<int>(out->size() - start);
}

// Whether any spec has a flag (Redis's getAllKeySpecsFlags), or lacks one (inverted).
bool AnySpecHas(std::span<const KeySpec> specs, uint32_t flag) {
  for (const KeySpec& ks : specs) {
    if (ks.flags & flag) return true;
  }
  return false;
}
bool AnySpecLacks(std::span<const KeySpec> specs, uint32_t flag) {
  for (const KeySpec& ks : specs) {
    if (!(ks.flags & flag)) return true;
  }
  return false;
}

// A row without key specs or key finder (a test's own command): its first/last/step as the
// one range spec, with no flags, as Redis treats a legacy range.
template <typename Out>
int LegacyRangeKeys(const CommandSpec& spec, CmdArgs args, Out* out) {
  const auto argc = static_cast<int64_t>(args.size());
  int64_t last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  if (last >= argc) last = argc - 1;
  const int64_t step = spec.step > 0 ? spec.step : 1;
  int n = 0;
  for (int64_t i = spec.first_key; i <= last; i += step, ++n) {
    Push(out, static_cast<size_t>(i), 0);
  }
  return n;
}

bool UsesLegacyRange(const CommandSpec& spec) {
  return spec.key_specs.empty() && spec.getkeys_proc == nullptr && spec.first_key > 0;
}

// ---------------------------------------------------------------------------------------
// Key finders (Redis's getkeys procedures), by what they read.

// numkeys at args[count_at], then that many keys from first_at; the destination at store_at
// (0: none) comes last. No keys at all when numkeys is below 1 or more than the arguments
// hold. Flags are 0: these commands' key specs carry them, and this only runs when those
// could not tell.
int NumKeysFinder(CmdArgs args, std::vector<KeyRef>* keys, size_t store_at, size_t count_at,
                  size_t first_at) {
  if (count_at >= args.size()) return 0;
  const int num = CAtoi(args[count_at]);
  const auto room = static_cast<int64_t>(args.size()) - static_cast<int64_t>(first_at);
  if (num < 1 || num > room) return 0;
  for (int i = 0; i < num; ++i) keys->push_back({first_at + static_cast<size_t>(i), 0});
  if (store_at != 0) keys->push_back({store_at, 0});
  return num + (store_at != 0 ? 1 : 0);
}

int StoreNumKeysFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  return NumKeysFinder(args, keys, 1, 2, 3);  // ZUNIONSTORE dest numkeys key...
}
int NumKeysAt1Finder(CmdArgs args, std::vector<KeyRef>* keys) {
  return NumKeysFinder(args, keys, 0, 1, 2);  // ZUNION numkeys key..., LMPOP, SINTERCARD
}
int NumKeysAt2Finder(CmdArgs args, std::vector<KeyRef>* keys) {
  return NumKeysFinder(args, keys, 0, 2, 3);  // EVAL script numkeys key..., BLMPOP timeout ...
}

// SORT_RO key ...: only the sorted key (BY/GET patterns are not keys one can name).
int SortRoFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 2) return 0;  // (arity rules it out; kept safe for callers that skip it)
  keys->push_back({1, kKeyRO | kKeyAccess});
  return 1;
}

// SORT key ... [STORE dest]: the sorted key, and the destination of the last STORE. Options
// are skipped with their arguments (LIMIT 2, GET 1, BY 1); anything else is one word.
int SortFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 2) return 0;
  keys->push_back({1, kKeyRO | kKeyAccess});
  size_t store = 0;
  for (size_t i = 2; i < args.size(); ++i) {
    if (CEqualsNoCase(args[i], "limit")) {
      i += 2;
    } else if (CEqualsNoCase(args[i], "store") && i + 1 < args.size()) {
      store = i + 1;
    } else if (CEqualsNoCase(args[i], "get") || CEqualsNoCase(args[i], "by")) {
      i += 1;
    }
  }
  if (store == 0) return 1;
  keys->push_back({store, kKeyOW | kKeyUpdate});
  return 2;
}

// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS k...]:
// the key argument, or with KEYS (and an empty key argument) the keys after it. KEYS with a
// non-empty key argument is MIGRATE's syntax error: no keys.
int MigrateFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 4) return 0;
  size_t first = 3;
  size_t num = 1;
  if (args.size() > 6) {
    for (size_t i = 6; i < args.size(); ++i) {
      if (CEqualsNoCase(args[i], "keys")) {
        if (!CString(args[3]).empty()) {
          num = 0;
        } else {
          first = i + 1;
          num = args.size() - first;
        }
        break;
      }
      if (CEqualsNoCase(args[i], "auth")) {
        i += 1;
      } else if (CEqualsNoCase(args[i], "auth2")) {
        i += 2;
      }
    }
  }
  for (size_t i = 0; i < num; ++i) keys->push_back({first + i, kKeyRW | kKeyAccess | kKeyDelete});
  return static_cast<int>(num);
}

// GEORADIUS key lon lat radius unit ... / GEORADIUSBYMEMBER key member radius unit ...: the
// key, and the destination of the last STORE or STOREDIST (searched from argument 5).
int GeoRadiusFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 2) return 0;
  size_t store = 0;
  for (size_t i = 5; i < args.size(); ++i) {
    if ((CEqualsNoCase(args[i], "store") || CEqualsNoCase(args[i], "storedist")) &&
        i + 1 < args.size()) {
      store = i + 1;
      ++i;
    }
  }
  keys->push_back({1, 0});
  if (store == 0) return 1;
  keys->push_back({store, 0});
  return 2;
}

// XREAD/XREADGROUP [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS key... id...: the first
// half of what follows STREAMS; nothing unless the options parse and the rest pairs up.
int XReadFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  size_t streams = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    if (CEqualsNoCase(args[i], "block") || CEqualsNoCase(args[i], "count")) {
      ++i;
    } else if (CEqualsNoCase(args[i], "group")) {
      i += 2;
    } else if (CEqualsNoCase(args[i], "noack")) {
      continue;
    } else if (CEqualsNoCase(args[i], "streams")) {
      streams = i;
      break;
    } else {
      break;
    }
  }
  if (streams == 0) return 0;
  const size_t rest = args.size() - streams - 1;
  if (rest == 0 || rest % 2 != 0) return 0;
  for (size_t k = 0; k < rest / 2; ++k) keys->push_back({streams + 1 + k, 0});
  return static_cast<int>(rest / 2);
}

// SET key value [...]: the key is read as well when a GET option follows the value.
int SetFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 2) return 0;
  for (size_t i = 3; i < args.size(); ++i) {
    if (CEqualsNoCase(args[i], "get")) {
      keys->push_back({1, kKeyRW | kKeyAccess | kKeyUpdate});
      return 1;
    }
  }
  keys->push_back({1, kKeyOW | kKeyUpdate});
  return 1;
}

// BITFIELD key [GET type offset] [SET ...] [INCRBY ...] [OVERFLOW ...]: read-only while
// only well-formed GET and OVERFLOW operations come before anything else.
int BitfieldFinder(CmdArgs args, std::vector<KeyRef>* keys) {
  if (args.size() < 2) return 0;
  bool readonly = true;
  for (size_t i = 2; i < args.size(); ++i) {
    const size_t remaining = args.size() - i - 1;
    if (CEqualsNoCase(args[i], "get") && remaining >= 2) {
      i += 2;
    } else if ((CEqualsNoCase(args[i], "set") || CEqualsNoCase(args[i], "incrby")) &&
               remaining >= 3) {
      readonly = false;
      break;
    } else if (CEqualsNoCase(args[i], "overflow") && remaining >= 1) {
      i += 1;
    } else {
      readonly = false;  // a syntax error: assume the worst
      break;
    }
  }
  keys->push_back({1, readonly ? (kKeyRO | kKeyAccess) : (kKeyRW | kKeyAccess | kKeyUpdate)});
  return 1;
}

struct FinderRow {
  std::string_view name;
  GetKeysProc proc;
};
// The commands of redis-server 7.0 that have a key finder (getkeys_proc).
constexpr FinderRow kFinders[] = {
    {"bitfield", BitfieldFinder},
    {"blmpop", NumKeysAt2Finder},
    {"bzmpop", NumKeysAt2Finder},
    {"eval", NumKeysAt2Finder},
    {"eval_ro", NumKeysAt2Finder},
    {"evalsha", NumKeysAt2Finder},
    {"evalsha_ro", NumKeysAt2Finder},
    {"fcall", NumKeysAt2Finder},
    {"fcall_ro", NumKeysAt2Finder},
    {"georadius", GeoRadiusFinder},
    {"georadiusbymember", GeoRadiusFinder},
    {"lmpop", NumKeysAt1Finder},
    {"migrate", MigrateFinder},
    {"set", SetFinder},
    {"sintercard", NumKeysAt1Finder},
    {"sort", SortFinder},
    {"sort_ro", SortRoFinder},
    {"xread", XReadFinder},
    {"xreadgroup", XReadFinder},
    {"zdiff", NumKeysAt1Finder},
    {"zdiffstore", StoreNumKeysFinder},
    {"zinter", NumKeysAt1Finder},
    {"zintercard", NumKeysAt1Finder},
    {"zinterstore", StoreNumKeysFinder},
    {"zmpop", NumKeysAt1Finder},
    {"zunion", NumKeysAt1Finder},
    {"zunionstore", StoreNumKeysFinder},
};

// The three outcomes of a key search as ExtractKeys reports them.
KeyExtraction Outcome(const CommandSpec& spec, int found) {
  if (found > 0) return KeyExtraction::kOk;
  if (found == 0 && (spec.flags & kCmdNoMandatoryKeys)) return KeyExtraction::kOk;
  return KeyExtraction::kInvalid;
}

}  // namespace

GetKeysProc FindGetKeysProc(std::string_view name) {
  for (const FinderRow& row : kFinders) {
    if (row.name == name) return row.proc;
  }
  return nullptr;
}

bool CommandHasKeys(const CommandSpec& spec) {
  return spec.getkeys_proc != nullptr || AnySpecLacks(spec.key_specs, kKeyNotKey) ||
         UsesLegacyRange(spec);
}

int FindKeysWithFlags(const CommandSpec& spec, CmdArgs args, std::vector<KeyRef>* keys) {
  if (UsesLegacyRange(spec)) return LegacyRangeKeys(spec, args, keys);
  // Key specs first, unless the arguments decide the flags; the key finder when the specs
  // cannot tell.
  if (AnySpecLacks(spec.key_specs, kKeyNotKey) && !AnySpecHas(spec.key_specs, kKeyVariableFlags)) {
    const int found = KeysFromSpecs(spec.key_specs, args, keys);
    if (found >= 0) return found;
  }
  if (spec.getkeys_proc != nullptr) return spec.getkeys_proc(args, keys);
  return 0;
}

KeyExtraction ExtractKeys(const CommandSpec& spec, CmdArgs args, std::vector<size_t>* keys) {
  if (!CommandHasKeys(spec)) return KeyExtraction::kNoKeys;
  if (UsesLegacyRange(spec)) return Outcome(spec, LegacyRangeKeys(spec, args, keys));
  // The common case (GET, MGET, HSET ...): the specs alone, straight into *keys. The same
  // choices as FindKeysWithFlags.
  if (AnySpecLacks(spec.key_specs, kKeyNotKey) && !AnySpecHas(spec.key_specs, kKeyVariableFlags)) {
    const int found = KeysFromSpecs(spec.key_specs, args, keys);
    if (found >= 0) return Outcome(spec, found);
  }
  if (spec.getkeys_proc == nullptr) return Outcome(spec, 0);
  std::vector<KeyRef> refs;
  const int found = spec.getkeys_proc(args, &refs);
  for (const KeyRef& r : refs) keys->push_back(r.pos);
  return Outcome(spec, found);
}

}  // namespace gannet
