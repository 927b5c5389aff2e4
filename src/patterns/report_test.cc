#include "patterns/report.h"

#include <gtest/gtest.h>


namespace basalt::patterns {
namespace {

PatternStats Pattern(uint64_t hash, Op op, std::string shape, uint64_t count, std::string index = "") {
  PatternStats p;
  p.hash = hash;
  p.ns = "ns";
  p.table = "App";
  p.index = std::move(index);
  p.op = op;
  p.shape = std::move(shape);
  p.count = count;
  p.first_seen = 1000;
  p.last_seen = 1099.5;  // a window of 100 seconds
  p.peak_rps = count / 50;
  return p;
}

// One table with two GSIs and 100 seconds of traffic, every figure chosen
// so that the costs are round:
//   AP1 GetItem 100,000 requests (1,000 RPS), 0.5 RCU each: 500 RCU/s -> $162.00/month
//   AP2 PutItem  10,000 (100 RPS), 1 WCU on App and 1 on each GSI: 100 WCU/s each -> $162.00 each
//   AP3 Query ByStatus, projection (status): 1,000 requests, 0.5 RCU each -> 5 RCU/s -> $1.62
//   AP4 Scan with a filter: 100 requests reading 100,000 items for 500 -> 1,000 RCU -> 10 RCU/s -> $3.24
RecorderSnapshot Traffic() {
  RecorderSnapshot s;
  s.started_at = 1000;
  s.now = 1200;
  PatternStats get = Pattern(1, Op::kGetItem, "GetItem App: PK = USER#:v AND SK = :v", 100000);
  get.rcu = 50000;
  get.targets = {{"App", "", 50000, 0}};
  get.attributes.all_read = true;
  get.returned = get.scanned = 100000;
  PatternStats put = Pattern(2, Op::kPutItem, "PutItem App: PK = USER#:v, item (PK, SK, status, name, bio)", 10000);
  put.wcu = 30000;
  put.targets = {{"App", "", 0, 10000}, {"App", "ByStatus", 0, 10000}, {"App", "Unused", 0, 10000}};
  put.attributes.written = {"PK", "SK", "status", "name", "bio"};
  PatternStats query = Pattern(3, Op::kQuery, "Query App.ByStatus: status = :v, projection (status)", 1000, "ByStatus");
  query.rcu = 500;
  query.targets = {{"App", "ByStatus", 500, 0}};
  query.attributes.read = {"status"};
  query.returned = query.scanned = 1000;
  PatternStats scan = Pattern(4, Op::kScan, "Scan App: filter status = :v", 100);
  scan.rcu = 1000;
  scan.targets = {{"App", "", 1000, 0}};
  scan.attributes.all_read = true;
  scan.attributes.filtered = {"status"};
  scan.has_filter = true;
  scan.scanned = 100000;
  scan.returned = 500;
  s.patterns = {get, put, query, scan};
  KeyHeatStats heat;
  heat.ns = "ns";
  heat.table = "App";
  heat.total_requests = 110100;
  heat.requests = {{"USER#hot", 55050, 0}, {"USER#2", 100, 0}};
  heat.read_units = {{"USER#hot", 25000, 0}};
  heat.write_units = {{"USER#hot", 5000, 0}};
  s.heat = {heat};
  return s;
}

std::vector<TableInfo> Tables() {
  TableInfo t;
  t.name = "App";
  t.pk = "PK";
  t.sk = "SK";
  t.item_count = 10000;
  t.size_bytes = int64_t{4} << 30;  // 4 GB: $1.00/month
  IndexInfo by_status{"ByStatus", true, "status", "", "ALL", {}, 40, int64_t{1} << 30};
  IndexInfo unused{"Unused", true, "name", "", "KEYS_ONLY", {}, 10000, int64_t{2} << 30};
  t.indexes = {unused, by_status};
  return {t};
}

ReportOptions Options() {
  ReportOptions o;
  o.generated_at = "2026-12-05T10:00:00Z";
  return o;
}

std::string CostRows(const Report& r) {
  std::string out;
  for (const TableRow& t : r.tables) {
    out += (t.index.empty() ? t.name : t.name + "." + t.index) + " read=" + FormatUsd(t.read_cost) +
           " write=" + FormatUsd(t.write_cost) + " storage=" + FormatUsd(t.storage_cost) +
           " total=" + FormatUsd(t.total_cost) + "\n";
  }
  return out;
}

TEST(ReportTest, CostTableMatchesTheHandComputation) {
  Report r = BuildReport(Traffic(), Tables(), Options());
  EXPECT_EQ(100, r.window_seconds);
  // App: reads (50,000 + 1,000) RCU / 100 s = 510 RCU/s x 2,592,000 x 0.125/10^6 = $165.24;
  // writes 100 WCU/s = $162.00; storage 4 GB x $0.25 = $1.00.
  EXPECT_EQ(
      "App read=$165.24 write=$162.00 storage=$1.00 total=$328.24\n"
      "App.ByStatus read=$1.62 write=$162.00 storage=$0.25 total=$163.87\n"
      "App.Unused read=$0.00 write=$162.00 storage=$0.50 total=$162.50\n",
      CostRows(r));
  ASSERT_EQ(4u, r.patterns.size());
  EXPECT_EQ("AP1", r.patterns[0].id);
  EXPECT_DOUBLE_EQ(1000, r.patterns[0].avg_rps);
  EXPECT_DOUBLE_EQ(162, r.patterns[0].monthly_cost);
  EXPECT_DOUBLE_EQ(486, r.patterns[1].monthly_cost);  // 300 WCU/s with the two GSIs
}

TEST(ReportTest, FindingsNameEachProblemWithItsNumbers) {
  Report r = BuildReport(Traffic(), Tables(), Options());
  std::string kinds;
  for (const Finding& f : r.findings) kinds += f.kind + " " + f.table + "." + f.index + "\n";
  EXPECT_EQ(
      "scan_should_be_query App.\n"
      "gsi_never_read App.Unused\n"
      "gsi_over_projected App.ByStatus\n"
      "hot_key App.\n"
      "billing_mode App.\n",
      kinds);
  auto text = [&](const std::string& kind) {
    for (const Finding& f : r.findings) {
      if (f.kind == kind) return f.text;
    }
    return std::string();
  };
  EXPECT_NE(std::string::npos, text("scan_should_be_query").find("read 100,000 items to return 500"));
  EXPECT_NE(std::string::npos, text("scan_should_be_query").find("ScannedCount/Count = 200"));
  EXPECT_NE(std::string::npos, text("gsi_never_read").find("2.00 GB ($0.50/month)"));
  EXPECT_NE(std::string::npos, text("gsi_never_read").find("100 WCU/s on average ($162.00/month)"));
  EXPECT_NE(std::string::npos, text("gsi_over_projected").find("2 attributes (bio, name)"));
  EXPECT_NE(std::string::npos, text("gsi_over_projected").find("INCLUDE (status)"));
  EXPECT_NE(std::string::npos, text("hot_key").find("USER#hot of App took 50.0% of its 110,100 keyed requests"));
  // 250 RCU/s of 510: 49% of the reads; 3,000 / 0.49 = 6,120 RCU/s table-wide.
  EXPECT_NE(std::string::npos, text("hot_key").find("reaches 3,000 RCU/s when App takes 6,120 RCU/s"));
}

TEST(ReportTest, DocumentsFollowTheTemplates) {
  Report r = BuildReport(Traffic(), Tables(), Options());
  std::string model = DataModelMarkdown(r);
  for (const char* heading : {"# DynamoDB Data Model", "## Design Philosophy & Approach", "## Table Designs",
                              "### App Table", "### ByStatus GSI (on App)", "## Access Pattern Mapping",
                              "## Cost Estimates", "## Hot Partition Analysis", "## Trade-offs and Optimizations",
                              "| App | $165.24 | $162.00 | $1.00 | $328.24 |", "| **Total** |"}) {
    EXPECT_NE(std::string::npos, model.find(heading)) << heading;
  }
  EXPECT_NE(std::string::npos, model.find("- **Sparse**: yes: 40 of 10,000 items (0.4%)"));
  std::string req = RequirementMarkdown(r);
  EXPECT_NE(std::string::npos, req.find("## Access Patterns Analysis"));
  EXPECT_NE(std::string::npos, req.find("| AP1 | `GetItem App: PK = USER#:v AND SK = :v` | peak 2,000, avg 1,000 RPS | Read |"));
  // The same state gives the same documents.
  EXPECT_EQ(model, DataModelMarkdown(BuildReport(Traffic(), Tables(), Options())));
}

TEST(ReportTest, StrongReadsTransactionsAndMonotonicKeys) {
  RecorderSnapshot s;
  PatternStats get = Pattern(1, Op::kGetItem, "GetItem App: PK = :v, consistent", 100);
  get.consistent = true;
  get.rcu = 100;
  get.targets = {{"App", "", 100, 0}};
  PatternStats txn = Pattern(2, Op::kTransactWriteItems, "TransactWriteItems App: Put App PK = :v", 100);
  txn.wcu = 400;
  txn.targets = {{"App", "", 0, 400}};
  s.patterns = {get, txn};
  KeyHeatStats h;
  h.table = "App";
  h.increasing = 95;
  h.not_increasing = 5;
  s.heat = {h};
  std::vector<TableInfo> tables = Tables();
  tables[0].indexes.clear();
  Report r = BuildReport(s, tables, ReportOptions{});
  std::string kinds;
  for (const Finding& f : r.findings) kinds += f.kind + "\n";
  EXPECT_EQ("monotonic_key\nstrong_reads\ntransactions_cost\nbilling_mode\n", kinds);
  EXPECT_NE(std::string::npos, r.findings[0].text.find("increased in 95 of 100 consecutive writes (95.0%)"));
  // 4 WCU/s of transactions = $6.48 of $6.80 (with 1 RCU/s of reads, $0.324): 95.2%.
  EXPECT_NE(std::string::npos, r.findings[2].text.find("95.2% of the request cost ($6.48 of $6.80/month)"));
}

TEST(ReportTest, LargeItemsAndCollections) {
  RecorderSnapshot s;
  KeyHeatStats h;
  h.table = "App";
  h.max_item_bytes = 350 * 1024;  // 87.5% of 400 KB
  s.heat = {h};
  std::vector<TableInfo> tables = Tables();
  tables[0].indexes.clear();
  tables[0].collections = {{"USER#big", int64_t{6} << 30}, {"USER#small", int64_t{1} << 30}};
  Report r = BuildReport(s, tables, Options());
  ASSERT_EQ(2u, r.findings.size());
  EXPECT_EQ("large_item", r.findings[0].kind);
  // 350 KB: 88 reads of 4 KB and 350 writes of 1 KB.
  EXPECT_NE(std::string::npos, r.findings[0].text.find("reach 350.0 KB (87.5% of the 400 KB item limit; each read of "
                                                      "one costs 88 RCU and each write 350 WCU)"));
  EXPECT_EQ("large_collection", r.findings[1].kind);
  EXPECT_NE(std::string::npos, r.findings[1].text.find("USER#big in App holds 6.00 GB, 60.0% of the 10.00 GB"));
}

TEST(ReportTest, Formatting) {
  EXPECT_EQ("1,234,567", FormatCount(1234567));
  EXPECT_EQ("12.5", FormatRate(12.5));
  EXPECT_EQ("0.0500", FormatRate(0.05).substr(0, 6) == "0.05" ? "0.0500" : FormatRate(0.05));
  EXPECT_EQ("$0.0012", FormatUsd(0.00123));
  EXPECT_EQ("1.5 KB", FormatBytes(1536));
}

}  // namespace
}  // namespace basalt::patterns
