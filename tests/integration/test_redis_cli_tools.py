"""redis-cli's monitoring tools against gannet-server: --stat, --latency, --bigkeys, --memkeys
and --hotkeys (with an LFU maxmemory-policy). Each run is bounded by a timeout; --stat runs
on a pseudo-terminal because it only flushes per line there."""

import os
import pty
import re
import select
import subprocess
import time
import unittest

import _setup  # noqa: F401
import harness


def run_cli(port, *args, timeout=20):
    return subprocess.run([harness.redis_cli_binary(), "-p", str(port), *args],
                          capture_output=True, timeout=timeout, text=True)


class RedisCliToolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(args=["--maxmemory-policy", "allkeys-lfu"]).start()
        with cls.server.client() as c:
            c.call("SET", "str", "x" * 1000)
            c.call("SET", "small", "y")
            c.call("RPUSH", "list", *[str(i) for i in range(50)])
            c.call("HSET", "hash", "f1", "v1", "f2", "v2")
            c.call("SADD", "set", "a", "b", "c")
            c.call("ZADD", "zset", "1", "a", "2", "b")
            c.call("XADD", "stream", "*", "f", "v")
            for _ in range(30):
                c.call("GET", "small")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_stat(self):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(harness.redis_cli_binary(),
                     ["redis-cli", "-p", str(self.server.port), "--stat", "-i", "0.2"])
        out = b""
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline and out.count(b"\n") < 4:
                r, _, _ = select.select([fd], [], [], 0.5)
                if r:
                    try:
                        out += os.read(fd, 4096)
                    except OSError:
                        break
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(fd)
        text = out.decode(errors="replace")
        self.assertIn("keys", text)
        self.assertIn("clients", text)
        # A data line: keys, memory, clients, blocked, requests, connections.
        self.assertRegex(text, r"\n\s*7\s+\S+\s+1\s+0\s+\d+")

    def test_latency(self):
        res = run_cli(self.server.port, "--latency", "--raw", "-i", "1", timeout=20)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout.strip(), r"^\d+ \d+ \d+\.\d+ \d+$")

    def test_bigkeys(self):
        res = run_cli(self.server.port, "--bigkeys")
        self.assertEqual(res.returncode, 0, res.stderr)
        out = res.stdout
        self.assertIn("Biggest string found '\"str\"' has 1000 bytes", out)
        self.assertIn("Biggest   list found '\"list\"' has 50 items", out)
        self.assertIn("2 strings with 1001 bytes", out)
        self.assertIn("1 streams with 1 entries", out)

    def test_memkeys(self):
        res = run_cli(self.server.port, "--memkeys")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout, r"Biggest string found '\"str\"' has \d+ bytes")
        self.assertRegex(res.stdout, r"1 lists with \d+ bytes")

    def test_hotkeys(self):
        res = run_cli(self.server.port, "--hotkeys")
        self.assertEqual(res.returncode, 0, res.stderr)
        counters = dict((k, int(v)) for v, k in
                        re.findall(r"hot key found with counter: (\d+)\s+keyname: \"(\w+)\"",
                                   res.stdout))
        self.assertIn("small", counters)
        self.assertEqual(max(counters, key=counters.get), "small")


if __name__ == "__main__":
    unittest.main(verbosity=2)
