// The server's persistence: what SAVE, BGSAVE, LASTSAVE, DUMP/RESTORE, DEBUG RELOAD and
// the -LOADING / -MISCONF gates see (PersistenceView), plus the hooks the server calls:
// the startup load, the cron (reaping the BGSAVE child, save points, scheduled saves),
// the final save at shutdown and INFO persistence. Runs on the loop thread only; the
// snapshot mechanics (fork, files) live in src/persistence/snapshot.cc.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gannet/commands/persistence_view.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/clock.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/persistence/snapshot.h"

namespace gannet {

class PersistenceService final : public PersistenceView {
 public:
  // `config` is the server's live configuration (CONFIG SET changes it in place).
  PersistenceService(Keyspace& keyspace, const Config& config, spdlog::logger& log,
                     const Clock& clock);
  ~PersistenceService() override;
  PersistenceService(const PersistenceService&) = delete;
  PersistenceService& operator=(const PersistenceService&) = delete;

  // ---- PersistenceView ----
  std::string DumpValue(const Value& v) override;
  bool RestoreValue(std::string_view payload, Value* out, std::string* error) override;
  std::optional<std::string> Save() override;
  std::string BackgroundSave(bool schedule, bool* ok) override;
  int64_t LastSaveTime() const override { return last_save_s_; }
  bool loading() const override { return loading_; }
  bool writes_refused() const override { return rdb_writes_refused() || aof_write_failed_; }
  std::string writes_refused_error() const override;
  // AofService reports here when its writes (or background fsyncs) start or stop failing:
  // writes then get -MISCONF "Errors writing to the AOF file: <strerror(err)>", as Redis.
  void set_aof_write_failed(bool failed, int err) {
    aof_write_failed_ = failed;
    aof_write_errno_ = err;
  }

  // Whether a gate may refuse commands (ServerView::persistence_gate_active).
  bool gate_active() const { return loading_ || writes_refused(); }

  // <dir>/<dbfilename>.
  std::string SnapshotPath() const;

  // Startup: loads the snapshot file when there is one. False when startup must stop (the
  // error, naming the file, the offset and the problem, is already logged) or when a
  // shutdown was asked for during the load (load_aborted() then tells).
  bool LoadAtStartup();

  // ---- the startup load, served while it runs ----
  // How clients are served during the startup load (RDB or AOF). The engine stays on one
  // thread: the loader itself calls back into the event loop between two keys (or two
  // AOF commands), as Redis's processEventsWhileBlocked does, about every
  // kLoadYieldIntervalUs. The keyspace is consistent at those points (no key is half
  // stored), the -LOADING gate refuses every command without the `loading` flag, and the
  // server's cron does only its light work (no expiry, no saves, no rewrites, no
  // eviction) until the load ends. Loading into a separate keyspace on another thread was
  // the alternative: it needs a second dispatcher for the AOF replay and a hand-over of
  // every database, listener and memory counter, for no gain in load time.
  //
  // `yield` runs the loop's ready handlers and returns false when the server is shutting
  // down (the load then stops, and nothing is saved).
  void set_load_yield(std::function<bool()> yield) { load_yield_ = std::move(yield); }
  // The AOF loader's side of it (AofService::LoadAtStartup): BeginLoading with the bytes
  // to read, LoadingStep between two commands or keys (false: stop, shutting down),
  // EndLoading once done, whatever the outcome.
  void BeginLoading(uint64_t total_bytes);
  bool LoadingStep(uint64_t bytes_done, bool rdb_key);
  void EndLoading();
  bool load_aborted() const { return load_aborted_; }
  void set_loading_rdb_used_mem(uint64_t bytes) { loading_rdb_used_mem_ = bytes; }
  // INFO persistence's loading_* lines, printed while loading (after everything else).
  std::string LoadingInfoFields() const;
  // Keys stored so far by the running load, else by the last one.
  uint64_t keys_loaded_so_far() const { return loading_ ? loading_keys_ : last_load_keys_loaded_; }

  // From the server cron: reaps a finished BGSAVE child, then starts a background save
  // when a save point is reached or one was scheduled.
  void Cron();

  // Shutdown: stops a running background save and, when `mode` asks for it (or save
  // points are configured and mode is kDefault), saves in the foreground. False when
  // that save failed (logged; the server must keep running unless `force`).
  bool PrepareShutdown(ShutdownMode mode, bool force);

  // Run in the BGSAVE child before it writes (the server closes its listening sockets).
  void set_child_setup(std::function<void()> fn) { child_setup_ = std::move(fn); }
  // Another fork child (an AOF rewrite) runs: BGSAVE must wait (one child at a time).
  void set_other_child_active(std::function<bool()> fn) { other_child_active_ = std::move(fn); }

  bool ScheduleBackgroundSave() override;
  std::optional<std::string> DebugReload(bool no_save, bool no_flush, bool merge) override;

  void OnFlushAll() override;

  // Stops a running background save (not counted as a failure).
  void AbortBackgroundSave();

  // The allocator's figure for the snapshot's used-mem aux field (0 when unknown).
  void set_used_memory(std::function<size_t()> fn) { used_memory_ = std::move(fn); }

  // ---- INFO persistence / stats ----
  uint64_t changes_since_last_save() const { return keyspace_.dirty() - dirty_at_last_save_; }
  bool bgsave_in_progress() const { return saver_.running(); }
  bool last_bgsave_ok() const { return last_bgsave_ok_; }
  int64_t last_bgsave_time_sec() const { return last_bgsave_time_sec_; }
  int64_t current_bgsave_time_sec() const;
  uint64_t rdb_saves() const { return rdb_saves_; }
  uint64_t last_cow_bytes() const { return last_cow_bytes_; }
  uint64_t current_save_keys_total() const { return saver_.running() ? bgsave_keys_total_ : 0; }
  // The running child's last report (0 when none runs): keys written, copy-on-write size
  // and its peak, the report's age in seconds, the share of keys written ("%.2f").
  uint64_t current_save_keys_processed() const { return saver_.running() ? cur_keys_ : 0; }
  uint64_t current_cow_size() const { return saver_.running() ? cur_cow_ : 0; }
  uint64_t current_cow_peak() const { return saver_.running() ? cur_cow_peak_ : 0; }
  int64_t current_cow_size_age() const;
  std::string current_fork_perc() const;
  uint64_t last_load_keys_loaded() const { return last_load_keys_loaded_; }
  // The AOF loader's RDB preamble counts here too (INFO rdb_last_load_keys_*), as Redis.
  void set_last_load_keys(uint64_t loaded, uint64_t expired) {
    last_load_keys_loaded_ = loaded;
    last_load_keys_expired_ = expired;
  }
  uint64_t last_load_keys_expired() const { return last_load_keys_expired_; }
  // rdb_changes_since_last_save drops to 0 (DEBUG LOADAOF: the dataset is what the disk
  // holds, as Redis zeroes its dirty counter there).
  void ForgetChangesSinceSave() { dirty_at_last_save_ = keyspace_.dirty(); }
  int64_t latest_fork_usec() const { return saver_.last_fork_us(); }
  uint64_t total_forks() const { return total_forks_; }
  bool bgsave_scheduled() const { return bgsave_scheduled_; }

 private:
  bool rdb_writes_refused() const {
    return !last_bgsave_ok_ && config_.stop_writes_on_bgsave_error && !config_.save.empty();
  }
  SnapshotOptions Options() const;
  RdbLoadOptions LoadOptions() const;
  // Forks the BGSAVE child; false (logged, status set to err) on failure.
  bool StartBackgroundSave(std::string_view why);
  void OnBackgroundSaveDone(const BackgroundSaver::Outcome& outcome);
  // Foreground save with Redis's bookkeeping; false on failure (logged).
  bool SaveNow();
  int64_t NowS() const { return clock_.NowMs() / 1000; }

  Keyspace& keyspace_;
  const Config& config_;
  spdlog::logger& log_;
  const Clock& clock_;
  BackgroundSaver saver_;
  std::function<void()> child_setup_;
  std::function<size_t()> used_memory_;
  std::function<bool()> other_child_active_;

  bool loading_ = false;
  bool aof_write_failed_ = false;
  int aof_write_errno_ = 0;
  std::function<bool()> load_yield_;
  bool load_aborted_ = false;
  int64_t loading_start_s_ = 0;
  int64_t loading_start_us_ = 0;
  int64_t next_yield_us_ = 0;
  int64_t next_log_us_ = 0;
  uint64_t loading_total_bytes_ = 0;
  uint64_t loading_loaded_bytes_ = 0;
  uint64_t loading_rdb_used_mem_ = 0;
  uint64_t loading_keys_ = 0;
  uint64_t loading_steps_ = 0;
  unsigned delay_seed_ = 1;
  bool last_bgsave_ok_ = true;
  bool bgsave_scheduled_ = false;
  int64_t last_save_s_ = 0;        // LASTSAVE
  int64_t last_bgsave_try_s_ = 0;  // retry delay after a failure
  int64_t bgsave_start_ms_ = 0;
  int64_t last_bgsave_time_sec_ = -1;
  uint64_t dirty_at_last_save_ = 0;  // keyspace.dirty() when the last good save began
  uint64_t dirty_before_bgsave_ = 0;
  uint64_t bgsave_keys_total_ = 0;
  uint64_t rdb_saves_ = 0;
  uint64_t total_forks_ = 0;
  uint64_t last_cow_bytes_ = 0;
  uint64_t cur_keys_ = 0;
  uint64_t cur_cow_ = 0;
  uint64_t cur_cow_peak_ = 0;
  int64_t cur_cow_at_ms_ = 0;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;
};

}  // namespace gannet
