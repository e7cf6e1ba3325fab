"""Client eviction (maxmemory-clients) against the real server: clients that grow a big
query buffer (a large bulk sent in part) or a big output buffer (commands or publishes
whose replies are not read) are closed, biggest first, until the clients' memory is under
the limit; small clients and CLIENT NO-EVICT ones stay; INFO stats evicted_clients counts
the closings and the log names each; CONFIG SET/GET take and show values as Redis does.

Every scenario also runs against redis-server 7.0 (the Differential class), to check that
the test asserts what Redis does. The sizes leave room for the one real difference: Redis
allocates a big bulk's whole length as soon as its header arrives, we grow the read buffer
as the bytes come, so the partial bulks here are sent far past the limit."""

import os
import time
import unittest

import _setup  # noqa: F401
import harness
from harness import RespError, encode_command

MB = 1024 * 1024


def info_field(c, section, name):
    for line in c.call("INFO", section).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise KeyError(name)


def send_quietly(cl, data):
    """Sends what the server still takes: it may close the client half-way."""
    try:
        cl.send(data)
    except OSError:
        pass


def is_closed(cl, wait=5.0):
    """True when the server closed the client (unread replies are drained first)."""
    cl.sock.settimeout(0.1)
    try:
        cl.read_until_closed(wait)
        return True
    except TimeoutError:  # an OSError too: first
        return False
    except OSError:
        return True
    finally:
        cl.sock.settimeout(10.0)


def partial_bulk(cl, total, sent):
    """SET of a `total`-byte value of which only `sent` bytes go out now."""
    send_quietly(cl, b"*3\r\n$3\r\nSET\r\n$4\r\nbulk\r\n$%d\r\n" % total + b"x" * sent)


def client_ids(c):
    ids = []
    for line in c.call("CLIENT", "LIST").decode().split("\n"):
        for field in line.split():
            if field.startswith("id="):
                ids.append(int(field[3:]))
    return ids


def client_field(c, cid, name):
    for line in c.call("CLIENT", "LIST", "ID", str(cid)).decode().split("\n"):
        for field in line.split():
            if field.startswith(name + "="):
                return field[len(name) + 1:]
    raise KeyError(name)


# CONFIG SET maxmemory-clients <value> -> the error text or None, then what CONFIG GET shows.
BAD = ("ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
       "argument must be a memory or percent value")
PCT = ("ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
       "percentage argument must be less or equal to 100")
CONFIG_CASES = [
    ("0", None, "0"), ("1mb", None, "1048576"), ("5%", None, "5%"), ("100%", None, "100%"),
    ("101%", PCT, "100%"), ("-1", BAD, "100%"), ("-5%", BAD, "100%"), ("abc", BAD, "100%"),
    ("1.5mb", BAD, "100%"), ("5 %", BAD, "100%"), ("%", BAD, "100%"), ("0%", None, "0"),
    ("1024", None, "1024"), ("9223372036854775807", None, "9223372036854775807"),
    ("9223372036854775808", PCT, "9223372036854775807"), ("1k", None, "1000"),
    ("10gb", None, "10737418240"), ("18446744073709551615", None, "1%"),
    ("18446744073709551516", None, "100%"), ("5%%", BAD, "100%"), ("50.5%", BAD, "100%"),
    ("-0", BAD, "100%"), ("0x10", BAD, "100%"), (" 5%", BAD, "100%"), ("5%abc", BAD, "100%"),
    ("1K%", BAD, "100%"), ("", None, "0"), ("1KB", None, "1024"), ("1gB", None, "1073741824"),
    ("+5", BAD, "1073741824"), ("+5%", BAD, "1073741824"), ("05%", BAD, "1073741824"),
    ("kb", None, "0"), ("99999999999999999999gb", PCT, "0"), ("-0%", BAD, "0"), ("1B", None, "1"),
]


class Scenarios:
    """The checks, run by a subclass against one binary (self.binary)."""

    binary = None

    def setUp(self):
        self.server = harness.Server(binary=self.binary).start()
        self.c = self.server.client()
        self.others = []

    def tearDown(self):
        for cl in self.others:
            cl.close()
        self.c.close()
        # A sanitizer report or crash shows as a non-zero exit (the log tail is printed).
        self.assertEqual(self.server.stop(), 0)

    def client(self, no_evict=False):
        cl = self.server.client()
        self.others.append(cl)
        if no_evict:
            self.assertEqual(cl.call("CLIENT", "NO-EVICT", "on"), "OK")
        else:
            self.assertEqual(cl.call("PING"), "PONG")
        return cl

    def evicted(self):
        return int(info_field(self.c, "stats", "evicted_clients"))

    def set_limit(self, value):
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory-clients", value), "OK")

    def test_config_values(self):
        c = self.c
        self.assertEqual(c.call("CONFIG", "GET", "maxmemory-clients"), [b"maxmemory-clients", b"0"])
        for value, error, shown in CONFIG_CASES:
            reply = c.call("CONFIG", "SET", "maxmemory-clients", value)
            if error is None:
                self.assertEqual(reply, "OK", value)
            else:
                self.assertEqual(reply, RespError(error), value)
            got = c.call("CONFIG", "GET", "maxmemory-clients")
            self.assertEqual(got, [b"maxmemory-clients", shown.encode()], value)
        self.assertIn("evicted_clients:0\r\n", c.call("INFO", "stats").decode())

    def test_query_buffer_biggest_first(self):
        self.set_limit("8mb")
        small = [self.client() for _ in range(3)]
        keeper = self.client(no_evict=True)
        partial_bulk(keeper, 4_000_000, 3_000_000)  # about 4 MB, never evicted
        medium = self.client()
        partial_bulk(medium, 2_000_000, 1_000_000)  # 1 to 2 MB
        time.sleep(0.3)
        self.assertEqual(self.evicted(), 0)
        big = self.client()
        partial_bulk(big, 10_000_000, 2_000_000)
        harness.wait_until(lambda: self.evicted() >= 1)
        partial_bulk(big, 10_000_000, 4_000_000)  # ours grows as it reads: more
        self.assertTrue(is_closed(big))
        time.sleep(0.3)
        self.assertEqual(self.evicted(), 1)
        for cl in small:
            self.assertEqual(cl.call("PING"), "PONG")
        # The clients still there finish their requests.
        keeper.send(b"x" * 1_000_000 + b"\r\n")
        self.assertEqual(keeper.read(), "OK")
        medium.send(b"x" * 1_000_000 + b"\r\n")
        self.assertEqual(medium.read(), "OK")
        self.assertEqual(self.c.call("STRLEN", "bulk"), 2_000_000)
        self.assertIn("Evicting client: id=", self.server.log())

    def test_output_buffer(self):
        c = self.c
        self.set_limit("8mb")
        self.assertEqual(c.call("SET", "big", "v" * 200_000), "OK")
        small = [self.client() for _ in range(3)]
        keeper = self.client(no_evict=True)
        keeper.send(b"".join(encode_command("GET", "big") for _ in range(25)))  # 5 MB
        time.sleep(0.3)
        self.assertEqual(self.evicted(), 0)
        reader = self.client()
        reader_id = int(reader.call("CLIENT", "ID"))
        reader.send(b"".join(encode_command("GET", "big") for _ in range(100)))  # 20 MB
        self.assertTrue(is_closed(reader))
        harness.wait_until(lambda: self.evicted() == 1)
        self.assertNotIn(reader_id, client_ids(c))
        for cl in small:
            self.assertEqual(cl.call("PING"), "PONG")
        for _ in range(25):
            self.assertEqual(len(keeper.read()), 200_000)
        self.assertEqual(keeper.call("PING"), "PONG")
        self.assertEqual(self.evicted(), 1)
        self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
        self.assertEqual(self.evicted(), 0)

    def test_subscriber_not_reading(self):
        c = self.c
        self.set_limit("4mb")
        sub = self.client()
        sub.send(encode_command("SUBSCRIBE", "ch"))
        self.assertEqual(sub.read(), [b"subscribe", b"ch", 1])
        payload = "m" * 200_000
        for _ in range(60):  # 12 MB to a client that does not read
            reply = c.call("PUBLISH", "ch", payload)
            if reply == 0:
                break
        self.assertTrue(is_closed(sub))
        harness.wait_until(lambda: self.evicted() == 1)
        self.assertEqual(c.call("PING"), "PONG")

    def test_queued_multi_commands_count(self):
        self.set_limit("4mb")
        small = self.client()
        tx = self.client()
        self.assertEqual(tx.call("MULTI"), "OK")
        value = "q" * 200_000
        closed = False
        for _ in range(40):  # 8 MB queued, the read buffer stays small
            try:
                self.assertEqual(tx.call("SET", "k", value), "QUEUED")
            except OSError:
                closed = True
                break
        self.assertTrue(closed or is_closed(tx))
        harness.wait_until(lambda: self.evicted() == 1)
        self.assertEqual(small.call("PING"), "PONG")
        self.assertEqual(self.c.call("EXISTS", "k"), 0)

    def test_only_unevictable_clients_left(self):
        c = self.c
        self.assertEqual(c.call("CLIENT", "NO-EVICT", "on"), "OK")
        self.set_limit("1mb")
        bystander = self.client()
        hog = self.client(no_evict=True)
        partial_bulk(hog, 4_000_000, 3_000_000)
        # Still over with the hog alone: every evictable client goes, then a warning.
        self.assertTrue(is_closed(bystander))
        harness.wait_until(lambda: "after evicting all evictable clients" in self.server.log())
        self.assertEqual(self.evicted(), 1)
        hog.send(b"x" * 1_000_000 + b"\r\n")
        self.assertEqual(hog.read(), "OK")
        self.assertEqual(c.call("PING"), "PONG")

    def test_percent_of_maxmemory(self):
        c = self.c
        self.set_limit("5%")  # maxmemory 0: no limit
        idle = self.client()
        partial_bulk(idle, 20_000_000, 8_000_000)
        time.sleep(0.5)
        self.assertEqual(self.evicted(), 0)
        self.assertFalse(is_closed(idle, wait=0.3))
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "100mb"), "OK")  # now 5 MB
        self.assertTrue(is_closed(idle))
        harness.wait_until(lambda: self.evicted() == 1)

    def test_off_and_turned_on(self):
        c = self.c
        hog = self.client()
        partial_bulk(hog, 20_000_000, 8_000_000)
        time.sleep(0.5)
        qbuf = int(client_field(c, int(client_ids(c)[-1]), "qbuf"))
        self.assertGreater(qbuf, 7_000_000)
        tot = int(client_field(c, int(client_ids(c)[-1]), "tot-mem"))
        self.assertGreater(tot, qbuf)
        self.assertEqual(self.evicted(), 0)
        self.set_limit("1mb")  # turning it on evicts whoever is over
        self.assertTrue(is_closed(hog))
        harness.wait_until(lambda: self.evicted() == 1)
        self.assertEqual(c.call("PING"), "PONG")
        # Tiny limits act as 128 KB: a couple of ordinary clients are not locked out
        # (Redis counts about 40 KB for an idle client).
        self.set_limit("1")
        other = self.client()
        for _ in range(3):
            self.assertEqual(other.call("PING"), "PONG")
            self.assertEqual(c.call("PING"), "PONG")
        self.assertEqual(self.evicted(), 1)

    def test_startup_value(self):
        with harness.Server(binary=self.binary, args=["--maxmemory-clients", "7%"]) as s:
            with s.client() as c:
                self.assertEqual(c.call("CONFIG", "GET", "maxmemory-clients"),
                                 [b"maxmemory-clients", b"7%"])


class ClientEvictionTest(Scenarios, unittest.TestCase):
    binary = None  # the server under test ($GANNET_SERVER)


@unittest.skipIf(os.environ.get("GANNET_SKIP_REDIS"), "GANNET_SKIP_REDIS set")
class DifferentialTest(Scenarios, unittest.TestCase):
    """The same checks against redis-server 7.0: what they assert is what Redis does."""

    binary = harness.redis_binary()


if __name__ == "__main__":
    unittest.main()
