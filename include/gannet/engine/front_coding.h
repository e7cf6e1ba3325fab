// Front coding of a listpack body, the compact form Gannet keeps a list's interior nodes in
// (see list_object.h). Each entry's encoded bytes are stored as the length of the prefix
// they share with the entry before, the length of the rest, then the rest: consecutive
// entries that begin alike ("job:1041", "job:1042"; timestamps; JSON records with the same
// leading fields) shrink to a few bytes, as in the prefix-compressed blocks of LevelDB and
// RocksDB. Decoding is a forward walk (FrontCursor) that rebuilds the body byte for byte.
// As in those blocks, every kFrontRestartInterval-th entry is a restart (stored whole, its
// offset recorded), so a read can start at the restart before the entry it wants rather
// than at the first entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gannet/engine/listpack.h"

namespace gannet {

constexpr size_t kFrontRestartInterval = 64;

// The restarts of a body of `count` entries: entries 0, 64, 128...
constexpr size_t FrontRestartCount(size_t count) {
  return (count + kFrontRestartInterval - 1) / kFrontRestartInterval;
}

// Appends lp's body, front-coded, to *out, and each restart's offset in what it appended
// to *restarts (FrontRestartCount(lp.size()) of them).
void FrontEncode(const Listpack& lp, std::string* out, std::vector<uint32_t>* restarts);

// Walks a front-coded body one entry at a time without writing the body out: each entry is
// rebuilt over the one before, whose first bytes it shares, so a step costs a copy of the
// entry's own new bytes. Reading the k-th entry of a node this way, from the restart before
// it, is much cheaper than decoding the node.
class FrontCursor {
 public:
  // Walks in[0..len), which starts with a restart (the whole coding, or its tail from a
  // restart's offset).
  FrontCursor(const unsigned char* in, size_t len) : in_(in), end_(in + len) {}
  // Steps to the next entry; false at the end, and (with *corrupt set) on a malformed
  // input.
  bool Next(bool* corrupt);
  // The current entry's encoded bytes (valid until the next step).
  const unsigned char* entry() const {
    return reinterpret_cast<const unsigned char*>(entry_.data());
  }
  size_t entry_size() const { return entry_len_; }

 private:
  const unsigned char* in_;
  const unsigned char* end_;
  // The current entry in its first entry_len_ bytes; kept 16 bytes longer than any entry
  // so far, room for the step's fixed-size copy of a short suffix.
  std::string entry_;
  size_t entry_len_ = 0;
};

// Decodes in[0..in_len) into out, which must be exactly the original body's length.
// False when the input does not decode to exactly out_len bytes (corruption).
bool FrontDecode(const unsigned char* in, size_t in_len, unsigned char* out, size_t out_len);

}  // namespace gannet
