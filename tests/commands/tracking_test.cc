// Client-side caching in-process: CLIENT TRACKING modes, the invalidation pushes they
// cause, CLIENT CACHING/GETREDIR/TRACKINGINFO and tracking-table-max-keys. The expected
// bytes were taken from redis-server 7.0.15. (REDIRECT needs real connections: the
// integration test covers it.)
#include "tracking.h"

#include <string>

#include "command_test_base.h"

namespace gannet {
namespace {

std::string Inval(std::initializer_list<std::string_view> keys) {
  std::string s = ">2\r\n$10\r\ninvalidate\r\n*" + std::to_string(keys.size()) + "\r\n";
  for (std::string_view k : keys) {
    s += "$" + std::to_string(k.size()) + "\r\n" + std::string(k) + "\r\n";
  }
  return s;
}
const std::string kInvalNull = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

class TrackingTest : public CommandTest {
 protected:
  TrackingTest() : t_(NewClient()), w_(NewClient()) { t_.resp_ = RespVersion::kResp3; }

  std::string As(FakeClient& c, std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    std::string out;
    ReplyBuilder rb(&out, c.resp_version());
    dispatcher_.Execute(CmdArgs(v.data(), v.size()), c, rb);
    return out;
  }
  std::string TakePushes(FakeClient& c) {
    std::string s;
    s.swap(c.push_out_);
    return s;
  }

  FakeClient& t_;  // the tracking client (RESP3)
  FakeClient& w_;  // a writer
};

TEST_F(TrackingTest, ReadThenChangedByAnother) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"GET", "k"}), "_\r\n");
  EXPECT_EQ(As(w_, {"SET", "k", "1"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"k"}));
  // The key left the table: a second change says nothing until it is read again.
  EXPECT_EQ(As(w_, {"SET", "k", "2"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), "");
  EXPECT_EQ(As(t_, {"MGET", "x", "y"}), "*2\r\n_\r\n_\r\n");
  EXPECT_EQ(As(w_, {"MSET", "x", "1", "y", "2"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"x"}) + Inval({"y"}));
  EXPECT_EQ(TakePushes(w_), "");
}

TEST_F(TrackingTest, OwnWriteAndOtherDatabase) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"GET", "k"}), "_\r\n");
  EXPECT_EQ(As(t_, {"SET", "k", "2"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"k"}));
  // One table for all databases, as Redis.
  EXPECT_EQ(As(t_, {"GET", "k2"}), "_\r\n");
  EXPECT_EQ(As(w_, {"SELECT", "3"}), "+OK\r\n");
  EXPECT_EQ(As(w_, {"SET", "k2", "x"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"k2"}));
}

TEST_F(TrackingTest, ReadsThatCount) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(w_, {"SET", "str", "x"}), "+OK\r\n");
  // Errors, misses and type/existence queries all track their keys.
  EXPECT_THAT(As(t_, {"LRANGE", "str", "0", "1"}), testing::StartsWith("-WRONGTYPE"));
  As(t_, {"EXISTS", "e1"});
  As(t_, {"TYPE", "e2"});
  As(t_, {"ZUNION", "2", "za", "zb"});
  As(t_, {"XREAD", "COUNT", "1", "STREAMS", "xs", "0"});
  EXPECT_EQ(As(w_, {"MSET", "str", "y", "e1", "1", "e2", "2"}), "+OK\r\n");
  As(w_, {"ZADD", "zb", "1", "m"});
  As(w_, {"XADD", "xs", "1-1", "f", "v"});
  EXPECT_EQ(TakePushes(t_),
            Inval({"str"}) + Inval({"e1"}) + Inval({"e2"}) + Inval({"zb"}) + Inval({"xs"}));
  // Writes do not track.
  As(t_, {"SET", "wk", "1"});
  TakePushes(t_);
  As(w_, {"SET", "wk", "2"});
  EXPECT_EQ(TakePushes(t_), "");
}

TEST_F(TrackingTest, InsideTransaction) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"MULTI"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"GET", "m"}), "+QUEUED\r\n");
  EXPECT_EQ(As(t_, {"SET", "m", "1"}), "+QUEUED\r\n");
  EXPECT_EQ(TakePushes(t_), "");
  EXPECT_EQ(As(t_, {"EXEC"}), "*2\r\n_\r\n+OK\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"m"}));
}

TEST_F(TrackingTest, ExpiryInvalidates) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(w_, {"SET", "e", "1", "PX", "100"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"GET", "e"}), "$1\r\n1\r\n");
  AdvanceTime(200);
  EXPECT_EQ(As(w_, {"GET", "e"}), "$-1\r\n");
  EXPECT_EQ(TakePushes(t_), Inval({"e"}));
}

TEST_F(TrackingTest, FlushSendsNullAndSwapDbNothing) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(t_, {"GET", "k"});
  EXPECT_EQ(As(w_, {"SWAPDB", "0", "1"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), "");
  EXPECT_EQ(As(w_, {"FLUSHDB"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), kInvalNull);
  EXPECT_EQ(dispatcher_.tracking().total_keys(), 0u);
  EXPECT_EQ(As(t_, {"FLUSHALL"}), "+OK\r\n");
  EXPECT_EQ(TakePushes(t_), kInvalNull);
}

TEST_F(TrackingTest, OptIn) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "OPTIN"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "NO"}),
            "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "YES"}), "+OK\r\n");
  // Other CLIENT subcommands keep the flag for the next command.
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n"
            "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
  As(t_, {"GET", "o1"});
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\noptin\r\n"
            "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
  As(t_, {"GET", "o2"});
  As(w_, {"MSET", "o1", "1", "o2", "2"});
  EXPECT_EQ(TakePushes(t_), Inval({"o1"}));
  // CACHING YES covers a whole transaction.
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "YES"}), "+OK\r\n");
  As(t_, {"MULTI"});
  As(t_, {"GET", "o4"});
  As(t_, {"GET", "o5"});
  EXPECT_EQ(As(t_, {"EXEC"}), "*2\r\n_\r\n_\r\n");
  As(w_, {"MSET", "o4", "1", "o5", "1"});
  EXPECT_EQ(TakePushes(t_), Inval({"o4"}) + Inval({"o5"}));
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "OPTOUT"}),
            "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
}

TEST_F(TrackingTest, OptOut) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "OPTOUT"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "YES"}),
            "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "NO"}), "+OK\r\n");
  As(t_, {"GET", "p1"});
  As(t_, {"GET", "p2"});
  As(w_, {"MSET", "p1", "1", "p2", "2"});
  EXPECT_EQ(TakePushes(t_), Inval({"p2"}));
}

TEST_F(TrackingTest, NoLoop) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "NOLOOP"}), "+OK\r\n");
  As(t_, {"GET", "n1"});
  As(t_, {"SET", "n1", "x"});
  EXPECT_EQ(TakePushes(t_), "");
  As(t_, {"GET", "n1"});
  As(w_, {"SET", "n1", "y"});
  EXPECT_EQ(TakePushes(t_), Inval({"n1"}));
}

TEST_F(TrackingTest, Broadcast) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u:", "PREFIX", "s:"}),
            "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
            "$8\r\nprefixes\r\n*2\r\n$2\r\ns:\r\n$2\r\nu:\r\n");
  As(w_, {"MSET", "u:2", "1", "u:1", "2", "x", "3", "s:9", "1"});
  EXPECT_EQ(TakePushes(t_), Inval({"s:9"}) + Inval({"u:1", "u:2"}));
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u"}),
            "-ERR Prefix 'u' overlaps with an existing prefix 'u:'. Prefixes for a single "
            "client must not overlap.\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}),
            "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
            "and then re-enabling it with a different mode.\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "v:"}), "+OK\r\n");
  EXPECT_EQ(dispatcher_.tracking().total_prefixes(), 3u);
  As(t_, {"SET", "v:1", "x"});
  EXPECT_EQ(TakePushes(t_), Inval({"v:1"}));
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "OFF"}), "+OK\r\n");
  EXPECT_EQ(dispatcher_.tracking().total_prefixes(), 0u);
  As(w_, {"SET", "v:1", "y"});
  EXPECT_EQ(TakePushes(t_), "");
}

TEST_F(TrackingTest, BroadcastEverythingNoLoop) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n"
            "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*1\r\n$0\r\n\r\n");
  As(t_, {"SET", "z", "1"});
  As(w_, {"SET", "zz", "1"});
  EXPECT_EQ(TakePushes(t_), Inval({"zz"}));
  As(w_, {"FLUSHALL"});
  EXPECT_EQ(TakePushes(t_), kInvalNull);
}

TEST_F(TrackingTest, Resp2WithoutRedirectGetsNothing) {
  FakeClient& c = NewClient();
  EXPECT_EQ(As(c, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(c, {"GET", "w"});
  As(w_, {"SET", "w", "1"});
  EXPECT_EQ(TakePushes(c), "");
  EXPECT_EQ(As(c, {"CLIENT", "TRACKINGINFO"}),
            "*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n"
            "*0\r\n");
}

TEST_F(TrackingTest, OffAndGetRedir) {
  EXPECT_EQ(As(t_, {"CLIENT", "GETREDIR"}), ":-1\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO"}),
            "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n"
            "*0\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "GETREDIR"}), ":0\r\n");
  As(t_, {"GET", "t1"});
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "OFF"}), "+OK\r\n");
  As(w_, {"SET", "t1", "1"});
  EXPECT_EQ(TakePushes(t_), "");
  // A key read before OFF still counts once tracking is back on (Redis keeps the table).
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(t_, {"GET", "t2"});
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "OFF"}), "+OK\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(w_, {"SET", "t2", "1"});
  EXPECT_EQ(TakePushes(t_), Inval({"t2"}));
}

TEST_F(TrackingTest, HostileOptions) {
  const std::string syntax = "-ERR syntax error\r\n";
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "MAYBE"}), syntax);
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "FOO"}), syntax);
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "REDIRECT"}), syntax);
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "PREFIX"}), syntax);
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "PREFIX", "a"}),
            "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"}),
            "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"}),
            "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "REDIRECT", "99999"}),
            "-ERR The client ID you want redirect to does not exist\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "REDIRECT", "abc"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "REDIRECT", "-9223372036854775808"}),
            "-ERR The client ID you want redirect to does not exist\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "abc"}),
            "-ERR Prefix 'ab' overlaps with another provided prefix 'abc'. Prefixes for a "
            "single client must not overlap.\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING", "YES"}),
            "-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "CACHING"}),
            "-ERR wrong number of arguments for 'client|caching' command\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING"}),
            "-ERR wrong number of arguments for 'client|tracking' command\r\n");
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKINGINFO", "x"}),
            "-ERR wrong number of arguments for 'client|trackinginfo' command\r\n");
  EXPECT_FALSE(t_.session().tracking);
  EXPECT_EQ(dispatcher_.tracking().tracking_clients(), 0u);
}

TEST_F(TrackingTest, TableLimit) {
  server_.config_.tracking_table_max_keys = 3;
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(t_, {"MGET", "a", "b", "c", "d", "e"});
  EXPECT_EQ(dispatcher_.tracking().total_keys(), 5u);
  // The next command brings the table back under the limit, invalidating early.
  As(t_, {"PING"});
  EXPECT_EQ(dispatcher_.tracking().total_keys(), 3u);
  std::string bytes = TakePushes(t_);
  EXPECT_EQ(std::count(bytes.begin(), bytes.end(), '>'), 2);
}

TEST_F(TrackingTest, DisconnectAndResetForget) {
  EXPECT_EQ(As(t_, {"CLIENT", "TRACKING", "ON", "BCAST"}), "+OK\r\n");
  FakeClient& c = NewClient();
  c.resp_ = RespVersion::kResp3;
  EXPECT_EQ(As(c, {"CLIENT", "TRACKING", "ON"}), "+OK\r\n");
  As(c, {"GET", "k"});
  EXPECT_EQ(dispatcher_.tracking().tracking_clients(), 2u);
  Disconnect(c);
  EXPECT_EQ(As(t_, {"RESET"}), "+RESET\r\n");
  EXPECT_EQ(dispatcher_.tracking().tracking_clients(), 0u);
  EXPECT_EQ(dispatcher_.tracking().total_prefixes(), 0u);
  As(w_, {"SET", "k", "1"});
  EXPECT_EQ(TakePushes(c), "");
  EXPECT_EQ(TakePushes(t_), "");
}

}  // namespace
}  // namespace gannet
