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

RespValue CommandTest::RunResp3(std::initializer_list<std::string_view> args) {
  const RespVersion saved = client_.resp_;
  client_.resp_ = RespVersion::kResp3;
  RespValue v = DecodeOne(RunRaw(std::vector<std::string_view>(args)));
  client_.resp_ = saved;
  return v;
}

}  // namespace gannet
