"""Differential tests of the data types: the same command sequences go to gannet-server and to
redis-server 7.0 (the oracle), and the replies must be byte-identical, in RESP2 and again in
RESP3 after HELLO 3.

Hand-written sequences cover every command of issue 3's list with its edge cases (negative
counts, LIMIT, BYLEX ranges, WITHSCORES, -0 scores, BITFIELD overflow, GEO units, XADD ids,
XPENDING ranges) and its errors; seeded random sequences per type follow (rerun one with
GANNET_DIFF_SEED=<seed>). Replies are compared exactly, except where Redis itself promises no
order (members of hashtable-encoded sets and hashes: compared as multisets, the RESP type
included), where the reply is random (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER: the shape
and count are compared), and where it holds a clock (stream idle times: masked).
"""

import os
import random
import re
import unittest

import _setup  # noqa: F401
from difftools import PairTestCase
from harness import RespError, parse_reply

I64_MAX = "9223372036854775807"
I64_MIN = "-9223372036854775808"


# --- comparators -----------------------------------------------------------------------------

def _flatten_items(v):
    """A reply's elements as a sorted list of hashable items (nested arrays as tuples)."""
    def norm(x):
        if isinstance(x, dict):
            return tuple(sorted((norm(k), norm(val)) for k, val in x.items()))
        if isinstance(x, list):
            return tuple(norm(e) for e in x)
        return x if not isinstance(x, RespError) else ("ERR", x.message)
    return sorted((norm(e) for e in v), key=repr)


def unordered(a, b):
    """Arrays/sets equal as multisets, with the same RESP type byte (RESP3 set vs array)."""
    if a[:1] != b[:1]:
        return False
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, dict) and isinstance(vb, dict):
        return va == vb
    if isinstance(va, list) and isinstance(vb, list):
        return _flatten_items(va) == _flatten_items(vb)
    return a == b


def unordered_pairs(a, b):
    """HGETALL / ZSCAN-like flat field,value arrays of a hashtable: equal as pair sets."""
    if a[:1] != b[:1]:
        return False
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, dict) and isinstance(vb, dict):
        return va == vb
    if isinstance(va, list) and isinstance(vb, list) and len(va) % 2 == 0:
        return sorted(zip(va[::2], va[1::2])) == sorted(zip(vb[::2], vb[1::2]))
    return a == b


def shape(a, b):
    """Random replies: the same RESP type, the same number of elements (and of nested
    elements); errors and nulls exactly."""
    if a[:1] != b[:1]:
        return False
    if a[:1] in (b"-", b"_") or a in (b"$-1\r\n", b"*-1\r\n") or b in (b"$-1\r\n", b"*-1\r\n"):
        return a == b
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, list) and isinstance(vb, list):
        return len(va) == len(vb) and [type(x) for x in va] == [type(x) for x in vb] and all(
            not isinstance(x, list) or len(x) == len(y) for x, y in zip(va, vb))
    if isinstance(va, (bytes, str)) and isinstance(vb, (bytes, str)):
        return True  # one random member each
    return a == b


_IDLE = re.compile(rb"(\$4\r\nidle\r\n|\$8\r\ninactive\r\n|\$9\r\nseen-time\r\n"
                   rb"|\$11\r\nactive-time\r\n|\$13\r\ndelivery-time\r\n):-?\d+\r\n")


_MS = re.compile(rb":\d{13,}\r\n")


def no_clock(a, b):
    """Stream replies carrying idle/seen times: those integers are masked."""
    def mask(x):
        # Keyed idle/seen times, and the unkeyed delivery times (unix ms, 13 digits) of the
        # PEL entries in XINFO STREAM FULL.
        return _MS.sub(b":T\r\n", _IDLE.sub(rb"\1:T\r\n", x))
    return mask(a) == mask(b)


def xpending_extended(a, b):
    """XPENDING key group start end count: [id, consumer, idle-ms, deliveries] per entry;
    the idle time is the clock's."""
    if a[:1] != b[:1]:
        return False
    va, vb = parse_reply(a)[0], parse_reply(b)[0]
    if isinstance(va, list) and isinstance(vb, list) and all(
            isinstance(e, list) and len(e) == 4 for e in va + vb):
        return [(e[0], e[1], e[3]) for e in va] == [(e[0], e[1], e[3]) for e in vb]
    return a == b


# --- sequences ---------------------------------------------------------------------------------
# A command is a tuple of arguments, or (comparator, args...) when it needs one.

def U(*args):
    return (unordered,) + args


def UP(*args):
    return (unordered_pairs,) + args


def R(*args):
    return (shape,) + args


def T(*args):
    return (no_clock,) + args


BIG = "x" * 100  # past hash/zset-max-listpack-value

HASHES = [
    ("HSET", "h", "f1", "v1"), ("HSET", "h", "f1", "v2", "f2", "10"), ("HGET", "h", "f1"),
    ("HGET", "h", "nope"), ("HGET", "nokey", "f"), ("HSETNX", "h", "f1", "x"),
    ("HSETNX", "h", "f3", "x"), ("HMSET", "h", "a", "1", "b", "2"), ("HMSET", "h", "a"),
    ("HMGET", "h", "f1", "nope", "a"), ("HMGET", "nokey", "a", "b"), ("HGETALL", "h"),
    ("HKEYS", "h"), ("HVALS", "h"), ("HLEN", "h"), ("HLEN", "nokey"), ("HEXISTS", "h", "a"),
    ("HEXISTS", "h", "zz"), ("HSTRLEN", "h", "f1"), ("HSTRLEN", "h", "f2"), ("HSTRLEN", "h", "no"),
    ("HDEL", "h", "a", "a", "nope"), ("HDEL", "h"), ("HGETALL", "nokey"),
    ("HINCRBY", "h", "f2", "5"), ("HINCRBY", "h", "f2", "-20"), ("HINCRBY", "h", "new", "3"),
    ("HINCRBY", "h", "f1", "1"), ("HINCRBY", "h", "f2", "x"), ("HINCRBY", "h", "f2", "1.5"),
    ("HSET", "h", "max", I64_MAX), ("HINCRBY", "h", "max", "1"), ("HSET", "h", "min", I64_MIN),
    ("HINCRBY", "h", "min", "-1"), ("HINCRBY", "h", "min", I64_MIN),
    ("HINCRBYFLOAT", "h", "fl", "1.5"), ("HINCRBYFLOAT", "h", "fl", "0.1"),
    ("HINCRBYFLOAT", "h", "fl", "-1e3"), ("HINCRBYFLOAT", "h", "f1", "1"),
    ("HINCRBYFLOAT", "h", "fl", "nan"), ("HINCRBYFLOAT", "h", "fl", "inf"),
    ("HINCRBYFLOAT", "h", "fl", "x"), ("HSET", "hf", "fb", "1e308"),
    ("HINCRBYFLOAT", "hf", "fb", "1e308"), ("HGET", "hf", "fb"),
    ("HINCRBYFLOAT", "h", "f2", "3.0"), ("HGET", "h", "f2"),
    ("HINCRBYFLOAT", "h", "z0", "-0"), ("HGETALL", "h"),
    ("HSCAN", "h", "0"), ("HSCAN", "h", "0", "COUNT", "1"), ("HSCAN", "h", "0", "MATCH", "f*"),
    ("HSCAN", "h", "0", "COUNT", "0"), ("HSCAN", "h", "x"), ("HSCAN", "h", "0", "FOO"),
    ("HSCAN", "nokey", "0"),
    # HRANDFIELD: random picks compared by shape; whole-hash answers exactly
    ("HRANDFIELD", "nokey"), ("HRANDFIELD", "nokey", "3"), ("HRANDFIELD", "nokey", "-3"),
    R("HRANDFIELD", "h"), R("HRANDFIELD", "h", "2"), R("HRANDFIELD", "h", "-20"),
    R("HRANDFIELD", "h", "-3", "WITHVALUES"), R("HRANDFIELD", "h", "2", "WITHVALUES"),
    ("HRANDFIELD", "h", "0"), ("HRANDFIELD", "h", "0", "WITHVALUES"),
    ("HRANDFIELD", "h", "100"), ("HRANDFIELD", "h", "100", "WITHVALUES"),
    ("HRANDFIELD", "h", "x"), ("HRANDFIELD", "h", "1", "FOO"), ("HRANDFIELD", "h", I64_MIN),
    ("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"),
    # conversion to hashtable (long value), then unordered reads
    ("OBJECT", "ENCODING", "h"), ("HSET", "h", "long", BIG), ("OBJECT", "ENCODING", "h"),
    UP("HGETALL", "h"), U("HKEYS", "h"), U("HVALS", "h"), ("HLEN", "h"),
    ("HGET", "h", "long"), ("HSTRLEN", "h", "long"), ("HDEL", "h", "long"),
    ("HEXISTS", "h", "long"),
    ("OBJECT", "ENCODING", "h"), R("HRANDFIELD", "h", "-5", "WITHVALUES"),
    ("HSET", "hk", BIG, "v"), ("OBJECT", "ENCODING", "hk"),
    # wrong types and arity
    ("SET", "str", "x"), ("HSET", "str", "f", "v"), ("HGET", "str", "f"), ("HGETALL", "str"),
    ("HLEN", "str"), ("HSET", "h", "f"), ("HSET", "h"), ("HGET", "h"), ("HINCRBY", "h", "f"),
    ("HINCRBYFLOAT", "h"), ("HSTRLEN", "h"), ("HKEYS",), ("HMGET", "h"), ("HSETNX", "h", "f"),
    ("HDEL", "h", "f1", "f2", "f3", "fl", "fb", "z0", "max", "min", "new", "b"), ("EXISTS", "h"),
    ("TYPE", "hk"),
]

LISTS = [
    ("RPUSH", "l", "a", "b", "c"), ("LPUSH", "l", "z", "y"), ("LRANGE", "l", "0", "-1"),
    ("LPUSHX", "l", "x"), ("RPUSHX", "l", "w"), ("LPUSHX", "nokey", "x"), ("RPUSHX", "nokey", "x"),
    ("EXISTS", "nokey"), ("LLEN", "l"), ("LLEN", "nokey"), ("LINDEX", "l", "0"),
    ("LINDEX", "l", "-1"), ("LINDEX", "l", "100"), ("LINDEX", "l", "-100"), ("LINDEX", "l", "x"),
    ("LSET", "l", "0", "X"), ("LSET", "l", "-1", "W"), ("LSET", "l", "100", "q"),
    ("LSET", "nokey", "0", "q"), ("LSET", "l", "x", "q"),
    ("LRANGE", "l", "1", "2"), ("LRANGE", "l", "-3", "-1"), ("LRANGE", "l", "5", "1"),
    ("LRANGE", "l", "-100", "100"), ("LRANGE", "l", I64_MIN, I64_MAX), ("LRANGE", "l", "a", "1"),
    ("LINSERT", "l", "BEFORE", "a", "a0"), ("LINSERT", "l", "AFTER", "c", "c1"),
    ("LINSERT", "l", "AFTER", "nope", "q"), ("LINSERT", "nokey", "AFTER", "a", "q"),
    ("LINSERT", "l", "MIDDLE", "a", "q"), ("LRANGE", "l", "0", "-1"),
    ("RPUSH", "r", "a", "b", "a", "c", "a", "b"), ("LREM", "r", "1", "a"), ("LREM", "r", "-1", "b"),
    ("LREM", "r", "0", "a"), ("LREM", "r", "0", "nope"), ("LREM", "r", "x", "a"),
    ("LRANGE", "r", "0", "-1"),
    ("RPUSH", "p", "a", "b", "c", "1", "2", "3", "c", "c"), ("LPOS", "p", "c"),
    ("LPOS", "p", "c", "RANK", "2"), ("LPOS", "p", "c", "RANK", "-1"),
    ("LPOS", "p", "c", "COUNT", "0"),
    ("LPOS", "p", "c", "COUNT", "2"), ("LPOS", "p", "c", "RANK", "-2", "COUNT", "5"),
    ("LPOS", "p", "c", "MAXLEN", "3"), ("LPOS", "p", "c", "COUNT", "0", "MAXLEN", "4"),
    ("LPOS", "p", "nope"), ("LPOS", "p", "nope", "COUNT", "0"), ("LPOS", "p", "c", "RANK", "0"),
    ("LPOS", "p", "c", "RANK", I64_MIN), ("LPOS", "p", "c", "COUNT", "-1"),
    ("LPOS", "p", "c", "MAXLEN", "-1"), ("LPOS", "p", "c", "FOO"), ("LPOS", "p", "1"),
    ("LPOS", "nokey", "x"), ("LPOS", "nokey", "x", "COUNT", "0"),
    ("LTRIM", "p", "1", "-2"), ("LRANGE", "p", "0", "-1"), ("LTRIM", "p", "5", "1"),
    ("EXISTS", "p"),
    ("LTRIM", "l", "x", "1"),
    ("RPUSH", "q", "1", "2", "3", "4", "5"), ("LPOP", "q"), ("RPOP", "q"), ("LPOP", "q", "2"),
    ("RPOP", "q", "0"), ("LPOP", "q", "-1"), ("LPOP", "q", "x"), ("RPOP", "q", "10"),
    ("EXISTS", "q"),
    ("LPOP", "nokey"), ("LPOP", "nokey", "2"), ("RPOP", "nokey", "0"),
    ("RPUSH", "m1", "a", "b", "c"), ("LMOVE", "m1", "m2", "LEFT", "RIGHT"),
    ("LMOVE", "m1", "m2", "RIGHT", "LEFT"), ("LMOVE", "m1", "m1", "LEFT", "RIGHT"),
    ("LRANGE", "m1", "0", "-1"), ("LRANGE", "m2", "0", "-1"),
    ("LMOVE", "nokey", "m2", "LEFT", "LEFT"),
    ("LMOVE", "m1", "m2", "UP", "LEFT"), ("RPOPLPUSH", "m2", "m3"), ("RPOPLPUSH", "nokey", "m3"),
    ("LMPOP", "2", "nokey", "m2", "LEFT"), ("LMPOP", "1", "m3", "RIGHT", "COUNT", "5"),
    ("LMPOP", "1", "nokey", "LEFT"), ("LMPOP", "0", "m1", "LEFT"), ("LMPOP", "1", "m1", "UP"),
    ("LMPOP", "1", "m1", "LEFT", "COUNT", "0"), ("LMPOP", "1", "m1", "LEFT", "COUNT", "-1"),
    ("LMPOP", "2", "m1", "LEFT"), ("LMPOP", "x", "m1", "LEFT"),
    # blocking forms: data present, or a short timeout on nothing
    ("RPUSH", "b1", "x", "y"), ("BLPOP", "nokey", "b1", "0"), ("BRPOP", "b1", "0"),
    ("BLPOP", "nokey", "0.01"), ("BRPOP", "nokey", "0.01"), ("BLPOP", "b1", "-1"),
    ("BLPOP", "b1", "x"), ("BLPOP", "b1", "inf"), ("RPUSH", "b2", "1", "2"),
    ("BLMOVE", "b2", "b3", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "b2", "b3", "0"),
    ("BRPOPLPUSH", "nokey", "b3", "0.01"), ("BLMOVE", "nokey", "b3", "LEFT", "LEFT", "0.01"),
    ("BLMPOP", "0.01", "1", "nokey", "LEFT"), ("BLMPOP", "0", "1", "b3", "RIGHT", "COUNT", "9"),
    ("BLMPOP", "-1", "1", "b3", "LEFT"), ("LRANGE", "b3", "0", "-1"),
    # a big list (several nodes) and long items
    ("RPUSH", "big", *[str(i) for i in range(300)]), ("RPUSH", "big", BIG * 50, BIG),
    ("LINDEX", "big", "150"), ("LRANGE", "big", "140", "160"), ("LREM", "big", "-2", "7"),
    ("LINSERT", "big", "BEFORE", "200", "mid"), ("LPOS", "big", "mid"),
    ("LTRIM", "big", "10", "-10"),
    ("LLEN", "big"), ("LSET", "big", "100", BIG), ("LRANGE", "big", "98", "102"),
    ("OBJECT", "ENCODING", "big"), ("OBJECT", "ENCODING", "l"),
    # wrong types and arity
    ("SET", "str", "x"), ("LPUSH", "str", "a"), ("LRANGE", "str", "0", "-1"), ("LLEN", "str"),
    ("LMOVE", "l", "str", "LEFT", "LEFT"), ("RPOPLPUSH", "str", "l"), ("LPUSH", "l"),
    ("LINSERT", "l", "BEFORE", "a"), ("LPOS", "l"), ("LREM", "l", "1"), ("BLPOP", "l"),
    ("LMPOP", "1"), ("LRANGE", "l", "0"),
]

SETS = [
    ("SADD", "i", "3", "1", "2", "1"), ("SMEMBERS", "i"), ("OBJECT", "ENCODING", "i"),
    ("SADD", "i", "-5", I64_MAX, I64_MIN), ("SMEMBERS", "i"), ("SISMEMBER", "i", "2"),
    ("SISMEMBER", "i", "9"), ("SISMEMBER", "nokey", "1"), ("SMISMEMBER", "i", "1", "9", "-5"),
    ("SMISMEMBER", "nokey", "1"), ("SCARD", "i"), ("SCARD", "nokey"), ("SREM", "i", "1", "9", "1"),
    ("SSCAN", "i", "0"), ("SSCAN", "i", "0", "MATCH", "-*"), ("SSCAN", "i", "x"),
    ("SADD", "i", "007"), ("OBJECT", "ENCODING", "i"), U("SMEMBERS", "i"),
    ("SADD", "s", "a", "b", "c", "d"), ("SADD", "t", "c", "d", "e"), ("SADD", "n", "1", "2", "c"),
    U("SINTER", "s", "t"), U("SINTER", "s", "nokey"), U("SUNION", "s", "t", "n"),
    U("SDIFF", "s", "t"), U("SDIFF", "s", "t", "n"), U("SDIFF", "nokey", "s"),
    ("SINTERCARD", "2", "s", "t"), ("SINTERCARD", "2", "s", "t", "LIMIT", "1"),
    ("SINTERCARD", "2", "s", "t", "LIMIT", "0"), ("SINTERCARD", "1", "s", "LIMIT", "-1"),
    ("SINTERCARD", "0", "s"), ("SINTERCARD", "3", "s", "t"), ("SINTERCARD", "2", "s", "nokey"),
    ("SINTERCARD", "x", "s"), ("SINTERCARD", "1", "s", "FOO", "1"),
    ("SINTERSTORE", "d1", "s", "t"), U("SMEMBERS", "d1"), ("SINTERSTORE", "d1", "s", "nokey"),
    ("EXISTS", "d1"), ("SUNIONSTORE", "d2", "s", "n"), ("SCARD", "d2"),
    ("SDIFFSTORE", "d3", "s", "t"),
    U("SMEMBERS", "d3"), ("SDIFFSTORE", "d3", "nokey"), ("EXISTS", "d3"),
    ("SADD", "ii", "1", "2", "3"), ("SADD", "ij", "2", "3", "4"), ("SINTERSTORE", "di", "ii", "ij"),
    ("SMEMBERS", "di"), ("OBJECT", "ENCODING", "di"), ("SUNIONSTORE", "du", "ii", "ij"),
    ("SMEMBERS", "du"), ("OBJECT", "ENCODING", "du"), ("SMEMBERS", "ii"),
    ("SMOVE", "s", "t", "a"), ("SMOVE", "s", "t", "nope"), ("SMOVE", "nokey", "t", "a"),
    ("SMOVE", "s", "s", "b"), ("SMOVE", "ii", "s", "1"), U("SMEMBERS", "s"), ("SMEMBERS", "ii"),
    # random replies: shape only; deterministic cases exactly
    R("SPOP", "s"), R("SPOP", "t", "2"), ("SPOP", "nokey"), ("SPOP", "nokey", "2"),
    ("SPOP", "t", "0"), ("SPOP", "t", "-1"), ("SPOP", "t", "x"), U("SPOP", "n", "100"),
    ("EXISTS", "n"), R("SRANDMEMBER", "t"), R("SRANDMEMBER", "t", "2"),
    R("SRANDMEMBER", "t", "-10"), U("SRANDMEMBER", "ii", "100"), ("SRANDMEMBER", "t", "0"),
    ("SRANDMEMBER", "nokey"), ("SRANDMEMBER", "nokey", "5"), ("SRANDMEMBER", "nokey", "-5"),
    ("SRANDMEMBER", "t", I64_MIN), ("SRANDMEMBER", "t", "x"),
    # conversion past set-max-intset-entries
    ("CONFIG", "SET", "set-max-intset-entries", "4"), ("SADD", "c", "1", "2", "3", "4"),
    ("OBJECT", "ENCODING", "c"), ("SADD", "c", "5"), ("OBJECT", "ENCODING", "c"),
    ("CONFIG", "SET", "set-max-intset-entries", "512"),
    # wrong types and arity
    ("SET", "str", "x"), ("SADD", "str", "a"), ("SMEMBERS", "str"), ("SINTER", "s", "str"),
    ("SUNIONSTORE", "d", "str"), ("SMOVE", "str", "s", "a"), ("SMOVE", "s", "str", "a"),
    ("SADD", "s"), ("SREM", "s"), ("SCARD",), ("SMISMEMBER", "s"), ("SINTERCARD", "1"),
]

ZSETS = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "NX", "5", "a", "4", "d"),
    ("ZADD", "z", "XX", "5", "a", "6", "e"), ("ZADD", "z", "XX", "CH", "5", "a", "7", "b"),
    ("ZADD", "z", "GT", "CH", "1", "a", "9", "c"), ("ZADD", "z", "LT", "CH", "0", "a", "100", "c"),
    ("ZADD", "z", "INCR", "2", "a"), ("ZADD", "z", "INCR", "NX", "2", "a"),
    ("ZADD", "z", "INCR", "XX", "1", "nope"), ("ZADD", "z", "INCR", "1", "a", "2", "b"),
    ("ZADD", "z", "NX", "XX", "1", "a"), ("ZADD", "z", "GT", "LT", "1", "a"),
    ("ZADD", "z", "NX", "GT", "1", "a"), ("ZADD", "z", "1"), ("ZADD", "z", "x", "a"),
    ("ZADD", "z", "nan", "a"), ("ZADD", "z", "inf", "inf1", "-inf", "ninf1"),
    ("ZADD", "z", "INCR", "inf", "inf1"), ("ZADD", "z", "INCR", "-inf", "inf1"),
    ("ZINCRBY", "z", "-inf", "inf1"), ("ZINCRBY", "z", "1.5", "a"), ("ZINCRBY", "z", "x", "a"),
    ("ZINCRBY", "z", "1", "new"), ("ZADD", "z", "0.1", "f1", "0.30000000000000004", "f2",
                                        "1e-310", "tiny", "123456789012345678", "huge"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZSCORE", "z", "f2"), ("ZSCORE", "z", "tiny"),
    ("ZSCORE", "z", "nope"), ("ZSCORE", "nokey", "a"), ("ZMSCORE", "z", "a", "nope", "inf1"),
    ("ZMSCORE", "nokey", "a"), ("ZCARD", "z"), ("ZCARD", "nokey"),
    ("ZCOUNT", "z", "-inf", "+inf"), ("ZCOUNT", "z", "(1", "5"), ("ZCOUNT", "z", "5", "1"),
    ("ZCOUNT", "z", "x", "1"), ("ZCOUNT", "z", "((1", "2"),
    ("ZRANK", "z", "a"), ("ZREVRANK", "z", "a"), ("ZRANK", "z", "nope"), ("ZRANK", "nokey", "a"),
    ("ZRANGE", "z", "0", "2"), ("ZRANGE", "z", "-2", "-1", "WITHSCORES"), ("ZRANGE", "z", "5", "1"),
    ("ZRANGE", "z", "0", "-1", "REV"), ("ZRANGE", "z", "(1", "5", "BYSCORE"),
    ("ZRANGE", "z", "5", "(1", "BYSCORE", "REV", "WITHSCORES"),
    ("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "1", "2"),
    ("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "1", "-1"),
    ("ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "-1", "2"),
    ("ZRANGE", "z", "0", "-1", "LIMIT", "1", "2"), ("ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"),
    ("ZRANGE", "z", "(1", "5"), ("ZRANGE", "z", "0", "-1", "FOO"),
    ("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "0", "3"),
    ("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "2", "2"), ("ZREVRANGE", "z", "0", "1"),
    ("ZREVRANGE", "z", "0", "1", "WITHSCORES"), ("ZRANGEBYSCORE", "z", "(0.1", "(1"),
    ("ZRANGEBYSCORE", "z", "1", "x"),
    ("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f"),
    ("ZRANGEBYLEX", "lex", "-", "+"), ("ZRANGEBYLEX", "lex", "[b", "(e"),
    ("ZRANGEBYLEX", "lex", "(b", "[e", "LIMIT", "1", "2"), ("ZREVRANGEBYLEX", "lex", "+", "-"),
    ("ZREVRANGEBYLEX", "lex", "[e", "(b"), ("ZRANGEBYLEX", "lex", "b", "e"),
    ("ZRANGEBYLEX", "lex", "[e", "[b"), ("ZLEXCOUNT", "lex", "-", "+"),
    ("ZLEXCOUNT", "lex", "[c", "+"), ("ZLEXCOUNT", "lex", "x", "+"),
    ("ZRANGE", "lex", "[b", "[d", "BYLEX"), ("ZRANGE", "lex", "[d", "[b", "BYLEX", "REV"),
    ("ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", "2", "10"),
    ("ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "z", "0", "2"), ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
    ("ZRANGESTORE", "dst", "lex", "[b", "[d", "BYLEX"), ("ZRANGE", "dst", "0", "-1"),
    ("ZRANGESTORE", "dst", "z", "5", "1"), ("EXISTS", "dst"),
    ("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"),
    ("ZREM", "lex", "a", "nope", "a"), ("ZREMRANGEBYLEX", "lex", "[b", "[c"),
    ("ZRANGE", "lex", "0", "-1"), ("ZREMRANGEBYRANK", "z", "0", "0"),
    ("ZREMRANGEBYRANK", "z", "-1", "-1"), ("ZREMRANGEBYSCORE", "z", "(0.1", "1"),
    ("ZREMRANGEBYSCORE", "z", "x", "1"), ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "2"), ("ZPOPMIN", "z", "0"), ("ZPOPMIN", "z", "-1"),
    ("ZPOPMIN", "nokey"), ("ZPOPMAX", "nokey", "3"), ("ZPOPMIN", "z", "x"),
    ("ZMPOP", "2", "nokey", "z", "MIN"), ("ZMPOP", "1", "z", "MAX", "COUNT", "2"),
    ("ZMPOP", "1", "z", "MIN", "COUNT", "0"), ("ZMPOP", "1", "nokey", "MIN"),
    ("ZMPOP", "0", "z", "MIN"), ("ZMPOP", "1", "z", "UP"),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"),
    ("BZPOPMIN", "nokey", "z", "0"), ("BZPOPMAX", "z", "0"), ("BZPOPMIN", "nokey", "0.01"),
    ("BZMPOP", "0.01", "1", "nokey", "MIN"), ("BZMPOP", "0", "1", "z", "MAX", "COUNT", "100"),
    ("BZPOPMIN", "z", "-1"), ("EXISTS", "z"),
    # union, intersection, difference
    ("ZADD", "za", "1", "a", "2", "b", "3", "c"), ("ZADD", "zb", "10", "b", "20", "c", "30", "d"),
    ("SADD", "sa", "a", "d", "x"),
    ("ZUNION", "2", "za", "zb", "WITHSCORES"), ("ZINTER", "2", "za", "zb", "WITHSCORES"),
    ("ZDIFF", "2", "za", "zb", "WITHSCORES"), ("ZDIFF", "2", "zb", "za"),
    ("ZUNION", "3", "za", "zb", "sa", "WEIGHTS", "1", "2", "3", "WITHSCORES"),
    ("ZUNION", "2", "za", "zb", "AGGREGATE", "MAX", "WITHSCORES"),
    ("ZINTER", "2", "za", "zb", "AGGREGATE", "MIN", "WITHSCORES"),
    ("ZINTER", "2", "za", "zb", "WEIGHTS", "inf", "-inf", "WITHSCORES"),
    # inf * 0 is cleared to 0 for the first input only: later, SUM gives 0 and MIN/MAX keep.
    ("ZADD", "zinf", "-inf", "m", "0", "g", "inf", "n"),
    ("ZINTER", "2", "zinf", "zinf", "WEIGHTS", "0.1", "0", "WITHSCORES"),
    ("ZINTER", "2", "zinf", "zinf", "WEIGHTS", "0.1", "0", "AGGREGATE", "MIN", "WITHSCORES"),
    ("ZINTER", "2", "zinf", "zinf", "WEIGHTS", "0.1", "0", "AGGREGATE", "MAX", "WITHSCORES"),
    ("ZINTERSTORE", "zinfo", "2", "zinf", "zinf", "WEIGHTS", "0", "1", "AGGREGATE", "MAX"),
    ("ZRANGE", "zinfo", "0", "-1", "WITHSCORES"),
    ("ZUNION", "2", "za", "zb", "WEIGHTS", "1"), ("ZUNION", "2", "za", "zb", "WEIGHTS", "1", "x"),
    ("ZUNION", "2", "za", "zb", "AGGREGATE", "AVG"), ("ZUNION", "0", "za"),
    ("ZUNION", "3", "za", "zb"), ("ZUNIONSTORE", "zu", "2", "za", "zb"),
    ("ZRANGE", "zu", "0", "-1", "WITHSCORES"), ("ZINTERSTORE", "zi", "2", "za", "sa"),
    ("ZRANGE", "zi", "0", "-1", "WITHSCORES"), ("ZDIFFSTORE", "zd", "2", "za", "zb"),
    ("ZRANGE", "zd", "0", "-1", "WITHSCORES"), ("ZINTERSTORE", "zi", "2", "za", "nokey"),
    ("EXISTS", "zi"), ("ZINTERCARD", "2", "za", "zb"),
    ("ZINTERCARD", "2", "za", "zb", "LIMIT", "1"),
    ("ZINTERCARD", "2", "za", "zb", "LIMIT", "-1"), ("ZINTERCARD", "0", "za"),
    # The inputs are looked up before the options: WRONGTYPE beats a syntax/LIMIT error.
    ("SET", "zistr", "x"), ("ZINTERCARD", "1", "zistr", "extra"),
    ("ZINTERCARD", "2", "za", "zistr", "LIMIT", "x"), ("ZINTERCARD", "1", "za", "extra"),
    ("ZUNIONSTORE", "zu", "2", "za", "zb", "WITHSCORES"),
    # -0: listpack sets store 0, skiplist sets keep -0; computed replies show -0
    ("ZADD", "m0", "-0", "a"), ("ZSCORE", "m0", "a"), ("ZINCRBY", "m0", "-0", "a"),
    ("ZINCRBY", "m0n", "-0", "b"), ("ZSCORE", "m0n", "b"), ("ZADD", "m0i", "INCR", "-0", "c"),
    ("ZADD", "w0", "0", "q"), ("ZUNIONSTORE", "o1", "1", "w0", "WEIGHTS", "-1"),
    ("ZSCORE", "o1", "q"), ("ZINTERSTORE", "o2", "1", "w0", "WEIGHTS", "-1"), ("ZSCORE", "o2", "q"),
    ("ZUNION", "1", "w0", "WEIGHTS", "-1", "WITHSCORES"),
    ("ZINTER", "1", "w0", "WEIGHTS", "-1", "WITHSCORES"),
    ("ZADD", "neg", "-1", "a"), ("ZUNIONSTORE", "o3", "2", "neg", "neg", "WEIGHTS", "0", "-0",
                                 "AGGREGATE", "MAX"), ("ZRANGE", "o3", "0", "-1", "WITHSCORES"),
    ("CONFIG", "SET", "zset-max-listpack-entries", "0"),
    ("ZADD", "s0", "-0", "a"), ("ZSCORE", "s0", "a"), ("OBJECT", "ENCODING", "s0"),
    ("ZINCRBY", "s1", "-0", "b"), ("ZSCORE", "s1", "b"), ("ZADD", "w1", "0", "q"),
    ("ZUNIONSTORE", "o4", "1", "w1", "WEIGHTS", "-1"), ("ZSCORE", "o4", "q"),
    ("ZINTERSTORE", "o5", "1", "w1", "WEIGHTS", "-1"), ("ZRANGE", "o5", "0", "-1", "WITHSCORES"),
    ("ZDIFFSTORE", "o6", "1", "o4"), ("ZSCORE", "o6", "q"), ("ZRANGESTORE", "o7", "o4", "0", "-1"),
    ("ZSCORE", "o7", "q"), ("ZMSCORE", "o4", "q"), ("ZRANGEBYSCORE", "o4", "-0", "0", "WITHSCORES"),
    ("CONFIG", "SET", "zset-max-listpack-entries", "128"),
    ("ZUNIONSTORE", "o8", "1", "w1", "WEIGHTS", "-1"), ("OBJECT", "ENCODING", "o8"),
    ("ZSCORE", "o8", "q"), ("ZRANGESTORE", "o9", "o4", "0", "-1"), ("ZSCORE", "o9", "q"),
    ("ZDIFF", "1", "o4", "WITHSCORES"), ("ZPOPMIN", "o4"),
    # conversion to the big encoding and reads across it
    ("ZADD", "zl", "1", "a", "2", BIG), ("OBJECT", "ENCODING", "zl"),
    ("ZADD", "zbig", *sum(([str(i % 17), f"m{i}"] for i in range(200)), [])),
    ("OBJECT", "ENCODING", "zbig"), ("ZRANGE", "zbig", "10", "20", "WITHSCORES"),
    ("ZRANK", "zbig", "m150"), ("ZREVRANK", "zbig", "m150"), ("ZCOUNT", "zbig", "3", "(5"),
    ("ZRANGEBYSCORE", "zbig", "15", "+inf", "LIMIT", "3", "4"),
    ("ZREMRANGEBYRANK", "zbig", "0", "99"),
    ("ZCARD", "zbig"), ("ZUNIONSTORE", "zsmall", "1", "zbig"), ("OBJECT", "ENCODING", "zsmall"),
    ("ZREMRANGEBYSCORE", "zbig", "-inf", "14"), ("ZCARD", "zbig"), ("OBJECT", "ENCODING", "zbig"),
    ("ZSCAN", "za", "0"), ("ZSCAN", "za", "0", "MATCH", "b*"), ("ZSCAN", "za", "x"),
    # random members: shape
    R("ZRANDMEMBER", "za"), R("ZRANDMEMBER", "za", "2"), R("ZRANDMEMBER", "za", "-5", "WITHSCORES"),
    ("ZRANDMEMBER", "za", "0"), ("ZRANDMEMBER", "za", "10", "WITHSCORES"), ("ZRANDMEMBER", "nokey"),
    ("ZRANDMEMBER", "nokey", "2"), ("ZRANDMEMBER", "za", I64_MIN),
    # wrong types and arity
    ("SET", "str", "x"), ("ZADD", "str", "1", "a"), ("ZRANGE", "str", "0", "-1"),
    ("ZUNIONSTORE", "d", "1", "str"), ("ZSCORE", "str", "a"), ("ZADD", "z"), ("ZRANGE", "z", "0"),
    ("ZINCRBY", "z", "1"), ("ZRANGESTORE", "d", "z", "0"), ("ZPOPMIN",), ("ZINTERCARD", "1"),
]

BITMAPS = [
    ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "0"), ("SETBIT", "b", "100", "1"),
    ("GETBIT", "b", "100"), ("GETBIT", "b", "1000000"), ("GETBIT", "nokey", "0"),
    ("SETBIT", "b", "-1", "1"), ("SETBIT", "b", "4294967296", "1"), ("SETBIT", "b", "1", "2"),
    ("SETBIT", "b", "x", "1"), ("GETBIT", "b", "-1"), ("GET", "b"),
    ("SET", "s", "foobar"), ("BITCOUNT", "s"), ("BITCOUNT", "s", "0", "0"),
    ("BITCOUNT", "s", "1", "1"),
    # An empty negative range is 0 before the unit is looked at.
    ("BITCOUNT", "s", "-1", "-6", "FOO"), ("BITCOUNT", "s", "-6", "-1", "FOO"),
    ("BITCOUNT", "s", "-2", "-1"), ("BITCOUNT", "s", "5", "30", "BIT"), ("BITCOUNT", "s", "0", "-1",
                                                                            "BYTE"),
    ("BITCOUNT", "s", "-5", "-1", "BIT"), ("BITCOUNT", "s", "0"),
    ("BITCOUNT", "s", "0", "1", "FOO"),
    ("BITCOUNT", "nokey"), ("BITCOUNT", "s", I64_MIN, I64_MAX),
    ("SET", "p", "\xff\xf0\x00"), ("BITPOS", "p", "0"), ("BITPOS", "p", "1"),
    ("BITPOS", "p", "0", "2"),
    ("BITPOS", "p", "1", "2"), ("BITPOS", "p", "1", "2", "-1", "BYTE"),
    ("BITPOS", "p", "0", "7", "15",
                                                                             "BIT"),
    ("BITPOS", "p", "1", "7", "-3", "BIT"), ("BITPOS", "nokey", "0"), ("BITPOS", "nokey", "1"),
    ("SET", "allone", "\xff\xff"), ("BITPOS", "allone", "0"), ("BITPOS", "allone", "0", "0", "-1"),
    ("BITPOS", "p", "2"), ("BITPOS", "p", "1", "x"),
    ("SET", "a", "abc"), ("SET", "c", "xy"), ("BITOP", "AND", "dst", "a", "c"), ("GET", "dst"),
    ("BITOP", "OR", "dst", "a", "c", "nokey"), ("GET", "dst"), ("BITOP", "XOR", "dst", "a", "c"),
    ("GET", "dst"), ("BITOP", "NOT", "dst", "a"), ("GET", "dst"), ("BITOP", "NOT", "dst", "a", "c"),
    ("BITOP", "NAND", "dst", "a"), ("BITOP", "AND", "dst", "nokey", "nokey2"), ("EXISTS", "dst"),
    ("BITFIELD", "bf", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"),
    ("BITFIELD", "bf", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "5"),
    ("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "200"),
    ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "200", "GET", "i8", "0"),
    ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-300", "INCRBY", "u8", "8", "-1"),
    ("BITFIELD", "bf", "SET", "i64", "0", I64_MIN, "INCRBY", "i64", "0", "-1"),
    ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1"),
    ("BITFIELD", "bf", "SET", "u63", "0", I64_MAX, "INCRBY", "u63", "0", "1"),
    ("BITFIELD", "bf", "GET", "u64", "0"), ("BITFIELD", "bf", "GET", "i65", "0"),
    ("BITFIELD", "bf", "GET", "u8", "#1"),
    ("BITFIELD", "bf", "SET", "u8", "#2", "7", "GET", "u8", "16"),
    ("BITFIELD", "bf", "GET", "u8", "-1"), ("BITFIELD", "bf", "GET", "x8", "0"),
    ("BITFIELD", "bf", "OVERFLOW", "FOO"), ("BITFIELD", "bf", "INCRBY", "u8", "0"),
    ("BITFIELD", "bf", "SET", "u8", "0", "x"), ("BITFIELD", "bf"),
    ("BITFIELD", "nokey", "GET", "u8", "0"),
    ("BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "i4", "4"),
    ("BITFIELD_RO", "bf", "SET", "u8", "0", "1"),
    ("BITFIELD_RO", "bf"), ("BITFIELD", "bf", "SET", "u8", "4294967296", "1"),
    ("LPUSH", "lst", "a"), ("SETBIT", "lst", "0", "1"), ("BITCOUNT", "lst"),
    ("BITOP", "AND", "d", "lst"),
]

HLL = [
    ("PFADD", "h1", "a", "b", "c"), ("PFADD", "h1", "a"), ("PFADD", "h1"),
    ("PFADD", "h2", "c", "d"),
    ("PFCOUNT", "h1"), ("PFCOUNT", "h1", "h2"), ("PFCOUNT", "nokey"), ("PFMERGE", "h3", "h1", "h2"),
    ("PFCOUNT", "h3"), ("PFMERGE", "h4"), ("PFCOUNT", "h4"), ("GET", "h1"), ("GET", "h3"),
    ("PFADD", "big", *[f"e{i}" for i in range(3000)]), ("PFCOUNT", "big"), ("GET", "big"),
    ("PFMERGE", "h3", "big"), ("PFCOUNT", "h3"), ("PFCOUNT", "h1", "big", "nokey"),
    ("SET", "str", "not an hll"), ("PFADD", "str", "a"), ("PFCOUNT", "str"),
    ("PFMERGE", "str", "h1"),
    ("SET", "bad", "HYLL\x05\x00\x00\x00" + "\x00" * 8), ("PFCOUNT", "bad"), ("PFADD", "bad", "x"),
    ("LPUSH", "lst", "a"), ("PFADD", "lst", "a"), ("PFCOUNT", "lst"), ("PFCOUNT",), ("PFMERGE",),
]

GEO = [
    ("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
    ("GEOADD", "g", "NX", "13.361389", "38.115556", "Palermo", "2.349014", "48.864716", "Paris"),
    ("GEOADD", "g", "XX", "CH", "2.35", "48.86", "Paris", "0", "0", "Null"),
    ("GEOADD", "g", "CH", "2.35", "48.86", "Paris"), ("GEOADD", "g", "NX", "XX", "0", "0", "x"),
    ("GEOADD", "g", "181", "0", "bad"), ("GEOADD", "g", "0", "86", "bad"),
    ("GEOADD", "g", "x", "0", "bad"),
    ("GEOADD", "g", "0", "0"), ("GEOPOS", "g", "Palermo", "nope", "Paris"),
    ("GEOPOS", "nokey", "a"),
    ("GEODIST", "g", "Palermo", "Catania"), ("GEODIST", "g", "Palermo", "Catania", "km"),
    ("GEODIST", "g", "Palermo", "Catania", "mi"), ("GEODIST", "g", "Palermo", "Catania", "ft"),
    ("GEODIST", "g", "Palermo", "Catania", "M"), ("GEODIST", "g", "Palermo", "Paris", "yd"),
    ("GEODIST", "g", "Palermo", "nope"), ("GEODIST", "nokey", "a", "b"),
    ("GEOHASH", "g", "Palermo", "Catania", "nope"), ("GEOHASH", "nokey", "a"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHCOORD",
     "WITHDIST", "WITHHASH"),
    ("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"),
    ("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "3000", "km", "COUNT", "2", "ASC"),
    ("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "3000", "km", "COUNT", "1", "ANY"),
    ("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "3000", "mi", "ASC", "WITHDIST"),
    ("GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37"), ("GEOSEARCH", "g", "BYRADIUS", "1", "km"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "COUNT", "0"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "ANY"),
    ("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "parsec"),
    ("GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"),
    ("ZRANGE", "gs", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"),
    ("ZRANGE", "gs", "0", "-1", "WITHSCORES"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "DESC", "WITHHASH"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gr"), ("ZRANGE", "gr", "0", "-1"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "gr"), ("ZRANGE", "gr", "0", "-1",
                                                                      "WITHSCORES"),
    ("GEORADIUS_RO", "g", "15", "37", "200", "km", "ASC"),
    ("GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "x"),
    ("GEORADIUSBYMEMBER", "g", "Palermo", "300", "km", "ASC", "WITHDIST"),
    ("GEORADIUSBYMEMBER_RO", "g", "Palermo", "300", "km", "DESC"),
    ("GEORADIUSBYMEMBER", "g", "nope", "300", "km"), ("GEORADIUS", "g", "15", "37", "200"),
    ("SET", "str", "x"), ("GEOADD", "str", "0", "0", "a"), ("GEOPOS", "str", "a"),
    # Scores no GEOADD writes (negative, fractional, past 2^52, 2^63 and 2^64, infinite): the
    # geo commands read them as hashes the way Redis's (uint64_t) cast on x86-64 does.
    ("ZADD", "gz", "-10", "neg", "-0.5", "half", "-1e19", "vneg", "9.2e18", "b63", "9.3e18",
     "big", "2e19", "huge", "+inf", "pinf", "-inf", "ninf", "4503599627370495.5", "edge"),
    ("GEOADD", "gz", "13.361389", "38.115556", "Palermo"),
    ("GEOPOS", "gz", "neg", "half", "vneg", "b63", "big", "huge", "pinf", "ninf", "edge"),
    ("GEOHASH", "gz", "neg", "half", "vneg", "b63", "big", "huge", "pinf", "ninf", "edge"),
    ("GEODIST", "gz", "neg", "pinf", "km"), ("GEODIST", "gz", "edge", "Palermo"),
    ("GEOSEARCH", "gz", "FROMMEMBER", "neg", "BYRADIUS", "500", "km", "ASC", "WITHCOORD",
     "WITHDIST", "WITHHASH"),
    ("GEOSEARCH", "gz", "FROMMEMBER", "ninf", "BYBOX", "1000", "1000", "km", "ASC", "WITHDIST"),
]

STREAMS = [
    # An exact trim that flags a node's last live entry keeps the node (XINFO counts it).
    ("XADD", "tn", "23-5", "g", "b"), ("XADD", "tn", "30-1", "a", "a"), ("XDEL", "tn", "30-1"),
    ("XTRIM", "tn", "MINID", "=", "28"), (no_clock, "XINFO", "STREAM", "tn"),
    ("XADD", "tn", "31-1", "c", "d"), (no_clock, "XINFO", "STREAM", "tn"), ("XRANGE", "tn", "-", "+"),
    # XSETID below a deleted entry: XADD appends to a node whose flagged entries are out of
    # order; reads pass flagged entries before checking the range (was a truncated reply).
    ("XADD", "to", "7-0", "a", "1"), ("XADD", "to", "18446744073709551615-18446744073709551615",
                                      "b", "2"),
    ("XDEL", "to", "18446744073709551615-18446744073709551615"),
    ("XTRIM", "to", "MINID", "=", "18446744073709551615-18446744073709551615"),
    ("XSETID", "to", "0-0"), ("XADD", "to", "33-*", "c", "3"), (no_clock, "XINFO", "STREAM", "to"),
    ("XRANGE", "to", "-", "+"), ("XREVRANGE", "to", "+", "-"), ("XRANGE", "to", "33-0", "33-0"),
    ("XSETID", "to", "33-0"), ("XADD", "to", "33-1", "d", "4"), ("XDEL", "to", "33-0"),
    ("XRANGE", "to", "-", "+"), (no_clock, "XINFO", "STREAM", "to", "FULL"),
    # Group counters wrap past INT64_MAX as Redis's long long does.
    ("XADD", "tw", "31-1", "a", "c"),
    ("XSETID", "tw", "18446744073709551615-18446744073709551615", "ENTRIESADDED", I64_MAX),
    ("XGROUP", "CREATE", "tw", "g1", "0"), ("XREADGROUP", "GROUP", "g1", "c1", "STREAMS", "tw", ">"),
    ("XSETID", "tw", "31-1"), ("XADD", "tw", "31-5", "e", "5"),
    ("XREADGROUP", "GROUP", "g1", "c2", "STREAMS", "tw", ">"), (no_clock, "XINFO", "GROUPS", "tw"),
    ("XADD", "tx", "1-1", "a", "b"), ("XSETID", "tx", "1-1", "ENTRIESADDED", I64_MAX),
    ("XADD", "tx", "2-1", "a", "b"), ("XGROUP", "CREATE", "tx", "g", "0"),
    ("XGROUP", "CREATE", "tx", "g2", "1-1"), (no_clock, "XINFO", "GROUPS", "tx"),
    ("XADD", "s", "1-1", "f", "v"), ("XADD", "s", "1-1", "f", "v"), ("XADD", "s", "1-0", "f", "v"),
    ("XADD", "s", "0-0", "f", "v"), ("XADD", "s", "1-*", "a", "1", "b", "2"),
    ("XADD", "s", "5", "c", "3"),
    ("XADD", "s", "5-*", "c", "3"), ("XADD", "s", "x-1", "f", "v"), ("XADD", "s", "1", "f"),
    ("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"),
    ("XADD", "s", "*", "f", "v"),
    ("XADD", "new", "NOMKSTREAM", "1-1", "f", "v"), ("EXISTS", "new"),
    ("XADD", "t", "1-1", "a", "1"), ("XADD", "t", "2-1", "a", "2"), ("XADD", "t", "3-1", "a", "3"),
    ("XADD", "t", "MAXLEN", "=", "2", "4-1", "a", "4"), ("XLEN", "t"), ("XRANGE", "t", "-", "+"),
    ("XADD", "t", "MAXLEN", "~", "1", "5-1", "a", "5"), ("XLEN", "t"),
    ("XADD", "t", "MINID", "=", "4-1", "6-1", "a", "6"), ("XRANGE", "t", "-", "+"),
    ("XADD", "t", "MAXLEN", "=", "1", "LIMIT", "10", "7-1", "a", "7"),
    ("XADD", "t", "MAXLEN", "~", "1", "LIMIT", "10", "8-1", "a", "8"),
    ("XADD", "t", "MAXLEN", "-1", "9-1", "a", "9"), ("XADD", "t", "MAXLEN", "x", "9-1", "a", "9"),
    ("XADD", "t", "MAXLEN", "1", "MINID", "1", "9-1", "a", "9"),
    ("XLEN", "nokey"), ("XRANGE", "s", "-", "+"), ("XRANGE", "s", "1", "1"),
    ("XRANGE", "s", "(1-1", "+"),
    ("XRANGE", "s", "-", "+", "COUNT", "1"), ("XRANGE", "s", "-", "+", "COUNT", "0"),
    ("XRANGE", "s", "-", "+", "COUNT", "-1"), ("XRANGE", "s", "(-", "+"), ("XRANGE", "s", "x", "+"),
    ("XREVRANGE", "s", "+", "-"), ("XREVRANGE", "s", "+", "(1-1", "COUNT", "2"),
    ("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"),
    ("XDEL", "s", "1-1", "9-9"), ("XDEL", "s", "x"), ("XLEN", "s"), ("XTRIM", "s", "MAXLEN", "1"),
    ("XTRIM", "s", "MINID", "~", "0"), ("XTRIM", "s", "FOO", "1"),
    ("XTRIM", "nokey", "MAXLEN", "1"),
    # consumer groups
    ("DEL", "s"), ("XADD", "s", "1-0", "f", "1"), ("XADD", "s", "2-0", "f", "2"),
    ("XADD", "s", "3-0", "f", "3"), ("XGROUP", "CREATE", "s", "g", "0"),
    ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "nokey", "g", "$"),
    ("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM"), ("XGROUP", "CREATE", "s", "g2", "$",
                                                       "ENTRIESREAD", "3"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "c0"), ("XGROUP", "CREATECONSUMER", "s", "g", "c0"),
    ("XGROUP", "CREATECONSUMER", "s", "nog", "c0"),
    ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "g", "c2", "NOACK", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "nog", "c1", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s"), ("XPENDING", "s", "g"),
    (xpending_extended, "XPENDING", "s", "g", "-", "+", "10"),
    (xpending_extended, "XPENDING", "s", "g", "-", "+", "10", "c1"),
    (xpending_extended, "XPENDING", "s", "g", "(1-0", "+", "1"),
    ("XPENDING", "s", "g", "IDLE", "100000000", "-", "+", "10"),
    ("XPENDING", "s", "g", "-", "+", "-1"), ("XPENDING", "s", "g", "-", "+"),
    ("XPENDING", "s", "nog"), ("XPENDING", "nokey", "g"), ("XPENDING", "s", "g", "x", "+", "1"),
    ("XACK", "s", "g", "1-0", "9-0"), ("XACK", "s", "g", "x"), ("XPENDING", "s", "g"),
    ("XCLAIM", "s", "g", "c3", "0", "2-0", "JUSTID"), ("XCLAIM", "s", "g", "c3", "0", "9-0"),
    ("XCLAIM", "s", "g", "c3", "0", "3-0", "FORCE", "JUSTID"),
    ("XCLAIM", "s", "g", "c3", "x", "2-0"), ("XAUTOCLAIM", "s", "g", "c4", "0", "0", "COUNT", "1"),
    ("XAUTOCLAIM", "s", "g", "c4", "0", "0", "JUSTID"), ("XAUTOCLAIM", "s", "g", "c4", "0", "0",
                                                         "COUNT", "0"),
    T("XINFO", "STREAM", "s"), T("XINFO", "STREAM", "s", "FULL"), T("XINFO", "STREAM", "s", "FULL",
                                                                     "COUNT", "1"),
    T("XINFO", "GROUPS", "s"), T("XINFO", "CONSUMERS", "s", "g"), ("XINFO", "STREAM", "nokey"),
    ("XINFO", "CONSUMERS", "s", "nog"), ("XGROUP", "DELCONSUMER", "s", "g", "c4"),
    ("XGROUP", "SETID", "s", "g", "1-0"), ("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "2"),
    T("XINFO", "GROUPS", "s"), ("XGROUP", "DESTROY", "s", "g2"), ("XGROUP", "DESTROY", "s", "g2"),
    ("XSETID", "s", "1-0"), ("XSETID", "s", "10-0"), ("XSETID", "s", "20-0", "ENTRIESADDED", "1"),
    ("XSETID", "s", "30-0", "ENTRIESADDED", "10", "MAXDELETEDID", "5-0"), T("XINFO", "STREAM", "s"),
    ("XREAD", "COUNT", "1", "STREAMS", "s", "0"), ("XREAD", "STREAMS", "s", "mk", "0", "0"),
    ("XREAD", "STREAMS", "s", "$"), ("XREAD", "BLOCK", "10", "STREAMS", "s", "$"),
    ("XREAD", "STREAMS", "s"), ("XREAD", "COUNT", "x", "STREAMS", "s", "0"),
    ("SET", "str", "x"), ("XADD", "str", "*", "f", "v"), ("XRANGE", "str", "-", "+"),
    ("XLEN", "str"),
]

SORTS = [
    ("RPUSH", "l", "3", "1", "2"), ("SORT", "l"), ("SORT", "l", "DESC"),
    ("SORT", "l", "LIMIT", "1", "1"),
    ("RPUSH", "w", "b", "a", "c"), ("SORT", "w"), ("SORT", "w", "ALPHA"),
    ("SORT", "w", "ALPHA", "DESC"),
    ("MSET", "wt_1", "30", "wt_2", "10", "wt_3", "20", "obj_1", "one", "obj_2", "two"),
    ("SORT", "l", "BY", "wt_*"), ("SORT", "l", "BY", "wt_*", "GET", "obj_*", "GET", "#"),
    ("SORT", "l", "BY", "nosort", "GET", "obj_*"), ("SORT", "l", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"),
    ("HSET", "hw_1", "f", "5"), ("SORT", "l", "BY", "hw_*->f", "GET", "hw_*->f"),
    ("SORT_RO", "l", "DESC"), ("SORT_RO", "l", "STORE", "x"), ("SORT", "l", "LIMIT", "0"),
    ("SADD", "si", "5", "2", "9"), ("SORT", "si"), ("ZADD", "zs", "1", "c", "2", "a"),
    ("SORT", "zs", "ALPHA"),
    ("SET", "str", "x"), ("SORT", "str"), ("SORT", "nokey"),
    # ALPHA collates C strings (up to a NUL) unless STORE asks for a binary order.
    ("RPUSH", "nul", "a\x00z", "a\x00b", "a", "\x00q", ""), ("SORT", "nul", "ALPHA"),
    ("SORT", "nul", "ALPHA", "DESC"), ("SORT", "nul", "ALPHA", "STORE", "nuls"),
    ("LRANGE", "nuls", "0", "-1"),
    ("MSET", "nw_a\x00z", "x\x00b", "nw_a\x00b", "x\x00a", "nw_a", "y"),
    ("SORT", "nul", "BY", "nw_*", "ALPHA"), ("SORT", "nul", "BY", "nw_*", "ALPHA", "LIMIT", "0", "3"),
    ("SORT", "nul", "BY", "nw_*", "ALPHA", "STORE", "nuls"), ("LRANGE", "nuls", "0", "-1"),
]

SEQUENCES = {"hashes": HASHES, "lists": LISTS, "sets": SETS, "zsets": ZSETS, "bitmaps": BITMAPS,
             "hll": HLL, "geo": GEO, "streams": STREAMS, "sort": SORTS}


# --- random sequences per type --------------------------------------------------------------

class RandomTypes:
    """Seeded random commands of one type over a small key space; deterministic replies are
    compared exactly, the rest with the comparators above."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def key(self):
        return self.r.choice(["k1", "k2", "k3", "nokey"])

    def member(self):
        r = self.r
        return r.choice([
            lambda: r.choice("abcdefg"), lambda: str(r.randint(-3, 20)),
            lambda: r.choice(["", "\x00\r\n\xff", "x" * 70, "-0", "007", I64_MAX, I64_MIN]),
        ])()

    def count(self):
        return self.r.choice(["0", "1", "2", "5", "-1", "-3", "100", "x", I64_MIN])

    def index(self):
        return self.r.choice(["0", "1", "-1", "-2", "3", "10", "-10", I64_MAX, I64_MIN, "x"])

    def score(self):
        return self.r.choice(["0", "1", "-1", "2.5", "-0", "inf", "-inf", "1e-310", "0.1",
                              "(1", "(-inf", "nan", "x", str(self.r.randint(-5, 5))])

    def lex(self):
        return self.r.choice(["-", "+", "[a", "(a", "[c", "(d", "[", "a", "[x" * 35])

    def hashes(self):
        r, k, m = self.r, self.key, self.member
        return r.choice([
            lambda: ["HSET", k()] + sum(([m(), m()] for _ in range(r.randint(1, 3))), []),
            lambda: ["HSETNX", k(), m(), m()], lambda: ["HGET", k(), m()],
            lambda: ["HMGET", k(), m(), m()], lambda: ["HDEL", k(), m(), m()],
            lambda: ["HEXISTS", k(), m()], lambda: ["HLEN", k()], lambda: ["HSTRLEN", k(), m()],
            lambda: ["HINCRBY", k(), m(), self.count()],
            lambda: ["HINCRBYFLOAT", k(), m(), self.score()],
            lambda: [unordered_pairs, "HGETALL", k()], lambda: [unordered, "HKEYS", k()],
            lambda: [unordered, "HVALS", k()],
            lambda: [shape, "HRANDFIELD", k(), self.count()] + r.choice([[], ["WITHVALUES"]]),
        ])()

    def lists(self):
        r, k, m = self.r, self.key, self.member
        return r.choice([
            lambda: [r.choice(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), k(), m(), m()],
            lambda: [r.choice(["LPOP", "RPOP"]), k()] + r.choice([[], [self.count()]]),
            lambda: ["LRANGE", k(), self.index(), self.index()],
            lambda: ["LINDEX", k(), self.index()],
            lambda: ["LSET", k(), self.index(), m()], lambda: ["LLEN", k()],
            lambda: ["LINSERT", k(), r.choice(["BEFORE", "AFTER"]), m(), m()],
            lambda: ["LREM", k(), self.count(), m()],
            lambda: ["LTRIM", k(), self.index(), self.index()],
            lambda: ["LPOS", k(), m()] + r.choice([[], ["RANK", self.index()],
                                                    ["COUNT", self.count()],
                                                    ["MAXLEN", self.count()]]),
            lambda: ["LMOVE", k(), k(), r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT"])],
            lambda: ["RPOPLPUSH", k(), k()],
            lambda: ["LMPOP", "2", k(), k(), r.choice(["LEFT", "RIGHT"]), "COUNT", self.count()],
        ])()

    def sets(self):
        r, k, m = self.r, self.key, self.member
        return r.choice([
            lambda: ["SADD", k(), m(), m(), m()], lambda: ["SREM", k(), m(), m()],
            lambda: [unordered, "SMEMBERS", k()], lambda: ["SISMEMBER", k(), m()],
            lambda: ["SMISMEMBER", k(), m(), m()], lambda: ["SCARD", k()],
            # (SPOP removes random members: only its whole-set and error forms keep the two
            # servers' contents equal.)
            lambda: [unordered, "SPOP", k(), r.choice(["100", "0", "-1", "x"])],
            lambda: [shape, "SRANDMEMBER", k(), self.count()], lambda: ["SMOVE", k(), k(), m()],
            lambda: [unordered, r.choice(["SINTER", "SUNION", "SDIFF"]), k(), k()],
            lambda: [r.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), k(), k(), k()],
            lambda: ["SINTERCARD", "2", k(), k(), "LIMIT", self.count()],
        ])()

    def zsets(self):
        r, k, m = self.r, self.key, self.member
        flags = [[], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"], ["INCR"], ["GT", "CH"], ["NX", "XX"]]
        return r.choice([
            lambda: ["ZADD", k(), *r.choice(flags), self.score(), m(), self.score(), m()],
            lambda: ["ZADD", k(), *r.choice(flags), self.score(), m()],
            lambda: ["ZINCRBY", k(), self.score(), m()], lambda: ["ZSCORE", k(), m()],
            lambda: ["ZMSCORE", k(), m(), m()], lambda: ["ZREM", k(), m(), m()],
            lambda: ["ZRANK", k(), m()], lambda: ["ZREVRANK", k(), m()], lambda: ["ZCARD", k()],
            lambda: ["ZCOUNT", k(), self.score(), self.score()],
            # Lex ranges are defined only when all scores are equal (otherwise Redis's answer
            # hangs on its skiplist's random levels): they get a key of their own, "lx".
            lambda: ["ZADD", "lx", "0", m(), "0", m()],
            lambda: ["ZLEXCOUNT", "lx", self.lex(), self.lex()],
            lambda: ["ZRANGE", k(), self.index(), self.index()]
            + r.choice([[], ["WITHSCORES"], ["REV"]]),
            lambda: ["ZRANGE", k(), self.score(), self.score(), "BYSCORE"]
            + r.choice([[], ["REV"]]) + r.choice([[], ["LIMIT", self.index(), self.count()]])
            + r.choice([[], ["WITHSCORES"]]),
            lambda: ["ZRANGE", "lx", self.lex(), self.lex(), "BYLEX"] + r.choice([[], ["REV"]])
            + r.choice([[], ["LIMIT", self.index(), self.count()]]),
            lambda: ["ZRANGESTORE", k(), k(), self.index(), self.index()],
            lambda: ["ZREMRANGEBYSCORE", k(), self.score(), self.score()],
            lambda: ["ZREMRANGEBYLEX", "lx", self.lex(), self.lex()],
            lambda: ["ZREMRANGEBYRANK", k(), self.index(), self.index()],
            lambda: [r.choice(["ZPOPMIN", "ZPOPMAX"]), k()] + r.choice([[], [self.count()]]),
            lambda: [r.choice(["ZUNION", "ZINTER", "ZDIFF"]), "2", k(), k()]
            + r.choice([[], ["WITHSCORES"]]),
            lambda: [r.choice(["ZUNIONSTORE", "ZINTERSTORE"]), k(), "2", k(), k(), "WEIGHTS",
                     self.score(), self.score(), "AGGREGATE", r.choice(["SUM", "MIN", "MAX"])],
            lambda: ["ZDIFFSTORE", k(), "2", k(), k()],
            lambda: ["ZINTERCARD", "2", k(), k(), "LIMIT", self.count()],
            lambda: [shape, "ZRANDMEMBER", k(), self.count()] + r.choice([[], ["WITHSCORES"]]),
        ])()


def stream_commands(seed, count):
    """The stream fuzz (formerly tests/commands/testdata/stream_fuzz_diff.py): explicit-id
    XADD/XDEL/XTRIM/XRANGE/XINFO/XGROUP/XREADGROUP/XACK/XCLAIM/XAUTOCLAIM/XPENDING/XREAD."""
    rnd = random.Random(seed)
    cmds = [["CONFIG", "SET", "stream-node-max-entries", str(rnd.choice([3, 5, 100]))]]
    state = {"ms": 1}
    ids = []

    def rid():
        if ids and rnd.random() < 0.8:
            return rnd.choice(ids)
        return "%d-%d" % (rnd.randint(0, state["ms"] + 2), rnd.randint(0, 2))

    for _ in range(count):
        r = rnd.random()
        if r < 0.35:
            state["ms"] += rnd.randint(0, 3)
            ms = state["ms"]
            i2 = "%d-*" % ms if rnd.random() < 0.5 else "%d-%d" % (ms, rnd.randint(0, 5))
            opt = []
            if rnd.random() < 0.2:
                opt = ["MAXLEN", rnd.choice(["~", "="]), str(rnd.randint(0, 30))]
            elif rnd.random() < 0.1:
                opt = ["MINID", rnd.choice(["~", "="]), rid()]
            cmds.append(["XADD", "s"] + opt + [i2] + rnd.choice([["a", "1"], ["a", "2", "b", "3"],
                                                                ["c", "x"]]))
            if not i2.endswith("*"):
                ids.append(i2)
        elif r < 0.45:
            cmds.append(["XDEL", "s"] + [rid() for _ in range(rnd.randint(1, 3))])
        elif r < 0.5:
            cmds.append(["XTRIM", "s", rnd.choice(["MAXLEN", "MINID"]), rnd.choice(["~", "="]),
                         str(rnd.randint(0, 40)) if rnd.random() < 0.5 else rid()])
        elif r < 0.55:
            cmds.append(["XRANGE", "s", rnd.choice(["-", rid(), "(" + rid()]),
                         rnd.choice(["+", rid()]), "COUNT", str(rnd.randint(0, 5))])
        elif r < 0.6:
            cmds.append(["XREVRANGE", "s", rnd.choice(["+", rid()]), rnd.choice(["-", rid()])])
        elif r < 0.65:
            cmds.append([no_clock, "XINFO", "STREAM", "s"])
        elif r < 0.68:
            cmds.append(["XGROUP", "CREATE", "s", rnd.choice(["g1", "g2"]),
                         rnd.choice(["0", "$", rid()])]
                        + (["ENTRIESREAD", str(rnd.randint(-1, 10))] if rnd.random() < 0.3 else []))
        elif r < 0.75:
            cmds.append(["XREADGROUP", "GROUP", rnd.choice(["g1", "g2"]), rnd.choice(["c1", "c2"]),
                         "COUNT", str(rnd.randint(1, 4)), "STREAMS", "s",
                         rnd.choice([">", ">", "0", rid()])])
        elif r < 0.8:
            cmds.append(["XACK", "s", rnd.choice(["g1", "g2"])] + [rid() for _ in range(2)])
        elif r < 0.83:
            cmds.append(["XCLAIM", "s", rnd.choice(["g1", "g2"]), rnd.choice(["c1", "c3"]), "0"]
                        + [rid() for _ in range(2)] + ["JUSTID"]
                        + (["FORCE"] if rnd.random() < 0.3 else []))
        elif r < 0.86:
            cmds.append(["XAUTOCLAIM", "s", rnd.choice(["g1", "g2"]), rnd.choice(["c1", "c3"]), "0",
                         rnd.choice(["0", rid()]), "COUNT", str(rnd.randint(1, 4)), "JUSTID"])
        elif r < 0.9:
            cmds.append(["XPENDING", "s", rnd.choice(["g1", "g2"])])
        elif r < 0.94:
            cmds.append([no_clock, "XINFO", "GROUPS", "s"])
        elif r < 0.96:
            cmds.append(["XGROUP", "SETID", "s", rnd.choice(["g1", "g2"]),
                         rnd.choice(["0", "$", rid()])])
        elif r < 0.98:
            cmds.append(["XREAD", "COUNT", "3", "STREAMS", "s", rid()])
        else:
            cmds.append(["XGROUP", "DELCONSUMER", "s", rnd.choice(["g1", "g2"]),
                         rnd.choice(["c1", "c2", "c3"])])
    return cmds


# --- the tests ---------------------------------------------------------------------------------

def send(pair, cmd):
    if cmd and callable(cmd[0]):
        pair.check(*cmd[1:], compare=cmd[0])
    else:
        pair.check(*cmd)


class DifferentialTypes(PairTestCase):
    def tearDown(self):
        # Restore the defaults a sequence may have changed.
        for name, value in (("zset-max-listpack-entries", "128"), ("set-max-intset-entries", "512"),
                            ("stream-node-max-entries", "100")):
            self.p.both("CONFIG", "SET", name, value)
        self.p.close()

    def run_sequence(self, commands, label):
        for cmd in commands:
            send(self.p, cmd)
        self.p.check_in_sync()
        if self.p.mismatches:
            self.fail(f"{label} (RESP{self.PROTO}): " + self.p.report())

    def test_hashes(self):
        self.run_sequence(HASHES, "hashes")

    def test_lists(self):
        self.run_sequence(LISTS, "lists")

    def test_sets(self):
        self.run_sequence(SETS, "sets")

    def test_zsets(self):
        self.run_sequence(ZSETS, "zsets")

    def test_bitmaps(self):
        self.run_sequence(BITMAPS, "bitmaps")

    def test_hyperloglog(self):
        self.run_sequence(HLL, "hyperloglog")

    def test_geo(self):
        self.run_sequence(GEO, "geo")

    def test_streams(self):
        self.run_sequence(STREAMS, "streams")

    def test_sort(self):
        self.run_sequence(SORTS, "sort")

    def seeds(self, default):
        env = os.environ.get("GANNET_DIFF_SEED")
        return [int(env)] if env else default

    def random_type(self, kind, seeds, count=400):
        for seed in self.seeds(seeds):
            with self.subTest(kind=kind, seed=seed):
                self.p.both("FLUSHALL")
                self.p.mismatches = []
                gen = RandomTypes(seed)
                for _ in range(count):
                    send(self.p, getattr(gen, kind)())
                    if len(self.p.mismatches) >= 10:
                        break
                # The final contents must agree too.
                read = {"hashes": (unordered_pairs, "HGETALL"), "lists": (None, "LRANGE"),
                        "sets": (unordered, "SMEMBERS"), "zsets": (None, "ZRANGE")}[kind]
                for key in ("k1", "k2", "k3"):
                    send(self.p, ("TYPE", key))
                    if kind in ("lists", "zsets"):
                        send(self.p, (read[1], key, "0", "-1")
                             + (("WITHSCORES",) if kind == "zsets" else ()))
                    else:
                        send(self.p, (read[0], read[1], key))
                self.p.check_in_sync()
                if self.p.mismatches:
                    self.fail(f"{kind} seed {seed} (RESP{self.PROTO}): " + self.p.report())

    def test_random_hashes(self):
        self.random_type("hashes", [1, 2])

    def test_random_lists(self):
        self.random_type("lists", [3, 4])

    def test_random_sets(self):
        self.random_type("sets", [5, 6])

    def test_random_zsets(self):
        self.random_type("zsets", [7, 8, 9])

    def test_random_streams(self):
        for seed in self.seeds([11, 12, 13]):
            with self.subTest(seed=seed):
                self.p.both("FLUSHALL")
                self.p.mismatches = []
                for cmd in stream_commands(seed, 400):
                    send(self.p, cmd)
                    if len(self.p.mismatches) >= 10:
                        break
                self.p.check_in_sync()
                if self.p.mismatches:
                    self.fail(f"streams seed {seed} (RESP{self.PROTO}): " + self.p.report())


class DifferentialTypesResp3(DifferentialTypes):
    PROTO = 3


if __name__ == "__main__":
    unittest.main(verbosity=2)
