#pragma once
// Post-training fixed-point calibration: picks ⟨IL, FL⟩ per tensor from its range
// (slimrt::fixed::fractional_bits_for_range) and writes the formats into the Graph IR,
// snapping every weight onto its grid, so the exporter writes int8 / int16 tensors and
// FixedPointEvaluator / slimrt compute the same integers. Torch-free.
//
// What gets which word length (FixedPointSpec):
//   weights      conv / dense / depthwise weights, GRU / LSTM weight_ih and weight_hh
//                (FL from max |w| of the tensor); biases become int32 at fl_x + fl_w;
//   activations  the input and every layer's output (FL from the range observed on
//                calibration samples; a conv / dense read only by ReLUs uses its
//                positive range — negatives saturate and the ReLU zeroes them anyway);
//   state        GRU / LSTM: h_t (activation format), the gate pre-activations, the
//                gate values (FL = WL − 2, so ±1 is representable) and the LSTM cell.
// Layers that only move or select values (ReLU, max pooling, dropout, flatten,
// reshape, transpose, slice, the clamps) keep their input's format, so they
// are exact no-ops on the integers; sign, softmax and sigmoid get the format of [−1, 1]
// (the rules: op_rules.h format_rule). A BN that cannot be folded (after a pool, or after
// a layer with binary weights) becomes a per-channel affine s·x + t: s = γ/√(σ² + ε)
// gets a weight format (stored on the BN's "weight"), t an int32 bias at fl_x + fl_s.
// Binary weights (±2^−FL from a binary stage with scale "pow2") stay binary: ±1 at FL.
#include <cstdint>
#include <string>
#include <vector>

#include "compress/quant/graph_eval.h"
#include "train/graph_ir.h"

namespace slimlab::compress::quant {

struct FixedPointSpec {
  int weight_bits = 8;
  int activation_bits = 8;
  int state_bits = 8;
  bool stochastic_weights = false;  // round the weights stochastically (seeded) instead of to nearest
  uint64_t seed = 1;
};

// Throws std::invalid_argument naming the field when a word length is outside 2..16.
void check_spec(const FixedPointSpec& spec);

// Runs the float reference on `n` calibration samples and returns the observed ranges.
ObservedRanges observe_ranges(const ir::Graph& g, const float* samples, int64_t n);

// Annotates every tensor of `g` (with weights, foldable BN already folded) with its fixed-point
// format from `ranges`, and quantizes the weights and biases in place (their data then
// hold exact multiples of 2^−FL). std::invalid_argument naming a layer that cannot be
// quantized (binary weights whose scale is not a power of two, a missing range).
void annotate_fixed_point(ir::Graph& g, const FixedPointSpec& spec, const ObservedRanges& ranges);

// The whole post-training path: fold BN, observe ranges on `n` samples, annotate.
ir::Graph quantize_post_training(const ir::Graph& g, const FixedPointSpec& spec, const float* samples, int64_t n);

// ⟨IL, FL⟩ for a tensor of range max |x| in `bits` bits.
ir::NumericFormat format_for_range(double max_abs, int bits);
// format_for_range, or up to two more fractional bits when that lowers the squared
// rounding + saturation error over `values` (outliers saturate instead of costing every
// value resolution). positive_only: only values ≥ 0 count (a tensor read only by ReLUs).
// Weights use it at calibration and in quantization-aware training alike.
ir::NumericFormat format_for_lowest_error(const std::vector<float>& values, double max_abs, int bits,
                                          bool positive_only);

// Snaps weights onto their (already annotated) grid again — after fine-tuning changed
// them, before exporting — recomputing FL of weights from their new range.
void requantize_weights(ir::Graph& g, const FixedPointSpec& spec);

}  // namespace slimlab::compress::quant
