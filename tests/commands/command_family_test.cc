// COMMAND and its subcommands, and the check of every table row against the COMMAND INFO
// of a real redis-server 7.0 (testdata/redis_command_info.tsv).
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "command_test_base.h"

namespace gannet {
namespace {

class CommandFamilyTest : public CommandTest {};

std::string JoinTexts(const RespValue& v) {
  std::string out;
  for (const RespValue& e : v.elems) {
    if (!out.empty()) out += ',';
    out += e.text();
  }
  return out.empty() ? "-" : out;
}

// One COMMAND INFO row in the golden file's format; appends subcommand rows too.
void FormatRows(const RespValue& info, std::map<std::string, std::string>* rows) {
  ASSERT_EQ(info.type, RespType::kArray);
  ASSERT_EQ(info.size(), 10u) << info;
  std::ostringstream row;
  row << info[0].text() << '\t' << info[1].integer << '\t' << JoinTexts(info[2]) << '\t'
      << info[3].integer << '\t' << info[4].integer << '\t' << info[5].integer << '\t'
      << JoinTexts(info[6]) << '\t' << JoinTexts(info[7]);
  (*rows)[info[0].text()] = row.str();
  for (const RespValue& sub : info[9].elems) FormatRows(sub, rows);
}

TEST_F(CommandFamilyTest, EveryRowMatchesRedis) {
  std::ifstream in(std::string(GANNET_COMMANDS_TESTDATA) + "/redis_command_info.tsv");
  ASSERT_TRUE(in.good());
  std::map<std::string, std::string> redis;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    redis[line.substr(0, line.find('\t'))] = line;
  }
  ASSERT_GT(redis.size(), 300u);

  RespValue all = Run({"COMMAND"});
  ASSERT_EQ(all.type, RespType::kArray);
  std::map<std::string, std::string> ours;
  for (const RespValue& info : all.elems) FormatRows(info, &ours);
  ASSERT_GT(ours.size(), 50u);
  // The one row Redis 7.0 lacks on purpose: CLIENT NO-TOUCH (7.2), which issue 6 asks
  // for. CLIENT SETINFO (7.2) is absent, as in 7.0: clients tolerate its error.
  const std::set<std::string> kDeliberateExtras = {"client|no-touch"};
  for (const auto& [name, row] : ours) {
    auto it = redis.find(name);
    if (it == redis.end() && kDeliberateExtras.count(name) != 0) continue;
    if (it == redis.end()) {
      ADD_FAILURE() << "command not in redis 7.0: " << name;
      continue;
    }
    EXPECT_EQ(row, it->second);
  }
}

TEST_F(CommandFamilyTest, CountAndList) {
  RespValue count = Run({"COMMAND", "COUNT"});
  ASSERT_EQ(count.type, RespType::kInteger);
  EXPECT_EQ(static_cast<size_t>(count.integer), table_.size());
  RespValue all = Run({"COMMAND"});
  EXPECT_EQ(all.size(), table_.size());

  RespValue list = Run({"COMMAND", "LIST"});
  ASSERT_EQ(list.type, RespType::kArray);
  std::vector<std::string> names = list.Strings();
  EXPECT_GT(names.size(), table_.size());  // subcommands are listed too
  EXPECT_NE(std::find(names.begin(), names.end(), "get"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "object|encoding"), names.end());

  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "object*"}),
              UnorderedBulkArray({"object", "object|encoding", "object|freq", "object|help",
                                  "object|idletime", "object|refcount"}));
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "pattern", "GETR*"}),
              UnorderedBulkArray({"getrange"}));
  RespValue keyspace = Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "keyspace"});
  std::vector<std::string> ks = keyspace.Strings();
  EXPECT_NE(std::find(ks.begin(), ks.end(), "del"), ks.end());
  EXPECT_NE(std::find(ks.begin(), ks.end(), "object|freq"), ks.end());
  EXPECT_EQ(std::find(ks.begin(), ks.end(), "get"), ks.end());
  EXPECT_EQ(std::find(ks.begin(), ks.end(), "object"), ks.end());
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}), EmptyArray());
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "foo"}), EmptyArray());

  const char kSyntax[] = "ERR syntax error";
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "PATTERN"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "FOO", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "*", "x"}), ErrorIs(kSyntax));
  EXPECT_THAT(Run({"COMMAND", "LIST", "FOO"}), ErrorIs(kSyntax));
}

TEST_F(CommandFamilyTest, InfoShape) {
  EXPECT_THAT(Run({"COMMAND", "INFO", "get", "nosuch", "OBJECT|freq", "object|nosuch"}),
              ArrayOf(ArrayOf(BulkIs("get"), IntIs(2), BulkArray({"readonly", "fast"}), IntIs(1),
                              IntIs(1), IntIs(1), BulkArray({"@read", "@string", "@fast"}),
                              EmptyArray(), EmptyArray(), EmptyArray()),
                      IsNil(),
                      ArrayOf(BulkIs("object|freq"), IntIs(3), BulkArray({"readonly"}), IntIs(2),
                              IntIs(2), IntIs(1), BulkArray({"@keyspace", "@read", "@slow"}),
                              BulkArray({"nondeterministic_output"}), EmptyArray(), EmptyArray()),
                      IsNil()));
  // Flags and categories are status strings; a container lists its subcommands.
  RespValue get = Run({"COMMAND", "INFO", "get"})[0];
  EXPECT_EQ(get[2][0].type, RespType::kSimple);
  EXPECT_EQ(get[6][0].type, RespType::kSimple);
  RespValue object = Run({"COMMAND", "INFO", "object"})[0];
  EXPECT_EQ(object[9].size(), 5u);
  // No names: every command.
  EXPECT_EQ(Run({"COMMAND", "INFO"}).size(), table_.size());
}

TEST_F(CommandFamilyTest, InfoResp3UsesSets) {
  // Captured from redis-server 7.0.15 with HELLO 3 (key specs aside, which we leave empty).
  std::string raw = RunRaw({"COMMAND", "INFO", "ttl"});
  EXPECT_EQ(raw.substr(0, 2), "*1");
  client_.resp_ = RespVersion::kResp3;
  raw = RunRaw({"COMMAND", "INFO", "ttl"});
  EXPECT_EQ(
      raw,
      "*1\r\n*10\r\n$3\r\nttl\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n"
      "+@keyspace\r\n+@read\r\n+@fast\r\n~1\r\n$23\r\nnondeterministic_output\r\n~0\r\n~0\r\n");
  raw = RunRaw({"COMMAND", "INFO", "nosuch"});
  EXPECT_EQ(raw, "*1\r\n_\r\n");
}

TEST_F(CommandFamilyTest, Docs) {
  RespValue docs = Run({"COMMAND", "DOCS", "get", "nosuch", "object"});
  ASSERT_EQ(docs.type, RespType::kArray);  // RESP2: flat name/value pairs
  ASSERT_EQ(docs.size(), 4u);
  EXPECT_EQ(docs[0].text(), "get");
  EXPECT_THAT(docs[1], ArrayLen(8));
  EXPECT_EQ(docs[1][0].text(), "summary");
  EXPECT_FALSE(docs[1][1].text().empty());
  EXPECT_EQ(docs[1][2].text(), "since");
  EXPECT_EQ(docs[1][3].text(), "1.0.0");
  EXPECT_EQ(docs[1][4].text(), "group");
  EXPECT_EQ(docs[1][5].text(), "string");
  EXPECT_EQ(docs[1][6].text(), "complexity");
  EXPECT_EQ(docs[2].text(), "object");
  EXPECT_EQ(docs[3][8].text(), "subcommands");
  EXPECT_EQ(docs[3][9].size(), 10u);  // 5 name/doc pairs

  RespValue r3 = RunResp3({"COMMAND", "DOCS", "get"});
  EXPECT_EQ(r3.type, RespType::kMap);
  EXPECT_THAT(RunResp3({"COMMAND", "DOCS", "nosuch"}), IsType(RespType::kMap));
  EXPECT_THAT(Run({"COMMAND", "DOCS", "nosuch"}), EmptyArray());
  // Every command has docs (redis-cli asks for them all at startup).
  RespValue all = RunResp3({"COMMAND", "DOCS"});
  ASSERT_EQ(all.type, RespType::kMap);
  EXPECT_EQ(all.size(), table_.size());
  for (size_t i = 0; i + 1 < all.elems.size(); i += 2) {
    const RespValue& doc = all.elems[i + 1];
    ASSERT_EQ(doc.type, RespType::kMap) << all.elems[i];
    EXPECT_FALSE(doc.elems.at(1).text().empty()) << "no summary: " << all.elems[i];
  }
}

TEST_F(CommandFamilyTest, GetKeys) {
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "get", "a"}), BulkArray({"a"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "Get", "a"}), BulkArray({"a"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "mset", "a", "b", "c"}), BulkArray({"a", "c"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "mget", "a", "b", "c"}), BulkArray({"a", "b", "c"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "lcs", "a", "b", "LEN"}), BulkArray({"a", "b"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "object", "encoding", "a"}), BulkArray({"a"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "set", "k", "v", "EX", "10"}), BulkArray({"k"}));

  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "foo", "a"}), ErrorIs("ERR Invalid command specified"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "object", "foo", "a"}),
              ErrorIs("ERR Invalid command specified"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "command", "a", "b"}),
              ErrorIs("ERR Invalid command specified"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "get", "a", "b"}),
              ErrorIs("ERR Invalid number of arguments specified for command"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "set", "a"}),
              ErrorIs("ERR Invalid number of arguments specified for command"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "keys", "*"}),
              ErrorIs("ERR The command has no key arguments"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "object", "help", "a"}),
              ErrorIs("ERR The command has no key arguments"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "get"}),
              ErrorIs("ERR wrong number of arguments for 'command|getkeys' command"));
}

// Movable-keys commands: what redis-server 7.0.15 answers for the same arguments.
TEST_F(CommandFamilyTest, GetKeysOfMovableKeysCommands) {
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b", "weights", "1", "2"}),
              BulkArray({"d", "a", "b"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "zdiffstore", "d", "1", "a"}), BulkArray({"d", "a"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "sintercard", "2", "a", "b", "limit", "1"}),
              BulkArray({"a", "b"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "blmpop", "0", "2", "a", "b", "left"}),
              BulkArray({"a", "b"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "xread", "count", "2", "streams", "a", "b", "0", "0"}),
              BulkArray({"a", "b"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "xreadgroup", "group", "g", "c", "streams", "s", ">"}),
              BulkArray({"s"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "sort", "k", "by", "x", "store", "d"}),
              BulkArray({"k", "d"}));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "georadius", "k", "1", "2", "3", "m", "store", "d",
                   "storedist", "e"}),
              BulkArray({"k", "d", "e"}));
  // numkeys that the arguments cannot hold, or a missing STREAMS: hostile, not a crash.
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "zunionstore", "d", "5", "a", "b"}),
              ErrorIs("ERR Invalid arguments specified for command"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "zunionstore", "d", "-9223372036854775808", "a"}),
              ErrorIs("ERR Invalid arguments specified for command"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "lmpop", "0", "a", "left"}),
              ErrorIs("ERR Invalid arguments specified for command"));
  EXPECT_THAT(Run({"COMMAND", "GETKEYS", "xread", "count", "2", "a", "b"}),
              ErrorIs("ERR Invalid arguments specified for command"));
}

TEST_F(CommandFamilyTest, Help) {
  RespValue r = Run({"COMMAND", "HELP"});
  ASSERT_EQ(r.type, RespType::kArray);
  ASSERT_GT(r.size(), 5u);
  EXPECT_EQ(r[0].type, RespType::kSimple);
}

}  // namespace
}  // namespace gannet
