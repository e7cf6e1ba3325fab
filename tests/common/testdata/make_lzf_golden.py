#!/usr/bin/python3
"""Writes lzf_redis_golden.txt: DUMP payloads from a real redis-server 7.0 of strings that
exercise its LZF compressor (liblzf 3.6), for tests/common/lzf_test.cc, which rebuilds the same
inputs (the generators below are mirrored there) and must produce the LZF bytes inside them.

    /usr/bin/python3 tests/common/testdata/make_lzf_golden.py [redis-server]

Each input is SET and DUMPed on a fresh server, then DUMPed again on a second server in the
opposite order: liblzf keeps its table on the stack without clearing it, and the two runs
agreeing shows the payloads do not depend on what was compressed before.
"""

import os
import socket
import subprocess
import sys
import time

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lzf_redis_golden.txt")


def xorshift32(seed):
    x = seed
    while True:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x


def random_bytes(n, seed):
    g = xorshift32(seed)
    return bytes(next(g) & 0xFF for _ in range(n))


def compressible(n, seed):
    """Runs of letters from a 16-letter alphabet and copies (overlapping allowed) of 3..42
    earlier bytes up to 9000 back: matches near and past LZF's 8192-byte reach."""
    g = xorshift32(seed)
    out = bytearray()
    while len(out) < n:
        if len(out) >= 8 and next(g) % 4 != 0:
            back = 1 + next(g) % min(len(out), 9000)
            length = 3 + next(g) % 40
            start = len(out) - back
            for i in range(length):
                out.append(out[start + i])
        else:
            for _ in range(1 + next(g) % 8):
                out.append(ord("a") + next(g) % 16)
    return bytes(out[:n])


def json_like():
    parts = []
    for i in range(25):
        parts.append('{"id":%d,"name":"user-%d","email":"user%d@example.com","active":%s,'
                     '"score":%d}' % (i, i, i, "true" if i % 3 else "false", (i * 37) % 101))
    return ("[" + ",".join(parts) + "]").encode()


def cases():
    far = random_bytes(8300, 3)
    return [
        ("a21", b"a" * 21),
        ("a22", b"a" * 22),
        ("a100", b"a" * 100),
        ("abc21", b"abc" * 7),
        ("abc22", (b"abc" * 8)[:22]),
        ("hello21", (b"hello " * 4)[:21]),
        ("hello22", (b"hello " * 4)[:22]),
        # liblzf's room checks: 17 bytes would fit in 21 - 4 but it gives up (stored raw);
        # the next two are accepted with 1 byte to spare.
        ("refused21", b"AHOVCJQXababababababa"),
        ("accepted21", b"AHOVCJQababababababab"),
        ("accepted22", b"AHOVCJQXababababababab"),
        ("words", b"the quick brown fox jumps over the lazy dog " * 30),
        ("json", json_like()),
        ("mixed1k", compressible(1024, 1)),
        ("mixed64k", compressible(65536, 2)),
        ("maxlen_pairs", b"ab" * 1000),
        ("maxlen_runs", b"x" * 300 + b"y" * 300 + b"z" * 5),
        # 8300 random bytes, then 600 bytes repeated from exactly 8192 back (the farthest a
        # reference reaches), or from 8193 back (out of reach: stored raw).
        ("maxoffset", far + far[108:708]),
        ("beyondoffset", far + far[107:707]),
        ("random21", random_bytes(21, 4)),
        ("random100", random_bytes(100, 5)),
    ]


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if line[:1] == b"-":
            raise RuntimeError(line.decode())
        return line[1:]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dump_all(binary, items):
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no",
                             "--daemonize", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = Client(port)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        version = c.call("INFO", "server").split(b"redis_version:")[1].split(b"\r\n")[0]
        out = {}
        for name, data in items:
            c.call("SET", name, data)
            out[name] = c.call("DUMP", name)
        # A list with compressed interior quicklist nodes of about 8 KB (Redis compresses
        # those with the node's own size as the output room, not size - 4).
        c.call("CONFIG", "SET", "list-compress-depth", "1")
        items = [b"item:%d:%s" % (i % 50, b"v" * (i % 7)) for i in range(3000)]
        c.call("RPUSH", "list_nodes", *items)
        out["list_nodes"] = c.call("DUMP", "list_nodes")
        return version.decode(), out
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "redis-server"
    items = cases()
    version, first = dump_all(binary, items)
    _, second = dump_all(binary, list(reversed(items)))
    if first != second:
        raise SystemExit("payloads depend on the order of compression: %s" %
                         [k for k in first if first[k] != second[k]])
    with open(OUT, "w") as f:
        f.write("# Generated by make_lzf_golden.py against redis-server %s: <name> <DUMP payload"
                " hex>\n" % version)
        for name, payload in first.items():
            f.write("%s %s\n" % (name, payload.hex()))


if __name__ == "__main__":
    main()
