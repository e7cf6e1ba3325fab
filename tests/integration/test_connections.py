"""Connection limits and access control against the real binary: maxclients, idle timeout,
requirepass/AUTH, client-query-buffer-limit, unix socket. Each test starts its own server with
the settings it needs."""

import os
import socket
import stat
import struct
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespClient, RespError, encode_command

NOAUTH = RespError("NOAUTH Authentication required.")
WRONGPASS = RespError("WRONGPASS invalid username-password pair or user is disabled.")


class MaxClientsTest(unittest.TestCase):
    def test_extra_client_gets_error_then_close(self):
        with harness.Server(args=["--maxclients", "5"]) as s:
            clients = [s.client() for _ in range(5)]
            try:
                for c in clients:
                    self.assertEqual(c.call("PING"), "PONG")
                with s.client() as extra:
                    self.assertEqual(extra.read_until_closed(),
                                     b"-ERR max number of clients reached\r\n")
                # A slot frees up when a client leaves.
                clients.pop().close()

                def can_connect():
                    with s.client() as c:
                        try:
                            return c.call("PING") == "PONG"
                        except ConnectionError:
                            return False

                self.assertTrue(harness.wait_until(can_connect, timeout=5))
            finally:
                for c in clients:
                    c.close()
            with s.client() as c:
                self.assertEqual(c.call("CONFIG", "GET", "maxclients"),
                                 [b"maxclients", b"5"])


class IdleTimeoutTest(unittest.TestCase):
    def test_idle_client_is_closed(self):
        with harness.Server(args=["--timeout", "1"]) as s:
            with s.client() as idle, s.client() as busy:
                self.assertEqual(idle.call("PING"), "PONG")
                start = time.monotonic()
                closed = False
                while time.monotonic() - start < 6:
                    self.assertEqual(busy.call("PING"), "PONG")  # keeps itself alive
                    if idle.is_closed(wait=0.25):
                        closed = True
                        break
                self.assertTrue(closed, "idle client not closed within 6 s with timeout 1")
                self.assertGreaterEqual(time.monotonic() - start, 0.9)
                self.assertEqual(busy.call("PING"), "PONG")


class HalfCloseTest(unittest.TestCase):
    """A client that sends its last command and shuts down its side at once (as `printf
    ... | nc -N` does) gets its reply, then the server closes the connection, as Redis
    does. The FIN then arrives with the data, before the server reads it, so no later
    epoll event announces the end of stream (the server's cron looks for it)."""

    def test_command_then_shutdown_gets_reply_then_close(self):
        with harness.Server() as s, s.client() as c:
            socks = []
            try:
                # Connected and waiting for their first command (the server's read queued).
                for i in range(20):
                    socks.append(socket.create_connection((harness.HOST, s.port), timeout=5))
                self.assertTrue(harness.wait_until(
                    lambda: harness.info_fields(c, "clients")["connected_clients"] == "21"))
                # One command (its reply is written at once) or a pipeline of two (the
                # replies wait for the end of the loop's turn).
                for i, sock in enumerate(socks):
                    cmds = encode_command("SET", f"half:{i}", "v")
                    if i % 2:
                        cmds += encode_command("PING")
                    sock.sendall(cmds)
                    sock.shutdown(socket.SHUT_WR)
                for i, sock in enumerate(socks):
                    want = b"+OK\r\n+PONG\r\n" if i % 2 else b"+OK\r\n"
                    got = b""
                    while len(got) < len(want):
                        chunk = sock.recv(64)
                        self.assertNotEqual(chunk, b"", "closed before the replies")
                        got += chunk
                    self.assertEqual(got, want)
                for sock in socks:
                    sock.settimeout(3)
                    self.assertEqual(sock.recv(64), b"", "server did not close")  # EOF
            finally:
                for sock in socks:
                    sock.close()
            self.assertTrue(harness.wait_until(
                lambda: harness.info_fields(c, "clients")["connected_clients"] == "1",
                timeout=3))
            self.assertEqual(c.call("DBSIZE"), 20)

    def test_command_then_reset_closes(self):
        # The same with a reset (SO_LINGER 0) right after the command: the error is pending
        # behind the data, and the client must not stay connected.
        with harness.Server() as s, s.client() as c:
            socks = [socket.create_connection((harness.HOST, s.port), timeout=5)
                     for _ in range(20)]
            self.assertTrue(harness.wait_until(
                lambda: harness.info_fields(c, "clients")["connected_clients"] == "21"))
            for i, sock in enumerate(socks):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.sendall(encode_command("SET", f"reset:{i}", "v"))
                sock.close()
            self.assertTrue(harness.wait_until(
                lambda: harness.info_fields(c, "clients")["connected_clients"] == "1",
                timeout=3))


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(args=["--requirepass", "s3cret"], password="s3cret").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_commands_need_auth(self):
        with self.server.client() as c:
            self.assertEqual(c.call("GET", "k"), NOAUTH)
            self.assertEqual(c.call("SET", "k", "v"), NOAUTH)
            # Unknown commands and arity errors win over NOAUTH.
            self.assertEqual(c.call("NOSUCH"),
                             RespError("ERR unknown command 'NOSUCH', with args beginning with: "))
            self.assertEqual(c.call("GET"),
                             RespError("ERR wrong number of arguments for 'get' command"))

    def test_wrong_password(self):
        with self.server.client() as c:
            self.assertEqual(c.call("AUTH", "nope"), WRONGPASS)
            self.assertEqual(c.call("AUTH", "default", "nope"), WRONGPASS)
            self.assertEqual(c.call("AUTH", "nosuchuser", "s3cret"), WRONGPASS)
            self.assertEqual(c.call("GET", "k"), NOAUTH)

    def test_auth_then_commands_work(self):
        with self.server.client() as c:
            self.assertEqual(c.call("AUTH", "s3cret"), "OK")
            self.assertEqual(c.call("SET", "k", "v"), "OK")
            self.assertEqual(c.call("GET", "k"), b"v")
        with self.server.client() as c:
            self.assertEqual(c.call("AUTH", "default", "s3cret"), "OK")
            self.assertEqual(c.call("GET", "k"), b"v")

    def test_hello_with_auth(self):
        with self.server.client() as c:
            self.assertEqual(c.call("HELLO", "3", "AUTH", "default", "bad"), WRONGPASS)
            hello = c.call("HELLO", "3", "AUTH", "default", "s3cret")
            self.assertEqual(hello[b"proto"], 3)
            self.assertEqual(c.call_raw("GET", "missing"), b"_\r\n")

    def test_unauthenticated_multibulk_length_limit(self):
        with self.server.client() as c:
            c.send(b"*20\r\n")
            self.assertEqual(c.read_until_closed(),
                             b"-ERR Protocol error: unauthenticated multibulk length\r\n")

    def test_unauthenticated_bulk_length_limit(self):
        with self.server.client() as c:
            c.send(b"*2\r\n$3\r\nGET\r\n$20000\r\n")
            self.assertEqual(c.read_until_closed(),
                             b"-ERR Protocol error: unauthenticated bulk length\r\n")

    def test_authenticated_client_has_no_such_limit(self):
        with self.server.client() as c:
            self.assertEqual(c.call("AUTH", "s3cret"), "OK")
            self.assertEqual(c.call("DEL", *[f"k{i}" for i in range(20)]), 0)
            self.assertEqual(c.call("SET", "big", b"x" * 20000), "OK")

    def test_auth_without_password_configured(self):
        with harness.Server() as s, s.client() as c:
            self.assertEqual(
                c.call("AUTH", "x"),
                RespError("ERR AUTH <password> called without any password configured for the "
                          "default user. Are you sure your configuration is correct?"))
            # The default user is "nopass": any password is accepted with a user name.
            self.assertEqual(c.call("AUTH", "default", "x"), "OK")
            self.assertEqual(c.call("AUTH"),
                             RespError("ERR wrong number of arguments for 'auth' command"))


class ProtectedModeTest(unittest.TestCase):
    @unittest.skip("protected mode only refuses non-loopback peers; tests may use loopback only")
    def test_protected_mode_refuses_remote_clients(self):
        pass


class QueryBufferLimitTest(unittest.TestCase):
    def test_oversized_unterminated_bulk_closes_client(self):
        with harness.Server(args=["--client-query-buffer-limit", "1mb"]) as s:
            with s.client() as c:
                c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n")
                closed = False
                try:
                    for _ in range(40):  # 2.5 MB of a 4 MB bulk that never ends
                        c.send(b"x" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                if not closed:
                    data = c.read_until_closed(limit=10)
                    self.assertEqual(data, b"")
            with s.client() as c:
                self.assertEqual(c.call("PING"), "PONG")
                self.assertEqual(c.call("EXISTS", "k"), 0)
                self.assertEqual(c.call("CONFIG", "GET", "client-query-buffer-limit"),
                                 [b"client-query-buffer-limit", b"1048576"])

    def test_value_below_limit_is_fine(self):
        with harness.Server(args=["--client-query-buffer-limit", "1mb"]) as s, s.client() as c:
            self.assertEqual(c.call("SET", "k", b"y" * 500000), "OK")
            self.assertEqual(c.call("STRLEN", "k"), 500000)


class UnixSocketTest(unittest.TestCase):
    def test_unix_socket(self):
        server = harness.Server()
        path = os.path.join(server.workdir, "gannet.sock")
        server.args += ["--unixsocket", path, "--unixsocketperm", "700"]
        with server:
            self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
            with RespClient(unix_path=path) as c:
                self.assertEqual(c.call("SET", "via", "unix"), "OK")
                self.assertEqual(c.call("PING"), "PONG")
            with server.client() as c:  # same keyspace over TCP
                self.assertEqual(c.call("GET", "via"), b"unix")
            with RespClient(unix_path=path) as c:
                c.send(encode_command("PING") * 100)
                for _ in range(100):
                    self.assertEqual(c.read(), "PONG")


if __name__ == "__main__":
    unittest.main(verbosity=2)
