#!/usr/bin/env bash
# The main job on the built-in synthetic data (run by `make demo`): train DeepSense
# on synthetic HAR at three widths (experiments/quickstart.toml), list the runs and
# plot accuracy against parameters.
set -euo pipefail
BIN=${1:-build/bin}
echo "== slimlab run experiments/quickstart.toml --jobs 1"
"$BIN/slimlab" run experiments/quickstart.toml --jobs 1
echo
echo "== slimlab runs list --experiment quickstart"
"$BIN/slimlab" runs list --experiment quickstart
echo
echo "== slimlab plot --experiment quickstart --x params --out runs/quickstart/accuracy_vs_params.svg"
"$BIN/slimlab" plot --experiment quickstart --x params --out runs/quickstart/accuracy_vs_params.svg
