// Regression test for the binary export of TRAINED models (real MNIST, skipped when
// ../shared/datasets is absent). A BNN LeNet-5 run once recorded test accuracy 0.956
// while its `--precision binary` .slim scored 0.574: the exporter had fused fc1's ReLU
// into the BNN dense op, whose XOR + popcount kernels have no fused activation, so the
// ReLU was silently lost. The random-weight parity test (test_export_parity_torch.cpp)
// binarizes the last layer too, so that ReLU always folded into a threshold there and
// the float-output BNN path with a ReLU behind it was never exported.
//
// Here each case goes the way a run does, on a few hundred samples: train LeNet-5 briefly,
// run the real `bnn` / `binaryconnect` stage through a StageContext, record the test
// accuracy as the runner does, write model.h5, read it back, export it as binary, and
// require that slimrt's predictions equal the workbench's evaluation of that model.h5
// (LibTorch GraphModule in eval mode, and the double-precision reference evaluator),
// so the accuracy slimrt reports is the accuracy the run recorded.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "compress/quant/graph_eval.h"
#include "compress/stage_torch.h"
#include "datasets/pipeline.h"
#include "deploy/export/exporter.h"
#include "experiments/experiment.h"
#include "slimrt/runtime.h"
#include "tests/test_util.h"
#include "train/graph_io.h"
#include "train/graph_module.h"
#include "train/model_factory.h"
#include "train/trainer.h"

namespace slimlab {
namespace {

namespace fs = std::filesystem;

constexpr size_t kTrain = 600, kTest = 300;

data::ArraySet spread(const data::ArraySet& s, size_t n) {
  std::vector<size_t> idx(std::min(n, s.size()));
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i * s.size() / idx.size();
  return s.subset(idx);
}

// The experiments/mnist_lenet5_*binary.toml set-up, shortened: the stage's own table
// is `stage` (its defaults filled in by the experiment parser, as in a run).
exp::Experiment experiment(const std::string& stage) {
  const std::string text = "name = \"trained_binary\"\n[dataset]\nsource = \"" +
                           (test::shared_datasets() / "mnist").string() +
                           "\"\nsplit = \"stratified\"\nval_fraction = 0.0\ntest_fraction = 0.2\n"
                           "[model]\nname = \"lenet5\"\n"
                           "[train]\noptimizer = \"sgd\"\nlr = 0.01\nmomentum = 0.9\nschedule = \"cosine\"\n"
                           "epochs = 2\nbatch_size = 32\nseed = 1\nthreads = 1\n" +
                           stage;
  return exp::parse_experiment(text, "trained_binary.toml");
}

// MNIST prepared once (10,000 test-file digits, stratified 8,000 / 2,000), capped.
const data::PreparedData& mnist(const exp::Experiment& e) {
  static const data::PreparedData d = [&] {
    data::PreparedData p = data::prepare(e.dataset);
    p.train = spread(p.train, kTrain);
    p.test = spread(p.test, kTest);
    p.val = data::ArraySet{};
    return p;
  }();
  return d;
}

torch::Tensor batch(const data::ArraySet& s) {
  std::vector<int64_t> shape{int64_t(s.size())};
  shape.insert(shape.end(), s.sample_shape.begin(), s.sample_shape.end());
  return torch::from_blob(const_cast<float*>(s.values.data()), shape).clone();
}

std::vector<int64_t> argmax_rows(const torch::Tensor& logits) {
  const torch::Tensor p = logits.argmax(1).contiguous();
  return std::vector<int64_t>(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + p.numel());
}

double accuracy(const std::vector<int64_t>& pred, const data::ArraySet& s) {
  size_t ok = 0;
  for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == s.labels[i];
  return double(ok) / double(pred.size());
}

struct Case {
  std::string name, stage;
};

class TrainedBinaryExport : public testing::TestWithParam<Case> {};

TEST_P(TrainedBinaryExport, SlimrtPredictsWhatTheRunEvaluated) {
  SLIMLAB_REQUIRE_DATASET("mnist");
  const exp::Experiment e = experiment(GetParam().stage);
  ASSERT_EQ(e.stages.size(), 1u);
  const data::PreparedData& d = mnist(e);
  test::TempDir dir;

  // 1. The float base model, briefly trained.
  train::ModelConfig mc = e.model;
  mc.input_shape = d.train.sample_shape;
  mc.num_classes = int64_t(d.source.class_names.size());
  torch::manual_seed(1);
  train::SlimModel model = train::make_model(mc);
  train::TrainConfig tc = e.train;
  {
    train::Trainer t(tc, model, d);
    t.on_log = [](const std::string&) {};
    t.fit();
  }

  // 2. The binary stage, as the runner runs it.
  compress::StageRecord rec;
  rec.type = e.stages[0].type;
  compress::StageContext ctx;
  ctx.model = model;
  ctx.data = &d;
  ctx.train = tc;
  ctx.model_config = mc;
  ctx.params = compress::StageParams(e.stages[0].type, 0, e.stages[0].params);
  ctx.run_dir = dir.path();
  ctx.dir = compress::stage_dir(dir.path(), 0, e.stages[0].type);
  fs::create_directories(ctx.dir);
  ctx.record = &rec;
  ctx.graph_module();
  compress::make_stage(e.stages[0].type)->run(ctx);
  const double recorded = ctx.evaluate(d.test).accuracy;  // the run's test accuracy
  ir::write_graph_h5(dir / "model.h5", ctx.model->graph(/*with_weights=*/true));

  // 3. The workbench's evaluation of model.h5 (what `slimlab export` reads).
  const ir::Graph g = ir::read_graph_h5(dir / "model.h5");
  compress::GraphModule gm(g, mc.dropout);
  gm->eval();
  std::vector<int64_t> workbench;
  {
    torch::NoGradGuard ng;
    workbench = argmax_rows(gm->forward(batch(d.test)));
  }
  EXPECT_DOUBLE_EQ(accuracy(workbench, d.test), recorded) << "model.h5 is not the model the run evaluated";
  // A model that learned something (chance is 0.1): equal predictions must mean something.
  EXPECT_GT(recorded, 0.5);

  // 4. The binary export of model.h5 on slimrt.
  deploy::ExportOptions o;
  o.precision = deploy::ExportPrecision::kBinary;
  const deploy::ExportResult r = deploy::export_graph(g, o);
  for (const std::string& n : r.notes) RecordProperty("note", n);
  auto m = slimrt::Model::from_memory(r.bytes.data(), r.bytes.size());
  slimrt::Interpreter in(m);
  int binary_ops = 0;
  for (const std::string& k : in.kernel_names())
    binary_ops += k.find("/bnn/") != std::string::npos || k.find("/bc_") != std::string::npos;
  EXPECT_GE(binary_ops, 2) << "the binary layers should run binary kernels";
  std::vector<int64_t> slim;
  std::vector<float> y(size_t(in.output(0).numel));
  const size_t per = size_t(d.test.sample_numel());
  for (size_t i = 0; i < d.test.size(); ++i) {
    in.set_input(0, d.test.sample(i), per);
    in.invoke();
    in.get_output(0, y.data(), y.size());
    slim.push_back(int64_t(std::max_element(y.begin(), y.end()) - y.begin()));
  }
  size_t differ = 0;
  for (size_t i = 0; i < slim.size(); ++i) differ += slim[i] != workbench[i];
  EXPECT_EQ(differ, 0u) << "of " << slim.size() << " test digits; slimrt accuracy " << accuracy(slim, d.test)
                        << ", the run's " << recorded;
  // The double-precision reference evaluation of the exported graph agrees too.
  const std::vector<double> ref =
      compress::quant::evaluate_reference(r.graph, d.test.values.data(), int64_t(d.test.size()));
  const size_t classes = y.size();
  size_t ref_differ = 0;
  for (size_t i = 0; i < d.test.size(); ++i) {
    const double* row = ref.data() + i * classes;
    ref_differ += int64_t(std::max_element(row, row + classes) - row) != slim[i];
  }
  EXPECT_EQ(ref_differ, 0u);
  RecordProperty("recorded_accuracy", std::to_string(recorded));
  RecordProperty("slimrt_accuracy", std::to_string(accuracy(slim, d.test)));
  std::printf("%s: run's test accuracy %.4f, slimrt %.4f on %zu digits, %zu predictions differ\n",
              GetParam().name.c_str(), recorded, accuracy(slim, d.test), slim.size(), differ);
}

INSTANTIATE_TEST_SUITE_P(
    Mnist, TrainedBinaryExport,
    testing::Values(
        // The reported run: default pow2 scale, first / last layers float (fc1 → ReLU → fc2).
        Case{"bnn_pow2", "[[stage]]\ntype = \"bnn\"\noptimizer = \"adam\"\nlr = 0.001\nepochs = 2\n"},
        // experiments/mnist_lenet5_bnn_binary.toml's scale.
        Case{"bnn_mean_abs",
             "[[stage]]\ntype = \"bnn\"\nscale = \"mean_abs\"\noptimizer = \"adam\"\nlr = 0.001\nepochs = 2\n"},
        // experiments/mnist_lenet5_binary.toml: every conv / dense layer binary, float activations.
        Case{"binaryconnect_det",
             "[[stage]]\ntype = \"binaryconnect\"\nmode = \"det\"\nscale = \"mean_abs\"\noptimizer = \"adam\"\n"
             "lr = 0.0005\nepochs = 2\n"}),
    [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace
}  // namespace slimlab
