// FixedPointEvaluator: a walk over the graph that runs every layer with slimrt's
// reference kernels (deploy/runtime/kernels/ref), bound as the exporter binds the
// layer's .slim op and the interpreter binds that op's Args — so the evaluation is
// slimrt's arithmetic by construction; nothing here computes a layer itself.
//
// Every tensor is int16 storage (word lengths ≤ 16; slimrt keeps a tensor of ≤ 8 bits
// in int8, the same integers — its reference kernels accumulate in int64 either way).
// Weights are quantized as the exporter writes them: fixed::quantize to the weight
// format, int32 biases fixed::quantize_bias at fl_x + fl_w, binary weights packed as
// slimrt/bitpack.h with their FL added to the accumulator's, an unfolded BN as a
// per-channel 1×1 depthwise convolution of s = γ/√(σ² + ε) and t = β − μ·s.
// Layers that keep their input's format run in it, then a Requantize to the layer's
// format (an identity after calibration), as the exporter's same-format ops. A batch
// norm that folds into the requantization of the dense / conv before it (fold_requant.h)
// runs inside that layer's kernel (kernels::ChannelRequant), in the BN's format.
#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "compress/quant/fold_batchnorm.h"
#include "compress/quant/fold_requant.h"
#include "compress/quant/graph_eval.h"
#include "compress/quant/graph_walk.h"
#include "compress/quant/op_rules.h"
#include "kernels/ref/ref.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"

namespace slimlab::compress::quant {

namespace fx = slimrt::fixed;
namespace k = slimrt::kernels;
using ir::Layer;
using ir::LayerKind;

namespace {

using Q = int16_t;
const char* const kWho = "fixed-point evaluation";

struct Fmt {
  int wl = 0, fl = 0;
  bool operator!=(const Fmt& o) const { return wl != o.wl || fl != o.fl; }
};

struct QTensor {
  Shape shape;
  Fmt f;
  std::vector<Q> v;
};

using Inputs = std::vector<const QTensor*>;
// One layer bound to its kernel: run(inputs, y) fills y (shape and format set, values sized).
using Step = std::function<void(const Inputs&, QTensor&)>;

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

k::FixedFormats formats(Fmt x, int fl_w, Fmt y) {
  k::FixedFormats q;
  q.fl_x = x.fl;
  q.fl_w = fl_w;
  q.fl_y = y.fl;
  q.wl_y = y.wl;
  return q;
}

QTensor requantized(const QTensor& x, Fmt to) {
  QTensor y{x.shape, to, std::vector<Q>(x.v.size())};
  k::RequantizeArgs a;
  a.count = int64_t(x.v.size());
  a.x = x.v.data();
  a.x_bits = a.y_bits = 16;
  a.y = y.v.data();
  a.q = formats(x.f, 0, to);
  k::ref::requantize(a);
  return y;
}

// ---- weights as the exporter writes them ----

struct Weights {
  std::vector<Q> q;         // fixed point (binary RNN weights: ±1)
  std::vector<uint64_t> bits;  // binary dense / conv: packed rows (bitpack.h)
  int fl = 0;               // FL of the values; binary: the FL of ±2^−FL
  bool binary = false;
};

Weights quantize_weight(const Layer& l, const std::string& name, bool pack) {
  const ir::Param* p = l.param(name);
  const std::vector<float>& v = param_data(kWho, l, name);
  Weights w;
  if (p && p->format.precision == ir::Precision::kBinary) {
    w.binary = true;
    w.fl = p->format.fixed.fl;
    if (!pack) {
      for (float x : v) w.q.push_back(x < 0 ? -1 : 1);  // sign(0) = +1
      return w;
    }
    const size_t rows = size_t(p->shape.at(0)), per = v.size() / rows, words = slimrt::bits::words_for(per);
    w.bits.assign(rows * words, 0);
    for (size_t r = 0; r < rows; ++r) slimrt::bits::pack_row(v.data() + r * per, per, w.bits.data() + r * words);
    return w;
  }
  const Fmt f = fixed_format(l, p->format, "the format of '" + name + "'");
  w.fl = f.fl;
  for (float x : v) w.q.push_back(Q(fx::quantize(double(x), f.wl, f.fl)));
  return w;
}

// int32 at fl_acc; empty when the layer has no bias (the kernels read null as 0).
std::vector<int32_t> quantize_bias(const Layer& l, const std::string& name, int fl_acc) {
  std::vector<int32_t> b;
  if (!l.bias || !l.param(name)) return b;
  for (float x : param_data(kWho, l, name)) b.push_back(fx::quantize_bias(double(x), fl_acc));
  return b;
}

const void* bias_ptr(const std::vector<int32_t>& b) { return b.empty() ? nullptr : b.data(); }

// ---- shapes ----

k::PoolShape pool_shape(const Layer& l, const Shape& in) {
  for (int64_t d : l.dilation)
    if (d != 1) fail(kWho, l, "slimrt pools without dilation");
  const k::ConvShape w = window_shape(l, in, /*pooling=*/true);
  // PoolShape's fields in order: batch, channels, in, out, kernel, stride, padding, count_include_pad.
  return k::PoolShape{1,          w.in_c,     w.in_h,     w.in_w,     w.out_h(),  w.out_w(),     w.kernel_h, w.kernel_w,
                      w.stride_h, w.stride_w, w.pad_top,  w.pad_left, w.pad_bottom, w.pad_right, true};
}

// ---- binding: one layer → its kernel and Args ----

// A kernel with weights w (fixed point or packed bits), an int32 bias b (may be empty)
// and a folded batch norm rq (empty: none).
template <class A, class W>
Step weighted_step(const A& a, std::vector<W> w, std::vector<int32_t> b, void (*kernel)(const A&),
                   ChannelRequantParams rq = {}) {
  return [a, w = std::move(w), b = std::move(b), kernel, rq = std::move(rq)](const Inputs& in, QTensor& y) {
    A c = a;
    c.w = w.data();
    c.bias = bias_ptr(b);
    if (!rq.mult.empty()) c.rq = {rq.mult.data(), rq.offset.data(), rq.fl_mult};
    c.x = in[0]->v.data();
    c.y = y.v.data();
    kernel(c);
  };
}

// A kernel of one input and no weights.
template <class A>
Step unary_step(const A& a, void (*kernel)(const A&)) {
  return [a, kernel](const Inputs& in, QTensor& y) {
    A c = a;
    c.x = in[0]->v.data();
    c.y = y.v.data();
    kernel(c);
  };
}

Step copy_step() {
  return [](const Inputs& in, QTensor& y) { std::copy(in[0]->v.begin(), in[0]->v.end(), y.v.begin()); };
}

class Binder {
 public:
  // folded_bn: a batch norm folding into this dense / conv (out is then the BN's format).
  Binder(const Layer& l, std::vector<Fmt> in, std::vector<const Shape*> in_shapes, Fmt out, const Layer* folded_bn)
      : l_(l), in_(std::move(in)), shapes_(std::move(in_shapes)), out_(out), bn_(folded_bn) {}

  Step bind() {
    if (const ElementwiseOp* e = elementwise_op(l_)) return elementwise(*e);
    switch (l_.kind) {
      case LayerKind::kDense: return dense();
      case LayerKind::kConv1d:
      case LayerKind::kConv2d:
      case LayerKind::kDepthwiseConv2d: return conv();
      case LayerKind::kBatchNorm: return batch_norm();
      case LayerKind::kGru:
      case LayerKind::kLstm: return recurrent();
      case LayerKind::kMaxPool1d:
      case LayerKind::kMaxPool2d:
      case LayerKind::kAvgPool2d: return pool();
      case LayerKind::kGlobalAvgPool:
      case LayerKind::kMeanOverTime: return reduce_mean();
      case LayerKind::kSoftmax:
      case LayerKind::kLogSoftmax: return softmax();
      case LayerKind::kAdd:
      case LayerKind::kMul:
      case LayerKind::kSub:
      case LayerKind::kDiv: return add();
      case LayerKind::kTranspose:
      case LayerKind::kSlice:
      case LayerKind::kReverse:
      case LayerKind::kConcat: return move();
      case LayerKind::kDropout:
      case LayerKind::kFlatten:
      case LayerKind::kReshape:
        return copy_step();
      default: break;
    }
    fail(kWho, l_, "has no slimrt kernel");
  }

 private:
  Step dense() {
    Weights w = quantize_weight(l_, "weight", true);
    std::vector<int32_t> b = quantize_bias(l_, "bias", in_[0].fl + w.fl);
    const k::DenseShape s{1, int(l_.in_features), int(l_.out_features)};
    if (w.binary) {
      // ±2^−FL weights: the kernel adds ±x; the accumulator's FL, fl_x + FL, goes in as
      // fl_x (the interpreter's rule).
      k::DenseBcArgs<Q> a;
      a.s = s;
      a.q = formats(Fmt{0, in_[0].fl + w.fl}, 0, out_);
      return weighted_step(a, std::move(w.bits), std::move(b), &k::ref::dense_bc_fixed<Q>, folded(in_[0].fl + w.fl));
    }
    k::DenseArgs<Q> a;
    a.s = s;
    a.q = formats(in_[0], w.fl, out_);
    return weighted_step(a, std::move(w.q), std::move(b), &k::ref::dense_fixed<Q>, folded(in_[0].fl + w.fl));
  }

  Step conv() {
    Weights w = quantize_weight(l_, "weight", true);
    std::vector<int32_t> b = quantize_bias(l_, "bias", in_[0].fl + w.fl);
    const k::ConvShape s = window_shape(l_, *shapes_[0], /*pooling=*/false);
    if (w.binary) {
      k::ConvBcArgs<Q> a;
      a.s = s;
      a.q = formats(Fmt{0, in_[0].fl + w.fl}, 0, out_);
      return weighted_step(a, std::move(w.bits), std::move(b), &k::ref::conv_bc_fixed<Q>, folded(in_[0].fl + w.fl));
    }
    return conv_step(s, std::move(w.q), w.fl, std::move(b), folded(in_[0].fl + w.fl));
  }

  Step conv_step(const k::ConvShape& s, std::vector<Q> w, int fl_w, std::vector<int32_t> b,
                 ChannelRequantParams rq = {}) const {
    k::ConvArgs<Q> a;
    a.s = s;
    a.q = formats(in_[0], fl_w, out_);
    return weighted_step(a, std::move(w), std::move(b), &k::ref::conv_fixed<Q>, std::move(rq));
  }

  // The folded batch norm's multiplier and offset for an accumulator at fl_acc (none: empty).
  ChannelRequantParams folded(int fl_acc) const { return bn_ ? channel_requant(*bn_, fl_acc) : ChannelRequantParams{}; }

  // Not folded (after a pool, after binary weights): y = s·x + t per channel as a 1×1
  // depthwise convolution over [C, 1, inner] (the exporter's Conv1d with groups = C).
  Step batch_norm() {
    const Fmt fs = fixed_format(l_, l_.param("weight") ? l_.param("weight")->format : ir::NumericFormat{},
                                "the format of its scale ('weight')");
    ChannelRequantParams p = channel_requant(l_, in_[0].fl);
    std::vector<Q> w(p.mult.begin(), p.mult.end());
    k::ConvShape s;
    s.in_c = s.out_c = s.groups = int(w.size());
    s.in_w = int(numel(*shapes_[0]) / int64_t(w.size()));
    return conv_step(s, std::move(w), fs.fl, std::move(p.offset));
  }

  Step recurrent() {
    const bool lstm = l_.kind == LayerKind::kLstm;
    Weights wi = quantize_weight(l_, "weight_ih_l0", false), wh = quantize_weight(l_, "weight_hh_l0", false);
    std::vector<int32_t> bi = quantize_bias(l_, "bias_ih_l0", in_[0].fl + wi.fl);
    std::vector<int32_t> bh = quantize_bias(l_, "bias_hh_l0", out_.fl + wh.fl);
    const Fmt pre = fixed_format(l_, l_.gate_preactivation_format, "its gate pre-activation format");
    const Fmt gate = fixed_format(l_, l_.gate_format, "its gate format");
    if (gate.fl < 0) fail(kWho, l_, "its gate format needs FL ≥ 0");
    const Fmt cell = lstm ? fixed_format(l_, l_.cell_format, "its cell format") : Fmt{16, 0};
    k::RnnArgs<Q> a;
    a.steps = int((*shapes_[0])[0]);
    a.input = int((*shapes_[0])[1]);
    a.hidden = int(l_.out_features);
    a.q.fl_x = in_[0].fl;
    a.q.fl_w_ih = wi.fl;
    a.q.fl_w_hh = wh.fl;
    a.q.fl_h = out_.fl;
    a.q.wl_h = out_.wl;
    a.q.fl_pre = pre.fl;
    a.q.wl_pre = pre.wl;
    a.q.fl_gate = gate.fl;
    a.q.wl_gate = gate.wl;
    a.q.fl_c = cell.fl;
    a.q.wl_c = cell.wl;
    return [a, lstm, wi = std::move(wi.q), wh = std::move(wh.q), bi = std::move(bi), bh = std::move(bh)](
               const Inputs& in, QTensor& y) {
      auto c = a;
      std::vector<int32_t> cell(size_t(c.hidden));  // the LSTM cell (rnn_fixed_scratch)
      c.w_ih = wi.data(), c.w_hh = wh.data(), c.b_ih = bias_ptr(bi), c.b_hh = bias_ptr(bh);
      c.x = in[0]->v.data(), c.y = y.v.data(), c.ws.scratch = cell.data();
      lstm ? k::ref::lstm_fixed(c) : k::ref::gru_fixed(c);
    };
  }

  Step pool() {
    k::PoolArgs<Q> a;
    a.s = pool_shape(l_, *shapes_[0]);
    a.q = formats(in_[0], 0, out_);
    return unary_step(a, l_.kind == LayerKind::kAvgPool2d ? &k::ref::avg_pool<Q> : &k::ref::max_pool<Q>);
  }

  Step reduce_mean() {  // global avg pool [C, S] → [C]; mean over time [T, F] → [F]
    k::ReduceMeanArgs<Q> a;
    a.outer = int((*shapes_[0])[0]);
    a.inner = int(numel(*shapes_[0]) / (*shapes_[0])[0]);
    a.q = formats(in_[0], 0, out_);
    return unary_step(a, l_.kind == LayerKind::kGlobalAvgPool ? &k::ref::global_avg_pool<Q>
                                                                : &k::ref::mean_over_time<Q>);
  }

  Step softmax() {
    k::SoftmaxArgsT<Q> a;
    a.cols = int(shapes_[0]->back());
    a.rows = int(numel(*shapes_[0]) / shapes_[0]->back());
    a.q = formats(in_[0], 0, out_);
    a.log = l_.kind == LayerKind::kLogSoftmax;
    return unary_step(a, &k::ref::softmax<Q>);
  }

  Step add() {  // and mul, sub, div: slimrt's reference kernel of the op
    if (in_.size() != 2) fail(kWho, l_, "slimrt adds exactly two inputs");
    k::AddArgs<Q> a;
    a.q = formats(in_[0], 0, out_);
    a.q.fl_x2 = in_[1].fl;
    if (!k::make_broadcast(*shapes_[0], *shapes_[1], l_.output_shape, a.bc))  // as slimrt's binding (ops/add.cpp)
      fail(kWho, l_, "inputs " + ir::to_string(*shapes_[0]) + " and " + ir::to_string(*shapes_[1]) +
                         " do not broadcast to " + ir::to_string(l_.output_shape));
    const LayerKind kind = l_.kind;
    void (*fn)(const k::AddArgs<Q>&) = kind == LayerKind::kMul   ? &k::ref::mul<Q>
                                       : kind == LayerKind::kSub ? &k::ref::sub<Q>
                                       : kind == LayerKind::kDiv ? &k::ref::div<Q>
                                                                 : &k::ref::add<Q>;
    return [a, fn](const Inputs& in, QTensor& y) {
      auto c = a;
      c.count = int64_t(y.v.size()), c.x = in[0]->v.data(), c.x2 = in[1]->v.data(), c.y = y.v.data();
      fn(c);
    };
  }

  // Transpose, slice and reverse in the input's format; concat of the inputs requantized to the layer's.
  Step move() {
    const Layer& l = l_;
    const Fmt out = out_;
    return [&l, out](const Inputs& in, QTensor& y) {
      std::vector<QTensor> converted;
      converted.reserve(in.size());
      std::vector<const Shape*> shapes;
      std::vector<const void*> x;
      for (const QTensor* t : in) {
        if (l.kind == LayerKind::kConcat && t->f != out) t = &converted.emplace_back(requantized(*t, out));
        shapes.push_back(&t->shape);
        x.push_back(t->v.data());
      }
      move_values(l, shapes, x, y.v.data(), int(sizeof(Q)));
    };
  }

  // A unary activation: slimrt's kernel of the op's name (registered with ActivationArgs).
  Step elementwise(const ElementwiseOp& e) {
    const char* name = slimrt::op_info(e.op).name;
    k::Op op;
    if (!k::parse_op(name, &op)) fail(kWho, l_, std::string("slimrt has no kernel op '") + name + "' in this build");
    const k::Kernel* kernel = k::reference_kernel(op, k::Precision::kI16);
    if (!kernel) fail(kWho, l_, std::string("slimrt has no reference kernel ") + name + "/i16");
    k::ActivationArgs<Q> a;
    a.min_value = l_.min_value;
    a.max_value = l_.max_value;
    a.p = {l_.alpha, l_.beta};
    a.q = formats(in_[0], 0, e.format == FormatRule::kKeepsInput ? in_[0] : out_);
    return [a, kernel](const Inputs& in, QTensor& y) {
      auto c = a;
      c.count = int64_t(y.v.size()), c.x = in[0]->v.data(), c.y = y.v.data();
      k::run(*kernel, &c);
    };
  }

  const Layer& l_;
  std::vector<Fmt> in_;
  std::vector<const Shape*> shapes_;
  Fmt out_;
  const Layer* bn_ = nullptr;
};

}  // namespace

struct FixedPointEvaluator::Impl {
  ir::Graph g;
  GraphWalk walk;
  std::vector<Fmt> fmt;       // each layer's format
  std::vector<Fmt> produced;  // the format its kernel writes (its input's for kKeepsInput layers)
  std::vector<Step> steps;
  explicit Impl(const ir::Graph& graph) : g((graph.validate(), graph)), walk(g) {}
};

FixedPointEvaluator::FixedPointEvaluator(const ir::Graph& g) : impl_(std::make_unique<Impl>(g)) {
  Impl& m = *impl_;
  // Batch norms folding into the layer before them: that layer computes the BN's
  // output in the BN's format, the BN copies it.
  std::vector<const Layer*> folds_in(m.g.layers.size(), nullptr);
  std::vector<bool> folded(m.g.layers.size(), false);
  for (size_t i = 0; i < m.g.layers.size(); ++i)
    if (const Layer* p = requant_fold_producer(m.g, m.g.layers[i])) {
      folds_in[size_t(p - m.g.layers.data())] = &m.g.layers[i];
      folded[i] = true;
    }
  for (size_t i = 0; i < m.g.layers.size(); ++i) {
    const Layer& l = m.g.layers[i];
    const Layer& fl = folds_in[i] ? *folds_in[i] : l;
    m.fmt.push_back(fixed_format(fl, fl.activation_format, "its output format"));
    if (l.kind == LayerKind::kInput) {
      m.produced.push_back(m.fmt[i]);
      m.steps.emplace_back();
      continue;
    }
    std::vector<Fmt> in;
    std::vector<const Shape*> shapes;
    for (size_t j : m.walk.inputs[i]) {
      in.push_back(m.fmt[j]);
      shapes.push_back(&m.g.layers[j].output_shape);
    }
    m.produced.push_back(format_rule(l) == FormatRule::kKeepsInput ? in.at(0) : m.fmt[i]);
    m.steps.push_back(folded[i] ? copy_step() : Binder(l, in, shapes, m.fmt[i], folds_in[i]).bind());
  }
}
FixedPointEvaluator::~FixedPointEvaluator() = default;
const ir::Graph& FixedPointEvaluator::graph() const { return impl_->g; }
int FixedPointEvaluator::output_fl() const { return impl_->fmt.back().fl; }

std::vector<int64_t> FixedPointEvaluator::run(const float* sample) const {
  const Impl& m = *impl_;
  std::vector<QTensor> out(m.g.layers.size());
  for (size_t i = 0; i < m.g.layers.size(); ++i) {
    const Layer& l = m.g.layers[i];
    QTensor& y = out[i];
    y.shape = l.kind == LayerKind::kInput ? m.g.input_shape : l.output_shape;
    y.f = m.produced[i];
    y.v.resize(size_t(numel(y.shape)));
    if (l.kind == LayerKind::kInput) {
      k::QuantizeArgs<Q> a;
      a.count = int64_t(y.v.size()), a.x = sample, a.y = y.v.data(), a.q = formats(Fmt{}, 0, y.f);
      k::ref::quantize(a);
    } else {
      Inputs in;
      for (size_t j : m.walk.inputs[i]) in.push_back(&out[j]);
      m.steps[i](in, y);
    }
    if (y.f != m.fmt[i]) y = requantized(y, m.fmt[i]);
    for (size_t j : m.walk.inputs[i])
      if (m.walk.last_use[j] == i) std::vector<Q>().swap(out[j].v);
  }
  return std::vector<int64_t>(out.back().v.begin(), out.back().v.end());
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
    for (size_t c = 0; c < y.size(); ++c) {
      if (y[c] > y[size_t(best)]) best = int64_t(c);
      r.raw.push_back(y[c]);
      r.logits.push_back(fx::dequantize(y[c], r.output_fl));
    }
    r.predictions.push_back(best);
  }
  return r;
}

}  // namespace slimlab::compress::quant
