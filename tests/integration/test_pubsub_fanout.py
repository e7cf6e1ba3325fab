"""PUBLISH fan-out with shared frames, against the real binary: 1,000 subscribers mixing
RESP2, RESP3, channel and pattern subscriptions each receive every message byte for byte
(binary payloads, a large one that cannot go out in one write); pushes keep their place
among a client's own replies and tracking invalidations (checked byte for byte against
redis-server 7.0 when it is installed); a subscriber that does not read is dropped at the
pubsub hard limit and, with only a soft limit, once it stayed over it for its seconds,
while the others keep receiving; CLIENT LIST omem counts each queued message at full size
while tot-mem and INFO mem_clients_normal count the shared memory once; TLS subscribers
receive the same bytes as plain ones.

The fan-out and ordering tests also hold for redis-server 7.0.15 (GANNET_SERVER=
/usr/bin/redis-server); the accounting ones are Gannet's."""

import os
import selectors
import shutil
import socket
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import encode_command


class Server(harness.Server):
    """harness.Server that also fails the test when the server did not exit cleanly (a
    sanitizer report makes the exit code non-zero) or its log reports a sanitizer error."""

    def __exit__(self, *exc):
        code = self.stop()
        log = self.log()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if exc[0] is None:
            if "Sanitizer" in log or code not in (0, None):
                raise AssertionError("server exit code %s; log tail:\n%s" % (code, log[-3000:]))


def bulk(b):
    b = b.encode() if isinstance(b, str) else b
    return b"$%d\r\n%s\r\n" % (len(b), b)


def push(resp3, *items):
    return (b">" if resp3 else b"*") + b"%d\r\n" % len(items) + b"".join(bulk(i) for i in items)


def info_field(text, name):
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise KeyError(name)


def client_list(c):
    out = {}
    for line in c.call("CLIENT", "LIST").decode().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" "))
        out[int(fields["id"])] = fields
    return out


class Reader:
    """Reads many sockets at once (non-blocking) until each holds an expected byte count."""

    def __init__(self, socks):
        self.sel = selectors.DefaultSelector()
        self.data = {}
        for s in socks:
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
            self.data[s] = bytearray()

    def read_until(self, want, limit=60.0, skip=()):
        """want: {sock: total bytes}. Returns when every socket has at least that many."""
        deadline = time.monotonic() + limit
        missing = {s for s, n in want.items() if len(self.data[s]) < n and s not in skip}
        while missing and time.monotonic() < deadline:
            for key, _ in self.sel.select(0.5):
                s = key.fileobj
                try:
                    chunk = s.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.sel.unregister(s)
                    missing.discard(s)
                    continue
                self.data[s] += chunk
                if s in missing and len(self.data[s]) >= want[s]:
                    missing.discard(s)
        return missing

    def close(self):
        self.sel.close()


class FanoutTest(unittest.TestCase):
    SUBSCRIBERS = 1000

    def test_thousand_subscribers_mixed_protocols_and_patterns(self):
        with Server(args=["--maxclients", "4000"]) as srv:
            kinds = []   # (resp3, direct, pattern)
            subs = []
            for i in range(self.SUBSCRIBERS):
                c = srv.client()
                resp3 = i % 2 == 1
                if resp3:
                    c.call("HELLO", "3")
                kind = i % 4
                direct = kind in (0, 1, 2)
                pattern = {2: "fa*", 3: "f?n"}.get(kind)
                n = 0
                if direct:
                    c.send(encode_command("SUBSCRIBE", "fan"))
                    n += 1
                if pattern:
                    c.send(encode_command("PSUBSCRIBE", pattern))
                    n += 1
                for _ in range(n):
                    c.read_raw()
                kinds.append((resp3, direct, pattern))
                subs.append(c)
                self.assertEqual(len(c.buf), 0)  # nothing but the confirmations came
            payloads = [b"", b"x", bytes(range(256)) * 4, b"*3\r\n$7\r\nmessage\r\n", b"\x00\xff" * 3,
                        os.urandom(100_000), b"tail"]
            expected = []
            for resp3, direct, pattern in kinds:
                e = b""
                for p in payloads:
                    if direct:
                        e += push(resp3, "message", "fan", p)
                    if pattern:
                        e += push(resp3, "pmessage", pattern, "fan", p)
                expected.append(e)
            receivers = sum(int(d) + int(p is not None) for _, d, p in kinds)
            pub = srv.client()
            reader = Reader([c.sock for c in subs])
            try:
                # Pipelined: every message is queued to every subscriber before any is read.
                pub.send(b"".join(encode_command("PUBLISH", "fan", p) for p in payloads))
                counts = [pub.read() for _ in payloads]
                self.assertEqual(counts, [receivers] * len(payloads))
                want = {c.sock: len(e) for c, e in zip(subs, expected)}
                missing = reader.read_until(want, limit=120)
                self.assertFalse(missing, "%d subscribers short" % len(missing))
                bad = [i for i, (c, e) in enumerate(zip(subs, expected))
                       if bytes(reader.data[c.sock]) != e]
                self.assertEqual(bad, [], "subscribers with wrong bytes (first: %s)" % bad[:5])
                # Still subscribed and served afterwards.
                self.assertEqual(pub.call("PUBLISH", "fan", "again"), receivers)
            finally:
                reader.close()
                for c in subs:
                    c.close()
                pub.close()

    # ---- ordering among a client's own replies, compared with redis-server ----

    @staticmethod
    def ordering_script(srv):
        """Runs a fixed conversation; returns the exact bytes two subscribers received."""
        out = {}
        s = srv.client()       # RESP3: subscribed, tracking, running its own commands
        r = srv.client()       # RESP2: subscribed, and the redirect target of t's tracking
        t = srv.client()
        p = srv.client()
        try:
            s.call("HELLO", "3")
            s.call("CLIENT", "TRACKING", "on")
            s.call("SET", "k", "v1")
            s.call_raw("SUBSCRIBE", "ch")
            r_id = r.call("CLIENT", "ID")
            r.call_raw("SUBSCRIBE", "ch", "__redis__:invalidate")
            r.read_raw()
            t.call("CLIENT", "TRACKING", "on", "REDIRECT", str(r_id))
            t.call("GET", "k")
            # s: its own pipeline mixes replies, its own messages and an invalidation.
            s.send(b"".join(encode_command(*a) for a in (
                ("GET", "k"), ("PUBLISH", "ch", "m1"), ("SET", "k", "v2"),
                ("PUBLISH", "ch", "m2"), ("PING", "done"))))
            got = read_through(s, bulk("done"))
            # Another client's publish lands between s's commands.
            p.call("PUBLISH", "ch", "from-p")
            s.send(encode_command("PING", "after"))
            got += read_through(s, bulk("after"))
            p.call("SET", "k", "v3")   # k is no longer tracked for anyone: no invalidation
            p.call("PUBLISH", "ch", "last")
            s.send(encode_command("PING", "end"))
            got += read_through(s, bulk("end"))
            out["s"] = got
            out["r"] = read_through(r, bulk("last"))
        finally:
            for c in (s, r, t, p):
                c.close()
        return out

    def test_pushes_keep_their_place_among_replies(self):
        with Server() as srv:
            got = self.ordering_script(srv)
        # Spot checks that hold whatever the oracle says.
        self.assertIn(push(True, "message", "ch", "m1"), got["s"])
        self.assertLess(got["s"].index(b"m1\r\n"), got["s"].index(b"m2\r\n"))
        self.assertLess(got["s"].index(b"from-p"), got["s"].index(b"after"))
        self.assertLess(got["s"].index(b"after"), got["s"].index(b"last"))
        inval = got["r"].index(b"__redis__:invalidate\r\n*1")
        self.assertLess(got["r"].index(b"m1\r\n"), inval)
        self.assertLess(inval, got["r"].index(b"m2\r\n"))
        redis = harness.redis_binary()
        if harness.is_redis(harness.gannet_binary()):
            return
        with Server(binary=redis) as ref:
            want = self.ordering_script(ref)
        self.assertEqual(got["s"], want["s"])
        self.assertEqual(got["r"], want["r"])

    # ---- output-buffer limits with shared frames ----

    def slow_subscriber(self, srv, channel):
        slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.settimeout(10)
        slow.connect((harness.HOST, srv.port))
        slow.sendall(encode_command("SUBSCRIBE", channel))
        return slow

    def publish_until_dropped(self, srv, pub, readers, reader, payload, limit_rounds):
        """Publishes payload one at a time (draining the readers between publishes) until
        the receiver count falls by one; returns the number of publishes."""
        expected_len = {s: 0 for s in readers}
        one = push(False, "message", "lim", payload)
        first = None
        for i in range(limit_rounds):
            n = pub.call("PUBLISH", "lim", payload)
            if first is None:
                first = n
            if n == first - 1:
                return i, expected_len
            for s in readers:
                expected_len[s] += len(one)
            self.assertFalse(reader.read_until(expected_len, limit=30))
        self.fail("the slow subscriber was never dropped")

    def test_slow_subscriber_hits_hard_limit_others_unaffected(self):
        if harness.is_redis(harness.gannet_binary()):
            self.skipTest("the log line checked is Gannet's")
        with Server(args=["--client-output-buffer-limit", "pubsub 1mb 0 0"]) as srv:
            readers = []
            for _ in range(50):
                c = srv.client()
                c.call_raw("SUBSCRIBE", "lim")
                readers.append(c)
            slow = self.slow_subscriber(srv, "lim")
            pub = srv.client()
            self.assertTrue(harness_wait(
                lambda: pub.call("PUBSUB", "NUMSUB", "lim") == [b"lim", 51]))
            reader = Reader([c.sock for c in readers])
            try:
                payload = b"z" * (128 * 1024)
                rounds, want = self.publish_until_dropped(
                    srv, pub, [c.sock for c in readers], reader, payload, 400)
                # The drop came once about 1 MB was pending (plus what the kernel holds).
                self.assertGreater(rounds, 8)
                self.assertIn("closed for overcoming of output buffer limits", srv.log())
                info = pub.call("INFO", "stats").decode()
                self.assertEqual(info_field(info, "client_output_buffer_limit_disconnections"), 1)
                self.assertEqual(pub.call("PUBSUB", "NUMSUB", "lim"), [b"lim", 50])
                # Every other subscriber got every message intact, and keeps receiving.
                one = push(False, "message", "lim", payload)
                last = push(False, "message", "lim", payload)  # the publish that dropped it
                for c in readers:
                    want[c.sock] += len(last)
                self.assertFalse(reader.read_until(want, limit=30))
                for c in readers:
                    data = bytes(reader.data[c.sock])
                    self.assertEqual(len(data), want[c.sock])
                    self.assertEqual(data, one * (len(data) // len(one)))
            finally:
                reader.close()
                slow.close()
                pub.close()
                for c in readers:
                    c.close()

    def test_soft_limit_applies_after_its_seconds(self):
        if harness.is_redis(harness.gannet_binary()):
            self.skipTest("Gannet's log line")
        with Server(args=["--client-output-buffer-limit", "pubsub 0 256kb 3"]) as srv:
            slow = self.slow_subscriber(srv, "soft")
            pub = srv.client()
            self.assertTrue(harness_wait(
                lambda: pub.call("PUBSUB", "NUMSUB", "soft") == [b"soft", 1]))
            payload = b"s" * (64 * 1024)
            start = time.monotonic()
            # Far over the soft limit at once (the kernel holds a few MB at most).
            for _ in range(8):
                pub.send(encode_command("PUBLISH", "soft", payload) * 16)
                for _ in range(16):
                    self.assertEqual(pub.read(), 1)
            # Over the soft limit, but not for its 3 seconds yet: still subscribed.
            if time.monotonic() - start < 2.5:
                self.assertEqual(pub.call("PUBSUB", "NUMSUB", "soft"), [b"soft", 1])
            time.sleep(3.5)
            # The next push (or the cron) finds it over the soft limit for too long.
            pub.call("PUBLISH", "soft", "x")
            self.assertTrue(harness_wait(
                lambda: pub.call("PUBSUB", "NUMSUB", "soft") == [b"soft", 0]))
            self.assertIn("closed for overcoming of output buffer limits", srv.log())
            slow.close()
            pub.close()

    def test_shared_frames_counted_once_in_client_memory(self):
        if harness.is_redis(harness.gannet_binary()):
            self.skipTest("Gannet's accounting")
        n = 100
        with Server(args=["--client-output-buffer-limit", "pubsub 0 0 0"]) as srv:
            pub = srv.client()
            before = info_field(pub.call("INFO", "memory").decode(), "mem_clients_normal")
            slows = [self.slow_subscriber(srv, "mem") for _ in range(n)]
            self.assertTrue(harness_wait(
                lambda: pub.call("PUBSUB", "NUMSUB", "mem") == [b"mem", n]))
            payload = b"m" * (1 << 20)
            for _ in range(8):  # 8 MB to each: far more than the kernel holds for them
                self.assertEqual(pub.call("PUBLISH", "mem", payload), n)
            clients = client_list(pub)
            subs = [f for f in clients.values() if f["flags"] == "P"]
            self.assertEqual(len(subs), n)
            omem = [int(f["omem"]) for f in subs]
            totmem = [int(f["tot-mem"]) for f in subs]
            # omem: what each must still be sent, frames at full size (limits use it).
            self.assertTrue(all(o > 4 << 20 for o in omem), omem[:5])
            # tot-mem: each holds only its share of the 8 MB the frames take once.
            self.assertTrue(all(t < 1 << 20 for t in totmem), totmem[:5])
            after = info_field(pub.call("INFO", "memory").decode(), "mem_clients_normal")
            self.assertLess(after - before, 40 << 20, "mem_clients_normal grew by %d" % (
                after - before))
            # used_memory sees the frames once: 100 x 8 MB would be 800 MB.
            used = info_field(pub.call("INFO", "memory").decode(), "used_memory")
            self.assertLess(used, 200 << 20)
            for s in slows:
                s.close()
            # Gone with them: nothing is left queued.
            self.assertTrue(harness_wait(
                lambda: pub.call("PUBSUB", "NUMSUB", "mem") == [b"mem", 0]))
            pub.close()


def read_through(c, tail, limit=10.0):
    """The raw replies c receives up to and including one that ends with tail."""
    got = b""
    deadline = time.monotonic() + limit
    while not got.endswith(tail):
        if time.monotonic() > deadline:
            raise TimeoutError(got[-200:])
        got += c.read_raw()
    return got


def harness_wait(pred, limit=10.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


class TlsFanoutTest(unittest.TestCase):
    def test_tls_and_plain_subscribers_get_the_same_bytes(self):
        if harness.is_redis(harness.gannet_binary()):
            self.skipTest("TLS test setup is Gannet's command line")
        import test_tls  # the PKI and TLS client helpers
        if test_tls.OPENSSL is None:
            self.skipTest("no openssl")
        d = tempfile.mkdtemp(prefix="gannet-tls-fanout-")
        try:
            pki = test_tls.make_pki(d)
            tls_port = harness.free_port()
            with Server(args=test_tls.tls_args(pki, tls_port)) as srv:
                ctx = test_tls.client_context(pki)
                tls_subs = [test_tls.TlsClient(tls_port, ctx) for _ in range(5)]
                plain = [srv.client() for _ in range(5)]
                for i, c in enumerate(tls_subs + plain):
                    if i % 2:
                        c.call("HELLO", "3")
                    c.call_raw("SUBSCRIBE", "t")
                pub = srv.client()
                payloads = [b"a", os.urandom(300_000), b"b" * 20000, b"end"]
                pub.send(b"".join(encode_command("PUBLISH", "t", p) for p in payloads))
                self.assertEqual([pub.read() for _ in payloads], [10] * len(payloads))
                for i, c in enumerate(tls_subs + plain):
                    resp3 = i % 2 == 1
                    for p in payloads:
                        self.assertEqual(c.read_raw(), push(resp3, "message", "t", p))
                for c in tls_subs + plain + [pub]:
                    c.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
