# Cross toolchain for 64-bit ARM Linux (Raspberry Pi 4/5 OS 64-bit, Jetson, Graviton):
#   cmake -S deploy/runtime -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# Binaries run on an x86 host through qemu-user (set as the crosscompiling emulator,
# so ctest / gtest_discover_tests run the tests under it). Debian: g++-aarch64-linux-gnu
# and qemu-user. See docs/BUILD.md.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # host tools (flatc) come from the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)     # header-only deps (FlatBuffers) are shared
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(_slimrt_qemu NAMES qemu-aarch64 qemu-aarch64-static)
if(_slimrt_qemu)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${_slimrt_qemu} -L /usr/aarch64-linux-gnu CACHE STRING "" FORCE)
endif()
