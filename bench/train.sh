#!/usr/bin/env bash
# Training samples/s: SlimLab (bench_train) vs PyTorch Python (train_peer.py), same
# model, batch and thread count, one after the other on the same machine.
#   bash bench/train.sh [build/bin]
# Needs Debian's python3-torch (apt-get install python3-torch) for the peer.
set -euo pipefail
BIN=${1:-build/bin}
PY=/usr/bin/python3
have_peer=1
$PY -c "import torch" 2>/dev/null || { have_peer=0; echo "(python3-torch not installed: SlimLab figures only)"; }
printf "%-10s %6s %8s %14s %14s %8s %10s\n" model batch threads slimlab/s pytorch/s ratio data_wait
for model in lenet5 deepsense; do
  for batch in 8 64; do
    for threads in 1 2; do
      steps=$(( batch == 8 ? 200 : 60 ))
      read -r _ _ _ ours wait < <("$BIN/bench_train" --model $model --batch $batch --threads $threads --steps $steps)
      if [ $have_peer = 1 ]; then
        read -r _ _ _ peer < <($PY bench/train_peer.py --model $model --batch $batch --threads $threads --steps $steps)
        ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN{printf "%.2f", a/b}')
      else
        peer=-; ratio=-
      fi
      printf "%-10s %6s %8s %14s %14s %8s %10s\n" $model $batch $threads "$ours" "$peer" "$ratio" "$wait"
    done
  done
done
