// Prunable groups of an imported graph: the output units of each conv / dense layer,
// followed downstream through the layers that keep a unit on its own channel (batch
// norm, activations, pooling, dropout, flatten / reshape into a dense layer) to the
// conv / dense layers that read them. An add joins the units of its inputs: the conv /
// dense layers that produce them (found upstream through the same kinds of layers)
// become producers of one shared group, pruned together (a residual network's
// stage). A candidate whose units reach anything else — a concat (no offset into the
// consumer), a transpose, a slice, a grouped / depthwise conv, a recurrent layer, the
// model's output — is left out, and a note says which and why.
#include <map>
#include <set>

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
  const std::map<std::string, std::vector<const ir::Layer*>>& readers;
  ir::PrunableGroup group;
  std::string why;                   // non-empty: left out
  std::set<std::string> visited;     // layers the forward walk has passed
  std::vector<const ir::Layer*> producers;  // conv / dense layers of the group, in discovery order

  void add_producer(const ir::Layer& l) {
    for (const ir::Layer* p : producers)
      if (p == &l) return;
    if (l.out_features != group.units) {
      why = "'" + l.name + "' adds " + std::to_string(l.out_features) + " units to them";
      return;
    }
    producers.push_back(&l);
    add_unit_refs(group.producers, l, {"weight", "bias"}, 0);
  }

  // Upstream of an add's input: the conv / dense layers whose units it carries.
  void back(const ir::Layer& l, const std::string& add) {
    if (!why.empty()) return;
    if (weighted(l)) return add_producer(l);
    if (l.kind == K::kBatchNorm || channel_preserving(l.kind)) return back(*g.layer(l.inputs.at(0)), add);
    if (l.kind == K::kAdd) {
      for (const std::string& in : l.inputs) back(*g.layer(in), add);
      return;
    }
    why = "add '" + add + "' joins them with the output of " + ir::to_string(l.kind) + " '" + l.name + "'";
  }

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
      if (visited.insert(r->name).second) visit(*r, flat, block);
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
    if (&l == &g.layers.back()) { why = "its units are the model's outputs"; return; }
    if (l.kind == K::kBatchNorm && !flat) {
      add_unit_refs(group.producers, l, {"weight", "bias", "running_mean", "running_var"}, 0);
      return follow(l, flat, block);
    }
    if (channel_preserving(l.kind) && (!flat || l.kind == K::kDropout || l.kind == K::kRelu || l.kind == K::kRelu6))
      return follow(l, flat, block);
    if (l.kind == K::kAdd && !flat) {
      for (const std::string& in : l.inputs) back(*g.layer(in), l.name);
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
          (l.kind == K::kConcat ? " (a branch's units have no offset into the consumer)" : "");
  }

  // Walks downstream from every producer (an add may bring new ones) until none is left.
  void run() {
    for (size_t i = 0; i < producers.size() && why.empty(); ++i) follow(*producers[i], /*flat=*/false, 1);
  }
};

}  // namespace

void derive_groups(ir::Graph& g, std::vector<std::string>& notes) {
  std::map<std::string, std::vector<const ir::Layer*>> readers;
  for (const ir::Layer& l : g.layers)
    for (const std::string& in : l.inputs) readers[in].push_back(&l);
  std::set<std::string> grouped;  // producers already in a group (or left out with one)
  std::vector<ir::PrunableGroup> groups;
  for (const ir::Layer& l : g.layers) {
    if (!weighted(l) || grouped.count(l.name)) continue;
    Walk w{g, readers, {}, {}, {}, {}};
    w.group.name = l.name;
    w.group.kind = l.kind == K::kDense ? "dense" : "conv";
    w.group.units = l.out_features;
    w.add_producer(l);
    w.run();
    if (w.why.empty() && w.group.consumers.empty()) w.why = "nothing reads them";
    std::string names;
    for (const ir::Layer* p : w.producers) {
      grouped.insert(p->name);
      names += (names.empty() ? "'" : ", '") + p->name + "'";
    }
    if (w.why.empty()) {
      groups.push_back(std::move(w.group));
    } else if (&l != &g.layers.back()) {
      notes.push_back("prunable group " + names + " left out: " + w.why);
    }
  }
  g.groups = std::move(groups);
}

}  // namespace slimlab::onnx_import::detail

namespace slimlab::onnx_import {

std::string describe_groups(const ir::Graph& g) {
  std::string out;
  for (const ir::PrunableGroup& pg : g.groups) {
    out += (out.empty() ? "" : " ") + pg.name + ":" + std::to_string(pg.units);
    for (const ir::UnitRef& r : pg.producers) {
      const ir::Layer* l = g.layer(r.layer);
      if (r.layer != pg.name && r.param == "weight" && l && l->kind != ir::LayerKind::kBatchNorm) out += "+" + r.layer;
    }
  }
  return out.empty() ? "none" : out;
}

}  // namespace slimlab::onnx_import
