"""Client-side caching (CLIENT TRACKING) sequences sent to gannet-server and redis-server over
three connections each; the bytes each connection receives (invalidation pushes or
__redis__:invalidate messages, then the reply) must be identical. Client ids differ between
the servers: "{r}" in a command is replaced by the redirect connection's id on each server,
and each server's ids are masked in the replies that carry them."""

import time
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair, fmt
from harness import encode_command

S = "sleep"
CLOSE_R = "close-r"  # disconnect the redirect target

SCENARIOS = [
    ("default mode", [
        ("a", "CLIENT", "TRACKINGINFO"), ("a", "CLIENT", "GETREDIR"),
        ("a", "CLIENT", "TRACKING", "ON"), ("a", "CLIENT", "TRACKINGINFO"),
        ("a", "CLIENT", "GETREDIR"),
        ("a", "GET", "k"), ("b", "SET", "k", "1"), ("a", "PING"),
        ("a", "GET", "k"), ("a", "SET", "k", "2"), ("a", "PING"),
        ("a", "MGET", "x", "y"), ("b", "MSET", "x", "1", "y", "2"), ("a", "PING"),
        ("a", "GET", "k2"), ("b", "SELECT", "3"), ("b", "SET", "k2", "x"), ("b", "SELECT", "0"),
        ("a", "PING"),
        ("a", "GET", "k"), ("b", "SWAPDB", "0", "1"), ("a", "PING"), ("b", "SWAPDB", "0", "1"),
        ("b", "FLUSHDB"), ("a", "PING"), ("a", "GET", "k3"), ("a", "FLUSHALL"), ("a", "PING"),
        ("a", "MULTI"), ("a", "GET", "m"), ("a", "SET", "m", "1"), ("a", "EXEC"), ("a", "PING"),
    ]),
    ("reads that count", [
        ("a", "CLIENT", "TRACKING", "ON"), ("b", "SET", "str", "x"),
        ("a", "LRANGE", "str", "0", "1"), ("a", "EXISTS", "e1"), ("a", "TYPE", "e2"),
        ("a", "TTL", "e3"), ("a", "STRLEN", "e4"), ("a", "ZUNION", "2", "za", "zb"),
        ("a", "SINTERCARD", "2", "sa", "sb"), ("a", "SORT_RO", "sl"), ("a", "LCS", "l1", "l2"),
        ("a", "HGET", "h", "f"), ("a", "SMEMBERS", "s"), ("a", "ZSCORE", "z", "m"),
        ("b", "MSET", "str", "y", "e1", "1", "e2", "2", "e3", "3", "e4", "4", "l2", "x"),
        ("b", "ZADD", "zb", "1", "m"), ("b", "SADD", "sb", "1"), ("b", "RPUSH", "sl", "1"),
        ("b", "HSET", "h", "f", "v"), ("b", "SADD", "s", "m"), ("b", "ZADD", "z", "1", "m"),
        ("a", "PING"),
        ("a", "SET", "w", "1"), ("b", "SET", "w", "2"), ("a", "PING"),
    ]),
    ("expiry", [
        ("a", "CLIENT", "TRACKING", "ON"), ("b", "SET", "e", "1", "PX", "100"), ("a", "GET", "e"),
        (S, 0.3), ("b", "GET", "e"), ("a", "PING"),
    ]),
    ("optin", [
        ("a", "CLIENT", "TRACKING", "ON", "OPTIN"), ("a", "CLIENT", "CACHING", "NO"),
        ("a", "CLIENT", "CACHING", "YES"), ("a", "CLIENT", "TRACKINGINFO"), ("a", "GET", "o1"),
        ("a", "CLIENT", "TRACKINGINFO"), ("a", "GET", "o2"), ("b", "MSET", "o1", "1", "o2", "2"),
        ("a", "PING"),
        ("a", "CLIENT", "CACHING", "YES"), ("a", "MULTI"), ("a", "GET", "o4"), ("a", "GET", "o5"),
        ("a", "EXEC"), ("b", "MSET", "o4", "1", "o5", "1"), ("a", "PING"),
        ("a", "CLIENT", "TRACKING", "ON", "OPTOUT"),
    ]),
    ("optout", [
        ("a", "CLIENT", "TRACKING", "ON", "OPTOUT"), ("a", "CLIENT", "CACHING", "YES"),
        ("a", "CLIENT", "CACHING", "NO"), ("a", "CLIENT", "TRACKINGINFO"), ("a", "GET", "p1"),
        ("a", "GET", "p2"), ("b", "MSET", "p1", "1", "p2", "2"), ("a", "PING"),
    ]),
    ("noloop", [
        ("a", "CLIENT", "TRACKING", "ON", "NOLOOP"), ("a", "GET", "n1"), ("a", "SET", "n1", "x"),
        ("a", "PING"), ("a", "GET", "n1"), ("b", "SET", "n1", "y"), ("a", "PING"),
        ("a", "CLIENT", "TRACKINGINFO"),
    ]),
    ("bcast", [
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u:", "PREFIX", "s:"),
        ("a", "CLIENT", "TRACKINGINFO"),
        ("b", "MSET", "u:1", "1", "u:2", "2", "x", "3", "s:9", "1"),
        ("a", "PING"), ("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u"),
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "v:"),
        ("a", "CLIENT", "TRACKING", "ON"), ("a", "CLIENT", "TRACKINGINFO"),
        ("a", "SET", "v:1", "x"), ("a", "PING"), ("a", "CLIENT", "TRACKING", "OFF"),
        ("b", "SET", "u:1", "z"), ("a", "PING"),
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP"), ("a", "CLIENT", "TRACKINGINFO"),
        ("a", "SET", "z", "1"), ("b", "SET", "zz", "1"), ("a", "PING"), ("b", "FLUSHALL"),
        ("a", "PING"),
    ]),
    ("errors", [
        ("a", "CLIENT", "TRACKING", "ON", "PREFIX", "a"),
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"),
        ("a", "CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"),
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT", "99999"),
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT", "abc"),
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT", "0"),
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT", "{r}", "REDIRECT", "{r}"),
        ("a", "CLIENT", "TRACKING", "MAYBE"), ("a", "CLIENT", "TRACKING", "ON", "FOO"),
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT"), ("a", "CLIENT", "TRACKING", "ON", "PREFIX"),
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "abc"),
        ("a", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "ab"),
        ("a", "CLIENT", "CACHING", "YES"), ("a", "CLIENT", "CACHING", "MAYBE"),
        ("a", "CLIENT", "CACHING"), ("a", "CLIENT", "TRACKING"), ("a", "CLIENT", "GETREDIR", "x"),
        ("a", "CLIENT", "TRACKINGINFO"),
    ]),
    ("redirect to a RESP2 subscriber", [
        ("a", "CLIENT", "TRACKING", "ON", "REDIRECT", "{r}"), ("a", "CLIENT", "TRACKINGINFO"),
        ("a", "CLIENT", "GETREDIR"), ("a", "GET", "r1"), ("b", "SET", "r1", "1"), ("r", "PING"),
        ("r", "SUBSCRIBE", "foo"), ("a", "GET", "r1"), ("b", "SET", "r1", "2"), ("r", "PING"),
        ("r", "SUBSCRIBE", "__redis__:invalidate"), ("a", "GET", "r1"), ("b", "SET", "r1", "3"),
        ("r", "PING"), ("b", "FLUSHALL"), ("r", "PING"), ("a", "PING"),
        (CLOSE_R,), ("a", "GET", "r2"), ("b", "SET", "r2", "1"), ("a", "PING"),
        ("a", "CLIENT", "TRACKINGINFO"), ("a", "GET", "r2"), ("b", "SET", "r2", "2"),
        ("a", "PING"),
    ]),
    ("redirect with a RESP2 tracking client", [
        ("b", "CLIENT", "TRACKING", "ON", "REDIRECT", "{r}"), ("r", "SUBSCRIBE", "x"),
        ("b", "GET", "q"), ("a", "SET", "q", "1"), ("r", "PING"), ("b", "FLUSHDB"),
        ("r", "PING"), ("b", "PING"),
    ]),
]


def is_push(frame):
    return frame.startswith(b">") or frame.startswith(b"*3\r\n$7\r\nmessage\r\n")


class DifferentialTracking(unittest.TestCase):
    PROTO = 3  # of connection "a"; "b" and "r" speak RESP2

    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def connect(self):
        self.pairs = {n: Pair(self.servers.gannet, self.servers.redis) for n in ("a", "b", "r")}
        if self.PROTO == 3:
            self.pairs["a"].both("HELLO", "3")
        self.ids = {}
        for side in ("g", "r"):
            self.ids[side] = {n: int(getattr(p, side).call("CLIENT", "ID"))
                              for n, p in self.pairs.items()}

    def close(self):
        for p in self.pairs.values():
            p.close()

    def mask(self, side, raw, args):
        # Only where ids appear: small ids would otherwise collide with counts.
        getredir = [a.upper() for a in args[:2]] == ["CLIENT", "GETREDIR"]
        if not (b"redirect" in raw or b"redir-broken" in raw or getredir):
            return raw
        for name, cid in self.ids[side].items():
            raw = raw.replace(b":%d\r\n" % cid, b":<id-%s>\r\n" % name.encode())
        return raw

    def exchange(self, side, conn, args):
        """Sends args on one server's connection; returns the pushes before the reply plus
        the reply, ids masked."""
        client = getattr(self.pairs[conn], side)
        args = [str(self.ids[side]["r"]) if a == "{r}" else a for a in args]
        client.send(encode_command(*args))
        out = b""
        while True:
            frame = client.read_raw()
            out += frame
            # SUBSCRIBE's confirmation is its reply even though it looks like a message.
            if not is_push(frame) or args[0].upper() == "SUBSCRIBE" and b"subscribe" in frame:
                return self.mask(side, out, args)

    def run_scenario(self, steps, mismatches):
        for step in steps:
            if step[0] == S:
                time.sleep(step[1])
                continue
            if step[0] == CLOSE_R:
                self.pairs["r"].close()
                time.sleep(0.1)
                continue
            conn, args = step[0], list(step[1:])
            g = self.exchange("g", conn, args)
            r = self.exchange("r", conn, args)
            if g != r:
                mismatches.append((f"{conn}: {fmt(args)}", g, r))

    def test_scenarios(self):
        mismatches = []
        for name, steps in SCENARIOS:
            self.connect()
            try:
                self.pairs["b"].both("FLUSHALL")
                before = len(mismatches)
                self.run_scenario(steps, mismatches)
                if len(mismatches) != before:
                    mismatches.insert(before, (f"--- scenario: {name}", b"", b""))
            finally:
                self.close()
        if mismatches:
            lines = [f"{len(mismatches)} exchanges differ:"]
            for cmd, g, r in mismatches[:60]:
                lines.append(f"  {cmd}\n      gannet: {g[:300]!r}\n      redis:  {r[:300]!r}")
            self.fail("\n".join(lines))


if __name__ == "__main__":
    unittest.main(verbosity=2)
