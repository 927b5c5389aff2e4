#!/usr/bin/env bash
# Model-checks a Promela model with spin (Debian's spin): an exhaustive
# search of its states for assertion violations and invalid end states.
#   scripts/spin-check.sh src/storage/txn_coordinator.pml
# Prints the search's figures; exits non-zero, with the counterexample spin
# found replayed step by step, when the search finds an error.
set -euo pipefail
model=$(readlink -f "$1")
command -v spin >/dev/null || { echo "spin-check: spin is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
work=$(mktemp -d /tmp/basalt-spin.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$model" "$work/model.pml"
cd "$work"
spin -a model.pml >spin.out 2>&1 || { cat spin.out >&2; exit 1; }
gcc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c
./pan -m100000 >pan.out 2>&1 || true
grep -E "errors:|states, stored|elapsed time" pan.out
if ! grep -q "errors: 0" pan.out; then
  cat pan.out >&2
  [[ -e model.pml.trail ]] && spin -t -p model.pml >&2
  exit 1
fi
