#!/bin/bash
# Builds the server alone (no tests) from the repository this action lives in; exports BASALT_BIN.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SUDO=; [[ $(id -u) -ne 0 ]] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config librocksdb-dev libboost-dev rapidjson-dev zlib1g-dev libssl-dev \
  libgoogle-perftools-dev >/dev/null
cmake -S "$repo" -B "$repo/build-action" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBASALT_BUILD_TESTS=OFF >/dev/null
cmake --build "$repo/build-action" --target basalt
echo "BASALT_BIN=$repo/build-action/src/basalt" >> "$GITHUB_ENV"
