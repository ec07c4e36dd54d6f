#pragma once
// Graph IR → .slim: IR→IR passes (passes/passes.h: fold batch norm, BN + sign →
// thresholds, drop dropout, fuse activations, choose dtypes, lower) and then a plain
// serializer (serializer.h) that writes one layer as one op; docs/EXPORT.md. Torch-free:
// `slimlab export` reads runs/<exp>/<id>/model.h5.
//
// Precisions (docs/SLIMRT.md "Exporter"):
//   fp32    float weights and activations (binary / fixed weights as their float values);
//   int8 / int16  fixed point with the graph's own formats when it carries them (a
//           fixed_point stage), otherwise quantized post-training here on the
//           calibration samples (compress::quant::quantize_post_training); the .slim
//           computes exactly what compress::quant::evaluate_fixed_point computes;
//   binary  the graph's binary weights packed (BinaryConnect: ±H with float or
//           fixed-point activations; BNN: sign-activated inputs packed too, batch norm
//           + sign folded into per-channel thresholds where the graph allows).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::deploy {

enum class ExportPrecision { kFp32, kInt8, kInt16, kBinary };
const char* to_string(ExportPrecision p);
// "fp32" | "int8" | "int16" | "binary"; throws std::invalid_argument naming the choices.
ExportPrecision parse_export_precision(const std::string& s);

struct ExportOptions {
  ExportPrecision precision = ExportPrecision::kFp32;
  // Metadata for the device app.
  std::vector<std::string> class_names;
  std::string feature_type;
  double sample_rate = 0;
  int64_t window_length = 0;
  std::vector<float> norm_mean, norm_std;
  std::string source_run;
  double accuracy = -1;
  float bn_eps = 1e-5f;  // LibTorch's BatchNorm default (fold_batchnorm uses the same)
  // Calibration samples (back to back, numel(input_shape) floats each) for a float
  // graph exported as int8 / int16; at most `calibration_samples` are used.
  const float* calibration = nullptr;
  int64_t calibration_samples = 0;
};

struct ExportResult {
  std::vector<uint8_t> bytes;          // the .slim file
  std::vector<std::string> notes;      // decisions worth telling the user (folded BN, fused ReLU, …)
  int ops = 0;
  // The graph the file computes: BN folded, and for int8 / int16 of a float graph the
  // post-training quantized one (evaluate it with compress::quant::evaluate_fixed_point).
  ir::Graph graph;
  bool quantized_at_export = false;
  // Fixed-point exports: the integer tensor of the logits before the final Dequantize
  // (Interpreter::tensor_data) and its FL; -1 for float outputs.
  int raw_output_tensor = -1;
  int raw_output_fl = 0;
};

// The graph's state: fixed-point formats on its layers, binary weights, sign layers.
struct GraphPrecision {
  bool fixed = false;   // some layer has a fixed-point activation format
  bool binary = false;  // some conv / dense weight is binary
  bool sign = false;    // sign activations (BNN)
  int max_word_length = 0;  // of the fixed-point activations and weights
};
GraphPrecision graph_precision(const ir::Graph& g);

// Throws std::invalid_argument naming the layer when something cannot be exported.
ExportResult export_graph(const ir::Graph& graph, const ExportOptions& options);
// export_graph + an atomic write to `path`.
ExportResult export_graph_file(const ir::Graph& graph, const ExportOptions& options, const std::filesystem::path& path);

}  // namespace slimlab::deploy
