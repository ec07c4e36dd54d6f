#pragma once
// A small audio CNN on a log-mel / MFCC patch [C, F, frames]:
//   3 × (conv2d 3×3 'same', BN, ReLU, maxpool 2×2) → global average pool → dropout → dense.
// conv_filters·width filters in every conv. Needs F, frames ≥ 8 (three halvings).
#include <vector>

#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

class AudioCnnImpl : public SlimModelImpl {
 public:
  explicit AudioCnnImpl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, C, F, frames] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

  static constexpr int kBlocks = 3;

 private:
  ModelConfig cfg_;
  int64_t filters_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(AudioCnn);

}  // namespace slimlab::train
