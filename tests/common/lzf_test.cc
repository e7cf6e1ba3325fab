// LZF: the compressor must produce liblzf 3.6's bytes as Redis 7.0 runs it. The golden file
// holds DUMP payloads from redis-server 7.0.15 (testdata/make_lzf_golden.py, whose input
// generators are mirrored here); small vectors come from liblzf itself. Plus round trips,
// the room checks (out_cap too small), and the match table's independence from its past.
#include "gannet/common/lzf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace gannet {
namespace {

// ---- The golden file's inputs (make_lzf_golden.py builds the same bytes) ----

class XorShift32 {
 public:
  explicit XorShift32(uint32_t seed) : x_(seed) {}
  uint32_t Next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 17;
    x_ ^= x_ << 5;
    return x_;
  }

 private:
  uint32_t x_;
};

std::string RandomBytes(size_t n, uint32_t seed) {
  XorShift32 g(seed);
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(g.Next() & 0xff));
  return out;
}

std::string Compressible(size_t n, uint32_t seed) {
  XorShift32 g(seed);
  std::string out;
  while (out.size() < n) {
    if (out.size() >= 8 && g.Next() % 4 != 0) {
      const size_t back = 1 + g.Next() % std::min<size_t>(out.size(), 9000);
      const size_t length = 3 + g.Next() % 40;
      const size_t start = out.size() - back;
      for (size_t i = 0; i < length; ++i) out.push_back(out[start + i]);
    } else {
      for (uint32_t k = 1 + g.Next() % 8; k > 0; --k) {
        out.push_back(static_cast<char>('a' + g.Next() % 16));
      }
    }
  }
  out.resize(n);
  return out;
}

std::string JsonLike() {
  std::string out = "[";
  for (int i = 0; i < 25; ++i) {
    if (i > 0) out += ",";
    const std::string n = std::to_string(i);
    out += "{\"id\":" + n + ",\"name\":\"user-" + n + "\",\"email\":\"user" + n +
           "@example.com\",\"active\":" + (i % 3 != 0 ? "true" : "false") +
           ",\"score\":" + std::to_string((i * 37) % 101) + "}";
  }
  return out + "]";
}

std::string Repeat(const std::string& s, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += s;
  return out;
}

std::map<std::string, std::string> GoldenInputs() {
  const std::string far = RandomBytes(8300, 3);
  return {
      {"a21", std::string(21, 'a')},
      {"a22", std::string(22, 'a')},
      {"a100", std::string(100, 'a')},
      {"abc21", Repeat("abc", 7)},
      {"abc22", Repeat("abc", 8).substr(0, 22)},
      {"hello21", Repeat("hello ", 4).substr(0, 21)},
      {"hello22", Repeat("hello ", 4).substr(0, 22)},
      {"refused21", "AHOVCJQXababababababa"},
      {"accepted21", "AHOVCJQababababababab"},
      {"accepted22", "AHOVCJQXababababababab"},
      {"words", Repeat("the quick brown fox jumps over the lazy dog ", 30)},
      {"json", JsonLike()},
      {"mixed1k", Compressible(1024, 1)},
      {"mixed64k", Compressible(65536, 2)},
      {"maxlen_pairs", Repeat("ab", 1000)},
      {"maxlen_runs", std::string(300, 'x') + std::string(300, 'y') + std::string(5, 'z')},
      {"maxoffset", far + far.substr(108, 600)},
      {"beyondoffset", far + far.substr(107, 600)},
      {"random21", RandomBytes(21, 4)},
      {"random100", RandomBytes(100, 5)},
  };
}

// ---- DUMP payload parsing (RDB encodings) ----

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string data) : data_(std::move(data)) {}

  uint8_t Byte() {
    if (pos_ >= data_.size()) throw std::runtime_error("payload too short");
    return static_cast<uint8_t>(data_[pos_++]);
  }

  // An RDB length; *lzf is set when the byte is the LZF string marker (0xC3) instead.
  uint64_t Length(bool* lzf = nullptr) {
    const uint8_t first = Byte();
    if (lzf != nullptr) *lzf = first == 0xc3;
    if (first == 0xc3) return 0;
    switch (first >> 6) {
      case 0:
        return first & 0x3f;
      case 1:
        return (uint64_t{first & 0x3fu} << 8) | Byte();
      default:
        break;
    }
    if (first != 0x80) throw std::runtime_error("unexpected length encoding");
    uint64_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
    return v;
  }

  std::string Bytes(size_t n) {
    if (n > data_.size() - pos_) throw std::runtime_error("payload too short");
    std::string out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  // Trailer: RDB version 10 (little endian) and the 8-byte checksum.
  bool AtTrailer() const { return data_.size() - pos_ == 10 && data_[pos_] == 10; }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// One RDB string as Redis stored it: raw bytes, or LZF bytes with the original length.
struct StoredString {
  bool lzf = false;
  std::string bytes;
  size_t raw_len = 0;
};

StoredString ReadString(Reader& r) {
  StoredString s;
  const uint64_t len = r.Length(&s.lzf);
  if (s.lzf) {
    const uint64_t clen = r.Length();
    s.raw_len = r.Length();
    s.bytes = r.Bytes(clen);
  } else {
    s.bytes = r.Bytes(len);
    s.raw_len = len;
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> ReadGolden() {
  std::ifstream in(GANNET_TESTDATA_DIR "/lzf_redis_golden.txt");
  EXPECT_TRUE(in.good());
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, hex;
    fields >> name >> hex;
    out.emplace_back(name, Unhex(hex));
  }
  return out;
}

std::string Compress(const std::string& in, size_t cap) {
  std::string out(cap, '\0');
  out.resize(LzfCompress(in.data(), in.size(), out.data(), cap));
  return out;
}

std::string Hex(const std::string& s) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(LzfTest, MatchesRedisDumpOfStrings) {
  const std::map<std::string, std::string> inputs = GoldenInputs();
  size_t strings = 0, compressed = 0;
  for (const auto& [name, payload] : ReadGolden()) {
    if (name == "list_nodes") continue;
    SCOPED_TRACE(name);
    auto it = inputs.find(name);
    ASSERT_NE(it, inputs.end());
    const std::string& in = it->second;
    ++strings;
    Reader r(payload);
    ASSERT_EQ(r.Byte(), 0);  // string type
    const StoredString s = ReadString(r);
    EXPECT_TRUE(r.AtTrailer());
    ASSERT_EQ(s.raw_len, in.size());
    // Redis offers liblzf len - 4 bytes of room and stores raw when it gives up.
    const std::string ours = Compress(in, in.size() - 4);
    if (s.lzf) {
      ++compressed;
      EXPECT_EQ(Hex(ours), Hex(s.bytes));
      std::string back(in.size(), '\0');
      ASSERT_TRUE(LzfDecompress(s.bytes.data(), s.bytes.size(), back.data(), back.size()));
      EXPECT_EQ(back, in);
    } else {
      EXPECT_EQ(s.bytes, in);
      EXPECT_EQ(ours.size(), 0u) << "Redis stored this raw";
    }
  }
  EXPECT_EQ(strings, inputs.size());
  EXPECT_GE(compressed, 15u);
}

TEST(LzfTest, MatchesRedisDumpOfCompressedListNodes) {
  // A list at list-compress-depth 1: interior nodes hold LZF made with the node's size as
  // room, the ends are plain strings (LZF with size - 4 when that works).
  size_t nodes = 0, compressed = 0;
  for (const auto& [name, payload] : ReadGolden()) {
    if (name != "list_nodes") continue;
    Reader r(payload);
    ASSERT_EQ(r.Byte(), 18);  // RDB_TYPE_LIST_QUICKLIST_2
    const uint64_t count = r.Length();
    for (uint64_t i = 0; i < count; ++i) {
      SCOPED_TRACE(i);
      ASSERT_EQ(r.Length(), 2u);  // a packed (listpack) node
      const StoredString s = ReadString(r);
      ++nodes;
      if (!s.lzf) {
        EXPECT_EQ(Compress(s.bytes, s.bytes.size() - 4).size(), 0u);
        continue;
      }
      ++compressed;
      std::string raw(s.raw_len, '\0');
      ASSERT_TRUE(LzfDecompress(s.bytes.data(), s.bytes.size(), raw.data(), raw.size()));
      EXPECT_EQ(Hex(Compress(raw, raw.size())), Hex(s.bytes));
    }
    EXPECT_TRUE(r.AtTrailer());
  }
  EXPECT_GE(nodes, 5u);
  EXPECT_GE(compressed, 3u);
}

// Outputs of liblzf 3.6 (Debian's liblzf.so.1, the one redis-server links) for short inputs:
// position 0 is never referred to, a match stops 2 bytes before the end unless the 19-byte
// look-ahead applies, and the last bytes are literals.
TEST(LzfTest, MatchesLiblzfOnSmallInputs) {
  const std::pair<std::string, std::string> cases[] = {
      {"xabcdabcd", "04786162636420030064"},
      {"xabcdabc", "0478616263642003"},
      {"xabcabc", "03786162632002"},
      {"xabcabcz", "03786162632002007a"},
      {"xabcabczz", "03786162632002017a7a"},
      {"aaaaaaaaaa", "0161618000016161"},
      {"a", "0061"},
      {"ab", "016162"},
      {"abc", "02616263"},
      {std::string(21, 'a'), "016161e00a00"},
  };
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(Hex(Compress(in, 64)), want) << in;
  }
}

// ---- Round trips, room, and the table ----

std::string RandomInput(std::mt19937& rng, size_t n) {
  std::string in(n, '\0');
  const int kind = static_cast<int>(rng() % 4);
  const int alphabet = 1 + static_cast<int>(rng() % 6);
  for (size_t i = 0; i < n; ++i) {
    switch (kind) {
      case 0:
        in[i] = static_cast<char>('a' + rng() % alphabet);
        break;
      case 1:
        in[i] = static_cast<char>(rng());
        break;
      case 2: {  // copies from up to 9000 back: matches near the 8192-byte limit
        const size_t back = 1 + rng() % 9000;
        in[i] = i >= back && rng() % 40 != 0 ? in[i - back] : static_cast<char>('a' + rng() % 26);
        break;
      }
      default:
        in[i] = i % 29 == 0 ? static_cast<char>(rng()) : "lorem ipsum dolor sit amet "[i % 27];
    }
  }
  return in;
}

TEST(LzfTest, RoundTripsAtManySizes) {
  std::mt19937 rng(5);
  LzfScratch scratch;
  std::vector<size_t> sizes;
  for (size_t n = 1; n <= 300; ++n) sizes.push_back(n);
  for (size_t n : {511, 512, 513, 4095, 4096, 8191, 8192, 8193, 8194, 9000, 20000, 65536, 70001}) {
    sizes.push_back(n);
  }
  for (size_t n : sizes) {
    for (int round = 0; round < 3; ++round) {
      const std::string in = RandomInput(rng, n);
      // Enough room for any input: a control byte per 32 literals, and the tail's 3.
      const size_t cap = n + n / 32 + 8;
      std::string out(cap, '\0');
      const size_t c = LzfCompress(in.data(), n, out.data(), cap, scratch);
      ASSERT_GT(c, 0u) << n;
      ASSERT_LE(c, cap);
      std::string back(n, '\0');
      ASSERT_TRUE(LzfDecompress(out.data(), c, back.data(), n)) << n;
      ASSERT_EQ(back, in) << n;
      // The one-shot form gives the same bytes.
      ASSERT_EQ(Compress(in, cap), out.substr(0, c)) << n;
    }
  }
}

TEST(LzfTest, RefusesWhenRoomIsShort) {
  std::mt19937 rng(9);
  for (size_t n : {1, 2, 3, 5, 21, 22, 33, 64, 100, 257, 1000, 5000}) {
    for (int round = 0; round < 4; ++round) {
      const std::string in = RandomInput(rng, n);
      const std::string full = Compress(in, n + n / 32 + 8);
      ASSERT_FALSE(full.empty());
      bool fitted = false;
      for (size_t cap = 0; cap <= full.size() + 4; ++cap) {
        // Guard bytes past cap must stay untouched.
        std::string out(cap + 16, '\x5a');
        const size_t c = LzfCompress(in.data(), n, out.data(), cap);
        EXPECT_EQ(out.substr(cap), std::string(16, '\x5a')) << n << " cap " << cap;
        if (c == 0) {
          // Refusals stop once room suffices: liblzf never needs 4 bytes more than it writes.
          EXPECT_FALSE(fitted) << n << " cap " << cap;
          EXPECT_LT(cap, full.size() + 4) << n;
          continue;
        }
        fitted = true;
        EXPECT_GE(cap, full.size());
        EXPECT_EQ(out.substr(0, c), full) << n << " cap " << cap;
      }
      EXPECT_TRUE(fitted);
    }
  }
  // Exactly len - 4 bytes would hold this stream, but liblzf's tail check wants 3 bytes of
  // room past its last match, so Redis stores it raw (refused21 in the golden file).
  const std::string tight = "AHOVCJQXababababababa";
  EXPECT_EQ(Compress(tight, 64).size(), 17u);
  EXPECT_EQ(Compress(tight, 17).size(), 0u);
  EXPECT_EQ(Compress(tight, 20).size(), 17u);
  // Nothing to compress, or no room at all.
  EXPECT_EQ(LzfCompress("", 0, nullptr, 10), 0u);
  EXPECT_EQ(LzfCompress("abcdef", 6, nullptr, 0), 0u);
}

TEST(LzfTest, OutputDoesNotDependOnTheTablesPast) {
  // The scratch table is never cleared: whatever an earlier input (or garbage) left in it
  // must not change a later output.
  std::mt19937 rng(21);
  std::vector<std::string> inputs;
  for (int i = 0; i < 60; ++i) inputs.push_back(RandomInput(rng, 1 + rng() % 12000));
  // Inputs sharing prefixes and shifted copies of each other, the likeliest to meet a
  // stale slot that points at equal bytes.
  const std::string base = Compressible(6000, 7);
  for (size_t shift : {0, 1, 2, 3, 17, 100}) inputs.push_back(base.substr(shift));
  inputs.push_back(base.substr(0, 3000) + base);

  std::vector<std::string> fresh;
  for (const std::string& in : inputs) {
    LzfScratch clean;
    std::string out(in.size() + in.size() / 32 + 8, '\0');
    out.resize(LzfCompress(in.data(), in.size(), out.data(), out.size(), clean));
    fresh.push_back(out);
  }
  LzfScratch shared;
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string& in = inputs[pass == 0 ? i : inputs.size() - 1 - i];
      const std::string& want = fresh[pass == 0 ? i : inputs.size() - 1 - i];
      std::string out(in.size() + in.size() / 32 + 8, '\0');
      out.resize(LzfCompress(in.data(), in.size(), out.data(), out.size(), shared));
      ASSERT_EQ(out, want) << pass << " " << i;
    }
  }
  // A table full of arbitrary positions.
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (uint32_t& slot : shared.table) slot = static_cast<uint32_t>(rng() % 20000);
    const std::string& in = inputs[i];
    std::string out(in.size() + in.size() / 32 + 8, '\0');
    out.resize(LzfCompress(in.data(), in.size(), out.data(), out.size(), shared));
    ASSERT_EQ(out, fresh[i]) << i;
  }
}

}  // namespace
}  // namespace gannet
