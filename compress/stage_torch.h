#pragma once
// Compression stages, the torch half: the Stage interface, what a stage gets to
// work with (StageContext) and the registry of stage implementations.
//
// The runner (experiments/runner_torch.cpp) trains the base model, then for each
// [[stage]] i builds a StageContext and calls run(). A stage may train the current
// model (fine_tune below), install GraphModule hooks (fake quantization), or replace
// ctx.model with a smaller GraphModule (pruning). When run() returns, the runner
// stores the stage's result in <run>/stages/<i>-<type>/: model.h5 (graph with
// weights and formats) and record.h5 (the StageRecord); on --resume a stage with
// both files is not run again — its model is rebuilt from model.h5 and restore()
// re-installs what the graph cannot hold (hooks). A stage killed half-way resumes
// from its own checkpoints in ctx.dir (fine_tune does that for its training).
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compress/stage.h"
#include "datasets/pipeline.h"
#include "train/config.h"
#include "train/graph_module.h"
#include "train/metrics.h"
#include "train/progress.h"

namespace slimlab::train {
class Trainer;
}

namespace slimlab::compress {

// The stages work on train::GraphModule (the one executor of a Graph IR) and name it
// and its hook types unqualified.
using train::GraphModule;
using train::GraphModuleImpl;
using train::LayerHooks;
using train::ParamHook;
using train::TensorHook;

struct StageContext {
  train::SlimModel model;                   // the current model; a stage may replace it
  const data::PreparedData* data = nullptr;  // the prepared splits (train / val / test)
  train::TrainConfig train;                 // the experiment's [train] (distributed fields: single process)
  train::ModelConfig model_config;          // the experiment's [model] (input_shape, num_classes filled)
  StageParams params;                       // this stage's keys
  std::filesystem::path dir;                // <run>/stages/<i>-<type>/ (exists)
  std::filesystem::path run_dir;            // <run>/
  std::filesystem::path runs_root = "runs";
  bool resume = false;                      // continue from the stage's checkpoints when present
  std::function<void(const std::string&)> log = [](const std::string&) {};
  train::ProgressReporter* progress = nullptr;  // may be null
  StageRecord* record = nullptr;            // to fill (type already set)

  // The current model as a GraphModule: ctx.model itself when it is one, otherwise
  // a GraphModule built from ctx.model->graph(true) (same weights and names), which
  // then replaces ctx.model.
  GraphModule graph_module();
  // The experiment's TrainConfig with this stage's epochs / lr / batch_size keys
  // applied (those it has; 0 means "the experiment's"), threads kept, single process.
  train::TrainConfig train_config() const;
  // Evaluates the current model (eval mode, no gradient) on a split.
  train::EvalMetrics evaluate(const data::ArraySet& set) const;
};

// Trains ctx.model with `cfg` (usually ctx.train_config()), checkpointing to
// <ctx.dir>/<name>/last.pt and resuming from it when ctx.resume. `customize` may
// set the Trainer's hooks (per_sample_loss, after_step, …) before fit(). The
// epochs go into ctx.record->tables["<name>"] (epoch, train_loss, train_accuracy,
// val_loss, val_accuracy, lr) and the log.
train::TrainResult fine_tune(StageContext& ctx, const train::TrainConfig& cfg,
                             const std::function<void(train::Trainer&)>& customize = {},
                             const std::string& name = "fine_tune");

class Stage {
 public:
  virtual ~Stage() = default;
  // Does the work; fills ctx.record. Throws to fail the run (with the stage named).
  virtual void run(StageContext& ctx) = 0;
  // On --resume of a finished stage: ctx.model was rebuilt from the stage's model.h5
  // (a GraphModule with the formats on its ir()); re-install hooks etc. Default: nothing.
  virtual void restore(StageContext& /*ctx*/) {}
};

using StageFactory = std::function<std::unique_ptr<Stage>()>;

// Adds (or replaces) a stage implementation. The built-in ones are listed in
// compress/stage_list_torch.cpp; tests may register more.
void register_stage(const std::string& type, StageFactory factory);
// std::invalid_argument naming an unknown type (and the known ones).
std::unique_ptr<Stage> make_stage(const std::string& type);
std::vector<std::string> registered_stages();  // sorted

// The folder of stage `index` of type `type` inside a run: <run>/stages/<index>-<type>.
std::filesystem::path stage_dir(const std::filesystem::path& run_dir, int index, const std::string& type);

}  // namespace slimlab::compress
