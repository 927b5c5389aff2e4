// Basalt's access-pattern report (beyond DynamoDB; patterns/report.h):
//
//   GET  /basalt/report?format=md|json&doc=model|requirement
//        the report of the namespace the request names (server/request_namespace.h):
//        JSON (api/report_json.h), or Markdown: dynamodb_data_model.md (doc=model, the
//        default) or dynamodb_requirement.md (doc=requirement)
//   POST /basalt/report/reset
//        forgets everything recorded (every namespace), in memory and in the MetaStore
//
// and the subcommand that fetches both documents from a running server:
//
//   basalt report [--endpoint URL] [--out DIR] [--account ID]
//        writes DIR/dynamodb_requirement.md and DIR/dynamodb_data_model.md
//        (default http://127.0.0.1:8000 and the current directory)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "http/server.h"
#include "server/request_namespace.h"

namespace basalt::server {

std::optional<http::Response> HandleReport(db::Database* db, const NamespaceRule& rule, const http::Request& req);

bool IsReportCommand(const std::vector<std::string>& args);
int RunReportCommand(const std::vector<std::string>& args);

}  // namespace basalt::server
