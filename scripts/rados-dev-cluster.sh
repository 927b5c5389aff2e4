#!/usr/bin/env bash
# A throw-away single-node Ceph cluster on 127.0.0.1, for developing and
# testing Basalt's rados engine (docs/architecture.md, "The rados engine").
#
#   scripts/rados-dev-cluster.sh start DIR   # prints the ceph.conf path; pool "basalt"
#   scripts/rados-dev-cluster.sh stop DIR    # stops the daemons by PID, removes DIR
#   scripts/rados-dev-cluster.sh run CMD...  # CMD with BASALT_RADOS_CONF and BASALT_RADOS_POOL
#                                            # set, on a cluster of its own; exit 77 (skipped)
#                                            # when ceph-mon or ceph-osd is not installed
#
# One monitor and one OSD on memstore (data in the OSD's memory: nothing
# survives stop), no manager, no cephx (auth none), one replica. With
# BASALT_RADOS_OSDS=3, three OSDs and three replicas (writes go on with
# two), and failure detection in seconds, for fault tests that kill an
# OSD ($DIR/run/osd.N.pid). It listens on 127.0.0.1 only, on free ports.
# Needs ceph-mon, ceph-osd and ceph-common (the `ceph` and `rados` tools)
# from Debian.
set -euo pipefail

cmd=${1:-}
if [[ "$cmd" == run ]]; then
  shift
  for tool in ceph-mon ceph-osd monmaptool ceph rados; do
    if ! command -v "$tool" >/dev/null; then
      echo "$0: skipped: $tool not found (apt-get install ceph-mon ceph-osd ceph-common)" >&2
      exit 77
    fi
  done
  run_dir=$(mktemp -d /tmp/basalt-rados-XXXXXX)
  trap 'bash "$0" stop "$run_dir"' EXIT
  BASALT_RADOS_CONF=$(bash "$0" start "$run_dir" | tail -1)
  export BASALT_RADOS_CONF BASALT_RADOS_POOL=basalt
  "$@"
  exit
fi
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
  # The daemons remove their pid files as they exit: read them all first.
  local pidfile pid pids=()
  for pidfile in "$dir"/run/*.pid; do
    [[ -f "$pidfile" ]] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

if [[ "$cmd" == stop ]]; then
  stop
  rm -rf "$dir"
  exit 0
fi
[[ "$cmd" == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

for tool in ceph-mon ceph-osd monmaptool ceph rados; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found (apt-get install ceph-mon ceph-osd ceph-common)" >&2; exit 3; }
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
osds=${BASALT_RADOS_OSDS:-1}
[[ "$osds" == 1 || "$osds" == 3 ]] || { echo "$0: BASALT_RADOS_OSDS must be 1 or 3" >&2; exit 2; }
replicas=$osds min_replicas=$((osds == 3 ? 2 : 1))
mkdir -p "$dir/run" "$dir/log" "$dir/mon"
trap 'echo "$0: start failed; logs in $dir/log" >&2; stop' ERR

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fsid=$(cat /proc/sys/kernel/random/uuid)
conf="$dir/ceph.conf"
cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$port
public network = 127.0.0.1/32
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
osd pool default size = $replicas
osd pool default min size = $min_replicas
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = $dir/keyring
mon data = $dir/mon
osd data = $dir/osd\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 2048
osd op num threads per shard = 1
osd op num shards = 2
mon warn on pool no redundancy = false
ms bind ipv6 = false
osd heartbeat interval = 1
osd heartbeat grace = 4
mon osd min down reporters = 1
CONF

ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring"
ceph-mon -c "$conf" -i a 2>>"$dir/log/start.log"

ceph() { command ceph -c "$conf" --connect-timeout 20 "$@"; }
for _ in $(seq "$osds"); do
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph osd new "$osd_uuid")
  mkdir -p "$dir/osd$id"
  ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$osd_uuid" 2>>"$dir/log/mkfs.log"
  ceph-osd -c "$conf" -i "$id" 2>>"$dir/log/start.log"
done
ceph osd pool create basalt 8 8 >/dev/null 2>&1
ceph osd pool application enable basalt basalt >/dev/null 2>&1
# Ready when an object can be written and read back.
for _ in $(seq 120); do
  if timeout 5 rados -c "$conf" -p basalt put basalt.probe "$conf" 2>/dev/null; then
    rados -c "$conf" -p basalt rm basalt.probe
    trap - ERR
    echo "$conf"
    exit 0
  fi
  sleep 0.5
done
echo "$0: the cluster did not become writable within 60 s; logs in $dir/log" >&2
false
