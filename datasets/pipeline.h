#pragma once
// From a dataset source to ready-to-train tensors:
//   load (real format or synthetic) → split (on recordings / images, before any
//   windowing, so overlapping windows never leak across splits) → windows and
//   features → normalisation fitted on the training split only.
// DatasetConfig is what an experiment's [dataset] table fills in; its describe()
// lists every parameter that affects the tensors, which is also the HDF5 cache key.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "datasets/audio_features.h"
#include "datasets/har_windows.h"
#include "datasets/normalize.h"
#include "datasets/split.h"
#include "datasets/types.h"

namespace slimlab::data {

// A source as the user writes it: "synthetic:har", "mnist:../shared/datasets/mnist",
// or a bare path whose format is detected from its layout.
struct SourceSpec {
  std::string format;  // mnist, fashion-mnist, cifar10, images, wav, hmp, uci-har, wisdm, hhar, synthetic-*
  std::string path;    // empty for synthetic sources
  std::string text;    // as given
};
SourceSpec parse_source(const std::string& text);
// Known format names, for help texts and error messages.
const std::vector<std::string>& source_formats();

struct DatasetConfig {
  std::string source = "synthetic:har";
  std::string subset;           // read only one file split: MNIST/CIFAR/UCI "train" | "test" | "all"; an error elsewhere
  uint64_t synthetic_seed = 1;  // generator seed for synthetic sources
  double synthetic_scale = 1.0; // multiplies the synthetic sample counts (tests use small values)
  int synthetic_subjects = 0;   // subjects (HAR) / speakers (audio) of a synthetic source; 0: its default (10 / 8)

  // HAR
  WindowOptions window;
  std::string har_features = "raw";  // "raw" {C, W} | "deepsense" {S, T, D·f·2}
  DeepSenseOptions deepsense;
  double hhar_rate_hz = 50;

  // Audio
  bool audio_strict = false;  // error on a wrong rate / channel count instead of converting
  AudioFeatureOptions audio;

  // Vision
  int image_size = 0;      // image folders: resize to size × size (0: keep)
  int image_channels = 0;  // image folders: 1 or 3 (0: as stored)

  // Splits and normalisation
  // "auto": the split the source ships ("given") when it ships one, else by
  // subject/speaker for HAR and audio and stratified for vision | "given" | "group" |
  // "stratified" (the last two re-split everything, ignoring a shipped split).
  std::string split = "auto";
  SplitOptions split_options;  // fractions, seed, explicit held-out groups (method comes from `split`)
  bool normalize = true;
  // Then every subject / speaker standardised with its own statistics (datasets/group_norm.h).
  bool normalize_per_group = false;

  // Every parameter that changes the tensors, as key → value text, for the cache
  // key, the HDF5 attributes and `data inspect`. Only keys relevant to the modality.
  std::vector<std::pair<std::string, std::string>> describe(Modality m) const;
};

// What was loaded, before preprocessing (for `data inspect`).
struct SourceInfo {
  SourceSpec spec;
  Modality modality = Modality::kHar;
  std::string unit;             // "recordings" | "clips" | "images" | "windows"
  size_t items = 0;             // recordings or images loaded
  std::vector<std::string> class_names;
  std::vector<int64_t> class_counts;  // items per class
  std::vector<std::string> channel_names;
  size_t groups = 0;            // distinct subjects / speakers / writers (0 if none)
  std::string group_kind;       // "subjects" | "speakers" | "writers" | ""
  double rate_hz = 0;           // HAR / audio sampling rate (after conversion)
  double mean_seconds = 0;      // mean recording length
  std::vector<int64_t> image_shape;  // vision {C, H, W}
  std::vector<std::string> notes;
  std::string fingerprint;      // of the files read (names, sizes, mtimes) — "" for synthetic
};

struct PreparedData {
  SourceInfo source;
  ArraySet train, val, test;
  Normalization normalization;
  // normalize_per_group: each training group's normalisation in raw units, indexed
  // like train.group_names (empty otherwise).
  std::vector<Normalization> group_normalization;
  std::string split_method;  // resolved
  std::vector<std::pair<std::string, std::string>> parameters;  // DatasetConfig::describe()
  bool from_cache = false;
};

// Runs the whole pipeline. Errors: DataError (bad files, naming file and line) or
// std::invalid_argument (bad configuration, naming the key).
PreparedData prepare(const DatasetConfig& config);

// The folds of a cross-validation over this dataset (split_options.folds, or one per
// subject / speaker when it is 0 and the split is by group): loads the source, not
// its features. For planning [evaluation] protocol = "loso" / "kfold" runs.
int cross_validation_folds(const DatasetConfig& config);

// A stable fingerprint of the files under `path` (relative names, sizes, mtimes).
std::string fingerprint_path(const std::string& path);

}  // namespace slimlab::data
