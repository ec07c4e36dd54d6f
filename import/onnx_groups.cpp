// Prunable groups of an imported graph: the output units of each conv / dense / GRU /
// LSTM layer, followed downstream through the layers that keep a unit on its own
// channel (batch norm, activations, pooling, dropout, flatten / reshape into a dense
// layer, a [C, T] ↔ [T, C] transpose, a time slice or reversal, a mean over time) to the conv /
// dense / recurrent layers that read them. An add joins the units of its inputs: the conv /
// dense layers that produce them (found upstream through the same kinds of layers)
// become producers of one shared group, pruned together (a residual network's
// stage). A candidate whose units reach anything else — a concat (no offset into the
// consumer: the two directions of a bidirectional RNN, concatenated per step), another
// transpose or slice, a grouped / depthwise conv, the model's output — is left out, and
// a note says which and why.
#include <map>
#include <set>

#include "import/onnx_internal.h"
#include "train/op_facts.h"

namespace slimlab::onnx_import::detail {

namespace {

using K = ir::LayerKind;

bool weighted(const ir::Layer& l) {
  return (l.kind == K::kDense || l.kind == K::kConv1d || l.kind == K::kConv2d) && l.groups == 1;
}

bool recurrent(const ir::Layer& l) { return l.kind == K::kGru || l.kind == K::kLstm; }

// Element-wise: a unit stays where it is, whatever the layout.
bool elementwise(K k) {
  return k == K::kDropout || ir::op_facts(k).activation != nullptr;  // the unary activations
}

// Keeps a channel-first unit on its channel: element-wise layers and pooling.
bool channel_preserving(K k) {
  return elementwise(k) || k == K::kMaxPool1d || k == K::kMaxPool2d || k == K::kAvgPool2d || k == K::kGlobalAvgPool;
}

// Two-input element-wise layers: unit u of the output is unit u of both inputs, so the
// layers producing them join one group.
bool joins(K k) { return k == K::kAdd || k == K::kMul || k == K::kSub || k == K::kDiv; }

// Whether input `in` of join `j` carries the join's channel units: not when it broadcasts
// along them (a per-sample scalar or [1, …] against [C, …]; pruning a channel leaves it as is).
bool carries_units(const ir::Layer& j, const ir::Layer& in) {
  const ir::Shape &s = in.output_shape, &o = j.output_shape;
  return !(s.size() == o.size() && !s.empty() && s[0] == 1 && o[0] != 1);
}

// A reshape that keeps axis 0 (the channels): [C] → [C, 1, 1] before a broadcasting mul
// (a squeeze-and-excitation block's gate), or back.
bool keeps_channels(const ir::Layer& l, const ir::Layer& in) {
  return (l.kind == K::kReshape || l.kind == K::kFlatten) && !l.output_shape.empty() && !in.output_shape.empty() &&
         l.output_shape[0] == in.output_shape[0] && ir::numel(l.output_shape) == l.output_shape[0] &&
         ir::numel(in.output_shape) == in.output_shape[0];
}

void add_unit_refs(std::vector<ir::UnitRef>& out, const ir::Layer& l, std::initializer_list<const char*> params, int axis,
                   int64_t block = 1) {
  for (const char* p : params)
    if (l.param(p)) out.push_back({l.name, p, axis, block, 0});
}

// Where a value holds the units: on axis 0 (channels), on the last axis of [T, units]
// (a recurrent layer's output, or channels transposed after the time axis), or flattened
// with `block` consecutive values per unit.
struct Units {
  bool flat = false;
  int64_t block = 1;
  bool last = false;
  bool first() const { return !flat && !last; }
};

struct Walk {
  const ir::Graph& g;
  const std::map<std::string, std::vector<const ir::Layer*>>& readers;
  ir::PrunableGroup group;
  std::string why;                   // non-empty: left out
  std::set<std::string> visited;     // layers the forward walk has passed
  std::vector<const ir::Layer*> producers;  // conv / dense / recurrent layers of the group, in discovery order

  void add_producer(const ir::Layer& l) {
    for (const ir::Layer* p : producers)
      if (p == &l) return;
    if (l.out_features != group.units) {
      why = "'" + l.name + "' adds " + std::to_string(l.out_features) + " units to them";
      return;
    }
    producers.push_back(&l);
    if (!recurrent(l)) return add_unit_refs(group.producers, l, {"weight", "bias"}, 0);
    // Unit u owns rows u, H+u, … (one per gate) of every weight and bias, and column u of the recurrent weight.
    for (const char* p : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
      if (l.param(p)) group.producers.push_back({l.name, p, 0, 1, l.out_features});
    group.producers.push_back({l.name, "weight_hh_l0", 1, 1, 0});
  }

  // Whether a join's inputs differ in shape from its output (a broadcast).
  bool broadcasts(const ir::Layer& j) const {
    for (const std::string& in : j.inputs)
      if (g.layer(in)->output_shape != j.output_shape) return true;
    return false;
  }

  // Upstream of a join's inputs that carry its units (not those broadcast along them).
  void back_inputs(const ir::Layer& j, const std::string& add) {
    for (const std::string& in : j.inputs)
      if (carries_units(j, *g.layer(in))) back(*g.layer(in), add);
  }

  // Upstream of an add's input: the conv / dense layers whose units it carries.
  void back(const ir::Layer& l, const std::string& add) {
    if (!why.empty()) return;
    if (weighted(l)) return add_producer(l);
    if (l.kind == K::kBatchNorm || channel_preserving(l.kind)) return back(*g.layer(l.inputs.at(0)), add);
    if (keeps_channels(l, *g.layer(l.inputs.at(0)))) return back(*g.layer(l.inputs.at(0)), add);
    if (joins(l.kind)) return back_inputs(l, add);
    why = "add '" + add + "' joins them with the output of " + ir::to_string(l.kind) + " '" + l.name + "'";
  }

  // Follows the units of `from` into its readers.
  void follow(const ir::Layer& from, Units u) {
    const auto it = readers.find(from.name);
    if (it == readers.end() || it->second.empty()) {
      if (&from == &g.layers.back()) why = "its units are the model's outputs";
      return;
    }
    for (const ir::Layer* r : it->second) {
      if (!why.empty()) return;
      if (visited.insert(r->name).second) visit(*r, u);
    }
  }

  void consume(const ir::Layer& l, Units u) {
    const int64_t units = group.units;
    if (recurrent(l)) {
      if (!u.last) { why = "recurrent layer '" + l.name + "' reads them across its time axis"; return; }
      return add_unit_refs(group.consumers, l, {"weight_ih_l0"}, 1);
    }
    if (l.kind != K::kDense) {
      if (!u.first()) { why = "conv '" + l.name + "' reads them flattened or transposed"; return; }
      return add_unit_refs(group.consumers, l, {"weight"}, 1);
    }
    // Dense: channel-major values own in/units consecutive inputs each; [1, units] owns one.
    int64_t block = u.flat ? u.block : l.in_features / units;
    if (u.last && l.in_features != units) { why = "'" + l.name + "' reads them interleaved over time"; return; }
    if (u.last) block = 1;
    if (block * units != l.in_features) { why = "'" + l.name + "' mixes them"; return; }
    add_unit_refs(group.consumers, l, {"weight"}, 1, block);
  }

  void reshape(const ir::Layer& l, Units u) {
    const ir::Layer* in = g.layer(l.inputs.at(0));
    const int64_t units = group.units;
    const bool to_flat = l.output_shape.size() == 1 || l.kind == K::kFlatten;
    if (u.first() && !in->output_shape.empty() && in->output_shape[0] == units && (to_flat || l.output_shape[0] == units))
      return follow(l, {to_flat, ir::numel(in->output_shape) / units, false});
    if (u.flat && to_flat) return follow(l, u);
    if (u.last && ir::numel(in->output_shape) == units && to_flat) return follow(l, {});  // [1, units] → [units]
    why = "reshaped across units at '" + l.name + "'";
  }

  void visit(const ir::Layer& l, Units u) {
    if (weighted(l) || recurrent(l)) return consume(l, u);
    if (&l == &g.layers.back()) { why = "its units are the model's outputs"; return; }
    if (l.kind == K::kBatchNorm && u.first()) {
      add_unit_refs(group.producers, l, {"weight", "bias", "running_mean", "running_var"}, 0);
      return follow(l, u);
    }
    if (elementwise(l.kind) || (channel_preserving(l.kind) && u.first())) return follow(l, u);
    if (joins(l.kind) && u.first()) {
      back_inputs(l, l.name);
      return follow(l, u);
    }
    if (joins(l.kind) && broadcasts(l)) {
      why = std::string("broadcasting ") + ir::to_string(l.kind) + " '" + l.name + "' (" +
            ir::to_string(g.layer(l.inputs.at(0))->output_shape) + " against " +
            ir::to_string(g.layer(l.inputs.at(1))->output_shape) + ") spreads them along another axis than the first";
      return;
    }
    if (l.kind == K::kFlatten || l.kind == K::kReshape) return reshape(l, u);
    const bool swap = l.kind == K::kTranspose && l.perm == std::vector<int64_t>{1, 0};
    if (swap && !u.flat) return follow(l, {false, 1, !u.last});
    // A time slice or reversal (the reverse direction of an RNN) keeps each unit on its channel.
    const bool along_time = l.kind == K::kSlice || l.kind == K::kReverse;
    if (along_time && !u.flat && (u.last ? l.axis == 0 : l.axis != 0)) return follow(l, u);
    if (l.kind == K::kMeanOverTime && u.last) return follow(l, {});
    why = std::string("they feed ") + ir::to_string(l.kind) + " '" + l.name + "'" +
          (l.kind == K::kConcat ? " (a branch's units have no offset into the consumer)" : "");
  }

  // Walks downstream from every producer (an add may bring new ones) until none is left.
  void run() {
    for (size_t i = 0; i < producers.size() && why.empty(); ++i)
      follow(*producers[i], Units{false, 1, recurrent(*producers[i])});
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
    if (!(weighted(l) || recurrent(l)) || grouped.count(l.name)) continue;
    Walk w{g, readers, {}, {}, {}, {}};
    w.group.name = l.name;
    w.group.kind = recurrent(l) ? "rnn" : l.kind == K::kDense ? "dense" : "conv";
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
