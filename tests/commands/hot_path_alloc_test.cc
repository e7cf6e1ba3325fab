// GET and SET are the hot path: the dispatcher and the handlers must not allocate with
// operator new (no std::string or vector copies of keys, values or replies; the reply goes
// into a buffer with room to spare, as a connection's output buffer has). This binary
// replaces global operator new to count such allocations. The engine's own storage uses
// malloc directly and is not counted here: storing a value may allocate.
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace {
// Counting allocations needs a process-wide counter: operator new has no context.
thread_local long g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// This operator new is malloc, so free is the matching release; GCC cannot see that.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace gannet {
namespace {

class HotPathTest : public CommandTest {
 protected:
  long AllocationsFor(const std::vector<std::string_view>& args) {
    std::string out;
    out.reserve(4096);
    ReplyBuilder rb(&out, RespVersion::kResp2);
    const long before = g_allocations;
    dispatcher_.Execute(CmdArgs(args.data(), args.size()), client_, rb);
    const long n = g_allocations - before;
    EXPECT_FALSE(out.empty());
    EXPECT_NE(out[0], '-') << out;
    return n;
  }
};

TEST_F(HotPathTest, GetAndSetDoNotAllocate) {
  // The counter works: KEYS builds its list of names.
  ASSERT_THAT(Run({"SET", "key:000001", "value-1"}), IsOk());
  EXPECT_GT(AllocationsFor({"KEYS", "*"}), 0);
  const std::string long_value(200, 'v');
  ASSERT_THAT(Run({"SET", "key:000002", long_value}), IsOk());
  EXPECT_EQ(AllocationsFor({"GET", "key:000001"}), 0);
  EXPECT_EQ(AllocationsFor({"get", "key:000002"}), 0);
  EXPECT_EQ(AllocationsFor({"GET", "missing"}), 0);
  EXPECT_EQ(AllocationsFor({"SET", "key:000001", "value-2"}), 0);
  EXPECT_EQ(AllocationsFor({"SET", "key:000002", std::string_view(long_value).substr(10)}), 0);
  EXPECT_EQ(AllocationsFor({"MGET", "key:000001", "key:000002"}), 0);
  ASSERT_THAT(Run({"INCR", "counter"}), IntIs(1));
  EXPECT_EQ(AllocationsFor({"INCR", "counter"}), 0);
}

}  // namespace
}  // namespace gannet
