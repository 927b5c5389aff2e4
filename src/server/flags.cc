#include "server/flags.h"

#include <charconv>

namespace basalt::server {
namespace {

Status Bad(const std::string& m) { return Status::Validation(m); }

Result<uint16_t> ParsePort(const std::string& flag, const std::string& v) {
  unsigned port = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
  if (ec != std::errc() || p != v.data() + v.size() || port > 65535) {
    return Bad("invalid value for " + flag + ": '" + v + "' (expected a port number 0-65535)");
  }
  return static_cast<uint16_t>(port);
}

// An integer flag value in [lo, hi].
Result<int> ParseInt(const std::string& flag, const std::string& v, int lo, int hi) {
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return Bad("invalid value for " + flag + ": '" + v + "' (expected " + std::to_string(lo) + "-" +
               std::to_string(hi) + ")");
  }
  return n;
}

// Basalt's integer flags: name, field and allowed range.
struct IntFlag {
  const char* name;
  int Config::*field;
  int min;
  int max;
};
constexpr IntFlag kIntFlags[] = {
    {"--threads", &Config::threads, 1, 1024},
    {"--ttl-sweep-interval", &Config::ttl_sweep_seconds, 1, 86400},
    {"--stream-retention", &Config::stream_retention_seconds, 1, 30 * 86400},
    {"--stream-shard-records", &Config::stream_shard_records, 1, 1000000000},
    {"--stream-shard-seconds", &Config::stream_shard_seconds, 1, 30 * 86400},
    {"--max-connections", &Config::max_connections, 0, 10000000},
    {"--header-timeout", &Config::header_timeout_seconds, 1, 3600},
    {"--idle-timeout", &Config::idle_timeout_seconds, 1, 86400},
    {"--body-timeout", &Config::body_timeout_seconds, 1, 3600},
    {"--body-min-rate", &Config::body_min_rate, 0, 1 << 30},
    {"--memory-budget", &Config::memory_budget_mib, 0, 1 << 20},
    {"--item-cache", &Config::item_cache_mib, 0, 1 << 20},
    {"--audit-log-max-mib", &Config::audit_log_max_mib, 1, 1 << 20},
    {"--rados-txn-timeout", &Config::rados_txn_timeout_seconds, 1, 3600},
};

}  // namespace

std::string HelpText() {
  return R"(Usage: basalt [flags]

Basalt is a DynamoDB-compatible database server.

Flags:
  --host ADDR              address to listen on (default 127.0.0.1)
  --port N                 port to listen on (default 8000; 0 picks a free one)
  --data-dir DIR           where to keep data (default ./basalt-data)
  --export-root DIR        the directory standing for S3 in exports and imports:
                           s3://bucket/prefix is DIR/bucket/prefix
  --in-memory              keep nothing on disk; all data is lost at exit
  --engine=NAME            rocksdb (default: embedded, data in --data-dir) or rados (a Ceph
                           RADOS pool: --rados-conf FILE, --rados-pool NAME, --rados-id ID
                           (default admin), --rados-namespace PREFIX; see README)
  --rados-txn-timeout S    seconds after which a front-end takes a transaction still pending
                           for dead and aborts it (rados engine; default 10)
  --durability=MODE        sync (default): a write is acknowledged once its log record is
                           fsynced (concurrent writes share fsyncs);
                           relaxed: survives a process crash, not a power loss
  --log-level LEVEL        debug, info (default), warn, error or off
  --threads N              request threads (default: 32 with --durability=sync on disk, for
                           group commit; otherwise one per core)
  --ttl-sweep-interval S   seconds between passes that delete expired items (Time to Live;
                           default 5; DynamoDB takes up to 48 hours)
  --stream-retention S     seconds stream records are kept (default 86400, as DynamoDB)
  --stream-shard-records N a stream shard closes, and a child opens, at N records
                           (default 100000)...
  --stream-shard-seconds S ...or when it is S seconds old (default 14400)
  --max-connections N      client connections open at once; beyond it a new one gets a 503
                           and is closed (default 0: derived from the descriptor limit, leaving
                           a share for storage)
  --header-timeout S       a request line and headers must arrive within S seconds (default 10)
  --idle-timeout S         a kept-alive connection with no request is closed after S seconds
                           (default 60)
  --body-timeout S         a request body may stall S seconds at most (default 10)...
  --body-min-rate B        ...and must average B bytes/s after that (default 65536; 0: no rate)
  --memory-budget MIB      request and response bodies held at once; a request that does not
                           fit waits 1 s, then gets ThrottlingException (default 0: 256 MiB,
                           or a quarter of memory if less)
  --item-cache MIB         recently read items kept in front of the embedded engine's reads
                           (default 32; 0: none)
  --trigger TABLE=TARGET   deliver TABLE's stream records, as Lambda does, to TARGET:
                           http://host:port/path (POST; 2xx is success) or cmd:COMMAND
                           (event on stdin; exit 0 is success); repeatable
  --triggers-file FILE     triggers with options (JSON; see README, "Stream triggers")
  --trigger-destination-dir DIR
                           triggers made through the Lambda API may write on-failure
                           files in DIR (default: none may)
  --capacity=MODE          report (default): consumed capacity is reported, nothing is
                           throttled; enforce: tables and GSIs are throttled at their
                           provisioned or on-demand throughput, with burst, per-partition
                           limits and DynamoDB's errors
  --metrics-public         serve GET /metrics (Prometheus text) without credentials
                           (under --auth=sigv4 it otherwise needs the root's signature)
  --no-metrics             record no per-table metrics (to measure what they cost; /metrics
                           then shows only process and storage figures)
  --record-patterns=on|off on (default): every request is classified into an access
                           pattern for GET /basalt/report and `basalt report` (bounded
                           memory, saved across restarts); off records nothing
  --no-console             do not serve the web console at /console
  --console-assets DIR     the console's files (web/ and node_modules/); default: console/
                           of the source tree the binary was built in, else
                           ../share/basalt/console next to the binary
  --auth=MODE              none (default): nothing is verified and each access key id is an
                           account of its own; sigv4: every request must be signed by a known
                           key (root from BASALT_ROOT_ACCESS_KEY_ID/BASALT_ROOT_SECRET_ACCESS_KEY)
                           and is authorized by IAM policies
  --auth-key-file FILE     the server key (64 hex digits) sealing stored secrets; else
                           BASALT_AUTH_KEY, else derived from the root secret
  --legacy-access-key ID   with --auth=none: this access key id owns the tables made before
                           accounts existed (account 000000000000)
  --audit-log FILE         append a JSON line for every control-plane call and every denied
                           request (principal, action, resource, source, outcome)...
  --audit-log-max-mib N    ...rotated at N MiB to FILE.1 ... FILE.5 (default 64)
  --encryption-key-file F  encrypt everything on disk with AES-256 (CTR) under this key (64 hex
                           digits; else BASALT_ENCRYPTION_KEY); a wrong or missing key for an
                           encrypted data directory is an error at start
  --tls-cert FILE          the certificate chain (PEM): with --tls-key, the port speaks TLS
                           (1.2 or later) and plain HTTP there gets a 400; SIGHUP re-reads both
  --tls-key FILE           the certificate's private key (PEM)
  --tls-client-ca FILE     require client certificates signed by this CA (PEM)
  --shared-db              as -sharedDb
  --help                   show this help
  --version                print the version

DynamoDB Local's flags, accepted for drop-in use:
  -port N                  as --port
  -inMemory                as --in-memory
  -dbPath DIR              as --data-dir
  -sharedDb                one set of tables for every region and credential
  -delayTransientStatuses  CREATING, UPDATING and DELETING last a moment, as in DynamoDB
  -cors ORIGINS            allow browsers from these origins ("*" or a comma-separated list)
  -help                    as --help
)";
}

Result<Config> ParseFlags(const std::vector<std::string>& args) {
  Config c;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline = false;
    if (flag.starts_with("--")) {
      if (auto eq = flag.find('='); eq != std::string::npos) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        has_inline = true;
      }
    }
    auto next = [&]() -> Result<std::string> {
      if (has_inline) return value;
      if (i + 1 >= args.size()) return Bad("flag " + flag + " needs a value");
      return args[++i];
    };
    auto no_value = [&]() -> Status {
      return has_inline ? Bad("flag " + flag + " takes no value") : Status::Ok();
    };
    const IntFlag* int_flag = nullptr;
    for (const IntFlag& f : kIntFlags) {
      if (flag == f.name) int_flag = &f;
    }
    if (int_flag) {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      BASALT_ASSIGN_OR_RETURN(c.*(int_flag->field), ParseInt(flag, v, int_flag->min, int_flag->max));
    } else if (flag == "--host") {
      BASALT_ASSIGN_OR_RETURN(c.host, next());
    } else if (flag == "--port" || flag == "-port") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      BASALT_ASSIGN_OR_RETURN(c.port, ParsePort(flag, v));
    } else if (flag == "--data-dir" || flag == "-dbPath") {
      BASALT_ASSIGN_OR_RETURN(c.data_dir, next());
    } else if (flag == "--export-root") {
      BASALT_ASSIGN_OR_RETURN(c.export_root, next());
    } else if (flag == "--in-memory" || flag == "-inMemory") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.in_memory = true;
    } else if (flag == "--engine") {
      BASALT_ASSIGN_OR_RETURN(c.engine, next());
      if (c.engine != "rocksdb" && c.engine != "rados") {
        return Bad("invalid value for --engine: '" + c.engine + "' (expected rocksdb or rados)");
      }
    } else if (flag == "--rados-conf") {
      BASALT_ASSIGN_OR_RETURN(c.rados_conf, next());
    } else if (flag == "--rados-pool") {
      BASALT_ASSIGN_OR_RETURN(c.rados_pool, next());
    } else if (flag == "--rados-id") {
      BASALT_ASSIGN_OR_RETURN(c.rados_id, next());
    } else if (flag == "--rados-namespace") {
      BASALT_ASSIGN_OR_RETURN(c.rados_namespace, next());
    } else if (flag == "--durability") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      if (v == "sync") {
        c.durability = storage::Durability::kSync;
      } else if (v == "relaxed") {
        c.durability = storage::Durability::kRelaxed;
      } else {
        return Bad("invalid value for --durability: '" + v + "' (expected sync or relaxed)");
      }
    } else if (flag == "--log-level") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      if (!ParseLogLevel(v, &c.log_level)) {
        return Bad("invalid value for --log-level: '" + v + "' (expected debug, info, warn, error or off)");
      }
    } else if (flag == "--trigger") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      if (v.find('=') == std::string::npos) {
        return Bad("invalid value for --trigger: '" + v + "' (expected TABLE=http://... or TABLE=cmd:COMMAND)");
      }
      c.triggers.push_back(v);
    } else if (flag == "--triggers-file") {
      BASALT_ASSIGN_OR_RETURN(c.triggers_file, next());
    } else if (flag == "--trigger-destination-dir") {
      BASALT_ASSIGN_OR_RETURN(c.trigger_destination_dir, next());
    } else if (flag == "--capacity") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      if (v != "report" && v != "enforce") {
        return Bad("invalid value for --capacity: '" + v + "' (expected report or enforce)");
      }
      c.enforce_capacity = v == "enforce";
    } else if (flag == "--no-metrics") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.metrics = false;
    } else if (flag == "--record-patterns") {
      BASALT_ASSIGN_OR_RETURN(std::string v, next());
      if (v != "on" && v != "off") {
        return Bad("invalid value for --record-patterns: '" + v + "' (expected on or off)");
      }
      c.record_patterns = v == "on";
    } else if (flag == "--no-console") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.console = false;
    } else if (flag == "--console-assets") {
      BASALT_ASSIGN_OR_RETURN(c.console_assets, next());
    } else if (flag == "--metrics-public") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.metrics_public = true;
    } else if (flag == "-sharedDb" || flag == "--shared-db") {
      c.shared_db = true;
    } else if (flag == "--auth") {
      BASALT_ASSIGN_OR_RETURN(c.auth, next());
      if (c.auth != "none" && c.auth != "sigv4") {
        return Bad("invalid value for --auth: '" + c.auth + "' (expected none or sigv4)");
      }
    } else if (flag == "--legacy-access-key") {
      BASALT_ASSIGN_OR_RETURN(c.legacy_access_key, next());
    } else if (flag == "--encryption-key-file") {
      BASALT_ASSIGN_OR_RETURN(c.encryption_key_file, next());
    } else if (flag == "--tls-cert") {
      BASALT_ASSIGN_OR_RETURN(c.tls_cert, next());
    } else if (flag == "--tls-key") {
      BASALT_ASSIGN_OR_RETURN(c.tls_key, next());
    } else if (flag == "--tls-client-ca") {
      BASALT_ASSIGN_OR_RETURN(c.tls_client_ca, next());
    } else if (flag == "--audit-log") {
      BASALT_ASSIGN_OR_RETURN(c.audit_log, next());
    } else if (flag == "--auth-key-file") {
      BASALT_ASSIGN_OR_RETURN(c.auth_key_file, next());
    } else if (flag == "-delayTransientStatuses") {
      c.delay_transient_statuses = true;
    } else if (flag == "-cors") {
      BASALT_ASSIGN_OR_RETURN(c.cors, next());
    } else if (flag == "--help" || flag == "-help" || flag == "-h") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.help = true;
    } else if (flag == "--version") {
      BASALT_RETURN_IF_ERROR(no_value());
      c.version = true;
    } else {
      return Bad("unknown flag: " + flag + " (see --help)");
    }
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) return Bad("--tls-cert and --tls-key go together");
  if (c.engine == "rados" && c.rados_pool.empty()) return Bad("--engine=rados needs --rados-pool");
  if (c.engine == "rados" && c.in_memory) return Bad("--in-memory and --engine=rados do not go together");
  if (c.engine != "rados" && (!c.rados_pool.empty() || !c.rados_conf.empty() || !c.rados_namespace.empty())) {
    return Bad("--rados-conf, --rados-pool and --rados-namespace need --engine=rados");
  }
  if (!c.tls_client_ca.empty() && c.tls_cert.empty()) return Bad("--tls-client-ca needs --tls-cert and --tls-key");
  return c;
}

}  // namespace basalt::server
