#include "train/op_facts.h"

#include <algorithm>
#include <cmath>
#include <array>
#include <stdexcept>

namespace slimlab::ir {

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const Shape& longer = a.size() >= b.size() ? a : b;
  const Shape& shorter = a.size() >= b.size() ? b : a;
  Shape out = longer;
  const size_t lead = longer.size() - shorter.size();
  for (size_t k = 0; k < shorter.size(); ++k) {
    int64_t& o = out[lead + k];
    if (shorter[k] == o || shorter[k] == 1) continue;
    if (o != 1) return std::nullopt;
    o = shorter[k];
  }
  return out;
}

int64_t packed_bytes(int64_t n, int bits) { return (n * bits + 7) / 8; }

int64_t param_bytes(const Param& p) {
  const NumericFormat& f = p.format;
  if (f.codebook_bits > 0) {
    // b-bit indices plus the centroids (codebooks · 2^b) at the centroids' precision.
    NumericFormat centroid = f;
    centroid.codebook_bits = 0;
    const int64_t books = std::max(1, f.codebooks);
    return packed_bytes(p.numel(), f.codebook_bits) + packed_bytes(books << f.codebook_bits, centroid.bits());
  }
  if (f.precision == Precision::kBinary) return packed_bytes(p.numel(), 1) + 4;  // + one fp32 scale
  return packed_bytes(p.numel(), f.bits());
}

namespace {

using K = LayerKind;

[[noreturn]] void fail(const Layer& l, const std::string& what) {
  throw std::invalid_argument("graph: layer '" + l.name + "' (" + to_string(l.kind) + "): " + what);
}

void expect_inputs(const Layer& l, const InputShapes& ins, size_t min_count, size_t max_count) {
  if (ins.size() < min_count || ins.size() > max_count) {
    const std::string want = min_count == max_count ? std::to_string(min_count)
                                                    : "at least " + std::to_string(min_count);
    fail(l, "expects " + want + " input(s), got " + std::to_string(ins.size()));
  }
}

// The one input of a single-input layer, checked to be there and not a scalar.
const Shape& single(const Layer& l, const InputShapes& ins) {
  expect_inputs(l, ins, 1, 1);
  if (ins[0]->empty()) fail(l, "empty input shape");
  return *ins[0];
}

void add_param(ParamSpecs* params, const std::string& name, Shape shape, bool trainable = true) {
  if (params) params->push_back({name, std::move(shape), trainable});
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
    fail(l, "expects an input of rank " + std::to_string(spatial + 1) + ", got " + to_string(in));
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

void weight_and_bias(const Layer& l, Shape weight, ParamSpecs* params) {
  add_param(params, "weight", std::move(weight));
  if (l.bias) add_param(params, "bias", {l.out_features});
}

// ---- shape rules ------------------------------------------------------------------

Shape input_shape(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 0, 0);
  return g.input_shape;
}

Shape dense_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs* params) {
  expect_inputs(l, ins, 1, 1);
  if (l.in_features < 1 || l.out_features < 1) fail(l, "in/out features must be positive");
  // A dense layer reads its input flattened: in_features must equal the producer's numel.
  if (numel(*ins[0]) != l.in_features)
    fail(l, "in_features = " + std::to_string(l.in_features) + " but its input " + to_string(*ins[0]) + " has " +
                std::to_string(numel(*ins[0])) + " values");
  weight_and_bias(l, {l.out_features, l.in_features}, params);
  return {l.out_features};
}

template <size_t Spatial>
Shape conv_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs* params) {
  expect_inputs(l, ins, 1, 1);
  const Shape& in = *ins[0];
  if (l.in_features < 1 || l.out_features < 1) fail(l, "in/out channels must be positive");
  if (l.groups < 1 || l.in_features % l.groups != 0 || l.out_features % l.groups != 0)
    fail(l, "groups = " + std::to_string(l.groups) + " does not divide in = " + std::to_string(l.in_features) +
                " and out = " + std::to_string(l.out_features));
  if (l.kind == K::kDepthwiseConv2d && l.groups != l.in_features)
    fail(l, "a depthwise convolution needs groups == in channels (" + std::to_string(l.in_features) + "), got " +
                std::to_string(l.groups));
  if (!in.empty() && in[0] != l.in_features)
    fail(l, "in channels = " + std::to_string(l.in_features) + " but the input is " + to_string(in));
  const Shape out = sliding_output(l, in, Spatial, l.out_features, /*pooling=*/false);
  Shape w{l.out_features, l.in_features / l.groups};
  const Shape k = per_axis(l, l.kernel, Spatial, 0, "kernel");
  w.insert(w.end(), k.begin(), k.end());
  weight_and_bias(l, w, params);
  return out;
}

template <size_t Spatial>
Shape pool_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  const Shape& in = single(l, ins);
  return sliding_output(l, in, Spatial, in[0], /*pooling=*/true);
}

Shape global_pool_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  const Shape& in = *ins[0];
  if (in.size() < 2) fail(l, "expects an input [C, ...spatial], got " + to_string(in));
  return {in[0]};
}

Shape batch_norm_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs* params) {
  const Shape& in = single(l, ins);
  // LibTorch's names: weight = γ, bias = β; the running statistics are buffers.
  for (const char* n : {"weight", "bias"}) add_param(params, n, {in[0]});
  for (const char* n : {"running_mean", "running_var"}) add_param(params, n, {in[0]}, /*trainable=*/false);
  return in;
}

template <int64_t Gates>
Shape rnn_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs* params) {
  const Shape& in = single(l, ins);
  if (in.size() != 2) fail(l, "expects an input [T, F], got " + to_string(in));
  if (l.in_features != in[1])
    fail(l, "input size = " + std::to_string(l.in_features) + " but the input is " + to_string(in));
  if (l.out_features < 1) fail(l, "hidden size must be positive");
  const int64_t rows = Gates * l.out_features;
  // LibTorch names of a one-layer torch::nn::GRU / LSTM.
  add_param(params, "weight_ih_l0", {rows, l.in_features});
  add_param(params, "weight_hh_l0", {rows, l.out_features});
  if (l.bias) {
    add_param(params, "bias_ih_l0", {rows});
    add_param(params, "bias_hh_l0", {rows});
  }
  return {in[0], l.out_features};
}

Shape identity_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  return *ins[0];
}

Shape hard_tanh_shape(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs* p) {
  if (!(l.min_value < l.max_value)) fail(l, "min_value must be below max_value");
  return identity_shape(g, l, ins, p);
}

Shape flatten_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  return {numel(*ins[0])};
}

Shape reshape_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  if (numel(l.output_shape) != numel(*ins[0]))
    fail(l, "cannot reshape " + to_string(*ins[0]) + " into " + to_string(l.output_shape));
  return l.output_shape;
}

void check_axis(const Layer& l, const Shape& in) {
  if (l.axis < 0 || l.axis >= int64_t(in.size()))
    fail(l, "axis " + std::to_string(l.axis) + " is outside the input rank " + std::to_string(in.size()));
}

Shape concat_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, SIZE_MAX);
  const Shape& first = *ins[0];
  check_axis(l, first);
  Shape out = first;
  out[size_t(l.axis)] = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    const Shape& s = *ins[i];
    bool ok = s.size() == first.size();
    for (size_t a = 0; ok && a < s.size(); ++a) ok = int64_t(a) == l.axis || s[a] == first[a];
    if (!ok)
      fail(l, "input '" + l.inputs.at(i) + "' " + to_string(s) + " does not match " + to_string(first) +
                  " outside axis " + std::to_string(l.axis));
    out[size_t(l.axis)] += s[size_t(l.axis)];
  }
  return out;
}

Shape add_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {  // broadcasts
  expect_inputs(l, ins, 2, SIZE_MAX);
  Shape out = *ins[0];
  for (size_t i = 1; i < ins.size(); ++i) {
    std::optional<Shape> b = broadcast_shapes(out, *ins[i]);
    if (!b)
      fail(l, "input '" + l.inputs.at(i) + "' " + to_string(*ins[i]) + " does not broadcast against " +
                  (i == 1 ? "'" + l.inputs.at(0) + "' " : std::string("the sum ")) + to_string(out));
    out = *b;
  }
  return out;
}

Shape binary_shape(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs* p) {  // mul, sub, div
  expect_inputs(l, ins, 2, 2);
  return add_shape(g, l, ins, p);
}

Shape mean_over_time_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  if (ins[0]->size() != 2) fail(l, "expects an input [T, F], got " + to_string(*ins[0]));
  return {(*ins[0])[1]};
}

Shape slice_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  const Shape& in = *ins[0];
  check_axis(l, in);
  if (l.begin < 0 || l.end <= l.begin || l.end > in[size_t(l.axis)])
    fail(l, "[" + std::to_string(l.begin) + ", " + std::to_string(l.end) + ") is not a range inside " +
                to_string(in) + " along axis " + std::to_string(l.axis));
  Shape out = in;
  out[size_t(l.axis)] = l.end - l.begin;
  return out;
}

Shape reverse_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  check_axis(l, *ins[0]);
  return *ins[0];
}

Shape transpose_shape(const Graph&, const Layer& l, const InputShapes& ins, ParamSpecs*) {
  expect_inputs(l, ins, 1, 1);
  const Shape& in = *ins[0];
  Shape sorted = l.perm;
  std::sort(sorted.begin(), sorted.end());
  bool ok = l.perm.size() == in.size();
  for (size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == int64_t(i);
  if (!ok) fail(l, "perm " + to_string(l.perm) + " is not a permutation of the axes of " + to_string(in));
  Shape out;
  for (int64_t a : l.perm) out.push_back(in[size_t(a)]);
  return out;
}

// ---- MAC rules --------------------------------------------------------------------

int64_t dense_macs(const Layer& l) { return l.in_features * l.out_features; }

int64_t conv_macs(const Layer& l) {
  // Every output value is a dot product over (in/groups)·∏k inputs.
  const int64_t spatial = numel(l.output_shape) / std::max<int64_t>(1, l.out_features);
  return l.out_features * (l.in_features / std::max<int64_t>(1, l.groups)) * numel(l.kernel) * spatial;
}

template <int64_t Gates>
int64_t rnn_macs(const Layer& l) {
  // Per time step, each of G gates multiplies W_ih [H, F] by x_t and W_hh [H, H]
  // by h_{t−1}: G·H·(F + H). The elementwise gate arithmetic is not counted.
  const int64_t steps = l.output_shape.empty() ? 1 : l.output_shape[0];
  return steps * Gates * l.out_features * (l.in_features + l.out_features);
}

// ---- the table ----------------------------------------------------------------------

// The unary activations, in double precision.
double relu(double v, const Layer&) { return v > 0 ? v : 0.0; }
template <int Lo, int Hi>  // SLIMRT_CONST_CLAMP_OPS
double const_clamp(double v, const Layer&) { return std::min(std::max(v, double(Lo)), double(Hi)); }
double hard_tanh(double v, const Layer& l) { return std::min(std::max(v, double(l.min_value)), double(l.max_value)); }
double sign(double v, const Layer&) { return v >= 0 ? 1.0 : -1.0; }
double sigmoid(double v, const Layer&) { return 1.0 / (1.0 + std::exp(-v)); }
double hard_swish(double v, const Layer&) { return v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0; }
double tanh_fn(double v, const Layer&) { return std::tanh(v); }
double leaky_relu(double v, const Layer& l) { return v < 0 ? double(l.alpha) * v : v; }
double hard_sigmoid(double v, const Layer& l) {
  return std::min(std::max(double(l.alpha) * v + double(l.beta), 0.0), 1.0);
}

using F = FormatRule;
// Categories: a new op of one of these kinds is one row naming it (an activation
// also names its function).
constexpr OpFacts kClipping{identity_shape, F::kKeepsInput, nullptr};  // dropout: values ⊆ the input's
constexpr OpFacts activation(F format, double (*fn)(double, const Layer&)) {
  return OpFacts{identity_shape, format, nullptr, fn};
}
constexpr OpFacts kWeighted1d{conv_shape<1>, F::kObserved, conv_macs};
constexpr OpFacts kWeighted2d{conv_shape<2>, F::kObserved, conv_macs};

struct Row {
  LayerKind kind;
  OpFacts facts;
};

constexpr Row kRows[] = {
    {K::kInput, {input_shape, F::kInput, nullptr}},
    {K::kDense, {dense_shape, F::kObserved, dense_macs}},
    {K::kConv1d, kWeighted1d},
    {K::kConv2d, kWeighted2d},
    {K::kDepthwiseConv2d, kWeighted2d},
    {K::kMaxPool1d, {pool_shape<1>, F::kKeepsInput, nullptr}},
    {K::kMaxPool2d, {pool_shape<2>, F::kKeepsInput, nullptr}},
    {K::kAvgPool2d, {pool_shape<2>, F::kObserved, nullptr}},
    {K::kGlobalAvgPool, {global_pool_shape, F::kObserved, nullptr}},
    {K::kBatchNorm, {batch_norm_shape, F::kAffine, nullptr}},
    {K::kGru, {rnn_shape<3>, F::kRecurrent, rnn_macs<3>}},
    {K::kLstm, {rnn_shape<4>, F::kRecurrent, rnn_macs<4>}},
    {K::kRelu, activation(F::kKeepsInput, relu)},
#define SLIMLAB_CLAMP_ROW_(Name, lo, hi) {K::k##Name, activation(F::kKeepsInput, const_clamp<lo, hi>)},
    SLIMRT_CONST_CLAMP_OPS(SLIMLAB_CLAMP_ROW_)
#undef SLIMLAB_CLAMP_ROW_
    {K::kHardTanh, {hard_tanh_shape, F::kKeepsInput, nullptr, hard_tanh}},
    {K::kSign, activation(F::kUnitRange, sign)},
    {K::kSoftmax, {identity_shape, F::kUnitRange, nullptr}},
    {K::kDropout, kClipping},
    {K::kFlatten, {flatten_shape, F::kKeepsInput, nullptr}},
    {K::kReshape, {reshape_shape, F::kKeepsInput, nullptr}},
    {K::kConcat, {concat_shape, F::kObserved, nullptr}},
    {K::kAdd, {add_shape, F::kObserved, nullptr}},
    {K::kMeanOverTime, {mean_over_time_shape, F::kObserved, nullptr}},
    {K::kSlice, {slice_shape, F::kKeepsInput, nullptr}},
    {K::kTranspose, {transpose_shape, F::kKeepsInput, nullptr}},
    {K::kSigmoid, activation(F::kUnitRange, sigmoid)},
    {K::kHardSwish, activation(F::kObserved, hard_swish)},
    {K::kTanh, activation(F::kUnitRange, tanh_fn)},
    {K::kLeakyRelu, activation(F::kObserved, leaky_relu)},
    {K::kHardSigmoid, activation(F::kUnitRange, hard_sigmoid)},
    {K::kLogSoftmax, {identity_shape, F::kObserved, nullptr}},
    {K::kMul, {binary_shape, F::kObserved, nullptr}},
    {K::kSub, {binary_shape, F::kObserved, nullptr}},
    {K::kDiv, {binary_shape, F::kObserved, nullptr}},
    {K::kReverse, {reverse_shape, F::kKeepsInput, nullptr}},
};

// kRows indexed by kind; a null shape rule marks a kind with no row.
const std::array<OpFacts, kLayerKindCount>& table() {
  static const std::array<OpFacts, kLayerKindCount> t = [] {
    std::array<OpFacts, kLayerKindCount> out{};
    for (const Row& r : kRows) out[size_t(r.kind)] = r.facts;
    return out;
  }();
  return t;
}

}  // namespace

const OpFacts& op_facts(LayerKind k) {
  const size_t i = size_t(k);
  if (!is_ir_kind(k) || !table()[i].shape)
    throw std::invalid_argument(std::string("op facts: '") + to_string(k) + "' (op id " + std::to_string(i) +
                                ") is not a layer kind of the workbench IR");
  return table()[i];
}

Shape infer_output_shape(const Graph& g, const Layer& l, const InputShapes& ins, ParamSpecs* params) {
  if (!is_ir_kind(l.kind) || !table()[size_t(l.kind)].shape)
    fail(l, "not a layer kind of the workbench IR (op id " + std::to_string(int(l.kind)) + ")");
  return table()[size_t(l.kind)].shape(g, l, ins, params);
}

ParamSpecs param_specs(const Graph& g, const Layer& l, const InputShapes& ins) {
  ParamSpecs out;
  infer_output_shape(g, l, ins, &out);
  return out;
}

int64_t layer_macs(const Layer& l) {
  const OpFacts& f = op_facts(l.kind);
  return f.macs ? f.macs(l) : 0;
}

bool multiplies_weights(LayerKind k) { return op_facts(k).macs != nullptr; }

}  // namespace slimlab::ir
