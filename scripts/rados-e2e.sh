#!/usr/bin/env bash
# Runs end-to-end tests against Basalt on Ceph RADOS: starts a throw-away
# one-node cluster (scripts/rados-dev-cluster.sh), one Basalt with
# --engine=rados on it, runs pytest against it (BASALT_ENDPOINT) and stops
# both by PID. Arguments go to pytest (default: the whole suite; the tests
# that start their own Basalt skip, tests/e2e/test_rados.py runs its own
# front-ends on the same cluster).
#
# With FRONTENDS=2, two Basalts share the pool and namespace and the
# suite talks to scripts/round_robin_proxy.py, which sends each request to
# the next front-end in turn.
#
#   scripts/rados-e2e.sh                      # everything
#   scripts/rados-e2e.sh test_items.py -x     # a slice
#   FRONTENDS=2 scripts/rados-e2e.sh          # load balanced across two front-ends
#   FRONTENDS=2 scripts/rados-e2e.sh --ci     # the subset scripts/test.sh runs (about 2.5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
need=()
for tool in ceph-mon ceph-osd ceph; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  echo "rados-e2e: installing ceph-mon ceph-osd ceph-common" >&2
  SUDO=; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd ceph-common >/dev/null
fi
binary=${BASALT_BIN:-$root/build/src/basalt}
[[ -x $binary ]] || { echo "rados-e2e: no basalt at $binary (scripts/build.sh)" >&2; exit 2; }
if [[ ${1:-} == --ci ]]; then
  # What CI runs through two front-ends: the data plane, streams and the
  # control plane (tables, TTL, capacity), 820 tests in 2.5 minutes on
  # two cores. The whole suite runs here without --ci (test_stream_consumer.py
  # alone takes 3 to 6 minutes on RADOS).
  set -- test_items.py test_batch.py test_expressions.py test_query.py test_indexes.py \
    test_item_collections.py test_transactions.py test_transaction_load.py test_partiql.py \
    test_streams.py test_stream_shard_filter.py test_tables.py test_ttl.py test_capacity.py
fi
work=$(mktemp -d /tmp/basalt-rados-e2e-XXXXXX)
frontends=${FRONTENDS:-1}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  bash "$root/scripts/rados-dev-cluster.sh" stop "$work/cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
conf=$(bash scripts/rados-dev-cluster.sh start "$work/cluster" | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
urls=()
for i in $(seq "$frontends"); do
  port=$(free_port)
  "$binary" --host 127.0.0.1 --port "$port" --engine=rados --rados-conf "$conf" --rados-pool basalt \
    --rados-namespace "e2e-$$-" --ttl-sweep-interval 1 >"$work/basalt-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  urls+=("http://127.0.0.1:$port")
done
endpoint=${urls[0]}
if ((frontends > 1)); then
  port=$(free_port)
  python3 scripts/round_robin_proxy.py "$port" "${urls[@]}" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  endpoint="http://127.0.0.1:$port"
fi
cd tests/e2e
BASALT_BIN=$binary BASALT_ENDPOINT=$endpoint BASALT_RADOS_CONF=$conf BASALT_RADOS_POOL=basalt \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" || { status=$?; tail -n 20 "$work"/basalt-*.log >&2; exit $status; }
