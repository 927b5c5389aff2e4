// basalt: wires flags, storage, the database, the DynamoDB protocol and the
// HTTP server together, then waits for SIGINT or SIGTERM.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/router.h"
#include "basalt_version.h"
#include "common/clock.h"
#include "common/log.h"
#include "db/database.h"
#include "http/server.h"
#include "server/admin.h"
#include "server/cors.h"
#include "server/flags.h"
#include "server/handler.h"
#include "server/metrics_text.h"
#include "server/offline.h"
#include "server/resources.h"
#include "server/responses.h"
#include "storage/engine.h"
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

int Run(int argc, char** argv) {
  if (std::vector<std::string> args(argv + 1, argv + argc); IsOfflineCommand(args)) return RunOffline(args);
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
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  storage::RocksDbOptions storage_options;
  storage_options.path = config.data_dir;
  storage_options.in_memory = config.in_memory;
  storage_options.durability = config.durability;
  storage_options.max_open_files = fds.storage_open_files;
  auto engine = storage::OpenRocksDb(storage_options);
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
  db::Database database(engine->get(), &clock, db_options);
  if (Status st = database.Open(); !st.ok()) {
    std::cerr << "basalt: cannot load tables: " << st.message() << "\n";
    return 1;
  }
  api::Router router(&database, api::RouterOptions{config.shared_db});
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
  MemoryReleaser releaser;
  CorsPolicy cors(config.cors);
  // GET /metrics needs no credentials with --metrics-public. Basalt checks
  // no credentials yet, so it is served either way; once authentication
  // comes, without the flag it is for the admin principal only.
  const double start_time = clock.Now();
  std::vector<Endpoint> endpoints;
  endpoints.push_back(
      [&database, start_time, shared = config.shared_db](const http::Request& req) -> std::optional<http::Response> {
        if (req.method != "GET") return std::nullopt;
        return ServeMonitoring(database, start_time, shared, req);
      });
  endpoints.push_back(
      [&database, shared_db = config.shared_db](const http::Request& req) -> std::optional<http::Response> {
        if (!req.target.starts_with("/basalt/")) return std::nullopt;
        return HandleAdmin(&database, shared_db, req);
      });
  http::Server server(http_options, MakeHandler(&router, &cors, kVersion, std::move(routes), std::move(endpoints)),
                      RenderHttpError);
  if (Status st = server.Start(); !st.ok()) {
    std::cerr << "basalt: " << st.message() << "\n";
    return 1;
  }
  Log(LogLevel::kInfo, "basalt " + std::string(kVersion) + " listening on " + config.host + ":" +
                           std::to_string(server.port()) +
                           (config.in_memory ? " (in memory)" : " (data in " + config.data_dir + ")"));
  Log(LogLevel::kInfo, "limits: " + std::to_string(http_options.max_connections) + " connections (descriptor limit " +
                           std::to_string(fd_limit) + ", " + std::to_string(fds.storage_open_files) +
                           " for storage), memory budget " + std::to_string(http_options.memory_budget_bytes >> 20) +
                           " MiB, timeouts: header " + std::to_string(config.header_timeout_seconds) + " s, idle " +
                           std::to_string(config.idle_timeout_seconds) + " s, body " +
                           std::to_string(config.body_timeout_seconds) + " s and " +
                           std::to_string(config.body_min_rate) + " B/s");

  int sig = 0;
  sigwait(&signals, &sig);
  Log(LogLevel::kInfo, std::string("shutting down on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  server.Stop();
  stream_triggers.Stop();
  return 0;  // the database and engine close as they go out of scope
}

}  // namespace
}  // namespace basalt::server

int main(int argc, char** argv) { return basalt::server::Run(argc, argv); }
