// Surgery on every model's own graph: removing units of every prunable group gives
// a valid, smaller graph whose GraphModule computes exactly what the original
// computes with those units masked (×0 on the group's mask layers, h_t for GRUs);
// SVD / Tucker-2 splits at full rank compute the original function.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <random>

#include "compress/surgery.h"
#include "model_cases_torch.h"
#include "train/graph_module.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab::compress {
namespace {

using train::GraphModule;
using train::TensorHook;

using Case = test::ModelCase;

ir::Graph model_graph(const Case& c, double width = 0.25) {
  train::ModelConfig cfg = test::config_of(c);
  cfg.width = width;
  // Every BN parameter redrawn (β ≠ 0: a masked BN must be after it).
  train::SlimModel m = test::seeded_model(cfg, 5, "", [](torch::Tensor& t) { t.normal_(0.3, 0.5); });
  return m->graph(/*with_weights=*/true);
}

class EveryModel : public testing::TestWithParam<Case> {};

TEST_P(EveryModel, RemovingUnitsEqualsMaskingThem) {
  const Case& c = GetParam();
  const ir::Graph g = model_graph(c);
  ASSERT_FALSE(g.groups.empty());
  std::mt19937 rng(1);
  std::map<std::string, std::vector<int64_t>> keep;
  for (const ir::PrunableGroup& grp : g.groups) {
    std::vector<int64_t> k;
    for (int64_t u = 0; u < grp.units; ++u)
      if (rng() % 3 != 0) k.push_back(u);
    if (k.empty()) k.push_back(grp.units - 1);
    keep[grp.name] = k;
  }
  const ir::Graph pruned = prune_units(g, keep);
  EXPECT_NO_THROW(pruned.validate());
  EXPECT_LT(pruned.parameter_count(), g.parameter_count());
  std::map<std::string, int64_t> counts;
  for (const auto& [name, k] : keep) counts[name] = int64_t(k.size());
  // parameter_count_after keeps the first units; the count only depends on how many.
  EXPECT_EQ(parameter_count_after(g, counts), pruned.parameter_count());

  GraphModule full(g), small(pruned);
  full->eval();
  small->eval();
  for (const ir::PrunableGroup& grp : g.groups) {
    torch::Tensor mask = torch::zeros({1, grp.units});
    for (int64_t u : keep.at(grp.name)) mask[0][u] = 1;
    for (const std::string& layer : mask_layers(g, grp)) {
      const ir::LayerKind kind = g.layer(layer)->kind;
      TensorHook hook = [mask](const torch::Tensor& y) {
        std::vector<int64_t> shape{1, mask.size(1)};
        shape.resize(size_t(y.dim()), 1);
        return y * mask.view(shape);
      };
      if (kind == ir::LayerKind::kGru || kind == ir::LayerKind::kLstm) full->hooks(layer).state.push_back(hook);
      else full->hooks(layer).output.push_back(hook);
    }
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x = test::random_batch(c, 3);
  const torch::Tensor a = full->forward(x), b = small->forward(x);
  EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5)) << (a - b).abs().max().item<float>();
  // And without the masks the outputs really differ (the test can fail).
  full->clear_hooks();
  EXPECT_FALSE(torch::allclose(full->forward(x), b, 1e-4, 1e-5));
  // The smaller module holds fewer parameters.
  int64_t n_small = 0, n_full = 0;
  for (const auto& p : small->parameters()) n_small += p.numel();
  for (const auto& p : full->parameters()) n_full += p.numel();
  EXPECT_EQ(n_small, pruned.parameter_count());
  EXPECT_LT(n_small, n_full);
}

TEST_P(EveryModel, FullRankSplitsComputeTheSameFunction) {
  const Case& c = GetParam();
  const ir::Graph g = model_graph(c);
  ir::Graph split = g;
  int splits = 0;
  for (const ir::Layer& l : g.layers) {
    if (l.name == g.layers.back().name) continue;
    const std::vector<int64_t>& w = l.param("weight") ? l.param("weight")->shape : std::vector<int64_t>{};
    if (l.kind == ir::LayerKind::kDense) {
      svd_split_dense(split, l.name, std::min(w[0], w[1]));
      ++splits;
    } else if ((l.kind == ir::LayerKind::kConv2d || l.kind == ir::LayerKind::kConv1d) && l.groups == 1) {
      tucker2_split_conv(split, l.name, w[1], w[0], /*hooi_iterations=*/1);
      ++splits;
    }
  }
  ASSERT_GT(splits, 0);
  GraphModule a(g), b(split);
  a->eval();
  b->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = test::random_batch(c, 2);
  const torch::Tensor ya = a->forward(x), yb = b->forward(x);
  EXPECT_TRUE(torch::allclose(ya, yb, 1e-3, 1e-4)) << (ya - yb).abs().max().item<float>();
}

INSTANTIATE_TEST_SUITE_P(Surgery, EveryModel, testing::ValuesIn(test::zoo_at_small_shapes()),
                         [](const testing::TestParamInfo<Case>& i) { return i.param.model; });

TEST(SurgeryTorch, LowRankShrinksLeNet) {
  const ir::Graph g = model_graph({"lenet5", {1, 28, 28}, 10}, 1.0);
  ir::Graph low = g;
  svd_split_dense(low, "fc1", 16);
  tucker2_split_conv(low, "conv2", 8, 16);
  EXPECT_LT(low.parameter_count(), g.parameter_count() / 10);
  GraphModule m(low);
  torch::NoGradGuard no_grad;
  EXPECT_EQ(m->forward(torch::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
}

}  // namespace
}  // namespace slimlab::compress
