"""Shared pieces of the hostile-input suite (test_hostile_*.py): sentinel keys written before
an attack and verified after it, a raw socket drain that tells "closed" from "still open", and
the scale knobs that keep the suite inside its ctest TIMEOUT under ASan.

Every attack in the suite is followed by `Sentinels.verify`: the server still answers and every
key written before the attack (several types, a TTL, a second database) is byte-for-byte intact.
"""

import os
import socket
import time

import _setup  # noqa: F401
import harness
from harness import RespError

SENTINEL_DB = 3  # a second database, so an attack confused about SELECT would show


class Sentinels:
    """Keys of every common type, written once per server, compared after every attack."""

    def __init__(self, prefix="sentinel:"):
        self.p = prefix

    def write(self, c):
        p = self.p
        big = bytes(range(256)) * 64  # 16 KB of every byte value
        cmds = [
            ("SET", p + "str", "hello world"),
            ("SET", p + "bin", big),
            ("SET", p + "int", "12345"),
            ("SET", p + "ttl", "lives", "EX", "100000"),
            ("HSET", p + "hash", "f1", "v1", "f2", "v2", "bin", big[:300]),
            ("RPUSH", p + "list", "a", "b", "c", "", "d" * 1000),
            ("SADD", p + "set", "x", "y", "z", "12"),
            ("ZADD", p + "zset", "1", "one", "2.5", "two", "-inf", "low"),
            ("XADD", p + "stream", "1-1", "f", "v"),
            ("XADD", p + "stream", "2-0", "g", "w"),
            ("SETBIT", p + "bits", "1000", "1"),
            ("PFADD", p + "hll", "a", "b", "c"),
        ]
        for cmd in cmds:
            reply = c.call(*cmd)
            assert not isinstance(reply, RespError), (cmd, reply)
        assert c.call("SELECT", SENTINEL_DB) == "OK"
        assert c.call("SET", p + "db3", "other-db") == "OK"
        assert c.call("SELECT", 0) == "OK"
        self.expected = self._snapshot(c)

    def _snapshot(self, c):
        p = self.p
        snap = {
            "str": c.call("GET", p + "str"),
            "bin": c.call("GET", p + "bin"),
            "int": c.call("GET", p + "int"),
            "ttl": c.call("GET", p + "ttl"),
            "ttl_set": c.call("TTL", p + "ttl") > 0,
            "hash": sorted(c.call("HGETALL", p + "hash")),
            "list": c.call("LRANGE", p + "list", 0, -1),
            "set": sorted(c.call("SMEMBERS", p + "set")),
            "zset": c.call("ZRANGE", p + "zset", 0, -1, "WITHSCORES"),
            "stream": c.call("XRANGE", p + "stream", "-", "+"),
            "bits": c.call("GET", p + "bits"),
            "hll": c.call("PFCOUNT", p + "hll"),
            "types": [c.call("TYPE", p + k) for k in
                      ("str", "hash", "list", "set", "zset", "stream")],
        }
        assert c.call("SELECT", SENTINEL_DB) == "OK"
        snap["db3"] = c.call("GET", p + "db3")
        assert c.call("SELECT", 0) == "OK"
        return snap

    def verify(self, test, server, what=""):
        """The server answers PING and every sentinel is exactly as written."""
        test.assertTrue(server.alive(), f"server died during {what}:\n{server.log()[-4000:]}")
        with server.client(timeout=30) as c:
            if server.password:
                test.assertEqual(c.call("AUTH", server.password), "OK")
            test.assertEqual(c.call("PING"), "PONG", what)
            test.assertEqual(self._snapshot(c), self.expected, f"sentinels changed by {what}")


def drain(sock, idle=1.0, limit=30.0):
    """Reads until the peer closes or stays silent for `idle` seconds.

    Returns (state, data) with state "closed" (EOF or reset) or "open".
    """
    deadline = time.monotonic() + limit
    sock.settimeout(idle)
    data = b""
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 16)
        except socket.timeout:
            return "open", data
        except (ConnectionResetError, BrokenPipeError):
            return "closed", data
        if not chunk:
            return "closed", data
        data += chunk
    return "open", data


def is_sanitized(server):
    """True for an ASan/UBSan build: the path says so (build/asan, build/*-asan) or the
    process has the ASan runtime mapped."""
    if "asan" in os.path.basename(os.path.dirname(os.path.dirname(server.binary))).lower() \
            or "asan" in server.binary.lower():
        return True
    try:
        with open(f"/proc/{server.pid()}/maps") as f:
            return "libasan" in f.read()
    except OSError:
        return False


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def info_field(c, section, name):
    text = c.call("INFO", section).decode()
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise KeyError(name)


def log_line(server, needle):
    for line in server.log().splitlines():
        if needle in line:
            return line
    return None


def scaled(env_name, release_default, sanitized_default, server):
    """A size knob: $env_name wins, else the release or the ASan default."""
    value = os.environ.get(env_name)
    if value:
        return int(value)
    return sanitized_default if is_sanitized(server) else release_default


__all__ = ["Sentinels", "drain", "is_sanitized", "fd_count", "info_field", "log_line", "scaled",
           "harness"]
