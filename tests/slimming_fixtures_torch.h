#pragma once
// Shared by the structural-compression tests (DeepIoT, pruning, low rank, slimmable):
// a small learnable synthetic task and a StageContext around a model, so a stage can
// be run directly without the runner.
#include <torch/torch.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "compress/stage_torch.h"
#include "datasets/pipeline.h"
#include "test_util.h"
#include "train/graph_module.h"
#include "train/model.h"
#include "train/model_factory.h"

namespace slimlab::test {

// [1, 8, 10] patches; the class is the argmax of four fixed random projections.
inline data::PreparedData projection_task(size_t n_train, size_t n_val, uint32_t seed = 9) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  std::vector<float> proj(4 * 80);
  for (float& v : proj) v = nd(rng);
  auto fill = [&](data::ArraySet& s, size_t n) {
    s.sample_shape = {1, 8, 10};
    s.class_names = {"a", "b", "c", "d"};
    for (size_t i = 0; i < n; ++i) {
      std::vector<float> x(80);
      for (float& v : x) v = nd(rng);
      int best = 0;
      double best_v = -1e9;
      for (int k = 0; k < 4; ++k) {
        double d = 0;
        for (int j = 0; j < 80; ++j) d += proj[size_t(k * 80 + j)] * x[size_t(j)];
        if (d > best_v) best_v = d, best = k;
      }
      s.values.insert(s.values.end(), x.begin(), x.end());
      s.labels.push_back(best);
    }
  };
  data::PreparedData d;
  fill(d.train, n_train);
  fill(d.val, n_val);
  fill(d.test, n_val);
  d.source.class_names = {"a", "b", "c", "d"};
  return d;
}

inline train::ModelConfig model_config(const std::string& name, double width = 1.0) {
  train::ModelConfig cfg;
  cfg.name = name;
  cfg.width = width;
  cfg.dropout = 0;
  cfg.input_shape = {1, 8, 10};
  cfg.num_classes = 4;
  cfg.hidden_units = 32;
  cfg.conv_filters = 16;
  return cfg;
}

// A stage context for `type` with its defaults, `overrides` applied, on a fresh model.
struct StageRun {
  TempDir tmp;
  data::PreparedData data;
  compress::StageRecord record;
  compress::StageContext ctx;

  StageRun(const std::string& type, const std::map<std::string, std::string>& overrides, const std::string& model,
           size_t n_train = 384) {
    data = projection_task(n_train, 128);
    const train::ModelConfig mc = model_config(model);
    torch::manual_seed(3);
    ctx.model = train::make_model(mc);
    ctx.data = &data;
    ctx.train.optimizer = "adam";
    ctx.train.lr = 3e-3;
    ctx.train.epochs = 3;
    ctx.train.batch_size = 32;
    ctx.train.threads = 1;
    ctx.model_config = mc;
    std::map<std::string, std::string> values;
    const compress::StageDescription* d = compress::find_stage_description(type);
    if (d)
      for (const compress::StageKey& k : d->keys) values[k.name] = k.default_value;
    for (const auto& [k, v] : overrides) values[k] = v;
    ctx.params = compress::StageParams(type, 0, values);
    ctx.dir = tmp / "stage";
    std::filesystem::create_directories(ctx.dir);
    ctx.run_dir = tmp.path();
    ctx.runs_root = tmp.path();
    ctx.log = [](const std::string&) {};
    record.type = type;
    ctx.record = &record;
  }

  // Trains the base model for its epochs (so the stage starts from something learnt).
  void train_base() { compress::fine_tune(ctx, ctx.train, {}, "base"); }
  void run() { compress::make_stage(ctx.params.type())->run(ctx); }
  int64_t params() const {
    int64_t n = 0;
    for (const auto& p : ctx.model->parameters()) n += p.numel();
    return n;
  }
};

}  // namespace slimlab::test
