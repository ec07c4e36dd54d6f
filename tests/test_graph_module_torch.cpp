// GraphModule executes any Graph IR and is what make_model() returns: LibTorch's
// default initialization, rebuilding from its own graph computes the same, the fused
// and the step-by-step recurrences agree, gradients reach every parameter, the
// Trainer trains it, hooks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "ir_fixtures.h"
#include "model_cases_torch.h"
#include "train/graph_module.h"
#include "trainer_fixtures_torch.h"
#include "train/checkpoint.h"
#include "train/model_factory.h"
#include "train/models/graph_builder.h"
#include "train/trainer.h"

namespace slimlab {
namespace {

using train::GraphModule;

using Case = test::ModelCase;

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.model + (info.param.width == 0.5 ? "_w050" : "_w025");
}

std::vector<Case> all_cases() { return test::at_widths(test::zoo_at_small_shapes(), {0.5, 0.25}); }

train::SlimModel build(const Case& c, double dropout = 0.1) {
  train::ModelConfig cfg = test::config_of(c);
  cfg.dropout = dropout;
  return test::seeded_model(cfg, 11, "weight", [](torch::Tensor& t) { t.uniform_(0.5, 1.5); });
}

std::map<std::string, torch::Tensor> tensors_of(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : train::model_state(m)) out[name] = t;
  return out;
}

class GraphModuleModels : public testing::TestWithParam<Case> {};

TEST_P(GraphModuleModels, RebuiltFromItsGraphGivesTheSameLogitsInEvalMode) {
  const Case c = GetParam();
  train::SlimModel model = build(c);
  GraphModule gm(model->graph(/*with_weights=*/true), /*dropout=*/0.1);
  model->eval();
  gm->eval();
  torch::manual_seed(3);
  const torch::Tensor x = test::random_batch(c, 5);
  torch::NoGradGuard no_grad;
  const torch::Tensor a = model->forward(x), b = gm->forward(x);
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-5) << c.model;
  EXPECT_GT(a.abs().max().item<double>(), 1e-3);  // not a vacuous comparison of zeros
}

TEST_P(GraphModuleModels, RebuiltFromItsGraphHasTheSameTensorNamesAndValues) {
  const Case c = GetParam();
  train::SlimModel model = build(c);
  GraphModule gm(model->graph(true));
  const auto want = tensors_of(*model), got = tensors_of(*gm);
  ASSERT_EQ(want.size(), got.size());
  for (const auto& [name, t] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    EXPECT_TRUE(torch::equal(t, got.at(name))) << name;
  }
  // Parameters vs buffers as in the model (BN running statistics are buffers).
  EXPECT_EQ(model->parameters().size(), gm->parameters().size());
}

TEST_P(GraphModuleModels, RebuiltFromItsGraphMatchesInTrainingModeWithoutDropout) {
  // BN in training mode: batch statistics, and the running ones move the same way.
  const Case c = GetParam();
  train::SlimModel model = build(c, /*dropout=*/0.0);
  GraphModule gm(model->graph(true));
  model->train();
  gm->train();
  torch::manual_seed(4);
  const torch::Tensor x = test::random_batch(c, 6);
  const torch::Tensor a = model->forward(x), b = gm->forward(x);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-4);
  const auto ta = tensors_of(*model), tb = tensors_of(*gm);
  for (const auto& [name, t] : ta) {
    if (name.find("running") != std::string::npos) {
      EXPECT_LT((t - tb.at(name)).abs().max().item<double>(), 1e-5) << name;
    }
  }
}

TEST_P(GraphModuleModels, GradientsReachEveryParameter) {
  const Case c = GetParam();
  train::SlimModel model = build(c);
  GraphModule gm(model->graph(true), 0.1);
  gm->train();
  torch::manual_seed(5);
  const torch::Tensor logits = gm->forward(test::random_batch(c, 6));
  torch::nn::functional::cross_entropy(logits, torch::randint(c.classes, {6}, torch::kInt64)).backward();
  for (const auto& p : gm->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
  }
  // The first layer's weights receive a non-zero gradient: it flowed through everything.
  const ir::Graph g = gm->graph();
  std::string first;
  for (const ir::Layer& l : g.layers)
    if (!l.params.empty()) {
      first = l.name;
      break;
    }
  EXPECT_GT(gm->parameter(first, "weight").grad().abs().sum().item<double>(), 0.0) << first;
}

TEST_P(GraphModuleModels, GraphWithWeightsRoundTrips) {
  const Case c = GetParam();
  train::SlimModel model = build(c);
  const ir::Graph g = model->graph(true);
  GraphModule gm(g);
  const ir::Graph back = gm->graph(true);
  ASSERT_EQ(back.layers.size(), g.layers.size());
  EXPECT_EQ(back.groups.size(), g.groups.size());
  EXPECT_NO_THROW(back.validate());
  for (size_t i = 0; i < g.layers.size(); ++i) {
    ASSERT_EQ(back.layers[i].params.size(), g.layers[i].params.size());
    for (size_t k = 0; k < g.layers[i].params.size(); ++k)
      EXPECT_EQ(back.layers[i].params[k].data, g.layers[i].params[k].data) << g.layers[i].name;
  }
  // Without weights: structure only.
  for (const ir::Layer& l : gm->graph(false).layers)
    for (const ir::Param& p : l.params) EXPECT_TRUE(p.data.empty());
  // A GraphModule of a GraphModule's graph computes the same.
  GraphModule again(back);
  gm->eval();
  again->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = test::random_batch(c, 3);
  EXPECT_TRUE(torch::equal(gm->forward(x), again->forward(x)));
}

INSTANTIATE_TEST_SUITE_P(AllModels, GraphModuleModels, testing::ValuesIn(all_cases()), case_name);

// ---- hand-made graphs for the kinds no model uses --------------------------------

// test::param with data of standard deviation 0.5 from LibTorch's generator.
ir::Param param(const std::string& name, std::vector<int64_t> shape, bool trainable = true) {
  ir::Param p = test::param(name, std::move(shape), trainable);
  p.data.resize(size_t(p.numel()));
  for (float& v : p.data) v = float(torch::randn({1}).item<double>() * 0.5);
  return p;
}

using test::layer;

// input [T=5, F=3] → LSTM(4) → mean over time → dense 2.
ir::Graph lstm_graph() {
  torch::manual_seed(21);
  ir::Graph g;
  g.model = "lstm_test";
  g.input_shape = {5, 3};
  g.num_classes = 2;
  g.layers.push_back(layer("input", ir::LayerKind::kInput, {}, {5, 3}));
  ir::Layer r = layer("rnn", ir::LayerKind::kLstm, {"input"}, {5, 4});
  r.in_features = 3;
  r.out_features = 4;
  r.params = {param("weight_ih_l0", {16, 3}), param("weight_hh_l0", {16, 4}), param("bias_ih_l0", {16}),
              param("bias_hh_l0", {16})};
  g.layers.push_back(r);
  g.layers.push_back(layer("mean", ir::LayerKind::kMeanOverTime, {"rnn"}, {4}));
  ir::Layer fc = layer("fc", ir::LayerKind::kDense, {"mean"}, {2});
  fc.in_features = 4;
  fc.out_features = 2;
  fc.params = {param("weight", {2, 4}), param("bias", {2})};
  g.layers.push_back(fc);
  return g;
}

TEST(GraphModule, LstmMatchesTorchLstm) {
  const ir::Graph g = lstm_graph();
  GraphModule gm(g);
  torch::nn::LSTM ref(torch::nn::LSTMOptions(3, 4).batch_first(true));
  {
    torch::NoGradGuard no_grad;
    for (const char* n : {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
      ref->named_parameters()[n].copy_(gm->parameter("rnn", n));
  }
  const torch::Tensor x = torch::randn({3, 5, 3});
  const torch::Tensor want = std::get<0>(ref->forward(x)).mean(1);
  const torch::Tensor got_h = [&] {
    torch::Tensor seen;
    gm->on_layer_output = [&](const std::string& name, const torch::Tensor& t) {
      if (name == "mean") seen = t;
    };
    gm->forward(x);
    gm->on_layer_output = nullptr;
    return seen;
  }();
  EXPECT_LT((want - got_h).abs().max().item<double>(), 1e-6);
}

TEST(GraphModule, ElementwiseAndStructuralKinds) {
  // input [4, 6, 6] → depthwise 3×3 (pad 1) → relu6 → avg pool 2 → slice channels [1, 3)
  // ; input → conv 1×1 to 2 channels → hard tanh(−0.5, 0.5) → avg pool 2
  // add(slice, pooled conv) → transpose (1, 2, 0) → reshape [3, 6] → concat with itself on
  // axis 1 → global avg pool → softmax.
  torch::manual_seed(22);
  ir::Graph g;
  g.model = "kinds";
  g.input_shape = {4, 6, 6};
  g.layers.push_back(layer("input", ir::LayerKind::kInput, {}, {4, 6, 6}));
  ir::Layer dw = layer("dw", ir::LayerKind::kDepthwiseConv2d, {"input"}, {4, 6, 6});
  dw.in_features = dw.out_features = dw.groups = 4;
  dw.kernel = {3, 3};
  dw.padding = {1, 1};
  dw.params = {param("weight", {4, 1, 3, 3}), param("bias", {4})};
  g.layers.push_back(dw);
  g.layers.push_back(layer("r6", ir::LayerKind::kRelu6, {"dw"}, {4, 6, 6}));
  ir::Layer ap = layer("ap", ir::LayerKind::kAvgPool2d, {"r6"}, {4, 3, 3});
  ap.kernel = {2, 2};
  g.layers.push_back(ap);
  ir::Layer sl = layer("sl", ir::LayerKind::kSlice, {"ap"}, {2, 3, 3});
  sl.axis = 0;
  sl.begin = 1;
  sl.end = 3;
  g.layers.push_back(sl);
  ir::Layer pw = layer("pw", ir::LayerKind::kConv2d, {"input"}, {2, 6, 6});
  pw.in_features = 4;
  pw.out_features = 2;
  pw.kernel = {1, 1};
  pw.bias = false;
  pw.params = {param("weight", {2, 4, 1, 1})};
  g.layers.push_back(pw);
  ir::Layer ht = layer("ht", ir::LayerKind::kHardTanh, {"pw"}, {2, 6, 6});
  ht.min_value = -0.5f;
  ht.max_value = 0.5f;
  g.layers.push_back(ht);
  ir::Layer ap2 = layer("ap2", ir::LayerKind::kAvgPool2d, {"ht"}, {2, 3, 3});
  ap2.kernel = {2, 2};
  g.layers.push_back(ap2);
  g.layers.push_back(layer("add", ir::LayerKind::kAdd, {"sl", "ap2"}, {2, 3, 3}));
  ir::Layer tr = layer("tr", ir::LayerKind::kTranspose, {"add"}, {3, 3, 2});
  tr.perm = {1, 2, 0};
  g.layers.push_back(tr);
  g.layers.push_back(layer("rs", ir::LayerKind::kReshape, {"tr"}, {3, 6}));
  ir::Layer cat = layer("cat", ir::LayerKind::kConcat, {"rs", "rs"}, {3, 12});
  cat.axis = 1;
  g.layers.push_back(cat);
  g.layers.push_back(layer("gap", ir::LayerKind::kGlobalAvgPool, {"cat"}, {3}));
  g.layers.push_back(layer("sm", ir::LayerKind::kSoftmax, {"gap"}, {3}));
  GraphModule gm(g);

  const torch::Tensor x = torch::randn({2, 4, 6, 6});
  const torch::Tensor a = torch::avg_pool2d(
      torch::hardtanh(torch::conv2d(x, gm->parameter("dw", "weight"), gm->parameter("dw", "bias"), 1, 1, 1, 4), 0, 6),
      2);
  const torch::Tensor b = torch::avg_pool2d(torch::hardtanh(torch::conv2d(x, gm->parameter("pw", "weight")), -0.5, 0.5), 2);
  const torch::Tensor s = (a.narrow(1, 1, 2) + b).permute({0, 2, 3, 1}).reshape({2, 3, 6});
  const torch::Tensor want = torch::softmax(torch::cat({s, s}, 2).mean(2), -1);
  EXPECT_LT((gm->forward(x) - want).abs().max().item<double>(), 1e-6);
}

TEST(GraphModule, SignHasValuesPlusMinusOneAndAStraightThroughGradient) {
  ir::Graph g;
  g.model = "sign";
  g.input_shape = {5};
  g.layers.push_back(layer("input", ir::LayerKind::kInput, {}, {5}));
  g.layers.push_back(layer("sign", ir::LayerKind::kSign, {"input"}, {5}));
  GraphModule gm(g);
  torch::Tensor x = torch::tensor({{-2.0f, -0.5f, 0.0f, 0.7f, 3.0f}}).requires_grad_(true);
  const torch::Tensor y = gm->forward(x);
  EXPECT_TRUE(torch::equal(y.detach(), torch::tensor({{-1.0f, -1.0f, 1.0f, 1.0f, 1.0f}})));
  y.sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), torch::tensor({{0.0f, 1.0f, 1.0f, 1.0f, 0.0f}})));  // 1{|x| ≤ 1}
}

TEST(GraphModule, SigmoidAndHardSwish) {
  // input [5] → sigmoid → hard-swish, built with the GraphBuilder (shapes from the op facts).
  train::GraphBuilder b("act", {5}, 0);
  b.elementwise("sig", ir::LayerKind::kSigmoid);
  b.elementwise("hs", ir::LayerKind::kHardSwish, "input");
  GraphModule sig(b.finish());
  EXPECT_EQ(sig->graph().layer("hs")->output_shape, (std::vector<int64_t>{5}));
  const torch::Tensor x = torch::tensor({{-4.0f, -1.0f, 0.0f, 2.0f, 5.0f}});
  sig->on_layer_output = [&](const std::string& name, const torch::Tensor& y) {
    if (name == "sig") EXPECT_TRUE(torch::allclose(y, torch::sigmoid(x)));
  };
  // hard-swish x·relu6(x + 3)/6: −4 → 0, −1 → −1/3, 0 → 0, 2 → 5/3, 5 → 5.
  const torch::Tensor want = torch::tensor({{0.0f, -1.0f / 3, 0.0f, 5.0f / 3, 5.0f}});
  EXPECT_TRUE(torch::allclose(sig->forward(x), want, 1e-6, 1e-6));
}

// ---- hooks -------------------------------------------------------------------

Case lenet{"lenet5", {1, 28, 28}, 10, 0.25};
Case deepsense{"deepsense", {2, 8, 30}, 6, 0.25};

TEST(GraphModuleHooks, ParamHookChangesWhatTheLayerUses) {
  GraphModule gm(build(lenet)->graph(true));
  gm->eval();
  std::vector<std::string> seen;
  gm->hooks("fc2").param.push_back([&](const std::string& name, const torch::Tensor& t) {
    seen.push_back(name);
    return name == "weight" ? torch::zeros_like(t) : t;
  });
  const torch::Tensor y = gm->forward(test::random_batch(lenet, 3));
  EXPECT_EQ(seen, (std::vector<std::string>{"weight", "bias"}));
  // W = 0: the logits are the bias, for every sample; the stored weights are untouched.
  EXPECT_TRUE(torch::allclose(y, gm->parameter("fc2", "bias").expand({3, 10})));
  EXPECT_GT(gm->parameter("fc2", "weight").abs().sum().item<double>(), 0.0);
  gm->clear_hooks();
  EXPECT_FALSE(torch::allclose(gm->forward(test::random_batch(lenet, 3)), gm->parameter("fc2", "bias").expand({3, 10})));
}

TEST(GraphModuleHooks, InputAndOutputHooks) {
  GraphModule gm(build(lenet)->graph(true));
  gm->eval();
  const torch::Tensor x = test::random_batch(lenet, 2);
  // Input hook on fc1 that zeroes its input: fc1 gives its bias.
  torch::Tensor fc1_out;
  gm->on_layer_output = [&](const std::string& n, const torch::Tensor& t) {
    if (n == "fc1") fc1_out = t;
  };
  gm->hooks("fc1").input.push_back([](const torch::Tensor& t) { return torch::zeros_like(t); });
  gm->forward(x);
  EXPECT_TRUE(torch::allclose(fc1_out, gm->parameter("fc1", "bias").expand_as(fc1_out)));
  gm->clear_hooks();
  // Output hook masking every unit of fc1 ([B, units]): fc2 gives its bias.
  gm->hooks("fc1").output.push_back([](const torch::Tensor& t) { return t * torch::zeros({1, t.size(1)}); });
  EXPECT_TRUE(torch::allclose(gm->forward(x), gm->parameter("fc2", "bias").expand({2, 10})));
  gm->clear_hooks();
  EXPECT_THROW(gm->hooks("no_such_layer"), std::invalid_argument);
  EXPECT_THROW(gm->parameter("fc1", "no_such_param"), std::invalid_argument);
}

TEST(GraphModuleHooks, StateHookRunsAfterEveryStep) {
  GraphModule gm(build(deepsense)->graph(true));
  gm->eval();
  int calls = 0;
  gm->hooks("gru2").state.push_back([&](const torch::Tensor& h) {
    ++calls;
    EXPECT_EQ(h.dim(), 2);  // [B, H]
    return torch::zeros_like(h);
  });
  const torch::Tensor y = gm->forward(test::random_batch(deepsense, 2));
  EXPECT_EQ(calls, 8);  // T = 8 intervals
  // h_t = 0 at every step → the mean over time is 0 → the logits are fc's bias.
  EXPECT_TRUE(torch::allclose(y, gm->parameter("fc", "bias").expand({2, 6}), 1e-6, 1e-6));
}

// make_model() draws LibTorch's default initialization in module order: the same
// seed gives exactly the tensors torch::nn modules constructed in layer order give.
TEST(GraphModule, InitializationIsLibTorchsDefault) {
  train::ModelConfig cfg = test::config_of(lenet);
  torch::manual_seed(5);
  const train::SlimModel m = train::make_model(cfg);
  torch::manual_seed(5);
  // One statement each: the construction order is the draw order.
  torch::nn::Conv2d conv1(torch::nn::Conv2dOptions(1, 5, 5));
  torch::nn::Conv2d conv2(torch::nn::Conv2dOptions(5, 13, 5));
  torch::nn::Linear fc1(13 * 16, 125);
  torch::nn::Linear fc2(125, 10);
  const std::vector<torch::Tensor> got = m->parameters();
  const std::vector<torch::Tensor> want = {conv1->weight, conv1->bias, conv2->weight, conv2->bias,
                                           fc1->weight,   fc1->bias,   fc2->weight,   fc2->bias};
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(torch::equal(got[i], want[i])) << i;

  // Conv → BN → … → GRU: BN draws nothing, the GRU U(±1/√H) over its four tensors.
  cfg.name = "deepsense";
  cfg.input_shape = {1, 4, 30};
  cfg.num_classes = 3;
  torch::manual_seed(6);
  const ir::Graph g = train::make_model(cfg)->graph(true);
  torch::manual_seed(6);
  std::vector<torch::Tensor> order;  // the reference modules' tensors, in construction order
  int64_t in = 1;
  for (const ir::Layer& l : g.layers) {
    if (l.kind == ir::LayerKind::kConv2d) {
      torch::nn::Conv2d c(torch::nn::Conv2dOptions(in, l.out_features, {l.kernel[0], l.kernel[1]}));
      order.push_back(c->weight);
      order.push_back(c->bias);
      in = l.out_features;
    } else if (l.kind == ir::LayerKind::kBatchNorm) {
      torch::nn::BatchNorm2d b(l.out_features);
      for (const auto& t : {b->weight, b->bias, b->running_mean, b->running_var}) order.push_back(t);
    } else if (l.kind == ir::LayerKind::kGru) {
      torch::nn::GRU r(torch::nn::GRUOptions(l.in_features, l.out_features));
      for (const auto& t : r->parameters()) order.push_back(t);
    } else if (l.kind == ir::LayerKind::kDense) {
      torch::nn::Linear d(l.in_features, l.out_features);
      order.push_back(d->weight);
      order.push_back(d->bias);
    }
  }
  size_t k = 0;
  for (const ir::Layer& l : g.layers)
    for (const ir::Param& p : l.params) {
      ASSERT_LT(k, order.size());
      const torch::Tensor t = order[k++].detach().contiguous().view(-1);
      EXPECT_EQ(p.data, std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel()))
          << l.name << "." << p.name;
    }
  EXPECT_EQ(k, order.size());
}

// Without a state hook a GRU runs LibTorch's fused torch::gru; with one, the step
// loop. Both compute the same values and gradients.
TEST(GraphModule, FusedRecurrenceMatchesTheStepLoop) {
  GraphModule fused(build(deepsense)->graph(true)), loop(fused->graph(true));
  loop->hooks("gru1").state.push_back([](const torch::Tensor& h) { return h; });
  loop->hooks("gru2").state.push_back([](const torch::Tensor& h) { return h; });
  fused->train();
  loop->train();
  torch::manual_seed(9);
  const torch::Tensor x = test::random_batch(deepsense, 4);
  torch::manual_seed(10);
  const torch::Tensor a = fused->forward(x);
  torch::manual_seed(10);  // the same dropout masks
  const torch::Tensor b = loop->forward(x);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-5);
  a.sum().backward();
  b.sum().backward();
  for (const char* name : {"weight_ih_l0", "weight_hh_l0", "bias_hh_l0"}) {
    const torch::Tensor ga = fused->parameter("gru1", name).grad(), gb = loop->parameter("gru1", name).grad();
    EXPECT_GT(ga.abs().max().item<double>(), 0.0) << name;
    EXPECT_LT((ga - gb).abs().max().item<double>(), 1e-4) << name;
  }
}

TEST(GraphModule, RejectsGraphsWithoutWeightsOrBadNames) {
  train::SlimModel m = build(lenet);
  try {
    GraphModule gm(m->graph(/*with_weights=*/false));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("conv1.weight"), std::string::npos) << e.what();
  }
  ir::Graph g = m->graph(true);
  g.layers[1].name = "conv..1";
  g.layers[2].inputs = {"conv..1"};  // keep the graph valid except for the name
  for (auto& grp : g.groups)
    for (auto* refs : {&grp.producers, &grp.consumers})
      for (auto& r : *refs)
        if (r.layer == "conv1") r.layer = "conv..1";
  EXPECT_THROW(GraphModule{g}, std::invalid_argument);
  ir::Graph bad = m->graph(true);
  bad.layers[1].params[0].shape = {1, 2, 3};
  EXPECT_THROW(GraphModule{bad}, std::invalid_argument);
}

TEST(GraphModule, TheTrainerTrainsIt) {
  const data::PreparedData& d = test::small_har();
  train::ModelConfig mc;
  mc.name = "cnn1d";
  mc.width = 0.25;
  mc.input_shape = d.train.sample_shape;
  mc.num_classes = int64_t(d.train.class_names.size());
  torch::manual_seed(1);
  GraphModule gm(train::make_model(mc)->graph(true), mc.dropout);
  train::TrainConfig tc;
  tc.epochs = 3;
  tc.batch_size = 32;
  tc.lr = 3e-3;
  tc.threads = 1;
  train::Trainer trainer(tc, gm.ptr(), d);
  trainer.on_log = [](const std::string&) {};
  const ir::Graph before = gm->graph(true);
  const train::TrainResult r = trainer.fit();
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  EXPECT_GT(r.test.accuracy, 2.0 / 7.0);  // 7 classes: well above chance
  EXPECT_NE(gm->graph(true).layers[1].params[0].data, before.layers[1].params[0].data);
}

}  // namespace
}  // namespace slimlab
