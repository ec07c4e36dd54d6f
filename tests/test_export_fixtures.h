#pragma once
// Binary versions of a graph as the binary stages write them, shared by the export
// tests (test_export_parity_torch, test_export_bytes_torch). Torch-free.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compress/binary/binary_stage.h"
#include "compress/quant/calibrate.h"
#include "deploy/export/exporter.h"
#include "train/graph_ir.h"

namespace slimlab::test {

// Binary weights ±H (H a power of two) on every conv / dense layer, as the binary stages
// write them. BNN: every such layer but the first reads sign activations, with
// trained-looking BN statistics before the signs (thresholds of both directions;
// positive_gamma: all thresholds rise).
inline ir::Graph binary_graph(const ir::Graph& g, bool bnn, bool positive_gamma = false) {
  std::vector<compress::StageIssue> issues;
  const std::vector<std::string> binary =
      compress::binary_layers(g, {}, bnn ? std::vector<std::string>{"first"} : std::vector<std::string>{}, bnn, &issues);
  EXPECT_TRUE(issues.empty());
  ir::Graph out = bnn ? compress::insert_sign_activations(g, binary, true) : g;
  std::vector<double> scales;
  for (const std::string& n : binary) {
    double m = 0;
    const auto& w = out.layer(n)->param("weight")->data;
    for (float v : w) m += std::fabs(v);
    scales.push_back(std::ldexp(1.0, int(std::lround(std::log2(m / double(w.size()))))));
  }
  compress::mark_binary_weights(out, binary, scales);
  if (bnn) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-1, 1);
    for (ir::Layer& l : out.layers) {
      if (l.kind != ir::LayerKind::kBatchNorm || l.name.find(".bn_in") == std::string::npos) continue;
      for (float& v : l.param("weight")->data)
        v = u(rng) < -0.6f && !positive_gamma ? -0.5f + 0.2f * u(rng) : 0.5f + 0.4f * u(rng);
      for (float& v : l.param("bias")->data) v = 0.3f * u(rng);
      for (float& v : l.param("running_mean")->data) v = 0.5f + 0.5f * u(rng);
      for (float& v : l.param("running_var")->data) v = 1.0f + 0.5f * u(rng);
    }
  }
  return out;
}

// n samples of `shape` drawn from N(0, 1) (seed 5), back to back: calibration data
// for post-training quantization at export.
inline std::vector<float> calibration(const std::vector<int64_t>& shape, int n) {
  int64_t per = 1;
  for (int64_t d : shape) per *= d;
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> v(size_t(per * n));
  for (float& x : v) x = nd(rng);
  return v;
}

// The model families the export tests cover: every shipped experiment's, and VGG-small.
struct ModelFamily {
  std::string name;
  std::vector<int64_t> shape;
  int64_t classes;
};
inline std::vector<ModelFamily> export_families() {
  return {{"lenet5", {1, 28, 28}, 10},      {"deepsense", {2, 20, 60}, 6},   {"cnn1d", {6, 100}, 6},
          {"deepear_dnn", {1, 40, 101}, 10}, {"audio_cnn", {1, 40, 101}, 10}, {"vgg_small", {3, 32, 32}, 10}};
}
inline std::string family_name(const testing::TestParamInfo<ModelFamily>& i) { return i.param.name; }

// Every precision a model family exports at, as the shipped experiments make them:
// fp32, int8 and int16 of the float graph, then (not for DeepSense, whose GRUs stay
// float) BinaryConnect with float and 8-bit fixed-point activations, and BNN.
struct ExportCase {
  std::string name;  // "<family>_<case>"
  ir::Graph graph;
  deploy::ExportPrecision precision;
};
inline std::vector<ExportCase> export_cases(const std::string& family, const ir::Graph& g,
                                            const std::vector<float>& cal, int n) {
  using P = deploy::ExportPrecision;
  std::vector<ExportCase> out;
  for (P p : {P::kFp32, P::kInt8, P::kInt16}) out.push_back({family + "_" + deploy::to_string(p), g, p});
  if (family == "deepsense") return out;
  const ir::Graph bc = binary_graph(g, false);
  out.push_back({family + "_bc_binary", bc, P::kBinary});
  out.push_back({family + "_bc_fp32", bc, P::kFp32});
  const ir::Graph bcq = compress::quant::quantize_post_training(bc, {8, 8, 8}, cal.data(), n);
  out.push_back({family + "_bc_fixed_binary", bcq, P::kBinary});
  out.push_back({family + "_bc_fixed_int8", bcq, P::kInt8});
  const ir::Graph bnn = binary_graph(g, true, family == "vgg_small");
  out.push_back({family + "_bnn_binary", bnn, P::kBinary});
  out.push_back({family + "_bnn_fp32", bnn, P::kFp32});
  return out;
}

}  // namespace slimlab::test
