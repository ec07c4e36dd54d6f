#!/usr/bin/env bash
# Runs every benchmark (Release build) and keeps the JSON beside the console output.
set -euo pipefail
BIN=${1:-build/bin}
OUT=bench/results
mkdir -p "$OUT"
for b in "$BIN"/bench_*; do
  name=$(basename "$b")
  echo "== $name"
  "$b" --benchmark_out="$OUT/$name.json" --benchmark_out_format=json "${@:2}"
done
