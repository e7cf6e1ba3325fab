"""redis-py (Debian's python3-redis) against the server under test: cache-aside, a pipeline of
1,000 commands, scan_iter invalidation, a SET NX EX lock, reconnection after a restart."""

import time
import unittest

import _setup  # noqa: F401
import harness
import redis


class RedisPyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.r = redis.Redis(host=harness.HOST, port=self.server.port, socket_timeout=10,
                             decode_responses=True)
        self.r.flushall()

    def tearDown(self):
        self.r.close()

    def test_cache_aside(self):
        loads = []

        def get(item):
            key = f"cache:{item}"
            hit = self.r.get(key)
            if hit is not None:
                return hit
            loads.append(item)
            value = f"value-{item}"
            self.assertTrue(self.r.set(key, value, ex=60))
            return value

        self.assertEqual(get(1), "value-1")
        self.assertEqual(get(1), "value-1")
        self.assertEqual(loads, [1])
        self.assertTrue(0 < self.r.ttl("cache:1") <= 60)
        self.assertTrue(0 < self.r.pttl("cache:1") <= 60000)

    def test_pipeline_1000(self):
        with self.r.pipeline(transaction=False) as p:
            for i in range(500):
                p.set(f"p:{i}", i)
                p.incrby("total", i)
            results = p.execute()
        self.assertEqual(len(results), 1000)
        self.assertTrue(all(results[0::2]))
        self.assertEqual(results[-1], sum(range(500)))
        self.assertEqual(self.r.mget("p:0", "p:499", "nope"), ["0", "499", None])

    def test_scan_iter_invalidation(self):
        self.r.mset({f"user:{i}": "x" for i in range(1000)})
        self.r.mset({f"other:{i}": "y" for i in range(50)})
        keys = list(self.r.scan_iter(match="user:*", count=100))
        self.assertEqual(len(set(keys)), 1000)
        for i in range(0, len(keys), 100):
            self.r.unlink(*keys[i:i + 100])
        self.assertEqual(self.r.dbsize(), 50)

    def test_lock_set_nx_ex(self):
        self.assertTrue(self.r.set("lock", "a", nx=True, ex=10))
        self.assertIsNone(self.r.set("lock", "b", nx=True, ex=10))
        self.assertEqual(self.r.getdel("lock"), "a")
        self.assertTrue(self.r.set("lock", "b", nx=True, px=5000))

    def test_types_and_errors(self):
        self.assertEqual(self.r.incrbyfloat("f", 1.5), 1.5)
        self.assertEqual(self.r.getex("f", persist=True), "1.5")
        with self.assertRaises(redis.ResponseError) as ctx:
            self.r.incr("f")
        self.assertEqual(str(ctx.exception), "value is not an integer or out of range")
        self.assertTrue(self.r.expire("f", 100, gt=False))
        self.assertEqual(self.r.type("f"), "string")
        self.assertEqual(self.r.object("encoding", "f"), "embstr")

    def test_reconnect_after_restart(self):
        server = harness.Server().start()
        try:
            r = redis.Redis(host=harness.HOST, port=server.port, socket_timeout=5,
                            retry_on_timeout=True)
            self.assertTrue(r.set("a", "1"))
            port = server.port
            self.assertEqual(server.stop(), 0)
            server = harness.Server(port=port).start()
            # The pooled connection is dead; redis-py reconnects on the next command.
            deadline = time.monotonic() + 10
            while True:
                try:
                    self.assertTrue(r.set("b", "2"))
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self.assertEqual(r.get("b"), b"2")
            self.assertIsNone(r.get("a"))
            r.close()
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
