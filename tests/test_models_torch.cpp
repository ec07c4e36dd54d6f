// Every model on realistic inputs at two widths: the forward shape, and that its Graph
// IR describes exactly the module make_model() returns (parameters, shapes, values)
// and has prunable groups whose indexing really isolates each unit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "model_cases_torch.h"
#include "train/model.h"
#include "train/model_factory.h"
#include "train/models/models.h"
#include "train/resources.h"

namespace slimlab {
namespace {

using Case = test::ModelCase;
using test::random_batch;

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string n = info.param.model;
  for (int64_t d : info.param.shape) n += "_" + std::to_string(d);
  return n + (info.param.width == 1.0 ? "_w100" : "_w050");
}

std::vector<Case> all_cases() { return test::at_widths(test::zoo_at_data_shapes(), {1.0, 0.5}); }

train::SlimModel build(const Case& c) {
  torch::manual_seed(7);
  return train::make_model(test::config_of(c));
}

// Parameters and buffers by their dotted module path (BN's step counter is not a weight).
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value();
  for (const auto& b : m.named_buffers())
    if (b.key().find("num_batches_tracked") == std::string::npos) out[b.key()] = b.value();
  return out;
}

class ModelTest : public testing::TestWithParam<Case> {};

TEST_P(ModelTest, ForwardGivesLogitsPerClass) {
  const Case& c = GetParam();
  train::SlimModel m = build(c);
  m->train();
  const torch::Tensor y = m->forward(random_batch(c, 3));
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{3, c.classes}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  m->eval();
  EXPECT_EQ(m->forward(random_batch(c, 1)).sizes().vec(), (std::vector<int64_t>{1, c.classes}));
  // A batch of the wrong sample shape is refused with the expected shape.
  std::vector<int64_t> wrong{2};
  wrong.insert(wrong.end(), c.shape.begin(), c.shape.end());
  wrong.back() += 1;
  EXPECT_THROW(m->forward(torch::zeros(wrong)), std::invalid_argument);
}

TEST_P(ModelTest, GraphDescribesTheModule) {
  const Case& c = GetParam();
  train::SlimModel m = build(c);
  const ir::Graph g = m->graph();
  EXPECT_NO_THROW(g.validate());
  EXPECT_EQ(g.model, c.model);
  EXPECT_EQ(g.input_shape, c.shape);
  EXPECT_EQ(g.layers.back().output_shape, (std::vector<int64_t>{c.classes}));

  int64_t torch_count = 0;
  for (const auto& p : m->parameters()) torch_count += p.numel();
  EXPECT_EQ(g.parameter_count(), torch_count);
  int64_t layer_sum = 0;
  for (const auto& l : g.layers) layer_sum += l.parameter_count();
  EXPECT_EQ(layer_sum, torch_count);
  EXPECT_EQ(train::profile(g).params, torch_count);

  // Every tensor of the module is in the graph under the same name and shape (a
  // submodule that was not registered, or one the graph forgot, shows up here) …
  const auto tensors = module_tensors(*m);
  size_t graph_params = 0;
  for (const auto& l : g.layers) graph_params += l.params.size();
  EXPECT_EQ(graph_params, tensors.size());
  for (const auto& [name, t] : tensors) {
    const size_t dot = name.rfind('.');
    const ir::Layer* l = g.layer(name.substr(0, dot));
    ASSERT_NE(l, nullptr) << name << " has no layer in the graph";
    const ir::Param* p = l->param(name.substr(dot + 1));
    ASSERT_NE(p, nullptr) << name << " is not a parameter of the graph";
    EXPECT_EQ(p->shape, t.sizes().vec()) << name;
    EXPECT_EQ(p->trainable, t.requires_grad()) << name;
    EXPECT_TRUE(p->data.empty()) << name;
  }

  // … and graph(true) carries their values.
  const ir::Graph gw = m->graph(/*with_weights=*/true);
  for (const auto& [name, t] : tensors) {
    const size_t dot = name.rfind('.');
    const ir::Param* p = gw.layer(name.substr(0, dot))->param(name.substr(dot + 1));
    ASSERT_EQ(int64_t(p->data.size()), t.numel()) << name;
    const torch::Tensor flat = t.detach().contiguous().view(-1);
    const float* v = flat.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) ASSERT_EQ(p->data[size_t(i)], v[i]) << name << "[" << i << "]";
  }
}

TEST_P(ModelTest, BrokenGraphsFailValidationNamingTheCulprit) {
  const Case& c = GetParam();
  const ir::Graph good = build(c)->graph();

  // Wrong in_features on the first dense layer (its weight changed along with it).
  ir::Graph g = good;
  ir::Layer* dense = nullptr;
  for (auto& l : g.layers)
    if (l.kind == ir::LayerKind::kDense) {
      dense = &l;
      break;
    }
  ASSERT_NE(dense, nullptr);
  dense->in_features += 1;
  dense->param("weight")->shape[1] += 1;
  try {
    g.validate();
    FAIL() << "accepted a dense layer with the wrong in_features";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'" + dense->name + "'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("in_features"), std::string::npos) << e.what();
  }

  // A group whose unit count no longer matches the extent of its parameters.
  g = good;
  ASSERT_FALSE(g.groups.empty());
  g.groups.back().units += 1;
  try {
    g.validate();
    FAIL() << "accepted a group with the wrong extent";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("group '" + g.groups.back().name + "'"), std::string::npos) << e.what();
  }
}

// The entries of one unit along a UnitRef's axis: each gate block holds the unit's `block`
// consecutive entries at gate·gate_stride + u·block.
torch::Tensor unit_indices(const ir::UnitRef& r, int64_t u, int64_t extent) {
  const int64_t blocks = r.gate_stride > 0 ? extent / r.gate_stride : 1;
  std::vector<int64_t> idx;
  for (int64_t gate = 0; gate < blocks; ++gate)
    for (int64_t b = 0; b < r.block; ++b) idx.push_back(gate * r.gate_stride + u * r.block + b);
  return torch::tensor(idx, torch::kLong);
}

// Cutting a unit's consumers (and, for a GRU, its recurrent column) must make the
// network's output independent of that unit's producers: then removing the unit is
// exactly what DeepIoT's finishing step does. Checked for the first and last unit of
// every group, which exercises block and gate_stride (the DeepSense concat and
// transpose, the GRU gates, the flatten before a dense layer).
TEST_P(ModelTest, GroupsIsolateEachUnit) {
  const Case& c = GetParam();
  train::SlimModel m = build(c);
  m->eval();
  const ir::Graph g = m->graph();
  auto tensors = module_tensors(*m);
  std::map<std::string, torch::Tensor> saved;
  for (auto& [n, t] : tensors) saved[n] = t.detach().clone();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = random_batch(c, 2);

  auto fill = [&](const ir::UnitRef& r, int64_t u, double v) {
    torch::Tensor t = tensors.at(r.layer + "." + r.param);
    t.index_fill_(r.axis, unit_indices(r, u, t.size(r.axis)), v);
  };
  for (const ir::PrunableGroup& grp : g.groups) {
    for (int64_t u : {int64_t(0), grp.units - 1}) {
      for (auto& [n, t] : tensors) t.copy_(saved[n]);
      // Without cutting anything, disturbing the producers changes the output (with one
      // sign or the other: a ReLU may silence the unit for one of them) …
      const torch::Tensor y0 = m->forward(x);
      double changed = 0;
      for (double v : {3.7, -3.7}) {
        for (const auto& r : grp.producers)
          if (r.axis == 0) fill(r, u, v);
        changed = std::max(changed, (m->forward(x) - y0).abs().max().item<double>());
      }
      EXPECT_GT(changed, 1e-4) << grp.name << " unit " << u << " does not reach the output";

      // … but once the consumers are cut it does not.
      for (auto& [n, t] : tensors) t.copy_(saved[n]);
      for (const auto& r : grp.consumers) fill(r, u, 0.0);
      for (const auto& r : grp.producers)
        if (r.axis != 0) fill(r, u, 0.0);  // a GRU's recurrent column
      const torch::Tensor y1 = m->forward(x);
      for (const auto& r : grp.producers)
        if (r.axis == 0) fill(r, u, 3.7);
      const double leak = (m->forward(x) - y1).abs().max().item<double>();
      EXPECT_LT(leak, 1e-5) << grp.name << " unit " << u << " still reaches the output";
    }
  }
  for (auto& [n, t] : tensors) t.copy_(saved[n]);
}

INSTANTIATE_TEST_SUITE_P(AllModels, ModelTest, testing::ValuesIn(all_cases()), case_name);

TEST(Models, WidthMultiplierScalesHiddenWidths) {
  const ir::Graph full = build({"deepsense", {2, 20, 60}, 6, 1.0})->graph();
  const ir::Graph half = build({"deepsense", {2, 20, 60}, 6, 0.5})->graph();
  EXPECT_EQ(full.layer("gru1")->out_features, 120);
  EXPECT_EQ(half.layer("gru1")->out_features, 60);
  EXPECT_EQ(full.layer("sensor1.conv2")->out_features, 64);
  EXPECT_EQ(half.layer("sensor1.conv2")->out_features, 32);
  EXPECT_EQ(half.layer("fc")->out_features, 6);  // the output layer keeps the classes

  const ir::Graph tiny = build({"lenet5", {1, 28, 28}, 10, 0.01})->graph();
  EXPECT_EQ(tiny.layer("conv1")->out_features, 1);  // max(1, round(20 · 0.01))
  EXPECT_EQ(tiny.layer("fc1")->out_features, 5);
}

TEST(Models, DeepSenseFollowsThePaperOnHhar) {
  const ir::Graph g = build({"deepsense", {2, 20, 60}, 6, 1.0})->graph();
  const ir::Layer* c1 = g.layer("sensor0.conv1");
  EXPECT_EQ(c1->kernel, (std::vector<int64_t>{1, 18}));
  EXPECT_EQ(c1->stride, (std::vector<int64_t>{1, 6}));
  EXPECT_EQ(c1->output_shape, (std::vector<int64_t>{64, 20, 8}));
  EXPECT_EQ(g.layer("sensor0.conv3")->output_shape, (std::vector<int64_t>{64, 20, 4}));
  EXPECT_EQ(g.layer("merge.concat")->output_shape, (std::vector<int64_t>{128, 20, 4}));
  EXPECT_EQ(g.layer("merge.conv3")->output_shape, (std::vector<int64_t>{64, 20, 4}));
  EXPECT_EQ(g.layer("gru1")->in_features, 256);
  EXPECT_EQ(g.layer("gru1")->output_shape, (std::vector<int64_t>{20, 120}));
  // Groups: conv1 and conv2 per sensor, the shared conv3, three merge convs, two GRUs.
  EXPECT_EQ(g.groups.size(), 2u * 2 + 1 + 3 + 2);
  const ir::PrunableGroup* gru1 = nullptr;
  for (const auto& grp : g.groups)
    if (grp.name == "gru1") gru1 = &grp;
  ASSERT_NE(gru1, nullptr);
  EXPECT_EQ(gru1->kind, "rnn");
  EXPECT_EQ(gru1->producers[0].gate_stride, 120);

  // A short feature axis (1 sensor, 5 bins → F = 30): kernel 18, stride 3 → 5, 3, 1 positions.
  const ir::Graph hmp = build({"deepsense", {1, 20, 30}, 5, 1.0})->graph();
  EXPECT_EQ(hmp.layer("sensor0.conv1")->stride, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(hmp.layer("sensor0.conv1")->output_shape, (std::vector<int64_t>{64, 20, 5}));
  EXPECT_EQ(hmp.layer("sensor0.conv3")->output_shape, (std::vector<int64_t>{64, 20, 1}));

  // Very short axes still build: F = 6 (1 bin) → a single position after conv1.
  train::SlimModel tiny = build({"deepsense", {1, 4, 6}, 3, 0.25});
  tiny->eval();
  EXPECT_EQ(tiny->forward(torch::randn({2, 1, 4, 6})).sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_NO_THROW(tiny->graph().validate());
}

// Trainable parameters of every model at widths 1 and 0.5, worked out by hand from the
// architectures (conv o·i·k + o, BN 2c, GRU 3H(F + H) + 6H, dense i·o + o): the
// counts the hand-written LibTorch models had before the models became graph builders.
TEST(Models, KnownParameterCounts) {
  const std::vector<std::pair<Case, int64_t>> known = {
      {{"deepsense", {2, 20, 60}, 6, 1.0}, 326262}, {{"deepsense", {1, 20, 30}, 5, 1.0}, 218429},
      {{"cnn1d", {6, 100}, 6, 1.0}, 43846},         {{"deepear_dnn", {1, 40, 101}, 10, 1.0}, 1168650},
      {{"audio_cnn", {1, 40, 101}, 10, 1.0}, 75530}, {{"lenet5", {1, 28, 28}, 10, 1.0}, 431080},
      {{"vgg_small", {3, 32, 32}, 10, 1.0}, 3249994}, {{"deepsense", {2, 20, 60}, 6, 0.5}, 83118},
      {{"deepsense", {1, 20, 30}, 5, 0.5}, 55697},  {{"cnn1d", {6, 100}, 6, 0.5}, 11686},
      {{"deepear_dnn", {1, 40, 101}, 10, 0.5}, 551562}, {{"audio_cnn", {1, 40, 101}, 10, 0.5}, 19338},
      {{"lenet5", {1, 28, 28}, 10, 0.5}, 109295},   {{"vgg_small", {3, 32, 32}, 10, 0.5}, 815018},
  };
  for (const auto& [c, count] : known) {
    int64_t n = 0;
    for (const auto& p : build(c)->parameters()) n += p.numel();
    EXPECT_EQ(n, count) << c.model << " width " << c.width;
    EXPECT_EQ(train::model_graph(test::config_of(c)).parameter_count(), count) << c.model;  // torch-free, the same graph
  }
}

TEST(Models, LeNet5MatchesCaffe) {
  const ir::Graph g = build({"lenet5", {1, 28, 28}, 10, 1.0})->graph();
  EXPECT_EQ(g.parameter_count(), 431080);
  EXPECT_EQ(train::profile(g).macs, 2293000);
}

TEST(Models, FactoryNamesAndErrors) {
  EXPECT_EQ(train::model_names().size(), 6u);
  EXPECT_EQ(train::model_modality("deepsense"), "har");
  EXPECT_EQ(train::model_modality("audio_cnn"), "audio");
  EXPECT_EQ(train::model_modality("vgg_small"), "vision");
  EXPECT_THROW(train::model_modality("resnet"), std::invalid_argument);

  train::ModelConfig cfg;
  cfg.name = "resnet50";
  cfg.input_shape = {3, 32, 32};
  cfg.num_classes = 10;
  try {
    train::make_model(cfg);
    FAIL();
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("resnet50"), std::string::npos);
    for (const auto& n : train::model_names()) EXPECT_NE(msg.find(n), std::string::npos) << msg;
  }

  // A model that does not fit the input says which shape it needs.
  auto expect_needs = [](const std::string& model, std::vector<int64_t> shape, const std::string& needs) {
    train::ModelConfig c;
    c.name = model;
    c.input_shape = std::move(shape);
    c.num_classes = 4;
    try {
      train::make_model(c);
      FAIL() << model << " accepted the shape";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needs), std::string::npos) << e.what();
    }
  };
  expect_needs("lenet5", {6, 100}, "[C, H, W]");
  expect_needs("lenet5", {1, 12, 12}, "H, W >= 16");
  expect_needs("vgg_small", {3, 4, 4}, "H, W >= 8");
  expect_needs("cnn1d", {6, 20, 3}, "[C, W]");
  expect_needs("cnn1d", {6, 5}, "W >= 8");
  expect_needs("deepsense", {6, 100}, "[S sensors, T intervals, F features]");
  expect_needs("audio_cnn", {1, 40}, "[C, F, frames]");

  cfg.name = "lenet5";
  cfg.input_shape = {1, 28, 28};
  cfg.num_classes = 0;
  EXPECT_THROW(train::make_model(cfg), std::invalid_argument);
  cfg.num_classes = 10;
  cfg.width = 0;
  EXPECT_THROW(train::make_model(cfg), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
