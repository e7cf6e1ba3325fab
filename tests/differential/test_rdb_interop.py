"""RDB and DUMP interoperability with a real redis-server 7.0, in both directions.

- redis -> gannet: a redis-server filled with every type and encoding (small and large,
  LZF-compressed strings and list nodes, TTLs, several databases) SAVEs; our loader
  (rdb_tool describe) must see exactly what redis-server reports through commands, and so
  must a gannet-server started on that dump.rdb.
- gannet -> redis: a file from our writer (rdb_tool write-sample) passes redis-check-rdb, and
  a redis-server started on it holds exactly what we wrote (content, encoding, TTL).
- DUMP payloads: every key DUMPed by redis-server decodes in our codec and RESTOREs in
  gannet-server; every payload of ours RESTOREs in redis-server with the same content.

rdb_tool comes from $RDB_TOOL (ctest sets it), gannet-server from $GANNET_SERVER.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAR_MS = 4102444800000  # 2100-01-01


def rdb_tool():
    path = os.environ.get("RDB_TOOL")
    if path:
        return path
    for preset in ("asan", "debug", "release"):
        candidate = os.path.join(_REPO, "build", preset, "tests", "persistence", "rdb_tool")
        if os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no rdb_tool: set RDB_TOOL=/path/to/rdb_tool")


def run_tool(*args, check=True):
    r = subprocess.run([rdb_tool(), *args], capture_output=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"rdb_tool {args[0]} failed: {r.stderr.decode()} {r.stdout[:500]}")
    return r


def fill(c):
    """Every type and encoding redis-server 7.0 has; returns nothing, asserts replies."""
    def ok(*args):
        r = c.call(*args)
        assert not isinstance(r, RespError), (args, r)
        return r

    for db in (0, 3):
        ok("SELECT", db)
        p = f"d{db}:"
        ok("SET", p + "int", "12345")
        ok("SET", p + "negint", "-9223372036854775808")
        ok("SET", p + "embstr", "hello world")
        ok("SET", p + "empty", "")
        ok("SET", p + "raw", "a" * 300 + "tail")  # LZF-compressed in the file
        ok("SET", p + "binary", bytes(range(256)) * 20)
        ok("SET", p + "ttl", "v", "PXAT", FAR_MS + 12345)
        ok("RPUSH", p + "list", "a", "b", "1", "-5", "", "x" * 100)
        ok("RPUSH", p + "biglist", *[f"element-{i}" for i in range(5000)])
        ok("RPUSH", p + "hugeelem", "x", "q" * 20000, "y")
        ok("SADD", p + "intset", "1", "2", "-3", "9223372036854775807")
        ok("SADD", p + "set", "a", "b", "c", "1")
        ok("SADD", p + "bigintset", *[str(i * 3) for i in range(600)])
        ok("ZADD", p + "zset", "1", "a", "2.5", "b", "-1e300", "c", "inf", "i", "-inf", "ni",
           "7", "7")
        ok("ZADD", p + "bigzset", *[x for i in range(300) for x in (str(i * 0.5), f"m{i}")])
        ok("ZADD", p + "longmember", "1", "m" * 100)
        ok("HSET", p + "hash", "f", "v", "n", "7", "neg", "-100000")
        ok("HSET", p + "bighash", *[x for i in range(1000) for x in (f"f{i}", str(i))])
        ok("HSET", p + "longvalue", "f", "v" * 100)
        ok("PEXPIREAT", p + "hash", FAR_MS + 1)
        ok("PEXPIREAT", p + "biglist", FAR_MS + 2)
        ok("PEXPIREAT", p + "bigzset", FAR_MS + 3)
        for i in range(1, 301):
            fields = ("field", f"value-{i}", "n", "7") if i % 3 else ("other", f"v{i}")
            ok("XADD", p + "stream", f"{1000 + i // 2}-{i}", *fields)
        ok("XDEL", p + "stream", "1002-5", "1000-1")
        ok("XGROUP", "CREATE", p + "stream", "g1", "0")
        ok("XGROUP", "CREATE", p + "stream", "empty-group", "$")
        ok("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", p + "stream", ">")
        ok("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", p + "stream", ">")
        ok("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "5", "STREAMS", p + "stream", "0")
        ok("XACK", p + "stream", "g1", "1002-4")
        ok("XGROUP", "CREATECONSUMER", p + "stream", "g1", "idle")
        ok("XADD", p + "smallstream", "1-1", "f", "v")
        ok("XADD", p + "emptystream", "5-5", "f", "v")
        ok("XDEL", p + "emptystream", "5-5")
    # Compressed quicklist nodes (list-compress-depth) are written as LZF blobs.
    ok("SELECT", 0)
    ok("CONFIG", "SET", "list-compress-depth", "1")
    ok("RPUSH", "compressed", *[f"compressible-element-{i:06d}" for i in range(3000)])
    ok("CONFIG", "SET", "list-compress-depth", "0")


def norm_stream(c, key):
    """A stream's content as commands report it (delivery times and idle left out)."""
    entries = []
    for eid, fv in c.call("XRANGE", key, "-", "+"):
        entries.append([eid.decode(), [x for x in fv]])
    info = c.call("XINFO", "STREAM", key)
    info = dict(zip(info[0::2], info[1::2]))
    groups = []
    for g in c.call("XINFO", "GROUPS", key):
        g = dict(zip(g[0::2], g[1::2]))
        name = g[b"name"]
        pel = [[e[0].decode(), e[1], e[3]]
               for e in c.call("XPENDING", key, name, "-", "+", "1000000")]
        consumers = []
        for cons in c.call("XINFO", "CONSUMERS", key, name):
            cons = dict(zip(cons[0::2], cons[1::2]))
            consumers.append(cons[b"name"])
        groups.append([name, g[b"last-delivered-id"].decode(), g[b"entries-read"], pel,
                       sorted(consumers)])
    return {"entries": entries, "length": info[b"length"],
            "last_id": info[b"last-generated-id"].decode(),
            "max_deleted_id": info[b"max-deleted-entry-id"].decode(),
            "entries_added": info[b"entries-added"], "groups": sorted(groups)}


def server_state(c, databases=16):
    """{(db, key): (type, encoding, expire_ms, value)} through commands."""
    state = {}
    for db in range(databases):
        c.call("SELECT", db)
        for key in c.call("KEYS", "*"):
            t = c.call("TYPE", key)
            enc = c.call("OBJECT", "ENCODING", key).decode()
            exp = c.call("PEXPIRETIME", key)
            if t == "string":
                v = c.call("GET", key)
            elif t == "list":
                v = c.call("LRANGE", key, "0", "-1")
            elif t == "set":
                v = sorted(c.call("SMEMBERS", key))
            elif t == "zset":
                flat = c.call("ZRANGE", key, "0", "-1", "WITHSCORES")
                v = [[m, float(s)] for m, s in zip(flat[0::2], flat[1::2])]
            elif t == "hash":
                flat = c.call("HGETALL", key)
                v = sorted([f, x] for f, x in zip(flat[0::2], flat[1::2]))
            elif t == "stream":
                v = norm_stream(c, key)
            else:
                raise AssertionError(f"unexpected type {t}")
            state[(db, key)] = (t, enc, exp, v)
    c.call("SELECT", 0)
    return state


def norm_value(desc):
    """rdb_tool's JSON description of one value -> (type, encoding, value) as server_state."""
    t, enc, v = desc["type"], desc["encoding"], desc["value"]
    h = bytes.fromhex
    if t == "string":
        v = h(v)
    elif t == "list":
        v = [h(x) for x in v]
    elif t == "set":
        v = sorted(h(x) for x in v)
    elif t == "zset":
        v = [[h(m), float(s)] for m, s in v]
    elif t == "hash":
        v = sorted([h(f), h(x)] for f, x in v)
    elif t == "stream":
        groups = []
        for g in v["groups"]:
            pel = [[pid, h(cons), count] for pid, cons, count, _ in g["pel"]]
            groups.append([h(g["name"]), g["last_id"], g["entries_read"] if g["entries_read"] >= 0
                           else None, pel, sorted(h(cn) for cn, _, _ in g["consumers"])])
        v = {"entries": [[eid, [h(x) for x in fv]] for eid, fv in v["entries"]],
             "length": v["length"], "last_id": v["last_id"],
             "max_deleted_id": v["max_deleted_id"], "entries_added": v["entries_added"],
             "groups": sorted(groups)}
    return t, enc, v


def tool_state(stdout):
    state = {}
    for line in stdout.decode().splitlines():
        d = json.loads(line)
        t, enc, v = norm_value(d["value"])
        state[(d["db"], bytes.fromhex(d["key"]))] = (t, enc, d["expire_ms"], v)
    return state


def assert_same_state(test, got, want):
    test.assertEqual(sorted(got), sorted(want), "key sets differ")
    for k in want:
        test.assertEqual(got[k], want[k], f"key {k}")


class RdbInteropTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gannet-rdb-interop-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_redis_file_loads_in_gannet(self):
        with harness.Server(binary=harness.redis_binary(), args=["--dir", self.tmp]) as redis:
            c = redis.client()
            fill(c)
            self.assertEqual(c.call("SAVE"), "OK")
            want = server_state(c)
        path = os.path.join(self.tmp, "dump.rdb")
        with open(path, "rb") as f:
            self.assertEqual(f.read(9), b"REDIS0010")
        got = tool_state(run_tool("describe", path).stdout)
        assert_same_state(self, got, want)
        # And a gannet-server started on the file holds the same, also when it compresses
        # list nodes itself (list-compress-depth 1: every list loaded is compressed again).
        for extra in ([], ["--list-compress-depth", "1"]):
            with harness.Server(args=["--dir", self.tmp, "--dbfilename", "dump.rdb",
                                      *extra]) as gannet:
                with gannet.client() as c:
                    assert_same_state(self, server_state(c), want)

    def test_compressed_lists_saved_by_gannet_load_in_redis(self):
        """A live gannet-server at list-compress-depth 1 SAVEs compressed nodes; redis-server
        (at depth 0 and at depth 2) loads that file with the same lists."""
        items = [f"compressible-element-{i % 300:05d}" for i in range(6000)]
        with harness.Server(args=["--dir", self.tmp, "--dbfilename", "g.rdb",
                                  "--list-compress-depth", "1",
                                  "--list-max-listpack-size", "-1"]) as gannet:
            with gannet.client() as c:
                for i in range(0, len(items), 500):
                    c.call("RPUSH", "clist", *items[i:i + 500])
                c.call("LPUSH", "small", "a", "b")
                c.call("RPUSH", "ints", *[str(i) for i in range(4000)])
                c.call("LSET", "clist", "3000", "changed-in-the-middle")
                c.call("LINSERT", "clist", "BEFORE", "compressible-element-00150", "inserted")
                want = {k: c.call("LRANGE", k, "0", "-1") for k in ("clist", "small", "ints")}
                self.assertEqual(c.call("SAVE"), "OK")
        path = os.path.join(self.tmp, "g.rdb")
        check = subprocess.run(["redis-check-rdb", path], capture_output=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout.decode() + check.stderr.decode())
        for depth in ("0", "2"):
            with harness.Server(binary=harness.redis_binary(),
                                args=["--dir", self.tmp, "--dbfilename", "g.rdb",
                                      "--list-compress-depth", depth]) as redis:
                with redis.client() as c:
                    for k, v in want.items():
                        self.assertEqual(c.call("LRANGE", k, "0", "-1"), v, (k, depth))
                        self.assertEqual(c.call("OBJECT", "ENCODING", k), b"quicklist")

    def test_gannet_file_loads_in_redis(self):
        path = os.path.join(self.tmp, "ours.rdb")
        want = tool_state(run_tool("write-sample", path).stdout)
        self.assertGreater(len(want), 15)
        check = subprocess.run(["redis-check-rdb", path], capture_output=True, timeout=60)
        out = check.stdout.decode() + check.stderr.decode()
        self.assertEqual(check.returncode, 0, out)
        self.assertIn("RDB looks OK", out)
        self.assertIn("Checksum OK", out)
        with harness.Server(binary=harness.redis_binary(),
                            args=["--dir", self.tmp, "--dbfilename", "ours.rdb"]) as redis:
            with redis.client() as c:
                assert_same_state(self, server_state(c), want)

    def test_dump_payloads_both_ways(self):
        with harness.Server(binary=harness.redis_binary()) as redis, harness.Server() as gannet:
            rc, gc = redis.client(), gannet.client()
            fill(rc)
            want = server_state(rc)
            for (db, key), (t, enc, exp, v) in want.items():
                rc.call("SELECT", db)
                payload = rc.call("DUMP", key)
                # Our codec decodes Redis's payload to the same value and encoding.
                r = run_tool("restore", payload.hex())
                got = norm_value(json.loads(r.stdout))
                self.assertEqual(got, (t, enc, v), key)
                # gannet-server RESTOREs it; its own DUMP goes back into redis-server.
                gc.call("SELECT", db)
                self.assertEqual(gc.call("RESTORE", key, "0", payload), "OK", key)
                ours = gc.call("DUMP", key)
                rc.call("DEL", key)
                self.assertEqual(rc.call("RESTORE", key, "0", ours), "OK", key)
                rc.call("PEXPIREAT", key, exp) if exp > 0 else None
            assert_same_state(self, server_state(rc), want)
            gwant = {k: (t, enc, -1, v) for k, (t, enc, _, v) in want.items()}
            assert_same_state(self, server_state(gc), gwant)
            # Every sample payload of ours RESTOREs in redis-server with the same content.
            rc.call("FLUSHALL")
            for line in run_tool("dump-sample").stdout.decode().splitlines():
                name, hexp, desc = line.split(" ", 2)
                self.assertEqual(rc.call("RESTORE", name, "0", bytes.fromhex(hexp)), "OK", name)
                t, enc, v = norm_value(json.loads(desc))
                self.assertEqual(server_state(rc, 1)[(0, name.encode())], (t, enc, -1, v), name)

    def test_listpack_dump_payloads_are_byte_identical(self):
        """Small hashes, sorted sets and lists (listpacks) built by the same commands DUMP to
        the very bytes redis-server DUMPs, with and without compression, and so does a
        payload of redis-server's after RESTORE: our in-memory listpack has no header or
        terminator, so this pins the rebuilt block. Includes a hash whose listpack header
        count saturated at 65535 ("unknown") and stays so after deletes."""
        with harness.Server(binary=harness.redis_binary()) as redis, harness.Server() as gannet:
            rc, gc = redis.client(), gannet.client()
            scripts = [
                ["HSET", "h:session", *[x for i, f in enumerate(
                    ["user_id", "name", "email", "role", "ip", "agent", "created", "seen",
                     "csrf", "flags"]) for x in (f, f"v{i:05d}x")]],
                ["HSET", "h:ints", "a", "1", "neg", "-5000", "big", "12345678901",
                 "min", "-9223372036854775808", "lead0", "007", "e", ""],
                ["HSET", "h:long", "f", "v" * 64, "g", "w" * 63],
                ["HSET", "h:128", *[x for i in range(128) for x in (f"f{i}", f"value-{i}")]],
                ["ZADD", "z:small", "1", "a", "2.5", "b", "-3", "c", "1e10", "d", "inf", "e"],
                ["ZADD", "z:128", *[x for i in range(128) for x in (str(i * 0.25), f"m{i}")]],
                # Integral scores are stored as ints up to 2^62 inclusive, text beyond.
                ["ZADD", "z:bigint", "4503599627370496", "a", "1e17", "b",
                 "4611686018427387904", "c", "-4611686018427387904", "d",
                 "4611686018427388928", "e", "-4611686018427388928", "f", "-0", "g"],
                ["RPUSH", "l:small", "a", "b", "1", "-5", "", "x" * 100],
                ["HSET", "h:shrunk", *[x for i in range(40) for x in (f"field{i}", "v" * 30)]],
                ["HDEL", "h:shrunk", *[f"field{i}" for i in range(0, 40, 3)]],
                ["ZADD", "z:moved", "1", "a", "2", "b", "3", "c"],
                ["ZADD", "z:moved", "10", "a", "-1", "c"],
                ["ZREM", "z:moved", "b"],
            ]
            for conf in (["hash-max-listpack-entries", "40000"],
                         ["hash-max-listpack-value", "64"]):
                for c in (rc, gc):
                    self.assertEqual(c.call("CONFIG", "SET", *conf), "OK")
            for cmd in scripts:
                self.assertEqual(rc.call(*cmd), gc.call(*cmd), cmd)
            # 66000 elements: the listpack header count saturates at 65535 in both.
            for first in range(0, 33000, 1000):
                args = [x for i in range(first, first + 1000) for x in (f"k{i}", str(i % 97))]
                self.assertEqual(rc.call("HSET", "h:huge", *args), gc.call("HSET", "h:huge", *args))
            self.assertEqual(rc.call("HDEL", "h:huge", *[f"k{i}" for i in range(500)]), 500)
            self.assertEqual(gc.call("HDEL", "h:huge", *[f"k{i}" for i in range(500)]), 500)
            keys = [cmd[1] for cmd in scripts] + ["h:huge"]
            for compression in ("yes", "no"):
                for c in (rc, gc):
                    self.assertEqual(c.call("CONFIG", "SET", "rdbcompression", compression), "OK")
                for key in dict.fromkeys(keys):
                    self.assertEqual(gc.call("OBJECT", "ENCODING", key),
                                     rc.call("OBJECT", "ENCODING", key), key)
                    theirs = rc.call("DUMP", key)
                    ours = gc.call("DUMP", key)
                    # Redis's payload, RESTOREd here, DUMPs back as ours does.
                    self.assertEqual(gc.call("RESTORE", "copy", "0", theirs, "REPLACE"), "OK")
                    self.assertEqual(gc.call("DUMP", "copy"), ours, (key, compression))
                    if compression == "no":
                        self.assertEqual(ours, theirs, key)
                    else:
                        # Our LZF may pick other matches than Redis's; what it compresses
                        # is the same block if redis-server re-DUMPs it identically.
                        self.assertEqual(rc.call("RESTORE", "copy", "0", ours, "REPLACE"), "OK")
                        self.assertEqual(rc.call("DUMP", "copy"), theirs, key)


if __name__ == "__main__":
    unittest.main(verbosity=2)
