#!/bin/bash
# Installs the Debian package in a fresh Debian 12 (a debootstrap chroot) and runs it as the systemd unit would:
# `apt install ./basalt_<version>_amd64.deb` (dependencies from the Debian archive, the maintainer script makes
# the basalt user), then the unit's command line, as the basalt user, with /etc/default/basalt's flags; a table
# written, the server restarted, the data read back. systemd itself cannot run in a chroot: the unit is checked
# by `systemd-analyze verify` in tests/e2e/test_package.py.
#
#   scripts/test-deb-chroot.sh build/basalt_0.1.0_amd64.deb [CHROOT_DIR]
#
# Needs root, debootstrap and the Debian archive (about 1.5 minutes for the chroot; reused when CHROOT_DIR exists).
set -euo pipefail
deb="$(realpath "$1")"
root="${2:-/tmp/basalt-deb-chroot}"
port="${BASALT_CHROOT_PORT:-8399}"
if [[ ! -x $root/bin/sh ]]; then
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'pkill_pid=$(cat "$root/run/basalt.pid" 2>/dev/null || true); [[ -n $pkill_pid ]] && kill "$pkill_pid" 2>/dev/null; umount "$root/proc" 2>/dev/null || true' EXIT
cp "$deb" "$root/tmp/basalt.deb"
chroot "$root" apt-get update -qq
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --reinstall --no-install-recommends /tmp/basalt.deb >/dev/null
chroot "$root" getent passwd basalt
chroot "$root" stat -c '%U:%G %a %n' /var/lib/basalt
chroot "$root" /usr/bin/basalt --version

# The unit's ExecStart, as its User, with the packaged defaults (the port moved to keep clear of others).
opts=$(. "$root/etc/default/basalt"; echo "$BASALT_OPTS" | sed "s/--port 8000/--port $port/")
start() {
  chroot --userspec=basalt:basalt "$root" /bin/sh -c \
    "cd /var/lib/basalt && exec /usr/bin/basalt --data-dir /var/lib/basalt $opts" >"$root/tmp/basalt.log" 2>&1 &
  echo $! > "$root/run/basalt.pid"
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/" >/dev/null && return; sleep 0.1; done
  cat "$root/tmp/basalt.log"; exit 1
}
stop() { kill "$(cat "$root/run/basalt.pid")"; wait "$(cat "$root/run/basalt.pid")" 2>/dev/null || true; rm -f "$root/run/basalt.pid"; }
call() {
  curl -sS "http://127.0.0.1:$port/" -H "X-Amz-Target: DynamoDB_20120810.$1" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=k/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    -H 'Content-Type: application/x-amz-json-1.0' -d "$2"
}
start
call CreateTable '{"TableName":"kept","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}' >/dev/null
call PutItem '{"TableName":"kept","Item":{"pk":{"S":"a"},"v":{"S":"kept"}}}' >/dev/null
stop
start
item=$(call GetItem '{"TableName":"kept","Key":{"pk":{"S":"a"}}}')
stop
echo "after restart: $item"
[[ $item == *'"kept"'* ]] || { echo "FAILED: data lost" >&2; exit 1; }
chroot "$root" find /var/lib/basalt -maxdepth 1 -user basalt -name CURRENT | grep -q CURRENT
echo "PASSED: installed on Debian 12, ran as basalt, kept its data across a restart"
