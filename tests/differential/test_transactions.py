"""MULTI/EXEC/DISCARD/WATCH/UNWATCH sequences sent to gannet-server and redis-server; every
reply must be byte-identical (RESP2, and again in RESP3 after HELLO 3). Two connections per
server ("a" runs the transaction, "b" interferes) cover WATCH."""

import time
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair

S = "sleep"

# Each scenario: (name, steps); a step is (client, *args) or (S, seconds).
SCENARIOS = [
    ("exec and discard without multi", [
        ("a", "EXEC"), ("a", "DISCARD"), ("a", "EXEC", "x"), ("a", "DISCARD", "x"),
        ("a", "UNWATCH"), ("a", "UNWATCH", "x"), ("a", "WATCH"), ("a", "MULTI", "x"),
    ]),
    ("queue and exec", [
        ("a", "MULTI"), ("a", "SET", "k", "1"), ("a", "INCR", "k"), ("a", "GET", "k"),
        ("a", "LPUSH", "l", "a", "b"), ("a", "LRANGE", "l", "0", "-1"),
        ("a", "HSET", "h", "f", "v"),
        ("a", "HGETALL", "h"), ("a", "HGETALL", "nope"), ("a", "ZADD", "z", "1.5", "m"),
        ("a", "ZSCORE", "z", "m"), ("a", "EXISTS", "k", "l"), ("a", "EXEC"), ("a", "GET", "k"),
    ]),
    ("empty transaction", [("a", "MULTI"), ("a", "EXEC")]),
    ("nested multi and watch inside multi", [
        ("a", "MULTI"), ("a", "MULTI"), ("a", "WATCH", "x"), ("a", "SET", "x", "1"), ("a", "EXEC"),
    ]),
    ("queueing errors abort", [
        ("a", "MULTI"), ("a", "FOO"), ("a", "GET"), ("a", "SET", "x", "2"), ("a", "EXEC"),
        ("a", "GET", "x"), ("a", "MULTI"), ("a", "CONFIG", "NOPE"), ("a", "EXEC"),
        ("a", "MULTI"), ("a", "SET", "x", "1", "EX"), ("a", "EXEC"), ("a", "GET", "x"),
    ]),
    ("no_multi command", [("a", "MULTI"), ("a", "SHUTDOWN"), ("a", "EXEC")]),
    ("runtime errors do not roll back", [
        ("a", "MULTI"), ("a", "SET", "s", "a"), ("a", "INCR", "s"), ("a", "LPUSH", "s", "x"),
        ("a", "SET", "s", "b"), ("a", "EXEC"), ("a", "GET", "s"),
    ]),
    ("exec with arguments aborts", [
        ("a", "WATCH", "q"), ("a", "MULTI"), ("a", "SET", "a", "1"), ("a", "EXEC", "x"),
        ("a", "EXEC"), ("b", "SET", "q", "1"), ("a", "MULTI"), ("a", "EXEC"), ("a", "GET", "a"),
    ]),
    ("discard", [
        ("a", "WATCH", "w"), ("a", "MULTI"), ("a", "SET", "k", "v"), ("a", "DISCARD"),
        ("a", "GET", "k"), ("b", "SET", "w", "1"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "MULTI"), ("a", "FOO"), ("a", "DISCARD"), ("a", "MULTI"), ("a", "EXEC"),
    ]),
    ("reset and quit are not queued", [
        ("a", "MULTI"), ("a", "SET", "k", "v"), ("a", "RESET"), ("a", "EXEC"), ("a", "GET", "k"),
    ]),
    ("other commands are queued", [
        ("a", "MULTI"), ("a", "UNWATCH"), ("a", "SELECT", "1"), ("a", "SET", "k", "v"),
        ("a", "ECHO", "hi"), ("a", "EXEC"), ("a", "GET", "k"), ("a", "SELECT", "0"),
        ("a", "GET", "k"),
    ]),
    ("blocking commands inside exec", [
        ("a", "MULTI"), ("a", "BLPOP", "nol", "0"), ("a", "BRPOP", "nol", "1"),
        ("a", "BZPOPMIN", "noz", "0"), ("a", "BLMPOP", "0", "1", "nol", "LEFT"),
        ("a", "BZMPOP", "0", "1", "noz", "MIN"),
        ("a", "XREAD", "BLOCK", "0", "STREAMS", "nost", "$"), ("a", "EXEC"),
        ("a", "RPUSH", "l1", "x"), ("a", "MULTI"), ("a", "BLPOP", "l1", "0"), ("a", "EXEC"),
    ]),
    ("subscribe inside exec does not stop the commands after it", [
        ("a", "MULTI"), ("a", "SUBSCRIBE", "c"), ("a", "SET", "k", "v"), ("a", "GET", "k"),
        ("a", "EXEC"), ("a", "GET", "k"), ("a", "PING"),
    ]),
    ("blocking move inside exec", [
        ("a", "MULTI"), ("a", "BRPOPLPUSH", "a1", "a2", "5"),
        ("a", "BLMOVE", "a1", "a2", "LEFT", "RIGHT", "0"), ("a", "EXEC"),
    ]),
    # ---- WATCH ----
    ("watch untouched", [
        ("a", "WATCH", "x", "y", "z"), ("a", "WATCH", "k"), ("a", "MULTI"), ("a", "PING"),
        ("a", "EXEC"),
    ]),
    ("watch modified by another client", [
        ("b", "SET", "x", "30"), ("a", "WATCH", "a", "b", "x", "k", "z"), ("b", "SET", "x", "40"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        # After EXEC nothing is watched.
        ("b", "SET", "x", "50"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
    ]),
    ("watch: same value, own write, no-op delete", [
        ("b", "SET", "x", "1"), ("a", "WATCH", "x"), ("b", "SET", "x", "1"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "x"), ("a", "SET", "x", "2"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "dn"), ("b", "DEL", "dn"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "x"), ("a", "MULTI"), ("a", "SET", "x", "3"), ("a", "EXEC"),
    ]),
    ("watch: every type and generic writes", [
        ("a", "WATCH", "l"), ("b", "RPUSH", "l", "a"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "h"), ("b", "HSET", "h", "f", "v"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "s"), ("b", "SADD", "s", "a"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "z"), ("b", "ZADD", "z", "1", "a"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "st"), ("b", "XADD", "st", "1-1", "f", "v"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "l"), ("b", "EXPIRE", "l", "100"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "l"), ("b", "PERSIST", "l"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "dst"), ("b", "RENAME", "h", "dst"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "s"), ("b", "DEL", "s"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "z"), ("b", "MOVE", "z", "3"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "c"), ("b", "COPY", "dst", "c"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "l"), ("b", "LPOP", "l"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "bm"), ("b", "SETBIT", "bm", "7", "1"), ("a", "MULTI"), ("a", "EXEC"),
        ("a", "WATCH", "hl"), ("b", "PFADD", "hl", "a"), ("a", "MULTI"), ("a", "EXEC"),
    ]),
    ("watch: other database, unwatch", [
        ("a", "SELECT", "1"), ("a", "WATCH", "x"), ("a", "SELECT", "0"), ("b", "SET", "x", "1"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "x"), ("a", "UNWATCH"), ("b", "SET", "x", "2"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "x"), ("b", "SET", "x", "3"), ("a", "UNWATCH"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
    ]),
    ("watch: flushall and flushdb", [
        ("a", "WATCH", "nx"), ("b", "FLUSHALL"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "ex", "1"), ("a", "WATCH", "ex"), ("b", "FLUSHALL"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "ex", "1"), ("a", "WATCH", "ex"), ("b", "SELECT", "1"), ("b", "FLUSHDB"),
        ("b", "SELECT", "0"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "ex"), ("b", "FLUSHDB"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "ex"), ("b", "FLUSHDB"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
    ]),
    ("watch: swapdb", [
        ("b", "SELECT", "1"), ("b", "SET", "sw", "1"), ("b", "SELECT", "0"), ("a", "WATCH", "sw"),
        ("b", "SWAPDB", "0", "1"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("b", "FLUSHALL"),
        ("a", "WATCH", "sw"), ("b", "SWAPDB", "0", "1"), ("a", "MULTI"), ("a", "PING"),
        ("a", "EXEC"),
        ("b", "SET", "sw", "1"), ("a", "WATCH", "sw"), ("b", "SWAPDB", "2", "3"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("a", "WATCH", "sw"), ("b", "SWAPDB", "0", "1"), ("a", "MULTI"), ("a", "PING"),
        ("a", "EXEC"),
    ]),
    ("watch: expiry", [
        # Alive at WATCH, expired by EXEC (reclaimed or not): broken.
        ("b", "SET", "e1", "1", "PX", "300"), ("a", "WATCH", "e1"), (S, 0.5), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e2", "1", "PX", "300"), ("a", "WATCH", "e2"), ("a", "MULTI"), (S, 0.5),
        ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e3", "1", "PX", "300"), ("a", "WATCH", "e3"), (S, 0.5), ("b", "GET", "e3"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e4", "1", "PX", "300"), ("a", "WATCH", "e4"), (S, 0.5), ("a", "WATCH", "e4"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        # Already expired at WATCH: deleting it changes nothing, writing it does.
        ("b", "SET", "e5", "1", "PX", "50"), (S, 0.2), ("a", "WATCH", "e5"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e6", "1", "PX", "50"), (S, 0.2), ("a", "WATCH", "e6"), ("b", "GET", "e6"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e7", "1", "PX", "50"), (S, 0.2), ("a", "WATCH", "e7"),
        ("b", "SET", "e7", "2"), ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
        ("b", "SET", "e8", "1", "PX", "50"), (S, 0.2), ("a", "WATCH", "e8"), ("b", "FLUSHALL"),
        ("a", "MULTI"), ("a", "PING"), ("a", "EXEC"),
    ]),
    ("watch: reset forgets", [
        ("a", "WATCH", "k"), ("a", "RESET"), ("b", "SET", "k", "1"), ("a", "MULTI"),
        ("a", "PING"), ("a", "EXEC"),
    ]),
]


class DifferentialTransactions(unittest.TestCase):
    PROTO = 2

    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.a = Pair(self.servers.gannet, self.servers.redis)
        self.b = Pair(self.servers.gannet, self.servers.redis)
        for p in (self.a, self.b):
            if self.PROTO == 3:
                g, r = p.both("HELLO", "3")
                self.assertEqual(g[:1], b"%")
                self.assertEqual(r[:1], b"%")
        self.a.both("FLUSHALL")

    def tearDown(self):
        self.a.close()
        self.b.close()

    def run_steps(self, steps):
        for step in steps:
            if step[0] == S:
                time.sleep(step[1])
                continue
            pair = self.a if step[0] == "a" else self.b
            pair.check(*step[1:])

    def test_scenarios(self):
        for name, steps in SCENARIOS:
            with self.subTest(name):
                before = len(self.a.mismatches) + len(self.b.mismatches)
                self.run_steps(steps)
                # A fresh start for the next scenario; RESET also leaves any MULTI.
                for p in (self.a, self.b):
                    p.both("RESET")
                    if self.PROTO == 3:
                        p.both("HELLO", "3")
                self.a.both("FLUSHALL")
                after = len(self.a.mismatches) + len(self.b.mismatches)
                if after != before:
                    self.a.mismatches.insert(0, (f"--- scenario: {name}", b"", b""))
        for p in (self.a, self.b):
            p.check_in_sync()
        mismatches = self.a.mismatches + self.b.mismatches
        if mismatches:
            self.a.mismatches = mismatches
            self.a.count += self.b.count
            self.fail(self.a.report(limit=80))

    def test_quit_inside_multi(self):
        self.a.check("MULTI")
        self.a.check("SET", "k", "v")
        self.a.check("QUIT")
        self.assertTrue(self.a.g.is_closed())
        self.assertTrue(self.a.r.is_closed())
        self.b.check("GET", "k")
        self.assertEqual(self.a.mismatches + self.b.mismatches, [])

    def test_disconnect_inside_multi_forgets(self):
        self.a.check("WATCH", "k")
        self.a.check("MULTI")
        self.a.check("SET", "k", "v")
        self.a.close()
        self.b.check("SET", "k", "1")
        self.b.check("GET", "k")
        self.b.check_in_sync()
        self.assertEqual(self.b.mismatches, [], self.b.report())
        self.a = Pair(self.servers.gannet, self.servers.redis)


class DifferentialTransactionsResp3(DifferentialTransactions):
    PROTO = 3


if __name__ == "__main__":
    unittest.main(verbosity=2)
