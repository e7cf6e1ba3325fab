#!/usr/bin/env python3
"""Cache-workload quality benchmark: hit ratio, throughput and memory under maxmemory.

A cache-aside client (GET; on a miss, SET) draws keys from a Zipf(0.99) distribution over
1,000,000 keys with values of 100 to 1,000 bytes, against gannet-server and redis-server
started with the same maxmemory and policy. maxmemory is set to hold about 10% of the
data. Workloads:

  zipf   the static distribution;
  shift  the hot set moves halfway through (rank r maps to another key afterwards);
  scan   halfway through, a one-off pass over cold keys (each read once, cache-aside).

For each (workload, policy, server) it prints the hit ratio (hits / GETs over the whole
run), the throughput (cache operations per second, GETs and SETs, pipelined in batches),
the server's CPU time per operation (user + system, from /proc: unlike the throughput it
hardly depends on what else the machine runs), and the peak RSS less the RSS of the same
server idle and empty (VmHWM - VmRSS at start),
also as a multiple of maxmemory, and the keys held at the end (the same maxmemory holds
more keys when a key costs less). Every run replays the same request sequence.

The client is plain sockets and pipelined: a batch of GETs, then the SETs for that batch's
misses (the value is written only after the GET said it was missing, as cache-aside does).

Usage (see bench/README.md):
  bench/cache_workload.py [--gannet PATH] [--redis PATH] [--requests N] [--keys N]
                          [--policies allkeys-lru allkeys-lfu] [--workloads zipf shift scan]
  bench/cache_workload.py --large-sets 20000 [--large-size 102400]
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from itertools import accumulate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """The process's (user, system) CPU time in seconds, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def minor_faults(pid):
    """The process's minor page faults so far (pages it touched for the first time, or
    again after they were returned to the OS), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Conn:
    """Minimal RESP client: pipelined commands, replies parsed only as far as needed."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def send(self, data):
        self.sock.sendall(data)

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self.buf = self.buf[self.pos:] + self.sock.recv(1 << 20)
            self.pos = 0

    def _skip(self, n):
        while len(self.buf) - self.pos < n:
            self.buf = self.buf[self.pos:] + self.sock.recv(1 << 20)
            self.pos = 0
        self.pos += n

    def reply(self):
        """Returns None for a nil bulk, True for any other reply (errors raise)."""
        line = self._line()
        t = line[:1]
        if t == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            self._skip(n + 2)
            return True
        if t == b"-":
            raise RuntimeError(line.decode())
        if t == b"*":
            for _ in range(int(line[1:])):
                self.reply()
        return True

    def command(self, *args):
        self.send(encode(args))
        line = self._line()
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self.buf = self.buf[self.pos:] + self.sock.recv(1 << 20)
                self.pos = 0
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return data
        if line[:1] == b"-":
            raise RuntimeError(line.decode())
        return line


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Server:
    def __init__(self, kind, path, maxmemory, policy):
        self.port = free_port()
        if kind == "gannet":
            cmd = [path, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        else:
            cmd = [path, "--port", str(self.port), "--save", "", "--appendonly", "no",
                   "--daemonize", "no"]
        cmd += ["--maxmemory", str(maxmemory), "--maxmemory-policy", policy]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                self.conn = Conn(self.port)
                self.conn.command("PING")
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"{kind} did not start: {cmd}")
                time.sleep(0.05)
        time.sleep(0.3)  # let the empty server settle before the idle measurement
        self.idle_rss_kb = rss_kb(self.proc.pid, "VmRSS")

    def stop(self):
        try:
            self.conn.send(encode(["SHUTDOWN", "NOSAVE"]))
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def zipf_cdf(n, s):
    return list(accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


def make_sequence(workload, n_keys, n_requests, seed, cdf):
    """Key ids (0..n_keys-1) in request order."""
    rng = random.Random(seed)
    ranks = rng.choices(range(n_keys), cum_weights=cdf, k=n_requests)
    # Rank -> key id through a fixed permutation, so hot keys are not neighbours.
    perm = list(range(n_keys))
    random.Random(seed + 1).shuffle(perm)
    half = n_requests // 2
    if workload == "zipf":
        return [perm[r] for r in ranks]
    if workload == "shift":
        shift = n_keys // 2
        return [perm[r] if i < half else perm[(r + shift) % n_keys] for i, r in enumerate(ranks)]
    if workload == "scan":
        # A one-off pass over the coldest 10% of the keys (ranks at the tail), halfway.
        cold = [perm[r] for r in range(n_keys - n_keys // 10, n_keys)]
        seq = [perm[r] for r in ranks]
        return seq[:half] + cold + seq[half:]
    raise ValueError(workload)


def entry_bytes(key_id):
    """What a cache holds for a key: value, key and ~64 bytes of per-key bookkeeping."""
    return value_size(key_id) + len(b"key:%d" % key_id) + 64


def bounds(seq, n_keys, cdf_ranks, capacity, cdf):
    """Hit ratios of idealised caches holding `capacity` keys, on the same sequence: the
    ceiling of any cache (only first requests miss), an oracle that knows each key's true
    probability and keeps the `capacity` likeliest (optimal online for independent
    requests when every key costs the same), the same oracle choosing by probability per
    byte within the bytes of `capacity` average keys (values differ in size, so it holds
    more, smaller keys), an exact LFU counting every request since the start (the best a
    frequency-based policy can learn online) and an exact LRU."""
    import heapq
    from collections import OrderedDict
    n = len(seq)

    def hits_of(kept):
        seen, hits = set(), 0
        for k in seq:
            if k in seen and k in kept:
                hits += 1
            seen.add(k)
        return hits

    oracle = hits_of(set(cdf_ranks[:capacity]))
    budget = capacity * sum(entry_bytes(k) for k in range(n_keys)) / n_keys
    prob = [cdf[0]] + [cdf[r] - cdf[r - 1] for r in range(1, n_keys)]
    kept, used = set(), 0
    for r in sorted(range(n_keys), key=lambda r: -prob[r] / entry_bytes(cdf_ranks[r])):
        size = entry_bytes(cdf_ranks[r])
        if used + size <= budget:
            kept.add(cdf_ranks[r])
            used += size
    oracle_bytes = hits_of(kept)
    counts, cache, heap, lfu = {}, {}, [], 0
    for t, k in enumerate(seq):
        c = counts.get(k, 0) + 1
        counts[k] = c
        if k in cache:
            lfu += 1
        cache[k] = (c, t)
        heapq.heappush(heap, (c, t, k))
        while len(cache) > capacity:
            cc, tt, kk = heapq.heappop(heap)
            if cache.get(kk) == (cc, tt):
                del cache[kk]
    lru_cache, lru = OrderedDict(), 0
    for k in seq:
        if k in lru_cache:
            lru += 1
            lru_cache.move_to_end(k)
        else:
            lru_cache[k] = True
            if len(lru_cache) > capacity:
                lru_cache.popitem(last=False)
    return dict(ceiling=1 - len(counts) / n, oracle=oracle / n, oracle_bytes=oracle_bytes / n,
                oracle_bytes_keys=len(kept), lfu=lfu / n, lru=lru / n)


def value_size(key_id):
    return 100 + (key_id * 2654435761) % 901


def run_workload(server, seq, batch, values):
    c = server.conn
    hits = gets = sets = 0
    t0 = time.perf_counter()
    for start in range(0, len(seq), batch):
        chunk = seq[start:start + batch]
        c.send(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k)
                        for k in (b"key:%d" % i for i in chunk)))
        missed = []
        for i in chunk:
            if c.reply() is None:
                missed.append(i)
            else:
                hits += 1
        gets += len(chunk)
        if missed:
            out = []
            for i in missed:
                k = b"key:%d" % i
                v = values[i]
                out.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
            c.send(b"".join(out))
            for _ in missed:
                c.reply()
            sets += len(missed)
    elapsed = time.perf_counter() - t0
    return hits, gets, sets, elapsed


def large_sets(server, n, size, batch, key_space):
    """SETs of `size`-byte values on random keys of `key_space`, pipelined in `batch`es:
    under a maxmemory that holds a few hundred of them every SET evicts one, so the
    allocator frees and reuses large extents all the time. Returns the server's
    (user, system) CPU seconds and its minor page faults."""
    c = server.conn
    value = b"x" * size
    rng = random.Random(7)
    cpu0 = cpu_seconds(server.proc.pid)
    flt0 = minor_faults(server.proc.pid)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        c.send(b"".join(encode([b"SET", b"big:%d" % rng.randrange(key_space), value])
                        for _ in range(m)))
        for _ in range(m):
            c.reply()
    cpu1 = cpu_seconds(server.proc.pid)
    return cpu1[0] - cpu0[0], cpu1[1] - cpu0[1], minor_faults(server.proc.pid) - flt0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gannet", default=os.path.join(ROOT, "build/release/src/gannet-server"))
    ap.add_argument("--redis", default="redis-server")
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=2_000_000)
    ap.add_argument("--zipf", type=float, default=0.99)
    ap.add_argument("--cache-fraction", type=float, default=0.10)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--policies", nargs="+", default=["allkeys-lru", "allkeys-lfu"])
    ap.add_argument("--workloads", nargs="+", default=["zipf", "shift", "scan"])
    ap.add_argument("--servers", nargs="*", default=["gannet", "redis"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--bounds", type=int, metavar="KEYS", default=0,
                    help="also print idealised caches' hit ratios for a cache of KEYS keys "
                         "(e.g. the keys_held figure); no server is started for them")
    ap.add_argument("--large-sets", type=int, metavar="N", default=0,
                    help="instead of the cache workloads: N SETs of --large-size bytes on "
                         "random keys under maxmemory 20 MB (allkeys-lru), printing the "
                         "server's user and system CPU per SET (the cost of returning freed "
                         "pages to the OS and faulting them back)")
    ap.add_argument("--large-size", type=int, default=100 * 1024)
    args = ap.parse_args()

    if args.large_sets:
        maxmemory = 20 * 2**20
        for kind in args.servers:
            path = args.gannet if kind == "gannet" else args.redis
            srv = Server(kind, path, maxmemory, "allkeys-lru")
            try:
                user, system, faults = large_sets(srv, args.large_sets, args.large_size, 10, 10_000)
                peak_kb = rss_kb(srv.proc.pid, "VmHWM")
            finally:
                srv.stop()
            growth = (peak_kb - srv.idle_rss_kb) * 1024
            print(f"large-sets {kind:7} n={args.large_sets} size={args.large_size} "
                  f"user={user * 1e6 / args.large_sets:.2f}us/SET "
                  f"sys={system * 1e6 / args.large_sets:.2f}us/SET "
                  f"faults={faults / args.large_sets:.1f}/SET "
                  f"rss_growth={growth / maxmemory:.3f}x maxmemory", flush=True)
        return 0

    values = [b"v" * value_size(k) for k in range(args.keys)]
    data_bytes = sum(entry_bytes(k) for k in range(args.keys))
    maxmemory = int(data_bytes * args.cache_fraction)
    print(f"keys={args.keys} requests={args.requests} zipf={args.zipf} "
          f"data~{data_bytes / 2**20:.0f}MB maxmemory={maxmemory / 2**20:.1f}MB "
          f"batch={args.batch}", flush=True)
    cdf = zipf_cdf(args.keys, args.zipf)

    rows = []
    for workload in args.workloads:
        seq = make_sequence(workload, args.keys, args.requests, args.seed, cdf)
        if args.bounds:
            perm = list(range(args.keys))
            random.Random(args.seed + 1).shuffle(perm)  # rank -> key, as make_sequence
            b = bounds(seq, args.keys, perm, args.bounds, cdf)
            # The oracles know one fixed distribution: meaningless once the hot set moves.
            shifted = workload == "shift"
            oracle = "n/a" if shifted else f"{b['oracle'] * 100:.2f}%"
            by_bytes = ("n/a" if shifted else f"{b['oracle_bytes'] * 100:.2f}% "
                        f"({b['oracle_bytes_keys']} keys)")
            print(f"{workload:6} bounds for {args.bounds} keys: "
                  f"ceiling={b['ceiling'] * 100:.2f}% oracle={oracle} "
                  f"oracle-per-byte={by_bytes} "
                  f"exact-lfu={b['lfu'] * 100:.2f}% exact-lru={b['lru'] * 100:.2f}%", flush=True)
        for policy in args.policies:
            for kind in args.servers:
                path = args.gannet if kind == "gannet" else args.redis
                srv = Server(kind, path, maxmemory, policy)
                try:
                    cpu0 = cpu_seconds(srv.proc.pid)
                    flt0 = minor_faults(srv.proc.pid)
                    hits, gets, sets, elapsed = run_workload(srv, seq, args.batch, values)
                    cpu1 = cpu_seconds(srv.proc.pid)
                    faults = minor_faults(srv.proc.pid) - flt0
                    peak_kb = rss_kb(srv.proc.pid, "VmHWM")
                    info = srv.conn.command("INFO", "stats").decode()
                    evicted = next((ln.split(":")[1] for ln in info.split("\r\n")
                                    if ln.startswith("evicted_keys:")), "?")
                    held = srv.conn.command("DBSIZE").decode().lstrip(":")
                finally:
                    srv.stop()
                growth = (peak_kb - srv.idle_rss_kb) * 1024
                row = dict(workload=workload, policy=policy, server=kind,
                           hit=hits / gets, ops=(gets + sets) / elapsed,
                           cpu_us=(sum(cpu1) - sum(cpu0)) * 1e6 / (gets + sets),
                           sys_us=(cpu1[1] - cpu0[1]) * 1e6 / (gets + sets),
                           faults=faults / (gets + sets),
                           growth_mb=growth / 2**20, growth_x=growth / maxmemory,
                           evicted=evicted, held=held)
                rows.append(row)
                print(f"{workload:6} {policy:12} {kind:7} hit={row['hit'] * 100:6.2f}% "
                      f"ops/s={row['ops']:9.0f} cpu={row['cpu_us']:.2f}us/op (sys {row['sys_us']:.2f}) "
                      f"faults/kop={row['faults'] * 1000:.1f} "
                      f"rss_growth={row['growth_mb']:7.1f}MB "
                      f"({row['growth_x']:.3f}x maxmemory) evicted={evicted} keys_held={held}",
                      flush=True)

    print("\nworkload policy        hit% gannet  hit% redis  diff(pt)  ops/s g/r  cpu/op g/r"
          "  rss g x  rss r x")
    for workload in args.workloads:
        for policy in args.policies:
            g = next((r for r in rows if r["workload"] == workload and r["policy"] == policy
                      and r["server"] == "gannet"), None)
            r = next((r for r in rows if r["workload"] == workload and r["policy"] == policy
                      and r["server"] == "redis"), None)
            if g is None or r is None:
                continue
            print(f"{workload:8} {policy:12} {g['hit'] * 100:10.2f}  {r['hit'] * 100:10.2f}  "
                  f"{(g['hit'] - r['hit']) * 100:+8.2f}  {g['ops'] / r['ops']:9.2f}  "
                  f"{g['cpu_us'] / r['cpu_us']:10.2f}  "
                  f"{g['growth_x']:7.3f}  {r['growth_x']:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
