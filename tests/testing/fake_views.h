// Fake client and server views for in-process command runs: the command tests' harness
// (tests/commands/command_test_base.h) and the command fuzzer (fuzz/command_fuzzer.cc) build a
// Dispatcher over these. No GoogleTest here, so a libFuzzer binary can include it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/commands/client_view.h"
#include "gannet/commands/persistence_view.h"
#include "gannet/commands/server_view.h"
#include "gannet/common/config.h"
#include "gannet/persistence/rdb.h"
#include "gannet/protocol/reply_builder.h"

namespace gannet {

// A client with plain fields; implements ClientView's pure virtual methods, and blocking
// when can_block_ is set (then a blocked command's reply lands in deferred_out_). The
// default client cannot block, so blocking commands answer at once as inside MULTI (the
// randomized test relies on every command replying).
class FakeClient : public ClientView {
 public:
  FakeClient() = default;
  FakeClient(const FakeClient&) = delete;
  FakeClient& operator=(const FakeClient&) = delete;

  uint64_t id() const override { return id_; }
  std::string_view name() const override { return name_; }
  void set_name(std::string_view name) override { name_ = name; }
  RespVersion resp_version() const override { return resp_; }
  void set_resp_version(RespVersion v) override { resp_ = v; }
  int db_index() const override { return db_; }
  void set_db_index(int db) override { db_ = db; }
  bool authenticated() const override { return authenticated_; }
  void set_authenticated(bool yes, std::string_view) override { authenticated_ = yes; }
  std::string InfoLine() const override { return "id=" + std::to_string(id_); }
  void CloseAfterReply() override { close_after_reply_ = true; }
  void Reset() override {
    db_ = 0;
    resp_ = RespVersion::kResp2;
    name_.clear();
  }
  ReplyBuilder* deferred_reply() override {
    if (!can_block_) return nullptr;
    deferred_rb_.set_version(resp_);
    return &deferred_rb_;
  }
  void set_blocked(bool blocked) override { blocked_ = blocked; }
  // Pushes (pub/sub messages, invalidations, MONITOR) collect in push_out_.
  ReplyBuilder* push_reply() override {
    push_rb_.set_version(resp_);
    return &push_rb_;
  }

  uint64_t id_ = 1;
  std::string push_out_;
  ReplyBuilder push_rb_{&push_out_};
  bool can_block_ = false;
  bool blocked_ = false;
  std::string deferred_out_;
  ReplyBuilder deferred_rb_{&deferred_out_};
  std::string name_;
  RespVersion resp_ = RespVersion::kResp2;
  int db_ = 0;
  bool authenticated_ = true;
  bool close_after_reply_ = false;
};

// DUMP/RESTORE through the real RDB codec (as the server's PersistenceView forwards them);
// snapshots are not available in-process.
class TestPersistence : public PersistenceView {
 public:
  explicit TestPersistence(const Config* config) : config_(config) {}
  std::string DumpValue(const Value& v) override { return DumpPayload(v); }
  bool RestoreValue(std::string_view payload, Value* out, std::string* error) override {
    return RestorePayload(payload, out, error, RdbEncodingLimits::FromConfig(*config_));
  }
  std::optional<std::string> Save() override {
    return std::string("ERR not supported by the test server");
  }
  std::string BackgroundSave(bool, bool* ok) override {
    *ok = false;
    return "ERR not supported by the test server";
  }
  int64_t LastSaveTime() const override { return 0; }
  bool loading() const override { return false; }
  bool writes_refused() const override { return false; }

 private:
  const Config* config_;
};

// A server holding a Config; implements only ServerView's pure virtual methods.
class FakeServer : public ServerView {
 public:
  const Config& config() const override { return config_; }
  std::vector<std::pair<std::string, std::string>> ConfigGet(
      const std::vector<std::string_view>&) const override {
    return {};
  }
  std::optional<std::string> ConfigSet(
      const std::vector<std::pair<std::string_view, std::string_view>>&) override {
    return std::string("ERR not supported by the test server");
  }
  std::optional<std::string> ConfigRewrite() override { return std::nullopt; }
  void ResetStats() override {}
  std::string Info(const std::vector<std::string>&, const ClientView&) override { return ""; }
  void ForEachClient(const std::function<void(ClientView&)>& fn) override {
    for (ClientView* c : listed_clients_) fn(*c);
  }
  size_t KillClients(const ClientKillFilter&, const ClientView&) override { return 0; }
  std::optional<std::string> Shutdown(ShutdownMode) override { return std::nullopt; }
  int64_t LastSaveTime() const override { return 0; }
  PersistenceView* persistence() override { return persistence_; }
  void LogWarning(std::string_view message) override { warnings_.emplace_back(message); }
  void ChangeReplicationId() override { ++replication_id_changes_; }

  Config config_;
  // What LogWarning wrote, and how many times ChangeReplicationId ran.
  std::vector<std::string> warnings_;
  int replication_id_changes_ = 0;
  // The clients ForEachClient shows (none unless a test lists some).
  std::vector<ClientView*> listed_clients_;
  TestPersistence test_persistence_{&config_};
  // Tests may point this at their own fake (or nullptr).
  PersistenceView* persistence_ = &test_persistence_;
};

}  // namespace gannet
