# The shared libraries a device app links (included by CMakeLists.txt when
# SLIMRT_BUILD_SHARED=ON; sizes in docs/BENCHMARKS.md "slimrt library size"):
#   libslimrt.so       the core: loader, verifier, interpreter, planner, threads, operating
#                      points, C API and the reference kernels — the 200 KB budget;
#   libslimrt_simd.so  the optional SIMD kernels (AVX2 / AVX-512 or NEON). The core
#                      dlopen()s it from its own directory when its registry is first
#                      used (kernels/simd_loader.cpp); without it the reference kernels
#                      run (same results, slower; slimrt_kernel_library() says which).
# The static library `slimrt` (workbench, tools, tests) keeps everything built in.
get_target_property(_all_src slimrt SOURCES)
list(FILTER _all_src EXCLUDE REGEX "writer\\.cpp$")  # the exporter's side, not shipped
set(_core_src ${_all_src})
if(SLIMRT_SIMD_SOURCES)
  list(REMOVE_ITEM _core_src ${SLIMRT_SIMD_SOURCES})
endif()
list(APPEND _core_src ${CMAKE_CURRENT_SOURCE_DIR}/kernels/simd_loader.cpp)

# The pair's build identity: the core hands it to the SIMD library, which refuses a core
# of another build (kernel args are internal structs). A hash of the headers that define
# them, the compiler and the flags; a change to those headers reconfigures.
file(GLOB _abi_headers ${CMAKE_CURRENT_SOURCE_DIR}/kernels/*.h ${CMAKE_CURRENT_SOURCE_DIR}/include/slimrt/*.h)
set(_abi "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} ${CMAKE_CXX_FLAGS} ${CMAKE_BUILD_TYPE}")
foreach(_h ${_abi_headers})
  file(SHA256 ${_h} _h_hash)
  string(APPEND _abi " ${_h_hash}")
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_abi_headers})
string(SHA256 _abi_hash "${_abi}")
string(SUBSTRING ${_abi_hash} 0 16 SLIMRT_SIMD_BUILD_ID)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/kernels/simd_loader.cpp
                            ${CMAKE_CURRENT_SOURCE_DIR}/kernels/simd_library.cpp
                            PROPERTIES COMPILE_DEFINITIONS "SLIMRT_SIMD_BUILD_ID=\"${SLIMRT_SIMD_BUILD_ID}\"")

get_target_property(_inc slimrt INCLUDE_DIRECTORIES)
get_target_property(_defs slimrt COMPILE_DEFINITIONS)
get_target_property(_opts slimrt COMPILE_OPTIONS)
if(_defs)
  list(FILTER _defs EXCLUDE REGEX "^SLIMRT_HAVE_.*_KERNELS$")  # the core has no SIMD kernels
endif()
# Aarch64 devices run 4 KB or 16 KB pages (Raspberry Pi 4/5, Jetson, Graviton); GNU ld
# aligns aarch64 segments (and the RELRO end) to 64 KB, which pads a file by up to 64 KB.
# -DSLIMRT_MAX_PAGE_SIZE=65536 for a kernel with 64 KB pages, "" for the linker's default.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(_slimrt_page_default 16384)
else()
  set(_slimrt_page_default "")
endif()
set(SLIMRT_MAX_PAGE_SIZE "${_slimrt_page_default}" CACHE STRING
    "libslimrt.so segment alignment in bytes (-z max-page-size); empty: the linker's default")

# Link-time optimisation across the core's files (GCC): ≈ 16 KB less on aarch64.
option(SLIMRT_SHARED_LTO "Build the shared libraries with -flto (GCC)" ON)

function(slimrt_add_shared target output)
  add_library(${target} SHARED ${ARGN})
  add_dependencies(${target} slimrt_schema)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output} POSITION_INDEPENDENT_CODE ON
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_include_directories(${target} PRIVATE ${_inc})
  if(_defs)
    target_compile_definitions(${target} PRIVATE ${_defs})
  endif()
  if(_opts)
    target_compile_options(${target} PRIVATE ${_opts})
  endif()
  target_compile_definitions(${target} PRIVATE SLIMRT_BUILDING_SHARED)
  # Nothing C++ crosses the library's boundary (only the C API is exported, exceptions
  # are caught inside it) and nothing uses dynamic_cast/typeid: no RTTI (≈ 8 KB).
  target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-fno-rtti>)
  target_link_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wl,--gc-sections>)
  if(SLIMRT_MAX_PAGE_SIZE AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${target} PRIVATE -Wl,-z,max-page-size=${SLIMRT_MAX_PAGE_SIZE})
  endif()
  # Only the C API is exported (slimrt.map: slimrt_*): ≈ 8 KB less symbol table and relocations.
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_link_options(${target} PRIVATE -Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/slimrt.map)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/slimrt.map)
  endif()
endfunction()

slimrt_add_shared(slimrt_shared slimrt ${_core_src})
target_compile_definitions(slimrt_shared PRIVATE SLIMRT_OPTIONAL_SIMD)
if(SLIMRT_SHARED_LTO AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # (not for libslimrt_simd.so: cross-file inlining makes the kernels larger there)
  target_compile_options(slimrt_shared PRIVATE -flto=auto)
  target_link_options(slimrt_shared PRIVATE -flto=auto)
endif()
target_link_libraries(slimrt_shared PRIVATE ${CMAKE_DL_LIBS})
if(Threads_FOUND)
  target_link_libraries(slimrt_shared PRIVATE Threads::Threads)
endif()

if(SLIMRT_SIMD_SOURCES)
  # The SIMD files, their entry, and what they call of the kernel library: the names and
  # registry entries (common.cpp) and the reference Quantize of their tails.
  slimrt_add_shared(slimrt_simd slimrt_simd ${SLIMRT_SIMD_SOURCES}
                    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/simd_library.cpp
                    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/common.cpp
                    ${CMAKE_CURRENT_SOURCE_DIR}/kernels/ref/elementwise_ref.cpp)
  target_compile_definitions(slimrt_simd PRIVATE ${SLIMRT_SIMD_DEFINITIONS})
  target_link_options(slimrt_simd PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wl,--no-undefined>)
  add_dependencies(slimrt_shared slimrt_simd)  # the pair is built (and installed) together
endif()
