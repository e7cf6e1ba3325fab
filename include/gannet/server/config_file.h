// redis.conf syntax: one `directive arg ...` per line, arguments split and unquoted as
// Redis's sdssplitargs does ("double quotes" with \n \r \t \b \a \\ \" \xHH escapes,
// 'single quotes' with \' only; a closing quote must be followed by a space or the end of
// the line), '#' comments, blank lines, `include path`. Later lines override earlier
// ones. Errors name the file, the line number and the problem, as Redis prints them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/common/config.h"
#include "gannet/server/config_table.h"

namespace gannet {

// Splits one line into arguments; nullopt on unbalanced quotes.
std::optional<std::vector<std::string>> SplitConfigArgs(std::string_view line);

struct ConfigError {
  std::string file;     // "" for the command line
  int line = 0;         // 1-based
  std::string text;     // the offending line
  std::string problem;  // e.g. "Bad directive or wrong number of arguments"

  // The multi-line message printed before exiting (Redis's FATAL CONFIG FILE ERROR form,
  // naming the file).
  std::string Format() const;
};

class ConfigLoader {
 public:
  explicit ConfigLoader(const ConfigTable& table) : table_(table) {}

  // Applies a config file (and the files it includes) to cfg.
  std::optional<ConfigError> LoadFile(const std::string& path, Config& cfg);
  // Applies config text; `source` names it in errors.
  std::optional<ConfigError> LoadString(std::string_view text, const std::string& source,
                                        Config& cfg);
  // Turns redis-server style arguments (`--port 7000 --save ""`) into config lines
  // (`port 7000`, `save ""`), as Redis does, and applies them after the file.
  std::optional<ConfigError> LoadArgs(const std::vector<std::string>& args, Config& cfg);

 private:
  const ConfigTable& table_;
  LoadState state_;
  int include_depth_ = 0;
};

}  // namespace gannet
