// ONNX nodes on the data path → IR layers. Shape-only nodes (Flatten, Reshape,
// Squeeze, Unsqueeze, Dropout, Identity) write no layer: the value keeps its producer
// and a new per-sample shape, and a reshape layer is written only when a consumer
// needs that shape (Importer::materialize). Element-wise activations commute with
// such reshapes and are applied to the producer's own shape.
#include <algorithm>
#include <cmath>
#include <limits>

#include "import/onnx_internal.h"

namespace slimlab::onnx_import::detail {

namespace {

using K = ir::LayerKind;

Value layer_value(const std::string& layer, Shape shape) { return Value{false, {}, layer, std::move(shape)}; }

ir::Layer make(K kind, std::vector<std::string> inputs) {
  ir::Layer l;
  l.kind = kind;
  l.inputs = std::move(inputs);
  return l;
}

// Sliding-window attributes of Conv / MaxPool / AveragePool with ONNX's defaults
// (stride 1, no padding, dilation 1); asymmetric padding cannot be expressed.
struct Window {
  Shape kernel, stride, padding, dilation;
};

Window window(const Importer& im, const Shape& in, Shape kernel) {
  const size_t n = kernel.size();
  Window w;
  w.kernel = std::move(kernel);
  w.stride = im.attr_ints("strides");
  w.dilation = im.attr_ints("dilations");
  Shape pads = im.attr_ints("pads");
  if (w.stride.empty()) w.stride.assign(n, 1);
  if (w.dilation.empty()) w.dilation.assign(n, 1);
  if (pads.empty()) pads.assign(2 * n, 0);
  if (w.stride.size() != n || w.dilation.size() != n || pads.size() != 2 * n)
    im.fail("strides / dilations / pads do not match a " + std::to_string(n) + "-d kernel");
  const std::string auto_pad = im.attr_string("auto_pad", "NOTSET");
  for (size_t i = 0; i < n; ++i)
    if (w.stride[i] < 1 || w.stride[i] > kMaxDim || w.kernel[i] < 1 || w.kernel[i] > kMaxDim || w.dilation[i] < 1 ||
        w.dilation[i] > kMaxDim)
      im.fail("kernel " + ir::to_string(w.kernel) + ", strides " + ir::to_string(w.stride) + " or dilations " +
              ir::to_string(w.dilation) + " are not valid");
  if (auto_pad == "VALID") {
    pads.assign(2 * n, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      if (w.stride[i] < 1) im.fail("stride must be positive");
      const int64_t out = (in[i + 1] + w.stride[i] - 1) / w.stride[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[i] + (w.kernel[i] - 1) * w.dilation[i] + 1 - in[i + 1]);
      pads[i] = total / 2;
      pads[i + n] = total - total / 2;
    }
  } else if (auto_pad != "NOTSET" && !auto_pad.empty()) {
    im.fail("auto_pad '" + auto_pad + "' is not supported");
  }
  for (int64_t p : pads)
    if (p < 0 || p > kMaxDim) im.fail("pads " + ir::to_string(pads) + " are not valid");
  for (size_t i = 0; i < n; ++i)
    if (pads[i] != pads[i + n])
      im.fail("asymmetric padding " + ir::to_string(pads) +
              " cannot be expressed (SlimLab pads both sides equally); use symmetric padding in the model");
  w.padding.assign(pads.begin(), pads.begin() + long(n));
  return w;
}

void set_window(ir::Layer& l, const Window& w) {
  l.kernel = w.kernel;
  l.stride = w.stride;
  l.padding = w.padding;
  l.dilation = w.dilation;
}

void conv(Importer& im) {
  const Value& x = im.layer_input(0);
  const Tensor& w = im.const_input(1);
  const Value* b = im.input(2, true);
  if (w.dims.size() != 3 && w.dims.size() != 4) im.fail("only 1-d and 2-d convolutions are supported (weight " + ir::to_string(w.dims) + ")");
  const size_t spatial = w.dims.size() - 2;
  if (x.shape.size() != spatial + 1) im.fail("input " + ir::to_string(x.shape) + " does not fit a " + std::to_string(spatial) + "-d convolution");
  const Shape kernel(w.dims.begin() + 2, w.dims.end());
  if (const Shape ks = im.attr_ints("kernel_shape"); !ks.empty() && ks != kernel)
    im.fail("kernel_shape " + ir::to_string(ks) + " differs from the weight's " + ir::to_string(kernel));
  const int64_t groups = im.attr_int("group", 1), channels = x.shape[0];
  if (groups < 1 || groups > channels || w.dims[1] * groups != channels)
    im.fail("weight " + ir::to_string(w.dims) + " with group " + std::to_string(groups) + " does not fit " + std::to_string(channels) + " input channels");
  ir::Layer l = make(spatial == 1 ? K::kConv1d : (groups > 1 && groups == channels ? K::kDepthwiseConv2d : K::kConv2d),
                     {im.materialize(x)});
  set_window(l, window(im, x.shape, kernel));
  l.in_features = channels;
  l.out_features = w.dims[0];
  l.groups = groups;
  l.bias = b != nullptr;
  std::map<std::string, std::vector<float>> data{{"weight", w.floats()}};
  if (b) data["bias"] = im.const_input(2).floats();
  const std::string name = im.add_layer(l, data);
  im.set_output(0, layer_value(name, im.layer(name).output_shape));
}

// Dense from a [in, out] (MatMul, Gemm without transB) or [out, in] matrix, times alpha.
void dense(Importer& im, const Value& x, const Tensor& w, bool transposed, float alpha, const Tensor* bias, float beta) {
  if (w.dims.size() != 2) im.fail("weight " + ir::to_string(w.dims) + " is not a matrix");
  const int64_t in = transposed ? w.dims[0] : w.dims[1], out = transposed ? w.dims[1] : w.dims[0];
  if (x.shape.size() != 1 || x.shape[0] != in)
    im.fail("input " + ir::to_string(x.shape) + " does not fit weight " + ir::to_string(w.dims) +
            " (SlimLab's dense layer takes [batch, features]; flatten first)");
  std::vector<float> wt(size_t(in * out));
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i) wt[size_t(o * in + i)] = alpha * float(w.v[size_t(transposed ? i * out + o : o * in + i)]);
  ir::Layer l = make(K::kDense, {x.layer});
  l.in_features = in;
  l.out_features = out;
  l.bias = bias != nullptr;
  std::map<std::string, std::vector<float>> data{{"weight", wt}};
  if (bias) {
    if (bias->numel() != out && bias->numel() != 1) im.fail("bias " + ir::to_string(bias->dims) + " does not fit " + std::to_string(out) + " outputs");
    std::vector<float>& b = data["bias"];
    for (int64_t o = 0; o < out; ++o) b.push_back(beta * float(bias->v[size_t(bias->numel() == 1 ? 0 : o)]));
  }
  const std::string name = im.add_layer(l, data);
  im.set_output(0, layer_value(name, {out}));
}

void gemm(Importer& im) {
  if (im.attr_int("transA", 0) != 0) im.fail("transA = 1 is not supported");
  const Value* c = im.input(2, true);
  dense(im, im.layer_input(0), im.const_input(1), im.attr_int("transB", 0) == 0, im.attr_float("alpha", 1.0f),
        c ? &im.const_input(2) : nullptr, im.attr_float("beta", 1.0f));
}

void matmul(Importer& im) { dense(im, im.layer_input(0), im.const_input(1), true, 1.0f, nullptr, 1.0f); }

void batch_norm(Importer& im) {
  if (im.attr_int("training_mode", 0) != 0) im.fail("training_mode = 1 is not supported (export the model in eval mode)");
  const Value& x = im.layer_input(0);
  const float eps = im.attr_float("epsilon", 1e-5f);
  std::vector<float> var = im.const_input(4).floats();
  // SlimLab's batch norm uses ε = 1e-5: another ε is folded into the variance.
  for (float& v : var) {
    v = v + eps - 1e-5f;
    if (!(v > -1e-5f)) im.fail("running variance plus epsilon is not positive");
  }
  const std::string name = im.add_layer(make(K::kBatchNorm, {im.materialize(x)}),
                                        {{"weight", im.const_input(1).floats()},
                                         {"bias", im.const_input(2).floats()},
                                         {"running_mean", im.const_input(3).floats()},
                                         {"running_var", var}});
  im.set_output(0, layer_value(name, x.shape));
}

// An element-wise layer on the producer's own shape (it commutes with reshapes).
void elementwise(Importer& im, K kind, float lo = -1, float hi = 1, float alpha = 0, float beta = 0) {
  Value out = im.layer_input(0, /*any_batch_axis=*/true);
  ir::Layer l = make(kind, {out.layer});
  l.min_value = lo;
  l.max_value = hi;
  l.alpha = alpha;
  l.beta = beta;
  out.layer = im.add_layer(l);
  im.set_output(0, out);
}

// LeakyRelu (α, default 0.01) and HardSigmoid (α, β, default 0.2, 0.5): finite attributes.
void parametric(Importer& im, K kind, float alpha, float beta) {
  alpha = im.attr_float("alpha", alpha);
  beta = im.attr_float("beta", beta);
  if (!std::isfinite(alpha) || !std::isfinite(beta)) im.fail("attributes alpha and beta must be finite");
  elementwise(im, kind, -1, 1, alpha, beta);
}

void clip(Importer& im) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (im.opset() < 11) {
    lo = im.attr_float("min", lo);
    hi = im.attr_float("max", hi);
  } else {
    for (int i : {1, 2}) {
      if (!im.input(i, true)) continue;
      const Tensor& t = im.const_input(i);
      if (t.numel() != 1) im.fail("bound " + std::to_string(i) + " is not a scalar");
      (i == 1 ? lo : hi) = float(t.v[0]);
    }
  }
#define SLIMLAB_CONST_CLAMP_(Name, l, h) \
  if (lo == float(l) && hi == float(h)) return elementwise(im, K::k##Name);
  SLIMRT_CONST_CLAMP_OPS(SLIMLAB_CONST_CLAMP_)
#undef SLIMLAB_CONST_CLAMP_
  if (lo == 0 && std::isinf(hi)) return elementwise(im, K::kRelu);
  if (std::isinf(lo) || std::isinf(hi) || !(lo < hi))
    im.fail("Clip(" + std::to_string(lo) + ", " + std::to_string(hi) + ") has no IR form (ReLU, a constant clamp such as [0, 6], hard-tanh with finite bounds)");
  elementwise(im, K::kHardTanh, lo, hi);
}

void softmax(Importer& im, K kind) {
  const Value& x = im.layer_input(0);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  int64_t axis = im.attr_int("axis", im.opset() < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis != rank - 1 && !(im.opset() < 13 && axis == 1 && x.shape.size() == 1))
    im.fail("softmax over axis " + std::to_string(axis) + " of a rank-" + std::to_string(rank) + " tensor; SlimLab's is over the last axis");
  im.set_output(0, layer_value(im.add_layer(make(kind, {im.materialize(x)})), x.shape));
}

// Pooling with ceil_mode = 1 is accepted when it gives the floor sizes anyway.
void check_ceil_mode(const Importer& im, const Shape& in, const Window& w) {
  if (im.attr_int("ceil_mode", 0) == 0) return;
  for (size_t i = 0; i < w.kernel.size(); ++i) {
    const int64_t span = in[i + 1] + 2 * w.padding[i] - w.dilation[i] * (w.kernel[i] - 1) - 1;
    if (span % w.stride[i] != 0) im.fail("ceil_mode = 1 changes the output size here; export with ceil_mode = False");
  }
}

void pool(Importer& im, bool average) {
  if (im.node().output_size() > 1 && !im.node().output(1).empty()) im.fail("the indices output is not supported");
  const Value& x = im.layer_input(0);
  const Shape kernel = im.attr_ints("kernel_shape");
  if (kernel.empty() || kernel.size() + 1 != x.shape.size() || kernel.size() > 2)
    im.fail("kernel_shape " + ir::to_string(kernel) + " does not fit input " + ir::to_string(x.shape) + " (1-d and 2-d pools)");
  const Window w = window(im, x.shape, kernel);
  check_ceil_mode(im, x.shape, w);
  K kind = kernel.size() == 1 ? K::kMaxPool1d : K::kMaxPool2d;
  if (average) {
    if (kernel.size() != 2) im.fail("1-d average pooling has no IR layer (2-d only)");
    for (int64_t d : w.dilation) if (d != 1) im.fail("dilated average pooling is not supported");
    const bool padded = std::any_of(w.padding.begin(), w.padding.end(), [](int64_t p) { return p > 0; });
    if (padded && im.attr_int("count_include_pad", 0) == 0)
      im.fail("padded average pooling with count_include_pad = 0 is not supported (SlimLab divides by the window size)");
    kind = K::kAvgPool2d;
  }
  ir::Layer l = make(kind, {im.materialize(x)});
  set_window(l, w);
  if (average) l.dilation.clear();
  const std::string name = im.add_layer(l);
  im.set_output(0, layer_value(name, im.layer(name).output_shape));
}

// [C, ...] → [C, 1, ...]: the ONNX view of a global pool.
Shape keep_dims(const Shape& in) {
  Shape s(in.size(), 1);
  s[0] = in[0];
  return s;
}

void global_pool(Importer& im, bool average) {
  const Value& x = im.layer_input(0);
  if (x.shape.size() < 2) im.fail("input " + ir::to_string(x.shape) + " has no spatial axes");
  if (average) {
    im.set_output(0, layer_value(im.add_layer(make(K::kGlobalAvgPool, {im.materialize(x)})), keep_dims(x.shape)));
    return;
  }
  if (x.shape.size() > 3) im.fail("global max pooling over more than 2 spatial axes");
  ir::Layer l = make(x.shape.size() == 2 ? K::kMaxPool1d : K::kMaxPool2d, {im.materialize(x)});
  l.kernel.assign(x.shape.begin() + 1, x.shape.end());
  l.stride = l.kernel;
  const std::string name = im.add_layer(l);
  im.set_output(0, layer_value(name, keep_dims(x.shape)));
}

void reduce_mean(Importer& im) {
  const Value& x = im.layer_input(0);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  std::vector<int64_t> ax = im.axes(1);
  for (int64_t& a : ax) a = a < 0 ? a + rank : a;
  std::sort(ax.begin(), ax.end());
  const bool keep = im.attr_int("keepdims", 1) != 0;
  Shape spatial;
  for (int64_t a = 2; a < rank; ++a) spatial.push_back(a);
  if (rank >= 3 && ax == spatial) {
    const std::string name = im.add_layer(make(K::kGlobalAvgPool, {im.materialize(x)}));
    im.set_output(0, layer_value(name, keep ? keep_dims(x.shape) : Shape{x.shape[0]}));
  } else if (rank == 3 && ax == Shape{1}) {
    const std::string name = im.add_layer(make(K::kMeanOverTime, {im.materialize(x)}));
    im.set_output(0, layer_value(name, keep ? Shape{1, x.shape[1]} : Shape{x.shape[1]}));
  } else {
    im.fail("mean over axes " + ir::to_string(ax) + " of a rank-" + std::to_string(rank) +
            " tensor; supported: all spatial axes (global average pool) or axis 1 of [batch, T, F] (mean over time)");
  }
}

// Flatten, Reshape, Squeeze, Unsqueeze: a new view of the same values. The batch axis
// stays where it is, with the axes before it (a time-major [T, batch, …] value after an
// RNN): each sample's values keep their order.
void view(Importer& im, const Value& x, const Shape& full) {
  const size_t b = size_t(x.batch_axis);
  const Shape before = x.full(im.batch());
  bool kept = full.size() > b && full[b] == im.batch();
  for (size_t i = 0; kept && i < b; ++i) kept = full[i] == before[i];
  if (!kept) im.fail("the result " + ir::to_string(full) + " moves the batch axis (" + std::to_string(im.batch()) + ")");
  Value out = x;
  out.shape = full;
  out.shape.erase(out.shape.begin() + long(b));
  im.set_output(0, out);
}

void flatten(Importer& im) {
  const Value& x = im.layer_input(0);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  int64_t axis = im.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis != 1) im.fail("flatten at axis " + std::to_string(axis) + " mixes the batch axis; only axis 1 is supported");
  view(im, x, {im.batch(), ir::numel(x.shape)});
}

void reshape(Importer& im) {
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  view(im, x, reshape_target(im, x.full(im.batch()), im.const_input(1).ints()));
}

// Squeeze / Unsqueeze on the ONNX dims, the batch axis tracked (it may sit elsewhere
// than first around a recurrent layer). Squeezing the batch axis is an error.
void squeeze(Importer& im, bool unsqueeze) {
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  std::vector<int64_t> ax = im.axes(1);
  struct Axis {
    int64_t dim;
    bool batch;
  };
  std::vector<Axis> full;
  for (size_t i = 0, k = 0; i <= x.shape.size(); ++i)
    full.push_back(int64_t(i) == x.batch_axis ? Axis{im.batch(), true} : Axis{x.shape[k++], false});
  const int64_t rank = int64_t(full.size()) + (unsqueeze ? int64_t(ax.size()) : 0);
  if (rank > kMaxRank) im.fail("rank " + std::to_string(rank) + " is above the limit " + std::to_string(kMaxRank));
  for (int64_t& a : ax) {
    a = a < 0 ? a + rank : a;
    if (a < 0 || a >= rank) im.fail("axis " + std::to_string(a) + " is outside rank " + std::to_string(rank));
  }
  std::sort(ax.begin(), ax.end());
  if (unsqueeze) {
    for (int64_t a : ax) full.insert(full.begin() + std::min<int64_t>(a, int64_t(full.size())), Axis{1, false});
  } else if (ax.empty()) {
    full.erase(std::remove_if(full.begin(), full.end(), [](const Axis& a) { return a.dim == 1 && !a.batch; }), full.end());
  } else {
    for (auto it = ax.rbegin(); it != ax.rend(); ++it) {
      const Axis& a = full[size_t(*it)];
      if (a.batch || a.dim != 1) im.fail("cannot squeeze axis " + std::to_string(*it) + (a.batch ? " (the batch axis)" : " (not 1)"));
      full.erase(full.begin() + *it);
    }
  }
  Value out = x;
  out.shape.clear();
  for (size_t i = 0; i < full.size(); ++i) {
    if (full[i].batch) out.batch_axis = int64_t(i);
    else out.shape.push_back(full[i].dim);
  }
  im.set_output(0, out);
}

// A transpose that only moves the batch axis (ONNX's time-major recurrent layers) writes
// no layer; one that reorders the per-sample axes is a transpose layer.
void transpose(Importer& im) {
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  Shape perm = im.attr_ints("perm");
  if (perm.empty())
    for (int64_t a = rank - 1; a >= 0; --a) perm.push_back(a);
  Shape sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t a = 0; a < rank; ++a)
    if (int64_t(sorted.size()) != rank || sorted[size_t(a)] != a) im.fail("perm " + ir::to_string(perm) + " is not a permutation");
  Value out = x;
  Shape sample_perm;
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] == x.batch_axis) out.batch_axis = int64_t(i);
    else sample_perm.push_back(perm[i] < x.batch_axis ? perm[i] : perm[i] - 1);
  }
  bool identity = true;
  for (size_t i = 0; i < sample_perm.size(); ++i) identity = identity && sample_perm[i] == int64_t(i);
  if (!identity) {
    ir::Layer l = make(K::kTranspose, {im.materialize(x)});
    l.perm = sample_perm;
    out.layer = im.add_layer(l);
    out.shape = im.layer(out.layer).output_shape;
  }
  im.set_output(0, out);
}

void concat(Importer& im) {
  std::vector<std::string> ins;
  const Value& first = im.layer_input(0);
  const int64_t rank = int64_t(first.shape.size()) + 1;
  int64_t axis = im.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank) im.fail("concatenation along axis " + std::to_string(axis) + " (the batch axis or outside rank)");
  for (size_t i = 0; i < im.input_count(); ++i) ins.push_back(im.materialize(im.layer_input(int(i))));
  ir::Layer l = make(K::kConcat, ins);
  l.axis = axis - 1;
  const std::string name = im.add_layer(l);
  im.set_output(0, layer_value(name, im.layer(name).output_shape));
}

// One slice layer of `x` along per-sample axis `axis` (ONNX axis − 1).
Value slice_out(Importer& im, int out, const Value& x, int64_t axis, int64_t begin, int64_t end) {
  ir::Layer l = make(K::kSlice, {im.materialize(x)});
  l.name = im.layer_name(out ? "_" + std::to_string(out) : "");
  l.axis = axis;
  l.begin = begin;
  l.end = end;
  const std::string name = im.add_layer(l);
  const Value v = layer_value(name, im.layer(name).output_shape);
  im.set_output(out, v);
  return v;
}

void slice(Importer& im) {
  const Value& x = im.layer_input(0);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  const bool old = im.opset() < 10;
  const Shape starts = old ? im.attr_ints("starts") : im.const_input(1).ints();
  const Shape ends = old ? im.attr_ints("ends") : im.const_input(2).ints();
  Shape axes = old ? im.attr_ints("axes") : (im.input(3, true) ? im.const_input(3).ints() : Shape{});
  const Shape steps = !old && im.input(4, true) ? im.const_input(4).ints() : Shape{};
  if (axes.empty()) axes = {0};
  if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1 || steps.size() > 1)
    im.fail("slicing more than one axis of the data path");
  const int64_t step = steps.empty() ? 1 : steps[0];
  const int64_t axis = axes[0] < 0 ? axes[0] + rank : axes[0];
  if (axis < 1 || axis >= rank) im.fail("slicing the batch axis");
  const int64_t n = x.shape[size_t(axis - 1)];
  if (step == -1 && n >= 1) {  // ONNX clamps starts to [0, n − 1] and ends to [−1, n − 1] for a negative step
    const int64_t first = std::clamp(starts[0] < 0 ? starts[0] + n : starts[0], int64_t(0), n - 1);
    const int64_t stop = std::clamp(ends[0] < 0 ? ends[0] + n : ends[0], int64_t(-1), n - 1);
    if (first != n - 1 || stop != -1)
      im.fail("a slice with step -1 is supported over the whole axis only (a reversal, as torch.flip writes)");
    ir::Layer l = make(K::kReverse, {im.materialize(x)});
    l.axis = axis - 1;
    im.set_output(0, layer_value(im.add_layer(l), x.shape));
    return;
  }
  if (step != 1) im.fail("slices with a step other than 1 (or -1 over a whole axis) are not supported");
  auto clampi = [n](int64_t v) { return std::clamp(v < 0 ? v + n : v, int64_t(0), n); };
  slice_out(im, 0, x, axis - 1, clampi(starts[0]), clampi(ends[0]));
}

// Gather of one entry along a per-sample axis (y[:, -1] of a sequence, h_n[-1] of a
// recurrent layer's [directions, batch, H] state): a slice.
void gather(Importer& im) {
  const Value& x = im.layer_input(0, /*any_batch_axis=*/true);
  const Tensor& idx = im.const_input(1);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  int64_t axis = im.attr_int("axis", 0);
  axis = axis < 0 ? axis + rank : axis;
  if (axis < 0 || axis >= rank || axis == x.batch_axis || idx.numel() != 1)
    im.fail("gathering " + ir::to_string(idx.dims) + " along axis " + std::to_string(axis) +
            " of the data path; supported: one index along a non-batch axis");
  const int64_t a = axis < x.batch_axis ? axis : axis - 1;  // the per-sample axis
  const int64_t n = x.shape[size_t(a)];
  int64_t k = to_int(idx.v[0]);
  if (k < -n || k >= n) im.fail("index " + std::to_string(k) + " is outside 0.." + std::to_string(n - 1));
  if (k < 0) k += n;
  Value v = slice_out(im, 0, x, a, k, k + 1);
  v.batch_axis = x.batch_axis;
  if (idx.dims.empty()) {  // a scalar index drops the axis
    v.shape.erase(v.shape.begin() + a);
    if (axis < x.batch_axis) --v.batch_axis;
  }
  im.set_output(0, v);
}

void split(Importer& im) {
  const Value& x = im.layer_input(0);
  const int64_t rank = int64_t(x.shape.size()) + 1;
  int64_t axis = im.attr_int("axis", 0);
  axis = axis < 0 ? axis + rank : axis;
  if (axis < 1 || axis >= rank) im.fail("splitting the batch axis");
  const int64_t n = x.shape[size_t(axis - 1)], outs = im.node().output_size();
  Shape sizes = im.attr_ints("split");
  if (sizes.empty() && im.input(1, true)) sizes = im.const_input(1).ints();
  if (sizes.empty()) {
    const int64_t each = (n + outs - 1) / std::max<int64_t>(outs, 1);
    for (int64_t k = 0, left = n; k < outs; ++k, left -= each) sizes.push_back(std::min(each, left));
  }
  if (int64_t(sizes.size()) != outs) im.fail("split sizes " + ir::to_string(sizes) + " for " + std::to_string(outs) + " outputs");
  int64_t at = 0;
  for (int64_t k = 0; k < outs; ++k) {
    if (sizes[size_t(k)] < 1 || at + sizes[size_t(k)] > n) im.fail("split sizes " + ir::to_string(sizes) + " do not fit " + std::to_string(n));
    slice_out(im, int(k), x, axis - 1, at, at + sizes[size_t(k)]);
    at += sizes[size_t(k)];
  }
}

// Pad with zero pads (torch writes one before some pools): nothing to do.
void pad(Importer& im) {
  const Shape pads = im.opset() < 11 ? im.attr_ints("pads") : im.const_input(1).ints();
  if (im.attr_string("mode", "constant") != "constant" ||
      std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }))
    im.fail("padding " + ir::to_string(pads) + " as its own node is not supported; give the conv / pool its own "
            "(symmetric) padding instead");
  im.set_output(0, im.layer_input(0));
}

void pass_through(Importer& im) {
  if (im.node().output_size() > 1 && !im.node().output(1).empty() && im.uses(im.node().output(1)) > 0)
    im.fail("the dropout mask output is not supported");
  im.set_output(0, *im.input(0));
}

}  // namespace

const std::map<std::string, Handler>& layer_ops() {
  static const std::map<std::string, Handler> ops = [] {
    std::map<std::string, Handler> m = {
        {"Conv", conv},
        {"Gemm", gemm},
        {"MatMul", matmul},
        {"BatchNormalization", batch_norm},
        {"Relu", [](Importer& im) { elementwise(im, K::kRelu); }},
        {"Sigmoid", [](Importer& im) { elementwise(im, K::kSigmoid); }},
        {"HardSwish", [](Importer& im) { elementwise(im, K::kHardSwish); }},
        {"Clip", clip},
        {"Softmax", [](Importer& im) { softmax(im, K::kSoftmax); }},
        {"LogSoftmax", [](Importer& im) { softmax(im, K::kLogSoftmax); }},
        {"Tanh", [](Importer& im) { elementwise(im, K::kTanh); }},
        {"LeakyRelu", [](Importer& im) { parametric(im, K::kLeakyRelu, 0.01f, 0); }},
        {"HardSigmoid", [](Importer& im) { parametric(im, K::kHardSigmoid, 0.2f, 0.5f); }},
        {"MaxPool", [](Importer& im) { pool(im, false); }},
        {"AveragePool", [](Importer& im) { pool(im, true); }},
        {"GlobalAveragePool", [](Importer& im) { global_pool(im, true); }},
        {"GlobalMaxPool", [](Importer& im) { global_pool(im, false); }},
        {"ReduceMean", reduce_mean},
        {"Flatten", flatten},
        {"Reshape", reshape},
        {"Squeeze", [](Importer& im) { squeeze(im, false); }},
        {"Unsqueeze", [](Importer& im) { squeeze(im, true); }},
        {"Transpose", transpose},
        {"Concat", concat},
        {"Slice", slice},
        {"Split", split},
        {"Gather", gather},
        {"Pad", pad},
        {"Dropout", pass_through},
        {"Identity", pass_through},
    };
    add_rnn_ops(m);
    add_qdq_ops(m);
    add_arith_ops(m);
    return m;
  }();
  return ops;
}

std::string supported_ops() {
  std::set<std::string> names;
  for (const auto& [name, h] : layer_ops()) names.insert(name);
  for (const auto& [name, h] : fold_ops()) names.insert(name);
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace slimlab::onnx_import::detail
