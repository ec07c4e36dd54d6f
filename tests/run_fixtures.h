#pragma once
// Shared by the run-listing and GUI tests: a finished run record with one dense layer, writing
// it as a run folder, reading a file and writing a shell script.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "experiments/results.h"
#include "experiments/runs.h"
#include "test_util.h"

namespace slimlab::test {

inline exp::RunRecord finished_run(const std::string& experiment, const std::string& id, double acc, int64_t params,
                            const std::string& technique = "float") {
  exp::RunRecord r;
  r.experiment = experiment;
  r.run_id = id;
  r.status = "finished";
  r.started = "2024-05-01T10:00:00Z";
  r.dataset_source = "synthetic:har";
  r.model = "cnn1d";
  r.techniques = technique;
  r.num_classes = 2;
  r.class_names = {"a", "b"};
  r.input_shape = {3, 16};
  train::EpochMetrics m;
  m.epoch = 1;
  m.train_loss = 0.5;
  m.val_accuracy = acc;
  r.result.epochs = {m};
  r.result.best_epoch = 1;
  r.result.val.num_classes = r.result.test.num_classes = 2;
  r.result.val.confusion = {1, 0, 0, 1};
  r.result.test.confusion = {1, 0, 0, 1};
  r.result.test.accuracy = acc;
  r.result.val.accuracy = acc;
  train::LayerResources l;
  l.name = "fc";
  l.kind = "dense";
  l.precision = "fp32";
  l.output_shape = {params / 10};
  l.params = params;
  l.bytes = params * 4;
  l.macs = params;
  r.resources.layers = {l};
  r.resources.params = params;
  r.resources.bytes = params * 4;
  r.resources.macs = params;
  exp::LayerSummary s;
  s.name = "fc";
  s.kind = "dense";
  s.output_shape = {params / 10};
  s.params = params;
  s.precision = "fp32";
  r.graph = {s};
  return r;
}

inline void write_run(const std::filesystem::path& root, const exp::RunRecord& r) {
  const std::filesystem::path dir = root / r.experiment / r.run_id;
  exp::write_results(r, dir / "results.h5");
  write_text(dir / "status", r.status + "\n");
}

inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_script(const std::filesystem::path& p, const std::string& body) {
  write_text(p, "#!/bin/sh\n" + body);
  ::chmod(p.c_str(), 0755);
}


}  // namespace slimlab::test
