#pragma once
// The conformance cases of the element-wise ops, the conversions and data movement
// (activations, unary ops, Quantize, Add / Sub / Mul / Div, softmax, PackBits): the
// same deterministic inputs for every backend; conformance_cases.h's cases_for picks
// them per op and precision.
#include "conformance.h"
#include "kernels/ref/ref.h"  // SLIMRT_UNARY_OPS

namespace slimrt::conformance::detail {

// ---- element-wise and data movement -------------------------------------------------------
inline const int64_t kCounts[] = {1, 13, 127, 3072, 1000};

template <class T>
void activation_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(2468);
  for (int64_t n : kCounts) {
    auto c = make_case<ActivationArgs<T>>("activation n" + std::to_string(n));
    ActivationArgs<T>& a = c->args;
    a.count = n;
    auto x = random_buffer<T>(rng, size_t(n), kIsFloat<T> ? -8.0 : lo_of<T>(), kIsFloat<T> ? 8.0 : hi_of<T>());
    if (n > 1) reinterpret_cast<T*>(x->data)[1] = T(0);  // sign(0) = +1
    a.x = x->template as<T>();
    a.min_value = -0.75f;
    a.max_value = 1.5f;
    a.q.fl_x = a.q.fl_y = sizeof(T) == 1 ? 4 : 11;
    a.q.wl_y = int(sizeof(T) * 8);
    c->keep = {x};
    c->outputs = {{size_t(n) * sizeof(T), compare_of<T>()}};
    c->bind = [](ActivationArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

// Whether op is one of kernels/unary.inc's list (each gets unary_cases).
inline bool is_unary(Op op) {
#define SLIMRT_IS_UNARY_(Name) if (op == Op::k##Name) return true;
  SLIMRT_UNARY_OPS(SLIMRT_IS_UNARY_)
#undef SLIMRT_IS_UNARY_
  return false;
}

// Unary ops of kernels/unary.inc (Sigmoid, HardSwish, …): awkward counts; floats over
// [−12, 12] with far and signed-zero values, fixed point over the whole storage range in
// input / output formats that differ (negative FL, word length below the storage).
template <class T>
void unary_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(8642);
  const int fmts8[][3] = {{4, 7, 8}, {5, 6, 7}, {-2, 3, 8}, {7, 5, 8}};
  const int fmts16[][3] = {{11, 15, 16}, {8, 12, 14}, {-3, 10, 16}, {14, 9, 16}};
  int f = 0;
  for (int64_t n : kCounts) {
    const int* q = sizeof(T) == 1 ? fmts8[f % 4] : fmts16[f % 4];
    ++f;
    auto c = make_case<ActivationArgs<T>>("unary n" + std::to_string(n) + " fl " + std::to_string(q[0]) + "→" +
                                          std::to_string(q[1]) + " wl " + std::to_string(q[2]));
    ActivationArgs<T>& a = c->args;
    a.count = n;
    auto x = random_buffer<T>(rng, size_t(n), kIsFloat<T> ? -12.0 : lo_of<T>(), kIsFloat<T> ? 12.0 : hi_of<T>());
    T* xv = x->template as<T>();
    const double edges[] = {0.0, -0.0, -3.0, 3.0, -90.0, 90.0, -1e-3, 5.5};
    for (size_t i = 0; i < 8 && i < size_t(n); ++i)
      xv[i] = kIsFloat<T> ? T(edges[i]) : T(i % 2 ? hi_of<T>() : lo_of<T>());
    a.x = xv;
    a.q.fl_x = q[0];
    a.q.fl_y = q[1];
    a.q.wl_y = q[2];
    a.p = {f % 2 ? 0.1f : -0.3f, f % 2 ? 0.5f : 0.25f};  // LeakyRelu's α, HardSigmoid's α, β (the others ignore them)
    c->keep = {x};
    c->outputs = {{size_t(n) * sizeof(T), compare_of<T>()}};
    c->bind = [](ActivationArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

// Quantize f32 → T: random values past both saturation points, exact ties (k + ½)·2^−fl
// of both signs, NaN, ±inf, ±0, tiny and huge values, at several formats.
template <class T>
void quantize_cases(std::vector<std::unique_ptr<Case>>& out) {
  if constexpr (!kIsFloat<T>) {
    Rng rng(2468);
    const int fmts8[][2] = {{0, 8}, {4, 8}, {7, 8}, {-2, 6}, {12, 8}};
    const int fmts16[][2] = {{0, 16}, {8, 16}, {15, 16}, {-3, 12}, {20, 16}};
    int f = 0;
    for (int64_t n : kCounts) {
      const int* q = sizeof(T) == 1 ? fmts8[f % 5] : fmts16[f % 5];
      ++f;
      auto c = make_case<QuantizeArgs<T>>("quantize n" + std::to_string(n) + " fl " + std::to_string(q[0]) + " wl " +
                                          std::to_string(q[1]));
      QuantizeArgs<T>& a = c->args;
      a.count = n;
      a.q.fl_y = q[0];
      a.q.wl_y = q[1];
      const double range = std::ldexp(double(int64_t(1) << (q[1] - 1)), -q[0]) * 1.5;
      auto x = random_buffer<float>(rng, size_t(n), -range, range);
      float* xv = x->as<float>();
      const float ulp = std::ldexp(1.0f, -q[0]);
      const float edges[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 0.5f * ulp, -0.5f * ulp, 2.5f * ulp,
                             -2.5f * ulp, 1e-30f, -1e-30f, 3e38f, -3e38f, float(range), -float(range), 1.5f * ulp};
      for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); ++i)
        if (i * 7 < size_t(n)) xv[i * 7] = edges[i];
      a.x = xv;
      c->keep = {x};
      c->outputs = {{size_t(n) * sizeof(T), Compare::kExact}};
      c->bind = [](QuantizeArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
      out.push_back(std::move(c));
    }
  }
}

template <class T>
void add_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(3579);
  int i = 0;
  for (int64_t n : kCounts) {
    auto c = make_case<AddArgs<T>>("add n" + std::to_string(n));
    AddArgs<T>& a = c->args;
    a.count = n;
    a.act = Activation(i++ % 4);
    auto x = random_buffer<T>(rng, size_t(n), lo_of<T>(), hi_of<T>()), x2 = random_buffer<T>(rng, size_t(n), lo_of<T>(), hi_of<T>());
    a.x = x->template as<T>();
    a.x2 = x2->template as<T>();
    // fl_x, fl_x2, fl_y, wl_y: right and left requantizing shifts, equal formats, a word
    // below the storage.
    const int fmts[][4] = {{5, 3, 3, 0}, {2, 4, 6, 0}, {0, 0, 0, 0}, {7, 7, 2, -2}, {3, 6, 5, -1}};
    const int* f = fmts[(i - 1) % 5];
    a.q.fl_x = f[0];
    a.q.fl_x2 = f[1];
    a.q.fl_y = f[2];
    a.q.wl_y = int(sizeof(T) * 8) + f[3];
    c->label += " fl " + std::to_string(f[0]) + "+" + std::to_string(f[1]) + "→" + std::to_string(f[2]);
    c->keep = {x, x2};
    c->outputs = {{size_t(n) * sizeof(T), compare_of<T>()}};
    c->bind = [](AddArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

// Add / Sub / Mul / Div with broadcasting inputs (kernels.h Broadcast): a channel
// operand ([C, 1, 1] against [C, H, W], either side, inner runs below, at and above the
// vector width), a row ([1, F] and [F] against [T, F]), both inputs broadcasting
// ([3, 1, 5] against [1, 4, 1]) and a per-sample scalar.
inline std::string shape_label(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t k = 0; k < s.size(); ++k) o += (k ? "," : "") + std::to_string(s[k]);
  return o + "]";
}
template <class T>
void add_broadcast_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(8642);
  using S = std::vector<int64_t>;
  const std::pair<S, S> shapes[] = {{{4, 5, 7}, {4, 1, 1}}, {{4, 1, 1}, {4, 5, 7}}, {{16, 2, 2}, {16, 1, 1}},
                                    {{5, 3, 11}, {5, 1, 1}},  {{6, 9}, {1, 9}},       {{6, 33}, {33}},
                                    {{3, 1, 5}, {1, 4, 1}},   {{2, 3, 17}, {1}},      {{1}, {3, 40}}};
  int i = 0;
  for (const auto& [sx, sx2] : shapes) {
    auto c = make_case<AddArgs<T>>("add broadcast " + shape_label(sx) + " " + shape_label(sx2));
    AddArgs<T>& a = c->args;
    S y;
    if (!broadcast_shape(sx, sx2, y) || !make_broadcast(sx, sx2, y, a.bc)) throw std::logic_error("bad broadcast case");
    int64_t n = 1, n1 = 1, n2 = 1;
    for (int64_t d : y) n *= d;
    for (int64_t d : sx) n1 *= d;
    for (int64_t d : sx2) n2 *= d;
    a.count = n;
    a.act = Activation(i++ % 4);
    auto x = random_buffer<T>(rng, size_t(n1), lo_of<T>(), hi_of<T>()), x2 = random_buffer<T>(rng, size_t(n2), lo_of<T>(), hi_of<T>());
    a.x = x->template as<T>();
    a.x2 = x2->template as<T>();
    const int fmts[][4] = {{5, 3, 3, 0}, {2, 4, 6, 0}, {7, 7, 2, -2}, {3, 6, 5, -1}};
    const int* f = fmts[(i - 1) % 4];
    a.q.fl_x = f[0];
    a.q.fl_x2 = f[1];
    a.q.fl_y = f[2];
    a.q.wl_y = int(sizeof(T) * 8) + f[3];
    c->keep = {x, x2};
    c->outputs = {{size_t(n) * sizeof(T), compare_of<T>()}};
    c->bind = [](AddArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

template <class T>  // Softmax, LogSoftmax (log)
void softmax_cases(std::vector<std::unique_ptr<Case>>& out, bool log) {
  Rng rng(4680);
  const int dims[][2] = {{1, 1}, {1, 10}, {3, 13}, {2, 127}, {1, 3072}};
  for (const auto& d : dims) {
    auto c = make_case<SoftmaxArgsT<T>>(std::string(log ? "log_softmax " : "softmax ") + std::to_string(d[0]) + "x" +
                                        std::to_string(d[1]));
    c->args.rows = d[0];
    c->args.cols = d[1];
    c->args.log = log;
    auto x = random_buffer<T>(rng, size_t(d[0]) * d[1], kIsFloat<T> ? -20.0 : lo_of<T>(), kIsFloat<T> ? 20.0 : hi_of<T>());
    c->args.x = x->template as<T>();
    c->args.q.fl_x = sizeof(T) == 1 ? 3 : 10;
    c->args.q.fl_y = log ? int(sizeof(T) * 8) - 8 : int(sizeof(T) * 8) - 2;  // log: values down to −2^6
    c->args.q.wl_y = int(sizeof(T) * 8);
    c->keep = {x};
    c->outputs = {{size_t(d[0]) * d[1] * sizeof(T), compare_of<T>()}};
    c->bind = [](SoftmaxArgsT<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<T>(); };
    out.push_back(std::move(c));
  }
}

template <class T>
void pack_cases(std::vector<std::unique_ptr<Case>>& out) {
  Rng rng(5791);
  const int dims[][3] = {{1, 1, 1}, {1, 13, 1}, {2, 64, 9}, {1, 65, 4}, {1, 127, 12}, {1, 3072, 1}, {1, 200, 25}};
  for (const auto& d : dims) {
    auto c = make_case<PackBitsArgs<T>>("pack b" + std::to_string(d[0]) + " c" + std::to_string(d[1]) + " s" +
                                        std::to_string(d[2]));
    c->args.batch = d[0];
    c->args.channels = d[1];
    c->args.spatial = d[2];
    auto x = random_buffer<T>(rng, size_t(d[0]) * d[1] * d[2], lo_of<T>(), hi_of<T>());
    if (d[1] > 2) reinterpret_cast<T*>(x->data)[2] = T(0);
    if constexpr (std::is_floating_point_v<T>)  // −0 and NaN pack as +1 (x < 0 is false)
      if (size_t(d[0]) * d[1] * d[2] > 20) {
        reinterpret_cast<T*>(x->data)[3] = -T(0);
        reinterpret_cast<T*>(x->data)[19] = std::numeric_limits<T>::quiet_NaN();
      }
    c->args.x = x->template as<T>();
    c->keep = {x};
    c->outputs = {{size_t(d[0]) * d[2] * bits::words_for(size_t(d[1])) * 8, Compare::kExact}};
    c->bind = [](PackBitsArgs<T>& a, std::vector<AlignedBuffer>& o) { a.y = o[0].as<uint64_t>(); };
    out.push_back(std::move(c));
  }
}

}  // namespace slimrt::conformance::detail
