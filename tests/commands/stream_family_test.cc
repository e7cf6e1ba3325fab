// Stream commands through the dispatcher. Two kinds of tests:
//  - Golden: testdata/stream_golden.txt holds deterministic command sequences (explicit IDs)
//    with the exact reply bytes redis-server 7.0.15 gave, in RESP2 and RESP3
//    (testdata/stream_golden_gen.py regenerates it); every command is replayed here and
//    its bytes compared.
//  - By hand: whatever depends on time (auto IDs, idle times, XCLAIM IDLE/TIME, XAUTOCLAIM
//    min-idle, delivery times in XINFO FULL) runs on the manual clock, plus COPY, memory
//    accounting and hostile counts. Those expectations were checked on redis-server too.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "command_test_base.h"
#include "gannet/engine/stream_object.h"

namespace gannet {
namespace {

class StreamFamilyTest : public CommandTest {
 protected:
  std::string Raw(std::initializer_list<std::string_view> args) {
    return RunRaw(std::vector<std::string_view>(args));
  }
};

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    if (c == 'r') {
      out.push_back('\r');
    } else if (c == 'n') {
      out.push_back('\n');
    } else if (c == '\\') {
      out.push_back('\\');
    } else if (c == 'x' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> SplitTabs(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = s.find('\t', start);
    out.push_back(s.substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

TEST_F(StreamFamilyTest, GoldenRepliesFromRedis) {
  std::ifstream in(std::string(GANNET_COMMANDS_TESTDATA) + "/stream_golden.txt");
  ASSERT_TRUE(in.good()) << "missing testdata/stream_golden.txt";
  std::string line, section;
  std::vector<std::string> pending;
  RespVersion pending_proto = RespVersion::kResp2;
  size_t compared = 0;
  while (std::getline(in, line)) {
    if (line.rfind("===", 0) == 0) {
      section = line;
      client_.resp_ = RespVersion::kResp2;
      Run({"FLUSHALL"});
    } else if (line.rfind("@fill", 0) == 0) {
      std::istringstream is(line.substr(6));
      std::string key;
      int lo = 0, hi = 0;
      is >> key >> lo >> hi;
      client_.resp_ = RespVersion::kResp2;
      for (int i = lo; i <= hi; ++i) {
        std::string id = std::to_string(i) + "-0";
        std::string v = "v" + std::to_string(i);
        ASSERT_EQ(RunRaw({"XADD", key, id, "f", v}),
                  "$" + std::to_string(id.size()) + "\r\n" + id + "\r\n");
      }
    } else if (line.rfind("> ", 0) == 0) {
      auto parts = SplitTabs(line.substr(2));
      pending_proto = parts[0] == "3" ? RespVersion::kResp3 : RespVersion::kResp2;
      pending.assign(parts.begin() + 1, parts.end());
    } else if (line.rfind("< ", 0) == 0) {
      client_.resp_ = pending_proto;
      std::vector<std::string_view> views(pending.begin(), pending.end());
      std::string got = RunRaw(views);
      std::string want = Unescape(line.substr(2));
      std::string cmd;
      for (const auto& a : pending) cmd += a + " ";
      EXPECT_EQ(got, want) << section << " (RESP" << (pending_proto == RespVersion::kResp3 ? 3 : 2)
                           << "): " << cmd;
      ++compared;
    }
  }
  client_.resp_ = RespVersion::kResp2;
  EXPECT_GT(compared, 300u);
}

TEST_F(StreamFamilyTest, AutoIdsFollowTheClock) {
  int64_t now = NowMs();
  std::string ms = std::to_string(now);
  EXPECT_THAT(Run({"XADD", "s", "*", "f", "v"}), BulkIs(ms + "-0"));
  EXPECT_THAT(Run({"XADD", "s", "*", "f", "v"}), BulkIs(ms + "-1"));
  AdvanceTime(5);
  EXPECT_THAT(Run({"XADD", "s", "*", "f", "v"}), BulkIs(std::to_string(now + 5) + "-0"));
  // A last ID in the future: auto IDs continue from it rather than from the clock.
  std::string future = std::to_string(now + 100000);
  EXPECT_THAT(Run({"XADD", "s", future + "-7", "f", "v"}), BulkIs(future + "-7"));
  EXPECT_THAT(Run({"XADD", "s", "*", "f", "v"}), BulkIs(future + "-8"));
  EXPECT_THAT(Run({"XADD", "s", future + "-*", "f", "v"}), BulkIs(future + "-9"));
  EXPECT_THAT(Run({"XLEN", "s"}), IntIs(6));
  // MAXLEN with auto IDs.
  EXPECT_THAT(Run({"XADD", "s", "MAXLEN", "2", "*", "f", "v"}), IsType(RespType::kBulk));
  EXPECT_THAT(Run({"XLEN", "s"}), IntIs(2));
}

TEST_F(StreamFamilyTest, PendingIdleTimesAndClaims) {
  Run({"XADD", "s", "1-0", "a", "1"});
  Run({"XADD", "s", "2-0", "a", "2"});
  Run({"XADD", "s", "3-0", "a", "3"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  AdvanceTime(1000);
  EXPECT_THAT(Run({"XPENDING", "s", "g", "-", "+", "10"}),
              ArrayOf(ArrayOf(BulkIs("1-0"), BulkIs("alice"), IntIs(1000), IntIs(1)),
                      ArrayOf(BulkIs("2-0"), BulkIs("alice"), IntIs(1000), IntIs(1)),
                      ArrayOf(BulkIs("3-0"), BulkIs("alice"), IntIs(1000), IntIs(1))));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "IDLE", "1001", "-", "+", "10"}), EmptyArray());
  EXPECT_THAT(Run({"XPENDING", "s", "g", "IDLE", "1000", "-", "+", "1"}), ArrayLen(1));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "(1-0", "+", "10", "alice"}), ArrayLen(2));
  EXPECT_THAT(Run({"XINFO", "CONSUMERS", "s", "g"}),
              ArrayOf(ArrayOf(BulkIs("name"), BulkIs("alice"), BulkIs("pending"), IntIs(3),
                              BulkIs("idle"), IntIs(1000))));

  // min-idle not reached: nothing claimed.
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "bob", "2000", "1-0"}), EmptyArray());
  // Claimed: delivery count grows, idle resets.
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "bob", "500", "1-0"}),
              ArrayOf(ArrayOf(BulkIs("1-0"), BulkArray({"a", "1"}))));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "1-0", "1-0", "1"}),
              ArrayOf(ArrayOf(BulkIs("1-0"), BulkIs("bob"), IntIs(0), IntIs(2))));
  // IDLE sets the idle time; TIME sets the absolute delivery time; RETRYCOUNT the count.
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "bob", "0", "2-0", "IDLE", "300", "JUSTID"}),
              BulkArray({"2-0"}));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "2-0", "2-0", "1"}),
              ArrayOf(ArrayOf(BulkIs("2-0"), BulkIs("bob"), IntIs(300), IntIs(1))));
  std::string t = std::to_string(NowMs() - 42);
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "bob", "0", "3-0", "TIME", t, "RETRYCOUNT", "9"}),
              ArrayLen(1));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "3-0", "3-0", "1"}),
              ArrayOf(ArrayOf(BulkIs("3-0"), BulkIs("bob"), IntIs(42), IntIs(9))));
  // A TIME in the future is taken as now.
  std::string fut = std::to_string(NowMs() + 100000);
  Run({"XCLAIM", "s", "g", "bob", "0", "3-0", "TIME", fut});
  EXPECT_THAT(Run({"XPENDING", "s", "g", "3-0", "3-0", "1"}),
              ArrayOf(ArrayOf(BulkIs("3-0"), BulkIs("bob"), IntIs(0), IntIs(10))));

  // XAUTOCLAIM honours min-idle and returns the next cursor.
  AdvanceTime(100);
  EXPECT_THAT(
      Run({"XAUTOCLAIM", "s", "g", "carol", "350", "0"}),
      ArrayOf(BulkIs("0-0"), ArrayOf(ArrayOf(BulkIs("2-0"), BulkArray({"a", "2"}))), EmptyArray()));
  EXPECT_THAT(Run({"XAUTOCLAIM", "s", "g", "carol", "0", "0", "COUNT", "1", "JUSTID"}),
              ArrayOf(BulkIs("2-0"), BulkArray({"1-0"}), EmptyArray()));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}),
              ArrayOf(IntIs(3), BulkIs("1-0"), BulkIs("3-0"),
                      ArrayOf(BulkArray({"bob", "1"}), BulkArray({"carol", "2"}))));
}

TEST_F(StreamFamilyTest, AutoClaimReportsDeletedEntriesAndHugeCountIsSafe) {
  for (int i = 1; i <= 5; ++i) {
    std::string id = std::to_string(i) + "-0";
    Run({"XADD", "s", id, "f", "v"});
  }
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  Run({"XDEL", "s", "2-0", "4-0"});
  // A COUNT just under Redis's cap must not allocate COUNT slots.
  EXPECT_THAT(Run({"XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "100000000000", "JUSTID"}),
              ArrayOf(BulkIs("0-0"), BulkArray({"1-0", "3-0", "5-0"}), BulkArray({"2-0", "4-0"})));
  EXPECT_THAT(Run({"XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "576460752303423488"}),
              ErrorIs("ERR COUNT must be > 0"));
  EXPECT_THAT(Run({"XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "-9223372036854775808"}),
              ErrorIs("ERR COUNT must be > 0"));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}),
              ArrayOf(IntIs(3), BulkIs("1-0"), BulkIs("5-0"), ArrayOf(BulkArray({"d", "3"}))));
}

TEST_F(StreamFamilyTest, HistoryShowsDeletedEntriesAsNil) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XADD", "s", "2-0", "f", "w"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  Run({"XDEL", "s", "1-0"});
  EXPECT_EQ(Raw({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"}),
            "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n"
            "$1\r\nf\r\n$1\r\nw\r\n");
  // The history read counted a delivery of 2-0 but not of the deleted 1-0.
  EXPECT_THAT(Run({"XPENDING", "s", "g", "-", "+", "10"}),
              ArrayOf(ArrayOf(BulkIs("1-0"), BulkIs("c"), IntIs(0), IntIs(1)),
                      ArrayOf(BulkIs("2-0"), BulkIs("c"), IntIs(0), IntIs(2))));
  // XCLAIM of a deleted entry drops it from the PEL.
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "c", "0", "1-0"}), EmptyArray());
  EXPECT_THAT(Run({"XPENDING", "s", "g"}),
              ArrayOf(IntIs(1), BulkIs("2-0"), BulkIs("2-0"), ArrayOf(BulkArray({"c", "1"}))));
}

TEST_F(StreamFamilyTest, DeleteConsumerWithPendingEntries) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XADD", "s", "2-0", "f", "v"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">"});
  Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"});
  EXPECT_THAT(Run({"XGROUP", "DELCONSUMER", "s", "g", "a"}), IntIs(1));
  EXPECT_THAT(Run({"XGROUP", "DELCONSUMER", "s", "g", "a"}), IntIs(0));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}),
              ArrayOf(IntIs(1), BulkIs("2-0"), BulkIs("2-0"), ArrayOf(BulkArray({"b", "1"}))));
  EXPECT_THAT(Run({"XACK", "s", "g", "1-0"}), IntIs(0));
  EXPECT_THAT(Run({"XACK", "s", "g", "2-0"}), IntIs(1));
  EXPECT_THAT(
      Run({"XINFO", "GROUPS", "s"}),
      ArrayOf(ArrayOf(BulkIs("name"), BulkIs("g"), BulkIs("consumers"), IntIs(1), BulkIs("pending"),
                      IntIs(0), BulkIs("last-delivered-id"), BulkIs("2-0"), BulkIs("entries-read"),
                      IntIs(2), BulkIs("lag"), IntIs(0))));
}

TEST_F(StreamFamilyTest, XInfoFullShowsTimes) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  int64_t t0 = NowMs();
  Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"});
  AdvanceTime(7);
  std::string t = std::to_string(t0);
  EXPECT_EQ(Raw({"XINFO", "STREAM", "s", "FULL"}),
            "*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-"
            "nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-"
            "id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n"
            "$3\r\n1-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
            "$6\r\ngroups\r\n*1\r\n*14\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n"
            "$3\r\n1-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:1"
            "\r\n$7\r\npending\r\n*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:" +
                t +
                "\r\n:1\r\n$9\r\nconsumers\r\n*1\r\n*8\r\n$4\r\nname\r\n$1\r\nc\r\n$9\r\n"
                "seen-time\r\n:" +
                t + "\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n1-0\r\n:" + t +
                "\r\n:1\r\n");
  // RESP3: maps at each level.
  RespValue v = RunResp3({"XINFO", "STREAM", "s", "FULL", "COUNT", "0"});
  ASSERT_EQ(v.type, RespType::kMap);
  EXPECT_EQ(v.size(), 9u);
}

TEST_F(StreamFamilyTest, Resp3Shapes) {
  Run({"XADD", "s", "1-0", "f", "v"});
  RespValue r = RunResp3({"XREAD", "STREAMS", "s", "0"});
  ASSERT_EQ(r.type, RespType::kMap);
  EXPECT_EQ(r.elems[0].str, "s");
  EXPECT_THAT(RunResp3({"XREAD", "STREAMS", "s", "$"}), IsNil());
  EXPECT_THAT(RunResp3({"XADD", "nokey", "NOMKSTREAM", "*", "f", "v"}), IsNil());
  EXPECT_EQ(RunResp3({"XINFO", "STREAM", "s"}).type, RespType::kMap);
  EXPECT_THAT(RunResp3({"XRANGE", "s", "-", "+", "COUNT", "0"}), IsNil());
  Run({"XGROUP", "CREATE", "s", "g", "$"});
  EXPECT_EQ(RunRaw({"XPENDING", "s", "g"}), "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
  client_.resp_ = RespVersion::kResp3;
  EXPECT_EQ(RunRaw({"XPENDING", "s", "g"}), "*4\r\n:0\r\n_\r\n_\r\n_\r\n");
  EXPECT_EQ(RunRaw({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}), "_\r\n");
  client_.resp_ = RespVersion::kResp2;
}

TEST_F(StreamFamilyTest, WrongTypeEverywhere) {
  Run({"SET", "str", "x"});
  const char kWrong[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_THAT(Run({"XADD", "str", "*", "f", "v"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XLEN", "str"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XRANGE", "str", "-", "+"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XREVRANGE", "str", "+", "-"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XDEL", "str", "1-0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XTRIM", "str", "MAXLEN", "0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XREAD", "STREAMS", "str", "0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XGROUP", "CREATE", "str", "g", "$"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XACK", "str", "g", "1-0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XPENDING", "str", "g"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XCLAIM", "str", "g", "c", "0", "1-0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XAUTOCLAIM", "str", "g", "c", "0", "0"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XINFO", "STREAM", "str"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XINFO", "GROUPS", "str"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XINFO", "CONSUMERS", "str", "g"}), ErrorIs(kWrong));
  EXPECT_THAT(Run({"XSETID", "str", "1-0"}), ErrorIs(kWrong));
}

TEST_F(StreamFamilyTest, CopyClonesEntriesAndGroups) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XADD", "s", "2-0", "f", "w"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"});
  EXPECT_THAT(Run({"COPY", "s", "t"}), IntIs(1));
  EXPECT_THAT(Run({"TYPE", "t"}), SimpleIs("stream"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "t"}), BulkIs("stream"));
  // The copy is independent: changing one leaves the other.
  Run({"XACK", "s", "g", "1-0"});
  Run({"XDEL", "s", "2-0"});
  EXPECT_THAT(Run({"XLEN", "t"}), IntIs(2));
  EXPECT_THAT(Run({"XPENDING", "t", "g"}),
              ArrayOf(IntIs(1), BulkIs("1-0"), BulkIs("1-0"), ArrayOf(BulkArray({"c", "1"}))));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}), ArrayOf(IntIs(0), IsNil(), IsNil(), IsNil()));
  // The copy's consumers own their pending entries (claims move them correctly).
  EXPECT_THAT(Run({"XCLAIM", "t", "g", "d", "0", "1-0", "JUSTID"}), BulkArray({"1-0"}));
  EXPECT_THAT(Run({"XPENDING", "t", "g"}),
              ArrayOf(IntIs(1), BulkIs("1-0"), BulkIs("1-0"), ArrayOf(BulkArray({"d", "1"}))));
}

TEST_F(StreamFamilyTest, EmptyStreamIsKept) {
  Run({"XADD", "s", "1-0", "f", "v"});
  EXPECT_THAT(Run({"XDEL", "s", "1-0"}), IntIs(1));
  EXPECT_THAT(Run({"EXISTS", "s"}), IntIs(1));
  EXPECT_THAT(Run({"XADD", "s", "1-0", "f", "v"}),
              ErrorIs("ERR The ID specified in XADD is equal or smaller than the target stream "
                      "top item"));
  EXPECT_THAT(Run({"XADD", "s", "1-*", "f", "v"}), BulkIs("1-1"));
}

TEST_F(StreamFamilyTest, ManyEntriesAcrossNodes) {
  // 1000 entries make ten nodes of 100; ranges, reverse ranges and deletes cross them.
  for (int i = 1; i <= 1000; ++i) {
    std::string id = std::to_string(i) + "-" + std::to_string(i % 3);
    Run({"XADD", "s", id, "f", std::to_string(i), "g", "x"});
  }
  EXPECT_THAT(Run({"XINFO", "GROUPS", "s"}), EmptyArray());
  RespValue r = Run({"XRANGE", "s", "95", "(105", "COUNT", "100"});
  // "(105" excludes 105-max only (a missing sequence is max for an end bound).
  ASSERT_EQ(r.size(), 11u);
  EXPECT_EQ(r[0][0].str, "95-2");
  EXPECT_EQ(r[10][0].str, "105-0");
  RespValue rev = Run({"XREVRANGE", "s", "+", "-", "COUNT", "3"});
  EXPECT_EQ(rev[0][0].str, "1000-1");
  EXPECT_EQ(rev[2][0].str, "998-2");
  for (int i = 101; i <= 200; ++i) {
    std::string id = std::to_string(i) + "-" + std::to_string(i % 3);
    ASSERT_THAT(Run({"XDEL", "s", id}), IntIs(1));
  }
  EXPECT_THAT(Run({"XLEN", "s"}), IntIs(900));
  RespValue across = Run({"XRANGE", "s", "99", "+", "COUNT", "3"});
  EXPECT_EQ(across[0][0].str, "99-0");
  EXPECT_EQ(across[1][0].str, "100-1");
  EXPECT_EQ(across[2][0].str, "201-0");
  EXPECT_THAT(Run({"XTRIM", "s", "MAXLEN", "~", "500"}), IntIs(400));
  EXPECT_THAT(Run({"XTRIM", "s", "MAXLEN", "=", "450"}), IntIs(50));
  EXPECT_THAT(Run({"XLEN", "s"}), IntIs(450));
  EXPECT_THAT(Run({"XRANGE", "s", "-", "+", "COUNT", "1"}),
              ArrayOf(ArrayOf(BulkIs("551-2"), BulkArray({"f", "551", "g", "x"}))));
  // Accounting sees the entries (Redis's MEMORY USAGE says 13864 bytes for this stream).
  keyspace_.set_now_ms(NowMs());
  Entry* e = db().FindNoTouch("s");
  ASSERT_NE(e, nullptr);
  EXPECT_GT(e->value.MemoryUsage(), 4500u);
  EXPECT_LT(e->value.MemoryUsage(), 13864u);
}

// ---------------------------------------------------------------------------------------
// Blocking reads (replies checked against redis-server 7.0.15 with two connections).

TEST_F(StreamFamilyTest, XReadBlockServedByXAdd) {
  Run({"XADD", "s", "1-0", "f", "v"});
  FakeClient& b = NewClient();
  EXPECT_EQ(RunAs(b, {"XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "$"}), std::nullopt);
  EXPECT_TRUE(b.blocked_);
  EXPECT_EQ(TakeReply(b), std::nullopt);
  Run({"XADD", "s", "2-0", "a", "b"});
  auto r = TakeReply(b);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(
      *r, ArrayOf(ArrayOf(BulkIs("s"), ArrayOf(ArrayOf(BulkIs("2-0"), BulkArray({"a", "b"}))))));
  EXPECT_FALSE(b.blocked_);
}

TEST_F(StreamFamilyTest, XReadBlockDollarIsFixedAtBlockTime) {
  Run({"XADD", "s", "3-0", "f", "v"});
  FakeClient& b = NewClient();
  EXPECT_EQ(RunAs(b, {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), std::nullopt);
  // Recreated with a smaller ID: still nothing after 3-0, so the reader keeps waiting.
  Run({"DEL", "s"});
  Run({"XADD", "s", "1-0", "a", "b"});
  EXPECT_EQ(TakeReply(b), std::nullopt);
  Run({"XADD", "s", "4-0", "c", "d"});
  auto r = TakeReply(b);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(
      *r, ArrayOf(ArrayOf(BulkIs("s"), ArrayOf(ArrayOf(BulkIs("4-0"), BulkArray({"c", "d"}))))));
}

TEST_F(StreamFamilyTest, XReadBlockTimesOut) {
  FakeClient& b = NewClient();
  EXPECT_EQ(RunAs(b, {"XREAD", "BLOCK", "50", "STREAMS", "s", "$"}), std::nullopt);
  AdvanceTime(49);
  EXPECT_EQ(TakeReply(b), std::nullopt);
  AdvanceTime(1);
  EXPECT_EQ(b.deferred_out_, "*-1\r\n");
  b.deferred_out_.clear();
  b.resp_ = RespVersion::kResp3;
  EXPECT_EQ(RunAs(b, {"XREAD", "BLOCK", "50", "STREAMS", "s", "$"}), std::nullopt);
  AdvanceTime(50);
  EXPECT_EQ(b.deferred_out_, "_\r\n");
  // Bad timeouts.
  EXPECT_THAT(Run({"XREAD", "BLOCK", "-1", "STREAMS", "s", "$"}),
              ErrorIs("ERR timeout is negative"));
  EXPECT_THAT(Run({"XREAD", "BLOCK", "1.5", "STREAMS", "s", "$"}),
              ErrorIs("ERR timeout is not an integer or out of range"));
  // A client that cannot block (as inside MULTI) gets the timeout reply at once.
  EXPECT_EQ(RunRaw({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}), "*-1\r\n");
}

TEST_F(StreamFamilyTest, XReadGroupBlockFlows) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XGROUP", "CREATE", "s", "g", "$"});
  FakeClient& b = NewClient();
  EXPECT_EQ(RunAs(b, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}),
            std::nullopt);
  // No consumer is created while waiting (as in Redis).
  EXPECT_THAT(Run({"XINFO", "CONSUMERS", "s", "g"}), EmptyArray());
  Run({"XADD", "s", "2-0", "a", "b"});
  auto r = TakeReply(b);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(
      *r, ArrayOf(ArrayOf(BulkIs("s"), ArrayOf(ArrayOf(BulkIs("2-0"), BulkArray({"a", "b"}))))));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}),
              ArrayOf(IntIs(1), BulkIs("2-0"), BulkIs("2-0"), ArrayOf(BulkArray({"c", "1"}))));

  // The key goes away: "-UNBLOCKED the stream key no longer exists".
  EXPECT_EQ(RunAs(b, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}),
            std::nullopt);
  Run({"DEL", "s"});
  EXPECT_EQ(b.deferred_out_, "-UNBLOCKED the stream key no longer exists\r\n");
  b.deferred_out_.clear();

  // The group goes away: NOGROUP.
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XGROUP", "CREATE", "s", "g", "$"});
  EXPECT_EQ(RunAs(b, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}),
            std::nullopt);
  Run({"XGROUP", "DESTROY", "s", "g"});
  EXPECT_EQ(b.deferred_out_,
            "-NOGROUP the consumer group this client was blocked on no longer exists\r\n");
  b.deferred_out_.clear();

  // The key changes type.
  Run({"XGROUP", "CREATE", "s", "g", "$"});
  EXPECT_EQ(RunAs(b, {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}),
            std::nullopt);
  Run({"SET", "s", "x"});
  EXPECT_EQ(b.deferred_out_, "-UNBLOCKED the stream key no longer exists\r\n");
}

TEST_F(StreamFamilyTest, XReadGroupBlockNoAckAndCount) {
  Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  FakeClient& b = NewClient();
  EXPECT_EQ(RunAs(b, {"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "NOACK", "BLOCK", "1000",
                      "STREAMS", "s", ">"}),
            std::nullopt);
  Run({"MULTI"});
  Run({"XADD", "s", "1-0", "a", "1"});
  Run({"XADD", "s", "2-0", "a", "2"});
  Run({"EXEC"});
  auto r = TakeReply(b);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(
      *r, ArrayOf(ArrayOf(BulkIs("s"), ArrayOf(ArrayOf(BulkIs("1-0"), BulkArray({"a", "1"}))))));
  EXPECT_THAT(Run({"XPENDING", "s", "g"}), ArrayOf(IntIs(0), IsNil(), IsNil(), IsNil()));
  EXPECT_THAT(
      Run({"XINFO", "GROUPS", "s"}),
      ArrayOf(ArrayOf(BulkIs("name"), BulkIs("g"), BulkIs("consumers"), IntIs(1), BulkIs("pending"),
                      IntIs(0), BulkIs("last-delivered-id"), BulkIs("1-0"), BulkIs("entries-read"),
                      IntIs(1), BulkIs("lag"), IntIs(1))));
}

TEST_F(StreamFamilyTest, HugeCountsAndIdsAreSafe) {
  Run({"XADD", "s", "1-0", "f", "v"});
  Run({"XGROUP", "CREATE", "s", "g", "0"});
  const char kMax[] = "9223372036854775807";
  EXPECT_THAT(Run({"XRANGE", "s", "-", "+", "COUNT", kMax}), ArrayLen(1));
  EXPECT_THAT(Run({"XREVRANGE", "s", "+", "-", "COUNT", kMax}), ArrayLen(1));
  EXPECT_THAT(Run({"XREAD", "COUNT", kMax, "STREAMS", "s", "0"}), ArrayLen(1));
  EXPECT_THAT(Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", kMax, "STREAMS", "s", ">"}),
              ArrayLen(1));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "-", "+", kMax}), ArrayLen(1));
  EXPECT_THAT(Run({"XPENDING", "s", "g", "IDLE", "-9223372036854775808", "-", "+", kMax}),
              ArrayLen(1));
  EXPECT_THAT(Run({"XINFO", "STREAM", "s", "FULL", "COUNT", kMax}), ArrayLen(18));
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "c", "-9223372036854775808", "1-0", "IDLE",
                   "-9223372036854775808", "RETRYCOUNT", kMax, "JUSTID"}),
              BulkArray({"1-0"}));
  EXPECT_THAT(Run({"XCLAIM", "s", "g", "c", kMax, "1-0", "IDLE", kMax, "TIME", kMax}),
              EmptyArray());
  EXPECT_THAT(Run({"XAUTOCLAIM", "s", "g", "c", "-9223372036854775808", "0", "COUNT",
                   "576460752303423487"}),
              ErrorIs("ERR Insufficient memory, failed allocating transient memory, COUNT too "
                      "high."));
  EXPECT_THAT(Run({"XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", kMax}), IsOk());
  Run({"XADD", "s", "2-0", "f", "v"});
  EXPECT_THAT(Run({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}), ArrayLen(1));
  EXPECT_THAT(Run({"XSETID", "s", "18446744073709551615-18446744073709551615"}), IsOk());
  EXPECT_THAT(Run({"XADD", "s", "*", "f", "v"}),
              ErrorIs("ERR The stream has exhausted the last possible ID, unable to add more "
                      "items"));
  std::string longid(200, '1');
  EXPECT_THAT(Run({"XRANGE", "s", longid, "+"}),
              ErrorIs("ERR Invalid stream ID specified as stream command argument"));
}

}  // namespace
}  // namespace gannet
