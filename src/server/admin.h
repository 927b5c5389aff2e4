// Basalt's admin endpoint for instant snapshots (beyond DynamoDB; see
// db/instance_snapshots.h and the README):
//
//   POST   /basalt/snapshots/NAME           saves every table of the namespace under NAME
//   POST   /basalt/snapshots/NAME/restore   makes the namespace's tables those saved under NAME
//   DELETE /basalt/snapshots/NAME           forgets the snapshot
//   GET    /basalt/snapshots                lists the snapshots
//   POST   /basalt/backup?to=DIR            a consistent copy of the whole running instance into DIR
//                                           (a new directory on the server's machine; see server/offline.h)
//
// The namespace is the account and region the request names
// (server/request_namespace.h: ?region=, ?account= or ?access_key=, else the
// request's own credentials), or the one shared namespace under -sharedDb.
// Answers are JSON.
#pragma once

#include <optional>

#include "db/database.h"
#include "http/server.h"
#include "server/request_namespace.h"

namespace basalt::server {

// The answer to an admin request, or nullopt when `req` is not one.
std::optional<http::Response> HandleAdmin(db::Database* db, const NamespaceRule& rule, const http::Request& req);

}  // namespace basalt::server
