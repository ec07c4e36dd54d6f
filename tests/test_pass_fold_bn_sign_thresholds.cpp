// fold_bn_sign_thresholds: signs read only by binary layers are packed; a binary layer
// reading them folds its BN / ReLU / max-pool chain up to the next sign into thresholds
// that give exactly sign(chain(b + H·acc)) for every integer acc.
#include <gtest/gtest.h>

#include <cmath>

#include "compress/binary/binary_stage.h"
#include "deploy/export/passes/passes.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using ir::LayerKind;

// input → fc1 → sign → fc2 (binary) → bn → sign → fc3 (binary)
ir::Graph bnn_mlp(float gamma_sign) {
  train::GraphBuilder b("t", {8}, 3);
  b.dense("fc1", 6);
  b.elementwise("s1", LayerKind::kSign);
  b.dense("fc2", 5);
  b.batch_norm("bn");
  b.elementwise("s2", LayerKind::kSign);
  b.dense("fc3", 3);
  ir::Graph g = test::with_weights(b.finish());
  compress::mark_binary_weights(g, {"fc2", "fc3"}, {0.25, 0.5});
  for (float& v : g.layer("bn")->param("weight")->data) v = gamma_sign * (0.5f + std::fabs(v));
  return g;
}

// The chain in double, as the reference evaluator runs it.
double chain(const ir::Graph& g, size_t c, double acc) {
  const ir::Layer& fc = *g.layer("fc2");
  const ir::Layer& bn = *g.layer("bn");
  double v = fc.param("bias")->data[c] + 0.25 * acc;
  const double s = bn.param("weight")->data[c] / std::sqrt(double(bn.param("running_var")->data[c]) + 1e-5);
  return (v - bn.param("running_mean")->data[c]) * s + bn.param("bias")->data[c];
}

void expect_thresholds_exact(float gamma_sign) {
  const ir::Graph ir = bnn_mlp(gamma_sign);
  ExportGraph g = ExportGraph::from(ir, false, true);
  deploy::passes::fold_bn_sign_thresholds(g);
  EXPECT_EQ(test::names(g), (std::vector<std::string>{"input", "fc1", "s1", "fc2", "fc3"}));
  EXPECT_EQ(g.find("s1")->ann.out.dt, slimrt::DType::BIN);
  const auto& fc2 = g.find("fc2")->ann;
  EXPECT_TRUE(fc2.reads_packed);
  EXPECT_EQ(fc2.out.dt, slimrt::DType::BIN);
  EXPECT_EQ(g.find("fc3")->layer.inputs, std::vector<std::string>{"fc2"});
  EXPECT_TRUE(g.find("fc3")->ann.reads_packed);
  ASSERT_EQ(fc2.thresholds.size(), 15u);
  int moving = 0;  // channels whose sign depends on acc
  for (size_t c = 0; c < 5; ++c) {
    moving += fc2.thresholds[c * 3 + 1] != 0;
    const float thr = fc2.thresholds[c * 3], dir = fc2.thresholds[c * 3 + 1], cst = fc2.thresholds[c * 3 + 2];
    for (int acc = -6; acc <= 6; acc += 2) {  // fan-in 6: the dot of ±1 vectors
      const bool want = chain(ir, c, acc) >= 0;
      const bool got = dir > 0 ? acc >= thr : dir < 0 ? acc <= thr : cst > 0;
      EXPECT_EQ(got, want) << "channel " << c << " acc " << acc;
    }
  }
  EXPECT_GT(moving, 0);
}

TEST(FoldBnSignThresholds, RisingThresholdsAreExact) { expect_thresholds_exact(1.0f); }
TEST(FoldBnSignThresholds, FallingThresholdsAreExact) { expect_thresholds_exact(-1.0f); }

TEST(FoldBnSignThresholds, OnlyForBinaryExportsWithFloatActivations) {
  for (const auto& [fixed, pack] : {std::pair{false, false}, std::pair{true, true}}) {
    ExportGraph g = ExportGraph::from(bnn_mlp(1.0f), fixed, pack);
    deploy::passes::fold_bn_sign_thresholds(g);
    EXPECT_EQ(g.layers.size(), 7u);
    EXPECT_FALSE(g.find("fc2")->ann.reads_packed);
  }
}

TEST(FoldBnSignThresholds, ConvChainWithMaxPoolPacksThePool) {
  train::GraphBuilder b("t", {2, 8, 8}, 3);
  b.conv("c1", 4, {3, 3}, {}, {1, 1});
  b.elementwise("s1", LayerKind::kSign);
  b.conv("c2", 4, {3, 3}, {}, {1, 1});
  b.batch_norm("bn");
  b.max_pool("pool", {2, 2});
  b.elementwise("s2", LayerKind::kSign);
  b.conv("c3", 4, {3, 3});
  b.flatten("flat");
  b.dense("fc", 3);
  ir::Graph ir = test::with_weights(b.finish());
  compress::mark_binary_weights(ir, {"c2", "c3"}, {0.5, 0.5});
  for (float& v : ir.layer("bn")->param("weight")->data) v = 0.5f + std::fabs(v);  // rising: the pool commutes
  ExportGraph g = ExportGraph::from(ir, false, true);
  deploy::passes::fold_bn_sign_thresholds(g);
  EXPECT_EQ(test::names(g), (std::vector<std::string>{"input", "c1", "s1", "c2", "pool", "c3", "flat", "fc"}));
  EXPECT_EQ(g.find("pool")->layer.inputs, std::vector<std::string>{"c2"});
  EXPECT_EQ(g.find("pool")->ann.shape, (std::vector<int64_t>{4, 4, 4}));
  EXPECT_EQ(g.find("c2")->ann.shape, (std::vector<int64_t>{8, 8, 4}));  // packed channels last
  EXPECT_EQ(g.find("c3")->layer.inputs, std::vector<std::string>{"pool"});
  ASSERT_EQ(g.all_notes().size(), 1u);
  EXPECT_EQ(g.all_notes()[0], "'c2' → 'bn' → 'pool' → 's2' folded into per-channel thresholds (packed output)");
}

}  // namespace
}  // namespace slimlab
