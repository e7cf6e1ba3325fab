"""What the AOF records, side by side with redis-server 7.0: both servers run the same
commands with appendonly yes (appendfsync always), then the commands in their incr AOF
files are compared one by one. Clock-dependent values (absolute expiry times, XCLAIM
delivery times, generated stream IDs) are masked; everything else must be identical: the
rewrites Redis does when propagating (EXPIRE as PEXPIREAT, GETSET as SET, XREADGROUP as
XCLAIM per entry, approximate trims as exact ones, ...), which commands propagate at all
(a no-op write does not, FLUSHALL on an empty server does), and SELECT placement."""

import difflib
import os
import re
import shutil
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import encode_command, parse_reply

# Every command runs on both servers; a reply that depends on the clock or on generated
# IDs is not compared (the AOF is what this test checks).
COMMANDS = [
    # Strings and expiry rewrites.
    ("SET", "s", "v"), ("SET", "s", "v2", "EX", "100"), ("SET", "s", "v3", "PX", "100000"),
    ("SET", "s", "v4", "KEEPTTL"), ("SET", "s2", "v", "EXAT", "4000000000"),
    ("SET", "s2", "w", "PXAT", "4000000000000"), ("SET", "s", "x", "NX"),
    ("SET", "s", "y", "GET"), ("SETEX", "s3", "100", "v"), ("PSETEX", "s4", "100000", "v"),
    ("GETSET", "g", "1"), ("GETSET", "g", "2"), ("GETEX", "g", "EX", "100"),
    ("GETEX", "g", "PERSIST"), ("GETEX", "g", "PXAT", "4000000000000"), ("GETEX", "g"),
    ("GETDEL", "g"), ("GETDEL", "g"), ("INCRBYFLOAT", "f", "1.5"), ("INCR", "n"),
    ("APPEND", "s", "z"), ("SETRANGE", "s", "1", "ab"), ("SETNX", "s", "no"),
    ("MSETNX", "s", "a", "m", "b"), ("EXPIRE", "s", "100"), ("PEXPIRE", "s", "100000"),
    ("EXPIREAT", "s", "4000000000"), ("PEXPIREAT", "s", "4000000000000"),
    ("EXPIRE", "s", "100", "GT"), ("EXPIRE", "nokey", "100"), ("PERSIST", "s"),
    ("PERSIST", "s"), ("EXPIRE", "s", "-1"), ("SET", "t", "v", "EX", "100"),
    ("EXPIRE", "t", "0"), ("DEL", "nokey"), ("DEL", "s2", "s3", "nokey"),
    ("UNLINK", "s4"), ("RENAME", "f", "f2"), ("COPY", "f2", "f3"), ("MOVE", "f3", "1"),
    # Hashes, sets, lists, sorted sets.
    ("HSET", "h", "a", "1"), ("HINCRBYFLOAT", "h", "a", "0.5"), ("HSETNX", "h", "a", "x"),
    ("HDEL", "h", "nope"), ("SADD", "st", "a", "b", "c"), ("SADD", "st", "a"),
    ("SMOVE", "st", "st2", "a"), ("SREM", "st", "zz"), ("RPUSH", "l", "a", "b", "c", "d"),
    ("LPOP", "l"), ("RPOP", "l", "2"), ("LPOP", "nolist"), ("BLPOP", "l", "0.1"),
    ("RPUSH", "l", "x", "y"), ("BRPOPLPUSH", "l", "l2", "0.1"), ("BLMOVE", "l", "l2", "LEFT",
                                                                "RIGHT", "0.1"),
    ("BLPOP", "nolist", "0.01"), ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("ZADD", "z", "1", "a"), ("ZINCRBY", "z", "1", "a"), ("BZPOPMIN", "z", "0.1"),
    ("ZPOPMAX", "z"), ("BZMPOP", "0.1", "1", "z", "MIN"), ("ZREM", "z", "nope"),
    # Databases and flushes (an empty FLUSHALL/FLUSHDB propagates in Redis 7.0).
    ("SELECT", "2"), ("SET", "d2", "v"), ("SELECT", "0"), ("SWAPDB", "0", "2"),
    ("SWAPDB", "0", "2"), ("FLUSHDB",), ("FLUSHDB",), ("FLUSHALL",), ("FLUSHALL",),
    ("FLUSHALL", "ASYNC"),
    # Transactions.
    ("MULTI",), ("SET", "m1", "v"), ("INCR", "m2"), ("GET", "m1"), ("EXEC",),
    ("MULTI",), ("GET", "m1"), ("EXEC",),
    # Streams: generated IDs, approximate trims, group reads and claims.
    ("XADD", "x", "*", "f", "v"), ("XADD", "x", "MAXLEN", "~", "1", "*", "f", "v"),
    ("DEL", "x"),
] + [("XADD", "s1", "%d-1" % i, "f", str(i)) for i in range(1, 121)] + [
    ("XADD", "s1", "MAXLEN", "~", "50", "121-1", "f", "v"),
    ("XADD", "s1", "MAXLEN", "=", "110", "122-1", "f", "v"),
    ("XTRIM", "s1", "MAXLEN", "~", "30"), ("XTRIM", "s1", "MAXLEN", "~", "1000"),
    ("XTRIM", "s1", "MINID", "~", "105"), ("XTRIM", "s1", "MINID", "110"),
    ("XTRIM", "s1", "MAXLEN", "~", "2", "LIMIT", "5"),
    ("XADD", "s1", "MINID", "~", "115", "123-1", "f", "v"),
    ("XADD", "nos", "NOMKSTREAM", "*", "f", "v"),
    ("XGROUP", "CREATE", "s1", "g", "0"), ("XGROUP", "CREATECONSUMER", "s1", "g", "c0"),
    ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "s1", ">"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s1", "0"),
    ("XREADGROUP", "GROUP", "g", "cnew", "STREAMS", "s1", "0"),
    ("XREADGROUP", "GROUP", "g", "c9", "NOACK", "COUNT", "2", "STREAMS", "s1", ">"),
    ("XCLAIM", "s1", "g", "c2", "0", "117-1", "118-1", "999-1"),
    ("XCLAIM", "s1", "g", "c2", "0", "117-1", "JUSTID"),
    ("XCLAIM", "s1", "g", "c3", "0", "117-1", "IDLE", "5000", "RETRYCOUNT", "7"),
    ("XCLAIM", "s1", "g", "c3", "0", "119-1", "FORCE"),
    ("XCLAIM", "s1", "g", "c3", "0", "110-1", "LASTID", "200-1"),
    ("XCLAIM", "s1", "g", "c3", "999999", "117-1"),
    ("XDEL", "s1", "118-1"), ("XACK", "s1", "g", "119-1"),
    ("XAUTOCLAIM", "s1", "g", "c4", "0", "0", "COUNT", "2"),
    ("XAUTOCLAIM", "s1", "g", "c4", "0", "0", "JUSTID"),
    ("XAUTOCLAIM", "s1", "g", "c5", "999999", "0"),
    ("XGROUP", "SETID", "s1", "g", "$"), ("XGROUP", "DELCONSUMER", "s1", "g", "c0"),
    ("XSETID", "s1", "500-1"), ("XGROUP", "DESTROY", "s1", "g"),
    ("XGROUP", "CREATE", "s1", "g2", "$", "MKSTREAM"),
    ("XGROUP", "CREATE", "news", "g", "$", "MKSTREAM"),
    # Claims of entries deleted while pending, LASTID alone, trims down to nothing.
] + [("XADD", "s5", "%d-1" % i, "f", str(i)) for i in range(1, 7)] + [
    ("XGROUP", "CREATE", "s5", "g", "0"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s5", ">"),
    ("XDEL", "s5", "2-1", "3-1", "4-1"), ("XCLAIM", "s5", "g", "c2", "0", "2-1", "5-1"),
    ("XAUTOCLAIM", "s5", "g", "c3", "0", "0", "COUNT", "10", "JUSTID"),
    ("XCLAIM", "s5", "g", "c2", "0", "999-1", "LASTID", "300-1"),
    ("XCLAIM", "s5", "g", "c2", "0", "999-1", "LASTID", "100-1"),
    ("XTRIM", "s5", "MAXLEN", "0"), ("XADD", "s5", "MAXLEN", "~", "0", "301-1", "f", "v"),
    ("XTRIM", "s5", "MINID", "~", "999"), ("XADD", "s5", "302-1", "f", "v"),
    ("XTRIM", "s5", "MINID", "~", "999"), ("XTRIM", "s5", "MAXLEN", "~", "0"),
    ("SET", "pg", "v", "PXAT", "4000000000000", "GET"), ("SET", "pg", "w", "GET", "KEEPTTL"),
    ("SET", "pg", "x", "EX", "100", "GET"),
    ("SET", "nx1", "v", "NX", "PXAT", "4000000000000"), ("SET", "nx2", "w", "GET", "get", "NX"),
    # Random and clock-dependent commands.
    ("SADD", "one", "only"), ("SPOP", "one"), ("SADD", "two", "a"), ("SPOP", "two", "5"),
    ("SPOP", "nokey"), ("PFADD", "hll", "a"), ("PFADD", "hll", "a"),
]


def read_aof(data_dir):
    """The commands of every incr file named by the manifest, as lists of strings."""
    d = os.path.join(data_dir, "appendonlydir")
    manifest = [f for f in os.listdir(d) if f.endswith(".manifest")]
    if not manifest:
        raise AssertionError("no manifest in %s: %s" % (d, os.listdir(d)))
    names = []
    with open(os.path.join(d, manifest[0]), "rb") as f:
        for line in f.read().decode().splitlines():
            words = line.split()
            fields = dict(zip(words[::2], words[1::2]))
            if fields.get("type") == "i":
                names.append(fields["file"])
    out = []
    for name in names:
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            value, pos = parse_reply(data, pos)
            out.append([x.decode("utf-8", "surrogateescape") for x in value])
    return out


_STREAM_ID = re.compile(r"^(\d{13})-(\d+)$")
_ABS_MS = re.compile(r"^\d{13}$")


def normalise(cmds):
    """Masks what depends on the clock: absolute times and IDs generated from it."""
    ids = {}
    out = []
    for cmd in cmds:
        norm = []
        prev = ""
        for a in cmd:
            m = _STREAM_ID.match(a)
            if m:
                a = ids.setdefault(a, "ID%d" % len(ids))
            elif _ABS_MS.match(a) and not a.startswith("4000000000"):
                a = "T" if prev.upper() == "TIME" else "ABS-MS"
            norm.append(a)
            prev = a
        out.append([norm[0].upper()] + norm[1:])
    return out


class PropagationDiff(unittest.TestCase):
    def run_both(self, commands):
        dirs = [tempfile.mkdtemp(prefix="gannet-prop-"), tempfile.mkdtemp(prefix="redis-prop-")]
        servers = []
        try:
            for binary, d in zip([harness.gannet_binary(), harness.redis_binary()], dirs):
                s = harness.Server(binary=binary, args=["--dir", d, "--appendonly", "yes",
                                                        "--appendfsync", "always"])
                s.start()
                servers.append(s)
            g, r = servers[0].client(), servers[1].client()
            replies = []
            for cmd in commands:
                req = encode_command(*cmd)
                g.send(req)
                r.send(req)
                replies.append((cmd, g.read_raw(), r.read_raw()))
            g.close()
            r.close()
            time.sleep(0.2)
            return [normalise(read_aof(d)) for d in dirs], replies
        finally:
            for s in servers:
                s.stop()
            for d in dirs:
                shutil.rmtree(d, ignore_errors=True)

    def test_same_aof_as_redis(self):
        (ga, ra), replies = self.run_both(COMMANDS)
        # The replies must agree too where they do not carry generated IDs or times.
        differ = [(c, gr, rr) for c, gr, rr in replies
                  if gr != rr and not (c[0] in ("XADD", "XAUTOCLAIM", "XCLAIM")
                                       and b"*" in b"".join(
                                           x if isinstance(x, bytes) else x.encode()
                                           for x in c))]
        self.assertEqual(differ, [])
        if ga != ra:
            diff = difflib.unified_diff([" ".join(c) for c in ra], [" ".join(c) for c in ga],
                                        "redis-server", "gannet-server", lineterm="", n=2)
            self.fail("AOF differs from redis-server's:\n" + "\n".join(diff))

if __name__ == "__main__":
    unittest.main(verbosity=2)
