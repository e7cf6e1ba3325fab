// An immutable, reference-counted block of encoded reply bytes that many clients send:
// a published message is encoded once per distinct frame (RESP2 "message", RESP3 push,
// one per matching pattern) and every subscriber's output queue holds a reference to it,
// so the payload is never copied per subscriber (src/server/output_queue.h writes it with
// a gather write). The bytes live in the same allocation as the header.
//
// The count is not atomic: frames are made, queued, sent and released on the event loop
// thread only (nothing else touches connections' output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace gannet {

class SharedFrameRef;

class SharedFrame {
 public:
  SharedFrame(const SharedFrame&) = delete;
  SharedFrame& operator=(const SharedFrame&) = delete;

  // A frame of `size` bytes for the caller to fill through data() before sharing it.
  // `charge`: the memory each holder counts as its own (see OutputQueue::memory_charge).
  static SharedFrameRef Allocate(size_t size, size_t charge);

  std::string_view bytes() const { return {data(), size_}; }
  size_t size() const { return size_; }
  size_t charge() const { return charge_; }
  uint32_t use_count() const { return refs_; }
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }

 private:
  friend class SharedFrameRef;
  SharedFrame(size_t size, size_t charge) : size_(size), charge_(charge) {}
  static void Release(SharedFrame* f) {
    if (--f->refs_ == 0) {
      f->~SharedFrame();
      ::operator delete(static_cast<void*>(f));
    }
  }

  uint32_t refs_ = 0;
  size_t size_;
  size_t charge_;
};

// An owning handle; copies share the frame.
class SharedFrameRef {
 public:
  SharedFrameRef() = default;
  SharedFrameRef(const SharedFrameRef& o) : f_(o.f_) {
    if (f_ != nullptr) ++f_->refs_;
  }
  SharedFrameRef(SharedFrameRef&& o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
  SharedFrameRef& operator=(SharedFrameRef o) noexcept {
    std::swap(f_, o.f_);
    return *this;
  }
  ~SharedFrameRef() { reset(); }

  void reset() {
    if (f_ != nullptr) SharedFrame::Release(std::exchange(f_, nullptr));
  }
  explicit operator bool() const { return f_ != nullptr; }
  SharedFrame* get() const { return f_; }
  SharedFrame* operator->() const { return f_; }
  SharedFrame& operator*() const { return *f_; }

 private:
  friend class SharedFrame;
  explicit SharedFrameRef(SharedFrame* f) : f_(f) { ++f_->refs_; }
  SharedFrame* f_ = nullptr;
};

inline SharedFrameRef SharedFrame::Allocate(size_t size, size_t charge) {
  // The header keeps the bytes that follow it aligned enough for a char array.
  void* mem = ::operator new(sizeof(SharedFrame) + size);
  return SharedFrameRef(new (mem) SharedFrame(size, charge));
}

}  // namespace gannet
