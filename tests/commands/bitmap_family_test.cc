// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. Every
// expected reply below was produced by redis-server 7.0.15 for the same commands, including
// the BITFIELD overflow table (a random sequence replayed on both servers).
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

const char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
const char kNotInt[] = "ERR value is not an integer or out of range";
const char kSyntax[] = "ERR syntax error";
const char kBitOffset[] = "ERR bit offset is not an integer or out of range";
const char kBadType[] =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";

class BitmapFamilyTest : public CommandTest {
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
};

TEST_F(BitmapFamilyTest, SetBitGetBit) {
  EXPECT_THAT(Run({"SETBIT", "k", "7", "1"}), IntIs(0));
  EXPECT_THAT(Run({"SETBIT", "k", "7", "0"}), IntIs(1));
  EXPECT_THAT(Run({"SETBIT", "k", "100", "1"}), IntIs(0));
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(13));
  EXPECT_THAT(Run({"GET", "k"}), BulkIs(std::string(12, '\0') + "\x08"));
  EXPECT_THAT(Run({"GETBIT", "k", "100"}), IntIs(1));
  EXPECT_THAT(Run({"GETBIT", "k", "99"}), IntIs(0));
  EXPECT_THAT(Run({"GETBIT", "k", "1000000"}), IntIs(0));  // past the end: zero
  EXPECT_THAT(Run({"GETBIT", "missing", "3"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "missing"}), IntIs(0));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "k"}), BulkIs("raw"));
  // An int-encoded string is read and written as its decimal bytes, and becomes raw.
  EXPECT_THAT(Run({"SET", "n", "12"}), IsOk());
  EXPECT_THAT(Run({"BITCOUNT", "n"}), IntIs(6));
  EXPECT_THAT(Run({"GETBIT", "n", "2"}), IntIs(1));
  EXPECT_THAT(Run({"SETBIT", "n", "6", "0"}), IntIs(0));
  EXPECT_THAT(Run({"GET", "n"}), BulkIs("12"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "n"}), BulkIs("raw"));
  // The TTL survives a SETBIT.
  EXPECT_THAT(Run({"EXPIRE", "k", "100"}), IntIs(1));
  EXPECT_THAT(Run({"SETBIT", "k", "0", "1"}), IntIs(0));
  EXPECT_THAT(Run({"TTL", "k"}), IntIs(100));
}

TEST_F(BitmapFamilyTest, SetBitErrors) {
  EXPECT_THAT(Run({"SETBIT", "k", "-1", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"SETBIT", "k", "x", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"SETBIT", "k", "1", "2"}), ErrorIs("ERR bit is not an integer or out of range"));
  EXPECT_THAT(Run({"SETBIT", "k", "1", "x"}), ErrorIs("ERR bit is not an integer or out of range"));
  EXPECT_THAT(Run({"SETBIT", "k", "1", "-1"}),
              ErrorIs("ERR bit is not an integer or out of range"));
  // 2^32 bits is 512 MB: the default proto-max-bulk-len, so the first offset refused.
  EXPECT_THAT(Run({"SETBIT", "k", "4294967296", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"SETBIT", "k", "9223372036854775807", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"SETBIT", "k", "99999999999999999999", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"GETBIT", "k", "4294967296"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"GETBIT", "k", "-1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));  // nothing was created
  MakeList("l");
  EXPECT_THAT(Run({"SETBIT", "l", "1", "1"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"GETBIT", "l", "1"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"SETBIT", "k", "1"}),
              ErrorIs("ERR wrong number of arguments for 'setbit' command"));
}

TEST_F(BitmapFamilyTest, OffsetLimitFollowsProtoMaxBulkLen) {
  server_.config_.proto_max_bulk_len = 1024;  // bytes: bits 0..8191 are addressable
  EXPECT_THAT(Run({"SETBIT", "k", "8192", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"SETBIT", "k", "8191", "1"}), IntIs(0));
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(1024));
  EXPECT_THAT(Run({"BITFIELD", "k", "SET", "u8", "8192", "1"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "u8", "#1024"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "u8", "#1023"}), ArrayOf(IntIs(1)));
  EXPECT_THAT(Run({"STRLEN", "k"}), IntIs(1024));
}

TEST_F(BitmapFamilyTest, BitCount) {
  EXPECT_THAT(Run({"SET", "s", "foobar"}), IsOk());
  EXPECT_THAT(Run({"BITCOUNT", "s"}), IntIs(26));
  EXPECT_THAT(Run({"BITCOUNT", "s", "0", "0"}), IntIs(4));
  EXPECT_THAT(Run({"BITCOUNT", "s", "1", "1"}), IntIs(6));
  EXPECT_THAT(Run({"BITCOUNT", "s", "1", "-2"}), IntIs(18));
  EXPECT_THAT(Run({"BITCOUNT", "s", "-2", "-1"}), IntIs(7));
  EXPECT_THAT(Run({"BITCOUNT", "s", "5", "30", "BIT"}), IntIs(17));
  EXPECT_THAT(Run({"BITCOUNT", "s", "-9", "-1", "bit"}), IntIs(5));
  EXPECT_THAT(Run({"BITCOUNT", "s", "0", "-1", "BYTE"}), IntIs(26));
  EXPECT_THAT(Run({"BITCOUNT", "s", "-100", "100"}), IntIs(26));
  EXPECT_THAT(Run({"BITCOUNT", "s", "3", "1"}), IntIs(0));
  EXPECT_THAT(Run({"BITCOUNT", "s", "-1", "-2"}), IntIs(0));
  EXPECT_THAT(Run({"BITCOUNT", "s", "9223372036854775807", "-9223372036854775808"}), IntIs(0));
  EXPECT_THAT(Run({"BITCOUNT", "s", "-9223372036854775808", "9223372036854775807", "BIT"}),
              IntIs(26));
  // Errors on an existing key; Redis 7.0 answers 0 for a missing key before parsing.
  EXPECT_THAT(Run({"BITCOUNT", "s", "a", "b"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"BITCOUNT", "s", "0", "1", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITCOUNT", "s", "1"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITCOUNT", "s", "1", "1", "bit", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITCOUNT", "nokey", "a", "b"}), IntIs(0));
  EXPECT_THAT(Run({"BITCOUNT", "nokey", "1"}), IntIs(0));
  EXPECT_THAT(Run({"SET", "e", ""}), IsOk());
  EXPECT_THAT(Run({"BITCOUNT", "e"}), IntIs(0));
  EXPECT_THAT(Run({"BITCOUNT", "e", "0", "-1"}), IntIs(0));
  // Long strings: whole words plus edges.
  std::string big(1000, '\xff');
  EXPECT_THAT(Run({"SET", "big", big}), IsOk());
  EXPECT_THAT(Run({"BITCOUNT", "big"}), IntIs(8000));
  EXPECT_THAT(Run({"BITCOUNT", "big", "3", "7996", "BIT"}), IntIs(7994));
  MakeList("l");
  EXPECT_THAT(Run({"BITCOUNT", "l"}), ErrorIs(kWrongType));
}

TEST_F(BitmapFamilyTest, BitPos) {
  EXPECT_THAT(Run({"SET", "z", std::string("\xff\xf0\x00", 3)}), IsOk());
  EXPECT_THAT(Run({"BITPOS", "z", "0"}), IntIs(12));
  EXPECT_THAT(Run({"BITPOS", "z", "1"}), IntIs(0));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "2"}), IntIs(16));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "2"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "0", "0"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "0", "1"}), IntIs(12));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "7", "15", "BIT"}), IntIs(7));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "7", "11", "BIT"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "3", "3", "bit"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "0", "-1", "BIT"}), IntIs(12));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "17", "BIT"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "-1"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "5", "10"}), IntIs(-1));
  // Looking for a 0 in all ones: without an end the padding right of the string counts.
  EXPECT_THAT(Run({"SET", "ones", "\xff\xff"}), IsOk());
  EXPECT_THAT(Run({"BITPOS", "ones", "0"}), IntIs(16));
  EXPECT_THAT(Run({"BITPOS", "ones", "0", "1"}), IntIs(16));
  EXPECT_THAT(Run({"BITPOS", "ones", "0", "-1"}), IntIs(16));
  EXPECT_THAT(Run({"BITPOS", "ones", "0", "0", "1"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "ones", "0", "3", "15", "BIT"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "ones", "1", "2"}), IntIs(-1));
  // A missing key is zeros forever; the bit argument is checked first.
  EXPECT_THAT(Run({"BITPOS", "nokey", "0"}), IntIs(0));
  EXPECT_THAT(Run({"BITPOS", "nokey", "1"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "nokey", "0", "a"}), IntIs(0));
  EXPECT_THAT(Run({"BITPOS", "nokey", "3"}), ErrorIs("ERR The bit argument must be 1 or 0."));
  EXPECT_THAT(Run({"BITPOS", "z", "x"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"BITPOS", "z", "0", "a"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "0", "1", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "0", "x", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITPOS", "z", "1", "0", "1", "bit", "5"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"SET", "e", ""}), IsOk());
  EXPECT_THAT(Run({"BITPOS", "e", "0"}), IntIs(-1));
  EXPECT_THAT(Run({"BITPOS", "e", "1"}), IntIs(-1));
  EXPECT_THAT(Run({"SET", "s", "foobar"}), IsOk());
  EXPECT_THAT(Run({"BITPOS", "s", "0", "-3", "-1", "bit"}), IntIs(45));
  // Long runs: the word-at-a-time scan, with the hit at every phase.
  for (int hit : {0, 7, 8, 63, 64, 799, 8000 - 1}) {
    std::string zeros(1000, '\0');
    zeros[hit / 8] = static_cast<char>(0x80 >> (hit % 8));
    ASSERT_THAT(Run({"SET", "w", zeros}), IsOk());
    EXPECT_THAT(Run({"BITPOS", "w", "1"}), IntIs(hit)) << hit;
    EXPECT_THAT(Run({"BITPOS", "w", "1", "0", "-1", "BIT"}), IntIs(hit)) << hit;
    std::string ones(1000, '\xff');
    ones[hit / 8] = static_cast<char>(~(0x80 >> (hit % 8)));
    ASSERT_THAT(Run({"SET", "w", ones}), IsOk());
    EXPECT_THAT(Run({"BITPOS", "w", "0"}), IntIs(hit)) << hit;
  }
  MakeList("l");
  EXPECT_THAT(Run({"BITPOS", "l", "0"}), ErrorIs(kWrongType));
}

TEST_F(BitmapFamilyTest, BitOp) {
  EXPECT_THAT(Run({"SET", "a", "\x0f\x0f"}), IsOk());
  EXPECT_THAT(Run({"SET", "b", "\xf0"}), IsOk());
  EXPECT_THAT(Run({"BITOP", "AND", "d", "a", "b"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs(std::string("\x00\x00", 2)));
  EXPECT_THAT(Run({"BITOP", "or", "d", "a", "b"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs("\xff\x0f"));
  EXPECT_THAT(Run({"BITOP", "XOR", "d", "a", "b", "b"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs("\x0f\x0f"));
  EXPECT_THAT(Run({"BITOP", "NOT", "d", "a"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs("\xf0\xf0"));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "d"}), BulkIs("raw"));
  EXPECT_THAT(Run({"BITOP", "AND", "d", "a", "missing"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "d"}), BulkIs(std::string("\x00\x00", 2)));
  // The destination loses its TTL; an empty result deletes it.
  EXPECT_THAT(Run({"EXPIRE", "d", "100"}), IntIs(1));
  EXPECT_THAT(Run({"BITOP", "OR", "d", "a"}), IntIs(2));
  EXPECT_THAT(Run({"TTL", "d"}), IntIs(-1));
  EXPECT_THAT(Run({"BITOP", "OR", "d", "missing", "missing2"}), IntIs(0));
  EXPECT_THAT(Run({"EXISTS", "d"}), IntIs(0));
  // The destination may be a source.
  EXPECT_THAT(Run({"BITOP", "NOT", "a", "a"}), IntIs(2));
  EXPECT_THAT(Run({"GET", "a"}), BulkIs("\xf0\xf0"));
  EXPECT_THAT(Run({"BITOP", "NOT", "d", "a", "b"}),
              ErrorIs("ERR BITOP NOT must be called with a single source key."));
  EXPECT_THAT(Run({"BITOP", "FOO", "d", "a"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITOP", "NOT", "d"}),
              ErrorIs("ERR wrong number of arguments for 'bitop' command"));
  MakeList("l");
  EXPECT_THAT(Run({"BITOP", "AND", "d", "a", "l"}), ErrorIs(kWrongType));
  // A non-string destination is simply replaced.
  EXPECT_THAT(Run({"BITOP", "AND", "l", "a"}), IntIs(2));
  EXPECT_THAT(Run({"TYPE", "l"}), SimpleIs("string"));
}

TEST_F(BitmapFamilyTest, BitFieldBasics) {
  EXPECT_THAT(Run({"BITFIELD", "k"}), EmptyArray());
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  EXPECT_THAT(
      Run({"BITFIELD", "k",        "SET",  "u8",  "0",  "-1", "OVERFLOW", "SAT", "SET", "u8", "8",
           "-1",       "OVERFLOW", "FAIL", "SET", "u8", "16", "-1",       "GET", "u32", "0"}),
      ArrayOf(IntIs(0), IntIs(0), IsNil(), IntIs(4294901760LL)));
  EXPECT_THAT(Run({"BITFIELD", "k", "SET", "i8", "0", "200", "OVERFLOW", "SAT", "SET", "i8", "8",
                   "200", "SET", "i8", "16", "-200"}),
              ArrayOf(IntIs(-1), IntIs(-1), IntIs(0)));
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "i64", "0", "GET", "u63", "0", "GET", "u8", "#1"}),
              ArrayOf(IntIs(-3999337206593355776LL), IntIs(7223703433558097920LL), IntIs(127)));
  EXPECT_THAT(Run({"BITFIELD", "k", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "9223372036854775807",
                   "INCRBY", "i64", "0", "9223372036854775807"}),
              ArrayOf(IntIs(5224034830261420031LL), IntIs(-3999337206593355778LL)));
  // Redis's SAT test wraps "max - value" to 64 bits: a SET far below the range saturates
  // to the maximum (values from redis-server 7.0.15).
  EXPECT_THAT(
      Run({"BITFIELD", "q",  "OVERFLOW", "SAT",  "SET", "i8",  "0",   "-9223372036854775800",
           "SET",      "i8", "8",        "-200", "SET", "i63", "16",  "-5342130029381796498",
           "GET",      "i8", "0",        "GET",  "i8",  "8",   "GET", "i63",
           "16"}),
      ArrayOf(IntIs(0), IntIs(0), IntIs(0), IntIs(127), IntIs(-128), IntIs(4611686018427387903LL)));
  // OVERFLOW FAIL still creates (and sizes) the key, as Redis does.
  EXPECT_THAT(Run({"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5"}),
              ArrayOf(IsNil()));
  EXPECT_THAT(Run({"GET", "f"}), BulkIs(std::string(1, '\0')));
  // Reads past the end are zeros and create nothing.
  EXPECT_THAT(Run({"BITFIELD", "g", "GET", "u8", "4294967295"}), ArrayOf(IntIs(0)));
  EXPECT_THAT(Run({"EXISTS", "g"}), IntIs(0));
  // RESP3: the FAIL reply is the RESP3 null.
  client_.resp_ = RespVersion::kResp3;
  EXPECT_EQ(
      RunRaw({"BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5", "GET", "u2", "0"}),
      "*2\r\n_\r\n:0\r\n");
}

// Redis unshares the string before writing: "raw" even when OVERFLOW FAIL wrote nothing;
// a GET-only BITFIELD leaves the label alone.
TEST_F(BitmapFamilyTest, BitFieldWriteLabelsRaw) {
  EXPECT_THAT(Run({"SET", "n", "12345"}), IsOk());
  EXPECT_THAT(Run({"BITFIELD", "n", "OVERFLOW", "FAIL", "SET", "u1", "0", "5"}), ArrayLen(1));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "n"}), BulkIs("raw"));
  EXPECT_THAT(Run({"GET", "n"}), BulkIs("12345"));
  EXPECT_THAT(Run({"SET", "e", "abc"}), IsOk());
  EXPECT_THAT(Run({"BITFIELD", "e", "GET", "u1", "0"}), ArrayLen(1));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "e"}), BulkIs("embstr"));
  EXPECT_THAT(Run({"BITFIELD", "e", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100"}),
              ArrayLen(1));
  EXPECT_THAT(Run({"OBJECT", "ENCODING", "e"}), BulkIs("raw"));
  EXPECT_THAT(Run({"GET", "e"}), BulkIs("abc"));
}

TEST_F(BitmapFamilyTest, BitFieldErrors) {
  EXPECT_THAT(Run({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
              ErrorIs("ERR BITFIELD_RO only supports the GET subcommand"));
  EXPECT_THAT(Run({"BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"}),
              ErrorIs("ERR BITFIELD_RO only supports the GET subcommand"));
  // Arguments are all parsed before the read-only check.
  EXPECT_THAT(Run({"BITFIELD_RO", "k", "SET", "x8", "0", "1"}), ErrorIs(kBadType));
  EXPECT_THAT(Run({"BITFIELD_RO", "k", "GET", "u8", "0", "foo"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITFIELD_RO", "k", "GET", "u8", "0"}), ArrayOf(IntIs(0)));
  EXPECT_THAT(Run({"BITFIELD", "k", "OVERFLOW", "foo", "GET", "u8", "0"}),
              ErrorIs("ERR Invalid OVERFLOW type specified"));
  for (const char* t : {"u64", "i65", "x8", "u0", "i0", "u", "i-1", "u+8", "", "#1"}) {
    EXPECT_THAT(Run({"BITFIELD", "k", "GET", t, "0"}), ErrorIs(kBadType)) << t;
  }
  for (const char* off : {"-1", "#-1", "#", "x", "4294967296", "#1152921504606846976", " 1"}) {
    EXPECT_THAT(Run({"BITFIELD", "k", "GET", "u8", off}), ErrorIs(kBitOffset)) << off;
  }
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "i64", "#1152921504606846975"}), ErrorIs(kBitOffset));
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "u8", "#1", "INCRBY"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITFIELD", "k", "bla"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITFIELD", "k", "GET", "u8"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"BITFIELD", "k", "SET", "u8", "0", "x"}), ErrorIs(kNotInt));
  EXPECT_THAT(Run({"BITFIELD", "k", "INCRBY", "u8", "0", "99999999999999999999"}),
              ErrorIs(kNotInt));
  EXPECT_THAT(Run({"EXISTS", "k"}), IntIs(0));
  MakeList("l");
  EXPECT_THAT(Run({"BITFIELD", "l", "GET", "u8", "0"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"BITFIELD", "l", "SET", "u8", "0", "1"}), ErrorIs(kWrongType));
  EXPECT_THAT(Run({"BITFIELD_RO", "l", "GET", "u8", "0"}), ErrorIs(kWrongType));
}

// A random sequence of BITFIELD operations (every width, signedness, overflow mode and
// extreme values), replayed on redis-server 7.0.15; "N" is a nil reply.
TEST_F(BitmapFamilyTest, BitFieldMatchesRedis) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i63", "149", "OVERFLOW", "WRAP", "INCRBY",
        "i56", "141", "1"},
       "0,1"},
      {{"BITFIELD", "bf", "INCRBY", "u8", "34", "-271"}, "241"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u63", "48", "1", "INCRBY", "u32", "80",
        "1946412080", "OVERFLOW", "SAT", "INCRBY", "i24", "147", "12546094"},
       "1,1946412082,8388607"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "i32", "87", "5872582635248635991", "OVERFLOW",
        "SAT", "GET", "u39", "17", "OVERFLOW", "SAT", "INCRBY", "i64", "147",
        "-9223372036854775808"},
       "N,3948544,-1099511611392"},
      {{"BITFIELD", "bf", "INCRBY", "i28", "63", "529369118", "INCRBY", "i52", "#3",
        "-6439372598213965825", "OVERFLOW", "WRAP", "GET", "i63", "72"},
       "-7500866,774731486892031,-2829419510954459136"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "u40", "#5"}, "1095216660480"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "i64", "48", "OVERFLOW", "WRAP", "SET", "i15",
        "0", "29782"},
       "547219497542706,0"},
      {{"BITFIELD", "bf", "INCRBY", "i27", "64", "-6957332811113955950", "OVERFLOW", "FAIL", "GET",
        "u30", "36", "OVERFLOW", "SAT", "SET", "u31", "5", "-2550216935166189448"},
       "15698256,822083588,180355075"},
      {{"BITFIELD", "bf", "INCRBY", "u20", "#5", "-695902", "OVERFLOW", "SAT", "SET", "u35", "162",
        "5872206380496618149", "OVERFLOW", "WRAP", "INCRBY", "i64", "7", "9223372036854775807"},
       "627618,329736785,9223372028801712269"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u1", "50", "-4", "OVERFLOW", "FAIL", "GET",
        "u23", "169", "OVERFLOW", "FAIL", "INCRBY", "u8", "162", "128"},
       "0,8388607,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "u6", "32", "OVERFLOW", "WRAP", "INCRBY",
        "u30", "152", "-6807146312784645793"},
       "63,152858974"},
      {{"BITFIELD", "bf", "GET", "u8", "#1"}, "255"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i31", "139", "7336343977526925040",
        "OVERFLOW", "FAIL", "GET", "u57", "134"},
       "-619829065,3203723864227327"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "u50", "121", "GET", "i62", "143"},
       "3055309166,1761265588799275007"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i13", "194"}, "-1"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u33", "70", "16352495893", "OVERFLOW",
        "WRAP", "SET", "u57", "#4", "-1537774900434223596"},
       "8589934591,0"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "i31", "77", "OVERFLOW", "WRAP", "INCRBY",
        "u42", "35", "-5480582262910"},
       "-7,2800114692865"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i32", "#3", "1531648885", "GET", "u2",
        "180"},
       "1524546933,2"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "GET", "u19", "58", "SET", "i6", "193",
        "8227276636604111671"},
       "488193,-1"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u33", "22", "-1", "OVERFLOW", "FAIL",
        "GET", "u18", "66"},
       "8589553614,98559"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i16", "141", "2245032509745296594", "GET",
        "u16", "#2", "OVERFLOW", "WRAP", "INCRBY", "i40", "52", "-632768266605"},
       "19779,62559,242222333586"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u1", "141", "-1", "OVERFLOW", "FAIL", "INCRBY",
        "i56", "100", "-4988622128040298207"},
       "0,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i45", "#0"}, "-2336462209397"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i32", "#5", "2975061660", "INCRBY", "i1",
        "84", "0", "OVERFLOW", "WRAP", "SET", "i1", "71", "-4"},
       "2147483647,-1,-1"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u10", "5", "-141"}, "754"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u46", "195", "-6466263511876810492"},
       "61119507157903"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i55", "#1", "OVERFLOW", "WRAP", "INCRBY",
        "i16", "#3", "-121195", "OVERFLOW", "WRAP", "GET", "i1", "128"},
       "-8560737500014921,-17893,0"},
      {{"BITFIELD", "bf", "SET", "u1", "#1", "3", "OVERFLOW", "FAIL", "GET", "u5", "196",
        "OVERFLOW", "WRAP", "INCRBY", "i19", "177", "-8993355659744825170"},
       "1,23,77993"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i13", "74", "14178"}, "N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i11", "117"}, "-651"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "23", "8351585155399674246", "OVERFLOW",
        "WRAP", "INCRBY", "u41", "#5", "2536118662857", "SET", "i63", "186",
        "-9223372036854775808"},
       "N,1229650274492,1528858765392168422"},
      {{"BITFIELD", "bf", "GET", "i44", "50", "OVERFLOW", "SAT", "GET", "i9", "#4"},
       "-1619906397621,139"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u1", "169", "7088466923972779644",
        "OVERFLOW", "FAIL", "GET", "u61", "20"},
       "N,2305817443223122031"},
      {{"BITFIELD", "bf",
        "OVERFLOW", "FAIL",
        "SET",      "i18",
        "12",       "131072",
        "OVERFLOW", "SAT",
        "INCRBY",   "i33",
        "#2",       "-1948570545574677250",
        "OVERFLOW", "WRAP",
        "INCRBY",   "u32",
        "115",      "-1338808812526593131"},
       "N,-4294967296,1591254088"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i23", "61", "-3211707", "INCRBY", "u27",
        "53", "-201799557", "OVERFLOW", "FAIL", "GET", "i63", "55"},
       "327237,101783647,307959823822403498"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "i58", "5", "-144115188075855873", "OVERFLOW",
        "FAIL", "INCRBY", "i51", "#4", "5222405780297968562"},
       "-75716768832692472,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i14", "165", "0"}, "-4"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i5", "32", "47"}, "14"},
      {{"BITFIELD", "bf", "INCRBY", "i39", "99", "-1092635123557", "INCRBY", "u16", "62", "-1543",
        "INCRBY", "u46", "49", "-1475446697916312767"},
       "-81259492119,49168,45127855668033"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u60", "178", "3367760867113369350",
        "OVERFLOW", "WRAP", "INCRBY", "i38", "52", "-4965700986184819638"},
       "251269924972986118,49573793828"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u63", "47", "-6174231198822320559"},
       "8410662798836664017"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "u63", "13", "OVERFLOW", "WRAP", "INCRBY",
        "i41", "#1", "-1099511627777", "SET", "i49", "#3", "1"},
       "9223362691005939711,1099511627774,177742926110508"},
      {{"BITFIELD", "bf", "INCRBY", "i16", "97", "-7604480874088431624", "OVERFLOW", "FAIL", "GET",
        "i16", "121"},
       "-14,18036"},
      {{"BITFIELD", "bf",
        "OVERFLOW", "FAIL",
        "INCRBY",   "i1",
        "15",       "1",
        "OVERFLOW", "SAT",
        "INCRBY",   "i43",
        "67",       "-8018207469426124929",
        "OVERFLOW", "WRAP",
        "INCRBY",   "i60",
        "64",       "7897040463737723545"},
       "0,-4398046511104,-245467662548128557"},
      {{"BITFIELD", "bf", "SET", "u48", "38", "474638208332537"}, "263882789773233"},
      {{"BITFIELD", "bf", "GET", "u26", "16", "OVERFLOW", "FAIL", "INCRBY", "u32", "#0",
        "-7444689412826999122"},
       "67108314,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "i18", "172", "-3801441916189190799",
        "OVERFLOW", "SAT", "SET", "u16", "63", "-50688"},
       "N,39909"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i8", "59", "OVERFLOW", "FAIL", "GET", "u8",
        "#2"},
       "63,255"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i25", "#1", "OVERFLOW", "SAT", "GET", "u12",
        "199"},
       "-140550,1355"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "GET", "i48", "65"}, "-825999579"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u53", "47", "0", "OVERFLOW", "FAIL", "SET",
        "u5", "169", "2823428247135831774", "OVERFLOW", "FAIL", "GET", "u27", "106"},
       "3259502220441121,N,39429735"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i3", "#2", "9", "OVERFLOW", "WRAP", "INCRBY",
        "u28", "23", "246374614"},
       "-1,246093515"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i7", "101", "OVERFLOW", "SAT", "GET", "u16",
        "43"},
       "-7,52170"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i26", "#0", "74031914"}, "N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u32", "50", "9223372036854775807"},
       "3844079614"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u11", "63", "0"}, "2047"},
      {{"BITFIELD", "bf",        "OVERFLOW", "SAT",
        "INCRBY",   "i59",       "78",       "810456962571398533",
        "OVERFLOW", "FAIL",      "INCRBY",   "u29",
        "0",        "845330601", "OVERFLOW", "FAIL",
        "INCRBY",   "u52",       "32",       "-7542572282039980"},
       "288230376151711743,N,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i41", "13", "-6711188916948163978",
        "INCRBY", "u47", "33", "-95576787809797", "OVERFLOW", "WRAP", "INCRBY", "i45", "82",
        "-6574930634214026977"},
       "1085521320148,31293614688824,8162398097694"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "i34", "95", "OVERFLOW", "WRAP", "INCRBY",
        "i21", "83", "-9223372036854775808", "GET", "u4", "115"},
       "7840941179,973033,1"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u16", "92", "-4979748268365226383",
        "INCRBY", "i33", "#4", "-8599998354295669245"},
       "N,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u28", "12", "-438980657"}, "200472604"},
      {{"BITFIELD", "bf", "SET", "i46", "136", "-25794999227929"}, "-15118284881920"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i2", "38", "-1", "OVERFLOW", "SAT",
        "INCRBY", "i34", "143", "28254324240"},
       "-2,8589934591"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "i63", "47", "1", "INCRBY", "u43", "51",
        "158199610655190066", "GET", "i7", "122"},
       "518585269993486955,N,-5"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u32", "26", "-8423214412", "OVERFLOW",
        "SAT", "GET", "u60", "#5"},
       "N,0"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u59", "164", "0", "OVERFLOW", "WRAP",
        "INCRBY", "i31", "40", "1073741824"},
       "576405776878582145,-83886080"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i61", "1", "OVERFLOW", "FAIL", "INCRBY",
        "u15", "54", "-6556066516303187635"},
       "-396316767212961792,N"},
      {{"BITFIELD", "bf", "GET", "i21", "7"}, "-1"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u1", "16", "1"}, "0"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "GET", "i1", "192", "OVERFLOW", "SAT", "INCRBY",
        "i64", "81", "6472977286707210638", "OVERFLOW", "SAT", "INCRBY", "i48", "154",
        "4531533040757199764"},
       "0,6472977335100827859,140737488355327"},
      {{"BITFIELD", "bf", "SET", "i13", "137", "-3927133215074081584", "OVERFLOW", "FAIL", "GET",
        "i1", "125"},
       "-1409,0"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u38", "#2", "-39945432888", "OVERFLOW",
        "FAIL", "GET", "i11", "#4"},
       "3014214958,768"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "GET", "i52", "#5", "OVERFLOW", "FAIL", "SET", "u2",
        "109", "-1", "OVERFLOW", "FAIL", "INCRBY", "i5", "39", "-3258914107483299721"},
       "-2012172313952256,N,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u17", "118", "18332", "OVERFLOW", "SAT",
        "SET", "u53", "39", "409125904167949653"},
       "30138,4327677766982348"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "i64", "#1"}, "-50395470705"},
      {{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i19", "111", "1"}, "37437"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u32", "#3", "2716041721", "OVERFLOW", "FAIL",
        "SET", "i33", "189", "6382454453161741586"},
       "1144136847,N"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "GET", "u32", "160", "OVERFLOW", "FAIL", "INCRBY",
        "i52", "64", "5740996277640452", "OVERFLOW", "WRAP", "GET", "u21", "125"},
       "4294967295,N,385101"},
      {{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u11", "#1", "-1025"}, "990"},
      {{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u16", "105", "-34707", "OVERFLOW", "FAIL",
        "INCRBY", "u63", "14", "-9223372036854775808", "INCRBY", "i54", "148",
        "-9223372036854775808"},
       "16240,N,N"},
  };
  for (const Case& c : cases) {
    RespValue r = Run(c.args);
    ASSERT_EQ(r.type, RespType::kArray) << r.ToString();
    std::string got;
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) got += ",";
      got += r[i].IsNull() ? "N" : std::to_string(r[i].integer);
    }
    EXPECT_EQ(got, c.expect) << ::testing::PrintToString(c.args);
  }
  RespValue final_value = Run({"GET", "bf"});
  std::string hex;
  for (unsigned char ch : final_value.text()) {
    static const char kHex[] = "0123456789abcdef";
    hex += kHex[ch >> 4];
    hex += kHex[ch & 15];
  }
  EXPECT_EQ(hex, "e9ef7bfffffffffffffffff4a19fb879781343dfffffffffffc00001fc18000118d9f0a0");
}

}  // namespace
}  // namespace gannet
