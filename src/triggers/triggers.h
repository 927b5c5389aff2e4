// The stream triggers of a server: those declared by flags and files (for
// the life of the process) and those made through the mapping API (stored
// in the MetaStore, restarted at open). Each runs on a thread of its own
// (trigger_runner.h); with no trigger nothing runs, and the write path
// never knows triggers exist: they read what the stream shipper wrote.
//
//   mapping key   := "trigger_def/" uuid
//   mapping value := the mapping as MappingJson writes it
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/streams.h"
#include "storage/engine.h"
#include "triggers/trigger_config.h"
#include "triggers/trigger_runner.h"

namespace basalt::triggers {

// A mapping as the API shows it.
struct MappingView {
  TriggerConfig config;
  std::string state;        // Enabled, Disabled, Deleting
  std::string last_result;  // LastProcessingResult
};

class Triggers {
 public:
  Triggers(db::Streams* streams, storage::MetaStore* meta, const Clock* clock);
  ~Triggers();

  // Starts the declared triggers and the stored mappings.
  Status Start(const std::vector<TriggerConfig>& declared);
  void Stop();

  // CreateEventSourceMapping: the stream must exist; the mapping is stored.
  Result<MappingView> Create(TriggerConfig config);
  Result<MappingView> Get(const std::string& uuid);
  // ListEventSourceMappings, optionally of one stream ARN or function.
  std::vector<MappingView> List(const std::string& arn, const std::string& function);
  // UpdateEventSourceMapping: `config` replaces the mapping's (same uuid
  // and stream); the runner restarts from its checkpoints.
  Result<MappingView> Update(TriggerConfig config);
  // DeleteEventSourceMapping: stops it and removes it with its checkpoints.
  // Triggers declared by flags or files cannot be deleted (ResourceInUse).
  Result<MappingView> Delete(const std::string& uuid);

  std::vector<TriggerStats> Stats() const;

  // Where front-ends share the store (RADOS): takes up the mappings made,
  // changed or deleted through the others (every 2 s, and before each
  // mapping call). Every front-end runs every trigger; the lease of each
  // (trigger_runner.h) lets one of them read and invoke.
  Status Refresh();

  // Where mappings made through the API may write on-failure destination
  // files (--trigger-destination-dir); empty: nowhere.
  void set_api_destination_dir(std::string dir) { api_destination_dir_ = std::move(dir); }
  const std::string& api_destination_dir() const { return api_destination_dir_; }

 private:
  MappingView ViewOf(const TriggerRunner& r) const;

  db::Streams* streams_;
  storage::MetaStore* meta_;
  const Clock* clock_;
  std::string api_destination_dir_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<TriggerRunner>> runners_;  // guarded by mu_
  std::map<std::string, std::string> stored_;             // uuid -> stored mapping, as last read; guarded by mu_

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stopping_ = false;  // guarded by refresh_mu_
  std::thread refresher_;
};

}  // namespace basalt::triggers
