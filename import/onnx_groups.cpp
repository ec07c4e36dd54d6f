// Prunable groups of an imported graph: the output units of each conv / dense layer,
// followed downstream through the layers that keep a unit on its own channel (batch
// norm, activations, pooling, dropout, flatten / reshape into a dense layer) to the
// conv / dense layers that read them. A candidate whose units reach anything else —
// an add or a concat (its units must match another branch's), a transpose, a slice, a
// grouped / depthwise conv, a recurrent layer, the model's output — is left out, and
// a note says which and why.
#include <map>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

namespace {

using K = ir::LayerKind;

bool weighted(const ir::Layer& l) {
  return (l.kind == K::kDense || l.kind == K::kConv1d || l.kind == K::kConv2d) && l.groups == 1;
}

bool channel_preserving(K k) {
  switch (k) {
    case K::kRelu: case K::kRelu6: case K::kHardTanh: case K::kSigmoid: case K::kHardSwish: case K::kSign:
    case K::kDropout: case K::kMaxPool1d: case K::kMaxPool2d: case K::kAvgPool2d: case K::kGlobalAvgPool:
      return true;
    default:
      return false;
  }
}

void add_unit_refs(std::vector<ir::UnitRef>& out, const ir::Layer& l, std::initializer_list<const char*> params, int axis,
                   int64_t block = 1) {
  for (const char* p : params)
    if (l.param(p)) out.push_back({l.name, p, axis, block, 0});
}

struct Walk {
  const ir::Graph& g;
  std::map<std::string, std::vector<const ir::Layer*>> readers;
  ir::PrunableGroup group;
  std::string why;  // non-empty: left out

  // Follows the units of `from` (a layer whose output holds them on axis 0, or
  // flattened with `block` values per unit when `flat`) into its readers.
  void follow(const ir::Layer& from, bool flat, int64_t block) {
    const auto it = readers.find(from.name);
    if (it == readers.end() || it->second.empty()) {
      if (&from == &g.layers.back()) why = "its units are the model's outputs";
      return;
    }
    for (const ir::Layer* r : it->second) {
      if (!why.empty()) return;
      visit(*r, flat, block);
    }
  }

  void visit(const ir::Layer& l, bool flat, int64_t block) {
    const int64_t units = group.units;
    if (weighted(l)) {
      if (l.kind != K::kDense && flat) { why = "a conv reads them flattened ('" + l.name + "')"; return; }
      const int64_t per = l.kind == K::kDense ? l.in_features / units : 1;
      if (l.kind == K::kDense && (flat ? block : per) * units != l.in_features) { why = "'" + l.name + "' mixes them"; return; }
      add_unit_refs(group.consumers, l, {"weight"}, 1, l.kind == K::kDense ? (flat ? block : per) : 1);
      return;
    }
    if (l.kind == K::kBatchNorm && !flat) {
      add_unit_refs(group.producers, l, {"weight", "bias", "running_mean", "running_var"}, 0);
      return follow(l, flat, block);
    }
    if (channel_preserving(l.kind) && (!flat || l.kind == K::kDropout || l.kind == K::kRelu || l.kind == K::kRelu6)) {
      if (&l == &g.layers.back()) { why = "its units are the model's outputs"; return; }
      return follow(l, flat, block);
    }
    if (l.kind == K::kFlatten || l.kind == K::kReshape) {
      // Channel-major data flattened: each unit owns numel / units consecutive values.
      const ir::Layer* in = g.layer(l.inputs.at(0));
      if (!flat && !in->output_shape.empty() && in->output_shape[0] == units &&
          (l.kind == K::kFlatten || l.output_shape.size() == 1 || l.output_shape[0] == units))
        return follow(l, l.output_shape.size() == 1 || l.kind == K::kFlatten, ir::numel(in->output_shape) / units);
      if (flat && l.output_shape.size() == 1) return follow(l, flat, block);
      why = "reshaped across channels at '" + l.name + "'";
      return;
    }
    why = std::string("they feed ") + ir::to_string(l.kind) + " '" + l.name + "'" +
          (l.kind == K::kAdd || l.kind == K::kConcat ? " (its units must match another branch's)" : "");
  }
};

}  // namespace

void derive_groups(ir::Graph& g, std::vector<std::string>& notes) {
  std::map<std::string, std::vector<const ir::Layer*>> readers;
  for (const ir::Layer& l : g.layers)
    for (const std::string& in : l.inputs) readers[in].push_back(&l);
  for (const ir::Layer& l : g.layers) {
    if (!weighted(l)) continue;
    Walk w{g, readers, {}, {}};
    w.group.name = l.name;
    w.group.kind = l.kind == K::kDense ? "dense" : "conv";
    w.group.units = l.out_features;
    add_unit_refs(w.group.producers, l, {"weight", "bias"}, 0);
    w.follow(l, /*flat=*/false, 1);
    if (w.why.empty() && w.group.consumers.empty()) w.why = "nothing reads them";
    if (w.why.empty()) {
      g.groups.push_back(std::move(w.group));
    } else if (&l != &g.layers.back()) {
      notes.push_back("prunable group '" + l.name + "' left out: " + w.why);
    }
  }
}

}  // namespace slimlab::onnx_import::detail
