#pragma once
// Export a graph and measure the .slim in slimrt: file bytes, arena bytes, batch-1
// latency (median / p90) and accuracy on a test set — what a run's [export] section
// stores in results.h5 (RunRecord::latency_ms / arena_bytes / file_bytes).
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "datasets/types.h"
#include "deploy/export/exporter.h"
#include "slimrt/runtime.h"

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

// Test accuracy (arg max of output 0 vs labels) over at most max_samples samples; *samples
// gets the count. std::invalid_argument when the sample size is not the input's.
double test_accuracy(slimrt::Interpreter& in, const data::ArraySet& test, size_t max_samples, int64_t* samples);
// Batch-1 median and p90 of `runs` invocations after a warm-up, microseconds (the input
// as it is).
std::pair<double, double> time_invoke(slimrt::Interpreter& in, int runs);

}  // namespace slimlab::deploy
