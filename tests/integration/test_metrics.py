"""The Prometheus endpoint of the real binary, scraped with curl: redis_exporter's names,
values that agree with INFO, and an endpoint that shrugs off hostile HTTP clients."""

import re
import shutil
import socket
import subprocess
import time
import unittest

import _setup  # noqa: F401
import harness

CURL = shutil.which("curl")


def info_fields(client):
    text = client.call("INFO", "everything").decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if CURL is None:
            raise RuntimeError("curl not found (scripts/install-deps.sh installs it)")
        cls.metrics_port = harness.free_port()
        cls.server = harness.Server(args=["--metrics-port", str(cls.metrics_port)]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def scrape(self, path="/metrics"):
        r = subprocess.run([CURL, "-s", "-S", "--max-time", "10", "-w", "\n%{http_code}",
                            f"http://127.0.0.1:{self.metrics_port}{path}"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        body, _, code = r.stdout.rpartition("\n")
        return int(code), body

    def sample(self, body, name, labels=""):
        m = re.search(r"^" + re.escape(name + labels) + r" (\S+)$", body, re.M)
        self.assertIsNotNone(m, f"{name}{labels} missing from the scrape")
        return float(m.group(1))

    def test_values_agree_with_info(self):
        with self.server.client() as c:
            c.call("SELECT", "3")
            for i in range(25):
                ttl = ["EX", "1000"] if i < 5 else []
                c.call("SET", f"k{i}", "v", *ttl)
            c.call("GET", "k1")
            c.call("GET", "missing")
            c.call("HSET", "k1", "f", "v")  # WRONGTYPE
            code, body = self.scrape()
            info = info_fields(c)
        self.assertEqual(code, 200)
        self.assertEqual(self.sample(body, "redis_up"), 1)
        self.assertEqual(self.sample(body, "redis_db_keys", '{db="db3"}'), 25)
        self.assertEqual(self.sample(body, "redis_db_keys_expiring", '{db="db3"}'), 5)
        self.assertEqual(self.sample(body, "redis_commands_total", '{cmd="set"}'), 25)
        self.assertEqual(self.sample(body, "redis_commands_total", '{cmd="get"}'), 2)
        self.assertGreaterEqual(self.sample(body, "redis_keyspace_hits_total"), 1)
        self.assertGreaterEqual(self.sample(body, "redis_keyspace_misses_total"), 1)
        self.assertGreaterEqual(self.sample(body, "redis_errors_total", '{err="WRONGTYPE"}'), 1)
        self.assertEqual(self.sample(body, "redis_connected_clients"),
                         float(info["connected_clients"]))
        self.assertEqual(self.sample(body, "redis_memory_max_bytes"), float(info["maxmemory"]))
        self.assertEqual(self.sample(body, "redis_evicted_keys_total"),
                         float(info["evicted_keys"]))
        self.assertEqual(self.sample(body, "redis_expired_keys_total"),
                         float(info["expired_keys"]))
        # Monotonic counters only grow between the scrape and INFO.
        self.assertLessEqual(self.sample(body, "redis_commands_processed_total"),
                             float(info["total_commands_processed"]))
        used = self.sample(body, "redis_memory_used_bytes")
        self.assertGreater(used, 0)
        self.assertIn('redis_instance_info{role="master"', body)
        self.assertIn("# TYPE redis_commands_total counter", body)

    def test_other_paths_and_methods(self):
        code, _ = self.scrape("/")
        self.assertEqual(code, 404)
        r = subprocess.run([CURL, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                            f"http://127.0.0.1:{self.metrics_port}/metrics"],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.stdout, "405")

    def test_hostile_clients_do_not_hurt(self):
        # Garbage, an endless header, a silent connection: each is dropped, the RESP port
        # and the endpoint keep answering.
        garbage = socket.create_connection(("127.0.0.1", self.metrics_port), timeout=5)
        garbage.sendall(b"\x00\xff" * 100 + b"\r\n\r\n")
        self.assertTrue(garbage.recv(100).startswith(b"HTTP/1.1 400"))
        garbage.close()
        endless = socket.create_connection(("127.0.0.1", self.metrics_port), timeout=5)
        try:
            for _ in range(20):
                endless.sendall(b"X-Filler: " + b"a" * 1000 + b"\r\n")
        except OSError:
            pass  # the server closed it: fine
        silent = socket.create_connection(("127.0.0.1", self.metrics_port), timeout=10)
        start = time.monotonic()
        code, _ = self.scrape()
        self.assertEqual(code, 200)
        self.assertEqual(silent.recv(10), b"")  # closed by the server's request timeout
        self.assertLess(time.monotonic() - start, 9)
        silent.close()
        endless.close()
        with self.server.client() as c:
            self.assertEqual(c.call("PING"), "PONG")


if __name__ == "__main__":
    unittest.main(verbosity=2)
