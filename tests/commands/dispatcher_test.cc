// The dispatcher: lookup, subcommands, arity, NOAUTH and their order (Redis's: unknown ->
// arity -> NOAUTH), the one clock reading per command, and the counters.
#include <string>

#include "command_test_base.h"

namespace gannet {
namespace {

// Handlers for commands registered by the tests themselves. xnow replies with the time
// the command runs under (and fails if the keyspace disagrees).
void ReplyNow(CmdArgs, CommandContext& ctx) {
  if (ctx.keyspace.now_ms() != ctx.now_ms) return ctx.reply.SendError("ERR clock mismatch");
  ctx.reply.SendLong(ctx.now_ms);
}
// Takes 5 ms of the (manual) clock.
void SpendFiveMs(CmdArgs, CommandContext& ctx) {
  const auto& clock = static_cast<const ManualClock&>(ctx.keyspace.clock());
  const_cast<ManualClock&>(clock).AdvanceMs(5);
  ctx.reply.SendOk();
}
void ReplyTwoErrors(CmdArgs, CommandContext& ctx) {
  ctx.reply.SendArrayLen(2);
  ctx.reply.SendError("ERR one");
  ctx.reply.SendError("ERR two");
}

class DispatcherTest : public CommandTest {
 protected:
  DispatcherTest() {
    table_.Register({.name = "xnow", .arity = 1, .flags = kCmdNoAuth, .handler = ReplyNow});
    table_.Register({.name = "xerrs", .arity = -1, .flags = 0, .handler = ReplyTwoErrors});
    table_.Register({.name = "xspend", .arity = 1, .flags = 0, .handler = SpendFiveMs});
  }

  // Runs args as one command of a pipelined batch whose clock chain is *batch_clock_us.
  std::string RunInBatch(std::initializer_list<std::string_view> args, int64_t* batch_clock_us) {
    std::vector<std::string_view> views(args);
    std::string out;
    ReplyBuilder rb(&out, client_.resp_version());
    dispatcher_.Execute(CmdArgs(views.data(), views.size()), client_, rb, batch_clock_us);
    return out;
  }
};

TEST_F(DispatcherTest, LookupIsCaseInsensitive) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"gEt", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"object", "EnCoDiNg", "k"}), BulkIs("embstr"));
  EXPECT_NE(table_.Find("GET"), nullptr);
  EXPECT_EQ(table_.Find("GET"), table_.Find("get"));
  EXPECT_EQ(table_.Find("ge"), nullptr);
  EXPECT_EQ(table_.Find(""), nullptr);
  EXPECT_EQ(table_.Find(std::string(1000, 'g')), nullptr);
}

TEST_F(DispatcherTest, UnknownCommand) {
  EXPECT_THAT(Run({"foobar"}), ErrorIs("ERR unknown command 'foobar', with args beginning with: "));
  EXPECT_THAT(Run({"foobar", "x", "y"}),
              ErrorIs("ERR unknown command 'foobar', with args beginning with: 'x' 'y' "));
  // CR/LF cannot break the reply's framing.
  EXPECT_THAT(Run({"foo\r\nbar", "a\r\nb"}),
              ErrorIs("ERR unknown command 'foo  bar', with args beginning with: 'a  b' "));
  EXPECT_EQ(dispatcher_.stats().total_error_replies, 3u);
  EXPECT_EQ(dispatcher_.stats().total_commands_processed, 0u);
}

TEST_F(DispatcherTest, UnknownSubcommand) {
  EXPECT_THAT(Run({"object", "foo"}), ErrorIs("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_THAT(Run({"Object", "foo", "bar"}),
              ErrorIs("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_THAT(Run({"COMMAND", "nope"}),
              ErrorIs("ERR unknown subcommand 'nope'. Try COMMAND HELP."));
}

TEST_F(DispatcherTest, Arity) {
  EXPECT_THAT(Run({"GET"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"GET", "a", "b"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"SET", "a"}), ErrorIs("ERR wrong number of arguments for 'set' command"));
  EXPECT_THAT(Run({"OBJECT"}), ErrorIs("ERR wrong number of arguments for 'object' command"));
  EXPECT_THAT(Run({"OBJECT", "encoding"}),
              ErrorIs("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_THAT(Run({"COMMAND", "COUNT", "x"}),
              ErrorIs("ERR wrong number of arguments for 'command|count' command"));
  EXPECT_EQ(table_.Find("get")->stats.rejected_calls, 2u);
  EXPECT_EQ(table_.Find("get")->stats.calls, 0u);
}

TEST_F(DispatcherTest, NoAuthComesAfterExistenceAndArity) {
  client_.authenticated_ = false;
  EXPECT_THAT(Run({"foobar"}), ErrorIs("ERR unknown command 'foobar', with args beginning with: "));
  EXPECT_THAT(Run({"GET"}), ErrorIs("ERR wrong number of arguments for 'get' command"));
  EXPECT_THAT(Run({"GET", "k"}), ErrorIs("NOAUTH Authentication required."));
  EXPECT_THAT(Run({"object", "encoding", "k"}), ErrorIs("NOAUTH Authentication required."));
  // A no_auth command runs.
  EXPECT_THAT(Run({"xnow"}), IsInt());
  EXPECT_EQ(table_.Find("get")->stats.rejected_calls, 2u);
  client_.authenticated_ = true;
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
}

TEST_F(DispatcherTest, OneClockReadingPerCommand) {
  clock_.SetMs(1'234'567'000);
  EXPECT_THAT(Run({"xnow"}), IntIs(1'234'567'000));
  AdvanceTime(42);
  EXPECT_THAT(Run({"xnow"}), IntIs(1'234'567'042));
}

TEST_F(DispatcherTest, PipelinedBatchChainsClockReadings) {
  clock_.SetMs(1'000'000);
  int64_t batch_clock_us = -1;
  uint64_t before = clock_.reads();
  EXPECT_EQ(RunInBatch({"xnow"}, &batch_clock_us), ":1000000\r\n");
  EXPECT_EQ(RunInBatch({"xspend"}, &batch_clock_us), "+OK\r\n");
  // Starts at the reading that ended xspend, 5 ms later.
  EXPECT_EQ(RunInBatch({"xnow"}, &batch_clock_us), ":1000005\r\n");
  EXPECT_EQ(clock_.reads() - before, 4u);  // three commands: n + 1 readings
  EXPECT_EQ(table_.Find("xspend")->stats.usec, 5000u);
  EXPECT_EQ(batch_clock_us, 1'000'005'000);

  // A new batch (-1) reads the clock afresh: time that passed between batches is seen.
  clock_.AdvanceMs(7);
  batch_clock_us = -1;
  EXPECT_EQ(RunInBatch({"xnow"}, &batch_clock_us), ":1000012\r\n");

  // Without a chain, two readings per command.
  before = clock_.reads();
  EXPECT_THAT(Run({"xnow"}), IntIs(1'000'012));
  EXPECT_THAT(Run({"xspend"}), IsOk());
  EXPECT_EQ(clock_.reads() - before, 4u);
  EXPECT_EQ(table_.Find("xspend")->stats.usec, 10000u);
}

TEST_F(DispatcherTest, Counters) {
  EXPECT_THAT(Run({"SET", "k", "v"}), IsOk());
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("v"));
  EXPECT_THAT(Run({"INCR", "k"}), ErrorIs("ERR value is not an integer or out of range"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "k"}), BulkIs("embstr"));
  EXPECT_THAT(Run({"xerrs"}), ArrayLen(2));
  const CommandSpec* get = table_.Find("get");
  EXPECT_EQ(get->stats.calls, 2u);
  EXPECT_EQ(get->stats.failed_calls, 0u);
  EXPECT_EQ(table_.stats(*table_.Find("incr")).calls, 1u);
  EXPECT_EQ(table_.Find("incr")->stats.failed_calls, 1u);
  const CommandSpec* enc = table_.FindSub(*table_.Find("object"), "ENCODING");
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(enc->name, "object|encoding");
  EXPECT_EQ(enc->stats.calls, 1u);
  EXPECT_EQ(table_.Find("object")->stats.calls, 0u);
  EXPECT_EQ(dispatcher_.stats().total_commands_processed, 6u);
  EXPECT_EQ(dispatcher_.stats().total_error_replies, 3u);  // INCR's and xerrs' two
  table_.ResetStats();
  EXPECT_EQ(get->stats.calls, 0u);
  EXPECT_EQ(enc->stats.calls, 0u);
}

TEST_F(DispatcherTest, EmptyCommandDoesNothing) { EXPECT_EQ(RunRaw({}), ""); }

TEST_F(DispatcherTest, SelectedDatabaseIsUsed) {
  EXPECT_THAT(Run({"SET", "k", "db0"}), IsOk());
  client_.db_ = 3;
  EXPECT_THAT(Run({"GET", "k"}), IsNil());
  EXPECT_THAT(Run({"SET", "k", "db3"}), IsOk());
  client_.db_ = 0;
  EXPECT_THAT(Run({"GET", "k"}), BulkIs("db0"));
}

TEST_F(DispatcherTest, ImplicitCategoriesAreDerived) {
  const CommandSpec* get = table_.Find("get");
  EXPECT_EQ(get->acl_categories, kAclRead | kAclString | kAclFast);
  const CommandSpec* set = table_.Find("set");
  EXPECT_EQ(set->acl_categories, kAclWrite | kAclString | kAclSlow);
  const CommandSpec* keys = table_.Find("keys");
  EXPECT_EQ(keys->acl_categories, kAclKeyspace | kAclRead | kAclSlow | kAclDangerous);
}

}  // namespace
}  // namespace gannet
