# slimrt CPU kernels (included by deploy/runtime/CMakeLists.txt, into target `slimrt`).
#   registry.cpp   registry, run-time CPU feature detection
#   common.cpp     names, registry entries, the SIMD families compiled in
#   simd_loader.cpp / simd_library.cpp   the shared build's optional libslimrt_simd.so
#                  (deploy/runtime/shared.cmake), not in the static library
#   ref/*.cpp      reference kernels (the oracle), every op and precision
#   x86/*_avx2.cpp, x86/*_avx512.cpp   compiled with their own target flags, chosen at run time
#   neon/*.cpp     aarch64 builds only
set(_k ${CMAKE_CURRENT_LIST_DIR})
file(GLOB _k_ref CONFIGURE_DEPENDS ${_k}/registry.cpp ${_k}/common.cpp ${_k}/ref/*.cpp)
target_sources(slimrt PRIVATE ${_k_ref})
# The reference kernels at -O2: they are the oracle and the fallback of ops without a
# SIMD variant (memory-bound there); -O3's unrolling would double their size.
file(GLOB _k_ref_kernels CONFIGURE_DEPENDS ${_k}/ref/*.cpp)
# Kernels never throw (kernels.h): no unwind tables for them (≈ 1/3 of .eh_frame). A
# bad_alloc while the registry is first filled (registration code shares these files)
# terminates instead of propagating — the registry reserves its storage up front.
set(SLIMRT_KERNEL_NOEXCEPT_FLAGS $<$<CXX_COMPILER_ID:GNU,Clang>:-fno-exceptions -fno-asynchronous-unwind-tables -fno-unwind-tables>)
set_source_files_properties(${_k_ref_kernels} PROPERTIES COMPILE_OPTIONS "$<$<CONFIG:Release>:-Os>;${SLIMRT_KERNEL_NOEXCEPT_FLAGS}")
target_include_directories(slimrt PUBLIC $<BUILD_INTERFACE:${_k}/..>)
target_compile_definitions(slimrt PUBLIC SLIMRT_HAVE_KERNELS)

# SIMD variants of the element-wise, pooling and mean ops (simd/elementwise.inc, pool.inc:
# ≈ 25 KB of text per ISA). OFF keeps their reference kernels only (library size).
option(SLIMRT_SIMD_ELEMENTWISE "SIMD kernels for activations, Add, pooling and means" ON)
if(SLIMRT_SIMD_ELEMENTWISE)
  target_compile_definitions(slimrt PRIVATE SLIMRT_SIMD_ELEMENTWISE)
endif()
# The SIMD sources and the definitions that name them: the shared build (shared.cmake)
# moves them from the core into the optional libslimrt_simd.so.
set(SLIMRT_SIMD_SOURCES "")
set(SLIMRT_SIMD_DEFINITIONS "")

set(SLIMRT_KERNEL_ARCH generic)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(SLIMRT_KERNEL_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(SLIMRT_KERNEL_ARCH aarch64)
endif()

if(SLIMRT_KERNEL_ARCH STREQUAL "x86" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  # Each file enables its ISA with #pragma GCC target around its kernels only (shared
  # inline helpers stay baseline code); the registry hands its kernels to a CPU that has
  # the ISA (registry.cpp: cpu_supports).
  # SLIMRT_X86_ISAS picks the variants compiled in (each costs library size: AVX2
  # ≈ 60 KB, AVX-512 ≈ 85 KB of text); the reference kernels are always there.
  set(SLIMRT_X86_ISAS "avx2;avx512" CACHE STRING "x86 kernel variants to build: avx2, avx512 (empty: reference only)")
  set(_k_x86 "")
  foreach(_isa ${SLIMRT_X86_ISAS})
    if(NOT _isa MATCHES "^(avx2|avx512)$")
      message(FATAL_ERROR "SLIMRT_X86_ISAS: unknown ISA '${_isa}' (avx2, avx512)")
    endif()
    list(APPEND _k_x86 ${_k}/x86/${_isa}.cpp)
    string(TOUPPER ${_isa} _ISA)
    target_compile_definitions(slimrt PRIVATE SLIMRT_HAVE_${_ISA}_KERNELS)
    list(APPEND SLIMRT_SIMD_DEFINITIONS SLIMRT_HAVE_${_ISA}_KERNELS)
  endforeach()
  if(_k_x86)
    set_source_files_properties(${_k_x86} PROPERTIES COMPILE_OPTIONS "-ffp-contract=fast;${SLIMRT_KERNEL_NOEXCEPT_FLAGS}")
    target_sources(slimrt PRIVATE ${_k_x86})
    set(SLIMRT_SIMD_SOURCES ${_k_x86})
  endif()
elseif(SLIMRT_KERNEL_ARCH STREQUAL "aarch64")
  file(GLOB _k_neon CONFIGURE_DEPENDS ${_k}/neon/*.cpp)
  set_source_files_properties(${_k_neon} PROPERTIES COMPILE_OPTIONS "-ffp-contract=fast;${SLIMRT_KERNEL_NOEXCEPT_FLAGS}")
  target_sources(slimrt PRIVATE ${_k_neon})
  target_compile_definitions(slimrt PRIVATE SLIMRT_HAVE_NEON_KERNELS)
  set(SLIMRT_SIMD_SOURCES ${_k_neon})
  list(APPEND SLIMRT_SIMD_DEFINITIONS SLIMRT_HAVE_NEON_KERNELS)
endif()
