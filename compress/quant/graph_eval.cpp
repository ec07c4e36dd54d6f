#include "compress/quant/graph_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/graph_walk.h"
#include "compress/quant/op_rules.h"

namespace slimlab::compress::quant {

using ir::Layer;
using ir::LayerKind;

namespace {

struct Tensor {
  Shape shape;
  std::vector<double> v;
};

Tensor zeros(const Shape& shape) { return {shape, std::vector<double>(size_t(numel(shape)), 0.0)}; }

// y = f(a, b) with a and b broadcast to `out` (ir::broadcast_shapes: trailing axes aligned).
template <class F>
Tensor broadcast(const Tensor& a, const Tensor& b, const Shape& out, F f) {
  Tensor y = zeros(out);
  const size_t r = out.size();
  // Element strides of t along the output's axes (0 where it repeats).
  auto strides = [&](const Shape& s) {
    std::vector<int64_t> st(r, 0);
    int64_t step = 1;
    for (size_t k = 0; k < s.size(); ++k) {
      const size_t ax = r - 1 - k, sx = s.size() - 1 - k;
      st[ax] = s[sx] == 1 ? 0 : step;
      step *= s[sx];
    }
    return st;
  };
  const std::vector<int64_t> sa = strides(a.shape), sb = strides(b.shape);
  for (int64_t j = 0; j < int64_t(y.v.size()); ++j) {
    int64_t rest = j, ia = 0, ib = 0;
    for (size_t ax = r; ax-- > 0;) {
      const int64_t idx = rest % out[ax];
      rest /= out[ax];
      ia += idx * sa[ax];
      ib += idx * sb[ax];
    }
    y.v[size_t(j)] = f(a.v[size_t(ia)], b.v[size_t(ib)]);
  }
  return y;
}

// ---- sliding windows (conv / pooling), 1-d treated as 2-d with height 1 ----

struct Window {
  int64_t c = 0, h = 1, w = 1;      // input
  int64_t oh = 1, ow = 1;           // output spatial
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

Window window_of(const Layer& l, const Shape& in, bool pooling) {
  const slimrt::kernels::ConvShape s = window_shape(l, in, pooling);
  return {s.in_c, s.in_h, s.in_w, s.out_h(), s.out_w(), s.kernel_h, s.kernel_w, s.stride_h,
          s.stride_w, s.pad_top, s.pad_left, s.dilation_h, s.dilation_w};
}

// acc[o, oy, ox] += Σ w[o, c, ky, kx] · x[g·cin + c, iy, ix]; acc starts with the bias.
void convolve(const Window& win, int64_t out_channels, int64_t groups, const double* x, const double* w, double* acc) {
  using A = double;
  using X = double;
  const int64_t cin = win.c / groups, cout = out_channels / groups;
  const int64_t plane = win.oh * win.ow;
  for (int64_t o = 0; o < out_channels; ++o) {
    const int64_t g = o / cout;
    A* out = acc + o * plane;
    for (int64_t c = 0; c < cin; ++c) {
      const X* xin = x + (g * cin + c) * win.h * win.w;
      for (int64_t ky = 0; ky < win.kh; ++ky)
        for (int64_t kx = 0; kx < win.kw; ++kx) {
          const A wv = A(w[((o * cin + c) * win.kh + ky) * win.kw + kx]);
          if (wv == A(0)) continue;
          for (int64_t oy = 0; oy < win.oh; ++oy) {
            const int64_t iy = oy * win.sh - win.ph + ky * win.dh;
            if (iy < 0 || iy >= win.h) continue;
            const X* row = xin + iy * win.w;
            A* orow = out + oy * win.ow;
            for (int64_t ox = 0; ox < win.ow; ++ox) {
              const int64_t ix = ox * win.sw - win.pw + kx * win.dw;
              if (ix < 0 || ix >= win.w) continue;
              orow[ox] += wv * A(row[ix]);
            }
          }
        }
    }
  }
}

// Max over each window (padding never wins); `avg` sums instead (padding counts as 0,
// the divisor is kh·kw as LibTorch's count_include_pad).
void pool(const Window& win, const double* x, double* out, bool avg) {
  using A = double;
  for (int64_t c = 0; c < win.c; ++c)
    for (int64_t oy = 0; oy < win.oh; ++oy)
      for (int64_t ox = 0; ox < win.ow; ++ox) {
        A best = avg ? A(0) : std::numeric_limits<A>::lowest();
        for (int64_t ky = 0; ky < win.kh; ++ky) {
          const int64_t iy = oy * win.sh - win.ph + ky * win.dh;
          if (iy < 0 || iy >= win.h) continue;
          for (int64_t kx = 0; kx < win.kw; ++kx) {
            const int64_t ix = ox * win.sw - win.pw + kx * win.dw;
            if (ix < 0 || ix >= win.w) continue;
            const A v = A(x[(c * win.h + iy) * win.w + ix]);
            if (avg) best += v;
            else if (v > best) best = v;
          }
        }
        out[(c * win.oh + oy) * win.ow + ox] = best;
      }
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

struct ReferenceEvaluator::Impl {
  ir::Graph g;
  GraphWalk walk;
  std::vector<std::map<std::string, std::vector<double>>> w;  // per layer: param → values

  explicit Impl(const ir::Graph& graph) : g((graph.validate(), graph)), walk(g) {}
  const std::vector<double>& p(size_t i, const std::string& name) const { return w[i].at(name); }

  Tensor layer(size_t i, const std::vector<const Tensor*>& in, const float* sample,
                       ObservedRanges* ranges) const;
  Tensor sliding(size_t i, const Tensor& x) const;
  Tensor other(const Layer& l, const std::vector<const Tensor*>& in) const;
  Tensor recurrent(size_t i, const Tensor& x, bool lstm, ObservedRanges* ranges) const;
};

ReferenceEvaluator::ReferenceEvaluator(const ir::Graph& g) : impl_(std::make_unique<Impl>(g)) {
  impl_->w.resize(g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const Layer& l = g.layers[i];
    for (const ir::Param& prm : l.params) {
      const std::vector<float>& d = param_data("reference evaluation", l, prm.name);
      impl_->w[i][prm.name] = std::vector<double>(d.begin(), d.end());
    }
    for (ir::Param& prm : impl_->g.layers[i].params) prm.data.clear();  // keep only the double copies
  }
}
ReferenceEvaluator::~ReferenceEvaluator() = default;
const ir::Graph& ReferenceEvaluator::graph() const { return impl_->g; }

Tensor ReferenceEvaluator::Impl::recurrent(size_t i, const Tensor& x, bool lstm,
                                                   ObservedRanges* ranges) const {
  const Layer& l = g.layers[i];
  const int64_t T = x.shape[0], F = x.shape[1], H = l.out_features, G = lstm ? 4 : 3;
  const auto& wih = p(i, "weight_ih_l0");
  const auto& whh = p(i, "weight_hh_l0");
  const std::vector<double> zeros(size_t(G * H), 0.0);
  const auto& bih = l.bias ? p(i, "bias_ih_l0") : zeros;
  const auto& bhh = l.bias ? p(i, "bias_hh_l0") : zeros;
  Range* pre = ranges ? &ranges->gate_pre[l.name] : nullptr;
  Range* cell = ranges && lstm ? &ranges->cell[l.name] : nullptr;
  std::vector<double> h(size_t(H), 0.0), c(size_t(H), 0.0), gi(size_t(G * H)), gh(size_t(G * H));
  Tensor y;
  y.shape = {T, H};
  y.v.resize(size_t(T * H));
  for (int64_t t = 0; t < T; ++t) {
    const double* xt = x.v.data() + t * F;
    for (int64_t r = 0; r < G * H; ++r) {
      double a = bih[size_t(r)], b = bhh[size_t(r)];
      for (int64_t f = 0; f < F; ++f) a += wih[size_t(r * F + f)] * xt[f];
      for (int64_t k = 0; k < H; ++k) b += whh[size_t(r * H + k)] * h[size_t(k)];
      gi[size_t(r)] = a;
      gh[size_t(r)] = b;
      if (pre) { pre->add(a); pre->add(b); }
    }
    for (int64_t u = 0; u < H; ++u) {
      const size_t U = size_t(u), Hs = size_t(H);
      if (!lstm) {
        const double rp = gi[U] + gh[U], zp = gi[Hs + U] + gh[Hs + U];
        const double r = sigmoid(rp), z = sigmoid(zp);
        const double rn = r * gh[2 * Hs + U], np = gi[2 * Hs + U] + rn;
        if (pre) { pre->add(rp); pre->add(zp); pre->add(rn); pre->add(np); }
        const double n = std::tanh(np);
        h[U] = (1.0 - z) * n + z * h[U];
      } else {
        double s[4];
        for (size_t k = 0; k < 4; ++k) {
          s[k] = gi[k * Hs + U] + gh[k * Hs + U];
          if (pre) pre->add(s[k]);
        }
        const double ig = sigmoid(s[0]), fg = sigmoid(s[1]), gg = std::tanh(s[2]), og = sigmoid(s[3]);
        c[U] = fg * c[U] + ig * gg;
        if (cell) cell->add(c[U]);
        h[U] = og * std::tanh(c[U]);
      }
    }
    std::copy(h.begin(), h.end(), y.v.begin() + t * H);
  }
  return y;
}

Tensor ReferenceEvaluator::Impl::layer(size_t i, const std::vector<const Tensor*>& in,
                                               const float* sample, ObservedRanges* ranges) const {
  const Layer& l = g.layers[i];
  Tensor y;
  switch (l.kind) {
    case LayerKind::kInput:
      y.shape = g.input_shape;
      y.v.assign(sample, sample + numel(g.input_shape));
      return y;
    case LayerKind::kDense: {
      const auto& W = p(i, "weight");
      const int64_t n = l.in_features;
      y.shape = {l.out_features};
      y.v.resize(size_t(l.out_features));
      for (int64_t o = 0; o < l.out_features; ++o) {
        double a = l.bias ? p(i, "bias")[size_t(o)] : 0.0;
        const double* wr = W.data() + o * n;
        for (int64_t k = 0; k < n; ++k) a += wr[k] * in[0]->v[size_t(k)];
        y.v[size_t(o)] = a;
      }
      return y;
    }
    case LayerKind::kConv1d:
    case LayerKind::kConv2d:
    case LayerKind::kDepthwiseConv2d:
    case LayerKind::kMaxPool1d:
    case LayerKind::kMaxPool2d:
    case LayerKind::kAvgPool2d:
      return sliding(i, *in[0]);
    case LayerKind::kGlobalAvgPool: {
      const int64_t c = in[0]->shape[0], per = numel(in[0]->shape) / c;
      y.shape = {c};
      y.v.assign(size_t(c), 0.0);
      for (int64_t k = 0; k < c; ++k) {
        double s = 0;
        for (int64_t j = 0; j < per; ++j) s += in[0]->v[size_t(k * per + j)];
        y.v[size_t(k)] = s / double(per);
      }
      return y;
    }
    case LayerKind::kMeanOverTime: {
      const int64_t T = in[0]->shape[0], F = in[0]->shape[1];
      y.shape = {F};
      y.v.assign(size_t(F), 0.0);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t f = 0; f < F; ++f) y.v[size_t(f)] += in[0]->v[size_t(t * F + f)];
      for (double& v : y.v) v /= double(T);
      return y;
    }
    case LayerKind::kBatchNorm: {
      y = *in[0];
      const int64_t c = y.shape[0], per = numel(y.shape) / c;
      for (int64_t k = 0; k < c; ++k) {
        const double s = p(i, "weight")[size_t(k)] / std::sqrt(p(i, "running_var")[size_t(k)] + kBatchNormEps);
        const double mu = p(i, "running_mean")[size_t(k)], beta = p(i, "bias")[size_t(k)];
        for (int64_t j = 0; j < per; ++j) {
          double& v = y.v[size_t(k * per + j)];
          v = (v - mu) * s + beta;
        }
      }
      return y;
    }
    case LayerKind::kGru:
    case LayerKind::kLstm:
      return recurrent(i, *in[0], l.kind == LayerKind::kLstm, ranges);
    default:
      return other(l, in);
  }
}

// Convolutions and pools: bias, then the window sums (max, or the average over kh·kw).
Tensor ReferenceEvaluator::Impl::sliding(size_t i, const Tensor& x) const {
  const Layer& l = g.layers[i];
  const bool conv = l.kind == LayerKind::kConv1d || l.kind == LayerKind::kConv2d ||
                    l.kind == LayerKind::kDepthwiseConv2d;
  const Window win = window_of(l, x.shape, !conv);
  Tensor y = zeros(l.output_shape);
  if (conv) {
    const int64_t plane = win.oh * win.ow;
    if (l.bias)
      for (int64_t o = 0; o < l.out_features; ++o)
        std::fill(y.v.begin() + o * plane, y.v.begin() + (o + 1) * plane, p(i, "bias")[size_t(o)]);
    convolve(win, l.out_features, l.groups, x.v.data(), p(i, "weight").data(), y.v.data());
    return y;
  }
  const bool avg = l.kind == LayerKind::kAvgPool2d;
  pool(win, x.v.data(), y.v.data(), avg);
  if (avg)
    for (double& v : y.v) v /= double(win.kh * win.kw);
  return y;
}

// Element-wise activations (op_rules.h), softmax, addition and data movement.
Tensor ReferenceEvaluator::Impl::other(const Layer& l, const std::vector<const Tensor*>& in) const {
  Tensor y;
  if (const ElementwiseOp* e = elementwise_op(l)) {
    y = *in[0];
    for (double& v : y.v) v = e->reference(v, l);
    return y;
  }
  switch (l.kind) {
    case LayerKind::kSoftmax:
    case LayerKind::kLogSoftmax: {
      y = *in[0];
      const int64_t last = y.shape.back(), rows = numel(y.shape) / last;
      for (int64_t r = 0; r < rows; ++r) {
        double* row = y.v.data() + r * last;
        const double mx = *std::max_element(row, row + last);
        double s = 0;
        for (int64_t k = 0; k < last; ++k) s += std::exp(row[k] - mx);
        for (int64_t k = 0; k < last; ++k)
          row[k] = l.kind == LayerKind::kLogSoftmax ? row[k] - mx - std::log(s) : std::exp(row[k] - mx) / s;
      }
      return y;
    }
    case LayerKind::kDropout:
      return *in[0];
    case LayerKind::kFlatten:
    case LayerKind::kReshape:
      y = *in[0];
      y.shape = l.output_shape;
      return y;
    case LayerKind::kTranspose:
    case LayerKind::kSlice:
    case LayerKind::kReverse:
    case LayerKind::kConcat: {
      std::vector<const Shape*> shapes;
      std::vector<const void*> x;
      for (const Tensor* t : in) {
        shapes.push_back(&t->shape);
        x.push_back(t->v.data());
      }
      y.shape = l.output_shape;
      y.v.resize(size_t(numel(y.shape)));
      move_values(l, shapes, x, y.v.data(), int(sizeof(double)));
      return y;
    }
    case LayerKind::kAdd:
      y = *in[0];
      for (size_t k = 1; k < in.size(); ++k) {
        const std::optional<Shape> out = ir::broadcast_shapes(y.shape, in[k]->shape);
        if (!out) fail("reference evaluation", l, "inputs do not broadcast");
        y = broadcast(y, *in[k], *out, [](double a, double b) { return a + b; });
      }
      return y;
    case LayerKind::kMul:
    case LayerKind::kSub:
    case LayerKind::kDiv: {
      const std::optional<Shape> out = ir::broadcast_shapes(in[0]->shape, in[1]->shape);
      if (!out) fail("reference evaluation", l, "inputs do not broadcast");
      const LayerKind k = l.kind;
      return broadcast(*in[0], *in[1], *out, [k](double a, double b) {
        return k == LayerKind::kMul ? a * b : k == LayerKind::kSub ? a - b : a / b;
      });
    }
    default:
      break;
  }
  fail("reference evaluation", l, "unsupported layer kind");
}

std::vector<double> ReferenceEvaluator::run(const float* sample, ObservedRanges* ranges) const {
  const Impl& m = *impl_;
  std::vector<Tensor> out(m.g.layers.size());
  for (size_t i = 0; i < m.g.layers.size(); ++i) {
    std::vector<const Tensor*> in;
    for (size_t j : m.walk.inputs[i]) in.push_back(&out[j]);
    out[i] = m.layer(i, in, sample, ranges);
    if (ranges) {
      Range& r = ranges->output[m.g.layers[i].name];
      for (double v : out[i].v) r.add(v);
    }
  }
  return out.back().v;
}

std::vector<double> evaluate_reference(const ir::Graph& g, const float* inputs, int64_t n, ObservedRanges* ranges) {
  ReferenceEvaluator ev(g);
  const int64_t per = numel(g.input_shape);
  std::vector<double> all;
  for (int64_t s = 0; s < n; ++s) {
    std::vector<double> y = ev.run(inputs + s * per, ranges);
    all.insert(all.end(), y.begin(), y.end());
  }
  return all;
}


}  // namespace slimlab::compress::quant
