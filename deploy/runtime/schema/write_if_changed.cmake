# include()d by the build-time generators (schema/gen_schema.cmake, opencl/embed_cl.cmake):
# writes TEXT to FILE only when it differs from what is there, so an unchanged
# generated source does not trigger a rebuild.
function(slimrt_write_if_changed FILE TEXT)
  if(EXISTS "${FILE}")
    file(READ "${FILE}" _old)
    if(_old STREQUAL TEXT)
      return()
    endif()
  endif()
  file(WRITE "${FILE}" "${TEXT}")
endfunction()
