"""Snapshots with the real binary: SAVE and restart keep every key and TTL, BGSAVE is a
point-in-time copy taken while clients write, save points fire, SHUTDOWN and SIGTERM save,
a corrupt or truncated dump.rdb stops startup with the file and the offset, a failing disk
(RLIMIT_FSIZE set on the server process with prlimit) turns into rdb_last_bgsave_status:err
and -MISCONF while the previous file stays intact, and dump.rdb files move between
redis-server 7.0 and Gannet in both directions with every type."""

import os
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
IS_REDIS = harness.is_redis(BINARY)

MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.")


dec = harness.decode


info = harness.info_fields


def pipeline(c, commands):
    """Sends every command at once, then reads every reply."""
    c.send(b"".join(encode_command(*cmd) for cmd in commands))
    return [c.read() for _ in commands]


def wait_bgsave_done(c, timeout=30.0):
    ok = harness.wait_until(lambda: info(c)["rdb_bgsave_in_progress"] == "0", timeout=timeout)
    if not ok:
        raise AssertionError("BGSAVE still running after %.0f s" % timeout)
    return info(c)


def fill_every_type(c):
    """Every type, in its small and large encodings, with TTLs and several databases."""
    cmds = [
        ("SET", "str:small", "hello"),
        ("SET", "str:int", "12345"),
        ("SET", "str:neg", "-9223372036854775808"),
        ("SET", "str:big", "abc" * 400),  # LZF-compressible
        ("SET", "str:bin", bytes(range(256)) * 3),
        ("SET", "str:ttl", "expiring", "PX", 3_600_000),
        ("SET", "str:empty", ""),
        ("RPUSH", "list:small", "a", "b", "1", "-2"),
        ("RPUSH", "list:big", *["element-%d" % i for i in range(2000)]),
        ("HSET", "hash:small", "f1", "v1", "f2", "2"),
        ("HSET", "hash:big", *[x for i in range(700) for x in ("field%d" % i, "v%d" % i)]),
        ("HSET", "hash:longval", "f", "y" * 100),
        ("SADD", "set:int", 1, 2, 3, -7, 100000),
        ("SADD", "set:str", "a", "b", "c"),
        ("SADD", "set:big", *["m%d" % i for i in range(700)]),
        ("ZADD", "zset:small", 1, "a", 2.5, "b", -3, "c"),
        ("ZADD", "zset:big", *[x for i in range(300) for x in (i / 7, "z%d" % i)]),
        ("ZADD", "zset:inf", "+inf", "top", "-inf", "bottom"),
        ("PFADD", "hll", *["h%d" % i for i in range(50)]),
        ("SETBIT", "bits", 1000, 1),
        ("GEOADD", "geo", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"),
        ("EXPIRE", "hash:small", 100000),
        ("PEXPIRE", "list:big", 5_000_000),
    ]
    for i in range(150):
        cmds.append(("XADD", "stream", "%d-1" % (i + 1), "f", "v%d" % i, "n", i))
    cmds += [
        ("XGROUP", "CREATE", "stream", "g1", "0"),
        ("XGROUP", "CREATE", "stream", "g2", "$"),
        ("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 5, "STREAMS", "stream", ">"),
        ("XREADGROUP", "GROUP", "g1", "bob", "COUNT", 3, "STREAMS", "stream", ">"),
        ("XACK", "stream", "g1", "2-1"),
        ("XADD", "stream:empty", "5-5", "a", "b"),
        ("XDEL", "stream:empty", "5-5"),
    ]
    for reply in pipeline(c, cmds):
        assert not isinstance(reply, RespError), reply
    assert c.call("SELECT", 3) == "OK"
    assert c.call("SET", "db3:key", "in db 3", "EX", 100000) == "OK"
    assert c.call("SELECT", 0) == "OK"


def dataset(c, dbs=(0, 3)):
    """Every key's type, contents and TTL (ms, rounded to a minute) through the protocol."""
    out = {}
    for db in dbs:
        assert c.call("SELECT", db) == "OK"
        for key in sorted(c.call("KEYS", "*")):
            t = c.call("TYPE", key)
            if t == "string":
                v = c.call("GET", key)
            elif t == "list":
                v = c.call("LRANGE", key, 0, -1)
            elif t == "hash":
                flat = c.call("HGETALL", key)
                v = sorted(zip(flat[::2], flat[1::2]))
            elif t == "set":
                v = sorted(c.call("SMEMBERS", key))
            elif t == "zset":
                v = c.call("ZRANGE", key, 0, -1, "WITHSCORES")
            elif t == "stream":
                groups = c.call("XINFO", "GROUPS", key)
                st = c.call("XINFO", "STREAM", key)
                st = dict(zip(st[::2], st[1::2]))
                v = [c.call("XRANGE", key, "-", "+"), groups,
                     [st[f] for f in (b"length", b"last-generated-id", b"max-deleted-entry-id",
                                      b"entries-added", b"first-entry", b"last-entry")]]
                for g in groups:
                    name = dict(zip(g[::2], g[1::2]))[b"name"]
                    v.append(c.call("XPENDING", key, name))
                    for cons in c.call("XINFO", "CONSUMERS", key, name):
                        cons = dict(zip(cons[::2], cons[1::2]))
                        v.append((cons[b"name"], cons[b"pending"]))
            else:
                v = None
            pttl = c.call("PTTL", key)
            ttl = pttl if pttl < 0 else round(pttl / 60000)
            out[(db, key)] = (t, v, ttl)
    assert c.call("SELECT", 0) == "OK"
    return out


class Persistence(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gannet-persist-")
        self.dump = os.path.join(self.dir, "dump.rdb")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def server(self, *args, binary=None):
        return harness.Server(binary=binary, args=["--dir", self.dir, *args])

    # ------------------------------------------------------------------ SAVE / restart

    def test_save_and_restart_keep_every_key_and_ttl(self):
        with self.server() as s, s.client() as c:
            fill_every_type(c)
            before = dataset(c)
            self.assertEqual(c.call("SAVE"), "OK")
            self.assertEqual(info(c)["rdb_changes_since_last_save"], "0")
            lastsave = c.call("LASTSAVE")
            self.assertLessEqual(abs(lastsave - time.time()), 5)
        with self.server() as s, s.client() as c:
            after = dataset(c)
            self.assertEqual(before, after)
            inf = info(c)
            self.assertEqual(inf["rdb_last_load_keys_loaded"], str(len(before)))
            self.assertIn("Done loading RDB, keys loaded: %d" % len(before), s.log())
        # redis-check-rdb (Debian's redis-tools) accepts what we wrote.
        chk = shutil.which("redis-check-rdb")
        if chk:
            r = subprocess.run([chk, self.dump], capture_output=True, timeout=60)
            self.assertIn(b"RDB looks OK", r.stdout + r.stderr, r.stdout + r.stderr)

    def test_keys_expired_on_disk_are_not_loaded(self):
        with self.server() as s, s.client() as c:
            c.call("SET", "short", "v", "PX", 300)
            c.call("SET", "long", "v")
            self.assertEqual(c.call("SAVE"), "OK")
            time.sleep(0.4)
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("EXISTS", "short", "long"), 1)
            self.assertEqual(info(c)["rdb_last_load_keys_expired"], "1")

    def test_missing_file_or_empty_dataset_starts_empty_zero_bytes_refuses(self):
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("DBSIZE"), 0)
            self.assertEqual(c.call("SAVE"), "OK")  # a snapshot of nothing
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("DBSIZE"), 0)
        # A 0-byte file is a truncated snapshot: redis-server 7.0.15 refuses to start.
        open(self.dump, "wb").close()
        out = self.start_expecting_failure("zero-bytes")
        if not IS_REDIS:
            self.assertIn(self.dump, out)
            self.assertIn("at offset 0", out)

    # ------------------------------------------------------------------ BGSAVE

    def test_bgsave_is_point_in_time_while_clients_write(self):
        base = 30000
        with self.server() as s, s.client() as c:
            for start in range(0, base, 5000):
                pipeline(c, [("SET", "base:%d" % i, "v%d" % i) for i in range(start, start + 5000)])
            stop = threading.Event()
            acked = [0]

            def writer():
                with s.client() as w:
                    i = 0
                    while not stop.is_set() and i < 200000:
                        batch = [("SET", "w:%d" % j, j) for j in range(i, i + 50)]
                        for r in pipeline(w, batch):
                            assert r == "OK", r
                        i += 50
                        acked[0] = i

            t = threading.Thread(target=writer)
            t.start()
            try:
                harness.wait_until(lambda: acked[0] >= 500, timeout=10)
                self.assertEqual(c.call("BGSAVE"), "Background saving started")
                inf = wait_bgsave_done(c)
                harness.wait_until(lambda: acked[0] >= 2000, timeout=10)
            finally:
                stop.set()
                t.join(timeout=30)
            self.assertEqual(inf["rdb_last_bgsave_status"], "ok")
            self.assertGreaterEqual(int(inf["rdb_saves"]), 1)
            self.assertRegex(s.log(), r"Background saving started by pid \d+")
            self.assertIn("Background saving terminated with success", s.log())
            written = acked[0]
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("EXISTS", *["base:%d" % i for i in range(0, base, 97)]),
                             len(range(0, base, 97)))
            self.assertEqual(c.call("GET", "base:%d" % (base - 1)), b"v%d" % (base - 1))
            # The writer's keys in the file are exactly w:0 .. w:m-1 for some m: a copy of
            # one instant, not a mix of before and after.
            loaded = sorted(int(k.split(b":")[1]) for k in c.call("KEYS", "w:*"))
            self.assertGreater(len(loaded), 0)
            self.assertEqual(loaded, list(range(len(loaded))))
            self.assertLess(len(loaded), written)
            for k in (0, len(loaded) - 1):
                self.assertEqual(c.call("GET", "w:%d" % k), b"%d" % k)

    def _stopped_child(self, s, c):
        """Starts a BGSAVE of a dataset large enough to take a while (100k keys, 10 MB) and
        freezes its child (SIGSTOP); returns the child's pid."""
        for start in range(0, 100000, 10000):
            pipeline(c, [("SET", "fill:%d" % i, "x" * 100) for i in range(start, start + 10000)])
        self.assertEqual(c.call("BGSAVE"), "Background saving started")
        return harness.freeze_child(s, r"Background saving started by pid (\d+)", self)

    def test_one_background_save_at_a_time(self):
        with self.server() as s, s.client() as c:
            pid = self._stopped_child(s, c)
            try:
                inf = info(c)
                self.assertEqual(inf["rdb_bgsave_in_progress"], "1")
                self.assertGreaterEqual(int(inf["rdb_current_bgsave_time_sec"]), 0)
                self.assertEqual(inf["current_save_keys_total"], "100000")
                err = RespError("ERR Background save already in progress")
                self.assertEqual(c.call("BGSAVE"), err)
                self.assertEqual(c.call("BGSAVE", "SCHEDULE"), err)
                self.assertEqual(c.call("SAVE"), err)
            finally:
                os.kill(pid, signal.SIGCONT)
            inf = wait_bgsave_done(c)
            self.assertEqual(inf["rdb_last_bgsave_status"], "ok")
            self.assertEqual(inf["rdb_current_bgsave_time_sec"], "-1")
            self.assertNotEqual(inf["rdb_last_bgsave_time_sec"], "-1")
            self.assertEqual(c.call("BGSAVE", "FOO"), RespError("ERR syntax error"))
            self.assertEqual(c.call("BGSAVE", "SCHEDULE", "X"), RespError("ERR syntax error"))
            self.assertEqual(c.call("SAVE", "X"),
                             RespError("ERR wrong number of arguments for 'save' command"))

    def test_bgsave_in_multi_is_scheduled_and_save_is_refused(self):
        with self.server() as s, s.client() as c:
            c.call("SET", "k", "v")
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("SAVE"), RespError("ERR Command not allowed inside a transaction"))
            self.assertEqual(c.call("DISCARD"), "OK")
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("BGSAVE"), "QUEUED")
            self.assertEqual(c.call("EXEC"), ["Background saving scheduled"])
            harness.wait_until(lambda: os.path.exists(self.dump), timeout=10)
            self.assertTrue(os.path.exists(self.dump))
            self.assertEqual(wait_bgsave_done(c)["rdb_last_bgsave_status"], "ok")

    def test_killed_child_is_a_failed_save(self):
        with self.server("--save", "3600 1") as s, s.client() as c:
            c.call("SET", "k", "v")
            pid = self._stopped_child(s, c)
            os.kill(pid, signal.SIGKILL)
            inf = wait_bgsave_done(c)
            self.assertEqual(inf["rdb_last_bgsave_status"], "err")
            self.assertIn("Background saving terminated by signal 9", s.log())
            self.assertEqual(c.call("SET", "k", "v2"), RespError(MISCONF))
            self.assertEqual(os.listdir(self.dir), [])  # no temp file left behind
            # A good save clears the condition.
            self.assertEqual(c.call("SAVE"), "OK")
            self.assertEqual(c.call("SET", "k", "v2"), "OK")

    # ------------------------------------------------------------------ save points

    def test_save_points_trigger_a_background_save(self):
        with self.server("--save", "1 1 3600 100000") as s, s.client() as c:
            self.assertEqual(dec(c.call("CONFIG", "GET", "save")), ["save", "1 1 3600 100000"])
            c.call("SET", "a", "1")
            c.call("SET", "b", "2")
            self.assertEqual(info(c)["rdb_changes_since_last_save"], "2")
            ok = harness.wait_until(lambda: "1 changes in 1 seconds. Saving..." in s.log(),
                                    timeout=10)
            self.assertTrue(ok, s.log())
            inf = wait_bgsave_done(c)
            self.assertEqual(inf["rdb_last_bgsave_status"], "ok")
            self.assertEqual(inf["rdb_changes_since_last_save"], "0")
            self.assertTrue(os.path.exists(self.dump))
            # CONFIG SET save "" turns them off.
            self.assertEqual(c.call("CONFIG", "SET", "save", ""), "OK")
            c.call("SET", "c", "3")
            time.sleep(2.5)
            self.assertEqual(info(c)["rdb_changes_since_last_save"], "1")
            self.assertEqual(s.log().count("Saving..."), 1)

    def test_flushall_with_save_points_saves_the_empty_dataset(self):
        with self.server("--save", "3600 1") as s, s.client() as c:
            c.call("SET", "k", "v")
            self.assertEqual(c.call("SAVE"), "OK")
            self.assertEqual(c.call("FLUSHALL"), "OK")
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("DBSIZE"), 0)

    def test_debug_reload(self):
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("DEBUG", "RELOAD"), RespError(
                'ERR DEBUG command not allowed. If the enable-debug-command option is set to '
                '"local", you can run it from a local connection, otherwise you need to set this '
                'option in the configuration file, and then restart the server.'))
        with self.server("--enable-debug-command", "local") as s, s.client() as c:
            fill_every_type(c)
            before = dataset(c)
            self.assertEqual(c.call("DEBUG", "RELOAD"), "OK")
            self.assertEqual(dataset(c), before)
            self.assertTrue(os.path.exists(self.dump))
            # NOSAVE reloads what is on disk: a key written since is gone.
            c.call("SET", "after", "1")
            self.assertEqual(c.call("DEBUG", "RELOAD", "NOSAVE"), "OK")
            self.assertEqual(c.call("EXISTS", "after"), 0)
            # NOFLUSH MERGE keeps what is in memory and replaces what the file has.
            c.call("SET", "after", "1")
            c.call("SET", "str:small", "changed")
            self.assertEqual(c.call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), "OK")
            self.assertEqual(c.call("GET", "after"), b"1")
            self.assertEqual(c.call("GET", "str:small"), b"hello")
            self.assertEqual(c.call("DEBUG", "RELOAD", "FOO"), RespError(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."))
            if not IS_REDIS:  # Gannet's DEBUG has RELOAD only
                self.assertEqual(c.call("DEBUG", "NOPE\r\n"), RespError(
                    "ERR unknown subcommand or wrong number of arguments for 'NOPE  '. "
                    "Try DEBUG HELP."))
            self.assertIn("DB reloaded by DEBUG RELOAD", s.log())

    # ------------------------------------------------------------------ shutdown

    def test_shutdown_saves_with_save_points_and_nosave_overrides(self):
        s = self.server("--save", "3600 1").start()
        try:
            with s.client() as c:
                c.call("SET", "kept", "1")
                c.send(encode_command("SHUTDOWN"))
                self.assertTrue(c.is_closed())
            s.proc.wait(timeout=15)
            self.assertEqual(s.proc.returncode, 0)
            self.assertIn("Saving the final RDB snapshot before exiting.", s.log())
        finally:
            s.__exit__()
        s = self.server("--save", "3600 1").start()
        try:
            with s.client() as c:
                self.assertEqual(c.call("GET", "kept"), b"1")
                c.call("SET", "lost", "1")
                c.send(encode_command("SHUTDOWN", "NOSAVE"))
            s.proc.wait(timeout=15)
        finally:
            s.__exit__()
        # SIGTERM saves too; SHUTDOWN SAVE saves even without save points.
        s = self.server("--save", "3600 1").start()
        try:
            with s.client() as c:
                self.assertEqual(c.call("EXISTS", "lost"), 0)
                c.call("SET", "by-sigterm", "1")
            self.assertEqual(s.stop(signal.SIGTERM), 0)
        finally:
            s.__exit__()
        s = self.server().start()
        try:
            with s.client() as c:
                self.assertEqual(c.call("GET", "by-sigterm"), b"1")
                c.call("SET", "by-shutdown-save", "1")
                c.send(encode_command("SHUTDOWN", "SAVE"))
            s.proc.wait(timeout=15)
        finally:
            s.__exit__()
        with self.server() as s, s.client() as c:
            self.assertEqual(c.call("GET", "by-shutdown-save"), b"1")

    # ------------------------------------------------------------------ bad files

    def start_expecting_failure(self, name):
        r = subprocess.run([BINARY, "--port", str(harness.free_port()), "--bind", "127.0.0.1",
                            "--dir", self.dir], capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        out = (r.stdout + r.stderr).decode("utf-8", "replace")
        self.assertNotEqual(r.returncode, 0, "%s: started anyway:\n%s" % (name, out))
        self.assertNotIn("Ready to accept connections", out, name)
        self.assertNotRegex(out, r"(?i)sanitizer|segmentation|core dumped", name)
        return out

    def test_corrupt_or_truncated_dump_refuses_startup(self):
        with self.server() as s, s.client() as c:
            fill_every_type(c)
            self.assertEqual(c.call("SAVE"), "OK")
        with open(self.dump, "rb") as f:
            good = f.read()
        flip_at = len(good) // 2  # inside some value: only the CRC64 trailer can tell
        cases = {
            "truncated": good[: len(good) // 2],
            "truncated-before-checksum": good[:-4],
            "flipped-byte": good[:flip_at] + bytes([good[flip_at] ^ 0x55]) + good[flip_at + 1:],
            "bad-header": b"REDIX0010" + good[9:],
            "future-version": b"REDIS0099" + good[9:],
            "garbage": b"REDIS0010" + b"\xfe\x00\x00\x07\xff" * 20,
        }
        for name, data in cases.items():
            with open(self.dump, "wb") as f:
                f.write(data)
            out = self.start_expecting_failure(name)
            if not IS_REDIS:  # redis-server names neither the file nor always the offset
                self.assertIn(self.dump, out, name)
                self.assertRegex(out, r"at offset \d+", name)
            self.assertEqual(sorted(os.listdir(self.dir)), ["dump.rdb"], name)

    # ------------------------------------------------------------------ disk errors

    def test_full_disk_during_bgsave(self):
        """RLIMIT_FSIZE on the running server (prlimit --pid): its BGSAVE child inherits it
        and fails with EFBIG, as on a full disk (a tmpfs cannot be mounted here)."""
        if IS_REDIS:
            self.skipTest("redis-server dies of SIGXFSZ on a foreground save under the limit; "
                          "test_misconf_text_matches_redis runs its part of this")
        with self.server("--save", "3600 1") as s, s.client() as c:
            c.call("SET", "small", "1")
            self.assertEqual(c.call("SAVE"), "OK")
            with open(self.dump, "rb") as f:
                good = f.read()
            pipeline(c, [("SET", "big:%d" % i, os.urandom(200)) for i in range(500)])
            subprocess.run(["prlimit", "--pid", str(s.pid()), "--fsize=4096:unlimited"], check=True)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            inf = wait_bgsave_done(c)
            self.assertEqual(inf["rdb_last_bgsave_status"], "err")
            log = s.log()
            self.assertIn("Background saving error", log)
            self.assertIn("File too large", log)
            # Writes (and PING) are refused with Redis's text; reads still work.
            self.assertEqual(c.call("SET", "x", "1"), RespError(MISCONF))
            self.assertEqual(c.call("PING"), RespError(MISCONF))
            self.assertEqual(c.call("GET", "small"), b"1")
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("INCR", "x"), RespError(MISCONF))
            self.assertEqual(c.call("EXEC"), RespError(
                "EXECABORT Transaction discarded because of previous errors."))
            with open(self.dump, "rb") as f:
                self.assertEqual(f.read(), good)
            self.assertEqual(sorted(os.listdir(self.dir)), ["dump.rdb"])
            # A foreground save fails too; SHUTDOWN and SIGTERM then keep the server up.
            self.assertEqual(c.call("SAVE"), RespError("ERR"))
            self.assertEqual(c.call("SHUTDOWN"),
                             RespError("ERR Errors trying to SHUTDOWN. Check logs."))
            os.kill(s.pid(), signal.SIGTERM)
            harness.wait_until(lambda: "SIGTERM received but errors trying to shut down" in s.log(),
                               timeout=10)
            self.assertIn("Error trying to save the DB, can't exit.", s.log())
            self.assertEqual(c.call("GET", "small"), b"1")
            self.assertTrue(s.alive())
            # Without stop-writes-on-bgsave-error writes go through; with the disk back a
            # good save ends the condition.
            self.assertEqual(c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"), "OK")
            self.assertEqual(c.call("SET", "x", "1"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"), "OK")
            self.assertEqual(c.call("SET", "x", "1"), RespError(MISCONF))
            subprocess.run(["prlimit", "--pid", str(s.pid()), "--fsize=unlimited"], check=True)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            self.assertEqual(wait_bgsave_done(c)["rdb_last_bgsave_status"], "ok")
            self.assertEqual(c.call("SET", "x", "2"), "OK")
            self.assertEqual(c.call("PING"), "PONG")

    def test_misconf_text_matches_redis(self):
        """The same fault against redis-server 7.0: the same -MISCONF text and status."""
        redis_dir = tempfile.mkdtemp(prefix="redis-persist-")
        try:
            with harness.Server(binary=harness.redis_binary(),
                                args=["--dir", redis_dir, "--save", "3600 1"]) as r, \
                    r.client() as c:
                pipeline(c, [("SET", "big:%d" % i, os.urandom(200)) for i in range(500)])
                subprocess.run(["prlimit", "--pid", str(r.pid()), "--fsize=4096:unlimited"], check=True)
                self.assertEqual(c.call("BGSAVE"), "Background saving started")
                self.assertEqual(wait_bgsave_done(c)["rdb_last_bgsave_status"], "err")
                self.assertEqual(c.call("SET", "x", "1"), RespError(MISCONF))
                self.assertEqual(c.call("PING"), RespError(MISCONF))
                subprocess.run(["prlimit", "--pid", str(r.pid()), "--fsize=unlimited"],
                               check=True)
        finally:
            shutil.rmtree(redis_dir, ignore_errors=True)

    # ------------------------------------------------------------------ interop

    def test_redis_dump_loads_in_gannet(self):
        with harness.Server(binary=harness.redis_binary(), args=["--dir", self.dir]) as r, \
                r.client() as c:
            fill_every_type(c)
            expected = dataset(c)
            self.assertEqual(c.call("SAVE"), "OK")
        with self.server() as s, s.client() as c:
            self.assertEqual(dataset(c), expected)

    def test_gannet_dump_loads_in_redis(self):
        with self.server() as s, s.client() as c:
            fill_every_type(c)
            expected = dataset(c)
            self.assertEqual(c.call("SAVE"), "OK")
        with harness.Server(binary=harness.redis_binary(), args=["--dir", self.dir]) as r, \
                r.client() as c:
            self.assertEqual(dataset(c), expected)
            self.assertIn("Done loading RDB", r.log())


LOADING = "LOADING Redis is loading the dataset in memory"
LOADING_FIELDS = ["loading_start_time", "loading_total_bytes", "loading_rdb_used_mem",
                  "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"]


class LoadingWhileServing(unittest.TestCase):
    """The startup load serves clients: -LOADING for commands without the loading flag,
    INFO's loading_* figures, and a shutdown during the load saves nothing. key-load-delay
    (hidden, as in Redis) makes a small file take seconds to load."""

    KEYS = 20000

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="gannet-loading-")
        self.dump = os.path.join(self.dir, "dump.rdb")
        with harness.Server(args=["--dir", self.dir]) as s, s.client() as c:
            for start in range(0, self.KEYS, 5000):
                pipeline(c, [("SET", "fill:%d" % i, "v%d" % i) for i in range(start, start + 5000)])
            self.assertEqual(c.call("SAVE"), "OK")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def loading_server(self, *args, delay=200):
        extra = ["--loading-process-events-interval-bytes", "1024"] if IS_REDIS else []
        return harness.Server(args=["--dir", self.dir, "--key-load-delay", str(delay), *extra,
                                    *args], wait_ready=False)

    def connect(self, s):
        """A client once the listener is up (the load has started by then)."""
        deadline = time.monotonic() + 10
        while True:
            try:
                return s.client(timeout=10.0)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def test_clients_get_loading_while_the_dataset_loads(self):
        with self.loading_server() as s, self.connect(s) as c:
            self.assertEqual(c.call("PING"), RespError(LOADING))
            self.assertEqual(c.call("GET", "fill:1"), RespError(LOADING))
            self.assertEqual(c.call("DBSIZE"), RespError(LOADING))
            self.assertEqual(c.call("SET", "k", "v"), RespError(LOADING))
            inf = info(c)
            # The aux fields (used-mem) are read with the first bytes of the file, which a
            # fast client can beat: wait until the loader has read something.
            deadline = time.monotonic() + 5
            while int(inf.get("loading_loaded_bytes", 0)) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
                inf = info(c)
            self.assertEqual(inf["loading"], "1")
            # The loading_* lines come last, in Redis's order.
            self.assertEqual(list(inf)[-6:], LOADING_FIELDS)
            self.assertEqual(int(inf["loading_total_bytes"]), os.path.getsize(self.dump))
            self.assertGreater(int(inf["loading_rdb_used_mem"]), 0)
            self.assertLessEqual(int(inf["loading_loaded_bytes"]), os.path.getsize(self.dump))
            self.assertTrue(0 <= float(inf["loading_loaded_perc"]) < 100)
            self.assertGreaterEqual(int(inf["loading_eta_seconds"]), 0)
            self.assertLessEqual(abs(int(inf["loading_start_time"]) - time.time()), 30)
            self.assertLess(int(inf["rdb_last_load_keys_loaded"]), self.KEYS)
            # Commands with the loading flag run.
            self.assertEqual(c.call("ECHO", "x"), b"x")
            self.assertEqual(dec(c.call("CONFIG", "GET", "key-load-delay")),
                             ["key-load-delay", "200"])
            self.assertEqual(c.call("CONFIG", "GET", "key-*"), [])  # hidden
            # A queued command without the flag aborts the transaction.
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("PING"), RespError(LOADING))
            self.assertEqual(c.call("EXEC"), RespError(
                "EXECABORT Transaction discarded because of previous errors."))
            # Without the delay the load ends soon; then everything is there.
            self.assertEqual(c.call("CONFIG", "SET", "key-load-delay", "0"), "OK")
            self.assertTrue(harness.wait_until(lambda: c.call("PING") == "PONG", timeout=30))
            self.assertEqual(c.call("DBSIZE"), self.KEYS)
            self.assertEqual(c.call("GET", "fill:19999"), b"v19999")
            inf = info(c)
            self.assertEqual(inf["loading"], "0")
            self.assertNotIn("loading_start_time", inf)
            self.assertEqual(inf["rdb_last_load_keys_loaded"], str(self.KEYS))
            self.assertIn("Done loading RDB", s.log())

    def test_sigterm_during_loading_exits_without_saving(self):
        with open(self.dump, "rb") as f:
            before = f.read()
        s = self.loading_server("--save", "3600 1", delay=2000)
        with s, self.connect(s) as c:
            self.assertEqual(c.call("PING"), RespError(LOADING))
            os.kill(s.pid(), signal.SIGTERM)
            self.assertEqual(s.proc.wait(timeout=20), 0)
            self.assertIn("Received shutdown signal during loading", s.log())
        with open(self.dump, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(sorted(os.listdir(self.dir)), ["dump.rdb"])

    def test_shutdown_command_during_loading_does_not_save(self):
        with open(self.dump, "rb") as f:
            before = f.read()
        s = self.loading_server("--save", "3600 1", delay=2000)
        with s, self.connect(s) as c:
            self.assertEqual(c.call("GET", "x"), RespError(LOADING))
            c.send(encode_command("SHUTDOWN"))
            self.assertEqual(s.proc.wait(timeout=20), 0)
        with open(self.dump, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_debug_reload_and_appendonly_wait_for_the_load(self):
        if IS_REDIS:
            self.skipTest("Gannet refuses DEBUG RELOAD (Redis saves half a dataset: test_loading)")
        s = self.loading_server("--enable-debug-command", "yes")
        with s, self.connect(s) as c:
            self.assertEqual(c.call("DEBUG", "RELOAD"), RespError(LOADING))
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "yes"), RespError(LOADING))
            self.assertEqual(info(c)["aof_enabled"], "0")
            self.assertEqual(c.call("CONFIG", "SET", "key-load-delay", "0"), "OK")
            self.assertTrue(harness.wait_until(lambda: c.call("PING") == "PONG", timeout=30))
            self.assertEqual(c.call("DBSIZE"), self.KEYS)


if __name__ == "__main__":
    unittest.main()
