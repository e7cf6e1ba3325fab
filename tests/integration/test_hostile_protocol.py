"""Hostile input on the wire (issue 7, "Hostile input and faults"): oversized and unterminated
bulks, lengths over proto-max-bulk-len, huge multibulks from unauthenticated clients, negative
and nested lengths, huge inline requests, seeded binary garbage and half-sent commands cut by a
disconnect.

Each case sends the same bytes to the real redis-server (7.0, the oracle) where the reply is
deterministic and compares what comes back byte for byte, then checks that gannet-server still
answers and that every sentinel key written before the attack is intact (_hostile.Sentinels).
GANNET_HOSTILE_1GB=0 skips the one case that streams 1 GB (default client-query-buffer-limit).
"""

import os
import random
import selectors
import socket
import struct
import time
import unittest

import _setup  # noqa: F401
import harness
from _hostile import Sentinels, drain, info_field, log_line
from harness import RespError, encode_command

QBUF_LOG = "Closing client that reached max query buffer length"
MB = 1024 * 1024


def exchange_all(port, payloads, idle=0.6, limit=30.0):
    """Sends every payload on its own connection at once and collects (state, reply bytes)
    per payload: "closed" when the server closed the connection, "open" when it stayed silent
    for `idle` seconds. Parallel so a table of cases costs one idle period, not one each."""
    sel = selectors.DefaultSelector()
    results = [None] * len(payloads)
    data = [b""] * len(payloads)
    socks = []
    for i, payload in enumerate(payloads):
        s = socket.create_connection((harness.HOST, port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we were still sending: the reply may still be readable
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
        socks.append(s)
    deadline = time.monotonic() + limit
    last_activity = time.monotonic()
    try:
        while sel.get_map() and time.monotonic() < deadline:
            events = sel.select(timeout=0.05)
            if events:
                last_activity = time.monotonic()
            elif time.monotonic() - last_activity > idle:
                break
            for key, _ in events:
                i = key.data
                try:
                    chunk = key.fileobj.recv(1 << 16)
                except BlockingIOError:
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if chunk:
                    data[i] += chunk
                else:
                    results[i] = "closed"
                    sel.unregister(key.fileobj)
    finally:
        for s in socks:
            s.close()
        sel.close()
    return [(results[i] or "open", data[i]) for i in range(len(payloads))]


class OracleMixin:
    """Starts gannet-server and redis-server with the same arguments; writes sentinels."""

    SERVER_ARGS = []
    PASSWORD = None

    @classmethod
    def setUpClass(cls):
        args = list(cls.SERVER_ARGS)
        if cls.PASSWORD:
            args += ["--requirepass", cls.PASSWORD]
        cls.server = harness.Server(args=args, password=cls.PASSWORD).start()
        cls.redis = harness.Server(binary=harness.redis_binary(), args=args,
                                   password=cls.PASSWORD).start()
        cls.sentinels = Sentinels()
        with cls.server.client() as c:
            if cls.PASSWORD:
                assert c.call("AUTH", cls.PASSWORD) == "OK"
            cls.sentinels.write(c)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()
        code = cls.server.stop()
        if code not in (0, None):
            raise AssertionError(f"gannet-server exited with {code}")

    def verify(self, what):
        self.sentinels.verify(self, self.server, what)

    def authed(self, server):
        c = server.client(timeout=30)
        if server.password:
            self.assertEqual(c.call("AUTH", server.password), "OK")
        return c

    def compare_with_redis(self, cases, idle=0.6):
        """cases: {name: payload}. Gannet's (state, reply) must equal Redis's for each."""
        names = list(cases)
        payloads = [cases[n] for n in names]
        ours = exchange_all(self.server.port, payloads, idle=idle)
        theirs = exchange_all(self.redis.port, payloads, idle=idle)
        diffs = [f"{n}: payload {cases[n][:60]!r}\n   redis : {t[0]} {t[1][:200]!r}\n"
                 f"   gannet: {o[0]} {o[1][:200]!r}"
                 for n, o, t in zip(names, ours, theirs) if o != t]
        self.assertFalse(diffs, "replies differ from redis-server:\n" + "\n".join(diffs))
        return dict(zip(names, ours))


class QueryBufferLimitTest(OracleMixin, unittest.TestCase):
    # proto-max-bulk-len above 1 GB, so a 1 GB bulk header is legal and only the query
    # buffer limit can stop it.
    SERVER_ARGS = ["--client-query-buffer-limit", "16mb", "--proto-max-bulk-len", "2gb"]

    def stream_until_closed(self, server, header, cap):
        """Sends header, then 1 MB chunks of 'x' until the server closes (or cap bytes).
        Returns (bytes of payload sent, reply bytes, closed?)."""
        sent = 0
        chunk = b"x" * MB
        with server.client(timeout=30) as c:
            if server.password:
                c.call("AUTH", server.password)
            c.send(header)
            try:
                while sent < cap:
                    c.sock.sendall(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                state, reply = "closed", b""
            else:
                state, reply = drain(c.sock, idle=5.0)
            return sent, reply, state == "closed"

    def test_unterminated_1gb_bulk_closed_at_limit(self):
        header = b"*3\r\n$3\r\nSET\r\n$6\r\nvictim\r\n$1073741824\r\n"
        with self.authed(self.server) as c:
            before = int(info_field(c, "stats", "client_query_buffer_limit_disconnections"))
        sent, reply, closed = self.stream_until_closed(self.server, header, 200 * MB)
        self.assertTrue(closed, "connection still open after 200 MB of a 1 GB bulk (limit 16mb)")
        self.assertEqual(reply, b"")  # Redis closes without a reply
        # Closed once the buffer passed 16 MB; socket buffers and one read of slack on top.
        self.assertGreater(sent, 15 * MB)
        self.assertLess(sent, 64 * MB, "closed far beyond client-query-buffer-limit")
        self.assertIsNotNone(harness.wait_until(lambda: log_line(self.server, QBUF_LOG)),
                             "no 'Closing client that reached max query buffer length' log line")
        with self.authed(self.server) as c:
            self.assertEqual(c.call("EXISTS", "victim"), 0)
            after = int(info_field(c, "stats", "client_query_buffer_limit_disconnections"))
            self.assertEqual(after, before + 1)
        # The oracle does the same (closes silently, logs the same line).
        r_sent, r_reply, r_closed = self.stream_until_closed(self.redis, header, 200 * MB)
        self.assertTrue(r_closed and r_reply == b"")
        self.assertIsNotNone(log_line(self.redis, QBUF_LOG))
        self.verify("1 GB unterminated bulk")

    def test_single_argument_over_limit_arriving_in_one_burst_is_refused(self):
        # Redis checks the query buffer right after each read, before parsing it: one argument
        # longer than client-query-buffer-limit can never be executed, even when its last byte
        # arrives in the read that crosses the limit. (Known gannet divergence when this fails:
        # Connection::OnRead checks the limit only on what is left unparsed after
        # ProcessInput(), so a complete oversized argument is executed. See the hB report.)
        value = b"z" * (16 * MB + 512 * 1024)
        payload = encode_command("SET", "over-limit", value)
        for server in (self.redis, self.server):
            with server.client(timeout=30) as c:
                try:
                    c.sock.sendall(payload)
                    state, reply = drain(c.sock, idle=3.0)
                except (BrokenPipeError, ConnectionResetError):
                    state, reply = "closed", b""
            with self.authed(server) as c:
                exists = c.call("EXISTS", "over-limit")
                c.call("DEL", "over-limit")
            self.assertEqual((state, reply, exists), ("closed", b"", 0),
                             f"{os.path.basename(server.binary)} accepted a {len(value)}-byte "
                             "argument with client-query-buffer-limit 16mb")
        self.verify("argument over the query buffer limit")

    def test_default_1gb_limit(self):
        # The default limit (1 GB) by streaming 1 GB: about 20 s on a release build and 50 s
        # under ASan on a loaded 2-core machine (the server's buffer reaches 2 GB).
        # GANNET_HOSTILE_1GB=0 skips it on machines without the memory.
        if os.environ.get("GANNET_HOSTILE_1GB") == "0":
            print("\n[hostile] default 1gb query-buffer case skipped (GANNET_HOSTILE_1GB=0)")
            self.skipTest("GANNET_HOSTILE_1GB=0")
        with harness.Server(args=["--proto-max-bulk-len", "2gb"]) as s:
            sentinels = Sentinels()
            with s.client() as c:
                sentinels.write(c)
                self.assertEqual(c.call("CONFIG", "GET", "client-query-buffer-limit"),
                                 [b"client-query-buffer-limit", b"1073741824"])
            # Declared longer than what we send, so only the limit can end it.
            header = b"*3\r\n$3\r\nSET\r\n$6\r\nvictim\r\n$2000000000\r\n"
            start = time.monotonic()
            sent, reply, closed = self.stream_until_closed(s, header, 1200 * MB)
            print(f"\n[hostile] default 1gb limit: closed after {sent >> 20} MB in "
                  f"{time.monotonic() - start:.1f} s")
            self.assertTrue(closed)
            self.assertEqual(reply, b"")
            self.assertGreaterEqual(sent, 1000 * MB)
            self.assertIsNotNone(harness.wait_until(lambda: log_line(s, QBUF_LOG)))
            with s.client() as c:
                self.assertEqual(c.call("EXISTS", "victim"), 0)
            sentinels.verify(self, s, "default 1gb limit")


class BulkLengthTest(OracleMixin, unittest.TestCase):
    def test_bulk_over_proto_max_bulk_len(self):
        cases = {
            "over_default": b"*2\r\n$3\r\nGET\r\n$536870913\r\n",
            "way_over": b"*2\r\n$3\r\nGET\r\n$99999999999\r\n",
            "llong_max": b"*2\r\n$3\r\nGET\r\n$9223372036854775807\r\n",
            "over_llong": b"*2\r\n$3\r\nGET\r\n$9223372036854775808\r\n",
            "first_arg": b"*1\r\n$536870913\r\n",
            "at_limit_open": b"*2\r\n$3\r\nGET\r\n$536870912\r\n",  # legal: waits for data
        }
        got = self.compare_with_redis(cases)
        for name in ("over_default", "way_over", "llong_max", "over_llong", "first_arg"):
            self.assertEqual(got[name],
                             ("closed", b"-ERR Protocol error: invalid bulk length\r\n"), name)
        self.assertEqual(got["at_limit_open"], ("open", b""))
        self.verify("bulk over proto-max-bulk-len")

    def test_lowered_proto_max_bulk_len(self):
        for s in (self.server, self.redis):
            with self.authed(s) as c:
                self.assertEqual(c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb"), "OK")
        try:
            got = self.compare_with_redis({
                "over": b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1048577\r\n",
                "exact": encode_command("SET", "big", b"q" * MB),
            })
            self.assertEqual(got["over"],
                             ("closed", b"-ERR Protocol error: invalid bulk length\r\n"))
            self.assertEqual(got["exact"], ("open", b"+OK\r\n"))
            with self.authed(self.server) as c:
                self.assertEqual(c.call("STRLEN", "big"), MB)
                # A string grown past the limit by a command gets Redis's error.
                self.assertEqual(c.call("APPEND", "big", "q"), RespError(
                    "ERR string exceeds maximum allowed size (proto-max-bulk-len)"))
                self.assertEqual(c.call("DEL", "big"), 1)
        finally:
            for s in (self.server, self.redis):
                with self.authed(s) as c:
                    c.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")
        self.verify("lowered proto-max-bulk-len")


class UnauthenticatedTest(OracleMixin, unittest.TestCase):
    PASSWORD = "hostile-pass"

    def rss_kb(self):
        with open(f"/proc/{self.server.pid()}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def test_huge_multibulk_before_auth(self):
        rss_before = self.rss_kb()
        got = self.compare_with_redis({
            "ten_million": b"*10000000\r\n",
            "eleven": b"*11\r\n",
            "ten_then_get": b"*10\r\n",  # 10 is allowed: waits for the arguments
            "bulk_16385": b"*2\r\n$3\r\nGET\r\n$16385\r\n",
            "bulk_16384": b"*2\r\n$3\r\nGET\r\n$16384\r\n" + b"k" * 16384 + b"\r\n",
            "noauth": encode_command("GET", "sentinel:str"),
            "inline_noauth": b"GET sentinel:str\r\n",
            "huge_inline": b"GET " + b"a" * (70 * 1024),
        })
        self.assertEqual(got["ten_million"], (
            "closed", b"-ERR Protocol error: unauthenticated multibulk length\r\n"))
        self.assertEqual(got["eleven"], (
            "closed", b"-ERR Protocol error: unauthenticated multibulk length\r\n"))
        self.assertEqual(got["ten_then_get"], ("open", b""))
        self.assertEqual(got["bulk_16385"], (
            "closed", b"-ERR Protocol error: unauthenticated bulk length\r\n"))
        noauth = b"-NOAUTH Authentication required.\r\n"
        self.assertEqual(got["bulk_16384"], ("open", noauth))
        self.assertEqual(got["noauth"], ("open", noauth))
        self.assertEqual(got["huge_inline"],
                         ("closed", b"-ERR Protocol error: too big inline request\r\n"))
        # Refused before anything was allocated for ten million arguments.
        self.assertLess(self.rss_kb() - rss_before, 64 * 1024)
        self.verify("unauthenticated multibulk")

    def test_huge_multibulk_after_auth_costs_nothing_until_sent(self):
        rss_before = self.rss_kb()
        socks = []
        for _ in range(20):
            c = self.authed(self.server)
            c.send(b"*10000000\r\n$3\r\nSET\r\n")
            socks.append(c)
        try:
            for c in socks:
                self.assertEqual(drain(c.sock, idle=0.2), ("open", b""))
            # 20 clients x 10M declared arguments: nothing sized by the declaration.
            self.assertLess(self.rss_kb() - rss_before, 128 * 1024,
                            "memory grew with the declared (unsent) argument count")
        finally:
            for c in socks:
                c.close()
        self.verify("authenticated 10M multibulk")


class MalformedTest(OracleMixin, unittest.TestCase):
    def test_negative_and_nested_lengths(self):
        ping = encode_command("PING")
        cases = {
            "mbulk_minus5": b"*-5\r\n" + ping,
            "mbulk_minus1": b"*-1\r\n" + ping,
            "mbulk_zero": b"*0\r\n" + ping,
            "bulk_minus2": b"*1\r\n$-2\r\n",
            "bulk_minus1": b"*1\r\n$-1\r\n",
            "bulk_llong_min": b"*1\r\n$-9223372036854775808\r\n",
            "mbulk_llong_min": b"*-9223372036854775808\r\n" + ping,
            "mbulk_over_int": b"*2147483648\r\n",
            "mbulk_over_llong": b"*9223372036854775808\r\n",
            "mbulk_plus": b"*+1\r\n" + ping,
            "mbulk_space": b"* 1\r\n",
            "mbulk_decimal": b"*1.0\r\n",
            "mbulk_hex": b"*0x10\r\n",
            "mbulk_empty": b"*\r\n",
            "bulk_empty": b"*1\r\n$\r\n",
            "bulk_plus": b"*1\r\n$+4\r\nPING\r\n",
            "nested_2": b"*1\r\n*1\r\n$4\r\nPING\r\n",
            "nested_deep": b"*1\r\n" * 100000,
            "nested_map": b"*1\r\n%1\r\n",
            "bulk_not_dollar": b"*2\r\n$3\r\nGET\r\n:1\r\n",
            "bulk_missing_crlf": b"*1\r\n$4\r\nPINGxx" + ping,
            "lf_only_mbulk": b"*1\n$4\nPING\n",
            "resp3_map_top": b"%1\r\n" + ping,
            "resp3_push_top": b">1\r\n" + ping,
            "blank_lines": b"\r\n\n\r\n" + ping,
            "inline_dollar_len": b"$99999999999\r\n",
            "inline_star_text": b"*x y z\r\n",
            "inline_nul": b"PI\x00NG\r\n" + ping,
            "inline_quotes": b'SET "a\\x00b" "\\xff"\r\nGET "a\\x00b"\r\n',
            "inline_unbalanced": b"SET 'a b\r\n",
            "inline_many_args": b"EXISTS" + b" a" * 30000 + b"\r\n",
            "too_big_inline": b"SET k " + b"a" * (70 * 1024),
            "too_big_count": b"*" + b"9" * (70 * 1024),
            "too_big_bulk_count": b"*1\r\n$" + b"9" * (70 * 1024),
            "long_inline_ok": b"ECHO " + b"a" * 60000 + b"\r\n",
        }
        got = self.compare_with_redis(cases)
        self.assertEqual(got["bulk_minus2"],
                         ("closed", b"-ERR Protocol error: invalid bulk length\r\n"))
        self.assertEqual(got["nested_deep"],
                         ("closed", b"-ERR Protocol error: expected '$', got '*'\r\n"))
        self.assertEqual(got["mbulk_minus5"], ("open", b"+PONG\r\n"))
        self.assertEqual(got["too_big_inline"],
                         ("closed", b"-ERR Protocol error: too big inline request\r\n"))
        with self.server.client() as c:
            c.call("DEL", "a\x00b")
        self.verify("negative and nested lengths")

    def test_seeded_binary_garbage_matches_redis(self):
        # Random bytes, and random bytes after a valid prefix; the same seed every run so a
        # difference is reproducible. Each payload gets its own connection on both servers.
        rng = random.Random(0x6A77E7)
        cases = {}
        for i in range(120):
            n = rng.choice((1, 2, 7, 64, 512, 4096))
            noise = bytes(rng.randrange(256) for _ in range(n))
            if i % 3 == 0:
                noise = rng.choice((b"*", b"$", b"*2\r\n", b"*1\r\n$", b"*3\r\n$3\r\nSET\r\n"))\
                    + noise
            elif i % 3 == 1:
                # Printable noise goes through the inline parser's quoting rules.
                noise = bytes(rng.choice(b"abc \"'\\x09\r\n*$-") for _ in range(n))
            cases[f"garbage{i}"] = noise
        self.compare_with_redis(cases, idle=0.8)
        self.verify("seeded binary garbage")

    def test_megabytes_of_random_bytes(self):
        rng = random.Random(42)
        for _ in range(4):
            blob = rng.randbytes(4 * MB)
            with self.server.client(timeout=30) as c:
                try:
                    c.sock.sendall(blob)
                    drain(c.sock, idle=0.5)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            self.assertTrue(self.server.alive())
        self.verify("4 MB random streams")


class HalfSentTest(OracleMixin, unittest.TestCase):
    def connected_clients(self):
        with self.server.client() as c:
            return int(info_field(c, "clients", "connected_clients"))

    def test_command_cut_at_every_byte_then_disconnect(self):
        commands = [
            encode_command("SET", "half:str", "value"),
            encode_command("RPUSH", "half:list", "a", "b"),
            encode_command("INCR", "sentinel:int"),
            encode_command("DEL", "sentinel:str"),
            encode_command("HSET", "sentinel:hash", "f1", "changed"),
            encode_command("FLUSHALL"),
            b"DEL sentinel:list\r\n",
        ]
        for cmd in commands:
            for cut in range(1, len(cmd) - 1):
                with self.server.client() as c:
                    c.send(cmd[:cut])
        # The last cut leaves only "\n" unsent: still not a complete command.
        harness.wait_until(lambda: self.connected_clients() == 1, timeout=10)
        with self.server.client() as c:
            self.assertEqual(c.call("EXISTS", "half:str", "half:list"), 0)
        self.verify("commands cut at every byte")

    def test_big_bulk_cut_then_disconnect(self):
        with self.server.client() as c:
            c.send(b"*3\r\n$3\r\nSET\r\n$14\r\nsentinel:hash!\r\n$2000000\r\n")
            c.send(b"y" * 1500000)
        with self.server.client() as c:
            c.send(encode_command("SET", "sentinel:str", b"w" * 3000000)[:-3])
        harness.wait_until(lambda: self.connected_clients() == 1, timeout=10)
        with self.server.client() as c:
            self.assertEqual(c.call("EXISTS", "sentinel:hash!"), 0)
        self.verify("big bulk cut by a disconnect")

    def test_pipeline_and_transaction_cut(self):
        with self.server.client() as c:
            c.send(encode_command("SET", "half:done", "1")
                   + encode_command("SET", "half:x", "1")[:-1])
            self.assertEqual(c.read(), "OK")
        with self.server.client() as c:
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("SET", "half:tx", "1"), "QUEUED")
            self.assertEqual(c.call("DEL", "sentinel:set"), "QUEUED")
            c.send(encode_command("EXEC")[:-2])
        with self.server.client() as c:
            self.assertEqual(c.call("MULTI"), "OK")
            self.assertEqual(c.call("DEL", "sentinel:zset"), "QUEUED")
        harness.wait_until(lambda: self.connected_clients() == 1, timeout=10)
        with self.server.client() as c:
            self.assertEqual(c.call("GET", "half:done"), b"1")
            self.assertEqual(c.call("EXISTS", "half:x", "half:tx"), 0)
            c.call("DEL", "half:done")
        self.verify("pipeline and MULTI cut by a disconnect")

    def test_reset_by_peer_mid_reply(self):
        # The client vanishes (RST) while a big reply is being written.
        with self.server.client() as c:
            c.call("SET", "half:big", b"r" * (8 * MB))
            c.send(encode_command("GET", "half:big") * 8)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        harness.wait_until(lambda: self.connected_clients() == 1, timeout=10)
        with self.server.client() as c:
            self.assertEqual(c.call("DEL", "half:big"), 1)
        self.verify("reset mid-reply")


if __name__ == "__main__":
    unittest.main(verbosity=2)
