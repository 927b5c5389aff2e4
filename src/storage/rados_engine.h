// The rados engine: Basalt's tables in a Ceph RADOS pool (librados), with
// the layout of rados_layout.h. docs/architecture.md, "The rados engine",
// says what it guarantees and what it does not yet.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/engine.h"

namespace basalt::storage {

struct RadosOptions {
  std::string conf;          // ceph.conf of the cluster (empty: librados' default search)
  std::string pool;          // the pool, which must exist
  std::string id = "admin";  // the client id (client.ID), whose keyring the conf names
  // Prefix of every RADOS namespace the engine uses: several Basalt
  // instances (or tests) can share a pool, each in its own namespaces.
  std::string name_space;
  // For tests: a commit of several partitions stops after writing this many
  // of them (>= 0), leaving its intent as a crashed front-end would, and
  // fails. The next OpenRados on the namespace finishes it.
  int test_stop_after_partitions = -1;
};

// Whether this build has the rados engine (librados was found at build time).
bool RadosAvailable();

// Connects to the cluster and opens the engine; finishes the multi-partition
// commits a crashed front-end left (their intents) before it returns.
Result<std::unique_ptr<Engine>> OpenRados(const RadosOptions& options);

}  // namespace basalt::storage
