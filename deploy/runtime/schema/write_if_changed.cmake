# include()d by the build-time generators (schema/gen_schema.cmake, opencl/embed_cl.cmake)
# and by deploy/runtime/CMakeLists.txt at configure time.
# slimrt_write_if_changed: writes TEXT to FILE only when it differs from what is there, so
# an unchanged generated source does not trigger a rebuild.
function(slimrt_write_if_changed FILE TEXT)
  if(EXISTS "${FILE}")
    file(READ "${FILE}" _old)
    if(_old STREQUAL TEXT)
      return()
    endif()
  endif()
  file(WRITE "${FILE}" "${TEXT}")
endfunction()

# slimrt_write_family_list(FILE MACRO HEADER source...): FILE gets HEADER and then one line
# MACRO(name) per source file (name = its file name without extension) — the op families
# each ops/*.cpp (or ops/opencl/*.cpp) registers.
function(slimrt_write_family_list FILE MACRO HEADER)
  set(_text "${HEADER}\n")
  foreach(_f ${ARGN})
    get_filename_component(_n ${_f} NAME_WE)
    string(APPEND _text "${MACRO}(${_n})\n")
  endforeach()
  slimrt_write_if_changed("${FILE}" "${_text}")
endfunction()
