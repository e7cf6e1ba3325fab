// LZF compression in the format Redis writes inside RDB files (liblzf's stream of literal
// runs and back-references): RDB strings longer than 20 bytes are stored compressed when
// that saves at least 4 bytes, and lists compress their interior quicklist nodes with it
// (list-compress-depth). In common because both the engine and persistence use it.
//
// The compressor reproduces liblzf 3.6 as Redis 7.0 runs it (a 2^16-slot table, "very
// fast" mode) byte for byte, including when it gives up for lack of room, so DUMP payloads,
// RDB files and DEBUG OBJECT's serializedlength equal Redis's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gannet {

// The compressor's match table (2^16 positions, 256 KB), reused across calls. It is never
// cleared between calls: a slot left over from an earlier input is checked against this
// input's bytes before use, and it can never pass where a cleared slot would not (lzf.cc
// explains why), so the output does not depend on what the table held.
struct LzfScratch {
  std::vector<uint32_t> table;
};

// Compresses in[0..in_len) into out (capacity out_cap). Returns the compressed size, or 0
// when liblzf with an output buffer of out_cap bytes would give up (it checks room
// conservatively, so a result a few bytes under out_cap can still be refused), for empty
// input, and for inputs over 4 GB (stored raw). Redis passes out_cap = in_len - 4 for RDB
// strings and out_cap = in_len for list nodes; pass the same to get its decisions.
size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap, LzfScratch& scratch);

// The same with this thread's own scratch (allocated on first use): list nodes, compressed
// now and then from code that has no scratch to pass.
size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap);

// Decompresses exactly out_len bytes. Returns false when the input is malformed (a
// reference before the start, a run past either end) or does not produce out_len bytes.
bool LzfDecompress(const void* in, size_t in_len, void* out, size_t out_len);

}  // namespace gannet
