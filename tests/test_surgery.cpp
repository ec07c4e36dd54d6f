// Graph IR surgery (torch-free): removing units of prunable groups, SVD and
// Tucker-2 splits, on hand-built graphs with random weights. The models' own
// graphs and the GraphModule equivalence are in test_surgery_torch.cpp.
#include "compress/surgery.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "ir_fixtures.h"

namespace slimlab::compress {
namespace {

using test::dense;
using test::layer;
using test::param;

void fill_random(ir::Graph& g, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  test::fill_normal(g, rng, 1.0f);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params)
      if (p.name == "running_var")
        for (float& v : p.data) v = std::abs(v) + 0.5f;
}

float at(const ir::Param& p, std::vector<int64_t> idx) {
  int64_t flat = 0;
  for (size_t a = 0; a < idx.size(); ++a) flat = flat * p.shape[a] + idx[a];
  return p.data[size_t(flat)];
}

// A three-layer perceptron with two prunable groups: input [6] → h1 (5) → ReLU → h2 (4) → ReLU → out (3).
ir::Graph mlp() {
  using ir::LayerKind;
  ir::Graph g;
  g.model = "mlp";
  g.input_shape = {6};
  g.num_classes = 3;
  g.layers = {layer("input", LayerKind::kInput, {}, {6}), dense("h1", "input", 6, 5),
              layer("r1", LayerKind::kRelu, {"h1"}, {5}),    dense("h2", "r1", 5, 4),
              layer("r2", LayerKind::kRelu, {"h2"}, {4}),    dense("out", "r2", 4, 3)};
  g.groups = {{"h1", "dense", 5, {{"h1", "weight", 0}, {"h1", "bias", 0}}, {{"h2", "weight", 1}}},
              {"h2", "dense", 4, {{"h2", "weight", 0}, {"h2", "bias", 0}}, {{"out", "weight", 1}}}};
  g.validate();
  return g;
}

// Forward pass of a dense/ReLU chain, with optional per-layer output masks.
std::vector<double> run_mlp(const ir::Graph& g, std::vector<double> x,
                            const std::map<std::string, std::vector<double>>& masks = {}) {
  for (const ir::Layer& l : g.layers) {
    if (l.kind == ir::LayerKind::kDense) {
      const ir::Param& w = *l.param("weight");
      std::vector<double> y(size_t(l.out_features));
      for (int64_t o = 0; o < l.out_features; ++o) {
        double s = l.bias ? l.param("bias")->data[size_t(o)] : 0.0;
        for (int64_t i = 0; i < l.in_features; ++i) s += at(w, {o, i}) * x[size_t(i)];
        y[size_t(o)] = s;
      }
      x = y;
    } else if (l.kind == ir::LayerKind::kRelu) {
      for (double& v : x) v = std::max(0.0, v);
    }
    auto m = masks.find(l.name);
    if (m != masks.end())
      for (size_t i = 0; i < x.size(); ++i) x[i] *= m->second[i];
  }
  return x;
}

TEST(Surgery, RemovingUnitsEqualsMaskingThemOnAPerceptron) {
  ir::Graph g = mlp();
  fill_random(g);
  const ir::Graph pruned = prune_units(g, {{"h1", {0, 2, 4}}, {"h2", {3, 1}}});
  EXPECT_EQ(pruned.layer("h1")->param("weight")->shape, (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(pruned.layer("h2")->param("weight")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(pruned.layer("out")->param("weight")->shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(pruned.layer("r1")->output_shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(pruned.parameter_count(), 3 * 6 + 3 + 2 * 3 + 2 + 3 * 2 + 3);
  EXPECT_LT(pruned.parameter_count(), g.parameter_count());
  // The units' masks go on the group's mask layer (h1 / h2 themselves).
  EXPECT_EQ(mask_layers(g, g.groups[0]), std::vector<std::string>{"h1"});
  const std::map<std::string, std::vector<double>> masks{{"h1", {1, 0, 1, 0, 1}}, {"h2", {0, 1, 0, 1}}};
  std::mt19937 rng(3);
  std::normal_distribution<double> n;
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> x(6);
    for (double& v : x) v = n(rng);
    const auto a = run_mlp(g, x, masks), b = run_mlp(pruned, x);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5);
  }
  // parameter_count_after sees the same size without weights or copies of them.
  EXPECT_EQ(parameter_count_after(g, {{"h1", 3}, {"h2", 2}}), pruned.parameter_count());
  EXPECT_EQ(g.layer("h1")->param("weight")->shape, (std::vector<int64_t>{5, 6}));  // input untouched
}

TEST(Surgery, LeNetConvChannelsFollowIntoPoolsAndFlattenedColumns) {
  ir::Graph g = test::lenet5_graph();
  fill_random(g);
  ir::Graph p = g;
  remove_units(p, "conv1", {5, 0, 3});  // any order: kept in ascending order
  EXPECT_EQ(p.layer("conv1")->out_features, 3);
  EXPECT_EQ(p.layer("pool1")->output_shape, (std::vector<int64_t>{3, 12, 12}));
  EXPECT_EQ(p.layer("conv2")->in_features, 3);
  const ir::Param& w2 = *p.layer("conv2")->param("weight");
  EXPECT_EQ(w2.shape, (std::vector<int64_t>{50, 3, 5, 5}));
  EXPECT_EQ(at(w2, {7, 2, 1, 4}), at(*g.layer("conv2")->param("weight"), {7, 5, 1, 4}));
  EXPECT_EQ(at(*p.layer("conv1")->param("weight"), {1, 0, 2, 2}), at(*g.layer("conv1")->param("weight"), {3, 0, 2, 2}));
  EXPECT_EQ(p.layer("conv1")->param("bias")->data[2], g.layer("conv1")->param("bias")->data[5]);

  remove_units(p, "conv2", {1, 49});  // each channel owns 16 fc1 inputs
  EXPECT_EQ(p.layer("flatten")->output_shape, (std::vector<int64_t>{32}));
  const ir::Param& f1 = *p.layer("fc1")->param("weight");
  EXPECT_EQ(f1.shape, (std::vector<int64_t>{500, 32}));
  for (int64_t k = 0; k < 16; ++k) {
    EXPECT_EQ(at(f1, {9, k}), at(*g.layer("fc1")->param("weight"), {9, 16 + k}));
    EXPECT_EQ(at(f1, {9, 16 + k}), at(*g.layer("fc1")->param("weight"), {9, 49 * 16 + k}));
  }
  remove_units(p, "fc1", {10, 20, 30});
  EXPECT_EQ(p.layer("fc2")->param("weight")->shape, (std::vector<int64_t>{10, 3}));
  // DeepIoT's LeNet-5 per-layer result as a structure: 10/20, 20/50, 10/500.
  const int64_t kept = parameter_count_after(g, {{"conv1", 10}, {"conv2", 20}, {"fc1", 10}});
  EXPECT_EQ(kept, (10 * 25 + 10) + (20 * 10 * 25 + 20) + (10 * 320 + 10) + (10 * 10 + 10));
}

// conv2d → transpose → reshape → GRU → GRU → mean → dense: DeepSense's tail in small.
ir::Graph conv_gru() {
  using ir::LayerKind;
  ir::Graph g;
  g.model = "conv_gru";
  g.input_shape = {1, 4, 6};
  g.num_classes = 2;
  ir::Layer conv = test::conv2d("conv", "input", 1, 8, 1, {8, 4, 4});
  conv.kernel = {1, 3};
  conv.params = {param("weight", {8, 1, 1, 3}), param("bias", {8})};
  ir::Layer bn = layer("bn", LayerKind::kBatchNorm, {"conv"}, {8, 4, 4});
  bn.in_features = bn.out_features = 8;
  bn.params = {param("weight", {8}), param("bias", {8}), param("running_mean", {8}, false),
               param("running_var", {8}, false)};
  ir::Layer tr = layer("tr", LayerKind::kTranspose, {"bn"}, {4, 8, 4});
  tr.perm = {1, 0, 2};
  auto gru = [](const std::string& name, const std::string& from, int64_t f, int64_t h) {
    return test::gru(name, from, 4, f, h);
  };
  g.layers = {layer("input", LayerKind::kInput, {}, {1, 4, 6}),
              conv,
              bn,
              tr,
              layer("steps", LayerKind::kReshape, {"tr"}, {4, 32}),
              gru("gru1", "steps", 32, 5),
              gru("gru2", "gru1", 5, 3),
              layer("mean", LayerKind::kMeanOverTime, {"gru2"}, {3}),
              dense("fc", "mean", 3, 2)};
  ir::PrunableGroup c{"conv", "conv", 8, {}, {{"gru1", "weight_ih_l0", 1, 4}}};
  for (const char* n : {"weight", "bias"}) c.producers.push_back({"conv", n, 0});
  for (const char* n : {"weight", "bias", "running_mean", "running_var"}) c.producers.push_back({"bn", n, 0});
  auto gru_group = [](const std::string& name, int64_t h, std::vector<ir::UnitRef> consumers) {
    ir::PrunableGroup grp{name, "rnn", h, {}, std::move(consumers)};
    for (const char* p : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
      grp.producers.push_back({name, p, 0, 1, h});
    grp.producers.push_back({name, "weight_hh_l0", 1});
    return grp;
  };
  g.groups = {c, gru_group("gru1", 5, {{"gru2", "weight_ih_l0", 1}}), gru_group("gru2", 3, {{"fc", "weight", 1}})};
  g.validate();
  return g;
}

TEST(Surgery, ConvChannelsThroughTransposeAndReshapeIntoAGru) {
  ir::Graph g = conv_gru();
  fill_random(g);
  EXPECT_EQ(mask_layers(g, g.groups[0]), std::vector<std::string>{"bn"});
  ir::Graph p = g;
  remove_units(p, "conv", {2, 6, 7});
  EXPECT_EQ(p.layer("bn")->param("running_var")->shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(p.layer("tr")->output_shape, (std::vector<int64_t>{4, 3, 4}));
  EXPECT_EQ(p.layer("steps")->output_shape, (std::vector<int64_t>{4, 12}));
  EXPECT_EQ(p.layer("gru1")->in_features, 12);
  const ir::Param& wih = *p.layer("gru1")->param("weight_ih_l0");
  EXPECT_EQ(wih.shape, (std::vector<int64_t>{15, 12}));
  EXPECT_EQ(at(wih, {11, 5}), at(*g.layer("gru1")->param("weight_ih_l0"), {11, 6 * 4 + 1}));
  EXPECT_EQ(p.layer("bn")->param("running_var")->data[1], g.layer("bn")->param("running_var")->data[6]);
}

TEST(Surgery, GruUnitsLoseTheirGateRowsAndRecurrentColumns) {
  ir::Graph g = conv_gru();
  fill_random(g);
  ir::Graph p = g;
  remove_units(p, "gru1", {1, 3});
  const ir::Param& wih = *p.layer("gru1")->param("weight_ih_l0");
  const ir::Param& whh = *p.layer("gru1")->param("weight_hh_l0");
  const ir::Param& bih = *p.layer("gru1")->param("bias_ih_l0");
  EXPECT_EQ(wih.shape, (std::vector<int64_t>{6, 32}));
  EXPECT_EQ(whh.shape, (std::vector<int64_t>{6, 2}));
  const std::vector<int64_t> rows{1, 3, 6, 8, 11, 13};  // gates r, z, n of units 1 and 3 (H = 5)
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(bih.data[r], g.layer("gru1")->param("bias_ih_l0")->data[size_t(rows[r])]);
    EXPECT_EQ(at(wih, {int64_t(r), 17}), at(*g.layer("gru1")->param("weight_ih_l0"), {rows[r], 17}));
    EXPECT_EQ(at(whh, {int64_t(r), 1}), at(*g.layer("gru1")->param("weight_hh_l0"), {rows[r], 3}));
  }
  EXPECT_EQ(p.layer("gru2")->param("weight_ih_l0")->shape, (std::vector<int64_t>{9, 2}));
  EXPECT_EQ(p.layer("gru1")->output_shape, (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(p.groups[1].units, 2);
  EXPECT_EQ(p.groups[1].producers[0].gate_stride, 2);
  // The compressor's view of a GRU unit: 3 input rows, 3 recurrent rows, 6 biases, 1 recurrent column.
  const UnitMatrix m = unit_matrix(g, g.groups[1]);
  EXPECT_EQ(m.rows, 5);
  EXPECT_EQ(m.cols, 3 * 32 + 3 * 5 + 3 + 3 + 3 * 5);
  EXPECT_EQ(m.data[size_t(3 * m.cols + 32)], at(*g.layer("gru1")->param("weight_ih_l0"), {5 + 3, 0}));
  // BN running statistics are not trainable: the conv unit's row is 3 weights + bias + γ + β.
  EXPECT_EQ(unit_matrix(g, g.groups[0]).cols, 3 + 1 + 2);
}

TEST(Surgery, ConsumerInputsScalePerUnit) {
  ir::Graph g = test::lenet5_graph();
  fill_random(g);
  ir::Graph s = g;
  std::vector<float> scale(50, 1.f);
  scale[4] = 0.25f;
  scale_consumer_inputs(s, "conv2", scale);
  const ir::Param& a = *g.layer("fc1")->param("weight");
  const ir::Param& b = *s.layer("fc1")->param("weight");
  EXPECT_FLOAT_EQ(at(b, {3, 4 * 16 + 7}), 0.25f * at(a, {3, 4 * 16 + 7}));
  EXPECT_FLOAT_EQ(at(b, {3, 5 * 16}), at(a, {3, 5 * 16}));
  EXPECT_THROW(scale_consumer_inputs(s, "conv2", std::vector<float>(3, 1.f)), std::invalid_argument);
}

TEST(Surgery, BadRequestsNameTheGroupAndLeaveTheGraphAlone) {
  ir::Graph g = test::lenet5_graph();
  try {
    remove_units(g, "conv3", {0});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("conv3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("conv1, conv2, fc1"), std::string::npos) << msg;
  }
  EXPECT_THROW(remove_units(g, "conv1", {}), std::invalid_argument);
  EXPECT_THROW(remove_units(g, "conv1", {1, 1}), std::invalid_argument);
  EXPECT_THROW(remove_units(g, "conv1", {20}), std::invalid_argument);
  EXPECT_THROW(parameter_count_after(g, {{"fc1", 0}}), std::invalid_argument);
  // A group whose consumer extent does not match the units: rejected before any cut.
  ir::Graph bad = g;
  bad.groups[1].consumers[0].block = 15;
  EXPECT_THROW(remove_units(bad, "conv2", {0}), std::invalid_argument);
  EXPECT_EQ(bad.layer("conv2")->out_features, 50);
  EXPECT_EQ(g.parameter_count(), test::lenet5_graph().parameter_count());
}

TEST(Surgery, SvdSplitReconstructsAtFullRankAndShrinksBelowIt) {
  ir::Graph g = test::lenet5_graph();
  fill_random(g);
  const std::vector<double> s = dense_singular_values(g, "fc1");
  ASSERT_EQ(s.size(), 500u);
  EXPECT_GE(s[0], s[1]);
  EXPECT_EQ(rank_for_energy(s, 1.0), 500);
  EXPECT_LT(rank_for_energy(s, 0.5), 250);
  EXPECT_EQ(rank_for_energy({3, 4}, 0.36), 1);  // 9 / 25 = 0.36 of the energy in σ₁
  EXPECT_EQ(rank_for_energy({3, 4}, 0.37), 2);

  // Full rank of a small layer: the two factors multiply back to W.
  ir::Graph m = mlp();
  fill_random(m);
  ir::Graph full = m;
  svd_split_dense(full, "h1", 5);
  const ir::Param& a = *full.layer("h1.lr_in")->param("weight");  // [5, 6]
  const ir::Param& b = *full.layer("h1")->param("weight");        // [5, 5]
  for (int64_t o = 0; o < 5; ++o)
    for (int64_t i = 0; i < 6; ++i) {
      double v = 0;
      for (int64_t r = 0; r < 5; ++r) v += double(at(b, {o, r})) * at(a, {r, i});
      EXPECT_NEAR(v, at(*m.layer("h1")->param("weight"), {o, i}), 1e-4);
    }
  EXPECT_FALSE(full.layer("h1.lr_in")->bias);

  ir::Graph low = g;
  svd_split_dense(low, "fc1", 20);
  EXPECT_EQ(low.parameter_count(), g.parameter_count() - 500 * 800 + 20 * (500 + 800));
  // The input side moved to the first factor: conv2's channels can still be removed.
  remove_units(low, "conv2", {0, 1, 2});
  EXPECT_EQ(low.layer("fc1.lr_in")->param("weight")->shape, (std::vector<int64_t>{20, 48}));
  EXPECT_THROW(svd_split_dense(low, "fc1", 5), std::invalid_argument);  // already split
  EXPECT_THROW(svd_split_dense(g, "conv1", 2), std::invalid_argument);
  EXPECT_THROW(svd_split_dense(g, "fc2", 11), std::invalid_argument);
}

// W'[o, c, q] = Σ_a Σ_b U[o, a] · G[a, b, q] · V[b, c] from the three convolutions.
std::vector<double> tucker_compose(const ir::Graph& g, const std::string& name) {
  const ir::Param& v = *g.layer(name + ".tk_in")->param("weight");    // [r_in, C, 1, 1]
  const ir::Param& c = *g.layer(name + ".tk_core")->param("weight");  // [r_out, r_in, k, k]
  const ir::Param& u = *g.layer(name)->param("weight");               // [N, r_out, 1, 1]
  const int64_t n = u.shape[0], ro = u.shape[1], ri = v.shape[0], ch = v.shape[1], k = c.shape[2] * c.shape[3];
  std::vector<double> w(size_t(n * ch * k), 0.0);
  for (int64_t o = 0; o < n; ++o)
    for (int64_t a = 0; a < ro; ++a)
      for (int64_t b = 0; b < ri; ++b)
        for (int64_t q = 0; q < k; ++q)
          for (int64_t x = 0; x < ch; ++x)
            w[size_t((o * ch + x) * k + q)] += double(u.data[size_t(o * ro + a)]) *
                                               c.data[size_t((a * ri + b) * k + q)] * v.data[size_t(b * ch + x)];
  return w;
}

double distance(const std::vector<double>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

TEST(Surgery, Tucker2SplitReconstructsAtFullRankAndHooiImprovesOnHosvd) {
  ir::Graph g = test::lenet5_graph();
  fill_random(g);
  const std::vector<float>& w = g.layer("conv2")->param("weight")->data;
  ir::Graph full = g;
  tucker2_split_conv(full, "conv2", 20, 50);
  EXPECT_LT(distance(tucker_compose(full, "conv2"), w), 1e-3);
  EXPECT_EQ(full.layer("conv2.tk_core")->output_shape, (std::vector<int64_t>{50, 8, 8}));
  EXPECT_EQ(full.layer("conv2.tk_in")->output_shape, (std::vector<int64_t>{20, 12, 12}));
  EXPECT_EQ(full.layer("conv2")->output_shape, (std::vector<int64_t>{50, 8, 8}));

  ir::Graph hosvd = g, hooi = g;
  tucker2_split_conv(hosvd, "conv2", 8, 16, /*hooi_iterations=*/0);
  tucker2_split_conv(hooi, "conv2", 8, 16, /*hooi_iterations=*/3);
  const double e0 = distance(tucker_compose(hosvd, "conv2"), w), e1 = distance(tucker_compose(hooi, "conv2"), w);
  EXPECT_LE(e1, e0 + 1e-6);
  EXPECT_GT(e0, 0);
  EXPECT_EQ(hooi.layer("conv2")->parameter_count(), 50 * 16 + 50);
  EXPECT_EQ(hooi.parameter_count(),
            g.parameter_count() - 50 * 20 * 25 + (8 * 20) + (16 * 8 * 25) + (50 * 16));
  // conv1's channels are the split layer's inputs: they now leave tk_in's columns.
  remove_units(hooi, "conv1", {0, 1, 2, 3});
  EXPECT_EQ(hooi.layer("conv2.tk_in")->param("weight")->shape, (std::vector<int64_t>{8, 4, 1, 1}));
  EXPECT_THROW(tucker2_split_conv(g, "conv2", 21, 4), std::invalid_argument);
  EXPECT_THROW(tucker2_split_conv(g, "fc1", 2, 2), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab::compress
