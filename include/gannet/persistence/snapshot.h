// Snapshot files: the whole keyspace written to `<dir>/<dbfilename>` the crash-safe way
// (temp file, fsync, rename, fsync of the directory), in the foreground (SAVE, shutdown)
// or from a forked child (BGSAVE), and read back at startup.
//
// Why fork for BGSAVE. The engine is single-threaded and its structures are not versioned,
// so a point-in-time view needs either a copy-on-write scheme inside the engine (every
// write first serialises the old value of a key the snapshot has not reached, as Dragonfly
// does) or the kernel's copy-on-write of a forked child (as Redis does). fork() needs no
// hook in any write path, cannot miss a mutation (expiry, eviction, lazy frees...), costs
// the parent one page-table copy (about 10-20 ms per GB) and, under writes, the pages it
// touches while the child runs; it is the simple, proven choice. The engine-level scheme
// would avoid the fork pause but touches every write path and needs bounded buffers of
// old values: a later optimisation, measured against this one (bench/snapshot_pause.py).
//
//   parent (loop thread)                     child (a copy of the parent's memory)
//   BackgroundSaver::Start ── fork() ──────> resets signal handlers, closes listeners,
//     returns at once, keeps serving          WriteSnapshot → temp-<pid>.rdb, fsync,
//   cron: Poll() ── waitpid(WNOHANG) <──────  rename, fsync dir; _exit(0 | 1)
//     reads the child's report (error text, copy-on-write size) from a pipe
//
// The process has other threads (the logger's, a lazy-free thread); only the forking
// thread exists in the child, so the child never logs, never takes a lock another thread
// might hold (no spdlog, no asio) and ends with _exit: it only encodes and writes the file.
// This library does not log; the server logs what these functions return.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gannet/engine/keyspace.h"
#include "gannet/persistence/rdb.h"

namespace gannet {

struct SnapshotOptions {
  RdbOptions rdb;
  // rdb-save-incremental-fsync: fsync every 4 MB written (Redis's REDIS_AUTOSYNC_BYTES) so
  // the kernel never has one huge writeback to do at the end.
  bool incremental_fsync = true;
};

struct SnapshotStats {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

// The calling process's copy-on-write size in a fork child: its private dirty memory
// (/proc/self/smaps_rollup, as Redis's zmalloc_get_private_dirty); 0 when unknown.
// Async-signal-safe enough for a fork child: plain system calls, a stack buffer.
uint64_t PrivateDirtyBytes();

// "<directory of path>/temp-<pid>.rdb": where a save by process `pid` writes before the
// rename (Redis's name, so its tools and habits apply).
std::string SnapshotTempPath(const std::string& path, pid_t pid);

// Writes every database of ks to `path`: first to SnapshotTempPath(path, getpid()), then
// fsync, rename over path and fsync of the directory, so that a crash or an error at any
// point leaves the previous file intact. On failure removes the temp file and returns
// false with the reason in *error, e.g. "Write error saving DB on disk: File too large".
bool WriteSnapshot(Keyspace& ks, const std::string& path, int64_t now_ms,
                   const SnapshotOptions& options, std::string* error,
                   SnapshotStats* stats = nullptr);

enum class SnapshotLoad : uint8_t {
  kLoaded,   // the file was read completely
  kNoFile,   // no file at path: start empty
  kFailed,   // unreadable or corrupt: *error names the file, the offset and the problem
  kAborted,  // `between_keys` asked to stop (shutdown during the load)
};

// Called while a load runs, about every `progress_interval_us`, with the bytes read so far
// and the file size.
using LoadProgress = std::function<void(uint64_t bytes_read, uint64_t total_bytes)>;
// Called between two keys (RdbLoadOptions::between_keys) with the bytes read so far and
// the file size; false stops the load with kAborted.
using LoadBetweenKeys = std::function<bool(uint64_t bytes_read, uint64_t total_bytes)>;

// Loads the snapshot at `path` into ks (expected empty). On kFailed the keys read before
// the error are still in ks: the caller must not serve them (startup exits; DEBUG RELOAD
// flushes). *error then reads like "Bad RDB file /data/dump.rdb at offset 1234: Unknown
// RDB value type 42".
SnapshotLoad LoadSnapshot(const std::string& path, Keyspace& ks, int64_t now_ms,
                          const RdbLoadOptions& options, RdbLoadInfo* info, std::string* error,
                          const LoadProgress& progress = {},
                          int64_t progress_interval_us = 1'000'000,
                          const LoadBetweenKeys& between_keys = {});

// BGSAVE: one forked child at a time writing a snapshot (see the top of this file).
class BackgroundSaver {
 public:
  // What the child did, once it is reaped.
  struct Outcome {
    bool ok = false;
    // Ended by Kill() (SIGUSR1): not a failure, as in Redis.
    bool killed = false;
    int exit_code = 0;
    int term_signal = 0;  // the signal that ended the child, 0 when it exited
    // The child's own report: the error text when it failed, and its copy-on-write size
    // (Private_Dirty of its memory when it finished).
    std::string error;
    uint64_t cow_bytes = 0;
    uint64_t keys = 0;
    uint64_t bytes = 0;
  };

  BackgroundSaver() = default;
  ~BackgroundSaver();  // a child still running is killed and reaped
  BackgroundSaver(const BackgroundSaver&) = delete;
  BackgroundSaver& operator=(const BackgroundSaver&) = delete;

  // Forks a child that runs `in_child` (e.g. closing inherited listening sockets), then
  // WriteSnapshot(ks, path, now_ms, options) and exits. Returns false with *error when
  // fork failed or a child is already running.
  bool Start(Keyspace& ks, const std::string& path, int64_t now_ms, const SnapshotOptions& options,
             const std::function<void()>& in_child, std::string* error);

  // While the child writes it reports, about once a second, the keys written so far and
  // its copy-on-write size (INFO's current_cow_size, current_save_keys_processed).
  struct Progress {
    uint64_t keys = 0;
    uint64_t cow_bytes = 0;
  };
  // The newest report not yet returned (nullopt when none arrived since the last call).
  // Non-blocking; call it from the cron while running().
  std::optional<Progress> ReadProgress();

  bool running() const { return pid_ > 0; }
  pid_t child_pid() const { return pid_; }
  // How long the last fork() call blocked the caller (INFO's latest_fork_usec).
  int64_t last_fork_us() const { return last_fork_us_; }

  // Reaps the child if it has ended (waitpid WNOHANG); nullopt while it runs or when
  // there is none. After a signal death the child's temp file is removed here.
  std::optional<Outcome> Poll();
  // Stops a running child (SIGUSR1), waits for it and removes its temp file. The outcome
  // is returned with killed = true (nullopt when no child ran).
  std::optional<Outcome> Kill();

 private:
  Outcome Collect(int status);

  pid_t pid_ = -1;
  int report_fd_ = -1;  // read end of the child's report pipe
  std::string report_;  // what was read from it and is not a progress line
  std::string path_;
  int64_t last_fork_us_ = 0;
};

}  // namespace gannet
