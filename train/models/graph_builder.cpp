#include "train/models/graph_builder.h"

#include "train/op_facts.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace slimlab::train {

int64_t scaled_units(int64_t base, double width) {
  return std::max<int64_t>(1, std::llround(double(base) * width));
}

void check_model_config(const ModelConfig& cfg, const std::string& model, size_t rank, const std::string& needs) {
  if (!(cfg.width > 0) || !std::isfinite(cfg.width))
    throw std::invalid_argument(model + ": width must be a positive number, got " + std::to_string(cfg.width));
  if (cfg.num_classes < 1)
    throw std::invalid_argument(model + ": num_classes must be at least 1, got " + std::to_string(cfg.num_classes));
  if (!(cfg.dropout >= 0 && cfg.dropout < 1))
    throw std::invalid_argument(model + ": dropout must be in [0, 1), got " + std::to_string(cfg.dropout));
  bool ok = cfg.input_shape.size() == rank;
  for (int64_t d : cfg.input_shape) ok = ok && d >= 1;
  if (!ok) throw std::invalid_argument(model + " needs " + needs + ", got " + ir::to_string(cfg.input_shape));
}

GraphBuilder::GraphBuilder(std::string model, std::vector<int64_t> input_shape, int64_t num_classes) {
  graph_.model = std::move(model);
  graph_.input_shape = input_shape;
  graph_.num_classes = num_classes;
  ir::Layer in;
  in.name = "input";
  in.kind = ir::LayerKind::kInput;
  in.output_shape = std::move(input_shape);
  graph_.layers.push_back(std::move(in));
}

const ir::Layer& GraphBuilder::layer(const std::string& name) const {
  const ir::Layer* l = graph_.layer(name);
  if (!l) throw std::logic_error("GraphBuilder(" + graph_.model + "): no layer '" + name + "'");
  return *l;
}

const std::vector<int64_t>& GraphBuilder::shape(const std::string& name) const { return layer(name).output_shape; }

void GraphBuilder::complete(ir::Layer& l) const {
  ir::InputShapes ins;
  for (const std::string& in : l.inputs) ins.push_back(&layer(in).output_shape);
  ir::ParamSpecs specs;
  l.output_shape = ir::infer_output_shape(graph_, l, ins, &specs);
  l.params.clear();
  for (ir::ParamSpec& spec : specs) {
    ir::Param p;
    p.name = std::move(spec.name);
    p.shape = std::move(spec.shape);
    p.trainable = spec.trainable;
    l.params.push_back(std::move(p));
  }
}

ir::Layer& GraphBuilder::append(const std::string& name, ir::LayerKind kind, const std::vector<std::string>& inputs) {
  if (graph_.layer(name)) throw std::logic_error("GraphBuilder(" + graph_.model + "): layer '" + name + "' twice");
  for (const std::string& in : inputs) layer(in);  // must exist
  ir::Layer l;
  l.name = name;
  l.kind = kind;
  l.inputs = inputs;
  graph_.layers.push_back(std::move(l));
  return graph_.layers.back();
}

std::string GraphBuilder::conv(const std::string& name, int64_t out_channels, std::vector<int64_t> kernel,
                               std::vector<int64_t> stride, std::vector<int64_t> padding, const std::string& from) {
  const std::string src = resolve(from);
  const std::vector<int64_t> in = shape(src);  // a copy: append() may move the layers
  const size_t spatial = in.size() - 1;
  ir::Layer& l = append(name, spatial == 1 ? ir::LayerKind::kConv1d : ir::LayerKind::kConv2d, {src});
  l.in_features = in[0];
  l.out_features = out_channels;
  l.kernel = std::move(kernel);
  l.stride = stride.empty() ? std::vector<int64_t>(spatial, 1) : std::move(stride);
  l.padding = padding.empty() ? std::vector<int64_t>(spatial, 0) : std::move(padding);
  l.dilation.assign(spatial, 1);
  complete(l);
  return name;
}

std::string GraphBuilder::dense(const std::string& name, int64_t out_features, const std::string& from) {
  const std::string src = resolve(from);
  ir::Layer& l = append(name, ir::LayerKind::kDense, {src});
  l.in_features = ir::numel(shape(src));
  l.out_features = out_features;
  complete(l);
  return name;
}

std::string GraphBuilder::batch_norm(const std::string& name, const std::string& from) {
  const std::string src = resolve(from);
  ir::Layer& l = append(name, ir::LayerKind::kBatchNorm, {src});
  l.in_features = l.out_features = shape(src).at(0);
  complete(l);
  return name;
}

std::string GraphBuilder::max_pool(const std::string& name, std::vector<int64_t> kernel, const std::string& from) {
  const std::string src = resolve(from);
  const size_t spatial = shape(src).size() - 1;
  ir::Layer& l = append(name, spatial == 1 ? ir::LayerKind::kMaxPool1d : ir::LayerKind::kMaxPool2d, {src});
  l.stride = kernel;
  l.kernel = std::move(kernel);
  l.padding.assign(spatial, 0);
  l.dilation.assign(spatial, 1);
  complete(l);
  return name;
}

std::string GraphBuilder::global_avg_pool(const std::string& name, const std::string& from) {
  return add(name, ir::LayerKind::kGlobalAvgPool, from);
}

std::string GraphBuilder::gru(const std::string& name, int64_t hidden, const std::string& from) {
  const std::string src = resolve(from);
  ir::Layer& l = append(name, ir::LayerKind::kGru, {src});
  l.in_features = shape(src).at(1);  // [T, F]
  l.out_features = hidden;
  complete(l);
  return name;
}

std::string GraphBuilder::elementwise(const std::string& name, ir::LayerKind kind, const std::string& from) {
  return add(name, kind, from);
}

std::string GraphBuilder::flatten(const std::string& name, const std::string& from) {
  return add(name, ir::LayerKind::kFlatten, from);
}

std::string GraphBuilder::reshape(const std::string& name, std::vector<int64_t> to, const std::string& from) {
  ir::Layer& l = append(name, ir::LayerKind::kReshape, {resolve(from)});
  l.output_shape = std::move(to);  // the attribute; complete() checks it
  complete(l);
  return name;
}

std::string GraphBuilder::transpose(const std::string& name, std::vector<int64_t> perm, const std::string& from) {
  ir::Layer& l = append(name, ir::LayerKind::kTranspose, {resolve(from)});
  l.perm = std::move(perm);
  complete(l);
  return name;
}

std::string GraphBuilder::slice(const std::string& name, int64_t axis, int64_t begin, int64_t end,
                                const std::string& from) {
  ir::Layer& l = append(name, ir::LayerKind::kSlice, {resolve(from)});
  l.axis = axis;
  l.begin = begin;
  l.end = end;
  complete(l);
  return name;
}

std::string GraphBuilder::concat(const std::string& name, const std::vector<std::string>& inputs, int64_t axis) {
  ir::Layer& l = append(name, ir::LayerKind::kConcat, inputs);
  l.axis = axis;
  complete(l);
  return name;
}

std::string GraphBuilder::binary(const std::string& name, ir::LayerKind kind, const std::string& a,
                                 const std::string& b) {
  complete(append(name, kind, {a, b}));
  return name;
}

std::string GraphBuilder::mean_over_time(const std::string& name, const std::string& from) {
  return add(name, ir::LayerKind::kMeanOverTime, from);
}

std::string GraphBuilder::add(const std::string& name, ir::LayerKind kind, const std::string& from) {
  complete(append(name, kind, {resolve(from)}));
  return name;
}

std::vector<ir::UnitRef> GraphBuilder::output_units(const std::string& name, const std::string& bn) const {
  std::vector<ir::UnitRef> refs{{name, "weight", 0}, {name, "bias", 0}};
  if (!bn.empty())
    for (const char* p : {"weight", "bias", "running_mean", "running_var"}) refs.push_back({bn, p, 0});
  return refs;
}

void GraphBuilder::unit_group(const std::string& name, const std::string& bn, std::vector<ir::UnitRef> consumers) {
  const ir::Layer& l = layer(name);
  ir::PrunableGroup g;
  g.name = name;
  g.kind = l.kind == ir::LayerKind::kDense ? "dense" : "conv";
  g.units = l.out_features;
  g.producers = output_units(name, bn);
  g.consumers = std::move(consumers);
  add_group(std::move(g));
}

void GraphBuilder::gru_group(const std::string& name, std::vector<ir::UnitRef> consumers) {
  const int64_t h = layer(name).out_features;
  ir::PrunableGroup g;
  g.name = name;
  g.kind = "rnn";
  g.units = h;
  // Unit u owns rows u, H+u, 2H+u (gates r, z, n) and column u of the recurrent weight.
  for (const char* p : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
    g.producers.push_back({name, p, 0, 1, h});
  g.producers.push_back({name, "weight_hh_l0", 1});
  g.consumers = std::move(consumers);
  add_group(std::move(g));
}

ir::Graph GraphBuilder::finish() const {
  graph_.validate();
  return graph_;
}

ir::UnitRef input_columns(const std::string& layer, const std::string& param, int64_t block, int64_t gate_stride) {
  return {layer, param, 1, block, gate_stride};
}

}  // namespace slimlab::train
