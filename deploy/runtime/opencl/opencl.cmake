# slimrt's OpenCL backend (deploy/runtime/opencl), an optional separate library
# `slimrt_opencl` so the CPU library stays small and the aarch64 cross build is
# untouched. Included by deploy/runtime/CMakeLists.txt. ON by default for native
# builds when an OpenCL ICD loader and headers are found (-DSLIMRT_OPENCL=OFF to skip).
set(_slimrt_opencl_default OFF)
if(NOT CMAKE_CROSSCOMPILING)
  find_package(OpenCL QUIET)
  if(OpenCL_FOUND)
    set(_slimrt_opencl_default ON)
  endif()
endif()
option(SLIMRT_OPENCL "Build the OpenCL backend (slimrt_opencl)" ${_slimrt_opencl_default})
if(SLIMRT_OPENCL)
  if(NOT OpenCL_FOUND)
    find_package(OpenCL REQUIRED)
  endif()
  set(_ocl ${CMAKE_CURRENT_LIST_DIR})
  # The order of the sources is the order of the program text (common.cl first).
  set(_ocl_cl ${_ocl}/cl/common.cl ${_ocl}/cl/dense.cl ${_ocl}/cl/conv.cl ${_ocl}/cl/pool.cl
              ${_ocl}/cl/elementwise.cl ${_ocl}/cl/rnn.cl ${_ocl}/cl/selftest.cl)
  set(_ocl_gen ${CMAKE_CURRENT_BINARY_DIR}/generated/opencl_sources.cpp)
  add_custom_command(
    OUTPUT ${_ocl_gen}
    COMMAND ${CMAKE_COMMAND} -DOUT=${_ocl_gen} "-DSOURCES=${_ocl_cl}" -P ${_ocl}/embed_cl.cmake
    DEPENDS ${_ocl_cl} ${_ocl}/embed_cl.cmake
    COMMENT "Embedding OpenCL kernels"
    VERBATIM)
  file(GLOB _ocl_src CONFIGURE_DEPENDS ${_ocl}/*.cpp)
  add_library(slimrt_opencl STATIC ${_ocl_src} ${_ocl_gen})
  target_include_directories(slimrt_opencl PUBLIC ${_ocl}/include PRIVATE ${_ocl} ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_definitions(slimrt_opencl PUBLIC SLIMRT_HAVE_OPENCL CL_TARGET_OPENCL_VERSION=120
                             PRIVATE CL_USE_DEPRECATED_OPENCL_1_2_APIS)
  target_link_libraries(slimrt_opencl PUBLIC slimrt OpenCL::OpenCL)
  target_compile_options(slimrt_opencl PRIVATE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter -Wno-sign-compare>)
  # The kernels on device profiles PoCL lacks (cl_khr_fp16; no fp64), with clang's
  # OpenCL front end when it is installed.
  if(SLIMRT_BUILD_TESTS)
    find_program(SLIMRT_CLANG_CL NAMES clang-15 clang-16 clang-14 clang)
    if(SLIMRT_CLANG_CL)
      add_test(NAME opencl_kernels_compile_fp16_and_no_fp64
               COMMAND ${CMAKE_COMMAND} -DCLANG=${SLIMRT_CLANG_CL} "-DSOURCES=${_ocl_cl}"
                       -DWORK=${CMAKE_CURRENT_BINARY_DIR} -P ${_ocl}/check_cl.cmake)
      set_tests_properties(opencl_kernels_compile_fp16_and_no_fp64 PROPERTIES LABELS runtime)
    endif()
  endif()
  message(STATUS "slimrt: OpenCL backend ON (${OpenCL_LIBRARIES})")
else()
  message(STATUS "slimrt: OpenCL backend OFF")
endif()
