// slimrt kernels against peers on the layer shapes of our models (LeNet-5, the
// DeepSense / audio CNN convs, DNN dense layers), single thread:
//   f32 (best variant for this CPU)  vs  OpenBLAS cblas_sgemm / sgemv on the same GEMM
//   i8 fixed point and BNN (XOR + popcount) vs our f32 on the same layer shape,
//   BinaryConnect (bc_f32, bc_i8) vs f32 and i8 on LeNet-5's and the quickstart's shapes
//   (bench_kernels_bc.inc).
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
#include <string>
#include <vector>

#include "kernels/kernels.h"

#ifdef SLIMLAB_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
extern "C" void omp_set_num_threads(int);
#endif

extern "C" void openblas_set_num_threads(int);

namespace {
using namespace slimrt::kernels;
namespace bits = slimrt::bits;

struct AlignedBytes {
  std::vector<uint8_t> v;
  uint8_t* p = nullptr;
  explicit AlignedBytes(size_t n = 0) : v(n + 64) { p = v.data() + (64 - reinterpret_cast<uintptr_t>(v.data()) % 64) % 64; }
  template <class T> T* as() { return reinterpret_cast<T*>(p); }
};

struct LayerShape {
  const char* name;
  bool dense;
  ConvShape conv;   // conv layers
  DenseShape fc;    // dense layers
  bool binary_ok;   // a BNN layer makes sense here (not a first layer on raw input)
};

ConvShape conv(int c, int h, int w, int o, int kh, int kw, int pad = 0) {
  ConvShape s;
  s.in_c = c;
  s.in_h = h;
  s.in_w = w;
  s.out_c = o;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.pad_top = s.pad_bottom = kh > 1 ? pad : 0;
  s.pad_left = s.pad_right = pad;
  return s;
}

const std::vector<LayerShape>& layers() {
  static const std::vector<LayerShape> l = {
      {"lenet.conv1 1x28x28>20 k5", false, conv(1, 28, 28, 20, 5, 5), {}, false},
      {"lenet.conv2 20x12x12>50 k5", false, conv(20, 12, 12, 50, 5, 5), {}, true},
      {"deepsense.conv 64x10x30>64 k1x3", false, conv(64, 10, 30, 64, 1, 3), {}, true},
      {"audio.conv2 32x20x20>64 k3", false, conv(32, 20, 20, 64, 3, 3, 1), {}, true},
      {"audio.conv3 64x10x10>128 k3", false, conv(64, 10, 10, 128, 3, 3, 1), {}, true},
      {"gemm 1x1 256x16x16>256", false, conv(256, 16, 16, 256, 1, 1), {}, true},
      {"lenet.fc1 800>500 b1", true, {}, {1, 800, 500}, true},
      {"dnn.fc 1024>1024 b1", true, {}, {1, 1024, 1024}, true},
      {"dnn.fc 1024>1024 b32", true, {}, {32, 1024, 1024}, true},
      {"deepsense.gru_ih 384>360 b10", true, {}, {10, 384, 360}, true},
  };
  return l;
}

template <class T>
std::vector<T> random_vec(size_t n, std::mt19937& g) {
  std::vector<T> v(n);
  if constexpr (std::is_same_v<T, float>) {
    std::uniform_real_distribution<float> u(-1, 1);
    for (auto& x : v) x = u(g);
  } else {
    std::uniform_int_distribution<int> u(-128, 127);
    for (auto& x : v) x = T(u(g));
  }
  return v;
}
std::vector<uint64_t> random_bits(size_t words, std::mt19937_64& g) {
  std::vector<uint64_t> v(words);
  for (auto& x : v) x = g();
  return v;
}

// Runs kernel k on args a in a loop: packs once, scratch once (as the interpreter).
template <class A>
void time_kernel(benchmark::State& st, const Kernel* k, A a) {
  if (!k) {
    st.SkipWithError("no kernel");
    return;
  }
  AlignedBytes packed(packed_bytes(*k, &a)), scratch(scratch_bytes(*k, &a));
  if (k->pack) k->pack(&a, packed.p);
  a.ws.packed = packed.p;
  a.ws.scratch = scratch.p;
  for (auto _ : st) {
    run(*k, &a);
    benchmark::ClobberMemory();
  }
  st.SetLabel(k->name);
}

int64_t macs(const LayerShape& l) {
  return l.dense ? int64_t(l.fc.batch) * l.fc.in * l.fc.out : l.conv.macs();
}

void BM_f32(benchmark::State& st, const LayerShape& l) {
  std::mt19937 g(1);
  if (l.dense) {
    auto x = random_vec<float>(size_t(l.fc.batch) * l.fc.in, g), w = random_vec<float>(size_t(l.fc.in) * l.fc.out, g),
         b = random_vec<float>(l.fc.out, g);
    std::vector<float> y(size_t(l.fc.batch) * l.fc.out);
    DenseArgs<float> a;
    a.s = l.fc;
    a.x = x.data();
    a.w = w.data();
    a.bias = b.data();
    a.y = y.data();
    a.act = Activation::kRelu;
    time_kernel(st, best_kernel(Op::kDense, Precision::kF32, &a), a);
  } else {
    const ConvShape& s = l.conv;
    auto x = random_vec<float>(size_t(s.in_c) * s.in_h * s.in_w, g), w = random_vec<float>(size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w, g),
         b = random_vec<float>(s.out_c, g);
    std::vector<float> y(size_t(s.out_c) * s.out_h() * s.out_w());
    ConvArgs<float> a;
    a.s = s;
    a.x = x.data();
    a.w = w.data();
    a.bias = b.data();
    a.y = y.data();
    a.act = Activation::kRelu;
    time_kernel(st, best_kernel(Op::kConv2d, Precision::kF32, &a), a);
  }
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void BM_i8(benchmark::State& st, const LayerShape& l) {
  std::mt19937 g(2);
  FixedFormats q;
  q.fl_x = 5;
  q.fl_w = 7;
  q.fl_y = 3;
  q.wl_y = 8;
  if (l.dense) {
    auto x = random_vec<int8_t>(size_t(l.fc.batch) * l.fc.in, g), w = random_vec<int8_t>(size_t(l.fc.in) * l.fc.out, g);
    std::vector<int32_t> b(l.fc.out, 100);
    std::vector<int8_t> y(size_t(l.fc.batch) * l.fc.out);
    DenseArgs<int8_t> a;
    a.s = l.fc;
    a.x = x.data();
    a.w = w.data();
    a.bias = b.data();
    a.y = y.data();
    a.q = q;
    a.act = Activation::kRelu;
    time_kernel(st, best_kernel(Op::kDense, Precision::kI8, &a), a);
  } else {
    const ConvShape& s = l.conv;
    auto x = random_vec<int8_t>(size_t(s.in_c) * s.in_h * s.in_w, g), w = random_vec<int8_t>(size_t(s.out_c) * s.in_c * s.kernel_h * s.kernel_w, g);
    std::vector<int32_t> b(s.out_c, 100);
    std::vector<int8_t> y(size_t(s.out_c) * s.out_h() * s.out_w());
    ConvArgs<int8_t> a;
    a.s = s;
    a.x = x.data();
    a.w = w.data();
    a.bias = b.data();
    a.y = y.data();
    a.q = q;
    a.act = Activation::kRelu;
    time_kernel(st, best_kernel(Op::kConv2d, Precision::kI8, &a), a);
  }
  st.counters["GMAC/s"] = benchmark::Counter(double(macs(l)) * st.iterations() / 1e9, benchmark::Counter::kIsRate);
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
    a.x = x.data();
    a.w = w.data();
    a.out.kind = BnnOutput::kBits;
    a.out.thresholds = th.data();
    a.out.y_bits = y.data();
    time_kernel(st, best_kernel(Op::kDense, Precision::kBnn, &a), a);
  } else {
    const ConvShape& s = l.conv;
    const size_t cw = bits::words_for(size_t(s.in_c));
    auto x = random_bits(size_t(s.in_h) * s.in_w * cw, g), w = random_bits(size_t(s.out_c) * s.kernel_h * s.kernel_w * cw, g);
    std::vector<bits::SignThreshold> th(s.out_c);
    std::vector<uint64_t> y(size_t(s.out_h()) * s.out_w() * bits::words_for(size_t(s.out_c)));
    ConvBnnArgs a;
    a.s = s;
    a.x = x.data();
    a.w = w.data();
    a.out.kind = BnnOutput::kBits;
    a.out.thresholds = th.data();
    a.out.y_bits = y.data();
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

// One DeepSense GRU layer (10 steps, 384 inputs, 120 units) in f32 and in int8 fixed
// point (8-bit pre-activations, gates and state), best variant and the reference.
void BM_gru(benchmark::State& st, bool fixed_point, bool reference) {
  const int T = 10, F = 384, H = 120;
  std::mt19937 g(4);
  if (!fixed_point) {
    auto x = random_vec<float>(size_t(T) * F, g), wih = random_vec<float>(size_t(3) * H * F, g),
         whh = random_vec<float>(size_t(3) * H * H, g);
    std::vector<float> y(size_t(T) * H);
    RnnArgs<float> a;
    a.steps = T;
    a.input = F;
    a.hidden = H;
    a.x = x.data();
    a.w_ih = wih.data();
    a.w_hh = whh.data();
    a.y = y.data();
    time_kernel(st, reference ? reference_kernel(Op::kGru, Precision::kF32) : best_kernel(Op::kGru, Precision::kF32, &a), a);
  } else {
    auto x = random_vec<int8_t>(size_t(T) * F, g), wih = random_vec<int8_t>(size_t(3) * H * F, g),
         whh = random_vec<int8_t>(size_t(3) * H * H, g);
    std::vector<int8_t> y(size_t(T) * H);
    RnnArgs<int8_t> a;
    a.steps = T;
    a.input = F;
    a.hidden = H;
    a.x = x.data();
    a.w_ih = wih.data();
    a.w_hh = whh.data();
    a.y = y.data();
    a.q.fl_x = 5;
    a.q.fl_w_ih = a.q.fl_w_hh = 9;
    a.q.fl_h = 6;
    a.q.wl_h = 8;
    a.q.fl_pre = 4;
    a.q.wl_pre = 8;
    a.q.fl_gate = 6;
    a.q.wl_gate = 8;
    time_kernel(st, reference ? reference_kernel(Op::kGru, Precision::kI8) : best_kernel(Op::kGru, Precision::kI8, &a), a);
  }
}

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
  register_bc_benchmarks();
  benchmark::RegisterBenchmark("gru/f32", BM_gru, false, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("gru/f32_ref", BM_gru, false, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("gru/i8", BM_gru, true, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("gru/i8_ref", BM_gru, true, true)->Unit(benchmark::kMicrosecond);
  benchmark::Initialize(&argc, argv);
  BestOfReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  std::printf("\n%-36s %12s %12s %10s %10s %10s %10s\n", "layer (best CPU time, us)", "f32", "openblas",
              "f32/blas", "f32/onednn", "i8 speedup", "bnn speedup");
  for (const LayerShape& l : layers()) {
    const std::string n = l.name;
    auto get = [&](const std::string& p) { auto it = rep.best.find(p + "/" + n); return it == rep.best.end() ? 0.0 : it->second; };
    const double f = get("f32"), b = get("openblas"), i = get("i8"), x = get("bnn"), d = get("onednn");
    if (f <= 0) continue;
    std::printf("%-36s %12.2f %12.2f %9.2fx %9.2fx %9.2fx ", l.name, f, b, b > 0 ? b / f : 0.0, d > 0 ? d / f : 0.0,
                i > 0 ? f / i : 0.0);
    if (x > 0) std::printf("%9.2fx\n", f / x);
    else std::printf("%10s\n", "-");
  }
  auto best = [&](const char* n) { auto it = rep.best.find(n); return it == rep.best.end() ? 0.0 : it->second; };
  if (best("gru/f32") > 0 && best("gru/i8") > 0)
    std::printf("%-36s f32 %.2f us (ref %.2f), i8 %.2f us (ref %.2f): i8 %.2fx f32\n", "deepsense.gru T10 384>120",
                best("gru/f32"), best("gru/f32_ref"), best("gru/i8"), best("gru/i8_ref"), best("gru/f32") / best("gru/i8"));
  std::printf("(f32/blas = OpenBLAS time / ours: ≥ 0.8 means at least 0.8× OpenBLAS speed; "
              "speedups = our f32 time / that kernel's)\n");
  print_bc_table(rep.best);
  return 0;
}
