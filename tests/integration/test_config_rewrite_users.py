"""CONFIG REWRITE and ACL users, side by side with redis-server 7.0.15.

Users declared in the config file (no aclfile): CONFIG REWRITE writes the current users,
in name order, as `user <name> <rules>` lines with the rules ACL LIST prints. They take the
places of the file's old `user` lines in turn, surplus old lines go, and the rest are
appended after the other generated settings; a file with no `user` line gets the default
user's. The rewritten file starts a server with the same users (ACL LIST equal). With an
aclfile the config keeps no `user` line and the users stay the ACL file's business."""

import os
import shutil
import tempfile
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError

BINARY = harness.gannet_binary()
REDIS = harness.redis_binary()

dec = harness.decode

CONFIG = ("# users below\n"
          "user alice on >pw1 ~k* +get\n"
          "maxmemory 10mb\n"
          "USER bob off nopass &chan* -@all +@read\n"
          "user default on nopass ~* &* +@all\n"
          "# end\n")


def user_lines(text):
    return [line for line in text.splitlines() if line.split(" ", 1)[0].lower() == "user"]


class RewriteUsers(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gannet-rewrite-users-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def config(self, text):
        d = tempfile.mkdtemp(dir=self.tmp)
        path = os.path.join(d, "server.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    @staticmethod
    def server(binary, path):
        # Redis writes `dir` into the file: one that outlives the server process.
        return harness.Server(binary=binary, config_file=path,
                              args=["--dir", os.path.dirname(path)])

    def run_changes(self, binary, text, changes):
        """Starts `binary` on a config file holding `text`, runs `changes`, CONFIG REWRITE.
        Returns (ACL LIST before the rewrite, the rewritten file, ACL LIST after a restart
        from it, the file after a second rewrite by the restarted server)."""
        path = self.config(text)
        with self.server(binary, path) as s, s.client() as c:
            for cmd in changes:
                reply = c.call(*cmd)
                self.assertNotIsInstance(reply, RespError, (binary, cmd))
            before = dec(c.call("ACL", "LIST"))
            self.assertEqual(c.call("CONFIG", "REWRITE"), "OK")
        with open(path) as f:
            rewritten = f.read()
        with self.server(binary, path) as s, s.client() as c:
            after = dec(c.call("ACL", "LIST"))
            self.assertEqual(c.call("CONFIG", "REWRITE"), "OK")
        with open(path) as f:
            again = f.read()
        return before, rewritten, after, again

    def test_users_replace_the_user_lines(self):
        changes = [("ACL", "SETUSER", "carol", "on", ">secret", "~x", "+set", "resetchannels"),
                   ("ACL", "DELUSER", "bob"),
                   ("ACL", "SETUSER", "alice", ">pw2"),
                   ("ACL", "SETUSER", "zed")]
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            before, rewritten, after, again = self.run_changes(binary, CONFIG, changes)
            lines = rewritten.splitlines()
            # In ACL LIST's words and order.
            self.assertEqual(user_lines(rewritten), before, name)
            # The old user lines' places hold the first users; the rest follow the file.
            self.assertEqual(lines[:6], ["# users below", before[0], "maxmemory 10mb",
                                         before[1], before[2], "# end"], name)
            self.assertEqual(lines[-1], before[3], name)
            self.assertEqual(after, before, name)
            self.assertEqual(user_lines(again), before, name)
            results[name] = before
        self.assertEqual(results["gannet"], results["redis"])
        self.assertEqual([line.split()[1] for line in results["gannet"]],
                         ["alice", "carol", "default", "zed"])

    def test_without_user_lines_the_default_user_is_written(self):
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            before, rewritten, after, _ = self.run_changes(binary, "maxmemory 10mb\n", [])
            self.assertEqual(user_lines(rewritten), ["user default on nopass ~* &* +@all"], name)
            # Declared by a line, the default user is reset first (sanitize-payload).
            self.assertEqual(after, ["user default on nopass sanitize-payload ~* &* +@all"],
                             name)
            results[name] = (before, after)
        self.assertEqual(results["gannet"], results["redis"])

    def test_every_user_deleted_but_default(self):
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            before, rewritten, after, _ = self.run_changes(
                binary, CONFIG, [("ACL", "DELUSER", "alice", "bob")])
            self.assertEqual(user_lines(rewritten), before, name)
            self.assertEqual(len(before), 1, name)
            self.assertIn("maxmemory 10mb", rewritten.splitlines(), name)
            results[name] = (before, after)
        self.assertEqual(results["gannet"], results["redis"])

    def test_with_an_aclfile_no_user_line_is_written(self):
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            d = tempfile.mkdtemp(dir=self.tmp)
            acl = os.path.join(d, "users.acl")
            with open(acl, "w") as f:
                f.write("user alice on nopass ~* +@all\nuser default on nopass ~* &* +@all\n")
            before, rewritten, after, _ = self.run_changes(
                binary, "aclfile %s\n" % acl,
                [("ACL", "SETUSER", "dave", "on", "nopass")])
            self.assertEqual(user_lines(rewritten), [], name)
            # dave was never saved to the ACL file: the restart does not know him.
            self.assertEqual([line.split()[1] for line in after], ["alice", "default"], name)
            with open(acl) as f:
                self.assertEqual(len(f.read().splitlines()), 2, name)
            results[name] = (before, after)
        self.assertEqual(results["gannet"], results["redis"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
