// What a command may see and change of the client that sent it. The server's
// Connection implements it; the in-process test harness has its own. New methods get
// a default body so that every implementation keeps compiling.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gannet/commands/client_session.h"
#include "gannet/protocol/reply_builder.h"
#include "gannet/protocol/shared_frame.h"

namespace gannet {

enum class ReplyMode : uint8_t { kOn, kOff, kSkip };

class ClientView {
 public:
  virtual ~ClientView() = default;

  virtual uint64_t id() const = 0;
  virtual std::string_view name() const = 0;
  virtual void set_name(std::string_view name) = 0;
  virtual RespVersion resp_version() const = 0;
  virtual void set_resp_version(RespVersion v) = 0;
  virtual int db_index() const = 0;
  virtual void set_db_index(int db) = 0;

  // AUTH state: authenticated() is true when no password is required or after AUTH.
  virtual bool authenticated() const = 0;
  virtual void set_authenticated(bool yes, std::string_view user) = 0;
  virtual std::string_view user() const { return "default"; }

  // CLIENT SETINFO lib-name / lib-ver.
  virtual void set_lib_name(std::string_view) {}
  virtual void set_lib_ver(std::string_view) {}

  // CLIENT REPLY ON|OFF|SKIP.
  virtual ReplyMode reply_mode() const { return ReplyMode::kOn; }
  virtual void set_reply_mode(ReplyMode) {}

  // The CLIENT LIST / CLIENT INFO line for this client (no trailing newline).
  virtual std::string InfoLine() const = 0;

  // QUIT: send the pending reply, then close.
  virtual void CloseAfterReply() = 0;
  // RESET: back to the state of a fresh connection (db 0, RESP2, no name, reply on,
  // unauthenticated if a password is set).
  virtual void Reset() = 0;

  // Blocking commands (src/commands/blocking.h). deferred_reply(): where a reply produced
  // outside this client's own command goes (a blocked command's re-run or its timeout);
  // nullptr (the default) means the client cannot block, so blocking commands answer at
  // once as on timeout. set_blocked(true) when the client starts waiting: it must execute
  // no further (pipelined) command. set_blocked(false) when it stops waiting: any reply is
  // already in deferred_reply(); send it and resume, from the event loop, not inside the call.
  virtual ReplyBuilder* deferred_reply() { return nullptr; }
  virtual void set_blocked(bool) {}

  // Out-of-band output: pub/sub messages, invalidations, MONITOR lines. push_reply() is the
  // builder that appends to this client's pending output (nullptr: the client takes no
  // pushes); after writing one or more frames call PushDone(), which sends them from the
  // event loop and applies the output-buffer limits (a subscriber that does not read is
  // disconnected at its class's limit; the publisher is never slowed down).
  virtual ReplyBuilder* push_reply() { return nullptr; }
  virtual void PushDone() {}
  // A frame many clients receive (a published message), encoded for this client's
  // protocol: queued by reference where the client can (the server's connections), else
  // its bytes are appended through push_reply(). False: the client takes no pushes. Call
  // PushDone() after it as after any push.
  virtual bool PushShared(const SharedFrameRef& frame) {
    ReplyBuilder* rb = push_reply();
    if (rb == nullptr) return false;
    rb->SendRaw(frame->bytes());
    return true;
  }

  // The peer as CLIENT LIST's addr shows it ("ip:port", "path:0" for a unix socket) and
  // whether it came over the unix socket (MONITOR shows those as "unix:path").
  virtual std::string_view peer_addr() const { return ""; }
  virtual bool is_unix_socket() const { return false; }

  // The state the commands module keeps per client (client_session.h).
  ClientSession& session() { return session_; }
  const ClientSession& session() const { return session_; }

 private:
  ClientSession session_;
};

}  // namespace gannet
