#include <cmath>
#include "train/checkpoint.h"
#include <set>
#include <sstream>

#include "compress/minibatch.h"
#include "compress/prune/prune_torch.h"
#include "compress/surgery.h"
#include "train/trainer.h"

namespace slimlab::compress {

namespace prune {

std::string mask_key(const std::string& layer, const std::string& param) { return layer + "\n" + param; }

void install_mask_hooks(GraphModuleImpl& m, std::shared_ptr<Masks> masks, std::shared_ptr<bool> straight_through) {
  std::set<std::string> layers;
  for (const auto& [k, mask] : *masks) layers.insert(k.substr(0, k.find('\n')));
  for (const std::string& layer : layers) {
    m.hooks(layer).param.push_back([masks, layer, straight_through](const std::string& param, const torch::Tensor& w) {
      auto it = masks->find(mask_key(layer, param));
      if (it == masks->end()) return w;
      // Straight-through (DNS): value W ⊙ T, gradient to all of W ("pruned weights can return").
      if (straight_through && *straight_through) return w.detach() * it->second + (w - w.detach());
      return w * it->second;
    });
  }
}

torch::Tensor magnitude_mask(const torch::Tensor& w, double sparsity) {
  const int64_t n = w.numel();
  const int64_t pruned = std::min<int64_t>(n - 1, int64_t(std::floor(sparsity * double(n))));
  if (pruned <= 0) return torch::ones_like(w);
  const torch::Tensor a = w.detach().abs().flatten();
  // Ranks by |w| (ties by position): the `pruned` smallest go.
  const torch::Tensor order = std::get<1>(a.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
  torch::Tensor mask = torch::ones({n}, w.options());
  mask.index_fill_(0, order.narrow(0, 0, pruned), 0.0);
  return mask.view(w.sizes());
}

void record_sparsity(GraphModuleImpl& m, const Masks& masks, StageRecord& r) {
  int64_t params = 0, nonzero = 0, pruned_numel = 0, pruned_zeros = 0;
  for (const auto& p : m.parameters()) {
    params += p.numel();
    nonzero += p.ne(0).sum().item<int64_t>();
  }
  Table t;
  t.columns = {"numel", "nonzero", "kept_fraction"};
  for (const auto& [k, mask] : masks) {
    const std::string layer = k.substr(0, k.find('\n')), param = k.substr(k.find('\n') + 1);
    const torch::Tensor w = m.parameter(layer, param);
    const int64_t nz = w.ne(0).sum().item<int64_t>();
    pruned_numel += w.numel();
    pruned_zeros += w.numel() - nz;
    t.row_labels.push_back(layer + "." + param);
    t.rows.push_back({double(w.numel()), double(nz), double(nz) / double(w.numel())});
  }
  r.tables["layers"] = t;
  r.metrics["params"] = double(params);
  r.metrics["nonzero_params"] = double(nonzero);
  r.metrics["kept_fraction"] = double(nonzero) / double(params);
  r.metrics["sparsity"] = pruned_numel ? double(pruned_zeros) / double(pruned_numel) : 0.0;
  r.info["structure"] =
      "unstructured: pruned weights are zeros in a dense model; its parameter count, bytes and MACs do not drop "
      "(kept_fraction counts the non-zeros; only a sparse format could store fewer)";
}

}  // namespace prune

namespace {

const data::ArraySet& val_or_test(const data::PreparedData& d) { return d.val.size() > 0 ? d.val : d.test; }

// Masks of the pruned tensors from their zeros (restore after --resume).
std::shared_ptr<prune::Masks> masks_from_zeros(GraphModuleImpl& m, const StageParams& p) {
  auto masks = std::make_shared<prune::Masks>();
  for (const auto& [layer, param] : prune::prunable_weights(m.ir(), p.list("layers")))
    (*masks)[prune::mask_key(layer, param)] = m.parameter(layer, param).detach().ne(0).to(torch::kFloat32);
  return masks;
}

void apply_masks(GraphModuleImpl& m, const prune::Masks& masks) {
  torch::NoGradGuard no_grad;
  for (const auto& [k, mask] : masks) m.parameter(k.substr(0, k.find('\n')), k.substr(k.find('\n') + 1)).mul_(mask);
}

class MagnitudeStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const double sparsity = p.number("sparsity");
    const int rounds = int(p.integer("rounds"));
    GraphModule m = ctx.graph_module();
    const auto weights = prune::prunable_weights(m->ir(), p.list("layers"));
    auto masks = std::make_shared<prune::Masks>();
    for (const auto& [layer, param] : weights)
      (*masks)[prune::mask_key(layer, param)] = torch::ones_like(m->parameter(layer, param));
    prune::install_mask_hooks(*m, masks, nullptr);
    Table curve;
    curve.columns = {"round", "sparsity", "val_accuracy_pruned", "val_accuracy_retrained"};
    for (int k = 1; k <= rounds; ++k) {
      const double s = sparsity * double(k) / double(rounds);
      for (const auto& [layer, param] : weights)
        (*masks)[prune::mask_key(layer, param)] = prune::magnitude_mask(m->parameter(layer, param), s);
      apply_masks(*m, *masks);
      const double pruned = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
      const train::TrainConfig cfg = ctx.train_config();
      if (cfg.epochs > 0) fine_tune(ctx, cfg, {}, "round" + std::to_string(k));
      apply_masks(*m, *masks);
      const double retrained = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
      curve.rows.push_back({double(k), s, pruned, retrained});
      std::ostringstream msg;
      msg << "magnitude: round " << k << "/" << rounds << " sparsity " << s << ": val accuracy " << pruned
          << " pruned, " << retrained << " retrained";
      ctx.log(msg.str());
    }
    StageRecord& r = *ctx.record;
    r.tables["rounds"] = curve;
    prune::record_sparsity(*m, *masks, r);
    r.metrics["val_accuracy"] = curve.rows.empty() ? 0.0 : curve.rows.back()[3];
  }
  void restore(StageContext& ctx) override {
    GraphModule m = ctx.graph_module();
    prune::install_mask_hooks(*m, masks_from_zeros(*m, ctx.params), nullptr);
  }
};

// SplitMix64 of (seed, iteration) → [0, 1): the DNS update draw of an iteration,
// the same after a resume.
double uniform_draw(uint64_t seed, int64_t it) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + uint64_t(it) + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return double(z >> 11) * (1.0 / 9007199254740992.0);
}

class DnsStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const double crate = p.number("crate"), margin = p.number("margin");
    const double gamma = p.number("gamma"), power = p.number("power");
    GraphModule m = ctx.graph_module();
    const auto weights = prune::prunable_weights(m->ir(), p.list("layers"));
    auto masks = std::make_shared<prune::Masks>();
    std::map<std::string, std::pair<double, double>> bounds;  // key → (a, b)
    for (const auto& [layer, param] : weights) {
      const torch::Tensor a = m->parameter(layer, param).detach().abs();
      const double t = std::max(0.0, a.mean().item<double>() + crate * a.std().item<double>());
      const std::string k = prune::mask_key(layer, param);
      bounds[k] = {(1 - margin) * t, (1 + margin) * t};
      (*masks)[k] = torch::ones_like(a);
    }
    auto update = [&]() {
      torch::NoGradGuard no_grad;
      for (auto& [k, mask] : *masks) {
        const torch::Tensor a = m->parameter(k.substr(0, k.find('\n')), k.substr(k.find('\n') + 1)).abs();
        const auto [lo, hi] = bounds.at(k);
        mask = torch::where(a < lo, torch::zeros_like(mask), torch::where(a >= hi, torch::ones_like(mask), mask));
      }
    };
    // Resume: the masks and the iteration count saved at the last epoch start.
    const std::filesystem::path state = ctx.dir / "dns_masks.pt";
    int64_t iteration = 0;
    if (ctx.resume && std::filesystem::exists(state)) {
      torch::serialize::InputArchive a;
      train::load_archive(a, state);
      torch::Tensor it;
      a.read("iteration", it);
      iteration = it.item<int64_t>();
      for (auto& [k, mask] : *masks) a.read(k, mask);
      ctx.log("dns: resuming the masks of iteration " + std::to_string(iteration));
    } else {
      update();  // the surgery starts from the initial weights' magnitudes
    }
    auto straight_through = std::make_shared<bool>(true);
    prune::install_mask_hooks(*m, masks, straight_through);
    const uint64_t seed = ctx.train.seed;
    const train::TrainConfig cfg = ctx.train_config();
    if (cfg.epochs > 0)
      fine_tune(ctx, cfg, [&](train::Trainer& t) {
        t.after_step = [&]() {
          ++iteration;
          if (uniform_draw(seed, iteration) < std::pow(1.0 + gamma * double(iteration), -power)) update();
        };
        t.before_epoch = [&](int) {
          torch::serialize::OutputArchive a;
          a.write("iteration", torch::tensor(iteration));
          for (const auto& [k, mask] : *masks) a.write(k, mask);
          train::save_archive(a, state);
        };
      });
    // The final model: W ⊙ T for good; later stages keep the zeros (a plain mask hook).
    apply_masks(*m, *masks);
    *straight_through = false;
    StageRecord& r = *ctx.record;
    prune::record_sparsity(*m, *masks, r);
    Table& t = r.tables["layers"];
    t.columns.push_back("a");
    t.columns.push_back("b");
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const std::string& label = t.row_labels[i];
      const size_t dot = label.rfind('.');
      const auto [lo, hi] = bounds.at(prune::mask_key(label.substr(0, dot), label.substr(dot + 1)));
      t.rows[i].push_back(lo);
      t.rows[i].push_back(hi);
    }
    r.metrics["iterations"] = double(iteration);
    r.metrics["val_accuracy"] = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
  }
  void restore(StageContext& ctx) override {
    GraphModule m = ctx.graph_module();
    prune::install_mask_hooks(*m, masks_from_zeros(*m, ctx.params), nullptr);
  }
};

class L1StructuredStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const double keep = p.number("keep");
    GraphModule m = ctx.graph_module();
    const ir::Graph g = m->graph(/*with_weights=*/true);
    std::vector<std::string> names = p.list("groups");
    if (names.empty())
      for (const ir::PrunableGroup& grp : g.groups) names.push_back(grp.name);
    std::map<std::string, std::vector<int64_t>> kept;
    for (const std::string& n : names) kept[n] = prune::l1_kept_units(prune::unit_l1_norms(g, find_group(g, n)), keep);
    const ir::Graph pruned = prune_units(g, kept);
    const double before = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    ctx.model = GraphModule(pruned, m->dropout()).ptr();
    const double after_cut = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    const train::TrainConfig cfg = ctx.train_config();
    if (cfg.epochs > 0) fine_tune(ctx, cfg);
    StageRecord& r = *ctx.record;
    r.tables["kept_units"] = kept_units_table(g, pruned);
    r.metrics["params_before"] = double(g.parameter_count());
    r.metrics["params"] = double(pruned.parameter_count());
    r.metrics["kept_fraction"] = double(pruned.parameter_count()) / double(g.parameter_count());
    r.metrics["base_val_accuracy"] = before;
    r.metrics["pruned_val_accuracy"] = after_cut;
    r.metrics["val_accuracy"] = ctx.evaluate(val_or_test(*ctx.data)).accuracy;
    r.info["structure"] = "units removed: a smaller dense model (parameters, bytes and MACs really drop)";
    std::ostringstream msg;
    msg << "l1_structured: kept " << pruned.parameter_count() << " of " << g.parameter_count() << " parameters";
    ctx.log(msg.str());
  }
};

}  // namespace

std::unique_ptr<Stage> make_magnitude_stage() { return std::make_unique<MagnitudeStage>(); }
std::unique_ptr<Stage> make_dns_stage() { return std::make_unique<DnsStage>(); }
std::unique_ptr<Stage> make_l1_structured_stage() { return std::make_unique<L1StructuredStage>(); }

}  // namespace slimlab::compress
