#!/usr/bin/env bash
# Training samples/s: SlimLab (bench_train) vs PyTorch Python (train_peer.py), same
# model, batch, optimiser, bookkeeping and thread count. This machine's speed drifts
# by up to 2× over tens of seconds, so each side runs ROUNDS times, alternating,
# each process reports its best of 5 timed epochs, and the best of each side is
# kept — per wall second and per CPU second of the process (steadier here: time
# taken by other tenants is not counted).
#   bash bench/train.sh [build/bin] [ROUNDS]
# Needs Debian's python3-torch (apt-get install python3-torch) for the peer.
set -euo pipefail
BIN=${1:-build/bin}
ROUNDS=${2:-3}
PY=/usr/bin/python3
have_peer=1
$PY -c "import torch" 2>/dev/null || { have_peer=0; echo "(python3-torch not installed: SlimLab figures only)"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf "%-10s %5s %7s %11s %11s %6s %11s %11s %6s %9s\n" model batch threads "ours/s" "torch/s" ratio "ours/cpu-s" "torch/cpu-s" ratio data_wait
for model in lenet5 deepsense; do
  for batch in 8 64; do
    for threads in 1 2; do
      steps=$(( batch == 8 ? 100 : 30 ))
      ours=0; ours_cpu=0; peer=0; peer_cpu=0; wait=0
      for _ in $(seq "$ROUNDS"); do
        read -r _ _ _ o w oc < <("$BIN/bench_train" --model $model --batch $batch --threads $threads --steps $steps)
        [ "$(max "$o" "$ours")" = "$o" ] && wait=$w
        ours=$(max "$o" "$ours"); ours_cpu=$(max "$oc" "$ours_cpu")
        if [ $have_peer = 1 ]; then
          read -r _ _ _ p pc < <($PY bench/train_peer.py --model $model --batch $batch --threads $threads --steps $steps)
          peer=$(max "$p" "$peer"); peer_cpu=$(max "$pc" "$peer_cpu")
        fi
      done
      r=-; rc=-
      if [ $have_peer = 1 ]; then r=$(ratio "$ours" "$peer"); rc=$(ratio "$ours_cpu" "$peer_cpu"); fi
      printf "%-10s %5s %7s %11s %11s %6s %11s %11s %6s %9s\n" $model $batch $threads "$ours" "$peer" "$r" "$ours_cpu" "$peer_cpu" "$rc" "$wait"
    done
  done
done
