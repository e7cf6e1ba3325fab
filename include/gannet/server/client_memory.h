// Client eviction (maxmemory-clients): what each connection's buffers hold, and the
// clients grouped by size so the biggest can be found without a scan.
//
// A connection reports its memory when it may have changed (after its input was parsed
// and its replies written, after a push to it, and from cron); the report is O(1):
// unlink from the old size class, link into the new one. Clients are grouped into
// classes by powers of two (up to 32 KB is one class, 8 GB and more another), as Redis
// does, so evicting takes the highest non-empty class and, within it, the client using
// the most (Redis takes the first one it finds in the class). Clients that may not be
// evicted (CLIENT NO-EVICT on) count in the total but are in no class.
//
// Nothing here runs while maxmemory-clients is 0: the connections check one flag.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "gannet/common/config.h"

namespace gannet {

class Connection;

// One connection's entry, embedded in the Connection.
struct ClientMemoryNode {
  Connection* owner = nullptr;
  size_t mem = 0;        // as last reported; part of the tracker's total when tracked
  int bucket = -1;       // its size class, -1 when not evictable (or not tracked)
  bool tracked = false;  // counted in the total
  ClientMemoryNode* prev = nullptr;
  ClientMemoryNode* next = nullptr;
};

class ClientMemoryTracker {
 public:
  static constexpr int kMinLog = 15;  // every client up to 32 KB shares the first class
  static constexpr int kMaxLog = 33;  // 8 GB and more share the last
  static constexpr int kBuckets = kMaxLog - kMinLog + 1;

  // The limit in force (bytes), 0 when off: a percentage of maxmemory while maxmemory is
  // set, and never under 128 KB, so that a tiny value cannot lock everyone out.
  static size_t Limit(const Config& cfg);
  static int BucketOf(size_t mem);

  // Records a connection's memory; evictable places it in a size class.
  void Update(ClientMemoryNode& node, size_t mem, bool evictable);
  void Remove(ClientMemoryNode& node);

  size_t total() const { return total_; }
  // An evictable client of the highest non-empty class: the one using the most memory
  // among the first kScan there (a class may hold thousands of small clients), or null.
  ClientMemoryNode* Biggest() const;
  static constexpr int kScan = 64;

 private:
  void Unlink(ClientMemoryNode& node);

  std::array<ClientMemoryNode*, kBuckets> heads_{};
  size_t total_ = 0;
};

}  // namespace gannet
