#pragma once
// Files that lie about their sizes or structure, shared by tests/test_hostile_sizes.cpp
// and `fuzz_make_seeds --hostile DIR` (the bad-input table of docs/RELIABILITY.md).
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "slimrt/writer.h"

namespace slimlab::fuzz {

// x → ReLU → y, both of `shape` (which may be absurd: the writer does not check).
inline std::vector<uint8_t> relu_model(std::vector<int64_t> shape) {
  slimrt::ModelWriter w;
  const int in = w.add_tensor("x", slimrt::DType::F32, shape);
  const int out = w.add_tensor("y", slimrt::DType::F32, shape);
  w.add_op(slimrt::OpType::Relu, "relu", {in}, {out});
  w.inputs = {in};
  w.outputs = {out};
  return w.finish();
}

// Two ops that feed each other: "first" reads c, which only "second" writes.
inline std::vector<uint8_t> cyclic_model() {
  slimrt::ModelWriter w;
  const int a = w.add_tensor("a", slimrt::DType::F32, {4});
  const int b = w.add_tensor("b", slimrt::DType::F32, {4});
  const int c = w.add_tensor("c", slimrt::DType::F32, {4});
  w.add_op(slimrt::OpType::Relu, "first", {c}, {b});
  w.add_op(slimrt::OpType::Relu, "second", {b}, {c});
  w.inputs = {a};
  w.outputs = {c};
  return w.finish();
}

// Replaces 1-D dataset `name` of an HDF5 file by `n` elements of `type`: written from
// `data`, or with data == nullptr chunked and never written (HDF5 allocates chunks only
// when written): a claim of 10^12 elements in a few KB. std::runtime_error on failure.
inline void replace_dataset(const std::filesystem::path& file, const std::string& name, hid_t type, hsize_t n,
                            const void* data) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error("cannot open " + file.string());
  herr_t ok = H5Ldelete(f, name.c_str(), H5P_DEFAULT);
  hsize_t dims[1] = {n}, chunk[1] = {1024};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (!data) H5Pset_chunk(dcpl, 1, chunk);
  hid_t ds = ok < 0 ? -1 : H5Dcreate2(f, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (ds < 0) ok = -1;
  if (ds >= 0 && data) ok = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (ds >= 0) H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  if (ok < 0) throw std::runtime_error("cannot replace " + name + " in " + file.string());
}

inline void replace_with_unwritten(const std::filesystem::path& file, const std::string& name, hid_t type,
                                   hsize_t n) {
  replace_dataset(file, name, type, n, nullptr);
}

inline void replace_int64s(const std::filesystem::path& file, const std::string& name,
                           const std::vector<int64_t>& values) {
  replace_dataset(file, name, H5T_NATIVE_INT64, values.size(), values.data());
}

// A variable-length string type (the caller closes it).
inline hid_t vlen_string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  return t;
}

inline void replace_strings(const std::filesystem::path& file, const std::string& name,
                            const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  hid_t type = vlen_string_type();
  try {
    replace_dataset(file, name, type, ptrs.size(), ptrs.data());
  } catch (...) {
    H5Tclose(type);
    throw;
  }
  H5Tclose(type);
}

// model.h5 of `file`: the first param of layer `layer` declared 65536 × 65536 (2^32
// floats, 16 GB) with a data set of that length that stores nothing.
inline void claim_sixteen_gigabytes(const std::filesystem::path& file, const std::string& layer) {
  const std::string pg = "/layers/" + layer + "/params/0000";
  replace_int64s(file, pg + "/shape", {65536, 65536});
  replace_with_unwritten(file, pg + "/data", H5T_NATIVE_FLOAT, hsize_t(1) << 32);
}

}  // namespace slimlab::fuzz
