#pragma once
// Pruning baselines (torch-free half: stage keys and checks).
//
//   magnitude      iterative magnitude pruning with retraining (Han et al.): `rounds`
//                  rounds, round k zeroes the smallest-|w| fraction sparsity·k/rounds
//                  of every pruned weight tensor, then retrains with the mask held.
//   dns            Dynamic Network Surgery (Guo et al.): per tensor a = (1 − margin)·t,
//                  b = (1 + margin)·t with t = mean|W| + crate·std|W| (from the weights
//                  when the stage starts); masks: |w| < a → 0, |w| ≥ b → 1, otherwise
//                  unchanged, updated after a step with probability (1 + γ·iter)^−power;
//                  the forward uses W ⊙ T but every weight keeps its gradient, so pruned
//                  weights can come back.
//   l1_structured  filter / unit pruning by L1 norm (Li et al.): per group the units
//                  with the smallest L1 norm of their producer weights are REMOVED
//                  (surgery: the model really gets smaller), then fine-tuning.
//
// Unstructured methods (magnitude, dns) report sparsity as what it is: the weights
// are zeros in a dense model — its parameter count, bytes and MACs do not drop.
#include <string>
#include <vector>

#include "compress/stage.h"
#include "train/graph_ir.h"

namespace slimlab::compress::prune {

StageDescription magnitude_stage_description();
StageDescription dns_stage_description();
StageDescription l1_structured_stage_description();

// The weight tensors an unstructured pruner touches: every conv / dense "weight" and
// GRU/LSTM weight_ih/weight_hh of the named layers (empty: all such layers) as
// (layer, param). std::invalid_argument naming a layer that is unknown or has none.
std::vector<std::pair<std::string, std::string>> prunable_weights(const ir::Graph& g,
                                                                  const std::vector<std::string>& layers);

// L1 norm of every unit of a group (its trainable producer entries), for l1_structured.
std::vector<double> unit_l1_norms(const ir::Graph& g, const ir::PrunableGroup& group);

// The units l1_structured keeps: the ceil(keep · units) (≥ 1) with the largest L1 norm, ascending.
std::vector<int64_t> l1_kept_units(const std::vector<double>& norms, double keep);

}  // namespace slimlab::compress::prune
