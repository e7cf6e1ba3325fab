#!/usr/bin/env python3
"""Side-by-side benchmark: gannet-server against a real redis-server with the same settings.

Throughput mode (default): for N rounds, runs redis-benchmark against each server in turn
(A B A B ...) for SET, GET, INCR and MSET at -P 1 and -P 16 with 50 clients and 1,000,000
random keys. The servers are pinned to core 1 and redis-benchmark to core 0. For each server
it prints the median over rounds of ops/s, p50 and p99 latency (from redis-benchmark --csv)
and the server's CPU time per request (utime+stime from /proc/<pid>/stat around each run),
and the ratio gannet/redis; then that CPU split into user and kernel time, the event loop's
sleeps in epoll_wait and the page faults per request, and redis-benchmark's own CPU per
request (at -P 1 it saturates its core, so that sets the throughput).

  --memory  loads 1,000,000 keys with 3-byte values into each server (redis-cli --pipe) and
            prints the RSS growth per key.
  --growth  inserts --growth-keys keys (default 10,000,000) with a pipelined loader while a
            probe client times one request at a time; prints the maximum and p99.9 latency.

See bench/README.md. Python stdlib only; run it with /usr/bin/python3 or any python3.
"""

import argparse
import csv
import io
import os
import resource
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "pyharness"))
import harness  # noqa: E402
import side_by_side_memory  # noqa: E402  (the per-type memory modes: --types)

CLK_TCK = os.sysconf("SC_CLK_TCK")
TESTS = ["SET", "GET", "INCR", "MSET"]


def cpu_ticks(pid):
    u, s, _ = proc_counters(pid)
    return u + s


def proc_counters(pid):
    """(utime, stime) in clock ticks of the whole process, and the minor page faults."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12]), int(fields[7])  # fields 14, 15 and 10


def context_switches(pid):
    """The event-loop (main) thread's voluntary context switches: how often it slept in
    epoll_wait."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return 0


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def cpu_pin(core):
    if os.cpu_count() and os.cpu_count() > 1 and harness.shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


def start(binary, args):
    return harness.Server(binary=binary, prefix=cpu_pin(1), args=args).start()


def run_benchmark(server, test, pipeline, requests, clients, keyspace):
    cmd = cpu_pin(0) + ["redis-benchmark", "-h", harness.HOST, "-p", str(server.port),
                        "-t", test.lower(), "-n", str(requests), "-c", str(clients),
                        "-r", str(keyspace), "-P", str(pipeline), "--csv"]
    pid = server.pid()
    before, vcs_before = proc_counters(pid), context_switches(pid)
    bench_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, check=True, timeout=600).stdout.decode()
    bench_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after, vcs_after = proc_counters(pid), context_switches(pid)
    bench_cpu = (bench_after.ru_utime + bench_after.ru_stime - bench_before.ru_utime -
                 bench_before.ru_stime)
    rows = list(csv.DictReader(io.StringIO(out)))
    if not rows:
        raise RuntimeError(f"unexpected redis-benchmark output:\n{out}")
    # lrange_* runs an LPUSH prefill first, in the same process: the last row is the test
    # itself, and the CPU per request then averages over every row's requests.
    row = rows[-1]
    total = requests * len(rows)
    utime, stime, faults = (a - b for a, b in zip(after, before))
    return {
        "ops": float(row["rps"]),
        "p50": float(row["p50_latency_ms"]),
        "p99": float(row["p99_latency_ms"]),
        "cpu_us": (utime + stime) * 1e6 / CLK_TCK / total,
        # The split of cpu_us, and what the kernel side costs: sleeps in epoll_wait (each a
        # wake-up) and page faults, per request.
        "usr_us": utime * 1e6 / CLK_TCK / total,
        "sys_us": stime * 1e6 / CLK_TCK / total,
        "sleeps": (vcs_after - vcs_before) / total,
        "faults": faults / total,
        # redis-benchmark's own CPU per request: at -P 1 it saturates its core, so how the
        # server's replies arrive (together or spread out) sets the throughput.
        "bench_us": bench_cpu * 1e6 / total,
        "bench_sleeps": (bench_after.ru_nvcsw - bench_before.ru_nvcsw) / total,
    }


def ratio(a, b):
    return f"{a / b:.2f}" if b else "-"


def throughput(args):
    names = ["gannet", "redis"]
    binaries = {"gannet": args.gannet, "redis": args.redis}
    results = {}  # (name, test, P) -> list of runs
    servers = {}
    try:
        for name in names:
            servers[name] = start(binaries[name], [])
        for rnd in range(args.rounds):
            for test in args.tests:
                for pipeline in args.pipelines:
                    n = args.requests * (16 if pipeline > 1 else 1) // (4 if test == "MSET" else 1)
                    # A B, then B A: each server in turn, and each as often first as
                    # second, so neither a slow drift nor a first-run effect favours one.
                    order = names if rnd % 2 == 0 else names[::-1]
                    for name in order:
                        r = run_benchmark(servers[name], test, pipeline, n, args.clients,
                                          args.keyspace)
                        results.setdefault((name, test, pipeline), []).append(r)
                        print(f"round {rnd + 1}/{args.rounds} {test:<4} -P {pipeline:<2} {name:<6} "
                              f"{r['ops']:>11.0f} ops/s  p50 {r['p50']:.3f} ms  "
                              f"p99 {r['p99']:.3f} ms  cpu {r['cpu_us']:.2f} us/req "
                              f"(usr {r['usr_us']:.2f} sys {r['sys_us']:.2f}) "
                              f"sleeps {r['sleeps']:.3f} faults {r['faults']:.4f} /req "
                              f"bench {r['bench_us']:.2f} us/req",
                              file=sys.stderr, flush=True)
    finally:
        for s in servers.values():
            s.stop()
            harness.shutil.rmtree(s.workdir, ignore_errors=True)

    print(f"\nMedian of {args.rounds} rounds; {args.clients} clients; -r {args.keyspace}; "
          f"servers on core 1, redis-benchmark on core 0.\nEach ratio is the median of the "
          f"rounds' own ratios (a round runs both servers back to back), which a drift of the "
          f"machine between rounds does not move")
    header = (f"{'test':<12}{'gannet ops/s':>14}{'redis ops/s':>13}{'ratio':>7}"
              f"{'g p50':>8}{'r p50':>8}{'ratio':>7}{'g p99':>8}{'r p99':>8}{'ratio':>7}"
              f"{'g cpu':>8}{'r cpu':>8}{'ratio':>7}")
    print(header)
    print("-" * len(header))

    def medians(test, pipeline):
        """Per server, the median of each figure over the rounds: (gannet, redis)."""
        med = {}
        for name in names:
            runs = results[(name, test, pipeline)]
            med[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        return med["gannet"], med["redis"]

    def round_ratios(test, pipeline, key):
        """Gannet / redis within each round, in round order."""
        pairs = zip(results[("gannet", test, pipeline)], results[("redis", test, pipeline)])
        return [g[key] / r[key] for g, r in pairs if r[key]]

    def paired(test, pipeline, key):
        ratios = round_ratios(test, pipeline, key)
        return f"{statistics.median(ratios):.2f}" if ratios else "-"

    for test in args.tests:
        for pipeline in args.pipelines:
            g, r = medians(test, pipeline)
            print(f"{test + ' -P ' + str(pipeline):<12}{g['ops']:>14.0f}{r['ops']:>13.0f}"
                  f"{paired(test, pipeline, 'ops'):>7}{g['p50']:>8.3f}{r['p50']:>8.3f}"
                  f"{paired(test, pipeline, 'p50'):>7}{g['p99']:>8.3f}{r['p99']:>8.3f}"
                  f"{paired(test, pipeline, 'p99'):>7}{g['cpu_us']:>8.2f}{r['cpu_us']:>8.2f}"
                  f"{paired(test, pipeline, 'cpu_us'):>7}")
    print("latencies in ms; cpu = server CPU microseconds per request")

    # The spread says how far one run can be trusted: two identical servers differ by
    # several percent from round to round on a shared machine.
    print(f"\n{'test':<12}{'ops ratio by round':>32}   {'cpu ratio by round':>32}")
    for test in args.tests:
        for pipeline in args.pipelines:
            ops = " ".join(f"{x:.2f}" for x in round_ratios(test, pipeline, "ops"))
            cpu = " ".join(f"{x:.2f}" for x in round_ratios(test, pipeline, "cpu_us"))
            print(f"{test + ' -P ' + str(pipeline):<12}{ops:>32}   {cpu:>32}")
    print(f"\n{'test':<12}{'g usr':>8}{'r usr':>8}{'ratio':>7}{'g sys':>8}{'r sys':>8}"
          f"{'ratio':>7}{'g sleeps':>10}{'r sleeps':>10}{'g faults':>10}{'r faults':>10}"
          f"{'g bench':>9}{'r bench':>9}")
    for test in args.tests:
        for pipeline in args.pipelines:
            g, r = medians(test, pipeline)
            print(f"{test + ' -P ' + str(pipeline):<12}{g['usr_us']:>8.2f}{r['usr_us']:>8.2f}"
                  f"{ratio(g['usr_us'], r['usr_us']):>7}{g['sys_us']:>8.2f}{r['sys_us']:>8.2f}"
                  f"{ratio(g['sys_us'], r['sys_us']):>7}{g['sleeps']:>10.3f}{r['sleeps']:>10.3f}"
                  f"{g['faults']:>10.4f}{r['faults']:>10.4f}"
                  f"{g['bench_us']:>9.2f}{r['bench_us']:>9.2f}")
    print("usr/sys = the split of cpu; sleeps = the event loop's voluntary context switches "
          "(waits in epoll_wait) per request; faults = minor page faults per request;\n"
          "bench = redis-benchmark's CPU microseconds per request. usr/sys come in clock ticks\n"
          f"(1/{CLK_TCK} s): below about 100000 requests per run they are coarse")


# A separate process writes the SET stream so that the loader never holds this process's GIL
# (the --growth probe thread runs here and must not be delayed by payload generation).
GENERATOR = r"""
import sys
count, chunk = int(sys.argv[1]), 100000
out = sys.stdout.buffer
for first in range(0, count, chunk):
    parts = []
    for i in range(first, min(first + chunk, count)):
        k = b"key:%d" % i
        parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nabc\r\n" % (len(k), k))
    out.write(b"".join(parts))
"""


def pipe_load(server, count):
    """Loads `count` keys key:0.. with 3-byte values through redis-cli --pipe."""
    gen = subprocess.Popen(cpu_pin(0) + [sys.executable, "-c", GENERATOR, str(count)],
                           stdout=subprocess.PIPE)
    proc = subprocess.Popen(cpu_pin(0) + ["redis-cli", "-h", harness.HOST, "-p",
                                          str(server.port), "--pipe"],
                            stdin=gen.stdout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    gen.stdout.close()
    out = proc.communicate()[0].decode()
    if gen.wait() != 0 or proc.returncode != 0 or f"errors: 0, replies: {count}" not in out:
        raise RuntimeError(f"redis-cli --pipe failed:\n{out}")


def memory(args):
    print(f"RSS per key after loading {args.memory_keys} keys with 3-byte values")
    per_key = {}
    for name, binary in (("gannet", args.gannet), ("redis", args.redis)):
        with harness.Server(binary=binary, prefix=cpu_pin(1)) as s:
            with s.client() as c:
                c.call("PING")
            time.sleep(0.5)
            empty = rss_bytes(s.pid())
            pipe_load(s, args.memory_keys)
            with s.client() as c:
                dbsize = c.call("DBSIZE")
            if dbsize != args.memory_keys:
                raise RuntimeError(f"{name}: DBSIZE {dbsize}")
            time.sleep(0.5)
            full = rss_bytes(s.pid())
            per_key[name] = (full - empty) / args.memory_keys
            print(f"  {name:<7} empty {empty / 2**20:8.1f} MiB  loaded {full / 2**20:8.1f} MiB  "
                  f"{per_key[name]:6.1f} bytes/key")
    print(f"  ratio gannet/redis {ratio(per_key['gannet'], per_key['redis'])}")


def growth(args):
    print(f"Latency of single requests while {args.growth_keys} keys are inserted (pipelined)")
    for name, binary in (("gannet", args.gannet), ("redis", args.redis)):
        with harness.Server(binary=binary, prefix=cpu_pin(1)) as s:
            samples = []
            stop = threading.Event()

            def probe():
                with s.client() as c:
                    i = 0
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        c.call("SET", f"probe:{i % 1000}", "x")
                        samples.append(time.perf_counter() - t0)
                        i += 1
                        time.sleep(0.0005)

            t = threading.Thread(target=probe)
            t.start()
            t0 = time.monotonic()
            try:
                pipe_load(s, args.growth_keys)
            finally:
                stop.set()
                t.join()
            samples.sort()
            worst = samples[-1] * 1000
            p999 = samples[int(len(samples) * 0.999)] * 1000
            over = sum(1 for x in samples if x > 0.010)
            print(f"  {name:<7} {time.monotonic() - t0:6.1f} s  {len(samples)} probes  "
                  f"p99.9 {p999:.2f} ms  max {worst:.2f} ms  above 10 ms: {over}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gannet", default=os.path.join(REPO, "build", "release", "src",
                                                     "gannet-server"))
    ap.add_argument("--redis", default=None, help="redis-server binary (default: PATH)")
    ap.add_argument("--tests", type=lambda v: [t.strip().upper() for t in v.split(",")],
                    default=TESTS, help="comma-separated redis-benchmark -t names "
                    "(default SET,GET,INCR,MSET; e.g. lpush,lpop,sadd,hset,zadd,lrange_100)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000,
                    help="requests per -P 1 run; -P 16 runs do 16x, MSET runs a quarter")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=1000000)
    ap.add_argument("--pipelines", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--memory", action="store_true", help="RSS per key instead of throughput")
    ap.add_argument("--memory-keys", type=int, default=1000000)
    ap.add_argument("--growth", action="store_true", help="max latency while the table grows")
    ap.add_argument("--growth-keys", type=int, default=10000000)
    side_by_side_memory.add_arguments(ap)
    args = ap.parse_args()
    args.redis = args.redis or harness.redis_binary()
    if not os.access(args.gannet, os.X_OK):
        sys.exit(f"{args.gannet} not found: build it with `cmake --preset release && "
                 f"cmake --build --preset release` or pass --gannet")
    if args.types:
        side_by_side_memory.run(args)
    elif args.memory:
        memory(args)
    elif args.growth:
        growth(args)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
