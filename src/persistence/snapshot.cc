// Snapshot files: crash-safe writing (temp file, fsync, rename, directory fsync), loading
// with progress, and the forked BGSAVE child. The design (why fork) is explained at the top
// of include/gannet/persistence/snapshot.h.
#include "gannet/persistence/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

namespace gannet {
namespace {

constexpr uint64_t kIncrementalFsyncBytes = 4ULL * 1024 * 1024;  // REDIS_AUTOSYNC_BYTES
constexpr size_t kWriteBuffer = size_t{1} << 20;

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string CurrentDir() {
  char buf[4096];
  if (::getcwd(buf, sizeof(buf)) == nullptr) return "unknown";
  return buf;
}

std::string ErrnoText(int e) { return std::strerror(e); }

// fsync of the directory makes the rename itself durable.
bool FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  int e = errno;
  ::close(fd);
  errno = e;
  return ok;
}

int64_t MonotonicUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Counts what the loader reads and reports progress at most every interval.
class ProgressSource final : public RdbSource {
 public:
  ProgressSource(RdbSource& inner, uint64_t total, const LoadProgress& progress,
                 int64_t interval_us)
      : inner_(inner),
        total_(total),
        progress_(progress),
        interval_us_(interval_us),
        next_us_(MonotonicUs() + interval_us) {}

  size_t Read(void* buf, size_t n) override {
    size_t got = inner_.Read(buf, n);
    read_ += got;
    // The clock is read once per 256 calls or 64 KB, whichever comes first: the reader
    // may ask for a few bytes at a time or for large blocks.
    if (progress_ && ((++calls_ & 0xff) == 0 || read_ - checked_at_ >= 65536)) {
      checked_at_ = read_;
      int64_t now = MonotonicUs();
      if (now >= next_us_) {
        next_us_ = now + interval_us_;
        progress_(read_, total_);
      }
    }
    return got;
  }
  std::string error() const override { return inner_.error(); }
  int64_t Remaining() const override { return inner_.Remaining(); }

 private:
  RdbSource& inner_;
  uint64_t total_;
  const LoadProgress& progress_;
  int64_t interval_us_;
  int64_t next_us_;
  uint64_t read_ = 0;
  uint64_t checked_at_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace

// The child's copy-on-write size: memory it maps privately and that was written since
// the fork (by it or by the parent), as Redis's zmalloc_get_private_dirty. Reads with plain
// system calls into a stack buffer.
uint64_t PrivateDirtyBytes() {
  int fd = ::open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* p = std::strstr(buf, "Private_Dirty:");
  if (p == nullptr) return 0;
  return std::strtoull(p + std::strlen("Private_Dirty:"), nullptr, 10) * 1024;
}

namespace {

void WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// One "name value" per line; the error text last (it may contain anything but newlines).
void ParseReport(std::string_view report, BackgroundSaver::Outcome* out) {
  while (!report.empty()) {
    size_t eol = report.find('\n');
    std::string_view line = report.substr(0, eol);
    report = eol == std::string_view::npos ? std::string_view() : report.substr(eol + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view name = line.substr(0, sp);
    std::string value(line.substr(sp + 1));
    if (name == "error") {
      out->error = value;
    } else if (name == "keys") {
      out->keys = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "bytes") {
      out->bytes = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "cow") {
      out->cow_bytes = std::strtoull(value.c_str(), nullptr, 10);
    }
  }
}

}  // namespace

std::string SnapshotTempPath(const std::string& path, pid_t pid) {
  return DirOf(path) + "/temp-" + std::to_string(pid) + ".rdb";
}

bool WriteSnapshot(Keyspace& ks, const std::string& path, int64_t now_ms,
                   const SnapshotOptions& options, std::string* error, SnapshotStats* stats) {
  const std::string tmp = SnapshotTempPath(path, ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Failed opening the temp RDB file " + tmp + " (in server root dir " + CurrentDir() +
             ") for saving: " + ErrnoText(errno);
    return false;
  }
  auto fail = [&](const std::string& why) {
    ::close(fd);
    ::unlink(tmp.c_str());
    *error = why;
    return false;
  };
  uint64_t bytes = 0;
  {
    FdSink sink(fd, kWriteBuffer, options.incremental_fsync ? kIncrementalFsyncBytes : 0);
    std::string werr;
    if (!WriteRdb(ks, now_ms, options.rdb, sink, &werr)) {
      return fail("Write error saving DB on disk: " + werr);
    }
    bytes = sink.bytes_written();
  }
  if (::fsync(fd) != 0) return fail("Write error saving DB on disk: " + ErrnoText(errno));
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    *error = "Write error saving DB on disk: " + ErrnoText(e);
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    *error = "Error moving temp DB file " + tmp + " on the final destination " + path +
             " (in server root dir " + CurrentDir() + "): " + ErrnoText(e);
    return false;
  }
  if (!FsyncDir(DirOf(path))) {
    *error = "Failed to fsync directory while saving DB: " + ErrnoText(errno);
    return false;
  }
  if (stats != nullptr) {
    stats->bytes = bytes;
    stats->keys = ks.TotalKeys();
  }
  return true;
}

SnapshotLoad LoadSnapshot(const std::string& path, Keyspace& ks, int64_t now_ms,
                          const RdbLoadOptions& options, RdbLoadInfo* info, std::string* error,
                          const LoadProgress& progress, int64_t progress_interval_us,
                          const LoadBetweenKeys& between_keys) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return SnapshotLoad::kNoFile;
    *error = "Fatal error loading the DB " + path + ": " + ErrnoText(errno);
    return SnapshotLoad::kFailed;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = "Fatal error loading the DB " + path + ": not a regular file";
    ::close(fd);
    return SnapshotLoad::kFailed;
  }
  // A 0-byte file is not an empty dataset (that has a header and an EOF record): it fails
  // below with "Unexpected EOF" at offset 0, and startup stops, as redis-server 7.0 does.
  FdSource file(fd);
  ProgressSource src(file, static_cast<uint64_t>(st.st_size), progress, progress_interval_us);
  RdbLoadError err;
  bool aborted = false;
  const uint64_t total = static_cast<uint64_t>(st.st_size);
  bool ok;
  if (between_keys) {
    RdbLoadOptions opts = options;
    opts.between_keys = [&](uint64_t parsed) {
      if (between_keys(parsed, total)) return true;
      aborted = true;
      return false;
    };
    ok = LoadRdb(src, ks, now_ms, opts, &err, info);
  } else {
    ok = LoadRdb(src, ks, now_ms, options, &err, info);
  }
  ::close(fd);
  if (aborted) return SnapshotLoad::kAborted;
  if (!ok) {
    *error =
        "Bad RDB file " + path + " at offset " + std::to_string(err.offset) + ": " + err.message;
    return SnapshotLoad::kFailed;
  }
  return SnapshotLoad::kLoaded;
}

// ---------------------------------------------------------------- BackgroundSaver

BackgroundSaver::~BackgroundSaver() {
  if (running()) Kill();
}

bool BackgroundSaver::Start(Keyspace& ks, const std::string& path, int64_t now_ms,
                            const SnapshotOptions& options, const std::function<void()>& in_child,
                            std::string* error) {
  if (running()) {
    *error = "Background save already in progress";
    return false;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = "Can't save in background: pipe: " + ErrnoText(errno);
    return false;
  }
  // Signals stay blocked across fork(): the child must not run the parent's handlers (the
  // loop's signal pipe is shared) before it resets them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  const int64_t start = MonotonicUs();
  pid_t pid = ::fork();
  if (pid == 0) {
    // ---- child: only the forking thread exists here. No logging, no locks. ----
    ::close(fds[0]);
    for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGHUP}) ::signal(sig, SIG_DFL);
    // A file size limit makes write() fail with EFBIG instead of killing the child.
    ::signal(SIGXFSZ, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    if (in_child) in_child();
    std::string err;
    SnapshotStats stats;
    // Progress once a second: "progress <keys> <cow bytes>" (one small atomic pipe write).
    SnapshotOptions child_options = options;
    int64_t next_report_us = MonotonicUs() + 1'000'000;
    const int report_fd = fds[1];
    child_options.rdb.on_keys = [&next_report_us, report_fd](uint64_t keys) {
      const int64_t now = MonotonicUs();
      if (now < next_report_us) return;
      next_report_us = now + 1'000'000;
      char line[96];
      int len = std::snprintf(line, sizeof(line), "progress %llu %llu\n",
                              static_cast<unsigned long long>(keys),
                              static_cast<unsigned long long>(PrivateDirtyBytes()));
      WriteAll(report_fd, line, static_cast<size_t>(len));
    };
    const bool ok = WriteSnapshot(ks, path, now_ms, child_options, &err, &stats);
    char head[128];
    int n = std::snprintf(head, sizeof(head), "keys %llu\nbytes %llu\ncow %llu\n",
                          static_cast<unsigned long long>(stats.keys),
                          static_cast<unsigned long long>(stats.bytes),
                          static_cast<unsigned long long>(PrivateDirtyBytes()));
    WriteAll(fds[1], head, static_cast<size_t>(n));
    if (!ok) {
      for (char& c : err) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      err.resize(std::min<size_t>(err.size(), 3000));  // one pipe write stays atomic
      std::string line = "error " + err + "\n";
      WriteAll(fds[1], line.data(), line.size());
    }
    ::_exit(ok ? 0 : 1);
  }
  const int fork_errno = errno;
  last_fork_us_ = MonotonicUs() - start;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    *error = "Can't save in background: fork: " + ErrnoText(fork_errno);
    return false;
  }
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  pid_ = pid;
  report_fd_ = fds[0];
  report_.clear();
  path_ = path;
  return true;
}

std::optional<BackgroundSaver::Progress> BackgroundSaver::ReadProgress() {
  if (!running() || report_fd_ < 0) return std::nullopt;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(report_fd_, buf, sizeof(buf));
    if (n > 0) {
      report_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN (nothing more now) or EOF
  }
  // Take out the complete progress lines; the final report stays for Collect.
  std::optional<Progress> latest;
  std::string rest;
  size_t pos = 0;
  while (pos < report_.size()) {
    size_t eol = report_.find('\n', pos);
    if (eol == std::string::npos) {
      rest.append(report_, pos, std::string::npos);
      break;
    }
    std::string_view line(report_.data() + pos, eol - pos);
    if (line.starts_with("progress ")) {
      Progress p;
      unsigned long long keys = 0, cow = 0;
      if (std::sscanf(std::string(line).c_str(), "progress %llu %llu", &keys, &cow) == 2) {
        p.keys = keys;
        p.cow_bytes = cow;
        latest = p;
      }
    } else {
      rest.append(report_, pos, eol - pos + 1);
    }
    pos = eol + 1;
  }
  report_ = std::move(rest);
  return latest;
}

BackgroundSaver::Outcome BackgroundSaver::Collect(int status) {
  Outcome out;
  std::string report = std::move(report_);
  report_.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(report_fd_, buf, sizeof(buf));
    if (n > 0) {
      report.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF (the child is gone) or nothing more
  }
  ::close(report_fd_);
  report_fd_ = -1;
  ParseReport(report, &out);
  if (WIFSIGNALED(status)) {
    out.term_signal = WTERMSIG(status);
    out.killed = out.term_signal == SIGUSR1;
    // A child killed mid-write leaves its temp file behind.
    ::unlink(SnapshotTempPath(path_, pid_).c_str());
  } else if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
    out.ok = out.exit_code == 0;
    if (!out.ok && out.error.empty())
      out.error = "the child exited with code " + std::to_string(out.exit_code);
  }
  pid_ = -1;
  return out;
}

std::optional<BackgroundSaver::Outcome> BackgroundSaver::Poll() {
  if (!running()) return std::nullopt;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r < 0 && errno == EINTR) return std::nullopt;
  if (r < 0) {
    // Reaped by someone else (should not happen): report it as a failure.
    Outcome out = Collect(0);
    out.ok = false;
    out.error = "lost track of the background save child: " + ErrnoText(errno);
    return out;
  }
  return Collect(status);
}

std::optional<BackgroundSaver::Outcome> BackgroundSaver::Kill() {
  if (!running()) return std::nullopt;
  ::kill(pid_, SIGUSR1);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  Outcome out = Collect(r < 0 ? 0 : status);
  // The child may have finished on its own just before the signal; either way the save
  // was abandoned by the caller.
  out.killed = true;
  out.ok = false;
  return out;
}

}  // namespace gannet
