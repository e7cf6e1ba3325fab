"""Introspection side by side with redis-server: INFO field names of the clients, cpu,
replication and modules sections, commandstats/errorstats/latencystats after the same
commands, the replies (and errors) of SLOWLOG, LATENCY, MONITOR and CLIENT subcommands, and
MONITOR lines with times and ports masked."""

import re
import time
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair, help_text
from harness import parse_reply


def info_pairs(raw):
    text = parse_reply(raw)[0].decode()
    out = []
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            k, _, v = line.partition(":")
            out.append((k, v))
    return out


def mask_monitor(raw):
    return re.sub(rb"^\+\d+\.\d{6} \[(\d+) [^\]]+\]", rb"+T [\1 ADDR]", raw)


class DifferentialIntrospection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.p = Pair(self.servers.gannet, self.servers.redis)
        self.p.both("FLUSHALL")
        self.p.both("CONFIG", "RESETSTAT")

    def tearDown(self):
        self.p.close()

    def finish(self):
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def test_info_field_names(self):
        for section in ["clients", "cpu", "replication", "modules"]:
            g, r = self.p.both("INFO", section)
            self.assertEqual([k for k, _ in info_pairs(g)], [k for k, _ in info_pairs(r)],
                             section)
            self.assertEqual(parse_reply(g)[0].split(b"\r\n")[0],
                             parse_reply(r)[0].split(b"\r\n")[0])
        g = dict(info_pairs(self.p.both("INFO", "replication")[0]))
        r = dict(info_pairs(self.p.both("INFO", "replication")[1]))
        for k in ["role", "connected_slaves", "master_failover_state", "master_replid2",
                  "master_repl_offset", "second_repl_offset", "repl_backlog_active",
                  "repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"]:
            self.assertEqual(g[k], r[k], k)

    def test_stats_sections_after_the_same_commands(self):
        cmds = [("SET", "s", "v"), ("GET", "s"), ("LPUSH", "s", "x"), ("NOSUCH",), ("GET",),
                ("INCR", "s"), ("HSET", "s", "f", "v"), ("CONFIG", "GET", "maxmemory"),
                ("CLIENT", "ID"), ("OBJECT", "NOSUCH")]
        for c in cmds:
            self.p.both(*c)
        g, r = self.p.both("INFO", "errorstats")
        self.assertEqual(g, r)

        def counts(raw):
            out = {}
            for k, v in info_pairs(raw):
                fields = dict(kv.split("=") for kv in v.split(","))
                out[k] = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
            return out

        g, r = self.p.both("INFO", "commandstats")
        self.assertEqual(counts(g), counts(r))

        def lat_keys(raw):
            return sorted((k, re.sub(r"=\d+\.\d{3}", "=N", v)) for k, v in info_pairs(raw))

        g, r = self.p.both("INFO", "latencystats")
        self.assertEqual(lat_keys(g), lat_keys(r))
        self.p.both("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50.5 100")
        g, r = self.p.both("INFO", "latencystats")
        self.assertEqual(lat_keys(g), lat_keys(r))
        self.p.both("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9")
        # LATENCY HISTOGRAM: same commands, same call counts.
        g, r = self.p.both("LATENCY", "HISTOGRAM", "set", "get", "nosuch", "config")
        gv, rv = parse_reply(g)[0], parse_reply(r)[0]
        # Subcommands come in Redis's dict order, which is a hash order: compare as maps.
        self.assertEqual({n: x[:2] for n, x in zip(gv[::2], gv[1::2])},
                         {n: x[:2] for n, x in zip(rv[::2], rv[1::2])})

    def test_replies_and_errors(self):
        checks = [
            ("SLOWLOG", "LEN"), ("SLOWLOG", "RESET"), ("SLOWLOG", "GET", "-2"),
            ("SLOWLOG", "GET", "abc"), ("SLOWLOG", "GET", "1", "2"), ("SLOWLOG", "RESET", "x"),
            ("SLOWLOG", "LEN", "x"), ("SLOWLOG", "FOO"), ("SLOWLOG",), ("SLOWLOG", "GET", "0"),
            ("LATENCY", "LATEST"), ("LATENCY", "HISTORY", "command"), ("LATENCY", "RESET"),
            ("LATENCY", "RESET", "a", "b"), ("LATENCY", "GRAPH", "nosuch"), ("LATENCY", "FOO"),
            ("LATENCY", "HISTORY"), ("LATENCY", "GRAPH"), ("LATENCY",),
            ("LATENCY", "HISTOGRAM", "nosuch"), ("MONITOR", "x"),
            ("CLIENT", "PAUSE"), ("CLIENT", "PAUSE", "abc"), ("CLIENT", "PAUSE", "-1"),
            ("CLIENT", "PAUSE", "10", "foo"), ("CLIENT", "PAUSE", "10", "write", "x"),
            ("CLIENT", "PAUSE", "0", "WRITE"), ("CLIENT", "PAUSE", "0", "all"),
            ("CLIENT", "UNPAUSE"), ("CLIENT", "UNPAUSE", "x"),
            ("CLIENT", "KILL", "TYPE", "foo"), ("CLIENT", "KILL", "ID", "0"),
            ("CLIENT", "KILL", "ID", "abc"), ("CLIENT", "KILL", "SKIPME", "maybe"),
            ("CLIENT", "KILL", "foo", "bar"), ("CLIENT", "KILL", "1.2.3.4:5"),
            ("CLIENT", "KILL", "ID"), ("CLIENT", "KILL", "TYPE", "replica"),
            ("CLIENT", "KILL", "TYPE", "master"), ("CLIENT", "KILL", "USER", "nobody"),
            ("CLIENT", "NO-EVICT", "maybe"), ("CLIENT", "NO-EVICT", "on"),
            ("CLIENT", "NO-EVICT", "off"), ("CLIENT", "LIST", "TYPE", "foo"),
            ("CLIENT", "LIST", "ID", "abc"), ("CLIENT", "LIST", "ID", "0"),
            ("CLIENT", "LIST", "foo"), ("CLIENT", "LIST", "TYPE", "pubsub"),
            ("CLIENT", "LIST", "TYPE", "replica"),
            ("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
            ("CONFIG", "SET", "slowlog-max-len", "-1"),
            ("CONFIG", "SET", "latency-monitor-threshold", "-1"),
            ("CONFIG", "SET", "latency-tracking-info-percentiles", "101"),
            ("CONFIG", "SET", "latency-tracking-info-percentiles", "abc"),
            ("CONFIG", "SET", "latency-tracking", "maybe"),
            ("CONFIG", "GET", "slowlog-*"), ("CONFIG", "GET", "latency-*"),
        ]
        for c in checks:
            self.p.check(*c)
        self.p.check("SLOWLOG", "HELP", compare=help_text)
        self.p.check("LATENCY", "HELP", compare=help_text)
        self.finish()

    def test_slowlog_entries(self):
        self.p.both("CONFIG", "SET", "slowlog-log-slower-than", "0")
        self.p.both("SLOWLOG", "RESET")
        self.p.both("CLIENT", "SETNAME", "app")
        self.p.both("SET", "k", "x" * 200)
        self.p.both("RPUSH", "l", *[str(i) for i in range(40)])
        self.p.both("AUTH", "a", "b")
        self.p.both("HELLO", "2", "SETNAME", "n", "AUTH", "default", "pw")
        g, r = self.p.both("SLOWLOG", "GET", "5")
        gv, rv = parse_reply(g)[0], parse_reply(r)[0]
        self.assertEqual(len(gv), len(rv))
        for ge, re_ in zip(gv, rv):
            self.assertEqual(ge[3], re_[3])  # arguments, trimmed and redacted
            self.assertEqual(ge[5], re_[5])  # client name
            self.assertEqual(len(ge), 6)
        self.p.both("CONFIG", "SET", "slowlog-log-slower-than", "10000")

    def test_monitor_lines(self):
        mg, mr = self.servers.gannet.client(), self.servers.redis.client()
        try:
            self.assertEqual(mg.call_raw("MONITOR"), mr.call_raw("MONITOR"))
            cmds = [("SET", "k", 'a"b\\\x01\xff\n'), ("GET", "k"), ("SELECT", "3"),
                    ("AUTH", "pw"), ("AUTH", "u", "pw"), ("HELLO", "2", "AUTH", "a", "b"),
                    ("SELECT", "0"), ("CONFIG", "GET", "x"), ("GET",), ("MULTI",),
                    ("INCR", "n"), ("EXEC",), ("PING",)]
            for c in cmds:
                self.p.both(*c)
            self.p.both("ECHO", "end")
            lines_g, lines_r = [], []
            for _ in range(12):
                lines_g.append(mask_monitor(mg.read_raw()))
                lines_r.append(mask_monitor(mr.read_raw()))
            self.assertEqual(lines_g, lines_r)
            self.assertEqual(mg.call_raw("GET", "k"), mr.call_raw("GET", "k"))
        finally:
            mg.close()
            mr.close()
            time.sleep(0.05)


if __name__ == "__main__":
    unittest.main(verbosity=2)
