#pragma once
// A small slimmable MLP for the operating-point tests (docs/ADAPTIVE.md): one set of
// full-width weights, each width the first units of every hidden layer (what
// compress/slimmable's slice() keeps), written as its own .slim and merged into one
// file with a point per width.
#include <memory>
#include <string>
#include <vector>

#include "slim_test_models.h"
#include "slimrt/runtime.h"
#include "slimrt/writer.h"

namespace slimrt::test {

// x [16] → Dense H (ReLU) → Dense H (ReLU) → Dense 4 → Softmax; H = 32 at width 1.
struct SlimMlp {
  static constexpr int kIn = 16, kHidden = 32, kOut = 4;
  std::vector<float> w1 = random_values(kHidden * kIn, 21, 0.3f), b1 = random_values(kHidden, 22, 0.1f);
  std::vector<float> w2 = random_values(kHidden * kHidden, 23, 0.2f), b2 = random_values(kHidden, 24, 0.1f);
  std::vector<float> w3 = random_values(kOut * kHidden, 25, 0.2f), b3 = random_values(kOut, 26, 0.1f);

  // rows × cols top-left block of a row-major matrix with `stride` columns.
  static std::vector<float> block(const std::vector<float>& m, int stride, int rows, int cols) {
    std::vector<float> out;
    for (int r = 0; r < rows; ++r) out.insert(out.end(), m.begin() + r * stride, m.begin() + r * stride + cols);
    return out;
  }

  // The model of `hidden` units (its own separate export).
  ModelWriter at(int hidden) const {
    ModelWriter m;
    const int h = hidden;
    const int x = m.add_tensor("input", DType::F32, {kIn});
    const int a = dense(m, "fc1", x, block(w1, kIn, h, kIn), block(b1, 1, h, 1), h, kIn, true);
    const int b = dense(m, "fc2", a, block(w2, kHidden, h, h), block(b2, 1, h, 1), h, h, true);
    const int c = dense(m, "fc3", b, block(w3, kHidden, kOut, h), b3, kOut, h, false);
    const int p = m.add_tensor("prob", DType::F32, {kOut});
    m.add_op(OpType::Softmax, "softmax", {c}, {p});
    m.inputs = {x};
    m.outputs = {p};
    m.metadata.model = "slim_mlp";
    m.metadata.precision = "fp32";
    m.metadata.class_names = {"a", "b", "c", "d"};
    return m;
  }

  static int dense(ModelWriter& m, const std::string& name, int x, const std::vector<float>& w,
                   const std::vector<float>& b, int out, int in, bool relu) {
    const int wt = m.add_f32(name + ".weight", {out, in}, w);
    const int bt = m.add_f32(name + ".bias", {out}, b);
    const int y = m.add_tensor(name, DType::F32, {out});
    m.add_op(OpType::Dense, name, {x, wt, bt}, {y}).activation = relu ? fb::Activation::Relu : fb::Activation::None;
    return y;
  }
};

inline std::shared_ptr<const Model> load_bytes(const std::vector<uint8_t>& bytes, const LoadOptions& o = {}) {
  return Model::from_memory(bytes.data(), bytes.size(), true, o);
}

inline OperatingPoint width_point(const Model& m, int hidden, double accuracy) {
  OperatingPoint p;
  p.name = "width_" + std::to_string(hidden);
  p.width = double(hidden) / SlimMlp::kHidden;
  p.precision = "fp32";
  p.accuracy = accuracy;
  p.macs = m.macs();
  p.weight_bytes = int64_t(m.weight_bytes());
  p.latency_us = double(m.macs()) / 1000;  // a stand-in cost for the policy tests
  p.energy_uj = double(m.macs()) * 4.6e-6;
  return p;
}

// The widths 8, 16 and 32 (main) of SlimMlp in one file; `separate` gets each width's own model.
inline std::vector<uint8_t> merged_mlp(const SlimMlp& net, std::vector<std::shared_ptr<const Model>>* separate) {
  const int hidden[] = {8, 16, 32};
  const double acc[] = {0.70, 0.80, 0.90};
  std::vector<std::shared_ptr<const Model>> models;
  for (int h : hidden) models.push_back(load_bytes(net.at(h).finish()));
  ModelWriter w = ModelWriter::from_model(*models.back());
  for (size_t i = 0; i < models.size(); ++i)
    w.add_operating_point(width_point(*models[i], hidden[i], acc[i]), i + 1 == models.size() ? nullptr : models[i]);
  if (separate) *separate = models;
  return w.finish();
}

}  // namespace slimrt::test
