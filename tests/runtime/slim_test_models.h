#pragma once
// Small .slim models built in code for the runtime's tests, with naive double-precision
// references computed here (independent of the kernels).
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace slimrt::test {

// The error loading (and binding) `bytes` raises; "" when the model is accepted.
inline std::string load_error(const std::vector<uint8_t>& bytes) {
  try {
    auto m = Model::from_memory(bytes.data(), bytes.size());
    Interpreter in(m);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

#ifdef SLIMRT_TEST_DATA_DIR
// tests/runtime/fixtures/, beside SLIMRT_TEST_DATA_DIR (tests/runtime/data).
inline std::string fixtures_dir() {
  const std::string data = SLIMRT_TEST_DATA_DIR;
  return data.substr(0, data.find_last_of('/')) + "/fixtures/";
}
#endif

inline std::vector<float> random_values(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = nd(rng);
  return v;
}

// input [1, 8, 8] → conv 3×3 (4 filters, pad 1, fused ReLU) → maxpool 2 → reshape [64]
// → dense 64→5 → softmax.
struct SmallCnn {
  std::vector<float> w1, b1, w2, b2;
  ModelWriter writer;
  SmallCnn() {
    w1 = random_values(4 * 1 * 3 * 3, 1, 0.5f);
    b1 = random_values(4, 2, 0.1f);
    w2 = random_values(5 * 64, 3, 0.2f);
    b2 = random_values(5, 4, 0.1f);
    auto& m = writer;
    const int x = m.add_tensor("input", DType::F32, {1, 8, 8});
    const int cw = m.add_f32("conv.weight", {4, 1, 3, 3}, w1);
    const int cb = m.add_f32("conv.bias", {4}, b1);
    const int c = m.add_tensor("conv", DType::F32, {4, 8, 8});
    auto& conv = m.add_op(OpType::Conv2d, "conv", {x, cw, cb}, {c});
    conv.kernel = {3, 3};
    conv.stride = {1, 1};
    conv.padding = {1, 1};
    conv.dilation = {1, 1};
    conv.activation = fb::Activation::Relu;
    const int p = m.add_tensor("pool", DType::F32, {4, 4, 4});
    auto& pool = m.add_op(OpType::MaxPool2d, "pool", {c}, {p});
    pool.kernel = {2, 2};
    pool.stride = {2, 2};
    const int f = m.add_tensor("flat", DType::F32, {64});
    m.add_op(OpType::Reshape, "flat", {p}, {f});
    const int dw = m.add_f32("fc.weight", {5, 64}, w2);
    const int db = m.add_f32("fc.bias", {5}, b2);
    const int d = m.add_tensor("fc", DType::F32, {5});
    m.add_op(OpType::Dense, "fc", {f, dw, db}, {d});
    const int s = m.add_tensor("prob", DType::F32, {5});
    m.add_op(OpType::Softmax, "softmax", {d}, {s});
    m.inputs = {x};
    m.outputs = {s};
    m.metadata.model = "small_cnn";
    m.metadata.precision = "fp32";
    m.metadata.class_names = {"a", "b", "c", "d", "e"};
  }

  std::vector<double> reference(const std::vector<float>& in) const {
    std::vector<double> conv(4 * 64);
    for (int o = 0; o < 4; ++o)
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) {
          double acc = b1[o];
          for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 3; ++v) {
              const int ii = i + u - 1, jj = j + v - 1;
              if (ii < 0 || jj < 0 || ii >= 8 || jj >= 8) continue;
              acc += double(w1[o * 9 + u * 3 + v]) * in[ii * 8 + jj];
            }
          conv[o * 64 + i * 8 + j] = std::max(acc, 0.0);
        }
    std::vector<double> pool(64);
    for (int o = 0; o < 4; ++o)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          double m = -1e300;
          for (int u = 0; u < 2; ++u)
            for (int v = 0; v < 2; ++v) m = std::max(m, conv[o * 64 + (2 * i + u) * 8 + 2 * j + v]);
          pool[o * 16 + i * 4 + j] = m;
        }
    std::vector<double> logits(5);
    double mx = -1e300;
    for (int o = 0; o < 5; ++o) {
      double acc = b2[o];
      for (int i = 0; i < 64; ++i) acc += double(w2[o * 64 + i]) * pool[i];
      logits[o] = acc;
      mx = std::max(mx, acc);
    }
    double sum = 0;
    for (auto& l : logits) sum += (l = std::exp(l - mx));
    for (auto& l : logits) l /= sum;
    return logits;
  }
};

}  // namespace slimrt::test
