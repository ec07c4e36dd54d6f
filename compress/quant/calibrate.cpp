#include "compress/quant/calibrate.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/op_rules.h"
#include "slimrt/fixed_point.h"

namespace slimlab::compress::quant {

namespace fx = slimrt::fixed;
using ir::Layer;
using ir::LayerKind;

namespace {

[[noreturn]] void fail(const Layer& l, const std::string& what) {
  throw std::invalid_argument("fixed-point calibration: layer '" + l.name + "' (" + ir::to_string(l.kind) +
                              "): " + what);
}

bool has_weights(LayerKind k) {
  return k == LayerKind::kDense || k == LayerKind::kConv1d || k == LayerKind::kConv2d ||
         k == LayerKind::kDepthwiseConv2d || k == LayerKind::kGru || k == LayerKind::kLstm;
}

double max_abs_of(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, double(std::fabs(x)));
  return m;
}

ir::NumericFormat bias_format(int fl_acc) {
  ir::NumericFormat f;
  f.precision = ir::Precision::kFixed;
  f.fixed.fl = fl_acc;
  f.fixed.il = 32 - fl_acc;
  return f;
}

class WeightQuantizer {
 public:
  explicit WeightQuantizer(const FixedPointSpec& spec) : spec_(spec), rng_(spec.seed) {}

  // Sets the weight's format from its range and snaps its values onto the grid; returns FL.
  // Binary weights (±2^−FL, from binaryconnect / bnn with scale = "pow2") stay binary.
  int weight(const Layer& l, ir::Param& p) {
    if (int64_t(p.data.size()) != p.numel()) fail(l, "parameter '" + p.name + "' has no values");
    if (p.format.precision == ir::Precision::kBinary) {
      // mark_binary_weights records a power-of-two scale as il = 1 − fl (one stored bit).
      if (p.format.fixed.word_length() != 1)
        fail(l, "binary weight '" + p.name + "' has a scale that is not a power of two (use scale = \"pow2\" "
                "in the binary stage to combine it with fixed point)");
      const int fl = p.format.fixed.fl;
      const float h = float(std::ldexp(1.0, -fl));
      for (float& v : p.data) v = v < 0 ? -h : h;  // after fine-tuning the real weights: their signs
      return fl;
    }
    p.format = format_for_lowest_error(p.data, max_abs_of(p.data), spec_.weight_bits, /*positive_only=*/false);
    const int wl = spec_.weight_bits, fl = p.format.fixed.fl;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (float& v : p.data) {
      const int64_t q = spec_.stochastic_weights ? fx::quantize_stochastic(v, u(rng_), wl, fl) : fx::quantize(v, wl, fl);
      v = float(fx::dequantize(q, fl));
    }
    return fl;
  }

  static void bias(const Layer& l, ir::Param* p, int fl_acc) {
    if (!p) return;
    if (int64_t(p->data.size()) != p->numel()) fail(l, "parameter '" + p->name + "' has no values");
    p->format = bias_format(fl_acc);
    for (float& v : p->data) v = float(fx::dequantize(fx::quantize_bias(v, fl_acc), fl_acc));
  }

 private:
  FixedPointSpec spec_;
  std::mt19937_64 rng_;
};

// The weights (and biases, which follow the input and weight FL) of layer `l`.
void quantize_layer_weights(ir::Graph& g, Layer& l, WeightQuantizer& wq) {
  const ir::NumericFormat& in = g.layer(l.inputs.at(0))->activation_format;
  if (in.precision != ir::Precision::kFixed) fail(l, "its input '" + l.inputs[0] + "' has no fixed-point format");
  if (l.kind == LayerKind::kGru || l.kind == LayerKind::kLstm) {
    const int fl_i = wq.weight(l, *l.param("weight_ih_l0"));
    const int fl_h = wq.weight(l, *l.param("weight_hh_l0"));
    WeightQuantizer::bias(l, l.param("bias_ih_l0"), in.fixed.fl + fl_i);
    WeightQuantizer::bias(l, l.param("bias_hh_l0"), l.activation_format.fixed.fl + fl_h);
  } else {
    const int fl_w = wq.weight(l, *l.param("weight"));
    WeightQuantizer::bias(l, l.param("bias"), in.fixed.fl + fl_w);
  }
}

// The scale s = γ/√(σ² + ε) of an unfolded BN gets a weight format (stored on "weight");
// γ, β and the statistics stay as they are (the evaluator and the exporter derive s, t).
void quantize_batchnorm_scale(ir::Graph& g, Layer& l, const FixedPointSpec& spec) {
  ir::Param* gamma = l.param("weight");
  const ir::Param* var = l.param("running_var");
  if (!gamma || !var || gamma->data.size() != var->data.size()) fail(l, "batch norm without weights");
  double m = 0;
  for (size_t c = 0; c < gamma->data.size(); ++c)
    m = std::max(m, std::fabs(double(gamma->data[c]) / std::sqrt(double(var->data[c]) + kBatchNormEps)));
  gamma->format = format_for_range(m, spec.weight_bits);
  (void)g;
}

}  // namespace

void check_spec(const FixedPointSpec& spec) {
  auto check = [](int bits, const char* what) {
    if (bits < fx::kMinWordLength || bits > fx::kMaxWordLength)
      throw std::invalid_argument(std::string("fixed point: ") + what + " word length " + std::to_string(bits) +
                                  " is outside " + std::to_string(fx::kMinWordLength) + ".." +
                                  std::to_string(fx::kMaxWordLength));
  };
  check(spec.weight_bits, "weights");
  check(spec.activation_bits, "activations");
  check(spec.state_bits, "state");
}

ir::NumericFormat format_for_range(double max_abs, int bits) {
  ir::NumericFormat f;
  f.precision = ir::Precision::kFixed;
  f.fixed.fl = fx::fractional_bits_for_range(max_abs, bits);
  f.fixed.il = bits - f.fixed.fl;
  return f;
}

// (calibrate.h) The format of the range (fractional_bits_for_range of max |x|), or one with up to two
// more fractional bits when that lowers the squared rounding + saturation error over
// `values` — a few outliers then saturate instead of costing every value resolution.
// `positive_only`: only the values ≥ 0 count (a tensor read only by ReLUs).
ir::NumericFormat format_for_lowest_error(const std::vector<float>& values, double max_abs, int bits,
                                          bool positive_only) {
  ir::NumericFormat best = format_for_range(max_abs, bits);
  if (values.empty()) return best;
  auto error = [&](int fl) {
    double e = 0;
    for (float v : values) {
      if (positive_only && v < 0) continue;
      const double d = double(v) - fx::dequantize(fx::quantize(v, bits, fl), fl);
      e += d * d;
    }
    // The extreme itself always counts (a sample may have missed it): at long word
    // lengths, where rounding costs nearly nothing, it keeps the range from clipping.
    const double d = max_abs - fx::dequantize(fx::quantize(max_abs, bits, fl), fl);
    return e + d * d;
  };
  double best_error = error(best.fixed.fl);
  const int fl0 = best.fixed.fl;
  for (int fl = fl0 + 1; fl <= std::min(fl0 + 2, fx::kMaxFractionalBits); ++fl) {
    const double e = error(fl);
    if (e < best_error) {
      best_error = e;
      best.fixed.fl = fl;
      best.fixed.il = bits - fl;
    }
  }
  return best;
}

ObservedRanges observe_ranges(const ir::Graph& g, const float* samples, int64_t n) {
  ObservedRanges r;
  evaluate_reference(g, samples, n, &r);
  return r;
}

void annotate_fixed_point(ir::Graph& g, const FixedPointSpec& spec, const ObservedRanges& ranges) {
  check_spec(spec);
  WeightQuantizer wq(spec);
  auto observed = [&](const std::map<std::string, Range>& m, const Layer& l, const char* what) -> const Range& {
    auto it = m.find(l.name);
    if (it == m.end() || !it->second.seen) fail(l, std::string("no observed range for its ") + what);
    return it->second;
  };
  for (Layer& l : g.layers) {
    if (l.kind == LayerKind::kInput) {
      const Range& r = observed(ranges.output, l, "output");
      l.activation_format = format_for_lowest_error(r.sample, r.max_abs(), spec.activation_bits, false);
      continue;
    }
    const Layer* first_in = g.layer(l.inputs.at(0));
    const FormatRule rule = format_rule(l);
    if (rule == FormatRule::kKeepsInput) {
      l.activation_format = first_in->activation_format;
      continue;
    }
    if (l.kind == LayerKind::kGru || l.kind == LayerKind::kLstm) {
      const int b = spec.state_bits;
      const Range& h = observed(ranges.output, l, "output");
      const Range& pre = observed(ranges.gate_pre, l, "gate pre-activations");
      l.activation_format = format_for_lowest_error(h.sample, h.max_abs(), b, false);
      l.gate_preactivation_format = format_for_lowest_error(pre.sample, pre.max_abs(), b, false);
      l.gate_format = format_for_range(1.0, b);
      if (l.kind == LayerKind::kLstm) l.cell_format = format_for_range(observed(ranges.cell, l, "cell").max_abs(), b);
      quantize_layer_weights(g, l, wq);
      continue;
    }
    if (l.kind == LayerKind::kBatchNorm) {  // unfolded: a per-channel affine y = s·x + t
      l.activation_format = format_for_range(observed(ranges.output, l, "output").max_abs(), spec.activation_bits);
      quantize_batchnorm_scale(g, l, spec);
      continue;
    }
    if (rule == FormatRule::kUnitRange) {  // sign, softmax, sigmoid, tanh, hard-sigmoid: values in [−1, 1]
      l.activation_format = format_for_range(1.0, spec.activation_bits);
      continue;
    }
    const Range& r = observed(ranges.output, l, "output");
    double max_abs = r.max_abs();
    bool positive_only = false;
    if (has_weights(l.kind)) {
      // Read only by ReLUs (at least one): negative outputs may saturate, the ReLU zeroes them.
      int readers = 0, relus = 0;
      for (const Layer& reader : g.layers)
        for (const std::string& in : reader.inputs)
          if (in == l.name) {
            ++readers;
            relus += reader.kind == LayerKind::kRelu;
          }
      const bool only_relu = readers > 0 && readers == relus;
      if (only_relu) {
        max_abs = std::max(r.max, 0.0);
        positive_only = true;
      }
    }
    l.activation_format = format_for_lowest_error(r.sample, max_abs, spec.activation_bits, positive_only);
    if (has_weights(l.kind)) quantize_layer_weights(g, l, wq);
  }
}

void requantize_weights(ir::Graph& g, const FixedPointSpec& spec) {
  check_spec(spec);
  WeightQuantizer wq(spec);
  for (Layer& l : g.layers) {
    if (has_weights(l.kind)) quantize_layer_weights(g, l, wq);
    if (l.kind == LayerKind::kBatchNorm) quantize_batchnorm_scale(g, l, spec);
  }
}

ir::Graph quantize_post_training(const ir::Graph& g, const FixedPointSpec& spec, const float* samples, int64_t n) {
  check_spec(spec);
  ir::Graph q = g;
  fold_batchnorm(q);
  const ObservedRanges ranges = observe_ranges(q, samples, n);
  annotate_fixed_point(q, spec, ranges);
  return q;
}

}  // namespace slimlab::compress::quant
