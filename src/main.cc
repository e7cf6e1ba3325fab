// gannet-server [config-file] [--directive value ...], as redis-server: CLI11 handles
// --help and --version; everything else goes to the config layer (the file first, then
// the command-line directives, which override it). Then Server::Run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <optional>

#include "gannet/server/config_file.h"
#include "gannet/server/logging.h"
#include "gannet/server/server.h"
#include "gannet/version.h"

#ifdef GANNET_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

#ifdef GANNET_WITH_JEMALLOC
size_t JemallocAllocated() {
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);  // refresh the cached statistics
  size_t allocated = 0;
  sz = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &sz, nullptr, 0) != 0) return 0;
  return allocated;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Gannet: a Redis-compatible in-memory cache server.\n"
      "Usage: gannet-server [/path/to/gannet.conf] [--directive value ...]\n"
      "Examples:\n"
      "  gannet-server (run with the default configuration)\n"
      "  gannet-server /etc/gannet/6379.conf\n"
      "  gannet-server --port 7777\n"
      "  gannet-server /etc/mygannet.conf --loglevel verbose --maxmemory 512mb"};
  app.set_version_flag("-v,--version", std::string("Gannet server v=") + gannet::kGannetVersion);
  // Stop at the first argument CLI11 does not know: the config file and the
  // `--directive value` pairs belong to the config layer.
  app.prefix_command();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::vector<std::string> rest = app.remaining();

  gannet::Config cfg;
  gannet::ConfigTable table;
  gannet::ConfigLoader loader(table);
  size_t first_directive = 0;
  if (!rest.empty() && !(rest[0].size() > 2 && rest[0].starts_with("--"))) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(rest[0], ec);
    cfg.config_file = ec ? rest[0] : abs.string();
    // "-" reads the configuration from standard input, as redis-server.
    std::optional<gannet::ConfigError> load_err;
    if (rest[0] == "-") {
      cfg.config_file.clear();
      std::string text((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
      load_err = loader.LoadString(text, "(stdin)", cfg);
    } else {
      load_err = loader.LoadFile(rest[0], cfg);
    }
    if (auto err = load_err) {
      if (err->line == 0) {
        std::fprintf(stderr, "Fatal error, %s\n", err->problem.c_str());
      } else {
        std::fputs(err->Format().c_str(), stderr);
      }
      return 1;
    }
    first_directive = 1;
  }
  std::vector<std::string> directives(rest.begin() + static_cast<long>(first_directive),
                                      rest.end());
  if (auto err = loader.LoadArgs(directives, cfg)) {
    std::fputs(err->Format().c_str(), stderr);
    return 1;
  }

  if (!cfg.dir.empty() && ::chdir(cfg.dir.c_str()) != 0) {
    std::fprintf(stderr, "Can't chdir to '%s': %s\n", cfg.dir.c_str(), std::strerror(errno));
    return 1;
  }
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) != nullptr) cfg.dir = cwd;

  std::shared_ptr<spdlog::logger> log;
  try {
    log = gannet::MakeLogger(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Can't open the log file: %s\n", e.what());
    return 1;
  }
  if (cfg.daemonize) {
    log->warn(
        "daemonize yes is accepted for redis.conf compatibility but ignored: Gannet "
        "stays in the foreground (use your service manager)");
  }
  log->info(
      "Gannet {} (Redis {} compatible) starting: mode=standalone port={} pid={} "
      "config_file={}",
      gannet::kGannetVersion, gannet::kRedisCompatVersion, cfg.port, ::getpid(),
      cfg.config_file.empty() ? "(none)" : cfg.config_file);
  if (cfg.config_file.empty()) {
    log->warn(
        "Warning: no config file specified, using the default config. In order to "
        "specify a config file use {} /path/to/gannet.conf",
        argv[0]);
  }

  gannet::Server server(cfg, log);
#ifdef GANNET_WITH_JEMALLOC
  server.allocated_bytes = JemallocAllocated;
  server.allocator_name = "jemalloc";
#endif
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  server.executable_path = ec ? std::string(argv[0]) : exe.string();
  if (!server.Start()) return 1;
  return server.Run();
}
