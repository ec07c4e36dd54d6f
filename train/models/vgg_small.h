#pragma once
// A small VGG for 32×32 colour images (CIFAR-10), the network DeepIoT compresses
// (ALGORITHMS.md): conv 3×3 'same' blocks [64, 64, M, 128, 128, M, 256, 256, M], each
// conv with BN + ReLU, then flatten → dense 512 → ReLU → dropout → dense to the classes.
// All widths × width. Any [C, H, W] with H, W ≥ 8 works (three 2×2 pools).
#include <vector>

#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

class VggSmallImpl : public SlimModelImpl {
 public:
  explicit VggSmallImpl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, C, H, W] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

  // Filters of the six convs before the width multiplier; a pool follows every second.
  static constexpr int64_t kFilters[6] = {64, 64, 128, 128, 256, 256};
  static constexpr int64_t kHidden = 512;

 private:
  ModelConfig cfg_;
  std::vector<int64_t> filters_;
  int64_t hidden_;
  int64_t pooled_h_, pooled_w_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(VggSmall);

}  // namespace slimlab::train
