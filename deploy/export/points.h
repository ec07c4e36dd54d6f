#pragma once
// Several operating points in one .slim (docs/ADAPTIVE.md): every graph exported on its
// own (the ordinary exporter, so each point computes exactly what its separate file
// computes), then merged by slimrt's writer — the dearest point (most MACs) becomes the
// model's own graph, the others point graphs whose constants share the file's buffers
// where their bytes are a prefix of one. Each point carries its accuracy, MACs, weight
// bytes, the energy estimate of train/resources.h and the latency measured here in
// slimrt on the merged file.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "datasets/types.h"
#include "deploy/export/exporter.h"
#include "slimrt/runtime.h"

namespace slimlab::deploy {

struct PointInput {
  std::string name;             // "width_0.25"
  double width = 0;             // slimmable width (0: none)
  ir::Graph graph;
  ExportPrecision precision = ExportPrecision::kFp32;
  double accuracy = -1;         // the run's test accuracy of this graph (-1: measure it here when test data are given)
};

struct PointsOptions {
  ExportOptions base;           // metadata, calibration; precision and accuracy come per point
  const data::ArraySet* test = nullptr;  // measure accuracy (≤ max_samples) and latency on it
  size_t max_samples = 2000;
  int latency_runs = 100;
  // Applied to each point's separate .slim before the merge (e.g. the sensor front end).
  std::function<std::vector<uint8_t>(const std::vector<uint8_t>&)> transform;
};

struct PointReport {
  slimrt::OperatingPoint info;  // as written in the file
  int64_t separate_bytes = 0;   // its own .slim
  double slimrt_accuracy = std::numeric_limits<double>::quiet_NaN();  // measured on `test` in the merged file
  double p90_us = -1;
};

struct PointsExport {
  std::vector<uint8_t> bytes;   // the merged .slim
  std::vector<PointReport> points;  // in the file's order (ascending MACs)
  std::vector<std::vector<uint8_t>> separate;  // each point's own .slim, same order
  int64_t separate_total = 0;   // Σ separate_bytes
};

// Throws std::invalid_argument when there are no points, two share a name, or a graph
// cannot be exported (naming the point).
PointsExport export_points(const std::vector<PointInput>& points, const PointsOptions& options);

}  // namespace slimlab::deploy
