// Knowledge distillation: the loss against its definition, and the stage end to
// end with a teacher that is a finished run (its model.h5) or a checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "compress/distill/distill_torch.h"
#include "experiments/results.h"
#include "experiments/runner.h"
#include "test_util.h"
#include "trainer_fixtures_torch.h"
#include "train/graph_io.h"
#include "train/model_factory.h"
#include "train/trainer.h"

#include <cmath>

namespace fs = std::filesystem;

namespace slimlab {
namespace {

TEST(Distill, LossFollowsHinton) {
  torch::manual_seed(1);
  const torch::Tensor s = torch::randn({6, 5}), t = torch::randn({6, 5});
  const torch::Tensor y = torch::randint(5, {6}, torch::kInt64);
  const torch::Tensor ce = torch::nn::functional::cross_entropy(
      s, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  // α = 0: plain cross-entropy with the labels.
  EXPECT_TRUE(torch::allclose(compress::distillation_loss(s, t, y, 3.0, 0.0), ce));
  // α = 1: T²·KL(p_t ‖ p_s), computed here the long way.
  const double T = 2.5;
  const torch::Tensor pt = torch::softmax(t / T, 1), ps = torch::softmax(s / T, 1);
  const torch::Tensor kl = (pt * (pt.log() - ps.log())).sum(1);
  EXPECT_TRUE(torch::allclose(compress::distillation_loss(s, t, y, T, 1.0), T * T * kl, 1e-5, 1e-6));
  // A student that already matches the teacher has no soft-target loss.
  EXPECT_LT(compress::distillation_loss(t, t, y, T, 1.0).abs().max().item<double>(), 1e-6);
  // Mixed: the weighted sum, per sample.
  EXPECT_TRUE(torch::allclose(compress::distillation_loss(s, t, y, T, 0.7), 0.7 * T * T * kl + 0.3 * ce, 1e-5, 1e-6));
}

std::string experiment(const fs::path& cache, const std::string& name, double width, int epochs,
                       const std::string& stages = "") {
  return "name = \"" + name + "\"\n[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.25\ncache_dir = \"" +
         cache.string() + "\"\n[model]\nname = \"cnn1d\"\nwidth = " + std::to_string(width) +
         "\n[train]\nepochs = " + std::to_string(epochs) + "\nlr = 0.003\nthreads = 1\n" + stages;
}

TEST(Distill, StageTeachesFromAFinishedRunAndFromACheckpoint) {
  test::TempDir dir;
  exp::RunOptions o;
  o.runs_root = dir / "runs";
  o.quiet = true;
  o.run_id = "t";
  const exp::RunRecord teacher =
      exp::run_one(exp::parse_experiment(experiment(dir / "cache", "teacher", 0.5, 2), "teacher.toml"), o);
  const fs::path tdir = dir / "runs/teacher/t";
  ASSERT_TRUE(fs::exists(tdir / "model.h5"));

  // model.h5 holds the kept weights: the teacher rebuilt from it scores what the run recorded.
  const std::string stage = "[[stage]]\ntype = \"distill\"\nteacher = \"" + tdir.string() +
                            "\"\ntemperature = 3.0\nalpha = 0.5\nepochs = 1\n";
  o.run_id = "s";
  const exp::RunRecord student =
      exp::run_one(exp::parse_experiment(experiment(dir / "cache", "student", 0.25, 1, stage), "student.toml"), o);
  ASSERT_EQ(student.stages.size(), 1u);
  const compress::StageRecord& st = student.stages[0];
  EXPECT_EQ(student.techniques, "distill");
  EXPECT_NEAR(st.metrics.at("teacher_test_accuracy"), teacher.result.test.accuracy, 1e-12);
  EXPECT_EQ(st.metrics.at("temperature"), 3.0);
  EXPECT_EQ(st.info.at("teacher"), (tdir / "model.h5").string());
  EXPECT_EQ(st.tables.at("fine_tune").rows.size(), 1u);
  EXPECT_EQ(st.metrics.at("teacher_params"), double(teacher.resources.params));
  EXPECT_LT(student.resources.params, teacher.resources.params);

  // A checkpoint as the teacher: the structure from model.h5 beside it, the weights from the .pt.
  const compress::TeacherRef ref = compress::resolve_teacher((tdir / "checkpoints/last.pt").string());
  EXPECT_EQ(ref.checkpoint, tdir / "checkpoints/last.pt");
  compress::GraphModule gm = compress::load_teacher(ref);
  EXPECT_FALSE(gm->is_training());
  for (const auto& p : gm->parameters()) EXPECT_FALSE(p.requires_grad());
  const torch::Tensor logits = gm->forward(torch::randn({2, 6, 100}));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 7}));

  // A checkpoint of another model does not fit the structure: the tensor is named.
  const fs::path other = dir / "other";
  fs::create_directories(other / "checkpoints");
  fs::copy_file(tdir / "model.h5", other / "model.h5");
  fs::copy_file(dir / "runs/student/s/checkpoints/last.pt", other / "checkpoints/last.pt");
  try {
    compress::load_teacher(compress::resolve_teacher((other / "checkpoints/last.pt").string()));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("conv1.weight"), std::string::npos) << e.what();
  }
}

TEST(Distill, TrainsAStudentThatCarriesQuantizationHooks) {
  // The stage trains whatever model it gets: here a student whose fc weights are
  // binarized by a param hook (sign with a straight-through gradient), taught by a
  // float teacher through the same loss and fine_tune path the stage uses.
  const data::PreparedData& d = test::small_har();
  train::ModelConfig mc;
  mc.name = "cnn1d";
  mc.input_shape = d.train.sample_shape;
  mc.num_classes = int64_t(d.train.class_names.size());
  torch::manual_seed(2);
  mc.width = 0.5;
  compress::GraphModule teacher(train::make_model(mc)->graph(true));
  teacher->eval();
  mc.width = 0.25;
  test::TempDir dir;
  compress::StageContext ctx;
  ctx.model = train::make_model(mc);
  ctx.data = &d;
  ctx.train.epochs = 1;
  ctx.train.threads = 1;
  ctx.model_config = mc;
  ctx.dir = dir.path();
  ctx.params = compress::StageParams("distill", 0, {{"epochs", "2"}, {"lr", "0.003"}});
  compress::StageRecord rec;
  ctx.record = &rec;
  compress::GraphModule student = ctx.graph_module();
  int hook_calls = 0;
  student->hooks("fc").param.push_back([&](const std::string& name, const torch::Tensor& w) {
    ++hook_calls;
    if (name != "weight") return w;
    const torch::Tensor c = w.clamp(-1, 1);
    return c + (torch::sign(w) - c).detach();
  });
  const torch::Tensor before = student->parameter("fc", "weight").clone();
  const train::TrainResult r = compress::fine_tune(ctx, ctx.train_config(), [&](train::Trainer& t) {
    t.per_sample_loss = [&](const torch::Tensor& z, const torch::Tensor& x, const torch::Tensor& y) {
      torch::Tensor zt;
      {
        torch::NoGradGuard no_grad;
        zt = teacher->forward(x);
      }
      return compress::distillation_loss(z, zt, y, 4.0, 0.7);
    };
  });
  EXPECT_EQ(r.epochs.size(), 2u);
  EXPECT_GT(hook_calls, 0);
  EXPECT_FALSE(torch::equal(before, student->parameter("fc", "weight")));  // the real weights learned
  EXPECT_EQ(rec.tables.at("fine_tune").rows.size(), 2u);
  EXPECT_TRUE(std::isfinite(r.epochs.back().train_loss));
}

}  // namespace
}  // namespace slimlab
