// The Deploy panel's flow with the real programs: a finished run (model.h5 +
// results.h5) is exported by `slimlab export`, benchmarked by `slimrt-run bench`,
// and the measurements land in its results.h5 (so the runs table and the
// trade-off plot show them). Skips when either program was not built.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "experiments/results.h"
#include "gui/model/deploy.h"
#include "gui/model/jobs.h"
#include "ir_fixtures.h"
#include "test_util.h"
#include "train/graph_io.h"
#include "train/resources.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;

TEST(GuiDeployReal, ExportBenchAndMeasurementsInResults) {
  const fs::path slimlab = test::bin_dir() / "slimlab", slimrt = test::bin_dir() / "slimrt-run";
  if (!fs::exists(slimlab) || !fs::exists(slimrt)) GTEST_SKIP() << "slimlab or slimrt-run not built in " << test::bin_dir();
  test::TempDir tmp;
  const fs::path run = tmp / "runs" / "lenet" / "p00";
  ir::Graph g = test::lenet5_graph();
  std::mt19937 rng(3);
  test::fill_normal(g, rng, 0.1f);
  fs::create_directories(run);
  ir::write_graph_h5(run / "model.h5", g);
  exp::RunRecord r;
  r.experiment = "lenet";
  r.run_id = "p00";
  r.status = "finished";
  r.model = "lenet5";
  r.num_classes = g.num_classes;
  for (int64_t c = 0; c < g.num_classes; ++c) r.class_names.push_back("c" + std::to_string(c));
  r.result.test.num_classes = r.result.val.num_classes = g.num_classes;
  r.result.test.accuracy = 0.5;
  r.resources = train::profile(g);
  r.graph = exp::summarize_graph(g);
  exp::write_results(r, run / "results.h5");

  JobQueue q;
  q.kill_on_exit = true;
  DeployController d(q, slimlab, slimrt);
  q.on_done = [&](const Job& j) { d.on_job_done(j); };
  std::string why;
  ASSERT_GT(d.request("lenet/p00", run, "fp32", false, &why), 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(240)));
  const DeployRequest* req = d.latest_for("lenet/p00");
  ASSERT_TRUE(req);
  ASSERT_EQ(req->step, "done") << req->message << "\n" << read_file_text(req->log_file);
  const exp::RunRecord back = exp::read_results(run / "results.h5");
  EXPECT_GT(back.latency_ms, 0);
  EXPECT_GT(back.arena_bytes, 0);
  EXPECT_EQ(back.file_bytes, int64_t(fs::file_size(run / "model-fp32.slim")));
  EXPECT_EQ(back.tags.at("slimrt_precision"), "fp32");
  EXPECT_DOUBLE_EQ(back.result.test.accuracy, 0.5);  // the rest of the record is unchanged

  // With OpenCL too (PoCL in CI): its latency is recorded as a tag; without a device the
  // CPU figures still count and the message says what happened.
  ASSERT_GT(d.request("lenet/p00", run, "fp32", true, &why), 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(240)));
  req = d.latest_for("lenet/p00");
  ASSERT_EQ(req->step, "done") << req->message;
  const exp::RunRecord cl = exp::read_results(run / "results.h5");
  EXPECT_GT(cl.latency_ms, 0);
  if (cl.tags.count("slimrt_opencl_latency_ms"))
    EXPECT_GT(std::stod(cl.tags.at("slimrt_opencl_latency_ms")), 0);
  else
    EXPECT_NE(req->message.find("OpenCL"), std::string::npos) << req->message;
}
