// One handler per DynamoDB operation. Each reads its request from the
// parsed JSON body, calls db::Database and writes the response object.
#pragma once

#include <string_view>

#include "api/json.h"
#include "auth/resource_policies.h"
#include "db/database.h"

namespace basalt::api {

struct Context {
  db::Database* db;
  db::Scope scope;
  std::string_view host;
  auth::ResourcePolicies* resource_policies = nullptr;  // PutResourcePolicy ...; null: not offered
};

using Handler = Status (*)(Context& ctx, const JsonValue& request, JsonWriter& out);

// The handler for an operation name ("PutItem"), or null.
Handler FindHandler(std::string_view operation);

// Table operations (table_handlers.cc).
Status CreateTable(Context&, const JsonValue&, JsonWriter&);
Status DescribeTable(Context&, const JsonValue&, JsonWriter&);
Status DeleteTable(Context&, const JsonValue&, JsonWriter&);
Status UpdateTable(Context&, const JsonValue&, JsonWriter&);
Status ListTables(Context&, const JsonValue&, JsonWriter&);
Status DescribeEndpoints(Context&, const JsonValue&, JsonWriter&);
Status DescribeLimits(Context&, const JsonValue&, JsonWriter&);
Status UpdateTimeToLive(Context&, const JsonValue&, JsonWriter&);
Status TagResource(Context&, const JsonValue&, JsonWriter&);
Status UntagResource(Context&, const JsonValue&, JsonWriter&);
Status ListTagsOfResource(Context&, const JsonValue&, JsonWriter&);
Status DescribeTimeToLive(Context&, const JsonValue&, JsonWriter&);

// Contributor Insights (insights_handlers.cc).
Status UpdateContributorInsights(Context&, const JsonValue&, JsonWriter&);
Status DescribeContributorInsights(Context&, const JsonValue&, JsonWriter&);
Status ListContributorInsights(Context&, const JsonValue&, JsonWriter&);
// Backups (backup_handlers.cc).
Status CreateBackup(Context&, const JsonValue&, JsonWriter&);
Status DescribeBackup(Context&, const JsonValue&, JsonWriter&);
Status ListBackups(Context&, const JsonValue&, JsonWriter&);
Status DeleteBackup(Context&, const JsonValue&, JsonWriter&);
Status RestoreTableFromBackup(Context&, const JsonValue&, JsonWriter&);

// Point-in-time recovery (pitr_handlers.cc).
Status UpdateContinuousBackups(Context&, const JsonValue&, JsonWriter&);
Status DescribeContinuousBackups(Context&, const JsonValue&, JsonWriter&);
Status RestoreTableToPointInTime(Context&, const JsonValue&, JsonWriter&);

// Exports and imports (export_handlers.cc, import_handlers.cc).
Status ExportTableToPointInTime(Context&, const JsonValue&, JsonWriter&);
Status DescribeExport(Context&, const JsonValue&, JsonWriter&);
Status ListExports(Context&, const JsonValue&, JsonWriter&);
Status ImportTable(Context&, const JsonValue&, JsonWriter&);
Status DescribeImport(Context&, const JsonValue&, JsonWriter&);
Status ListImports(Context&, const JsonValue&, JsonWriter&);

// DynamoDB Streams (stream_handlers.cc), under X-Amz-Target DynamoDBStreams_20120810.
Handler FindStreamHandler(std::string_view operation);
const char* StreamViewTypeName(db::StreamViewType type);
std::optional<db::StreamViewType> ParseStreamViewType(std::string_view name);

// Item operations (item_handlers.cc).
Status PutItem(Context&, const JsonValue&, JsonWriter&);
Status GetItem(Context&, const JsonValue&, JsonWriter&);
Status DeleteItem(Context&, const JsonValue&, JsonWriter&);
Status UpdateItem(Context&, const JsonValue&, JsonWriter&);
Status BatchGetItem(Context&, const JsonValue&, JsonWriter&);

// Query and Scan (query_handlers.cc).
Status Query(Context&, const JsonValue&, JsonWriter&);
Status Scan(Context&, const JsonValue&, JsonWriter&);
Status BatchWriteItem(Context&, const JsonValue&, JsonWriter&);

// PartiQL (statement_handlers.cc).
Status ExecuteStatement(Context&, const JsonValue&, JsonWriter&);
Status BatchExecuteStatement(Context&, const JsonValue&, JsonWriter&);
Status ExecuteTransaction(Context&, const JsonValue&, JsonWriter&);

// Resource-based policies (resource_policy_handlers.cc).
Status PutResourcePolicy(Context&, const JsonValue&, JsonWriter&);
Status GetResourcePolicy(Context&, const JsonValue&, JsonWriter&);
Status DeleteResourcePolicy(Context&, const JsonValue&, JsonWriter&);
// CreateTable's ResourcePolicy, checked as PutResourcePolicy checks a
// document, before the table is made (nullopt: none given).
Result<std::optional<std::string>> ReadCreateTablePolicy(Context&, const JsonValue& request);
// Attaches it to the table just made; drops the policies of a deleted table.
Status AttachTablePolicy(Context&, const std::string& table_arn, const std::string& policy);
Status ForgetTablePolicies(Context&, const std::string& table_arn);

// Transactions (transaction_handlers.cc).
Status TransactWriteItems(Context&, const JsonValue&, JsonWriter&);
Status TransactGetItems(Context&, const JsonValue&, JsonWriter&);

// Shared by handlers (item_handlers.cc): ReturnConsumedCapacity and
// ConsumedCapacity, ReturnItemCollectionMetrics (true for SIZE) and
// ItemCollectionMetrics, ReturnValuesOnConditionCheckFailure (true for ALL_OLD).
Result<db::ReturnCapacity> ReadReturnCapacity(const JsonValue& request);
// The same, its constraint violation (if any) added to `errors`.
Result<db::ReturnCapacity> ReadReturnCapacity(const JsonValue& request, ConstraintErrors* errors);
// ConditionalOperator's constraint (AND or OR), into `errors`.
Status ReadConditionalOperator(const JsonValue& request, ConstraintErrors* errors);
void WriteCapacity(JsonWriter& w, db::ReturnCapacity mode, const db::ConsumedCapacity& c);
// "ConsumedCapacity": [...] (operations over several tables), unless kNone.
void WriteCapacityList(JsonWriter& w, db::ReturnCapacity mode, const std::vector<db::ConsumedCapacity>& list);
Result<bool> ReadReturnItemCollectionMetrics(const JsonValue& request);
Result<bool> ReadReturnItemCollectionMetrics(const JsonValue& request, ConstraintErrors* errors);
void WriteCollectionMetrics(JsonWriter& w, const db::ItemCollectionMetrics& m);
// "ItemCollectionMetrics": {table: [metrics...]} (BatchWriteItem, TransactWriteItems), when not empty.
void WriteCollectionMetricsByTable(JsonWriter& w,
                                   const std::map<std::string, std::vector<db::ItemCollectionMetrics>>& by_table);
Result<bool> ReadReturnOldOnFailure(const JsonValue& request);

}  // namespace basalt::api
