#include <sstream>

#include "compress/deepiot/deepiot_run.h"
#include "compress/deepiot/deepiot_torch.h"
#include "compress/minibatch.h"
#include "compress/surgery.h"

namespace slimlab::compress {

namespace {

// The base accuracy that sets the stop rule's floor: val, or train without a val split
// (the same set the loop checks; never test).
const data::ArraySet& decision_set(const data::PreparedData& d) { return d.val.size() > 0 ? d.val : d.train; }

class DeepIoTStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const deepiot::Options o = deepiot::options_from_params(ctx.params);
    GraphModule critic = ctx.graph_module();
    const ir::Graph original = critic->graph(/*with_weights=*/false);
    const double base_val = ctx.evaluate(decision_set(*ctx.data)).accuracy;
    const std::filesystem::path state_dir = ctx.dir / "compression";
    if (!ctx.resume) std::filesystem::remove_all(state_dir);

    deepiot::Compression compression(critic, *ctx.data, o, state_dir, ctx.log);
    const deepiot::Outcome out = compression.run(base_val);

    // Hard pruning: units below the threshold are removed, ×p folded into consumers.
    const ir::Graph pruned = deepiot::hard_prune(critic->graph(/*with_weights=*/true), out);
    GraphModule small(pruned, ctx.model_config.dropout);
    ctx.model = small.ptr();
    const double pruned_val = ctx.evaluate(decision_set(*ctx.data)).accuracy;
    std::ostringstream msg;
    msg << "deepiot: " << out.iterations << " iterations, threshold " << out.threshold << ", kept "
        << pruned.parameter_count() << " of " << original.parameter_count() << " parameters ("
        << 100.0 * double(pruned.parameter_count()) / double(original.parameter_count()) << "%), val accuracy "
        << base_val << " → " << pruned_val << " before fine-tuning";
    ctx.log(msg.str());

    const train::TrainConfig cfg = ctx.train_config();
    if (cfg.epochs > 0) fine_tune(ctx, cfg);
    const double final_val = ctx.evaluate(decision_set(*ctx.data)).accuracy;

    StageRecord& r = *ctx.record;
    for (const auto& [name, table] : out.tables) r.tables[name] = table;
    r.tables["kept_units"] = kept_units_table(original, pruned);
    r.metrics["base_val_accuracy"] = base_val;
    r.metrics["masked_val_accuracy"] = out.val_accuracy;
    r.metrics["pruned_val_accuracy"] = pruned_val;
    r.metrics["val_accuracy"] = final_val;
    r.metrics["accuracy_floor"] = out.accuracy_floor;
    r.metrics["params_before"] = double(original.parameter_count());
    r.metrics["params"] = double(pruned.parameter_count());
    r.metrics["kept_fraction"] = double(pruned.parameter_count()) / double(original.parameter_count());
    r.metrics["iterations"] = double(out.iterations);
    r.metrics["threshold"] = out.threshold;
    r.metrics["target_met"] = out.target_met ? 1.0 : 0.0;
    r.metrics["resumed_from_iteration"] = double(out.resumed_from);
    std::string groups;
    for (const std::string& g : out.groups) groups += (groups.empty() ? "" : ",") + g;
    r.info["groups"] = groups;
    r.info["structure"] = "units removed: a smaller dense model (parameters, bytes and MACs really drop)";
    r.info["departures"] =
        "EMA baseline starts at the first batch's loss statistics; keep-probabilities of GRU/LSTM groups are "
        "folded into their consumers' inputs only (not into the recurrence) before fine-tuning";
  }
};

}  // namespace

std::unique_ptr<Stage> make_deepiot_stage() { return std::make_unique<DeepIoTStage>(); }

}  // namespace slimlab::compress
