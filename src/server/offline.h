// Offline operations for self-hosters, as subcommands of the basalt binary:
//
//   basalt backup --data-dir D --to DIR     a consistent copy of the stopped instance at D into DIR
//                                           (a RocksDB checkpoint); for a running instance, ask it:
//                                           POST /basalt/backup?to=DIR
//   basalt restore --from DIR --data-dir D  D (which must not exist or be empty) becomes the copy in
//                                           DIR, checked by opening it
//
// Both check the data format version stamp (db/format_version.h).
#pragma once

#include <string>
#include <vector>

namespace basalt::server {

// Whether argv[1] names an offline subcommand.
bool IsOfflineCommand(const std::vector<std::string>& args);
// Runs it; returns the process exit code (messages on stdout and stderr).
int RunOffline(const std::vector<std::string>& args);

}  // namespace basalt::server
