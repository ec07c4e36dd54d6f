// The stage framework end to end: the runner trains the base model, runs the
// stages in order, records them in results.h5, writes model.h5, and on --resume
// restores finished stages instead of re-running them and continues a stage's
// training from its own checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "compress/stage_torch.h"
#include "experiments/results.h"
#include "experiments/runner.h"
#include "experiments/stages.h"
#include "test_util.h"
#include "train/graph_io.h"
#include "train/trainer.h"

namespace fs = std::filesystem;

namespace slimlab {
namespace {

std::atomic<int> scale_runs{0}, scale_restores{0};
std::atomic<int> fail_at_epoch{0};

// Halves the last layer's weights (a visible change) and installs an output hook
// that restore() must re-install.
class ScaleStage : public compress::Stage {
 public:
  void run(compress::StageContext& ctx) override {
    ++scale_runs;
    compress::GraphModule gm = ctx.graph_module();
    const std::string last = gm->ir().layers.back().name;
    {
      torch::NoGradGuard no_grad;
      gm->parameter(last, "weight").mul_(ctx.params.number("factor"));
    }
    install(ctx);
    ctx.record->metrics["factor"] = ctx.params.number("factor");
    ctx.record->info["layer"] = last;
    compress::Table t;
    t.columns = {"step", "value"};
    t.rows = {{1, 0.5}, {2, 0.25}};
    t.row_labels = {"a", "b"};
    ctx.record->tables["trace"] = t;
  }
  void restore(compress::StageContext& ctx) override {
    ++scale_restores;
    install(ctx);
  }

 private:
  static void install(compress::StageContext& ctx) {
    compress::GraphModule gm = ctx.graph_module();
    gm->hooks(gm->ir().layers.back().name).output.push_back([](const torch::Tensor& t) { return t; });
  }
};

// Fine-tunes; fails at the start of epoch `fail_at_epoch` (a kill after a checkpoint).
class TuneStage : public compress::Stage {
 public:
  void run(compress::StageContext& ctx) override {
    const train::TrainResult r = compress::fine_tune(ctx, ctx.train_config(), [](train::Trainer& t) {
      t.before_epoch = [](int epoch) {
        if (epoch == fail_at_epoch.load()) throw std::runtime_error("simulated kill");
      };
    });
    ctx.record->metrics["epochs_run"] = double(r.epochs.size());
  }
};

void register_test_stages() {
  static bool done = [] {
    exp::SchemaEntry factor;
    factor.key = "factor";
    factor.type = exp::ValueType::kFloat;
    factor.default_value = 0.5;
    factor.min = 0;
    factor.doc = "weight factor";
    exp::register_stage_type("test_scale", {factor});
    std::vector<exp::SchemaEntry> tune;
    for (const char* k : {"epochs", "batch_size"}) {
      exp::SchemaEntry e;
      e.key = k;
      e.type = exp::ValueType::kInt;
      e.default_value = int64_t(std::string(k) == "epochs" ? 2 : 0);
      tune.push_back(e);
    }
    exp::SchemaEntry lr;
    lr.key = "lr";
    lr.type = exp::ValueType::kFloat;
    lr.default_value = 0.0;
    tune.push_back(lr);
    exp::register_stage_type("test_tune", tune);
    compress::register_stage("test_scale", [] { return std::make_unique<ScaleStage>(); });
    compress::register_stage("test_tune", [] { return std::make_unique<TuneStage>(); });
    return true;
  }();
  (void)done;
}

std::string experiment_text(const fs::path& cache, const std::string& stages) {
  return "name = \"staged\"\n[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.25\ncache_dir = \"" +
         cache.string() +
         "\"\n[model]\nname = \"cnn1d\"\nwidth = 0.25\n[train]\nepochs = 1\nbatch_size = 64\nthreads = 1\n" + stages;
}

// Options of a quiet run under `root`.
exp::RunOptions quiet_run(const fs::path& root) {
  exp::RunOptions o;
  o.runs_root = root;
  o.quiet = true;
  return o;
}

TEST(Stages, RunnerRunsStagesInOrderAndRecordsThem) {
  register_test_stages();
  test::TempDir dir;
  const exp::Experiment e = exp::parse_experiment(
      experiment_text(dir / "cache",
                      "[[stage]]\ntype = \"test_scale\"\nfactor = 0.5\n[[stage]]\ntype = \"test_tune\"\nepochs = 1\n"),
      "staged.toml");
  exp::RunOptions o = quiet_run(dir / "runs");
  o.run_id = "a";
  scale_runs = 0;
  fail_at_epoch = 0;
  const exp::RunRecord rec = exp::run_one(e, o);
  EXPECT_EQ(scale_runs.load(), 1);
  EXPECT_EQ(rec.techniques, "test_scale+test_tune");
  ASSERT_EQ(rec.stages.size(), 2u);
  const fs::path run = dir / "runs/staged/a";
  EXPECT_TRUE(fs::exists(run / "stages/0-test_scale/model.h5"));
  EXPECT_TRUE(fs::exists(run / "stages/1-test_tune/record.h5"));
  EXPECT_TRUE(fs::exists(run / "stages/1-test_tune/fine_tune/last.pt"));
  ASSERT_TRUE(fs::exists(run / "model.h5"));

  const exp::RunRecord back = exp::read_results(run / "results.h5");
  ASSERT_EQ(back.stages.size(), 2u);
  EXPECT_EQ(back.techniques, "test_scale+test_tune");
  const compress::StageRecord& s0 = back.stages[0];
  EXPECT_EQ(s0.type, "test_scale");
  EXPECT_EQ(s0.metrics.at("factor"), 0.5);
  EXPECT_EQ(s0.info.at("layer"), "fc");
  EXPECT_EQ(s0.metrics.at("val_accuracy_before"), rec.stages[0].metrics.at("val_accuracy_before"));
  EXPECT_TRUE(s0.metrics.count("test_accuracy") && s0.metrics.count("params") && s0.metrics.count("energy_pj"));
  ASSERT_TRUE(s0.tables.count("trace"));
  EXPECT_EQ(s0.tables.at("trace").rows, (std::vector<std::vector<double>>{{1, 0.5}, {2, 0.25}}));
  EXPECT_EQ(s0.tables.at("trace").row_labels, (std::vector<std::string>{"a", "b"}));
  const compress::StageRecord& s1 = back.stages[1];
  EXPECT_EQ(s1.metrics.at("epochs_run"), 1.0);
  ASSERT_TRUE(s1.tables.count("fine_tune"));
  EXPECT_EQ(s1.tables.at("fine_tune").rows.size(), 1u);
  // Stage 1 starts from what stage 0 left.
  EXPECT_EQ(s1.metrics.at("test_accuracy_before"), s0.metrics.at("test_accuracy"));
  // The final metrics are of the final model: stage 1's.
  EXPECT_EQ(back.result.test.accuracy, s1.metrics.at("test_accuracy"));

  // model.h5 holds the final weights: the scaled last layer, then fine-tuned.
  const ir::Graph g = ir::read_graph_h5(run / "model.h5");
  EXPECT_EQ(g.model, "cnn1d");
  EXPECT_FALSE(g.layers.back().params[0].data.empty());
}

TEST(Stages, ResumeSkipsFinishedStagesAndContinuesAKilledOne) {
  register_test_stages();
  test::TempDir dir;
  const exp::Experiment e = exp::parse_experiment(
      experiment_text(dir / "cache", "[[stage]]\ntype = \"test_scale\"\n[[stage]]\ntype = \"test_tune\"\nepochs = 3\n"),
      "staged.toml");
  exp::RunOptions o = quiet_run(dir / "runs");
  o.run_id = "r";
  scale_runs = 0;
  scale_restores = 0;
  fail_at_epoch = 2;  // killed after epoch 1 of stage 1
  EXPECT_THROW(exp::run_one(e, o), std::runtime_error);
  EXPECT_EQ(scale_runs.load(), 1);
  const fs::path run = dir / "runs/staged/r";
  EXPECT_TRUE(fs::exists(run / "stages/0-test_scale/record.h5"));
  EXPECT_FALSE(fs::exists(run / "stages/1-test_tune/record.h5"));
  EXPECT_TRUE(fs::exists(run / "stages/1-test_tune/fine_tune/last.pt"));

  fail_at_epoch = 0;
  o.resume = true;
  const exp::RunRecord rec = exp::run_one(e, o);
  EXPECT_EQ(scale_runs.load(), 1) << "a finished stage is not run again";
  EXPECT_EQ(scale_restores.load(), 1) << "its hooks are re-installed";
  ASSERT_EQ(rec.stages.size(), 2u);
  // All three epochs are in the record, only two of them ran after the resume.
  EXPECT_EQ(rec.stages[1].metrics.at("epochs_run"), 3.0);
  std::ifstream log(run / "log.txt");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("finished before; restored"), std::string::npos);
  EXPECT_NE(text.str().find("after epoch 1"), std::string::npos) << "stage 1 resumed from its checkpoint";
}

TEST(Stages, PreflightRejectsBeforeAnyTraining) {
  test::TempDir dir;
  // A teacher trained on other classes: a fake run folder with a model.h5 for 3 classes.
  const fs::path teacher = dir / "teacher";
  fs::create_directories(teacher);
  ir::Graph g;
  g.model = "tiny";
  g.input_shape = {6, 100};
  g.num_classes = 3;
  ir::Layer in;
  in.name = "input";
  in.output_shape = {6, 100};
  ir::Layer fl;
  fl.name = "flatten";
  fl.kind = ir::LayerKind::kFlatten;
  fl.inputs = {"input"};
  fl.output_shape = {600};
  ir::Layer fc;
  fc.name = "fc";
  fc.kind = ir::LayerKind::kDense;
  fc.inputs = {"flatten"};
  fc.in_features = 600;
  fc.out_features = 3;
  fc.output_shape = {3};
  fc.params.resize(2);
  fc.params[0].name = "weight";
  fc.params[0].shape = {3, 600};
  fc.params[0].data.assign(1800, 0.f);
  fc.params[1].name = "bias";
  fc.params[1].shape = {3};
  fc.params[1].data.assign(3, 0.f);
  g.layers = {in, fl, fc};
  ir::write_graph_h5(teacher / "model.h5", g);

  const exp::Experiment e = exp::parse_experiment(
      experiment_text(dir / "cache", "[[stage]]\ntype = \"distill\"\nteacher = \"" + teacher.string() + "\"\n"),
      "student.toml");
  exp::RunOptions o = quiet_run(dir / "runs");
  try {
    exp::run_one(e, o);
    FAIL() << "no error";
  } catch (const exp::ConfigError& err) {
    const std::string m = err.what();
    EXPECT_NE(m.find("student.toml:"), std::string::npos) << m;
    EXPECT_NE(m.find("stage.0.teacher"), std::string::npos) << m;
    EXPECT_NE(m.find("3 classes"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(dir / "runs/student/p00/checkpoints/last.pt")) << "nothing trained";
}

TEST(Stages, EveryDescribedTypeHasAnImplementation) {
  for (const compress::StageDescription& d : compress::stage_descriptions())
    EXPECT_NO_THROW(compress::make_stage(d.type)) << d.type;
  EXPECT_THROW(compress::make_stage("no_such_stage"), std::invalid_argument);
}

}  // namespace
}  // namespace slimlab
