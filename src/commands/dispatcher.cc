// Runs one command: existence, arity and authentication checks in Redis's order
// (unknown -> arity -> NOAUTH), one clock reading, the handler, and the counters behind
// INFO stats/commandstats. It never decides whether a reply reaches the client (CLIENT
// REPLY is the connection's business).
#include "gannet/commands/dispatcher.h"

#include "error_text.h"

namespace gannet {

Dispatcher::Dispatcher(const CommandTable& table, Keyspace& keyspace, ServerView& server)
    : table_(table), keyspace_(keyspace), server_(server) {}

namespace {

bool ArityOk(const CommandSpec& spec, size_t argc) {
  if (spec.arity >= 0) return argc == static_cast<size_t>(spec.arity);
  return argc >= static_cast<size_t>(-static_cast<int64_t>(spec.arity));
}

}  // namespace

void Dispatcher::Execute(CmdArgs args, ClientView& client, ReplyBuilder& reply) {
  if (args.empty()) return;
  const uint64_t errors_before = reply.errors_sent();

  const CommandSpec* spec = table_.Find(args[0]);
  if (spec == nullptr) {
    reply.SendError(UnknownCommandText(args));
    ++stats_.total_error_replies;
    return;
  }
  // A container with no subcommand argument is checked (and fails) on its own arity.
  if (spec->is_container() && args.size() >= 2) {
    const CommandSpec* sub = table_.FindSub(*spec, args[1]);
    if (sub == nullptr) {
      reply.SendError(UnknownSubcommandText(args[0], args[1]));
      ++stats_.total_error_replies;
      return;
    }
    spec = sub;
  }
  if (!ArityOk(*spec, args.size()) || spec->handler == nullptr) {
    reply.SendError(WrongArityText(spec->name));
    ++spec->stats.rejected_calls;
    ++stats_.total_error_replies;
    return;
  }
  if (!client.authenticated() && !(spec->flags & kCmdNoAuth)) {
    reply.SendError(kNoAuthErr);
    ++spec->stats.rejected_calls;
    ++stats_.total_error_replies;
    return;
  }

  // One wall-clock reading gives both the command's time snapshot and the start of its
  // duration (as Redis's call() measures with ustime()); a second one ends it.
  const Clock& clock = keyspace_.clock();
  const int64_t start_us = clock.NowUs();
  const int64_t now_ms = start_us / 1000;
  keyspace_.set_now_ms(now_ms);
  CommandContext ctx{keyspace_, reply, client, server_, now_ms, spec, &table_};

  spec->handler(args, ctx);
  const int64_t elapsed_us = clock.NowUs() - start_us;

  CommandStats& st = spec->stats;
  ++st.calls;
  st.usec += elapsed_us > 0 ? static_cast<uint64_t>(elapsed_us) : 0;
  ++stats_.total_commands_processed;
  const uint64_t errors = reply.errors_sent() - errors_before;
  if (errors > 0) {
    ++st.failed_calls;
    stats_.total_error_replies += errors;
  }
}

}  // namespace gannet
