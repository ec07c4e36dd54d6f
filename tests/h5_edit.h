#pragma once
// Small edits of a finished HDF5 file through the C API, as a hostile writer would:
// replace a dataset or an attribute in place. Shared by the graph and results
// file tests.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace slimlab::test {

struct H5Edit {
  hid_t f;
  explicit H5Edit(const std::filesystem::path& p) : f(H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) {
    EXPECT_GE(f, 0);
  }
  ~H5Edit() {
    if (f >= 0) H5Fclose(f);
  }
  H5Edit(const H5Edit&) = delete;
  H5Edit& operator=(const H5Edit&) = delete;
  bool ok() const { return f >= 0; }

  void remove(const char* name) { EXPECT_GE(H5Ldelete(f, name, H5P_DEFAULT), 0); }
  // A dataset `name` (replacing any) of file type `file_type`, written from `data` of memory type `mem_type`.
  void put_raw(const char* name, hid_t file_type, hid_t mem_type, const void* data, const std::vector<hsize_t>& dims) {
    if (H5Lexists(f, name, H5P_DEFAULT) > 0) remove(name);
    hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
    hid_t ds = H5Dcreate2(f, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    H5Dclose(ds);
    H5Sclose(space);
  }
  void put(const char* name, const std::vector<int64_t>& data, const std::vector<hsize_t>& dims,
           hid_t type = H5T_NATIVE_INT64) {
    put_raw(name, H5T_STD_I64LE, type, data.data(), dims);
  }
  void put_doubles(const char* name, const std::vector<double>& data) {
    put_raw(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data.data(), {data.size()});
  }
  void put_floats(const char* name, const std::vector<float>& data) {
    put_raw(name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data.data(), {data.size()});
  }
  // Variable-length strings.
  void put_strings(const char* name, const std::vector<std::string>& data) {
    std::vector<const char*> p;
    for (const std::string& s : data) p.push_back(s.c_str());
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    put_raw(name, t, t, p.data(), {p.size()});
    H5Tclose(t);
  }

  // A scalar attribute `key` of `obj` (replacing any).
  void attr_raw(const char* obj, const char* key, hid_t file_type, hid_t mem_type, const void* v) {
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    if (H5Aexists(o, key) > 0) H5Adelete(o, key);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(o, key, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, mem_type, v);
    H5Aclose(a);
    H5Sclose(space);
    H5Oclose(o);
  }
  void attr(const char* obj, const char* key, double v) { attr_raw(obj, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v); }
  void attr(const char* obj, const char* key, int64_t v) { attr_raw(obj, key, H5T_STD_I64LE, H5T_NATIVE_INT64, &v); }
  // A fixed-length string.
  void attr(const char* obj, const char* key, const std::string& v) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, v.size());
    attr_raw(obj, key, type, type, v.data());
    H5Tclose(type);
  }
};

}  // namespace slimlab::test
