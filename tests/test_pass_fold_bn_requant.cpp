// fold_bn_requant: a batch norm after a BinaryConnect (or fixed-point) conv / dense folds
// into that op — fixed point into its per-channel requantization, bit-exact with the
// workbench's fixed-point evaluation; float into its per-channel scale and bias — and
// the ReLU after it fuses into the op.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "compress/binary/binary_stage.h"
#include "compress/quant/fold_requant.h"
#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "deploy/export/passes/passes.h"
#include "slimrt/slimrt.hpp"
#include "tests/test_pass_util.h"

namespace slimlab {
namespace {

using deploy::ExportGraph;
using slimrt::OpId;

// input [3, 12, 12] → c1 (binary) → bn1 → relu1 → pool → c2 (binary) → bn2 → relu2
// → flatten → fc (binary) → bn3 → out (float dense)
ir::Graph binary_net() {
  train::GraphBuilder b("t", {3, 12, 12}, 5);
  b.conv("c1", 7, {3, 3});
  b.batch_norm("bn1");
  b.elementwise("relu1", ir::LayerKind::kRelu);
  b.max_pool("pool", {2, 2});
  b.conv("c2", 9, {3, 3});
  b.batch_norm("bn2");
  b.elementwise("relu2", ir::LayerKind::kRelu);
  b.flatten("flatten");
  b.dense("fc", 13);
  b.batch_norm("bn3");
  b.dense("out", 5);
  ir::Graph g = test::with_weights(b.finish(), 3);
  compress::mark_binary_weights(g, {"c1", "c2", "fc"}, {0.25, 0.125, 0.0625});
  return g;
}

std::vector<float> samples(const ir::Graph& g, int n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0, 1);
  std::vector<float> x(size_t(n * 3 * 12 * 12));
  for (float& v : x) v = nd(rng);
  (void)g;
  return x;
}

TEST(FoldBnRequant, FixedPointFoldsIntoTheProducerAndFusesTheRelu) {
  const ir::Graph q = test::fixed_point(binary_net(), 8);
  EXPECT_NE(compress::quant::requant_fold_producer(q, *q.layer("bn1")), nullptr);
  ExportGraph e = ExportGraph::from(q, true, false);
  deploy::passes::run_all(e);
  for (const char* gone : {"bn1", "bn2", "bn3", "relu1", "relu2"}) EXPECT_EQ(e.find(gone), nullptr) << gone;
  const auto* c1 = e.find("c1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->ann.activation, slimrt::fb::Activation::Relu);
  ASSERT_EQ(c1->ann.operands.size(), 5u);
  const deploy::Constant& m = c1->ann.operands[3].constant;
  const deploy::Constant& o = c1->ann.operands[4].constant;
  EXPECT_EQ(m.dt, slimrt::DType::I32);
  EXPECT_EQ(m.fl, q.layer("bn1")->param("weight")->format.fixed.fl);
  ASSERT_EQ(c1->ann.operands[2].kind, deploy::Operand::Kind::kConstant);  // the conv's own bias stays
  EXPECT_EQ(o.fl, c1->ann.operands[2].constant.fl + m.fl);
  const auto want = compress::quant::channel_requant(*q.layer("bn1"), o.fl - m.fl);
  EXPECT_EQ(std::vector<int64_t>(want.mult.begin(), want.mult.end()), m.ints);
  EXPECT_EQ(std::vector<int64_t>(want.offset.begin(), want.offset.end()), o.ints);
  EXPECT_EQ(c1->ann.out.fl, q.layer("bn1")->activation_format.fixed.fl);
}

// The .slim file's integer logits equal the workbench's fixed-point evaluation.
TEST(FoldBnRequant, FixedPointExportIsBitExactWithTheEvaluator) {
  const ir::Graph q = test::fixed_point(binary_net(), 8);
  deploy::ExportOptions opt;
  opt.precision = deploy::ExportPrecision::kInt8;
  const deploy::ExportResult r = deploy::export_graph(q, opt);
  const int n = 16;
  const std::vector<float> x = samples(q, n);
  const auto ev = compress::quant::evaluate_fixed_point(r.graph, x.data(), n);
  auto model = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  for (const auto& op : model->ops()) EXPECT_STRNE(slimrt::fb::EnumNameOpType(op.type), "Conv1d");  // no BN left
  slimrt::Interpreter in(model);
  ASSERT_GE(r.raw_output_tensor, 0);
  for (int s = 0; s < n; ++s) {
    in.set_input(0, x.data() + size_t(s) * 3 * 12 * 12, 3 * 12 * 12);
    in.invoke();
    const auto* y = static_cast<const int8_t*>(in.tensor_data(r.raw_output_tensor));
    for (int c = 0; c < 5; ++c) EXPECT_EQ(int64_t(y[c]), ev.raw[size_t(s * 5 + c)]) << "sample " << s << " class " << c;
  }
}

TEST(FoldBnRequant, FloatBinaryFoldsIntoScaleAndBias) {
  const ir::Graph g = binary_net();
  deploy::ExportOptions opt;
  opt.precision = deploy::ExportPrecision::kBinary;
  const deploy::ExportResult r = deploy::export_graph(g, opt);
  auto model = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  for (const auto& op : model->ops()) EXPECT_STRNE(slimrt::fb::EnumNameOpType(op.type), "Scale");
  const int n = 4;
  const std::vector<float> x = samples(g, n);
  const std::vector<double> ref = compress::quant::evaluate_reference(g, x.data(), n);
  slimrt::Interpreter in(model);
  std::vector<float> y(5);
  for (int s = 0; s < n; ++s) {
    in.set_input(0, x.data() + size_t(s) * 3 * 12 * 12, 3 * 12 * 12);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    for (int c = 0; c < 5; ++c) EXPECT_NEAR(y[size_t(c)], ref[size_t(s * 5 + c)], 1e-4 * (1 + std::fabs(ref[size_t(s * 5 + c)])));
  }
}

TEST(FoldBnRequant, ABatchNormAfterAPoolStays) {
  const ir::Graph q = test::fixed_point(binary_net(), 8);
  ir::Layer bn = *q.layer("bn1");
  EXPECT_NE(compress::quant::why_not_requant_foldable(bn, q.layer("pool"), 1), "");
  EXPECT_NE(compress::quant::why_not_requant_foldable(bn, q.layer("c1"), 2), "");
}

}  // namespace
}  // namespace slimlab
