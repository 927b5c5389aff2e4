#!/usr/bin/env bash
# Two Basalt binaries side by side, one core each: is a change faster, slower, or within the noise?
#   bench/ab.sh BEFORE_BIN AFTER_BIN        (about 6 minutes with the defaults)
# Each server runs in memory pinned to core 0 (taskset, --threads 1); wrk runs pinned to core 1. The
# binaries take turns, workload by workload, for AB_ROUNDS rounds, so drift on the machine falls on
# both. For every run: req/s and the server's CPU time per request (utime+stime from /proc/PID/stat
# over the run, divided by the requests). Prints the median of each and the ratio AFTER/BEFORE.
#
# Environment: AB_ROUNDS=3  AB_DURATION=5s  AB_WARMUP=2s  AB_CONNS=16  AB_PORT=8301
#              AB_WORKLOADS="get put update_add query txn_get batchwrite" (scripts of bench/lua;
#              pq_get, pq_insert: PartiQL by key)
# AB_B_SETUP: a shell command run (with $url set) after B starts and is preloaded, before its runs; with the
# same binary as A and B it measures a setting, e.g. PutItem with point-in-time recovery on beside off:
#   AB_WORKLOADS="put update_add" AB_B_SETUP="$PWD/bench/pitr_on.sh" bench/ab.sh build/src/basalt build/src/basalt
# Global secondary indexes with multi-attribute keys: gsim_query and gsim_put (a GSI keyed by two
# partition and three sort attributes) beside gsi1_query and gsi1_put (the same index entries under a
# one-attribute partition and sort key); with the same binary as A and B:
#   AB_WORKLOADS="gsi1_query gsim_query gsi1_put gsim_put" bench/ab.sh build/src/basalt build/src/basalt
# Further workloads: put_100k and put_100k_gzip, PutItem of ~100 KB items sent plain and gzipped (the
# same 64 items, made by compare.py bodies). With the same binary as A and B they give the cost of
# decompressing: AB_WORKLOADS="put_100k put_100k_gzip" bench/ab.sh build/src/basalt build/src/basalt
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
[[ $# -eq 2 ]] || { echo "usage: bench/ab.sh BEFORE_BIN AFTER_BIN" >&2; exit 2; }
bins=("$(readlink -f "$1")" "$(readlink -f "$2")")
: "${AB_ROUNDS:=3}" "${AB_DURATION:=5s}" "${AB_WARMUP:=2s}" "${AB_CONNS:=16}" "${AB_PORT:=8301}"
: "${AB_WORKLOADS:=get put update_add query txn_get batchwrite}"
[[ $(nproc) -ge 2 ]] || { echo "bench/ab.sh: needs two cores (server on one, wrk on the other)" >&2; exit 1; }
for tool in wrk taskset curl; do command -v $tool >/dev/null || { echo "bench/ab.sh: $tool missing" >&2; exit 1; }; done

out=$(mktemp -d /tmp/basalt-ab.XXXXXX)
if [[ " $AB_WORKLOADS " == *" put_100k"* ]]; then
  "$py" "$here/compare.py" bodies bench 64 "$out" >&2
fi
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -f "$out"/put100k.*
}
trap cleanup EXIT
url="http://127.0.0.1:$AB_PORT"

# start BIN: a fresh in-memory server on core 0 with the bench tables preloaded.
start() {
  taskset -c 0 "$1" --in-memory --host 127.0.0.1 --port "$AB_PORT" --threads 1 >"$out/server.log" 2>&1 &
  pid=$!
  "$py" "$here/compare.py" wait "$url" >/dev/null
  "$py" "$here/compare.py" create "$url" bench
  "$py" "$here/compare.py" preload "$url" bench 10000
  "$py" "$here/compare.py" create_query "$url" benchq
  "$py" "$here/compare.py" preload_query "$url" benchq 10000
  if [[ " $AB_WORKLOADS " == *" gsi1_"* ]]; then
    "$py" "$here/compare.py" create_gsi1 "$url" bench1
    "$py" "$here/compare.py" preload_gsi1 "$url" bench1 10000
  fi
  if [[ " $AB_WORKLOADS " == *" gsim_"* ]]; then
    "$py" "$here/compare.py" create_gsim "$url" benchm
    "$py" "$here/compare.py" preload_gsim "$url" benchm 10000
  fi
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# run WORKLOAD DURATION: prints "req/s us-per-request".
run() {
  local script=$1.lua table=bench
  case $1 in
    query) table=benchq ;;
    gsi1_*) table=bench1 ;;
    gsim_*) table=benchm ;;
  esac
  local t0 t1 line
  t0=$(cpu_ticks)
  line=$(env BENCH_LUA_DIR="$here/lua" BENCH_TABLE=$table BENCH_KEYS=10000 BENCH_TXN_ITEMS=2 BENCH_BODIES_DIR="$out" \
    taskset -c 1 wrk -t1 -c"$AB_CONNS" -d"$2" --latency -s "$here/lua/$script" "$url/" 2>&1 | grep '^BENCHJSON')
  t1=$(cpu_ticks)
  "$py" - "$line" "$t0" "$t1" "$(getconf CLK_TCK)" <<'EOF'
import json, sys
r = json.loads(sys.argv[1].split(" ", 1)[1])
ticks = int(sys.argv[3]) - int(sys.argv[2])
n = r["requests"]
errors = sum(r[k] for k in r if k.startswith("err_"))
if errors:  # the run is left out of the medians (a busy machine can time a request out)
    sys.exit("bench/ab.sh: %d errors in %d requests; run left out" % (errors, n))
print("%.0f %.1f" % (n / (r["duration_us"] / 1e6), ticks / int(sys.argv[4]) * 1e6 / max(n, 1)))
EOF
}

results="$out/results"
: >"$results"
for round in $(seq 1 "$AB_ROUNDS"); do
  for w in $AB_WORKLOADS; do
    for i in 0 1; do
      start "${bins[$i]}"
      if [[ $i == 1 && -n ${AB_B_SETUP:-} ]]; then url=$url bash -c "$AB_B_SETUP" >/dev/null; fi
      run "$w" "$AB_WARMUP" >/dev/null 2>&1 || true
      if r=$(run "$w" "$AB_DURATION"); then echo "$i $w $r" >>"$results"; fi
      stop
    done
  done
  echo "round $round of $AB_ROUNDS done" >&2
done

"$py" - "$results" "${bins[0]}" "${bins[1]}" "$AB_ROUNDS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("A = %s\nB = %s" % (sys.argv[2], sys.argv[3]))
print("%-14s %12s %12s %7s %10s %10s %7s" % ("workload", "A req/s", "B req/s", "B/A", "A us/req", "B us/req", "B/A"))
for w in dict.fromkeys(r[1] for r in rows):
    if any(not [r for r in rows if r[0] == str(i) and r[1] == w] for i in (0, 1)):
        print("%-14s (no complete run of one binary)" % w)
        continue
    rps = [statistics.median(float(r[2]) for r in rows if r[0] == str(i) and r[1] == w) for i in (0, 1)]
    us = [statistics.median(float(r[3]) for r in rows if r[0] == str(i) and r[1] == w) for i in (0, 1)]
    print("%-14s %12.0f %12.0f %7.3f %10.1f %10.1f %7.3f" % (w, rps[0], rps[1], rps[1] / rps[0], us[0], us[1], us[1] / us[0]))
print("(medians of up to %s runs each; raw results in %s)" % (sys.argv[4], sys.argv[1]))
EOF
