// Contributor Insights: UpdateContributorInsights, DescribeContributorInsights
// and ListContributorInsights (shapes from the service model, see
// shared/reference/capacity-throttling-metrics.md), and the JSON document of
// the rankings that GET /contributor-insights serves.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/handlers.h"
#include "api/insights.h"

namespace basalt::api {
namespace {

const char* ModeName(db::InsightsMode m) {
  return m == db::InsightsMode::kThrottledKeys ? "THROTTLED_KEYS" : "ACCESSED_AND_THROTTLED_KEYS";
}

// The table and index a request names, the table looked up (it must exist).
struct Subject {
  db::TableDescription table;
  std::string index;
};

Result<Subject> ReadSubject(Context& ctx, const JsonValue& req) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  if (!name) errors.AddNull("tableName");
  CheckTableName(name, "tableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto index, GetString(req, "IndexName"));
  if (index && (index->size() < 3 || index->size() > 255)) {
    errors.Add("'" + *index + "'", "indexName", "Member must have length greater than or equal to 3");
  }
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(db::TableDescription d, ctx.db->DescribeTable(ctx.scope, *name));
  return Subject{std::move(d), index.value_or("")};
}

void WriteTableAndIndex(JsonWriter& out, const db::InsightsDescription& d) {
  out.Key("TableName");
  WriteString(out, d.table);
  if (!d.index.empty()) {
    out.Key("IndexName");
    WriteString(out, d.index);
  }
}

}  // namespace

Status UpdateContributorInsights(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto action, GetEnum(req, "ContributorInsightsAction", "contributorInsightsAction",
                                               {"ENABLE", "DISABLE"}, "[ENABLE, DISABLE]", &errors));
  BASALT_ASSIGN_OR_RETURN(auto mode, GetEnum(req, "ContributorInsightsMode", "contributorInsightsMode",
                                             {"ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS"},
                                             "[ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS]", &errors));
  auto given = req.FindMember("ContributorInsightsAction");
  if (given == req.MemberEnd() || given->value.IsNull()) errors.AddNull("contributorInsightsAction");
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  BASALT_ASSIGN_OR_RETURN(Subject s, ReadSubject(ctx, req));
  std::optional<db::InsightsMode> m;
  if (mode) m = *mode == "THROTTLED_KEYS" ? db::InsightsMode::kThrottledKeys : db::InsightsMode::kAccessedAndThrottledKeys;
  BASALT_ASSIGN_OR_RETURN(db::InsightsDescription d,
                          ctx.db->insights().Update(ctx.scope.ns, *s.table.meta, s.index, *action == "ENABLE", m));
  out.StartObject();
  WriteTableAndIndex(out, d);
  out.Key("ContributorInsightsStatus");
  WriteString(out, d.status);
  if (d.mode) {
    out.Key("ContributorInsightsMode");
    WriteString(out, ModeName(*d.mode));
  }
  out.EndObject();
  return Status::Ok();
}

Status DescribeContributorInsights(Context& ctx, const JsonValue& req, JsonWriter& out) {
  BASALT_ASSIGN_OR_RETURN(Subject s, ReadSubject(ctx, req));
  if (!s.index.empty() && !s.table.meta->FindIndex(s.index)) {
    return Status::NotFound("Requested resource not found: Index: " + s.index + " not found");
  }
  db::InsightsDescription d = ctx.db->insights().Describe(ctx.scope.ns, *s.table.meta, s.index);
  out.StartObject();
  WriteTableAndIndex(out, d);
  if (!d.rules.empty()) {
    out.Key("ContributorInsightsRuleList");
    out.StartArray();
    for (const auto& r : d.rules) WriteString(out, r);
    out.EndArray();
  }
  out.Key("ContributorInsightsStatus");
  WriteString(out, d.status);
  if (d.last_update > 0) {
    out.Key("LastUpdateDateTime");
    out.Double(d.last_update);
  }
  if (d.mode) {
    out.Key("ContributorInsightsMode");
    WriteString(out, ModeName(*d.mode));
  }
  out.EndObject();
  return Status::Ok();
}

Status ListContributorInsights(Context& ctx, const JsonValue& req, JsonWriter& out) {
  ConstraintErrors errors;
  BASALT_ASSIGN_OR_RETURN(auto table, GetString(req, "TableName"));
  if (table) CheckTableName(table, "tableName", &errors);
  BASALT_ASSIGN_OR_RETURN(auto max, GetInteger(req, "MaxResults"));
  if (max && *max > 100) {
    errors.Add(std::to_string(*max), "maxResults", "Member must have value less than or equal to 100");
  }
  BASALT_ASSIGN_OR_RETURN(auto token, GetString(req, "NextToken"));
  BASALT_RETURN_IF_ERROR(errors.ToStatus());
  if (table) BASALT_RETURN_IF_ERROR(ctx.db->DescribeTable(ctx.scope, *table).status());
  // Every table and index whose setting was ever changed, in (table, index)
  // order; NextToken is the position of the next one.
  auto all = ctx.db->insights().List(ctx.scope.ns, table.value_or(""));
  size_t from = 0;
  if (token) {
    from = static_cast<size_t>(std::strtoull(token->c_str(), nullptr, 10));
    if (from > all.size() || std::to_string(from) != *token) return Status::Validation("Invalid NextToken");
  }
  const size_t limit = max && *max > 0 ? static_cast<size_t>(*max) : 100;
  out.StartObject();
  out.Key("ContributorInsightsSummaries");
  out.StartArray();
  size_t i = from;
  for (; i < all.size() && i < from + limit; ++i) {
    out.StartObject();
    WriteTableAndIndex(out, all[i]);
    out.Key("ContributorInsightsStatus");
    WriteString(out, all[i].status);
    if (all[i].mode) {
      out.Key("ContributorInsightsMode");
      WriteString(out, ModeName(*all[i].mode));
    }
    out.EndObject();
  }
  out.EndArray();
  if (i < all.size()) {
    out.Key("NextToken");
    WriteString(out, std::to_string(i));
  }
  out.EndObject();
  return Status::Ok();
}

std::optional<std::string> InsightsJson(db::Database& database, const std::string& region, const std::string& table,
                                        const std::string& index, size_t top) {
  auto report = database.insights().Report(region, table, index, top);
  if (!report) return std::nullopt;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("TableName");
  WriteString(w, report->table);
  if (!report->index.empty()) {
    w.Key("IndexName");
    WriteString(w, report->index);
  }
  w.Key("WindowSeconds");
  w.Double(report->window_seconds);
  w.Key("Rules");
  w.StartObject();
  for (const auto& r : report->rankings) {
    WriteKey(w, r.rule);
    w.StartObject();
    w.Key("Total");
    w.Double(r.total);
    w.Key("ErrorBound");
    w.Double(r.error_bound);
    w.Key("Keys");
    w.StartArray();
    for (const auto& h : r.top) {
      w.StartObject();
      size_t nul = h.key.find('\0');
      w.Key("PartitionKey");
      WriteString(w, h.key.substr(0, nul));
      if (nul != std::string::npos) {
        w.Key("SortKey");
        WriteString(w, h.key.substr(nul + 1));
      }
      w.Key("Count");
      w.Double(h.count);
      w.Key("MaxOverestimate");
      w.Double(h.error);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace basalt::api
