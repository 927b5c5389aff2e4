// The typed inputs and outputs of the DynamoDB operations. api/ decodes
// JSON into these inputs (structural validation) and encodes the outputs;
// the rooms of db/ decide everything about tables, keys and items.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "db/capacity.h"
#include "db/table_meta.h"
#include "expr/expression.h"
#include "expr/key_condition.h"
#include "expr/projection.h"
#include "model/attribute_value.h"
#include "storage/engine.h"

namespace basalt::db {

// Who is asking: the namespace holding their tables (account.h) and the
// region for ARNs; and whether the operation runs for a PartiQL statement
// (set by Statements: Contributor Insights does not record PartiQL
// requests, as the service).
struct Scope {
  std::string ns;
  std::string region;
  bool partiql = false;
};

// An index as DescribeTable shows it.
struct IndexDescription {
  const IndexMeta* meta = nullptr;  // points into TableDescription::meta
  std::string status;               // CREATING, ACTIVE, DELETING
  std::optional<bool> backfilling;  // shown while a new GSI is CREATING
  storage::TableStats stats;
};

// RestoreSummary of a table made by a restore (db/backups.h).
struct RestoreSummary {
  std::string source_backup_arn;  // empty for a point-in-time restore
  std::string source_table_arn;
  double restore_time = 0;  // epoch seconds: the backup's cut or the point in time
  bool in_progress = false;
};

// A table as DescribeTable shows it.
struct TableDescription {
  std::shared_ptr<const TableMeta> meta;
  std::string status;  // CREATING, ACTIVE, UPDATING, DELETING
  storage::TableStats stats;
  std::vector<IndexDescription> indexes;  // in definition order
  std::shared_ptr<const TableMeta> keep_alive;  // an older definition some `indexes` point into
  std::optional<RestoreSummary> restore;        // tables made by a restore
};

// A secondary index as CreateTable or UpdateTable define it, before it is
// checked against the table.
// OnDemandThroughput as given: a member >= 1 sets that cap, -1 removes it;
// an absent one is left as it is (no cap on a new table or index).
struct OnDemandInput {
  std::optional<int64_t> max_read;
  std::optional<int64_t> max_write;
};

// WarmThroughput as given: an absent member is left as it is.
struct WarmInput {
  std::optional<int64_t> read;
  std::optional<int64_t> write;
};

struct IndexInput {
  std::string name;
  bool global = false;
  std::vector<std::pair<std::string, std::string>> key_schema;  // (AttributeName, KeyType) as given
  ProjectionType projection = ProjectionType::kAll;
  std::optional<std::vector<std::string>> non_key_attributes;
  std::optional<ProvisionedThroughput> throughput;
  std::optional<OnDemandInput> on_demand;  // GSIs
  std::optional<WarmInput> warm;           // GSIs
};

// StreamSpecification of CreateTable and UpdateTable, checked by api/.
struct StreamSpecInput {
  bool enabled = false;
  StreamViewType view = StreamViewType::kKeysOnly;  // when enabled
};

struct CreateTableInput {
  std::string name;
  model::KeySchema key_schema;
  std::vector<model::KeyAttribute> attribute_definitions;
  BillingMode billing_mode = BillingMode::kProvisioned;
  std::optional<ProvisionedThroughput> throughput;
  TableClass table_class = TableClass::kStandard;
  bool deletion_protection = false;
  std::vector<Tag> tags;
  std::vector<IndexInput> local_indexes;
  std::vector<IndexInput> global_indexes;
  bool has_local_indexes = false;  // LocalSecondaryIndexes given, maybe empty
  bool has_global_indexes = false;
  std::optional<StreamSpecInput> stream;
  std::optional<OnDemandInput> on_demand;
  std::optional<WarmInput> warm;
  std::optional<SseSettings> sse;
};

// One entry of UpdateTable's GlobalSecondaryIndexUpdates.
struct IndexUpdate {
  enum Kind { kCreate, kDelete, kUpdate } kind = kCreate;
  IndexInput index;  // kCreate: the whole definition; else the name (and kUpdate's throughput)
};

struct UpdateTableInput {
  std::string name;
  std::vector<model::KeyAttribute> attribute_definitions;  // for a new index's keys
  std::vector<IndexUpdate> index_updates;
  std::optional<BillingMode> billing_mode;
  std::optional<ProvisionedThroughput> throughput;
  std::optional<TableClass> table_class;
  std::optional<bool> deletion_protection;
  std::optional<StreamSpecInput> stream;
  std::optional<OnDemandInput> on_demand;
  std::optional<WarmInput> warm;
  std::optional<SseSettings> sse;
};

struct ListTablesOutput {
  std::vector<std::string> names;
  std::optional<std::string> last_evaluated;
};

// What a conditional write checks before it writes.
struct WriteCondition {
  std::optional<expr::Condition> condition;  // ConditionExpression or Expected
  bool return_old_on_failure = false;        // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

// The detail of a ConditionalCheckFailed error: the item as it was, when
// ReturnValuesOnConditionCheckFailure asked for it and it existed; and the
// write capacity the failed write consumed all the same (the reference: by
// the existing item), for the metrics (a single write's; the response does
// not carry it).
struct ConditionFailure : ErrorDetail {
  std::optional<model::Item> item;
  std::optional<ConsumedCapacity> capacity;
};

struct PutItemInput {
  std::string table;
  model::Item item;
  bool return_old = false;
  WriteCondition condition = {};
  bool insert_only = false;  // a PartiQL INSERT: an existing item is DuplicateItemException
};

struct KeyInput {
  std::string table;
  model::Item key;
  bool return_old = false;  // DeleteItem
  bool consistent = false;  // GetItem
  std::optional<expr::Projection> projection = {};  // GetItem
  WriteCondition condition = {};                    // DeleteItem
  // GetItem: as ReadPageInput::stored_items, the item (when no projection
  // needs it typed) comes in ItemOutput::stored_item.
  bool stored_item = false;
};

// An item as stored (model/item_codec.h), not decoded, with its DynamoDB
// size: what a read answers where its caller writes items from their stored
// encoding (KeyInput::stored_item, BatchGetTableInput::stored_items,
// ReadPageInput::stored_items) and nothing needs the item typed.
struct EncodedItem {
  std::string bytes;
  size_t size = 0;  // model::ItemSize
};

enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

struct UpdateItemInput {
  std::string table;
  model::Item key;
  std::optional<expr::Update> update;  // UpdateExpression or AttributeUpdates
  ReturnValues return_values = ReturnValues::kNone;
  WriteCondition condition;
};

// ReturnItemCollectionMetrics: the size of the item collection a write
// changed, on tables with LSIs.
struct ItemCollectionMetrics {
  model::Item key;  // the partition key attribute
  double low_gb = 0;
  double high_gb = 0;
};

struct ItemOutput {
  std::optional<model::Item> item;  // the old item (writes) or the item read
  std::optional<EncodedItem> stored_item;  // instead of item: see KeyInput::stored_item
  ConsumedCapacity capacity;
  std::optional<ItemCollectionMetrics> collection;  // writes to tables with LSIs
};

struct BatchGetTableInput {
  std::string table;
  std::vector<model::Item> keys;
  bool consistent = false;
  std::optional<expr::Projection> projection;
  // As ReadPageInput::stored_items: without a projection, the items come in
  // BatchGetOutput::stored_responses.
  bool stored_items = false;
};

struct BatchGetOutput {
  std::map<std::string, std::vector<model::Item>> responses;
  std::map<std::string, std::vector<EncodedItem>> stored_responses;  // see BatchGetTableInput::stored_items
  // Keys not read because the response reached its size limit, by table,
  // with the index of their table input (to echo its other parameters).
  std::map<std::string, std::vector<model::Item>> unprocessed;
  std::vector<ConsumedCapacity> capacity;
};

struct WriteRequest {
  bool is_put = true;
  model::Item item;  // the item (put) or the key (delete)
};

struct BatchWriteTableInput {
  std::string table;
  std::vector<WriteRequest> requests;
};

struct BatchWriteOutput {
  std::vector<ConsumedCapacity> capacity;
  // Requests not applied because their table was throttled
  // (--capacity=enforce), by table, to be resent.
  std::map<std::string, std::vector<WriteRequest>> unprocessed = {};
  std::map<std::string, std::vector<ItemCollectionMetrics>> collections;  // by table, tables with LSIs
};

// One action of TransactWriteItems.
struct TransactAction {
  enum Kind { kConditionCheck, kPut, kDelete, kUpdate, kInsert } kind = kPut;  // kInsert: PartiQL's
  std::string table;
  model::Item item;                    // kPut: the item; else the key
  std::optional<expr::Update> update;  // kUpdate
  WriteCondition condition;
};

struct TransactWriteInput {
  std::vector<TransactAction> actions;
  std::optional<std::string> client_token;  // ClientRequestToken
  uint64_t fingerprint = 0;                 // a hash of the request's actions as sent, for the token
};

struct TransactWriteOutput {
  std::vector<ConsumedCapacity> capacity;  // by table, in name order
  std::map<std::string, std::vector<ItemCollectionMetrics>> collections;
};

struct TransactGet {
  std::string table;
  model::Item key;
  std::optional<expr::Projection> projection;
};

struct TransactGetOutput {
  std::vector<std::optional<model::Item>> items;  // in request order
  std::vector<ConsumedCapacity> capacity;
};

// Why one action of a cancelled transaction failed, as DynamoDB reports it.
struct CancellationReason {
  std::string code;  // None, ConditionalCheckFailed, TransactionConflict, ValidationError, ...
  std::string message;
  std::optional<model::Item> item;  // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

// The detail of a TransactionCanceled error: one reason per action.
struct TransactionCanceled : ErrorDetail {
  std::vector<CancellationReason> reasons;
};

enum class Select { kAllAttributes, kAllProjectedAttributes, kSpecificAttributes, kCount };

// What Query and Scan share: the page controls, the filter and the shape of
// the result.
struct ReadPageInput {
  std::string table;
  std::string index;  // IndexName; empty for the table itself
  std::optional<expr::Condition> filter;
  std::optional<expr::Projection> projection;
  Select select = Select::kAllAttributes;
  std::optional<int64_t> limit;
  bool consistent = false;
  std::optional<model::Item> exclusive_start_key;
  // Set by a caller that can write items from their stored encoding
  // (model/item_codec.h): the page's items that nothing reads typed (no
  // filter, projection or LSI fetch) come in `stored_items`, undecoded.
  bool stored_items = false;
};

struct QueryInput : ReadPageInput {
  expr::KeyTerms key_condition;  // KeyConditionExpression or KeyConditions
  bool forward = true;  // ScanIndexForward
};

struct ScanInput : ReadPageInput {
  std::optional<int64_t> segment;
  std::optional<int64_t> total_segments;
};

struct ReadPageOutput {
  std::vector<model::Item> items;  // empty for Select COUNT
  // Instead of `items` where ReadPageInput::stored_items allowed it: each an
  // encoded item, in page order.
  std::vector<EncodedItem> stored_items;
  int64_t count = 0;
  int64_t scanned_count = 0;
  std::optional<model::Item> last_evaluated_key;
  ConsumedCapacity capacity;
};

// Time to Live as DescribeTimeToLive shows it.
struct TimeToLiveDescription {
  std::string status;     // ENABLING, ENABLED, DISABLING, DISABLED
  std::string attribute;  // empty when DISABLED
};

// PartiQL: one statement of ExecuteStatement, BatchExecuteStatement or
// ExecuteTransaction.
struct StatementInput {
  std::string statement;
  std::vector<model::AttributeValue> parameters;
  bool consistent = false;                 // ConsistentRead
  std::optional<int64_t> limit;            // ExecuteStatement
  std::optional<std::string> next_token;   // ExecuteStatement
  bool return_old_on_failure = false;      // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

struct StatementOutput {
  std::vector<model::Item> items;
  std::optional<std::string> next_token;
  std::optional<model::Item> last_evaluated_key;
  std::optional<ConsumedCapacity> capacity;
};

// One statement's answer in a BatchExecuteStatement.
struct BatchStatementResult {
  std::string table;                 // once the statement named one
  std::optional<model::Item> item;   // a read that found its item
  Status error;                      // the statement's failure (a ConditionFailure detail with ALL_OLD)
};

struct BatchStatementOutput {
  std::vector<BatchStatementResult> responses;  // in request order
  std::vector<ConsumedCapacity> capacity;       // by table
};

struct TransactionStatementsInput {
  std::vector<StatementInput> statements;
  std::optional<std::string> client_token;
  uint64_t fingerprint = 0;  // a hash of the statements as sent, for the token
};

struct TransactionStatementsOutput {
  std::vector<std::optional<model::Item>> items;  // reads, in request order
  std::vector<ConsumedCapacity> capacity;
};

}  // namespace basalt::db
