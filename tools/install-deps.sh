#!/usr/bin/env bash
# Installs every Debian 12 package SlimLab builds, tests or benchmarks with.
# Idempotent and quiet: when everything is already present it returns in well under
# a second without touching apt. Runs as root (CI, fresh machine); with sudo otherwise.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libgloo-dev
  libhdf5-dev hdf5-tools
  libeigen3-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  libimgui-dev libglfw3-dev libgl-dev xvfb xauth fonts-dejavu-core
  libflatbuffers-dev flatbuffers-compiler
  libtomlplusplus-dev libcli11-dev
  libsndfile1-dev zlib1g-dev libstb-dev libpng-dev
  libbenchmark-dev libgtest-dev libgmock-dev
  libopenblas-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev
  g++-aarch64-linux-gnu qemu-user libgl1-mesa-dri
  clang libclang-rt-14-dev
  libonnx-dev libprotobuf-dev protobuf-compiler python3-torch python3-onnx
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/slimlab-apt.log 2>&1 || {
  echo "install-deps: apt-get install failed; last lines of /tmp/slimlab-apt.log:" >&2
  tail -n 30 /tmp/slimlab-apt.log >&2
  exit 1
}
echo "install-deps: done"
