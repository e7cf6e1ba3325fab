// floor_server: the cheapest RESP responder an epoll server can be, to measure the floor
// that issue 2's CPU targets are set against. It keeps no keyspace: PING answers +PONG, GET
// answers a null bulk, CONFIG an empty array, every other command +OK. Its loop is Redis's:
// epoll_wait, read each readable client and parse what arrived, then write every reply of
// the turn before the next epoll_wait.
//
//   build/release/bench/floor_server --port 7000
//   FLOOR_BURN_NS=1500 python3 bench/side_by_side.py --gannet build/release/bench/floor_server
//
// FLOOR_BURN_NS=N (environment, so that side_by_side.py passes it through) spins N
// nanoseconds per command, to make it as costly per request as another server and see what
// that alone changes. It ignores every option but --port. A benchmark tool only: multibulk requests
// only, no limits, and a reply that does not fit the socket buffer blocks the loop until it
// does.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Client {
  std::string in;   // bytes read and not yet parsed (a command split across reads)
  std::string out;  // replies of this turn
};

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Reads a "<prefix><integer>\r\n" line at `pos` and moves past it; -1 when incomplete.
long ReadLine(const std::string& in, size_t& pos, char prefix) {
  const size_t end = in.find("\r\n", pos);
  if (end == std::string::npos || in[pos] != prefix) return -1;
  const long value = std::strtol(in.c_str() + pos + 1, nullptr, 10);
  pos = end + 2;
  return value;
}

const char* ReplyTo(std::string_view name) {
  if (IEquals(name, "PING")) return "+PONG\r\n";
  if (IEquals(name, "GET")) return "$-1\r\n";
  if (IEquals(name, "CONFIG")) return "*0\r\n";
  return "+OK\r\n";
}

void Burn(long ns) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
  while (std::chrono::steady_clock::now() < until) {
  }
}

// Answers every complete multibulk command in c.in; keeps an incomplete tail.
void Parse(Client& c, long burn_ns) {
  size_t done = 0;
  while (done < c.in.size()) {
    size_t pos = done;
    const long argc = ReadLine(c.in, pos, '*');
    if (argc < 1) break;
    std::string_view name;
    long i = 0;
    for (; i < argc; i++) {
      const long len = ReadLine(c.in, pos, '$');
      if (len < 0 || pos + static_cast<size_t>(len) + 2 > c.in.size()) break;
      if (i == 0) name = std::string_view(c.in).substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len) + 2;
    }
    if (i < argc) break;  // the command is not all here yet
    if (burn_ns > 0) Burn(burn_ns);
    c.out += ReplyTo(name);
    done = pos;
  }
  c.in.erase(0, done);
}

void WriteAll(int fd, Client& c) {
  size_t sent = 0;
  while (sent < c.out.size()) {
    const ssize_t n = ::send(fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the peer went away: the read that follows closes it
    sent += static_cast<size_t>(n);
  }
  c.out.clear();
}

}  // namespace

int main(int argc, char** argv) {
  int port = 6379;
  for (int i = 1; i + 1 < argc; i++) {
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);
  }
  const char* burn = std::getenv("FLOOR_BURN_NS");
  const long burn_ns = burn != nullptr ? std::atol(burn) : 0;
  std::signal(SIGPIPE, SIG_IGN);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 511) != 0) {
    std::perror("floor_server: bind/listen");
    return 1;
  }
  const int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);

  std::unordered_map<int, std::unique_ptr<Client>> clients;
  std::vector<int> replied;
  epoll_event events[128];
  char buf[16384];
  for (;;) {
    const int n = ::epoll_wait(ep, events, 128, -1);
    for (int i = 0; i < n; i++) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = ::accept4(listener, nullptr, nullptr, 0)) >= 0) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          clients[c] = std::make_unique<Client>();
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      const ssize_t r = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        clients.erase(fd);
        continue;
      }
      Client& c = *clients[fd];
      c.in.append(buf, static_cast<size_t>(r));
      Parse(c, burn_ns);
      if (!c.out.empty()) replied.push_back(fd);
    }
    for (int fd : replied) WriteAll(fd, *clients[fd]);
    replied.clear();
  }
}
