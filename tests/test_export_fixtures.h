#pragma once
// Binary versions of a graph as the binary stages write them, shared by the export
// tests (test_export_parity_torch, test_export_bytes_torch). Torch-free.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compress/binary/binary_stage.h"
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

}  // namespace slimlab::test
