// What commands may ask of the append-only file: BGREWRITEAOF, DEBUG LOADAOF. The server
// implements it (src/server/aof_service.cc) on top of src/persistence/aof; commands do not
// link persistence (see STYLE's dependency arrows). Methods may be added with a default
// body; never removed.
#pragma once

#include <optional>
#include <string>

namespace gannet {

class AofView {
 public:
  virtual ~AofView() = default;
  // BGREWRITEAOF: on success the status text ("Background append only file rewriting
  // started" or "... scheduled"); else the full error text without '-'. `*ok` tells which.
  // in_exec: called from inside EXEC, where a fork would snapshot half a transaction: the
  // rewrite is scheduled for after it, as Redis does.
  virtual std::string BackgroundRewrite(bool in_exec, bool* ok) = 0;
  // DEBUG LOADAOF: write out what is buffered (AOF on), empty the dataset and load it
  // back from the AOF files the manifest names, as the startup load does. nullopt on
  // success, else the full error text without '-'.
  virtual std::optional<std::string> DebugLoadAof() {
    return std::string("ERR DEBUG LOADAOF is not supported");
  }
};

}  // namespace gannet
