// The AOF's file layer: RESP encoding, the manifest (Redis 7.0.15's own text included),
// the command-stream reader (truncated, corrupt, MULTI blocks, annotations), the loader
// over a real directory and the writer with its fsync policies.
#include "gannet/persistence/aof.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/zset_object.h"

namespace gannet {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::string Cmd(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  std::string out;
  AppendRespCommand(&out, AofArgs(v.data(), v.size()));
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/gannet-aof-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  void Write(std::string_view name, std::string_view data) const {
    std::ofstream f(File(name), std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  std::string Read(std::string_view name) const {
    std::ifstream f(File(name), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

// Replays `data` and collects every command as "a b c".
struct Replayed {
  AofStreamResult result;
  std::vector<std::string> cmds;
};
Replayed ReplayString(const TempDir& dir, std::string_view data) {
  dir.Write("stream", data);
  int fd = ::open(dir.File("stream").c_str(), O_RDONLY);
  Replayed out;
  out.result = ReplayAofStream(fd, 0, [&](AofArgs args, std::string*) {
    std::string line;
    for (auto a : args) {
      if (!line.empty()) line += ' ';
      line += a;
    }
    out.cmds.push_back(line);
    return true;
  });
  ::close(fd);
  return out;
}

// ---------------------------------------------------------------- encoding

TEST(AofEncodingTest, WritesRespArrays) {
  EXPECT_EQ(Cmd({"SET", "k", "v"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(Cmd({"SET", "", "a\r\nb"}), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n");
  std::string big(100000, 'x');
  EXPECT_EQ(Cmd({big}), "*1\r\n$100000\r\n" + big + "\r\n");
}

TEST(AofEncodingTest, ParsesFsyncPolicies) {
  EXPECT_EQ(ParseAofFsync("always"), AofFsync::kAlways);
  EXPECT_EQ(ParseAofFsync("EVERYSEC"), AofFsync::kEverySec);
  EXPECT_EQ(ParseAofFsync("no"), AofFsync::kNo);
  EXPECT_EQ(ParseAofFsync("sometimes"), std::nullopt);
}

// ---------------------------------------------------------------- manifest

TEST(AofManifestTest, ParsesWhatRedis7Writes) {
  // Byte for byte what redis-server 7.0.15 wrote after a BGREWRITEAOF.
  const std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.2.incr.aof seq 2 type i\n";
  AofManifest m;
  std::string err;
  ASSERT_TRUE(AofManifest::Parse(text, &m, &err)) << err;
  ASSERT_TRUE(m.base.has_value());
  EXPECT_EQ(m.base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m.base_seq, 2);
  ASSERT_EQ(m.incrs.size(), 1u);
  EXPECT_EQ(m.incrs[0].name, "appendonly.aof.2.incr.aof");
  EXPECT_EQ(m.incr_seq, 2);
  EXPECT_EQ(m.Format(), text);
}

TEST(AofManifestTest, RoundTripsHistoryAndQuotedNames) {
  AofManifest m;
  m.base = AofFileInfo{"app.aof.3.base.aof", 3, AofFileType::kBase};
  m.base_seq = 3;
  m.history.push_back({"app.aof.2.base.rdb", 2, AofFileType::kHistory});
  m.incrs.push_back({"my file \"x\".1.incr.aof", 7, AofFileType::kIncr});
  m.incrs.push_back({"app.aof.8.incr.aof", 8, AofFileType::kIncr});
  m.incr_seq = 8;
  const std::string text = m.Format();
  EXPECT_NE(text.find("file \"my file \\\"x\\\".1.incr.aof\" seq 7 type i\n"), std::string::npos)
      << text;
  // Order: base, history, incrs.
  EXPECT_LT(text.find("type b"), text.find("type h"));
  EXPECT_LT(text.find("type h"), text.find("type i"));
  AofManifest back;
  std::string err;
  ASSERT_TRUE(AofManifest::Parse(text, &back, &err)) << err;
  EXPECT_EQ(back.base, m.base);
  EXPECT_EQ(back.history, m.history);
  EXPECT_EQ(back.incrs, m.incrs);
  EXPECT_EQ(back.incr_seq, 8);
}

TEST(AofManifestTest, SkipsCommentsAndIgnoresUnknownKeys) {
  AofManifest m;
  std::string err;
  ASSERT_TRUE(
      AofManifest::Parse("# written by hand\r\n"
                         "file a.1.incr.aof seq 1 type i newkey newvalue\r\n",
                         &m, &err))
      << err;
  ASSERT_EQ(m.incrs.size(), 1u);
  EXPECT_FALSE(m.base.has_value());
}

TEST(AofManifestTest, RefusesBadManifests) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "Found an empty AOF manifest"},
      {"# only a comment\n", "Found an empty AOF manifest"},
      {"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information"},
      {"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number"},
      {"file a seq 3 type i\nfile b seq 1 type i\n", "Found a non-monotonic sequence number"},
      {"file a seq 1 type x\n", "Unknown AOF file type"},
      {"file a seq 1 type\n", "Invalid AOF manifest file format"},
      {"file a seq 1\n", "Invalid AOF manifest file format"},
      {"file a seq one type i\n", "Invalid AOF manifest file format"},
      {"file a seq -1 type i\n", "Invalid AOF manifest file format"},
      {"file \"unterminated seq 1 type i\n", "Invalid AOF manifest file format"},
      {"file ../../etc/passwd seq 1 type b\n", "Invalid AOF manifest file format"},
      {"file a seq 1 type i\n\nfile b seq 2 type i\n", "Invalid AOF manifest file format"},
      {"file " + std::string(2000, 'a') + " seq 1 type i\n",
       "The AOF manifest file contains too long line"},
  };
  for (const auto& c : cases) {
    AofManifest m;
    std::string err;
    EXPECT_FALSE(AofManifest::Parse(c.text, &m, &err)) << c.text;
    EXPECT_EQ(err, c.error) << c.text;
  }
}

TEST(AofManifestTest, NamesFollowRedis) {
  EXPECT_EQ(AofManifestName("appendonly.aof"), "appendonly.aof.manifest");
  EXPECT_EQ(AofBaseName("appendonly.aof", 1, true), "appendonly.aof.1.base.rdb");
  EXPECT_EQ(AofBaseName("appendonly.aof", 2, false), "appendonly.aof.2.base.aof");
  EXPECT_EQ(AofIncrName("appendonly.aof", 3), "appendonly.aof.3.incr.aof");
  EXPECT_EQ(AofTempIncrName("appendonly.aof"), "temp-appendonly.aof.incr");
  EXPECT_EQ(AofTempRewriteName(42), "temp-rewriteaof-bg-42.aof");
}

TEST(AofManifestTest, WritesAtomically) {
  TempDir dir;
  AofManifest m;
  m.base = AofFileInfo{"x.1.base.rdb", 1, AofFileType::kBase};
  std::string err;
  ASSERT_TRUE(WriteAofManifest(dir.path(), "x", m, &err)) << err;
  EXPECT_EQ(dir.Read("x.manifest"), "file x.1.base.rdb seq 1 type b\n");
  EXPECT_FALSE(std::filesystem::exists(dir.File("temp-x.manifest")));
  EXPECT_FALSE(WriteAofManifest(dir.File("missing"), "x", m, &err));
}

// ---------------------------------------------------------------- reading

TEST(AofReplayTest, ReplaysCommandsAndSkipsAnnotations) {
  TempDir dir;
  auto r = ReplayString(dir, Cmd({"SELECT", "0"}) + "#TS:1700000000\r\n" + Cmd({"SET", "a", "1"}) +
                                 Cmd({"DEL", "a"}));
  EXPECT_EQ(r.result.status, AofStreamResult::kOk);
  EXPECT_EQ(r.cmds, (std::vector<std::string>{"SELECT 0", "SET a 1", "DEL a"}));
}

TEST(AofReplayTest, TruncatedTailReportsTheLastCompleteCommand) {
  TempDir dir;
  const std::string good = Cmd({"SET", "a", "1"}) + Cmd({"SET", "b", "2"});
  const std::string third = Cmd({"SET", "c", "3"});
  // Cut the third command at every possible point: always truncated at good.size().
  for (size_t cut = 1; cut < third.size(); ++cut) {
    auto r = ReplayString(dir, good + third.substr(0, cut));
    EXPECT_EQ(r.result.status, AofStreamResult::kTruncated) << cut;
    EXPECT_EQ(r.result.valid_up_to, good.size()) << cut;
    EXPECT_EQ(r.cmds.size(), 2u) << cut;
  }
}

TEST(AofReplayTest, CorruptMiddleIsABadFormatWithItsOffset) {
  TempDir dir;
  const std::string a = Cmd({"SET", "a", "1"});
  auto r = ReplayString(dir, a + "garbage\r\n" + Cmd({"SET", "b", "2"}));
  EXPECT_EQ(r.result.status, AofStreamResult::kBadFormat);
  EXPECT_EQ(r.result.error_offset, a.size());
  EXPECT_EQ(r.cmds.size(), 1u);

  // A wrong bulk terminator, a negative count, a '$' missing.
  std::string bad_crlf = Cmd({"SET", "b", "2"});
  bad_crlf[bad_crlf.size() - 2] = 'X';
  EXPECT_EQ(ReplayString(dir, a + bad_crlf).result.status, AofStreamResult::kBadFormat);
  EXPECT_EQ(ReplayString(dir, "*-1\r\n").result.status, AofStreamResult::kBadFormat);
  EXPECT_EQ(ReplayString(dir, "*0\r\n").result.status, AofStreamResult::kBadFormat);
  EXPECT_EQ(ReplayString(dir, "*1\r\n#3\r\nfoo\r\n").result.status, AofStreamResult::kBadFormat);
  EXPECT_EQ(ReplayString(dir, "*1\r\n$x\r\nfoo\r\n").result.status, AofStreamResult::kBadFormat);
  // Garbage without a newline at the end is still garbage, not a short write.
  EXPECT_EQ(ReplayString(dir, a + "xyz").result.status, AofStreamResult::kBadFormat);
  // An endless line.
  EXPECT_EQ(ReplayString(dir, "*" + std::string(10000, '1')).result.status,
            AofStreamResult::kBadFormat);
}

TEST(AofReplayTest, HugeLengthsAreShortReadsNotAllocations) {
  TempDir dir;
  auto r = ReplayString(dir, "*2\r\n$3\r\nGET\r\n$9223372036854775807\r\nab");
  EXPECT_EQ(r.result.status, AofStreamResult::kTruncated);
  EXPECT_EQ(r.result.valid_up_to, 0u);
  r = ReplayString(dir, "*2147483647\r\n$3\r\nGET\r\n");
  EXPECT_EQ(r.result.status, AofStreamResult::kTruncated);
}

TEST(AofReplayTest, MultiBlocksRunAtExecAndOpenOnesAreReverted) {
  TempDir dir;
  const std::string before = Cmd({"SET", "x", "0"});
  const std::string block = Cmd({"MULTI"}) + Cmd({"SET", "a", "1"}) + Cmd({"INCR", "a"});
  auto r = ReplayString(dir, before + block + Cmd({"EXEC"}));
  EXPECT_EQ(r.result.status, AofStreamResult::kOk);
  EXPECT_EQ(r.cmds, (std::vector<std::string>{"SET x 0", "SET a 1", "INCR a"}));

  // No EXEC: nothing of the block runs and the valid part ends before MULTI.
  r = ReplayString(dir, before + block);
  EXPECT_EQ(r.result.status, AofStreamResult::kTruncated);
  EXPECT_EQ(r.result.valid_up_to, before.size());
  EXPECT_EQ(r.cmds, (std::vector<std::string>{"SET x 0"}));
}

TEST(AofReplayTest, StopsWhenTheCallbackRefuses) {
  TempDir dir;
  dir.Write("s", Cmd({"SET", "a", "1"}) + Cmd({"NOPE"}));
  int fd = ::open(dir.File("s").c_str(), O_RDONLY);
  auto r = ReplayAofStream(fd, 0, [](AofArgs args, std::string* err) {
    if (args[0] == "NOPE") {
      *err = "Unknown command 'NOPE'";
      return false;
    }
    return true;
  });
  ::close(fd);
  EXPECT_EQ(r.status, AofStreamResult::kStopped);
  EXPECT_EQ(r.message, "Unknown command 'NOPE'");
  EXPECT_EQ(r.error_offset, Cmd({"SET", "a", "1"}).size());
}

// ---------------------------------------------------------------- loading a directory

class AofLoadTest : public ::testing::Test {
 protected:
  AofLoadTest() : clock_(kNow), ks_(16, &clock_) { ks_.set_now_ms(kNow); }

  AofLoadResult Load(const AofManifest& m, bool load_truncated = true) {
    cmds_.clear();
    AofLoadOptions opts;
    opts.dir = dir_.path();
    opts.load_truncated = load_truncated;
    opts.now_ms = kNow;
    return LoadAof(m, opts, ks_, [this](AofArgs args, std::string*) {
      std::string line;
      for (auto a : args) line += std::string(a) + " ";
      cmds_.push_back(line);
      return true;
    });
  }

  static AofManifest TwoFiles() {
    AofManifest m;
    m.base = AofFileInfo{"a.1.base.rdb", 1, AofFileType::kBase};
    m.incrs.push_back({"a.1.incr.aof", 1, AofFileType::kIncr});
    m.incrs.push_back({"a.2.incr.aof", 2, AofFileType::kIncr});
    return m;
  }

  void WriteRdbBase(std::string_view name) {
    Keyspace src(16, &clock_);
    src.db(0).Insert("fromrdb", Value::String("v"));
    src.db(2).Insert("other", Value::String("w"));
    int fd = ::open(dir_.File(name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string err;
    ASSERT_TRUE(WriteAofBaseRdb(src, kNow, RdbOptions{}, fd, 0, &err)) << err;
    ::close(fd);
  }

  TempDir dir_;
  ManualClock clock_;
  Keyspace ks_;
  std::vector<std::string> cmds_;
};

TEST_F(AofLoadTest, BetweenStepsCountBytesOverEveryFileAndCanStop) {
  WriteRdbBase("a.1.base.rdb");
  dir_.Write("a.1.incr.aof", Cmd({"SET", "k", "1"}) + Cmd({"SET", "k2", "2"}));
  dir_.Write("a.2.incr.aof", Cmd({"SET", "k3", "3"}));
  const uint64_t base = dir_.Read("a.1.base.rdb").size();
  const uint64_t incr1 = dir_.Read("a.1.incr.aof").size();
  std::vector<std::pair<uint64_t, bool>> steps;
  AofLoadOptions opts;
  opts.dir = dir_.path();
  opts.now_ms = kNow;
  opts.between = [&](uint64_t done, bool rdb_key) {
    steps.emplace_back(done, rdb_key);
    return true;
  };
  auto fn = [](AofArgs, std::string*) { return true; };
  auto r = LoadAof(TwoFiles(), opts, ks_, fn);
  ASSERT_EQ(r.status, AofLoadStatus::kOk) << r.error;
  // Two keys of the RDB base, then one step per command (at its end), offsets counted
  // over all files.
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_TRUE(steps[0].second);
  EXPECT_TRUE(steps[1].second);
  EXPECT_LT(steps[0].first, steps[1].first);
  EXPECT_LT(steps[1].first, base);
  EXPECT_EQ(steps[2], std::make_pair(base + Cmd({"SET", "k", "1"}).size(), false));
  EXPECT_EQ(steps[3], std::make_pair(base + incr1, false));
  EXPECT_EQ(steps[4], std::make_pair(base + incr1 + Cmd({"SET", "k3", "3"}).size(), false));
  // A stop in the middle: kAborted, and the files are left as they are.
  Keyspace other(16, &clock_);
  int calls = 0;
  opts.between = [&](uint64_t, bool) { return ++calls < 4; };
  r = LoadAof(TwoFiles(), opts, other, fn);
  EXPECT_EQ(r.status, AofLoadStatus::kAborted);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(dir_.Read("a.2.incr.aof"), Cmd({"SET", "k3", "3"}));
}

TEST_F(AofLoadTest, LoadsAnRdbBaseThenIncrFiles) {
  WriteRdbBase("a.1.base.rdb");
  dir_.Write("a.1.incr.aof", Cmd({"SELECT", "0"}) + Cmd({"SET", "k", "1"}));
  dir_.Write("a.2.incr.aof", "");
  auto r = Load(TwoFiles());
  ASSERT_EQ(r.status, AofLoadStatus::kOk) << r.error;
  EXPECT_EQ(r.rdb_keys, 2u);
  EXPECT_EQ(r.commands, 2u);
  EXPECT_NE(ks_.db(0).Peek("fromrdb"), nullptr);
  EXPECT_NE(ks_.db(2).Peek("other"), nullptr);
  EXPECT_EQ(cmds_, (std::vector<std::string>{"SELECT 0 ", "SET k 1 "}));
  EXPECT_FALSE(r.trimmed);
}

TEST_F(AofLoadTest, ReadsCommandsAfterAnRdbPreamble) {
  // An old single-file AOF: RDB, then commands in the same file.
  WriteRdbBase("a.1.base.rdb");
  {
    std::ofstream f(dir_.File("a.1.base.rdb"), std::ios::binary | std::ios::app);
    f << Cmd({"SET", "after", "1"});
  }
  AofManifest m;
  m.base = AofFileInfo{"a.1.base.rdb", 1, AofFileType::kBase};
  auto r = Load(m);
  ASSERT_EQ(r.status, AofLoadStatus::kOk) << r.error;
  EXPECT_EQ(cmds_, (std::vector<std::string>{"SET after 1 "}));
}

TEST_F(AofLoadTest, TrimsATruncatedLastFileWhenAllowed) {
  WriteRdbBase("a.1.base.rdb");
  dir_.Write("a.1.incr.aof", Cmd({"SET", "k", "1"}));
  const std::string good = Cmd({"SET", "k2", "2"});
  dir_.Write("a.2.incr.aof", good + "*3\r\n$3\r\nSET\r\n$1\r");
  auto r = Load(TwoFiles(), /*load_truncated=*/true);
  ASSERT_EQ(r.status, AofLoadStatus::kOk) << r.error;
  EXPECT_TRUE(r.trimmed);
  EXPECT_EQ(dir_.Read("a.2.incr.aof"), good);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[1].find("Truncating the AOF a.2.incr.aof at offset " +
                               std::to_string(good.size())),
            std::string::npos);
}

TEST_F(AofLoadTest, RefusesATruncatedLastFileWhenNotAllowed) {
  WriteRdbBase("a.1.base.rdb");
  dir_.Write("a.1.incr.aof", Cmd({"SET", "k", "1"}));
  const std::string bad = Cmd({"SET", "k2", "2"}) + "*3\r\n$3\r\nSE";
  dir_.Write("a.2.incr.aof", bad);
  auto r = Load(TwoFiles(), /*load_truncated=*/false);
  EXPECT_EQ(r.status, AofLoadStatus::kFailed);
  EXPECT_NE(r.error.find("Unexpected end of file reading the append only file a.2.incr.aof"),
            std::string::npos)
      << r.error;
  EXPECT_EQ(dir_.Read("a.2.incr.aof"), bad);  // untouched
}

TEST_F(AofLoadTest, RefusesTruncationBeforeTheLastFile) {
  WriteRdbBase("a.1.base.rdb");
  dir_.Write("a.1.incr.aof", Cmd({"SET", "k", "1"}) + "*2\r\n$3");
  dir_.Write("a.2.incr.aof", Cmd({"SET", "k2", "2"}));
  auto r = Load(TwoFiles());
  EXPECT_EQ(r.status, AofLoadStatus::kFailed);
  EXPECT_NE(r.error.find("a.1.incr.aof is not the last file"), std::string::npos) << r.error;
}

TEST_F(AofLoadTest, RefusesACorruptMiddleNamingFileAndOffset) {
  WriteRdbBase("a.1.base.rdb");
  const std::string a = Cmd({"SET", "k", "1"});
  dir_.Write("a.1.incr.aof", a + "!!corrupt!!\r\n" + Cmd({"SET", "x", "y"}));
  dir_.Write("a.2.incr.aof", "");
  auto r = Load(TwoFiles());
  EXPECT_EQ(r.status, AofLoadStatus::kFailed);
  EXPECT_NE(r.error.find("Bad file format reading the append only file a.1.incr.aof at offset " +
                         std::to_string(a.size())),
            std::string::npos)
      << r.error;
}

TEST_F(AofLoadTest, RefusesACorruptRdbBase) {
  WriteRdbBase("a.1.base.rdb");
  std::string rdb = dir_.Read("a.1.base.rdb");
  rdb[rdb.size() / 2] ^= 0x5a;
  rdb.resize(rdb.size() - 3);
  dir_.Write("a.1.base.rdb", rdb);
  AofManifest m;
  m.base = AofFileInfo{"a.1.base.rdb", 1, AofFileType::kBase};
  auto r = Load(m);
  EXPECT_EQ(r.status, AofLoadStatus::kFailed);
  EXPECT_NE(r.error.find("a.1.base.rdb"), std::string::npos) << r.error;
}

TEST_F(AofLoadTest, MissingFilesAndEmptyOnes) {
  auto r = Load(TwoFiles());
  EXPECT_EQ(r.status, AofLoadStatus::kFailed);
  EXPECT_EQ(r.error, "The AOF file a.1.base.rdb doesn't exist");
  dir_.Write("a.1.base.rdb", "");
  dir_.Write("a.1.incr.aof", "");
  dir_.Write("a.2.incr.aof", "");
  EXPECT_EQ(Load(TwoFiles()).status, AofLoadStatus::kEmpty);
  EXPECT_EQ(Load(AofManifest{}).status, AofLoadStatus::kNotExist);
}

TEST_F(AofLoadTest, CommandBaseRebuildsEveryType) {
  auto l = std::make_unique<ListObject>(-2);
  for (int i = 0; i < 150; ++i) l->PushBack("e" + std::to_string(i));
  ks_.db(0).Insert("list", Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(l)));
  auto s = std::make_unique<SetObject>();
  s->Add("m1", 512);
  ks_.db(1).Insert("set", Value::Object(std::move(*s)));
  ZSetObject::Limits limits;
  auto z = std::make_unique<ZSetObject>(limits, 2);
  z->Add("z1", 1.5, 0, limits);
  ks_.db(1).Insert("zset", Value::Object(std::move(*z)));
  auto h = std::make_unique<HashObject>();
  h->Set("f", "v", {512, 64});
  ks_.db(1).Insert("hash", Value::Object(std::move(*h)));
  Entry* e = ks_.db(0).Insert("str", Value::String("hello"));
  ks_.db(0).SetExpire(e, kNow + 5000);
  Entry* gone = ks_.db(0).Insert("gone", Value::String("x"));
  ks_.db(0).SetExpire(gone, kNow - 1);

  int fd = ::open(dir_.File("b.aof").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string err;
  ASSERT_TRUE(WriteAofBaseCommands(ks_, kNow, fd, 0, &err)) << err;
  ::close(fd);
  auto r = ReplayString(dir_, dir_.Read("b.aof"));
  ASSERT_EQ(r.result.status, AofStreamResult::kOk);
  std::vector<std::string> rpush;
  for (const auto& c : r.cmds) {
    if (c.starts_with("RPUSH list")) rpush.push_back(c);
  }
  ASSERT_EQ(rpush.size(), 3u);  // 64 + 64 + 22 elements
  EXPECT_TRUE(rpush[0].starts_with("RPUSH list e0 e1 "));
  auto has = [&](const std::string& c) {
    return std::find(r.cmds.begin(), r.cmds.end(), c) != r.cmds.end();
  };
  EXPECT_TRUE(has("SET str hello"));
  EXPECT_TRUE(has("PEXPIREAT str " + std::to_string(kNow + 5000)));
  EXPECT_TRUE(has("SELECT 1"));
  EXPECT_TRUE(has("SADD set m1"));
  EXPECT_TRUE(has("ZADD zset 1.5 z1"));
  EXPECT_TRUE(has("HSET hash f v"));
  for (const auto& c : r.cmds) EXPECT_EQ(c.find("gone"), std::string::npos) << c;
}

// ---------------------------------------------------------------- writer

TEST(AofWriterTest, SelectsTheDatabaseOnlyWhenItChanges) {
  TempDir dir;
  int fd = ::open(dir.File("w").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  AofWriter w;
  w.set_fsync(AofFsync::kNo);
  w.SwitchFile(fd, 0);
  const std::string_view a[] = {"SET", "a", "1"};
  const std::string_view b[] = {"SET", "b", "2"};
  w.Append(0, a);
  w.Append(0, b);
  w.Append(3, a);
  EXPECT_TRUE(w.has_pending());
  EXPECT_EQ(dir.Read("w"), "");  // nothing written before Flush
  ASSERT_TRUE(w.Flush(false, kNow));
  EXPECT_FALSE(w.has_pending());
  EXPECT_EQ(dir.Read("w"), Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"}) + Cmd({"SET", "b", "2"}) +
                               Cmd({"SELECT", "3"}) + Cmd({"SET", "a", "1"}));
  EXPECT_EQ(w.stats().current_size, dir.Read("w").size());
  w.Close();
}

TEST(AofWriterTest, AlwaysWritesAndSyncsInFlush) {
  TempDir dir;
  int fd = ::open(dir.File("w").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  AofWriter w;
  w.set_fsync(AofFsync::kAlways);
  w.SwitchFile(fd, 0);
  const std::string_view a[] = {"INCR", "n"};
  for (int i = 0; i < 3; ++i) {
    w.Append(0, a);
    ASSERT_TRUE(w.Flush(false, kNow + i));
  }
  EXPECT_EQ(dir.Read("w"),
            Cmd({"SELECT", "0"}) + Cmd({"INCR", "n"}) + Cmd({"INCR", "n"}) + Cmd({"INCR", "n"}));
  EXPECT_EQ(w.pending_fsyncs(), 0u);
  w.Close();
}

TEST(AofWriterTest, EverysecHandsFsyncsToTheThreadAndSwitchesFiles) {
  TempDir dir;
  int fd1 = ::open(dir.File("one").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  AofWriter w;
  w.set_fsync(AofFsync::kEverySec);
  w.SwitchFile(fd1, 0);
  const std::string_view a[] = {"SET", "a", "1"};
  w.Append(5, a);
  ASSERT_TRUE(w.Flush(false, kNow));
  int fd2 = ::open(dir.File("two").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  w.SwitchFile(fd2, 0);
  w.Append(5, a);  // a new file starts with SELECT again
  std::string err;
  ASSERT_TRUE(w.FlushAndSync(&err)) << err;
  EXPECT_EQ(dir.Read("one"), Cmd({"SELECT", "5"}) + Cmd({"SET", "a", "1"}));
  EXPECT_EQ(dir.Read("two"), Cmd({"SELECT", "5"}) + Cmd({"SET", "a", "1"}));
  EXPECT_EQ(w.pending_fsyncs(), 0u);
  w.Close();
}

TEST(AofWriterTest, TimestampAnnotationsWhenEnabled) {
  TempDir dir;
  int fd = ::open(dir.File("w").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  AofWriter w;
  w.set_fsync(AofFsync::kNo);
  w.set_timestamps(true);
  w.SwitchFile(fd, 0);
  const std::string_view a[] = {"SET", "a", "1"};
  w.Append(0, a);
  ASSERT_TRUE(w.Flush(false, kNow));
  const std::string text = dir.Read("w");
  EXPECT_TRUE(text.starts_with("#TS:")) << text;
  auto r = ReplayString(dir, text);
  EXPECT_EQ(r.cmds, (std::vector<std::string>{"SELECT 0", "SET a 1"}));
  w.Close();
}

TEST(AofWriterTest, AWriteErrorKeepsTheDataAndReportsIt) {
  TempDir dir;
  // A read-only descriptor: write(2) fails with EBADF.
  dir.Write("ro", "");
  int fd = ::open(dir.File("ro").c_str(), O_RDONLY);
  AofWriter w;
  w.set_fsync(AofFsync::kEverySec);
  w.SwitchFile(fd, 0);
  const std::string_view a[] = {"SET", "a", "1"};
  w.Append(0, a);
  EXPECT_FALSE(w.Flush(false, kNow));
  EXPECT_FALSE(w.stats().last_write_ok);
  EXPECT_TRUE(w.has_pending());
  EXPECT_FALSE(w.fatal());  // only `always` must stop the server
}

}  // namespace
}  // namespace gannet
