// The change log's two forms (db/change_log.h): a commit's versions written
// as one record by commit, then sorted into records by item up to an
// instant, which is what readers read.
#include "db/change_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/coding.h"
#include "common/testing.h"

namespace basalt::db {
namespace {

using namespace std::string_literals;

constexpr storage::TableId kLog = 77;

class ChangeLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  // One commit at `now` of the versions (pk, sk, item or deletion) as a record by commit.
  void Commit(double now, const std::vector<std::tuple<std::string, std::string, std::optional<std::string>>>& versions) {
    std::string entries;
    for (const auto& [pk, sk, item] : versions) {
      std::optional<std::string_view> value;
      if (item) value = *item;
      AddToCommitRecord(pk, sk, value, &entries);
    }
    std::vector<storage::PartitionWrite> batch;
    AppendCommitRecord(kLog, std::move(entries), now, &batch);
    ASSERT_OK(engine_->Commit(batch));
  }

  // The log, a line per record, sorted: "commit TIME SEQ: pk/sk=ITEM ..." or
  // "item pk/sk TIME SEQ ITEM"; sequence numbers are named in order of first appearance.
  std::string Render() {
    std::vector<std::string> lines;
    Status st = engine_->ScanSegment(kLog, 0, 1, std::nullopt, [&](const storage::Row& row) {
      if (IsCommitRecord(row)) {
        std::string line = "commit " + std::to_string(DecodeFixed64BE(row.sk.data() + 2)) + " " +
                           Seq(DecodeFixed64BE(row.sk.data() + 10)) + ":";
        std::string_view in = row.value;
        while (!in.empty()) {
          uint64_t n;
          std::string pieces[3];
          for (auto& piece : pieces) {
            if (!GetVarint64(&in, &n) || n > in.size()) return false;
            piece = std::string(in.substr(0, n));
            in.remove_prefix(n);
          }
          line += " " + pieces[0] + "/" + pieces[1] + "=" + Value(pieces[2]);
        }
        lines.push_back(line);
        return true;
      }
      ChangeLogKey k;
      if (!ParseChangeLogSortKey(row.sk, &k)) {
        lines.push_back("corrupt key");
        return true;
      }
      lines.push_back("item " + std::string(row.pk) + "/" + k.item_sk + " " + std::to_string(k.time_us) + " " +
                      Seq(k.seq) + " " + Value(row.value));
      return true;
    });
    if (!st.ok()) return "error: " + st.message();
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  std::string Seq(uint64_t seq) {
    auto [it, added] = seqs_.emplace(seq, "#" + std::to_string(seqs_.size() + 1));
    return it->second;
  }

  static std::string Value(std::string_view version) {
    bool put;
    std::string_view item;
    if (!ParseChangeLogValue(version, &put, &item)) return "corrupt";
    return put ? std::string(item) : "deleted";
  }

  std::unique_ptr<storage::Engine> engine_;
  std::map<uint64_t, std::string> seqs_;
};

TEST_F(ChangeLogTest, RecordsByCommitSortIntoRecordsByItemUpToAnInstant) {
  Commit(1.0, {{"p1", "s1", "A"}, {"p2", "", std::nullopt}});
  Commit(2.0, {{"p1", "s1", "B"}});
  Commit(3.0, {{"p2", std::string("\0x", 2), "C"}});
  EXPECT_EQ(
      "commit 1000000 #1: p1/s1=A p2/=deleted\n"
      "commit 2000000 #2: p1/s1=B\n"
      "commit 3000000 #3: p2/\x00x=C\n"s,
      Render());
  auto never = [] { return false; };

  // Up to 2 s inclusive; the record of 3 s stays as written.
  ASSERT_OK(SortChangeLog(engine_.get(), kLog, 2000000, never));
  const std::string sorted =
      "commit 3000000 #3: p2/\x00x=C\n"
      "item p1/s1 1000000 #1 A\n"
      "item p1/s1 2000000 #2 B\n"
      "item p2/ 1000000 #1 deleted\n"s;
  EXPECT_EQ(sorted, Render());

  // Again: nothing changes. Told to stop, it gives up before writing.
  ASSERT_OK(SortChangeLog(engine_.get(), kLog, 2000000, never));
  EXPECT_EQ(sorted, Render());
  Status stopped = SortChangeLog(engine_.get(), kLog, 3000000, [] { return true; });
  EXPECT_EQ("stopping", stopped.message());
  EXPECT_EQ(sorted, Render());

  ASSERT_OK(SortChangeLog(engine_.get(), kLog, 3000000, never));
  EXPECT_EQ(
      "item p1/s1 1000000 #1 A\n"
      "item p1/s1 2000000 #2 B\n"
      "item p2/\x00x 3000000 #3 C\n"
      "item p2/ 1000000 #1 deleted\n"s,
      Render());
}

// A record by commit cut short is an error, never a silently shorter log.
TEST_F(ChangeLogTest, ACorruptRecordByCommitIsAnError) {
  std::vector<storage::PartitionWrite> batch;
  AppendCommitRecord(kLog, std::string("\x02p1\x05s1", 6), 1.0, &batch);
  ASSERT_OK(engine_->Commit(batch));
  Status st = SortChangeLog(engine_.get(), kLog, 1000000, [] { return false; });
  EXPECT_EQ("corrupt change-log record", st.message());
}

}  // namespace
}  // namespace basalt::db
