#include "db/contributor_insights.h"

#include <cmath>

#include "common/base64.h"
#include "common/coding.h"
#include "common/log.h"
#include "db/meta_keys.h"

namespace basalt::db {
namespace {

// ENABLING and DISABLING last this long, as the service's take a moment.
constexpr double kTransitionSeconds = 1;

constexpr std::string_view kPrefix = "insights/";
constexpr uint8_t kVersion = 1;

std::string TablePrefix(storage::TableId table) { return std::string(kPrefix) + Hex16(table) + "/"; }

// Several key attributes' values joined by ", " (one: its text alone).
void AppendKeyText(const model::Item& item, const std::vector<const model::KeyAttribute*>& attrs, std::string* out) {
  for (size_t i = 0; i < attrs.size(); ++i) {
    auto it = item.find(attrs[i]->name);
    if (i) *out += ", ";
    if (it != item.end()) *out += KeyText(it->second);
  }
}

}  // namespace

std::string KeyText(const model::AttributeValue& v) {
  switch (v.type()) {
    case model::Type::kS: return v.str();
    case model::Type::kN: return v.num().ToString();
    case model::Type::kB: return Base64Encode(v.str());
    default: return model::DebugString(v);
  }
}

void ContributorInsights::RecordItem(const TableMeta& table, const model::PrimaryKey& key, const double* units) {
  std::string pk = KeyText(key.hash);
  std::optional<std::string> sk;
  if (key.range) sk = KeyText(*key.range);
  if (units) {
    Accessed(table.ns, table.name, "", pk, sk ? &*sk : nullptr, *units);
  } else {
    Throttled(table.ns, table.name, "", pk, sk ? &*sk : nullptr);
  }
}

void ContributorInsights::RecordKeys(const TableMeta& table, const std::string& index,
                                     const model::KeySchema& schema, const model::Item& item, const double* units) {
  if (!Records(table.ns, table.name, index)) return;
  std::string pk;
  AppendKeyText(item, model::HashAttributes(schema), &pk);
  std::optional<std::string> sk;
  if (schema.range) AppendKeyText(item, model::RangeAttributes(schema), &sk.emplace());
  if (units) {
    Accessed(table.ns, table.name, index, pk, sk ? &*sk : nullptr, *units);
  } else {
    Throttled(table.ns, table.name, index, pk, sk ? &*sk : nullptr);
  }
}

bool ContributorInsights::Records(const std::string& ns, const std::string& table, const std::string& index) {
  std::lock_guard lock(mu_);
  auto it = states_.find(Id{ns, table, index});
  return it != states_.end() && it->second.enabled;
}

void ContributorInsights::Refresh(State& s, double now) {
  if (now - s.changed_at < kTransitionSeconds) return;
  if (s.description.status == "ENABLING") s.description.status = "ENABLED";
  if (s.description.status == "DISABLING") s.description.status = "DISABLED";
}

Result<InsightsDescription> ContributorInsights::Update(const std::string& ns, const TableMeta& table,
                                                        const std::string& index, bool enable,
                                                        std::optional<InsightsMode> mode) {
  const IndexMeta* im = nullptr;
  if (!index.empty()) {
    im = table.FindIndex(index);
    if (!im) return Status::NotFound("Requested resource not found: Index: " + index + " not found");
  }
  const double now = clock_->Now();
  std::lock_guard lock(mu_);
  State& s = states_[Id{ns, table.name, index}];
  Refresh(s, now);
  s.ns = ns;
  s.description.table = table.name;
  s.description.index = index;
  s.has_sort_key = (im ? im->key_schema : table.key_schema).range.has_value();
  s.description.last_update = std::floor(now * 1000) / 1000;
  s.changed_at = now;
  if (enable) {
    s.description.mode = mode.value_or(s.description.mode.value_or(InsightsMode::kAccessedAndThrottledKeys));
    if (!s.enabled) {
      s.enabled = true;
      ++enabled_;
      s.created_ms = static_cast<int64_t>(now * 1000);
      CreateRules(s);
      s.description.status = "ENABLING";
    }
  } else if (s.enabled) {
    // The rules (and their data) are deleted on DISABLE, as the service's are.
    s.enabled = false;
    --enabled_;
    s.rules.clear();
    s.description.rules.clear();
    s.description.mode.reset();
    s.description.status = "DISABLING";
  }
  s.table_id = table.id;
  BASALT_RETURN_IF_ERROR(Store(s));
  return s.description;
}

void ContributorInsights::CreateRules(State& s) {
  const std::string& index = s.description.index;
  const std::string resource = index.empty() ? s.description.table : s.description.table + "-" + index;
  s.description.rules.clear();
  s.rules.clear();
  for (const char* code : {"PKC", "PKT", "SKC", "SKT"}) {
    if (code[0] == 'S' && !s.has_sort_key) continue;
    s.description.rules.push_back(std::string("DynamoDBContributorInsights-") + code + "-" + resource + "-" +
                                  std::to_string(s.created_ms));
    s.rules[code] = std::make_unique<WindowedHeavyHitters>(kCounters, kWindowSeconds, kSlices);
  }
}

Status ContributorInsights::Store(const State& s) {
  if (!meta_) return Status::Ok();
  std::string value(1, static_cast<char>(kVersion));
  value.push_back(s.enabled ? 1 : 0);
  value.push_back(s.description.mode == InsightsMode::kThrottledKeys ? 1 : 0);
  PutF64(&value, s.description.last_update);
  PutVarint64(&value, static_cast<uint64_t>(s.created_ms));
  return meta_->Put(TablePrefix(s.table_id) + s.description.index, value);
}

Status ContributorInsights::Open(const std::vector<std::shared_ptr<const TableMeta>>& tables) {
  if (!meta_) return Status::Ok();
  std::map<storage::TableId, const TableMeta*> by_id;
  for (const auto& t : tables) by_id[t->id] = t.get();
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kPrefix, &rows));
  std::lock_guard lock(mu_);
  for (const auto& [key, value] : rows) {
    // key: prefix, 16 hex digits, "/", the index name
    const std::string_view rest = std::string_view(key).substr(kPrefix.size());
    const storage::TableId id = IdAfter(key, kPrefix);
    const std::string index(rest.size() > 17 ? rest.substr(17) : std::string_view());
    auto table = by_id.find(id);
    const IndexMeta* im = table == by_id.end() || index.empty() ? nullptr : table->second->FindIndex(index);
    if (table == by_id.end() || (!index.empty() && !im)) {
      // The table or index went while this Basalt was down (or with an older one).
      BASALT_RETURN_IF_ERROR(meta_->Delete(key));
      continue;
    }
    std::string_view in = value;
    uint8_t version = 0, enabled = 0, mode = 0;
    double last_update = 0;
    uint64_t created = 0;
    if (!GetU8(&in, &version) || version != kVersion || !GetU8(&in, &enabled) || !GetU8(&in, &mode) ||
        !GetF64(&in, &last_update) || !GetVarint64(&in, &created)) {
      return Status::Internal("unreadable Contributor Insights setting " + key);
    }
    const TableMeta& t = *table->second;
    State& s = states_[Id{t.ns, t.name, index}];
    s.ns = t.ns;
    s.table_id = t.id;
    s.description.table = t.name;
    s.description.index = index;
    s.description.last_update = last_update;
    s.has_sort_key = (im ? im->key_schema : t.key_schema).range.has_value();
    s.created_ms = static_cast<int64_t>(created);
    s.enabled = enabled != 0;
    if (s.enabled) {
      ++enabled_;
      s.description.mode = mode ? InsightsMode::kThrottledKeys : InsightsMode::kAccessedAndThrottledKeys;
      s.description.status = "ENABLED";
      CreateRules(s);
    }
  }
  return Status::Ok();
}

void ContributorInsights::ForgetTable(const TableMeta& table) {
  std::lock_guard lock(mu_);
  for (auto it = states_.begin(); it != states_.end();) {
    const auto& [ns, name, index] = it->first;
    if (ns != table.ns || name != table.name) {
      ++it;
      continue;
    }
    if (it->second.enabled) --enabled_;
    it = states_.erase(it);
  }
  if (!meta_) return;
  std::vector<std::pair<std::string, std::string>> rows;
  Status st = meta_->List(TablePrefix(table.id), &rows);
  for (const auto& row : rows) {
    if (st.ok()) st = meta_->Delete(row.first);
  }
  // What is left is dropped at the next start (Open).
  if (!st.ok()) Log(LogLevel::kWarn, "Contributor Insights settings of " + table.name + ": " + st.message());
}

void ContributorInsights::DefinitionChanged(const TableMeta& table) {
  std::lock_guard lock(mu_);
  for (auto it = states_.begin(); it != states_.end();) {
    const auto& [ns, name, index] = it->first;
    if (ns != table.ns || name != table.name || index.empty() || table.FindIndex(index)) {
      ++it;
      continue;
    }
    if (it->second.enabled) --enabled_;
    if (meta_) meta_->Delete(TablePrefix(it->second.table_id) + index).IgnoreError();
    it = states_.erase(it);
  }
}

InsightsDescription ContributorInsights::Describe(const std::string& ns, const TableMeta& table,
                                                  const std::string& index) {
  std::lock_guard lock(mu_);
  auto it = states_.find(Id{ns, table.name, index});
  if (it == states_.end()) {
    InsightsDescription d;
    d.table = table.name;
    d.index = index;
    return d;
  }
  Refresh(it->second, clock_->Now());
  return it->second.description;
}

std::vector<InsightsDescription> ContributorInsights::List(const std::string& ns, const std::string& table) {
  std::vector<InsightsDescription> out;
  const double now = clock_->Now();
  std::lock_guard lock(mu_);
  for (auto& [id, s] : states_) {
    if (std::get<0>(id) != ns || (!table.empty() && std::get<1>(id) != table)) continue;
    Refresh(s, now);
    out.push_back(s.description);
  }
  return out;
}

void ContributorInsights::Accessed(const std::string& ns, const std::string& table, const std::string& index,
                                   const std::string& pk, const std::string* sk, double units) {
  const double now = clock_->Now();
  std::lock_guard lock(mu_);
  auto it = states_.find(Id{ns, table, index});
  if (it == states_.end() || !it->second.enabled) return;
  State& s = it->second;
  if (s.description.mode == InsightsMode::kThrottledKeys) return;
  s.rules["PKC"]->Add(now, pk, units);
  if (sk && s.has_sort_key) s.rules["SKC"]->Add(now, pk + '\0' + *sk, units);
}

void ContributorInsights::Throttled(const std::string& ns, const std::string& table, const std::string& index,
                                    const std::string& pk, const std::string* sk) {
  const double now = clock_->Now();
  std::lock_guard lock(mu_);
  auto it = states_.find(Id{ns, table, index});
  if (it == states_.end() || !it->second.enabled) return;
  State& s = it->second;
  s.rules["PKT"]->Add(now, pk, 1);
  if (sk && s.has_sort_key) s.rules["SKT"]->Add(now, pk + '\0' + *sk, 1);
}

InsightsReport ContributorInsights::ReportOf(const State& s, size_t n, double now) {
  InsightsReport r;
  r.table = s.description.table;
  r.index = s.description.index;
  r.window_seconds = kWindowSeconds;
  for (const auto& [code, sketch] : s.rules) {
    InsightsRanking ranking;
    ranking.rule = code;
    ranking.top = sketch->Top(now, n);
    ranking.total = sketch->Total(now);
    ranking.error_bound = sketch->ErrorBound(now);
    r.rankings.push_back(std::move(ranking));
  }
  return r;
}

std::optional<InsightsReport> ContributorInsights::Report(const std::string& ns, const std::string& table,
                                                          const std::string& index, size_t n) {
  std::lock_guard lock(mu_);
  auto it = states_.find(Id{ns, table, index});
  if (it == states_.end() || !it->second.enabled) return std::nullopt;
  return ReportOf(it->second, n, clock_->Now());
}

std::vector<InsightsReport> ContributorInsights::Reports(size_t n) {
  std::vector<InsightsReport> out;
  std::lock_guard lock(mu_);
  const double now = clock_->Now();
  for (const auto& [id, s] : states_) {
    if (s.enabled) out.push_back(ReportOf(s, n, now));
  }
  return out;
}

}  // namespace basalt::db
