// LZF compression in the format Redis writes inside RDB files (liblzf's stream of literal
// runs and back-references): RDB strings longer than 20 bytes are stored compressed when
// that saves at least 4 bytes, and lists compress their interior quicklist nodes with it
// (list-compress-depth). In common because both the engine and persistence use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gannet {

// The compressor's match table, reused across calls. Slots hold base + position + 1, and
// each call moves base past the previous input, so stale slots read as empty without
// clearing 64 KB per call (most values are short).
struct LzfScratch {
  std::vector<uint32_t> table;
  uint32_t base = 0;
};

// Compresses in[0..in_len) into out (capacity out_cap). Returns the compressed size, or 0
// when the result would not fit out_cap (the caller then stores the bytes raw).
size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap, LzfScratch& scratch);

// The same without a caller's scratch: a small match table on the stack, cleared per call
// (list nodes, compressed now and then, a few KB each).
size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_cap);

// Decompresses exactly out_len bytes. Returns false when the input is malformed (a
// reference before the start, a run past either end) or does not produce out_len bytes.
bool LzfDecompress(const void* in, size_t in_len, void* out, size_t out_len);

}  // namespace gannet
