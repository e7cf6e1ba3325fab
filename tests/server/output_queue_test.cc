// OutputQueue: replies and shared frames come out in the order they were queued, for any
// split of the writes (also in the middle of a frame); frames are referenced, not copied,
// and released once sent; marks drop only what came after them; pending() counts a frame
// at full size and memory_charge() only its share.
#include "output_queue.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gannet {
namespace {

SharedFrameRef Frame(std::string_view bytes, size_t charge = 0) {
  SharedFrameRef f = SharedFrame::Allocate(bytes.size(), charge);
  std::copy(bytes.begin(), bytes.end(), f->data());
  return f;
}

// Sends everything pending, at most `chunk` bytes per "write", the way a socket taking
// part of a gather would; returns the bytes in the order sent.
std::string Drain(OutputQueue& q, size_t chunk) {
  std::string out;
  while (!q.empty()) {
    iovec iov[4];  // few pieces per call: exercises the resumption between gathers
    const size_t n = q.Gather(iov, 4);
    EXPECT_GT(n, 0u);
    size_t budget = chunk;
    size_t taken = 0;
    for (size_t i = 0; i < n && budget > 0; ++i) {
      const size_t take = std::min(budget, iov[i].iov_len);
      out.append(static_cast<const char*>(iov[i].iov_base), take);
      budget -= take;
      taken += take;
    }
    q.Consume(taken);
  }
  return out;
}

TEST(OutputQueueTest, ContiguousWithoutFrames) {
  OutputQueue q;
  q.buffer()->append("+OK\r\n");
  EXPECT_TRUE(q.contiguous());
  EXPECT_EQ(q.pending(), 5u);
  q.ConsumeContiguous(2);
  EXPECT_EQ(q.pending(), 3u);
  EXPECT_EQ(q.buffer_bytes().substr(q.pos()), "K\r\n");
  EXPECT_EQ(Drain(q, 100), "K\r\n");
}

TEST(OutputQueueTest, InterleavesRepliesAndFramesInOrder) {
  OutputQueue q;
  q.buffer()->append("A");
  q.PushShared(Frame("[f1]"));
  q.buffer()->append("BB");
  q.PushShared(Frame("[f2]"));
  q.PushShared(Frame("[f3]"));
  q.buffer()->append("C");
  EXPECT_FALSE(q.contiguous());
  EXPECT_EQ(q.pending(), 1 + 4 + 2 + 4 + 4 + 1u);
  EXPECT_EQ(Drain(q, 1000), "A[f1]BB[f2][f3]C");
  EXPECT_TRUE(q.contiguous());  // back to the plain string once the frames went out
}

TEST(OutputQueueTest, EveryWriteSplitGivesTheSameStream) {
  // Random replies and frames, drained with every chunk size from 1 byte: a write that
  // stops in the middle of a frame resumes exactly there.
  std::mt19937 rng(7);
  for (size_t chunk = 1; chunk <= 40; ++chunk) {
    OutputQueue q;
    std::string expected;
    std::string sent;
    const SharedFrameRef shared = Frame("<shared-frame-bytes>");
    for (int i = 0; i < 30; ++i) {
      if (rng() % 3 == 0) {
        q.PushShared(shared);
        expected += "<shared-frame-bytes>";
      } else {
        const std::string reply(rng() % 9, static_cast<char>('a' + i % 26));
        q.buffer()->append(reply);
        expected += reply;
      }
      if (rng() % 5 == 0) {  // part is sent while more is queued behind it
        iovec iov[3];
        const size_t n = q.Gather(iov, 3);
        size_t budget = chunk;
        size_t taken = 0;
        for (size_t k = 0; k < n && budget > 0; ++k) {
          const size_t take = std::min(budget, iov[k].iov_len);
          sent.append(static_cast<const char*>(iov[k].iov_base), take);
          budget -= take;
          taken += take;
        }
        q.Consume(taken);
      }
    }
    sent += Drain(q, chunk);
    EXPECT_EQ(sent, expected) << "chunk " << chunk;
  }
}

TEST(OutputQueueTest, PartialWriteInsideAFrameThenMoreQueued) {
  OutputQueue q;
  q.buffer()->append("xy");
  q.PushShared(Frame("0123456789"));
  iovec iov[8];
  ASSERT_EQ(q.Gather(iov, 8), 2u);
  q.Consume(2 + 4);  // "xy" and "0123"
  EXPECT_EQ(q.pending(), 6u);
  q.buffer()->append("+OK\r\n");  // a reply made while the frame is half sent
  q.PushShared(Frame("!!"));
  ASSERT_EQ(q.Gather(iov, 8), 3u);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len), "456789");
  EXPECT_EQ(Drain(q, 3), "456789+OK\r\n!!");
}

TEST(OutputQueueTest, FramesAreSharedAndReleasedWhenSent) {
  SharedFrameRef f = Frame("payload");
  OutputQueue a, b;
  a.PushShared(f);
  b.PushShared(f);
  EXPECT_EQ(f->use_count(), 3u);
  const char* bytes = f->data();
  iovec iov[2];
  ASSERT_EQ(a.Gather(iov, 2), 1u);
  EXPECT_EQ(iov[0].iov_base, bytes);  // the queue points at the frame: no copy
  a.Consume(3);
  EXPECT_EQ(f->use_count(), 3u);  // half sent: still held
  a.Consume(4);
  EXPECT_EQ(f->use_count(), 2u);
  b.Clear();
  EXPECT_EQ(f->use_count(), 1u);
}

TEST(OutputQueueTest, PendingCountsFullSizeMemoryCountsTheShare) {
  OutputQueue q;
  const size_t base = q.memory_charge();
  q.PushShared(Frame(std::string(1000, 'x'), /*charge=*/10));
  q.PushShared(Frame(std::string(1000, 'y'), /*charge=*/10));
  EXPECT_EQ(q.pending(), 2000u);  // output-buffer limits see what this client must send
  EXPECT_GE(q.memory_charge(), base + 20);
  EXPECT_LT(q.memory_charge(), base + 20 + 1000);  // tot-mem does not count 2000 bytes
  const size_t queued = q.memory_charge();
  q.Consume(1000);
  EXPECT_EQ(q.memory_charge(), queued - 10);  // the sent frame's share is gone
  EXPECT_EQ(q.pending(), 1000u);
  q.Consume(999);
  EXPECT_EQ(q.pending(), 1u);
  q.Consume(1);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.memory_charge(), queued - 20);
}

TEST(OutputQueueTest, TruncateToMarkDropsWhatCameAfter) {
  OutputQueue q;
  q.buffer()->append("A");
  q.PushShared(Frame("[1]"));
  const OutputQueue::Mark m = q.mark();
  q.buffer()->append("reply");
  q.PushShared(Frame("[2]"));
  q.buffer()->append("more");
  q.TruncateTo(m);
  EXPECT_EQ(q.pending(), 4u);
  EXPECT_EQ(Drain(q, 2), "A[1]");
}

TEST(OutputQueueTest, TruncateKeepsAFrameAlreadyPartlySent) {
  OutputQueue q;
  const OutputQueue::Mark m = q.mark();
  q.PushShared(Frame("abcdef"));
  q.Consume(2);
  q.TruncateTo(m);  // "ab" went out: the rest of the frame must follow
  EXPECT_EQ(Drain(q, 100), "cdef");
}

TEST(OutputQueueTest, StaleMarkIsIgnored) {
  OutputQueue q;
  q.buffer()->append("0123456789");
  q.PushShared(Frame("F"));
  const OutputQueue::Mark m = q.mark();
  Drain(q, 100);
  q.Clear();
  q.buffer()->append("new");
  q.TruncateTo(m);  // from before the queue emptied: nothing of the new output is dropped
  EXPECT_EQ(Drain(q, 100), "new");
}

TEST(OutputQueueTest, MarksSurviveCompaction) {
  // Many frames sent while the queue never empties compact the list; a mark taken after
  // that still drops exactly what follows it.
  OutputQueue q;
  std::string expected;
  for (int i = 0; i < 200; ++i) q.PushShared(Frame("f" + std::to_string(i) + ";"));
  for (int i = 0; i < 150; ++i) {
    const std::string s = "f" + std::to_string(i) + ";";
    q.Consume(s.size());
  }
  for (int i = 150; i < 200; ++i) expected += "f" + std::to_string(i) + ";";
  const OutputQueue::Mark m = q.mark();
  q.PushShared(Frame("dropped"));
  q.buffer()->append("dropped too");
  q.TruncateTo(m);
  EXPECT_EQ(Drain(q, 7), expected);
}

TEST(OutputQueueTest, MoveToFlattensInOrder) {
  OutputQueue q;
  q.buffer()->append("ab");
  q.PushShared(Frame("[F]"));
  q.buffer()->append("cd");
  q.Consume(1);
  std::string dst = "stale";
  EXPECT_EQ(q.MoveTo(&dst), 0u);
  EXPECT_EQ(dst, "b[F]cd");
  EXPECT_TRUE(q.empty());
  // Without frames the buffer is swapped, not copied: the start offset says where.
  q.buffer()->append("xyz");
  q.ConsumeContiguous(1);
  std::string dst2;
  const size_t start = q.MoveTo(&dst2);
  EXPECT_EQ(dst2.substr(start), "yz");
  EXPECT_TRUE(q.empty());
}

TEST(OutputQueueTest, ShrinkIfEmptyGivesBackABigBuffer) {
  OutputQueue q;
  q.buffer()->append(std::string(100000, 'z'));
  q.ShrinkIfEmpty(64 * 1024);
  EXPECT_GE(q.buffer_bytes().capacity(), 100000u);  // still pending: kept
  q.ConsumeContiguous(100000);
  q.ShrinkIfEmpty(64 * 1024);
  EXPECT_LT(q.buffer_bytes().capacity(), 64u * 1024);
}

}  // namespace
}  // namespace gannet
