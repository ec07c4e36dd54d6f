#pragma once
// `slimlab export <run> --operating-points widths|all` (cmd_export.cpp): every width of a
// slimmable run — `widths` at --precision, `all` at fp32 and int8 — in one .slim with
// an operating point each (deploy/export/points.h, docs/ADAPTIVE.md).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "datasets/types.h"
#include "deploy/export/exporter.h"
#include "deploy/export/points.h"
#include "experiments/results.h"

namespace slimlab::cli {

// The width graphs of the run's slimmable stage (stages/<i>-slimmable/width_<w>/model.h5),
// narrowest first, with the stage's test accuracy per width when `record` has it;
// std::runtime_error naming the folder when the run has no slimmable stage.
std::vector<deploy::PointInput> slimmable_points(const std::filesystem::path& run_dir, const exp::RunRecord* record);

struct PointsRequest {
  std::filesystem::path run_dir, out;
  std::string mode;                       // "widths" | "all"
  deploy::ExportOptions options;          // metadata, calibration, precision (for "widths")
  const exp::RunRecord* record = nullptr;
  const data::ArraySet* test = nullptr;   // null: no measurement (no latency in the file)
  int latency_runs = 100;
  std::function<std::vector<uint8_t>(const std::vector<uint8_t>&)> transform;  // --front-end
};

// Exports, writes `out` and prints one line per point plus the file-size comparison.
deploy::PointsExport export_operating_points(const PointsRequest& r);

}  // namespace slimlab::cli
