#pragma once
// DeepIoT's compressor network (Yao et al., SenSys 2017): per prunable group the
// unit matrix W_g (one row per unit: its weights, bias, BN γ/β, a GRU's gate rows
// and recurrent column) is projected to a 64-d vector a_g·W_g·b_g (a_g: 1×units,
// b_g: cols×64, both learned); the group vectors, in layer order, run through an
// LSTM(64); per group a dense layer + sigmoid gives one keep-probability per unit.
// Initial keep-probabilities ≈ init_keep (0.8) for conv/dense groups and
// init_keep_rnn (0.5) for GRU/LSTM groups: the heads start with small weights and
// the bias logit(p0).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "train/graph_module.h"

namespace slimlab::compress::deepiot {

struct GroupView {
  std::string name;
  std::string kind;  // conv | dense | rnn
  int64_t units = 0;
  int64_t cols = 0;  // width of the unit matrix
};

// The groups named (all when `names` is empty) in layer order — the order of their
// first mask layer in the graph. std::invalid_argument naming an unknown group.
std::vector<ir::PrunableGroup> groups_in_layer_order(const ir::Graph& g, const std::vector<std::string>& names);

// A group's unit matrix from a GraphModule's live parameters, detached: [units, cols].
// Only trainable producers (BN running statistics are not weights).
torch::Tensor unit_matrix(train::GraphModuleImpl& model, const ir::PrunableGroup& group);

class CompressorImpl : public torch::nn::Module {
 public:
  CompressorImpl(std::vector<GroupView> groups, int64_t hidden = 64, double init_keep = 0.8,
                 double init_keep_rnn = 0.5);
  // Unit matrices, one per group in order → keep-probabilities [units] per group.
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& unit_matrices);
  const std::vector<GroupView>& groups() const { return groups_; }

 private:
  std::vector<GroupView> groups_;
  std::vector<torch::Tensor> a_, b_;
  torch::nn::LSTM lstm_{nullptr};
  std::vector<torch::nn::Linear> heads_;
};
TORCH_MODULE(Compressor);

}  // namespace slimlab::compress::deepiot
