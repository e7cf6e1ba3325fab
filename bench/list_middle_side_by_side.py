#!/usr/bin/env python3
"""Reads and writes inside one big list, gannet-server against redis-server, side by side.

Loads one list of 1,000,000 items "item:0".."item:999999" (RPUSH through redis-cli --pipe)
into each server, then runs redis-benchmark with a fixed command against each in turn, A B
A B, for --rounds rounds: LINDEX and LRANGE of 100 from the middle, and LSET in the middle.
These touch the list's interior nodes, which Gannet keeps front-coded at the default
list-compress-depth 0 (see include/gannet/engine/list_object.h) and Redis keeps as plain
listpacks. Prints, per command, the median server CPU time per request and ops/s with the
ratio gannet/redis. Servers on core 1, redis-benchmark on core 0, as bench/side_by_side.py.

  python3 bench/list_middle_side_by_side.py [--gannet build/release/src/gannet-server]

Python stdlib only.
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402  (server start, CPU pinning and /proc counters)
from side_by_side import harness  # noqa: E402

ITEMS = 1_000_000
COMMANDS = {
    "LINDEX": ["LINDEX", "biglist", "500000"],
    "LRANGE_100": ["LRANGE", "biglist", "400000", "400099"],
    "LSET": ["LSET", "biglist", "300000", "item:changed"],
}


def load_list(server):
    batch = 100
    chunks = []
    for start in range(0, ITEMS, batch):
        items = [f"item:{i}".encode() for i in range(start, start + batch)]
        chunks.append(b"*%d\r\n$5\r\nRPUSH\r\n$7\r\nbiglist\r\n" % (batch + 2))
        chunks.extend(b"$%d\r\n%s\r\n" % (len(s), s) for s in items)
    proc = subprocess.run(side_by_side.cpu_pin(0) + ["redis-cli", "-h", harness.HOST, "-p",
                                                     str(server.port), "--pipe"],
                          input=b"".join(chunks), capture_output=True, timeout=600)
    out = proc.stdout.decode()
    if proc.returncode != 0 or f"errors: 0, replies: {ITEMS // batch}" not in out:
        raise RuntimeError(f"redis-cli --pipe failed:\n{out}")


def run_command(server, argv, requests, clients, pipeline):
    cmd = side_by_side.cpu_pin(0) + ["redis-benchmark", "-h", harness.HOST, "-p",
                                     str(server.port), "-n", str(requests), "-c", str(clients),
                                     "-P", str(pipeline), "--csv"] + argv
    pid = server.pid()
    before = side_by_side.cpu_ticks(pid)
    out = subprocess.run(cmd, capture_output=True, check=True, timeout=600).stdout.decode()
    after = side_by_side.cpu_ticks(pid)
    rows = list(csv.DictReader(io.StringIO(out)))
    if not rows:
        raise RuntimeError(f"unexpected redis-benchmark output:\n{out}")
    return {"ops": float(rows[-1]["rps"]),
            "cpu_us": (after - before) * 1e6 / side_by_side.CLK_TCK / requests}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gannet", default=os.path.join(os.path.dirname(HERE), "build", "release",
                                                     "src", "gannet-server"))
    ap.add_argument("--redis", default="redis-server")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pipeline", type=int, default=16)
    args = ap.parse_args()
    binaries = {"gannet": os.path.abspath(args.gannet), "redis": args.redis}
    results = {}  # (command, server) -> [runs]
    for _ in range(args.rounds):
        for name, binary in binaries.items():
            server = side_by_side.start(binary, ["--save", "", "--appendonly", "no"])
            try:
                load_list(server)
                for command, argv in COMMANDS.items():
                    results.setdefault((command, name), []).append(
                        run_command(server, argv, args.requests, args.clients, args.pipeline))
            finally:
                server.stop()
    print(f"one list of {ITEMS:,} items; -P {args.pipeline}, {args.clients} clients, "
          f"{args.rounds} rounds (medians); cpu = server CPU microseconds per request")
    print(f"{'command':<12}{'g ops/s':>11}{'r ops/s':>11}{'ratio':>7}"
          f"{'g cpu':>8}{'r cpu':>8}{'ratio':>7}")
    for command in COMMANDS:
        med = {name: {k: statistics.median(run[k] for run in results[(command, name)])
                      for k in ("ops", "cpu_us")} for name in binaries}
        g, r = med["gannet"], med["redis"]
        print(f"{command:<12}{g['ops']:>11.0f}{r['ops']:>11.0f}"
              f"{side_by_side.ratio(g['ops'], r['ops']):>7}{g['cpu_us']:>8.2f}"
              f"{r['cpu_us']:>8.2f}{side_by_side.ratio(g['cpu_us'], r['cpu_us']):>7}")


if __name__ == "__main__":
    main()
