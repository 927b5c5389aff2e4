#include "triggers/trigger_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/coding.h"
#include "common/log.h"
#include "triggers/lambda_event.h"

namespace basalt::triggers {
namespace {

// The longest wait for new records between looks at quiet streams (the
// shipper wakes the wait as soon as it ships records; the bound keeps
// batching windows and stopping responsive).
constexpr double kIdleWaitSeconds = 0.02;
constexpr double kBackoffFirst = 0.1;
constexpr double kBackoffMax = 5;
constexpr double kProgressLogSeconds = 30;
// The lease of a trigger where front-ends share the store: renewed every
// second while held; others look once a second whether it lapsed.
constexpr double kLeaseBaseSeconds = 10;
constexpr double kLeaseRenewSeconds = 1;

std::string CheckpointKey(const std::string& uuid, uint64_t stream) {
  std::string k = CheckpointPrefix(uuid);
  PutFixed64BE(&k, stream);
  return k;
}

// The shard holding `seq`: the last one starting at or before it.
std::string ShardOf(const db::StreamMeta& s, uint64_t seq) {
  std::string id;
  for (const db::ShardMeta& sh : s.shards) {
    if (sh.first_seq <= seq) id = sh.id;
  }
  return id;
}

Status AppendLine(const std::string& path, std::string line) {
  line.push_back('\n');
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot open " + path);
  ssize_t n = write(fd, line.data(), line.size());  // one write: whole lines even with several writers
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

std::string CheckpointPrefix(const std::string& uuid) { return "trigger_ckpt/" + uuid + "/"; }

std::string TriggerMetricsText(const std::vector<TriggerStats>& stats) {
  auto escape = [](const std::string& v) {
    std::string out;
    for (char c : v) {
      if (c == '\\' || c == '"') out.push_back('\\');
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out.push_back(c);
    }
    return out;
  };
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (*value)(const TriggerStats&);
  };
  static const Family kFamilies[] = {
      {"basalt_trigger_records_delivered_total", "counter", "Records the function accepted.",
       [](const TriggerStats& s) { return s.records_delivered; }},
      {"basalt_trigger_batches_delivered_total", "counter", "Batches the function accepted.",
       [](const TriggerStats& s) { return s.batches_delivered; }},
      {"basalt_trigger_invocations_total", "counter", "Invocations of the function.",
       [](const TriggerStats& s) { return s.invocations; }},
      {"basalt_trigger_invocation_failures_total", "counter", "Invocations that failed.",
       [](const TriggerStats& s) { return s.invocation_failures; }},
      {"basalt_trigger_records_filtered_out_total", "counter", "Records that matched no filter.",
       [](const TriggerStats& s) { return s.records_filtered_out; }},
      {"basalt_trigger_records_to_destination_total", "counter", "Records given up on (on-failure destination).",
       [](const TriggerStats& s) { return s.records_to_destination; }},
      {"basalt_trigger_records_trimmed_total", "counter", "Records trimmed from the stream before delivery.",
       [](const TriggerStats& s) { return s.records_trimmed; }},
      {"basalt_trigger_iterator_age_milliseconds", "gauge", "Age of the newest record of the last batch delivered.",
       [](const TriggerStats& s) { return static_cast<uint64_t>(std::max<int64_t>(0, s.iterator_age_ms)); }},
  };
  std::string out;
  for (const Family& f : kFamilies) {
    out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const TriggerStats& s : stats) {
      out += std::string(f.name) + "{uuid=\"" + escape(s.uuid) + "\",source=\"" + escape(s.source) +
             "\",function=\"" + escape(s.function) + "\"} " + std::to_string(f.value(s)) + "\n";
    }
  }
  return out;
}

TriggerRunner::TriggerRunner(TriggerConfig config, db::Streams* streams, storage::MetaStore* meta,
                             const Clock* clock)
    : config_(std::move(config)), streams_(streams), meta_(meta), clock_(clock) {
  stats_.uuid = config_.uuid;
  stats_.source = config_.event_source_arn.empty() ? config_.table : config_.event_source_arn;
  stats_.function = config_.function;
}

TriggerRunner::~TriggerRunner() { Stop(); }

Status TriggerRunner::Start() {
  BASALT_ASSIGN_OR_RETURN(target_, MakeTarget(config_.function));
  BASALT_ASSIGN_OR_RETURN(EventFilter filter, EventFilter::Parse(config_.filter_patterns));
  filter_ = std::make_unique<EventFilter>(std::move(filter));
  started_at_ = config_.last_modified > 0 ? config_.last_modified : clock_->Now();
  if (config_.enabled) thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void TriggerRunner::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  stop_flag_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

TriggerStats TriggerRunner::Stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

std::string TriggerRunner::LastResult() const {
  std::lock_guard lock(stats_mu_);
  return last_result_;
}

bool TriggerRunner::SleepFor(double seconds) {
  std::unique_lock lock(wake_mu_);
  wake_.wait_for(lock, std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)), [&] { return stopping_; });
  return !stopping_;
}

bool TriggerRunner::HoldLease() {
  if (!meta_->Shared()) {
    holding_ = true;
    return true;
  }
  const double now = clock_->Now();
  if (holding_ && now - lease_renewed_ < kLeaseRenewSeconds) return true;
  Result<bool> mine = meta_->Lease("trigger/" + config_.uuid, kLeaseBaseSeconds + config_.timeout_seconds);
  holding_ = mine.ok() && *mine;
  if (holding_) lease_renewed_ = now;
  return holding_;
}

bool TriggerRunner::Matches(const db::StreamMeta& s) const {
  return config_.event_source_arn.empty() ? s.table == config_.table : s.arn == config_.event_source_arn;
}

void TriggerRunner::Loop() {
  Log(LogLevel::kInfo, "trigger " + config_.uuid + ": " + stats_.source + " -> " + config_.function);
  double last_error_log = 0;
  double last_progress_log = clock_->Now();
  TriggerStats reported = Stats();
  while (!stop_flag_.load()) {
    if (clock_->Now() - last_progress_log >= kProgressLogSeconds) {
      // Progress and lag, when there was any since the last line.
      TriggerStats now = Stats();
      if (now.invocations != reported.invocations || now.records_filtered_out != reported.records_filtered_out) {
        Log(LogLevel::kInfo, "trigger " + config_.uuid + ": " +
                                 std::to_string(now.records_delivered - reported.records_delivered) + " records in " +
                                 std::to_string(now.batches_delivered - reported.batches_delivered) + " batches, " +
                                 std::to_string(now.invocation_failures - reported.invocation_failures) +
                                 " failed invocations, " +
                                 std::to_string(now.records_to_destination - reported.records_to_destination) +
                                 " records given up, " +
                                 std::to_string(now.records_filtered_out - reported.records_filtered_out) +
                                 " filtered out; iterator age " + std::to_string(now.iterator_age_ms) + " ms");
      }
      reported = now;
      last_progress_log = clock_->Now();
    }
    const bool held_before = holding_;
    if (!HoldLease()) {
      if (!SleepFor(kLeaseRenewSeconds)) return;  // another front-end runs the trigger
      continue;
    }
    if (!held_before) {
      // Taken over: the holder before may have moved the checkpoints on.
      cursors_.clear();
      if (meta_->Shared()) Log(LogLevel::kInfo, "trigger " + config_.uuid + ": runs on this front-end now");
    }
    bool progressed = false;
    uint64_t seen = streams_->LastSequence();
    // Where front-ends share the store, shipping also takes up the streams
    // made through the others (All reads only what this one knows).
    if (meta_->Shared()) {
      if (Status st = streams_->Ship(); !st.ok() && clock_->Now() - last_error_log > 10) {
        Log(LogLevel::kWarn, "trigger " + config_.uuid + ": " + st.message());
        last_error_log = clock_->Now();
      }
    }
    std::vector<db::StreamMeta> streams = streams_->All();
    for (const db::StreamMeta& s : streams) {
      if (!Matches(s) || s.shards.empty()) continue;
      Result<bool> r = PollStream(s);
      if (!r.ok()) {
        if (clock_->Now() - last_error_log > 10) {
          Log(LogLevel::kWarn, "trigger " + config_.uuid + ": " + r.status().message());
          last_error_log = clock_->Now();
        }
        continue;
      }
      progressed = progressed || *r;
      if (stop_flag_.load()) return;
    }
    // Streams that are gone (trimmed after their table was deleted) take their checkpoints along.
    for (auto it = cursors_.begin(); it != cursors_.end();) {
      bool present = std::any_of(streams.begin(), streams.end(), [&](const auto& s) { return s.id == it->first; });
      if (present) {
        ++it;
      } else {
        (void)meta_->Delete(CheckpointKey(config_.uuid, it->first));
        it = cursors_.erase(it);
      }
    }
    if (!progressed) streams_->WaitForRecords(seen, kIdleWaitSeconds);
  }
}

Result<TriggerRunner::Cursor*> TriggerRunner::CursorFor(const db::StreamMeta& s) {
  auto it = cursors_.find(s.id);
  if (it != cursors_.end()) return &it->second;
  Cursor c;
  std::optional<std::string> stored;
  BASALT_RETURN_IF_ERROR(meta_->Get(CheckpointKey(config_.uuid, s.id), &stored));
  if (stored) {
    std::string_view in = *stored;
    uint64_t seq = 0;
    if (!GetVarint64(&in, &seq)) return Status::Internal("corrupt trigger checkpoint");
    c.next = seq + 1;
  } else {
    // LATEST skips what a stream held when the trigger was made; a stream
    // that began later is read from its start (all of it came later).
    c.next = std::max<uint64_t>(1, std::max(s.trimmed_below, s.shards.front().first_seq));
    if (config_.starting_latest && s.created_at < started_at_) {
      for (const db::ShardMeta& sh : s.shards) c.next = std::max(c.next, sh.records ? sh.last_seq + 1 : sh.first_seq);
    }
    BASALT_RETURN_IF_ERROR(Checkpoint(s, c.next - 1));
  }
  return &cursors_.emplace(s.id, c).first->second;
}

Status TriggerRunner::Checkpoint(const db::StreamMeta& s, uint64_t seq) {
  std::string value;
  PutVarint64(&value, seq);
  PutLengthPrefixed(&value, ShardOf(s, seq));
  return meta_->Put(CheckpointKey(config_.uuid, s.id), value);
}

Result<bool> TriggerRunner::PollStream(const db::StreamMeta& s) {
  BASALT_ASSIGN_OR_RETURN(Cursor * cursor, CursorFor(s));
  if (cursor->next < s.trimmed_below) {
    uint64_t lost = s.trimmed_below - cursor->next;
    Log(LogLevel::kWarn, "trigger " + config_.uuid + ": records of " + s.arn +
                             " were trimmed before delivery; resuming at sequence number " +
                             std::to_string(s.trimmed_below));
    {
      std::lock_guard lock(stats_mu_);
      stats_.records_trimmed += lost;  // an upper bound: numbers are shared between streams
    }
    cursor->next = s.trimmed_below;
  }
  const size_t batch_size = static_cast<size_t>(config_.batch_size);
  EventSource source{s.arn, RegionOfArn(s.arn)};
  std::vector<Pending> batch;
  uint64_t position = cursor->next;
  uint64_t last_read = 0;
  uint64_t filtered = 0;
  while (batch.size() < batch_size) {
    BASALT_ASSIGN_OR_RETURN(std::vector<db::StreamRecord> records,
                            streams_->ReadFrom(s.id, position, batch_size - batch.size()));
    if (records.empty()) break;
    for (db::StreamRecord& r : records) {
      std::string json = RenderRecord(r, source);
      last_read = r.seq;
      position = r.seq + 1;
      if (!filter_->empty() && !filter_->MatchesText(json)) {
        ++filtered;
        continue;
      }
      batch.push_back(Pending{r.seq, r.created_ms, std::move(json)});
    }
  }
  if (last_read == 0) return false;
  if (!batch.empty() && batch.size() < batch_size && config_.max_batching_window_seconds > 0) {
    double now = clock_->Now();
    if (cursor->window_start == 0) cursor->window_start = now;
    if (now - cursor->window_start < config_.max_batching_window_seconds) return false;  // let the batch fill
  }
  cursor->window_start = 0;
  if (filtered) {
    std::lock_guard lock(stats_mu_);
    stats_.records_filtered_out += filtered;
  }
  if (!batch.empty()) {
    std::vector<const Pending*> refs;
    for (const Pending& p : batch) refs.push_back(&p);
    if (!Deliver(s, std::move(refs))) return false;  // stopping: the checkpoint stays before it
  }
  BASALT_RETURN_IF_ERROR(Checkpoint(s, last_read));
  cursor->next = last_read + 1;
  std::lock_guard lock(stats_mu_);
  stats_.last_seq = last_read;
  return true;
}

bool TriggerRunner::Deliver(const db::StreamMeta& s, std::vector<const Pending*> batch) {
  int failures = 0;
  Invocation last;
  while (!batch.empty()) {
    if (stop_flag_.load()) return false;
    if (config_.max_record_age_seconds >= 0) {
      // Records come oldest first: those past the age go to the destination.
      double now_ms = clock_->Now() * 1000;
      size_t old = 0;
      while (old < batch.size() &&
             now_ms - static_cast<double>(batch[old]->created_ms) > config_.max_record_age_seconds * 1000.0) {
        ++old;
      }
      if (old) {
        std::vector<const Pending*> expired(batch.begin(), batch.begin() + static_cast<ptrdiff_t>(old));
        GiveUp(s, expired, "RecordAgeExceeded", failures, last);
        batch.erase(batch.begin(), batch.begin() + static_cast<ptrdiff_t>(old));
        if (batch.empty()) return true;
      }
    }
    if (!HoldLease()) return false;  // lost to another front-end: the batch is its now
    std::vector<const std::string*> records;
    for (const Pending* p : batch) records.push_back(&p->json);
    last = target_->Invoke(RenderEvent(records), config_.timeout_seconds, &stop_flag_);
    if (stop_flag_.load() && !last.ok) return false;  // cut short by the stop: not a failure of the function
    size_t done = last.ok ? batch.size() : 0;
    if (last.ok && config_.report_batch_item_failures) {
      Result<std::vector<uint64_t>> failed = ParseBatchItemFailures(last.body);
      if (!failed.ok()) {
        last.ok = false;
        last.error = "invalid partial batch response: " + failed.status().message();
        done = 0;
      } else if (!failed->empty()) {
        // Lambda resumes at the lowest sequence number reported.
        uint64_t lowest = *std::min_element(failed->begin(), failed->end());
        auto at = std::find_if(batch.begin(), batch.end(), [&](const Pending* p) { return p->seq == lowest; });
        last.ok = false;
        if (at == batch.end()) {
          last.error = "partial batch response names sequence number " + std::to_string(lowest) +
                       ", which is not in the batch";
          done = 0;
        } else {
          done = static_cast<size_t>(at - batch.begin());
          last.error = "function reported " + std::to_string(failed->size()) + " failed records";
        }
      }
    }
    int64_t age_ms = done ? static_cast<int64_t>(clock_->Now() * 1000) - batch[done - 1]->created_ms : 0;
    {
      std::lock_guard lock(stats_mu_);
      ++stats_.invocations;
      if (done) {
        stats_.records_delivered += done;
        ++stats_.batches_delivered;
        stats_.iterator_age_ms = age_ms;
      }
      if (!last.ok) ++stats_.invocation_failures;
      last_result_ = last.ok ? "OK" : "PROBLEM: Function call failed";
    }
    if (done) {
      if (LogEnabled(LogLevel::kDebug)) {
        Log(LogLevel::kDebug, "trigger " + config_.uuid + ": delivered " + std::to_string(done) + " records " +
                                  std::to_string(batch.front()->seq) + ".." + std::to_string(batch[done - 1]->seq) +
                                  ", iterator age " + std::to_string(age_ms) + " ms");
      }
      if (Status st = Checkpoint(s, batch[done - 1]->seq); !st.ok()) {
        Log(LogLevel::kWarn, "trigger " + config_.uuid + ": checkpoint: " + st.message());
      }
      batch.erase(batch.begin(), batch.begin() + static_cast<ptrdiff_t>(done));
      failures = 0;
    }
    if (last.ok) return true;
    ++failures;
    Log(LogLevel::kWarn, "trigger " + config_.uuid + ": batch of " + std::to_string(batch.size()) + " records from " +
                             std::to_string(batch.front()->seq) + " failed (" + last.error + ")");
    if (config_.bisect_on_error && batch.size() > 1) {
      size_t half = batch.size() / 2;
      std::vector<const Pending*> first(batch.begin(), batch.begin() + static_cast<ptrdiff_t>(half));
      std::vector<const Pending*> second(batch.begin() + static_cast<ptrdiff_t>(half), batch.end());
      return Deliver(s, std::move(first)) && Deliver(s, std::move(second));
    }
    if (config_.max_retry_attempts >= 0 && failures > config_.max_retry_attempts) {
      GiveUp(s, batch, "RetryAttemptsExhausted", failures, last);
      return true;
    }
    if (!SleepFor(std::min(kBackoffMax, kBackoffFirst * std::pow(2.0, failures - 1)))) return false;
  }
  return true;
}

void TriggerRunner::GiveUp(const db::StreamMeta& s, const std::vector<const Pending*>& batch,
                           const std::string& condition, int invocations, const Invocation& last) {
  {
    std::lock_guard lock(stats_mu_);
    stats_.records_to_destination += batch.size();
  }
  std::string range = std::to_string(batch.front()->seq) + ".." + std::to_string(batch.back()->seq);
  if (config_.on_failure_file.empty()) {
    Log(LogLevel::kWarn, "trigger " + config_.uuid + ": " + condition + ": discarded records " + range +
                             " (no on-failure destination)");
  } else {
    FailureInfo info;
    info.function_arn = config_.function;
    info.condition = condition;
    info.invocations = invocations;
    info.status_code = last.status;
    info.error = last.error;
    info.shard_id = ShardOf(s, batch.front()->seq);
    info.first_seq = batch.front()->seq;
    info.last_seq = batch.back()->seq;
    info.first_created_ms = batch.front()->created_ms;
    info.last_created_ms = batch.back()->created_ms;
    info.batch_size = batch.size();
    info.now = clock_->Now();
    std::vector<const std::string*> records;
    for (const Pending* p : batch) records.push_back(&p->json);
    Status st = AppendLine(config_.on_failure_file, RenderFailureRecord(info, EventSource{s.arn, RegionOfArn(s.arn)}, records));
    Log(st.ok() ? LogLevel::kWarn : LogLevel::kError,
        "trigger " + config_.uuid + ": " + condition + ": records " + range +
            (st.ok() ? " sent to " + config_.on_failure_file : " lost: " + st.message()));
  }
  if (Status st = Checkpoint(s, batch.back()->seq); !st.ok()) {
    Log(LogLevel::kWarn, "trigger " + config_.uuid + ": checkpoint: " + st.message());
  }
}

}  // namespace basalt::triggers
