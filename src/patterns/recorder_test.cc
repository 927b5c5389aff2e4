#include "patterns/recorder.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/testing.h"

namespace basalt::patterns {
namespace {

using model::AttributeValue;

struct Request {
  model::Item key;
  RequestShape shape;
  Observation obs;
  UnitsOn units;
  AttributeValue pk;
};

// A GetItem (or PutItem with `write`) of key `pk` at second `now`.
void Get(Recorder& r, const std::string& pk, double now, bool write = false, Outcome outcome = Outcome::kOk) {
  model::Item key{{"PK", AttributeValue::S(pk)}};
  RequestShape shape;
  shape.op = write ? Op::kPutItem : Op::kGetItem;
  shape.table = "T";
  model::KeySchema names;
  names.hash.name = "PK";
  if (write) {
    shape.item = &key;
    shape.key_schema = &names;
  } else {
    shape.key = &key;
  }
  UnitsOn units{"T", "", write ? 0.0 : 0.5, write ? 1.0 : 0.0};
  AttributeValue pk_value = AttributeValue::S(pk);
  Observation o;
  o.ns = "ns";
  o.shape = &shape;
  o.now = now;
  o.outcome = outcome;
  o.latency_ms = 0.3;
  o.returned = write ? 0 : 1;
  o.scanned = o.returned;
  o.units = std::span<const UnitsOn>(&units, 1);
  o.item_bytes = 100;
  o.items_sized = 1;
  o.max_item_bytes = 100;
  o.pk = pk;
  o.pk_value = &pk_value;
  r.Record(o);
}

std::string Render(const RecorderSnapshot& s) {
  std::string out;
  for (const PatternStats& p : s.patterns) {
    out += p.shape + " count=" + std::to_string(p.count) + " peak=" + std::to_string(p.peak_rps) +
           " rcu=" + std::to_string(p.rcu) + " wcu=" + std::to_string(p.wcu) +
           " cond=" + std::to_string(p.errors[0]) + "\n";
  }
  for (const KeyHeatStats& h : s.heat) {
    out += "heat " + h.table + " top=" + (h.requests.empty() ? "" : h.requests[0].key) +
           " total=" + std::to_string(static_cast<int>(h.total_requests)) + " inc=" + std::to_string(h.increasing) +
           "\n";
  }
  return out;
}

TEST(RecorderTest, CountsPeaksAndHeat) {
  Recorder r;
  for (int i = 0; i < 5; ++i) Get(r, "USER#hot", 1000.2);
  Get(r, "USER#a", 1001.5);
  Get(r, "USER#b", 1002.5);
  Get(r, "USER#1", 1003, true);
  Get(r, "USER#2", 1004, true, Outcome::kConditional);
  EXPECT_EQ(
      "GetItem T: PK = USER#:v count=7 peak=5 rcu=3.500000 wcu=0.000000 cond=0\n"
      "PutItem T: PK = USER#:v, item (PK) count=2 peak=1 rcu=0.000000 wcu=2.000000 cond=1\n"
      "heat T top=USER#hot total=9 inc=0\n",
      Render(r.Snapshot(1010)));
  RecorderSnapshot s = r.Snapshot(1010);
  EXPECT_EQ(1000.2, s.started_at);
  EXPECT_DOUBLE_EQ(0.5, s.patterns[0].LatencyQuantileMs(0.5));
}

TEST(RecorderTest, ThreadsMergeIntoOneSnapshot) {
  Recorder r;
  std::thread a([&] { for (int i = 0; i < 100; ++i) Get(r, "K" + std::to_string(i % 10), 50); });
  std::thread b([&] { for (int i = 0; i < 100; ++i) Get(r, "K" + std::to_string(i % 10), 50); });
  a.join();
  b.join();
  RecorderSnapshot s = r.Snapshot(60);
  ASSERT_EQ(1u, s.patterns.size());
  EXPECT_EQ(200u, s.patterns[0].count);
  EXPECT_EQ(200u, s.patterns[0].peak_rps);  // both threads' requests fell in second 50
  ASSERT_EQ(1u, s.heat.size());
  EXPECT_EQ(20, s.heat[0].requests[0].count);
}

TEST(RecorderTest, MonotonicWritesAreCounted) {
  Recorder r;
  for (int i = 0; i < 30; ++i) Get(r, "2026-12-05T10:00:" + std::to_string(10 + i), 100 + i, true);
  RecorderSnapshot s = r.Snapshot(200);
  ASSERT_EQ(1u, s.heat.size());
  EXPECT_EQ(29u, s.heat[0].increasing);
  EXPECT_EQ(0u, s.heat[0].not_increasing);
}

TEST(RecorderTest, PatternsAreBounded) {
  Recorder r;
  std::vector<std::string> tables;
  for (size_t i = 0; i < kMaxPatterns + 5; ++i) tables.push_back("T" + std::to_string(i));
  for (const std::string& t : tables) {
    model::Item key{{"PK", AttributeValue::S("x")}};
    RequestShape shape;
    shape.table = t;
    shape.key = &key;
    Observation o;
    o.shape = &shape;
    o.now = 1;
    r.Record(o);
  }
  RecorderSnapshot s = r.Snapshot(2);
  EXPECT_EQ(kMaxPatterns, s.patterns.size());
  EXPECT_EQ(5u, s.dropped);
}

TEST(RecorderTest, EncodeLoadRoundTripsAndResetForgets) {
  Recorder r;
  for (int i = 0; i < 4; ++i) Get(r, "USER#hot", 10);
  Get(r, "USER#x", 11, true);
  std::string before = Render(r.Snapshot(20));
  std::string bytes = r.Encode(20);
  Recorder loaded;
  ASSERT_OK(loaded.Load(bytes));
  EXPECT_EQ(before, Render(loaded.Snapshot(20)));
  // What is recorded after a load adds to it.
  Get(loaded, "USER#hot", 30);
  EXPECT_EQ(5u, loaded.Snapshot(40).patterns[0].count);
  EXPECT_EQ(4u, loaded.Snapshot(40).patterns[0].peak_rps);  // the loaded second's peak survives
  EXPECT_FALSE(loaded.Load(bytes.substr(0, bytes.size() - 1)).ok());
  loaded.Reset();
  EXPECT_EQ("", Render(loaded.Snapshot(50)));
}

}  // namespace
}  // namespace basalt::patterns
