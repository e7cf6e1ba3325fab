"""DEBUG and ROLE side by side with redis-server 7.0 (both started with enable-debug-command
yes): DEBUG OBJECT lines of every type and encoding (the value's address and the LRU fields
masked, everything else byte for byte), DEBUG DIGEST and DIGEST-VALUE over seeded random
datasets in several databases with TTLs, DEBUG PROTOCOL of every type in RESP2 and RESP3,
ROLE, DEBUG SET-ACTIVE-EXPIRE stopping and restarting the expiry cycle, and the errors and
hostile arguments (unknown subcommands, wrong argument counts, DEBUG SLEEP of non-numbers,
negative and huge times, DIGEST-VALUE of missing keys). DEBUG POPULATE (with and without a
prefix and a size, over existing and expired keys, with binary and over-long prefixes, in
another database; the same DBSIZE, values and DEBUG DIGEST afterwards, the same "new" keyspace
events, nothing in the AOF), DEBUG ERROR byte for byte (and not counted in errorstats), DEBUG
LOG, CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD's argument parsing, STRINGMATCH-TEST and DEBUG
HELP (ours is Redis's text with the entries of the subcommands Gannet lacks left out).

Known difference: DEBUG POPULATE with a size above proto-max-bulk-len is refused by Gannet
(Redis tries the allocation and aborts when it fails; not tested here for that reason).
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

    def test_help_is_redis_text_without_missing_entries(self):
        ours, theirs = self.p.g.call("DEBUG", "HELP"), self.p.r.call("DEBUG", "HELP")
        self.assertEqual(ours[0], theirs[0])

        def entries(lines):
            out = []
            for line in lines[1:]:
                if line.startswith(" "):
                    out[-1].append(line)
                else:
                    out.append([line])
            return out

        ours_e, theirs_e = entries(ours), entries(theirs)
        # Every entry of ours is Redis's, word for word, and they come in Redis's order.
        positions = [theirs_e.index(e) for e in ours_e]
        self.assertEqual(positions, sorted(positions))
        names = {e[0].split()[0] for e in ours_e}
        for name in ("POPULATE", "ERROR", "LOG", "CHANGE-REPL-ID", "QUICKLIST-PACKED-THRESHOLD",
                     "STRINGMATCH-TEST", "DIGEST", "OBJECT", "HELP"):
            self.assertIn(name, names)

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


class DebugPopulate(DebugCase):
    def compare_values(self, keys):
        for k in keys:
            self.p.check("GET", k)
            self.p.check("STRLEN", k)
        self.p.check("DBSIZE")
        self.p.check("DEBUG", "DIGEST")

    def test_default_prefix_and_sizes(self):
        c = self.p.check
        c("DEBUG", "POPULATE", "1000")
        self.compare_values(["key:0", "key:1", "key:999", "key:1000"])
        c("DEBUG", "POPULATE", "50", "p")
        c("DEBUG", "POPULATE", "50", "s3", "3")
        c("DEBUG", "POPULATE", "50", "s20", "20")
        c("DEBUG", "POPULATE", "50", "s0", "0")
        c("DEBUG", "POPULATE", "20", "s100", "100")
        c("DEBUG", "POPULATE", "0", "none")
        c("DEBUG", "POPULATE", "0")
        self.compare_values(["p:0", "p:49", "s3:7", "s20:0", "s20:49", "s0:3", "s100:19"])
        c("KEYS", "s3:*", compare=difftools_sorted)
        c("TYPE", "s20:1")
        c("OBJECT", "ENCODING", "s20:1")
        c("OBJECT", "ENCODING", "s100:1")
        c("OBJECT", "ENCODING", "key:5")
        c("TTL", "key:5")
        self.obj("key:5", "s20:1")  # s100's zeros are LZF-compressed in RDB (see above)
        self.finish()

    def test_existing_and_expired_keys_and_databases(self):
        c = self.p.check
        c("SET", "key:1", "mine")
        c("RPUSH", "key:2", "a")
        c("SET", "key:3", "short", "PX", "1")
        c("SET", "key:4", "kept", "EX", "1000")
        time.sleep(0.05)
        c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        c("DEBUG", "POPULATE", "6")
        for k in ("key:0", "key:1", "key:3", "key:4", "key:5"):
            c("GET", k)
        c("TYPE", "key:2")
        c("TTL", "key:3")
        c("TTL", "key:4")
        c("DBSIZE")
        c("DEBUG", "DIGEST")
        c("SELECT", "5")
        c("DEBUG", "POPULATE", "10", "db5", "7")
        c("DBSIZE")
        c("GET", "db5:9")
        c("SELECT", "0")
        c("EXISTS", "db5:9")
        c("DEBUG", "DIGEST")
        # A second run over the same names changes nothing.
        c("DEBUG", "POPULATE", "6")
        c("DEBUG", "DIGEST")
        self.finish()

    def test_prefix_bytes(self):
        c = self.p.check
        c("DEBUG", "POPULATE", "3", "b\x00c")  # the prefix ends at its NUL byte
        c("DEBUG", "POPULATE", "3", b"\xff\xfe:x")
        c("DEBUG", "POPULATE", "3", "")
        c("DEBUG", "POPULATE", "3", "sp ace\r\n")
        c("DEBUG", "POPULATE", "12", "z" * 120)
        c("DEBUG", "POPULATE", "12", "v" * 125)  # cut to 127 bytes: v..:10 and v..:11 are v..:1
        c("DEBUG", "POPULATE", "2", "y" * 126)
        c("DEBUG", "POPULATE", "2", "w" * 200)
        c("KEYS", "*", compare=difftools_sorted)
        c("DBSIZE")
        c("DEBUG", "DIGEST")
        self.finish()

    def test_errors_and_arity(self):
        c = self.p.check
        for count in ("-1", "abc", "", " 5", "1.5", "+5", "05", "9223372036854775808",
                      "-9223372036854775808", "0x10"):
            c("DEBUG", "POPULATE", count)
            c("DEBUG", "POPULATE", count, "p", "3")
        for size in ("-5", "abc", "", "1.5", "9223372036854775808", "-0"):
            c("DEBUG", "POPULATE", "3", "q", size)
        c("DEBUG", "POPULATE")
        c("DEBUG", "POPULATE", "1", "p", "2", "extra")
        c("debug", "populate", "2")
        c("DBSIZE")
        c("DEBUG", "DIGEST")
        self.finish()

    def test_events_propagation_and_memory(self):
        c = self.p.check
        c("CONFIG", "SET", "notify-keyspace-events", "KEn")
        subs = []
        for srv in (self.servers.gannet, self.servers.redis):
            sub = srv.client()
            sub.call("PSUBSCRIBE", "__key*")
            subs.append(sub)
        try:
            c("SET", "ev:1", "x")
            c("DEBUG", "POPULATE", "3", "ev")
            c("PING")
            got = []
            for sub in subs:
                msgs = [sub.read() for _ in range(6)]
                got.append(msgs)
            self.assertEqual(got[0], got[1])
            # SET's "new" for ev:1, then POPULATE's for the two keys it created.
            self.assertEqual([bytes(m[2]) for m in got[0]],
                             [b"__keyspace@0__:ev:1", b"__keyevent@0__:new",
                              b"__keyspace@0__:ev:0", b"__keyevent@0__:new",
                              b"__keyspace@0__:ev:2", b"__keyevent@0__:new"])
        finally:
            for sub in subs:
                sub.close()
            c("CONFIG", "SET", "notify-keyspace-events", "")
        # Not a change for save points (and so not in the AOF).
        before = [int(self.info_field(cl, "rdb_changes_since_last_save")) for cl in
                  (self.p.g, self.p.r)]
        c("DEBUG", "POPULATE", "100", "dirty")
        after = [int(self.info_field(cl, "rdb_changes_since_last_save")) for cl in
                 (self.p.g, self.p.r)]
        self.assertEqual(before, after)
        # maxmemory is not consulted: POPULATE still creates keys past it.
        c("CONFIG", "SET", "maxmemory", "1")
        try:
            c("DEBUG", "POPULATE", "10", "mem")
            c("SET", "after", "1")
            c("EXISTS", "mem:9")
        finally:
            c("CONFIG", "SET", "maxmemory", "0")
        self.finish()

    @staticmethod
    def info_field(client, name):
        text = client.call("INFO", "persistence")
        if isinstance(text, bytes):
            text = text.decode()
        for line in text.split("\r\n"):
            if line.startswith(name + ":"):
                return line.split(":", 1)[1]
        raise AssertionError(f"{name} not in INFO")

    def test_large_count_is_quick(self):
        start = time.monotonic()
        self.assertEqual(self.p.g.call("DEBUG", "POPULATE", "200000"), "OK")
        self.assertEqual(self.p.g.call("DBSIZE"), 200000)
        self.assertLess(time.monotonic() - start, 20.0)  # debug/asan builds; release is ~0.1s
        self.p.r.call("DEBUG", "POPULATE", "200000")
        self.p.check("DEBUG", "DIGEST")
        self.finish()

    def test_aof_not_written(self):
        with harness.Server(args=ARGS + ["--appendonly", "yes"]) as srv:
            cl = srv.client()
            cl.call("SET", "before", "1")
            cl.call("DEBUG", "POPULATE", "5", "aofkey")
            cl.call("SET", "after", "2")
            self.assertEqual(cl.call("DEBUG", "LOADAOF"), "OK")
            self.assertEqual(cl.call("DBSIZE"), 2)
            self.assertEqual(cl.call("EXISTS", "aofkey:0"), 0)
            cl.close()


class DebugErrorLogReplId(DebugCase):
    def test_error_bytes(self):
        c = self.p.check
        for text in ("foo bar", "ERR x", "-X y", "", "a\r\nb", "MOVED 1 127.0.0.1:1",
                     "a\x00b", b"\xff" * 5, "x" * 1000):
            c("DEBUG", "ERROR", text)
        c("DEBUG", "ERROR")
        c("DEBUG", "ERROR", "a", "b")
        c("MULTI")
        c("DEBUG", "ERROR", "INSIDE multi")
        c("EXEC")
        self.p.both("HELLO", "3")
        c("DEBUG", "ERROR", "RESP3 too")
        self.finish()

    def test_error_not_counted(self):
        c = self.p.check
        c("CONFIG", "RESETSTAT")
        c("DEBUG", "ERROR", "FOO bar")
        c("DEBUG", "ERROR", "ERR x")
        c("INFO", "errorstats")
        for cl in (self.p.g, self.p.r):
            stats = cl.call("INFO", "commandstats")
            if isinstance(stats, bytes):
                stats = stats.decode()
            self.assertIn("failed_calls=0", [l for l in stats.split("\r\n")
                                             if l.startswith("cmdstat_debug:")][0])
        self.finish()

    def test_log(self):
        c = self.p.check
        c("DEBUG", "LOG", "hello from the differential test")
        c("DEBUG", "LOG", "cut\x00here")
        c("DEBUG", "LOG")
        c("DEBUG", "LOG", "a", "b")
        for srv in (self.servers.gannet, self.servers.redis):
            log = srv.log()
            if isinstance(log, bytes):
                log = log.decode(errors="replace")
            self.assertRegex(log, r"# DEBUG LOG: hello from the differential test\n")
            self.assertRegex(log, r"# DEBUG LOG: cut\n")
        self.finish()

    def test_change_repl_id(self):
        def replids(cl):
            text = cl.call("INFO", "replication")
            if isinstance(text, bytes):
                text = text.decode()
            f = dict(l.split(":", 1) for l in text.split("\r\n") if ":" in l)
            return f["master_replid"], f["master_replid2"]

        before = [replids(cl) for cl in (self.p.g, self.p.r)]
        self.p.check("DEBUG", "CHANGE-REPL-ID")
        self.p.check("DEBUG", "CHANGE-REPL-ID", "x")
        after = [replids(cl) for cl in (self.p.g, self.p.r)]
        for (old, old2), (new, new2) in zip(before, after):
            self.assertRegex(new, r"^[0-9a-f]{40}$")
            self.assertNotEqual(old, new)
            self.assertEqual(old2, "0" * 40)
            self.assertEqual(new2, "0" * 40)  # Redis clears the secondary ID
        self.finish()

    def test_quicklist_packed_threshold(self):
        c = self.p.check
        for arg in ("0", "1", "2", "1k", "1K", "1Kb", "1b", "1B", "4095mb", "1g", "", "k",
                    "4293918720", "4293918721", "4gb", "5gb", "abc", "-1", " 1", "1.5", "1x",
                    "0x10", "+5", "99999999999999999999", "17179869184gb", "1" * 130):
            c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", arg)
        c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
        c("DEBUG", "QUICKLIST-PACKED-THRESHOLD")
        c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1", "2")
        self.finish()

    def test_stringmatch_test(self):
        c = self.p.check
        c("DEBUG", "STRINGMATCH-TEST")
        c("DEBUG", "STRINGMATCH-TEST", "x")
        c("DEBUG", "STRINGMATCH-LEN")
        self.finish()


def difftools_sorted(a, b):
    from difftools import sorted_array
    return sorted_array(a, b)


if __name__ == "__main__":
    unittest.main()
