"""Introspection side by side with redis-server: INFO field names of the clients, cpu,
replication and modules sections, commandstats/errorstats/latencystats after the same
commands, the replies (and errors) of SLOWLOG, LATENCY, MONITOR and CLIENT subcommands, and
MONITOR lines with times and ports masked."""

import re
import time
import unittest

import _setup  # noqa: F401
from difftools import PairTestCase, help_text
from harness import encode_command, parse_reply


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


class DifferentialIntrospection(PairTestCase):
    def setUp(self):
        super().setUp()
        self.p.both("CONFIG", "RESETSTAT")

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

    def test_protocol_errors_count_as_error_replies(self):
        # Redis 7.0 counts a protocol error reply like any other: total_error_replies and
        # errorstat_ERR (the connection is then closed).
        bad = [b"*1\r\n$x\r\n", b"*abc\r\n", b'SET "a b\r\n', b"*1\r\n:1\r\n",
               b"*3000000000\r\n"]
        for server in (self.servers.gannet, self.servers.redis):
            for payload in bad:
                with server.client() as c:
                    c.send(payload)
                    c.read_until_closed(limit=5.0)
        for section in ("errorstats",):
            g, r = self.p.both("INFO", section)
            self.assertEqual(g, r)
        g = dict(info_pairs(self.p.both("INFO", "stats")[0]))
        r = dict(info_pairs(self.p.both("INFO", "stats")[1]))
        self.assertEqual(g["total_error_replies"], r["total_error_replies"])
        self.assertNotEqual(r["total_error_replies"], "0")

    def test_client_info_fields_and_7_2_subcommands(self):
        # Exactly Redis 7.0.15's fields, in its order (no lib-name/lib-ver: those are 7.2).
        g, r = self.p.both("CLIENT", "INFO")
        names = [kv.split("=")[0] for kv in parse_reply(g)[0].decode().split()]
        self.assertEqual(names, [kv.split("=")[0] for kv in parse_reply(r)[0].decode().split()])
        g, r = self.p.both("CLIENT", "LIST")
        names = [kv.split("=")[0] for kv in parse_reply(g)[0].decode().split("\n")[0].split()]
        self.assertEqual(names, [kv.split("=")[0]
                                 for kv in parse_reply(r)[0].decode().split("\n")[0].split()])
        # CLIENT SETINFO does not exist in 7.0: the same unknown-subcommand error.
        for c in [("CLIENT", "SETINFO", "lib-name", "x"), ("CLIENT", "SETINFO", "lib-ver", "1"),
                  ("CLIENT", "SETINFO")]:
            self.p.check(*c)
        self.finish()

    def test_blocked_clients_and_timeout_table(self):
        # A BLPOP with a timeout is in the timeout table, one with 0 is not; a client held
        # back by CLIENT PAUSE counts as blocked but has no timeout.
        def fields():
            out = []
            for raw in self.p.both("INFO", "clients"):
                d = dict(info_pairs(raw))
                out.append((d["blocked_clients"], d["clients_in_timeout_table"]))
            return out

        extra = []
        try:
            for server in (self.servers.gannet, self.servers.redis):
                a, b, w = server.client(), server.client(), server.client()
                extra += [a, b, w]
                a.send(encode_command("BLPOP", "nolist", "5"))
                b.send(encode_command("BLPOP", "nolist2", "0"))
            time.sleep(0.3)
            g, r = fields()
            self.assertEqual(g, r)
            self.assertEqual(r, ("2", "1"))
            self.p.check("CLIENT", "PAUSE", "3000", "WRITE")
            for w in (extra[2], extra[5]):
                w.send(encode_command("SET", "pk", "1"))
            time.sleep(0.3)
            g, r = fields()
            self.assertEqual(g, r)
            self.assertEqual(r, ("3", "1"))
            self.p.check("CLIENT", "UNPAUSE")
            self.assertEqual(extra[2].read_raw(), extra[5].read_raw())
        finally:
            for c in extra:
                c.close()
            self.p.both("CLIENT", "UNPAUSE")
        self.finish()

    def test_pause_freezes_expiry(self):
        # While clients are paused (WRITE here, so reads still run) a key past its TTL reads
        # as missing but is not deleted: DBSIZE still counts it, expired_keys stays, and
        # neither lazy nor active expiry removes it until the pause ends.
        self.p.both("SET", "k", "v", "PX", "100")
        self.p.both("SET", "k2", "v", "PX", "100")
        self.p.both("SET", "live", "v")
        self.p.check("CLIENT", "PAUSE", "2000", "WRITE")
        time.sleep(0.5)  # several active-expire cycles (hz 10)
        for c in [("GET", "k"), ("EXISTS", "k", "k2"), ("TTL", "k2"), ("DBSIZE",),
                  ("KEYS", "*"), ("TYPE", "k")]:
            self.p.check(*c)
        g = dict(info_pairs(self.p.both("INFO", "stats")[0]))
        r = dict(info_pairs(self.p.both("INFO", "stats")[1]))
        self.assertEqual((g["expired_keys"], r["expired_keys"]), ("0", "0"))
        self.p.check("DBSIZE")  # 3 on both: nothing was reclaimed
        self.p.check("CLIENT", "UNPAUSE")
        self.p.check("GET", "k")  # now lazy expiry deletes it
        deadline = time.time() + 5
        while time.time() < deadline:  # and the active cycle the other one
            g, r = self.p.both("DBSIZE")
            if g == r == b":1\r\n":
                break
            time.sleep(0.05)
        self.p.check("DBSIZE")
        g = dict(info_pairs(self.p.both("INFO", "stats")[0]))
        r = dict(info_pairs(self.p.both("INFO", "stats")[1]))
        self.assertEqual((g["expired_keys"], r["expired_keys"]), ("2", "2"))
        self.finish()


def wait_blocked(ctl, n=1, limit=5.0):
    """Until INFO clients shows n blocked clients (bounded)."""
    deadline = time.time() + limit
    while time.time() < deadline:
        info = dict(info_pairs(ctl.call_raw("INFO", "clients")))
        if int(info["blocked_clients"]) >= n:
            return
        time.sleep(0.01)
    raise AssertionError("the client did not block")


class DifferentialBlockedStats(PairTestCase):
    """What a blocking command leaves in commandstats, errorstats, latencystats, SLOWLOG and
    LATENCY when it times out, is served, or is ended by CLIENT UNBLOCK TIMEOUT/ERROR.

    Redis 7.0.15 counts the call (calls, usec, total_commands_processed) when it blocks;
    when it is served or unblocked it adds latencystats, failed_calls and a SLOWLOG entry,
    an entry without arguments for CLIENT UNBLOCK (TIMEOUT counts as failed too); a
    timeout adds nothing. Each scenario runs the same steps on both servers and compares
    everything but the durations (and the client ids and ports, which differ)."""

    BLOCKING = ("blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin", "bzpopmax",
                "bzmpop", "xread", "xreadgroup")

    def run_scenario(self, steps):
        """steps(ctl, blocker, blocker_id) on each server after a stats reset; returns what
        is comparable, per server."""
        out = []
        for server in (self.servers.gannet, self.servers.redis):
            ctl, blk = server.client(), server.client()
            try:
                ctl.call("FLUSHALL")
                ctl.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
                ctl.call("CONFIG", "SET", "latency-monitor-threshold", "100")
                blk.call("CLIENT", "SETNAME", "blocker")
                blk_id = blk.call("CLIENT", "ID")
                blk_addr = blk.call("CLIENT", "INFO").decode().split()[1].split("=")[1]
                ctl.call("CONFIG", "RESETSTAT")
                ctl.call("SLOWLOG", "RESET")
                ctl.call("LATENCY", "RESET")
                replies = steps(ctl, blk, blk_id)
                out.append(self.snapshot(ctl, blk_id, blk_addr, replies))
            finally:
                ctl.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
                ctl.call("CONFIG", "SET", "latency-monitor-threshold", "0")
                ctl.close()
                blk.close()
        return out

    def snapshot(self, ctl, blk_id, blk_addr, replies):
        # INFO is left out: wait_blocked polls it a varying number of times.
        stats, usec, info_calls = {}, {}, 0
        for k, v in info_pairs(ctl.call_raw("INFO", "commandstats")):
            fields = dict(kv.split("=") for kv in v.split(","))
            if k == "cmdstat_info":
                info_calls = int(fields["calls"])
                continue
            stats[k] = (fields["calls"], fields["rejected_calls"], fields["failed_calls"])
            usec[k] = int(fields["usec"])
        lat = sorted(k for k, _ in info_pairs(ctl.call_raw("INFO", "latencystats"))
                     if k != "latency_percentiles_usec_info")
        errs = ctl.call_raw("INFO", "errorstats")
        st = dict(info_pairs(ctl.call_raw("INFO", "stats")))
        slow = []
        durations = {}
        for e in ctl.call("SLOWLOG", "GET", "-1"):
            args = [a.decode() for a in e[3]]
            if args[:1] in (["SLOWLOG"], ["CONFIG"], ["INFO"], ["LATENCY"]):
                continue
            if args[:2] == ["CLIENT", "UNBLOCK"]:
                args[2] = "ID" if int(args[2]) == blk_id else args[2]
            who = "blocker" if e[4].decode() == blk_addr else "control"
            slow.append((args, who, e[5]))
            if args and args[0].lower() in self.BLOCKING:
                durations[args[0].lower()] = e[2]
        latest = [x[0] for x in ctl.call("LATENCY", "LATEST")]
        return {"replies": replies, "commandstats": stats, "latencystats": lat,
                "errorstats": errs, "slowlog": slow, "_latency": latest,
                "total_commands_processed": int(st["total_commands_processed"]) - info_calls,
                "total_error_replies": st["total_error_replies"],
                "_usec": usec, "_durations": durations}

    def compare(self, g, r):
        for key in r:
            if not key.startswith("_"):
                self.assertEqual(g[key], r[key], key)

    @staticmethod
    def served_later(ctl, blk, command, *writes, pause=0.05):
        blk.send(encode_command(*command))
        wait_blocked(ctl)
        time.sleep(pause)
        for w in writes:
            ctl.call(*w)
        return blk.read()

    def test_timeout(self):
        def steps(ctl, blk, _):
            return [blk.call("BLPOP", "k1", "k2", "0.05"),
                    blk.call("BZPOPMIN", "z", "0.01"),
                    blk.call("XREAD", "BLOCK", "20", "STREAMS", "st", "0-0")]
        g, r = self.run_scenario(steps)
        self.compare(g, r)
        # Counted when it blocked, nothing when it timed out: no histogram, no SLOWLOG.
        self.assertEqual(r["commandstats"]["cmdstat_blpop"], ("1", "0", "0"))
        self.assertEqual([k for k in r["latencystats"] if k.split("_")[-1] in self.BLOCKING],
                         [])
        self.assertEqual(r["slowlog"], [])

    def test_served(self):
        def steps(ctl, blk, _):
            ctl.call("XADD", "st", "1-1", "f", "v")
            return [
                self.served_later(ctl, blk, ("BLPOP", "k1", "k2", "5"), ("RPUSH", "k2", "v"),
                                  pause=0.3),
                self.served_later(ctl, blk, ("BRPOPLPUSH", "src", "dst", "5"),
                                  ("RPUSH", "src", "a")),
                self.served_later(ctl, blk, ("BLMOVE", "s2", "d2", "LEFT", "RIGHT", "0"),
                                  ("RPUSH", "s2", "a")),
                self.served_later(ctl, blk, ("BLMPOP", "5", "2", "m1", "m2", "LEFT"),
                                  ("RPUSH", "m2", "a", "b")),
                self.served_later(ctl, blk, ("BZPOPMAX", "z", "5"), ("ZADD", "z", "1", "a")),
                self.served_later(ctl, blk, ("BZMPOP", "5", "1", "z2", "MIN"),
                                  ("ZADD", "z2", "1", "a")),
                self.served_later(ctl, blk, ("XREAD", "BLOCK", "5000", "STREAMS", "st", "$"),
                                  ("XADD", "st", "2-1", "f", "v")),
                # Woken by a key of the wrong type, then by its deletion: still blocked,
                # and counted once when served.
                self.served_later(ctl, blk, ("BRPOP", "q", "5"), ("SET", "q", "str"),
                                  ("DEL", "q"), ("RPUSH", "q", "x")),
            ]
        g, r = self.run_scenario(steps)
        self.compare(g, r)
        self.assertEqual(r["commandstats"]["cmdstat_blpop"], ("1", "0", "0"))
        self.assertIn("latency_percentiles_usec_xread", r["latencystats"])
        # The wait (0.3 s) is neither in the SLOWLOG duration nor a LATENCY event; usec
        # holds the first run twice (Redis's accounting), so it is at least the entry's.
        for server in (g, r):
            self.assertLess(server["_durations"]["blpop"], 200000)
            self.assertGreaterEqual(server["_usec"]["cmdstat_blpop"],
                                    server["_durations"]["blpop"])
            self.assertEqual(server["_latency"], [])

    def test_client_unblock(self):
        def steps(ctl, blk, blk_id):
            out = []
            blk.send(encode_command("BLMOVE", "s", "d", "LEFT", "RIGHT", "0"))
            wait_blocked(ctl)
            out.append(ctl.call("CLIENT", "UNBLOCK", blk_id, "TIMEOUT"))
            out.append(blk.read())
            blk.send(encode_command("BZPOPMIN", "z", "0"))
            wait_blocked(ctl)
            out.append(ctl.call("CLIENT", "UNBLOCK", blk_id, "ERROR"))
            out.append(blk.read())
            blk.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "st", "$"))
            wait_blocked(ctl)
            out.append(ctl.call("CLIENT", "UNBLOCK", blk_id))
            out.append(blk.read())
            out.append(ctl.call("CLIENT", "UNBLOCK", blk_id, "ERROR"))  # not blocked: 0
            return out
        g, r = self.run_scenario(steps)
        self.compare(g, r)
        # TIMEOUT counts as failed; the entries have no arguments, the blocker's name.
        self.assertEqual(r["commandstats"]["cmdstat_blmove"], ("1", "0", "1"))
        self.assertIn(([], "blocker", b"blocker"), r["slowlog"])
        # The CLIENT UNBLOCK ... ERROR that sent the error is itself a failed call.
        self.assertEqual(r["commandstats"]["cmdstat_client|unblock"], ("4", "0", "1"))

    def test_wait(self):
        # Gannet has no replicas: WAIT answers 0 at once for numreplicas <= 0 (and in
        # MULTI), otherwise it blocks like any blocking command until its timeout or CLIENT
        # UNBLOCK, and then answers 0; the statistics follow the same rules.
        def steps(ctl, blk, blk_id):
            out = [ctl.call_raw(*c) for c in [
                ("WAIT", "abc", "0"), ("WAIT", "1", "abc"), ("WAIT", "1", "-1"),
                ("WAIT", "x", "-1"), ("WAIT", "1", "1.5"), ("WAIT", "1"),
                ("WAIT", "1", "99999999999999999999"), ("WAIT", "-1", "0"), ("WAIT", "0", "0")]]
            out.append(blk.call_raw("WAIT", "1", "50"))
            blk.call("MULTI")
            blk.call("WAIT", "5", "0")
            out.append(blk.call_raw("EXEC"))
            blk.send(encode_command("WAIT", "2", "0"))
            wait_blocked(ctl)
            out.append(ctl.call_raw("CLIENT", "UNBLOCK", blk_id))
            out.append(blk.read_raw())
            blk.send(encode_command("WAIT", "2", "0"))
            wait_blocked(ctl)
            out.append(ctl.call_raw("CLIENT", "UNBLOCK", blk_id, "ERROR"))
            out.append(blk.read_raw())
            out.append(ctl.call_raw("COMMAND", "INFO", "wait"))
            return out
        g, r = self.run_scenario(steps)
        self.compare(g, r)
        self.assertEqual(r["replies"][9], b":0\r\n")

    def test_served_with_an_error_and_in_multi(self):
        def steps(ctl, blk, _):
            ctl.call("XADD", "st", "1-1", "f", "v")
            ctl.call("XGROUP", "CREATE", "st", "g", "$")
            out = [self.served_later(
                ctl, blk, ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "st",
                           ">"), ("XADD", "st", "2-1", "f", "v"))]
            # The stream goes away: the waiter gets -UNBLOCKED, a failed call.
            out.append(self.served_later(
                ctl, blk, ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "st",
                           ">"), ("DEL", "st")))
            # In MULTI a blocking command does not block: an ordinary call.
            blk.call("MULTI")
            blk.call("BLPOP", "none", "1")
            out.append(blk.call("EXEC"))
            return out
        g, r = self.run_scenario(steps)
        self.compare(g, r)
        self.assertEqual(r["commandstats"]["cmdstat_xreadgroup"], ("2", "0", "1"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
