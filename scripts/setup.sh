#!/usr/bin/env bash
# Installs everything Basalt needs to build, test and benchmark on Debian 12.
# Idempotent: does nothing when every package is already present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libboost1.81-dev rapidjson-dev zlib1g-dev libssl-dev libgoogle-perftools-dev libzstd-dev
  libgtest-dev libgmock-dev
  librados-dev libradospp-dev   # the rados engine (--engine=rados); its cluster tests install ceph-mon ceph-osd
  clang-14 libclang-rt-14-dev
  python3 python3-pytest python3-boto3 python3-requests
  curl wrk awscli openjdk-17-jre-headless
  prometheus   # tests/e2e/test_metrics.py: promtool and a Prometheus server scraping Basalt
)
# Node.js (for the JavaScript SDK examples and tests) may come from another
# repository whose nodejs bundles npm and conflicts with Debian's npm.
command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The JavaScript SDK tests' packages (tests/js, run by tests/e2e/test_js_sdk.py), as pinned by its
# package-lock.json: installed when node_modules is missing or older than the lock file.
js_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/js"
js_stamp="$js_dir/node_modules/.package-lock.json"   # written by npm at the end of every install
if [[ ! -e $js_stamp || $js_dir/package-lock.json -nt $js_stamp ]]; then
  echo "setup: npm ci in tests/js" >&2
  (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$js_stamp"
fi
# The Jest drop-in's example (contrib/jest, run by tests/e2e/test_recipes.py), pinned the same way.
jest_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/contrib/jest"
jest_stamp="$jest_dir/node_modules/.package-lock.json"
if [[ ! -e $jest_stamp || $jest_dir/package-lock.json -nt $jest_stamp ]]; then
  echo "setup: npm ci in contrib/jest" >&2
  (cd "$jest_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$jest_stamp"
fi
