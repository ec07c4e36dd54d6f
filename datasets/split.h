#pragma once
// Train / validation / test splits, all seeded.
//  - stratified: each class is shuffled and cut in the given fractions, so every
//    split keeps the class proportions (a split of samples, not of people);
//  - by group: whole subjects / speakers go to one split, so a model is tested on
//    people it never saw — the honest default for HAR and audio.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

enum class SplitMethod { kStratified, kByGroup };
const char* to_string(SplitMethod m);
SplitMethod split_method_from_string(const std::string& s);  // "stratified" | "group"

struct SplitOptions {
  SplitMethod method = SplitMethod::kByGroup;
  double val_fraction = 0.1;
  double test_fraction = 0.2;
  uint64_t seed = 42;
  // By group only: explicit held-out groups (names). When set, test_groups form the
  // test split and val_groups (may be empty: then val is drawn from the rest by
  // val_fraction of groups) the validation split.
  std::vector<std::string> test_groups;
  std::vector<std::string> val_groups;
  // Cross-validation ([evaluation] protocol = "kfold" / "loso"): when fold ≥ 0 the
  // test split is part `fold` of `folds` equal parts (test_fraction and test_groups
  // do not apply). Stratified: each class's shuffled items cut in `folds` parts. By
  // group: the groups in name order cut in `folds` parts — folds = 0 is one group
  // per fold, leave-one-subject-out; fold k then holds out the k-th group by name.
  // Validation comes from the remaining items as without folds (val_fraction,
  // val_groups). The parts depend on `seed` (stratified, and by group when folds > 0), not on
  // the fold, so the folds of one seed partition the data.
  int folds = 0;
  int fold = -1;
};

// The number of folds of a cross-validation over these groups (options' folds, or
// one per distinct group when 0).
int fold_count(const std::vector<std::string>& groups, const SplitOptions& opt);

struct SplitIndices {
  std::vector<size_t> train, val, test;
};

// Items are described by their label and group name ("" = no group). A by-group
// split of items without groups is an error (std::invalid_argument) that says so.
SplitIndices make_split(const std::vector<int32_t>& labels, const std::vector<std::string>& groups,
                        const SplitOptions& opt);

// The split a dataset ships (tags[i] for item i, datasets/types.h): its test items
// are the test split, its validation items (if it ships any) the validation split;
// otherwise validation is drawn from its training items by opt (method, val_fraction,
// val_groups, seed; test_fraction and test_groups do not apply). An error when no
// item is tagged test.
SplitIndices make_given_split(const std::vector<int32_t>& labels, const std::vector<std::string>& groups,
                              const std::vector<GivenSplit>& tags, const SplitOptions& opt);

// Deterministic shuffle used by the splits (a Fisher–Yates over splitmix64), so a
// split does not change with the standard library's version.
void seeded_shuffle(std::vector<size_t>& v, uint64_t seed);

}  // namespace slimlab::data
