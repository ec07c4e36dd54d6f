#pragma once
// A 1-d CNN baseline for HAR on raw windows [C channels, W samples]:
//   3 × (conv1d k=5 'same', BN, ReLU, maxpool 2) → global average pool → dropout → dense.
// conv_filters·width filters in every conv. Needs W ≥ 8 (three halvings).
#include <vector>

#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

class Cnn1dImpl : public SlimModelImpl {
 public:
  explicit Cnn1dImpl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, C, W] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

  static constexpr int kBlocks = 3;
  static constexpr int64_t kKernel = 5;

 private:
  ModelConfig cfg_;
  int64_t filters_;
  std::vector<torch::nn::Conv1d> convs_;
  std::vector<torch::nn::BatchNorm1d> bns_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(Cnn1d);

}  // namespace slimlab::train
