// For tests: an Engine that passes every call to another, so that a test
// engine overrides only what it changes (a commit that fails, index changes
// kept aside).
#pragma once

#include <memory>
#include <utility>

#include "storage/engine.h"

namespace basalt::storage {

class ForwardingEngine : public Engine {
 public:
  explicit ForwardingEngine(std::unique_ptr<Engine> inner) : inner_(std::move(inner)) {}

  std::unique_ptr<Snapshot> NewSnapshot() override { return inner_->NewSnapshot(); }
  Status Get(const Key& key, std::optional<Record>* out, const Snapshot* at) override { return inner_->Get(key, out, at); }
  Status MultiGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override {
    return inner_->MultiGet(keys, out);
  }
  Status TransactGet(std::span<const Key> keys, std::vector<std::optional<Record>>* out) override {
    return inner_->TransactGet(keys, out);
  }
  Status QueryPartition(TableId table, std::string_view pk, const SortKeyRange& range, bool reverse,
                        const std::optional<std::string>& resume_after, const RowSink& sink,
                        const Snapshot* at) override {
    return inner_->QueryPartition(table, pk, range, reverse, resume_after, sink, at);
  }
  Status ScanSegment(TableId table, uint32_t segment, uint32_t total,
                     const std::optional<std::pair<std::string, std::string>>& resume_after, const RowSink& sink,
                     const Snapshot* at) override {
    return inner_->ScanSegment(table, segment, total, resume_after, sink, at);
  }
  Status Commit(std::span<const PartitionWrite> writes) override { return inner_->Commit(writes); }
  Status DropTable(TableId table) override { return inner_->DropTable(table); }
  Status Stats(TableId table, TableStats* out) override { return inner_->Stats(table, out); }
  Status CollectionBytes(TableId table, std::string_view pk, int64_t* bytes) override {
    return inner_->CollectionBytes(table, pk, bytes);
  }
  Status ReadOutbox(std::string_view after, size_t limit, std::vector<OutboxEntry>* out) override {
    return inner_->ReadOutbox(after, limit, out);
  }
  Status ShipOutbox(std::span<const OutboxEntry> shipped, std::span<const LogAppend> appends,
                    std::span<const std::pair<std::string, std::string>> meta_puts,
                    const MetaCondition* only_if) override {
    return inner_->ShipOutbox(shipped, appends, meta_puts, only_if);
  }
  Status ReadLog(uint64_t log, uint64_t from, const std::function<bool(uint64_t, std::string_view)>& visit) override {
    return inner_->ReadLog(log, from, visit);
  }
  Status TrimLog(uint64_t log, uint64_t below) override { return inner_->TrimLog(log, below); }
  MetaStore& meta() override { return inner_->meta(); }

 protected:
  Engine& inner() { return *inner_; }

 private:
  std::unique_ptr<Engine> inner_;
};

}  // namespace basalt::storage
