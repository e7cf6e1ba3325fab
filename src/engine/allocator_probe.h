// Finds the allocator's introspection entry points at run time: jemalloc's mallctl and
// malloc_stats_print when jemalloc is the process's malloc (gannet-server links it; test
// binaries do not), and ASan's allocator statistics in sanitizer builds. Looking them up
// with dlsym keeps the engine library free of a link-time dependency on either.
#pragma once

#include <dlfcn.h>

#include <cstddef>
#include <cstdint>

namespace gannet::engine_internal {

using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);
using MallocStatsPrintFn = void (*)(void (*)(void*, const char*), void*, const char*);
using SanitizerBytesFn = size_t (*)();

inline MallctlFn FindMallctl() {
  return reinterpret_cast<MallctlFn>(dlsym(RTLD_DEFAULT, "mallctl"));
}

inline MallocStatsPrintFn FindMallocStatsPrint() {
  return reinterpret_cast<MallocStatsPrintFn>(dlsym(RTLD_DEFAULT, "malloc_stats_print"));
}

inline SanitizerBytesFn FindSanitizerAllocatedBytes() {
  return reinterpret_cast<SanitizerBytesFn>(
      dlsym(RTLD_DEFAULT, "__sanitizer_get_current_allocated_bytes"));
}

// The calling thread's jemalloc counters of bytes allocated and freed (valid for the
// thread's lifetime), or nullptrs.
struct ThreadCounters {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  uint64_t Net() const { return allocated == nullptr ? 0 : *allocated - *deallocated; }
};

inline ThreadCounters FindThreadCounters(MallctlFn mallctl) {
  ThreadCounters c;
  if (mallctl == nullptr) return c;
  size_t sz = sizeof(uint64_t*);
  uint64_t* a = nullptr;
  uint64_t* d = nullptr;
  if (mallctl("thread.allocatedp", &a, &sz, nullptr, 0) != 0) return c;
  sz = sizeof(uint64_t*);
  if (mallctl("thread.deallocatedp", &d, &sz, nullptr, 0) != 0) return c;
  c.allocated = a;
  c.deallocated = d;
  return c;
}

}  // namespace gannet::engine_internal
