// ACL: rules, descriptions (as redis-server 7.0.15 prints them), checks, AUTH, the log,
// ACL files, and the ACL command through the in-process harness.
#include "gannet/commands/acl.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "command_test_base.h"
#include "gannet/commands/command_table.h"

namespace gannet {
namespace {

class AclTest : public ::testing::Test {
 protected:
  std::optional<std::string> Set(std::string_view name, std::vector<std::string_view> rules) {
    return acl_.SetUser(name, rules);
  }
  AclDenial Check(std::string_view user, std::vector<std::string_view> args,
                  std::string_view* object = nullptr) {
    std::string_view ignored;
    const CommandSpec* spec = table_.Find(args[0]);
    if (spec->is_container()) spec = table_.FindSub(*spec, args[1]);
    return acl_.Check(*acl_.Find(user), *spec, CmdArgs(args.data(), args.size()),
                      object ? object : &ignored);
  }

  CommandTable table_;
  Acl acl_{table_};
};

TEST_F(AclTest, DefaultUserIsUnrestricted) {
  EXPECT_EQ(acl_.Describe(acl_.default_user()), "user default on nopass ~* &* +@all");
  EXPECT_TRUE(acl_.default_user().unrestricted);
  acl_.SetRequirePass("pw");
  EXPECT_EQ(acl_.Describe(acl_.default_user()),
            "user default on #" + Sha256Hex("pw") + " ~* &* +@all");
  EXPECT_EQ(acl_.Authenticate("default", "nope"), nullptr);
  EXPECT_EQ(acl_.Authenticate("default", "pw"), &acl_.default_user());
  acl_.SetRequirePass("");
  EXPECT_TRUE(acl_.default_user().nopass);
}

TEST_F(AclTest, DescriptionsMatchRedis) {
  ASSERT_FALSE(Set(
      "u2", {"on", "nopass", "%R~r:*", "%W~w:*", "~x", "&chan*", "+get", "+set", "+config|get"}));
  EXPECT_EQ(acl_.Describe(*acl_.Find("u2")),
            "user u2 on nopass %R~r:* %W~w:* ~x resetchannels &chan* -@all +get +set "
            "+config|get");
  ASSERT_FALSE(Set("y", {"reset"}));
  EXPECT_EQ(acl_.Describe(*acl_.Find("y")), "user y off sanitize-payload resetchannels -@all");
  ASSERT_FALSE(Set("app", {"on", ">secret", "~cache:*"}));
  EXPECT_EQ(acl_.Describe(*acl_.Find("app")),
            "user app on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b "
            "~cache:* resetchannels -@all");
}

TEST_F(AclTest, CommandRulesArePrintedFromTheBitsAsRedis70) {
  // Redis 7.0 works the rules out from what is allowed: the last of +@all/-@all, the
  // categories that fit best, then single commands (+get ... -get cancel out).
  ASSERT_FALSE(Set("u", {"+get", "+set", "-get"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +set");
  ASSERT_FALSE(Set("u", {"+@all"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "+@all");
  ASSERT_FALSE(Set("u", {"-flushall"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "+@all -flushall");
  ASSERT_FALSE(Set("u", {"+flushall"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "+@all");
  ASSERT_FALSE(Set("u", {"-@dangerous", "-@admin"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "+@all -@dangerous");
  ASSERT_FALSE(Set("u", {"-@all", "+@read"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +@read");
  ASSERT_FALSE(Set("u", {"-get"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +@read -get");
  ASSERT_FALSE(Set("u", {"nocommands", "+config|get", "+select|0", "+select|1", "+SELECT|1"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +config|get +select|0 +select|1");
  ASSERT_FALSE(Set("u", {"+select"}));  // the whole command: the first arguments go
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +config|get +select");
  ASSERT_FALSE(Set("u", {"-config"}));
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +select");
}

TEST_F(AclTest, FirstArgumentRulesAsRedis70) {
  auto err = [&](std::string_view rule) { return Set("f", {rule}).value_or("OK"); };
  EXPECT_EQ(err("+select|0"), "OK");
  EXPECT_EQ(err("-select|0"),
            "ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(err("+config|get|x"),
            "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a "
            "subcommand is not supported");
  EXPECT_EQ(err("+config|"), "ERR Error in ACL SETUSER modifier '+config|': Syntax error");
  EXPECT_EQ(err("+select|0|1"),
            "ERR Error in ACL SETUSER modifier '+select|0|1': Unknown command or category name "
            "in ACL");
  EXPECT_EQ(err("+|"),
            "ERR Error in ACL SETUSER modifier '+|': Unknown command or category name in ACL");
  EXPECT_EQ(err("-config|get"), "OK");
  EXPECT_EQ(err(""), "OK");  // an empty rule does nothing
  ASSERT_FALSE(Set("f", {"reset", "on", "nopass", "~*", "+select|0", "+config|get"}));
  EXPECT_EQ(Check("f", {"select", "0"}), AclDenial::kNone);
  EXPECT_EQ(Check("f", {"SELECT", "1"}), AclDenial::kCommand);
  EXPECT_EQ(Check("f", {"config", "get", "x"}), AclDenial::kNone);
  EXPECT_EQ(Check("f", {"config", "set", "x", "y"}), AclDenial::kCommand);
}

TEST_F(AclTest, SelectorsAllowWhatAnyOneAllows) {
  ASSERT_FALSE(Set(
      "t", {"reset", "on", "nopass", "+get", "+set", "~a*", "(+incr ~b*)", "(+publish", "&ch*)"}));
  const AclUser& t = *acl_.Find("t");
  ASSERT_EQ(t.selectors.size(), 3u);
  EXPECT_EQ(acl_.Describe(t),
            "user t on nopass sanitize-payload ~a* resetchannels -@all +get +set (~b* "
            "resetchannels -@all +incr) (resetchannels &ch* -@all +publish)");
  std::string_view object;
  EXPECT_EQ(Check("t", {"get", "a1"}), AclDenial::kNone);
  EXPECT_EQ(Check("t", {"get", "b1"}, &object), AclDenial::kKey);
  EXPECT_EQ(object, "b1");
  EXPECT_EQ(Check("t", {"incr", "b1"}), AclDenial::kNone);
  EXPECT_EQ(Check("t", {"incr", "a1"}, &object), AclDenial::kKey);  // keys checked per selector
  EXPECT_EQ(Check("t", {"publish", "ch1", "x"}), AclDenial::kNone);
  EXPECT_EQ(Check("t", {"publish", "zz", "x"}, &object), AclDenial::kChannel);
  EXPECT_EQ(object, "zz");
  EXPECT_EQ(Check("t", {"mget", "a1"}), AclDenial::kCommand);
  // Unbalanced, empty and bad selectors.
  EXPECT_EQ(*Set("t", {"on", "(+get"}),
            "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
  EXPECT_EQ(*Set("t", {"(on)"}), "ERR Error in ACL SETUSER modifier '(on)': Syntax error");
  EXPECT_EQ(*Set("t", {"(", "+get", "nosuch)"}),
            "ERR Error in ACL SETUSER modifier '( +get nosuch)': Syntax error");
  ASSERT_FALSE(Set("t", {"()", "(+get \"x)"}));  // unbalanced quotes: an empty selector
  EXPECT_EQ(acl_.Find("t")->selectors.size(), 5u);
  ASSERT_FALSE(Set("t", {"clearselectors"}));
  EXPECT_EQ(acl_.Find("t")->selectors.size(), 1u);
}

TEST(AclRenameTest, RulesNameCommandsByTheirOriginalNames) {
  CommandTable table;
  ASSERT_TRUE(table.Rename("flushall", "wipe"));
  Acl acl(table);
  const std::string_view rules[] = {"+flushall"};
  EXPECT_FALSE(acl.SetUser("r", rules));
  const std::string_view renamed[] = {"+wipe"};
  EXPECT_TRUE(acl.SetUser("r", renamed));
  EXPECT_EQ(acl.DescribeCommands(*acl.Find("r")), "-@all +flushall");
}

TEST_F(AclTest, ConfigLinesAsRedis) {
  ASSERT_FALSE(acl_.SetUserFromLine("alice on nopass ~a* +get \"(+set ~b*)\" (+incr ~c*)"));
  EXPECT_EQ(acl_.Describe(*acl_.Find("alice")),
            "user alice on nopass ~a* resetchannels -@all +get (~b* resetchannels -@all +set) "
            "(~c* resetchannels -@all +incr)");
  EXPECT_EQ(*acl_.SetUserFromLine("alice off"),
            "ERR Duplicate user found. A user can only be defined once in config files");
  EXPECT_TRUE(acl_.SetUserFromLine("bob on (+get"));
  EXPECT_TRUE(acl_.SetUserFromLine("carol on +nosuch"));
  // The default user is reset first (sanitize-payload appears, as in Redis).
  ASSERT_FALSE(acl_.SetUserFromLine("default on nopass ~* &* +@all"));
  EXPECT_EQ(acl_.Describe(acl_.default_user()),
            "user default on nopass sanitize-payload ~* &* +@all");
}

// Key permissions come from the key-spec flags, as Redis 7.0 decides them: INCR needs read
// and write, EXISTS neither, COPY reads its source and writes its destination.
TEST_F(AclTest, RequiredKeyAccessFollowsKeySpecs) {
  ASSERT_FALSE(Set("rw", {"on", "nopass", "+@all", "%R~r*", "%W~w*", "~rw*"}));
  EXPECT_EQ(Check("rw", {"get", "r1"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"get", "w1"}), AclDenial::kKey);
  EXPECT_EQ(Check("rw", {"set", "w1", "v"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"set", "w1", "v", "get"}), AclDenial::kKey);  // GET reads too
  EXPECT_EQ(Check("rw", {"incr", "w1"}), AclDenial::kKey);
  EXPECT_EQ(Check("rw", {"incr", "rw1"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"exists", "w1"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"copy", "r1", "w1"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"copy", "w1", "r1"}), AclDenial::kKey);
  EXPECT_EQ(AclRequiredKeyAccess(kKeyRW | kKeyAccess | kKeyUpdate), kAclKeyAll);
  EXPECT_EQ(AclRequiredKeyAccess(kKeyRO), 0);
  EXPECT_EQ(Check("rw", {"ssubscribe", "anything"}), AclDenial::kChannel);  // not a key
}

TEST_F(AclTest, HugeRuleListsAreFine) {
  std::vector<std::string> rules;
  for (int i = 0; i < 5000; ++i) rules.push_back(i % 2 ? "+get" : "-get");
  for (int i = 0; i < 500; ++i) rules.push_back("(~k" + std::to_string(i) + " +set)");
  std::vector<std::string_view> views(rules.begin(), rules.end());
  ASSERT_FALSE(acl_.SetUser("big", views));
  EXPECT_EQ(acl_.Find("big")->selectors.size(), 501u);
  EXPECT_EQ(Check("big", {"set", "k499", "v"}), AclDenial::kNone);
  EXPECT_EQ(Check("big", {"set", "k500", "v"}), AclDenial::kKey);
}

TEST_F(AclTest, KeyPatternsMergeAndRequireTheirPermissions) {
  ASSERT_FALSE(Set("d", {"%R~x", "%W~x", "%R~y", "%R"}));
  EXPECT_EQ(acl_.DescribeKeys(acl_.Find("d")->root()), "~x %R~y %R~");
  EXPECT_EQ(*Set("d", {"%RR~x"}), "ERR Error in ACL SETUSER modifier '%RR~x': Syntax error");
  EXPECT_EQ(*Set("d", {"%~x"}), "ERR Error in ACL SETUSER modifier '%~x': Syntax error");
}

TEST_F(AclTest, RuleErrorsAreRedisTextsAndChangeNothing) {
  ASSERT_FALSE(Set("u", {"on", "+get"}));
  EXPECT_EQ(*Set("u", {"off", "foo"}), "ERR Error in ACL SETUSER modifier 'foo': Syntax error");
  EXPECT_TRUE(acl_.Find("u")->enabled);  // all or nothing
  EXPECT_EQ(*Set("u", {"+nosuch"}),
            "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(*Set("u", {"+@nosuch"}),
            "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(*Set("u", {"#abc"}),
            "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 "
            "characters and contain only lowercase hexadecimal characters");
  EXPECT_EQ(*Set("u", {"<nopw"}),
            "ERR Error in ACL SETUSER modifier '<nopw': The password you are trying to remove "
            "from the user does not exist");
  EXPECT_EQ(*Set("u", {"allkeys", "~foo"}),
            "ERR Error in ACL SETUSER modifier '~foo': Adding a pattern after the * pattern (or "
            "the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to "
            "start with an empty list of patterns");
  EXPECT_TRUE(Set("u", {"%X~a"}).has_value());
  EXPECT_TRUE(Set("u", {"%~a"}).has_value());
  EXPECT_TRUE(Set("u", {"(~a +nosuch)"}).has_value());
  EXPECT_TRUE(Set("u", {"+config|nosuch"}).has_value());
  EXPECT_EQ(acl_.DescribeCommands(*acl_.Find("u")), "-@all +get");
}

TEST_F(AclTest, PasswordsAreStoredHashedAndCheckedByHash) {
  ASSERT_FALSE(Set("u", {"on", ">one", ">two", "#" + Sha256Hex("three")}));
  const AclUser& u = *acl_.Find("u");
  EXPECT_EQ(u.passwords.size(), 3u);
  for (const auto& p : u.passwords) EXPECT_EQ(p.size(), 64u);
  EXPECT_NE(acl_.Authenticate("u", "one"), nullptr);
  EXPECT_NE(acl_.Authenticate("u", "three"), nullptr);
  EXPECT_EQ(acl_.Authenticate("u", "four"), nullptr);
  ASSERT_FALSE(Set("u", {"<one"}));
  EXPECT_EQ(acl_.Authenticate("u", "one"), nullptr);
  ASSERT_FALSE(Set("u", {"off"}));
  EXPECT_EQ(acl_.Authenticate("u", "two"), nullptr);  // disabled
  EXPECT_EQ(acl_.Authenticate("nobody", "two"), nullptr);
  EXPECT_EQ(Sha256Hex("secret"),
            "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
}

TEST_F(AclTest, CommandKeyAndChannelChecks) {
  ASSERT_FALSE(
      Set("app", {"on", "nopass", "~cache:*", "+@read", "+@write", "+@pubsub", "&news.*"}));
  std::string_view object;
  EXPECT_EQ(Check("app", {"get", "cache:1"}), AclDenial::kNone);
  EXPECT_EQ(Check("app", {"get", "session:1"}, &object), AclDenial::kKey);
  EXPECT_EQ(object, "session:1");
  EXPECT_EQ(Check("app", {"mset", "cache:a", "1", "session:b", "2"}, &object), AclDenial::kKey);
  EXPECT_EQ(object, "session:b");
  EXPECT_EQ(Check("app", {"zunionstore", "cache:d", "2", "cache:a", "session:b"}, &object),
            AclDenial::kKey);
  EXPECT_EQ(Check("app", {"config", "get", "port"}), AclDenial::kCommand);
  EXPECT_EQ(Check("app", {"auth", "x", "y"}), AclDenial::kNone);  // as Redis: no_auth
  // Keyspace-wide commands are refused to a user confined to some keys (see acl.h).
  EXPECT_EQ(Check("app", {"flushall"}), AclDenial::kCommand);
  EXPECT_EQ(Check("app", {"keys", "*"}), AclDenial::kCommand);
  EXPECT_EQ(Check("app", {"scan", "0"}), AclDenial::kCommand);
  EXPECT_EQ(Check("app", {"publish", "news.today", "x"}), AclDenial::kNone);
  EXPECT_EQ(Check("app", {"publish", "sports", "x"}, &object), AclDenial::kChannel);
  EXPECT_EQ(object, "sports");
  EXPECT_EQ(Check("app", {"psubscribe", "news.*"}), AclDenial::kNone);
  EXPECT_EQ(Check("app", {"psubscribe", "news.t*"}), AclDenial::kChannel);  // literal match

  ASSERT_FALSE(Set("rw", {"on", "nopass", "%R~r:*", "%W~w:*", "+@all"}));
  EXPECT_EQ(Check("rw", {"get", "r:1"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"set", "r:1", "v"}), AclDenial::kKey);
  EXPECT_EQ(Check("rw", {"set", "w:1", "v"}), AclDenial::kNone);
  EXPECT_EQ(Check("rw", {"get", "w:1"}), AclDenial::kKey);
}

TEST_F(AclTest, LogGroupsRepeatsWithinAMinute) {
  acl_.Log("key", "toplevel", "session:1", "app", "id=1", 1000, 128);
  acl_.Log("key", "toplevel", "session:1", "app", "id=2", 2000, 128);
  acl_.Log("command", "toplevel", "config|get", "app", "id=2", 3000, 128);
  ASSERT_EQ(acl_.log().size(), 2u);
  EXPECT_EQ(acl_.log()[0].reason, "command");
  EXPECT_EQ(acl_.log()[1].count, 2u);
  EXPECT_EQ(acl_.log()[1].client_info, "id=2");
  acl_.Log("key", "toplevel", "session:1", "app", "id=3", 70'000, 128);
  EXPECT_EQ(acl_.log().size(), 3u);
  for (int i = 0; i < 10; ++i) acl_.Log("auth", "toplevel", "AUTH", std::to_string(i), "", 0, 4);
  EXPECT_EQ(acl_.log().size(), 4u);
}

TEST_F(AclTest, FilesRoundTripAndBadFilesChangeNothing) {
  char path[] = "/tmp/gannet-acl-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_FALSE(Set("app", {"on", ">secret", "~cache:*", "+@read"}));
  ASSERT_FALSE(acl_.SaveFile(path));

  CommandTable table2;
  Acl other(table2);
  ASSERT_FALSE(other.LoadFile(path));
  ASSERT_NE(other.Find("app"), nullptr);
  // Loaded users start from nothing (as Redis 7.0: no sanitize-payload).
  EXPECT_EQ(other.Describe(*other.Find("app")),
            "user app on #" + Sha256Hex("secret") + " ~cache:* resetchannels -@all +@read");
  EXPECT_NE(other.Authenticate("app", "secret"), nullptr);

  {
    std::ofstream bad(path, std::ios::trunc);
    bad << "user ok on nopass +@all\nuser broken on +nosuchcommand\n";
  }
  auto err = other.LoadFile(path);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find(std::string(path) + ":2:"), std::string::npos) << *err;
  EXPECT_EQ(other.Find("ok"), nullptr);   // nothing of the bad file applied
  EXPECT_NE(other.Find("app"), nullptr);  // and nothing lost
  {
    std::ofstream bad(path, std::ios::trunc);
    bad << "bogus line\n";
  }
  EXPECT_TRUE(other.LoadFile(path));
  std::remove(path);
  EXPECT_TRUE(other.LoadFile(path));  // missing file
}

class AclCommandTest : public CommandTest {};

TEST_F(AclCommandTest, SetUserGetUserListDryRun) {
  EXPECT_THAT(Run({"ACL", "SETUSER", "u3", "on", "nopass", "~x", "+get"}), IsOk());
  EXPECT_THAT(Run({"ACL", "USERS"}), BulkArray({"default", "u3"}));
  EXPECT_THAT(Run({"ACL", "LIST"}), BulkArray({"user default on nopass ~* &* +@all",
                                               "user u3 on nopass ~x resetchannels -@all +get"}));
  EXPECT_THAT(Run({"ACL", "DRYRUN", "u3", "get", "x"}), IsOk());
  EXPECT_THAT(Run({"ACL", "DRYRUN", "u3", "get", "y"}),
              BulkIs("This user has no permissions to access the 'y' key"));
  EXPECT_THAT(Run({"ACL", "DRYRUN", "u3", "set", "x", "v"}),
              BulkIs("This user has no permissions to run the 'set' command"));
  EXPECT_THAT(Run({"ACL", "DRYRUN", "nobody", "get", "x"}), ErrorIs("ERR User 'nobody' not found"));
  EXPECT_THAT(Run({"ACL", "DRYRUN", "u3", "nosuch"}), ErrorIs("ERR Command 'nosuch' not found"));
  EXPECT_THAT(Run({"ACL", "GETUSER", "nobody"}), IsNil());
  EXPECT_THAT(Run({"ACL", "DELUSER", "default"}),
              ErrorIs("ERR The 'default' user cannot be removed"));
  EXPECT_THAT(Run({"ACL", "DELUSER", "u3", "nobody"}), IntIs(1));
  EXPECT_THAT(Run({"ACL", "WHOAMI"}), BulkIs("default"));
  EXPECT_THAT(Run({"ACL", "GENPASS", "0"}),
              ErrorIs("ERR ACL GENPASS argument must be the number of bits for the output "
                      "password, a positive number up to 4096"));
  EXPECT_THAT(Run({"ACL", "CAT", "nosuch"}), ErrorIs("ERR Unknown category 'nosuch'"));
  EXPECT_EQ(Run({"ACL", "SAVE"}).str.substr(0, 55),
            "ERR This Redis instance is not configured to use an ACL");
}

// Found by the command fuzzer: deleting the caller's own user inside MULTI left the session
// pointing at the freed user while EXEC ran the rest of the queue.
TEST_F(AclCommandTest, DeletingTheCallersUserInsideMultiRunsTheRestAsDefault) {
  server_.listed_clients_ = {&client_};
  EXPECT_THAT(Run({"ACL", "SETUSER", "u", "on", ">p", "~*", "+@all"}), IsOk());
  EXPECT_THAT(Run({"AUTH", "u", "p"}), IsOk());
  EXPECT_THAT(Run({"MULTI"}), IsOk());
  EXPECT_THAT(Run({"ACL", "DELUSER", "u"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"GET", "a"}), SimpleIs("QUEUED"));
  EXPECT_THAT(Run({"EXEC"}), ArrayOf(IntIs(1), IsNil()));
  EXPECT_EQ(client_.session().acl_user, nullptr);
}

TEST_F(AclCommandTest, GenPassLengthFollowsBits) {
  EXPECT_EQ(Run({"ACL", "GENPASS"}).str.size(), 64u);
  EXPECT_EQ(Run({"ACL", "GENPASS", "5"}).str.size(), 2u);
  EXPECT_EQ(Run({"ACL", "GENPASS", "4096"}).str.size(), 1024u);
}

TEST_F(AclCommandTest, RestrictedUserIsDeniedAndLogged) {
  EXPECT_THAT(Run({"ACL", "SETUSER", "app", "on", ">pw", "~cache:*", "+@read", "+@write"}), IsOk());
  EXPECT_THAT(Run({"AUTH", "app", "wrong"}),
              ErrorIs("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_THAT(Run({"AUTH", "app", "pw"}), IsOk());
  EXPECT_THAT(Run({"SET", "cache:1", "v"}), IsOk());
  EXPECT_THAT(Run({"GET", "session:1"}),
              ErrorIs("NOPERM this user has no permissions to access one of the keys used as "
                      "arguments"));
  EXPECT_THAT(Run({"FLUSHALL"}),
              ErrorIs("NOPERM this user has no permissions to run the 'flushall' command"));
  EXPECT_THAT(Run({"CONFIG", "GET", "port"}),
              ErrorIs("NOPERM this user has no permissions to run the 'config|get' command"));
  EXPECT_THAT(Run({"ACL", "WHOAMI"}),
              ErrorIs("NOPERM this user has no permissions to run the 'acl|whoami' command"));
  // The log, newest first, seen as the default user.
  EXPECT_THAT(Run({"AUTH", "default", "x"}), IsOk());  // default is nopass
  RespValue log = Run({"ACL", "LOG"});
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0][3].str, "command");  // reason of acl|whoami
  EXPECT_EQ(log[0][7].str, "acl|whoami");
  EXPECT_EQ(log[3][7].str, "session:1");
  EXPECT_EQ(log[4][3].str, "auth");
  EXPECT_THAT(Run({"ACL", "LOG", "RESET"}), IsOk());
  EXPECT_EQ(Run({"ACL", "LOG"}).size(), 0u);
}

}  // namespace
}  // namespace gannet
