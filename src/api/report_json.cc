#include "api/report_json.h"

#include "api/json.h"

namespace basalt::api {
namespace {

void NullableString(JsonWriter& w, const std::string& s) {
  if (s.empty()) {
    w.Null();
  } else {
    WriteString(w, s);
  }
}

void Names(JsonWriter& w, const char* key, const std::vector<std::string>& names) {
  w.Key(key);
  w.StartArray();
  for (const std::string& n : names) WriteString(w, n);
  w.EndArray();
}

void Pattern(JsonWriter& w, const patterns::PatternRow& p) {
  const patterns::PatternStats& s = p.stats;
  w.StartObject();
  w.Key("id");
  WriteString(w, p.id);
  w.Key("operation");
  w.String(patterns::OpName(s.op));
  w.Key("table");
  WriteString(w, s.table);
  w.Key("index");
  NullableString(w, s.index);
  w.Key("shape");
  WriteString(w, s.shape);
  w.Key("count");
  w.Uint64(s.count);
  w.Key("avg_rps");
  w.Double(p.avg_rps);
  w.Key("peak_rps");
  w.Double(static_cast<double>(s.peak_rps));
  w.Key("rcu");
  w.Double(s.rcu);
  w.Key("wcu");
  w.Double(s.wcu);
  w.Key("items_returned");
  w.Uint64(s.returned);
  w.Key("items_scanned");
  w.Uint64(s.scanned);
  w.Key("errors");
  w.StartObject();
  w.Key("conditional");
  w.Uint64(s.errors[0]);
  w.Key("throttled");
  w.Uint64(s.errors[1]);
  w.Key("conflicts");
  w.Uint64(s.errors[2]);
  w.Key("other");
  w.Uint64(s.errors[3]);
  w.EndObject();
  w.Key("latency_ms");
  w.StartObject();
  w.Key("p50");
  w.Double(s.LatencyQuantileMs(0.5));
  w.Key("p99");
  w.Double(s.LatencyQuantileMs(0.99));
  w.EndObject();
  w.Key("item_bytes");
  w.StartObject();
  w.Key("avg");
  w.Double(s.sized ? static_cast<double>(s.size_sum) / static_cast<double>(s.sized) : 0);
  w.Key("p99");
  w.Uint64(s.SizeQuantile(0.99));
  w.Key("max");
  w.Uint64(s.max_size);
  w.EndObject();
  w.Key("monthly_cost_usd");
  w.Double(p.monthly_cost);
  w.Key("consistent");
  w.Bool(s.consistent);
  w.Key("attributes");
  w.StartObject();
  Names(w, "read", s.attributes.read);
  w.Key("all_read");
  w.Bool(s.attributes.all_read);
  Names(w, "written", s.attributes.written);
  Names(w, "filtered", s.attributes.filtered);
  w.EndObject();
  w.EndObject();
}

void Table(JsonWriter& w, const patterns::TableRow& t) {
  w.StartObject();
  w.Key("name");
  WriteString(w, t.name);
  w.Key("index");
  NullableString(w, t.index);
  w.Key("key_schema");
  w.StartObject();
  w.Key("pk");
  WriteString(w, t.pk);
  w.Key("sk");
  NullableString(w, t.sk);
  w.EndObject();
  if (!t.index.empty()) {
    w.Key("global");
    w.Bool(t.global);
    w.Key("projection");
    WriteString(w, t.projection);
    Names(w, "non_key_attributes", t.non_key_attributes);
  } else {
    w.Key("on_demand");
    w.Bool(t.on_demand);
  }
  w.Key("item_count");
  w.Int64(t.item_count);
  w.Key("size_bytes");
  w.Int64(t.size_bytes);
  w.Key("avg_rcu");
  w.Double(t.avg_rcu);
  w.Key("avg_wcu");
  w.Double(t.avg_wcu);
  w.Key("peak_rcu");
  w.Double(t.peak_rcu);
  w.Key("peak_wcu");
  w.Double(t.peak_wcu);
  w.Key("monthly_cost_usd");
  w.Double(t.total_cost);
  w.Key("monthly");
  w.StartObject();
  w.Key("read");
  w.Double(t.read_cost);
  w.Key("write");
  w.Double(t.write_cost);
  w.Key("storage");
  w.Double(t.storage_cost);
  w.Key("provisioned");
  w.Double(t.provisioned_cost);
  w.EndObject();
  Names(w, "patterns", t.patterns);
  w.Key("attributes");
  w.StartObject();
  Names(w, "read", t.attributes_read);
  w.Key("all_read");
  w.Bool(t.all_read);
  Names(w, "written", t.attributes_written);
  Names(w, "filtered", t.attributes_filtered);
  w.EndObject();
  w.Key("collections");
  w.StartArray();
  for (const auto& [key, bytes] : t.collections) {
    w.StartObject();
    w.Key("key");
    WriteString(w, key);
    w.Key("bytes");
    w.Int64(bytes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("hot_keys");
  w.StartArray();
  for (const patterns::HotKey& k : t.hot_keys) {
    w.StartObject();
    w.Key("key");
    std::string key;
    for (char c : k.key) key.push_back(c == '\0' ? '|' : c);
    WriteString(w, key);
    w.Key("rps");
    w.Double(k.rps);
    w.Key("rcu_per_s");
    w.Double(k.rcu_per_s);
    w.Key("wcu_per_s");
    w.Double(k.wcu_per_s);
    w.Key("share");
    w.Double(k.share);
    w.EndObject();
  }
  w.EndArray();
  w.Key("per_second");
  w.StartArray();
  for (const patterns::SecondRow& s : t.per_second) {
    w.StartObject();
    w.Key("t");
    w.Int64(s.t);
    w.Key("reads");
    w.Double(s.reads);
    w.Key("writes");
    w.Double(s.writes);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string ReportJson(const patterns::Report& r, bool recording) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("generated_at");
  WriteString(w, r.generated_at);
  w.Key("window_seconds");
  w.Double(r.window_seconds);
  w.Key("recording");
  w.Bool(recording);
  w.Key("dropped");
  w.Uint64(r.dropped);
  w.Key("total_monthly_cost_usd");
  w.Double(r.total_cost);
  w.Key("patterns");
  w.StartArray();
  for (const patterns::PatternRow& p : r.patterns) Pattern(w, p);
  w.EndArray();
  w.Key("tables");
  w.StartArray();
  for (const patterns::TableRow& t : r.tables) Table(w, t);
  w.EndArray();
  w.Key("findings");
  w.StartArray();
  for (const patterns::Finding& f : r.findings) {
    w.StartObject();
    w.Key("kind");
    WriteString(w, f.kind);
    w.Key("table");
    WriteString(w, f.table);
    w.Key("index");
    NullableString(w, f.index);
    w.Key("text");
    WriteString(w, f.text);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace basalt::api
