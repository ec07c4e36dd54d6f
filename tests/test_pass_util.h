#pragma once
// Small graphs with weights for the export pass tests (test_pass_*.cpp). Torch-free.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compress/quant/calibrate.h"
#include "deploy/export/export_ir.h"
#include "deploy/export/passes/passes.h"
#include "train/models/graph_builder.h"

namespace slimlab::test {

// Every parameter filled with seeded values (running variances positive).
inline ir::Graph with_weights(ir::Graph g, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params) {
      p.data.resize(size_t(p.numel()));
      for (float& v : p.data) v = p.name == "running_var" ? 0.5f + std::fabs(u(rng)) : u(rng);
    }
  return g;
}

// The graph quantized post-training at `bits` on seeded samples.
inline ir::Graph fixed_point(const ir::Graph& g, int bits) {
  int64_t per = 1;
  for (int64_t d : g.input_shape) per *= d;
  std::mt19937 rng(2);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> cal(size_t(per * 8));
  for (float& v : cal) v = nd(rng);
  compress::quant::FixedPointSpec spec;
  spec.weight_bits = spec.activation_bits = spec.state_bits = bits;
  return compress::quant::quantize_post_training(g, spec, cal.data(), 8);
}

// `g` as an ExportGraph (fixed point or float) after choose_dtypes and then `pass`.
template <class Pass>
deploy::ExportGraph after_dtypes(const ir::Graph& g, bool fixed, Pass pass) {
  deploy::ExportGraph e = deploy::ExportGraph::from(g, fixed, false);
  deploy::passes::choose_dtypes(e);
  pass(e);
  return e;
}

inline std::vector<std::string> names(const deploy::ExportGraph& g) {
  std::vector<std::string> n;
  for (const auto& l : g.layers) n.push_back(l.layer.name);
  return n;
}

}  // namespace slimlab::test
