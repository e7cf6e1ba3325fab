// libFuzzer target for the command layer: each input is a sequence of commands run through the
// real CommandTable and Dispatcher (the path the server takes after parsing) over a Keyspace on
// a ManualClock, with the fake client/server views of tests/testing/fake_views.h.
//
// Input format: one command per line ('\n'); arguments are separated by single spaces, so two
// spaces make an empty argument. Arguments are raw bytes otherwise (no quoting). Lines starting
// with '@' drive the harness instead of the dispatcher:
//   @time N    advance the fake clock N ms (0..1e9) and time out blocked clients that are due
//   @client N  further commands come from client N % 3 (clients 1 and 2 can block)
//   @close     the current client disconnects (a fresh one takes its place)
// CLIENT KILL and ACL DELUSER close the matching harness clients as the server does (the others
// at once, the requester after its reply). At most kMaxCommands lines per input run. The seed
// corpus (fuzz/corpus/command) and the dictionary (fuzz/command.dict) use a few key names (a, b, c,
// d) so commands meet the same keys with every type.
//
// Checks, besides crashes and sanitizer reports:
//   - every command's output is well-formed RESP: exactly one reply, except a blocked command
//     (no reply, client marked blocked), the (P|S)(UN)SUBSCRIBE family (one per channel) and
//     an EXEC that ran one of those (its array, then the extra frames, as in Redis);
//     replies for unblocked clients and pushes are well-formed too;
//   - after the input, for every database: KEYS * and a full SCAN give the same key set, and
//     DBSIZE is at least that (the difference being expired keys not yet reclaimed); for every
//     key TYPE, EXISTS, PTTL and OBJECT ENCODING agree that it exists, and DUMP + RESTORE into a
//     scratch key gives the same contents (read back with the type's read commands).
//
// Left out, because they would act on the machine or the process rather than the keyspace (the
// harness drops these lines): SHUTDOWN, SAVE, BGSAVE, BGREWRITEAOF, DEBUG, MONITOR, MODULE,
// MIGRATE, REPLICAOF/SLAVEOF, SYNC/PSYNC, FAILOVER, CONFIG REWRITE, CONFIG SET of dir,
// dbfilename, logfile, appenddirname and the TLS/ACL file paths, ACL SAVE/LOAD. CONFIG SET does
// nothing anyway in the fake server. Counts that only make a reply big (SRANDMEMBER,
// HRANDFIELD, ZRANDMEMBER with |count| > 1000) and LCS of long strings are skipped too;
// proto-max-bulk-len is 4096 so strings stay small.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gannet/commands/command_table.h"
#include "gannet/commands/dispatcher.h"
#include "gannet/common/clock.h"
#include "gannet/engine/keyspace.h"
#include "testing/fake_views.h"
#include "testing/resp_value.h"

namespace {

using namespace gannet;

constexpr size_t kMaxCommands = 128;
constexpr size_t kClients = 3;
constexpr std::string_view kScratchKey = "__command_fuzzer_scratch__";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Render(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += '"' + EscapeBytes(a) + '"';
  }
  return out;
}

[[noreturn]] void Die(const std::string& why, const std::vector<std::string>& args,
                      std::string_view bytes = {}) {
  std::fprintf(stderr, "command_fuzzer: %s\n  command: %s\n  output: %s\n", why.c_str(),
               Render(args).c_str(), EscapeBytes(bytes.substr(0, 2000)).c_str());
  std::abort();
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

bool IsSubscribeFamily(const std::string& name) { return name.ends_with("subscribe"); }

// Whether the harness runs this command at all (see the opening comment).
bool Allowed(const std::vector<std::string>& args) {
  static constexpr std::string_view kDropped[] = {
      "shutdown", "save",      "bgsave",  "bgrewriteaof", "debug", "monitor", "module",
      "migrate",  "replicaof", "slaveof", "sync",         "psync", "failover"};
  const std::string name = Lower(args[0]);
  for (std::string_view d : kDropped) {
    if (name == d) return false;
  }
  const std::string sub = args.size() > 1 ? Lower(args[1]) : "";
  if (name == "acl" && (sub == "save" || sub == "load")) return false;
  if (name == "config" && sub == "rewrite") return false;
  if (name == "config" && sub == "set") {
    for (size_t i = 2; i < args.size(); ++i) {
      const std::string p = Lower(args[i]);
      if (p == "dir" || p == "dbfilename" || p == "logfile" || p == "appenddirname" ||
          p == "aclfile" || p.starts_with("tls-") || p == "unixsocket" || p == "pidfile") {
        return false;
      }
    }
  }
  // A negative count repeats members: the reply is |count| long whatever the key holds.
  if ((name == "srandmember" || name == "hrandfield" || name == "zrandmember") && args.size() > 2) {
    int64_t n = 0;
    if (ParseInt(args[2], &n) && (n > 1000 || n < -1000)) return false;
  }
  return true;
}

// A fake client that remembers whom it logged in as (the server's connections do the same; the
// session's AclUser pointer may already be gone when KillClients looks for a deleted user).
class FuzzClient : public FakeClient {
 public:
  std::string_view user() const override { return user_; }
  void set_authenticated(bool yes, std::string_view user) override {
    FakeClient::set_authenticated(yes, user);
    if (yes) user_ = user;
  }

  std::string user_ = "default";
  bool gone_ = false;  // already closed by KillClients
};

// The fake server, plus what commands that act on other clients need: CLIENT LIST/KILL see the
// harness's clients, and ACL DELUSER disconnects those logged in as the deleted user (as the
// real server does; a client left pointing at a deleted user would not exist there).
class FuzzServer : public FakeServer {
 public:
  void ForEachClient(const std::function<void(ClientView&)>& fn) override {
    for (auto& c : *clients_) fn(*c);
  }
  size_t KillClients(const ClientKillFilter& f, const ClientView& me) override {
    if (f.addr || f.laddr || f.type || f.max_age) return 0;  // fake clients have no address
    size_t n = 0;
    for (auto& c : *clients_) {
      if (f.skip_me && c.get() == &me) continue;
      if (f.id && c->id() != *f.id) continue;
      if (f.user && c->user() != *f.user) continue;
      // As the server: the requester still gets its reply, the others are closed at once.
      if (c.get() != &me) {
        dispatcher_->OnClientClosed(*c);
        static_cast<FuzzClient&>(*c).gone_ = true;
      }
      c->CloseAfterReply();
      ++n;
    }
    return n;
  }

  std::vector<std::unique_ptr<FakeClient>>* clients_ = nullptr;
  Dispatcher* dispatcher_ = nullptr;
};

class Harness {
 public:
  explicit Harness(const CommandTable& table)
      : keyspace_(server_.config_.databases, &clock_), dispatcher_(table, keyspace_, server_) {
    server_.config_.proto_max_bulk_len = 4096;  // SETRANGE, APPEND, SETBIT... stay small
    server_.clients_ = &clients_;
    server_.dispatcher_ = &dispatcher_;
    for (size_t i = 0; i < kClients; ++i) clients_.push_back(NewClient(i));
  }

  ~Harness() {
    for (auto& c : clients_) {
      if (!static_cast<FuzzClient&>(*c).gone_) dispatcher_.OnClientClosed(*c);
    }
  }

  void Line(std::string_view line) {
    if (line.starts_with('@')) {
      Control(line.substr(1));
      return;
    }
    std::vector<std::string> args;
    size_t pos = 0;
    for (;;) {
      const size_t sp = line.find(' ', pos);
      args.emplace_back(line.substr(pos, sp == std::string_view::npos ? sp : sp - pos));
      if (sp == std::string_view::npos) break;
      pos = sp + 1;
    }
    if (args[0].empty() || !Allowed(args)) return;
    if (Lower(args[0]) == "lcs" && args.size() >= 3 && !SmallEnoughForLcs(args[1], args[2])) {
      return;
    }
    FakeClient& c = *clients_[current_];
    if (c.blocked_) return;  // a blocked connection reads no further commands
    Run(c, args);
    // QUIT, CLIENT KILL, ACL DELUSER: those clients are gone now.
    for (size_t i = 0; i < kClients; ++i) {
      if (clients_[i]->close_after_reply_) Reconnect(i);
    }
  }

  // The checks after the whole input ran (see the opening comment).
  void CheckKeyspace() {
    for (size_t i = 0; i < kClients; ++i) Reconnect(i);
    FakeClient checker;
    checker.id_ = 999;
    for (int db = 0; db < keyspace_.database_count(); ++db) {
      if (keyspace_.db(db).size() == 0) continue;
      Expect(checker, {"SELECT", std::to_string(db)});
      std::set<std::string> from_keys;
      for (const std::string& k : Expect(checker, {"KEYS", "*"}).Strings()) from_keys.insert(k);
      std::set<std::string> from_scan;
      std::string cursor = "0";
      for (int i = 0;; ++i) {
        if (i > 100000) Die("SCAN does not terminate", {"SCAN", cursor});
        RespValue r = Expect(checker, {"SCAN", cursor, "COUNT", "7"});
        if (r.type != RespType::kArray || r.size() != 2) Die("bad SCAN reply", {"SCAN", cursor});
        for (const std::string& k : r[1].Strings()) from_scan.insert(k);
        cursor = r[0].text();
        if (cursor == "0") break;
      }
      if (from_keys != from_scan) Die("KEYS * and SCAN differ in db " + std::to_string(db), {});
      const RespValue dbsize = Expect(checker, {"DBSIZE"});
      if (dbsize.integer < static_cast<int64_t>(from_keys.size()) ||
          dbsize.integer - static_cast<int64_t>(from_keys.size()) >
              static_cast<int64_t>(keyspace_.db(db).expires_size())) {
        Die("DBSIZE " + std::to_string(dbsize.integer) + " but " +
                std::to_string(from_keys.size()) + " live keys",
            {"DBSIZE"});
      }
      for (const std::string& key : from_keys) CheckKey(checker, key);
    }
  }

 private:
  std::unique_ptr<FakeClient> NewClient(size_t slot) {
    std::unique_ptr<FakeClient> c = std::make_unique<FuzzClient>();
    c->id_ = next_id_++;
    c->can_block_ = slot != 0;
    return c;
  }

  void Reconnect(size_t slot) {
    if (!static_cast<FuzzClient&>(*clients_[slot]).gone_)
      dispatcher_.OnClientClosed(*clients_[slot]);
    closed_.push_back(std::move(clients_[slot]));
    clients_[slot] = NewClient(slot);
  }

  void Control(std::string_view line) {
    const size_t sp = line.find(' ');
    const std::string_view verb = line.substr(0, sp);
    int64_t n = 0;
    if (sp != std::string_view::npos) ParseInt(line.substr(sp + 1), &n);
    if (verb == "time") {
      clock_.AdvanceMs(std::clamp<int64_t>(n, 0, 1'000'000'000));
      dispatcher_.ExpireBlocked(clock_.NowMs());
      CheckSideOutput({"@time"});
    } else if (verb == "client") {
      current_ = static_cast<size_t>(n < 0 ? -(n + 1) : n) % kClients;
    } else if (verb == "close") {
      Reconnect(current_);
      CheckSideOutput({"@close"});
    }
  }

  void Run(FakeClient& c, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    ReplyBuilder rb(&out, c.resp_version());
    dispatcher_.Execute(CmdArgs(views.data(), views.size()), c, rb);
    std::string error;
    const std::vector<RespValue> replies = RespValue::DecodeAll(out, &error);
    if (!error.empty()) Die("malformed reply (" + error + ")", args, out);
    // CLIENT REPLY OFF|SKIP answer nothing (the fake client keeps replying afterwards).
    const bool quiet = Lower(args[0]) == "client" && args.size() > 1 && Lower(args[1]) == "reply";
    if (replies.empty()) {
      if (!c.blocked_ && !quiet) Die("no reply, and the client is not blocked", args, out);
    } else if (replies.size() > 1 && !IsSubscribeFamily(Lower(args[0]))) {
      // EXEC's array counts commands, and a queued (P|S)(UN)SUBSCRIBE of several channels
      // adds one frame per channel after it, as in Redis 7.0 (MULTI, UNSUBSCRIBE a b,
      // EXEC answers *1 and two unsubscribe arrays): the array must still come first.
      if (Lower(args[0]) != "exec" || replies.front().type != RespType::kArray) {
        Die(std::to_string(replies.size()) + " replies to one command", args, out);
      }
    }
    if (!replies.empty() && c.blocked_) Die("a reply, but the client is blocked", args, out);
    CheckSideOutput(args);
  }

  // Replies that unblocked clients received, and pushes: well-formed, then dropped.
  void CheckSideOutput(const std::vector<std::string>& args) {
    for (auto& c : clients_) {
      std::string error;
      if (!c->deferred_out_.empty()) {
        const std::vector<RespValue> replies = RespValue::DecodeAll(c->deferred_out_, &error);
        if (!error.empty())
          Die("malformed unblocked reply (" + error + ")", args, c->deferred_out_);
        if (replies.size() != 1)
          Die("an unblocked client got several replies", args, c->deferred_out_);
        if (c->blocked_) Die("a client got its reply but is still blocked", args, c->deferred_out_);
        c->deferred_out_.clear();
      }
      if (!c->push_out_.empty()) {
        RespValue::DecodeAll(c->push_out_, &error);
        if (!error.empty()) Die("malformed push (" + error + ")", args, c->push_out_);
        c->push_out_.clear();
      }
    }
  }

  // Runs a command for the checker and returns its only reply; any error reply is a failure.
  RespValue Expect(FakeClient& c, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    ReplyBuilder rb(&out, c.resp_version());
    dispatcher_.Execute(CmdArgs(views.data(), views.size()), c, rb);
    size_t consumed = 0;
    std::string error;
    std::optional<RespValue> v = RespValue::Decode(out, &consumed, &error);
    if (!v || consumed != out.size()) Die("checker got a malformed reply", args, out);
    if (v->IsError()) Die("checker got an error", args, out);
    return *v;
  }

  bool SmallEnoughForLcs(const std::string& a, const std::string& b) {
    FakeClient probe;
    probe.id_ = 998;
    probe.db_ = clients_[current_]->db_;
    auto len = [&](const std::string& key) -> int64_t {
      std::vector<std::string_view> views = {"STRLEN", key};
      std::string out;
      ReplyBuilder rb(&out, RespVersion::kResp2);
      dispatcher_.Execute(CmdArgs(views.data(), views.size()), probe, rb);
      std::optional<RespValue> v = RespValue::Decode(out);
      return v && v->type == RespType::kInteger ? v->integer : 0;
    };
    return (len(a) + 1) * (len(b) + 1) <= 4'000'000;
  }

  // The contents of key read back with its type's commands, as one comparable string.
  std::string Contents(FakeClient& c, const std::string& key, std::string* type) {
    *type = Expect(c, {"TYPE", key}).text();
    std::string out = *type + ":";
    if (*type == "string") {
      out += Expect(c, {"GET", key}).ToString();
    } else if (*type == "list") {
      out += Expect(c, {"LRANGE", key, "0", "-1"}).ToString();
    } else if (*type == "set") {
      std::vector<std::string> m = Expect(c, {"SMEMBERS", key}).Strings();
      std::sort(m.begin(), m.end());
      for (const std::string& s : m) out += EscapeBytes(s) + ",";
    } else if (*type == "hash") {
      std::vector<std::string> f = Expect(c, {"HGETALL", key}).Strings();
      std::vector<std::string> pairs;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        pairs.push_back(EscapeBytes(f[i]) + "=" + EscapeBytes(f[i + 1]));
      }
      std::sort(pairs.begin(), pairs.end());
      for (const std::string& p : pairs) out += p + ",";
    } else if (*type == "zset") {
      out += Expect(c, {"ZRANGE", key, "0", "-1", "WITHSCORES"}).ToString();
    } else if (*type == "stream") {
      out += Expect(c, {"XRANGE", key, "-", "+"}).ToString();
      const RespValue info = Expect(c, {"XINFO", "STREAM", key});
      // The radix tree's shape depends on how the entries were inserted, not on what they are.
      for (size_t i = 0; i + 1 < info.elems.size(); i += 2) {
        if (info.elems[i].text().starts_with("radix-tree")) continue;
        out += info.elems[i].ToString() + "=" + info.elems[i + 1].ToString() + ";";
      }
      out += Expect(c, {"XINFO", "GROUPS", key}).ToString();
    } else {
      Die("TYPE of a live key is " + *type, {"TYPE", key});
    }
    return out;
  }

  void CheckKey(FakeClient& c, const std::string& key) {
    if (Expect(c, {"EXISTS", key}).integer != 1) Die("listed key does not exist", {"EXISTS", key});
    if (Expect(c, {"PTTL", key}).integer < -1) Die("listed key has no PTTL", {"PTTL", key});
    Expect(c, {"OBJECT", "ENCODING", key});
    std::string type;
    const std::string before = Contents(c, key, &type);
    const RespValue dump = Expect(c, {"DUMP", key});
    if (dump.type != RespType::kBulk) Die("DUMP of a live key is not a bulk", {"DUMP", key});
    Expect(c, {"RESTORE", std::string(kScratchKey), "0", dump.text(), "REPLACE"});
    std::string scratch_type;
    const std::string after = Contents(c, std::string(kScratchKey), &scratch_type);
    // The same key read again: reading must not have changed it either.
    const std::string again = Contents(c, key, &type);
    Expect(c, {"DEL", std::string(kScratchKey)});
    if (before != again) Die("reading a key changed it:\n" + before + "\n" + again, {"TYPE", key});
    if (before != after) {
      Die("DUMP/RESTORE changed the contents:\n" + before + "\n" + after, {"DUMP", key});
    }
  }

  ManualClock clock_;
  FuzzServer server_;
  Keyspace keyspace_;
  Dispatcher dispatcher_;
  std::vector<std::unique_ptr<FakeClient>> clients_;
  std::vector<std::unique_ptr<FakeClient>> closed_;  // registries may still point at them
  size_t current_ = 0;
  uint64_t next_id_ = 1;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The table is read-only once built; everything else is made afresh for each input, so an
  // input's outcome does not depend on the ones before it.
  static const CommandTable* table = new CommandTable();
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Harness h(*table);
  size_t pos = 0;
  for (size_t n = 0; n < kMaxCommands && pos < in.size(); ++n) {
    size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    h.Line(in.substr(pos, nl - pos));
    pos = nl + 1;
  }
  h.CheckKeyspace();
  return 0;
}
