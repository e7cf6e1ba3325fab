"""TLS on the real binary: a CA, server and client certificates made with the openssl CLI
at test time; redis-cli --tls and Python's ssl module as clients. Covers client
certificates (tls-auth-clients yes/optional/no, a foreign CA), tls-protocols, ciphers,
passphrase keys, a CA directory, DH parameters, session resumption, CONFIG SET reloads
and tls-port changes, large replies and long pipelines (the asynchronous write path and
back-pressure), hostile bytes on the TLS port, TLS on the plain port, the handshake
deadline, CLIENT KILL/QUIT/shutdown of TLS clients, close_notify on every server-side close
(bounded when the peer never answers), and startup failures naming the file."""

import os
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import _setup  # noqa: F401
import harness

OPENSSL = shutil.which("openssl")
REDIS_CLI = shutil.which("redis-cli")
HOST = harness.HOST


def openssl(*args, cwd):
    r = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout


def make_pki(d):
    """CA, a server cert for localhost/127.0.0.1, a client cert, and a second CA with its own
    client cert (which the server must refuse). Returns a dict of paths."""
    p = {name: os.path.join(d, name) for name in (
        "ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key",
        "other-ca.crt", "other-ca.key", "other-client.crt", "other-client.key",
        "server2.crt", "server2.key", "server-enc.key", "dh.pem")}

    def ca(name):
        openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2",
                "-keyout", p[f"{name}.key"], "-out", p[f"{name}.crt"],
                "-subj", f"/CN=Gannet Test {name}", cwd=d)

    def leaf(name, ca_name, cn, ext=None):
        csr = os.path.join(d, f"{name}.csr")
        openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", p[f"{name}.key"],
                "-out", csr, "-subj", f"/CN={cn}", cwd=d)
        args = ["x509", "-req", "-in", csr, "-CA", p[f"{ca_name}.crt"], "-CAkey",
                p[f"{ca_name}.key"], "-CAcreateserial", "-out", p[f"{name}.crt"], "-days", "2"]
        if ext:
            ext_path = os.path.join(d, f"{name}.ext")
            with open(ext_path, "w") as f:
                f.write(ext)
            args += ["-extfile", ext_path]
        openssl(*args, cwd=d)

    san = "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
    ca("ca")
    ca("other-ca")
    leaf("server", "ca", "gannet-server-1", san)
    leaf("server2", "ca", "gannet-server-2", san)
    leaf("client", "ca", "gannet-client")
    leaf("other-client", "other-ca", "intruder")
    openssl("pkey", "-in", p["server.key"], "-aes256", "-passout", "pass:s3cret pass",
            "-out", p["server-enc.key"], cwd=d)
    openssl("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
            "-out", p["dh.pem"], cwd=d)
    # A CA directory as `openssl rehash` makes it: <subject hash>.0
    p["ca-dir"] = os.path.join(d, "ca-dir")
    os.mkdir(p["ca-dir"])
    h = openssl("x509", "-hash", "-noout", "-in", p["ca.crt"], cwd=d).strip()
    shutil.copy(p["ca.crt"], os.path.join(p["ca-dir"], f"{h}.0"))
    return p


def tls_args(pki, tls_port, **extra):
    args = ["--tls-port", str(tls_port), "--tls-cert-file", pki["server.crt"],
            "--tls-key-file", pki["server.key"], "--tls-ca-cert-file", pki["ca.crt"]]
    for k, v in extra.items():
        args += ["--" + k.replace("_", "-"), v]
    return args


def client_context(pki, cert="client", min_version=None, max_version=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki["ca.crt"])
    if cert:
        ctx.load_cert_chain(pki[f"{cert}.crt"], pki[f"{cert}.key"])
    if min_version:
        ctx.minimum_version = min_version
    if max_version:
        ctx.maximum_version = max_version
    if ciphers:
        ctx.set_ciphers(ciphers)
    return ctx


class TlsClient(harness.RespClient):
    """harness.RespClient over TLS (the handshake happens in the constructor)."""

    def __init__(self, port, ctx, timeout=10.0, session=None):  # noqa: D107
        raw = socket.create_connection((HOST, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        except BaseException:
            raw.close()
            raise
        self.buf = bytearray()


def exchange(sock, data, replies, limit=60.0):
    """Sends data while reading (a non-blocking loop, so neither side's buffers can
    deadlock a long pipeline) until `replies` complete replies arrived. Returns them."""
    sock.setblocking(False)
    out = memoryview(data)
    buf = bytearray()
    got = []
    pos = 0
    deadline = time.monotonic() + limit
    try:
        while len(got) < replies:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(got)} of {replies} replies after {limit}s")
            want_write = len(out) > 0
            select.select([sock], [sock] if want_write else [], [], 1.0)
            if want_write:
                try:
                    n = sock.send(out[: 256 * 1024])
                    out = out[n:]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                    pass
            while True:
                try:
                    chunk = sock.recv(1 << 20)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    break
                if not chunk:
                    raise ConnectionError(f"closed after {len(got)} of {replies} replies")
                buf += chunk
                if sock.pending() == 0:
                    break
            while len(got) < replies:
                try:
                    value, pos = harness.parse_reply(buf, pos)
                except harness.Incomplete:
                    break
                got.append(value)
            if pos > (1 << 24):
                del buf[:pos]
                pos = 0
    finally:
        sock.setblocking(True)
    return got


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if OPENSSL is None or REDIS_CLI is None:
            raise RuntimeError("openssl and redis-cli are needed (scripts/install-deps.sh)")
        cls.dir = tempfile.mkdtemp(prefix="gannet-tls-")
        cls.pki = make_pki(cls.dir)
        cls.tls_port = harness.free_port()
        cls.server = harness.Server(args=tls_args(cls.pki, cls.tls_port)).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.server.workdir, ignore_errors=True)
        shutil.rmtree(cls.dir, ignore_errors=True)
        if code != 0:
            raise AssertionError(f"server exit code {code}")

    def setUp(self):
        self.assertTrue(self.server.alive(), self.server.log())

    def tearDown(self):
        # Every test leaves the shared server with the default TLS settings.
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-auth-clients", "yes", "tls-protocols", "",
                   "tls-ciphers", "", "tls-ciphersuites", "", "tls-prefer-server-ciphers", "no",
                   "tls-cert-file", self.pki["server.crt"], "tls-key-file", self.pki["server.key"],
                   "tls-key-file-pass", "", "tls-ca-cert-file", self.pki["ca.crt"],
                   "tls-ca-cert-dir", "", "client-output-buffer-limit", "normal 0 0 0",
                   "timeout", "0")
            if c.call("CONFIG", "GET", "tls-port")[1] != str(self.tls_port).encode():
                self.assertEqual(c.call("CONFIG", "SET", "tls-port", str(self.tls_port)), "OK")
        self.assertTrue(self.server.alive(), self.server.log())

    def ctx(self, **kw):
        return client_context(self.pki, **kw)

    def tls(self, port=None, **kw):
        return TlsClient(port or self.tls_port, self.ctx(**kw))

    def cli(self, *args, cert=True, port=None):
        cmd = [REDIS_CLI, "-h", HOST, "-p", str(port or self.tls_port), "--tls",
               "--cacert", self.pki["ca.crt"]]
        if cert:
            cmd += ["--cert", self.pki["client.crt"], "--key", self.pki["client.key"]]
        return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=30)

    def assert_refused(self, port=None, **kw):
        """The handshake fails, or (TLS 1.3: the client finishes first) the first reply
        never comes: the server's alert or close arrives instead."""
        with self.assertRaises(OSError):
            with self.tls(port, **kw) as c:
                c.call("PING")

    # ------------------------------------------------------------------ basics

    def test_redis_cli_set_get_over_tls(self):
        r = self.cli("SET", "cli-key", "hello over tls")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "OK"), r.stderr)
        r = self.cli("GET", "cli-key")
        self.assertEqual(r.stdout.strip(), "hello over tls")
        with self.server.client() as plain:
            self.assertEqual(plain.call("GET", "cli-key"), b"hello over tls")

    def test_plain_and_tls_ports_together(self):
        with self.tls() as t, self.server.client() as p:
            self.assertEqual(t.call("SET", "shared", "from-tls"), "OK")
            self.assertEqual(p.call("GET", "shared"), b"from-tls")
            self.assertEqual(p.call("SET", "shared", "from-plain"), "OK")
            self.assertEqual(t.call("GET", "shared"), b"from-plain")
            self.assertEqual(t.call("HELLO", "3")[b"proto"], 3)
            self.assertEqual(t.call("INCR", "ctr"), 1)
            self.assertEqual(t.sock.version() in ("TLSv1.2", "TLSv1.3"), True)
            listing = p.call("CLIENT", "LIST").decode()
            self.assertIn(f"laddr={HOST}:{self.tls_port}", listing)

    def test_info_has_no_tls_section(self):
        with self.server.client() as c:
            self.assertEqual(c.call("INFO", "tls"), b"")
            text = c.call("INFO", "everything").decode()
        self.assertNotIn("tls", text.lower())

    def test_config_get_lists_the_directives(self):
        with self.server.client() as c:
            got = c.call("CONFIG", "GET", "tls-*")
        values = dict(zip(got[::2], got[1::2]))
        self.assertEqual(values[b"tls-port"], str(self.tls_port).encode())
        self.assertEqual(values[b"tls-auth-clients"], b"yes")
        self.assertEqual(values[b"tls-protocols"], b"")
        self.assertEqual(values[b"tls-session-caching"], b"yes")
        self.assertEqual(values[b"tls-session-cache-size"], b"20480")
        self.assertEqual(values[b"tls-session-cache-timeout"], b"300")
        self.assertEqual(values[b"tls-prefer-server-ciphers"], b"no")
        self.assertEqual(values[b"tls-cert-file"], self.pki["server.crt"].encode())
        for name in (b"tls-key-file", b"tls-key-file-pass", b"tls-ca-cert-file",
                     b"tls-ca-cert-dir", b"tls-ciphers", b"tls-ciphersuites",
                     b"tls-dh-params-file"):
            self.assertIn(name, values)
        with self.server.client() as c:
            err = c.call("CONFIG", "SET", "tls-auth-clients", "maybe")
            self.assertIsInstance(err, harness.RespError)
            self.assertEqual(err.message,
                             "ERR CONFIG SET failed (possibly related to argument "
                             "'tls-auth-clients') - argument(s) must be one of the following: "
                             "no, yes, optional")
            err = c.call("CONFIG", "SET", "tls-session-cache-size", "-1")
            self.assertIn("argument must be between 0 and 2147483647", err.message)

    # ------------------------------------------------------------------ client certificates

    def test_client_without_certificate_is_refused(self):
        self.assert_refused(cert=None)
        r = self.cli("PING", cert=False)
        self.assertNotEqual(r.stdout.strip(), "PONG")
        self.assertIn("Error accepting a client connection", self.server.log())

    def test_certificate_from_another_ca_is_refused(self):
        self.assert_refused(cert="other-client")
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-auth-clients", "optional")
        self.assert_refused(cert="other-client")  # optional still checks a sent certificate

    def test_optional_and_no_accept_clients_without_certificate(self):
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-auth-clients", "optional")
        with self.tls(cert=None) as t:
            self.assertEqual(t.call("PING"), "PONG")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-auth-clients", "no")
        with self.tls(cert=None) as t:
            self.assertEqual(t.call("PING"), "PONG")
        with self.tls(cert="other-client") as t:  # not even looked at
            self.assertEqual(t.call("PING"), "PONG")

    def test_auth_clients_change_applies_to_new_clients_only(self):
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-auth-clients", "no")
        with self.tls(cert=None) as t:
            with self.server.client() as c:
                c.call("CONFIG", "SET", "tls-auth-clients", "yes")
            self.assertEqual(t.call("PING"), "PONG")  # accepted before the change
            self.assert_refused(cert=None)

    # ------------------------------------------------------------------ protocols and ciphers

    def test_tls_protocols(self):
        with self.server.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "tls-protocols", "TLSv1.2"), "OK")
        with self.assertRaises(ssl.SSLError):
            self.tls(min_version=ssl.TLSVersion.TLSv1_3).close()
        with self.tls(max_version=ssl.TLSVersion.TLSv1_2) as t:
            self.assertEqual(t.sock.version(), "TLSv1.2")
            self.assertEqual(t.call("PING"), "PONG")
        with self.tls() as t:  # a client allowing both gets 1.2
            self.assertEqual(t.sock.version(), "TLSv1.2")
        with self.server.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "tls-protocols", "tlsv1.3"), "OK")
        with self.assertRaises(ssl.SSLError):
            self.tls(max_version=ssl.TLSVersion.TLSv1_2).close()
        with self.tls() as t:
            self.assertEqual(t.sock.version(), "TLSv1.3")
        # openssl s_client forcing 1.3 against a 1.2-only server fails too.
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-protocols", "TLSv1.2")
        r = subprocess.run([OPENSSL, "s_client", "-connect", f"{HOST}:{self.tls_port}",
                            "-tls1_3", "-CAfile", self.pki["ca.crt"], "-cert",
                            self.pki["client.crt"], "-key", self.pki["client.key"]],
                           input="", capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("Protocol  : TLSv1.3", r.stdout)
        with self.server.client() as c:
            err = c.call("CONFIG", "SET", "tls-protocols", "TLSv1.2 SSLv3")
            self.assertEqual(err.message,
                             "ERR CONFIG SET failed (possibly related to argument "
                             "'tls-protocols') - Unable to update TLS configuration. Check "
                             "server logs.")
            self.assertEqual(c.call("CONFIG", "GET", "tls-protocols"), [b"tls-protocols",
                                                                         b"TLSv1.2"])
        self.assertIn("Invalid tls-protocols specified", self.server.log())

    def test_ciphers_and_server_preference(self):
        with self.server.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "tls-ciphersuites",
                                    "TLS_CHACHA20_POLY1305_SHA256"), "OK")
        with self.tls() as t:
            self.assertEqual(t.sock.cipher()[0], "TLS_CHACHA20_POLY1305_SHA256")
        tls12 = dict(max_version=ssl.TLSVersion.TLSv1_2,
                     ciphers="ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-ciphers",
                   "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256")
        with self.tls(**tls12) as t:  # the client's order wins by default
            self.assertEqual(t.sock.cipher()[0], "ECDHE-RSA-AES128-GCM-SHA256")
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-prefer-server-ciphers", "yes")
        with self.tls(**tls12) as t:
            self.assertEqual(t.sock.cipher()[0], "ECDHE-RSA-AES256-GCM-SHA384")
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-ciphers", "ECDHE-RSA-AES256-GCM-SHA384")
        with self.assertRaises(ssl.SSLError):
            self.tls(max_version=ssl.TLSVersion.TLSv1_2,
                     ciphers="ECDHE-RSA-AES128-GCM-SHA256").close()
        with self.server.client() as c:
            for name in ("tls-ciphers", "tls-ciphersuites"):
                err = c.call("CONFIG", "SET", name, "NO-SUCH-CIPHER")
                self.assertIn("Unable to update TLS configuration", err.message)
        self.assertIn("Failed to configure ciphers: NO-SUCH-CIPHER", self.server.log())
        self.assertIn("Failed to configure ciphersuites: NO-SUCH-CIPHER", self.server.log())

    def test_session_resumption(self):
        ctx = self.ctx(max_version=ssl.TLSVersion.TLSv1_2)
        first = TlsClient(self.tls_port, ctx)
        self.assertEqual(first.call("PING"), "PONG")
        session = first.sock.session
        first.close()
        second = TlsClient(self.tls_port, ctx, session=session)
        try:
            self.assertTrue(second.sock.session_reused)
            self.assertEqual(second.call("PING"), "PONG")
        finally:
            second.close()

    # ------------------------------------------------------------------ reloads

    def test_config_set_reloads_certificate_for_new_connections(self):
        with self.tls() as before:
            self.assertEqual(before.sock.getpeercert()["subject"][0][0][1], "gannet-server-1")
            with self.server.client() as c:
                self.assertEqual(c.call("CONFIG", "SET", "tls-cert-file", self.pki["server2.crt"],
                                        "tls-key-file", self.pki["server2.key"]), "OK")
            with self.tls() as after:
                self.assertEqual(after.sock.getpeercert()["subject"][0][0][1], "gannet-server-2")
                self.assertEqual(after.call("PING"), "PONG")
            self.assertEqual(before.call("PING"), "PONG")  # keeps its session

        # Same path, new content (a renewed certificate): setting it again reloads.
        rotating_crt = os.path.join(self.dir, "rotating.crt")
        rotating_key = os.path.join(self.dir, "rotating.key")
        shutil.copy(self.pki["server.crt"], rotating_crt)
        shutil.copy(self.pki["server.key"], rotating_key)
        with self.server.client() as c:
            c.call("CONFIG", "SET", "tls-cert-file", rotating_crt, "tls-key-file", rotating_key)
        with self.tls() as t:
            self.assertEqual(t.sock.getpeercert()["subject"][0][0][1], "gannet-server-1")
        shutil.copy(self.pki["server2.crt"], rotating_crt)
        shutil.copy(self.pki["server2.key"], rotating_key)
        with self.server.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "tls-cert-file", rotating_crt,
                                    "tls-key-file", rotating_key), "OK")
        with self.tls() as t:
            self.assertEqual(t.sock.getpeercert()["subject"][0][0][1], "gannet-server-2")

    def test_config_set_of_a_bad_file_keeps_the_old_context(self):
        with self.server.client() as c:
            err = c.call("CONFIG", "SET", "tls-cert-file", "/nonexistent/gannet.crt")
            self.assertEqual(err.message,
                             "ERR CONFIG SET failed (possibly related to argument "
                             "'tls-cert-file') - Unable to update TLS configuration. Check "
                             "server logs.")
            self.assertEqual(c.call("CONFIG", "GET", "tls-cert-file")[1],
                             self.pki["server.crt"].encode())
            err = c.call("CONFIG", "SET", "tls-key-file", self.pki["client.key"])  # mismatch
            self.assertIn("Unable to update TLS configuration", err.message)
            err = c.call("CONFIG", "SET", "tls-ca-cert-file", "/nonexistent/ca.crt")
            self.assertIn("Unable to update TLS configuration", err.message)
        log = self.server.log()
        self.assertIn("Failed to load certificate: /nonexistent/gannet.crt", log)
        self.assertIn(f"Failed to load private key: {self.pki['client.key']}", log)
        self.assertIn("Failed to configure CA certificate(s) file/directory", log)
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")

    def test_passphrase_key_and_ca_dir(self):
        with self.server.client() as c:
            err = c.call("CONFIG", "SET", "tls-key-file", self.pki["server-enc.key"],
                         "tls-key-file-pass", "wrong")
            self.assertIn("Unable to update TLS configuration", err.message)
            self.assertEqual(c.call("CONFIG", "SET", "tls-key-file", self.pki["server-enc.key"],
                                    "tls-key-file-pass", "s3cret pass"), "OK")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")
        with self.server.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "tls-ca-cert-file", "",
                                    "tls-ca-cert-dir", self.pki["ca-dir"]), "OK")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")
        self.assert_refused(cert="other-client")
        with self.server.client() as c:
            err = c.call("CONFIG", "SET", "tls-ca-cert-dir", "")  # nothing to check against
            self.assertIn("Unable to update TLS configuration", err.message)
        self.assertIn("Either tls-ca-cert-file or tls-ca-cert-dir must be specified",
                      self.server.log())

    def test_config_set_tls_port(self):
        with self.server.client() as c:
            other = harness.free_port()
            self.assertEqual(c.call("CONFIG", "SET", "tls-port", str(other)), "OK")
            with TlsClient(other, self.ctx()) as t:
                self.assertEqual(t.call("PING"), "PONG")
            with self.assertRaises(OSError):
                socket.create_connection((HOST, self.tls_port), timeout=5).close()
            err = c.call("CONFIG", "SET", "tls-port", str(self.server.port))  # taken
            self.assertEqual(err.message,
                             "ERR CONFIG SET failed (possibly related to argument 'tls-port') "
                             "- Unable to listen on this port. Check server logs.")
            with TlsClient(other, self.ctx()) as t:  # the old listener is back
                self.assertEqual(t.call("PING"), "PONG")
            self.assertEqual(c.call("CONFIG", "SET", "tls-port", "0"), "OK")
            with self.assertRaises(OSError):
                socket.create_connection((HOST, other), timeout=5).close()
            # TLS off: files are not checked, and the context is kept for later.
            self.assertEqual(c.call("CONFIG", "SET", "tls-cert-file", "/nonexistent"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "tls-cert-file", self.pki["server.crt"],
                                    "tls-port", str(self.tls_port)), "OK")
            self.assertEqual(c.call("PING"), "PONG")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")

    # ------------------------------------------------------------------ large and many

    def test_large_value_round_trip(self):
        value = os.urandom(5 * 1024 * 1024).hex().encode()  # 10 MB
        with self.tls() as t:
            self.assertEqual(t.call("SET", "big", value), "OK")
            self.assertEqual(t.call("STRLEN", "big"), len(value))
            self.assertEqual(t.call("GET", "big"), value)
            # Several large replies back to back, read only after all were asked for.
            t.send(harness.encode_command("GET", "big") * 3)
            for _ in range(3):
                self.assertEqual(t.read(), value)
            self.assertEqual(t.call("PING"), "PONG")
        with self.server.client() as c:
            c.call("DEL", "big")

    def test_pipeline_of_ten_thousand_commands(self):
        n = 10_000
        payload = b"".join(harness.encode_command("SET", f"p:{i}", "v" * 100) for i in range(n))
        payload += b"".join(harness.encode_command("GET", f"p:{i}") for i in range(n))
        with self.tls() as t:
            replies = exchange(t.sock, payload, 2 * n)
            self.assertEqual(replies[:n], ["OK"] * n)
            self.assertEqual(replies[n:], [b"v" * 100] * n)
            self.assertEqual(t.call("DBSIZE") >= n, True)
        # redis-cli --pipe over TLS: its own interleaving of writes and reads.
        cmds = "".join(f"SET q:{i} {i}\r\n" for i in range(n))
        cmd = [REDIS_CLI, "-h", HOST, "-p", str(self.tls_port), "--tls", "--cacert",
               self.pki["ca.crt"], "--cert", self.pki["client.crt"], "--key",
               self.pki["client.key"], "--pipe"]
        r = subprocess.run(cmd, input=cmds, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"errors: 0, replies: {n}", r.stdout)
        with self.server.client() as c:
            self.assertEqual(c.call("GET", f"q:{n - 1}"), str(n - 1).encode())
            c.call("FLUSHALL")

    def test_output_buffer_limit_applies_to_tls_clients(self):
        with self.server.client() as c:
            c.call("SET", "two-mb", "x" * (2 * 1024 * 1024))
            c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
        with self.tls() as t:
            t.send(harness.encode_command("GET", "two-mb"))
            self.assertTrue(t.read_until_closed(limit=10) is not None)
        with self.server.client() as c:
            c.call("DEL", "two-mb")
        self.assertIn("closed for overcoming of output buffer limits", self.server.log())

    def test_pubsub_pushes_over_tls(self):
        with self.tls() as sub, self.server.client() as pub:
            self.assertEqual(sub.call("SUBSCRIBE", "news"), [b"subscribe", b"news", 1])
            for i in range(200):
                pub.call("PUBLISH", "news", f"m{i}" * 100)
            for i in range(200):
                self.assertEqual(sub.read(), [b"message", b"news", f"m{i}".encode() * 100])

    # ------------------------------------------------------------------ hostile and lifecycle

    def test_plain_bytes_on_the_tls_port(self):
        for junk in (harness.encode_command("PING"), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                     os.urandom(4096), b"\x16\x03\x01\x00\x05hello"):
            with socket.create_connection((HOST, self.tls_port), timeout=10) as s:
                s.sendall(junk)
                s.settimeout(10)
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                self.assertNotIn(b"PONG", data)
                self.assertFalse(data.startswith(b"+") or data.startswith(b"-"))
        with self.server.client() as c:
            self.assertEqual(c.call("PING"), "PONG")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")

    def test_maxclients_refuses_tls_clients_quietly(self):
        with self.server.client() as admin:
            connected = int(admin.call("INFO", "clients").decode().split(
                "connected_clients:")[1].split("\r\n")[0])
            self.assertEqual(admin.call("CONFIG", "SET", "maxclients", str(connected)), "OK")
            try:
                self.assert_refused()
            finally:
                self.assertEqual(admin.call("CONFIG", "SET", "maxclients", "10000"), "OK")
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")

    def test_tls_client_on_the_plain_port(self):
        with self.assertRaises((ssl.SSLError, OSError)):
            with TlsClient(self.server.port, self.ctx(), timeout=10) as t:
                t.call("PING")
        with self.server.client() as c:
            self.assertEqual(c.call("PING"), "PONG")

    def test_half_handshake_then_disconnect(self):
        # The first bytes of a ClientHello, then gone; then a connect-and-close.
        ctx = self.ctx()
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
        with self.assertRaises(ssl.SSLWantReadError):
            obj.do_handshake()
        hello = outgoing.read()
        with socket.create_connection((HOST, self.tls_port), timeout=10) as s:
            s.sendall(hello[: len(hello) // 2])
        socket.create_connection((HOST, self.tls_port), timeout=10).close()
        with self.tls() as t:
            self.assertEqual(t.call("PING"), "PONG")

    def test_silent_client_is_dropped_after_the_handshake_deadline(self):
        with socket.create_connection((HOST, self.tls_port), timeout=20) as s:
            start = time.monotonic()
            with self.server.client() as c:
                self.assertEqual(c.call("CLIENT", "LIST").decode().count(f":{self.tls_port} "),
                                 1)
            try:
                data = s.recv(1)
            except ConnectionResetError:
                data = b""
            elapsed = time.monotonic() - start
        self.assertEqual(data, b"")
        self.assertGreater(elapsed, 8)
        self.assertLess(elapsed, 16)
        self.assertIn("TLS handshake timed out", self.server.log())

    def test_client_kill_quit_and_idle_timeout(self):
        with self.tls() as victim, self.server.client() as admin:
            vid = victim.call("CLIENT", "ID")
            self.assertEqual(admin.call("CLIENT", "KILL", "ID", str(vid)), 1)
            self.assertTrue(victim.is_closed())
        with self.tls() as t:
            self.assertEqual(t.call("QUIT"), "OK")
            self.assertTrue(t.is_closed())
        # A handshake in progress can be killed too.
        with socket.create_connection((HOST, self.tls_port), timeout=10) as s:
            with self.server.client() as admin:
                harness.wait_until(lambda: f":{self.tls_port} " in
                                   admin.call("CLIENT", "LIST").decode())
                killed = admin.call("CLIENT", "KILL", "LADDR", f"{HOST}:{self.tls_port}")
                self.assertEqual(killed, 1)
            s.settimeout(10)
            self.assertEqual(s.recv(1), b"")
        with self.server.client() as admin:
            admin.call("CONFIG", "SET", "timeout", "1")
        with self.tls() as idle:  # tearDown sets the timeout back
            self.assertEqual(idle.call("PING"), "PONG")
            self.assertTrue(idle.is_closed(wait=6))


    # ------------------------------------------------------------------ close_notify

    def strict(self):
        """A client that tells a clean TLS close (close_notify: recv returns b"") from a
        bare TCP close (SSLEOFError), which Python otherwise hides."""
        ctx = self.ctx()
        ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
        return TlsClient(self.tls_port, ctx)

    def assert_clean_close(self, t, wait=10.0):
        t.sock.settimeout(wait)
        self.assertEqual(t.sock.recv(16), b"")  # SSLEOFError without close_notify

    def test_server_side_closes_send_close_notify(self):
        with self.strict() as t:
            self.assertEqual(t.call("QUIT"), "OK")
            self.assert_clean_close(t)
        with self.strict() as victim, self.server.client() as admin:
            vid = victim.call("CLIENT", "ID")
            self.assertEqual(admin.call("CLIENT", "KILL", "ID", str(vid)), 1)
            self.assert_clean_close(victim)
        with self.server.client() as admin:
            admin.call("CONFIG", "SET", "timeout", "1")  # tearDown sets it back
        with self.strict() as idle:
            self.assertEqual(idle.call("PING"), "PONG")
            self.assert_clean_close(idle, wait=6)
        # Client eviction: a TLS client holding a big partial request.
        with self.server.client() as admin:
            admin.call("CONFIG", "SET", "maxmemory-clients", "2mb")
            try:
                with self.strict() as hog:
                    # Just past the limit: all of it is read before the close.
                    hog.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$9000000\r\n"
                             + b"x" * 2_500_000)
                    self.assert_clean_close(hog)
            finally:
                admin.call("CONFIG", "SET", "maxmemory-clients", "0")

    def test_openssl_s_client_sees_a_clean_shutdown(self):
        r = subprocess.run(
            [OPENSSL, "s_client", "-connect", f"{HOST}:{self.tls_port}", "-quiet",
             "-CAfile", self.pki["ca.crt"], "-cert", self.pki["client.crt"],
             "-key", self.pki["client.key"]],
            input=b"PING\r\nQUIT\r\n", capture_output=True, timeout=30)
        self.assertEqual(r.stdout, b"+PONG\r\n+OK\r\n")
        self.assertNotIn(b"unexpected eof", r.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_peer_that_never_answers_close_notify_is_dropped(self):
        fd_dir = f"/proc/{self.server.pid()}/fd"
        with self.server.client() as admin:
            admin.call("PING")
            before = len(os.listdir(fd_dir))
            with self.tls() as mute:
                vid = mute.call("CLIENT", "ID")
                self.assertEqual(len(os.listdir(fd_dir)), before + 1)
                self.assertEqual(admin.call("CLIENT", "KILL", "ID", str(vid)), 1)
                # mute neither reads nor closes: the server gives up on the exchange.
                harness.wait_until(lambda: len(os.listdir(fd_dir)) == before, timeout=3)
                self.assertEqual(len(os.listdir(fd_dir)), before)

    def test_shutdown_sends_close_notify(self):
        port = harness.free_port()
        with harness.Server(args=tls_args(self.pki, port)) as server:
            ctx = self.ctx()
            ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
            with TlsClient(port, ctx) as t, server.client() as admin:
                self.assertEqual(t.call("PING"), "PONG")
                admin.send(harness.encode_command("SHUTDOWN", "NOSAVE"))
                self.assert_clean_close(t)
                server.proc.wait(timeout=10)
                self.assertEqual(server.proc.returncode, 0)


class TlsStartupTest(unittest.TestCase):
    """Startup with TLS misconfigured fails with a line naming the problem; a TLS-only
    server (port 0) with a CA directory, DH params and a passphrase key works."""

    @classmethod
    def setUpClass(cls):
        if OPENSSL is None:
            raise RuntimeError("openssl is needed (scripts/install-deps.sh)")
        cls.dir = tempfile.mkdtemp(prefix="gannet-tls-start-")
        cls.pki = make_pki(cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_server(self, *args):
        cmd = [harness.gannet_binary(), "--port", str(harness.free_port()), "--bind", HOST,
               *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=self.dir)
        return r.returncode, r.stdout + r.stderr

    def test_failures_name_the_file(self):
        p = self.pki
        port = str(harness.free_port())
        cases = [
            (["--tls-cert-file", "/nonexistent/server.crt", "--tls-key-file", p["server.key"],
              "--tls-ca-cert-file", p["ca.crt"]],
             "Failed to load certificate: /nonexistent/server.crt"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", "/nonexistent/server.key",
              "--tls-ca-cert-file", p["ca.crt"]],
             "Failed to load private key: /nonexistent/server.key"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", p["server.key"],
              "--tls-ca-cert-file", "/nonexistent/ca.crt"],
             "Failed to configure CA certificate(s) file/directory"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", p["server.key"]],
             "Either tls-ca-cert-file or tls-ca-cert-dir must be specified"),
            (["--tls-key-file", p["server.key"], "--tls-ca-cert-file", p["ca.crt"]],
             "No tls-cert-file configured!"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", p["server-enc.key"],
              "--tls-ca-cert-file", p["ca.crt"], "--tls-key-file-pass", "wrong"],
             f"Failed to load private key: {p['server-enc.key']}"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", p["server.key"],
              "--tls-ca-cert-file", p["ca.crt"], "--tls-protocols", "TLSv9"],
             "Invalid tls-protocols specified"),
            (["--tls-cert-file", p["server.crt"], "--tls-key-file", p["server.key"],
              "--tls-ca-cert-file", p["ca.crt"], "--tls-dh-params-file", "/nonexistent/dh"],
             "Failed to load /nonexistent/dh"),
        ]
        for args, expected in cases:
            with self.subTest(expected=expected):
                code, out = self.run_server("--tls-port", port, *args)
                self.assertNotEqual(code, 0, out)
                self.assertIn(expected, out)
                self.assertIn("Failed to configure TLS. Check logs for more info.", out)
        code, out = self.run_server("--tls-port", "abc")
        self.assertNotEqual(code, 0)

    def test_tls_only_server_with_ca_dir_dh_params_and_passphrase(self):
        p = self.pki
        tls_port = harness.free_port()
        args = ["--tls-port", str(tls_port), "--tls-cert-file", p["server.crt"],
                "--tls-key-file", p["server-enc.key"], "--tls-key-file-pass", "s3cret pass",
                "--tls-ca-cert-dir", p["ca-dir"], "--tls-dh-params-file", p["dh.pem"],
                "--tls-auth-clients", "optional"]
        server = harness.Server(args=args, wait_ready=False)
        server.start()
        try:
            ctx = client_context(p, max_version=ssl.TLSVersion.TLSv1_2,
                                 ciphers="DHE-RSA-AES128-GCM-SHA256")
            deadline = time.monotonic() + 20
            while True:
                try:
                    t = TlsClient(tls_port, ctx)
                    break
                except OSError:
                    if time.monotonic() > deadline or not server.alive():
                        raise
                    time.sleep(0.1)
            with t:
                self.assertEqual(t.sock.cipher()[0], "DHE-RSA-AES128-GCM-SHA256")
                self.assertEqual(t.call("SET", "k", "v"), "OK")
                self.assertEqual(t.call("GET", "k"), b"v")
            self.assertIn(f"Ready to accept connections tls on {HOST}:{tls_port}", server.log())
        finally:
            self.assertEqual(server.stop(), 0)
            shutil.rmtree(server.workdir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
