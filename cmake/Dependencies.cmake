# Every third-party package comes from Debian 12 (tools/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# LibTorch (libtorch-dev 1.13). Its CMake config adds -D_GLIBCXX_USE_CXX11_ABI=1.
# The fuzz build (cmake/Fuzz.cmake) is torch-free: no slimlab_torch, no *_torch libraries.
if(NOT SLIMLAB_FUZZ)
  find_package(Torch REQUIRED CONFIG)
  add_library(slimlab_torch INTERFACE)
  target_link_libraries(slimlab_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(slimlab_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()

find_package(HDF5 REQUIRED COMPONENTS C)
add_library(slimlab_hdf5 INTERFACE)
target_include_directories(slimlab_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(slimlab_hdf5 INTERFACE ${HDF5_C_LIBRARIES})
target_compile_definitions(slimlab_hdf5 INTERFACE ${HDF5_DEFINITIONS})

pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
find_package(ZLIB REQUIRED)

# toml++ (header-only in Debian 12: libtomlplusplus-dev 3.3)
find_package(tomlplusplus CONFIG QUIET)
if(TARGET tomlplusplus::tomlplusplus)
  add_library(slimlab_tomlplusplus INTERFACE)
  target_link_libraries(slimlab_tomlplusplus INTERFACE tomlplusplus::tomlplusplus)
else()
  pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
  add_library(slimlab_tomlplusplus INTERFACE)
  target_link_libraries(slimlab_tomlplusplus INTERFACE PkgConfig::TOMLPP)
endif()

# CLI11 is header-only (libcli11-dev); find its header.
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
add_library(slimlab_cli11 INTERFACE)
target_include_directories(slimlab_cli11 SYSTEM INTERFACE ${CLI11_INCLUDE_DIR})

if(SLIMLAB_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SLIMLAB_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
