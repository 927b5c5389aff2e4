// basalt: wires flags, storage, the database, the DynamoDB protocol and the
// HTTP server together, then waits for SIGINT or SIGTERM.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "api/policy_json.h"
#include "api/router.h"
#include "auth/crypto.h"
#include "auth/principals.h"
#include "auth/resource_policies.h"
#include "auth/sigv4.h"
#include "basalt_version.h"
#include "common/clock.h"
#include "common/log.h"
#include "db/account.h"
#include "db/database.h"
#include "http/server.h"
#include "http/tls.h"
#include "server/admin.h"
#include "server/audit_log.h"
#include "server/console.h"
#include "server/cors.h"
#include "server/flags.h"
#include "server/handler.h"
#include "server/metrics_text.h"
#include "server/offline.h"
#include "server/report.h"
#include "server/resources.h"
#include "server/responses.h"
#include "storage/engine.h"
#include "storage/rados_engine.h"
#include "triggers/mapping_api.h"
#include "triggers/triggers.h"

namespace basalt::server {
namespace {

constexpr const char* kVersion = BASALT_VERSION;

// Request threads also run storage writes. With fsync on every write, many
// writers must be in flight to share fsyncs (group commit); otherwise extra
// threads only add context switches, so one per core is best.
int DefaultThreads(const Config& config) {
  if (!config.in_memory && config.durability == storage::Durability::kSync) return 32;
  return std::max(2u, std::thread::hardware_concurrency());
}

// The triggers of --trigger and --triggers-file.
Result<std::vector<triggers::TriggerConfig>> DeclaredTriggers(const Config& config) {
  std::vector<triggers::TriggerConfig> out;
  for (const std::string& flag : config.triggers) {
    BASALT_ASSIGN_OR_RETURN(triggers::TriggerConfig c, triggers::ParseTriggerFlag(flag));
    out.push_back(std::move(c));
  }
  if (!config.triggers_file.empty()) {
    std::ifstream in(config.triggers_file);
    if (!in) return Status::Validation("cannot read --triggers-file " + config.triggers_file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = triggers::ParseTriggersFile(text.str());
    if (!parsed.ok()) return Status::Validation(config.triggers_file + ": " + parsed.status().message());
    for (auto& c : *parsed) out.push_back(std::move(c));
  }
  return out;
}

// A query parameter's value: unreserved characters as they are, others %XX.
std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// 32 bytes from 64 hex digits.
Result<std::string> KeyFromHex(const std::string& hex, const std::string& what) {
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return Status::Validation(what + " must be 64 hex digits");
  }
  std::string key;
  for (size_t i = 0; i < 64; i += 2) key.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return key;
}

// The key that encrypts data at rest: --encryption-key-file, else
// BASALT_ENCRYPTION_KEY, else none.
Result<std::string> EncryptionKey(const Config& config) {
  std::string hex;
  if (!config.encryption_key_file.empty()) {
    std::ifstream in(config.encryption_key_file);
    if (!in) return Status::Validation("cannot read --encryption-key-file " + config.encryption_key_file);
    in >> hex;
  } else if (const char* env = std::getenv("BASALT_ENCRYPTION_KEY")) {
    hex = env;
  } else {
    return std::string();
  }
  return KeyFromHex(hex, "the encryption key");
}

// The server key that seals stored secrets: --auth-key-file, else
// BASALT_AUTH_KEY (64 hex digits either way), else derived from the root
// secret (so rotating that secret needs the old key given explicitly).
Result<std::string> ServerKey(const Config& config, const std::string& root_secret) {
  std::string hex;
  if (!config.auth_key_file.empty()) {
    std::ifstream in(config.auth_key_file);
    if (!in) return Status::Validation("cannot read --auth-key-file " + config.auth_key_file);
    in >> hex;
  } else if (const char* env = std::getenv("BASALT_AUTH_KEY")) {
    hex = env;
  } else {
    return auth::Sha256("basalt server key\n" + root_secret);
  }
  return KeyFromHex(hex, "the server key");
}

int Run(int argc, char** argv) {
  if (std::vector<std::string> args(argv + 1, argv + argc); IsOfflineCommand(args)) return RunOffline(args);
  if (std::vector<std::string> args(argv + 1, argv + argc); IsReportCommand(args)) return RunReportCommand(args);
  auto parsed = ParseFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) {
    std::cerr << "basalt: " << parsed.status().message() << "\n";
    return 2;
  }
  Config config = *parsed;
  if (config.help) {
    std::cout << HelpText();
    return 0;
  }
  if (config.version) {
    std::cout << "basalt " << kVersion << " (commit " << BASALT_COMMIT << ")\n";
    return 0;
  }
  SetLogLevel(config.log_level);
  const int threads = config.threads > 0 ? config.threads : DefaultThreads(config);
  const uint64_t fd_limit = RaiseFileLimit();
  const DescriptorSplit fds = SplitDescriptors(fd_limit, threads);

  // Signals are taken by sigwait below; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  storage::RocksDbOptions storage_options;
  storage_options.path = config.data_dir;
  storage_options.in_memory = config.in_memory;
  storage_options.durability = config.durability;
  storage_options.max_open_files = fds.storage_open_files;
  storage_options.item_cache_bytes = static_cast<size_t>(config.item_cache_mib) << 20;
  auto encryption_key = EncryptionKey(config);
  if (!encryption_key.ok()) {
    std::cerr << "basalt: " << encryption_key.status().message() << "\n";
    return 2;
  }
  storage_options.encryption_key = *encryption_key;
  if (config.engine == "rados" && !encryption_key->empty()) {
    std::cerr << "basalt: encryption at rest is RocksDB's; with --engine=rados use the cluster's (OSD encryption)\n";
    return 2;
  }
  storage::RadosOptions rados{config.rados_conf, config.rados_pool, config.rados_id, config.rados_namespace};
  rados.txn_timeout_s = config.rados_txn_timeout_seconds;
  auto engine = config.engine == "rados"
                    ? storage::OpenRados(rados)
                    : storage::OpenRocksDb(storage_options);
  if (!engine.ok()) {
    std::cerr << "basalt: " << engine.status().message() << "\n";
    return 1;
  }
  RealClock clock;
  db::Options db_options;
  db_options.transient_status_seconds = config.delay_transient_statuses ? 0.5 : 0;
  db_options.ttl_sweep_seconds = config.ttl_sweep_seconds;
  db_options.export_root = config.export_root;
  db_options.pitr_trim_seconds = 60;  // point-in-time recovery logs are trimmed past their window
  db_options.streams.retention_seconds = config.stream_retention_seconds;
  db_options.streams.shard_max_records = static_cast<uint64_t>(config.stream_shard_records);
  db_options.streams.shard_seconds = config.stream_shard_seconds;
  db_options.enforce_capacity = config.enforce_capacity;
  db_options.metrics = config.metrics;
  db_options.record_patterns = config.record_patterns;
  db::Database database(engine->get(), &clock, db_options);
  if (Status st = database.Open(); !st.ok()) {
    std::cerr << "basalt: cannot load tables: " << st.message() << "\n";
    return 1;
  }
  std::unique_ptr<auth::PrincipalStore> principals;
  std::unique_ptr<auth::SigV4Verifier> verifier;
  if (config.auth == "sigv4") {
    const char* root_id = std::getenv("BASALT_ROOT_ACCESS_KEY_ID");
    const char* root_secret = std::getenv("BASALT_ROOT_SECRET_ACCESS_KEY");
    if (!root_id || !root_secret || !*root_id || !*root_secret) {
      std::cerr << "basalt: --auth=sigv4 needs BASALT_ROOT_ACCESS_KEY_ID and BASALT_ROOT_SECRET_ACCESS_KEY\n";
      return 2;
    }
    auto key = ServerKey(config, root_secret);
    if (!key.ok()) {
      std::cerr << "basalt: " << key.status().message() << "\n";
      return 2;
    }
    principals = std::make_unique<auth::PrincipalStore>(&(*engine)->meta(), auth::SecretBox(*key), api::ParsePolicy,
                                                        &clock);
    if (Status st = principals->Load(); !st.ok()) {
      std::cerr << "basalt: cannot load principals: " << st.message() << "\n";
      return 1;
    }
    principals->SetRoot(root_id, root_secret);
    verifier = std::make_unique<auth::SigV4Verifier>(
        [store = principals.get()](std::string_view akid) { return store->Lookup(akid); }, &clock);
  }
  std::unique_ptr<AuditLog> audit;
  if (!config.audit_log.empty()) {
    audit = std::make_unique<AuditLog>(config.audit_log, static_cast<size_t>(config.audit_log_max_mib) << 20, 5, &clock);
    if (Status st = audit->Open(); !st.ok()) {
      std::cerr << "basalt: " << st.message() << "\n";
      return 2;
    }
  }
  auth::ResourcePolicies resource_policies(&(*engine)->meta(), api::ParsePolicy, &clock);
  if (Status st = resource_policies.Load(); !st.ok()) {
    std::cerr << "basalt: cannot load resource policies: " << st.message() << "\n";
    return 1;
  }
  // A table's policies go with it since DeleteTable drops them; those of
  // tables deleted before (by an older Basalt) go now, or a table created
  // again under the name would inherit them.
  Status orphans = resource_policies.ForgetOrphans([&](const std::string& arn) {
    // arn:aws:dynamodb:REGION:ACCOUNT:table/NAME[/stream/LABEL]
    std::vector<std::string_view> parts;
    std::string_view rest = arn;
    for (int i = 0; i < 5 && rest.find(':') != std::string_view::npos; ++i) {
      parts.push_back(rest.substr(0, rest.find(':')));
      rest.remove_prefix(rest.find(':') + 1);
    }
    if (parts.size() != 5 || !rest.starts_with("table/")) return false;
    std::string_view name = rest.substr(6, rest.find('/', 6) - 6);
    db::Scope scope{db::NamespaceFor(parts[4], parts[3], config.shared_db), std::string(parts[3])};
    if (database.DescribeTable(scope, std::string(name)).ok()) return false;
    Log(LogLevel::kWarn, "dropping the resource policy of " + arn + ": its table no longer exists");
    return true;
  });
  if (!orphans.ok()) {
    std::cerr << "basalt: cannot clean resource policies: " << orphans.message() << "\n";
    return 1;
  }
  api::RouterOptions router_options;
  router_options.audit = audit.get();
  router_options.resource_policies = &resource_policies;
  router_options.shared_db = config.shared_db;
  router_options.legacy_access_key = config.legacy_access_key;
  router_options.principals = principals.get();
  router_options.clock = &clock;
  api::Router router(&database, std::move(router_options));
  auto declared = DeclaredTriggers(config);
  if (!declared.ok()) {
    std::cerr << "basalt: " << declared.status().message() << "\n";
    return 2;
  }
  triggers::Triggers stream_triggers(&database.streams(), &engine->get()->meta(), &clock);
  stream_triggers.set_api_destination_dir(config.trigger_destination_dir);
  if (Status st = stream_triggers.Start(*declared); !st.ok()) {
    std::cerr << "basalt: cannot start stream triggers: " << st.message() << "\n";
    return 1;
  }
  std::vector<PathRoute> routes;
  routes.push_back(PathRoute{std::string(triggers::kMappingPath), [&stream_triggers](const http::Request& req) {
                               triggers::MappingResponse r =
                                   triggers::HandleMappingRequest(&stream_triggers, req.method, req.target, req.body);
                               http::Response resp;
                               resp.status = r.status;
                               resp.headers = std::move(r.headers);
                               resp.headers.emplace_back("Content-Type", "application/json");
                               resp.body = std::move(r.body);
                               return resp;
                             }});

  http::ServerOptions http_options;
  http_options.host = config.host;
  http_options.port = config.port;
  http_options.threads = threads;
  http_options.max_connections = config.max_connections > 0 ? config.max_connections : fds.max_connections;
  http_options.header_timeout_seconds = config.header_timeout_seconds;
  http_options.idle_timeout_seconds = config.idle_timeout_seconds;
  http_options.body_timeout_seconds = config.body_timeout_seconds;
  http_options.body_min_bytes_per_second = static_cast<size_t>(config.body_min_rate);
  http_options.memory_budget_bytes = config.memory_budget_mib > 0 ? static_cast<size_t>(config.memory_budget_mib) << 20
                                                                    : DefaultMemoryBudget(PhysicalMemory());
  // A request body is held once as received and parsed into a RapidJSON
  // document whose pool allocators keep every growth step of the parse stack:
  // a 16 MiB body took ~80 MB while it was handled (80 bodies of 16 MiB
  // reached 231 MB with a 64 MiB budget counting bodies once). So a request
  // takes five times its body from the budget.
  http_options.body_cost_factor = 5;
  // DynamoDB's responses say "Server: Server" (their headers as botocore
  // logs and prints them, ResponseMetadata.HTTPHeaders 'server': 'Server',
  // in many public reports; the shared reference does not record it).
  // DynamoDB Local sends Jetty's name instead.
  http_options.server_header = "Server";
  if (!config.tls_cert.empty()) {
    auto tls = http::Tls::Create(config.tls_cert, config.tls_key, config.tls_client_ca);
    if (!tls.ok()) {
      std::cerr << "basalt: " << tls.status().message() << "\n";
      return 2;
    }
    http_options.tls = *tls;
  }
  MemoryReleaser releaser;
  CorsPolicy cors(config.cors);
  // Basalt's own endpoints: open with --auth=none; with --auth=sigv4 for the
  // root principal only, except GET /metrics with --metrics-public.
  const double start_time = clock.Now();
  HandlerOptions handler_options;
  handler_options.verifier = verifier.get();
  handler_options.audit = audit.get();
  handler_options.routes = std::move(routes);
  if (config.metrics_public) handler_options.public_paths.push_back("/metrics");
  std::vector<Endpoint>& endpoints = handler_options.endpoints;
  const NamespaceRule namespaces{config.shared_db, config.legacy_access_key};
  auto monitoring = [&database, start_time, namespaces](const http::Request& req) -> std::optional<http::Response> {
    if (req.method != "GET") return std::nullopt;
    return ServeMonitoring(database, start_time, namespaces, req);
  };
  endpoints.push_back({"/metrics", monitoring});
  endpoints.push_back({"/contributor-insights", monitoring});
  endpoints.push_back({"/basalt/report", [&database, namespaces](const http::Request& req) {
                         return HandleReport(&database, namespaces, req);
                       }});
  endpoints.push_back({"/basalt/", [&database, namespaces](const http::Request& req) {
                         return HandleAdmin(&database, namespaces, req);
                       }});
  if (config.console) {
    // Last, so that it sees every other endpoint: the report page asks the
    // one that serves GET /basalt/report, as a request of the same namespace
    // (its signature was checked already, for /console/report).
    ConsoleOptions console;
    console.dir = config.console_assets.empty() ? DefaultConsoleDir("") : config.console_assets;
    if (console.dir.empty()) {
      Log(LogLevel::kWarn, "the console's files were not found: /console answers 404 (give --console-assets DIR)");
    }
    console.report = [others = endpoints](const http::Request& req,
                                          std::string_view format) -> std::optional<std::string> {
      http::Request inner = req;
      inner.method = "GET";
      inner.target = "/basalt/report?format=" + std::string(format);
      for (const char* param : {"account", "access_key", "region"}) {
        std::string value = QueryParam(req.target, param);
        if (!value.empty()) inner.target += "&" + std::string(param) + "=" + PercentEncode(value);
      }
      for (const Endpoint& e : others) {
        if (!std::string_view(inner.target).starts_with(e.prefix)) continue;
        std::optional<http::Response> answer = e.handler(inner);
        if (answer) return answer->status == 200 ? std::optional<std::string>(answer->body) : std::nullopt;
      }
      return std::nullopt;
    };
    endpoints.push_back({std::string(kConsolePath),
                         [console = std::move(console)](const http::Request& req) { return ServeConsole(console, req); },
                         ConsolePathIsOpen});
  }
  http::Server server(http_options, MakeHandler(&router, &cors, kVersion, std::move(handler_options)),
                      RenderHttpError);
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "basalt: " << st.message() << "\n";
    return 1;
  }
  Log(LogLevel::kInfo, "basalt " + std::string(kVersion) + " listening on " + config.host + ":" +
                           std::to_string(server.port()) +
                           (config.engine == "rados" ? " (data in RADOS pool " + config.rados_pool + ")"
                            : config.in_memory     ? " (in memory)"
                                                   : " (data in " + config.data_dir + ")") +
                           (verifier ? ", requests verified (SigV4)" : "") + (http_options.tls ? ", TLS" : "") +
                           (storage_options.encryption_key.empty() || config.in_memory ? "" : ", encrypted at rest"));
  Log(LogLevel::kInfo, "limits: " + std::to_string(http_options.max_connections) + " connections (descriptor limit " +
                           std::to_string(fd_limit) + ", " + std::to_string(fds.storage_open_files) +
                           " for storage), memory budget " + std::to_string(http_options.memory_budget_bytes >> 20) +
                           " MiB, timeouts: header " + std::to_string(config.header_timeout_seconds) + " s, idle " +
                           std::to_string(config.idle_timeout_seconds) + " s, body " +
                           std::to_string(config.body_timeout_seconds) + " s and " +
                           std::to_string(config.body_min_rate) + " B/s");

  // The recorded access patterns are saved every minute and at shutdown.
  std::mutex saver_mu;
  std::condition_variable saver_cv;
  bool stopping = false;
  std::thread saver;
  if (config.record_patterns) {
    saver = std::thread([&] {
      std::unique_lock lock(saver_mu);
      while (!saver_cv.wait_for(lock, std::chrono::seconds(60), [&] { return stopping; })) {
        lock.unlock();
        if (Status st = database.patterns().Save(); !st.ok()) {
          Log(LogLevel::kWarn, "cannot save access patterns: " + st.message());
        }
        lock.lock();
      }
    });
  }

  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    if (!http_options.tls) continue;
    Status st = http_options.tls->Reload();  // the server shares this Tls
    Log(st.ok() ? LogLevel::kInfo : LogLevel::kError,
        st.ok() ? std::string("reloaded the TLS certificate") : "kept the TLS certificate: " + st.message());
  }
  Log(LogLevel::kInfo, std::string("shutting down on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  server.Stop();
  stream_triggers.Stop();
  if (saver.joinable()) {
    {
      std::lock_guard lock(saver_mu);
      stopping = true;
    }
    saver_cv.notify_all();
    saver.join();
    if (Status st = database.patterns().Save(); !st.ok()) {
      Log(LogLevel::kWarn, "cannot save access patterns: " + st.message());
    }
  }
  return 0;  // the database and engine close as they go out of scope
}

}  // namespace
}  // namespace basalt::server

int main(int argc, char** argv) { return basalt::server::Run(argc, argv); }
