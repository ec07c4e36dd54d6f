// results.h5: a full round trip, failed runs, atomic replacement, and damaged or
// hostile files rejected with errors naming the file and the dataset.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "datasets/atomic_file.h"
#include "datasets/errors.h"
#include "experiments/results.h"
#include "h5_edit.h"
#include "test_util.h"

using namespace slimlab;
using namespace slimlab::exp;

namespace {

train::EvalMetrics metrics3(int64_t a, int64_t b) {
  train::EvalMetrics m;
  m.num_classes = 3;
  m.confusion = {a, 1, 0, 2, b, 1, 0, 0, a + b};
  m.samples = 0;
  for (int64_t c : m.confusion) m.samples += c;
  m.accuracy = double(2 * a + 2 * b) / double(m.samples);
  m.macro_f1 = 0.8125;
  m.loss = 0.375;
  return m;
}

RunRecord sample_record() {
  RunRecord r;
  r.experiment = "har";
  r.run_id = "20240501-p03-model.width=0.5";
  r.status = "finished";
  r.started = "2024-05-01T10:00:00Z";
  r.finished = "2024-05-01T10:05:00Z";
  r.git_commit = "0123456789abcdef";
  r.config_toml = "[model]\nname = \"cnn1d\"\n# ünïcode ✓\n" + std::string(70000, '#');  // > 64 KiB
  r.dataset_source = "synthetic:har";
  r.model = "cnn1d";
  r.techniques = "float";
  r.num_classes = 3;
  r.class_names = {"walk", "sit", "stand"};
  r.train_size = 100;
  r.val_size = 20;
  r.test_size = 30;
  r.input_shape = {6, 100};
  for (int e = 1; e <= 4; ++e) {
    train::EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.0 / e;
    m.train_accuracy = 0.5 + 0.1 * e;
    m.val_loss = 1.5 / e;
    m.val_accuracy = 0.4 + 0.1 * e;
    m.val_macro_f1 = 0.3 + 0.1 * e;
    m.lr = 1e-3 / e;
    m.seconds = 1.25 * e;
    m.samples_per_second = 1000 + e;
    m.data_wait_fraction = 0.01 * e;
    r.result.epochs.push_back(m);
  }
  r.result.best_epoch = 3;
  r.result.stopped_early = true;
  r.result.val = metrics3(5, 4);
  r.result.test = metrics3(8, 7);
  r.result.train_seconds = 12.5;
  r.graph = {{"input", "input", {}, {6, 100}, 0, "-"},
             {"conv1", "conv1d", {"input"}, {32, 96}, 992, "fp32"},
             {"fc", "dense", {"conv1", "input"}, {3}, 9219, "fixed<4,4>"}};
  r.base_graph = {{"conv1", "conv1d", {}, {64, 96}, 1984, "fp32"}};
  train::LayerResources a;
  a.name = "conv1";
  a.kind = "conv1d";
  a.precision = "fp32";
  a.output_shape = {32, 96};
  a.params = 992;
  a.bytes = 3968;
  a.macs = 92160;
  a.activation_bytes = 12288;
  train::LayerResources b = a;
  b.name = "fc";
  b.kind = "dense";
  b.output_shape = {3};
  b.params = 9219;
  b.bytes = 9219;
  b.macs = 9216;
  b.activation_bytes = 12;
  r.resources.layers = {a, b};
  r.resources.params = 10211;
  r.resources.bytes = 13187;
  r.resources.macs = 101376;
  r.resources.peak_activation_bytes = 12300;
  r.tags = {{"stage.0", "deepiot keep=0.25"}, {"note", "x"}};
  return r;
}

void expect_metrics_eq(const train::EvalMetrics& a, const train::EvalMetrics& b) {
  EXPECT_EQ(a.num_classes, b.num_classes);
  EXPECT_EQ(a.confusion, b.confusion);
  EXPECT_EQ(a.samples, b.samples);
  EXPECT_DOUBLE_EQ(a.accuracy, b.accuracy);
  EXPECT_DOUBLE_EQ(a.macro_f1, b.macro_f1);
  EXPECT_DOUBLE_EQ(a.loss, b.loss);
}

using Edit = test::H5Edit;

// read_results must fail with a DataError whose message holds the file and `needle`.
void expect_rejected(const std::filesystem::path& p, const std::string& needle) {
  try {
    read_results(p);
    ADD_FAILURE() << "accepted a bad file; expected: " << needle;
  } catch (const data::DataError& e) {
    EXPECT_EQ(e.file(), p.string());
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Results, RoundTrip) {
  test::TempDir dir;
  const RunRecord r = sample_record();
  const auto path = dir / "har" / "run" / "results.h5";
  write_results(r, path);
  const RunRecord b = read_results(path);
  EXPECT_EQ(b.dir, path.parent_path());
  EXPECT_EQ(b.experiment, r.experiment);
  EXPECT_EQ(b.run_id, r.run_id);
  EXPECT_EQ(b.status, r.status);
  EXPECT_EQ(b.started, r.started);
  EXPECT_EQ(b.finished, r.finished);
  EXPECT_EQ(b.git_commit, r.git_commit);
  EXPECT_EQ(b.config_toml, r.config_toml);
  EXPECT_EQ(b.dataset_source, r.dataset_source);
  EXPECT_EQ(b.model, r.model);
  EXPECT_EQ(b.techniques, r.techniques);
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(b.num_classes, 3);
  EXPECT_EQ(b.class_names, r.class_names);
  EXPECT_EQ(b.train_size, 100);
  EXPECT_EQ(b.val_size, 20);
  EXPECT_EQ(b.test_size, 30);
  EXPECT_EQ(b.input_shape, r.input_shape);
  ASSERT_EQ(b.result.epochs.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const auto& x = r.result.epochs[i];
    const auto& y = b.result.epochs[i];
    EXPECT_EQ(y.epoch, x.epoch);
    for (const CurveField& f : curve_fields()) EXPECT_DOUBLE_EQ(y.*f.member, x.*f.member) << f.name;
  }
  EXPECT_EQ(b.result.best_epoch, 3);
  EXPECT_TRUE(b.result.stopped_early);
  EXPECT_DOUBLE_EQ(b.result.train_seconds, 12.5);
  expect_metrics_eq(b.result.val, r.result.val);
  expect_metrics_eq(b.result.test, r.result.test);
  ASSERT_EQ(b.graph.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b.graph[i].name, r.graph[i].name);
    EXPECT_EQ(b.graph[i].kind, r.graph[i].kind);
    EXPECT_EQ(b.graph[i].inputs, r.graph[i].inputs);
    EXPECT_EQ(b.graph[i].output_shape, r.graph[i].output_shape);
    EXPECT_EQ(b.graph[i].params, r.graph[i].params);
    EXPECT_EQ(b.graph[i].precision, r.graph[i].precision);
  }
  ASSERT_EQ(b.base_graph.size(), 1u);  // the run's own model before its stages
  EXPECT_EQ(b.base_graph[0].output_shape, (std::vector<int64_t>{64, 96}));
  EXPECT_EQ(b.base_graph[0].params, 1984);
  ASSERT_EQ(b.resources.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& x = r.resources.layers[i];
    const auto& y = b.resources.layers[i];
    EXPECT_EQ(y.name, x.name);
    EXPECT_EQ(y.kind, x.kind);
    EXPECT_EQ(y.precision, x.precision);
    EXPECT_EQ(y.output_shape, x.output_shape);
    EXPECT_EQ(y.params, x.params);
    EXPECT_EQ(y.bytes, x.bytes);
    EXPECT_EQ(y.macs, x.macs);
    EXPECT_EQ(y.activation_bytes, x.activation_bytes);
  }
  EXPECT_EQ(b.resources.params, r.resources.params);
  EXPECT_EQ(b.resources.bytes, r.resources.bytes);
  EXPECT_EQ(b.resources.macs, r.resources.macs);
  EXPECT_EQ(b.resources.peak_activation_bytes, r.resources.peak_activation_bytes);
  EXPECT_TRUE(std::isnan(b.latency_ms));
  EXPECT_EQ(b.arena_bytes, -1);
  EXPECT_EQ(b.file_bytes, -1);
  EXPECT_EQ(b.tags, r.tags);
}

TEST(Results, FailedRunAndMeasurementsRoundTrip) {
  test::TempDir dir;
  RunRecord r;
  r.experiment = "x";
  r.run_id = "p00";
  r.status = "failed";
  r.error = "dataset.source: no such file\nsecond line";
  r.latency_ms = 0.75;
  r.arena_bytes = 4096;
  r.file_bytes = 12345;
  write_results(r, dir / "results.h5");
  const RunRecord b = read_results(dir / "results.h5");
  EXPECT_EQ(b.status, "failed");
  EXPECT_EQ(b.error, r.error);
  EXPECT_TRUE(b.result.epochs.empty());
  EXPECT_TRUE(b.graph.empty());
  EXPECT_TRUE(b.result.test.confusion.empty());
  EXPECT_EQ(b.techniques, "float");
  EXPECT_DOUBLE_EQ(b.latency_ms, 0.75);
  EXPECT_EQ(b.arena_bytes, 4096);
  EXPECT_EQ(b.file_bytes, 12345);
}

TEST(Results, WriteIsAtomicAndReplaces) {
  test::TempDir dir;
  RunRecord r = sample_record();
  write_results(r, dir / "results.h5");
  r.status = "failed";
  write_results(r, dir / "results.h5");
  EXPECT_EQ(read_results(dir / "results.h5").status, "failed");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "results.h5");  // no temporary left behind
  }
  EXPECT_EQ(files, 1);
  // A record the writer cannot represent is refused, and nothing is left.
  r.result.test.confusion.pop_back();
  EXPECT_THROW(write_results(r, dir / "other.h5"), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "other.h5"));
  RunRecord odd = sample_record();
  odd.status = "paused";
  EXPECT_THROW(write_results(odd, dir / "odd.h5"), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir / "odd.h5"));
}

TEST(Results, MissingTruncatedAndForeignFiles) {
  test::TempDir dir;
  expect_rejected(dir / "nope.h5", "no such file");
  test::write_text(dir / "text.h5", "not hdf5 at all");
  expect_rejected(dir / "text.h5", "not an HDF5 file");

  write_results(sample_record(), dir / "full.h5");
  std::ifstream in(dir / "full.h5", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 2000u);
  for (size_t keep : {bytes.size() / 2, size_t(1500), size_t(600)}) {
    const auto p = dir / ("cut" + std::to_string(keep) + ".h5");
    test::write_text(p, bytes.substr(0, keep));
    EXPECT_THROW(read_results(p), data::DataError) << keep;
  }

  // An HDF5 file that is not a results file.
  {
    hid_t f = H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
  }
  expect_rejected(dir / "other.h5", "not a SlimLab results file");
}

TEST(Results, InconsistentFilesAreRejectedNamingTheDataset) {
  test::TempDir dir;
  const auto fresh = [&](const std::string& name) {
    const auto p = dir / name;
    write_results(sample_record(), p);
    return p;
  };
  auto p = fresh("a.h5");
  Edit(p).put_doubles("curves/val_loss", {1, 2, 3, 4, 5});
  expect_rejected(p, "dataset 'curves/val_loss' has 5 values, expected 4");

  p = fresh("b.h5");
  Edit(p).put("metrics/test/confusion", {1, 2, 3, 4, 5, 6}, {2, 3});
  expect_rejected(p, "dataset 'metrics/test/confusion' is not 3×3");

  p = fresh("c.h5");
  Edit(p).put("graph/output_rank", {2, 2, 1000}, {3});
  expect_rejected(p, "graph/output_rank' holds a rank of 1000");

  p = fresh("d.h5");
  Edit(p).put("resources/output_shapes", {32, 96}, {2});
  expect_rejected(p, "dataset 'resources/output_shapes' has 2 values, expected 3");

  p = fresh("e.h5");
  Edit(p).attr("/", "slimlab_results_version", 99.0);
  expect_rejected(p, "results version");

  p = fresh("f.h5");
  Edit(p).attr("/", "status", std::string("hacked"));
  expect_rejected(p, "attribute 'status' is 'hacked'");

  p = fresh("g.h5");
  Edit(p).attr("/", "num_classes", 4.0);
  expect_rejected(p, "dataset 'class_names' has 3 names for 4 classes");

  p = fresh("h.h5");
  Edit(p).remove("curves/lr");
  expect_rejected(p, "missing dataset 'curves/lr'");

  p = fresh("i.h5");
  Edit(p).attr("/", "num_classes", 2.5);
  expect_rejected(p, "attribute 'num_classes' of '/' is 2.5");

  p = fresh("j.h5");
  Edit(p).put("resources/bytes", {-5, 3}, {2});
  expect_rejected(p, "dataset 'resources/bytes' holds -5");

  p = fresh("k.h5");
  Edit(p).put("metrics/val/confusion", {1, 0, 0, 0, 1, 0, 0, 0, -1}, {3, 3});
  expect_rejected(p, "metrics/val/confusion' holds a negative count");
}

TEST(Results, SummarizeGraph) {
  ir::Graph g;
  ir::Layer in;
  in.name = "input";
  in.kind = ir::LayerKind::kInput;
  in.output_shape = {4};
  ir::Layer fc;
  fc.name = "fc";
  fc.kind = ir::LayerKind::kDense;
  fc.inputs = {"input"};
  fc.output_shape = {2};
  fc.in_features = 4;
  fc.out_features = 2;
  fc.params = {ir::Param{"weight", {2, 4}, {}, true, {}}, ir::Param{"bias", {2}, {}, true, {}}};
  fc.params[1].format.precision = ir::Precision::kFixed;
  fc.params[1].format.fixed = {4, 4};
  g.layers = {in, fc};
  const auto s = summarize_graph(g);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].precision, "-");
  EXPECT_EQ(s[0].params, 0);
  EXPECT_EQ(s[1].name, "fc");
  EXPECT_EQ(s[1].kind, ir::to_string(ir::LayerKind::kDense));
  EXPECT_EQ(s[1].inputs, std::vector<std::string>{"input"});
  EXPECT_EQ(s[1].params, 10);
  EXPECT_EQ(s[1].precision, "mixed");
  fc.params[1].format = {};
  g.layers[1] = fc;
  EXPECT_EQ(summarize_graph(g)[1].precision, ir::to_string(ir::Precision::kFloat32));
}

TEST(Results, Iso8601Now) {
  const std::string t = iso8601_now();
  ASSERT_EQ(t.size(), 20u);
  EXPECT_EQ(t[4], '-');
  EXPECT_EQ(t[10], 'T');
  EXPECT_EQ(t.back(), 'Z');
}

// Untrusted HDF5 (datasets/h5_guard.h): every results.h5 is read first in a forked
// child. With the fault plan `fault` active in that child, reading a good results.h5
// must be a DataError naming the file and containing `want`; without it, the same
// file reads normally and no HDF5 object is left open.
void expect_probe_failure(const std::string& fault, const std::string& want) {
  test::TempDir dir;
  RunRecord finished = sample_record();
  finished.run_id = "p00";
  write_results(finished, dir / "results.h5");
  data::set_fault_plan(fault);
  try {
    read_results(dir / "results.h5");
    ADD_FAILURE() << "the read was accepted under fault plan " << fault;
  } catch (const data::DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find((dir / "results.h5").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
  }
  data::set_fault_plan("");
  EXPECT_EQ(read_results(dir / "results.h5").run_id, "p00");
  EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

// A child that dies inside the HDF5 library (here: killed at the fault point
// "h5:probe", as a SEGV in libhdf5 would kill it): this process never opens the file.
TEST(Results, CrashWhileReadingIsAnErrorNamingTheFile) {
  expect_probe_failure("h5:probe", "crashed the HDF5 library (signal 9");
}

// A read that never ends (libhdf5 looping on a crafted file; here the child hangs at
// the fault point) is killed at the probe's deadline: a DataError naming the file and
// the limit, never a hung process. CI's fuzz round met such a hang in results_h5.
TEST(Results, HungReadIsAnErrorAtTheDeadline) {
  ::setenv("SLIMLAB_H5_PROBE_SECONDS", "1", 1);
  expect_probe_failure("h5:probe=hang", "did not finish in 1 s");
  ::unsetenv("SLIMLAB_H5_PROBE_SECONDS");
}

// The child's own clean errors come back unchanged (the file and dataset named).
TEST(Results, ErrorsFromTheIsolatedReadKeepTheirMessage) {
  test::TempDir dir;
  std::ofstream(dir / "results.h5") << "not hdf5 at all";
  try {
    read_results(dir / "results.h5");
    ADD_FAILURE() << "accepted";
  } catch (const data::DataError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "results.h5").string() + ": not an HDF5 file");
  }
}

