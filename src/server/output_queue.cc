// OutputQueue: a reply buffer with shared frames spliced in by reference (see the header).
#include "output_queue.h"

#include <algorithm>
#include <utility>

namespace gannet {

void OutputQueue::TruncateTo(Mark m) {
  if (m.bytes > buf_.size() || m.frames > frames_queued_) return;  // stale mark
  // Keep what was (even partly) sent: it cannot be taken back.
  const size_t base = frames_queued_ - frames_.size();  // frames that left the list
  size_t keep = std::max(m.frames, base) - base;
  keep = std::max(keep, head_ + (frame_off_ > 0 ? 1 : 0));
  for (size_t i = keep; i < frames_.size(); ++i) {
    frame_pending_ -= frames_[i].frame->size();  // i > head_ or nothing of it was sent
    frame_charge_ -= frames_[i].frame->charge();
  }
  if (keep < frames_.size()) {
    frames_queued_ -= frames_.size() - keep;
    frames_.erase(frames_.begin() + static_cast<ptrdiff_t>(keep), frames_.end());
  }
  buf_.resize(std::max(m.bytes, pos_));
  Compact();
}

size_t OutputQueue::Gather(iovec* iov, size_t max) const {
  size_t n = 0;
  size_t p = pos_;
  for (size_t i = head_; i < frames_.size() && n < max; ++i) {
    const Entry& e = frames_[i];
    if (e.at > p) {
      iov[n++] = {const_cast<char*>(buf_.data()) + p, e.at - p};
      p = e.at;
      if (n == max) return n;
    }
    const size_t off = i == head_ ? frame_off_ : 0;
    const SharedFrame& f = *e.frame;
    iov[n++] = {const_cast<char*>(f.data()) + off, f.size() - off};
  }
  if (n < max && p < buf_.size()) iov[n++] = {const_cast<char*>(buf_.data()) + p, buf_.size() - p};
  return n;
}

void OutputQueue::Consume(size_t n) {
  while (n > 0 && head_ < frames_.size()) {
    Entry& e = frames_[head_];
    if (pos_ < e.at) {
      const size_t take = std::min(n, e.at - pos_);
      pos_ += take;
      n -= take;
      continue;
    }
    const size_t size = e.frame->size();
    const size_t take = std::min(n, size - frame_off_);
    frame_off_ += take;
    frame_pending_ -= take;
    n -= take;
    if (frame_off_ == size) {
      frame_charge_ -= e.frame->charge();
      e.frame.reset();  // the last receiver to send it frees it
      ++head_;
      frame_off_ = 0;
    }
  }
  pos_ += n;  // after the last frame: buffer bytes only
  Compact();
}

void OutputQueue::Compact() {
  if (head_ == 0) return;
  if (head_ == frames_.size()) {  // back to the contiguous case
    frames_.clear();
    head_ = 0;
    return;
  }
  if (head_ < 32 || head_ * 2 < frames_.size()) return;
  frames_.erase(frames_.begin(), frames_.begin() + static_cast<ptrdiff_t>(head_));
  head_ = 0;
}

size_t OutputQueue::MoveTo(std::string* dst) {
  dst->clear();
  if (contiguous()) {
    std::swap(buf_, *dst);
    const size_t start = pos_;
    Clear();
    return start;
  }
  dst->reserve(pending());
  iovec iov[64];
  for (;;) {
    const size_t n = Gather(iov, std::size(iov));
    if (n == 0) break;
    size_t bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      dst->append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      bytes += iov[i].iov_len;
    }
    Consume(bytes);
  }
  Clear();
  return 0;
}

void OutputQueue::DropFrames() {
  frames_.clear();
  head_ = 0;
  frame_off_ = 0;
  frame_pending_ = 0;
  frame_charge_ = 0;
}

void OutputQueue::ShrinkIfEmpty(size_t threshold) {
  if (!empty()) return;
  if (buf_.capacity() > threshold) {
    Clear();
    std::string().swap(buf_);
  }
  if (frames_.empty() && frames_.capacity() * sizeof(Entry) > threshold) {
    std::vector<Entry>().swap(frames_);
  }
}

}  // namespace gannet
