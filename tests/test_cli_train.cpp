// `slimlab train | run | runs | plot` as a user runs them, on small synthetic data.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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
  return " --set dataset.synthetic_scale=0.25 --set train.epochs=" + std::to_string(epochs) +
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

TEST(CliTrain, ModelForOtherDataFailsAndSaysWhy) {
  slimlab::test::TempDir dir;
  const auto r = run_slimlab("train " + quickstart() + small(dir, 1) + " --set model.name=lenet5 --run-id wrong --quiet");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("vision model"), std::string::npos) << r.out;
  const std::string status = read(dir / "runs/quickstart/wrong/status");
  EXPECT_EQ(status.rfind("failed: ", 0), 0u) << status;
}
