// ClientMemoryTracker: size classes of client connections (see client_memory.h).
#include "gannet/server/client_memory.h"

#include <algorithm>
#include <bit>

namespace gannet {

size_t ClientMemoryTracker::Limit(const Config& cfg) {
  constexpr size_t kFloor = 128 * 1024;
  size_t bytes;
  if (cfg.maxmemory_clients < 0 && cfg.maxmemory > 0) {
    // -100 <= maxmemory_clients < 0: a percentage of maxmemory.
    const double v =
        static_cast<double>(cfg.maxmemory) * static_cast<double>(-cfg.maxmemory_clients) / 100.0;
    bytes = static_cast<size_t>(v);
  } else if (cfg.maxmemory_clients > 0) {
    bytes = static_cast<size_t>(cfg.maxmemory_clients);
  } else {
    return 0;  // off, or a percentage of no maxmemory
  }
  return std::max(bytes, kFloor);
}

int ClientMemoryTracker::BucketOf(size_t mem) {
  if (mem == 0) return 0;
  const int log = static_cast<int>(std::bit_width(mem)) - 1;  // floor(log2(mem))
  return std::clamp(log, kMinLog, kMaxLog) - kMinLog;
}

void ClientMemoryTracker::Unlink(ClientMemoryNode& node) {
  if (node.bucket < 0) return;
  if (node.prev != nullptr) {
    node.prev->next = node.next;
  } else {
    heads_[node.bucket] = node.next;
  }
  if (node.next != nullptr) node.next->prev = node.prev;
  node.prev = node.next = nullptr;
  node.bucket = -1;
}

void ClientMemoryTracker::Update(ClientMemoryNode& node, size_t mem, bool evictable) {
  if (node.tracked) total_ -= node.mem;
  total_ += mem;
  node.mem = mem;
  node.tracked = true;
  const int bucket = evictable ? BucketOf(mem) : -1;
  if (bucket == node.bucket) return;
  Unlink(node);
  if (bucket < 0) return;
  node.bucket = bucket;
  node.next = heads_[bucket];
  if (node.next != nullptr) node.next->prev = &node;
  heads_[bucket] = &node;
}

void ClientMemoryTracker::Remove(ClientMemoryNode& node) {
  if (!node.tracked) return;
  Unlink(node);
  total_ -= node.mem;
  node.mem = 0;
  node.tracked = false;
}

ClientMemoryNode* ClientMemoryTracker::Biggest() const {
  for (int b = kBuckets - 1; b >= 0; --b) {
    ClientMemoryNode* best = nullptr;
    int seen = 0;
    for (ClientMemoryNode* n = heads_[b]; n != nullptr && seen < kScan; n = n->next, ++seen) {
      if (best == nullptr || n->mem > best->mem) best = n;
    }
    if (best != nullptr) return best;
  }
  return nullptr;
}

}  // namespace gannet
