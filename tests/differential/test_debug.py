"""DEBUG and ROLE side by side with redis-server 7.0 (both started with enable-debug-command
yes): DEBUG OBJECT lines of every type and encoding (the value's address and the LRU fields
masked, everything else byte for byte), DEBUG DIGEST and DIGEST-VALUE over seeded random
datasets in several databases with TTLs, DEBUG PROTOCOL of every type in RESP2 and RESP3,
ROLE, DEBUG SET-ACTIVE-EXPIRE stopping and restarting the expiry cycle, and the errors and
hostile arguments (unknown subcommands, wrong argument counts, DEBUG SLEEP of non-numbers,
negative and huge times, DIGEST-VALUE of missing keys).

serializedlength is compared exactly, LZF-compressed values included (the compressor is
liblzf's byte for byte): strings at and around the 20-byte threshold, one liblzf refuses for
lack of room, and listpack, intset, quicklist and stream blobs that compress.
"""

import os
import random
import re
import time
import unittest

import _setup  # noqa: F401
from difftools import Pair, PairTestCase, ServerPair
import harness

ARGS = ["--enable-debug-command", "yes"]
# 70 distinct characters: no 3-byte sequence repeats, so LZF cannot shorten it.
INCOMPRESSIBLE_70 = bytes(range(48, 118)).decode()

_OBJECT_VOLATILE = re.compile(rb"^\+Value at:0x[0-9a-f]+ (.*) lru:\d+ lru_seconds_idle:\d+(.*)\r\n$")


def debug_object(a, b):
    """DEBUG OBJECT: equal once the address and the LRU fields are masked (a shared integer's
    LRU data in Redis is that of an object made at startup); errors exactly."""
    ma, mb = _OBJECT_VOLATILE.match(a), _OBJECT_VOLATILE.match(b)
    if ma and mb:
        return ma.groups() == mb.groups()
    return a == b


class DebugCase(PairTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair(ARGS).start()

    def tearDown(self):
        for c in (self.p.g, self.p.r):
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
            c.call("CONFIG", "SET", "list-max-listpack-size", "-2")
            c.call("CONFIG", "SET", "list-compress-depth", "0")
        super().tearDown()

    def finish(self):
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def obj(self, *keys):
        for k in keys:
            self.p.check("DEBUG", "OBJECT", k, compare=debug_object)


class DebugObject(DebugCase):
    def test_every_type_and_encoding(self):
        c = self.p.check
        c("DEBUG", "OBJECT", "nokey")
        c("SET", "int", "123")
        c("SET", "zero", "0")
        c("SET", "bigint", "123456789012")
        c("SET", "neg", "-5")
        c("SET", "emb", "hello")
        c("SET", "raw", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN")
        c("SET", "short", "ab")
        c("APPEND", "short", "c")  # raw after an in-place change
        c("INCR", "counter")
        c("SETRANGE", "sr", "0", "xyz")
        c("RPUSH", "l", "a", "b", "c")
        c("RPUSH", "lint", "1", "-2", "300", "70000", "5000000000")
        c("SADD", "si", "1", "2", "3")
        c("SADD", "sh", "a", "b")
        c("HSET", "h", "f", "v", "n", "12")
        c("ZADD", "z", "1.5", "a", "0.1", "b", "3", "c")
        c("XADD", "x", "1-1", "f", "v", "a", "b")
        c("XADD", "x2", "5-0", "k", "v")
        c("XGROUP", "CREATE", "x2", "g", "0")
        c("SET", "ttl", "v", "EX", "100")
        self.obj("int", "zero", "bigint", "neg", "emb", "raw", "short", "counter", "sr", "l",
                 "lint", "si", "sh", "h", "z", "x", "x2", "ttl", "nokey")
        # Conversions to the big encodings (by a 70-byte element that does not compress).
        c("SADD", "si", "x")
        c("HSET", "h", "long", INCOMPRESSIBLE_70)
        c("ZADD", "z", "1", INCOMPRESSIBLE_70)
        self.obj("si", "h", "z")
        self.finish()

    def test_quicklist_fields(self):
        c = self.p.check
        c("CONFIG", "SET", "list-max-listpack-size", "2")
        c("RPUSH", "q", "a", "b", "c", "d", "e")
        c("CONFIG", "SET", "list-compress-depth", "1")
        c("RPUSH", "qd", "a", "b", "c", "d", "e", "f", "g")
        c("CONFIG", "SET", "list-max-listpack-size", "3")
        c("RPUSH", "q3", *[str(i) for i in range(10)])
        c("CONFIG", "SET", "list-max-listpack-size", "-2")
        # The fill and depth stay those of the list's creation.
        c("RPUSH", "q", "f", "g")
        c("LPOP", "qd")
        self.obj("q", "qd", "q3")
        self.finish()

    def test_serializedlength_of_compressed_values(self):
        c = self.p.check
        strings = {
            "a20": "a" * 20,  # not offered to LZF (20 bytes or less)
            "a21": "a" * 21,
            "a22": "a" * 22,
            "a100": "a" * 100,
            "refused": "AHOVCJQXababababababa",  # 17 bytes of LZF would fit 21 - 4: refused
            "accepted": "AHOVCJQababababababab",
            "words": "the quick brown fox jumps over the lazy dog " * 30,
            "json": ",".join('{"id":%d,"name":"user-%d","active":true}' % (i, i)
                             for i in range(40)),
            "pairs": "ab" * 1000,
            "big": "".join("chunk-%d;" % (i % 97) for i in range(20000)),
        }
        for key, value in strings.items():
            c("SET", key, value)
        c("SETRANGE", "a100", "50", "b" * 30)  # raw after an in-place change
        c("APPEND", "a21", "xyzxyzxyz")
        c("HSET", "hlp", *[x for i in range(30) for x in ("field:%d" % i, "value-%d" % i)])
        c("HSET", "hht", *[x for i in range(200) for x in ("field:%d" % i, "v" * (i % 50))])
        c("ZADD", "zlp", *[x for i in range(40) for x in (str(i), "member:%d" % i)])
        c("SADD", "sint", *[str(i) for i in range(200)])
        c("SADD", "sht", *["member:%d" % i for i in range(200)])
        c("XADD", "st", "1-1", "sensor", "temperature", "reading", "21.5")
        for i in range(2, 60):
            c("XADD", "st", "1-%d" % i, "sensor", "temperature", "reading", "21.%d" % (i % 10))
        c("CONFIG", "SET", "list-compress-depth", "1")
        c("RPUSH", "lq", *["item:%d:%s" % (i % 50, "v" * (i % 7)) for i in range(3000)])
        c("CONFIG", "SET", "list-compress-depth", "0")
        c("RPUSH", "lplain", *["item:%d" % (i % 20) for i in range(500)])
        self.obj(*strings, "hlp", "hht", "zlp", "sint", "sht", "st", "lq", "lplain")
        for key in ["a21", "a100", "words", "json", "refused", "hlp", "zlp", "sint", "st", "lq",
                    "lplain"]:
            c("DUMP", key)
        self.finish()

    def test_expired_key_still_stored_and_no_touch(self):
        c = self.p.check
        c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        c("SET", "gone", "v", "PX", "20")
        c("SET", "k", "v")
        time.sleep(0.2)
        self.obj("gone", "k")
        c("DBSIZE")
        c("DEBUG", "DIGEST-VALUE", "gone")
        c("GET", "gone")
        self.obj("gone")
        c("DBSIZE")
        # DEBUG OBJECT is no access: OBJECT IDLETIME keeps counting on both.
        time.sleep(1.1)
        self.obj("k")
        c("OBJECT", "IDLETIME", "k")
        self.finish()

    def test_errors(self):
        c = self.p.check
        c("SET", "k", "v")
        c("DEBUG", "OBJECT")
        c("DEBUG", "object", "k", "extra")
        c("DEBUG", "OBJECT", "nokey")
        c("DEBUG", "OBJECT", "")
        c("SELECT", "3")
        c("DEBUG", "OBJECT", "k")  # another database
        self.finish()


class DebugDigest(DebugCase):
    def random_dataset(self, rnd, db):
        c = self.p.check
        c("SELECT", str(db))

        def elem():
            kind = rnd.random()
            if kind < 0.3:
                return str(rnd.randint(-1000, 100000))
            if kind < 0.35:
                return str(rnd.choice([0, -1, 2**31, -(2**63), 2**63 - 1]))
            return "".join(rnd.choice("abcdefg") for _ in range(rnd.randint(0, 12)))

        def score():
            return rnd.choice([str(rnd.randint(-50, 50)), repr(rnd.uniform(-1e6, 1e6)), "0.1",
                               "inf", "-inf", "1e300", "-0", "3.141592653589793"])

        for i in range(12):
            kind = i % 6
            key = f"k{db}:{i}"
            n = rnd.choice([1, 3, 10, 200])
            if kind == 0:
                c("SET", key, elem())
            elif kind == 1:
                c("RPUSH", key, *[elem() for _ in range(n)])
            elif kind == 2:
                c("SADD", key, *[elem() if rnd.random() < 0.5 else str(rnd.randint(0, 999))
                                 for _ in range(n)])
            elif kind == 3:
                args = []
                for j in range(n):
                    args += [score(), f"m{j}-{elem()}"]
                c("ZADD", key, *args)
            elif kind == 4:
                args = []
                for j in range(n):
                    args += [f"f{j}", elem()]
                c("HSET", key, *args)
            else:
                for j in range(min(n, 20)):
                    c("XADD", key, f"{j + 1}-{j}", "field", elem(), "f2", elem())
                c("XGROUP", "CREATE", key, "grp", "0")
            if rnd.random() < 0.4:
                c("EXPIRE", key, str(rnd.randint(100, 10000)))
        return [f"k{db}:{i}" for i in range(12)]

    def test_random_datasets(self):
        env = os.environ.get("GANNET_DIFF_SEED")
        for seed in ([int(env)] if env else [1, 2, 3]):
            rnd = random.Random(seed)
            self.p.check("FLUSHALL")
            self.p.check("DEBUG", "DIGEST")
            for db in (0, 1, 5):
                keys = self.random_dataset(rnd, db)
                self.p.check("DEBUG", "DIGEST")
                self.p.check("DEBUG", "DIGEST-VALUE", *keys, "missing")
            # Changes: deletion, TTL removal, list order, encoding conversions.
            self.p.check("SELECT", "0")
            self.p.check("DEL", "k0:0")
            self.p.check("PERSIST", "k0:1")
            self.p.check("LPUSH", "k0:1", "head")
            self.p.check("SADD", "k0:2", "not-an-int")
            self.p.check("ZADD", "k0:3", "1", "x" * 80)
            self.p.check("HSET", "k0:4", "big", "y" * 80)
            self.p.check("DEBUG", "DIGEST")
            self.p.check("SWAPDB", "0", "1")
            self.p.check("DEBUG", "DIGEST")
            self.p.check("DEBUG", "DIGEST-VALUE", "k0:1", "k1:1", "k0:3")
        self.finish()

    def test_empty_missing_and_arity(self):
        c = self.p.check
        c("DEBUG", "DIGEST")
        c("DEBUG", "DIGEST-VALUE")
        c("DEBUG", "DIGEST-VALUE", "a", "b", "c")
        c("DEBUG", "DIGEST", "extra")
        c("debug", "digest-value", "a")
        c("SET", "a", "1")
        c("DEBUG", "DIGEST-VALUE", "b", "a", "b")
        c("DEBUG", "DIGEST")
        c("SELECT", "9")
        c("DEBUG", "DIGEST-VALUE", "a")  # the client's database only
        c("DEBUG", "DIGEST")
        self.finish()


class DebugProtocol(DebugCase):
    TYPES = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
             "push", "verbatim", "true", "false", "STRING", "Map", "nope", "", "string "]

    def test_resp2_and_resp3(self):
        for t in self.TYPES:
            self.p.check("DEBUG", "PROTOCOL", t)
        self.p.check("DEBUG", "PROTOCOL")
        self.p.check("DEBUG", "PROTOCOL", "string", "x")
        self.p.check_in_sync()
        self.p.both("HELLO", "3")
        for t in self.TYPES:
            if t == "push":
                # A push and then the reply: read both from each server.
                g, r = self.p.both("DEBUG", "PROTOCOL", "push")
                g2, r2 = self.p.g.read_raw(), self.p.r.read_raw()
                self.p.count += 1
                if (g, g2) != (r, r2):
                    self.p.mismatches.append(("DEBUG PROTOCOL push (RESP3)", g + g2, r + r2))
                continue
            self.p.check("DEBUG", "PROTOCOL", t)
        self.finish()

    def test_inside_multi(self):
        c = self.p.check
        c("MULTI")
        for t in ("map", "set", "double", "attrib", "null", "nope"):
            c("DEBUG", "PROTOCOL", t)
        c("EXEC")
        self.p.both("HELLO", "3")
        c("MULTI")
        for t in ("map", "set", "double", "attrib", "bignum", "verbatim"):
            c("DEBUG", "PROTOCOL", t)
        c("EXEC")
        self.finish()


class DebugMisc(DebugCase):
    def test_role(self):
        c = self.p.check
        c("ROLE")
        c("ROLE", "extra")
        c("COMMAND", "INFO", "role")
        self.p.both("HELLO", "3")
        c("ROLE")
        self.finish()

    def test_unknown_and_help(self):
        c = self.p.check
        for sub in ("foo", "JMAP", "object", "sleep", "protocol", "set-active-expire",
                    "a\r\nb", "x" * 200):
            c("DEBUG", sub)
        c("DEBUG")
        c("DEBUG", "HELP", "extra")
        c("DEBUG", "help")  # compared by shape and first line (ours lists fewer subcommands)
        self.finish()

    def test_sleep_hostile_arguments(self):
        c = self.p.check
        start = time.monotonic()
        for arg in ("0", "abc", "-1", "-0.5", "1e300", "-1e300", "inf", "-inf", "nan", "",
                    "9223372036854.775807", "0x0", "0.0000001", " 0", "1e-300"):
            c("DEBUG", "SLEEP", arg)
        c("DEBUG", "SLEEP")
        c("DEBUG", "SLEEP", "1", "2")
        self.assertLess(time.monotonic() - start, 5.0)
        # A real sleep blocks the server for that long.
        other = self.servers.gannet.client()
        try:
            self.p.g.send(harness.encode_command("DEBUG", "SLEEP", "0.3"))
            time.sleep(0.05)
            t0 = time.monotonic()
            self.assertEqual(other.call("PING"), "PONG")
            self.assertGreater(time.monotonic() - t0, 0.15)
            self.assertEqual(self.p.g.read(), "OK")
        finally:
            other.close()
        self.finish()

    def test_set_active_expire(self):
        c = self.p.check
        c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        c("SET", "a", "1", "PX", "50")
        c("SET", "b", "2", "PX", "50")
        c("SET", "keep", "3")
        time.sleep(0.5)  # several cron ticks: the cycle would have removed them
        c("DBSIZE")  # 3 on both: nothing reclaimed the keys
        c("DEBUG", "DIGEST")
        c("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        # Back on: each server's cycle removes them without any lookup.
        for name, client in (("gannet", self.p.g), ("redis", self.p.r)):
            self.assertTrue(harness.wait_until(lambda: client.call("DBSIZE") == 1, timeout=5.0),
                            f"{name}: expired keys not reclaimed by the active cycle")
        c("DBSIZE")
        c("DEBUG", "DIGEST")
        # Any text is read as C's atoi: not a number turns it off.
        c("DEBUG", "SET-ACTIVE-EXPIRE", "abc")
        c("SET", "c", "1", "PX", "50")
        time.sleep(0.4)
        c("DBSIZE")
        c("DEBUG", "SET-ACTIVE-EXPIRE", "1", "2")
        self.finish()


if __name__ == "__main__":
    unittest.main()
