// AofWriter: the append path of the AOF (aof.h). Commands are encoded into one buffer on
// the engine thread; Flush writes it with one write(2) before the replies of a batch go
// out, and the fsync policy decides who fsyncs: the engine thread itself (always), the
// background thread at most once a second (everysec) or the kernel (no). The background
// thread only ever sees file descriptors, never the keyspace.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

#include "gannet/persistence/aof.h"

namespace gannet {
namespace {

constexpr int64_t kFsyncIntervalMs = 1000;
// How long everysec postpones a write while the previous fsync still runs (Redis: 2 s).
constexpr int64_t kMaxPostponeMs = 2000;
// A buffer grown past this by a burst is given back once written.
constexpr size_t kKeepBufferCapacity = 4 * 1024 * 1024;

int SyncFd(int fd) {
#ifdef __linux__
  return ::fdatasync(fd);
#else
  return ::fsync(fd);
#endif
}

constexpr std::string_view kSelectCmd[] = {"SELECT"};

}  // namespace

AofWriter::AofWriter() : thread_([this] { ThreadMain(); }) {}

AofWriter::~AofWriter() {
  if (fd_ >= 0) Close();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AofWriter::ThreadMain() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ and nothing left
    Job job = jobs_.front();
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();
    const int r = SyncFd(job.fd);
    // EBADF/EINVAL: the descriptor does not support fsync (a pipe in tests); not a disk
    // error, as Redis treats them.
    if (!job.close) {
      fsync_errno_.store(r != 0 && errno != EBADF && errno != EINVAL ? errno : 0,
                         std::memory_order_relaxed);
    }
    if (job.close) {
      ::close(job.fd);
    } else {
      pending_fsyncs_.fetch_sub(1, std::memory_order_relaxed);
    }
    lock.lock();
    running_job_ = false;
    if (jobs_.empty()) idle_cv_.notify_all();
  }
}

void AofWriter::Submit(Job job) {
  if (!job.close) pending_fsyncs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(job);
  }
  cv_.notify_one();
}

void AofWriter::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return jobs_.empty() && !running_job_; });
}

void AofWriter::SwitchFile(int fd, uint64_t size) {
  if (fd_ >= 0) {
    // What is buffered belongs to the old file (the caller flushed; this is a safety net).
    if (!buf_.empty()) Flush(/*force=*/true, 0);
    Submit({fd_, /*close=*/true});
  }
  fd_ = fd;
  buf_.clear();
  stats_.current_size = size;
  selected_db_ = -1;
  last_ts_s_ = -1;
  unsynced_bytes_ = 0;
  postponed_since_ms_ = 0;
}

void AofWriter::MaybeTimestamp(int64_t now_ms) {
  const int64_t s = now_ms > 0 ? now_ms / 1000 : static_cast<int64_t>(std::time(nullptr));
  if (s == last_ts_s_) return;
  last_ts_s_ = s;
  char tmp[24];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp), s);
  (void)ec;
  buf_ += "#TS:";
  buf_.append(tmp, static_cast<size_t>(end - tmp));
  buf_ += "\r\n";
}

void AofWriter::Append(int db, AofArgs args) {
  if (timestamps_) MaybeTimestamp(0);
  if (db != selected_db_) {
    char tmp[16];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp), db);
    (void)ec;
    const std::string_view sel[] = {kSelectCmd[0],
                                    std::string_view(tmp, static_cast<size_t>(end - tmp))};
    AppendRespCommand(&buf_, sel);
    selected_db_ = db;
  }
  AppendRespCommand(&buf_, args);
}

void AofWriter::AppendPlain(AofArgs args) {
  if (timestamps_) MaybeTimestamp(0);
  AppendRespCommand(&buf_, args);
}

bool AofWriter::Flush(bool force, int64_t now_ms) {
  if (fd_ < 0) return true;
  const bool sync_on = !fsync_suspended_;
  if (buf_.empty()) {
    // Data written earlier may still wait for its fsync (the write happened while the
    // previous fsync ran).
    if (fsync_ == AofFsync::kEverySec && sync_on && unsynced_bytes_ > 0 &&
        now_ms - last_fsync_ms_ >= kFsyncIntervalMs && pending_fsyncs() == 0) {
      Submit({fd_, false});
      last_fsync_ms_ = now_ms;
      unsynced_bytes_ = 0;
    }
    return true;
  }
  if (fsync_ == AofFsync::kEverySec && !force && pending_fsyncs() > 0) {
    // write(2) would wait behind the running fsync on most file systems: postpone, for at
    // most 2 s, as Redis does; then write anyway and count it.
    if (postponed_since_ms_ == 0) {
      postponed_since_ms_ = now_ms;
      return true;
    }
    if (now_ms - postponed_since_ms_ < kMaxPostponeMs) return true;
    ++stats_.delayed_fsync;
  }
  postponed_since_ms_ = 0;

  size_t done = 0;
  int err = 0;
  while (done < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) {
      err = ENOSPC;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (err != 0) {
    // Redis reports a short write as ENOSPC (its write loop returns the partial count).
    stats_.last_short_write = done;
    stats_.last_short_write_expected = buf_.size();
    if (done > 0) err = ENOSPC;
    // A partial command must not stay in the file: cut it off, or if that fails keep only
    // the unwritten rest buffered (the file then ends mid-command until it is written).
    if (done > 0) {
      if (::ftruncate(fd_, static_cast<off_t>(stats_.current_size)) != 0) {
        buf_.erase(0, done);
        stats_.current_size += done;
        stats_.written_total += done;
      }
    }
    stats_.last_write_ok = false;
    stats_.last_write_errno = err;
    if (fsync_ == AofFsync::kAlways) fatal_ = true;
    return false;
  }
  stats_.current_size += done;
  stats_.written_total += done;
  unsynced_bytes_ += done;
  stats_.last_write_ok = true;
  stats_.last_short_write = 0;
  stats_.last_write_errno = 0;
  if (buf_.capacity() > kKeepBufferCapacity) {
    std::string().swap(buf_);
  } else {
    buf_.clear();
  }

  if (!sync_on) return true;
  if (fsync_ == AofFsync::kAlways) {
    if (SyncFd(fd_) != 0) {
      stats_.last_write_ok = false;
      stats_.last_write_errno = errno;
      fatal_ = true;
      return false;
    }
    unsynced_bytes_ = 0;
    last_fsync_ms_ = now_ms;
  } else if (fsync_ == AofFsync::kEverySec && now_ms - last_fsync_ms_ >= kFsyncIntervalMs &&
             pending_fsyncs() == 0) {
    Submit({fd_, false});
    last_fsync_ms_ = now_ms;
    unsynced_bytes_ = 0;
  }
  return true;
}

void AofWriter::Cron(int64_t now_ms) { Flush(/*force=*/false, now_ms); }

bool AofWriter::FlushAndSync(std::string* error) {
  if (fd_ < 0) return true;
  if (!Flush(/*force=*/true, 0) && !buf_.empty()) {
    if (error) *error = std::strerror(stats_.last_write_errno);
    return false;
  }
  WaitIdle();
  if (SyncFd(fd_) != 0) {
    if (error) *error = std::strerror(errno);
    return false;
  }
  unsynced_bytes_ = 0;
  return true;
}

void AofWriter::Close() {
  if (fd_ < 0) return;
  FlushAndSync(nullptr);
  ::close(fd_);
  fd_ = -1;
  buf_.clear();
  selected_db_ = -1;
}

}  // namespace gannet
