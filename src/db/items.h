// The item operations: PutItem, GetItem, DeleteItem, UpdateItem,
// BatchGetItem and BatchWriteItem. Each checks its keys against the table,
// then is one call of the write path or the read path.
#pragma once

#include <vector>

#include "common/status.h"
#include "db/catalog.h"
#include "db/contributor_insights.h"
#include "db/read_path.h"
#include "db/requests.h"
#include "db/throttle.h"
#include "db/write_path.h"

namespace basalt::db {

class Items {
 public:
  Items(Catalog* catalog, WritePath* write_path, ReadPath* read_path)
      : catalog_(catalog), write_path_(write_path), read_path_(read_path) {}

  Result<ItemOutput> PutItem(const Scope& scope, const PutItemInput& in);
  Result<ItemOutput> GetItem(const Scope& scope, const KeyInput& in);
  Result<ItemOutput> DeleteItem(const Scope& scope, const KeyInput& in);
  // ItemOutput::item holds what ReturnValues asked for.
  Result<ItemOutput> UpdateItem(const Scope& scope, const UpdateItemInput& in);
  Result<BatchGetOutput> BatchGetItem(const Scope& scope, const std::vector<BatchGetTableInput>& in);
  Result<BatchWriteOutput> BatchWriteItem(const Scope& scope, const std::vector<BatchWriteTableInput>& in);

  // --capacity=enforce (null: report mode). Reads are admitted before they
  // read; batches return their throttled keys and requests unprocessed.
  void set_throttle(Throttle* throttle) { throttle_ = throttle; }
  // Contributor Insights: the keys read and throttled (null: none).
  void set_insights(ContributorInsights* insights) { insights_ = insights; }

 private:
  // One item write, and the ItemOutput every single-item write shares: the
  // capacity it consumed and its item-collection metrics.
  Result<ItemOutput> WriteOne(ItemWrite write, ItemWriteResult* result);

  Catalog* catalog_;
  WritePath* write_path_;
  ReadPath* read_path_;
  Throttle* throttle_ = nullptr;
  ContributorInsights* insights_ = nullptr;
  bool Recording(const Scope& scope) const { return insights_ && insights_->Any() && !scope.partiql; }
};

}  // namespace basalt::db
