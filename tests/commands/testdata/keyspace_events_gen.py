#!/usr/bin/env python3
"""Regenerates keyspace_events.txt from keyspace_events.cases: runs every command of the
cases file on a real redis-server 7.0 with notify-keyspace-events "KEAnm" and records, per
command, the keyspace notifications it caused (in order) and how much it added to the
change counter (INFO persistence rdb_changes_since_last_save, Redis's server.dirty).
key_events_test replays the file through the in-process harness and compares.

Usage: redis-server --port 7393 --save "" --appendonly no &
       python3 keyspace_events_gen.py 7393 < keyspace_events.cases > keyspace_events.txt

Cases format: "=== name" starts a section (FLUSHALL runs first, its events are not
recorded); every other non-empty line not starting with '#' is one command, arguments
separated by single spaces (arguments never contain spaces). Output: the section lines,
then per command "> command", one "ev <db> <event> <key>" line per notification and a
"dirty <n>" line. Only deterministic commands belong in the cases (no blocking, no
random picks, no TTLs that could pass during the run)."""
import socket
import sys

MARKER = "zz-keyspace-events-marker"


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def send(self, args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-", b":"):
            return rest.decode(errors="replace")
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("unexpected reply type %r" % line)

    def call(self, args):
        self.send(args)
        return self.read()


def dirty(conn):
    info = conn.call(["INFO", "persistence"])
    for line in info.split("\r\n"):
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError("no rdb_changes_since_last_save")


def drain(cmd_conn, sub):
    """Reads notifications until the marker, which a PUBLISH after the command sends."""
    cmd_conn.call(["PUBLISH", MARKER, "x"])
    events = []
    while True:
        msg = sub.read()
        if msg[0] == "message" and msg[1] == MARKER:
            return events
        if msg[0] == "pmessage":
            channel, event = msg[2], msg[3]
            at = channel.index("@")
            end = channel.index("__:", at)
            events.append((int(channel[at + 1:end]), event, channel[end + 3:]))


def main():
    port = int(sys.argv[1])
    c = Conn(port)
    sub = Conn(port)
    c.call(["CONFIG", "SET", "notify-keyspace-events", "KEAnm"])
    sub.send(["PSUBSCRIBE", "__keyspace@*__:*"])
    sub.read()
    sub.send(["SUBSCRIBE", MARKER])
    sub.read()
    out = sys.stdout
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=== "):
            c.call(["SELECT", "0"])
            c.call(["FLUSHALL"])
            drain(c, sub)
            out.write(line + "\n")
            continue
        args = line.split(" ")
        before = dirty(c)
        c.call(args)
        events = drain(c, sub)
        after = dirty(c)
        out.write("> " + line + "\n")
        for db, event, key in events:
            out.write("ev %d %s %s\n" % (db, event, key))
        out.write("dirty %d\n" % (after - before))
    c.call(["CONFIG", "SET", "notify-keyspace-events", ""])


if __name__ == "__main__":
    main()
