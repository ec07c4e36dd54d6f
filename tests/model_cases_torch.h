#pragma once
// The model zoo as parameterised-test cases (model, input shape, classes, width), a
// random input batch for a case and random batch-norm statistics; shared by the
// model, GraphModule, surgery and export tests.
#include <torch/torch.h>

#include <ostream>
#include <string>
#include <vector>

#include "train/config.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab::test {

struct ModelCase {
  std::string model;
  std::vector<int64_t> shape;
  int64_t classes;
  double width = 1.0;
};

inline void PrintTo(const ModelCase& c, std::ostream* os) {
  *os << c.model << " on [";
  for (size_t i = 0; i < c.shape.size(); ++i) *os << (i ? ", " : "") << c.shape[i];
  *os << "], " << c.classes << " classes, width " << c.width;
}

// Every model at the shapes of its real data sets (DeepSense twice: HHAR-like and HMP-like).
inline std::vector<ModelCase> zoo_at_data_shapes() {
  return {{"deepsense", {2, 20, 60}, 6},  // HHAR-like: acc + gyro, 20 intervals, 3 axes × 10 bins × 2
          {"deepsense", {1, 20, 30}, 5},  // HMP-like: one accelerometer, 5 bins
          {"cnn1d", {6, 100}, 6},         {"deepear_dnn", {1, 40, 101}, 10}, {"audio_cnn", {1, 40, 101}, 10},
          {"lenet5", {1, 28, 28}, 10},    {"vgg_small", {3, 32, 32}, 10}};
}

// Every model once, on small inputs (quick tests).
inline std::vector<ModelCase> zoo_at_small_shapes() {
  return {{"deepsense", {2, 8, 30}, 6}, {"cnn1d", {3, 32}, 5},          {"deepear_dnn", {1, 8, 10}, 4},
          {"audio_cnn", {1, 16, 16}, 4}, {"lenet5", {1, 28, 28}, 10}, {"vgg_small", {3, 16, 16}, 10}};
}

// The model configuration of a case (other fields at their defaults).
inline train::ModelConfig config_of(const ModelCase& c) {
  train::ModelConfig cfg;
  cfg.name = c.model;
  cfg.width = c.width;
  cfg.input_shape = c.shape;
  cfg.num_classes = c.classes;
  return cfg;
}

// Each case at each width, widths outermost.
inline std::vector<ModelCase> at_widths(const std::vector<ModelCase>& cases, std::initializer_list<double> widths) {
  std::vector<ModelCase> out;
  for (double w : widths)
    for (ModelCase c : cases) {
      c.width = w;
      out.push_back(c);
    }
  return out;
}

// N(0, 1) inputs [batch, shape...].
inline torch::Tensor random_batch(const ModelCase& c, int64_t batch) {
  std::vector<int64_t> s{batch};
  s.insert(s.end(), c.shape.begin(), c.shape.end());
  return torch::randn(s);
}

// Non-trivial BN statistics (means N(0, 0.5), variances in [0.5, 2]), so eval mode really uses them.
inline void randomize_bn_statistics(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& b : m.named_buffers()) {
    if (b.key().find("running_mean") != std::string::npos) b.value().normal_(0, 0.5);
    if (b.key().find("running_var") != std::string::npos) b.value().uniform_(0.5, 2.0);
  }
}

// The case's model (cfg as the test set it) drawn with `seed`, with non-trivial BN statistics
// and every parameter whose name contains `bn_param` re-drawn by `draw` (e.g. γ or β away
// from their initial 1 and 0, so a test sees them used).
template <class Draw>
train::SlimModel seeded_model(const train::ModelConfig& cfg, uint64_t seed, const std::string& bn_param, Draw draw) {
  torch::manual_seed(seed);
  train::SlimModel m = train::make_model(cfg);
  randomize_bn_statistics(*m);
  torch::NoGradGuard no_grad;
  for (auto& p : m->named_parameters())
    if (p.key().find("bn") != std::string::npos && p.key().find(bn_param) != std::string::npos) draw(p.value());
  return m;
}

}  // namespace slimlab::test
