// The shape of a request: what makes two requests the same access pattern.
// An operation on a table or index with its key condition, filter,
// projection, update and condition expressions, values removed:
//
//   Query T.GSI1: GSI1PK = :v AND begins_with(GSI1SK, :v), filter status = :v, projection 3 attrs
//   GetItem T: PK = USER#:v, SK = PROFILE#:v, consistent
//   PutItem T: PK = ORDER#:v, SK = :v, item {PK, SK, status, total}, condition attribute_not_exists(PK)
//   ExecuteStatement: SELECT * FROM "T" WHERE "PK" = ? AND "SK" > ?
//
// Values are removed, except the entity prefix of a key string ("USER#" of
// "USER#42": up to and including the first '#', 1 to 32 letters, digits, '_'
// or '-' before it), which is how single-table designs tell entities apart.
// PartiQL statements are normalised from their text: string and number
// literals become ?, except a string before ':' in a tuple (an attribute
// name), and whitespace runs become one space.
//
// The shape is walked once per request into a 64-bit hash (no allocation);
// the text is rendered only for a pattern not seen before. One walker
// serves both, so equal hashes mean equal texts (up to 64-bit collisions).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expression.h"
#include "expr/key_condition.h"
#include "expr/projection.h"
#include "model/attribute_value.h"
#include "model/schema.h"

namespace basalt::patterns {

// The operations recorded (DynamoDB's data-plane operations). Do not
// reorder: persisted (recorder_codec.cc).
enum class Op : uint8_t {
  kGetItem, kPutItem, kUpdateItem, kDeleteItem, kBatchGetItem, kBatchWriteItem, kQuery, kScan,
  kTransactWriteItems, kTransactGetItems, kExecuteStatement, kBatchExecuteStatement, kExecuteTransaction,
  kCount
};
const char* OpName(Op op);
// Whether the operation reads (else it writes; PartiQL statements count by their verb).
bool IsRead(Op op);

// One part of a batch or transaction: its kind ("Put", "Update", "Get", ...)
// on a table, with the expressions that shape it.
struct PartShape {
  std::string_view kind;
  std::string_view table;
  const model::Item* key = nullptr;  // key attributes (prefixes shown)
  const expr::Update* update = nullptr;
  const expr::Condition* condition = nullptr;
  const expr::Projection* projection = nullptr;
};

// What the caller knows of a request; pointers are borrowed for the call.
struct RequestShape {
  Op op = Op::kGetItem;
  std::string_view table;
  std::string_view index;                         // Query and Scan on an index
  const model::Item* key = nullptr;               // Get/Update/Delete: the key
  const model::Item* item = nullptr;              // Put: the item (attribute names; key prefixes)
  const model::KeySchema* key_schema = nullptr;   // the table's (for `item`: its key attributes first)
  const expr::KeyTerms* key_condition = nullptr;  // Query
  const expr::Condition* filter = nullptr;
  const expr::Condition* condition = nullptr;     // ConditionExpression
  const expr::Projection* projection = nullptr;
  const expr::Update* update = nullptr;
  bool consistent = false;
  bool count_only = false;                        // Select COUNT
  bool parallel = false;                          // Scan with segments
  std::string_view statement;                     // PartiQL text
  std::span<const PartShape> parts = {};          // batches and transactions
};

uint64_t ShapeHash(const RequestShape& shape);
std::string ShapeText(const RequestShape& shape);

// The attributes a shape names, as the report's attribute usage counts them.
struct AttributeUse {
  std::vector<std::string> read;      // projected (empty with all_read)
  bool all_read = false;              // a read without a projection
  std::vector<std::string> written;   // item attributes and update paths (top level)
  std::vector<std::string> filtered;  // filter and condition attributes
};
AttributeUse AttributesOf(const RequestShape& shape);

// A PartiQL statement with literals replaced by ? (exposed for tests).
std::string NormaliseStatement(std::string_view statement);
// The entity prefix of a key string ("USER#" of "USER#42"), or "".
std::string_view EntityPrefix(std::string_view s);

}  // namespace basalt::patterns
