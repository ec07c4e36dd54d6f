#include "compress/quant/graph_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "compress/quant/fold_batchnorm.h"
#include "slimrt/fixed_point.h"

namespace slimlab::compress::quant {

namespace fx = slimrt::fixed;
using ir::Layer;
using ir::LayerKind;
using Shape = std::vector<int64_t>;

namespace {

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

template <class V>
struct Tensor {
  Shape shape;
  std::vector<V> v;
};

[[noreturn]] void fail(const std::string& who, const Layer& l, const std::string& what) {
  throw std::invalid_argument(who + ": layer '" + l.name + "' (" + ir::to_string(l.kind) + "): " + what);
}

const std::vector<float>& param_data(const std::string& who, const Layer& l, const std::string& name) {
  const ir::Param* p = l.param(name);
  if (!p) fail(who, l, "has no parameter '" + name + "'");
  if (int64_t(p->data.size()) != p->numel())
    fail(who, l, "parameter '" + name + "' has no values (evaluate a graph taken with weights)");
  return p->data;
}

// ---- sliding windows (conv / pooling), 1-d treated as 2-d with height 1 ----

struct Window {
  int64_t c = 0, h = 1, w = 1;      // input
  int64_t oh = 1, ow = 1;           // output spatial
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

Window window_of(const Layer& l, const Shape& in, bool pooling) {
  Window win;
  const size_t spatial = in.size() - 1;
  auto at = [&](const Shape& v, size_t i, int64_t fallback) { return v.empty() ? fallback : v[i]; };
  win.c = in[0];
  const size_t first = spatial == 2 ? 0 : 0;
  if (spatial == 2) {
    win.h = in[1];
    win.w = in[2];
    win.kh = l.kernel[first];
    win.kw = l.kernel[1];
    win.sh = at(l.stride, 0, pooling ? win.kh : 1);
    win.sw = at(l.stride, 1, pooling ? win.kw : 1);
    win.ph = at(l.padding, 0, 0);
    win.pw = at(l.padding, 1, 0);
    win.dh = at(l.dilation, 0, 1);
    win.dw = at(l.dilation, 1, 1);
  } else {
    win.w = in[1];
    win.kw = l.kernel[0];
    win.sw = at(l.stride, 0, pooling ? win.kw : 1);
    win.pw = at(l.padding, 0, 0);
    win.dw = at(l.dilation, 0, 1);
  }
  win.oh = (win.h + 2 * win.ph - win.dh * (win.kh - 1) - 1) / win.sh + 1;
  win.ow = (win.w + 2 * win.pw - win.dw * (win.kw - 1) - 1) / win.sw + 1;
  return win;
}

// acc[o, oy, ox] += Σ w[o, c, ky, kx] · x[g·cin + c, iy, ix]; acc starts with the bias.
template <class A, class X, class W>
void convolve(const Window& win, int64_t out_channels, int64_t groups, const X* x, const W* w, A* acc) {
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
template <class V, class A>
void pool(const Window& win, const V* x, A* out, bool avg) {
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

// ---- data movement (same code for doubles and integers) ----

template <class V>
Tensor<V> transpose(const Tensor<V>& x, const Shape& perm) {
  Tensor<V> y;
  const size_t r = x.shape.size();
  for (int64_t a : perm) y.shape.push_back(x.shape[size_t(a)]);
  y.v.resize(x.v.size());
  // Stride in the input of a step along each output axis.
  std::vector<int64_t> step(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t st = 1;
    for (size_t a = size_t(perm[i]) + 1; a < r; ++a) st *= x.shape[a];
    step[i] = st;
  }
  for (size_t flat = 0; flat < y.v.size(); ++flat) {
    int64_t rest = int64_t(flat), src = 0;
    for (size_t i = r; i-- > 0;) {
      src += (rest % y.shape[i]) * step[i];
      rest /= y.shape[i];
    }
    y.v[flat] = x.v[size_t(src)];
  }
  return y;
}

// outer × extent × inner view along `axis`.
void split_at(const Shape& s, int64_t axis, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t i = 0; i < axis; ++i) *outer *= s[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < s.size(); ++i) *inner *= s[i];
}

template <class V>
Tensor<V> slice(const Tensor<V>& x, int64_t axis, int64_t begin, int64_t end) {
  int64_t outer, inner;
  split_at(x.shape, axis, &outer, &inner);
  const int64_t extent = x.shape[size_t(axis)], len = end - begin;
  Tensor<V> y;
  y.shape = x.shape;
  y.shape[size_t(axis)] = len;
  y.v.reserve(size_t(outer * len * inner));
  for (int64_t o = 0; o < outer; ++o)
    y.v.insert(y.v.end(), x.v.begin() + (o * extent + begin) * inner, x.v.begin() + (o * extent + end) * inner);
  return y;
}

template <class V>
Tensor<V> concat(const std::vector<const Tensor<V>*>& xs, int64_t axis) {
  Tensor<V> y;
  y.shape = xs[0]->shape;
  y.shape[size_t(axis)] = 0;
  for (const auto* x : xs) y.shape[size_t(axis)] += x->shape[size_t(axis)];
  int64_t outer, inner;
  split_at(y.shape, axis, &outer, &inner);
  y.v.reserve(size_t(numel(y.shape)));
  for (int64_t o = 0; o < outer; ++o)
    for (const auto* x : xs) {
      const int64_t n = x->shape[size_t(axis)] * inner;
      y.v.insert(y.v.end(), x->v.begin() + o * n, x->v.begin() + (o + 1) * n);
    }
  return y;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

// =====================================================================================
// Reference (double)
// =====================================================================================

struct ReferenceEvaluator::Impl {
  ir::Graph g;
  std::vector<std::vector<size_t>> inputs;
  std::vector<std::map<std::string, std::vector<double>>> w;  // per layer: param → values

  const std::vector<double>& p(size_t i, const std::string& name) const { return w[i].at(name); }
  bool has(size_t i, const std::string& name) const { return w[i].count(name) > 0; }

  Tensor<double> layer(size_t i, const std::vector<const Tensor<double>*>& in, const float* sample,
                       ObservedRanges* ranges) const;
  Tensor<double> recurrent(size_t i, const Tensor<double>& x, bool lstm, ObservedRanges* ranges) const;
};

ReferenceEvaluator::ReferenceEvaluator(const ir::Graph& g) : impl_(std::make_unique<Impl>()) {
  g.validate();
  impl_->g = g;
  std::map<std::string, size_t> index;
  impl_->inputs.resize(g.layers.size());
  impl_->w.resize(g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const Layer& l = g.layers[i];
    index[l.name] = i;
    for (const std::string& in : l.inputs) impl_->inputs[i].push_back(index.at(in));
    for (const ir::Param& prm : l.params) {
      const std::vector<float>& d = param_data("reference evaluation", l, prm.name);
      impl_->w[i][prm.name] = std::vector<double>(d.begin(), d.end());
    }
    for (ir::Param& prm : impl_->g.layers[i].params) prm.data.clear();  // keep only the double copies
  }
}
ReferenceEvaluator::~ReferenceEvaluator() = default;
const ir::Graph& ReferenceEvaluator::graph() const { return impl_->g; }

Tensor<double> ReferenceEvaluator::Impl::recurrent(size_t i, const Tensor<double>& x, bool lstm,
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
  Tensor<double> y;
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

Tensor<double> ReferenceEvaluator::Impl::layer(size_t i, const std::vector<const Tensor<double>*>& in,
                                               const float* sample, ObservedRanges* ranges) const {
  const Layer& l = g.layers[i];
  Tensor<double> y;
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
    case LayerKind::kDepthwiseConv2d: {
      const Window win = window_of(l, in[0]->shape, false);
      y.shape = l.output_shape;
      y.v.assign(size_t(numel(y.shape)), 0.0);
      const int64_t plane = win.oh * win.ow;
      if (l.bias)
        for (int64_t o = 0; o < l.out_features; ++o)
          std::fill(y.v.begin() + o * plane, y.v.begin() + (o + 1) * plane, p(i, "bias")[size_t(o)]);
      convolve(win, l.out_features, l.groups, in[0]->v.data(), p(i, "weight").data(), y.v.data());
      return y;
    }
    case LayerKind::kMaxPool1d:
    case LayerKind::kMaxPool2d:
    case LayerKind::kAvgPool2d: {
      const Window win = window_of(l, in[0]->shape, true);
      y.shape = l.output_shape;
      y.v.resize(size_t(numel(y.shape)));
      const bool avg = l.kind == LayerKind::kAvgPool2d;
      pool(win, in[0]->v.data(), y.v.data(), avg);
      if (avg)
        for (double& v : y.v) v /= double(win.kh * win.kw);
      return y;
    }
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
    case LayerKind::kRelu:
      y = *in[0];
      for (double& v : y.v) v = v > 0 ? v : 0.0;
      return y;
    case LayerKind::kRelu6:
      y = *in[0];
      for (double& v : y.v) v = std::min(std::max(v, 0.0), 6.0);
      return y;
    case LayerKind::kHardTanh:
      y = *in[0];
      for (double& v : y.v) v = std::min(std::max(v, double(l.min_value)), double(l.max_value));
      return y;
    case LayerKind::kSign:
      y = *in[0];
      for (double& v : y.v) v = v >= 0 ? 1.0 : -1.0;
      return y;
    case LayerKind::kSoftmax: {
      y = *in[0];
      const int64_t last = y.shape.back(), rows = numel(y.shape) / last;
      for (int64_t r = 0; r < rows; ++r) {
        double* row = y.v.data() + r * last;
        const double mx = *std::max_element(row, row + last);
        double s = 0;
        for (int64_t k = 0; k < last; ++k) s += (row[k] = std::exp(row[k] - mx));
        for (int64_t k = 0; k < last; ++k) row[k] /= s;
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
      return transpose(*in[0], l.perm);
    case LayerKind::kSlice:
      return slice(*in[0], l.axis, l.begin, l.end);
    case LayerKind::kConcat:
      return concat(in, l.axis);
    case LayerKind::kAdd:
      y = *in[0];
      for (size_t k = 1; k < in.size(); ++k)
        for (size_t j = 0; j < y.v.size(); ++j) y.v[j] += in[k]->v[j];
      return y;
  }
  fail("reference evaluation", l, "unsupported layer kind");
}

std::vector<double> ReferenceEvaluator::run(const float* sample, ObservedRanges* ranges) const {
  const Impl& m = *impl_;
  std::vector<Tensor<double>> out(m.g.layers.size());
  for (size_t i = 0; i < m.g.layers.size(); ++i) {
    std::vector<const Tensor<double>*> in;
    for (size_t j : m.inputs[i]) in.push_back(&out[j]);
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

// =====================================================================================
// Fixed point (integers)
// =====================================================================================

namespace {

struct Fmt {
  int wl = 0, fl = 0;
};

const char* kWho = "fixed-point evaluation";

Fmt fixed_format(const Layer& l, const ir::NumericFormat& f, const std::string& what) {
  if (f.precision != ir::Precision::kFixed)
    fail(kWho, l, what + " is " + ir::to_string(f.precision) +
                      ", not fixed point (run fixed-point calibration / the fixed_point stage first)");
  const int wl = f.fixed.word_length();
  if (!fx::valid_format(wl, f.fixed.fl))
    fail(kWho, l, what + " ⟨" + std::to_string(f.fixed.il) + ", " + std::to_string(f.fixed.fl) +
                      "⟩ is outside word lengths 2..16 / FL −16..30");
  return {wl, f.fixed.fl};
}

}  // namespace

struct FixedPointEvaluator::Impl {
  struct Prepared {
    Fmt out;                              // output format
    std::vector<Fmt> in;                  // input formats
    std::vector<int64_t> w, w2;           // weight (ih), weight_hh
    std::vector<int64_t> b, b2;           // biases at the accumulator's FL
    int fl_w = 0, fl_w2 = 0;
    Fmt pre, gate, cell;                  // RNN
    int64_t clamp_lo = 0, clamp_hi = 0;   // relu6 / hard-tanh, in the input's format
  };
  ir::Graph g;
  std::vector<std::vector<size_t>> inputs;
  std::vector<Prepared> prep;

  Tensor<int64_t> layer(size_t i, const std::vector<const Tensor<int64_t>*>& in, const float* sample) const;
  Tensor<int64_t> recurrent(size_t i, const Tensor<int64_t>& x, bool lstm) const;
};

FixedPointEvaluator::FixedPointEvaluator(const ir::Graph& g) : impl_(std::make_unique<Impl>()) {
  g.validate();
  Impl& m = *impl_;
  m.g = g;
  m.inputs.resize(g.layers.size());
  m.prep.resize(g.layers.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < g.layers.size(); ++i) {
    const Layer& l = g.layers[i];
    index[l.name] = i;
    Impl::Prepared& pp = m.prep[i];
    pp.out = fixed_format(l, l.activation_format, "its output format");
    for (const std::string& in : l.inputs) {
      m.inputs[i].push_back(index.at(in));
      pp.in.push_back(m.prep[index.at(in)].out);
    }
    auto quant_weight = [&](const std::string& name, std::vector<int64_t>* out) {
      const ir::Param* prm = l.param(name);
      if (prm->format.precision == ir::Precision::kBinary) {
        // Binary weights ±2^−FL: the integers ±1 (sign(0) = +1) at FL — additions and subtractions only.
        for (float v : param_data(kWho, l, name)) out->push_back(v < 0 ? -1 : 1);
        return prm->format.fixed.fl;
      }
      const Fmt f = fixed_format(l, prm->format, "the format of '" + name + "'");
      for (float v : param_data(kWho, l, name)) out->push_back(fx::quantize(v, f.wl, f.fl));
      return f.fl;
    };
    auto quant_bias = [&](const std::string& name, int fl_acc, std::vector<int64_t>* out, int64_t count) {
      if (!l.bias) {
        out->assign(size_t(count), 0);
        return;
      }
      for (float v : param_data(kWho, l, name)) out->push_back(fx::quantize_bias(v, fl_acc));
    };
    switch (l.kind) {
      case LayerKind::kDense:
      case LayerKind::kConv1d:
      case LayerKind::kConv2d:
      case LayerKind::kDepthwiseConv2d:
        pp.fl_w = quant_weight("weight", &pp.w);
        quant_bias("bias", pp.in[0].fl + pp.fl_w, &pp.b, l.out_features);
        break;
      case LayerKind::kGru:
      case LayerKind::kLstm: {
        const int64_t rows = (l.kind == LayerKind::kGru ? 3 : 4) * l.out_features;
        pp.fl_w = quant_weight("weight_ih_l0", &pp.w);
        pp.fl_w2 = quant_weight("weight_hh_l0", &pp.w2);
        quant_bias("bias_ih_l0", pp.in[0].fl + pp.fl_w, &pp.b, rows);
        quant_bias("bias_hh_l0", pp.out.fl + pp.fl_w2, &pp.b2, rows);
        pp.pre = fixed_format(l, l.gate_preactivation_format, "its gate pre-activation format");
        pp.gate = fixed_format(l, l.gate_format, "its gate format");
        if (pp.gate.fl < 0) fail(kWho, l, "its gate format needs FL ≥ 0");
        if (l.kind == LayerKind::kLstm) pp.cell = fixed_format(l, l.cell_format, "its cell format");
        break;
      }
      case LayerKind::kBatchNorm: {
        // Not folded (e.g. after a binary layer): a per-channel y = s·x + t with
        // s = γ/√(σ² + ε) at the FL of the "weight" format and t at fl_x + fl_s.
        const ir::Param* gp = l.param("weight");
        const Fmt f = fixed_format(l, gp->format, "the format of its scale ('weight')");
        pp.fl_w = f.fl;
        const auto& gamma = param_data(kWho, l, "weight");
        const auto& beta = param_data(kWho, l, "bias");
        const auto& mean = param_data(kWho, l, "running_mean");
        const auto& var = param_data(kWho, l, "running_var");
        for (size_t c = 0; c < gamma.size(); ++c) {
          const double sc = double(gamma[c]) / std::sqrt(double(var[c]) + kBatchNormEps);
          pp.w.push_back(fx::quantize(sc, f.wl, f.fl));
          pp.b.push_back(fx::quantize_bias(double(beta[c]) - double(mean[c]) * sc, pp.in[0].fl + f.fl));
        }
        break;
      }
      case LayerKind::kRelu6:
        pp.clamp_lo = 0;
        pp.clamp_hi = fx::quantize(6.0, pp.in[0].wl, pp.in[0].fl);
        break;
      case LayerKind::kHardTanh:
        pp.clamp_lo = fx::quantize(l.min_value, pp.in[0].wl, pp.in[0].fl);
        pp.clamp_hi = fx::quantize(l.max_value, pp.in[0].wl, pp.in[0].fl);
        break;
      default:
        break;
    }
  }
}
FixedPointEvaluator::~FixedPointEvaluator() = default;
const ir::Graph& FixedPointEvaluator::graph() const { return impl_->g; }
int FixedPointEvaluator::output_fl() const { return impl_->prep.back().out.fl; }

Tensor<int64_t> FixedPointEvaluator::Impl::recurrent(size_t i, const Tensor<int64_t>& x, bool lstm) const {
  const Layer& l = g.layers[i];
  const Prepared& pp = prep[i];
  const int64_t T = x.shape[0], F = x.shape[1], H = l.out_features, G = lstm ? 4 : 3;
  const Fmt xf = pp.in[0], hf = pp.out, pre = pp.pre, gate = pp.gate;
  const int fl_acc_i = xf.fl + pp.fl_w, fl_acc_h = hf.fl + pp.fl_w2;
  const int64_t one = int64_t(1) << gate.fl;  // 1.0 in the gate format (may exceed its qmax; int64 holds it)
  std::vector<int64_t> h(size_t(H), 0), c(size_t(H), 0), gi(size_t(G * H)), gh(size_t(G * H));
  Tensor<int64_t> y;
  y.shape = {T, H};
  y.v.resize(size_t(T * H));
  for (int64_t t = 0; t < T; ++t) {
    const int64_t* xt = x.v.data() + t * F;
    for (int64_t r = 0; r < G * H; ++r) {
      int64_t a = pp.b[size_t(r)], b = pp.b2[size_t(r)];
      const int64_t* wi = pp.w.data() + r * F;
      const int64_t* wh = pp.w2.data() + r * H;
      for (int64_t f = 0; f < F; ++f) a += wi[f] * xt[f];
      for (int64_t k = 0; k < H; ++k) b += wh[k] * h[size_t(k)];
      gi[size_t(r)] = fx::requantize(a, fl_acc_i, pre.wl, pre.fl);
      gh[size_t(r)] = fx::requantize(b, fl_acc_h, pre.wl, pre.fl);
    }
    for (int64_t u = 0; u < H; ++u) {
      const size_t U = size_t(u), Hs = size_t(H);
      if (!lstm) {
        const int64_t r = fx::sigmoid(fx::saturate(gi[U] + gh[U], pre.wl), pre.fl, gate.wl, gate.fl);
        const int64_t z = fx::sigmoid(fx::saturate(gi[Hs + U] + gh[Hs + U], pre.wl), pre.fl, gate.wl, gate.fl);
        // n = tanh(gi_n + r ⊙ gh_n): the sum at FL pre + gate, requantized to the pre-activation format.
        const int64_t n_acc = gi[2 * Hs + U] * one + r * gh[2 * Hs + U];
        const int64_t n_pre = fx::requantize(n_acc, pre.fl + gate.fl, pre.wl, pre.fl);
        const int64_t n = fx::tanh(n_pre, pre.fl, gate.wl, gate.fl);
        // h = (1 − z) ⊙ n + z ⊙ h at FL F = gate + max(gate, h), then to the state format.
        const int F_ = gate.fl + std::max(gate.fl, hf.fl);
        const int64_t acc = fx::rounding_shift((one - z) * n, -(F_ - 2 * gate.fl)) +
                            fx::rounding_shift(z * h[U], -(F_ - gate.fl - hf.fl));
        h[U] = fx::requantize(acc, F_, hf.wl, hf.fl);
      } else {
        int64_t s[4];
        for (size_t k = 0; k < 4; ++k) s[k] = fx::saturate(gi[k * Hs + U] + gh[k * Hs + U], pre.wl);
        const int64_t ig = fx::sigmoid(s[0], pre.fl, gate.wl, gate.fl);
        const int64_t fg = fx::sigmoid(s[1], pre.fl, gate.wl, gate.fl);
        const int64_t gg = fx::tanh(s[2], pre.fl, gate.wl, gate.fl);
        const int64_t og = fx::sigmoid(s[3], pre.fl, gate.wl, gate.fl);
        const Fmt cf = pp.cell;
        const int F_ = gate.fl + std::max(gate.fl, cf.fl);
        const int64_t acc = fx::rounding_shift(fg * c[U], -(F_ - gate.fl - cf.fl)) +
                            fx::rounding_shift(ig * gg, -(F_ - 2 * gate.fl));
        c[U] = fx::requantize(acc, F_, cf.wl, cf.fl);
        const int64_t tc = fx::tanh(c[U], cf.fl, gate.wl, gate.fl);
        h[U] = fx::requantize(og * tc, 2 * gate.fl, hf.wl, hf.fl);
      }
    }
    std::copy(h.begin(), h.end(), y.v.begin() + t * H);
  }
  return y;
}

Tensor<int64_t> FixedPointEvaluator::Impl::layer(size_t i, const std::vector<const Tensor<int64_t>*>& in,
                                                 const float* sample) const {
  const Layer& l = g.layers[i];
  const Prepared& pp = prep[i];
  const Fmt out = pp.out;
  // Re-expresses a value of format `from` in the output format (identity when equal).
  auto convert = [&](int64_t q, const Fmt& from) { return fx::requantize(q, from.fl, out.wl, out.fl); };
  auto convert_all = [&](Tensor<int64_t> t, const Fmt& from) {
    if (from.fl != out.fl || from.wl != out.wl)
      for (int64_t& q : t.v) q = convert(q, from);
    return t;
  };
  Tensor<int64_t> y;
  switch (l.kind) {
    case LayerKind::kInput:
      y.shape = g.input_shape;
      y.v.resize(size_t(numel(y.shape)));
      for (size_t k = 0; k < y.v.size(); ++k) y.v[k] = fx::quantize(double(sample[k]), out.wl, out.fl);
      return y;
    case LayerKind::kDense: {
      const int64_t n = l.in_features;
      const int fl_acc = pp.in[0].fl + pp.fl_w;
      y.shape = {l.out_features};
      y.v.resize(size_t(l.out_features));
      for (int64_t o = 0; o < l.out_features; ++o) {
        int64_t a = pp.b[size_t(o)];
        const int64_t* wr = pp.w.data() + o * n;
        for (int64_t k = 0; k < n; ++k) a += wr[k] * in[0]->v[size_t(k)];
        y.v[size_t(o)] = fx::requantize(a, fl_acc, out.wl, out.fl);
      }
      return y;
    }
    case LayerKind::kConv1d:
    case LayerKind::kConv2d:
    case LayerKind::kDepthwiseConv2d: {
      const Window win = window_of(l, in[0]->shape, false);
      const int fl_acc = pp.in[0].fl + pp.fl_w;
      y.shape = l.output_shape;
      y.v.assign(size_t(numel(y.shape)), 0);
      const int64_t plane = win.oh * win.ow;
      for (int64_t o = 0; o < l.out_features; ++o)
        std::fill(y.v.begin() + o * plane, y.v.begin() + (o + 1) * plane, pp.b[size_t(o)]);
      convolve(win, l.out_features, l.groups, in[0]->v.data(), pp.w.data(), y.v.data());
      for (int64_t& a : y.v) a = fx::requantize(a, fl_acc, out.wl, out.fl);
      return y;
    }
    case LayerKind::kMaxPool1d:
    case LayerKind::kMaxPool2d: {
      const Window win = window_of(l, in[0]->shape, true);
      y.shape = l.output_shape;
      y.v.resize(size_t(numel(y.shape)));
      pool(win, in[0]->v.data(), y.v.data(), false);
      return convert_all(std::move(y), pp.in[0]);
    }
    case LayerKind::kAvgPool2d:
    case LayerKind::kGlobalAvgPool:
    case LayerKind::kMeanOverTime: {
      // Integer sum, then sum / count rounded once into the output format (double
      // division is correctly rounded, so every implementation gets the same value).
      std::vector<int64_t> sums;
      int64_t count = 1;
      if (l.kind == LayerKind::kAvgPool2d) {
        const Window win = window_of(l, in[0]->shape, true);
        y.shape = l.output_shape;
        sums.resize(size_t(numel(y.shape)));
        pool(win, in[0]->v.data(), sums.data(), true);
        count = win.kh * win.kw;
      } else if (l.kind == LayerKind::kGlobalAvgPool) {
        const int64_t c = in[0]->shape[0];
        count = numel(in[0]->shape) / c;
        y.shape = {c};
        sums.assign(size_t(c), 0);
        for (int64_t k = 0; k < c; ++k)
          for (int64_t j = 0; j < count; ++j) sums[size_t(k)] += in[0]->v[size_t(k * count + j)];
      } else {
        const int64_t T = in[0]->shape[0], F = in[0]->shape[1];
        count = T;
        y.shape = {F};
        sums.assign(size_t(F), 0);
        for (int64_t t = 0; t < T; ++t)
          for (int64_t f = 0; f < F; ++f) sums[size_t(f)] += in[0]->v[size_t(t * F + f)];
      }
      y.v.resize(sums.size());
      for (size_t k = 0; k < sums.size(); ++k)
        y.v[k] = fx::quantize(std::ldexp(double(sums[k]) / double(count), -pp.in[0].fl), out.wl, out.fl);
      return y;
    }
    case LayerKind::kGru:
    case LayerKind::kLstm:
      return recurrent(i, *in[0], l.kind == LayerKind::kLstm);
    case LayerKind::kRelu:
      y = *in[0];
      for (int64_t& q : y.v) q = q > 0 ? q : 0;
      return convert_all(std::move(y), pp.in[0]);
    case LayerKind::kRelu6:
    case LayerKind::kHardTanh:
      y = *in[0];
      for (int64_t& q : y.v) q = std::min(std::max(q, pp.clamp_lo), pp.clamp_hi);
      return convert_all(std::move(y), pp.in[0]);
    case LayerKind::kSign: {
      y = *in[0];
      const int64_t plus = fx::quantize(1.0, out.wl, out.fl), minus = fx::quantize(-1.0, out.wl, out.fl);
      for (int64_t& q : y.v) q = q >= 0 ? plus : minus;
      return y;
    }
    case LayerKind::kSoftmax: {
      y = *in[0];
      const int64_t last = y.shape.back(), rows = numel(y.shape) / last;
      std::vector<double> e(static_cast<size_t>(last));
      for (int64_t r = 0; r < rows; ++r) {
        int64_t* row = y.v.data() + r * last;
        const int64_t mx = *std::max_element(row, row + last);
        double s = 0;
        for (int64_t k = 0; k < last; ++k) s += (e[size_t(k)] = std::exp(fx::dequantize(row[k] - mx, pp.in[0].fl)));
        for (int64_t k = 0; k < last; ++k) row[k] = fx::quantize(e[size_t(k)] / s, out.wl, out.fl);
      }
      return y;
    }
    case LayerKind::kDropout:
      return convert_all(*in[0], pp.in[0]);
    case LayerKind::kFlatten:
    case LayerKind::kReshape:
      y = *in[0];
      y.shape = l.output_shape;
      return convert_all(std::move(y), pp.in[0]);
    case LayerKind::kTranspose:
      return convert_all(transpose(*in[0], l.perm), pp.in[0]);
    case LayerKind::kSlice:
      return convert_all(slice(*in[0], l.axis, l.begin, l.end), pp.in[0]);
    case LayerKind::kConcat: {
      std::vector<Tensor<int64_t>> converted;
      converted.reserve(in.size());
      for (size_t k = 0; k < in.size(); ++k) converted.push_back(convert_all(*in[k], pp.in[k]));
      std::vector<const Tensor<int64_t>*> ptrs;
      for (const auto& t : converted) ptrs.push_back(&t);
      return concat(ptrs, l.axis);
    }
    case LayerKind::kAdd: {
      // Aligned to the largest FL of the inputs (exact left shifts), summed, requantized once.
      int F_ = pp.in[0].fl;
      for (const Fmt& f : pp.in) F_ = std::max(F_, f.fl);
      y.shape = in[0]->shape;
      y.v.assign(in[0]->v.size(), 0);
      for (size_t k = 0; k < in.size(); ++k)
        for (size_t j = 0; j < y.v.size(); ++j) y.v[j] += fx::rounding_shift(in[k]->v[j], -(F_ - pp.in[k].fl));
      for (int64_t& a : y.v) a = fx::requantize(a, F_, out.wl, out.fl);
      return y;
    }
    case LayerKind::kBatchNorm: {
      y = *in[0];
      const int64_t c = y.shape[0], per = numel(y.shape) / c;
      const int fl_acc = pp.in[0].fl + pp.fl_w;
      for (int64_t k = 0; k < c; ++k)
        for (int64_t j = 0; j < per; ++j) {
          int64_t& q = y.v[size_t(k * per + j)];
          q = fx::requantize(q * pp.w[size_t(k)] + pp.b[size_t(k)], fl_acc, out.wl, out.fl);
        }
      return y;
    }
  }
  fail(kWho, l, "unsupported layer kind");
}

std::vector<int64_t> FixedPointEvaluator::run(const float* sample) const {
  const Impl& m = *impl_;
  std::vector<Tensor<int64_t>> out(m.g.layers.size());
  std::vector<size_t> last_use(m.g.layers.size(), 0);
  for (size_t i = 0; i < m.g.layers.size(); ++i)
    for (size_t j : m.inputs[i]) last_use[j] = i;
  for (size_t i = 0; i < m.g.layers.size(); ++i) {
    std::vector<const Tensor<int64_t>*> in;
    for (size_t j : m.inputs[i]) in.push_back(&out[j]);
    out[i] = m.layer(i, in, sample);
    for (size_t j : m.inputs[i])
      if (last_use[j] == i) std::vector<int64_t>().swap(out[j].v);
  }
  return out.back().v;
}

FixedPointOutputs evaluate_fixed_point(const ir::Graph& g, const float* inputs, int64_t n) {
  FixedPointEvaluator ev(g);
  FixedPointOutputs r;
  r.samples = n;
  r.output_fl = ev.output_fl();
  const int64_t per = numel(g.input_shape);
  for (int64_t s = 0; s < n; ++s) {
    std::vector<int64_t> y = ev.run(inputs + s * per);
    r.classes = int64_t(y.size());
    int64_t best = 0;
    for (size_t k = 0; k < y.size(); ++k) {
      if (y[k] > y[size_t(best)]) best = int64_t(k);
      r.raw.push_back(y[k]);
      r.logits.push_back(fx::dequantize(y[k], r.output_fl));
    }
    r.predictions.push_back(best);
  }
  return r;
}

}  // namespace slimlab::compress::quant
