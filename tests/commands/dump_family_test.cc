// DUMP and RESTORE (dump_family.cc) through the harness's PersistenceView, which calls the
// real RDB codec: round trips of every type, TTL handling (relative, ABSTTL, already
// expired), REPLACE, IDLETIME/FREQ, the AOF rewrite of a relative TTL, and Redis's exact
// error texts and check order (taken from redis-server 7.0.15).
#include <string>
#include <vector>

#include "command_test_base.h"
#include "gannet/common/crc64.h"

namespace gannet {
namespace {

class Sink : public PropagationSink {
 public:
  void Propagate(int db, CmdArgs args) override {
    std::string line = std::to_string(db);
    for (std::string_view a : args) {
      line += ' ';
      line += a;
    }
    lines.push_back(std::move(line));
  }
  std::vector<std::string> lines;
};

class DumpFamilyTest : public CommandTest {
 protected:
  std::string Dump(std::string_view key) {
    RespValue v = Run({"DUMP", key});
    EXPECT_EQ(v.type, RespType::kBulk) << v;
    return v.text();
  }
};

TEST_F(DumpFamilyTest, RoundTripsEveryType) {
  Run({"SET", "str", "hello"});
  Run({"SET", "int", "-42"});
  Run({"SET", "long", std::string(1000, 'x')});
  Run({"RPUSH", "list", "a", "b", "3"});
  Run({"SADD", "iset", "1", "2", "3"});
  Run({"SADD", "set", "a", "b"});
  Run({"ZADD", "zset", "1", "a", "2.5", "b"});
  Run({"HSET", "hash", "f", "v", "g", "7"});
  Run({"XADD", "stream", "1-1", "f", "v"});
  Run({"XGROUP", "CREATE", "stream", "grp", "0"});
  Run({"XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "stream", ">"});
  for (std::string key : {"str", "int", "long", "list", "iset", "set", "zset", "hash", "stream"}) {
    const std::string payload = Dump(key);
    const std::string copy = key + "-copy";
    EXPECT_THAT(Run({"RESTORE", copy, "0", payload}), IsOk()) << key;
    EXPECT_THAT(Run({"TYPE", copy}), SimpleIs(Run({"TYPE", key}).text())) << key;
    EXPECT_THAT(Run({"OBJECT", "ENCODING", copy}), BulkIs(Run({"OBJECT", "ENCODING", key}).text()))
        << key;
    if (key != "set") {  // hash tables iterate in a random order
      EXPECT_EQ(Dump(copy), payload) << key;
    }
  }
  EXPECT_THAT(Run({"LRANGE", "list-copy", "0", "-1"}), BulkArray({"a", "b", "3"}));
  EXPECT_THAT(Run({"ZSCORE", "zset-copy", "b"}), BulkIs("2.5"));
  EXPECT_THAT(Run({"HGET", "hash-copy", "g"}), BulkIs("7"));
  EXPECT_THAT(Run({"XPENDING", "stream-copy", "grp"}),
              ArrayOf(IntIs(1), BulkIs("1-1"), BulkIs("1-1"),
                      ArrayOf(ArrayOf(BulkIs("alice"), BulkIs("1")))));
}

TEST_F(DumpFamilyTest, DecodesARedisPayload) {
  // DUMP of SET s hello on redis-server 7.0.15.
  const std::string payload("\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a", 17);
  EXPECT_THAT(Run({"RESTORE", "s", "0", payload}), IsOk());
  EXPECT_THAT(Run({"GET", "s"}), BulkIs("hello"));
  EXPECT_EQ(Dump("s"), payload);
}

TEST_F(DumpFamilyTest, MissingKeyAndArity) {
  EXPECT_THAT(Run({"DUMP", "nokey"}), IsNil());
  EXPECT_THAT(Run({"DUMP"}), ErrorIs("ERR wrong number of arguments for 'dump' command"));
  EXPECT_THAT(Run({"RESTORE", "k", "0"}),
              ErrorIs("ERR wrong number of arguments for 'restore' command"));
}

TEST_F(DumpFamilyTest, ErrorsInRedisOrder) {
  Run({"SET", "k", "v"});
  const std::string p = Dump("k");
  EXPECT_THAT(Run({"RESTORE", "k", "0", p}), ErrorIs("BUSYKEY Target key name already exists."));
  // BUSYKEY is checked before the TTL.
  EXPECT_THAT(Run({"RESTORE", "k", "-1", p}), ErrorIs("BUSYKEY Target key name already exists."));
  EXPECT_THAT(Run({"RESTORE", "k", "x", p, "REPLACE"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"RESTORE", "n", "-1", p}), ErrorIs("ERR Invalid TTL value, must be >= 0"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", "junk"}),
              ErrorIs("ERR DUMP payload version or checksum are wrong"));
  std::string bad = p;
  bad[0] = 0x2a;  // an unknown type, CRC now wrong
  EXPECT_THAT(Run({"RESTORE", "n", "0", bad}),
              ErrorIs("ERR DUMP payload version or checksum are wrong"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "IDLETIME", "-1"}),
              ErrorIs("ERR Invalid IDLETIME value, must be >= 0"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "IDLETIME", "x"}),
              ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "FREQ", "256"}),
              ErrorIs("ERR Invalid FREQ value, must be >= 0 and <= 255"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "FREQ", "1", "IDLETIME", "1"}),
              ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "BOGUS"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "IDLETIME"}), ErrorIs("ERR syntax error"));
  EXPECT_THAT(Run({"EXISTS", "n"}), IntIs(0));
}

TEST_F(DumpFamilyTest, BadDataFormat) {
  // A body the codec refuses (a corrupt listpack) inside a footer with a correct CRC.
  Run({"RPUSH", "l", "a"});
  std::string payload = Dump("l");
  payload[5] ^= 0x7f;  // inside the listpack bytes
  // Fix the CRC so only the body is wrong.
  const uint64_t crc = Crc64(0, payload.data(), payload.size() - 8);
  for (int i = 0; i < 8; ++i) payload[payload.size() - 8 + i] = static_cast<char>(crc >> (8 * i));
  EXPECT_THAT(Run({"RESTORE", "n", "0", payload}), ErrorIs("ERR Bad data format"));
}

TEST_F(DumpFamilyTest, TtlHandling) {
  Run({"SET", "k", "v"});
  const std::string p = Dump("k");
  EXPECT_THAT(Run({"RESTORE", "rel", "1000", p}), IsOk());
  EXPECT_THAT(Run({"PTTL", "rel"}), IntIs(1000));
  const std::string at = std::to_string(NowMs() + 5000);
  EXPECT_THAT(Run({"RESTORE", "abs", at, p, "ABSTTL"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "abs"}), IntIs(5000));
  // Already expired: OK, nothing stored; with REPLACE the old key is deleted.
  EXPECT_THAT(Run({"RESTORE", "gone", "1", p, "ABSTTL"}), IsOk());
  EXPECT_THAT(Run({"EXISTS", "gone"}), IntIs(0));
  EXPECT_THAT(Run({"RESTORE", "k", "1", p, "ABSTTL", "REPLACE"}), IsOk());
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  // REPLACE over a key with a TTL: the new key has only its own TTL.
  EXPECT_THAT(Run({"RESTORE", "rel", "0", p, "replace"}), IsOk());
  EXPECT_THAT(Run({"PTTL", "rel"}), IntIs(-1));
  AdvanceTime(10000);
  EXPECT_THAT(Run({"EXISTS", "abs"}), IntIs(0));
}

TEST_F(DumpFamilyTest, IdleTime) {
  Run({"SET", "k", "v"});
  const std::string p = Dump("k");
  EXPECT_THAT(Run({"RESTORE", "n", "0", p, "IDLETIME", "100"}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "IDLETIME", "n"}), IntIs(100));
}

TEST_F(DumpFamilyTest, PropagatesAbsoluteTtl) {
  Sink sink;
  dispatcher_.set_propagation_sink(&sink);
  Run({"SET", "k", "v"});
  const std::string p = Dump("k");
  sink.lines.clear();
  Run({"RESTORE", "n", "1000", p});
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], "0 RESTORE n " + std::to_string(NowMs() + 1000) + " " + p + " ABSTTL");
  sink.lines.clear();
  Run({"RESTORE", "m", "0", p});
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], "0 RESTORE m 0 " + p);
  sink.lines.clear();
  Run({"RESTORE", "m", "1", p, "ABSTTL", "REPLACE"});
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], "0 DEL m");
  sink.lines.clear();
  Run({"RESTORE", "never", "1", p, "ABSTTL"});
  EXPECT_TRUE(sink.lines.empty());
  dispatcher_.set_propagation_sink(nullptr);
}

// The events redis-server 7.0.15 sends for the same commands (notify-keyspace-events KEAn).
TEST_F(DumpFamilyTest, KeyspaceEventsMatchRedis) {
  struct Recorder : KeyspaceListener {
    void OnKeyEvent(NotifyClass, std::string_view event, int, std::string_view key) override {
      lines.push_back(std::string(event) + " " + std::string(key));
    }
    std::vector<std::string> lines;
  } rec;
  Run({"SET", "k", "v"});
  const std::string p = Dump("k");
  keyspace_.AddListener(&rec);
  const uint64_t dirty = keyspace_.dirty();
  Run({"RESTORE", "n", "0", p});
  Run({"RESTORE", "n", "0", p, "REPLACE"});
  Run({"RESTORE", "n", "1", p, "ABSTTL", "REPLACE"});
  Run({"RESTORE", "gone", "1", p, "ABSTTL"});
  Run({"RESTORE", "m", "1000", p});
  keyspace_.RemoveListener(&rec);
  EXPECT_EQ(rec.lines, (std::vector<std::string>{"new n", "restore n", "new n", "restore n",
                                                 "del n", "new m", "restore m"}));
  EXPECT_EQ(keyspace_.dirty() - dirty, 4u);
}

TEST_F(DumpFamilyTest, RespectsEncodingConfig) {
  std::vector<std::string> args = {"HSET", "h"};
  for (int i = 0; i < 10; ++i) {
    args.push_back("f" + std::to_string(i));
    args.push_back("v");
  }
  Run(args);
  const std::string p = Dump("h");
  server_.config_.hash_max_listpack_entries = 4;
  EXPECT_THAT(Run({"RESTORE", "h2", "0", p}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "h2"}), BulkIs("hashtable"));
  EXPECT_THAT(Run({"HLEN", "h2"}), IntIs(10));
}

TEST_F(DumpFamilyTest, NoPersistenceView) {
  Run({"SET", "k", "v"});
  server_.persistence_ = nullptr;
  EXPECT_THAT(Run({"DUMP", "k"}), ErrorIs("ERR persistence is not available"));
}

}  // namespace
}  // namespace gannet
