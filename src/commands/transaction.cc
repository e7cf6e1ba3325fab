// The WATCH registry (see transaction.h for the rules it implements).
#include "transaction.h"

#include <algorithm>

namespace gannet {

Transactions::Transactions(Keyspace& keyspace)
    : keyspace_(keyspace), dbs_(static_cast<size_t>(keyspace.database_count())) {
  keyspace_.AddListener(this);
  keyspace_.SetKeyInterest(this, false);  // until a client WATCHes
  keyspace_.SetEventClasses(this, 0);      // no OnKeyEvent
}

Transactions::~Transactions() { keyspace_.RemoveListener(this); }

size_t Transactions::watched_keys() const {
  size_t n = 0;
  for (const KeyMap& m : dbs_) n += m.size();
  return n;
}

Transactions::Watcher* Transactions::Find(ClientView& client, int db, std::string_view key) {
  if (db < 0 || static_cast<size_t>(db) >= dbs_.size()) return nullptr;
  KeyMap& m = dbs_[static_cast<size_t>(db)];
  auto it = m.find(key);
  if (it == m.end()) return nullptr;
  for (Watcher& w : it->second) {
    if (w.client == &client) return &w;
  }
  return nullptr;
}

void Transactions::Watch(ClientView& client, int db, std::string_view key, bool exists) {
  if (db < 0 || static_cast<size_t>(db) >= dbs_.size()) return;
  if (Find(client, db, key) != nullptr) return;
  ClientSession& s = client.session();
  if (s.watched.empty() && watching_clients_++ == 0) keyspace_.SetKeyInterest(this, true);
  s.watched.emplace_back(db, std::string(key));
  KeyMap& m = dbs_[static_cast<size_t>(db)];
  auto it = m.find(key);
  if (it == m.end()) it = m.emplace(std::string(key), std::vector<Watcher>{}).first;
  it->second.push_back(Watcher{&client, exists, false});
}

void Transactions::UnwatchAll(ClientView& client) {
  ClientSession& s = client.session();
  if (s.watched.empty()) return;
  for (const auto& [db, key] : s.watched) {
    KeyMap& m = dbs_[static_cast<size_t>(db)];
    auto it = m.find(key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(
        std::remove_if(v.begin(), v.end(), [&](const Watcher& w) { return w.client == &client; }),
        v.end());
    if (v.empty()) m.erase(it);
  }
  s.watched.clear();
  if (--watching_clients_ == 0) keyspace_.SetKeyInterest(this, false);
}

void Transactions::Break(ClientView& client) {
  client.session().watch_broken = true;
  UnwatchAll(client);
}

void Transactions::EndTransaction(ClientView& client) {
  ClientSession& s = client.session();
  s.in_multi = false;
  s.multi_error = false;
  s.watch_broken = false;
  s.queued.clear();
  s.queued.shrink_to_fit();
  UnwatchAll(client);
}

bool Transactions::WatchIntact(ClientView& client) {
  ClientSession& s = client.session();
  if (s.watch_broken) return false;
  // Copy: a lookup that reclaims an expired key breaks (and unwatches) this client.
  const auto watched = s.watched;
  for (const auto& [db, key] : watched) {
    const bool alive = keyspace_.db(db).FindNoTouch(key) != nullptr;
    if (s.watch_broken) return false;
    const Watcher* w = Find(client, db, key);
    if (w != nullptr && w->recheck && alive && !w->existed) {
      Break(client);
      return false;
    }
  }
  return true;
}

void Transactions::WholeDb(int db, std::vector<ClientView*>* broken) {
  for (auto& [key, watchers] : dbs_[static_cast<size_t>(db)]) {
    for (Watcher& w : watchers) {
      if (w.existed) {
        broken->push_back(w.client);
      } else {
        w.recheck = true;
      }
    }
  }
}

void Transactions::OnKeyModified(int db, std::string_view key) {
  if (watching_clients_ == 0) return;
  std::vector<ClientView*> broken;
  if (db < 0) {
    for (size_t i = 0; i < dbs_.size(); ++i) WholeDb(static_cast<int>(i), &broken);
  } else if (static_cast<size_t>(db) >= dbs_.size()) {
    return;
  } else if (key.empty()) {
    WholeDb(db, &broken);
  } else {
    KeyMap& m = dbs_[static_cast<size_t>(db)];
    auto it = m.find(key);
    if (it == m.end()) return;
    for (const Watcher& w : it->second) broken.push_back(w.client);
  }
  // Break after the walk: breaking unwatches, which edits the maps walked above. A client
  // may appear twice (two keys of a flushed db); the second Break finds nothing to undo.
  for (ClientView* c : broken) Break(*c);
}

}  // namespace gannet
