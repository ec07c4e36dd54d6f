// `slimlab train | run | runs | plot` as a user runs them, on small synthetic data.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "experiments/run_lock.h"
#include "train/graph_io.h"
#include "test_util.h"

namespace fs = std::filesystem;
using slimlab::test::run_slimlab;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string quickstart() { return (fs::path(SLIMLAB_SOURCE_DIR) / "experiments/quickstart.toml").string(); }

// Small and fast: a quarter of the synthetic data, one or two epochs, one thread, and
// the quickstart's whole chain (DeepIoT → BinaryConnect → fixed point → slimrt export)
// on a short leash.
std::string small(const slimlab::test::TempDir& dir, int epochs) {
  return " --set dataset.synthetic_scale=0.25 --set dataset.synthetic_subjects=10 --set train.epochs=" + std::to_string(epochs) +
         " --set train.threads=1 --set dataset.cache_dir=" + (dir / "cache").string() +
         " --set stage.0.threshold_every=1 --set stage.0.max_iterations=60 --set stage.0.eval_every=20"
         " --set stage.0.epochs=1 --set stage.1.epochs=1 --runs " +
         (dir / "runs").string();
}
}  // namespace

TEST(CliTrain, TrainsOneRunIntoItsFolder) {
  slimlab::test::TempDir dir;
  const auto r = run_slimlab("train " + quickstart() + small(dir, 2) + " --run-id one --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  const fs::path run_dir = dir / "runs/quickstart/one";
  EXPECT_TRUE(fs::exists(run_dir / "results.h5"));
  EXPECT_TRUE(fs::exists(run_dir / "checkpoints/last.pt"));
  EXPECT_EQ(read(run_dir / "status"), "finished\n");
  const std::string cfg = read(run_dir / "config.toml");
  EXPECT_EQ(cfg.find("[sweep]"), std::string::npos) << "a run records its own point, not the sweep";
  EXPECT_NE(cfg.find("epochs = 2"), std::string::npos) << cfg;
  // Two epoch lines in the live curve file.
  const std::string curves = read(run_dir / "curves.csv");
  EXPECT_EQ(std::count(curves.begin(), curves.end(), '\n'), 3) << curves;
  const auto show = run_slimlab("runs show quickstart/one --runs " + (dir / "runs").string());
  ASSERT_EQ(show.code, 0) << show.out;
  EXPECT_NE(show.out.find("Confusion matrix"), std::string::npos);
  EXPECT_NE(show.out.find("gru1"), std::string::npos);
  // The quickstart's chain ran: three stages, the final model and its slimrt export.
  EXPECT_NE(show.out.find("deepiot+binaryconnect+fixed_point"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("kept_units"), std::string::npos) << show.out;
  EXPECT_TRUE(fs::exists(run_dir / "model.h5"));
  EXPECT_TRUE(fs::exists(run_dir / "model.slim"));
  EXPECT_NE(show.out.find("slimrt_accuracy"), std::string::npos) << show.out;
}

TEST(CliTrain, RunsTheSweepListsAndPlots) {
  slimlab::test::TempDir dir;
  auto r = run_slimlab("run " + quickstart() + small(dir, 1) + " --jobs 2");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("3 finished, 0 failed"), std::string::npos) << r.out;
  r = run_slimlab("runs list --runs " + (dir / "runs").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("p00-model.width=0.25"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("p01-model.width=0.5"), std::string::npos) << r.out;
  const auto svg = dir / "plot.svg";
  r = run_slimlab("plot --runs " + (dir / "runs").string() + " --out " + svg.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string text = read(svg);
  size_t circles = 0;
  for (size_t pos = 0; (pos = text.find("<circle", pos)) != std::string::npos; ++pos) ++circles;
  EXPECT_EQ(circles, 3u);
}

TEST(CliTrain, BadConfigIsRejectedBeforeAnyWork) {
  slimlab::test::TempDir dir;
  slimlab::test::write_text(dir / "bad.toml",
                            "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[train]\nepoch = 5\n");
  const auto r = run_slimlab("train " + (dir / "bad.toml").string() + " --runs " + (dir / "runs").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("bad.toml:6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'epochs'"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "runs"));
}

TEST(CliTrain, ModelForOtherDataIsRejectedBeforeAnyWork) {
  slimlab::test::TempDir dir;
  const auto r = run_slimlab("train " + quickstart() + small(dir, 1) + " --set model.name=lenet5 --run-id wrong --quiet");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("model.name: 'lenet5' is a vision model"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "runs/quickstart/wrong")) << "rejected at validation, before any work";
}

namespace {

// A small float experiment: cnn1d on a quarter of the synthetic HAR data.
fs::path tiny_experiment(const slimlab::test::TempDir& dir, int epochs, const std::string& extra = "") {
  const fs::path f = dir / "tiny.toml";
  slimlab::test::write_text(f, "[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.25\ncache_dir = \"" +
                                   (dir / "cache").string() + "\"\n[model]\nname = \"cnn1d\"\nwidth = 0.25\n"
                                   "[train]\nepochs = " + std::to_string(epochs) + "\nthreads = 1\n" + extra);
  return f;
}

// Waits until a process holds the run folder's lock; its pid, or 0 after `seconds`.
pid_t wait_for_holder(const fs::path& run, int seconds) {
  for (int i = 0; i < seconds * 50; ++i) {
    if (const pid_t p = slimlab::exp::run_lock_holder(run); p > 0) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

}  // namespace

// Issue #15: `[export] precision = "binary"` without a binary stage trained, failed to
// export and exited 0. Now it is rejected at validation with file:line.
TEST(CliTrain, BinaryExportWithoutABinaryStageIsRejected) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(dir, 1, "[export]\nenabled = true\nprecision = \"binary\"\n");
  for (const std::string cmd : {"train", "run"}) {
    const auto r = run_slimlab(cmd + " " + f.string() + " --quiet --runs " + (dir / "runs").string());
    EXPECT_NE(r.code, 0) << cmd;
    EXPECT_NE(r.out.find(f.string() + ":13: export.precision: \"binary\" export needs binary weights"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(dir / "runs")) << cmd;
  }
}

// An export that fails at run time fails the run: status, exit code, the reason
// printed also under --quiet, and `runs list` says failed.
TEST(CliTrain, FailedExportFailsTheRun) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(dir, 1, "[export]\nenabled = true\nprecision = \"int8\"\n");
  const fs::path run = dir / "runs/tiny/p00";
  fs::create_directories(run / "model.slim" / "in-the-way");  // the .slim cannot be written
  const auto r = run_slimlab("train " + f.string() + " --quiet --run-id p00 --runs " + (dir / "runs").string());
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("export (int8) failed"), std::string::npos) << r.out;
  const std::string status = read(run / "status");
  EXPECT_EQ(status.rfind("failed: export (int8) failed", 0), 0u) << status;
  EXPECT_TRUE(fs::exists(run / "model.h5")) << "the trained model is kept";
  const auto list = run_slimlab("runs list --runs " + (dir / "runs").string());
  EXPECT_NE(list.out.find("failed"), std::string::npos) << list.out;
  // The same through `slimlab run --quiet`: exit 1 and the reason.
  const auto s = run_slimlab("run " + f.string() + " --quiet --runs " + (dir / "runs").string());
  EXPECT_NE(s.code, 0) << s.out;
  EXPECT_NE(s.out.find("FAILED   p00: failed: export (int8) failed"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("0 finished, 1 failed"), std::string::npos) << s.out;
}

// kill -9 of a run `slimlab run` started: failed, with the signal, in the status
// file, the output and `runs list`.
TEST(CliTrain, KilledRunIsFailedWithTheSignal) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(dir, 500);
  const fs::path run = dir / "runs/tiny/p00";
  std::thread killer([&] {
    if (const pid_t child = wait_for_holder(run, 60)) kill(child, SIGKILL);
  });
  const auto r = run_slimlab("run " + f.string() + " --quiet --runs " + (dir / "runs").string());
  killer.join();
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAILED   p00: failed: killed by signal 9 (SIGKILL — out of memory?)"), std::string::npos)
      << r.out;
  const std::string status = read(run / "status");
  EXPECT_EQ(status.rfind("failed: killed by signal 9 (SIGKILL — out of memory?)", 0), 0u) << status;
  const auto list = run_slimlab("runs list --runs " + (dir / "runs").string());
  EXPECT_NE(list.out.find("failed"), std::string::npos) << list.out;
}

// Two `slimlab run` of the same experiment at once: the second does not touch the
// first's folder, takes the next id and says so; a `slimlab train` of the held id stops.
TEST(CliTrain, ConcurrentRunsDoNotClobberEachOther) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(dir, 40);
  const std::string runs = " --runs " + (dir / "runs").string();
  slimlab::test::CommandResult first;
  std::thread t([&] { first = run_slimlab("run " + f.string() + runs); });
  const pid_t holder = wait_for_holder(dir / "runs/tiny/p00", 60);
  ASSERT_GT(holder, 0);
  const auto busy = run_slimlab("train " + f.string() + " --run-id p00 --quiet" + runs);
  EXPECT_EQ(busy.code, 75) << busy.out;
  EXPECT_NE(busy.out.find("is in use by another slimlab process (pid " + std::to_string(holder) + ")"),
            std::string::npos)
      << busy.out;
  const auto second = run_slimlab("run " + f.string() + " --set train.epochs=1" + runs);
  t.join();
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_EQ(second.code, 0) << second.out;
  EXPECT_NE(second.out.find("p00 is being run by another slimlab process (pid " + std::to_string(holder) +
                            "): this run writes p00-2 instead"),
            std::string::npos)
      << second.out;
  EXPECT_EQ(read(dir / "runs/tiny/p00/status"), "finished\n");
  EXPECT_EQ(read(dir / "runs/tiny/p00-2/status"), "finished\n");
  EXPECT_NE(read(dir / "runs/tiny/p00/config.toml").find("epochs = 40"), std::string::npos);
  EXPECT_NE(read(dir / "runs/tiny/p00-2/config.toml").find("epochs = 1"), std::string::npos);
}

// A bad sweep is reported once per problem (issue #20: a bad value crossed with
// another axis was printed once per point).
TEST(CliTrain, SweepErrorsArePrintedOnce) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(
      dir, 1, "lr = 0.001\nschedule = \"cosine\"\n[sweep]\ngrid = { \"train.min_lr\" = [0.5], \"model.width\" = [0.25, 0.5] }\n");
  const auto r = run_slimlab("run " + f.string() + " --runs " + (dir / "runs").string());
  EXPECT_NE(r.code, 0);
  const std::string needle = "min_lr must be below lr";
  size_t n = 0;
  for (size_t pos = 0; (pos = r.out.find(needle, pos)) != std::string::npos; ++pos) ++n;
  EXPECT_EQ(n, 1u) << r.out;
  EXPECT_NE(r.out.find(f.string() + ":14: train.min_lr: in sweep points p00-train.min_lr=0.5-model.width=0.25, "
                                    "p01-train.min_lr=0.5-model.width=0.5: min_lr must be below lr"),
            std::string::npos)
      << r.out;
}

namespace {

// Every column of curves.csv but the timing ones (seconds, samples_per_second, data_wait_fraction).
std::string curves_without_timing(const fs::path& file) {
  std::istringstream in(read(file));
  std::string out, line;
  std::vector<bool> keep;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream cs(line);
    for (std::string c; std::getline(cs, c, ',');) cells.push_back(c);
    if (keep.empty())
      for (const auto& c : cells)
        keep.push_back(c != "seconds" && c != "samples_per_second" && c != "data_wait_fraction");
    for (size_t i = 0; i < cells.size() && i < keep.size(); ++i)
      if (keep[i]) out += cells[i] + ",";
    out += "\n";
  }
  return out;
}

std::vector<std::vector<float>> weights(const fs::path& model_h5) {
  std::vector<std::vector<float>> w;
  for (const auto& l : slimlab::ir::read_graph_h5(model_h5).layers)
    for (const auto& p : l.params) w.push_back(p.data);
  return w;
}

}  // namespace

// [evaluation] deterministic = true: two runs of one config are bit-identical
// (curves and final weights), even when more threads are asked for.
TEST(CliTrain, DeterministicRerunsAreBitIdentical) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(dir, 2, "[evaluation]\ndeterministic = true\n");
  for (const char* id : {"a", "b"}) {
    const auto r = run_slimlab("train " + f.string() + " --set train.threads=2 --runs " + (dir / "runs").string() +
                               " --run-id " + id + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out;
  }
  const fs::path a = dir / "runs/tiny/a", b = dir / "runs/tiny/b";
  EXPECT_EQ(curves_without_timing(a / "curves.csv"), curves_without_timing(b / "curves.csv"));
  EXPECT_TRUE(weights(a / "model.h5") == weights(b / "model.h5"));
  EXPECT_NE(read(a / "log.txt").find("epoch 2"), std::string::npos);
}

// [evaluation] protocol = "kfold": `slimlab run` runs each point once per fold,
// `runs summary` gives mean ± std per point and `compare` a paired t-test.
TEST(CliTrain, KFoldRunsSummaryAndCompare) {
  slimlab::test::TempDir dir;
  const fs::path f = tiny_experiment(
      dir, 1, "[evaluation]\nprotocol = \"kfold\"\nfolds = 2\n[sweep]\ngrid = { \"train.lr\" = [0.001, 0.01] }\n");
  const std::string runs = " --runs " + (dir / "runs").string();
  const auto r = run_slimlab("run " + f.string() + " --jobs 2 --quiet" + runs);
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* id : {"p00-train.lr=0.001-f00-s0", "p00-train.lr=0.001-f01-s0", "p01-train.lr=0.01-f00-s0",
                         "p01-train.lr=0.01-f01-s0"})
    EXPECT_EQ(read(dir / "runs/tiny" / id / "status"), "finished\n") << id;
  const std::string cfg = read(dir / "runs/tiny/p01-train.lr=0.01-f01-s0/config.toml");
  EXPECT_NE(cfg.find("fold = 1"), std::string::npos) << cfg;
  const auto s = run_slimlab("runs summary" + runs);
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_NE(s.out.find("2/2 (2 folds × 1 seeds)"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find(" ± "), std::string::npos) << s.out;
  const auto c = run_slimlab("compare tiny/p00-train.lr=0.001 tiny/p01-train.lr=0.01" + runs);
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("over 2 matching runs"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("paired t-test: t = "), std::string::npos) << c.out;
  const auto bad = run_slimlab("compare tiny/p00 tiny/nothing" + runs);
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("the points are"), std::string::npos) << bad.out;
}
