#include "compress/stage_torch.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "train/trainer.h"

namespace fs = std::filesystem;

namespace slimlab::compress {

// The built-in implementations (compress/stage_list_torch.cpp).
const std::map<std::string, StageFactory>& builtin_stage_factories();

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, StageFactory> factories;
};

Registry& registry() {
  static Registry* r = [] {
    auto* x = new Registry;
    x->factories = builtin_stage_factories();
    return x;
  }();
  return *r;
}

}  // namespace

void register_stage(const std::string& type, StageFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[type] = std::move(factory);
}

std::unique_ptr<Stage> make_stage(const std::string& type) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.factories.find(type);
  if (it == r.factories.end()) {
    std::string known;
    for (const auto& kv : r.factories) known += (known.empty() ? "" : ", ") + kv.first;
    throw std::invalid_argument("no implementation of stage type '" + type + "' (known: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> registered_stages() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& kv : r.factories) out.push_back(kv.first);
  return out;
}

fs::path stage_dir(const fs::path& run_dir, int index, const std::string& type) {
  return run_dir / "stages" / (std::to_string(index) + "-" + type);
}

GraphModule StageContext::graph_module() {
  if (auto gm = std::dynamic_pointer_cast<GraphModuleImpl>(model)) return GraphModule(gm);
  const bool training = model->is_training();
  GraphModule gm(model->graph(/*with_weights=*/true), model_config.dropout);
  gm->train(training);
  model = gm.ptr();
  return gm;
}

train::TrainConfig StageContext::train_config() const {
  train::TrainConfig c = train;
  c.world_size = 1;
  c.rank = 0;
  if (params.has("epochs")) c.epochs = int(params.integer("epochs"));
  if (params.has("lr") && params.number("lr") > 0) c.lr = params.number("lr");
  if (params.has("batch_size") && params.integer("batch_size") > 0) c.batch_size = params.integer("batch_size");
  // A stage's schedule runs over its own epochs: the warm-up may not exceed them.
  c.warmup_epochs = std::min(c.warmup_epochs, std::max(0, c.epochs - 1));
  return c;
}

train::EvalMetrics StageContext::evaluate(const data::ArraySet& set) const {
  train::TrainConfig c = train;
  c.world_size = 1;
  c.rank = 0;
  train::Trainer t(c, model, *data);
  return t.evaluate(set);
}

train::TrainResult fine_tune(StageContext& ctx, const train::TrainConfig& cfg,
                             const std::function<void(train::Trainer&)>& customize, const std::string& name) {
  if (!ctx.data) throw std::logic_error("fine_tune: the stage context has no data");
  train::Trainer trainer(cfg, ctx.model, *ctx.data, ctx.dir / name, ctx.progress);
  trainer.on_log = ctx.log;
  Table curves;
  curves.columns = {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"};
  const std::string what = ctx.params.type() + " (stage " + std::to_string(ctx.params.index()) + ")";
  trainer.on_epoch = [&](const train::EpochMetrics& m) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(4) << what << " epoch " << m.epoch << "/" << cfg.epochs << ": loss "
      << m.train_loss << ", acc " << m.train_accuracy << ", val acc " << m.val_accuracy << ", lr " << m.lr;
    ctx.log(s.str());
  };
  if (customize) customize(trainer);
  train::TrainResult r = trainer.fit(ctx.resume);
  for (const train::EpochMetrics& m : r.epochs)
    curves.rows.push_back({double(m.epoch), m.train_loss, m.train_accuracy, m.val_loss, m.val_accuracy, m.lr});
  if (ctx.record) ctx.record->tables[name] = std::move(curves);
  return r;
}

}  // namespace slimlab::compress
