// Key-change signals of the write commands: the keyspace notifications (class, event,
// database, key, in order), the modification signals WATCH and tracking hear, the change
// counter (keyspace.dirty(), Redis's server.dirty) and what a command records for the AOF
// (PropagateAs rewrites). The event lists and change counts come from a real redis-server
// 7.0 (testdata/keyspace_events.txt, made by keyspace_events_gen.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t sp = line.find(' ', start);
    out.push_back(line.substr(start, sp - start));
    if (sp == std::string::npos) return out;
    start = sp + 1;
  }
}

// The class Redis gives each event (notify.c callers), to check ours carry the same.
NotifyClass ExpectedClass(std::string_view event) {
  if (event == "new") return kNotifyNewKey;
  if (event == "keymiss") return kNotifyKeyMiss;
  if (event == "set" || event == "append" || event == "setrange" || event == "incrby" ||
      event == "incrbyfloat" || event == "setbit" || event == "pfadd") {
    return kNotifyString;
  }
  if (event == "sortstore" || event.starts_with("l") || event.starts_with("r")) {
    return event.starts_with("rename") ? kNotifyGeneric : kNotifyList;
  }
  if (event.starts_with("h")) return kNotifyHash;
  if (event.starts_with("s")) return kNotifySet;
  if (event.starts_with("z") || event.starts_with("geo")) return kNotifyZSet;
  if (event.starts_with("x")) return kNotifyStream;
  return kNotifyGeneric;  // del, expire, persist, move_*, copy_to
}

struct Recorded {
  NotifyClass cls;
  std::string event;
  int db;
  std::string key;
};

class Recorder : public KeyspaceListener {
 public:
  void OnKeyModified(int db, std::string_view key) override {
    modified.emplace_back(db, std::string(key));
  }
  void OnKeyEvent(NotifyClass cls, std::string_view event, int db, std::string_view key) override {
    events.push_back({cls, std::string(event), db, std::string(key)});
  }
  // "db event key" lines, as the test data writes them.
  std::vector<std::string> EventLines() const {
    std::vector<std::string> out;
    for (const Recorded& r : events) {
      out.push_back(std::to_string(r.db) + " " + r.event + " " + r.key);
    }
    return out;
  }
  void Clear() {
    events.clear();
    modified.clear();
  }

  std::vector<Recorded> events;
  std::vector<std::pair<int, std::string>> modified;
};

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

class KeyEventsTest : public CommandTest {
 protected:
  KeyEventsTest() {
    keyspace_.AddListener(&rec_);
    dispatcher_.set_propagation_sink(&sink_);
  }
  ~KeyEventsTest() override { keyspace_.RemoveListener(&rec_); }

  // Runs args and returns what it recorded for the AOF (cleared first).
  std::vector<std::string> Propagated(std::initializer_list<std::string_view> args) {
    sink_.lines.clear();
    Run(args);
    return sink_.lines;
  }

  Recorder rec_;
  Sink sink_;
};

// Every command of the test data: the same events in the same order, each with Redis's
// class, a modification signal for every key an event names, and the same change count.
TEST_F(KeyEventsTest, MatchesRedis) {
  std::ifstream in(std::string(GANNET_COMMANDS_TESTDATA) + "/keyspace_events.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  std::string section;
  std::string command;
  std::vector<std::string> expected;
  int checked = 0;
  uint64_t dirty_before = 0;
  // One failure line per command that differs, naming it.
  auto check = [&](uint64_t want_dirty) {
    std::string diff;
    const std::vector<std::string> got = rec_.EventLines();
    if (got != expected) {
      diff += "\n  events want: " + ::testing::PrintToString(expected) +
              "\n  events got:  " + ::testing::PrintToString(got);
    }
    const uint64_t got_dirty = keyspace_.dirty() - dirty_before;
    if (got_dirty != want_dirty) {
      diff +=
          "\n  changes want " + std::to_string(want_dirty) + " got " + std::to_string(got_dirty);
    }
    for (const Recorded& r : rec_.events) {
      if (r.cls != ExpectedClass(r.event)) diff += "\n  wrong class for " + r.event;
      // A read's miss and consumer-group bookkeeping are not modifications in Redis (no
      // WATCH invalidation).
      if (r.event == "new" || r.event == "keymiss" || r.event.starts_with("xgroup-")) continue;
      bool signalled = false;
      for (const auto& [db, key] : rec_.modified) signalled |= db == r.db && key == r.key;
      if (!signalled) diff += "\n  no modification signal for " + r.key + " (" + r.event + ")";
    }
    if (!diff.empty()) ADD_FAILURE() << "[" << section << "] " << command << diff;
    ++checked;
  };
  while (std::getline(in, line)) {
    if (line.starts_with("=== ")) {
      section = line.substr(4);
      Run({"SELECT", "0"});
      Run({"FLUSHALL"});
      rec_.Clear();
    } else if (line.starts_with("> ")) {
      command = line.substr(2);
      expected.clear();
      rec_.Clear();
      dirty_before = keyspace_.dirty();
      Run(Split(command));
    } else if (line.starts_with("ev ")) {
      expected.push_back(line.substr(3));
    } else if (line.starts_with("dirty ")) {
      check(std::stoull(line.substr(6)));
    }
  }
  EXPECT_GT(checked, 300);
}

// A command that changes nothing signals nothing and records nothing.
TEST_F(KeyEventsTest, NoChangeNoSignal) {
  Run({"SET", "k", "v"});
  rec_.Clear();
  const uint64_t before = keyspace_.dirty();
  for (auto args : std::vector<std::vector<std::string>>{{"SET", "k", "w", "NX"},
                                                         {"GET", "k"},
                                                         {"DEL", "nokey"},
                                                         {"EXPIRE", "nokey", "10"},
                                                         {"HSET", "k", "f", "v"},
                                                         {"LPUSH", "k", "x"},
                                                         {"SADD", "k", "x"},
                                                         {"ZADD", "k", "1", "x"},
                                                         {"INCR", "k"},
                                                         {"SETRANGE", "k", "0", ""}}) {
    Run(args);
  }
  EXPECT_EQ(keyspace_.dirty(), before);
  EXPECT_THAT(rec_.events, IsEmpty());
  EXPECT_THAT(rec_.modified, IsEmpty());
}

TEST_F(KeyEventsTest, FlushAndSwapSignalWholeDatabases) {
  Run({"MSET", "a", "1", "b", "2"});
  rec_.Clear();
  Run({"FLUSHDB"});
  EXPECT_THAT(rec_.modified, ElementsAre(std::pair<int, std::string>(0, "")));
  EXPECT_THAT(rec_.events, IsEmpty());
  rec_.Clear();
  Run({"FLUSHALL"});
  EXPECT_THAT(rec_.modified, ElementsAre(std::pair<int, std::string>(-1, "")));
  rec_.Clear();
  Run({"SWAPDB", "0", "3"});
  EXPECT_THAT(rec_.modified,
              ElementsAre(std::pair<int, std::string>(0, ""), std::pair<int, std::string>(3, "")));
  EXPECT_THAT(rec_.events, IsEmpty());
}

// A client served after blocking emits the pop's events when it is served, after the
// push that woke it.
TEST_F(KeyEventsTest, ServedBlockedPopEmitsAfterThePush) {
  FakeClient& waiter = NewClient();
  ASSERT_FALSE(RunAs(waiter, {"BLPOP", "l", "0"}).has_value());
  rec_.Clear();
  sink_.lines.clear();
  Run({"RPUSH", "l", "a"});
  ASSERT_TRUE(TakeReply(waiter).has_value());
  EXPECT_THAT(rec_.EventLines(), ElementsAre("0 new l", "0 rpush l", "0 lpop l", "0 del l"));
  EXPECT_THAT(sink_.lines, ElementsAre("0 RPUSH l a", "0 LPOP l"));
}

// ---- what the AOF records (Redis's propagation rewrites) ----

TEST_F(KeyEventsTest, ExpiryIsRecordedAbsolute) {
  const std::string at = std::to_string(NowMs() + 100'000);
  EXPECT_THAT(Propagated({"SET", "k", "v", "EX", "100"}), ElementsAre("0 SET k v PXAT " + at));
  EXPECT_THAT(Propagated({"SET", "k", "v", "PX", "100000", "GET"}),
              ElementsAre("0 SET k v PXAT " + at));
  EXPECT_THAT(Propagated({"SET", "k", "v", "PXAT", at}), ElementsAre("0 SET k v PXAT " + at));
  EXPECT_THAT(Propagated({"SETEX", "k", "100", "v"}), ElementsAre("0 SET k v PXAT " + at));
  EXPECT_THAT(Propagated({"PSETEX", "k", "100000", "v"}), ElementsAre("0 SET k v PXAT " + at));
  EXPECT_THAT(Propagated({"SET", "k", "v"}), ElementsAre("0 SET k v"));
  EXPECT_THAT(Propagated({"EXPIRE", "k", "100"}), ElementsAre("0 PEXPIREAT k " + at));
  EXPECT_THAT(Propagated({"PEXPIRE", "k", "50000", "LT"}),
              ElementsAre("0 PEXPIREAT k " + std::to_string(NowMs() + 50'000) + " LT"));
  EXPECT_THAT(Propagated({"PEXPIRE", "k", "60000", "LT"}), IsEmpty());
  EXPECT_THAT(Propagated({"PEXPIREAT", "k", at}), ElementsAre("0 PEXPIREAT k " + at));
  EXPECT_THAT(Propagated({"GETEX", "k", "EX", "100"}), ElementsAre("0 PEXPIREAT k " + at));
  EXPECT_THAT(Propagated({"GETEX", "k", "PERSIST"}), ElementsAre("0 PERSIST k"));
  EXPECT_THAT(Propagated({"GETEX", "k", "PERSIST"}), IsEmpty());
  EXPECT_THAT(Propagated({"GETEX", "k", "PXAT", "1"}), ElementsAre("0 DEL k"));
  Run({"SET", "k", "v"});
  EXPECT_THAT(Propagated({"EXPIRE", "k", "-1"}), ElementsAre("0 DEL k"));
  Run({"SET", "k", "v"});
  EXPECT_THAT(Propagated({"GETDEL", "k"}), ElementsAre("0 DEL k"));
  EXPECT_THAT(Propagated({"GETDEL", "k"}), IsEmpty());
}

TEST_F(KeyEventsTest, FloatIncrementsRecordTheResult) {
  EXPECT_THAT(Propagated({"INCRBYFLOAT", "f", "1.5"}), ElementsAre("0 SET f 1.5 KEEPTTL"));
  EXPECT_THAT(Propagated({"INCRBYFLOAT", "f", "0.25"}), ElementsAre("0 SET f 1.75 KEEPTTL"));
  EXPECT_THAT(Propagated({"HINCRBYFLOAT", "h", "x", "2.5"}), ElementsAre("0 HSET h x 2.5"));
  EXPECT_THAT(Propagated({"INCRBYFLOAT", "f", "nan"}), IsEmpty());
}

TEST_F(KeyEventsTest, SpopRecordsTheMembers) {
  Run({"SADD", "s", "a"});
  EXPECT_THAT(Propagated({"SPOP", "s"}), ElementsAre("0 SREM s a"));
  Run({"SADD", "s", "a", "b"});
  EXPECT_THAT(Propagated({"SPOP", "s", "5"}), ElementsAre("0 DEL s"));
  Run({"SADD", "s", "1", "2", "3"});
  std::vector<std::string> lines = Propagated({"SPOP", "s", "2"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("0 SREM s ")) << lines[0];
  EXPECT_EQ(Split(lines[0]).size(), 5u);
  EXPECT_THAT(Propagated({"SPOP", "s", "0"}), IsEmpty());
}

TEST_F(KeyEventsTest, BlockingFormsRecordTheNonBlockingOnes) {
  Run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_THAT(Propagated({"BLPOP", "nol", "l", "1"}), ElementsAre("0 LPOP l"));
  EXPECT_THAT(Propagated({"BRPOP", "l", "1"}), ElementsAre("0 RPOP l"));
  EXPECT_THAT(Propagated({"BLMOVE", "l", "m", "LEFT", "RIGHT", "1"}),
              ElementsAre("0 LMOVE l m LEFT RIGHT"));
  EXPECT_THAT(Propagated({"BRPOPLPUSH", "m", "l", "1"}), ElementsAre("0 RPOPLPUSH m l"));
  EXPECT_THAT(Propagated({"BLMPOP", "1", "1", "l", "RIGHT", "COUNT", "5"}),
              ElementsAre("0 RPOP l 2"));
  EXPECT_THAT(Propagated({"LMOVE", "nol", "l", "LEFT", "LEFT"}), IsEmpty());
}

}  // namespace
}  // namespace gannet
