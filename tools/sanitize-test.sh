#!/usr/bin/env bash
# CI: ASan + UBSan over the torch-free libraries (datasets, the Graph IR and its
# file format, compression rewrites, export, experiments: every parser) and slimrt
# (loader, verifier, kernels, OpenCL on PoCL), with their tests, in build-san/.
# LibTorch code and the tests that drive the slimlab binary are left to `make asan`
# (the whole suite, ≈ 35 min on 2 cores). Any sanitizer report fails the test.
# With clang (CI installs it) the same build is instrumented for libFuzzer too and
# also builds the fuzz targets, which tools/fuzz-ci.sh then runs from this folder
# (FUZZ_BUILD=build-san): one sanitizer compile serves both.
#   SAN_BUILD  build folder (default build-san)     JOBS  parallel jobs (default nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SAN_BUILD:-build-san}
JOBS=${JOBS:-$(nproc)}
t0=$(date +%s)
compilers=()
if command -v clang++ >/dev/null; then compilers=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++); fi
if [ ! -f "$B/build.ninja" ]; then
  cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=ASan -DSLIMLAB_BUILD_BENCH=OFF "${compilers[@]}" >/dev/null
fi
# The torch-free test programs: tests/test_*.cpp except *_torch, those that run the
# slimlab binary (test_cli_*, test_gui_deploy) and the X11 window (test_gui_window);
# every tests/runtime/test_*.cpp (rt_test_*, label "runtime").
targets=() labels=(runtime)
for f in tests/test_*.cpp; do
  n=$(basename "$f" .cpp)
  case "$n" in *_torch|test_cli_*|test_gui_deploy|test_gui_window) continue ;; esac
  targets+=("$n"); labels+=("$n")
done
for f in tests/runtime/test_*.cpp; do
  n=rt_$(basename "$f" .cpp)
  if [ "$n" = rt_test_opencl ] || [ "$n" = rt_test_opencl_models ]; then
    grep -q 'SLIMRT_OPENCL:BOOL=ON' "$B/CMakeCache.txt" || continue
  fi
  if [ "$n" = rt_test_shared_library ]; then  # built with the shared libraries only
    grep -q 'SLIMRT_BUILD_SHARED:BOOL=ON' "$B/CMakeCache.txt" || continue
  fi
  targets+=("$n")
done
if grep -q 'CMAKE_CXX_COMPILER_ID:.*Clang\|clang++' "$B/CMakeCache.txt"; then
  targets+=(fuzz_targets fuzz_make_seeds)
fi
cmake --build "$B" -j "$JOBS" --target "${targets[@]}"
t1=$(date +%s)
echo "sanitize-test: built ${#targets[@]} test programs in $((t1 - t0)) s"
regex="^($(IFS='|'; echo "${labels[*]}"))\$"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tools/lsan-suppressions.txt}
ctest --test-dir "$B" -L "$regex" -j "$JOBS" --output-on-failure --timeout 900
echo "sanitize-test: tests done in $(( $(date +%s) - t1 )) s; total $(( $(date +%s) - t0 )) s"
