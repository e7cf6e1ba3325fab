// The RDB codec (src/persistence/rdb_{writer,reader}.cc, lzf.cc): every type and encoding
// round-trips through DUMP/RESTORE payloads and whole files; payloads captured from
// redis-server 7.0.15 decode; the legacy encodings Redis still loads (ziplist, zipmap,
// quicklist v1, string-score zsets, RDB 9 files) decode; loaded values respect the
// encoding thresholds; and hostile input (truncation at every byte, flipped bytes, huge
// length fields, duplicates, unsorted compact encodings) is refused with an offset and a
// reason, never a crash.
#include "gannet/persistence/rdb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gannet/common/clock.h"
#include "gannet/common/crc64.h"
#include "gannet/common/lzf.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/keyspace.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/stream_object.h"
#include "gannet/engine/zset_object.h"
#include "rdb_describe.h"

namespace gannet {
namespace {

using rdbtest::DescribeValue;

constexpr int64_t kNow = 1'700'000'000'000;

std::string Unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// ---- value builders ----

Value List(const std::vector<std::string>& items, int fill = -2) {
  auto l = std::make_unique<ListObject>(fill);
  for (const auto& s : items) l->PushBack(s);
  return Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(l));
}

Value Set(const std::vector<std::string>& members) {
  auto s = std::make_unique<SetObject>();
  for (const auto& m : members) s->Add(m, 512);
  return Value::Object(std::move(*s));
}

Value ZSet(const std::vector<std::pair<std::string, double>>& items) {
  ZSetObject::Limits limits;
  auto z = std::make_unique<ZSetObject>(limits, items.empty() ? 0 : items[0].first.size());
  for (const auto& [m, s] : items) z->Add(m, s, 0, limits);
  return Value::Object(std::move(*z));
}

Value Hash(const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto h = std::make_unique<HashObject>();
  for (const auto& [f, v] : pairs) h->Set(f, v, {512, 64});
  return Value::Object(std::move(*h));
}

Value Stream(bool with_groups) {
  auto s = std::make_unique<StreamObject>(4096, 100);
  for (uint64_t i = 1; i <= 250; ++i) {
    const std::string v = "value-" + std::to_string(i);
    std::vector<std::string_view> fv = {"field", v, "n", "7"};
    if (i % 3 == 0) fv = {"other", v};
    s->Append(StreamID{1000 + i / 2, i}, fv);
  }
  s->Delete(StreamID{1000 + 5 / 2, 5});
  s->Delete(StreamID{1000 + 1 / 2, 1});
  if (with_groups) {
    StreamGroup* g = s->CreateGroup("g1", StreamID{1010, 20}, 18);
    bool created;
    StreamConsumer* c1 = g->GetOrCreateConsumer("alice", kNow - 5000, &created);
    StreamConsumer* c2 = g->GetOrCreateConsumer("bob", kNow - 7000, &created);
    for (uint64_t i = 10; i < 20; ++i) {
      StreamID id{1000 + i / 2, i};
      StreamConsumer* c = i % 2 ? c1 : c2;
      g->pel[id] = StreamPendingEntry{kNow - static_cast<int64_t>(i), i, c};
      c->pel.insert(id);
    }
    g->GetOrCreateConsumer("idle", kNow - 1, &created);
    s->CreateGroup("empty-group", StreamID{0, 0}, kInvalidEntriesRead);
  }
  return Value::Object(ValueType::kStream, Encoding::kStream, std::move(s));
}

std::vector<std::pair<std::string, Value>> Samples() {
  std::vector<std::pair<std::string, Value>> out;
  out.emplace_back("int", Value::String("12345"));
  out.emplace_back("negint", Value::String("-9223372036854775808"));
  out.emplace_back("embstr", Value::String("hello world"));
  out.emplace_back("empty", Value::String(""));
  out.emplace_back("raw", Value::String(std::string(300, 'a') + "tail"));
  std::string random_bytes;
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) random_bytes.push_back(static_cast<char>(rng()));
  out.emplace_back("binary", Value::String(random_bytes));
  Value appended = Value::String("abc");
  appended.Append("def");
  out.emplace_back("raw-label", std::move(appended));
  out.emplace_back("list-small", List({"a", "b", "1", "-5", "", std::string(100, 'z')}));
  std::vector<std::string> many;
  for (int i = 0; i < 5000; ++i) many.push_back("element-" + std::to_string(i));
  out.emplace_back("list-big", List(many));
  out.emplace_back("list-count-fill", List(many, 5));
  out.emplace_back("list-huge-element", List({"x", std::string(20000, 'q'), "y"}));
  out.emplace_back("set-intset16", Set({"1", "2", "-3"}));
  out.emplace_back("set-intset64", Set({"1", "-9223372036854775808", "9223372036854775807"}));
  out.emplace_back("set-hashtable", Set({"a", "b", "c", "1"}));
  std::vector<std::string> ints;
  for (int i = 0; i < 600; ++i) ints.push_back(std::to_string(i * 3));
  out.emplace_back("set-big-ints", Set(ints));
  out.emplace_back("zset-listpack", ZSet({{"a", 1},
                                          {"b", 2.5},
                                          {"c", -1e300},
                                          {"d", 1e16},
                                          {"inf", INFINITY},
                                          {"ninf", -INFINITY},
                                          {"7", 7}}));
  std::vector<std::pair<std::string, double>> zbig;
  for (int i = 0; i < 300; ++i) zbig.emplace_back("m" + std::to_string(i), i * 0.5);
  out.emplace_back("zset-skiplist", ZSet(zbig));
  out.emplace_back("zset-long-member", ZSet({{std::string(100, 'm'), 1}}));
  out.emplace_back("hash-listpack", Hash({{"f", "v"}, {"n", "7"}, {"neg", "-100000"}}));
  std::vector<std::pair<std::string, std::string>> hbig;
  for (int i = 0; i < 1000; ++i) hbig.emplace_back("f" + std::to_string(i), std::to_string(i));
  out.emplace_back("hash-hashtable", Hash(hbig));
  out.emplace_back("hash-long-value", Hash({{"f", std::string(100, 'v')}}));
  out.emplace_back("stream", Stream(false));
  out.emplace_back("stream-groups", Stream(true));
  {
    auto s = std::make_unique<StreamObject>(4096, 100);
    s->CreateGroup("g", StreamID{0, 0}, 0);
    out.emplace_back("stream-empty",
                     Value::Object(ValueType::kStream, Encoding::kStream, std::move(s)));
  }
  return out;
}

// ---- CRC and LZF ----

TEST(Crc64Test, CheckValue) {
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  // Incremental == one shot, at every split and unaligned length.
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  const uint64_t whole = Crc64(0, data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(Crc64(Crc64(0, data.data(), split), data.data() + split, data.size() - split), whole);
  }
}

TEST(LzfTest, RoundTrips) {
  LzfScratch scratch;
  std::mt19937 rng(1);
  for (int round = 0; round < 200; ++round) {
    std::string in;
    const size_t n = 21 + rng() % 20000;
    const int alphabet = 1 + static_cast<int>(rng() % 8);
    for (size_t i = 0; i < n; ++i) in.push_back(static_cast<char>('a' + rng() % alphabet));
    std::string out(n, '\0');
    const size_t c = LzfCompress(in.data(), n, out.data(), n - 4, scratch);
    if (c == 0) continue;
    std::string back(n, '\0');
    ASSERT_TRUE(LzfDecompress(out.data(), c, back.data(), n)) << round;
    ASSERT_EQ(back, in);
    // Wrong claimed length and truncation are refused.
    EXPECT_FALSE(LzfDecompress(out.data(), c, back.data(), n - 1));
    EXPECT_FALSE(LzfDecompress(out.data(), c - 1, back.data(), n));
  }
}

TEST(LzfTest, DecodesRedisOutput) {
  // redis-server 7.0.15: DUMP of SET big <100 x 'x'> holds this LZF body.
  const std::string comp = Unhex("017878e0570001787800");
  std::string out(100, '\0');
  ASSERT_TRUE(LzfDecompress(comp.data(), 9, out.data(), 100));
  EXPECT_EQ(out, std::string(100, 'x'));
}

TEST(LzfTest, HostileInput) {
  std::string out(64, '\0');
  // A back-reference before the start of the output.
  EXPECT_FALSE(LzfDecompress("\x20\x05", 2, out.data(), 10));
  // A literal run past the input.
  EXPECT_FALSE(
      LzfDecompress("\x1f"
                    "abc",
                    4, out.data(), 32));
  // Output longer than claimed.
  EXPECT_FALSE(
      LzfDecompress("\x03"
                    "abcd",
                    5, out.data(), 3));
  // A reference missing its offset byte.
  EXPECT_FALSE(
      LzfDecompress("\x00"
                    "a\xe0",
                    3, out.data(), 20));
}

// ---- DUMP / RESTORE ----

TEST(RdbPayloadTest, EveryTypeRoundTrips) {
  for (auto& [name, v] : Samples()) {
    for (bool compress : {true, false}) {
      const std::string payload = DumpPayload(v, compress);
      Value back;
      std::string error;
      ASSERT_TRUE(RestorePayload(payload, &back, &error)) << name << ": " << error;
      // A string comes back labelled as Redis's loader labels it (an APPENDed "raw"
      // string of 6 bytes loads as "embstr" in Redis too).
      const Value& expected_v = v;
      if (v.IsString()) {
        EXPECT_EQ(DescribeValue(back), DescribeValue(Value::String(v.AsString()))) << name;
      } else {
        EXPECT_EQ(DescribeValue(back), DescribeValue(expected_v)) << name;
      }
      // Deterministic: dumping the restored value gives the same bytes (hash tables
      // iterate in a per-object random order, so only their contents compare).
      if (v.encoding() != Encoding::kHashtable && v.type() != ValueType::kStream) {
        EXPECT_EQ(DumpPayload(back, compress), payload) << name;
      }
    }
  }
}

TEST(RdbPayloadTest, CompressionShrinksLongStrings) {
  Value v = Value::String(std::string(1000, 'a'));
  EXPECT_LT(DumpPayload(v, true).size(), 100u);
  EXPECT_GT(DumpPayload(v, false).size(), 1000u);
}

struct Golden {
  const char* name;
  const char* hex;
  const char* expected;  // DescribeValue of the decoded value
  bool same_bytes;       // our DUMP of it is byte-identical
};

// Captured from redis-server 7.0.15 (DUMP after the commands in each comment).
const Golden kGolden[] = {
    // SET s hello
    {"s", "000568656c6c6f0a006372df766534200a",
     R"({"type":"string","encoding":"embstr","value":"68656c6c6f"})", true},
    // SET i 12345
    {"i", "00c139300a009d94ea2793fc08b9",
     R"({"type":"string","encoding":"int","value":"3132333435"})", true},
    // SET big <'x' x 100>
    {"big", "00c3094064017878e057000178780a005db7f663bb08625f",
     R"({"type":"string","encoding":"raw","value":")" /* filled below */ "\"}", false},
    // RPUSH l a b 1 -5
    {"l", "120102121200000004008161028162020101dffb02ff0a00ea1d4a4b23de32d3",
     R"({"type":"list","encoding":"quicklist","value":["61","62","31","2d35"]})", true},
    // SADD si 1 2 3
    {"si", "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b",
     R"({"type":"set","encoding":"intset","value":["31","32","33"]})", true},
    // SADD ss a b
    {"ss", "0202016101620a00fe642125eb033d0d",
     R"({"type":"set","encoding":"hashtable","value":["61","62"]})", false},
    // ZADD z 1 a 2.5 b
    {"z", "1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7",
     R"({"type":"zset","encoding":"listpack","value":[["61","1"],["62","2.5"]]})", true},
    // HSET h f v n 7
    {"h", "1012120000000400816602817602816e020701ff0a00b82adea8407ffaa8",
     R"({"type":"hash","encoding":"listpack","value":[["66","76"],["6e","37"]]})", true},
};

TEST(RdbPayloadTest, DecodesRedisPayloads) {
  for (const Golden& g : kGolden) {
    const std::string payload = Unhex(g.hex);
    Value v;
    std::string error;
    ASSERT_TRUE(RestorePayload(payload, &v, &error)) << g.name << ": " << error;
    std::string expected = g.expected;
    if (std::string_view(g.name) == "big") {
      expected = R"({"type":"string","encoding":"raw","value":)" +
                 rdbtest::Hex(std::string(100, 'x')) + "}";
    }
    EXPECT_EQ(DescribeValue(v), expected) << g.name;
    if (g.same_bytes) {
      EXPECT_EQ(DumpPayload(v), payload) << g.name;
    }
  }
}

TEST(RdbPayloadTest, DecodesRedisStreamPayload) {
  // XADD x 1-1 f v; XADD x 1-2 f w; XGROUP CREATE x g 0;
  // XREADGROUP GROUP g c COUNT 1 STREAMS x >
  const std::string payload = Unhex(
      "1301100000000000000001000000000000000128280000000f00020100010101816602000102010001000181"
      "760204010201000101018177020401ff0201020101000002010167010101010000000000000001000000000000"
      "000102505003a20100000101016302505003a201000001000000000000000100000000000000010a005fdc95"
      "087f3d4384");
  Value v;
  std::string error;
  ASSERT_TRUE(RestorePayload(payload, &v, &error)) << error;
  ASSERT_EQ(v.type(), ValueType::kStream);
  const auto* s = v.As<StreamObject>();
  EXPECT_EQ(s->length(), 2u);
  EXPECT_EQ(s->last_id(), (StreamID{1, 2}));
  EXPECT_EQ(s->entries_added(), 2u);
  StreamObject::FieldList fields;
  ASSERT_TRUE(s->Lookup(StreamID{1, 2}, &fields));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].second, "w");
  StreamGroup* g = s->FindGroup("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->last_id, (StreamID{1, 1}));
  EXPECT_EQ(g->entries_read, 1);
  ASSERT_EQ(g->pel.size(), 1u);
  EXPECT_EQ(g->pel.begin()->first, (StreamID{1, 1}));
  ASSERT_NE(g->pel.begin()->second.consumer, nullptr);
  EXPECT_EQ(g->pel.begin()->second.consumer->name, "c");
  // And back: our payload of it restores to the same thing.
  Value again;
  ASSERT_TRUE(RestorePayload(DumpPayload(v), &again, &error)) << error;
  EXPECT_EQ(DescribeValue(again), DescribeValue(v));
}

TEST(RdbPayloadTest, RefusesBadFooterAndBody) {
  std::string error;
  Value v;
  const std::string good = DumpPayload(Value::String("hello"));
  EXPECT_FALSE(RestorePayload("", &v, &error));
  EXPECT_EQ(error, "ERR DUMP payload version or checksum are wrong");
  std::string bad = good;
  bad[bad.size() - 1] ^= 1;  // CRC
  EXPECT_FALSE(RestorePayload(bad, &v, &error));
  EXPECT_EQ(error, "ERR DUMP payload version or checksum are wrong");
  bad = good;
  bad[2] ^= 1;  // body
  EXPECT_FALSE(RestorePayload(bad, &v, &error));
  EXPECT_EQ(error, "ERR DUMP payload version or checksum are wrong");
  // Version 11 with a valid CRC.
  bad = good.substr(0, good.size() - 10) + std::string("\x0b\x00", 2);
  const uint64_t crc = Crc64(0, bad.data(), bad.size());
  for (int i = 0; i < 8; ++i) bad.push_back(static_cast<char>(crc >> (8 * i)));
  EXPECT_FALSE(RestorePayload(bad, &v, &error));
  EXPECT_EQ(error, "ERR DUMP payload version or checksum are wrong");
}

// A payload with a valid footer around `body` (type byte + value).
std::string WithFooter(std::string body, int version = 10) {
  body.push_back(static_cast<char>(version));
  body.push_back(0);
  const uint64_t crc = Crc64(0, body.data(), body.size());
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>(crc >> (8 * i)));
  return body;
}

std::string RdbStr(std::string_view s) {
  std::string out;
  if (s.size() < 64) {
    out.push_back(static_cast<char>(s.size()));
  } else {
    out.push_back(static_cast<char>(0x80));
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(s.size() >> (8 * i)));
  }
  return out + std::string(s);
}

void ExpectBadFormat(const std::string& body, const char* what) {
  Value v;
  std::string error;
  EXPECT_FALSE(RestorePayload(WithFooter(body), &v, &error)) << what;
  EXPECT_EQ(error, "ERR Bad data format") << what;
}

TEST(RdbPayloadTest, RefusesHostileBodies) {
  ExpectBadFormat("", "no type");
  ExpectBadFormat(std::string("\x2a", 1), "unknown type");
  ExpectBadFormat(std::string("\x07", 1) + "\x01", "module");
  // A string claiming 4 GB with 3 bytes present.
  ExpectBadFormat(std::string("\x00\x80\xff\xff\xff\xff", 6) + "abc", "huge string");
  // A 64-bit length.
  ExpectBadFormat(std::string("\x00\x81\xff\xff\xff\xff\xff\xff\xff\xff", 10), "huge 64-bit");
  // LZF claiming an impossible ratio.
  ExpectBadFormat(std::string("\x00\xc3\x02\x80\x7f\xff\xff\xff\x00"
                              "a",
                              10),
                  "lzf ratio");
  // A list claiming 2^32 elements.
  ExpectBadFormat(std::string("\x01\x80\xff\xff\xff\xff", 6) + RdbStr("a"), "huge list");
  // Empty collections.
  ExpectBadFormat(std::string("\x01\x00", 2), "empty list");
  ExpectBadFormat(std::string("\x02\x00", 2), "empty set");
  // Duplicates.
  ExpectBadFormat(std::string("\x02\x02", 2) + RdbStr("a") + RdbStr("a"), "dup set");
  ExpectBadFormat(
      std::string("\x04\x02", 2) + RdbStr("f") + RdbStr("1") + RdbStr("f") + RdbStr("2"),
      "dup hash");
  ExpectBadFormat(std::string("\x05\x02", 2) + RdbStr("m") + std::string(8, '\0') + RdbStr("m") +
                      std::string(8, '\0'),
                  "dup zset");
  // NaN score.
  std::string nan_bits(8, '\0');
  const double nan = std::nan("");
  std::memcpy(nan_bits.data(), &nan, 8);
  ExpectBadFormat(std::string("\x05\x01", 2) + RdbStr("m") + nan_bits, "nan");
  ExpectBadFormat(std::string("\x03\x01", 2) + RdbStr("m") + "\xfd", "nan string score");
  // A listpack hash with a duplicate field; an odd count; an unsorted zset listpack.
  auto lp = [](const std::vector<std::string>& items) {
    Listpack l;
    for (const auto& s : items) l.Append(s);
    return l.Serialize();
  };
  ExpectBadFormat(std::string("\x10", 1) + RdbStr(lp({"f", "1", "f", "2"})), "dup lp hash");
  ExpectBadFormat(std::string("\x10", 1) + RdbStr(lp({"f", "1", "g"})), "odd lp hash");
  ExpectBadFormat(std::string("\x11", 1) + RdbStr(lp({"a", "2", "b", "1"})), "unsorted zset");
  ExpectBadFormat(std::string("\x11", 1) + RdbStr(lp({"a", "x"})), "bad score");
  ExpectBadFormat(std::string("\x11", 1) + RdbStr(lp({"a", "1", "b", "2", "a", "3"})),
                  "dup zset lp");
  // Malformed listpack blocks (header, terminator, entries) for hashes, sorted sets and
  // list nodes: the in-memory form drops the header and terminator, so they are checked on
  // the way in.
  const std::string good = lp({"f", "1", "g", "hello"});
  std::vector<std::pair<std::string, std::string>> bad_blocks;
  {
    std::string b = good;
    b[0] = static_cast<char>(b[0] + 1);
    bad_blocks.emplace_back("total too big", b);
    b = good;
    b[0] = static_cast<char>(b[0] - 1);
    bad_blocks.emplace_back("total too small", b);
    b = good;
    b.back() = '\x01';
    bad_blocks.emplace_back("no terminator", b);
    b = good;
    b[4] = 5;
    bad_blocks.emplace_back("count mismatch", b);
    b = good.substr(0, 6);
    bad_blocks.emplace_back("header only", b);
    b = good.substr(0, good.size() - 2) + "\xff";
    b[0] = static_cast<char>(b.size());
    bad_blocks.emplace_back("cut entry", b);
    b = good;
    b[b.size() - 2] = '\x7f';  // the last entry's backlen
    bad_blocks.emplace_back("bad backlen", b);
    b = good;
    b[6 + 3 + 2] = '\xfe';  // an unknown encoding byte where "g" starts
    bad_blocks.emplace_back("bad encoding", b);
  }
  for (const auto& [what, block] : bad_blocks) {
    ExpectBadFormat(std::string("\x10", 1) + RdbStr(block), ("hash: " + what).c_str());
    ExpectBadFormat(std::string("\x11", 1) + RdbStr(block), ("zset: " + what).c_str());
    ExpectBadFormat(std::string("\x12\x01\x02", 3) + RdbStr(block), ("list: " + what).c_str());
  }
  // Intsets: unsorted, bad width, length mismatch.
  ExpectBadFormat(
      std::string("\x0b", 1) + RdbStr(std::string("\x02\0\0\0\x02\0\0\0\x05\0\x01\0", 12)),
      "unsorted intset");
  ExpectBadFormat(std::string("\x0b", 1) + RdbStr(std::string("\x03\0\0\0\x01\0\0\0\x05\0\0", 11)),
                  "intset width");
  ExpectBadFormat(std::string("\x0b", 1) + RdbStr(std::string("\x02\0\0\0\x09\0\0\0\x05\0", 10)),
                  "intset length");
  // Quicklist: unknown container, corrupt listpack.
  ExpectBadFormat(std::string("\x12\x01\x03", 3) + RdbStr("a"), "container");
  ExpectBadFormat(std::string("\x12\x01\x02", 3) + RdbStr("garbage-listpack"), "listpack");
}

// A listpack whose header count says "unknown" (65535, as Redis leaves it once a block has
// held that many entries) loads and counts right; like redis-server 7.0.15 (whose loader's
// lpLength rewrites the header, checked by RESTORE then DUMP there), we write the exact
// count back once it fits, so the DUMP is that of the same block with its true count.
TEST(RdbPayloadTest, UnknownListpackCountIsExactAfterLoad) {
  // A hash (type 16) and a sorted set (type 17) of two pairs each.
  const std::pair<char, std::vector<std::string>> cases[] = {{'\x10', {"f", "1", "g", "hello"}},
                                                             {'\x11', {"a", "1", "b", "2.5"}}};
  for (const auto& [type, items] : cases) {
    Listpack l;
    for (const auto& s : items) l.Append(s);
    const std::string exact = l.Serialize();
    std::string unknown = exact;
    unknown[4] = '\xff';
    unknown[5] = '\xff';
    Value v;
    std::string error;
    ASSERT_TRUE(RestorePayload(WithFooter(std::string(1, type) + RdbStr(unknown)), &v, &error))
        << error;
    EXPECT_EQ(v.encoding(), Encoding::kListpack);
    if (type == '\x10') {
      EXPECT_EQ(v.As<HashObject>()->size(), 2u);
    } else {
      EXPECT_EQ(v.As<ZSetObject>()->size(), 2u);
    }
    const std::string want = WithFooter(std::string(1, type) + RdbStr(exact));
    EXPECT_EQ(DumpPayload(v, false), want) << int{type};
    EXPECT_EQ(DumpPayload(v.Clone(), false), want) << int{type};
  }
}

// ---- compressed list nodes (list-compress-depth) ----

// A list of compressible elements with small nodes, interior ones compressed at depth.
std::unique_ptr<ListObject> CompressedList(int depth) {
  auto l = std::make_unique<ListObject>(16, depth);
  for (int i = 0; i < 2000; ++i) l->PushBack("compressible-element-" + std::to_string(i % 100));
  return l;
}

// Quicklist2 with one packed node stored as an LZF string (stream, inflated length).
std::string LzfNodeBody(std::string_view stream, size_t raw_len) {
  auto len = [](size_t n) {  // RDB lengths of 6 or 14 bits
    return n < 64 ? std::string(1, static_cast<char>(n))
                  : std::string{static_cast<char>(0x40 | (n >> 8)), static_cast<char>(n & 0xff)};
  };
  return std::string("\x12\x01\x02\xc3", 4) + len(stream.size()) + len(raw_len) +
         std::string(stream);
}

TEST(RdbPayloadTest, CompressedListNodesGoOutAsLzfStrings) {
  auto list = CompressedList(1);
  size_t compressed = 0;
  std::vector<std::string> streams;
  for (size_t i = 0; i < list->node_count(); ++i) {
    if (!list->node_compressed(i)) continue;
    ++compressed;
    streams.emplace_back(list->node(i).lzf_bytes());
  }
  ASSERT_GT(compressed, 100u);
  EXPECT_FALSE(list->node_compressed(0));
  EXPECT_FALSE(list->node_compressed(list->node_count() - 1));
  const Value v = Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(list));
  // As Redis: each compressed node is written as the LZF stream it holds, even with RDB
  // compression off.
  for (bool rdb_compression : {true, false}) {
    const std::string payload = DumpPayload(v, rdb_compression);
    for (const std::string& z : streams) {
      EXPECT_NE(payload.find(z), std::string::npos) << rdb_compression;
    }
  }
  const std::string payload = DumpPayload(v);
  // A server at depth 0 loads every node raw; one at depth 1 compresses them again.
  Value back;
  std::string error;
  ASSERT_TRUE(RestorePayload(payload, &back, &error)) << error;
  const auto* flat = back.As<ListObject>();
  EXPECT_EQ(flat->compress_depth(), 0);
  for (size_t i = 0; i < flat->node_count(); ++i) EXPECT_FALSE(flat->node_compressed(i));
  EXPECT_EQ(DescribeValue(back), DescribeValue(v));
  RdbEncodingLimits deep;
  deep.list_max_listpack_size = 16;
  deep.list_compress_depth = 1;
  Value again;
  ASSERT_TRUE(RestorePayload(payload, &again, &error, deep)) << error;
  const auto* l = again.As<ListObject>();
  EXPECT_EQ(l->compress_depth(), 1);
  EXPECT_EQ(l->node_count(), v.As<ListObject>()->node_count());
  EXPECT_TRUE(l->CompressionInvariantHolds());
  EXPECT_TRUE(l->node_compressed(1));
  EXPECT_EQ(DescribeValue(again), DescribeValue(v));
  EXPECT_EQ(again.MemoryUsage(), v.MemoryUsage());
}

TEST(RdbPayloadTest, CorruptCompressedListNodeIsRefused) {
  // A good node first: the LZF stream of a one-element listpack.
  Listpack lp;
  lp.Append(std::string(60, 'z'));
  ListNode node(lp.Clone());
  ASSERT_TRUE(node.Compress());
  const std::string good = LzfNodeBody(node.lzf_bytes(), lp.bytes_size());
  Value v;
  std::string error;
  ASSERT_TRUE(RestorePayload(WithFooter(good), &v, &error)) << error;
  EXPECT_EQ(v.As<ListObject>()->Get(0), std::string(60, 'z'));
  // A back-reference before the start; a stream short of the claimed length; one that
  // inflates to bytes that are no listpack; a good stream with a wrong inflated length.
  ExpectBadFormat(LzfNodeBody("\x20\x05", 10), "lzf reference");
  ExpectBadFormat(LzfNodeBody(std::string("\x02"
                                          "abc",
                                          4),
                              5),
                  "lzf short");
  ExpectBadFormat(LzfNodeBody(std::string("\x06"
                                          "garbage",
                                          8),
                              7),
                  "not a listpack");
  ExpectBadFormat(LzfNodeBody(node.lzf_bytes(), lp.bytes_size() - 1), "wrong length");
  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 0x55;  // inside the stream
  Value out;
  EXPECT_FALSE(RestorePayload(WithFooter(flipped), &out, &error));
}

TEST(RdbPayloadTest, TruncationAndBitFlipsNeverCrash) {
  for (auto& [name, v] : Samples()) {
    const std::string payload = DumpPayload(v);
    const std::string body = payload.substr(0, payload.size() - 10);
    Value out;
    std::string error;
    for (size_t cut = 0; cut < body.size(); cut += 1 + body.size() / 150) {
      EXPECT_FALSE(RestorePayload(WithFooter(body.substr(0, cut)), &out, &error))
          << name << " cut " << cut;
    }
    std::mt19937 rng(static_cast<unsigned>(body.size()));
    for (int i = 0; i < 150; ++i) {
      std::string b = body;
      b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
      if (rng() % 2) b[rng() % b.size()] = static_cast<char>(rng());
      if (RestorePayload(WithFooter(b), &out, &error)) {
        (void)DescribeValue(out);  // whatever loaded must be usable
      }
    }
  }
}

// ---- legacy encodings (what older Redis versions wrote; 7.0 still loads them) ----

// A ziplist of the given entries (strings, or integers when `ints` says so).
std::string Ziplist(const std::vector<std::string>& items) {
  std::string entries;
  size_t prev = 0;
  for (const auto& s : items) {
    std::string e;
    if (prev < 254) {
      e.push_back(static_cast<char>(prev));
    } else {
      e.push_back('\xfe');
      for (int i = 0; i < 4; ++i) e.push_back(static_cast<char>(prev >> (8 * i)));
    }
    int64_t v;
    if (IsCanonicalInt64(s, &v) && v >= 0 && v <= 12) {
      e.push_back(static_cast<char>(0xf1 + v));
    } else if (IsCanonicalInt64(s, &v) && v >= INT16_MIN && v <= INT16_MAX) {
      e.push_back('\xc0');
      e.push_back(static_cast<char>(v & 0xff));
      e.push_back(static_cast<char>((v >> 8) & 0xff));
    } else if (IsCanonicalInt64(s, &v)) {
      e.push_back('\xe0');
      for (int i = 0; i < 8; ++i) e.push_back(static_cast<char>(v >> (8 * i)));
    } else if (s.size() < 64) {
      e.push_back(static_cast<char>(s.size()));
      e += s;
    } else {
      e.push_back(static_cast<char>(0x40 | (s.size() >> 8)));
      e.push_back(static_cast<char>(s.size() & 0xff));
      e += s;
    }
    prev = e.size();
    entries += e;
  }
  std::string zl(10, '\0');
  const size_t total = 10 + entries.size() + 1;
  const size_t tail = items.empty() ? 10 : total - 1 - prev;
  for (int i = 0; i < 4; ++i) zl[i] = static_cast<char>(total >> (8 * i));
  for (int i = 0; i < 4; ++i) zl[4 + i] = static_cast<char>(tail >> (8 * i));
  zl[8] = static_cast<char>(items.size() & 0xff);
  zl[9] = static_cast<char>(items.size() >> 8);
  return zl + entries + "\xff";
}

std::string Zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string zm(1, static_cast<char>(pairs.size()));
  for (const auto& [f, v] : pairs) {
    zm.push_back(static_cast<char>(f.size()));
    zm += f;
    zm.push_back(static_cast<char>(v.size()));
    zm.push_back('\x02');  // free bytes after the value
    zm += v + "..";
  }
  return zm + "\xff";
}

Value MustRestore(const std::string& body, int version = 9) {
  Value v;
  std::string error;
  EXPECT_TRUE(RestorePayload(WithFooter(body, version), &v, &error)) << error;
  return v;
}

TEST(RdbLegacyTest, Ziplists) {
  const std::vector<std::string> items = {
      "a", "12", "-70000", "9223372036854775807", std::string(100, 'b'), "", "5"};
  Value l = MustRestore(std::string("\x0a", 1) + RdbStr(Ziplist(items)));
  EXPECT_EQ(DescribeValue(l), DescribeValue(List(items)));
  // Quicklist v1: nodes of ziplists.
  Value q = MustRestore(std::string("\x0e\x02", 2) + RdbStr(Ziplist({"a", "b"})) +
                        RdbStr(Ziplist({"c", "4"})));
  EXPECT_EQ(DescribeValue(q), DescribeValue(List({"a", "b", "c", "4"})));
  // Hash and zset ziplists.
  Value h = MustRestore(std::string("\x0d", 1) + RdbStr(Ziplist({"f", "v", "n", "7"})));
  EXPECT_EQ(DescribeValue(h), DescribeValue(Hash({{"f", "v"}, {"n", "7"}})));
  Value z = MustRestore(std::string("\x0c", 1) + RdbStr(Ziplist({"a", "1", "b", "2.5"})));
  EXPECT_EQ(DescribeValue(z), DescribeValue(ZSet({{"a", 1}, {"b", 2.5}})));
  // Corrupt ziplists are refused: bad total, bad prevlen, missing terminator.
  std::string zl = Ziplist({"a", "b"});
  std::string bad = zl;
  bad[0]++;
  ExpectBadFormat(std::string("\x0a", 1) + RdbStr(bad), "total");
  bad = zl;
  bad[10 + 3] = 9;  // the second entry's prevlen
  ExpectBadFormat(std::string("\x0a", 1) + RdbStr(bad), "prevlen");
  bad = zl;
  bad.back() = 'x';
  ExpectBadFormat(std::string("\x0a", 1) + RdbStr(bad), "terminator");
}

TEST(RdbLegacyTest, ZipmapAndPlainEncodings) {
  Value h = MustRestore(std::string("\x09", 1) + RdbStr(Zipmap({{"f", "v"}, {"g", "12"}})));
  EXPECT_EQ(DescribeValue(h), DescribeValue(Hash({{"f", "v"}, {"g", "12"}})));
  // RDB_TYPE_LIST (linked list), RDB_TYPE_ZSET (string scores).
  Value l = MustRestore(std::string("\x01\x02", 2) + RdbStr("x") + RdbStr("y"));
  EXPECT_EQ(DescribeValue(l), DescribeValue(List({"x", "y"})));
  Value z = MustRestore(std::string("\x03\x03", 2) + RdbStr("a") +
                        "\x03"
                        "1.5" +
                        RdbStr("b") + "\xfe" + RdbStr("c") + "\xff");
  EXPECT_EQ(DescribeValue(z), DescribeValue(ZSet({{"a", 1.5}, {"b", INFINITY}, {"c", -INFINITY}})));
  ExpectBadFormat(std::string("\x09", 1) + RdbStr(std::string("\x01\x05"
                                                              "ab",
                                                              4) +
                                                  "\xff"),
                  "short zipmap");
}

// ---- encoding thresholds on load ----

TEST(RdbLimitsTest, LoadedValuesFollowTheConfig) {
  RdbEncodingLimits small;
  small.hash_max_listpack_entries = 2;
  small.zset_max_listpack_entries = 2;
  small.set_max_intset_entries = 2;
  small.hash_max_listpack_value = 3;
  Value v;
  std::string error;
  ASSERT_TRUE(
      RestorePayload(DumpPayload(Hash({{"a", "1"}, {"b", "2"}, {"c", "3"}})), &v, &error, small));
  EXPECT_EQ(v.encoding(), Encoding::kHashtable);
  EXPECT_EQ(v.As<HashObject>()->encoding(), Encoding::kHashtable);
  ASSERT_TRUE(RestorePayload(DumpPayload(Hash({{"a", "long value"}})), &v, &error, small));
  EXPECT_EQ(v.encoding(), Encoding::kHashtable);
  ASSERT_TRUE(RestorePayload(DumpPayload(ZSet({{"a", 1}, {"b", 2}, {"c", 3}})), &v, &error, small));
  EXPECT_EQ(v.encoding(), Encoding::kSkiplist);
  EXPECT_TRUE(v.As<ZSetObject>()->Validate());
  ASSERT_TRUE(RestorePayload(DumpPayload(Set({"1", "2", "3"})), &v, &error, small));
  EXPECT_EQ(v.encoding(), Encoding::kHashtable);
  // And the other way: a skiplist that fits the limits becomes a listpack, as in Redis.
  std::vector<std::pair<std::string, double>> zbig;
  for (int i = 0; i < 300; ++i) zbig.emplace_back("m" + std::to_string(i), i);
  RdbEncodingLimits large;
  large.zset_max_listpack_entries = 1000;
  ASSERT_TRUE(RestorePayload(DumpPayload(ZSet(zbig)), &v, &error, large));
  EXPECT_EQ(v.encoding(), Encoding::kListpack);
  EXPECT_EQ(v.As<ZSetObject>()->size(), 300u);
  // List nodes bigger than this server's list-max-listpack-size are re-split.
  std::vector<std::string> many;
  for (int i = 0; i < 1000; ++i) many.push_back("e" + std::to_string(i));
  RdbEncodingLimits tiny_nodes;
  tiny_nodes.list_max_listpack_size = 4;
  ASSERT_TRUE(RestorePayload(DumpPayload(List(many)), &v, &error, tiny_nodes));
  EXPECT_EQ(v.As<ListObject>()->size(), 1000u);
  EXPECT_EQ(v.As<ListObject>()->node_count(), 250u);
  EXPECT_EQ(DescribeValue(v), DescribeValue(List(many)));
}

// ---- whole files ----

class RdbFileTest : public ::testing::Test {
 protected:
  RdbFileTest() : clock_(kNow), ks_(16, &clock_) { ks_.set_now_ms(kNow); }

  void Fill() {
    int db = 0;
    for (auto& [name, v] : Samples()) {
      Entry* e = ks_.db(db).Insert(name, std::move(v));
      if (name.size() % 3 == 0)
        ks_.db(db).SetExpire(e, kNow + 100000 + static_cast<int64_t>(name.size()));
      db = (db + 5) % 16;
    }
    // Already-expired key: not written.
    Entry* e = ks_.db(3).Insert("gone", Value::String("x"));
    ks_.db(3).SetExpire(e, kNow - 1);
  }

  std::string Save(const RdbOptions& opt = {}) {
    StringSink sink;
    std::string error;
    EXPECT_TRUE(WriteRdb(ks_, kNow, opt, sink, &error)) << error;
    return sink.Take();
  }

  static std::string Contents(Keyspace& ks) {
    std::vector<std::string> lines;
    for (int i = 0; i < ks.database_count(); ++i) {
      ks.db(i).ForEach([&](const Entry& e) {
        lines.push_back(std::to_string(i) + " " + std::string(e.key()) + " " +
                        std::to_string(ks.db(i).GetExpire(&e)) + " " +
                        (e.value.IsString() ? DescribeValue(Value::String(e.value.AsString()))
                                            : DescribeValue(e.value)));
      });
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  ManualClock clock_;
  Keyspace ks_;
};

TEST_F(RdbFileTest, RoundTripsEveryDatabase) {
  Fill();
  const std::string file = Save();
  EXPECT_EQ(file.substr(0, 9), "REDIS0010");
  Keyspace loaded(16, &clock_);
  loaded.set_now_ms(kNow);
  StringSource src(file);
  RdbLoadError err;
  RdbLoadInfo info;
  ASSERT_TRUE(LoadRdb(src, loaded, kNow, {}, &err, &info)) << err.ToString();
  EXPECT_EQ(Contents(loaded), Contents(ks_));
  EXPECT_EQ(info.rdb_version, 10);
  EXPECT_TRUE(info.checksum_verified);
  EXPECT_EQ(info.bytes_read, file.size());
  EXPECT_EQ(info.keys_loaded, ks_.TotalKeys() - 1);
  bool saw_ver = false;
  for (const auto& [k, v] : info.aux) saw_ver |= k == "redis-ver" && v == "7.0.15";
  EXPECT_TRUE(saw_ver);
}

TEST_F(RdbFileTest, ExpiredKeysAreDroppedOnLoad) {
  Entry* e = ks_.db(0).Insert("soon", Value::String("x"));
  ks_.db(0).SetExpire(e, kNow + 10);
  ks_.db(0).Insert("keep", Value::String("y"));
  const std::string file = Save();
  Keyspace loaded(16, &clock_);
  StringSource src(file);
  RdbLoadInfo info;
  ASSERT_TRUE(LoadRdb(src, loaded, kNow + 20, {}, nullptr, &info));
  EXPECT_EQ(info.keys_loaded, 1u);
  EXPECT_EQ(info.keys_expired, 1u);
  // A replica-style load keeps it.
  Keyspace kept(16, &clock_);
  StringSource src2(file);
  RdbLoadOptions opt;
  opt.drop_expired = false;
  ASSERT_TRUE(LoadRdb(src2, kept, kNow + 20, opt, nullptr, &info));
  EXPECT_EQ(info.keys_loaded, 2u);
}

TEST_F(RdbFileTest, ChecksumOffAndMismatch) {
  Fill();
  RdbOptions off;
  off.checksum = false;
  const std::string unchecked = Save(off);
  EXPECT_EQ(unchecked.substr(unchecked.size() - 8), std::string(8, '\0'));
  {
    Keyspace loaded(16, &clock_);
    StringSource src(unchecked);
    RdbLoadInfo info;
    ASSERT_TRUE(LoadRdb(src, loaded, kNow, {}, nullptr, &info));
    EXPECT_FALSE(info.checksum_verified);
  }
  std::string file = Save();
  file[file.size() - 1] ^= 0x40;
  Keyspace loaded(16, &clock_);
  StringSource src(file);
  RdbLoadError err;
  ASSERT_FALSE(LoadRdb(src, loaded, kNow, {}, &err));
  EXPECT_NE(err.message.find("Wrong RDB checksum expected"), std::string::npos) << err.message;
  EXPECT_EQ(err.offset, file.size() - 8);
}

TEST_F(RdbFileTest, CorruptCompressedListNodeNamesTheProblem) {
  std::string file = "REDIS0010" + std::string("\x12", 1) + RdbStr("list") +
                     std::string("\x01\x02\xc3\x02\x0a\x20\x05", 7) + "\xff" + std::string(8, '\0');
  Keyspace loaded(16, &clock_);
  StringSource src(file);
  RdbLoadError err;
  ASSERT_FALSE(LoadRdb(src, loaded, kNow, {}, &err));
  EXPECT_EQ(err.message, "Invalid LZF compressed string (key 'list')") << err.ToString();
  // And a file saved from a keyspace holding compressed lists loads back whole.
  auto list = CompressedList(2);
  ks_.db(0).Insert("deep", Value::Object(ValueType::kList, Encoding::kQuicklist, std::move(list)));
  const std::string saved = Save();
  Keyspace back(16, &clock_);
  back.set_now_ms(kNow);
  StringSource src2(saved);
  RdbLoadOptions opt;
  opt.limits.list_max_listpack_size = 16;
  opt.limits.list_compress_depth = 2;
  ASSERT_TRUE(LoadRdb(src2, back, kNow, opt, &err)) << err.ToString();
  EXPECT_EQ(Contents(back), Contents(ks_));
  const auto* l = back.db(0).FindRead("deep")->value.As<ListObject>();
  EXPECT_EQ(l->compress_depth(), 2);
  EXPECT_TRUE(l->CompressionInvariantHolds());
  EXPECT_TRUE(l->node_compressed(2));
}

TEST_F(RdbFileTest, HeaderErrors) {
  RdbLoadError err;
  auto load = [&](const std::string& data) {
    Keyspace loaded(16, &clock_);
    StringSource src(data);
    return LoadRdb(src, loaded, kNow, {}, &err);
  };
  EXPECT_FALSE(load(""));
  EXPECT_EQ(err.message, "Unexpected EOF");
  EXPECT_EQ(err.offset, 0u);
  EXPECT_FALSE(load("REDIX0010\xff"));
  EXPECT_EQ(err.message, "Wrong signature trying to load DB from file");
  EXPECT_FALSE(load("REDIS0011\xff"));
  EXPECT_EQ(err.message, "Can't handle RDB format version 11");
  // Version 9 without a trailer checksum read: an RDB 9 file with one key.
  std::string v9 = "REDIS0009";
  v9 += std::string("\xfe\x00", 2) + std::string("\x00", 1) + RdbStr("k") + RdbStr("v") + "\xff";
  v9 += std::string(8, '\0');
  EXPECT_TRUE(load(v9)) << err.ToString();
  // Too many databases for this server.
  std::string far = "REDIS0010" + std::string("\xfe\x14\x00", 3) + RdbStr("k") + RdbStr("v") +
                    "\xff" + std::string(8, '\0');
  EXPECT_FALSE(load(far));
  EXPECT_NE(err.message.find("configured to handle more than 16 databases"), std::string::npos);
  // Duplicate keys.
  std::string dup = "REDIS0010" + std::string("\x00", 1) + RdbStr("k") + RdbStr("v") +
                    std::string("\x00", 1) + RdbStr("k") + RdbStr("w") + "\xff" +
                    std::string(8, '\0');
  EXPECT_FALSE(load(dup));
  EXPECT_NE(err.message.find("Duplicate key"), std::string::npos);
  // Functions and module aux are refused with a reason.
  EXPECT_FALSE(load("REDIS0010\xf5" + RdbStr("#!lua name=x") + "\xff" + std::string(8, '\0')));
  EXPECT_NE(err.message.find("Functions"), std::string::npos);
}

TEST_F(RdbFileTest, TruncatedFilesFailWithTheOffset) {
  Fill();
  const std::string file = Save();
  for (size_t cut = 0; cut < file.size(); cut += 1 + file.size() / 250) {
    Keyspace loaded(16, &clock_);
    StringSource src(std::string_view(file).substr(0, cut));
    RdbLoadError err;
    ASSERT_FALSE(LoadRdb(src, loaded, kNow, {}, &err)) << cut;
    EXPECT_LE(err.offset, cut);
    EXPECT_FALSE(err.message.empty());
  }
}

TEST_F(RdbFileTest, CorruptFilesNeverCrash) {
  Fill();
  const std::string file = Save();
  std::mt19937 rng(3);
  RdbLoadOptions opt;
  opt.verify_checksum = false;  // let the corruption reach the decoders
  for (int i = 0; i < 150; ++i) {
    std::string bad = file;
    for (int k = 0; k < 1 + i % 3; ++k)
      bad[9 + rng() % (bad.size() - 9)] ^= static_cast<char>(1 + rng() % 255);
    Keyspace loaded(16, &clock_);
    loaded.set_now_ms(kNow);
    StringSource src(bad);
    RdbLoadError err;
    if (!LoadRdb(src, loaded, kNow, opt, &err)) {
      EXPECT_LE(err.offset, bad.size());
    } else {
      (void)Contents(loaded);
    }
  }
}

TEST_F(RdbFileTest, FdSinkAndSourceRoundTrip) {
  Fill();
  char path[] = "/tmp/gannet-rdb-test-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  {
    FdSink sink(fd, 4096, 8192);  // small buffer and incremental fsync exercise both paths
    std::string error;
    ASSERT_TRUE(WriteRdb(ks_, kNow, {}, sink, &error)) << error;
    EXPECT_EQ(sink.bytes_written(), Save().size());
  }
  ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
  FdSource src(fd);
  EXPECT_EQ(src.Remaining(), static_cast<int64_t>(Save().size()));
  Keyspace loaded(16, &clock_);
  loaded.set_now_ms(kNow);
  RdbLoadError err;
  ASSERT_TRUE(LoadRdb(src, loaded, kNow, {}, &err)) << err.ToString();
  EXPECT_EQ(Contents(loaded), Contents(ks_));
  close(fd);
  unlink(path);
}

// A source that does not know its size (a pipe): a bogus huge length must fail at EOF
// without allocating it.
class UnsizedSource final : public RdbSource {
 public:
  explicit UnsizedSource(std::string data) : data_(std::move(data)) {}
  size_t Read(void* buf, size_t n) override {
    const size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

TEST_F(RdbFileTest, UnsizedSourceBoundsAllocations) {
  // A string claiming 2^47 bytes.
  std::string data = "REDIS0010" + std::string("\x00", 1) + RdbStr("k") +
                     std::string("\x81\x00\x00\x80\x00\x00\x00\x00\x00", 9) + "abc";
  UnsizedSource src(data);
  Keyspace loaded(16, &clock_);
  RdbLoadError err;
  EXPECT_FALSE(LoadRdb(src, loaded, kNow, {}, &err));
  EXPECT_NE(err.message.find("Unexpected EOF"), std::string::npos) << err.message;
  // And a good file through the unsized path.
  Fill();
  UnsizedSource good(Save());
  Keyspace loaded2(16, &clock_);
  loaded2.set_now_ms(kNow);
  ASSERT_TRUE(LoadRdb(good, loaded2, kNow, {}, &err)) << err.ToString();
  EXPECT_EQ(Contents(loaded2), Contents(ks_));
}

TEST_F(RdbFileTest, WriterApiKeyByKey) {
  StringSink sink;
  RdbOptions opt;
  opt.aof_base = true;
  opt.extra_aux = {{"repl-stream-db", "0"}};
  RdbWriter w(sink, opt);
  ASSERT_TRUE(w.Begin(kNow));
  ASSERT_TRUE(w.SelectDb(2, 2, 1));
  RdbKeyMeta meta;
  meta.expire_ms = kNow + 5000;
  meta.lru_idle_s = 30;
  ASSERT_TRUE(w.WriteKey("a", Value::String("1"), meta));
  RdbKeyMeta lfu;
  lfu.lfu_freq = 9;
  ASSERT_TRUE(w.WriteKey("b", Value::String("2"), lfu));
  ASSERT_TRUE(w.End());
  EXPECT_EQ(w.keys_written(), 2u);
  EXPECT_EQ(w.bytes_written(), sink.str().size());
  std::vector<RdbKey> seen;
  StringSource src(sink.str());
  RdbLoadInfo info;
  RdbLoadError err;
  ASSERT_TRUE(ParseRdb(
      src, {},
      [&](RdbKey& k, std::string*) {
        RdbKey copy;
        copy.db = k.db;
        copy.expire_ms = k.expire_ms;
        copy.lru_idle_s = k.lru_idle_s;
        copy.lfu_freq = k.lfu_freq;
        seen.push_back(std::move(copy));
        return true;
      },
      &err, &info))
      << err.ToString();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].db, 2);
  EXPECT_EQ(seen[0].expire_ms, kNow + 5000);
  EXPECT_EQ(seen[0].lru_idle_s, 30);
  EXPECT_EQ(seen[1].lfu_freq, 9);
  bool aof_base = false, repl = false;
  for (const auto& [k, v] : info.aux) {
    aof_base |= k == "aof-base" && v == "1";
    repl |= k == "repl-stream-db" && v == "0";
  }
  EXPECT_TRUE(aof_base);
  EXPECT_TRUE(repl);
  // A failing sink stops the writer with its error.
  class FullSink final : public RdbSink {
   public:
    bool Write(const void*, size_t) override { return false; }
    std::string error() const override { return "No space left on device"; }
  } full;
  RdbWriter bad(full, {});
  EXPECT_FALSE(bad.Begin(kNow));
  EXPECT_EQ(bad.error(), "No space left on device");
  EXPECT_FALSE(bad.WriteKey("a", Value::String("1")));
}

TEST_F(RdbFileTest, LruAndLfuMetadataRoundTrip) {
  for (EvictionPolicy policy : {EvictionPolicy::kAllKeysLru, EvictionPolicy::kAllKeysLfu}) {
    MemorySettings ms;
    ms.policy = policy;
    Keyspace src(16, &clock_);
    src.set_now_ms(kNow);
    src.ApplyMemorySettings(ms);
    Entry* e = src.db(0).Insert("k", Value::String("v"));
    src.SetIdleSeconds(e, 100);
    src.SetLfuFrequency(e, 42);
    StringSink sink;
    std::string error;
    ASSERT_TRUE(WriteRdb(src, kNow, {}, sink, &error)) << error;
    Keyspace dst(16, &clock_);
    dst.set_now_ms(kNow);
    dst.ApplyMemorySettings(ms);
    StringSource in(sink.str());
    ASSERT_TRUE(LoadRdb(in, dst, kNow, {}, nullptr));
    Entry* got = dst.db(0).FindNoTouch("k");
    ASSERT_NE(got, nullptr);
    if (policy == EvictionPolicy::kAllKeysLru) {
      EXPECT_EQ(dst.IdleMs(*got) / 1000, 100u);
    } else {
      EXPECT_EQ(dst.LfuCounter(*got), 42);
    }
  }
}

TEST_F(RdbFileTest, ParseStopsAtTheTrailerForPreambles) {
  ks_.db(0).Insert("k", Value::String("v"));
  const std::string file = Save() + "*1\r\n$4\r\nPING\r\n";
  StringSource src(file);
  RdbLoadInfo info;
  ASSERT_TRUE(ParseRdb(
      src, {}, [](RdbKey&, std::string*) { return true; }, nullptr, &info));
  EXPECT_EQ(info.bytes_read, file.size() - 14);
}

}  // namespace
}  // namespace gannet
