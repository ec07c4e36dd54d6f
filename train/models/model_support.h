#pragma once
// LibTorch-side helpers the models share: copying a module's tensors into its Graph
// IR, and checking a batch against the sample shape a model was built for.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::train {

// Fills every IR parameter's data from the module's parameter or buffer named
// "<layer>.<param>" (the IR names layers by their LibTorch module path). Throws
// std::logic_error naming the tensor when one is missing or its shape differs.
void copy_weights(const torch::nn::Module& module, ir::Graph& graph);

// std::invalid_argument unless x is [B, ...sample_shape] with B ≥ 1.
void check_batch(const torch::Tensor& x, const std::vector<int64_t>& sample_shape, const std::string& model);

}  // namespace slimlab::train
