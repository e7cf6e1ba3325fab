// HyperLogLog commands. Compatibility with Redis is checked byte for byte: the scenarios in
// testdata/hll_redis_fixtures.txt were run on redis-server 7.0.15 (GET of each key, PFCOUNT
// results); here the same commands run on Gannet must give the same bytes and counts, and the
// Redis bytes SET into Gannet must count the same. Hostile values (the sparse-run CVEs) sit
// next to the happy paths.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "command_test_base.h"
#include "hyperloglog.h"

namespace gannet {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char kNotHll[] = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const char kCorrupt[] = "INVALIDOBJ Corrupted HLL object detected";

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string ToHex(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// "HYLL", encoding, 3 zero bytes, cached cardinality with the stale bit set.
std::string Header(uint8_t encoding) {
  std::string h("HYLL", 4);
  h.push_back(static_cast<char>(encoding));
  h.append(10, '\0');
  h.push_back('\x80');
  return h;
}

class HyperLogLogFamilyTest : public CommandTest {
 protected:
  void MakeList(std::string_view key) {
    struct Dummy : ObjectBase {
      size_t MemoryUsage() const override { return 0; }
      std::unique_ptr<ObjectBase> Clone() const override { return std::make_unique<Dummy>(); }
    };
    keyspace_.set_now_ms(NowMs());
    db().Insert(key,
                Value::Object(ValueType::kList, Encoding::kQuicklist, std::make_unique<Dummy>()));
  }

  void PfAdd(const std::string& key, const std::vector<std::string>& elements) {
    std::vector<std::string> args = {"PFADD", key};
    args.insert(args.end(), elements.begin(), elements.end());
    RespValue r = Run(args);
    ASSERT_EQ(r.type, RespType::kInteger) << r.ToString();
  }

  std::string Get(const std::string& key) { return Run({"GET", key}).text(); }
};

std::vector<std::string> Names(const std::string& prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

struct Fixtures {
  std::map<std::string, std::string> values;  // label -> bytes
  std::map<std::string, int64_t> counts;
};

Fixtures LoadFixtures() {
  Fixtures f;
  std::ifstream in(std::string(GANNET_COMMANDS_TESTDATA) + "/hll_redis_fixtures.txt");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string kind, label, data;
    ls >> kind >> label >> data;
    if (kind == "value") f.values[label] = FromHex(data);
    if (kind == "count") f.counts[label] = std::stoll(data);
  }
  return f;
}

TEST(HyperLogLogRepresentation, MurmurAndPattern) {
  // Register packing round-trips at every bit phase, and never touches a byte past the
  // last register (ASan would see it: the buffer is exactly the register bytes).
  std::vector<uint8_t> regs(hll::kDenseSize - hll::kHeaderSize);
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    hll::SetDenseRegister(regs.data(), i, static_cast<uint8_t>((i * 7 + 3) & 63));
  }
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    ASSERT_EQ(hll::GetDenseRegister(regs.data(), i), (i * 7 + 3) & 63) << i;
  }
  hll::Pattern p = hll::PatternOf("a");
  EXPECT_LT(p.index, hll::kRegisters);
  EXPECT_GE(p.count, 1);
  EXPECT_LE(p.count, hll::kQ + 1);
  // MurmurHash64A reference values (seed 0): the empty string hashes to 0, as the function
  // is defined.
  EXPECT_EQ(hll::MurmurHash64A("", 0, 0), 0u);
}

TEST_F(HyperLogLogFamilyTest, BasicsAndCache) {
  EXPECT_THAT(Run({"PFADD", "h"}), IntIs(1));  // creates an empty HLL
  EXPECT_THAT(Run({"PFADD", "h"}), IntIs(0));
  EXPECT_THAT(Run({"GET", "h"}), BulkIs(Header(1) + "\x7f\xff"));
  EXPECT_THAT(Run({"PFCOUNT", "h"}), IntIs(0));
  EXPECT_THAT(Run({"PFADD", "h", "a", "b", "c"}), IntIs(1));
  EXPECT_THAT(Run({"PFADD", "h", "a", "b", "c"}), IntIs(0));
  EXPECT_THAT(Run({"PFDEBUG", "DECODE", "h"}),
              BulkIs("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "h"}), BulkIs("raw"));
  EXPECT_THAT(Run({"PFCOUNT", "h"}), IntIs(3));
  EXPECT_THAT(Run({"PFCOUNT", "missing"}), IntIs(0));
  EXPECT_THAT(Run({"PFCOUNT", "missing", "missing2"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "missing"}), IntIs(0));
  // A valid cached cardinality is trusted, as Redis trusts it.
  std::string forged = Header(1) + "\x7f\xff";
  forged[8] = '\xd2';
  forged[9] = '\x04';  // 1234
  forged[15] = '\0';
  EXPECT_THAT(Run({"SET", "forged", forged}), IsOk());
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "forged"}), BulkIs("embstr"));
  EXPECT_THAT(Run({"PFCOUNT", "forged"}), IntIs(1234));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "forged"}), BulkIs("raw"));
  // PFMERGE of nothing creates an empty HLL with a stale cache.
  EXPECT_THAT(Run({"PFMERGE", "new", "nokey"}), IsOk());
  EXPECT_THAT(Run({"GET", "new"}), BulkIs(Header(1) + "\x7f\xff"));
}

TEST_F(HyperLogLogFamilyTest, PfDebug) {
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "nokey"}),
              ErrorIs("ERR The specified key does not exist"));
  EXPECT_THAT(Run({"PFADD", "h", "x"}), IntIs(1));
  EXPECT_THAT(Run({"PFDEBUG", "FOO", "h"}), ErrorIs("ERR Unknown PFDEBUG subcommand 'FOO'"));
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "h"}), SimpleIs("sparse"));
  EXPECT_THAT(Run({"PFDEBUG", "TODENSE", "h"}), IntIs(1));
  EXPECT_THAT(Run({"PFDEBUG", "TODENSE", "h"}), IntIs(0));
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "h"}), SimpleIs("dense"));
  EXPECT_THAT(Run({"PFDEBUG", "DECODE", "h"}), ErrorIs("ERR HLL encoding is not sparse"));
  EXPECT_THAT(Run({"STRLEN", "h"}), IntIs(12304));
  EXPECT_THAT(Run({"PFCOUNT", "h"}), IntIs(1));
  RespValue regs = Run({"PFDEBUG", "GETREG", "h"});
  ASSERT_EQ(regs.size(), 16384u);
  hll::Pattern p = hll::PatternOf("x");
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    ASSERT_EQ(regs[i].integer, i == p.index ? p.count : 0) << i;
  }
  EXPECT_THAT(Run({"PFSELFTEST"}), IsOk());
}

TEST_F(HyperLogLogFamilyTest, TypeErrors) {
  MakeList("l");
  EXPECT_THAT(Run({"PFADD", "l", "a"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"PFCOUNT", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"PFCOUNT", "l", "x"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"PFMERGE", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "l"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"SET", "s", "foo"}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "s"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"PFADD", "s", "a"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"PFMERGE", "d", "s"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"EXISTS", "d"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "tiny", "HYLL"}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "tiny"}), ErrorIs(kNotHll));
  std::string dense_short = Header(0) + std::string(100, '\0');
  EXPECT_THAT(Run({"SET", "dlen", dense_short}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "dlen"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"PFADD", "dlen", "a"}), ErrorIs(kNotHll));
  std::string magic = Header(1) + "\x7f\xff";
  magic[3] = 'X';
  EXPECT_THAT(Run({"SET", "magic", magic}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "magic"}), ErrorIs(kNotHll));
  std::string enc2 = Header(2) + "\x7f\xff";
  EXPECT_THAT(Run({"SET", "enc2", enc2}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "enc2"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"PFDEBUG", "GETREG", "enc2"}), ErrorIs(kNotHll));
  EXPECT_THAT(Run({"PFCOUNT"}), ErrorIs("ERR wrong number of arguments for 'pfcount' command"));
  EXPECT_THAT(Run({"PFDEBUG", "GETREG"}),
              ErrorIs("ERR wrong number of arguments for 'pfdebug' command"));
}

// The scenarios of the fixture file, replayed: every GET must match Redis's bytes.
TEST_F(HyperLogLogFamilyTest, SameBytesAsRedis) {
  Fixtures f = LoadFixtures();
  ASSERT_EQ(f.values.size(), 10u) << "fixture file missing";
  auto expect_value = [&](const std::string& label, const std::string& key) {
    ASSERT_TRUE(f.values.count(label)) << label;
    EXPECT_EQ(ToHex(Get(key)), ToHex(f.values[label])) << label;
  };
  auto expect_count = [&](const std::string& label, std::initializer_list<std::string_view> keys) {
    std::vector<std::string> args = {"PFCOUNT"};
    args.insert(args.end(), keys.begin(), keys.end());
    EXPECT_THAT(Run(args), IntIs(f.counts[label])) << label;
  };
  PfAdd("a", Names("e", 0, 100));
  expect_value("a_stale", "a");
  expect_count("a", {"a"});
  expect_value("a_cached", "a");
  for (int j = 0; j < 50; ++j) PfAdd("b", Names("e", j * 100, (j + 1) * 100));
  expect_value("b_stale", "b");
  expect_count("b", {"b"});
  expect_value("b_cached", "b");
  PfAdd("c", Names("x", 0, 300));
  EXPECT_THAT(Run({"PFMERGE", "m", "a", "c"}), IsOk());
  expect_value("m", "m");
  expect_count("m", {"m"});
  EXPECT_THAT(Run({"PFMERGE", "d", "a", "b"}), IsOk());
  expect_value("d", "d");
  expect_count("d", {"d"});
  expect_count("abc", {"a", "b", "c"});
  std::vector<std::string> binary;
  for (int n = 0; n <= 20; ++n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
    binary.push_back(s);
  }
  binary.push_back(std::string("\xff\xfe\x00z\xff\xfe\x00z\xff\xfe\x00z", 12));
  PfAdd("f", binary);
  expect_value("f", "f");
  expect_count("f", {"f"});
  for (int i = 0; i < 1500; ++i) PfAdd("g", {"g" + std::to_string(i)});
  expect_value("g", "g");
  expect_count("g", {"g"});
  server_.config_.hll_sparse_max_bytes = 200;
  for (int i = 0; i < 120; ++i) PfAdd("h", {"h" + std::to_string(i)});
  server_.config_.hll_sparse_max_bytes = 3000;
  expect_value("h", "h");
  expect_count("h", {"h"});
  PfAdd("i", {"e1", "e2", "zz"});
  EXPECT_THAT(Run({"PFMERGE", "i", "c"}), IsOk());
  expect_value("i", "i");
  expect_count("i", {"i"});
}

// Redis's bytes SET into Gannet count the same, stale or cached, sparse or dense.
TEST_F(HyperLogLogFamilyTest, RedisValuesCountTheSame) {
  Fixtures f = LoadFixtures();
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"a_stale", "a"}, {"a_cached", "a"}, {"b_stale", "b"}, {"b_cached", "b"}, {"m", "m"},
      {"d", "d"},       {"f", "f"},        {"g", "g"},       {"h", "h"},        {"i", "i"}};
  for (const auto& [label, count_label] : pairs) {
    ASSERT_TRUE(f.values.count(label)) << label;
    EXPECT_THAT(Run({"SET", "k", f.values[label]}), IsOk());
    EXPECT_THAT(Run({"PFCOUNT", "k"}), IntIs(f.counts[count_label])) << label;
    // The second count comes from the cache the first one stored.
    EXPECT_THAT(Run({"PFCOUNT", "k"}), IntIs(f.counts[count_label])) << label;
  }
  // The union of Redis-made values.
  EXPECT_THAT(Run({"SET", "a", f.values["a_stale"]}), IsOk());
  EXPECT_THAT(Run({"SET", "b", f.values["b_cached"]}), IsOk());
  PfAdd("c", Names("x", 0, 300));
  EXPECT_THAT(Run({"PFCOUNT", "a", "b", "c"}), IntIs(f.counts["abc"]));
  // Continuing to add to a Redis-made value keeps matching Redis's bytes.
  EXPECT_THAT(Run({"SET", "m2", f.values["a_stale"]}), IsOk());
  EXPECT_THAT(Run({"PFMERGE", "m2", "c"}), IsOk());
  EXPECT_EQ(ToHex(Get("m2")), ToHex(f.values["m"]));
}

TEST_F(HyperLogLogFamilyTest, EstimatorExtremes) {
  // Every register at 63 (only a forged value can do that): Redis answers LLONG_MIN.
  EXPECT_THAT(Run({"SET", "d63", Header(0) + std::string(12288, '\xff')}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "d63"}), IntIs(INT64_MIN));
  EXPECT_THAT(Run({"PFADD", "d63", "x"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "d0", Header(0) + std::string(12288, '\0')}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "d0"}), IntIs(0));
  // 16384 registers at 31 through VAL runs (value from redis-server 7.0.15).
  EXPECT_THAT(Run({"SET", "v31", Header(1) + std::string(4096, '\xfb')}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "v31"}), IntIs(25380159564675LL));
}

// Hostile sparse payloads: runs that do not add up, overflow a 32-bit index, or stop
// mid-opcode. Nothing may read or write outside the value (ASan checks the run).
TEST_F(HyperLogLogFamilyTest, CorruptedSparseValues) {
  // Runs covering more than 16384 registers (two full XZEROs).
  EXPECT_THAT(Run({"SET", "over", Header(1) + "\x7f\xff\x7f\xff"}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "over"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFCOUNT", "over", "x"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFMERGE", "m", "over"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"EXISTS", "m"}), IntIs(0));
  EXPECT_THAT(Run({"PFADD", "over", "a"}), IntIs(1));  // the first run covers it, as Redis
  EXPECT_THAT(Run({"PFDEBUG", "GETREG", "over"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFDEBUG", "DECODE", "over"}), BulkIs("Z:12711 v:2,1 Z:3672 Z:16384"));
  // Too few registers.
  EXPECT_THAT(Run({"SET", "short", Header(1) + "\x40\x63"}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "short"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFADD", "short", "a"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFADD", "short", "a", "b", "c", "d", "e", "f", "g", "h"}), ErrorIs(kCorrupt));
  // An XZERO cut after its first byte: Redis reads the string's terminator as its second
  // byte (a run of 16129); we give the same answers without reading past the value.
  EXPECT_THAT(Run({"SET", "lone", Header(1) + "\x7f"}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "lone"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFCOUNT", "lone", "x"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFDEBUG", "DECODE", "lone"}), BulkIs("Z:16129"));
  EXPECT_THAT(Run({"PFADD", "lone", "a"}), IntIs(1));
  EXPECT_THAT(Run({"GET", "lone"}), BulkIs(Header(1) + "\x71\xa6\x84\x4d"));
  EXPECT_THAT(Run({"PFDEBUG", "TODENSE", "lone"}), ErrorIs(kCorrupt));
  // (Redis then decodes the new cut XZERO with a stale byte left past its string's end,
  // "Z:3417"; we read 0 there as for any cut XZERO.)
  EXPECT_THAT(Run({"PFDEBUG", "DECODE", "lone"}), BulkIs("Z:12711 v:2,1 Z:3329"));
  EXPECT_THAT(Run({"PFCOUNT", "lone"}), ErrorIs(kCorrupt));
  // VAL runs far past the last register (CVE-2019-10192/10193: merge and to-dense wrote
  // past the register array).
  EXPECT_THAT(Run({"SET", "vals", Header(1) + std::string(5000, '\xff')}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "vals"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFCOUNT", "vals", "x"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFMERGE", "vv", "vals"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFDEBUG", "GETREG", "vals"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFADD", "vals", "a", "b", "c"}), IsInt());
  // CVE-2025-32023: enough XZERO runs to overflow a 32-bit register index (2^31 / 16384 =
  // 131072 runs), then a VAL run that a wrapped index would write at a negative offset.
  std::string huge = Header(1);
  for (int i = 0; i < 140000; ++i) huge += "\x7f\xff";
  huge += "\x80";
  EXPECT_THAT(Run({"SET", "huge", huge}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "huge"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFCOUNT", "huge", "x"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFMERGE", "hm", "huge"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFDEBUG", "TODENSE", "huge"}), ErrorIs(kCorrupt));
  // The split would grow the value past hll-sparse-max-bytes: the promotion finds the runs
  // corrupted (Redis answers the same).
  EXPECT_THAT(Run({"PFADD", "huge", "a"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFCOUNT", "huge"}), ErrorIs(kCorrupt));
  // The same with ZERO runs only (one byte each), and a run past the end mid-merge.
  std::string zeros = Header(1) + std::string(300000, '\x3f') + "\x83";
  EXPECT_THAT(Run({"SET", "zeros", zeros}), IsOk());
  EXPECT_THAT(Run({"PFCOUNT", "zeros", "a"}), ErrorIs(kCorrupt));
  EXPECT_THAT(Run({"PFMERGE", "zeros", "a"}), ErrorIs(kCorrupt));
  // Random garbage after a valid header never crashes.
  std::string garbage = Header(1);
  uint32_t x = 12345;
  for (int round = 0; round < 200; ++round) {
    garbage.resize(16);
    const int len = 1 + round * 3;
    for (int i = 0; i < len; ++i) {
      x = x * 1103515245 + 12345;
      garbage.push_back(static_cast<char>(x >> 16));
    }
    ASSERT_THAT(Run({"SET", "g", garbage}), IsOk());
    RespValue r = Run({"PFADD", "g", "a", "b", std::to_string(round)});
    EXPECT_TRUE(r.type == RespType::kInteger || r.IsError());
    r = Run({"PFCOUNT", "g", "other"});
    EXPECT_TRUE(r.type == RespType::kInteger || r.IsError());
    r = Run({"PFMERGE", "g2", "g"});
    EXPECT_TRUE(r.type == RespType::kSimple || r.IsError());
    r = Run({"PFDEBUG", "GETREG", "g"});
    EXPECT_TRUE(r.type == RespType::kArray || r.IsError());
  }
}

// Sparse values grow to dense exactly at hll-sparse-max-bytes, as in Redis.
TEST_F(HyperLogLogFamilyTest, PromotionFollowsConfig) {
  server_.config_.hll_sparse_max_bytes = 0;
  EXPECT_THAT(Run({"PFADD", "h", "a"}), IntIs(1));
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "h"}), SimpleIs("dense"));
  server_.config_.hll_sparse_max_bytes = 3000;
  for (int i = 0; i < 3000; ++i) PfAdd("s", {"s" + std::to_string(i)});
  RespValue enc = Run({"PFDEBUG", "ENCODING", "s"});
  if (enc.text() == "sparse") {
    EXPECT_LE(Get("s").size(), 3000u);
  }
  for (int i = 3000; i < 6000; ++i) PfAdd("s", {"s" + std::to_string(i)});
  EXPECT_THAT(Run({"PFDEBUG", "ENCODING", "s"}), SimpleIs("dense"));
  RespValue c = Run({"PFCOUNT", "s"});
  EXPECT_NEAR(static_cast<double>(c.integer), 6000.0, 6000 * 0.05);
}

}  // namespace
}  // namespace gannet
