// MULTI/EXEC/DISCARD/WATCH/UNWATCH in-process: queueing, EXECABORT, runtime errors without
// rollback, the commands run at once inside MULTI, blocking commands inside EXEC, and every
// way a WATCH breaks (the expected replies were taken from redis-server 7.0.15).
#include <string>

#include "command_test_base.h"
#include "transaction.h"

namespace gannet {
namespace {

class TransactionFamilyTest : public CommandTest {
 protected:
  // The raw reply of one command for client c (RESP version of c).
  std::string RawAs(FakeClient& c, std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    std::string out;
    ReplyBuilder rb(&out, c.resp_version());
    dispatcher_.Execute(CmdArgs(v.data(), v.size()), c, rb);
    return out;
  }
  std::string Raw(std::initializer_list<std::string_view> args) {
    return RunRaw(std::vector<std::string_view>(args));
  }
};

TEST_F(TransactionFamilyTest, QueueAndExec) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "k", "1"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"INCR", "k"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"GET", "k"}), SimpleIs("QUEUED"));
  // Nothing ran yet.
  EXPECT_FALSE(db().Exists("k"));
  EXPECT_EQ(Raw({"EXEC"}), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("2"));
  EXPECT_FALSE(client_.session().in_multi);
}

TEST_F(TransactionFamilyTest, EmptyTransaction) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"EXEC"}), "*0\r\n");
}

TEST_F(TransactionFamilyTest, WithoutMulti) {
  EXPECT_EQ(Raw({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_EQ(Raw({"DISCARD"}), "-ERR DISCARD without MULTI\r\n");
}

TEST_F(TransactionFamilyTest, NestedMultiDoesNotAbort) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"MULTI"}), "-ERR MULTI calls can not be nested\r\n");
  EXPECT_EQ(Raw({"WATCH", "x"}), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_THAT(Run({"SET", "x", "1"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*1\r\n+OK\r\n");
}

TEST_F(TransactionFamilyTest, QueueingErrorsAbort) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"FOO"}), ErrorStartsWith("ERR unknown command 'FOO'"));
  EXPECT_THAT(Run({"GET"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"SET", "x", "2"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_FALSE(db().Exists("x"));
  EXPECT_FALSE(client_.session().in_multi);
  // The next transaction starts clean.
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"EXEC"}), "*0\r\n");
}

TEST_F(TransactionFamilyTest, UnknownSubcommandAborts) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"CONFIG", "NOPE"}), IsError());
  EXPECT_THAT(Run({"EXEC"}), ErrorStartsWith("EXECABORT"));
}

TEST_F(TransactionFamilyTest, NoMultiCommandRefused) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"SHUTDOWN"}), "-ERR Command not allowed inside a transaction\r\n");
  EXPECT_EQ(Raw({"EXEC"}), "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_F(TransactionFamilyTest, RuntimeErrorsDoNotRollBack) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "s", "a"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"INCR", "s"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"SET", "s", "b"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
  EXPECT_THAT(Run({"GET", "s"}), BulkIs("b"));
}

TEST_F(TransactionFamilyTest, ExecCountsInnerErrorsOnce) {
  const uint64_t before = dispatcher_.stats().total_error_replies;
  EXPECT_THAT(Run({"SET", "s", "abc"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"INCR", "s"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"EXEC"}), ArrayLen(1));
  EXPECT_EQ(dispatcher_.stats().total_error_replies - before, 1u);
  const CommandSpec* exec = table_.Find("exec");
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ(exec->stats.failed_calls, 0u);
  EXPECT_EQ(exec->stats.calls, 1u);
  EXPECT_EQ(table_.Find("incr")->stats.calls, 1u);
  EXPECT_EQ(table_.Find("incr")->stats.failed_calls, 1u);
}

TEST_F(TransactionFamilyTest, Discard) {
  EXPECT_THAT(Run({"WATCH", "w"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "k", "v"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"DISCARD"}), IsOk());
  EXPECT_FALSE(db().Exists("k"));
  EXPECT_TRUE(client_.session().watched.empty());  // DISCARD unwatches
  FakeClient& other = NewClient();
  EXPECT_THAT(*RunAs(other, {"SET", "w", "1"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"PING"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*1\r\n+PONG\r\n");
}

TEST_F(TransactionFamilyTest, ErrorThenDiscardStartsClean) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"FOO"}), IsError());
  EXPECT_THAT(Run({"DISCARD"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"EXEC"}), "*0\r\n");
}

TEST_F(TransactionFamilyTest, ExecWithArgumentsAborts) {
  EXPECT_EQ(Raw({"EXEC", "x"}),
            "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
            "command\r\n");
  EXPECT_THAT(Run({"WATCH", "q"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "a", "1"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"EXEC", "x"}), ErrorStartsWith("EXECABORT Transaction discarded because of:"));
  EXPECT_FALSE(client_.session().in_multi);
  EXPECT_EQ(Raw({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_FALSE(db().Exists("a"));
  // The abort unwatched q.
  EXPECT_TRUE(client_.session().watched.empty());
  EXPECT_EQ(Raw({"DISCARD", "x"}), "-ERR wrong number of arguments for 'discard' command\r\n");
}

TEST_F(TransactionFamilyTest, ExecNoAuthAborts) {
  client_.authenticated_ = false;
  EXPECT_EQ(Raw({"EXEC"}),
            "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
  EXPECT_EQ(Raw({"MULTI"}), "-NOAUTH Authentication required.\r\n");
}

TEST_F(TransactionFamilyTest, ResetAndQuitRunInsideMulti) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "k", "v"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(Raw({"EXEC"}), "-ERR EXEC without MULTI\r\n");
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_EQ(Raw({"QUIT"}), "+OK\r\n");
  EXPECT_TRUE(client_.close_after_reply_);
}

TEST_F(TransactionFamilyTest, OtherCommandsAreQueued) {
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"UNWATCH"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"SELECT", "1"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"SET", "k", "v"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*3\r\n+OK\r\n+OK\r\n+OK\r\n");
  EXPECT_EQ(client_.db_index(), 1);
  EXPECT_TRUE(db(1).Exists("k"));
}

TEST_F(TransactionFamilyTest, BlockingCommandsDoNotBlockInsideExec) {
  FakeClient& c = NewClient();  // a client that could block outside a transaction
  EXPECT_EQ(RawAs(c, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(RawAs(c, {"BLPOP", "nol", "0"}), "+QUEUED\r\n");
  EXPECT_EQ(RawAs(c, {"BRPOPLPUSH", "a1", "a2", "5"}), "+QUEUED\r\n");
  EXPECT_EQ(RawAs(c, {"XREAD", "BLOCK", "0", "STREAMS", "nost", "$"}), "+QUEUED\r\n");
  EXPECT_EQ(RawAs(c, {"EXEC"}), "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
  EXPECT_FALSE(c.blocked_);
  EXPECT_EQ(dispatcher_.blocked_clients(), 0u);
}

TEST_F(TransactionFamilyTest, Resp3Replies) {
  client_.resp_ = RespVersion::kResp3;
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"HGETALL", "nope"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*1\r\n%0\r\n");
  EXPECT_THAT(Run({"WATCH", "w"}), IsOk());
  FakeClient& other = NewClient();
  EXPECT_THAT(*RunAs(other, {"SET", "w", "1"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"PING"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "_\r\n");
}

// ---- WATCH ----

class WatchTest : public TransactionFamilyTest {
 protected:
  // MULTI; PING; EXEC for client_; returns EXEC's raw reply.
  std::string TryExec() {
    EXPECT_THAT(Run({"MULTI"}), IsOk());
    EXPECT_THAT(Run({"PING"}), SimpleIs("QUEUED"));
    return Raw({"EXEC"});
  }
  static constexpr std::string_view kRan = "*1\r\n+PONG\r\n";
  static constexpr std::string_view kAborted = "*-1\r\n";
};

TEST_F(WatchTest, UntouchedKeysLetExecRun) {
  EXPECT_THAT(Run({"WATCH", "x", "y", "z"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "k"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, ModifiedByAnotherClient) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "x", "30"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "a", "b", "x", "k", "z"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "x", "40"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
  // After EXEC (failed or not) nothing is watched.
  EXPECT_THAT(*RunAs(b, {"SET", "x", "50"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, SameValueStillCounts) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "x", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "x", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, OwnWriteBeforeMulti) {
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(Run({"SET", "x", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, OwnWriteInsideTransactionDoesNotMatter) {
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"SET", "x", "1"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), "*1\r\n+OK\r\n");
}

TEST_F(WatchTest, NoOpWriteDoesNotBreak) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"DEL", "x"}), IntIs(0));
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, DeleteBreaks) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "x", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"DEL", "x"}), IntIs(1));
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, OtherTypesBreak) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"WATCH", "l", "h", "s", "z"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"ZADD", "z", "1", "m"}), IntIs(1));
  EXPECT_EQ(TryExec(), kAborted);
  EXPECT_THAT(Run({"WATCH", "l"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"RPUSH", "l", "a"}), IntIs(1));
  EXPECT_EQ(TryExec(), kAborted);
  EXPECT_THAT(Run({"WATCH", "h"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"HSET", "h", "f", "v"}), IntIs(1));
  EXPECT_EQ(TryExec(), kAborted);
  EXPECT_THAT(Run({"WATCH", "s"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SADD", "s", "a"}), IntIs(1));
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, RestoreAndRenameBreak) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "src", "v"}), IsOk());
  RespValue dump = *RunAs(b, {"DUMP", "src"});
  ASSERT_EQ(dump.type, RespType::kBulk);
  EXPECT_THAT(Run({"WATCH", "r"}), IsOk());
  std::vector<std::string> restore = {"RESTORE", "r", "0", dump.text()};
  std::vector<std::string_view> v(restore.begin(), restore.end());
  std::string out;
  ReplyBuilder rb(&out, b.resp_version());
  dispatcher_.Execute(CmdArgs(v.data(), v.size()), b, rb);
  EXPECT_EQ(out, "+OK\r\n");
  EXPECT_EQ(TryExec(), kAborted);

  EXPECT_THAT(Run({"WATCH", "dst"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"RENAME", "src", "dst"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, OtherDatabaseDoesNotBreak) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"SELECT", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(Run({"SELECT", "0"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "x", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, Unwatch) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(Run({"UNWATCH"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "x", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
  // UNWATCH also clears a watch that already broke.
  EXPECT_THAT(Run({"WATCH", "x"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "x", "2"}), IsOk());
  EXPECT_THAT(Run({"UNWATCH"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, ExpiredAfterWatchBreaks) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "e", "1", "PX", "400"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  AdvanceTime(600);  // expired, not yet reclaimed
  EXPECT_THAT(Run({"PING"}), SimpleIs("QUEUED"));
  EXPECT_EQ(Raw({"EXEC"}), kAborted);
}

TEST_F(WatchTest, ExpiredAndReclaimedByAnotherClientBreaks) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "e", "1", "PX", "400"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  AdvanceTime(600);
  EXPECT_THAT(*RunAs(b, {"GET", "e"}), IsNil());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, ExpiredAndReclaimedByActiveExpiryBreaks) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "e", "1", "PX", "400"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  AdvanceTime(600);
  keyspace_.set_now_ms(NowMs());
  keyspace_.ActiveExpireCycle(1'000'000, 1);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, RewatchAfterExpiryStillBroken) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "e", "1", "PX", "400"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  AdvanceTime(600);
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, AlreadyExpiredAtWatch) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "e", "1", "PX", "100"}), IsOk());
  AdvanceTime(300);
  EXPECT_THAT(Run({"WATCH", "e"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
  // Deleted by a read afterwards: no logical change.
  EXPECT_THAT(*RunAs(b, {"SET", "e2", "1", "PX", "100"}), IsOk());
  AdvanceTime(300);
  EXPECT_THAT(Run({"WATCH", "e2"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"GET", "e2"}), IsNil());
  EXPECT_EQ(TryExec(), kRan);
  // Written afterwards: broken.
  EXPECT_THAT(*RunAs(b, {"SET", "e3", "1", "PX", "100"}), IsOk());
  AdvanceTime(300);
  EXPECT_THAT(Run({"WATCH", "e3"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "e3", "2"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, FlushAllBreaksExistingKeysOnly) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"WATCH", "nx"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"FLUSHALL"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);

  EXPECT_THAT(*RunAs(b, {"SET", "ex", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "ex"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"FLUSHALL"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, FlushDbBreaksOnlyItsDatabase) {
  FakeClient& b = NewClient();
  EXPECT_THAT(*RunAs(b, {"SET", "ex", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "ex"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SELECT", "1"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"FLUSHDB"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SELECT", "0"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);

  EXPECT_THAT(Run({"WATCH", "ex"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"FLUSHDB"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, SwapDb) {
  FakeClient& b = NewClient();
  // Key only in the other database: it appears, the watch breaks.
  EXPECT_THAT(*RunAs(b, {"SELECT", "1"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SET", "sw", "1"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SELECT", "0"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "sw"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SWAPDB", "0", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
  EXPECT_THAT(*RunAs(b, {"FLUSHALL"}), IsOk());
  // In neither: nothing changed.
  EXPECT_THAT(Run({"WATCH", "sw"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SWAPDB", "0", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
  // Unrelated databases swapped.
  EXPECT_THAT(*RunAs(b, {"SET", "sw", "1"}), IsOk());
  EXPECT_THAT(Run({"WATCH", "sw"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SWAPDB", "2", "3"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
  // Key in the watched database: it goes away.
  EXPECT_THAT(Run({"WATCH", "sw"}), IsOk());
  EXPECT_THAT(*RunAs(b, {"SWAPDB", "0", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kAborted);
}

TEST_F(WatchTest, ManyClientsOneKey) {
  FakeClient& a = NewClient();
  FakeClient& b = NewClient();
  FakeClient& w = NewClient();
  EXPECT_EQ(RawAs(a, {"WATCH", "k"}), "+OK\r\n");
  EXPECT_EQ(RawAs(b, {"WATCH", "k", "other"}), "+OK\r\n");
  EXPECT_EQ(dispatcher_.transactions().watching_clients(), 2u);
  EXPECT_EQ(RawAs(w, {"SET", "k", "v"}), "+OK\r\n");
  EXPECT_TRUE(a.session().watch_broken);
  EXPECT_TRUE(b.session().watch_broken);
  EXPECT_EQ(dispatcher_.transactions().watched_keys(), 0u);  // broken clients are unwatched
  EXPECT_EQ(RawAs(a, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(RawAs(a, {"EXEC"}), "*-1\r\n");
  EXPECT_FALSE(a.session().watch_broken);
}

TEST_F(WatchTest, DisconnectForgetsWatches) {
  FakeClient& a = NewClient();
  EXPECT_EQ(RawAs(a, {"WATCH", "k1", "k2"}), "+OK\r\n");
  EXPECT_EQ(RawAs(a, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(RawAs(a, {"SET", "k1", "v"}), "+QUEUED\r\n");
  Disconnect(a);
  EXPECT_EQ(dispatcher_.transactions().watched_keys(), 0u);
  EXPECT_EQ(dispatcher_.transactions().watching_clients(), 0u);
  EXPECT_FALSE(a.session().in_multi);
  EXPECT_TRUE(a.session().queued.empty());
  EXPECT_THAT(Run({"SET", "k1", "x"}), IsOk());  // no dangling watcher to touch
}

TEST_F(WatchTest, ResetForgetsWatches) {
  FakeClient& b = NewClient();
  EXPECT_THAT(Run({"WATCH", "k"}), IsOk());
  EXPECT_EQ(Raw({"RESET"}), "+RESET\r\n");
  EXPECT_THAT(*RunAs(b, {"SET", "k", "1"}), IsOk());
  EXPECT_EQ(TryExec(), kRan);
}

TEST_F(WatchTest, HostileArguments) {
  EXPECT_EQ(Raw({"WATCH"}), "-ERR wrong number of arguments for 'watch' command\r\n");
  EXPECT_EQ(Raw({"UNWATCH", "x"}), "-ERR wrong number of arguments for 'unwatch' command\r\n");
  EXPECT_EQ(Raw({"MULTI", "x"}), "-ERR wrong number of arguments for 'multi' command\r\n");
  // The same key many times, binary and empty keys.
  EXPECT_THAT(Run({"WATCH", "a", "a", "a", std::string_view("\0\r\n", 3)}), IsOk());
  EXPECT_EQ(dispatcher_.transactions().watched_keys(), 2u);
  EXPECT_EQ(TryExec(), kRan);
}

}  // namespace
}  // namespace gannet
