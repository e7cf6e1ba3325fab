// Connection: the read → parse → execute → write loop for one client (see connection.h).
#include "connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/detail/reactor.hpp>
#include <asio/detail/reactor_op.hpp>
#include <asio/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "gannet/commands/acl.h"
#include "gannet/commands/introspection.h"
#include "gannet/engine/pubsub.h"
#include "gannet/server/server.h"
#include "tls_context.h"

namespace gannet {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
// Before AUTH a client's unparsed input may not exceed this (CVE-2021-32675).
constexpr size_t kUnauthQueryLimit = 1024 * 1024;
// Before AUTH pending output is capped too (CVE-2025-21605).
constexpr size_t kUnauthOutputLimit = 1024 * 1024;
// A TLS client must finish its handshake within this, or it is disconnected: a peer that
// connects and sends nothing (or stalls mid-handshake) cannot hold a connection forever.
constexpr std::chrono::seconds kTlsHandshakeTimeout{10};
// A server-side close of a TLS client sends close_notify first; a peer that does not take
// it (not reading, gone) cannot hold the socket open longer than this.
constexpr std::chrono::milliseconds kTlsShutdownTimeout{500};
// What OpenSSL and asio's TLS engine hold per connection besides our buffers (record
// buffers, the BIO pair, the SSL object): an estimate, counted in a TLS client's memory.
constexpr size_t kTlsStateMemory = 64 * 1024;
// The memory counted for each subscription (channel or pattern) and WATCHed key besides
// its name: the entries of the maps that hold it.
constexpr size_t kPerEntryMemory = 64;

}  // namespace

// A TLS client's OpenSSL state: the stream reads and writes through socket_ (which the
// Connection keeps owning and closing), the context it was created from stays referenced
// for the stream's life, and `inflight` holds the bytes of the async_write in progress.
struct Connection::TlsState {
  TlsState(Socket& socket, std::shared_ptr<asio::ssl::context> c)
      : ctx(std::move(c)),
        stream(socket, *ctx),
        handshake_timer(socket.get_executor()),
        shutdown_timer(socket.get_executor()) {}
  std::shared_ptr<asio::ssl::context> ctx;
  asio::ssl::stream<Socket&> stream;
  asio::steady_timer handshake_timer;
  asio::steady_timer shutdown_timer;  // bounds the close_notify exchange
  std::string inflight;
  bool ready = false;  // the handshake completed
};

Connection::Connection(Server& server, Socket socket, std::string addr, std::string laddr,
                       bool unix, std::shared_ptr<asio::ssl::context> tls)
    : server_(server),
      socket_(std::move(socket)),
      id_(server.NextClientId()),
      addr_(std::move(addr)),
      laddr_(std::move(laddr)),
      unix_(unix),
      fd_(socket_.native_handle()),
      reply_(out_.buffer()),
      authenticated_(false) {
  created_ms_ = last_interaction_ms_ = server_.cached_now_ms();
  mem_node_.owner = this;
  if (tls != nullptr) {
    tls_ = std::make_unique<TlsState>(socket_, std::move(tls));
    // tls-auth-clients as it is when the client arrives, as Redis.
    tls_->stream.set_verify_mode(TlsVerifyMode(server_.config()));
  }
}

Connection::~Connection() = default;

void Connection::Start() {
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  if (!unix_) {
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int idle = server_.config().tcp_keepalive;
    if (idle > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
      setsockopt(fd_, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
      int intvl = std::max(1, idle / 3);
      setsockopt(fd_, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
      int cnt = 3;
      setsockopt(fd_, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    }
  }
  rcap_ = kReadChunk;
  rbuf_ = std::make_unique<char[]>(rcap_);
  if (server_.client_eviction_on()) RefreshMemory();
  if (tls_ != nullptr) {
    StartTls();
    return;
  }
  WaitRead();
}

void Connection::StartTls() {
  tls_->handshake_timer.expires_after(kTlsHandshakeTimeout);
  tls_->handshake_timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->closed_ || self->tls_->ready) return;
    self->server_.log().warn("Error accepting a client connection: TLS handshake timed out");
    self->Close();
  });
  tls_->stream.async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this()](const asio::error_code& ec) { self->OnHandshake(ec); });
}

void Connection::OnHandshake(const asio::error_code& ec) {
  if (closed_) return;  // killed, timed out or shut down meanwhile
  tls_->handshake_timer.cancel();
  if (ec) {
    // A plain RESP client, a client without an acceptable certificate or protocol
    // version: OpenSSL already sent its alert. Redis 7.0 logs this at warning level.
    server_.log().warn("Error accepting a client connection: {}", TlsErrorText(ec));
    Close();
    return;
  }
  tls_->ready = true;
  last_interaction_ms_ = server_.cached_now_ms();
  WaitRead();
}

// The read of a plain (TCP or unix) socket, queued on asio's reactor directly.
//
// asio's async_read_some starts with a speculative recv() whenever the reactor saw the
// socket readable since its last EAGAIN, i.e. always: after a reply is written at -P1
// that recv fails with EAGAIN (the client has not seen the reply yet), one wasted system
// call per request that Redis, which reads only when epoll says so, does not make. And
// async_wait(wait_read) instead costs an epoll_ctl per wait. This op is queued the way
// async_read_some queues its own, but tells the reactor when a recv drained the socket:
// a recv that returned less than it asked for (the receive queue was empty when it
// returned) reports done_and_exhausted, which clears the reactor's per-descriptor
// "try a speculative read" flag. The reactor sets that flag again for every epoll event
// on the socket (even one that arrives while no read is queued: edges are never lost), so
// the next read tries recv at once exactly when epoll reported data since the drain, and
// otherwise queues and waits for the edge. This holds however the loop orders the work in
// between: a read re-armed at once after a -P1 reply, or only after the replies deferred
// to the end of the loop's turn (pipelined batches, the AOF: Server::DeferReplies), when
// a non-blocking epoll_wait may have run between the drain and the re-arm.
//
// One case has no edge to wait for: the peer's FIN or RST (shutdown or close after its
// last command) that arrived together with the data, before the recv. The recv returns the
// data short and stops there; the end of stream (or the error) is then pending with its
// edge already reported. So a short read leaves eof_unchecked_ set, and the cron looks (a MSG_PEEK
// recv) at connections that have read nothing since its previous tick with it still set
// (CheckPeerClosed): an end of stream closes the client, as the next read would have. A
// busy connection is never looked at (a peer that sent more cannot have shut down before
// it), an idle one once, so this costs nothing per request; a half-closed client is
// closed within two cron ticks rather than at once.
//
// Relies on asio's reactor interface (reactor_op and its done_and_exhausted status,
// reactor::start_op and the socket's per-descriptor data), stable across asio 1.1x;
// kPlainReadOp falls back to async_read_some where asio has no epoll reactor.
#if defined(ASIO_HAS_EPOLL) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT) && \
    !defined(ASIO_ENABLE_HANDLER_TRACKING)
constexpr bool kPlainReadOp = true;

struct Connection::PlainReadOp : asio::detail::reactor_op {
  PlainReadOp() : reactor_op(asio::error_code(), &Perform, &Complete) {}

  std::shared_ptr<Connection> owner;  // set while queued
  int fd = -1;
  char* data = nullptr;
  size_t size = 0;

  static status Perform(asio::detail::reactor_op* base) {
    auto* op = static_cast<PlainReadOp*>(base);
    for (;;) {
      const ssize_t n = ::recv(op->fd, op->data, op->size, MSG_DONTWAIT);
      if (n > 0) {
        op->ec_ = asio::error_code();
        op->bytes_transferred_ = static_cast<size_t>(n);
        // Short: the socket is empty now; the next read waits for epoll's next edge.
        return static_cast<size_t>(n) < op->size ? done_and_exhausted : done;
      }
      op->bytes_transferred_ = 0;
      if (n == 0) {
        op->ec_ = asio::error::eof;
        return done_and_exhausted;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
      op->ec_ = asio::error_code(errno, asio::error::get_system_category());
      return done;
    }
  }

  // owner == nullptr: the io_context is being destroyed with the op queued; only the
  // reference to the connection is dropped (which may free this op: nothing touches it
  // after the move).
  static void Complete(void* owner, asio::detail::scheduler_operation* base,
                       const asio::error_code&, size_t) {
    auto* op = static_cast<PlainReadOp*>(base);
    std::shared_ptr<Connection> self = std::move(op->owner);
    if (owner == nullptr) return;
    const asio::error_code ec = op->ec_;
    const size_t n = op->bytes_transferred_;
    self->reading_ = false;
    self->reads_since_check_++;
    self->eof_unchecked_ = !ec && n < op->size;
    self->OnRead(ec, n);
  }
};

namespace {
// The socket's implementation (descriptor and reactor data), protected in basic_socket.
struct SocketAccess : Connection::Socket {
  static auto& Impl(Connection::Socket& s) {
    return (s.*(&SocketAccess::impl_)).get_implementation();
  }
};
}  // namespace

void Connection::StartPlainRead(char* data, size_t size) {
  if (read_op_ == nullptr) {
    read_op_ = std::make_unique<PlainReadOp>();
    reactor_ = &asio::use_service<asio::detail::reactor>(server_.io());
  }
  PlainReadOp& op = *read_op_;
  auto& impl = SocketAccess::Impl(socket_);
  op.owner = shared_from_this();
  op.fd = impl.socket_;
  op.data = data;
  op.size = size;
  op.ec_ = asio::error_code();
  op.bytes_transferred_ = 0;
  op.cancellation_key_ = nullptr;
  reactor_->start_op(asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, &op,
                     /*is_continuation=*/false, /*allow_speculative=*/true);
}
#else
constexpr bool kPlainReadOp = false;
struct Connection::PlainReadOp {};
void Connection::StartPlainRead(char*, size_t) {}
#endif

void Connection::CheckPeerClosed() {
  const uint32_t reads = reads_since_check_;
  reads_since_check_ = 0;
  if (!kPlainReadOp || !eof_unchecked_ || reads != 0 || !reading_ || closed_) return;
  eof_unchecked_ = false;
  char byte;
  const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // The end of stream, or a reset that came with the data (the peek took the error), which
  // the read queued on the reactor would never be told about: close, as that read would
  // have. Data, or nothing yet: epoll reports what comes after the short read.
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) Close();
}

void Connection::WaitRead() {
  if (reading_ || closed_) return;
  PrepareReadBuffer();
  reading_ = true;
  // A read never takes the unparsed bytes past the query buffer limit by more than one
  // chunk, so pipelined small commands are not mistaken for one oversized request (Redis
  // reads 16 KB at a time for the same effect); OnRead closes a client over the limit.
  size_t room = rcap_ - wpos_;
  const size_t limit = QueryBufferLimit();
  const size_t unparsed = wpos_ - rpos_;
  room = std::min(room, std::max(kReadChunk, limit > unparsed ? limit - unparsed : 0));
  if (tls_ == nullptr && kPlainReadOp) [[likely]] {
    StartPlainRead(rbuf_.get() + wpos_, room);
    return;
  }
  auto done = [self = shared_from_this()](const asio::error_code& ec, size_t n) {
    self->reading_ = false;
    self->OnRead(ec, n);
  };
  auto buf = asio::buffer(rbuf_.get() + wpos_, room);
  if (tls_ == nullptr) {
    socket_.async_read_some(buf, std::move(done));
  } else {
    tls_->stream.async_read_some(buf, std::move(done));
  }
}

// Makes room for the next read. Only called with no read outstanding.
void Connection::PrepareReadBuffer() {
  if (rpos_ == wpos_) rpos_ = wpos_ = 0;
  if (shrink_pending_) {
    shrink_pending_ = false;
    if (rpos_ == wpos_ && rcap_ > kReadChunk) {
      rbuf_ = std::make_unique<char[]>(kReadChunk);
      rcap_ = kReadChunk;
      parser_.Reset();
    }
  }
  if (rcap_ - wpos_ >= kReadChunk / 2) return;
  // Compact (rpos_ is always a command start) and grow.
  if (rpos_ > 0) {
    std::memmove(rbuf_.get(), rbuf_.get() + rpos_, wpos_ - rpos_);
    wpos_ -= rpos_;
    rpos_ = 0;
  }
  if (rcap_ - wpos_ < kReadChunk / 2) {
    size_t ncap = rcap_ * 2;
    auto nbuf = std::make_unique<char[]>(ncap);
    std::memcpy(nbuf.get(), rbuf_.get(), wpos_);
    rbuf_ = std::move(nbuf);
    rcap_ = ncap;
  }
}

bool Connection::authenticated() const {
  // Without AUTH a client is the default user, authenticated when that user needs no
  // password (no requirepass, no ACL password set for it).
  if (authenticated_) return true;
  const AclUser& d = server_.dispatcher().acl().default_user();
  return d.enabled && d.nopass;
}

void Connection::set_authenticated(bool yes, std::string_view user) {
  authenticated_ = yes;
  user_ = user.empty() ? "default" : std::string(user);
  limits_dirty_ = true;
}

void Connection::set_reply_mode(ReplyMode mode) {
  reply_mode_ = mode;
  if (mode == ReplyMode::kOn) {
    skip_next_reply_ = false;
  } else {
    // OFF and SKIP send no reply to themselves either.
    suppress_current_ = true;
    skip_next_reply_ = mode == ReplyMode::kSkip;
    if (mode == ReplyMode::kSkip) reply_mode_ = ReplyMode::kOn;
  }
}

void Connection::Reset() {
  db_ = 0;
  name_.clear();
  reply_.set_version(RespVersion::kResp2);
  reply_mode_ = ReplyMode::kOn;
  skip_next_reply_ = false;
  authenticated_ = false;
  user_ = "default";
  limits_dirty_ = true;
}

void Connection::RefreshLimits() {
  const Config& cfg = server_.config();
  ParserLimits limits;
  limits.max_bulk_len = cfg.proto_max_bulk_len;
  limits.unauthenticated = !authenticated();
  parser_.set_limits(limits);
  limits_dirty_ = false;
  limits_epoch_ = server_.config_epoch();
}

void Connection::OnRead(const asio::error_code& ec, size_t n) {
  if (closed_) return;
  if (ec == asio::error::operation_aborted && shrink_pending_) {
    WaitRead();  // cancelled by ShrinkBuffers: shrink, then read again
    return;
  }
  if (ec || n == 0) {
    Close();
    return;
  }
  wpos_ += n;
  server_.stats().total_net_input_bytes += n;
  server_.stats().total_reads_processed++;
  last_interaction_ms_ = server_.cached_now_ms();
  // Checked before parsing, as Redis does: a request bigger than the limit is refused even
  // when its last byte arrived in the read that crossed the limit.
  if (const size_t unparsed = wpos_ - rpos_; unparsed > QueryBufferLimit()) {
    server_.log().warn(
        "Closing client that reached max query buffer length: id={} addr={} "
        "qbuf={}",
        id_, addr_, unparsed);
    server_.stats().client_query_buffer_limit_disconnections++;
    Close();
    return;
  }
  ProcessInput();
  if (closed_) return;
  Flush();
}

size_t Connection::QueryBufferLimit() const {
  size_t limit = static_cast<size_t>(server_.config().client_query_buffer_limit);
  return authenticated() ? limit : std::min(limit, kUnauthQueryLimit);
}

void Connection::ProcessInput() {
  if (limits_epoch_ != server_.config_epoch()) limits_dirty_ = true;
  batch_commands_ = 0;
  int64_t batch_clock_us = -1;  // Dispatcher::Execute: one clock reading between commands
  while (rpos_ < wpos_ && !close_after_reply_ && !closed_ && !blocked_ && !paused_) {
    if (limits_dirty_) RefreshLimits();
    ParseResult r = parser_.Parse(std::string_view(rbuf_.get() + rpos_, wpos_ - rpos_));
    if (r.status == ParseStatus::kNeedMore) {
      rpos_ += r.consumed;
      break;
    }
    if (r.status == ParseStatus::kError) {
      server_.log().debug("Protocol error ({}) from client: id={} addr={}", parser_.error_text(),
                          id_, addr_);
      reply_.SendError(parser_.error_text());
      CountProtocolError(server_.dispatcher(), reply_.last_error_code());  // errorstats
      close_after_reply_ = true;
      rpos_ = wpos_;
      break;
    }
    // "POST" and "Host:": any other length rules the check out without a call.
    const size_t name_len = parser_.args()[0].size();
    if ((name_len == 4 || name_len == 5) && IsHttpAttack(parser_.args()[0])) return;
    if (MustWaitForPause()) break;  // rpos_ stays: the command is parsed again on resume
    ExecuteOne(&batch_clock_us);
    ++batch_commands_;
    rpos_ += r.consumed;
  }
  // Rewind an empty buffer, unless a read into rbuf_ + wpos_ is outstanding.
  if (rpos_ == wpos_ && !reading_) rpos_ = wpos_ = 0;
}

bool Connection::IsHttpAttack(std::string_view name) {
  auto equals_nocase = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  };
  if (!equals_nocase(name, "post") && !equals_nocase(name, "host:")) return false;
  // An HTTP request sent to us (e.g. by a browser tricked into it): no reply, close, and
  // warn at most once a minute, as Redis does.
  const int64_t now = server_.cached_now_ms();
  if (now - server_.last_http_warning_ms() >= 60'000) {
    server_.set_last_http_warning_ms(now);
    server_.log().warn(
        "Possible SECURITY ATTACK detected: a client sent POST or Host: as a command, "
        "which is what an HTTP request looks like (cross protocol scripting). Connection "
        "closed: id={} addr={}",
        id_, addr_);
  }
  rpos_ = wpos_;
  Close();
  return true;
}

bool Connection::MustWaitForPause() {
  Introspection& in = server_.dispatcher().introspection();
  if (in.pause_end_ms() == 0) return false;  // the usual case: one load and compare
  const int64_t now = server_.clock().NowMs();
  if (now >= in.pause_end_ms()) {
    in.Unpause();  // the pause is over: also wakes the clients that waited
    return false;
  }
  const auto& args = parser_.args();
  const CommandTable& table = server_.dispatcher().table();
  const CommandSpec* spec = table.Find(args[0]);
  if (spec == nullptr) return false;  // unknown commands fail at once
  if (spec->is_container() && args.size() >= 2) {
    if (const CommandSpec* sub = table.FindSub(*spec, args[1])) spec = sub;
  }
  if (!in.MustWait(*spec, *this, now)) return false;
  paused_ = true;
  if (!pause_timer_) pause_timer_ = std::make_unique<asio::steady_timer>(server_.io());
  pause_timer_->expires_after(std::chrono::milliseconds(in.pause_end_ms() - now));
  pause_timer_->async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (!ec) self->ResumeAfterPause();
  });
  return true;
}

void Connection::ResumeAfterPause() {
  if (!paused_ || closed_) return;
  paused_ = false;
  if (pause_timer_) pause_timer_->cancel();
  ProcessInput();  // may wait again when the pause was extended
  if (closed_) return;
  Flush();
}

void Connection::ExecuteOne(int64_t* batch_clock_us) {
  const auto& args = parser_.args();
  bool skip = skip_next_reply_;
  skip_next_reply_ = false;
  suppress_current_ = false;
  // CLIENT LIST cmd=: keep the raw name (and the subcommand of a container, whose names
  // are 6 or 7 letters long) and lower-case them only when a listing asks.
  // A client mostly repeats its last command: compare before copying.
  if (std::string_view(last_cmd_) != args[0]) last_cmd_.assign(args[0]);
  if (args.size() > 1 && (args[0].size() == 6 || args[0].size() == 7)) {
    last_sub_.assign(args[1].substr(0, 64));
  } else {
    last_sub_.clear();
  }
  const OutputQueue::Mark mark = out_.mark();
  executing_ = true;
  server_.dispatcher().Execute(CmdArgs(args.data(), args.size()), *this, reply_, batch_clock_us);
  executing_ = false;
  const bool suppress = skip || suppress_current_ || reply_mode_ == ReplyMode::kOff;
  if (suppress) out_.TruncateTo(mark);
  if (blocked_) blocked_suppress_ = suppress;
}

ReplyBuilder* Connection::deferred_reply() {
  deferred_mark_ = out_.mark();
  return &reply_;
}

void Connection::set_blocked(bool blocked) {
  if (blocked) {
    blocked_ = true;
    return;
  }
  if (!blocked_) return;
  blocked_ = false;
  if (blocked_suppress_) out_.TruncateTo(deferred_mark_);  // ignores a stale mark
  blocked_suppress_ = false;
  // Called from inside another client's command or the timeout timer: send the reply and
  // run the pipelined commands that waited from the loop, not from here.
  asio::post(server_.io(), [self = shared_from_this()] { self->ResumeAfterUnblock(); });
}

bool Connection::PushShared(const SharedFrameRef& frame) {
  if (closed_) return false;
  out_.PushShared(frame);
  return true;
}

void Connection::PushDone() {
  if (closed_ || CloseIfOverOutputLimit(server_.cached_now_ms())) return;
  if (server_.client_eviction_on()) [[unlikely]]
    TrackMemory();
  // Inside the client's own command the reply is flushed after it anyway; otherwise one
  // posted flush serves every push made before the loop gets to it.
  if (executing_ || push_flush_posted_ || writing_) return;
  push_flush_posted_ = true;
  asio::post(server_.io(), [self = shared_from_this()] {
    self->push_flush_posted_ = false;
    self->Flush();
  });
}

OutputBufferClass Connection::output_class() const {
  const ClientSession& s = session();
  return s.subscriptions + s.shard_subscriptions > 0 ? kObufPubSub : kObufNormal;
}

bool Connection::CloseIfOverOutputLimit(int64_t now_ms) {
  const size_t pending = pending_output();
  const auto& limit = server_.config().client_output_limits[output_class()];
  bool over = (limit.hard > 0 && pending > static_cast<size_t>(limit.hard)) ||
              (!authenticated() && pending > kUnauthOutputLimit);
  if (!over) {
    if (limit.soft <= 0 || pending <= static_cast<size_t>(limit.soft)) {
      soft_limit_since_ms_ = 0;
      return false;
    }
    if (soft_limit_since_ms_ == 0) {
      soft_limit_since_ms_ = now_ms;
      return false;
    }
    over = now_ms - soft_limit_since_ms_ > limit.soft_seconds * 1000;
  }
  if (!over) return false;
  server_.log().warn("Client id={} addr={} closed for overcoming of output buffer limits.", id_,
                     addr_);
  server_.stats().client_output_buffer_limit_disconnections++;
  Close();
  return true;
}

void Connection::ResumeAfterUnblock() {
  if (closed_ || blocked_) return;
  last_interaction_ms_ = server_.cached_now_ms();
  ProcessInput();
  if (closed_) return;
  Flush();
}

void Connection::Flush() {
  if (closed_ || writing_ || replies_deferred_) return;
  // After the commands of a read ran (the read buffer and the replies as they grew) and
  // after each write: one flag test while maxmemory-clients is off.
  if (server_.client_eviction_on()) [[unlikely]]
    TrackMemory();
  // The AOF is written (and fsynced under `always`) before any reply acknowledges what it
  // holds, once for all the connections with replies in this turn of the loop; pipelined
  // batches are written together too (Server::DeferReplies).
  if (server_.DeferReplies(shared_from_this(), batch_commands_ > 1)) {
    replies_deferred_ = true;
    return;
  }
  WriteReplies();
}

void Connection::FlushDeferred() {
  replies_deferred_ = false;
  // The AOF write was just attempted; a failed one (under everysec/no) stays pending and
  // must not hold replies back: they go out as they would have at once.
  if (!closed_ && !writing_) WriteReplies();
}

void Connection::WriteReplies() {
  if (tls_ != nullptr) [[unlikely]] {
    FlushTls();
    return;
  }
  bool drained;
  if (!out_.contiguous()) [[unlikely]] {
    if (!WriteGathered()) return;
    drained = out_.empty();
  } else {
    const std::string& bytes = out_.buffer_bytes();
    while (out_.pos() < bytes.size()) {
      asio::error_code ec;
      size_t n = socket_.write_some(
          asio::buffer(bytes.data() + out_.pos(), bytes.size() - out_.pos()), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        Close();
        return;
      }
      out_.ConsumeContiguous(n);
      server_.stats().total_net_output_bytes += n;
      server_.stats().total_writes_processed++;
    }
    drained = out_.pos() == bytes.size();
  }
  if (drained) return OnOutputDrained();
  // The socket would block: check the output caps, then wait for writability without
  // reading more requests (back-pressure).
  if (CloseIfOverOutputLimit(server_.cached_now_ms())) return;
  writing_ = true;
  socket_.async_wait(Socket::wait_write, [self = shared_from_this()](const asio::error_code& ec) {
    self->writing_ = false;
    self->OnWritable(ec);
  });
}

// Shared frames queued: each sendmsg takes the pending replies and frames in order, up
// to kGatherPieces of them, straight from the frames' memory; a short write leaves the
// queue in the middle of a piece (possibly a frame), where the next one resumes.
bool Connection::WriteGathered() {
  constexpr size_t kGatherPieces = 64;  // under IOV_MAX; more pieces per call gain little
  iovec iov[kGatherPieces];
  while (!out_.empty()) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = out_.Gather(iov, kGatherPieces);
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Close();
      return false;
    }
    out_.Consume(static_cast<size_t>(n));
    server_.stats().total_net_output_bytes += static_cast<size_t>(n);
    server_.stats().total_writes_processed++;
  }
  return true;
}

void Connection::OnOutputDrained() {
  out_.ClearDrained();
  soft_limit_since_ms_ = 0;
  if (close_after_reply_) return Close();
  WaitRead();
}

void Connection::OnWritable(const asio::error_code& ec) {
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  Flush();
}

// The TLS counterpart of Flush (called with no write in flight): everything pending goes
// out in one async_write; OnTlsWritten continues with what accumulated meanwhile, and
// reading resumes only when nothing is left.
void Connection::FlushTls() {
  if (!tls_->ready) {  // no reply exists before the handshake; CLIENT KILL/shutdown may
    if (close_after_reply_) Close();
    return;
  }
  if (out_.empty()) return OnOutputDrained();
  // All of it is pending until the asynchronous write completes, so the output-buffer
  // caps are checked here, on the whole (a plain socket checks what it could not write).
  if (CloseIfOverOutputLimit(server_.cached_now_ms())) return;
  // The bytes must stay put until the write completes while new replies (a blocked
  // client served, pushes) may append meanwhile: swap them into the in-flight buffer (the
  // previous one, now empty, becomes out_'s buffer and keeps its capacity). Shared frames
  // are copied into it instead, so that OpenSSL gets one batch (one SSL_write, records as
  // large as it makes them) rather than a record and a write per frame; a TLS subscriber
  // encrypts its own copy of the payload anyway.
  std::string& inflight = tls_->inflight;
  const size_t start = out_.MoveTo(&inflight);
  tls_inflight_ = inflight.size() - start;
  writing_ = true;
  asio::async_write(tls_->stream, asio::buffer(inflight.data() + start, tls_inflight_),
                    [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                      self->writing_ = false;
                      self->OnTlsWritten(ec, n);
                    });
}

void Connection::OnTlsWritten(const asio::error_code& ec, size_t n) {
  tls_inflight_ = 0;
  tls_->inflight.clear();
  if (closed_) return;
  if (ec) {
    Close();
    return;
  }
  server_.stats().total_net_output_bytes += n;
  server_.stats().total_writes_processed++;
  Flush();  // what accumulated meanwhile, or back to reading (or closing after the reply)
}

void Connection::CloseAfterFlush() {
  close_after_reply_ = true;
  if (!writing_) Flush();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  out_.Clear();  // pending output is dropped; shared frames are released now
  if (pause_timer_) pause_timer_->cancel();
  if (mem_node_.tracked) server_.UntrackClientMemory(mem_node_);
  if (tls_ != nullptr) {
    tls_->handshake_timer.cancel();
    // A TLS session that is up ends with close_notify, unless a write is in flight (its
    // record would be cut: the peer is not reading anyway).
    if (tls_->ready && !writing_) {
      ShutdownTls();
      server_.OnConnectionClosed(*this);
      return;
    }
  }
  asio::error_code ec;
  socket_.cancel(ec);
  socket_.close(ec);
  server_.OnConnectionClosed(*this);
}

void Connection::ShutdownTls() {
  // The pending read ends (its handler sees closed_); asio's TLS stream lets the shutdown
  // wait for it. Then close_notify goes out, and the socket closes when the peer answers
  // with its own, hangs up, or kTlsShutdownTimeout passes (Redis does not wait for the
  // answer either; asio's shutdown has no way to stop after the write, hence the timer).
  asio::error_code ec;
  socket_.cancel(ec);
  server_.TlsShutdownStarted();
  tls_->shutdown_timer.expires_after(kTlsShutdownTimeout);
  tls_->shutdown_timer.async_wait([self = shared_from_this()](const asio::error_code& e) {
    if (e) return;  // the shutdown finished first
    asio::error_code ignored;
    self->socket_.close(ignored);  // fails the shutdown's pending read or write
  });
  tls_->stream.async_shutdown([self = shared_from_this()](const asio::error_code&) {
    self->tls_->shutdown_timer.cancel();
    asio::error_code ignored;
    self->socket_.close(ignored);
    self->server_.TlsShutdownFinished();
  });
}

size_t Connection::BufferMemory() const {
  size_t mem = sizeof(Connection) + rcap_ + out_.memory_charge();
  if (tls_ != nullptr) mem += sizeof(TlsState) + kTlsStateMemory + tls_->inflight.capacity();
  return mem;
}

size_t Connection::SessionMemory() const {
  const ClientSession& ses = session();
  size_t mem = 0;
  for (const auto& cmd : ses.queued) {
    mem += sizeof(cmd) + cmd.size() * sizeof(std::string);
    for (const auto& a : cmd) mem += a.size();
  }
  for (const auto& [db, key] : ses.watched) mem += kPerEntryMemory + key.size();
  mem += (ses.subscriptions + ses.shard_subscriptions) * kPerEntryMemory;
  for (const auto& p : ses.tracking_prefixes) mem += kPerEntryMemory + p.size();
  return mem;
}

size_t Connection::MemoryUsage() const { return BufferMemory() + SessionMemory(); }

void Connection::RefreshMemory() {
  if (closed_) return;
  session_mem_ = SessionMemory();
  queued_counted_ = session().queued.size();
  server_.TrackClientMemory(mem_node_, BufferMemory() + session_mem_, !session().no_evict);
}

void Connection::UntrackMemory() {
  if (mem_node_.tracked) server_.UntrackClientMemory(mem_node_);
}

void Connection::TrackMemory() {
  const ClientSession& ses = session();
  const auto& queued = ses.queued;
  if (queued.size() != queued_counted_) {
    if (queued.size() < queued_counted_) {  // EXEC or DISCARD: count afresh
      session_mem_ = SessionMemory();
    } else {
      for (size_t i = queued_counted_; i < queued.size(); ++i) {
        session_mem_ += sizeof(queued[i]) + queued[i].size() * sizeof(std::string);
        for (const auto& a : queued[i]) session_mem_ += a.size();
      }
    }
    queued_counted_ = queued.size();
  }
  server_.TrackClientMemory(mem_node_, BufferMemory() + session_mem_, !ses.no_evict);
}

void Connection::CheckSoftOutputLimit(int64_t now_ms) {
  if (closed_) return;
  CloseIfOverOutputLimit(now_ms);
}

void Connection::ShrinkBuffers() {
  if (rpos_ == wpos_ && rcap_ > kReadChunk && !blocked_) {
    shrink_pending_ = true;
    if (reading_ && !writing_ && tls_ == nullptr) {
      // The idle read holds rbuf_: cancel it; OnRead shrinks and reads again. (A TLS read
      // is not cancelled, as OpenSSL may be mid-record: it shrinks after its next read.)
      asio::error_code ec;
      socket_.cancel(ec);
    }
  }
  out_.ShrinkIfEmpty(64 * 1024);
  if (tls_ != nullptr && tls_inflight_ == 0 && tls_->inflight.capacity() > 64 * 1024) {
    std::string().swap(tls_->inflight);
  }
}

std::string Connection::LastCommandName() const {
  if (last_cmd_.empty()) return "NULL";
  auto lower = [](std::string_view in) {
    std::string out(in);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string name = lower(last_cmd_);
  if (!last_sub_.empty() &&
      (name == "client" || name == "config" || name == "command" || name == "object")) {
    name += '|';
    name += lower(last_sub_);
  }
  return name;
}

std::string Connection::InfoLine() const {
  int64_t now = server_.clock().NowMs();
  const ClientSession& ses = session();
  size_t qbuf = wpos_ - rpos_;
  size_t omem = pending_output();
  size_t multi_mem = 0;
  for (const auto& cmd : ses.queued) {
    for (const auto& a : cmd) multi_mem += a.size();
  }
  const size_t tot = MemoryUsage();
  // Redis 7.0's letters, in its order.
  std::string flags;
  if (ses.monitor) flags += 'O';
  if (ses.subscriptions + ses.shard_subscriptions > 0) flags += 'P';
  if (ses.in_multi) flags += 'x';
  if (blocked_ || paused_) flags += 'b';
  if (ses.tracking) flags += 't';
  if (ses.in_multi && ses.watch_broken) flags += 'd';
  if (close_after_reply_) flags += 'c';
  if (unix_) flags += 'U';
  if (ses.no_evict) flags += 'e';
  if (ses.no_touch) flags += 'T';
  if (flags.empty()) flags = "N";
  size_t sub = 0, psub = 0, ssub = 0;
  if (ses.subscriptions + ses.shard_subscriptions > 0) {
    PubSub& ps = server_.dispatcher().pubsub();
    auto* handle =
        static_cast<void*>(const_cast<ClientView*>(static_cast<const ClientView*>(this)));
    sub = ps.ChannelsOf(handle).size();
    psub = ps.PatternsOf(handle).size();
    ssub = ps.ShardChannelsOf(handle).size();
  }
  std::string events = writing_ ? "rw" : "r";
  std::string s;
  s.reserve(320);
  s += "id=" + std::to_string(id_);
  s += " addr=" + addr_;
  s += " laddr=" + laddr_;
  s += " fd=" + std::to_string(fd_);
  s += " name=" + name_;
  s += " age=" + std::to_string((now - created_ms_) / 1000);
  s += " idle=" + std::to_string((now - last_interaction_ms_) / 1000);
  s += " flags=" + flags;
  s += " db=" + std::to_string(db_);
  s += " sub=" + std::to_string(sub);
  s += " psub=" + std::to_string(psub);
  s += " ssub=" + std::to_string(ssub);
  s += " multi=" + (ses.in_multi ? std::to_string(ses.queued.size()) : std::string("-1"));
  s += " qbuf=" + std::to_string(qbuf);
  s += " qbuf-free=" + std::to_string(rcap_ - wpos_);
  s += " argv-mem=0";
  s += " multi-mem=" + std::to_string(multi_mem);
  s += " rbs=" + std::to_string(rcap_);
  s += " rbp=" + std::to_string(rcap_);
  s += " obl=0 oll=0";
  s += " omem=" + std::to_string(omem);
  s += " tot-mem=" + std::to_string(tot);
  s += " events=" + events;
  s += " cmd=" + LastCommandName();
  s += " user=" + user_;
  s += " redir=" + (ses.tracking ? std::to_string(ses.tracking_redirect) : std::string("-1"));
  s += " resp=" + std::to_string(static_cast<int>(reply_.version()));  // 7.0's last field
  return s;
}

}  // namespace gannet
