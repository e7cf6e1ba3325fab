// The server's append-only file: the PropagationSink the dispatcher feeds after every
// write, the keyspace listener that records expired and evicted keys as DEL, the flush
// before replies (Connection::Flush → BeforeReplies), the startup load (replayed through
// the command handlers with an internal client), BGREWRITEAOF (AofView) with a forked
// child writing the new base, automatic rewrites, CONFIG SET appendonly/appendfsync and
// the aof_* fields of INFO persistence. Runs on the loop thread; the file mechanics live in
// src/persistence/aof*.cc (see include/gannet/persistence/aof.h for the thread diagram).
//
// A rewrite, as Redis 7 (no rewrite buffer):
//   parent: flush → open incr N+1 (manifest += incr N+1, persisted) → fork
//   child : writes the whole keyspace as temp-rewriteaof-bg-<pid>.aof (RDB or commands)
//   parent (cron, child reaped OK): rename temp → base M+1; old base and incrs ≤ N become
//           history; manifest persisted; history files deleted.
// Commands written meanwhile go to incr N+1, which follows the new base.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gannet/commands/aof_view.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/config.h"
#include "gannet/engine/keyspace.h"
#include "gannet/persistence/aof.h"

namespace gannet {

class Server;
class PersistenceService;

class AofService final : public PropagationSink, public KeyspaceListener, public AofView {
 public:
  explicit AofService(Server& server);
  ~AofService() override;
  AofService(const AofService&) = delete;
  AofService& operator=(const AofService&) = delete;

  // Startup with appendonly yes, instead of the RDB: loads the AOF the manifest describes
  // (or upgrades a single-file appendonly.aof, or creates a fresh base), then starts
  // appending. False when the server must not start (logged: file, offset, reason).
  // While the files load, clients are served between commands and `loading` carries the
  // -LOADING state and INFO's loading_* figures; false also when a shutdown was asked for
  // during the load (loading.load_aborted()).
  bool LoadAtStartup(PersistenceService& loading);

  // Before the replies of a batch are written (Connection::Flush): write(2) the buffered
  // commands (and fdatasync under `always`). Cheap when nothing is buffered.
  void BeforeReplies() {
    if (HasPendingWrite()) FlushNow(/*force=*/false);
  }
  bool HasPendingWrite() const { return multi_open_ || writer_.has_pending(); }
  // From the server cron: retries and fsyncs, reaps the rewrite child, starts scheduled
  // and automatic rewrites.
  void Cron();
  // CONFIG SET hook (new_cfg not yet committed): appendonly, appendfsync,
  // aof-timestamp-enabled. Error text (complete, without '-') to roll back.
  std::optional<std::string> ApplyConfig(const Config& old_cfg, const Config& new_cfg);
  // Shutdown: kills a rewrite child, writes and fsyncs what is buffered.
  void Shutdown();

  // A rewrite child is running (BGSAVE must wait: one child at a time).
  bool child_active() const { return child_pid_ > 0; }
  // Asked before forking: is another child (BGSAVE) running? Then the rewrite is scheduled.
  void set_other_child_active(std::function<bool()> fn) { other_child_active_ = std::move(fn); }
  // Run in the rewrite child before it writes (the server closes its listening sockets).
  void set_child_setup(std::function<void()> fn) { child_setup_ = std::move(fn); }

  bool enabled() const { return state_ != State::kOff; }
  // The last write failed (everysec/no): writes should get -MISCONF "Errors writing to the
  // AOF file: <error>" until one succeeds, as Redis.
  bool write_error() const { return reported_failed_; }
  std::string write_error_text() const;
  // Called when write_error() changes, with the errno to report (0 when it cleared).
  void set_write_status_hook(std::function<void(bool failed, int err)> fn) {
    write_status_hook_ = std::move(fn);
  }

  // INFO persistence: the aof_* lines Redis prints before module_fork_in_progress, and the
  // ones it prints after module_fork_last_cow_size when the AOF is on.
  std::string InfoFields() const;
  std::string InfoTail() const;

  // ---- PropagationSink ----
  void Propagate(int db, CmdArgs args) override;
  void PropagateNested(int db, CmdArgs args) override;
  // ---- KeyspaceListener ----
  void OnKeyExpired(int db, std::string_view key) override;
  void OnKeyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key) override;
  // ---- AofView ----
  std::string BackgroundRewrite(bool in_exec, bool* ok) override;
  std::optional<std::string> DebugLoadAof() override;

  // The loading state DEBUG LOADAOF reports through (-LOADING, INFO's loading_* fields,
  // rdb_last_load_keys_*, rdb_changes_since_last_save); set once by the server.
  void set_persistence(PersistenceService* p) { persistence_ = p; }

 private:
  enum class State : uint8_t { kOff, kOn, kWaitRewrite };

  const Config& config() const;
  // Reads and parses the manifest in the AOF directory. kMissing when there is none;
  // kError with the whole log line in *error.
  enum class ManifestRead : uint8_t { kOk, kMissing, kError };
  ManifestRead ReadManifest(AofManifest* out, std::string* error) const;
  // Replays the files `m` names into the keyspace, as the startup load does: the base (RDB
  // or commands), then each incr file, every command straight to its handler (no gates,
  // no propagation), with `loading` holding the -LOADING state and nothing expiring.
  AofLoadResult ReplayFiles(const AofManifest& m, PersistenceService& loading);
  void FlushNow(bool force);
  void CloseMulti();
  void Attach();
  void Detach();
  bool EnsureDir(std::string* error);
  std::string PathOf(std::string_view name) const;
  // Opens (creating) `name` in the AOF directory for appending; -1 with *error on failure.
  int OpenForAppend(const std::string& name, bool truncate, uint64_t* size, std::string* error);
  // Writes the keyspace as base file `name` in the foreground (startup without an AOF).
  bool WriteBaseNow(const std::string& name, std::string* error);
  // Flushes, switches to a new incr file and forks the child. False (logged) on failure.
  bool StartRewrite(const Config& cfg, std::string* error);
  void OnRewriteDone(int status);
  void KillChild();
  void NoteWriteStatus();
  int write_errno() const;
  void DeleteHistory();
  uint64_t CurrentSize() const;

  Server& server_;
  PersistenceService* persistence_ = nullptr;
  spdlog::logger& log_;
  Keyspace& keyspace_;
  Dispatcher& dispatcher_;
  AofWriter writer_;
  State state_ = State::kOff;
  bool attached_ = false;
  bool multi_open_ = false;
  AofManifest manifest_;
  std::string dir_;     // appenddirname (relative to the working directory, which is `dir`)
  std::string prefix_;  // appendfilename

  // Sizes for aof_current_size and automatic rewrites.
  uint64_t files_size_ = 0;  // base + incr files before the current one
  uint64_t base_size_ = 0;
  uint64_t rewrite_base_size_ = 0;  // aof_current_size after the last rewrite / load

  // Rewrite child.
  pid_t child_pid_ = -1;
  int child_report_fd_ = -1;     // read end of the child's copy-on-write report
  uint64_t last_cow_bytes_ = 0;  // aof_last_cow_size
  int64_t child_incr_seq_ = 0;   // the incr file opened when the child was forked
  bool child_used_temp_incr_ = false;
  bool child_rdb_ = true;
  int64_t rewrite_start_ms_ = 0;
  bool rewrite_scheduled_ = false;
  int64_t last_rewrite_time_sec_ = -1;
  bool last_rewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t rewrite_failures_ = 0;  // consecutive
  int64_t last_failed_try_ms_ = 0;
  bool last_write_ok_logged_ = true;
  bool reported_failed_ = false;
  std::function<void(bool, int)> write_status_hook_;
  int64_t last_write_error_log_ms_ = 0;
  std::function<bool()> other_child_active_;
  std::function<void()> child_setup_;
  std::string reply_scratch_;
};

}  // namespace gannet
