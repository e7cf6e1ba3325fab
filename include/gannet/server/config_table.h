// The one directive table. Each row names a redis.conf directive (and its alias), its
// type, default, flags and the field of gannet::Config it reads and writes. The config
// file parser, command-line `--directive value`, CONFIG GET/SET/REWRITE and the shipped
// conf/gannet.conf all go through these rows (the valkey `static_configs` idea, pointed
// at a Config object instead of globals).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/common/config.h"

namespace gannet {

enum class DirectiveType : uint8_t { kBool, kInt, kMemory, kEnum, kString, kSpecial };

enum DirectiveFlag : uint32_t {
  kDirImmutable = 1u << 0,  // only from the config file / command line
  kDirProtected = 1u << 1,  // refused by CONFIG SET (enable-protected-configs no)
  kDirMultiArg = 1u << 2,   // several arguments; CONFIG SET splits its value on spaces
  kDirOctal = 1u << 3,      // integer written and read in octal (unixsocketperm)
  kDirHidden = 1u << 4,     // CONFIG GET answers it by exact name only, never for a pattern
  // CONFIG SET refuses it with -LOADING while a dataset loads (Redis's DENY_LOADING_CONFIG)
  kDirDenyLoading = 1u << 5,
};

// Where a directive's arguments come from while loading; lets `save` lines accumulate.
struct LoadState {
  std::set<std::string> seen;  // directive names set by this load so far
};

struct Directive {
  using ParseFn = std::optional<std::string> (*)(Config& cfg,
                                                 std::span<const std::string_view> args,
                                                 LoadState* load);
  using FormatFn = std::vector<std::string> (*)(const Config& cfg);

  std::string_view name;
  std::string_view alias;  // "" when none
  DirectiveType type;
  uint32_t flags;
  int64_t min = 0;  // kInt / kMemory bounds, inclusive
  int64_t max = 0;
  std::span<const std::string_view> choices = {};  // kEnum
  bool Config::*bool_field = nullptr;
  int Config::*int_field = nullptr;
  int64_t Config::*i64_field = nullptr;
  std::string Config::*str_field = nullptr;  // kString and kEnum
  ParseFn parse = nullptr;                   // kSpecial
  FormatFn format = nullptr;                 // kSpecial
};

// Parses a Redis memory value: digits with an optional unit b, k, kb, m, mb, g, gb
// (case-insensitive; k = 1000, kb = 1024). Leading '-' allowed. nullopt on garbage or
// overflow.
std::optional<int64_t> ParseMemory(std::string_view s);

class ConfigTable {
 public:
  ConfigTable();

  const std::vector<Directive>& directives() const { return rows_; }
  // Case-insensitive lookup by name or alias.
  const Directive* Find(std::string_view name) const;

  // Sets a directive from already split arguments (config file / command line).
  // Returns the problem text Redis prints, e.g. "argument must be a memory value".
  std::optional<std::string> Apply(const Directive& d, Config& cfg,
                                   std::span<const std::string_view> args, LoadState* load) const;
  // The directive's current value as arguments (bind -> {"127.0.0.1", "-::1"}).
  std::vector<std::string> FormatArgs(const Directive& d, const Config& cfg) const;
  // The value CONFIG GET prints: the arguments joined with spaces.
  std::string FormatValue(const Directive& d, const Config& cfg) const;

  // CONFIG GET: every (name, value) where name or alias matches one of the glob
  // patterns (case-insensitive), each name once.
  std::vector<std::pair<std::string, std::string>> Get(
      const Config& cfg, const std::vector<std::string_view>& patterns) const;

  // Called after all values of a CONFIG SET validated, with the old and the new config;
  // returns an error text ("ERR ..." complete) to roll everything back.
  using ApplyHook =
      std::function<std::optional<std::string>(const Config& old_cfg, const Config& new_cfg)>;
  // CONFIG SET of several pairs: all or nothing. Returns the complete error text
  // (without '-') or nullopt after committing into cfg. `loading`: a dataset is loading,
  // so a kDirDenyLoading directive among the names makes the whole command fail with
  // -LOADING (Redis's DENY_LOADING_CONFIG, with its precedence over the other errors).
  std::optional<std::string> Set(
      Config& cfg, const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
      const ApplyHook& hook, bool loading = false) const;

  // CONFIG REWRITE: rewrites `path` in place: known directives get their current value on
  // their first line (later duplicates are dropped), unknown lines and comments stay,
  // values that differ from the default and have no line are appended. Error text or
  // nullopt.
  // `users` (when given) are the ACL's users as `user <name> <rules>` lines, in name
  // order, as Redis 7.0 writes them: they take the places of the file's `user` lines in
  // turn (surplus old lines go), the rest are appended; with an `aclfile` the file keeps
  // no `user` line at all. Without `users` the `user` lines stay as written.
  std::optional<std::string> Rewrite(const Config& cfg, const std::string& path,
                                     const std::vector<std::string>* users = nullptr) const;

 private:
  std::vector<Directive> rows_;
};

// Quotes an argument for a config line when needed (spaces, quotes, control bytes, empty).
std::string QuoteConfigArg(std::string_view arg);

}  // namespace gannet
