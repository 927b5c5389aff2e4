#!/usr/bin/env bash
# Basalt on Ceph RADOS with one and with two front-ends, each on cores of its own, beside Basalt on
# RocksDB on the same cores as one front-end (issue 20's scaling run). The machine's cores are cut in
# four: a throw-away cluster (scripts/rados-dev-cluster.sh, RADOS_OSDS memstore OSDs) on the first
# quarter, front-end 1 (and RocksDB, in its own round) on the second, front-end 2 on the third, wrk on
# the last. Two front-ends get one wrk each (half the connections each), and their req/s add up.
# Workloads (bench/lua): GetItem, PutItem, Query of 10 items, TransactWriteItems of 2 puts, and
# PutItem on a table with a GSI (a single-partition commit on RADOS, its GSI entry applied after).
#
# It takes whatever the machine has: on fewer than 8 cores the quarters overlap, so the figures say
# nothing about scaling (the script says so and runs anyway, as a check that it works).
#
#   bench/rados_scaling.sh                      # BENCH_DURATION=10s BENCH_CONNS=32 BENCH_REPEAT=3
#   RADOS_OSDS=3 BENCH_DURATION=20s bench/rados_scaling.sh
#
# BASALT_BIN: the binary (default build/src/basalt); the rados engine module, libbasalt_rados.so,
# must be beside it (or named by BASALT_RADOS_MODULE): carry both to a machine with more cores.
# Writes bench/results/rados-scaling-<date>.md (medians of BENCH_REPEAT runs, req/s and p99 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
binary=${BASALT_BIN:-$repo/build/src/basalt}
: "${BENCH_DURATION:=10s}" "${BENCH_CONNS:=32}" "${BENCH_REPEAT:=3}" "${BENCH_KEYS:=10000}" "${RADOS_OSDS:=1}"
command -v wrk >/dev/null || { echo "bench/rados_scaling.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
cores=$(nproc)
q=$((cores / 4))
if ((q < 2)); then
  echo "bench/rados_scaling.sh: $cores cores: the cluster, the front-ends and wrk share them;" \
    "these figures do not show scaling" >&2
  q=0
fi
pin() {  # pin QUARTER: taskset arguments for quarter 0..3 (none when the machine is too small)
  ((q > 0)) && echo "taskset -c $(($1 * q))-$(($1 * q + q - 1))" || true
}
work=$(mktemp -d /tmp/basalt-rados-scaling-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  bash scripts/rados-dev-cluster.sh stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# The cluster's daemons inherit the pinning of the script that starts them.
conf=$(BASALT_RADOS_OSDS=$RADOS_OSDS $(pin 0) bash scripts/rados-dev-cluster.sh start "$work/cluster" | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() {  # start VAR QUARTER ARGS...: a Basalt on a free port, pinned; VAR gets its URL
  local -n url_of=$1
  local quarter=$2 port
  shift 2
  port=$(free_port)
  local threads=()
  ((q > 0)) && threads=(--threads "$q")
  $(pin "$quarter") "$binary" --host 127.0.0.1 --port "$port" --auth=none --log-level warn "${threads[@]}" "$@" \
    >"$work/basalt-$port.log" 2>&1 &
  pids+=($!)
  url_of=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "$url_of/" >/dev/null && return; sleep 0.1; done
  echo "bench/rados_scaling.sh: Basalt on port $port did not start" >&2
  cat "$work/basalt-$port.log" >&2
  exit 1
}
prepare() {  # prepare URL: the tables every workload uses, preloaded
  python3 bench/compare.py create "$1" bench >/dev/null
  python3 bench/compare.py preload "$1" bench "$BENCH_KEYS" >/dev/null
  python3 bench/compare.py create_query "$1" benchq >/dev/null
  python3 bench/compare.py preload_query "$1" benchq "$BENCH_KEYS" >/dev/null
  python3 bench/compare.py create_gsi1 "$1" benchg >/dev/null
}
run_wrk() {  # run_wrk SCRIPT TABLE DURATION CONNS URL: wrk on the last quarter; prints BENCHJSON's object
  local threads=$((q > 0 ? q : 1))
  ((threads > $4)) && threads=$4
  env BENCH_LUA_DIR="$repo/bench/lua" BENCH_TABLE="$2" BENCH_KEYS="$BENCH_KEYS" \
    $(pin 3) wrk -t"$threads" -c"$4" -d"$3" --latency -s "bench/lua/$1" "$5/" 2>&1 |
    grep '^BENCHJSON ' | tail -n 1 | cut -d' ' -f2-
}
# measure SCRIPT TABLE URL...: BENCH_REPEAT runs, each with one wrk per URL at once (the
# connections split between them); prints "req/s p99_ms" of the median run.
measure() {
  local script=$1 table=$2
  shift 2
  local n=$# conns=$((BENCH_CONNS / $#)) runs=() i url
  for url in "$@"; do run_wrk "$script" "$table" 2s "$conns" "$url" >/dev/null; done  # warm-up
  for i in $(seq "$BENCH_REPEAT"); do
    local outs=()
    for url in "$@"; do run_wrk "$script" "$table" "$BENCH_DURATION" "$conns" "$url" >"$work/out-$i-${#outs[@]}" & outs+=($!); done
    wait "${outs[@]}"
    runs+=("$(cat "$work"/out-"$i"-* | python3 -c '
import json, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
rps = sum(r["requests"] / (r["duration_us"] / 1e6) for r in rs)
print("%.0f %.2f" % (rps, max(r["p99_us"] for r in rs) / 1000))')")
    rm -f "$work"/out-"$i"-*
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((BENCH_REPEAT + 1) / 2))p"
}
mkdir -p bench/results
out=bench/results/rados-scaling-$(date -u +%Y%m%d-%H%M).md
{
  echo "$cores cores (quarters of $q: cluster, front-end 1, front-end 2, wrk), $RADOS_OSDS OSD(s)," \
    "wrk $BENCH_CONNS connections, $BENCH_DURATION, median of $BENCH_REPEAT; $(git rev-parse --short HEAD)"
  echo
  echo "| operation | RocksDB req/s (p99 ms) | RADOS, 1 front-end | RADOS, 2 front-ends | 2 / 1 |"
  echo "|---|---|---|---|---|"
} | tee "$out"
start rocks 1 --in-memory
start f1 1 --engine=rados --rados-conf "$conf" --rados-pool basalt --rados-namespace "scale-$$-"
start f2 2 --engine=rados --rados-conf "$conf" --rados-pool basalt --rados-namespace "scale-$$-"
prepare "$rocks"
prepare "$f1"
for op in "GetItem get.lua bench" "PutItem put.lua bench" "Query query.lua benchq" \
  "TransactWriteItems txn_write.lua bench" "PutItem (GSI) gsi1_put.lua benchg"; do
  read -r -a w <<<"${op/ (GSI)/_(GSI)}"
  name=${w[0]/_/ }
  r=$(measure "${w[1]}" "${w[2]}" "$rocks")
  one=$(measure "${w[1]}" "${w[2]}" "$f1")
  two=$(measure "${w[1]}" "${w[2]}" "$f1" "$f2")
  read -r r_rps r_p99 <<<"$r"
  read -r one_rps one_p99 <<<"$one"
  read -r two_rps two_p99 <<<"$two"
  printf '| %s | %s (%s) | %s (%s) | %s (%s) | %.2f |\n' "$name" "$r_rps" "$r_p99" "$one_rps" "$one_p99" \
    "$two_rps" "$two_p99" "$(python3 -c "print($two_rps / max($one_rps, 1))")" | tee -a "$out"
done
echo "written to $out"
