#pragma once
// ONNX → Graph IR (docs/ONNX.md). Reads an ONNX ModelProto — untrusted input: every
// size, count, reference and dimension is checked before use — fixes the input shape,
// folds constant subgraphs (Constant, Shape → Gather → Concat → Reshape, …) and maps
// every remaining node onto the IR's layer kinds with its weights. The result is a
// validated ir::Graph with weights that GraphModule trains, every compression stage
// rewrites and the exporter writes to .slim. Torch-free.
//
// Errors are OnnxError: "onnx: <source>: node '<name>' (<OpType>, opset <n>): <what>"
// with the fix where there is one; an op without an IR mapping names the supported ops.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::onnx_import {

class OnnxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportOptions {
  // Per-sample input shape (no batch axis). Needed when the ONNX input has symbolic
  // dimensions other than the batch axis; when given it must agree with the fixed ones.
  std::vector<int64_t> input_shape;
  // The graph's model name; empty: "onnx:<file stem>".
  std::string model_name;
  // Derive prunable groups from the graph (conv / dense output units and their consumers).
  bool prunable_groups = true;
};

struct ImportResult {
  ir::Graph graph;                 // validated, every Param::data filled
  int64_t opset = 0;               // of the default ("ai.onnx") domain
  std::string producer;            // producer_name producer_version
  std::vector<std::string> notes;  // decisions worth logging (folded nodes, groups left out and why)
};

// Largest ONNX file read (bytes): protobuf's own message limit is 2 GiB.
constexpr std::uintmax_t kMaxOnnxBytes = std::uintmax_t(1) << 30;

ImportResult import_onnx(const void* bytes, size_t size, const ImportOptions& options,
                         const std::string& source = "<memory>");
ImportResult import_onnx_file(const std::filesystem::path& path, const ImportOptions& options = {});

// "conv1:6 conv2:16 block1.c1:8+block1.c2" — each group with its units and the other
// conv / dense layers that share it (an add joins them); "none" without groups.
std::string describe_groups(const ir::Graph& g);

// "1,28,28" or "[1, 28, 28]" → {1, 28, 28}; OnnxError for anything else.
std::vector<int64_t> parse_shape(const std::string& text);

}  // namespace slimlab::onnx_import
