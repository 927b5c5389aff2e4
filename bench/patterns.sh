#!/usr/bin/env bash
# What access-pattern recording costs: GetItem, PutItem and Query with --record-patterns=on beside off.
#   bench/patterns.sh [BIN]            (BIN defaults to build/src/basalt)
# 1. Throughput: bench/ab.sh with A = recording off, B = recording on (the same binary; medians of
#    AB_ROUNDS runs, req/s and server CPU us per request). The machine is shared and noisy: read B/A.
# 2. Instructions per GetItem under callgrind, on and off: two runs of N1 and N2 GetItems each, so the
#    start-up cost cancels out: (Ir(N2) - Ir(N1)) / (N2 - N1). Deterministic, unlike the throughput.
# Environment: as bench/ab.sh (AB_WORKLOADS defaults to "get put query"); PAT_N1=200 PAT_N2=1200;
#              PAT_SKIP_AB=1 runs only the callgrind part.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(readlink -f "${1:-$here/../build/src/basalt}")
py=/usr/bin/python3
: "${PAT_N1:=200}" "${PAT_N2:=1200}"
work=$(mktemp -d /tmp/basalt-patterns.XXXXXX)

# A wrapper that runs the binary with recording off (bench/ab.sh passes its own flags first).
cat >"$work/basalt-off" <<WRAP
#!/bin/sh
exec "$bin" "\$@" --record-patterns=off
WRAP
chmod +x "$work/basalt-off"

if [[ -z ${PAT_SKIP_AB:-} ]]; then
  echo "== throughput: A = --record-patterns=off, B = on (default)"
  AB_WORKLOADS=${AB_WORKLOADS:-"get put query"} "$here/ab.sh" "$work/basalt-off" "$bin"
fi

command -v valgrind >/dev/null || { echo "bench/patterns.sh: valgrind missing, no instruction counts" >&2; exit 0; }
port=${PAT_PORT:-8311}
url="http://127.0.0.1:$port"
# instructions MODE N: total instructions of a server that answered N GetItems (MODE on or off).
instructions() {
  local out="$work/cg.$1.$2"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --in-memory --host 127.0.0.1 --port "$port" \
    --threads 1 --record-patterns="$1" >"$work/server.log" 2>&1 &
  local pid=$!
  "$py" "$here/compare.py" wait "$url" >/dev/null
  "$py" - "$url" "$2" <<'PY'
import sys, requests
url, n = sys.argv[1], int(sys.argv[2])
h = {"Content-Type": "application/x-amz-json-1.0",
     "Authorization": "AWS4-HMAC-SHA256 Credential=k/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"}
def call(op, body):
    r = s.post(url, data=body, headers=dict(h, **{"X-Amz-Target": "DynamoDB_20120810." + op}))
    assert r.status_code == 200, r.text
s = requests.Session()
call("CreateTable", '{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],'
     '"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}')
for i in range(100):
    call("PutItem", '{"TableName":"bench","Item":{"pk":{"S":"k%d"},"v":{"S":"%s"}}}' % (i, "x" * 100))
for i in range(n):
    call("GetItem", '{"TableName":"bench","Key":{"pk":{"S":"k%d"}}}' % (i % 100))
PY
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}
echo "== callgrind: instructions per GetItem ((Ir($PAT_N2) - Ir($PAT_N1)) / $((PAT_N2 - PAT_N1)))"
for mode in off on; do
  a=$(instructions "$mode" "$PAT_N1")
  b=$(instructions "$mode" "$PAT_N2")
  echo "$mode $(( (b - a) / (PAT_N2 - PAT_N1) ))" | tee -a "$work/ir"
done
"$py" - "$work/ir" <<'PY'
import sys
ir = dict(l.split() for l in open(sys.argv[1]))
off, on = int(ir["off"]), int(ir["on"])
print("recording on/off: %d / %d instructions per GetItem = %.3f (+%.1f%%)" % (on, off, on / off, (on / off - 1) * 100))
PY
[[ -n ${PAT_KEEP:-} ]] && echo "callgrind files in $work" || rm -rf "$work"
