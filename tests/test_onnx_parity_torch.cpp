// ONNX import of PyTorch models (tests/onnx/make_models.py, written with torch.onnx.export
// at test time): a LeNet (Shape → Gather → Concat → Reshape folded), a residual CNN
// (BatchNormalization nodes, Add skips, global average pool) and a depthwise-separable
// keyword-spotting CNN (depthwise conv, Clip → relu6, HardSwish, Pad + AveragePool,
// ReduceMean), a DeepConvLSTM-style HAR model (Conv1d, BatchNormalization, LSTM,
// y[:, -1]) and a 2-layer GRU with hard-tanh and sigmoid (ONNX gate orders reordered).
// Logits equal PyTorch's within 1e-4 in the GraphModule (LibTorch) and in slimrt from
// an fp32 .slim.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "deploy/export/exporter.h"
#include "import/onnx_import.h"
#include "onnx/onnx_logits_torch.h"
#include "train/op_facts.h"

using namespace slimlab;

namespace {

using OnnxParity = test::OnnxModelTest;

TEST_P(OnnxParity, LogitsMatchPyTorchInLibTorchAndSlimrt) {
  SLIMLAB_REQUIRE_ONNX_PYTHON();
  const test::OnnxReference ref = reference();
  ASSERT_GT(ref.n, 0);
  const onnx_import::ImportResult imp = onnx_import::import_onnx_file(onnx_file());
  for (const std::string& n : imp.notes) std::cout << "  note: " << n << "\n";
  EXPECT_EQ(imp.graph.num_classes, ref.classes);
  EXPECT_EQ(ir::numel(imp.graph.input_shape), ref.input_numel);

  const double torch_diff = test::max_abs_diff(test::torch_logits(imp.graph, ref), ref.logits);
  const deploy::ExportResult slim = deploy::export_graph(imp.graph, {});
  const double slim_diff = test::max_abs_diff(test::slimrt_logits(slim.bytes, ref), ref.logits);
  std::cout << GetParam() << " (opset " << imp.opset << ", " << imp.graph.layers.size() << " layers, "
            << imp.graph.parameter_count() << " params, " << imp.graph.groups.size()
            << " prunable groups): max |logit diff| LibTorch " << torch_diff << ", slimrt fp32 " << slim_diff << "\n";
  EXPECT_LE(torch_diff, 1e-4);
  EXPECT_LE(slim_diff, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxParity, SLIMLAB_ONNX_MODELS);

}  // namespace
