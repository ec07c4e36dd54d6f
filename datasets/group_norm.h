#pragma once
// dataset.normalize_per_group: every subject / speaker standardised with its own
// statistics (per index of the normalisation axis, as the global normalisation).
// A group with training samples uses the statistics of those; a group that only
// occurs in val / test (the held-out subject of a leave-one-subject-out fold)
// uses those of all its own val + test samples — its labels are never read.
#include <vector>

#include "datasets/normalize.h"
#include "datasets/types.h"

namespace slimlab::data {

// Normalises the three splits in place (after `global`, which they already went
// through; empty = none). Returns, per index of train.group_names, the group's
// normalisation (a group without training samples: that of its own val + test
// samples) in the units of the data before `global` (for augmentation that
// needs physical units). std::invalid_argument naming dataset.normalize_per_group
// when a sample has no group.
std::vector<Normalization> normalize_per_group(ArraySet& train, ArraySet& val, ArraySet& test,
                                               const Normalization& global, int axis);

}  // namespace slimlab::data
