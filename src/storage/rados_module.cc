// The rados engine is a module, libbasalt_rados.so, loaded with dlopen only
// by --engine=rados: a Basalt on RocksDB neither maps librados and
// libceph-common nor runs their static initialisers, which cost it ~10 MB of
// idle RSS and ~8 ms of cold start (31.4 MB and 25.4 ms linked in, 21.4 MB
// and 17.8 ms without; bench/README.md, issue 19). The module holds the few
// pieces of Basalt it calls besides its own (common/log, storage/key_format),
// so it needs nothing exported by the executable; the log level is handed
// to its copy of common/log.
//
// Where the module is looked for, first found:
//   $BASALT_RADOS_MODULE
//   DIR/libbasalt_rados.so            DIR: the executable's directory (a build tree)
//   DIR/../lib/basalt/libbasalt_rados.so   (an installed Basalt: /usr/bin, /usr/lib/basalt)
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"
#include "storage/rados_engine.h"

namespace basalt::storage {
namespace {

using OpenFn = void (*)(const RadosOptions*, LogLevel, Result<std::unique_ptr<Engine>>*);

LogLevel CurrentLogLevel() {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (LogEnabled(level)) return level;
  }
  return LogLevel::kOff;
}

std::string ExecutableDir() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  std::string exe(path, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

// Loads the module once (it stays loaded: engines it made may outlive any
// one caller); its entry point, or why there is none.
Result<OpenFn> Load() {
  static std::mutex mu;
  static OpenFn open = nullptr;
  std::lock_guard l(mu);
  if (open) return open;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("BASALT_RADOS_MODULE"); env && *env) {
    candidates.push_back(env);
  } else {
    const std::string dir = ExecutableDir();
    candidates = {dir + "/libbasalt_rados.so", dir + "/../lib/basalt/libbasalt_rados.so"};
  }
  std::string error;
  for (const std::string& path : candidates) {
    if (access(path.c_str(), F_OK) != 0) continue;
    void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!module) {
      error = dlerror();
      break;
    }
    open = reinterpret_cast<OpenFn>(dlsym(module, "basalt_rados_open"));
    if (open) return open;
    error = path + " has no basalt_rados_open";
    break;
  }
  if (error.empty()) error = "not found at " + candidates.front() + (candidates.size() > 1 ? " or " + candidates[1] : "");
  return Status::Validation("--engine=rados needs the rados engine module, libbasalt_rados.so: " + error);
}

}  // namespace

bool RadosAvailable() { return true; }

Result<std::unique_ptr<Engine>> OpenRados(const RadosOptions& options) {
  if (options.pool.empty()) return Status::Validation("--engine=rados needs --rados-pool");
  BASALT_ASSIGN_OR_RETURN(OpenFn open, Load());
  Result<std::unique_ptr<Engine>> out = Status::Internal("the rados engine module did not answer");
  open(&options, CurrentLogLevel(), &out);
  return out;
}

}  // namespace basalt::storage
