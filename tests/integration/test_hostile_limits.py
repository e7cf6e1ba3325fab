"""Resource limits under hostile load (issue 7, "Hostile input and faults"): 10,000 idle
connections against maxclients 10000 (the 10,001st refused), the server's own open-files limit
(raised to maxclients+32 as Redis does, or a logged warning when it cannot), 1,000 connections
opened and closed per second for a minute without a descriptor leak, and SETRANGE/SETBIT/
BITFIELD offsets at the string size limit with Redis's exact errors.

After each case the server still answers and every sentinel key written before is intact.
Scale knobs (environment): GANNET_HOSTILE_CHURN_SECONDS (default 60),
GANNET_HOSTILE_512MB=1 to allocate a real 512 MB string under ASan (always on in release).
"""

import os
import resource
import socket
import struct
import time
import unittest

import _setup  # noqa: F401
import harness
from _hostile import Sentinels, fd_count, info_field, is_sanitized, log_line
from harness import RespError, encode_command

MAXCLIENTS = 10000
RESERVED_FDS = 32  # Redis's CONFIG_MIN_RESERVED_FDS
RST = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends a reset, no TIME_WAIT


def raise_own_nofile():
    """Soft RLIMIT_NOFILE of this test process up to its hard limit; returns the new soft."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def soft_nofile_of(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise KeyError("Max open files")


class ConnectionFloodTest(unittest.TestCase):
    def connect_many(self, port, n):
        socks = []
        for _ in range(n):
            s = socket.create_connection((harness.HOST, port), timeout=30)
            socks.append(s)
        return socks

    def test_10000_idle_connections_then_the_10001st_is_refused(self):
        soft, hard = raise_own_nofile()
        # Our side needs 10,001 client sockets plus a few for the harness.
        needed = MAXCLIENTS + 64
        if soft < needed:
            msg = (f"RLIMIT_NOFILE hard limit of this process is {hard} (< {needed}); "
                   "10,000-connection case cannot run here")
            print(f"\n[hostile] SKIPPED: {msg}")
            self.skipTest(msg)
        # Start the server with a low soft limit so it has to raise its own (as Redis does
        # for maxclients + 32), keeping our hard limit.
        prefix = ["prlimit", f"--nofile=1024:{hard}", "--"]
        with harness.Server(args=["--maxclients", str(MAXCLIENTS)], prefix=prefix) as s:
            sentinels = Sentinels()
            with s.client() as c:
                sentinels.write(c)
            self.assertEqual(soft_nofile_of(s.pid()), MAXCLIENTS + RESERVED_FDS,
                             "server did not raise its open-files limit to maxclients+32")
            fds_before = fd_count(s.pid())
            start = time.monotonic()
            socks = self.connect_many(s.port, MAXCLIENTS)
            try:
                # Every one of them is a working client.
                ping = encode_command("PING")
                for sock in socks:
                    sock.sendall(ping)
                for i, sock in enumerate(socks):
                    got = b""
                    while len(got) < 7:
                        chunk = sock.recv(16)
                        self.assertTrue(chunk, f"client {i} closed by the server")
                        got += chunk
                    self.assertEqual(got, b"+PONG\r\n", i)
                print(f"\n[hostile] {MAXCLIENTS} clients connected and answered in "
                      f"{time.monotonic() - start:.1f} s")
                # The next one is told and closed.
                with harness.RespClient(s.port, timeout=30) as extra:
                    self.assertEqual(extra.read_until_closed(limit=30),
                                     b"-ERR max number of clients reached\r\n")
                c0 = harness.RespClient.__new__(harness.RespClient)
                c0.sock, c0.buf = socks[0], bytearray()
                self.assertEqual(int(info_field(c0, "clients", "connected_clients")), MAXCLIENTS)
                self.assertGreaterEqual(int(info_field(c0, "stats", "rejected_connections")), 1)
            finally:
                for sock in socks:
                    sock.close()

            def back_to_one():
                try:
                    with s.client() as c:
                        return int(info_field(c, "clients", "connected_clients")) == 1
                except (OSError, ConnectionError):
                    return False

            self.assertTrue(harness.wait_until(back_to_one, timeout=60),
                            "connected_clients did not return to baseline")
            self.assertTrue(harness.wait_until(lambda: fd_count(s.pid()) <= fds_before,
                                               timeout=30),
                            f"fd leak: {fds_before} before, {fd_count(s.pid())} after")
            sentinels.verify(self, s, "10,000 idle connections")
            # Checked last so the cases above run even when only the wording is off.
            self.assertIsNotNone(log_line(
                s, f"Increased maximum number of open files to {MAXCLIENTS + RESERVED_FDS} "
                   "(it was originally set to 1024)."),
                "missing Redis's 'Increased maximum number of open files to 10032 (it was "
                "originally set to 1024).' log line; log has: "
                + repr(log_line(s, "maximum number of open files")))

    def test_open_files_limit_too_low_is_logged_and_maxclients_reduced(self):
        # Hard limit 2000: the server cannot get 10032 descriptors; Redis keeps going with
        # maxclients = 2000 - 32 and says so in the log.
        prefix = ["prlimit", "--nofile=1024:2000", "--"]
        with harness.Server(args=["--maxclients", str(MAXCLIENTS)], prefix=prefix) as s:
            with s.client() as c:
                self.assertEqual(c.call("CONFIG", "GET", "maxclients"),
                                 [b"maxclients", b"1968"])
                self.assertEqual(c.call("PING"), "PONG")
            self.assertEqual(soft_nofile_of(s.pid()), 2000)
            for needle in ("You requested maxclients of 10000 requiring at least 10032 max file "
                           "descriptors.",
                           "maxclients has been reduced to 1968 to compensate for low ulimit. "
                           "If you need higher maxclients increase 'ulimit -n'."):
                self.assertIsNotNone(log_line(s, needle), f"log lacks {needle!r}:\n{s.log()}")


class ConnectionChurnTest(unittest.TestCase):
    def test_1000_connections_per_second_for_a_minute(self):
        seconds = int(os.environ.get("GANNET_HOSTILE_CHURN_SECONDS", "60"))
        per_second = 1000
        raise_own_nofile()
        with harness.Server(args=["--maxclients", "10000"]) as s:
            sentinels = Sentinels()
            with s.client() as c:
                sentinels.write(c)
                baseline_clients = int(info_field(c, "clients", "connected_clients")) - 1
                conns_before = int(info_field(c, "stats", "total_connections_received"))
            fds_before = fd_count(s.pid())
            ping = encode_command("PING")
            half = encode_command("SET", "churn:never", "x")[:-4]
            opened = 0
            behind = 0
            start = time.monotonic()
            for second in range(seconds):
                tick = start + second
                batch = []
                for i in range(per_second):
                    sock = socket.create_connection((harness.HOST, s.port), timeout=30)
                    kind = i % 4
                    if kind == 1:
                        sock.sendall(ping)
                    elif kind == 2:
                        sock.sendall(half)  # half a command, then gone
                    if kind != 3:
                        # Reset instead of FIN: 60,000 closes would otherwise leave as many
                        # TIME_WAIT entries and exhaust the ephemeral ports.
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST)
                    batch.append((kind, sock))
                    opened += 1
                for kind, sock in batch:
                    if kind == 1:
                        self.assertEqual(sock.recv(16), b"+PONG\r\n")
                    sock.close()
                remaining = tick + 1 - time.monotonic()
                if remaining > 0:
                    time.sleep(remaining)
                else:
                    behind += 1
            elapsed = time.monotonic() - start
            print(f"\n[hostile] churn: {opened} connections in {elapsed:.1f} s "
                  f"({opened / elapsed:.0f}/s; {behind} of {seconds} seconds ran late)")

            def settled():
                with s.client() as c:
                    return int(info_field(c, "clients", "connected_clients")) - 1 \
                        == baseline_clients
            self.assertTrue(harness.wait_until(settled, timeout=30),
                            "connected_clients did not return to its baseline")
            self.assertTrue(harness.wait_until(lambda: fd_count(s.pid()) <= fds_before,
                                               timeout=30),
                            f"fd leak: {fds_before} fds before, {fd_count(s.pid())} after")
            with s.client() as c:
                received = int(info_field(c, "stats", "total_connections_received"))
                self.assertEqual(c.call("EXISTS", "churn:never"), 0)
            sentinels.verify(self, s, "connection churn")
            # Redis counts every accepted connection, including one the peer reset before
            # the server looked at it (accept() returns its address). Checked last so the
            # leak checks above always run.
            self.assertGreaterEqual(
                received - conns_before, opened,
                f"total_connections_received grew by {received - conns_before} for {opened} "
                "connections: connections reset by the client before the server handled the "
                "accept are dropped uncounted (Server::AcceptTcp gives up when "
                "remote_endpoint() fails with ENOTCONN; see the hB report)")


class OffsetLimitTest(unittest.TestCase):
    """Offsets at the size limit, byte for byte against redis-server."""

    ERR_SIZE = RespError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    ERR_BIT = RespError("ERR bit offset is not an integer or out of range")

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()
        cls.redis = harness.Server(binary=harness.redis_binary()).start()
        cls.sentinels = Sentinels()
        with cls.server.client() as c:
            cls.sentinels.write(c)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()
        cls.server.stop()

    def both(self, commands):
        """Runs commands on both servers; asserts identical raw replies; returns gannet's."""
        out = []
        with self.server.client(timeout=120) as g, self.redis.client(timeout=120) as r:
            for cmd in commands:
                ours, theirs = g.call_raw(*cmd), r.call_raw(*cmd)
                self.assertEqual(ours, theirs, f"{cmd}: gannet {ours[:100]!r} "
                                               f"redis {theirs[:100]!r}")
                out.append(harness.parse_reply(ours)[0])
        return out

    def test_refused_offsets_at_default_limit(self):
        # None of these allocates: each is refused before the string grows.
        replies = self.both([
            ("SETBIT", "off:b", "4294967296", "1"),
            ("SETBIT", "off:b", "-1", "1"),
            ("SETBIT", "off:b", "9223372036854775807", "1"),
            ("SETBIT", "off:b", "18446744073709551616", "1"),
            ("SETBIT", "off:b", "1e3", "1"),
            ("GETBIT", "off:b", "4294967296"),
            ("GETBIT", "off:b", "4294967295"),
            ("SETRANGE", "off:s", "536870912", "x"),
            ("SETRANGE", "off:s", "536870911", "xy"),
            ("SETRANGE", "off:s", "9223372036854775807", "x"),
            ("SETRANGE", "off:s", "-1", "x"),
            ("SETRANGE", "off:s", "-9223372036854775808", "x"),
            ("SETRANGE", "off:s", "536870912", ""),
            ("SETRANGE", "off:s", "4294967296", ""),
            ("BITFIELD", "off:f", "SET", "u8", "4294967296", "1"),
            ("BITFIELD", "off:f", "SET", "u8", "#536870912", "1"),
            ("BITFIELD", "off:f", "SET", "i64", "#67108864", "1"),
            ("BITFIELD", "off:f", "INCRBY", "u8", "-1", "1"),
            ("BITFIELD", "off:f", "GET", "u8", "99999999999999999999"),
            ("BITFIELD_RO", "off:f", "GET", "u8", "4294967296"),
            ("BITCOUNT", "off:f", "0", "9223372036854775807"),
            ("GETRANGE", "off:f", "-9223372036854775808", "9223372036854775807"),
            ("BITPOS", "off:f", "1", "0", "-1", "BIT"),
            ("EXISTS", "off:b", "off:s", "off:f"),
        ])
        self.assertEqual(replies[0], self.ERR_BIT)
        self.assertEqual(replies[7], self.ERR_SIZE)
        self.assertEqual(replies[10], RespError("ERR offset is out of range"))
        self.assertEqual(replies[14], self.ERR_BIT)
        self.assertEqual(replies[-1], 0)  # nothing was created
        self.sentinels.verify(self, self.server, "refused offsets")

    def test_allowed_offsets_at_a_lowered_limit(self):
        # The same edge, with proto-max-bulk-len 1mb so the string really reaches the limit.
        try:
            replies = self.both([
                ("CONFIG", "SET", "proto-max-bulk-len", "1mb"),
                ("SETBIT", "lim:b", "8388607", "1"),
                ("SETBIT", "lim:b", "8388608", "1"),
                ("STRLEN", "lim:b"),
                ("GETBIT", "lim:b", "8388607"),
                ("SETRANGE", "lim:s", "1048575", "x"),
                ("SETRANGE", "lim:s", "1048576", "x"),
                ("SETRANGE", "lim:s", "1048575", "xy"),
                ("APPEND", "lim:s", "y"),
                ("STRLEN", "lim:s"),
                ("BITFIELD", "lim:f", "SET", "u8", "8388600", "255"),
                ("BITFIELD", "lim:f", "SET", "u8", "8388601", "255"),  # Redis allows 1 byte over
                ("BITFIELD", "lim:f", "SET", "u8", "8388608", "1"),
                ("BITFIELD", "lim:f", "GET", "u8", "8388600"),
                ("STRLEN", "lim:f"),
                ("BITOP", "OR", "lim:or", "lim:b", "lim:s", "lim:f"),
                ("BITCOUNT", "lim:or"),
                ("SETRANGE", "lim:s", "0", "head"),
                ("GETRANGE", "lim:s", "0", "3"),
                ("DEL", "lim:b", "lim:s", "lim:f", "lim:or"),
            ])
        finally:
            for s in (self.server, self.redis):
                with s.client() as c:
                    c.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")
        self.assertEqual(replies[1], 0)
        self.assertEqual(replies[2], self.ERR_BIT)
        self.assertEqual(replies[3], 1048576)
        self.assertEqual(replies[6], self.ERR_SIZE)
        self.sentinels.verify(self, self.server, "offsets at a lowered limit")

    def test_real_512mb_string(self):
        # Really allocates 512 MB (twice, for SETBIT and SETRANGE); on by default in release
        # builds only.
        if is_sanitized(self.server) and os.environ.get("GANNET_HOSTILE_512MB") != "1":
            print("\n[hostile] 512 MB SETBIT/SETRANGE skipped under ASan (GANNET_HOSTILE_512MB=1 "
                  "runs it); the lowered-limit case covers the same edge")
            self.skipTest("512 MB allocation under ASan")
        start = time.monotonic()
        replies = self.both([
            ("SETBIT", "huge:b", "4294967295", "1"),
            ("STRLEN", "huge:b"),
            ("BITFIELD", "huge:b", "GET", "u1", "4294967295"),
            ("DEL", "huge:b"),
            ("SETRANGE", "huge:s", "536870911", "x"),
            ("APPEND", "huge:s", "x"),
            ("DEL", "huge:s"),
        ])
        print(f"\n[hostile] 512 MB strings on both servers: {time.monotonic() - start:.1f} s")
        self.assertEqual(replies[1], 536870912)
        self.assertEqual(replies[2], [1])
        self.assertEqual(replies[5], self.ERR_SIZE)
        self.sentinels.verify(self, self.server, "512 MB strings")


if __name__ == "__main__":
    unittest.main(verbosity=2)
