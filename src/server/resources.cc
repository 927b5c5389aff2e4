#include "server/resources.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

// TCMalloc's C interface, present when the binary links TCMalloc (the server
// does; tests and sanitizer builds do not). Weak, so that this file links
// either way.
extern "C" {
int MallocExtension_GetNumericProperty(const char* property, size_t* value) __attribute__((weak));
void MallocExtension_ReleaseToSystem(size_t num_bytes) __attribute__((weak));
}

namespace basalt::server {

DescriptorSplit SplitDescriptors(uint64_t fd_limit, int threads) {
  int64_t limit = static_cast<int64_t>(std::min<uint64_t>(fd_limit, 1 << 30));
  int64_t avail = limit - (64 + 4 * static_cast<int64_t>(std::max(threads, 1)));
  DescriptorSplit split;
  // RocksDB raises a table-file limit below 20 to 20.
  split.storage_open_files = static_cast<int>(std::clamp<int64_t>(avail / 4, 20, 4096));
  split.max_connections = static_cast<int>(std::max<int64_t>(avail - split.storage_open_files, 1));
  return split;
}

uint64_t RaiseFileLimit() {
  // Thousands of idle client connections each hold a descriptor.
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur == RLIM_INFINITY ? (uint64_t{1} << 20) : lim.rlim_cur;
}

size_t DefaultMemoryBudget(uint64_t physical_bytes) {
  constexpr uint64_t kDefault = uint64_t{256} << 20;
  constexpr uint64_t kFloor = uint64_t{16} << 20;
  if (physical_bytes == 0) return kDefault;
  return static_cast<size_t>(std::max(kFloor, std::min(kDefault, physical_bytes / 4)));
}

uint64_t PhysicalMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

MemoryReleaser::MemoryReleaser() : thread_([this] { Loop(); }) {}

MemoryReleaser::~MemoryReleaser() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void MemoryReleaser::Loop() {
  // Freed pages up to this much stay with the allocator: releasing and
  // faulting them back in costs more than they are worth.
  constexpr size_t kKeepFree = size_t{32} << 20;
  const bool tcmalloc = MallocExtension_GetNumericProperty != nullptr && MallocExtension_ReleaseToSystem != nullptr;
  const auto period = tcmalloc ? std::chrono::seconds(1) : std::chrono::seconds(10);
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
    if (tcmalloc) {
      size_t free_bytes = 0;
      if (MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &free_bytes) && free_bytes > kKeepFree) {
        MallocExtension_ReleaseToSystem(free_bytes - kKeepFree);
      }
    } else {
      malloc_trim(0);
    }
  }
}

}  // namespace basalt::server
