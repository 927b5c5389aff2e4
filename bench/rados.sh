#!/usr/bin/env bash
# Basalt on Ceph RADOS beside Basalt on RocksDB (issue 20): starts a
# throw-away one-node cluster (scripts/rados-dev-cluster.sh), a Basalt on
# RocksDB, and two Basalt front-ends on one RADOS pool and namespace; runs
# bench/rados_compare.py over RocksDB, one RADOS front-end and both; stops
# everything by PID. Arguments go to rados_compare.py (--ops, --seconds,
# --threads). With BASELINE_BIN set, a front-end of that binary (its own
# namespace) runs beside them as "rados-baseline", for before/after runs
# (copy build/src/libbasalt_rados.so beside it, or set BASALT_RADOS_MODULE).
# Writes the table to bench/results/rados-<date>.md.
#
#   bench/rados.sh --seconds 5 --threads 8
#   BASELINE_BIN=/tmp/basalt-old bench/rados.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${BASALT_BIN:-$PWD/build/src/basalt}
work=$(mktemp -d /tmp/basalt-rados-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  bash scripts/rados-dev-cluster.sh stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
conf=$(bash scripts/rados-dev-cluster.sh start "$work/cluster" | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() {  # start PORT ARGS...: a Basalt on 127.0.0.1:PORT, waited for (BIN= picks the binary)
  local port=$1
  shift
  "${BIN:-$binary}" --host 127.0.0.1 --port "$port" --auth=none --log-level warn "$@" >"$work/basalt-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && return; sleep 0.1; done
  echo "bench/rados.sh: Basalt on port $port did not start" >&2
  cat "$work/basalt-$port.log" >&2
  exit 1
}
p0=$(free_port) p1=$(free_port) p2=$(free_port)
start "$p0" --data-dir "$work/rocksdb"
rados=(--engine=rados --rados-conf "$conf" --rados-pool basalt --rados-namespace "bench-$$-")
start "$p1" "${rados[@]}"
start "$p2" "${rados[@]}"
servers=(rocksdb="http://127.0.0.1:$p0" rados="http://127.0.0.1:$p1" rados-2fe="http://127.0.0.1:$p1,http://127.0.0.1:$p2")
if [[ -n ${BASELINE_BIN:-} ]]; then
  p3=$(free_port)
  BIN=$BASELINE_BIN start "$p3" --engine=rados --rados-conf "$conf" --rados-pool basalt --rados-namespace "base-$$-"
  servers+=(rados-baseline="http://127.0.0.1:$p3")
fi
mkdir -p bench/results
out=bench/results/rados-$(date -u +%Y%m%d-%H%M).md
python3 bench/rados_compare.py "${servers[@]}" "$@" | tee "$out"
echo "written to $out"
