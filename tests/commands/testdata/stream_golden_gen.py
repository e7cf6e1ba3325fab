#!/usr/bin/env python3
"""Regenerates stream_golden.txt: runs the stream command script below on a real
redis-server 7.0 and records each reply's exact bytes. stream_family_test replays the
file through the in-process harness and compares bytes.

Usage: redis-server --port 7391 --save "" --appendonly no &
       python3 stream_golden_gen.py 7391 > stream_golden.txt

Only deterministic commands belong here (explicit IDs, no idle times or delivery times
in the reply); time-dependent replies are tested by hand with the manual clock.
Format: "=== name" starts a section (the test runs FLUSHALL), then pairs of lines:
"> P<TAB>arg<TAB>arg..." (P = 2 or 3, the protocol) and "< " + escaped reply bytes."""
import socket
import sys

SCRIPT = r"""
=== basics
xadd s 1-1 a 1 b 2
xadd s 2-1 a 3 b 4
xrange s - + count 0
xrange nokey - + count 0
xrange s - + count -1
xrange s (1-1 +
xrange s ( +
xrange s (0-0 +
xrange s - (0-0
xrange s - +  COUNT
xrange s - + COUNT zz
xrange s - + foo 1
xrange s 18446744073709551615 +
xrange s 18446744073709551616 +
xrange s 1 1
xrange s 2 1
xrange s (18446744073709551615-18446744073709551615 +
xrevrange s + - count 1
xrevrange s + - count 1 count 5
xrevrange s (2-1 -
xrevrange s + (1-1
xrevrange s 1 2
xlen s
xlen nokey
type s
object encoding s
3 xrange s - + count 0
3 xrange s - +
xinfo stream s full
xinfo stream s full count 1
xinfo stream s full count 0
xinfo stream s full count -3
xinfo stream s FULL COUNT 1 extra
3 xinfo stream s full
3 xinfo stream s
=== xadd ids
xadd s2 -1 a b
xadd s2 1- a b
xadd s2 - a b
xadd s2 + a b
xadd s2 +5 a b
xadd s2 -0 a b
xadd s2 8-* a b
xadd s2 8-* a b
xadd s2 8 a b
xadd s2 7-5 a b
xadd s2 0 a b
xadd s2 0-0 a b
xadd s2 0-* a b
xadd s2 9-1 a
xadd s2 9-1 a b c
xadd s2 9-18446744073709551615 a b
xadd s2 9-* a b
xadd s2 18446744073709551615-18446744073709551615 a b
xadd s2 * a b
xadd s2 18446744073709551615-* a b
xadd s3 0-* a b
xadd s3 0-* a b
xadd s3 1-18446744073709551616 a b
xadd s3 99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999-1 a b
xrange s2 - +
xrange s3 - +
=== xadd options
xadd s maxlen
xadd s maxlen 5
xadd s maxlen 5 10-1
xadd s maxlen -1 10-1 a b
xadd s maxlen zz 10-1 a b
xadd s maxlen 1 minid 5 10-1 a b
xadd s minid 5 maxlen 1 10-1 a b
xadd s minid ~ 5 limit -1 10-1 a b
xadd s minid ~ 5 limit zz 10-1 a b
xadd s minid zz 10-1 a b
xadd s minid = 5 limit 10 10-1 a b
xadd s limit 10 10-1 a b
xadd s limit 0 10-1 a b
xadd s minid ~ 5 limit 10 10-1 a b
xadd s nomkstream 11-1 a b
xadd s maxlen = 1 12-1 a b
xadd s maxlen ~ 1 13-1 a b
xadd s maxlen 1 14-1 a b
xadd nokey nomkstream 1-1 a b
3 xadd nokey nomkstream 1-1 a b
exists nokey
xrange s - +
xinfo stream s
set str x
xadd str 1-1 a b
xadd str nomkstream 1-1 a b
=== xdel xtrim
xadd s 1-1 a 1
xadd s 2-1 a 2 b 3
xadd s 3-1 a 3
xadd s 4-1 c 4
xdel s 1-1 zz
xdel nokey zz
xdel s 1-1 1-1 5-5
xdel s - 
xlen s
xinfo stream s
xdel s 3-1 2-1 4-1
xlen s
exists s
xinfo stream s
xadd s 2-1 a b
xadd s 5-1 a b
xtrim s maxlen 0
xinfo stream s
xtrim nokey maxlen 0
xtrim s
xtrim s maxlen
xtrim s foo 5
xtrim s minid zz
xtrim s maxlen 0 limit 0
xtrim s limit 5 maxlen 0
xtrim s limit 0
xtrim s maxlen -5
xtrim s maxlen ~ 0 limit -5
xtrim s nomkstream maxlen 0
xtrim str maxlen 0
xadd s 6-1 a b
xadd s 7-1 a b
xadd s 8-1 a b
xtrim s minid = 7
xrange s - +
xtrim s minid 7
xtrim s maxlen = 1
xrange s - +
xinfo stream s
=== trim nodes
@fill t 1 350
xinfo stream t
xtrim t maxlen ~ 0 limit 150
xlen t
xtrim t maxlen ~ 200
xlen t
xtrim t maxlen ~ 100 limit 100
xlen t
xtrim t minid ~ 320
xlen t
xtrim t minid ~ 340
xlen t
xinfo stream t
xdel t 345-0
xtrim t minid 347
xrange t - +
xinfo stream t
@fill u 1 250
xtrim u maxlen ~ 0
xlen u
xdel u 201-0 202-0
xtrim u maxlen = 48
xrange u - + count 2
xrevrange u + - count 2
xinfo stream u
xinfo stream u full count 3
=== xread
xadd s 1-1 a 1
xadd s 2-1 b 2
xadd s2 5-0 c 3
xread streams s 0
xread streams nokey 0
xread streams s s2 0 0
xread count 1 streams s s2 0 0
xread count 1 streams s s2 1-1 0
xread count -1 streams s s2 1-1 $
xread streams s $
xread streams s
xread count 5 streams s s2 $
xread group g c streams s 0
xread noack streams s 0
xread foo streams s 0
xread count zz streams s 0
xread streams s 0-0 zz
xread streams s >
xread streams s -
xread streams s 18446744073709551615-18446744073709551615
xreadgroup streams s >
xreadgroup group g c streams s $
xreadgroup group g c streams s >
set str x
xread streams str 0
xread streams s str 0 0
3 xread streams s s2 0 0
3 xread streams s 5
xread streams s 5
=== groups errors
xadd s 1-1 a 1 b 2
xadd s 2-1 a 3 b 4
xadd s 3-1 x y
xgroup help
xinfo help
xgroup create s g $ foo
xgroup create s g $ entriesread -5
xgroup create s g $ entriesread zz
xgroup create s g $ entriesread
xgroup create nokey g $
xgroup setid s g $ foo 5
xgroup setid s g $ entriesread
xgroup setid s nog $
xgroup createconsumer s nog c
xgroup delconsumer s nog c
xgroup destroy s nog
xgroup destroy nokey nog
xgroup create s g 0 mkstream entriesread 1
xgroup create s g 0
xgroup create s g2 zz
xgroup create s g2 -
xgroup create nokey g zz
xgroup create nokey3 g zz mkstream
xgroup create nokey3 g 5 mkstream
xgroup create nokey4 g $ mkstream
set str x
xgroup create str g $ mkstream
xgroup setid str g $
xinfo groups str
xinfo stream str
xinfo consumers str g
xinfo groups nokey3
xinfo groups nokey4
xinfo stream nokey4
3 xinfo stream nokey4
xinfo groups s
3 xinfo groups s
xinfo stream s foo
xinfo stream s full count
xinfo stream s full count zz
xinfo stream nokey
xinfo groups nokey
xinfo consumers nokey g
xinfo consumers s nog
=== groups flow
xadd s 1-1 a 1 b 2
xadd s 2-1 a 3 b 4
xadd s 3-1 x y
xgroup create s g 0 entriesread 1
xreadgroup group g c streams s 0
xreadgroup group g c streams s >
xinfo groups s
xreadgroup group g c streams s >
xreadgroup group g c streams s 0
xpending s g
3 xpending s g
xpending s g - + 10 nosuch
xpending s g idle 0 - +
xpending s g - +
xpending s nog
xpending s nog - + 10
xpending s g - + zz
xpending s g zz + 10
xpending s g ( + 10
xpending s g - (0-0 10
xpending s g - + 0
xpending s g - + -5
xpending s g idle zz - + 10
xpending s g 1 2 3 4 5 6 7
xpending nokey g
xpending str g
xack s g 1-1 zz
xack s nog 1-1 zz
xack s nog 1-1
xack nokey nog 1-1
xack s g 1-1 1-1 2-1
xpending s g
xclaim s g c2 0 2-1 3-1 justid
xclaim s g c2 zz 2-1
xclaim s nog c2 zz 2-1
xclaim s g c2 0 2-1 foo
xclaim s g c2 0 1-1 force
xclaim s g c2 0 2-1 idle zz
xclaim s g c2 0 2-1 time zz
xclaim s g c2 0 2-1 retrycount zz
xclaim s g c2 0 2-1 lastid zz
xclaim s g c2 0 2-1 retrycount 7 time 5
xclaim s g c2 0 3-1 retrycount 7 lastid 9-9 justid
xinfo groups s
xpending s g
xautoclaim s g c3 0 0 count 0
xautoclaim s g c3 0 0 count 1000000000000000000
xautoclaim s g c3 0 0 count 576460752303423487
xautoclaim s g c3 zz 0
xautoclaim s g c3 0 zz
xautoclaim s g c3 0 0 foo
xautoclaim s nog c3 0 0
xautoclaim nokey nog c3 0 0
xautoclaim s g c3 0 (18446744073709551615-18446744073709551615
xdel s 3-1
xautoclaim s g c3 0 0 count 1
xautoclaim s g c3 0 0 justid
3 xautoclaim s g c3 0 0 justid
xpending s g
xinfo groups s
xgroup delconsumer s g c3
xgroup delconsumer s g c3
xgroup createconsumer s g c3
xgroup createconsumer s g c3
xpending s g
xgroup destroy s g2
xgroup destroy s g
xinfo groups s
xgroup create s g1 0
xgroup create s g0 $
xinfo groups s
xreadgroup group g1 c1 noack count 1 streams s >
xpending s g1
xinfo groups s
xgroup setid s g1 0 entriesread 0
xinfo groups s
xreadgroup group g1 c1 streams s >
xgroup setid s g1 0
xreadgroup group g1 c2 streams s >
xpending s g1
xinfo groups s
xadd s 4-1 x y
xadd s 5-1 x y
xinfo groups s
xreadgroup group g0 c streams s >
xinfo groups s
xdel s 5-1
xinfo groups s
xreadgroup group g1 c2 streams s 0
xreadgroup group g1 c2 count 1 streams s 0
xreadgroup group g1 c2 count 1 streams s (1
xreadgroup group g1 nosuch streams s 0
xreadgroup group g1 c2 streams s $
xreadgroup group g1 c2 streams s nokey > >
xreadgroup group g1 c2 streams s str > >
xreadgroup group g1 c2 streams s s > >
xreadgroup group g1 c2 streams s s 0 0
xreadgroup group g1 c2 count 1 streams s 0 0
3 xreadgroup group g1 c2 streams s 0
3 xreadgroup group g1 c2 streams s >
xreadgroup group g1 c2 streams s >
xpending s g1
xgroup create s3 g 0 mkstream
xinfo groups s3
xinfo stream s3
xreadgroup group g c streams s3 0
xreadgroup group g c streams s3 >
xinfo stream s3
xsetid s3 5-5
xinfo groups s3
xadd s3 6-0 a b
xinfo groups s3
=== xsetid
xadd s 50-0 f v
xsetid s 40
xsetid s 60 entriesadded 0
xsetid s 60 entriesadded -1
xsetid s 60 entriesadded zz
xsetid s 60 maxdeletedid 70
xsetid s 60 maxdeletedid zz
xsetid s 60 maxdeletedid 55 entriesadded 100
xsetid s 60 foo
xsetid nokey 60
set str x
xsetid str 60
xsetid s zz
xsetid s -
xinfo stream s
xsetid s 54
xsetid s 49
xinfo stream s
xadd s 55-0 a b
xadd s 53-0 a b
xadd s 54-* a b
xinfo stream s
=== lag
xadd s 1-0 a b
xadd s 2-0 a b
xadd s 3-0 a b
xadd s 4-0 a b
xgroup create s g1 0
xgroup create s g2 2-0
xgroup create s g3 $
xgroup create s g4 0 entriesread 0
xinfo groups s
xreadgroup group g1 c count 1 streams s >
xinfo groups s
xdel s 3-0
xinfo groups s
xreadgroup group g1 c count 1 streams s >
xinfo groups s
xreadgroup group g1 c count 1 streams s >
xinfo groups s
xreadgroup group g4 c streams s >
xinfo groups s
xdel s 1-0
xinfo groups s
xtrim s maxlen 0
xinfo groups s
xinfo stream s
xadd s 9-0 a b
xinfo groups s
"""


def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_reply(f):
    line = f.readline()
    t = line[:1]
    if t in b"+-:_,#(":
        return line
    if t in b"$=!":
        n = int(line[1:-2])
        return line if n < 0 else line + f.read(n + 2)
    if t in b"*~>%":
        n = int(line[1:-2])
        if n < 0:
            return line
        if t == b"%":
            n *= 2
        return line + b"".join(read_reply(f) for _ in range(n))
    raise ValueError(line)


def escape(b):
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x0A:
            out.append("\\n")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def main():
    port = int(sys.argv[1])
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    proto = 2

    def call(args):
        nonlocal proto
        want = 3 if args[0] == "3" else 2
        if args[0] == "3":
            args = args[1:]
        if want != proto:
            s.sendall(enc(["hello", str(want)]))
            read_reply(f)
            proto = want
        s.sendall(enc(args))
        return want, args, read_reply(f)

    # The defaults the harness runs with (node size decides approximate trimming).
    call(["config", "set", "stream-node-max-entries", "100"])
    call(["config", "set", "stream-node-max-bytes", "4096"])
    for line in SCRIPT.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("==="):
            call(["flushall"])
            print(line)
            continue
        if line.startswith("@fill"):
            _, key, lo, hi = line.split()
            for i in range(int(lo), int(hi) + 1):
                call(["xadd", key, "%d-0" % i, "f", "v%d" % i])
            print(line)
            continue
        p, args, reply = call(line.split())
        print("> %d\t%s" % (p, "\t".join(args)))
        print("< " + escape(reply))


main()
