#!/usr/bin/env python3
"""Differential fuzz of the stream commands: the same seeded random sequence of explicit-ID
XADD/XDEL/XTRIM/XRANGE/XREVRANGE/XINFO/XGROUP/XREADGROUP/XACK/XCLAIM/XAUTOCLAIM/XPENDING/
XREAD commands (node sizes 3, 5 or 100) goes to a real redis-server 7.0 and to gannet-server;
every reply must be byte-identical (radix-tree-nodes included).

Usage: python3 stream_fuzz_diff.py REDIS_PORT GANNET_PORT SEED [COMMANDS]
Both servers on 127.0.0.1; the script runs FLUSHALL and CONFIG SET on both."""
import random
import re
import socket
import sys


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


def run(port, cmds):
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    out = []
    for c in cmds:
        s.sendall(enc(c))
        out.append(read_reply(f))
    s.close()
    return out


seed = int(sys.argv[3])
rnd = random.Random(seed)
cmds=[["flushall"],["config","set","stream-node-max-entries",str(rnd.choice([3,5,100]))]]
ms=1; ids=[]
def rid():
    if ids and rnd.random()<0.8: return rnd.choice(ids)
    return "%d-%d"%(rnd.randint(0,ms+2),rnd.randint(0,2))
for i in range(int(sys.argv[4]) if len(sys.argv) > 4 else 400):
    r=rnd.random()
    if r<0.35:
        ms+=rnd.randint(0,3); i2="%d-*"%ms if rnd.random()<0.5 else "%d-%d"%(ms,rnd.randint(0,5))
        opt=[]
        if rnd.random()<0.2: opt=["maxlen",rnd.choice(["~","="]),str(rnd.randint(0,30))]
        elif rnd.random()<0.1: opt=["minid",rnd.choice(["~","="]),rid()]
        cmds.append(["xadd","s"]+opt+[i2]+rnd.choice([["a","1"],["a","2","b","3"],["c","x"]]))
    elif r<0.45: cmds.append(["xdel","s"]+[rid() for _ in range(rnd.randint(1,3))])
    elif r<0.5: cmds.append(["xtrim","s",rnd.choice(["maxlen","minid"]),rnd.choice(["~","="]),str(rnd.randint(0,40)) if rnd.random()<0.5 else rid()])
    elif r<0.55: cmds.append(["xrange","s",rnd.choice(["-",rid(),"("+rid()]),rnd.choice(["+",rid()]),"count",str(rnd.randint(0,5))])
    elif r<0.6: cmds.append(["xrevrange","s",rnd.choice(["+",rid()]),rnd.choice(["-",rid()])])
    elif r<0.65: cmds.append(["xinfo","stream","s"])
    elif r<0.68: cmds.append(["xgroup","create","s",rnd.choice(["g1","g2"]),rnd.choice(["0","$",rid()])]+(["entriesread",str(rnd.randint(-1,10))] if rnd.random()<0.3 else []))
    elif r<0.75: cmds.append(["xreadgroup","group",rnd.choice(["g1","g2"]),rnd.choice(["c1","c2"]),"count",str(rnd.randint(1,4)),"streams","s",rnd.choice([">",">","0",rid()])])
    elif r<0.8: cmds.append(["xack","s",rnd.choice(["g1","g2"])]+[rid() for _ in range(2)])
    elif r<0.83: cmds.append(["xclaim","s",rnd.choice(["g1","g2"]),rnd.choice(["c1","c3"]),"0"]+[rid() for _ in range(2)]+["justid"]+(["force"] if rnd.random()<0.3 else []))
    elif r<0.86: cmds.append(["xautoclaim","s",rnd.choice(["g1","g2"]),rnd.choice(["c1","c3"]),"0",rnd.choice(["0",rid()]),"count",str(rnd.randint(1,4)),"justid"])
    elif r<0.9: cmds.append(["xpending","s",rnd.choice(["g1","g2"])])
    elif r<0.94: cmds.append(["xinfo","groups","s"])
    elif r<0.96: cmds.append(["xgroup","setid","s",rnd.choice(["g1","g2"]),rnd.choice(["0","$",rid()])])
    elif r<0.98: cmds.append(["xread","count","3","streams","s",rid()])
    else: cmds.append(["xgroup","delconsumer","s",rnd.choice(["g1","g2"]),rnd.choice(["c1","c2","c3"])])
a = run(int(sys.argv[1]), cmds)
b = run(int(sys.argv[2]), cmds)
bad=0
for c,x,y in zip(cmds,a,b):
    if x!=y:
        bad += 1
        if bad <= 3:
            print("DIFF", " ".join(c))
            print("  redis :", x[:300])
            print("  gannet:", y[:300])
errs=sum(1 for x in a if x.startswith(b"-"))
print("seed", seed, len(cmds), "commands,", bad, "differ,", errs, "error replies")
sys.exit(1 if bad else 0)
