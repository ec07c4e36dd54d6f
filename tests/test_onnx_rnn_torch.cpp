// ONNX GRU / LSTM with direction "reverse" and "bidirectional" (tests/onnx/make_models.py,
// written with torch.onnx.export at test time): a bidirectional GRU classifier behind a
// Conv1d, a bidirectional LSTM whose h_n of both directions feeds the classifier, a
// 2-layer bidirectional GRU, and a reverse GRU (a forward export whose GRU node is set
// to reverse; PyTorch's reference runs it on the flipped input). Each imports to
// forward layers between Reverse layers; its logits equal PyTorch's within 1e-4 in the
// GraphModule (LibTorch) and in slimrt from an fp32 .slim; its int8 and int16 .slim
// compute the workbench's fixed-point evaluation integer for integer; and
// `export --format onnx` writes a file that passes onnx.checker and imports back to the
// same logits.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <iostream>

#include "compress/quant/graph_eval.h"
#include "deploy/export/exporter.h"
#include "import/onnx_export.h"
#include "import/onnx_import.h"
#include "onnx/onnx_logits_torch.h"

using namespace slimlab;

namespace {

constexpr const char* kModels = "bigru,bilstm,bigru2,revgru";

struct Expect {
  std::string model;
  int recurrent;  // GRU / LSTM layers
  int reverses;   // Reverse layers
};

void PrintTo(const Expect& e, std::ostream* os) { *os << e.model; }

int count(const ir::Graph& g, std::initializer_list<ir::LayerKind> kinds) {
  int n = 0;
  for (const ir::Layer& l : g.layers)
    for (ir::LayerKind k : kinds) n += l.kind == k;
  return n;
}

// The integer logits of an int8 / int16 export in slimrt and in the workbench's evaluator.
void expect_fixed_point_bit_exact(const ir::Graph& g, const test::OnnxReference& r, deploy::ExportPrecision p) {
  SCOPED_TRACE(deploy::to_string(p));
  deploy::ExportOptions o;
  o.precision = p;
  o.calibration = r.x.data();
  o.calibration_samples = r.n;
  const deploy::ExportResult e = deploy::export_graph(g, o);
  ASSERT_GE(e.raw_output_tensor, 0);
  const std::vector<int64_t> got = test::slimrt_raw_logits(e.bytes, e.raw_output_tensor, r);
  EXPECT_EQ(got, compress::quant::evaluate_fixed_point(e.graph, r.x.data(), r.n).raw);
  std::cout << "  " << deploy::to_string(p) << ": " << got.size() << " integer logits equal the workbench's\n";
}

class OnnxRnn : public ::testing::TestWithParam<Expect> {};

TEST_P(OnnxRnn, ImportsAsReversedLayersAndMatchesPyTorchEverywhere) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const Expect& e = GetParam();
  const auto& dir = test::onnx_models_dir(kModels);
  const test::OnnxReference ref = test::onnx_reference(dir, e.model);
  ASSERT_GT(ref.n, 0);
  const onnx_import::ImportResult imp = onnx_import::import_onnx_file(dir / (e.model + ".onnx"));
  for (const std::string& n : imp.notes) std::cout << "  note: " << n << "\n";
  const ir::Graph& g = imp.graph;
  EXPECT_EQ(count(g, {ir::LayerKind::kGru, ir::LayerKind::kLstm}), e.recurrent);
  EXPECT_EQ(count(g, {ir::LayerKind::kReverse}), e.reverses);
  EXPECT_EQ(g.num_classes, ref.classes);

  const double torch_diff = test::max_abs_diff(test::torch_logits(g, ref), ref.logits);
  const double slim_diff = test::max_abs_diff(test::slimrt_logits(deploy::export_graph(g, {}).bytes, ref), ref.logits);

  test::TempDir out;
  const onnx_import::OnnxExport x = onnx_import::export_onnx_file(g, out / "exported.onnx");
  std::string log;
  EXPECT_EQ(test::run_onnx_script("check_model.py", (out / "exported.onnx").string(), &log), 0) << log;
  const ir::Graph back = onnx_import::import_onnx(x.bytes.data(), x.bytes.size(), {}, "re-import").graph;
  EXPECT_EQ(count(back, {ir::LayerKind::kReverse}), e.reverses);
  EXPECT_EQ(back.parameter_count(), g.parameter_count());
  const double back_diff = test::max_abs_diff(test::slimrt_logits(deploy::export_graph(back, {}).bytes, ref), ref.logits);
  const auto first = compress::quant::evaluate_reference(g, ref.x.data(), ref.n);
  const auto second = compress::quant::evaluate_reference(back, ref.x.data(), ref.n);
  double ref_diff = first.size() == second.size() ? 0 : INFINITY;
  for (size_t i = 0; i < first.size() && i < second.size(); ++i) ref_diff = std::max(ref_diff, std::abs(first[i] - second[i]));
  std::cout << e.model << " (opset " << imp.opset << ", " << g.layers.size() << " layers, " << g.groups.size()
            << " prunable groups): max |logit − PyTorch| LibTorch " << torch_diff << ", slimrt fp32 " << slim_diff
            << ", exported (" << x.nodes << " nodes) and re-imported " << back_diff << " (float reference vs first import "
            << ref_diff << ")\n";
  EXPECT_LE(torch_diff, 1e-4);
  EXPECT_LE(slim_diff, 1e-4);
  EXPECT_LE(back_diff, 1e-4);
  EXPECT_LE(ref_diff, 1e-6);
  expect_fixed_point_bit_exact(g, ref, deploy::ExportPrecision::kInt8);
  expect_fixed_point_bit_exact(g, ref, deploy::ExportPrecision::kInt16);
}

INSTANTIATE_TEST_SUITE_P(Directions, OnnxRnn,
                         ::testing::Values(Expect{"bigru", 2, 2}, Expect{"bilstm", 2, 1}, Expect{"bigru2", 4, 4},
                                           Expect{"revgru", 1, 2}),
                         [](const ::testing::TestParamInfo<Expect>& i) { return i.param.model; });

// torch.flip writes Slice(starts −1, ends INT64_MIN, steps −1): it imports as Reverse, and
// Reverse exports as that Slice.
TEST(OnnxRnn, ReverseLayerIsExportedAsTheSliceTorchFlipWrites) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const auto& dir = test::onnx_models_dir(kModels);
  const ir::Graph g = onnx_import::import_onnx_file(dir / "revgru.onnx").graph;
  const onnx_import::OnnxExport x = onnx_import::export_onnx(g);
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(x.bytes));
  int flips = 0;
  for (const onnx::NodeProto& n : m.graph().node())
    if (n.op_type() == "Slice" && n.input_size() == 5) ++flips;
  EXPECT_EQ(flips, 2);
}

}  // namespace
