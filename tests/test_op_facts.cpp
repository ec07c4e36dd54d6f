// The op facts table (train/op_facts.h): one row per IR layer kind with its shape
// rule, parameters, format rule and MACs; the kinds outside the IR have none.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "train/op_facts.h"

namespace slimlab {
namespace {

using ir::LayerKind;
using ir::Shape;

ir::Layer layer(LayerKind kind, std::vector<std::string> inputs = {"input"}) {
  ir::Layer l;
  l.name = "x";
  l.kind = kind;
  l.inputs = std::move(inputs);
  return l;
}

TEST(OpFacts, ShapeHelpers) {
  EXPECT_EQ(ir::numel({}), 1);
  EXPECT_EQ(ir::numel({2, 3, 4}), 24);
  EXPECT_EQ(ir::to_string(Shape{}), "[]");
  EXPECT_EQ(ir::to_string(Shape{1, 20, 8}), "[1, 20, 8]");
}

TEST(OpFacts, EveryIrKindHasARowAndNoOtherKindDoes) {
  for (int k = 0; k < ir::kLayerKindCount; ++k) {
    const auto kind = LayerKind(k);
    if (ir::is_ir_kind(kind)) {
      EXPECT_NE(ir::op_facts(kind).shape, nullptr) << ir::to_string(kind);
    } else {
      EXPECT_THROW(ir::op_facts(kind), std::invalid_argument) << ir::to_string(kind);
    }
  }
  // A layer of a non-IR kind is refused naming the layer.
  ir::Graph g;
  const Shape in{4};
  try {
    ir::infer_output_shape(g, layer(LayerKind::kQuantize), {&in});
    FAIL() << "accepted a quantize layer";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'x' (quantize)"), std::string::npos) << e.what();
  }
}

TEST(OpFacts, ShapeRulesAndParameters) {
  ir::Graph g;
  const Shape img{3, 16, 16}, seq{10, 6};
  ir::Layer conv = layer(LayerKind::kConv2d);
  conv.in_features = 3;
  conv.out_features = 8;
  conv.kernel = {3, 3};
  conv.stride = {2, 2};
  conv.padding = {1, 1};
  ir::ParamSpecs specs;
  EXPECT_EQ(ir::infer_output_shape(g, conv, {&img}, &specs), (Shape{8, 8, 8}));
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "weight");
  EXPECT_EQ(specs[0].shape, (Shape{8, 3, 3, 3}));
  EXPECT_EQ(specs[1].name, "bias");

  // LibTorch's registration order, BN statistics as buffers.
  const ir::ParamSpecs bn = ir::param_specs(g, layer(LayerKind::kBatchNorm), {&img});
  ASSERT_EQ(bn.size(), 4u);
  EXPECT_EQ(bn[2].name, "running_mean");
  EXPECT_FALSE(bn[2].trainable);
  ir::Layer gru = layer(LayerKind::kGru);
  gru.in_features = 6;
  gru.out_features = 5;
  const ir::ParamSpecs gp = ir::param_specs(g, gru, {&seq});
  ASSERT_EQ(gp.size(), 4u);
  EXPECT_EQ(gp[0].name, "weight_ih_l0");
  EXPECT_EQ(gp[0].shape, (Shape{15, 6}));
  EXPECT_EQ(gp[3].name, "bias_hh_l0");

  // Elementwise kinds keep the shape; a pool's empty stride is its kernel.
  for (LayerKind k : {LayerKind::kRelu, LayerKind::kRelu6, LayerKind::kSign, LayerKind::kDropout})
    EXPECT_EQ(ir::infer_output_shape(g, layer(k), {&img}), img) << ir::to_string(k);
  ir::Layer pool = layer(LayerKind::kMaxPool2d);
  pool.kernel = {2, 2};
  EXPECT_EQ(ir::infer_output_shape(g, pool, {&img}), (Shape{3, 8, 8}));
  EXPECT_EQ(ir::infer_output_shape(g, layer(LayerKind::kFlatten), {&img}), (Shape{768}));
  EXPECT_EQ(ir::infer_output_shape(g, layer(LayerKind::kMeanOverTime), {&seq}), (Shape{6}));
  EXPECT_THROW(ir::infer_output_shape(g, layer(LayerKind::kMeanOverTime), {&img}), std::invalid_argument);
  EXPECT_THROW(ir::infer_output_shape(g, layer(LayerKind::kRelu), {&img, &img}), std::invalid_argument);
}

TEST(OpFacts, MacsAndFormatRules) {
  ir::Layer dense = layer(LayerKind::kDense);
  dense.in_features = 10;
  dense.out_features = 4;
  EXPECT_EQ(ir::layer_macs(dense), 40);
  ir::Layer conv = layer(LayerKind::kConv1d);
  conv.in_features = 2;
  conv.out_features = 6;
  conv.groups = 2;
  conv.kernel = {3};
  conv.output_shape = {6, 10};
  EXPECT_EQ(ir::layer_macs(conv), 6 * 1 * 3 * 10);
  ir::Layer lstm = layer(LayerKind::kLstm);
  lstm.in_features = 3;
  lstm.out_features = 5;
  lstm.output_shape = {7, 5};
  EXPECT_EQ(ir::layer_macs(lstm), 7 * 4 * 5 * (3 + 5));
  EXPECT_EQ(ir::layer_macs(layer(LayerKind::kMaxPool2d)), 0);
  EXPECT_TRUE(ir::multiplies_weights(LayerKind::kDepthwiseConv2d));
  EXPECT_FALSE(ir::multiplies_weights(LayerKind::kBatchNorm));

  using F = ir::FormatRule;
  EXPECT_EQ(ir::op_facts(LayerKind::kInput).format, F::kInput);
  EXPECT_EQ(ir::op_facts(LayerKind::kRelu).format, F::kKeepsInput);
  EXPECT_EQ(ir::op_facts(LayerKind::kMaxPool1d).format, F::kKeepsInput);
  EXPECT_EQ(ir::op_facts(LayerKind::kAvgPool2d).format, F::kObserved);
  EXPECT_EQ(ir::op_facts(LayerKind::kSoftmax).format, F::kUnitRange);
  EXPECT_EQ(ir::op_facts(LayerKind::kBatchNorm).format, F::kAffine);
  EXPECT_EQ(ir::op_facts(LayerKind::kGru).format, F::kRecurrent);
}

TEST(OpFacts, ParameterBytes) {
  ir::Param p;
  p.shape = {10, 3};
  EXPECT_EQ(ir::param_bytes(p), 120);
  p.format.precision = ir::Precision::kBinary;
  EXPECT_EQ(ir::param_bytes(p), 4 + 4);  // 30 bits → 4 bytes, plus one fp32 scale
  p.format.precision = ir::Precision::kFixed;
  p.format.fixed = {2, 2};
  EXPECT_EQ(ir::param_bytes(p), 15);
  EXPECT_EQ(ir::packed_bytes(3, 3), 2);
}

}  // namespace
}  // namespace slimlab
