// LazyFreer: one background thread started on the first job. See lazyfree.h.
#include "gannet/engine/lazyfree.h"

#include "allocator_probe.h"

namespace gannet {

LazyFreer::LazyFreer() = default;

LazyFreer::~LazyFreer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  queue_.clear();  // jobs never picked up (the thread drains before stopping anyway)
}

bool LazyFreer::WorthFreeingLazily(const Value& v) {
  if (v.IsString()) return false;
  switch (v.encoding()) {
    case Encoding::kListpack:
    case Encoding::kIntset:
      return false;
    default:
      return true;
  }
}

bool LazyFreer::FreeValue(Value&& v) {
  if (!WorthFreeingLazily(v)) {
    Value dead = std::move(v);  // freed here, at the end of scope
    return false;
  }
  FreeLater(Value(std::move(v)));
  return true;
}

void LazyFreer::Submit(std::unique_ptr<Job> job) {
  pending_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  }
  cv_.notify_one();
}

void LazyFreer::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::Loop() {
  const engine_internal::ThreadCounters counters =
      engine_internal::FindThreadCounters(engine_internal::FindMallctl());
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stop_ and nothing left
    std::unique_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const uint64_t before = counters.Net();
    job.reset();
    const uint64_t after = counters.Net();
    // Net freed: allocated - deallocated drops as the job frees (modular arithmetic, as
    // this thread frees more than it allocates).
    const auto freed = static_cast<int64_t>(before - after);
    if (freed > 0) freed_bytes_.fetch_add(static_cast<uint64_t>(freed), std::memory_order_relaxed);
    pending_.fetch_sub(1, std::memory_order_relaxed);
    freed_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  busy_ = false;
  idle_cv_.notify_all();
}

}  // namespace gannet
