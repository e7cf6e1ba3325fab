// jemalloc's start-up options for gannet-server, read by jemalloc from the `malloc_conf`
// symbol when it initialises (before main). MALLOC_CONF in the environment still
// overrides them. Only the executable links jemalloc, so only it carries this file.
//
// slab_sizes: every small size class gets slabs of at least 16 KiB (a multiple of its
// default, which jemalloc picks as the fewest pages that the class divides exactly: 1
// page for 128, 512 or 1024 bytes, 3 for 384 or 768). jemalloc keeps a 128-byte extent
// record per slab, allocated as metadata that it never returns: with one-page slabs
// that is 3% on top of 512- and 1024-byte values. Under the cache workload of
// bench/cache_workload.py it cut jemalloc's metadata by 0.46 MB for 62 MB of data and
// the RSS growth by about 0.7% of maxmemory; the allocator's instruction count did not
// change (README's memory section has the figures). Classes that already have 16 KiB
// (80, 112, 160 bytes, ...) are left alone, and larger slabs (32 KiB) left more of each
// slab empty than they saved.
#include <jemalloc/jemalloc.h>

extern "C" {
// jemalloc declares it non-const and reads it once, at initialisation: the one global
// this file defines, by jemalloc's interface.
const char* malloc_conf =
    "slab_sizes:"
    "16-16:2|32-32:4|48-48:6|64-64:4|96-96:6|128-128:4|192-192:6|256-256:4|384-384:6|"
    "512-512:4|768-768:6|1024-1024:4|1536-1536:6|2048-2048:4|3072-3072:6|4096-4096:4|"
    "6144-6144:6|8192-8192:4|12288-12288:6";
}
