#include "compress/prune/prune.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

#include "compress/stage_keys.h"
#include "compress/surgery.h"

namespace slimlab::compress::prune {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

StageKey layers_key() {
  return make_key("layers", KeyType::kStringList, "",
             "layers whose weights are pruned (empty: every conv, dense and GRU/LSTM layer)");
}

std::vector<StageIssue> check_layers(const StageParams& p, const ir::Graph& g) {
  try {
    prunable_weights(g, p.list("layers"));
  } catch (const std::invalid_argument& e) {
    return {{"layers", e.what()}};
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> prunable_weights(const ir::Graph& g,
                                                                  const std::vector<std::string>& layers) {
  using K = ir::LayerKind;
  auto weights_of = [](const ir::Layer& l) {
    std::vector<std::pair<std::string, std::string>> out;
    if (l.kind == K::kDense || l.kind == K::kConv1d || l.kind == K::kConv2d || l.kind == K::kDepthwiseConv2d)
      out.emplace_back(l.name, "weight");
    if (l.kind == K::kGru || l.kind == K::kLstm) {
      out.emplace_back(l.name, "weight_ih_l0");
      out.emplace_back(l.name, "weight_hh_l0");
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> out;
  if (layers.empty()) {
    for (const ir::Layer& l : g.layers)
      for (auto& w : weights_of(l)) out.push_back(w);
    return out;
  }
  std::set<std::string> seen;
  for (const std::string& name : layers) {
    const ir::Layer* l = g.layer(name);
    if (!l) throw std::invalid_argument("model '" + g.model + "' has no layer '" + name + "'");
    if (!seen.insert(name).second) throw std::invalid_argument("layer '" + name + "' is listed twice");
    const auto w = weights_of(*l);
    if (w.empty())
      throw std::invalid_argument("layer '" + name + "' (" + ir::to_string(l->kind) + ") has no weights to prune");
    out.insert(out.end(), w.begin(), w.end());
  }
  return out;
}

std::vector<double> unit_l1_norms(const ir::Graph& g, const ir::PrunableGroup& group) {
  const UnitMatrix m = unit_matrix(g, group);
  std::vector<double> out(size_t(m.rows), 0.0);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) out[size_t(r)] += std::abs(double(m.data[size_t(r * m.cols + c)]));
  return out;
}

std::vector<int64_t> l1_kept_units(const std::vector<double>& norms, double keep) {
  const int64_t n = int64_t(norms.size());
  const int64_t k = std::clamp<int64_t>(int64_t(std::ceil(keep * double(n) - 1e-9)), 1, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return norms[size_t(a)] > norms[size_t(b)]; });
  std::vector<int64_t> kept(order.begin(), order.begin() + k);
  std::sort(kept.begin(), kept.end());
  return kept;
}

StageDescription magnitude_stage_description() {
  StageDescription d = describe_stage(
      "magnitude", "iterative magnitude pruning with retraining (unstructured: zeros in a dense model)",
      {make_key("sparsity", KeyType::kFloat, "0.9", "final fraction of each pruned weight tensor set to zero", 0, 1,
                false, true),
       make_key("rounds", KeyType::kInt, "3", "prune-then-retrain rounds; round k reaches sparsity·k/rounds", 1, 1000),
       layers_key()},
      /*default_epochs=*/2);
  d.preflight = check_layers;
  return d;
}

StageDescription dns_stage_description() {
  StageDescription d = describe_stage(
      "dns", "Dynamic Network Surgery: masks with thresholds a < b, pruned weights can return (unstructured)",
      {make_key("crate", KeyType::kFloat, "1.0", "t = mean|W| + crate·std|W| per tensor (higher: sparser)", -10, 10),
       make_key("margin", KeyType::kFloat, "0.1", "a = (1 − margin)·t, b = (1 + margin)·t", 0, 1, false, true),
       make_key("gamma", KeyType::kFloat, "0.0001", "mask-update probability (1 + gamma·iter)^−power", 0, kInf),
       make_key("power", KeyType::kFloat, "1.0", "see gamma", 0, kInf), layers_key()},
      /*default_epochs=*/5);
  d.preflight = check_layers;
  return d;
}

StageDescription l1_structured_stage_description() {
  StageDescription d = describe_stage(
      "l1_structured", "filter / unit pruning by L1 norm: removes units (a smaller dense model), then fine-tunes",
      {make_key("keep", KeyType::kFloat, "0.5", "fraction of every group's units kept (largest L1 norms)", 0, 1, true),
       make_key("groups", KeyType::kStringList, "", "prunable groups to prune (empty: all of the model's groups)")},
      /*default_epochs=*/3);
  d.preflight = [](const StageParams& p, const ir::Graph& g) -> std::vector<StageIssue> {
    if (g.groups.empty()) return {{"groups", "model '" + g.model + "' has no prunable groups"}};
    for (const std::string& n : p.list("groups")) {
      try {
        find_group(g, n);
      } catch (const std::invalid_argument& e) {
        return {{"groups", e.what()}};
      }
    }
    return {};
  };
  return d;
}

}  // namespace slimlab::compress::prune
