#include <cmath>
#include <sstream>

#include "compress/binary/binarize.h"
#include "compress/binary/binary_stage.h"
#include "compress/binary/binary_torch.h"
#include "compress/binary/shift_adamax.h"
#include "train/trainer.h"

namespace slimlab::compress {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// BinaryConnect and BNN share the loop: pick the layers, (BNN: rewrite the graph so
// binary layers read sign(BN(x))), binarize their weights in every forward (±H), clip
// the real weights to [−H, H] after every step, fine-tune, then make the binary weights
// the model's own (precision binary in the IR).
class BinaryStage : public Stage {
 public:
  explicit BinaryStage(bool bnn) : bnn_(bnn) {}

  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    GraphModule gm = ctx.graph_module();
    ir::Graph g = gm->graph(/*with_weights=*/true);
    std::vector<StageIssue> issues;
    const std::vector<std::string> layers = binary_layers(g, p.list("layers"), p.list("float_layers"), bnn_, &issues);
    if (!issues.empty()) throw std::invalid_argument(p.where(issues[0].key) + ": " + issues[0].message);
    if (layers.empty()) throw std::invalid_argument(p.where("layers") + ": no layer to binarize");
    std::vector<std::string> sign_bns;
    if (bnn_) {
      const bool bn = p.flag("batch_norm");
      g = insert_sign_activations(g, layers, bn);
      for (const std::string& l : layers) {
        const std::string src = g.layer(l + ".sign")->inputs.at(0);
        if (g.layer(src)->kind == ir::LayerKind::kBatchNorm) sign_bns.push_back(src);
      }
      gm = GraphModule(g, ctx.model_config.dropout);
      ctx.model = gm.ptr();
    }
    // H per layer, from the float weights the stage starts with.
    const std::string scale_kind = p.text("scale");
    std::vector<double> scales;
    for (const std::string& l : layers) {
      torch::Tensor& w = gm->parameter(l, "weight");
      double h = scale_kind == "one" ? 1.0 : w.detach().abs().mean().item<double>();
      if (!(h > 0) || !std::isfinite(h)) h = 1.0;
      if (scale_kind == "pow2") h = std::exp2(std::round(std::log2(h)));
      scales.push_back(h);
      binary::clip_weights(w, h);
    }
    const bool stochastic = !bnn_ && p.text("mode") == "stoch";
    GraphModuleImpl* module = gm.get();
    for (size_t i = 0; i < layers.size(); ++i) {
      const double h = scales[i];
      gm->hooks(layers[i]).param.push_back([h, stochastic, module](const std::string& name, const torch::Tensor& w) {
        if (name != "weight") return w;
        // Stochastic binarization while training; the deployable deterministic sign at evaluation.
        return binary::binarize_weights(w, h, stochastic && module->is_training());
      });
    }
    if (bnn_ && p.flag("shift_batchnorm"))
      for (const std::string& bn : sign_bns)
        gm->hooks(bn).param.push_back([](const std::string& name, const torch::Tensor& t) {
          return name == "weight" ? binary::shift_round(t) : t;
        });
    std::vector<torch::Tensor> weights;
    for (const std::string& l : layers) weights.push_back(gm->parameter(l, "weight"));
    fine_tune(ctx, stage_train_config(ctx), [&](train::Trainer& t) {
      use_stage_optimizer(ctx, t);
      t.after_step = [weights, scales]() mutable {
        for (size_t i = 0; i < weights.size(); ++i) binary::clip_weights(weights[i], scales[i]);
      };
    });
    // The binary model itself: ±H weights marked binary, no hooks needed any more.
    ir::Graph final_graph = gm->graph(/*with_weights=*/true);
    if (bnn_ && p.flag("shift_batchnorm"))
      for (const std::string& bn : sign_bns) {
        std::vector<float>& gamma = final_graph.layer(bn)->param("weight")->data;
        torch::Tensor t = binary::shift_round(torch::from_blob(gamma.data(), {int64_t(gamma.size())}).clone());
        std::copy(t.data_ptr<float>(), t.data_ptr<float>() + t.numel(), gamma.begin());
      }
    mark_binary_weights(final_graph, layers, scales);
    GraphModule binary_model(final_graph, ctx.model_config.dropout);
    binary_model->eval();
    ctx.model = binary_model.ptr();

    StageRecord& rec = *ctx.record;  // the runner adds val / test accuracy of ctx.model
    int64_t binary_params = 0;
    for (const std::string& l : layers) binary_params += final_graph.layer(l)->param("weight")->numel();
    rec.metrics["binary_weights"] = double(binary_params);
    rec.metrics["binary_weight_fraction"] = double(binary_params) / double(std::max<int64_t>(1, final_graph.parameter_count()));
    rec.info["binary_layers"] = join(layers);
    if (bnn_) {
      rec.info["sign_batchnorms"] = join(sign_bns);
    } else {
      rec.info["mode"] = p.text("mode");
      if (stochastic) rec.info["evaluation"] = "deterministic sign of the real weights (what slimrt runs)";
    }
    rec.info["scale"] = p.text("scale");
    Table t;
    t.columns = {"scale_H", "weights"};
    for (size_t i = 0; i < layers.size(); ++i) {
      t.rows.push_back({scales[i], double(final_graph.layer(layers[i])->param("weight")->numel())});
      t.row_labels.push_back(layers[i]);
    }
    rec.tables["binary_layers"] = std::move(t);
    std::ostringstream s;
    s << ctx.params.type() << ": " << layers.size() << " binary layer(s) (" << join(layers) << ")";
    ctx.log(s.str());
  }

 private:
  bool bnn_;
};

}  // namespace

train::TrainConfig stage_train_config(const StageContext& ctx) {
  train::TrainConfig c = ctx.train_config();
  if (ctx.params.has("optimizer")) {
    const std::string& o = ctx.params.text("optimizer");
    // shift_adamax: use_stage_optimizer's factory builds it (train.optimizer only names it for checkpoints).
    if (o != "train") c.optimizer = o == "shift_adamax" ? "adam" : o;
  }
  return c;
}

void use_stage_optimizer(const StageContext& ctx, train::Trainer& t) {
  if (!ctx.params.has("optimizer") || ctx.params.text("optimizer") != "shift_adamax") return;
  const double lr = t.config().lr;
  t.optimizer_factory = [lr](std::vector<torch::Tensor> params) -> std::unique_ptr<torch::optim::Optimizer> {
    return std::make_unique<binary::ShiftAdamax>(std::move(params), binary::ShiftAdamaxOptions(lr));
  };
}

std::unique_ptr<Stage> make_binaryconnect_stage() { return std::make_unique<BinaryStage>(false); }
std::unique_ptr<Stage> make_bnn_stage() { return std::make_unique<BinaryStage>(true); }

}  // namespace slimlab::compress
