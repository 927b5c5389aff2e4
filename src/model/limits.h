// DynamoDB's documented limits, shared by every layer that enforces them.
#pragma once

#include <cstddef>

namespace basalt::model {

inline constexpr size_t kMaxItemSize = 400 * 1024;         // bytes, names plus values
inline constexpr size_t kMaxHashKeySize = 2048;            // bytes
inline constexpr size_t kMaxRangeKeySize = 1024;           // bytes
inline constexpr int kMaxNestingDepth = 32;                // levels of L and M
inline constexpr size_t kMaxBatchWriteRequests = 25;
inline constexpr size_t kMaxBatchGetKeys = 100;
inline constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;
inline constexpr size_t kMaxTableNameLength = 255;
inline constexpr size_t kMinTableNameLength = 3;
inline constexpr size_t kMaxKeyAttributeNameLength = 255;  // key attribute names
inline constexpr int kMaxTablesPerAccount = 2500;          // DescribeLimits reports this
inline constexpr long kMaxTableReadCapacity = 40000;
inline constexpr long kMaxTableWriteCapacity = 40000;
inline constexpr long kMaxAccountReadCapacity = 80000;
inline constexpr long kMaxAccountWriteCapacity = 80000;
inline constexpr int kMaxLocalIndexes = 5;                  // per table
inline constexpr int kMaxGlobalIndexes = 20;                // per table
inline constexpr int kMaxProjectedAttributes = 100;         // NonKeyAttributes over all indexes of a table
inline constexpr size_t kMaxTransactItems = 100;           // actions per TransactWriteItems or TransactGetItems
inline constexpr size_t kMaxClientTokenLength = 36;        // ClientRequestToken
inline constexpr size_t kMaxTransactPayloadBytes = 4 * 1024 * 1024;  // a TransactWriteItems request, a TransactGetItems answer
inline constexpr size_t kMaxTagsPerResource = 50;

}  // namespace basalt::model
