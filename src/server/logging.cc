// Logger construction: Redis-shaped lines so that log scrapers written for Redis keep
// working (level marks: '.' debug, '-' verbose, '*' notice, '#' warning).
#include "gannet/server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace gannet {
namespace {

class LevelMark final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char c = '*';
    switch (msg.level) {
      case spdlog::level::trace:
        c = '.';
        break;
      case spdlog::level::debug:
        c = '-';
        break;
      case spdlog::level::info:
        c = '*';
        break;
      default:
        c = '#';
        break;
    }
    dest.push_back(c);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelMark>();
  }
};

}  // namespace

spdlog::level::level_enum ToSpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::trace;
    case LogLevel::kVerbose:
      return spdlog::level::debug;
    case LogLevel::kNotice:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> MakeLogger(const Config& cfg) {
  spdlog::sink_ptr sink;
  if (cfg.logfile.empty()) {
    sink = std::make_shared<spdlog::sinks::stdout_sink_st>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(cfg.logfile);
  }
  auto logger = std::make_shared<spdlog::logger>("gannet", sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelMark>('*').set_pattern("%P:M %d %b %Y %H:%M:%S.%e %* %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(ToSpdlogLevel(cfg.loglevel));
  // Flush every line: the log is how operators and tests see startup and shutdown.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace gannet
