#pragma once
// Graph IR → ONNX (`slimlab export <run> --format onnx`, docs/ONNX.md): the network as a
// float ONNX model (opset 14, dynamic batch axis) that passes onnx.checker and imports
// back (onnx_import.h) to the same graph and logits. A pruned graph is written as the
// smaller dense graph it is; fixed-point and binary weights are written as the float
// values they stand for (the grid values), activations in float. Torch-free.
#include <filesystem>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::onnx_import {

struct OnnxExport {
  std::string bytes;               // the serialized ModelProto
  std::vector<std::string> notes;  // what was not carried over (fixed-point activation formats, …)
  int nodes = 0;
};

constexpr int64_t kExportOpset = 14;

// OnnxError naming the layer for a kind without an ONNX form (sign: BNN activations).
OnnxExport export_onnx(const ir::Graph& g);
// export_onnx and an atomic write to `path`.
OnnxExport export_onnx_file(const ir::Graph& g, const std::filesystem::path& path);

}  // namespace slimlab::onnx_import
