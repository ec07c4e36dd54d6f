// The ops added by docs/ADDING_AN_OP.md end to end — Sigmoid and HardSwish, then Tanh,
// LeakyRelu (α), HardSigmoid (α, β) and LogSoftmax: a graph using them trains-side in
// the GraphModule (LibTorch), exports to .slim at fp32 (logits within 1e-4 of LibTorch)
// and at int8 / int16 (integer logits equal to the workbench's bit-exact evaluator,
// which calls slimrt's reference kernels), and runs in slimrt with its optimized kernels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "slimrt/runtime.h"
#include "train/graph_module.h"
#include "train/models/graph_builder.h"

using namespace slimlab;

namespace {

// input [12] → dense 16 → act1 → dense 16 → act2 → dense 5 (→ tail, when given); `edit`
// sets the activations' attributes.
train::GraphModule net(ir::LayerKind act1, ir::LayerKind act2, std::optional<ir::LayerKind> tail = std::nullopt,
                       const std::function<void(ir::Graph&)>& edit = {}) {
  train::GraphBuilder b("new_ops", {12}, 5);
  b.dense("fc1", 16);
  b.elementwise("act1", act1);
  b.dense("fc2", 16);
  b.elementwise("act2", act2);
  b.dense("fc3", 5);
  if (tail) b.elementwise("tail", *tail);
  torch::manual_seed(5);
  ir::Graph g = b.finish();
  if (edit) edit(g);
  train::init_parameters(g);
  train::GraphModule gm(g);
  torch::NoGradGuard ng;
  for (auto& p : gm->parameters()) p.uniform_(-1.0, 1.0);  // wide pre-activations: both ops' bends are used
  gm->eval();
  return gm;
}

struct Slim {
  std::vector<float> logits;
  std::vector<int64_t> raw;
};

Slim run(const deploy::ExportResult& r, const std::vector<float>& x, int64_t n) {
  auto model = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  slimrt::Interpreter in(model);
  Slim o;
  std::vector<float> y(5);
  for (int64_t i = 0; i < n; ++i) {
    in.set_input(0, x.data() + i * 12, 12);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    o.logits.insert(o.logits.end(), y.begin(), y.end());
    if (r.raw_output_tensor >= 0) {
      const void* p = in.tensor_data(r.raw_output_tensor);
      const auto dt = model->tensors()[size_t(r.raw_output_tensor)].dtype;
      for (size_t k = 0; k < 5; ++k)
        o.raw.push_back(dt == slimrt::DType::I8 ? int64_t(static_cast<const int8_t*>(p)[k])
                                                : int64_t(static_cast<const int16_t*>(p)[k]));
    }
  }
  return o;
}

}  // namespace

static void check_end_to_end(train::GraphModule& gm) {
  const ir::Graph g = gm->graph(/*with_weights=*/true);
  const int64_t n = 64;
  torch::manual_seed(9);
  const torch::Tensor xs = torch::randn({n, 12}) * 2;
  std::vector<float> x(xs.data_ptr<float>(), xs.data_ptr<float>() + n * 12);

  // fp32: slimrt against LibTorch.
  const auto r32 = deploy::export_graph(g, {});
  const Slim s32 = run(r32, x, n);
  torch::Tensor want;
  {
    torch::NoGradGuard ng;
    want = gm->forward(xs).contiguous();
  }
  for (int64_t k = 0; k < n * 5; ++k) {
    const float ref = want.data_ptr<float>()[k];
    ASSERT_NEAR(s32.logits[size_t(k)], ref, 1e-4 * std::max(1.0f, std::abs(ref))) << "value " << k;
  }

  // Fixed point: slimrt's integer logits equal the workbench's evaluator, bit for bit.
  for (deploy::ExportPrecision p : {deploy::ExportPrecision::kInt8, deploy::ExportPrecision::kInt16}) {
    SCOPED_TRACE(deploy::to_string(p));
    deploy::ExportOptions o;
    o.precision = p;
    o.calibration = x.data();
    o.calibration_samples = n;
    const auto r = deploy::export_graph(g, o);
    ASSERT_GE(r.raw_output_tensor, 0);
    const Slim s = run(r, x, n);
    const auto ref = compress::quant::evaluate_fixed_point(r.graph, x.data(), n);
    ASSERT_EQ(s.raw.size(), ref.raw.size());
    EXPECT_EQ(s.raw, ref.raw);
    // And it is close to the float model (the ops are really computed, not passed through).
    int agree = 0;
    for (int64_t i = 0; i < n; ++i) {
      const float* a = s.logits.data() + i * 5;
      const float* b = want.data_ptr<float>() + i * 5;
      agree += (std::max_element(a, a + 5) - a) == (std::max_element(b, b + 5) - b);
    }
    EXPECT_GE(agree, p == deploy::ExportPrecision::kInt16 ? 60 : 48) << "of " << n;
  }
}

// The graph of `b` with seeded weights uniform in [−1, 1] (layer fb's ×0.1: its
// sigmoid then stays away from 0), in eval mode.
train::GraphModule seeded(train::GraphBuilder& b) {
  torch::manual_seed(5);
  ir::Graph g = b.finish();
  train::init_parameters(g);
  train::GraphModule gm(g);
  torch::NoGradGuard ng;
  for (auto& p : gm->named_parameters()) p.value().uniform_(-1.0, 1.0).mul_(p.key().rfind("fb", 0) == 0 ? 0.1 : 1.0);
  gm->eval();
  return gm;
}

// input [12] → dense a → tanh; dense b → sigmoid (weights × 0.1: within (0.1, 0.9));
// (tanh · sigmoid − tanh) / sigmoid → dense 5: Mul, Sub and Div of two tensors.
train::GraphModule binary_net() {
  using K = ir::LayerKind;
  train::GraphBuilder b("binary_ops", {12}, 5);
  b.dense("fa", 16, "input");
  b.elementwise("t", K::kTanh);
  b.dense("fb", 16, "input");
  b.elementwise("s", K::kSigmoid);
  b.binary("mul", K::kMul, "t", "s");
  b.binary("sub", K::kSub, "mul", "t");
  b.binary("div", K::kDiv, "sub", "s");
  b.dense("fc", 5);
  return seeded(b);
}

// Broadcasting inputs: t = tanh(dense)[4, 4], s = sigmoid(dense)[4, 1], r = dense[4]
// (a lower per-sample rank: aligned as [1, 4]); (t · s − r) / s + r → dense 5.
train::GraphModule broadcast_net() {
  using K = ir::LayerKind;
  train::GraphBuilder b("broadcast_ops", {12}, 5);
  b.dense("fa", 16, "input");
  b.elementwise("ta", K::kTanh);
  b.reshape("t", {4, 4});
  b.dense("fb", 4, "input");
  b.elementwise("sb", K::kSigmoid);
  b.reshape("s", {4, 1});
  b.dense("r", 4, "input");
  b.binary("mul", K::kMul, "t", "s");
  b.binary("sub", K::kSub, "mul", "r");
  b.binary("div", K::kDiv, "sub", "s");
  b.binary("add", K::kAdd, "div", "r");
  b.flatten("flat");
  b.dense("fc", 5);
  return seeded(b);
}

TEST(NewOpsEndToEnd, BroadcastingMulSubDivAddExportAndRunInSlimrt) {
  train::GraphModule gm = broadcast_net();
  const ir::Graph g = gm->graph(false);
  EXPECT_EQ(g.layer("mul")->output_shape, (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(g.layer("sub")->output_shape, (std::vector<int64_t>{4, 4}));
  check_end_to_end(gm);
  // As ONNX (r reshaped to [-1, 1, 4] before its broadcasts) and back: the same float logits.
  const ir::Graph w = gm->graph(/*with_weights=*/true);
  const onnx_import::OnnxExport out = onnx_import::export_onnx(w);
  const ir::Graph back = onnx_import::import_onnx(out.bytes.data(), out.bytes.size(), {}, "re-import").graph;
  std::vector<float> x(16 * 12);
  for (size_t k = 0; k < x.size(); ++k) x[k] = float(std::sin(0.37 * double(k))) * 2;
  const auto a = compress::quant::evaluate_reference(w, x.data(), 16);
  const auto c = compress::quant::evaluate_reference(back, x.data(), 16);
  ASSERT_EQ(a.size(), c.size());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], c[k], 1e-5) << k;
}

TEST(NewOpsEndToEnd, SigmoidAndHardSwishExportAndRunInSlimrt) {
  train::GraphModule gm = net(ir::LayerKind::kSigmoid, ir::LayerKind::kHardSwish);
  check_end_to_end(gm);
}

TEST(NewOpsEndToEnd, TanhAndLeakyReluExportAndRunInSlimrt) {
  train::GraphModule gm = net(ir::LayerKind::kTanh, ir::LayerKind::kLeakyRelu, std::nullopt,
                              [](ir::Graph& g) { g.layer("act2")->alpha = 0.1f; });
  check_end_to_end(gm);
}

TEST(NewOpsEndToEnd, HardSigmoidAndLogSoftmaxExportAndRunInSlimrt) {
  train::GraphModule gm = net(ir::LayerKind::kHardSigmoid, ir::LayerKind::kLeakyRelu, ir::LayerKind::kLogSoftmax,
                              [](ir::Graph& g) {
                                g.layer("act1")->alpha = 0.2f;  // Keras' hard sigmoid
                                g.layer("act1")->beta = 0.5f;
                                g.layer("act2")->alpha = 0.25f;
                              });
  check_end_to_end(gm);
}

TEST(NewOpsEndToEnd, MulSubDivExportAndRunInSlimrt) {
  train::GraphModule gm = binary_net();
  check_end_to_end(gm);
}
