// ONNX Add / Sub / Mul / Div with broadcasting, on models written by torch.onnx.export
// (tests/onnx/make_models.py):
//   se     a squeeze-and-excitation block: x[16, 7, 7] · sigmoid(fc(mean(x)))[16, 1, 1]
//   norm   (x − mean) / std at the input, x·0.5 + 1 after a ReLU (batch-norm affines),
//          conv·2 − 0.25 and 1 − conv folded into the conv's weights
//   seqbc  a GRU's y[20, 12] − m[1, 12] and · sigmoid(m) (m: its mean over time)
// Each imports to the expected layers, its logits equal PyTorch's within 1e-4 in the
// GraphModule (LibTorch) and in slimrt from an fp32 .slim, its int8 .slim computes the
// workbench's fixed-point evaluation integer for integer, and `export --format onnx`
// passes onnx.checker and re-imports to the same logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "onnx/onnx_logits_torch.h"

using namespace slimlab;

namespace {

constexpr const char* kModels = "se,norm,seqbc";
using K = ir::LayerKind;

int count(const ir::Graph& g, K k) {
  int n = 0;
  for (const ir::Layer& l : g.layers) n += l.kind == k;
  return n;
}

// The int8 .slim's raw output integers against the workbench's bit-exact evaluation.
void expect_int8_bit_exact(const ir::Graph& g, const test::OnnxReference& ref) {
  deploy::ExportOptions o;
  o.precision = deploy::ExportPrecision::kInt8;
  o.calibration = ref.x.data();
  o.calibration_samples = ref.n;
  const deploy::ExportResult e = deploy::export_graph(g, o);
  ASSERT_GE(e.raw_output_tensor, 0);
  const auto want = compress::quant::evaluate_fixed_point(e.graph, ref.x.data(), ref.n);
  const std::vector<int64_t> got = test::slimrt_raw_logits(e.bytes, e.raw_output_tensor, ref);
  ASSERT_EQ(got.size(), want.raw.size());
  EXPECT_EQ(got, want.raw);
  int nonzero = 0;
  for (int64_t v : got) nonzero += v != 0;
  EXPECT_GT(nonzero, int(got.size()) / 2) << "the int8 logits are mostly 0: nothing was compared";
}

class OnnxBroadcast : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxBroadcast, MatchesPyTorchInLibTorchSlimrtInt8AndAfterExport) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const std::string name = GetParam();
  const auto& dir = test::onnx_models_dir(kModels);
  const test::OnnxReference ref = test::onnx_reference(dir, name);
  ASSERT_GT(ref.n, 0);
  const onnx_import::ImportResult imported = onnx_import::import_onnx_file(dir / (name + ".onnx"));
  const ir::Graph& g = imported.graph;
  if (name == "se") {  // the gate: a mul of [16, 7, 7] and [16, 1, 1]
    ASSERT_EQ(count(g, K::kMul), 1);
    for (const ir::Layer& l : g.layers)
      if (l.kind == K::kMul) {
        EXPECT_EQ(g.layer(l.inputs[0])->output_shape, (std::vector<int64_t>{16, 7, 7}));
        EXPECT_EQ(g.layer(l.inputs[1])->output_shape, (std::vector<int64_t>{16, 1, 1}));
      }
    EXPECT_EQ(onnx_import::describe_groups(g), "conv1:8 conv2:16+se2 se1:4");
  }
  if (name == "norm") {  // two affines as batch norms; the rest folded into conv2
    EXPECT_EQ(count(g, K::kBatchNorm), 2);
    EXPECT_EQ(count(g, K::kMul) + count(g, K::kSub) + count(g, K::kDiv) + count(g, K::kAdd), 0);
    EXPECT_TRUE(g.layer("conv2")->bias) << "1 − (conv2·2 − 0.25) gives conv2 a bias";
  }
  if (name == "seqbc") {  // data-path sub and mul of [20, 12] and [1, 12]; the GRU's group is left out (its
    // mean over time [12] becomes the [1, 12] row)
    EXPECT_EQ(count(g, K::kSub), 1);
    EXPECT_EQ(count(g, K::kMul), 1);
    std::string notes;
    for (const std::string& n : imported.notes) notes += n + "\n";
    EXPECT_NE(notes.find("prunable group 'gru' left out: reshaped across units at 'Sub_reshape'"), std::string::npos)
        << notes;
  }
  const double torch_diff = test::max_abs_diff(test::torch_logits(g, ref), ref.logits);
  const double slim_diff = test::max_abs_diff(test::slimrt_logits(deploy::export_graph(g, {}).bytes, ref), ref.logits);
  expect_int8_bit_exact(g, ref);

  const onnx_import::OnnxExport out = onnx_import::export_onnx(g);
  const test::TempDir tmp;
  const std::filesystem::path file = tmp / (name + ".exported.onnx");
  test::write_text(file, out.bytes);
  std::string check;
  EXPECT_EQ(test::run_onnx_script("check_model.py", file.string(), &check), 0) << check;
  const ir::Graph back = onnx_import::import_onnx(out.bytes.data(), out.bytes.size(), {}, "re-import").graph;
  const double back_diff = test::max_abs_diff(test::slimrt_logits(deploy::export_graph(back, {}).bytes, ref), ref.logits);
  std::cout << name << ": max |logit − PyTorch| LibTorch " << torch_diff << ", slimrt fp32 " << slim_diff
            << ", exported and re-imported " << back_diff << "\n";
  EXPECT_LE(torch_diff, 1e-4);
  EXPECT_LE(slim_diff, 1e-4);
  EXPECT_LE(back_diff, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxBroadcast, ::testing::Values("se", "norm", "seqbc"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
