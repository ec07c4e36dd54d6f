#pragma once
// A model of the zoo with seeded random weights and non-trivial batch-norm statistics
// (so folding is really tested), in eval mode; shared by the export tests.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab::test {

// Running means uniform in ±mean_range, variances in [0.5, 2]; every 1-D parameter (and,
// with bn_params, every parameter named *bn*) moved by N(0, 0.1).
inline train::SlimModel random_model(const std::string& name, const std::vector<int64_t>& shape, int64_t classes,
                                     double mean_range = 0.5, bool bn_params = false) {
  torch::manual_seed(11);
  train::ModelConfig cfg;
  cfg.name = name;
  cfg.input_shape = shape;
  cfg.num_classes = classes;
  auto m = train::make_model(cfg);
  torch::NoGradGuard ng;
  for (auto& b : m->named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().uniform_(-mean_range, mean_range);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
  for (auto& p : m->named_parameters())
    if ((bn_params && p.key().find("bn") != std::string::npos) || p.value().dim() == 1)
      p.value().add_(torch::randn_like(p.value()) * 0.1);
  m->eval();
  return m;
}

}  // namespace slimlab::test
