#include "compress/deepiot/deepiot.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "compress/surgery.h"

namespace slimlab::compress::deepiot {

namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

double threshold_at(const Options& o, int64_t it) {
  if (o.threshold_steps < 1 || o.threshold_every < 1) return 0.0;
  const double step = o.threshold_max / double(o.threshold_steps);
  return std::min(o.threshold_max, double(it / o.threshold_every) * step);
}

std::vector<StageIssue> check_options(const Options& o) {
  std::vector<StageIssue> issues;
  auto bad = [&](const std::string& k, const std::string& why) { issues.push_back({k, why}); };
  if (!(o.target_size > 0 && o.target_size <= 1))
    bad("target_size", "must be in (0, 1] (the fraction of parameters kept), got " + num(o.target_size));
  if (!(o.accuracy_floor >= 0 && o.accuracy_floor <= 1)) bad("accuracy_floor", "must be in [0, 1]");
  if (!(o.max_accuracy_drop >= 0 && o.max_accuracy_drop <= 1)) bad("max_accuracy_drop", "must be in [0, 1]");
  if (o.max_iterations < 1) bad("max_iterations", "must be ≥ 1");
  if (o.stop_eval != "halved" && o.stop_eval != "removed")
    bad("stop_eval", "must be halved or removed, got '" + o.stop_eval + "'");
  if (o.min_units < 1) bad("min_units", "must be ≥ 1 (a group cannot vanish: its layer would have no output)");
  if (o.compressor_hidden < 1) bad("compressor_hidden", "must be ≥ 1");
  for (auto [k, v] : {std::pair<const char*, double>{"compressor_lr", o.compressor_lr}, {"critic_lr", o.critic_lr}})
    if (!(v > 0)) bad(k, "must be positive, got " + num(v));
  for (auto [k, v] : {std::pair<const char*, double>{"init_keep", o.init_keep}, {"init_keep_rnn", o.init_keep_rnn}})
    if (!(v > 0 && v < 1)) bad(k, "must be a probability in (0, 1), got " + num(v));
  for (auto [k, v] : {std::pair<const char*, double>{"critic_beta1", o.critic_beta1},
                      {"critic_beta2", o.critic_beta2},
                      {"ema_decay", o.ema_decay}})
    if (!(v >= 0 && v < 1)) bad(k, "must be in [0, 1), got " + num(v));
  if (!(o.critic_weight_decay >= 0)) bad("critic_weight_decay", "must be ≥ 0");
  if (o.critic_batch_size < 1) bad("critic_batch_size", "must be ≥ 1");
  if (!(o.threshold_max >= 0 && o.threshold_max < 1))
    bad("threshold_max", "must be in [0, 1), got " + num(o.threshold_max));
  if (o.threshold_steps < 1) bad("threshold_steps", "must be ≥ 1");
  if (o.threshold_every < 1) bad("threshold_every", "must be ≥ 1");
  for (auto [k, v] : {std::pair<const char*, int64_t>{"eval_every", o.eval_every}, {"record_every", o.record_every},
                      {"checkpoint_every", o.checkpoint_every}})
    if (v < 1) bad(k, "must be ≥ 1");
  if (o.eval_samples < 0) bad("eval_samples", "must be ≥ 0");
  // A unit is removed only when its keep-probability ends below the threshold, so a
  // target below 1 needs a threshold that becomes positive before the last iteration.
  if (o.target_size > 0 && o.target_size < 1) {
    if (o.threshold_max <= 0)
      bad("threshold_max", "is 0: no keep-probability can ever fall below it, so target_size = " +
                               num(o.target_size) + " is never reached");
    else if (o.threshold_every >= 1 && o.max_iterations <= o.threshold_every)
      bad("threshold_every", "the threshold first rises at iteration " + std::to_string(o.threshold_every) +
                                 " but max_iterations = " + std::to_string(o.max_iterations) +
                                 " ends the compression before that: no unit can be removed, so target_size = " +
                                 num(o.target_size) + " is never reached");
  }
  return issues;
}

std::vector<StageIssue> check_against_graph(const Options& o, const ir::Graph& g) {
  std::vector<StageIssue> issues;
  if (g.groups.empty()) return {{"groups", "model '" + g.model + "' has no prunable groups to compress"}};
  std::vector<std::string> names = o.groups;
  if (names.empty())
    for (const ir::PrunableGroup& grp : g.groups) names.push_back(grp.name);
  std::map<std::string, int64_t> smallest;
  for (const std::string& n : names) {
    const ir::PrunableGroup* grp = nullptr;
    for (const ir::PrunableGroup& x : g.groups)
      if (x.name == n) grp = &x;
    if (!grp) {
      std::string all;
      for (const ir::PrunableGroup& x : g.groups) all += (all.empty() ? "" : ", ") + x.name;
      issues.push_back({"groups", "model '" + g.model + "' has no prunable group '" + n + "' (its groups: " + all + ")"});
      continue;
    }
    if (smallest.count(n)) issues.push_back({"groups", "group '" + n + "' is listed twice"});
    smallest[n] = std::min(o.min_units, grp->units);
  }
  if (!issues.empty()) return issues;
  const double floor = double(parameter_count_after(g, smallest)) / double(g.parameter_count());
  if (floor > o.target_size)
    issues.push_back({"target_size", num(o.target_size) + " cannot be reached: with min_units = " +
                                         std::to_string(o.min_units) + " in every compressed group the model " +
                                         "still keeps " + num(floor) + " of its parameters"});
  return issues;
}

Options options_from_params(const StageParams& p) {
  Options o;
  auto f = [&](const char* k, double& v) { if (p.has(k)) v = p.number(k); };
  auto i = [&](const char* k, int64_t& v) { if (p.has(k)) v = p.integer(k); };
  if (p.has("groups")) o.groups = p.list("groups");
  f("target_size", o.target_size);
  f("accuracy_floor", o.accuracy_floor);
  f("max_accuracy_drop", o.max_accuracy_drop);
  i("max_iterations", o.max_iterations);
  if (p.has("stop_eval")) o.stop_eval = p.text("stop_eval");
  i("min_units", o.min_units);
  i("compressor_hidden", o.compressor_hidden);
  f("compressor_lr", o.compressor_lr);
  f("init_keep", o.init_keep);
  f("init_keep_rnn", o.init_keep_rnn);
  f("critic_lr", o.critic_lr);
  f("critic_beta1", o.critic_beta1);
  f("critic_beta2", o.critic_beta2);
  f("critic_weight_decay", o.critic_weight_decay);
  i("critic_batch_size", o.critic_batch_size);
  f("ema_decay", o.ema_decay);
  f("threshold_max", o.threshold_max);
  i("threshold_steps", o.threshold_steps);
  i("threshold_every", o.threshold_every);
  i("eval_every", o.eval_every);
  i("eval_samples", o.eval_samples);
  i("record_every", o.record_every);
  i("checkpoint_every", o.checkpoint_every);
  if (p.has("seed")) o.seed = uint64_t(p.integer("seed"));
  return o;
}

StageDescription stage_description() {
  const Options d;
  using K = KeyType;
  StageDescription s;
  s.type = "deepiot";
  s.doc = "DeepIoT compressor-critic: learns how many units each layer keeps, then removes them (a smaller dense model)";
  s.keys = {
      make_key("groups", K::kStringList, "", "prunable groups to compress (empty: all of the model's groups)", -kInf, kInf),
      make_key("target_size", K::kFloat, num(d.target_size),
          "stop when the kept parameters are at most this fraction of the original (paper, HHAR: < 0.07)", 0, 1,
          true),
      make_key("accuracy_floor", K::kFloat, num(d.accuracy_floor),
          "val accuracy the stop rule requires (0: base val accuracy - max_accuracy_drop)", 0, 1),
      make_key("max_accuracy_drop", K::kFloat, num(d.max_accuracy_drop),
          "with accuracy_floor = 0: the allowed drop below the base model's val accuracy", 0, 1),
      make_key("max_iterations", K::kInt, std::to_string(d.max_iterations),
          "hard stop of the compressor-critic loop (mini-batches)", 1, kInf),
      [&] {
        StageKey k = make_key("stop_eval", K::kString, d.stop_eval,
                         "units below the threshold in the stop rule's val accuracy: removed (0, as after hard "
                         "pruning: the network really kept) or halved (p/2, the original code)",
                         -kInf, kInf);
        k.choices = {"halved", "removed"};
        return k;
      }(),
      make_key("min_units", K::kInt, std::to_string(d.min_units), "units every compressed group keeps at least", 1, kInf),
      make_key("compressor_hidden", K::kInt, std::to_string(d.compressor_hidden),
          "width of the a·W·b projections and of the compressor LSTM (paper: 64)", 1, kInf),
      make_key("compressor_lr", K::kFloat, num(d.compressor_lr), "RMSProp learning rate of the compressor", 0, kInf,
          true),
      make_key("init_keep", K::kFloat, num(d.init_keep), "initial keep-probability of conv / dense units", 0, 1, true,
          true),
      make_key("init_keep_rnn", K::kFloat, num(d.init_keep_rnn), "initial keep-probability of GRU / LSTM units", 0, 1,
          true, true),
      make_key("critic_lr", K::kFloat, num(d.critic_lr), "Adam learning rate of the network trained on masked passes",
          0, kInf, true),
      make_key("critic_beta1", K::kFloat, num(d.critic_beta1), "Adam beta1 of the critic", 0, 1, false, true),
      make_key("critic_beta2", K::kFloat, num(d.critic_beta2), "Adam beta2 of the critic", 0, 1, false, true),
      make_key("critic_weight_decay", K::kFloat, num(d.critic_weight_decay), "L2 of the critic (coupled, as Adam's)", 0,
          kInf),
      make_key("critic_batch_size", K::kInt, std::to_string(d.critic_batch_size), "mini-batch of the compressor-critic loop",
          1, kInf),
      make_key("ema_decay", K::kFloat, num(d.ema_decay), "decay of the REINFORCE baseline (EMA of loss mean and std)",
          0, 1, false, true),
      make_key("threshold_max", K::kFloat, num(d.threshold_max), "final pruning threshold on keep-probabilities", 0, 1,
          false, true),
      make_key("threshold_steps", K::kInt, std::to_string(d.threshold_steps),
          "the threshold rises by threshold_max / threshold_steps per step", 1, kInf),
      make_key("threshold_every", K::kInt, std::to_string(d.threshold_every), "iterations between threshold steps", 1,
          kInf),
      make_key("eval_every", K::kInt, std::to_string(d.eval_every),
          "iterations between val-accuracy checks of the stop rule", 1, kInf),
      make_key("eval_samples", K::kInt, std::to_string(d.eval_samples), "val samples used by that check (0: all)", 0,
          kInf),
      make_key("record_every", K::kInt, std::to_string(d.record_every),
          "iterations between trace rows (keep-probabilities, threshold, kept units)", 1, kInf),
      make_key("checkpoint_every", K::kInt, std::to_string(d.checkpoint_every),
          "iterations between compression checkpoints (resume after a kill)", 1, kInf),
      make_key("seed", K::kInt, std::to_string(d.seed), "seed of the compressor's initialisation, masks and batches", 0,
          kInf),
  };
  for (const StageKey& k : training_keys(/*default_epochs=*/5)) s.keys.push_back(k);
  s.validate = [](const StageParams& p) { return check_options(options_from_params(p)); };
  s.preflight = [](const StageParams& p, const ir::Graph& g) {
    return check_against_graph(options_from_params(p), g);
  };
  return s;
}

}  // namespace slimlab::compress::deepiot
