#pragma once
// A small RAII layer over the HDF5 C API: the pieces SlimLab's files need
// (groups, 1-D/N-D float and int datasets, string and numeric attributes).
// Every failure becomes a DataError naming the file and the object, and HDF5's
// own error stack printing is silenced. Files are written to "<path>.tmp-<pid>"
// and renamed into place by commit(): a crash never leaves a half-written file.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace slimlab::h5 {

// Debian's libhdf5 is built without its thread-safe option, so every HDF5 call in
// the process goes through one lock (the GUI scans runs on a background thread
// while a panel reads a model). Every File and Handle member takes it; code that
// must see HDF5 quiescent (the isolated reader's fork, h5_guard.h) holds it too.
std::unique_lock<std::recursive_mutex> lock_library();
// In a child forked while the lock was held (and only there): a fresh, free lock.
void reset_library_lock_in_child();

// Owns one hid_t and closes it with the right H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  void reset();
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

// Read and write access to one HDF5 file. Paths inside the file use '/' ("curves/loss").
class File {
 public:
  // Opens an existing file read-only; a missing or non-HDF5 file is a DataError.
  static File open_read(const std::filesystem::path& path);
  // Starts a new file at a temporary name next to `path`; commit() renames it.
  static File create(const std::filesystem::path& path);

  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;
  ~File();  // an uncommitted created file is deleted

  const std::filesystem::path& path() const { return path_; }

  // Flushes, closes and atomically renames the temporary file into place.
  void commit();

  // Deflate level for datasets written from now on (0 = none; default 1). The
  // dataset cache writes uncompressed: reading it back fast is its whole point.
  void set_compression(int level) { compression_ = level; }

  void create_group(const std::string& name);
  bool exists(const std::string& name) const;

  void write(const std::string& name, const std::vector<float>& data, const std::vector<int64_t>& shape);
  void write(const std::string& name, const std::vector<double>& data, const std::vector<int64_t>& shape);
  void write(const std::string& name, const std::vector<int32_t>& data, const std::vector<int64_t>& shape);
  void write(const std::string& name, const std::vector<int64_t>& data, const std::vector<int64_t>& shape);
  void write_strings(const std::string& name, const std::vector<std::string>& strings);

  // Reads a whole dataset; the shape is returned through `shape` when given.
  std::vector<float> read_floats(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<double> read_doubles(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<int32_t> read_ints(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<int64_t> read_int64s(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  std::vector<std::string> read_strings(const std::string& name) const;
  std::vector<int64_t> shape(const std::string& name) const;

  // Attributes on an object ("/" for the file itself).
  void set_attr(const std::string& object, const std::string& key, const std::string& value);
  void set_attr(const std::string& object, const std::string& key, double value);
  void set_attr(const std::string& object, const std::string& key, int64_t value);
  std::optional<std::string> attr_string(const std::string& object, const std::string& key) const;
  std::optional<double> attr_double(const std::string& object, const std::string& key) const;
  std::vector<std::string> attr_names(const std::string& object) const;

 private:
  File() = default;
  [[noreturn]] void fail(const std::string& what) const;
  // The element count of a dataset of shape `dims`; a DataError when it overflows or
  // claims far more than the file stores for it (a hostile header).
  size_t checked_numel(const std::string& name, const std::vector<int64_t>& dims, hid_t ds, size_t element_bytes) const;
  void write_raw(const std::string& name, hid_t mem_type, hid_t file_type, const void* data,
                 const std::vector<int64_t>& shape, size_t count);
  template <typename T>
  std::vector<T> read_raw(const std::string& name, hid_t mem_type, std::vector<int64_t>* shape) const;

  Handle file_;
  std::filesystem::path path_;      // final path
  std::filesystem::path tmp_path_;  // where a created file is written until commit()
  bool writable_ = false;
  int compression_ = 1;
};

}  // namespace slimlab::h5
