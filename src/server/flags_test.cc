#include "server/flags.h"

#include <gtest/gtest.h>

namespace basalt::server {
namespace {

Config Parse(std::vector<std::string> args) {
  auto c = ParseFlags(args);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : Config{};
}

std::string Error(std::vector<std::string> args) {
  auto c = ParseFlags(args);
  return c.ok() ? "ok" : c.status().message();
}

TEST(FlagsTest, DefaultsAreDurableOnLocalhost8000) {
  Config c = Parse({});
  EXPECT_EQ("127.0.0.1", c.host);
  EXPECT_EQ(8000, c.port);
  EXPECT_FALSE(c.in_memory);
  EXPECT_EQ(storage::Durability::kSync, c.durability);
}

TEST(FlagsTest, AcceptsBasaltFlagsWithSpaceOrEquals) {
  Config c = Parse({"--host", "0.0.0.0", "--port=9000", "--data-dir", "/tmp/x", "--durability=relaxed",
                    "--log-level", "warn", "--threads", "4"});
  EXPECT_EQ("0.0.0.0", c.host);
  EXPECT_EQ(9000, c.port);
  EXPECT_EQ("/tmp/x", c.data_dir);
  EXPECT_EQ(storage::Durability::kRelaxed, c.durability);
  EXPECT_EQ(LogLevel::kWarn, c.log_level);
  EXPECT_EQ(4, c.threads);
}

TEST(FlagsTest, BackgroundWorkIsTunable) {
  Config defaults = Parse({});
  EXPECT_EQ(5, defaults.ttl_sweep_seconds);
  EXPECT_EQ(86400, defaults.stream_retention_seconds);
  Config c = Parse({"--ttl-sweep-interval", "2", "--stream-retention=60", "--stream-shard-records", "100",
                    "--stream-shard-seconds", "30"});
  EXPECT_EQ(2, c.ttl_sweep_seconds);
  EXPECT_EQ(60, c.stream_retention_seconds);
  EXPECT_EQ(100, c.stream_shard_records);
  EXPECT_EQ(30, c.stream_shard_seconds);
  EXPECT_NE("", Error({"--stream-shard-records", "0"}));
}

TEST(FlagsTest, ClientLimitsHaveTheIssuesDefaultsAndAreTunable) {
  Config defaults = Parse({});
  EXPECT_EQ(0, defaults.max_connections);  // derived from the descriptor limit
  EXPECT_EQ(10, defaults.header_timeout_seconds);
  EXPECT_EQ(60, defaults.idle_timeout_seconds);
  EXPECT_EQ(10, defaults.body_timeout_seconds);
  EXPECT_EQ(65536, defaults.body_min_rate);
  EXPECT_EQ(0, defaults.memory_budget_mib);  // 256 MiB or a quarter of memory
  EXPECT_EQ(32, defaults.item_cache_mib);
  Config c = Parse({"--max-connections", "100", "--header-timeout=2", "--idle-timeout", "3", "--body-timeout", "4",
                    "--body-min-rate", "0", "--memory-budget", "64", "--item-cache", "0"});
  EXPECT_EQ(100, c.max_connections);
  EXPECT_EQ(2, c.header_timeout_seconds);
  EXPECT_EQ(3, c.idle_timeout_seconds);
  EXPECT_EQ(4, c.body_timeout_seconds);
  EXPECT_EQ(0, c.body_min_rate);
  EXPECT_EQ(64, c.memory_budget_mib);
  EXPECT_EQ(0, c.item_cache_mib);
  EXPECT_EQ("invalid value for --header-timeout: '0' (expected 1-3600)", Error({"--header-timeout", "0"}));
}

TEST(FlagsTest, AcceptsDynamoDbLocalFlags) {
  Config c = Parse({"-port", "8001", "-inMemory", "-sharedDb", "-delayTransientStatuses", "-cors", "*"});
  EXPECT_EQ(8001, c.port);
  EXPECT_TRUE(c.in_memory);
  EXPECT_TRUE(c.shared_db);
  EXPECT_TRUE(c.delay_transient_statuses);
  EXPECT_EQ("*", c.cors);
  EXPECT_EQ("/data", Parse({"-dbPath", "/data"}).data_dir);
  EXPECT_TRUE(Parse({"-help"}).help);
}

TEST(FlagsTest, UnknownFlagsAndBadValuesAreErrors) {
  EXPECT_EQ("unknown flag: --nope (see --help)", Error({"--nope"}));
  EXPECT_EQ("unknown flag: -optimizeDbBeforeStartup (see --help)", Error({"-optimizeDbBeforeStartup"}));
  EXPECT_EQ("invalid value for --port: '70000' (expected a port number 0-65535)", Error({"--port", "70000"}));
  EXPECT_EQ("invalid value for --durability: 'fast' (expected sync or relaxed)", Error({"--durability=fast"}));
  EXPECT_EQ("flag --port needs a value", Error({"--port"}));
  EXPECT_EQ("flag --in-memory takes no value", Error({"--in-memory=yes"}));
}

TEST(FlagsTest, TriggersAreRepeatableAndNeedATableAndTarget) {
  Config c = Parse({"--trigger", "a=http://127.0.0.1:9000/", "--trigger=b=cmd:cat", "--triggers-file", "t.json"});
  EXPECT_EQ((std::vector<std::string>{"a=http://127.0.0.1:9000/", "b=cmd:cat"}), c.triggers);
  EXPECT_EQ("t.json", c.triggers_file);
  EXPECT_EQ("invalid value for --trigger: 'a' (expected TABLE=http://... or TABLE=cmd:COMMAND)",
            Error({"--trigger", "a"}));
}

}  // namespace
}  // namespace basalt::server

namespace basalt::server {
namespace {

TEST(FlagsTest, RadosEngineFlagsNeedEachOther) {
  Config c = Parse({"--engine=rados", "--rados-conf", "/etc/ceph/ceph.conf", "--rados-pool", "basalt",
                   "--rados-id", "basalt", "--rados-namespace", "prod-"});
  EXPECT_EQ(c.engine, "rados");
  EXPECT_EQ(c.rados_conf, "/etc/ceph/ceph.conf");
  EXPECT_EQ(c.rados_pool, "basalt");
  EXPECT_EQ(c.rados_id, "basalt");
  EXPECT_EQ(c.rados_namespace, "prod-");
  EXPECT_EQ(Parse({}).engine, "rocksdb");
  EXPECT_EQ(Parse({}).rados_id, "admin");
  EXPECT_EQ(Error({"--engine=rados"}), "--engine=rados needs --rados-pool");
  EXPECT_EQ(Error({"--engine=postgres"}),
            "invalid value for --engine: 'postgres' (expected rocksdb or rados)");
  EXPECT_EQ(Error({"--rados-pool", "basalt"}),
            "--rados-conf, --rados-pool and --rados-namespace need --engine=rados");
  EXPECT_EQ(Error({"--engine=rados", "--rados-pool", "p", "--in-memory"}),
            "--in-memory and --engine=rados do not go together");
}

}  // namespace
}  // namespace basalt::server
