"""Hand-written command sequences sent to gannet-server and redis-server; replies must be
byte-identical (RESP2, and again in RESP3 after HELLO 3). Every command of the string, keys,
server and connection families, with its error cases."""

import re
import unittest

import _setup  # noqa: F401
from difftools import PairTestCase
from harness import parse_reply

I64_MAX = "9223372036854775807"
I64_MIN = "-9223372036854775808"
FAR = "4102444800"  # 2100-01-01, an absolute time far in the future
FAR_MS = FAR + "000"

# Commands of the list (COMMAND INFO is compared for each).
COMMANDS = """
get set setnx setex psetex getex getdel getset mget mset msetnx append strlen getrange setrange
incr decr incrby decrby incrbyfloat lcs
del unlink exists type rename renamenx copy move keys scan randomkey expire pexpire expireat
pexpireat ttl pttl expiretime pexpiretime persist touch object
ping echo select swapdb dbsize flushdb flushall config command quit hello auth
substr info time lastsave reset client shutdown
""".split()

STRINGS = [
    # SET and its options
    ("SET", "s", "v"), ("GET", "s"), ("SET", "s", "v2", "GET"), ("SET", "nokey", "x", "GET"),
    ("SET", "s", "v3", "NX"), ("SET", "s", "v3", "XX"), ("SET", "new", "v", "XX"),
    ("SET", "new", "v", "NX"), ("SET", "new", "w", "NX", "GET"), ("SET", "new", "w", "XX", "GET"),
    ("SET", "s", "v", "EX", "100"), ("TTL", "s"), ("SET", "s", "v", "PX", "100000"), ("TTL", "s"),
    ("SET", "s", "v", "EXAT", FAR), ("EXPIRETIME", "s"), ("SET", "s", "v", "PXAT", FAR_MS),
    ("PEXPIRETIME", "s"), ("SET", "s", "v2", "KEEPTTL"), ("EXPIRETIME", "s"),
    ("SET", "s", "v2"), ("TTL", "s"),
    ("SET", "s", "v", "EX", "0"), ("SET", "s", "v", "EX", "-1"), ("SET", "s", "v", "PX", "0"),
    ("SET", "s", "v", "EX", "abc"), ("SET", "s", "v", "EX", I64_MAX),
    ("SET", "s", "v", "PX", I64_MAX),
    ("SET", "s", "v", "EXAT", "0"), ("SET", "s", "v", "PXAT", "-5"),
    ("SET", "s", "v", "EX"), ("SET", "s", "v", "NX", "XX"),
    ("SET", "s", "v", "EX", "10", "PX", "10"),
    ("SET", "s", "v", "EX", "10", "KEEPTTL"), ("SET", "s", "v", "KEEPTTL", "EX", "10"),
    ("SET", "s", "v", "FOO"), ("SET", "s", "v", "ex", "10", "nx"), ("SET", "s"), ("SET",),
    ("SET", "s", "v", "GET", "GET"), ("SET", "s", "v", "NX", "NX"),
    ("SET", "e", ""), ("GET", "e"), ("STRLEN", "e"),
    # SETNX SETEX PSETEX
    ("SETNX", "nx", "1"), ("SETNX", "nx", "2"), ("GET", "nx"), ("SETNX", "nx"),
    ("SETEX", "se", "100", "v"), ("TTL", "se"), ("SETEX", "se", "0", "v"),
    ("SETEX", "se", "-1", "v"),
    ("SETEX", "se", "x", "v"), ("SETEX", "se", I64_MAX, "v"), ("SETEX", "se", "10"),
    ("PSETEX", "pse", "100000", "v"), ("TTL", "pse"), ("PSETEX", "pse", "0", "v"),
    ("PSETEX", "pse", "abc", "v"),
    # GETEX GETDEL GETSET
    ("SET", "g", "val"), ("GETEX", "g"), ("GETEX", "g", "EX", "100"), ("TTL", "g"),
    ("GETEX", "g", "PERSIST"), ("TTL", "g"), ("GETEX", "g", "PX", "100000"), ("TTL", "g"),
    ("GETEX", "g", "EXAT", FAR), ("EXPIRETIME", "g"), ("GETEX", "g", "PXAT", FAR_MS),
    ("GETEX", "g", "EX", "0"), ("GETEX", "g", "EX", "-3"), ("GETEX", "g", "EX", "x"),
    ("GETEX", "g", "EX"), ("GETEX", "g", "EX", "1", "PX", "1"),
    ("GETEX", "g", "PERSIST", "EX", "1"),
    ("GETEX", "g", "FOO"), ("GETEX", "missing"), ("GETEX", "missing", "EX", "10"), ("GETEX",),
    ("GETEX", "g", "EX", I64_MAX),
    ("GETDEL", "g"), ("GETDEL", "g"), ("EXISTS", "g"), ("GETDEL",), ("GETDEL", "a", "b"),
    ("GETSET", "gs", "1"), ("GETSET", "gs", "2"), ("GET", "gs"), ("SET", "gs", "v", "EX", "100"),
    ("GETSET", "gs", "3"), ("TTL", "gs"), ("GETSET", "gs"),
    # MGET MSET MSETNX
    ("MSET", "a", "1", "b", "2", "c", "3"), ("MGET", "a", "b", "c", "nope"), ("MSET", "a"),
    ("MSET", "a", "1", "b"), ("MSET",), ("MGET",),
    ("MSETNX", "a", "9", "z", "9"), ("EXISTS", "z"), ("MSETNX", "x1", "1", "x2", "2"),
    ("MGET", "x1", "x2"), ("MSETNX", "dup", "1", "dup", "2"), ("GET", "dup"), ("MSETNX", "q"),
    # APPEND STRLEN
    ("APPEND", "ap", "hello"), ("APPEND", "ap", " world"), ("GET", "ap"), ("STRLEN", "ap"),
    ("STRLEN", "nope"), ("APPEND", "ap"), ("STRLEN",), ("SET", "num", "10"), ("APPEND", "num", "5"),
    ("GET", "num"), ("OBJECT", "ENCODING", "num"),
    # GETRANGE SETRANGE
    ("SET", "r", "Hello World"), ("GETRANGE", "r", "0", "4"), ("GETRANGE", "r", "-5", "-1"),
    ("GETRANGE", "r", "5", "2"), ("GETRANGE", "r", "0", "-100"), ("GETRANGE", "r", "-100", "100"),
    ("GETRANGE", "r", "100", "200"), ("GETRANGE", "r", I64_MIN, I64_MAX),
    ("GETRANGE", "r", "x", "1"), ("GETRANGE", "nope", "0", "1"), ("GETRANGE", "r", "0"),
    ("GETRANGE", "r", "-1", "-1"), ("GETRANGE", "r", "0", "0"),
    ("SETRANGE", "r", "6", "Redis"), ("GET", "r"), ("SETRANGE", "r", "20", "!"), ("GET", "r"),
    ("SETRANGE", "sr", "3", "abc"), ("GET", "sr"), ("SETRANGE", "sr2", "0", ""), ("EXISTS", "sr2"),
    ("SETRANGE", "sr2", "5", ""), ("EXISTS", "sr2"), ("SETRANGE", "r", "-1", "x"),
    ("SETRANGE", "r", "x", "x"), ("SETRANGE", "r", "536870912", "x"),
    ("SETRANGE", "r", "536870911", ""), ("SETRANGE", "r", I64_MAX, "x"), ("SETRANGE", "r", "1"),
    # INCR family
    ("INCR", "n"), ("INCR", "n"), ("DECR", "n"), ("INCRBY", "n", "10"), ("DECRBY", "n", "3"),
    ("INCRBY", "n", "-20"), ("DECRBY", "n", "-5"), ("GET", "n"), ("INCRBY", "n", "x"),
    ("INCRBY", "n", "1.5"), ("INCRBY", "n", ""), ("INCRBY", "n", " 1"), ("INCRBY", "n", "01"),
    ("SET", "n", I64_MAX), ("INCR", "n"), ("INCRBY", "n", "1"), ("SET", "n", I64_MIN),
    ("DECR", "n"),
    ("DECRBY", "n", "1"), ("DECRBY", "n", I64_MIN), ("SET", "n", "0"), ("DECRBY", "n", I64_MIN),
    ("INCRBY", "n", I64_MIN), ("SET", "n", "abc"), ("INCR", "n"), ("SET", "n", " 5"), ("INCR", "n"),
    ("SET", "n", "5 "), ("INCR", "n"), ("SET", "n", "+5"), ("INCR", "n"), ("SET", "n", "-0"),
    ("INCR", "n"), ("SET", "n", "9223372036854775808"), ("INCR", "n"), ("SET", "n", "007"),
    ("INCR", "n"), ("SET", "n", "1e3"), ("INCR", "n"), ("INCR",), ("INCR", "a", "b"),
    ("SET", "n", "ttl"), ("SET", "n", "5", "EX", "100"), ("INCR", "n"), ("TTL", "n"),
    # INCRBYFLOAT
    ("INCRBYFLOAT", "f", "1.5"), ("INCRBYFLOAT", "f", "0.1"), ("INCRBYFLOAT", "f", "-3"),
    ("INCRBYFLOAT", "f", "1e3"), ("INCRBYFLOAT", "f", "5.0e3"), ("GET", "f"),
    ("INCRBYFLOAT", "f", "abc"), ("INCRBYFLOAT", "f", "inf"), ("INCRBYFLOAT", "f", "-inf"),
    ("INCRBYFLOAT", "f", "nan"), ("INCRBYFLOAT", "f", ""), ("INCRBYFLOAT", "f", " 1"),
    ("SET", "f", "1e308"), ("INCRBYFLOAT", "f", "1e308"), ("GET", "f"), ("SET", "f", "abc"),
    ("INCRBYFLOAT", "f", "1"), ("SET", "f", "10"), ("INCRBYFLOAT", "f", "0.0001"),
    ("INCRBYFLOAT", "f", "3.0"), ("INCRBYFLOAT", "f", "-0.0001"), ("INCRBYFLOAT", "f2", "0"),
    ("INCRBYFLOAT", "f3", "1.23456789012345678901"), ("INCRBYFLOAT", "f4", "-0"),
    ("INCRBYFLOAT", "f5", "0x10"), ("INCRBYFLOAT", "f"), ("SET", "f6", "1.5", "EX", "100"),
    ("INCRBYFLOAT", "f6", "1"), ("TTL", "f6"), ("INCRBYFLOAT", "f7", "1.0e-5"),
    ("INCRBYFLOAT", "f8", "17179869184"), ("INCRBYFLOAT", "f8", "0.5"),
    # LCS
    ("MSET", "l1", "ohmytext", "l2", "mynewtext"), ("LCS", "l1", "l2"), ("LCS", "l1", "l2", "LEN"),
    ("LCS", "l1", "l2", "IDX"), ("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4"),
    ("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
    ("LCS", "l1", "l2", "IDX", "WITHMATCHLEN"), ("LCS", "l1", "l2", "LEN", "IDX"),
    ("LCS", "l1", "nope"), ("LCS", "nope", "nope2"), ("LCS", "nope", "nope2", "IDX"),
    ("LCS", "l1", "l2", "MINMATCHLEN", "x"), ("LCS", "l1", "l2", "FOO"), ("LCS", "l1"),
    ("LCS", "l1", "l2", "MINMATCHLEN"), ("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "-1"),
    ("LCS", "l1", "l1"), ("LCS", "l1", "l1", "LEN"),
    # Wrong type: everything against a non-string. SWAPDB moves a foreign key in? No types
    # other than strings exist yet in the issue, so wrong-type is covered where the issue's
    # data types exist.
    ("GET",), ("GET", "a", "b"), ("STRLEN", "a", "b"),
]

KEYS = [
    ("MSET", "k1", "1", "k2", "2", "k3", "3"), ("DEL", "k1", "nope", "k1"), ("UNLINK", "k2", "k3"),
    ("DEL",), ("UNLINK",), ("EXISTS", "k1"),
    ("MSET", "a", "1", "b", "2"), ("EXISTS", "a", "b", "a", "nope"), ("EXISTS",),
    ("TYPE", "a"), ("TYPE", "nope"), ("TYPE",), ("TYPE", "a", "b"),
    # RENAME RENAMENX
    ("RENAME", "a", "a2"), ("GET", "a2"), ("EXISTS", "a"), ("RENAME", "nope", "x"),
    ("RENAME", "a2", "a2"), ("RENAME", "a2", "b"), ("GET", "b"), ("RENAME", "a"),
    ("SET", "t", "1", "EX", "100"), ("RENAME", "t", "t2"), ("TTL", "t2"),
    ("SET", "c", "3"), ("RENAMENX", "c", "b"), ("RENAMENX", "c", "d"), ("RENAMENX", "nope", "x"),
    ("RENAMENX", "d", "d"), ("RENAMENX", "d"),
    # COPY MOVE
    ("SET", "src", "v", "EX", "100"), ("COPY", "src", "dst"), ("GET", "dst"), ("TTL", "dst"),
    ("COPY", "src", "dst"), ("COPY", "src", "dst", "REPLACE"), ("COPY", "nope", "dst"),
    ("COPY", "src", "src"), ("COPY", "src", "dst", "DB", "1"), ("COPY", "src", "dst", "DB", "16"),
    ("COPY", "src", "dst", "DB", "x"), ("COPY", "src", "dst", "FOO"), ("COPY", "src"),
    ("COPY", "src", "src", "DB", "1"), ("COPY", "src", "src", "DB", "0"),
    ("SELECT", "1"), ("GET", "dst"), ("GET", "src"), ("SELECT", "0"),
    ("MOVE", "dst", "1"), ("MOVE", "src", "1"), ("MOVE", "src", "0"), ("MOVE", "nope", "1"),
    ("MOVE", "b", "16"), ("MOVE", "b", "-1"), ("MOVE", "b", "x"), ("MOVE", "b"),
    ("SELECT", "1"), ("GET", "src"), ("TTL", "src"), ("SELECT", "0"),
    # KEYS RANDOMKEY (order-independent comparisons)
    ("FLUSHDB",), ("RANDOMKEY",), ("KEYS", "*"),
    ("MSET", "user:1", "a", "user:2", "b", "other", "c"),
    ("KEYS", "*"), ("KEYS", "user:*"), ("KEYS", "user:?"), ("KEYS", "[uo]*"), ("KEYS", "nomatch*"),
    ("KEYS", "user:[^1]"), ("KEYS", "\\u*"), ("KEYS",), ("KEYS", "a", "b"), ("RANDOMKEY", "x"),
    # EXPIRE family
    ("SET", "e", "v"), ("EXPIRE", "e", "100"), ("TTL", "e"), ("PTTL", "e"), ("EXPIRETIME", "e"),
    ("PEXPIRETIME", "e"), ("EXPIRE", "e", "200", "NX"), ("EXPIRE", "e", "200", "XX"), ("TTL", "e"),
    ("EXPIRE", "e", "100", "GT"), ("EXPIRE", "e", "300", "GT"), ("TTL", "e"),
    ("EXPIRE", "e", "400", "LT"), ("EXPIRE", "e", "100", "LT"), ("TTL", "e"),
    ("EXPIRE", "e", "100", "NX", "XX"), ("EXPIRE", "e", "100", "GT", "LT"),
    ("EXPIRE", "e", "100", "NX", "GT"), ("EXPIRE", "e", "100", "FOO"), ("EXPIRE", "e", "x"),
    # An echoed option ends at its NUL (printf %s) and loses CR/LF at its end.
    ("EXPIRE", "e", "100", "a\x00b"), ("EXPIRE", "e", "100", "x\r\n"),
    ("EXPIRE", "e", "100", "\r\nx"), ("NOSUCH", "a\x00b", "\r\nc"), ("OBJECT", "x\x00y"),
    ("EXPIRE", "e", I64_MAX), ("EXPIRE", "e", I64_MIN), ("EXPIRE", "e", "9223372036854775"),
    ("PEXPIRE", "e", I64_MAX), ("EXPIRE", "e"), ("EXPIRE", "nope", "10"),
    ("PERSIST", "e"), ("PERSIST", "e"), ("PERSIST", "nope"), ("TTL", "e"), ("PTTL", "e"),
    ("EXPIRETIME", "e"), ("PEXPIRETIME", "e"), ("TTL", "nope"), ("PTTL", "nope"),
    ("EXPIRETIME", "nope"), ("PEXPIRETIME", "nope"), ("TTL",), ("PERSIST",),
    # (Equal relative TTLs would race the clock: every GT/LT pair differs by seconds.)
    ("EXPIRE", "e", "100", "LT"), ("TTL", "e"), ("EXPIRE", "e", "50", "GT"), ("TTL", "e"),
    ("EXPIRE", "e", "150", "GT"), ("TTL", "e"),
    ("PERSIST", "e"), ("EXPIRE", "e", "100", "XX"), ("EXPIRE", "e", "100", "NX"),
    ("PEXPIRE", "e", "100000"), ("TTL", "e"), ("PEXPIRE", "e", "200000", "GT"), ("TTL", "e"),
    ("EXPIREAT", "e", FAR), ("EXPIRETIME", "e"), ("PEXPIRETIME", "e"),
    ("PEXPIREAT", "e", FAR_MS + "5"), ("PEXPIRETIME", "e"), ("EXPIRETIME", "e"),
    ("EXPIREAT", "e", FAR, "NX"), ("EXPIREAT", "e", "4102444801", "GT"), ("EXPIRETIME", "e"),
    ("PEXPIREAT", "e", "1", "LT"), ("EXISTS", "e"), ("SET", "e", "v"), ("EXPIRE", "e", "0"),
    ("EXISTS", "e"), ("SET", "e", "v"), ("EXPIRE", "e", "-10"), ("EXISTS", "e"),
    ("SET", "e", "v"), ("EXPIREAT", "e", "1"), ("EXISTS", "e"), ("SET", "e", "v"),
    ("PEXPIRE", "e", "-1"), ("EXISTS", "e"), ("EXPIREAT", "e", "x"), ("PEXPIREAT", "e", I64_MAX),
    ("EXPIREAT", "e", I64_MAX),
    # TOUCH OBJECT
    ("MSET", "t1", "1", "t2", "abc", "t3", "x" * 50), ("TOUCH", "t1", "t2", "nope"), ("TOUCH",),
    ("OBJECT", "ENCODING", "t1"), ("OBJECT", "ENCODING", "t2"), ("OBJECT", "ENCODING", "t3"),
    ("OBJECT", "ENCODING", "nope"), ("SET", "big", "12345678901234567890"),
    ("OBJECT", "ENCODING", "big"), ("SET", "neg", "-123"), ("OBJECT", "ENCODING", "neg"),
    ("SET", "x44", "y" * 44), ("OBJECT", "ENCODING", "x44"), ("SET", "x45", "y" * 45),
    ("OBJECT", "ENCODING", "x45"), ("APPEND", "t2", "d"), ("OBJECT", "ENCODING", "t2"),
    ("SETRANGE", "t1", "0", "2"), ("OBJECT", "ENCODING", "t1"), ("INCR", "t1"),
    ("OBJECT", "ENCODING", "t1"), ("INCRBYFLOAT", "fl", "1.5"), ("OBJECT", "ENCODING", "fl"),
    ("SET", "small", "100"), ("OBJECT", "REFCOUNT", "small"), ("OBJECT", "REFCOUNT", "t2"),
    ("OBJECT", "REFCOUNT", "nope"), ("OBJECT", "FREQ", "t1"), ("OBJECT", "IDLETIME", "t1"),
    ("OBJECT", "IDLETIME", "nope"), ("OBJECT", "HELP"), ("object", "help"), ("OBJECT", "FOO"),
    ("OBJECT", "FOO", "k"),
    ("OBJECT",), ("OBJECT", "ENCODING"), ("OBJECT", "ENCODING", "a", "b"), ("OBJECT", "HELP", "x"),
    ("object", "encoding", "t1"),
]

SERVER = [
    ("PING",), ("PING", "hello"), ("PING", "a", "b"), ("ECHO", "hi"), ("ECHO", ""), ("ECHO",),
    ("ECHO", "a", "b"), ("ping",), ("PiNg", "x"),
    ("SET", "db0", "0"), ("SELECT", "1"), ("SET", "db1", "1"), ("DBSIZE",), ("SELECT", "15"),
    ("SELECT", "16"), ("SELECT", "-1"), ("SELECT", "x"), ("SELECT",), ("SELECT", "1", "2"),
    ("SELECT", "0"), ("DBSIZE",), ("SWAPDB", "0", "1"), ("GET", "db0"), ("GET", "db1"),
    ("SWAPDB", "0", "1"), ("SWAPDB", "0", "0"), ("SWAPDB", "0", "16"), ("SWAPDB", "16", "0"),
    ("SWAPDB", "x", "0"), ("SWAPDB", "0", "x"), ("SWAPDB", "0"), ("SWAPDB", "-1", "0"),
    ("DBSIZE", "x"), ("FLUSHDB", "FOO"), ("FLUSHDB", "ASYNC"), ("DBSIZE",), ("SELECT", "1"),
    ("DBSIZE",), ("FLUSHDB", "SYNC"), ("DBSIZE",), ("SET", "x", "1"), ("SELECT", "0"),
    ("SET", "y", "1"), ("FLUSHALL", "x"), ("FLUSHALL", "ASYNC", "SYNC"), ("FLUSHALL",),
    ("DBSIZE",), ("SELECT", "1"), ("DBSIZE",), ("SELECT", "0"), ("FLUSHALL", "SYNC"),
    ("FLUSHALL", "ASYNC"), ("FLUSHDB",),
    ("CONFIG", "GET", "timeout"), ("CONFIG", "GET", "maxclients"), ("CONFIG", "GET", "databases"),
    ("CONFIG", "GET", "maxmemory"), ("CONFIG", "GET", "maxmemory-policy"),
    ("CONFIG", "GET", "proto-max-bulk-len"), ("CONFIG", "GET", "client-query-buffer-limit"),
    ("CONFIG", "GET", "hz"), ("CONFIG", "GET", "tcp-keepalive"), ("CONFIG", "GET", "requirepass"),
    ("CONFIG", "GET", "bind"), ("CONFIG", "GET", "protected-mode"), ("CONFIG", "GET", "nosuch"),
    ("CONFIG", "GET", "TIMEOUT"), ("CONFIG", "GET", "timeout", "hz"), ("CONFIG", "GET"),
    ("CONFIG", "SET", "timeout", "0"), ("CONFIG", "SET", "nosuch", "1"),
    ("CONFIG", "SET", "timeout", "x"), ("CONFIG", "SET", "timeout"), ("CONFIG", "SET", "hz", "10"),
    ("CONFIG", "SET", "maxmemory-policy", "bogus"),
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
    # A memory value is unsigned: any sign is "not a memory value", before the range check.
    ("CONFIG", "SET", "maxmemory", "-2"), ("CONFIG", "SET", "maxmemory", "-0"),
    ("CONFIG", "SET", "hash-max-listpack-value", "-1"), ("CONFIG", "SET", "maxmemory", "0"),
    ("CONFIG", "FOO"), ("CONFIG", "HELP"), ("COMMAND", "HELP"), ("CONFIG",),
    ("CONFIG", "RESETSTAT", "x"), ("CONFIG", "HELP", "x"),
    ("COMMAND", "INFO", "nosuchcommand"), ("COMMAND", "FOO"), ("COMMAND", "COUNT", "x"),
    ("NOSUCHCOMMAND",), ("NOSUCHCOMMAND", "a", "b c"), ("nosuch", "x" * 200),
    ("", "x"), ("GET\r\nPING",),
]

# Commands that never take 0..4 extra arguments harmlessly: skipped by the arity sweep.
SWEEP_SKIP = {"quit", "hello", "auth", "flushall", "flushdb", "swapdb", "select", "config",
              "command", "keys", "randomkey", "scan", "object", "info", "time", "lastsave",
              "reset", "client", "shutdown"}


class DifferentialCommands(PairTestCase):
    def finish(self):
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def test_strings(self):
        self.p.run(STRINGS)
        self.finish()

    def test_keys(self):
        self.p.run(KEYS)
        self.finish()

    def test_server_and_connection(self):
        self.p.run(SERVER)
        self.finish()

    def test_outgoing_tls_directives_are_accepted(self):
        # Gannet makes no outgoing connections, but a redis.conf naming these must load and
        # CONFIG GET/SET must answer as Redis does.
        names = ("tls-replication", "tls-cluster", "tls-client-cert-file", "tls-client-key-file",
                 "tls-client-key-file-pass")
        for name in names:
            self.p.check("CONFIG", "GET", name)
        self.p.check("CONFIG", "SET", "tls-replication", "maybe")
        self.p.check("CONFIG", "SET", "tls-replication", "yes")
        self.p.check("CONFIG", "GET", "tls-replication")
        self.p.check("CONFIG", "SET", "tls-replication", "no")
        self.finish()

    def test_randomkey_membership(self):
        self.assertEqual(*self.p.both("RANDOMKEY"))
        self.p.both("MSET", "r1", "1", "r2", "2", "r3", "3")
        for _ in range(20):
            g, r = self.p.both("RANDOMKEY")
            self.assertIn(parse_reply(g)[0], (b"r1", b"r2", b"r3"))
            self.assertIn(parse_reply(r)[0], (b"r1", b"r2", b"r3"))

    def scan_all(self, client, *options):
        cursor, keys, rounds = b"0", [], 0
        while True:
            reply = client.call("SCAN", cursor, *options)
            self.assertIsInstance(reply, list, reply)
            cursor, batch = reply
            keys += batch
            rounds += 1
            self.assertLess(rounds, 10000)
            if cursor == b"0":
                return sorted(keys)

    def test_scan_full_iteration(self):
        args = []
        for i in range(300):
            args += [f"key:{i}", str(i)]
        for i in range(50):
            args += [f"other:{i}", "x"]
        self.p.both("MSET", *args)
        for options in ((), ("COUNT", "7"), ("MATCH", "key:1*"), ("MATCH", "other:*", "COUNT", "3"),
                        ("TYPE", "string"), ("TYPE", "list"), ("MATCH", "nomatch*")):
            g = self.scan_all(self.p.g, *options)
            r = self.scan_all(self.p.r, *options)
            self.assertEqual(g, r, options)
            self.assertEqual(len(g), len(set(g)), "SCAN returned a key twice without a resize")
        for bad in (("x",), ("0", "COUNT", "0"), ("0", "COUNT", "x"), ("0", "FOO", "1"),
                    ("0", "MATCH"), ("18446744073709551616",), ()):
            self.p.check("SCAN", *bad)
        for cursor in ("18446744073709551615", "-1"):  # valid cursors; batches may differ
            for raw in self.p.both("SCAN", cursor):
                reply = parse_reply(raw)[0]
                self.assertIsInstance(reply, list, raw)
                self.assertEqual(len(reply), 2, raw)
                self.assertIsInstance(reply[0], bytes, raw)
        self.finish()

    def test_arity_sweep(self):
        for name in COMMANDS:
            if name in SWEEP_SKIP:
                continue
            for extra in range(0, 5):
                self.p.check(name, *[f"k{i}" for i in range(extra)])
            self.p.both("FLUSHALL")
        self.finish()

    def test_command_info(self):
        def info_rows(raw):
            rows = parse_reply(raw)[0]
            out = []
            for row in rows:
                if row is None:
                    out.append(None)
                    continue
                name, arity, flags, first, last, step, categories = row[:7]
                out.append((name, arity, sorted(flags), first, last, step, sorted(categories)))
            return out

        # The commands, and every other command gannet lists.
        listed = [n.decode() for n in parse_reply(self.p.g.call_raw("COMMAND", "LIST"))[0]]
        names = COMMANDS + sorted(n for n in listed if "|" not in n and n not in COMMANDS)
        g, r = self.p.both("COMMAND", "INFO", *names)
        g_rows, r_rows = info_rows(g), info_rows(r)
        self.assertEqual(len(g_rows), len(names))
        for name, gr, rr in zip(names, g_rows, r_rows):
            self.assertEqual(gr, rr, name)
        g, r = self.p.both("COMMAND", "COUNT")
        self.assertEqual(g[:1], b":")  # counts differ: redis has more commands
        self.assertGreaterEqual(parse_reply(g)[0], len(COMMANDS))

    def test_normalised_replies(self):
        """Replies that differ by nature (ids, addresses, clocks, versions) compared by shape."""
        p = self.p
        p.both("SET", "a", "1")
        p.both("SET", "b", "1", "EX", "1000")
        p.both("SELECT", "3")
        p.both("SET", "c", "1")
        p.both("SELECT", "0")

        def text(raw):
            value = parse_reply(raw)[0]
            self.assertIsInstance(value, bytes, raw)
            return value.decode()

        g, r = p.both("INFO", "keyspace")
        self.assertEqual(g[:1], r[:1])  # bulk in RESP2, verbatim in RESP3
        norm = lambda t: re.sub(r"avg_ttl=\d+", "avg_ttl=N", t)  # noqa: E731
        self.assertEqual(norm(text(g)), norm(text(r)))

        g, r = p.both("INFO")
        self.assertEqual(g[:1], r[:1])
        g_sections = re.findall(r"(?m)^# (\w+)", text(g))
        r_sections = re.findall(r"(?m)^# (\w+)", text(r))
        for section in ("Server", "Clients", "Memory", "Stats", "Keyspace"):
            self.assertIn(section, g_sections)
        self.assertEqual([s for s in g_sections if s not in r_sections], [])
        g_fields = dict(re.findall(r"(?m)^(\w+):(.*?)\r?$", text(g)))
        for field in ("redis_version", "tcp_port", "connected_clients", "used_memory"):
            self.assertIn(field, g_fields)
        self.assertEqual(g_fields["redis_version"].split(".")[0], "7")

        for cmd in (("CLIENT", "ID"), ("TIME",), ("DBSIZE",)):
            g, r = p.both(*cmd)
            self.assertEqual(g[:1], r[:1], cmd)
        g, r = p.both("TIME")
        self.assertEqual(len(parse_reply(g)[0]), 2)
        self.assertLess(abs(int(parse_reply(g)[0][0]) - int(parse_reply(r)[0][0])), 5)
        for cmd in (("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "worker-1"),
                    ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", "a b"),
                    ("CLIENT", "SETNAME"), ("CLIENT", "NOSUCH")):
            p.check(*cmd)
        g, r = p.both("CLIENT", "INFO")
        fields = lambda raw: [kv.split("=")[0] for kv in text(raw).split()]  # noqa: E731
        # Redis 7.0's fields in its order; fields of later versions may follow.
        self.assertEqual(fields(g)[:len(fields(r))], fields(r))
        self.assertIn("name=worker-1", text(g))
        self.finish()

    def test_unknown_and_inline(self):
        for inline in (b"NOSUCH a b\r\n", b"GET\r\n", b"SET k 'v'\r\n", b"GET k\r\n",
                       b"ECHO \"a\\x00b\"\r\n"):
            self.p.g.send(inline)
            self.p.r.send(inline)
            g, r = self.p.g.read_raw(), self.p.r.read_raw()
            self.assertEqual(g, r, inline)


class DifferentialCommandsResp3(DifferentialCommands):
    PROTO = 3


if __name__ == "__main__":
    unittest.main(verbosity=2)
