// How the process's resources are shared out: descriptors between client
// connections and storage, memory for bodies in flight, and the return of
// freed memory to the system.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

namespace basalt::server {

struct DescriptorSplit {
  int max_connections = 0;    // client connections open at once
  int storage_open_files = 0;  // RocksDB's table files open at once
};

// Splits a descriptor limit: a fixed share for the process (standard streams,
// 4 per request thread for its reactor, the write-ahead log, manifest, info
// log and lock), a quarter of the rest (20 to 4,096) for storage's table
// files, and the remainder for connections. With a limit of 20,000 and 2
// threads: 4,096 table files (256 GB of RocksDB's 64 MB files) and 15,832
// connections; with 1,024: 238 and 714.
DescriptorSplit SplitDescriptors(uint64_t fd_limit, int threads);

// The soft descriptor limit, after raising it to the hard limit.
uint64_t RaiseFileLimit();

// The default memory budget for bodies in flight: 256 MiB, or a quarter of
// the machine's memory when that is less (but at least 16 MiB, one maximal
// request).
size_t DefaultMemoryBudget(uint64_t physical_bytes);
uint64_t PhysicalMemory();

// A background thread that hands memory the allocator keeps free back to the
// system. TCMalloc keeps the pages of freed large buffers (request bodies of
// up to 16 MiB) for reuse and returns them only slowly: 80 bodies of 16 MiB
// left RSS at 1.3 GB after they were gone. Once a second, free pages beyond
// 32 MiB are released (with glibc's malloc, every 10 s, malloc_trim).
class MemoryReleaser {
 public:
  MemoryReleaser();
  ~MemoryReleaser();
  MemoryReleaser(const MemoryReleaser&) = delete;
  MemoryReleaser& operator=(const MemoryReleaser&) = delete;

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace basalt::server
