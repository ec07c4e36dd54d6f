// choose_dtypes: the input is quantized, a value is converted once per format however
// many layers read it so, value-preserving ops write "<name>.raw" and requantize, the
// storage widens to the operands' needs, and fixed-point logits end in a Dequantize.
#include <gtest/gtest.h>

#include "deploy/export/passes/passes.h"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using slimrt::DType;
using slimrt::OpId;

ir::Graph branches() {
  train::GraphBuilder b("t", {2, 12}, 3);
  b.conv("conv", 4, {3});
  b.max_pool("pool", {2});
  b.conv("a", 4, {3}, {}, {}, "pool");
  b.conv("b", 4, {3}, {}, {}, "pool");
  b.concat("cat", {"a", "b"}, 0);
  b.flatten("flat");
  b.dense("fc", 3);
  return test::with_weights(b.finish());
}

TEST(ChooseDtypes, FloatIsF32Throughout) {
  ExportGraph g = ExportGraph::from(branches(), false, false);
  deploy::passes::choose_dtypes(g);
  EXPECT_EQ(g.layers.size(), 8u);
  for (const auto& l : g.layers) EXPECT_EQ(l.ann.out.dt, DType::F32) << l.layer.name;
  EXPECT_EQ(g.output, "fc");
  EXPECT_TRUE(g.raw_output.empty());
}

TEST(ChooseDtypes, FixedPointConvertsOncePerFormat) {
  ir::Graph q = test::fixed_point(branches(), 8);
  // Two readers of `pool` needing 16-bit storage: one conversion, shared.
  for (const char* n : {"a", "b"}) q.layer(n)->param("weight")->format.fixed.il += 8;
  ExportGraph g = ExportGraph::from(q, true, false);
  deploy::passes::choose_dtypes(g);
  const auto& in = g.layers.at(1);
  EXPECT_EQ(in.ann.op, OpId::Quantize);
  EXPECT_EQ(in.layer.name, "input.quantized");
  EXPECT_EQ(in.ann.op_name, "input.quantize");
  EXPECT_EQ(in.ann.out.dt, DType::I8);
  const auto* pool = g.find("pool");
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->ann.tensor, "pool.raw");
  int widen = 0;
  for (const auto& l : g.layers) widen += l.ann.op == OpId::Quantize && l.ann.out.dt == DType::I16;
  EXPECT_EQ(widen, 1);
  EXPECT_EQ(g.find("a")->layer.inputs, g.find("b")->layer.inputs);
  EXPECT_EQ(g.find("a")->ann.param_dt, DType::I16);
  EXPECT_EQ(g.find("a")->ann.out.dt, DType::I16);
  EXPECT_EQ(g.find("conv")->ann.param_dt, DType::I8);
  // The logits: int8, then a Dequantize named after the last layer.
  EXPECT_EQ(g.raw_output, "fc");
  EXPECT_EQ(g.output, "fc.logits");
  EXPECT_EQ(g.layers.back().ann.op, OpId::Dequantize);
  EXPECT_EQ(g.layers.back().ann.op_name, "fc.dequantize");
}

TEST(ChooseDtypes, ErrorsNameTheLayer) {
  ir::Graph q = test::fixed_point(branches(), 8);
  q.layer("a")->activation_format = {};
  ExportGraph g = ExportGraph::from(q, true, false);
  try {
    deploy::passes::choose_dtypes(g);
    ADD_FAILURE() << "a float layer in a fixed-point export";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'a'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace slimlab
