#include "compress/deepiot/deepiot_run.h"
#include "train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "compress/deepiot/compressor.h"
#include "compress/minibatch.h"
#include "compress/surgery.h"

namespace slimlab::compress::deepiot {

namespace {

constexpr const char* kStateFile = "deepiot_state.pt";

// Units kept by a probability vector at threshold `thr`: p ≥ thr, and at least
// `min_units` (the most probable ones).
std::vector<int64_t> kept_units(const std::vector<float>& p, double thr, int64_t min_units) {
  std::vector<int64_t> keep;
  for (size_t u = 0; u < p.size(); ++u)
    if (double(p[u]) >= thr) keep.push_back(int64_t(u));
  const int64_t want = std::min<int64_t>(min_units, int64_t(p.size()));
  if (int64_t(keep.size()) < want) {
    std::vector<int64_t> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return p[size_t(a)] > p[size_t(b)]; });
    keep.assign(order.begin(), order.begin() + want);
    std::sort(keep.begin(), keep.end());
  }
  return keep;
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor table_tensor(const Table& t) {
  const int64_t r = int64_t(t.rows.size()), c = int64_t(t.columns.size());
  torch::Tensor out = torch::zeros({r, c}, torch::kFloat64);
  double* p = out.data_ptr<double>();
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) p[i * c + j] = t.rows[size_t(i)][size_t(j)];
  return out;
}

void table_rows_from(Table& t, const torch::Tensor& x) {
  const torch::Tensor c = x.to(torch::kFloat64).contiguous();
  t.rows.clear();
  if (c.dim() != 2 || c.size(1) != int64_t(t.columns.size()))
    throw std::runtime_error("DeepIoT checkpoint: a trace table has the wrong width");
  const double* p = c.data_ptr<double>();
  for (int64_t i = 0; i < c.size(0); ++i) t.rows.emplace_back(p + i * c.size(1), p + (i + 1) * c.size(1));
}

}  // namespace

struct Compression::State {
  GraphModule critic;
  const data::PreparedData& data;
  Options o;
  std::filesystem::path dir;
  std::function<void(const std::string&)> log;
  std::vector<ir::PrunableGroup> groups;
  ir::Graph structure;  // the critic's graph, no weights: sizes of candidate prunings
  int64_t total_params = 0;
  Compressor compressor{nullptr};
  std::unique_ptr<torch::optim::Adam> critic_opt;
  std::unique_ptr<torch::optim::RMSprop> compressor_opt;
  std::vector<std::shared_ptr<torch::Tensor>> masks;  // per group: [B or 1, units]; undefined = none
  std::vector<std::pair<std::string, bool>> hooked;    // (layer, state hook?) we appended, to remove again
  // Loop state (checkpointed).
  int64_t next_iteration = 0;
  double ema_mean = 0, ema_std = 0;
  bool ema_ready = false;
  double last_accuracy = std::numeric_limits<double>::quiet_NaN();
  bool done = false, target_met = false;  // the loop finished (a resume goes straight to the decision)
  Table trace;
  std::vector<Table> keep_tables;

  State(GraphModule c, const data::PreparedData& d, Options opt, std::filesystem::path dir_,
        std::function<void(const std::string&)> log_)
      : critic(std::move(c)), data(d), o(std::move(opt)), dir(std::move(dir_)), log(std::move(log_)) {}

  std::string fingerprint() const {
    std::ostringstream s;
    s << "deepiot v1 model=" << structure.model << " params=" << total_params;
    for (const ir::PrunableGroup& g : groups) s << " " << g.name << ":" << g.units;
    s << " hidden=" << o.compressor_hidden << " seed=" << o.seed << " batch=" << o.critic_batch_size;
    return s.str();
  }

  std::vector<torch::Tensor> probabilities() {
    std::vector<torch::Tensor> mats;
    for (const ir::PrunableGroup& g : groups) mats.push_back(unit_matrix(*critic, g));
    return compressor->forward(mats);
  }

  // Kept parameter fraction if units with p < thr were removed now.
  double size_fraction(const std::vector<torch::Tensor>& p, double thr) const {
    std::map<std::string, int64_t> kept;
    for (size_t i = 0; i < groups.size(); ++i)
      kept[groups[i].name] = int64_t(kept_units(to_vector(p[i]), thr, o.min_units).size());
    return double(parameter_count_after(structure, kept)) / double(total_params);
  }

  void install_hooks() {
    masks.clear();
    for (const ir::PrunableGroup& g : groups) {
      auto mask = std::make_shared<torch::Tensor>();
      masks.push_back(mask);
      for (const std::string& name : mask_layers(structure, g)) {
        const ir::Layer* l = structure.layer(name);
        const bool rnn = l->kind == ir::LayerKind::kGru || l->kind == ir::LayerKind::kLstm;
        TensorHook hook = [mask](const torch::Tensor& y) {
          if (!mask->defined()) return y;
          std::vector<int64_t> shape{mask->size(0), mask->size(1)};
          shape.resize(size_t(y.dim()), 1);  // [B, units, 1, …] against [B, units, spatial…]
          return y * mask->view(shape);
        };
        if (rnn) critic->hooks(name).state.push_back(hook);
        else critic->hooks(name).output.push_back(hook);
        hooked.emplace_back(name, rnn);
      }
    }
  }

  // Removes our mask hooks (in reverse), leaving any other stage's hooks in place.
  void remove_hooks() {
    for (auto it = hooked.rbegin(); it != hooked.rend(); ++it) {
      LayerHooks& h = critic->hooks(it->first);
      if (it->second) h.state.pop_back();
      else h.output.pop_back();
    }
    hooked.clear();
    masks.clear();
  }

  // Evaluation scales every unit by its keep-probability. stop_eval "halved" (the
  // original code during compression): units below the threshold at p/2; "removed":
  // at 0, as after hard pruning (stricter).
  void set_eval_masks(const std::vector<torch::Tensor>& p, double thr) {
    for (size_t i = 0; i < groups.size(); ++i) {
      const std::vector<float> pv = to_vector(p[i]);
      std::vector<float> scale(pv.size(), 0.f);
      if (o.stop_eval == "halved") {
        for (size_t u = 0; u < pv.size(); ++u) scale[u] = double(pv[u]) < thr ? 0.5f * pv[u] : pv[u];
      } else {
        for (int64_t u : kept_units(pv, thr, o.min_units)) scale[size_t(u)] = pv[size_t(u)];
      }
      *masks[i] = torch::tensor(scale).view({1, -1});
    }
  }

  double evaluate(const std::vector<torch::Tensor>& p, double thr) {
    set_eval_masks(p, thr);
    // The stop rule decides on val; without a val split on (a part of) train — never on test.
    const data::ArraySet& set = data.val.size() > 0 ? data.val : data.train;
    const double acc = accuracy(*critic, set, size_t(o.eval_samples));
    for (auto& m : masks) *m = torch::Tensor();
    return acc;
  }

  void save(int64_t next) {
    if (dir.empty()) return;
    std::filesystem::create_directories(dir);
    torch::serialize::OutputArchive a;
    a.write("fingerprint", c10::IValue(fingerprint()));
    a.write("next_iteration", torch::tensor(next));
    a.write("ema", torch::tensor({ema_mean, ema_std, ema_ready ? 1.0 : 0.0, last_accuracy, done ? 1.0 : 0.0,
                                  target_met ? 1.0 : 0.0},
                                 torch::kFloat64));
    torch::serialize::OutputArchive ca, cr, co, go;
    compressor->save(ca);
    critic->save(cr);
    critic_opt->save(co);
    compressor_opt->save(go);
    a.write("compressor", ca);
    a.write("critic", cr);
    a.write("critic_opt", co);
    a.write("compressor_opt", go);
    a.write("trace", table_tensor(trace));
    for (size_t i = 0; i < keep_tables.size(); ++i) a.write("keep" + std::to_string(i), table_tensor(keep_tables[i]));
    train::save_archive(a, dir / kStateFile);  // sealed; a kill never leaves half a checkpoint
  }

  bool load() {
    const std::filesystem::path file = dir / kStateFile;
    if (dir.empty() || !std::filesystem::exists(file)) return false;
    torch::serialize::InputArchive a;
    try {
      train::load_archive(a, file);
      c10::IValue fp;
      a.read("fingerprint", fp);
      if (!fp.isString() || fp.toStringRef() != fingerprint())
        throw std::runtime_error("it was written for another model or configuration (" +
                                 (fp.isString() ? fp.toStringRef() : std::string("?")) + " vs " + fingerprint() + ")");
      torch::Tensor next, ema, tr;
      a.read("next_iteration", next);
      a.read("ema", ema);
      torch::serialize::InputArchive ca, cr, co, go;
      a.read("compressor", ca);
      a.read("critic", cr);
      a.read("critic_opt", co);
      a.read("compressor_opt", go);
      compressor->load(ca);
      critic->load(cr);
      critic_opt->load(co);
      compressor_opt->load(go);
      a.read("trace", tr);
      table_rows_from(trace, tr);
      for (size_t i = 0; i < keep_tables.size(); ++i) {
        torch::Tensor k;
        a.read("keep" + std::to_string(i), k);
        table_rows_from(keep_tables[i], k);
      }
      next_iteration = next.item<int64_t>();
      const torch::Tensor e = ema.to(torch::kFloat64).contiguous();
      ema_mean = e[0].item<double>();
      ema_std = e[1].item<double>();
      ema_ready = e[2].item<double>() > 0.5;
      last_accuracy = e[3].item<double>();
      if (e.numel() != 6) throw std::runtime_error("the loop state has " + std::to_string(e.numel()) + " entries, not 6");
      done = e[4].item<double>() > 0.5;
      target_met = e[5].item<double>() > 0.5;
    } catch (const std::exception& ex) {
      throw std::runtime_error("DeepIoT checkpoint " + file.string() + " cannot be resumed: " + ex.what());
    }
    return true;
  }
};

Compression::Compression(GraphModule critic, const data::PreparedData& data, Options options,
                         std::filesystem::path dir, std::function<void(const std::string&)> log)
    : s_(std::make_unique<State>(std::move(critic), data, std::move(options), std::move(dir), std::move(log))) {
  State& s = *s_;
  std::vector<StageIssue> issues = check_options(s.o);
  s.structure = s.critic->graph(false);
  if (issues.empty()) issues = check_against_graph(s.o, s.structure);
  if (!issues.empty()) throw std::invalid_argument("deepiot: " + issues[0].key + ": " + issues[0].message);
  s.total_params = s.structure.parameter_count();
  s.groups = groups_in_layer_order(s.structure, s.o.groups);
  std::vector<GroupView> views;
  for (const ir::PrunableGroup& g : s.groups)
    views.push_back({g.name, g.kind, g.units, unit_matrix(*s.critic, g).size(1)});
  torch::manual_seed(s.o.seed);
  s.compressor = Compressor(views, s.o.compressor_hidden, s.o.init_keep, s.o.init_keep_rnn);
  s.critic_opt = std::make_unique<torch::optim::Adam>(
      s.critic->parameters(), torch::optim::AdamOptions(s.o.critic_lr)
                                  .betas({s.o.critic_beta1, s.o.critic_beta2})
                                  .weight_decay(s.o.critic_weight_decay));
  s.compressor_opt = std::make_unique<torch::optim::RMSprop>(s.compressor->parameters(),
                                                             torch::optim::RMSpropOptions(s.o.compressor_lr));
  s.trace.columns = {"iteration", "threshold", "size_fraction", "loss", "ema_mean", "ema_std", "val_accuracy"};
  for (const ir::PrunableGroup& g : s.groups) s.trace.columns.push_back("kept." + g.name);
  for (const ir::PrunableGroup& g : s.groups) s.trace.columns.push_back("mean_keep." + g.name);
  for (const ir::PrunableGroup& g : s.groups) {
    Table t;
    t.columns = {"iteration", "threshold"};
    for (int64_t u = 0; u < g.units; ++u) t.columns.push_back("p" + std::to_string(u));
    s.keep_tables.push_back(std::move(t));
  }
}

Compression::~Compression() = default;

std::filesystem::path Compression::checkpoint_file() const {
  return s_->dir.empty() ? std::filesystem::path() : s_->dir / kStateFile;
}

Outcome Compression::run(double base_val_accuracy) {
  State& s = *s_;
  const Options& o = s.o;
  Outcome out;
  out.accuracy_floor = o.accuracy_floor > 0 ? o.accuracy_floor : base_val_accuracy - o.max_accuracy_drop;
  if (s.load()) {
    out.resumed_from = s.next_iteration;
    if (s.log) s.log("deepiot: resuming at iteration " + std::to_string(s.next_iteration));
  }
  s.install_hooks();
  MiniBatches batches(s.data.train, o.critic_batch_size, o.seed);
  if (s.data.train.size() == 0) throw std::invalid_argument("deepiot: the training split is empty");

  int64_t it = s.next_iteration;
  bool stop = s.done;
  out.target_met = s.target_met;
  double last_thr = threshold_at(o, std::max<int64_t>(0, it - 1));
  for (; it < o.max_iterations && !stop; ++it) {
    const double thr = threshold_at(o, it);
    last_thr = thr;
    auto [x, y] = batches.batch(it);
    const int64_t b = x.size(0);
    s.critic->train();
    const std::vector<torch::Tensor> p = s.probabilities();
    // Masks per example and unit from the halved probabilities, drawn from a generator
    // seeded by the iteration: a resumed run draws what an uninterrupted one would.
    at::Generator gen = at::detail::createCPUGenerator(o.seed * 1000003ULL + uint64_t(it) * 7919ULL + 17);
    torch::Tensor log_p = torch::zeros({b});
    for (size_t g = 0; g < s.groups.size(); ++g) {
      const torch::Tensor pe = torch::where(p[g] < thr, p[g] * 0.5, p[g]).clamp(1e-6, 1 - 1e-6);
      const torch::Tensor z =
          (torch::rand({b, pe.size(0)}, gen, torch::TensorOptions().dtype(torch::kFloat32)) < pe.detach().view({1, -1}))
              .to(torch::kFloat32);
      *s.masks[g] = z;
      log_p = log_p + (z * torch::log(pe).view({1, -1}) + (1 - z) * torch::log(1 - pe).view({1, -1})).sum(1);
    }
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        s.critic->forward(x), y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    const double mean = loss.mean().item<double>();
    const double sd = b > 1 ? loss.std().item<double>() : 0.0;
    if (!s.ema_ready) {  // start the baseline at the first batch instead of at 0
      s.ema_mean = mean;
      s.ema_std = sd;
      s.ema_ready = true;
    }
    // REINFORCE: the compressor's step first (its graph read the critic's weights).
    const torch::Tensor advantage = (loss.detach() - s.ema_mean) / std::max(1.0, s.ema_std);
    const torch::Tensor compressor_loss = (log_p * advantage).mean();
    s.compressor_opt->zero_grad();
    compressor_loss.backward();
    s.compressor_opt->step();
    s.critic_opt->zero_grad();
    loss.mean().backward();
    s.critic_opt->step();
    s.ema_mean = o.ema_decay * s.ema_mean + (1 - o.ema_decay) * mean;
    s.ema_std = o.ema_decay * s.ema_std + (1 - o.ema_decay) * sd;
    for (auto& m : s.masks) *m = torch::Tensor();

    const bool last = it + 1 == o.max_iterations;
    const bool check = (it + 1) % o.eval_every == 0 || last;
    const bool record = it % o.record_every == 0 || check;
    if (check || record) {
      torch::NoGradGuard no_grad;
      const std::vector<torch::Tensor> pn = s.probabilities();
      const double size = s.size_fraction(pn, thr);
      if (check) {
        s.last_accuracy = s.evaluate(pn, thr);
        if (size <= o.target_size && s.last_accuracy >= out.accuracy_floor) {
          stop = true;
          out.target_met = true;
        }
        if (s.log) {
          std::ostringstream m;
          m << "deepiot: iteration " << it + 1 << " threshold " << thr << " size " << size << " val accuracy "
            << s.last_accuracy << (stop ? " — target met" : "");
          s.log(m.str());
        }
      }
      if (record) {
        std::vector<double> row{double(it), thr, size, mean, s.ema_mean, s.ema_std, s.last_accuracy};
        for (const torch::Tensor& q : pn)
          row.push_back(double(kept_units(to_vector(q), thr, o.min_units).size()));
        for (const torch::Tensor& q : pn) row.push_back(q.mean().item<double>());
        s.trace.rows.push_back(row);
        for (size_t g = 0; g < s.groups.size(); ++g) {
          std::vector<double> kr{double(it), thr};
          for (float v : to_vector(pn[g])) kr.push_back(v);
          s.keep_tables[g].rows.push_back(std::move(kr));
        }
      }
    }
    if ((it + 1) % o.checkpoint_every == 0 && !stop) s.save(it + 1);
    if (on_iteration) on_iteration(it);
  }
  s.next_iteration = it;
  s.done = true;
  s.target_met = out.target_met;
  s.save(it);  // the final state: a kill during fine-tuning does not redo the compression

  // The decision: units whose keep-probability ends below the threshold go.
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> pf = s.probabilities();
  out.iterations = it;
  out.threshold = last_thr;
  out.size_fraction = s.size_fraction(pf, last_thr);
  out.val_accuracy = s.last_accuracy;
  for (size_t g = 0; g < s.groups.size(); ++g) {
    const std::string& name = s.groups[g].name;
    out.groups.push_back(name);
    out.units[name] = s.groups[g].units;
    out.probabilities[name] = to_vector(pf[g]);
    out.kept[name] = kept_units(out.probabilities[name], last_thr, o.min_units);
  }
  out.tables["trace"] = s.trace;
  for (size_t g = 0; g < s.groups.size(); ++g) out.tables["keep_probabilities." + s.groups[g].name] = s.keep_tables[g];
  s.remove_hooks();
  return out;
}

ir::Graph hard_prune(const ir::Graph& g, const Outcome& outcome) {
  ir::Graph out = g;
  for (const std::string& name : outcome.groups) {
    scale_consumer_inputs(out, name, outcome.probabilities.at(name));
    if (int64_t(outcome.kept.at(name).size()) < outcome.units.at(name)) remove_units(out, name, outcome.kept.at(name));
  }
  return out;
}

}  // namespace slimlab::compress::deepiot
