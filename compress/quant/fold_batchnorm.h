#pragma once
// Folding batch normalisation into the convolution or dense layer before it — an
// IR rewrite done once before quantization (fixed-point stage) and by the exporter,
// so the two never disagree about the folded weights. Torch-free.
//
// For a BN with scale s_o = γ_o / √(σ²_o + ε) on output channel o of layer P:
//   W'[o, …] = s_o · W[o, …],   b'_o = s_o · (b_o − μ_o) + β_o
// (P gains a bias when it had none). The BN layer disappears: whatever read it reads
// P, P takes the BN's activation format, and the BN's entries leave the prunable
// groups. ε is LibTorch's default 1e-5 (the IR carries no ε; GraphModule uses the same).
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::compress::quant {

constexpr double kBatchNormEps = 1e-5;

// Folds every BN whose single input is a conv1d / conv2d / depthwise conv2d / dense
// layer read by nothing else and whose weights are not binary. Needs weights (Param::data) on both layers; throws
// std::invalid_argument naming the layer otherwise. Returns the names of the folded
// BN layers; BNs that cannot be folded stay (see unfoldable_batchnorms).
std::vector<std::string> fold_batchnorm(ir::Graph& g);

// The BN layers fold_batchnorm would leave in place, each with the reason.
std::vector<std::string> unfoldable_batchnorms(const ir::Graph& g);

}  // namespace slimlab::compress::quant
