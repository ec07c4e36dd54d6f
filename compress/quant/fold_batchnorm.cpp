#include "compress/quant/fold_batchnorm.h"

#include <cmath>
#include <stdexcept>

namespace slimlab::compress::quant {

namespace {

bool is_foldable_producer(ir::LayerKind k) {
  return k == ir::LayerKind::kDense || k == ir::LayerKind::kConv1d || k == ir::LayerKind::kConv2d ||
         k == ir::LayerKind::kDepthwiseConv2d;
}

int readers(const ir::Graph& g, const std::string& name) {
  int n = 0;
  for (const ir::Layer& l : g.layers)
    for (const std::string& in : l.inputs) n += in == name;
  return n;
}

// Why BN layer `bn` cannot be folded, or "" when it can.
std::string why_not_foldable(const ir::Graph& g, const ir::Layer& bn) {
  if (bn.inputs.size() != 1) return "it has " + std::to_string(bn.inputs.size()) + " inputs";
  const ir::Layer* p = g.layer(bn.inputs[0]);
  if (!p) return "its input '" + bn.inputs[0] + "' does not exist";
  if (!is_foldable_producer(p->kind))
    return "its input '" + p->name + "' is a " + ir::to_string(p->kind) + ", not a conv or dense layer";
  if (readers(g, p->name) != 1) return "the output of '" + p->name + "' is also read by other layers";
  if (const ir::Param* w = p->param("weight"); w && w->format.precision == ir::Precision::kBinary)
    return "'" + p->name + "' has binary weights (folding would scale them)";
  return "";
}

const std::vector<float>& data_of(const ir::Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) throw std::invalid_argument("fold_batchnorm: layer '" + l.name + "' has no parameter '" + name + "'");
  if (int64_t(p->data.size()) != p->numel())
    throw std::invalid_argument("fold_batchnorm: parameter '" + l.name + "." + name +
                                "' has no values (fold a graph taken with weights)");
  return p->data;
}

}  // namespace

std::vector<std::string> unfoldable_batchnorms(const ir::Graph& g) {
  std::vector<std::string> out;
  for (const ir::Layer& l : g.layers)
    if (l.kind == ir::LayerKind::kBatchNorm) {
      const std::string why = why_not_foldable(g, l);
      if (!why.empty()) out.push_back(l.name + ": " + why);
    }
  return out;
}

std::vector<std::string> fold_batchnorm(ir::Graph& g) {
  std::vector<std::string> folded;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    if (g.layers[i].kind != ir::LayerKind::kBatchNorm || !why_not_foldable(g, g.layers[i]).empty()) continue;
    const ir::Layer bn = g.layers[i];
    ir::Layer& p = *g.layer(bn.inputs[0]);
    const std::vector<float>& gamma = data_of(bn, "weight");
    const std::vector<float>& beta = data_of(bn, "bias");
    const std::vector<float>& mean = data_of(bn, "running_mean");
    const std::vector<float>& var = data_of(bn, "running_var");
    const int64_t channels = p.out_features;
    if (int64_t(gamma.size()) != channels)
      throw std::invalid_argument("fold_batchnorm: '" + bn.name + "' has " + std::to_string(gamma.size()) +
                                  " channels but '" + p.name + "' has " + std::to_string(channels) + " outputs");
    ir::Param* w = p.param("weight");
    data_of(p, "weight");
    if (!p.bias) {
      ir::Param b;
      b.name = "bias";
      b.shape = {channels};
      b.data.assign(size_t(channels), 0.0f);
      p.params.push_back(b);
      p.bias = true;
      w = p.param("weight");  // the vector may have moved
    }
    std::vector<float>& bias = p.param("bias")->data;
    if (int64_t(bias.size()) != channels) data_of(p, "bias");
    const int64_t per_channel = w->numel() / channels;
    for (int64_t o = 0; o < channels; ++o) {
      const double s = double(gamma[size_t(o)]) / std::sqrt(double(var[size_t(o)]) + kBatchNormEps);
      for (int64_t k = 0; k < per_channel; ++k) {
        float& v = w->data[size_t(o * per_channel + k)];
        v = float(double(v) * s);
      }
      bias[size_t(o)] = float(s * (double(bias[size_t(o)]) - mean[size_t(o)]) + beta[size_t(o)]);
    }
    p.activation_format = bn.activation_format;
    for (ir::Layer& l : g.layers)
      for (std::string& in : l.inputs)
        if (in == bn.name) in = p.name;
    for (ir::PrunableGroup& grp : g.groups) {
      auto drop = [&](std::vector<ir::UnitRef>& refs) {
        std::vector<ir::UnitRef> kept;
        for (ir::UnitRef& r : refs)
          if (r.layer != bn.name) kept.push_back(r);
        refs = kept;
      };
      drop(grp.producers);
      drop(grp.consumers);
      // A new bias entry belongs to the group's units like the weight rows do.
      bool has_weight = false, has_bias = false;
      for (const ir::UnitRef& r : grp.producers) {
        has_weight |= r.layer == p.name && r.param == "weight";
        has_bias |= r.layer == p.name && r.param == "bias";
      }
      if (has_weight && !has_bias) {
        ir::UnitRef r;
        r.layer = p.name;
        r.param = "bias";
        grp.producers.push_back(r);
      }
    }
    g.layers.erase(g.layers.begin() + long(i));
    --i;
    folded.push_back(bn.name);
  }
  g.validate();
  return folded;
}

}  // namespace slimlab::compress::quant
