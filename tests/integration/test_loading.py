"""The dataset while it loads, side by side with redis-server 7.0.15.

Expiry: nothing expires while a dataset loads (Redis's keyIsExpired returns 0 while
loading). An AOF's commands are replayed against the keyspace they were logged against:
a key whose TTL has passed is still there for them (APPEND appends to it, PERSIST keeps
it), EXPIRE/GETEX/RESTORE with a time already past set that time instead of deleting, and
the keys of an RDB preamble are all loaded, expired or not. Such keys go once the load is
over. A plain RDB (startup, DEBUG RELOAD) drops the keys whose TTL has passed, as Redis.
Each case runs in both servers from the same hand-written appendonlydir and the results
are compared, plus the expected values written out.

Commands during the startup load (key-load-delay slows it, in both servers): CONFIG SET
of `appendonly` (and `dir`) is refused with -LOADING with Redis's precedence over the
other CONFIG SET errors, the other commands with the `loading` flag answer as in Redis,
those without it get -LOADING. DEBUG RELOAD is refused while loading: Gannet's one
deliberate difference, since Redis 7.0.15 then saves the half-loaded dataset over
dump.rdb and loses keys (shown by a test)."""

import os
import shutil
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command

BINARY = harness.gannet_binary()
REDIS = harness.redis_binary()
LOADING = RespError("LOADING Redis is loading the dataset in memory")
PAST = "1000"  # 1970: every deadline below is long gone


dec = harness.decode


info = harness.info_fields


def contents(c, dbs=(0, 1)):
    """{(db, key): (value, ttl-state)} for every key: the value by type, and "ttl" for a
    key with a TTL, -1 for one without."""
    out = {}
    for db in dbs:
        assert c.call("SELECT", db) == "OK"
        for k in sorted(c.call("KEYS", "*")):
            t = c.call("TYPE", k)
            if t == "string":
                v = c.call("GET", k)
            elif t == "list":
                v = c.call("LRANGE", k, 0, -1)
            elif t in ("set", "zset"):
                v = sorted(c.call("SMEMBERS", k)) if t == "set" else c.call("ZRANGE", k, 0, -1)
            elif t == "hash":
                v = c.call("HGETALL", k)
            else:
                v = t
            pttl = c.call("PTTL", k)
            out[(db, dec(k))] = (dec(v), "ttl" if pttl > 0 else pttl)
    assert c.call("SELECT", 0) == "OK"
    return out


def replay_cases(payload):
    """name -> commands; each case's keys start with its name, so all share one AOF."""
    return {
        # A key whose TTL has passed is still there for the commands that follow.
        "append": [("SET", "append", "v", "PXAT", PAST), ("APPEND", "append", "x")],
        "incr": [("SET", "incr", "5"), ("PEXPIREAT", "incr", PAST), ("INCR", "incr")],
        "setnx": [("SET", "setnx", "v", "PXAT", PAST), ("SETNX", "setnx", "v2")],
        "setnx2": [("SET", "setnx2", "v", "PXAT", PAST), ("SET", "setnx2", "w", "NX")],
        "keepttl": [("SET", "keepttl", "v"), ("PEXPIREAT", "keepttl", PAST),
                    ("SET", "keepttl", "w", "KEEPTTL")],
        "persist": [("SET", "persist", "v", "PXAT", PAST), ("PERSIST", "persist")],
        "rename": [("SET", "rename", "v", "PXAT", PAST), ("RENAME", "rename", "rename2")],
        "renamep": [("SET", "renamep", "v", "PXAT", PAST), ("RENAME", "renamep", "renamep2"),
                    ("PERSIST", "renamep2")],
        "rpush": [("RPUSH", "rpush", "a"), ("PEXPIREAT", "rpush", PAST), ("RPUSH", "rpush", "b"),
                  ("PERSIST", "rpush")],
        "sadd": [("SADD", "sadd", "a"), ("PEXPIREAT", "sadd", PAST), ("SADD", "sadd", "b"),
                 ("PERSIST", "sadd")],
        "hincr": [("HSET", "hincr", "f", "1"), ("PEXPIREAT", "hincr", PAST),
                  ("HINCRBY", "hincr", "f", "1"), ("PERSIST", "hincr")],
        "setrange": [("SET", "setrange", "abc", "PXAT", PAST), ("SETRANGE", "setrange", "1", "Z"),
                     ("PERSIST", "setrange")],
        "copy": [("SET", "copy", "v", "PXAT", PAST), ("COPY", "copy", "copy2"),
                 ("PERSIST", "copy2")],
        "move": [("SET", "move", "v", "PXAT", PAST), ("MOVE", "move", "1"), ("SELECT", "1"),
                 ("PERSIST", "move"), ("SELECT", "0")],
        "smove": [("SADD", "smove", "a"), ("PEXPIREAT", "smove", PAST),
                  ("SMOVE", "smove", "smove2", "a")],
        "lmove": [("RPUSH", "lmove", "a", "b"), ("PEXPIREAT", "lmove", PAST),
                  ("LMOVE", "lmove", "lmove2", "LEFT", "LEFT")],
        "sunionstore": [("SADD", "sunionstore", "a"), ("PEXPIREAT", "sunionstore", PAST),
                        ("SUNIONSTORE", "sunionstore2", "sunionstore")],
        "multi": [("MULTI",), ("SET", "multi", "v", "PXAT", PAST), ("APPEND", "multi", "x"),
                  ("EXEC",)],
        # A time already past sets the TTL instead of deleting (checkAlreadyExpired).
        "getex": [("SET", "getex", "v", "PXAT", PAST), ("GETEX", "getex", "PERSIST")],
        "getexat": [("SET", "getexat", "v"), ("GETEX", "getexat", "PXAT", PAST),
                    ("PERSIST", "getexat")],
        "expireneg": [("SET", "expireneg", "v"), ("EXPIRE", "expireneg", "-5"),
                      ("PERSIST", "expireneg")],
        "pexpire0": [("SET", "pexpire0", "v"), ("PEXPIRE", "pexpire0", "0"),
                     ("PERSIST", "pexpire0")],
        "expiregt": [("SET", "expiregt", "v", "PXAT", "2000"), ("PEXPIREAT", "expiregt", PAST, "LT"),
                     ("PERSIST", "expiregt")],
        "restore": [("RESTORE", "restore", PAST, payload, "ABSTTL"), ("PERSIST", "restore")],
        "restorettl": [("RESTORE", "restorettl", PAST, payload, "ABSTTL"),
                       ("APPEND", "restorettl", "x")],
        "del": [("SET", "del", "v", "PXAT", PAST), ("DEL", "del"), ("SET", "del2", "x")],
        # The keys of the RDB preamble (base:*, their TTLs long past) are all there.
        "base": [("APPEND", "base:str", "x"), ("PERSIST", "base:list"),
                 ("RPUSH", "base:list2", "c"), ("PERSIST", "base:list2")],
    }


# What both servers hold after the load (checked against Redis too, but written out so
# that the test fails if both ever agree on something else).
EXPECTED = {
    (0, "persist"): ("v", -1),
    (0, "renamep2"): ("v", -1),
    (0, "rpush"): (["a", "b"], -1),
    (0, "sadd"): (["a", "b"], -1),
    (0, "hincr"): (["f", "2"], -1),
    (0, "setrange"): ("aZc", -1),
    (0, "copy2"): ("v", -1),
    (1, "move"): ("v", -1),
    (0, "smove2"): (["a"], -1),
    (0, "lmove2"): (["a"], -1),
    (0, "sunionstore2"): (["a"], -1),
    (0, "getex"): ("v", -1),
    (0, "getexat"): ("v", -1),
    (0, "expireneg"): ("v", -1),
    (0, "pexpire0"): ("v", -1),
    (0, "expiregt"): ("v", -1),
    (0, "restore"): ("dumped", -1),
    (0, "del2"): ("x", -1),
    (0, "base:list"): (["a", "b"], -1),
    (0, "base:list2"): (["a", "b", "c"], -1),
    (0, "base:live"): ("live", -1),
}


def expired_keys_rdb(directory):
    """Has redis-server write an RDB in directory holding keys whose TTLs pass before SAVE
    (active expiry off, so they are still in the file); returns (the file's bytes, a DUMP
    payload of a key that is not in it)."""
    with harness.Server(binary=REDIS, args=["--dir", directory, "--enable-debug-command",
                                            "yes"]) as s, s.client() as c:
        assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
        assert c.call("SET", "base:live", "live") == "OK"
        assert c.call("SET", "base:str", "old", "PX", "1") == "OK"
        c.call("RPUSH", "base:list", "a", "b")
        c.call("RPUSH", "base:list2", "a", "b")
        c.call("PEXPIRE", "base:list", "1")
        c.call("PEXPIRE", "base:list2", "1")
        assert c.call("SET", "payload", "dumped") == "OK"
        payload = c.call("DUMP", "payload")
        assert c.call("DEL", "payload") == 1
        time.sleep(0.05)
        assert c.call("SAVE") == "OK"
    with open(os.path.join(directory, "dump.rdb"), "rb") as f:
        return f.read(), payload


class ExpiryWhileLoading(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        """Redis writes the RDB used below: keys whose TTLs pass before SAVE (active expiry
        off, so they are still in the file), and a DUMP payload."""
        cls.tmp = tempfile.mkdtemp(prefix="gannet-loadexp-")
        d = os.path.join(cls.tmp, "gen")
        os.mkdir(d)
        cls.rdb, cls.payload = expired_keys_rdb(d)
        assert b"base:str" in cls.rdb and b"base:list2" in cls.rdb

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def write_aof(self, d, commands):
        ad = os.path.join(d, "appendonlydir")
        os.makedirs(ad)
        with open(os.path.join(ad, "appendonly.aof.manifest"), "w") as f:
            f.write("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    "file appendonly.aof.1.incr.aof seq 1 type i\n")
        with open(os.path.join(ad, "appendonly.aof.1.base.rdb"), "wb") as f:
            f.write(self.rdb)
        with open(os.path.join(ad, "appendonly.aof.1.incr.aof"), "wb") as f:
            f.write(b"".join(encode_command(*cmd) for cmd in [("SELECT", "0")] + commands))

    def load_aof(self, binary, commands):
        d = tempfile.mkdtemp(prefix="aof-", dir=self.tmp)
        self.write_aof(d, commands)
        with harness.Server(binary=binary, args=["--dir", d, "--appendonly", "yes"]) as s, \
                s.client() as c:
            inf = info(c)
            got = contents(c)
            self.assertEqual(inf["loading"], "0")
            log = s.log()
        return got, log, inf

    def test_aof_replay_sees_the_keyspace_it_was_logged_against(self):
        commands = [cmd for case in replay_cases(self.payload).values() for cmd in case]
        redis, _, redis_info = self.load_aof(REDIS, commands)
        gannet, log, gannet_info = self.load_aof(BINARY, commands)
        self.assertEqual(gannet, EXPECTED)
        self.assertEqual(redis, EXPECTED)
        self.assertIn("DB loaded from append only file", log)
        # Every key of the preamble counts as loaded, the expired ones too.
        for field in ("rdb_last_load_keys_loaded", "rdb_last_load_keys_expired"):
            self.assertEqual(gannet_info[field], redis_info[field], field)
        self.assertEqual(gannet_info["rdb_last_load_keys_loaded"], "4")

    def test_each_case_alone(self):
        """One AOF per case, so that one case's keys cannot hide another's mistake."""
        for name, commands in replay_cases(self.payload).items():
            if name == "base":
                continue
            with self.subTest(case=name):
                got, _, _ = self.load_aof(BINARY, commands)
                # A case's keys are its name, and its name with a 2 (RENAME's target...).
                want = {k: v for k, v in EXPECTED.items() if k[1] in (name, name + "2")}
                want.update({k: v for k, v in EXPECTED.items() if k[1].startswith("base:")
                             and k[1] not in ("base:list", "base:list2")})
                self.assertEqual(got, want)

    def test_keys_expire_once_the_load_is_over(self):
        d = tempfile.mkdtemp(prefix="aof-", dir=self.tmp)
        self.write_aof(d, [("SET", "soon", "v", "PX", "300"), ("SET", "gone", "v", "PXAT", PAST)])
        with harness.Server(binary=BINARY, args=["--dir", d, "--appendonly", "yes"]) as s, \
                s.client() as c:
            # The expired ones are gone at the first lookup after the load, and active
            # expiry reclaims them without one.
            self.assertEqual(c.call("EXISTS", "gone", "base:str"), 0)
            self.assertTrue(harness.wait_until(
                lambda: info(c, "keyspace").get("db0", "").startswith("keys=1,"), timeout=10),
                info(c, "keyspace"))
            self.assertEqual(c.call("GET", "base:live"), b"live")

    def test_rdb_load_and_debug_reload_drop_expired_keys(self):
        """A plain RDB (startup, DEBUG RELOAD NOSAVE) leaves out the keys whose TTL has
        passed and counts them, as Redis."""
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            d = tempfile.mkdtemp(prefix="rdb-", dir=self.tmp)
            with open(os.path.join(d, "dump.rdb"), "wb") as f:
                f.write(self.rdb)
            with harness.Server(binary=binary,
                                args=["--dir", d, "--enable-debug-command", "yes"]) as s, \
                    s.client() as c:
                startup = (contents(c), info(c)["rdb_last_load_keys_expired"],
                           info(c)["rdb_last_load_keys_loaded"])
                self.assertEqual(c.call("SET", "extra", "1"), "OK")
                with open(os.path.join(d, "dump.rdb"), "wb") as f:
                    f.write(self.rdb)
                self.assertEqual(c.call("DEBUG", "RELOAD", "NOSAVE"), "OK")
                reload = (contents(c), info(c)["rdb_last_load_keys_expired"])
            results[name] = (startup, reload)
        self.assertEqual(results["gannet"], results["redis"])
        startup, reload = results["gannet"]
        self.assertEqual(startup, ({(0, "base:live"): ("live", -1)}, "3", "1"))
        self.assertEqual(reload, ({(0, "base:live"): ("live", -1)}, "3"))


class CommandsWhileLoading(unittest.TestCase):
    """Both servers load the same 20000-key dump.rdb slowly (key-load-delay; Redis also
    needs loading-process-events-interval-bytes to serve clients that often)."""

    KEYS = 20000

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gannet-loadcmd-")
        cls.dump = os.path.join(cls.tmp, "dump.rdb")
        with harness.Server(binary=BINARY, args=["--dir", cls.tmp]) as s, s.client() as c:
            for start in range(0, cls.KEYS, 5000):
                c.send(b"".join(encode_command("SET", "fill:%d" % i, "v%d" % i)
                                for i in range(start, start + 5000)))
                for _ in range(5000):
                    c.read()
            assert c.call("SAVE") == "OK"

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def loading_server(self, binary, *args):
        d = tempfile.mkdtemp(prefix="srv-", dir=self.tmp)
        shutil.copy(self.dump, os.path.join(d, "dump.rdb"))
        extra = ["--loading-process-events-interval-bytes", "1024"] if harness.is_redis(binary) \
            else []
        return harness.Server(binary=binary, args=["--dir", d, "--key-load-delay", "300", *extra,
                                                   *args], wait_ready=False), d

    def connect(self, s):
        deadline = time.monotonic() + 10
        while True:
            try:
                return s.client(timeout=20.0)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def finish_load(self, c):
        self.assertEqual(c.call("CONFIG", "SET", "key-load-delay", "0"), "OK")
        self.assertTrue(harness.wait_until(lambda: c.call("PING") == "PONG", timeout=60))
        self.assertEqual(c.call("DBSIZE"), self.KEYS)

    CONFIG_SETS = [
        ("appendonly", "yes"),
        ("appendonly", "no"),  # unchanged, refused all the same
        ("appendonly", "maybe"),  # refused before the value is read
        ("appendonly", "no", "appendonly", "no"),
        ("appendonly", "no", "nosuch", "1"),
        ("nosuch", "1", "appendonly", "no"),
        ("appendonly", "no", "daemonize", "no"),
        ("daemonize", "no", "appendonly", "no"),
        ("dir", "/tmp", "appendonly", "no"),
        ("maxmemory", "foo", "appendonly", "no"),
        ("appendonly", "no", "maxmemory", "foo"),
        ("maxmemory", "1mb", "appendonly", "no"),  # nothing applied
        ("maxmemory", "0", "maxmemory", "0", "appendonly", "no"),
        ("maxmemory", "0"),
        ("appendfsync", "always"),
    ]

    # Commands with the `loading` flag (they run) and without it (-LOADING), whose replies
    # do not depend on the server's identity or the moment.
    COMMANDS = [
        ("ECHO", "hi"), ("SELECT", "1"), ("SELECT", "99"), ("SELECT", "0"), ("WATCH", "fill:1"),
        ("UNWATCH",), ("MULTI",), ("ECHO", "a"), ("EXEC",), ("MULTI",), ("GET", "x"), ("EXEC",),
        ("MULTI",), ("DISCARD",), ("DISCARD",), ("PUBLISH", "ch", "m"),
        ("PUBSUB", "NUMSUB", "ch"), ("PUBSUB", "NUMPAT"), ("CLIENT", "SETNAME", "xx"),
        ("CLIENT", "GETNAME"), ("CONFIG", "GET", "maxmemory"), ("CONFIG", "REWRITE"),
        ("SLOWLOG", "LEN"), ("LATENCY", "RESET"), ("COMMAND", "GETKEYS", "SET", "a", "b"),
        ("ACL", "WHOAMI"), ("ACL", "SAVE"), ("AUTH", "x"), ("LASTSAVE", "x"),
        ("PING",), ("DBSIZE",), ("GET", "fill:1"), ("SET", "k", "v"), ("BGSAVE",), ("SAVE",),
        ("FLUSHALL",), ("BGREWRITEAOF",), ("KEYS", "*"),
    ]

    def run_all(self, binary):
        s, d = self.loading_server(binary, "--enable-debug-command", "yes")
        out = []
        with s, self.connect(s) as c:
            self.assertEqual(c.call("PING"), LOADING)
            for args in self.CONFIG_SETS:
                out.append((("CONFIG", "SET") + args, c.call("CONFIG", "SET", *args)))
            out.append(("maxmemory after", c.call("CONFIG", "GET", "maxmemory")))
            for args in self.COMMANDS:
                out.append((args, c.call(*args)))
            self.assertEqual(c.call("PING"), LOADING, "the load ended before the last command")
            self.assertEqual(c.call("CONFIG", "SET", "appendfsync", "everysec"), "OK")
            self.finish_load(c)
            out.append(("aof_enabled", info(c)["aof_enabled"]))
        return out

    def test_replies_match_redis(self):
        redis = {repr(k): v for k, v in self.run_all(REDIS)}
        gannet = {repr(k): v for k, v in self.run_all(BINARY)}
        self.assertEqual(gannet, redis)
        self.assertEqual(gannet[repr(("CONFIG", "SET", "appendonly", "yes"))], LOADING)
        self.assertEqual(gannet[repr(("CONFIG", "SET", "maxmemory", "0"))], "OK")
        self.assertEqual(gannet["'maxmemory after'"], [b"maxmemory", b"0"])
        self.assertEqual(gannet[repr(("GET", "fill:1"))], LOADING)
        self.assertEqual(gannet["'aof_enabled'"], "0")

    def test_debug_reload_is_refused_while_loading(self):
        if harness.is_redis(BINARY):
            self.skipTest("Gannet's refusal (Redis saves half a dataset: the test below)")
        with open(self.dump, "rb") as f:
            before = f.read()
        s, d = self.loading_server(BINARY, "--enable-debug-command", "yes")
        with s, self.connect(s) as c:
            self.assertEqual(c.call("DEBUG", "RELOAD"), LOADING)
            self.assertEqual(c.call("DEBUG", "RELOAD", "NOSAVE"), LOADING)
            self.assertEqual(c.call("DEBUG", "LOADAOF"), LOADING)  # same reason
            self.assertEqual(c.call("PING"), LOADING)
            with open(os.path.join(d, "dump.rdb"), "rb") as f:
                self.assertEqual(f.read(), before)
            self.finish_load(c)
            self.assertEqual(c.call("DEBUG", "RELOAD"), "OK")
            self.assertEqual(c.call("DBSIZE"), self.KEYS)

    def test_redis_debug_reload_while_loading_overwrites_the_dump(self):
        """Why Gannet refuses: Redis 7.0.15 saves what it has loaded so far over the file it
        is loading, so the dump on disk loses keys. (What it then holds in memory depends on
        timing: it was seen with 145 keys and with all 20000, so that is not asserted.)"""
        with open(self.dump, "rb") as f:
            before = f.read()
        s, d = self.loading_server(REDIS, "--enable-debug-command", "yes")
        with s, self.connect(s) as c:
            self.assertEqual(c.call("DEBUG", "RELOAD"), "OK")
            with open(os.path.join(d, "dump.rdb"), "rb") as f:
                self.assertLess(len(f.read()), len(before))
            self.assertEqual(c.call("CONFIG", "SET", "key-load-delay", "0"), "OK")
            self.assertTrue(harness.wait_until(lambda: c.call("PING") == "PONG", timeout=60))


if __name__ == "__main__":
    unittest.main()
