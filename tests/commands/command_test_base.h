// In-process harness for command tests, as dragonfly's BaseFamilyTest: a Keyspace on a
// ManualClock, a fake client and server, the real CommandTable and Dispatcher.
//
//   TEST_F(StringFamilyTest, Set) {
//     EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
//     AdvanceTime(1000);
//     EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
//   }
//
// Run() decodes the reply bytes with RespValue and fails the test unless they hold exactly
// one well-formed reply.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/clock.h"
#include "gannet/engine/keyspace.h"
#include "gannet/persistence/rdb.h"
#include "testing/fake_views.h"
#include "testing/resp_matchers.h"
#include "testing/resp_value.h"

namespace gannet {

// FakeClient, TestPersistence and FakeServer live in testing/fake_views.h (gtest-free, so the
// command fuzzer shares them).

class CommandTest : public ::testing::Test {
 protected:
  CommandTest();

  // Runs one command for client_ and returns its decoded reply.
  RespValue Run(std::initializer_list<std::string_view> args);
  RespValue Run(const std::vector<std::string>& args);
  // The same, with the client switched to RESP3 for this command.
  RespValue RunResp3(std::initializer_list<std::string_view> args);
  // The raw reply bytes.
  std::string RunRaw(const std::vector<std::string_view>& args);

  // Several clients (blocking tests). NewClient returns a client that can block, with a
  // fresh id; it lives as long as the test.
  FakeClient& NewClient();
  // Runs args for `c`; returns the decoded reply, or nullopt when the command blocked (no
  // reply, c.blocked_ set). Fails the test if there is neither exactly one reply nor a block.
  std::optional<RespValue> RunAs(FakeClient& c, std::initializer_list<std::string_view> args);
  // The reply an unblock produced for c (exactly one), taken out of c.deferred_out_;
  // nullopt if there is none yet.
  std::optional<RespValue> TakeReply(FakeClient& c);
  // Closes c as a disconnect would (the registry forgets it).
  void Disconnect(FakeClient& c);

  // Moves the clock and fires the blocked clients' timeouts that are due.
  void AdvanceTime(int64_t ms) {
    clock_.AdvanceMs(ms);
    dispatcher_.ExpireBlocked(clock_.NowMs());
  }
  int64_t NowMs() const { return clock_.NowMs(); }
  Database& db(int index = 0) { return keyspace_.db(index); }

  ManualClock clock_;
  FakeServer server_;
  Keyspace keyspace_;
  CommandTable table_;
  Dispatcher dispatcher_;
  FakeClient client_;
  uint64_t errors_sent_ = 0;  // error replies the last Run's builder counted
  std::vector<std::unique_ptr<FakeClient>> extra_clients_;
};

}  // namespace gannet
