"""The append-only file with the real binary: restarts keep every write under `always` and
`everysec`; kill -9 under a write load loses no acknowledged write with `always`, at most
about two seconds of them with `everysec`, and what survives is always a prefix of what was
acknowledged; BGREWRITEAOF while clients write loses nothing; a truncated tail is trimmed
(aof-load-truncated yes) or refused (no); a corrupt middle is refused naming file and
offset; redis-check-aof accepts Gannet's files; and an appendonlydir moves between
redis-server 7.0 and Gannet in both directions."""

import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command

BINARY = harness.gannet_binary()
AOF_DIR = "appendonlydir"


dec = harness.decode


info = harness.info_fields


def aof_server(data_dir, *extra, binary=None, wait_ready=True):
    args = ["--dir", data_dir, "--appendonly", "yes"] + list(extra)
    return harness.Server(binary=binary or BINARY, args=args, wait_ready=wait_ready)


def wait_rewrite_done(c, timeout=30.0):
    ok = harness.wait_until(
        lambda: (lambda i: i["aof_rewrite_in_progress"] == "0"
                 and i["aof_rewrite_scheduled"] == "0")(info(c)), timeout=timeout)
    if not ok:
        raise AssertionError("BGREWRITEAOF still running after %.0f s" % timeout)
    return info(c)


def fill_every_type(c):
    """Writes keys of every type (and encodings), TTLs, several databases, a transaction."""
    assert c.call("SET", "str", "hello") == "OK"
    assert c.call("SET", "int", "12345") == "OK"
    assert c.call("SET", "ttl", "v", "EX", "1000") == "OK"
    c.call("RPUSH", "list", *["e%d" % i for i in range(200)])
    c.call("LPUSH", "smalllist", "a", "b", "c")
    c.call("SADD", "intset", *range(50))
    c.call("SADD", "set", *["m%d" % i for i in range(600)])
    c.call("ZADD", "zset", "1.5", "a", "-2", "b", "inf", "c")
    c.call("ZADD", "bigzset", *[x for i in range(300) for x in (i * 0.5, "z%d" % i)])
    c.call("HSET", "hash", "f1", "v1", "f2", "v2")
    c.call("HSET", "bighash", *[x for i in range(700) for x in ("f%d" % i, "v%d" % i)])
    c.call("XADD", "stream", "1-1", "a", "1")
    c.call("XADD", "stream", "2-1", "b", "2")
    c.call("XGROUP", "CREATE", "stream", "g1", "0")
    c.call("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "stream", ">")
    c.call("PFADD", "hll", "a", "b", "c")
    c.call("SETBIT", "bits", "100", "1")
    c.call("INCRBYFLOAT", "float", "1.5")
    c.call("SELECT", "5")
    c.call("SET", "db5key", "five")
    c.call("EXPIRE", "db5key", "5000")
    c.call("SELECT", "0")
    c.send(b"".join(encode_command(*cmd) for cmd in
                    [("MULTI",), ("SET", "tx1", "a"), ("INCR", "txn"), ("INCR", "txn"), ("EXEC",)]))
    for _ in range(5):
        c.read()
    c.call("SET", "gone", "x", "PX", "1")
    c.call("DEL", "str2")


def snapshot(c):
    """Every key of every database with its type, contents and TTL (rounded)."""
    out = {}
    for db in range(16):
        c.call("SELECT", db)
        for key in sorted(dec(c.call("KEYS", "*"))):
            t = dec(c.call("TYPE", key))
            if t == "none":
                continue  # expired between KEYS and TYPE
            if t == "string":
                v = c.call("GET", key)
            elif t == "list":
                v = c.call("LRANGE", key, 0, -1)
            elif t == "set":
                v = sorted(c.call("SMEMBERS", key))
            elif t == "zset":
                v = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
            elif t == "hash":
                flat = c.call("HGETALL", key)
                v = sorted(zip(flat[::2], flat[1::2]))
            elif t == "stream":
                # entries-read and lag are not kept by a reload (XREADGROUP is logged as
                # XCLAIM, as Redis 7.0 does), so only the rest of each group is compared.
                groups = [dict(zip(dec(g[::2]), g[1::2])) for g in c.call("XINFO", "GROUPS", key)]
                v = [c.call("XRANGE", key, "-", "+"),
                     [[g["name"], g["consumers"], g["pending"], g["last-delivered-id"]]
                      for g in groups]]
            else:
                v = None
            ttl = c.call("PTTL", key)
            out[(db, key)] = (t, dec(v), -1 if ttl < 0 else round(ttl / 10000.0))
    c.call("SELECT", 0)
    return out


def incr_files(data_dir):
    d = os.path.join(data_dir, AOF_DIR)
    names = sorted((f for f in os.listdir(d) if f.endswith(".incr.aof")),
                   key=lambda n: int(n.split(".")[-3]))
    return [os.path.join(d, n) for n in names]


def check_aof(data_dir):
    manifest = [f for f in os.listdir(os.path.join(data_dir, AOF_DIR)) if f.endswith(".manifest")]
    r = subprocess.run(["redis-check-aof", os.path.join(data_dir, AOF_DIR, manifest[0])],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


class Writer(threading.Thread):
    """RPUSHes 0, 1, 2 ... to `log` in pipelined batches, remembering when each was
    acknowledged, until stopped or the connection dies."""

    def __init__(self, port, batch=8):
        super().__init__(daemon=True)
        self.port = port
        self.batch = batch
        self.acked = []  # (value, monotonic ack time)
        self.stop_flag = threading.Event()
        self.error = None

    def run(self):
        n = 0
        try:
            with harness.RespClient(self.port, timeout=10.0) as c:
                while not self.stop_flag.is_set():
                    vals = list(range(n, n + self.batch))
                    c.send(b"".join(encode_command("RPUSH", "log", v) for v in vals))
                    for v in vals:
                        r = c.read()
                        if isinstance(r, RespError):
                            self.error = r
                            return
                        self.acked.append((v, time.monotonic()))
                    n += self.batch
        except Exception:  # noqa: BLE001 - the server was killed under us: expected
            pass


class AofTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gannet-aof-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------------ basics

    def test_layout_matches_redis7(self):
        with aof_server(self.dir) as s, s.client() as c:
            c.call("SET", "a", "1")
            d = os.path.join(self.dir, AOF_DIR)
            self.assertEqual(sorted(os.listdir(d)), ["appendonly.aof.1.base.rdb",
                                                     "appendonly.aof.1.incr.aof",
                                                     "appendonly.aof.manifest"])
            with open(os.path.join(d, "appendonly.aof.manifest")) as f:
                self.assertEqual(f.read(), "file appendonly.aof.1.base.rdb seq 1 type b\n"
                                           "file appendonly.aof.1.incr.aof seq 1 type i\n")
            with open(os.path.join(d, "appendonly.aof.1.incr.aof"), "rb") as f:
                self.assertEqual(f.read(), b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                           b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n")
            i = info(c)
            self.assertEqual(i["aof_enabled"], "1")
            self.assertEqual(i["aof_last_write_status"], "ok")
            self.assertIn("aof_current_size", i)
            self.assertIn("aof_delayed_fsync", i)

    def test_expired_keys_and_transactions_are_recorded(self):
        with aof_server(self.dir, "--appendfsync", "always") as s, s.client() as c:
            c.call("SET", "e", "1", "PX", "20")
            time.sleep(0.05)
            self.assertIsNone(c.call("GET", "e"))  # lazy expiry → DEL e
            c.send(b"".join(encode_command(*cmd) for cmd in
                            [("MULTI",), ("SET", "t", "1"), ("INCR", "t"), ("EXEC",)]))
            for _ in range(4):
                c.read()
            with open(incr_files(self.dir)[-1], "rb") as f:
                data = f.read()
            self.assertIn(b"*2\r\n$3\r\nDEL\r\n$1\r\ne\r\n", data)
            self.assertIn(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nt\r\n$1\r\n1\r\n"
                          b"*2\r\n$4\r\nINCR\r\n$1\r\nt\r\n*1\r\n$4\r\nEXEC\r\n", data)

    def test_restart_keeps_every_type(self):
        for policy in ("always", "everysec"):
            with self.subTest(policy=policy):
                shutil.rmtree(self.dir)
                os.mkdir(self.dir)
                with aof_server(self.dir, "--appendfsync", policy) as s, s.client() as c:
                    fill_every_type(c)
                    before = snapshot(c)
                    if policy == "always":
                        s.stop(signal.SIGKILL)  # acknowledged = on disk
                with aof_server(self.dir) as s, s.client() as c:
                    self.assertEqual(snapshot(c), before)
                    self.assertIn("DB loaded from append only file", s.log())
                self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])

    def test_timestamp_annotations(self):
        with aof_server(self.dir, "--aof-timestamp-enabled", "yes") as s, s.client() as c:
            c.call("SET", "a", "1")
            c.call("SET", "b", "2")
            with open(incr_files(self.dir)[-1], "rb") as f:
                self.assertTrue(f.read().startswith(b"#TS:"))
        code, out = check_aof(self.dir)
        self.assertEqual(code, 0, out)
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(c.call("MGET", "a", "b"), [b"1", b"2"])

    # ------------------------------------------------------------------ kill -9

    def kill_rounds(self, policy, rounds=3):
        for rnd in range(rounds):
            with aof_server(self.dir, "--appendfsync", policy) as s:
                with s.client() as c:
                    start_len = c.call("LLEN", "log")
                    c.call("DEL", "log")
                w = Writer(s.port)
                w.start()
                time.sleep(random.uniform(0.8, 2.0))
                s.stop(signal.SIGKILL)
                killed_at = time.monotonic()
                w.stop_flag.set()
                w.join(10)
                self.assertIsNone(w.error)
                self.assertGreater(len(w.acked), 0)
                acked = w.acked
            with aof_server(self.dir) as s, s.client() as c:
                got = [int(x) for x in c.call("LRANGE", "log", 0, -1)]
            # A prefix: no torn state, no hole.
            self.assertEqual(got, list(range(len(got))), "round %d (%s)" % (rnd, policy))
            del start_len
            if policy == "always":
                self.assertGreaterEqual(len(got), len(acked),
                                        "acknowledged writes lost under always")
            else:
                missing = [t for v, t in acked if v >= len(got)]
                if missing:
                    self.assertLess(killed_at - min(missing), 2.5,
                                    "%d acknowledged writes lost, oldest %.2f s before the kill"
                                    % (len(missing), killed_at - min(missing)))

    def test_kill9_always_keeps_every_acknowledged_write(self):
        self.kill_rounds("always")

    def test_kill9_everysec_loses_at_most_two_seconds(self):
        self.kill_rounds("everysec")

    # ------------------------------------------------------------------ rewrite

    def test_bgrewriteaof_while_writing_loses_nothing(self):
        with aof_server(self.dir, "--appendfsync", "always") as s:
            w = Writer(s.port)
            w.start()
            with s.client() as c:
                for _ in range(3):
                    time.sleep(0.3)
                    r = c.call("BGREWRITEAOF")
                    self.assertIn(r, ("Background append only file rewriting started",
                                      "Background append only file rewriting scheduled"))
                    i = wait_rewrite_done(c)
                    self.assertEqual(i["aof_last_bgrewrite_status"], "ok")
                self.assertGreaterEqual(int(info(c)["aof_rewrites"]), 3)
                time.sleep(0.2)
                w.stop_flag.set()
                w.join(10)
                self.assertIsNone(w.error)
                n = len(w.acked)
                self.assertEqual(c.call("LLEN", "log"), n)
            files = sorted(os.listdir(os.path.join(self.dir, AOF_DIR)))
            self.assertEqual(len([f for f in files if ".base." in f]), 1, files)
            s.stop(signal.SIGKILL)
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir) as s, s.client() as c:
            got = [int(x) for x in c.call("LRANGE", "log", 0, -1)]
            self.assertEqual(got, list(range(n)))

    def test_rewrite_as_commands_without_rdb_preamble(self):
        with aof_server(self.dir, "--aof-use-rdb-preamble", "no") as s, s.client() as c:
            fill_every_type(c)
            self.assertEqual(c.call("BGREWRITEAOF"),
                             "Background append only file rewriting started")
            wait_rewrite_done(c)
            c.call("SET", "after", "rewrite")
            before = snapshot(c)
            names = os.listdir(os.path.join(self.dir, AOF_DIR))
            self.assertIn("appendonly.aof.2.base.aof", names)
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(snapshot(c), before)

    def test_rewrite_already_in_progress_and_automatic_rewrite(self):
        with aof_server(self.dir, "--auto-aof-rewrite-min-size", "64kb",
                        "--auto-aof-rewrite-percentage", "100") as s, s.client() as c:
            value = "x" * 1000
            for i in range(200):
                c.call("SET", "k%d" % (i % 10), value)
            ok = harness.wait_until(lambda: int(info(c)["aof_rewrites"]) >= 1, timeout=10)
            self.assertTrue(ok, info(c))
            wait_rewrite_done(c)
            self.assertIn("Starting automatic rewriting of AOF", s.log())
            self.assertEqual(c.call("GET", "k3"), value.encode())

    def test_config_set_appendonly_creates_the_aof(self):
        with harness.Server(args=["--dir", self.dir]) as s, s.client() as c:
            for i in range(100):
                c.call("SET", "before%d" % i, i)
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "yes"), "OK")
            c.call("SET", "during", "1")
            wait_rewrite_done(c)
            c.call("SET", "after", "1")
            self.assertEqual(info(c)["aof_enabled"], "1")
            before = snapshot(c)
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "no"), "OK")
            self.assertEqual(info(c)["aof_enabled"], "0")
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(snapshot(c), before)

    # ------------------------------------------------------------------ loading, faults

    def test_aof_load_serves_loading_replies(self):
        """The startup load of an AOF (RDB preamble) serves clients: -LOADING, INFO's
        loading_* figures over every file of the AOF."""
        with aof_server(self.dir) as s, s.client() as c:
            for start in range(0, 20000, 5000):
                c.send(b"".join(encode_command("SET", "k%d" % i, i)
                                for i in range(start, start + 5000)))
                for _ in range(5000):
                    c.read()
            self.assertEqual(c.call("BGREWRITEAOF"),
                             "Background append only file rewriting started")
            wait_rewrite_done(c)
            c.call("SET", "after", "1")
        d = os.path.join(self.dir, AOF_DIR)
        total = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                    if not f.endswith(".manifest"))
        extra = [] if not harness.is_redis(BINARY) else [
            "--loading-process-events-interval-bytes", "1024"]
        s = aof_server(self.dir, "--key-load-delay", "200", *extra, wait_ready=False)
        with s:
            deadline = time.monotonic() + 10
            while True:
                try:
                    c = s.client(timeout=10.0)
                    break
                except OSError:
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.02)
            with c:
                loading = RespError("LOADING Redis is loading the dataset in memory")
                self.assertEqual(c.call("PING"), loading)
                self.assertEqual(c.call("SET", "x", "1"), loading)
                inf = info(c)
                self.assertEqual(inf["loading"], "1")
                self.assertEqual(int(inf["loading_total_bytes"]), total)
                self.assertEqual(c.call("CONFIG", "SET", "key-load-delay", "0"), "OK")
                self.assertTrue(harness.wait_until(lambda: c.call("PING") == "PONG", timeout=30))
                self.assertEqual(c.call("DBSIZE"), 20001)
                self.assertNotIn("loading_total_bytes", info(c))

    def test_write_error_refuses_writes_until_it_clears(self):
        """RLIMIT_FSIZE on the running server (prlimit --pid) makes the AOF's write(2) fail
        as on a full disk: the write that hit it stays buffered, later writes (and PING)
        get -MISCONF with the errno's text, and once writing works again (retried from the
        cron) writes are accepted and nothing was lost."""
        if harness.is_redis(BINARY):
            self.skipTest("redis-server dies of SIGXFSZ under RLIMIT_FSIZE")
        with aof_server(self.dir, "--appendfsync", "everysec") as s, s.client() as c:
            self.assertEqual(c.call("SET", "a", "1"), "OK")
            incr = incr_files(self.dir)[-1]
            harness.wait_until(lambda: os.path.getsize(incr) > 0, timeout=5)
            # everysec postpones a write while an fsync runs: start from a quiet writer.
            harness.wait_until(lambda: info(c)["aof_pending_bio_fsync"] == "0", timeout=10)
            for extra, text in ((0, "File too large"), (10, "No space left on device")):
                size_before = os.path.getsize(incr)
                limit = size_before + extra
                subprocess.run(["prlimit", "--pid", str(s.pid()), "--fsize=%d:unlimited" % limit],
                               check=True)
                # This write's reply was due before its AOF write failed (as Redis).
                self.assertEqual(c.call("SET", "big:%s" % limit, "x" * 1000), "OK")
                misconf = RespError("MISCONF Errors writing to the AOF file: " + text)
                self.assertEqual(c.call("SET", "b", "2"), misconf)
                self.assertEqual(c.call("PING"), misconf)
                self.assertEqual(c.call("MULTI"), "OK")
                self.assertEqual(c.call("INCR", "n"), misconf)
                self.assertEqual(c.call("EXEC"), RespError(
                    "EXECABORT Transaction discarded because of previous errors."))
                self.assertEqual(c.call("GET", "a"), b"1")
                self.assertEqual(info(c)["aof_last_write_status"], "err")
                # No partial command is left in the file (a short write is cut off).
                self.assertEqual(os.path.getsize(incr), size_before)
                subprocess.run(["prlimit", "--pid", str(s.pid()), "--fsize=unlimited"],
                               check=True)
                self.assertTrue(harness.wait_until(
                    lambda: info(c)["aof_last_write_status"] == "ok", timeout=10))
                self.assertEqual(c.call("SET", "b", "2"), "OK")
                self.assertEqual(c.call("PING"), "PONG")
            # (The error lines themselves can't reach a log file under the same limit.)
            self.assertEqual(s.log().count("AOF write error looks solved, Redis can write again."),
                             2)
            expected = snapshot(c)
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(snapshot(c), expected)

    def _stop_child(self, s, pattern):
        return harness.freeze_child(s, pattern, self)

    def check_bgsave_and_rewrite_exclusion(self, binary):
        with aof_server(self.dir, binary=binary) as s, s.client() as c:
            for start in range(0, 100000, 10000):
                c.send(b"".join(encode_command("SET", "fill:%d" % i, "x" * 100)
                                for i in range(start, start + 10000)))
                for _ in range(10000):
                    c.read()
            # BGSAVE while a rewrite child runs.
            self.assertEqual(c.call("BGREWRITEAOF"),
                             "Background append only file rewriting started")
            pid = self._stop_child(
                s, r"Background append only file rewriting started by pid (\d+)")
            try:
                self.assertEqual(c.call("BGSAVE"), RespError(
                    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use "
                    "BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."))
                self.assertEqual(c.call("BGREWRITEAOF"), RespError(
                    "ERR Background append only file rewriting already in progress"))
                self.assertEqual(c.call("BGSAVE", "SCHEDULE"), "Background saving scheduled")
                inf = info(c)
                self.assertEqual(inf["rdb_bgsave_in_progress"], "0")
                self.assertEqual(inf["aof_rewrite_in_progress"], "1")
            finally:
                os.kill(pid, signal.SIGCONT)
            # The scheduled save starts once the rewrite is done.
            self.assertTrue(harness.wait_until(
                lambda: "Background saving terminated with success" in s.log(), timeout=30))
            inf = info(c)
            self.assertEqual(inf["aof_last_bgrewrite_status"], "ok")
            # Both children report their copy-on-write size (at least their own buffers).
            self.assertGreater(int(inf["aof_last_cow_size"]), 0)
            self.assertGreater(int(inf["rdb_last_cow_size"]), 0)
            self.assertTrue(os.path.exists(os.path.join(self.dir, "dump.rdb")))
            rewrites = int(info(c)["aof_rewrites"])
            # BGREWRITEAOF while a BGSAVE child runs: scheduled.
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            pid = self._stop_child(s, r"Background saving started by pid (\d+)")
            try:
                self.assertEqual(c.call("BGREWRITEAOF"),
                                 "Background append only file rewriting scheduled")
                self.assertEqual(c.call("BGSAVE"),
                                 RespError("ERR Background save already in progress"))
                inf = info(c)
                self.assertEqual(inf["aof_rewrite_scheduled"], "1")
                self.assertEqual(inf["aof_rewrite_in_progress"], "0")
                self.assertEqual(inf["rdb_bgsave_in_progress"], "1")
            finally:
                os.kill(pid, signal.SIGCONT)
            self.assertTrue(harness.wait_until(
                lambda: int(info(c)["aof_rewrites"]) > rewrites, timeout=30), info(c))
            wait_rewrite_done(c)
            self.assertEqual(c.call("DBSIZE"), 100000)

    def test_bgsave_and_bgrewriteaof_exclude_each_other(self):
        self.check_bgsave_and_rewrite_exclusion(BINARY)

    def test_bgsave_and_bgrewriteaof_exclusion_in_redis(self):
        """The same replies from redis-server 7.0 (the oracle for the texts above)."""
        self.check_bgsave_and_rewrite_exclusion(harness.redis_binary())

    # ------------------------------------------------------------------ bad files

    def prepare(self, commands=50):
        with aof_server(self.dir, "--appendfsync", "always") as s, s.client() as c:
            for i in range(commands):
                c.call("RPUSH", "log", i)
        return incr_files(self.dir)[-1]

    def test_truncated_tail_is_trimmed_or_refused(self):
        path = self.prepare()
        good_size = os.path.getsize(path)
        with open(path, "ab") as f:
            f.write(b"*3\r\n$5\r\nRPUSH\r\n$3\r\nlog\r\n$2\r\n5")  # a write cut short
        with aof_server(self.dir, "--aof-load-truncated", "no", wait_ready=False) as s:
            s.proc.wait(timeout=20)
            self.assertNotEqual(s.proc.returncode, 0)
            self.assertIn("Unexpected end of file reading the append only file "
                          "appendonly.aof.1.incr.aof at offset", s.log())
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual([int(x) for x in c.call("LRANGE", "log", 0, -1)], list(range(50)))
            self.assertIn("Truncating the AOF appendonly.aof.1.incr.aof at offset %d" % good_size,
                          s.log())
            c.call("RPUSH", "log", 50)  # appending after the trimmed tail works
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(c.call("LLEN", "log"), 51)

    def test_corrupt_middle_is_refused_with_file_and_offset(self):
        path = self.prepare()
        with open(path, "rb") as f:
            data = f.read()
        cut = data.index(b"*3", len(data) // 2)
        with open(path, "wb") as f:
            f.write(data[:cut] + b"!garbage\r\n" + data[cut:])
        with aof_server(self.dir, wait_ready=False) as s:
            s.proc.wait(timeout=20)
            self.assertNotEqual(s.proc.returncode, 0)
            self.assertIn("Bad file format reading the append only file appendonly.aof.1.incr.aof "
                          "at offset %d" % cut, s.log())

    def test_bad_manifest_and_unknown_command_are_refused(self):
        self.prepare(3)
        manifest = os.path.join(self.dir, AOF_DIR, "appendonly.aof.manifest")
        with open(manifest, "w") as f:
            f.write("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    "file appendonly.aof.1.base.rdb seq 1 type b\n")
        with aof_server(self.dir, wait_ready=False) as s:
            s.proc.wait(timeout=20)
            self.assertNotEqual(s.proc.returncode, 0)
            self.assertIn("Found duplicate base file information", s.log())
        with open(manifest, "w") as f:
            f.write("file appendonly.aof.1.base.rdb seq 1 type b\n"
                    "file appendonly.aof.1.incr.aof seq 1 type i\n")
        with open(incr_files(self.dir)[-1], "ab") as f:
            f.write(encode_command("NOSUCHCOMMAND", "x"))
        with aof_server(self.dir, wait_ready=False) as s:
            s.proc.wait(timeout=20)
            self.assertNotEqual(s.proc.returncode, 0)
            self.assertIn("Unknown command 'NOSUCHCOMMAND'", s.log())

    # ------------------------------------------------------------------ interop

    def test_redis_appendonlydir_loads_in_gannet_and_back(self):
        redis = harness.redis_binary()
        with aof_server(self.dir, binary=redis) as s, s.client() as c:
            fill_every_type(c)
            c.call("BGREWRITEAOF")
            wait_rewrite_done(c)
            c.call("RPUSH", "list", "after-rewrite")  # lands in Redis's incr file
            c.call("SELECT", "9")
            c.call("SET", "db9", "x")
            c.call("SELECT", "0")
            expected = snapshot(c)
        with aof_server(self.dir) as s, s.client() as c:
            self.assertEqual(snapshot(c), expected)
            c.call("SET", "from-gannet", "1")
            c.call("BGREWRITEAOF")
            wait_rewrite_done(c)
            c.call("HSET", "hash", "f3", "v3")
            expected = snapshot(c)
        self.assertEqual(check_aof(self.dir)[0], 0, check_aof(self.dir)[1])
        with aof_server(self.dir, binary=redis) as s, s.client() as c:
            self.assertEqual(snapshot(c), expected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
