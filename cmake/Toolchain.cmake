# Compiler launcher, warnings and build configurations.

# ccache: with precompiled headers it needs some sloppiness to hit.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(_launcher ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${CMAKE_SOURCE_DIR} ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_launcher})
  message(STATUS "SlimLab: using ccache (${CCACHE_PROGRAM})")
endif()

# Warnings for our own targets only (LibTorch headers are system headers).
add_library(slimlab_warnings INTERFACE)
target_compile_options(slimlab_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter -Wno-sign-compare>)

# ASan + UBSan configuration: cmake -DCMAKE_BUILD_TYPE=ASan
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    CACHE STRING "C++ flags for the ASan+UBSan build" FORCE)
set(CMAKE_C_FLAGS_ASAN "${CMAKE_CXX_FLAGS_ASAN}" CACHE STRING "C flags for the ASan+UBSan build" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "" FORCE)

# Executables load only the shared libraries they use: a test of a torch-free
# unit does not pay LibTorch's start-up for every test case ctest launches.
add_link_options(LINKER:--as-needed)
