// The parts of the RocksDB engine around its core; see rocksdb_parts.h.
#include "storage/rocksdb_parts.h"

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstdlib>

namespace basalt::storage::rocks {

Reclaimer::Reclaimer(rocksdb::DB* db, std::shared_ptr<rocksdb::Cache> block_cache, bool in_memory)
    : db_(db), block_cache_(std::move(block_cache)), in_memory_(in_memory), thread_([this] { Loop(); }) {}

void Reclaimer::Enqueue(std::string begin, std::string end) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(begin), std::move(end));
    ++pending_;
  }
  cv_.notify_all();
}

void Reclaimer::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return pending_ == 0 || stop_; });
}

void Reclaimer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  db_->DisableManualCompaction();  // a compaction under way ends early
  thread_.join();
}

void Reclaimer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto [begin, end] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Reclaim(begin, end);
    lock.lock();
    --pending_;
    cv_.notify_all();
  }
}

void Reclaimer::Reclaim(const std::string& begin, const std::string& end) {
  rocksdb::Slice b(begin), e(end);
  // Failures here leave the space to ordinary compaction; nothing is lost.
  rocksdb::DeleteFilesInRange(db_, db_->DefaultColumnFamily(), &b, &e).PermitUncheckedError();
  rocksdb::CompactRangeOptions cro;
  cro.exclusive_manual_compaction = false;  // ordinary compactions go on meanwhile
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  db_->CompactRange(cro, &b, &e).PermitUncheckedError();
  if (in_memory_ && block_cache_) block_cache_->EraseUnRefEntries();
}

rocksdb::Options OptionsFor(const RocksDbOptions& options, std::shared_ptr<rocksdb::Cache>* block_cache) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.merge_operator = std::make_shared<StatsMergeOperator>();
  opts.IncreaseParallelism(2);
  opts.write_buffer_size = 32 << 20;
  opts.max_write_buffer_number = 3;
  opts.keep_log_file_num = 3;
  // The stats family (StatsFamilyOptions) is flushed with the records: a
  // write-ahead log file is kept until every family's data in it is in a
  // table file, and the stats memtable, filling slower, held logs back
  // (48 MB of a dropped table's records stayed on disk as log).
  opts.atomic_flush = true;
  opts.max_manifest_file_size = 64 << 20;
  // Filters also by partition prefix (table id and partition hash), so that a
  // Query seeks only into files that may hold its partition.
  opts.prefix_extractor = std::make_shared<PartitionPrefixTransform>();
  // The same filters on memtables: a read of a partition or item that is not
  // among the recent writes skips each memtable's skiplist search. Sized at
  // 1% of the memtable (320 KB, ~12 bits per key of ~150-byte records): the
  // filter is allocated and zeroed with each memtable, and 5% (1.6 MB) was
  // most of an idle Basalt's heap (idle RSS 21.2 -> 20.2 MB; GetItem, PutItem
  // and Query within the noise, bench/README.md).
  opts.memtable_prefix_bloom_size_ratio = 0.01;
  opts.memtable_whole_key_filtering = true;
  rocksdb::BlockBasedTableOptions table;
  // In memory, the files are in RAM already, but a block read from them is
  // still copied, checksummed and decompressed: with a 64 MB cache, Query at
  // 1M items was 15-30% slower than at 10k. The cache fills only as blocks
  // are read, so the larger bound costs nothing on small tables.
  table.block_cache = rocksdb::NewLRUCache(options.in_memory ? (size_t{1} << 30) : (64 << 20));
  *block_cache = table.block_cache;
  // Every table file is open at once when -1 (the default); a bound keeps
  // storage within its share of the descriptor limit, beyond which files are
  // opened again on demand through the table cache.
  opts.max_open_files = options.max_open_files;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks stay in table-reader memory rather than in the
  // block cache: with them in a sharded 64 MB cache, the ~2 MB filter of a
  // large file did not fit a shard and was re-read and checksummed on every
  // lookup, which made writes 10-20x slower past ~1.5M items.
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  return opts;
}

rocksdb::ColumnFamilyOptions StatsFamilyOptions(const rocksdb::Options& base) {
  rocksdb::ColumnFamilyOptions cf;
  cf.merge_operator = base.merge_operator;
  cf.table_factory = base.table_factory;  // the same block cache and filters
  // Flushed with the records (atomic_flush): this bound is only reached first
  // by writes of items under ~50 bytes (an operand in the memtable is ~50).
  // Its memory is taken as operands come. (No prefix filter: the keys are few.)
  cf.write_buffer_size = 16 << 20;
  cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<TableStatsKeyTransform>();
  cf.max_write_buffer_number = 2;
  return cf;
}

Status MoveStatsToTheirFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* stats, const rocksdb::WriteOptions& wo) {
  const std::string begin(1, kStatsPrefix), end(1, static_cast<char>(kStatsPrefix + 1));
  rocksdb::Slice lower(begin), upper(end);
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.iterate_lower_bound = &lower;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  rocksdb::WriteBatch batch;
  for (it->Seek(begin); it->Valid(); it->Next()) batch.Merge(stats, it->key(), it->value());
  BASALT_RETURN_IF_ERROR(FromRocks(it->status()));
  if (batch.Count() == 0) return Status::Ok();
  batch.DeleteRange(db->DefaultColumnFamily(), begin, end);
  return FromRocks(db->Write(wo, &batch));
}

std::vector<std::pair<std::string, double>> PropertiesOf(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* stats) {
  struct Property {
    const char* name;
    const char* property;
    bool per_family;
  };
  static const Property kProperties[] = {
      {"rocksdb_memtable_bytes", "rocksdb.cur-size-all-mem-tables", true},
      {"rocksdb_block_cache_bytes", "rocksdb.block-cache-usage", false},
      {"rocksdb_table_readers_bytes", "rocksdb.estimate-table-readers-mem", true},
      {"rocksdb_pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes", true},
      {"rocksdb_running_compactions", "rocksdb.num-running-compactions", false},
      {"rocksdb_running_flushes", "rocksdb.num-running-flushes", false},
      {"rocksdb_write_stopped", "rocksdb.is-write-stopped", false},
      {"rocksdb_delayed_write_rate", "rocksdb.actual-delayed-write-rate", false},
      {"rocksdb_sst_files_bytes", "rocksdb.total-sst-files-size", true},
      {"rocksdb_live_sst_files_bytes", "rocksdb.live-sst-files-size", true},
      {"rocksdb_level0_files", "rocksdb.num-files-at-level0", true},
      {"rocksdb_estimated_keys", "rocksdb.estimate-num-keys", true},
  };
  std::vector<std::pair<std::string, double>> out;
  for (const Property& p : kProperties) {
    double sum = 0;
    bool found = false;
    for (rocksdb::ColumnFamilyHandle* family : {db->DefaultColumnFamily(), stats}) {
      if (family == stats && !p.per_family) break;
      uint64_t v = 0;
      std::string text;
      if (db->GetIntProperty(family, p.property, &v)) {
        sum += static_cast<double>(v);
      } else if (db->GetProperty(family, p.property, &text)) {
        sum += std::strtod(text.c_str(), nullptr);
      } else {
        continue;
      }
      found = true;
    }
    if (found) out.emplace_back(p.name, sum);
  }
  return out;
}

}  // namespace basalt::storage::rocks
