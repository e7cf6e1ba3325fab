// The server log: spdlog with Redis's line shape ("pid:M 22 Nov 2026 09:35:57.906 * text")
// and Redis's level names. loglevel debug/verbose/notice/warning map to spdlog
// trace/debug/info/warn; logfile "" means stdout.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "gannet/common/config.h"

namespace gannet {

spdlog::level::level_enum ToSpdlogLevel(LogLevel level);

// Creates the logger the server passes around. Throws spdlog::spdlog_ex when the log
// file cannot be opened.
std::shared_ptr<spdlog::logger> MakeLogger(const Config& cfg);

}  // namespace gannet
