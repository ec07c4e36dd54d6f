#pragma once
// Graph IR → ONNX (`slimlab export <run> --format onnx`, docs/ONNX.md): the network as a
// float ONNX model (opset 14, dynamic batch axis) that passes onnx.checker and imports
// back (onnx_import.h) to the same graph and logits. A pruned graph is written as the
// smaller dense graph it is. A fixed-point network (its input has a fixed-point format)
// is written in ONNX's QDQ form: QuantizeLinear → DequantizeLinear (INT8, scale 2^−FL,
// zero point 0; a Clip between them for word lengths < 8) after the input and every
// layer, dense / conv weights as INT8 (WL ≤ 8) or INT32 (WL 9..16) initializers and
// biases as INT32 at the accumulator's FL, each read through DequantizeLinear; the
// formats inside GRU / LSTM / batch norm go in the node's doc_string. 16-bit activations
// are refused (opset 14's QuantizeLinear has no INT16). Binary weights ±2^−FL of a
// fixed-point network are INT8 ±1 behind DequantizeLinear; in a float network they are
// written as the float values they stand for. Torch-free.
#include <filesystem>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::onnx_import {

struct OnnxExport {
  std::string bytes;               // the serialized ModelProto
  std::vector<std::string> notes;  // what an ONNX runtime computes differently (fixed point in float, …)
  int nodes = 0;
};

constexpr int64_t kExportOpset = 14;

// OnnxError naming the layer for a kind without an ONNX form (sign: BNN activations).
OnnxExport export_onnx(const ir::Graph& g);
// export_onnx and an atomic write to `path`.
OnnxExport export_onnx_file(const ir::Graph& g, const std::filesystem::path& path);

}  // namespace slimlab::onnx_import
