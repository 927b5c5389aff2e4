#!/usr/bin/env bash
# Builds Basalt and runs every test: the GoogleTest unit tests, then the
# end-to-end suite (pytest + boto3) against a Basalt it starts itself, then
# a subset of that suite through two Basalts on a throw-away Ceph cluster.
# Set BASALT_ENDPOINT to run the end-to-end suite against another server
# (with BASALT_TARGET=dynamodb-local for DynamoDB Local).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "$(nproc)")
export BASALT_BIN="$PWD/build/src/basalt"
(cd tests/e2e && /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@")
# With no arguments, also a subset of the suite against two Basalts on one
# throw-away Ceph cluster, each request sent to the next (the rados engine).
if (($# == 0)) && [[ -z ${BASALT_ENDPOINT:-} ]]; then
  FRONTENDS=2 bash scripts/rados-e2e.sh --ci
fi
