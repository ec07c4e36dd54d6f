#pragma once
// DeepSense for HAR (Yao et al., WWW 2017; docs ALGORITHMS.md) on the short-time
// Fourier features of datasets/har_windows.h: a sample is [S sensors, T intervals,
// F = D·f·2] with the last axis laid out [axis][bin][re/im].
//
//   per sensor s:  3 × (conv 1×k over the interval's F features, BN, ReLU, dropout)
//   merge:         stack the S sensor outputs as channels → 3 × (conv 1×3, BN, ReLU)
//   per interval:  flatten [channels, L] → 2 × GRU (batch_first) → mean over time → dense
//
// Every conv is a Conv2d with a 1×k kernel over [C, T, F]: the T intervals are the
// height axis, so all intervals go through one kernel call (the same work as folding T
// into the batch, and the IR's weights keep LibTorch's [out, in, 1, k] shapes).
//
// Kernels. The paper's first kernel is 1×18 with stride 6, then 1×3 and 1×3. A short
// feature axis (few axes or FFT bins) cannot hold that, so:
//   k1 = min(18, F),  s1 = clamp(⌊(F − k1) / 4⌋, 1, 6)   → L1 = ⌊(F − k1) / s1⌋ + 1 ≥ 5 whenever F − k1 ≥ 4
//   k2 = min(3, L1),  k3 = min(3, L2)                       (valid convs, as in the paper)
// which gives the paper's 18/6 for F ≥ 42 (F = 60: L = 8 → 6 → 4). The merge convs are
// 1×3 with padding 1 ("SAME", as the original code), so they keep L3.
//
// Widths: conv_filters·width filters in every conv, gru_hidden·width GRU units.
// S = 1 (one accelerometer, e.g. HMP) is fine: the merge then sees one sensor.
#include <vector>

#include "train/config.h"
#include "train/model.h"

namespace slimlab::train {

// Three conv-BN(-ReLU) stages over [B, C, T, L] with 1×k kernels.
class DeepSenseConvStackImpl : public torch::nn::Module {
 public:
  struct Stage {
    int64_t kernel = 3, stride = 1, padding = 0;
  };
  DeepSenseConvStackImpl(int64_t in_channels, int64_t filters, std::vector<Stage> stages, double dropout);
  torch::Tensor forward(torch::Tensor x);

  std::vector<Stage> stages;
  std::vector<torch::nn::Conv2d> convs;
  std::vector<torch::nn::BatchNorm2d> bns;
  double dropout;
};
TORCH_MODULE(DeepSenseConvStack);

class DeepSenseImpl : public SlimModelImpl {
 public:
  explicit DeepSenseImpl(const ModelConfig& cfg);
  torch::Tensor forward(torch::Tensor x) override;  // [B, S, T, F] → [B, classes]
  ir::Graph graph(bool with_weights = false) const override;

 private:
  ModelConfig cfg_;
  int64_t sensors_, intervals_, features_;
  int64_t filters_, hidden_;
  std::vector<DeepSenseConvStackImpl::Stage> sensor_stages_, merge_stages_;
  int64_t merged_length_;  // L3: positions left on the feature axis per interval
  std::vector<DeepSenseConvStack> sensor_{};
  DeepSenseConvStack merge_{nullptr};
  torch::nn::GRU gru1_{nullptr}, gru2_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(DeepSense);

}  // namespace slimlab::train
