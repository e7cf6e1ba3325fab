// The command test harness (see command_test_base.h).
#include "command_test_base.h"

namespace gannet {

CommandTest::CommandTest()
    : keyspace_(server_.config_.databases, &clock_), dispatcher_(table_, keyspace_, server_) {}

std::string CommandTest::RunRaw(const std::vector<std::string_view>& args) {
  std::string out;
  ReplyBuilder rb(&out, client_.resp_version());
  dispatcher_.Execute(CmdArgs(args.data(), args.size()), client_, rb);
  errors_sent_ = rb.errors_sent();
  return out;
}

namespace {

RespValue DecodeOne(const std::string& bytes) {
  size_t consumed = 0;
  std::string error;
  auto v = RespValue::Decode(bytes, &consumed, &error);
  if (!v) {
    ADD_FAILURE() << "undecodable reply (" << error << "): " << EscapeBytes(bytes);
    return RespValue::Error("<undecodable reply>");
  }
  if (consumed != bytes.size()) {
    ADD_FAILURE() << "more than one reply: " << EscapeBytes(bytes);
  }
  return *v;
}

}  // namespace

RespValue CommandTest::Run(std::initializer_list<std::string_view> args) {
  return DecodeOne(RunRaw(std::vector<std::string_view>(args)));
}

RespValue CommandTest::Run(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return DecodeOne(RunRaw(views));
}

FakeClient& CommandTest::NewClient() {
  auto c = std::make_unique<FakeClient>();
  c->id_ = 100 + extra_clients_.size();
  c->can_block_ = true;
  extra_clients_.push_back(std::move(c));
  return *extra_clients_.back();
}

std::optional<RespValue> CommandTest::RunAs(FakeClient& c,
                                            std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> views(args);
  std::string out;
  ReplyBuilder rb(&out, c.resp_version());
  dispatcher_.Execute(CmdArgs(views.data(), views.size()), c, rb);
  errors_sent_ = rb.errors_sent();
  if (out.empty()) {
    if (!c.blocked_) ADD_FAILURE() << "no reply and not blocked";
    return std::nullopt;
  }
  return DecodeOne(out);
}

std::optional<RespValue> CommandTest::TakeReply(FakeClient& c) {
  if (c.deferred_out_.empty()) return std::nullopt;
  std::string bytes;
  bytes.swap(c.deferred_out_);
  return DecodeOne(bytes);
}

void CommandTest::Disconnect(FakeClient& c) { dispatcher_.OnClientClosed(c); }

RespValue CommandTest::RunResp3(std::initializer_list<std::string_view> args) {
  const RespVersion saved = client_.resp_;
  client_.resp_ = RespVersion::kResp3;
  RespValue v = DecodeOne(RunRaw(std::vector<std::string_view>(args)));
  client_.resp_ = saved;
  return v;
}

}  // namespace gannet
