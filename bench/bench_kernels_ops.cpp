// bench_kernels, part 2: the recurrent, pooling, mean and element-wise kernels of
// compressed exports — the best variant for this CPU against the reference kernel
// (what these ops ran before they had SIMD variants), on our models' shapes.
#include <cstdio>

#include "bench_kernels.h"

namespace slimlab_bench {
namespace {

struct OpCase {
  std::string label;  // benchmarks "ops/<label>" (best variant) and "ops/<label>/ref"
  void (*fn)(benchmark::State&, int, bool);
  int index;          // the case's row in its family's table
};
std::vector<OpCase>& op_cases() {
  static std::vector<OpCase> v;
  return v;
}

// f(tag) with a value of the precision's element type.
template <class F>
void by_precision(Precision p, F f) {
  if (p == Precision::kF32) f(float{});
  else if (p == Precision::kI8) f(int8_t{});
  else f(int16_t{});
}

template <class A>
void time_pair(benchmark::State& st, Op op, Precision p, A a, bool reference) {
  time_kernel(st, reference ? reference_kernel(op, p) : best_kernel(op, p, &a), a);
}

// ---- GRU / LSTM: formats as a calibrated int8 / int16 export writes them -------------
struct RnnCase { Op op; Precision p; int steps, input, hidden; const char* model; };
const RnnCase kRnn[] = {
    {Op::kGru, Precision::kF32, 10, 384, 120, "deepsense"}, {Op::kGru, Precision::kI8, 10, 384, 120, "deepsense"},
    {Op::kGru, Precision::kI16, 10, 384, 120, "deepsense"}, {Op::kGru, Precision::kI8, 20, 16, 15, "quickstart"},
    {Op::kLstm, Precision::kI8, 20, 64, 120, "har"},        {Op::kLstm, Precision::kI16, 20, 64, 120, "har"},
};

template <class T>
void rnn_bench(benchmark::State& st, const RnnCase& c, bool reference) {
  std::mt19937 g(4);
  const int G = c.op == Op::kGru ? 3 : 4, bits = int(sizeof(T) * 8);
  auto x = random_vec<T>(size_t(c.steps) * c.input, g), wih = random_vec<T>(size_t(G) * c.hidden * c.input, g),
       whh = random_vec<T>(size_t(G) * c.hidden * c.hidden, g);
  std::vector<T> y(size_t(c.steps) * c.hidden);
  RnnArgs<T> a;
  a.steps = c.steps;
  a.input = c.input;
  a.hidden = c.hidden;
  a.x = x.data();
  a.w_ih = wih.data();
  a.w_hh = whh.data();
  a.y = y.data();
  a.q.fl_x = bits - 3;
  a.q.fl_w_ih = a.q.fl_w_hh = bits + 1;  // |w| < 1/2 at full range
  a.q.fl_h = a.q.fl_pre = bits - 4;
  a.q.wl_h = a.q.wl_pre = a.q.wl_gate = bits;
  a.q.fl_gate = bits - 2;
  a.q.fl_c = c.op == Op::kLstm ? bits - 5 : 0;
  a.q.wl_c = c.op == Op::kLstm ? bits : 0;
  time_pair(st, c.op, c.p, a, reference);
}
void BM_rnn(benchmark::State& st, int i, bool reference) {
  by_precision(kRnn[i].p, [&](auto tag) { rnn_bench<decltype(tag)>(st, kRnn[i], reference); });
}

// ---- pooling -----------------------------------------------------------------------------
struct PoolCase { Op op; Precision p; int c, h, w, k; const char* model; };
const PoolCase kPool[] = {
    {Op::kMaxPool2d, Precision::kF32, 20, 24, 24, 2, "lenet.pool1"}, {Op::kMaxPool2d, Precision::kI8, 20, 24, 24, 2, "lenet.pool1"},
    {Op::kAvgPool2d, Precision::kI8, 64, 10, 10, 2, "audio.pool"},   {Op::kMaxPool1d, Precision::kI16, 64, 1, 100, 2, "cnn1d.pool"},
    {Op::kMaxPool1d, Precision::kI8, 64, 1, 100, 2, "cnn1d.pool"},
};
template <class T>
void pool_bench(benchmark::State& st, const PoolCase& c, bool reference) {
  std::mt19937 g(6);
  PoolArgs<T> a;
  a.s.channels = c.c;
  a.s.in_h = c.h;
  a.s.in_w = c.w;
  a.s.kernel_h = a.s.stride_h = c.h > 1 ? c.k : 1;
  a.s.kernel_w = a.s.stride_w = c.k;
  a.s.out_h = c.h / a.s.kernel_h;
  a.s.out_w = c.w / c.k;
  auto x = random_vec<T>(size_t(c.c) * c.h * c.w, g);
  std::vector<T> y(size_t(c.c) * a.s.out_h * a.s.out_w);
  a.x = x.data();
  a.y = y.data();
  a.q.fl_x = a.q.fl_y = 4;
  a.q.wl_y = int(sizeof(T) * 8);
  time_pair(st, c.op, c.p, a, reference);
}
void BM_pool(benchmark::State& st, int i, bool reference) {
  by_precision(kPool[i].p, [&](auto tag) { pool_bench<decltype(tag)>(st, kPool[i], reference); });
}

// ---- element-wise and means: a 64×20×16 feature map, a [20, 120] sequence ---------------
struct EwCase { Op op; Precision p; const char* what; };
const EwCase kEw[] = {
    {Op::kRelu, Precision::kI8, "64x20x16"},         {Op::kHardTanh, Precision::kF32, "64x20x16"},
    {Op::kHardTanh, Precision::kI16, "64x20x16"},    {Op::kAdd, Precision::kI8, "64x20x16"},
    {Op::kMeanOverTime, Precision::kI8, "T20 F120"}, {Op::kGlobalAvgPool, Precision::kF32, "128x10x10"},
};
template <class T>
void ew_bench(benchmark::State& st, const EwCase& c, bool reference) {
  std::mt19937 g(7);
  const int n = 64 * 20 * 16;
  auto x = random_vec<T>(n, g), x2 = random_vec<T>(n, g);
  std::vector<T> y(n);
  FixedFormats q;
  q.fl_x = q.fl_y = 4;
  q.fl_x2 = 5;
  q.wl_y = int(sizeof(T) * 8);
  if (c.op == Op::kAdd) {
    AddArgs<T> a;
    a.count = n;
    a.x = x.data();
    a.x2 = x2.data();
    a.y = y.data();
    a.q = q;
    a.act = Activation::kRelu;
    return time_pair(st, c.op, c.p, a, reference);
  }
  if (c.op == Op::kMeanOverTime || c.op == Op::kGlobalAvgPool) {
    ReduceMeanArgs<T> a;
    a.outer = c.op == Op::kMeanOverTime ? 20 : 128;
    a.inner = c.op == Op::kMeanOverTime ? 120 : 100;
    a.x = x.data();
    a.y = y.data();
    a.q = q;
    return time_pair(st, c.op, c.p, a, reference);
  }
  ActivationArgs<T> a;
  a.count = n;
  a.x = x.data();
  a.y = y.data();
  a.q = q;
  time_pair(st, c.op, c.p, a, reference);
}
void BM_ew(benchmark::State& st, int i, bool reference) {
  by_precision(kEw[i].p, [&](auto tag) { ew_bench<decltype(tag)>(st, kEw[i], reference); });
}

std::string label_of(Op op, Precision p, const std::string& what) {
  return std::string(to_string(op)) + "/" + to_string(p) + " " + what;
}

}  // namespace

void register_op_benchmarks() {
  auto add = [](const std::string& label, void (*fn)(benchmark::State&, int, bool), int i) {
    op_cases().push_back({label, fn, i});
    benchmark::RegisterBenchmark(("ops/" + label).c_str(), fn, i, false)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ops/" + label + "/ref").c_str(), fn, i, true)->Unit(benchmark::kMicrosecond);
  };
  for (int i = 0; i < int(std::size(kRnn)); ++i) {
    const RnnCase& c = kRnn[i];
    add(label_of(c.op, c.p, std::string(c.model) + " T" + std::to_string(c.steps) + " " + std::to_string(c.input) + ">" +
                                std::to_string(c.hidden)),
        BM_rnn, i);
  }
  for (int i = 0; i < int(std::size(kPool)); ++i) {
    const PoolCase& c = kPool[i];
    add(label_of(c.op, c.p, std::string(c.model) + " " + std::to_string(c.c) + "x" + std::to_string(c.h) + "x" +
                                std::to_string(c.w) + " k" + std::to_string(c.k)),
        BM_pool, i);
  }
  for (int i = 0; i < int(std::size(kEw)); ++i) add(label_of(kEw[i].op, kEw[i].p, kEw[i].what), BM_ew, i);
}

void print_op_table(const std::map<std::string, double>& best) {
  std::printf("\n%-44s %12s %12s %9s\n", "op (best CPU time, us)", "best variant", "reference", "speedup");
  for (const OpCase& c : op_cases()) {
    auto get = [&](const std::string& n) { auto it = best.find(n); return it == best.end() ? 0.0 : it->second; };
    const double b = get("ops/" + c.label), r = get("ops/" + c.label + "/ref");
    if (b <= 0 || r <= 0) continue;
    std::printf("%-44s %12.2f %12.2f %8.2fx\n", c.label.c_str(), b, r, r / b);
  }
}

}  // namespace slimlab_bench
