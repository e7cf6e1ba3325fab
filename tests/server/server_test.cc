// An in-process Server on a free loopback port, driven over a real socket: pipelining,
// protocol errors, QUIT, CLIENT REPLY, AUTH and the unauthenticated limits, maxclients,
// the query and output buffer limits, SHUTDOWN.
#include "gannet/server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gannet/server/logging.h"

namespace gannet {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<size_t>(n));
    }
  }
  // Reads until `want` bytes arrived, EOF, or the deadline; eof() tells which.
  std::string Read(size_t want, int timeout_ms = 3000) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (out.size() < want) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) break;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads everything until EOF (or timeout).
  std::string ReadToEof(int timeout_ms = 3000) { return Read(SIZE_MAX, timeout_ms); }
  bool eof() const { return eof_; }
  // Sends an inline command and reads as many bytes as the expected reply has.
  std::string Cmd(std::string_view inline_cmd, std::string_view expected) {
    Send(std::string(inline_cmd) + "\r\n");
    return Read(expected.size());
  }

 private:
  int fd_;
  bool connected_ = false;
  bool eof_ = false;
};

void ExpectReply(Client& c, std::string_view cmd, std::string_view expected) {
  EXPECT_EQ(c.Cmd(cmd, expected), expected) << cmd;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(Config cfg = {}) {
    port_ = FreePort();
    cfg.port = port_;
    cfg.bind = {"127.0.0.1"};
    cfg.loglevel = LogLevel::kWarning;
    server_ = std::make_unique<Server>(cfg, MakeLogger(cfg));
    ASSERT_TRUE(server_->Start());
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      if (thread_.joinable()) thread_.join();
    }
  }
  int port_ = 0;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, PipelinedCommandsAnsweredInOrder) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.connected());
  std::string req;
  std::string want;
  for (int i = 0; i < 200; ++i) {
    req += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(std::to_string(i).size()) + "\r\n" +
           std::to_string(i) + "\r\n";
    want += "$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
  }
  // Byte by byte for the first command, then the rest at once.
  for (size_t i = 0; i < 10; ++i) c.Send(req.substr(i, 1));
  c.Send(req.substr(10));
  EXPECT_EQ(c.Read(want.size()), want);
}

TEST_F(ServerTest, LargeArgumentAcrossManyReads) {
  StartServer();
  Client c(port_);
  std::string value(3 * 1024 * 1024 + 17, 'v');
  c.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value +
         "\r\n");
  EXPECT_EQ(c.Read(5), "+OK\r\n");
  std::string want = "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  EXPECT_EQ(c.Cmd("GET k", want), want);
}

TEST_F(ServerTest, ProtocolErrorRepliesThenCloses) {
  StartServer();
  Client c(port_);
  c.Send("PING\r\n*1\r\n$x\r\nPING\r\n");
  EXPECT_EQ(c.ReadToEof(), "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, QuitRepliesOkThenCloses) {
  StartServer();
  Client c(port_);
  c.Send("QUIT\r\nPING\r\n");
  EXPECT_EQ(c.ReadToEof(), "+OK\r\n");
  EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, ClientReplyOffAndSkip) {
  StartServer();
  Client c(port_);
  c.Send(
      "CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\n"
      "ECHO a\r\nECHO b\r\n");
  EXPECT_EQ(c.Read(100, 500), "+OK\r\n+PONG\r\n$1\r\nb\r\n");
}

TEST_F(ServerTest, AuthAndUnauthenticatedLimits) {
  Config cfg;
  cfg.requirepass = "s3cret";
  StartServer(cfg);
  Client c(port_);
  ExpectReply(c, "GET k", "-NOAUTH Authentication required.\r\n");
  ExpectReply(c, "AUTH nope", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  ExpectReply(c, "AUTH default s3cret", "+OK\r\n");
  ExpectReply(c, "PING", "+PONG\r\n");

  Client u(port_);
  u.Send("*20\r\n");
  EXPECT_EQ(u.ReadToEof(), "-ERR Protocol error: unauthenticated multibulk length\r\n");
}

TEST_F(ServerTest, MaxClientsRejectsWithRedisText) {
  Config cfg;
  cfg.maxclients = 2;
  StartServer(cfg);
  Client a(port_), b(port_);
  ExpectReply(a, "PING", "+PONG\r\n");
  ExpectReply(b, "PING", "+PONG\r\n");
  Client c(port_);
  EXPECT_EQ(c.ReadToEof(), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, QueryBufferLimitCloses) {
  Config cfg;
  cfg.client_query_buffer_limit = 1024 * 1024;
  StartServer(cfg);
  Client c(port_);
  // A bulk that may be 10 MB (proto-max-bulk-len allows it) but the query buffer may not.
  c.Send("*2\r\n$4\r\nECHO\r\n$10000000\r\n");
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 40; ++i) c.Send(chunk);
  EXPECT_EQ(c.ReadToEof(), "");
  EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, OutputLimitClosesClientThatDoesNotRead) {
  Config cfg;
  cfg.client_output_limits[kObufNormal].hard = 1024 * 1024;
  StartServer(cfg);
  Client c(port_);
  std::string value(256 * 1024, 'v');
  c.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value +
         "\r\n");
  EXPECT_EQ(c.Read(5), "+OK\r\n");
  std::string gets;
  for (int i = 0; i < 64; ++i) gets += "GET k\r\n";  // 16 MB of replies for one read
  c.Send(gets);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string got = c.ReadToEof(5000);
  EXPECT_TRUE(c.eof());
  EXPECT_LT(got.size(), 64 * value.size());
}

TEST_F(ServerTest, ProtectedModeAllowsLoopback) {
  StartServer();  // protected-mode yes, no password: loopback still works
  Client c(port_);
  ExpectReply(c, "PING", "+PONG\r\n");
}

TEST_F(ServerTest, ShutdownCommandStopsTheLoop) {
  StartServer();
  Client c(port_);
  c.Send("SHUTDOWN NOSAVE\r\n");
  EXPECT_EQ(c.ReadToEof(), "");
  thread_.join();  // Run() returned
  Client d(port_);
  EXPECT_FALSE(d.connected());
}

TEST_F(ServerTest, ShutdownWhoseSaveFailsKeepsRunning) {
  // The snapshot cannot be written (its directory does not exist): as Redis 7, the
  // server refuses to exit and keeps serving.
  Config cfg;
  cfg.dir = "/nonexistent/gannet-test-dir";
  StartServer(cfg);
  Client c(port_);
  ExpectReply(c, "SHUTDOWN SAVE", "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  ExpectReply(c, "PING", "+PONG\r\n");
}

TEST_F(ServerTest, ConfigSetPortRebinds) {
  StartServer();
  Client c(port_);
  int other = FreePort();
  std::string cmd = "CONFIG SET port " + std::to_string(other);
  ExpectReply(c, cmd, "+OK\r\n");
  Client d(other);
  ASSERT_TRUE(d.connected());
  ExpectReply(d, "PING", "+PONG\r\n");
  Client e(port_);
  EXPECT_FALSE(e.connected());
}

TEST_F(ServerTest, HelloSwitchesToResp3) {
  StartServer();
  Client c(port_);
  c.Send("HELLO 3\r\n");
  std::string r = c.Read(200, 500);
  EXPECT_TRUE(
      r.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                    "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n"))
      << r;
  EXPECT_TRUE(
      r.ends_with("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                  "$7\r\nmodules\r\n*0\r\n"))
      << r;
  ExpectReply(c, "HELLO 4", "-NOPROTO unsupported protocol version\r\n");
  // RESP3 map for CONFIG GET
  ExpectReply(c, "CONFIG GET maxclients", "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
}

TEST_F(ServerTest, ClientListLineAndKill) {
  StartServer();
  Client a(port_), b(port_);
  ExpectReply(a, "CLIENT SETNAME alpha", "+OK\r\n");
  ExpectReply(b, "CLIENT ID", ":2\r\n");
  a.Send("CLIENT LIST\r\n");
  std::string list = a.Read(1000, 500);
  EXPECT_NE(list.find("id=1 addr=127.0.0.1:"), std::string::npos) << list;
  EXPECT_NE(list.find(" name=alpha age="), std::string::npos) << list;
  EXPECT_NE(list.find(" flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf="), std::string::npos);
  EXPECT_NE(list.find(" cmd=client|list user=default redir=-1 resp=2\n"), std::string::npos)
      << list;
  EXPECT_NE(list.find("id=2 "), std::string::npos) << list;
  ExpectReply(a, "CLIENT KILL ID 2", ":1\r\n");
  EXPECT_EQ(b.ReadToEof(1000), "");
  EXPECT_TRUE(b.eof());
  ExpectReply(a, "CLIENT KILL 1.2.3.4:5", "-ERR No such client\r\n");
  ExpectReply(a, "CLIENT SETNAME a\\x20b", "+OK\r\n");
  ExpectReply(a, "CLIENT SETNAME \"a b\"",
              "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
}

TEST_F(ServerTest, InfoAndDbsize) {
  StartServer();
  Client c(port_);
  ExpectReply(c, "SET k v", "+OK\r\n");
  ExpectReply(c, "DBSIZE", ":1\r\n");
  c.Send("INFO keyspace\r\n");
  std::string r = c.Read(60, 500);
  EXPECT_NE(r.find("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"), std::string::npos) << r;
  c.Send("INFO\r\n");
  r = c.Read(100000, 500);
  for (const char* field :
       {"redis_version:7.0.15", "redis_mode:standalone", "tcp_port:", "connected_clients:1",
        "loading:0", "role:master", "total_commands_processed:", "used_cpu_sys:", "used_memory:"}) {
    EXPECT_NE(r.find(field), std::string::npos) << field;
  }
  EXPECT_EQ(r.find("# Commandstats"), std::string::npos);  // not a default section
  ExpectReply(c, "FLUSHALL", "+OK\r\n");
  ExpectReply(c, "DBSIZE", ":0\r\n");
}

TEST_F(ServerTest, IdleClientsClosedByCron) {
  Config cfg;
  cfg.timeout = 1;
  cfg.hz = 100;
  StartServer(cfg);
  Client c(port_);
  ExpectReply(c, "PING", "+PONG\r\n");
  EXPECT_EQ(c.ReadToEof(4000), "");
  EXPECT_TRUE(c.eof());
}

TEST_F(ServerTest, UnixSocketWithPermissionsInPlace) {
  Config cfg;
  std::string path = "/tmp/gannet_test_" + std::to_string(getpid()) + ".sock";
  cfg.unixsocket = path;
  cfg.unixsocketperm = 0700;
  StartServer(cfg);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::send(fd, "PING\r\n", 6, 0), 6);
  char buf[16] = {};
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 3000), 1);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(::recv(fd, buf, sizeof(buf), 0))), "+PONG\r\n");
  close(fd);
  server_->Stop();
  thread_.join();
  EXPECT_NE(access(path.c_str(), F_OK), 0);  // removed at shutdown
}

TEST_F(ServerTest, SoftOutputLimitClosesAfterItsSeconds) {
  Config cfg;
  cfg.client_output_limits[kObufNormal] = {0, 256 * 1024, 1};
  cfg.hz = 100;
  StartServer(cfg);
  Client c(port_);
  std::string value(256 * 1024, 'v');
  c.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + std::to_string(value.size()) + "\r\n" + value +
         "\r\n");
  EXPECT_EQ(c.Read(5), "+OK\r\n");
  std::string gets;
  for (int i = 0; i < 64; ++i) gets += "GET k\r\n";  // far more than the socket buffers hold
  c.Send(gets);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // soft_seconds elapse
  std::string got = c.ReadToEof(5000);
  EXPECT_TRUE(c.eof());
  EXPECT_LT(got.size(), 64 * value.size());
}

}  // namespace
}  // namespace gannet
