#pragma once
// A DeepEar-style fully connected network for audio (Lane et al., UbiComp 2015): the
// log-mel or MFCC patch [1, F, frames] is flattened and goes through
//   3 × (dense hidden_units·width, ReLU, dropout) → dense to the classes.
// Any input shape is accepted (it is flattened).
#include <vector>

#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

class DeepEarDnnImpl : public SlimModelImpl {
 public:
  explicit DeepEarDnnImpl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, ...] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

  static constexpr int kHiddenLayers = 3;

 private:
  ModelConfig cfg_;
  int64_t hidden_;
  std::vector<torch::nn::Linear> hidden_layers_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(DeepEarDnn);

}  // namespace slimlab::train
