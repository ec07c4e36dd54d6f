// lower_batchnorm: an unfolded batch norm becomes a float Scale, or in fixed point the
// evaluator's per-channel affine as a depthwise 1×1 Conv1d over [C, inner].
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "deploy/export/passes/passes.h"
#include "slimrt/fixed_point.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using slimrt::OpId;

ir::Graph pool_bn(bool image) {
  train::GraphBuilder b("t", image ? std::vector<int64_t>{3, 4, 4} : std::vector<int64_t>{3, 8}, 2);
  b.max_pool("pool", image ? std::vector<int64_t>{2, 2} : std::vector<int64_t>{2});
  b.batch_norm("bn");
  b.flatten("flat");
  b.dense("fc", 2);
  return test::with_weights(b.finish());
}

ExportGraph lowered(const ir::Graph& g, bool fixed) {
  return test::after_dtypes(g, fixed, deploy::passes::lower_batchnorm);
}

TEST(LowerBatchnorm, FloatIsAScale) {
  const ir::Graph ir = pool_bn(false);
  const ExportGraph g = lowered(ir, false);
  const auto* bn = g.find("bn");
  ASSERT_NE(bn, nullptr);
  EXPECT_EQ(bn->ann.op, OpId::Scale);
  ASSERT_EQ(bn->ann.operands.size(), 3u);
  const ir::Layer& l = *ir.layer("bn");
  const double k = l.param("weight")->data[1] / std::sqrt(double(l.param("running_var")->data[1]) + 1e-5);
  EXPECT_FLOAT_EQ(bn->ann.operands[1].constant.values[1], float(k));
  EXPECT_FLOAT_EQ(bn->ann.operands[2].constant.values[1],
                  float(l.param("bias")->data[1] - l.param("running_mean")->data[1] * k));
}

TEST(LowerBatchnorm, FixedPointImageIsReshapeConvReshape) {
  const ir::Graph q = test::fixed_point(pool_bn(true), 8);
  const ExportGraph g = lowered(q, true);
  const std::vector<std::string> n = test::names(g);
  const auto at = std::find(n.begin(), n.end(), "bn.as_channels");
  ASSERT_NE(at, n.end());
  ASSERT_LT(at + 2, n.end());
  EXPECT_EQ(*(at + 1), "bn.channels");
  EXPECT_EQ(*(at + 2), "bn");
  const auto* conv = g.find("bn.channels");
  EXPECT_EQ(conv->ann.op, OpId::Conv1d);
  EXPECT_EQ(conv->ann.op_name, "bn");
  EXPECT_EQ(conv->layer.groups, 3);
  EXPECT_EQ(conv->layer.output_shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(g.find("bn")->ann.op, OpId::Reshape);
  // The scale quantized from the double k, as the evaluator does.
  const ir::Layer& l = *q.layer("bn");
  const auto& f = l.param("weight")->format.fixed;
  const double k = l.param("weight")->data[0] / std::sqrt(double(l.param("running_var")->data[0]) + 1e-5);
  EXPECT_EQ(conv->ann.operands[1].constant.ints[0], slimrt::fixed::quantize(k, f.word_length(), f.fl));
  EXPECT_EQ(conv->ann.operands[2].constant.dt, slimrt::DType::I32);
}

TEST(LowerBatchnorm, FixedPointOverChannelsIsOneConv) {
  const ExportGraph g = lowered(test::fixed_point(pool_bn(false), 8), true);
  EXPECT_EQ(g.find("bn.as_channels"), nullptr);
  EXPECT_EQ(g.find("bn")->ann.op, OpId::Conv1d);
}

}  // namespace
}  // namespace slimlab
