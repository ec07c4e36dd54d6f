#!/usr/bin/env bash
# Training samples/s of two builds of bench_train (e.g. before and after a change),
# same model, batch and thread count, the two processes alternating ROUNDS times;
# each process reports its best of 5 timed epochs and the best of each side is kept —
# per wall second and per CPU second of the process (steadier on a shared machine).
#   bash bench/train_compare.sh BEFORE/bin AFTER/bin [ROUNDS] [REPEATS]
# REPEATS: timed epochs per process (bench_train --repeats, default 5).
set -euo pipefail
A=$1
B=$2
ROUNDS=${3:-3}
REPEATS=${4:-5}
max() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
printf "%-10s %5s %7s %10s %10s %6s %12s %12s %6s\n" model batch threads "before/s" "after/s" ratio "before/cpu-s" "after/cpu-s" ratio
for model in lenet5 deepsense; do
  for batch in 8 64; do
    for threads in 1 2; do
      steps=$(( batch == 8 ? 100 : 30 ))
      a=0; ac=0; b=0; bc=0
      for _ in $(seq "$ROUNDS"); do
        read -r _ _ _ o _ oc < <("$A/bench_train" --model $model --batch $batch --threads $threads --steps $steps --repeats $REPEATS)
        a=$(max "$o" "$a"); ac=$(max "$oc" "$ac")
        read -r _ _ _ o _ oc < <("$B/bench_train" --model $model --batch $batch --threads $threads --steps $steps --repeats $REPEATS)
        b=$(max "$o" "$b"); bc=$(max "$oc" "$bc")
      done
      printf "%-10s %5s %7s %10s %10s %6s %12s %12s %6s\n" $model $batch $threads "$a" "$b" "$(ratio "$b" "$a")" \
        "$ac" "$bc" "$(ratio "$bc" "$ac")"
    done
  done
done
