#pragma once
// A multinomial logistic regression on the flattened (normalised) features: the
// yardstick for "not trivially separable". If a linear model already gets ~100%,
// a dataset cannot tell good models from bad ones.
#include <cstdint>

#include "datasets/types.h"

namespace slimlab::data {

struct LinearProbeOptions {
  int epochs = 30;
  float learning_rate = 0.05f;
  float l2 = 1e-4f;
  int batch_size = 64;
  uint64_t seed = 7;
};

struct LinearProbeResult {
  double train_accuracy = 0;
  double test_accuracy = 0;
};

// Trains on `train` with mini-batch SGD (softmax + cross-entropy) and evaluates
// on `test`. Both sets must share the sample shape and class list.
LinearProbeResult linear_probe(const ArraySet& train, const ArraySet& test, const LinearProbeOptions& opt = {});

}  // namespace slimlab::data
