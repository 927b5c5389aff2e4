#!/usr/bin/env bash
# Basalt's scaling with cores: bench/run.sh's scaling mode (see there). It takes whatever the machine
# has: on 16 cores it runs 1, 2, 4 and 8 server threads, each round with wrk on as many other cores;
# on 2 cores only the one-thread round. Environment as for bench/run.sh.
exec env BENCH_MODE=scaling bash "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
