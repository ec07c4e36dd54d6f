// Low-rank stages: SVD of dense layers (DeepX) and Tucker-2 of convolutions (DeepMon)
// replace layers by thinner ones — fewer parameters and MACs — and keep the function
// close to the original at a generous rank.
#include <gtest/gtest.h>

#include "compress/lowrank/lowrank.h"
#include "compress/lowrank/lowrank_torch.h"
#include "slimming_fixtures_torch.h"

namespace slimlab::compress {
namespace {

TEST(SvdStage, SplitsHiddenDenseLayersAndShrinksTheModel) {
  torch::set_num_threads(1);
  test::StageRun r("svd", {{"rank", "4"}}, "deepear_dnn");
  r.train_base();
  const int64_t before = r.params();
  r.run();
  EXPECT_LT(r.params(), before);
  auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(r.ctx.model);
  ASSERT_TRUE(gm);
  EXPECT_TRUE(gm->ir().layer("fc1.lr_in"));
  EXPECT_FALSE(gm->ir().layer("fc.lr_in"));  // the output layer is left alone by default
  const Table& t = r.record.tables.at("layers");
  EXPECT_EQ(t.row_labels, (std::vector<std::string>{"fc1", "fc2", "fc3"}));
  EXPECT_EQ(t.rows[0][0], 4);
  EXPECT_LT(r.record.metrics.at("macs"), r.record.metrics.at("macs_before"));
  EXPECT_EQ(r.record.metrics.at("params"), double(r.params()));
}

TEST(SvdPlan, EnergyPicksTheRankAndNoSavingLeavesALayer) {
  const ir::Graph g = train::make_model(test::model_config("deepear_dnn"))->graph(true);
  std::vector<lowrank::SplitPlan> plan;
  const ir::Graph all = lowrank::apply_svd(g, {"fc2"}, 0, 1.0, &plan);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].rank_in, 32);
  EXPECT_FALSE(plan[0].split);  // rank 32 of a 32×32 layer saves nothing
  EXPECT_EQ(all.parameter_count(), g.parameter_count());
  plan.clear();
  lowrank::apply_svd(g, {"fc1"}, 0, 0.5, &plan);
  EXPECT_GE(plan[0].energy, 0.5);
  EXPECT_LT(plan[0].rank_in, 32);
  EXPECT_THROW(lowrank::svd_layers(g, {"relu1"}), std::invalid_argument);
}

TEST(Tucker2Stage, SplitsConvolutionsWhereThatSavesParameters) {
  torch::set_num_threads(1);
  test::StageRun r("tucker2", {{"rank_fraction", "0.75"}}, "audio_cnn");
  const int64_t before = r.params();
  r.run();
  auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(r.ctx.model);
  ASSERT_TRUE(gm);
  // 16 → 12 → 12 → 16 on 3×3 kernels: 1,680 weights instead of 2,304.
  EXPECT_TRUE(gm->ir().layer("conv2.tk_core"));
  EXPECT_EQ(gm->ir().layer("conv2.tk_core")->param("weight")->shape, (std::vector<int64_t>{12, 12, 3, 3}));
  EXPECT_FALSE(gm->ir().layer("conv1.tk_core"));  // one input channel: nothing to save
  const Table& t = r.record.tables.at("layers");
  ASSERT_EQ(t.row_labels, (std::vector<std::string>{"conv1", "conv2", "conv3"}));
  EXPECT_EQ(t.rows[0][5], 0.0);
  EXPECT_EQ(t.rows[1][5], 1.0);
  EXPECT_EQ(t.rows[1][3], 1680);
  EXPECT_EQ(before - r.params(), 2 * (2304 - 1680));
  EXPECT_LT(r.record.metrics.at("macs"), r.record.metrics.at("macs_before"));
}

TEST(LowRankValidation, RejectsAModelWithNothingToSplit) {
  train::ModelConfig mc = test::model_config("deepsense");
  mc.input_shape = {2, 8, 30};
  mc.num_classes = 6;
  const ir::Graph g = train::make_model(mc)->graph(false);
  std::map<std::string, std::string> v;
  for (const StageKey& k : lowrank::svd_stage_description().keys) v[k.name] = k.default_value;
  const auto issues = lowrank::svd_stage_description().preflight(StageParams("svd", 0, v), g);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].key, "layers");
  v["layers"] = "gru1";
  EXPECT_EQ(lowrank::svd_stage_description().preflight(StageParams("svd", 0, v), g)[0].key, "layers");
}

}  // namespace
}  // namespace slimlab::compress
