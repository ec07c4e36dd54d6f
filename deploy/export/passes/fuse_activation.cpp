// Activations fused into the op that produces their input (passes.h).
#include "deploy/export/passes/passes.h"

namespace slimlab::deploy::passes {

using ir::LayerKind;
using slimrt::fb::Activation;

namespace {

// The fused form of an activation layer; None when it has none.
Activation fused_form(LayerKind k) {
  if (k == LayerKind::kRelu) return Activation::Relu;
  if (k == LayerKind::kRelu6) return Activation::Relu6;
  return Activation::None;
}

// Whether the op `p` becomes can apply an activation to its output: dense / conv / add,
// and a fixed-point batch norm over [C, L] (a Conv1d, lower_batchnorm). BNN ops (XOR +
// popcount on packed inputs) have no fused activation: a ReLU fused there would be
// dropped silently (a trained BNN LeNet-5 lost 0.956 → 0.574).
bool takes_activation(const ExportGraph& g, const ExportLayer& p) {
  if (p.ann.reads_packed || p.ann.out.dt == slimrt::DType::BIN) return false;
  if (p.ann.activation != Activation::None) return false;
  const LayerKind k = p.layer.kind;
  if (is_weighted(k) || k == LayerKind::kAdd) return true;
  return k == LayerKind::kBatchNorm && g.fixed && g.at(p.layer.inputs.at(0)).layer.output_shape.size() == 2;
}

bool same_fixed_format(const ir::Layer& a, const ir::Layer& b) {
  const ValueFormat fa = layer_format(a), fb = layer_format(b);
  return fa.wl == fb.wl && fa.fl == fb.fl;
}

}  // namespace

void fuse_activation(ExportGraph& g) {
  for (size_t i = 1; i < g.layers.size(); ++i) {
    const ir::Layer& l = g.layers[i].layer;
    const Activation a = fused_form(l.kind);
    if (a == Activation::None) continue;
    // Its input must be the op written just before it, read by nothing else.
    ExportLayer& p = g.layers[i - 1];
    if (l.inputs.at(0) != p.layer.name || g.readers(p.layer.name).size() != 1 || !takes_activation(g, p)) continue;
    if (g.fixed && !same_fixed_format(l, p.layer)) continue;  // fixed point: it keeps its input's format
    p.ann.activation = a;
    p.ann.notes.push_back("'" + l.name + "' fused into '" + p.layer.name + "'");
    const std::string name = l.name;
    g.rewire(name, p.layer.name);
    g.erase({name});
    --i;
  }
}

}  // namespace slimlab::deploy::passes
