#include "db/pitr_definitions.h"

#include <vector>

#include "db/meta_keys.h"

namespace basalt::db {
namespace {

constexpr std::string_view kPrefix = "pitr-def/";


}  // namespace

std::string DefinitionHistory::TablePrefix(storage::TableId table) {
  return std::string(kPrefix) + Hex16(table) + "/";
}

uint64_t DefinitionHistory::TimeOf(std::string_view key) {
  // key = prefix (9) + 16 hex + "/" + 16 hex
  return std::stoull(std::string(key.substr(kPrefix.size() + 17)), nullptr, 16);
}

Status DefinitionHistory::List(storage::TableId table, std::vector<std::pair<std::string, std::string>>* out) {
  return meta_->List(TablePrefix(table), out);
}

Status DefinitionHistory::Record(storage::TableId table, uint64_t time_us, const TableMeta& definition) {
  return meta_->Put(TablePrefix(table) + Hex16(time_us), EncodeTableMeta(definition));
}

Result<std::optional<TableMeta>> DefinitionHistory::At(storage::TableId table, uint64_t time_us) {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(List(table, &rows));
  if (rows.empty()) return std::optional<TableMeta>();
  size_t pick = 0;
  for (size_t i = 0; i < rows.size() && TimeOf(rows[i].first) <= time_us; ++i) pick = i;
  TableMeta meta;
  BASALT_RETURN_IF_ERROR(DecodeTableMeta(rows[pick].second, &meta));
  return std::optional<TableMeta>(std::move(meta));
}

Status DefinitionHistory::Trim(storage::TableId table, uint64_t horizon_us) {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(List(table, &rows));
  // Entry i is needed while the next one took effect after the horizon.
  for (size_t i = 0; i + 1 < rows.size() && TimeOf(rows[i + 1].first) <= horizon_us; ++i) {
    BASALT_RETURN_IF_ERROR(meta_->Delete(rows[i].first));
  }
  return Status::Ok();
}

Status DefinitionHistory::Forget(storage::TableId table) {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(List(table, &rows));
  for (const auto& row : rows) BASALT_RETURN_IF_ERROR(meta_->Delete(row.first));
  return Status::Ok();
}

Status DefinitionHistory::ForgetAllBut(const std::set<storage::TableId>& keep) {
  std::vector<std::pair<std::string, std::string>> rows;
  BASALT_RETURN_IF_ERROR(meta_->List(kPrefix, &rows));
  for (const auto& row : rows) {
    storage::TableId id = IdAfter(row.first, kPrefix);
    if (!keep.contains(id)) BASALT_RETURN_IF_ERROR(meta_->Delete(row.first));
  }
  return Status::Ok();
}

}  // namespace basalt::db
