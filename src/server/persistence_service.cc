// PersistenceService: Redis's snapshot bookkeeping (save points, lastsave, the bgsave
// status that drives -MISCONF, INFO persistence) over the mechanics of
// src/persistence/snapshot.cc. Log lines follow Redis's wording so that scrapers and
// operators find what they expect.
#include "persistence_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace gannet {
namespace {

// After a failed background save, save points retry no sooner than this (Redis's
// CONFIG_BGSAVE_RETRY_DELAY).
constexpr int64_t kBgsaveRetryDelayS = 5;
// The startup load serves clients this often (see set_load_yield) and logs its progress
// every second.
constexpr int64_t kLoadYieldIntervalUs = 10'000;
constexpr int64_t kLoadLogIntervalUs = 1'000'000;

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

int64_t MonoUs(const Clock& c) { return c.MonotonicUs(); }

}  // namespace

PersistenceService::PersistenceService(Keyspace& keyspace, const Config& config,
                                       spdlog::logger& log, const Clock& clock)
    : keyspace_(keyspace), config_(config), log_(log), clock_(clock) {
  last_save_s_ = NowS();
}

PersistenceService::~PersistenceService() = default;  // the saver kills a running child

std::string PersistenceService::SnapshotPath() const {
  if (config_.dir.empty()) return config_.dbfilename;
  if (config_.dir.back() == '/') return config_.dir + config_.dbfilename;
  return config_.dir + "/" + config_.dbfilename;
}

SnapshotOptions PersistenceService::Options() const {
  SnapshotOptions o;
  o.rdb.compression = config_.rdbcompression;
  o.rdb.checksum = config_.rdbchecksum;
  o.incremental_fsync = config_.rdb_save_incremental_fsync;
  if (used_memory_) o.rdb.used_mem = static_cast<int64_t>(used_memory_());
  return o;
}

RdbLoadOptions PersistenceService::LoadOptions() const {
  RdbLoadOptions o;
  o.limits = RdbEncodingLimits::FromConfig(config_);
  o.verify_checksum = config_.rdbchecksum;
  o.drop_expired = true;
  return o;
}

// ---------------------------------------------------------------- PersistenceView

std::string PersistenceService::writes_refused_error() const {
  // Redis's order: a failed snapshot is reported before an AOF error.
  if (rdb_writes_refused() || !aof_write_failed_) return {};
  return std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(aof_write_errno_);
}

std::string PersistenceService::DumpValue(const Value& v) {
  return DumpPayload(v, config_.rdbcompression);
}

bool PersistenceService::RestoreValue(std::string_view payload, Value* out, std::string* error) {
  return RestorePayload(payload, out, error, RdbEncodingLimits::FromConfig(config_));
}

std::optional<std::string> PersistenceService::Save() {
  if (saver_.running()) return std::string("ERR Background save already in progress");
  ++rdb_saves_;
  if (!SaveNow()) return std::string("ERR");
  return std::nullopt;
}

std::string PersistenceService::BackgroundSave(bool schedule, bool* ok) {
  // SCHEDULE only matters while another kind of child (an AOF rewrite) runs: the save
  // then starts from the cron once it is gone. A running BGSAVE refuses either way.
  *ok = false;
  if (saver_.running()) return "ERR Background save already in progress";
  if (other_child_active_ && other_child_active_()) {
    if (!schedule) {
      return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
             "SCHEDULE in order to schedule a BGSAVE whenever possible.";
    }
    bgsave_scheduled_ = true;
    *ok = true;
    return "Background saving scheduled";
  }
  if (!StartBackgroundSave("")) return "ERR";
  *ok = true;
  return "Background saving started";
}

bool PersistenceService::ScheduleBackgroundSave() {
  if (saver_.running()) return false;
  bgsave_scheduled_ = true;
  return true;
}

std::optional<std::string> PersistenceService::DebugReload(bool no_save, bool no_flush,
                                                           bool merge) {
  // DEBUG has the loading flag: while the startup load runs it must not save half a
  // dataset or load a second one over it.
  if (loading_) return std::string("LOADING Redis is loading the dataset in memory");
  if (!no_save) {
    if (saver_.running()) AbortBackgroundSave();
    if (!SaveNow()) return std::string("ERR");
  }
  if (!no_flush) keyspace_.FlushAll();
  RdbLoadOptions opts = LoadOptions();
  opts.replace_existing = merge;
  RdbLoadInfo info;
  std::string error;
  loading_ = true;
  keyspace_.set_loading(true);
  SnapshotLoad r = LoadSnapshot(SnapshotPath(), keyspace_, clock_.NowMs(), opts, &info, &error, {});
  keyspace_.set_loading(false);
  loading_ = false;
  if (r == SnapshotLoad::kFailed) {
    log_.warn("{}", error);
    // Never serve half a dataset: what was read before the error goes too.
    keyspace_.FlushAll();
    return std::string("ERR Error trying to load the RDB dump, check server logs.");
  }
  if (r == SnapshotLoad::kNoFile) {
    log_.warn("Fatal error loading the DB {}: No such file or directory", SnapshotPath());
    return std::string("ERR Error trying to load the RDB dump, check server logs.");
  }
  last_load_keys_loaded_ = info.keys_loaded;
  last_load_keys_expired_ = info.keys_expired;
  dirty_at_last_save_ = keyspace_.dirty();
  log_.warn("DB reloaded by DEBUG RELOAD");
  return std::nullopt;
}

// ---------------------------------------------------------------- saving

bool PersistenceService::SaveNow() {
  const uint64_t dirty = keyspace_.dirty();
  std::string error;
  if (!WriteSnapshot(keyspace_, SnapshotPath(), clock_.NowMs(), Options(), &error)) {
    log_.warn("{}", error);
    return false;
  }
  log_.info("DB saved on disk");
  dirty_at_last_save_ = dirty;
  last_save_s_ = NowS();
  last_bgsave_ok_ = true;  // a good save ends -MISCONF, as Redis's rdbSave does
  return true;
}

bool PersistenceService::StartBackgroundSave(std::string_view why) {
  ++rdb_saves_;
  dirty_before_bgsave_ = keyspace_.dirty();
  last_bgsave_try_s_ = NowS();
  if (!why.empty()) log_.info("{}", why);
  std::string error;
  if (!saver_.Start(keyspace_, SnapshotPath(), clock_.NowMs(), Options(), child_setup_, &error)) {
    last_bgsave_ok_ = false;
    log_.warn("{}", error);
    return false;
  }
  ++total_forks_;
  bgsave_start_ms_ = clock_.NowMs();
  cur_keys_ = cur_cow_ = cur_cow_peak_ = 0;
  cur_cow_at_ms_ = 0;
  bgsave_keys_total_ = keyspace_.TotalKeys();
  log_.info("Background saving started by pid {}", static_cast<int64_t>(saver_.child_pid()));
  return true;
}

void PersistenceService::OnBackgroundSaveDone(const BackgroundSaver::Outcome& out) {
  last_bgsave_time_sec_ = (clock_.NowMs() - bgsave_start_ms_) / 1000;
  last_cow_bytes_ = out.cow_bytes;
  if (out.cow_bytes > 0) {
    log_.info("RDB: {} MB of memory used by copy-on-write", Megabytes(out.cow_bytes));
  }
  if (out.ok) {
    log_.info("Background saving terminated with success");
    dirty_at_last_save_ = dirty_before_bgsave_;
    last_save_s_ = NowS();
    last_bgsave_ok_ = true;
  } else if (out.term_signal == 0) {
    if (!out.error.empty()) log_.warn("{}", out.error);
    log_.warn("Background saving error");
    last_bgsave_ok_ = false;
  } else {
    log_.warn("Background saving terminated by signal {}", out.term_signal);
    // SIGUSR1 is how we stop a child on purpose: not an error (as Redis).
    if (!out.killed) last_bgsave_ok_ = false;
  }
}

int64_t PersistenceService::current_bgsave_time_sec() const {
  return saver_.running() ? (clock_.NowMs() - bgsave_start_ms_) / 1000 : -1;
}

void PersistenceService::AbortBackgroundSave() {
  if (!saver_.running()) return;
  log_.warn("Killing the background saving child (pid {})",
            static_cast<int64_t>(saver_.child_pid()));
  if (auto out = saver_.Kill()) OnBackgroundSaveDone(*out);
}

void PersistenceService::OnFlushAll() {
  AbortBackgroundSave();
  if (config_.save.empty()) return;
  // As Redis: the flush itself stays counted as one change after this save.
  if (SaveNow() && dirty_at_last_save_ > 0) --dirty_at_last_save_;
}

int64_t PersistenceService::current_cow_size_age() const {
  if (!saver_.running() || cur_cow_at_ms_ == 0) return 0;
  return (clock_.NowMs() - cur_cow_at_ms_) / 1000;
}

std::string PersistenceService::current_fork_perc() const {
  char buf[32];
  const double perc =
      saver_.running() && bgsave_keys_total_ > 0
          ? static_cast<double>(cur_keys_) * 100.0 / static_cast<double>(bgsave_keys_total_)
          : 0.0;
  std::snprintf(buf, sizeof(buf), "%.2f", perc);
  return buf;
}

void PersistenceService::Cron() {
  if (saver_.running()) {
    if (auto p = saver_.ReadProgress()) {
      cur_keys_ = p->keys;
      cur_cow_ = p->cow_bytes;
      cur_cow_peak_ = std::max(cur_cow_peak_, p->cow_bytes);
      cur_cow_at_ms_ = clock_.NowMs();
    }
    if (auto out = saver_.Poll()) OnBackgroundSaveDone(*out);
    return;  // save points are checked when no child runs, as Redis
  }
  if (other_child_active_ && other_child_active_()) return;
  const int64_t now = NowS();
  const bool may_retry = last_bgsave_ok_ || now - last_bgsave_try_s_ > kBgsaveRetryDelayS;
  const uint64_t changes = changes_since_last_save();
  for (const auto& [seconds, min_changes] : config_.save) {
    if (changes >= static_cast<uint64_t>(min_changes) && now - last_save_s_ > seconds &&
        may_retry) {
      StartBackgroundSave(std::to_string(min_changes) + " changes in " + std::to_string(seconds) +
                          " seconds. Saving...");
      return;
    }
  }
  if (bgsave_scheduled_ && may_retry) {
    if (StartBackgroundSave("")) bgsave_scheduled_ = false;
  }
}

bool PersistenceService::PrepareShutdown(ShutdownMode mode, bool force) {
  // A half-loaded dataset must never overwrite the file it comes from (Redis forces
  // NOSAVE while loading too).
  if (loading_) mode = ShutdownMode::kNoSave;
  if (saver_.running()) {
    log_.warn("There is a child saving an .rdb. Killing it!");
    saver_.Kill();  // not a failed save: the status stays as it was
  }
  const bool save =
      mode == ShutdownMode::kSave || (mode == ShutdownMode::kDefault && !config_.save.empty());
  if (!save) return true;
  log_.info("Saving the final RDB snapshot before exiting.");
  if (SaveNow()) return true;
  if (force) {
    log_.warn("Error trying to save the DB. Exit anyway.");
    return true;
  }
  log_.warn("Error trying to save the DB, can't exit.");
  return false;
}

// ---------------------------------------------------------------- loading

void PersistenceService::BeginLoading(uint64_t total_bytes) {
  loading_ = true;
  keyspace_.set_loading(true);  // nothing expires until the load is over
  load_aborted_ = false;
  loading_start_s_ = NowS();
  loading_start_us_ = MonoUs(clock_);
  next_yield_us_ = loading_start_us_ + kLoadYieldIntervalUs;
  next_log_us_ = loading_start_us_ + kLoadLogIntervalUs;
  loading_total_bytes_ = total_bytes;
  loading_loaded_bytes_ = 0;
  loading_rdb_used_mem_ = 0;
  loading_keys_ = 0;
  loading_steps_ = 0;
}

void PersistenceService::EndLoading() {
  loading_ = false;
  keyspace_.set_loading(false);
}

bool PersistenceService::LoadingStep(uint64_t bytes_done, bool rdb_key) {
  loading_loaded_bytes_ = bytes_done;
  if (rdb_key) {
    ++loading_keys_;
    // key-load-delay, as Redis's debugDelay: -N sleeps 1 us once every N keys on average.
    int delay = config_.key_load_delay;
    if (delay < 0) delay = rand_r(&delay_seed_) % -static_cast<int64_t>(delay) == 0 ? 1 : 0;
    if (delay > 0) ::usleep(static_cast<useconds_t>(delay));
  }
  // The clock is read every 16 steps: a step is a key or a command, about a microsecond.
  if ((++loading_steps_ & 15) != 0) return true;
  const int64_t now = MonoUs(clock_);
  if (now >= next_log_us_) {
    next_log_us_ = now + kLoadLogIntervalUs;
    log_.info("Loading: {} of {} MB read ({}%), {} keys loaded", Megabytes(bytes_done),
              Megabytes(loading_total_bytes_),
              loading_total_bytes_ ? bytes_done * 100 / loading_total_bytes_ : 100,
              keyspace_.TotalKeys());
  }
  if (now < next_yield_us_ || !load_yield_) return true;
  const bool go_on = load_yield_();
  next_yield_us_ = MonoUs(clock_) + kLoadYieldIntervalUs;
  if (!go_on) load_aborted_ = true;
  return go_on;
}

std::string PersistenceService::LoadingInfoFields() const {
  if (!loading_) return {};
  // Redis's figures: the percentage of bytes read and an ETA from the rate so far (1 s
  // while under a second has passed).
  const int64_t elapsed = NowS() - loading_start_s_;
  const uint64_t remaining =
      loading_total_bytes_
          ? loading_total_bytes_ - std::min(loading_loaded_bytes_, loading_total_bytes_)
          : 1;
  const double perc = loading_total_bytes_ ? static_cast<double>(loading_loaded_bytes_) /
                                                 static_cast<double>(loading_total_bytes_) * 100
                                           : 0.0;
  const int64_t eta =
      elapsed == 0
          ? 1
          : static_cast<int64_t>(static_cast<double>(elapsed) * static_cast<double>(remaining) /
                                 static_cast<double>(loading_loaded_bytes_ + 1));
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\n"
                "loading_rdb_used_mem:%llu\r\nloading_loaded_bytes:%llu\r\n"
                "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                static_cast<long long>(loading_start_s_),
                static_cast<unsigned long long>(loading_total_bytes_),
                static_cast<unsigned long long>(loading_rdb_used_mem_),
                static_cast<unsigned long long>(loading_loaded_bytes_), perc,
                static_cast<long long>(eta));
  return buf;
}

bool PersistenceService::LoadAtStartup() {
  const std::string path = SnapshotPath();
  struct stat st {};
  BeginLoading(::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0);
  const int64_t start_us = MonoUs(clock_);
  RdbLoadInfo info;
  std::string error;
  bool used_mem_seen = false;
  auto between_keys = [&](uint64_t bytes_read, uint64_t) {
    if (!used_mem_seen) {
      // The aux fields come first: by the first key they are all known.
      used_mem_seen = true;
      for (const auto& [name, value] : info.aux) {
        if (name == "used-mem") set_loading_rdb_used_mem(std::strtoull(value.c_str(), nullptr, 10));
      }
    }
    return LoadingStep(bytes_read, /*rdb_key=*/true);
  };
  SnapshotLoad r = LoadSnapshot(path, keyspace_, clock_.NowMs(), LoadOptions(), &info, &error, {},
                                0, between_keys);
  EndLoading();
  if (r == SnapshotLoad::kNoFile) return true;
  if (r == SnapshotLoad::kAborted) {
    log_.warn("Loading of {} stopped by a shutdown request", path);
    return false;
  }
  if (r == SnapshotLoad::kFailed) {
    log_.warn("{}", error);
    log_.warn("Fatal error loading the DB, check server logs. Exiting.");
    return false;
  }
  for (const auto& [name, value] : info.aux) {
    if (name == "redis-ver") {
      log_.info("Loading RDB produced by version {}", value);
    } else if (name == "ctime") {
      char* end = nullptr;
      long long ctime = std::strtoll(value.c_str(), &end, 10);
      if (end != value.c_str()) log_.info("RDB age {} seconds", NowS() - ctime);
    } else if (name == "used-mem") {
      log_.info("RDB memory usage when created {} Mb",
                Megabytes(std::strtoull(value.c_str(), nullptr, 10)));
    }
  }
  last_load_keys_loaded_ = info.keys_loaded;
  last_load_keys_expired_ = info.keys_expired;
  log_.info("Done loading RDB, keys loaded: {}, keys expired: {}.", info.keys_loaded,
            info.keys_expired);
  char secs[32];
  std::snprintf(secs, sizeof(secs), "%.3f",
                static_cast<double>(MonoUs(clock_) - start_us) / 1'000'000.0);
  log_.info("DB loaded from disk: {} seconds", secs);
  // A fresh load is what is on disk: nothing to save yet.
  dirty_at_last_save_ = keyspace_.dirty();
  return true;
}

}  // namespace gannet
