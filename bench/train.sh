#!/usr/bin/env bash
# Training samples/s: SlimLab (bench_train) vs PyTorch Python (train_peer.py), same
# model, batch, optimiser, bookkeeping and thread count. This machine's speed drifts
# by up to 2× over tens of seconds, so each side runs ROUNDS times, alternating,
# and each process reports its best of 5 timed epochs; the best of each side is kept.
#   bash bench/train.sh [build/bin] [ROUNDS]
# Needs Debian's python3-torch (apt-get install python3-torch) for the peer.
set -euo pipefail
BIN=${1:-build/bin}
ROUNDS=${2:-3}
PY=/usr/bin/python3
have_peer=1
$PY -c "import torch" 2>/dev/null || { have_peer=0; echo "(python3-torch not installed: SlimLab figures only)"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
printf "%-10s %6s %8s %12s %12s %7s %10s\n" model batch threads slimlab/s pytorch/s ratio data_wait
for model in lenet5 deepsense; do
  for batch in 8 64; do
    for threads in 1 2; do
      steps=$(( batch == 8 ? 100 : 30 ))
      ours=0; peer=0; wait=0
      for _ in $(seq "$ROUNDS"); do
        read -r _ _ _ o w < <("$BIN/bench_train" --model $model --batch $batch --threads $threads --steps $steps)
        [ "$(max "$o" "$ours")" = "$o" ] && wait=$w
        ours=$(max "$o" "$ours")
        if [ $have_peer = 1 ]; then
          read -r _ _ _ p < <($PY bench/train_peer.py --model $model --batch $batch --threads $threads --steps $steps)
          peer=$(max "$p" "$peer")
        fi
      done
      ratio=-
      [ $have_peer = 1 ] && ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN{printf "%.2f", a/b}')
      printf "%-10s %6s %8s %12s %12s %7s %10s\n" $model $batch $threads "$ours" "$peer" "$ratio" "$wait"
    done
  done
done
