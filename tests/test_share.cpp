// Weight sharing: 1-d k-means codebooks, product quantization by column blocks, and
// the IR annotation the resource profile counts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "compress/share/weight_sharing.h"
#include "ir_fixtures.h"
#include "train/models/graph_builder.h"

namespace slimlab {
namespace {

using compress::share::ShareSpec;

ir::Graph dense_net(uint64_t seed) {
  train::GraphBuilder b("mlp", {12}, 3);
  b.dense("fc1", 20);
  b.elementwise("relu", ir::LayerKind::kRelu);
  b.dense("fc2", 3);
  return test::with_normal_weights(b.finish(), seed, 0.5f);
}

TEST(KMeans1d, FindsWellSeparatedClustersExactly) {
  std::vector<float> v;
  for (float c : {-2.0f, 0.5f, 3.0f, 7.0f})
    for (int i = 0; i < 10; ++i) v.push_back(c + 0.01f * float(i - 5));
  std::vector<uint8_t> idx;
  const auto cb = compress::share::kmeans_1d(v, 2, 50, &idx);
  ASSERT_EQ(cb.centroids.size(), 4u);
  const float want[4] = {-2.005f, 0.495f, 2.995f, 6.995f};
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(cb.centroids[size_t(j)], want[j], 1e-4) << j;
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(idx[i], i / 10) << i;
}

TEST(KMeans1d, MoreBitsNeverIncreaseTheError) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(2000);
  for (float& x : v) x = n(rng);
  double prev = 1e30;
  for (int bits = 1; bits <= 6; ++bits) {
    std::vector<uint8_t> idx;
    const auto cb = compress::share::kmeans_1d(v, bits, 30, &idx);
    double se = 0;
    for (size_t i = 0; i < v.size(); ++i) se += std::pow(v[i] - cb.centroids[idx[i]], 2);
    EXPECT_LT(se, prev) << bits;
    prev = se;
  }
}

TEST(WeightSharing, AnnotatesTheIrAndLeavesAtMostKValues) {
  ir::Graph g = dense_net(1);
  ShareSpec spec;
  spec.bits = 3;
  const auto shared = compress::share::share_weights(g, spec);
  ASSERT_EQ(shared.size(), 2u);
  for (const char* name : {"fc1", "fc2"}) {
    const ir::Param& w = *g.layer(name)->param("weight");
    EXPECT_EQ(w.format.codebook_bits, 3);
    EXPECT_EQ(w.format.codebooks, 1);
    EXPECT_EQ(w.format.bits(), 3);
    EXPECT_LE(std::set<float>(w.data.begin(), w.data.end()).size(), 8u) << name;
    // Biases stay as they were.
    EXPECT_EQ(g.layer(name)->param("bias")->format.codebook_bits, 0);
  }
}

TEST(WeightSharing, ProductQuantizationGivesEachColumnBlockItsCodebook) {
  ir::Graph g = dense_net(2);
  const ir::Graph original = g;
  ShareSpec spec;
  spec.bits = 2;
  spec.block_columns = 5;  // fc1 has 12 columns: blocks of 5, 5, 2
  spec.layers = {"fc1"};
  const auto shared = compress::share::share_weights(g, spec);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0].codebooks, 3);
  const ir::Param& w = *g.layer("fc1")->param("weight");
  EXPECT_EQ(w.format.codebooks, 3);
  for (int64_t c0 : {0, 5, 10}) {
    std::set<float> vals;
    for (int64_t r = 0; r < 20; ++r)
      for (int64_t c = c0; c < std::min<int64_t>(12, c0 + 5); ++c) vals.insert(w.data[size_t(r * 12 + c)]);
    EXPECT_LE(vals.size(), 4u) << c0;
  }
  // Three codebooks fit better than one.
  ir::Graph one = original;
  spec.block_columns = 0;
  const auto single = compress::share::share_weights(one, spec);
  EXPECT_LT(shared[0].mse, single[0].mse);
  EXPECT_EQ(g.layer("fc2")->param("weight")->data, original.layer("fc2")->param("weight")->data);
}

TEST(WeightSharing, RejectsBadSpecsAndLayersNamingThem) {
  ir::Graph g = dense_net(3);
  ShareSpec spec;
  spec.bits = 9;
  EXPECT_THROW(compress::share::share_weights(g, spec), std::invalid_argument);
  spec.bits = 4;
  spec.layers = {"relu"};
  try {
    compress::share::share_weights(g, spec);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'relu'"), std::string::npos) << e.what();
  }
  spec.layers = {"fc9"};
  EXPECT_THROW(compress::share::share_weights(g, spec), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
