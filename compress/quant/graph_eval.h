#pragma once
// Two torch-free interpreters of an ir::Graph with weights, one sample at a time:
//
//   ReferenceEvaluator — the float network in double precision (LibTorch semantics:
//     GRU gates r, z, n and LSTM i, f, g, o as torch::nn, BN in eval mode, pooling
//     windows as LibTorch). It can record every tensor's range: fixed-point
//     calibration reads them (ObservedRanges), including a GRU's gate
//     pre-activations, which no module hook reaches.
//
//   FixedPointEvaluator — the network exactly as slimrt runs its fixed-point export: a
//     walk over the graph that runs every layer with slimrt's reference kernels
//     (deploy/runtime/kernels/ref), bound as the exporter and the interpreter bind the
//     layer's op (fixed_point_eval.cpp). Integer tensors in each layer's
//     activation_format, weights and int32 biases as the exporter writes them, so a
//     fixed-point model predicts the same classes, bit for bit, here and in slimrt. The
//     rules per layer are written out in docs/DESIGN-NOTES.md ("Fixed-point semantics").
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "train/graph_ir.h"

namespace slimlab::compress::quant {

// Range of a tensor over calibration samples, plus a deterministic reservoir sample
// of its values (for choosing FL by quantization error, calibrate.h).
struct Range {
  static constexpr size_t kReservoir = 8192;
  double min = 0, max = 0;
  bool seen = false;
  uint64_t count = 0;
  std::vector<float> sample;
  void add(double v) {
    if (!seen) { min = max = v; seen = true; }
    if (v < min) min = v;
    if (v > max) max = v;
    // Reservoir sampling (Vitter's R) with a fixed LCG: the same inputs give the same sample.
    ++count;
    if (sample.size() < kReservoir) {
      sample.push_back(float(v));
    } else {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const uint64_t j = (state >> 11) % count;
      if (j < kReservoir) sample[size_t(j)] = float(v);
    }
  }
  double max_abs() const { return seen ? (-min > max ? -min : max) : 0.0; }

 private:
  uint64_t state = 0x853c49e6748fea9bull;
};

// Ranges observed while running the reference on calibration samples.
struct ObservedRanges {
  std::map<std::string, Range> output;    // per layer: its output
  std::map<std::string, Range> gate_pre;  // GRU / LSTM: W x + b, U h + b, their sums (and r ⊙ (U h + b)_n)
  std::map<std::string, Range> cell;      // LSTM: c_t
};

class ReferenceEvaluator {
 public:
  // `g` must validate and carry every Param::data (std::invalid_argument naming the parameter).
  explicit ReferenceEvaluator(const ir::Graph& g);
  ~ReferenceEvaluator();
  // One sample (numel(input_shape) floats, row-major) → the last layer's output.
  std::vector<double> run(const float* sample, ObservedRanges* ranges = nullptr) const;
  const ir::Graph& graph() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class FixedPointEvaluator {
 public:
  // Every layer needs a kFixed activation_format (GRU / LSTM also gate_preactivation,
  // gate and, LSTM, cell formats) and every conv / dense / RNN weight a kFixed format
  // (or kBinary with a power-of-two scale); an unfolded BN a format on its "weight" (the
  // scale γ/√(σ²+ε)). Otherwise std::invalid_argument naming the layer and what is missing.
  explicit FixedPointEvaluator(const ir::Graph& g);
  ~FixedPointEvaluator();
  // One sample → the last layer's output as integers in its ⟨WL, FL⟩.
  std::vector<int64_t> run(const float* sample) const;
  int output_fl() const;
  const ir::Graph& graph() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct FixedPointOutputs {
  int64_t samples = 0, classes = 0;
  std::vector<int64_t> raw;       // [samples, classes] integers of the output layer
  std::vector<double> logits;     // raw · 2^−FL
  std::vector<int64_t> predictions;  // argmax of raw (the first of equal maxima)
  int output_fl = 0;
};

// The bit-exact evaluation of a fixed-point graph (what slimrt computes) on `n`
// samples stored back to back. This is the workbench's evaluation of every
// fixed-point model; slimrt's fixed-point export must reproduce `predictions` exactly.
FixedPointOutputs evaluate_fixed_point(const ir::Graph& g, const float* inputs, int64_t n);

// The float reference on `n` samples: [n, classes] outputs.
std::vector<double> evaluate_reference(const ir::Graph& g, const float* inputs, int64_t n,
                                       ObservedRanges* ranges = nullptr);

}  // namespace slimlab::compress::quant
