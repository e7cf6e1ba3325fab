// The RDB writer: the value encoder, the sinks, RdbWriter (header, aux fields, databases,
// keys, EOF and CRC64), WriteRdb over a whole Keyspace, and DUMP payloads.
//
// Bytes are encoded into one in-memory buffer that is checksummed and handed to the sink
// every kFlushAt bytes, so a million small keys cost a few hundred sink writes, not a
// million, and a single huge collection is flushed between elements.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gannet/common/crc64.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/eviction.h"
#include "gannet/engine/hash_object.h"
#include "gannet/engine/list_object.h"
#include "gannet/engine/listpack.h"
#include "gannet/engine/set_object.h"
#include "gannet/engine/stream_object.h"
#include "gannet/engine/zset_object.h"
#include "gannet/persistence/rdb.h"
#include "rdb_internal.h"

namespace gannet {
namespace rdb_internal {
namespace {

// Little-endian stores regardless of the host.
void PutLe(char* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Redis's rdbEncodeInteger: the INT8/16/32 special encodings. Returns the bytes written.
size_t EncodeInteger(int64_t v, unsigned char* out) {
  if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
    out[0] = (kEncVal << 6) | kEncInt8;
    out[1] = static_cast<unsigned char>(v & 0xff);
    return 2;
  }
  if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
    out[0] = (kEncVal << 6) | kEncInt16;
    out[1] = static_cast<unsigned char>(v & 0xff);
    out[2] = static_cast<unsigned char>((v >> 8) & 0xff);
    return 3;
  }
  if (v >= INT32_MIN && v <= INT32_MAX) {
    out[0] = (kEncVal << 6) | kEncInt32;
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<unsigned char>((v >> (8 * i)) & 0xff);
    return 5;
  }
  return 0;
}

void PutStreamId(std::string* out, const StreamID& id) {
  char b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<char>((id.ms >> (56 - 8 * i)) & 0xff);
    b[8 + i] = static_cast<char>((id.seq >> (56 - 8 * i)) & 0xff);
  }
  out->append(b, 16);
}

}  // namespace

void Encoder::Len(uint64_t len) {
  char b[9];
  if (len < (1 << 6)) {
    out_->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    b[0] = static_cast<char>((kLen14 << 6) | (len >> 8));
    b[1] = static_cast<char>(len & 0xff);
    out_->append(b, 2);
  } else if (len <= UINT32_MAX) {
    b[0] = static_cast<char>(kLen32);
    for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
    out_->append(b, 5);
  } else {
    b[0] = static_cast<char>(kLen64);
    for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>((len >> (56 - 8 * i)) & 0xff);
    out_->append(b, 9);
  }
}

void Encoder::U64Le(uint64_t v) {
  char b[8];
  PutLe(b, v, 8);
  out_->append(b, 8);
}

void Encoder::BinaryDouble(double d) { U64Le(std::bit_cast<uint64_t>(d)); }

void Encoder::StringInt(int64_t v) {
  unsigned char b[5];
  const size_t n = EncodeInteger(v, b);
  if (n > 0) {
    Raw(b, n);
    return;
  }
  char digits[24];
  const size_t len = FormatInt64(v, digits);
  Len(len);
  Raw(digits, len);
}

void Encoder::ListpackBlob(const Listpack& lp) {
  lp_buf_.clear();
  lp.AppendSerialized(&lp_buf_);
  String(lp_buf_);
  // Keep the scratch small after one huge listpack.
  if (lp_buf_.capacity() > (size_t{1} << 20)) std::string().swap(lp_buf_);
}

void Encoder::LzfString(std::string_view compressed, size_t raw_len) {
  Byte((kEncVal << 6) | kEncLzf);
  Len(compressed.size());
  Len(raw_len);
  Raw(compressed.data(), compressed.size());
}

void Encoder::String(std::string_view s) {
  if (s.size() <= 11) {
    int64_t v;
    unsigned char b[5];
    if (IsCanonicalInt64(s, &v)) {
      const size_t n = EncodeInteger(v, b);
      if (n > 0) {
        Raw(b, n);
        return;
      }
    }
  }
  if (compress_ && s.size() > 20) {
    const size_t cap = s.size() - 4;
    if (lzf_buf_.size() < cap) lzf_buf_.resize(cap);
    const size_t clen = lzf_ != nullptr
                            ? LzfCompress(s.data(), s.size(), lzf_buf_.data(), cap, *lzf_)
                            : LzfCompress(s.data(), s.size(), lzf_buf_.data(), cap);
    if (clen > 0) {
      Byte((kEncVal << 6) | kEncLzf);
      Len(clen);
      Len(s.size());
      Raw(lzf_buf_.data(), clen);
      // Keep the scratch small after one huge value.
      if (lzf_buf_.size() > (size_t{8} << 20)) std::string().swap(lzf_buf_);
      return;
    }
  }
  Len(s.size());
  Raw(s.data(), s.size());
}

uint8_t Encoder::TypeOf(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return kTypeString;
    case ValueType::kList:
      return kTypeListQuicklist2;
    case ValueType::kSet:
      return v.As<SetObject>()->encoding() == Encoding::kIntset ? kTypeSetIntset : kTypeSet;
    case ValueType::kZSet:
      return v.As<ZSetObject>()->is_listpack() ? kTypeZSetListpack : kTypeZSet2;
    case ValueType::kHash:
      return v.As<HashObject>()->listpack() != nullptr ? kTypeHashListpack : kTypeHash;
    case ValueType::kStream:
      return kTypeStreamListpacks2;
  }
  return kTypeString;
}

bool Encoder::Object(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      String(v.AsString());
      return true;
    case ValueType::kList: {
      const auto* l = v.As<ListObject>();
      Len(l->node_count());
      for (size_t i = 0; i < l->node_count(); ++i) {
        Len(kQuicklistPacked);
        const ListNode& node = l->node(i);
        if (node.compressed()) {
          // As Redis: a compressed node goes out as the LZF string it already is.
          LzfString(node.lzf_bytes(), node.bytes_size());
        } else if (node.packed()) {
          // A front-coded node goes out as the plain listpack Redis would have kept.
          ListpackBlob(node.Inflate());
        } else {
          ListpackBlob(node.lp());
        }
        if (!MaybeFlush()) return false;
      }
      return true;
    }
    case ValueType::kSet: {
      const auto* s = v.As<SetObject>();
      if (s->encoding() == Encoding::kIntset) {
        // Redis's intset blob: encoding (bytes per element), count, then the sorted
        // elements, all little-endian. ForEach visits them in order.
        const size_t width = s->intset_width();
        std::string blob(8 + width * s->size(), '\0');
        PutLe(blob.data(), width, 4);
        PutLe(blob.data() + 4, s->size(), 4);
        char* p = blob.data() + 8;
        s->ForEach([&](std::string_view m) {
          int64_t x = 0;
          IsCanonicalInt64(m, &x);
          PutLe(p, static_cast<uint64_t>(x), width);
          p += width;
        });
        String(blob);
        return true;
      }
      Len(s->size());
      bool ok = true;
      s->ForEach([&](std::string_view m) {
        String(m);
        if (ok) ok = MaybeFlush();
      });
      return ok;
    }
    case ValueType::kZSet: {
      const auto* z = v.As<ZSetObject>();
      if (const Listpack* lp = z->listpack()) {
        ListpackBlob(*lp);
        return true;
      }
      // Highest score first, as Redis: a loader inserting into a skiplist then always
      // inserts at the head.
      Len(z->size());
      bool ok = true;
      z->ForEachInRanks(0, z->size(), /*reverse=*/true, [&](std::string_view m, double score) {
        String(m);
        BinaryDouble(score);
        if (ok) ok = MaybeFlush();
      });
      return ok;
    }
    case ValueType::kHash: {
      const auto* h = v.As<HashObject>();
      if (const Listpack* lp = h->listpack()) {
        ListpackBlob(*lp);
        return true;
      }
      Len(h->size());
      bool ok = true;
      h->ForEach([&](std::string_view f, std::string_view val) {
        String(f);
        String(val);
        if (ok) ok = MaybeFlush();
      });
      return ok;
    }
    case ValueType::kStream:
      return Stream(v);
  }
  return true;
}

// A stream as RDB_TYPE_STREAM_LISTPACKS_2: our nodes re-encoded as Redis's stream
// listpacks (one per node of ours, deleted entries left out), then the metadata and the
// consumer groups.
bool Encoder::Stream(const Value& v) {
  const auto* s = v.As<StreamObject>();

  // Node boundaries: a new listpack starts at each of our node keys.
  std::vector<StreamID> bounds;
  bounds.reserve(s->node_count());
  s->ForEachNodeKey([&](const StreamID& id) { bounds.push_back(id); });

  struct Node {
    StreamID master;
    Listpack lp;
  };
  std::vector<Node> nodes;
  std::vector<std::string> master_fields;
  size_t next_bound = 0;
  int64_t live = 0;
  auto close = [&]() {
    if (!nodes.empty() && live > 0) {
      Listpack& lp = nodes.back().lp;
      lp.ReplaceInt(lp.First(), live);
    }
  };

  StreamObject::Iterator it(*s, StreamID::Min(), StreamID::Max(), false);
  StreamID id;
  StreamObject::FieldList fields;
  while (it.Next(&id, &fields)) {
    bool fresh = nodes.empty();
    while (next_bound < bounds.size() && !(id < bounds[next_bound])) {
      ++next_bound;
      fresh = true;
    }
    if (fresh) {
      close();
      nodes.push_back(Node{id, Listpack()});
      Listpack& lp = nodes.back().lp;
      live = 0;
      lp.AppendInt(0);  // count of live entries, patched by close()
      lp.AppendInt(0);  // deleted entries
      lp.AppendInt(static_cast<int64_t>(fields.size()));
      master_fields.clear();
      for (const auto& [f, val] : fields) {
        lp.Append(f);
        master_fields.emplace_back(f);
      }
      lp.AppendInt(0);  // the master entry's terminator
    }
    Node& node = nodes.back();
    Listpack& lp = node.lp;
    bool same = fields.size() == master_fields.size();
    for (size_t i = 0; same && i < fields.size(); ++i) same = fields[i].first == master_fields[i];
    lp.AppendInt(same ? kStreamItemSameFields : 0);
    lp.AppendInt(static_cast<int64_t>(id.ms - node.master.ms));
    lp.AppendInt(static_cast<int64_t>(id.seq - node.master.seq));
    if (!same) lp.AppendInt(static_cast<int64_t>(fields.size()));
    for (const auto& [f, val] : fields) {
      if (!same) lp.Append(f);
      lp.Append(val);
    }
    const auto n = static_cast<int64_t>(fields.size());
    lp.AppendInt(same ? n + 3 : 2 * n + 4);
    ++live;
  }
  close();

  Len(nodes.size());
  for (const Node& n : nodes) {
    std::string key;
    PutStreamId(&key, n.master);
    String(key);
    ListpackBlob(n.lp);
    if (!MaybeFlush()) return false;
  }
  Len(s->length());
  Len(s->last_id().ms);
  Len(s->last_id().seq);
  Len(s->first_id().ms);
  Len(s->first_id().seq);
  Len(s->max_deleted_id().ms);
  Len(s->max_deleted_id().seq);
  Len(s->entries_added());

  if (s->group_count() == 0) {
    Len(0);
    return true;
  }
  const auto& groups = s->groups();
  Len(groups.size());
  for (const auto& [name, g] : groups) {
    String(name);
    Len(g->last_id.ms);
    Len(g->last_id.seq);
    Len(static_cast<uint64_t>(g->entries_read));
    Len(g->pel.size());
    for (const auto& [pid, nack] : g->pel) {
      PutStreamId(out_, pid);
      U64Le(static_cast<uint64_t>(nack.delivery_time_ms));
      Len(nack.delivery_count);
      if (!MaybeFlush()) return false;
    }
    Len(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      String(cname);
      U64Le(static_cast<uint64_t>(c->seen_time_ms));
      Len(c->pel.size());
      for (const StreamID& pid : c->pel) PutStreamId(out_, pid);
      if (!MaybeFlush()) return false;
    }
  }
  return true;
}

}  // namespace rdb_internal

using rdb_internal::Encoder;

// ---------------------------------------------------------------- sinks and sources

FdSink::FdSink(int fd, size_t buffer_size, uint64_t fsync_every)
    : fd_(fd),
      buf_(new char[buffer_size == 0 ? 1 : buffer_size]),
      cap_(buffer_size == 0 ? 1 : buffer_size),
      fsync_every_(fsync_every) {}

FdSink::~FdSink() = default;

bool FdSink::WriteOut(const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
    since_fsync_ += static_cast<uint64_t>(w);
  }
  if (fsync_every_ > 0 && since_fsync_ >= fsync_every_) {
    since_fsync_ = 0;
    if (::fdatasync(fd_) != 0) {
      error_ = std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool FdSink::Write(const void* data, size_t n) {
  if (!error_.empty()) return false;
  written_ += n;
  const char* p = static_cast<const char*>(data);
  if (len_ + n <= cap_) {
    std::memcpy(buf_.get() + len_, p, n);
    len_ += n;
    return true;
  }
  if (!Flush()) return false;
  if (n >= cap_) return WriteOut(p, n);
  std::memcpy(buf_.get(), p, n);
  len_ = n;
  return true;
}

bool FdSink::Flush() {
  if (!error_.empty()) return false;
  if (len_ == 0) return true;
  const size_t n = len_;
  len_ = 0;
  return WriteOut(buf_.get(), n);
}

size_t StringSource::Read(void* buf, size_t n) {
  const size_t k = std::min(n, data_.size() - pos_);
  if (k > 0) std::memcpy(buf, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

FdSource::FdSource(int fd) : fd_(fd) {
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const off_t cur = ::lseek(fd, 0, SEEK_CUR);
    size_ = static_cast<int64_t>(st.st_size);
    pos_ = cur < 0 ? 0 : static_cast<int64_t>(cur);
  }
}

size_t FdSource::Read(void* buf, size_t n) {
  size_t got = 0;
  auto* p = static_cast<char*>(buf);
  while (got < n) {
    const ssize_t r = ::read(fd_, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      break;
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  pos_ += static_cast<int64_t>(got);
  return got;
}

int64_t FdSource::Remaining() const {
  if (size_ < 0) return -1;
  return size_ > pos_ ? size_ - pos_ : 0;
}

// ---------------------------------------------------------------- RdbWriter

namespace {
constexpr size_t kFlushAt = 256 * 1024;
}  // namespace

struct RdbWriter::Impl {
  Impl(RdbSink& s, const RdbOptions& o) : sink(s), options(o), enc(&buf, o.compression, &lzf) {
    buf.reserve(kFlushAt + 64 * 1024);
    enc.set_flush(&Impl::FlushThunk, this, kFlushAt);
  }
  static bool FlushThunk(void* self) { return static_cast<Impl*>(self)->FlushBuffer(); }
  bool FlushBuffer() {
    if (failed) return false;
    if (buf.empty()) return true;
    if (options.checksum) crc = Crc64(crc, buf.data(), buf.size());
    *bytes += buf.size();
    if (!sink.Write(buf.data(), buf.size())) {
      failed = true;
      buf.clear();
      return false;
    }
    buf.clear();
    return true;
  }
  void Aux(std::string_view k, std::string_view v) {
    enc.Byte(rdb_internal::kOpAux);
    enc.String(k);
    enc.String(v);
  }

  RdbSink& sink;
  RdbOptions options;
  std::string buf;
  LzfScratch lzf;
  Encoder enc;
  uint64_t crc = 0;
  bool failed = false;
  uint64_t* bytes = nullptr;
};

RdbWriter::RdbWriter(RdbSink& sink, const RdbOptions& options)
    : impl_(std::make_unique<Impl>(sink, options)) {
  impl_->bytes = &bytes_;
}

RdbWriter::~RdbWriter() = default;

namespace {
std::string SinkError(const RdbSink& sink) {
  std::string e = sink.error();
  return e.empty() ? "write error" : e;
}
}  // namespace

bool RdbWriter::Begin(int64_t now_ms) {
  if (impl_->failed) return false;
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kRdbVersion);
  impl_->enc.Raw(magic, 9);
  const RdbOptions& o = impl_->options;
  impl_->Aux("redis-ver", o.redis_ver);
  impl_->Aux("redis-bits", "64");
  impl_->Aux("ctime", Int64ToString(now_ms / 1000));
  impl_->Aux("used-mem", Int64ToString(o.used_mem));
  for (const auto& [k, v] : o.extra_aux) impl_->Aux(k, v);
  impl_->Aux("aof-base", o.aof_base ? "1" : "0");
  if (!impl_->FlushBuffer()) {
    error_ = SinkError(impl_->sink);
    return false;
  }
  return true;
}

bool RdbWriter::SelectDb(int db, uint64_t keys, uint64_t expires) {
  if (impl_->failed) return false;
  impl_->enc.Byte(rdb_internal::kOpSelectDb);
  impl_->enc.Len(static_cast<uint64_t>(db));
  impl_->enc.Byte(rdb_internal::kOpResizeDb);
  impl_->enc.Len(keys);
  impl_->enc.Len(expires);
  return true;
}

bool RdbWriter::WriteKey(std::string_view key, const Value& value, const RdbKeyMeta& meta) {
  if (impl_->failed) return false;
  Encoder& e = impl_->enc;
  if (meta.expire_ms >= 0) {
    e.Byte(rdb_internal::kOpExpireTimeMs);
    e.U64Le(static_cast<uint64_t>(meta.expire_ms));
  }
  if (meta.lru_idle_s >= 0) {
    e.Byte(rdb_internal::kOpIdle);
    e.Len(static_cast<uint64_t>(meta.lru_idle_s));
  }
  if (meta.lfu_freq >= 0) {
    e.Byte(rdb_internal::kOpFreq);
    e.Byte(static_cast<uint8_t>(meta.lfu_freq > 255 ? 255 : meta.lfu_freq));
  }
  e.Byte(Encoder::TypeOf(value));
  e.String(key);
  bool ok = e.Object(value);
  if (ok && impl_->buf.size() >= kFlushAt) ok = impl_->FlushBuffer();
  if (!ok) {
    error_ = SinkError(impl_->sink);
    return false;
  }
  ++keys_;
  return true;
}

bool RdbWriter::End() {
  if (impl_->failed) return false;
  impl_->enc.Byte(rdb_internal::kOpEof);
  if (!impl_->FlushBuffer()) {
    error_ = SinkError(impl_->sink);
    return false;
  }
  char trailer[8];
  rdb_internal::PutLe(trailer, impl_->options.checksum ? impl_->crc : 0, 8);
  bytes_ += 8;
  if (!impl_->sink.Write(trailer, 8) || !impl_->sink.Flush()) {
    impl_->failed = true;
    error_ = SinkError(impl_->sink);
    return false;
  }
  return true;
}

bool WriteRdb(Keyspace& ks, int64_t now_ms, const RdbOptions& options, RdbSink& sink,
              std::string* error) {
  RdbWriter w(sink, options);
  const EvictionPolicy policy = ks.memory_settings().policy;
  const bool save_lru =
      policy == EvictionPolicy::kAllKeysLru || policy == EvictionPolicy::kVolatileLru;
  const bool save_lfu = ks.memory_settings().lfu();
  bool ok = w.Begin(now_ms);
  for (int i = 0; ok && i < ks.database_count(); ++i) {
    Database& db = ks.db(i);
    if (db.size() == 0) continue;
    ok = w.SelectDb(i, db.size(), db.expires_size());
    db.ForEach([&](const Entry& e) {
      if (!ok) return;
      RdbKeyMeta meta;
      if (e.has_expire()) meta.expire_ms = db.GetExpire(&e);
      if (save_lru) meta.lru_idle_s = static_cast<int64_t>(ks.IdleMs(e) / 1000);
      if (save_lfu) meta.lfu_freq = ks.LfuCounter(e);
      ok = w.WriteKey(e.key(), e.value, meta);
      if (options.on_keys && (w.keys_written() & 1023) == 0) options.on_keys(w.keys_written());
    });
  }
  if (ok) ok = w.End();
  if (!ok && error != nullptr) *error = w.error();
  return ok;
}

// ---------------------------------------------------------------- DUMP

std::string DumpPayload(const Value& v, bool compression) {
  std::string out;
  // This thread's LZF table: a fresh one would cost 256 KB of zeroing per value.
  Encoder e(&out, compression, nullptr);
  e.Byte(Encoder::TypeOf(v));
  e.Object(v);
  char footer[10];
  rdb_internal::PutLe(footer, kRdbVersion, 2);
  out.append(footer, 2);
  rdb_internal::PutLe(footer, Crc64(0, out.data(), out.size()), 8);
  out.append(footer, 8);
  return out;
}

}  // namespace gannet
