// Front coding of a listpack body (see front_coding.h). Lengths are LEB128 varints: one
// byte each below 128, which covers the short entries the form is for.
#include "gannet/engine/front_coding.h"

#include <algorithm>
#include <cstring>

namespace gannet {
namespace {

void PutVarint(size_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *p (before end); false when it runs past end or past 32 bits (no
// entry of a list node is that long).
bool GetVarint(const unsigned char** p, const unsigned char* end, size_t* v) {
  if (*p != end && **p < 0x80) {  // the common case: one byte
    *v = *(*p)++;
    return true;
  }
  size_t out = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*p == end) return false;
    const unsigned char b = *(*p)++;
    out |= static_cast<size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = out;
      return true;
    }
  }
  return false;
}

// Copies n bytes; n <= 16 with 16 bytes of room at both ends goes as one 16-byte load and
// store, which the compiler inlines (a node's entries are mostly short, and a libc call per
// entry was most of the decoding time). Bytes past n are overwritten by what follows.
inline void CopyShort(unsigned char* dst, const unsigned char* src, size_t n, bool room) {
  if (n <= 16 && room) {
    unsigned char chunk[16];
    std::memcpy(chunk, src, sizeof(chunk));
    std::memcpy(dst, chunk, sizeof(chunk));
  } else {
    std::memcpy(dst, src, n);
  }
}

}  // namespace

void FrontEncode(const Listpack& lp, std::string* out, std::vector<uint32_t>* restarts) {
  const std::string_view body = lp.body();
  const size_t base = out->size();
  const char* prev = nullptr;
  size_t prev_len = 0;
  size_t index = 0;
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone; ++index) {
    const Listpack::Pos next = lp.Next(p);
    const size_t end = next == Listpack::kNone ? body.size() : next;
    const char* cur = body.data() + p;
    const size_t len = end - p;
    size_t limit = std::min(len, prev_len);
    if (index % kFrontRestartInterval == 0) {
      restarts->push_back(static_cast<uint32_t>(out->size() - base));
      limit = 0;
    }
    size_t shared = 0;
    while (shared < limit && cur[shared] == prev[shared]) ++shared;
    PutVarint(shared, out);
    PutVarint(len - shared, out);
    out->append(cur + shared, len - shared);
    prev = cur;
    prev_len = len;
    p = next;
  }
}

bool FrontDecode(const unsigned char* in, size_t in_len, unsigned char* out, size_t out_len) {
  FrontCursor cursor(in, in_len);
  bool corrupt = false;
  size_t written = 0;
  while (cursor.Next(&corrupt)) {
    const size_t n = cursor.entry_size();
    if (n > out_len - written) return false;
    std::memcpy(out + written, cursor.entry(), n);
    written += n;
  }
  return !corrupt && written == out_len;
}

bool FrontCursor::Next(bool* corrupt) {
  *corrupt = false;
  if (in_ == end_) return false;
  size_t shared = 0;
  size_t rest = 0;
  if (!GetVarint(&in_, end_, &shared) || !GetVarint(&in_, end_, &rest) ||
      shared > entry_len_ || rest > static_cast<size_t>(end_ - in_) || shared + rest == 0) {
    *corrupt = true;
    return false;
  }
  entry_len_ = shared + rest;
  if (entry_.size() < entry_len_ + 16) entry_.resize(entry_len_ + 16);
  auto* at = reinterpret_cast<unsigned char*>(entry_.data()) + shared;
  CopyShort(at, in_, rest, static_cast<size_t>(end_ - in_) >= 16);
  in_ += rest;
  return true;
}

}  // namespace gannet
