// The GUI's data model without ImGui, its side effects: child jobs (crash → failed,
// cancel, resume), the experiment form (validation at the field, save as new,
// start), persisted state, deploy measurements.
#include <gtest/gtest.h>

#include "experiments/experiment.h"
#include "gui/model/deploy.h"
#include "gui/model/experiment_form.h"
#include "gui/model/gui_state.h"
#include "gui/model/jobs.h"
#include "gui/model/workbench.h"
#include "run_fixtures.h"

using namespace slimlab;
using namespace slimlab::gui;
namespace fs = std::filesystem;
using test::finished_run;
using test::read;
using test::write_run;
using test::write_script;


// ---- jobs ---------------------------------------------------------------------------

TEST(GuiJobs, FinishedCrashedAndMissingPrograms) {
  test::TempDir tmp;
  JobQueue q;
  q.kill_on_exit = true;
  q.set_max_parallel(4);
  std::vector<std::string> done;
  q.on_done = [&](const Job& j) { done.push_back(j.spec.label); };
  const int ok = q.submit({"ok", "train", {"/bin/sh", "-c", "echo hello; exit 0"}, tmp / "ok.txt", {}, 0});
  // A run that dies by a signal while its status file still says "running".
  test::write_text(tmp / "run1" / "status", "running\n");
  const int crash = q.submit({"crash", "train", {"/bin/sh", "-c", "kill -SEGV $$"}, tmp / "run1" / "console.txt",
                              tmp / "run1", 0});
  // A run that failed by itself already wrote why: the GUI leaves it alone.
  test::write_text(tmp / "run2" / "status", "failed: diverged\n");
  const int failed = q.submit({"failed", "train", {"/bin/sh", "-c", "exit 1"}, {}, tmp / "run2", 0});
  const int missing = q.submit({"missing", "train", {"/nonexistent/slimlab"}, {}, tmp / "run3", 0});
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_EQ(q.find(ok)->state, JobState::kFinished);
  EXPECT_EQ(read(tmp / "ok.txt"), "hello\n");
  EXPECT_EQ(q.find(crash)->state, JobState::kFailed);
  EXPECT_EQ(q.find(crash)->signal, SIGSEGV);
  const auto st = exp::parse_status_text(read(tmp / "run1" / "status"));
  EXPECT_EQ(st.first, "failed");
  EXPECT_NE(st.second.find("signal 11"), std::string::npos) << st.second;
  EXPECT_EQ(read(tmp / "run2" / "status"), "failed: diverged\n");
  EXPECT_EQ(q.find(failed)->exit_code, 1);
  EXPECT_EQ(q.find(missing)->state, JobState::kFailed);
  EXPECT_NE(q.find(missing)->message.find("could not start"), std::string::npos);
  EXPECT_EQ(exp::parse_status_text(read(tmp / "run3" / "status")).first, "failed");
  EXPECT_EQ(done.size(), 4u);
  // The crashed run shows as failed in a listing, with the reason.
  test::write_text(tmp / "runs" / "e" / "x" / "status", "running\n");
  mark_run_failed(tmp / "runs" / "e" / "x", "killed by signal 9");
  auto runs = exp::list_runs(tmp / "runs");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "failed");
  q.clear_done();
  EXPECT_TRUE(q.jobs().empty());
}

TEST(GuiJobs, QueueOrderAndCancel) {
  test::TempDir tmp;
  JobQueue q;
  q.kill_on_exit = true;
  q.kill_after = std::chrono::milliseconds(200);
  q.set_max_parallel(1);
  // The first ignores SIGTERM: cancel must escalate to SIGKILL.
  const int slow = q.submit({"slow", "train", {"/bin/sh", "-c", "trap '' TERM; sleep 30"}, {}, tmp / "run", 0});
  const int second = q.submit({"second", "train", {"/bin/sh", "-c", "exit 0"}, {}, {}, 0});
  q.poll();
  EXPECT_EQ(q.find(slow)->state, JobState::kRunning);
  EXPECT_EQ(q.find(second)->state, JobState::kQueued);  // one at a time
  const auto t0 = std::chrono::steady_clock::now();
  q.cancel(slow);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
  EXPECT_EQ(q.find(slow)->state, JobState::kCancelled);
  EXPECT_EQ(q.find(second)->state, JobState::kFinished);
  // Cancelled is its own status (the one launcher's rule), with the reason.
  EXPECT_EQ(exp::parse_status_text(read(tmp / "run" / "status")),
            (std::pair<std::string, std::string>{"cancelled", "cancelled from the GUI"}));
  // A queued job is dropped without running.
  const int a = q.submit({"a", "train", {"/bin/sh", "-c", "sleep 30"}, {}, {}, 0});
  const int b = q.submit({"b", "train", {"/bin/sh", "-c", "touch " + (tmp / "b-ran").string()}, {}, {}, 0});
  q.poll();
  q.cancel(b);
  q.cancel(a);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_EQ(q.find(b)->state, JobState::kCancelled);
  EXPECT_FALSE(fs::exists(tmp / "b-ran"));
}

TEST(GuiJobs, ResumeAFailedRunFromItsCheckpoint) {
  test::TempDir tmp;
  const fs::path run = tmp / "runs" / "har" / "p00";
  test::write_text(run / "status", "failed: killed by signal 9\n");
  test::write_text(run / "config.toml", "[dataset]\nsource = \"synthetic:har\"\n");
  const fs::path fake = tmp / "bin" / "slimlab";
  write_script(fake, "echo \"$@\" > \"$(dirname \"$0\")/args.txt\"\n");
  WorkbenchPaths paths;
  paths.runs_root = tmp / "runs";
  paths.slimlab_exe = fake;
  paths.config_dir = tmp / "cfg";
  Workbench wb(paths, false);
  wb.rescan_now();
  const exp::RunRecord* r = wb.table().find("har/p00");
  ASSERT_TRUE(r);
  std::string why;
  EXPECT_EQ(wb.resume_run(*r, &why), 0);  // no checkpoint yet
  EXPECT_NE(why.find("checkpoint"), std::string::npos);
  test::write_text(run / "checkpoints" / "last.pt", "x");
  const int id = wb.resume_run(*r, &why);
  ASSERT_GT(id, 0) << why;
  EXPECT_EQ(wb.resume_run(*r, &why), 0);  // already queued
  ASSERT_TRUE(wb.jobs().wait_all(std::chrono::seconds(20)));
  EXPECT_EQ(read(tmp / "bin" / "args.txt"), "train " + (run / "config.toml").string() + " --quiet --runs " +
                                                (tmp / "runs").string() + " --run-id p00 --resume\n");
}

// ---- experiment form ------------------------------------------------------------------

namespace {
const char* kExperiment = R"(name = "formtest"
[dataset]
source = "synthetic:har"
[model]
name = "cnn1d"
width = 0.5
[train]
epochs = 3
lr = 0.01
[sweep]
grid = { "model.width" = [0.25, 0.5] }
)";
}

TEST(GuiExperimentForm, ValidatesAtTheFieldSavesAndStarts) {
  test::TempDir tmp;
  const fs::path file = tmp / "experiments" / "formtest.toml";
  test::write_text(file, kExperiment);
  ExperimentForm form;
  ASSERT_TRUE(form.open(file)) << (form.errors().empty() ? "" : form.errors()[0]);
  ASSERT_TRUE(form.field("train.lr"));
  EXPECT_EQ(form.field("train.lr")->text, "0.01");
  EXPECT_EQ(form.field("train.lr")->line, 9);
  EXPECT_EQ(form.points().size(), 2u);

  // The same validation as `--set`: the error lands on the field.
  EXPECT_FALSE(form.set("train.lr", "-1"));
  ASSERT_EQ(form.field("train.lr")->errors.size(), 1u);
  EXPECT_NE(form.field("train.lr")->errors[0].find("out of range"), std::string::npos) << form.field("train.lr")->errors[0];
  EXPECT_TRUE(form.field("train.epochs")->errors.empty());
  EXPECT_FALSE(form.set("train.epochs", "abc"));
  EXPECT_FALSE(form.field("train.epochs")->errors.empty());
  std::string why;
  EXPECT_FALSE(form.save_as("copy", tmp / "experiments", &why));
  EXPECT_NE(why.find("errors"), std::string::npos);
  form.set("train.lr", "0.003");
  EXPECT_TRUE(form.set("train.epochs", "2"));
  EXPECT_TRUE(form.field("train.lr")->errors.empty());
  EXPECT_EQ(form.overrides(), (std::vector<std::string>{"train.lr=0.003", "train.epochs=2"}));  // schema order

  // Save as new: loads back with the edits and the new name.
  auto saved = form.save_as("formtest_b", tmp / "experiments", &why);
  ASSERT_TRUE(saved) << why;
  const exp::Experiment e = exp::load_experiment(*saved);
  EXPECT_EQ(e.name, "formtest_b");
  EXPECT_DOUBLE_EQ(e.train.lr, 0.003);
  EXPECT_EQ(e.train.epochs, 2);
  EXPECT_EQ(e.sweep.grid.size(), 1u);
  EXPECT_FALSE(form.save_as("formtest_b", tmp / "experiments", &why));  // exists
  EXPECT_FALSE(form.save_as("../evil", tmp / "experiments", &why));
  EXPECT_EQ(list_experiment_files(tmp / "experiments").size(), 2u);

  // Start: one `slimlab train` child per sweep point, with the edits as --set.
  const fs::path fake = tmp / "fake-slimlab";
  write_script(fake, "echo \"$@\" > \"$(dirname \"$0\")/args-$$.txt\"\n");
  JobQueue q;
  q.set_max_parallel(2);
  const auto ids = form.start(q, fake, tmp / "runs");
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  const Job* j = q.find(ids[1]);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->state, JobState::kFinished);
  const auto& a = j->spec.argv;
  EXPECT_EQ(a[1], "train");
  EXPECT_EQ(a[2], file.string());
  const std::string joined = [&] {
    std::string s;
    for (const auto& x : a) s += x + " ";
    return s;
  }();
  EXPECT_NE(joined.find("--set train.lr=0.003"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--set model.width=0.5"), std::string::npos) << joined;
  EXPECT_NE(joined.find("--run-id p01-model.width=0.5"), std::string::npos) << joined;
  // Starting again picks fresh run ids instead of overwriting.
  const auto again = form.start(q, fake, tmp / "runs");
  EXPECT_EQ(q.find(again[0])->spec.run_dir.filename().string(), "p00-model.width=0.25-2");
  q.wait_all(std::chrono::seconds(20));
}

TEST(GuiExperimentForm, BrokenFileIsReportedNotCrashed) {
  test::TempDir tmp;
  test::write_text(tmp / "bad.toml", "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"cnn1d\"\n[train]\nepoch = 3\n");
  ExperimentForm form;
  EXPECT_FALSE(form.open(tmp / "bad.toml"));
  ASSERT_FALSE(form.errors().empty());
  EXPECT_NE(form.errors()[0].find("bad.toml:6"), std::string::npos) << form.errors()[0];
  EXPECT_NE(form.errors()[0].find("did you mean"), std::string::npos) << form.errors()[0];
  EXPECT_FALSE(form.open(tmp / "missing.toml"));
}

// ---- state and deploy ----------------------------------------------------------------

TEST(GuiState, RoundTrip) {
  test::TempDir tmp;
  GuiState s;
  s.set("selected_run", "har/p00");
  s.set_bool("panel.live.open", false);
  s.set_double("x", 0.125);
  s.set("multi", "a\nb\\c");
  ASSERT_TRUE(s.save(tmp / "cfg" / "gui-state.ini"));
  const GuiState r = GuiState::load(tmp / "cfg" / "gui-state.ini");
  EXPECT_EQ(r, s);
  EXPECT_FALSE(r.get_bool("panel.live.open", true));
  EXPECT_DOUBLE_EQ(r.get_double("x", 0), 0.125);
  EXPECT_EQ(r.get("missing", "fallback"), "fallback");
  EXPECT_TRUE(GuiState::load(tmp / "nope.ini").values().empty());
}

TEST(GuiDeploy, ParsesBenchOutput) {
  auto m = parse_bench_output("model: x.slim\nlatency_ms: 0.250\narena_bytes: 4096\nfile_bytes: 12345\n");
  EXPECT_DOUBLE_EQ(m.latency_ms, 0.25);
  EXPECT_EQ(m.arena_bytes, 4096);
  EXPECT_EQ(m.file_bytes, 12345);
  m = parse_bench_output("Latency 120 us (median of 100)\nArena: 4.0 KiB\n");
  EXPECT_NEAR(m.latency_ms, 0.12, 1e-12);
  EXPECT_EQ(m.arena_bytes, 4096);
  EXPECT_EQ(m.file_bytes, -1);
  EXPECT_FALSE(parse_bench_output("nothing here").any());
  // What slimrt-run bench prints.
  m = parse_bench_output(
      "model deepsense  runs 200  warmup 20  threads 1  isa avx2  device cpu\n"
      "median_ms 0.0815  p90_ms 0.0902  min_ms 0.0790\n"
      "arena_bytes 18432  lower_bound 16384  file_bytes 231112  peak_rss_kib 5120\n");
  EXPECT_DOUBLE_EQ(m.latency_ms, 0.0815);
  EXPECT_EQ(m.arena_bytes, 18432);
  EXPECT_EQ(m.file_bytes, 231112);
}

TEST(GuiDeploy, ExportBenchAndWriteBack) {
  test::TempDir tmp;
  write_run(tmp / "runs", finished_run("har", "p00", 0.9, 1000));
  const fs::path run = tmp / "runs" / "har" / "p00";
  const fs::path slimlab = tmp / "bin" / "slimlab", slimrt = tmp / "bin" / "slimrt-run";
  // export <run> --precision P --out FILE
  write_script(slimlab, "echo exporting \"$2\" at \"$4\"; printf 'SLIM' > \"$6\"\n");
  write_script(slimrt, "echo \"latency_ms: 0.5\"; echo \"arena_bytes: 2048\"\n");
  JobQueue q;
  q.kill_on_exit = true;
  DeployController d(q, slimlab, slimrt);
  q.on_done = [&](const Job& j) { d.on_job_done(j); };
  EXPECT_EQ(d.missing_tools(), "");
  std::string why;
  const int id = d.request("har/p00", run, "int8", false, &why);
  ASSERT_GT(id, 0) << why;
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));  // the bench job was queued by the export's completion
  const DeployRequest* r = d.latest_for("har/p00");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->step, "done") << r->message;
  const auto rec = exp::read_results(run / "results.h5");
  EXPECT_DOUBLE_EQ(rec.latency_ms, 0.5);
  EXPECT_EQ(rec.arena_bytes, 2048);
  EXPECT_EQ(rec.file_bytes, 4);  // the .slim file's size when the bench does not say
  EXPECT_EQ(rec.tags.at("slimrt_precision"), "int8");

  // Missing tools: a clear message, no job.
  DeployController none(q, tmp / "bin" / "nope", tmp / "bin" / "nope2");
  EXPECT_EQ(none.request("har/p00", run, "fp32", false, &why), 0);
  EXPECT_NE(why.find("slimrt-run not found"), std::string::npos) << why;
  // A failing export stops the request with the log named.
  write_script(slimlab, "echo 'no such precision' >&2; exit 2\n");
  ASSERT_GT(d.request("har/p00", run, "binary", false, &why), 0);
  ASSERT_TRUE(q.wait_all(std::chrono::seconds(20)));
  EXPECT_EQ(d.latest_for("har/p00")->step, "failed");
  EXPECT_NE(d.latest_for("har/p00")->message.find("deploy-binary.txt"), std::string::npos);
}
