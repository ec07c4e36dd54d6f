# slimrt sensor front end (included by deploy/runtime/CMakeLists.txt): a static
# library of its own, `slimrt_frontend`, so the core library keeps its size budget
# (docs/SLIMRT.md "Sensor front end", size figures there): the kernels
# (frontend/*.cpp), the front-end ops of the graph (ops/frontend/*.cpp, added to
# slimrt's op table by slimrt_frontend_register()) and the streaming C API
# (slimrt/stream.h). Needs only the C++ standard library and slimrt.
file(GLOB _fe_src CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp ${CMAKE_CURRENT_LIST_DIR}/../ops/frontend/*.cpp)
add_library(slimrt_frontend STATIC ${_fe_src})
add_dependencies(slimrt_frontend slimrt_schema)
target_link_libraries(slimrt_frontend PUBLIC slimrt)
target_include_directories(slimrt_frontend
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_CURRENT_LIST_DIR}/../src)
target_compile_options(slimrt_frontend PRIVATE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-sign-compare -ffunction-sections -fdata-sections>)
