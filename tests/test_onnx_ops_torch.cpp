// ONNX Tanh, LeakyRelu (α), HardSigmoid (α, β), LogSoftmax and the data path's Mul, Sub,
// Div of two tensors: one PyTorch model each
// (tests/onnx/make_models.py's ActNet, written with torch.onnx.export at test time)
// imports to the IR layer of the op — with its attributes — and its logits equal
// PyTorch's within 1e-5 in the GraphModule (LibTorch) and in slimrt from an fp32 .slim;
// `export --format onnx` writes the op back (same kind, same attributes, same logits).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "deploy/export/exporter.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "onnx/onnx_logits_torch.h"

using namespace slimlab;

namespace {

constexpr const char* kModels = "tanh,leakyrelu,hardsigmoid,logsoftmax,mul,sub,div";

struct Expect {
  std::string model;
  ir::LayerKind kind;
  float alpha = 0, beta = 0;
};

std::vector<float> slimrt_fp32_logits(const ir::Graph& g, const test::OnnxReference& r) {
  return test::slimrt_logits(deploy::export_graph(g, {}).bytes, r);
}

// The one layer of kind `e.kind`, checked for its attributes.
void expect_layer(const ir::Graph& g, const Expect& e) {
  const ir::Layer* found = nullptr;
  for (const ir::Layer& l : g.layers)
    if (l.kind == e.kind) {
      EXPECT_EQ(found, nullptr) << "two " << ir::to_string(e.kind) << " layers";
      found = &l;
    }
  ASSERT_NE(found, nullptr) << e.model << ": no " << ir::to_string(e.kind) << " layer";
  EXPECT_FLOAT_EQ(found->alpha, e.alpha);
  EXPECT_FLOAT_EQ(found->beta, e.beta);
}

void PrintTo(const Expect& e, std::ostream* os) { *os << e.model; }

class OnnxOp : public ::testing::TestWithParam<Expect> {};

TEST_P(OnnxOp, ImportsToItsLayerAndMatchesPyTorchInLibTorchSlimrtAndAfterExport) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const Expect& e = GetParam();
  const auto& dir = test::onnx_models_dir(kModels);
  const test::OnnxReference ref = test::onnx_reference(dir, e.model);
  ASSERT_GT(ref.n, 0);
  const ir::Graph g = onnx_import::import_onnx_file(dir / (e.model + ".onnx")).graph;
  expect_layer(g, e);
  const double torch_diff = test::max_abs_diff(test::torch_logits(g, ref), ref.logits);
  const double slim_diff = test::max_abs_diff(slimrt_fp32_logits(g, ref), ref.logits);

  const onnx_import::OnnxExport out = onnx_import::export_onnx(g);
  const ir::Graph back = onnx_import::import_onnx(out.bytes.data(), out.bytes.size(), {}, "re-import").graph;
  expect_layer(back, e);
  const double back_diff = test::max_abs_diff(slimrt_fp32_logits(back, ref), ref.logits);
  std::cout << e.model << ": max |logit − PyTorch| LibTorch " << torch_diff << ", slimrt fp32 " << slim_diff
            << ", exported and re-imported " << back_diff << "\n";
  EXPECT_LE(torch_diff, 1e-5);
  EXPECT_LE(slim_diff, 1e-5);
  EXPECT_LE(back_diff, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Ops, OnnxOp,
                         ::testing::Values(Expect{"tanh", ir::LayerKind::kTanh},
                                           Expect{"leakyrelu", ir::LayerKind::kLeakyRelu, 0.1f, 0},
                                           // PyTorch's Hardsigmoid: α = 1/6, β absent (ONNX's default 0.5)
                                           Expect{"hardsigmoid", ir::LayerKind::kHardSigmoid, 1.0f / 6, 0.5f},
                                           Expect{"logsoftmax", ir::LayerKind::kLogSoftmax},
                                           Expect{"mul", ir::LayerKind::kMul}, Expect{"sub", ir::LayerKind::kSub},
                                           Expect{"div", ir::LayerKind::kDiv}),
                         [](const ::testing::TestParamInfo<Expect>& i) { return i.param.model; });

}  // namespace
