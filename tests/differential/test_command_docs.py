"""What COMMAND tells about commands, side by side with redis-server 7.0: COMMAND INFO of
every command Gannet has (key specs included), COMMAND DOCS argument trees, since, group,
doc flags and history versions, and COMMAND GETKEYS / GETKEYSANDFLAGS on representative and
on seeded random argument lists, errors included.

Prose is Gannet's own and is not compared: summaries, complexities, history descriptions,
replaced_by texts and key-spec notes (whose presence is compared). Subcommands are compared
as a set: Redis lists them in its hash table's order. CLIENT NO-TOUCH (Redis 7.2) is the
one command Redis 7.0 lacks; everything Redis has and Gannet does not yet run is skipped."""

import random
import unittest

import _setup  # noqa: F401
import redis
from redis.commands.parser import CommandsParser
from difftools import PairTestCase
from harness import RespSet, parse_reply

GANNET_ONLY = {"client|no-touch"}


def canon(v):
    """A reply as nested tuples that keep RESP's types apart (simple vs bulk, set vs array,
    map with its order)."""
    if isinstance(v, RespSet):
        return ("set", tuple(canon(x) for x in v))
    if isinstance(v, list):
        return ("array", tuple(canon(x) for x in v))
    if isinstance(v, dict):
        return ("map", tuple((canon(k), canon(x)) for k, x in v.items()))
    if isinstance(v, str):
        return ("simple", v)
    if isinstance(v, bytes):
        return ("bulk", v)
    return (type(v).__name__, v)


def flat_info(rows):
    """COMMAND INFO rows by full name, subcommands included (RESP3 replies)."""
    out = {}
    for row in rows:
        out[row[0].decode()] = row
        out.update(flat_info(row[9]))
    return out


def flat_docs(docs):
    out = {}
    for name, doc in docs.items():
        out[name.decode()] = doc
        out.update(flat_docs(doc.get(b"subcommands", {})))
    return out


def info_without_prose(row):
    """A COMMAND INFO row with notes reduced to their presence and subcommands to their names
    (each is compared as a row of its own)."""
    specs = []
    for spec in row[8]:
        spec = dict(spec)
        if b"notes" in spec:
            spec[b"notes"] = b"(a note)"
        specs.append(spec)
    names = sorted(sub[0] for sub in row[9] if sub[0].decode() not in GANNET_ONLY)
    return canon(row[:8]) + (canon(RespSet(specs)), ("names", tuple(names)))


def strip_notes(specs):
    """RESP2 key specs (flat name/value lists) with each note's text blanked."""
    out = []
    for spec in specs:
        spec = list(spec)
        for i in range(0, len(spec) - 1, 2):
            if spec[i] == b"notes":
                spec[i + 1] = b"(a note)"
        out.append(spec)
    return out


DOC_PROSE = {b"summary", b"complexity", b"history", b"replaced_by", b"subcommands"}


def docs_without_prose(doc):
    out = [(k, canon(v)) for k, v in doc.items() if k not in DOC_PROSE]
    out.append((b"keys", tuple(doc.keys())))  # which fields, in which order
    out.append((b"replaced_by", b"replaced_by" in doc))
    out.append((b"history versions", tuple(h[0] for h in doc.get(b"history", []))))
    out.append((b"history is a set", isinstance(doc.get(b"history", RespSet()), RespSet)))
    subs = doc.get(b"subcommands", {})
    out.append((b"subcommands", tuple(sorted(n for n in subs if n.decode() not in GANNET_ONLY))))
    return out


# Representative GETKEYS invocations: simple, numkeys, keyword and incomplete specs, the key
# finders, and every error.
GETKEYS_CASES = [
    ("get", "k"), ("Get", "k"), ("set", "k", "v"), ("set", "k", "v", "ex", "1", "GET"),
    ("mset", "a", "1", "b", "2"), ("mget", "a", "b", "c"), ("del", "a", "b"),
    ("lmove", "a", "b", "left", "right"), ("blpop", "a", "b", "0"), ("bitop", "and", "d", "a"),
    ("object", "freq", "k"), ("object", "help"), ("memory", "usage", "k"),
    ("xinfo", "stream", "k"), ("xgroup", "create", "s", "g", "$"), ("lcs", "a", "b"),
    ("zunionstore", "d", "2", "a", "b", "weights", "1", "2"), ("zdiffstore", "d", "1", "a"),
    ("zunionstore", "d", "5", "a", "b"), ("zunionstore", "d", "0", "a"),
    ("zunionstore", "d", "-1", "a"), ("zunionstore", "d", "2abc", "a", "b"),
    ("zunionstore", "d", "4294967297", "a"), ("zunionstore", "d", "9223372036854775808", "a"),
    ("zunionstore", "d", "-9223372036854775808", "a"), ("zunion", "2", "a", "b", "withscores"),
    ("zinter", "1", "a"), ("zintercard", "2", "a", "b", "limit", "1"),
    ("sintercard", "2", "a", "b"), ("lmpop", "2", "a", "b", "left"), ("lmpop", "0", "a", "left"),
    ("blmpop", "0", "2", "a", "b", "left"), ("zmpop", "1", "a", "min"),
    ("bzmpop", "0", "1", "a", "max"),
    ("xread", "count", "2", "streams", "a", "b", "0", "0"), ("xread", "streams", "a", "b", "c"),
    ("xread", "count", "2", "a", "b"), ("xreadgroup", "group", "g", "c", "streams", "s", ">"),
    ("xreadgroup", "group", "g", "c", "noack", "streams", "s", "t", "0", "0"),
    ("sort", "k"), ("sort", "k", "by", "x", "store", "d"), ("sort", "k", "store"),
    ("sort", "k", "limit", "0", "1", "store", "d"), ("sort", "k", "store", "a", "store", "b"),
    ("sort_ro", "k", "by", "x", "get", "y"),
    ("georadius", "k", "1", "2", "3", "m", "store", "d", "storedist", "e"),
    ("georadius", "k", "1", "2", "3", "m", "store"),
    ("georadiusbymember", "k", "m", "3", "km", "storedist", "d"),
    ("georadius_ro", "k", "1", "2", "3", "m"), ("geosearchstore", "d", "s", "frommember", "m"),
    ("bitfield", "k"), ("bitfield", "k", "get", "u8", "0"),
    ("bitfield", "k", "get", "u8", "0", "incrby", "u8", "0", "1"), ("bitfield_ro", "k"),
    ("getex", "k", "persist"), ("pfcount", "a", "b"), ("xadd", "s", "*", "f", "v"),
    ("copy", "a", "b"), ("rename", "a", "b"), ("smove", "a", "b", "m"),
    # errors
    ("nosuch", "k"), ("object", "nosuch", "k"), ("command", "a", "b"), ("config", "get", "x"),
    ("keys", "*"), ("ping", "x"), ("spublish", "ch", "m"), ("ssubscribe", "ch"),
    ("get", "a", "b"), ("set", "a"), ("object", "freq"),
]

# Commands whose keys need their arguments read, for the random argument lists.
MOVABLE = ["zunionstore", "zinterstore", "zdiffstore", "zunion", "zinter", "zdiff",
           "zintercard", "sintercard", "lmpop", "blmpop", "zmpop", "bzmpop", "sort", "sort_ro",
           "georadius", "georadiusbymember", "xread", "xreadgroup", "set", "bitfield", "mset",
           "lcs", "bitop"]
WORDS = ["a", "b", "1", "0", "2", "3", "-1", "", "store", "STORE", "storedist", "streams",
         "STREAMS", "get", "Get", "set", "limit", "by", "count", "block", "group", "noack",
         "2abc", " 2", "+1", "4294967297", "4294967295", "9223372036854775808", "weights",
         "left", "incrby", "overflow", "u8", "get\x00x", "x\x00y", "01", "-0"]


class CommandInfoAndDocs(PairTestCase):
    PROTO = 3

    def both_parsed(self, *args):
        g, r = self.p.both(*args)
        return parse_reply(g)[0], parse_reply(r)[0]

    def test_command_info_of_every_command(self):
        g, r = self.both_parsed("COMMAND", "INFO")
        ours, theirs = flat_info(g), flat_info(r)
        self.assertEqual(set(ours) - set(theirs), GANNET_ONLY)
        self.assertGreater(len(ours), 250)
        for name, row in ours.items():
            if name in GANNET_ONLY:
                continue
            with self.subTest(name):
                self.assertEqual(info_without_prose(row), info_without_prose(theirs[name]))
        # Where there is no note, the whole row matches byte for byte.
        for name in ["get", "mset", "xread", "zunionstore", "georadius", "lmove", "object|freq",
                     "spublish", "sort_ro", "command|getkeysandflags", "blmpop"]:
            if all(b"notes" not in s for s in theirs[name][8]) and not theirs[name][9]:
                self.p.check("COMMAND", "INFO", name)
        self.assertFalse(self.p.mismatches, self.p.report())

    def test_command_docs_of_every_command(self):
        g, r = self.both_parsed("COMMAND", "DOCS")
        ours, theirs = flat_docs(g), flat_docs(r)
        self.assertEqual(set(ours) - set(theirs), GANNET_ONLY)
        for name, doc in ours.items():
            if name in GANNET_ONLY:
                continue
            with self.subTest(name):
                self.assertEqual(docs_without_prose(doc), docs_without_prose(theirs[name]))
                for field in [b"summary", b"complexity"]:
                    if field in doc:
                        self.assertTrue(doc[field], field)
                for ours_h, theirs_h in zip(doc.get(b"history", []),
                                            theirs[name].get(b"history", [])):
                    self.assertEqual(len(ours_h), 2)
                    self.assertTrue(ours_h[1])
        # COMMAND DOCS GET (what redis-cli 7.2 reads for its hints): the argument tree.
        g, r = self.both_parsed("COMMAND", "DOCS", "get", "nosuch", "set")
        self.assertEqual([canon(v[b"arguments"]) for v in g.values()],
                         [canon(v[b"arguments"]) for v in r.values()])

    def test_getkeys_in_resp3(self):
        for case in GETKEYS_CASES[:12]:
            self.p.check("COMMAND", "GETKEYSANDFLAGS", *case)
        self.assertFalse(self.p.mismatches, self.p.report())


class GetKeys(PairTestCase):
    def test_representative_invocations(self):
        for case in GETKEYS_CASES:
            self.p.check("COMMAND", "GETKEYS", *case)
            self.p.check("COMMAND", "GETKEYSANDFLAGS", *case)
        for args in [(), ("get",), ("get", "k", "x")]:
            self.p.check("COMMAND", "GETKEYS", *args)
            self.p.check("COMMAND", "GETKEYSANDFLAGS", *args)
        self.p.check_in_sync()
        self.assertFalse(self.p.mismatches, self.p.report())

    def test_random_argument_lists(self):
        rnd = random.Random(20240707)
        for name in MOVABLE:
            for _ in range(60):
                args = [name] + [rnd.choice(WORDS) for _ in range(rnd.randint(0, 9))]
                self.p.check("COMMAND", "GETKEYS", *args)
                self.p.check("COMMAND", "GETKEYSANDFLAGS", *args)
        self.p.check_in_sync()
        self.assertFalse(self.p.mismatches, self.p.report())

    def test_every_command_at_its_arity(self):
        g, _ = self.p.both("COMMAND", "INFO")
        rnd = random.Random(7)
        for row in parse_reply(g)[0]:
            rows = [row] + list(row[9])
            for r in rows:
                name = r[0].decode()
                if name in GANNET_ONLY:
                    continue
                parts = name.split("|")
                arity = r[1]
                need = abs(arity) - len(parts)
                for extra in ([0, 2] if arity < 0 else [0]):
                    args = parts + [rnd.choice(WORDS) for _ in range(max(need, 0) + extra)]
                    self.p.check("COMMAND", "GETKEYS", *args)
                    self.p.check("COMMAND", "GETKEYSANDFLAGS", *args)
        self.p.check_in_sync()
        self.assertFalse(self.p.mismatches, self.p.report())


class RedisPyCommandParsing(PairTestCase):
    """redis-py reads COMMAND (its cluster client's key finder uses it and COMMAND GETKEYS):
    what it makes of both servers' replies must agree."""

    def test_command_table_and_key_finder(self):
        g = redis.Redis(port=self.servers.gannet.port, socket_timeout=10)
        r = redis.Redis(port=self.servers.redis.port, socket_timeout=10)
        try:
            ours, theirs = g.command(), r.command()
            self.assertIn("get", ours)
            for name, cmd in ours.items():
                with self.subTest(name):
                    self.assertEqual(strip_notes(cmd["key_specifications"]),
                                     strip_notes(theirs[name]["key_specifications"]))
                    self.assertEqual(cmd["first_key_pos"], theirs[name]["first_key_pos"])
                    self.assertEqual(cmd["flags"], theirs[name]["flags"])
            gp, rp = CommandsParser(g), CommandsParser(r)
            for args in [("GET", "k"), ("MSET", "a", "1", "b", "2"),
                         ("ZUNIONSTORE", "d", "2", "a", "b"), ("SORT", "k", "STORE", "d"),
                         ("XREAD", "STREAMS", "a", "b", "0", "0"), ("OBJECT", "FREQ", "k"),
                         ("LMPOP", "2", "a", "b", "LEFT")]:
                self.assertEqual(gp.get_keys(g, *args), rp.get_keys(r, *args), args)
        finally:
            g.close()
            r.close()


if __name__ == "__main__":
    unittest.main()
