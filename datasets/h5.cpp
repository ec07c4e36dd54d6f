#include "datasets/h5.h"

#include "datasets/atomic_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "datasets/errors.h"

namespace slimlab::h5 {

namespace {

// HDF5 prints its error stack to stderr by default; we report errors ourselves.
struct SilenceHdf5 {
  SilenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const SilenceHdf5 silence_once;

std::vector<hsize_t> to_dims(const std::vector<int64_t>& shape) {
  std::vector<hsize_t> d;
  for (int64_t s : shape) d.push_back(hsize_t(s));
  return d;
}

size_t numel(const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (int64_t s : shape) n *= size_t(s);
  return n;
}

}  // namespace

namespace {
std::recursive_mutex& library_mutex() {
  static std::recursive_mutex mu;
  return mu;
}
}  // namespace

std::unique_lock<std::recursive_mutex> lock_library() { return std::unique_lock<std::recursive_mutex>(library_mutex()); }

void reset_library_lock_in_child() {
  // The forked child's only thread is not the lock's recorded owner (the parent's
  // thread id), so a recursive lock from it would wait forever: start it afresh, as
  // glibc does for its own locks after fork.
  new (&library_mutex()) std::recursive_mutex();
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  const auto lock = lock_library();
  if (id_ >= 0 && close_) close_(id_);
  id_ = -1;
}

File File::open_read(const std::filesystem::path& path) {
  const auto lock = lock_library();
  File f;
  f.path_ = path;
  if (!std::filesystem::exists(path)) throw data::DataError(path.string(), "no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw data::DataError(path.string(), "not an HDF5 file");
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw data::DataError(path.string(), "cannot open HDF5 file (damaged or truncated?)");
  f.file_ = Handle(id, H5Fclose);
  return f;
}

File File::create(const std::filesystem::path& path) {
  const auto lock = lock_library();
  File f;
  f.path_ = path;
  f.tmp_path_ = data::temp_path_for(path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  // Integrity: the 1.10 file format checksums every piece of metadata (superblock,
  // object headers with their attributes, chunk indexes), and every dataset carries
  // HDF5's Fletcher-32 filter, which the library verifies on each read — so a
  // damaged byte anywhere that matters is an error on open or read, never a silent
  // different value.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_LATEST);
  hid_t id = H5Fcreate(f.tmp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (id < 0) throw data::DataError(path.string(), "cannot create HDF5 file");
  f.file_ = Handle(id, H5Fclose);
  f.writable_ = true;
  return f;
}

File::~File() {
  const auto lock = lock_library();
  if (writable_ && file_.valid()) {
    file_.reset();
    std::error_code ec;
    std::filesystem::remove(tmp_path_, ec);
  }
}

void File::commit() {
  const auto lock = lock_library();
  if (!writable_) fail("commit() on a file opened for reading");
  data::fault_point("h5:mid-write");  // everything written, not yet flushed
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) fail("flush failed");
  file_.reset();
  writable_ = false;
  try {
    data::commit_file(tmp_path_, path_, "h5");
  } catch (const std::runtime_error&) {
    fail("cannot move the finished file into place");
  }
}

void File::fail(const std::string& what) const { throw data::DataError(path_.string(), what); }

void File::create_group(const std::string& name) {
  const auto lock = lock_library();
  if (exists(name)) return;
  // Create intermediate groups too.
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle g(H5Gcreate2(file_.get(), name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!g.valid()) fail("cannot create group '" + name + "'");
}

bool File::exists(const std::string& name) const {
  const auto lock = lock_library();
  if (name == "/" || name.empty()) return true;
  // Check every prefix: H5Lexists fails on a missing intermediate group.
  size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

void File::write_raw(const std::string& name, hid_t mem_type, hid_t file_type, const void* data,
                     const std::vector<int64_t>& shape, size_t count) {
  const auto lock = lock_library();
  if (numel(shape) != count)
    fail("dataset '" + name + "': " + std::to_string(count) + " values do not fill the shape");
  const auto slash = name.rfind('/');
  if (slash != std::string::npos && slash > 0) create_group(name.substr(0, slash));
  auto dims = to_dims(shape);
  Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  // Chunked (one chunk for small datasets), deflated when large, and Fletcher-32
  // checksummed (after deflate, so a read checks the stored bytes first).
  if (count > 0 && !dims.empty()) {
    std::vector<hsize_t> chunk = dims;
    const bool deflate = compression_ > 0 && count >= 4096;
    if (deflate) {
      size_t per = 1;
      for (size_t i = 1; i < chunk.size(); ++i) per *= chunk[i];
      chunk[0] = std::max<hsize_t>(
          1, std::min<hsize_t>(dims[0], hsize_t(std::max<size_t>(1, (1u << 18) / std::max<size_t>(per, 1)))));
    }
    H5Pset_chunk(dcpl.get(), int(chunk.size()), chunk.data());
    if (deflate) H5Pset_deflate(dcpl.get(), unsigned(compression_));
    H5Pset_fletcher32(dcpl.get());
  }
  Handle ds(H5Dcreate2(file_.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.valid()) fail("cannot create dataset '" + name + "'");
  if (count > 0 && H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail("cannot write dataset '" + name + "'");
}

void File::write(const std::string& name, const std::vector<float>& d, const std::vector<int64_t>& shape) {
  write_raw(name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, d.data(), shape, d.size());
}
void File::write(const std::string& name, const std::vector<double>& d, const std::vector<int64_t>& shape) {
  write_raw(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, d.data(), shape, d.size());
}
void File::write(const std::string& name, const std::vector<int32_t>& d, const std::vector<int64_t>& shape) {
  write_raw(name, H5T_NATIVE_INT32, H5T_STD_I32LE, d.data(), shape, d.size());
}
void File::write(const std::string& name, const std::vector<int64_t>& d, const std::vector<int64_t>& shape) {
  write_raw(name, H5T_NATIVE_INT64, H5T_STD_I64LE, d.data(), shape, d.size());
}

void File::write_strings(const std::string& name, const std::vector<std::string>& strings) {
  const auto lock = lock_library();
  // Fixed-length UTF-8 strings (the longest one's length, NUL-padded): they live in
  // the dataset itself, under its checksum (variable-length ones would live in the
  // global heap, which the format does not checksum).
  size_t width = 1;
  for (const auto& s : strings) width = std::max(width, s.size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  std::string packed(strings.size() * width, '\0');
  for (size_t i = 0; i < strings.size(); ++i) std::copy(strings[i].begin(), strings[i].end(), packed.begin() + long(i * width));
  write_raw(name, type.get(), type.get(), packed.data(), {int64_t(strings.size())}, strings.size());
}

std::vector<int64_t> File::shape(const std::string& name) const {
  const auto lock = lock_library();
  if (!exists(name)) fail("missing dataset '" + name + "'");
  Handle ds(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) fail("cannot open dataset '" + name + "'");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 16) fail("dataset '" + name + "' has an invalid rank");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<int64_t> out;
  for (hsize_t d : dims) out.push_back(int64_t(d));
  return out;
}

// Deflate (the only filter SlimLab writes) packs at most ≈ 1032:1, so a dataset that
// claims more than kMaxExpansion bytes per byte it stores is a hostile header; small
// ones pass (a dataset of unwritten fill values costs nothing to read).
constexpr uint64_t kMaxExpansion = 1100;
constexpr uint64_t kAlwaysReadable = uint64_t(1) << 16;

size_t File::checked_numel(const std::string& name, const std::vector<int64_t>& dims, hid_t ds,
                           size_t element_bytes) const {
  size_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > std::numeric_limits<size_t>::max() / size_t(d))) fail("dataset '" + name + "' is too large");
    n *= size_t(d);
  }
  if (n > (size_t(1) << 34)) fail("dataset '" + name + "' is implausibly large");
  const uint64_t claimed = uint64_t(n) * element_bytes;
  const uint64_t stored = H5Dget_storage_size(ds);
  if (claimed > kAlwaysReadable && claimed / kMaxExpansion > stored)
    fail("dataset '" + name + "' claims " + std::to_string(n) + " elements but the file stores only " +
         std::to_string(stored) + " bytes of it (damaged or hostile)");
  return n;
}

template <typename T>
std::vector<T> File::read_raw(const std::string& name, hid_t mem_type, std::vector<int64_t>* shape_out) const {
  const auto lock = lock_library();
  const auto dims = shape(name);
  Handle ds(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  // Refuse a size that does not match what the file can hold (a hostile header).
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  const bool want_float = std::is_floating_point<T>::value;
  if ((want_float && cls != H5T_FLOAT && cls != H5T_INTEGER) || (!want_float && cls != H5T_INTEGER))
    fail("dataset '" + name + "' has the wrong element type");
  const size_t file_bytes = std::max<size_t>(1, H5Tget_size(type.get()));
  std::vector<T> out(checked_numel(name, dims, ds.get(), std::min(sizeof(T), file_bytes)));
  if (!out.empty() && H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail("cannot read dataset '" + name + "' (damaged: its checksum does not match, or the file is truncated)");
  if (shape_out) *shape_out = dims;
  return out;
}

std::vector<float> File::read_floats(const std::string& name, std::vector<int64_t>* s) const {
  return read_raw<float>(name, H5T_NATIVE_FLOAT, s);
}
std::vector<double> File::read_doubles(const std::string& name, std::vector<int64_t>* s) const {
  return read_raw<double>(name, H5T_NATIVE_DOUBLE, s);
}
std::vector<int32_t> File::read_ints(const std::string& name, std::vector<int64_t>* s) const {
  return read_raw<int32_t>(name, H5T_NATIVE_INT32, s);
}
std::vector<int64_t> File::read_int64s(const std::string& name, std::vector<int64_t>* s) const {
  return read_raw<int64_t>(name, H5T_NATIVE_INT64, s);
}

std::vector<std::string> File::read_strings(const std::string& name) const {
  const auto lock = lock_library();
  const auto dims = shape(name);
  if (dims.size() != 1) fail("dataset '" + name + "' is not a list of strings");
  Handle ds(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle ftype(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(ftype.get()) != H5T_STRING) fail("dataset '" + name + "' is not a list of strings");
  std::vector<std::string> out;
  if (H5Tis_variable_str(ftype.get()) <= 0) {
    const size_t n = checked_numel(name, dims, ds.get(), 1);
    out.reserve(n);  // fixed length (what write_strings writes)
    const size_t width = H5Tget_size(ftype.get());
    if (width == 0 || width > (1u << 24) || (n > 0 && width > (size_t(1) << 32) / n))
      fail("dataset '" + name + "' is implausibly large");
    std::string packed(n * width, '\0');
    if (n > 0 && H5Dread(ds.get(), ftype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, packed.data()) < 0)
      fail("cannot read dataset '" + name + "' (damaged: its checksum does not match, or the file is truncated)");
    for (size_t i = 0; i < n; ++i) {
      const char* p = packed.data() + i * width;
      out.emplace_back(p, strnlen(p, width));
    }
    return out;
  }
  // Variable length: files written before fixed-length strings (read in the file's
  // own character set: HDF5 does not convert between ASCII and UTF-8).
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5Tget_cset(ftype.get()));
  // A variable-length string costs at least a 16-byte heap reference in the file.
  std::vector<char*> ptrs(checked_numel(name, dims, ds.get(), 16), nullptr);
  if (!ptrs.empty() && H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail("cannot read dataset '" + name + "'");
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (!ptrs.empty()) H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, ptrs.data());
  return out;
}

namespace {
Handle open_object(hid_t file, const std::string& object) {
  return Handle(H5Oopen(file, object.empty() ? "/" : object.c_str(), H5P_DEFAULT), H5Oclose);
}

// Writes the scalar attribute `key` of `object` (replacing any); "" on success, else why not.
std::string write_scalar_attr(hid_t file, const std::string& object, const std::string& key, hid_t mem_type,
                              hid_t file_type, const void* value) {
  Handle obj = open_object(file, object);
  if (!obj.valid()) return "no object '" + object + "' for attribute '" + key + "'";
  if (H5Aexists(obj.get(), key.c_str()) > 0) H5Adelete(obj.get(), key.c_str());
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a(H5Acreate2(obj.get(), key.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!a.valid() || H5Awrite(a.get(), mem_type, value) < 0) return "cannot write attribute '" + key + "'";
  return "";
}
}  // namespace

void File::set_attr(const std::string& object, const std::string& key, const std::string& value) {
  const auto lock = lock_library();
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(1, value.size()));
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const std::string buf = value.empty() ? std::string(1, '\0') : value;
  const std::string why = write_scalar_attr(file_.get(), object, key, type.get(), type.get(), buf.data());
  if (!why.empty()) fail(why);
}

void File::set_attr(const std::string& object, const std::string& key, double value) {
  const auto lock = lock_library();
  const std::string why = write_scalar_attr(file_.get(), object, key, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &value);
  if (!why.empty()) fail(why);
}

void File::set_attr(const std::string& object, const std::string& key, int64_t value) {
  const auto lock = lock_library();
  const std::string why = write_scalar_attr(file_.get(), object, key, H5T_NATIVE_INT64, H5T_STD_I64LE, &value);
  if (!why.empty()) fail(why);
}

std::optional<std::string> File::attr_string(const std::string& object, const std::string& key) const {
  const auto lock = lock_library();
  Handle obj = open_object(file_.get(), object);
  if (!obj.valid() || H5Aexists(obj.get(), key.c_str()) <= 0) return std::nullopt;
  Handle a(H5Aopen(obj.get(), key.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type.get()) > 0) {
    char* p = nullptr;
    if (H5Aread(a.get(), type.get(), &p) < 0) return std::nullopt;
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  const size_t n = H5Tget_size(type.get());
  if (n > (1u << 24)) fail("attribute '" + key + "' is implausibly large");
  std::string s(n, '\0');
  if (H5Aread(a.get(), type.get(), s.data()) < 0) return std::nullopt;
  s.resize(std::strlen(s.c_str()));
  return s;
}

std::optional<double> File::attr_double(const std::string& object, const std::string& key) const {
  const auto lock = lock_library();
  Handle obj = open_object(file_.get(), object);
  if (!obj.valid() || H5Aexists(obj.get(), key.c_str()) <= 0) return std::nullopt;
  Handle a(H5Aopen(obj.get(), key.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) return std::nullopt;
  double v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
  return v;
}

std::vector<std::string> File::attr_names(const std::string& object) const {
  const auto lock = lock_library();
  Handle obj = open_object(file_.get(), object);
  if (!obj.valid()) fail("no object '" + object + "'");
  H5O_info_t info;
  if (H5Oget_info2(obj.get(), &info, H5O_INFO_NUM_ATTRS) < 0) fail("cannot list attributes of '" + object + "'");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    char buf[512];
    ssize_t len = H5Aget_name_by_idx(obj.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof buf, H5P_DEFAULT);
    if (len > 0) names.emplace_back(buf, size_t(std::min<ssize_t>(len, ssize_t(sizeof buf) - 1)));
  }
  return names;
}

}  // namespace slimlab::h5
