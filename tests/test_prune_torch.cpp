// Pruning baselines as stages: iterative magnitude pruning (zeros, model not smaller),
// Dynamic Network Surgery (straight-through masks: pruned weights can return) and
// structured L1 pruning (units removed: the model is smaller).
#include <gtest/gtest.h>

#include "compress/prune/prune.h"
#include "compress/prune/prune_torch.h"
#include "compress/surgery.h"
#include "slimming_fixtures_torch.h"

namespace slimlab::compress {
namespace {

int64_t zeros(const torch::Tensor& t) { return t.eq(0).sum().item<int64_t>(); }

TEST(MagnitudeStage, ZeroesTheSmallestWeightsAndSaysTheModelIsNotSmaller) {
  torch::set_num_threads(1);
  test::StageRun r("magnitude", {{"sparsity", "0.8"}, {"rounds", "2"}, {"epochs", "1"}}, "deepear_dnn");
  r.train_base();
  const int64_t before = r.params();
  r.run();
  EXPECT_EQ(r.params(), before);  // unstructured: the dense model keeps its size
  auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(r.ctx.model);
  ASSERT_TRUE(gm);
  for (const char* layer : {"fc1", "fc2", "fc3", "fc"}) {
    const torch::Tensor w = gm->parameter(layer, "weight");
    EXPECT_EQ(zeros(w), int64_t(std::floor(0.8 * double(w.numel())))) << layer;
  }
  EXPECT_NEAR(r.record.metrics.at("sparsity"), 0.8, 0.01);
  EXPECT_LT(r.record.metrics.at("kept_fraction"), 0.25);
  EXPECT_EQ(r.record.metrics.at("params"), double(before));
  EXPECT_EQ(r.record.tables.at("rounds").rows.size(), 2u);
  EXPECT_NE(r.record.info.at("structure").find("do not drop"), std::string::npos);
  EXPECT_GT(r.record.metrics.at("val_accuracy"), 0.3);
  // Later training keeps the zeros: the mask hook stays on the module.
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::randn({2, 1, 8, 10});
  gm->parameter("fc2", "weight").fill_(1.0);
  const torch::Tensor masked = gm->forward(x);
  gm->clear_hooks();
  EXPECT_FALSE(torch::allclose(masked, gm->forward(x)));
}

TEST(MagnitudeMask, KeepsTheLargestMagnitudes) {
  const torch::Tensor w = torch::tensor({0.5f, -3.f, 0.1f, 2.f, -0.2f, 1.f});
  EXPECT_TRUE(torch::equal(prune::magnitude_mask(w, 0.5), torch::tensor({0.f, 1.f, 0.f, 1.f, 0.f, 1.f})));
  EXPECT_TRUE(torch::equal(prune::magnitude_mask(w, 0.0), torch::ones({6})));
}

TEST(DnsMasks, PrunedWeightsKeepTheirGradientAndCanReturn) {
  GraphModule m(train::make_model(test::model_config("deepear_dnn"))->graph(true));
  auto masks = std::make_shared<prune::Masks>();
  torch::manual_seed(4);
  const torch::Tensor mask = (torch::rand_like(m->parameter("fc2", "weight")) < 0.5).to(torch::kFloat32);
  (*masks)[prune::mask_key("fc2", "weight")] = mask;
  auto st = std::make_shared<bool>(true);
  prune::install_mask_hooks(*m, masks, st);
  const torch::Tensor x = torch::randn({32, 1, 8, 10});
  m->forward(x).pow(2).sum().backward();
  // Straight-through: masked weights still get gradients (they can grow back past b).
  const torch::Tensor pruned_grad = (m->parameter("fc2", "weight").grad() * (1 - mask)).abs().sum();
  EXPECT_GT(pruned_grad.item<float>(), 0.f);
  m->zero_grad();
  *st = false;  // plain masking: no gradient, as magnitude pruning
  m->forward(x).pow(2).sum().backward();
  EXPECT_EQ((m->parameter("fc2", "weight").grad() * (1 - mask)).abs().sum().item<float>(), 0.f);
}

TEST(DnsStage, ThresholdsASparseModelWithBoundsAandB) {
  torch::set_num_threads(1);
  test::StageRun r("dns", {{"crate", "0.5"}, {"epochs", "2"}}, "deepear_dnn");
  r.train_base();
  r.run();
  const Table& t = r.record.tables.at("layers");
  ASSERT_EQ(t.columns.back(), "b");
  for (const auto& row : t.rows) {
    EXPECT_LT(row[row.size() - 2], row.back());  // a < b
    EXPECT_LT(row[2], 1.0);                      // some weights are gone
  }
  EXPECT_GT(r.record.metrics.at("sparsity"), 0.3);
  EXPECT_GT(r.record.metrics.at("iterations"), 0);
  EXPECT_TRUE(std::filesystem::exists(r.ctx.dir / "dns_masks.pt"));  // resume state
}

TEST(L1Structured, RemovesTheUnitsWithTheSmallestNorms) {
  EXPECT_EQ(prune::l1_kept_units({3, 1, 2, 5}, 0.5), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(prune::l1_kept_units({3, 1, 2, 5}, 0.01), (std::vector<int64_t>{3}));
  torch::set_num_threads(1);
  test::StageRun r("l1_structured", {{"keep", "0.25"}, {"epochs", "1"}}, "audio_cnn");
  const ir::Graph before = r.ctx.model->graph(true);
  const std::vector<double> norms = prune::unit_l1_norms(before, find_group(before, "conv2"));
  r.run();
  auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(r.ctx.model);
  ASSERT_TRUE(gm);
  EXPECT_LT(gm->ir().parameter_count(), before.parameter_count() / 4);
  EXPECT_EQ(find_group(gm->ir(), "conv2").units, 4);  // ceil(0.25 · 16)
  const Table& kept = r.record.tables.at("kept_units");
  EXPECT_EQ(kept.row_labels.size(), before.groups.size());
  EXPECT_EQ(kept.rows[1][1], 4);
  EXPECT_EQ(prune::l1_kept_units(norms, 0.25).size(), 4u);
}

TEST(PruneValidation, NamesTheBadKey) {
  const ir::Graph g = train::make_model(test::model_config("deepear_dnn"))->graph(false);
  std::map<std::string, std::string> v;
  for (const StageKey& k : prune::magnitude_stage_description().keys) v[k.name] = k.default_value;
  v["layers"] = "fc1,relu1";
  auto issues = prune::magnitude_stage_description().preflight(StageParams("magnitude", 0, v), g);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].key, "layers");
  EXPECT_NE(issues[0].message.find("relu1"), std::string::npos);
  v.clear();
  for (const StageKey& k : prune::l1_structured_stage_description().keys) v[k.name] = k.default_value;
  v["groups"] = "fc9";
  issues = prune::l1_structured_stage_description().preflight(StageParams("l1_structured", 0, v), g);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].key, "groups");
}

}  // namespace
}  // namespace slimlab::compress
