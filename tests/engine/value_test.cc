// Value: inline/heap boundaries, Redis's int/embstr/raw labels, in-place growth, binary
// data, objects, clone and move.
#include "gannet/engine/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

namespace gannet {
namespace {

TEST(ValueTest, DefaultIsEmptyEmbstr) {
  Value v;
  EXPECT_TRUE(v.IsString());
  EXPECT_EQ(v.AsString(), "");
  EXPECT_EQ(v.StringSize(), 0u);
  EXPECT_EQ(v.encoding(), Encoding::kEmbStr);
  EXPECT_EQ(v.MemoryUsage(), 0u);
}

TEST(ValueTest, InlineHeapBoundary) {
  std::string s14(14, 'x'), s15(15, 'y');
  Value a = Value::String(s14);
  Value b = Value::String(s15);
  EXPECT_EQ(a.AsString(), s14);
  EXPECT_EQ(b.AsString(), s15);
  EXPECT_EQ(a.MemoryUsage(), 0u);  // inline: no heap
  EXPECT_GE(b.MemoryUsage(), 15u);
  EXPECT_EQ(a.encoding(), Encoding::kEmbStr);
  EXPECT_EQ(b.encoding(), Encoding::kEmbStr);
}

TEST(ValueTest, EmbstrRawBoundary) {
  EXPECT_EQ(Value::String(std::string(44, 'a')).encoding(), Encoding::kEmbStr);
  EXPECT_EQ(Value::String(std::string(45, 'a')).encoding(), Encoding::kRaw);
  EXPECT_EQ(Value::String(std::string(45, 'a')).AsString(), std::string(45, 'a'));
}

TEST(ValueTest, LabelsAsRedis) {
  // Checked against redis-server 7.0 OBJECT ENCODING.
  struct Case {
    std::string in;
    Encoding want;
  } cases[] = {
      {"123", Encoding::kInt},
      {"0123", Encoding::kEmbStr},
      {"-0", Encoding::kEmbStr},
      {"-1", Encoding::kInt},
      {"0", Encoding::kInt},
      {"12345678901234567890", Encoding::kEmbStr},  // out of int64 range
      {"-9223372036854775808", Encoding::kInt},
      {"9223372036854775807", Encoding::kInt},
      {"9223372036854775808", Encoding::kEmbStr},
      {"", Encoding::kEmbStr},
      {" 1", Encoding::kEmbStr},
      {"+1", Encoding::kEmbStr},
      {"1 ", Encoding::kEmbStr},
      {"123456789012345", Encoding::kInt},  // int on the heap (15 bytes)
      {"1.5", Encoding::kEmbStr},
  };
  for (const Case& c : cases) {
    Value v = Value::String(c.in);
    EXPECT_EQ(v.encoding(), c.want) << "[" << c.in << "]";
    EXPECT_EQ(v.AsString(), c.in);
  }
}

TEST(ValueTest, IntegerFactory) {
  EXPECT_EQ(Value::Integer(0).AsString(), "0");
  EXPECT_EQ(Value::Integer(-42).AsString(), "-42");
  Value min = Value::Integer(INT64_MIN);
  EXPECT_EQ(min.AsString(), "-9223372036854775808");
  EXPECT_EQ(min.encoding(), Encoding::kInt);
  Value max = Value::Integer(INT64_MAX);
  EXPECT_EQ(max.AsString(), "9223372036854775807");
  EXPECT_EQ(max.encoding(), Encoding::kInt);
}

TEST(ValueTest, TypeAndEncodingNames) {
  EXPECT_EQ(TypeName(ValueType::kString), "string");
  EXPECT_EQ(TypeName(ValueType::kZSet), "zset");
  EXPECT_EQ(TypeName(ValueType::kStream), "stream");
  EXPECT_EQ(EncodingName(Encoding::kInt), "int");
  EXPECT_EQ(EncodingName(Encoding::kEmbStr), "embstr");
  EXPECT_EQ(EncodingName(Encoding::kRaw), "raw");
  EXPECT_EQ(EncodingName(Encoding::kListpack), "listpack");
  EXPECT_EQ(EncodingName(Encoding::kSkiplist), "skiplist");
}

TEST(ValueTest, AppendGrowsAmortisedAndLabelsRaw) {
  Value v = Value::String("5");
  EXPECT_EQ(v.encoding(), Encoding::kInt);
  v.Append("1");
  EXPECT_EQ(v.AsString(), "51");
  EXPECT_EQ(v.encoding(), Encoding::kRaw);  // as Redis: APPEND to an int -> raw
  std::string want = "51";
  size_t reallocs = 0;
  size_t last_usage = v.MemoryUsage();
  for (int i = 0; i < 10000; ++i) {
    std::string piece(static_cast<size_t>(i % 7 + 1), static_cast<char>('a' + i % 26));
    v.Append(piece);
    want += piece;
    if (v.MemoryUsage() != last_usage) {
      ++reallocs;
      last_usage = v.MemoryUsage();
    }
  }
  EXPECT_EQ(v.AsString(), want);
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  EXPECT_LT(reallocs, 40u);  // doubling: about log2(40000) block changes
  EXPECT_GE(v.MemoryUsage(), want.size());
}

TEST(ValueTest, AppendAcrossInlineBoundary) {
  Value v = Value::String(std::string(10, 'a'));
  v.Append("bbbb");  // 14: still inline
  EXPECT_EQ(v.MemoryUsage(), 0u);
  EXPECT_EQ(v.AsString(), "aaaaaaaaaabbbb");
  v.Append("c");  // 15: moves to the heap
  EXPECT_GT(v.MemoryUsage(), 0u);
  EXPECT_EQ(v.AsString(), "aaaaaaaaaabbbbc");
  v.Append("");
  EXPECT_EQ(v.AsString(), "aaaaaaaaaabbbbc");
}

TEST(ValueTest, AppendSelfAliasing) {
  Value v = Value::String("abcdefghij");
  v.Append(v.AsString());  // source is our own storage, which moves to the heap
  EXPECT_EQ(v.AsString(), "abcdefghijabcdefghij");
  v.Append(v.AsString());
  EXPECT_EQ(v.AsString(), "abcdefghijabcdefghijabcdefghijabcdefghij");
  v.AssignString(v.AsString().substr(5, 20));
  EXPECT_EQ(v.AsString(), "fghijabcdefghijabcde");
  v.AssignString(v.AsString().substr(1, 3));
  EXPECT_EQ(v.AsString(), "ghi");
}

TEST(ValueTest, SetRangeWithGapZeroPads) {
  Value v = Value::String("Hello");
  v.SetRange(10, "World");
  EXPECT_EQ(v.AsString(), std::string("Hello\0\0\0\0\0World", 15));
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  v.SetRange(0, "J");
  EXPECT_EQ(v.AsString(), std::string("Jello\0\0\0\0\0World", 15));
  v.SetRange(13, "LDS!");  // overlaps the end and grows
  EXPECT_EQ(v.AsString(), std::string("Jello\0\0\0\0\0WorLDS!", 17));

  Value e;  // SETRANGE on a missing key: an empty string grown from nothing
  e.SetRange(3, "x");
  EXPECT_EQ(e.AsString(), std::string("\0\0\0x", 4));
  Value inl = Value::String("abc");
  inl.SetRange(1, "Z");  // in place, inline
  EXPECT_EQ(inl.AsString(), "aZc");
  EXPECT_EQ(inl.encoding(), Encoding::kRaw);
  Value big;
  big.SetRange(100000, "end");
  EXPECT_EQ(big.StringSize(), 100003u);
  EXPECT_EQ(big.AsString().substr(100000), "end");
  EXPECT_EQ(big.AsString()[99999], '\0');
  EXPECT_EQ(big.AsString()[0], '\0');
}

TEST(ValueTest, SetRangeSelfAliasing) {
  Value v = Value::String("0123456789");
  v.SetRange(8, v.AsString());  // grows to the heap while reading our own bytes
  EXPECT_EQ(v.AsString(), "012345670123456789");
}

TEST(ValueTest, BinaryData) {
  std::string bin;
  for (int i = 0; i < 256; ++i) bin.push_back(static_cast<char>(i));
  Value v = Value::String(bin);
  EXPECT_EQ(v.AsString(), bin);
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  std::string small("\0a\0", 3);
  Value s = Value::String(small);
  EXPECT_EQ(s.AsString(), small);
  EXPECT_EQ(s.StringSize(), 3u);
  std::string fourteen(14, '\0');
  Value z = Value::String(fourteen);
  EXPECT_EQ(z.AsString(), fourteen);
}

TEST(ValueTest, AssignStringRelabels) {
  Value v = Value::String(std::string(100, 'q'));
  v.AssignString("42");
  EXPECT_EQ(v.encoding(), Encoding::kInt);
  EXPECT_EQ(v.MemoryUsage(), 0u);
  v.AssignString(std::string(30, 'z'));
  EXPECT_EQ(v.encoding(), Encoding::kEmbStr);
  EXPECT_EQ(v.AsString(), std::string(30, 'z'));
}

class FakeObject : public ObjectBase {
 public:
  explicit FakeObject(int payload, int* live) : payload_(payload), live_(live) { ++*live_; }
  ~FakeObject() override { --*live_; }
  size_t MemoryUsage() const override { return 1000; }
  std::unique_ptr<ObjectBase> Clone() const override {
    return std::make_unique<FakeObject>(payload_, live_);
  }
  int payload_;
  int* live_;
};

TEST(ValueTest, ObjectLifetimeAndClone) {
  int live = 0;
  {
    Value v = Value::Object(ValueType::kHash, Encoding::kListpack,
                            std::make_unique<FakeObject>(7, &live));
    EXPECT_EQ(live, 1);
    EXPECT_FALSE(v.IsString());
    EXPECT_EQ(v.type(), ValueType::kHash);
    EXPECT_EQ(v.encoding(), Encoding::kListpack);
    EXPECT_EQ(v.As<FakeObject>()->payload_, 7);
    EXPECT_EQ(v.MemoryUsage(), 1000u);
    Value c = v.Clone();
    EXPECT_EQ(live, 2);
    EXPECT_NE(c.object(), v.object());
    EXPECT_EQ(c.As<FakeObject>()->payload_, 7);
    EXPECT_EQ(c.type(), ValueType::kHash);
    v.set_encoding(Encoding::kHashtable);
    EXPECT_EQ(v.type(), ValueType::kHash);
    EXPECT_EQ(v.encoding(), Encoding::kHashtable);
    // Overwriting an object with a string frees the object.
    v = Value::String("s");
    EXPECT_EQ(live, 1);
    EXPECT_TRUE(v.IsString());
  }
  EXPECT_EQ(live, 0);
}

TEST(ValueTest, CloneKeepsLabel) {
  Value raw = Value::String("abc");
  raw.Append("d");
  Value c = raw.Clone();
  EXPECT_EQ(c.encoding(), Encoding::kRaw);
  EXPECT_EQ(c.AsString(), "abcd");
  Value heap = Value::String(std::string(50, 'h'));
  Value hc = heap.Clone();
  EXPECT_EQ(hc.AsString(), heap.AsString());
  EXPECT_NE(hc.AsString().data(), heap.AsString().data());
  EXPECT_EQ(Value::Integer(12).Clone().encoding(), Encoding::kInt);
}

TEST(ValueTest, MoveSemantics) {
  Value a = Value::String(std::string(40, 'm'));
  const char* data = a.AsString().data();
  Value b(std::move(a));
  EXPECT_EQ(b.AsString().data(), data);  // heap block moved, not copied
  EXPECT_EQ(a.AsString(), "");           // NOLINT(bugprone-use-after-move): defined empty
  Value c;
  c = std::move(b);
  EXPECT_EQ(c.AsString(), std::string(40, 'm'));
  EXPECT_EQ(b.AsString(), "");  // NOLINT(bugprone-use-after-move)
  Value& alias = c;
  c = std::move(alias);  // self-move leaves it intact
  EXPECT_EQ(c.AsString(), std::string(40, 'm'));
  Value inl = Value::String("tiny");
  Value d = std::move(inl);
  EXPECT_EQ(d.AsString(), "tiny");
}

}  // namespace
}  // namespace gannet
