#!/usr/bin/env bash
# The main job on the built-in synthetic data (run by `make demo`).
# Today that is the data pipeline end to end: generate the synthetic HAR set, split
# it by subject, window and normalise it, cache the tensors in HDF5, read the cache
# back, and measure how far a linear classifier gets on it.
set -euo pipefail
BIN=${1:-build/bin}
OUT=runs/demo
mkdir -p "$OUT"
echo "== slimlab data cache synthetic:har --out $OUT/synthetic_har.h5"
"$BIN/slimlab" data cache synthetic:har --out "$OUT/synthetic_har.h5"
echo
echo "== slimlab data inspect $OUT/synthetic_har.h5 --probe"
"$BIN/slimlab" data inspect "$OUT/synthetic_har.h5" --probe
