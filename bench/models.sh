#!/usr/bin/env bash
# Whole-model benchmark (issue 13): every shipped experiment's final model, trained
# with a tiny budget (latency does not depend on accuracy), exported at its precision
# AND as fp32 from the same run, both timed at batch 1 by `slimrt-run bench` in one
# go (alternating, ROUNDS rounds, best median kept). Then the fp32 exports against
# LibTorch eager (bench_models) and the thread scaling of audio CNN / VGG-small /
# LeNet-5 (slimrt-run bench --threads, outputs checked bit-identical to one thread).
#   bash bench/models.sh [BIN] [OUT]          (Release build: make build; cmake --build build --target benchmarks)
#   BIN  build/bin      OUT  bench/results/models (runs, exports, tables)
# Environment: RUNS=300 timed invocations per measurement, ROUNDS=3, THREADS=1 (threads
# of the compressed/fp32 table), ONLY=label,label (a subset of the cases below),
# RETRAIN=1 (train again even where OUT already has the run), SKIP_TORCH=1, SKIP_SCALING=1,
# ISAS="avx512 avx2" (time the compressed/fp32 table once per kernel ISA, each capped by
# SLIMRT_MAX_ISA, in the same run; default: the best ISA of this CPU only, column "native").
# Prints markdown tables (also written to OUT/tables.md).
set -euo pipefail
BIN=${1:-build/bin}
OUT=${2:-bench/results/models}
RUNS=${RUNS:-300}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}
ONLY=${ONLY:-}
ISAS=${ISAS:-native}
mkdir -p "$OUT/runs" "$OUT/slim" "$OUT/cache"
RUNS_DIR=$(cd "$OUT/runs" && pwd)
for tool in slimlab slimrt-run; do
  [ -x "$BIN/$tool" ] || { echo "models.sh: $BIN/$tool not found (make build)" >&2; exit 1; }
done

# Tiny budgets: one epoch on a fifth of the data (the rest is val / test), short DeepIoT
# schedules; the synthetic quickstart data at a quarter of its size.
COMMON="--set train.epochs=1 --set train.threads=2 --set dataset.cache_dir=$OUT/cache"
SMALL="--set dataset.val_fraction=0.1 --set dataset.test_fraction=0.7"
DEEPIOT="--set stage.0.threshold_every=1 --set stage.0.max_iterations=40 --set stage.0.eval_every=20 --set stage.0.epochs=1"
QUICK="$DEEPIOT --set stage.1.epochs=1 --set dataset.synthetic_scale=0.25"

# label | experiment | precision (compressed) | baseline ("own": the run's fp32 export,
# else a label whose fp32 export is the float baseline; "own,LABEL": both rows — a binary
# run's own fp32 export keeps its ±H weights, LABEL's is the float model) | extra overrides
CASES=(
  "quickstart_w0.25|quickstart|int8|own|$QUICK --set model.width=0.25"
  "quickstart_w0.5|quickstart|int8|own|$QUICK --set model.width=0.5"
  "quickstart_w1|quickstart|int8|own|$QUICK --set model.width=1.0"
  "lenet5|mnist_lenet5|int8|own|$SMALL"
  "lenet5_deepiot|mnist_lenet5_deepiot|fp32|lenet5|$SMALL $DEEPIOT"
  "lenet5_binaryconnect|mnist_lenet5_binary|binary|own,lenet5|$SMALL --set stage.0.mode=det --set stage.0.epochs=1"
  "lenet5_bnn|mnist_lenet5_bnn_binary|binary|own,lenet5|$SMALL --set stage.0.epochs=1"
  "hmp_cnn1d|hmp_cnn1d_fixed|int8|own|$SMALL --set stage.0.word_length=8"
  "hmp_deepsense|hmp_deepsense|int8|own|$SMALL"
  "fsdd_dnn|fsdd_dnn_fixed|int8|own|$SMALL --set stage.0.word_length=8"
  "fsdd_cnn|fsdd_cnn|int8|own|$SMALL"
)

wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# The first existing folder among the arguments (a glob), or nothing. (Not `ls | head -1`:
# under pipefail, ls killed by SIGPIPE would end the script.)
first_dir() { local d; for d in "$@"; do [ -d "$d" ] && { echo "$d"; return 0; }; done; return 0; }

# train LABEL EXPERIMENT OVERRIDES → the run folder (RUNS_DIR/<experiment name>/LABEL)
train() {
  local label=$1 exp=$2 extra=$3 run
  run=$(first_dir "$RUNS_DIR"/*/"$label")
  if [ -z "$run" ] || [ ! -f "$run/.bench_done" ] || [ "${RETRAIN:-0}" = 1 ]; then
    [ -n "$run" ] && rm -rf "$run"
    # shellcheck disable=SC2086
    "$BIN/slimlab" train "experiments/$exp.toml" $COMMON $extra --runs "$RUNS_DIR" --run-id "$label" --quiet \
      >"$OUT/$label.train.log" 2>&1 || { echo "models.sh: training $label failed, see $OUT/$label.train.log" >&2; return 1; }
    run=$(first_dir "$RUNS_DIR"/*/"$label")
    touch "$run/.bench_done"
  fi
  echo "$run"
}

# export RUN PRECISION FILE
export_slim() {
  [ -f "$3" ] && [ "$3" -nt "$1/.bench_done" ] && return 0
  "$BIN/slimlab" export "$1" --precision "$2" --out "$3" --no-measure >"$3.log" 2>&1 ||
    { echo "models.sh: exporting $1 as $2 failed, see $3.log" >&2; return 1; }
}

# rt ARGS… → slimrt-run ARGS…, its kernels capped at $ISA unless that is "native"
rt() {
  if [ "${ISA:-native}" = native ]; then "$BIN/slimrt-run" "$@"; else SLIMRT_MAX_ISA=$ISA "$BIN/slimrt-run" "$@"; fi
}

# median_ms FILE [THREADS] → the median batch-1 latency (ms); with threads > 1 slimrt-run
# also checks the outputs bit-identical to one thread (exit 1 otherwise)
median_ms() {
  local out
  out=$(rt bench "$1" --runs "$RUNS" --warmup 30 --threads "${2:-1}") ||
    { echo "models.sh: $1 with ${2:-1} threads: $out" >&2; exit 1; }
  awk '/^median_ms/ {print $2}' <<<"$out"
}
best() { awk -v a="$1" -v b="$2" 'BEGIN{print (b == "" || a + 0 < b + 0) ? a : b}'; }

# Ops carrying ≥ 1 % of the model's MACs that run a reference kernel. (awk reads to the
# end: an early exit would kill slimrt-run with SIGPIPE, and pipefail end the script.)
ref_heavy() {
  rt describe "$1" | awk '
    /^MACs/ {total = $2}
    /^#    op/ {ops = 1; next}
    ops && NF == 0 {ops = 0; done = 1}
    ops && !done && $4 ~ /\/ref$/ && total > 0 && $NF >= 0.01 * total {n++}
    END {print n + 0}'
}

declare -A FP32 COMP
table="$OUT/tables.md"
{
  echo "| model | precision | ISA | compressed ms | its fp32 ms | compressed / fp32 | speedup | ref ops ≥ 1 % MACs |"
  echo "|---|---|---|---:|---:|---:|---:|---:|"
} >"$table.compressed"
for c in "${CASES[@]}"; do
  IFS='|' read -r label exp prec base extra <<<"$c"
  wanted "$label" || continue
  echo "== $label ($exp, $prec)" >&2
  run=$(train "$label" "$exp" "$extra") || continue
  comp="$OUT/slim/$label.$prec.slim" fp32="$OUT/slim/$label.fp32.slim"
  export_slim "$run" fp32 "$fp32" || continue
  [ "$prec" = fp32 ] || export_slim "$run" "$prec" "$comp" || continue
  [ "$prec" = fp32 ] && comp=$fp32
  for ISA in $ISAS; do
    ref=$(ref_heavy "$comp")
    fb="" cb=""
    for _ in $(seq "$ROUNDS"); do  # alternate, keep the best median of each
      v=$(median_ms "$fp32" "$THREADS"); fb=$(best "$v" "$fb")
      v=$(median_ms "$comp" "$THREADS"); cb=$(best "$v" "$cb")
    done
    FP32[$label.$ISA]=$fb
    COMP[$label.$ISA]=$cb
    IFS=',' read -r -a bases <<<"$base"
    for bl in "${bases[@]}"; do
      own=$fb note=""
      if [ "$bl" != own ]; then
        own=${FP32[$bl.$ISA]:-}
        note=" (vs $bl fp32)"
      fi
      [ -n "$own" ] || continue
      awk -v l="$label" -v p="$prec$note" -v i="$ISA" -v c="$cb" -v f="$own" -v r="$ref" \
        'BEGIN{printf "| %s | %s | %s | %.4f | %.4f | %.2f | %.2f× | %d |\n", l, p, i, c, f, c / f, f / c, r}' >>"$table.compressed"
    done
  done
done

{
  echo "### Compressed vs fp32 (batch 1, threads $THREADS, median of $RUNS, best of $ROUNDS rounds)"
  echo
  cat "$table.compressed"
  echo
} >"$table"

if [ "${SKIP_TORCH:-0}" != 1 ] && [ -x "$BIN/bench_models" ]; then
  # The benchmark programs are not part of `make build`: a stale one would time old kernels.
  if [ "$BIN/bench_models" -ot "$BIN/slimrt-run" ]; then
    echo "models.sh: $BIN/bench_models is older than $BIN/slimrt-run; rebuild it (cmake --build build --target benchmarks) or set SKIP_TORCH=1" >&2
    exit 1
  fi
  mkdir -p "$OUT/untrained"
  {
    echo "### fp32 exports vs LibTorch eager (bench_models, untrained weights, batch 1, 1 thread)"
    echo
    echo '```'
    "$BIN/bench_models" --runs "$RUNS" --save "$OUT/untrained"
    echo '```'
    echo
  } >>"$table"
fi

if [ "${SKIP_SCALING:-0}" != 1 ] && [ -d "$OUT/untrained" ]; then
  {
    echo "### Threads (fp32 exports, batch 1; outputs bit-identical to 1 thread)"
    echo
    echo "| model | 1 thread ms | 2 threads ms | speedup |"
    echo "|---|---:|---:|---:|"
    for m in audio_cnn vgg_small lenet5; do
      f="$OUT/untrained/$m.slim"
      [ -f "$f" ] || continue
      one="" two=""
      for _ in $(seq "$ROUNDS"); do
        v=$(median_ms "$f" 1); one=$(best "$v" "$one")
        v=$(median_ms "$f" 2); two=$(best "$v" "$two")
      done
      awk -v m="$m" -v a="$one" -v b="$two" 'BEGIN{printf "| %s | %.4f | %.4f | %.2f× |\n", m, a, b, a / b}'
    done
    echo
  } >>"$table"
fi
cat "$table"
