#pragma once
// An experiment: one TOML file with [dataset], [model], [train], a list of
// [[stage]] compression stages, [export] and an optional [sweep].
//
//   name = "har_cnn"                      # default: the file's stem
//   description = "CNN1D on HMP"
//   [dataset]
//   source = "${SLIMLAB_DATASETS:-../shared/datasets}/hmp"
//   window_seconds = 2.0
//   [model]
//   name = "cnn1d"
//   [train]
//   epochs = 20
//   [sweep]
//   grid = { "model.width" = [0.25, 0.5, 1.0] }
//
// Everything is validated before any work: unknown keys and tables (with a "did
// you mean"), wrong types, out-of-range values, missing required keys
// ([dataset].source, [model].name), cross-key constraints and every sweep point.
// All problems are reported together as a ConfigError, one `file:line: key:
// message` line each.
//
// Paths: a relative path (dataset.source, dataset.cache_dir) is relative to the
// current working directory — what a user types on the command line — not to the
// experiment file. Strings may use environment variables: ${VAR} (an error when VAR
// is unset) or ${VAR:-default} (the default when VAR is unset or empty); "$$" is a
// literal '$'. Shipped experiments write
// "${SLIMLAB_DATASETS:-../shared/datasets}/hmp" so they run from the repository
// root and a user points them elsewhere with SLIMLAB_DATASETS. The expanded value
// is what the Experiment (and to_toml) holds.
//
// Overrides ("model.width=0.5", from `slimlab train --set`) are applied after the
// file with the same type and range checks. The value is read as a TOML value
// (0.5, 3, true, "text", ["a", "b"]); for string keys unquoted text is taken as
// is, for string lists also a comma-separated list. Top-level keys have no table
// ("name=x"); stage keys are "stage.<index>.<key>" with index 0 for the first
// [[stage]]. [sweep] cannot be overridden.
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "datasets/pipeline.h"
#include "experiments/schema.h"
#include "train/config.h"

namespace slimlab::exp {

// One problem in a configuration. line is 0 when it is not about one line
// (a missing key, an override from the command line).
struct ConfigIssue {
  std::string file;  // experiment file, or "--set" for a command-line override
  int line = 0;
  std::string key;   // dotted key ("train.lr", "stage.0.type", "sweep.grid.model.width"); may be ""
  std::string message;
  std::string str() const;  // "file:line: key: message"
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

struct StageConfig {
  std::string type;
  // Every key of the stage type (defaults filled in) as text: strings as written,
  // numbers in their shortest exact form, bools "true"/"false", lists joined by ','.
  std::map<std::string, std::string> params;
  int line = 0;  // of the [[stage]] header
};

struct ExportConfig {
  bool enabled = false;
  std::string precision = "fp32";  // fp32 | int8 | int16 | binary (deploy/export/exporter.h)
};

// [evaluation]: how results are estimated — the protocol and seeds that `slimlab run`
// expands each point into (experiments/sweep.h, expand_protocol). The fold count and
// this run's fold live in dataset.split_options (folds, fold).
struct EvaluationConfig {
  std::string protocol = "holdout";  // holdout | kfold | loso
  int repeats = 1;                   // runs per fold, seeds train.seed, train.seed + 1, …
  bool deterministic = false;        // one intra-op thread + LibTorch's deterministic algorithms
};

// [sweep]: either a grid (cartesian product of the axes, first axis slowest, in
// the order written) or an explicit list of points. Keys are dotted experiment keys.
struct SweepAxis {
  std::string key;
  std::vector<Value> values;
  int line = 0;
};
struct SweepPointSpec {
  std::vector<std::pair<std::string, Value>> settings;  // in the order written
  int line = 0;
};
struct SweepConfig {
  std::vector<SweepAxis> grid;
  std::vector<SweepPointSpec> points;
  int line = 0;  // of the [sweep] table
  bool empty() const { return grid.empty() && points.empty(); }
};

struct Experiment {
  std::string name;
  std::string description;
  std::filesystem::path file;
  data::DatasetConfig dataset;
  bool dataset_cache = true;              // [dataset].cache: reuse / write the HDF5 cache of prepared tensors
  std::string dataset_cache_dir = "cache";  // [dataset].cache_dir
  train::ModelConfig model;
  train::TrainConfig train;  // the distributed fields (world_size, rank, master) are CLI-only
  std::vector<StageConfig> stages;
  ExportConfig export_;
  EvaluationConfig evaluation;
  SweepConfig sweep;
  std::string toml_text;  // the resolved configuration as TOML (to_toml), written into each run
  // Where each key got its value in `file` (dotted key → line); keys left at
  // their defaults or set by an override are absent. For error messages and the GUI.
  std::map<std::string, int> lines;
};

Experiment load_experiment(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});
Experiment parse_experiment(const std::string& toml_text, const std::string& file_name_for_errors,
                            const std::vector<std::string>& overrides = {});

// The cross-key checks of a parsed experiment (parse_experiment and apply_overrides
// run them): split fractions, audio feature sizes, the schedule, each stage type's
// own checks, the model against the dataset's modality (an image model on HAR data)
// and [export] precision against the stages ("binary" needs a binaryconnect or bnn
// stage). One ConfigIssue per problem, at the key's line when the file set it.
std::vector<ConfigIssue> check_experiment(const Experiment& e);

// The modality of a dataset format (data::parse_source's names): "har" | "audio" |
// "vision", "" when unknown.
std::string format_modality(const std::string& format);

// Applies overrides to an already valid experiment and validates the result
// (ConfigError on failure); `origin` names where they came from in messages.
// Used by sweeps; toml_text is refreshed.
struct Override {
  std::string key;
  Value value;
  bool from_text = false;  // value is a std::string holding unparsed `--set` text
  std::string file;        // origin for messages
  int line = 0;
};
void apply_overrides(Experiment& e, const std::vector<Override>& overrides);
// "section.key=value" → Override (file "--set"); ConfigError when there is no '='.
Override parse_override(const std::string& text);

// The resolved configuration: every key with its value, in schema order, then
// the stages, export and the sweep. parse_experiment(to_toml(e)) gives e back.
std::string to_toml(const Experiment& e);

}  // namespace slimlab::exp
