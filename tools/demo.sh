#!/usr/bin/env bash
# The main job on the built-in synthetic data (run by `make demo`): train DeepSense
# on synthetic HAR at three widths (experiments/quickstart.toml), export each model to
# .slim and measure it in slimrt (its [export] section), list the runs, show the
# exported models (accuracy in slimrt, file size, arena, batch-1 latency) and plot
# accuracy against parameters.
set -euo pipefail
BIN=${1:-build/bin}
echo "== slimlab run experiments/quickstart.toml --jobs 1"
"$BIN/slimlab" run experiments/quickstart.toml --jobs 1
echo
echo "== slimlab runs list --experiment quickstart"
"$BIN/slimlab" runs list --experiment quickstart
echo
echo "== exported to slimrt (model.slim in each run folder)"
"$BIN/slimlab" runs list --experiment quickstart \
  --columns run,model,test_acc,slim_precision,slim_acc,file_bytes,arena_bytes,latency_ms
echo
echo "== slimlab plot --experiment quickstart --x params --out runs/quickstart/accuracy_vs_params.svg"
"$BIN/slimlab" plot --experiment quickstart --x params --out runs/quickstart/accuracy_vs_params.svg
