#pragma once
// The Caffe LeNet-5 that DeepIoT compresses (ALGORITHMS.md): on an image [C, H, W]
//   conv 5×5 (20) → maxpool 2 → conv 5×5 (50) → maxpool 2 → dense 500 → ReLU → dense.
// Widths 20, 50, 500 × width. As in Caffe's lenet_train_test.prototxt there is no
// BN, no activation after the convs and no dropout (ModelConfig::dropout is unused).
// Needs H, W ≥ 16; on MNIST [1, 28, 28] it has 431,080 parameters.
#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

class LeNet5Impl : public SlimModelImpl {
 public:
  explicit LeNet5Impl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, C, H, W] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

 private:
  ModelConfig cfg_;
  int64_t c1_, c2_, f1_;
  int64_t pooled_h_, pooled_w_;  // spatial size after the second pool
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(LeNet5);

}  // namespace slimlab::train
