// AofService: the server side of the append-only file (see aof_service.h).
#include "aof_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gannet/commands/client_view.h"
#include "gannet/commands/command.h"
#include "gannet/persistence/snapshot.h"
#include "gannet/server/server.h"
#include "persistence_service.h"

namespace gannet {
namespace {

constexpr int64_t kRewriteRetryMs = 5000;  // after a failed rewrite (AOF_WAIT_REWRITE)
constexpr uint64_t kChildFsyncEvery = 4 * 1024 * 1024;

constexpr std::string_view kMulti[] = {"MULTI"};
constexpr std::string_view kExec[] = {"EXEC"};

// The client AOF commands are replayed as (Redis's fake client): authenticated, never
// blocks, replies go nowhere.
class AofClient final : public ClientView {
 public:
  uint64_t id() const override { return UINT64_MAX; }
  std::string_view name() const override { return {}; }
  void set_name(std::string_view) override {}
  RespVersion resp_version() const override { return RespVersion::kResp2; }
  void set_resp_version(RespVersion) override {}
  int db_index() const override { return db_; }
  void set_db_index(int db) override { db_ = db; }
  bool authenticated() const override { return true; }
  void set_authenticated(bool, std::string_view) override {}
  std::string InfoLine() const override { return "id=aof"; }
  void CloseAfterReply() override {}
  void Reset() override { db_ = 0; }

 private:
  int db_ = 0;
};

bool ArityOk(const CommandSpec& spec, size_t argc) {
  if (spec.arity >= 0) return argc == static_cast<size_t>(spec.arity);
  return argc >= static_cast<size_t>(-static_cast<int64_t>(spec.arity));
}

int64_t FileSize(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

int64_t FileSizeAt(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace

AofService::AofService(Server& server)
    : server_(server),
      log_(server.log()),
      keyspace_(server.keyspace()),
      dispatcher_(server.dispatcher()) {
  dir_ = server.config().appenddirname;
  prefix_ = server.config().appendfilename;
}

AofService::~AofService() {
  KillChild();
  Detach();
}

const Config& AofService::config() const { return server_.config(); }

std::string AofService::PathOf(std::string_view name) const {
  return dir_ + "/" + std::string(name);
}

bool AofService::EnsureDir(std::string* error) {
  if (::mkdir(dir_.c_str(), 0755) == 0 || errno == EEXIST) {
    struct stat st {};
    if (::stat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
    *error = "Can't open or create append-only dir " + dir_ + ": Not a directory";
    return false;
  }
  *error = "Can't open or create append-only dir " + dir_ + ": " + std::strerror(errno);
  return false;
}

int AofService::OpenForAppend(const std::string& name, bool truncate, uint64_t* size,
                              std::string* error) {
  const std::string path = PathOf(name);
  int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
  if (truncate) flags |= O_TRUNC;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    *error = "Can't open the append-only file " + name + ": " + std::strerror(errno);
    return -1;
  }
  *size = static_cast<uint64_t>(FileSize(fd));
  return fd;
}

void AofService::Attach() {
  if (attached_) return;
  writer_.set_fsync(ParseAofFsync(config().appendfsync).value_or(AofFsync::kEverySec));
  writer_.set_timestamps(config().aof_timestamp_enabled);
  dispatcher_.set_propagation_sink(this);
  keyspace_.AddListener(this);
  attached_ = true;
}

void AofService::Detach() {
  if (!attached_) return;
  dispatcher_.set_propagation_sink(nullptr);
  keyspace_.RemoveListener(this);
  attached_ = false;
}

uint64_t AofService::CurrentSize() const { return files_size_ + writer_.stats().current_size; }

// ---------------------------------------------------------------- propagation

void AofService::Propagate(int db, CmdArgs args) {
  // While waiting for the first rewrite with no child yet, the base that rewrite writes
  // will hold this change: nothing to log.
  if (state_ == State::kWaitRewrite && child_pid_ <= 0) return;
  if (multi_open_) CloseMulti();
  writer_.Append(db, args);
}

void AofService::PropagateNested(int db, CmdArgs args) {
  if (state_ == State::kWaitRewrite && child_pid_ <= 0) return;
  if (!multi_open_) {
    // SELECT goes before MULTI, as Redis writes it.
    writer_.Append(db, kMulti);
    multi_open_ = true;
  }
  writer_.Append(db, args);
}

void AofService::CloseMulti() {
  writer_.AppendPlain(kExec);
  multi_open_ = false;
}

void AofService::OnKeyExpired(int db, std::string_view key) {
  if (state_ == State::kWaitRewrite && child_pid_ <= 0) return;
  const std::string_view del[] = {"DEL", key};
  writer_.Append(db, del);
}

void AofService::OnKeyEvent(NotifyClass cls, std::string_view, int db, std::string_view key) {
  if (cls != kNotifyEvicted) return;
  if (state_ == State::kWaitRewrite && child_pid_ <= 0) return;
  const std::string_view del[] = {"DEL", key};
  writer_.Append(db, del);
}

void AofService::FlushNow(bool force) {
  // A transaction's block is complete once its command finished: the replies that follow
  // acknowledge it.
  if (multi_open_) CloseMulti();
  const int64_t now = server_.clock().NowMs();
  const bool ok = writer_.Flush(force, now);
  if (writer_.fatal()) {
    log_.critical(
        "Can't recover from AOF write error when the AOF fsync policy is 'always': {}. "
        "Exiting...",
        std::strerror(writer_.stats().last_write_errno));
    std::_Exit(1);
  }
  if (!ok) {
    last_write_ok_logged_ = false;
    if (now - last_write_error_log_ms_ >= 30'000) {
      last_write_error_log_ms_ = now;
      const AofWriterStats& st = writer_.stats();
      if (st.last_short_write > 0) {
        log_.warn("Short write while writing to the AOF file: (nwritten={}, expected={})",
                  st.last_short_write, st.last_short_write_expected);
      } else {
        log_.warn("Error writing to the AOF file: {}", std::strerror(st.last_write_errno));
      }
    }
  } else if (!last_write_ok_logged_ && writer_.stats().last_write_ok) {
    last_write_ok_logged_ = true;
    log_.warn("AOF write error looks solved, Redis can write again.");
  }
  NoteWriteStatus();
}

void AofService::NoteWriteStatus() {
  // Redis's writeCommandsDeniedByDiskError: a failed write(2), or a failed background
  // fsync, while the AOF is on.
  const bool failed =
      state_ != State::kOff && (!writer_.stats().last_write_ok || writer_.fsync_errno() != 0);
  if (failed == reported_failed_) return;
  reported_failed_ = failed;
  if (write_status_hook_) write_status_hook_(failed, failed ? write_errno() : 0);
}

int AofService::write_errno() const {
  if (!writer_.stats().last_write_ok) return writer_.stats().last_write_errno;
  return writer_.fsync_errno();
}

std::string AofService::write_error_text() const {
  return std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(write_errno());
}

// ---------------------------------------------------------------- startup

bool AofService::LoadAtStartup(PersistenceService& loading) {
  const Config& cfg = config();
  if (!cfg.appendonly) return true;
  // Names, not paths (as Redis refuses them): every file lives in the one directory.
  if (prefix_.empty() || prefix_.find('/') != std::string::npos) {
    log_.warn("appendfilename can't be a path, just a filename");
    return false;
  }
  if (dir_.empty() || dir_.find('/') != std::string::npos) {
    log_.warn("appenddirname can't be a path, just a dirname");
    return false;
  }
  if (cfg.aof_timestamp_enabled) writer_.set_timestamps(true);
  std::string error;
  if (!EnsureDir(&error)) {
    log_.warn("{}", error);
    return false;
  }
  bool fresh = false;
  const ManifestRead read = ReadManifest(&manifest_, &error);
  if (read == ManifestRead::kError) {
    log_.warn("{}", error);
    return false;
  }
  if (read == ManifestRead::kMissing) {
    // A single-file AOF from Redis < 7 (or Gannet's users of it) in `dir`: it becomes the
    // base of a multi-part AOF, as Redis 7 upgrades it.
    struct stat st {};
    if (::stat(prefix_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::rename(prefix_.c_str(), PathOf(prefix_).c_str()) != 0) {
        log_.warn("Error moving {} into {}: {}", prefix_, dir_, std::strerror(errno));
        return false;
      }
      manifest_ = AofManifest{};
      manifest_.base = AofFileInfo{prefix_, 1, AofFileType::kBase};
      manifest_.base_seq = 1;
      if (!WriteAofManifest(dir_, prefix_, manifest_, &error)) {
        log_.warn("Can't persist the AOF manifest: {}", error);
        return false;
      }
      log_.info("Successfully migrated an old-style AOF into the AOF directory");
    } else {
      fresh = true;
    }
  }

  const int64_t start_ms = server_.clock().NowMs();
  if (!fresh) {
    AofLoadResult r = ReplayFiles(manifest_, loading);
    if (r.status == AofLoadStatus::kAborted) {
      log_.warn("Loading of the append only file stopped by a shutdown request");
      return false;
    }
    for (const auto& w : r.warnings) log_.warn("{}", w);
    if (r.status == AofLoadStatus::kFailed) {
      log_.warn("{}", r.error);
      return false;
    }
    // Every key of the preamble is loaded (none dropped as expired, see drop_expired).
    loading.set_last_load_keys(r.rdb_keys, 0);
    if (r.status == AofLoadStatus::kOk) {
      log_.info(
          "DB loaded from append only file: {:.3f} seconds ({} keys from the base, {} "
          "commands replayed)",
          static_cast<double>(server_.clock().NowMs() - start_ms) / 1000.0, r.rdb_keys, r.commands);
    }
    base_size_ = r.base_size;
  }

  // The base: a fresh start writes one now (an empty dataset is a valid RDB).
  if (!manifest_.base && manifest_.incrs.empty()) {
    const bool rdb = cfg.aof_use_rdb_preamble;
    const int64_t seq = manifest_.base_seq + 1;
    const std::string name = AofBaseName(prefix_, seq, rdb);
    if (!WriteBaseNow(name, &error)) {
      log_.warn("Can't create the AOF base file {}: {}", name, error);
      return false;
    }
    manifest_.base = AofFileInfo{name, seq, AofFileType::kBase};
    manifest_.base_seq = seq;
    base_size_ = static_cast<uint64_t>(FileSizeAt(PathOf(name)));
    log_.info("Creating AOF base file {} on server start", name);
  }
  // Append to the last incr file, or start one.
  std::string incr;
  bool persist = false;
  if (manifest_.incrs.empty()) {
    const int64_t seq = manifest_.incr_seq + 1;
    incr = AofIncrName(prefix_, seq);
    manifest_.incrs.push_back(AofFileInfo{incr, seq, AofFileType::kIncr});
    manifest_.incr_seq = seq;
    persist = true;
    log_.info("Creating AOF incr file {} on server start", incr);
  } else {
    incr = manifest_.incrs.back().name;
  }
  uint64_t size = 0;
  int fd = OpenForAppend(incr, /*truncate=*/false, &size, &error);
  if (fd < 0) {
    log_.warn("{}", error);
    return false;
  }
  if (persist || !manifest_.history.empty()) {
    DeleteHistory();  // also persists
    if (persist && !WriteAofManifest(dir_, prefix_, manifest_, &error)) {
      ::close(fd);
      log_.warn("Can't persist the AOF manifest: {}", error);
      return false;
    }
  }
  files_size_ = 0;
  if (manifest_.base)
    files_size_ += static_cast<uint64_t>(FileSizeAt(PathOf(manifest_.base->name)));
  for (size_t i = 0; i + 1 < manifest_.incrs.size(); ++i) {
    files_size_ += static_cast<uint64_t>(FileSizeAt(PathOf(manifest_.incrs[i].name)));
  }
  writer_.SwitchFile(fd, size);
  rewrite_base_size_ = CurrentSize();
  state_ = State::kOn;
  Attach();
  return true;
}

AofService::ManifestRead AofService::ReadManifest(AofManifest* out, std::string* error) const {
  const std::string path = PathOf(AofManifestName(prefix_));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ManifestRead::kMissing;
    *error = "Fatal error: can't open the AOF manifest " + path +
             " for reading: " + std::strerror(errno);
    return ManifestRead::kError;
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  std::string why;
  if (!AofManifest::Parse(text, out, &why)) {
    *error = "Fatal error reading the AOF manifest " + path + ": " + why;
    return ManifestRead::kError;
  }
  return ManifestRead::kOk;
}

AofLoadResult AofService::ReplayFiles(const AofManifest& m, PersistenceService& loading) {
  const Config& cfg = config();
  AofLoadOptions opts;
  opts.dir = dir_;
  opts.load_truncated = cfg.aof_load_truncated;
  opts.now_ms = server_.clock().NowMs();
  opts.rdb.limits = RdbEncodingLimits::FromConfig(cfg);
  // The keys of an RDB preamble are all kept, expired or not (as Redis): the commands
  // after it were logged against that keyspace, and nothing expires during the load
  // (Keyspace::set_loading); such keys expire once it is over.
  opts.rdb.drop_expired = false;
  AofClient client;
  const CommandTable& table = dispatcher_.table();
  auto replay = [&](AofArgs args, std::string* err) -> bool {
    const CommandSpec* spec = table.Find(args[0]);
    if (spec == nullptr) {
      *err = "Unknown command '" + std::string(args[0]) + "'";
      return false;
    }
    if (spec->is_container() && args.size() >= 2) {
      const CommandSpec* sub = table.FindSub(*spec, args[1]);
      if (sub == nullptr) {
        *err = "Unknown command '" + std::string(args[0]) + " " + std::string(args[1]) + "'";
        return false;
      }
      spec = sub;
    }
    if (!ArityOk(*spec, args.size()) || spec->handler == nullptr) {
      *err = "Wrong number of arguments for '" + std::string(args[0]) + "'";
      return false;
    }
    // Straight to the handler, as Redis's loader calls cmd->proc: no gates, no stats,
    // no propagation.
    const int64_t now = server_.clock().NowMs();
    keyspace_.set_now_ms(now);
    reply_scratch_.clear();
    ReplyBuilder reply(&reply_scratch_);
    CommandContext ctx{keyspace_, reply, client, server_, now, spec, &table};
    ctx.blocking = &dispatcher_.blocking();
    ctx.args = args;
    ctx.cannot_block = true;
    ctx.dispatcher = &dispatcher_;
    spec->handler(args, ctx);
    return true;
  };
  // At startup clients are served between commands (and between the keys of an RDB
  // preamble) while the files load: see PersistenceService::set_load_yield.
  uint64_t total = 0;
  if (m.base) total += static_cast<uint64_t>(FileSizeAt(PathOf(m.base->name)));
  for (const auto& f : m.incrs) total += static_cast<uint64_t>(FileSizeAt(PathOf(f.name)));
  opts.between = [&loading](uint64_t done, bool rdb_key) {
    return loading.LoadingStep(done, rdb_key);
  };
  loading.BeginLoading(total);
  AofLoadResult r = LoadAof(m, opts, keyspace_, replay);
  loading.EndLoading();
  return r;
}

bool AofService::WriteBaseNow(const std::string& name, std::string* error) {
  const std::string path = PathOf(name);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  const Config& cfg = config();
  RdbOptions opts;
  const bool ok = cfg.aof_use_rdb_preamble
                      ? WriteAofBaseRdb(keyspace_, server_.clock().NowMs(), opts, fd, 0, error)
                      : WriteAofBaseCommands(keyspace_, server_.clock().NowMs(), fd, 0, error);
  ::close(fd);
  if (!ok) ::unlink(path.c_str());
  return ok;
}

void AofService::DeleteHistory() {
  if (manifest_.history.empty()) return;
  for (const auto& f : manifest_.history) {
    if (::unlink(PathOf(f.name).c_str()) == 0) {
      log_.info("Removing the history file {} in the background", f.name);
    }
  }
  manifest_.history.clear();
  std::string error;
  if (!WriteAofManifest(dir_, prefix_, manifest_, &error)) {
    log_.warn("Can't persist the AOF manifest after deleting history files: {}", error);
  }
}

// ---------------------------------------------------------------- DEBUG LOADAOF

// Redis 7.0 writes out the AOF buffer (when the AOF is on), empties the dataset and loads
// the files its manifest names: the live one, or with appendonly off the one read at
// startup (an AOF of an earlier run, or the base of a BGREWRITEAOF). Where Redis exits
// (status 1, no reply) because that load failed or found no AOF, we reply an error and
// keep serving: the dataset is then empty rather than half loaded (as DEBUG RELOAD), and
// with no AOF at all it is left untouched. A truncated tail trimmed under
// aof-load-truncated is a successful load here, as it is at startup (Redis exits there
// too, with the file already trimmed). The load blocks the loop: unlike the startup load,
// it does not serve other clients meanwhile.
std::optional<std::string> AofService::DebugLoadAof() {
  static constexpr std::string_view kFailed =
      "ERR Error trying to load the AOF files, check server logs.";
  // DEBUG has the loading flag: during the startup load it must not load a second dataset
  // over the first.
  if (persistence_ == nullptr) return std::string("ERR persistence is not available");
  if (persistence_->loading()) return std::string("LOADING Redis is loading the dataset in memory");
  if (state_ != State::kOff) FlushNow(/*force=*/true);
  AofManifest m = manifest_;
  if (!m.base && m.incrs.empty()) {
    std::string error;
    const ManifestRead read = ReadManifest(&m, &error);
    if (read != ManifestRead::kOk) {
      log_.warn("{}", read == ManifestRead::kError
                          ? error
                          : "DEBUG LOADAOF: there is no append only file to load");
      return std::string(kFailed);
    }
  }
  // Neither the flush nor the replayed commands are logged again.
  const bool was_attached = attached_;
  Detach();
  keyspace_.FlushAll();
  const AofLoadResult r = ReplayFiles(m, *persistence_);
  if (was_attached) Attach();
  for (const auto& w : r.warnings) log_.warn("{}", w);
  if (r.status != AofLoadStatus::kOk && r.status != AofLoadStatus::kEmpty) {
    log_.warn("{}", r.error.empty() ? "DEBUG LOADAOF: no append only file found" : r.error);
    keyspace_.FlushAll();
    return std::string(kFailed);
  }
  persistence_->set_last_load_keys(r.rdb_keys, 0);
  // Redis zeroes its change counter: what was just loaded is on disk already.
  persistence_->ForgetChangesSinceSave();
  if (r.trimmed && state_ == State::kOn && !manifest_.incrs.empty()) {
    // The loader cut the tail of the file we append to: take its new size.
    std::string error;
    uint64_t size = 0;
    const int fd = OpenForAppend(manifest_.incrs.back().name, /*truncate=*/false, &size, &error);
    if (fd >= 0) {
      writer_.SwitchFile(fd, size);
    } else {
      log_.warn("{}", error);
    }
  }
  log_.warn("Append Only File loaded by DEBUG LOADAOF");
  return std::nullopt;
}

// ---------------------------------------------------------------- rewrite

std::string AofService::BackgroundRewrite(bool in_exec, bool* ok) {
  if (child_pid_ > 0) {
    *ok = false;
    return "ERR Background append only file rewriting already in progress";
  }
  if (in_exec || (other_child_active_ && other_child_active_())) {
    rewrite_scheduled_ = true;
    // Asked for by hand: the retry delay after failures does not apply (as Redis).
    rewrite_failures_ = 0;
    *ok = true;
    return "Background append only file rewriting scheduled";
  }
  std::string error;
  if (StartRewrite(config(), &error)) {
    *ok = true;
    return "Background append only file rewriting started";
  }
  *ok = false;
  return "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
         "information.";
}

bool AofService::StartRewrite(const Config& cfg, std::string* error) {
  rewrite_scheduled_ = false;
  if (!EnsureDir(error)) {
    log_.warn("{}", *error);
    last_rewrite_ok_ = false;
    return false;
  }
  // 1. Everything so far goes to the current file; commands from here on go to a new incr
  //    file that will follow the new base.
  child_used_temp_incr_ = false;
  child_incr_seq_ = 0;
  AofManifest before = manifest_;
  if (state_ != State::kOff) {
    FlushNow(/*force=*/true);
    std::string name;
    if (state_ == State::kWaitRewrite) {
      // Not in the manifest until the base exists (a crash now loads the old AOF).
      name = AofTempIncrName(prefix_);
      child_used_temp_incr_ = true;
    } else {
      child_incr_seq_ = manifest_.incr_seq + 1;
      name = AofIncrName(prefix_, child_incr_seq_);
    }
    uint64_t size = 0;
    int fd = OpenForAppend(name, /*truncate=*/true, &size, error);
    if (fd < 0) {
      log_.warn("{}", *error);
      last_rewrite_ok_ = false;
      return false;
    }
    if (!child_used_temp_incr_) {
      manifest_.incrs.push_back(AofFileInfo{name, child_incr_seq_, AofFileType::kIncr});
      manifest_.incr_seq = child_incr_seq_;
      if (!WriteAofManifest(dir_, prefix_, manifest_, error)) {
        manifest_ = before;
        ::close(fd);
        ::unlink(PathOf(name).c_str());
        log_.warn("Can't persist the AOF manifest: {}", *error);
        last_rewrite_ok_ = false;
        return false;
      }
      files_size_ += writer_.stats().current_size;
    }
    writer_.SwitchFile(fd, size);
  }

  // 2. The child writes the keyspace as it is at this instant.
  const bool rdb = cfg.aof_use_rdb_preamble;
  const uint64_t fsync_every = cfg.aof_rewrite_incremental_fsync ? kChildFsyncEvery : 0;
  const int64_t now = server_.clock().NowMs();
  // The child reports its copy-on-write size through a pipe (aof_last_cow_size).
  int report[2] = {-1, -1};
  if (::pipe2(report, O_CLOEXEC) != 0) report[0] = report[1] = -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    // The child: no logging, no locks another thread may hold, _exit at the end.
    if (report[0] >= 0) ::close(report[0]);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGUSR1, SIG_DFL);
    if (child_setup_) child_setup_();
    const std::string tmp = PathOf(AofTempRewriteName(::getpid()));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) ::_exit(1);
    std::string err;
    RdbOptions opts;
    opts.compression = true;
    bool ok = rdb ? WriteAofBaseRdb(keyspace_, now, opts, fd, fsync_every, &err)
                  : WriteAofBaseCommands(keyspace_, now, fd, fsync_every, &err);
    ok = ::close(fd) == 0 && ok;
    if (report[1] >= 0) {
      char line[48];
      const int n = std::snprintf(line, sizeof(line), "%llu\n",
                                  static_cast<unsigned long long>(PrivateDirtyBytes()));
      if (n > 0 && ::write(report[1], line, static_cast<size_t>(n)) < 0) {
        // Best effort: without the report INFO shows 0.
      }
    }
    ::_exit(ok ? 0 : 1);
  }
  if (report[1] >= 0) ::close(report[1]);
  if (pid < 0 && report[0] >= 0) ::close(report[0]);
  if (pid < 0) {
    *error =
        std::string("Can't rewrite append only file in background: fork: ") + std::strerror(errno);
    log_.warn("{}", *error);
    last_rewrite_ok_ = false;
    ++rewrite_failures_;
    last_failed_try_ms_ = now;
    return false;
  }
  child_pid_ = pid;
  child_report_fd_ = report[0];
  child_rdb_ = rdb;
  rewrite_start_ms_ = now;
  writer_.set_fsync_suspended(cfg.no_appendfsync_on_rewrite);
  log_.info("Background append only file rewriting started by pid {}", pid);
  return true;
}

void AofService::OnRewriteDone(int status) {
  const pid_t pid = child_pid_;
  child_pid_ = -1;
  // The child has exited: its report (one line, the copy-on-write size) is complete.
  if (child_report_fd_ >= 0) {
    char buf[64];
    ssize_t n;
    do {
      n = ::read(child_report_fd_, buf, sizeof(buf) - 1);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      buf[n] = '\0';
      last_cow_bytes_ = std::strtoull(buf, nullptr, 10);
      if (last_cow_bytes_ > 0) {
        log_.info("AOF rewrite: {:.2f} MB of memory used by copy-on-write",
                  static_cast<double>(last_cow_bytes_) / (1024.0 * 1024.0));
      }
    }
    ::close(child_report_fd_);
    child_report_fd_ = -1;
  }
  writer_.set_fsync_suspended(false);
  const int64_t now = server_.clock().NowMs();
  last_rewrite_time_sec_ = (now - rewrite_start_ms_) / 1000;
  const std::string tmp = PathOf(AofTempRewriteName(pid));
  auto failed = [&](const std::string& why) {
    ::unlink(tmp.c_str());
    last_rewrite_ok_ = false;
    ++rewrite_failures_;
    last_failed_try_ms_ = now;
    log_.warn("{}", why);
  };
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFSIGNALED(status)) {
      failed("Background AOF rewrite terminated by signal " + std::to_string(WTERMSIG(status)));
    } else {
      failed("Background AOF rewrite terminated with error");
    }
    return;
  }
  // The new base replaces the old base and every incr file before the one opened at fork.
  AofManifest m = manifest_;
  const int64_t base_seq = m.base_seq + 1;
  const std::string base_name = AofBaseName(prefix_, base_seq, child_rdb_);
  if (m.base) {
    AofFileInfo h = *m.base;
    h.type = AofFileType::kHistory;
    m.history.push_back(h);
  }
  std::vector<AofFileInfo> keep;
  for (auto& f : m.incrs) {
    const bool follows_base =
        state_ == State::kOn && child_incr_seq_ != 0 && f.seq >= child_incr_seq_;
    if (follows_base) {
      keep.push_back(f);
    } else {
      f.type = AofFileType::kHistory;
      m.history.push_back(f);
    }
  }
  m.incrs = std::move(keep);
  m.base = AofFileInfo{base_name, base_seq, AofFileType::kBase};
  m.base_seq = base_seq;
  if (::rename(tmp.c_str(), PathOf(base_name).c_str()) != 0) {
    failed(std::string("Error trying to rename the temporary AOF base file: ") +
           std::strerror(errno));
    return;
  }
  std::string temp_incr_new;
  if (state_ == State::kWaitRewrite && child_used_temp_incr_) {
    const int64_t seq = m.incr_seq + 1;
    temp_incr_new = AofIncrName(prefix_, seq);
    if (::rename(PathOf(AofTempIncrName(prefix_)).c_str(), PathOf(temp_incr_new).c_str()) != 0) {
      ::unlink(PathOf(base_name).c_str());
      failed(std::string("Error trying to rename the temporary AOF incr file: ") +
             std::strerror(errno));
      return;
    }
    m.incrs.push_back(AofFileInfo{temp_incr_new, seq, AofFileType::kIncr});
    m.incr_seq = seq;
  }
  std::string error;
  if (!WriteAofManifest(dir_, prefix_, m, &error)) {
    ::unlink(PathOf(base_name).c_str());
    if (!temp_incr_new.empty()) {
      ::rename(PathOf(temp_incr_new).c_str(), PathOf(AofTempIncrName(prefix_)).c_str());
    }
    failed("Can't persist the AOF manifest after a rewrite: " + error);
    return;
  }
  manifest_ = std::move(m);
  if (state_ == State::kWaitRewrite) {
    state_ = State::kOn;
    log_.info("Background AOF rewrite finished successfully; the AOF is now on");
  }
  base_size_ = static_cast<uint64_t>(FileSizeAt(PathOf(base_name)));
  files_size_ = base_size_;
  for (size_t i = 0; i + 1 < manifest_.incrs.size(); ++i) {
    files_size_ += static_cast<uint64_t>(FileSizeAt(PathOf(manifest_.incrs[i].name)));
  }
  if (state_ == State::kOff) files_size_ = base_size_;
  rewrite_base_size_ = CurrentSize();
  last_rewrite_ok_ = true;
  rewrite_failures_ = 0;
  ++rewrites_;
  DeleteHistory();
  log_.info("Background AOF rewrite successfully completed ({} s)", last_rewrite_time_sec_);
}

void AofService::KillChild() {
  if (child_pid_ <= 0) return;
  ::kill(child_pid_, SIGUSR1);
  int status = 0;
  while (::waitpid(child_pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ::unlink(PathOf(AofTempRewriteName(child_pid_)).c_str());
  log_.info("Killing running AOF rewrite child: {}", child_pid_);
  child_pid_ = -1;
  if (child_report_fd_ >= 0) ::close(child_report_fd_);
  child_report_fd_ = -1;
  writer_.set_fsync_suspended(false);
}

void AofService::Cron() {
  const int64_t now = server_.clock().NowMs();
  if (child_pid_ > 0) {
    int status = 0;
    pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
    if (r == child_pid_) OnRewriteDone(status);
  }
  const bool other = other_child_active_ && other_child_active_();
  if (child_pid_ <= 0 && !other) {
    std::string error;
    if (rewrite_scheduled_) {
      StartRewrite(config(), &error);
    } else if (state_ == State::kWaitRewrite && now - last_failed_try_ms_ >= kRewriteRetryMs) {
      StartRewrite(config(), &error);
    } else if (state_ == State::kOn && config().auto_aof_rewrite_percentage > 0 &&
               (rewrite_failures_ == 0 || now - last_failed_try_ms_ >= kRewriteRetryMs)) {
      const uint64_t size = CurrentSize();
      const uint64_t base = rewrite_base_size_ ? rewrite_base_size_ : 1;
      if (size > static_cast<uint64_t>(config().auto_aof_rewrite_min_size)) {
        const uint64_t growth = size * 100 / base - 100;
        if (size > base && growth >= static_cast<uint64_t>(config().auto_aof_rewrite_percentage)) {
          log_.info("Starting automatic rewriting of AOF on {}% growth", growth);
          StartRewrite(config(), &error);
        }
      }
    }
  }
  if (state_ != State::kOff) FlushNow(/*force=*/false);
}

// ---------------------------------------------------------------- config, shutdown

std::optional<std::string> AofService::ApplyConfig(const Config& old_cfg, const Config& new_cfg) {
  if (old_cfg.appendfsync != new_cfg.appendfsync) {
    writer_.set_fsync(ParseAofFsync(new_cfg.appendfsync).value_or(AofFsync::kEverySec));
  }
  if (old_cfg.aof_timestamp_enabled != new_cfg.aof_timestamp_enabled) {
    writer_.set_timestamps(new_cfg.aof_timestamp_enabled);
  }
  // (CONFIG SET refuses appendonly while a dataset loads: kDirDenyLoading.)
  if (old_cfg.appendonly == new_cfg.appendonly) return std::nullopt;
  if (!new_cfg.appendonly) {
    // stopAppendOnly: what is buffered reaches the disk, the child (if any) is stopped.
    FlushNow(/*force=*/true);
    std::string error;
    if (!writer_.FlushAndSync(&error)) log_.warn("Fail to fsync the AOF file: {}", error);
    KillChild();
    writer_.Close();
    Detach();
    state_ = State::kOff;
    rewrite_scheduled_ = false;
    NoteWriteStatus();  // no AOF, no AOF error
    return std::nullopt;
  }
  // startAppendOnly: the first rewrite writes the base; commands are logged from the fork.
  std::string error;
  if (!EnsureDir(&error)) {
    return "ERR CONFIG SET failed (possibly related to argument 'appendonly') - " + error;
  }
  // An existing manifest (an earlier run, or appendonly turned off and on) is extended.
  if (!manifest_.base && manifest_.incrs.empty()) {
    int mfd = ::open(PathOf(AofManifestName(prefix_)).c_str(), O_RDONLY | O_CLOEXEC);
    if (mfd >= 0) {
      std::string text;
      char buf[4096];
      ssize_t n;
      while ((n = ::read(mfd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
      ::close(mfd);
      AofManifest m;
      if (AofManifest::Parse(text, &m, &error)) manifest_ = std::move(m);
    }
  }
  state_ = State::kWaitRewrite;
  writer_.set_fsync(ParseAofFsync(new_cfg.appendfsync).value_or(AofFsync::kEverySec));
  writer_.set_timestamps(new_cfg.aof_timestamp_enabled);
  Attach();
  if (child_pid_ > 0) {
    // A BGREWRITEAOF with the AOF off is running: its base lacks what it can't see; start
    // over once it ends.
    KillChild();
  }
  if (other_child_active_ && other_child_active_()) {
    rewrite_scheduled_ = true;
    log_.info(
        "AOF was enabled but there is already another background operation. An AOF background "
        "was scheduled to start when possible.");
    return std::nullopt;
  }
  if (!StartRewrite(new_cfg, &error)) {
    Detach();
    state_ = State::kOff;
    return "ERR CONFIG SET failed (possibly related to argument 'appendonly') - " + error;
  }
  return std::nullopt;
}

void AofService::Shutdown() {
  KillChild();
  if (state_ == State::kOff) return;
  FlushNow(/*force=*/true);
  std::string error;
  if (!writer_.FlushAndSync(&error)) log_.warn("Error fsyncing the AOF at shutdown: {}", error);
  log_.info("Calling fsync() on the AOF file.");
}

// ---------------------------------------------------------------- INFO

std::string AofService::InfoFields() const {
  const int64_t now = server_.clock().NowMs();
  std::string s;
  auto field = [&s](std::string_view name, const auto& value) {
    s += name;
    s += ':';
    if constexpr (std::is_convertible_v<decltype(value), std::string_view>) {
      s += std::string_view(value);
    } else {
      s += std::to_string(value);
    }
    s += "\r\n";
  };
  field("aof_enabled", state_ != State::kOff ? 1 : 0);
  field("aof_rewrite_in_progress", child_pid_ > 0 ? 1 : 0);
  field("aof_rewrite_scheduled", rewrite_scheduled_ ? 1 : 0);
  field("aof_last_rewrite_time_sec", last_rewrite_time_sec_);
  field("aof_current_rewrite_time_sec",
        child_pid_ > 0 ? (now - rewrite_start_ms_) / 1000 : int64_t{-1});
  field("aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  field("aof_rewrites", rewrites_);
  field("aof_rewrites_consecutive_failures", rewrite_failures_);
  field("aof_last_write_status",
        writer_.stats().last_write_ok && writer_.fsync_errno() == 0 ? "ok" : "err");
  field("aof_last_cow_size", last_cow_bytes_);
  return s;
}

std::string AofService::InfoTail() const {
  if (state_ == State::kOff) return {};
  std::string s;
  auto field = [&s](std::string_view name, uint64_t value) {
    s += name;
    s += ':';
    s += std::to_string(value);
    s += "\r\n";
  };
  field("aof_current_size", CurrentSize());
  field("aof_base_size", base_size_);
  field("aof_pending_rewrite", rewrite_scheduled_ ? 1 : 0);
  field("aof_buffer_length", writer_.pending_bytes());
  field("aof_pending_bio_fsync", writer_.pending_fsyncs());
  field("aof_delayed_fsync", writer_.stats().delayed_fsync);
  return s;
}

}  // namespace gannet
