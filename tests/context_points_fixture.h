#pragma once
// A .slim with operating points without training: three widths (0.25, 0.5, 1) of a
// DeepEar DNN with random weights, sliced by compress/slimmable and exported together;
// the stored accuracies rank wider as more accurate (0.25, 0.5, 1). And a run folder
// that `slimlab simulate-context` accepts: config.toml (small synthetic HAR) with
// model-points-fp32.slim over its sample shape — used by the engine's, the CLI's and
// the GUI's tests of simulate-context.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "compress/slimmable/slimmable.h"
#include "datasets/pipeline.h"
#include "deploy/export/points.h"
#include "experiments/experiment.h"
#include "test_util.h"
#include "train/models/models.h"

namespace slimlab::test {

inline deploy::PointsExport random_width_points(const std::vector<int64_t>& input_shape, int num_classes) {
  train::ModelConfig c;
  c.name = "deepear_dnn";
  c.input_shape = input_shape;
  c.num_classes = num_classes;
  c.hidden_units = 32;
  ir::Graph g = train::model_graph(c);
  std::mt19937_64 rng(9);
  std::normal_distribution<float> n(0, 0.3f);
  for (ir::Layer& l : g.layers)
    for (ir::Param& p : l.params) {
      p.data.resize(size_t(p.numel()));
      for (float& v : p.data) v = n(rng);
    }
  std::vector<deploy::PointInput> in;
  for (double w : {0.25, 0.5, 1.0}) {
    deploy::PointInput p;
    p.name = "w" + std::to_string(int(w * 100));
    p.width = w;
    p.graph = compress::slimmable::slice(g, w);
    p.accuracy = w;  // the policy's ranking: wider is more accurate
    in.push_back(std::move(p));
  }
  return deploy::export_points(in, {});
}

// n samples of N(0, 0.3) values, labels cycling through the classes.
inline data::ArraySet random_test_set(const std::vector<int64_t>& shape, int n, int num_classes) {
  data::ArraySet t;
  t.sample_shape = shape;
  int64_t per = 1;
  for (int64_t d : shape) per *= d;
  std::mt19937 r{3};
  std::normal_distribution<float> v(0, 0.3f);
  for (int i = 0; i < n; ++i) {
    for (int64_t k = 0; k < per; ++k) t.values.push_back(v(r));
    t.labels.push_back(int32_t(i % num_classes));
  }
  return t;
}

// <dir>/config.toml and <dir>/model-points-fp32.slim; returns the test samples' count.
inline size_t write_points_run(const std::filesystem::path& dir) {
  write_text(dir / "config.toml",
             "[dataset]\nsource = \"synthetic:har\"\nsynthetic_scale = 0.1\nsynthetic_subjects = 6\n"
             "[model]\nname = \"cnn1d\"\n[train]\nepochs = 1\n");
  const exp::Experiment e = exp::load_experiment(dir / "config.toml");
  const data::PreparedData d = data::prepare(e.dataset);
  const deploy::PointsExport x = random_width_points(d.test.sample_shape, int(d.source.class_names.size()));
  write_bytes(dir / "model-points-fp32.slim", x.bytes);
  return d.test.size();
}

// A stand-in for `slimlab` in the GUI's tests: `export RUN …` writes RUN/model-points-fp32.slim;
// `simulate-context … --csv R --summary-csv S` writes kFakeRows / kFakeSummary there, or
// with a --trace file whose name contains "bad" fails as slimlab would (exit 1); "slow"
// sleeps 30 s first (to be cancelled).
inline constexpr const char* kFakeRows =
    "row,trace_level,budget_energy_uj,cost_energy_uj,point,point_name,correct,spent_uj\n"
    "0,1,4,4,2,w100,1,4\n1,0.75,3.25,2,1,w50,0,2\n2,0.5,2.5,2,1,w50,1,2\n3,0.25,1.75,1,0,w25,1,1\n"
    "4,0,0.5,1,0,w25,0,1\n";
inline constexpr const char* kFakeSummary =
    "policy,point,accuracy,energy_uj,uj_per_inference,rows\nadaptive,,0.6,10,2,5\nfixed,w25,0.4,5,1,2\n"
    "fixed,w50,0.6,10,2,2\nfixed,w100,0.8,20,4,1\n";
inline void write_fake_simulate(const std::filesystem::path& exe) {
  write_text(exe, std::string("#!/bin/sh\n") +
                      "if [ \"$1\" = export ]; then printf SLIM > \"$2/model-points-fp32.slim\"; exit 0; fi\n"
                      "echo \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
                      "while [ $# -gt 0 ]; do\n"
                      "  case \"$1\" in\n"
                      "    --csv) rows=\"$2\";;\n"
                      "    --summary-csv) sum=\"$2\";;\n"
                      "    --trace) case \"$2\" in *bad*) echo \"slimlab: error: $2:3: level '1.5' is not a level in "
                      "[0, 1]\" >&2; exit 1;; *slow*) sleep 30;; esac;;\n"
                      "  esac\n  shift\ndone\n"
                      "echo 'rebuilding the test data'\n"
                      "printf '%s' '" + std::string(kFakeRows) + "' > \"$rows\"\n"
                      "printf '%s' '" + std::string(kFakeSummary) + "' > \"$sum\"\n");
  std::filesystem::permissions(exe, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
}

}  // namespace slimlab::test
