// ClientMemoryTracker: the limit maxmemory-clients resolves to, the size classes, and
// which client eviction picks.
#include "gannet/server/client_memory.h"

#include <gtest/gtest.h>

#include <array>

namespace gannet {
namespace {

TEST(ClientMemoryLimit, OffBytesPercentAndFloor) {
  Config cfg;
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 0u);
  cfg.maxmemory_clients = 10 * 1024 * 1024;
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 10u * 1024 * 1024);
  cfg.maxmemory_clients = 1;  // under the 128 KB floor
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 128u * 1024);
  cfg.maxmemory_clients = -5;  // 5% of no maxmemory: off
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 0u);
  cfg.maxmemory = 100 * 1024 * 1024;
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 5u * 1024 * 1024);
  cfg.maxmemory_clients = -100;
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 100u * 1024 * 1024);
  cfg.maxmemory = 1024;  // 100% of 1 KB: the floor
  EXPECT_EQ(ClientMemoryTracker::Limit(cfg), 128u * 1024);
  cfg.maxmemory = INT64_MAX;
  EXPECT_GT(ClientMemoryTracker::Limit(cfg), 0u);
}

TEST(ClientMemoryBuckets, PowersOfTwoClamped) {
  EXPECT_EQ(ClientMemoryTracker::BucketOf(0), 0);
  EXPECT_EQ(ClientMemoryTracker::BucketOf(1), 0);
  EXPECT_EQ(ClientMemoryTracker::BucketOf(65535), 0);
  EXPECT_EQ(ClientMemoryTracker::BucketOf(65536), 1);
  EXPECT_EQ(ClientMemoryTracker::BucketOf(size_t{1} << 33), ClientMemoryTracker::kBuckets - 1);
  EXPECT_EQ(ClientMemoryTracker::BucketOf(SIZE_MAX), ClientMemoryTracker::kBuckets - 1);
}

TEST(ClientMemoryTracker, TotalsMovesAndBiggest) {
  ClientMemoryTracker t;
  std::array<ClientMemoryNode, 4> n{};
  EXPECT_EQ(t.Biggest(), nullptr);
  t.Update(n[0], 20'000, true);
  t.Update(n[1], 3'000'000, true);
  t.Update(n[2], 2'500'000, true);    // same class as n[1] (2 MB .. 4 MB), smaller
  t.Update(n[3], 50'000'000, false);  // NO-EVICT: counted, never picked
  EXPECT_EQ(t.total(), 20'000u + 3'000'000 + 2'500'000 + 50'000'000);
  EXPECT_EQ(t.Biggest(), &n[1]);
  t.Update(n[2], 3'500'000, true);  // grows: now the biggest of the class
  EXPECT_EQ(t.Biggest(), &n[2]);
  t.Remove(n[2]);
  t.Remove(n[2]);  // idempotent
  EXPECT_EQ(t.Biggest(), &n[1]);
  t.Update(n[1], 100, true);  // shrinks into the first class with n[0]
  EXPECT_EQ(t.Biggest(), &n[0]);
  t.Update(n[0], 10, false);  // turned NO-EVICT
  EXPECT_EQ(t.Biggest(), &n[1]);
  t.Remove(n[1]);
  EXPECT_EQ(t.Biggest(), nullptr);
  EXPECT_EQ(t.total(), 10u + 50'000'000);
  t.Remove(n[0]);
  t.Remove(n[3]);
  EXPECT_EQ(t.total(), 0u);
}

}  // namespace
}  // namespace gannet
