#pragma once
// Models built in code for the OpenCL tests and bench/bench_opencl.cpp, in every
// precision slimrt runs (fp32 CNN, int8 / int16 CNN with a BinaryConnect layer, BNN CNN,
// GRU / LSTM in f32 / i8 / i16), and readers for the real data they are fed (MNIST
// test digits, HMP accelerometer windows from ../shared/datasets). The classifier heads
// are nearest-class-mean heads fitted on the CPU (fit_head), so the models make real,
// non-degenerate predictions. Header-only; needs SLIMRT_TEST_DATA_DIR or SLIMRT_DATASETS.
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "slim_test_models.h"
#include "slimrt/bitpack.h"
#include "slimrt/fixed_point.h"
#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace slimrt::opencl::test {
using slimrt::test::random_values;

inline std::string datasets_dir() {
  if (const char* e = std::getenv("SLIMRT_DATASETS")) return e;
  // <repo>/tests/runtime/data → <repo>/../shared/datasets (data/ itself may not exist).
  std::string d = SLIMRT_TEST_DATA_DIR;
  const size_t at = d.rfind("/tests/runtime");
  return (at == std::string::npos ? d : d.substr(0, at)) + "/../shared/datasets";
}

// The first n MNIST test labels.
inline std::vector<int> mnist_labels(size_t n) {
  const std::string path = datasets_dir() + "/mnist/t10k-labels-idx1-ubyte.gz";
  std::vector<int> out;
  if (!std::ifstream(path)) return out;
  FILE* p = ::popen(("gzip -dc '" + path + "' 2>/dev/null").c_str(), "r");
  if (!p) return out;
  unsigned char header[8];
  if (std::fread(header, 1, 8, p) == 8 && header[3] == 1)
    for (int c; out.size() < n && (c = std::fgetc(p)) != EOF;) out.push_back(c);
  ::pclose(p);
  return out;
}

// The first n MNIST test images as [28·28] floats in [0, 1] (gzip via the gzip tool).
inline std::vector<std::vector<float>> mnist_images(size_t n) {
  const std::string path = datasets_dir() + "/mnist/t10k-images-idx3-ubyte.gz";
  if (!std::ifstream(path)) return {};
  FILE* p = ::popen(("gzip -dc '" + path + "' 2>/dev/null").c_str(), "r");
  if (!p) return {};
  std::vector<std::vector<float>> out;
  unsigned char header[16];
  if (std::fread(header, 1, 16, p) == 16 && header[2] == 8 && header[3] == 3) {
    std::vector<unsigned char> img(784);
    while (out.size() < n && std::fread(img.data(), 1, img.size(), p) == img.size()) {
      std::vector<float> v(784);
      for (size_t i = 0; i < 784; ++i) v[i] = float(img[i]) / 255.0f;
      out.push_back(std::move(v));
    }
  }
  ::pclose(p);
  return out;
}

// Windows of `steps` HMP samples [steps][3] in g, from the first trials of each class.
inline std::vector<std::vector<float>> hmp_windows(size_t n, int steps, std::vector<int>* labels = nullptr) {
  std::vector<std::vector<float>> out;
  const std::string root = datasets_dir() + "/hmp";
  DIR* d = ::opendir(root.c_str());
  if (!d) return out;
  std::vector<std::string> classes;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.' && std::string(e->d_name).find('.') == std::string::npos) classes.push_back(e->d_name);
  ::closedir(d);
  std::sort(classes.begin(), classes.end());
  for (const std::string& c : classes) {
    DIR* cd = ::opendir((root + "/" + c).c_str());
    if (!cd) continue;
    std::vector<std::string> files;
    while (dirent* e = ::readdir(cd))
      if (std::string(e->d_name).find(".txt") != std::string::npos) files.push_back(e->d_name);
    ::closedir(cd);
    std::sort(files.begin(), files.end());
    if (files.empty()) continue;
    std::ifstream f(root + "/" + c + "/" + files[0]);
    std::vector<float> all;
    int x, y, z;
    while (f >> x >> y >> z)
      for (int v : {x, y, z}) all.push_back(-1.5f + float(v) / 63.0f * 3.0f);
    for (size_t at = 0, k = 0; at + size_t(steps) * 3 <= all.size() && out.size() < n && k < 4;
         at += size_t(steps) * 3 / 2, ++k) {
      out.emplace_back(all.begin() + long(at), all.begin() + long(at + size_t(steps) * 3));
      if (labels) labels->push_back(int(&c - &classes[0]));
    }
    if (out.size() >= n) break;
  }
  return out;
}

// ---- models built in code ---------------------------------------------------------------
inline std::vector<int8_t> q8(const std::vector<float>& v, int fl) {
  std::vector<int8_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) q[i] = int8_t(fixed::quantize(v[i], 8, fl));
  return q;
}
inline std::vector<int16_t> q16(const std::vector<float>& v, int fl) {
  std::vector<int16_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) q[i] = int16_t(fixed::quantize(v[i], 16, fl));
  return q;
}
inline std::vector<int32_t> qbias(const std::vector<float>& v, int fl) {
  std::vector<int32_t> q(v.size());
  for (size_t i = 0; i < v.size(); ++i) q[i] = fixed::quantize_bias(v[i], fl);
  return q;
}
// Rows of ±1 packed (sign of v), rows × words(n) words.
inline std::vector<uint64_t> packed_rows(const std::vector<float>& v, size_t rows, size_t n) {
  std::vector<uint64_t> out(rows * bits::words_for(n));
  for (size_t r = 0; r < rows; ++r) bits::pack_row(v.data() + r * n, n, out.data() + r * bits::words_for(n));
  return out;
}
inline void conv(ModelWriter& m, const std::string& name, std::vector<int> in, int y, int k, int stride, int pad,
          bool relu, OpType type = OpType::Conv2d, int groups = 1) {
  auto& op = m.add_op(type, name, std::move(in), {y});
  op.kernel = {k, k};
  op.stride = {stride, stride};
  op.padding = {pad, pad};
  op.dilation = {1, 1};
  op.groups = groups;
  if (relu) op.activation = fb::Activation::Relu;
}
inline void pool(ModelWriter& m, OpType type, const std::string& name, int x, int y, int k) {
  auto& op = m.add_op(type, name, {x}, {y});
  op.kernel = {k, k};
  op.stride = {k, k};
  op.padding = {0, 0};
}

// A nearest-class-mean classifier head over a model's features (fitted on the CPU):
// logit_c = μ_c · x − |μ_c|² / 2. Null: the model outputs its features.
struct Head {
  std::vector<float> w, b;
  int classes = 0;
  double range = 1;  // largest |logit| seen while fitting (fixed-point output format)
};

// fp32 LeNet-like: conv 5×5 (8, ReLU) → maxpool 2 → depthwise 3×3 (ReLU6 after) →
// conv 3×3 (16, ReLU, pad 1) → avgpool 2 → flatten → dense 10 → softmax.
inline ModelWriter cnn_fp32(const Head* head) {
  ModelWriter m;
  const int x = m.add_tensor("image", DType::F32, {1, 28, 28});
  const int w1 = m.add_f32("w1", {8, 1, 5, 5}, random_values(200, 11, 0.3f));
  const int b1 = m.add_f32("b1", {8}, random_values(8, 12, 0.1f));
  const int c1 = m.add_tensor("c1", DType::F32, {8, 24, 24});
  conv(m, "conv1", {x, w1, b1}, c1, 5, 1, 0, true);
  const int p1 = m.add_tensor("p1", DType::F32, {8, 12, 12});
  pool(m, OpType::MaxPool2d, "pool1", c1, p1, 2);
  const int wd = m.add_f32("wd", {8, 1, 3, 3}, random_values(72, 15, 0.4f));
  const int dw = m.add_tensor("dw", DType::F32, {8, 12, 12});
  conv(m, "dw", {p1, wd}, dw, 3, 1, 1, false, OpType::DepthwiseConv2d, 8);
  const int r6 = m.add_tensor("r6", DType::F32, {8, 12, 12});
  m.add_op(OpType::Relu6, "relu6", {dw}, {r6});
  const int w2 = m.add_f32("w2", {16, 8, 3, 3}, random_values(1152, 13, 0.2f));
  const int b2 = m.add_f32("b2", {16}, random_values(16, 14, 0.1f));
  const int c2 = m.add_tensor("c2", DType::F32, {16, 12, 12});
  conv(m, "conv2", {r6, w2, b2}, c2, 3, 1, 1, true);
  const int p2 = m.add_tensor("p2", DType::F32, {16, 6, 6});
  pool(m, OpType::AvgPool2d, "pool2", c2, p2, 2);
  const int f = m.add_tensor("flat", DType::F32, {576});
  m.add_op(OpType::Reshape, "flat", {p2}, {f});
  m.inputs = {x};
  m.outputs = {f};
  if (!head) return m;
  const int wf = m.add_f32("wf", {10, 576}, head->w);
  const int bf = m.add_f32("bf", {10}, head->b);
  const int lg = m.add_tensor("logits", DType::F32, {10});
  m.add_op(OpType::Dense, "fc", {f, wf, bf}, {lg});
  const int pr = m.add_tensor("prob", DType::F32, {10});
  m.add_op(OpType::Softmax, "softmax", {lg}, {pr});
  m.inputs = {x};
  m.outputs = {pr};
  m.metadata.model = "cnn_fp32";
  m.metadata.precision = "fp32";
  return m;
}

// Fixed point: quantize → conv int8 (ReLU) → maxpool → conv int8 (ReLU) → avgpool →
// flatten → BinaryConnect dense with int8 activations → ReLU → dense int16 (after a
// requantize to int16) → dequantize.
inline ModelWriter cnn_fixed(const Head* head) {
  ModelWriter m;
  const int x = m.add_tensor("image", DType::F32, {1, 28, 28});
  const int xq = m.add_tensor("image_q", DType::I8, {1, 28, 28}, 7);
  m.add_op(OpType::Quantize, "quantize", {x}, {xq});
  auto w1 = q8(random_values(200, 21, 0.3f), 6);
  const int w1t = m.add_constant("w1", DType::I8, {8, 1, 5, 5}, w1.data(), w1.size(), 6);
  const int b1 = m.add_i32("b1", {8}, qbias(random_values(8, 22, 0.1f), 13), 13);
  const int c1 = m.add_tensor("c1", DType::I8, {8, 24, 24}, 4);
  conv(m, "conv1", {xq, w1t, b1}, c1, 5, 1, 0, true);
  const int p1 = m.add_tensor("p1", DType::I8, {8, 12, 12}, 4);
  pool(m, OpType::MaxPool2d, "pool1", c1, p1, 2);
  auto w2 = q8(random_values(1152, 23, 0.2f), 7);
  const int w2t = m.add_constant("w2", DType::I8, {16, 8, 3, 3}, w2.data(), w2.size(), 7);
  const int b2 = m.add_i32("b2", {16}, qbias(random_values(16, 24, 0.1f), 11), 11);
  const int c2 = m.add_tensor("c2", DType::I8, {16, 12, 12}, 3);
  conv(m, "conv2", {p1, w2t, b2}, c2, 3, 1, 1, true);
  const int p2 = m.add_tensor("p2", DType::I8, {16, 6, 6}, 3);
  pool(m, OpType::AvgPool2d, "pool2", c2, p2, 2);
  const int f = m.add_tensor("flat", DType::I8, {576}, 3);
  m.add_op(OpType::Reshape, "flat", {p2}, {f});
  auto wb = packed_rows(random_values(64 * 576, 25), 64, 576);
  const int wbt = m.add_constant("wbc", DType::BIN, {64, 576}, wb.data(), wb.size() * 8);
  const int bb = m.add_i32("bbc", {64}, qbias(random_values(64, 26, 0.5f), 3), 3);
  const int h = m.add_tensor("hidden", DType::I8, {64}, 0);
  m.add_op(OpType::Dense, "fc_bc", {f, wbt, bb}, {h}).activation = fb::Activation::Relu;
  const int h16 = m.add_tensor("hidden16", DType::I16, {64}, 8);
  m.add_op(OpType::Quantize, "to_int16", {h}, {h16});
  m.inputs = {x};
  if (!head) {
    const int hf = m.add_tensor("features", DType::F32, {64});
    m.add_op(OpType::Dequantize, "features", {h16}, {hf});
    m.outputs = {hf};
    return m;
  }
  double wmax = 0;
  for (float v : head->w) wmax = std::max(wmax, double(std::fabs(v)));
  const int fl_w = fixed::fractional_bits_for_range(wmax, 16), fl_y = fixed::fractional_bits_for_range(head->range, 16);
  auto wf = q16(head->w, fl_w);
  const int wft = m.add_constant("wf", DType::I16, {10, 64}, wf.data(), wf.size() * 2, fl_w);
  const int bf = m.add_i32("bf", {10}, qbias(head->b, 8 + fl_w), 8 + fl_w);
  const int lq = m.add_tensor("logits_q", DType::I16, {10}, fl_y);
  m.add_op(OpType::Dense, "fc", {h16, wft, bf}, {lq});
  const int lg = m.add_tensor("logits", DType::F32, {10});
  m.add_op(OpType::Dequantize, "dequantize", {lq}, {lg});
  m.inputs = {x};
  m.outputs = {lg};
  m.metadata.model = "cnn_fixed";
  m.metadata.precision = "int8";
  return m;
}

// BNN: sign of the centred image → BNN conv 3×3 (32, BN+sign thresholds) → max pool 2
// on packed maps → BNN conv 3×3 (64, float scale/bias) → global average → dense 10.
inline ModelWriter cnn_bnn(const Head* head) {
  ModelWriter m;
  const int x = m.add_tensor("image", DType::F32, {1, 28, 28});
  const int s = m.add_tensor("signs", DType::BIN, {28, 28, 1});
  m.add_op(OpType::Sign, "sign", {x}, {s});
  auto pack_filters = [](int o, int kh, int kw, int c, uint32_t seed) {
    const auto v = random_values(size_t(o) * kh * kw * c, seed);
    return packed_rows(v, size_t(o) * kh * kw, size_t(c));  // [o][kh][kw][words(c)]
  };
  auto w1 = pack_filters(32, 3, 3, 1, 31);
  const int w1t = m.add_constant("w1", DType::BIN, {32, 3, 3, 1}, w1.data(), w1.size() * 8);
  std::vector<float> th(32 * 3);
  std::mt19937 rng(32);
  for (int c = 0; c < 32; ++c) {
    const auto t = bits::fold_bn_sign(std::uniform_real_distribution<double>(-1, 1)(rng), 0.3, -2 + c % 5, 1.5, 1e-5);
    th[size_t(c) * 3] = t.threshold;
    th[size_t(c) * 3 + 1] = t.direction;
    th[size_t(c) * 3 + 2] = t.constant;
  }
  const int tht = m.add_f32("th1", {32, 3}, th);
  const int c1 = m.add_tensor("c1", DType::BIN, {26, 26, 32});
  conv(m, "bconv1", {s, w1t, tht}, c1, 3, 1, 0, false);
  const int p1 = m.add_tensor("p1", DType::BIN, {13, 13, 32});
  pool(m, OpType::MaxPool2d, "pool1", c1, p1, 2);
  auto w2 = pack_filters(64, 3, 3, 32, 33);
  const int w2t = m.add_constant("w2", DType::BIN, {64, 3, 3, 32}, w2.data(), w2.size() * 8);
  const int sc = m.add_f32("scale2", {64}, random_values(64, 34, 0.05f));
  const int bi = m.add_f32("bias2", {64}, random_values(64, 35, 0.1f));
  const int c2 = m.add_tensor("c2", DType::F32, {64, 11, 11});
  conv(m, "bconv2", {p1, w2t, sc, bi}, c2, 3, 1, 0, false);
  const int g = m.add_tensor("gap", DType::F32, {64});
  m.add_op(OpType::GlobalAvgPool, "gap", {c2}, {g});
  m.inputs = {x};
  m.outputs = {g};
  if (!head) return m;
  const int wf = m.add_f32("wf", {10, 64}, head->w);
  const int bf = m.add_f32("bf", {10}, head->b);
  const int lg = m.add_tensor("logits", DType::F32, {10});
  m.add_op(OpType::Dense, "fc", {g, wf, bf}, {lg});
  m.inputs = {x};
  m.outputs = {lg};
  m.metadata.model = "cnn_bnn";
  m.metadata.precision = "binary";
  return m;
}

// HAR: GRU (or LSTM) over [steps][3] accelerometer windows → mean over time → dense 14.
inline ModelWriter rnn_model(OpType type, DType dt, int steps, const Head* head = nullptr) {
  ModelWriter m;
  const int G = type == OpType::Gru ? 3 : 4, H = 24;
  const int x = m.add_tensor("window", DType::F32, {steps, 3});
  int xin = x;
  const int fl_x = dt == DType::I8 ? 5 : 12, fl_w = dt == DType::I8 ? 6 : 14, fl_h = dt == DType::I8 ? 6 : 14;
  const auto wi = random_values(size_t(G) * H * 3, 41, 0.4f), wh = random_values(size_t(G) * H * H, 42, 0.2f);
  const auto bi = random_values(size_t(G) * H, 43, 0.1f), bh = random_values(size_t(G) * H, 44, 0.1f);
  int wit, wht, bit, bht, y;
  if (dt == DType::F32) {
    wit = m.add_f32("w_ih", {G * H, 3}, wi);
    wht = m.add_f32("w_hh", {G * H, H}, wh);
    bit = m.add_f32("b_ih", {G * H}, bi);
    bht = m.add_f32("b_hh", {G * H}, bh);
    y = m.add_tensor("h", DType::F32, {steps, H});
  } else {
    xin = m.add_tensor("window_q", dt, {steps, 3}, fl_x);
    m.add_op(OpType::Quantize, "quantize", {x}, {xin});
    const size_t eb = dt == DType::I8 ? 1 : 2;
    if (dt == DType::I8) {
      auto a = q8(wi, fl_w), b = q8(wh, fl_w);
      wit = m.add_constant("w_ih", dt, {G * H, 3}, a.data(), a.size() * eb, fl_w);
      wht = m.add_constant("w_hh", dt, {G * H, H}, b.data(), b.size() * eb, fl_w);
    } else {
      auto a = q16(wi, fl_w), b = q16(wh, fl_w);
      wit = m.add_constant("w_ih", dt, {G * H, 3}, a.data(), a.size() * eb, fl_w);
      wht = m.add_constant("w_hh", dt, {G * H, H}, b.data(), b.size() * eb, fl_w);
    }
    bit = m.add_i32("b_ih", {G * H}, qbias(bi, fl_x + fl_w), fl_x + fl_w);
    bht = m.add_i32("b_hh", {G * H}, qbias(bh, fl_h + fl_w), fl_h + fl_w);
    y = m.add_tensor("h", dt, {steps, H}, fl_h);
  }
  auto& op = m.add_op(type, "rnn", {xin, wit, wht, bit, bht}, {y});
  const int bits = dt == DType::I8 ? 8 : 16;
  op.gate_wl = bits;
  op.gate_fl = bits - 2;
  op.cell_wl = bits;
  op.cell_fl = bits - 4;
  const int mean = m.add_tensor("mean", dt, {H}, dt == DType::F32 ? 0 : fl_h);
  m.add_op(OpType::MeanOverTime, "mean", {y}, {mean});
  if (dt != DType::F32) {  // fixed point: the dequantized features are the output (compared bit for bit)
    const int mf = m.add_tensor("mean_f", DType::F32, {H});
    m.add_op(OpType::Dequantize, "dequantize", {mean}, {mf});
    m.inputs = {x};
    m.outputs = {mf};
    m.metadata.model = type == OpType::Gru ? "gru" : "lstm";
    return m;
  }
  const int mf = mean;
  m.inputs = {x};
  m.outputs = {mf};
  if (!head) return m;
  const int wf = m.add_f32("wf", {head->classes, H}, head->w);
  const int bf = m.add_f32("bf", {head->classes}, head->b);
  const int lg = m.add_tensor("logits", DType::F32, {head->classes});
  m.add_op(OpType::Dense, "fc", {mf, wf, bf}, {lg});
  m.inputs = {x};
  m.outputs = {lg};
  m.metadata.model = type == OpType::Gru ? "gru" : "lstm";
  return m;
}


inline size_t argmax(const std::vector<float>& v) { return size_t(std::max_element(v.begin(), v.end()) - v.begin()); }

// Fits the head on the CPU from the model's features on (xs, labels).
inline Head fit_head(const std::function<ModelWriter(const Head*)>& build, const std::vector<std::vector<float>>& xs,
              const std::vector<int>& labels, int classes) {
  const auto bytes = build(nullptr).finish();
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()));
  const size_t d = size_t(in.output(0).numel);
  std::vector<std::vector<float>> feats;
  std::vector<double> sum(size_t(classes) * d, 0.0);
  std::vector<int> count(size_t(classes), 0);
  for (size_t i = 0; i < xs.size(); ++i) {
    in.set_input(0, xs[i].data(), xs[i].size());
    in.invoke();
    std::vector<float> f(d);
    in.get_output(0, f.data(), d);
    for (size_t j = 0; j < d; ++j) sum[size_t(labels[i]) * d + j] += f[j];
    ++count[size_t(labels[i])];
    feats.push_back(std::move(f));
  }
  Head h;
  h.classes = classes;
  h.w.assign(size_t(classes) * d, 0.0f);
  h.b.assign(size_t(classes), -1e4f);  // an unseen class never wins
  for (int c = 0; c < classes; ++c) {
    if (!count[size_t(c)]) continue;
    double norm = 0;
    for (size_t j = 0; j < d; ++j) {
      const double m = sum[size_t(c) * d + j] / count[size_t(c)];
      h.w[size_t(c) * d + j] = float(m);
      norm += m * m;
    }
    h.b[size_t(c)] = float(-norm / 2);
  }
  for (const auto& f : feats)
    for (int c = 0; c < classes; ++c) {
      double v = h.b[size_t(c)];
      for (size_t j = 0; j < d; ++j) v += double(h.w[size_t(c) * d + j]) * f[j];
      if (count[size_t(c)]) h.range = std::max(h.range, 1.5 * std::fabs(v));
    }
  return h;
}

inline double accuracy(const ModelWriter& w, const std::vector<std::vector<float>>& xs, const std::vector<int>& labels) {
  const auto bytes = w.finish();
  Interpreter in(Model::from_memory(bytes.data(), bytes.size()));
  std::vector<float> y(size_t(in.output(0).numel));
  size_t ok = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    in.set_input(0, xs[i].data(), xs[i].size());
    in.invoke();
    in.get_output(0, y.data(), y.size());
    ok += int(argmax(y)) == labels[i];
  }
  return double(ok) / double(xs.size());
}

// MNIST images 0…299 fit the head, 300…499 are the parity set.
struct MnistSplit {
  std::vector<std::vector<float>> fit, test;
  std::vector<int> fit_labels, test_labels;
};
inline MnistSplit mnist_split(bool centre) {
  MnistSplit s;
  auto imgs = mnist_images(500);
  auto labels = mnist_labels(500);
  if (imgs.size() < 500 || labels.size() < 500) return s;
  if (centre)
    for (auto& img : imgs)
      for (float& p : img) p -= 0.5f;
  s.fit.assign(imgs.begin(), imgs.begin() + 300);
  s.test.assign(imgs.begin() + 300, imgs.end());
  s.fit_labels.assign(labels.begin(), labels.begin() + 300);
  s.test_labels.assign(labels.begin() + 300, labels.end());
  return s;
}


}  // namespace slimrt::opencl::test
