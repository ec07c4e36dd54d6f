#pragma once
// Sweep expansion: one experiment becomes a list of points, each a fully
// resolved and validated Experiment.
//
//   [sweep]
//   grid = { "model.width" = [0.25, 0.5, 1.0], "train.lr" = [1e-3, 3e-3] }
//     → 6 points, the cartesian product with the first key varying slowest
//       (keys in the order written);
//   points = [ { "model.width" = 0.25 }, { "model.width" = 0.5, "train.epochs" = 20 } ]
//     → exactly these points.
//
// A grid and a list may not be combined. Sweep keys are dotted experiment keys
// (stage keys: "stage.<index>.<key>"); `name`, `description` and [sweep] itself
// cannot be swept. Point values are applied on top of the file and any `--set`
// overrides, with the same type and range checks; every point is validated before
// anything runs, and an error names the [sweep] line and the key.
#include <string>
#include <vector>

#include "experiments/experiment.h"

namespace slimlab::exp {

struct SweepPoint {
  // "p03-model.width=0.5-train.lr=0.003": the index (two digits at least) and
  // every setting, made safe for a folder name (characters other than letters,
  // digits and . _ = + - become '_'; at most 120 characters).
  std::string id;
  std::vector<std::string> overrides;  // "model.width=0.5", re-appliable as `--set` text
  Experiment experiment;               // resolved: sweep cleared, toml_text of this point
};

// No sweep → one point "p00" (the experiment itself, sweep cleared). ConfigError
// listing every bad point otherwise.
std::vector<SweepPoint> expand_sweep(const Experiment& e);

// [evaluation]: every point becomes one run per fold and seed —
// "p00-f03-s1" (fold 3, second seed: train.seed + 1) with the overrides
// "evaluation.fold=3", "train.seed=…" — or stays as it is for a holdout with one
// repeat. `folds` is the number of folds (kfold: evaluation.folds or 5; loso: the
// number of subjects / speakers, data::cross_validation_folds); ignored for holdout.
std::vector<SweepPoint> expand_protocol(const std::vector<SweepPoint>& points, int folds);

// The number of folds `expand_protocol` needs for e: 0 for holdout, evaluation.folds
// (5 when 0) for kfold, and for loso evaluation.folds or, when 0, the subjects /
// speakers counted in the data (loads the source, not its features).
int protocol_folds(const Experiment& e);

// What expand_protocol appended to a run id ("-f03-s1", "-s2", "" for none), and the
// id without it: runs of one point share the stem.
struct ProtocolTag {
  std::string stem;
  int fold = -1;  // −1: not a fold
  int seed_index = 0;
  bool tagged = false;
};
ProtocolTag parse_protocol_tag(const std::string& run_id);

// The folder-name-safe form of `text` (used for point ids).
std::string sanitize_id(const std::string& text, size_t max_length = 120);

}  // namespace slimlab::exp
