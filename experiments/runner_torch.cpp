// run_one: data → model → trainer → compression stages → model.h5 + results.h5,
// for one resolved experiment.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "compress/stage_torch.h"
#include "datasets/cache.h"
#include "deploy/export/measure.h"
#include "experiments/run_lock.h"
#include "experiments/runner.h"
#include "experiments/stages.h"
#include "import/onnx_model.h"
#include "train/distributed.h"
#include "train/graph_io.h"
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

train::EvalMetrics evaluate_model(const train::TrainConfig& tc, const train::SlimModel& model,
                                  const data::PreparedData& d, const data::ArraySet& set) {
  if (set.size() == 0) return {};
  train::TrainConfig c = tc;
  c.world_size = 1;
  c.rank = 0;
  train::Trainer t(c, model, d);
  return t.evaluate(set);
}

// [export]: the final model as <run>/model.slim, measured in slimrt (file and arena
// bytes, batch-1 latency, accuracy on the test split). A failed export fails the run
// (std::runtime_error saying why); the trained model stays in model.h5.
template <class Log>
void export_to_slimrt(const Experiment& e, const data::PreparedData& d, const ir::Graph& g, const fs::path& dir,
                      RunRecord& rec, Log& log) {
  try {
    deploy::ExportOptions xo;
    xo.precision = deploy::parse_export_precision(e.export_.precision);
    xo.class_names = d.test.class_names;
    xo.norm_mean = d.normalization.mean;
    xo.norm_std = d.normalization.stddev;
    xo.source_run = rec.experiment + "/" + rec.run_id;
    xo.accuracy = rec.result.test.accuracy;
    // int8 / int16 of a float model: post-training calibration on the training split.
    xo.calibration = d.train.values.data();
    xo.calibration_samples = int64_t(d.train.size());
    const auto m = deploy::export_and_measure(g, xo, dir / "model.slim", d.test, 100, 2000);
    rec.latency_ms = m.median_ms;
    rec.arena_bytes = m.arena_bytes;
    rec.file_bytes = m.file_bytes;
    rec.tags["slimrt_precision"] = e.export_.precision;
    rec.tags["slimrt_accuracy"] = std::to_string(m.accuracy);
    rec.tags["slimrt_test_samples"] = std::to_string(m.samples);
    rec.tags["slimrt_p90_ms"] = std::to_string(m.p90_ms);
    if (m.quantized_at_export) rec.tags["slimrt_quantized_at_export"] = "1";
    for (const auto& n : m.notes) log.line("export: " + n);
    std::ostringstream s;
    s << "export (" << e.export_.precision << "): " << (dir / "model.slim").string() << ", " << m.file_bytes
      << " bytes, arena " << m.arena_bytes << " bytes, " << m.median_ms << " ms median, slimrt test accuracy "
      << m.accuracy;
    log.line(s.str());
  } catch (const std::exception& ex) {
    rec.tags["export_error"] = ex.what();
    throw std::runtime_error("export (" + e.export_.precision + ") failed: " + ex.what() +
                             " (the trained model is in " + (dir / "model.h5").string() + ")");
  }
  if (!fs::exists(dir / "model.slim"))
    throw std::runtime_error("export (" + e.export_.precision + ") wrote no " + (dir / "model.slim").string());
}

// The run's data (from the HDF5 cache when it matches), described in the log and
// in the record.
data::PreparedData load_data(const Experiment& e, RunRecord& rec, RunLog& log) {
  data::PreparedData d;
  if (e.dataset_cache) {
    std::string why;
    d = data::load_or_build(e.dataset, cache_path(e), &why);
    log.line("data: " + why);
  } else {
    d = data::prepare(e.dataset);
  }
  // Validation compared the model with the source format; this is what the data really is.
  const std::string modality = data::to_string(d.source.modality);
  if (e.model.onnx.empty() && train::model_modality(e.model.name) != modality)
    throw std::invalid_argument("model.name: '" + e.model.name + "' is a " + train::model_modality(e.model.name) +
                                " model but dataset.source '" + e.dataset.source + "' is " + modality + " data");
  log.line("data: train " + std::to_string(d.train.size()) + " / val " + std::to_string(d.val.size()) + " / test " +
           std::to_string(d.test.size()) + " samples of " + data::shape_to_string(d.train.sample_shape) + ", " +
           std::to_string(d.source.class_names.size()) + " classes, split " + d.split_method);
  rec.num_classes = int64_t(d.source.class_names.size());
  rec.class_names = d.source.class_names;
  rec.train_size = int64_t(d.train.size());
  rec.val_size = int64_t(d.val.size());
  rec.test_size = int64_t(d.test.size());
  rec.input_shape = d.train.sample_shape;
  return d;
}

// Training epochs the stages from `first` on will run (their "epochs" keys), for the
// whole-run ETA of the progress line.
int planned_stage_epochs(const Experiment& e, size_t first) {
  int n = 0;
  for (size_t i = first; i < e.stages.size(); ++i)
    if (auto it = e.stages[i].params.find("epochs"); it != e.stages[i].params.end()) n += std::atoi(it->second.c_str());
  return n;
}

// The progress line's run ETA while training with `epochs_after` more epochs to come
// (assumed as long as the current ones).
void plan_run_eta(train::ProgressReporter* progress, int epochs_after) {
  if (!progress) return;
  progress->run_eta = [epochs_after](double training_left, double epoch_seconds) {
    return training_left + double(epochs_after) * epoch_seconds;
  };
}

std::string accuracy_text(double a) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(4) << a;
  return s.str();
}

// Runs the experiment's stages on `model` (the trained base model) and returns the
// final model. Each finished stage leaves <run>/stages/<i>-<type>/{model.h5,
// record.h5}; with --resume such a stage is restored from them instead of re-run.
train::SlimModel run_stages(const Experiment& e, const RunOptions& o, const fs::path& dir,
                            const train::ModelConfig& mc, const train::TrainConfig& tc, const data::PreparedData& d,
                            train::SlimModel model, RunRecord& rec, RunLog& log, train::ProgressReporter* progress) {
  compress::StageContext ctx;
  ctx.model = std::move(model);
  ctx.data = &d;
  ctx.train = tc;
  ctx.train.world_size = 1;
  ctx.train.rank = 0;
  ctx.model_config = mc;
  ctx.run_dir = dir;
  ctx.runs_root = o.runs_root;
  ctx.resume = o.resume;
  ctx.log = [&log](const std::string& s) { log.line(s); };
  ctx.progress = progress;
  // Stages work on a GraphModule (the same weights and tensor names): a model rebuilt
  // from a stage's model.h5 on --resume is then the same kind as in the first run,
  // and stage checkpoints fit either way.
  ctx.graph_module();
  double val_before = rec.result.val.accuracy, test_before = rec.result.test.accuracy;
  std::string techniques;
  for (size_t i = 0; i < e.stages.size(); ++i) {
    const StageConfig& sc = e.stages[i];
    techniques += (techniques.empty() ? "" : "+") + sc.type;
    const fs::path sdir = compress::stage_dir(dir, int(i), sc.type);
    fs::create_directories(sdir);
    compress::StageRecord srec;
    srec.type = sc.type;
    ctx.params = compress::StageParams(sc.type, int(i), sc.params);
    ctx.dir = sdir;
    ctx.record = &srec;
    std::unique_ptr<compress::Stage> stage = compress::make_stage(sc.type);
    const std::string what = "stage " + std::to_string(i) + " (" + sc.type + ")";
    const fs::path model_file = sdir / "model.h5", record_file = sdir / "record.h5";
    if (o.resume && fs::exists(model_file) && fs::exists(record_file)) {
      srec = read_stage_record(record_file);
      ctx.model = compress::GraphModule(ir::read_graph_h5(model_file), mc.dropout).ptr();
      stage->restore(ctx);
      log.line(what + ": finished before; restored from " + model_file.string());
    } else {
      log.line(what + ": starting");
      plan_run_eta(progress, planned_stage_epochs(e, i + 1));
      const auto t0 = std::chrono::steady_clock::now();
      try {
        stage->run(ctx);
      } catch (const std::exception& ex) {
        throw std::runtime_error(what + ": " + ex.what());
      }
      if (!ctx.model) throw std::runtime_error(what + ": the stage produced no model");
      srec.metrics["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const train::EvalMetrics val = evaluate_model(tc, ctx.model, d, d.val);
      const train::EvalMetrics test = evaluate_model(tc, ctx.model, d, d.test);
      const ir::Graph g = ctx.model->graph(/*with_weights=*/true);
      const train::ResourceProfile rp = train::profile(g);
      srec.metrics["val_accuracy_before"] = val_before;
      srec.metrics["test_accuracy_before"] = test_before;
      srec.metrics["val_accuracy"] = val.accuracy;
      srec.metrics["test_accuracy"] = test.accuracy;
      srec.metrics["params"] = double(rp.params);
      srec.metrics["bytes"] = double(rp.bytes);
      srec.metrics["macs"] = double(rp.macs);
      srec.metrics["energy_pj"] = rp.energy_pj;
      ir::write_graph_h5(model_file, g);
      write_stage_record(srec, record_file);  // last: its presence marks the stage finished
      log.line(what + ": done — val accuracy " + accuracy_text(val_before) + " → " + accuracy_text(val.accuracy) +
               ", test " + accuracy_text(test_before) + " → " + accuracy_text(test.accuracy) + ", " +
               std::to_string(rp.params) + " parameters, " + std::to_string(rp.bytes) + " bytes");
    }
    val_before = srec.metrics.count("val_accuracy") ? srec.metrics.at("val_accuracy") : val_before;
    test_before = srec.metrics.count("test_accuracy") ? srec.metrics.at("test_accuracy") : test_before;
    rec.stages.push_back(std::move(srec));
  }
  rec.techniques = techniques;
  return ctx.model;
}

}  // namespace

RunRecord run_one(const Experiment& e, const RunOptions& o) {
  const fs::path dir = run_dir(o, e.name);
  const bool leader = o.rank == 0;
  // Before anything is written: one process per run folder (RunFolderBusy otherwise).
  RunLock lock;
  if (leader) lock = RunLock(dir);
  if (leader) fs::create_directories(dir / "checkpoints");
  RunRecord rec;
  rec.experiment = e.name;
  rec.run_id = o.run_id;
  rec.started = iso8601_now();
  rec.git_commit = git_commit();
  rec.config_toml = e.toml_text;
  rec.dataset_source = e.dataset.source;
  rec.model = e.model.onnx.empty() ? e.model.name : "onnx:" + fs::path(e.model.onnx).stem().string();
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
    log.line("run " + e.name + "/" + o.run_id + " (" + rec.model + " on " + e.dataset.source + ")");

    // 1. Data (from the HDF5 cache when it matches).
    const data::PreparedData d = load_data(e, rec, log);

    // 2. Model.
    train::ModelConfig mc = e.model;
    mc.input_shape = d.train.sample_shape;
    mc.num_classes = rec.num_classes;
    // The initial weights come from the run's seed: LibTorch seeds its default
    // generator from the OS at start-up, so without this two runs of one config differ.
    torch::manual_seed(e.train.seed);
    if (e.evaluation.deterministic) at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
    train::SlimModel model = mc.onnx.empty() ? train::make_model(mc) : onnx_import::make_onnx_model(mc, [&log](const std::string& s) { log.line(s); });

    // Every stage must be able to apply to this model and data before anything trains.
    if (!e.stages.empty()) {
      const std::vector<ConfigIssue> issues = preflight_stages(e, model->graph(false));
      if (!issues.empty()) throw ConfigError(issues);
      for (const StageConfig& s : e.stages) compress::make_stage(s.type);  // an implementation exists
    }

    // 3. Train.
    train::TrainConfig tc = e.train;
    tc.augment.layout = data::augment_layout(e.dataset, d);  // what the augmentation transforms
    if (e.evaluation.deterministic) tc.threads = 1;  // a reduction's order must not depend on the thread count
    tc.world_size = o.world_size;
    tc.rank = o.rank;
    tc.master = o.master;
    train::ProgressReporter progress(std::cout, train::stdout_is_terminal());
    train::Trainer trainer(tc, model, d, leader ? dir / "checkpoints" : fs::path(),
                           (o.quiet || !leader) ? nullptr : &progress);
    trainer.on_log = [&log](const std::string& s) { log.line(s); };
    plan_run_eta(&progress, leader ? planned_stage_epochs(e, 0) : 0);
    trainer.on_epoch = [&](const train::EpochMetrics& m) {
      std::ofstream(dir / "curves.csv", std::ios::app) << csv_line(m);
      std::ostringstream s;
      s << std::fixed << std::setprecision(4) << "epoch " << m.epoch << ": loss " << m.train_loss << ", acc "
        << m.train_accuracy << ", val loss " << m.val_loss << ", val acc " << m.val_accuracy << ", lr " << m.lr
        << std::setprecision(1) << ", " << m.samples_per_second << " samples/s";
      log.file() << s.str() << '\n' << std::flush;
    };
    rec.result = trainer.fit(o.resume);

    // 4. Compression stages, in order (rank 0 only: each stage trains in one process).
    if (!e.stages.empty() && leader) {
      rec.base_graph = summarize_graph(model->graph(/*with_weights=*/false));  // the Structure panel's "before"
      model = run_stages(e, o, dir, mc, tc, d, model, rec, log, (o.quiet || !leader) ? nullptr : &progress);
      rec.result.val = evaluate_model(tc, model, d, d.val);
      rec.result.test = evaluate_model(tc, model, d, d.test);
    }

    // 5. Describe and count the final model; keep it (model.h5) for export and teachers.
    const ir::Graph g = model->graph(/*with_weights=*/true);
    rec.graph = summarize_graph(g);
    rec.resources = train::profile(g);
    rec.status = "finished";
    rec.finished = iso8601_now();
    if (leader) {
      ir::write_graph_h5(dir / "model.h5", g);
      if (e.export_.enabled) export_to_slimrt(e, d, g, dir, rec, log);
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
