"""DEBUG LOADAOF side by side with redis-server 7.0.15.

What both servers do: with the AOF on, DEBUG LOADAOF writes out what is buffered, empties
the dataset and loads it back from the files the manifest names (base and incr files, a
rewrite's new base included), replying +OK; nothing expires while that load runs (the
replay sees the keyspace the commands were logged against, the same hand-written cases as
test_loading.py); with the AOF turned off it loads the AOF left on disk (by this run or an
earlier one); the reload is not itself logged, and rdb_changes_since_last_save drops to 0.

Where Gannet differs on purpose: when the load fails (a corrupt file, a truncated tail
with aof-load-truncated no, an unknown command) or there is no AOF at all, redis-server
exits with status 1 without a reply; Gannet replies an error and keeps serving (with an
empty dataset after a failed load, the old one when there was nothing to load). A tail
that aof-load-truncated trims is a successful load in Gannet (+OK, as a restart would
load it), an exit in Redis. The redis-server side of each of those cases is asserted too,
so that the difference stays documented by a test."""

import os
import shutil
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness
import test_aof
import test_loading
from harness import RespError, encode_command, parse_reply

BINARY = harness.gannet_binary()
REDIS = harness.redis_binary()
FAILED = RespError("ERR Error trying to load the AOF files, check server logs.")
LOADING = RespError("LOADING Redis is loading the dataset in memory")

info = harness.info_fields
snapshot = test_aof.snapshot


def make(binary, data_dir, *extra, appendonly="yes"):
    """A server (not started) on data_dir, AOF writes synced before each reply."""
    return harness.Server(binary=binary, args=["--dir", data_dir, "--appendonly", appendonly,
                                               "--appendfsync", "always",
                                               "--enable-debug-command", "yes"] + list(extra))


def manifest_files(data_dir):
    """(base name, [incr names]) from the manifest."""
    d = os.path.join(data_dir, "appendonlydir")
    man = [f for f in os.listdir(d) if f.endswith(".manifest")][0]
    base, incrs = None, []
    with open(os.path.join(d, man)) as f:
        for line in f.read().splitlines():
            words = line.split()
            fields = dict(zip(words[::2], words[1::2]))
            if fields.get("type") == "b":
                base = fields["file"]
            elif fields.get("type") == "i":
                incrs.append(fields["file"])
    return base, incrs


def logged_commands(data_dir):
    """Command names of every incr file, upper case."""
    _, incrs = manifest_files(data_dir)
    names = []
    for name in incrs:
        with open(os.path.join(data_dir, "appendonlydir", name), "rb") as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            value, pos = parse_reply(data, pos)
            names.append(value[0].decode().upper())
    return names


def append_to_last_incr(data_dir, raw):
    _, incrs = manifest_files(data_dir)
    with open(os.path.join(data_dir, "appendonlydir", incrs[-1]), "ab") as f:
        f.write(raw)


def exited_without_reply(test, server, client):
    """Redis's answer to a failed DEBUG LOADAOF: no reply, the process exits with 1."""
    test.assertTrue(client.is_closed(wait=10.0))
    test.assertTrue(harness.wait_until(lambda: server.proc.poll() is not None, timeout=10))
    test.assertEqual(server.proc.returncode, 1)
    # Expected: stop() has nothing to report.
    server.proc = None
    server._log.close()
    server._log = None


class BothServers(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gannet-loadaof-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
            shutil.rmtree(s.workdir, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server(self, binary, *extra, appendonly="yes", data_dir=None):
        d = data_dir or tempfile.mkdtemp(dir=self.tmp)
        s = make(binary, d, *extra, appendonly=appendonly)
        self.servers.append(s)
        return s.start(), d

    def test_reload_keeps_the_dataset_as_redis(self):
        """Every type, TTLs, several databases, a transaction and an expired key; a rewrite
        in the middle (RDB base plus incr file); more writes after it, a transaction with a
        SELECT inside. Each server holds after DEBUG LOADAOF what it held before, and both
        hold the same."""
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            s, d = self.server(binary)
            with s.client() as c:
                test_aof.fill_every_type(c)
                time.sleep(0.01)  # past "gone"'s 1 ms TTL
                self.assertEqual(c.call("GET", "gone"), None)  # lazily expired: DEL logged
                self.assertIn(c.call("BGREWRITEAOF"), ("Background append only file rewriting "
                                                       "started",))
                test_aof.wait_rewrite_done(c)
                c.call("SET", "after", "rewrite", "EX", "5000")
                c.call("HSET", "hash", "f3", "v3")
                c.call("ZINCRBY", "zset", "2", "a")
                c.send(b"".join(encode_command(*cmd) for cmd in [
                    ("MULTI",), ("LPUSH", "smalllist", "d"), ("SELECT", "2"),
                    ("SET", "in2", "x", "PX", "7000000"), ("SELECT", "0"), ("INCR", "txn"),
                    ("EXEC",)]))
                for _ in range(7):
                    c.read()
                c.call("SELECT", 2)
                c.call("SADD", "db2set", "a", "b")
                c.call("SELECT", 0)
                before = snapshot(c)
                sizes = [c.call("SELECT", db) and c.call("DBSIZE") for db in (0, 2, 5)]
                c.call("SELECT", 0)
                self.assertEqual(c.call("DEBUG", "LOADAOF"), "OK")
                after = snapshot(c)
                self.assertEqual(after, before, name)
                self.assertEqual([c.call("SELECT", db) and c.call("DBSIZE") for db in (0, 2, 5)],
                                 sizes, name)
                c.call("SELECT", 0)
                fields = info(c)
                self.assertEqual(fields["rdb_changes_since_last_save"], "0", name)
                self.assertEqual(fields["loading"], "0", name)
                # Writes after the reload are logged as before; the reload is not.
                self.assertEqual(c.call("SET", "later", "1"), "OK")
                self.assertEqual(c.call("DEBUG", "LOADAOF", "ignored", "args"), "OK")
                self.assertEqual(c.call("GET", "later"), b"1")
                self.assertEqual(c.call("DBSIZE"), sizes[0] + 1)
                results[name] = (after, sizes)
            self.assertNotIn("DEBUG", logged_commands(d), name)
        self.assertEqual(results["gannet"], results["redis"])

    def test_replay_sees_the_keyspace_it_was_logged_against(self):
        """test_loading.py's hand-written AOF (keys whose TTLs passed long ago, followed by
        commands that use them), put in place of a running server's files and loaded with
        DEBUG LOADAOF: nothing expires while it loads, in both servers."""
        rdb, payload = test_loading.expired_keys_rdb(tempfile.mkdtemp(dir=self.tmp))
        commands = [("SELECT", "0")] + [
            cmd for case in test_loading.replay_cases(payload).values() for cmd in case]
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            s, d = self.server(binary)
            with s.client() as c:
                self.assertEqual(c.call("SET", "dropped", "by the reload"), "OK")
                base, incrs = manifest_files(d)
                self.assertTrue(base.endswith(".base.rdb"), base)
                with open(os.path.join(d, "appendonlydir", base), "wb") as f:
                    f.write(rdb)
                with open(os.path.join(d, "appendonlydir", incrs[-1]), "wb") as f:
                    f.write(b"".join(encode_command(*cmd) for cmd in commands))
                self.assertEqual(c.call("DEBUG", "LOADAOF"), "OK")
                results[name] = (test_loading.contents(c),
                                 info(c)["rdb_last_load_keys_loaded"])
        self.assertEqual(results["gannet"][0], test_loading.EXPECTED)
        self.assertEqual(results["redis"][0], test_loading.EXPECTED)
        self.assertEqual(results["gannet"][1], results["redis"][1])
        self.assertEqual(results["gannet"][1], "4")

    def test_appendonly_off_loads_what_is_on_disk(self):
        """Turned off by CONFIG SET: the AOF as it was then (later writes are lost). Started
        with appendonly no over an earlier run's AOF: that AOF."""
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            s, d = self.server(binary)
            with s.client() as c:
                c.call("SET", "kept", "1")
                c.call("SET", "ttl", "v", "EX", "5000")
                self.assertEqual(c.call("CONFIG", "SET", "appendonly", "no"), "OK")
                c.call("SET", "lost", "1")
                self.assertEqual(c.call("DEBUG", "LOADAOF"), "OK")
                first = snapshot(c)
                c.call("SET", "lost2", "1")
            s.stop()
            s2, _ = self.server(binary, appendonly="no", data_dir=d)
            with s2.client() as c:
                self.assertEqual(c.call("DBSIZE"), 0)
                c.call("SET", "lost3", "1")
                self.assertEqual(c.call("DEBUG", "LOADAOF"), "OK")
                results[name] = (first, snapshot(c))
        self.assertEqual(sorted(k for _, k in results["gannet"][0]), ["kept", "ttl"])
        self.assertEqual(results["gannet"], results["redis"])

    def test_same_errors_as_redis(self):
        results = {}
        for name, binary in (("redis", REDIS), ("gannet", BINARY)):
            s, _ = self.server(binary)
            s2 = harness.Server(binary=binary, args=["--enable-debug-command", "no"]).start()
            self.servers.append(s2)
            with s.client() as c, s2.client() as c2:
                usage = c.call("DEBUG", "HELP")
                results[name] = [
                    usage[0], c.call("DEBUG", "HELP", "extra"), c.call("DEBUG"),
                    c.call("DEBUG", "NOSUCH"), c2.call("DEBUG", "LOADAOF"),
                    c2.call("DEBUG", "HELP")]
                lines = list(usage)
                self.assertIn("LOADAOF", lines, name)
                self.assertIn("RELOAD [option ...]", lines, name)
                self.assertEqual(lines[-2:], ["HELP", "    Prints this help."], name)
        self.assertEqual(results["gannet"], results["redis"])


class FailedLoads(unittest.TestCase):
    """Gannet replies an error and keeps serving; redis-server exits (asserted as well)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gannet-loadaof-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_case(self, tail, *extra, appendonly="yes"):
        """Both servers: two keys, `tail` appended to the last incr file, DEBUG LOADAOF.
        Returns Gannet's (reply, server, client, data dir), still running; Redis's side is
        checked here."""
        d = tempfile.mkdtemp(dir=self.tmp)
        with make(REDIS, d, *extra, appendonly=appendonly) as s, s.client() as c:
            c.call("SET", "a", "1")
            c.call("SET", "b", "2")
            if tail is not None:
                append_to_last_incr(d, tail)
            c.send(encode_command("DEBUG", "LOADAOF"))
            exited_without_reply(self, s, c)
        d = tempfile.mkdtemp(dir=self.tmp)
        s = make(BINARY, d, *extra, appendonly=appendonly).start()
        self.addCleanup(lambda: (s.stop(), shutil.rmtree(s.workdir, ignore_errors=True)))
        c = s.client()
        self.addCleanup(c.close)
        c.call("SET", "a", "1")
        c.call("SET", "b", "2")
        if tail is not None:
            append_to_last_incr(d, tail)
        return c.call("DEBUG", "LOADAOF"), s, c, d

    def assert_serving(self, s, c):
        self.assertEqual(c.call("PING"), "PONG")
        self.assertEqual(c.call("SET", "new", "v"), "OK")
        self.assertEqual(c.call("GET", "new"), b"v")
        self.assertTrue(s.alive())

    def test_bad_format(self):
        reply, s, c, _ = self.run_case(b"*2\r\n$3\r\nGETXX\r\n")
        self.assertEqual(reply, FAILED)
        self.assertEqual(c.call("DBSIZE"), 0)  # never half a dataset
        self.assertIn("Bad file format reading the append only file", s.log())
        self.assert_serving(s, c)

    def test_unknown_command(self):
        reply, s, c, _ = self.run_case(encode_command("NOPEX"))
        self.assertEqual(reply, FAILED)
        self.assertIn("Unknown command 'NOPEX'", s.log())
        self.assertEqual(c.call("DBSIZE"), 0)
        self.assert_serving(s, c)

    def test_truncated_tail_refused(self):
        reply, s, c, _ = self.run_case(b"*2\r\n$3\r\nGET", "--aof-load-truncated", "no")
        self.assertEqual(reply, FAILED)
        self.assertIn("Unexpected end of file", s.log())
        self.assert_serving(s, c)

    def test_truncated_tail_trimmed(self):
        """Trimmed and loaded (Redis trims too, then exits). Writes after it go to the
        trimmed file, which a restart loads cleanly."""
        reply, s, c, d = self.run_case(b"*2\r\n$3\r\nGET")
        self.assertEqual(reply, "OK")
        self.assertEqual(c.call("MGET", "a", "b"), [b"1", b"2"])
        self.assertIn("Truncating the AOF", s.log())
        self.assertEqual(c.call("SET", "c", "3"), "OK")
        size = int(info(c)["aof_current_size"])
        on_disk = sum(os.path.getsize(os.path.join(d, "appendonlydir", n))
                      for n in [manifest_files(d)[0]] + manifest_files(d)[1])
        self.assertEqual(size, on_disk)
        c.close()
        self.assertEqual(s.stop(), 0)
        s2 = make(BINARY, d, "--aof-load-truncated", "no").start()
        self.addCleanup(lambda: (s2.stop(), shutil.rmtree(s2.workdir, ignore_errors=True)))
        with s2.client() as c2:
            self.assertEqual(c2.call("MGET", "a", "b", "c"), [b"1", b"2", b"3"])

    def test_no_aof_at_all(self):
        """appendonly no and never an AOF: Redis empties the dataset and exits; Gannet
        leaves the dataset as it is."""
        reply, s, c, _ = self.run_case(None, appendonly="no")
        self.assertEqual(reply, FAILED)
        self.assertEqual(c.call("DBSIZE"), 2)
        self.assertIn("there is no append only file to load", s.log())
        self.assert_serving(s, c)


if __name__ == "__main__":
    unittest.main(verbosity=2)
