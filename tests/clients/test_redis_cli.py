"""redis-cli (Debian's redis-tools) against the server under test: --pipe mass insertion of
100,000 keys, --scan --pattern, plain commands and their formatting, -3 (RESP3) output."""

import subprocess
import unittest

import _setup  # noqa: F401
import harness


class RedisCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cli_binary = harness.redis_cli_binary()
        cls.server = harness.Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def cli(self, *args, stdin=None, returncode=0):
        r = subprocess.run([self.cli_binary, "-h", harness.HOST, "-p", str(self.server.port),
                            *args], input=stdin, capture_output=True, timeout=120)
        self.assertEqual(r.returncode, returncode, r.stderr)
        return (r.stdout + r.stderr).decode()

    def setUp(self):
        self.assertEqual(self.cli("FLUSHALL"), "OK\n")

    def test_pipe_mass_insertion(self):
        payload = b"".join(harness.encode_command("SET", f"key:{i}", f"value:{i}")
                           for i in range(100000))
        out = self.cli("--pipe", stdin=payload)
        self.assertIn("errors: 0, replies: 100000", out)
        self.assertEqual(self.cli("DBSIZE"), "100000\n")
        self.assertEqual(self.cli("GET", "key:99999"), "value:99999\n")

    def test_pipe_counts_errors(self):
        payload = harness.encode_command("SET", "a", "1") + harness.encode_command("INCR", "a") \
            + harness.encode_command("SET", "b", "x") + harness.encode_command("INCR", "b")
        out = self.cli("--pipe", stdin=payload, returncode=1)
        self.assertIn("ERR value is not an integer or out of range", out)
        self.assertIn("errors: 1, replies: 4", out)

    def test_scan_pattern(self):
        self.cli("MSET", *sum(([f"user:{i}", "1"] for i in range(300)), []))
        self.cli("MSET", "session:1", "x", "session:2", "y")
        keys = self.cli("--scan", "--pattern", "user:*").split()
        self.assertEqual(sorted(keys), sorted(f"user:{i}" for i in range(300)))
        self.assertEqual(sorted(self.cli("--scan").split()),
                         sorted([f"user:{i}" for i in range(300)] + ["session:1", "session:2"]))

    def test_plain_commands(self):
        self.assertEqual(self.cli("SET", "greeting", "hello world"), "OK\n")
        self.assertEqual(self.cli("GET", "greeting"), "hello world\n")
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("GET", "missing"), "\n")
        self.assertEqual(self.cli("MGET", "greeting", "missing"), "hello world\n\n")
        self.assertEqual(self.cli("--no-raw", "MGET", "greeting", "missing"),
                         '1) "hello world"\n2) (nil)\n')
        self.assertEqual(self.cli("--no-raw", "INCR", "n"), "(integer) 2\n")
        self.assertEqual(self.cli("--no-raw", "INCR", "greeting"),
                         "(error) ERR value is not an integer or out of range\n")
        self.assertEqual(self.cli("PING"), "PONG\n")
        self.assertEqual(self.cli("ECHO", "line1\nline2"), "line1\nline2\n")

    def test_resp3_output(self):
        self.cli("SET", "k", "v")
        self.assertEqual(self.cli("-3", "--no-raw", "GET", "missing"), "(nil)\n")
        self.assertEqual(self.cli("-3", "--no-raw", "CONFIG", "GET", "timeout"),
                         '1# "timeout" => "0"\n')
        hello = self.cli("-3", "--no-raw", "HELLO", "3")
        self.assertIn('"proto" => (integer) 3', hello)
        self.assertEqual(self.cli("-3", "--no-raw", "EXISTS", "k"), "(integer) 1\n")

    def test_interactive_style_stdin(self):
        out = self.cli(stdin=b"SET a 1\nINCRBY a 41\nGET a\n")
        self.assertEqual(out, "OK\n42\n42\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
