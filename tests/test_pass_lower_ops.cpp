// lower_ops: every layer's op is the op of its name in slimrt/op_list.h (flatten a
// reshape); weights become constants in their storage; pooling strides are explicit.
#include <gtest/gtest.h>

#include <cstring>

#include "deploy/export/passes/passes.h"
#include "slimrt/fixed_point.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using slimrt::DType;
using slimrt::OpId;

TEST(LowerOps, TheOpIdIsTheOpOfTheSameName) {
  for (int k = 0; k <= int(ir::LayerKind::kTranspose); ++k) {
    const auto kind = ir::LayerKind(k);
    const OpId op = deploy::op_of(kind);
    ASSERT_NE(op, deploy::kNoOp) << ir::to_string(kind);
    EXPECT_STREQ(slimrt::op_info(op).ir_name, ir::to_string(kind));
  }
}

ir::Graph small() {
  train::GraphBuilder b("t", {2, 12}, 3);
  b.conv("conv", 4, {3});
  b.max_pool("pool", {2});
  b.flatten("flat");
  b.dense("fc", 3);
  ir::Graph g = test::with_weights(b.finish());
  g.layer("pool")->stride.clear();  // the IR's default: the kernel
  return g;
}

ExportGraph lowered(const ir::Graph& g, bool fixed) {
  return test::after_dtypes(g, fixed, deploy::passes::lower_ops);
}

TEST(LowerOps, FloatOpsAndConstants) {
  const ir::Graph ir = small();
  const ExportGraph g = lowered(ir, false);
  EXPECT_EQ(g.find("input")->ann.op, deploy::kNoOp);
  EXPECT_EQ(g.find("conv")->ann.op, OpId::Conv1d);
  EXPECT_EQ(g.find("flat")->ann.op, OpId::Reshape);
  EXPECT_EQ(g.find("fc")->ann.op, OpId::Dense);
  const auto* pool = g.find("pool");
  EXPECT_EQ(pool->ann.op, OpId::MaxPool1d);
  EXPECT_EQ(pool->layer.stride, std::vector<int64_t>{2});
  EXPECT_TRUE(pool->layer.dilation.empty());
  const auto& ops = g.find("conv")->ann.operands;
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0].value, "input");
  EXPECT_EQ(ops[1].constant.name, "conv.weight");
  EXPECT_EQ(ops[1].constant.values, ir.layer("conv")->param("weight")->data);
  EXPECT_EQ(ops[2].constant.name, "conv.bias");
}

TEST(LowerOps, FixedPointWeightsAndBiases) {
  const ir::Graph q = test::fixed_point(small(), 8);
  const ExportGraph g = lowered(q, true);
  const auto& ops = g.find("fc")->ann.operands;
  ASSERT_EQ(ops.size(), 3u);
  const ir::Param& w = *q.layer("fc")->param("weight");
  EXPECT_EQ(ops[1].constant.dt, DType::I8);
  EXPECT_EQ(ops[1].constant.fl, w.format.fixed.fl);
  EXPECT_EQ(ops[1].constant.ints[5], slimrt::fixed::quantize(double(w.data[5]), w.format.fixed.word_length(), w.format.fixed.fl));
  // The bias at the accumulator's FL: input FL + weight FL.
  const int fl_x = g.at(ops[0].value).ann.out.fl;
  EXPECT_EQ(ops[2].constant.dt, DType::I32);
  EXPECT_EQ(ops[2].constant.fl, fl_x + w.format.fixed.fl);
}

}  // namespace
}  // namespace slimlab
