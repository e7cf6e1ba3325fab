"""Introspection against the real binary: MONITOR sessions (TCP and unix socket), CLIENT
LIST/INFO fields and flags, CLIENT KILL filters, CLIENT PAUSE WRITE|ALL, SLOWLOG, LATENCY
and the INFO sections commandstats/errorstats/latencystats/replication/clients.

Set GANNET_SERVER to a redis-server binary to run the same tests against Redis."""

import os
import re
import tempfile
import threading
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError

MONITOR_LINE = re.compile(r'^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$')


def info_fields(text):
    fields = {}
    for line in text.decode().split("\r\n"):
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            fields[k] = v
    return fields


def client_fields(line):
    return dict(kv.split("=", 1) for kv in line.strip().split(" "))


class MonitorTest(unittest.TestCase):
    def test_monitor_session(self):
        with harness.Server() as s, s.client() as mon, s.client() as c:
            self.assertEqual(mon.call("MONITOR"), "OK")
            addr = client_fields(c.call("CLIENT", "INFO").decode())["addr"]
            c.call("SET", "k", "v")
            c.call("GET", "k")
            c.call("CONFIG", "GET", "maxmemory")  # admin: not shown
            c.call("GET")  # refused: not shown
            try:
                c.call("AUTH", "secret")
            except RespError:
                pass
            c.call("SELECT", "2")
            c.call("SET", "bin", b'a"b\\\x01\xff\n')
            c.call("MULTI")
            c.call("INCR", "n")
            c.call("EXEC")
            expected = [
                (0, ['"CLIENT" "INFO"']),
                (0, ['"SET" "k" "v"']),
                (0, ['"GET" "k"']),
                (0, ['"AUTH" "(redacted)"']),
                (2, ['"SELECT" "2"']),
                (2, ['"SET" "bin" "a\\"b\\\\\\x01\\xff\\n"']),
                (2, ['"MULTI"']),
                (2, ['"INCR" "n"']),
                (2, ['"EXEC"']),
            ]
            now = time.time()
            for db, (args,) in expected:
                line = mon.read_raw().decode("latin1")
                m = MONITOR_LINE.match(line)
                self.assertIsNotNone(m, line)
                self.assertLess(abs(int(m.group(1)) - now), 30)
                self.assertEqual(int(m.group(3)), db)
                self.assertEqual(m.group(4), addr)
                self.assertEqual(m.group(5), args)
            # A monitor cannot touch keys; its own allowed commands are shown to it too.
            self.assertEqual(mon.call("GET", "k"),
                             RespError("ERR Replica can't interact with the keyspace"))
            self.assertEqual(mon.call("PING"), "PONG")
            self.assertIn('"PING"', mon.read_raw().decode())
            # CLIENT LIST shows the monitor with flag O.
            listing = c.call("CLIENT", "LIST").decode().splitlines()
            flags = sorted(client_fields(l)["flags"] for l in listing)
            self.assertEqual(flags, ["N", "O"])
            self.assertEqual(mon.call("QUIT"), "OK")
            self.assertTrue(mon.is_closed())

    def test_monitor_over_unix_socket(self):
        path = os.path.join(tempfile.mkdtemp(prefix="gannet-mon-"), "g.sock")
        with harness.Server(args=["--unixsocket", path]) as s, s.client() as mon:
            self.assertEqual(mon.call("MONITOR"), "OK")
            with harness.RespClient(unix_path=path) as u:
                self.assertEqual(u.call("SET", "x", "1"), "OK")
                info = client_fields(u.call("CLIENT", "INFO").decode())
                self.assertEqual(info["addr"], path + ":0")
                self.assertIn("U", info["flags"])
            line = mon.read_raw().decode()
            self.assertTrue(line.endswith('[0 unix:%s] "SET" "x" "1"\r\n' % path), line)

    def test_resp3_monitor_and_disconnect(self):
        with harness.Server() as s, s.client() as c:
            with s.client() as mon:
                mon.call("HELLO", "3")
                self.assertEqual(mon.call("MONITOR"), "OK")
                c.call("PING")
                raw = mon.read_raw()
                self.assertTrue(raw.startswith(b"+") and raw.endswith(b'"PING"\r\n'), raw)
            # The monitor went away: the server keeps serving and forgets it.
            for _ in range(50):
                self.assertEqual(c.call("PING"), "PONG")


class ClientListTest(unittest.TestCase):
    def test_fields_and_flags(self):
        with harness.Server() as s, s.client() as a, s.client() as sub, s.client() as tx:
            fields = client_fields(a.call("CLIENT", "INFO").decode())
            self.assertEqual(
                list(fields)[:27],
                ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub",
                 "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs",
                 "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user", "redir"])
            self.assertEqual(fields["cmd"], "client|info")
            self.assertEqual(fields["flags"], "N")
            self.assertEqual(fields["multi"], "-1")
            self.assertEqual(fields["resp"], "2")
            ids = [client_fields(x.call("CLIENT", "INFO").decode())["id"] for x in (a, tx)]
            sub.call("SUBSCRIBE", "c1", "c2")
            sub.read()
            sub.call("PSUBSCRIBE", "p*")
            tx.call("MULTI")
            tx.call("SET", "a", "1")
            tx.call("GET", "a")
            self.assertEqual(a.call("CLIENT", "NO-EVICT", "ON"), "OK")
            self.assertEqual(a.call("CLIENT", "NO-TOUCH", "ON"), "OK")
            rows = {}
            for line in a.call("CLIENT", "LIST").decode().splitlines():
                f = client_fields(line)
                rows[f["id"]] = f
            self.assertEqual(rows[ids[0]]["flags"], "eT")
            sub_row = [r for r in rows.values() if r["flags"] == "P"][0]
            self.assertEqual((sub_row["sub"], sub_row["psub"], sub_row["ssub"]), ("2", "1", "0"))
            self.assertEqual(rows[ids[1]]["flags"], "x")
            self.assertEqual(rows[ids[1]]["multi"], "2")  # SET and GET queued
            pubsub = a.call("CLIENT", "LIST", "TYPE", "pubsub").decode().splitlines()
            self.assertEqual(len(pubsub), 1)
            self.assertEqual(len(a.call("CLIENT", "LIST", "TYPE", "normal").decode().splitlines()), 2)
            self.assertEqual(a.call("CLIENT", "LIST", "TYPE", "replica"), b"")


class ClientKillTest(unittest.TestCase):
    def test_filters(self):
        with harness.Server() as s, s.client() as admin:
            victims = [s.client() for _ in range(4)]
            try:
                info = [client_fields(v.call("CLIENT", "INFO").decode()) for v in victims]
                me = client_fields(admin.call("CLIENT", "INFO").decode())
                self.assertEqual(admin.call("CLIENT", "KILL", "ID", info[0]["id"]), 1)
                self.assertTrue(victims[0].is_closed())
                self.assertEqual(admin.call("CLIENT", "KILL", "ADDR", info[1]["addr"]), 1)
                self.assertTrue(victims[1].is_closed())
                self.assertEqual(admin.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5"), 0)
                self.assertEqual(admin.call("CLIENT", "KILL", "1.2.3.4:5"),
                                 RespError("ERR No such client"))
                self.assertEqual(admin.call("CLIENT", "KILL", info[2]["addr"]), "OK")
                self.assertTrue(victims[2].is_closed())
                # TYPE pubsub picks the subscriber only.
                victims[3].call("SUBSCRIBE", "ch")
                self.assertEqual(admin.call("CLIENT", "KILL", "TYPE", "master"), 0)
                self.assertEqual(admin.call("CLIENT", "KILL", "TYPE", "replica"), 0)
                self.assertEqual(admin.call("CLIENT", "KILL", "TYPE", "pubsub"), 1)
                self.assertTrue(victims[3].is_closed())
                # LADDR and USER match everyone but the caller (SKIPME yes by default).
                others = [s.client() for _ in range(2)]
                for o in others:
                    o.call("PING")
                self.assertEqual(admin.call("CLIENT", "KILL", "LADDR", me["laddr"], "USER",
                                            "default", "TYPE", "normal"), 2)
                for o in others:
                    self.assertTrue(o.is_closed())
                self.assertEqual(admin.call("CLIENT", "KILL", "USER", "nobody"),
                                 RespError("ERR No such user 'nobody'"))
                self.assertEqual(admin.call("CLIENT", "KILL", "TYPE", "bogus"),
                                 RespError("ERR Unknown client type 'bogus'"))
                self.assertEqual(admin.call("CLIENT", "KILL", "ID", "0"),
                                 RespError("ERR client-id should be greater than 0"))
                self.assertEqual(admin.call("CLIENT", "KILL", "SKIPME", "maybe"),
                                 RespError("ERR syntax error"))
                # Three arguments are the old form: "ID" is taken for an address.
                self.assertEqual(admin.call("CLIENT", "KILL", "ID"),
                                 RespError("ERR No such client"))
                # MAXAGE (Redis 7.4): a fresh client is younger than 100 s.
                young = s.client()
                young.call("PING")
                self.assertEqual(admin.call("CLIENT", "KILL", "MAXAGE", "100"), 0)
                time.sleep(1.1)
                self.assertEqual(admin.call("CLIENT", "KILL", "MAXAGE", "0"), 1)
                self.assertTrue(young.is_closed())
                # SKIPME no: the caller itself goes, after its reply.
                self.assertEqual(admin.call("CLIENT", "KILL", "ID", me["id"], "SKIPME", "no"), 1)
                self.assertTrue(admin.is_closed())
            finally:
                for v in victims:
                    v.close()


class ClientPauseTest(unittest.TestCase):
    def test_write_pause_lets_reads_through(self):
        with harness.Server() as s, s.client() as admin, s.client() as c:
            c.call("SET", "k", "v0")
            self.assertEqual(admin.call("CLIENT", "PAUSE", "100000", "WRITE"), "OK")
            t0 = time.monotonic()
            self.assertEqual(c.call("GET", "k"), b"v0")
            self.assertLess(time.monotonic() - t0, 1.0)
            c.send(harness.encode_command("SET", "k", "v1"))
            c.send(harness.encode_command("GET", "k"))  # pipelined behind the write
            c.sock.settimeout(0.3)
            with self.assertRaises(OSError):
                c.read()
            c.sock.settimeout(10)
            flags = {client_fields(l)["flags"]
                     for l in admin.call("CLIENT", "LIST").decode().splitlines()}
            self.assertIn("b", flags)
            # Another client's reads still go through.
            with s.client() as reader:
                self.assertEqual(reader.call("GET", "k"), b"v0")
            self.assertEqual(admin.call("CLIENT", "UNPAUSE"), "OK")
            self.assertEqual(c.read(), "OK")
            self.assertEqual(c.read(), b"v1")

    def test_all_pause_holds_reads_until_it_ends(self):
        with harness.Server() as s, s.client() as admin, s.client() as c:
            self.assertEqual(admin.call("CLIENT", "PAUSE", "400"), "OK")
            t0 = time.monotonic()
            self.assertEqual(c.call("PING"), "PONG")
            waited = time.monotonic() - t0
            self.assertGreater(waited, 0.25)
            self.assertLess(waited, 5)
            # A paused server does not spin: CPU time stays low over a long pause.
            admin.call("CLIENT", "PAUSE", "1500")
            cpu0 = info_fields(admin.call("INFO", "cpu"))
            c.send(harness.encode_command("PING"))
            time.sleep(1.0)
            cpu1 = info_fields(admin.call("INFO", "cpu"))
            used = (float(cpu1["used_cpu_user"]) + float(cpu1["used_cpu_sys"]) -
                    float(cpu0["used_cpu_user"]) - float(cpu0["used_cpu_sys"]))
            self.assertLess(used, 0.5)
            self.assertEqual(c.read(), "PONG")


class SlowlogTest(unittest.TestCase):
    def test_slowlog_with_zero_threshold(self):
        with harness.Server(args=["--slowlog-log-slower-than", "0"]) as s, s.client() as c:
            c.call("CLIENT", "SETNAME", "worker")
            c.call("SET", "key", "x" * 300)
            entries = c.call("SLOWLOG", "GET", "1")
            self.assertEqual(len(entries), 1)
            eid, ts, dur, args, peer, name = entries[0]
            self.assertEqual(args, [b"SET", b"key", b"x" * 128 + b"... (172 more bytes)"])
            self.assertLess(abs(ts - time.time()), 30)
            self.assertGreaterEqual(dur, 0)
            self.assertEqual(peer.decode(), client_fields(c.call("CLIENT", "INFO").decode())["addr"])
            self.assertEqual(name, b"worker")
            self.assertGreater(c.call("SLOWLOG", "LEN"), 2)
            self.assertEqual(c.call("CONFIG", "SET", "slowlog-max-len", "2"), "OK")
            c.call("PING")
            self.assertEqual(c.call("SLOWLOG", "LEN"), 2)
            self.assertEqual(c.call("SLOWLOG", "RESET"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1"), "OK")
            c.call("PING")
            self.assertEqual(c.call("SLOWLOG", "LEN"), 1)  # the CONFIG SET before the change
            self.assertEqual(c.call("CONFIG", "GET", "slowlog-*"),
                             [b"slowlog-log-slower-than", b"-1", b"slowlog-max-len", b"2"])


class LatencyAndInfoTest(unittest.TestCase):
    def test_latency_monitor_catches_a_slow_command(self):
        with harness.Server(args=["--latency-monitor-threshold", "1"]) as s, s.client() as c:
            # Enough keys that KEYS with a non-matching pattern takes over a millisecond.
            for batch in range(100):
                args = []
                for i in range(1000):
                    args += ["key:%d:%d" % (batch, i), "v"]
                c.call("MSET", *args)
            deadline = time.monotonic() + 20
            latest = []
            while not latest and time.monotonic() < deadline:
                c.call("KEYS", "nomatch*")
                latest = c.call("LATENCY", "LATEST")
            self.assertTrue(latest, "no latency event after KEYS over 100k keys")
            event, when, last_ms, max_ms = latest[0]
            self.assertEqual(event, b"command")
            self.assertGreaterEqual(last_ms, 1)
            self.assertGreaterEqual(max_ms, last_ms)
            self.assertTrue(c.call("LATENCY", "HISTORY", "command"))
            self.assertIn(b"command", c.call("LATENCY", "DOCTOR"))
            self.assertIn(b"command - high", c.call("LATENCY", "GRAPH", "command"))
            self.assertEqual(c.call("LATENCY", "RESET"), 1)

    def test_info_sections(self):
        with harness.Server() as s, s.client() as c:
            c.call("SET", "s", "v")
            self.assertIsInstance(c.call("LPUSH", "s", "x"), RespError)
            self.assertIsInstance(c.call("NOSUCH"), RespError)
            errors = info_fields(c.call("INFO", "errorstats"))
            self.assertEqual(errors, {"errorstat_ERR": "count=1", "errorstat_WRONGTYPE": "count=1"})
            stats = info_fields(c.call("INFO", "commandstats"))
            self.assertRegex(stats["cmdstat_lpush"],
                             r"^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,"
                             r"failed_calls=1$")
            c.call("CONFIG", "GET", "maxmemory")
            stats = info_fields(c.call("INFO", "commandstats"))
            self.assertIn("cmdstat_config|get", stats)
            lat = info_fields(c.call("INFO", "latencystats"))
            self.assertRegex(lat["latency_percentiles_usec_set"],
                             r"^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$")
            c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50.5 100")
            lat = info_fields(c.call("INFO", "latencystats"))
            self.assertRegex(lat["latency_percentiles_usec_set"],
                             r"^p0=\d+\.\d{3},p50\.5=\d+\.\d{3},p100=\d+\.\d{3}$")
            self.assertEqual(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "101"),
                             RespError("ERR CONFIG SET failed (possibly related to argument "
                                       "'latency-tracking-info-percentiles') - "
                                       "latency-tracking-info-percentiles parameters should "
                                       "sit between [0.0,100.0]"))
            repl = info_fields(c.call("INFO", "replication"))
            server = info_fields(c.call("INFO", "server"))
            self.assertRegex(repl["master_replid"], r"^[0-9a-f]{40}$")
            self.assertNotEqual(repl["master_replid"], server["run_id"])
            self.assertEqual(repl["role"], "master")
            self.assertEqual(repl["master_repl_offset"], "0")
            everything = c.call("INFO", "everything").decode()
            for sec in ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                        "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats",
                        "Cluster", "Keyspace"]:
                self.assertIn("# %s\r\n" % sec, everything)
            self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
            self.assertEqual(info_fields(c.call("INFO", "errorstats")), {})
            lat = info_fields(c.call("INFO", "latencystats"))
            self.assertNotIn("latency_percentiles_usec_set", lat)


if __name__ == "__main__":
    unittest.main(verbosity=2)
