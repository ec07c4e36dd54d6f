# slimrt sensor front end (included by deploy/runtime/CMakeLists.txt): a static
# library of its own, `slimrt_frontend`, so the core library keeps its size budget
# (docs/SLIMRT.md "Sensor front end", size figures there). Needs only the C++
# standard library; includes slimrt's public headers.
file(GLOB _fe_src CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
add_library(slimrt_frontend STATIC ${_fe_src})
target_include_directories(slimrt_frontend
  PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../include
  PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
target_compile_options(slimrt_frontend PRIVATE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-sign-compare -ffunction-sections -fdata-sections>)
