// The rados engine in a build without librados: it says so.
#include "storage/rados_engine.h"

namespace basalt::storage {

bool RadosAvailable() { return false; }

Result<std::unique_ptr<Engine>> OpenRados(const RadosOptions&) {
  return Status::Validation("this basalt was built without librados (BASALT_WITH_RADOS=OFF): --engine=rados is unavailable");
}

}  // namespace basalt::storage
