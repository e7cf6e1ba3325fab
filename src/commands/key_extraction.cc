// Key positions of commands, including the movable-keys layouts (see key_extraction.h).
#include "key_extraction.h"

#include <cstdint>
#include <string_view>

#include "gannet/common/ascii.h"
#include "gannet/common/numbers.h"

namespace gannet {
namespace {

// `numkeys` (at least 1) at args[pos], then that many keys.
KeyExtraction NumKeysAt(CmdArgs args, size_t pos, std::vector<size_t>* keys) {
  if (pos >= args.size()) return KeyExtraction::kInvalid;
  auto n = ParseInt64(args[pos]);
  if (!n || *n < 1 || static_cast<uint64_t>(*n) > args.size() - pos - 1) {
    return KeyExtraction::kInvalid;
  }
  for (int64_t i = 0; i < *n; ++i) keys->push_back(pos + 1 + static_cast<size_t>(i));
  return KeyExtraction::kOk;
}

// The first key, plus the key after each of the `options` words (SORT STORE, GEORADIUS
// STORE/STOREDIST).
KeyExtraction KeyPlusOptionKeys(CmdArgs args, size_t from,
                                std::initializer_list<std::string_view> options,
                                std::vector<size_t>* keys) {
  keys->push_back(1);
  for (size_t i = from; i + 1 < args.size(); ++i) {
    for (std::string_view opt : options) {
      if (EqualsNoCase(args[i], opt)) {
        keys->push_back(i + 1);
        ++i;
        break;
      }
    }
  }
  return KeyExtraction::kOk;
}

KeyExtraction Streams(CmdArgs args, std::vector<size_t>* keys) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (!EqualsNoCase(args[i], "streams")) continue;
    const size_t rest = args.size() - i - 1;
    if (rest / 2 == 0) return KeyExtraction::kInvalid;
    for (size_t k = 0; k < rest / 2; ++k) keys->push_back(i + 1 + k);
    return KeyExtraction::kOk;
  }
  return KeyExtraction::kInvalid;
}

}  // namespace

KeyExtraction ExtractKeys(const CommandSpec& spec, CmdArgs args, std::vector<size_t>* keys) {
  const std::string_view name = spec.name;
  if (name == "zunionstore" || name == "zinterstore" || name == "zdiffstore") {
    keys->push_back(1);
    return NumKeysAt(args, 2, keys);
  }
  if (name == "zunion" || name == "zinter" || name == "zdiff" || name == "zintercard" ||
      name == "sintercard" || name == "lmpop" || name == "zmpop") {
    return NumKeysAt(args, 1, keys);
  }
  if (name == "blmpop" || name == "bzmpop") return NumKeysAt(args, 2, keys);
  if (name == "sort" || name == "sort_ro") return KeyPlusOptionKeys(args, 2, {"store"}, keys);
  if (name == "georadius") return KeyPlusOptionKeys(args, 6, {"store", "storedist"}, keys);
  if (name == "georadiusbymember") {
    return KeyPlusOptionKeys(args, 5, {"store", "storedist"}, keys);
  }
  if (name == "xread" || name == "xreadgroup") return Streams(args, keys);

  if (spec.first_key <= 0) return KeyExtraction::kNoKeys;
  const auto argc = static_cast<int64_t>(args.size());
  int64_t last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  if (last >= argc) last = argc - 1;
  const int64_t step = spec.step > 0 ? spec.step : 1;
  for (int64_t i = spec.first_key; i <= last; i += step) keys->push_back(static_cast<size_t>(i));
  return KeyExtraction::kOk;
}

}  // namespace gannet
