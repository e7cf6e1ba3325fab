// A client that is the server itself: what INFO, AOF replay or a metrics scrape run as.
// Authenticated, RESP2, no socket; replies written for it go wherever the caller points
// its ReplyBuilder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gannet/commands/client_view.h"

namespace gannet {

class InternalClient final : public ClientView {
 public:
  explicit InternalClient(std::string_view label) : label_(label) {}

  uint64_t id() const override { return UINT64_MAX; }
  std::string_view name() const override { return {}; }
  void set_name(std::string_view) override {}
  RespVersion resp_version() const override { return RespVersion::kResp2; }
  void set_resp_version(RespVersion) override {}
  int db_index() const override { return db_; }
  void set_db_index(int db) override { db_ = db; }
  bool authenticated() const override { return true; }
  void set_authenticated(bool, std::string_view) override {}
  std::string InfoLine() const override { return "id=" + label_; }
  void CloseAfterReply() override {}
  void Reset() override { db_ = 0; }

 private:
  std::string label_;
  int db_ = 0;
};

}  // namespace gannet
