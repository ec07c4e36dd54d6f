#pragma once
// The interface every trainable model implements: a LibTorch module that maps a
// batch [B, ...sample_shape] to logits [B, classes] and describes itself as a
// Graph IR. Only training-side code includes this header (it pulls in LibTorch).
#include <torch/torch.h>

#include <memory>

#include "train/graph_ir.h"

namespace slimlab::train {

class SlimModelImpl : public torch::nn::Module {
 public:
  ~SlimModelImpl() override = default;
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  // The model as a Graph IR; with_weights copies the parameter values into it.
  virtual ir::Graph graph(bool with_weights = false) const = 0;
};

using SlimModel = std::shared_ptr<SlimModelImpl>;

}  // namespace slimlab::train
