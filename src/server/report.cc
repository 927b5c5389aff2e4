#include "server/report.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/report_json.h"
#include "common/clock.h"
#include "http/client.h"
#include "patterns/report.h"

namespace basalt::server {
namespace {

constexpr std::string_view kPath = "/basalt/report";

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

http::Response Answer(int status, std::string type, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

std::string Iso8601(double epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The recorded state of one namespace.
patterns::RecorderSnapshot OfNamespace(patterns::RecorderSnapshot s, const std::string& ns) {
  std::erase_if(s.patterns, [&](const patterns::PatternStats& p) { return p.ns != ns; });
  std::erase_if(s.heat, [&](const patterns::KeyHeatStats& h) { return h.ns != ns; });
  return s;
}

}  // namespace

std::optional<http::Response> HandleReport(db::Database* db, const NamespaceRule& rule, const http::Request& req) {
  std::string_view path = PathOf(req.target);
  if (path == std::string(kPath) + "/reset") {
    if (req.method != "POST") return Answer(405, "application/json", "{\"error\":\"use POST\"}\n");
    Status st = db->patterns().Reset();
    if (!st.ok()) return Answer(500, "application/json", "{\"error\":\"cannot reset\"}\n");
    return Answer(200, "application/json", "{\"reset\":true}\n");
  }
  if (path != kPath) return std::nullopt;
  if (req.method != "GET") return Answer(405, "application/json", "{\"error\":\"use GET\"}\n");
  std::string format = QueryParam(req.target, "format", "md");
  std::string doc = QueryParam(req.target, "doc", "model");
  if ((format != "md" && format != "json") || (doc != "model" && doc != "requirement")) {
    return Answer(400, "application/json",
                  "{\"error\":\"format is md or json, doc is model or requirement\"}\n");
  }
  RequestNamespace ns = NamespaceOf(req, rule);
  db::Scope scope{ns.ns, ns.region};
  RealClock clock;
  double now = clock.Now();
  std::vector<patterns::TableInfo> tables = db->PatternTables(scope);
  patterns::ReportOptions options;
  options.generated_at = Iso8601(now);
  options.item_collection_limit_bytes = static_cast<double>(db->item_collection_limit());
  patterns::Report report =
      patterns::BuildReport(OfNamespace(db->patterns().recorder().Snapshot(now), ns.ns), tables, options);
  if (format == "json") return Answer(200, "application/json", api::ReportJson(report, db->recording_patterns()));
  return Answer(200, "text/markdown; charset=utf-8",
                doc == "model" ? patterns::DataModelMarkdown(report) : patterns::RequirementMarkdown(report));
}

bool IsReportCommand(const std::vector<std::string>& args) { return !args.empty() && args[0] == "report"; }

int RunReportCommand(const std::vector<std::string>& args) {
  std::string endpoint = "http://127.0.0.1:8000", out = ".", account;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string* target = args[i] == "--endpoint" ? &endpoint : args[i] == "--out" ? &out
                                                              : args[i] == "--account" ? &account : nullptr;
    if (!target || i + 1 >= args.size()) {
      std::cerr << "usage: basalt report [--endpoint URL] [--out DIR] [--account ID]\n";
      return 2;
    }
    *target = args[++i];
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  const std::pair<const char*, const char*> docs[] = {{"requirement", "dynamodb_requirement.md"},
                                                      {"model", "dynamodb_data_model.md"}};
  for (const auto& [doc, file] : docs) {
    std::string url = endpoint + std::string(kPath) + "?format=md&doc=" + doc;
    if (!account.empty()) url += "&account=" + account;
    auto parsed = http::ParseUrl(url);
    if (!parsed.ok()) {
      std::cerr << "basalt report: " << parsed.status().message() << "\n";
      return 2;
    }
    auto r = http::Get(*parsed, {}, 60);
    if (!r.ok()) {
      std::cerr << "basalt report: " << r.status().message() << "\n";
      return 1;
    }
    if (r->status != 200) {
      std::cerr << "basalt report: " << url << " answered " << r->status << ": " << r->body << "\n";
      return 1;
    }
    std::filesystem::path path = std::filesystem::path(out) / file;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << r->body;
    if (!f.good()) {
      std::cerr << "basalt report: cannot write " << path.string() << "\n";
      return 1;
    }
    std::cout << "wrote " << path.string() << "\n";
  }
  return 0;
}

}  // namespace basalt::server
