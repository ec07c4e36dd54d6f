// The Deploy panel's model beyond export: the precision a run defaults to (its own),
// running an exported .slim on a file with the real slimrt-run and reading the class
// back, and the "queued N run(s)" message going stale when the jobs end.
#include <gtest/gtest.h>

#include <fstream>

#include "experiments/experiment.h"
#include "gui/model/predict.h"
#include "gui/model/workbench.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;

namespace {

exp::RunRecord run_with(const std::string& toml) {
  exp::RunRecord r;
  r.experiment = "e";
  r.run_id = "p00";
  r.config_toml = exp::to_toml(exp::parse_experiment(toml, "t.toml"));
  return r;
}

const std::string kBase = "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n";

void write_script(const fs::path& p, const std::string& body) {
  test::write_text(p, "#!/bin/sh\n" + body);
  fs::permissions(p, fs::perms::owner_all);
}

}  // namespace

TEST(GuiPredict, DeployDefaultsToTheRunsOwnPrecision) {
  EXPECT_EQ(run_precision(exp::RunRecord{}), "fp32");
  EXPECT_EQ(run_precision(run_with(kBase)), "fp32");
  EXPECT_EQ(run_precision(run_with(kBase + "[[stage]]\ntype = \"fixed_point\"\nword_length = 8\n")), "int8");
  EXPECT_EQ(run_precision(run_with(kBase + "[[stage]]\ntype = \"fixed_point\"\nword_length = 12\n")), "int16");
  EXPECT_EQ(run_precision(run_with(kBase + "[[stage]]\ntype = \"fixed_point\"\nword_length = 12\nweights = 4\n")),
            "int8");
  EXPECT_EQ(run_precision(run_with(kBase + "[[stage]]\ntype = \"binaryconnect\"\n")), "binary");
  // What the run exported wins.
  EXPECT_EQ(run_precision(run_with(kBase + "[export]\nenabled = true\nprecision = \"int16\"\n")), "int16");
}

TEST(GuiPredict, ParsesBothOutputsOfSlimrtRun) {
  const Prediction a = parse_run_output("0\tleft\t0.1\n1\tright\t0.9\nprediction\t1\tright\n");
  EXPECT_EQ(a.state, "done");
  EXPECT_EQ(a.class_name, "right");
  EXPECT_EQ(a.index, 1);
  ASSERT_EQ(a.scores.size(), 2u);
  EXPECT_DOUBLE_EQ(a.scores[1].second, 0.9);
  const Prediction b = parse_run_output("slimrt-run: note: x.wav: 100 samples zero-padded\nclass yes 0.8\nclass no 0.2\n");
  EXPECT_EQ(b.state, "done");
  EXPECT_EQ(b.class_name, "yes");
  EXPECT_EQ(b.scores.size(), 2u);
  const Prediction c = parse_run_output("slimrt-run: in.csv: 3 values, the model's input [2, 6, 6] takes 72\n");
  EXPECT_EQ(c.state, "failed");
  EXPECT_NE(c.message.find("takes 72"), std::string::npos);
}

TEST(GuiPredict, RunsAnExportedModelOnACsvFileWithTheRealSlimrtRun) {
  const fs::path tool = test::bin_dir() / "slimrt-run";
  if (!fs::exists(tool)) GTEST_SKIP() << "slimrt-run was not built";
  test::TempDir tmp;
  const fs::path run = tmp.path() / "runs" / "e" / "p00";
  fs::create_directories(run);
  fs::copy_file(fs::path(SLIMLAB_SOURCE_DIR) / "tests/runtime/fixtures/v1_fp32.slim", run / "model-fp32.slim");
  EXPECT_EQ(exported_models(run), std::vector<fs::path>{run / "model-fp32.slim"});
  // The fixture takes [2, 6, 6] and names classes a, b, c, d.
  std::string csv;
  for (int i = 0; i < 72; ++i) csv += std::to_string((i * 37 % 11) / 10.0) + (i % 6 == 5 ? "\n" : ",");
  test::write_text(tmp.path() / "in.csv", csv);
  test::write_text(tmp.path() / "short.csv", "1,2,3\n");
  JobQueue q;
  PredictController pc(q, tool);
  q.on_done = [&](const Job& j) { pc.on_job_done(j); };
  std::string why;
  EXPECT_EQ(pc.request("e/p00", run, run / "model-int8.slim", tmp.path() / "in.csv", &why), 0);
  EXPECT_NE(why.find("export"), std::string::npos);
  ASSERT_GT(pc.request("e/p00", run, run / "model-fp32.slim", tmp.path() / "in.csv", &why), 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(30)));
  const Prediction* p = pc.latest_for("e/p00");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->state, "done") << p->message << "\n" << read_file_text(p->log_file);
  ASSERT_EQ(p->scores.size(), 4u);
  // The class is the best score's, and one of the model's names.
  size_t best = 0;
  for (size_t i = 0; i < p->scores.size(); ++i)
    if (p->scores[i].second > p->scores[best].second) best = i;
  EXPECT_EQ(p->class_name, p->scores[best].first);
  EXPECT_NE(std::string("abcd").find(p->class_name), std::string::npos);
  // A file of the wrong size: the tool's own error, not a class.
  ASSERT_GT(pc.request("e/p00", run, run / "model-fp32.slim", tmp.path() / "short.csv", &why), 0);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(30)));
  EXPECT_EQ(pc.latest_for("e/p00")->state, "failed");
  EXPECT_NE(pc.latest_for("e/p00")->message.find("72"), std::string::npos) << pc.latest_for("e/p00")->message;
}

TEST(GuiPredict, AQueuedMessageGoesStaleWhenItsJobsEnd) {
  test::TempDir tmp;
  const fs::path slow = tmp.path() / "slow";
  write_script(slow, "sleep 0.3\n");
  JobQueue q;
  JobSpec spec;
  spec.argv = {slow.string()};
  spec.output = tmp.path() / "out.txt";
  const std::vector<int> ids = {q.submit(spec), q.submit(spec)};
  q.poll();
  EXPECT_FALSE(all_done(q, ids));
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_TRUE(all_done(q, ids));
  q.clear_done();
  EXPECT_TRUE(all_done(q, ids));  // cleared from the list: nothing left to wait for
}

TEST(GuiPredict, AFrontEndExportIsWhatAWavFileRunsOn) {
  test::TempDir tmp;
  const fs::path run = tmp.path() / "runs" / "kws" / "p00";
  fs::create_directories(run);
  const fs::path slimlab = tmp.path() / "bin" / "slimlab", slimrt = tmp.path() / "bin" / "slimrt-run";
  // export <run> --precision P --out FILE [--front-end]: record the arguments, write the file.
  write_script(slimlab, "echo \"$@\" > \"$(dirname \"$0\")/export-args.txt\"; printf 'SLIM' > \"$6\"\n");
  // bench prints a latency; run prints what a front-end model prints: class NAME SCORE, best first.
  write_script(slimrt, "if [ \"$1\" = run ]; then echo 'class yes 0.8'; echo 'class no 0.2'; "
                       "else echo 'latency_ms: 0.5'; fi\n");
  JobQueue q;
  DeployController d(q, slimlab, slimrt);
  PredictController pc(q, slimrt);
  q.on_done = [&](const Job& j) {
    d.on_job_done(j);
    pc.on_job_done(j);
  };
  std::string why;
  ASSERT_GT(d.request("kws/p00", run, "int8", false, &why, /*front_end=*/true), 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  std::ifstream in(tmp.path() / "bin" / "export-args.txt");
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(args.find("--front-end"), std::string::npos) << args;
  const fs::path slim = run / "model-int8-frontend.slim";
  EXPECT_EQ(exported_models(run), std::vector<fs::path>{slim});
  test::write_text(tmp.path() / "yes.wav", "RIFF");
  ASSERT_GT(pc.request("kws/p00", run, slim, tmp.path() / "yes.wav", &why), 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  ASSERT_EQ(pc.latest_for("kws/p00")->state, "done");
  EXPECT_EQ(pc.latest_for("kws/p00")->class_name, "yes");
}
