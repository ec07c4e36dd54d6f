#include <sstream>

#include "compress/lowrank/lowrank_torch.h"
#include "train/resources.h"

namespace slimlab::compress {

namespace {

const data::ArraySet& val_or_test(const data::PreparedData& d) { return d.val.size() > 0 ? d.val : d.test; }

class LowRankStage : public Stage {
 public:
  explicit LowRankStage(bool tucker) : tucker_(tucker) {}

  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    GraphModule m = ctx.graph_module();
    const ir::Graph g = m->graph(/*with_weights=*/true);
    std::vector<lowrank::SplitPlan> plan;
    const ir::Graph split =
        tucker_ ? lowrank::apply_tucker2(g, lowrank::tucker2_layers(g, p.list("layers")), p.integer("rank_in"),
                                         p.integer("rank_out"), p.number("rank_fraction"), &plan)
                : lowrank::apply_svd(g, lowrank::svd_layers(g, p.list("layers")), p.integer("rank"),
                                     p.number("energy"), &plan);
    const double before = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    ctx.model = GraphModule(split, m->dropout()).ptr();
    const double after_split = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    const train::TrainConfig cfg = ctx.train_config();
    if (cfg.epochs > 0) fine_tune(ctx, cfg);
    const train::ResourceProfile a = train::profile(g), b = train::profile(split);

    StageRecord& r = *ctx.record;
    r.tables["layers"] = lowrank::plan_table(plan);
    r.metrics["params_before"] = double(g.parameter_count());
    r.metrics["params"] = double(split.parameter_count());
    r.metrics["kept_fraction"] = double(split.parameter_count()) / double(g.parameter_count());
    r.metrics["macs_before"] = double(a.macs);
    r.metrics["macs"] = double(b.macs);
    r.metrics["base_val_accuracy"] = before;
    r.metrics["split_val_accuracy"] = after_split;
    r.metrics["val_accuracy"] = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    r.info["structure"] = tucker_ ? "convolutions replaced by 1x1 -> core -> 1x1 (Tucker-2): a smaller dense model"
                                  : "dense layers replaced by two thin ones (SVD): a smaller dense model";
    std::ostringstream msg;
    msg << (tucker_ ? "tucker2" : "svd") << ": " << g.parameter_count() << " → " << split.parameter_count()
        << " parameters, " << a.macs << " → " << b.macs << " MACs; val accuracy " << before << " → " << after_split
        << " before fine-tuning";
    ctx.log(msg.str());
  }

 private:
  bool tucker_;
};

}  // namespace

std::unique_ptr<Stage> make_svd_stage() { return std::make_unique<LowRankStage>(false); }
std::unique_ptr<Stage> make_tucker2_stage() { return std::make_unique<LowRankStage>(true); }

}  // namespace slimlab::compress
