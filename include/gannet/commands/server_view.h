// What commands may ask of the server around the engine: configuration, the client list,
// INFO sections, shutdown. src/server implements it; tests implement a fake. New methods
// get a default body so that every implementation keeps compiling.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/common/config.h"

namespace gannet {

class ClientView;
class PersistenceView;
class AofView;

// SHUTDOWN [NOSAVE|SAVE] [FORCE]: the *Force modes exit even when the final save fails.
enum class ShutdownMode : uint8_t { kDefault, kSave, kNoSave, kDefaultForce, kSaveForce };

// CLIENT KILL filters (old form: addr only).
struct ClientKillFilter {
  std::optional<uint64_t> id;
  std::optional<std::string> addr;
  std::optional<std::string> laddr;
  std::optional<std::string> user;
  std::optional<std::string> type;  // normal, master, replica, pubsub
  std::optional<int64_t> max_age;   // MAXAGE: connected for longer than this many seconds
  bool skip_me = true;
};

class ServerView {
 public:
  virtual ~ServerView() = default;

  virtual const Config& config() const = 0;

  // CONFIG GET: every (name, value) whose name matches one of the glob patterns.
  virtual std::vector<std::pair<std::string, std::string>> ConfigGet(
      const std::vector<std::string_view>& patterns) const = 0;
  // CONFIG SET of several pairs, all or nothing. On failure returns the full error
  // text without the leading '-', e.g. "ERR Unknown option or number of arguments for
  // CONFIG SET - 'foo'".
  virtual std::optional<std::string> ConfigSet(
      const std::vector<std::pair<std::string_view, std::string_view>>& pairs) = 0;
  // CONFIG REWRITE: error text or nullopt.
  virtual std::optional<std::string> ConfigRewrite() = 0;
  virtual void ResetStats() = 0;

  // The text of INFO for the given lower-case sections ("default", "all", "everything",
  // or names). `requester` is the calling client.
  virtual std::string Info(const std::vector<std::string>& sections,
                           const ClientView& requester) = 0;

  virtual void ForEachClient(const std::function<void(ClientView&)>& fn) = 0;
  // Closes matching clients (after their pending replies); returns how many.
  virtual size_t KillClients(const ClientKillFilter& filter, const ClientView& requester) = 0;

  // Requests a shutdown after the current command. Returns an error text if refused.
  virtual std::optional<std::string> Shutdown(ShutdownMode mode) = 0;

  // Unix seconds of the last successful save (LASTSAVE); server start time until then.
  virtual int64_t LastSaveTime() const = 0;

  // Persistence (persistence_view.h); nullptr when the server has none (tests' fakes).
  virtual PersistenceView* persistence() { return nullptr; }
  // The append-only file (aof_view.h): BGREWRITEAOF; nullptr when the server has none.
  virtual AofView* aof() { return nullptr; }
  // True while a -LOADING or -MISCONF refusal may apply: the dispatcher then calls
  // PassesPersistenceGate (command_gates.h). Kept as a plain flag for the hot path.
  virtual bool persistence_gate_active() const { return false; }

  // Writes `message` to the server log at warning level (Redis's LL_WARNING, '#'): DEBUG LOG.
  virtual void LogWarning(std::string_view message) { (void)message; }
  // A new random master_replid (DEBUG CHANGE-REPL-ID).
  virtual void ChangeReplicationId() {}
};

}  // namespace gannet
