# cmake -DCLANG=<clang> -DSOURCES="a.cl;b.cl" -DWORK=<dir> -P check_cl.cmake
# Compiles the kernel program with clang's OpenCL front end for two device profiles the
# CI's PoCL does not have: one with cl_khr_fp16 (the half-arithmetic paths) and one
# with neither cl_khr_fp16 nor cl_khr_fp64 (the fallbacks' #ifdefs). Fails on any
# diagnostic.
set(_text "")
foreach(_src ${SOURCES})
  file(READ ${_src} _t)
  string(APPEND _text "${_t}\n")
endforeach()
file(WRITE ${WORK}/slimrt_kernels_check.cl "${_text}")
foreach(_ext "+cl_khr_fp16,+cl_khr_fp64" "-cl_khr_fp16,-cl_khr_fp64")
  execute_process(
    COMMAND ${CLANG} -x cl -cl-std=CL1.2 -Xclang -finclude-default-header -target spir64
            -Xclang -cl-ext=-all,+cl_khr_byte_addressable_store,${_ext} -Werror -fsyntax-only
            ${WORK}/slimrt_kernels_check.cl
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "OpenCL kernels do not compile with ${_ext}:\n${_out}${_err}")
  endif()
  message(STATUS "OpenCL kernels compile with ${_ext}")
endforeach()
