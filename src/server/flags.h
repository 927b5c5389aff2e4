// Command-line flags: Basalt's own (--port ...) and DynamoDB Local's
// (-port ...), so Basalt drops into scripts written for DynamoDB Local.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/status.h"
#include "storage/engine.h"

namespace basalt::server {

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  std::string data_dir = "basalt-data";
  bool in_memory = false;
  // The storage engine: "rocksdb" (embedded; the default) or "rados" (a
  // Ceph pool; docs/architecture.md, "The rados engine").
  std::string engine = "rocksdb";
  std::string rados_conf;        // --rados-conf FILE (empty: librados' default search)
  std::string rados_pool;        // --rados-pool NAME
  std::string rados_id = "admin";  // --rados-id ID: the client (client.ID)
  std::string rados_namespace;   // --rados-namespace PREFIX: instances sharing a pool stay apart
  int rados_txn_timeout_seconds = 10;  // --rados-txn-timeout: a pending transaction older is aborted
  std::string export_root;  // the directory standing for S3 in exports and imports (empty: none)
  storage::Durability durability = storage::Durability::kSync;
  LogLevel log_level = LogLevel::kInfo;
  bool shared_db = false;
  bool delay_transient_statuses = false;
  std::string cors;  // allowed origins for browsers ("*" or a comma list); empty: CORS off
  int threads = 0;   // 0: a default suited to the machine
  int ttl_sweep_seconds = 5;  // how often expired items (Time to Live) are looked for
  int stream_retention_seconds = 24 * 3600;  // how long stream records are kept
  int stream_shard_records = 100000;         // a stream shard closes at this many records...
  int stream_shard_seconds = 4 * 3600;       // ...or at this age
  // Limits on what clients may hold (see http::ServerOptions).
  int max_connections = 0;         // 0: derived from the descriptor limit
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 60;   // as the service's load balancers
  int body_timeout_seconds = 10;
  int body_min_rate = 64 * 1024;   // bytes per second
  int memory_budget_mib = 0;       // 0: 256 MiB, or a quarter of memory if less
  int item_cache_mib = 32;         // the embedded engine's cache of recently read items; 0: none
  std::vector<std::string> triggers;  // --trigger TABLE=TARGET, as given
  std::string triggers_file;          // --triggers-file FILE
  std::string trigger_destination_dir;  // where API-made triggers may write failure files
  bool enforce_capacity = false;  // --capacity=enforce (default report)
  bool metrics_public = false;    // --metrics-public: GET /metrics without credentials
  bool metrics = true;            // --no-metrics: record no per-table metrics
  bool record_patterns = true;    // --record-patterns=off: record no access patterns
  bool console = true;            // --no-console: no web console at /console
  std::string console_assets;     // --console-assets DIR (empty: server/console.h's default)
  // Authentication: "none" (each access key id is an account, nothing is
  // verified) or "sigv4" (every request verified; see README, "Running
  // Basalt for a team").
  std::string auth = "none";
  std::string legacy_access_key;  // --auth=none: the key id whose account owns pre-account tables
  std::string auth_key_file;      // the server key sealing stored secrets (else BASALT_AUTH_KEY)
  std::string tls_cert, tls_key;   // PEM files: with both, the port speaks TLS
  std::string tls_client_ca;       // PEM: clients must present a certificate it signed
  std::string encryption_key_file;  // 64 hex digits: data at rest encrypted (else BASALT_ENCRYPTION_KEY)
  std::string audit_log;          // JSON lines of control-plane calls and denials; empty: none
  int audit_log_max_mib = 64;     // rotated at this size
  bool help = false;
  bool version = false;
};

// Parses argv[1..]. An unknown flag or a bad value is an error naming it.
Result<Config> ParseFlags(const std::vector<std::string>& args);

std::string HelpText();

}  // namespace basalt::server
