// The access-pattern report: what was recorded (recorder.h), with the
// tables' definitions and sizes, turned into the modeling method's figures
// (cost.h) and findings; and its two documents in the method's templates
// (markdown.cc): dynamodb_requirement.md's Access Patterns Analysis and
// dynamodb_data_model.md.
//
// Deterministic: the same recorded state and tables give the same report
// (patterns by request count, then shape; tables by name; findings by
// kind, table, index, then text).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "patterns/cost.h"
#include "patterns/recorder.h"

namespace basalt::patterns {

// A table's or index's definition and size, as the catalog knows them.
struct IndexInfo {
  std::string name;
  bool global = true;
  std::string pk, sk;        // sk empty when none
  std::string projection;    // ALL, KEYS_ONLY or INCLUDE
  std::vector<std::string> non_key_attributes;
  int64_t item_count = 0, size_bytes = 0;
};

struct TableInfo {
  std::string name;
  std::string pk, sk;
  bool on_demand = true;
  int64_t provisioned_rcu = 0, provisioned_wcu = 0;
  int64_t item_count = 0, size_bytes = 0;
  std::vector<IndexInfo> indexes;
  // The largest item collections measured (partition key, bytes), largest first.
  std::vector<std::pair<std::string, int64_t>> collections;
};

struct ReportOptions {
  std::string generated_at;  // ISO 8601
  Prices prices;
  double item_collection_limit_bytes = 10.0 * 1024 * 1024 * 1024;
};

struct PatternRow {
  std::string id;  // AP1, AP2, ... by request count
  PatternStats stats;
  double avg_rps = 0;
  double avg_rcu = 0, avg_wcu = 0;  // units per second on average
  double monthly_cost = 0;          // on-demand, at the average
  bool transactional = false;
};

struct HotKey {
  std::string key;
  double rps = 0, rcu_per_s = 0, wcu_per_s = 0;
  double share = 0;  // of the table's (index's) requests
};

struct SecondRow {
  int64_t t = 0;
  double reads = 0, writes = 0;  // requests
};

struct TableRow {
  std::string name, index;  // index empty: the table
  std::string pk, sk;         // the key schema (of the index for an index)
  std::string projection;     // indexes: ALL, KEYS_ONLY or INCLUDE
  std::vector<std::string> non_key_attributes;
  bool global = false;        // a GSI
  bool on_demand = true;      // the table's billing mode
  int64_t item_count = 0, size_bytes = 0;
  double avg_rcu = 0, avg_wcu = 0, peak_rcu = 0, peak_wcu = 0;
  double read_cost = 0, write_cost = 0, storage_cost = 0, total_cost = 0;  // monthly, on-demand
  double provisioned_cost = 0;                                            // monthly, at the peak
  std::vector<std::string> patterns;  // ids of the patterns that read or write it
  std::vector<HotKey> hot_keys;       // the most requested partition keys (10 at most)
  double key_requests = 0;            // requests with a known partition key
  std::vector<SecondRow> per_second;
  std::vector<std::pair<std::string, int64_t>> collections;  // tables: the largest item collections measured
  // Attribute usage by the patterns that name this table or index.
  std::vector<std::string> attributes_read, attributes_written, attributes_filtered;
  bool all_read = false;  // some read asked for every attribute
};

struct Finding {
  std::string kind;  // scan_should_be_query, gsi_never_read, ...
  std::string table, index;
  std::string text;
};

struct Report {
  std::string generated_at;
  double window_seconds = 0;
  double started_at = 0;
  uint64_t dropped = 0;
  std::vector<PatternRow> patterns;
  std::vector<TableRow> tables;
  std::vector<Finding> findings;
  double total_cost = 0;
  Prices prices;
};

Report BuildReport(const RecorderSnapshot& snapshot, const std::vector<TableInfo>& tables,
                   const ReportOptions& options);

std::string RequirementMarkdown(const Report& report);
std::string DataModelMarkdown(const Report& report);

// Figures as the documents write them: "1,234", "12.5", "$0.32".
std::string FormatCount(double n);
std::string FormatRate(double x);
std::string FormatUsd(double x);
std::string FormatBytes(double bytes);

}  // namespace basalt::patterns
