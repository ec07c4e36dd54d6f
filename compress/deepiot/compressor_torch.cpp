#include "compress/deepiot/compressor.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "compress/surgery.h"

namespace slimlab::compress::deepiot {

std::vector<ir::PrunableGroup> groups_in_layer_order(const ir::Graph& g, const std::vector<std::string>& names) {
  std::vector<ir::PrunableGroup> chosen;
  if (names.empty()) {
    chosen = g.groups;
  } else {
    std::set<std::string> seen;
    for (const std::string& n : names) {
      if (!seen.insert(n).second) throw std::invalid_argument("group '" + n + "' is listed twice");
      chosen.push_back(find_group(g, n));
    }
  }
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < g.layers.size(); ++i) position[g.layers[i].name] = i;
  auto first = [&](const ir::PrunableGroup& grp) {
    size_t p = g.layers.size();
    for (const std::string& l : mask_layers(g, grp)) p = std::min(p, position.at(l));
    return p;
  };
  std::stable_sort(chosen.begin(), chosen.end(),
                   [&](const ir::PrunableGroup& a, const ir::PrunableGroup& b) { return first(a) < first(b); });
  return chosen;
}

torch::Tensor unit_matrix(train::GraphModuleImpl& model, const ir::PrunableGroup& group) {
  std::vector<torch::Tensor> parts;
  for (const ir::UnitRef& r : group.producers) {
    const ir::Layer* l = model.ir().layer(r.layer);
    const ir::Param* p = l ? l->param(r.param) : nullptr;
    if (!p) throw std::invalid_argument("group '" + group.name + "': no parameter " + r.layer + "." + r.param);
    if (!p->trainable) continue;
    torch::Tensor t = model.parameter(r.layer, r.param).detach();
    t = t.movedim(r.axis, 0).reshape({t.size(r.axis), -1});  // [E, rest]
    const int64_t rest = t.size(1);
    if (r.gate_stride > 0) {
      // E = G · units · block: unit u owns entries g·span + u·block + j of every gate block g.
      const int64_t gates = t.size(0) / r.gate_stride;
      t = t.reshape({gates, group.units, r.block * rest}).permute({1, 0, 2}).reshape({group.units, -1});
    } else {
      t = t.reshape({group.units, r.block * rest});
    }
    parts.push_back(t);
  }
  if (parts.empty()) throw std::invalid_argument("group '" + group.name + "' has no trainable producer");
  return torch::cat(parts, 1);
}

CompressorImpl::CompressorImpl(std::vector<GroupView> groups, int64_t hidden, double init_keep, double init_keep_rnn)
    : groups_(std::move(groups)) {
  if (groups_.empty()) throw std::invalid_argument("DeepIoT compressor: no groups to compress");
  auto logit = [](double p) { return std::log(p / (1 - p)); };
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const GroupView& g = groups_[i];
    const std::string n = std::to_string(i);
    a_.push_back(register_parameter("a" + n, torch::randn({1, g.units}) / std::sqrt(double(g.units))));
    b_.push_back(register_parameter("b" + n, torch::randn({g.cols, hidden}) / std::sqrt(double(g.cols))));
    auto head = register_module("head" + n, torch::nn::Linear(hidden, g.units));
    head->weight.mul_(0.1);  // start close to the initial probability, not at random ones
    head->bias.fill_(logit(g.kind == "rnn" ? init_keep_rnn : init_keep));
    heads_.push_back(head);
  }
  lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(hidden, hidden)));
}

std::vector<torch::Tensor> CompressorImpl::forward(const std::vector<torch::Tensor>& unit_matrices) {
  if (unit_matrices.size() != groups_.size())
    throw std::invalid_argument("DeepIoT compressor: " + std::to_string(unit_matrices.size()) + " unit matrices for " +
                                std::to_string(groups_.size()) + " groups");
  std::vector<torch::Tensor> steps;
  for (size_t i = 0; i < groups_.size(); ++i) steps.push_back(a_[i].mm(unit_matrices[i]).mm(b_[i]));  // [1, 64]
  const torch::Tensor seq = torch::stack(steps, 0);                      // [G, 1, 64]: sequence-first
  const torch::Tensor out = std::get<0>(lstm_->forward(seq));           // [G, 1, 64]
  std::vector<torch::Tensor> probs;
  for (size_t i = 0; i < groups_.size(); ++i) probs.push_back(torch::sigmoid(heads_[i]->forward(out[long(i)])).squeeze(0));
  return probs;
}

}  // namespace slimlab::compress::deepiot
