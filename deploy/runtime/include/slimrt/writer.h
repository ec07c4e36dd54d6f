#pragma once
// Writing a .slim model: the exporter (deploy/export) and the runtime's tests build
// models with this, so there is one place that knows how the schema is filled
// (buffer 0 empty, 64-byte aligned weight buffers, file identifier, version).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "slimrt/runtime.h"

namespace slimrt {

class ModelWriter {
 public:
  // An activation tensor (no data). Returns its index.
  int add_tensor(const std::string& name, DType dtype, std::vector<int64_t> shape, int fl = 0, int wl = 0);
  // A constant: `bytes` must equal storage_bytes(dtype, shape).
  int add_constant(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data, size_t bytes,
                   int fl = 0, int wl = 0);
  int add_f32(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& values);
  int add_i32(const std::string& name, std::vector<int64_t> shape, const std::vector<int32_t>& values, int fl);

  // Appends an op; fill its attributes through the returned reference (valid until the next add_op).
  OpDesc& add_op(OpType type, const std::string& name, std::vector<int> inputs, std::vector<int> outputs);

  std::vector<int> inputs, outputs;
  Metadata metadata;

  // Operating points (docs/ADAPTIVE.md), in table order. graph null: this writer's own
  // graph (the main point; exactly one). Otherwise the main graph of `graph` becomes the
  // point's graph; its constants reuse a buffer of the file whose bytes start with
  // theirs (a prefix, or equal), else get their own. No point added: no table, and the
  // bytes are those of a writer without points.
  void add_operating_point(const OperatingPoint& info, std::shared_ptr<const Model> graph);
  // A writer holding m's main graph, constants and metadata (not its points).
  static ModelWriter from_model(const Model& m);

  // The serialized model (64-byte aligned buffers relative to its start).
  std::vector<uint8_t> finish() const;
  // Writes atomically (temporary file + rename). Throws slimrt::Error.
  void write_file(const std::string& path) const;
  static void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);

  const TensorDesc& tensor(int i) const { return tensors_.at(size_t(i)); }
  OpDesc& op(size_t i) { return ops_.at(i); }  // an op already added (tests edit attributes)
  size_t num_tensors() const { return tensors_.size(); }

 private:
  std::vector<TensorDesc> tensors_;
  std::vector<std::vector<uint8_t>> data_;  // per tensor (empty for activations)
  std::vector<OpDesc> ops_;
  std::vector<std::pair<OperatingPoint, std::shared_ptr<const Model>>> points_;
};

}  // namespace slimrt
