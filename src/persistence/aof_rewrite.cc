// Base files of an AOF rewrite written as commands (aof-use-rdb-preamble no): the keyspace
// as the shortest command sequence that rebuilds it, as Redis's rewriteAppendOnlyFileRio.
// Collections go out in commands of at most kItemsPerCommand items (Redis's
// AOF_REWRITE_ITEMS_PER_CMD) so that no single command is huge. Streams, whose consumer
// groups and pending lists need many command kinds, are written as RESTORE with their
// DUMP payload (a command every Redis 7 accepts, so the file stays loadable anywhere).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/zset_object.h"
#include "gannet/persistence/aof.h"

namespace gannet {
namespace {

constexpr size_t kItemsPerCommand = 64;
constexpr size_t kChunk = 1 << 20;

// Collects a command's arguments (owning copies: collection iterators hand out views that
// may point into scratch buffers) and encodes them.
class CommandBuilder {
 public:
  void Start(std::string_view name, std::string_view key) {
    args_.clear();
    args_.emplace_back(name);
    args_.emplace_back(key);
  }
  void Add(std::string_view a) { args_.emplace_back(a); }
  size_t size() const { return args_.size(); }
  void EncodeTo(std::string* out) {
    views_.assign(args_.begin(), args_.end());
    AppendRespCommand(out, AofArgs(views_.data(), views_.size()));
  }

 private:
  std::vector<std::string> args_;
  std::vector<std::string_view> views_;
};

std::string FormatScore(double d) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

}  // namespace

bool WriteAofBaseCommands(Keyspace& ks, int64_t now_ms, int fd, uint64_t fsync_every,
                          std::string* error) {
  FdSink sink(fd, kChunk, fsync_every);
  std::string out;
  CommandBuilder cmd;
  bool ok = true;
  auto drain = [&](bool force) {
    if (!ok || (!force && out.size() < kChunk)) return;
    if (!sink.Write(out.data(), out.size())) {
      ok = false;
      *error = sink.error();
    }
    out.clear();
  };
  // Emits cmd when it holds kItemsPerCommand items (items_per_arg arguments each) or when
  // forced with at least one item, then restarts it.
  auto emit = [&](std::string_view name, std::string_view key, size_t items_per_arg, bool force) {
    const size_t items = (cmd.size() - 2) / items_per_arg;
    if (items == 0 || (!force && items < kItemsPerCommand)) return;
    cmd.EncodeTo(&out);
    cmd.Start(name, key);
    drain(false);
  };

  for (int i = 0; i < ks.database_count() && ok; ++i) {
    Database& db = ks.db(i);
    if (db.size() == 0) continue;
    const std::string dbnum = std::to_string(i);
    const std::string_view select[] = {"SELECT", dbnum};
    AppendRespCommand(&out, select);
    db.ForEach([&](const Entry& e) {
      if (!ok) return;
      const int64_t expire = e.has_expire() ? db.GetExpire(&e) : -1;
      if (expire >= 0 && expire <= now_ms) return;  // expired: nothing to rebuild
      const std::string_view key = e.key();
      const Value& v = e.value;
      switch (v.type()) {
        case ValueType::kString: {
          const std::string_view set[] = {"SET", key, v.AsString()};
          AppendRespCommand(&out, set);
          break;
        }
        case ValueType::kList: {
          const auto* l = v.As<ListObject>();
          cmd.Start("RPUSH", key);
          l->Visit(0, l->size(), [&](const Listpack::Element& el) {
            char nb[24];
            cmd.Add(el.ToString(nb));
            emit("RPUSH", key, 1, false);
            return true;
          });
          emit("RPUSH", key, 1, true);
          break;
        }
        case ValueType::kSet: {
          cmd.Start("SADD", key);
          v.As<SetObject>()->ForEach([&](std::string_view m) {
            cmd.Add(m);
            emit("SADD", key, 1, false);
          });
          emit("SADD", key, 1, true);
          break;
        }
        case ValueType::kZSet: {
          const auto* z = v.As<ZSetObject>();
          cmd.Start("ZADD", key);
          z->ForEachInRanks(0, z->size(), false, [&](std::string_view m, double score) {
            cmd.Add(FormatScore(score));
            cmd.Add(m);
            emit("ZADD", key, 2, false);
          });
          emit("ZADD", key, 2, true);
          break;
        }
        case ValueType::kHash: {
          cmd.Start("HSET", key);
          v.As<HashObject>()->ForEach([&](std::string_view f, std::string_view val) {
            cmd.Add(f);
            cmd.Add(val);
            emit("HSET", key, 2, false);
          });
          emit("HSET", key, 2, true);
          break;
        }
        case ValueType::kStream: {
          const std::string payload = DumpPayload(v);
          const std::string_view restore[] = {"RESTORE", key, "0", payload};
          AppendRespCommand(&out, restore);
          break;
        }
      }
      if (expire >= 0) {
        const std::string at = std::to_string(expire);
        const std::string_view pexpireat[] = {"PEXPIREAT", key, at};
        AppendRespCommand(&out, pexpireat);
      }
      drain(false);
    });
  }
  drain(true);
  if (!ok) return false;
  if (!sink.Flush()) {
    *error = sink.error();
    return false;
  }
  if (::fsync(fd) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace gannet
