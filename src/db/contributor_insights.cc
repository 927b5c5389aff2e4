#include "db/contributor_insights.h"

#include <cmath>

#include "common/base64.h"

namespace basalt::db {
namespace {

// ENABLING and DISABLING last this long, as the service's take a moment.
constexpr double kTransitionSeconds = 1;

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
      const std::string resource = index.empty() ? table.name : table.name + "-" + index;
      const std::string created = std::to_string(static_cast<int64_t>(now * 1000));
      s.description.rules.clear();
      s.rules.clear();
      for (const char* code : {"PKC", "PKT", "SKC", "SKT"}) {
        if (code[0] == 'S' && !s.has_sort_key) continue;
        s.description.rules.push_back(std::string("DynamoDBContributorInsights-") + code + "-" + resource + "-" +
                                      created);
        s.rules[code] = std::make_unique<WindowedHeavyHitters>(kCounters, kWindowSeconds, kSlices);
      }
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
  return s.description;
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
