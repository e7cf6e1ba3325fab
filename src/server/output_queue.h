// A connection's pending output: the bytes of its replies, appended by a ReplyBuilder to
// one growable string as before, interleaved with shared frames (shared_frame.h: published
// messages) that are queued by reference instead of copied. Each shared frame remembers
// the offset of the string it follows, so the stream sent is exactly the order in which
// replies and pushes were made:
//
//   buffer: [ reply A | reply B | invalidation | reply C ]
//   frames:            ^ F1 (at 2 replies)      ^ F2, F3 (at the end)
//   sent:   A B F1 invalidation C F2 F3
//
// The usual case (no frame queued) is the old contiguous string: a reply costs an append,
// a write one send() of [pos, size). With frames queued, Gather() lists the pending pieces
// for one sendmsg() and Consume() advances over what the kernel took, also to the middle
// of a frame. A frame's reference is dropped as soon as its last byte was sent.
//
// Accounting. pending() (output-buffer limits, CLIENT LIST omem, INFO
// client_recent_max_output_buffer) counts every queued frame at its full size, as if it
// were copied: the limits exist to bound how far a slow reader may fall behind, and a
// frame is memory that this reader alone can keep alive. memory_charge() (CLIENT LIST
// tot-mem, INFO mem_clients_normal, maxmemory-clients) counts only the frame's charge,
// the share fixed when it was delivered (its size divided by the receivers it was built
// for), so the total over all clients is the memory the frames take once, and
// maxmemory-clients does not evict subscribers for memory that 1,000 of them share. The
// share is not raised when the other receivers have sent the frame and only this one still
// holds it: a slow reader is bounded by the pubsub output-buffer limit (full size) instead.
// used_memory (the allocator's count) sees each frame once.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <string>
#include <vector>

#include "gannet/protocol/shared_frame.h"

namespace gannet {

class OutputQueue {
 public:
  // A point in the queue (CLIENT REPLY OFF drops what a command wrote after it).
  struct Mark {
    size_t bytes;
    size_t frames;
  };

  // The string replies are appended to (its address is stable for the queue's life).
  std::string* buffer() { return &buf_; }
  const std::string& buffer_bytes() const { return buf_; }

  // No frame pending: the pending output is buffer()[pos(), size).
  // (Every frame sent leaves the list empty: see Compact.)
  bool contiguous() const { return frames_.empty(); }
  size_t pos() const { return pos_; }
  // Bytes not yet sent, frames counted at full size.
  size_t pending() const { return buf_.size() - pos_ + frame_pending_; }
  bool empty() const { return pending() == 0; }
  size_t queued_frames() const { return frames_.size() - head_; }

  Mark mark() const { return {buf_.size(), frames_queued_}; }
  // Drops the bytes and frames queued after m. A mark from before the queue was last
  // emptied, or one pointing into what was already sent, drops only what is unsent.
  void TruncateTo(Mark m);

  // Queues frame after everything queued so far (inline: once per subscriber and message).
  void PushShared(const SharedFrameRef& frame) {
    frame_pending_ += frame->size();
    frame_charge_ += frame->charge();
    frames_.emplace_back(buf_.size(), frame);
    ++frames_queued_;
  }

  // Fills up to max iovecs with the pending pieces in order; returns how many.
  size_t Gather(iovec* iov, size_t max) const;
  // n bytes of the pending output were sent (n <= pending()).
  void Consume(size_t n);
  // The contiguous case: n bytes of the buffer were sent.
  void ConsumeContiguous(size_t n) { pos_ += n; }

  // Moves everything pending into *dst as one string (TLS writes a single batch) and
  // empties the queue; returns the offset in *dst where the pending bytes start. Without
  // frames the buffer itself is swapped with *dst (no copy; *dst's old capacity is kept
  // for the next replies).
  size_t MoveTo(std::string* dst);

  // pending() == 0, which implies no frame is listed (the last one sent empties the
  // list): rewinds the buffer, keeping its capacity. The connection's hot path.
  void ClearDrained() {
    buf_.clear();
    pos_ = 0;
  }
  // Everything was sent (or is dropped): empty, keeping the buffer's capacity. Inline:
  // the contiguous case runs it after every reply written.
  void Clear() {
    buf_.clear();
    pos_ = 0;
    if (!frames_.empty()) [[unlikely]]
      DropFrames();
  }
  // An empty queue gives back a buffer grown past `threshold` bytes.
  void ShrinkIfEmpty(size_t threshold);

  // What this queue holds in memory: the buffer and frame list as allocated, plus the
  // charge of each frame still queued (see the file comment).
  size_t memory_charge() const {
    return buf_.capacity() + frames_.capacity() * sizeof(Entry) + frame_charge_;
  }

 private:
  struct Entry {
    Entry(size_t a, const SharedFrameRef& f) : at(a), frame(f) {}
    size_t at;  // buf_ offset the frame follows
    SharedFrameRef frame;
  };
  // Drops the entries before head_ once they are the larger part of the list, and all of
  // them once every frame was sent.
  void Compact();
  void DropFrames();

  std::string buf_;
  size_t pos_ = 0;  // bytes of buf_ sent
  std::vector<Entry> frames_;
  size_t head_ = 0;       // first frame not completely sent
  size_t frame_off_ = 0;  // bytes of frames_[head_] sent
  // Frames queued so far, less those dropped by TruncateTo: marks count in it (entries
  // leave frames_ when sent, so an index into frames_ is no mark).
  size_t frames_queued_ = 0;
  size_t frame_pending_ = 0;
  size_t frame_charge_ = 0;
};

}  // namespace gannet
