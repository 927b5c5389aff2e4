// One trigger at work: a thread that reads its streams' records in order,
// filters and batches them, invokes the function and keeps a durable
// checkpoint per stream (MetaStore), as Lambda's event source mappings do
// for DynamoDB streams:
//
//   - a batch is up to BatchSize records that passed FilterCriteria, sent
//     as soon as records are there, or once it is full or
//     MaximumBatchingWindowInSeconds has passed when a window is set;
//   - records of a stream go in order, one batch at a time (shards are
//     consecutive ranges of a stream, so per-shard order holds);
//   - a failed batch is retried with exponential backoff (0.1 s doubling
//     to 5 s); with BisectBatchOnFunctionError it is split in two first (a
//     split costs no retry); after MaximumRetryAttempts retries, or once a
//     record is older than MaximumRecordAgeInSeconds, the records go to the
//     on-failure destination and the trigger moves on;
//   - with ReportBatchItemFailures the records before the lowest reported
//     sequence number count as done, and the rest is the failed batch;
//   - the checkpoint advances after each batch the function accepted (or
//     gave up on), so a restart resumes after the last acknowledged batch:
//     at-least-once, as Lambda promises;
//   - where front-ends share the store (RADOS), each runs every trigger but
//     only the holder of the lease "trigger/" uuid reads and invokes
//     (renewed every second and before each invocation; it lasts 10 s plus
//     the function's timeout). Another takes over from the checkpoints once
//     it lapses; a holder that lost it mid-batch stops before its next
//     invocation, so a batch may go twice (at-least-once still).
//
//   checkpoint key   := "trigger_ckpt/" uuid "/" u64be(stream id)
//   checkpoint value := varint(last done sequence number) str(shard id)
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/streams.h"
#include "storage/engine.h"
#include "triggers/event_filter.h"
#include "triggers/target.h"
#include "triggers/trigger_config.h"

namespace basalt::triggers {

// Counters of one trigger, for logs and a metrics endpoint. Monotonic
// except iterator_age_ms (the age of the newest record of the last batch
// delivered, Lambda's IteratorAge) and last_seq.
struct TriggerStats {
  std::string uuid;
  std::string source;  // the table name or stream ARN
  std::string function;
  uint64_t records_delivered = 0;
  uint64_t batches_delivered = 0;
  uint64_t invocations = 0;
  uint64_t invocation_failures = 0;
  uint64_t records_filtered_out = 0;
  uint64_t records_to_destination = 0;  // given up on (retries exhausted or too old)
  uint64_t records_trimmed = 0;         // trimmed from the stream before delivery
  int64_t iterator_age_ms = 0;
  uint64_t last_seq = 0;
};

// The stats in Prometheus' text format (one family per counter, a series
// per trigger labelled uuid, source and function), for a metrics endpoint.
std::string TriggerMetricsText(const std::vector<TriggerStats>& stats);

std::string CheckpointPrefix(const std::string& uuid);

class TriggerRunner {
 public:
  TriggerRunner(TriggerConfig config, db::Streams* streams, storage::MetaStore* meta, const Clock* clock);
  ~TriggerRunner();

  // Makes the target and the filter, then starts the thread.
  Status Start();
  // Stops the thread; an invocation in flight is abandoned (within 100 ms)
  // and its batch, not checkpointed, goes again after a restart.
  void Stop();

  const TriggerConfig& config() const { return config_; }
  TriggerStats Stats() const;
  // Lambda's LastProcessingResult.
  std::string LastResult() const;

 private:
  struct Cursor {
    uint64_t next = 0;        // the next sequence number to read
    double window_start = 0;  // when records first waited for the batching window
  };
  struct Pending {
    uint64_t seq;
    int64_t created_ms;
    std::string json;  // the record as the event carries it
  };

  void Loop();
  bool Matches(const db::StreamMeta& s) const;
  Result<Cursor*> CursorFor(const db::StreamMeta& s);
  // Reads, filters and delivers one batch of a stream; true when it made progress.
  Result<bool> PollStream(const db::StreamMeta& s);
  // Delivers `batch` to the end (acknowledged, or given up on); false when stopping first.
  bool Deliver(const db::StreamMeta& s, std::vector<const Pending*> batch);
  void GiveUp(const db::StreamMeta& s, const std::vector<const Pending*>& batch, const std::string& condition,
              int invocations, const Invocation& last);
  Status Checkpoint(const db::StreamMeta& s, uint64_t seq);
  // Whether this process may read and invoke now: always where no other
  // shares the store; else whether it holds the trigger's lease (renewed
  // when a second has passed since).
  bool HoldLease();
  bool SleepFor(double seconds);  // false when stopping

  TriggerConfig config_;
  db::Streams* streams_;
  storage::MetaStore* meta_;
  const Clock* clock_;
  double started_at_ = 0;
  std::unique_ptr<Target> target_;
  std::unique_ptr<EventFilter> filter_;
  std::map<uint64_t, Cursor> cursors_;  // by stream id; the thread's own
  bool holding_ = false;                // the thread's own: held the lease at the last look
  double lease_renewed_ = 0;            // the thread's own

  mutable std::mutex stats_mu_;
  TriggerStats stats_;      // guarded by stats_mu_
  std::string last_result_ = "No records processed";  // guarded by stats_mu_

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by wake_mu_
  std::atomic<bool> stop_flag_{false};
  std::thread thread_;
};

}  // namespace basalt::triggers
