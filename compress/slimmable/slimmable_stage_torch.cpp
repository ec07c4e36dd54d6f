#include <sstream>
#include "train/checkpoint.h"

#include "compress/minibatch.h"
#include "compress/slimmable/slimmable_torch.h"
#include "compress/surgery.h"
#include "train/graph_io.h"
#include "train/resources.h"
#include "train/trainer.h"

namespace slimlab::compress {

namespace {

const char* const kBnParams[] = {"weight", "bias", "running_mean", "running_var"};

// The module's BatchNorm tensors for the widest width; private copies for the others,
// reached through param hooks (γ, β) and swapped in around a forward (statistics,
// which batch_norm updates in place).
class WidthSwitch {
 public:
  WidthSwitch(GraphModule m, std::vector<double> widths)
      : m_(std::move(m)), widths_(std::move(widths)), current_(widths_.size() - 1) {
    const ir::Graph& g = m_->ir();
    for (const ir::Layer& l : g.layers)
      if (l.kind == ir::LayerKind::kBatchNorm) bn_layers_.push_back(l.name);
    private_.resize(widths_.size());
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i + 1 < widths_.size(); ++i)
      for (const std::string& l : bn_layers_)
        for (const char* p : kBnParams) {
          torch::Tensor t = m_->parameter(l, p).detach().clone();
          if (std::string(p) == "weight" || std::string(p) == "bias") t.set_requires_grad(true);
          private_[i][key(l, p)] = t;
        }
    for (const std::string& l : bn_layers_)
      m_->hooks(l).param.push_back([this, l](const std::string& p, const torch::Tensor& t) {
        if (current_ + 1 == widths_.size()) return t;
        return private_[current_].at(key(l, p));
      });
    for (const ir::PrunableGroup& grp : g.groups) {
      std::vector<torch::Tensor> per_width;
      for (double w : widths_) {
        torch::Tensor mask = torch::zeros({1, grp.units});
        mask.narrow(1, 0, slimmable::units_at(w, grp.units)).fill_(1);
        per_width.push_back(mask);
      }
      for (const std::string& layer : mask_layers(g, grp)) {
        const ir::LayerKind kind = g.layer(layer)->kind;
        TensorHook hook = [this, per_width](const torch::Tensor& y) {
          if (current_ + 1 == widths_.size()) return y;
          const torch::Tensor& mask = per_width[current_];
          std::vector<int64_t> shape{1, mask.size(1)};
          shape.resize(size_t(y.dim()), 1);
          return y * mask.view(shape);
        };
        if (kind == ir::LayerKind::kGru || kind == ir::LayerKind::kLstm) m_->hooks(layer).state.push_back(hook);
        else m_->hooks(layer).output.push_back(hook);
      }
    }
  }

  // The forward pass at width index i (the module's own setting is the widest).
  torch::Tensor forward_at(size_t i, const torch::Tensor& x) {
    if (i + 1 == widths_.size()) return m_->forward(x);
    swap_statistics(i);
    current_ = i;
    torch::Tensor y;
    try {
      y = m_->forward(x);
    } catch (...) {
      current_ = widths_.size() - 1;
      swap_statistics(i);
      throw;
    }
    current_ = widths_.size() - 1;
    swap_statistics(i);
    return y;
  }

  std::vector<torch::Tensor> private_parameters() const {
    std::vector<torch::Tensor> out;
    for (const auto& w : private_)
      for (const auto& [k, t] : w)
        if (t.requires_grad()) out.push_back(t);
    return out;
  }

  // The full graph with width i's BatchNorm tensors, sliced to width i.
  ir::Graph graph_at(size_t i) {
    ir::Graph g = m_->graph(/*with_weights=*/true);
    if (i + 1 < widths_.size())
      for (const std::string& l : bn_layers_)
        for (const char* p : kBnParams) {
          const torch::Tensor t = private_[i].at(key(l, p)).detach().contiguous();
          g.layer(l)->param(p)->data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        }
    return slimmable::slice(g, widths_[i]);
  }

  void save(const std::filesystem::path& file) const {
    torch::serialize::OutputArchive a;
    for (size_t i = 0; i + 1 < widths_.size(); ++i)
      for (const auto& [k, t] : private_[i]) a.write(std::to_string(i) + "/" + k, t.detach());
    train::save_archive(a, file);
  }
  void load(const std::filesystem::path& file) {
    torch::serialize::InputArchive a;
    train::load_archive(a, file);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i + 1 < widths_.size(); ++i)
      for (auto& [k, t] : private_[i]) {
        torch::Tensor v;
        a.read(std::to_string(i) + "/" + k, v);
        t.copy_(v);
      }
  }

 private:
  static std::string key(const std::string& l, const std::string& p) { return l + "\n" + p; }

  // Exchanges the module's running statistics with width i's private ones. The tensor
  // handles are swapped, not their data: a forward's autograd graph keeps the
  // statistics it used, and an in-place copy would invalidate it.
  void swap_statistics(size_t i) {
    for (const std::string& l : bn_layers_)
      for (const char* p : {"running_mean", "running_var"}) std::swap(m_->parameter(l, p), private_[i].at(key(l, p)));
  }

  GraphModule m_;
  std::vector<double> widths_;
  std::vector<std::string> bn_layers_;
  std::vector<std::map<std::string, torch::Tensor>> private_;  // per width but the widest
  size_t current_ = 0;  // width index of the next forward (set in the constructor to the widest)
};

const data::ArraySet& val_or_test(const data::PreparedData& d) { return d.val.size() > 0 ? d.val : d.test; }

double accuracy_at(WidthSwitch& s, size_t i, train::SlimModelImpl& m, const data::ArraySet& set) {
  torch::NoGradGuard no_grad;
  const bool was = m.is_training();
  m.eval();
  MiniBatches view(set, 256, 0);
  int64_t correct = 0;
  for (size_t lo = 0; lo < set.size(); lo += 256) {
    std::vector<size_t> idx;
    for (size_t j = lo; j < std::min(set.size(), lo + 256); ++j) idx.push_back(j);
    auto [x, y] = view.gather(idx);
    correct += s.forward_at(i, x).argmax(1).eq(y).sum().item<int64_t>();
  }
  m.train(was);
  return set.size() ? double(correct) / double(set.size()) : 0.0;
}

class SlimmableStage : public Stage {
 public:
  void run(StageContext& ctx) override {
    const StageParams& p = ctx.params;
    const std::vector<double> widths = slimmable::parse_widths(p.list("widths"));
    const double output_width = p.number("output_width");
    GraphModule m = ctx.graph_module();
    const ir::Graph full = m->graph(false);
    // The original hooks are left alone; ours are appended (and the module is replaced at the end).
    WidthSwitch sw(m, widths);
    const std::filesystem::path bn_file = ctx.dir / "slimmable_bn.pt";
    if (ctx.resume && std::filesystem::exists(bn_file)) sw.load(bn_file);
    train::TrainConfig cfg = ctx.train_config();
    if (cfg.epochs > 0)
      fine_tune(ctx, cfg, [&](train::Trainer& t) {
        // The trainer's own forward is the widest width; the others are added to its loss.
        t.per_sample_loss = [&](const torch::Tensor& logits, const torch::Tensor& x, const torch::Tensor& y) {
          torch::Tensor loss = torch::nn::functional::cross_entropy(
              logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
          for (size_t i = 0; i + 1 < widths.size(); ++i)
            loss = loss + torch::nn::functional::cross_entropy(
                              sw.forward_at(i, x), y,
                              torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
          return loss;
        };
        t.optimizer_factory = [&](std::vector<torch::Tensor> params) {
          for (const torch::Tensor& q : sw.private_parameters()) params.push_back(q);
          return train::make_optimizer(cfg, params);
        };
        t.before_epoch = [&](int) { sw.save(bn_file); };
      });
    Table curve;
    curve.columns = {"width", "params", "kept_fraction", "macs", "val_accuracy", "test_accuracy",
                     "sliced_val_accuracy"};
    ir::Graph chosen;
    for (size_t i = 0; i < widths.size(); ++i) {
      const double val = accuracy_at(sw, i, *m, val_or_test(*ctx.data));
      const double test = accuracy_at(sw, i, *m, ctx.data->test);
      const ir::Graph g = sw.graph_at(i);
      // The real slim model of this width (units removed), checked against the masked one.
      GraphModule slim(g, m->dropout());
      const double sliced = accuracy(*slim, val_or_test(*ctx.data));
      std::ostringstream dir;
      dir << "width_" << widths[i];
      std::filesystem::create_directories(ctx.dir / dir.str());
      ir::write_graph_h5(ctx.dir / dir.str() / "model.h5", g);
      curve.rows.push_back({widths[i], double(g.parameter_count()),
                            double(g.parameter_count()) / double(full.parameter_count()),
                            double(train::profile(g).macs), val, test, sliced});
      std::ostringstream msg;
      msg << "slimmable: width " << widths[i] << ": " << g.parameter_count() << " parameters, val accuracy " << val;
      ctx.log(msg.str());
      if (widths[i] == output_width) chosen = g;
    }
    ctx.model = GraphModule(chosen, m->dropout()).ptr();
    m->clear_hooks();  // they point into `sw`; the module is not used after this stage
    StageRecord& r = *ctx.record;
    r.tables["widths"] = curve;
    r.metrics["params_before"] = double(full.parameter_count());
    r.metrics["params"] = double(chosen.parameter_count());
    r.metrics["kept_fraction"] = double(chosen.parameter_count()) / double(full.parameter_count());
    r.metrics["output_width"] = output_width;
    r.info["exported_models"] =
        "each width is a separate graph with its units removed and its own BatchNorm: stages/<i>-slimmable/width_<w>/"
        "model.h5 (export that file for the slim model of width w); the stage continues with output_width";
  }
};

}  // namespace

std::unique_ptr<Stage> make_slimmable_stage() { return std::make_unique<SlimmableStage>(); }

}  // namespace slimlab::compress
