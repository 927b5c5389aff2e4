#include "server/offline.h"

#include <filesystem>
#include <iostream>

#include "common/clock.h"
#include "db/database.h"
#include "storage/engine.h"

namespace basalt::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: basalt backup --data-dir DIR --to BACKUP_DIR\n"
    "       basalt restore --from BACKUP_DIR --data-dir DIR\n";

// Opens the data directory as the server would, format check included.
Status OpenAndCheck(const std::string& dir, std::unique_ptr<storage::Engine>* engine) {
  storage::RocksDbOptions options;
  options.path = dir;
  BASALT_ASSIGN_OR_RETURN(*engine, storage::OpenRocksDb(options));
  RealClock clock;
  db::Database database(engine->get(), &clock, db::Options{});
  return database.Open();
}

}  // namespace

bool IsOfflineCommand(const std::vector<std::string>& args) {
  return !args.empty() && (args[0] == "backup" || args[0] == "restore");
}

int RunOffline(const std::vector<std::string>& args) {
  std::string data_dir, to, from;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string* target = args[i] == "--data-dir" ? &data_dir : args[i] == "--to" ? &to : args[i] == "--from" ? &from
                                                                                                            : nullptr;
    if (!target || i + 1 >= args.size()) {
      std::cerr << "basalt " << args[0] << ": unexpected argument " << args[i] << "\n" << kUsage;
      return 2;
    }
    *target = args[++i];
  }
  std::error_code ec;
  if (args[0] == "backup") {
    if (data_dir.empty() || to.empty()) {
      std::cerr << kUsage;
      return 2;
    }
    if (fs::exists(to, ec)) {
      std::cerr << "basalt backup: " << to << " exists already; give a new directory\n";
      return 1;
    }
    if (!fs::is_directory(data_dir, ec)) {
      std::cerr << "basalt backup: no data directory at " << data_dir << "\n";
      return 1;
    }
    std::unique_ptr<storage::Engine> engine;
    if (Status st = OpenAndCheck(data_dir, &engine); !st.ok()) {
      std::cerr << "basalt backup: " << st.message() << "\n"
                << "(is a Basalt running on it? Then ask it: curl -X POST 'http://HOST:PORT/basalt/backup?to="
                << to << "')\n";
      return 1;
    }
    if (Status st = engine->Checkpoint(to); !st.ok()) {
      std::cerr << "basalt backup: " << st.message() << "\n";
      return 1;
    }
    std::cout << "backed up " << data_dir << " to " << to << "\n";
    return 0;
  }
  if (data_dir.empty() || from.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    std::cerr << "basalt restore: " << data_dir << " is not empty; restore into a new directory\n";
    return 1;
  }
  if (!fs::is_directory(from, ec)) {
    std::cerr << "basalt restore: no backup at " << from << "\n";
    return 1;
  }
  fs::copy(from, data_dir, fs::copy_options::recursive, ec);
  if (ec) {
    std::cerr << "basalt restore: copying " << from << " to " << data_dir << ": " << ec.message() << "\n";
    return 1;
  }
  std::unique_ptr<storage::Engine> engine;
  if (Status st = OpenAndCheck(data_dir, &engine); !st.ok()) {
    std::cerr << "basalt restore: the copy does not open: " << st.message() << "\n";
    return 1;
  }
  std::cout << "restored " << from << " into " << data_dir << "\n";
  return 0;
}

}  // namespace basalt::server
