#include "train/graph_ir.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "train/op_facts.h"

namespace slimlab::ir {

namespace {

[[noreturn]] void fail(const Layer& l, const std::string& what) {
  throw std::invalid_argument("graph: layer '" + l.name + "' (" + to_string(l.kind) + "): " + what);
}

void check_params(const Layer& l, const ParamSpecs& specs) {
  std::set<std::string> seen;
  for (const Param& p : l.params) {
    if (!seen.insert(p.name).second) fail(l, "parameter '" + p.name + "' appears twice");
    auto it = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == p.name; });
    if (it == specs.end()) fail(l, "unexpected parameter '" + p.name + "'");
    if (p.shape != it->shape)
      fail(l, "parameter '" + p.name + "' has shape " + to_string(p.shape) + " but the attributes need " +
                  to_string(it->shape));
    if (!p.data.empty() && int64_t(p.data.size()) != p.numel())
      fail(l, "parameter '" + p.name + "' holds " + std::to_string(p.data.size()) + " values for shape " +
                  to_string(p.shape));
    if (p.format.precision == Precision::kFixed && p.format.fixed.word_length() < 1)
      fail(l, "parameter '" + p.name + "' has a fixed-point format with no bits");
  }
  for (const ParamSpec& spec : specs)
    if (!seen.count(spec.name)) fail(l, "missing parameter '" + spec.name + "'");
}

void check_unit_ref(const Graph& g, const PrunableGroup& grp, const UnitRef& r, const char* role) {
  const std::string where = "graph: group '" + grp.name + "': " + role + " " + r.layer + "." + r.param;
  const Layer* l = g.layer(r.layer);
  if (!l) throw std::invalid_argument(where + ": no layer '" + r.layer + "'");
  const Param* p = l->param(r.param);
  if (!p) throw std::invalid_argument(where + ": layer '" + r.layer + "' has no parameter '" + r.param + "'");
  if (r.axis < 0 || r.axis >= int(p->shape.size()))
    throw std::invalid_argument(where + ": axis " + std::to_string(r.axis) + " is outside shape " +
                                to_string(p->shape));
  if (r.block < 1 || r.gate_stride < 0)
    throw std::invalid_argument(where + ": block must be ≥ 1 and gate_stride ≥ 0");
  const int64_t extent = p->shape[size_t(r.axis)];
  const int64_t span = grp.units * r.block;  // entries the units own inside one gate block
  if (r.gate_stride > 0) {
    if (r.gate_stride != span || extent % r.gate_stride != 0)
      throw std::invalid_argument(where + " axis " + std::to_string(r.axis) + " has " + std::to_string(extent) +
                                  " entries, not a whole number of gate blocks of " + std::to_string(span) +
                                  " (" + std::to_string(grp.units) + " units × block " + std::to_string(r.block) +
                                  ", gate_stride " + std::to_string(r.gate_stride) + ")");
  } else if (extent != span) {
    throw std::invalid_argument(where + " axis " + std::to_string(r.axis) + " has " + std::to_string(extent) +
                                " entries but the group has " + std::to_string(grp.units) + " units × block " +
                                std::to_string(r.block));
  }
}

void check_group(const Graph& g, const PrunableGroup& grp) {
  const std::string where = "graph: group '" + grp.name + "'";
  if (grp.kind != "conv" && grp.kind != "dense" && grp.kind != "rnn")
    throw std::invalid_argument(where + ": kind '" + grp.kind + "' is not conv, dense or rnn");
  if (grp.units < 1) throw std::invalid_argument(where + ": needs at least one unit");
  if (grp.producers.empty()) throw std::invalid_argument(where + ": has no producers");
  const std::string& output_layer = g.layers.back().name;
  for (const UnitRef& r : grp.producers) {
    if (r.layer == output_layer)
      throw std::invalid_argument(where + " would prune the output layer '" + output_layer +
                                  "' (its units are the classes)");
    check_unit_ref(g, grp, r, "producer");
  }
  for (const UnitRef& r : grp.consumers) check_unit_ref(g, grp, r, "consumer");
}

}  // namespace

const char* to_string(LayerKind k) {
  const int i = static_cast<int>(k);
  return i < kLayerKindCount ? slimrt::kOpInfo[i].ir_name : "unknown";
}

std::optional<LayerKind> layer_kind_from_string(const std::string& s) {
  for (int i = 0; i < kLayerKindCount; ++i)
    if (s == slimrt::kOpInfo[i].ir_name && is_ir_kind(LayerKind(i))) return LayerKind(i);
  return std::nullopt;
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::kFloat32: return "fp32";
    case Precision::kFloat16: return "fp16";
    case Precision::kFixed: return "fixed";
    case Precision::kBinary: return "binary";
  }
  return "unknown";
}

int NumericFormat::bits() const {
  if (codebook_bits > 0) return codebook_bits;
  switch (precision) {
    case Precision::kFloat32: return 32;
    case Precision::kFloat16: return 16;
    case Precision::kFixed: return fixed.word_length();
    case Precision::kBinary: return 1;
  }
  return 32;
}

int64_t Param::numel() const { return ir::numel(shape); }

int64_t Layer::parameter_count() const {
  int64_t n = 0;
  for (const Param& p : params)
    if (p.trainable) n += p.numel();
  return n;
}

namespace {

// The first element of `v` named `n`, or null (const when `v` is).
template <class V>
auto find_named(V& v, const std::string& n) -> decltype(&*v.begin()) {
  for (auto& x : v)
    if (x.name == n) return &x;
  return nullptr;
}

}  // namespace

const Param* Layer::param(const std::string& n) const { return find_named(params, n); }

Param* Layer::param(const std::string& n) { return find_named(params, n); }

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Layer& l : layers) n += l.parameter_count();
  return n;
}

const Layer* Graph::layer(const std::string& n) const { return find_named(layers, n); }

Layer* Graph::layer(const std::string& n) { return find_named(layers, n); }

void Graph::validate() const {
  const std::string where = "graph '" + model + "'";
  if (layers.empty()) throw std::invalid_argument(where + " has no layers");
  if (layers[0].kind != LayerKind::kInput)
    throw std::invalid_argument(where + ": layers[0] ('" + layers[0].name + "') must be the input");

  std::map<std::string, const Shape*> shapes;  // layers seen so far → their output shape
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    if (l.name.empty()) throw std::invalid_argument(where + ": layer " + std::to_string(i) + " has no name");
    if (shapes.count(l.name)) fail(l, "the name is used by an earlier layer");
    if (i > 0 && l.kind == LayerKind::kInput) fail(l, "only layers[0] may be the input");
    std::vector<const Shape*> ins;
    for (const std::string& in : l.inputs) {
      auto it = shapes.find(in);
      if (it == shapes.end()) fail(l, "input '" + in + "' is not an earlier layer");
      ins.push_back(it->second);
    }
    ParamSpecs specs;
    const Shape want = infer_output_shape(*this, l, ins, &specs);
    if (l.output_shape != want)
      fail(l, "output_shape " + to_string(l.output_shape) + " but its inputs and attributes give " +
                  to_string(want));
    for (int64_t d : l.output_shape)
      if (d < 1) fail(l, "output_shape " + to_string(l.output_shape) + " has an empty axis");
    check_params(l, specs);
    shapes[l.name] = &l.output_shape;
  }
  if (num_classes > 0 && layers.back().output_shape != Shape{num_classes})
    fail(layers.back(), "the output layer gives " + to_string(layers.back().output_shape) + ", not [" +
                            std::to_string(num_classes) + "] classes");

  std::set<std::string> group_names;
  for (const PrunableGroup& grp : groups) {
    if (grp.name.empty()) throw std::invalid_argument(where + ": a prunable group has no name");
    if (!group_names.insert(grp.name).second)
      throw std::invalid_argument(where + ": group name '" + grp.name + "' is used twice");
    check_group(*this, grp);
  }
}

}  // namespace slimlab::ir
