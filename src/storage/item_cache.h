// The latest committed records of recently read items, by item key, in front
// of the RocksDB engine's point reads (rocksdb_engine.cc: Get and MultiGet,
// which GetItem, BatchGetItem and every write's read of its old items use;
// not TransactGet, whose records must be from one moment).
//
// A read of an item in RocksDB's memtable was ~8,200 of a GetItem's ~37,000
// instructions and ~9,800 of an UpdateItem's ~74,000 (callgrind; Debian's
// RocksDB is built with assertions, which check each skiplist step twice
// more). A hit here costs a hash, a shard lock and a copy of the record.
//
// Coherence: the cache never answers with a record older than what a
// RocksDB read would return at the same moment. Each commit, under its
// partitions' stripe locks (which order commits to a key):
//   BeginWrite  drops the written keys' entries and marks their shards busy,
//   (the write to RocksDB)
//   EndWrite    puts the new records of the keys that were cached (a write
//               to a hot key keeps it hot; a write to a cold one does not
//               bring it in) and clears the mark.
// A read that misses takes a ticket (the shard's epoch), reads RocksDB, and
// may Fill only if no write began or ended on the shard since the ticket and
// none is under way: otherwise its record may predate a write it raced with.
// Every BeginWrite and EndWrite advances the epoch. Reads at a snapshot and
// range reads do not use the cache. DropTable empties it the same way.
//
// Bounded by bytes (keys, values and ~160 bytes of bookkeeping an entry),
// least recently used first out, per shard. Capacity 0 disables it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/engine.h"

namespace basalt::storage {

class ItemCache {
 public:
  // `shards` apart from the default for tests (one shard: one LRU order).
  explicit ItemCache(size_t capacity_bytes, size_t shards = 64);

  bool enabled() const { return capacity_ > 0; }

  struct Ticket {
    size_t shard = 0;
    uint64_t epoch = 0;
  };
  // A hit copies the record into *out and returns true; a miss fills *ticket.
  bool Lookup(std::string_view key, Record* out, Ticket* ticket);
  // Keeps a record just read from RocksDB (present: absence is not kept),
  // unless the shard saw a write since the ticket.
  void Fill(std::string_view key, const Record& rec, const Ticket& ticket);

  // One key a commit writes: the record it puts, or none for a delete.
  struct Change {
    std::string key;
    const std::string* value = nullptr;  // null: a delete
    Version version = 0;
    bool was_cached = false;    // set by BeginWrite
    uint64_t all_epoch = 0;     // set by BeginWrite
  };
  void BeginWrite(std::span<Change> changes);
  // `landed`: the write succeeded (else the keys stay out).
  void EndWrite(std::span<const Change> changes, bool landed);
  // Around a write that may touch any key (a range deletion).
  void BeginWriteAll();
  void EndWriteAll();

  struct Stats {
    uint64_t entries = 0, bytes = 0, hits = 0, misses = 0;
  };
  Stats stats() const;
  // Each non-empty shard's entries, most recently used first, for tests:
  // "[key=value@version ...] [...]".
  std::string Render() const;

 private:
  // Per entry beyond its key and value: the list node with the record, the
  // index node and bucket, and the allocations' own headers.
  static constexpr size_t kEntryOverhead = 160;
  struct Entry {
    std::string key;
    Record rec;
    size_t Bytes() const { return key.size() + rec.value.size() + kEntryOverhead; }
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // keys point into lru
    size_t bytes = 0;
    uint64_t epoch = 0;
    int writing = 0;      // writes between BeginWrite and EndWrite, or their *All
    int writing_all = 0;  // writes between BeginWriteAll and EndWriteAll
    // Advanced by BeginWriteAll and EndWriteAll: a commit that overlapped a
    // range deletion does not put its records back (the deletion may have
    // landed after its write).
    uint64_t all_epoch = 0;
    uint64_t hits = 0, misses = 0;
  };

  size_t ShardOf(std::string_view key) const;
  void EraseLocked(Shard& s, std::list<Entry>::iterator it);
  void InsertLocked(Shard& s, std::string_view key, Record rec);

  const size_t capacity_;
  const size_t shard_count_;
  const size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace basalt::storage
