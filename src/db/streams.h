// DynamoDB Streams: the change records of tables, in shards.
//
// A write to a table with an enabled stream puts a stream record in the
// storage outbox, in the same atomic commit as the item (write_path.cc),
// so a record exists exactly when its write does and the records of one
// item are in the order of its writes. The shipper (one thread) moves
// settled outbox records into the stream's change log, giving each the next
// sequence number; a stream's shards are consecutive ranges of that log.
// The open shard is closed, and a child opened with it as parent, when it
// reaches a number of records or an age. Records older than the retention
// period are trimmed, and streams disabled for that long are removed.
//
// Readers ship what is pending first, so a record is readable as soon as
// the write that made it was acknowledged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/stream_record.h"
#include "db/table_meta.h"
#include "model/attribute_value.h"
#include "storage/engine.h"

namespace basalt::db {

struct ShardMeta {
  std::string id;        // shardId-<creation ms, 20 digits>-<8 hex digits>
  std::string parent;    // ParentShardId; empty for a stream's first shard
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;  // the last record's; 0 while the shard has none
  uint64_t records = 0;
  bool closed = false;
  double created_at = 0;
  double closed_at = 0;
};

struct StreamMeta {
  uint64_t id = 0;  // also the change log's id
  std::string ns;
  std::string arn;
  std::string label;
  std::string table;
  model::KeySchema key_schema;
  StreamViewType view = StreamViewType::kKeysOnly;
  double created_at = 0;
  bool enabled = true;
  double disabled_at = 0;
  uint64_t trimmed_below = 0;  // records below this sequence number are gone
  std::vector<ShardMeta> shards;  // oldest first; the last is open while enabled
};

struct StreamOptions {
  double retention_seconds = 24 * 3600;
  uint64_t shard_max_records = 100000;
  double shard_seconds = 4 * 3600;  // a shard's age at which it is closed
  double iterator_seconds = 15 * 60;
};

enum class IteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber };

struct GetRecordsOutput {
  std::vector<StreamRecord> records;
  std::optional<std::string> next_iterator;  // absent at the end of a closed shard
};

class Streams {
 public:
  Streams(storage::Engine* engine, const Clock* clock, StreamOptions options);
  ~Streams();

  // Loads the streams and starts the shipper.
  Status Open();

  // Starts a stream for a table (`table.stream` names it) with its first
  // shard; `created_at` is the instant its label shows.
  Status Create(const TableMeta& table, double created_at);
  // Ends a stream: ships what is pending and closes its shard. It stays
  // readable for the retention period.
  Status Disable(uint64_t id);

  // Other front-ends share the store (known once open).
  bool shared() const { return shared_; }

  // A commit wrote outbox records.
  void Notify();
  // Moves every settled outbox record into its stream.
  Status Ship();
  // Trims records and streams past the retention period.
  Status Trim();

  // Streams of a namespace (of one table when `table` is set) in ARN order,
  // after `start_after`.
  // Where the store is shared, the registry is read again first if another
  // front-end changed it.
  std::vector<StreamMeta> List(const std::string& ns, const std::optional<std::string>& table,
                               const std::string& start_after);
  std::vector<StreamMeta> All() const;
  // Ships what is pending first, so the shards are as the writes so far made them.
  Result<StreamMeta> Describe(const std::string& ns, const std::string& arn);
  Result<std::string> GetShardIterator(const std::string& ns, const std::string& arn, const std::string& shard_id,
                                       IteratorType type, std::optional<uint64_t> seq);
  Result<GetRecordsOutput> GetRecords(const std::string& ns, const std::string& iterator, size_t limit);

  // For consumers inside the server (stream triggers): ships what is
  // pending, then reads up to `limit` records of stream `id` from sequence
  // number `from` on, in order. Records below the stream's trim point are
  // gone; the caller compares `from` with StreamMeta::trimmed_below.
  Result<std::vector<StreamRecord>> ReadFrom(uint64_t id, uint64_t from, size_t limit);
  // The last sequence number given to a record, of any stream.
  uint64_t LastSequence() const;
  // Waits until records past `after` (a LastSequence()) are shipped, or
  // for `seconds`. The shipper wakes waiters after each pass that shipped
  // records, so a consumer sees a record about when a reader could; the
  // write path does nothing more for it.
  void WaitForRecords(uint64_t after, double seconds);

 private:
  // Reads the stored registry (streams, next_seq_, generation_); holds
  // ship_mu_, so no change in progress is lost under it.
  Status LoadLocked();
  // LoadLocked()s if another front-end changed the registry since.
  Status RefreshLocked();
  // Ships `shipped` as `appends` and stores registry entries `puts`, in one
  // step, only while the stored generation is the one this process read
  // (kConditionalCheckFailed otherwise); holds ship_mu_. On failure the
  // registry is read again, so it is never ahead of storage.
  Status StoreLocked(std::span<const storage::OutboxEntry> shipped, std::span<const storage::LogAppend> appends,
                     std::vector<std::pair<std::string, std::string>> puts);
  // Runs `change` (it edits the registry under mu_ and names the entries to
  // store) and stores them; when another front-end stored first, reads the
  // registry again and runs `change` on that. Holds ship_mu_.
  Status ChangeLocked(const std::function<Status(std::vector<std::pair<std::string, std::string>>* puts)>& change);
  ShardMeta NewShard(const StreamMeta& s, const std::string& parent, uint64_t first_seq, double now) const;
  Status ShipLocked();  // holds ship_mu_
  // Closes the open shard and opens its child when it is full or old
  // (true when it did); holds mu_.
  bool RollIfDue(StreamMeta& s, double now);
  void ShipperLoop();

  storage::Engine* engine_;
  const Clock* clock_;
  StreamOptions options_;

  mutable std::mutex mu_;
  std::condition_variable shipped_;          // notified after a pass shipped records (waits on mu_)
  std::map<uint64_t, StreamMeta> streams_;  // by id; guarded by mu_
  uint64_t next_seq_ = 1;                   // guarded by mu_
  std::optional<std::string> generation_;   // the registry's, as read or stored (kGenerationKey); guarded by mu_
  bool shared_ = false;                     // other front-ends share the store (set by Open)

  std::mutex ship_mu_;        // one Ship at a time
  std::string ship_position_;  // the last outbox position shipped; guarded by ship_mu_
  double last_trim_ = 0;       // guarded by ship_mu_
  std::atomic<uint64_t> pending_{1};  // outbox writes not yet shipped (1: unknown, after a start)
  std::atomic<bool> idle_{false};     // the shipper waits for work

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by wake_mu_
  std::thread shipper_;
};

}  // namespace basalt::db
