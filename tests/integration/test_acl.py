"""ACL users on the real binary: the issue's app user (+@read +@write ~cache:*) through
redis-py, users from the config file and an ACL file, requirepass, rename-command, and the
ACL texts compared with a real redis-server."""

import hashlib
import os
import tempfile
import unittest

import redis

import _setup  # noqa: F401
import harness
from harness import RespError


class AppUserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()
        with cls.server.client() as c:
            assert c.call("ACL", "SETUSER", "app", "on", ">s3cret", "~cache:*", "+@read",
                          "+@write") == "OK"
            c.call("SET", "session:1", "private")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def app(self):
        return redis.Redis(port=self.server.port, username="app", password="s3cret",
                           socket_timeout=10)

    def test_app_user_is_confined_and_every_denial_is_logged(self):
        admin = redis.Redis(port=self.server.port, socket_timeout=10)
        admin.acl_log_reset()
        app = self.app()
        self.assertTrue(app.set("cache:1", "v"))
        self.assertEqual(app.get("cache:1"), b"v")
        for call, obj in ((lambda: app.get("session:1"), "session:1"),
                          (lambda: app.config_get("port"), "config|get"),
                          (lambda: app.flushall(), "flushall"),
                          (lambda: app.keys("*"), "keys")):
            with self.assertRaises(redis.exceptions.NoPermissionError):
                call()
        self.assertEqual(admin.get("session:1"), b"private")  # nothing lost
        log = admin.acl_log()
        objects = [e["object"] for e in log]
        for obj in ("session:1", "config|get", "flushall", "keys"):
            self.assertIn(obj, objects)
        self.assertTrue(all(e["username"] == "app" for e in log))

    def test_wrong_password_is_refused_and_logged(self):
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "^WRONGPASS"):
            redis.Redis(port=self.server.port, username="app", password="nope").ping()
        admin = redis.Redis(port=self.server.port, socket_timeout=10)
        self.assertIn("auth", [e["reason"] for e in admin.acl_log()])

    def test_deleting_a_user_disconnects_its_clients(self):
        with self.server.client() as admin:
            admin.call("ACL", "SETUSER", "temp", "on", ">pw", "+@all", "~*")
            with self.server.client() as c:
                self.assertEqual(c.call("AUTH", "temp", "pw"), "OK")
                self.assertEqual(admin.call("ACL", "DELUSER", "temp"), 1)
                self.assertTrue(c.is_closed())


class ConfiguredUsersTest(unittest.TestCase):
    def test_users_and_rename_from_the_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "gannet.conf")
            with open(conf, "w") as f:
                f.write('user reader on >"pass word" ~* +@read\n'
                        "user default on nopass ~* &* +@all\n"
                        "rename-command FLUSHALL WIPE-EVERYTHING\n"
                        'rename-command DEBUG ""\n')
            with harness.Server(config_file=conf) as s, s.client() as c:
                self.assertEqual(c.call("AUTH", "reader", "pass word"), "OK")
                self.assertEqual(c.call("GET", "x"), None)
                self.assertIsInstance(c.call("SET", "x", "1"), RespError)
                self.assertEqual(c.call("AUTH", "default", "any"), "OK")
                self.assertTrue(c.call("FLUSHALL").message.startswith("ERR unknown command"))
                self.assertEqual(c.call("WIPE-EVERYTHING"), "OK")

    def test_bad_user_line_stops_startup_with_the_line(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "gannet.conf")
            with open(conf, "w") as f:
                f.write("user broken on +nosuchcommand\n")
            s = harness.Server(config_file=conf)
            with self.assertRaises(RuntimeError) as err:
                s.start()
            self.assertIn("broken on +nosuchcommand", str(err.exception))
            s.stop()

    def test_acl_file_save_and_load(self):
        with tempfile.TemporaryDirectory() as d:
            aclfile = os.path.join(d, "users.acl")
            with open(aclfile, "w") as f:
                f.write("user default on nopass ~* &* +@all\nuser app on >pw ~cache:* +get\n")
            with harness.Server(args=["--aclfile", aclfile]) as s, s.client() as c:
                self.assertEqual(c.call("ACL", "USERS"), [b"app", b"default"])
                self.assertEqual(c.call("ACL", "SETUSER", "extra", "on", "nopass", "+ping"), "OK")
                self.assertEqual(c.call("ACL", "SAVE"), "OK")
                with open(aclfile) as f:
                    self.assertIn("user extra on nopass resetchannels -@all +ping", f.read())
                with open(aclfile, "a") as f:
                    f.write("user bad on +nosuch\n")
                err = c.call("ACL", "LOAD")
                self.assertIsInstance(err, RespError)
                self.assertIn(":4: ", err.message)
                self.assertEqual(c.call("ACL", "USERS"), [b"app", b"default", b"extra"])

    def test_selectors_and_first_arguments_from_the_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "gannet.conf")
            with open(conf, "w") as f:
                # A selector may be one quoted word or spread over several.
                f.write('user alice on >pw ~a* +get "(+set ~b*)" (+incr ~c*) +select|0\n'
                        "user default on nopass ~* &* +@all\n")
            with harness.Server(config_file=conf) as s, s.client() as c:
                self.assertEqual(
                    c.call("ACL", "LIST")[0],
                    b"user alice on #" + hashlib.sha256(b"pw").hexdigest().encode()
                    + b" ~a* resetchannels -@all +get +select|0 (~b* resetchannels -@all +set)"
                    b" (~c* resetchannels -@all +incr)")
                self.assertEqual(c.call("AUTH", "alice", "pw"), "OK")
                self.assertEqual(c.call("SET", "b1", "v"), "OK")
                self.assertIsInstance(c.call("SET", "a1", "v"), RespError)
                # GET is the root selector's, which holds a* only: no mixing across selectors.
                self.assertEqual(c.call("GET", "b1").message,
                                 "NOPERM this user has no permissions to access one of the keys "
                                 "used as arguments")
                self.assertEqual(c.call("GET", "a1"), None)
                self.assertEqual(c.call("INCR", "c1"), 1)
                self.assertEqual(c.call("SELECT", "0"), "OK")
                err = c.call("SELECT", "1")
                self.assertEqual(err.message, "NOPERM this user has no permissions to run the "
                                              "'select' command")

    def test_quoted_words_in_user_lines_keep_quotes_and_backslashes(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "gannet.conf")
            with open(conf, "w") as f:
                f.write('user q on ">pa\\"s\\\\s" \'>two words\' ~* +@all\n')
            with harness.Server(config_file=conf) as s, s.client() as c:
                self.assertEqual(c.call("AUTH", "q", 'pa"s\\s'), "OK")
                self.assertEqual(c.call("AUTH", "q", "two words"), "OK")

    def test_duplicate_and_unbalanced_user_lines_stop_startup(self):
        for text in ["user a on\nuser a off\n", "user a on (+get ~x\n"]:
            with tempfile.TemporaryDirectory() as d:
                conf = os.path.join(d, "gannet.conf")
                with open(conf, "w") as f:
                    f.write(text)
                s = harness.Server(config_file=conf)
                with self.assertRaises(RuntimeError):
                    s.start()
                s.stop()

    def test_acl_file_with_selectors_round_trips(self):
        with tempfile.TemporaryDirectory() as d:
            aclfile = os.path.join(d, "users.acl")
            with open(aclfile, "w") as f:
                f.write("user default on nopass ~* &* +@all\n")
            with harness.Server(args=["--aclfile", aclfile]) as s, s.client() as c:
                self.assertEqual(c.call("ACL", "SETUSER", "sel", "on", "nopass", "(+get ~x)",
                                        "(&ch +publish)", "+select|1"), "OK")
                before = c.call("ACL", "LIST")
                self.assertEqual(c.call("ACL", "SAVE"), "OK")
                self.assertEqual(c.call("ACL", "LOAD"), "OK")
                self.assertEqual(c.call("ACL", "LIST"), before)
                with open(aclfile, "a") as f:
                    f.write("user broken on (+get ~x\n")  # unmatched: an error, not a crash
                err = c.call("ACL", "LOAD")
                self.assertIn("Unmatched parenthesis in selector definition", err.message)
                self.assertEqual(c.call("ACL", "LIST"), before)
                self.assertEqual(c.call("PING"), "PONG")

    def test_requirepass_is_the_default_users_password(self):
        with harness.Server(args=["--requirepass", "pw"], password="pw") as s, s.client() as c:
            self.assertTrue(c.call("PING").message.startswith("NOAUTH"))
            self.assertEqual(c.call("AUTH", "pw"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "requirepass", ""), "OK")
            with s.client() as fresh:
                self.assertEqual(fresh.call("PING"), "PONG")


class AgainstRedisTest(unittest.TestCase):
    """The same ACL commands on both servers give the same replies."""

    COMMANDS = [
        ["ACL", "SETUSER", "x", "foo"],
        ["ACL", "SETUSER", "x", "+nosuch"],
        ["ACL", "SETUSER", "x", "#abc"],
        ["ACL", "SETUSER", "x", "<nopw"],
        ["ACL", "SETUSER", "x", "allkeys", "~foo"],
        ["ACL", "SETUSER", "u3", "on", "nopass", "%R~r:*", "%W~w:*", "~x", "&chan*", "+get",
         "+set", "+config|get"],
        ["ACL", "DRYRUN", "u3", "set", "r:1", "v"],
        ["ACL", "DRYRUN", "u3", "get", "r:1"],
        ["ACL", "DRYRUN", "u3", "flushall"],
        ["ACL", "DRYRUN", "nobody", "get", "a"],
        ["ACL", "DRYRUN", "default", "nosuchcmd"],
        ["ACL", "DELUSER", "default"],
        ["ACL", "DELUSER", "nobody", "u3"],
        ["ACL", "GETUSER", "nobody"],
        ["ACL", "GENPASS", "0"],
        ["ACL", "CAT", "nosuch"],
        ["ACL", "WHOAMI"],
        ["AUTH", "nobody", "x"],
        ["AUTH", "a", "b", "c"],
        ["ACL", "USERS"],
    ]

    def test_replies_match(self):
        with harness.Server(binary=harness.redis_binary()) as r, harness.Server() as g:
            with r.client() as rc, g.client() as gc:
                for cmd in self.COMMANDS:
                    self.assertEqual(gc.call(*cmd), rc.call(*cmd), cmd)


if __name__ == "__main__":
    unittest.main(verbosity=2)
