#!/usr/bin/env bash
# Builds Basalt and starts it on 127.0.0.1:8000 with durable embedded storage
# in ./basalt-data. Extra arguments are passed to basalt (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/src/basalt --host 127.0.0.1 --port 8000 --data-dir basalt-data "$@"
