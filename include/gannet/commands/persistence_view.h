// What commands may ask of persistence: SAVE, BGSAVE, LASTSAVE, DUMP/RESTORE payloads,
// DEBUG RELOAD, and the -LOADING / -MISCONF gates. The server implements it on top of
// src/persistence (commands do not link persistence: see STYLE's dependency arrows).
// Methods may be added with a default body; never removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gannet/engine/value.h"

namespace gannet {

class PersistenceView {
 public:
  virtual ~PersistenceView() = default;

  // DUMP: the payload for v (RDB value encoding, RDB version, CRC64 footer).
  virtual std::string DumpValue(const Value& v) = 0;
  // RESTORE: decodes a payload into *out. On failure returns false with the full Redis
  // error text (without '-') in *error, e.g. "ERR DUMP payload version or checksum are
  // wrong".
  virtual bool RestoreValue(std::string_view payload, Value* out, std::string* error) = 0;

  // SAVE: nullopt on success, else the error text.
  virtual std::optional<std::string> Save() = 0;
  // BGSAVE [SCHEDULE]: on success the status text ("Background saving started",
  // "Background saving scheduled"); else the error text. `*ok` tells which.
  virtual std::string BackgroundSave(bool schedule, bool* ok) = 0;
  // Unix seconds of the last successful save (server start until then).
  virtual int64_t LastSaveTime() const = 0;

  // The dataset is being loaded (-LOADING for commands without the loading flag).
  virtual bool loading() const = 0;
  // The last background save failed and stop-writes-on-bgsave-error is on, or the AOF
  // can't be written (-MISCONF).
  virtual bool writes_refused() const = 0;
  // The refusal's text (without '-') while writes_refused(); empty means the RDB one
  // (error_text.h kMisconfErr). The AOF's is "MISCONF Errors writing to the AOF file: ...".
  virtual std::string writes_refused_error() const { return {}; }

  // BGSAVE inside MULTI/EXEC: forking mid-transaction would snapshot half of it, so the
  // save starts from the cron afterwards (Redis replies "Background saving scheduled").
  // False when a background save is already running.
  virtual bool ScheduleBackgroundSave() { return false; }
  // FLUSHALL (after emptying the keyspace): stops a running background save, whose file
  // would resurrect the old dataset, and saves at once when save points are set (Redis).
  virtual void OnFlushAll() {}
  // DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless no_save), empty the dataset
  // (unless no_flush), load the file back (merge: a key already present is replaced).
  // nullopt on success, else the error text.
  virtual std::optional<std::string> DebugReload(bool no_save, bool no_flush, bool merge) {
    (void)no_save;
    (void)no_flush;
    (void)merge;
    return std::string("ERR DEBUG RELOAD is not supported");
  }
};

}  // namespace gannet
