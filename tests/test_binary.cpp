// BinaryConnect / BNN, torch-free: which layers get binary weights, the BNN rewrite
// (BN + sign before each binary layer), ±H weights with a power-of-two scale, and
// binary weights inside the bit-exact fixed-point evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compress/binary/binary_stage.h"
#include "compress/quant/calibrate.h"
#include "compress/quant/graph_eval.h"
#include "slimrt/fixed_point.h"
#include "ir_fixtures.h"
#include "train/models/graph_builder.h"

namespace slimlab {
namespace {

ir::Graph lenet_like(uint64_t seed) {
  train::GraphBuilder b("lenet", {1, 16, 16}, 4);
  b.conv("conv1", 4, {5, 5});
  b.max_pool("pool1", {2, 2});
  b.conv("conv2", 6, {3, 3});
  b.max_pool("pool2", {2, 2});
  b.flatten("flatten");
  b.dense("fc1", 12);
  b.elementwise("relu1", ir::LayerKind::kRelu);
  b.dense("fc2", 4);
  return test::with_normal_weights(b.finish(), seed, 0.3f);
}

TEST(BinaryLayers, DefaultsAndFirstLast) {
  const ir::Graph g = lenet_like(1);
  std::vector<compress::StageIssue> issues;
  EXPECT_EQ(compress::binary_layers(g, {}, {}, false, &issues),
            (std::vector<std::string>{"conv1", "conv2", "fc1", "fc2"}));
  EXPECT_EQ(compress::binary_layers(g, {}, {"first", "last"}, true, &issues),
            (std::vector<std::string>{"conv2", "fc1"}));
  EXPECT_TRUE(issues.empty());
  compress::binary_layers(g, {"pool1", "nope"}, {}, true, &issues);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].key, "layers");
  EXPECT_NE(issues[0].message.find("'pool1' is a max_pool2d"), std::string::npos) << issues[0].message;
  EXPECT_NE(issues[1].message.find("no layer 'nope'"), std::string::npos) << issues[1].message;
}

TEST(BinaryLayers, BnnRejectsARecurrentLayer) {
  train::GraphBuilder b("rnn", {5, 3}, 2);
  b.gru("gru1", 4);
  b.mean_over_time("mean");
  b.dense("fc", 2);
  const ir::Graph g = b.finish();
  std::vector<compress::StageIssue> issues;
  compress::binary_layers(g, {"gru1"}, {}, true, &issues);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("BNN supports dense, conv1d and conv2d"), std::string::npos);
  // By default a GRU is simply left in float.
  issues.clear();
  EXPECT_EQ(compress::binary_layers(g, {}, {}, true, &issues), std::vector<std::string>{"fc"});
}

TEST(BnnRewrite, InsertsBatchNormAndSignBeforeBinaryLayers) {
  const ir::Graph g = lenet_like(2);
  const ir::Graph r = compress::insert_sign_activations(g, {"conv2", "fc1"}, /*batch_norm=*/true);
  ASSERT_NE(r.layer("conv2.bn_in"), nullptr);
  EXPECT_EQ(r.layer("conv2.bn_in")->inputs, std::vector<std::string>{"pool1"});
  EXPECT_EQ(r.layer("conv2.bn_in")->param("weight")->shape, std::vector<int64_t>{4});
  EXPECT_EQ(r.layer("conv2.sign")->kind, ir::LayerKind::kSign);
  EXPECT_EQ(r.layer("conv2")->inputs, std::vector<std::string>{"conv2.sign"});
  EXPECT_EQ(r.layer("fc1.bn_in")->output_shape, r.layer("flatten")->output_shape);
  EXPECT_EQ(r.layers.size(), g.layers.size() + 4);
  // An identity BN in eval mode: the rewrite alone only adds signs.
  const ir::Graph no_bn = compress::insert_sign_activations(g, {"conv2"}, false);
  EXPECT_EQ(no_bn.layers.size(), g.layers.size() + 1);
}

TEST(BinaryWeights, PowerOfTwoScaleIsRecordedAndUsableInFixedPoint) {
  ir::Graph g = lenet_like(3);
  compress::mark_binary_weights(g, {"conv2", "fc1"}, {0.125, 0.3});
  const ir::Param& w = *g.layer("conv2")->param("weight");
  EXPECT_EQ(w.format.precision, ir::Precision::kBinary);
  EXPECT_EQ(w.format.fixed.fl, 3);
  EXPECT_EQ(w.format.bits(), 1);
  for (float v : w.data) EXPECT_EQ(std::fabs(v), 0.125f);
  // 0.3 is not a power of two: no FL, and fixed point refuses it naming the layer.
  EXPECT_NE(g.layer("fc1")->param("weight")->format.fixed.word_length(), 1);
  std::vector<float> x(256 * 4);
  std::mt19937_64 rng(1);
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (float& v : x) v = n(rng);
  try {
    compress::quant::quantize_post_training(g, {}, x.data(), 4);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'fc1'"), std::string::npos) << e.what();
  }
  // With power-of-two scales everywhere, fixed point keeps the weights binary and the
  // integer evaluation uses them as ±1 at FL: at 16-bit activations it tracks the float net.
  ir::Graph p2 = lenet_like(3);
  compress::mark_binary_weights(p2, {"conv2", "fc1"}, {0.125, 0.25});
  compress::quant::FixedPointSpec spec;
  spec.activation_bits = 16;
  spec.weight_bits = 16;
  const ir::Graph q = compress::quant::quantize_post_training(p2, spec, x.data(), 4);
  EXPECT_EQ(q.layer("fc1")->param("weight")->format.precision, ir::Precision::kBinary);
  EXPECT_EQ(q.layer("fc1")->param("bias")->format.fixed.fl,
            q.layer("flatten")->activation_format.fixed.fl + 2);
  const auto ref = compress::quant::evaluate_reference(p2, x.data(), 4);
  const auto fixed = compress::quant::evaluate_fixed_point(q, x.data(), 4);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(fixed.logits[i], ref[i], 2e-2 * (1 + std::fabs(ref[i]))) << i;
}

}  // namespace
}  // namespace slimlab
