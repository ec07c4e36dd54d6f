# slimrt CPU kernels (included by deploy/runtime/CMakeLists.txt, into target `slimrt`).
#   registry.cpp   names, registry, run-time CPU feature detection
#   ref/*.cpp      reference kernels (the oracle), every op and precision
#   x86/*_avx2.cpp, x86/*_avx512.cpp   compiled with their own target flags, chosen at run time
#   neon/*.cpp     aarch64 builds only
set(_k ${CMAKE_CURRENT_LIST_DIR})
file(GLOB _k_ref CONFIGURE_DEPENDS ${_k}/registry.cpp ${_k}/ref/*.cpp)
target_sources(slimrt PRIVATE ${_k_ref})
target_include_directories(slimrt PUBLIC $<BUILD_INTERFACE:${_k}/..>)
target_compile_definitions(slimrt PUBLIC SLIMRT_HAVE_KERNELS)

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
  set(_k_x86 ${_k}/x86/avx2.cpp ${_k}/x86/avx512.cpp)
  set_source_files_properties(${_k_x86} PROPERTIES COMPILE_OPTIONS "-ffp-contract=fast")
  target_sources(slimrt PRIVATE ${_k_x86})
  target_compile_definitions(slimrt PRIVATE SLIMRT_HAVE_X86_KERNELS)
elseif(SLIMRT_KERNEL_ARCH STREQUAL "aarch64")
  file(GLOB _k_neon CONFIGURE_DEPENDS ${_k}/neon/*.cpp)
  set_source_files_properties(${_k_neon} PROPERTIES COMPILE_OPTIONS "-ffp-contract=fast")
  target_sources(slimrt PRIVATE ${_k_neon})
  target_compile_definitions(slimrt PRIVATE SLIMRT_HAVE_NEON_KERNELS)
endif()
