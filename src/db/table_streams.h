// The lifecycle of a table's stream, as CreateTable, UpdateTable and
// DeleteTable drive it: a new stream (its id, label and first shard) for a
// definition being written, StreamSpecification applied to a definition,
// and the end of a stream once no table records into it. The streams
// themselves (records, shards, the shipper and the DynamoDBStreams API)
// are db/streams.h.
#pragma once

#include <cstdint>

#include "common/clock.h"
#include "common/status.h"
#include "db/catalog.h"
#include "db/requests.h"
#include "db/streams.h"

namespace basalt::db {

class TableStreams {
 public:
  TableStreams(Catalog* catalog, Streams* streams, const Clock* clock)
      : catalog_(catalog), streams_(streams), clock_(clock) {}

  // Starts a new stream for the table `meta` defines: its latest stream.
  Status Start(TableMeta* meta, StreamViewType view);
  // Applies UpdateTable's StreamSpecification to `meta`.
  Status Apply(const StreamSpecInput& spec, TableMeta* meta);
  // Ends a stream: it stays readable, DISABLED, for the retention period.
  Status End(uint64_t id) { return streams_->Disable(id); }
  // Ends the enabled streams that no stored definition records into (a
  // table change that started one and then failed to be stored). At open.
  Status EndOrphans();

 private:
  Catalog* catalog_;
  Streams* streams_;
  const Clock* clock_;
};

}  // namespace basalt::db
