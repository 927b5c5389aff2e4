#!/usr/bin/env bash
# Soak test: runs a Basalt of its own for DURATION (seconds, or with a suffix: 90s, 10m, 1h) under every
# operation, table churn, streams, TTL and hostile clients, printing its RSS, descriptors, threads, disk
# use and latency percentiles every minute (scripts/soak.py says more). At low priority (nice), so that
# it can run while other work goes on. Exits non-zero if the server died or an unexpected error happened.
#   scripts/soak.sh 10m
#   BASALT_BIN=/path/to/basalt SOAK_DIR=/tmp/soak SOAK_SERVER_FLAGS="--durability=relaxed" scripts/soak.sh 1h
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ]; then
  echo "usage: scripts/soak.sh DURATION   (seconds, or 90s, 10m, 1h)" >&2
  exit 2
fi
d="$1"
case "$d" in
  *h) seconds=$(( ${d%h} * 3600 )) ;;
  *m) seconds=$(( ${d%m} * 60 )) ;;
  *s) seconds=${d%s} ;;
  *) seconds=$d ;;
esac
export BASALT_BIN="${BASALT_BIN:-$PWD/build/src/basalt}"
exec nice -n 10 /usr/bin/python3 scripts/soak.py "$seconds"
