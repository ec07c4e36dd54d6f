// The Trainer on a tiny MLP and a small synthetic HAR set: it learns; every
// optimiser and schedule runs with the specified learning rates; early stopping
// stops and restores the best weights; class weighting changes the loss;
// checkpoints round-trip and reject corrupt or foreign files; and a run killed
// with SIGKILL resumes to exactly the result of an uninterrupted run.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "test_util.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "train/model_factory.h"
#include "train/trainer.h"
#include "trainer_fixtures_torch.h"

using namespace slimlab;
using namespace slimlab::train;
using slimlab::test::small_har;
using slimlab::test::TempDir;
using slimlab::test::tiny_mlp;

namespace {

TrainConfig base_config() {
  TrainConfig c;
  c.optimizer = "adam";
  c.lr = 3e-3;
  c.epochs = 4;
  c.batch_size = 64;
  c.seed = 7;
  c.threads = 1;  // bit-exact reproducibility (see trainer.h)
  return c;
}

// The training split cut to its first n samples (fast variants of a test).
data::PreparedData shrunk(size_t n) {
  data::PreparedData d = small_har();
  std::vector<size_t> idx;
  for (size_t i = 0; i < std::min(n, d.train.size()); ++i) idx.push_back(i);
  d.train = d.train.subset(idx);
  return d;
}

void quiet(Trainer& t) {
  t.on_log = [](const std::string&) {};
}

}  // namespace

// ---- configuration and schedule -------------------------------------------

TEST(TrainConfigCheck, NamesTheBadKey) {
  auto expect_bad = [](auto edit, const std::string& key) {
    TrainConfig c;
    edit(c);
    try {
      check_train_config(c);
      ADD_FAILURE() << "accepted a bad " << key;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("train." + key), std::string::npos) << e.what();
    }
  };
  expect_bad([](TrainConfig& c) { c.optimizer = "lbfgs"; }, "optimizer");
  expect_bad([](TrainConfig& c) { c.schedule = "linear"; }, "schedule");
  expect_bad([](TrainConfig& c) { c.lr = 0; }, "lr");
  expect_bad([](TrainConfig& c) { c.epochs = 0; }, "epochs");
  expect_bad([](TrainConfig& c) { c.batch_size = 0; }, "batch_size");
  expect_bad([](TrainConfig& c) { c.rank = 2; }, "rank");
  expect_bad([](TrainConfig& c) {
    c.optimizer = "sgd";
    c.momentum = 0;
    c.nesterov = true;
  }, "nesterov");
  expect_bad([](TrainConfig& c) {
    c.world_size = 4;
    c.batch_size = 2;
  }, "batch_size");
  EXPECT_NO_THROW(check_train_config(TrainConfig{}));
}

TEST(Schedule, WarmupThenCosine) {
  TrainConfig c;
  c.lr = 0.1;
  c.schedule = "cosine";
  c.epochs = 7;
  c.warmup_epochs = 2;
  c.min_lr = 0.001;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 1), 0.01);          // lr/10
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 2), 0.01 + 0.09 / 2);  // halfway up
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 3), 0.1);           // schedule starts at lr
  // T = 5 schedule epochs: t = 0..4 → min + (lr − min)(1 + cos(πt/5))/2
  for (int e = 3; e <= 7; ++e)
    EXPECT_NEAR(scheduled_lr(c, e), 0.001 + 0.099 * (1 + std::cos(M_PI * (e - 3) / 5.0)) / 2, 1e-15) << e;
  EXPECT_GT(scheduled_lr(c, 7), c.min_lr);
}

TEST(Schedule, StepAndNone) {
  TrainConfig c;
  c.lr = 1.0;
  c.schedule = "step";
  c.step_size = 2;
  c.gamma = 0.5;
  const double expected[] = {1, 1, 0.5, 0.5, 0.25, 0.25};
  for (int e = 1; e <= 6; ++e) EXPECT_DOUBLE_EQ(scheduled_lr(c, e), expected[e - 1]) << e;
  c.warmup_epochs = 1;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 1), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 2), 1.0);
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 4), 0.5);
  c.schedule = "none";
  c.warmup_epochs = 0;
  EXPECT_DOUBLE_EQ(scheduled_lr(c, 9), 1.0);
}

TEST(Schedule, SetLearningRateReachesTheOptimizer) {
  torch::nn::Linear lin(3, 2);
  for (const char* name : {"sgd", "adam", "adamw", "rmsprop"}) {
    TrainConfig c;
    c.optimizer = name;
    auto opt = make_optimizer(c, lin->parameters());
    set_learning_rate(*opt, 0.0425);
    EXPECT_DOUBLE_EQ(opt->param_groups()[0].options().get_lr(), 0.0425) << name;
  }
}

TEST(ClassWeights, InverseFrequencyWithMeanOne) {
  const auto w = inverse_frequency_weights({10, 30, 0, 20});
  // 1/n: 0.1, 1/30, —, 0.05; mean over present = (0.1 + 1/30 + 0.05)/3 = 0.061111…
  const double mean = (0.1 + 1.0 / 30 + 0.05) / 3;
  EXPECT_NEAR(w[0], 0.1 / mean, 1e-12);
  EXPECT_NEAR(w[1], (1.0 / 30) / mean, 1e-12);
  EXPECT_DOUBLE_EQ(w[2], 1.0);
  EXPECT_NEAR(w[3], 0.05 / mean, 1e-12);
  EXPECT_NEAR((w[0] + w[1] + w[3]) / 3, 1.0, 1e-12);
}

// ---- training ---------------------------------------------------------------

TEST(Trainer, Learns) {
  const auto& d = small_har();
  ASSERT_GT(d.val.size(), 0u);
  auto model = tiny_mlp(d, 1);
  TrainConfig c = base_config();
  c.epochs = 5;
  Trainer t(c, model, d);
  const TrainResult r = t.fit();
  ASSERT_EQ(r.epochs.size(), 5u);
  const double chance = 1.0 / double(d.train.class_names.size());
  EXPECT_GT(r.val.accuracy, 3 * chance) << "val accuracy " << r.val.accuracy;
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  EXPECT_EQ(r.val.samples, int64_t(d.val.size()));
  EXPECT_EQ(r.test.samples, int64_t(d.test.size()));
  EXPECT_GT(r.test.accuracy, 2 * chance);
  EXPECT_GE(r.best_epoch, 1);
  EXPECT_EQ(r.val.accuracy, r.epochs[size_t(r.best_epoch - 1)].val_accuracy);  // the kept weights
  for (const auto& e : r.epochs) {
    EXPECT_GT(e.samples_per_second, 0);
    EXPECT_GE(e.data_wait_fraction, 0);
    EXPECT_LE(e.data_wait_fraction, 1);
    EXPECT_GT(e.seconds, 0);
  }
  // evaluate() agrees with the result's metrics for the kept weights.
  const EvalMetrics v = t.evaluate(d.val);
  EXPECT_EQ(v.accuracy, r.val.accuracy);
  EXPECT_EQ(v.confusion, r.val.confusion);
}

TEST(Trainer, EveryOptimizerAndScheduleRuns) {
  const data::PreparedData d = shrunk(256);
  for (const char* opt : {"sgd", "adam", "adamw", "rmsprop"})
    for (const char* sched : {"none", "step", "cosine"}) {
      SCOPED_TRACE(std::string(opt) + " / " + sched);
      TrainConfig c = base_config();
      c.optimizer = opt;
      c.schedule = sched;
      c.lr = std::string(opt) == "sgd" ? 0.05 : 2e-3;
      c.nesterov = std::string(opt) == "sgd";
      c.weight_decay = 1e-4;
      c.epochs = 3;
      c.warmup_epochs = 1;
      c.step_size = 1;
      c.gamma = 0.5;
      c.grad_clip = 1.0;
      Trainer t(c, tiny_mlp(d, 2), d);
      const TrainResult r = t.fit();
      ASSERT_EQ(r.epochs.size(), 3u);
      for (int e = 1; e <= 3; ++e) {
        EXPECT_DOUBLE_EQ(r.epochs[size_t(e - 1)].lr, scheduled_lr(c, e));
        EXPECT_TRUE(std::isfinite(r.epochs[size_t(e - 1)].train_loss));
      }
      EXPECT_DOUBLE_EQ(r.epochs[0].lr, c.lr / 10);  // warm-up
      EXPECT_DOUBLE_EQ(r.epochs[1].lr, c.lr);
    }
}

TEST(Trainer, EarlyStoppingStopsAndRestoresTheBest) {
  const auto& d = small_har();
  auto model = tiny_mlp(d, 3);
  auto* mlp = dynamic_cast<test::TinyMlpImpl*>(model.get());
  TrainConfig c = base_config();
  c.optimizer = "sgd";
  c.momentum = 0;
  c.lr = 0.05;
  c.epochs = 20;
  c.patience = 2;
  // Epochs 1–2 at lr, then lr = 0: the weights freeze, so epoch 3 cannot improve.
  c.schedule = "step";
  c.step_size = 2;
  c.gamma = 0;
  Trainer t(c, model, d);
  std::vector<std::vector<torch::Tensor>> snapshots;
  t.on_epoch = [&](const EpochMetrics& m) {
    snapshots.push_back(snapshot_weights(*model));
    if (m.epoch == 3) {  // sabotage: every sample → class 0, so epoch 4 is worse
      torch::NoGradGuard g;
      mlp->fc2->weight.zero_();
      mlp->fc2->bias.zero_();
      mlp->fc2->bias[0] = 1;
    }
  };
  const TrainResult r = t.fit();
  ASSERT_EQ(r.epochs.size(), 4u);  // epochs 3 and 4 without improvement, patience 2
  EXPECT_TRUE(r.stopped_early);
  ASSERT_TRUE(r.best_epoch == 1 || r.best_epoch == 2) << r.best_epoch;
  EXPECT_GT(r.epochs[size_t(r.best_epoch - 1)].val_accuracy, r.epochs[3].val_accuracy);
  EXPECT_EQ(r.epochs[2].val_accuracy, r.epochs[1].val_accuracy);  // frozen weights
  // The model holds the best epoch's weights, and the reported metrics are theirs.
  const auto best = snapshots[size_t(r.best_epoch - 1)];
  const auto now = snapshot_weights(*model);
  ASSERT_EQ(best.size(), now.size());
  for (size_t i = 0; i < best.size(); ++i) EXPECT_TRUE(torch::equal(best[i], now[i])) << i;
  EXPECT_EQ(r.val.accuracy, r.epochs[size_t(r.best_epoch - 1)].val_accuracy);
}

TEST(Trainer, WithoutValidationKeepsTheLastEpoch) {
  data::PreparedData d = shrunk(300);
  d.val = data::ArraySet{};
  TrainConfig c = base_config();
  c.epochs = 3;
  c.patience = 1;
  auto model = tiny_mlp(d, 4);
  Trainer t(c, model, d);
  std::vector<torch::Tensor> last;
  t.on_epoch = [&](const EpochMetrics&) { last = snapshot_weights(*model); };
  const TrainResult r = t.fit();
  EXPECT_EQ(r.epochs.size(), 3u);
  EXPECT_FALSE(r.stopped_early);
  EXPECT_EQ(r.best_epoch, 3);
  EXPECT_EQ(r.val.samples, 0);
  const auto now = snapshot_weights(*model);
  for (size_t i = 0; i < now.size(); ++i) EXPECT_TRUE(torch::equal(last[i], now[i]));
}

TEST(Trainer, ClassWeightingChangesTheLoss) {
  // An imbalanced training split: class 0 keeps all its samples, the others a fifth.
  data::PreparedData d = small_har();
  std::vector<size_t> keep;
  std::vector<int> seen(d.train.class_names.size(), 0);
  for (size_t i = 0; i < d.train.size(); ++i)
    if (d.train.labels[i] == 0 || seen[size_t(d.train.labels[i])]++ % 5 == 0) keep.push_back(i);
  d.train = d.train.subset(keep);
  TrainConfig c = base_config();
  c.epochs = 1;
  Trainer plain(c, tiny_mlp(d, 5), d);
  c.class_weighting = true;
  Trainer weighted(c, tiny_mlp(d, 5), d);
  const double lp = plain.fit().epochs[0].train_loss, lw = weighted.fit().epochs[0].train_loss;
  EXPECT_TRUE(std::isfinite(lw));
  EXPECT_GT(std::abs(lp - lw), 1e-3 * lp) << lp << " vs " << lw;
}

TEST(Trainer, RejectsAModelWithTheWrongNumberOfOutputs) {
  const data::PreparedData d = shrunk(100);
  torch::manual_seed(1);
  auto model = std::make_shared<test::TinyMlpImpl>(d.train.sample_shape, 3);
  Trainer t(base_config(), model, d);
  try {
    t.fit();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("classes"), std::string::npos) << e.what();
  }
}

// ---- checkpoints ------------------------------------------------------------

TEST(Checkpoint, RoundTripsModelOptimizerAndState) {
  TempDir dir;
  const auto& d = small_har();
  auto model = tiny_mlp(d, 6);
  TrainConfig c = base_config();
  auto opt = make_optimizer(c, model->parameters());
  // One step so that Adam has moments to save.
  auto x = torch::randn({4, d.train.sample_shape[0], d.train.sample_shape[1]});
  model->forward(x).sum().backward();
  opt->step();
  TrainingState st;
  st.epoch = 2;
  st.history.resize(2);
  st.history[1].epoch = 2;
  st.history[1].val_accuracy = 0.625;
  st.history[1].data_wait_fraction = 0.125;
  st.best_epoch = 2;
  st.best_val_accuracy = 0.625;
  st.best_weights = snapshot_weights(*model);
  st.lr = 0.0123;
  st.config = "a=1\n";
  const auto file = checkpoint_path(dir.path());
  save_checkpoint(file, *model, *opt, st);
  EXPECT_TRUE(std::filesystem::exists(file));
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename(), "last.pt") << "leftover " << e.path();

  auto other = tiny_mlp(d, 99);
  auto opt2 = make_optimizer(c, other->parameters());
  TrainingState back;
  ASSERT_TRUE(load_checkpoint(file, *other, opt2.get(), back));
  EXPECT_TRUE(test::same_weights(*model, *other));
  EXPECT_EQ(back.epoch, 2);
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_EQ(back.history[1].val_accuracy, 0.625);
  EXPECT_EQ(back.history[1].data_wait_fraction, 0.125);
  EXPECT_EQ(back.best_epoch, 2);
  EXPECT_EQ(back.lr, 0.0123);
  EXPECT_EQ(back.config, "a=1\n");
  ASSERT_EQ(back.best_weights.size(), st.best_weights.size());
  // The optimizer state came back: the next step moves both models identically.
  opt->zero_grad();
  opt2->zero_grad();
  model->forward(x).sum().backward();
  other->forward(x).sum().backward();
  opt->step();
  opt2->step();
  EXPECT_TRUE(test::same_weights(*model, *other));

  EXPECT_FALSE(load_checkpoint(dir / "missing.pt", *other, nullptr, back));
}

TEST(Checkpoint, RejectsCorruptForeignAndMismatchedFiles) {
  TempDir dir;
  const auto& d = small_har();
  auto model = tiny_mlp(d, 7);
  TrainingState st;
  auto expect_error = [&](const std::filesystem::path& f, torch::nn::Module& m, const std::string& needle) {
    try {
      load_checkpoint(f, m, nullptr, st);
      ADD_FAILURE() << "loaded " << f;
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(f.string()), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  test::write_text(dir / "garbage.pt", "this is not a zip archive");
  expect_error(dir / "garbage.pt", *model, "not a readable");

  torch::save(torch::ones({3}), (dir / "tensor.pt").string());  // a LibTorch file, but not ours
  expect_error(dir / "tensor.pt", *model, "not a SlimLab");

  auto opt = make_optimizer(base_config(), model->parameters());
  save_checkpoint(dir / "ok.pt", *model, *opt, st);
  auto wide = std::make_shared<test::TinyMlpImpl>(d.train.sample_shape, 7, /*hidden=*/48);
  const auto before = snapshot_weights(*wide);
  expect_error(dir / "ok.pt", *wide, "fc1.weight");
  for (size_t i = 0; i < before.size(); ++i)  // untouched on failure
    EXPECT_TRUE(torch::equal(before[i], snapshot_weights(*wide)[i]));

  // A truncated checkpoint (as a crash in the middle of a plain write would leave).
  const auto size = std::filesystem::file_size(dir / "ok.pt");
  std::filesystem::copy_file(dir / "ok.pt", dir / "cut.pt");
  std::filesystem::resize_file(dir / "cut.pt", size / 2);
  expect_error(dir / "cut.pt", *model, "checkpoint");
}

// Checkpoints written while the models were torch::nn modules carry BatchNorm's
// num_batches_tracked counters; the GraphModule has none and loads them all the same.
TEST(Checkpoint, LoadsCheckpointsWithBatchNormStepCounters) {
  TempDir dir;
  const auto& d = small_har();
  ModelConfig mc;
  mc.name = "cnn1d";
  mc.width = 0.25;
  mc.input_shape = d.train.sample_shape;
  mc.num_classes = int64_t(d.train.class_names.size());
  torch::manual_seed(3);
  SlimModel old_style = make_model(mc);
  for (const auto& child : old_style->named_modules())
    if (child.key() == "bn1" || child.key() == "bn2")
      child.value()->register_buffer("num_batches_tracked", torch::tensor(int64_t(12)));
  auto opt = make_optimizer(base_config(), old_style->parameters());
  TrainingState st;
  st.best_weights = snapshot_weights(*old_style);
  save_checkpoint(dir / "old.pt", *old_style, *opt, st);
  torch::manual_seed(4);
  SlimModel now = make_model(mc);
  auto opt2 = make_optimizer(base_config(), now->parameters());
  TrainingState back;
  ASSERT_TRUE(load_checkpoint(dir / "old.pt", *now, opt2.get(), back));
  EXPECT_EQ(back.best_weights.size(), snapshot_weights(*now).size());
  for (const auto& [name, t] : model_state(*now)) {
    bool found = false;
    for (const auto& [old_name, o] : model_state(*old_style))
      if (old_name == name) found = torch::equal(o, t);
    EXPECT_TRUE(found) << name;
  }
}

TEST(Checkpoint, ResumeWithoutCheckpointStartsFreshWithALogLine) {
  TempDir dir;
  const data::PreparedData d = shrunk(200);
  TrainConfig c = base_config();
  c.epochs = 1;
  Trainer t(c, tiny_mlp(d, 8), d, dir / "ckpt");
  std::string logged;
  t.on_log = [&](const std::string& m) { logged += m; };
  EXPECT_EQ(t.fit(/*resume=*/true).epochs.size(), 1u);
  EXPECT_NE(logged.find("no checkpoint"), std::string::npos) << logged;
  EXPECT_TRUE(std::filesystem::exists(dir / "ckpt" / "last.pt"));
}

TEST(Checkpoint, ResumeWithAnotherConfigurationIsAnError) {
  TempDir dir;
  const data::PreparedData d = shrunk(200);
  TrainConfig c = base_config();
  c.epochs = 1;
  Trainer(c, tiny_mlp(d, 8), d, dir.path()).fit();
  c.epochs = 2;
  c.lr *= 2;
  Trainer t(c, tiny_mlp(d, 8), d, dir.path());
  quiet(t);
  try {
    t.fit(true);
    FAIL() << "resumed with another lr";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lr="), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("last.pt"), std::string::npos) << e.what();
  }
}

// ---- resume after SIGKILL ---------------------------------------------------

namespace {

TrainConfig resume_config() {
  TrainConfig c = base_config();
  c.epochs = 5;
  c.schedule = "cosine";
  c.warmup_epochs = 1;
  c.patience = 10;
  c.class_weighting = true;
  return c;
}
constexpr double kDropout = 0.2;  // exercises the per-epoch reseeding

}  // namespace

// Not a test on its own: the training child of KillNineThenResume (skips unless
// the parent set SLIMLAB_TRAINER_CHILD_DIR). After epoch 2's checkpoint it says
// so in a marker file and waits to be killed.
TEST(TrainerChild, TrainUntilKilled) {
  const char* dir = std::getenv("SLIMLAB_TRAINER_CHILD_DIR");
  if (!dir) GTEST_SKIP() << "child process of Trainer.KillNineThenResumeEqualsUninterrupted";
  const auto& d = small_har();
  Trainer t(resume_config(), tiny_mlp(d, 11, kDropout), d, std::filesystem::path(dir) / "ckpt");
  t.on_epoch = [&](const EpochMetrics& m) {
    if (m.epoch == 2) {
      test::write_text(std::filesystem::path(dir) / "epoch2.done", "");
      std::this_thread::sleep_for(std::chrono::seconds(60));
    }
  };
  t.fit();
}

TEST(Trainer, KillNineThenResumeEqualsUninterrupted) {
  TempDir dir;
  const auto& d = small_har();
  const pid_t child = test::spawn_self({"--gtest_filter=TrainerChild.TrainUntilKilled"},
                                       {"SLIMLAB_TRAINER_CHILD_DIR=" + dir.path().string()});
  ASSERT_GT(child, 0);

  // Meanwhile, the uninterrupted reference run in this process.
  auto ref_model = tiny_mlp(d, 11, kDropout);
  Trainer ref(resume_config(), ref_model, d, dir / "ref");
  const TrainResult expected = ref.fit();
  ASSERT_EQ(expected.epochs.size(), 5u);

  // Wait for the child's second checkpoint, then kill it without warning.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  bool exited = false;
  while (!std::filesystem::exists(dir / "epoch2.done") && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(exited) << "the training child exited early with status " << status;
  ASSERT_TRUE(std::filesystem::exists(dir / "epoch2.done")) << "the child did not reach epoch 2 in time";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  const auto ckpt = dir / "ckpt";
  {
    TrainingState st;
    auto probe = tiny_mlp(d, 0, kDropout);
    ASSERT_TRUE(load_checkpoint(checkpoint_path(ckpt), *probe, nullptr, st));
    EXPECT_EQ(st.epoch, 2);
  }
  test::write_text(ckpt / "last.pt.tmp-999999", "half a file from another crash");  // ignored

  // Resume into a differently initialised model: everything must come from the checkpoint.
  auto model = tiny_mlp(d, 12345, kDropout);
  Trainer resumed(resume_config(), model, d, ckpt);
  std::string logged;
  resumed.on_log = [&](const std::string& m) { logged += m; };
  const TrainResult got = resumed.fit(/*resume=*/true);
  EXPECT_NE(logged.find("after epoch 2"), std::string::npos) << logged;

  test::expect_same_curves(got.epochs, expected.epochs);
  EXPECT_EQ(got.best_epoch, expected.best_epoch);
  EXPECT_EQ(got.stopped_early, expected.stopped_early);
  EXPECT_EQ(got.val.accuracy, expected.val.accuracy);
  EXPECT_EQ(got.val.loss, expected.val.loss);
  EXPECT_EQ(got.test.accuracy, expected.test.accuracy);
  EXPECT_EQ(got.test.confusion, expected.test.confusion);
  EXPECT_TRUE(test::same_weights(*model, *ref_model));
}

TEST(Trainer, ResumeAfterACompletedRunChangesNothing) {
  TempDir dir;
  const data::PreparedData d = shrunk(300);
  TrainConfig c = base_config();
  c.epochs = 2;
  auto a = tiny_mlp(d, 13);
  const TrainResult first = Trainer(c, a, d, dir.path()).fit();
  auto b = tiny_mlp(d, 14);
  Trainer again(c, b, d, dir.path());
  quiet(again);
  const TrainResult second = again.fit(true);
  test::expect_same_curves(first.epochs, second.epochs);
  EXPECT_TRUE(test::same_weights(*a, *b));
  EXPECT_EQ(first.test.accuracy, second.test.accuracy);
}

TEST(Trainer, ResumeRestoresEveryOptimizersState) {
  // Train 2 epochs, stop, resume to 4 — the same as 4 epochs in one go, for each
  // optimiser (momentum buffers, Adam moments, RMSprop averages all in the checkpoint).
  const data::PreparedData d = shrunk(300);
  for (const char* name : {"sgd", "adamw", "rmsprop"}) {
    SCOPED_TRACE(name);
    TempDir dir;
    TrainConfig c = base_config();
    c.optimizer = name;
    c.lr = std::string(name) == "sgd" ? 0.05 : 1e-3;
    c.nesterov = std::string(name) == "sgd";
    c.weight_decay = 1e-3;
    c.schedule = "step";  // does not depend on `epochs`, which differs below
    c.step_size = 1;
    c.gamma = 0.7;
    c.epochs = 4;
    auto a = tiny_mlp(d, 21, kDropout);
    const TrainResult whole = Trainer(c, a, d).fit();
    c.epochs = 2;
    Trainer(c, tiny_mlp(d, 21, kDropout), d, dir.path()).fit();
    c.epochs = 4;
    auto b = tiny_mlp(d, 22, kDropout);
    Trainer rest(c, b, d, dir.path());
    quiet(rest);
    const TrainResult resumed = rest.fit(true);
    test::expect_same_curves(whole.epochs, resumed.epochs);
    EXPECT_TRUE(test::same_weights(*a, *b));
  }
}
