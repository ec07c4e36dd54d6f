// slimrt kernels against peers on the layer shapes of our models (LeNet-5, the
// DeepSense / audio CNN convs, DNN dense layers), single thread:
//   f32 (best variant for this CPU)  vs  OpenBLAS cblas_sgemm / sgemv on the same GEMM
//   f32 vs oneDNN and XNNPACK convolutions (XNNPACK: dense too, in its native NHWC)
//   i8 fixed point vs XNNPACK qs8, and i8 / BNN (XOR + popcount) vs our f32 on the same
//   layer shape; BinaryConnect (bc_f32, bc_i8) vs f32 and i8 on LeNet-5's and the
//   quickstart's shapes (bench_kernels_bc.inc); then the recurrent / pooling /
//   element-wise kernels against their reference (bench_kernels_ops.cpp).
// Every benchmark includes what a conv needs per call (im2col / patch gathering);
// weight packing happens once, before timing, as at load time in the interpreter.
// After the runs a table prints the ratios, each from the best of the repetitions of
// this one process (the machine is shared and noisy): see docs/BENCHMARKS.md.
//   bench_kernels --benchmark_repetitions=5 --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdio>
#include <map>
#include <random>
#include <type_traits>
#include <string>
#include <vector>

#include "bench_kernels.h"

#ifdef SLIMLAB_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
extern "C" void omp_set_num_threads(int);
#endif

extern "C" void openblas_set_num_threads(int);

namespace {
using namespace slimlab_bench;

// One dense or conv layer of `l` at storage T (float, or int8 fixed point with formats
// q and int32 biases), ReLU fused, timed on the best kernel for `p`.
template <class T>
void time_layer(benchmark::State& st, const LayerShape& l, std::mt19937& g, Precision p, const FixedFormats& q) {
  using Bias = std::conditional_t<std::is_same_v<T, float>, float, int32_t>;
  auto bias = [&](int n) { return std::is_same_v<T, float> ? random_vec<Bias>(size_t(n), g) : std::vector<Bias>(size_t(n), Bias(100)); };
  auto fill = [&](auto& a, const auto& x, const auto& w, const auto& b, auto& y) {
    a.x = x.data();
    a.w = w.data();
    a.bias = b.data();
    a.y = y.data();
    a.act = Activation::kRelu;
    if constexpr (!std::is_same_v<T, float>) a.q = q;
  };
  if (l.dense) {
    auto x = random_vec<T>(size_t(l.fc.batch) * l.fc.in, g), w = random_vec<T>(size_t(l.fc.in) * l.fc.out, g);
    const auto b = bias(l.fc.out);
    std::vector<T> y(size_t(l.fc.batch) * l.fc.out);
    DenseArgs<T> a;
    a.s = l.fc;
    fill(a, x, w, b, y);
    time_kernel(st, best_kernel(Op::kDense, p, &a), a);
  } else {
    const ConvShape& s = l.conv;
    auto x = random_vec<T>(size_t(s.in_c) * s.in_h * s.in_w, g),
         w = random_vec<T>(size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w, g);
    const auto b = bias(s.out_c);
    std::vector<T> y(size_t(s.out_c) * s.out_h() * s.out_w());
    ConvArgs<T> a;
    a.s = s;
    fill(a, x, w, b, y);
    time_kernel(st, best_kernel(Op::kConv2d, p, &a), a);
  }
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void BM_f32(benchmark::State& st, const LayerShape& l) {
  std::mt19937 g(1);
  time_layer<float>(st, l, g, Precision::kF32, FixedFormats{});
}

void BM_i8(benchmark::State& st, const LayerShape& l) {
  std::mt19937 g(2);
  FixedFormats q;
  q.fl_x = 5;
  q.fl_w = 7;
  q.fl_y = 3;
  q.wl_y = 8;
  time_layer<int8_t>(st, l, g, Precision::kI8, q);
}

// Packed inputs, weights and outputs through thresholds.
template <class Args>
void bind_bits(Args& a, const std::vector<uint64_t>& x, const std::vector<uint64_t>& w,
               std::vector<bits::SignThreshold>& th, std::vector<uint64_t>& y) {
  a.x = x.data();
  a.w = w.data();
  a.out.kind = BnnOutput::kBits;
  a.out.thresholds = th.data();
  a.out.y_bits = y.data();
}

// BNN with packed output through thresholds (a hidden BNN layer: BN + sign folded).
void BM_bnn(benchmark::State& st, const LayerShape& l) {
  std::mt19937_64 g(3);
  if (l.dense) {
    const size_t wpr = bits::words_for(size_t(l.fc.in));
    auto x = random_bits(size_t(l.fc.batch) * wpr, g), w = random_bits(size_t(l.fc.out) * wpr, g);
    std::vector<bits::SignThreshold> th(l.fc.out);
    std::vector<uint64_t> y(size_t(l.fc.batch) * bits::words_for(size_t(l.fc.out)));
    DenseBnnArgs a;
    a.s = l.fc;
    a.in_words = int(wpr);  // rows are whole words: random padding bits cancel in the timing
    bind_bits(a, x, w, th, y);
    time_kernel(st, best_kernel(Op::kDense, Precision::kBnn, &a), a);
  } else {
    const ConvShape& s = l.conv;
    const size_t cw = bits::words_for(size_t(s.in_c));
    auto x = random_bits(size_t(s.in_h) * s.in_w * cw, g), w = random_bits(size_t(s.out_c) * s.kernel_h * s.kernel_w * cw, g);
    std::vector<bits::SignThreshold> th(s.out_c);
    std::vector<uint64_t> y(size_t(s.out_h()) * s.out_w() * bits::words_for(size_t(s.out_c)));
    ConvBnnArgs a;
    a.s = s;
    bind_bits(a, x, w, th, y);
    time_kernel(st, best_kernel(Op::kConv2d, Precision::kBnn, &a), a);
  }
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// OpenBLAS single thread: im2col (plain loops, [K][N]) + sgemm, bias + ReLU; dense at
// batch 1 is sgemv, batched dense sgemm.
void BM_openblas(benchmark::State& st, const LayerShape& l) {
  openblas_set_num_threads(1);
  std::mt19937 g(1);
  if (l.dense) {
    const int B = l.fc.batch, I = l.fc.in, O = l.fc.out;
    auto x = random_vec<float>(size_t(B) * I, g), w = random_vec<float>(size_t(I) * O, g), b = random_vec<float>(O, g);
    std::vector<float> y(size_t(B) * O);
    for (auto _ : st) {
      if (B == 1) cblas_sgemv(CblasRowMajor, CblasNoTrans, O, I, 1.0f, w.data(), I, x.data(), 1, 0.0f, y.data(), 1);
      else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, O, I, 1.0f, x.data(), I, w.data(), I, 0.0f, y.data(), O);
      for (int r = 0; r < B; ++r)
        for (int o = 0; o < O; ++o) y[size_t(r) * O + o] = std::max(0.0f, y[size_t(r) * O + o] + b[o]);
      benchmark::ClobberMemory();
    }
  } else {
    const ConvShape& s = l.conv;
    const int K = s.in_c * s.kernel_h * s.kernel_w, N = s.out_h() * s.out_w(), M = s.out_c;
    auto x = random_vec<float>(size_t(s.in_c) * s.in_h * s.in_w, g), w = random_vec<float>(size_t(M) * K, g), b = random_vec<float>(M, g);
    std::vector<float> col(size_t(K) * N), y(size_t(M) * N);
    const bool direct = s.kernel_h == 1 && s.kernel_w == 1 && s.pad_left == 0 && s.stride_w == 1;
    for (auto _ : st) {
      if (!direct)
        for (int k = 0; k < K; ++k) {
          const int c = k / (s.kernel_h * s.kernel_w), ky = k / s.kernel_w % s.kernel_h, kx = k % s.kernel_w;
          for (int oy = 0, n = 0; oy < s.out_h(); ++oy)
            for (int ox = 0; ox < s.out_w(); ++ox, ++n) {
              const int iy = oy - s.pad_top + ky, ix = ox - s.pad_left + kx;
              col[size_t(k) * N + n] = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w ? x[(size_t(c) * s.in_h + iy) * s.in_w + ix] : 0.0f;
            }
        }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, w.data(), K, direct ? x.data() : col.data(), N,
                  0.0f, y.data(), N);
      for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) y[size_t(m) * N + n] = std::max(0.0f, y[size_t(m) * N + n] + b[m]);
      benchmark::ClobberMemory();
    }
  }
  st.SetLabel("openblas");
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}

#ifdef SLIMLAB_HAVE_ONEDNN
// oneDNN (Debian libdnnl 2.6, OpenMP build, 1 thread): convolution_forward with the
// layouts it prefers; weights reordered once (load time), input / output reorders from
// and to CHW inside the timing (our kernels take and give CHW), bias + ReLU post-op.
void BM_onednn(benchmark::State& st, const LayerShape& l) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  omp_set_num_threads(1);
  if (l.dense) {
    st.SkipWithError("dense: not measured with oneDNN");
    return;
  }
  const ConvShape& s = l.conv;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  const memory::dims src_dims = {1, s.in_c, s.in_h, s.in_w}, w_dims = {s.out_c, s.in_c, s.kernel_h, s.kernel_w},
                     b_dims = {s.out_c}, dst_dims = {1, s.out_c, s.out_h(), s.out_w()};
  std::mt19937 g(1);
  auto x = random_vec<float>(size_t(s.in_c) * s.in_h * s.in_w, g), w = random_vec<float>(size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w, g),
       b = random_vec<float>(s.out_c, g);
  std::vector<float> y(size_t(s.out_c) * s.out_h() * s.out_w());
  memory user_src({src_dims, dt::f32, tag::nchw}, eng, x.data()), user_w({w_dims, dt::f32, tag::oihw}, eng, w.data()),
      user_b({b_dims, dt::f32, tag::x}, eng, b.data()), user_dst({dst_dims, dt::f32, tag::nchw}, eng, y.data());
  auto d = convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct,
                                     memory::desc(src_dims, dt::f32, tag::any), memory::desc(w_dims, dt::f32, tag::any),
                                     memory::desc(b_dims, dt::f32, tag::x), memory::desc(dst_dims, dt::f32, tag::any),
                                     {s.stride_h, s.stride_w}, {s.pad_top, s.pad_left}, {s.pad_bottom, s.pad_right});
  post_ops ops;
  ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
  primitive_attr attr;
  attr.set_post_ops(ops);
  convolution_forward::primitive_desc pd(d, attr, eng);
  memory wm(pd.weights_desc(), eng), src = user_src, dst = user_dst;
  reorder(user_w, wm).execute(strm, user_w, wm);
  const bool src_re = pd.src_desc() != user_src.get_desc(), dst_re = pd.dst_desc() != user_dst.get_desc();
  if (src_re) src = memory(pd.src_desc(), eng);
  if (dst_re) dst = memory(pd.dst_desc(), eng);
  convolution_forward conv(pd);
  for (auto _ : st) {
    if (src_re) reorder(user_src, src).execute(strm, user_src, src);
    conv.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, user_b}, {DNNL_ARG_DST, dst}});
    if (dst_re) reorder(dst, user_dst).execute(strm, dst, user_dst);
    strm.wait();
  }
  st.SetLabel("onednn");
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}
#endif

#include "bench_kernels_bc.inc"

// Keeps the best (smallest) time per benchmark over its repetitions.
class BestOfReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> best;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
      const double t = r.GetAdjustedCPUTime();  // CPU time: the shared machine's load inflates real time
      const std::string name = r.run_name.function_name;
      auto it = best.find(name);
      if (it == best.end() || t < it->second) best[name] = t;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace

int main(int argc, char** argv) {
  for (const LayerShape& l : layers()) {
    const std::string n = l.name;
    benchmark::RegisterBenchmark(("f32/" + n).c_str(), BM_f32, l)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("openblas/" + n).c_str(), BM_openblas, l)->Unit(benchmark::kMicrosecond);
#ifdef SLIMLAB_HAVE_ONEDNN
    if (!l.dense) benchmark::RegisterBenchmark(("onednn/" + n).c_str(), BM_onednn, l)->Unit(benchmark::kMicrosecond);
#endif
    benchmark::RegisterBenchmark(("i8/" + n).c_str(), BM_i8, l)->Unit(benchmark::kMicrosecond);
    if (l.binary_ok) benchmark::RegisterBenchmark(("bnn/" + n).c_str(), BM_bnn, l)->Unit(benchmark::kMicrosecond);
  }
  register_xnnpack_benchmarks(layers());
  register_op_benchmarks();
  register_bc_benchmarks();
  benchmark::Initialize(&argc, argv);
  BestOfReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  std::printf("\n%-36s %10s %10s %9s %9s %9s %9s %9s %9s\n", "layer (best CPU time, us)", "f32", "openblas",
              "f32/blas", "f32/dnnl", "f32/xnn", "i8 spdup", "i8/xnnq8", "bnn spdup");
  for (const LayerShape& l : layers()) {
    const std::string n = l.name;
    auto get = [&](const std::string& p) { auto it = rep.best.find(p + "/" + n); return it == rep.best.end() ? 0.0 : it->second; };
    const double f = get("f32"), b = get("openblas"), i = get("i8"), x = get("bnn"), d = get("onednn");
    const double xf = get("xnnpack_f32"), xq = get("xnnpack_qs8");
    if (f <= 0) continue;
    auto ratio = [](double peer, double ours) { return peer > 0 && ours > 0 ? peer / ours : 0.0; };
    std::printf("%-36s %10.2f %10.2f %8.2fx %8.2fx %8.2fx %8.2fx %8.2fx ", l.name, f, b, ratio(b, f), ratio(d, f),
                ratio(xf, f), ratio(f, i), ratio(xq, i));
    if (x > 0) std::printf("%8.2fx\n", f / x);
    else std::printf("%9s\n", "-");
  }
  std::printf("(peer/ours: f32/blas, f32/dnnl, f32/xnn = the peer's time / our f32 time, i8/xnnq8 = XNNPACK qs8 "
              "time / our i8 time: ≥ 1 means we are at least as fast; speedups = our f32 time / that kernel's)\n");
  print_op_table(rep.best);
  print_bc_table(rep.best);
  return 0;
}
