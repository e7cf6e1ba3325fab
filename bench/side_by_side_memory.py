#!/usr/bin/env python3
"""Per-type memory, side by side: the same data loaded into gannet-server and redis-server.

For each workload, each server is started fresh (one after the other, same settings), the
workload's commands are streamed to it with `redis-cli --pipe`, and the growth of INFO's
used_memory (the allocator's count of live bytes) and of the process RSS are measured; the
ratio gannet/redis is printed per workload, with OBJECT ENCODING of one sample key on each
server so that the encodings compared are the same ones.

The workloads cover every encoding of every collection type. The issue 3 targets are:
  hash_small (a), zset_big (b), set_big_int (c), list_big (d): RSS at most 0.9x Redis's.

Run it through side_by_side.py:
  bench/side_by_side.sh --types all [--gannet build/release/src/gannet-server]
  bench/side_by_side.sh --types hash_small,zset_big --scale 0.1
or directly: python3 bench/side_by_side_memory.py --types all.
Server settings for both servers: --config list-compress-depth=1 (repeatable), e.g.
  python3 bench/side_by_side_memory.py --types list_big --config list-compress-depth=1

Memory does not depend on machine load, so this runs fine on a busy machine. Python stdlib.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "pyharness"))
import harness  # noqa: E402


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def batched(cmd, key, items, per):
    """One command per `per` items: cmd key item... (items are tuples of arguments)."""
    for first in range(0, len(items), per):
        args = [cmd, key]
        for it in items[first:first + per]:
            args.extend(it)
        yield resp(*args)


def hash_small(n):
    # A session store: 10 short fields per hash (listpack in both servers).
    names = ["user_id", "name", "email", "role", "ip", "agent", "created", "seen", "csrf",
             "flags"]
    for i in range(n):
        args = ["HSET", f"session:{i}"]
        for j, f in enumerate(names):
            args += [f, f"v{(i * 7 + j) % 100000:05d}x"]
        yield resp(*args)


def hash_big(n):
    items = [(f"field:{i}", f"value:{i}") for i in range(n)]
    yield from batched("HSET", "bighash", items, 100)


def hash_medium(n):
    # 1,000-field hashes: hashtable in both (past hash-max-listpack-entries 128).
    per = 1000
    for k in range(max(1, n // per)):
        items = [(f"f{i}", f"val{i}") for i in range(per)]
        yield from batched("HSET", f"hash:{k}", items, 100)


def list_small(n):
    for i in range(n):
        yield resp("RPUSH", f"list:{i}", *[f"item:{i}:{j}" for j in range(10)])


def list_big(n):
    items = [(f"item:{i}",) for i in range(n)]
    yield from batched("RPUSH", "biglist", items, 100)


def intset_small(n):
    for i in range(n):
        yield resp("SADD", f"ints:{i}", *[str(i * 10 + j) for j in range(10)])


def set_small(n):
    for i in range(n):
        yield resp("SADD", f"set:{i}", *[f"m:{i}:{j}" for j in range(10)])


def set_big(n):
    items = [(f"member:{i}",) for i in range(n)]
    yield from batched("SADD", "bigset", items, 100)


def set_big_int(n):
    items = [(str(i * 3 + 1000000),) for i in range(n)]
    yield from batched("SADD", "bigintset", items, 100)


def zset_small(n):
    for i in range(n):
        args = ["ZADD", f"board:{i}"]
        for j in range(10):
            args += [str((i * 31 + j * 17) % 1000), f"player:{j}"]
        yield resp(*args)


def zset_big(n):
    # Scores spread like a leaderboard's (integers with collisions) and members short.
    items = [(str((i * 2654435761) % 1000003), f"member:{i}") for i in range(n)]
    yield from batched("ZADD", "bigzset", items, 100)


def stream_big(n):
    # Explicit ids (5 entries per millisecond) so that both servers hold the same ids.
    base = 1700000000000
    for i in range(n):
        yield resp("XADD", "bigstream", f"{base + i // 5}-{i % 5}", "sensor", f"s{i % 50}",
                   "value", str((i * 37) % 10000))


def stream_small(n):
    base = 1700000000000
    for k in range(n):
        for j in range(10):
            yield resp("XADD", f"stream:{k}", f"{base + j}-0", "event", "click", "n", str(j))


WORKLOADS = {
    # name: (description, generator, size at scale 1, sample key)
    "hash_small": ("100k hashes x 10 short fields (listpack)", hash_small, 100000, "session:0"),
    "hash_medium": ("1k hashes x 1,000 fields (hashtable)", hash_medium, 1000000, "hash:0"),
    "hash_big": ("1 hash x 1M short fields (hashtable)", hash_big, 1000000, "bighash"),
    "list_small": ("100k lists x 10 items (listpack/quicklist)", list_small, 100000, "list:0"),
    "list_big": ("1 list x 1M short items (quicklist)", list_big, 1000000, "biglist"),
    "intset_small": ("100k sets x 10 integers (intset)", intset_small, 100000, "ints:0"),
    "set_small": ("100k sets x 10 strings (hashtable)", set_small, 100000, "set:0"),
    "set_big": ("1 set x 1M strings (hashtable)", set_big, 1000000, "bigset"),
    "set_big_int": ("1 set x 1M integers (hashtable)", set_big_int, 1000000, "bigintset"),
    "zset_small": ("100k zsets x 10 members (listpack)", zset_small, 100000, "board:0"),
    "zset_big": ("1 zset x 1M members (skiplist)", zset_big, 1000000, "bigzset"),
    "stream_big": ("1 stream x 500k entries (stream)", stream_big, 500000, "bigstream"),
    "stream_small": ("10k streams x 10 entries (stream)", stream_small, 10000, "stream:0"),
}
ISSUE_TARGETS = {"hash_small": "(a)", "zset_big": "(b)", "set_big_int": "(c)", "list_big": "(d)"}


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def used_memory(client):
    info = client.call("INFO", "memory")
    if isinstance(info, bytes):
        info = info.decode()
    for line in str(info).splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise RuntimeError("no used_memory in INFO memory")


def settle(server):
    """used_memory and RSS once the numbers have stopped moving (gannet refreshes its
    allocator statistics every 100 ms; both servers may still be freeing buffers)."""
    last = None
    for _ in range(20):
        time.sleep(0.3)
        with server.client(timeout=60) as c:
            now = (used_memory(c), rss_bytes(server.pid()))
        if last is not None and abs(now[0] - last[0]) < 4096:
            return now
        last = now
    return last


def pipe_file(server, path, expected_replies):
    with open(path, "rb") as f:
        proc = subprocess.run(["redis-cli", "-h", harness.HOST, "-p", str(server.port), "--pipe"],
                              stdin=f, capture_output=True, timeout=1800)
    out = (proc.stdout + proc.stderr).decode()
    if proc.returncode != 0 or f"errors: 0, replies: {expected_replies}" not in out:
        raise RuntimeError(f"redis-cli --pipe failed:\n{out}")


def measure(name, binary, path, commands, sample, extra_args):
    with harness.Server(binary=binary, args=extra_args) as s:
        with s.client() as c:
            c.call("PING")
        empty_used, empty_rss = settle(s)
        t0 = time.monotonic()
        pipe_file(s, path, commands)
        load_s = time.monotonic() - t0
        used, rss = settle(s)
        with s.client() as c:
            enc = c.call("OBJECT", "ENCODING", sample)
            keys = c.call("DBSIZE")
        if isinstance(enc, bytes):
            enc = enc.decode()
        return {"used": used - empty_used, "rss": rss - empty_rss, "rss_total": rss,
                "enc": str(enc), "keys": keys, "load_s": load_s}


def run(args):
    args.gannet = os.path.abspath(args.gannet)  # the servers run in their own work dirs
    names = list(WORKLOADS) if args.types == ["all"] else args.types
    for n in names:
        if n not in WORKLOADS:
            sys.exit(f"unknown workload {n}; known: {', '.join(WORKLOADS)}")
    rows = []
    tmpdir = tempfile.mkdtemp(prefix="gannet-mem-")
    try:
        for name in names:
            desc, gen, size, sample = WORKLOADS[name]
            size = max(1, int(size * args.scale))
            path = os.path.join(tmpdir, name + ".resp")
            commands = 0
            with open(path, "wb") as f:
                for chunk in gen(size):
                    f.write(chunk)
                    commands += 1
            res = {}
            extra = []
            for item in getattr(args, "server_config", None) or []:
                setting, _, value = item.partition("=")
                extra += ["--" + setting, value]
            for server, binary in (("gannet", args.gannet), ("redis", args.redis)):
                res[server] = measure(server, binary, path, commands, sample, extra)
                r = res[server]
                print(f"{name:<13} {server:<6} used +{r['used'] / 2**20:8.2f} MiB  "
                      f"rss +{r['rss'] / 2**20:8.2f} MiB  {r['enc']:<10} keys {r['keys']}  "
                      f"load {r['load_s']:.1f} s", file=sys.stderr, flush=True)
            os.unlink(path)
            if res["gannet"]["keys"] != res["redis"]["keys"]:
                raise RuntimeError(f"{name}: DBSIZE differs: {res}")
            rows.append((name, desc, size, res))
    finally:
        harness.shutil.rmtree(tmpdir, ignore_errors=True)

    def ratio(a, b):
        return f"{a / b:.2f}" if b > 0 else "-"

    print(f"\nMemory growth after loading the same data (scale {args.scale}); "
          f"ratio = gannet / redis; issue 3 targets: RSS ratio <= 0.90 for (a)-(d)")
    if getattr(args, "server_config", None):
        print("both servers run with: " + " ".join(args.server_config))
    header = (f"{'workload':<14}{'g used MiB':>11}{'r used MiB':>11}{'ratio':>7}"
              f"{'g rss MiB':>11}{'r rss MiB':>11}{'ratio':>7}  {'encoding g/r':<22}{'target':<6}")
    print(header)
    print("-" * len(header))
    for name, desc, size, res in rows:
        g, r = res["gannet"], res["redis"]
        print(f"{name:<14}{g['used'] / 2**20:>11.2f}{r['used'] / 2**20:>11.2f}"
              f"{ratio(g['used'], r['used']):>7}{g['rss'] / 2**20:>11.2f}"
              f"{r['rss'] / 2**20:>11.2f}{ratio(g['rss'], r['rss']):>7}  "
              f"{g['enc'] + '/' + r['enc']:<22}{ISSUE_TARGETS.get(name, ''):<6}")
    print("used = growth of INFO used_memory; rss = growth of VmRSS; both from an empty server")
    for name, desc, size, res in rows:
        print(f"  {name}: {desc}" + ("" if args.scale == 1 else f" (scaled: {size})"))


def add_arguments(ap):
    ap.add_argument("--types", type=lambda v: [t.strip().lower() for t in v.split(",")],
                    default=None, help="per-type memory comparison: comma-separated workloads "
                    f"or 'all' ({', '.join(WORKLOADS)})")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="with --types: multiply every workload's size (default 1.0)")
    ap.add_argument("--config", dest="server_config", action="append", default=[],
                    metavar="NAME=VALUE", help="with --types: a setting passed to both servers "
                    "(repeatable), e.g. list-compress-depth=1")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gannet", default=os.path.join(REPO, "build", "release", "src",
                                                     "gannet-server"))
    ap.add_argument("--redis", default=None)
    add_arguments(ap)
    args = ap.parse_args()
    args.types = args.types or ["all"]
    args.redis = args.redis or harness.redis_binary()
    run(args)


if __name__ == "__main__":
    main()
