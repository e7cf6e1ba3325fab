// The stream type (Redis 7.0 streams): an append-only log of entries keyed by 128-bit IDs,
// plus consumer groups with their pending-entry lists.
//
// Entries live in nodes, each a contiguous byte buffer holding up to
// stream-node-max-entries entries (and about stream-node-max-bytes), kept in an ordered
// map keyed by the node's first ("master") ID, as Redis keeps listpacks in a radix tree.
// Inside a node an entry is: a flag byte, the ID as varint deltas from the master ID, and
// the field/value strings; an entry whose field names equal the node's first entry's only
// stores the values (Redis's SAMEFIELDS trick). Deletion flags an entry in place; a node
// whose entries are all deleted is dropped. A node stops growing once full, and is shrunk
// to fit then, so only the tail node carries spare capacity.
//
// Consumer groups are ordered maps (XINFO lists them in byte order, as Redis's rax does),
// each with a PEL ordered by ID and per-consumer PELs holding the same IDs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gannet/engine/value.h"

namespace gannet {

struct StreamID {
  uint64_t ms = 0;
  uint64_t seq = 0;

  static constexpr StreamID Min() { return {0, 0}; }
  static constexpr StreamID Max() { return {UINT64_MAX, UINT64_MAX}; }
  bool IsZero() const { return ms == 0 && seq == 0; }
  // The next/previous ID; false (and unchanged) at the ends of the ID space.
  bool Incr();
  bool Decr();
  std::string ToString() const;

  friend bool operator==(const StreamID&, const StreamID&) = default;
  friend auto operator<=>(const StreamID& a, const StreamID& b) {
    if (a.ms != b.ms) return a.ms <=> b.ms;
    return a.seq <=> b.seq;
  }
};

// Groups' entries_read when unknown (Redis's SCG_INVALID_ENTRIES_READ).
inline constexpr int64_t kInvalidEntriesRead = -1;

struct StreamConsumer;

struct StreamPendingEntry {
  int64_t delivery_time_ms = 0;
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time_ms = 0;
  std::set<StreamID> pel;  // IDs also present in the group's PEL with consumer == this
};

struct StreamGroup {
  StreamID last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamID, StreamPendingEntry> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>> consumers;

  StreamConsumer* FindConsumer(std::string_view name) const;
  // Creates the consumer if missing; *created tells which.
  StreamConsumer* GetOrCreateConsumer(std::string_view name, int64_t now_ms, bool* created);
  // Removes the consumer and its pending entries from the group PEL; returns how many
  // pending entries it had.
  size_t DeleteConsumer(std::string_view name);
  // Drops a pending entry from the group and its consumer; false when not pending.
  bool Ack(const StreamID& id);
};

// A node: entries encoded back to back (see the file comment).
struct StreamNodeData {
  std::string data;
  uint32_t count = 0;  // entries stored, deleted ones included
  uint32_t live = 0;   // entries not deleted
};

enum class StreamTrimStrategy : uint8_t { kNone, kMaxLen, kMinId };

struct StreamTrimArgs {
  StreamTrimStrategy strategy = StreamTrimStrategy::kNone;
  int64_t maxlen = 0;
  StreamID minid;
  bool approx = false;
  int64_t limit = 0;  // 0: no limit (only meaningful with approx)
};

class StreamObject : public ObjectBase {
 public:
  using FieldList = std::vector<std::pair<std::string_view, std::string_view>>;

  StreamObject(size_t node_max_bytes, size_t node_max_entries);
  ~StreamObject() override;

  size_t MemoryUsage() const override;
  // MEMORY USAGE ... SAMPLES n: the first n nodes are measured and their average stands for
  // the others but the last (Redis's estimate); 0 measures every node. Groups count whole.
  size_t MemoryUsageSampled(size_t samples) const;
  std::unique_ptr<ObjectBase> Clone() const override;

  // Node size limits (stream-node-max-bytes / -entries; 0 = unlimited), re-read from the
  // config by each XADD since CONFIG SET may change them.
  void SetNodeLimits(size_t max_bytes, size_t max_entries) {
    node_max_bytes_ = max_bytes;
    node_max_entries_ = max_entries;
  }

  uint64_t length() const { return length_; }
  const StreamID& last_id() const { return last_id_; }
  const StreamID& first_id() const { return first_id_; }
  const StreamID& max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  void set_last_id(const StreamID& id) { last_id_ = id; }
  void set_max_deleted_id(const StreamID& id) { max_deleted_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  size_t node_count() const { return nodes_.size(); }
  // Calls fn with each node's master ID, ascending (XINFO's radix-tree-nodes estimate).
  template <typename Fn>
  void ForEachNodeKey(Fn&& fn) const {
    for (const auto& [id, node] : nodes_) fn(id);
  }

  // Appends an entry with an ID greater than last_id() (the caller checks). Updates
  // length, last_id, entries_added and first_id.
  void Append(const StreamID& id, std::span<const std::string_view> fields_and_values);
  // Flags an entry deleted. Returns false if absent. Updates max_deleted_id and first_id.
  bool Delete(const StreamID& id);
  // XADD/XTRIM trimming as Redis's streamTrim; returns entries removed.
  int64_t Trim(const StreamTrimArgs& args);

  // Iterates live entries with start <= id <= end, ascending or (rev) descending.
  // Valid until the stream is modified.
  class Iterator {
   public:
    Iterator(const StreamObject& s, StreamID start, StreamID end, bool rev);
    // Next entry; false at the end. *fields points into the node (and into storage
    // owned by the iterator).
    bool Next(StreamID* id, FieldList* fields);

   private:
    bool LoadNode();
    const StreamObject& s_;
    StreamID start_, end_;
    bool rev_;
    bool done_ = false;
    std::map<StreamID, StreamNodeData>::const_iterator node_;
    std::vector<std::string_view> master_fields_;  // the current node's first entry's
    std::vector<size_t> offsets_;                  // rev: entry offsets of the current node
    size_t pos_ = 0;  // forward: byte offset of the next entry; rev: index one past it
  };

  // The live entry with this ID, if any.
  bool Lookup(const StreamID& id, FieldList* fields) const;
  // First/last live entry ID; false when empty.
  bool FirstEntryId(StreamID* id) const;
  // The first entry's ID counting deleted ones (the first node's master ID; Redis's
  // streamGetEdgeID without skipping tombstones); false when there is no node.
  bool FirstIdWithTombstones(StreamID* id) const {
    if (nodes_.empty()) return false;
    *id = nodes_.begin()->first;
    return true;
  }
  bool LastEntryId(StreamID* id) const;

  // --- consumer groups ---
  StreamGroup* FindGroup(std::string_view name) const;
  // nullptr when it exists.
  StreamGroup* CreateGroup(std::string_view name, const StreamID& id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);
  using GroupMap = std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>;
  const GroupMap& groups() const;
  size_t group_count() const { return groups_ ? groups_->size() : 0; }

  // Redis 7.0's counters for consumer-group lag.
  int64_t EstimateDistanceFromFirstEverEntry(const StreamID& id) const;
  bool RangeHasTombstones(const StreamID& start, const StreamID& end) const;

 private:
  friend class Iterator;
  friend struct StreamObjectTestPeer;

  void RemoveNode(std::map<StreamID, StreamNodeData>::iterator it);
  void RefreshFirstId();

  size_t node_max_bytes_;
  size_t node_max_entries_;
  std::map<StreamID, StreamNodeData> nodes_;
  uint64_t length_ = 0;
  StreamID last_id_;
  StreamID first_id_;
  StreamID max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::unique_ptr<GroupMap> groups_;  // absent until the first group (most streams)
};

}  // namespace gannet
