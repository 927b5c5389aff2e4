#include "db/change_log.h"

#include <atomic>
#include <cmath>

#include "common/coding.h"

namespace basalt::db {

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
  std::string value(1, new_value ? '\x01' : '\x00');
  if (new_value) value.append(*new_value);
  auto time_us = static_cast<uint64_t>(std::llround(now * 1e6));
  pw.muts.push_back(
      storage::Mutation{storage::Mutation::kPut, ChangeLogSortKey(sk, time_us, NextChangeLogSeq()), std::move(value), {}});
  batch->push_back(std::move(pw));
}

bool ParseChangeLogValue(std::string_view value, bool* put, std::string_view* item) {
  if (value.empty() || static_cast<uint8_t>(value[0]) > 1) return false;
  *put = value[0] == '\x01';
  *item = value.substr(1);
  return true;
}

}  // namespace basalt::db
