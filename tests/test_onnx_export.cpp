// Graph IR → ONNX (import/onnx_export.h): the imported PyTorch models written back as
// ONNX pass onnx.checker (full check) and import again to the same logits — equal to
// the first import's float reference within 1e-5 and to PyTorch's within 1e-4.
#include <gtest/gtest.h>

#include "compress/quant/graph_eval.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "onnx/onnx_builder.h"
#include "onnx/onnx_test_util.h"

using namespace slimlab;

namespace {

std::vector<float> float_logits(const ir::Graph& g, const std::vector<float>& x, int64_t n) {
  const std::vector<double> y = compress::quant::evaluate_reference(g, x.data(), n);
  return {y.begin(), y.end()};
}

onnx_import::ImportResult reimport(const onnx_import::OnnxExport& e) {
  return onnx_import::import_onnx(e.bytes.data(), e.bytes.size(), {}, "re-import");
}

using OnnxRoundTrip = test::OnnxModelTest;

TEST_P(OnnxRoundTrip, ExportPassesTheCheckerAndReimportsToTheSameLogits) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const test::OnnxReference ref = reference();
  const ir::Graph g = onnx_import::import_onnx_file(onnx_file()).graph;
  test::TempDir out;
  const auto path = out / "exported.onnx";
  const onnx_import::OnnxExport e = onnx_import::export_onnx_file(g, path);
  std::string log;
  EXPECT_EQ(test::run_onnx_script("check_model.py", path.string(), &log), 0) << log;
  const ir::Graph back = reimport(e).graph;
  EXPECT_EQ(back.parameter_count(), g.parameter_count());
  const std::vector<float> first = float_logits(g, ref.x, ref.n), second = float_logits(back, ref.x, ref.n);
  const double diff = test::max_abs_diff(first, second), vs_torch = test::max_abs_diff(second, ref.logits);
  std::cout << GetParam() << ": " << e.nodes << " ONNX nodes; re-imported logits vs first import " << diff
            << ", vs PyTorch " << vs_torch << "\n";
  EXPECT_LE(diff, 1e-5);
  EXPECT_LE(vs_torch, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxRoundTrip, SLIMLAB_ONNX_MODELS);

}  // namespace

TEST(OnnxExport, HandBuiltCnnRoundTripsWithoutPython) {
  const std::string bytes = test::small_cnn().bytes();
  const ir::Graph g = onnx_import::import_onnx(bytes.data(), bytes.size(), {}).graph;
  const onnx_import::OnnxExport e = onnx_import::export_onnx(g);
  const ir::Graph back = reimport(e).graph;
  ASSERT_EQ(back.layers.size(), g.layers.size());
  for (size_t i = 0; i < g.layers.size(); ++i) EXPECT_EQ(back.layers[i].kind, g.layers[i].kind) << i;
  std::vector<float> x(64 * 3);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 11) - 5) * 0.3f;
  EXPECT_LE(test::max_abs_diff(float_logits(g, x, 3), float_logits(back, x, 3)), 1e-6);
}

TEST(OnnxExport, SignActivationsAreAClearError) {
  ir::Graph g = onnx_import::import_onnx(test::small_cnn().bytes().data(), test::small_cnn().bytes().size(), {}).graph;
  g.layers[2].kind = ir::LayerKind::kSign;  // the relu becomes a BNN sign
  try {
    onnx_import::export_onnx(g);
    FAIL() << "expected an OnnxError";
  } catch (const onnx_import::OnnxError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'Relu' (sign)"), std::string::npos) << e.what();
  }
}
