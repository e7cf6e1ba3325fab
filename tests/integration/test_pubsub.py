"""Pub/Sub and keyspace notifications against the real binary, over raw sockets and
redis-py: RESP2 and RESP3 framing (bytes as redis-server 7.0.15 sends them), the RESP2
subscribed-mode gate, pattern matching, cleanup when a subscriber disconnects, keyspace
events for expiry, and the pubsub output-buffer limit dropping a subscriber that never
reads while ~1 GB is published (memory stays bounded, the publisher is not slowed).
Everything but the output-buffer test (whose log line is Gannet's) also holds for
redis-server 7.0.15: run with GANNET_SERVER=/usr/bin/redis-server to check."""

import os
import socket
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command

GATE = ("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context")


def frame(kind, *items):
    """A RESP push/array of bulk strings and (int) integers, as bytes."""
    out = b"%s%d\r\n" % (kind, len(items))
    for it in items:
        if isinstance(it, int):
            out += b":%d\r\n" % it
        elif it is None:
            out += b"$-1\r\n" if kind == b"*" else b"_\r\n"
        else:
            it = it.encode() if isinstance(it, str) else it
            out += b"$%d\r\n%s\r\n" % (len(it), it)
    return out


def wait_until(pred, limit=5.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PubSubTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.clients = []
        self.c = self.client()
        self.c.call("CONFIG", "SET", "notify-keyspace-events", "")
        self.c.call("FLUSHALL")

    def tearDown(self):
        for c in self.clients:
            c.close()

    def client(self):
        c = self.server.client()
        self.clients.append(c)
        return c

    def test_resp2_framing(self):
        s = self.client()
        self.assertEqual(s.call_raw("SUBSCRIBE", "a", "b", "a"),
                         frame(b"*", "subscribe", "a", 1))
        self.assertEqual(s.read_raw(), frame(b"*", "subscribe", "b", 2))
        self.assertEqual(s.read_raw(), frame(b"*", "subscribe", "a", 2))
        self.assertEqual(s.call_raw("PSUBSCRIBE", "a*"), frame(b"*", "psubscribe", "a*", 3))
        self.assertEqual(self.c.call("PUBLISH", "a", "hello"), 2)
        self.assertEqual(s.read_raw(), frame(b"*", "message", "a", "hello"))
        self.assertEqual(s.read_raw(), frame(b"*", "pmessage", "a*", "a", "hello"))
        self.assertEqual(s.call_raw("UNSUBSCRIBE", "b"), frame(b"*", "unsubscribe", "b", 2))
        self.assertEqual(s.call_raw("PUNSUBSCRIBE"), frame(b"*", "punsubscribe", "a*", 1))
        self.assertEqual(s.call_raw("UNSUBSCRIBE"), frame(b"*", "unsubscribe", "a", 0))
        self.assertEqual(s.call_raw("UNSUBSCRIBE"), frame(b"*", "unsubscribe", None, 0))
        self.assertEqual(s.call("GET", "x"), None)

    def test_resp3_push_frames(self):
        s = self.client()
        s.call("HELLO", "3")
        self.assertEqual(s.call_raw("UNSUBSCRIBE"), frame(b">", "unsubscribe", None, 0))
        self.assertEqual(s.call_raw("SUBSCRIBE", "a"), frame(b">", "subscribe", "a", 1))
        self.assertEqual(s.call_raw("SSUBSCRIBE", "s"), frame(b">", "ssubscribe", "s", 1))
        # Any command works in RESP3 while subscribed.
        self.assertEqual(s.call_raw("PING"), b"+PONG\r\n")
        self.assertEqual(s.call_raw("SET", "k", "v"), b"+OK\r\n")
        self.assertEqual(self.c.call("PUBLISH", "a", "m1"), 1)
        self.assertEqual(s.read_raw(), frame(b">", "message", "a", "m1"))
        self.assertEqual(self.c.call("SPUBLISH", "s", "m2"), 1)
        self.assertEqual(s.read_raw(), frame(b">", "smessage", "s", "m2"))

    def test_subscribed_mode_gate(self):
        s = self.client()
        s.call("SUBSCRIBE", "a")
        self.assertEqual(s.call("GET", "x"), RespError(GATE % "get"))
        self.assertEqual(s.call("CONFIG", "GET", "port"), RespError(GATE % "config|get"))
        self.assertEqual(s.call("PUBLISH", "a", "b"), RespError(GATE % "publish"))
        self.assertEqual(s.call_raw("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(s.call_raw("PING", "x"), b"*2\r\n$4\r\npong\r\n$1\r\nx\r\n")
        self.assertEqual(s.call("NOSUCH"),
                         RespError("ERR unknown command 'NOSUCH', with args beginning with: "))
        # RESET leaves subscribed mode (and unsubscribes silently).
        self.assertEqual(s.call("RESET"), "RESET")
        self.assertEqual(s.call("GET", "x"), None)
        self.assertEqual(self.c.call("PUBLISH", "a", "m"), 0)
        # QUIT is allowed.
        s.call("SUBSCRIBE", "a")
        self.assertEqual(s.call("QUIT"), "OK")
        self.assertTrue(s.is_closed())

    def test_pattern_matching(self):
        s = self.client()
        for p in ("news.*", "h?llo", "h[ae]llo", "x\\*y", "*"):
            s.call("PSUBSCRIBE", p)
        cases = {"news.eu": ["news.*", "*"], "hello": ["h?llo", "h[ae]llo", "*"],
                 "hillo": ["h?llo", "*"], "x*y": ["x\\*y", "*"], "xay": ["*"]}
        for channel, patterns in cases.items():
            self.assertEqual(self.c.call("PUBLISH", channel, "m"), len(patterns))
            got = sorted(s.read()[1].decode() for _ in patterns)
            self.assertEqual(got, sorted(patterns), channel)
        self.assertEqual(self.c.call("PUBSUB", "NUMPAT"), 5)

    def test_disconnect_cleanup(self):
        subs = [self.client() for _ in range(5)]
        for s in subs:
            s.call("SUBSCRIBE", "gone")
            s.call("PSUBSCRIBE", "go*")
            s.call("SSUBSCRIBE", "sgone")
        self.assertEqual(self.c.call("PUBLISH", "gone", "m"), 10)
        for s in subs:
            s.close()
        self.assertTrue(wait_until(lambda: self.c.call("PUBSUB", "NUMSUB", "gone")[1] == 0))
        self.assertTrue(wait_until(lambda: self.c.call("PUBSUB", "NUMPAT") == 0))
        self.assertEqual(self.c.call("PUBSUB", "SHARDCHANNELS"), [])
        self.assertEqual(self.c.call("PUBLISH", "gone", "m"), 0)

    def test_pubsub_info_fields(self):
        s = self.client()
        s.call("SUBSCRIBE", "i1", "i2")
        s.call("PSUBSCRIBE", "p1")
        info = self.c.call("INFO", "stats").decode()
        fields = dict(l.split(":", 1) for l in info.split("\r\n") if ":" in l)
        self.assertEqual(fields.get("pubsub_channels"), "2")
        self.assertEqual(fields.get("pubsub_patterns"), "1")

    def test_keyspace_expired_events(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "notify-keyspace-events", "KEA"), "OK")
        self.assertEqual(self.c.call("CONFIG", "GET", "notify-keyspace-events"),
                         [b"notify-keyspace-events", b"AKE"])
        s = self.client()
        s.call("PSUBSCRIBE", "__key*@0__:*")
        self.c.call("SET", "lazy", "v", "PX", "30")
        self.c.call("SET", "active", "v", "PX", "30")
        events = []
        deadline = time.monotonic() + 10
        # "active" is removed by the active expiry cycle; "lazy" when GET touches it.
        time.sleep(0.1)
        self.c.call("GET", "lazy")
        while time.monotonic() < deadline and not {("__keyevent@0__:expired", "active"),
                                                   ("__keyevent@0__:expired", "lazy")} <= set(events):
            msg = s.read()
            events.append((msg[2].decode(), msg[3].decode()))
        self.assertIn(("__keyspace@0__:lazy", "expired"), events)
        self.assertIn(("__keyevent@0__:expired", "lazy"), events)
        self.assertIn(("__keyspace@0__:active", "expired"), events)
        self.assertIn(("__keyevent@0__:expired", "active"), events)

    def test_bad_notify_flags(self):
        self.assertEqual(
            self.c.call("CONFIG", "SET", "notify-keyspace-events", "KQ"),
            RespError("ERR CONFIG SET failed (possibly related to argument "
                      "'notify-keyspace-events') - Invalid event class character. Use "
                      "'Ag$lshzxeKEtmdn'."))

    def test_redis_py_pubsub(self):
        try:
            import redis
        except ImportError:
            self.skipTest("python3-redis not installed")
        r = redis.Redis(host=harness.HOST, port=self.server.port)
        p = r.pubsub()
        try:
            p.subscribe("chan")
            p.psubscribe("pat*")
            self.assertEqual(p.get_message(timeout=2)["type"], "subscribe")
            self.assertEqual(p.get_message(timeout=2)["type"], "psubscribe")
            self.assertEqual(r.publish("chan", "one"), 1)
            self.assertEqual(r.publish("pattern", "two"), 1)
            m1 = p.get_message(timeout=2)
            m2 = p.get_message(timeout=2)
            self.assertEqual((m1["type"], m1["channel"], m1["data"]), ("message", b"chan", b"one"))
            self.assertEqual((m2["type"], m2["pattern"], m2["data"]), ("pmessage", b"pat*", b"two"))
            self.assertEqual(r.pubsub_numsub("chan"), [(b"chan", 1)])
            p.unsubscribe()
            p.punsubscribe()
        finally:
            p.close()
            r.close()


class OutputBufferLimitTest(unittest.TestCase):
    """A subscriber that never reads while ~1 GB is published is dropped at the pubsub
    class's hard limit; the server's memory stays bounded and the publisher keeps going."""

    TOTAL = int(os.environ.get("GANNET_PUBSUB_FLOOD_BYTES", str(1 << 30)))
    MESSAGE = 1 << 20  # 1 MB payloads
    BATCH = 8          # pipelined PUBLISHes per round trip

    def test_slow_subscriber_dropped(self):
        if harness.is_redis(harness.gannet_binary()):
            self.skipTest("the log line checked is Gannet's")
        with harness.Server(args=["--client-output-buffer-limit", "pubsub 32mb 8mb 60"]) as srv:
            # A small receive buffer makes the kernel hold little for the sleeping reader.
            slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            slow.settimeout(10)
            slow.connect((harness.HOST, srv.port))
            slow.sendall(encode_command("SUBSCRIBE", "flood"))
            time.sleep(0.2)
            pub = srv.client()
            payload = b"x" * self.MESSAGE
            batch = encode_command("PUBLISH", "flood", payload) * self.BATCH
            rounds = self.TOTAL // (self.MESSAGE * self.BATCH)
            start = time.monotonic()
            peak_rss = 0
            worst_round = 0.0
            receivers_seen = []
            for i in range(rounds):
                t0 = time.monotonic()
                pub.send(batch)
                for _ in range(self.BATCH):
                    receivers_seen.append(pub.read())
                worst_round = max(worst_round, time.monotonic() - t0)
                if i % 16 == 0:
                    peak_rss = max(peak_rss, rss_kb(srv.pid()))
                self.assertLess(time.monotonic() - start, 150, "publishing 1 GB took too long")
            elapsed = time.monotonic() - start
            peak_rss = max(peak_rss, rss_kb(srv.pid()))
            # Dropped once over 32 MB pending: early publishes reached it, later ones nobody.
            self.assertEqual(receivers_seen[0], 1)
            self.assertEqual(receivers_seen[-1], 0)
            self.assertEqual(pub.call("PUBSUB", "NUMSUB", "flood"), [b"flood", 0])
            self.assertIn("closed for overcoming of output buffer limits", srv.log())
            stats = pub.call("INFO", "stats").decode()
            self.assertIn("client_output_buffer_limit_disconnections:1", stats)
            # Bounded memory: the 32 MB limit plus buffers, nowhere near the 1 GB sent.
            self.assertLess(peak_rss, 400 * 1024, "RSS grew to %d kB" % peak_rss)
            # Not slowed: no round trip stalled waiting for the sleeping subscriber.
            self.assertLess(worst_round, 5.0)
            sys_note = "published %d MB in %.1fs, peak RSS %d MB, worst round %.3fs" % (
                self.TOTAL >> 20, elapsed, peak_rss >> 10, worst_round)
            print(sys_note)
            slow.close()
            pub.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
