#!/usr/bin/env bash
# Cross-builds slimrt alone (deploy/runtime: no LibTorch, no training side) for
# aarch64 with g++-aarch64-linux-gnu and runs its tests under qemu-aarch64, so the
# NEON kernels are tested for real on an x86 host. `make test` runs it after the host
# suite; CI does the same. Usage: tools/cross-test.sh [build-dir] (default build-aarch64).
# Skips (exit 0, with a message) when the cross compiler or qemu-user is missing,
# unless SLIMRT_CROSS_REQUIRED=1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build-aarch64}
JOBS=${JOBS:-$(nproc)}

missing=""
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=" g++-aarch64-linux-gnu"
command -v qemu-aarch64 >/dev/null || command -v qemu-aarch64-static >/dev/null || missing+=" qemu-user"
if [[ -n "$missing" ]]; then
  echo "cross-test: skipped, missing:$missing (tools/install-deps.sh installs them)"
  [[ "${SLIMRT_CROSS_REQUIRED:-0}" == 1 ]] && exit 1
  exit 0
fi

# The shared libraries too (libslimrt.so + the optional libslimrt_simd.so): the device
# build's size budget and the pair's loading are tested here.
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -S deploy/runtime -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLIMRT_BUILD_SHARED=ON \
        -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" >/dev/null
else
  cmake "$BUILD_DIR" -DSLIMRT_BUILD_SHARED=ON >/dev/null
fi
echo "cross-test: building slimrt + tests for aarch64 in $BUILD_DIR"
cmake --build "$BUILD_DIR" -j "$JOBS"
# Tests that start slimrt's own tools prefix them with this (there is no binfmt_misc
# registration to rely on).
QEMU=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
export SLIMRT_TEST_EMULATOR="$QEMU -L /usr/aarch64-linux-gnu"
echo "cross-test: running the runtime tests under $QEMU"
cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" --timeout 600
