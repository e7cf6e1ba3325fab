"""Differential test of the list commands on compressed lists: gannet-server and redis-server
7.0 both run with list-compress-depth 1 (and small nodes, list-max-listpack-size 8, so a list
of a few hundred elements has dozens of interior, LZF-compressed nodes), and every reply must
be byte-identical, in RESP2. Lists are filled with compressible elements first; then seeded
random LPUSH/RPUSH/LPOP/RPOP/LINDEX/LSET/LINSERT/LREM/LTRIM/LRANGE/LPOS/LMOVE/LMPOP/BLPOP/
SORT/DUMP+RESTORE sequences run, with CONFIG SET list-compress-depth changing midway (a list
keeps the depth it was created with). Rerun one seed with GANNET_DIFF_SEED=<seed>.

MEMORY USAGE is not compared (the servers' allocations differ) but checked on gannet alone:
packed nodes count as packed. At depth 0 big lists of items that begin alike are front-coded
inside by Gannet (not by Redis); a test of its own runs the list commands across them.
"""

import os
import random
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair

ARGS = ["--list-compress-depth", "1", "--list-max-listpack-size", "8"]
KEYS = ["l1", "l2", "l3"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.lengths = {}

    def element(self):
        r = self.r
        return r.choice([
            lambda: f"element-{r.randint(0, 40):04d}-" + "x" * r.randint(0, 30),
            lambda: str(r.randint(-300, 300)),
            lambda: f"e{r.randint(0, 9)}",
            lambda: "y" * r.randint(40, 200),
        ])()

    def index(self):
        r = self.r
        return str(r.choice([r.randint(-400, 400), 0, -1, r.randint(0, 60)]))

    def command(self):
        r, k, e = self.r, lambda: self.r.choice(KEYS), self.element
        return r.choice([
            lambda: [r.choice(["LPUSH", "RPUSH"]), k()] + [e() for _ in range(r.randint(1, 40))],
            lambda: [r.choice(["LPUSHX", "RPUSHX"]), k(), e()],
            lambda: [r.choice(["LPOP", "RPOP"]), k()] + r.choice([[], [str(r.randint(0, 12))]]),
            lambda: ["LINDEX", k(), self.index()],
            lambda: ["LSET", k(), self.index(), e()],
            lambda: ["LINSERT", k(), r.choice(["BEFORE", "AFTER"]), e(), e()],
            lambda: ["LREM", k(), str(r.randint(-3, 3)), e()],
            lambda: ["LTRIM", k(), str(r.randint(0, 5)), str(r.randint(-6, -1))],
            lambda: ["LRANGE", k(), self.index(), self.index()],
            lambda: ["LRANGE", k(), "0", "-1"],
            lambda: ["LPOS", k(), e()] + r.choice([[], ["RANK", str(r.choice([1, 2, -1, -3]))],
                                                   ["COUNT", "0"], ["COUNT", "3", "MAXLEN", "50"],
                                                   ["RANK", "-2", "COUNT", "0"]]),
            lambda: ["LMOVE", k(), k(), r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT"])],
            lambda: ["RPOPLPUSH", k(), k()],
            lambda: ["LMPOP", "2", k(), k(), r.choice(["LEFT", "RIGHT"]), "COUNT",
                     str(r.randint(1, 5))],
            lambda: [r.choice(["BLPOP", "BRPOP"]), k(), k(), "0.01"],
            lambda: ["SORT", k(), "BY", "nosort", "LIMIT", str(r.randint(0, 50)), "20"],
            lambda: ["SORT", k(), "ALPHA", "LIMIT", "0", "30"],
            lambda: ["SORT", k(), "ALPHA", "STORE", k()],
            lambda: ["LLEN", k()],
            lambda: ["OBJECT", "ENCODING", k()],
        ])()


class ListCompressionDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair(ARGS).start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.p = Pair(self.servers.gannet, self.servers.redis)
        self.p.both("FLUSHALL")
        self.p.both("CONFIG", "SET", "list-compress-depth", "1")
        self.p.both("CONFIG", "SET", "list-max-listpack-size", "8")

    def tearDown(self):
        self.p.close()

    def fill(self, gen):
        for key in KEYS:
            for _ in range(8):
                self.p.check("RPUSH", key, *[gen.element() for _ in range(40)])

    def seeds(self):
        env = os.environ.get("GANNET_DIFF_SEED")
        return [int(env)] if env else [11, 12, 13]

    def test_random_commands_on_compressed_lists(self):
        for seed in self.seeds():
            gen = Gen(seed)
            self.p.both("FLUSHALL")
            self.p.both("CONFIG", "SET", "list-compress-depth", "1")
            self.fill(gen)
            for key in KEYS:
                self.p.check("DUMP", key)
            for step in range(1500):
                if step == 700:
                    # New lists from here on get depth 2; l1..l3 keep theirs unless re-created.
                    self.p.check("CONFIG", "SET", "list-compress-depth", "2")
                    self.p.check("DEL", "l3")
                    self.fill(gen)
                if step % 300 == 299:
                    # RESTORE of each server's own DUMP (payloads differ by node layout).
                    for key in KEYS:
                        for c in (self.p.g, self.p.r):
                            payload = c.call("DUMP", key)
                            if payload is not None:
                                c.call("RESTORE", key, "0", payload, "REPLACE")
                self.p.check(*gen.command())
            lengths = []
            for key in KEYS:
                self.p.check("LRANGE", key, "0", "-1")
                lengths.append(self.p.g.call("LLEN", key))
            # The lists stayed long enough to have compressed interior nodes throughout.
            self.assertGreater(min(lengths), 100, (seed, lengths))
            self.p.check_in_sync()
            if self.p.mismatches:
                self.fail(f"seed {seed}: " + self.p.report())

    def test_dump_of_pushed_lists(self):
        # Lists built by pushes have Redis's node layout, so their DUMP payloads must be
        # byte-identical: interior nodes as their in-memory LZF (made with the node's size
        # as room), end nodes as strings (LZF with size - 4 when liblzf manages).
        gen = Gen(5)
        for depth in ("1", "2"):
            for size in ("8", "-1", "-2"):
                self.p.both("FLUSHALL")
                self.p.both("CONFIG", "SET", "list-compress-depth", depth)
                self.p.both("CONFIG", "SET", "list-max-listpack-size", size)
                for key in KEYS:
                    for _ in range(12):
                        cmd = gen.r.choice(["RPUSH", "LPUSH"])
                        self.p.check(cmd, key, *[gen.element() for _ in range(40)])
                    self.p.check("DUMP", key)
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def test_front_coded_lists_at_depth_zero(self):
        # At depth 0 Gannet front-codes the nodes two or more from an end when their items
        # begin alike. Every command must still answer as Redis does, anywhere in the list,
        # and DUMP of a pushed list must be byte-identical (front-coded nodes go out as the
        # plain listpacks Redis keeps).
        r = random.Random(7)
        self.p.both("CONFIG", "SET", "list-compress-depth", "0")
        self.p.both("CONFIG", "SET", "list-max-listpack-size", "-2")
        keys = ["big1", "big2"]
        item = lambda: f"session:user:{r.randint(0, 99999):06d}"  # noqa: E731
        for key in keys:
            for start in range(0, 20000, 500):
                self.p.check("RPUSH", key, *[f"session:user:{i:06d}" for i in range(start, start + 500)])
            self.p.check("DUMP", key)
        # Gannet holds the list front-coded: well under its raw entries (21 bytes each).
        used = self.p.g.call("MEMORY", "USAGE", "big1", "SAMPLES", "0")
        self.assertLess(used, 20000 * 21 * 0.6)
        index = lambda: str(r.randint(-21000, 21000))  # noqa: E731
        for step in range(800):
            key, other = r.sample(keys, 2)
            cmd = r.choice([
                lambda: ["LINDEX", key, index()],
                lambda: ["LRANGE", key, index(), index()],
                lambda: ["LSET", key, str(r.randint(-15000, 15000)), item()],
                lambda: ["LINSERT", key, r.choice(["BEFORE", "AFTER"]), item(), item()],
                lambda: ["LREM", key, str(r.randint(-2, 2)), item()],
                lambda: ["LPOS", key, item(), "RANK", r.choice(["1", "-1", "2"])],
                lambda: [r.choice(["LPOP", "RPOP"]), key, str(r.randint(1, 60))],
                lambda: [r.choice(["LPUSH", "RPUSH"]), key] + [item() for _ in range(r.randint(1, 300))],
                lambda: ["LMOVE", key, other, r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT"])],
                lambda: ["LTRIM", key, str(r.randint(0, 40)), str(-r.randint(1, 40))],
                lambda: ["SORT", key, "BY", "nosort", "LIMIT", str(r.randint(0, 19000)), "40"],
                lambda: ["SORT", key, "BY", "nosort", "DESC", "LIMIT", str(r.randint(0, 19000)), "40"],
                lambda: ["LLEN", key],
            ])()
            self.p.check(*cmd)
            if step % 200 == 199:
                # RESTORE of each server's own DUMP (layouts may differ after LINSERT).
                for k in keys:
                    for c in (self.p.g, self.p.r):
                        c.call("RESTORE", k, "0", c.call("DUMP", k), "REPLACE")
        for key in keys:
            self.p.check("LRANGE", key, "0", "-1")
            self.assertGreater(self.p.g.call("LLEN", key), 5000)
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(self.p.report())

    def test_memory_usage_counts_compressed_nodes(self):
        items = [f"compressible-element-{i % 50:03d}" for i in range(2000)]
        g = self.p.g
        g.call("CONFIG", "SET", "list-compress-depth", "0")
        g.call("RPUSH", "flat", *items)
        g.call("CONFIG", "SET", "list-compress-depth", "1")
        g.call("RPUSH", "deep", *items)
        flat = g.call("MEMORY", "USAGE", "flat", "SAMPLES", "0")
        deep = g.call("MEMORY", "USAGE", "deep", "SAMPLES", "0")
        # The raw listpack entries alone: header byte, 25 bytes, back-length byte each.
        raw = len(items) * (1 + len(items[0]) + 1)
        # Packed interior nodes count as packed: LZF at depth 1, and at depth 0 Gannet's
        # front coding (the items share their first 21 bytes).
        self.assertLess(deep, raw * 0.6, (deep, raw))
        self.assertLess(flat, raw * 0.6, (flat, raw))
        self.assertEqual(g.call("LRANGE", "deep", "0", "-1"), g.call("LRANGE", "flat", "0", "-1"))
        self.assertEqual(g.call("OBJECT", "ENCODING", "deep"), b"quicklist")


if __name__ == "__main__":
    unittest.main(verbosity=2)
