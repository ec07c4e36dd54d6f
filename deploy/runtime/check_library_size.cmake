# ctest rt_core_library_size: strips a copy of LIBRARY with STRIP and fails when the
# copy is larger than LIMIT bytes. cmake -DLIBRARY=… -DSTRIP=… -DLIMIT=… -P this file.
get_filename_component(_name ${LIBRARY} NAME)
set(_copy ${CMAKE_CURRENT_BINARY_DIR}/stripped-${_name})
execute_process(COMMAND ${STRIP} -o ${_copy} ${LIBRARY} RESULT_VARIABLE _rc ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${STRIP} -o ${_copy} ${LIBRARY} failed: ${_err}")
endif()
file(SIZE ${_copy} _size)
math(EXPR _kib "${_size} / 1024")
if(_size GREATER LIMIT)
  message(FATAL_ERROR "${_name} stripped is ${_size} bytes (${_kib} KiB), over the budget of ${LIMIT} bytes")
endif()
message(STATUS "${_name} stripped: ${_size} bytes (${_kib} KiB), budget ${LIMIT}")
