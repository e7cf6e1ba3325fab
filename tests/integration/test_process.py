"""The server as a process: --version, --help, config-file errors, SIGTERM shutdown, and the
CONFIG GET/SET/REWRITE round trip through a real config file."""

import os
import signal
import subprocess
import tempfile
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError

BINARY = harness.gannet_binary()
IS_REDIS = harness.is_redis(BINARY)


def run(*args, timeout=20):
    return subprocess.run([BINARY, *args], capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


class CommandLineTest(unittest.TestCase):
    def test_version(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"v=\d+\.\d+\.\d+")

    def test_help(self):
        r = run("--help")
        out = (r.stdout + r.stderr).decode()
        self.assertRegex(out, r"(?i)usage")
        if not IS_REDIS:  # redis-server exits 1 after --help; we exit 0 like most tools
            self.assertEqual(r.returncode, 0)
            self.assertIn("--port", out)

    def test_unknown_option_fails(self):
        r = run("--no-such-directive", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex((r.stdout + r.stderr).decode(), r"no-such-directive")

    def test_config_file_error_names_line_and_exits_nonzero(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("# comment\ntimeout 0\nfoo bar\n")
        try:
            r = run(f.name)
            out = (r.stdout + r.stderr).decode()
            self.assertNotEqual(r.returncode, 0)
            self.assertRegex(out, r"line 3")
            self.assertIn("foo bar", out)
            if not IS_REDIS:  # redis-server does not name the file; gannet does
                self.assertIn(f.name, out)
        finally:
            os.unlink(f.name)

    def test_config_file_bad_value(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("port notanumber\n")
        try:
            r = run(f.name)
            out = (r.stdout + r.stderr).decode()
            self.assertNotEqual(r.returncode, 0)
            self.assertRegex(out, r"line 1")
            self.assertIn("port notanumber", out)
        finally:
            os.unlink(f.name)

    def test_missing_config_file(self):
        r = run("/nonexistent/dir/gannet.conf")
        self.assertNotEqual(r.returncode, 0)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_clean_exit(self):
        s = harness.Server().start()
        try:
            with s.client() as c:
                self.assertEqual(c.call("SET", "k", "v"), "OK")
            code = s.stop(signal.SIGTERM)
            self.assertEqual(code, 0, s.log())
            self.assertRegex(s.log(), r"SIGTERM")
        finally:
            s.stop(signal.SIGKILL)

    def test_sigint_clean_exit(self):
        s = harness.Server().start()
        try:
            self.assertEqual(s.stop(signal.SIGINT), 0, s.log())
            self.assertRegex(s.log(), r"SIGINT")
        finally:
            s.stop(signal.SIGKILL)

    def test_sigterm_with_clients_connected(self):
        s = harness.Server().start()
        try:
            clients = [s.client() for _ in range(3)]
            clients[0].send(b"*2\r\n$3\r\nGET\r\n")  # a half-sent command
            self.assertEqual(s.stop(signal.SIGTERM), 0, s.log())
            for c in clients:
                c.close()
        finally:
            s.stop(signal.SIGKILL)


class ConfigTest(unittest.TestCase):
    def test_get_set_rewrite_round_trip(self):
        workdir = tempfile.mkdtemp(prefix="gannet-conf-")
        path = os.path.join(workdir, "test.conf")
        with open(path, "w") as f:
            f.write("# a comment that must survive\ntimeout 0\nmaxclients 100\n")
        s = harness.Server(config_file=path)
        try:
            s.start()
            with s.client() as c:
                self.assertEqual(c.call("CONFIG", "GET", "maxclients"), [b"maxclients", b"100"])
                self.assertEqual(c.call("CONFIG", "SET", "timeout", "30"), "OK")
                self.assertEqual(c.call("CONFIG", "SET", "maxclients", "50"), "OK")
                self.assertEqual(c.call("CONFIG", "GET", "timeout"), [b"timeout", b"30"])
                got = c.call("CONFIG", "GET", "time*")
                self.assertEqual(dict(zip(got[::2], got[1::2]))[b"timeout"], b"30")
                self.assertEqual(c.call("CONFIG", "SET", "timeout", "abc"), RespError(
                    "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                    "argument couldn't be parsed into an integer"))
                self.assertEqual(c.call("CONFIG", "REWRITE"), "OK")
            with open(path) as f:
                text = f.read()
            self.assertIn("# a comment that must survive", text)
            self.assertRegex(text, r"(?m)^timeout 30$")
            self.assertRegex(text, r"(?m)^maxclients 50$")
            self.assertEqual(s.stop(), 0, s.log())
            s.start()
            with s.client() as c:
                self.assertEqual(c.call("CONFIG", "GET", "timeout"), [b"timeout", b"30"])
                self.assertEqual(c.call("CONFIG", "GET", "maxclients"), [b"maxclients", b"50"])
        finally:
            s.stop()
            for name in os.listdir(workdir):
                os.unlink(os.path.join(workdir, name))
            os.rmdir(workdir)

    def test_shipped_config_file_starts(self):
        # conf/gannet.conf is a redis.conf subset: both servers must accept it as is.
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "conf", "gannet.conf")
        with harness.Server(config_file=path) as s, s.client() as c:
            self.assertEqual(c.call("CONFIG", "GET", "maxclients"), [b"maxclients", b"10000"])
            self.assertEqual(c.call("CONFIG", "GET", "port"), [b"port", str(s.port).encode()])
            self.assertEqual(c.call("SET", "k", "v"), "OK")

    def test_rewrite_without_config_file(self):
        with harness.Server() as s, s.client() as c:
            self.assertEqual(c.call("CONFIG", "REWRITE"),
                             RespError("ERR The server is running without a config file"))


class ActiveExpiryTest(unittest.TestCase):
    def test_unread_keys_expire_in_background(self):
        with harness.Server() as s, s.client() as c:
            for i in range(200):
                self.assertEqual(c.call("SET", f"k{i}", "v", "PX", "100"), "OK")
            self.assertEqual(c.call("SET", "keep", "v"), "OK")
            self.assertEqual(c.call("DBSIZE"), 201)
            # Nothing reads the keys: only the active expiry cycle can remove them.
            self.assertTrue(harness.wait_until(lambda: c.call("DBSIZE") == 1, timeout=10),
                            c.call("DBSIZE"))
            self.assertEqual(c.call("GET", "keep"), b"v")


if __name__ == "__main__":
    unittest.main(verbosity=2)
