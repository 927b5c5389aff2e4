#include "db/change_log.h"

#include <atomic>
#include <cmath>

#include "common/coding.h"

namespace basalt::db {

namespace {

constexpr std::string_view kCommitPartition;  // "": no item's partition key

std::string CommitSortKey(uint64_t time_us, uint64_t seq) {
  std::string out("\x00\x02", 2);
  PutFixed64BE(&out, time_us);
  PutFixed64BE(&out, seq);
  return out;
}

std::string Version(const std::optional<std::string_view>& new_value) {
  std::string value(1, new_value ? '\x01' : '\x00');
  if (new_value) value.append(*new_value);
  return value;
}

uint64_t Micros(double seconds) { return static_cast<uint64_t>(std::llround(seconds * 1e6)); }

void PutPiece(std::string* out, std::string_view piece) {
  PutVarint64(out, piece.size());
  out->append(piece);
}

bool GetPiece(std::string_view* in, std::string_view* piece) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *piece = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string ChangeLogSortKey(std::string_view item_sk, uint64_t time_us, uint64_t seq) {
  std::string out;
  out.reserve(item_sk.size() + 18);
  for (char c : item_sk) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  out.push_back('\0');
  out.push_back('\x01');
  PutFixed64BE(&out, time_us);
  PutFixed64BE(&out, seq);
  return out;
}

bool ParseChangeLogSortKey(std::string_view sk, ChangeLogKey* out) {
  if (sk.size() < 18) return false;
  out->item_sk.clear();
  size_t i = 0;
  size_t end = sk.size() - 16;
  for (; i + 1 < end; ++i) {
    if (sk[i] != '\0') {
      out->item_sk.push_back(sk[i]);
      continue;
    }
    if (sk[i + 1] == '\xff') {
      out->item_sk.push_back('\0');
      ++i;
      continue;
    }
    break;
  }
  if (i + 2 != end || sk[i] != '\0' || sk[i + 1] != '\x01') return false;
  out->time_us = DecodeFixed64BE(sk.data() + end);
  out->seq = DecodeFixed64BE(sk.data() + end + 8);
  return true;
}

uint64_t NextChangeLogSeq() {
  static std::atomic<uint64_t> seq{1};
  return seq.fetch_add(1, std::memory_order_relaxed);
}

void AppendChangeLog(storage::TableId log, std::string_view pk, std::string_view sk,
                     const std::optional<std::string_view>& new_value, double now,
                     std::vector<storage::PartitionWrite>* batch) {
  storage::PartitionWrite pw;
  pw.table = log;
  pw.pk = std::string(pk);
  pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, ChangeLogSortKey(sk, Micros(now), NextChangeLogSeq()),
                                      Version(new_value), {}});
  batch->push_back(std::move(pw));
}

void AddToCommitRecord(std::string_view pk, std::string_view sk, const std::optional<std::string_view>& new_value,
                       std::string* entries) {
  PutPiece(entries, pk);
  PutPiece(entries, sk);
  PutVarint64(entries, 1 + (new_value ? new_value->size() : 0));
  entries->push_back(new_value ? '\x01' : '\x00');
  if (new_value) entries->append(*new_value);
}

void AppendCommitRecord(storage::TableId log, std::string entries, double now,
                        std::vector<storage::PartitionWrite>* batch) {
  storage::PartitionWrite pw;
  pw.table = log;
  pw.pk = std::string(kCommitPartition);
  pw.muts.push_back(storage::Mutation{storage::Mutation::kPut, CommitSortKey(Micros(now), NextChangeLogSeq()),
                                      std::move(entries), {}});
  batch->push_back(std::move(pw));
}

Status SortChangeLog(storage::Engine* engine, storage::TableId log, uint64_t up_to_us,
                     const std::function<bool()>& stopping) {
  storage::SortKeyRange range;
  range.lower = CommitSortKey(0, 0);
  range.upper = CommitSortKey(up_to_us, UINT64_MAX);
  std::vector<storage::PartitionWrite> batch;
  Status error;
  auto commit = [&] {
    if (stopping()) {
      error = Status::Internal("stopping");
    } else {
      error = engine->Commit(batch);
    }
    batch.clear();
  };
  BASALT_RETURN_IF_ERROR(engine->QueryPartition(
      log, kCommitPartition, range, false, std::nullopt, [&](const storage::Row& row) {
        if (row.sk.size() != 18) {
          error = Status::Internal("corrupt change-log key");
          return false;
        }
        const uint64_t time_us = DecodeFixed64BE(row.sk.data() + 2);
        const uint64_t seq = DecodeFixed64BE(row.sk.data() + 10);
        std::string_view in = row.value;
        while (!in.empty()) {
          std::string_view pk, sk, version;
          if (!GetPiece(&in, &pk) || !GetPiece(&in, &sk) || !GetPiece(&in, &version) || version.empty()) {
            error = Status::Internal("corrupt change-log record");
            return false;
          }
          storage::PartitionWrite pw;
          pw.table = log;
          pw.pk = std::string(pk);
          pw.muts.push_back(
              storage::Mutation{storage::Mutation::kPut, ChangeLogSortKey(sk, time_us, seq), std::string(version), {}});
          batch.push_back(std::move(pw));
        }
        storage::PartitionWrite done;
        done.table = log;
        done.pk = std::string(kCommitPartition);
        done.muts.push_back(storage::Mutation{storage::Mutation::kDelete, std::string(row.sk), {}, {}});
        batch.push_back(std::move(done));
        if (batch.size() >= 512) commit();
        return error.ok();
      }));
  if (error.ok() && !batch.empty()) commit();
  return error;
}

bool ParseChangeLogValue(std::string_view value, bool* put, std::string_view* item) {
  if (value.empty() || static_cast<uint8_t>(value[0]) > 1) return false;
  *put = value[0] == '\x01';
  *item = value.substr(1);
  return true;
}

}  // namespace basalt::db
