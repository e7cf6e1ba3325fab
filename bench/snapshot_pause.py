#!/usr/bin/env python3
"""Snapshots side by side: gannet-server against redis-server 7.0 on the same dataset.

For each server (A B A B ... over --rounds) it
  1. loads --keys keys of mixed types (60% strings of 100 bytes, 10% hashes, lists, sets and
     sorted sets of 10 elements each) through redis-cli --pipe,
  2. times SAVE (foreground),
  3. starts a continuous write load (redis-benchmark SET over the same string keys, -P 16)
     and, while it runs, a BGSAVE; a probe client sends PING one at a time and records the
     longest reply time from BGSAVE to the end of the snapshot (the longest client-visible
     pause, fork included); a sampler reads every 10 ms the parent's RSS and the child's
     private memory (/proc/<pid>/smaps_rollup), giving the peak extra memory the snapshot
     costs; the duration is BGSAVE until INFO says rdb_bgsave_in_progress:0,
  4. restarts the server on the file and reads the load time from the log ("DB loaded from
     disk: N seconds", which both servers print).
Then prints the medians and the ratios gannet/redis.

  python3 bench/snapshot_pause.py --gannet build/release/src/gannet-server [--keys 1000000]

Python stdlib only. Needs redis-server, redis-cli and redis-benchmark on PATH.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "pyharness"))
import harness  # noqa: E402


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def private_bytes(pid):
    """Memory only this process maps (Private_Clean + Private_Dirty): in a fork child, the
    pages copied because one side wrote them."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except OSError:
        pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def info(c, section):
    text = bytes(c.call("INFO", section)).decode()
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def write_dataset(path, keys):
    """A RESP file of `keys` keys of mixed types (strings use redis-benchmark's key names)."""
    def cmd(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    value = b"v" * 100
    n_str = keys * 6 // 10
    rest = (keys - n_str) // 4
    with open(path, "wb") as f:
        for i in range(n_str):
            f.write(cmd("SET", "key:%012d" % i, value))
        for i in range(rest):
            f.write(cmd("HSET", "hash:%d" % i, *[x for j in range(10) for x in ("f%d" % j, "val%d" % j)]))
            f.write(cmd("RPUSH", "list:%d" % i, *["item%d" % j for j in range(10)]))
            f.write(cmd("SADD", "set:%d" % i, *["member%d" % j for j in range(10)]))
            f.write(cmd("ZADD", "zset:%d" % i, *[x for j in range(10) for x in (j, "m%d" % j)]))
        extra = keys - n_str - 4 * rest
        for i in range(extra):
            f.write(cmd("SET", "extra:%d" % i, value))


def load(port, path):
    with open(path, "rb") as f:
        r = subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=f,
                           capture_output=True, timeout=1800)
    if r.returncode != 0 or b"errors: 0" not in r.stdout:
        raise RuntimeError("load failed: %r %r" % (r.stdout[-300:], r.stderr[-300:]))


def measure_bgsave(server, c, string_keys):
    pid = server.pid()
    base_rss = rss_bytes(pid)
    load_proc = subprocess.Popen(
        ["redis-benchmark", "-p", str(server.port), "-t", "set", "-r", str(string_keys),
         "-d", "100", "-P", "16", "-c", "4", "-n", "1000000000", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # the write load reaches its steady state
    stop = threading.Event()
    peak = [0]
    child_seen = [0]

    def sampler():
        while not stop.is_set():
            kids = [k for k in children(pid)]
            extra = rss_bytes(pid) - base_rss + sum(private_bytes(k) for k in kids)
            if kids:
                child_seen[0] += 1
            peak[0] = max(peak[0], extra)
            time.sleep(0.01)

    t = threading.Thread(target=sampler)
    t.start()
    probe = server.client()
    worst = 0.0
    try:
        start = time.perf_counter()
        c.send(harness.encode_command("BGSAVE"))
        # The probe runs while the BGSAVE reply is in flight: the fork itself is a pause.
        done = False
        bgsave_reply = None
        last_info = 0.0
        while not done:
            t0 = time.perf_counter()
            probe.call("PING")
            worst = max(worst, time.perf_counter() - t0)
            if bgsave_reply is None:
                bgsave_reply = c.read()
                if bgsave_reply != "Background saving started":
                    raise RuntimeError("BGSAVE: %r" % (bgsave_reply,))
            if time.perf_counter() - last_info > 0.05:
                last_info = time.perf_counter()
                done = info(c, "persistence")["rdb_bgsave_in_progress"] == "0"
            if time.perf_counter() - start > 600:
                raise RuntimeError("BGSAVE did not finish")
        duration = time.perf_counter() - start
        status = info(c, "persistence")["rdb_last_bgsave_status"]
    finally:
        stop.set()
        t.join()
        load_proc.terminate()
        load_proc.wait()
        probe.close()
    if status != "ok":
        raise RuntimeError("BGSAVE failed")
    return {"pause_ms": worst * 1000, "extra_mb": peak[0] / 2**20, "bgsave_s": duration}


def run_one(binary, dataset, keys, workdir):
    d = tempfile.mkdtemp(prefix="snapbench-", dir=workdir)
    try:
        args = ["--dir", d, "--save", ""]
        with harness.Server(binary=binary, args=args, start_timeout=120) as s:
            with s.client(timeout=600) as c:
                load(s.port, dataset)
                assert c.call("DBSIZE") == keys, c.call("DBSIZE")
                t0 = time.perf_counter()
                assert c.call("SAVE") == "OK"
                save_s = time.perf_counter() - t0
                res = measure_bgsave(s, c, keys * 6 // 10)
                res["save_s"] = save_s
                # How much of the pause the fork() call itself is (the page-table copy).
                res["fork_ms"] = int(info(c, "stats")["latest_fork_usec"]) / 1000
                res["rss_mb"] = rss_bytes(s.pid()) / 2**20
                res["file_mb"] = os.path.getsize(os.path.join(d, "dump.rdb")) / 2**20
        with harness.Server(binary=binary, args=args, start_timeout=600) as s:
            m = re.search(r"DB loaded from disk: ([0-9.]+) seconds", s.log())
            res["load_s"] = float(m.group(1)) if m else float("nan")
            with s.client() as c:
                assert c.call("DBSIZE") == keys
        return res
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gannet", default=os.environ.get("GANNET_SERVER"))
    ap.add_argument("--redis", default=shutil.which("redis-server"))
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    if not args.gannet:
        ap.error("--gannet PATH (or $GANNET_SERVER) is required")
    workdir = tempfile.mkdtemp(prefix="snapbench-")
    try:
        dataset = os.path.join(workdir, "dataset.resp")
        write_dataset(dataset, args.keys)
        results = {"gannet": [], "redis": []}
        for r in range(args.rounds):
            for name, binary in (("gannet", args.gannet), ("redis", args.redis)):
                res = run_one(binary, dataset, args.keys, workdir)
                # The pause is sensitive to other load on the machine (fork_ms much less so):
                # the 1-minute load average goes with each figure.
                print("round %d %-6s " % (r + 1, name) +
                      " ".join("%s=%.3f" % kv for kv in sorted(res.items())) +
                      " loadavg=%s" % loadavg(), flush=True)
                results[name].append(res)
        print("\nmedians over %d round(s), %d keys:" % (args.rounds, args.keys))
        fields = ["pause_ms", "fork_ms", "extra_mb", "bgsave_s", "save_s", "load_s", "rss_mb",
                  "file_mb"]
        print("%-10s %12s %12s %8s" % ("", "gannet", "redis", "ratio"))
        for f in fields:
            g = statistics.median(x[f] for x in results["gannet"])
            rd = statistics.median(x[f] for x in results["redis"])
            print("%-10s %12.3f %12.3f %8.2f" % (f, g, rd, g / rd if rd else float("nan")))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
