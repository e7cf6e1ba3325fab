"""Runs the same commands against gannet-server and redis-server and compares raw replies.

A Pair owns one connection to each server. `check(*args)` sends the command to both and
compares the reply bytes exactly; a few replies that are different by nature (time, order of
hash-table iteration) have their own comparators. Mismatches are collected so one test run
reports all of them with both replies side by side.
"""

import unittest

import _setup  # noqa: F401
import harness
from harness import encode_command, parse_reply


def _int_or_none(raw):
    try:
        value = parse_reply(raw)[0]
    except ValueError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def within(tolerance):
    """Comparator: integer replies may differ by `tolerance` (clock moves between the two)."""

    def compare(a, b):
        ia, ib = _int_or_none(a), _int_or_none(b)
        if ia is not None and ib is not None:
            # Negative codes (-1 no TTL, -2 no key) must match exactly.
            if ia < 0 or ib < 0:
                return ia == ib
            return abs(ia - ib) <= tolerance
        return a == b

    return compare


def sorted_array(a, b):
    """Comparator: arrays equal as multisets (KEYS order is hash-table order)."""
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, list) and isinstance(vb, list):
        return type(va) is type(vb) and sorted(va) == sorted(vb)
    return a == b


def same_pairs(a, b):
    """Comparator: CONFIG GET with several patterns lists pairs in table order."""
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, dict) and isinstance(vb, dict):
        return va == vb and a[:1] == b[:1]
    if isinstance(va, list) and isinstance(vb, list) and len(va) % 2 == 0:
        return sorted(zip(va[::2], va[1::2])) == sorted(zip(vb[::2], vb[1::2]))
    return a == b


def help_text(a, b):
    """Comparator: HELP texts are prose written independently; compare the shape and the
    first (usage) line only."""
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, list) and isinstance(vb, list) and va and vb:
        return (a[:1] == b[:1] and va[0] == vb[0]
                and all(isinstance(x, str) for x in va))
    return a == b


# Commands whose replies depend on the clock: allowed drift between the two servers.
TIME_TOLERANCE = {
    "TTL": within(1),
    "EXPIRETIME": within(1),
    "PTTL": within(1000),
    "PEXPIRETIME": within(1000),
}


def comparator_for(args):
    name = str(args[0]).upper()
    if name in TIME_TOLERANCE:
        return TIME_TOLERANCE[name]
    if name == "KEYS":
        return sorted_array
    if len(args) == 2 and str(args[1]).upper() == "HELP":
        return help_text
    if name == "CONFIG" and len(args) > 1 and str(args[1]).upper() == "GET":
        return same_pairs
    if name == "OBJECT" and len(args) > 1 and str(args[1]).upper() == "IDLETIME":
        return within(2)
    return None


def fmt(args):
    out = []
    for a in args:
        if isinstance(a, bytes):
            a = a.decode("utf-8", "backslashreplace")
        a = str(a)
        out.append(a if len(a) <= 60 else a[:57] + "...")
    return " ".join(repr(a) if (" " in a or a == "") else a for a in out)


class Pair:
    """One connection to each server, sending every command to both."""

    def __init__(self, gannet, redis):
        self.g = gannet.client()
        self.r = redis.client()
        self.mismatches = []
        self.count = 0

    def close(self):
        self.g.close()
        self.r.close()

    def both(self, *args):
        """Send to both, return (gannet_raw, redis_raw) without comparing."""
        req = encode_command(*args)
        try:
            self.g.send(req)
            g = self.g.read_raw()
        except OSError as e:  # includes ConnectionError
            raise AssertionError(f"gannet-server dropped the connection on: {fmt(args)} "
                                 f"({e!r}; its log is printed above if it died)") from e
        self.r.send(req)
        return g, self.r.read_raw()

    def check(self, *args, compare=None):
        self.count += 1
        g, r = self.both(*args)
        compare = compare or comparator_for(args)
        same = compare(g, r) if compare else g == r
        if not same:
            self.mismatches.append((fmt(args), g, r))
        return g, r

    def check_in_sync(self):
        """One reply per command: a stray extra reply would answer this PING instead."""
        g, r = self.both("ECHO", "sync-marker")
        if g != r or r != b"$11\r\nsync-marker\r\n":
            self.mismatches.append(("ECHO sync-marker (reply stream out of step?)", g, r))

    def run(self, commands):
        for cmd in commands:
            self.check(*cmd)

    def report(self, limit=40):
        lines = [f"{len(self.mismatches)} of {self.count} replies differ:"]
        for cmd, g, r in self.mismatches[:limit]:
            lines.append(f"  {cmd}\n      gannet: {g[:300]!r}\n      redis:  {r[:300]!r}")
        if len(self.mismatches) > limit:
            lines.append(f"  ... and {len(self.mismatches) - limit} more")
        return "\n".join(lines)


class ServerPair:
    """gannet-server and redis-server, each on its own free port."""

    def __init__(self, args=()):
        self.gannet = harness.Server(args=list(args))
        self.redis = harness.Server(binary=harness.redis_binary(), args=list(args))

    def start(self):
        self.gannet.start()
        try:
            self.redis.start()
        except Exception:
            self.gannet.stop()
            raise
        return self

    def stop(self):
        self.gannet.stop()
        self.redis.stop()


class PairTestCase(unittest.TestCase):
    """One gannet-server and one redis-server for the whole class (cls.servers), and per test
    a Pair speaking RESP<PROTO> to both on a flushed keyspace (self.p)."""

    PROTO = 2

    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.p = Pair(self.servers.gannet, self.servers.redis)
        if self.PROTO == 3:
            g, r = self.p.both("HELLO", "3")
            self.assertEqual(g[:1], b"%")
            self.assertEqual(r[:1], b"%")
        self.p.both("FLUSHALL")

    def tearDown(self):
        self.p.close()
