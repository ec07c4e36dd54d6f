#pragma once
// The results store: one HDF5 file per run, runs/<experiment>/<run-id>/results.h5,
// written once at the end of the run (to a temporary name, then renamed: a crash
// never leaves half a file). Read by `slimlab runs`, plots and the GUI.
//
// Layout (version 1):
//   /                       attrs  slimlab_results_version (int), experiment, run_id, status,
//                                  started, finished, git_commit, dataset_source, model,
//                                  techniques (strings); num_classes, train_size, val_size,
//                                  test_size, best_epoch, stopped_early (0/1), arena_bytes,
//                                  file_bytes (ints); train_seconds, latency_ms (floats; latency
//                                  NaN = not measured)
//   /config                 string[1]   the resolved experiment TOML
//   /error                  string[1]   why a failed run failed ("" otherwise)
//   /class_names            string[K]
//   /input_shape            int64[rank] per sample
//   /curves/<field>         float64[E]  epoch, train_loss, train_accuracy, val_loss, val_accuracy,
//                                       val_macro_f1, lr, seconds, samples_per_second,
//                                       data_wait_fraction (one value per epoch)
//   /metrics/{val,test}     attrs loss, accuracy, macro_f1, num_classes, samples
//   /metrics/{val,test}/confusion   int64[K, K] (row = true class, column = predicted)
//   /graph/{names,kinds,precisions,inputs}   string[L] (inputs: comma-separated layer names)
//   /graph/params           int64[L]
//   /graph/output_rank      int64[L];  /graph/output_shapes  int64[Σ rank] (concatenated)
//   /resources              attrs params, bytes, macs, peak_activation_bytes
//   /resources/{names,kinds,precisions}   string[L]
//   /resources/{params,bytes,macs,activation_bytes,output_rank}   int64[L]
//   /resources/output_shapes   int64[Σ rank]
//   /tags                   attrs: free-form key → string (later stages record their settings here)
// Version 2 adds (all optional when reading a version-1 file):
//   /resources              attrs macs_fp32, macs_fp16, macs_int16, macs_int8, macs_binary (ints),
//                                 energy_pj, energy_compute_pj, energy_weights_pj,
//                                 energy_activations_pj (floats), weight_memory, activation_memory
//   /resources/mac_precisions string[L];  /resources/energy_pj  float64[L]
//   /stages                 attrs count; one group per compression stage, in order:
//   /stages/<i>             attrs type
//   /stages/<i>/metrics     attrs name → float;  /stages/<i>/info  attrs name → string
//   /stages/<i>/tables      attrs count;  /stages/<i>/tables/<k>  attrs name;
//                           columns string[C], rows float64[R, C], row_labels string[R or 0]
//
// read_results treats the file as untrusted: every length and shape is checked
// against the others, and a mismatch is a data::DataError naming the file and
// the dataset.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"
#include "train/metrics.h"
#include "train/resources.h"

namespace slimlab::exp {

constexpr int kResultsVersion = 2;

// One layer of the model's Graph IR as recorded in a run.
struct LayerSummary {
  std::string name;
  std::string kind;       // ir::to_string(LayerKind)
  std::vector<std::string> inputs;
  std::vector<int64_t> output_shape;
  int64_t params = 0;
  std::string precision;  // of the weights ("fp32", "fixed<4,4>", "binary")
};

struct RunRecord {
  std::string experiment;
  std::string run_id;
  std::string status = "running";  // running | finished | failed (list_runs may also say "unreadable")
  std::string started, finished;   // ISO 8601, UTC ("2024-05-01T12:00:00Z")
  std::string git_commit;
  std::string config_toml;         // the resolved experiment (to_toml)
  std::string dataset_source;
  std::string model;
  std::string techniques = "float";  // compression applied, e.g. "float", "deepiot+fixed8"
  std::string error;                 // failed runs: what went wrong

  // Data
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
  int64_t train_size = 0, val_size = 0, test_size = 0;
  std::vector<int64_t> input_shape;

  // Training: epochs (curves), best_epoch, stopped_early, the kept weights' val/test
  // metrics (with confusion matrices) and train_seconds.
  train::TrainResult result;

  // Model and its cost
  std::vector<LayerSummary> graph;
  // The run's own base model: the trained float model before its stages ran (empty
  // when the run had no stages, or for results written before it was recorded).
  std::vector<LayerSummary> base_graph;
  train::ResourceProfile resources;

  // slimrt measurements (later issues); "not measured" until then.
  double latency_ms = std::numeric_limits<double>::quiet_NaN();
  int64_t arena_bytes = -1;
  int64_t file_bytes = -1;

  std::map<std::string, std::string> tags;

  // Compression stages, in the order they ran (empty for a plain training run).
  // `result` holds the base training's curves; its val/test metrics are those of the
  // final (compressed) model; each stage's metrics include its val/test accuracy
  // before and after it ran.
  std::vector<compress::StageRecord> stages;

  // Not stored: the run's folder, filled by read_results / list_runs.
  std::filesystem::path dir;
};

// The per-epoch curve fields besides `epoch`, by their names in /curves and in a
// run's curves.csv.
struct CurveField {
  const char* name;
  double train::EpochMetrics::*member;
};
const std::vector<CurveField>& curve_fields();

// Atomic: written to a temporary file next to `h5` and renamed into place.
// std::invalid_argument for a record the format cannot hold (an unknown status, a
// confusion matrix that is not num_classes²); data::DataError for I/O failures.
void write_results(const RunRecord& r, const std::filesystem::path& h5);
// data::DataError (file and dataset named) on a missing, damaged or inconsistent file.
RunRecord read_results(const std::filesystem::path& h5);

// One stage record in its own file (<run>/stages/<i>-<type>/record.h5, which
// lets a resumed run skip a finished stage). Atomic; errors as write/read_results.
void write_stage_record(const compress::StageRecord& r, const std::filesystem::path& h5);
compress::StageRecord read_stage_record(const std::filesystem::path& h5);

// The per-layer summary of a Graph IR (precision written like the resource
// profile's: "fp32", "fixed<4,4>", "binary", "-" without weights, "mixed").
std::vector<LayerSummary> summarize_graph(const ir::Graph& g);

// Now as ISO 8601 UTC, for started / finished.
std::string iso8601_now();

}  // namespace slimlab::exp
