#include "train/graph_ir.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace slimlab::ir {

namespace {

struct KindName {
  LayerKind kind;
  const char* name;
};

// One table for both directions, so to_string and layer_kind_from_string never disagree.
constexpr KindName kKindNames[] = {
    {LayerKind::kInput, "input"},
    {LayerKind::kDense, "dense"},
    {LayerKind::kConv1d, "conv1d"},
    {LayerKind::kConv2d, "conv2d"},
    {LayerKind::kDepthwiseConv2d, "depthwise_conv2d"},
    {LayerKind::kMaxPool1d, "max_pool1d"},
    {LayerKind::kMaxPool2d, "max_pool2d"},
    {LayerKind::kAvgPool2d, "avg_pool2d"},
    {LayerKind::kGlobalAvgPool, "global_avg_pool"},
    {LayerKind::kBatchNorm, "batch_norm"},
    {LayerKind::kGru, "gru"},
    {LayerKind::kLstm, "lstm"},
    {LayerKind::kRelu, "relu"},
    {LayerKind::kRelu6, "relu6"},
    {LayerKind::kHardTanh, "hard_tanh"},
    {LayerKind::kSign, "sign"},
    {LayerKind::kSoftmax, "softmax"},
    {LayerKind::kDropout, "dropout"},
    {LayerKind::kFlatten, "flatten"},
    {LayerKind::kReshape, "reshape"},
    {LayerKind::kConcat, "concat"},
    {LayerKind::kAdd, "add"},
    {LayerKind::kMeanOverTime, "mean_over_time"},
    {LayerKind::kSlice, "slice"},
    {LayerKind::kTranspose, "transpose"},
};

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

[[noreturn]] void fail(const Layer& l, const std::string& what) {
  throw std::invalid_argument("graph: layer '" + l.name + "' (" + to_string(l.kind) + "): " + what);
}

// Attribute vector with one entry per spatial axis; empty means `fallback` on every axis.
Shape per_axis(const Layer& l, const Shape& v, size_t axes, int64_t fallback, const char* attr) {
  if (v.empty()) return Shape(axes, fallback);
  if (v.size() != axes)
    fail(l, std::string(attr) + " has " + std::to_string(v.size()) + " entries for " + std::to_string(axes) +
                " spatial axes");
  return v;
}

// Output extent of a sliding window (conv / pooling, floor rounding as LibTorch):
// ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1.
int64_t window_out(const Layer& l, int64_t len, int64_t k, int64_t s, int64_t p, int64_t d) {
  if (k < 1 || s < 1 || p < 0 || d < 1)
    fail(l, "kernel " + std::to_string(k) + ", stride " + std::to_string(s) + ", padding " + std::to_string(p) +
                ", dilation " + std::to_string(d) + " are not valid");
  const int64_t span = len + 2 * p - d * (k - 1) - 1;
  if (span < 0)
    fail(l, "a window of " + std::to_string(d * (k - 1) + 1) + " does not fit an input extent of " +
                std::to_string(len) + " (padding " + std::to_string(p) + ")");
  return span / s + 1;
}

Shape sliding_output(const Layer& l, const Shape& in, size_t spatial, int64_t channels, bool pooling) {
  if (in.size() != spatial + 1)
    fail(l, "expects an input of rank " + std::to_string(spatial + 1) + ", got " + shape_str(in));
  const Shape k = per_axis(l, l.kernel, spatial, 0, "kernel");
  const Shape s = per_axis(l, l.stride, spatial, 0, "stride");
  const Shape p = per_axis(l, l.padding, spatial, 0, "padding");
  const Shape d = per_axis(l, l.dilation, spatial, 1, "dilation");
  Shape out{channels};
  for (size_t i = 0; i < spatial; ++i) {
    // An empty stride means 1 for a convolution and the kernel for pooling (LibTorch's defaults).
    const int64_t stride = l.stride.empty() ? (pooling ? k[i] : 1) : s[i];
    out.push_back(window_out(l, in[i + 1], k[i], stride, p[i], d[i]));
  }
  return out;
}

void expect_inputs(const Layer& l, const std::vector<const Shape*>& ins, size_t min_count, size_t max_count) {
  if (ins.size() < min_count || ins.size() > max_count) {
    const std::string want = min_count == max_count ? std::to_string(min_count)
                                                    : "at least " + std::to_string(min_count);
    fail(l, "expects " + want + " input(s), got " + std::to_string(ins.size()));
  }
}

// The parameters a layer must carry: name → shape (and whether it is a trainable one).
struct ParamSpec {
  Shape shape;
  bool required = true;
};
using ParamSpecs = std::map<std::string, ParamSpec>;

ParamSpecs dense_or_conv_params(const Layer& l, Shape weight) {
  ParamSpecs p;
  p["weight"] = {std::move(weight)};
  if (l.bias) p["bias"] = {{l.out_features}};
  return p;
}

Shape conv_output(const Layer& l, const Shape& in, size_t spatial, ParamSpecs* params) {
  if (l.in_features < 1 || l.out_features < 1) fail(l, "in/out channels must be positive");
  if (l.groups < 1 || l.in_features % l.groups != 0 || l.out_features % l.groups != 0)
    fail(l, "groups = " + std::to_string(l.groups) + " does not divide in = " + std::to_string(l.in_features) +
                " and out = " + std::to_string(l.out_features));
  if (l.kind == LayerKind::kDepthwiseConv2d && l.groups != l.in_features)
    fail(l, "a depthwise convolution needs groups == in channels (" + std::to_string(l.in_features) + "), got " +
                std::to_string(l.groups));
  if (!in.empty() && in[0] != l.in_features)
    fail(l, "in channels = " + std::to_string(l.in_features) + " but the input is " + shape_str(in));
  const Shape out = sliding_output(l, in, spatial, l.out_features, /*pooling=*/false);
  Shape w{l.out_features, l.in_features / l.groups};
  const Shape k = per_axis(l, l.kernel, spatial, 0, "kernel");
  w.insert(w.end(), k.begin(), k.end());
  *params = dense_or_conv_params(l, w);
  return out;
}

Shape rnn_output(const Layer& l, const Shape& in, int64_t gates, ParamSpecs* params) {
  if (in.size() != 2) fail(l, "expects an input [T, F], got " + shape_str(in));
  if (l.in_features != in[1])
    fail(l, "input size = " + std::to_string(l.in_features) + " but the input is " + shape_str(in));
  if (l.out_features < 1) fail(l, "hidden size must be positive");
  const int64_t rows = gates * l.out_features;
  // LibTorch names of a one-layer torch::nn::GRU / LSTM.
  (*params)["weight_ih_l0"] = {{rows, l.in_features}};
  (*params)["weight_hh_l0"] = {{rows, l.out_features}};
  if (l.bias) {
    (*params)["bias_ih_l0"] = {{rows}};
    (*params)["bias_hh_l0"] = {{rows}};
  }
  return {in[0], l.out_features};
}

// What the layer's output shape must be, from its inputs and attributes; fills the
// parameters it must carry.
Shape expected_output(const Graph& g, const Layer& l, const std::vector<const Shape*>& ins, ParamSpecs* params) {
  switch (l.kind) {
    case LayerKind::kInput:
      expect_inputs(l, ins, 0, 0);
      return g.input_shape;
    case LayerKind::kDense: {
      expect_inputs(l, ins, 1, 1);
      if (l.in_features < 1 || l.out_features < 1) fail(l, "in/out features must be positive");
      // A dense layer reads its input flattened: in_features must equal the producer's numel.
      if (shape_numel(*ins[0]) != l.in_features)
        fail(l, "in_features = " + std::to_string(l.in_features) + " but its input " + shape_str(*ins[0]) +
                    " has " + std::to_string(shape_numel(*ins[0])) + " values");
      *params = dense_or_conv_params(l, {l.out_features, l.in_features});
      return {l.out_features};
    }
    case LayerKind::kConv1d:
      expect_inputs(l, ins, 1, 1);
      return conv_output(l, *ins[0], 1, params);
    case LayerKind::kConv2d:
    case LayerKind::kDepthwiseConv2d:
      expect_inputs(l, ins, 1, 1);
      return conv_output(l, *ins[0], 2, params);
    case LayerKind::kMaxPool1d:
      expect_inputs(l, ins, 1, 1);
      if (ins[0]->empty()) fail(l, "empty input shape");
      return sliding_output(l, *ins[0], 1, (*ins[0])[0], /*pooling=*/true);
    case LayerKind::kMaxPool2d:
    case LayerKind::kAvgPool2d:
      expect_inputs(l, ins, 1, 1);
      if (ins[0]->empty()) fail(l, "empty input shape");
      return sliding_output(l, *ins[0], 2, (*ins[0])[0], /*pooling=*/true);
    case LayerKind::kGlobalAvgPool:
      expect_inputs(l, ins, 1, 1);
      if (ins[0]->size() < 2) fail(l, "expects an input [C, ...spatial], got " + shape_str(*ins[0]));
      return {(*ins[0])[0]};
    case LayerKind::kBatchNorm: {
      expect_inputs(l, ins, 1, 1);
      if (ins[0]->empty()) fail(l, "empty input shape");
      const int64_t c = (*ins[0])[0];
      for (const char* n : {"weight", "bias", "running_mean", "running_var"}) (*params)[n] = {{c}};
      return *ins[0];
    }
    case LayerKind::kGru:
      expect_inputs(l, ins, 1, 1);
      return rnn_output(l, *ins[0], 3, params);
    case LayerKind::kLstm:
      expect_inputs(l, ins, 1, 1);
      return rnn_output(l, *ins[0], 4, params);
    case LayerKind::kRelu:
    case LayerKind::kRelu6:
    case LayerKind::kSign:
    case LayerKind::kSoftmax:
    case LayerKind::kDropout:
      expect_inputs(l, ins, 1, 1);
      return *ins[0];
    case LayerKind::kHardTanh:
      expect_inputs(l, ins, 1, 1);
      if (!(l.min_value < l.max_value)) fail(l, "min_value must be below max_value");
      return *ins[0];
    case LayerKind::kFlatten:
      expect_inputs(l, ins, 1, 1);
      return {shape_numel(*ins[0])};
    case LayerKind::kReshape:
      expect_inputs(l, ins, 1, 1);
      if (shape_numel(l.output_shape) != shape_numel(*ins[0]))
        fail(l, "cannot reshape " + shape_str(*ins[0]) + " into " + shape_str(l.output_shape));
      return l.output_shape;
    case LayerKind::kConcat: {
      expect_inputs(l, ins, 1, SIZE_MAX);
      const Shape& first = *ins[0];
      if (l.axis < 0 || l.axis >= int64_t(first.size()))
        fail(l, "axis " + std::to_string(l.axis) + " is outside the input rank " + std::to_string(first.size()));
      Shape out = first;
      out[size_t(l.axis)] = 0;
      for (size_t i = 0; i < ins.size(); ++i) {
        const Shape& s = *ins[i];
        bool ok = s.size() == first.size();
        for (size_t a = 0; ok && a < s.size(); ++a) ok = int64_t(a) == l.axis || s[a] == first[a];
        if (!ok)
          fail(l, "input '" + l.inputs[i] + "' " + shape_str(s) + " does not match " + shape_str(first) +
                      " outside axis " + std::to_string(l.axis));
        out[size_t(l.axis)] += s[size_t(l.axis)];
      }
      return out;
    }
    case LayerKind::kAdd:
      expect_inputs(l, ins, 2, SIZE_MAX);
      for (size_t i = 1; i < ins.size(); ++i)
        if (*ins[i] != *ins[0])
          fail(l, "input '" + l.inputs[i] + "' " + shape_str(*ins[i]) + " differs from " + shape_str(*ins[0]));
      return *ins[0];
    case LayerKind::kMeanOverTime:
      expect_inputs(l, ins, 1, 1);
      if (ins[0]->size() != 2) fail(l, "expects an input [T, F], got " + shape_str(*ins[0]));
      return {(*ins[0])[1]};
    case LayerKind::kSlice: {
      expect_inputs(l, ins, 1, 1);
      const Shape& in = *ins[0];
      if (l.axis < 0 || l.axis >= int64_t(in.size()))
        fail(l, "axis " + std::to_string(l.axis) + " is outside the input rank " + std::to_string(in.size()));
      if (l.begin < 0 || l.end <= l.begin || l.end > in[size_t(l.axis)])
        fail(l, "[" + std::to_string(l.begin) + ", " + std::to_string(l.end) + ") is not a range inside " +
                    shape_str(in) + " along axis " + std::to_string(l.axis));
      Shape out = in;
      out[size_t(l.axis)] = l.end - l.begin;
      return out;
    }
    case LayerKind::kTranspose: {
      expect_inputs(l, ins, 1, 1);
      const Shape& in = *ins[0];
      Shape sorted = l.perm;
      std::sort(sorted.begin(), sorted.end());
      bool ok = l.perm.size() == in.size();
      for (size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == int64_t(i);
      if (!ok) fail(l, "perm " + shape_str(l.perm) + " is not a permutation of the axes of " + shape_str(in));
      Shape out;
      for (int64_t a : l.perm) out.push_back(in[size_t(a)]);
      return out;
    }
  }
  fail(l, "unknown layer kind");
}

void check_params(const Layer& l, const ParamSpecs& specs) {
  std::set<std::string> seen;
  for (const Param& p : l.params) {
    if (!seen.insert(p.name).second) fail(l, "parameter '" + p.name + "' appears twice");
    auto it = specs.find(p.name);
    if (it == specs.end()) fail(l, "unexpected parameter '" + p.name + "'");
    if (p.shape != it->second.shape)
      fail(l, "parameter '" + p.name + "' has shape " + shape_str(p.shape) + " but the attributes need " +
                  shape_str(it->second.shape));
    if (!p.data.empty() && int64_t(p.data.size()) != p.numel())
      fail(l, "parameter '" + p.name + "' holds " + std::to_string(p.data.size()) + " values for shape " +
                  shape_str(p.shape));
    if (p.format.precision == Precision::kFixed && p.format.fixed.word_length() < 1)
      fail(l, "parameter '" + p.name + "' has a fixed-point format with no bits");
  }
  for (const auto& [name, spec] : specs)
    if (spec.required && !seen.count(name)) fail(l, "missing parameter '" + name + "'");
}

void check_unit_ref(const Graph& g, const PrunableGroup& grp, const UnitRef& r, const char* role) {
  const std::string where = "graph: group '" + grp.name + "': " + role + " " + r.layer + "." + r.param;
  const Layer* l = g.layer(r.layer);
  if (!l) throw std::invalid_argument(where + ": no layer '" + r.layer + "'");
  const Param* p = l->param(r.param);
  if (!p) throw std::invalid_argument(where + ": layer '" + r.layer + "' has no parameter '" + r.param + "'");
  if (r.axis < 0 || r.axis >= int(p->shape.size()))
    throw std::invalid_argument(where + ": axis " + std::to_string(r.axis) + " is outside shape " +
                                shape_str(p->shape));
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
  for (const KindName& kn : kKindNames)
    if (kn.kind == k) return kn.name;
  return "unknown";
}

std::optional<LayerKind> layer_kind_from_string(const std::string& s) {
  for (const KindName& kn : kKindNames)
    if (s == kn.name) return kn.kind;
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

int64_t Param::numel() const { return shape_numel(shape); }

int64_t Layer::parameter_count() const {
  int64_t n = 0;
  for (const Param& p : params)
    if (p.trainable) n += p.numel();
  return n;
}

const Param* Layer::param(const std::string& n) const {
  for (const Param& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

Param* Layer::param(const std::string& n) {
  return const_cast<Param*>(static_cast<const Layer*>(this)->param(n));
}

int64_t Graph::parameter_count() const {
  int64_t n = 0;
  for (const Layer& l : layers) n += l.parameter_count();
  return n;
}

const Layer* Graph::layer(const std::string& n) const {
  for (const Layer& l : layers)
    if (l.name == n) return &l;
  return nullptr;
}

Layer* Graph::layer(const std::string& n) {
  return const_cast<Layer*>(static_cast<const Graph*>(this)->layer(n));
}

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
    const Shape want = expected_output(*this, l, ins, &specs);
    if (l.output_shape != want)
      fail(l, "output_shape " + shape_str(l.output_shape) + " but its inputs and attributes give " +
                  shape_str(want));
    for (int64_t d : l.output_shape)
      if (d < 1) fail(l, "output_shape " + shape_str(l.output_shape) + " has an empty axis");
    check_params(l, specs);
    shapes[l.name] = &l.output_shape;
  }
  if (num_classes > 0 && layers.back().output_shape != Shape{num_classes})
    fail(layers.back(), "the output layer gives " + shape_str(layers.back().output_shape) + ", not [" +
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
