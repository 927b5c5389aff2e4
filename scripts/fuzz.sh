#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (address and undefined-behaviour
# sanitizers) in build-fuzz/ and runs one of them.
#   scripts/fuzz.sh [SECONDS] [TARGET]   (default 600 seconds, target request)
#   TARGET: request (the request decoder), expression (the expression parser)
#           partiql (the PartiQL lexer, parser, binder and planner)
#           or http (the HTTP request parser and body decoder)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seconds=${1:-600}
target=${2:-request}
case $target in request|expression|partiql|http) ;; *) echo "fuzz.sh: unknown target $target" >&2; exit 2 ;; esac
# pointer-overflow is off: RapidJSON 1.1's internal stack does arithmetic on
# a null pointer when it first grows (harmless, but UBSan stops on it).
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBASALT_FUZZ=ON -DBASALT_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-sanitize=pointer-overflow" >/dev/null
cmake --build build-fuzz --target "${target}_fuzzer"
corpus=build-fuzz/corpus-$target
seeds=tests/fuzz/seeds
[[ $target == expression ]] && seeds=tests/fuzz/expression_seeds
[[ $target == partiql ]] && seeds=tests/fuzz/partiql_seeds
[[ $target == http ]] && seeds=tests/fuzz/http_seeds
mkdir -p "$corpus"
# The corpus starts from the checked-in seeds.
build-fuzz/tests/fuzz/"${target}_fuzzer" "$corpus" "$seeds" \
  -artifact_prefix=build-fuzz/ -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1
