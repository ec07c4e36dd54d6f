# The libFuzzer build (docs/RELIABILITY.md): included by the top-level CMakeLists.txt
# when SLIMLAB_FUZZ=ON, in place of everything else.
#
#   cmake -S . -B build-fuzz -G Ninja -DSLIMLAB_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
#         -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Fuzz
#
# Builds the torch-free libraries (datasets, train, compress, slimrt, export,
# experiments) instrumented for coverage (-fsanitize=fuzzer-no-link) with ASan+UBSan,
# and one fuzz_<name> executable per fuzz/fuzz_*.cpp. LibTorch is never looked for:
# every parser SlimLab has lives in a torch-free library.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SLIMLAB_FUZZ needs clang++ (libFuzzer): -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
endif()

set(SLIMLAB_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(SLIMLAB_BUILD_BENCH OFF CACHE BOOL "" FORCE)
set(SLIMRT_OPENCL OFF CACHE BOOL "" FORCE)       # a device backend has no parser of its own
set(SLIMRT_BUILD_TOOLS OFF CACHE BOOL "" FORCE)

# -O1 keeps the sanitizers' reports readable at a good exec rate; assertions stay on.
set(CMAKE_CXX_FLAGS_FUZZ "-O1 -g -fno-omit-frame-pointer" CACHE STRING "C++ flags of the fuzz build" FORCE)
set(CMAKE_C_FLAGS_FUZZ "${CMAKE_CXX_FLAGS_FUZZ}" CACHE STRING "C flags of the fuzz build" FORCE)
# Every sanitizer finding is fatal, so libFuzzer stops on it and saves the input.
set(_slimlab_fuzz_san -fsanitize=address,undefined -fno-sanitize-recover=all)
add_compile_options(-fsanitize=fuzzer-no-link ${_slimlab_fuzz_san})
add_link_options(${_slimlab_fuzz_san})

include(cmake/Dependencies.cmake)
include(cmake/FolderLibrary.cmake)
add_subdirectory(datasets)
add_subdirectory(train)
add_subdirectory(compress)
add_subdirectory(deploy/runtime)
add_subdirectory(deploy/export)
add_subdirectory(import)
add_subdirectory(experiments)
add_subdirectory(fuzz)
