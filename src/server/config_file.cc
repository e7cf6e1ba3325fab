// redis.conf parsing: line splitting with Redis's quoting rules, include files, and the
// command-line form `--directive value ...`. Values go through the directive table.
#include "gannet/server/config_file.h"

#include "gannet/common/quoting.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gannet {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr const char* kBadDirective = "Bad directive or wrong number of arguments";

}  // namespace

std::optional<std::vector<std::string>> SplitConfigArgs(std::string_view line) {
  return SplitArgs(line);
}

std::string ConfigError::Format() const {
  std::ostringstream o;
  o << "\n*** FATAL CONFIG FILE ERROR (Gannet) ***\n";
  if (file.empty()) {
    o << "Reading the command line arguments, at option " << line << "\n";
  } else {
    o << "Reading the configuration file '" << file << "', at line " << line << "\n";
  }
  o << ">>> '" << text << "'\n" << problem << "\n";
  return o.str();
}

std::optional<ConfigError> ConfigLoader::LoadFile(const std::string& path, Config& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return ConfigError{
        path, 0, "", "can't open config file '" + path + "': " + std::string(std::strerror(errno))};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return LoadString(ss.str(), path, cfg);
}

std::optional<ConfigError> ConfigLoader::LoadString(std::string_view text,
                                                    const std::string& source, Config& cfg) {
  int lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    std::string_view line = raw;
    while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
    while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto error = [&](std::string problem) {
      return ConfigError{source, lineno, std::string(line), std::move(problem)};
    };
    auto args = SplitConfigArgs(line);
    if (!args) return error("Unbalanced quotes in configuration line");
    if (args->empty()) continue;
    std::string name = (*args)[0];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "include") {
      if (args->size() != 2) return error(kBadDirective);
      if (include_depth_ >= 16) return error("too many nested include files");
      ++include_depth_;
      auto err = LoadFile((*args)[1], cfg);
      --include_depth_;
      if (err) return err;
      continue;
    }
    // Lines that are not settings: ACL users (checked against the command table when the
    // server starts) and command renames.
    if (name == "user") {
      if (args->size() < 2) return error(kBadDirective);
      std::string rules;
      for (size_t i = 1; i < args->size(); ++i) {
        if (i > 1) rules += ' ';
        const std::string& w = (*args)[i];
        // Kept as one line that Acl::SetUserFromLine splits again: quote (and escape)
        // whatever would not come back as the same word.
        if (!w.empty() && w.find_first_of(" \t\r\n\"'\\") == std::string::npos) {
          rules += w;
          continue;
        }
        rules += '"';
        for (char c : w) {
          if (c == '"' || c == '\\') rules += '\\';
          if (c == '\n') {
            rules += "\\n";
          } else if (c == '\r') {
            rules += "\\r";
          } else {
            rules += c;
          }
        }
        rules += '"';
      }
      cfg.acl_users.push_back(std::move(rules));
      continue;
    }
    if (name == "rename-command") {
      if (args->size() != 3) return error(kBadDirective);
      cfg.renamed_commands.emplace_back((*args)[1], (*args)[2]);
      continue;
    }
    const Directive* d = table_.Find(name);
    if (d == nullptr) return error(kBadDirective);
    std::vector<std::string_view> values(args->begin() + 1, args->end());
    if (values.empty() || (values.size() > 1 && !(d->flags & kDirMultiArg))) {
      return error(kBadDirective);
    }
    if (auto problem = table_.Apply(*d, cfg, values, &state_)) return error(*problem);
  }
  return std::nullopt;
}

std::optional<ConfigError> ConfigLoader::LoadArgs(const std::vector<std::string>& args,
                                                  Config& cfg) {
  // As redis-server: each `--name` starts a new line, the words after it are its quoted
  // arguments. Errors report the option's position among the command-line lines.
  std::string text;
  bool has_args = true;
  for (const auto& a : args) {
    if (a.size() > 2 && a.starts_with("--")) {
      // `--save` with nothing after it means save "" (as redis-server accepts).
      if (!has_args && text.ends_with("save")) text += " \"\"";
      if (!text.empty()) text += '\n';
      text += a.substr(2);
      has_args = false;
    } else {
      has_args = true;
      if (text.empty()) {
        return ConfigError{"", 0, a, "Invalid option: arguments must follow a --directive"};
      }
      text += ' ';
      text += QuoteConfigArg(a);
    }
  }
  if (!has_args && text.ends_with("save")) text += " \"\"";
  return LoadString(text, "", cfg);
}

}  // namespace gannet
