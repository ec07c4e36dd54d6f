# Example device apps (included by deploy/runtime/CMakeLists.txt, so the aarch64 cross
# build of tools/cross-test.sh builds them too). C99 against slimrt's public C API
# only (slimrt/slimrt.h, slimrt/stream.h); see deploy/examples/README.md.
if(TARGET slimrt_frontend)
  add_executable(slimrt-sensor-app ${CMAKE_CURRENT_LIST_DIR}/sensor_app.c)
  set_target_properties(slimrt-sensor-app PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                                                     LINKER_LANGUAGE CXX)  # slimrt is C++ inside
  target_compile_options(slimrt-sensor-app PRIVATE $<$<C_COMPILER_ID:GNU,Clang>:-Wall -Wextra -pedantic>)
  # The C API headers only: not slimrt's C++ include directories.
  target_include_directories(slimrt-sensor-app PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../runtime/include)
  target_link_libraries(slimrt-sensor-app PRIVATE slimrt_frontend slimrt)
  if(UNIX)
    target_link_libraries(slimrt-sensor-app PRIVATE m)
  endif()
  target_link_options(slimrt-sensor-app PRIVATE $<$<CXX_COMPILER_ID:GNU,Clang>:-Wl,--gc-sections>)
endif()
# A keyword-spotting-shaped demo model with random weights (C++: the writer API), to try
# and time the app without a trained model.
add_executable(slimrt-demo-model ${CMAKE_CURRENT_LIST_DIR}/demo_model.cpp)
target_link_libraries(slimrt-demo-model PRIVATE slimrt)
# The smallest app (C, the core C API), linked to the shared core libslimrt.so: the
# library pair a device ships (deploy/runtime/shared.cmake; tests/runtime/test_shared_library.cpp).
if(TARGET slimrt_shared)
  add_executable(slimrt-classify ${CMAKE_CURRENT_LIST_DIR}/classify.c)
  set_target_properties(slimrt-classify PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(slimrt-classify PRIVATE $<$<C_COMPILER_ID:GNU,Clang>:-Wall -Wextra -pedantic>)
  target_include_directories(slimrt-classify PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../runtime/include)
  target_link_libraries(slimrt-classify PRIVATE slimrt_shared)
endif()
