#pragma once
// The conformance cases: per op family and precision, deterministic random inputs on
// deliberately awkward shapes. Header-only so every backend's test (x86, NEON,
// OpenCL) runs the very same cases. Included by conformance.h users after it.
#include "conformance.h"
#include "conformance_cases_elementwise.h"  // element-wise, conversions, data movement

namespace slimrt::conformance {

namespace detail {

// A folded batch norm (ChannelRequant: per-channel multiplier at FL 6, negative ones
// included, and an offset) on a fixed-point conv / dense case.
template <class A>
void fold_batch_norm(Rng& rng, A& a, int out, std::string& label, std::vector<std::shared_ptr<AlignedBuffer>>& keep) {
  auto m = random_buffer<int32_t>(rng, size_t(out), -90, 90), off = random_buffer<int32_t>(rng, size_t(out), -(1 << 14), 1 << 14);
  a.rq.mult = m->template as<int32_t>();
  a.rq.offset = off->template as<int32_t>();
  a.rq.fl_mult = 6;
  label += " bn-folded";
  keep.push_back(m);
  keep.push_back(off);
}

inline const char* act_name(Activation a) {
  switch (a) {
    case Activation::kRelu: return "relu";
    case Activation::kRelu6: return "relu6";
    case Activation::kHardTanh: return "hardtanh";
    default: return "none";
  }
}

// Output format for fixed-point layers: fl_y chosen so that typical sums land inside
// the range and the largest ones saturate (both paths of requantize are exercised).
template <class T>
FixedFormats formats_for(int reduction, int fl_x, int fl_w) {
  FixedFormats q;
  q.fl_x = fl_x;
  q.fl_w = fl_w;
  q.wl_y = int(sizeof(T) * 8);
  // |sum| ~ sqrt(n)·2^(wl−1)·2^(wl−1) at fl_x+fl_w: aim the typical value at ~1/4 of the range.
  const double typical = std::sqrt(double(std::max(reduction, 1))) * std::ldexp(1.0, 2 * (q.wl_y - 1)) / 3.0;
  const int bits = int(std::ceil(std::log2(typical)));
  q.fl_y = fl_x + fl_w - (bits - (q.wl_y - 3));
  return q;
}

// ---- dense ------------------------------------------------------------------------
struct DenseCase { int batch, in, out; Activation act; bool extreme; };
inline std::vector<DenseCase> dense_shapes() {
  return {{1, 1, 1, Activation::kNone, false},     {1, 13, 127, Activation::kRelu, false},
          {2, 127, 13, Activation::kRelu6, false}, {1, 3072, 33, Activation::kNone, false},
          {3, 64, 16, Activation::kHardTanh, false}, {1, 300, 70, Activation::kNone, false},
          {4, 256, 128, Activation::kRelu, false}, {1, 3072, 5, Activation::kNone, true},
          {5, 600, 37, Activation::kRelu, false}};  // batched with K over one GEMM K-block (strided output)
}

template <class T>
void dense_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(1234);
  int fold = 0;
  for (const DenseCase& d : dense_shapes()) {
    std::ostringstream l;
    l << "dense b" << d.batch << " in" << d.in << " out" << d.out << " " << act_name(d.act) << (d.extreme ? " extreme" : "");
    auto c = make_case<DenseArgs<T>>(l.str());
    DenseArgs<T>& a = c->args;
    a.s = {d.batch, d.in, d.out};
    a.act = d.act;
    a.act_min = -0.5f;
    a.act_max = 0.75f;
    std::shared_ptr<AlignedBuffer> x, w, bias;
    if (d.extreme && !kIsFloat<T>) {  // every product at its maximum: the accumulator's worst case
      x = filled_buffer<T>(size_t(d.batch) * d.in, std::numeric_limits<T>::min());
      w = filled_buffer<T>(size_t(d.out) * d.in, std::numeric_limits<T>::min());
      bias = filled_buffer<int32_t>(d.out, std::numeric_limits<int32_t>::max());
    } else {
      x = random_buffer<T>(rng, size_t(d.batch) * d.in, lo_of<T>(), hi_of<T>());
      w = random_buffer<T>(rng, size_t(d.out) * d.in, lo_of<T>(), hi_of<T>());
      bias = kIsFloat<T> ? random_buffer<float>(rng, d.out) : random_buffer<int32_t>(rng, d.out, -(1 << 20), 1 << 20);
    }
    a.x = x->template as<T>();
    a.w = w->template as<T>();
    a.bias = bias->data;
    if constexpr (!kIsFloat<T>) {
      a.q = formats_for<T>(d.in, 5, 6);
      if (d.extreme) a.q.fl_y = a.q.fl_x + a.q.fl_w - 40;  // the huge sum must still come out right
    }
    c->keep = {x, w, bias};
    if (!kIsFloat<T> && fold++ % 2 == 0) fold_batch_norm(rng, a, d.out, c->label, c->keep);
    c->outputs = {{size_t(d.batch) * d.out * sizeof(T), compare_of<T>()}};
    c->bind = [](DenseArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

template <class T>
void dense_bc_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(2345);
  std::vector<DenseCase> shapes = dense_shapes();
  // The largest reduction whose int16 sums stay exact in float (simd/bc.inc: 512·2^15 = 2^24).
  shapes.push_back({1, 512, 11, Activation::kNone, true});
  int fold = 0;
  for (const DenseCase& d : shapes) {
    std::ostringstream l;
    l << "dense_bc b" << d.batch << " in" << d.in << " out" << d.out << " " << act_name(d.act);
    auto c = make_case<DenseBcArgs<T>>(l.str());
    DenseBcArgs<T>& a = c->args;
    a.s = {d.batch, d.in, d.out};
    a.act = d.act;
    auto x = d.extreme && !kIsFloat<T> ? filled_buffer<T>(size_t(d.batch) * d.in, std::numeric_limits<T>::min())
                                       : random_buffer<T>(rng, size_t(d.batch) * d.in, lo_of<T>(), hi_of<T>());
    auto w = random_bits(rng, d.out, d.in);
    auto scale = random_buffer<float>(rng, d.out, 0.1, 2.0);
    auto bias = kIsFloat<T> ? random_buffer<float>(rng, d.out) : random_buffer<int32_t>(rng, d.out, -(1 << 12), 1 << 12);
    a.x = x->template as<T>();
    a.w = w->template as<uint64_t>();
    if (kIsFloat<T> && d.batch != 2) a.scale = scale->template as<float>();  // one case without α
    a.bias = bias->data;
    if constexpr (!kIsFloat<T>) {
      a.q = formats_for<T>(d.in, 5, 0);
      a.q.fl_y = a.q.fl_x - int(std::ceil(std::log2(std::sqrt(double(d.in))))) + 1;
    }
    c->keep = {x, w, scale, bias};
    if (!kIsFloat<T> && fold++ % 2 == 0) fold_batch_norm(rng, a, d.out, c->label, c->keep);
    c->outputs = {{size_t(d.batch) * d.out * sizeof(T), compare_of<T>()}};
    c->bind = [](DenseBcArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

inline std::shared_ptr<AlignedBuffer> random_thresholds(Rng& rng, int n, int reduction) {
  auto t = std::make_shared<AlignedBuffer>(sizeof(bits::SignThreshold) * n);
  auto* p = t->as<bits::SignThreshold>();
  const double spread = std::sqrt(double(std::max(reduction, 1)));
  for (int i = 0; i < n; ++i) {
    const int kind = int(rng.integer(0, 9));
    p[i] = bits::fold_bn_sign(kind == 0 ? 0.0 : (kind <= 3 ? -1.0 : 1.0) * rng.uniform(0.5f, 2.0f),
                              rng.uniform(-1, 1), rng.uniform(-1, 1) * spread, rng.uniform(0.5f, 2.0f), 1e-5);
    if (kind == 9) p[i].threshold = std::round(p[i].threshold);  // ties: acc exactly at the threshold
  }
  return t;
}

// What every BNN case (dense, conv) shares: packed x and w, per-channel thresholds over a
// reduction of `fan_in` taps and a float affine map (scale, bias) for `channels` outputs,
// output kind 0 / 1 / 2 = bits / int32 / float, bound to the case's output buffer.
template <class A>
void bnn_inputs_and_output(Rng& rng, TypedCase<A>& c, int kind, std::shared_ptr<AlignedBuffer> x,
                           std::shared_ptr<AlignedBuffer> w, int channels, int fan_in) {
  auto th = random_thresholds(rng, channels, fan_in);
  auto scale = random_buffer<float>(rng, channels, 0.01, 1), bias = random_buffer<float>(rng, channels);
  A& a = c.args;
  a.x = x->as<uint64_t>();
  a.w = w->as<uint64_t>();
  a.out.kind = BnnOutput(kind);
  a.out.thresholds = th->as<bits::SignThreshold>();
  a.out.scale = scale->as<float>();
  a.out.bias = bias->as<float>();
  c.keep = {x, w, th, scale, bias};
  c.bind = [kind](A& a, std::vector<AlignedBuffer>& o) {
    if (kind == 0) a.out.y_bits = o[0].as<uint64_t>();
    if (kind == 1) a.out.y_i32 = o[0].as<int32_t>();
    if (kind == 2) a.out.y_f32 = o[0].as<float>();
  };
}

inline void dense_bnn_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(3456);
  struct S { int batch, in, out, extra_words; };
  const S shapes[] = {{1, 1, 1, 0},   {1, 13, 13, 0}, {2, 64, 127, 0}, {1, 65, 64, 0},  {3, 127, 65, 1},
                      {1, 3072, 33, 0}, {1, 1000, 256, 0}, {2, 4096, 128, 0}, {1, 200, 10, 2}};
  for (const S& d : shapes)
    for (int kind = 0; kind < 3; ++kind) {
      std::ostringstream l;
      l << "dense_bnn b" << d.batch << " in" << d.in << " out" << d.out << " +" << d.extra_words << "w out"
        << (kind == 0 ? "bits" : kind == 1 ? "i32" : "f32");
      auto c = make_case<DenseBnnArgs>(l.str());
      DenseBnnArgs& a = c->args;
      a.s = {d.batch, d.in, d.out};
      const size_t wpr = bits::words_for(size_t(d.in)) + d.extra_words;
      a.in_words = d.extra_words ? int(wpr) : 0;
      auto x = random_bits(rng, d.batch, d.in, wpr), w = random_bits(rng, d.out, d.in, wpr);
      bnn_inputs_and_output(rng, *c, kind, x, w, d.out, d.in);
      const size_t n = size_t(d.batch) * (kind == 0 ? bits::words_for(size_t(d.out)) * 2 : size_t(d.out));
      c->outputs = {{n * 4, kind == 2 ? Compare::kFloat : Compare::kExact}};
      out.push_back(std::move(c));
    }
}

// ---- conv -------------------------------------------------------------------------------
inline ConvShape conv(int in_c, int h, int w, int out_c, int kh, int kw, int stride = 1, int pad = 0,
                      int dil = 1, int groups = 1, int batch = 1) {
  ConvShape s;
  s.batch = batch;
  s.in_c = in_c;
  s.in_h = h;
  s.in_w = w;
  s.out_c = out_c;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.dilation_h = s.dilation_w = dil;
  s.groups = groups;
  return s;
}

inline std::vector<ConvShape> conv_shapes(Op op) {
  std::vector<ConvShape> v;
  if (op == Op::kConv1d) {
    v = {conv(1, 1, 1, 1, 1, 1),       conv(9, 1, 100, 64, 1, 5, 1, 2),  conv(64, 1, 50, 64, 1, 3),
         conv(13, 1, 127, 7, 1, 3, 2, 1, 2), conv(3072, 1, 3, 3, 1, 3, 1, 1), conv(6, 1, 40, 9, 1, 4, 1, 0, 1, 3, 2),
         conv(3, 1, 160, 10, 1, 5, 1, 2, 1, 1, 2)};  // CNN1D's first layer (the direct f32 kernel)
  } else if (op == Op::kDepthwiseConv2d) {
    v = {conv(13, 9, 11, 13, 3, 3, 1, 1, 1, 13), conv(8, 8, 8, 16, 3, 3, 2, 1, 1, 8),
         conv(127, 5, 5, 127, 3, 3, 1, 2, 2, 127), conv(1, 4, 4, 1, 2, 2, 1, 0, 1, 1)};
  } else {
    v = {conv(1, 28, 28, 20, 5, 5),         conv(20, 12, 12, 50, 5, 5),          conv(13, 7, 9, 127, 3, 3, 2, 1, 2),
         conv(3072, 3, 3, 5, 3, 3, 1, 1),   conv(4, 10, 10, 6, 3, 3, 1, 1, 1, 2), conv(1, 1, 1, 1, 1, 1),
         conv(3, 16, 16, 13, 3, 3, 1, 1, 1, 1, 2), conv(64, 8, 8, 64, 1, 1),
         conv(1, 28, 28, 3, 5, 5),  // a DeepIoT-pruned first layer: 3 filters (GEMM, padded panel)
         conv(2, 20, 37, 7, 3, 3, 1, 1, 1, 1, 2),  // direct f32: a shifted last column block, 4 + 3 channels
         conv(1, 12, 21, 11, 3, 3, 1, 0),  // direct f32, a row narrower than 3 vectors (19 columns: 1–2 vectors), 8 + 3 channels
         conv(16, 9, 11, 24, 3, 3, 1, 1, 1, 1, 2),  // Winograd f32: odd sizes (partial tiles), batch 2
         conv(32, 6, 7, 17, 3, 3, 1, 0)};          // Winograd without padding, out_c not a multiple of MR
    ConvShape asym = conv(5, 9, 7, 8, 3, 2, 1, 0);
    asym.pad_top = 0;
    asym.pad_bottom = 2;
    asym.pad_left = 1;
    asym.stride_h = 2;
    v.push_back(asym);
  }
  return v;
}

inline std::string conv_label(const char* what, const ConvShape& s) {
  std::ostringstream l;
  l << what << " b" << s.batch << " " << s.in_c << "x" << s.in_h << "x" << s.in_w << " -> " << s.out_c << " k"
    << s.kernel_h << "x" << s.kernel_w << " s" << s.stride_h << "x" << s.stride_w << " p" << s.pad_top << ","
    << s.pad_left << "," << s.pad_bottom << "," << s.pad_right << " d" << s.dilation_h << " g" << s.groups;
  return l.str();
}

// The cases of one convolution family (Args = ConvArgs<T> or ConvBcArgs<T>): every
// shape of conv_shapes(op) with the activations in turn and a random input; fill(rng,
// a, keep, red, i) draws the weights, bias and formats; every other fixed-point case
// folds a batch norm into the epilogue.
template <class Args, class T, class Fill>
void conv_family_cases(Op op, int seed, const char* what, std::vector<std::unique_ptr<Case>>& out, Fill&& fill) {
  Rng rng(seed + int(op));
  int i = 0;
  for (const ConvShape& s : conv_shapes(op)) {
    const Activation act = Activation(i++ % 4);
    auto c = make_case<Args>(conv_label(what, s) + " " + act_name(act));
    Args& a = c->args;
    a.s = s;
    a.act = act;
    const int red = s.in_c / s.groups * s.kernel_h * s.kernel_w;
    auto x = random_buffer<T>(rng, size_t(s.batch) * s.in_c * s.in_h * s.in_w, lo_of<T>(), hi_of<T>());
    a.x = x->template as<T>();
    c->keep = {x};
    fill(rng, a, c->keep, red, i);
    if (!kIsFloat<T> && i % 2 == 1) fold_batch_norm(rng, a, s.out_c, c->label, c->keep);
    c->outputs = {{size_t(s.batch) * s.out_c * s.out_h() * s.out_w() * sizeof(T), compare_of<T>()}};
    c->bind = [](Args& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

template <class T>
void conv_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  conv_family_cases<ConvArgs<T>, T>(op, 4567, "conv", out, [](Rng& rng, ConvArgs<T>& a, auto& keep, int red, int i) {
    auto w = random_buffer<T>(rng, size_t(a.s.out_c) * red, lo_of<T>(), hi_of<T>());
    auto bias =
        kIsFloat<T> ? random_buffer<float>(rng, a.s.out_c) : random_buffer<int32_t>(rng, a.s.out_c, -(1 << 20), 1 << 20);
    a.w = w->template as<T>();
    a.bias = bias->data;
    if constexpr (!kIsFloat<T>) {
      a.q = formats_for<T>(red, 6, 7);
      if (i == 2) a.q.fl_y = a.q.fl_x + a.q.fl_w + 1;  // a left shift: requantize's other branch
    }
    keep.insert(keep.end(), {w, bias});
  });
}

// Exactness of fixed-point conv sums where the random cases' requantization would hide
// an off-by-one: values in {−1, 0, 1}, no bias, shift 0 (y = the sum, clamped), so every
// int32 sum shows in the output. Shapes of the int8 Winograd kernel and of the GEMM.
template <class T>
void conv_exact_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  if (op != Op::kConv2d || kIsFloat<T>) return;
  Rng rng(8901);
  for (const ConvShape& s : {conv(16, 9, 11, 24, 3, 3, 1, 1, 1, 1, 2), conv(48, 6, 7, 13, 3, 3, 1, 0)}) {
    auto c = make_case<ConvArgs<T>>(conv_label("conv exact", s));
    ConvArgs<T>& a = c->args;
    a.s = s;
    const int red = s.in_c * s.kernel_h * s.kernel_w;
    auto x = random_buffer<T>(rng, size_t(s.batch) * s.in_c * s.in_h * s.in_w, -1, 1);
    auto w = random_buffer<T>(rng, size_t(s.out_c) * red, -1, 1);
    a.x = x->template as<T>();
    a.w = w->template as<T>();
    a.q.fl_x = 0;
    a.q.fl_w = 0;
    a.q.fl_y = 0;
    a.q.wl_y = int(sizeof(T) * 8);
    c->keep = {x, w};
    c->outputs = {{size_t(s.batch) * s.out_c * s.out_h() * s.out_w() * sizeof(T), Compare::kExact}};
    c->bind = [](ConvArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

template <class T>
void conv_bc_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  conv_family_cases<ConvBcArgs<T>, T>(op, 5678, "conv_bc", out, [](Rng& rng, ConvBcArgs<T>& a, auto& keep, int red, int) {
    auto w = random_bits(rng, a.s.out_c, red);
    auto scale = random_buffer<float>(rng, a.s.out_c, 0.1, 2);
    auto bias =
        kIsFloat<T> ? random_buffer<float>(rng, a.s.out_c) : random_buffer<int32_t>(rng, a.s.out_c, -(1 << 12), 1 << 12);
    a.w = w->template as<uint64_t>();
    if (kIsFloat<T>) a.scale = scale->template as<float>();
    a.bias = bias->data;
    if constexpr (!kIsFloat<T>) {
      a.q = formats_for<T>(red, 4, 0);
      a.q.fl_y = a.q.fl_x - int(std::ceil(std::log2(std::sqrt(double(red))))) + 1;
    }
    keep.insert(keep.end(), {w, scale, bias});
  });
}

inline void conv_bnn_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(6789 + int(op));
  std::vector<ConvShape> shapes;
  for (const ConvShape& s : conv_shapes(op))
    if (s.groups == 1) shapes.push_back(s);
  if (op == Op::kConv2d) {
    shapes.push_back(conv(64, 8, 8, 64, 3, 3, 1, 1));
    shapes.push_back(conv(128, 6, 6, 65, 3, 3, 1, 1, 1, 1, 2));
    shapes.push_back(conv(256, 5, 5, 256, 3, 3, 1, 0));
  }
  int i = 0;
  for (const ConvShape& s : shapes) {
    const int kind = i++ % 3;
    auto c = make_case<ConvBnnArgs>(conv_label("conv_bnn", s) + (kind == 0 ? " bits" : kind == 1 ? " i32" : " f32"));
    ConvBnnArgs& a = c->args;
    a.s = s;
    const size_t cw = bits::words_for(size_t(s.in_c));
    auto x = random_bits(rng, size_t(s.batch) * s.in_h * s.in_w, s.in_c);
    auto w = random_bits(rng, size_t(s.out_c) * s.kernel_h * s.kernel_w, s.in_c);
    (void)cw;
    bnn_inputs_and_output(rng, *c, kind, x, w, s.out_c, s.in_c * s.kernel_h * s.kernel_w);
    const size_t pixels = size_t(s.batch) * s.out_h() * s.out_w();
    c->outputs = {{kind == 0 ? pixels * bits::words_for(size_t(s.out_c)) * 8 : pixels * s.out_c * 4,
                   kind == 2 ? Compare::kFloat : Compare::kExact}};
    out.push_back(std::move(c));
  }
}

// ---- pooling and reductions --------------------------------------------------------
inline std::vector<PoolShape> pool_shapes(bool one_d) {
  auto p = [](int c, int h, int w, int k, int stride, int pad, bool ceil_mode, bool include_pad) {
    PoolShape s;
    s.channels = c;
    s.in_h = h;
    s.in_w = w;
    s.kernel_h = h == 1 ? 1 : k;
    s.kernel_w = k;
    s.stride_h = h == 1 ? 1 : stride;
    s.stride_w = stride;
    s.pad_top = s.pad_bottom = h == 1 ? 0 : pad;
    s.pad_left = s.pad_right = pad;
    auto out = [&](int n, int kk, int st, int pd) {
      const int span = n + 2 * pd - kk;
      return (ceil_mode ? (span + st - 1) / st : span / st) + 1;
    };
    s.out_h = h == 1 ? 1 : out(h, k, stride, pad);
    s.out_w = out(w, k, stride, pad);
    s.count_include_pad = include_pad;
    return s;
  };
  if (one_d) return {p(1, 1, 1, 1, 1, 0, false, true), p(13, 1, 100, 2, 2, 0, false, true), p(64, 1, 33, 3, 2, 1, true, false)};
  return {p(1, 1, 1, 1, 1, 0, false, true), p(20, 24, 24, 2, 2, 0, false, true), p(13, 7, 9, 3, 2, 1, false, true),
          p(127, 5, 5, 3, 2, 1, true, false), p(3, 6, 7, 2, 2, 0, true, true),
          p(2, 5, 71, 2, 2, 0, false, true)};  // 2 × 2 / 2 over 35 columns: two vectors, odd rows and width left over
}

template <class T>
void pool_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(7890 + int(op));
  for (const PoolShape& s : pool_shapes(op == Op::kMaxPool1d)) {
    std::ostringstream l;
    l << "pool " << s.channels << "x" << s.in_h << "x" << s.in_w << " k" << s.kernel_w << " s" << s.stride_w << " p"
      << s.pad_left << " out" << s.out_h << "x" << s.out_w;
    auto c = make_case<PoolArgs<T>>(l.str());
    PoolArgs<T>& a = c->args;
    a.s = s;
    auto x = random_buffer<T>(rng, size_t(s.channels) * s.in_h * s.in_w, lo_of<T>(), hi_of<T>());
    a.x = x->template as<T>();
    a.q.fl_x = 6;
    a.q.fl_y = 5;
    a.q.wl_y = int(sizeof(T) * 8);
    c->keep = {x};
    c->outputs = {{size_t(s.channels) * s.out_h * s.out_w * sizeof(T), compare_of<T>()}};
    c->bind = [](PoolArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

inline void pool_bits_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(8901);
  for (PoolShape s : pool_shapes(op == Op::kMaxPool1d)) {
    for (int channels : {s.channels, 64, 200}) {
      s.channels = channels;
      std::ostringstream l;
      l << "pool_bits " << s.channels << "x" << s.in_h << "x" << s.in_w << " k" << s.kernel_w;
      auto c = make_case<PoolBitsArgs>(l.str());
      c->args.s = s;
      auto x = random_bits(rng, size_t(s.in_h) * s.in_w, s.channels);
      c->args.x = x->as<uint64_t>();
      c->keep = {x};
      c->outputs = {{size_t(s.out_h) * s.out_w * bits::words_for(size_t(s.channels)) * 8, Compare::kExact}};
      c->bind = [](PoolBitsArgs& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<uint64_t>(); };
      out.push_back(std::move(c));
    }
  }
}

template <class T>
void reduce_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(9012);
  const int dims[][3] = {{1, 1, 1}, {2, 13, 7}, {1, 127, 64}, {1, 3072, 3}, {3, 20, 120}};
  for (const auto& d : dims) {
    std::ostringstream l;
    l << "reduce b" << d[0] << " " << d[1] << "x" << d[2];
    auto c = make_case<ReduceMeanArgs<T>>(l.str());
    ReduceMeanArgs<T>& a = c->args;
    a.batch = d[0];
    a.outer = d[1];
    a.inner = d[2];
    auto x = random_buffer<T>(rng, size_t(d[0]) * d[1] * d[2], lo_of<T>(), hi_of<T>());
    a.x = x->template as<T>();
    a.q.fl_x = 6;
    a.q.fl_y = 7;
    a.q.wl_y = int(sizeof(T) * 8);
    c->keep = {x};
    const size_t n_out = size_t(d[0]) * (op == Op::kGlobalAvgPool ? d[1] : d[2]);
    c->outputs = {{n_out * sizeof(T), compare_of<T>()}};
    c->bind = [](ReduceMeanArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

// ---- recurrent -----------------------------------------------------------------------------
template <class T>
void rnn_cases(Op op, std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(1357 + int(op));
  const int G = op == Op::kGru ? 3 : 4;
  // Hidden sizes off every vector width (tails), the quickstart's (15, 14) among them.
  const int dims[][4] = {{1, 1, 1, 1},    {1, 5, 13, 7},  {2, 10, 64, 120}, {1, 6, 127, 33}, {1, 3, 40, 256},
                         {1, 20, 16, 15}, {1, 20, 15, 14}, {2, 4, 9, 17},    {1, 3, 33, 65}};
  int i = 0;
  for (const auto& d : dims) {
    std::ostringstream l;
    l << (G == 3 ? "gru" : "lstm") << " b" << d[0] << " T" << d[1] << " F" << d[2] << " H" << d[3];
    auto c = make_case<RnnArgs<T>>(l.str());
    RnnArgs<T>& a = c->args;
    a.batch = d[0];
    a.steps = d[1];
    a.input = d[2];
    a.hidden = d[3];
    const int H = d[3], F = d[2];
    // Weights ~ U(−1/√H, 1/√H) as LibTorch initialises them (fixed: that range at fl_w).
    const double wr = 1.0 / std::sqrt(double(H));
    a.q.fl_x = 5;
    a.q.fl_w_ih = a.q.fl_w_hh = int(sizeof(T) * 8) - 2;
    a.q.fl_h = int(sizeof(T) * 8) - 2;
    a.q.wl_h = int(sizeof(T) * 8);
    a.q.fl_c = 11;
    a.q.wl_c = 16;
    a.q.fl_pre = int(sizeof(T) * 8) - 5;  // pre-activations in [−16, 16)
    a.q.wl_pre = int(sizeof(T) * 8);
    a.q.fl_gate = int(sizeof(T) * 8) - 2;
    a.q.wl_gate = int(sizeof(T) * 8);
    if (i % 2) {  // narrower pre-activation and gate words than the storage
      a.q.wl_pre -= 1;
      a.q.fl_pre -= 2;
      a.q.wl_gate -= 1;
      a.q.fl_gate -= 1;
    }
    if (G == 3 && i % 3 != 2) a.q.fl_c = a.q.wl_c = 0;  // a GRU has no cell: the interpreter passes ⟨0, 0⟩
    auto scaled = [&](size_t n, double range, int fl) {
      if constexpr (kIsFloat<T>) return random_buffer<float>(rng, n, -range, range);
      else {
        const double q = std::ldexp(range, fl);
        return random_buffer<T>(rng, n, std::max(-q, lo_of<T>()), std::min(q, hi_of<T>()));
      }
    };
    auto x = scaled(size_t(d[0]) * d[1] * F, 2.0, a.q.fl_x);
    auto wih = scaled(size_t(G) * H * F, wr, a.q.fl_w_ih);
    auto whh = scaled(size_t(G) * H * H, wr, a.q.fl_w_hh);
    std::shared_ptr<AlignedBuffer> bih, bhh;
    if constexpr (kIsFloat<T>) {
      bih = random_buffer<float>(rng, size_t(G) * H, -wr, wr);
      bhh = random_buffer<float>(rng, size_t(G) * H, -wr, wr);
    } else {
      bih = random_buffer<int32_t>(rng, size_t(G) * H, -std::ldexp(wr, a.q.fl_x + a.q.fl_w_ih), std::ldexp(wr, a.q.fl_x + a.q.fl_w_ih));
      bhh = random_buffer<int32_t>(rng, size_t(G) * H, -std::ldexp(wr, a.q.fl_h + a.q.fl_w_hh), std::ldexp(wr, a.q.fl_h + a.q.fl_w_hh));
    }
    auto h0 = scaled(size_t(d[0]) * H, 0.9, a.q.fl_h);
    a.x = x->template as<T>();
    a.w_ih = wih->template as<T>();
    a.w_hh = whh->template as<T>();
    a.b_ih = bih->data;
    a.b_hh = i % 2 ? bhh->data : nullptr;
    if (i % 3 == 1) a.h0 = h0->template as<T>();
    ++i;
    c->keep = {x, wih, whh, bih, bhh, h0};
    c->outputs = {{size_t(d[0]) * d[1] * H * sizeof(T), compare_of<T>()}};
    c->bind = [](RnnArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

}  // namespace detail

inline std::vector<std::unique_ptr<Case>> cases_for(Op op, Precision p) {
  using namespace detail;
  std::vector<std::unique_ptr<Case>> v;
  const bool conv_op = op == Op::kConv1d || op == Op::kConv2d || op == Op::kDepthwiseConv2d;
  const bool pool_op = op == Op::kMaxPool1d || op == Op::kMaxPool2d || op == Op::kAvgPool2d;
  const bool act_op = op == Op::kRelu || op == Op::kRelu6 || op == Op::kHardTanh || op == Op::kSign;
  auto typed = [&](auto tag) {
    using T = decltype(tag);
    if (op == Op::kDense) dense_cases<T>(v);
    if (conv_op) conv_cases<T>(op, v);
    if (conv_op) conv_exact_cases<T>(op, v);
    if (pool_op) pool_cases<T>(op, v);
    if (op == Op::kGru || op == Op::kLstm) rnn_cases<T>(op, v);
    if (act_op) activation_cases<T>(v);
    if (is_unary(op)) unary_cases<T>(v);
    if (op == Op::kAdd || op == Op::kSub || op == Op::kMul || op == Op::kDiv) {
      add_cases<T>(v);
      add_broadcast_cases<T>(v);
    }
    if (op == Op::kGlobalAvgPool || op == Op::kMeanOverTime) reduce_cases<T>(op, v);
    if (op == Op::kSoftmax || op == Op::kLogSoftmax) softmax_cases<T>(v, op == Op::kLogSoftmax);
    if (op == Op::kPackBits) pack_cases<T>(v);
    if (op == Op::kQuantize) quantize_cases<T>(v);
  };
  auto bc = [&](auto tag) {
    using T = decltype(tag);
    if (op == Op::kDense) dense_bc_cases<T>(v);
    if (op == Op::kConv1d || op == Op::kConv2d) conv_bc_cases<T>(op, v);
  };
  switch (p) {
    case Precision::kF32: typed(float{}); break;
    case Precision::kI8: typed(int8_t{}); break;
    case Precision::kI16: typed(int16_t{}); break;
    case Precision::kBcF32: bc(float{}); break;
    case Precision::kBcI8: bc(int8_t{}); break;
    case Precision::kBcI16: bc(int16_t{}); break;
    case Precision::kBnn:
      if (op == Op::kDense) dense_bnn_cases(v);
      if (op == Op::kConv1d || op == Op::kConv2d) conv_bnn_cases(op, v);
      if (op == Op::kMaxPool1d || op == Op::kMaxPool2d) pool_bits_cases(op, v);
      break;
    default: break;
  }
  return v;
}

}  // namespace slimrt::conformance
