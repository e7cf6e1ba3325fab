"""maxmemory side by side with redis-server: the OOM refusal (byte-identical replies for
writes, reads and deletes over the limit, in RESP2 and RESP3), the memory directives'
CONFIG replies and errors, OBJECT FREQ/IDLETIME errors under the wrong policy, MEMORY's
argument errors and HELP, and INFO memory / stats: every field redis-server prints is
printed by gannet-server too, in the same order."""

import unittest

import _setup  # noqa: F401
from difftools import Pair, PairTestCase
from harness import parse_reply

VALUE = "x" * 200

OVER_LIMIT = [
    ("SET", "new", "v"), ("SET", "k1", "v"), ("APPEND", "k1", "x"), ("INCR", "n"),
    ("LPUSH", "l", "a"), ("SADD", "s", "a"), ("HSET", "h", "f", "v"), ("ZADD", "z", "1", "a"),
    ("SETRANGE", "k1", "0", "a"), ("MSET", "a", "1", "b", "2"), ("GETSET", "k1", "v"),
    ("GET", "k1"), ("STRLEN", "k2"), ("EXISTS", "k1", "k2"), ("TTL", "k1"),
    ("EXPIRE", "k3", "100"), ("PERSIST", "k3"), ("DEL", "k1"), ("UNLINK", "k2"),
    ("GETDEL", "k4"), ("DBSIZE",), ("PING",), ("ECHO", "x"),
]

GETS = [("CONFIG", "GET", n) for n in (
    "maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
    "lfu-log-factor", "lfu-decay-time", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush")]

DIRECTIVES = GETS + [
    ("CONFIG", "SET", "maxmemory-policy", "volatile-ttl"), ("CONFIG", "GET", "maxmemory-policy"),
    ("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"), ("CONFIG", "GET", "maxmemory-policy"),
    ("CONFIG", "SET", "maxmemory-policy", "lru"),
    ("CONFIG", "SET", "maxmemory-samples", "0"), ("CONFIG", "SET", "maxmemory-samples", "64"),
    ("CONFIG", "SET", "maxmemory-eviction-tenacity", "101"),
    ("CONFIG", "SET", "maxmemory-eviction-tenacity", "-1"),
    ("CONFIG", "SET", "maxmemory-eviction-tenacity", "100"),
    ("CONFIG", "SET", "lfu-log-factor", "-1"), ("CONFIG", "SET", "lfu-log-factor", "x"),
    ("CONFIG", "SET", "lfu-decay-time", "-1"), ("CONFIG", "SET", "lfu-decay-time", "0"),
    ("CONFIG", "SET", "lazyfree-lazy-eviction", "maybe"),
    ("CONFIG", "SET", "lazyfree-lazy-user-del", "yes"),
    ("CONFIG", "SET", "maxmemory", "1gb"),
    ("CONFIG", "GET", "maxmemory"), ("CONFIG", "SET", "maxmemory", "0"),
] + GETS + [
    ("CONFIG", "SET", "maxmemory-policy", "noeviction", "maxmemory-samples", "5",
     "maxmemory-eviction-tenacity", "10", "lfu-decay-time", "1", "lazyfree-lazy-user-del", "no"),
]

OBJECT_AND_MEMORY = [
    ("SET", "k", "v"),
    ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
    ("OBJECT", "FREQ", "k"), ("OBJECT", "FREQ", "nokey"), ("OBJECT", "IDLETIME", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "volatile-lfu"),
    ("OBJECT", "IDLETIME", "k"), ("OBJECT", "IDLETIME", "nokey"), ("OBJECT", "FREQ", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
    ("MEMORY", "USAGE", "nokey"), ("MEMORY", "USAGE", "k", "SAMPLES"),
    ("MEMORY", "USAGE", "k", "SAMPLES", "x"), ("MEMORY", "USAGE", "k", "BOGUS", "1"),
    ("MEMORY", "USAGE", "k", "SAMPLES", "1", "x"), ("MEMORY", "USAGE"), ("MEMORY",),
    ("MEMORY", "HELP"), ("MEMORY", "HELP", "x"), ("MEMORY", "NOPE"), ("MEMORY", "PURGE"),
    ("MEMORY", "PURGE", "x"), ("MEMORY", "STATS", "x"), ("MEMORY", "DOCTOR", "x"),
    ("MEMORY", "MALLOC-STATS", "x"),
    ("UNLINK",), ("FLUSHALL", "ASYNC"), ("FLUSHDB", "ASYNC"), ("FLUSHALL", "LAZY"),
]


def info_fields(raw):
    text, _ = parse_reply(raw)
    return [line.split(":", 1)[0] for line in text.decode().split("\r\n")
            if line and not line.startswith("#")]


class DifferentialMemory(PairTestCase):
    def setUp(self):
        super().setUp()
        self.p.both("CONFIG", "SET", "maxmemory", "0")
        self.p.both("CONFIG", "SET", "maxmemory-policy", "noeviction")

    def tearDown(self):
        self.p.both("CONFIG", "SET", "maxmemory", "0")
        super().tearDown()

    def finish(self):
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def over_limit(self, policy):
        for i in range(1, 5):
            self.p.both("SET", f"k{i}", VALUE)
        self.p.both("CONFIG", "SET", "maxmemory-policy", policy)
        self.p.both("CONFIG", "SET", "maxmemory", "1")

    def test_oom_refusals_resp2_and_resp3(self):
        for proto in ("2", "3"):
            for policy in ("noeviction", "volatile-lru", "volatile-ttl"):
                with self.subTest(proto=proto, policy=policy):
                    self.setUp()
                    self.p.both("HELLO", proto)
                    self.over_limit(policy)
                    self.p.run(OVER_LIMIT)
                    self.p.both("CONFIG", "SET", "maxmemory", "0")
                    self.p.check("DBSIZE")
                    self.finish()

    def test_exec_over_the_limit(self):
        # Queued under the limit, then memory goes over (another client lowers maxmemory):
        # EXEC of a transaction with a denyoom command is refused with EXECABORT and the
        # transaction discarded; one with only reads runs (Redis 7.0's processCommand).
        admin = Pair(self.servers.gannet, self.servers.redis)
        try:
            for queued in ((("SET", "t", "v"), ("GET", "k1")), (("GET", "k1"), ("DBSIZE",))):
                with self.subTest(queued=queued):
                    for i in range(1, 5):
                        self.p.both("SET", f"k{i}", VALUE)
                    self.p.check("MULTI")
                    for cmd in queued:
                        self.p.check(*cmd)
                    admin.both("CONFIG", "SET", "maxmemory", "1")
                    self.p.check("EXEC")
                    self.p.check("EXEC")
                    admin.both("CONFIG", "SET", "maxmemory", "0")
                    self.p.check("EXISTS", "t")
        finally:
            admin.both("CONFIG", "SET", "maxmemory", "0")
            admin.close()
        self.finish()

    def test_directives(self):
        self.p.run(DIRECTIVES)
        self.finish()

    def test_object_and_memory_errors(self):
        self.p.run(OBJECT_AND_MEMORY)
        self.finish()

    def test_info_field_names(self):
        for section in ("memory", "stats"):
            g, r = self.p.both("INFO", section)
            gf, rf = info_fields(g), info_fields(r)
            missing = [f for f in rf if f not in gf]
            self.assertEqual(missing, [], f"INFO {section}: fields redis has and gannet lacks")
            # Redis's fields come in Redis's order (gannet may add its own after them).
            self.assertEqual([f for f in gf if f in rf], rf, f"INFO {section} order")

    def test_memory_stats_field_names(self):
        self.p.both("SET", "k", "v")
        g, r = self.p.both("MEMORY", "STATS")
        gv, _ = parse_reply(g)
        rv, _ = parse_reply(r)
        redis_names = [n for n in rv[0::2] if n != b"overhead.hashtable.slot-to-keys"]
        self.assertEqual([n for n in gv[0::2]], redis_names)


if __name__ == "__main__":
    unittest.main()
