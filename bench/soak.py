#!/usr/bin/env python3
"""Soak test (not in CI): a mixed workload over every data type at a high rate for a long time,
watching the server's memory.

Several client threads send pipelined batches of random commands over strings, hashes, lists,
sets, sorted sets, streams, bitmaps, HyperLogLogs, geo sets, pub/sub and expiring keys. The
keyspace is bounded (a fixed number of keys per type, collections trimmed or capped, expiring
keys coming and going) so the dataset reaches a steady state; after that the server's RSS
should stop growing too. Every few seconds the sampler records RSS (/proc/<pid>/status), INFO
memory's used_memory and used_memory_dataset, DBSIZE and the operation rate.

At the end it prints the samples, the number of error replies (there must be none), pub/sub
messages delivered, and whether RSS grew beyond the dataset between the end of the warm-up
(the first --warmup fraction of the run) and the end:

    rss_growth <= max(used_memory growth, 0) + slack   (slack: 5% of the warm RSS + 8 MB)

Exit code 0 when there were no errors and no such growth, 1 otherwise.

Usage (see bench/README.md):
  bench/soak.py [--server PATH] [--seconds 300] [--threads 4] [--keys 2000]
                [--sample-every 5] [--warmup 0.3] [--seed 1]
"""

import argparse
import os
import random
import socket
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "pyharness"))
import harness  # noqa: E402
from harness import Incomplete, Push, RespError, encode_command, parse_reply  # noqa: E402

CHANNELS = 8


class Conn:
    """A pipelining RESP client: send a batch, read exactly as many replies."""

    def __init__(self, port):
        self.sock = socket.create_connection((harness.HOST, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def read_one(self):
        while True:
            try:
                value, end = parse_reply(self.buf, 0)
            except Incomplete:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                self.buf += chunk
                continue
            del self.buf[:end]
            return value

    def pipeline(self, commands):
        self.sock.sendall(b"".join(encode_command(*c) for c in commands))
        return [self.read_one() for _ in commands]

    def call(self, *args):
        return self.pipeline([args])[0]

    def close(self):
        self.sock.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def info_fields(conn, section):
    text = conn.call("INFO", section).decode()
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


class Workload:
    """Random commands over a bounded keyspace: `keys` keys per type."""

    def __init__(self, keys, rng):
        self.keys = keys
        self.rng = rng
        self.ops = [
            (8, self.strings), (4, self.counters), (5, self.hashes), (5, self.lists),
            (4, self.sets), (4, self.zsets), (3, self.streams), (3, self.bitmaps),
            (3, self.hll), (3, self.geo), (2, self.publish), (3, self.expiry), (1, self.deletes),
        ]
        self.weights = [w for w, _ in self.ops]
        self.funcs = [f for _, f in self.ops]

    def k(self):
        return self.rng.randrange(self.keys)

    def value(self):
        return b"v" * self.rng.randint(1, 300)

    def next(self):
        return self.rng.choices(self.funcs, self.weights)[0]()

    def strings(self):
        r = self.rng.random()
        if r < 0.4:
            return ("SET", f"str:{self.k()}", self.value())
        if r < 0.7:
            return ("GET", f"str:{self.k()}")
        if r < 0.85:
            return ("SETRANGE", f"str:{self.k()}", self.rng.randrange(400), "xyz")
        return ("MGET", f"str:{self.k()}", f"str:{self.k()}", f"str:{self.k()}")

    def counters(self):
        if self.rng.random() < 0.8:
            return ("INCRBY", f"ctr:{self.k()}", self.rng.randint(-5, 10))
        return ("INCRBYFLOAT", f"flt:{self.k()}", "0.5")

    def hashes(self):
        r = self.rng.random()
        key = f"hash:{self.k()}"
        field = f"f{self.rng.randrange(60)}"
        if r < 0.5:
            return ("HSET", key, field, self.value())
        if r < 0.65:
            return ("HDEL", key, field)
        if r < 0.8:
            return ("HINCRBY", f"hctr:{self.k()}", field, 1)
        if r < 0.9:
            return ("HGET", key, field)
        return ("HGETALL", key)

    def lists(self):
        r = self.rng.random()
        key = f"list:{self.k()}"
        if r < 0.4:
            return ("LPUSH", key, self.value(), self.value())
        if r < 0.6:
            return ("LTRIM", key, 0, 99)  # caps every list at 100 elements
        if r < 0.75:
            return ("RPOP", key)
        if r < 0.9:
            return ("LRANGE", key, 0, 9)
        return ("LINDEX", key, self.rng.randrange(-50, 50))

    def sets(self):
        r = self.rng.random()
        key = f"set:{self.k()}"
        member = f"m{self.rng.randrange(300)}"
        if r < 0.5:
            return ("SADD", key, member, f"m{self.rng.randrange(300)}")
        if r < 0.7:
            return ("SREM", key, member)
        if r < 0.8:
            return ("SISMEMBER", key, member)
        if r < 0.9:
            return ("SCARD", key)
        return ("SUNION", key, f"set:{self.k()}")

    def zsets(self):
        r = self.rng.random()
        key = f"zset:{self.k()}"
        member = f"m{self.rng.randrange(300)}"
        if r < 0.45:
            return ("ZADD", key, self.rng.uniform(-1000, 1000), member)
        if r < 0.6:
            return ("ZINCRBY", key, 1.5, member)
        if r < 0.75:
            return ("ZREM", key, member)
        if r < 0.9:
            return ("ZRANGE", key, 0, 9, "WITHSCORES")
        return ("ZRANGEBYSCORE", key, "-100", "100", "LIMIT", 0, 5)

    def streams(self):
        r = self.rng.random()
        key = f"stream:{self.k()}"
        if r < 0.6:
            return ("XADD", key, "MAXLEN", "~", 50, "*", "f", self.value())
        if r < 0.8:
            return ("XRANGE", key, "-", "+", "COUNT", 5)
        if r < 0.9:
            return ("XLEN", key)
        return ("XTRIM", key, "MAXLEN", 20)

    def bitmaps(self):
        r = self.rng.random()
        key = f"bits:{self.k()}"
        if r < 0.6:
            return ("SETBIT", key, self.rng.randrange(80000), self.rng.randint(0, 1))
        if r < 0.8:
            return ("BITCOUNT", key)
        if r < 0.9:
            return ("BITPOS", key, 1)
        return ("BITFIELD", key, "INCRBY", "u8", self.rng.randrange(1000) * 8, 1)

    def hll(self):
        r = self.rng.random()
        key = f"hll:{self.k()}"
        if r < 0.7:
            return ("PFADD", key, *[f"e{self.rng.randrange(100000)}" for _ in range(5)])
        if r < 0.9:
            return ("PFCOUNT", key)
        return ("PFMERGE", f"hllm:{self.k() % 50}", key, f"hll:{self.k()}")

    def geo(self):
        r = self.rng.random()
        key = f"geo:{self.k() % max(1, self.keys // 10)}"
        member = f"p{self.rng.randrange(500)}"
        if r < 0.5:
            return ("GEOADD", key, self.rng.uniform(-10, 10), self.rng.uniform(40, 50), member)
        if r < 0.7:
            return ("GEODIST", key, member, f"p{self.rng.randrange(500)}", "km")
        if r < 0.9:
            return ("GEOSEARCH", key, "FROMLONLAT", 0, 45, "BYRADIUS", 200, "km", "COUNT", 10)
        return ("ZREM", key, member)

    def publish(self):
        if self.rng.random() < 0.5:
            return ("PUBLISH", f"ch:{self.rng.randrange(CHANNELS)}", self.value())
        return ("PUBLISH", f"news.{self.rng.randrange(100)}", "hello")

    def expiry(self):
        r = self.rng.random()
        if r < 0.5:
            return ("SET", f"tmp:{self.k()}", self.value(), "PX", self.rng.randint(10, 3000))
        if r < 0.7:
            kind = self.rng.choice(("hash", "list", "set", "zset", "str"))
            return ("PEXPIRE", f"{kind}:{self.k()}", self.rng.randint(100, 5000))
        if r < 0.85:
            return ("PTTL", f"tmp:{self.k()}")
        return ("PERSIST", f"str:{self.k()}")

    def deletes(self):
        kind = self.rng.choice(("hash", "list", "set", "zset", "str", "stream", "bits", "hll"))
        return ("UNLINK" if self.rng.random() < 0.5 else "DEL", f"{kind}:{self.k()}")


def worker(port, seed, args, stop, stats, lock):
    rng = random.Random(seed)
    wl = Workload(args.keys, rng)
    conn = Conn(port)
    ops = 0
    errors = []
    try:
        while not stop.is_set():
            batch = [wl.next() for _ in range(args.batch)]
            for cmd, reply in zip(batch, conn.pipeline(batch)):
                if isinstance(reply, RespError):
                    errors.append((cmd[:3], reply.message))
            ops += len(batch)
    except (OSError, ConnectionError) as e:
        errors.append(("connection", repr(e)))
    finally:
        conn.close()
        with lock:
            stats["ops"] += ops
            stats["errors"] += errors


def subscriber(port, stop, stats, lock, ready):
    conn = Conn(port)
    conn.sock.settimeout(0.5)
    received = 0
    try:
        conn.sock.sendall(encode_command("SUBSCRIBE", *[f"ch:{i}" for i in range(CHANNELS)])
                          + encode_command("PSUBSCRIBE", "news.*"))
        for _ in range(CHANNELS + 1):
            conn.read_one()
        ready.set()
        while not stop.is_set():
            try:
                msg = conn.read_one()
            except socket.timeout:
                continue
            if isinstance(msg, (list, Push)) and msg and msg[0] in (b"message", b"pmessage"):
                received += 1
    except (OSError, ConnectionError) as e:
        with lock:
            stats["errors"].append(("subscriber", repr(e)))
    finally:
        ready.set()
        conn.close()
        with lock:
            stats["pubsub_received"] = received


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", default=os.path.join(ROOT, "build", "release", "src",
                                                     "gannet-server"),
                    help="server binary (gannet-server, or redis-server for a reference run)")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--keys", type=int, default=2000, help="keys per data type")
    ap.add_argument("--batch", type=int, default=100, help="commands per pipelined batch")
    ap.add_argument("--sample-every", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=0.3,
                    help="fraction of the run before the steady-state reference sample")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    server = harness.Server(binary=args.server)
    server.start()
    stop = threading.Event()
    lock = threading.Lock()
    stats = {"ops": 0, "errors": [], "pubsub_received": 0}
    samples = []
    try:
        pid = server.pid()
        probe = Conn(server.port)
        ready = threading.Event()
        sub = threading.Thread(target=subscriber, args=(server.port, stop, stats, lock, ready))
        sub.start()
        ready.wait(10)
        workers = [threading.Thread(target=worker,
                                    args=(server.port, args.seed * 1000 + i, args, stop,
                                          stats, lock))
                   for i in range(args.threads)]
        start = time.monotonic()
        for w in workers:
            w.start()
        print(f"soak: {os.path.basename(args.server)} pid {pid}, {args.threads} threads, "
              f"{args.keys} keys per type, {args.seconds:.0f} s")
        print(f"{'t(s)':>6} {'rss MB':>8} {'used MB':>8} {'dataset MB':>10} {'keys':>8} "
              f"{'cmds/s':>8}")
        last_cmds, last_t = None, start
        while time.monotonic() - start < args.seconds:
            time.sleep(min(args.sample_every, max(0.0, args.seconds - (time.monotonic() - start))))
            mem = info_fields(probe, "memory")
            st = info_fields(probe, "stats")
            now = time.monotonic()
            cmds = int(st.get("total_commands_processed", 0))
            rate = (cmds - last_cmds) / (now - last_t) if last_cmds is not None else 0
            last_cmds, last_t = cmds, now
            s = {
                "t": now - start,
                "rss": rss_kb(pid) * 1024,
                "used": int(mem.get("used_memory", 0)),
                "dataset": int(mem.get("used_memory_dataset", 0)),
                "keys": probe.call("DBSIZE"),
                "rate": rate,
            }
            samples.append(s)
            print(f"{s['t']:6.0f} {s['rss'] / 2**20:8.1f} {s['used'] / 2**20:8.1f} "
                  f"{s['dataset'] / 2**20:10.1f} {s['keys']:8d} {rate:8.0f}", flush=True)
        stop.set()
        for w in workers:
            w.join(60)
        sub.join(10)
        elapsed = time.monotonic() - start
        probe.close()
        alive = server.alive()
    finally:
        stop.set()
        code = server.stop()

    errors = stats["errors"]
    print(f"\noperations: {stats['ops']} in {elapsed:.0f} s ({stats['ops'] / elapsed:.0f}/s "
          f"from the clients), pub/sub messages received: {stats['pubsub_received']}")
    print(f"error replies: {len(errors)}")
    for cmd, msg in errors[:20]:
        print(f"  {cmd}: {msg}")
    ok = not errors and alive and code in (0, None) and stats["pubsub_received"] > 0
    if len(samples) >= 2:
        warm_idx = min(len(samples) - 1, max(0, int(len(samples) * args.warmup) - 1))
        warm, end = samples[warm_idx], samples[-1]
        peak_rss = max(s["rss"] for s in samples[warm_idx:])
        rss_growth = end["rss"] - warm["rss"]
        used_growth = end["used"] - warm["used"]
        slack = 0.05 * warm["rss"] + 8 * 2**20
        grew = rss_growth > max(used_growth, 0) + slack
        print(f"steady state from t={warm['t']:.0f} s: RSS {warm['rss'] / 2**20:.1f} -> "
              f"{end['rss'] / 2**20:.1f} MB (peak {peak_rss / 2**20:.1f}), used_memory "
              f"{warm['used'] / 2**20:.1f} -> {end['used'] / 2**20:.1f} MB, dataset "
              f"{warm['dataset'] / 2**20:.1f} -> {end['dataset'] / 2**20:.1f} MB, keys "
              f"{warm['keys']} -> {end['keys']}")
        print(f"RSS grew beyond the dataset: {'YES' if grew else 'no'} (RSS growth "
              f"{rss_growth / 2**20:+.1f} MB, used_memory growth {used_growth / 2**20:+.1f} MB, "
              f"allowed slack {slack / 2**20:.1f} MB)")
        ok = ok and not grew
    print(f"server exit code {code}; result: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
