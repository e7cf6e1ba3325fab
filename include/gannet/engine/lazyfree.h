// Lazy free: a background thread that destroys large values and whole databases so that
// DEL/UNLINK, eviction, expiry and FLUSHALL ASYNC never stall the engine thread on a
// long free (Redis's bio lazyfree jobs).
//
//   engine thread                       lazyfree thread
//   Free(value) ──> queue (mutex) ──>   pop job, destroy it (free() only)
//   pending() <──── atomic counters <── done++, freed bytes
//
// A job owns what it frees outright: nothing it destroys is reachable from the keyspace,
// and destructors only release memory (jemalloc and glibc free from any thread), so the
// thread never touches shared state.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "gannet/engine/value.h"

namespace gannet {

class LazyFreer {
 public:
  LazyFreer();
  // Drains the queue (frees what is left) and joins the thread.
  ~LazyFreer();
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Anything whose destruction should happen off the engine thread.
  struct Job {
    virtual ~Job() = default;
  };

  // Queues a job; the thread destroys it.
  void Submit(std::unique_ptr<Job> job);

  // Redis's lazyfreeGetFreeEffort threshold: values made of more than ~64 allocations are
  // worth a thread hop; smaller ones are freed in place. Collections in their full
  // (non-compact) encodings qualify; strings and compact encodings do not.
  static bool WorthFreeingLazily(const Value& v);
  // Frees v in the background when worth it, else in place. Returns true if queued.
  bool FreeValue(Value&& v);

  template <typename T>
  void FreeLater(T obj) {
    struct Holder : Job {
      explicit Holder(T o) : obj(std::move(o)) {}
      T obj;
    };
    Submit(std::make_unique<Holder>(std::move(obj)));
  }

  // Objects queued and not yet freed (INFO lazyfree_pending_objects), and freed so far
  // (lazyfreed_objects).
  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed_objects() const { return freed_.load(std::memory_order_relaxed); }
  // Bytes the thread has freed net of what it allocated (jemalloc only; 0 otherwise):
  // the allocator meter subtracts them from the engine thread's figures.
  const std::atomic<uint64_t>& freed_bytes() const { return freed_bytes_; }
  void ResetStats() { freed_.store(0, std::memory_order_relaxed); }

  // Blocks until the queue is empty (tests, shutdown).
  void Drain();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stop_ = false;
  bool busy_ = false;
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
  std::atomic<uint64_t> freed_bytes_{0};
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace gannet
