# cmake -DOUT=<file.cpp> -DSOURCES="a.cl;b.cl" -P embed_cl.cmake
# Writes the OpenCL C sources into a C++ table (slimrt::opencl::detail::kSources) so the
# library carries its kernels: no files to install next to the binary.
set(_body "")
set(_names "")
set(_i 0)
foreach(_src ${SOURCES})
  get_filename_component(_name ${_src} NAME)
  file(READ ${_src} _text)
  # Raw string literals; a delimiter that cannot appear in OpenCL C.
  string(APPEND _body "static const char kSrc${_i}[] = R\"slimrtcl(${_text})slimrtcl\";\n")
  string(APPEND _names "  {\"${_name}\", kSrc${_i}},\n")
  math(EXPR _i "${_i} + 1")
endforeach()
set(_out "// Generated from deploy/runtime/opencl/cl/*.cl by embed_cl.cmake. Do not edit.\n")
string(APPEND _out "#include \"source_table.h\"\n\nnamespace slimrt::opencl::detail {\nnamespace {\n")
string(APPEND _out "${_body}}  // namespace\n\nconst SourceFile kSources[] = {\n${_names}};\n")
string(APPEND _out "const int kSourceCount = ${_i};\n\n}  // namespace slimrt::opencl::detail\n")
include(${CMAKE_CURRENT_LIST_DIR}/../schema/write_if_changed.cmake)
slimrt_write_if_changed("${OUT}" "${_out}")
