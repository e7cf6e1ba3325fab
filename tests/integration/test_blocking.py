"""Blocking commands against the real binary: FIFO service of blocked clients, timeout
precision, disconnect while blocked, BLMOVE chains, CLIENT UNBLOCK, and pipelined commands
waiting behind a blocked one. Every expectation here also holds for redis-server 7.0.15
(run with GANNET_SERVER=/usr/bin/redis-server to check)."""

import socket
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command


def dec(v):
    """Bulk strings come back as bytes; compare them as text."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return [dec(x) for x in v]
    return v


def pending(client, wait=0.15):
    """True if the client has no reply within `wait` seconds (it is still blocked)."""
    client.sock.settimeout(wait)
    try:
        chunk = client.sock.recv(65536)
    except socket.timeout:
        return True
    finally:
        client.sock.settimeout(10.0)
    client.buf += chunk
    return False


def call(client, *args):
    return dec(client.call(*args))


def read(client):
    return dec(client.read())


class BlockingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.c = self.server.client()
        call(self.c, "FLUSHALL")

    def tearDown(self):
        self.c.close()

    def blocked(self, *args):
        cl = self.server.client()
        cl.send(encode_command(*args))
        self.assertTrue(pending(cl))
        return cl

    def test_fifo_order_of_three_clients(self):
        clients = [self.blocked("BLPOP", "q", "0") for _ in range(3)]
        try:
            self.assertEqual(call(self.c, "RPUSH", "q", "a", "b", "c"), 3)
            self.assertEqual([read(cl) for cl in clients],
                             [["q", "a"], ["q", "b"], ["q", "c"]])
            self.assertEqual(call(self.c, "EXISTS", "q"), 0)
        finally:
            for cl in clients:
                cl.close()

    def test_fifo_when_one_element_at_a_time(self):
        clients = [self.blocked("BRPOP", "q", "0") for _ in range(3)]
        try:
            for i, cl in enumerate(clients):
                self.assertEqual(call(self.c, "LPUSH", "q", f"v{i}"), 1)
                self.assertEqual(read(cl), ["q", f"v{i}"])
        finally:
            for cl in clients:
                cl.close()

    def test_timeout_precision(self):
        cl = self.server.client()
        try:
            t0 = time.monotonic()
            self.assertEqual(cl.call_raw("BLPOP", "nothing", "0.1"), b"*-1\r\n")
            elapsed = time.monotonic() - t0
            self.assertGreaterEqual(elapsed, 0.095)
            self.assertLess(elapsed, 0.25)
            t0 = time.monotonic()
            self.assertEqual(cl.call_raw("BLMOVE", "nothing", "d", "LEFT", "RIGHT", "0.1"),
                             b"*-1\r\n")
            self.assertLess(time.monotonic() - t0, 0.25)
        finally:
            cl.close()

    def test_resp3_timeout_is_null(self):
        cl = self.server.client()
        try:
            call(cl, "HELLO", "3")
            self.assertEqual(cl.call_raw("BLPOP", "nothing", "0.05"), b"_\r\n")
            self.assertEqual(cl.call_raw("BRPOPLPUSH", "nothing", "d", "0.05"), b"_\r\n")
        finally:
            cl.close()

    def test_disconnect_while_blocked(self):
        gone = self.blocked("BLPOP", "q", "0")
        waiting = self.blocked("BLPOP", "q", "0")
        try:
            gone.close()
            time.sleep(0.1)
            self.assertEqual(call(self.c, "RPUSH", "q", "x"), 1)
            self.assertEqual(read(waiting), ["q", "x"])
            self.assertEqual(call(self.c, "EXISTS", "q"), 0)
        finally:
            waiting.close()

    def test_blmove_chain(self):
        # a -> b -> c: each BLMOVE's push wakes the next one.
        first = self.blocked("BLMOVE", "a", "b", "LEFT", "RIGHT", "0")
        second = self.blocked("BLMOVE", "b", "c", "LEFT", "RIGHT", "0")
        last = self.blocked("BLPOP", "c", "0")
        try:
            self.assertEqual(call(self.c, "RPUSH", "a", "item"), 1)
            self.assertEqual(read(first), "item")
            self.assertEqual(read(second), "item")
            self.assertEqual(read(last), ["c", "item"])
            self.assertEqual(call(self.c, "DBSIZE"), 0)
        finally:
            for cl in (first, second, last):
                cl.close()

    def test_lmove_into_watched_key_serves(self):
        cl = self.blocked("BLPOP", "dst", "0")
        try:
            call(self.c, "RPUSH", "src", "v")
            self.assertEqual(call(self.c, "LMOVE", "src", "dst", "LEFT", "LEFT"), "v")
            self.assertEqual(read(cl), ["dst", "v"])
        finally:
            cl.close()

    def test_wrong_type_does_not_wake(self):
        cl = self.blocked("BLPOP", "k", "0")
        try:
            call(self.c, "SET", "k", "string")
            self.assertTrue(pending(cl))
            call(self.c, "DEL", "k")
            call(self.c, "RPUSH", "k", "v")
            self.assertEqual(read(cl), ["k", "v"])
        finally:
            cl.close()

    def test_client_unblock(self):
        cl = self.server.client()
        other = self.server.client()
        try:
            cid = call(cl, "CLIENT", "ID")
            cl.send(encode_command("BLPOP", "q", "0"))
            self.assertTrue(pending(cl))
            self.assertIn("flags=b", call(other, "CLIENT", "LIST", "ID", str(cid)))
            self.assertEqual(call(other, "CLIENT", "UNBLOCK", str(cid)), 1)
            self.assertEqual(cl.read_raw(), b"*-1\r\n")
            self.assertEqual(call(other, "CLIENT", "UNBLOCK", str(cid)), 0)
            cl.send(encode_command("BRPOP", "q", "0"))
            self.assertTrue(pending(cl))
            self.assertEqual(call(other, "CLIENT", "UNBLOCK", str(cid), "ERROR"), 1)
            self.assertEqual(read(cl), RespError("UNBLOCKED client unblocked via CLIENT UNBLOCK"))
            self.assertEqual(call(cl, "PING"), "PONG")
        finally:
            cl.close()
            other.close()

    def test_pipelined_commands_wait_for_blocked_one(self):
        cl = self.server.client()
        try:
            cl.send(encode_command("BLPOP", "q", "0") + encode_command("SET", "after", "1") +
                    encode_command("GET", "after"))
            self.assertTrue(pending(cl))
            # The SET behind the BLPOP has not run.
            self.assertEqual(call(self.c, "EXISTS", "after"), 0)
            call(self.c, "RPUSH", "q", "v")
            self.assertEqual(read(cl), ["q", "v"])
            self.assertEqual(read(cl), "OK")
            self.assertEqual(read(cl), "1")
        finally:
            cl.close()

    def test_multi_key_blpop_serves_from_the_ready_key(self):
        cl = self.blocked("BLPOP", "k1", "k2", "0")
        try:
            call(self.c, "RPUSH", "k2", "x")
            self.assertEqual(read(cl), ["k2", "x"])
        finally:
            cl.close()

    def test_served_from_the_key_that_became_ready(self):
        cl = self.blocked("BLPOP", "a", "b", "0")
        try:
            call(self.c, "SET", "a", "str")
            call(self.c, "RPUSH", "b", "x")
            self.assertEqual(read(cl), ["b", "x"])
        finally:
            cl.close()

    def test_blmove_to_wrong_type_destination(self):
        call(self.c, "SET", "dst", "str")
        cl = self.blocked("BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
        try:
            call(self.c, "RPUSH", "src", "y")
            self.assertEqual(cl.read(), RespError(
                "WRONGTYPE Operation against a key holding the wrong kind of value"))
            self.assertEqual(call(self.c, "LRANGE", "src", "0", "-1"), ["y"])
        finally:
            cl.close()

    def test_blmpop_count(self):
        cl = self.blocked("BLMPOP", "0", "2", "k1", "k2", "RIGHT", "COUNT", "2")
        try:
            call(self.c, "RPUSH", "k2", "a", "b", "c")
            self.assertEqual(read(cl), ["k2", ["c", "b"]])
            self.assertEqual(call(self.c, "LRANGE", "k2", "0", "-1"), ["a"])
        finally:
            cl.close()

    def test_rename_into_watched_key_serves(self):
        cl = self.blocked("BLPOP", "dst", "0")
        try:
            call(self.c, "RPUSH", "src", "v")
            call(self.c, "RENAME", "src", "dst")
            self.assertEqual(read(cl), ["dst", "v"])
        finally:
            cl.close()

    def test_timeout_errors(self):
        self.assertEqual(call(self.c, "BLPOP", "k", "-1"), RespError("ERR timeout is negative"))
        self.assertEqual(call(self.c, "BLPOP", "k", "abc"),
                         RespError("ERR timeout is not a float or out of range"))
        self.assertEqual(call(self.c, "BLPOP", "k", "inf"), RespError("ERR timeout is negative"))



class BlockedClientIdleTimeoutTest(unittest.TestCase):
    def test_blocked_client_is_not_closed_for_idleness(self):
        # With `timeout 1` an idle client is closed, but a blocked one waits as long as its
        # command says (as in Redis).
        with harness.Server(args=["--timeout", "1"]) as s:
            idle = s.client()
            cl = s.client()
            other = None
            try:
                self.assertEqual(call(idle, "PING"), "PONG")
                cl.send(encode_command("BLPOP", "q", "0"))
                self.assertTrue(idle.is_closed(wait=4.0))
                self.assertTrue(pending(cl, wait=0.2))
                other = s.client()
                self.assertEqual(call(other, "RPUSH", "q", "v"), 1)
                self.assertEqual(read(cl), ["q", "v"])
            finally:
                for c in (idle, cl, other):
                    if c is not None:
                        c.close()


if __name__ == "__main__":
    unittest.main()
