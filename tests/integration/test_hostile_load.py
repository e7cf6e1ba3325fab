"""Hostile load (issue 7, "Hostile input and faults"): a pipeline of 1,000,000 commands, KEYS
with pathological glob patterns, and SORT / LRANGE 0 -1 / SUNION on a key with 10 million
elements not freezing other clients for more than the command's own cost.

After each case the server still answers and every sentinel key written before is intact.

Scale: the big-key cases use GANNET_HOSTILE_BIG_N elements when set; otherwise 10,000,000 on a
release build and 1,000,000 under ASan (is_sanitized: the binary's path or its mapped ASan
runtime), where building and reading 10M elements does not fit the 180 s ctest TIMEOUT. The
scale used is printed. GANNET_HOSTILE_PIPELINE_N (default 1,000,000) sizes the pipeline.
"""

import os
import threading
import time
import unittest

import _setup  # noqa: F401
import harness
from _hostile import Sentinels, info_field, is_sanitized, scaled
from harness import encode_command


def bulk(value):
    return b"$%d\r\n%s\r\n" % (len(value), value)


def read_exact_stream(sock, expected_chunks, what):
    """Reads from sock and compares with the concatenation of expected_chunks (an iterator of
    bytes) without holding the whole reply. Returns the number of bytes compared."""
    pending = bytearray()
    total = 0
    for chunk in expected_chunks:
        while len(pending) < len(chunk):
            data = sock.recv(1 << 20)
            if not data:
                raise AssertionError(f"{what}: connection closed after {total + len(pending)} "
                                     "bytes")
            pending += data
        got = bytes(pending[:len(chunk)])
        if got != chunk:
            at = next(i for i in range(len(chunk)) if got[i:i + 1] != chunk[i:i + 1])
            raise AssertionError(f"{what}: reply differs at byte {total + at}: got "
                                 f"{got[max(0, at - 40):at + 40]!r}, expected "
                                 f"{chunk[max(0, at - 40):at + 40]!r}")
        del pending[:len(chunk)]
        total += len(chunk)
    if pending:
        raise AssertionError(f"{what}: {len(pending)} unexpected bytes after the reply")
    return total


def keys_usec(c):
    """Server-side cumulative time spent in KEYS (INFO commandstats), in microseconds."""
    text = c.call("INFO", "commandstats").decode()
    for line in text.splitlines():
        if line.startswith("cmdstat_keys:"):
            fields = dict(kv.split("=") for kv in line.split(":", 1)[1].split(","))
            return int(fields["usec"])
    return 0


class LoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()
        cls.sentinels = Sentinels()
        with cls.server.client() as c:
            cls.sentinels.write(c)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code not in (0, None):
            raise AssertionError(f"gannet-server exited with {code}")

    def verify(self, what):
        self.sentinels.verify(self, self.server, what)

    # ------------------------------------------------------------ a 1,000,000-command pipeline

    def test_pipeline_of_a_million_commands(self):
        n = int(os.environ.get("GANNET_HOSTILE_PIPELINE_N", "1000000"))
        batch = 10000

        def request(i):
            k = i % 3
            if k == 0:
                return b"*2\r\n$4\r\nINCR\r\n$8\r\npipe:ctr\r\n"
            v = str(i).encode()
            if k == 1:
                return encode_command("SET", b"pipe:%d" % (i % 1000), v)
            return encode_command("GET", b"pipe:%d" % ((i - 1) % 1000))

        def reply(i):
            k = i % 3
            if k == 0:
                return b":%d\r\n" % (i // 3 + 1)
            if k == 1:
                return b"+OK\r\n"
            return bulk(str(i - 1).encode())

        errors = []
        with self.server.client(timeout=120) as c:
            def writer():
                try:
                    for start in range(0, n, batch):
                        c.sock.sendall(b"".join(request(i)
                                                for i in range(start, min(n, start + batch))))
                except OSError as e:
                    errors.append(e)

            t0 = time.monotonic()
            w = threading.Thread(target=writer, daemon=True)
            w.start()
            expected = (b"".join(reply(i) for i in range(s, min(n, s + batch)))
                        for s in range(0, n, batch))
            read_exact_stream(c.sock, expected, "pipeline")
            w.join(timeout=60)
            self.assertFalse(errors, errors)
            elapsed = time.monotonic() - t0
            print(f"\n[hostile] pipeline: {n} commands, all replies in order, {elapsed:.1f} s "
                  f"({n / elapsed:.0f} cmd/s)")
            self.assertEqual(c.call("GET", "pipe:ctr"), str((n + 2) // 3).encode())
            self.assertEqual(c.call("DEL", "pipe:ctr", *[f"pipe:{i}" for i in range(1000)]),
                             min(1000, n // 3) + 1)
        self.verify("1M-command pipeline")

    # ------------------------------------------------------------ KEYS with pathological globs

    def test_keys_with_pathological_patterns(self):
        n, length = 20000, 200
        redis = harness.Server(binary=harness.redis_binary()).start()
        try:
            cmds = b"".join(encode_command("SET", (b"a" * length + b"%d" % i) if i % 10
                                           else b"glob:k%d" % i, "v") for i in range(n))
            for s in (self.server, redis):
                with s.client(timeout=60) as c:
                    c.send(cmds)
                    read_exact_stream(c.sock, [b"+OK\r\n" * n], "fill")
            patterns = [
                "*a*a*a*a*a*a*a*a*a*b",
                "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
                "*?*?*?*?*?*?*?*?*?*?*?*?b",
                "*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*b",
                "[[[[[[[[[[a]]]]]]]]]]*",
                "*[[]*[[]*[[]*[[]*[[]*[[]*b",
                "*[*[*[*[*[*[*[*b",
                "*[^b]*[^b]*[^b]*[^b]*[^b]*[^b]*[^b]*b",
                "\\a" * 100 + "*",
                "*\\a*\\a*\\a*\\a*\\a*\\a*\\a*\\a*\\a*b",
                "a" * 150 + "*a*a*a*a*a*a*a*a*" + "b",
                "*" * 1000 + "b",
                "glob:k*0",
            ]
            with self.server.client(timeout=120) as c, redis.client(timeout=120) as r:
                # The reference cost: KEYS * over the same keys, measured on the server.
                u0 = keys_usec(c)
                self.assertEqual(len(c.call("KEYS", "*")), n + len(self.sentinel_keys(c)))
                star = max(keys_usec(c) - u0, 1)
                report = []
                for p in patterns:
                    u0 = keys_usec(c)
                    ours = c.call("KEYS", p)
                    cost = keys_usec(c) - u0
                    report.append(f"{cost / star:5.1f}x  {p[:50]}")
                    self.assertEqual(sorted(ours), sorted(r.call("KEYS", p)), p)
                    # Matching is linear in key length times pattern length: up to a few
                    # dozen KEYS * here (redis-server: up to ~8x its own, slower, KEYS *).
                    # Backtracking blow-up on these patterns would cost astronomically more.
                    self.assertLess(cost, 100 * star + 1000,
                                    f"KEYS {p!r} took {cost} us, KEYS * took {star} us")
                print(f"\n[hostile] KEYS * over {n} keys: {star} us server time; patterns "
                      "(cost relative to KEYS *):\n  " + "\n  ".join(report))
                c.send(b"".join(encode_command("DEL", (b"a" * length + b"%d" % i) if i % 10
                                               else b"glob:k%d" % i) for i in range(n)))
                read_exact_stream(c.sock, [b":1\r\n" * n], "cleanup")
        finally:
            redis.stop()
        self.verify("pathological KEYS patterns")

    def sentinel_keys(self, c):
        return c.call("KEYS", "sentinel:*")

    # ------------------------------------------------------------ big keys vs other clients

    def build_key(self, c, cmd, key, members):
        """Pushes members with ~1000 per command, pipelined; returns seconds taken."""
        per = 1000
        t0 = time.monotonic()
        count = (len(members) + per - 1) // per
        errors = []

        def writer():
            try:
                for s in range(0, len(members), per * 50):
                    c.sock.sendall(b"".join(
                        encode_command(cmd, key, *members[j:j + per])
                        for j in range(s, min(len(members), s + per * 50), per)))
            except OSError as e:
                errors.append(e)

        w = threading.Thread(target=writer, daemon=True)
        w.start()
        seen = 0
        buf = b""
        while seen < count:
            data = c.sock.recv(1 << 16)
            self.assertTrue(data, "closed while building the key")
            buf += data
            lines = buf.split(b"\r\n")
            buf = lines.pop()
            for line in lines:
                self.assertTrue(line.startswith(b":"), line)
            seen += len(lines)
        w.join(timeout=60)
        self.assertFalse(errors, errors)
        return time.monotonic() - t0

    def run_while_pinging(self, c, command, expected_chunks, what):
        """Runs command on c (reply compared with expected_chunks) while another client
        PINGs in a loop; returns (command seconds, worst PING seconds, number of PINGs)."""
        stop = threading.Event()
        latencies = []
        ping_errors = []

        def pinger():
            try:
                with self.server.client(timeout=300) as p:
                    while not stop.is_set():
                        t = time.monotonic()
                        if p.call("PING") != "PONG":
                            ping_errors.append("bad PING reply")
                        latencies.append(time.monotonic() - t)
                        time.sleep(0.002)
            except OSError as e:
                ping_errors.append(e)

        th = threading.Thread(target=pinger, daemon=True)
        th.start()
        time.sleep(0.1)
        t0 = time.monotonic()
        c.send(encode_command(*command))
        size = read_exact_stream(c.sock, expected_chunks, what)
        duration = time.monotonic() - t0
        time.sleep(0.05)
        stop.set()
        th.join(timeout=60)
        self.assertFalse(ping_errors, ping_errors)
        worst = max(latencies) if latencies else 0.0
        print(f"\n[hostile] {what}: {size / 1e6:.0f} MB reply in {duration:.2f} s; other "
              f"client: {len(latencies)} PINGs, worst {worst * 1000:.0f} ms")
        return duration, worst, len(latencies)

    def test_big_key_commands_do_not_freeze_others_beyond_their_cost(self):
        n = scaled("GANNET_HOSTILE_BIG_N", 10_000_000, 1_000_000, self.server)
        print(f"\n[hostile] big-key scale: {n} elements "
              f"({'ASan build' if is_sanitized(self.server) else 'release build'}; "
              "GANNET_HOSTILE_BIG_N overrides)")
        # A permutation of 0..n-1 (7919 is prime and does not divide n when n is a power-of-
        # ten multiple), so SORT has real work and LRANGE's order is known.
        step = 7919
        self.assertNotEqual(n % step, 0)
        order = [str(i * step % n).encode() for i in range(n)]

        def array(values_iter, count):
            yield b"*%d\r\n" % count
            chunk = []
            for v in values_iter:
                chunk.append(b"$%d\r\n%s\r\n" % (len(v), v))
                if len(chunk) == 100000:
                    yield b"".join(chunk)
                    chunk = []
            if chunk:
                yield b"".join(chunk)

        with self.server.client(timeout=600) as c:
            took = self.build_key(c, "RPUSH", "big:list", order)
            print(f"[hostile] RPUSH of {n} elements (1000 per command, pipelined): {took:.1f} s")
            self.assertEqual(c.call("LLEN", "big:list"), n)

            dur, worst, pings = self.run_while_pinging(
                c, ("LRANGE", "big:list", 0, -1), array(iter(order), n), f"LRANGE 0 -1 ({n})")
            self.assertLess(worst, dur * 1.1 + 0.05,
                            "another client waited longer than the big command took")
            self.assertGreater(pings, 0)

            dur, worst, pings = self.run_while_pinging(
                c, ("SORT", "big:list"), array((str(i).encode() for i in range(n)), n),
                f"SORT ({n})")
            self.assertLess(worst, dur * 1.1 + 0.05,
                            "another client waited longer than the big command took")

            # SUNION: a set of n/10 members (hash order is not predictable, so the reply is
            # parsed and compared as a set; parsing 10M members in Python would dominate).
            m = n // 10
            members = [b"m%d" % i for i in range(m)]
            took = self.build_key(c, "SADD", "big:set", members)
            print(f"[hostile] SADD of {m} members: {took:.1f} s")
            stop = threading.Event()
            latencies = []

            def pinger():
                with self.server.client(timeout=300) as p:
                    while not stop.is_set():
                        t = time.monotonic()
                        p.call("PING")
                        latencies.append(time.monotonic() - t)
                        time.sleep(0.002)

            th = threading.Thread(target=pinger, daemon=True)
            th.start()
            time.sleep(0.1)
            t0 = time.monotonic()
            c.send(encode_command("SUNION", "big:set", "nosuch"))
            size = len(b"*%d\r\n" % m) + sum(len(b"$%d\r\n%s\r\n" % (len(v), v))
                                              for v in members)
            raw = bytearray()
            while len(raw) < size:
                data = c.sock.recv(1 << 20)
                self.assertTrue(data, "closed during SUNION reply")
                raw += data
            dur = time.monotonic() - t0
            stop.set()
            th.join(timeout=60)
            self.assertEqual(len(raw), size)
            parts = bytes(raw).split(b"\r\n")
            self.assertEqual(parts[0], b"*%d" % m)
            self.assertEqual(set(parts[2:-1:2]), set(members))
            worst = max(latencies)
            print(f"[hostile] SUNION ({m}): {dur:.2f} s; other client worst PING "
                  f"{worst * 1000:.0f} ms over {len(latencies)} PINGs")
            self.assertLess(worst, dur * 1.1 + 0.05)

            self.assertEqual(c.call("DEL", "big:list", "big:set"), 2)
            self.assertEqual(int(info_field(c, "clients", "connected_clients")), 1)
        self.verify("big-key commands")


if __name__ == "__main__":
    unittest.main(verbosity=2)
