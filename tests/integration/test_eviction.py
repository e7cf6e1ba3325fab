"""maxmemory against the real server: each policy evicts the keys it should when writes
push memory past the limit, noeviction refuses writes with Redis's OOM error while reads
and deletes work, the memory directives round-trip through CONFIG, OBJECT FREQ/IDLETIME
and MEMORY behave, and UNLINK / FLUSHALL ASYNC free in the background.

Runs against redis-server too (GANNET_SERVER=/usr/bin/redis-server) to check the test.
Memory figures are the server's own (INFO used_memory), so limits are set relative to
what the server reports after a base fill."""

import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command

OOM = RespError("OOM command not allowed when used memory > 'maxmemory'.")
VALUE = b"x" * 1000


def pipeline(c, commands):
    c.send(b"".join(encode_command(*cmd) for cmd in commands))
    return [c.read() for _ in commands]


def info_field(c, section, name):
    text = c.call("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise KeyError(name)


def used_memory(c):
    return int(info_field(c, "memory", "used_memory"))


class EvictionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()
        cls.c = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        cls.server.stop()

    def setUp(self):
        c = self.c
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "0"), "OK")
        self.assertEqual(c.call("FLUSHALL"), "OK")
        self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-samples", "10"), "OK")

    def limit_after(self, headroom):
        """Sets maxmemory to the current usage plus headroom bytes."""
        limit = used_memory(self.c) + headroom
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory", str(limit)), "OK")
        return limit

    def fill(self, prefix, n, ttl=None):
        cmds = []
        for i in range(n):
            cmd = ["SET", f"{prefix}{i}", VALUE]
            if ttl is not None:
                cmd += ["EX", str(ttl(i) if callable(ttl) else ttl)]
            cmds.append(cmd)
        for i in range(0, n, 100):
            replies = pipeline(self.c, cmds[i:i + 100])
            for r in replies:
                self.assertNotIsInstance(r, RespError, r)

    def exists(self, prefix, n):
        return [self.c.call("EXISTS", f"{prefix}{i}") == 1 for i in range(n)]

    def check_under_limit(self, limit):
        # One write's worth of slack: the last write lands after the eviction check.
        self.assertLessEqual(used_memory(self.c), limit + 64 * 1024)
        self.assertGreater(int(info_field(self.c, "stats", "evicted_keys")), 0)

    def test_volatile_policies_evict_only_keys_with_a_ttl(self):
        for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]:
            with self.subTest(policy=policy):
                self.setUp()
                self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", policy), "OK")
                self.fill("p:", 200)
                self.fill("v:", 300, ttl=1000)
                limit = self.limit_after(50 * 1024)
                self.fill("w:", 200, ttl=1000)
                self.check_under_limit(limit)
                self.assertTrue(all(self.exists("p:", 200)), policy)

    def test_volatile_ttl_evicts_the_soonest_deadlines(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "volatile-ttl"), "OK")
        self.fill("v:", 400, ttl=lambda i: 1000 + i * 10)
        limit = self.limit_after(20 * 1024)
        self.fill("w:", 150, ttl=100000)
        self.check_under_limit(limit)
        alive = self.exists("v:", 400)
        early, late = sum(alive[:200]), sum(alive[200:])
        self.assertGreater(late, early + 50, (early, late))
        self.assertTrue(all(self.exists("w:", 100)))

    def test_allkeys_lru_keeps_recently_read_keys(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), "OK")
        self.fill("k:", 400)
        time.sleep(1.1)  # Redis's LRU clock ticks once a second
        pipeline(self.c, [["GET", f"k:{i}"] for i in range(100)])
        limit = self.limit_after(0)
        self.fill("n:", 200)
        self.check_under_limit(limit)
        hot = sum(self.exists("k:", 100))
        cold = sum(self.exists("k:", 400)[100:])
        self.assertGreaterEqual(hot, 90)
        self.assertLess(cold, 300 - 150)

    def test_allkeys_lfu_keeps_frequently_read_keys(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), "OK")
        self.fill("k:", 400)
        for _ in range(20):
            pipeline(self.c, [["GET", f"k:{i}"] for i in range(100)])
        limit = self.limit_after(0)
        self.fill("n:", 200)
        self.check_under_limit(limit)
        self.assertGreaterEqual(sum(self.exists("k:", 100)), 95)

    def test_allkeys_random_evicts_to_the_limit(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random"),
                         "OK")
        self.fill("k:", 300)
        limit = self.limit_after(0)
        self.fill("n:", 300)
        self.check_under_limit(limit)
        self.assertLess(self.c.call("DBSIZE"), 600)

    def test_noeviction_refuses_writes_but_reads_and_deletes_work(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "noeviction"), "OK")
        self.fill("k:", 100)
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory", "1"), "OK")
        self.assertEqual(self.c.call("SET", "new", "v"), OOM)
        self.assertEqual(self.c.call("APPEND", "k:1", "more"), OOM)
        self.assertEqual(self.c.call("LPUSH", "list", "a"), OOM)
        self.assertEqual(self.c.call("GET", "k:1"), VALUE)
        self.assertEqual(self.c.call("EXISTS", "k:2"), 1)
        self.assertEqual(self.c.call("DEL", "k:1"), 1)
        self.assertEqual(self.c.call("EXPIRE", "k:3", "100"), 1)  # not denyoom
        self.assertEqual(self.c.call("DBSIZE"), 99)
        self.assertEqual(int(info_field(self.c, "stats", "evicted_keys")), 0)
        # Refused commands count as rejected calls.
        self.assertIn("rejected_calls=1",
                      info_field(self.c, "commandstats", "cmdstat_set"))
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory", "0"), "OK")
        self.assertEqual(self.c.call("SET", "new", "v"), "OK")

    def test_nothing_evictable_under_volatile_gives_oom(self):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-policy", "volatile-lru"), "OK")
        self.fill("k:", 50)
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory", "1"), "OK")
        self.assertEqual(self.c.call("SET", "new", "v"), OOM)
        self.assertEqual(self.c.call("DBSIZE"), 50)

    def test_memory_directives_round_trip(self):
        c = self.c
        for name, value in [("maxmemory-policy", "allkeys-lfu"), ("maxmemory-samples", "7"),
                            ("maxmemory-eviction-tenacity", "20"), ("lfu-log-factor", "3"),
                            ("lfu-decay-time", "5"), ("lazyfree-lazy-eviction", "yes"),
                            ("lazyfree-lazy-expire", "yes"), ("lazyfree-lazy-server-del", "yes"),
                            ("lazyfree-lazy-user-del", "yes"), ("lazyfree-lazy-user-flush", "yes")]:
            self.assertEqual(c.call("CONFIG", "SET", name, value), "OK", name)
            self.assertEqual(c.call("CONFIG", "GET", name), [name.encode(), value.encode()])
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "10mb"), "OK")
        self.assertEqual(c.call("CONFIG", "GET", "maxmemory"), [b"maxmemory", b"10485760"])
        self.assertEqual(info_field(c, "memory", "maxmemory_policy"), "allkeys-lfu")
        self.assertEqual(info_field(c, "memory", "maxmemory"), "10485760")
        bad = c.call("CONFIG", "SET", "maxmemory-eviction-tenacity", "101")
        self.assertEqual(bad, RespError(
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-eviction-tenacity')"
            " - argument must be between 0 and 100 inclusive"))
        bad = c.call("CONFIG", "SET", "maxmemory-policy", "lru")
        self.assertIsInstance(bad, RespError)
        for name, value in [("maxmemory-policy", "noeviction"), ("maxmemory-samples", "5"),
                            ("maxmemory-eviction-tenacity", "10"), ("lfu-log-factor", "10"),
                            ("lfu-decay-time", "1"), ("lazyfree-lazy-eviction", "no"),
                            ("lazyfree-lazy-expire", "no"), ("lazyfree-lazy-server-del", "no"),
                            ("lazyfree-lazy-user-del", "no"), ("lazyfree-lazy-user-flush", "no")]:
            self.assertEqual(c.call("CONFIG", "SET", name, value), "OK", name)

    def test_object_freq_and_idletime(self):
        c = self.c
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), "OK")
        c.call("SET", "k", "v")
        self.assertEqual(c.call("OBJECT", "IDLETIME", "k"), 0)
        self.assertEqual(c.call("OBJECT", "IDLETIME", "missing"), None)
        self.assertEqual(c.call("OBJECT", "FREQ", "k"), RespError(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust."))
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "lfu-log-factor", "0"), "OK")
        c.call("SET", "f", "v")
        self.assertEqual(c.call("OBJECT", "FREQ", "f"), 5)
        for _ in range(3):
            c.call("GET", "f")
        self.assertEqual(c.call("OBJECT", "FREQ", "f"), 8)
        self.assertEqual(c.call("OBJECT", "IDLETIME", "f"), RespError(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time "
            "to adjust."))
        self.assertEqual(c.call("CONFIG", "SET", "lfu-log-factor", "10"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "noeviction"), "OK")

    def test_memory_command(self):
        c = self.c
        c.call("SET", "k", "v" * 100)
        usage = c.call("MEMORY", "USAGE", "k")
        self.assertIsInstance(usage, int)
        self.assertGreater(usage, 100)
        self.assertEqual(c.call("MEMORY", "USAGE", "k", "SAMPLES", "0"), usage)
        self.assertEqual(c.call("MEMORY", "USAGE", "missing"), None)
        self.assertEqual(c.call("MEMORY", "USAGE", "k", "SAMPLES"), RespError("ERR syntax error"))
        self.assertEqual(c.call("MEMORY", "USAGE", "k", "SAMPLES", "x"),
                         RespError("ERR value is not an integer or out of range"))
        self.assertEqual(c.call("MEMORY", "USAGE", "k", "FOO", "1"), RespError("ERR syntax error"))
        stats = c.call("MEMORY", "STATS")
        names = stats[0::2]
        for field in [b"peak.allocated", b"total.allocated", b"startup.allocated",
                      b"overhead.total", b"keys.count", b"dataset.bytes", b"fragmentation",
                      b"db.0"]:
            self.assertIn(field, names)
        self.assertEqual(stats[names.index(b"keys.count") * 2 + 1], 1)
        self.assertIsInstance(c.call("MEMORY", "DOCTOR"), bytes)
        self.assertEqual(c.call("MEMORY", "PURGE"), "OK")
        self.assertIsInstance(c.call("MEMORY", "MALLOC-STATS"), bytes)
        self.assertEqual(c.call("MEMORY", "HELP")[0],
                         "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        self.assertEqual(c.call("MEMORY", "NOPE"),
                         RespError("ERR unknown subcommand 'NOPE'. Try MEMORY HELP."))

    def test_freed_pages_go_back_promptly_under_a_limit(self):
        """With a maxmemory set, pages freed past a small threshold are returned to the OS
        within about 100 ms instead of jemalloc's 1 s decay. Gannet on jemalloc only: the
        MALLOC-STATS text shows the dirty (freed, still resident) pages."""
        c = self.c
        if self.server.is_redis:
            self.skipTest("a Gannet setting")
        if not info_field(c, "memory", "mem_allocator").startswith("jemalloc"):
            self.skipTest("not running on jemalloc (sanitizer build)")

        def dirty_pages():
            text = c.call("MEMORY", "MALLOC-STATS").decode()
            for line in text.split("\n"):
                fields = line.split()
                if fields[:1] == ["dirty:"] and len(fields) > 2:
                    return int(fields[2])  # decay time, then npages
            raise KeyError("dirty pages")

        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "500mb"), "OK")
        # 40 values of 256 KB: large allocations (under jemalloc's 8 MB oversize arena,
        # which purges at once anyway), 10 MB freed by the DEL.
        pipeline(c, [["SET", f"big:{i}", b"z" * (256 * 1024)] for i in range(40)])
        self.assertEqual(c.call("DEL", *[f"big:{i}" for i in range(40)]), 40)
        freed_pages = 40 * 256 * 1024 // 4096
        start = time.monotonic()
        # Commands drive the check (the limit's gate reads the meter); 400 ms is well
        # under the time jemalloc's own 1 s decay takes to return most of them.
        while time.monotonic() - start < 0.4 and dirty_pages() > freed_pages // 4:
            pipeline(c, [["PING"]] * 300)
            time.sleep(0.01)
        self.assertLessEqual(dirty_pages(), freed_pages // 4)

    def test_key_table_counts_in_used_memory(self):
        """The keyspace's bucket array is allocated memory, as Redis's dict table: the key
        that doubles the table (65,537 keys: 64K buckets of 8 bytes become 128K) adds at
        least the new array's difference to used_memory, so maxmemory bounds it too."""
        c = self.c
        batch = 4096
        for start in range(0, 65536, batch):
            pipeline(c, [["SET", f"t:{i}", "v"] for i in range(start, start + batch)])
        self.assertEqual(c.call("DBSIZE"), 65536)
        before = used_memory(c)
        self.assertEqual(c.call("SET", "t:65536", "v"), "OK")
        after = used_memory(c)
        # 1 MB for the new array, less the 512 KB old one if rehashing already finished.
        self.assertGreater(after - before, 400 * 1024)

    def test_small_size_classes_have_slabs_of_16kb(self):
        """gannet-server's jemalloc options (src/jemalloc_conf.cc) reach jemalloc: the
        512- and 1024-byte classes, one page per slab by default, get four."""
        c = self.c
        if self.server.is_redis:
            self.skipTest("a Gannet setting")
        if not info_field(c, "memory", "mem_allocator").startswith("jemalloc"):
            self.skipTest("not running on jemalloc (sanitizer build)")
        text = c.call("MEMORY", "MALLOC-STATS").decode()
        lines = text.split("\n")
        header = next(i for i, line in enumerate(lines) if line.startswith("bins:"))
        columns = lines[header].split()[1:]  # after "bins:"
        regs, pgs = columns.index("regs"), columns.index("pgs")
        bins = {}
        for line in lines[header + 1:]:
            fields = line.split()
            if not fields or not fields[0].isdigit():
                break
            bins[int(fields[0])] = (int(fields[regs]), int(fields[pgs]))
        self.assertEqual(bins[512], (32, 4))
        self.assertEqual(bins[1024], (16, 4))
        self.assertEqual(bins[768], (32, 6))
        self.assertEqual(bins[640][1], 5)  # already 20 KB: unchanged

    def test_sketch_counts_in_the_overhead(self):
        c = self.c
        before = int(info_field(c, "memory", "used_memory_overhead"))
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "64mb"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), "OK")
        c.call("GET", "absent")  # the first access allocates Gannet's sketch (512 KB here)
        after = int(info_field(c, "memory", "used_memory_overhead"))
        if not self.server.is_redis:
            self.assertGreaterEqual(after - before, 512 * 1024)
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "noeviction"), "OK")

    def test_unlink_and_flushall_async_free_in_the_background(self):
        c = self.c
        pipeline(c, [["SADD", "big", *[str(i) for j in range(10) for i in range(j * 100,
                                                                               j * 100 + 100)]]])
        pipeline(c, [["SADD", "big2", *[str(i) for i in range(1000)]]])
        self.assertEqual(c.call("SCARD", "big"), 1000)
        before = int(info_field(c, "memory", "lazyfreed_objects"))
        self.assertEqual(c.call("UNLINK", "big"), 1)
        self.assertEqual(c.call("EXISTS", "big"), 0)
        self.assertEqual(c.call("FLUSHALL", "ASYNC"), "OK")
        self.assertEqual(c.call("DBSIZE"), 0)
        deadline = time.time() + 5
        while time.time() < deadline:
            if int(info_field(c, "memory", "lazyfree_pending_objects")) == 0:
                break
            time.sleep(0.05)
        self.assertEqual(int(info_field(c, "memory", "lazyfree_pending_objects")), 0)
        self.assertGreater(int(info_field(c, "memory", "lazyfreed_objects")), before)
        self.assertEqual(c.call("FLUSHDB", "ASYNC"), "OK")
        self.assertEqual(c.call("FLUSHALL", "SYNC"), "OK")

    def test_lazy_eviction_still_reaches_the_limit(self):
        c = self.c
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "lazyfree-lazy-eviction", "yes"), "OK")
        for j in range(20):
            pipeline(c, [["SADD", f"s:{j}", *[f"member-{i}" for i in range(300)]]])
        limit = self.limit_after(0)
        for j in range(20):
            pipeline(c, [["SADD", f"t:{j}", *[f"member-{i}" for i in range(300)]]])
        time.sleep(0.2)
        c.call("PING")  # one more gate pass once the background frees are done
        self.check_under_limit(limit)
        self.assertEqual(c.call("CONFIG", "SET", "lazyfree-lazy-eviction", "no"), "OK")


if __name__ == "__main__":
    unittest.main()
