#!/usr/bin/env python3
"""Writes src/commands/command_key_specs.cc and src/commands/command_docs.cc.

These files record interface facts that redis-server 7.0.15 reports about its commands:
  - COMMAND INFO key specifications (flags, begin_search, find_keys), and
  - COMMAND DOCS since/group/doc_flags/deprecated_since, the versions of each history entry,
    and the argument tree (names, types, key_spec_index, tokens, since, flags, nesting).
The generator asks a running redis-server for them (it starts one on a free loopback port
unless --port is given) and writes compact C++ tables, one row per command, that the
command table attaches to its rows at registration. Rows cover every command Redis 7.0.15
has, so a command added to Gannet later gets its specs and docs without touching these
files; a command Gannet has but Redis 7.0 lacks is described in EXTRA_COMMANDS below.

Prose is not copied: key-spec notes, history descriptions and replaced_by texts are Gannet's
own wording, kept in the tables below. The generator stops when Redis reports a note or a
history entry that has no wording here. Summaries and complexities live in the family rows
(src/commands/*_family.cc).

Usage:
  scripts/gen_command_specs.py            # starts redis-server itself
  scripts/gen_command_specs.py --port N   # uses a redis-server already listening on N
The output is stable and already clang-format clean: commit it as written.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY_SPECS_CC = os.path.join(ROOT, "src", "commands", "command_key_specs.cc")
DOCS_CC = os.path.join(ROOT, "src", "commands", "command_docs.cc")

# ---------------------------------------------------------------------------------------
# Gannet's own wording.

# Key-spec notes, by command and key-spec index (Redis has a note exactly there).
NOTES = {
    ("bitfield", 0): "Reads and may also modify the key (GET alone only reads)",
    ("sort", 1): "BY and GET patterns: the key names come from the sorted values",
    ("sort", 2): "STORE may appear anywhere among the options, so where it is cannot be told",
    ("sort_ro", 1): "BY and GET patterns: the key names come from the sorted values",
    ("eval", 0): "How the script uses its keys is unknown: assume the widest (RW, UPDATE)",
    ("eval_ro", 0): "How the script uses its keys is unknown: assume read access (RO, ACCESS)",
    ("fcall", 0): "How the function uses its keys is unknown: assume the widest (RW, UPDATE)",
    ("fcall_ro", 0): "How the function uses its keys is unknown: assume read access "
                     "(RO, ACCESS)",
    ("xadd", 0): "UPDATE rather than INSERT: trimming may remove entries",
    ("pfcount", 0): "RW: counting may rewrite the cached cardinality, and replicas get it",
    ("getex", 0): "RW and UPDATE: the key's expiry may change",
    ("set", 0): "RW and ACCESS because of the GET option",
}

# What replaces a deprecated command.
REPLACED_BY = {
    "brpoplpush": "BLMOVE RIGHT LEFT",
    "cluster|slaves": "CLUSTER REPLICAS",
    "cluster|slots": "CLUSTER SHARDS",
    "georadius": "GEOSEARCH or GEOSEARCHSTORE with BYRADIUS",
    "georadius_ro": "GEOSEARCH with BYRADIUS",
    "georadiusbymember": "GEOSEARCH or GEOSEARCHSTORE with FROMMEMBER and BYRADIUS",
    "georadiusbymember_ro": "GEOSEARCH with FROMMEMBER and BYRADIUS",
    "getset": "SET with GET",
    "hmset": "HSET with several field/value pairs",
    "rpoplpush": "LMOVE RIGHT LEFT",
    "slaveof": "REPLICAOF",
    "substr": "GETRANGE",
    "zrangebylex": "ZRANGE with BYLEX",
    "zrangebyscore": "ZRANGE with BYSCORE",
    "zrevrange": "ZRANGE with REV",
    "zrevrangebylex": "ZRANGE with BYLEX and REV",
    "zrevrangebyscore": "ZRANGE with BYSCORE and REV",
}

# History entries, in Redis's order (the versions come from Redis).
_TIMEOUT_DOUBLE = ["The timeout may be fractional (a double)."]
_EXPIRE_CONDS = ["New NX, XX, GT and LT conditions."]
_FLUSH = ["New ASYNC mode.", "New SYNC mode."]
_UNITS = ["Unit names are case-insensitive."]
_RESTORE = ["New REPLACE modifier.", "New ABSTTL modifier.", "New IDLETIME and FREQ options."]
_MINUS2 = ["Replies -2 for a missing key."]
HISTORY = {
    "acl|getuser": ["Reports channel patterns.",
                    "Reports selectors; key and channel patterns come as rule strings, "
                    "not lists."],
    "acl|setuser": ["Accepts channel pattern rules.",
                    "Accepts selectors, and key permissions split by access."],
    "auth": ["Accepts a username before the password (ACL users)."],
    "bgsave": ["New SCHEDULE option."],
    "bitcount": ["New BYTE and BIT index units."],
    "bitpos": ["New BYTE and BIT index units."],
    "blpop": _TIMEOUT_DOUBLE,
    "brpop": _TIMEOUT_DOUBLE,
    "brpoplpush": _TIMEOUT_DOUBLE,
    "bzpopmax": _TIMEOUT_DOUBLE,
    "bzpopmin": _TIMEOUT_DOUBLE,
    "client|kill": ["Filters given as name/value pairs.", "New ID filter.",
                    "TYPE accepts master.",
                    "TYPE takes replica in place of slave (slave still works).",
                    "New LADDR filter."],
    "client|list": ["Reply shows each client's id.", "New TYPE filter.",
                    "Reply shows the user.",
                    "Reply shows argv-mem, tot-mem, laddr and redir; new ID filter.",
                    "Reply shows resp, multi-mem, rbs and rbp.", "Reply shows ssub."],
    "client|pause": ["New mode argument; WRITE pauses only writes."],
    "cluster|meet": ["Optional cluster bus port argument."],
    "cluster|slots": ["Reply includes node IDs.",
                      "Reply includes more networking details per node."],
    "command|info": ["With no names, describes every command."],
    "config|get": ["Takes several patterns at once."],
    "config|set": ["Takes several parameter/value pairs at once."],
    "exists": ["Takes several keys."],
    "expire": _EXPIRE_CONDS,
    "expireat": _EXPIRE_CONDS,
    "flushall": _FLUSH,
    "flushdb": _FLUSH,
    "geoadd": ["New CH, NX and XX options."],
    "georadius": ["COUNT takes ANY.", "Unit names are case-insensitive."],
    "georadius_ro": ["COUNT takes ANY."],
    "georadiusbymember": _UNITS,
    "geosearch": _UNITS,
    "geosearchstore": _UNITS,
    "hdel": ["Takes several fields."],
    "hello": ["The protocol version is optional; with no arguments it describes the "
              "connection."],
    "hset": ["Takes several field/value pairs."],
    "info": ["Takes several sections."],
    "lpop": ["New count argument."],
    "lpush": ["Takes several elements."],
    "lpushx": ["Takes several elements."],
    "migrate": ["New COPY and REPLACE options.", "New KEYS option, for several keys.",
                "New AUTH option.", "New AUTH2 option (username and password)."],
    "pexpire": _EXPIRE_CONDS,
    "pexpireat": _EXPIRE_CONDS,
    "pttl": _MINUS2,
    "renamenx": ["Renaming a key to its own name is no longer an error."],
    "restore": _RESTORE,
    "restore-asking": _RESTORE,
    "rpop": ["New count argument."],
    "rpush": ["Takes several elements."],
    "rpushx": ["Takes several elements."],
    "sadd": ["Takes several members."],
    "scan": ["New TYPE filter."],
    "script|flush": ["New ASYNC and SYNC modes."],
    "set": ["New EX, PX, NX and XX options.", "New KEEPTTL option.",
            "New GET, EXAT and PXAT options.", "NX and GET may be combined."],
    "shutdown": ["New NOW, FORCE and ABORT modifiers."],
    "slowlog|get": ["Entries show the client's address and name."],
    "spop": ["New count argument."],
    "srandmember": ["New count argument."],
    "srem": ["Takes several members."],
    "ttl": _MINUS2,
    "xadd": ["New NOMKSTREAM option, MINID strategy and LIMIT option.",
             "IDs of the form <ms>-* are accepted."],
    "xautoclaim": ["Reply has a third element: the IDs of deleted entries dropped from "
                   "the PEL."],
    "xgroup|create": ["New ENTRIESREAD argument."],
    "xgroup|setid": ["New optional ENTRIESREAD argument."],
    "xinfo|groups": ["Reply adds entries-read and lag."],
    "xinfo|stream": ["New FULL modifier.",
                     "Reply adds max-deleted-entry-id, entries-added, "
                     "recorded-first-entry-id, entries-read and lag."],
    "xpending": ["New IDLE filter; range ends may be exclusive."],
    "xrange": ["Range ends may be exclusive."],
    "xrevrange": ["Range ends may be exclusive."],
    "xsetid": ["New ENTRIESADDED and MAXDELETEDID arguments."],
    "xtrim": ["New MINID strategy and LIMIT option."],
    "zadd": ["Takes several score/member pairs.", "New XX, NX, CH and INCR options.",
             "New GT and LT options."],
    "zrange": ["New REV, BYSCORE, BYLEX and LIMIT options."],
    "zrangebyscore": ["New WITHSCORES modifier."],
    "zrem": ["Takes several members."],
    "zrevrangebyscore": ["min and max may be exclusive."],
}

# Commands Gannet has that Redis 7.0 lacks, described as the Redis release that added them
# reports them (same shapes as the replies parsed below).
EXTRA_COMMANDS = {
    "client|no-touch": {
        "key_specs": [],
        "doc": {
            "since": "7.2.0",
            "group": "connection",
            "arguments": [{
                "name": "enabled", "type": "oneof",
                "arguments": [{"name": "on", "type": "pure-token", "token": "ON"},
                              {"name": "off", "type": "pure-token", "token": "OFF"}],
            }],
        },
    },
}

# ---------------------------------------------------------------------------------------
# A minimal RESP3 client.


class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")
        self.call("HELLO", "3")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()

    def _read(self):
        line = self.f.readline()[:-2]
        kind, rest = chr(line[0]), line[1:]
        if kind == "+":
            return rest.decode()
        if kind == "-":
            raise RuntimeError(rest.decode())
        if kind == ":":
            return int(rest)
        if kind == "$":
            return self.f.read(int(rest) + 2)[:-2].decode()
        if kind == "_":
            return None
        if kind in "*~":
            return [self._read() for _ in range(int(rest))]
        if kind == "%":
            m = {}
            for _ in range(int(rest)):
                k = self._read()
                m[k] = self._read()
            return m
        raise RuntimeError("unexpected reply type " + kind)


def start_redis():
    binary = shutil.which("redis-server")
    if not binary:
        sys.exit("redis-server not found")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--daemonize", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


# ---------------------------------------------------------------------------------------
# C++ output.

KEY_FLAGS = {"RO": "kKeyRO", "RW": "kKeyRW", "OW": "kKeyOW", "RM": "kKeyRM",
             "access": "kKeyAccess", "update": "kKeyUpdate", "insert": "kKeyInsert",
             "delete": "kKeyDelete", "not_key": "kKeyNotKey", "incomplete": "kKeyIncomplete",
             "variable_flags": "kKeyVariableFlags"}
ARG_TYPES = {"key", "string", "integer", "double", "pattern", "unix-time", "pure-token",
             "oneof", "block"}
ARG_FLAGS = {"optional": "?", "multiple": "*", "multiple_token": "+"}
ARG_FIELDS = {"name", "type", "key_spec_index", "token", "since", "deprecated_since", "flags",
              "arguments"}
DOC_FIELDS = {"summary", "since", "group", "complexity", "doc_flags", "deprecated_since",
              "replaced_by", "history", "arguments", "subcommands"}


def cstr(s):
    assert '"' not in s and "\\" not in s and "\n" not in s, s
    return '"' + s + '"'


def key_spec_row(name, index, ks):
    flags = " | ".join(KEY_FLAGS[f] for f in ks["flags"]) or "0"
    bs, fk = ks["begin_search"], ks["find_keys"]
    if bs["type"] == "index":
        begin = "KsIndex(%d)" % bs["spec"]["index"]
    elif bs["type"] == "keyword":
        begin = "KsKeyword(%s, %d)" % (cstr(bs["spec"]["keyword"]), bs["spec"]["startfrom"])
    else:
        assert bs["type"] == "unknown" and not bs["spec"], bs
        begin = "KsUnknownBegin()"
    if fk["type"] == "range":
        sp = fk["spec"]
        find = "KsRange(%d, %d, %d)" % (sp["lastkey"], sp["keystep"], sp["limit"])
    elif fk["type"] == "keynum":
        sp = fk["spec"]
        find = "KsKeynum(%d, %d, %d)" % (sp["keynumidx"], sp["firstkey"], sp["keystep"])
    else:
        assert fk["type"] == "unknown" and not fk["spec"], fk
        find = "KsUnknownFind()"
    assert set(ks) <= {"notes", "flags", "begin_search", "find_keys"}, ks
    fields = [cstr(name), flags, begin, find]
    if "notes" in ks:
        if (name, index) not in NOTES:
            sys.exit("no wording for the key-spec note of %s #%d: %r" % (name, index,
                                                                          ks["notes"]))
        fields.append(cstr(NOTES[(name, index)]))
    elif (name, index) in NOTES:
        sys.exit("a note for %s #%d, which Redis does not have" % (name, index))
    fields[0] = "{" + fields[0]
    fields[-1] += "}"
    return fill(fields, 4) + ","


def arg_notation(a):
    """One argument in the notation command_docs.h describes."""
    assert set(a) <= ARG_FIELDS, a
    name, kind = a["name"], a["type"]
    assert kind in ARG_TYPES, kind
    assert name and all(c.isalnum() or c in "-_:/" for c in name), name
    out = "%s<%s>" % (name, kind)
    if "key_spec_index" in a:
        out += "#%d" % a["key_spec_index"]
    if "token" in a:
        assert "'" not in a["token"] and " " not in a["token"], a["token"]
        out += "'%s'" % a["token"]
    if "since" in a:
        out += "@" + a["since"]
    if "deprecated_since" in a:
        out += "^" + a["deprecated_since"]
    for f in a.get("flags", []):
        out += ARG_FLAGS[f]
    if "arguments" in a:
        out += "(" + " ".join(arg_notation(s) for s in a["arguments"]) + ")"
    return out


def wrap_literal(text, indent, width=98):
    """A string literal split at spaces into adjacent literals of at most `width` columns."""
    pieces, cur = [], ""
    room = width - indent - 2
    for word in text.split(" "):
        add = word if not cur else " " + word
        if cur and len(cur) + len(add) > room:
            pieces.append(cur + " ")
            cur = word
        else:
            cur += add
    pieces.append(cur)
    return ("\n" + " " * indent).join(cstr(p) for p in pieces)


def doc_row(name, d):
    assert set(d) <= DOC_FIELDS, (name, d.keys())
    flags = " | ".join({"deprecated": "kDocDeprecated", "syscmd": "kDocSyscmd"}[f]
                       for f in d.get("doc_flags", [])) or "0"
    history = d.get("history", [])
    ours = HISTORY.get(name, [])
    if len(ours) != len(history):
        sys.exit("history of %s: Redis has %d entries, this script %d: %r" % (
            name, len(history), len(ours), history))
    assert all(" " not in v for v, _ in history)
    entries = ["%s %s" % (v, t) for (v, _), t in zip(history, ours)]
    replaced = ""
    if "replaced_by" in d:
        if name not in REPLACED_BY:
            sys.exit("no wording for what replaces " + name)
        replaced = REPLACED_BY[name]
    elif name in REPLACED_BY:
        sys.exit("REPLACED_BY has %s, which Redis does not deprecate" % name)
    args = " ".join(arg_notation(a) for a in d.get("arguments", []))
    head = fill(["{" + cstr(name), cstr(d["since"]), cstr(d["group"]), flags,
                 cstr(d.get("deprecated_since", "")), cstr(replaced),
                 "true" if "complexity" in d else "false", ""], 4).rstrip()
    lines = [head]
    if not entries:
        lines.append('     "",')
    for i, e in enumerate(entries):
        last = i + 1 == len(entries)
        lit = wrap_literal(e, 5)
        lines.append("     " + lit[:-1] + ('"' if last else '\\n"') + ("," if last else ""))
    lines.append("     " + wrap_literal(args, 5) + "},")
    return "\n".join(lines)


def flatten_info(rows):
    out = {}
    for row in rows:
        out[row[0]] = row
        out.update(flatten_info(row[9]))
    return out


def flatten_docs(docs):
    out = {}
    for name, d in docs.items():
        out[name] = d
        out.update(flatten_docs(d.get("subcommands", {})))
    return out


HEADER = """\
// GENERATED by scripts/gen_command_specs.py: do not edit by hand; change the script and run
// it again. It records interface facts that redis-server 7.0.15 reports in {what}.
// Any prose ({prose}) is Gannet's own wording, kept in the script.
//
"""


def fill(fields, indent, width=100):
    """`fields` joined by ", " as lines of at most `width` columns."""
    lines, cur = [], " " * indent
    for i, f in enumerate(fields):
        piece = f + ("," if i + 1 < len(fields) else "")
        if cur.strip() and len(cur) + 1 + len(piece) > width:
            lines.append(cur)
            cur = " " * (indent + 1) + piece
        else:
            cur += (" " if cur.strip() else "") + piece
    lines.append(cur)
    return "\n".join(lines)


def cc_file(what, prose, about, table_decl, rows, check, lookup):
    return "\n".join([
        HEADER.format(what=what, prose=prose) + about,
        "#include <algorithm>",
        "",
        '#include "command_metadata.h"',
        "",
        "namespace gannet {",
        "",
        "namespace {",
        "",
        "// clang-format off",
        table_decl + " = {",
    ] + rows + [
        "};",
        "// clang-format on",
        check,
        "",
        "}  // namespace",
        "",
        lookup,
        "",
        "}  // namespace gannet",
        "",
    ])


def write_key_specs(info):
    rows = []
    for name in sorted(info):
        for i, ks in enumerate(info[name]):
            rows.append(key_spec_row(name, i, ks))
    return cc_file(
        "COMMAND INFO:\n// the key specifications", "the key-spec notes",
        "// One row per key spec: the command's full name, flags, begin_search and find_keys\n"
        "// (KeySpec in include/gannet/commands/command.h), then any note. A command's rows\n"
        "// are adjacent and in key-spec index order; commands are sorted by name.\n",
        "constexpr KeySpec kKeySpecs[]", rows,
        "static_assert(std::ranges::is_sorted(kKeySpecs, {}, &KeySpec::command));",
        "std::span<const KeySpec> FindKeySpecs(std::string_view name) { return KeySpecsIn(kKeySpecs, "
        "name); }")


def write_docs(docs):
    rows = [doc_row(name, docs[name]) for name in sorted(docs)]
    return cc_file(
        "COMMAND DOCS:\n// since, group, doc flags, deprecation, history versions and "
        "argument trees", "history entries, replaced_by",
        "// One row per command (CommandDocInfo in command_metadata.h, which describes the\n"
        "// argument notation): name, since, group, doc flags, deprecated_since, replaced_by,\n"
        "// whether Redis documents a complexity, history (\"version text\" lines), arguments.\n"
        "// Sorted by name.\n",
        "constexpr CommandDocInfo kDocs[]", rows,
        "static_assert(std::ranges::is_sorted(kDocs, {}, &CommandDocInfo::name));",
        "const CommandDocInfo* FindDocInfo(std::string_view name) { return DocInfoIn(kDocs, name); }")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, help="a running redis-server 7.0.x")
    opts = ap.parse_args()
    proc = None
    port = opts.port
    if port is None:
        proc, port = start_redis()
    try:
        conn = Resp(port)
        version = conn.call("HELLO", "3")["version"]
        if not version.startswith("7.0."):
            sys.exit("want redis-server 7.0.x, got " + version)
        info = {n: row[8] for n, row in flatten_info(conn.call("COMMAND", "INFO")).items()}
        docs = flatten_docs(conn.call("COMMAND", "DOCS"))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    assert set(info) == set(docs)
    for name, extra in EXTRA_COMMANDS.items():
        assert name not in info, name
        info[name] = extra["key_specs"]
        docs[name] = extra["doc"]
    unused = set(HISTORY) - set(docs)
    if unused:
        sys.exit("HISTORY names commands Redis lacks: %s" % sorted(unused))
    with open(KEY_SPECS_CC, "w") as f:
        f.write(write_key_specs(info))
    with open(DOCS_CC, "w") as f:
        f.write(write_docs(docs))
    print("wrote %s (%d commands) and %s" % (KEY_SPECS_CC, len(info), DOCS_CC))


if __name__ == "__main__":
    main()
