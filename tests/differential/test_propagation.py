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

# DUMP payloads made by redis-server 7.0 (RDB 10): "hello", a list [a b], a hash {f: v}
# and a sorted set {m: 1}.
DUMP_STRING = bytes.fromhex("000568656c6c6f0a006372df766534200a")
DUMP_LIST = bytes.fromhex("1201020d0d0000000200816102816202ff0a0068eb0a891341bbb1")
DUMP_HASH = bytes.fromhex("100d0d0000000200816602817602ff0a0020f13d442354089d")
DUMP_ZSET = bytes.fromhex("110c0c0000000200816d020101ff0a0026e3fd9ddd7d6ecb")

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
    # RESTORE: a relative TTL is recorded as an absolute one with ABSTTL, a TTL already
    # past deletes (and records DEL) or does nothing, IDLETIME and FREQ are kept.
    ("RESTORE", "r1", "0", DUMP_STRING), ("RESTORE", "r1", "0", DUMP_STRING),
    ("RESTORE", "r1", "0", DUMP_LIST, "REPLACE"), ("RESTORE", "r2", "100000", DUMP_HASH),
    ("RESTORE", "r3", "4000000000000", DUMP_ZSET, "ABSTTL"),
    ("RESTORE", "r4", "0", DUMP_STRING, "IDLETIME", "100"),
    ("RESTORE", "r5", "0", DUMP_STRING, "FREQ", "5"),
    ("RESTORE", "r6", "0", DUMP_STRING, "REPLACE", "ABSTTL", "IDLETIME", "7"),
    ("RESTORE", "r7", "1", DUMP_STRING, "ABSTTL"),
    ("RESTORE", "r1", "1", DUMP_STRING, "ABSTTL", "REPLACE"),
    ("RESTORE", "r8", "0", b"garbage"),
    # The rest of COMMAND's write commands, but for MIGRATE (needs a second server),
    # FUNCTION (Gannet has no scripting) and RESTORE-ASKING (cluster only, not registered).
    ("DECR", "n"), ("DECRBY", "n", "5"), ("INCRBY", "n", "10"),
    ("MSET", "ms1", "a", "ms2", "b"), ("SETBIT", "bits", "7", "1"), ("SETBIT", "bits", "7", "1"),
    ("BITFIELD", "bf", "SET", "u8", "0", "200", "INCRBY", "u8", "0", "100"),
    ("BITFIELD", "bf", "GET", "u8", "0"), ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY",
                                           "u8", "0", "250"),
    ("BITOP", "OR", "bo", "bits", "bf"), ("BITOP", "AND", "bo", "nokey1", "nokey2"),
    ("BITOP", "AND", "bo2", "nokey1"),
    ("RENAMENX", "ms1", "ms3"), ("RENAMENX", "ms2", "ms3"),
    ("HINCRBY", "h", "n", "3"), ("HMSET", "h", "x", "1", "y", "2"),
    ("LPUSH", "ll", "a", "b"), ("LPUSHX", "ll", "c"), ("LPUSHX", "nol", "c"),
    ("RPUSHX", "ll", "d"), ("LINSERT", "ll", "BEFORE", "a", "x"),
    ("LINSERT", "ll", "AFTER", "nope", "x"), ("LSET", "ll", "0", "y"), ("LREM", "ll", "0", "a"),
    ("LREM", "ll", "0", "zz"), ("LTRIM", "ll", "0", "3"), ("LTRIM", "ll", "0", "-1"),
    ("LMOVE", "ll", "ll2", "LEFT", "RIGHT"), ("RPOPLPUSH", "ll", "ll2"),
    ("LMPOP", "2", "nol", "ll2", "RIGHT", "COUNT", "1"), ("BRPOP", "ll2", "0.1"),
    ("BLMPOP", "0.1", "1", "ll", "LEFT", "COUNT", "5"), ("BRPOP", "nol", "0.01"),
    ("SADD", "sa", "1", "2", "3"), ("SADD", "sb", "2", "3", "4"),
    ("SDIFFSTORE", "sd", "sa", "sb"), ("SINTERSTORE", "si", "sa", "sb"),
    ("SUNIONSTORE", "su", "sa", "sb"), ("SINTERSTORE", "si", "sa", "nokey"),
    ("SDIFFSTORE", "none", "nokey"),
    ("ZADD", "za", "1", "a", "2", "b", "3", "c"), ("ZADD", "zb", "1", "b", "5", "d"),
    ("ZPOPMIN", "za"), ("ZMPOP", "1", "za", "MAX", "COUNT", "1"), ("BZPOPMAX", "zb", "0.1"),
    ("ZADD", "za", "7", "e"), ("ZDIFFSTORE", "zd", "2", "za", "zb"),
    ("ZINTERSTORE", "zi", "2", "za", "zb", "WEIGHTS", "2", "3"),
    ("ZUNIONSTORE", "zu", "2", "za", "zb", "AGGREGATE", "MAX"),
    ("ZRANGESTORE", "zr", "zu", "0", "-1"), ("ZRANGESTORE", "zr2", "nokey", "0", "-1"),
    ("ZREMRANGEBYLEX", "zr", "[a", "[c"), ("ZREMRANGEBYRANK", "zu", "0", "0"),
    ("ZREMRANGEBYSCORE", "zu", "-inf", "+inf"), ("ZREMRANGEBYSCORE", "zu", "-inf", "+inf"),
    ("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
     "Catania"),
    ("GEOADD", "geo", "13.361389", "38.115556", "Palermo"),
    ("GEOADD", "geo", "XX", "CH", "13.5", "38.1", "Palermo", "1", "2", "Nowhere"),
    ("GEOADD", "geo", "NX", "1", "2", "Nowhere"),
    ("GEORADIUS", "geo", "15", "37", "200", "km", "STORE", "gr"),
    ("GEORADIUSBYMEMBER", "geo", "Palermo", "200", "km", "STOREDIST", "grd"),
    ("GEOSEARCHSTORE", "gs", "geo", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC",
     "COUNT", "1"),
    ("PFADD", "hll2", "b"), ("PFMERGE", "hllm", "hll", "hll2"), ("PFDEBUG", "TODENSE", "hll2"),
    ("PFDEBUG", "TODENSE", "hll2"), ("PFDEBUG", "GETREG", "hll2"),
    ("RPUSH", "sl", "3", "1", "2"), ("SORT", "sl", "STORE", "sorted"), ("SORT", "sl"),
    ("SORT", "nokey", "STORE", "sorted"),
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


def wait_blocked(client, what, limit=5.0):
    deadline = time.time() + limit
    while time.time() < deadline:
        info = parse_reply(client.call_raw("INFO", "clients"))[0].decode()
        if "blocked_clients:1\r\n" in info:
            return
        time.sleep(0.01)
    raise AssertionError("did not block: %r" % (what,))


# Blocked commands served by another client's write: Redis records the non-blocking form
# of what the served client did (BLPOP as LPOP, BLMOVE as LMOVE, BZPOPMIN as ZPOPMIN, ...).
BLOCKED_SERVED = [
    ("@block", "BLPOP", "l", "0"), ("RPUSH", "l", "a", "b"), ("@served",),
    ("@block", "BRPOP", "nol", "l2", "0"), ("RPUSH", "l2", "a", "b"), ("@served",),
    ("@block", "BLMOVE", "l3", "d", "RIGHT", "LEFT", "0"), ("RPUSH", "l3", "a"), ("@served",),
    ("@block", "BRPOPLPUSH", "l4", "d", "0"), ("LPUSH", "l4", "a"), ("@served",),
    ("@block", "BLMPOP", "0", "2", "x", "l5", "RIGHT", "COUNT", "2"),
    ("RPUSH", "l5", "a", "b", "c"), ("@served",),
    ("@block", "BZPOPMIN", "z", "0"), ("ZADD", "z", "1", "a", "2", "b"), ("@served",),
    ("@block", "BZPOPMAX", "z2", "0"), ("ZADD", "z2", "1", "a", "2", "b"), ("@served",),
    ("@block", "BZMPOP", "0", "1", "z3", "MAX", "COUNT", "5"),
    ("ZADD", "z3", "1", "a", "2", "b"), ("@served",),
    # Served by a transaction, and by a write that leaves nothing for the waiter.
    ("@block", "BLPOP", "l6", "0"), ("MULTI",), ("RPUSH", "l6", "a"), ("SET", "k", "v"),
    ("EXEC",), ("@served",),
    ("@block", "BLPOP", "l7", "0"), ("MULTI",), ("RPUSH", "l7", "a"), ("LPOP", "l7"),
    ("EXEC",), ("RPUSH", "l7", "b"), ("@served",),
    # Streams: a group read records the claim and the group's last id; XREAD nothing.
    ("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
    ("@block", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"),
    ("XADD", "s", "5-1", "f", "v"), ("@served",),
    ("@block", "XREAD", "BLOCK", "0", "STREAMS", "s", "$"), ("XADD", "s", "6-1", "f", "v"),
    ("@served",),
    ("XGROUP", "CREATE", "s", "g2", "$"),
    ("@block", "XREADGROUP", "GROUP", "g2", "c", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"),
    ("XADD", "s", "7-1", "f", "v"), ("@served",),
    # SELECT placement: the waiter is in db 0, the writer moves to db 3 and back.
    ("@block", "BLPOP", "l8", "0"), ("SELECT", "3"), ("SET", "k3", "v"), ("SELECT", "0"),
    ("RPUSH", "l8", "a"), ("@served",),
]


class PropagationDiff(unittest.TestCase):
    def run_both(self, commands):
        """Runs commands on both servers. A command is a tuple of arguments for the main
        connection, or ("@block", args...) for a second connection that sends a blocking
        command and waits until the server holds it blocked, or ("@served",) for that
        connection to read its reply."""
        dirs = [tempfile.mkdtemp(prefix="gannet-prop-"), tempfile.mkdtemp(prefix="redis-prop-")]
        servers = []
        clients = []
        try:
            for binary, d in zip([harness.gannet_binary(), harness.redis_binary()], dirs):
                s = harness.Server(binary=binary, args=["--dir", d, "--appendonly", "yes",
                                                        "--appendfsync", "always"])
                s.start()
                servers.append(s)
            g, r = servers[0].client(), servers[1].client()
            gb, rb = servers[0].client(), servers[1].client()
            clients.extend([g, r, gb, rb])
            replies = []
            for cmd in commands:
                if cmd[0] == "@block":
                    for name, main, other in (("gannet", g, gb), ("redis", r, rb)):
                        other.send(encode_command(*cmd[1:]))
                        wait_blocked(main, (name, cmd))
                    continue
                if cmd[0] == "@served":
                    replies.append((cmd, gb.read_raw(), rb.read_raw()))
                    continue
                req = encode_command(*cmd)
                g.send(req)
                r.send(req)
                replies.append((cmd, g.read_raw(), r.read_raw()))
            time.sleep(0.2)
            return [normalise(read_aof(d)) for d in dirs], replies
        finally:
            for c in clients:
                c.close()
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

    def test_blocked_commands_served(self):
        (ga, ra), replies = self.run_both(BLOCKED_SERVED)
        self.assertEqual([(c, gr, rr) for c, gr, rr in replies if gr != rr], [])
        if ga != ra:
            diff = difflib.unified_diff([" ".join(c) for c in ra], [" ".join(c) for c in ga],
                                        "redis-server", "gannet-server", lineterm="", n=2)
            self.fail("AOF differs from redis-server's:\n" + "\n".join(diff))


if __name__ == "__main__":
    unittest.main(verbosity=2)
