// run_one: data → model → trainer → results.h5, for one resolved experiment.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "datasets/cache.h"
#include "experiments/runner.h"
#include "train/distributed.h"
#include "train/model_factory.h"
#include "train/resources.h"
#include "train/trainer.h"

namespace slimlab::exp {

namespace fs = std::filesystem;

namespace {

// Writes `text` to `path` through a temporary file and a rename.
void write_atomic(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error(path.string() + ": cannot write");
  }
  fs::rename(tmp, path);
}

// The cache file for a dataset configuration: one file per distinct set of
// parameters, so experiments with different preprocessing do not evict each other.
fs::path cache_path(const Experiment& e) {
  const data::SourceSpec spec = data::parse_source(e.dataset.source);
  std::string key;
  for (const auto& [k, v] : e.dataset.describe(data::Modality::kHar)) key += k + "=" + v + ";";
  for (const auto& [k, v] : e.dataset.describe(data::Modality::kAudio)) key += k + "=" + v + ";";
  for (const auto& [k, v] : e.dataset.describe(data::Modality::kVision)) key += k + "=" + v + ";";
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  char name[64];
  std::snprintf(name, sizeof name, "%s-%016llx.h5", spec.format.c_str(), static_cast<unsigned long long>(h));
  return fs::path(e.dataset_cache_dir) / name;
}

std::string csv_header() {
  return "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,lr,seconds,samples_per_second,"
         "data_wait_fraction\n";
}
std::string csv_line(const train::EpochMetrics& m) {
  std::ostringstream s;
  s << std::setprecision(8) << m.epoch << ',' << m.train_loss << ',' << m.train_accuracy << ',' << m.val_loss << ','
    << m.val_accuracy << ',' << m.val_macro_f1 << ',' << m.lr << ',' << m.seconds << ',' << m.samples_per_second << ','
    << m.data_wait_fraction << '\n';
  return s.str();
}

// Lines to both the terminal (unless quiet) and log.txt.
class RunLog {
 public:
  RunLog(const fs::path& file, bool quiet) : file_(file, std::ios::app), quiet_(quiet) {}
  void line(const std::string& s) {
    file_ << s << '\n' << std::flush;
    if (!quiet_) std::cout << s << '\n' << std::flush;
  }
  std::ostream& file() { return file_; }

 private:
  std::ofstream file_;
  bool quiet_;
};

}  // namespace

RunRecord run_one(const Experiment& e, const RunOptions& o) {
  const fs::path dir = run_dir(o, e.name);
  const bool leader = o.rank == 0;
  if (leader) fs::create_directories(dir / "checkpoints");
  RunRecord rec;
  rec.experiment = e.name;
  rec.run_id = o.run_id;
  rec.started = iso8601_now();
  rec.git_commit = git_commit();
  rec.config_toml = e.toml_text;
  rec.dataset_source = e.dataset.source;
  rec.model = e.model.name;
  rec.techniques = "float";
  rec.dir = dir;
  if (!leader) fs::create_directories(dir);
  RunLog log(dir / (leader ? "log.txt" : "log.rank" + std::to_string(o.rank) + ".txt"), o.quiet || !leader);
  try {
    if (leader) {
      write_atomic(dir / "config.toml", e.toml_text);
      write_atomic(dir / "status", "running\n");
      if (!o.resume || !fs::exists(dir / "curves.csv")) write_atomic(dir / "curves.csv", csv_header());
    }
    log.line("run " + e.name + "/" + o.run_id + " (" + e.model.name + " on " + e.dataset.source + ")");

    // 1. Data (from the HDF5 cache when it matches).
    data::PreparedData d;
    if (e.dataset_cache) {
      std::string why;
      d = data::load_or_build(e.dataset, cache_path(e), &why);
      log.line("data: " + why);
    } else {
      d = data::prepare(e.dataset);
    }
    const std::string modality = data::to_string(d.source.modality);
    if (train::model_modality(e.model.name) != modality)
      throw std::invalid_argument("model." + std::string("name") + ": '" + e.model.name + "' is a " +
                                  train::model_modality(e.model.name) + " model but dataset.source '" +
                                  e.dataset.source + "' is " + modality + " data");
    log.line("data: train " + std::to_string(d.train.size()) + " / val " + std::to_string(d.val.size()) +
             " / test " + std::to_string(d.test.size()) + " samples of " +
             data::shape_to_string(d.train.sample_shape) + ", " + std::to_string(d.source.class_names.size()) +
             " classes, split " + d.split_method);
    rec.num_classes = int64_t(d.source.class_names.size());
    rec.class_names = d.source.class_names;
    rec.train_size = int64_t(d.train.size());
    rec.val_size = int64_t(d.val.size());
    rec.test_size = int64_t(d.test.size());
    rec.input_shape = d.train.sample_shape;

    // 2. Model.
    train::ModelConfig mc = e.model;
    mc.input_shape = d.train.sample_shape;
    mc.num_classes = rec.num_classes;
    train::SlimModel model = train::make_model(mc);

    // 3. Train.
    train::TrainConfig tc = e.train;
    tc.world_size = o.world_size;
    tc.rank = o.rank;
    tc.master = o.master;
    train::ProgressReporter progress(std::cout, train::stdout_is_terminal());
    train::Trainer trainer(tc, model, d, leader ? dir / "checkpoints" : fs::path(),
                           (o.quiet || !leader) ? nullptr : &progress);
    trainer.on_log = [&log](const std::string& s) { log.line(s); };
    trainer.on_epoch = [&](const train::EpochMetrics& m) {
      std::ofstream(dir / "curves.csv", std::ios::app) << csv_line(m);
      std::ostringstream s;
      s << std::fixed << std::setprecision(4) << "epoch " << m.epoch << ": loss " << m.train_loss << ", acc "
        << m.train_accuracy << ", val loss " << m.val_loss << ", val acc " << m.val_accuracy << ", lr " << m.lr
        << std::setprecision(1) << ", " << m.samples_per_second << " samples/s";
      log.file() << s.str() << '\n' << std::flush;
    };
    rec.result = trainer.fit(o.resume);

    // 4. Describe and count the trained model.
    const ir::Graph g = model->graph(false);
    rec.graph = summarize_graph(g);
    rec.resources = train::profile(g);
    rec.status = "finished";
    rec.finished = iso8601_now();
    if (leader) {
      write_results(rec, dir / "results.h5");
      write_atomic(dir / "status", "finished\n");
    }
    std::ostringstream s;
    s << std::fixed << std::setprecision(4) << "done: val accuracy " << rec.result.val.accuracy
      << ", test accuracy " << rec.result.test.accuracy << ", test macro-F1 " << rec.result.test.macro_f1 << ", "
      << rec.resources.params << " parameters, " << rec.resources.macs << " MACs (" << (dir / "results.h5").string()
      << ")";
    log.line(s.str());
    return rec;
  } catch (const std::exception& ex) {
    if (leader) {
      rec.status = "failed";
      rec.error = ex.what();
      rec.finished = iso8601_now();
      try {
        write_results(rec, dir / "results.h5");
        write_atomic(dir / "status", std::string("failed: ") + ex.what() + "\n");
      } catch (...) {
        // Keep the original error.
      }
    }
    log.file() << "error: " << ex.what() << '\n' << std::flush;
    throw;
  }
}

int launch_local_workers(int nproc, const std::vector<std::string>& argv_without_nproc) {
  return train::launch_local_workers(nproc, argv_without_nproc);
}

}  // namespace slimlab::exp
