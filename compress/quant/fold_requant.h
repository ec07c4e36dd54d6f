#pragma once
// A batch norm folded into the requantization of the fixed-point conv / dense before
// it (slimrt::fixed::requantize_channel) — the rule shared by the workbench's
// fixed-point evaluation (fixed_point_eval.cpp) and the exporter's pass
// (deploy/export/passes/fold_bn_requant.cpp), so both compute the same integers.
//
// fold_batchnorm (fold_batchnorm.h) folds a BN into non-binary weights before
// quantization; the BNs it leaves after a dense / conv — those after binary
// (BinaryConnect) weights — fold here instead: output channel c of the layer becomes
//   requantize((acc + b_c)·m_c + o_c, fl_acc + fl_s → the BN's output format)
// with m_c = quantize(s_c, BN scale format ⟨wl_s, fl_s⟩), s_c = γ_c/√(σ²_c + ε), and
// o_c = quantize_bias(β_c − μ_c·s_c, fl_acc + fl_s): the separate BN's arithmetic
// with its intermediate rounding (the layer's own output format) removed. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::compress::quant {

// Why batch norm `bn` (reading `producer`, whose output `producer_readers` layers read)
// does not fold into the producer's requantization; "" when it does. Fixed point only:
// the producer is a dense / conv1d / conv2d / depthwise conv2d read by nothing else,
// the BN's scale has a fixed-point format, and the BN's output fits the producer's
// storage class (a BN of more than 8 bits after an 8-bit layer stays separate).
std::string why_not_requant_foldable(const ir::Layer& bn, const ir::Layer* producer, int producer_readers);
// The same on a graph: the producer of `bn` when it folds, else null.
const ir::Layer* requant_fold_producer(const ir::Graph& g, const ir::Layer& bn);

struct ChannelRequantParams {
  std::vector<int32_t> mult;    // per channel at fl_mult
  std::vector<int32_t> offset;  // per channel at fl_acc + fl_mult
  int fl_mult = 0;
};
// Multiplier and offset of `bn` for an accumulator at fl_acc; throws std::invalid_argument
// naming the layer when its parameters or scale format are missing.
ChannelRequantParams channel_requant(const ir::Layer& bn, int fl_acc);

}  // namespace slimlab::compress::quant
