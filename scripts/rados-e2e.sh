#!/usr/bin/env bash
# Runs end-to-end tests against Basalt on Ceph RADOS: starts a throw-away
# one-node cluster (scripts/rados-dev-cluster.sh), one Basalt with
# --engine=rados on it, runs pytest against it (BASALT_ENDPOINT) and stops
# both by PID. Arguments go to pytest (default: the whole suite; the tests
# that start their own Basalt skip, tests/e2e/test_rados.py runs its own
# front-ends on the same cluster).
#
#   scripts/rados-e2e.sh                      # everything
#   scripts/rados-e2e.sh test_items.py -x     # a slice
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
work=$(mktemp -d /tmp/basalt-rados-e2e-XXXXXX)
basalt_pid=
cleanup() {
  [[ -n $basalt_pid ]] && kill "$basalt_pid" 2>/dev/null && wait "$basalt_pid" 2>/dev/null || true
  bash scripts/rados-dev-cluster.sh stop "$work/cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
conf=$(bash scripts/rados-dev-cluster.sh start "$work/cluster" | tail -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" --host 127.0.0.1 --port "$port" --engine=rados --rados-conf "$conf" --rados-pool basalt \
  --rados-namespace "e2e-$$-" --ttl-sweep-interval 1 >"$work/basalt.log" 2>&1 &
basalt_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
cd tests/e2e
BASALT_BIN=$binary BASALT_ENDPOINT="http://127.0.0.1:$port" BASALT_RADOS_CONF=$conf BASALT_RADOS_POOL=basalt \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" || { status=$?; tail -20 "$work/basalt.log" >&2; exit $status; }
