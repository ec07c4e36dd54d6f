// The exporter: every model's fp32 export gives LibTorch's logits within 1e-4 in
// slimrt (batch norm folded with non-trivial statistics, ReLUs fused), through
// model.h5 (graph_io) as `slimlab export` does; metadata and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "deploy/export/exporter.h"
#include "slimrt/runtime.h"
#include "tests/model_cases_torch.h"
#include "tests/test_export_models_torch.h"
#include "tests/test_util.h"
#include "train/graph_io.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab {
namespace {

using Case = test::ModelCase;

train::SlimModel build(const Case& c) { return test::random_model(c.model, c.shape, c.classes, 0.5, true); }

class ExportParity : public testing::TestWithParam<Case> {};

TEST_P(ExportParity, Fp32LogitsMatchLibTorch) {
  const Case c = GetParam();
  auto model = build(c);
  test::TempDir dir;
  // Through model.h5, as runs store it.
  ir::write_graph_h5(dir / "model.h5", model->graph(true));
  const ir::Graph g = ir::read_graph_h5(dir / "model.h5");
  deploy::ExportOptions o;
  o.class_names.assign(size_t(c.classes), "k");
  o.source_run = "test/run";
  o.accuracy = 0.5;
  const auto r = deploy::export_graph_file(g, o, dir / "m.slim");
  auto slim = slimrt::Model::from_file((dir / "m.slim").string());
  EXPECT_EQ(slim->metadata().model, c.model);
  EXPECT_EQ(slim->metadata().class_names.size(), size_t(c.classes));
  EXPECT_EQ(slim->metadata().source_run, "test/run");
  slimrt::Interpreter in(slim);
  EXPECT_LE(double(in.arena_bytes()), 1.1 * double(in.arena_lower_bound()));

  torch::manual_seed(5);
  const torch::Tensor x = test::random_batch(c, 8);
  torch::Tensor logits;
  {
    torch::NoGradGuard ng;
    logits = model->forward(x).contiguous();
  }
  const int64_t per = x.numel() / 8;
  float worst = 0;
  for (int64_t b = 0; b < 8; ++b) {
    const torch::Tensor xb = x[b].contiguous();
    in.set_input(0, xb.data_ptr<float>(), size_t(per));
    in.invoke();
    std::vector<float> y(size_t(c.classes));
    in.get_output(0, y.data(), y.size());
    for (int64_t k = 0; k < c.classes; ++k) {
      const float ref = logits[b][k].item<float>();
      worst = std::max(worst, std::abs(y[size_t(k)] - ref));
      EXPECT_NEAR(y[size_t(k)], ref, 1e-4 * std::max(1.0f, std::abs(ref))) << "sample " << b << " class " << k;
    }
  }
  RecordProperty("max_abs_diff", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(AllModels, ExportParity, testing::ValuesIn(test::zoo_at_data_shapes()),
                         [](const testing::TestParamInfo<Case>& i) {
                           std::string n = i.param.model;
                           for (int64_t d : i.param.shape) n += "_" + std::to_string(d);
                           return n;
                         });

TEST(Export, FoldsBatchNormAndFusesRelu) {
  auto model = build({"cnn1d", {6, 100}, 6});
  const auto r = deploy::export_graph(model->graph(true), {});
  bool folded = false, fused = false;
  for (const auto& n : r.notes) {
    folded |= n.find("folded") != std::string::npos;
    fused |= n.find("fused") != std::string::npos;
  }
  EXPECT_TRUE(folded);
  EXPECT_TRUE(fused);
  auto slim = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  for (const auto& op : slim->ops()) EXPECT_NE(op.type, slimrt::OpType::Scale) << op.name;
}

TEST(Export, ErrorsNameTheProblem) {
  auto model = build({"lenet5", {1, 28, 28}, 10});
  try {
    deploy::export_graph(model->graph(false), {});
    ADD_FAILURE() << "a graph without weights was exported";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("has no values"), std::string::npos) << e.what();
  }
  EXPECT_THROW(deploy::parse_export_precision("int4"), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
