"""Randomised differential test: a seeded generator sends the same few thousand commands
(valid and invalid) over a small key space to gannet-server and redis-server and compares
every reply. The seed is printed on failure; rerun one with
  GANNET_DIFF_SEED=<seed> GANNET_DIFF_COUNT=<n> /usr/bin/python3 test_random.py

Time-dependent replies are avoided by construction: TTLs are far in the future, TTL/PTTL are
compared with a tolerance and absolute times (EXPIREAT, EXPIRETIME) are exact.
"""

import os
import random
import unittest

import _setup  # noqa: F401
from difftools import Pair, ServerPair
from harness import parse_reply

I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808
FAR = 4102444800  # 2100-01-01


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def key(self):
        return self.rng.choice(["k0", "k1", "k2", "k3", "k4", "k5", "num", "flt", "{tag}a",
                                "nokey"])

    def value(self):
        r = self.rng
        return r.choice([
            lambda: str(r.randint(-100, 100)),
            lambda: str(r.randint(I64_MIN, I64_MAX)),
            lambda: r.choice([str(I64_MAX), str(I64_MIN), "9223372036854775808", "-0", "007",
                              " 1", "1 ", "+1", "0x10", "1e3"]),
            lambda: r.choice(["1.5", "-2.25", "3.0", "1e308", "-1e308", "inf", "-inf", "nan",
                              "0.1", "5e-3", "1.0000000000000002", ".5", "5."]),
            lambda: r.choice(["", "abc", "hello world", "x" * 44, "y" * 45, "\x00\r\n\xff",
                              "ohmytext", "mynewtext"]),
            lambda: "".join(r.choice("abcxyz") for _ in range(r.randint(1, 12))),
        ])()

    def integer(self):
        r = self.rng
        return r.choice([
            lambda: str(r.randint(-10, 10)),
            lambda: str(r.randint(0, 100000)),
            lambda: r.choice([str(I64_MAX), str(I64_MIN), "x", "", "1.5", "-0",
                              "99999999999999999999"]),
        ])()

    def ttl_seconds(self):
        return self.rng.choice([str(self.rng.randint(1000, 10 ** 6)), "0", "-1", "x", str(I64_MAX),
                                "9223372036854775"])

    def ttl_ms(self):
        return self.rng.choice([str(self.rng.randint(10 ** 6, 10 ** 9)), "0", "-5", "abc",
                                str(I64_MAX)])

    # A time in the past deletes the key at once for EXPIREAT/PEXPIREAT/GETEX, but SET and
    # SETEX-style commands store an already-expired key that only a later access or the
    # active cycle (timing-dependent) removes, which would make DBSIZE race: past=False there.
    def at_seconds(self, past=True):
        return self.rng.choice([str(FAR + self.rng.randint(0, 10 ** 6)), "1" if past else "0",
                                "0", "x", str(I64_MAX)])

    def at_ms(self, past=True):
        return self.rng.choice([str((FAR + self.rng.randint(0, 10 ** 6)) * 1000 + 7),
                                "1" if past else "0", "y", str(I64_MAX)])

    def expire_flags(self):
        r = self.rng
        if r.random() < 0.6:
            return []
        return r.sample(["NX", "XX", "GT", "LT", "FOO"], r.choice([1, 1, 1, 2]))

    def set_options(self):
        r = self.rng
        opts = []
        for _ in range(r.choice([0, 1, 1, 2, 3])):
            opt = r.choice(["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "BAD"])
            opts.append(opt)
            if opt == "EX":
                opts.append(self.ttl_seconds())
            elif opt == "PX":
                opts.append(self.ttl_ms())
            elif opt == "EXAT":
                opts.append(self.at_seconds(past=False))
            elif opt == "PXAT":
                opts.append(self.at_ms(past=False))
        return opts

    def command(self):
        r, k, v, i = self.rng, self.key, self.value, self.integer
        choices = [
            (8, lambda: ["SET", k(), v(), *self.set_options()]),
            (6, lambda: ["GET", k()]),
            (2, lambda: ["SETNX", k(), v()]),
            (2, lambda: ["SETEX", k(), self.ttl_seconds(), v()]),
            (2, lambda: ["PSETEX", k(), self.ttl_ms(), v()]),
            (3, lambda: ["GETEX", k(), *r.choice([
                [], ["PERSIST"], ["EX", self.ttl_seconds()], ["PX", self.ttl_ms()],
                ["EXAT", self.at_seconds()], ["PXAT", self.at_ms()], ["FOO"]])]),
            (2, lambda: ["GETDEL", k()]),
            (2, lambda: ["GETSET", k(), v()]),
            (3, lambda: ["MGET", *[k() for _ in range(r.randint(1, 4))]]),
            (2, lambda: ["MSET", *sum(([k(), v()] for _ in range(r.randint(1, 3))), [])]),
            (2, lambda: ["MSETNX", *sum(([k(), v()] for _ in range(r.randint(1, 3))), [])]),
            (3, lambda: ["APPEND", k(), v()]),
            (2, lambda: ["STRLEN", k()]),
            (3, lambda: ["GETRANGE", k(), i(), i()]),
            (2, lambda: ["SETRANGE", k(), r.choice([str(r.randint(0, 60)), "-1", "x",
                                                     "536870912"]), v()]),
            (5, lambda: ["INCR", k()]),
            (3, lambda: ["DECR", k()]),
            (4, lambda: ["INCRBY", k(), i()]),
            (3, lambda: ["DECRBY", k(), i()]),
            (4, lambda: ["INCRBYFLOAT", k(), r.choice([v(), i(), "0.5", "-1.25", "1e2"])]),
            (2, lambda: ["LCS", k(), k(), *r.choice([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"],
                                                    ["IDX", "MINMATCHLEN", i()], ["BAD"]])]),
            (3, lambda: [r.choice(["DEL", "UNLINK", "EXISTS", "TOUCH"]),
                         *[k() for _ in range(r.randint(1, 3))]]),
            (2, lambda: ["TYPE", k()]),
            (2, lambda: [r.choice(["RENAME", "RENAMENX"]), k(), k()]),
            (2, lambda: ["COPY", k(), k(), *r.choice([
                [], ["REPLACE"], ["DB", r.choice(["0", "1", "16", "x"])]])]),
            (1, lambda: ["MOVE", k(), r.choice(["0", "1", "2", "16", "x"])]),
            (1, lambda: ["SELECT", r.choice(["0", "0", "0", "1", "16"])]),
            (1, lambda: ["SWAPDB", r.choice(["0", "1"]), r.choice(["0", "1", "x"])]),
            (2, lambda: ["KEYS", r.choice(["*", "k*", "k[0-2]", "?", "{tag}*", "n*m"])]),
            (1, lambda: ["DBSIZE"]),
            (3, lambda: ["EXPIRE", k(), self.ttl_seconds(), *self.expire_flags()]),
            (2, lambda: ["PEXPIRE", k(), self.ttl_ms(), *self.expire_flags()]),
            (2, lambda: ["EXPIREAT", k(), self.at_seconds(), *self.expire_flags()]),
            (2, lambda: ["PEXPIREAT", k(), self.at_ms(), *self.expire_flags()]),
            (3, lambda: [r.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k()]),
            (2, lambda: ["PERSIST", k()]),
            (2, lambda: ["OBJECT", r.choice(["ENCODING", "ENCODING", "REFCOUNT", "FREQ", "BAD"]),
                         k()]),
            (1, lambda: ["PING", *r.choice([[], [v()]])]),
            (1, lambda: ["ECHO", v()]),
            (1, lambda: [r.choice(["NOSUCH", "GETT", "SETX"]), k()]),
            (1, lambda: ["FLUSHDB"] if r.random() < 0.3 else ["DBSIZE"]),
        ]
        weights = [w for w, _ in choices]
        cmd = r.choices([f for _, f in choices], weights)[0]()
        # Some invalid shapes: a missing or an extra argument.
        roll = r.random()
        if roll < 0.04 and len(cmd) > 1:
            cmd = cmd[:-1]
        elif roll < 0.08:
            cmd = cmd + [v()]
        return cmd


def run_seed(testcase, seed, count, proto):
    servers = testcase.servers
    pair = Pair(servers.gannet, servers.redis)
    try:
        pair.both("FLUSHALL")
        if proto == 3:
            pair.both("HELLO", "3")
        gen = Generator(seed)
        for _ in range(count):
            cmd = gen.command()
            if cmd[0] == "RANDOMKEY":
                continue
            pair.check(*cmd)
            if len(pair.mismatches) >= 25:
                break
        pair.check_in_sync()
        # The final keyspaces must match too, in every database touched.
        for db in ("0", "1"):
            pair.both("SELECT", db)
            pair.check("KEYS", "*")
            g, r = pair.both("KEYS", "*")
            for key in parse_reply(g)[0]:
                pair.check("GET", key)
                pair.check("EXPIRETIME", key)
        if pair.mismatches:
            testcase.fail(f"seed {seed} (RESP{proto}, {count} commands): " + pair.report())
    finally:
        pair.close()


class RandomDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = ServerPair().start()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def seeds(self, default):
        env = os.environ.get("GANNET_DIFF_SEED")
        return [int(env)] if env else default

    def count(self):
        return int(os.environ.get("GANNET_DIFF_COUNT", "3000"))

    def test_random_resp2(self):
        for seed in self.seeds([1, 20261122, 99]):
            with self.subTest(seed=seed):
                run_seed(self, seed, self.count(), 2)

    def test_random_resp3(self):
        for seed in self.seeds([7, 8]):
            with self.subTest(seed=seed):
                run_seed(self, seed, self.count(), 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
