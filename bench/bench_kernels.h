#pragma once
// Shared by the bench_kernels sources (bench_kernels.cpp: slimrt and the BLAS / oneDNN
// peers; bench_kernels_ops.cpp: recurrent, pooling and element-wise kernels against
// their reference; bench_kernels_xnnpack.cpp: the XNNPACK peer): the layer shapes of
// our models, random inputs, and the timing loop of a slimrt kernel.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace slimlab_bench {
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

inline ConvShape conv(int c, int h, int w, int o, int kh, int kw, int pad = 0) {
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

inline const std::vector<LayerShape>& layers() {
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
inline std::vector<T> random_vec(size_t n, std::mt19937& g) {
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
inline std::vector<uint64_t> random_bits(size_t words, std::mt19937_64& g) {
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

inline int64_t macs(const LayerShape& l) {
  return l.dense ? int64_t(l.fc.batch) * l.fc.in * l.fc.out : l.conv.macs();
}


// Registration of the other sources' benchmarks (called from main before the run).
void register_op_benchmarks();
void register_xnnpack_benchmarks(const std::vector<LayerShape>& layers);  // no-op without XNNPACK
// The table of bench_kernels_ops.cpp's results: best CPU time per benchmark name.
void print_op_table(const std::map<std::string, double>& best);

}  // namespace slimlab_bench
