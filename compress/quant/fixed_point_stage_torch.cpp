#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "compress/binary/binarize.h"
#include "compress/binary/binary_torch.h"
#include "compress/quant/fake_quant.h"
#include "compress/quant/fixed_point_stage.h"
#include "compress/quant/fixed_point_torch.h"
#include "compress/quant/fold_batchnorm.h"
#include "train/trainer.h"

namespace slimlab::compress {

namespace {

bool weight_param(const std::string& p) {
  return p == "weight" || p == "weight_ih_l0" || p == "weight_hh_l0";
}

torch::Tensor run_fixed(const quant::FixedPointEvaluator& ev, const torch::Tensor& inputs, int64_t classes,
                        torch::Tensor* predictions) {
  const torch::Tensor x = inputs.detach().to(torch::kFloat32).contiguous();
  const int64_t b = x.size(0), per = b ? x.numel() / b : 0;
  torch::Tensor logits = torch::empty({b, classes}, torch::kFloat32);
  if (predictions) *predictions = torch::empty({b}, torch::kInt64);
  const float* src = x.data_ptr<float>();
  const double scale = std::ldexp(1.0, -ev.output_fl());
  auto out = logits.accessor<float, 2>();
  for (int64_t s = 0; s < b; ++s) {
    const std::vector<int64_t> y = ev.run(src + s * per);
    if (int64_t(y.size()) != classes)
      throw std::logic_error("fixed-point evaluation: " + std::to_string(y.size()) + " outputs for " +
                             std::to_string(classes) + " classes");
    int64_t best = 0;
    for (int64_t k = 0; k < classes; ++k) {
      out[s][k] = float(double(y[size_t(k)]) * scale);
      if (y[size_t(k)] > y[size_t(best)]) best = k;
    }
    if (predictions) predictions->data_ptr<int64_t>()[s] = best;
  }
  return logits;
}

std::vector<float> calibration_samples(const data::ArraySet& set, int64_t wanted, int64_t* n) {
  const int64_t total = int64_t(set.size());
  *n = std::min(wanted, total);
  std::vector<float> out;
  out.reserve(size_t(*n * set.sample_numel()));
  for (int64_t i = 0; i < *n; ++i) {
    const size_t idx = size_t(i * total / *n);  // evenly spread over the (class-mixed) split
    out.insert(out.end(), set.sample(idx), set.sample(idx) + set.sample_numel());
  }
  return out;
}

std::string format_text(const ir::NumericFormat& f) {
  if (f.precision != ir::Precision::kFixed) return ir::to_string(f.precision);
  return "<" + std::to_string(f.fixed.il) + "," + std::to_string(f.fixed.fl) + ">";
}

class FixedPointStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const quant::FixedPointSpec spec = fixed_point_spec(p);
    quant::check_spec(spec);
    ir::Graph g = ctx.graph_module()->graph(/*with_weights=*/true);
    const std::vector<std::string> folded = quant::fold_batchnorm(g);
    int64_t n = 0;
    const std::vector<float> cal = calibration_samples(ctx.data->train, p.integer("calibration_samples"), &n);
    if (n == 0) throw std::invalid_argument(p.where("calibration_samples") + ": the training split is empty");
    const quant::ObservedRanges ranges = quant::observe_ranges(g, cal.data(), n);
    quant::annotate_fixed_point(g, spec, ranges);
    ctx.log("fixed_point: folded " + std::to_string(folded.size()) + " batch norm(s), calibrated on " +
            std::to_string(n) + " training samples (W" + std::to_string(spec.weight_bits) + "/A" +
            std::to_string(spec.activation_bits) + "/S" + std::to_string(spec.state_bits) + ")");
    auto fm = std::make_shared<FixedPointModuleImpl>(g, ctx.model_config.dropout, spec);
    fm->eval();
    ctx.model = fm;
    StageRecord& rec = *ctx.record;
    double test_accuracy = ctx.evaluate(ctx.data->test).accuracy;
    rec.metrics["ptq_test_accuracy"] = test_accuracy;
    ctx.log("fixed_point: post-training test accuracy (bit-exact) " + std::to_string(test_accuracy));
    if (p.text("mode") == "qat") {
      fm->install_fake_quantization(p.text("rounding") == "stochastic", p.flag("plain_ste"));
      // Activation formats follow the weights: recalibrated on the same samples before
      // every epoch (in eval mode, on the graph as it will be quantized) and at the end.
      fine_tune(ctx, stage_train_config(ctx), [&](train::Trainer& t) {
        use_stage_optimizer(ctx, t);
        t.before_epoch = [&](int) { fm->recalibrate(cal.data(), n); };
      });
      fm->recalibrate(cal.data(), n);
      fm->eval();
      test_accuracy = ctx.evaluate(ctx.data->test).accuracy;
      rec.metrics["qat_test_accuracy"] = test_accuracy;
      ctx.log("fixed_point: after QAT test accuracy (bit-exact) " + std::to_string(test_accuracy));
    }
    // The runner adds val / test accuracy of ctx.model: its eval() is the bit-exact path.
    rec.info["mode"] = p.text("mode");
    rec.info["rounding"] = p.text("rounding");
    rec.info["word_lengths"] = "weights " + std::to_string(spec.weight_bits) + ", activations " +
                               std::to_string(spec.activation_bits) + ", state " + std::to_string(spec.state_bits);
    rec.info["evaluation"] = "bit-exact integer arithmetic (compress::quant::FixedPointEvaluator, as slimrt)";
    std::string f;
    for (const std::string& b : folded) f += (f.empty() ? "" : ",") + b;
    rec.info["folded_batchnorms"] = f;
    // Per layer: output ⟨IL, FL⟩ and the weight's.
    Table formats;
    formats.columns = {"out_wl", "out_fl", "weight_wl", "weight_fl"};
    const ir::Graph q = fm->graph(true);
    for (const ir::Layer& l : q.layers) {
      const ir::Param* w = l.param(l.kind == ir::LayerKind::kGru || l.kind == ir::LayerKind::kLstm ? "weight_ih_l0" : "weight");
      formats.rows.push_back({double(l.activation_format.fixed.word_length()), double(l.activation_format.fixed.fl),
                              w ? double(w->format.fixed.word_length()) : 0.0, w ? double(w->format.fixed.fl) : 0.0});
      formats.row_labels.push_back(l.name);
    }
    rec.tables["formats"] = std::move(formats);
    ctx.model = fm;
  }

  void restore(StageContext& ctx) override {
    const quant::FixedPointSpec spec = fixed_point_spec(ctx.params);
    auto fm = std::make_shared<FixedPointModuleImpl>(ctx.model->graph(true), ctx.model_config.dropout, spec);
    fm->eval();
    ctx.model = fm;
  }
};

}  // namespace

FixedPointModuleImpl::FixedPointModuleImpl(const ir::Graph& g, double dropout, quant::FixedPointSpec spec)
    : GraphModuleImpl(g, dropout), spec_(spec) {
  quant::FixedPointEvaluator check(g);  // every tensor must carry its format
}

void FixedPointModuleImpl::train(bool on) {
  evaluator_.reset();  // weights may change: rebuild on the next evaluation
  GraphModuleImpl::train(on);
}

ir::Graph FixedPointModuleImpl::graph(bool with_weights) const {
  ir::Graph g = GraphModuleImpl::graph(with_weights);
  if (with_weights) quant::requantize_weights(g, spec_);
  return g;
}

torch::Tensor FixedPointModuleImpl::forward(torch::Tensor x) {
  if (is_training()) return GraphModuleImpl::forward(x);
  if (!evaluator_) evaluator_ = std::make_unique<quant::FixedPointEvaluator>(graph(true));
  return run_fixed(*evaluator_, x, ir().num_classes, nullptr);
}

void FixedPointModuleImpl::install_fake_quantization(bool stochastic, bool plain_ste) {
  clear_hooks();
  const int wbits = spec_.weight_bits;
  for (const ir::Layer& l : ir().layers) {
    LayerHooks& h = hooks(l.name);
    if (l.activation_format.precision == ir::Precision::kFixed) {
      // The format is read at call time: recalibrate() moves it with the weights.
      const size_t i = size_t(&l - &ir().layers[0]);
      // The logits get the plain STE: a saturated logit must still be able to come back.
      const bool plain = plain_ste || i + 1 == ir().layers.size();
      auto fq = [this, i, plain](const torch::Tensor& t) {
        const ir::NumericFormat& f = ir().layers[i].activation_format;
        quant::FakeQuantOptions o;
        o.word_length = f.fixed.word_length();
        o.fl = f.fixed.fl;
        o.plain_ste = plain;
        return quant::fake_quantize(t, o);
      };
      h.output.push_back(fq);
      if (l.kind == ir::LayerKind::kGru) h.state.push_back(fq);
    }
    bool has_weight = false;
    for (const ir::Param& p : l.params) has_weight |= weight_param(p.name);
    if (!has_weight) continue;
    std::map<std::string, double> binary;  // binary weights stay ±2^−FL (binarized, straight through)
    for (const ir::Param& p : l.params)
      if (p.format.precision == ir::Precision::kBinary) binary[p.name] = std::ldexp(1.0, -p.format.fixed.fl);
    h.param.push_back([wbits, stochastic, plain_ste, binary, this](const std::string& name, const torch::Tensor& w) {
      if (!weight_param(name)) return w;
      if (auto it = binary.find(name); it != binary.end()) return binary::binarize_weights(w, it->second, false);
      quant::FakeQuantOptions o;
      o.word_length = wbits;
      // The FL calibration / requantize_weights will pick for these values (same rule).
      const torch::Tensor c = w.detach().to(torch::kFloat32).contiguous();
      const std::vector<float> v(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
      o.fl = quant::format_for_lowest_error(v, c.numel() ? c.abs().max().item<double>() : 0.0, wbits, false).fixed.fl;
      o.stochastic = stochastic && is_training();
      o.plain_ste = plain_ste;
      return quant::fake_quantize(w, o);
    });
  }
}

void FixedPointModuleImpl::recalibrate(const float* samples, int64_t n) {
  ir::Graph g = graph(/*with_weights=*/true);
  const quant::ObservedRanges ranges = quant::observe_ranges(g, samples, n);
  quant::annotate_fixed_point(g, spec_, ranges);
  for (size_t i = 0; i < g.layers.size(); ++i) {
    ir::Layer& mine = ir().layers[i];
    const ir::Layer& fresh = g.layers[i];
    mine.activation_format = fresh.activation_format;
    mine.gate_preactivation_format = fresh.gate_preactivation_format;
    mine.gate_format = fresh.gate_format;
    mine.cell_format = fresh.cell_format;
    for (ir::Param& p : mine.params)
      if (const ir::Param* q = fresh.param(p.name)) p.format = q->format;
  }
  evaluator_.reset();
}

std::pair<torch::Tensor, torch::Tensor> evaluate_fixed_point(const ir::Graph& g, const torch::Tensor& inputs) {
  const quant::FixedPointEvaluator ev(g);
  torch::Tensor pred;
  torch::Tensor logits = run_fixed(ev, inputs, g.num_classes, &pred);
  return {logits, pred};
}

std::unique_ptr<Stage> make_fixed_point_stage() { return std::make_unique<FixedPointStage>(); }

}  // namespace slimlab::compress
