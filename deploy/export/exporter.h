#pragma once
// Graph IR → .slim. Folds batch norm into the preceding conv / dense, fuses a ReLU
// that follows a conv / dense / add, drops dropout, and writes every LayerKind that
// has a runtime op. Torch-free: `slimlab export` reads runs/<exp>/<id>/model.h5.
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
  float bn_eps = 1e-5f;  // LibTorch's BatchNorm default
};

struct ExportResult {
  std::vector<uint8_t> bytes;          // the .slim file
  std::vector<std::string> notes;      // decisions worth telling the user (folded BN, fused ReLU, …)
  int ops = 0;
};

// Throws std::invalid_argument naming the layer when something cannot be exported.
ExportResult export_graph(const ir::Graph& graph, const ExportOptions& options);
// export_graph + an atomic write to `path`.
ExportResult export_graph_file(const ir::Graph& graph, const ExportOptions& options, const std::filesystem::path& path);

}  // namespace slimlab::deploy
