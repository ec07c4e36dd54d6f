// DeepIoT: the compressor network, the compressor-critic loop (trace, threshold
// schedule, hard pruning to a smaller model), resume after a kill, and the stage's
// validation of its keys against the model.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "compress/deepiot/compressor.h"
#include "compress/deepiot/deepiot.h"
#include "compress/deepiot/deepiot_run.h"
#include "compress/minibatch.h"
#include "compress/surgery.h"
#include "slimming_fixtures_torch.h"
#include "test_util.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab::compress::deepiot {
namespace {

train::SlimModel make(const std::string& name, std::vector<int64_t> shape, int64_t classes, double width) {
  train::ModelConfig cfg;
  cfg.name = name;
  cfg.width = width;
  cfg.dropout = 0;
  cfg.input_shape = std::move(shape);
  cfg.num_classes = classes;
  cfg.hidden_units = 32;
  torch::manual_seed(3);
  return train::make_model(cfg);
}

data::PreparedData synthetic(size_t n_train, size_t n_val) { return test::projection_task(n_train, n_val); }

Options short_options() {
  Options o;
  o.max_iterations = 60;
  o.threshold_every = 10;
  o.threshold_steps = 3;
  o.threshold_max = 0.825;
  o.eval_every = 20;
  o.eval_samples = 0;
  o.record_every = 10;
  o.checkpoint_every = 20;
  o.target_size = 0.1;
  o.accuracy_floor = 0.9999;  // not met by a 60-iteration run: the loop runs to the end
  o.min_units = 2;
  o.critic_batch_size = 32;
  o.critic_lr = 1e-3;
  return o;
}

TEST(DeepIoTCompressor, StartsNearThePapersKeepProbabilities) {
  GraphModule m(make("deepsense", {2, 8, 30}, 6, 0.25)->graph(true));
  const std::vector<ir::PrunableGroup> groups = groups_in_layer_order(m->ir(), {});
  ASSERT_EQ(groups.size(), m->ir().groups.size());
  EXPECT_EQ(groups.front().name, "sensor0.conv1");
  EXPECT_EQ(groups.back().name, "gru2");
  std::vector<GroupView> views;
  std::vector<torch::Tensor> mats;
  for (const ir::PrunableGroup& g : groups) {
    mats.push_back(unit_matrix(*m, g));
    views.push_back({g.name, g.kind, g.units, mats.back().size(1)});
    // The same entries as the torch-free unit matrix (row sums are order-free).
    const UnitMatrix u = compress::unit_matrix(m->graph(true), g);
    ASSERT_EQ(u.cols, mats.back().size(1)) << g.name;
    for (int64_t r = 0; r < u.rows; ++r) {
      double s = 0;
      for (int64_t k = 0; k < u.cols; ++k) s += u.data[size_t(r * u.cols + k)];
      EXPECT_NEAR(s, mats.back()[r].sum().item<double>(), 1e-3) << g.name << " unit " << r;
    }
  }
  torch::manual_seed(1);
  Compressor c(views, 64, 0.8, 0.5);
  const std::vector<torch::Tensor> p = c->forward(mats);
  ASSERT_EQ(p.size(), groups.size());
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p[i].size(0), groups[i].units);
    const double want = groups[i].kind == "rnn" ? 0.5 : 0.8;
    EXPECT_NEAR(p[i].mean().item<double>(), want, 0.05) << groups[i].name;
    EXPECT_LT((p[i] - want).abs().max().item<double>(), 0.15) << groups[i].name;
  }
  // Gradients reach the projections, the LSTM and the heads.
  torch::stack({p[0].sum(), p.back().sum()}).sum().backward();
  for (const auto& param : c->named_parameters())
    if (param.key() == "a0" || param.key().rfind("lstm", 0) == 0) {
      EXPECT_TRUE(param.value().grad().defined() && param.value().grad().abs().sum().item<double>() > 0) << param.key();
    }
}

TEST(DeepIoTSchedule, ThresholdRisesInStepsUpToItsMaximum) {
  Options o;
  EXPECT_EQ(threshold_at(o, 0), 0.0);
  EXPECT_EQ(threshold_at(o, 499), 0.0);
  EXPECT_NEAR(threshold_at(o, 500), 0.825 / 33, 1e-12);
  EXPECT_NEAR(threshold_at(o, 33 * 500 - 1), 0.825 * 32 / 33, 1e-12);
  EXPECT_NEAR(threshold_at(o, 33 * 500), 0.825, 1e-12);
  EXPECT_NEAR(threshold_at(o, 1000000), 0.825, 1e-12);
}

TEST(DeepIoTValidation, RejectsTargetsAndSchedulesThatCannotWork) {
  auto first_key = [](const std::vector<StageIssue>& v) { return v.empty() ? std::string() : v[0].key; };
  Options o;
  EXPECT_TRUE(check_options(o).empty());
  o.target_size = 0;
  EXPECT_EQ(first_key(check_options(o)), "target_size");
  o.target_size = 1.5;
  EXPECT_EQ(first_key(check_options(o)), "target_size");
  o = Options();
  o.threshold_max = 0;
  EXPECT_EQ(first_key(check_options(o)), "threshold_max");
  o = Options();
  o.max_iterations = 400;  // the threshold first rises at 500
  const auto issues = check_options(o);
  ASSERT_EQ(first_key(issues), "threshold_every");
  EXPECT_NE(issues[0].message.find("never reached"), std::string::npos) << issues[0].message;
  o.target_size = 1.0;  // nothing to remove: fine
  EXPECT_TRUE(check_options(o).empty());

  const ir::Graph g = make("lenet5", {1, 28, 28}, 10, 1.0)->graph(false);
  o = Options();
  EXPECT_TRUE(check_against_graph(o, g).empty());
  o.groups = {"conv1", "fc3"};
  auto bad = check_against_graph(o, g);
  ASSERT_EQ(first_key(bad), "groups");
  EXPECT_NE(bad[0].message.find("fc3"), std::string::npos);
  EXPECT_NE(bad[0].message.find("conv1, conv2, fc1"), std::string::npos) << bad[0].message;
  o.groups = {"conv1"};  // only conv1 prunable: LeNet cannot get below ~99% of its size
  o.target_size = 0.5;
  EXPECT_EQ(first_key(check_against_graph(o, g)), "target_size");

  // Through the stage description, as the experiment parser calls it.
  const StageDescription d = stage_description();
  EXPECT_EQ(d.type, "deepiot");
  std::map<std::string, std::string> values;
  for (const StageKey& k : d.keys) values[k.name] = k.default_value;
  values["max_iterations"] = "100";
  EXPECT_EQ(first_key(d.validate(StageParams("deepiot", 0, values))), "threshold_every");
  values["max_iterations"] = "20000";
  values["groups"] = "conv1,nope";
  EXPECT_TRUE(d.validate(StageParams("deepiot", 0, values)).empty());
  EXPECT_EQ(first_key(d.preflight(StageParams("deepiot", 0, values), g)), "groups");
}

TEST(DeepIoTLoop, TracesTheCompressionAndPrunesToASmallerModel) {
  torch::set_num_threads(1);
  const data::PreparedData d = synthetic(512, 128);
  GraphModule critic(make("deepear_dnn", {1, 8, 10}, 4, 1.0)->graph(true));
  const ir::Graph before = critic->graph(true);
  Compression c(critic, d, short_options(), "");
  const Outcome out = c.run(/*base_val_accuracy=*/0.5);
  EXPECT_EQ(out.iterations, 60);
  EXPECT_FALSE(out.target_met);
  EXPECT_NEAR(out.threshold, 0.825, 1e-9);  // 59 / 10 = 5 steps of 0.275, capped at 0.825
  ASSERT_EQ(out.groups, (std::vector<std::string>{"fc1", "fc2", "fc3"}));
  const Table& trace = out.tables.at("trace");
  // Every 10 iterations and at every stop-rule check (iterations 19, 39, 59).
  std::vector<double> its;
  for (const auto& row : trace.rows) its.push_back(row[0]);
  EXPECT_EQ(its, (std::vector<double>{0, 10, 19, 20, 30, 39, 40, 50, 59}));
  EXPECT_EQ(trace.columns[1], "threshold");
  EXPECT_EQ(trace.rows[0][1], 0.0);
  EXPECT_NEAR(trace.rows[3][1], 0.825 * 2 / 3, 1e-9);  // iteration 20
  EXPECT_FALSE(std::isnan(trace.rows[2][6]));  // val accuracy measured at the check
  EXPECT_EQ(out.tables.at("keep_probabilities.fc2").columns.size(), 2u + 32u);
  for (const auto& [name, p] : out.probabilities) {
    for (float v : p) EXPECT_TRUE(v > 0 && v < 1);
    EXPECT_GE(out.kept.at(name).size(), 2u);
    EXPECT_LE(out.kept.at(name).size(), 32u);
  }
  // The kept units are those at or above the final threshold.
  for (size_t u = 0; u < 32; ++u) {
    const bool kept = std::count(out.kept.at("fc1").begin(), out.kept.at("fc1").end(), int64_t(u)) > 0;
    if (out.kept.at("fc1").size() > 2) {
      EXPECT_EQ(kept, out.probabilities.at("fc1")[u] >= out.threshold) << u;
    }
  }
  const ir::Graph pruned = hard_prune(critic->graph(true), out);
  EXPECT_EQ(double(pruned.parameter_count()) / double(before.parameter_count()), out.size_fraction);
  const Table kept = compress::kept_units_table(before, pruned);
  ASSERT_EQ(kept.row_labels, (std::vector<std::string>{"fc1", "fc2", "fc3"}));
  EXPECT_EQ(kept.rows[0][1], double(out.kept.at("fc1").size()));
  GraphModule small(pruned);
  EXPECT_GT(accuracy(*small, d.val), 0.0);
  EXPECT_TRUE(critic->hooks("fc1").empty());  // the loop's mask hooks are gone
}

TEST(DeepIoTLoop, AKilledCompressionResumesWhereItsCheckpointLeftOff) {
  torch::set_num_threads(1);
  const data::PreparedData d = synthetic(256, 64);
  const ir::Graph start = make("deepear_dnn", {1, 8, 10}, 4, 0.5)->graph(true);
  test::TempDir tmp;

  GraphModule a(start);
  const Outcome whole = Compression(a, d, short_options(), tmp / "a").run(0.5);

  {
    GraphModule b(start);
    Compression killed(b, d, short_options(), tmp / "b");
    killed.on_iteration = [](int64_t it) {
      if (it == 45) throw std::runtime_error("killed");
    };
    EXPECT_THROW(killed.run(0.5), std::runtime_error);
    EXPECT_TRUE(std::filesystem::exists(killed.checkpoint_file()));
  }
  GraphModule b(start);  // a fresh process: the base weights again
  const Outcome resumed = Compression(b, d, short_options(), tmp / "b").run(0.5);
  EXPECT_EQ(resumed.resumed_from, 40);
  EXPECT_EQ(resumed.iterations, whole.iterations);
  EXPECT_EQ(resumed.kept, whole.kept);
  for (const auto& [name, p] : whole.probabilities)
    for (size_t u = 0; u < p.size(); ++u) EXPECT_FLOAT_EQ(resumed.probabilities.at(name)[u], p[u]) << name << u;
  auto no_nan = [](std::vector<std::vector<double>> rows) {  // NaN (no accuracy yet) ≠ NaN
    for (auto& r : rows)
      for (double& v : r)
        if (std::isnan(v)) v = -1;
    return rows;
  };
  EXPECT_EQ(no_nan(resumed.tables.at("trace").rows), no_nan(whole.tables.at("trace").rows));
  const torch::Tensor wa = a->parameter("fc2", "weight"), wb = b->parameter("fc2", "weight");
  EXPECT_TRUE(torch::equal(wa, wb));

  // A finished compression resumes straight to its decision; another configuration is refused.
  GraphModule c(start);
  EXPECT_EQ(Compression(c, d, short_options(), tmp / "b").run(0.5).kept, whole.kept);
  Options other = short_options();
  other.seed = 2;
  GraphModule e(start);
  EXPECT_THROW(Compression(e, d, other, tmp / "b").run(0.5), std::runtime_error);
}

TEST(DeepIoTStage, RemovesUnitsFineTunesAndRecordsTheKeptUnits) {
  torch::set_num_threads(1);
  test::StageRun r("deepiot",
                   {{"max_iterations", "80"}, {"threshold_every", "10"}, {"threshold_steps", "4"},
                    {"eval_every", "40"}, {"record_every", "20"}, {"target_size", "0.3"}, {"critic_lr", "0.001"},
                    {"epochs", "1"}, {"lr", "0.001"}, {"min_units", "3"}},
                   "deepear_dnn");
  r.train_base();
  const int64_t before = r.params();
  r.run();
  EXPECT_LT(r.params(), before);  // a smaller module, not masks
  auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(r.ctx.model);
  ASSERT_TRUE(gm);
  const Table& kept = r.record.tables.at("kept_units");
  ASSERT_EQ(kept.row_labels, (std::vector<std::string>{"fc1", "fc2", "fc3"}));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(kept.rows[i][0], 32);
    EXPECT_EQ(kept.rows[i][1], double(gm->ir().groups[i].units));
    EXPECT_GE(kept.rows[i][1], 3);
  }
  EXPECT_EQ(r.record.metrics.at("params"), double(r.params()));
  EXPECT_EQ(r.record.metrics.at("params_before"), double(before));
  EXPECT_TRUE(r.record.tables.count("trace"));
  EXPECT_TRUE(r.record.tables.count("keep_probabilities.fc2"));
  EXPECT_TRUE(r.record.tables.count("fine_tune"));
  EXPECT_GT(r.record.metrics.at("val_accuracy"), 0.3);  // well above chance (0.25) after fine-tuning
}

}  // namespace
}  // namespace slimlab::compress::deepiot
