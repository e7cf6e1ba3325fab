"""RESP framing against the real binary: pipelining, split reads, inline commands, big values,
protocol errors (exact text, then close), QUIT and RESP3 via HELLO."""

import random
import socket
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command


class ProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.c = self.server.client()
        self.assertEqual(self.c.call("FLUSHALL"), "OK")

    def tearDown(self):
        self.c.close()

    def assert_alive(self):
        with self.server.client() as c:
            self.assertEqual(c.call("PING"), "PONG")

    # ---------------------------------------------------------------- pipelining and splits

    def test_pipeline_of_1000_commands_in_one_write(self):
        reqs = []
        for i in range(1000):
            if i % 2 == 0:
                reqs.append(encode_command("SET", f"k{i}", f"v{i}"))
            else:
                reqs.append(encode_command("INCR", "counter"))
        self.c.send(b"".join(reqs))
        for i in range(1000):
            reply = self.c.read()
            if i % 2 == 0:
                self.assertEqual(reply, "OK", i)
            else:
                self.assertEqual(reply, (i + 1) // 2, i)
        self.assertEqual(self.c.call("DBSIZE"), 501)

    def test_request_split_byte_by_byte(self):
        data = encode_command("SET", "split", "hello world") + encode_command("GET", "split")
        for b in data:
            self.c.send(bytes([b]))
        self.assertEqual(self.c.read(), "OK")
        self.assertEqual(self.c.read(), b"hello world")

    def test_request_split_at_every_position(self):
        data = encode_command("SET", "x", "abc") + encode_command("APPEND", "x", "def")
        for cut in range(1, len(data)):
            self.c.send(data[:cut])
            time.sleep(0.001)
            self.c.send(data[cut:])
            self.assertEqual(self.c.read(), "OK")
            self.assertIsInstance(self.c.read(), int)
        self.assertEqual(self.c.call("STRLEN", "x"), 6)

    def test_big_reply_arrives_across_many_reads(self):
        value = bytes(range(256)) * 4096  # 1 MiB, every byte value
        self.assertEqual(self.c.call("SET", "bin", value), "OK")
        self.c.send(encode_command("GET", "bin"))
        got = bytearray()
        reads = 0
        while True:  # read the raw reply in small pieces
            chunk = self.c.sock.recv(7000)
            self.assertTrue(chunk)
            got += chunk
            reads += 1
            if len(got) >= len(value) + len(b"$1048576\r\n\r\n"):
                break
        self.assertGreater(reads, 1)
        self.assertEqual(bytes(got), b"$1048576\r\n" + value + b"\r\n")

    def test_big_value_10mb(self):
        value = b"x" * (10 * 1024 * 1024 - 3) + b"end"
        self.assertEqual(self.c.call("SET", "big", value), "OK")
        self.assertEqual(self.c.call("STRLEN", "big"), len(value))
        self.assertEqual(self.c.call("GET", "big"), value)
        self.assertEqual(self.c.call("GETRANGE", "big", -3, -1), b"end")

    # ---------------------------------------------------------------- inline commands

    def test_inline_commands(self):
        self.c.send(b"PING\r\n")
        self.assertEqual(self.c.read(), "PONG")
        self.c.send(b"SET inl 'hello world'\r\n")
        self.assertEqual(self.c.read(), "OK")
        self.c.send(b'GET inl\n')  # a bare LF ends an inline command too
        self.assertEqual(self.c.read(), b"hello world")
        self.c.send(b'SET q "a\\x41\\n"\r\nGET q\r\n')
        self.assertEqual(self.c.read(), "OK")
        self.assertEqual(self.c.read(), b"aA\n")
        # Empty lines and empty arrays are ignored without a reply.
        self.c.send(b"\r\n*0\r\n*-1\r\nPING\r\n")
        self.assertEqual(self.c.read(), "PONG")
        self.c.send(b"   ECHO    spaced   \r\n")
        self.assertEqual(self.c.read(), b"spaced")

    def test_inline_unknown_command_and_arity(self):
        self.c.send(b"NOSUCH a b\r\n")
        self.assertEqual(
            self.c.read(),
            RespError("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' "))
        self.c.send(b"GET\r\n")
        self.assertEqual(self.c.read(),
                         RespError("ERR wrong number of arguments for 'get' command"))

    # ---------------------------------------------------------------- protocol errors

    def expect_protocol_error(self, payload, text):
        with self.server.client() as c:
            c.send(payload)
            data = c.read_until_closed()
            if text is None:
                self.assertEqual(data, b"")
            else:
                self.assertEqual(data, b"-ERR Protocol error: " + text.encode() + b"\r\n")
        self.assert_alive()

    def test_invalid_multibulk_length(self):
        self.expect_protocol_error(b"*3000000000\r\n", "invalid multibulk length")

    def test_invalid_multibulk_length_not_a_number(self):
        self.expect_protocol_error(b"*abc\r\n", "invalid multibulk length")

    def test_expected_dollar(self):
        self.expect_protocol_error(b"*1\r\nfoo\r\n", "expected '$', got 'f'")

    def test_invalid_bulk_length_negative(self):
        self.expect_protocol_error(b"*1\r\n$-10\r\n", "invalid bulk length")

    def test_invalid_bulk_length_text(self):
        self.expect_protocol_error(b"*1\r\n$abc\r\n", "invalid bulk length")

    def test_invalid_bulk_length_too_big(self):
        self.expect_protocol_error(b"*1\r\n$600000000\r\n", "invalid bulk length")

    def test_unbalanced_quotes(self):
        self.expect_protocol_error(b'set "a b\r\n', "unbalanced quotes in request")

    def test_too_big_inline_request(self):
        self.expect_protocol_error(b"a" * (70 * 1024), "too big inline request")

    def test_too_big_mbulk_count_string(self):
        self.expect_protocol_error(b"*" + b"1" * (70 * 1024), "too big mbulk count string")

    def test_cross_protocol_post_closes_silently(self):
        self.expect_protocol_error(b"POST / HTTP/1.1\r\n", None)

    def test_cross_protocol_host_header_closes_silently(self):
        self.expect_protocol_error(b"GET / HTTP/1.1\r\nHost: example\r\n", None)

    def test_commands_before_error_are_executed_and_answered(self):
        with self.server.client() as c:
            c.send(encode_command("SET", "before", "1") + b"*1\r\n$-5\r\n"
                   + encode_command("SET", "after", "1"))
            data = c.read_until_closed()
            self.assertEqual(data, b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n")
        self.assertEqual(self.c.call("EXISTS", "before", "after"), 1)

    def test_random_garbage_never_kills_the_server(self):
        # Seeded mutations of valid requests plus raw noise, each on its own connection.
        rng = random.Random(1234)
        pieces = [b"*", b"$", b"\r\n", b"\n", b"-1", b"0", b"3", b"99999999999", b"-9", b"a",
                  b"SET", b"GET", b"INCR", b"HELLO", b"3", b"\x00", b"\xff", b'"', b"'", b" ",
                  b"+OK", b"EXPIRE", b"k", b"9223372036854775808", b"*2\r\n", b"$3\r\n"]
        for _ in range(150):
            if rng.random() < 0.5:
                payload = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
            else:
                base = bytearray(encode_command("SET", "k", "v" * rng.randint(0, 20), "EX", "100"))
                for _ in range(rng.randint(1, 4)):
                    base[rng.randrange(len(base))] = rng.randrange(256)
                payload = bytes(base)
            with self.server.client(timeout=2.0) as c:
                try:
                    c.send(payload + encode_command("PING"))
                    c.sock.settimeout(0.05)
                    while c.sock.recv(65536):
                        pass
                except OSError:
                    pass  # closed by the server (protocol error) or nothing more to read
            self.assertTrue(self.server.alive(), f"server died on {payload!r}")
        self.assert_alive()

    # ---------------------------------------------------------------- QUIT and HELLO

    def test_quit(self):
        with self.server.client() as c:
            c.send(encode_command("QUIT") + encode_command("PING"))
            self.assertEqual(c.read_until_closed(), b"+OK\r\n")

    def test_hello_3_switches_to_resp3(self):
        self.assertEqual(self.c.call_raw("GET", "missing"), b"$-1\r\n")
        hello = self.c.call("HELLO", "3")
        self.assertIsInstance(hello, dict)
        self.assertEqual(hello[b"proto"], 3)
        for key in (b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"):
            self.assertIn(key, hello)
        self.assertEqual(hello[b"mode"], b"standalone")
        self.assertEqual(hello[b"role"], b"master")
        self.assertEqual(self.c.call_raw("GET", "missing"), b"_\r\n")
        self.assertEqual(self.c.call_raw("CONFIG", "GET", "maxclients")[:4], b"%1\r\n")
        self.assertEqual(self.c.call_raw("SET", "f", "1.5"), b"+OK\r\n")
        self.assertEqual(self.c.call_raw("EXISTS", "f"), b":1\r\n")
        # HELLO 2 goes back to RESP2.
        self.assertIsInstance(self.c.call("HELLO", "2"), list)
        self.assertEqual(self.c.call_raw("GET", "missing"), b"$-1\r\n")

    def test_hello_errors(self):
        self.assertEqual(self.c.call("HELLO", "4"),
                         RespError("NOPROTO unsupported protocol version"))
        self.assertEqual(self.c.call("HELLO", "x"),
                         RespError("ERR Protocol version is not an integer or out of range"))
        self.assertEqual(self.c.call("PING"), "PONG")

    def test_large_array_declared_costs_nothing_until_sent(self):
        # A huge declared argument count is accepted; the server must not preallocate it.
        with self.server.client() as c:
            c.send(b"*1000000\r\n$4\r\nPING\r\n")
            c.sock.settimeout(0.3)
            with self.assertRaises(socket.timeout):
                c.sock.recv(1)
        self.assert_alive()


if __name__ == "__main__":
    unittest.main(verbosity=2)
