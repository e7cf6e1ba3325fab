#!/usr/bin/env python3
# Regenerates hll_redis_fixtures.txt from a running redis-server 7.0.x:
#   redis-server --port 27411 --save "" --appendonly no &
#   python3 hll_redis_fixtures_gen.py 27411 > hll_redis_fixtures.txt
# The scenarios must stay in step with HyperLogLogFamilyTest.SameBytesAsRedis.
import socket, sys

class R:
    def __init__(s, port=27411):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile('rb')
    def cmd(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            if isinstance(a, str): a = a.encode('latin1')
            elif isinstance(a, int): a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.s.sendall(out); return s.read()
    def read(s):
        line = s.f.readline()[:-2]; t = line[:1]; rest = line[1:]
        if t in (b'+',): return ('simple', rest.decode())
        if t == b'-': return ('err', rest.decode())
        if t == b':': return int(rest)
        if t == b'$':
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n+2)[:-2]; return d
        if t in (b'*', b'~', b'>'):
            n = int(rest)
            if n < 0: return None
            return [s.read() for _ in range(n)]
        if t == b'%':
            n=int(rest); return [s.read() for _ in range(2*n)]
        if t == b'_': return None
        if t == b',': return ('double', rest.decode())
        if t == b'#': return rest == b't'
        return ('?', line)

r=R(int(sys.argv[1]) if len(sys.argv) > 1 else 27411); r.cmd("FLUSHALL")
out=[]
def snap(label, key):
    v=r.cmd("GET",key); out.append("value %s %s" % (label, v.hex()))
def cnt(label,*keys):
    out.append("count %s %d" % (label, r.cmd("PFCOUNT",*keys)))
# A: one PFADD of 100 elements (sparse)
r.cmd("PFADD","a",*["e%d"%i for i in range(100)]); snap("a_stale","a"); cnt("a","a"); snap("a_cached","a")
# B: 50 PFADDs of 100 elements each (promoted to dense)
for j in range(50): r.cmd("PFADD","b",*["e%d"%i for i in range(j*100,(j+1)*100)])
snap("b_stale","b"); cnt("b","b"); snap("b_cached","b")
# C: sparse c, merged with a into m (sparse target)
r.cmd("PFADD","c",*["x%d"%i for i in range(300)]); r.cmd("PFMERGE","m","a","c"); snap("m","m"); cnt("m","m")
# D: merge with a dense source -> dense target
r.cmd("PFMERGE","d","a","b"); snap("d","d"); cnt("d","d")
# E: union count
cnt("abc","a","b","c")
# F: binary elements of every tail length
els=[bytes(range(n)).decode('latin1') for n in range(0,21)]+["\xff\xfe\x00z"*3]
r.cmd("PFADD","f",*els); snap("f","f"); cnt("f","f")
# G: one element at a time up to 1500 (crosses the sparse limit)
for i in range(1500): r.cmd("PFADD","g","g%d"%i)
snap("g","g"); cnt("g","g")
# H: small sparse limit
r.cmd("CONFIG","SET","hll-sparse-max-bytes","200")
for i in range(120): r.cmd("PFADD","h","h%d"%i)
snap("h","h"); cnt("h","h")
r.cmd("CONFIG","SET","hll-sparse-max-bytes","3000")
# I: merge into an existing sparse dest (dest is a source too)
r.cmd("PFADD","i","e1","e2","zz"); r.cmd("PFMERGE","i","c"); snap("i","i"); cnt("i","i")
print("\n".join(out))
