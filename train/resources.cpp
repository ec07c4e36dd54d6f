#include "train/resources.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace slimlab::train {

namespace {

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Storage of n values at `bits` each, bit-packed: ⌈n·bits / 8⌉ bytes.
int64_t packed_bytes(int64_t n, int bits) { return (n * bits + 7) / 8; }

std::string format_name(const ir::NumericFormat& f) {
  if (f.precision == ir::Precision::kFixed)
    return "fixed<" + std::to_string(f.fixed.il) + "," + std::to_string(f.fixed.fl) + ">";
  return ir::to_string(f.precision);
}

// The weights' precision: "-" without parameters, "mixed" when they differ.
std::string weight_precision(const ir::Layer& l) {
  if (l.params.empty()) return "-";
  const std::string first = format_name(l.params[0].format);
  for (const ir::Param& p : l.params)
    if (format_name(p.format) != first) return "mixed";
  return first;
}

// Multiply-accumulates of one inference at batch 1.
int64_t layer_macs(const ir::Layer& l) {
  switch (l.kind) {
    case ir::LayerKind::kDense:
      return l.in_features * l.out_features;
    case ir::LayerKind::kConv1d:
    case ir::LayerKind::kConv2d:
    case ir::LayerKind::kDepthwiseConv2d: {
      // Every output value is a dot product over (in/groups)·∏k inputs.
      int64_t k = 1;
      for (int64_t d : l.kernel) k *= d;
      const int64_t spatial = numel(l.output_shape) / std::max<int64_t>(1, l.out_features);
      return l.out_features * (l.in_features / std::max<int64_t>(1, l.groups)) * k * spatial;
    }
    case ir::LayerKind::kGru:
    case ir::LayerKind::kLstm: {
      // Per time step, each of G gates multiplies W_ih [H, F] by x_t and W_hh [H, H]
      // by h_{t−1}: G·H·(F + H). The elementwise gate arithmetic is not counted.
      const int64_t gates = l.kind == ir::LayerKind::kGru ? 3 : 4;
      const int64_t steps = l.output_shape.empty() ? 1 : l.output_shape[0];
      return steps * gates * l.out_features * (l.in_features + l.out_features);
    }
    default:
      // BN folds into the preceding layer at export; pooling, activations and
      // reshapes are comparisons, additions or copies, not MACs.
      return 0;
  }
}

}  // namespace

ResourceProfile profile(const ir::Graph& g) {
  ResourceProfile rp;
  std::map<std::string, size_t> index;
  std::vector<size_t> last_use(g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const ir::Layer& l = g.layers[i];
    LayerResources r;
    r.name = l.name;
    r.kind = ir::to_string(l.kind);
    r.precision = weight_precision(l);
    r.output_shape = l.output_shape;
    r.params = l.parameter_count();
    for (const ir::Param& p : l.params) r.bytes += packed_bytes(p.numel(), p.format.bits());
    r.macs = layer_macs(l);
    r.activation_bytes = packed_bytes(numel(l.output_shape), l.activation_format.bits());
    rp.params += r.params;
    rp.bytes += r.bytes;
    rp.macs += r.macs;
    rp.layers.push_back(std::move(r));

    last_use[i] = i;
    for (const std::string& in : l.inputs) {
      auto it = index.find(in);
      if (it == index.end())
        throw std::invalid_argument("profile: layer '" + l.name + "' reads '" + in + "', which is not an earlier layer");
      last_use[it->second] = i;
    }
    index[l.name] = i;
  }
  // While layer i runs, its inputs and its output are live, and so is every earlier
  // output still waiting for a later consumer: output j lives over [j, last_use[j]].
  for (size_t i = 0; i < g.layers.size(); ++i) {
    int64_t live = 0;
    for (size_t j = 0; j <= i; ++j)
      if (last_use[j] >= i) live += rp.layers[j].activation_bytes;
    rp.peak_activation_bytes = std::max(rp.peak_activation_bytes, live);
  }
  return rp;
}

}  // namespace slimlab::train
