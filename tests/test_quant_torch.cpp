// Fake quantizers and binarizers as autograd functions (STE), and the float
// reference interpreter of compress/quant checked against LibTorch on the real models.
#include <gtest/gtest.h>

#include <cmath>

#include "compress/binary/binarize.h"
#include "compress/quant/calibrate.h"
#include "compress/quant/fake_quant.h"
#include "compress/quant/graph_eval.h"
#include "slimrt/fixed_point.h"
#include "train/graph_module.h"
#include "train/model_factory.h"

namespace slimlab {
namespace {

namespace fx = slimrt::fixed;
using compress::quant::FakeQuantOptions;

TEST(FakeQuantize, ForwardIsTheRuntimeRoundingAndSaturation) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::randn({257}) * 3;
  FakeQuantOptions o;
  o.word_length = 6;
  o.fl = 3;  // range [-4, 3.875], step 1/8
  const torch::Tensor q = compress::quant::fake_quantize(x, o);
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_EQ(q[i].item<float>(), fx::fake_quantize(x[i].item<float>(), 6, 3)) << i;
  EXPECT_LE(q.max().item<float>(), 3.875f);
  EXPECT_GE(q.min().item<float>(), -4.0f);
  // Ties go up, as slimrt rounds: 0.0625 = half a step → 0.125; −0.0625 → 0.
  const torch::Tensor ties = compress::quant::fake_quantize(torch::tensor({0.0625f, -0.0625f}), o);
  EXPECT_EQ(ties[0].item<float>(), 0.125f);
  EXPECT_EQ(ties[1].item<float>(), 0.0f);
}

TEST(FakeQuantize, ClippedStraightThroughGradient) {
  FakeQuantOptions o;
  o.word_length = 4;
  o.fl = 2;  // range [-2, 1.75]
  torch::Tensor x = torch::tensor({-3.0f, -2.0f, 0.3f, 1.75f, 1.8f, 5.0f}).requires_grad_(true);
  compress::quant::fake_quantize(x, o).sum().backward();
  const std::vector<float> want = {0, 1, 1, 1, 0, 0};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(x.grad()[int64_t(i)].item<float>(), want[i]) << i;
  o.plain_ste = true;
  torch::Tensor y = torch::tensor({-3.0f, 5.0f}).requires_grad_(true);
  compress::quant::fake_quantize(y, o).sum().backward();
  EXPECT_EQ(y.grad().sum().item<float>(), 2.0f);
}

TEST(FakeQuantize, StochasticRoundingIsUnbiasedAndOnTheGrid) {
  torch::manual_seed(3);
  FakeQuantOptions o;
  o.word_length = 8;
  o.fl = 2;
  o.stochastic = true;
  const torch::Tensor x = torch::full({20000}, 0.3f);  // between 0.25 and 0.5
  const torch::Tensor q = compress::quant::fake_quantize(x, o);
  EXPECT_TRUE(((q == 0.25f).logical_or(q == 0.5f)).all().item<bool>());
  EXPECT_NEAR(q.mean().item<double>(), 0.3, 0.005);
  o.word_length = 40;
  EXPECT_THROW(compress::quant::fake_quantize(x, o), std::invalid_argument);
}

TEST(Binarize, DeterministicIsSignTimesScaleWithStraightGradient) {
  torch::Tensor w = torch::tensor({-0.3f, 0.0f, 0.2f, -1e-8f}).requires_grad_(true);
  const torch::Tensor b = compress::binary::binarize_weights(w, 0.5, false);
  const std::vector<float> want = {-0.5f, 0.5f, 0.5f, -0.5f};  // sign(0) = +1 as bitpack.h
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(b[int64_t(i)].item<float>(), want[i]);
  (b * torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::tensor({1.0f, 2.0f, 3.0f, 4.0f})));
  EXPECT_THROW(compress::binary::binarize_weights(w, 0.0, false), std::invalid_argument);
}

TEST(Binarize, StochasticFollowsTheHardSigmoid) {
  torch::manual_seed(5);
  const torch::Tensor w = torch::cat({torch::full({20000}, 0.5f), torch::full({20000}, -0.8f), torch::full({100}, 2.0f)});
  const torch::Tensor b = compress::binary::binarize_weights(w, 1.0, true);
  EXPECT_TRUE((b.abs() == 1).all().item<bool>());
  // P(+1) = clip((w + 1)/2, 0, 1): 0.75 for 0.5, 0.1 for −0.8, 1 for 2.
  EXPECT_NEAR((b.slice(0, 0, 20000) > 0).to(torch::kFloat).mean().item<double>(), 0.75, 0.015);
  EXPECT_NEAR((b.slice(0, 20000, 40000) > 0).to(torch::kFloat).mean().item<double>(), 0.10, 0.015);
  EXPECT_TRUE((b.slice(0, 40000) > 0).all().item<bool>());
}

TEST(Binarize, SignSteGradientIsTheHardTanhOne) {
  torch::Tensor x = torch::tensor({-2.0f, -1.0f, -0.5f, 0.0f, 0.7f, 1.0f, 1.5f}).requires_grad_(true);
  const torch::Tensor s = compress::binary::sign_ste(x);
  EXPECT_TRUE(torch::equal(s, torch::tensor({-1.0f, -1.0f, -1.0f, 1.0f, 1.0f, 1.0f, 1.0f})));
  s.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({0.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f})));
  torch::Tensor w = torch::tensor({-3.0f, 0.4f, 2.0f});
  compress::binary::clip_weights(w, 1.0);
  EXPECT_TRUE(torch::equal(w, torch::tensor({-1.0f, 0.4f, 1.0f})));
}

TEST(Binarize, ShiftRoundIsTheNearestPowerOfTwo) {
  const torch::Tensor r = compress::binary::shift_round(torch::tensor({0.3f, -5.0f, 0.0f, 1.0f}));
  EXPECT_TRUE(torch::equal(r, torch::tensor({0.25f, -4.0f, 0.0f, 1.0f})));
}

// The double-precision reference interpreter computes what LibTorch computes, for
// every model kind (conv 1-d / 2-d, BN, pooling, slice/concat/transpose, GRU).
TEST(ReferenceEvaluator, MatchesLibTorchOnTheModels) {
  struct Case {
    std::string model;
    std::vector<int64_t> shape;
  };
  for (const Case& c : std::vector<Case>{{"lenet5", {1, 28, 28}},
                                         {"deepsense", {2, 20, 18}},
                                         {"cnn1d", {3, 64}},
                                         {"deepear_dnn", {1, 8, 10}},
                                         {"audio_cnn", {1, 16, 20}}}) {
    train::ModelConfig cfg;
    cfg.name = c.model;
    cfg.width = 0.25;
    cfg.input_shape = c.shape;
    cfg.num_classes = 5;
    torch::manual_seed(2);
    train::SlimModel m = train::make_model(cfg);
    // Non-trivial BN statistics.
    m->train();
    {
      torch::NoGradGuard ng;
      for (int i = 0; i < 3; ++i) {
        std::vector<int64_t> s = {8};
        s.insert(s.end(), c.shape.begin(), c.shape.end());
        m->forward(torch::randn(s) * 2 + 0.5);
      }
    }
    m->eval();
    std::vector<int64_t> s = {3};
    s.insert(s.end(), c.shape.begin(), c.shape.end());
    const torch::Tensor x = torch::randn(s).contiguous();
    torch::Tensor y;
    {
      torch::NoGradGuard ng;
      y = m->forward(x).contiguous();
    }
    const ir::Graph g = m->graph(true);
    const std::vector<double> ref = compress::quant::evaluate_reference(g, x.data_ptr<float>(), 3);
    ASSERT_EQ(int64_t(ref.size()), y.numel()) << c.model;
    for (int64_t i = 0; i < y.numel(); ++i)
      EXPECT_NEAR(ref[size_t(i)], y.view({-1})[i].item<float>(), 1e-4 * (1 + std::fabs(ref[size_t(i)]))) << c.model;
  }
}

}  // namespace
}  // namespace slimlab
