#pragma once
// The fixed-point stage's LibTorch half.
//
// FixedPointModule is a GraphModule whose evaluation (eval mode) IS the bit-exact
// integer path: forward() runs compress::quant::FixedPointEvaluator on the graph
// with the current weights snapped onto their grids — the predictions slimrt makes.
// In training mode it runs the float graph with the fake quantizers installed as
// hooks (quantization-aware training, clipped STE). graph(true) returns the
// quantized graph (formats on every tensor, weights on their grids).
#include <memory>

#include "compress/quant/calibrate.h"
#include "compress/quant/graph_eval.h"
#include "compress/stage_torch.h"
#include "train/graph_module.h"

namespace slimlab::compress {

class FixedPointModuleImpl : public GraphModuleImpl {
 public:
  // `g`: BN folded, every tensor annotated (annotate_fixed_point), with weights.
  FixedPointModuleImpl(const ir::Graph& g, double dropout, quant::FixedPointSpec spec);
  torch::Tensor forward(torch::Tensor x) override;
  ir::Graph graph(bool with_weights = false) const override;
  void train(bool on = true) override;

  // Installs the fake quantizers (weights by their current range, outputs and GRU
  // state in their calibrated formats). `stochastic` rounds weights stochastically.
  void install_fake_quantization(bool stochastic, bool plain_ste);
  const quant::FixedPointSpec& spec() const { return spec_; }
  // Picks every activation (and GRU / LSTM internal) format again from the ranges of the
  // current weights on `n` samples, as at calibration; the fake quantizers follow.
  void recalibrate(const float* samples, int64_t n);

 private:
  quant::FixedPointSpec spec_;
  std::unique_ptr<quant::FixedPointEvaluator> evaluator_;  // built lazily in eval mode
};

// The bit-exact evaluation of a fixed-point graph on a batch [B, ...] (float32, CPU):
// logits [B, classes] (the output integers · 2^−FL) and predictions [B] (int64).
std::pair<torch::Tensor, torch::Tensor> evaluate_fixed_point(const ir::Graph& g, const torch::Tensor& inputs);

std::unique_ptr<Stage> make_fixed_point_stage();

}  // namespace slimlab::compress
