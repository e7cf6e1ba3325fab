#!/usr/bin/env python3
"""AOF cost, side by side: redis-benchmark SET at -P 16 (50 clients, random keys) against

  gannet            appendonly no
  gannet+aof        appendonly yes, appendfsync everysec
  redis             appendonly no
  redis+aof         appendonly yes, appendfsync everysec

each in a fresh data directory, in alternating rounds (A B C D A B C D ...). Servers are
pinned to core 1 and redis-benchmark to core 0 when taskset exists. Prints, per
configuration, the median ops/s and server CPU microseconds per request (utime+stime of the
whole process, so fsync threads count) and the two ratios the issue asks about:

  throughput gannet+aof / gannet      (target >= 0.9)
  CPU per request gannet+aof / redis+aof  (target <= 0.8)

Usage: bench/aof_bench.py [--rounds 3] [--requests 1000000] [--gannet PATH] [--redis PATH]
Keep runs short on a shared machine. Python stdlib only.
"""

import argparse
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "pyharness"))
import harness  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def cpu_pin(core):
    if os.cpu_count() and os.cpu_count() > 1 and shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


def run_one(binary, aof, requests):
    data = tempfile.mkdtemp(prefix="aof-bench-")
    args = ["--dir", data, "--save", ""]
    if aof:
        args += ["--appendonly", "yes", "--appendfsync", "everysec"]
    server = harness.Server(binary=binary, prefix=cpu_pin(1), args=args).start()
    try:
        pid = server.pid()  # taskset execs the server: the same pid
        before = cpu_ticks(pid)
        out = subprocess.run(
            cpu_pin(0) + ["redis-benchmark", "-p", str(server.port), "-t", "set", "-P", "16",
                          "-c", "50", "-n", str(requests), "-r", "1000000", "--csv"],
            capture_output=True, text=True, timeout=600, check=True).stdout
        used = cpu_ticks(pid) - before
        rows = list(csv.DictReader(io.StringIO(out)))
        rps = float(rows[0]["rps"])
        cpu_us = used * 1e6 / CLK_TCK / requests
        aof_size = 0
        if aof:
            d = os.path.join(data, "appendonlydir")
            aof_size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        return rps, cpu_us, aof_size
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--gannet", default=None)
    ap.add_argument("--redis", default=None)
    a = ap.parse_args()
    gannet = a.gannet or harness.gannet_binary()
    redis = a.redis or harness.redis_binary()
    configs = [("gannet", gannet, False), ("gannet+aof", gannet, True),
               ("redis", redis, False), ("redis+aof", redis, True)]
    results = {name: [] for name, _, _ in configs}
    for r in range(a.rounds):
        for name, binary, aof in configs:
            rps, cpu, size = run_one(binary, aof, a.requests)
            results[name].append((rps, cpu))
            print(f"round {r + 1} {name:11s} {rps:12.0f} ops/s  {cpu:6.3f} us CPU/req"
                  + (f"  aof {size / 1e6:.1f} MB" if aof else ""), flush=True)
    med = {n: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
           for n, v in results.items()}
    print("\nmedian over %d rounds, SET -P 16 -c 50, %d requests" % (a.rounds, a.requests))
    for n, (rps, cpu) in med.items():
        print(f"  {n:11s} {rps:12.0f} ops/s  {cpu:6.3f} us CPU/req")
    print("throughput gannet+aof / gannet       = %.3f (target >= 0.9)"
          % (med["gannet+aof"][0] / med["gannet"][0]))
    print("throughput redis+aof / redis         = %.3f (for reference)"
          % (med["redis+aof"][0] / med["redis"][0]))
    print("CPU/request gannet+aof / redis+aof   = %.3f (target <= 0.8)"
          % (med["gannet+aof"][1] / med["redis+aof"][1]))


if __name__ == "__main__":
    main()
