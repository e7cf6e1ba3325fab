// The stream type: node encoding, appends, deletes, trimming, range iteration and the
// consumer-group bookkeeping. See include/gannet/engine/stream_object.h for the layout.
#include "gannet/engine/stream_object.h"

#include <cassert>

namespace gannet {

namespace {

constexpr uint8_t kFlagDeleted = 1;
constexpr uint8_t kFlagSameFields = 2;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint64_t GetVarint(const std::string& s, size_t* off) {
  uint64_t v = 0;
  int shift = 0;
  while (true) {
    uint8_t b = static_cast<uint8_t>(s[(*off)++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  return v;
}

std::string_view GetString(const std::string& s, size_t* off) {
  uint64_t len = GetVarint(s, off);
  std::string_view v(s.data() + *off, len);
  *off += len;
  return v;
}

// One decoded entry header. Field views point into the node.
struct EntryHead {
  uint8_t flags = 0;
  StreamID id;
  size_t next = 0;  // offset of the next entry
};

// Decodes the entry at off. When fields is non-null it receives the pairs; master_fields
// (the node's first entry's field names) resolves SAMEFIELDS entries.
EntryHead DecodeEntry(const std::string& data, size_t off, const StreamID& master,
                      const std::vector<std::string_view>& master_fields,
                      StreamObject::FieldList* fields) {
  EntryHead h;
  h.flags = static_cast<uint8_t>(data[off++]);
  uint64_t ms_delta = GetVarint(data, &off);
  uint64_t seq = GetVarint(data, &off);
  h.id.ms = master.ms + ms_delta;
  h.id.seq = ms_delta == 0 ? master.seq + seq : seq;
  if (fields) fields->clear();
  if (h.flags & kFlagSameFields) {
    for (std::string_view f : master_fields) {
      std::string_view v = GetString(data, &off);
      if (fields) fields->emplace_back(f, v);
    }
  } else {
    uint64_t n = GetVarint(data, &off);
    for (uint64_t i = 0; i < n; ++i) {
      std::string_view f = GetString(data, &off);
      std::string_view v = GetString(data, &off);
      if (fields) fields->emplace_back(f, v);
    }
  }
  h.next = off;
  return h;
}

// The field names of a node's first entry (never SAMEFIELDS).
void MasterFields(const std::string& data, std::vector<std::string_view>* out) {
  out->clear();
  size_t off = 1;
  GetVarint(data, &off);
  GetVarint(data, &off);
  uint64_t n = GetVarint(data, &off);
  for (uint64_t i = 0; i < n; ++i) {
    out->push_back(GetString(data, &off));
    GetString(data, &off);
  }
}

// Whether the field names of fields_and_values equal the node's first entry's (in order).
bool SameFieldsAsMaster(const std::string& data, std::span<const std::string_view> fv) {
  size_t off = 1;
  GetVarint(data, &off);
  GetVarint(data, &off);
  uint64_t n = GetVarint(data, &off);
  if (n * 2 != fv.size()) return false;
  for (size_t i = 0; i < n; ++i) {
    if (GetString(data, &off) != fv[2 * i]) return false;
    GetString(data, &off);
  }
  return true;
}

// Entry offsets and IDs of a node, in order.
void NodeOffsets(const StreamNodeData& node, const StreamID& master,
                 const std::vector<std::string_view>& master_fields, std::vector<size_t>* offs) {
  offs->clear();
  size_t off = 0;
  while (off < node.data.size()) {
    offs->push_back(off);
    off = DecodeEntry(node.data, off, master, master_fields, nullptr).next;
  }
}

size_t MallocSize(const std::string& s) {
  // Heap bytes of a std::string: none while it fits the small buffer.
  if (s.capacity() <= 15) return 0;
  return s.capacity() + 1;
}

}  // namespace

bool StreamID::Incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    ++ms;
    seq = 0;
  } else {
    ++seq;
  }
  return true;
}

bool StreamID::Decr() {
  if (seq == 0) {
    if (ms == 0) return false;
    --ms;
    seq = UINT64_MAX;
  } else {
    --seq;
  }
  return true;
}

std::string StreamID::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

// ---------------------------------------------------------------------------------------
// Consumer groups

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) const {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::GetOrCreateConsumer(std::string_view name, int64_t now_ms,
                                                 bool* created) {
  auto it = consumers.find(name);
  if (it != consumers.end()) {
    if (created) *created = false;
    return it->second.get();
  }
  auto c = std::make_unique<StreamConsumer>();
  c->name.assign(name);
  c->seen_time_ms = now_ms;
  StreamConsumer* raw = c.get();
  consumers.emplace(std::string(name), std::move(c));
  if (created) *created = true;
  return raw;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  size_t pending = it->second->pel.size();
  for (const StreamID& id : it->second->pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

bool StreamGroup::Ack(const StreamID& id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  it->second.consumer->pel.erase(id);
  pel.erase(it);
  return true;
}

// ---------------------------------------------------------------------------------------
// StreamObject

StreamObject::StreamObject(size_t node_max_bytes, size_t node_max_entries)
    : node_max_bytes_(node_max_bytes), node_max_entries_(node_max_entries) {}

StreamObject::~StreamObject() = default;

size_t StreamObject::MemoryUsage() const { return MemoryUsageSampled(0); }

size_t StreamObject::MemoryUsageSampled(size_t samples) const {
  // Map nodes cost about 48 bytes of tree links plus their payload, rounded by malloc.
  constexpr size_t kMapNode = 48;
  constexpr size_t kNodeFixed = kMapNode + sizeof(StreamID) + sizeof(StreamNodeData);
  size_t n = sizeof(*this);
  if (samples == 0 || samples >= nodes_.size()) {
    for (const auto& [id, node] : nodes_) n += kNodeFixed + MallocSize(node.data);
  } else {
    // As Redis's objectComputeSize: the first `samples` nodes' average stands for every
    // node but the last, which is measured (it is the one with spare capacity).
    size_t sampled = 0;
    auto it = nodes_.begin();
    for (size_t i = 0; i < samples; ++i, ++it) sampled += MallocSize(it->second.data);
    n += nodes_.size() * kNodeFixed + sampled / samples * (nodes_.size() - 1) +
         MallocSize(nodes_.rbegin()->second.data);
  }
  if (groups_) {
    n += sizeof(GroupMap);
    for (const auto& [name, g] : *groups_) {
      n += kMapNode + sizeof(std::string) + MallocSize(name) + sizeof(StreamGroup);
      n += g->pel.size() * (kMapNode + sizeof(StreamID) + sizeof(StreamPendingEntry));
      for (const auto& [cname, c] : g->consumers) {
        n += 2 * kMapNode + sizeof(std::string) + MallocSize(cname) + sizeof(StreamConsumer) +
             MallocSize(c->name);
        n += c->pel.size() * (kMapNode / 2 + sizeof(StreamID));
      }
    }
  }
  return n;
}

std::unique_ptr<ObjectBase> StreamObject::Clone() const {
  auto c = std::make_unique<StreamObject>(node_max_bytes_, node_max_entries_);
  c->nodes_ = nodes_;
  c->length_ = length_;
  c->last_id_ = last_id_;
  c->first_id_ = first_id_;
  c->max_deleted_id_ = max_deleted_id_;
  c->entries_added_ = entries_added_;
  if (groups_) {
    c->groups_ = std::make_unique<GroupMap>();
    for (const auto& [name, g] : *groups_) {
      auto ng = std::make_unique<StreamGroup>();
      ng->last_id = g->last_id;
      ng->entries_read = g->entries_read;
      for (const auto& [cname, cons] : g->consumers) {
        auto nc = std::make_unique<StreamConsumer>(*cons);
        StreamConsumer* raw = nc.get();
        ng->consumers.emplace(cname, std::move(nc));
        // Re-point this consumer's pending entries at the copy.
        for (const StreamID& id : raw->pel) {
          const StreamPendingEntry& pe = g->pel.at(id);
          ng->pel.emplace(id, StreamPendingEntry{pe.delivery_time_ms, pe.delivery_count, raw});
        }
      }
      c->groups_->emplace(name, std::move(ng));
    }
  }
  return c;
}

void StreamObject::Append(const StreamID& id, std::span<const std::string_view> fields_and_values) {
  assert(fields_and_values.size() % 2 == 0);
  size_t pairs = fields_and_values.size() / 2;
  // Estimated encoded size, to decide whether the tail node has room.
  size_t est = 1 + 20;
  for (std::string_view s : fields_and_values) est += VarintSize(s.size()) + s.size();

  StreamNodeData* node = nullptr;
  StreamID master;
  if (!nodes_.empty()) {
    auto last = std::prev(nodes_.end());
    StreamNodeData& tail = last->second;
    bool full = (node_max_bytes_ != 0 && tail.data.size() + est >= node_max_bytes_) ||
                (node_max_entries_ != 0 && tail.count >= node_max_entries_);
    if (!full) {
      node = &tail;
      master = last->first;
    } else {
      tail.data.shrink_to_fit();  // sealed: no spare capacity kept
    }
  }
  if (node == nullptr) {
    node = &nodes_[id];
    master = id;
  }

  uint8_t flags = 0;
  if (node->count > 0 && SameFieldsAsMaster(node->data, fields_and_values)) {
    flags = kFlagSameFields;
  }
  std::string& d = node->data;
  d.push_back(static_cast<char>(flags));
  uint64_t ms_delta = id.ms - master.ms;
  PutVarint(&d, ms_delta);
  PutVarint(&d, ms_delta == 0 ? id.seq - master.seq : id.seq);
  if (flags & kFlagSameFields) {
    for (size_t i = 0; i < pairs; ++i) {
      std::string_view v = fields_and_values[2 * i + 1];
      PutVarint(&d, v.size());
      d.append(v);
    }
  } else {
    PutVarint(&d, pairs);
    for (std::string_view s : fields_and_values) {
      PutVarint(&d, s.size());
      d.append(s);
    }
  }
  ++node->count;
  ++node->live;
  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

void StreamObject::RemoveNode(std::map<StreamID, StreamNodeData>::iterator it) { nodes_.erase(it); }

void StreamObject::RefreshFirstId() {
  if (length_ == 0 || !FirstEntryId(&first_id_)) first_id_ = StreamID{};
}

bool StreamObject::Delete(const StreamID& id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  StreamNodeData& node = it->second;
  std::vector<std::string_view> mf;
  MasterFields(node.data, &mf);
  size_t off = 0;
  while (off < node.data.size()) {
    EntryHead h = DecodeEntry(node.data, off, it->first, mf, nullptr);
    // Flagged entries are passed over: they may be out of order (see Iterator::Next).
    if (h.flags & kFlagDeleted) {
      off = h.next;
      continue;
    }
    if (h.id == id) {
      node.data[off] = static_cast<char>(h.flags | kFlagDeleted);
      --node.live;
      --length_;
      if (node.live == 0) RemoveNode(it);
      if (id > max_deleted_id_) max_deleted_id_ = id;
      if (length_ == 0 || id == first_id_) RefreshFirstId();
      return true;
    }
    if (h.id > id) break;
    off = h.next;
  }
  return false;
}

int64_t StreamObject::Trim(const StreamTrimArgs& args) {
  if (args.strategy == StreamTrimStrategy::kNone) return 0;
  const uint64_t maxlen = static_cast<uint64_t>(args.maxlen);
  int64_t deleted = 0;
  std::vector<std::string_view> mf;
  std::vector<size_t> offs;
  auto it = nodes_.begin();
  while (it != nodes_.end()) {
    if (args.strategy == StreamTrimStrategy::kMaxLen && length_ <= maxlen) break;
    StreamNodeData& node = it->second;
    int64_t entries = node.live;
    // Bounded work for approximate trimming: stop before a node that would pass LIMIT.
    if (args.limit != 0 && deleted + entries > args.limit) break;
    bool remove_node;
    MasterFields(node.data, &mf);
    if (args.strategy == StreamTrimStrategy::kMaxLen) {
      remove_node = length_ - static_cast<uint64_t>(entries) >= maxlen;
    } else {
      NodeOffsets(node, it->first, mf, &offs);
      StreamID node_last = DecodeEntry(node.data, offs.back(), it->first, mf, nullptr).id;
      remove_node = node_last < args.minid;
    }
    if (remove_node) {
      length_ -= static_cast<uint64_t>(entries);
      deleted += entries;
      it = nodes_.erase(it);
      continue;
    }
    if (args.approx) break;
    // Exact trimming inside this node: flag entries deleted from its start.
    size_t off = 0;
    while (off < node.data.size()) {
      EntryHead h = DecodeEntry(node.data, off, it->first, mf, nullptr);
      bool stop =
          args.strategy == StreamTrimStrategy::kMaxLen ? length_ <= maxlen : h.id >= args.minid;
      if (stop) break;
      if (!(h.flags & kFlagDeleted)) {
        node.data[off] = static_cast<char>(h.flags | kFlagDeleted);
        --node.live;
        --length_;
        ++deleted;
      }
      off = h.next;
    }
    // A node whose entries are now all flagged stays, as in Redis (only XDEL frees a node
    // when its last live entry goes): XINFO's radix-tree counts and DUMP show it.
    break;
  }
  RefreshFirstId();
  return deleted;
}

bool StreamObject::Lookup(const StreamID& id, FieldList* fields) const {
  Iterator iter(*this, id, id, false);
  StreamID got;
  return iter.Next(&got, fields);
}

bool StreamObject::FirstEntryId(StreamID* id) const {
  Iterator iter(*this, StreamID::Min(), StreamID::Max(), false);
  FieldList f;
  return iter.Next(id, &f);
}

bool StreamObject::LastEntryId(StreamID* id) const {
  Iterator iter(*this, StreamID::Min(), StreamID::Max(), true);
  FieldList f;
  return iter.Next(id, &f);
}

StreamGroup* StreamObject::FindGroup(std::string_view name) const {
  if (!groups_) return nullptr;
  auto it = groups_->find(name);
  return it == groups_->end() ? nullptr : it->second.get();
}

StreamGroup* StreamObject::CreateGroup(std::string_view name, const StreamID& id,
                                       int64_t entries_read) {
  if (!groups_) groups_ = std::make_unique<GroupMap>();
  if (groups_->find(name) != groups_->end()) return nullptr;
  auto g = std::make_unique<StreamGroup>();
  g->last_id = id;
  g->entries_read = entries_read;
  StreamGroup* raw = g.get();
  groups_->emplace(std::string(name), std::move(g));
  return raw;
}

bool StreamObject::DestroyGroup(std::string_view name) {
  if (!groups_) return false;
  auto it = groups_->find(name);
  if (it == groups_->end()) return false;
  groups_->erase(it);
  return true;
}

const StreamObject::GroupMap& StreamObject::groups() const {
  static const GroupMap kEmpty;  // immutable, so not mutable global state
  return groups_ ? *groups_ : kEmpty;
}

int64_t StreamObject::EstimateDistanceFromFirstEverEntry(const StreamID& id) const {
  if (entries_added_ == 0) return 0;
  auto added = static_cast<int64_t>(entries_added_);
  if (length_ == 0 && id <= last_id_) return added;
  if (id == last_id_) return added;
  if (id > last_id_) return kInvalidEntriesRead;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    // No fragmentation ahead of the first entry.
    // Two's-complement arithmetic: XSETID ... ENTRIESADDED can put the count at INT64_MAX,
    // and Redis's long long wraps there.
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

bool StreamObject::RangeHasTombstones(const StreamID& start, const StreamID& end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

// ---------------------------------------------------------------------------------------
// Iterator

StreamObject::Iterator::Iterator(const StreamObject& s, StreamID start, StreamID end, bool rev)
    : s_(s), start_(start), end_(end), rev_(rev) {
  if (start_ > end_ || s.nodes_.empty()) {
    done_ = true;
    return;
  }
  if (!rev_) {
    node_ = s.nodes_.upper_bound(start_);
    if (node_ != s.nodes_.begin()) --node_;
  } else {
    node_ = s.nodes_.upper_bound(end_);
    if (node_ == s.nodes_.begin()) {
      done_ = true;
      return;
    }
    --node_;
  }
  LoadNode();
}

bool StreamObject::Iterator::LoadNode() {
  MasterFields(node_->second.data, &master_fields_);
  if (rev_) {
    NodeOffsets(node_->second, node_->first, master_fields_, &offsets_);
    pos_ = offsets_.size();
  } else {
    pos_ = 0;  // a byte offset when walking forward
  }
  return true;
}

bool StreamObject::Iterator::Next(StreamID* id, FieldList* fields) {
  while (!done_) {
    const std::string& cur_data = node_->second.data;
    bool exhausted = rev_ ? pos_ == 0 : pos_ >= cur_data.size();
    if (exhausted) {
      if (!rev_) {
        ++node_;
        if (node_ == s_.nodes_.end() || node_->first > end_) {
          done_ = true;
          break;
        }
      } else {
        if (node_ == s_.nodes_.begin()) {
          done_ = true;
          break;
        }
        --node_;
      }
      LoadNode();
      continue;
    }
    size_t off = rev_ ? offsets_[--pos_] : pos_;
    // Peek at the header first: skipped entries need no field decoding.
    uint8_t flags = static_cast<uint8_t>(cur_data[off]);
    size_t p = off + 1;
    uint64_t ms_delta = GetVarint(cur_data, &p);
    uint64_t seq = GetVarint(cur_data, &p);
    StreamID cur{node_->first.ms + ms_delta, ms_delta == 0 ? node_->first.seq + seq : seq};
    // Deleted entries are passed over before the range is checked, as Redis does: after an
    // XSETID below a deleted entry, XADD appends to a node whose flagged entries are not in
    // order, and only live entries end the walk.
    const bool deleted = (flags & kFlagDeleted) != 0;
    bool skip = false;
    if (!rev_) {
      if (!deleted && cur > end_) {
        done_ = true;
        break;
      }
      skip = deleted || cur < start_;
    } else {
      if (!deleted && cur < start_) {
        done_ = true;
        break;
      }
      skip = deleted || cur > end_;
    }
    if (skip && rev_) continue;
    size_t next =
        DecodeEntry(cur_data, off, node_->first, master_fields_, skip ? nullptr : fields).next;
    if (!rev_) pos_ = next;
    if (skip) continue;
    *id = cur;
    return true;
  }
  return false;
}

}  // namespace gannet
