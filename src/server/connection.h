// One client connection. The hot path is synchronous on the loop thread: a read queued on
// asio's reactor into a growable buffer, parse every complete command and execute it
// through the Dispatcher, append each reply to one output string, then write it with a
// non-blocking write_some. (The read is PlainReadOp rather than async_read_some, which
// tries a recv at once that fails with EAGAIN after every -P1 reply, or async_wait, which
// costs an epoll_ctl per wait: see connection.cc. That leaves one read and one write per
// request, as Redis.) Published messages are queued by reference among the replies
// (output_queue.h) and then written with one gather write (sendmsg) per batch. Only when the
// socket would block does it wait for writability, and it stops reading until the output
// drains (back-pressure: a client that does not read its replies cannot make the server
// buffer more than one read's worth of replies).
//
// A client of the TLS port (tls_ set) first completes the server handshake (within
// kTlsHandshakeTimeout), then reads through the asio::ssl::stream over the same socket
// and runs the same parse/execute path. Its writes are asynchronous: a non-blocking
// write_some through OpenSSL is unsafe (the engine may have taken bytes when the socket
// would block), so the pending output moves (swapped, not copied, unless shared frames
// are queued) into an in-flight buffer
// handed to async_write, replies made meanwhile append to out_, and reading resumes only
// once everything went out: the same back-pressure, one write at a time. The plain path
// pays one predictable branch per read and per flush.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "gannet/commands/client_view.h"
#include "gannet/common/config.h"
#include "gannet/protocol/reply_builder.h"
#include "gannet/protocol/resp_parser.h"
#include "gannet/server/client_memory.h"
#include "output_queue.h"

namespace asio::ssl {
class context;
}

namespace gannet {

class Server;

class Connection final : public ClientView, public std::enable_shared_from_this<Connection> {
 public:
  using Socket = asio::generic::stream_protocol::socket;

  // tls: the context of the TLS listener the client came from; nullptr for plain TCP
  // and unix sockets.
  Connection(Server& server, Socket socket, std::string addr, std::string laddr, bool unix,
             std::shared_ptr<asio::ssl::context> tls = nullptr);
  ~Connection() override;

  void Start();
  // Writes the replies held back until this turn's end (Server::DeferReplies).
  void FlushDeferred();
  // Closes now (pending output dropped). Idempotent.
  void Close();
  // Sends what is pending, then closes (CLIENT KILL, shutdown).
  void CloseAfterFlush();

  // ---- ClientView ----
  uint64_t id() const override { return id_; }
  std::string_view name() const override { return name_; }
  void set_name(std::string_view name) override { name_ = name; }
  RespVersion resp_version() const override { return reply_.version(); }
  void set_resp_version(RespVersion v) override { reply_.set_version(v); }
  int db_index() const override { return db_; }
  void set_db_index(int db) override { db_ = db; }
  bool authenticated() const override;
  void set_authenticated(bool yes, std::string_view user) override;
  std::string_view user() const override { return user_; }
  void set_lib_name(std::string_view v) override { lib_name_ = v; }
  void set_lib_ver(std::string_view v) override { lib_ver_ = v; }
  ReplyMode reply_mode() const override { return reply_mode_; }
  void set_reply_mode(ReplyMode mode) override;
  std::string InfoLine() const override;
  void CloseAfterReply() override { close_after_reply_ = true; }
  void Reset() override;
  ReplyBuilder* deferred_reply() override;
  void set_blocked(bool blocked) override;
  ReplyBuilder* push_reply() override { return closed_ ? nullptr : &reply_; }
  // Queues a published message by reference (output_queue.h): no copy of its bytes.
  bool PushShared(const SharedFrameRef& frame) override;
  void PushDone() override;
  std::string_view peer_addr() const override { return addr_; }
  bool is_unix_socket() const override { return unix_; }

  const std::string& addr() const { return addr_; }
  const std::string& laddr() const { return laddr_; }
  int64_t idle_seconds(int64_t now_ms) const { return (now_ms - last_interaction_ms_) / 1000; }
  bool closed() const { return closed_; }
  bool blocked() const { return blocked_; }
  // Waiting for CLIENT PAUSE to end before running its next command.
  bool paused() const { return paused_; }
  int64_t created_ms() const { return created_ms_; }
  size_t pending_input() const { return wpos_ - rpos_; }
  // Includes the bytes of a TLS write still in flight.
  // Shared frames count at full size (output_queue.h says why).
  size_t pending_output() const { return out_.pending() + tls_inflight_; }
  // The read buffer as allocated (CLIENT LIST rbs; INFO mem_clients_normal).
  size_t read_buffer_capacity() const { return rcap_; }
  bool is_tls() const { return tls_ != nullptr; }
  // CLIENT PAUSE ended or was lifted: run the command that waited (from the loop).
  void ResumeAfterPause();
  // Gives back memory of buffers grown by a big request or reply once idle (cron).
  void ShrinkBuffers();
  // Closes a plain-socket client whose peer shut down right after its last request, which
  // no epoll event will report (cron; see PlainReadOp in connection.cc).
  void CheckPeerClosed();
  // Closes the client once its pending output stayed above the normal class's soft limit
  // for soft_seconds (cron; the hard limit is checked when a write would block).
  void CheckSoftOutputLimit(int64_t now_ms);
  // The output-buffer class whose limits apply: pubsub while subscribed, else normal.
  OutputBufferClass output_class() const;
  // What this client holds (CLIENT LIST tot-mem, INFO mem_clients_normal, client
  // eviction): the connection object, its read buffer and output buffers as allocated,
  // TLS buffers, queued MULTI commands, WATCHed keys, subscriptions, tracking prefixes.
  size_t MemoryUsage() const;
  // maxmemory-clients: recounts everything (cron, CONFIG SET) and reports to the server.
  void RefreshMemory();
  // maxmemory-clients turned off: leave the tracker.
  void UntrackMemory();

 private:
  void WaitRead();
  // Queues the read of a plain socket (PlainReadOp, connection.cc).
  void StartPlainRead(char* data, size_t size);
  void PrepareReadBuffer();
  void OnRead(const asio::error_code& ec, size_t n);
  // client-query-buffer-limit, or the smaller unauthenticated limit before AUTH.
  size_t QueryBufferLimit() const;
  // Cross-protocol scripting guard: "POST" or "Host:" as a command closes the client.
  bool IsHttpAttack(std::string_view name);
  // CLIENT PAUSE: true when the parsed command must wait; arms the wake-up timer.
  bool MustWaitForPause();
  void ProcessInput();
  void ExecuteOne(int64_t* batch_clock_us);
  // Sends what out_ holds, after the AOF write that must precede it; WriteReplies is the
  // sending itself (plain socket or TLS).
  void Flush();
  void WriteReplies();
  // WriteReplies with shared frames queued: gather writes (sendmsg) until it would block.
  // Returns false when the connection was closed.
  bool WriteGathered();
  void OnWritable(const asio::error_code& ec);
  // Everything pending was sent: reset the buffer, then close (QUIT, CLIENT KILL) or read on.
  void OnOutputDrained();
  // TLS: handshake with its deadline, then reads; writes one async_write at a time.
  void StartTls();
  void OnHandshake(const asio::error_code& ec);
  void FlushTls();
  void OnTlsWritten(const asio::error_code& ec, size_t n);
  void ResumeAfterUnblock();
  void RefreshLimits();
  // Closes the client (with the log line and the stat) when its pending output is over
  // its class's hard limit, or has stayed over the soft limit for its seconds.
  bool CloseIfOverOutputLimit(int64_t now_ms);
  std::string LastCommandName() const;
  // The buffers part of MemoryUsage (cheap: a few loads).
  size_t BufferMemory() const;
  // The session part of MemoryUsage, counted from scratch.
  size_t SessionMemory() const;
  // maxmemory-clients: reports the memory after it may have changed (after a flush, a
  // push). Cheap: new queued MULTI commands are added to a running count; the rest of the
  // session part is recounted by RefreshMemory from cron.
  void TrackMemory();
  // TLS: sends close_notify (bounded by kTlsShutdownTimeout), then closes the socket.
  void ShutdownTls();

  Server& server_;
  Socket socket_;
  uint64_t id_;
  std::string addr_;
  std::string laddr_;
  bool unix_;
  int fd_;
  struct TlsState;                 // OpenSSL stream over socket_; defined in connection.cc
  std::unique_ptr<TlsState> tls_;  // nullptr: plain TCP or unix socket
  size_t tls_inflight_ = 0;        // bytes of the TLS async_write in progress

  // Read buffer: [rpos_, wpos_) is unparsed; a command in progress starts at rpos_.
  std::unique_ptr<char[]> rbuf_;
  size_t rcap_ = 0;
  size_t rpos_ = 0;
  size_t wpos_ = 0;
  RespParser parser_;

  // Replies (reply_ appends to out_.buffer()) and shared frames, in the order made.
  OutputQueue out_;
  ReplyBuilder reply_;

  std::string name_;
  std::string user_ = "default";
  std::string lib_name_;
  std::string lib_ver_;
  std::string last_cmd_;  // as sent; "" before the first command
  std::string last_sub_;
  int db_ = 0;
  bool authenticated_;
  bool limits_dirty_ = true;
  uint64_t limits_epoch_ = 0;
  ReplyMode reply_mode_ = ReplyMode::kOn;
  bool skip_next_reply_ = false;
  bool suppress_current_ = false;
  // Blocking commands: while blocked_ no further command runs; the reply the unblocking
  // writes starts at deferred_mark_ and is dropped if the blocked command's reply was to
  // be suppressed (CLIENT REPLY OFF/SKIP).
  bool blocked_ = false;
  bool blocked_suppress_ = false;
  OutputQueue::Mark deferred_mark_{0, 0};
  // CLIENT PAUSE: the next command (still unconsumed in rbuf_) waits for the pause to end;
  // the timer wakes the client at the pause's end (it re-checks: a pause may be extended).
  bool paused_ = false;
  std::unique_ptr<asio::steady_timer> pause_timer_;

  // An async_read_some into rbuf_ + wpos_ is outstanding: until it completes rbuf_ must
  // not move and wpos_ must not change.
  bool reading_ = false;
  bool shrink_pending_ = false;  // cron cancelled an idle read to shrink rbuf_
  bool writing_ = false;         // an async_wait(write) is outstanding
  bool executing_ = false;       // inside this client's own command (pushes wait for it)
  bool push_flush_posted_ = false;
  bool close_after_reply_ = false;
  bool replies_deferred_ = false;  // queued for this turn's end (Server::DeferReplies)
  uint32_t batch_commands_ = 0;    // commands the last read ran
  bool closed_ = false;
  int64_t soft_limit_since_ms_ = 0;  // when pending output first exceeded the soft limit
  // maxmemory-clients bookkeeping: the tracker's entry, and the session memory as last
  // counted (queued_counted_ MULTI commands are in it).
  ClientMemoryNode mem_node_;
  size_t session_mem_ = 0;
  size_t queued_counted_ = 0;
  int64_t created_ms_;
  int64_t last_interaction_ms_;

  // Plain sockets: the read op, reused for every read, and its reactor. eof_unchecked_:
  // the last read was short, so the peer's FIN may be pending unannounced (connection.cc);
  // reads_since_check_: reads since the cron's previous CheckPeerClosed.
  struct PlainReadOp;
  std::unique_ptr<PlainReadOp> read_op_;
  asio::detail::reactor* reactor_ = nullptr;
  bool eof_unchecked_ = false;
  uint32_t reads_since_check_ = 0;
};

}  // namespace gannet
