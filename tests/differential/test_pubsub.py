"""Pub/Sub and keyspace notifications, side by side with redis-server 7.0.15: the replies
of subscribed-mode sessions (RESP2 and RESP3) byte for byte, what a subscriber receives
for the same PUBLISH sequence, and the keyspace notification streams (channel, message,
in order) that the same command sequences produce, expiry included."""

import time
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair
from harness import encode_command, parse_reply

MARKER = "zz-pubsub-diff-marker"

# A subscribed-mode session run on one connection. UNSUBSCRIBE without arguments is used
# only when at most one channel is left (with several, the order is hash-table order).
SESSION = [
    ("UNSUBSCRIBE",), ("PUNSUBSCRIBE",), ("SUNSUBSCRIBE",),
    ("SUBSCRIBE", "a", "b", "a"), ("PSUBSCRIBE", "a*", "h?llo", "a*"), ("SSUBSCRIBE", "s1"),
    ("GET", "x"), ("set", "a", "b"), ("PUBLISH", "a", "b"), ("CONFIG", "GET", "maxmemory"),
    ("PING",), ("PING", "hi"), ("PING", "a", "b"),
    ("nosuch",), ("SUBSCRIBE",), ("PSUBSCRIBE",), ("SSUBSCRIBE",), ("get",),
    ("PUBSUB", "NUMPAT"),
    ("UNSUBSCRIBE", "zz"), ("PUNSUBSCRIBE", "a*"), ("PUNSUBSCRIBE", "a*"),
    ("UNSUBSCRIBE", "b"), ("PUNSUBSCRIBE",), ("UNSUBSCRIBE",), ("UNSUBSCRIBE",),
    ("GET", "x"), ("SUNSUBSCRIBE", "nope"), ("SUNSUBSCRIBE",), ("GET", "x"), ("PING",),
    ("SUBSCRIBE", "c"), ("RESET",), ("GET", "x"), ("PUNSUBSCRIBE", "x"), ("GET", "x"),
]
# Refused in RESP2 subscribed mode (in RESP3 they would run).
RESP2_ONLY = [("SUBSCRIBE", "q"), ("MULTI",), ("CLIENT", "INFO"), ("EXEC",), ("RESET",)]

END = "zz-session-end"


def run_session(pair, commands):
    """Runs each command on both servers and compares every reply it produced (a
    (P|S)(UN)SUBSCRIBE replies once per channel): a PING with a marker follows each
    command, and everything before the marker's reply belongs to the command."""
    for cmd in commands:
        pair.count += 1
        got = []
        for c in (pair.g, pair.r):
            c.send(encode_command(*cmd) + encode_command("PING", END))
            frames = []
            while True:
                raw = c.read_raw()
                if END.encode() in raw:
                    break
                frames.append(raw)
            got.append(b"".join(frames))
        if got[0] != got[1]:
            pair.mismatches.append((" ".join(cmd), got[0], got[1]))


# The PUBSUB introspection commands, run from a second connection while the first one
# holds subscriptions (single-element listings only: several come in hash order).
INTROSPECTION = [
    ("PUBSUB", "CHANNELS"), ("PUBSUB", "CHANNELS", "n*"), ("PUBSUB", "CHANNELS", "zz*"),
    ("PUBSUB", "NUMSUB"), ("PUBSUB", "NUMSUB", "news", "zz", "news"), ("PUBSUB", "NUMPAT"),
    ("PUBSUB", "SHARDCHANNELS"), ("PUBSUB", "SHARDCHANNELS", "sh*"),
    ("PUBSUB", "SHARDNUMSUB", "shard", "x"), ("PUBSUB", "SHARDNUMSUB"),
    ("PUBSUB", "CHANNELS", "a", "b"), ("PUBSUB", "channels", "a", "b"),
    ("PUBSUB", "SHARDCHANNELS", "a", "b"), ("PUBSUB", "NUMPAT", "x"), ("PUBSUB", "HELP", "x"),
    ("PUBSUB", "foo"), ("PUBSUB",), ("PUBLISH", "news"), ("SPUBLISH", "s"),
    ("PUBLISH", "news", "hello"), ("PUBLISH", "nobody", "x"), ("SPUBLISH", "shard", "m"),
    ("PUBLISH", "shard", "m"), ("SPUBLISH", "news", "m"), ("PUBSUB", "HELP"),
]

# Keyspace notification sequences (notify-keyspace-events KEA): each command's events are
# compared in order. Generic and string events first, then the other types.
NOTIFY_SEQUENCES = {
    "generic": [
        ("SET", "k", "v"), ("SET", "k", "v2"), ("DEL", "k"), ("DEL", "k"),
        ("SET", "k", "v"), ("EXPIRE", "k", "100"), ("PERSIST", "k"), ("PEXPIRE", "k", "100000"),
        ("RENAME", "k", "k2"), ("UNLINK", "k2"), ("SET", "a", "1"), ("COPY", "a", "b"),
        ("MSET", "m1", "1", "m2", "2"), ("EXPIRE", "a", "0"), ("GET", "missing"),
        ("SETEX", "se", "100", "v"), ("GETDEL", "se"), ("SET", "x", "1", "EX", "100"),
        ("GETEX", "x", "PERSIST"), ("RENAMENX", "x", "m1"), ("MOVE", "x", "1"),
    ],
    "strings": [
        ("SET", "n", "1"), ("INCR", "n"), ("INCRBY", "n", "5"), ("DECR", "n"),
        ("INCRBYFLOAT", "n", "1.5"), ("APPEND", "n", "x"), ("SETRANGE", "n", "0", "y"),
        ("APPEND", "new", "z"), ("SETNX", "new", "q"), ("SETNX", "fresh", "q"),
        ("GETSET", "fresh", "r"),
    ],
    "types": [
        ("HSET", "h", "f", "v"), ("HDEL", "h", "f"), ("LPUSH", "l", "a", "b"), ("RPOP", "l"),
        ("LPOP", "l"), ("SADD", "s", "a"), ("SREM", "s", "a"), ("ZADD", "z", "1", "a"),
        ("ZINCRBY", "z", "1", "a"), ("ZREM", "z", "a"), ("XADD", "st", "1-1", "f", "v"),
    ],
}


def decode(raw):
    return parse_reply(raw)[0]


class SubscriberPair:
    """A subscriber connection to each server, subscribed to keyspace events and a marker."""

    def __init__(self, servers, resp3=False):
        self.subs = []
        for srv in (servers.gannet, servers.redis):
            c = srv.client()
            if resp3:
                c.call("HELLO", "3")
            c.call("PSUBSCRIBE", "__key*__:*")
            c.call("SUBSCRIBE", MARKER)
            self.subs.append(c)

    def close(self):
        for c in self.subs:
            c.close()

    def drain(self, pair):
        """Publishes the marker on both servers and returns, per server, the raw frames
        received before it."""
        pair.both("PUBLISH", MARKER, "m")
        out = []
        for c in self.subs:
            frames = []
            while True:
                raw = c.read_raw()
                if MARKER.encode() in raw:
                    break
                frames.append(raw)
            out.append(frames)
        return out


class PubSubDifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.pair = Pair(self.servers.gannet, self.servers.redis)
        self.pair.both("FLUSHALL")
        self.pair.both("CONFIG", "SET", "notify-keyspace-events", "")

    def tearDown(self):
        self.pair.close()

    def assertNoMismatch(self, pair=None):
        pair = pair or self.pair
        self.assertEqual(pair.mismatches, [], pair.report())

    def test_subscribed_session_resp2(self):
        run_session(self.pair, SESSION + RESP2_ONLY)
        self.pair.check_in_sync()
        self.assertNoMismatch()

    def test_subscribed_session_resp3(self):
        self.pair.check("HELLO", "3", compare=lambda a, b: True)
        run_session(self.pair, SESSION)
        self.pair.check_in_sync()
        self.assertNoMismatch()

    def test_introspection_and_publish(self):
        holder = Pair(self.servers.gannet, self.servers.redis)
        try:
            holder.run([("SUBSCRIBE", "news"), ("PSUBSCRIBE", "n*"), ("PSUBSCRIBE", "x*"),
                        ("SSUBSCRIBE", "shard")])
            self.pair.run(INTROSPECTION)
            self.pair.check("HELLO", "3", compare=lambda a, b: True)
            self.pair.run(INTROSPECTION)
            self.assertNoMismatch()
            # What the holder received, frame by frame.
            # Per run: news -> message + pmessage n*; shard -> smessage; nobody -> pmessage n*.
            frames = [[], []]
            for i, c in enumerate((holder.g, holder.r)):
                c.send(encode_command("PING", "end"))
                while True:
                    raw = c.read_raw()
                    if raw.startswith(b"*2\r\n$4\r\npong"):
                        break
                    frames[i].append(raw)
            self.assertEqual(frames[0], frames[1])
            self.assertEqual(len(frames[0]), 2 * 4)  # both INTROSPECTION runs published
        finally:
            holder.close()

    def test_notification_streams(self):
        self.pair.both("CONFIG", "SET", "notify-keyspace-events", "KEA")
        for resp3 in (False, True):
            subs = SubscriberPair(self.servers, resp3=resp3)
            try:
                for name, seq in NOTIFY_SEQUENCES.items():
                    self.pair.both("FLUSHALL")
                    subs.drain(self.pair)
                    for cmd in seq:
                        self.pair.check(*cmd)
                        g, r = subs.drain(self.pair)
                        if g != r:
                            self.pair.mismatches.append(
                                (f"{name} resp3={resp3}: events of {cmd}",
                                 b"".join(g), b"".join(r)))
            finally:
                subs.close()
        self.assertNoMismatch()

    def test_flag_classes_filter(self):
        subs = SubscriberPair(self.servers)
        try:
            for flags in ("KEg", "E$", "Kh", "KEl", "Ex", "Kgx", "A", "KA", "EAm", ""):
                self.pair.check("CONFIG", "SET", "notify-keyspace-events", flags)
                self.pair.check("CONFIG", "GET", "notify-keyspace-events")
                for cmd in (("SET", "k", "v"), ("HSET", "h", "f", "v"), ("LPUSH", "l", "x"),
                            ("DEL", "k", "h", "l"), ("GET", "nokey")):
                    self.pair.check(*cmd)
                    g, r = subs.drain(self.pair)
                    if g != r:
                        self.pair.mismatches.append(
                            (f"flags {flags!r}: events of {cmd}", b"".join(g), b"".join(r)))
        finally:
            subs.close()
        self.assertNoMismatch()

    def test_expired_events(self):
        self.pair.both("CONFIG", "SET", "notify-keyspace-events", "KEx")
        subs = SubscriberPair(self.servers)
        try:
            # Lazy: a read of a key whose TTL passed removes it.
            self.pair.check("SET", "lazy", "v", "PX", "20")
            time.sleep(0.05)
            self.pair.check("GET", "lazy")
            g, r = subs.drain(self.pair)
            self.assertEqual(g, r)
            self.assertEqual([decode(f)[2:] for f in g],
                             [[b"__keyspace@0__:lazy", b"expired"],
                              [b"__keyevent@0__:expired", b"lazy"]])
            # Active: nobody touches the key; the expiry cycle removes it.
            self.pair.check("SET", "active", "v", "PX", "20")
            for c in subs.subs:
                for _ in range(2):
                    frame = decode(c.read_raw())
                    self.assertIn(frame[3], (b"expired", b"active"))
            self.assertEqual(subs.drain(self.pair), [[], []])
        finally:
            subs.close()
        self.assertNoMismatch()


if __name__ == "__main__":
    unittest.main(verbosity=2)
