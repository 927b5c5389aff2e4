#!/usr/bin/env bash
# The cost of authentication and of TLS: GetItem and PutItem with --auth=sigv4 beside --auth=none, and
# GetItem over HTTPS beside HTTP. Same method as bench/ab.sh: the server pinned to core 0 with one
# request thread, wrk pinned to core 1, AB_ROUNDS rounds of a warm-up and a measured AB_DURATION run per
# figure; medians. Every figure uses bench/lua/get_signed.lua or put_signed.lua (a pool of 2048 requests
# per wrk thread, SigV4-signed in Lua for --auth=sigv4, the same requests unsigned for --auth=none), so
# the runs differ only in what is measured; HTTPS uses wrk's OpenSSL against a throwaway self-signed
# certificate.
#
#   bench/auth.sh [BASALT_BIN]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
bin=$(readlink -f "${1:-$here/../build/src/basalt}")
: "${AB_ROUNDS:=3}" "${AB_DURATION:=5s}" "${AB_WARMUP:=2s}" "${AB_CONNS:=16}" "${AB_PORT:=8311}"
for tool in wrk taskset openssl; do command -v $tool >/dev/null || { echo "bench/auth.sh: $tool missing" >&2; exit 1; }; done
out=$(mktemp -d /tmp/basalt-auth-bench.XXXXXX)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
export BASALT_ROOT_ACCESS_KEY_ID=AKIAROOTEXAMPLE00001 BASALT_ROOT_SECRET_ACCESS_KEY=rootSecretKeyExample/0123456789abcdefgh
export BENCH_ACCESS_KEY_ID=$BASALT_ROOT_ACCESS_KEY_ID BENCH_SECRET_ACCESS_KEY=$BASALT_ROOT_SECRET_ACCESS_KEY
export BENCH_HOST=127.0.0.1:$AB_PORT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$out/key.pem" -out "$out/cert.pem" \
  -days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1

# mode: none | sigv4 | tls
start() {
  local flags=(--in-memory --host 127.0.0.1 --port "$AB_PORT" --threads 1)
  [[ $1 == sigv4 ]] && flags+=(--auth=sigv4)
  [[ $1 == tls ]] && flags+=(--tls-cert "$out/cert.pem" --tls-key "$out/key.pem")
  taskset -c 0 "$bin" "${flags[@]}" >"$out/server.log" 2>&1 &
  pid=$!
  "$py" - "$1" "$AB_PORT" "$out/cert.pem" <<'PY'
import sys, time, boto3
from botocore.config import Config
mode, port, cert = sys.argv[1], sys.argv[2], sys.argv[3]
url = ("https" if mode == "tls" else "http") + "://127.0.0.1:" + port
key, secret = ("AKIAROOTEXAMPLE00001", "rootSecretKeyExample/0123456789abcdefgh") if mode == "sigv4" else ("fake", "fake")
c = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                 aws_secret_access_key=secret, verify=False, config=Config(retries={"max_attempts": 20}))
for _ in range(200):
    try:
        c.list_tables(); break
    except Exception:
        time.sleep(0.05)
c.create_table(TableName="bench", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
v = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2)[:80]
for b in range(0, 10000, 25):
    c.batch_write_item(RequestItems={"bench": [{"PutRequest": {"Item": {"pk": {"S": "k%08d" % i}, "v": {"S": v},
        "n": {"N": str(i)}}}} for i in range(b, b + 25)]})
PY
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

run() {  # script scheme duration [unsigned] -> "req/s us-per-request" (the server's CPU time)
  local line t0 t1
  t0=$(cpu_ticks)
  line=$(env BENCH_UNSIGNED="${4:-0}" BENCH_LUA_DIR="$here/lua" BENCH_TABLE=bench BENCH_KEYS=10000 \
    taskset -c 1 wrk -t1 -c"$AB_CONNS" -d"$3" --latency -s "$here/lua/$1.lua" "$2://127.0.0.1:$AB_PORT/" 2>&1 | grep '^BENCHJSON')
  t1=$(cpu_ticks)
  "$py" -c '
import json, sys
r = json.loads(sys.argv[1].split(" ", 1)[1])
errors = sum(r[k] for k in r if k.startswith("err_"))
if errors: sys.exit("bench/auth.sh: %d errors in %d requests" % (errors, r["requests"]))
ticks = int(sys.argv[3]) - int(sys.argv[2])
print("%.0f %.1f" % (r["requests"] / (r["duration_us"] / 1e6), ticks / int(sys.argv[4]) * 1e6 / max(r["requests"], 1)))' \
    "$line" "$t0" "$t1" "$(getconf CLK_TCK)"
}

results="$out/results"
: >"$results"
for round in $(seq 1 "$AB_ROUNDS"); do
  # The order alternates by round, so drift on the machine (and whatever a
  # fixed order favours) falls on every mode alike.
  modes="none sigv4 tls"
  (( round % 2 == 0 )) && modes="tls sigv4 none"
  for mode in $modes; do
    start $mode
    case $mode in
      none) figures=("get_signed http get-none 1" "put_signed http put-none 1") ;;
      sigv4) figures=("get_signed http get-sigv4" "put_signed http put-sigv4") ;;
      tls) figures=("get_signed https get-https 1") ;;
    esac
    for f in "${figures[@]}"; do
      set -- $f
      run "$1" "$2" "$AB_WARMUP" "${4:-0}" >/dev/null
      echo "$3 $(run "$1" "$2" "$AB_DURATION" "${4:-0}")" >>"$results"
    done
    stop
  done
  echo "round $round of $AB_ROUNDS done" >&2
done
"$py" - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = list(dict.fromkeys(r[0] for r in rows))
m = {k: statistics.median(float(r[1]) for r in rows if r[0] == k) for k in names}
us = {k: statistics.median(float(r[2]) for r in rows if r[0] == k) for k in names}
print("%-22s %10s %10s %7s %9s %9s %7s" % ("figure", "A req/s", "B req/s", "B/A", "A us/req", "B us/req", "A/B"))
for name, a, b in (("GetItem sigv4 / none", "get-none", "get-sigv4"), ("PutItem sigv4 / none", "put-none", "put-sigv4"),
                   ("GetItem HTTPS / HTTP", "get-none", "get-https")):
    print("%-22s %10.0f %10.0f %7.3f %9.1f %9.1f %7.3f" % (name, m[a], m[b], m[b] / m[a], us[a], us[b], us[a] / us[b]))
print("(A/B of CPU time per request is the throughput ratio the CPU cost alone would give)")
print("(medians of %d runs; raw results in %s)" % (len(rows) // len(m), sys.argv[1]))
PY
