// Run listings: finished, running, failed and unreadable run folders; the text
// table; numeric columns; `runs show` details.
#include <gtest/gtest.h>

#include <cmath>

#include "experiments/runs.h"
#include "run_fixtures.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::exp;

namespace {

// run_fixtures.h's finished run, made an HMP run of 3 epochs (75.2 s) with one conv layer.
RunRecord finished(const std::string& exp, const std::string& id, double acc, int64_t params) {
  RunRecord r = test::finished_run(exp, id, acc, params);
  r.dataset_source = "hmp:/data/shared/datasets/hmp";
  r.graph.clear();
  r.class_names = {"Walk", "Sit_down"};
  r.train_size = 10;
  r.val_size = 4;
  r.test_size = 6;
  r.input_shape = {3, 160};
  r.result.epochs.clear();
  for (int e = 1; e <= 3; ++e) {
    train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.0 / e;
    m.val_accuracy = 0.5 + 0.1 * e;
    m.seconds = 20;
    r.result.epochs.push_back(m);
  }
  r.result.best_epoch = 3;
  r.result.train_seconds = 75.2;
  r.result.val = {};
  r.result.val.num_classes = 2;
  r.result.val.confusion = {2, 0, 1, 1};
  r.result.val.samples = 4;
  r.result.val.accuracy = 0.75;
  r.result.test.confusion = {3, 1, 0, 2};
  r.result.test.samples = 6;
  r.result.test.macro_f1 = 0.8;
  train::LayerResources& l = r.resources.layers.at(0);
  l.name = "conv1";
  l.kind = "conv1d";
  l.output_shape = {64, 156};
  l.macs = r.resources.macs = params * 156;
  r.config_toml = "[model]\nname = \"cnn1d\"\n";
  return r;
}

}  // namespace

TEST(Runs, MissingRootIsEmpty) { EXPECT_TRUE(list_runs("/nonexistent/slimlab/runs").empty()); }

TEST(Runs, ListsEveryKindOfRunFolder) {
  test::TempDir root;
  write_results(finished("har", "p00", 0.9, 1000), root / "har" / "p00" / "results.h5");
  test::write_text(root / "har" / "p00" / "status", "finished\n");

  // Running: status, config and the epochs so far (the last line is being written).
  test::write_text(root / "har" / "p01" / "status", "running\n");
  test::write_text(root / "har" / "p01" / "config.toml",
                   "[dataset]\nsource = \"synthetic:har\"\n[model]\nname = \"deepsense\"\n");
  test::write_text(root / "har" / "p01" / "curves.csv",
                   "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,seconds,samples_per_second,"
                   "data_wait_fraction\n1,0.9,0.5,1.0,0.4,0.3,0.001,2.5,1000,0.01\n"
                   "2,0.7,0.6,0.9,0.5,0.4,0.001,2.5,1100,0.01\n3,0.5,0.");
  // Resumed after a failure: the old results.h5 says failed, the status file says running.
  RunRecord old = finished("har", "p02", 0.5, 10);
  old.status = "failed";
  write_results(old, root / "har" / "p02" / "results.h5");
  test::write_text(root / "har" / "p02" / "status", "running\n");

  test::write_text(root / "kws" / "r1" / "status", "failed: dataset.source: no such file\n");
  test::write_text(root / "kws" / "r2" / "results.h5", "garbage");
  std::filesystem::create_directories(root / "kws" / "empty");
  test::write_text(root / "stray.txt", "not a folder");

  const auto runs = list_runs(root.path());
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[0].run_id, "p00");
  EXPECT_EQ(runs[0].status, "finished");
  EXPECT_DOUBLE_EQ(runs[0].result.test.accuracy, 0.9);
  EXPECT_EQ(runs[0].dir, root / "har" / "p00");

  EXPECT_EQ(runs[1].run_id, "p01");
  EXPECT_EQ(runs[1].status, "running");
  EXPECT_EQ(runs[1].experiment, "har");
  EXPECT_EQ(runs[1].model, "deepsense");
  EXPECT_EQ(runs[1].dataset_source, "synthetic:har");
  ASSERT_EQ(runs[1].result.epochs.size(), 2u);
  EXPECT_EQ(runs[1].result.epochs[1].epoch, 2);
  EXPECT_DOUBLE_EQ(runs[1].result.epochs[1].val_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(runs[1].result.epochs[1].samples_per_second, 1100);

  EXPECT_EQ(runs[2].run_id, "p02");
  EXPECT_EQ(runs[2].status, "running");

  EXPECT_EQ(runs[3].experiment, "kws");
  EXPECT_EQ(runs[3].run_id, "r1");
  EXPECT_EQ(runs[3].status, "failed");
  EXPECT_EQ(runs[3].error, "dataset.source: no such file");

  EXPECT_EQ(runs[4].run_id, "r2");
  EXPECT_EQ(runs[4].status, "unreadable");
  EXPECT_NE(runs[4].error.find("not an HDF5 file"), std::string::npos);
}

// The status file says how a run ended, also over a results.h5 of an earlier attempt:
// the launcher writes it when a run was killed (issue #15).
TEST(Runs, StatusFileSaysHowARunEnded) {
  test::TempDir root;
  write_results(finished("har", "killed", 0.9, 1000), root / "har" / "killed" / "results.h5");
  test::write_text(root / "har" / "killed" / "status", "failed: killed by signal 9 (SIGKILL — out of memory?)\n");
  test::write_text(root / "har" / "stopped" / "status", "cancelled: cancelled from the GUI\n");
  // "running" with a free lock: its process is gone without a word.
  test::write_text(root / "har" / "gone" / "status", "running\n");
  test::write_text(root / "har" / "gone" / "lock", "12345\n");
  const auto runs = list_runs(root.path());
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].run_id, "gone");
  EXPECT_EQ(runs[0].status, "failed");
  EXPECT_NE(runs[0].error.find("without a final status"), std::string::npos) << runs[0].error;
  EXPECT_EQ(runs[1].run_id, "killed");
  EXPECT_EQ(runs[1].status, "failed");
  EXPECT_EQ(runs[1].error, "killed by signal 9 (SIGKILL — out of memory?)");
  EXPECT_EQ(runs[1].result.epochs.size(), 3u);  // what results.h5 knew
  EXPECT_EQ(runs[2].status, "cancelled");
  EXPECT_EQ(runs[2].error, "cancelled from the GUI");
  const std::string table = runs_table(runs);
  EXPECT_NE(table.find("cancelled"), std::string::npos) << table;
}

// `time` and `epochs` count the stages too (issue #20): base training + each stage's
// seconds, base epochs + the stages' fine-tuning epochs.
TEST(Runs, TimeAndEpochsIncludeTheStages) {
  RunRecord r = finished("har", "p00", 0.9, 1000);  // 3 epochs, 75.2 s
  std::vector<std::string> cols = {"run", "epochs", "time"};
  EXPECT_NE(runs_table({r}, cols).find("3  1m15s"), std::string::npos) << runs_table({r}, cols);
  compress::StageRecord deepiot;
  deepiot.type = "deepiot";
  deepiot.metrics["seconds"] = 20.0;
  deepiot.tables["fine_tune"].columns = {"epoch", "train_loss"};
  deepiot.tables["fine_tune"].rows = {{1, 0.5}, {2, 0.4}};
  deepiot.tables["kept_units"].columns = {"kept", "original"};  // not epochs
  deepiot.tables["kept_units"].rows = {{3, 8}};
  compress::StageRecord fixed;
  fixed.type = "fixed_point";
  fixed.metrics["seconds"] = 2.8;
  r.stages = {deepiot, fixed};
  const std::string t = runs_table({r}, cols);
  EXPECT_NE(t.find("3+2  1m38s"), std::string::npos) << t;
}

TEST(Runs, StatusText) {
  EXPECT_EQ(parse_status_text("running\n"), (std::pair<std::string, std::string>{"running", ""}));
  EXPECT_EQ(parse_status_text("finished"), (std::pair<std::string, std::string>{"finished", ""}));
  EXPECT_EQ(parse_status_text("failed: out of memory\r\n"),
            (std::pair<std::string, std::string>{"failed", "out of memory"}));
  EXPECT_EQ(parse_status_text("failed: a: b\nmore\n"), (std::pair<std::string, std::string>{"failed", "a: b\nmore"}));
}

TEST(Runs, TableIsAlignedWithShortUnits) {
  RunRecord running;
  running.experiment = "har";
  running.run_id = "p09";
  running.status = "running";
  running.model = "deepsense";
  const std::vector<RunRecord> runs = {finished("har", "p00", 0.9123, 12345), finished("har", "p01-long-id", 0.5, 800),
                                       running};
  const std::string t = runs_table(runs);
  std::vector<std::string> lines;
  std::stringstream ss(t);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5u);  // header, rule, three runs
  EXPECT_EQ(lines[0].find("experiment"), 0u);
  EXPECT_EQ(lines[1].find_first_not_of("- "), std::string::npos);
  EXPECT_NE(lines[2].find("91.23%"), std::string::npos);
  EXPECT_NE(lines[2].find("12.3k"), std::string::npos);   // params
  EXPECT_NE(lines[2].find("48.2 KiB"), std::string::npos);  // bytes = 4 × 12345
  EXPECT_NE(lines[2].find("1.93M"), std::string::npos);   // MACs = 156 × 12345
  EXPECT_NE(lines[2].find("1m15s"), std::string::npos);
  EXPECT_NE(lines[2].find("hmp:hmp"), std::string::npos);
  EXPECT_NE(lines[3].find("800"), std::string::npos);
  // Numbers are right-aligned: every row's params cell ends where the header does.
  const size_t end = lines[0].find("params") + std::string("params").size();
  for (size_t i = 2; i < lines.size(); ++i) {
    ASSERT_GT(lines[i].size(), end) << lines[i];
    EXPECT_NE(lines[i][end - 1], ' ') << lines[i];
    EXPECT_EQ(lines[i][end], ' ') << lines[i];
  }
  // The running run has no accuracy yet.
  EXPECT_NE(lines[4].find("running"), std::string::npos);
  EXPECT_NE(lines[4].find(" - "), std::string::npos);

  const std::string narrow = runs_table(runs, {"run", "test_acc", "latency_ms", "git"});
  EXPECT_EQ(narrow.substr(0, narrow.find('\n')), "run          test_acc  latency_ms  git");
  try {
    runs_table(runs, {"run", "accuracy"});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown column 'accuracy' (valid: experiment, run,"), std::string::npos);
  }
}

TEST(Runs, NumericValues) {
  const RunRecord r = finished("har", "p00", 0.9, 1000);
  EXPECT_EQ(numeric_value(r, "params"), 1000.0);
  EXPECT_EQ(numeric_value(r, "bytes"), 4000.0);
  EXPECT_EQ(numeric_value(r, "macs"), 156000.0);
  EXPECT_EQ(numeric_value(r, "test_accuracy"), 0.9);
  EXPECT_EQ(numeric_value(r, "val_accuracy"), 0.75);
  EXPECT_EQ(numeric_value(r, "epochs"), 3.0);
  EXPECT_FALSE(numeric_value(r, "latency_ms").has_value());  // not measured
  EXPECT_FALSE(numeric_value(r, "arena_bytes").has_value());
  RunRecord running = r;
  running.status = "running";
  EXPECT_FALSE(numeric_value(running, "test_accuracy").has_value());
  for (const auto& c : numeric_columns()) EXPECT_NO_THROW(numeric_value(r, c)) << c;
  EXPECT_THROW(numeric_value(r, "accuracy"), std::invalid_argument);
}

TEST(Runs, Details) {
  RunRecord r = finished("har", "p00", 0.9, 1000);
  r.tags["stage.0"] = "deepiot";
  const std::string d = run_details(r);
  for (const char* needle : {"har/p00", "finished (started 2024-05-01T10:00:00Z)", "2 classes, train 10 / val 4 / test 6",
                             "input [3, 160]", "Curves", "Confusion matrix (test", "Walk", "Sit_down", "75.00%",
                             "Layers", "conv1", "[64, 156]", "total", "Configuration", "name = \"cnn1d\"", "deepiot"})
    EXPECT_NE(d.find(needle), std::string::npos) << needle << "\n" << d;
  // The confusion row of class 0 ("Walk") on the test split: 3 right, 1 wrong.
  EXPECT_NE(d.find("0  Walk      3  1"), std::string::npos) << d;
  RunRecord failed;
  failed.experiment = "x";
  failed.run_id = "y";
  failed.status = "failed";
  failed.error = "boom";
  EXPECT_NE(run_details(failed).find("error    boom"), std::string::npos) << run_details(failed);
}

TEST(Runs, ShortForms) {
  EXPECT_EQ(short_count(950), "950");
  EXPECT_EQ(short_count(12345), "12.3k");
  EXPECT_EQ(short_count(1.5e6), "1.5M");
  EXPECT_EQ(short_count(2e9), "2G");
  EXPECT_EQ(short_bytes(1000), "1000 B");
  EXPECT_EQ(short_bytes(1536), "1.5 KiB");
  EXPECT_EQ(short_bytes(3 * 1024.0 * 1024), "3 MiB");
  EXPECT_EQ(short_duration(5.25), "5.2s");
  EXPECT_EQ(short_duration(75.2), "1m15s");
  EXPECT_EQ(short_duration(7300), "2h01m");
}
