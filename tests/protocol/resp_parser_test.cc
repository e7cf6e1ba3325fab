// RespParser tests. Every error text was checked against redis-server 7.0.15 over a raw
// socket. Inputs are fed whole, byte by byte and in seeded random splits, through a buffer
// that is reallocated on every read (as a connection's buffer may be), and the outcome must
// not depend on the split.
#include "gannet/protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace gannet {
namespace {

using Commands = std::vector<std::vector<std::string>>;

struct Outcome {
  Commands commands;
  std::optional<std::string> error;  // set if the stream ended in a protocol error
  bool partial = false;              // a command is partly received at the end

  bool operator==(const Outcome& o) const {
    return commands == o.commands && error == o.error && partial == o.partial;
  }
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{" << o.commands.size() << " commands:";
  for (const auto& c : o.commands) {
    os << " [";
    for (const auto& a : c) os << "'" << a << "'";
    os << "]";
  }
  if (o.error) os << " error '" << *o.error << "'";
  return os << (o.partial ? " partial" : "") << "}";
}

// Plays a connection: appends each chunk to its buffer, parses what it can, drops consumed
// bytes. The buffer is copied to a new allocation before each Parse to catch any pointer
// kept across calls.
class Conn {
 public:
  explicit Conn(ParserLimits limits = {}) : parser_(limits) {}

  // Returns false once a protocol error happened.
  bool Feed(std::string_view chunk) {
    if (out_.error) return false;
    buf_.append(chunk);
    for (;;) {
      std::string moved(buf_);  // new address every call
      buf_.swap(moved);
      ParseResult r = parser_.Parse(buf_);
      if (r.status == ParseStatus::kError) {
        out_.error = std::string(parser_.error_text());
        return false;
      }
      if (r.status == ParseStatus::kNeedMore) {
        EXPECT_LE(r.consumed, buf_.size());
        buf_.erase(0, r.consumed);
        return true;
      }
      std::vector<std::string> cmd;
      for (std::string_view a : parser_.args()) {
        // Views must point into the buffer handed to Parse (or the inline scratch).
        cmd.emplace_back(a);
      }
      EXPECT_GT(r.consumed, 0u);
      EXPECT_LE(r.consumed, buf_.size());
      out_.commands.push_back(std::move(cmd));
      buf_.erase(0, r.consumed);
    }
  }

  Outcome Finish() {
    out_.partial = !out_.error && parser_.InProgress();
    return out_;
  }
  RespParser& parser() { return parser_; }

 private:
  RespParser parser_;
  std::string buf_;
  Outcome out_;
};

Outcome FeedWhole(std::string_view in, ParserLimits limits = {}) {
  Conn c(limits);
  c.Feed(in);
  return c.Finish();
}

Outcome FeedSplits(std::string_view in, const std::vector<size_t>& cuts, ParserLimits limits) {
  Conn c(limits);
  size_t prev = 0;
  for (size_t cut : cuts) {
    if (!c.Feed(in.substr(prev, cut - prev))) break;
    prev = cut;
  }
  if (prev < in.size()) c.Feed(in.substr(prev));
  return c.Finish();
}

// Checks that whole, byte-by-byte and random splits all agree; returns the outcome.
Outcome FeedAllWays(std::string_view in, ParserLimits limits = {}, uint32_t seed = 1) {
  Outcome whole = FeedWhole(in, limits);
  std::vector<size_t> every;
  for (size_t i = 1; i < in.size(); ++i) every.push_back(i);
  if (in.size() < 20000) {
    EXPECT_EQ(FeedSplits(in, every, limits), whole) << "byte by byte";
  }
  std::mt19937 rng(seed);
  for (int round = 0; round < 30; ++round) {
    std::vector<size_t> cuts;
    size_t pos = 0;
    while (true) {
      size_t step = 1 + rng() % (in.size() > 20000 ? 8192 : round % 3 == 0 ? 4 : 64);
      pos += step;
      if (pos >= in.size()) break;
      cuts.push_back(pos);
    }
    EXPECT_EQ(FeedSplits(in, cuts, limits), whole) << "random split round " << round;
  }
  return whole;
}

Outcome Cmds(Commands c) { return Outcome{std::move(c), std::nullopt, false}; }
Outcome Err(Commands c, std::string e) { return Outcome{std::move(c), std::move(e), false}; }
Outcome Partial(Commands c = {}) { return Outcome{std::move(c), std::nullopt, true}; }

// ---------------------------------------------------------------------------------------
// Multibulk

TEST(RespParserTest, SingleCommand) {
  EXPECT_EQ(FeedAllWays("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
            Cmds({{"SET", "key", "value"}}));
}

TEST(RespParserTest, PipelinedCommandsInOneBuffer) {
  std::string in;
  Commands expect;
  for (int i = 0; i < 50; ++i) {
    std::string k = "key:" + std::to_string(i);
    in += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$1\r\nv\r\n";
    in += "*2\r\n$3\r\nGET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n";
    expect.push_back({"SET", k, "v"});
    expect.push_back({"GET", k});
  }
  EXPECT_EQ(FeedAllWays(in), Cmds(expect));
}

TEST(RespParserTest, ReturnsOneCommandPerCallWithConsumed) {
  RespParser p;
  std::string in = "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
  ParseResult r = p.Parse(in);
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, 14u);
  ASSERT_EQ(p.args().size(), 1u);
  EXPECT_EQ(p.args()[0], "PING");
  EXPECT_EQ(p.args()[0].data(), in.data() + 8);  // a view, not a copy
  std::string_view rest(in);
  rest.remove_prefix(r.consumed);
  r = p.Parse(rest);
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, rest.size());
  EXPECT_EQ(p.args()[1], "hi");
  r = p.Parse(std::string_view());
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(RespParserTest, BinarySafeArguments) {
  std::string v("a\0b\r\nc\n\r", 8);
  std::string in = "*2\r\n$4\r\nECHO\r\n$8\r\n" + v + "\r\n";
  EXPECT_EQ(FeedAllWays(in), Cmds({{"ECHO", v}}));
  EXPECT_EQ(FeedAllWays("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"), Cmds({{"ECHO", ""}}));
}

TEST(RespParserTest, EmptyCommandsAreSkipped) {
  EXPECT_EQ(FeedAllWays("*0\r\n*-1\r\n*-10\r\n\r\n\n   \r\n*1\r\n$4\r\nPING\r\n"),
            Cmds({{"PING"}}));
  RespParser p;
  ParseResult r = p.Parse("*0\r\n*-1\r\n");
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 9u);  // may be dropped
  std::string in = "*0\r\n*1\r\n$4\r\nPI";
  r = p.Parse(in);
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
  EXPECT_EQ(r.consumed, 0u);  // a command is partly received: keep everything
  in += "NG\r\n";
  r = p.Parse(in);
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(r.consumed, in.size());
  EXPECT_EQ(p.args()[0], "PING");
}

TEST(RespParserTest, TrailingBytesOfABulkAreNotChecked) {
  // Redis skips the two bytes after a bulk payload without looking at them.
  EXPECT_EQ(FeedAllWays("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n"), Cmds({{"PING"}, {"PING"}}));
}

TEST(RespParserTest, HeaderLineEndsAtCrWhateverFollows) {
  EXPECT_EQ(FeedAllWays("*1\rX$4\rYPING\r\n"), Cmds({{"PING"}}));
}

TEST(RespParserTest, MissingBytesOfALargeBulk) {
  RespParser p;
  std::string in = "*2\r\n$3\r\nSET\r\n$100\r\nabc";
  EXPECT_EQ(p.Parse(in).status, ParseStatus::kNeedMore);
  EXPECT_EQ(p.MissingBytes(), 99u);  // 97 payload bytes + CRLF
  EXPECT_TRUE(p.InProgress());
  in += std::string(97, 'x');
  EXPECT_EQ(p.Parse(in).status, ParseStatus::kNeedMore);
  EXPECT_EQ(p.MissingBytes(), 2u);
  in += "\r\n";
  ASSERT_EQ(p.Parse(in).status, ParseStatus::kCommand);
  EXPECT_EQ(p.args()[1].size(), 100u);
  EXPECT_FALSE(p.InProgress());
  EXPECT_EQ(p.MissingBytes(), 0u);
}

TEST(RespParserTest, LargeBulkArrivingInManyReads) {
  std::string payload(1 << 20, 'z');
  payload[12345] = '\r';
  std::string in =
      "*2\r\n$4\r\nECHO\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  std::vector<size_t> cuts;
  for (size_t pos = 1000; pos < in.size(); pos += 9000) cuts.push_back(pos);
  EXPECT_EQ(FeedSplits(in, cuts, {}), Cmds({{"ECHO", payload}}));
}

TEST(RespParserTest, ManyArgumentsThenSmallCommands) {
  std::string in = "*100000\r\n";
  for (int i = 0; i < 100000; ++i) in += "$1\r\nx\r\n";
  in += "*1\r\n$4\r\nPING\r\n";
  RespParser p;
  ParseResult r = p.Parse(in);
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  EXPECT_EQ(p.args().size(), 100000u);
  r = p.Parse(std::string_view(in).substr(r.consumed));
  ASSERT_EQ(r.status, ParseStatus::kCommand);
  ASSERT_EQ(p.args().size(), 1u);
  EXPECT_EQ(p.args()[0], "PING");
}

TEST(RespParserTest, ResetForgetsPartialCommand) {
  RespParser p;
  EXPECT_EQ(p.Parse("*2\r\n$3\r\nGET\r\n").status, ParseStatus::kNeedMore);
  p.Reset();
  ASSERT_EQ(p.Parse("*1\r\n$4\r\nPING\r\n").status, ParseStatus::kCommand);
  EXPECT_EQ(p.args().size(), 1u);
}

TEST(RespParserTest, ShrunkInputWithoutResetIsSafe) {
  RespParser p;
  EXPECT_EQ(p.Parse("*2\r\n$3\r\nGET\r\n$1").status, ParseStatus::kNeedMore);
  // Contract violation (bytes dropped without Reset): must not read out of bounds.
  ParseResult r = p.Parse("*1");
  EXPECT_EQ(r.status, ParseStatus::kNeedMore);
}

// ---------------------------------------------------------------------------------------
// Multibulk errors (texts from redis-server 7.0.15)

TEST(RespParserTest, InvalidMultibulkLength) {
  const char* kErr = "ERR Protocol error: invalid multibulk length";
  for (const char* in :
       {"*3000000000\r\n", "*2147483648\r\n", "*\r\n", "*abc\r\n", "*-0\r\n", "*+1\r\n", "*01\r\n",
        "*1 \r\n", "* 1\r\n", "*1.0\r\n", "*99999999999999999999\r\n"}) {
    EXPECT_EQ(FeedAllWays(in), Err({}, kErr)) << in;
  }
  // INT_MAX itself is allowed: arguments are awaited, nothing is reserved up front.
  EXPECT_EQ(FeedAllWays("*2147483647\r\n$4\r\nPING\r\n"), Partial());
}

TEST(RespParserTest, ExpectedDollar) {
  EXPECT_EQ(FeedAllWays("*1\r\nGET\r\n"), Err({}, "ERR Protocol error: expected '$', got 'G'"));
  EXPECT_EQ(FeedAllWays("*2\r\n$3\r\nGET\r\n:1\r\n"),
            Err({}, "ERR Protocol error: expected '$', got ':'"));
  // The offending byte may be the CR itself; it is shown as a space (as Redis does).
  EXPECT_EQ(FeedAllWays("*1\r\n\r\n"), Err({}, "ERR Protocol error: expected '$', got ' '"));
  // Redis only looks once the whole line is there.
  EXPECT_EQ(FeedAllWays("*1\r\nGET"), Partial());
}

TEST(RespParserTest, InvalidBulkLength) {
  const char* kErr = "ERR Protocol error: invalid bulk length";
  for (const char* in :
       {"*1\r\n$-1\r\n", "*1\r\n$-10\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n", "*1\r\n$-0\r\n",
        "*1\r\n$04\r\nPING\r\n", "*1\r\n$+4\r\nPING\r\n", "*1\r\n$536870913\r\n",
        "*1\r\n$600000000\r\n", "*1\r\n$99999999999999999999\r\n", "*1\r\n$9223372036854775807\r\n",
        "*1\r\n$4 \r\nPING\r\n"}) {
    EXPECT_EQ(FeedAllWays(in), Err({}, kErr)) << in;
  }
  // Exactly proto-max-bulk-len is fine.
  EXPECT_EQ(FeedAllWays("*1\r\n$536870912\r\n"), Partial());
}

TEST(RespParserTest, ConfiguredLimits) {
  ParserLimits l;
  l.max_bulk_len = 10;
  l.max_multibulk_len = 3;
  EXPECT_EQ(FeedAllWays("*3\r\n$10\r\n0123456789\r\n$1\r\na\r\n$0\r\n\r\n", l),
            Cmds({{"0123456789", "a", ""}}));
  EXPECT_EQ(FeedAllWays("*1\r\n$11\r\n01234567890\r\n", l),
            Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*4\r\n", l), Err({}, "ERR Protocol error: invalid multibulk length"));
}

TEST(RespParserTest, UnauthenticatedLimits) {
  ParserLimits l;
  l.unauthenticated = true;
  EXPECT_EQ(FeedAllWays("*11\r\n", l),
            Err({}, "ERR Protocol error: unauthenticated multibulk length"));
  EXPECT_EQ(FeedAllWays("*1\r\n$16385\r\n", l),
            Err({}, "ERR Protocol error: unauthenticated bulk length"));
  // Invalid beats unauthenticated; empty commands stay ignored.
  EXPECT_EQ(FeedAllWays("*1\r\n$-1\r\n", l), Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*3000000000\r\n", l),
            Err({}, "ERR Protocol error: invalid multibulk length"));
  EXPECT_EQ(FeedAllWays("*-100\r\n*0\r\n", l), Cmds({}));
  // At the limits it works.
  std::string in = "*10\r\n";
  Commands expect{{}};
  for (int i = 0; i < 9; ++i) {
    in += "$1\r\na\r\n";
    expect[0].push_back("a");
  }
  std::string big(16384, 'b');
  in += "$16384\r\n" + big + "\r\n";
  expect[0].push_back(big);
  EXPECT_EQ(FeedAllWays(in, l), Cmds(expect));
  // Once authenticated, the normal limits apply.
  RespParser p(l);
  ParserLimits authed = l;
  authed.unauthenticated = false;
  p.set_limits(authed);
  EXPECT_EQ(p.Parse("*11\r\n").status, ParseStatus::kNeedMore);
  EXPECT_FALSE(p.limits().unauthenticated);
}

TEST(RespParserTest, TooBigCountStrings) {
  std::string digits(70000, '1');
  EXPECT_EQ(FeedAllWays("*" + digits), Err({}, "ERR Protocol error: too big mbulk count string"));
  EXPECT_EQ(FeedAllWays("*1\r\n$" + digits),
            Err({}, "ERR Protocol error: too big bulk count string"));
  // 64 KB of header without CR is still waited on; one more byte is too many.
  std::string line = "*" + std::string(65535, '1');  // 65536 bytes
  EXPECT_EQ(FeedWhole(line), Partial());
  EXPECT_EQ(FeedWhole(line + "1"), Err({}, "ERR Protocol error: too big mbulk count string"));
  // A CR beyond 64 KB does not rescue the line.
  EXPECT_EQ(FeedWhole(line + "1\r\n"), Err({}, "ERR Protocol error: too big mbulk count string"));
}

TEST(RespParserTest, NulHidesTheLineEnd) {
  // Redis looks for CR with strchr, which stops at a NUL: the line never ends.
  std::string in("*1\0\r\n$4\r\nPING\r\n", 15);
  EXPECT_EQ(FeedAllWays(in), Partial());
  std::string big = in + std::string(70000, 'x');
  EXPECT_EQ(FeedWhole(big), Err({}, "ERR Protocol error: too big mbulk count string"));
  std::string in2("*1\r\n$4\0\r\nPING\r\n", 15);
  EXPECT_EQ(FeedAllWays(in2), Partial());
}

TEST(RespParserTest, ErrorAfterGoodCommands) {
  EXPECT_EQ(FeedAllWays("*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$-1\r\n*1\r\n$4\r\nPING\r\n"),
            Err({{"PING"}, {"PING"}}, "ERR Protocol error: invalid bulk length"));
}

// ---------------------------------------------------------------------------------------
// Inline commands (sdssplitargs rules)

TEST(RespParserTest, InlineBasics) {
  EXPECT_EQ(FeedAllWays("PING\r\n"), Cmds({{"PING"}}));
  EXPECT_EQ(FeedAllWays("PING\n"), Cmds({{"PING"}}));
  EXPECT_EQ(FeedAllWays("  SET   k \t v  \r\nGET k\n"), Cmds({{"SET", "k", "v"}, {"GET", "k"}}));
  // Only the CR right before LF is stripped; an inner CR separates arguments.
  EXPECT_EQ(FeedAllWays("a\rb\r\r\n"), Cmds({{"a", "b"}}));
  // \v and \f are skipped between arguments but belong to an argument inside it.
  EXPECT_EQ(FeedAllWays("echo \vx\f\n"), Cmds({{"echo", "x\f"}}));
  EXPECT_EQ(FeedAllWays("echo\n"), Cmds({{"echo"}}));
  // Partial inline line: nothing yet.
  EXPECT_EQ(FeedAllWays("GET k"), Partial());
}

TEST(RespParserTest, InlineQuotes) {
  EXPECT_EQ(FeedAllWays("set \"a b\" 'c d'\n"), Cmds({{"set", "a b", "c d"}}));
  EXPECT_EQ(FeedAllWays("set 'a\\'b' c\r\n"), Cmds({{"set", "a'b", "c"}}));
  EXPECT_EQ(FeedAllWays("echo 'a\\nb'\n"), Cmds({{"echo", "a\\nb"}}));  // no escapes in '...'
  EXPECT_EQ(FeedAllWays("echo \"\\x41\\x4g\\n\"\n"), Cmds({{"echo", "Ax4g\n"}}));
  EXPECT_EQ(FeedAllWays("echo \"\\r\\t\\b\\a\\\\\\\"\\z\"\n"), Cmds({{"echo", "\r\t\b\a\\\"z"}}));
  EXPECT_EQ(FeedAllWays("echo \"\\x00\\xff\\xAb\"\n"),
            Cmds({{"echo", std::string("\0\xff\xab", 3)}}));
  EXPECT_EQ(FeedAllWays("echo a\"b c\"\n"), Cmds({{"echo", "ab c"}}));
  EXPECT_EQ(FeedAllWays("echo \"\" ''\n"), Cmds({{"echo", "", ""}}));
  EXPECT_EQ(FeedAllWays("echo \"a\"\t'b'\n"), Cmds({{"echo", "a", "b"}}));
  EXPECT_EQ(FeedAllWays("echo \"a\"\r\n"), Cmds({{"echo", "a"}}));
}

TEST(RespParserTest, InlineUnbalancedQuotes) {
  const char* kErr = "ERR Protocol error: unbalanced quotes in request";
  for (const char* in : {"set \"a b\r\n", "set 'a b\n", "echo \"a\"b\n", "echo 'a'b\n",
                         "echo \"a\\\"\n", "echo \"\\\n", "echo '\\'\n"}) {
    EXPECT_EQ(FeedAllWays(in), Err({}, kErr)) << in;
  }
  EXPECT_EQ(FeedAllWays("PING\nset \"a\n"), Err({{"PING"}}, kErr));
}

TEST(RespParserTest, InlineTooBig) {
  const char* kErr = "ERR Protocol error: too big inline request";
  std::string line(65536, 'a');
  EXPECT_EQ(FeedWhole(line), Partial());
  EXPECT_EQ(FeedWhole(line + "\n"), Cmds({{line}}));
  EXPECT_EQ(FeedWhole(line + "a"), Err({}, kErr));
  EXPECT_EQ(FeedWhole(line + "a\n"), Err({}, kErr));
  std::string big(70000, 'a');
  EXPECT_EQ(FeedAllWays(big), Err({}, kErr));
  // A NUL hides the newline (Redis uses strchr): the request can only grow too big.
  std::string nul("PING\0\n", 6);
  EXPECT_EQ(FeedAllWays(nul), Partial());
  EXPECT_EQ(FeedWhole(nul + std::string(70000, '\n')), Err({}, kErr));
}

TEST(RespParserTest, InlineAndMultibulkMixed) {
  EXPECT_EQ(FeedAllWays("PING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\nECHO y\n"),
            Cmds({{"PING"}, {"ECHO", "x"}, {"ECHO", "y"}}));
}

// ---------------------------------------------------------------------------------------
// Random valid traffic: what goes in comes out, whatever the split.

TEST(RespParserTest, RandomValidCommandsRoundTrip) {
  std::mt19937 rng(99);
  for (int round = 0; round < 20; ++round) {
    std::string in;
    Commands expect;
    int n = 1 + static_cast<int>(rng() % 40);
    for (int c = 0; c < n; ++c) {
      std::vector<std::string> cmd;
      int argc = 1 + static_cast<int>(rng() % 6);
      bool inline_form = rng() % 4 == 0;
      for (int a = 0; a < argc; ++a) {
        std::string arg;
        size_t len = rng() % 8 == 0 ? rng() % 3000 : rng() % 12;
        for (size_t i = 0; i < len; ++i) {
          arg.push_back(inline_form ? static_cast<char>('a' + rng() % 26)
                                    : static_cast<char>(rng() % 256));
        }
        if (inline_form && arg.empty()) arg = "x";
        cmd.push_back(arg);
      }
      if (inline_form) {
        for (size_t a = 0; a < cmd.size(); ++a) in += (a ? " " : "") + cmd[a];
        in += rng() % 2 ? "\r\n" : "\n";
      } else {
        in += "*" + std::to_string(cmd.size()) + "\r\n";
        for (const auto& a : cmd) in += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
      }
      expect.push_back(std::move(cmd));
    }
    EXPECT_EQ(FeedAllWays(in, {}, static_cast<uint32_t>(round)), Cmds(expect));
  }
}

// A whole command in the buffer takes a shortcut (RespParser::ParseWhole) that must give
// up, leaving the general path to decide, on everything it does not handle; fed whole
// (shortcut) and split (general path) the outcome must be the same.
TEST(RespParserTest, WholeCommandShortcutMatchesGeneralPath) {
  EXPECT_EQ(FeedAllWays("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"), Cmds({{"GET", ""}}));
  EXPECT_EQ(FeedAllWays("*1\r\n$3\r\nGETxy*1\r\n$1\r\nA\r\n"), Cmds({{"GET"}, {"A"}}));
  EXPECT_EQ(FeedAllWays("*2\r\n$03\r\nGET\r\n$1\r\nk\r\n"),
            Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*01\r\n$3\r\nGET\r\n"),
            Err({}, "ERR Protocol error: invalid multibulk length"));
  EXPECT_EQ(FeedAllWays("*1\r\n$+3\r\nGET\r\n"),
            Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*1\r\n:3\r\nGET\r\n"),
            Err({}, "ERR Protocol error: expected '$', got ':'"));
  // 18 digits is the shortcut's limit; 19 go the general way (and are still too big).
  EXPECT_EQ(FeedAllWays("*1\r\n$100000000000000000\r\nx"),
            Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*1\r\n$1000000000000000000\r\nx"),
            Err({}, "ERR Protocol error: invalid bulk length"));
  // More arguments than the shortcut takes, all present.
  std::string many = "*1500\r\n";
  Commands many_expect(1);
  for (int i = 0; i < 1500; ++i) {
    many += "$1\r\nx\r\n";
    many_expect[0].push_back("x");
  }
  many += "*1\r\n$4\r\nPING\r\n";
  many_expect.push_back({"PING"});
  EXPECT_EQ(FeedAllWays(many), Cmds(many_expect));
  // The limits: the shortcut leaves their errors to the general path.
  ParserLimits small;
  small.max_bulk_len = 4;
  small.max_multibulk_len = 2;
  EXPECT_EQ(FeedAllWays("*2\r\n$4\r\nPING\r\n$5\r\nabcde\r\n", small),
            Err({}, "ERR Protocol error: invalid bulk length"));
  EXPECT_EQ(FeedAllWays("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", small),
            Err({}, "ERR Protocol error: invalid multibulk length"));
  ParserLimits unauth;
  unauth.unauthenticated = true;
  unauth.unauth_max_bulk_len = 3;
  EXPECT_EQ(FeedAllWays("*1\r\n$4\r\nPING\r\n", unauth),
            Err({}, "ERR Protocol error: unauthenticated bulk length"));
  EXPECT_EQ(FeedAllWays("*11\r\n", unauth),
            Err({}, "ERR Protocol error: unauthenticated multibulk length"));
}

// ---------------------------------------------------------------------------------------
// Random garbage: split invariance and no crash.

TEST(RespParserTest, RandomGarbageIsSplitInvariant) {
  std::mt19937 rng(2024);
  const std::vector<std::string> pieces = {"*",  "$",  "\r\n", "\r",  "\n", "1",    "2",  "0",
                                           "-1", "3",  "PING", "\"",  "'",  "\\",   " ",  "x",
                                           "*2", "$3", "GET",  "NUL", "a",  "\\x4", "*0", "$-1"};
  for (int iter = 0; iter < 300; ++iter) {
    std::string in;
    int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      const std::string& p = pieces[rng() % pieces.size()];
      if (p == "NUL") {
        in.push_back('\0');
      } else {
        in += p;
      }
    }
    FeedAllWays(in, {}, static_cast<uint32_t>(iter));
  }
}

}  // namespace
}  // namespace gannet
