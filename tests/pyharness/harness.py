"""Shared black-box test harness: start a server binary on a free loopback port, talk raw RESP.

Used by tests/integration, tests/differential, tests/clients and bench/. Pure Python 3 stdlib
so it runs under Debian's /usr/bin/python3 with nothing installed. Every server started here
is stopped (SIGTERM, then SIGKILL after a bounded wait) even when a test fails.

Which binary is "the server under test" comes from $GANNET_SERVER (ctest sets it to the built
target); tests that compare against Redis find redis-server on PATH and fail if it is missing.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ----------------------------------------------------------------------------- binaries


def gannet_binary():
    """The server under test: $GANNET_SERVER, else the first built gannet-server found."""
    path = os.environ.get("GANNET_SERVER")
    if path:
        if not os.access(path, os.X_OK):
            raise RuntimeError(f"GANNET_SERVER={path} is not an executable file")
        return path
    for preset in ("asan", "debug", "release"):
        candidate = os.path.join(_REPO, "build", preset, "src", "gannet-server")
        if os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no server binary: set GANNET_SERVER=/path/to/gannet-server")


def redis_binary():
    """The oracle. install-deps installs it, so its absence is a failure, not a skip."""
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        raise RuntimeError("redis-server not found on PATH (scripts/install-deps.sh installs it)")
    return path


def redis_cli_binary():
    path = shutil.which("redis-cli")
    if not path:
        raise RuntimeError("redis-cli not found on PATH (scripts/install-deps.sh installs it)")
    return path


def is_redis(binary):
    return os.path.basename(binary).startswith("redis-server")


def free_port():
    """A TCP port that was free a moment ago (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- RESP


class RespError(Exception):
    """An error reply. Returned (not raised) by RespClient so tests can compare it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __eq__(self, other):
        return isinstance(other, RespError) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return f"RespError({self.message!r})"


class Push(list):
    """A RESP3 push (>) frame."""


class RespSet(list):
    """A RESP3 set (~) frame, kept in wire order."""


class Verbatim(bytes):
    """A RESP3 verbatim string (=); the bytes exclude the 'txt:' prefix."""


class Incomplete(Exception):
    pass


def encode_command(*args):
    """A multibulk request from str/bytes/int arguments."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def parse_reply(buf, pos=0):
    """Parse one RESP2/RESP3 reply at buf[pos:]. Returns (value, next_pos); raises Incomplete."""
    if pos >= len(buf):
        raise Incomplete()
    kind = buf[pos : pos + 1]
    line, nxt = _line(buf, pos + 1)
    if kind == b"+":
        return line.decode("utf-8", "replace"), nxt
    if kind == b"-":
        return RespError(line.decode("utf-8", "replace")), nxt
    if kind == b":":
        return int(line), nxt
    if kind in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return None, nxt
        if len(buf) < nxt + n + 2:
            raise Incomplete()
        data = bytes(buf[nxt : nxt + n])
        if buf[nxt + n : nxt + n + 2] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        if kind == b"=":
            return Verbatim(data[4:]), nxt + n + 2
        if kind == b"!":
            return RespError(data.decode("utf-8", "replace")), nxt + n + 2
        return data, nxt + n + 2
    if kind in (b"*", b"~", b">"):
        n = int(line)
        if n < 0:
            return None, nxt
        items = []
        for _ in range(n):
            v, nxt = parse_reply(buf, nxt)
            items.append(v)
        if kind == b"~":
            return RespSet(items), nxt
        if kind == b">":
            return Push(items), nxt
        return items, nxt
    if kind == b"%":
        n = int(line)
        pairs = []
        for _ in range(n):
            k, nxt = parse_reply(buf, nxt)
            v, nxt = parse_reply(buf, nxt)
            pairs.append((k, v))
        try:
            return dict(pairs), nxt
        except TypeError:  # unhashable keys: keep the pairs
            return pairs, nxt
    if kind == b"|":  # attribute: skip it, the real reply follows
        n = int(line)
        for _ in range(2 * n):
            _, nxt = parse_reply(buf, nxt)
        return parse_reply(buf, nxt)
    if kind == b"_":
        return None, nxt
    if kind == b",":
        return float(line), nxt
    if kind == b"#":
        return line == b"t", nxt
    if kind == b"(":
        return int(line), nxt
    raise ValueError(f"unknown RESP type byte {kind!r} at {pos}")


class RespClient:
    """A raw RESP client: write any bytes, read exactly one reply (decoded or raw)."""

    def __init__(self, port=None, host=HOST, unix_path=None, timeout=10.0):
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def read_raw(self):
        """The exact bytes of the next complete reply."""
        while True:
            try:
                _, end = parse_reply(self.buf, 0)
            except Incomplete:
                self._fill()
                continue
            raw = bytes(self.buf[:end])
            del self.buf[:end]
            return raw

    def read(self):
        return parse_reply(self.read_raw())[0]

    def call(self, *args):
        self.send(encode_command(*args))
        return self.read()

    def call_raw(self, *args):
        self.send(encode_command(*args))
        return self.read_raw()

    def read_until_closed(self, limit=10.0):
        """Everything the server still sends, up to EOF. Raises TimeoutError if it stays open."""
        deadline = time.monotonic() + limit
        data = bytes(self.buf)
        self.buf.clear()
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return data
            except socket.timeout:
                continue
            if not chunk:
                return data
            data += chunk
        raise TimeoutError("server kept the connection open")

    def is_closed(self, wait=5.0):
        """True if the server closes the connection within `wait` seconds (no data expected)."""
        self.sock.settimeout(wait)
        try:
            chunk = self.sock.recv(1)
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        return chunk == b""


# ----------------------------------------------------------------------------- servers


class Server:
    """One server process on a free loopback port. Use as a context manager.

    args are extra command-line arguments (`--timeout 1`); config_file goes first, as both
    servers take `server [configfile] [--directive value ...]`.
    """

    def __init__(self, binary=None, args=(), config_file=None, port=None, start_timeout=20.0,
                 password=None, wait_ready=True, prefix=()):
        self.binary = binary or gannet_binary()
        self.prefix = list(prefix)  # e.g. ["taskset", "-c", "1"]; must exec the server
        self.args = list(args)
        self.config_file = config_file
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.password = password
        self.wait_ready = wait_ready
        self.proc = None
        self.returncode = None
        self.workdir = tempfile.mkdtemp(prefix="gannet-test-")
        self.log_path = os.path.join(self.workdir, "server.log")
        self._log = None

    @property
    def is_redis(self):
        return is_redis(self.binary)

    def command_line(self):
        cmd = self.prefix + [self.binary]
        if self.config_file:
            cmd.append(self.config_file)
        cmd += ["--port", str(self.port), "--bind", HOST]
        if self.is_redis:
            cmd += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        else:
            # Both default to save points (Redis 7.0's "3600 1 300 100 60 10000"): a test
            # asks for them with its own --save, which comes later and wins.
            cmd += ["--save", ""]
        return cmd + self.args

    def start(self):
        for attempt in range(3):
            try:
                return self._start_once()
            except RuntimeError:
                # Another process may have taken the free port between the probe and the
                # server's bind; pick a new one (only when the port was ours to choose).
                if self.fixed_port or attempt == 2 or "in use" not in self.log().lower():
                    raise
                self.port = free_port()
        return self

    def _start_once(self):
        self._log = open(self.log_path, "wb")
        env = dict(os.environ)
        # ASan builds: leaks and errors must turn into a failing exit code, not go unnoticed.
        env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
        self.proc = subprocess.Popen(self.command_line(), stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=self.workdir, env=env)
        if self.wait_ready:
            self.wait_for_ping()
        return self

    def wait_for_ping(self):
        deadline = time.monotonic() + self.start_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                self._log.close()
                self._log = None
                raise RuntimeError(f"{self.binary} exited with {code} at start:\n" + self.log())
            try:
                with RespClient(self.port, timeout=2.0) as c:
                    if self.password:
                        c.call("AUTH", self.password)
                    reply = c.call("PING")
                    if reply == "PONG" or (isinstance(reply, RespError)
                                           and reply.message.startswith("NOAUTH")):
                        return
                    last = reply
            except OSError as e:
                last = e
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.binary} not answering PING on port {self.port}: {last!r}\n"
                           + self.log())

    def client(self, **kw):
        return RespClient(self.port, **kw)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Stop the process; returns its exit code (negative = killed by a signal)."""
        if self.proc is None:
            return self.returncode
        died_early = self.proc.poll() is not None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        if died_early or self.returncode not in (0, -signal.SIGKILL):
            # A crash or sanitizer report lives only in the log, which __exit__ deletes.
            how = "died before stop()" if died_early else "stopped"
            sys.stderr.write(f"\n--- {os.path.basename(self.binary)} (port {self.port}) {how}, "
                             f"exit code {self.returncode}; log tail:\n"
                             f"{self.log()[-20000:]}\n--- end of log\n")
        return self.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def decode(v):
    """Bulk strings (and arrays of them) as text; undecodable bytes survive as escapes."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "surrogateescape")
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def info_fields(client, section="persistence"):
    """INFO <section> as a dict of field -> value (text)."""
    out = {}
    for line in decode(bytes(client.call("INFO", section))).splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def wait_until(predicate, timeout=5.0, interval=0.02):
    """Poll predicate() until it is truthy or the bounded wait ends; returns the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def freeze_child(server, pattern, test):
    """Freezes (SIGSTOP) the fork child whose pid the server's log reports with `pattern`
    (one regex group) and returns its pid; skips `test` when the child ended first."""
    m = wait_until(lambda: re.findall(pattern, server.log()), timeout=5)
    pid = int(m[-1])

    def state():
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return "gone"

    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        pass
    st = wait_until(lambda: state() if state() in ("T", "t", "Z", "gone") else None, timeout=2)
    if st not in ("T", "t"):
        test.skipTest("the child finished before it could be stopped (%s)" % st)
    return pid
