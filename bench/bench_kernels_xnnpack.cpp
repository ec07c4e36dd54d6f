// XNNPACK (Debian libxnnpack-dev, 2022-02 snapshot) as a peer of bench_kernels: fp32
// and int8 (qs8) convolution and fully-connected operators on our layer shapes, one
// thread (no pthreadpool). Operators are created (weights packed) once, before timing;
// XNNPACK runs in its own NHWC layout with no reorders (a model run by XNNPACK would
// stay NHWC throughout), bias + ReLU fused as in our kernels. qs8 uses power-of-two
// scales matching our i8 benchmark's formats (input 2^−5, weights 2^−7, output 2^−3).
#include "bench_kernels.h"

#ifdef SLIMLAB_HAVE_XNNPACK
#include <xnnpack.h>

#include <cmath>
#endif

namespace slimlab_bench {

#ifndef SLIMLAB_HAVE_XNNPACK
void register_xnnpack_benchmarks(const std::vector<LayerShape>&) {}
#else
namespace {

bool xnn_ready() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

struct XnnOperator {
  xnn_operator_t op = nullptr;
  XnnOperator() = default;
  XnnOperator(const XnnOperator&) = delete;
  XnnOperator& operator=(const XnnOperator&) = delete;
  ~XnnOperator() {
    if (op) xnn_delete_operator(op);
  }
};

constexpr float kInScale = 1.0f / 32, kWeightScale = 1.0f / 128, kOutScale = 1.0f / 8;

// Creates and sets up a fully-connected operator (T = float: f32, int8_t: qs8).
template <class T>
xnn_status make_dense(const DenseShape& s, const T* w, const void* bias, const T* x, T* y, XnnOperator* o) {
  xnn_status st;
  if constexpr (std::is_same_v<T, float>) {
    st = xnn_create_fully_connected_nc_f32(s.in, s.out, s.in, s.out, w, static_cast<const float*>(bias), 0.0f, INFINITY,
                                           0, &o->op);
    if (st == xnn_status_success) st = xnn_setup_fully_connected_nc_f32(o->op, s.batch, x, y, nullptr);
  } else {
    st = xnn_create_fully_connected_nc_qs8(s.in, s.out, s.in, s.out, 0, kInScale, kWeightScale, w,
                                           static_cast<const int32_t*>(bias), 0, kOutScale, 0, 127, 0, &o->op);
    if (st == xnn_status_success) st = xnn_setup_fully_connected_nc_qs8(o->op, s.batch, x, y, nullptr);
  }
  return st;
}

template <class T>
xnn_status make_conv(const ConvShape& s, const T* w, const void* bias, const T* x, T* y, XnnOperator* o) {
  xnn_status st;
  if constexpr (std::is_same_v<T, float>) {
    st = xnn_create_convolution2d_nhwc_f32(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w,
                                           s.stride_h, s.stride_w, s.dilation_h, s.dilation_w, 1, s.in_c, s.out_c, s.in_c,
                                           s.out_c, w, static_cast<const float*>(bias), 0.0f, INFINITY, 0, &o->op);
    if (st == xnn_status_success) st = xnn_setup_convolution2d_nhwc_f32(o->op, 1, s.in_h, s.in_w, x, y, nullptr);
  } else {
    st = xnn_create_convolution2d_nhwc_qs8(s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w,
                                           s.stride_h, s.stride_w, s.dilation_h, s.dilation_w, 1, s.in_c, s.out_c, s.in_c,
                                           s.out_c, 0, kInScale, kWeightScale, w, static_cast<const int32_t*>(bias), 0,
                                           kOutScale, 0, 127, 0, &o->op);
    if (st == xnn_status_success) st = xnn_setup_convolution2d_nhwc_qs8(o->op, 1, s.in_h, s.in_w, x, y, nullptr);
  }
  return st;
}

template <class T>
void BM_xnnpack(benchmark::State& st, const LayerShape& l) {
  if (!xnn_ready()) {
    st.SkipWithError("xnn_initialize failed");
    return;
  }
  std::mt19937 g(5);
  const size_t n_in = l.dense ? size_t(l.fc.batch) * l.fc.in : size_t(l.conv.in_c) * l.conv.in_h * l.conv.in_w;
  const size_t n_w = l.dense ? size_t(l.fc.in) * l.fc.out : size_t(l.conv.out_c) * l.conv.in_c * l.conv.kernel_h * l.conv.kernel_w;
  const int n_out_c = l.dense ? l.fc.out : l.conv.out_c;
  const size_t n_out = l.dense ? size_t(l.fc.batch) * l.fc.out : size_t(l.conv.out_c) * l.conv.out_h() * l.conv.out_w();
  auto x = random_vec<T>(n_in, g), w = random_vec<T>(n_w, g);
  std::vector<T> y(n_out);
  std::vector<float> bias_f = random_vec<float>(size_t(n_out_c), g);
  std::vector<int32_t> bias_q(size_t(n_out_c), 100);
  const void* bias = std::is_same_v<T, float> ? static_cast<const void*>(bias_f.data()) : bias_q.data();
  XnnOperator o;
  const xnn_status s = l.dense ? make_dense<T>(l.fc, w.data(), bias, x.data(), y.data(), &o)
                               : make_conv<T>(l.conv, w.data(), bias, x.data(), y.data(), &o);
  if (s != xnn_status_success) {
    st.SkipWithError(("XNNPACK operator not created (status " + std::to_string(int(s)) + ")").c_str());
    return;
  }
  for (auto _ : st) {
    xnn_run_operator(o.op, nullptr);
    benchmark::ClobberMemory();
  }
  st.SetLabel(std::is_same_v<T, float> ? "xnnpack f32" : "xnnpack qs8");
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

void register_xnnpack_benchmarks(const std::vector<LayerShape>& layers) {
  for (const LayerShape& l : layers) {
    const std::string n = l.name;
    benchmark::RegisterBenchmark(("xnnpack_f32/" + n).c_str(), BM_xnnpack<float>, l)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("xnnpack_qs8/" + n).c_str(), BM_xnnpack<int8_t>, l)->Unit(benchmark::kMicrosecond);
  }
}
#endif

}  // namespace slimlab_bench
