#include "triggers/triggers.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <set>

#include "common/log.h"
#include "common/random.h"

namespace basalt::triggers {
namespace {

constexpr std::string_view kDefPrefix = "trigger_def/";

std::string DefKey(const std::string& uuid) { return std::string(kDefPrefix) + uuid; }

// How often, where front-ends share the store, the stored mappings are read
// again (so a mapping made, changed or deleted through another front-end
// runs here too, ready to take its lease over).
constexpr double kRefreshSeconds = 2;

// A stored mapping (made through the API), with its state.
Result<TriggerConfig> ParseStored(const std::string& key, const std::string& value) {
  rapidjson::Document doc;
  doc.Parse(value.data(), value.size());
  if (doc.HasParseError()) return Status::Internal("corrupt stored event source mapping " + key);
  BASALT_ASSIGN_OR_RETURN(TriggerConfig c, ParseMapping(doc, true));
  auto state = doc.FindMember("State");
  c.enabled = state == doc.MemberEnd() || !state->value.IsString() || std::string(state->value.GetString()) != "Disabled";
  c.from_api = true;
  return c;
}

std::string RandomUuid() {
  return StableUuid(std::to_string(RandomBits()) + "/" + std::to_string(RandomBits()));
}

}  // namespace

Triggers::Triggers(db::Streams* streams, storage::MetaStore* meta, const Clock* clock)
    : streams_(streams), meta_(meta), clock_(clock) {}

Triggers::~Triggers() { Stop(); }

void Triggers::Stop() {
  {
    std::lock_guard lock(refresh_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  std::vector<std::unique_ptr<TriggerRunner>> runners;
  {
    std::lock_guard lock(mu_);
    runners.swap(runners_);
  }
  for (auto& r : runners) r->Stop();
}

Status Triggers::Refresh() {
  if (!meta_->Shared()) return Status::Ok();
  std::vector<std::unique_ptr<TriggerRunner>> stopped;
  {
    // Under mu_ from the read on, as Create, Update and Delete store under it.
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, std::string>> rows;
    BASALT_RETURN_IF_ERROR(meta_->List(kDefPrefix, &rows));
    std::set<std::string> present;
    for (const auto& [key, value] : rows) {
      std::string uuid = key.substr(kDefPrefix.size());
      present.insert(uuid);
      auto known = stored_.find(uuid);
      if (known != stored_.end() && known->second == value) continue;
      BASALT_ASSIGN_OR_RETURN(TriggerConfig c, ParseStored(key, value));
      auto runner = std::make_unique<TriggerRunner>(std::move(c), streams_, meta_, clock_);
      BASALT_RETURN_IF_ERROR(runner->Start());
      auto it = std::find_if(runners_.begin(), runners_.end(), [&](const auto& r) { return r->config().uuid == uuid; });
      if (it == runners_.end()) {
        runners_.push_back(std::move(runner));
      } else {
        stopped.push_back(std::move(*it));  // changed through another front-end
        *it = std::move(runner);
      }
      stored_[uuid] = value;
    }
    for (auto it = runners_.begin(); it != runners_.end();) {
      const TriggerConfig& c = (*it)->config();
      if (!c.from_api || present.count(c.uuid)) {
        ++it;
        continue;
      }
      stored_.erase(c.uuid);  // deleted through another front-end
      stopped.push_back(std::move(*it));
      it = runners_.erase(it);
    }
  }
  for (auto& r : stopped) r->Stop();
  return Status::Ok();
}

Status Triggers::Start(const std::vector<TriggerConfig>& declared) {
  std::vector<TriggerConfig> all = declared;
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kDefPrefix, &rows));
  for (const auto& [key, value] : rows) {
    BASALT_ASSIGN_OR_RETURN(TriggerConfig c, ParseStored(key, value));
    stored_[c.uuid] = value;
    all.push_back(std::move(c));
  }
  for (TriggerConfig& c : all) {
    for (const auto& r : runners_) {
      if (r->config().uuid == c.uuid) return Status::Validation("trigger declared twice: " + c.function);
    }
    auto runner = std::make_unique<TriggerRunner>(std::move(c), streams_, meta_, clock_);
    BASALT_RETURN_IF_ERROR(runner->Start());
    runners_.push_back(std::move(runner));
  }
  if (meta_->Shared() && !refresher_.joinable()) {
    refresher_ = std::thread([this] {
      std::unique_lock lock(refresh_mu_);
      while (!refresh_cv_.wait_for(lock, std::chrono::duration<double>(kRefreshSeconds), [&] { return stopping_; })) {
        lock.unlock();
        if (Status st = Refresh(); !st.ok()) Log(LogLevel::kWarn, "event source mappings: " + st.message());
        lock.lock();
      }
    });
  }
  return Status::Ok();
}

MappingView Triggers::ViewOf(const TriggerRunner& r) const {
  return MappingView{r.config(), r.config().enabled ? "Enabled" : "Disabled", r.LastResult()};
}

Result<MappingView> Triggers::Create(TriggerConfig config) {
  if (meta_->Shared()) BASALT_RETURN_IF_ERROR(streams_->Ship());  // takes up streams made elsewhere
  bool found = false;
  for (const db::StreamMeta& s : streams_->All()) {
    if (s.arn == config.event_source_arn) found = true;
  }
  if (!found) {
    return Status::Validation("Stream not found: " + config.event_source_arn);
  }
  config.uuid = RandomUuid();
  config.last_modified = std::floor(clock_->Now());
  config.from_api = true;
  std::string stored = MappingJson(config, config.enabled ? "Enabled" : "Disabled", "");
  std::lock_guard lock(mu_);  // with the store: Refresh does not start it twice
  BASALT_RETURN_IF_ERROR(meta_->Put(DefKey(config.uuid), stored));
  auto runner = std::make_unique<TriggerRunner>(config, streams_, meta_, clock_);
  if (Status st = runner->Start(); !st.ok()) {
    (void)meta_->Delete(DefKey(config.uuid));
    return st;
  }
  stored_[config.uuid] = std::move(stored);
  runners_.push_back(std::move(runner));
  MappingView view = ViewOf(*runners_.back());
  view.state = config.enabled ? "Creating" : "Disabled";
  return view;
}

Result<MappingView> Triggers::Get(const std::string& uuid) {
  BASALT_RETURN_IF_ERROR(Refresh());
  std::lock_guard lock(mu_);
  for (const auto& r : runners_) {
    if (r->config().uuid == uuid) return ViewOf(*r);
  }
  return Status::NotFound("The resource you requested does not exist.");
}

std::vector<MappingView> Triggers::List(const std::string& arn, const std::string& function) {
  if (Status st = Refresh(); !st.ok()) Log(LogLevel::kWarn, "event source mappings: " + st.message());
  std::lock_guard lock(mu_);
  std::vector<MappingView> out;
  for (const auto& r : runners_) {
    const TriggerConfig& c = r->config();
    if (!arn.empty() && c.event_source_arn != arn) continue;
    if (!function.empty() && c.function != function) continue;
    out.push_back(ViewOf(*r));
  }
  return out;
}

Result<MappingView> Triggers::Update(TriggerConfig config) {
  BASALT_RETURN_IF_ERROR(Refresh());
  std::lock_guard lock(mu_);
  auto it = std::find_if(runners_.begin(), runners_.end(),
                         [&](const auto& r) { return r->config().uuid == config.uuid; });
  if (it == runners_.end()) return Status::NotFound("The resource you requested does not exist.");
  if (!(*it)->config().from_api) {
    return Status::InUse("The trigger " + config.uuid + " is declared by a flag or file; change it there.");
  }
  config.event_source_arn = (*it)->config().event_source_arn;
  config.starting_latest = (*it)->config().starting_latest;
  config.from_api = true;
  config.last_modified = std::floor(clock_->Now());
  auto runner = std::make_unique<TriggerRunner>(config, streams_, meta_, clock_);
  (*it)->Stop();  // an invocation in flight is abandoned; the checkpoint carries over
  std::string stored = MappingJson(config, config.enabled ? "Enabled" : "Disabled", "");
  BASALT_RETURN_IF_ERROR(meta_->Put(DefKey(config.uuid), stored));
  stored_[config.uuid] = std::move(stored);
  BASALT_RETURN_IF_ERROR(runner->Start());
  *it = std::move(runner);
  MappingView view = ViewOf(**it);
  view.state = "Updating";
  return view;
}

Result<MappingView> Triggers::Delete(const std::string& uuid) {
  BASALT_RETURN_IF_ERROR(Refresh());
  std::unique_ptr<TriggerRunner> runner;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(runners_.begin(), runners_.end(), [&](const auto& r) { return r->config().uuid == uuid; });
    if (it == runners_.end()) return Status::NotFound("The resource you requested does not exist.");
    if (!(*it)->config().from_api) {
      return Status::InUse("The trigger " + uuid + " is declared by a flag or file; remove it there.");
    }
    BASALT_RETURN_IF_ERROR(meta_->Delete(DefKey(uuid)));
    stored_.erase(uuid);
    runner = std::move(*it);
    runners_.erase(it);
  }
  runner->Stop();
  MappingView view = ViewOf(*runner);
  view.state = "Deleting";
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(CheckpointPrefix(uuid), &rows));
  for (const auto& [key, value] : rows) BASALT_RETURN_IF_ERROR(meta_->Delete(key));
  Log(LogLevel::kInfo, "trigger " + uuid + " deleted");
  return view;
}

std::vector<TriggerStats> Triggers::Stats() const {
  std::lock_guard lock(mu_);
  std::vector<TriggerStats> out;
  for (const auto& r : runners_) out.push_back(r->Stats());
  return out;
}

}  // namespace basalt::triggers
