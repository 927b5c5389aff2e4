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
  // A transaction still pending this long after it began may be aborted by
  // any front-end that meets it (its coordinator may have died).
  double txn_timeout_s = 10;
  // How often a front-end (the one holding the lease) looks for transactions
  // left by crashed ones and finishes them; 0: only at open.
  double txn_recovery_interval_s = 5;
  // For tests: a commit of several partitions stops after this many of its
  // object writes (>= 0; rados_txn.cc numbers them), leaving what it wrote
  // as a crashed front-end would, and fails.
  int test_stop_after_writes = -1;
};

// Whether this build has the rados engine (librados was found at build time).
bool RadosAvailable();

// Connects to the cluster and opens the engine; finishes the multi-partition
// commits a crashed front-end left whose outcome is decided (or that timed
// out) before it returns.
Result<std::unique_ptr<Engine>> OpenRados(const RadosOptions& options);

}  // namespace basalt::storage
