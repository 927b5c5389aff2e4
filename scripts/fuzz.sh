#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (address and undefined-behaviour
# sanitizers) in build-fuzz/ and runs the request decoder fuzzer.
#   scripts/fuzz.sh [SECONDS]   (default 600)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seconds=${1:-600}
# pointer-overflow is off: RapidJSON 1.1's internal stack does arithmetic on
# a null pointer when it first grows (harmless, but UBSan stops on it).
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBASALT_FUZZ=ON -DBASALT_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-sanitize=pointer-overflow" >/dev/null
cmake --build build-fuzz --target request_fuzzer
mkdir -p build-fuzz/corpus
# The dictionary-free corpus starts from the checked-in seeds.
build-fuzz/tests/fuzz/request_fuzzer build-fuzz/corpus tests/fuzz/seeds \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1
