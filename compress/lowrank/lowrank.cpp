#include "compress/lowrank/lowrank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "compress/stage_keys.h"
#include "compress/surgery.h"

namespace slimlab::compress::lowrank {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

template <typename F>
std::vector<StageIssue> check(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return {{"layers", e.what()}};
  }
  return {};
}

}  // namespace

std::vector<std::string> svd_layers(const ir::Graph& g, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  if (names.empty()) {
    for (const ir::Layer& l : g.layers)
      if (l.kind == ir::LayerKind::kDense && l.name != g.layers.back().name) out.push_back(l.name);
    return out;
  }
  for (const std::string& n : names) {
    const ir::Layer* l = g.layer(n);
    if (!l) throw std::invalid_argument("model '" + g.model + "' has no layer '" + n + "'");
    if (l->kind != ir::LayerKind::kDense)
      throw std::invalid_argument("layer '" + n + "' is a " + ir::to_string(l->kind) + " layer, not dense");
    out.push_back(n);
  }
  return out;
}

std::vector<std::string> tucker2_layers(const ir::Graph& g, const std::vector<std::string>& names) {
  auto ok = [](const ir::Layer& l) {
    return (l.kind == ir::LayerKind::kConv1d || l.kind == ir::LayerKind::kConv2d) && l.groups == 1;
  };
  std::vector<std::string> out;
  if (names.empty()) {
    for (const ir::Layer& l : g.layers)
      if (ok(l)) out.push_back(l.name);
    return out;
  }
  for (const std::string& n : names) {
    const ir::Layer* l = g.layer(n);
    if (!l) throw std::invalid_argument("model '" + g.model + "' has no layer '" + n + "'");
    if (!ok(*l))
      throw std::invalid_argument("layer '" + n + "' is a " + ir::to_string(l->kind) +
                                  " layer, not an ungrouped convolution");
    out.push_back(n);
  }
  return out;
}

ir::Graph apply_svd(const ir::Graph& g, const std::vector<std::string>& layers, int64_t rank, double energy,
                    std::vector<SplitPlan>* plan) {
  ir::Graph out = g;
  for (const std::string& name : layers) {
    const ir::Layer& l = *g.layer(name);
    const int64_t m = l.out_features, n = l.in_features;
    const std::vector<double> s = dense_singular_values(g, name);
    SplitPlan p;
    p.layer = name;
    p.rank_in = p.rank_out = rank > 0 ? std::min(rank, std::min(m, n)) : rank_for_energy(s, energy);
    double total = 0, kept = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      total += s[i] * s[i];
      if (int64_t(i) < p.rank_in) kept += s[i] * s[i];
    }
    p.energy = total > 0 ? kept / total : 1.0;
    p.params_before = m * n;
    p.params_after = p.rank_in * (m + n);
    p.split = p.params_after < p.params_before;
    if (p.split) svd_split_dense(out, name, p.rank_in);
    else p.params_after = p.params_before;
    if (plan) plan->push_back(p);
  }
  return out;
}

ir::Graph apply_tucker2(const ir::Graph& g, const std::vector<std::string>& layers, int64_t rank_in,
                        int64_t rank_out, double rank_fraction, std::vector<SplitPlan>* plan) {
  ir::Graph out = g;
  for (const std::string& name : layers) {
    const ir::Layer& l = *g.layer(name);
    const int64_t n = l.out_features, c = l.in_features;
    int64_t k = 1;
    for (int64_t d : l.kernel) k *= d;
    auto pick = [&](int64_t fixed, int64_t full) {
      return std::clamp<int64_t>(fixed > 0 ? fixed : int64_t(std::ceil(rank_fraction * double(full) - 1e-9)), 1, full);
    };
    SplitPlan p;
    p.layer = name;
    p.rank_in = pick(rank_in, c);
    p.rank_out = pick(rank_out, n);
    p.params_before = n * c * k;
    p.params_after = p.rank_in * c + p.rank_out * p.rank_in * k + n * p.rank_out;
    p.split = p.params_after < p.params_before;
    if (p.split) tucker2_split_conv(out, name, p.rank_in, p.rank_out);
    else p.params_after = p.params_before;
    if (plan) plan->push_back(p);
  }
  return out;
}

Table plan_table(const std::vector<SplitPlan>& plan) {
  Table t;
  t.columns = {"rank_in", "rank_out", "weights_before", "weights_after", "energy", "split"};
  for (const SplitPlan& p : plan) {
    t.row_labels.push_back(p.layer);
    t.rows.push_back({double(p.rank_in), double(p.rank_out), double(p.params_before), double(p.params_after),
                      p.energy, p.split ? 1.0 : 0.0});
  }
  return t;
}

namespace {

using LayerFinder = std::vector<std::string> (*)(const ir::Graph&, const std::vector<std::string>&);

// A preflight: the stage's "layers" must name layers `find` accepts, and at least one.
std::function<std::vector<StageIssue>(const StageParams&, const ir::Graph&)> layers_preflight(LayerFinder find,
                                                                                              const char* none) {
  return [find, none](const StageParams& p, const ir::Graph& g) {
    return check([&] {
      if (find(g, p.list("layers")).empty()) throw std::invalid_argument(none);
    });
  };
}

}  // namespace

StageDescription svd_stage_description() {
  StageDescription d = describe_stage(
      "svd", "DeepX SVD: dense layers split into two thin ones (n → rank → m); no retraining needed",
      {make_key("layers", KeyType::kStringList, "", "dense layers to factorise (empty: all but the output layer)"),
       make_key("rank", KeyType::kInt, "0", "rank of every split (0: from energy)", 0, kInf),
       make_key("energy", KeyType::kFloat, "0.9", "with rank = 0: smallest rank keeping this fraction of Σσ²", 0, 1,
                true)},
      /*default_epochs=*/0);
  d.preflight = layers_preflight(svd_layers, "the model has no dense layer to split");
  return d;
}

StageDescription tucker2_stage_description() {
  StageDescription d = describe_stage(
      "tucker2", "DeepMon Tucker-2: convolutions split into 1×1 → k×k core → 1×1",
      {make_key("layers", KeyType::kStringList, "", "conv layers to factorise (empty: all)"),
       make_key("rank_in", KeyType::kInt, "0", "input-side rank (0: rank_fraction of the input channels)", 0, kInf),
       make_key("rank_out", KeyType::kInt, "0", "output-side rank (0: rank_fraction of the filters)", 0, kInf),
       make_key("rank_fraction", KeyType::kFloat, "0.5", "ranks as a fraction of the channels when not given", 0, 1,
                true)},
      /*default_epochs=*/0);
  d.preflight = layers_preflight(tucker2_layers, "the model has no convolution to split");
  return d;
}

}  // namespace slimlab::compress::lowrank
