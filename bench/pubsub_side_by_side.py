#!/usr/bin/env python3
"""PUBLISH fan-out side by side: gannet-server and redis-server, each with S subscribers of
one channel, a publisher sending N pipelined PUBLISHes. Reports, per server, publishes per
second as the publisher sees them (all replies read) and until every subscriber has every
message (all frames read), plus /proc/loadavg: the machine is shared, so rounds alternate
between the servers and the best round of each is compared.

The subscribers are drained by a separate process (selectors, 64 KiB reads), so the
servers' output buffers stay small; if that reader cannot keep up, both servers are held
to its pace and the ratio says little: the "delivered" column shows that.

  bench/pubsub_side_by_side.py --gannet build/rel/src/gannet-server \
      [--redis redis-server] [--subscribers 1000] [--publishes 3000] [--rounds 3] \
      [--payload 16] [--callgrind]

--callgrind runs each server under valgrind's callgrind instead and reports the user-space
instructions (Ir) it spent per PUBLISH, fan-out included, counted from when every
subscriber is ready until every message was read: a figure that does not move with the
machine's load (kernel time, mostly the one write per subscriber, is not in it). Use fewer
publishes there (callgrind is ~50x slower): --publishes 300.
"""

import argparse
import glob
import multiprocessing
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def start(binary, port, wrapper=()):
    args = list(wrapper) + [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    if os.path.basename(binary).startswith("redis"):
        args += ["--appendonly", "no", "--daemonize", "no"]
    # Subscribers are drained continuously; the default pubsub limit stays in force.
    proc = subprocess.Popen(args + ["--maxclients", "4000"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + (120 if wrapper else 20)
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("%s did not start" % binary)


def drain(port, subscribers, channel, expected, ready, done):
    """Subscriber process: subscribes, signals ready, then reads until `expected` bytes of
    messages arrived (or 120 s passed); puts (bytes read, seconds since first byte)."""
    socks = []
    confirm = len(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel))
    for _ in range(subscribers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(encode("SUBSCRIBE", channel))
        socks.append(s)
    for s in socks:
        got = b""
        while len(got) < confirm:
            got += s.recv(confirm - len(got))
        s.setblocking(False)
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    ready.set()
    total = 0
    first = None
    deadline = time.time() + 120
    while total < expected and time.time() < deadline:
        for key, _ in sel.select(timeout=1.0):
            try:
                data = key.fileobj.recv(1 << 16)
            except BlockingIOError:
                continue
            if not data:
                sel.unregister(key.fileobj)
                continue
            if first is None:
                first = time.perf_counter()
            total += len(data)
    end = time.perf_counter()
    done.put((total, end - (first or end), end))
    for s in socks:
        s.close()


def cpu_seconds(pid):
    """User + system CPU time of a process so far (/proc/PID/stat, clock ticks)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dump_ir(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise RuntimeError("no totals in %s" % path)


def one_round(binary, subscribers, publishes, payload, depth=50, callgrind=False):
    port = free_port()
    cg_dir = tempfile.mkdtemp(prefix="pubsub_cg.") if callgrind else None
    wrapper = ()
    if callgrind:
        wrapper = ("valgrind", "--tool=callgrind", "--dump-instr=no", "--collect-systime=no",
                   "--callgrind-out-file=%s/cg.%%p" % cg_dir)
    proc = start(binary, port, wrapper)
    try:
        channel = b"bench"
        frame = len(encode("message", channel, payload))
        expected = frame * subscribers * publishes
        ready, done = multiprocessing.Event(), multiprocessing.Queue()
        reader = multiprocessing.Process(target=drain, args=(port, subscribers, channel,
                                                             expected, ready, done))
        reader.start()
        if not ready.wait(60):
            raise RuntimeError("subscribers did not get ready")
        pub = socket.create_connection(("127.0.0.1", port))
        req = encode("PUBLISH", channel, payload)
        reply = b":%d\r\n" % subscribers
        if callgrind:
            subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.perf_counter()
        sent = 0
        buf = b""
        acked = 0
        while acked < publishes:
            n = min(depth, publishes - sent)
            if n > 0 and sent - acked < depth * 2:
                pub.sendall(req * n)
                sent += n
            buf += pub.recv(1 << 16)
            k = len(buf) // len(reply)
            if buf[:k * len(reply)] != reply * k:
                raise RuntimeError("unexpected PUBLISH reply: %r" % buf[:80])
            buf = buf[k * len(reply):]
            acked += k
        t_pub = time.perf_counter() - t0
        total, _, t_end = done.get(timeout=180)
        cpu = cpu_seconds(proc.pid) - cpu0
        ir = None
        if callgrind:
            subprocess.run(["callgrind_control", "-d", "publish", str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
            dumps = sorted(glob.glob(cg_dir + "/cg.*.*"), key=os.path.getmtime)
            ir = dump_ir(dumps[-1]) / publishes
        reader.join(30)
        pub.close()
        return {"ir_per_publish": ir,
                "publish_per_s": publishes / t_pub,
                "all_delivered_per_s": publishes / (t_end - t0),
                "delivered": total / expected,
                "server_cpu_us_per_publish": cpu * 1e6 / publishes}
    finally:
        proc.terminate()
        proc.wait(60)
        if cg_dir:
            for f in glob.glob(cg_dir + "/*"):
                os.unlink(f)
            os.rmdir(cg_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gannet", required=True)
    ap.add_argument("--redis", default="redis-server")
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--publishes", type=int, default=3000)
    ap.add_argument("--payload", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()
    payload = b"x" * a.payload
    if a.callgrind:
        ir = {}
        for name, binary in (("gannet", a.gannet), ("redis", a.redis)):
            res = one_round(binary, a.subscribers, a.publishes, payload, callgrind=True)
            ir[name] = res["ir_per_publish"]
            print("%-6s Ir per PUBLISH %10.0f  (per subscriber %.1f)  delivered %.3f"
                  % (name, ir[name], ir[name] / a.subscribers, res["delivered"]), flush=True)
        print("gannet/redis Ir per publish %.3f (%d subscribers, %d-byte payload)"
              % (ir["gannet"] / ir["redis"], a.subscribers, a.payload))
        return 0
    best = {}
    cpu = {}
    for r in range(a.rounds):
        for name, binary in (("gannet", a.gannet), ("redis", a.redis)):
            with open("/proc/loadavg") as f:
                load = f.read().split()[:3]
            res = one_round(binary, a.subscribers, a.publishes, payload)
            print("round %d %-6s publish/s %7.0f  all-delivered/s %7.0f  delivered %.3f  "
                  "server CPU us/publish %6.1f  loadavg %s"
                  % (r + 1, name, res["publish_per_s"], res["all_delivered_per_s"],
                     res["delivered"], res["server_cpu_us_per_publish"], " ".join(load)),
                  flush=True)
            cpu.setdefault(name, []).append(res["server_cpu_us_per_publish"])
            if name not in best or res["all_delivered_per_s"] > best[name]["all_delivered_per_s"]:
                best[name] = res
    g, r = best["gannet"], best["redis"]
    print("best: gannet/redis publish/s %.2f, all-delivered/s %.2f (%d subscribers, %d-byte "
          "payload)" % (g["publish_per_s"] / r["publish_per_s"],
                        g["all_delivered_per_s"] / r["all_delivered_per_s"], a.subscribers,
                        a.payload))
    # CPU time the server spent per PUBLISH (fan-out included) depends less on the load.
    g_cpu, r_cpu = min(cpu["gannet"]), min(cpu["redis"])
    print("best server CPU per publish: gannet %.1f us, redis %.1f us (redis/gannet %.2f)"
          % (g_cpu, r_cpu, r_cpu / g_cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
