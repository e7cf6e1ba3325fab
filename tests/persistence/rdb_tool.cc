// Test-only command-line front end to the RDB codec, for the interop test with a real
// redis-server (tests/differential/test_rdb_interop.py) and for save/load timings:
//
//   rdb_tool describe FILE          load FILE (keeping expired keys) and print one JSON
//                                   line per key: db, key, expire_ms, type/encoding/value
//   rdb_tool write-sample FILE      write a dataset holding every type and encoding (small
//                                   and large, with TTLs, in several databases) to FILE and
//                                   print its description as `describe` would
//   rdb_tool restore HEX            decode a DUMP payload (hex) and print its description
//   rdb_tool dump-sample            print "name hexpayload" for every sample value
//   rdb_tool bench N FILE           fill N string keys (DEBUG POPULATE's shapes), time
//                                   WriteRdb to FILE and LoadRdb back (ms on stdout)
//   rdb_tool bench-load FILE        time LoadRdb of FILE (e.g. one redis-server wrote)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/persistence/rdb.h"
#include "rdb_describe.h"

namespace gannet {
namespace {

using rdbtest::DescribeValue;
using rdbtest::Hex;

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

void PrintKeys(Keyspace& ks) {
  for (int i = 0; i < ks.database_count(); ++i) {
    Database& db = ks.db(i);
    db.ForEach([&](const Entry& e) {
      std::printf("{\"db\":%d,\"key\":%s,\"expire_ms\":%lld,\"value\":%s}\n", i,
                  Hex(e.key()).c_str(), static_cast<long long>(db.GetExpire(&e)),
                  DescribeValue(e.value).c_str());
    });
  }
}

// Every type and encoding Redis 7.0 has, under its default thresholds.
std::vector<std::pair<std::string, Value>> SampleValues(int64_t now_ms) {
  std::vector<std::pair<std::string, Value>> out;
  out.emplace_back("str:int", Value::String("12345"));
  out.emplace_back("str:bigint", Value::String("-9223372036854775808"));
  out.emplace_back("str:embstr", Value::String("hello world"));
  out.emplace_back("str:empty", Value::String(""));
  out.emplace_back("str:raw", Value::String(std::string(500, 'a') + "z"));
  std::string bin;
  for (int i = 0; i < 3000; ++i) bin.push_back(static_cast<char>((i * 7919) & 0xff));
  out.emplace_back("str:binary", Value::String(bin));
  auto list = [](size_t n, size_t len) {
    auto l = std::make_unique<ListObject>(-2);
    for (size_t i = 0; i < n; ++i) {
      l->PushBack(i % 3 == 0 ? std::to_string(i)
                             : std::string(len, static_cast<char>('a' + i % 26)));
    }
    return Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(l));
  };
  out.emplace_back("list:small", list(5, 3));
  out.emplace_back("list:big", list(3000, 20));
  out.emplace_back("list:hugeelem", list(3, 10000));
  {
    // list-compress-depth 1: interior nodes go out as LZF strings.
    auto l = std::make_unique<ListObject>(-2, 1);
    for (int i = 0; i < 3000; ++i) l->PushBack("compressible-element-" + std::to_string(i % 200));
    out.emplace_back("list:compressed",
                     Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(l)));
  }
  auto set = [](size_t n, bool ints) {
    auto s = std::make_unique<SetObject>();
    for (size_t i = 0; i < n; ++i) {
      s->Add(ints ? std::to_string(static_cast<int64_t>(i) * 100003 - 50000)
                  : "member:" + std::to_string(i),
             512);
    }
    return Value::Object(std::move(*s));
  };
  out.emplace_back("set:intset", set(20, true));
  out.emplace_back("set:bigints", set(600, true));
  out.emplace_back("set:hashtable", set(50, false));
  auto zset = [](size_t n, size_t len) {
    ZSetObject::Limits limits;
    auto z = std::make_unique<ZSetObject>(limits, len);
    for (size_t i = 0; i < n; ++i) {
      z->Add(std::string(len, 'm') + std::to_string(i), static_cast<double>(i) * 1.5 - 7, 0,
             limits);
    }
    return Value::Object(std::move(*z));
  };
  out.emplace_back("zset:listpack", zset(10, 1));
  out.emplace_back("zset:skiplist", zset(300, 2));
  out.emplace_back("zset:longmember", zset(3, 80));
  auto hash = [](size_t n, size_t len) {
    auto h = std::make_unique<HashObject>();
    for (size_t i = 0; i < n; ++i) {
      h->Set("field:" + std::to_string(i), i % 2 ? std::to_string(i) : std::string(len, 'v'),
             {512, 64});
    }
    return Value::Object(std::move(*h));
  };
  out.emplace_back("hash:listpack", hash(10, 5));
  out.emplace_back("hash:hashtable", hash(1000, 5));
  out.emplace_back("hash:longvalue", hash(3, 100));
  const auto base = static_cast<uint64_t>(now_ms - 100000);
  auto stream = [&](size_t n, bool groups) {
    auto s = std::make_unique<StreamObject>(4096, 100);
    for (size_t i = 1; i <= n; ++i) {
      std::string v = "v";
      v += std::to_string(i);
      std::vector<std::string_view> fv = {"a", v, "b", "1"};
      if (i % 4 == 0) fv = {"c", v};
      s->Append(StreamID{base + i, i % 3}, fv);
    }
    if (n > 10) s->Delete(StreamID{base + 5, 5 % 3});
    if (groups) {
      StreamGroup* g = s->CreateGroup("grp", StreamID{base + 8, 8 % 3}, 7);
      bool created;
      StreamConsumer* c = g->GetOrCreateConsumer("alice", now_ms - 1000, &created);
      StreamConsumer* d = g->GetOrCreateConsumer("bob", now_ms - 2000, &created);
      for (size_t i = 2; i <= 8; ++i) {
        if (i == 5) continue;
        StreamID id{base + i, i % 3};
        StreamConsumer* who = i % 2 ? c : d;
        g->pel[id] = StreamPendingEntry{now_ms - 500 - static_cast<int64_t>(i), i, who};
        who->pel.insert(id);
      }
      g->GetOrCreateConsumer("carol", now_ms - 3000, &created);
      s->CreateGroup("late", StreamID{0, 0}, kInvalidEntriesRead);
    }
    return Value::Object(ValueType::kStream, Encoding::kStream, std::move(s));
  };
  out.emplace_back("stream:small", stream(3, false));
  out.emplace_back("stream:big", stream(1000, true));
  return out;
}

int Describe(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    return 2;
  }
  SystemClock clock;
  Keyspace ks(16, &clock);
  FdSource src(fd);
  RdbLoadOptions opt;
  opt.drop_expired = false;
  RdbLoadError err;
  RdbLoadInfo info;
  const bool ok = LoadRdb(src, ks, clock.NowMs(), opt, &err, &info);
  ::close(fd);
  if (!ok) {
    std::fprintf(stderr, "load failed: %s\n", err.ToString().c_str());
    return 1;
  }
  ks.set_now_ms(0);  // list keys whatever their TTL
  PrintKeys(ks);
  return 0;
}

int WriteSample(const char* path) {
  SystemClock clock;
  const int64_t now = clock.NowMs();
  Keyspace ks(16, &clock);
  ks.set_now_ms(now);
  int db = 0;
  int n = 0;
  for (auto& [name, v] : SampleValues(now)) {
    Entry* e = ks.db(db).Insert(name, std::move(v));
    if (n % 3 == 1) ks.db(db).SetExpire(e, now + 3'600'000 + n);
    db = (db + 7) % 16;
    ++n;
  }
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(path);
    return 2;
  }
  FdSink sink(fd);
  std::string error;
  const bool ok = WriteRdb(ks, now, {}, sink, &error);
  ::close(fd);
  if (!ok) {
    std::fprintf(stderr, "write failed: %s\n", error.c_str());
    return 1;
  }
  PrintKeys(ks);
  return 0;
}

int Restore(const char* hex) {
  Value v;
  std::string error;
  if (!RestorePayload(Unhex(hex), &v, &error)) {
    std::printf("%s\n", error.c_str());
    return 1;
  }
  std::printf("%s\n", DescribeValue(v).c_str());
  return 0;
}

int DumpSample() {
  SystemClock clock;
  for (auto& [name, v] : SampleValues(clock.NowMs())) {
    const std::string p = DumpPayload(v);
    std::string hex = Hex(p);
    std::printf("%s %s %s\n", name.c_str(), hex.substr(1, hex.size() - 2).c_str(),
                DescribeValue(v).c_str());
  }
  return 0;
}

int Bench(long n, const char* path) {
  using Ms = std::chrono::duration<double, std::milli>;
  SystemClock clock;
  Keyspace ks(16, &clock);
  ks.set_now_ms(clock.NowMs());
  char key[32];
  for (long i = 0; i < n; ++i) {
    // The shapes of redis-server's DEBUG POPULATE, for side-by-side timings.
    std::snprintf(key, sizeof(key), "key:%ld", i);
    ks.db(0).Insert(key, Value::String("value:" + std::to_string(i)));
  }
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 2;
  auto t0 = std::chrono::steady_clock::now();
  {
    FdSink sink(fd);
    std::string error;
    if (!WriteRdb(ks, clock.NowMs(), {}, sink, &error)) return 1;
  }
  ::fsync(fd);
  auto t1 = std::chrono::steady_clock::now();
  ::close(fd);
  Keyspace loaded(16, &clock);
  const int rfd = ::open(path, O_RDONLY);
  FdSource src(rfd);
  RdbLoadError err;
  auto t2 = std::chrono::steady_clock::now();
  if (!LoadRdb(src, loaded, clock.NowMs(), {}, &err)) {
    std::fprintf(stderr, "%s\n", err.ToString().c_str());
    return 1;
  }
  auto t3 = std::chrono::steady_clock::now();
  ::close(rfd);
  std::printf("keys=%ld save_ms=%.1f load_ms=%.1f\n", n, Ms(t1 - t0).count(), Ms(t3 - t2).count());
  return 0;
}

int BenchLoad(const char* path) {
  using Ms = std::chrono::duration<double, std::milli>;
  SystemClock clock;
  Keyspace ks(16, &clock);
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) return 2;
  FdSource src(fd);
  RdbLoadError err;
  RdbLoadInfo info;
  auto t0 = std::chrono::steady_clock::now();
  const bool ok = LoadRdb(src, ks, clock.NowMs(), {}, &err, &info);
  auto t1 = std::chrono::steady_clock::now();
  ::close(fd);
  if (!ok) {
    std::fprintf(stderr, "%s\n", err.ToString().c_str());
    return 1;
  }
  std::printf("keys=%llu load_ms=%.1f\n", static_cast<unsigned long long>(info.keys_loaded),
              Ms(t1 - t0).count());
  return 0;
}

}  // namespace
}  // namespace gannet

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "describe" && argc == 3) return gannet::Describe(argv[2]);
  if (cmd == "write-sample" && argc == 3) return gannet::WriteSample(argv[2]);
  if (cmd == "restore" && argc == 3) return gannet::Restore(argv[2]);
  if (cmd == "dump-sample" && argc == 2) return gannet::DumpSample();
  if (cmd == "bench" && argc == 4) return gannet::Bench(std::atol(argv[2]), argv[3]);
  if (cmd == "bench-load" && argc == 3) return gannet::BenchLoad(argv[2]);
  std::fprintf(stderr,
               "usage: rdb_tool describe FILE | write-sample FILE | restore HEX | dump-sample | "
               "bench N FILE | bench-load FILE\n");
  return 2;
}
