#!/usr/bin/env bash
# libFuzzer targets of SlimLab (docs/RELIABILITY.md). Needs clang + libclang-rt-14-dev.
#
#   tools/fuzz.sh build                    configure + build build-fuzz/ (clang, ASan+UBSan, no LibTorch)
#   tools/fuzz.sh list                     the targets
#   tools/fuzz.sh seeds                    (re)make the seeds in build-fuzz/seeds/ (real-data excerpts too)
#   tools/fuzz.sh run NAME [SECONDS] [libFuzzer flags...]
#                                          fuzz one target (default 600 s) at nice 19; new inputs
#                                          go to build-fuzz/corpus/NAME, crashes to build-fuzz/crashes/NAME
#   tools/fuzz.sh repro NAME FILE          run one input through a target (a crash reproduces)
#
# Environment: FUZZ_BUILD (default build-fuzz), SLIMLAB_DATASETS (default ../shared/datasets).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-build-fuzz}
# Every allocation above this is a finding: a loader must not allocate what a file claims.
FUZZ_FLAGS=(-malloc_limit_mb=512 -rss_limit_mb=2048 -timeout=30 -print_final_stats=1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets() { (cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//; s/^fuzz_//'); }

build() {
  command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (tools/install-deps.sh)" >&2; exit 1; }
  if [ ! -f "$B/build.ninja" ]; then
    cmake -S . -B "$B" -G Ninja -DSLIMLAB_FUZZ=ON -DCMAKE_BUILD_TYPE=Fuzz \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
  fi
  cmake --build "$B" -j "${JOBS:-$(nproc)}" --target fuzz_targets fuzz_make_seeds
}

# The directories a target reads its corpus from: the working one first (it grows).
corpus_dirs() {
  local name=$1 work="$B/corpus/$1"
  mkdir -p "$work" "$B/crashes/$name"
  if [ "$name" = toml ]; then cp -n experiments/*.toml "$work/" 2>/dev/null || true; fi
  # Excerpts of the real datasets (MNIST, FSDD, HMP) are made at run time from
  # ${SLIMLAB_DATASETS}: the datasets are read by path, never copied into the repo.
  if [ ! -d "$B/seeds" ] && [ -x "$B/bin/fuzz_make_seeds" ] && [ -d "${SLIMLAB_DATASETS:-../shared/datasets}" ]; then
    "$B/bin/fuzz_make_seeds" "${SLIMLAB_DATASETS:-../shared/datasets}" "$B/seeds" >/dev/null 2>&1 || true
  fi
  echo "$work"
  [ -d "fuzz/corpus/$name" ] && echo "fuzz/corpus/$name"
  [ -d "$B/seeds/$name" ] && echo "$B/seeds/$name"
  return 0
}

cmd=${1:-}
case "$cmd" in
  build) build ;;
  list) targets ;;
  seeds)
    build
    rm -rf "$B/seeds"
    "$B/bin/fuzz_make_seeds" "${SLIMLAB_DATASETS:-../shared/datasets}" "$B/seeds" ;;
  run)
    name=${2:?usage: tools/fuzz.sh run NAME [SECONDS]}; secs=${3:-600}; shift $(( $# < 3 ? $# : 3 ))
    exe="$B/bin/fuzz_$name"
    [ -x "$exe" ] || { echo "fuzz.sh: $exe missing (tools/fuzz.sh build)" >&2; exit 1; }
    mapfile -t dirs < <(corpus_dirs "$name")
    dict=(); [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="fuzz/dict/$name.dict")
    if [[ $name == *_h5 ]]; then
      # libhdf5 mallocs sizes read from damaged metadata: NULL (an HDF5 error) as in a
      # normal process, not an ASan abort; its own free-list "leaks" are suppressed.
      export ASAN_OPTIONS=$ASAN_OPTIONS:allocator_may_return_null=1
      export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan-hdf5.supp
      # Files that make libhdf5 loop end at the isolated read's deadline (h5_guard.h):
      # 5 s, so that a harness's two reads stay under libFuzzer's 30 s -timeout.
      export SLIMLAB_H5_PROBE_SECONDS=${SLIMLAB_H5_PROBE_SECONDS:-5}
    fi
    exec nice -n 19 "$exe" "${FUZZ_FLAGS[@]}" "${dict[@]}" -max_total_time="$secs" \
      -artifact_prefix="$B/crashes/$name/" "$@" "${dirs[@]}" ;;
  repro)
    name=${2:?usage: tools/fuzz.sh repro NAME FILE}; file=${3:?}
    [[ $name == *_h5 ]] && export ASAN_OPTIONS=$ASAN_OPTIONS:allocator_may_return_null=1 \
      LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan-hdf5.supp SLIMLAB_H5_PROBE_SECONDS=${SLIMLAB_H5_PROBE_SECONDS:-5}
    exec "$B/bin/fuzz_$name" "${FUZZ_FLAGS[@]}" "$file" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
