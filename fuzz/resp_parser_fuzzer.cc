// libFuzzer target for RespParser. Each input is parsed three ways: in one buffer, byte by
// byte, and in splits chosen from the input's own hash; the commands and the final error
// (or partial state) must be identical. The first input byte picks the limits (normal,
// tiny, unauthenticated) so the limit paths get fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/protocol/resp_parser.h"

namespace {

using gannet::ParseResult;
using gannet::ParserLimits;
using gannet::ParseStatus;
using gannet::RespParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  bool failed = false;
  bool partial = false;

  bool operator==(const Outcome& o) const {
    return commands == o.commands && error == o.error && failed == o.failed && partial == o.partial;
  }
};

[[noreturn]] void Die(const char* why) {
  std::fprintf(stderr, "resp_parser_fuzzer: %s\n", why);
  std::abort();
}

class Conn {
 public:
  explicit Conn(const ParserLimits& l) : parser_(l) {}

  bool Feed(std::string_view chunk) {
    if (out_.failed) return false;
    buf_.append(chunk);
    for (;;) {
      std::string moved(buf_);  // a new address for every call, as a compacting buffer
      buf_.swap(moved);
      ParseResult r = parser_.Parse(buf_);
      if (r.status == ParseStatus::kError) {
        out_.failed = true;
        out_.error = std::string(parser_.error_text());
        if (out_.error.empty()) Die("error without text");
        return false;
      }
      if (r.consumed > buf_.size()) Die("consumed past the end");
      if (r.status == ParseStatus::kNeedMore) {
        buf_.erase(0, r.consumed);
        return true;
      }
      if (r.consumed == 0) Die("command of zero bytes");
      if (parser_.args().empty()) Die("empty command returned");
      // Copying each argument reads it: a view left pointing into an old buffer (they are
      // reallocated before every call) is a use-after-free that ASan reports.
      std::vector<std::string> cmd;
      for (std::string_view a : parser_.args()) cmd.emplace_back(a);
      out_.commands.push_back(std::move(cmd));
      buf_.erase(0, r.consumed);
    }
  }

  Outcome Finish() {
    out_.partial = !out_.failed && parser_.InProgress();
    return out_;
  }

 private:
  RespParser parser_;
  std::string buf_;
  Outcome out_;
};

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ParserLimits limits;
  switch (data[0] % 3) {
    case 0:
      break;
    case 1:
      limits.max_bulk_len = 16;
      limits.max_multibulk_len = 4;
      break;
    case 2:
      limits.unauthenticated = true;
      limits.unauth_max_multibulk_len = 3;
      limits.unauth_max_bulk_len = 8;
      break;
  }
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  Conn whole(limits);
  whole.Feed(in);
  Outcome expect = whole.Finish();

  if (in.size() <= 4096) {
    Conn bytes(limits);
    for (size_t i = 0; i < in.size() && bytes.Feed(in.substr(i, 1)); ++i) {
    }
    if (!(bytes.Finish() == expect)) Die("byte-by-byte split differs");
  }

  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (unsigned char c : in) h = Mix(h ^ c);
  Conn split(limits);
  size_t pos = 0;
  while (pos < in.size()) {
    h = Mix(h + 1);
    size_t step = 1 + h % 97;
    if (!split.Feed(in.substr(pos, step))) break;
    pos += step;
  }
  if (!(split.Finish() == expect)) Die("random split differs");
  return 0;
}
