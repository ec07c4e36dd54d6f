#pragma once
// Export a graph and measure the .slim in slimrt: file bytes, arena bytes, batch-1
// latency (median / p90) and accuracy on a test set — what a run's [export] section
// stores in results.h5 (RunRecord::latency_ms / arena_bytes / file_bytes).
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "datasets/types.h"
#include "deploy/export/exporter.h"

namespace slimlab::deploy {

struct ExportMeasurement {
  int64_t file_bytes = 0;
  int64_t arena_bytes = 0;
  int64_t arena_lower_bound = 0;
  double median_ms = std::numeric_limits<double>::quiet_NaN();
  double p90_ms = std::numeric_limits<double>::quiet_NaN();
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // argmax of the .slim's outputs vs labels
  int64_t samples = 0;
  int ops = 0;
  bool quantized_at_export = false;  // int8 / int16 of a float model: calibrated post-training here
  std::vector<std::string> notes;    // the exporter's decisions (ExportResult::notes)
};

// Writes `out` (atomic) and measures it. `latency_runs` invocations on the first test
// sample after a warm-up; accuracy over at most `max_samples` test samples.
ExportMeasurement export_and_measure(const ir::Graph& graph, const ExportOptions& options,
                                     const std::filesystem::path& out, const data::ArraySet& test,
                                     int latency_runs = 100, size_t max_samples = SIZE_MAX);

}  // namespace slimlab::deploy
