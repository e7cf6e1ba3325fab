// Snapshot files (src/persistence/snapshot.cc): atomic writes that leave the previous file
// intact on failure, loading with the file, offset and reason on corruption, and the
// forked background saver (point-in-time view, failure report, kill).
#include "gannet/persistence/snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "gannet/common/clock.h"
#include "gannet/engine/keyspace.h"

namespace gannet {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'700'000'000'000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gannet_snapshot_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/dump.rdb";
    clock_.SetMs(kNow);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void Fill(Keyspace& ks, int n) {
    ks.set_now_ms(kNow);
    for (int i = 0; i < n; ++i) {
      ks.db(0).Insert("key:" + std::to_string(i), Value::String("value:" + std::to_string(i)));
    }
    Entry* e = ks.db(3).Insert("ttl", Value::String("soon"));
    ks.db(3).SetExpire(e, kNow + 60'000);
  }

  // Files in dir_ other than dump.rdb (temp files left behind).
  std::vector<std::string> Leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().filename() != "dump.rdb") out.push_back(e.path().filename().string());
    }
    return out;
  }

  ManualClock clock_;
  std::string dir_;
  std::string path_;
};

TEST_F(SnapshotTest, SaveThenLoadRestoresKeysAndTtls) {
  Keyspace ks(16, &clock_);
  Fill(ks, 100);
  std::string error;
  SnapshotStats stats;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error, &stats)) << error;
  EXPECT_EQ(stats.keys, 101u);
  EXPECT_GT(stats.bytes, 0u);
  EXPECT_EQ(ReadFile(path_).substr(0, 9), "REDIS0010");
  EXPECT_TRUE(Leftovers().empty());

  Keyspace loaded(16, &clock_);
  loaded.set_now_ms(kNow);
  RdbLoadInfo info;
  ASSERT_EQ(LoadSnapshot(path_, loaded, kNow, RdbLoadOptions{}, &info, &error),
            SnapshotLoad::kLoaded)
      << error;
  EXPECT_EQ(info.keys_loaded, 101u);
  EXPECT_EQ(loaded.db(0).size(), 100u);
  Entry* e = loaded.db(0).FindNoTouch("key:42");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value.AsString(), "value:42");
  Entry* t = loaded.db(3).FindNoTouch("ttl");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(loaded.db(3).GetExpire(t), kNow + 60'000);
}

TEST_F(SnapshotTest, MissingFileIsNoFileEmptyDatasetLoadsZeroByteFileFails) {
  Keyspace ks(16, &clock_);
  std::string error;
  RdbLoadInfo info;
  EXPECT_EQ(LoadSnapshot(path_, ks, kNow, RdbLoadOptions{}, &info, &error), SnapshotLoad::kNoFile);
  // A snapshot of nothing: header, aux fields, EOF, checksum.
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  EXPECT_EQ(LoadSnapshot(path_, ks, kNow, RdbLoadOptions{}, &info, &error), SnapshotLoad::kLoaded)
      << error;
  EXPECT_EQ(ks.TotalKeys(), 0u);
  // A 0-byte file is a truncated one (redis-server 7.0 refuses it too).
  WriteFile(path_, "");
  EXPECT_EQ(LoadSnapshot(path_, ks, kNow, RdbLoadOptions{}, &info, &error), SnapshotLoad::kFailed);
  EXPECT_NE(error.find("at offset 0"), std::string::npos) << error;
}

TEST_F(SnapshotTest, CorruptOrTruncatedFileNamesFileOffsetAndReason) {
  Keyspace ks(16, &clock_);
  Fill(ks, 50);
  std::string error;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  const std::string good = ReadFile(path_);

  // Truncated in the middle.
  WriteFile(path_, good.substr(0, good.size() / 2));
  {
    Keyspace target(16, &clock_);
    RdbLoadInfo info;
    ASSERT_EQ(LoadSnapshot(path_, target, kNow, RdbLoadOptions{}, &info, &error),
              SnapshotLoad::kFailed);
    EXPECT_NE(error.find(path_), std::string::npos) << error;
    EXPECT_NE(error.find("at offset "), std::string::npos) << error;
  }
  // One flipped byte in a value: the CRC64 trailer catches it.
  std::string flipped = good;
  size_t pos = flipped.find("value:7");
  ASSERT_NE(pos, std::string::npos);
  flipped[pos] = 'V';
  WriteFile(path_, flipped);
  {
    Keyspace target(16, &clock_);
    RdbLoadInfo info;
    ASSERT_EQ(LoadSnapshot(path_, target, kNow, RdbLoadOptions{}, &info, &error),
              SnapshotLoad::kFailed);
    EXPECT_NE(error.find(path_), std::string::npos) << error;
    EXPECT_NE(error.find("at offset "), std::string::npos) << error;
  }
  // Garbage instead of the header.
  WriteFile(path_, "NOT AN RDB FILE AT ALL");
  {
    Keyspace target(16, &clock_);
    RdbLoadInfo info;
    EXPECT_EQ(LoadSnapshot(path_, target, kNow, RdbLoadOptions{}, &info, &error),
              SnapshotLoad::kFailed);
  }
}

TEST_F(SnapshotTest, FailedWriteKeepsPreviousFileAndRemovesTemp) {
  Keyspace ks(16, &clock_);
  Fill(ks, 10);
  std::string error;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  const std::string before = ReadFile(path_);

  // The destination is a directory that cannot take the rename: the write succeeds, the
  // rename fails, and neither the old file nor the temp file changes anything.
  Keyspace bigger(16, &clock_);
  Fill(bigger, 500);
  const std::string bad_target = dir_ + "/sub";
  ASSERT_TRUE(fs::create_directory(bad_target));
  WriteFile(bad_target + "/x", "occupied");
  EXPECT_FALSE(WriteSnapshot(bigger, bad_target, kNow, SnapshotOptions{}, &error));
  EXPECT_NE(error.find("Error moving temp DB file"), std::string::npos) << error;
  EXPECT_EQ(ReadFile(path_), before);
  for (const auto& name : Leftovers()) EXPECT_EQ(name, "sub");

  // A directory that does not exist: the temp file cannot even be created.
  EXPECT_FALSE(WriteSnapshot(bigger, dir_ + "/nope/dump.rdb", kNow, SnapshotOptions{}, &error));
  EXPECT_NE(error.find("Failed opening the temp RDB file"), std::string::npos) << error;
}

TEST_F(SnapshotTest, TempPathIsNextToTheFile) {
  EXPECT_EQ(SnapshotTempPath("/data/dump.rdb", 123), "/data/temp-123.rdb");
  EXPECT_EQ(SnapshotTempPath("dump.rdb", 7), "./temp-7.rdb");
}

// Waits (bounded) for the child to finish.
std::optional<BackgroundSaver::Outcome> WaitFor(BackgroundSaver& saver) {
  for (int i = 0; i < 2000; ++i) {
    if (auto out = saver.Poll()) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::nullopt;
}

TEST_F(SnapshotTest, BackgroundSaveIsPointInTime) {
  Keyspace ks(16, &clock_);
  Fill(ks, 1000);
  BackgroundSaver saver;
  std::string error;
  // The child waits a little before writing, so that the parent's changes below happen
  // while it runs: they must not appear in the file.
  ASSERT_TRUE(saver.Start(
      ks, path_, kNow, SnapshotOptions{}, [] { ::usleep(100'000); }, &error))
      << error;
  EXPECT_TRUE(saver.running());
  EXPECT_GT(saver.child_pid(), 0);
  std::string second_error;
  EXPECT_FALSE(saver.Start(ks, path_, kNow, SnapshotOptions{}, {}, &second_error));
  EXPECT_EQ(second_error, "Background save already in progress");
  ks.db(0).Insert("late", Value::String("after the fork"));
  ks.db(0).Delete("key:1");

  auto out = WaitFor(saver);
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->ok) << out->error;
  EXPECT_EQ(out->keys, 1001u);
  EXPECT_FALSE(saver.running());

  Keyspace loaded(16, &clock_);
  loaded.set_now_ms(kNow);
  RdbLoadInfo info;
  ASSERT_EQ(LoadSnapshot(path_, loaded, kNow, RdbLoadOptions{}, &info, &error),
            SnapshotLoad::kLoaded)
      << error;
  EXPECT_EQ(loaded.db(0).FindNoTouch("late"), nullptr);
  EXPECT_NE(loaded.db(0).FindNoTouch("key:1"), nullptr);
  EXPECT_EQ(loaded.TotalKeys(), 1001u);
}

TEST_F(SnapshotTest, BackgroundSaveFailureIsReportedAndOldFileKept) {
  Keyspace ks(16, &clock_);
  Fill(ks, 10);
  std::string error;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  const std::string before = ReadFile(path_);

  Keyspace big(16, &clock_);
  big.set_now_ms(kNow);
  for (int i = 0; i < 2000; ++i) {
    big.db(0).Insert("k" + std::to_string(i), Value::String(std::string(100, 'x')));
  }
  BackgroundSaver saver;
  // A file size limit in the child only: the write fails with EFBIG (a full disk).
  auto limit = [] {
    rlimit lim{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &lim);
  };
  SnapshotOptions opts;
  opts.rdb.compression = false;
  ASSERT_TRUE(saver.Start(big, path_, kNow, opts, limit, &error)) << error;
  auto out = WaitFor(saver);
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->ok);
  EXPECT_EQ(out->exit_code, 1);
  EXPECT_EQ(out->term_signal, 0);
  EXPECT_NE(out->error.find("File too large"), std::string::npos) << out->error;
  EXPECT_EQ(ReadFile(path_), before);
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(SnapshotTest, KillStopsTheChildAndRemovesItsTempFile) {
  Keyspace ks(16, &clock_);
  Fill(ks, 10);
  BackgroundSaver saver;
  std::string error;
  ASSERT_TRUE(saver.Start(
      ks, path_, kNow, SnapshotOptions{}, [] { ::sleep(30); }, &error));
  auto out = saver.Kill();
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->killed);
  EXPECT_FALSE(out->ok);
  EXPECT_FALSE(saver.running());
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_TRUE(Leftovers().empty());
  EXPECT_FALSE(saver.Kill().has_value());
  EXPECT_FALSE(saver.Poll().has_value());
}

TEST_F(SnapshotTest, ProgressIsReportedDuringLongLoads) {
  Keyspace ks(16, &clock_);
  Fill(ks, 20000);
  std::string error;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  Keyspace loaded(16, &clock_);
  RdbLoadInfo info;
  uint64_t calls = 0, last_read = 0, total = 0;
  auto progress = [&](uint64_t read, uint64_t t) {
    ++calls;
    EXPECT_GE(read, last_read);
    last_read = read;
    total = t;
  };
  // Interval 0: report at every check.
  ASSERT_EQ(LoadSnapshot(path_, loaded, kNow, RdbLoadOptions{}, &info, &error, progress, 0),
            SnapshotLoad::kLoaded)
      << error;
  EXPECT_GT(calls, 0u);
  EXPECT_EQ(total, fs::file_size(path_));
  EXPECT_LE(last_read, total);
}

TEST_F(SnapshotTest, BetweenKeysSeesEveryKeyAndCanStopTheLoad) {
  Keyspace ks(16, &clock_);
  Fill(ks, 5000);
  std::string error;
  ASSERT_TRUE(WriteSnapshot(ks, path_, kNow, SnapshotOptions{}, &error)) << error;
  const uint64_t size = fs::file_size(path_);
  // Every key passes through the hook with a growing offset inside the file.
  {
    Keyspace loaded(16, &clock_);
    RdbLoadInfo info;
    uint64_t calls = 0, last = 0;
    auto between = [&](uint64_t parsed, uint64_t total) {
      ++calls;
      EXPECT_GT(parsed, last);
      EXPECT_LT(parsed, total);
      EXPECT_EQ(total, size);
      EXPECT_EQ(loaded.TotalKeys(), calls - 1);  // called before the key is stored
      last = parsed;
      return true;
    };
    ASSERT_EQ(LoadSnapshot(path_, loaded, kNow, RdbLoadOptions{}, &info, &error, {}, 0, between),
              SnapshotLoad::kLoaded)
        << error;
    EXPECT_EQ(calls, 5001u);  // Fill adds one key with a TTL in db 3
    EXPECT_EQ(loaded.TotalKeys(), 5001u);
  }
  // false stops it: kAborted, not a corrupt file.
  {
    Keyspace loaded(16, &clock_);
    RdbLoadInfo info;
    uint64_t calls = 0;
    auto stop_at_100 = [&](uint64_t, uint64_t) { return ++calls <= 100; };
    EXPECT_EQ(
        LoadSnapshot(path_, loaded, kNow, RdbLoadOptions{}, &info, &error, {}, 0, stop_at_100),
        SnapshotLoad::kAborted);
    EXPECT_EQ(calls, 101u);
    EXPECT_EQ(loaded.TotalKeys(), 100u);
  }
}

}  // namespace
}  // namespace gannet
