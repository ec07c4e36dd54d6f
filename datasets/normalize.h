#pragma once
// Per-channel standardisation fitted on the training split only (fitting on all
// data leaks the test distribution into training).
#include <cstdint>
#include <vector>

#include "datasets/types.h"

namespace slimlab::data {

struct Normalization {
  int axis = 0;               // axis of sample_shape that indexes the statistics
  std::vector<float> mean;    // one per index along `axis`
  std::vector<float> stddev;  // ditto, never below 1e-6

  bool empty() const { return mean.empty(); }
  // Fits mean and standard deviation of `train` along `axis` (double accumulation).
  static Normalization fit(const ArraySet& train, int axis);
  // (x − mean) / std in place; the set must have the shape the statistics were fitted on.
  void apply(ArraySet& set) const;
  // The same on one sample of `shape` in place, and its inverse x·std + mean.
  void apply_sample(float* x, const std::vector<int64_t>& shape) const;
  void invert_sample(float* x, const std::vector<int64_t>& shape) const;
};

}  // namespace slimlab::data
