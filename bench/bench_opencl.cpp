// slimrt OpenCL backend vs the CPU kernels, per op and per whole model, in one run.
// Usage: bench_opencl [--device N] [--runs R] [--fp16] [--models DIR_OF_SLIM_FILES] [--conv tiled|direct]
//                     [--notune]
// Every OpenCL time includes what the interpreter pays per op: the host → device copy
// of the op's inputs, the kernel, and the device → host copy of its output (ops are
// placed one by one; activations return to the CPU arena after each). On PoCL the
// "device" is this same CPU (pthread device, LLVM-compiled kernels), so the figures
// measure the backend's overheads and kernel quality, not a GPU. docs/BENCHMARKS.md.
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "opencl_test_models.h"
#include "slimrt/opencl.h"
#include "slimrt/runtime.h"

namespace k = slimrt::kernels;
using Clock = std::chrono::steady_clock;

namespace {

int g_runs = 30;

double process_cpu_ms() {  // every thread of the process (PoCL's workers included)
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Median wall-clock ms of f; *cpu_ms gets the median process CPU ms (all threads), which
// a loaded machine disturbs much less than wall time.
double median_ms(const std::function<void()>& f, double* cpu_ms = nullptr) {
  for (int i = 0; i < 3; ++i) f();  // warm-up (first launches compile work-group functions on PoCL)
  std::vector<double> t, c;
  for (int i = 0; i < g_runs; ++i) {
    const double c0 = process_cpu_ms();
    const auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    c.push_back(process_cpu_ms() - c0);
  }
  std::sort(t.begin(), t.end());
  std::sort(c.begin(), c.end());
  if (cpu_ms) *cpu_ms = c[c.size() / 2];
  return t[t.size() / 2];
}

struct Buf {  // 64-byte aligned bytes
  std::vector<uint8_t> s;
  uint8_t* p = nullptr;
  explicit Buf(size_t n) : s(n + 64, 0) { p = s.data() + (64 - reinterpret_cast<uintptr_t>(s.data()) % 64) % 64; }
  template <class T> T* as() { return reinterpret_cast<T*>(p); }
};
std::vector<std::unique_ptr<Buf>> g_keep;
template <class T>
T* random_data(size_t n, double lo, double hi, uint32_t seed) {
  g_keep.push_back(std::make_unique<Buf>(n * sizeof(T)));
  T* p = g_keep.back()->as<T>();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  for (size_t i = 0; i < n; ++i) p[i] = T(d(rng));
  return p;
}
uint64_t* random_bits(size_t words, uint32_t seed) {
  g_keep.push_back(std::make_unique<Buf>(words * 8));
  uint64_t* p = g_keep.back()->as<uint64_t>();
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < words; ++i) p[i] = rng();
  return p;
}
template <class T>
T* output(size_t n) {
  g_keep.push_back(std::make_unique<Buf>(n * sizeof(T)));
  return g_keep.back()->as<T>();
}

// Prepares kernel `kern` on args a (pack once) and times its runs.
template <class A>
double time_kernel(const k::Kernel& kern, A a, double* cpu_ms) {
  Buf packed(k::packed_bytes(kern, &a) + 64), scratch(k::scratch_bytes(kern, &a) + 64);
  if (kern.pack && k::packed_bytes(kern, &a)) kern.pack(&a, packed.p);
  a.ws.packed = packed.p;
  a.ws.scratch = scratch.p;
  const double ms = median_ms([&] { kern.run(&a, kern.context); }, cpu_ms);
  if (kern.release) kern.release(&a, packed.p);
  return ms;
}

template <class A>
void row(const char* what, int64_t macs, k::Op op, k::Precision p, const A& a, bool fp16 = false) {
  const k::Kernel* cpu = k::best_kernel(op, p, &a);
  const std::string name = std::string(k::to_string(op)) + "/" + k::to_string(p) + (fp16 ? "/opencl-fp16" : "/opencl");
  const k::Kernel* ocl = k::find_kernel(name);
  if (!cpu || !ocl) {
    std::printf("| %s | — | — | — | missing kernel |\n", what);
    return;
  }
  double cc = 0, oc = 0;
  const double c = time_kernel(*cpu, a, &cc), o = time_kernel(*ocl, a, &oc);
  std::printf("| %s | %s | %.3f | %.3f | %s | %.3f | %.3f | %.2f× |\n", what, cpu->name.c_str(), c, cc,
              ocl->name.c_str(), o, oc, cc / oc);
}

k::ConvShape conv_shape(int c, int hw, int o, int kk, int pad, int groups = 1) {
  k::ConvShape s;
  s.in_c = c;
  s.in_h = s.in_w = hw;
  s.out_c = o;
  s.kernel_h = s.kernel_w = kk;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = pad;
  s.groups = groups;
  return s;
}

void per_op(bool fp16) {
  std::printf("\n### Per op (batch 1, median of %d runs, ms; OpenCL includes the op's transfers)\n\n", g_runs);
  std::printf("| op | CPU kernel | wall ms | CPU ms | OpenCL kernel | wall ms | CPU ms (all threads) | CPU-time ratio |\n"
              "|---|---|---|---|---|---|---|---|\n");
  {
    k::DenseArgs<float> a;
    a.s = {1, 1024, 1024};
    a.x = random_data<float>(1024, -1, 1, 1);
    a.w = random_data<float>(1024 * 1024, -1, 1, 2);
    a.bias = random_data<float>(1024, -1, 1, 3);
    a.y = output<float>(1024);
    row("Dense f32 1024→1024", 1024 * 1024, k::Op::kDense, k::Precision::kF32, a);
    if (fp16) row("Dense f32 1024→1024, fp16 weights", 1024 * 1024, k::Op::kDense, k::Precision::kF32, a, true);
  }
  {
    k::DenseArgs<int8_t> a;
    a.s = {1, 1024, 1024};
    a.x = random_data<int8_t>(1024, -128, 127, 4);
    a.w = random_data<int8_t>(1024 * 1024, -128, 127, 5);
    a.y = output<int8_t>(1024);
    a.q = {5, 6, 4, 8, 0};
    row("Dense i8 1024→1024", 1024 * 1024, k::Op::kDense, k::Precision::kI8, a);
  }
  {
    k::DenseBnnArgs a;
    a.s = {1, 4096, 1024};
    a.x = random_bits(64, 6);
    a.w = random_bits(64 * 1024, 7);
    a.out.kind = k::BnnOutput::kInt32;
    a.out.y_i32 = output<int32_t>(1024);
    row("Dense bnn 4096→1024 (int32 out)", 4096 * 1024, k::Op::kDense, k::Precision::kBnn, a);
  }
  const k::ConvShape s = conv_shape(32, 32, 64, 3, 1);
  {
    k::ConvArgs<float> a;
    a.s = s;
    a.x = random_data<float>(32 * 32 * 32, -1, 1, 8);
    a.w = random_data<float>(64 * 32 * 9, -1, 1, 9);
    a.bias = random_data<float>(64, -1, 1, 10);
    a.y = output<float>(64 * 32 * 32);
    a.act = k::Activation::kRelu;
    row("Conv2d f32 32→64, 32×32, 3×3", s.macs(), k::Op::kConv2d, k::Precision::kF32, a);
    if (fp16) row("Conv2d f32 32→64, fp16 weights", s.macs(), k::Op::kConv2d, k::Precision::kF32, a, true);
  }
  {
    k::ConvArgs<int8_t> a;
    a.s = s;
    a.x = random_data<int8_t>(32 * 32 * 32, -128, 127, 11);
    a.w = random_data<int8_t>(64 * 32 * 9, -128, 127, 12);
    a.y = output<int8_t>(64 * 32 * 32);
    a.q = {5, 6, 2, 8, 0};
    row("Conv2d i8 32→64, 32×32, 3×3", s.macs(), k::Op::kConv2d, k::Precision::kI8, a);
  }
  {
    k::ConvBcArgs<float> a;
    a.s = s;
    a.x = random_data<float>(32 * 32 * 32, -1, 1, 13);
    a.w = random_bits(64 * slimrt::bits::words_for(32 * 9), 14);
    a.y = output<float>(64 * 32 * 32);
    row("Conv2d BinaryConnect f32 32→64", s.macs(), k::Op::kConv2d, k::Precision::kBcF32, a);
  }
  {
    k::ConvBnnArgs a;
    a.s = conv_shape(64, 32, 64, 3, 1);
    a.x = random_bits(32 * 32, 15);
    a.w = random_bits(64 * 9, 16);
    a.out.kind = k::BnnOutput::kInt32;
    a.out.y_i32 = output<int32_t>(64 * 32 * 32);
    row("Conv2d bnn 64→64, 32×32, 3×3", a.s.macs(), k::Op::kConv2d, k::Precision::kBnn, a);
  }
  {
    k::ConvArgs<float> a;
    a.s = conv_shape(64, 32, 64, 3, 1, 64);
    a.x = random_data<float>(64 * 32 * 32, -1, 1, 17);
    a.w = random_data<float>(64 * 9, -1, 1, 18);
    a.y = output<float>(64 * 32 * 32);
    row("DepthwiseConv2d f32 64, 32×32, 3×3", a.s.macs(), k::Op::kDepthwiseConv2d, k::Precision::kF32, a);
  }
  {
    k::PoolArgs<float> a;
    a.s.channels = 64;
    a.s.in_h = a.s.in_w = 32;
    a.s.out_h = a.s.out_w = 16;
    a.s.kernel_h = a.s.kernel_w = a.s.stride_h = a.s.stride_w = 2;
    a.x = random_data<float>(64 * 32 * 32, -1, 1, 19);
    a.y = output<float>(64 * 16 * 16);
    row("MaxPool2d f32 64×32×32 /2", 0, k::Op::kMaxPool2d, k::Precision::kF32, a);
  }
  {
    k::RnnArgs<float> a;
    a.steps = 128;
    a.input = 3;
    a.hidden = 64;
    a.x = random_data<float>(128 * 3, -1, 1, 20);
    a.w_ih = random_data<float>(3 * 64 * 3, -0.2, 0.2, 21);
    a.w_hh = random_data<float>(3 * 64 * 64, -0.2, 0.2, 22);
    a.y = output<float>(128 * 64);
    row("Gru f32 T128 F3 H64", int64_t(128) * 3 * 64 * 67, k::Op::kGru, k::Precision::kF32, a);
  }
  {
    k::ActivationArgs<float> a;
    a.count = 1 << 20;
    a.x = random_data<float>(size_t(a.count), -1, 1, 23);
    a.y = output<float>(size_t(a.count));
    row("Relu f32 1M elements (≈ transfer cost)", 0, k::Op::kRelu, k::Precision::kF32, a);
  }
}

void per_model(const std::string& device, const std::string& dir) {
  using namespace slimrt::opencl::test;
  std::printf("\n### Whole models (batch 1, median of %d runs, ms; device '%s')\n\n", g_runs, device.c_str());
  std::printf("| model | MACs | CPU wall ms | CPU CPU-ms | OpenCL wall ms | OpenCL CPU-ms | CPU-time ratio | ops on the CPU |\n"
              "|---|---|---|---|---|---|---|---|\n");
  struct M { std::string name; std::shared_ptr<const slimrt::Model> model; };
  std::vector<M> models;
  auto add = [&](const char* name, const slimrt::ModelWriter& w) {
    const auto bytes = w.finish();
    models.push_back({name, slimrt::Model::from_memory(bytes.data(), bytes.size())});
  };
  add("fp32 CNN (MNIST 28×28, in code)", cnn_fp32(nullptr));
  add("int8/int16 CNN + BinaryConnect dense (in code)", cnn_fixed(nullptr));
  add("BNN CNN (in code)", cnn_bnn(nullptr));
  add("GRU f32 (HMP window 64×3, H 24)", rnn_model(slimrt::OpType::Gru, slimrt::DType::F32, 64));
  add("LSTM i8 (HMP window 64×3, H 24)", rnn_model(slimrt::OpType::Lstm, slimrt::DType::I8, 64));
  if (!dir.empty())  // exported models (slimlab export)
    if (DIR* d = ::opendir(dir.c_str())) {
      std::vector<std::string> files;
      while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 5 && n.substr(n.size() - 5) == ".slim") files.push_back(n);
      }
      ::closedir(d);
      std::sort(files.begin(), files.end());
      for (const auto& f : files) models.push_back({f, slimrt::Model::from_file(dir + "/" + f)});
    }
  for (const M& m : models) {
    const auto& model = m.model;
    slimrt::Interpreter cpu(model);
    slimrt::InterpreterOptions o;
    o.device = device;
    o.log = [](const std::string&) {};
    slimrt::Interpreter dev(model, o);
    std::vector<float> x(size_t(cpu.input(0).numel));
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i) * 0.37));
    cpu.set_input(0, x.data(), x.size());
    dev.set_input(0, x.data(), x.size());
    double cc = 0, dc = 0;
    const double c = median_ms([&] { cpu.invoke(); }, &cc);
    const double d = median_ms([&] { dev.invoke(); }, &dc);
    int on_cpu = 0;
    for (const auto& kn : dev.kernel_names())
      if (kn.find("/opencl") == std::string::npos && kn != "Reshape/copy") ++on_cpu;
    std::printf("| %s | %lld | %.3f | %.3f | %.3f | %.3f | %.2f× | %d |\n", m.name.c_str(),
                static_cast<long long>(model->macs()), c, cc, d, dc, cc / dc, on_cpu);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int device = 0;
  bool fp16 = false;
  std::string models;
  slimrt::opencl::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device" && i + 1 < argc) device = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) g_runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--fp16") fp16 = true;
    else if (a == "--models" && i + 1 < argc) models = argv[++i];
    else if (a == "--conv" && i + 1 < argc) options.conv = argv[++i];  // tiled | direct (default: timed)
    else if (a == "--notune") options.tune = false;
    else {
      std::fprintf(stderr, "usage: bench_opencl [--device N] [--runs R] [--fp16] [--models DIR_OF_SLIM_FILES] [--conv tiled|direct] [--notune]\n");
      return 2;
    }
  }
  try {
    slimrt::opencl::install_backend();
    const auto& info = slimrt::opencl::install(device, options);
    const auto origin = slimrt::opencl::program_origin();
    std::printf("OpenCL device %s\nprogram: %s in %.0f ms; CPU kernels: the best this CPU supports\n",
                info.describe().c_str(), origin.from.c_str(), origin.build_ms);
    per_op(fp16);
    per_model("opencl:" + std::to_string(device), models);
    if (fp16) per_model("opencl:" + std::to_string(device) + ",fp16", models);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_opencl: %s\n", e.what());
    return 1;
  }
  return 0;
}
