// libFuzzer target for the RDB loader and RESTORE payloads (src/persistence/rdb_reader.cc).
// The first byte picks the mode:
//   0: the rest is a DUMP body (type byte + value); a valid version/CRC footer is added so
//      the decoders, not the checksum, see the bytes;
//   1: the same with tiny encoding thresholds (every conversion path);
//   2: the rest follows "REDIS0010" as a whole file, loaded with checksums off.
// Whatever loads must dump and load again: anything we accept, we can also write.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gannet/common/clock.h"
#include "gannet/common/crc64.h"
#include "gannet/engine/keyspace.h"
#include "gannet/persistence/rdb.h"

namespace {

using namespace gannet;

std::string WithFooter(std::string_view body) {
  std::string p(body);
  p.push_back(10);
  p.push_back(0);
  const uint64_t crc = Crc64(0, p.data(), p.size());
  for (int i = 0; i < 8; ++i) p.push_back(static_cast<char>(crc >> (8 * i)));
  return p;
}

void Restore(std::string_view body, const RdbEncodingLimits& limits) {
  Value v;
  std::string error;
  if (!RestorePayload(WithFooter(body), &v, &error, limits)) {
    if (error != "ERR Bad data format") abort();
    return;
  }
  Value again;
  if (!RestorePayload(DumpPayload(v), &again, &error, limits)) {
    std::fprintf(stderr, "re-load of our own DUMP failed: %s\n", error.c_str());
    abort();
  }
}

void LoadFile(std::string_view rest) {
  const std::string file = "REDIS0010" + std::string(rest);
  ManualClock clock;
  Keyspace ks(16, &clock);
  StringSource src(file);
  RdbLoadOptions opt;
  opt.verify_checksum = false;
  opt.drop_expired = false;
  RdbLoadError err;
  if (!LoadRdb(src, ks, clock.NowMs(), opt, &err)) {
    if (err.offset > file.size() || err.message.empty()) abort();
    return;
  }
  StringSink sink;
  std::string error;
  if (!WriteRdb(ks, clock.NowMs(), {}, sink, &error)) abort();
  Keyspace again(16, &clock);
  StringSource src2(sink.str());
  if (!LoadRdb(src2, again, clock.NowMs(), opt, &err)) {
    std::fprintf(stderr, "re-load of our own file failed: %s\n", err.ToString().c_str());
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      Restore(rest, {});
      break;
    case 1: {
      RdbEncodingLimits tiny;
      tiny.hash_max_listpack_entries = 2;
      tiny.hash_max_listpack_value = 4;
      tiny.set_max_intset_entries = 2;
      tiny.zset_max_listpack_entries = 2;
      tiny.zset_max_listpack_value = 4;
      tiny.list_max_listpack_size = 2;
      tiny.stream_node_max_entries = 2;
      Restore(rest, tiny);
      break;
    }
    default:
      LoadFile(rest);
  }
  return 0;
}
