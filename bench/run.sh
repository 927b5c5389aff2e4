#!/usr/bin/env bash
# Basalt vs Amazon DynamoDB Local, side by side, on this machine, with the same load generator (wrk).
# See bench/README.md. Usage: bench/run.sh     (about 9 minutes with the defaults)
#                             BENCH_MODE=onecore bench/run.sh   (one core each; about 8 minutes)
#
# Two modes:
#   BENCH_MODE=all (default)  the parts below; servers and wrk share every core
#   BENCH_MODE=onecore        each server pinned to core 0 with one thread (Basalt --threads 1, DynamoDB
#                             Local -XX:ActiveProcessorCount=1, nginx one worker), wrk pinned to core 1:
#                             GetItem, PutItem of new keys, UpdateItem ADD, Query of 10 items,
#                             BatchGetItem of 100 keys, Basalt's GET / and nginx's fixed response
#                             (Debian nginx-light, when installed) as the ceiling, with the server CPU per request.
#                             Defaults there: BENCH_THREADS=1 BENCH_CONNS=16 BENCH_REPEAT=3
#                             BENCH_PARTS="onecore cold rss".
#   BENCH_MODE=scaling        (bench/scaling.sh) Basalt alone with --threads N pinned to N cores and wrk
#                             to N others, N = 1, 2, 4, ... up to half the cores: GET /, GetItem,
#                             PutItem, Query of 10 items, and each one's speed-up over N = 1.
#                             Defaults there: BENCH_CONNS=16 (per wrk thread) BENCH_REPEAT=3.
#   Every wrk figure records the server's CPU time over the measured run (/proc/PID/stat).
#
# Environment:
#   BENCH_DURATION=10s   measured wrk run per figure        BENCH_WARMUP=3s   wrk warm-up before each
#   BENCH_SERVER_WARMUP=28   seconds of load given to each freshly started server before any figure
#                        is taken (the JVM of DynamoDB Local needs ~30 s of load to reach its top speed)
#   BENCH_THREADS=2      wrk threads                         BENCH_CONNS=32    wrk connections
#   BENCH_REPEAT=1       runs per figure (median is shown)   BENCH_KEYS=10000  items preloaded for reads
#   BENCH_STARTS=5       starts per server for cold start    BENCH_PORT_BASE=8201 (uses 8201-8213)
#   BASALT_BIN=<repo>/build/src/basalt                       BENCH_OUT=DIR     keep raw results/logs there
#   BENCH_NETNS=1        run in a private network namespace (see below); 0 to run in the host's
#   BENCH_SKIP_LOCAL=1   measure Basalt only (no DynamoDB Local)
#   BENCH_PARTS="mem txn durable query streams cold rss"   which parts to run (default all seven)
#   BENCH_QUERY_KEYS=10000    items in the query table (10 per item collection and per GSI key)
#   BENCH_QUERY_BIG=1000000   items in the large query table (Basalt only: DynamoDB Local would take
#                             hours to load it); 0 skips the large table
#   BENCH_BASALT_FLAGS   extra flags for every Basalt started (e.g. "--threads 2"); default none
#
# DynamoDB Local has no option to choose its listening address: it binds every interface. So that
# nothing here is reachable from outside the machine, the script re-runs itself in a new network
# namespace (unshare -n) that has only the loopback interface; the servers and wrk all run there.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3
helper="$here/compare.py"
report="$here/report.py"

: "${BENCH_MODE:=all}"
if [[ $BENCH_MODE == onecore ]]; then
  : "${BENCH_THREADS:=1}" "${BENCH_CONNS:=16}" "${BENCH_REPEAT:=3}" "${BENCH_PARTS:=onecore cold rss}"
elif [[ $BENCH_MODE == scaling ]]; then
  : "${BENCH_CONNS:=16}" "${BENCH_REPEAT:=3}" "${BENCH_PARTS:=scaling}" "${BENCH_SKIP_LOCAL:=1}" "${BENCH_SERVER_WARMUP:=10}"
elif [[ $BENCH_MODE != all ]]; then
  echo "bench: BENCH_MODE is all, onecore or scaling, not $BENCH_MODE" >&2
  exit 2
fi
: "${BENCH_DURATION:=10s}" "${BENCH_WARMUP:=3s}" "${BENCH_SERVER_WARMUP:=28}" "${BENCH_THREADS:=2}" "${BENCH_CONNS:=32}"
: "${BENCH_REPEAT:=1}" "${BENCH_KEYS:=10000}" "${BENCH_STARTS:=5}" "${BENCH_PORT_BASE:=8201}"
: "${BENCH_PARTS:=mem txn durable query streams cold rss}" "${BENCH_QUERY_KEYS:=10000}" "${BENCH_QUERY_BIG:=1000000}"
: "${BASALT_BIN:=$repo/build/src/basalt}" "${BENCH_NETNS:=1}" "${BENCH_SKIP_LOCAL:=0}" "${BENCH_BASALT_FLAGS:=}"
export BENCH_MODE BENCH_DURATION BENCH_WARMUP BENCH_SERVER_WARMUP BENCH_THREADS BENCH_CONNS BENCH_REPEAT BENCH_KEYS BENCH_STARTS \
  BENCH_PORT_BASE BASALT_BIN BENCH_NETNS BENCH_SKIP_LOCAL BENCH_BASALT_FLAGS BENCH_PARTS BENCH_QUERY_KEYS BENCH_QUERY_BIG \
  BENCH_TXN_ITEMS

tools=(wrk curl "$py")
if [[ $BENCH_MODE != all ]]; then
  tools+=(taskset)
fi
if [[ $BENCH_MODE == onecore ]]; then
  PATH=$PATH:/usr/sbin
  # nginx is optional: without it the ceiling is left out. It is not in scripts/setup.sh, as
  # installing Debian's package starts a system nginx on port 80 where init scripts run.
  command -v nginx >/dev/null ||
    echo "bench: nginx is not installed (apt-get install nginx-light): no nginx ceiling this run" >&2
  (( $(nproc) >= 2 )) || { echo "bench: BENCH_MODE=onecore needs two cores" >&2; exit 1; }
fi
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
done
[[ -x $BASALT_BIN ]] || { echo "bench: no Basalt binary at $BASALT_BIN (set BASALT_BIN)" >&2; exit 1; }
BASALT_BIN=$(readlink -f "$BASALT_BIN")

# --- outside the namespace: find (install if needed) DynamoDB Local, then re-run inside a new netns.
if [[ ${BENCH_IN_NETNS:-0} != 1 ]]; then
  if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
    command -v java >/dev/null || { echo "bench: java is not installed (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
    BENCH_LOCAL_DIR=$("$repo/../shared/tools/dynamodb-local" path)
    export BENCH_LOCAL_DIR
  fi
  if [[ $BENCH_NETNS == 1 ]]; then
    export BENCH_IN_NETNS=1
    if unshare -n true 2>/dev/null; then
      exec unshare -n -- bash "${BASH_SOURCE[0]}" "$@"
    elif unshare -rn true 2>/dev/null; then
      exec unshare -rn -- bash "${BASH_SOURCE[0]}" "$@"
    fi
    echo "bench: cannot create a network namespace (unshare -n); run with BENCH_NETNS=0 to use the host's" \
      "network (DynamoDB Local will then listen on all interfaces)" >&2
    exit 1
  fi
  if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
    echo "bench: warning: BENCH_NETNS=0: DynamoDB Local listens on every interface while it runs" >&2
  fi
fi
if [[ ${BENCH_IN_NETNS:-0} == 1 ]]; then
  ip link set lo up 2>/dev/null || { echo "bench: cannot bring up lo in the namespace (is iproute2 installed?)" >&2; exit 1; }
fi

# --- everything below runs in the namespace
work=${BENCH_OUT:-$(mktemp -d /tmp/basalt-bench.XXXXXX)}
mkdir -p "$work"
results=$work/results.jsonl
pids=$work/pids
: >"$results"
: >"$pids"
datadirs=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -s $pids ]]; then
    local p
    while read -r p; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done <"$pids"
    for _ in $(seq 1 50); do
      local alive=0
      while read -r p; do kill -0 "$p" 2>/dev/null && alive=1; done <"$pids"
      [[ $alive == 0 ]] && break
      sleep 0.1
    done
    while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$pids"
  fi
  local d
  for d in "${datadirs[@]}"; do rm -rf "$d"; done
  if [[ $rc != 0 ]]; then
    echo "bench: failed (exit $rc); logs and raw results are in $work" >&2
  elif [[ -z ${BENCH_OUT:-} ]]; then
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$BENCH_PORT_BASE
next_port() { port=$((port + 1)); }

# Servers are named (basalt-mem, local-mem, ...); URL[name] and SPID[name] say where and which process.
declare -A URL SPID

# start_server NAME PORT CWD CMD... : start in the background, record its PID at once, wait for ListTables.
start_server() {
  local name=$1 p=$2 cwd=$3
  shift 3
  (cd "$cwd" && exec "$@") >"$work/$name.log" 2>&1 &
  SPID[$name]=$!
  echo "${SPID[$name]}" >>"$pids"
  URL[$name]=http://127.0.0.1:$p
  if ! "$py" "$helper" wait "${URL[$name]}" 90; then
    echo "bench: $name did not start; log:" >&2
    tail -n 30 "$work/$name.log" >&2
    exit 1
  fi
}

stop_server() {
  local pid=${SPID[$1]:-}
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "SPID[$1]"
}

# In the one-core mode every server runs on core 0 with one thread, and wrk on core 1.
SERVER_PIN=() WRK_PIN=() BASALT_PIN_FLAGS=() JAVA_PIN_FLAGS=()
if [[ $BENCH_MODE == onecore ]]; then
  SERVER_PIN=(taskset -c 0) WRK_PIN=(taskset -c 1) BASALT_PIN_FLAGS=(--threads 1)
  JAVA_PIN_FLAGS=(-XX:ActiveProcessorCount=1)
fi

# basalt_cmd PORT [flags...] / local_cmd PORT [flags...]: set the array CMD
basalt_cmd() {
  local p=$1
  shift
  local -a extra
  read -r -a extra <<<"${BENCH_BASALT_FLAGS:-}"
  CMD=("${SERVER_PIN[@]}" "$BASALT_BIN" --host 127.0.0.1 --port "$p" "${BASALT_PIN_FLAGS[@]}" "$@" "${extra[@]}")
}
local_cmd() {
  local p=$1
  shift
  CMD=("${SERVER_PIN[@]}" java "${JAVA_PIN_FLAGS[@]}" -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar
       "$@" -sharedDb -disableTelemetry -port "$p")
}

# cpu_seconds PID: user + system CPU time of a process so far (all its threads, live and exited)
clk_tck=$(getconf CLK_TCK)
cpu_seconds() {
  local stat
  stat=$(<"/proc/$1/stat") || { echo null; return; }
  stat=${stat##*) }  # after "pid (comm) ": field 1 is the state, 12 utime, 13 stime
  awk -v t="$clk_tck" '{ printf "%.3f", ($12 + $13) / t }' <<<"$stat"
}

# wrk_run SERVER SCRIPT DURATION [VAR=value...]: run wrk against SERVER's table "bench" (or
# BENCH_TABLE/BENCH_KEYS given as VAR=value); prints its output
wrk_run() {
  local server=$1 script=$2 duration=$3
  shift 3
  env BENCH_LUA_DIR="$here/lua" BENCH_TABLE=bench BENCH_KEYS="$BENCH_KEYS" "$@" \
    "${WRK_PIN[@]}" wrk -t"$BENCH_THREADS" -c"$BENCH_CONNS" -d"$duration" --latency -s "$here/lua/$script" "${URL[$server]}/" 2>&1
}

# server_warmup SERVER SECONDS SCRIPT...: load a fresh server for SECONDS in all, split over the scripts,
# before any figure is taken. Writes overwrite preloaded keys here, so the warm-up does not grow the table.
server_warmup() {
  local server=$1 total=$2 each script
  shift 2
  each=$(( total / $# ))
  (( each > 0 )) || return 0
  for script in "$@"; do
    wrk_run "$server" "$script" "${each}s" BENCH_OVERWRITE=1 >>"$work/wrk-warmup.log"
  done
}

# pause_others SERVER / resume_others SERVER: in the one-core mode, every other server shares core 0,
# and an idle JVM is not idle (its JIT compiler and GC go on after a load): the others are stopped
# (SIGSTOP) while one is measured, so each figure has the core to itself.
pause_others() {
  [[ $BENCH_MODE == onecore ]] || return 0
  local s
  for s in "${!SPID[@]}"; do [[ $s == "$1" ]] || kill -STOP "${SPID[$s]}" 2>/dev/null || true; done
}
resume_others() {
  [[ $BENCH_MODE == onecore ]] || return 0
  local s
  for s in "${!SPID[@]}"; do [[ $s == "$1" ]] || kill -CONT "${SPID[$s]}" 2>/dev/null || true; done
}

# measure OP SCRIPT ITEMS_PER_REQUEST SERVER...: for each of BENCH_REPEAT rounds, for each server in turn:
# a BENCH_WARMUP run, then a measured run. Interleaving the servers spreads any other load on the
# machine over all of them. MEASURE_TABLE/MEASURE_KEYS choose another table than "bench".
measure() {
  local op=$1 script=$2 ipr=$3 i server out line cpu0 cpu1 rec
  local tbl=${MEASURE_TABLE:-bench} keys=${MEASURE_KEYS:-$BENCH_KEYS}
  shift 3
  for server in "$@"; do "$py" "$helper" probe "${URL[$server]}" "$tbl" "$op" "$keys"; done
  for i in $(seq 1 "$BENCH_REPEAT"); do
    for server in "$@"; do
      sync  # write back what earlier runs left dirty, so it does not land on this run's fsyncs
      pause_others "$server"
      wrk_run "$server" "$script" "$BENCH_WARMUP" BENCH_TABLE="$tbl" BENCH_KEYS="$keys" >>"$work/wrk-warmup.log"
      cpu0=$(cpu_seconds "${SPID[$server]}")
      out=$(wrk_run "$server" "$script" "$BENCH_DURATION" BENCH_TABLE="$tbl" BENCH_KEYS="$keys")
      cpu1=$(cpu_seconds "${SPID[$server]}")
      resume_others "$server"
      printf '== %s %s run %d\n%s\n' "$server" "$op" "$i" "$out" >>"$work/wrk.log"
      line=$(grep '^BENCHJSON ' <<<"$out" | tail -n 1 | cut -d' ' -f2-)
      [[ -n $line ]] || { echo "bench: wrk printed no result for $server $op:" >&2; echo "$out" >&2; exit 1; }
      rec="{\"kind\":\"wrk\",\"server\":\"$server\",\"op\":\"$op\",\"items_per_req\":$ipr,"
      rec+="\"cpu_s\":$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { if (a == "null" || b == "null") print "null";
                                                           else printf "%.3f", b - a }'),${line#\{}"
      echo "$rec" >>"$results"
      "$py" "$report" line "$rec"
    done
  done
}

# start_mem_pair BASALT_NAME LOCAL_NAME ARRAY: start Basalt --in-memory and (unless BENCH_SKIP_LOCAL)
# DynamoDB Local -inMemory on the next two ports; ARRAY is set to the names of those started.
start_mem_pair() {
  local -n started=$3
  started=("$1")
  basalt_cmd "$port" --in-memory
  start_server "$1" "$port" "$work" "${CMD[@]}"
  next_port
  if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
    local_cmd "$port" -inMemory
    start_server "$2" "$port" "$BENCH_LOCAL_DIR" "${CMD[@]}"
    started+=("$2")
  fi
  next_port
}

# new_datadir: set DATADIR to a fresh directory, removed at exit (/tmp must be a real disk here)
new_datadir() {
  DATADIR=$(mktemp -d /tmp/basalt-bench-data.XXXXXX)
  datadirs+=("$DATADIR")
}

echo "Basalt $("$BASALT_BIN" --version 2>/dev/null || true) vs DynamoDB Local ($(basename "${BENCH_LOCAL_DIR:-none}"))"
echo "wrk -t$BENCH_THREADS -c$BENCH_CONNS -d$BENCH_DURATION (warm-up ${BENCH_SERVER_WARMUP}s per server + $BENCH_WARMUP per figure)," \
  "repeat $BENCH_REPEAT," \
  "$BENCH_KEYS preloaded keys; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Basalt extra flags: ${BENCH_BASALT_FLAGS:-none}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

want() { [[ " $BENCH_PARTS " == *" $1 "* ]]; }

# ---- one core each (BENCH_MODE=onecore): Basalt, DynamoDB Local and nginx each on core 0 with one
# thread, measured in turn; wrk on core 1. nginx answers every request with a fixed JSON body: the
# ceiling of what an HTTP server does on one core here. Basalt's GET / is its own HTTP floor.
if want onecore; then
echo "[1/1] one core each: the servers on core 0 (one thread each), wrk on core 1"
start_mem_pair basalt-1c local-1c oc
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  server {
    listen 127.0.0.1:$port;
    default_type application/x-amz-json-1.0;
    location / { return 200 '{"TableNames":[]}'; }
  }
}
NGINX
ceiling=()
if command -v nginx >/dev/null; then
  start_server nginx-1c "$port" "$work" "${SERVER_PIN[@]}" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
  ceiling=(nginx-1c)
fi
next_port
for s in "${oc[@]}"; do
  "$py" "$helper" create "${URL[$s]}" bench
  "$py" "$helper" preload "${URL[$s]}" bench "$BENCH_KEYS"
  "$py" "$helper" create_query "${URL[$s]}" benchq
  "$py" "$helper" preload_query "${URL[$s]}" benchq "$BENCH_QUERY_KEYS"
  server_warmup "$s" $(( BENCH_SERVER_WARMUP * 4 / 5 )) get.lua put.lua update_add.lua batchget.lua
  wrk_run "$s" query.lua "$(( BENCH_SERVER_WARMUP / 5 ))s" BENCH_TABLE=benchq BENCH_KEYS="$BENCH_QUERY_KEYS" \
    >>"$work/wrk-warmup.log"
done
measure Root get_root.lua 1 basalt-1c "${ceiling[@]}"
measure GetItem get.lua 1 "${oc[@]}"
measure BatchGetItem batchget.lua 100 "${oc[@]}"
measure PutItem put.lua 1 "${oc[@]}"
measure UpdateItemAdd update_add.lua 1 "${oc[@]}"
MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_KEYS measure Query query.lua 10 "${oc[@]}"
for s in "${oc[@]}" "${ceiling[@]}"; do stop_server "$s"; done
fi

# ---- scaling (BENCH_MODE=scaling, bench/scaling.sh): Basalt with 1, 2, 4, ... threads on as many
# cores, wrk with as many threads on as many other cores, up to half the machine's cores (8 on a
# 16-core machine). On this 2-core machine that is the one-thread round only.
if want scaling; then
cores=$(nproc)
rounds=()
for ((n = 1; 2 * n <= cores; n *= 2)); do rounds+=("$n"); done
echo "[1/1] scaling: Basalt --threads N on cores 0..N-1, wrk -tN -c$((BENCH_CONNS))*N on the next N; N in ${rounds[*]}"
for n in "${rounds[@]}"; do
  SERVER_PIN=(taskset -c "0-$((n - 1))") WRK_PIN=(taskset -c "$n-$((2 * n - 1))") BASALT_PIN_FLAGS=(--threads "$n")
  basalt_cmd "$port" --in-memory
  start_server "basalt-t$n" "$port" "$work" "${CMD[@]}"
  s=basalt-t$n
  "$py" "$helper" create "${URL[$s]}" bench
  "$py" "$helper" preload "${URL[$s]}" bench "$BENCH_KEYS"
  "$py" "$helper" create_query "${URL[$s]}" benchq
  "$py" "$helper" preload_query "${URL[$s]}" benchq "$BENCH_QUERY_KEYS"
  saved=("$BENCH_THREADS" "$BENCH_CONNS")
  BENCH_THREADS=$n BENCH_CONNS=$((saved[1] * n))
  server_warmup "$s" "$BENCH_SERVER_WARMUP" get.lua put.lua
  measure Root get_root.lua 1 "$s"
  measure GetItem get.lua 1 "$s"
  measure PutItem put.lua 1 "$s"
  MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_KEYS measure Query query.lua 10 "$s"
  BENCH_THREADS=${saved[0]} BENCH_CONNS=${saved[1]}
  stop_server "$s"
  next_port
done
fi

# ---- in memory: both servers up at once, the operations measured in turn on each
if want mem; then
echo "[1/6] in memory: Basalt --in-memory vs DynamoDB Local -inMemory"
start_mem_pair basalt-mem local-mem mem
for s in "${mem[@]}"; do
  "$py" "$helper" create "${URL[$s]}" bench
  "$py" "$helper" preload "${URL[$s]}" bench "$BENCH_KEYS"
  server_warmup "$s" "$BENCH_SERVER_WARMUP" get.lua batchget.lua put.lua batchwrite.lua
done
# reads first, while the tables hold just the preloaded keys
measure GetItem get.lua 1 "${mem[@]}"
measure PartiQLGet pq_get.lua 1 "${mem[@]}"
measure BatchGetItem batchget.lua 100 "${mem[@]}"
measure PutItem put.lua 1 "${mem[@]}"
measure PartiQLInsert pq_insert.lua 1 "${mem[@]}"
measure BatchWriteItem batchwrite.lua 25 "${mem[@]}"
# expressions: a counter (ADD), a create-if-absent (attribute_not_exists), a nested SET
for s in "${mem[@]}"; do
  "$py" "$helper" create "${URL[$s]}" benchdoc
  "$py" "$helper" preload_doc "${URL[$s]}" benchdoc "$BENCH_KEYS"
  server_warmup "$s" $(( BENCH_SERVER_WARMUP / 2 )) update_add.lua cond_put.lua nested_set.lua
done
measure UpdateItemAdd update_add.lua 1 "${mem[@]}"
measure CondPutItem cond_put.lua 1 "${mem[@]}"
measure NestedSet nested_set.lua 1 "${mem[@]}"
if ! want txn; then
  for s in "${mem[@]}"; do stop_server "$s"; done
fi
fi

# ---- transactions, in memory, on the preloaded table of part "mem" (or a fresh one)
if want txn; then
echo "[1b/6] transactions in memory: TransactWriteItems of 2 and 10 puts, TransactGetItems of 10 items"
if ! want mem; then
  start_mem_pair basalt-mem local-mem mem
  for s in "${mem[@]}"; do
    "$py" "$helper" create "${URL[$s]}" bench
    "$py" "$helper" preload "${URL[$s]}" bench "$BENCH_KEYS"
  done
fi
for s in "${mem[@]}"; do
  for script in txn_write.lua txn_get.lua; do
    wrk_run "$s" "$script" "$(( BENCH_SERVER_WARMUP / 2 ))s" BENCH_OVERWRITE=1 >>"$work/wrk-warmup.log"
  done
done
measure TxnGet10 txn_get.lua 10 "${mem[@]}"
BENCH_TXN_ITEMS=2 measure TxnWrite2 txn_write.lua 2 "${mem[@]}"
BENCH_TXN_ITEMS=10 measure TxnWrite10 txn_write.lua 10 "${mem[@]}"
for s in "${mem[@]}"; do stop_server "$s"; done
fi
port=$((BENCH_PORT_BASE + 2))

# ---- durable PutItem
if want durable; then
echo "[2/6] durable PutItem: Basalt sync, Basalt relaxed, DynamoDB Local -dbPath"
dur=(basalt-sync basalt-relaxed)
new_datadir
basalt_cmd "$port" --data-dir "$DATADIR" --durability=sync
start_server basalt-sync "$port" "$work" "${CMD[@]}"
next_port
new_datadir
basalt_cmd "$port" --data-dir "$DATADIR" --durability=relaxed
start_server basalt-relaxed "$port" "$work" "${CMD[@]}"
next_port
if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
  new_datadir
  local_cmd "$port" -dbPath "$DATADIR"
  start_server local-disk "$port" "$BENCH_LOCAL_DIR" "${CMD[@]}"
  dur+=(local-disk)
fi
next_port
for s in "${dur[@]}"; do
  "$py" "$helper" create "${URL[$s]}" bench
  server_warmup "$s" $(( BENCH_SERVER_WARMUP / 2 )) put.lua
done
measure PutItem put.lua 1 "${dur[@]}"
for s in "${dur[@]}"; do stop_server "$s"; done
fi
port=$((BENCH_PORT_BASE + 5))

# ---- Query and Scan: a table with 10 items per collection and a GSI, side by side; then Basalt
# alone on a large table, to show that Query latency does not grow with the table.
if want query; then
echo "[3/6] Query, Scan page, GSI Query: $BENCH_QUERY_KEYS items (both), $BENCH_QUERY_BIG items (Basalt)"
start_mem_pair basalt-q local-q qs
for s in "${qs[@]}"; do
  "$py" "$helper" create_query "${URL[$s]}" benchq
  "$py" "$helper" preload_query "${URL[$s]}" benchq "$BENCH_QUERY_KEYS"
  echo "{\"kind\":\"table_size\",\"server\":\"$s\",\"items\":$BENCH_QUERY_KEYS}" >>"$results"
  for script in query.lua scan_page.lua gsi_query.lua; do
    wrk_run "$s" "$script" "$(( BENCH_SERVER_WARMUP / 3 ))s" BENCH_TABLE=benchq BENCH_KEYS="$BENCH_QUERY_KEYS" \
      >>"$work/wrk-warmup.log"
  done
done
MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_KEYS measure Query query.lua 10 "${qs[@]}"
MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_KEYS measure ScanPage scan_page.lua 25 "${qs[@]}"
MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_KEYS measure GsiQuery gsi_query.lua 10 "${qs[@]}"
for s in "${qs[@]}"; do stop_server "$s"; done
if (( BENCH_QUERY_BIG > 0 )); then
  basalt_cmd "$port" --in-memory
  start_server basalt-q-big "$port" "$work" "${CMD[@]}"
  "$py" "$helper" create_query "${URL[basalt-q-big]}" benchq
  "$py" "$helper" preload_query "${URL[basalt-q-big]}" benchq "$BENCH_QUERY_BIG"
  echo "{\"kind\":\"table_size\",\"server\":\"basalt-q-big\",\"items\":$BENCH_QUERY_BIG}" >>"$results"
  for op in Query:query.lua:10 ScanPage:scan_page.lua:25 GsiQuery:gsi_query.lua:10; do
    IFS=: read -r o sc ipr <<<"$op"
    MEASURE_TABLE=benchq MEASURE_KEYS=$BENCH_QUERY_BIG measure "$o" "$sc" "$ipr" basalt-q-big
  done
  stop_server basalt-q-big
fi
fi
port=$((BENCH_PORT_BASE + 7))

# ---- Streams, in memory: PutItem on a table without and with a NEW_AND_OLD_IMAGES stream (the
# overhead), then GetRecords of 100 records from random positions of the stream those writes made.
if want streams; then
echo "[3b/6] Streams in memory: PutItem without and with a NEW_AND_OLD_IMAGES stream; GetRecords"
port=$((BENCH_PORT_BASE + 11))
start_mem_pair basalt-st local-st st
for s in "${st[@]}"; do
  "$py" "$helper" create "${URL[$s]}" bench
  "$py" "$helper" create_streamed "${URL[$s]}" benchs
  server_warmup "$s" $(( BENCH_SERVER_WARMUP / 2 )) put.lua
  wrk_run "$s" put.lua "$(( BENCH_SERVER_WARMUP / 2 ))s" BENCH_TABLE=benchs BENCH_OVERWRITE=1 >>"$work/wrk-warmup.log"
done
MEASURE_TABLE=bench measure PutNoStream put.lua 1 "${st[@]}"
MEASURE_TABLE=benchs measure PutStream put.lua 1 "${st[@]}"
for s in "${st[@]}"; do
  "$py" "$helper" iterators "${URL[$s]}" benchs 1000 "$work/iterators-$s.txt"
  BENCH_ITERATORS="$work/iterators-$s.txt" MEASURE_TABLE=benchs measure GetRecords get_records.lua 100 "$s"
done
for s in "${st[@]}"; do stop_server "$s"; done
fi
port=$((BENCH_PORT_BASE + 7))

if want cold; then
echo "[4/6] cold start (process start -> first ListTables answered), $BENCH_STARTS starts each"
basalt_cmd "$port" --in-memory
"$py" "$helper" coldstart "$pids" "$results" basalt "$work" "$BENCH_STARTS" -- "${CMD[@]}"
next_port
if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
  local_cmd "$port" -inMemory
  "$py" "$helper" coldstart "$pids" "$results" local "$BENCH_LOCAL_DIR" "$BENCH_STARTS" -- "${CMD[@]}"
fi
fi
port=$((BENCH_PORT_BASE + 9))

if want rss; then
echo "[5/6] idle RSS (after start + CreateTable + 1 s idle)"
basalt_cmd "$port" --in-memory
"$py" "$helper" rss "$pids" "$results" basalt "$work" -- "${CMD[@]}"
next_port
if [[ $BENCH_SKIP_LOCAL != 1 ]]; then
  local_cmd "$port" -inMemory
  "$py" "$helper" rss "$pids" "$results" local "$BENCH_LOCAL_DIR" -- "${CMD[@]}"
fi
fi

echo "[6/6] report"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [[ $BENCH_MODE == onecore ]]; then
  "$py" "$report" onecore "$results"
elif [[ $BENCH_MODE == scaling ]]; then
  "$py" "$report" scaling "$results"
else
  "$py" "$report" report "$results"
fi
