// Data-parallel training over c10d Gloo on loopback: two worker processes (this
// binary re-executed through launch_local_workers) train the tiny MLP for two
// epochs; afterwards both ranks hold bit-identical parameters, only rank 0 wrote
// a checkpoint and progress, and rank 0's curves match a single process with the
// same global batch within 1e-4 relative (the ranks' gradients are summed in
// another order than one process's, so the last bits differ).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "test_util.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/trainer.h"
#include "trainer_fixtures_torch.h"

using namespace slimlab;
using namespace slimlab::train;
using slimlab::test::TempDir;

namespace {

constexpr double kCurveTolerance = 1e-4;  // relative, per epoch

TrainConfig dp_config() {
  TrainConfig c;
  c.optimizer = "adam";
  c.lr = 3e-3;
  c.epochs = 2;
  c.batch_size = 64;  // the global batch: 32 per rank with 2 ranks
  c.class_weighting = true;  // exercises the global weighted-mean denominator
  c.seed = 3;
  c.threads = 1;
  return c;
}

// Sets an environment variable for the duration of a test.
struct ScopedEnv {
  ScopedEnv(const char* k, const std::string& v) : key(k) { setenv(k, v.c_str(), 1); }
  ~ScopedEnv() { unsetenv(key); }
  const char* key;
};

std::vector<double> read_numbers(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::vector<double> v;
  double x;
  while (f >> x) v.push_back(x);
  return v;
}

}  // namespace

TEST(ParseMaster, HostPortAndErrors) {
  auto a = parse_master("127.0.0.1:29500");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 29500);
  a = parse_master("node-1.cluster:1234");
  EXPECT_EQ(a.host, "node-1.cluster");
  a = parse_master("[::1]:80");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 80);
  for (const char* bad : {"", "host", ":80", "host:", "host:0", "host:70000", "host:12x", "[::1]80"})
    EXPECT_THROW(parse_master(bad), std::invalid_argument) << bad;
}

TEST(FreePort, IsUsable) {
  const uint16_t p = free_tcp_port();
  EXPECT_GT(p, 0);
}

TEST(LaunchLocalWorkers, RejectsFlagsItSetsItself) {
  EXPECT_THROW(launch_local_workers(2, {"x", "--rank", "1"}), std::invalid_argument);
  EXPECT_THROW(launch_local_workers(2, {"x", "--master=a:1"}), std::invalid_argument);
  EXPECT_THROW(launch_local_workers(0, {"x"}), std::invalid_argument);
}

TEST(DataParallel, SingleRankGroupWorksInProcess) {
  TrainConfig c;
  c.master = "127.0.0.1:" + std::to_string(free_tcp_port());
  DataParallel dp(c);
  EXPECT_EQ(dp.rank(), 0);
  EXPECT_EQ(dp.world_size(), 1);
  EXPECT_EQ(dp.all_reduce({1.5, -2}), (std::vector<double>{1.5, -2}));
  EXPECT_EQ(dp.all_reduce({3}, DataParallel::Op::kMax), std::vector<double>{3});
  // Mixed dtypes (BatchNorm's num_batches_tracked is int64) survive a broadcast.
  torch::Tensor f = torch::tensor({0.1f, 0.2f}), i = torch::tensor({int64_t(7)});
  dp.broadcast({f, i});
  EXPECT_TRUE(torch::equal(f, torch::tensor({0.1f, 0.2f})));
  EXPECT_EQ(i.item<int64_t>(), 7);
  // A parameter without a gradient gets zeros; the others keep theirs (one rank: sum = itself).
  torch::Tensor a = torch::ones({2, 3}, torch::requires_grad()), b = torch::ones({4}, torch::requires_grad());
  (a * 2).sum().backward();
  dp.sum_gradients({a, b});
  EXPECT_TRUE(torch::equal(a.grad(), torch::full({2, 3}, 2.0f)));
  ASSERT_TRUE(b.grad().defined());
  EXPECT_TRUE(torch::equal(b.grad(), torch::zeros({4})));
  dp.barrier();
}

// ---- worker bodies (skip unless launched by the tests below) ----------------

TEST(DistributedWorker, Train) {
  const char* out = std::getenv("SLIMLAB_DIST_OUT");
  if (!out) GTEST_SKIP() << "worker of Distributed.TwoRanksMatchOneProcess";
  alarm(120);  // a hung collective must not hang the suite
  const auto args = test::own_cmdline();
  TrainConfig c = dp_config();
  c.world_size = std::stoi(test::flag_value(args, "--world-size"));
  c.rank = std::stoi(test::flag_value(args, "--rank"));
  c.master = test::flag_value(args, "--master");
  const auto& d = test::small_har();
  // Each rank initialises differently: rank 0's weights must be broadcast.
  auto model = test::tiny_mlp(d, 100 + uint64_t(c.rank));
  std::ostringstream progress_text;
  ProgressReporter progress(progress_text, false);
  const std::filesystem::path dir(out);
  Trainer t(c, model, d, dir / ("ckpt-rank" + std::to_string(c.rank)), &progress);
  int callbacks = 0;
  t.on_epoch = [&](const EpochMetrics&) { ++callbacks; };
  const TrainResult r = t.fit();

  const std::string tag = "rank" + std::to_string(c.rank);
  torch::save(snapshot_weights(*model), (dir / (tag + ".pt")).string());
  std::ofstream f(dir / (tag + ".txt"));
  char buf[64];
  for (const auto& e : r.epochs) {
    for (double v : {e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy}) {
      std::snprintf(buf, sizeof buf, "%.17g ", v);
      f << buf;
    }
    f << "\n";
  }
  std::ofstream(dir / (tag + ".progress")) << progress_text.str();
  std::ofstream(dir / (tag + ".callbacks")) << callbacks;
}

TEST(DistributedWorker, FailOnRank1) {
  if (!std::getenv("SLIMLAB_DIST_FAIL")) GTEST_SKIP() << "worker of Distributed.AFailingRankStopsTheOthers";
  alarm(120);
  const auto args = test::own_cmdline();
  if (test::flag_value(args, "--rank") == "1") _exit(3);
  std::this_thread::sleep_for(std::chrono::seconds(100));  // rank 0 "hangs" until the launcher stops it
}

// ---- the tests --------------------------------------------------------------

TEST(Distributed, TwoRanksMatchOneProcess) {
  TempDir out;
  {
    ScopedEnv env("SLIMLAB_DIST_OUT", out.path().string());
    ASSERT_EQ(launch_local_workers(2, {"test_distributed_torch", "--gtest_filter=DistributedWorker.Train"}), 0);
  }
  // Both ranks hold exactly the same parameters.
  std::vector<torch::Tensor> p0, p1;
  torch::load(p0, (out / "rank0.pt").string());
  torch::load(p1, (out / "rank1.pt").string());
  ASSERT_EQ(p0.size(), p1.size());
  ASSERT_FALSE(p0.empty());
  for (size_t i = 0; i < p0.size(); ++i) EXPECT_TRUE(torch::equal(p0[i], p1[i])) << "tensor " << i;
  EXPECT_EQ(read_numbers(out / "rank0.txt"), read_numbers(out / "rank1.txt"));

  // Only rank 0 checkpoints, reports progress and calls on_epoch.
  EXPECT_TRUE(std::filesystem::exists(out / "ckpt-rank0" / "last.pt"));
  EXPECT_FALSE(std::filesystem::exists(out / "ckpt-rank1"));
  std::ifstream pr0(out / "rank0.progress"), pr1(out / "rank1.progress");
  std::string line;
  int lines = 0;
  while (std::getline(pr0, line)) ++lines;
  EXPECT_EQ(lines, 2);
  EXPECT_FALSE(std::getline(pr1, line));
  EXPECT_EQ(read_numbers(out / "rank0.callbacks"), std::vector<double>{2});
  EXPECT_EQ(read_numbers(out / "rank1.callbacks"), std::vector<double>{0});

  // One process, same global batch, started from rank 0's initialisation.
  const auto& d = test::small_har();
  auto model = test::tiny_mlp(d, 100);
  const TrainResult single = Trainer(dp_config(), model, d).fit();
  const auto dist = read_numbers(out / "rank0.txt");
  ASSERT_EQ(dist.size(), 4 * single.epochs.size());
  const double one_sample = 1.0 / double(d.train.size());
  double worst = 0;
  for (size_t e = 0; e < single.epochs.size(); ++e) {
    SCOPED_TRACE("epoch " + std::to_string(e + 1));
    const auto& s = single.epochs[e];
    worst = std::max(worst, std::abs(dist[4 * e] - s.train_loss) / s.train_loss);
    EXPECT_NEAR(dist[4 * e + 0], s.train_loss, kCurveTolerance * s.train_loss);
    EXPECT_NEAR(dist[4 * e + 1], s.train_accuracy, 2 * one_sample);  // an argmax may flip on a near-tie
    EXPECT_NEAR(dist[4 * e + 2], s.val_loss, kCurveTolerance * s.val_loss);
    EXPECT_NEAR(dist[4 * e + 3], s.val_accuracy, 2.0 / double(d.val.size()));
  }
  std::printf("largest relative train-loss difference, 2 ranks vs 1 process: %.3g\n", worst);
  const auto ps = snapshot_weights(*model);
  ASSERT_EQ(ps.size(), p0.size());
  for (size_t i = 0; i < ps.size(); ++i)
    EXPECT_TRUE(torch::allclose(ps[i], p0[i], /*rtol=*/1e-3, /*atol=*/1e-5)) << "tensor " << i;
}

TEST(Distributed, AFailingRankStopsTheOthers) {
  ScopedEnv env("SLIMLAB_DIST_FAIL", "1");
  EXPECT_EQ(launch_local_workers(2, {"test_distributed_torch", "--gtest_filter=DistributedWorker.FailOnRank1"}), 3);
}
